//! Bytes → table: format detection, encoding checks, CSV (via the `csv` crate) and JSON.
//!
//! Everything that can be wrong with a file is found here, before a single draft is built, so a
//! bad file changes nothing.

use serde_json::Value;

use crate::model::limits::thousands;

/// Largest file read. A 10,000-customer CSV is a few megabytes; anything this big is the wrong
/// file, refused before it is parsed.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// Most columns a CSV may have. The backends have a few dozen fields; checked on the header
/// line before any row is split, so a 100,000-column file costs no memory.
pub const MAX_COLUMNS: usize = 1_000;

/// How far into a file the binary check looks.
const SNIFF_BYTES: usize = 8 * 1024;

/// The kind of file that was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// Comma-, semicolon- or tab-separated values with a header row.
    Csv {
        /// The separator found in the header line.
        delimiter: u8,
    },
    /// A JSON array of request bodies.
    JsonArray,
    /// One JSON request body per line.
    JsonLines,
}

/// A CSV file: its header row and data rows, all of the same width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvTable {
    /// Header names, trimmed.
    pub headers: Vec<String>,
    /// Data rows, blank lines left out.
    pub rows: Vec<CsvRow>,
    /// The separator the file uses.
    pub delimiter: u8,
}

/// One CSV record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// 1-based line where the record starts in the file (a quoted field may span lines).
    pub line: usize,
    /// 1-based number among the file's data rows (rows left out as unreadable count too).
    pub number: usize,
    /// The cells as written, untrimmed; as many as there are headers.
    pub cells: Vec<String>,
}

/// One JSON request body from an array or a JSON Lines file.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonRow {
    /// 1-based line where the item starts.
    pub line: usize,
    /// 1-based item number.
    pub number: usize,
    /// The item, always a JSON object.
    pub body: Value,
}

/// A file read into rows.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportTable {
    /// A CSV file, mapped to fields by a [`Mapping`](super::Mapping).
    Csv(CsvTable),
    /// JSON request bodies, used as they are.
    Json {
        /// [`ImportFormat::JsonArray`] or [`ImportFormat::JsonLines`].
        format: ImportFormat,
        /// The bodies.
        rows: Vec<JsonRow>,
    },
}

impl ImportTable {
    /// The format the file was read as.
    pub fn format(&self) -> ImportFormat {
        match self {
            Self::Csv(table) => ImportFormat::Csv { delimiter: table.delimiter },
            Self::Json { format, .. } => *format,
        }
    }

    /// Number of data rows or items.
    pub fn len(&self) -> usize {
        match self {
            Self::Csv(table) => table.rows.len(),
            Self::Json { rows, .. } => rows.len(),
        }
    }

