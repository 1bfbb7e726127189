//! Help Scout's rules for a new customer and for a properties patch, read from the seed.
//!
//! Enum values are matched in any case (the seed's own example sends `"gender": "Male"`).
//! Unknown top-level fields are ignored. A customer needs a first name or at least one email:
//! Help Scout shows customers by name or address, and one with neither could not be found again.

use serde_json::{Map, Value};

use super::checks::{self, char_count, json_type};
use super::properties;
use super::responses::Problem;

/// `photoType` values: the seed's list plus instagram, which the API also takes.
const PHOTO_TYPES: &[&str] =
    &["unknown", "gravatar", "twitter", "facebook", "googleprofile", "googleplus", "linkedin", "instagram"];
const GENDERS: &[&str] = &["male", "female", "unknown"];
const EMAIL_TYPES: &[&str] = &["home", "other", "work"];
const PHONE_TYPES: &[&str] = &["fax", "home", "mobile", "other", "pager", "work"];
const CHAT_TYPES: &[&str] = &["aim", "gtalk", "icq", "msn", "other", "qq", "skype", "xmpp", "yahoo"];
const SOCIAL_TYPES: &[&str] = &[
    "aboutme",
    "facebook",
    "flickr",
    "forsquare",
    "google",
    "googleplus",
    "linkedin",
    "other",
    "quora",
    "tungleme",
    "twitter",
    "youtube",
];

/// A top-level text field and its length limits in characters.
struct TextRule {
    name: &'static str,
    min: usize,
    max: Option<usize>,
}

const fn text(name: &'static str, min: usize, max: Option<usize>) -> TextRule {
    TextRule { name, min, max }
}

const TEXT_FIELDS: &[TextRule] = &[
    text("firstName", 1, Some(40)),
    text("lastName", 1, Some(40)),
    text("phone", 0, None),
    text("photoUrl", 0, Some(200)),
    text("photoType", 0, None),
    text("jobTitle", 0, Some(60)),
    text("background", 0, Some(200)),
    text("location", 0, Some(60)),
    text("organization", 0, Some(60)),
    text("gender", 0, None),
    text("age", 0, None),
];

/// How a list entry's `value` is checked.
#[derive(Debug, Clone, Copy)]
enum EntryValue {
    Email,
    Url,
    NonBlank,
}

/// A list of `{type, value}` entries.
struct ListRule {
    name: &'static str,
    /// Allowed types; `None` when the entries have no type (websites).
    types: Option<&'static [&'static str]>,
    value: EntryValue,
}

const LISTS: &[ListRule] = &[
    ListRule { name: "emails", types: Some(EMAIL_TYPES), value: EntryValue::Email },
    ListRule { name: "phones", types: Some(PHONE_TYPES), value: EntryValue::NonBlank },
    ListRule { name: "chats", types: Some(CHAT_TYPES), value: EntryValue::NonBlank },
    ListRule { name: "socialProfiles", types: Some(SOCIAL_TYPES), value: EntryValue::NonBlank },
    ListRule { name: "websites", types: None, value: EntryValue::Url },
];

/// The fields a customer is stored with; others are ignored.
pub const STORED_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "phone",
    "photoUrl",
    "photoType",
    "jobTitle",
    "background",
    "location",
    "organization",
    "gender",
    "age",
    "emails",
    "phones",
    "chats",
    "socialProfiles",
    "websites",
    "address",
    "properties",
];

/// Every problem with a new customer.
pub fn check_customer(customer: &Map<String, Value>) -> Vec<Problem> {
    let mut problems = Vec::new();
    for rule in TEXT_FIELDS {
        check_text(customer, rule, &mut problems);
    }
    for rule in LISTS {
        if let Some(list) = present(customer, rule.name) {
            check_list(rule, list, &mut problems);
        }
    }
    if let Some(address) = present(customer, "address") {
        check_address(address, &mut problems);
    }
    if let Some(props) = present(customer, "properties") {
        check_properties(props, &mut problems);
    }
    let has_name = present(customer, "firstName").is_some();
    let has_email = present(customer, "emails").and_then(Value::as_array).is_some_and(|l| !l.is_empty());
    if !has_name && !has_email {
        problems.push(Problem::new(
            "firstName",
            "A customer needs a first name or an email address: give at least one",
            None,
        ));
    }
    problems
}

