//! The Finosu rules of the validation engine (SPEC "Validation"), one field at a time: a valid
//! value gives no issue at its path, invalid values give an issue at the exact JSON Pointer with
//! the right severity and a message that starts with the field's label and says what to do.

mod fixtures;
mod validation_support;

use intake::model::Backend;
use intake::validation::{Issue, Severity, ValidationContext, has_errors, validate_draft, validate_draft_with};
use serde_json::{Value, json};
use validation_support::TODAY;

fn context() -> ValidationContext<'static> {
    ValidationContext { today: TODAY, property_kinds: None, property_kinds_complete: false, property_options: None }
}

/// A complete, valid Finosu body (the seed's examples, filled in).
fn valid() -> Value {
    fixtures::finosu_body()
}

/// The valid body with one field replaced.
fn with(key: &str, value: Value) -> Value {
    let mut body = valid();
    body[key] = value;
    body
}

/// The valid body without one field.
fn without(key: &str) -> Value {
    let mut body = valid();
    body.as_object_mut().map(|fields| fields.remove(key));
    body
}

fn check(body: &Value) -> Vec<Issue> {
    validate_draft_with(Backend::Finosu, body, &context())
}

fn issues_at(body: &Value, path: &str) -> Vec<Issue> {
    check(body).into_iter().filter(|issue| issue.path == path).collect()
}

/// Asserts that `body` has exactly one issue, at `path`; see [`validation_support::assert_only_issue`].
#[track_caller]
fn assert_only_issue(body: &Value, path: &str, severity: Severity, label: &str, words: &[&str]) -> String {
    validation_support::assert_only_issue(&check(body), path, severity, label, words)
}

#[track_caller]
fn assert_no_issue_at(body: &Value, path: &str) {
    let issues = issues_at(body, path);
    assert!(issues.is_empty(), "expected no issue at {path:?}, got {issues:#?}");
}

#[track_caller]
fn assert_clean(body: &Value) {
    let issues = check(body);
    assert!(issues.is_empty(), "expected no issues for {body}, got {issues:#?}");
}

// ---------------------------------------------------------------------------------------------
// The whole body

#[test]
fn complete_valid_draft_has_no_issues() {
    assert_eq!(check(&valid()), Vec::<Issue>::new());
    // Also with today's real date (the birthday is long past).
    assert_eq!(validate_draft(Backend::Finosu, &valid()), Vec::<Issue>::new());
}

#[test]
fn minimal_valid_draft_needs_only_the_required_fields() {
    let mut body = valid();
    for optional in ["ssnLastFour", "streetAddress2", "doNotCall", "isTest", "test", "externalMetadata"] {
        body.as_object_mut().map(|fields| fields.remove(optional));
    }
    assert_clean(&body);
}

#[test]
fn empty_object_lists_every_required_field_as_an_error() {
    let issues = check(&json!({}));
    let paths: Vec<&str> = issues.iter().map(|issue| issue.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/id",
            "/firstName",
            "/lastName",
            "/email",
            "/phoneNumber",
            "/timezone",
            "/birthday",
            "/streetAddress1",
            "/city",
            "/state",
            "/zipCode",
            "/taskType"
        ]
    );
    assert!(issues.iter().all(|issue| issue.severity == Severity::Error));
    assert!(issues.iter().all(|issue| issue.message.contains("is required")));
    assert!(has_errors(&issues));
}

#[test]
fn non_object_bodies_are_one_error_at_the_root() {
    for (body, what) in [
        (json!([]), "a list"),
        (json!([{"firstName": "Ada"}]), "a list"),
        (json!("Ada"), "text"),
        (json!(42), "a number"),
        (json!(true), "true/false"),
        (Value::Null, "null"),
    ] {
        let issues = check(&body);
        assert_eq!(issues.len(), 1, "{body}: {issues:#?}");
        assert_eq!(issues[0].path, "");
        assert_eq!(issues[0].severity, Severity::Error);
        assert!(issues[0].message.contains("must be a JSON object"), "{:?}", issues[0].message);
        assert!(issues[0].message.contains(what), "{body}: {:?}", issues[0].message);
    }
}

