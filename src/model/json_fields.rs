//! Small helpers shared by the two drafts for moving between JSON values and form text.

use serde_json::{Map, Value};

/// Takes a text field out of `body`. Strings and other scalars become text (a number typed into
/// a JSON file is still what the person meant); objects and arrays stay in `extra` so that
/// validation reports them at their path and nothing is lost.
pub(crate) fn take_text(body: &mut Map<String, Value>, key: &str, extra: &mut Map<String, Value>) -> String {
    match body.remove(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(scalar @ (Value::Number(_) | Value::Bool(_))) => scalar.to_string(),
        Some(other) => {
            extra.insert(key.to_owned(), other);
            String::new()
        }
    }
}

/// Takes a boolean out of `body`; the strings "true"/"false" are read too, anything else is
/// kept in `extra` for validation to report.
pub(crate) fn take_bool(body: &mut Map<String, Value>, key: &str, extra: &mut Map<String, Value>) -> Option<bool> {
    match body.remove(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        Some(other) => {
            extra.insert(key.to_owned(), other);
            None
        }
    }
}

/// Puts `value` under `key` unless it is empty or only whitespace.
///
/// Whitespace-only text is kept (validation treats it as empty after trimming) so that what the
/// person typed survives a save and reopen exactly.
pub(crate) fn put_text(body: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        body.insert(key.to_owned(), Value::String(value.to_owned()));
    }
}
