//! Properties of validation, normalisation and the draft model over arbitrary bodies of both
//! backends: validation never panics and names real places with plain messages, normalising is
//! idempotent and never sends blanks or unknown fields, and reading a body into the form's draft
//! and back does not change what validation says about it.

mod validation_support;

use std::collections::BTreeMap;

use intake::model::{Backend, FinosuDraft, HelpScoutDraft, PropertyKind};
use intake::normalize::normalize_for_sending;
use intake::validation::{Issue, ValidationContext, has_errors, rules_for, validate_draft, validate_draft_with};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use validation_support::TODAY;

const FINOSU_TEXT_FIELDS: [&str; 14] = [
    "id",
    "firstName",
    "lastName",
    "email",
    "phoneNumber",
    "timezone",
    "birthday",
    "ssnLastFour",
    "streetAddress1",
    "streetAddress2",
    "city",
    "state",
    "zipCode",
    "taskType",
];
const FINOSU_BOOL_FIELDS: [&str; 3] = ["doNotCall", "isTest", "test"];

const HELP_SCOUT_TEXT_FIELDS: [&str; 11] = [
    "firstName",
    "lastName",
    "phone",
    "jobTitle",
    "organization",
    "age",
    "gender",
    "location",
    "background",
    "photoUrl",
    "photoType",
];
const HELP_SCOUT_LISTS: [&str; 5] = ["emails", "phones", "chats", "socialProfiles", "websites"];

/// Strings that mean something to some rule, so the properties also cover the valid paths and
/// the edges (blank, JSON-looking text, case variants, characters whose case mapping grows).
const SPECIAL: &[&str] = &[
    "",
    " ",
    "\t\n",
    "\u{a0}\u{3000}",
    "ada@example.com",
    " Ada@Example.COM ",
    "ada@",
    "(415) 555-0123",
    "+14155550123",
    "+44 20 7946 0958",
    "415-555-0123 ext. 7",
    "(123) 456-7890",
    "america/new_york",
    "UTC",
    "1985-06-15",
    "2999-01-01",
    "1899-12-31",
    "1985-02-30",
    "1234",
    "CA",
    "ny",
    "California",
    "94102",
    "10001-1234",
    "{}",
    "{\"a\": 1}",
    "{\"a\": ",
    "[1]",
    "\"x\"",
    "null",
    "5",
    "4.5",
    "true",
    "false",
    "https://example.com",
    "ftp://example.com",
    "US",
    "us",
    "UK",
    "Male",
    "WORK",
    "skype",
    "forsquare",
    "~/",
    "a/b",
    "~1",
    "İstanbul",
    "ß",
    "ǅ",
    "ΑΣ",
    "ŉ",
    "\u{feff}",
    "\u{0}",
    "\u{200b}",
    "👩‍👩‍👧",
];

/// Any string: arbitrary Unicode, short printable text, whitespace, very long text, or one of
/// [`SPECIAL`] with optional padding.
fn text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(SPECIAL).prop_map(str::to_owned);
    let padded = (prop::sample::select(SPECIAL), "[ \t]{0,2}", "[ \t]{0,2}")
        .prop_map(|(core, before, after)| format!("{before}{core}{after}"));
    prop_oneof![
        3 => any::<String>(),
        2 => "\\PC{0,30}",
        1 => "[ \t\r\n\u{a0}\u{2003}\u{3000}]{0,6}",
        1 => prop::collection::vec(any::<char>(), 200..1500).prop_map(|chars| chars.into_iter().collect::<String>()),
        1 => "[0-9a-z@. +()/-]{250,300}",
        4 => special,
        2 => padded,
    ]
}

/// A key for an object: short, sometimes a known field name, sometimes with `/` or `~`.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "\\PC{0,8}",
        1 => prop::sample::select(&["", " ", "a/b", "~", "~1", "type", "value", "zip", "firstName"][..])
            .prop_map(str::to_owned),
    ]
}

/// A text field: absent (`None`), or a string.
fn maybe_text() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.8, text())
}

fn put(body: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(value) = value {
        body.insert(key.to_owned(), Value::String(value));
    }
}

/// Unknown top-level fields holding text.
fn unknown_fields(rules_keys: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((key(), text()), 0..2)
        .prop_map(move |fields| fields.into_iter().filter(|(k, _)| !rules_keys.contains(&k.as_str())).collect())
}