// ---------------------------------------------------------------------------------------------
// Required fields

const REQUIRED: [(&str, &str); 12] = [
    ("id", "ID"),
    ("firstName", "First name"),
    ("lastName", "Last name"),
    ("email", "Email"),
    ("birthday", "Birthday"),
    ("phoneNumber", "Phone number"),
    ("timezone", "Time zone"),
    ("streetAddress1", "Street address 1"),
    ("city", "City"),
    ("state", "State"),
    ("zipCode", "ZIP code"),
    ("taskType", "Task type"),
];

#[test]
fn each_required_field_missing_is_an_error_at_its_path() {
    for (key, label) in REQUIRED {
        let path = format!("/{key}");
        assert_no_issue_at(&valid(), &path);
        assert_only_issue(&without(key), &path, Severity::Error, label, &["is required"]);
    }
}

#[test]
fn blank_or_null_required_fields_count_as_missing() {
    for (key, label) in REQUIRED {
        for blank in [json!(""), json!("   "), json!("\t\n"), Value::Null] {
            let message = assert_only_issue(&with(key, blank), &format!("/{key}"), Severity::Error, label, &[]);
            assert_eq!(message.split('.').next(), Some(format!("{label} is required").as_str()), "{message}");
        }
    }
}

#[test]
fn required_messages_say_how_to_fill_the_field() {
    let message = assert_only_issue(&without("timezone"), "/timezone", Severity::Error, "Time zone", &[]);
    assert!(message.contains("America/New_York"), "{message}");
    let message = assert_only_issue(&without("birthday"), "/birthday", Severity::Error, "Birthday", &[]);
    assert!(message.contains("YYYY-MM-DD"), "{message}");
    let message = assert_only_issue(&without("state"), "/state", Severity::Error, "State", &[]);
    assert!(message.contains("two-letter code"), "{message}");
}

#[test]
fn optional_fields_may_be_missing_or_blank() {
    for key in ["ssnLastFour", "streetAddress2", "externalMetadata", "doNotCall", "isTest", "test"] {
        assert_clean(&without(key));
        assert_clean(&with(key, Value::Null));
    }
    for key in ["ssnLastFour", "streetAddress2", "externalMetadata"] {
        assert_clean(&with(key, json!("")));
        assert_clean(&with(key, json!("  ")));
    }
}

// ---------------------------------------------------------------------------------------------
// Formats

#[test]
fn email_must_be_a_valid_address() {
    for good in ["ada@example.com", "ada.lovelace+intake@mail.example.co.uk", "  ada@example.com  "] {
        assert_no_issue_at(&with("email", json!(good)), "/email");
    }
    let cases: [(&str, &[&str]); 6] = [
        ("ada.example.com", &["is not a valid email address", "no @", "name@example.com"]),
        ("ada@", &["is not a valid email address", "nothing comes after the @"]),
        ("@example.com", &["is not a valid email address", "nothing comes before the @"]),
        ("ada@example", &["is not a valid email address", "needs a dot"]),
        ("ada lovelace@example.com", &["is not a valid email address"]),
        ("Ada <ada@example.com>", &["is not a valid email address"]),
    ];
    for (bad, words) in cases {
        assert_only_issue(&with("email", json!(bad)), "/email", Severity::Error, "Email", words);
    }
}

#[test]
fn phone_number_is_parsed_with_us_as_default_region() {
    for good in
        ["(415) 555-0123", "415-555-0123", "4155550123", "+1 415 555 0123", "+44 20 7946 0958", " 415.555.0123 "]
    {
        assert_no_issue_at(&with("phoneNumber", json!(good)), "/phoneNumber");
    }
    let cases: [(&str, &[&str]); 5] = [
        ("+1 (000) 000-0000", &["is not a phone number Intake can read", "country code"]),
        ("555-01", &["too few digits", "area code"]),
        ("call me", &["too few digits"]),
        ("(123) 456-7890", &["does not exist", "area code"]),
        ("123 456 789 012 345", &["phone number"]),
    ];
    for (bad, words) in cases {
        assert_only_issue(&with("phoneNumber", json!(bad)), "/phoneNumber", Severity::Error, "Phone number", words);
    }
}

