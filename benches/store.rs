//! Benchmark: what the store costs the window.
//!
//! `cargo bench --bench store` measures, headless, 1280×800, frames as in `benches/frame.rs`
//! (the UI pass and tessellation, no painting):
//! - **typing with autosave**: a key typed into the form every frame, each change handed to the
//!   store's writer thread, which writes while the frames go on (budget: p95 ≤ 1 ms);
//! - **the Drafts panel with 10,000 records**: frames with the list shown, and frames while a
//!   search is typed (the list filtered again each keystroke) (budget for the panel's frame:
//!   p95 ≤ 1 ms; the frames of a search keystroke are reported beside it).
//!
//! With `INTAKE_BENCH_SEED_STORE=FILE` it also writes a store of 10,000 records to FILE, for
//! `scripts/bench.sh` to time the release binary's start-up on it. Under `cargo test` it runs
//! a few frames only. Lines `RESULT|name|shown|judged value|unit|budget` are for the script.

#![expect(clippy::print_stdout, reason = "a benchmark prints its figures")]

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use egui::{Event, Key, Modifiers};
use intake::model::Backend;
use intake::normalize::normalize_for_sending;
use intake::store::{NewRecord, RecordState, STORE_FILE, Store};
use intake::ui::state::PersistedState;
use intake::ui::{AppOptions, IntakeApp};
use serde_json::json;
use support::{FrameClock, is_bench_run, run_frame, summarize, verdict, wait_until_ready};

/// Frame budget, in milliseconds.
const BUDGET_MS: f64 = 1.0;
/// Records in the big store.
const MANY: usize = 10_000;

fn main() -> Result<(), String> {
    let bench = is_bench_run();
    let (warm_up, measured) = if bench { (20, 300) } else { (2, 5) };
    typing_frames(bench, warm_up, measured)?;
    drafts_panel_frames(bench, warm_up, measured)?;
    if let Some(path) = std::env::var_os("INTAKE_BENCH_SEED_STORE") {
        let seeded = seed(Path::new(&path), MANY)?;
        println!("store bench: wrote {seeded} records to {}", Path::new(&path).display());
    }
    if !bench {
        println!("store bench: quick check passed (run `cargo bench --bench store` to measure)");
    }
    Ok(())
}

/// A key typed every frame into the first field, autosave handing each change to the writer.
fn typing_frames(bench: bool, warm_up: usize, measured: usize) -> Result<(), String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store_path = home.path().join(STORE_FILE);
    let state = PersistedState { profile: "Sandbox · Finosu".into(), ..Default::default() };
    let mut app = IntakeApp::new(state, AppOptions { store_path: Some(store_path.clone()), ..AppOptions::default() });
    let ctx = egui::Context::default();
    let mut clock = FrameClock::default();
    wait_until_ready(&ctx, &mut app, &mut clock)?;
    // The first field (ID) has the keyboard at start.
    for _ in 0..warm_up.max(3) {
        run_frame(&ctx, &mut app, clock.input(vec![Event::Text("a".to_owned())]));
    }
    let mut timings = Vec::with_capacity(measured);
    for _ in 0..measured {
        let input = clock.input(vec![Event::Text("b".to_owned())]);
        let start = Instant::now();
        run_frame(&ctx, &mut app, input);
        timings.push(start.elapsed());
    }
    if !app.flush_store(Duration::from_secs(10)) {
        return Err("the store did not take the typing".to_owned());
    }
    let typed = app.form().finosu().id.len();
    let store = Store::open(&store_path).map_err(|e| e.to_string())?;
    let record = store.latest(Backend::Finosu).map_err(|e| e.to_string())?.ok_or("nothing was saved")?;
    let saved = record.body["id"].as_str().map_or(0, str::len);
    if typed < measured || saved != typed {
        return Err(format!("typed {typed} characters, the store holds {saved}"));
    }
    let summary = summarize(timings).ok_or("no frames measured")?;
    if bench {
        let (median, p95) = (summary.median.as_secs_f64() * 1e3, summary.p95.as_secs_f64() * 1e3);
        println!(
            "  typing with autosave ({measured} keystrokes, saved by the writer thread): median {median:.3} ms   \
             p95 {p95:.3} ms   budget ≤ {BUDGET_MS} ms  {}",
            verdict(p95, BUDGET_MS)
        );
        println!(
            "RESULT|frame while typing, autosave running|median {median:.3} / p95 {p95:.3}|{p95:.3}|ms|{BUDGET_MS}"
        );
    }
    Ok(())
}