    /// Whether there are no rows (never true for a table [`read_table`] returned).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a file cannot be imported. Each message says where and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Nothing in the file (or only blank lines).
    #[error("The file is empty. Choose a CSV file with a header row and one customer per line, or a JSON file.")]
    Empty,
    /// Bigger than [`MAX_FILE_BYTES`].
    #[error(
        "The file is {} MB, more than the {} MB an import takes. Split it into smaller files and import them one by one.",
        thousands(bytes.div_ceil(1024 * 1024)),
        MAX_FILE_BYTES / (1024 * 1024)
    )]
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// Not a text file.
    #[error(
        "This is not a text file (it holds binary data at byte {offset}). Choose the CSV or JSON file itself, \
         not a spreadsheet (.xlsx), archive or image; in Excel use Save As → CSV UTF-8."
    )]
    Binary {
        /// Byte offset of the first byte that gave it away.
        offset: usize,
    },
    /// Text in another encoding (Latin-1, Windows-1252…).
    #[error(
        "The file is not UTF-8 text: line {line}, column {column} holds a character in another encoding \
         (such as Windows-1252). Save it as UTF-8 (in Excel: CSV UTF-8) and import again."
    )]
    NotUtf8 {
        /// 1-based line.
        line: usize,
        /// 1-based character column.
        column: usize,
    },
    /// UTF-16 text (a UTF-16 byte-order mark, or a NUL in every other byte).
    #[error(
        "The file is saved as UTF-16 (\"Unicode text\"), which cannot be imported. Save it as UTF-8 \
         (in Excel: CSV UTF-8) and import again."
    )]
    Utf16,
    /// A row with more or fewer cells than the header.
    #[error(
        "Line {line} has {found} {} but the header row has {expected}. Check that line for a missing or extra \
         separator, or a comma inside a value that is not in quotes, and import again.",
        if *found == 1 { "column" } else { "columns" }
    )]
    RaggedRow {
        /// 1-based line where the row starts.
        line: usize,
        /// Number of headers.
        expected: usize,
        /// Number of cells in the row.
        found: usize,
    },
    /// A quoted field that never ends.
    #[error(
        "The quote (\") opened on line {line} is never closed, so the rest of the file would be one value. \
         Close the quote or write a quote inside a value as two quotes (\"\"), and import again."
    )]
    UnterminatedQuote {
        /// 1-based line of the opening quote.
        line: usize,
    },
    /// More than [`MAX_COLUMNS`] columns in the header.
    #[error(
        "The header row has {} columns; an import takes at most {}. Check that this is a customer list \
         with one column per field.",
        thousands(*found),
        thousands(MAX_COLUMNS)
    )]
    TooManyColumns {
        /// Number of columns found (at least).
        found: usize,
    },
    /// Two columns with the same name.
    #[error(
        "Two columns are called \"{name}\". Rename one of them so every column has its own name, and import again."
    )]
    DuplicateHeader {
        /// The name.
        name: String,
    },
    /// A header row and nothing else.
    #[error("The file has a header row but no customers below it. Add one customer per line and import again.")]
    NoRows,
    /// The CSV reader failed (should not happen on checked UTF-8 text).
    #[error("The file cannot be read as CSV at line {line}: {message}.")]
    Csv {
        /// 1-based line.
        line: usize,
        /// The reader's message.
        message: String,
    },
    /// JSON that does not parse.
    #[error("The file is not valid JSON: {message} at line {line}, column {column}. Fix that place and import again.")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// A JSON file whose top-level value is not a list of customers.
    #[error(
        "The JSON file holds {found}, not a list of customers. Write the customers as an array [ {{…}}, {{…}} ] \
         or one object per line (JSON Lines), and import again."
    )]
    JsonNotArray {
        /// What it holds: "an object", "a number", "text"…
        found: &'static str,
    },
    /// An array item or JSON line that is not an object.
    #[error("Customer {number} in the JSON file is {found}, not an object {{ … }}. Each customer must be an object.")]
    JsonItemNotObject {
        /// 1-based item number.
        number: usize,
        /// What it is.
        found: &'static str,
    },
    /// `[]` or a JSON Lines file with no lines.
    #[error("The JSON file has no customers in it.")]
    JsonNoItems,
}

/// Reads a whole file into a table, or says why the file cannot be imported.
///
/// `file_name` only guides format detection (`.csv`, `.tsv`, `.json`, `.jsonl`, `.ndjson`);
/// with any other extension (`.txt`) the content decides: `[` or `{` first is JSON, anything
/// else CSV. A single unreadable row (a ragged CSV row, a broken JSON line) refuses the file;
/// [`read_table_skipping_bad_rows`] takes the rest when the person agrees.
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<ImportTable, ImportError> {
    let mut skipped = Vec::new();
    let table = read_table_into(bytes, file_name, &mut skipped)?;
    match skipped.into_iter().next() {
        Some(first) => Err(first.reason),
        None => Ok(table),
    }
}

/// Reads a file as [`read_table`] does, but leaves out and lists the rows that cannot be read.
///
/// Those are a CSV row with more or fewer cells than the header, and a JSON line that does not
/// parse or is not an object; whatever is wrong with the file as a whole still refuses it.
pub fn read_table_skipping_bad_rows(
    bytes: &[u8],
    file_name: &str,
) -> Result<(ImportTable, Vec<SkippedRow>), ImportError> {
    let mut skipped = Vec::new();
    let table = read_table_into(bytes, file_name, &mut skipped)?;
    Ok((table, skipped))
}

/// A row left out because it cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    /// 1-based line where it starts.
    pub line: usize,
    /// Why (a sentence naming the line).
    pub reason: ImportError,
}

impl ImportError {
    /// Whether the error is about one row (the rest of the file could be imported).
    pub fn is_about_one_row(&self) -> bool {
        matches!(self, Self::RaggedRow { .. } | Self::JsonItemNotObject { .. }) || matches!(self, Self::Json { .. })
    }
}

