//! One check per [`Kind`] of text value, each returning a plain-words message on failure.
//!
//! Messages start after the field's label ("is not a valid email address…"), so the caller can
//! prefix whichever label fits: "Email", "Email 2 address".

use chrono::{Datelike as _, NaiveDate};

use super::phone_metadata::{self, PhoneReading, read_phone};
use super::rules::Kind;
pub use crate::reference::zip_codes::is_zip;
use crate::reference::{countries, timezones, us_states};

/// What a failed check reports: how bad, and the message after the label.
pub(crate) type CheckFailure = (super::Severity, String);

#[expect(clippy::unnecessary_wraps, reason = "each check returns its failure as `Option`; this builds one")]
fn error(message: String) -> Option<CheckFailure> {
    Some((super::Severity::Error, message))
}

/// Checks trimmed, non-empty text against a text-like kind. Structural kinds pass here; the
/// walker handles them.
pub fn check_text(kind: &Kind, text: &str, today: NaiveDate) -> Option<CheckFailure> {
    match kind {
        Kind::Text { max_chars } => check_length(text, *max_chars),
        Kind::Email => check_email(text),
        Kind::Phone => check_phone(text),
        Kind::Timezone => check_timezone(text),
        Kind::Birthday => check_birthday(text, today),
        Kind::UsState => check_us_state(text),
        Kind::ZipCode => check_zip(text),
        Kind::SsnLastFour => check_ssn_last_four(text),
        Kind::Url { max_chars } => check_url(text).or_else(|| check_length(text, *max_chars)),
        Kind::OneOf(options) => check_one_of(text, options),
        Kind::CountryCode => check_country(text),
        Kind::Bool | Kind::JsonObject | Kind::Object(_) | Kind::List { .. } | Kind::Properties => None,
    }
}

pub fn check_length(text: &str, max_chars: Option<usize>) -> Option<CheckFailure> {
    let max = max_chars?;
    let len = text.chars().count();
    (len > max).then(|| {
        (super::Severity::Error, format!("is {len} characters long; the limit is {max}. Shorten it by {}.", len - max))
    })
}

fn check_email(text: &str) -> Option<CheckFailure> {
    use email_address::{EmailAddress, Error, Options};
    let options = Options::default().with_required_tld().without_domain_literal().without_display_text();
    let reason = match EmailAddress::parse_with_options(text, options) {
        Ok(_) => return None,
        Err(Error::MissingSeparator) => "it has no @".to_owned(),
        Err(Error::LocalPartEmpty) => "nothing comes before the @".to_owned(),
        Err(Error::DomainEmpty) => "nothing comes after the @".to_owned(),
        Err(Error::DomainTooFew) => "the part after the @ needs a dot, as in example.com".to_owned(),
        Err(Error::InvalidCharacter) => "it contains a character addresses cannot have (a space?)".to_owned(),
        Err(Error::UnsupportedDisplayName | Error::MissingDisplayName | Error::MissingEndBracket) => {
            "type only the address, without a name or < >".to_owned()
        }
        Err(Error::LocalPartTooLong | Error::DomainTooLong | Error::SubDomainTooLong) => "it is too long".to_owned(),
        Err(other) => other.to_string().trim_end_matches('.').to_lowercase(),
    };
    error(format!("is not a valid email address: {reason}. Use the form name@example.com."))
}

/// How many recent phone readings are remembered per thread.
const PHONE_MEMORY: usize = 32;

thread_local! {
    /// Recent readings. Checking whether a number exists costs a few microseconds of regex
    /// matching, and the form revalidates the whole draft on every keystroke while the phone
    /// numbers in it rarely change; the reading is a pure function of the text, so it is reused.
    static PHONE_READINGS: std::cell::RefCell<std::collections::VecDeque<(String, PhoneReading)>> =
        std::cell::RefCell::new(std::collections::VecDeque::with_capacity(PHONE_MEMORY));
}

/// Reads `text` as a phone number (or recalls the reading) and looks at it with `look`.
fn with_phone_reading<R>(text: &str, look: impl FnOnce(&PhoneReading) -> R) -> R {
    PHONE_READINGS.with_borrow_mut(|readings| {
        if let Some((_, reading)) = readings.iter().find(|(t, _)| t == text) {
            return look(reading);
        }
        let reading = read_phone(text);
        let result = look(&reading);
        if readings.len() == PHONE_MEMORY {
            readings.pop_front();
        }
        readings.push_back((text.to_owned(), reading));
        result
    })
}

