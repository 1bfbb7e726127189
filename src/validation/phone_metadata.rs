//! Phone numbers read by libphonenumber (the `phonenumber` crate) with only the metadata they
//! need.
//!
//! The crate's own database holds every territory and checks the syntax of all their patterns
//! when it loads: ~130 ms, paid by every process on its first phone check (a script calling
//! `intake validate` per file, the window at start-up). `build.rs` cuts the same metadata file
//! into one element per territory; here the crate gets small databases built from them on first
//! use and kept for the process:
//!
//! - **US**: the default region, enough to parse any number (the parser only consults the
//!   default region and which calling codes exist) and to validate US numbers;
//! - **per calling code**: the US and every territory of one code, in the metadata's order, to
//!   parse a number written with that code (`+44…`) and validate numbers of that code (code 1's
//!   holds Canada and the Caribbean too);
//! - **calling codes**: the US plus an empty stand-in for every other calling code, to parse
//!   what neither of those could place (`011 44…`), so the parser finds the same code as with
//!   every territory.
//!
//! The verdicts, the E.164 form and the region are the crate's, exactly as with its full
//! database: a property test compares them for random numbers of every calling code.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use phonenumber::metadata::{Database, loader};
use phonenumber::{ParseError, PhoneNumber, country};

include!(concat!(env!("OUT_DIR"), "/phone_territories.rs"));

/// Every territory's `<territory>` element, cut from the metadata by `build.rs`.
const PHONE_TERRITORIES_XML: &str = include_str!(concat!(env!("OUT_DIR"), "/phone_territories.xml"));

/// What a phone text reads as (default region US).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PhoneReading {
    /// Not a phone number at all.
    Unreadable,
    /// Reads as a number that cannot exist (wrong length, unassigned area code).
    Invalid,
    /// A real number.
    Valid(PhoneNumber),
}

/// Reads `text` as libphonenumber would with its full database and US as the default region.
pub(crate) fn read_phone(text: &str) -> PhoneReading {
    match parse(text) {
        Err(_) => PhoneReading::Unreadable,
        Ok(number) if is_valid(&number) => PhoneReading::Valid(number),
        Ok(_) => PhoneReading::Invalid,
    }
}

/// The E.164 form (`+14155550123`), as the crate's `Mode::E164` writes it: `+`, the calling
/// code and the national number with its leading zeros. (The crate's formatter would load its
/// full database for this.)
pub(crate) fn e164(number: &PhoneNumber) -> String {
    format!("+{}{}", number.code().value(), number.national())
}

/// Loads what a US number needs, so that the first check after this costs microseconds.
pub(crate) fn load_default_region() {
    let _ = read_phone("+1 415 555 0123");
}

fn parse(text: &str) -> Result<PhoneNumber, ParseError> {
    let default_region = Some(country::Id::US);
    // Which database parses only matters for speed. A calling code other than the number's
    // cannot change what the parser finds (no calling code begins another), so a database that
    // holds the US and the number's code finds what the full one finds; one that lacks the code
    // fails with `InvalidCountryCode`, and then every code is asked.
    let first = match written_calling_code(text) {
        Some(code) if code != 1 => Part::CallingCode(code),
        _ => Part::UnitedStates,
    };
    match phonenumber::parse_with(database(first), default_region, text) {
        Err(ParseError::InvalidCountryCode) => {
            phonenumber::parse_with(database(Part::CallingCodes), default_region, text)
        }
        other => other,
    }
}

/// The calling code a text beginning with `+` names, read as a guess: its first digits (past
/// spaces and punctuation) that are a calling code of the metadata.
fn written_calling_code(text: &str) -> Option<u16> {
    let after_plus = text.trim_start().strip_prefix('+')?;
    let digits: String = after_plus
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .take_while(char::is_ascii_digit)
        .take(3)
        .collect();
    (1..=digits.len()).find_map(|len| {
        let code: u16 = digits.get(..len)?.parse().ok()?;
        PHONE_TERRITORY_INDEX.iter().any(|&(_, known, _, _)| known == code).then_some(code)
    })
}

fn is_valid(number: &PhoneNumber) -> bool {
    let code = number.code().value();
    // The US comes first among code 1's territories and has no leading-digits rule, so a number
    // the US accepts is valid whatever the other territories say; anything else asks them all.
    (code == 1 && phonenumber::is_valid_with(database(Part::UnitedStates), number))
        || phonenumber::is_valid_with(database(Part::CallingCode(code)), number)
}

/// The region libphonenumber assigns a number to (`"GB"`, `"001"` for non-geographic codes).
#[cfg(test)]
fn region_of(number: &PhoneNumber) -> Option<String> {
    number.metadata(database(Part::CallingCode(number.code().value()))).map(|metadata| metadata.id().to_owned())
}

