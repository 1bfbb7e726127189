//! The Help Scout customer draft (`POST /v2/customers`), field names as in the seed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::json_fields::{put_text, take_text};

/// One row of a typed list (emails, phones, chats, social profiles, websites).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListEntry {
    /// The entry's `type` (work, mobile, skype…); websites have none.
    pub kind: String,
    /// The entry's `value`.
    pub value: String,
    /// Other keys the entry carried, kept so nothing is lost.
    pub extra: Map<String, Value>,
}

impl ListEntry {
    /// An entry with this type and value.
    pub fn new(kind: &str, value: &str) -> Self {
        Self { kind: kind.to_owned(), value: value.to_owned(), extra: Map::new() }
    }

    fn to_json(&self) -> Value {
        let mut entry = self.extra.clone();
        put_text(&mut entry, "type", &self.kind);
        put_text(&mut entry, "value", &self.value);
        Value::Object(entry)
    }

    fn from_json(value: &Value) -> Option<Self> {
        let mut fields = value.as_object()?.clone();
        let mut extra = Map::new();
        let kind = take_text(&mut fields, "type", &mut extra);
        let value = take_text(&mut fields, "value", &mut extra);
        extra.extend(fields);
        Some(Self { kind, value, extra })
    }
}

/// How a custom property's value is typed (Help Scout's property types).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PropertyKind {
    /// A string of at most 255 characters.
    #[default]
    Text,
    /// An integer.
    Number,
    /// `true` or `false`.
    Bool,
    /// A valid URL.
    Url,
    /// `YYYY-MM-DD`.
    Date,
    /// One of the definition's options (only from fetched definitions).
    Dropdown,
}

/// A custom property as Help Scout defines it (`GET /v2/customer-properties`), cached on the
/// profile so the form can offer typed editors offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyDefinition {
    /// The key under `properties`.
    pub slug: String,
    /// The name shown in Help Scout.
    pub name: String,
    /// How its value is typed.
    #[serde(rename = "type")]
    pub kind: PropertyKind,
    /// A dropdown's option labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl PropertyKind {
    /// The kinds a row can be given by hand, for the row's type picker (a dropdown needs its
    /// options, which only a fetched definition has).
    pub const ALL: [Self; 5] = [Self::Text, Self::Number, Self::Bool, Self::Url, Self::Date];

    /// The name Help Scout uses for the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Bool => "bool",
            Self::Url => "url",
            Self::Date => "date",
            Self::Dropdown => "dropdown",
        }
    }

    /// Best guess of the kind from a value found in a draft file.
    fn infer(value: &Value) -> Option<Self> {
        match value {
            Value::Number(_) => Some(Self::Number),
            Value::Bool(_) => Some(Self::Bool),
            Value::String(s) if s.starts_with("https://") || s.starts_with("http://") => Some(Self::Url),
            Value::String(s) if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() => Some(Self::Date),
            Value::String(_) => Some(Self::Text),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }
}

/// One custom property row: slug, its type, and the value as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PropertyRow {
    /// The property's slug (the key under `properties`).
    pub slug: String,
    /// How the value is typed when sent.
    pub kind: PropertyKind,
    /// The value as text ("44", "true", "2019-01-02").
    pub value: String,
}

impl PropertyRow {
    /// The JSON value this row sends: numbers and booleans typed when they parse, text otherwise
    /// (validation then says what is wrong).
    pub fn json_value(&self) -> Value {
        let text = self.value.trim();
        match self.kind {
            PropertyKind::Number => text
                .parse::<i64>()
                .map(Value::from)
                .ok()
                .or_else(|| text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number))
                .unwrap_or_else(|| Value::String(self.value.clone())),
            PropertyKind::Bool => match text {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(self.value.clone()),
            },
            PropertyKind::Text | PropertyKind::Url | PropertyKind::Date | PropertyKind::Dropdown => {
                Value::String(self.value.clone())
            }
        }
    }
}

/// What the Help Scout form edits. Texts are kept as typed; see [`crate::normalize`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HelpScoutDraft {
    /// `firstName`.
    pub first_name: String,
    /// `lastName`.
    pub last_name: String,
    /// `emails[]`.
    pub emails: Vec<ListEntry>,
    /// `phones[]`.
    pub phones: Vec<ListEntry>,
    /// `phone`, the single phone number used when creating.
    pub phone: String,
    /// `jobTitle`.
    pub job_title: String,
    /// `organization`.
    pub organization: String,
    /// `age` (free text such as "30-35").
    pub age: String,
    /// `gender`.
    pub gender: String,
    /// `location`.
    pub location: String,
    /// `address.lines[]`.
    pub address_lines: Vec<String>,
    /// `address.city`.
    pub city: String,
    /// `address.state`.
    pub state: String,
    /// `address.postalCode`.
    pub postal_code: String,
    /// `address.country`, ISO 3166-1 alpha-2.
    pub country: String,
    /// Other keys found in `address`.
    pub address_extra: Map<String, Value>,
    /// `background` (the Notes field).
    pub background: String,
    /// `websites[]` (value only).
    pub websites: Vec<ListEntry>,
    /// `socialProfiles[]`.
    pub social_profiles: Vec<ListEntry>,
    /// `chats[]`.
    pub chats: Vec<ListEntry>,
    /// `photoUrl`.
    pub photo_url: String,
    /// `photoType`.
    pub photo_type: String,
    /// `properties`, one row per slug.
    pub properties: Vec<PropertyRow>,
    /// Properties whose value cannot be edited as a row (null, arrays, objects).
    pub properties_extra: Map<String, Value>,
    /// Fields the form has no editor for: unknown names, or values of the wrong type.
    pub extra: Map<String, Value>,
}