const FINOSU_KEYS: &[&str] = &[
    "id",
    "firstName",
    "lastName",
    "email",
    "phoneNumber",
    "timezone",
    "birthday",
    "ssnLastFour",
    "streetAddress1",
    "streetAddress2",
    "city",
    "state",
    "zipCode",
    "taskType",
    "doNotCall",
    "isTest",
    "test",
    "externalMetadata",
];
const HELP_SCOUT_KEYS: &[&str] = &[
    "firstName",
    "lastName",
    "phone",
    "jobTitle",
    "organization",
    "age",
    "gender",
    "location",
    "background",
    "photoUrl",
    "photoType",
    "emails",
    "phones",
    "chats",
    "socialProfiles",
    "websites",
    "address",
    "properties",
];

/// `externalMetadata`: absent, text (possibly JSON, possibly broken), or an object of texts.
fn metadata() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        1 => Just(None),
        2 => text().prop_map(|t| Some(Value::String(t))),
        1 => prop::collection::btree_map(key(), text(), 0..3)
            .prop_map(|m| Some(Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))),
    ]
}

/// How the Finosu flags are generated.
#[derive(Debug, Clone, Copy)]
enum Flags {
    /// Any booleans, or absent.
    Any,
    /// `isTest` and `test` never disagree (the form has one checkbox for both).
    Agreeing,
}

fn finosu_body(flags: Flags) -> impl Strategy<Value = Value> {
    let texts = prop::collection::vec(maybe_text(), FINOSU_TEXT_FIELDS.len());
    let bools = prop::collection::vec(prop::option::of(any::<bool>()), FINOSU_BOOL_FIELDS.len());
    (texts, bools, metadata(), unknown_fields(FINOSU_KEYS)).prop_map(move |(texts, mut bools, metadata, unknown)| {
        let mut body = Map::new();
        for (key, value) in FINOSU_TEXT_FIELDS.iter().zip(texts) {
            put(&mut body, key, value);
        }
        if let (Flags::Agreeing, Some(Some(is_test)), Some(test)) = (flags, bools.get(1).copied(), bools.get_mut(2))
            && test.is_some()
        {
            *test = Some(is_test);
        }
        for (key, value) in FINOSU_BOOL_FIELDS.iter().zip(bools) {
            if let Some(value) = value {
                body.insert((*key).to_owned(), Value::Bool(value));
            }
        }
        if let Some(metadata) = metadata {
            body.insert("externalMetadata".to_owned(), metadata);
        }
        for (key, value) in unknown {
            body.insert(key, Value::String(value));
        }
        Value::Object(body)
    })
}

/// One list entry: optional type and value, sometimes an unknown key too.
fn entry() -> impl Strategy<Value = Value> {
    (maybe_text(), maybe_text(), prop::option::weighted(0.15, (key(), text()))).prop_map(|(kind, value, extra)| {
        let mut entry = Map::new();
        if let Some((key, text)) = extra
            && key != "type"
            && key != "value"
        {
            entry.insert(key, Value::String(text));
        }
        put(&mut entry, "type", kind);
        put(&mut entry, "value", value);
        Value::Object(entry)
    })
}

fn address() -> impl Strategy<Value = Option<Value>> {
    let fields = (prop::collection::vec(text(), 0..3), maybe_text(), maybe_text(), maybe_text(), maybe_text());
    prop::option::weighted(
        0.7,
        fields.prop_map(|(lines, city, state, postal_code, country)| {
            let mut address = Map::new();
            if !lines.is_empty() {
                address.insert("lines".to_owned(), Value::Array(lines.into_iter().map(Value::String).collect()));
            }
            put(&mut address, "city", city);
            put(&mut address, "state", state);
            put(&mut address, "postalCode", postal_code);
            put(&mut address, "country", country);
            Value::Object(address)
        }),
    )
}

/// A property value: text, or (when `texts_only` is false) an integer or a boolean.
fn property_value(texts_only: bool) -> BoxedStrategy<Value> {
    if texts_only {
        text().prop_map(Value::String).boxed()
    } else {
        prop_oneof![
            3 => text().prop_map(Value::String),
            1 => any::<i64>().prop_map(Value::from),
            1 => any::<bool>().prop_map(Value::Bool),
        ]
        .boxed()
    }
}

