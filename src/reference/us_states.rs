//! USPS state and territory codes, with the ZIP prefixes and the usual time zone of each.
//!
//! The ZIP prefixes are the first three digits the USPS assigns to each state; they drive the
//! "ZIP does not fit the state" warning, which is a hint and never blocks sending.

/// One USPS state, district, territory or military "state" code.
#[derive(Debug, Clone, Copy)]
pub struct UsState {
    /// Two-letter USPS code, upper case.
    pub code: &'static str,
    /// Full name, for messages and pickers.
    pub name: &'static str,
    /// Inclusive ranges of 3-digit ZIP prefixes.
    pub zip_prefixes: &'static [(u16, u16)],
    /// The IANA zone most of its population lives in; `None` for military codes.
    pub timezone: Option<&'static str>,
}

const fn st(
    code: &'static str,
    name: &'static str,
    zip_prefixes: &'static [(u16, u16)],
    timezone: Option<&'static str>,
) -> UsState {
    UsState { code, name, zip_prefixes, timezone }
}

const NY: Option<&str> = Some("America/New_York");
const CHI: Option<&str> = Some("America/Chicago");
const DEN: Option<&str> = Some("America/Denver");
const LA: Option<&str> = Some("America/Los_Angeles");

/// Every code accepted in a `state` field, sorted by code.
pub const US_STATES: &[UsState] = &[
    st("AA", "Armed Forces Americas", &[(340, 340)], None),
    st("AE", "Armed Forces Europe", &[(90, 98)], None),
    st("AK", "Alaska", &[(995, 999)], Some("America/Anchorage")),
    st("AL", "Alabama", &[(350, 369)], CHI),
    st("AP", "Armed Forces Pacific", &[(962, 966)], None),
    st("AR", "Arkansas", &[(716, 729), (755, 755)], CHI),
    st("AS", "American Samoa", &[(967, 967)], Some("Pacific/Pago_Pago")),
    st("AZ", "Arizona", &[(850, 865)], Some("America/Phoenix")),
    st("CA", "California", &[(900, 961)], LA),
    st("CO", "Colorado", &[(800, 816)], DEN),
    st("CT", "Connecticut", &[(60, 69)], NY),
    st("DC", "District of Columbia", &[(200, 205), (569, 569)], NY),
    st("DE", "Delaware", &[(197, 199)], NY),
    st("FL", "Florida", &[(320, 349)], NY),
    st("FM", "Micronesia", &[(969, 969)], Some("Pacific/Chuuk")),
    st("GA", "Georgia", &[(300, 319), (398, 399)], NY),
    st("GU", "Guam", &[(969, 969)], Some("Pacific/Guam")),
    st("HI", "Hawaii", &[(967, 968)], Some("Pacific/Honolulu")),
    st("IA", "Iowa", &[(500, 528)], CHI),
    st("ID", "Idaho", &[(832, 838)], Some("America/Boise")),
    st("IL", "Illinois", &[(600, 629)], CHI),
    st("IN", "Indiana", &[(460, 479)], Some("America/Indiana/Indianapolis")),
    st("KS", "Kansas", &[(660, 679)], CHI),
    st("KY", "Kentucky", &[(400, 427)], NY),
    st("LA", "Louisiana", &[(700, 714)], CHI),
    st("MA", "Massachusetts", &[(10, 27), (55, 55)], NY),
    st("MD", "Maryland", &[(206, 219)], NY),
    st("ME", "Maine", &[(39, 49)], NY),
    st("MH", "Marshall Islands", &[(969, 969)], Some("Pacific/Majuro")),
    st("MI", "Michigan", &[(480, 499)], Some("America/Detroit")),
    st("MN", "Minnesota", &[(550, 567)], CHI),
    st("MO", "Missouri", &[(630, 658)], CHI),
    st("MP", "Northern Mariana Islands", &[(969, 969)], Some("Pacific/Saipan")),
    st("MS", "Mississippi", &[(386, 397)], CHI),
    st("MT", "Montana", &[(590, 599)], DEN),
    st("NC", "North Carolina", &[(270, 289)], NY),
    st("ND", "North Dakota", &[(580, 588)], CHI),
    st("NE", "Nebraska", &[(680, 693)], CHI),
    st("NH", "New Hampshire", &[(30, 38)], NY),
    st("NJ", "New Jersey", &[(70, 89)], NY),
    st("NM", "New Mexico", &[(870, 884)], DEN),
    st("NV", "Nevada", &[(889, 898)], LA),
    st("NY", "New York", &[(5, 5), (63, 63), (100, 149)], NY),
    st("OH", "Ohio", &[(430, 459)], NY),
    st("OK", "Oklahoma", &[(730, 749)], CHI),
    st("OR", "Oregon", &[(970, 979)], LA),
    st("PA", "Pennsylvania", &[(150, 196)], NY),
    st("PR", "Puerto Rico", &[(6, 7), (9, 9)], Some("America/Puerto_Rico")),
    st("PW", "Palau", &[(969, 969)], Some("Pacific/Palau")),
    st("RI", "Rhode Island", &[(28, 29)], NY),
    st("SC", "South Carolina", &[(290, 299)], NY),
    st("SD", "South Dakota", &[(570, 577)], CHI),
    st("TN", "Tennessee", &[(370, 385)], CHI),
    st("TX", "Texas", &[(750, 799), (885, 885)], CHI),
    st("UT", "Utah", &[(840, 847)], DEN),
    st("VA", "Virginia", &[(201, 201), (220, 246)], NY),
    st("VI", "U.S. Virgin Islands", &[(8, 8)], Some("America/St_Thomas")),
    st("VT", "Vermont", &[(50, 54), (56, 59)], NY),
    st("WA", "Washington", &[(980, 994)], LA),
    st("WI", "Wisconsin", &[(530, 549)], CHI),
    st("WV", "West Virginia", &[(247, 268)], NY),
    st("WY", "Wyoming", &[(820, 831)], DEN),
];