/// The list fields, by JSON key, for code that treats them alike.
pub const LIST_KEYS: [&str; 5] = ["emails", "phones", "chats", "socialProfiles", "websites"];

impl HelpScoutDraft {
    /// The list stored under a JSON key of [`LIST_KEYS`].
    pub fn list_mut(&mut self, key: &str) -> Option<&mut Vec<ListEntry>> {
        match key {
            "emails" => Some(&mut self.emails),
            "phones" => Some(&mut self.phones),
            "chats" => Some(&mut self.chats),
            "socialProfiles" => Some(&mut self.social_profiles),
            "websites" => Some(&mut self.websites),
            _ => None,
        }
    }

    /// The declared type of each property row, for validating values by type.
    pub fn property_kinds(&self) -> BTreeMap<String, PropertyKind> {
        self.properties.iter().map(|row| (row.slug.clone(), row.kind)).collect()
    }

    /// Gives each row whose slug has a definition that definition's type.
    pub fn apply_definitions(&mut self, definitions: &[PropertyDefinition]) {
        for row in &mut self.properties {
            if let Some(definition) = definitions.iter().find(|d| d.slug == row.slug) {
                row.kind = definition.kind;
            }
        }
    }

    /// Slugs used by more than one row (only the last would be sent).
    pub fn duplicate_property_slugs(&self) -> Vec<&str> {
        let mut seen = std::collections::BTreeSet::new();
        let mut dups: Vec<&str> = Vec::new();
        for row in &self.properties {
            let slug = row.slug.as_str();
            if !slug.trim().is_empty() && !seen.insert(slug) && !dups.contains(&slug) {
                dups.push(slug);
            }
        }
        dups
    }

