//! Builds the body that is actually sent from a draft body: trimmed, empty optionals left out,
//! phone numbers in E.164, codes in their canonical case, one test flag sent twice.
//!
//! It walks the same rule tables as validation, so a field's kind decides both how it is
//! checked and how it is sent. Values of the wrong type are passed through unchanged (validation
//! blocks sending them); fields the backend does not have are dropped. Normalising twice gives
//! the same body as normalising once.

use serde_json::{Map, Value};

use crate::model::Backend;
use crate::reference::timezones;
use crate::validation::{CrossRule, FieldRule, Kind, phone_e164, rules_for};

/// The request body for `draft`, ready to send.
pub fn normalize_for_sending(backend: Backend, draft: &Value) -> Value {
    let Some(body) = draft.as_object() else {
        return draft.clone();
    };
    let rules = rules_for(backend);
    let mut out = normalize_object(body, rules.fields);
    for rule in rules.cross {
        if let CrossRule::SameBool { a, b } = rule {
            let (a_key, b_key) = (a.trim_start_matches('/'), b.trim_start_matches('/'));
            let flags = [out.get(a_key), out.get(b_key)];
            if flags.iter().all(|f| f.is_none_or(Value::is_boolean)) && flags.iter().any(Option::is_some) {
                let value = flags.iter().any(|f| f.and_then(Value::as_bool).unwrap_or(false));
                out.insert(a_key.to_owned(), Value::Bool(value));
                out.insert(b_key.to_owned(), Value::Bool(value));
            }
        }
    }
    Value::Object(out)
}

fn normalize_object(object: &Map<String, Value>, rules: &[FieldRule]) -> Map<String, Value> {
    rules
        .iter()
        .filter_map(|rule| {
            let value = normalize_value(object.get(rule.key)?, &rule.kind)?;
            Some((rule.key.to_owned(), value))
        })
        .collect()
}

fn normalize_value(value: &Value, kind: &Kind) -> Option<Value> {
    match (kind, value) {
        (_, Value::Null) => None,
        (Kind::Object(rules), Value::Object(object)) => {
            let fields = normalize_object(object, rules);
            (!fields.is_empty()).then_some(Value::Object(fields))
        }
        (Kind::List { item, .. }, Value::Array(items)) => {
            let items: Vec<Value> = items.iter().filter_map(|entry| normalize_value(entry, item)).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        (Kind::Properties, Value::Object(properties)) => {
            let properties: Map<String, Value> = properties
                .iter()
                .filter_map(|(slug, value)| match value {
                    Value::Null => None,
                    Value::String(s) if s.trim().is_empty() => None,
                    Value::String(s) => Some((slug.clone(), Value::String(s.trim().to_owned()))),
                    other => Some((slug.clone(), other.clone())),
                })
                .collect();
            (!properties.is_empty()).then_some(Value::Object(properties))
        }
        // Blank text counts as absent for every kind (validation agrees), and an empty metadata
        // object says nothing: neither is sent.
        (_, Value::String(text)) if text.trim().is_empty() => None,
        (Kind::JsonObject, Value::Object(object)) if object.is_empty() => None,
        (Kind::JsonObject | Kind::Bool, other) => Some(other.clone()),
        (_, Value::String(text)) => {
            let text = text.trim();
            (!text.is_empty()).then(|| Value::String(normalize_text(kind, text)))
        }
        (_, other) => Some(other.clone()),
    }
}

fn normalize_text(kind: &Kind, text: &str) -> String {
    match kind {
        // E.164 has no room for an extension: such a number (or an invalid one) is kept as typed.
        Kind::Phone => phone_e164(text).unwrap_or_else(|| text.to_owned()),
        Kind::UsState | Kind::CountryCode => text.to_uppercase(),
        Kind::OneOf(_) => text.to_lowercase(),
        Kind::Timezone => timezones::canonical_timezone(text).map_or_else(|| text.to_owned(), str::to_owned),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finosu_body_is_trimmed_and_normalised() {
        let draft = json!({
            "firstName": "  Ada ", "lastName": "Lovelace", "phoneNumber": "(415) 555-0123",
            "state": "ca", "timezone": "america/los_angeles", "streetAddress2": "   ",
            "isTest": true, "test": false, "nickname": "Al", "externalMetadata": {"a": 1}
        });
        let sent = normalize_for_sending(Backend::Finosu, &draft);
        assert_eq!(
            sent,
            json!({
                "firstName": "Ada", "lastName": "Lovelace", "phoneNumber": "+14155550123", "state": "CA",
                "timezone": "America/Los_Angeles", "isTest": true, "test": true, "externalMetadata": {"a": 1}
            })
        );
    }

    #[test]
    fn help_scout_lists_and_address_drop_empty_parts() {
        let draft = json!({
            "gender": "Male", "photoType": "Twitter",
            "emails": [{"type": "Work", "value": " bear@acme.com "}, {"type": "", "value": ""}],
            "phones": [{"type": "mobile", "value": "415.555.0123"}],
            "address": {"lines": ["", " 1 Main "], "city": " ", "country": "us"},
            "websites": [], "properties": {"car": " Tesla ", "empty": "", "size": 44}
        });
        let sent = normalize_for_sending(Backend::HelpScout, &draft);
        assert_eq!(
            sent,
            json!({
                "gender": "male", "photoType": "twitter",
                "emails": [{"type": "work", "value": "bear@acme.com"}],
                "phones": [{"type": "mobile", "value": "+14155550123"}],
                "address": {"lines": ["1 Main"], "country": "US"},
                "properties": {"car": "Tesla", "size": 44}
            })
        );
    }

    #[test]
    fn phone_with_extension_is_kept_as_typed() {
        let sent = normalize_for_sending(Backend::HelpScout, &json!({"phone": "415-555-0123 ext. 7"}));
        assert_eq!(sent, json!({"phone": "415-555-0123 ext. 7"}));
    }
}
