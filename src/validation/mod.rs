//! The validation engine: a pure function of (backend, draft body) → issues.
//!
//! Paths are JSON Pointers into the request body (`/emails/0/value`), so the form, the CLI and
//! server-side errors all name fields the same way. The rules live in [`rules`]; this module
//! only walks the body along them.

mod checks;
mod phone_metadata;
pub mod rules;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use checks::{is_phone_metadata_warm, is_zip, parse_iso_date, phone_e164, warm_up_phone_metadata};
pub use rules::{CrossRule, FieldRule, Kind, rules_for, tab_for_path};

use crate::model::limits::{LINE_MAX_CHARS, max_chars_at, thousands};
use crate::model::{Backend, PropertyDefinition, PropertyKind, Tab};
use crate::reference::{us_states, zip_codes};

/// How bad an issue is: errors block sending, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Sending is blocked until this is fixed.
    Error,
    /// Worth a look; sending is allowed.
    Warning,
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// JSON Pointer into the request body.
    pub path: String,
    /// Whether it blocks sending.
    pub severity: Severity,
    /// What is wrong and how to fix it, in plain words, starting with the field's name.
    pub message: String,
}

/// What validation needs besides the draft: today's date (birthdays) and, when known, the type
/// of each custom property.
#[derive(Debug, Clone, Copy)]
pub struct ValidationContext<'a> {
    /// The date birthdays must not be after.
    pub today: NaiveDate,
    /// Help Scout property types by slug; `None` when no definitions are known.
    pub property_kinds: Option<&'a BTreeMap<String, PropertyKind>>,
    /// Whether `property_kinds` is Help Scout's full list of definitions, so that any other slug
    /// is an error (the account rejects it). When the kinds only come from the form's rows, or
    /// there are none, each slug gets a warning that it cannot be checked yet, and slugs no row
    /// types (values from a file) are checked by their JSON type.
    pub property_kinds_complete: bool,
    /// A dropdown property's option labels by slug, from its definition.
    pub property_options: Option<&'a BTreeMap<String, Vec<String>>>,
}

impl ValidationContext<'_> {
    /// Today (local time), no property definitions.
    pub fn today() -> Self {
        Self {
            today: chrono::Local::now().date_naive(),
            property_kinds: None,
            property_kinds_complete: false,
            property_options: None,
        }
    }
}

/// A Help Scout account's property definitions, indexed the way [`ValidationContext`] reads
/// them, so the form, the CLI and imports build the same context from what the profile knows.
#[derive(Debug, Clone, Default)]
pub struct AccountProperties {
    kinds: BTreeMap<String, PropertyKind>,
    options: BTreeMap<String, Vec<String>>,
}

impl AccountProperties {
    /// Indexes the account's full list of definitions (fetched, or cached on the profile).
    pub fn new(definitions: &[PropertyDefinition]) -> Self {
        Self {
            kinds: definitions.iter().map(|d| (d.slug.clone(), d.kind)).collect(),
            options: definitions
                .iter()
                .filter(|d| !d.options.is_empty())
                .map(|d| (d.slug.clone(), d.options.clone()))
                .collect(),
        }
    }

    /// A context for today in which any slug these definitions lack is an error.
    pub fn context(&self) -> ValidationContext<'_> {
        ValidationContext {
            property_kinds: Some(&self.kinds),
            property_kinds_complete: true,
            property_options: Some(&self.options),
            ..ValidationContext::today()
        }
    }
}

/// Validates a draft body with what is known of the account: its property definitions when
/// known (`None`: not fetched, so property slugs get a warning instead of a verdict).
pub fn validate_for_account(backend: Backend, draft: &Value, definitions: Option<&[PropertyDefinition]>) -> Vec<Issue> {
    match definitions {
        Some(definitions) => validate_draft_with(backend, draft, &AccountProperties::new(definitions).context()),
        None => validate_draft(backend, draft),
    }
}

/// Validates a draft body against the backend's rules, with today's date.
pub fn validate_draft(backend: Backend, draft: &Value) -> Vec<Issue> {
    validate_draft_with(backend, draft, &ValidationContext::today())
}