/// Set once the warm-up has loaded libphonenumber's metadata.
static PHONE_METADATA_WARM: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Loads the phone metadata a US number needs (a few milliseconds, once per process) on a
/// background thread, then calls `on_ready`.
///
/// The window calls it at start, so that the first keystroke in a phone field — or the first
/// check of a restored draft that holds a phone — finds the metadata loaded instead of loading
/// it on the UI thread.
pub fn warm_up_phone_metadata(on_ready: impl FnOnce() + Send + 'static) {
    let spawned = std::thread::Builder::new().name("intake-phone-metadata".to_owned()).spawn(|| {
        phone_metadata::load_default_region();
        PHONE_METADATA_WARM.store(true, std::sync::atomic::Ordering::SeqCst);
        on_ready();
    });
    if let Err(error) = spawned {
        tracing::debug!("phone metadata will load on first use: {error}");
        PHONE_METADATA_WARM.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Whether [`warm_up_phone_metadata`] has finished: checking a phone now costs microseconds.
pub fn is_phone_metadata_warm() -> bool {
    PHONE_METADATA_WARM.load(std::sync::atomic::Ordering::SeqCst)
}

/// The E.164 form of a valid phone number without an extension (`+14155550123`); `None` for
/// anything else (E.164 has no room for an extension), which is then sent as typed.
pub fn phone_e164(text: &str) -> Option<String> {
    with_phone_reading(text, |reading| match reading {
        PhoneReading::Valid(number) if number.extension().is_none() => Some(phone_metadata::e164(number)),
        PhoneReading::Valid(_) | PhoneReading::Unreadable | PhoneReading::Invalid => None,
    })
}

fn check_phone(text: &str) -> Option<CheckFailure> {
    if text.chars().filter(char::is_ascii_digit).count() < 7 {
        return error(
            "has too few digits. Type the area code and number, e.g. (415) 555-0123, \
             or + and the country code."
                .to_owned(),
        );
    }
    let problem = with_phone_reading(text, |reading| match reading {
        PhoneReading::Unreadable => {
            Some("is not a phone number Intake can read. Type digits, e.g. (415) 555-0123, or + and the country code.")
        }
        PhoneReading::Invalid => Some(
            "does not exist as a phone number (check the digits and the area code). For a number outside the US, \
             start with + and the country code.",
        ),
        PhoneReading::Valid(_) => None,
    });
    problem.and_then(|message| error(message.to_owned()))
}

fn check_timezone(text: &str) -> Option<CheckFailure> {
    if timezones::canonical_timezone(text).is_some() {
        return None;
    }
    error("is not an IANA time-zone name. Pick one from the list, e.g. America/New_York.".to_owned())
}

/// Reads strict `YYYY-MM-DD` (four-digit year, two-digit month and day).
pub fn parse_iso_date(text: &str) -> Result<NaiveDate, String> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    if !shape_ok {
        return Err("must be written YYYY-MM-DD, e.g. 1985-06-15.".to_owned());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_out_of_range| format!("is not a real date: {text} does not exist on the calendar."))
}

fn check_birthday(text: &str, today: NaiveDate) -> Option<CheckFailure> {
    match parse_iso_date(text) {
        Err(message) => error(message),
        Ok(date) if date > today => error(format!("is in the future ({text}). Check the year.")),
        Ok(date) if date.year() < 1900 => error(format!("is before 1900 ({text}). Check the year.")),
        Ok(_) => None,
    }
}

fn check_us_state(text: &str) -> Option<CheckFailure> {
    if us_states::find_state(text).is_some() {
        return None;
    }
    if let Some(state) = us_states::US_STATES.iter().find(|s| s.name.eq_ignore_ascii_case(text)) {
        return error(format!("must be the two-letter code: use {} for {}.", state.code, state.name));
    }
    error("is not a US state or territory code. Use the two-letter code, e.g. CA or NY.".to_owned())
}

fn check_zip(text: &str) -> Option<CheckFailure> {
    (!is_zip(text)).then(|| (super::Severity::Error, "must be 5 digits (12345) or ZIP+4 (12345-6789).".to_owned()))
}

fn check_ssn_last_four(text: &str) -> Option<CheckFailure> {
    let ok = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
    (!ok).then(|| (super::Severity::Error, "must be exactly 4 digits.".to_owned()))
}

/// Whether text is an absolute http(s) URL with a host.
pub fn check_url(text: &str) -> Option<CheckFailure> {
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => None,
        Ok(url) => error(format!("must be a web address starting with https://, not {}:.", url.scheme())),
        Err(_) => error("is not a valid web address. Write it in full, e.g. https://example.com/page.".to_owned()),
    }
}

fn check_one_of(text: &str, options: &[&str]) -> Option<CheckFailure> {
    if options.iter().any(|o| o.eq_ignore_ascii_case(text)) {
        return None;
    }
    error(format!("must be one of: {}.", options.join(", ")))
}

fn check_country(text: &str) -> Option<CheckFailure> {
    if countries::is_country_code(text) {
        return None;
    }
    error("must be a two-letter ISO country code, e.g. US, GB or DE.".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_phone_readings_match_fresh_ones() {
        let texts: Vec<String> = (0..PHONE_MEMORY * 2).map(|i| format!("(415) 555-{:04}", 100 + i)).collect();
        let read = |t: &String| with_phone_reading(t, Clone::clone);
        let fresh: Vec<PhoneReading> = texts.iter().map(read).collect();
        // Second pass: the newest half is remembered, the oldest half was pushed out.
        let again: Vec<PhoneReading> = texts.iter().rev().map(read).collect();
        assert_eq!(again.into_iter().rev().collect::<Vec<_>>(), fresh);
        assert_eq!(phone_e164("(415) 555-0123").as_deref(), Some("+14155550123"));
        assert_eq!(phone_e164("415-555-0123 ext. 7"), None);
        assert_eq!(with_phone_reading("hello", Clone::clone), PhoneReading::Unreadable);
        assert!(check_phone("(415) 555-0123").is_none());
        assert!(check_phone("(415) 555-0123").is_none(), "remembered, same verdict");
        assert!(check_phone("(099) 555-0123").is_some_and(|(_, m)| m.contains("does not exist")));
    }
}
