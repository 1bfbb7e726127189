//! US ZIP code → city, state and time zone, offline.
//!
//! The table is `assets/zip_codes.bin` (made by `scripts/make-zip-table.py` from the MIT
//! `zipcodes` crate's data; see `assets/zip_codes.NOTICE`), embedded in the binary. Loading it
//! reads ~41,000 fixed-width records into two sorted arrays once per process; the window does
//! that on a background thread at start ([`warm_up`]), a CLI call on its first lookup. A lookup
//! is then a binary search.

use std::sync::OnceLock;

/// The embedded table; its layout is described in `scripts/make-zip-table.py`.
const TABLE_BYTES: &[u8] = include_bytes!("../../assets/zip_codes.bin");
const MAGIC: &[u8; 4] = b"IZIP";
const VERSION: u8 = 1;
const HEADER_LEN: usize = 20;
const RECORD_LEN: usize = 7;
/// A record's zone index meaning "no time zone known".
const NO_ZONE: u8 = 255;

/// What the table knows about one ZIP code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipPlace {
    /// The five-digit ZIP, as written (`"02139"`).
    pub zip: u32,
    /// The USPS's preferred city name (`"San Francisco"`).
    pub city: &'static str,
    /// The two-letter state or territory code (`"CA"`, `"PR"`).
    pub state: &'static str,
    /// The IANA time zone, when the data has one.
    pub timezone: Option<&'static str>,
}

impl ZipPlace {
    /// The ZIP with its leading zeros (`"02139"`).
    pub fn zip_text(&self) -> String {
        format!("{:05}", self.zip)
    }
}

/// Why the embedded table could not be read (only a broken build can cause it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the built-in ZIP code table is damaged: {0}")]
pub struct ZipTableError(&'static str);

/// The loaded table: ZIPs sorted ascending, and what each one maps to.
#[derive(Debug)]
pub struct ZipTable {
    zips: Vec<u32>,
    /// Per ZIP: city index, state index, zone index.
    places: Vec<(u16, u8, u8)>,
    cities: Vec<&'static str>,
    states: Vec<&'static str>,
    zones: Vec<&'static str>,
}

impl ZipTable {
    /// Reads the embedded table anew: what [`table`] does once per process (the benchmark
    /// times it).
    pub fn embedded() -> Result<Self, ZipTableError> {
        Self::parse(TABLE_BYTES)
    }

    /// Reads a table in the generator's format.
    fn parse(bytes: &'static [u8]) -> Result<Self, ZipTableError> {
        let header = bytes.get(..HEADER_LEN).ok_or(ZipTableError("too short"))?;
        if header.get(..4) != Some(MAGIC.as_slice()) || header.get(4) != Some(&VERSION) {
            return Err(ZipTableError("unknown format"));
        }
        let byte = |at: usize| usize::from(header.get(at).copied().unwrap_or(0));
        let word = |at: usize| {
            header
                .get(at..at + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, |b| usize::try_from(u32::from_le_bytes(b)).unwrap_or(usize::MAX))
        };
        let (zone_count, state_count, city_count) = (byte(5), byte(6), word(8));
        let (record_count, string_len) = (word(12), word(16));
        let strings_end = HEADER_LEN.checked_add(string_len).ok_or(ZipTableError("bad string length"))?;
        let strings = bytes.get(HEADER_LEN..strings_end).ok_or(ZipTableError("strings cut short"))?;
        let strings = std::str::from_utf8(strings).map_err(|_utf8| ZipTableError("strings are not UTF-8"))?;
        let mut names = strings.split_terminator('\n');
        let mut take = |count: usize| -> Result<Vec<&'static str>, ZipTableError> {
            let taken: Vec<&'static str> = names.by_ref().take(count).collect();
            if taken.len() == count { Ok(taken) } else { Err(ZipTableError("too few names")) }
        };
        let (zones, states, cities) = (take(zone_count)?, take(state_count)?, take(city_count)?);
        let records = bytes.get(strings_end..).ok_or(ZipTableError("records missing"))?;
        if records.len() != record_count.saturating_mul(RECORD_LEN) {
            return Err(ZipTableError("record count does not match"));
        }
        let mut zips = Vec::with_capacity(record_count);
        let mut places = Vec::with_capacity(record_count);
        for record in records.chunks_exact(RECORD_LEN) {
            let &[z0, z1, z2, c0, c1, state, zone] = record else { continue };
            let zip = u32::from_le_bytes([z0, z1, z2, 0]);
            let city = u16::from_le_bytes([c0, c1]);
            let in_range = usize::from(city) < cities.len()
                && usize::from(state) < states.len()
                && (zone == NO_ZONE || usize::from(zone) < zones.len());
            if !in_range || zips.last().is_some_and(|&last| last >= zip) {
                return Err(ZipTableError("a record is out of range or out of order"));
            }
            zips.push(zip);
            places.push((city, state, zone));
        }
        Ok(Self { zips, places, cities, states, zones })
    }

    /// The place of a five-digit ZIP number, by binary search.
    pub fn find(&self, zip: u32) -> Option<ZipPlace> {
        let index = self.zips.binary_search(&zip).ok()?;
        let &(city, state, zone) = self.places.get(index)?;
        Some(ZipPlace {
            zip,
            city: self.cities.get(usize::from(city)).copied()?,
            state: self.states.get(usize::from(state)).copied()?,
            timezone: self.zones.get(usize::from(zone)).copied(),
        })
    }

    /// How many ZIPs the table holds.
    pub fn len(&self) -> usize {
        self.zips.len()
    }

    /// Whether the table holds no ZIP (never, for the embedded one).
    pub fn is_empty(&self) -> bool {
        self.zips.is_empty()
    }

    /// Every time zone the table names.
    pub fn zones(&self) -> &[&'static str] {
        &self.zones
    }

    /// Every state or territory code the table names.
    pub fn states(&self) -> &[&'static str] {
        &self.states
    }
}