    /// The body as typed, empty text and empty rows left out.
    pub fn to_json(&self) -> Value {
        let mut body = self.extra.clone();
        let texts = [
            ("firstName", &self.first_name),
            ("lastName", &self.last_name),
            ("phone", &self.phone),
            ("jobTitle", &self.job_title),
            ("organization", &self.organization),
            ("age", &self.age),
            ("gender", &self.gender),
            ("location", &self.location),
            ("background", &self.background),
            ("photoUrl", &self.photo_url),
            ("photoType", &self.photo_type),
        ];
        for (key, value) in texts {
            put_text(&mut body, key, value);
        }
        let lists = [
            ("emails", &self.emails),
            ("phones", &self.phones),
            ("chats", &self.chats),
            ("socialProfiles", &self.social_profiles),
            ("websites", &self.websites),
        ];
        for (key, list) in lists {
            if !list.is_empty() {
                body.insert(key.to_owned(), Value::Array(list.iter().map(ListEntry::to_json).collect()));
            }
        }
        let mut address = self.address_extra.clone();
        let lines: Vec<Value> =
            self.address_lines.iter().filter(|line| !line.is_empty()).map(|line| Value::String(line.clone())).collect();
        if !lines.is_empty() {
            address.insert("lines".to_owned(), Value::Array(lines));
        }
        put_text(&mut address, "city", &self.city);
        put_text(&mut address, "state", &self.state);
        put_text(&mut address, "postalCode", &self.postal_code);
        put_text(&mut address, "country", &self.country);
        if !address.is_empty() {
            body.insert("address".to_owned(), Value::Object(address));
        }
        let mut properties = self.properties_extra.clone();
        for row in &self.properties {
            // A row without a value is not sent; a value without a slug is (under "") so that
            // validation can point at it.
            if row.value.is_empty() {
                continue;
            }
            properties.insert(row.slug.clone(), row.json_value());
        }
        if !properties.is_empty() {
            body.insert("properties".to_owned(), Value::Object(properties));
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
            first_name: take_text(f, "firstName", x),
            last_name: take_text(f, "lastName", x),
            phone: take_text(f, "phone", x),
            job_title: take_text(f, "jobTitle", x),
            organization: take_text(f, "organization", x),
            age: take_text(f, "age", x),
            gender: take_text(f, "gender", x),
            location: take_text(f, "location", x),
            background: take_text(f, "background", x),
            photo_url: take_text(f, "photoUrl", x),
            photo_type: take_text(f, "photoType", x),
            ..Self::default()
        };
        for key in LIST_KEYS {
            let Some(value) = f.remove(key) else { continue };
            let entries = value.as_array().and_then(|items| items.iter().map(ListEntry::from_json).collect());
            match (entries, draft.list_mut(key)) {
                (Some(entries), Some(list)) => *list = entries,
                _ => {
                    x.insert(key.to_owned(), value);
                }
            }
        }
        match f.remove("address") {
            None | Some(Value::Null) => {}
            Some(Value::Object(mut address)) => {
                let mut address_extra = Map::new();
                let a = &mut address;
                let ax = &mut address_extra;
                match a.remove("lines") {
                    None | Some(Value::Null) => {}
                    Some(Value::Array(lines)) if lines.iter().all(Value::is_string) => {
                        draft.address_lines = lines.iter().filter_map(|l| l.as_str().map(str::to_owned)).collect();
                    }
                    Some(other) => {
                        ax.insert("lines".to_owned(), other);
                    }
                }
                draft.city = take_text(a, "city", ax);
                draft.state = take_text(a, "state", ax);
                draft.postal_code = take_text(a, "postalCode", ax);
                draft.country = take_text(a, "country", ax);
                address_extra.extend(address);
                draft.address_extra = address_extra;
            }
            Some(other) => {
                x.insert("address".to_owned(), other);
            }
        }
        match f.remove("properties") {
            None | Some(Value::Null) => {}
            Some(Value::Object(properties)) => {
                for (slug, value) in properties {
                    match PropertyKind::infer(&value) {
                        Some(kind) => {
                            let text = match &value {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            draft.properties.push(PropertyRow { slug, kind, value: text });
                        }
                        None => {
                            draft.properties_extra.insert(slug, value);
                        }
                    }
                }
            }
            Some(other) => {
                x.insert("properties".to_owned(), other);
            }
        }
        extra.extend(fields);
        draft.extra = extra;
        draft
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn seed_example() -> Value {
        json!({
            "firstName": "Vernon", "lastName": "Bear",
            "photoUrl": "https://api.helpscout.net/img/some-avatar.jpg", "photoType": "twitter",
            "jobTitle": "CEO and Co-Founder", "location": "Greater Dallas/FT Worth Area",
            "background": "I've worked with Vernon before and he's really great.",
            "age": "30-35", "gender": "Male", "organization": "Acme, Inc",
            "emails": [{"type": "work", "value": "bear@acme.com"}]
        })
    }

    #[test]
    fn round_trips_the_seed_example() {
        let draft = HelpScoutDraft::from_json(&seed_example());
        assert!(draft.extra.is_empty());
        assert_eq!(draft.emails, vec![ListEntry::new("work", "bear@acme.com")]);
        assert_eq!(draft.to_json(), seed_example());
    }

    #[test]
    fn round_trips_address_properties_and_lists() {
        let body = json!({
            "address": {"lines": ["1 Main St", "Suite 2"], "city": "Dallas", "state": "TX",
                        "postalCode": "75201", "country": "US"},
            "properties": {"car": "Tesla", "shoeSize": 44, "vip": true, "since": "2019-01-02",
                           "site": "https://example.com"},
            "websites": [{"value": "https://acme.com"}],
            "chats": [{"type": "skype", "value": "bear"}]
        });
        let draft = HelpScoutDraft::from_json(&body);
        assert!(draft.extra.is_empty() && draft.address_extra.is_empty());
        let kinds = draft.property_kinds();
        assert_eq!(kinds["shoeSize"], PropertyKind::Number);
        assert_eq!(kinds["vip"], PropertyKind::Bool);
        assert_eq!(kinds["since"], PropertyKind::Date);
        assert_eq!(kinds["site"], PropertyKind::Url);
        assert_eq!(draft.to_json(), body);
    }

    #[test]
    fn keeps_what_it_cannot_edit() {
        let body = json!({"emails": "bear@acme.com", "address": {"lines": [1], "zip": "x"},
                          "properties": {"tags": ["a"]}, "mood": "happy"});
        let draft = HelpScoutDraft::from_json(&body);
        assert_eq!(draft.extra["emails"], json!("bear@acme.com"));
        assert_eq!(draft.extra["mood"], json!("happy"));
        assert_eq!(draft.address_extra["lines"], json!([1]));
        assert_eq!(draft.properties_extra["tags"], json!(["a"]));
        assert_eq!(draft.to_json(), body);
    }

    #[test]
    fn typed_property_values() {
        let row = |kind, value: &str| PropertyRow { slug: "s".into(), kind, value: value.into() }.json_value();
        assert_eq!(row(PropertyKind::Number, " 44 "), json!(44));
        assert_eq!(row(PropertyKind::Number, "4.5"), json!(4.5));
        assert_eq!(row(PropertyKind::Number, "many"), json!("many"));
        assert_eq!(row(PropertyKind::Bool, "true"), json!(true));
        assert_eq!(row(PropertyKind::Text, "44"), json!("44"));
    }

    #[test]
    fn finds_duplicate_slugs() {
        let mut draft = HelpScoutDraft::default();
        for slug in ["a", "b", "a", "a"] {
            draft.properties.push(PropertyRow { slug: slug.into(), ..Default::default() });
        }
        assert_eq!(draft.duplicate_property_slugs(), vec!["a"]);
    }
}
