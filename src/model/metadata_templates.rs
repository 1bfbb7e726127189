//! Named external-metadata templates, kept on a Finosu profile to start a draft's metadata from.
//!
//! A template is a plain JSON object in the profiles file, which is not a secret store: it must
//! hold nothing secret or masked. [`template_refusal`] is the one rule, used by the window
//! before saving and by the profile store again on every write.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One named metadata object (`{"employer": {"name": ""}, "paySchedule": "biweekly"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataTemplate {
    /// Shown in the picker; unique per profile (case-insensitive).
    pub name: String,
    /// The members a draft's metadata starts from.
    pub metadata: Map<String, Value>,
}

/// Longest template name.
pub const TEMPLATE_NAME_MAX_CHARS: usize = 80;

/// Words a key of a template may not contain (lower case, spaces and punctuation removed):
/// such a value is secret or masked on screen, and the profiles file is plain text.
const FORBIDDEN_KEY_WORDS: &[&str] =
    &["ssn", "socialsecurity", "password", "passwd", "secret", "token", "apikey", "authorization"];

/// Why `metadata` may not be kept as a template, or `None` when it may.
///
/// `masked` are values the form masks (the draft's SSN last four): a value equal to one is
/// refused, as is a value shaped like a whole SSN or a key naming a secret.
pub fn template_refusal(metadata: &Map<String, Value>, masked: &[&str]) -> Option<String> {
    if metadata.is_empty() {
        return Some("The metadata is empty: there is nothing to keep as a template.".to_owned());
    }
    let masked: Vec<&str> = masked.iter().map(|m| m.trim()).filter(|m| !m.is_empty()).collect();
    find_refusal(metadata, "", &masked)
}

fn find_refusal(object: &Map<String, Value>, prefix: &str, masked: &[&str]) -> Option<String> {
    object.iter().find_map(|(key, value)| {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        let squeezed: String = key.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
        if FORBIDDEN_KEY_WORDS.iter().any(|word| squeezed.contains(word)) {
            return Some(format!("{path:?} looks like a secret or the SSN: templates are kept in plain text."));
        }
        value_refusal(value, &path, masked)
    })
}

fn value_refusal(value: &Value, path: &str, masked: &[&str]) -> Option<String> {
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        Value::Object(object) => return find_refusal(object, path, masked),
        Value::Array(items) => {
            return items.iter().enumerate().find_map(|(n, item)| value_refusal(item, &format!("{path}.{n}"), masked));
        }
        Value::Bool(_) | Value::Null => return None,
    };
    if masked.contains(&text.as_str()) || looks_like_ssn(&text) {
        return Some(format!("{path:?} holds the SSN or a masked value: templates are kept in plain text."));
    }
    None
}

/// Nine digits, with or without the dashes of `123-45-6789`.
fn looks_like_ssn(text: &str) -> bool {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let dashed = text.len() == 11
        && text.chars().enumerate().all(|(i, c)| if i == 3 || i == 6 { c == '-' } else { c.is_ascii_digit() });
    digits.len() == 9 && (dashed || digits.len() == text.len())
}

/// A template name, trimmed: 1 to [`TEMPLATE_NAME_MAX_CHARS`] characters.
pub fn check_template_name(name: &str) -> Option<String> {
    let name = name.trim();
    (!name.is_empty() && name.chars().count() <= TEMPLATE_NAME_MAX_CHARS).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: &Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn templates_refuse_secrets_the_ssn_and_masked_values() {
        let fine = object(&json!({"employer": {"name": ""}, "paySchedule": "biweekly", "payDay": 1234.5}));
        assert_eq!(template_refusal(&fine, &["1234"]), None);
        let cases = [
            (json!({"employer": {"SSN last 4": "x"}}), "\"employer.SSN last 4\" looks like a secret"),
            (json!({"api_key": ""}), "\"api_key\" looks like a secret"),
            (json!({"ids": ["a", "123-45-6789"]}), "\"ids.1\" holds the SSN"),
            (json!({"n": 123_456_789}), "\"n\" holds the SSN"),
            (json!({"last": " 1234 "}), "\"last\" holds the SSN or a masked value"),
        ];
        for (value, expected) in cases {
            let refusal = template_refusal(&object(&value), &["1234"]).unwrap_or_default();
            assert!(refusal.starts_with(expected), "{value}: {refusal}");
        }
        assert!(template_refusal(&Map::new(), &[]).is_some());
        assert_eq!(check_template_name("  Pay  "), Some("Pay".to_owned()));
        assert_eq!(check_template_name(" "), None);
    }
}