#[test]
fn timezone_must_be_an_iana_name_in_any_case() {
    for good in
        ["America/New_York", "america/new_york", "AMERICA/CHICAGO", "Pacific/Honolulu", " Europe/London ", "UTC"]
    {
        assert_no_issue_at(&with("timezone", json!(good)), "/timezone");
    }
    for bad in ["Mars/Olympus_Mons", "New York", "America/NewYork", "GMT+25"] {
        assert_only_issue(
            &with("timezone", json!(bad)),
            "/timezone",
            Severity::Error,
            "Time zone",
            &["is not an IANA time-zone name", "America/New_York"],
        );
    }
}

#[test]
fn birthday_must_be_iso_date_shape() {
    for bad in ["06/15/1985", "1985-6-15", "85-06-15", "1985/06/15", "19850615", "1985-06-15T00:00:00", "June 15 1985"]
    {
        assert_only_issue(
            &with("birthday", json!(bad)),
            "/birthday",
            Severity::Error,
            "Birthday",
            &["must be written YYYY-MM-DD", "1985-06-15"],
        );
    }
}

#[test]
fn birthday_must_be_a_real_date() {
    assert_no_issue_at(&with("birthday", json!("2000-02-29")), "/birthday");
    for bad in ["1985-02-30", "1985-13-01", "1985-00-10", "1900-02-29", "2001-02-29", "1985-04-31"] {
        assert_only_issue(
            &with("birthday", json!(bad)),
            "/birthday",
            Severity::Error,
            "Birthday",
            &["is not a real date", bad],
        );
    }
}

#[test]
fn birthday_must_not_be_in_the_future() {
    // Today itself is allowed (a baby entered on their birthday).
    assert_no_issue_at(&with("birthday", json!("2026-11-23")), "/birthday");
    assert_no_issue_at(&with("birthday", json!(" 2026-11-22 ")), "/birthday");
    for bad in ["2026-11-24", "2027-01-01", "9999-12-31"] {
        assert_only_issue(
            &with("birthday", json!(bad)),
            "/birthday",
            Severity::Error,
            "Birthday",
            &["is in the future", bad, "Check the year"],
        );
    }
}

#[test]
fn birthday_must_not_be_before_1900() {
    assert_no_issue_at(&with("birthday", json!("1900-01-01")), "/birthday");
    for bad in ["1899-12-31", "1066-10-14", "0001-01-01"] {
        assert_only_issue(
            &with("birthday", json!(bad)),
            "/birthday",
            Severity::Error,
            "Birthday",
            &["is before 1900", "Check the year"],
        );
    }
}

#[test]
fn ssn_last_four_is_exactly_four_digits() {
    for good in ["1234", "0000", " 9876 "] {
        assert_no_issue_at(&with("ssnLastFour", json!(good)), "/ssnLastFour");
    }
    for bad in ["123", "12345", "12a4", "12 34", "１２３４", "123-45-6789", "abcd"] {
        assert_only_issue(
            &with("ssnLastFour", json!(bad)),
            "/ssnLastFour",
            Severity::Error,
            "SSN last four",
            &["exactly 4 digits"],
        );
    }
}

