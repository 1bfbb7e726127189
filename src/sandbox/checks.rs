//! Small format checks both emulated APIs share: emails, URLs, dates, codes, phone numbers.
//!
//! Written for the server side on their own (see the module docs of [`super`]).

use chrono::NaiveDate;
use email_address::{EmailAddress, Options};
use serde_json::Value;

/// USPS codes of the states, DC, the inhabited territories, the freely associated states and the
/// armed forces: every code a US mailing address can carry.
const US_STATE_CODES: [&str; 62] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME",
    "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
    "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI", "FM",
    "MH", "PW", "AA", "AE", "AP",
];

/// ISO 3166-1 alpha-2 codes officially assigned.
const COUNTRY_CODES: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
    "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
    "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
    "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA",
    "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK",
    "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT",
    "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
    "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST",
    "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA",
    "ZM", "ZW",
];

/// An address a mail server would take: no display name, no IP-literal domain, a dotted domain.
pub fn is_email(text: &str) -> bool {
    let options = Options::default().with_required_tld().without_display_text().without_domain_literal();
    EmailAddress::parse_with_options(text, options).is_ok()
}

/// An absolute `http`/`https` URL with a host and no spaces.
pub fn is_web_url(text: &str) -> bool {
    if text.chars().any(char::is_whitespace) {
        return false;
    }
    url::Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty()))
}

/// Why `text` is not a `YYYY-MM-DD` calendar date, or the date.
pub fn iso_date(text: &str) -> Result<NaiveDate, DateProblem> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    if !shaped {
        return Err(DateProblem::Shape);
    }
    let number = |range: std::ops::Range<usize>| text.get(range).and_then(|s| s.parse::<u32>().ok());
    let year = text.get(0..4).and_then(|s| s.parse::<i32>().ok());
    let (Some(year), Some(month), Some(day)) = (year, number(5..7), number(8..10)) else {
        return Err(DateProblem::Shape);
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateProblem::NotADay)
}

/// What is wrong with a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not written `YYYY-MM-DD`.
    Shape,
    /// Written right, but no such day (`2023-02-30`).
    NotADay,
}

/// A USPS state or territory code, any case.
pub fn is_us_state(text: &str) -> bool {
    US_STATE_CODES.iter().any(|code| code.eq_ignore_ascii_case(text))
}

/// An ISO 3166-1 alpha-2 country code, any case.
pub fn is_country_code(text: &str) -> bool {
    COUNTRY_CODES.iter().any(|code| code.eq_ignore_ascii_case(text))
}

/// `12345` or `12345-6789`.
pub fn is_us_zip(text: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('-') {
        Some((five, four)) => digits(five, 5) && digits(four, 4),
        None => digits(text, 5),
    }
}

/// Exactly `count` ASCII digits.
pub fn is_digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

/// A dialable number: an optional leading `+`, then 7–15 digits, which may be grouped with
/// spaces, dashes, dots or parentheses. With `+` (E.164) the country code cannot start with 0.
pub fn is_phone_number(text: &str) -> bool {
    let (international, rest) = match text.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !rest.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')')) {
        return false;
    }
    let digits: Vec<char> = rest.chars().filter(char::is_ascii_digit).collect();
    let starts_with_digit = rest.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '(');
    (7..=15).contains(&digits.len()) && starts_with_digit && !(international && digits.first() == Some(&'0'))
}

/// "a number", "an object"…: the JSON type of `value`, for messages.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Characters (not bytes) in `text`, as length limits count them.
pub fn char_count(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lists_have_no_duplicates() {
        let mut states = US_STATE_CODES.to_vec();
        states.sort_unstable();
        states.dedup();
        assert_eq!(states.len(), US_STATE_CODES.len());
        let mut countries = COUNTRY_CODES.to_vec();
        countries.sort_unstable();
        countries.dedup();
        assert_eq!(countries.len(), COUNTRY_CODES.len());
    }

    #[test]
    fn emails() {
        assert!(is_email("bear@acme.com"));
        assert!(is_email("first.last+tag@sub.example.org"));
        for bad in ["bear", "bear@", "@acme.com", "bear@acme", "Bear <bear@acme.com>", "be ar@acme.com", ""] {
            assert!(!is_email(bad), "{bad:?} passed");
        }
    }

    #[test]
    fn urls() {
        assert!(is_web_url("https://api.helpscout.net/img/some-avatar.jpg"));
        assert!(is_web_url("http://example.com"));
        for bad in ["example.com", "ftp://example.com", "https://", "https://exa mple.com", "mailto:a@b.c"] {
            assert!(!is_web_url(bad), "{bad:?} passed");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(iso_date("1985-06-15"), Ok(NaiveDate::from_ymd_opt(1985, 6, 15).unwrap()));
        assert_eq!(iso_date("2024-02-29").map(|d| d.to_string()), Ok("2024-02-29".to_owned()));
        assert_eq!(iso_date("2023-02-29"), Err(DateProblem::NotADay));
        assert_eq!(iso_date("2023-13-01"), Err(DateProblem::NotADay));
        for bad in ["1985-6-15", "15/06/1985", "1985-06-15T00:00:00Z", "", "198a-06-15"] {
            assert_eq!(iso_date(bad), Err(DateProblem::Shape), "{bad:?}");
        }
    }

    #[test]
    fn codes_and_numbers() {
        assert!(is_us_state("CA") && is_us_state("pr") && is_us_state("DC"));
        assert!(!is_us_state("XX") && !is_us_state("California"));
        assert!(is_country_code("US") && is_country_code("gb") && !is_country_code("UK"));
        assert!(is_us_zip("94102") && is_us_zip("94102-1234"));
        assert!(!is_us_zip("9410") && !is_us_zip("94102-12") && !is_us_zip("94102 1234"));
        assert!(is_digits("1234", 4) && !is_digits("123", 4) && !is_digits("12a4", 4));
    }

    #[test]
    fn phone_numbers() {
        for good in ["+14155550123", "4155550123", "(415) 555-0123", "415.555.0123", "5550123", "+442071838750"] {
            assert!(is_phone_number(good), "{good:?} failed");
        }
        for bad in ["", "+", "555-012", "+1234567890123456", "+04155550123", "415-555-CALL", "call me", "-4155550123"] {
            assert!(!is_phone_number(bad), "{bad:?} passed");
        }
    }
}
