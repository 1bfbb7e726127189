//! The sandbox account's customer property definitions, in one table, and their value checks.
//!
//! Help Scout properties are defined in the web app; the sandbox pretends two of each type were.
//! `GET /v2/customer-properties` lists this table, and values sent in `properties` or patched are
//! checked against it.

use serde_json::{Value, json};

use super::checks::{char_count, is_web_url, iso_date, json_type};

/// A property's type, as Help Scout names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    /// A whole number.
    Number,
    /// Text up to [`MAX_TEXT_CHARS`].
    Text,
    /// `true` or `false`.
    Bool,
    /// An `http(s)` URL.
    Url,
    /// `YYYY-MM-DD`.
    Date,
    /// One of the definition's options.
    Dropdown,
}

impl PropertyType {
    /// The name Help Scout gives the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Text => "text",
            Self::Bool => "bool",
            Self::Url => "url",
            Self::Date => "date",
            Self::Dropdown => "dropdown",
        }
    }
}

/// A dropdown choice: a value may name it by label or by id.
#[derive(Debug, Clone, Copy)]
pub struct DropdownOption {
    /// Its id.
    pub id: u64,
    /// What people see.
    pub label: &'static str,
}

/// One customer property definition.
#[derive(Debug, Clone, Copy)]
pub struct PropertyDef {
    /// Its id.
    pub id: u64,
    /// The key in `properties`.
    pub slug: &'static str,
    /// What people see.
    pub name: &'static str,
    /// Its type.
    pub kind: PropertyType,
    /// Choices of a dropdown; empty otherwise.
    pub options: &'static [DropdownOption],
}

/// Longest text value.
pub const MAX_TEXT_CHARS: usize = 255;

const fn def(id: u64, slug: &'static str, name: &'static str, kind: PropertyType) -> PropertyDef {
    PropertyDef { id, slug, name, kind, options: &[] }
}

const PLANS: &[DropdownOption] = &[
    DropdownOption { id: 1, label: "Free" },
    DropdownOption { id: 2, label: "Pro" },
    DropdownOption { id: 3, label: "Enterprise" },
];

const REGIONS: &[DropdownOption] = &[
    DropdownOption { id: 4, label: "North America" },
    DropdownOption { id: 5, label: "Europe" },
    DropdownOption { id: 6, label: "Asia Pacific" },
];

/// The definitions, in the order the API lists them.
pub const DEFINITIONS: &[PropertyDef] = &[
    def(1, "shoeSize", "Shoe size", PropertyType::Number),
    def(2, "visits", "Visits", PropertyType::Number),
    def(3, "car", "Car", PropertyType::Text),
    def(4, "favoriteColor", "Favorite color", PropertyType::Text),
    def(5, "vip", "VIP", PropertyType::Bool),
    def(6, "newsletter", "Newsletter", PropertyType::Bool),
    def(7, "homepage", "Homepage", PropertyType::Url),
    def(8, "crmProfile", "CRM profile", PropertyType::Url),
    def(9, "signupDate", "Signup date", PropertyType::Date),
    def(10, "renewalDate", "Renewal date", PropertyType::Date),
    PropertyDef { id: 11, slug: "plan", name: "Plan", kind: PropertyType::Dropdown, options: PLANS },
    PropertyDef { id: 12, slug: "region", name: "Region", kind: PropertyType::Dropdown, options: REGIONS },
];

/// The definition of `slug`.
pub fn find(slug: &str) -> Option<&'static PropertyDef> {
    DEFINITIONS.iter().find(|d| d.slug == slug)
}

/// "Unknown customer property 'x'…", listing the defined slugs.
pub fn unknown_message(slug: &str) -> String {
    let slugs: Vec<&str> = DEFINITIONS.iter().map(|d| d.slug).collect();
    format!("Unknown customer property '{slug}'. Defined properties: {}", slugs.join(", "))
}