/// Validates a draft body against the backend's rules.
pub fn validate_draft_with(backend: Backend, draft: &Value, context: &ValidationContext<'_>) -> Vec<Issue> {
    let mut walker = Walker { backend, context, issues: Vec::new() };
    let Some(body) = draft.as_object() else {
        walker.push_at(
            "",
            Severity::Error,
            format!("The draft must be a JSON object {{ … }}, not {}.", describe(draft)),
        );
        return walker.issues;
    };
    walker.object_fields(body, rules_for(backend).fields, &Loc::ROOT, Scope::TopLevel);
    for rule in rules_for(backend).cross {
        walker.cross_rule(draft, rule);
    }
    walker.issues
}

/// Whether any issue blocks sending.
pub fn has_errors(issues: &[Issue]) -> bool {
    issues.iter().any(|issue| issue.severity == Severity::Error)
}

/// Number of errors and warnings on each tab, in [`Tab::ALL`] order. Issues on fields the
/// backend does not have count on no tab.
pub fn count_by_tab<'a>(backend: Backend, issues: impl IntoIterator<Item = &'a Issue>) -> [TabCount; 4] {
    let mut counts = [TabCount::default(); 4];
    for issue in issues {
        let Some(tab) = tab_for_path(backend, &issue.path) else { continue };
        let Some(count) = Tab::ALL.iter().position(|t| *t == tab).and_then(|i| counts.get_mut(i)) else {
            continue;
        };
        match issue.severity {
            Severity::Error => count.errors += 1,
            Severity::Warning => count.warnings += 1,
        }
    }
    counts
}

/// Problems on one tab.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TabCount {
    /// Issues that block sending.
    pub errors: usize,
    /// Issues that do not.
    pub warnings: usize,
}

/// Escapes one JSON Pointer segment (RFC 6901).
pub fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Whether a value counts as present: not null, not blank text, not an empty list or object.
pub fn has_content(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(items) => items.iter().any(has_content),
        Value::Object(fields) => fields.values().any(has_content),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list [ … ]",
        Value::Object(_) => "an object { … }",
    }
}

// ---------------------------------------------------------------------------------------------

/// Where an object sits in the body, which decides names and when its required fields apply.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    /// The request body itself.
    TopLevel,
    /// An object field such as `address`, with its name.
    Nested(Name<'a>),
    /// A list entry: the item's name and its number from 1 ("Email", 2).
    Entry(&'a str, usize),
}

/// Where a value sits: a chain of steps from the body, written out as a JSON Pointer only when
/// an issue is reported, so checking a valid draft builds no strings.
#[derive(Debug, Clone, Copy)]
struct Loc<'a> {
    parent: Option<&'a Self>,
    step: Step<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Loc<'a> {
    const ROOT: Self = Self { parent: None, step: Step::Root };

    fn key(&'a self, key: &'a str) -> Self {
        Self { parent: Some(self), step: Step::Key(key) }
    }

    fn index(&'a self, index: usize) -> Self {
        Self { parent: Some(self), step: Step::Index(index) }
    }
}

impl std::fmt::Display for Loc<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.step {
            Step::Root => Ok(()),
            Step::Key(key) => write!(f, "/{}", pointer_segment(key)),
            Step::Index(index) => write!(f, "/{index}"),
        }
    }
}

/// A field's name in messages ("Email", "Email 2 address", "Property \"car\""), written out
/// only when an issue is reported.
#[derive(Debug, Clone, Copy)]
enum Name<'a> {
    Plain(&'a str),
    Item { item: &'a str, number: usize, field: Option<&'a str> },
    Property(&'a str),
}

impl std::fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plain(name) => f.write_str(name),
            Self::Item { item, number, field: None } => write!(f, "{item} {number}"),
            Self::Item { item, number, field: Some(field) } => write!(f, "{item} {number} {field}"),
            Self::Property(slug) => write!(f, "Property \"{slug}\""),
        }
    }
}

struct Walker<'a> {
    backend: Backend,
    context: &'a ValidationContext<'a>,
    issues: Vec<Issue>,
}

