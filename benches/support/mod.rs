//! What the benchmarks share: telling a measuring run from a quick check, and the statistics.
//! The drafts they measure are the tests' fixtures (`tests/fixtures/mod.rs`).
//!
//! Benchmarks print figures and never fail on time; a budget missed is reported, not asserted.
//! Run by `cargo bench` (which passes `--bench`) they measure; run by `cargo test --all-targets`
//! they only do a few iterations, so the suite checks that they still work without waiting.

#![allow(dead_code, reason = "each benchmark uses a part of this module")]

use std::time::Duration;

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
