//! What the benchmarks share: full, valid drafts of both backends, and the statistics.
//!
//! Benchmarks print figures and never fail on time; a budget missed is reported, not asserted.
//! Run by `cargo bench` (which passes `--bench`) they measure; run by `cargo test --all-targets`
//! they only do a few iterations, so the suite checks that they still work without waiting.

#![allow(dead_code, reason = "each benchmark uses a part of this module")]

use std::time::Duration;

use intake::model::{FinosuDraft, HelpScoutDraft, ListEntry, PropertyKind, PropertyRow};

/// Whether this is a measuring run (`cargo bench`) rather than a quick check (`cargo test`).
pub fn is_bench_run() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// A Finosu draft with every field filled in, valid.
pub fn full_finosu() -> FinosuDraft {
    FinosuDraft {
        id: "C-1001".into(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        phone_number: "(415) 555-0123".into(),
        timezone: "America/Los_Angeles".into(),
        birthday: "1985-06-15".into(),
        ssn_last_four: "1234".into(),
        street_address1: "1 Main St".into(),
        street_address2: "Apt 4B".into(),
        city: "San Francisco".into(),
        state: "CA".into(),
        zip_code: "94102".into(),
        task_type: "collections".into(),
        do_not_call: false,
        test_customer: true,
        external_metadata: r#"{"employer": {"name": "Acme", "since": 2019}, "tier": 2}"#.into(),
        extra: serde_json::Map::new(),
    }
}

/// A Help Scout draft with every field filled in, valid: two rows in every list, an address
/// and three custom properties.
pub fn full_help_scout() -> HelpScoutDraft {
    let property = |slug: &str, kind, value: &str| PropertyRow { slug: slug.into(), kind, value: value.into() };
    HelpScoutDraft {
        first_name: "Vernon".into(),
        last_name: "Bear".into(),
        emails: vec![ListEntry::new("work", "bear@acme.com"), ListEntry::new("home", "vernon.bear@example.org")],
        phones: vec![ListEntry::new("work", "(415) 555-0123"), ListEntry::new("mobile", "212-555-0147")],
        phone: "415.555.0199".into(),
        job_title: "CEO and Co-Founder".into(),
        organization: "Acme, Inc".into(),
        age: "30-35".into(),
        gender: "male".into(),
        location: "Greater Dallas/FT Worth Area".into(),
        address_lines: vec!["1 Main St".into(), "Suite 200".into()],
        city: "Dallas".into(),
        state: "TX".into(),
        postal_code: "75201".into(),
        country: "US".into(),
        address_extra: serde_json::Map::new(),
        background: "I've worked with Vernon before and he's really great.".into(),
        websites: vec![
            ListEntry::new("", "https://acme.com"),
            ListEntry::new("", "https://vernonbear.example.org/about"),
        ],
        social_profiles: vec![
            ListEntry::new("twitter", "https://twitter.com/vernonbear"),
            ListEntry::new("linkedin", "https://www.linkedin.com/in/vernonbear"),
        ],
        chats: vec![ListEntry::new("skype", "vernon.bear"), ListEntry::new("xmpp", "vbear@jabber.example.org")],
        photo_url: "https://api.helpscout.net/img/some-avatar.jpg".into(),
        photo_type: "twitter".into(),
        properties: vec![
            property("car", PropertyKind::Text, "Tesla"),
            property("shoeSize", PropertyKind::Number, "44"),
            property("since", PropertyKind::Date, "2019-01-02"),
        ],
        properties_extra: serde_json::Map::new(),
        extra: serde_json::Map::new(),
    }
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
