//! Durations a server sends (`Retry-After`, a token's `expires_in`), read so that no value can
//! panic here or overflow the clock arithmetic done with it later.
//!
//! Every reading is checked and clamped to `0..=max`; a value that was out of range or not a
//! number keeps the server's own text (shortened, control characters dropped), so the outcome's
//! sentence can say what the server asked for and what was done instead.

use std::time::{Duration, SystemTime};

use serde_json::Value;
use thiserror::Error;

/// Longest wait a server's `Retry-After` is honoured for: a larger ask would park a record (or
/// a person) for days on one bad header.
pub const MAX_WAIT: Duration = Duration::from_hours(1);

/// Longest token lifetime believed: a longer one is renewed after a year anyway, and the expiry
/// stays far inside what `SystemTime` and chrono can hold.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_hours(24 * 365);

/// Characters of a server's value kept for a sentence; longer values end with "…".
const SHOWN_CHARS: usize = 40;

/// A duration a server sent, within `0..=max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clamped {
    /// What is used.
    pub duration: Duration,
    /// The server's value when it lay outside `0..=max` and the nearest bound is used instead.
    pub out_of_range: Option<String>,
}

impl Clamped {
    fn exact(duration: Duration) -> Self {
        Self { duration, out_of_range: None }
    }
}

/// A server's value that is not a number of seconds (nor, for `Retry-After`, an HTTP date).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{shown} is not a number of seconds")]
pub struct NotSeconds {
    /// The value, shortened and without control characters.
    pub shown: String,
}

/// What a reading comes to in an [`Outcome`](super::Outcome): the duration used (none when the
/// value was unreadable) and the server's value when it was not used as sent.
pub fn outcome_parts(reading: Option<Result<Clamped, NotSeconds>>) -> (Option<Duration>, Option<String>) {
    match reading {
        None => (None, None),
        Some(Ok(clamped)) => (Some(clamped.duration), clamped.out_of_range),
        Some(Err(not)) => (None, Some(not.shown)),
    }
}

/// `text` cut to [`SHOWN_CHARS`] characters with "…", control characters (terminal escapes,
/// newlines) left out: server text fit for a one-line sentence.
pub fn shown_value(text: &str) -> String {
    let mut clean = text.trim().chars().filter(|c| !c.is_control());
    let mut shown: String = clean.by_ref().take(SHOWN_CHARS).collect();
    if clean.next().is_some() {
        shown.push('…');
    }
    shown
}

/// Whole seconds, clamped to `max`.
pub fn seconds_from_u64(secs: u64, max: Duration) -> Clamped {
    if secs > max.as_secs() {
        Clamped { duration: max, out_of_range: Some(secs.to_string()) }
    } else {
        Clamped::exact(Duration::from_secs(secs).min(max))
    }
}

/// Whole seconds that may be negative: below zero is zero ("now"), above `max` is `max`.
pub fn seconds_from_i64(secs: i64, max: Duration) -> Clamped {
    match u64::try_from(secs) {
        Ok(secs) => seconds_from_u64(secs, max),
        Err(_negative) => Clamped { duration: Duration::ZERO, out_of_range: Some(secs.to_string()) },
    }
}

/// Seconds with a fraction; `shown` is the server's spelling, used when the value is out of
/// range or not a number (NaN). Infinities clamp like any other out-of-range value.
pub fn seconds_from_f64(secs: f64, max: Duration, shown: impl FnOnce() -> String) -> Result<Clamped, NotSeconds> {
    if secs.is_nan() {
        return Err(NotSeconds { shown: shown_value(&shown()) });
    }
    if secs < 0.0 {
        return Ok(Clamped { duration: Duration::ZERO, out_of_range: Some(shown_value(&shown())) });
    }
    if secs > max.as_secs_f64() {
        return Ok(Clamped { duration: max, out_of_range: Some(shown_value(&shown())) });
    }
    // In range, so the conversion cannot fail; `max` is the safe answer if it ever did.
    Ok(Clamped::exact(Duration::try_from_secs_f64(secs).unwrap_or(max).min(max)))
}

/// Seconds written as text (`"30"`, `"1.5"`, `"1e20"`, `"-1"`, `"inf"`), clamped to `max`.
pub fn seconds_from_text(text: &str, max: Duration) -> Result<Clamped, NotSeconds> {
    let trimmed = text.trim();
    if let Ok(secs) = trimmed.parse::<u64>() {
        return Ok(seconds_from_u64(secs, max));
    }
    match trimmed.parse::<f64>() {
        Ok(secs) => seconds_from_f64(secs, max, || trimmed.to_owned()),
        Err(_not_a_number) => Err(NotSeconds { shown: shown_value(trimmed) }),
    }
}