/// One of the small databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    UnitedStates,
    CallingCodes,
    CallingCode(u16),
}

/// The databases built so far. Each is built once and kept for the process (at most one per
/// calling code, ~220), so they are leaked to hand out `&'static` references.
fn database(part: Part) -> &'static Database {
    static BUILT: OnceLock<Mutex<HashMap<Part, &'static Database>>> = OnceLock::new();
    let built = BUILT.get_or_init(Mutex::default);
    let mut built = built.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(database) = built.get(&part) {
        return database;
    }
    let database = match build(part) {
        Ok(database) => &*Box::leak(Box::new(database)),
        Err(error) => {
            // Only a broken build could get here (the tests load every territory); the crate's
            // full database still gives the right verdicts, slowly.
            tracing::warn!("phone metadata for {part:?} could not be loaded ({error}); using the full database");
            &*phonenumber::metadata::DATABASE
        }
    };
    built.insert(part, database);
    database
}

fn build(part: Part) -> Result<Database, String> {
    let territories = match part {
        Part::UnitedStates => load(|id, _| id == "US")?,
        Part::CallingCode(code) => load(|id, territory_code| territory_code == code || id == "US")?,
        Part::CallingCodes => {
            let mut territories = load(|id, _| id == "US")?;
            let mut seen = vec![1];
            for &(id, code, _, _) in PHONE_TERRITORY_INDEX {
                if !seen.contains(&code) {
                    seen.push(code);
                    territories.push(stand_in(id, code));
                }
            }
            territories
        }
    };
    Database::from(territories).map_err(|error| error.to_string())
}

/// The territories `wanted` picks, read from their elements, in the metadata's order.
fn load(wanted: impl Fn(&str, u16) -> bool) -> Result<Vec<loader::Metadata>, String> {
    let mut xml = String::from("<phoneNumberMetadata><territories>");
    for &(id, code, start, end) in PHONE_TERRITORY_INDEX {
        if wanted(id, code) {
            xml.push_str(PHONE_TERRITORIES_XML.get(start..end).unwrap_or_default());
        }
    }
    xml.push_str("</territories></phoneNumberMetadata>");
    loader::load(std::io::Cursor::new(xml)).map_err(|error| error.to_string())
}

