//! The IANA time-zone names (from chrono-tz) and a ranked search over them for the picker.

use chrono_tz::{TZ_VARIANTS, Tz};

/// Whether `name` is an IANA zone name chrono-tz knows, exactly (case-sensitive, as servers expect).
pub fn is_iana_timezone(name: &str) -> bool {
    name.parse::<Tz>().is_ok()
}

/// The canonical spelling of a zone typed in another case ("america/chicago" → "America/Chicago").
pub fn canonical_timezone(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if let Ok(tz) = name.parse::<Tz>() {
        return Some(tz.name());
    }
    TZ_VARIANTS.iter().map(|tz| tz.name()).find(|n| n.eq_ignore_ascii_case(name))
}

/// All zone names, sorted.
pub fn all_timezones() -> impl Iterator<Item = &'static str> {
    TZ_VARIANTS.iter().map(|tz| tz.name())
}

/// Zone names matching every whitespace-separated word of `query` (case-insensitive, `_` = space),
/// best first: exact, then prefix of the city part, then anywhere; at most `limit`.
pub fn search_timezones(query: &str, limit: usize) -> Vec<&'static str> {
    let words: Vec<String> = query.split_whitespace().map(|w| w.to_lowercase().replace('_', " ")).collect();
    let mut hits: Vec<(u8, &'static str)> = all_timezones()
        .filter_map(|name| {
            let hay = name.to_lowercase().replace('_', " ");
            if !words.iter().all(|w| hay.contains(w.as_str())) {
                return None;
            }
            let city = hay.rsplit('/').next().unwrap_or(&hay);
            let joined = words.join(" ");
            let rank = if hay == joined {
                0
            } else if city.starts_with(&joined) {
                1
            } else if hay.starts_with(&joined) {
                2
            } else {
                3
            };
            Some((rank, name))
        })
        .collect();
    hits.sort_unstable();
    hits.truncate(limit);
    hits.into_iter().map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_ranks_city_prefix_first() {
        let hits = search_timezones("new y", 5);
        assert_eq!(hits.first(), Some(&"America/New_York"));
        assert!(search_timezones("los angeles", 3).contains(&"America/Los_Angeles"));
        assert!(search_timezones("zzzz", 3).is_empty());
        assert!(all_timezones().count() > 400);
    }

    #[test]
    fn canonical_fixes_case_only() {
        assert_eq!(canonical_timezone("america/chicago"), Some("America/Chicago"));
        assert!(is_iana_timezone("Europe/Berlin"));
        assert!(!is_iana_timezone("europe/berlin"));
        assert!(!is_iana_timezone("Mars/Olympus"));
    }
}
