//! Shared by the validation test files: a fixed "today" and the one-issue assertion.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use chrono::NaiveDate;
use intake::validation::{Issue, Severity};

/// "Today" for every test, so birthday checks do not depend on the clock.
pub const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 23) {
    Some(date) => date,
    None => panic!("2026-11-23 is a date"),
};

/// Asserts that `issues` is exactly one issue, at `path`, with this severity, a message
/// starting with `label` and containing every word of `words`; returns the message.
#[track_caller]
pub fn assert_only_issue(issues: &[Issue], path: &str, severity: Severity, label: &str, words: &[&str]) -> String {
    assert_eq!(issues.len(), 1, "expected one issue at {path:?}, got {issues:#?}");
    let issue = &issues[0];
    assert_eq!(issue.path, path, "{issue:?}");
    assert_eq!(issue.severity, severity, "{issue:?}");
    assert!(issue.message.starts_with(label), "message should start with {label:?}: {:?}", issue.message);
    for word in words {
        assert!(issue.message.contains(word), "message should contain {word:?}: {:?}", issue.message);
    }
    issue.message.clone()
}