/// A territory that only says its calling code exists.
fn stand_in(id: &str, code: u16) -> loader::Metadata {
    loader::Metadata {
        id: Some(id.to_owned()),
        country_code: Some(code),
        general: Some(loader::Descriptor { national_number: Some(String::new()), ..Default::default() }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use phonenumber::metadata::DATABASE;
    use proptest::prelude::*;

    use super::*;

    /// What the crate says of a text: the error, or validity, E.164, region and extension.
    #[derive(Debug, PartialEq, Eq)]
    enum Verdict {
        Unreadable(String),
        Read { valid: bool, e164: String, region: Option<String>, extension: Option<String> },
    }

    /// The crate's verdict with its full database (what Intake used before).
    fn full_verdict(text: &str) -> Verdict {
        let full = &*DATABASE;
        match phonenumber::parse_with(full, Some(country::Id::US), text) {
            Err(error) => Verdict::Unreadable(error.to_string()),
            Ok(number) => Verdict::Read {
                valid: phonenumber::is_valid_with(full, &number),
                e164: phonenumber::format_with(full, &number).mode(phonenumber::Mode::E164).to_string(),
                region: number.metadata(full).map(|metadata| metadata.id().to_owned()),
                extension: number.extension().map(|extension| format!("{extension:?}")),
            },
        }
    }

    fn our_verdict(text: &str) -> Verdict {
        match parse(text) {
            Err(error) => Verdict::Unreadable(error.to_string()),
            Ok(number) => Verdict::Read {
                valid: is_valid(&number),
                e164: e164(&number),
                region: region_of(&number),
                extension: number.extension().map(|extension| format!("{extension:?}")),
            },
        }
    }

    /// Every example number of the full database: (calling code, national number), sorted.
    fn examples() -> Vec<(u16, String)> {
        let mut examples: Vec<(u16, String)> = DATABASE
            .iter()
            .flat_map(|metadata| {
                let d = metadata.descriptors();
                let kinds = [d.fixed_line(), d.mobile(), d.toll_free(), d.premium_rate(), d.shared_cost()];
                let more = [d.personal_number(), d.voip(), d.pager(), d.uan(), d.voicemail()];
                kinds
                    .into_iter()
                    .chain(more)
                    .flatten()
                    .filter_map(|descriptor| descriptor.example().map(str::to_owned))
                    .map(|example| (metadata.country_code(), example))
                    .collect::<Vec<_>>()
            })
            .collect();
        examples.sort();
        examples.dedup();
        examples
    }

    /// The ways a person writes a number (national digits `n`, calling code `c`).
    fn written(style: usize, code: u16, national: &str) -> String {
        match style {
            0 => format!("+{code} {national}"),
            1 => format!("+{code}{national}"),
            2 => format!("011 {code} {national}"),
            3 => national.to_owned(),
            4 => format!("+{code} ({}) {}", &national[..national.len().min(3)], &national[national.len().min(3)..]),
            5 => format!("+{code} {national} ext. 42"),
            6 => format!("tel:+{code}-{national}"),
            // Full-width digits, as some keyboards type them.
            _ => format!("+{code} {national}")
                .chars()
                .map(|c| c.to_digit(10).and_then(|d| char::from_u32(0xFF10 + d)).unwrap_or(c))
                .collect(),
        }
    }

    #[test]
    fn the_cut_metadata_has_every_territory_of_the_crates_database() {
        // Non-geographic codes all have the id "001": the full database keeps the last one by
        // id, so they are compared by code.
        let mut ours: Vec<(String, u16)> = PHONE_TERRITORY_INDEX
            .iter()
            .filter(|(id, ..)| *id != "001")
            .map(|&(id, code, _, _)| (id.to_owned(), code))
            .collect();
        let mut full: Vec<(String, u16)> = DATABASE
            .iter()
            .filter(|metadata| metadata.id() != "001")
            .map(|metadata| (metadata.id().to_owned(), metadata.country_code()))
            .collect();
        ours.sort();
        full.sort();
        assert_eq!(ours, full);
        let non_geographic: Vec<u16> =
            PHONE_TERRITORY_INDEX.iter().filter(|(id, ..)| *id == "001").map(|&(_, code, _, _)| code).collect();
        assert!(non_geographic.len() >= 9, "{non_geographic:?}");
        for code in non_geographic {
            assert_eq!(DATABASE.region(&code), Some(vec!["001"]), "+{code}");
        }
        assert!(PHONE_TERRITORY_INDEX.len() > 240, "{}", PHONE_TERRITORY_INDEX.len());
        // The shortcut for code 1 relies on this.
        assert!(database(Part::UnitedStates).by_id("US").is_some_and(|us| us.leading_digits().is_none()));
    }

    #[test]
    fn every_example_number_of_every_territory_reads_as_with_the_full_database() {
        let examples = examples();
        assert!(examples.len() >= 1000, "{}", examples.len());
        for (code, national) in &examples {
            for style in [0, 2, 3, 5] {
                let text = written(style, *code, national);
                assert_eq!(our_verdict(&text), full_verdict(&text), "{text}");
            }
        }
    }

    #[test]
    fn a_first_check_of_a_number_from_elsewhere_is_right() {
        assert_eq!(
            read_phone("+44 20 7946 0958"),
            PhoneReading::Valid(phonenumber::parse(None, "+442079460958").unwrap())
        );
        assert_eq!(e164(&phonenumber::parse(None, "+81 3-1234-5678").unwrap()), "+81312345678");
        assert_eq!(read_phone("+44 20 7946"), PhoneReading::Invalid);
        assert_eq!(read_phone("+999 1234 5678"), PhoneReading::Unreadable);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        /// Random numbers of every calling code: example numbers with digits changed, cut or
        /// lengthened, written in each style, and plain noise.
        #[test]
        fn random_numbers_read_as_with_the_full_database(
            pick in any::<prop::sample::Index>(),
            changes in prop::collection::vec((any::<prop::sample::Index>(), 0u32..10), 0..3),
            cut in 0usize..3,
            extra in "[0-9]{0,2}",
            style in 0usize..8,
            noise in "[+0-9 ()-]{0,18}",
            use_noise in 0u8..8,
        ) {
            static EXAMPLES: std::sync::OnceLock<Vec<(u16, String)>> = std::sync::OnceLock::new();
            let examples = EXAMPLES.get_or_init(examples);
            let text = if use_noise == 0 {
                noise
            } else {
                let (code, example) = &examples[pick.index(examples.len())];
                let mut digits: Vec<char> = example.chars().collect();
                for (at, digit) in &changes {
                    let at = at.index(digits.len());
                    digits[at] = char::from_digit(*digit, 10).unwrap();
                }
                digits.truncate(digits.len().saturating_sub(cut));
                let mut national: String = digits.into_iter().collect();
                national.push_str(&extra);
                written(style, *code, &national)
            };
            prop_assert_eq!(our_verdict(&text), full_verdict(&text), "{}", text);
        }
    }
}