impl PropertyDef {
    /// Why `value` does not fit this property (`null` is not a value here).
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let slug = self.slug;
        let fits = match self.kind {
            PropertyType::Number => value.is_i64() || value.is_u64(),
            PropertyType::Text => value.as_str().is_some_and(|s| char_count(s) <= MAX_TEXT_CHARS),
            PropertyType::Bool => value.is_boolean(),
            PropertyType::Url => value.as_str().is_some_and(is_web_url),
            PropertyType::Date => value.as_str().is_some_and(|s| iso_date(s).is_ok()),
            PropertyType::Dropdown => self.option_for(value).is_some(),
        };
        if fits {
            return Ok(());
        }
        Err(match self.kind {
            PropertyType::Number => format!("{slug} must be a whole number, like 44 (got {})", json_type(value)),
            PropertyType::Text => match value.as_str() {
                Some(text) => {
                    format!("{slug} must be at most {MAX_TEXT_CHARS} characters (it has {})", char_count(text))
                }
                None => format!("{slug} must be text (got {})", json_type(value)),
            },
            PropertyType::Bool => format!("{slug} must be true or false (got {})", json_type(value)),
            PropertyType::Url => format!("{slug} must be a URL starting with http:// or https://"),
            PropertyType::Date => format!("{slug} must be a real date written YYYY-MM-DD, like 2019-01-02"),
            PropertyType::Dropdown => {
                let labels: Vec<&str> = self.options.iter().map(|o| o.label).collect();
                let ids: Vec<String> = self.options.iter().map(|o| o.id.to_string()).collect();
                format!("{slug} must be one of: {} (or their ids {})", labels.join(", "), ids.join(", "))
            }
        })
    }

    /// The option a dropdown value names: its label (any case), its id, or its id as text.
    fn option_for(&self, value: &Value) -> Option<&DropdownOption> {
        self.options.iter().find(|option| match value {
            Value::String(text) => {
                option.label.eq_ignore_ascii_case(text.trim()) || text.trim() == option.id.to_string()
            }
            Value::Number(number) => number.as_u64() == Some(option.id),
            _ => false,
        })
    }

    fn to_json(self) -> Value {
        let options: Vec<Value> = self.options.iter().map(|o| json!({"id": o.id, "label": o.label})).collect();
        json!({"id": self.id, "type": self.kind.name(), "slug": self.slug, "name": self.name, "options": options})
    }
}

/// `GET /v2/customer-properties`'s body.
pub fn definitions_json() -> Value {
    let items: Vec<Value> = DEFINITIONS.iter().map(|d| d.to_json()).collect();
    let count = items.len();
    json!({
        "_embedded": {"customer-properties": items},
        "page": {"size": 50, "totalElements": count, "totalPages": 1, "number": 1},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_of_each_type_with_unique_slugs_and_ids() {
        for kind in [
            PropertyType::Number,
            PropertyType::Text,
            PropertyType::Bool,
            PropertyType::Url,
            PropertyType::Date,
            PropertyType::Dropdown,
        ] {
            assert_eq!(DEFINITIONS.iter().filter(|d| d.kind == kind).count(), 2, "{kind:?}");
        }
        let mut slugs: Vec<&str> = DEFINITIONS.iter().map(|d| d.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), DEFINITIONS.len());
        for d in DEFINITIONS {
            assert_eq!(d.kind == PropertyType::Dropdown, !d.options.is_empty(), "{}", d.slug);
        }
    }

    #[test]
    fn values_are_checked_by_type() {
        let ok = |slug: &str, value: Value| find(slug).unwrap().check(&value).is_ok();
        assert!(ok("shoeSize", json!(44)) && !ok("shoeSize", json!(44.5)) && !ok("shoeSize", json!("44")));
        assert!(ok("car", json!("Tesla")) && !ok("car", json!("x".repeat(256))) && !ok("car", json!(1)));
        assert!(ok("vip", json!(false)) && !ok("vip", json!("true")));
        assert!(ok("homepage", json!("https://google.com")) && !ok("homepage", json!("google")));
        assert!(ok("signupDate", json!("2019-01-02")) && !ok("signupDate", json!("2019-02-30")));
        assert!(ok("plan", json!("Pro")) && ok("plan", json!("pro")) && ok("plan", json!(2)) && ok("plan", json!("3")));
        assert!(!ok("plan", json!("Gold")) && !ok("plan", json!(4)) && !ok("plan", json!(true)));
    }
}