fn help_scout_body(texts_only: bool) -> impl Strategy<Value = Value> {
    let texts = prop::collection::vec(maybe_text(), HELP_SCOUT_TEXT_FIELDS.len());
    let lists = prop::collection::vec(prop::option::of(prop::collection::vec(entry(), 0..3)), HELP_SCOUT_LISTS.len());
    let properties = prop::option::of(prop::collection::vec((key(), property_value(texts_only)), 0..4));
    (texts, lists, address(), properties, unknown_fields(HELP_SCOUT_KEYS)).prop_map(
        |(texts, lists, address, properties, unknown)| {
            let mut body = Map::new();
            for (key, value) in HELP_SCOUT_TEXT_FIELDS.iter().zip(texts) {
                put(&mut body, key, value);
            }
            for (key, entries) in HELP_SCOUT_LISTS.iter().zip(lists) {
                if let Some(entries) = entries {
                    body.insert((*key).to_owned(), Value::Array(entries));
                }
            }
            if let Some(address) = address {
                body.insert("address".to_owned(), address);
            }
            if let Some(properties) = properties {
                body.insert("properties".to_owned(), Value::Object(properties.into_iter().collect()));
            }
            for (key, value) in unknown {
                body.insert(key, Value::String(value));
            }
            Value::Object(body)
        },
    )
}

fn any_body() -> impl Strategy<Value = (Backend, Value)> {
    prop_oneof![
        finosu_body(Flags::Any).prop_map(|body| (Backend::Finosu, body)),
        help_scout_body(false).prop_map(|body| (Backend::HelpScout, body)),
    ]
}

// ---------------------------------------------------------------------------------------------
// Valid bodies, built valid on purpose: random bodies almost never are (a Finosu body needs
// twelve valid required fields), so a property about valid drafts is checked on these. They
// hold what normalising changes: padding, any case, national phone numbers, blank optionals,
// empty entries and lists.

/// `core` with up to two spaces or tabs before and after it.
fn padded(core: impl Strategy<Value = String> + 'static) -> BoxedStrategy<String> {
    (core, "[ \t]{0,2}", "[ \t]{0,2}").prop_map(|(core, before, after)| format!("{before}{core}{after}")).boxed()
}

/// One of `words`, in lower case, upper case or with a capital first letter.
fn any_case(words: &'static [&'static str]) -> impl Strategy<Value = String> {
    (prop::sample::select(words), 0..3_u8).prop_map(|(word, case)| match case {
        0 => word.to_lowercase(),
        1 => word.to_uppercase(),
        _ => word.chars().take(1).flat_map(char::to_uppercase).chain(word.chars().skip(1)).collect(),
    })
}

/// Text that is not blank, of at most `max_chars` characters: names and words, or any letters,
/// marks and symbols between two letters.
fn filled_text(max_chars: usize) -> impl Strategy<Value = String> {
    let words = vec!["Ada", "O'Brien", "Acme, Inc", "1 Main St", "İstanbul", "ß", "ΑΣ", "R&D 👩‍👩‍👧"];
    let any = proptest::string::string_regex(&format!("\\pL(\\PC{{0,{}}}\\pL)?", max_chars.saturating_sub(2)))
        .expect("a valid pattern");
    prop_oneof![prop::sample::select(words).prop_map(str::to_owned), any]
        .prop_filter("short enough", move |text| text.chars().count() <= max_chars)
}

fn email() -> impl Strategy<Value = String> {
    let emails = vec!["ada@example.com", "Ada@Example.COM", "grace.hopper@navy.mil", "a+tag@sub.example.org"];
    prop::sample::select(emails).prop_map(str::to_owned)
}

fn phone() -> impl Strategy<Value = String> {
    let phones = vec![
        "(415) 555-0123",
        "+14155550123",
        "415.555.0123",
        "212-555-0147",
        "+1 (212) 555-0147",
        "+44 20 7946 0958",
        "415-555-0123 ext. 7",
    ];
    prop::sample::select(phones).prop_map(str::to_owned)
}

fn url() -> impl Strategy<Value = String> {
    let urls =
        vec!["https://acme.com", "http://example.org/about?tab=1", "HTTPS://EXAMPLE.COM/A", "https://a.b.example.net/"];
    prop::sample::select(urls).prop_map(str::to_owned)
}

/// A US ZIP code or ZIP+4.
fn zip() -> impl Strategy<Value = String> {
    "[0-9]{5}(-[0-9]{4})?"
}

/// An optional field: absent, null, blank, or `value`.
fn optional(value: impl Strategy<Value = String> + 'static) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(Value::Null)),
        1 => "[ \t]{0,2}".prop_map(|blank| Some(Value::String(blank))),
        4 => value.prop_map(|text| Some(Value::String(text))),
    ]
    .boxed()
}

