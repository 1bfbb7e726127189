//! [`PreparedBody`]: one request or response body, read once off the UI thread — its JSON
//! value (customer secrets masked), the text to show and where each shown row starts — so the
//! viewer only ever slices what is already here. Nothing in this file uses egui.

use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use crate::backends::mask_customer_secrets;

/// A shown row is at most this long: longer lines are split, so that no single row of a
/// minified 10 MB body is ever laid out in one piece.
pub const MAX_ROW_BYTES: usize = 1_000;

/// The text view starts with rows up to this many bytes; the rest waits for "Show all".
pub const PREVIEW_BYTES: usize = 64_000;

/// Length of [`PreparedBody::preview`], in characters.
const PREVIEW_CHARS: usize = 120;

/// What a body turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No bytes at all.
    Empty,
    /// Valid JSON: shown as a tree, or as pretty text.
    Json,
    /// Anything else, shown as received (invalid UTF-8 replaced).
    Text,
}

/// One body, read once: its JSON value, the text to show, and where each shown row starts.
///
/// Cloning is cheap (shared buffers), so a prepared body can be handed around freely.
#[derive(Clone)]
pub struct PreparedBody {
    json: Option<Arc<Value>>,
    text: Arc<str>,
    rows: Arc<[Range<usize>]>,
    preview_rows: usize,
    line_count: usize,
    received_bytes: usize,
    truncated_from: Option<usize>,
    valid_utf8: bool,
    preview: String,
    description: String,
}

impl PreparedBody {
    /// Reads `bytes` (cut from `truncated_from` bytes when the record says so).
    pub fn from_bytes(bytes: &[u8], truncated_from: Option<usize>) -> Self {
        // A cut body is never valid JSON; don't spend a parse finding that out.
        let mut json = if truncated_from.is_none() { serde_json::from_slice::<Value>(bytes).ok() } else { None };
        // Customer data the SPEC keeps masked on screen (the SSN last four) is masked here, once.
        let masked = json.as_mut().is_some_and(mask_customer_secrets);
        let (text, valid_utf8) = match &json {
            Some(value) => (serde_json::to_string_pretty(value).unwrap_or_default(), true),
            // Not JSON, or cut: a token in it is masked by its name all the same.
            None => match std::str::from_utf8(bytes) {
                Ok(text) => (crate::backends::mask_secrets_in_text(text).into_owned(), true),
                Err(_) => (crate::backends::mask_secrets_in_text(&String::from_utf8_lossy(bytes)).into_owned(), false),
            },
        };
        let rows = split_rows(&text);
        let preview_rows = rows.partition_point(|row| row.start < PREVIEW_BYTES);
        let line_count = count_lines(&text);
        let description = describe(json.as_ref(), bytes.len(), line_count, valid_utf8);
        let preview = match &json {
            Some(value) if masked => preview_of(value.to_string().as_bytes()),
            Some(_) => preview_of(bytes),
            None => preview_of(text.as_bytes()),
        };
        Self {
            preview,
            json: json.map(Arc::new),
            text: Arc::from(text),
            rows: Arc::from(rows),
            preview_rows,
            line_count,
            received_bytes: bytes.len(),
            truncated_from,
            valid_utf8,
            description,
        }
    }

    /// What the body is.
    pub fn kind(&self) -> BodyKind {
        if self.json.is_some() {
            BodyKind::Json
        } else if self.received_bytes == 0 {
            BodyKind::Empty
        } else {
            BodyKind::Text
        }
    }

    /// The parsed value, when the body is JSON.
    pub fn json(&self) -> Option<&Value> {
        self.json.as_deref()
    }

    /// The text to show: pretty JSON, or the body as received.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How many rows the text view has (long lines count once per [`MAX_ROW_BYTES`] piece).
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// How many rows fall in the first [`PREVIEW_BYTES`] of the text.
    pub fn preview_row_count(&self) -> usize {
        self.preview_rows
    }

