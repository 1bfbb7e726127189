//! Benchmark: validation and normalisation of a full draft of each backend, per call.
//!
//! `cargo bench --bench validate` prints the median and 95th percentile of single calls, timed one
//! by one with `Instant` after a warm-up, against the budget of 20 µs per validation. It also times
//! what the form does after each edit: `to_json` + validate, and the whole `FormState` refresh
//! (`to_json`, validate with the account's property definitions, normalise), and a ZIP code
//! lookup (budget 1 µs) and the ZIP table's load. Under `cargo test`
//! it runs a few iterations only. Lines `RESULT|name|shown|judged value|unit|budget` are for
//! `scripts/bench.sh`.

#![expect(clippy::print_stdout, reason = "a benchmark prints its figures")]

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use fixtures::{full_finosu, full_help_scout};
use intake::model::{Backend, HelpScoutDraft, PropertyDefinition};
use intake::normalize::normalize_for_sending;
use intake::reference::zip_codes;
use intake::ui::form_state::FormState;
use intake::validation::{AccountProperties, Issue, validate_draft_with};
use support::{Summary, is_bench_run, summarize, verdict};

/// Validation budget per call, in microseconds.
const BUDGET_US: f64 = 20.0;

fn main() -> Result<(), String> {
    let bench = is_bench_run();
    let (warm_up, samples) = if bench { (2_000, 20_000) } else { (2, 5) };

    let finosu = full_finosu();
    let help_scout = full_help_scout();
    let finosu_json = finosu.to_json();
    let help_scout_json = help_scout.to_json();
    let definitions = account_definitions(&help_scout);
    let account = AccountProperties::new(&definitions);
    let context = account.context();
    let validate_draft =
        |backend: Backend, body: &serde_json::Value| -> Vec<Issue> { validate_draft_with(backend, body, &context) };
    for (backend, body) in [(Backend::Finosu, &finosu_json), (Backend::HelpScout, &help_scout_json)] {
        let issues = validate_draft(backend, body);
        if !issues.is_empty() {
            return Err(format!("the full {} draft is not valid: {issues:#?}", backend.display_name()));
        }
    }

    if bench {
        println!("validate bench: each call timed alone, after {warm_up} warm-up calls; {samples} samples");
    }
    let time = |name: &str, budget: Option<f64>, f: &mut dyn FnMut()| -> Result<(), String> {
        let summary = measure(warm_up, samples, f).ok_or_else(|| format!("{name}: no samples"))?;
        if bench {
            report(name, budget, summary);
        }
        Ok(())
    };

    time("validate Finosu", Some(BUDGET_US), &mut || {
        black_box(validate_draft(Backend::Finosu, black_box(&finosu_json)));
    })?;
    time("validate Help Scout", Some(BUDGET_US), &mut || {
        black_box(validate_draft(Backend::HelpScout, black_box(&help_scout_json)));
    })?;
    // The same, with phone numbers the validator has not seen before: 64 drafts, 3 numbers
    // each, cycled, so every call reads its numbers afresh (phone readings are remembered per
    // thread for the 32 most recent texts, which is what the form's revalidation on each
    // keystroke gets).
    let fresh_phone_drafts: Vec<serde_json::Value> = (0..64)
        .map(|i| {
            let mut draft = help_scout.clone();
            draft.phone = format!("415.555.{:04}", 1000 + i);
            for (n, entry) in draft.phones.iter_mut().enumerate() {
                entry.value = format!("(212) 555-{:04}", 2000 + 100 * n + i);
            }
            draft.to_json()
        })
        .collect();
    let mut next = 0;
    time("validate Help Scout, new phones", Some(BUDGET_US), &mut || {
        let body = &fresh_phone_drafts[next % fresh_phone_drafts.len()];
        next += 1;
        black_box(validate_draft(Backend::HelpScout, black_box(body)));
    })?;
    time("normalize Finosu", None, &mut || {
        black_box(normalize_for_sending(Backend::Finosu, black_box(&finosu_json)));
    })?;
    time("normalize Help Scout", None, &mut || {
        black_box(normalize_for_sending(Backend::HelpScout, black_box(&help_scout_json)));
    })?;
    time("to_json+validate Finosu", None, &mut || {
        let body = black_box(&finosu).to_json();
        black_box(validate_draft(Backend::Finosu, &body));
    })?;
    time("to_json+validate Help Scout", None, &mut || {
        let body = black_box(&help_scout).to_json();
        black_box(validate_draft(Backend::HelpScout, &body));
    })?;

    // The form's whole recomputation after an edit.
    let mut form = FormState::default();
    form.set_property_definitions(Some(definitions.clone()));
    form.edit_finosu(|d| d.clone_from(&finosu));
    form.edit_help_scout(|d| d.clone_from(&help_scout));
    for backend in Backend::ALL {
        form.refresh(backend);
        if form.error_count() != 0 {
            return Err(format!(
                "the form finds errors in the full {} draft: {:#?}",
                backend.display_name(),
                form.issues()
            ));
        }
        time(&format!("form refresh {}", backend.display_name()), None, &mut || {
            // An edit that changes nothing still marks the form stale: the full refresh is timed.
            match backend {
                Backend::Finosu => form.edit_finosu(|d| d.first_name.clone_from(&finosu.first_name)),
                Backend::HelpScout => form.edit_help_scout(|d| d.first_name.clone_from(&help_scout.first_name)),
            }
            form.refresh(backend);
            black_box(form.preview());
        })?;
    }
    time_zip_lookups(bench, warm_up, samples)?;
    if bench {
        println!(
            "budget: validation ≤ {BUDGET_US} µs per call (PASS when p95 is within it); other rows are information"
        );
    } else {
        println!("validate bench: quick check passed (run `cargo bench --bench validate` to measure)");
    }
    Ok(())
}