fn put_value(body: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        body.insert(key.to_owned(), value);
    }
}

/// A valid Finosu body: every required field valid (padded, in any case), optional fields
/// absent, null, blank or valid, metadata an object, and unknown fields (only warnings).
fn valid_finosu_body() -> impl Strategy<Value = Value> {
    let birthday = "(19[0-9][0-9]|20[01][0-9])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])";
    let timezones = vec!["America/Los_Angeles", "america/new_york", "Europe/Paris", "ASIA/TOKYO", "UTC"];
    let required = (
        padded("[A-Za-z0-9][A-Za-z0-9-]{0,11}"),
        padded(filled_text(30)),
        padded(filled_text(30)),
        padded(email()),
        padded(phone()),
        padded(prop::sample::select(timezones).prop_map(str::to_owned)),
        padded(birthday),
        padded(filled_text(40)),
        padded(filled_text(30)),
        padded(any_case(&["CA", "NY", "TX", "WA", "DC", "PR", "GU"])),
        padded(zip()),
        padded(filled_text(20)),
    );
    let flag = || prop_oneof![Just(None), Just(Some(Value::Null)), any::<bool>().prop_map(|b| Some(Value::Bool(b)))];
    let metadata = prop_oneof![
        Just(None),
        Just(Some(json!({}))),
        prop::collection::btree_map(
            key(),
            prop_oneof![text().prop_map(Value::String), any::<i64>().prop_map(Value::from)],
            1..4
        )
        .prop_map(|fields| Some(Value::Object(fields.into_iter().collect()))),
    ];
    let optional = (
        optional(padded("[0-9]{4}")),
        optional(padded(filled_text(30))),
        (flag(), flag(), flag()),
        metadata,
        unknown_fields(FINOSU_KEYS),
    );
    (required, optional).prop_map(|(required, (ssn, street2, flags, metadata, unknown))| {
        let (id, first, last, email, phone, timezone, birthday, street1, city, state, zip, task_type) = required;
        let mut body = Map::new();
        for (key, value) in [
            ("id", id),
            ("firstName", first),
            ("lastName", last),
            ("email", email),
            ("phoneNumber", phone),
            ("timezone", timezone),
            ("birthday", birthday),
            ("streetAddress1", street1),
            ("city", city),
            ("state", state),
            ("zipCode", zip),
            ("taskType", task_type),
        ] {
            body.insert(key.to_owned(), Value::String(value));
        }
        put_value(&mut body, "ssnLastFour", ssn);
        put_value(&mut body, "streetAddress2", street2);
        put_value(&mut body, "doNotCall", flags.0);
        put_value(&mut body, "isTest", flags.1);
        put_value(&mut body, "test", flags.2);
        put_value(&mut body, "externalMetadata", metadata);
        for (key, value) in unknown {
            body.insert(key, Value::String(value));
        }
        Value::Object(body)
    })
}

/// A valid list: absent, empty, or up to three of `entry` and empty entries (which are skipped).
fn valid_list(entry: BoxedStrategy<Value>) -> impl Strategy<Value = Option<Value>> {
    let entry = prop_oneof![4 => entry, 1 => Just(json!({"type": "", "value": ""}))];
    prop::option::weighted(0.7, prop::collection::vec(entry, 0..4).prop_map(Value::Array))
}

/// An entry of a listed type (any case) and a valid value.
fn typed_entry(types: &'static [&'static str], value: impl Strategy<Value = String> + 'static) -> BoxedStrategy<Value> {
    (padded(any_case(types)), padded(value)).prop_map(|(kind, value)| json!({"type": kind, "value": value})).boxed()
}

fn address_lines() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop_oneof![4 => padded(filled_text(40)), 1 => Just(String::new())], 0..3)
}

/// A complete address: in the US (a state code and a ZIP code) or elsewhere.
fn valid_address() -> impl Strategy<Value = Option<Value>> {
    let us = (
        address_lines(),
        padded(filled_text(30)),
        padded(any_case(&["CA", "TX", "NY", "PR"])),
        padded(zip()),
        padded(any_case(&["US"])),
    );
    let other = (
        address_lines(),
        padded(filled_text(30)),
        padded(filled_text(20)),
        padded("[A-Z0-9]{2,4} ?[A-Z0-9]{0,4}"),
        padded(any_case(&["GB", "DE", "FR", "CA", "JP"])),
    );
    prop::option::weighted(
        0.6,
        prop_oneof![us, other].prop_map(|(lines, city, state, postal_code, country)| {
            json!({"lines": lines, "city": city, "state": state, "postalCode": postal_code, "country": country})
        }),
    )
}

