//! Finosu's `externalMetadata` as key/value rows, kept in step with its JSON text.
//!
//! The JSON text is the source of truth; rows are a second view of a top-level object. A value
//! cell holds JSON when it parses as JSON (`42`, `true`, `{"a": 1}`), plain text otherwise, and a
//! string that would read as JSON is shown quoted, so every value survives a round trip.

use serde_json::{Map, Value};

/// One top-level key of the metadata object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataRow {
    /// The key.
    pub key: String,
    /// The value as shown in its cell.
    pub value: String,
}

/// The rows of a metadata text: `Some(empty)` for blank text, `None` when the text is not a
/// JSON object (rows cannot show it; the text editor says why).
pub fn rows_from_text(text: &str) -> Option<Vec<MetadataRow>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    Some(object.into_iter().map(|(key, value)| MetadataRow { key, value: cell_text(&value) }).collect())
}

/// Pretty JSON text for `rows`; rows with an empty key are left out, and a later row wins over
/// an earlier one with the same key. No rows gives empty text (the field is then not sent).
pub fn text_from_rows(rows: &[MetadataRow]) -> String {
    let object: Map<String, Value> = rows
        .iter()
        .filter(|row| !row.key.trim().is_empty())
        .map(|row| (row.key.trim().to_owned(), cell_value(&row.value)))
        .collect();
    if object.is_empty() {
        return String::new();
    }
    serde_json::to_string_pretty(&Value::Object(object)).unwrap_or_default()
}

/// How a value is shown in its cell.
pub fn cell_text(value: &Value) -> String {
    match value {
        Value::String(s) if serde_json::from_str::<Value>(s).is_err() => s.clone(),
        other => other.to_string(),
    }
}

/// The value a cell stands for.
pub fn cell_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rows_and_text_round_trip_every_json_type() {
        let text = serde_json::to_string_pretty(&json!({
            "employer": {"name": "Acme"}, "payDay": 15, "remote": true, "note": "plain words",
            "quoted": "42", "nothing": null, "tags": ["a", "b"]
        }))
        .unwrap();
        let rows = rows_from_text(&text).unwrap();
        assert_eq!(rows[1], MetadataRow { key: "payDay".into(), value: "15".into() });
        assert_eq!(rows[3], MetadataRow { key: "note".into(), value: "plain words".into() });
        assert_eq!(rows[4], MetadataRow { key: "quoted".into(), value: "\"42\"".into() });
        assert_eq!(text_from_rows(&rows), text);
    }

    #[test]
    fn non_objects_have_no_rows() {
        assert_eq!(rows_from_text("  "), Some(vec![]));
        assert_eq!(rows_from_text("[1]"), None);
        assert_eq!(rows_from_text("{\"a\": "), None);
    }

    #[test]
    fn empty_keys_are_skipped_and_later_rows_win() {
        let rows = vec![
            MetadataRow { key: "a".into(), value: "1".into() },
            MetadataRow { key: String::new(), value: "lost".into() },
            MetadataRow { key: "a".into(), value: "2".into() },
        ];
        assert_eq!(text_from_rows(&rows), "{\n  \"a\": 2\n}");
        assert_eq!(text_from_rows(&[]), "");
    }
}