impl Walker<'_> {
    fn push(&mut self, loc: &Loc<'_>, severity: Severity, message: String) {
        self.issues.push(Issue { path: loc.to_string(), severity, message });
    }

    fn push_at(&mut self, pointer: &str, severity: Severity, message: String) {
        self.issues.push(Issue { path: pointer.to_owned(), severity, message });
    }

    /// Checks an object's fields against `rules`, then warns about keys the rules do not know.
    /// Required fields of a nested object apply only when it has content (an empty address
    /// requires nothing); an entry is only checked when it has content.
    fn object_fields(&mut self, object: &Map<String, Value>, rules: &[FieldRule], base: &Loc<'_>, scope: Scope<'_>) {
        let required_applies = !matches!(scope, Scope::Nested(_)) || object.values().any(has_content);
        for rule in rules {
            let loc = base.key(rule.key);
            let name = match scope {
                Scope::Entry(item, number) => Name::Item { item, number, field: Some(rule.label) },
                Scope::TopLevel | Scope::Nested(_) => Name::Plain(rule.label),
            };
            match object.get(rule.key) {
                Some(value) if has_content(value) => self.value(value, &rule.kind, name, &loc),
                _ if rule.required && required_applies => {
                    let why = if matches!(scope, Scope::Nested(_)) { " when the rest of it is filled in" } else { "" };
                    let message = format!("{name} is required{why}.{}", required_hint(&rule.kind));
                    self.push(&loc, Severity::Error, message);
                }
                _ => {}
            }
        }
        // An unknown field with nothing in it is as good as absent: nothing to warn about.
        for (key, value) in object {
            if rules.iter().all(|rule| rule.key != key) && has_content(value) {
                let owner = match scope {
                    Scope::TopLevel => Name::Plain(self.backend.display_name()),
                    Scope::Nested(name) => name,
                    Scope::Entry(..) => Name::Plain("This entry"),
                };
                let message = format!("{owner} has no field \"{key}\". It is kept in the draft but will not be sent.");
                self.push(&base.key(key), Severity::Warning, message);
            }
        }
    }

    fn value(&mut self, value: &Value, kind: &Kind, name: Name<'_>, loc: &Loc<'_>) {
        match (kind, value) {
            (Kind::Object(rules), Value::Object(object)) => self.object_fields(object, rules, loc, Scope::Nested(name)),
            (Kind::List { item, item_label }, Value::Array(items)) => {
                for (index, entry) in items.iter().enumerate() {
                    if !has_content(entry) {
                        continue;
                    }
                    let entry_loc = loc.index(index);
                    if let (Kind::Object(rules), Value::Object(fields)) = (item, entry) {
                        self.object_fields(fields, rules, &entry_loc, Scope::Entry(item_label, index + 1));
                    } else {
                        let entry_name = Name::Item { item: item_label, number: index + 1, field: None };
                        self.value(entry, item, entry_name, &entry_loc);
                    }
                }
            }
            (Kind::Properties, Value::Object(properties)) => self.properties(properties, loc),
            (Kind::Bool, Value::Bool(_)) => {}
            (Kind::JsonObject, _) => self.json_object(value, name, loc),
            (Kind::Object(_) | Kind::List { .. } | Kind::Properties | Kind::Bool, other) => {
                let expected = match kind {
                    Kind::Object(_) | Kind::Properties => "an object { … }",
                    Kind::List { .. } => "a list [ … ]",
                    _ => "true or false (without quotes)",
                };
                self.push(loc, Severity::Error, format!("{name} must be {expected}, not {}.", describe(other)));
            }
            // Longer than the form's editor takes (a draft file, an import): said at the field,
            // never kept silently past the limit. The byte length bounds the character count, so
            // ordinary values never pay for the pointer.
            (_, Value::String(text)) if text.len() > LINE_MAX_CHARS && self.over_editor_limit(text, name, loc) => {}
            (_, Value::String(text)) => {
                if let Some((severity, message)) = checks::check_text(kind, text.trim(), self.context.today) {
                    self.push(loc, severity, format!("{name} {message}"));
                }
            }
            (_, other) => {
                let message = format!("{name} must be text in quotes, not {}.", describe(other));
                self.push(loc, Severity::Error, message);
            }
        }
    }

    /// Reports `text` at `loc` when it is longer than the form's editor takes there.
    fn over_editor_limit(&mut self, text: &str, name: Name<'_>, loc: &Loc<'_>) -> bool {
        let pointer = loc.to_string();
        let max = max_chars_at(&pointer);
        let len = text.chars().count();
        if len <= max {
            return false;
        }
        let message = format!(
            "{name} is {} characters long; the form takes at most {}. Shorten it by {}.",
            thousands(len),
            thousands(max),
            thousands(len - max)
        );
        self.push_at(&pointer, Severity::Error, message);
        true
    }

    fn json_object(&mut self, value: &Value, label: Name<'_>, loc: &Loc<'_>) {
        let message = match value {
            Value::Object(_) => return,
            Value::String(text) => match serde_json::from_str::<Value>(text) {
                Err(err) => {
                    let reason = err.to_string();
                    let reason = reason.rfind(" at line ").map_or(reason.as_str(), |at| &reason[..at]);
                    format!("{label} is not valid JSON: {reason} at line {}, column {}.", err.line(), err.column())
                }
                Ok(Value::Object(_)) => {
                    format!("{label} is a JSON object inside a string. Remove the quotes around it.")
                }
                Ok(other) => format!("{label} must be a JSON object {{ … }}, not {}.", describe(&other)),
            },
            other => format!("{label} must be a JSON object {{ … }}, not {}.", describe(other)),
        };
        self.push(loc, Severity::Error, message);
    }

    fn properties(&mut self, properties: &Map<String, Value>, base: &Loc<'_>) {
        for (slug, value) in properties {
            // Blank text is left out of the request (see `normalize`), like any empty field.
            if matches!(value, Value::String(text) if text.trim().is_empty()) {
                continue;
            }
            let loc = base.key(slug);
            if slug.trim().is_empty() {
                self.push(
                    &loc,
                    Severity::Error,
                    "A property has a value but no slug. Fill in the slug or remove the row.".to_owned(),
                );
                continue;
            }
            let label = Name::Property(slug);
            let complete = self.context.property_kinds_complete;
            let declared = self.context.property_kinds.map(|kinds| kinds.get(slug).copied());
            let problem = match declared {
                Some(None) if complete => {
                    let message = format!(
                        "{label} is not defined in this Help Scout account; Help Scout rejects it. \
                         Remove it or define it in Help Scout."
                    );
                    self.push(&loc, Severity::Error, message);
                    continue;
                }
                Some(Some(kind)) => {
                    let options = self.context.property_options.and_then(|o| o.get(slug)).map(Vec::as_slice);
                    property_problem(kind, value, options)
                }
                Some(None) | None => untyped_property_problem(value),
            };
            if let Some(problem) = problem {
                self.push(&loc, Severity::Error, format!("{label} {problem}"));
            }
            if !complete {
                let message = format!(
                    "{label} cannot be checked against the account until its property definitions are \
                     fetched (Load definitions on the Properties tab, or `intake properties refresh`); \
                     Help Scout rejects a slug it does not define."
                );
                self.push(&loc, Severity::Warning, message);
            }
        }
    }

    fn cross_rule(&mut self, body: &Value, rule: &CrossRule) {
        let text = |pointer: &str| body.pointer(pointer).and_then(Value::as_str).map(str::trim);
        match rule {
            CrossRule::ZipFitsState { zip, state } => {
                if let (Some(zip_text), Some(state_text)) = (text(zip), text(state)) {
                    self.zip_fit_warning(zip, zip_text, state_text);
                }
            }
            CrossRule::UsAddress { country, state, zip } => {
                if !text(country).is_some_and(|c| c.eq_ignore_ascii_case("US")) {
                    return;
                }
                let state_text = text(state).unwrap_or_default();
                if !state_text.is_empty() && us_states::find_state(state_text).is_none() {
                    let message = "State must be a two-letter US state or territory code (e.g. CA) for a US address.";
                    self.push_at(state, Severity::Error, message.to_owned());
                }
                let zip_text = text(zip).unwrap_or_default();
                if !zip_text.is_empty() && !is_zip(zip_text) {
                    let message = "Postal code must be a ZIP code, 12345 or 12345-6789, for a US address.";
                    self.push_at(zip, Severity::Error, message.to_owned());
                } else if !zip_text.is_empty() {
                    self.zip_fit_warning(zip, zip_text, state_text);
                }
            }
            CrossRule::SameBool { a, b } => {
                let flag = |pointer: &str| body.pointer(pointer).and_then(Value::as_bool);
                if let (Some(a_value), Some(b_value)) = (flag(a), flag(b))
                    && a_value != b_value
                {
                    let a_key = a.trim_start_matches('/');
                    let b_label = rules::top_level_rule(self.backend, b).map_or(*b, |rule| rule.label);
                    let message = format!(
                        "{b_label} is {b_value} but {a_key} is {a_value}; both will be sent as true. \
                         Set them the same to be sure."
                    );
                    self.push_at(b, Severity::Warning, message);
                }
            }
        }
    }

    /// Warns when the ZIP is not in the typed state: by the ZIP table when it knows the ZIP
    /// (naming the ZIP's city), else by the state's ZIP prefixes.
    fn zip_fit_warning(&mut self, zip_path: &str, zip: &str, state: &str) {
        let Some(typed) = us_states::find_state(state).filter(|_| is_zip(zip)) else { return };
        let message = match zip_codes::lookup(zip) {
            Some(place) if place.state == typed.code => return,
            Some(place) => format!(
                "ZIP code {} is {}, {}, not {}. Check the ZIP code and the state.",
                place.zip_text(),
                place.city,
                place.state,
                typed.code
            ),
            None if us_states::zip_fits_state(zip, state) != Some(false) => return,
            None => match us_states::states_for_zip(zip).as_slice() {
                [] => format!("ZIP code {zip} is not used in {}. Check the ZIP code and the state.", typed.code),
                owners => format!(
                    "ZIP code {zip} belongs to {}, not {}. Check the ZIP code and the state.",
                    owners.join(" or "),
                    typed.code
                ),
            },
        };
        self.push_at(zip_path, Severity::Warning, message);
    }
}