static TABLE: OnceLock<Result<ZipTable, ZipTableError>> = OnceLock::new();

/// The table, loaded on first use (a millisecond or so; see [`warm_up`]).
pub fn table() -> Result<&'static ZipTable, &'static ZipTableError> {
    TABLE.get_or_init(ZipTable::embedded).as_ref()
}

/// Whether the table is loaded, so a lookup now costs no load.
pub fn is_loaded() -> bool {
    TABLE.get().is_some()
}

/// Loads the table on a background thread, then calls `on_ready`: the window calls it at start
/// so that no keystroke waits for the load.
pub fn warm_up(on_ready: impl FnOnce() + Send + 'static) {
    let spawned = std::thread::Builder::new().name("intake-zip-table".to_owned()).spawn(|| {
        if let Err(error) = table() {
            tracing::warn!("{error}");
        }
        on_ready();
    });
    if let Err(error) = spawned {
        tracing::debug!("the ZIP table will load on first use: {error}");
    }
}

/// Whether text is `12345` or `12345-6789`, nothing around it.
pub fn is_zip(text: &str) -> bool {
    let b = text.as_bytes();
    match b.len() {
        5 => b.iter().all(u8::is_ascii_digit),
        10 => b[5] == b'-' && b[..5].iter().chain(&b[6..]).all(u8::is_ascii_digit),
        _ => false,
    }
}

/// The five-digit ZIP number of `12345` or ZIP+4 `12345-6789` (surrounding spaces ignored);
/// `None` for anything else.
pub fn parse_zip(text: &str) -> Option<u32> {
    let text = text.trim();
    if !is_zip(text) {
        return None;
    }
    text.get(..5)?.parse().ok()
}

/// What the table knows about a typed ZIP or ZIP+4; `None` when it is malformed or unknown.
/// Loads the table on first use.
pub fn lookup(text: &str) -> Option<ZipPlace> {
    let zip = parse_zip(text)?;
    table().ok()?.find(zip)
}

/// Like [`lookup`], but `None` while the table is not loaded yet: for the UI thread, which must
/// never wait for the load.
pub fn lookup_if_loaded(text: &str) -> Option<ZipPlace> {
    let zip = parse_zip(text)?;
    TABLE.get()?.as_ref().ok()?.find(zip)
}

/// What a ZIP last put in a form's city and state, so that a changed ZIP may replace its own
/// fill but never what the person typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZipFill {
    city: Option<String>,
    state: Option<String>,
}

/// Which fields [`ZipFill::apply`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filled {
    /// The city was filled in.
    pub city: bool,
    /// The state was filled in.
    pub state: bool,
}

impl ZipFill {
    /// Puts the place's city and state into `city` and `state` where they are empty or still
    /// hold this fill's earlier values; anything else was typed and stays.
    pub fn apply(&mut self, place: &ZipPlace, city: &mut String, state: &mut String) -> Filled {
        Filled {
            city: fill_one(&mut self.city, place.city, city),
            state: fill_one(&mut self.state, place.state, state),
        }
    }
}

