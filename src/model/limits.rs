//! How much text the form takes per field.
//!
//! Far above what any backend accepts (the validator says when a value is too long for the
//! backend), small enough that a 10 MB paste cannot swamp the form. One table, used by the
//! editors, and by anything that fills a draft from outside.

/// Longest text a one-line field takes.
pub const LINE_MAX_CHARS: usize = 1_000;
/// Longest notes text (Help Scout allows 200; the validator says so, the editor keeps more).
pub const NOTES_MAX_CHARS: usize = 10_000;
/// Longest external-metadata JSON text: a 1 MB object fits twice (the rows edit it; the text is
/// drawn on request above 100,000 bytes, as laying it out costs every frame).
pub const METADATA_MAX_CHARS: usize = 2_000_000;

/// The length limit of the text field at `pointer` (a JSON Pointer into the draft body).
pub fn max_chars_at(pointer: &str) -> usize {
    match pointer {
        "/externalMetadata" => METADATA_MAX_CHARS,
        "/background" => NOTES_MAX_CHARS,
        _ => LINE_MAX_CHARS,
    }
}

/// A number with thousands separators, as limits are said to people ("100,000").
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_said_with_separators() {
        assert_eq!(thousands(LINE_MAX_CHARS), "1,000");
        assert_eq!(thousands(METADATA_MAX_CHARS), "2,000,000");
        assert_eq!(thousands(7), "7");
        assert_eq!(max_chars_at("/background"), NOTES_MAX_CHARS);
        assert_eq!(max_chars_at("/emails/0/value"), LINE_MAX_CHARS);
    }
}