/// A valid Help Scout body: any field absent, null, blank or valid within its limit, valid
/// lists, a complete address, untyped properties and unknown fields (only warnings).
fn valid_help_scout_body() -> impl Strategy<Value = Value> {
    use intake::validation::rules::{CHAT_TYPES, EMAIL_TYPES, GENDERS, PHONE_TYPES, PHOTO_TYPES, SOCIAL_TYPES};
    let texts = (
        optional(padded(filled_text(40))),
        optional(padded(filled_text(40))),
        optional(padded(phone())),
        optional(padded(filled_text(60))),
        optional(padded(filled_text(60))),
        optional(padded(filled_text(20))),
        optional(padded(any_case(GENDERS))),
        optional(padded(filled_text(60))),
        optional(padded(filled_text(200))),
        optional(padded(url())),
        optional(padded(any_case(PHOTO_TYPES))),
    );
    let lists = (
        valid_list(typed_entry(EMAIL_TYPES, email())),
        valid_list(typed_entry(PHONE_TYPES, phone())),
        valid_list(typed_entry(CHAT_TYPES, filled_text(30))),
        valid_list(typed_entry(SOCIAL_TYPES, filled_text(60))),
        valid_list(padded(url()).prop_map(|value| json!({ "value": value })).boxed()),
    );
    let property = prop_oneof![
        3 => padded(filled_text(60)).prop_map(Value::String),
        1 => any::<i32>().prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => "[ \t]{0,2}".prop_map(Value::String),
    ];
    let properties =
        prop::option::weighted(0.6, prop::collection::btree_map("[a-z][A-Za-z0-9_]{0,10}", property, 0..4));
    (texts, lists, valid_address(), properties, unknown_fields(HELP_SCOUT_KEYS)).prop_map(
        |(texts, lists, address, properties, unknown)| {
            let (first, last, phone, job, organization, age, gender, location, background, photo_url, photo_type) =
                texts;
            let mut body = Map::new();
            for (key, value) in HELP_SCOUT_TEXT_FIELDS.iter().zip([
                first,
                last,
                phone,
                job,
                organization,
                age,
                gender,
                location,
                background,
                photo_url,
                photo_type,
            ]) {
                put_value(&mut body, key, value);
            }
            let (emails, phones, chats, social, websites) = lists;
            for (key, value) in [
                ("emails", emails),
                ("phones", phones),
                ("chats", chats),
                ("socialProfiles", social),
                ("websites", websites),
            ] {
                put_value(&mut body, key, value);
            }
            put_value(&mut body, "address", address);
            put_value(&mut body, "properties", properties.map(|p| Value::Object(p.into_iter().collect())));
            for (key, value) in unknown {
                body.insert(key, Value::String(value));
            }
            Value::Object(body)
        },
    )
}

fn valid_body() -> impl Strategy<Value = (Backend, Value)> {
    prop_oneof![
        valid_finosu_body().boxed().prop_map(|body| (Backend::Finosu, body)),
        valid_help_scout_body().boxed().prop_map(|body| (Backend::HelpScout, body)),
    ]
}

/// Any JSON value, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// Property definitions for some of the slugs a body may use.
fn property_kinds() -> impl Strategy<Value = BTreeMap<String, PropertyKind>> {
    prop::collection::btree_map(key(), prop::sample::select(&PropertyKind::ALL[..]), 0..4)
}

fn context(kinds: Option<&BTreeMap<String, PropertyKind>>) -> ValidationContext<'_> {
    ValidationContext { today: TODAY, property_kinds: kinds, property_kinds_complete: true, property_options: None }
}

/// The pointer with its last segment removed ("" for a top-level field).
fn parent(pointer: &str) -> &str {
    pointer.rfind('/').map_or("", |at| &pointer[..at])
}