/// Reads a file, leaving out the rows that cannot be read (listed in `skipped`).
///
/// `file_name` only guides format detection (`.csv`, `.tsv`, `.json`, `.jsonl`, `.ndjson`);
/// with any other extension (`.txt`) the content decides: `[` or `{` first is JSON, anything
/// else CSV.
fn read_table_into(bytes: &[u8], file_name: &str, skipped: &mut Vec<SkippedRow>) -> Result<ImportTable, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { bytes: bytes.len() });
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ImportError::Utf16);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    let utf8 = std::str::from_utf8(bytes);
    check_binary(bytes, utf8.is_ok())?;
    let text = match utf8 {
        Ok(text) => text,
        Err(err) => return Err(not_utf8(bytes, err.valid_up_to())),
    };
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    let first = text.trim_start().as_bytes().first().copied();
    match extension.as_str() {
        "jsonl" | "ndjson" => read_json_lines(text, skipped),
        "json" => read_json(text, skipped),
        "csv" => read_csv(text, None, skipped),
        "tsv" | "tab" => read_csv(text, Some(b'\t'), skipped),
        _ if matches!(first, Some(b'[' | b'{')) => read_json(text, skipped),
        _ => read_csv(text, None, skipped),
    }
}

/// A NUL in the first 8 KB is binary (or UTF-16 without a byte-order mark when the NULs sit at
/// every other byte); so are control characters, when the text is not UTF-8 either.
fn check_binary(bytes: &[u8], is_utf8: bool) -> Result<(), ImportError> {
    let head = bytes.get(..SNIFF_BYTES).unwrap_or(bytes);
    let Some(first_nul) = head.iter().position(|b| *b == 0) else {
        if !is_utf8 {
            let control = |b: &u8| *b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C);
            if let Some(offset) = head.iter().position(control) {
                return Err(ImportError::Binary { offset });
            }
        }
        return Ok(());
    };
    let nuls_at = |parity: usize| head.iter().skip(parity).step_by(2).filter(|b| **b == 0).count();
    let pairs = head.len() / 2;
    let (even, odd) = (nuls_at(0), nuls_at(1));
    if pairs >= 2 && (even == 0 || odd == 0) && even.max(odd) * 10 >= pairs * 7 {
        return Err(ImportError::Utf16);
    }
    Err(ImportError::Binary { offset: first_nul })
}

fn not_utf8(bytes: &[u8], offset: usize) -> ImportError {
    let valid = bytes.get(..offset).unwrap_or(bytes);
    let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |at| at + 1);
    let line = memchr::memchr_iter(b'\n', valid).count() + 1;
    let tail = valid.get(line_start..).unwrap_or_default();
    let column = std::str::from_utf8(tail).map_or(tail.len(), |s| s.chars().count()) + 1;
    ImportError::NotUtf8 { line, column }
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Picks the separator the header line uses most, counted outside quotes: `,`, `;` or tab;
/// comma when there is none. Also counts the header's columns, so that a huge header is refused
/// before it is split.
fn sniff_header(text: &str) -> (u8, usize) {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in header_start(text).as_bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let [comma, semicolon, tab] = counts;
    if semicolon > comma && semicolon >= tab {
        (b';', semicolon + 1)
    } else if tab > comma && tab > semicolon {
        (b'\t', tab + 1)
    } else {
        (b',', comma + 1)
    }
}

/// The text from the header line on: blank lines and lines of spaces before it skipped, as the
/// reader skips them.
fn header_start(text: &str) -> &str {
    let mut rest = text;
    while let Some((line, after)) = rest.split_once('\n') {
        if !line.trim().is_empty() {
            break;
        }
        rest = after;
    }
    rest
}

/// Counts the header's columns with a known separator (outside quotes).
fn header_columns(text: &str, delimiter: u8) -> usize {
    let mut in_quotes = false;
    let mut columns = 1;
    for &b in header_start(text).as_bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            _ if b == delimiter && !in_quotes => columns += 1,
            _ => {}
        }
    }
    columns
}