/// ZIP code lookups (ZIP text → city, state, time zone), the table loaded: timed in runs of
/// [`ZIP_RUN`] lookups over known and unknown ZIPs and ZIP+4s, reported per lookup; and the
/// table's load (once per process, on a background thread in the window).
fn time_zip_lookups(bench: bool, warm_up: usize, samples: usize) -> Result<(), String> {
    let table = zip_codes::table().map_err(ToString::to_string)?;
    // A fixed pseudo-random spread over 00000–99999: about 4 in 10 are ZIPs the table knows.
    let texts: Vec<String> = (0..u64::from(ZIP_RUN))
        .map(|i| {
            let zip = (i * 7_919 + 12_345) * 2_654_435_761 % 100_000;
            if i % 4 == 0 { format!("{zip:05}-{:04}", i % 10_000) } else { format!("{zip:05}") }
        })
        .collect();
    let found = texts.iter().filter(|t| zip_codes::lookup(t).is_some()).count();
    if found == 0 || found == texts.len() || table.find(94_102).is_none() {
        return Err(format!("the ZIP lookup bench found {found} of {} ZIPs", texts.len()));
    }
    let mut f = || {
        for text in &texts {
            black_box(zip_codes::lookup(black_box(text)));
        }
    };
    let per_lookup = |d: Duration| d / ZIP_RUN;
    let summary = measure(warm_up / 10 + 1, samples / 10 + 1, &mut f).ok_or("ZIP lookup: no samples")?;
    let loads = measure(1, if bench { 50 } else { 1 }, &mut || {
        black_box(zip_codes::ZipTable::embedded().ok());
    })
    .ok_or("ZIP table load: no samples")?;
    if bench {
        println!("  ({found} of {ZIP_RUN} texts per run are known ZIPs; {} ZIPs in the table)", table.len());
        report(
            "ZIP lookup",
            Some(ZIP_BUDGET_US),
            Summary {
                median: per_lookup(summary.median),
                p95: per_lookup(summary.p95),
                max: per_lookup(summary.max),
                count: summary.count,
            },
        );
        report("ZIP table load (once)", None, loads);
    }
    Ok(())
}

/// Lookups per timed run.
const ZIP_RUN: u32 = 1_000;
/// ZIP lookup budget, in microseconds.
const ZIP_BUDGET_US: f64 = 1.0;

/// The account defines the draft's properties, as for a Help Scout profile with its definitions
/// fetched (without them each property would get a "cannot be checked" warning).
fn account_definitions(draft: &HelpScoutDraft) -> Vec<PropertyDefinition> {
    draft
        .properties
        .iter()
        .map(|row| PropertyDefinition {
            slug: row.slug.clone(),
            name: row.slug.clone(),
            kind: row.kind,
            options: Vec::new(),
        })
        .collect()
}

/// Times `f` call by call.
fn measure(warm_up: usize, samples: usize, f: &mut dyn FnMut()) -> Option<Summary> {
    for _ in 0..warm_up {
        f();
    }
    let timings: Vec<Duration> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    summarize(timings)
}

fn report(name: &str, budget: Option<f64>, summary: Summary) {
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let (median, p95) = (micros(summary.median), micros(summary.p95));
    let judged = budget.map_or_else(|| "(info)".to_owned(), |b| format!("budget ≤ {b} µs  {}", verdict(p95, b)));
    println!("  {name:<30} median {median:>8.2} µs   p95 {p95:>8.2} µs   {judged}");
    let budget = budget.map_or_else(|| "-".to_owned(), |b| b.to_string());
    println!("RESULT|{name}|median {median:.2} / p95 {p95:.2}|{p95:.2}|us|{budget}");
}