/// Every issue names a place in the body (the value itself, or for a missing field its parent
/// object) and says something in words.
fn assert_issues_well_formed(body: &Value, issues: &[Issue]) -> Result<(), TestCaseError> {
    for issue in issues {
        prop_assert!(issue.path.is_empty() || issue.path.starts_with('/'), "{issue:?}");
        prop_assert!(
            body.pointer(&issue.path).is_some() || body.pointer(parent(&issue.path)).is_some_and(Value::is_object),
            "{} resolves to nothing in {body}",
            issue.path
        );
        prop_assert!(!issue.message.trim().is_empty(), "{issue:?}");
        prop_assert!(issue.message.ends_with('.'), "a message is a sentence: {issue:?}");
    }
    Ok(())
}

/// Strings anywhere in a value, with the pointer to each; the inside of `externalMetadata` is
/// skipped (it is the customer's own data, sent as-is).
fn strings<'a>(value: &'a Value, pointer: &str, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::String(s) => out.push((pointer.to_owned(), s)),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                strings(item, &format!("{pointer}/{index}"), out);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let path = format!("{pointer}/{key}");
                if path != "/externalMetadata" || !item.is_object() {
                    strings(item, &path, out);
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Pointers to empty arrays and objects anywhere in a value, except inside `externalMetadata`.
fn empty_containers(value: &Value, pointer: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Array(items) => items.iter().enumerate().map(|(i, item)| (format!("{pointer}/{i}"), item)).collect(),
        Value::Object(fields) => fields.iter().map(|(k, item)| (format!("{pointer}/{k}"), item)).collect(),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => return,
    };
    if children.is_empty() {
        out.push(pointer.to_owned());
    }
    if pointer != "/externalMetadata" {
        for (path, child) in children {
            empty_containers(child, &path, out);
        }
    }
}

/// Fails with only the issues that differ (bodies of arbitrary text are unreadable in full).
fn assert_same_issues(before: &[Issue], after: &[Issue]) -> Result<(), TestCaseError> {
    let lost: Vec<&Issue> = before.iter().filter(|issue| !after.contains(issue)).collect();
    let gained: Vec<&Issue> = after.iter().filter(|issue| !before.contains(issue)).collect();
    prop_assert!(lost.is_empty() && gained.is_empty(), "lost {lost:#?}\ngained {gained:#?}");
    prop_assert_eq!(before.len(), after.len());
    Ok(())
}

fn sorted(mut issues: Vec<Issue>) -> Vec<Issue> {
    issues.sort_by(|a, b| (&a.path, a.severity, &a.message).cmp(&(&b.path, b.severity, &b.message)));
    issues
}

/// Whether `text` is the one kind of `externalMetadata` text the form deliberately repairs: a
/// JSON object typed as a string becomes that object (the raw JSON editor's normal use).
fn is_object_text(text: &str) -> bool {
    matches!(serde_json::from_str::<Value>(text), Ok(Value::Object(_)))
}