/// The Drafts panel over 10,000 records: shown, then searched.
fn drafts_panel_frames(bench: bool, warm_up: usize, measured: usize) -> Result<(), String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store_path = home.path().join(STORE_FILE);
    let count = if bench { MANY } else { 200 };
    seed(&store_path, count)?;
    let state = PersistedState { profile: "Sandbox · Finosu".into(), ..Default::default() };
    let mut app = IntakeApp::new(state, AppOptions { store_path: Some(store_path), ..AppOptions::default() });
    let ctx = egui::Context::default();
    let mut clock = FrameClock::default();
    run_frame(&ctx, &mut app, clock.input(Vec::new()));
    let ctrl_d =
        Event::Key { key: Key::D, physical_key: None, pressed: true, repeat: false, modifiers: Modifiers::COMMAND };
    run_frame(&ctx, &mut app, clock.input(vec![ctrl_d]));
    let started = Instant::now();
    while app.drafts().records().len() < count {
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("the Drafts panel listed {} of {count} records", app.drafts().records().len()));
        }
        std::thread::sleep(Duration::from_millis(5));
        run_frame(&ctx, &mut app, clock.input(Vec::new()));
    }
    let read_ms = started.elapsed().as_secs_f64() * 1e3;
    let shown = measure(&ctx, &mut app, &mut clock, warm_up, measured, Vec::new)?;
    // Typing into the search (Ctrl+D put the keyboard there): the list is filtered each frame.
    let letters = ["a", "d", "a", "1"];
    let mut typed = 0;
    let searched = measure(&ctx, &mut app, &mut clock, 0, measured, || {
        typed += 1;
        // Type, then clear with Backspace, so every frame filters all 10,000 again.
        if typed % 5 == 0 {
            (0..4).map(|_| backspace()).collect()
        } else {
            vec![Event::Text(letters[typed % 4].to_owned())]
        }
    })?;
    if bench {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        // The budget is the panel's frame; frames whose keystroke filters all of them again are
        // reported beside it.
        for (what, summary, budgeted) in [("shown", shown, true), ("while a search is typed", searched, false)] {
            let (median, p95) = (ms(summary.median), ms(summary.p95));
            let judged = if budgeted {
                format!("budget ≤ {BUDGET_MS} ms  {}", verdict(p95, BUDGET_MS))
            } else {
                "(info)".to_owned()
            };
            println!("  Drafts panel, {count} records, {what}: median {median:.3} ms   p95 {p95:.3} ms   {judged}");
            let budget = if budgeted { BUDGET_MS.to_string() } else { "-".to_owned() };
            println!(
                "RESULT|frame, Drafts panel of {count}, {what}|median {median:.3} / p95 {p95:.3}|{p95:.3}|ms|{budget}"
            );
        }
        println!("  (the list of {count} was read off the UI thread in {read_ms:.0} ms)");
        println!("RESULT|Drafts panel: read {count} records (background)|{read_ms:.0}|{read_ms:.0}|ms|-");
    }
    Ok(())
}

fn backspace() -> Event {
    Event::Key { key: Key::Backspace, physical_key: None, pressed: true, repeat: false, modifiers: Modifiers::NONE }
}

/// Times `measured` frames (after `warm_up`), each with the events `input` gives.
fn measure(
    ctx: &egui::Context,
    app: &mut IntakeApp,
    clock: &mut FrameClock,
    warm_up: usize,
    measured: usize,
    mut input: impl FnMut() -> Vec<Event>,
) -> Result<support::Summary, String> {
    for _ in 0..warm_up {
        run_frame(ctx, app, clock.input(input()));
    }
    let mut timings = Vec::with_capacity(measured);
    for _ in 0..measured {
        let events = clock.input(input());
        let start = Instant::now();
        run_frame(ctx, app, events);
        timings.push(start.elapsed());
    }
    summarize(timings).ok_or_else(|| "no frames measured".to_owned())
}

/// Writes `count` records of every state but `sending` to the store at `path`, in one
/// transaction; returns how many.
fn seed(path: &Path, count: usize) -> Result<usize, String> {
    let mut store = Store::open(path).map_err(|e| e.to_string())?;
    let records: Vec<NewRecord> = (0..count)
        .map(|n| {
            let mut body = fixtures::full_finosu().to_json();
            body["id"] = json!(format!("SEED-{n:05}"));
            body["firstName"] = json!(format!("Ada{n}"));
            body["email"] = json!(format!("ada{n}@example.com"));
            let queued = n % 3 == 0;
            // Queued ones wait for a profile that does not exist, so no outbox sends them
            // while frames are timed.
            let profile = if queued { "Archive (no such profile)" } else { "Sandbox · Finosu" };
            NewRecord {
                backend: Backend::Finosu,
                profile: profile.to_owned(),
                payload: queued.then(|| normalize_for_sending(Backend::Finosu, &body)),
                body,
                valid: n % 2 == 0,
                source: Some("benchmark".to_owned()),
            }
        })
        .collect();
    store.insert_many(&records).map_err(|e| e.to_string())?;
    let queued = store.count(RecordState::Queued, None).map_err(|e| e.to_string())?;
    if queued == 0 {
        return Err("the seeded store holds no queued record".to_owned());
    }
    Ok(records.len())
}