#[test]
fn state_is_a_usps_code_including_territories_in_any_case() {
    // The ZIP is left out of these so that the ZIP-vs-state warning cannot interfere.
    let state = |value: &str| {
        let mut body = with("state", json!(value));
        body["zipCode"] = json!("");
        body
    };
    for good in ["CA", "ny", "Tx", " dc ", "PR", "GU", "VI", "AS", "MP", "pr", "AE"] {
        let issues = issues_at(&state(good), "/state");
        assert!(issues.is_empty(), "{good}: {issues:#?}");
    }
    for bad in ["XX", "C", "CAL", "ZZ", "U.S."] {
        let body = state(bad);
        let issues = issues_at(&body, "/state");
        assert_eq!(issues.len(), 1, "{bad}: {issues:#?}");
        assert_eq!(issues[0].severity, Severity::Error);
        assert!(issues[0].message.starts_with("State"), "{:?}", issues[0].message);
        assert!(issues[0].message.contains("is not a US state or territory code"), "{:?}", issues[0].message);
        assert!(issues[0].message.contains("two-letter code"), "{:?}", issues[0].message);
    }
}

#[test]
fn full_state_name_gets_a_hint_with_the_code() {
    let cases = [("California", "CA"), ("new york", "NY"), ("Puerto Rico", "PR"), ("  texas ", "TX")];
    for (name, code) in cases {
        let message = assert_only_issue(&with("state", json!(name)), "/state", Severity::Error, "State", &[]);
        assert!(message.contains("two-letter code"), "{message}");
        assert!(message.contains(&format!("use {code} for")), "{name}: {message}");
    }
}

#[test]
fn zip_code_is_five_digits_or_zip_plus_four() {
    for good in ["94102", "94102-1234", " 94105 "] {
        assert_no_issue_at(&with("zipCode", json!(good)), "/zipCode");
    }
    for bad in ["9410", "941021", "941021234", "94102-12", "94102 1234", "ABCDE", "9410a", "94102-", "９４１０２"]
    {
        assert_only_issue(
            &with("zipCode", json!(bad)),
            "/zipCode",
            Severity::Error,
            "ZIP code",
            &["12345", "12345-6789"],
        );
    }
}

#[test]
fn zip_that_does_not_fit_the_state_is_a_warning_only() {
    let mut body = valid();
    body["state"] = json!("ny");
    body["zipCode"] = json!("94102");
    body["timezone"] = json!("America/New_York");
    let message = assert_only_issue(
        &body,
        "/zipCode",
        Severity::Warning,
        "ZIP code",
        &["ZIP code 94102 is San Francisco, CA, not NY. Check the ZIP code and the state."],
    );
    assert!(!message.contains("ny"), "the state is shown in upper case: {message}");
    assert!(!has_errors(&check(&body)), "a warning does not block sending");

    // ZIP+4 is checked by its first five digits too, and names the five-digit ZIP.
    body["zipCode"] = json!("94102-0001");
    assert_only_issue(
        &body,
        "/zipCode",
        Severity::Warning,
        "ZIP code",
        &["ZIP code 94102 is San Francisco, CA, not NY"],
    );

    // A fitting ZIP, a bad ZIP (already an error) and a bad state give no warning.
    body["zipCode"] = json!("10001");
    assert_clean(&body);
    body["zipCode"] = json!("1000");
    assert!(issues_at(&body, "/zipCode").iter().all(|issue| issue.severity == Severity::Error));
    let mut body = valid();
    body["state"] = json!("XX");
    assert!(issues_at(&body, "/zipCode").is_empty());
}

#[test]
fn zip_fit_knows_territories() {
    let mut body = valid();
    body["state"] = json!("PR");
    body["zipCode"] = json!("00901");
    body["timezone"] = json!("America/Puerto_Rico");
    assert_clean(&body);
    body["state"] = json!("GU");
    assert_only_issue(&body, "/zipCode", Severity::Warning, "ZIP code", &["00901 is San Juan, PR, not GU"]);
}