proptest! {
    // Failures are reported, not persisted: a regression found here becomes a named test.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(200) })]

    /// (a) Arbitrary strings in every string field of both backends, including list entries,
    /// the address and properties: no panic, a verdict, well-formed issues.
    #[test]
    fn validation_never_panics_and_names_real_places((backend, body) in any_body(), kinds in property_kinds()) {
        for context in [context(None), context(Some(&kinds))] {
            let issues = validate_draft_with(backend, &body, &context);
            assert_issues_well_formed(&body, &issues)?;
            let _verdict = has_errors(&issues);
            prop_assert_eq!(&issues, &validate_draft_with(backend, &body, &context), "deterministic");
        }
        // With the real clock too.
        let issues = validate_draft(backend, &body);
        assert_issues_well_formed(&body, &issues)?;
    }

    /// (a) Values of any JSON type in every known field, and non-object bodies.
    #[test]
    fn validation_survives_any_json_in_any_field(
        backend in prop::sample::select(&Backend::ALL[..]),
        values in prop::collection::vec(prop::option::weighted(0.6, any_json()), 18),
        root in any_json(),
    ) {
        let keys = match backend {
            Backend::Finosu => FINOSU_KEYS,
            Backend::HelpScout => HELP_SCOUT_KEYS,
        };
        let body: Map<String, Value> =
            keys.iter().zip(values).filter_map(|(key, value)| Some(((*key).to_owned(), value?))).collect();
        let body = Value::Object(body);
        assert_issues_well_formed(&body, &validate_draft_with(backend, &body, &context(None)))?;
        let issues = validate_draft_with(backend, &root, &context(None));
        assert_issues_well_formed(&root, &issues)?;
        if !root.is_object() {
            prop_assert_eq!(issues.len(), 1);
            prop_assert_eq!(issues[0].path.as_str(), "");
        }
        // Normalising any of it does not panic either.
        let _sent = normalize_for_sending(backend, &body);
    }

    /// (b) Normalising is idempotent.
    #[test]
    fn normalising_twice_is_normalising_once((backend, body) in any_body()) {
        let once = normalize_for_sending(backend, &body);
        let twice = normalize_for_sending(backend, &once);
        prop_assert_eq!(&twice, &once);
    }

    /// (c) What is sent has no blank strings and only the backend's fields.
    #[test]
    fn normalised_bodies_have_no_blanks_and_no_unknown_fields((backend, body) in any_body()) {
        let sent = normalize_for_sending(backend, &body);
        let Some(fields) = sent.as_object() else {
            return Err(TestCaseError::fail(format!("not an object: {sent}")));
        };
        for key in fields.keys() {
            prop_assert!(rules_for(backend).fields.iter().any(|rule| rule.key == key), "unknown field {key} sent");
        }
        let mut found = Vec::new();
        strings(&sent, "", &mut found);
        for (pointer, text) in found {
            prop_assert!(!text.trim().is_empty(), "blank string {text:?} sent at {pointer}");
            // Metadata text is the wrong type (validation blocks it) and is passed through as is.
            if pointer != "/externalMetadata" {
                prop_assert_eq!(text.trim(), text, "untrimmed string sent at {}", pointer);
            }
        }
        // Nor an empty list or object.
        let mut empty = Vec::new();
        empty_containers(&sent, "", &mut empty);
        prop_assert!(empty.is_empty(), "empty lists or objects sent at {:?}", empty);
    }

    /// (d) Reading a Finosu body into the form's draft and back keeps every issue.
    #[test]
    fn finosu_round_trip_keeps_the_verdict(body in finosu_body(Flags::Agreeing)) {
        prop_assume!(!body.get("externalMetadata").and_then(Value::as_str).is_some_and(is_object_text));
        let again = FinosuDraft::from_json(&body).to_json();
        let before = sorted(validate_draft_with(Backend::Finosu, &body, &context(None)));
        let after = sorted(validate_draft_with(Backend::Finosu, &again, &context(None)));
        assert_same_issues(&before, &after)?;
    }

    /// (d) Wrong-typed flags survive the round trip, so their errors do too.
    #[test]
    fn finosu_round_trip_keeps_wrong_typed_flags(
        body in finosu_body(Flags::Agreeing),
        flag in prop::sample::select(&FINOSU_BOOL_FIELDS[..]),
        value in text(),
    ) {
        prop_assume!(!["true", "false"].contains(&value.trim().to_ascii_lowercase().as_str()));
        prop_assume!(!body.get("externalMetadata").and_then(Value::as_str).is_some_and(is_object_text));
        let mut body = body;
        body[flag] = Value::String(value);
        let again = FinosuDraft::from_json(&body).to_json();
        prop_assert_eq!(again.get(flag), body.get(flag));
        let before = sorted(validate_draft_with(Backend::Finosu, &body, &context(None)));
        let after = sorted(validate_draft_with(Backend::Finosu, &again, &context(None)));
        assert_same_issues(&before, &after)?;
    }

    /// (d) Reading a Help Scout body into the form's draft and back keeps every issue, with and
    /// without property definitions.
    #[test]
    fn help_scout_round_trip_keeps_the_verdict(body in help_scout_body(true), kinds in property_kinds()) {
        let again = HelpScoutDraft::from_json(&body).to_json();
        for kinds in [None, Some(&kinds)] {
            let before = sorted(validate_draft_with(Backend::HelpScout, &body, &context(kinds)));
            let after = sorted(validate_draft_with(Backend::HelpScout, &again, &context(kinds)));
            assert_same_issues(&before, &after)?;
        }
    }
}