/// A `Retry-After` value: seconds, or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`) read as
/// the time from `now` until then; both clamped to [`MAX_WAIT`].
pub fn wait_from_header(text: &str, now: SystemTime) -> Result<Clamped, NotSeconds> {
    let seconds = seconds_from_text(text, MAX_WAIT);
    if seconds.is_ok() {
        return seconds;
    }
    let Ok(date) = chrono::DateTime::parse_from_rfc2822(text.trim()) else { return seconds };
    let Some(now) = utc_of(now) else { return seconds };
    let until = date.signed_duration_since(now);
    // A date already past means "now"; one too far is reported in seconds, like a number.
    let wait = Duration::from_millis(u64::try_from(until.num_milliseconds()).unwrap_or(0));
    if wait > MAX_WAIT {
        return Ok(Clamped { duration: MAX_WAIT, out_of_range: Some(until.num_seconds().to_string()) });
    }
    Ok(Clamped::exact(wait))
}

/// A token answer's `expires_in`: a number (whole, negative or with a fraction) or a number
/// written as a string, clamped to [`MAX_TOKEN_LIFETIME`]; `null` is no stated lifetime.
pub fn lifetime_from_json(value: &Value) -> Option<Result<Clamped, NotSeconds>> {
    let max = MAX_TOKEN_LIFETIME;
    Some(match value {
        Value::Null => return None,
        Value::Number(number) => {
            if let Some(secs) = number.as_u64() {
                Ok(seconds_from_u64(secs, max))
            } else if let Some(secs) = number.as_i64() {
                Ok(seconds_from_i64(secs, max))
            } else {
                // Neither integer form: a float, which serde_json never makes NaN.
                let secs = number.as_f64().unwrap_or(f64::NAN);
                seconds_from_f64(secs, max, || number.to_string())
            }
        }
        Value::String(text) => {
            seconds_from_text(text, max).map_err(|not| NotSeconds { shown: format!("\"{}\"", not.shown) })
        }
        other => Err(NotSeconds { shown: shown_value(&other.to_string()) }),
    })
}