    /// Row `index` of the text view, without its line break; empty past the end.
    pub fn row(&self, index: usize) -> &str {
        self.rows.get(index).and_then(|range| self.text.get(range.clone())).unwrap_or_default()
    }

    /// Lines of the shown text.
    pub fn line_count(&self) -> usize {
        self.line_count
    }

    /// Bytes kept in the record.
    pub fn received_bytes(&self) -> usize {
        self.received_bytes
    }

    /// The full length when the record kept only the start of the body.
    pub fn truncated_from(&self) -> Option<usize> {
        self.truncated_from
    }

    /// False when the bytes were not UTF-8 and the text shows replacement characters.
    pub fn is_valid_utf8(&self) -> bool {
        self.valid_utf8
    }

    /// The start of the body on one line, whitespace squeezed: for lists and tooltips.
    pub fn preview(&self) -> &str {
        &self.preview
    }

    /// "JSON object · 5 keys · 412 B", "text · 3 lines · 1.2 KB".
    pub fn description(&self) -> &str {
        &self.description
    }
}

/// Describes the body instead of printing it: a debug print of the app must not dump 16 MB.
impl std::fmt::Debug for PreparedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedBody")
            .field("description", &self.description)
            .field("rows", &self.rows.len())
            .field("truncated_from", &self.truncated_from)
            .finish_non_exhaustive()
    }
}

/// `1.2 KB`, `10.2 MB`: decimal units, one decimal, as people read sizes.
pub fn format_bytes(bytes: usize) -> String {
    const UNITS: [(f64, &str); 3] = [(1e9, "GB"), (1e6, "MB"), (1e3, "KB")];
    #[expect(clippy::cast_precision_loss, reason = "one decimal is shown")]
    let value = bytes as f64;
    UNITS
        .iter()
        .find(|(size, _)| value >= *size)
        .map_or_else(|| format!("{bytes} B"), |(size, unit)| format!("{:.1} {unit}", value / size))
}

/// Byte ranges of the shown rows: one per line (line break and a `\r` before it left out),
/// lines longer than [`MAX_ROW_BYTES`] split at character boundaries.
fn split_rows(text: &str) -> Vec<Range<usize>> {
    let mut rows = Vec::new();
    if text.is_empty() {
        return rows;
    }
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let mut start = 0;
        loop {
            let rest = content.len() - start;
            if rest <= MAX_ROW_BYTES {
                rows.push(line_start + start..line_start + content.len());
                break;
            }
            // Always advance, even past a character wider than the limit allows.
            let end = content.floor_char_boundary(start + MAX_ROW_BYTES).max(content.ceil_char_boundary(start + 1));
            rows.push(line_start + start..line_start + end);
            start = end;
        }
        line_start += line.len();
    }
    rows
}

/// Lines as an editor counts them: a final line break does not start another line.
fn count_lines(text: &str) -> usize {
    if text.is_empty() { 0 } else { text.lines().count().max(1) }
}

/// The first [`PREVIEW_CHARS`] characters with every run of whitespace squeezed to one space.
fn preview_of(bytes: &[u8]) -> String {
    // Looking at a bounded prefix keeps this cheap for a 16 MB body.
    let head = bytes.get(..PREVIEW_CHARS * 8).unwrap_or(bytes);
    let text = String::from_utf8_lossy(head);
    let mut preview = String::new();
    let mut chars = 0;
    for word in text.split_whitespace() {
        if chars >= PREVIEW_CHARS {
            break;
        }
        if !preview.is_empty() {
            preview.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars >= PREVIEW_CHARS {
                break;
            }
            preview.push(c);
            chars += 1;
        }
    }
    if chars >= PREVIEW_CHARS || head.len() < bytes.len() {
        preview.push('…');
    }
    preview
}

