//! The Finosu customer draft (`POST /customers`), field names as in the seed.

use serde_json::{Map, Value};

use super::json_fields::{put_text, take_bool, take_text};

/// What the Finosu form edits. Every text is kept exactly as typed; trimming and E.164 happen
/// in [`crate::normalize`] when the body is built for sending.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FinosuDraft {
    /// Your reference for the customer (`id`).
    pub id: String,
    /// `firstName`.
    pub first_name: String,
    /// `lastName`.
    pub last_name: String,
    /// `email`.
    pub email: String,
    /// `phoneNumber`, as typed; sent as E.164.
    pub phone_number: String,
    /// `timezone`, an IANA name.
    pub timezone: String,
    /// `birthday`, `YYYY-MM-DD`.
    pub birthday: String,
    /// `ssnLastFour`; masked on screen.
    pub ssn_last_four: String,
    /// `streetAddress1`.
    pub street_address1: String,
    /// `streetAddress2`.
    pub street_address2: String,
    /// `city`.
    pub city: String,
    /// `state`, a USPS code.
    pub state: String,
    /// `zipCode`.
    pub zip_code: String,
    /// `taskType`.
    pub task_type: String,
    /// `doNotCall`.
    pub do_not_call: bool,
    /// The one "test customer" checkbox, sent as both `isTest` and `test`.
    pub test_customer: bool,
    /// `externalMetadata` as JSON text, so a half-typed object is not lost.
    pub external_metadata: String,
    /// Fields the form has no editor for: unknown names, or values of the wrong type.
    pub extra: Map<String, Value>,
}

impl FinosuDraft {
    /// The body as typed, empty text left out. An `externalMetadata` text that is not valid
    /// JSON is carried as a string, which validation reports with its line and column.
    pub fn to_json(&self) -> Value {
        let mut body = self.extra.clone();
        let texts = [
            ("id", &self.id),
            ("firstName", &self.first_name),
            ("lastName", &self.last_name),
            ("email", &self.email),
            ("phoneNumber", &self.phone_number),
            ("timezone", &self.timezone),
            ("birthday", &self.birthday),
            ("ssnLastFour", &self.ssn_last_four),
            ("streetAddress1", &self.street_address1),
            ("streetAddress2", &self.street_address2),
            ("city", &self.city),
            ("state", &self.state),
            ("zipCode", &self.zip_code),
            ("taskType", &self.task_type),
        ];
        for (key, value) in texts {
            put_text(&mut body, key, value);
        }
        // A flag kept in `extra` (a value that is not true/false) stays there for validation to
        // report; the checkbox does not overwrite it.
        for (key, value) in
            [("doNotCall", self.do_not_call), ("isTest", self.test_customer), ("test", self.test_customer)]
        {
            body.entry(key).or_insert(Value::Bool(value));
        }
        if !self.external_metadata.trim().is_empty() {
            let metadata = serde_json::from_str::<Value>(&self.external_metadata)
                .unwrap_or_else(|_| Value::String(self.external_metadata.clone()));
            body.insert("externalMetadata".to_owned(), metadata);
        }
        Value::Object(body)
    }

    /// Reads a body; see [`super::Draft::from_json`].
    pub fn from_json(body: &Value) -> Self {
        let mut fields = body.as_object().cloned().unwrap_or_default();
        let mut extra = Map::new();
        let f = &mut fields;
        let x = &mut extra;
        let mut draft = Self {
            id: take_text(f, "id", x),
            first_name: take_text(f, "firstName", x),
            last_name: take_text(f, "lastName", x),
            email: take_text(f, "email", x),
            phone_number: take_text(f, "phoneNumber", x),
            timezone: take_text(f, "timezone", x),
            birthday: take_text(f, "birthday", x),
            ssn_last_four: take_text(f, "ssnLastFour", x),
            street_address1: take_text(f, "streetAddress1", x),
            street_address2: take_text(f, "streetAddress2", x),
            city: take_text(f, "city", x),
            state: take_text(f, "state", x),
            zip_code: take_text(f, "zipCode", x),
            task_type: take_text(f, "taskType", x),
            do_not_call: take_bool(f, "doNotCall", x).unwrap_or(false),
            test_customer: false,
            external_metadata: String::new(),
            extra: Map::new(),
        };
        let is_test = take_bool(f, "isTest", x);
        let test = take_bool(f, "test", x);
        draft.test_customer = is_test.unwrap_or(false) || test.unwrap_or(false);
        draft.external_metadata = match f.remove("externalMetadata") {
            None | Some(Value::Null) => String::new(),
            // Text that reads as JSON other than an object (`null`, `5`, `"x"`) is shown as a
            // JSON string, so that it is not turned into that value when sent or saved. An
            // object in a string is read as the object: the one repair the editor makes.
            Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(_)) | Err(_) => text,
                Ok(_) => Value::String(text).to_string(),
            },
            Some(value) => serde_json::to_string_pretty(&value).unwrap_or_default(),
        };
        // What is left has no editor: keep it, after the wrong-typed known fields.
        extra.extend(fields);
        draft.extra = extra;
        draft
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn round_trips_a_full_body() {
        let body = json!({
            "id": "C-1", "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
            "phoneNumber": "(415) 555-0123", "timezone": "America/Los_Angeles", "birthday": "1985-06-15",
            "ssnLastFour": "1234", "streetAddress1": "1 Main St", "streetAddress2": "Apt 4B",
            "city": "San Francisco", "state": "CA", "zipCode": "94102", "taskType": "collections",
            "doNotCall": true, "isTest": true, "test": true,
            "externalMetadata": {"employer": {"name": "Acme"}}
        });
        let draft = FinosuDraft::from_json(&body);
        assert!(draft.extra.is_empty(), "nothing unknown: {:?}", draft.extra);
        assert_eq!(draft.to_json(), body);
    }

    #[test]
    fn keeps_unknown_and_wrong_typed_fields() {
        let body = json!({"firstName": {"a": 1}, "nickname": "Al", "zipCode": 94102});
        let draft = FinosuDraft::from_json(&body);
        assert_eq!(draft.zip_code, "94102");
        assert_eq!(draft.first_name, "");
        assert_eq!(draft.extra.get("firstName"), Some(&json!({"a": 1})));
        assert_eq!(draft.extra.get("nickname"), Some(&json!("Al")));
        let again = draft.to_json();
        assert_eq!(again["nickname"], json!("Al"));
        assert_eq!(again["firstName"], json!({"a": 1}));
    }

    #[test]
    fn tolerates_missing_fields_and_non_objects() {
        assert_eq!(FinosuDraft::from_json(&json!({})), FinosuDraft::default());
        assert_eq!(FinosuDraft::from_json(&json!([1, 2])), FinosuDraft::default());
    }

    #[test]
    fn half_typed_metadata_travels_as_text() {
        let draft = FinosuDraft { external_metadata: "{\"a\": ".to_owned(), ..Default::default() };
        assert_eq!(draft.to_json()["externalMetadata"], json!("{\"a\": "));
    }
}