/// The field's value unless it is missing or `null` (both mean "not given").
fn present<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).filter(|v| !v.is_null())
}

fn check_text(customer: &Map<String, Value>, rule: &TextRule, problems: &mut Vec<Problem>) {
    let name = rule.name;
    let Some(value) = present(customer, name) else { return };
    let Some(text) = value.as_str() else {
        problems.push(Problem::new(name, format!("{name} must be text, not {}", json_type(value)), Some(value)));
        return;
    };
    let count = char_count(text);
    let message = match (rule.min, rule.max) {
        (min, Some(max)) if min > 0 && !(min..=max).contains(&count) => {
            Some(format!("{name} must be between {min} and {max} characters (it has {count})"))
        }
        (_, Some(max)) if count > max => Some(format!("{name} must be at most {max} characters (it has {count})")),
        _ => match name {
            "photoUrl" if !checks::is_web_url(text) => {
                Some(format!("{name} must be a URL starting with http:// or https://"))
            }
            "photoType" => not_one_of(name, text, PHOTO_TYPES),
            "gender" => not_one_of(name, text, GENDERS),
            _ => None,
        },
    };
    if let Some(message) = message {
        problems.push(Problem::new(name, message, Some(value)));
    }
}

/// "must be one of …" when `text` is none of `allowed` (in any case).
fn not_one_of(path: &str, text: &str, allowed: &[&str]) -> Option<String> {
    (!allowed.iter().any(|a| a.eq_ignore_ascii_case(text)))
        .then(|| format!("{path} must be one of: {}", allowed.join(", ")))
}

fn check_list(rule: &ListRule, list: &Value, problems: &mut Vec<Problem>) {
    let name = rule.name;
    let Some(entries) = list.as_array() else {
        problems.push(Problem::new(name, format!("{name} must be a list of entries"), Some(list)));
        return;
    };
    for (index, entry) in entries.iter().enumerate() {
        let at = format!("{name}[{index}]");
        let Some(entry) = entry.as_object() else {
            problems.push(Problem::new(&at, format!("{at} must be an object with a value"), Some(entry)));
            continue;
        };
        if let Some(types) = rule.types {
            let path = format!("{at}.type");
            match present(entry, "type") {
                None => {
                    problems.push(Problem::new(
                        &path,
                        format!("{path} is required: one of {}", types.join(", ")),
                        None,
                    ));
                }
                Some(value) => {
                    let message = match value.as_str() {
                        Some(text) => not_one_of(&path, text, types),
                        None => Some(format!("{path} must be text: one of {}", types.join(", "))),
                    };
                    if let Some(message) = message {
                        problems.push(Problem::new(&path, message, Some(value)));
                    }
                }
            }
        }
        let path = format!("{at}.value");
        let Some(value) = present(entry, "value") else {
            problems.push(Problem::new(&path, format!("{path} is required"), None));
            continue;
        };
        let fits = value.as_str().is_some_and(|text| match rule.value {
            EntryValue::Email => checks::is_email(text),
            EntryValue::Url => checks::is_web_url(text),
            EntryValue::NonBlank => !text.trim().is_empty(),
        });
        if !fits {
            let message = match rule.value {
                EntryValue::Email => format!("{path} must be a valid email address, like name@example.com"),
                EntryValue::Url => format!("{path} must be a URL starting with http:// or https://"),
                EntryValue::NonBlank => format!("{path} must be non-empty text"),
            };
            problems.push(Problem::new(&path, message, Some(value)));
        }
    }
}