fn describe(json: Option<&Value>, bytes: usize, line_count: usize, valid_utf8: bool) -> String {
    let size = format_bytes(bytes);
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match json {
        Some(Value::Object(map)) => format!("JSON object · {} · {size}", plural(map.len(), "key", "keys")),
        Some(Value::Array(items)) => format!("JSON array · {} · {size}", plural(items.len(), "item", "items")),
        Some(_) => format!("JSON value · {size}"),
        None if bytes == 0 => "empty".to_owned(),
        None if !valid_utf8 => format!("binary, shown as text · {size}"),
        None => format!("text · {} · {size}", plural(line_count, "line", "lines")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_parsed_and_pretty_printed() {
        let body = PreparedBody::from_bytes(br#"{"id":101,"name":{"first":"Ada"}}"#, None);
        assert_eq!(body.kind(), BodyKind::Json);
        assert_eq!(body.text(), "{\n  \"id\": 101,\n  \"name\": {\n    \"first\": \"Ada\"\n  }\n}");
        assert_eq!(body.line_count(), 6);
        assert_eq!(body.row_count(), 6);
        assert_eq!(body.row(1), "  \"id\": 101,");
        assert_eq!(body.row(99), "");
        assert_eq!(body.description(), "JSON object · 2 keys · 33 B");
        assert_eq!(body.preview(), r#"{"id":101,"name":{"first":"Ada"}}"#);
    }

    #[test]
    fn text_is_kept_as_received() {
        let body = PreparedBody::from_bytes(b"<html>\r\n<body>Bad gateway</body>\r\n</html>\r\n", None);
        assert_eq!(body.kind(), BodyKind::Text);
        assert_eq!(body.line_count(), 3);
        assert_eq!(body.row(1), "<body>Bad gateway</body>");
        assert_eq!(body.description(), "text · 3 lines · 43 B");
        assert_eq!(body.preview(), "<html> <body>Bad gateway</body> </html>");
    }

    #[test]
    fn empty_and_binary_bodies() {
        let empty = PreparedBody::from_bytes(b"", None);
        assert_eq!((empty.kind(), empty.row_count(), empty.line_count()), (BodyKind::Empty, 0, 0));
        let binary = PreparedBody::from_bytes(&[0xff, 0xfe, b'a'], None);
        assert_eq!(binary.kind(), BodyKind::Text);
        assert!(!binary.is_valid_utf8());
        assert_eq!(binary.text(), "\u{fffd}\u{fffd}a");
    }

    #[test]
    fn a_cut_body_is_text_and_says_so() {
        let body = PreparedBody::from_bytes(br#"{"items":[1,2,"#, Some(20_000_000));
        assert_eq!(body.kind(), BodyKind::Text);
        assert_eq!(body.truncated_from(), Some(20_000_000));
    }

    #[test]
    fn long_lines_are_split_into_rows_at_char_boundaries() {
        let line = "é".repeat(MAX_ROW_BYTES); // 2 bytes each
        let body = PreparedBody::from_bytes(format!("{line}\nend").as_bytes(), None);
        assert_eq!(body.line_count(), 2);
        assert_eq!(body.row_count(), 3);
        assert_eq!(body.row(0).len(), MAX_ROW_BYTES);
        assert_eq!(body.row(1).len(), MAX_ROW_BYTES);
        assert_eq!(body.row(2), "end");
    }

    #[test]
    fn preview_rows_cover_the_first_64_kb() {
        let text = "0123456789\n".repeat(100_000);
        let body = PreparedBody::from_bytes(text.as_bytes(), None);
        assert_eq!(body.row_count(), 100_000);
        assert_eq!(body.preview_row_count(), PREVIEW_BYTES.div_ceil(11));
        assert!(body.preview().ends_with('…'));
    }

    #[test]
    fn debug_describes_instead_of_dumping() {
        let body = PreparedBody::from_bytes("x".repeat(100_000).as_bytes(), None);
        let printed = format!("{body:?}");
        assert!(printed.len() < 200, "{printed}");
        assert!(printed.contains("text · 1 line · 100.0 KB"), "{printed}");
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(1_234), "1.2 KB");
        assert_eq!(format_bytes(10_200_000), "10.2 MB");
    }
}