/// Follows the `csv` crate's quoting (a quote opens a field only at its start; `""` inside is a
/// quote) and returns the line of a quote that is still open at the end of the file.
fn unterminated_quote(text: &str, delimiter: u8) -> Option<usize> {
    #[derive(Clone, Copy)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        AfterQuote,
    }
    let mut state = State::FieldStart;
    let mut line = 1;
    let mut opened = 1;
    for &b in text.as_bytes() {
        let boundary = b == delimiter || b == b'\n' || b == b'\r';
        state = match (state, b) {
            (State::FieldStart, b'"') => {
                opened = line;
                State::Quoted
            }
            (State::Quoted, b'"') => State::AfterQuote,
            (State::Quoted, _) | (State::AfterQuote, b'"') => State::Quoted,
            (_, _) if boundary => State::FieldStart,
            _ => State::Unquoted,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    matches!(state, State::Quoted).then_some(opened)
}

fn read_csv(text: &str, delimiter: Option<u8>, skipped: &mut Vec<SkippedRow>) -> Result<ImportTable, ImportError> {
    let delimiter = match delimiter {
        Some(delimiter) => delimiter,
        None => sniff_header(text).0,
    };
    let columns = header_columns(text, delimiter);
    if columns > MAX_COLUMNS {
        return Err(ImportError::TooManyColumns { found: columns });
    }
    if let Some(line) = unterminated_quote(text, delimiter) {
        return Err(ImportError::UnterminatedQuote { line });
    }
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut number = 0;
    loop {
        let line = record_line(&reader);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                let line = err.position().map_or(line, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                return Err(ImportError::Csv { line, message: err.to_string() });
            }
        }
        let line = record.position().map_or(line, |p| start_line(text, p));
        if is_blank(&record) {
            continue;
        }
        let Some(expected) = headers.as_ref().map(Vec::len) else {
            headers = Some(read_headers(&record)?);
            continue;
        };
        number += 1;
        if record.len() != expected {
            skipped.push(SkippedRow { line, reason: ImportError::RaggedRow { line, expected, found: record.len() } });
            continue;
        }
        rows.push(CsvRow { line, number, cells: record.iter().map(str::to_owned).collect() });
    }
    let headers = headers.ok_or(ImportError::Empty)?;
    if rows.is_empty() {
        return Err(skipped.first().map_or(ImportError::NoRows, |first| first.reason.clone()));
    }
    Ok(ImportTable::Csv(CsvTable { headers, rows, delimiter }))
}

/// The line a record starts on: its position, past any blank lines the reader skipped first.
fn start_line(text: &str, position: &csv::Position) -> usize {
    let line = usize::try_from(position.line()).unwrap_or(usize::MAX);
    let byte = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let rest = text.as_bytes().get(byte..).unwrap_or_default();
    let skipped = rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|b| **b == b'\n').count();
    line.saturating_add(skipped)
}

fn record_line<R: std::io::Read>(reader: &csv::Reader<R>) -> usize {
    usize::try_from(reader.position().line()).unwrap_or(usize::MAX)
}

/// A record with nothing in it: every cell empty (`,,,` from a spreadsheet) or one cell of
/// spaces (a line of spaces).
fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(str::is_empty) || (record.len() == 1 && record.iter().all(|cell| cell.trim().is_empty()))
}

fn read_headers(record: &csv::StringRecord) -> Result<Vec<String>, ImportError> {
    if record.len() > MAX_COLUMNS {
        return Err(ImportError::TooManyColumns { found: record.len() });
    }
    let headers: Vec<String> = record.iter().map(|h| h.trim().to_owned()).collect();
    let mut sorted: Vec<&str> = headers.iter().map(String::as_str).filter(|h| !h.is_empty()).collect();
    sorted.sort_unstable();
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(ImportError::DuplicateHeader { name: pair[0].to_owned() });
    }
    Ok(headers)
}

// ---------------------------------------------------------------------------------------------
// JSON

/// How a JSON value is named in messages.
pub(crate) fn describe_json(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list [ … ]",
        Value::Object(_) => "an object { … }",
    }
}

fn json_error(err: &serde_json::Error, line_offset: usize) -> ImportError {
    let message = err.to_string();
    let message = message.rfind(" at line ").map_or(message.as_str(), |at| &message[..at]).to_owned();
    ImportError::Json { line: err.line() + line_offset, column: err.column(), message }
}

/// A `.json` file: an array; or, when the whole text is several objects one after another,
/// JSON Lines.
fn read_json(text: &str, skipped: &mut Vec<SkippedRow>) -> Result<ImportTable, ImportError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => {
            if items.is_empty() {
                return Err(ImportError::JsonNoItems);
            }
            let lines = array_item_lines(text);
            let rows = items
                .into_iter()
                .enumerate()
                .map(|(index, body)| {
                    if body.is_object() {
                        let line = lines.get(index).copied().unwrap_or(1);
                        Ok(JsonRow { line, number: index + 1, body })
                    } else {
                        Err(ImportError::JsonItemNotObject { number: index + 1, found: describe_json(&body) })
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ImportTable::Json { format: ImportFormat::JsonArray, rows })
        }
        Ok(other) => {
            let found = match other {
                Value::Object(_) => "a single object { … }",
                _ => describe_json(&other),
            };
            Err(ImportError::JsonNotArray { found })
        }
        Err(err) if text.trim_start().starts_with('{') && err.to_string().starts_with("trailing characters") => {
            read_json_lines(text, skipped)
        }
        Err(err) => Err(json_error(&err, 0)),
    }
}