fn check_address(address: &Value, problems: &mut Vec<Problem>) {
    let Some(address) = address.as_object() else {
        problems.push(Problem::new("address", "address must be an object", Some(address)));
        return;
    };
    if let Some(lines) = present(address, "lines") {
        match lines.as_array() {
            None => {
                problems.push(Problem::new("address.lines", "address.lines must be a list of text lines", Some(lines)));
            }
            Some(lines) => {
                for (index, line) in lines.iter().enumerate() {
                    if line.as_str().is_none_or(|l| l.trim().is_empty()) {
                        let path = format!("address.lines[{index}]");
                        problems.push(Problem::new(&path, format!("{path} must be non-empty text"), Some(line)));
                    }
                }
            }
        }
    }
    for name in ["city", "state", "postalCode", "country"] {
        let path = format!("address.{name}");
        let Some(value) = present(address, name) else {
            problems.push(Problem::new(&path, format!("{path} is required when an address is given"), None));
            continue;
        };
        let message = match value.as_str() {
            None => Some(format!("{path} must be text, not {}", json_type(value))),
            Some(text) if text.trim().is_empty() => Some(format!("{path} is required when an address is given")),
            Some(text) if name == "country" && !checks::is_country_code(text) => {
                Some(format!("{path} must be an ISO 3166-1 alpha-2 country code, like US or GB"))
            }
            Some(_) => None,
        };
        if let Some(message) = message {
            problems.push(Problem::new(&path, message, Some(value)));
        }
    }
}

fn check_properties(props: &Value, problems: &mut Vec<Problem>) {
    let Some(props) = props.as_object() else {
        problems.push(Problem::new("properties", "properties must be an object of \"slug\": value pairs", Some(props)));
        return;
    };
    for (slug, value) in props {
        let path = format!("properties.{slug}");
        let Some(definition) = properties::find(slug) else {
            problems.push(Problem::new(&path, properties::unknown_message(slug), Some(value)));
            continue;
        };
        if value.is_null() {
            continue;
        }
        if let Err(message) = definition.check(value) {
            problems.push(Problem::new(&path, message, Some(value)));
        }
    }
}

/// One checked JSON Patch operation on a customer's properties.
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyChange {
    /// `replace` (or `add`): set the property.
    Set(String, Value),
    /// `remove`: clear it.
    Remove(String),
}

/// Reads a JSON Patch array for `PATCH /v2/customers/{id}/properties`. Structural problems are at
/// `[i].op` / `[i].path`; unknown properties and bad values at `properties.<slug>`, so a client can
/// show them at the property's field.
pub fn check_patch(patch: &Value) -> Result<Vec<PropertyChange>, Vec<Problem>> {
    let Some(operations) = patch.as_array() else {
        let message =
            "The body must be a JSON Patch array, like [{\"op\": \"replace\", \"path\": \"/shoeSize\", \"value\": 44}]";
        return Err(vec![Problem::new("", message, Some(patch))]);
    };
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    for (index, operation) in operations.iter().enumerate() {
        let Some(operation) = operation.as_object() else {
            problems.push(Problem::new(
                format!("[{index}]"),
                "Each operation must be an object with op and path",
                Some(operation),
            ));
            continue;
        };
        let op = present(operation, "op");
        let op_text = op.and_then(Value::as_str).map(str::to_ascii_lowercase);
        if !matches!(op_text.as_deref(), Some("replace" | "add" | "remove")) {
            let message = "op must be replace or remove (add is taken as replace)";
            problems.push(Problem::new(format!("[{index}].op"), message, op));
            continue;
        }
        let path = present(operation, "path");
        let Some(slug) = path.and_then(Value::as_str).and_then(slug_of_pointer) else {
            let message = "path must be a property's slug as a JSON Pointer, like /shoeSize";
            problems.push(Problem::new(format!("[{index}].path"), message, path));
            continue;
        };
        let at = format!("properties.{slug}");
        let Some(definition) = properties::find(&slug) else {
            problems.push(Problem::new(&at, properties::unknown_message(&slug), path));
            continue;
        };
        if op_text.as_deref() == Some("remove") {
            changes.push(PropertyChange::Remove(slug));
            continue;
        }
        match present(operation, "value") {
            None => problems.push(Problem::new(&at, format!("{slug} needs a value; to clear it use op remove"), None)),
            Some(value) => match definition.check(value) {
                Ok(()) => changes.push(PropertyChange::Set(slug, value.clone())),
                Err(message) => problems.push(Problem::new(&at, message, Some(value))),
            },
        }
    }
    if problems.is_empty() { Ok(changes) } else { Err(problems) }
}

