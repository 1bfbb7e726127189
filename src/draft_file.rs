//! Reading and writing draft files: JSON request bodies on disk, with clear errors for files
//! that are too big, not text, or not JSON.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::model::Backend;
use crate::validation::rules_for;

/// Largest draft file accepted. A customer is a few kilobytes; anything near this is a mistake
/// (a wrong file picked) and is refused before it is read into memory.
pub const MAX_DRAFT_BYTES: u64 = 1024 * 1024;

/// Why a draft file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum DraftFileError {
    /// The OS refused the read or write.
    #[error("cannot {action} the file: {source} ({path})")]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
        /// The file.
        path: PathBuf,
    },
    /// The file is larger than [`MAX_DRAFT_BYTES`].
    #[error(
        "the file is {} — too big to be a draft (the limit is 1 MB; a file of many customers is imported instead: Import… or intake import) ({path})",
        human_size(*size)
    )]
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The file.
        path: PathBuf,
    },
    /// The bytes are not UTF-8 text.
    #[error("the file is not text (it is not UTF-8) ({path})")]
    NotText {
        /// The file.
        path: PathBuf,
    },
    /// The text is not JSON.
    #[error("the file is not valid JSON: {reason} at line {line}, column {column} ({path})")]
    NotJson {
        /// `serde_json`'s explanation, without its position.
        reason: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The file.
        path: PathBuf,
    },
}

fn human_size(bytes: u64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "a size shown to one decimal")]
    let megabytes = bytes as f64 / 1_000_000.0;
    if megabytes >= 0.1 { format!("{megabytes:.1} MB") } else { format!("{bytes} bytes") }
}

/// Reads a draft file as JSON (any JSON value; whether it is a usable draft is validation's
/// business).
pub fn read_draft_file(path: &Path) -> Result<Value, DraftFileError> {
    let io_error = |source| DraftFileError::Io { action: "read", source, path: path.to_owned() };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    if size > MAX_DRAFT_BYTES {
        return Err(DraftFileError::TooLarge { size, path: path.to_owned() });
    }
    let mut bytes = Vec::new();
    // `take` guards against files that grow, or report no size (pipes, /proc).
    file.take(MAX_DRAFT_BYTES + 1).read_to_end(&mut bytes).map_err(io_error)?;
    if bytes.len() as u64 > MAX_DRAFT_BYTES {
        return Err(DraftFileError::TooLarge { size: bytes.len() as u64, path: path.to_owned() });
    }
    let text = String::from_utf8(bytes).map_err(|_not_utf8| DraftFileError::NotText { path: path.to_owned() })?;
    parse_draft_text(&text).map_err(|err| {
        let reason = err.to_string();
        let reason = reason.rfind(" at line ").map_or(reason.as_str(), |at| &reason[..at]).to_owned();
        DraftFileError::NotJson { reason, line: err.line(), column: err.column(), path: path.to_owned() }
    })
}

/// Parses draft text, allowing a UTF-8 byte-order mark.
pub fn parse_draft_text(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Writes a draft as pretty JSON, through a temporary file renamed into place so that a crash
/// never leaves half a file.
pub fn write_draft_file(path: &Path, draft: &Value) -> Result<(), DraftFileError> {
    let io_error = |source| DraftFileError::Io { action: "write", source, path: path.to_owned() };
    let mut text = serde_json::to_string_pretty(draft).map_err(|e| io_error(std::io::Error::other(e)))?;
    text.push('\n');
    crate::atomic_write::write_atomically(path, text.as_bytes()).map_err(io_error)
}

/// Which backend a body was most likely written for, by counting the top-level keys each
/// backend knows; `None` when it is a tie (an empty object, say).
pub fn guess_backend(body: &Value) -> Option<Backend> {
    let keys = body.as_object()?;
    let score = |backend: Backend| {
        let rules = rules_for(backend).fields;
        keys.keys().filter(|key| rules.iter().any(|rule| rule.key == key.as_str())).count()
    };
    let (finosu, help_scout) = (score(Backend::Finosu), score(Backend::HelpScout));
    match finosu.cmp(&help_scout) {
        std::cmp::Ordering::Greater => Some(Backend::Finosu),
        std::cmp::Ordering::Less => Some(Backend::HelpScout),
        std::cmp::Ordering::Equal => None,
    }
}

/// A file name for saving a draft, from the customer's name ("ada-lovelace.json").
pub fn suggested_file_name(first_name: &str, last_name: &str) -> String {
    let slug: String = format!("{first_name} {last_name}")
        .trim()
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() { "customer.json".to_owned() } else { format!("{slug}.json") }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn refuses_big_files_before_reading_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b' '; 10 * 1024 * 1024]).unwrap();
        let err = read_draft_file(&path).unwrap_err();
        assert!(matches!(err, DraftFileError::TooLarge { .. }), "{err}");
        assert!(err.to_string().starts_with("the file is 10.5 MB — too big"), "{err}");
    }

    #[test]
    fn names_line_and_column_of_bad_json() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.json");
        std::fs::write(&path, "{\n  \"firstName\": \"Ada\",\n  oops\n}").unwrap();
        let err = read_draft_file(&path).unwrap_err();
        let DraftFileError::NotJson { line, column, .. } = &err else { panic!("{err}") };
        assert_eq!((*line, *column), (3, 3));
        assert!(err.to_string().contains("at line 3, column 3"), "{err}");
    }

    #[test]
    fn binary_and_missing_files_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin.json");
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        assert!(matches!(read_draft_file(&path), Err(DraftFileError::NotText { .. })));
        let missing = read_draft_file(&dir.path().join("nope.json")).unwrap_err();
        assert!(missing.to_string().starts_with("cannot read the file"), "{missing}");
    }

    #[test]
    fn write_then_read_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        let body = json!({"firstName": "Ada", "emails": [{"type": "work", "value": "a@b.co"}]});
        write_draft_file(&path, &body).unwrap();
        assert_eq!(read_draft_file(&path).unwrap(), body);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temp file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_saved_draft_is_private_and_its_chosen_folder_is_left_alone() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.path().join("ada.json");
        std::fs::write(&path, "{}").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_draft_file(&path, &json!({"firstName": "Ada"})).unwrap();
        assert_eq!((mode(&path), mode(dir.path())), (0o600, 0o755));
    }

    #[test]
    fn guesses_backend_from_keys() {
        assert_eq!(guess_backend(&json!({"firstName": "A", "zipCode": "1"})), Some(Backend::Finosu));
        assert_eq!(guess_backend(&json!({"firstName": "A", "emails": []})), Some(Backend::HelpScout));
        assert_eq!(guess_backend(&json!({"firstName": "A"})), None);
    }

    #[test]
    fn file_names_from_names() {
        assert_eq!(suggested_file_name("Ada", "Lovelace"), "ada-lovelace.json");
        assert_eq!(suggested_file_name(" ", ""), "customer.json");
        assert_eq!(suggested_file_name("Jean-Luc", "O'Neil"), "jean-luc-o-neil.json");
    }
}
