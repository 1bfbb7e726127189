//! What the benchmarks share: telling a measuring run from a quick check, and the statistics.
//! The drafts they measure are the tests' fixtures (`tests/fixtures/mod.rs`).
//!
//! Benchmarks print figures and never fail on time; a budget missed is reported, not asserted.
//! Run by `cargo bench` (which passes `--bench`) they measure; run by `cargo test --all-targets`
//! they only do a few iterations, so the suite checks that they still work without waiting.

#![allow(dead_code, reason = "each benchmark uses a part of this module")]

use std::hint::black_box;
use std::time::Duration;

use egui::{Event, Pos2, RawInput, Rect, vec2};
use intake::ui::IntakeApp;

/// Whether this is a measuring run (`cargo bench`) rather than a quick check (`cargo test`).
pub fn is_bench_run() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// Median and 95th percentile of some timings.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// The middle sample.
    pub median: Duration,
    /// The sample 95 % of the others are at or below.
    pub p95: Duration,
    /// The slowest sample.
    pub max: Duration,
    /// How many samples.
    pub count: usize,
}

/// Summarises samples; `None` when there are none.
pub fn summarize(mut samples: Vec<Duration>) -> Option<Summary> {
    samples.sort_unstable();
    let count = samples.len();
    let median = *samples.get(count / 2)?;
    let p95 = *samples.get((count * 95).div_ceil(100).saturating_sub(1))?;
    let max = *samples.last()?;
    Some(Summary { median, p95, max, count })
}

/// "PASS" or "FAIL" for a figure against its budget (the budget is met when the figure is at
/// or below it).
pub fn verdict(figure: f64, budget: f64) -> &'static str {
    if figure <= budget { "PASS" } else { "FAIL" }
}

/// One frame as eframe runs it, without the painting: the UI pass, then tessellation. Returns
/// the number of shapes drawn.
pub fn run_frame(ctx: &egui::Context, app: &mut IntakeApp, input: RawInput) -> usize {
    let mut output = ctx.run_ui(input, |ui| app.show(ui));
    let shapes = std::mem::take(&mut output.shapes);
    let count = shapes.len();
    black_box(ctx.tessellate(shapes, output.pixels_per_point));
    // No renderer here to upload the font atlas to.
    output.drop_without_applying_deltas();
    count
}

/// Hands out frame inputs at 60 frames per second of simulated time.
#[derive(Default)]
pub struct FrameClock {
    frame: u32,
}

impl FrameClock {
    /// The next frame's input, with `events`.
    pub fn input(&mut self, events: Vec<Event>) -> RawInput {
        self.frame += 1;
        RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
            time: Some(f64::from(self.frame) / 60.0),
            predicted_dt: 1.0 / 60.0,
            focused: true,
            events,
            ..Default::default()
        }
    }
}

/// Runs frames until the window is ready: its drafts read and the store's writer running.
pub fn wait_until_ready(ctx: &egui::Context, app: &mut IntakeApp, clock: &mut FrameClock) -> Result<(), String> {
    let started = std::time::Instant::now();
    while app.is_restoring() {
        if started.elapsed() > Duration::from_secs(10) {
            return Err("the window did not get ready".to_owned());
        }
        run_frame(ctx, app, clock.input(Vec::new()));
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(())
}

/// Linux reports thread times in `USER_HZ` ticks, which is 100 per second.
const CLOCK_TICKS_PER_SEC: f64 = 100.0;

/// User plus system CPU time of the calling thread so far.
pub fn thread_cpu_time() -> Result<Duration, String> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat")
        .map_err(|err| format!("cannot read /proc/thread-self/stat: {err}"))?;
    // The fields after the command name (which is in parentheses and may hold spaces): state is
    // field 3, utime 14 and stime 15.
    let rest = stat.rsplit_once(')').map(|(_, rest)| rest).ok_or("unexpected /proc stat format")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |index: usize| -> Result<f64, String> {
        let field = fields.get(index).ok_or("unexpected /proc stat format")?;
        field.parse::<f64>().map_err(|err| format!("bad /proc stat field {field:?}: {err}"))
    };
    let total = ticks(14 - 3)? + ticks(15 - 3)?;
    Ok(Duration::from_secs_f64(total / CLOCK_TICKS_PER_SEC))
}