/// (c) Normalising never turns a valid draft invalid. Checked on bodies built valid (which must
/// have no errors) and on the random bodies that happen to be valid; the cases checked are
/// counted, so that the property cannot pass by checking nothing.
#[test]
fn normalised_valid_drafts_stay_valid() {
    use proptest::test_runner::{Config, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering};

    const CASES: u32 = 256;
    let checked = AtomicUsize::new(0);
    let changed = AtomicUsize::new(0);
    let per_backend = [AtomicUsize::new(0), AtomicUsize::new(0)];
    let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
    let bodies = prop_oneof![
        3 => valid_body().prop_map(|(backend, body)| (true, backend, body)),
        1 => any_body().prop_map(|(backend, body)| (false, backend, body)),
    ];
    let result = runner.run(&bodies, |(built_valid, backend, body)| {
        let before = validate_draft_with(backend, &body, &context(None));
        if built_valid {
            prop_assert!(!has_errors(&before), "a body built valid has errors: {body}\n{before:#?}");
        }
        if !has_errors(&before) {
            let sent = normalize_for_sending(backend, &body);
            let after = validate_draft_with(backend, &sent, &context(None));
            prop_assert!(!has_errors(&after), "{body}\nwas sent as\n{sent}\n{after:#?}");
            checked.fetch_add(1, Ordering::Relaxed);
            per_backend[usize::from(backend == Backend::HelpScout)].fetch_add(1, Ordering::Relaxed);
            if sent != body {
                changed.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let (checked, changed) = (checked.into_inner(), changed.into_inner());
    let [finosu, help_scout] = per_backend.map(AtomicUsize::into_inner);
    // About three cases in four are built valid; a run checking fewer than half is broken.
    assert!(checked >= CASES as usize / 2, "only {checked} of {CASES} cases were valid drafts");
    assert!(finosu >= 32 && help_scout >= 32, "valid drafts checked: {finosu} Finosu, {help_scout} Help Scout");
    assert!(changed >= checked / 2, "normalising changed only {changed} of {checked} valid drafts");
}

/// The generators reach the interesting places: a sanity check that the properties above are
/// not vacuous (each body kind produces errors, warnings and clean fields somewhere).
#[test]
fn generators_reach_lists_address_and_properties() {
    use proptest::strategy::ValueTree as _;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..300 {
        let body = help_scout_body(false).new_tree(&mut runner).expect("a body").current();
        for issue in validate_draft_with(Backend::HelpScout, &body, &context(None)) {
            let first = issue.path.split('/').nth(1).unwrap_or_default().to_owned();
            seen.insert(first);
        }
    }
    for place in ["emails", "phones", "chats", "socialProfiles", "websites", "address", "properties", "photoUrl"] {
        assert!(seen.contains(place), "no issue ever found under /{place}: {seen:?}");
    }
    let valid = json!({"firstName": "Vernon", "emails": [{"type": "work", "value": "bear@acme.com"}]});
    assert_eq!(normalize_for_sending(Backend::HelpScout, &valid), valid);
}

/// The cases the properties above found, kept as plain tests so they do not depend on luck.
#[test]
fn found_by_the_properties() {
    let ctx = context(None);
    // A flag that is not true/false survives the form's draft, and so does its error.
    let body = json!({"doNotCall": "yes", "isTest": 1});
    let again = FinosuDraft::from_json(&body).to_json();
    assert_eq!((&again["doNotCall"], &again["isTest"], &again["test"]), (&json!("yes"), &json!(1), &json!(false)));
    assert_same_issues(
        &sorted(validate_draft_with(Backend::Finosu, &body, &ctx)),
        &sorted(validate_draft_with(Backend::Finosu, &again, &ctx)),
    )
    .unwrap();

    // Metadata text that reads as JSON but not as an object stays that text.
    for text in ["null", "\"x\"", "5", "[1]", " true "] {
        let body = json!({ "externalMetadata": text });
        let again = FinosuDraft::from_json(&body).to_json();
        assert_eq!(again["externalMetadata"], json!(text));
        let issues = validate_draft_with(Backend::Finosu, &again, &ctx);
        assert!(issues.iter().any(|i| i.path == "/externalMetadata" && i.message.contains("must be a JSON object")));
    }
    // An object in a string is the one repair: it becomes the object.
    let again = FinosuDraft::from_json(&json!({"externalMetadata": "{\"a\": 1}"})).to_json();
    assert_eq!(again["externalMetadata"], json!({"a": 1}));

    // Blank flags, blank or empty metadata are not sent.
    let sent =
        normalize_for_sending(Backend::Finosu, &json!({"isTest": " ", "doNotCall": "", "externalMetadata": " "}));
    assert_eq!(sent, json!({}));
    assert_eq!(normalize_for_sending(Backend::Finosu, &json!({"externalMetadata": {}})), json!({}));

    // An empty field a website entry does not have is not worth a warning (the form drops it).
    let body = json!({"websites": [{"type": "", "value": "https://acme.com"}], "nickname": " "});
    assert_eq!(validate_draft_with(Backend::HelpScout, &body, &ctx), Vec::<Issue>::new());
}
