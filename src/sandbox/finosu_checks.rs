//! Finosu's rules for a new customer, read from the seed: its schema and its prose.
//!
//! The required set is the union of the schema's `required` marks and the "Required Fields"
//! prose (the schema leaves out phoneNumber and timezone, the prose leaves out id, email and
//! birthday). Unknown fields are ignored, as the seed lists only what is stored.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::FINOSU_TASK_TYPES;
use super::checks::{self, DateProblem, json_type};
use super::responses::Problem;

/// How a field's value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Any non-blank text.
    Text,
    /// An email address.
    Email,
    /// A past `YYYY-MM-DD` date.
    Birthday,
    /// An IANA time zone name.
    TimeZone,
    /// A dialable phone number.
    Phone,
    /// A US state or territory code.
    State,
    /// A ZIP or ZIP+4.
    Zip,
    /// Four digits.
    SsnLastFour,
    /// One of the company's task types.
    TaskType,
    /// `true` or `false`.
    Bool,
    /// A JSON object.
    Object,
}

/// A field the API knows.
struct Field {
    name: &'static str,
    kind: Kind,
    required: bool,
}

const fn field(name: &'static str, kind: Kind, required: bool) -> Field {
    Field { name, kind, required }
}

/// Every field the API stores, in the seed's order.
const FIELDS: &[Field] = &[
    field("id", Kind::Text, true),
    field("firstName", Kind::Text, true),
    field("lastName", Kind::Text, true),
    field("email", Kind::Email, true),
    field("birthday", Kind::Birthday, true),
    field("ssnLastFour", Kind::SsnLastFour, false),
    field("timezone", Kind::TimeZone, true),
    field("phoneNumber", Kind::Phone, true),
    field("streetAddress1", Kind::Text, true),
    field("streetAddress2", Kind::Text, false),
    field("city", Kind::Text, true),
    field("state", Kind::State, true),
    field("zipCode", Kind::Zip, true),
    field("doNotCall", Kind::Bool, false),
    field("isTest", Kind::Bool, false),
    field("test", Kind::Bool, false),
    field("taskType", Kind::TaskType, true),
    field("externalMetadata", Kind::Object, false),
];

/// What is wrong with a customer.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Every field refused, task type included.
    pub problems: Vec<Problem>,
    /// The task type sent, when it is text but not one of [`FINOSU_TASK_TYPES`].
    pub unknown_task_type: Option<String>,
}

/// Checks a customer; `today` is the latest date a birthday may be.
pub fn check(customer: &Map<String, Value>, today: NaiveDate) -> Verdict {
    let mut verdict = Verdict::default();
    for field in FIELDS {
        let name = field.name;
        let value = customer.get(name).filter(|v| !v.is_null());
        let Some(value) = value else {
            if field.required {
                verdict.problems.push(problem(name, format!("{name} is required")));
            }
            continue;
        };
        let message = match field.kind {
            Kind::Bool => {
                (!value.is_boolean()).then(|| format!("{name} must be true or false, not {}", json_type(value)))
            }
            Kind::Object => (!value.is_object()).then(|| {
                format!("{name} must be a JSON object like {{\"employer\": \"Acme\"}}, not {}", json_type(value))
            }),
            _ => match value.as_str() {
                None => Some(format!("{name} must be text, not {}", json_type(value))),
                Some(text) if text.trim().is_empty() => {
                    (field.required || field.kind != Kind::Text).then(|| format!("{name} must not be empty"))
                }
                Some(text) => text_problem(name, field.kind, text, today, &mut verdict),
            },
        };
        if let Some(message) = message {
            verdict.problems.push(problem(name, message));
        }
    }
    verdict
}