#[test]
fn zip_fit_names_the_zips_city_from_the_table() {
    let mut body = valid();
    body["timezone"] = json!("America/New_York");
    body["state"] = json!("MA");
    body["zipCode"] = json!("02139");
    assert_clean(&body);
    body["state"] = json!("ct");
    assert_only_issue(
        &body,
        "/zipCode",
        Severity::Warning,
        "ZIP code",
        &["ZIP code 02139 is Cambridge, MA, not CT. Check the ZIP code and the state."],
    );
    // A ZIP the table does not know falls back to the state's ZIP prefixes: 94199 is unused but
    // a California prefix.
    body["state"] = json!("NY");
    body["zipCode"] = json!("94199");
    assert_only_issue(&body, "/zipCode", Severity::Warning, "ZIP code", &["ZIP code 94199 belongs to CA, not NY"]);
    body["state"] = json!("CA");
    assert_clean(&body);
}

// ---------------------------------------------------------------------------------------------
// externalMetadata

#[test]
fn external_metadata_object_is_accepted_as_is() {
    for good in [json!({}), json!({"a": 1}), json!({"employer": {"name": "Acme"}, "tags": ["x"], "n": null})] {
        assert_clean(&with("externalMetadata", good));
    }
}

#[test]
fn external_metadata_broken_json_text_points_at_line_and_column() {
    let text = "{\n  \"employer\": \"Acme\",\n  payday: 15\n}";
    let message = assert_only_issue(
        &with("externalMetadata", json!(text)),
        "/externalMetadata",
        Severity::Error,
        "External metadata",
        &["is not valid JSON", "line 3, column 3"],
    );
    assert_eq!(message.matches("line").count(), 1, "the position is given once: {message}");

    let message = assert_only_issue(
        &with("externalMetadata", json!("{\"a\": 1,}")),
        "/externalMetadata",
        Severity::Error,
        "External metadata",
        &["is not valid JSON", "line 1, column 9"],
    );
    assert!(message.ends_with('.'), "{message}");
    assert_only_issue(
        &with("externalMetadata", json!("{\"a\": ")),
        "/externalMetadata",
        Severity::Error,
        "External metadata",
        &["is not valid JSON", "line 1, column 6"],
    );
}

#[test]
fn external_metadata_arrays_and_scalars_are_rejected() {
    let cases = [
        (json!([1, 2]), "a list"),
        (json!(42), "a number"),
        (json!(true), "true/false"),
        (json!("[1, 2]"), "a list"),
        (json!("42"), "a number"),
        (json!("null"), "null"),
        (json!("\"text\""), "text"),
    ];
    for (value, what) in cases {
        let message = assert_only_issue(
            &with("externalMetadata", value.clone()),
            "/externalMetadata",
            Severity::Error,
            "External metadata",
            &["must be a JSON object"],
        );
        assert!(message.contains(&format!("not {what}")), "{value}: {message}");
    }
}

#[test]
fn external_metadata_object_inside_a_string_says_to_remove_the_quotes() {
    assert_only_issue(
        &with("externalMetadata", json!("{\"employer\": \"Acme\"}")),
        "/externalMetadata",
        Severity::Error,
        "External metadata",
        &["inside a string", "Remove the quotes"],
    );
}

// ---------------------------------------------------------------------------------------------
// Flags, unknown fields, wrong JSON types

#[test]
fn is_test_and_test_disagreeing_is_a_warning() {
    let mut body = valid();
    body["isTest"] = json!(true);
    body["test"] = json!(false);
    let issues = check(&body);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0].path, "/test");
    assert_eq!(issues[0].severity, Severity::Warning);
    let message = &issues[0].message;
    assert!(message.starts_with("Test customer (test) is false but isTest is true"), "{message}");
    assert!(message.contains("both will be sent as true"), "{message}");
    assert!(!has_errors(&issues));

    body["isTest"] = json!(false);
    body["test"] = json!(true);
    assert_eq!(issues_at(&body, "/test").len(), 1);

    for (is_test, test) in [(true, true), (false, false)] {
        body["isTest"] = json!(is_test);
        body["test"] = json!(test);
        assert_clean(&body);
    }
    // Only one of the two present: nothing to disagree with.
    assert_clean(&without("test"));
    assert_clean(&without("isTest"));
}