/// Looks a code up case-insensitively, ignoring surrounding whitespace.
pub fn find_state(code: &str) -> Option<&'static UsState> {
    let code = code.trim();
    if code.len() != 2 {
        return None;
    }
    US_STATES.iter().find(|s| s.code.eq_ignore_ascii_case(code))
}

/// The usual IANA time zone for a state code, used to pre-suggest the timezone field.
pub fn suggest_timezone(state_code: &str) -> Option<&'static str> {
    find_state(state_code).and_then(|s| s.timezone)
}

/// Whether a 5-digit ZIP (or ZIP+4) starts with a prefix the USPS gives to this state.
///
/// Returns `None` when the ZIP or the state cannot be read, so callers only warn on a real mismatch.
pub fn zip_fits_state(zip: &str, state_code: &str) -> Option<bool> {
    let state = find_state(state_code)?;
    let prefix: u16 = zip.trim().get(..3)?.parse().ok()?;
    Some(state.zip_prefixes.iter().any(|&(lo, hi)| (lo..=hi).contains(&prefix)))
}

/// The states whose ZIP prefixes include this ZIP's, for a helpful warning.
pub fn states_for_zip(zip: &str) -> Vec<&'static str> {
    let Some(prefix) = zip.trim().get(..3).and_then(|p| p.parse::<u16>().ok()) else {
        return Vec::new();
    };
    US_STATES
        .iter()
        .filter(|s| s.zip_prefixes.iter().any(|&(lo, hi)| (lo..=hi).contains(&prefix)))
        .map(|s| s.code)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_upper_case() {
        for pair in US_STATES.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} before {}", pair[0].code, pair[1].code);
        }
        assert!(US_STATES.iter().all(|s| s.code.chars().all(|c| c.is_ascii_uppercase())));
    }

    #[test]
    fn every_state_time_zone_is_a_real_iana_name() {
        for state in US_STATES {
            if let Some(tz) = state.timezone {
                assert!(tz.parse::<chrono_tz::Tz>().is_ok(), "{} has bad zone {tz}", state.code);
            }
        }
    }

    #[test]
    fn zip_prefixes_match_known_addresses() {
        assert_eq!(zip_fits_state("94102", "ca"), Some(true));
        assert_eq!(zip_fits_state("10001", "NY"), Some(true));
        assert_eq!(zip_fits_state("10001", "CA"), Some(false));
        assert_eq!(zip_fits_state("02139", "MA"), Some(true));
        assert_eq!(zip_fits_state("00901", "PR"), Some(true));
        assert_eq!(zip_fits_state("abc", "CA"), None);
        assert_eq!(zip_fits_state("94102", "XX"), None);
        assert_eq!(states_for_zip("10001"), vec!["NY"]);
    }

    #[test]
    fn suggests_zone_from_state() {
        assert_eq!(suggest_timezone(" ca "), Some("America/Los_Angeles"));
        assert_eq!(suggest_timezone("AZ"), Some("America/Phoenix"));
        assert_eq!(suggest_timezone("AE"), None);
        assert_eq!(suggest_timezone("California"), None);
    }
}