/// What is wrong with non-blank text in a field of `kind`.
fn text_problem(name: &str, kind: Kind, text: &str, today: NaiveDate, verdict: &mut Verdict) -> Option<String> {
    match kind {
        Kind::Text | Kind::Bool | Kind::Object => None,
        Kind::Email => {
            (!checks::is_email(text)).then(|| format!("{name} must be a valid email address, like name@example.com"))
        }
        Kind::Birthday => match checks::iso_date(text) {
            Err(DateProblem::Shape) => Some(format!("{name} must be a date written YYYY-MM-DD, like 1985-06-15")),
            Err(DateProblem::NotADay) => Some(format!("{name} '{text}' is not a real date")),
            Ok(date) if date > today => Some(format!("{name} cannot be in the future")),
            Ok(_) => None,
        },
        Kind::TimeZone => text
            .parse::<chrono_tz::Tz>()
            .is_err()
            .then(|| format!("{name} must be an IANA time zone name, like America/New_York or America/Los_Angeles")),
        Kind::Phone => (!checks::is_phone_number(text)).then(|| {
            format!("{name} must be a phone number of 7 to 15 digits, optionally starting with +, like +14155550123")
        }),
        Kind::State => (!checks::is_us_state(text))
            .then(|| format!("{name} must be a 2-letter US state or territory code, like CA or NY")),
        Kind::Zip => {
            (!checks::is_us_zip(text)).then(|| format!("{name} must be a ZIP code like 94102 or ZIP+4 like 94102-1234"))
        }
        Kind::SsnLastFour => {
            (!checks::is_digits(text, 4)).then(|| format!("{name} must be exactly 4 digits, the last four of the SSN"))
        }
        Kind::TaskType => (!FINOSU_TASK_TYPES.contains(&text)).then(|| {
            verdict.unknown_task_type = Some(text.to_owned());
            task_type_message(text)
        }),
    }
}

/// "Invalid task type 'x'. Valid task types: collections, …".
pub fn task_type_message(sent: &str) -> String {
    format!("Invalid task type '{sent}'. Valid task types: {}", FINOSU_TASK_TYPES.join(", "))
}

/// A Finosu problem; the value is not echoed, as it may be part of an SSN.
fn problem(field: &str, message: String) -> Problem {
    Problem { path: field.to_owned(), message, rejected: None }
}

/// The fields the API stores, with their values as sent (`null`s and unknown fields left out).
pub fn stored_fields(customer: &Map<String, Value>) -> Map<String, Value> {
    FIELDS
        .iter()
        .filter_map(|f| customer.get(f.name).filter(|v| !v.is_null()).map(|v| (f.name.to_owned(), v.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    fn valid() -> Map<String, Value> {
        let Value::Object(map) = json!({
            "id": "cust-1", "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
            "birthday": "1985-06-15", "phoneNumber": "+14155550123", "timezone": "America/Los_Angeles",
            "streetAddress1": "1 Main St", "city": "San Francisco", "state": "CA", "zipCode": "94102",
            "taskType": "collections",
        }) else {
            unreachable!()
        };
        map
    }

    fn fields(verdict: &Verdict) -> Vec<&str> {
        verdict.problems.iter().map(|p| p.path.as_str()).collect()
    }

    #[test]
    fn a_valid_customer_passes_and_an_empty_one_lists_all_twelve_required() {
        assert!(check(&valid(), today()).problems.is_empty());
        let verdict = check(&Map::new(), today());
        assert_eq!(verdict.problems.len(), 12);
        assert!(verdict.problems.iter().all(|p| p.message.ends_with("is required")));
    }

    #[test]
    fn birthdays_cannot_be_in_the_future() {
        let mut customer = valid();
        customer.insert("birthday".to_owned(), json!("2025-06-01"));
        assert!(check(&customer, today()).problems.is_empty());
        customer.insert("birthday".to_owned(), json!("2025-06-02"));
        assert_eq!(fields(&check(&customer, today())), ["birthday"]);
    }

    #[test]
    fn blank_optional_text_is_allowed_but_blank_codes_are_not() {
        let mut customer = valid();
        customer.insert("streetAddress2".to_owned(), json!(""));
        assert!(check(&customer, today()).problems.is_empty());
        customer.insert("ssnLastFour".to_owned(), json!(""));
        customer.insert("firstName".to_owned(), json!("  "));
        assert_eq!(fields(&check(&customer, today())), ["firstName", "ssnLastFour"]);
    }

    #[test]
    fn an_unknown_task_type_is_remembered() {
        let mut customer = valid();
        customer.insert("taskType".to_owned(), json!("sales"));
        let verdict = check(&customer, today());
        assert_eq!(verdict.unknown_task_type.as_deref(), Some("sales"));
        assert_eq!(fields(&verdict), ["taskType"]);
    }

    #[test]
    fn stored_fields_drop_unknown_and_null_ones() {
        let mut customer = valid();
        customer.insert("nickname".to_owned(), json!("Countess"));
        customer.insert("streetAddress2".to_owned(), Value::Null);
        let stored = stored_fields(&customer);
        assert_eq!(stored.len(), 12);
        assert!(!stored.contains_key("nickname"));
    }
}