/// `/shoeSize` → `shoeSize`, unescaping `~1` and `~0`; a pointer with more than one segment is
/// not a property.
fn slug_of_pointer(pointer: &str) -> Option<String> {
    let segment = pointer.strip_prefix('/')?;
    if segment.is_empty() || segment.contains('/') {
        return None;
    }
    Some(segment.replace("~1", "/").replace("~0", "~"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn paths(body: Value) -> Vec<String> {
        let Value::Object(map) = body else { panic!("not an object") };
        check_customer(&map).into_iter().map(|p| p.path).collect()
    }

    #[test]
    fn the_seed_example_passes() {
        let example = json!({
            "firstName": "Vernon", "lastName": "Bear", "photoUrl": "https://api.helpscout.net/img/some-avatar.jpg",
            "photoType": "twitter", "jobTitle": "CEO and Co-Founder", "location": "Greater Dallas/FT Worth Area",
            "background": "I've worked with Vernon before and he's really great.", "age": "30-35",
            "gender": "Male", "organization": "Acme, Inc", "emails": [{"type": "work", "value": "bear@acme.com"}],
            "properties": {"car": "Tesla", "shoeSize": 44},
        });
        assert_eq!(paths(example), Vec::<String>::new());
    }

    #[test]
    fn a_name_or_an_email_is_needed() {
        assert_eq!(paths(json!({})), ["firstName"]);
        assert_eq!(paths(json!({"lastName": "Bear"})), ["firstName"]);
        assert_eq!(paths(json!({"emails": [{"type": "work", "value": "a@b.co"}]})), Vec::<String>::new());
    }

    #[test]
    fn list_entries_and_address_report_their_own_paths() {
        let body = json!({
            "firstName": "V",
            "emails": [{"type": "work", "value": "ok@acme.com"}, {"type": "desk", "value": "nope"}],
            "websites": [{"value": "acme.com"}],
            "address": {"lines": ["1 Main St", ""], "city": "Dallas", "country": "USA"},
        });
        assert_eq!(
            paths(body),
            [
                "emails[1].type",
                "emails[1].value",
                "websites[0].value",
                "address.lines[1]",
                "address.state",
                "address.postalCode",
                "address.country"
            ]
        );
    }

    #[test]
    fn patches_are_read_or_refused_whole() {
        let patch = json!([{"op": "replace", "path": "/shoeSize", "value": 44}, {"op": "remove", "path": "/car"}]);
        assert_eq!(
            check_patch(&patch),
            Ok(vec![PropertyChange::Set("shoeSize".to_owned(), json!(44)), PropertyChange::Remove("car".to_owned())])
        );
        let patch = json!([{"op": "move", "path": "/car"}, {"op": "replace", "path": "/nope", "value": 1},
            {"op": "replace", "path": "/shoeSize", "value": "big"}, {"op": "replace", "path": "a/b"}]);
        let problems: Vec<String> = check_patch(&patch).unwrap_err().into_iter().map(|p| p.path).collect();
        assert_eq!(problems, ["[0].op", "properties.nope", "properties.shoeSize", "[3].path"]);
        assert_eq!(slug_of_pointer("/a~1b~0c").as_deref(), Some("a/b~c"));
    }
}