fn fill_one(filled: &mut Option<String>, value: &str, field: &mut String) -> bool {
    let ours = field.trim().is_empty() || filled.as_deref() == Some(field.as_str());
    if !ours || field == value {
        return false;
    }
    value.clone_into(field);
    *filled = Some(value.to_owned());
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::us_states;

    /// One real ZIP per state, DC and the territories the table covers, with its city and zone.
    const ONE_PER_STATE: &[(&str, &str, &str, &str)] = &[
        ("99501", "Anchorage", "AK", "America/Anchorage"),
        ("35203", "Birmingham", "AL", "America/Chicago"),
        ("72201", "Little Rock", "AR", "America/Chicago"),
        ("85004", "Phoenix", "AZ", "America/Phoenix"),
        ("94102", "San Francisco", "CA", "America/Los_Angeles"),
        ("80202", "Denver", "CO", "America/Denver"),
        ("06103", "Hartford", "CT", "America/New_York"),
        ("20001", "Washington", "DC", "America/New_York"),
        ("19901", "Dover", "DE", "America/New_York"),
        ("33101", "Miami", "FL", "America/New_York"),
        ("30303", "Atlanta", "GA", "America/New_York"),
        ("96813", "Honolulu", "HI", "Pacific/Honolulu"),
        ("50309", "Des Moines", "IA", "America/Chicago"),
        ("83702", "Boise", "ID", "America/Boise"),
        ("60601", "Chicago", "IL", "America/Chicago"),
        ("46204", "Indianapolis", "IN", "America/Indiana/Indianapolis"),
        ("66603", "Topeka", "KS", "America/Chicago"),
        ("40202", "Louisville", "KY", "America/Kentucky/Louisville"),
        ("70112", "New Orleans", "LA", "America/Chicago"),
        ("02139", "Cambridge", "MA", "America/New_York"),
        ("21202", "Baltimore", "MD", "America/New_York"),
        ("04101", "Portland", "ME", "America/New_York"),
        ("48226", "Detroit", "MI", "America/Detroit"),
        ("55401", "Minneapolis", "MN", "America/Chicago"),
        ("63101", "Saint Louis", "MO", "America/Chicago"),
        ("39201", "Jackson", "MS", "America/Chicago"),
        ("59601", "Helena", "MT", "America/Denver"),
        ("27601", "Raleigh", "NC", "America/New_York"),
        ("58501", "Bismarck", "ND", "America/Chicago"),
        ("68102", "Omaha", "NE", "America/Chicago"),
        ("03301", "Concord", "NH", "America/New_York"),
        ("07102", "Newark", "NJ", "America/New_York"),
        ("87102", "Albuquerque", "NM", "America/Denver"),
        ("89101", "Las Vegas", "NV", "America/Los_Angeles"),
        ("10001", "New York", "NY", "America/New_York"),
        ("43215", "Columbus", "OH", "America/New_York"),
        ("73102", "Oklahoma City", "OK", "America/Chicago"),
        ("97201", "Portland", "OR", "America/Los_Angeles"),
        ("19103", "Philadelphia", "PA", "America/New_York"),
        ("02903", "Providence", "RI", "America/New_York"),
        ("29201", "Columbia", "SC", "America/New_York"),
        ("57501", "Pierre", "SD", "America/Chicago"),
        ("37203", "Nashville", "TN", "America/Chicago"),
        ("78701", "Austin", "TX", "America/Chicago"),
        ("84101", "Salt Lake City", "UT", "America/Denver"),
        ("23219", "Richmond", "VA", "America/New_York"),
        ("05401", "Burlington", "VT", "America/New_York"),
        ("98101", "Seattle", "WA", "America/Los_Angeles"),
        ("53202", "Milwaukee", "WI", "America/Chicago"),
        ("25301", "Charleston", "WV", "America/New_York"),
        ("82001", "Cheyenne", "WY", "America/Denver"),
        ("00901", "San Juan", "PR", "America/Puerto_Rico"),
        ("96910", "Hagatna", "GU", "Pacific/Guam"),
        ("00802", "St Thomas", "VI", "America/St_Thomas"),
    ];

    #[test]
    fn the_embedded_table_loads() {
        let table = table().expect("table");
        assert!(table.len() > 40_000, "{} ZIPs", table.len());
        assert!(!table.is_empty());
        assert!(is_loaded());
    }

    #[test]
    fn finds_a_zip_in_every_state_dc_and_puerto_rico() {
        for &(zip, city, state, zone) in ONE_PER_STATE {
            let place = lookup(zip).unwrap_or_else(|| panic!("{zip} not found"));
            assert_eq!((place.city, place.state, place.timezone), (city, state, Some(zone)), "{zip}");
            assert_eq!(place.zip_text(), zip);
        }
        // The 50 states, DC, PR, GU and VI are all tested; the rest are small territories and
        // military post offices.
        let untested = ["AA", "AE", "AP", "AS", "FM", "MH", "MP", "PW"];
        let covered: std::collections::BTreeSet<&str> = ONE_PER_STATE.iter().map(|row| row.2).collect();
        for state in table().expect("table").states() {
            assert!(covered.contains(state) || untested.contains(state), "no test ZIP for {state}");
        }
        assert_eq!(covered.len(), 54, "{covered:?}");
    }

    #[test]
    fn zip_plus_four_finds_the_five_digit_zip() {
        let place = lookup("94102-1234").expect("ZIP+4");
        assert_eq!((place.city, place.state), ("San Francisco", "CA"));
        assert_eq!(lookup("  02139-4307 ").map(|p| p.city), Some("Cambridge"));
    }

    #[test]
    fn unknown_zips_are_none() {
        assert_eq!(lookup("00000"), None);
        assert_eq!(lookup("99999"), None);
        assert_eq!(lookup("00001-1234"), None);
    }

    #[test]
    fn malformed_input_is_none() {
        for text in [
            "",
            " ",
            "9410",
            "941023",
            "94102-",
            "94102-12",
            "94102-12345",
            "9410a",
            "94102 1234",
            "+94102",
            "９４１０２",
            "ABCDE",
            "-94102",
        ] {
            assert_eq!(parse_zip(text), None, "{text:?}");
            assert_eq!(lookup(text), None, "{text:?}");
        }
        assert_eq!(parse_zip(" 02139 "), Some(2139));
        assert_eq!(parse_zip("02139-0001"), Some(2139));
    }

    #[test]
    fn every_zone_is_a_real_iana_name_and_every_state_is_known() {
        let table = table().expect("table");
        for zone in table.zones() {
            assert!(zone.parse::<chrono_tz::Tz>().is_ok(), "{zone}");
        }
        for state in table.states() {
            assert!(us_states::find_state(state).is_some(), "{state}");
        }
    }

    #[test]
    fn a_damaged_table_is_an_error_not_a_panic() {
        assert!(ZipTable::parse(b"").is_err());
        assert!(ZipTable::parse(b"IZIP\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0").is_err());
        let cut: &'static [u8] = TABLE_BYTES.get(..TABLE_BYTES.len() - 3).expect("cut");
        assert!(ZipTable::parse(cut).is_err());
    }

    #[test]
    fn lookup_if_loaded_agrees_once_loaded() {
        table().expect("table");
        assert_eq!(lookup_if_loaded("10001"), lookup("10001"));
        assert_eq!(lookup_if_loaded("nope"), None);
    }

    #[test]
    fn a_fill_takes_empty_fields_and_replaces_only_its_own() {
        let sf = lookup("94102").expect("94102");
        let ny = lookup("10001").expect("10001");
        let mut fill = ZipFill::default();
        let (mut city, mut state) = (String::new(), " ".to_owned());
        assert_eq!(fill.apply(&sf, &mut city, &mut state), Filled { city: true, state: true });
        assert_eq!((city.as_str(), state.as_str()), ("San Francisco", "CA"));
        // A changed ZIP replaces what the last one filled.
        assert_eq!(fill.apply(&ny, &mut city, &mut state), Filled { city: true, state: true });
        assert_eq!((city.as_str(), state.as_str()), ("New York", "NY"));
        // What the person typed stays.
        city = "Brooklyn".to_owned();
        assert_eq!(fill.apply(&sf, &mut city, &mut state), Filled { city: false, state: true });
        assert_eq!((city.as_str(), state.as_str()), ("Brooklyn", "CA"));
        let mut typed = ZipFill::default();
        let (mut city, mut state) = ("Oakland".to_owned(), "ca".to_owned());
        assert_eq!(typed.apply(&ny, &mut city, &mut state), Filled::default());
        assert_eq!((city.as_str(), state.as_str()), ("Oakland", "ca"));
    }
}