/// A short "how to fill it" added to a required-field message.
fn required_hint(kind: &Kind) -> String {
    match kind {
        Kind::OneOf(options) => format!(" Choose one of: {}.", options.join(", ")),
        Kind::Timezone => " Pick the customer's time zone, e.g. America/New_York.".to_owned(),
        Kind::Birthday => " Write it as YYYY-MM-DD.".to_owned(),
        Kind::UsState => " Use the two-letter code, e.g. CA.".to_owned(),
        Kind::CountryCode => " Use the two-letter code, e.g. US.".to_owned(),
        _ => String::new(),
    }
}

fn property_problem(kind: PropertyKind, value: &Value, options: Option<&[String]>) -> Option<String> {
    match (kind, value) {
        (PropertyKind::Dropdown, Value::String(s)) => match options {
            Some(options) if !options.iter().any(|o| o.eq_ignore_ascii_case(s.trim())) => {
                Some(format!("must be one of: {}.", option_list(options)))
            }
            _ => None,
        },
        (PropertyKind::Dropdown, other) => {
            let allowed = options.map(|o| format!(" ({})", option_list(o))).unwrap_or_default();
            Some(format!("must be one of its options{allowed}, not {}.", describe(other)))
        }
        (PropertyKind::Number, Value::Number(n)) if n.is_i64() || n.is_u64() => None,
        (PropertyKind::Number, _) => Some("must be a whole number, e.g. 44.".to_owned()),
        (PropertyKind::Bool, Value::Bool(_)) => None,
        (PropertyKind::Bool, _) => Some("must be true or false.".to_owned()),
        (PropertyKind::Text, Value::String(s)) => checks::check_length(s.trim(), Some(255)).map(|(_, m)| m),
        (PropertyKind::Url, Value::String(s)) => checks::check_url(s.trim()).map(|(_, m)| m),
        (PropertyKind::Date, Value::String(s)) => parse_iso_date(s.trim()).err(),
        (PropertyKind::Text | PropertyKind::Url | PropertyKind::Date, other) => {
            Some(format!("must be text in quotes, not {}.", describe(other)))
        }
    }
}