#[test]
fn unknown_top_level_field_is_a_warning_at_its_pointer() {
    let mut body = valid();
    body["nickname"] = json!("Al");
    let message = assert_only_issue(
        &body,
        "/nickname",
        Severity::Warning,
        "Finosu",
        &["has no field \"nickname\"", "will not be sent"],
    );
    assert!(message.contains("kept in the draft"), "{message}");
    assert!(!has_errors(&check(&body)));

    // The key is escaped as a JSON Pointer segment.
    let mut body = valid();
    body["a/b~c"] = json!(1);
    assert_only_issue(&body, "/a~1b~0c", Severity::Warning, "Finosu", &["has no field \"a/b~c\""]);

    // Help Scout fields are unknown to Finosu.
    let mut body = valid();
    body["emails"] = json!([{"type": "work", "value": "ada@example.com"}]);
    assert_only_issue(&body, "/emails", Severity::Warning, "Finosu", &["has no field \"emails\""]);
}

#[test]
fn wrong_json_types_are_errors() {
    let text_cases = [
        ("firstName", json!(42), "First name", "a number"),
        ("lastName", json!(true), "Last name", "true/false"),
        ("email", json!(["ada@example.com"]), "Email", "a list"),
        ("zipCode", json!(94102), "ZIP code", "a number"),
        ("city", json!({"name": "SF"}), "City", "an object"),
        ("ssnLastFour", json!(1234), "SSN last four", "a number"),
    ];
    for (key, value, label, what) in text_cases {
        let message = assert_only_issue(
            &with(key, value),
            &format!("/{key}"),
            Severity::Error,
            label,
            &["must be text in quotes"],
        );
        assert!(message.contains(&format!("not {what}")), "{message}");
    }
    let bool_cases = [
        ("doNotCall", json!("yes"), "Do not call", "text"),
        ("doNotCall", json!("true"), "Do not call", "text"),
        ("doNotCall", json!(1), "Do not call", "a number"),
        ("isTest", json!("false"), "Test customer (isTest)", "text"),
        ("test", json!([true]), "Test customer (test)", "a list"),
    ];
    for (key, value, label, what) in bool_cases {
        let mut body = with(key, value);
        // Keep the other flag out so the isTest/test comparison cannot add a warning.
        body.as_object_mut().map(|fields| fields.remove(if key == "test" { "isTest" } else { "test" }));
        let message = assert_only_issue(&body, &format!("/{key}"), Severity::Error, label, &["must be true or false"]);
        assert!(message.contains(&format!("not {what}")), "{message}");
    }
}

#[test]
fn several_problems_are_all_reported_in_field_order() {
    let mut body = valid();
    body["email"] = json!("ada@");
    body["ssnLastFour"] = json!("12");
    body["zipCode"] = json!("9");
    body["extra"] = json!("x");
    let issues = check(&body);
    let summary: Vec<(&str, Severity)> = issues.iter().map(|i| (i.path.as_str(), i.severity)).collect();
    assert_eq!(
        summary,
        [
            ("/email", Severity::Error),
            ("/ssnLastFour", Severity::Error),
            ("/zipCode", Severity::Error),
            ("/extra", Severity::Warning)
        ]
    );
}

#[test]
fn every_message_is_a_sentence() {
    let mut body = valid();
    for (key, value) in [
        ("email", json!("x")),
        ("phoneNumber", json!("1")),
        ("timezone", json!("x")),
        ("birthday", json!("x")),
        ("ssnLastFour", json!("x")),
        ("state", json!("x")),
        ("zipCode", json!("x")),
        ("externalMetadata", json!("x")),
        ("doNotCall", json!("x")),
        ("firstName", json!(1)),
        ("unknown", json!(1)),
    ] {
        body[key] = value;
    }
    body.as_object_mut().map(|fields| fields.remove("id"));
    let issues = check(&body);
    assert_eq!(issues.len(), 12, "{issues:#?}");
    for issue in issues {
        assert!(issue.message.ends_with('.'), "{issue:?}");
        assert!(issue.message.chars().next().is_some_and(char::is_uppercase), "{issue:?}");
    }
}