/// `time` as a chrono UTC time, or `None` outside chrono's range (converting with `From` panics
/// there).
pub fn utc_of(time: SystemTime) -> Option<chrono::DateTime<chrono::Utc>> {
    let since = time.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    chrono::DateTime::from_timestamp(i64::try_from(since.as_secs()).ok()?, since.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn within(clamped: &Clamped, max: Duration) -> bool {
        clamped.duration <= max
    }

    #[test]
    fn waits_in_range_are_kept_as_sent() {
        let exact = |secs| Ok(Clamped::exact(Duration::from_secs(secs)));
        assert_eq!(seconds_from_text("30", MAX_WAIT), exact(30));
        assert_eq!(seconds_from_text(" 0 ", MAX_WAIT), exact(0));
        assert_eq!(seconds_from_text("3600", MAX_WAIT), exact(3600));
        assert_eq!(seconds_from_text("1.5", MAX_WAIT), Ok(Clamped::exact(Duration::from_millis(1500))));
    }

    #[test]
    fn absurd_waits_are_clamped_and_keep_the_servers_text() {
        let clamped = |duration, text: &str| Ok(Clamped { duration, out_of_range: Some(text.to_owned()) });
        assert_eq!(seconds_from_text("1e20", MAX_WAIT), clamped(MAX_WAIT, "1e20"));
        assert_eq!(seconds_from_text("99999999999999999999", MAX_WAIT), clamped(MAX_WAIT, "99999999999999999999"));
        assert_eq!(seconds_from_text("18446744073709551615", MAX_WAIT), clamped(MAX_WAIT, "18446744073709551615"));
        assert_eq!(seconds_from_text("3601", MAX_WAIT), clamped(MAX_WAIT, "3601"));
        assert_eq!(seconds_from_text("inf", MAX_WAIT), clamped(MAX_WAIT, "inf"));
        assert_eq!(seconds_from_text("-1", MAX_WAIT), clamped(Duration::ZERO, "-1"));
        assert_eq!(seconds_from_text("-inf", MAX_WAIT), clamped(Duration::ZERO, "-inf"));
        assert_eq!(seconds_from_text("1e400", MAX_WAIT), clamped(MAX_WAIT, "1e400"));
    }

    #[test]
    fn waits_that_are_no_number_are_refused_with_their_text() {
        assert_eq!(seconds_from_text("NaN", MAX_WAIT), Err(NotSeconds { shown: "NaN".to_owned() }));
        assert_eq!(seconds_from_text("soon", MAX_WAIT), Err(NotSeconds { shown: "soon".to_owned() }));
        let long = format!("\u{1b}[31m{}", "9".repeat(100));
        let Err(not) = seconds_from_text(&long, MAX_WAIT) else { panic!("escape codes are no number") };
        assert!(!not.shown.contains('\u{1b}') && not.shown.ends_with('…'), "{}", not.shown);
        assert_eq!(not.shown.chars().count(), SHOWN_CHARS + 1);
    }

    #[test]
    fn retry_after_reads_http_dates_relative_to_now() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_mins(24_090_208); // 2015-10-21 07:28:00 UTC
        let wait = wait_from_header("Wed, 21 Oct 2015 07:28:30 GMT", now);
        assert_eq!(wait, Ok(Clamped::exact(Duration::from_secs(30))));
        let past = wait_from_header("Wed, 21 Oct 2015 07:27:00 GMT", now).expect("a date");
        assert_eq!(past.duration, Duration::ZERO);
        let far = wait_from_header("Wed, 21 Oct 2015 09:28:00 GMT", now).expect("a date");
        assert_eq!((far.duration, far.out_of_range.as_deref()), (MAX_WAIT, Some("7200")));
        let farthest = wait_from_header("Fri, 31 Dec 9999 23:59:59 GMT", now).expect("a date");
        assert_eq!(farthest.duration, MAX_WAIT);
    }

    #[test]
    fn token_lifetimes_are_clamped_to_a_year() {
        let life = |value: Value| lifetime_from_json(&value);
        let exact = |secs| Some(Ok(Clamped::exact(Duration::from_secs(secs))));
        let clamped = |duration, text: &str| Some(Ok(Clamped { duration, out_of_range: Some(text.to_owned()) }));
        assert_eq!(life(json!(7200)), exact(7200));
        assert_eq!(life(json!(0)), exact(0));
        assert_eq!(life(json!("3600")), exact(3600));
        assert_eq!(life(json!(-1)), clamped(Duration::ZERO, "-1"));
        assert_eq!(life(json!(u64::MAX)), clamped(MAX_TOKEN_LIFETIME, "18446744073709551615"));
        assert_eq!(life(json!(10_000_000_000_000_u64)), clamped(MAX_TOKEN_LIFETIME, "10000000000000"));
        let float: Value = serde_json::from_str("1e13").expect("json");
        assert_eq!(lifetime_from_json(&float), clamped(MAX_TOKEN_LIFETIME, "10000000000000.0"));
        assert_eq!(life(json!(1.5)), Some(Ok(Clamped::exact(Duration::from_millis(1500)))));
        assert_eq!(life(Value::Null), None);
        assert_eq!(life(json!("abc")), Some(Err(NotSeconds { shown: "\"abc\"".to_owned() })));
        assert_eq!(life(json!([1])), Some(Err(NotSeconds { shown: "[1]".to_owned() })));
    }

    #[test]
    fn times_past_chronos_range_have_no_utc_form() {
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(10_000_000_000_000);
        assert_eq!(utc_of(far), None);
        assert!(utc_of(SystemTime::now()).is_some());
    }

    proptest! {
        #[test]
        fn any_retry_after_text_reads_without_panic_within_an_hour(text in any::<String>()) {
            if let Ok(wait) = wait_from_header(&text, SystemTime::now()) {
                prop_assert!(within(&wait, MAX_WAIT));
            }
        }

        #[test]
        fn numeric_retry_after_text_is_always_a_wait_within_an_hour(
            text in prop_oneof![
                any::<f64>().prop_map(|f| f.to_string()),
                any::<i64>().prop_map(|i| i.to_string()),
                any::<u64>().prop_map(|u| u.to_string()),
                any::<u128>().prop_map(|u| u.to_string()),
                "[-+]?[0-9]{0,30}(\\.[0-9]{0,30})?([eE][-+]?[0-9]{1,5})?",
            ]
        ) {
            match wait_from_header(&text, SystemTime::now()) {
                Ok(wait) => prop_assert!(within(&wait, MAX_WAIT)),
                Err(not) => prop_assert!(text.parse::<f64>().map_or(true, f64::is_nan), "{text:?}: {not}"),
            }
        }

        #[test]
        fn any_float_is_clamped(secs in any::<f64>()) {
            match seconds_from_f64(secs, MAX_WAIT, || secs.to_string()) {
                Ok(wait) => {
                    prop_assert!(within(&wait, MAX_WAIT));
                    prop_assert_eq!(wait.out_of_range.is_some(), !(0.0..=3600.0).contains(&secs));
                }
                Err(_) => prop_assert!(secs.is_nan()),
            }
        }

        #[test]
        fn any_expires_in_is_a_lifetime_within_a_year(
            value in prop_oneof![
                any::<u64>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(Value::from),
                any::<String>().prop_map(Value::from),
                any::<bool>().prop_map(Value::from),
            ]
        ) {
            if let Some(Ok(life)) = lifetime_from_json(&value) {
                prop_assert!(within(&life, MAX_TOKEN_LIFETIME));
                // Whatever the lifetime, the expiry is a time chrono can hold.
                let at = SystemTime::now().checked_add(life.duration);
                prop_assert!(at.and_then(utc_of).is_some());
            }
        }
    }
}