/// How many of a dropdown's options a message lists, and how many characters of each.
const LISTED_OPTIONS: usize = 10;
const OPTION_LABEL_CHARS: usize = 40;

/// A dropdown's options for a message, kept readable: at most [`LISTED_OPTIONS`] labels, each
/// cut at [`OPTION_LABEL_CHARS`] characters, then how many more there are.
fn option_list(options: &[String]) -> String {
    let mut listed: Vec<String> = options
        .iter()
        .take(LISTED_OPTIONS)
        .map(|label| match label.char_indices().nth(OPTION_LABEL_CHARS) {
            Some((cut, _)) => format!("{}…", &label[..cut]),
            None => label.clone(),
        })
        .collect();
    if options.len() > LISTED_OPTIONS {
        listed.push(format!("and {} more (the Properties tab lists them all)", options.len() - LISTED_OPTIONS));
    }
    listed.join(", ")
}

fn untyped_property_problem(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) if n.is_i64() || n.is_u64() => None,
        Value::Number(_) => Some("must be a whole number; Help Scout number properties take integers.".to_owned()),
        Value::Bool(_) => None,
        Value::String(s) => checks::check_length(s.trim(), Some(255)).map(|(_, m)| m),
        Value::Null => Some("has no value. Give it one or remove it.".to_owned()),
        Value::Array(_) | Value::Object(_) => {
            Some(format!("must be a single value (text, whole number, true or false), not {}.", describe(value)))
        }
    }
}