/// The 1-based line where each item of a top-level JSON array starts (the text is valid JSON).
fn array_item_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut depth, mut line) = (0usize, 1usize);
    let (mut in_string, mut escaped, mut expect_item) = (false, false, false);
    for &b in text.as_bytes() {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if depth == 1 && expect_item && !b.is_ascii_whitespace() && b != b']' {
            lines.push(line);
            expect_item = false;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth == 1 {
                    expect_item = true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expect_item = true,
            _ => {}
        }
    }
    lines
}

fn read_json_lines(text: &str, skipped: &mut Vec<SkippedRow>) -> Result<ImportTable, ImportError> {
    let mut rows = Vec::new();
    let mut number = 0;
    for (index, raw) in text.split('\n').enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let line = index + 1;
        number += 1;
        let body = match serde_json::from_str::<Value>(raw) {
            Ok(body) if body.is_object() => body,
            Ok(other) => {
                let reason = ImportError::JsonItemNotObject { number, found: describe_json(&other) };
                skipped.push(SkippedRow { line, reason });
                continue;
            }
            Err(err) => {
                skipped.push(SkippedRow { line, reason: json_error(&err, index) });
                continue;
            }
        };
        rows.push(JsonRow { line, number, body });
    }
    if rows.is_empty() {
        return Err(skipped.first().map_or(ImportError::JsonNoItems, |first| first.reason.clone()));
    }
    Ok(ImportTable::Json { format: ImportFormat::JsonLines, rows })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn csv(bytes: &[u8]) -> CsvTable {
        match read_table(bytes, "people.csv") {
            Ok(ImportTable::Csv(table)) => table,
            other => panic!("expected a CSV table, got {other:?}"),
        }
    }

    fn err(bytes: &[u8], name: &str) -> ImportError {
        match read_table(bytes, name) {
            Err(err) => err,
            Ok(table) => panic!("expected an error, got {table:?}"),
        }
    }

    fn cells(table: &CsvTable) -> Vec<(usize, Vec<&str>)> {
        table.rows.iter().map(|row| (row.line, row.cells.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn bom_or_not_the_same_table() {
        let plain = csv(b"firstName,lastName\nAda,Lovelace\n");
        let bom = csv(b"\xEF\xBB\xBFfirstName,lastName\nAda,Lovelace\n");
        assert_eq!(plain, bom);
        assert_eq!(bom.headers, ["firstName", "lastName"]);
        assert_eq!(cells(&bom), [(2, vec!["Ada", "Lovelace"])]);
    }

    #[test]
    fn comma_semicolon_and_tab_are_found_in_the_header() {
        let comma = csv(b"a,b;c\n1,2;3\n");
        assert_eq!((comma.delimiter, comma.headers.len()), (b',', 2));
        let semi = csv(b"Name;\"Street, no.\";City\nAda;\"1, Main\";Paris\n");
        assert_eq!(semi.delimiter, b';');
        assert_eq!(semi.headers, ["Name", "Street, no.", "City"]);
        assert_eq!(cells(&semi), [(2, vec!["Ada", "1, Main", "Paris"])]);
        let tab = csv(b"a\tb\n1\t2\n");
        assert_eq!((tab.delimiter, cells(&tab)), (b'\t', vec![(2, vec!["1", "2"])]));
        let tsv_of_commas = read_table(b"a,b\n1,2\n", "x.tsv");
        assert!(matches!(tsv_of_commas, Ok(ImportTable::Csv(ref t)) if t.headers == ["a,b"]), "{tsv_of_commas:?}");
        assert_eq!(
            read_table(b"a\tb\n1\t2\n", "x.tsv").map(|t| t.format()),
            Ok(ImportFormat::Csv { delimiter: b'\t' })
        );
    }

    #[test]
    fn quoted_newlines_and_doubled_quotes_keep_line_numbers() {
        let table =
            csv(b"name,notes\r\nAda,\"line one\r\nline \"\"two\"\"\"\r\nBob,plain\r\n\r\nCy,\"a\nb\nc\"\nDi,x\n");
        assert_eq!(
            cells(&table),
            [
                (2, vec!["Ada", "line one\r\nline \"two\""]),
                (4, vec!["Bob", "plain"]),
                (6, vec!["Cy", "a\nb\nc"]),
                (9, vec!["Di", "x"]),
            ]
        );
    }

    #[test]
    fn blank_lines_are_skipped_headers_trimmed_cells_not() {
        let table = csv(b"\n  \r\n first Name ; b \n\n  x ; \n;\n   \nz;1");
        assert_eq!((table.headers.as_slice(), table.delimiter), (&["first Name".to_owned(), "b".to_owned()][..], b';'));
        assert_eq!(cells(&table), [(5, vec!["  x ", " "]), (8, vec!["z", "1"])]);
    }

    #[test]
    fn wrong_encoding_names_line_and_column() {
        let error = err(b"firstName,lastName\nJos\xe9,Garc\xeda\n", "people.csv");
        assert_eq!(error, ImportError::NotUtf8 { line: 2, column: 4 });
        let message = error.to_string();
        assert!(message.contains("line 2, column 4") && message.contains("CSV UTF-8"), "{message}");
        // A multi-byte character before it counts once.
        assert_eq!(err(b"a\n\xc3\xbc\xe9", "x.csv"), ImportError::NotUtf8 { line: 2, column: 2 });
    }

    #[test]
    fn utf16_with_or_without_bom() {
        assert_eq!(err(b"\xFF\xFEa\0,\0b\0", "x.csv"), ImportError::Utf16);
        assert_eq!(err(b"\xFE\xFF\0a\0,\0b", "x.csv"), ImportError::Utf16);
        let utf16le: Vec<u8> = "firstName,lastName\nAda,Lovelace\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(err(&utf16le, "x.csv"), ImportError::Utf16);
        assert!(err(b"\xFF\xFE", "x.csv").to_string().contains("UTF-8"));
    }

    #[test]
    fn binary_files_are_refused() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(err(png, "photo.csv"), ImportError::Binary { offset: 8 });
        let zip = b"PK\x03\x04\x14\x00\x06\x00";
        assert_eq!(err(zip, "book.xlsx"), ImportError::Binary { offset: 5 });
        // Control bytes and invalid UTF-8 without a NUL.
        assert_eq!(err(b"\x01\x02\xff\xfe\x03", "x"), ImportError::Binary { offset: 0 });
        // Control bytes in valid UTF-8 are just text (the cell holds them).
        assert!(read_table(b"a,b\n\x01,2\n", "x.csv").is_ok());
    }

    #[test]
    fn empty_and_header_only() {
        for bytes in [&b""[..], b"\xEF\xBB\xBF", b"\n \r\n\t"] {
            assert_eq!(err(bytes, "x.csv"), ImportError::Empty, "{bytes:?}");
            assert_eq!(err(bytes, "x.json"), ImportError::Empty, "{bytes:?}");
        }
        assert_eq!(err(b"firstName,lastName\n", "x.csv"), ImportError::NoRows);
        assert_eq!(err(b"firstName,lastName\n\n,\n", "x.csv"), ImportError::NoRows);
    }

    #[test]
    fn ragged_rows_are_refused_at_their_line() {
        let error = err(b"a,b,c\n1,2,3\n\"x\ny\",2\n4,5,6\n", "x.csv");
        assert_eq!(error, ImportError::RaggedRow { line: 3, expected: 3, found: 2 });
        assert!(error.to_string().starts_with("Line 3 has 2 columns but the header row has 3."));
        assert_eq!(err(b"a,b\n1,2,3\n", "x.csv"), ImportError::RaggedRow { line: 2, expected: 2, found: 3 });
    }

    #[test]
    fn unterminated_quote_names_the_opening_line() {
        assert_eq!(err(b"a,b\n1,2\n3,\"open\n4,5\n6,7\n", "x.csv"), ImportError::UnterminatedQuote { line: 3 });
        assert_eq!(err(b"a,\"b\n1,2\n", "x.csv"), ImportError::UnterminatedQuote { line: 1 });
        // A quote inside an unquoted value, or a doubled one, is not an opening.
        assert!(read_table(b"a,b\n5'11\",x\n\"say \"\"hi\"\"\",y\n", "x.csv").is_ok());
        assert_eq!(err(b"a,b\n\"x\"\"\n", "x.csv"), ImportError::UnterminatedQuote { line: 2 });
    }

    #[test]
    fn size_and_column_caps() {
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        let error = err(&big, "x.csv");
        assert_eq!(error, ImportError::TooLarge { bytes: MAX_FILE_BYTES + 1 });
        assert!(error.to_string().contains("33 MB") && error.to_string().contains("32 MB"), "{error}");
        assert!(read_table(&big[..MAX_FILE_BYTES], "x.csv").is_err_and(|e| e == ImportError::NoRows));

        let mut wide = vec![b'h'; 1];
        wide.extend(std::iter::repeat_n(&b",h"[..], 99_999).flatten());
        wide.extend_from_slice(b"\n1\n");
        assert_eq!(err(&wide, "x.csv"), ImportError::TooManyColumns { found: 100_000 });
        assert!(err(&wide, "x.csv").to_string().contains("100,000 columns"));
        let ok: String = (0..MAX_COLUMNS).map(|i| format!("h{i}")).collect::<Vec<_>>().join(",");
        assert!(read_table(format!("{ok}\n{}\n", ",".repeat(MAX_COLUMNS - 1)).as_bytes(), "x.csv").is_err());
        let row: String = (0..MAX_COLUMNS).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        assert!(read_table(format!("{ok}\n{row}\n").as_bytes(), "x.csv").is_ok());
    }

    #[test]
    fn duplicate_headers_are_refused_unnamed_ones_allowed() {
        assert_eq!(
            err(b"Email,Name, Email\n1,2,3\n", "x.csv"),
            ImportError::DuplicateHeader { name: "Email".to_owned() }
        );
        assert!(read_table(b"a,,\n1,2,3\n", "x.csv").is_ok());
    }

    #[test]
    fn json_array_rows_and_their_lines() {
        let text =
            b"[\n  {\"firstName\": \"Ada\", \"x\": [1, {\"y\": \"],{\"}]},\n  {\"firstName\": \"Bob\"}\n  ,\n\n {}\n]";
        let Ok(ImportTable::Json { format, rows }) = read_table(text, "people.json") else { panic!("not JSON") };
        assert_eq!(format, ImportFormat::JsonArray);
        let got: Vec<(usize, usize)> = rows.iter().map(|r| (r.line, r.number)).collect();
        assert_eq!(got, [(2, 1), (3, 2), (6, 3)]);
        assert_eq!(rows.first().map(|r| &r.body["firstName"]), Some(&json!("Ada")));
        // Content decides when the extension says nothing.
        assert!(matches!(read_table(text, "people.txt"), Ok(ImportTable::Json { .. })));
        assert!(matches!(read_table(text, "people.csv"), Err(ImportError::RaggedRow { .. })));
        assert!(matches!(read_table(text, "people.dat"), Ok(ImportTable::Json { .. })));
    }

    #[test]
    fn json_lines_rows() {
        let text = b"{\"a\": 1}\r\n\n{\"a\": 2}\n";
        for name in ["x.jsonl", "x.ndjson", "x.json", "x"] {
            let Ok(ImportTable::Json { format, rows }) = read_table(text, name) else { panic!("{name}") };
            assert_eq!(format, ImportFormat::JsonLines, "{name}");
            let got: Vec<(usize, usize, Value)> = rows.into_iter().map(|r| (r.line, r.number, r.body)).collect();
            assert_eq!(got, [(1, 1, json!({"a": 1})), (3, 2, json!({"a": 2}))], "{name}");
        }
    }

    #[test]
    fn bad_json_files() {
        assert_eq!(err(b"{\"a\": 1}", "x.json"), ImportError::JsonNotArray { found: "a single object { … }" });
        assert_eq!(err(b"42", "x.json"), ImportError::JsonNotArray { found: "a number" });
        assert_eq!(err(b"\"hi\"", "x.json"), ImportError::JsonNotArray { found: "text" });
        assert_eq!(err(b"null", "x.json"), ImportError::JsonNotArray { found: "null" });
        assert!(err(b"42", "x.json").to_string().contains("holds a number, not a list of customers"));
        assert_eq!(err(b"[]", "x.json"), ImportError::JsonNoItems);
        assert_eq!(err(b"[{}, 3]", "x.json"), ImportError::JsonItemNotObject { number: 2, found: "a number" });
        assert_eq!(err(b"{}\n[1]\n", "x.jsonl"), ImportError::JsonItemNotObject { number: 2, found: "a list [ … ]" });
        let broken = err(b"{\"a\": 1}\n\n{\"a\": 2,}\n{\"a\": 3}\n", "x.jsonl");
        let ImportError::Json { line, column, message } = &broken else { panic!("{broken:?}") };
        assert_eq!((*line, *column), (3, 9), "{message}");
        assert!(broken.to_string().contains("at line 3, column 9"), "{broken}");
        let ImportError::Json { line, .. } = err(b"[\n{\"a\": 1},\n{\"a\" 2}\n]", "x.json") else { panic!("not Json") };
        assert_eq!(line, 3);
        let ImportError::Json { line, .. } = err(b"{\"a\": 1}\n{\"a\": \n", "x.json") else { panic!("not Json") };
        assert_eq!(line, 2);
        assert!(matches!(err(b"[1,", "x"), ImportError::Json { .. }));
    }

    #[test]
    fn every_message_is_a_sentence() {
        let errors = [
            ImportError::Empty,
            ImportError::TooLarge { bytes: 50 * 1024 * 1024 },
            ImportError::Binary { offset: 3 },
            ImportError::NotUtf8 { line: 2, column: 3 },
            ImportError::Utf16,
            ImportError::RaggedRow { line: 4, expected: 3, found: 1 },
            ImportError::UnterminatedQuote { line: 5 },
            ImportError::TooManyColumns { found: 100_000 },
            ImportError::DuplicateHeader { name: "Email".to_owned() },
            ImportError::NoRows,
            ImportError::Csv { line: 1, message: "oops".to_owned() },
            ImportError::Json { line: 1, column: 2, message: "expected value".to_owned() },
            ImportError::JsonNotArray { found: "a number" },
            ImportError::JsonItemNotObject { number: 2, found: "text" },
            ImportError::JsonNoItems,
        ];
        for error in errors {
            let message = error.to_string();
            assert!(message.starts_with(char::is_uppercase) && message.ends_with('.'), "{message}");
        }
        assert!(ImportError::RaggedRow { line: 4, expected: 3, found: 1 }.to_string().contains("has 1 column but"));
    }

    #[test]
    fn bad_rows_can_be_left_out_when_asked_and_keep_the_others_numbers() {
        let text = b"a,b\n1,2\n3\n5,6\n7,8,9\n";
        assert_eq!(err(text, "x.csv"), ImportError::RaggedRow { line: 3, expected: 2, found: 1 });
        let (table, skipped) = read_table_skipping_bad_rows(text, "x.csv").expect("the readable rows");
        let ImportTable::Csv(table) = table else { panic!("CSV") };
        let kept: Vec<(usize, usize)> = table.rows.iter().map(|row| (row.line, row.number)).collect();
        assert_eq!(kept, [(2, 1), (4, 3)], "row numbers count the rows left out");
        assert_eq!(skipped.iter().map(|row| row.line).collect::<Vec<_>>(), [3, 5]);
        assert!(skipped.iter().all(|row| row.reason.is_about_one_row()));

        let lines = b"{\"firstName\": \"Ada\"}\n{broken\n[1]\n{\"firstName\": \"Grace\"}\n";
        assert!(matches!(err(lines, "x.jsonl"), ImportError::Json { line: 2, .. }));
        let (table, skipped) = read_table_skipping_bad_rows(lines, "x.jsonl").expect("the readable lines");
        let ImportTable::Json { rows, .. } = table else { panic!("JSON") };
        assert_eq!(rows.iter().map(|row| (row.line, row.number)).collect::<Vec<_>>(), [(1, 1), (4, 4)]);
        assert_eq!(skipped.len(), 2);
        assert!(matches!(skipped[1].reason, ImportError::JsonItemNotObject { number: 3, .. }));

        // Nothing readable at all: the first row's problem, not "no rows".
        let none = b"a,b\n1\n2\n";
        assert_eq!(
            read_table_skipping_bad_rows(none, "x.csv").map(|(t, _)| t.len()),
            Err(ImportError::RaggedRow { line: 2, expected: 2, found: 1 })
        );
        // A problem of the whole file is never skipped.
        assert_eq!(read_table_skipping_bad_rows(b"", "x.csv").map(|(t, _)| t.len()), Err(ImportError::Empty));
        assert!(!ImportError::Empty.is_about_one_row());
    }
}
