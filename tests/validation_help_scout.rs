//! The Help Scout rules of the validation engine (SPEC "Validation"): lengths, URLs, enums, list
//! entries, the address, and custom properties with and without definitions.

mod fixtures;
mod validation_support;

use std::collections::BTreeMap;

use intake::model::{Backend, PropertyDefinition, PropertyKind};
use intake::validation::{
    Issue, Severity, ValidationContext, has_errors, pointer_segment, validate_draft_with, validate_for_account,
};
use serde_json::{Value, json};
use validation_support::{TODAY, assert_only_issue as assert_issue};

/// Every issue of `body` when the account's property definitions are not known.
fn check_without_definitions(body: &Value) -> Vec<Issue> {
    validate_draft_with(
        Backend::HelpScout,
        body,
        &ValidationContext {
            today: TODAY,
            property_kinds: None,
            property_kinds_complete: false,
            property_options: None,
        },
    )
}

/// The warning each property gets while the account's definitions are not known.
fn is_unchecked_slug_warning(issue: &Issue) -> bool {
    issue.severity == Severity::Warning && issue.message.contains("cannot be checked against the account")
}

/// The issues of `body` without definitions, apart from the one "cannot be checked" warning
/// that each property sent must have (checked here).
#[track_caller]
fn check(body: &Value) -> Vec<Issue> {
    let issues = check_without_definitions(body);
    let sent: Vec<String> = body
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(slug, value)| !slug.trim().is_empty() && !matches!(value, Value::String(s) if s.trim().is_empty()))
        .map(|(slug, _)| format!("/properties/{}", pointer_segment(slug)))
        .collect();
    let warned: Vec<String> = issues.iter().filter(|i| is_unchecked_slug_warning(i)).map(|i| i.path.clone()).collect();
    assert_eq!(warned, sent, "one \"cannot be checked\" warning per property sent: {issues:#?}");
    issues.into_iter().filter(|i| !is_unchecked_slug_warning(i)).collect()
}

fn check_typed(body: &Value, kinds: &BTreeMap<String, PropertyKind>) -> Vec<Issue> {
    validate_draft_with(
        Backend::HelpScout,
        body,
        &ValidationContext {
            today: TODAY,
            property_kinds: Some(kinds),
            property_kinds_complete: true,
            property_options: None,
        },
    )
}

/// The request example of the Help Scout seed, verbatim.
fn seed_example() -> Value {
    fixtures::help_scout_seed_body()
}

/// A body using every field, all valid.
fn full() -> Value {
    json!({
        "firstName": "Vernon", "lastName": "Bear",
        "emails": [{"type": "work", "value": "bear@acme.com"}, {"type": "home", "value": "vernon@example.org"}],
        "phones": [{"type": "mobile", "value": "(415) 555-0123"}],
        "phone": "+1 415 555 0124",
        "jobTitle": "CEO", "organization": "Acme, Inc", "age": "30-35", "gender": "male",
        "location": "Dallas",
        "address": {"lines": ["1 Main St", "Suite 2"], "city": "Dallas", "state": "TX", "postalCode": "75201",
                    "country": "US"},
        "background": "Met at the conference.",
        "websites": [{"value": "https://acme.com"}],
        "socialProfiles": [{"type": "twitter", "value": "https://twitter.com/vbear"}],
        "chats": [{"type": "skype", "value": "vernon.bear"}],
        "photoUrl": "https://example.com/p.jpg", "photoType": "gravatar",
        "properties": {"car": "Tesla", "shoeSize": 44, "vip": true}
    })
}

fn issues_at(body: &Value, path: &str) -> Vec<Issue> {
    check(body).into_iter().filter(|issue| issue.path == path).collect()
}

/// Asserts `body` has exactly one issue, an error at `path`.
#[track_caller]
fn assert_only_error(body: &Value, path: &str, label: &str, words: &[&str]) -> String {
    assert_issue(&check(body), path, Severity::Error, label, words)
}

#[track_caller]
fn assert_clean(body: &Value) {
    let issues = check(body);
    assert!(issues.is_empty(), "expected no issues for {body}, got {issues:#?}");
}

// ---------------------------------------------------------------------------------------------
// Whole bodies

#[test]
fn seed_example_is_valid() {
    assert_eq!(check(&seed_example()), Vec::<Issue>::new());
}

#[test]
fn full_body_is_valid_and_empty_body_too() {
    assert_eq!(check(&full()), Vec::<Issue>::new());
    // Nothing is required by Help Scout itself.
    assert_eq!(check(&json!({})), Vec::<Issue>::new());
}

#[test]
fn non_object_body_is_an_error_at_the_root() {
    let issues = check(&json!([seed_example()]));
    assert_issue(&issues, "", Severity::Error, "The draft", &["must be a JSON object", "not a list"]);
}

#[test]
fn unknown_fields_are_warnings_at_their_pointer() {
    let body = json!({"firstName": "Vernon", "zipCode": "75201"});
    let message =
        assert_issue(&check(&body), "/zipCode", Severity::Warning, "Help Scout", &["has no field \"zipCode\""]);
    assert!(message.contains("will not be sent"), "{message}");
    let body = json!({"emails": [{"type": "work", "value": "a@acme.com", "primary": true}]});
    assert_issue(&check(&body), "/emails/0/primary", Severity::Warning, "This entry", &["has no field \"primary\""]);
    let body = json!({"address": {"city": "Dallas", "state": "TX", "postalCode": "75201", "country": "US",
                                  "zip": "75201"}});
    assert_issue(&check(&body), "/address/zip", Severity::Warning, "Address", &["has no field \"zip\""]);
}

// ---------------------------------------------------------------------------------------------
// Lengths

#[test]
fn names_are_at_most_40_characters() {
    for (key, label) in [("firstName", "First name"), ("lastName", "Last name")] {
        let path = format!("/{key}");
        for good in ["V", &"a".repeat(40), &"é".repeat(40), &format!("  {}  ", "b".repeat(40))] {
            assert!(issues_at(&json!({ key: good }), &path).is_empty(), "{key} = {good:?}");
        }
        assert_only_error(&json!({ key: "a".repeat(41) }), &path, label, &["41 characters", "limit is 40", "by 1"]);
        assert_only_error(&json!({ key: "ü".repeat(45) }), &path, label, &["45 characters", "limit is 40", "by 5"]);
        // Blank means absent (1–40 applies only when present).
        assert_clean(&json!({ key: "   " }));
    }
}

#[test]
fn job_title_location_organization_are_at_most_60_and_notes_200() {
    let limits = [
        ("jobTitle", "Job title", 60),
        ("location", "Location", 60),
        ("organization", "Organization", 60),
        ("background", "Notes", 200),
    ];
    for (key, label, limit) in limits {
        let path = format!("/{key}");
        assert_clean(&json!({ key: "x".repeat(limit) }));
        let over = format!("{} characters", limit + 1);
        let limit_words = format!("limit is {limit}");
        assert_only_error(&json!({ key: "x".repeat(limit + 1) }), &path, label, &[&over, &limit_words]);
    }
}

#[test]
fn photo_url_must_be_a_web_address_of_at_most_200_characters() {
    let at_limit = format!("https://example.com/{}", "p".repeat(200 - "https://example.com/".len()));
    assert_eq!(at_limit.len(), 200);
    for good in ["https://api.helpscout.net/img/some-avatar.jpg", "http://localhost:8080/a.png", &at_limit] {
        assert_clean(&json!({ "photoUrl": good }));
    }
    let too_long = format!("{at_limit}g");
    assert_only_error(&json!({ "photoUrl": too_long }), "/photoUrl", "Photo URL", &["201 characters", "limit is 200"]);
    for (bad, words) in [
        ("not a url", &["is not a valid web address", "https://"][..]),
        ("example.com/a.png", &["is not a valid web address"][..]),
        ("https://", &["is not a valid web address"][..]),
        ("ftp://example.com/a.png", &["must be a web address starting with https://", "not ftp:"][..]),
        ("mailto:bear@acme.com", &["not mailto:"][..]),
        ("file:///tmp/a.png", &["not file:"][..]),
    ] {
        assert_only_error(&json!({ "photoUrl": bad }), "/photoUrl", "Photo URL", words);
    }
}

// ---------------------------------------------------------------------------------------------
// Enums

/// Every value the SPEC allows, with the field and its label.
const ENUMS: [(&str, &str, &[&str]); 2] = [
    (
        "photoType",
        "Photo type",
        &["unknown", "gravatar", "twitter", "facebook", "googleprofile", "googleplus", "linkedin", "instagram"],
    ),
    ("gender", "Gender", &["male", "female", "unknown"]),
];

#[test]
fn photo_type_and_gender_accept_every_listed_value_in_any_case() {
    for (key, _, allowed) in ENUMS {
        for value in allowed {
            assert_clean(&json!({ key: value }));
            assert_clean(&json!({ key: value.to_uppercase() }));
            assert_clean(&json!({ key: format!(" {value} ") }));
        }
    }
    assert_clean(&json!({"gender": "Male"}));
    assert_clean(&json!({"gender": "FeMale"}));
}

#[test]
fn photo_type_and_gender_reject_other_values_listing_the_choices() {
    for (key, label, allowed) in ENUMS {
        for bad in ["M", "other", "picture", "male female"] {
            let message = assert_only_error(&json!({ key: bad }), &format!("/{key}"), label, &["must be one of"]);
            assert!(message.contains(&allowed.join(", ")), "{message}");
        }
    }
}

/// The list fields with a `type`, their item label, the SPEC's allowed types and a valid value.
const TYPED_LISTS: [(&str, &str, &[&str], &str); 4] = [
    ("emails", "Email", &["home", "other", "work"], "bear@acme.com"),
    ("phones", "Phone", &["fax", "home", "mobile", "other", "pager", "work"], "(415) 555-0123"),
    ("chats", "Chat", &["aim", "gtalk", "icq", "msn", "other", "qq", "skype", "xmpp", "yahoo"], "vernon.bear"),
    (
        "socialProfiles",
        "Social profile",
        &[
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
        ],
        "https://example.com/vbear",
    ),
];

#[test]
fn list_entry_types_accept_every_listed_value_in_any_case() {
    for (key, _, allowed, value) in TYPED_LISTS {
        for kind in allowed {
            assert_clean(&json!({ key: [{"type": kind, "value": value}] }));
            assert_clean(&json!({ key: [{"type": kind.to_uppercase(), "value": value}] }));
        }
        // All of them in one list.
        let entries: Vec<Value> = allowed.iter().map(|kind| json!({"type": kind, "value": value})).collect();
        assert_clean(&json!({ key: entries }));
    }
}

#[test]
fn list_entry_types_reject_other_values_listing_the_choices() {
    for (key, label, allowed, value) in TYPED_LISTS {
        let body = json!({ key: [{"type": allowed[0], "value": value}, {"type": "carrier-pigeon", "value": value}] });
        let message =
            assert_only_error(&body, &format!("/{key}/1/type"), &format!("{label} 2 type"), &["must be one of"]);
        assert!(message.contains(&allowed.join(", ")), "{message}");
    }
}

#[test]
fn social_profile_spelling_follows_the_seed() {
    // The seed lists "forsquare" (sic); "foursquare" is not accepted by the API.
    assert_clean(&json!({"socialProfiles": [{"type": "forsquare", "value": "vbear"}]}));
    assert_eq!(
        issues_at(&json!({"socialProfiles": [{"type": "foursquare", "value": "vbear"}]}), "/socialProfiles/0/type")
            .len(),
        1
    );
}

// ---------------------------------------------------------------------------------------------
// List entries

#[test]
fn each_entry_needs_both_type_and_value() {
    for (key, label, allowed, value) in TYPED_LISTS {
        let value_label = match key {
            "emails" => "address",
            "phones" => "number",
            "chats" => "handle",
            _ => "profile",
        };
        let body = json!({ key: [{"type": allowed[0]}] });
        assert_only_error(&body, &format!("/{key}/0/value"), &format!("{label} 1 {value_label}"), &["is required"]);

        let body = json!({ key: [{"type": allowed[0], "value": value}, {"value": value}] });
        let message = assert_only_error(&body, &format!("/{key}/1/type"), &format!("{label} 2 type"), &["is required"]);
        assert!(message.contains("Choose one of"), "{message}");

        let body = json!({ key: [{"type": allowed[0], "value": value}, {"type": "  ", "value": value}] });
        assert_only_error(&body, &format!("/{key}/1/type"), &format!("{label} 2 type"), &["is required"]);
    }
}

#[test]
fn empty_entries_are_skipped() {
    for (key, ..) in TYPED_LISTS {
        assert_clean(&json!({ key: [] }));
        assert_clean(&json!({ key: [{}] }));
        assert_clean(&json!({ key: [{"type": "", "value": "  "}, null] }));
    }
    assert_clean(&json!({"websites": [{"value": ""}]}));
}

#[test]
fn email_and_phone_values_are_checked_at_their_entry() {
    let body = json!({"emails": [{"type": "work", "value": "bear@acme.com"}, {"type": "home", "value": "bear@"}]});
    assert_only_error(&body, "/emails/1/value", "Email 2 address", &["is not a valid email address"]);
    let body = json!({"phones": [{"type": "work", "value": "12"}]});
    assert_only_error(&body, "/phones/0/value", "Phone 1 number", &["too few digits"]);
    let body = json!({"phone": "(123) 456-7890"});
    assert_only_error(&body, "/phone", "Phone", &["does not exist"]);
    assert_clean(&json!({"phone": "+44 20 7946 0958"}));
}

#[test]
fn website_values_are_urls() {
    assert_clean(&json!({"websites": [{"value": "https://acme.com"}, {"value": "http://example.org/about"}]}));
    assert_only_error(
        &json!({"websites": [{"value": "acme dot com"}]}),
        "/websites/0/value",
        "Website 1 URL",
        &["is not a valid web address"],
    );
    assert_only_error(
        &json!({"websites": [{"value": "https://acme.com"}, {"value": "javascript:alert(1)"}]}),
        "/websites/1/value",
        "Website 2 URL",
        &["starting with https://"],
    );
    let issues = check(&json!({"websites": [{"value": " "}, {"type": "work"}]}));
    let summary: Vec<(&str, Severity)> = issues.iter().map(|i| (i.path.as_str(), i.severity)).collect();
    assert_eq!(summary, [("/websites/1/value", Severity::Error), ("/websites/1/type", Severity::Warning)]);
    assert!(issues[0].message.starts_with("Website 2 URL is required"), "{issues:#?}");
}

#[test]
fn lists_and_entries_of_the_wrong_shape_are_errors() {
    assert_only_error(&json!({"emails": "bear@acme.com"}), "/emails", "Emails", &["must be a list", "not text"]);
    assert_only_error(&json!({"chats": {"type": "skype"}}), "/chats", "Chats", &["must be a list", "not an object"]);
    assert_only_error(
        &json!({"emails": ["bear@acme.com"]}),
        "/emails/0",
        "Email 1",
        &["must be an object", "not text"],
    );
    assert_only_error(
        &json!({"phones": [{"type": "work", "value": 4_155_550_123_u64}]}),
        "/phones/0/value",
        "Phone 1 number",
        &["must be text in quotes", "not a number"],
    );
}

// ---------------------------------------------------------------------------------------------
// Address

#[test]
fn any_address_field_makes_city_state_postal_code_and_country_required() {
    let body = json!({"address": {"city": "Dallas"}});
    let issues = check(&body);
    let paths: Vec<&str> = issues.iter().map(|issue| issue.path.as_str()).collect();
    assert_eq!(paths, ["/address/state", "/address/postalCode", "/address/country"], "{issues:#?}");
    for (issue, label) in issues.iter().zip(["State", "Postal code", "Country"]) {
        assert_eq!(issue.severity, Severity::Error);
        assert!(issue.message.starts_with(label), "{issue:?}");
        assert!(issue.message.contains("is required when the rest of it is filled in"), "{issue:?}");
    }
    assert!(issues[2].message.contains("two-letter code, e.g. US"), "{:?}", issues[2].message);

    // Only an address line is enough to require the rest.
    let issues = check(&json!({"address": {"lines": ["1 Main St"]}}));
    let paths: Vec<&str> = issues.iter().map(|issue| issue.path.as_str()).collect();
    assert_eq!(paths, ["/address/city", "/address/state", "/address/postalCode", "/address/country"]);

    // An empty or blank address requires nothing.
    assert_clean(&json!({"address": {}}));
    assert_clean(&json!({"address": {"lines": ["", " "], "city": "  ", "country": ""}}));
    assert_clean(&json!({"address": {"city": "London", "state": "Greater London", "postalCode": "SW1A 1AA",
                                      "country": "GB"}}));
}

#[test]
fn address_country_is_an_iso_alpha_2_code() {
    let address = |country: &str| json!({"address": {"city": "Paris", "state": "IDF", "postalCode": "75001", "country": country}});
    for good in ["FR", "fr", " de ", "GB", "US"] {
        let body = address(good);
        assert!(issues_at(&body, "/address/country").is_empty(), "{good}");
    }
    for bad in ["UK", "FRA", "France", "F", "XX"] {
        assert_only_error(&address(bad), "/address/country", "Country", &["two-letter ISO country code", "e.g. US"]);
    }
}

#[test]
fn us_address_needs_a_us_state_and_a_zip() {
    let us = |state: &str, zip: &str| json!({"address": {"city": "Dallas", "state": state, "postalCode": zip, "country": "us"}});
    assert_clean(&us("TX", "75201"));
    assert_clean(&us("tx", "75201-1234"));
    assert_clean(&us("PR", "00901"));

    assert_only_error(&us("Texas", "75201"), "/address/state", "State", &["two-letter US state", "for a US address"]);
    assert_only_error(&us("TX", "7520"), "/address/postalCode", "Postal code", &["ZIP code", "12345-6789"]);
    assert_only_error(&us("TX", "SW1A 1AA"), "/address/postalCode", "Postal code", &["for a US address"]);

    // A ZIP from another state is a warning, like Finosu's.
    let issues = check(&us("TX", "10001"));
    assert_issue(
        &issues,
        "/address/postalCode",
        Severity::Warning,
        "ZIP code",
        &["ZIP code 10001 is New York, NY, not TX"],
    );
    assert!(!has_errors(&issues));

    // The same state and postal code are fine outside the US.
    let body = json!({"address": {"city": "Toronto", "state": "Ontario", "postalCode": "M5V 2T6", "country": "CA"}});
    assert_clean(&body);
}

// ---------------------------------------------------------------------------------------------
// Properties without definitions

#[test]
fn untyped_properties_take_integers_short_text_and_booleans() {
    assert_clean(
        &json!({"properties": {"car": "Tesla", "shoeSize": 44, "vip": true, "debt": -3, "text": "x".repeat(255)}}),
    );
    assert_only_error(
        &json!({"properties": {"shoeSize": 44.5}}),
        "/properties/shoeSize",
        "Property \"shoeSize\"",
        &["must be a whole number"],
    );
    assert_only_error(
        &json!({"properties": {"note": "x".repeat(256)}}),
        "/properties/note",
        "Property \"note\"",
        &["256 characters", "limit is 255"],
    );
}

#[test]
fn untyped_properties_reject_null_lists_and_objects() {
    let body = json!({"properties": {"car": "Tesla", "gone": null}});
    assert_only_error(&body, "/properties/gone", "Property \"gone\"", &["has no value"]);
    let body = json!({"properties": {"tags": ["a", "b"]}});
    assert_only_error(&body, "/properties/tags", "Property \"tags\"", &["must be a single value", "not a list"]);
    let body = json!({"properties": {"meta": {"a": 1}}});
    assert_only_error(&body, "/properties/meta", "Property \"meta\"", &["must be a single value", "not an object"]);
}

#[test]
fn property_without_slug_is_an_error_at_the_empty_segment() {
    let issues = check(&json!({"properties": {"": "Tesla"}}));
    let message = assert_issue(&issues, "/properties/", Severity::Error, "A property", &["no slug"]);
    assert!(message.contains("Fill in the slug or remove the row"), "{message}");
    let issues = check(&json!({"properties": {"  ": 4}}));
    assert_issue(&issues, "/properties/  ", Severity::Error, "A property", &["no slug"]);
}

#[test]
fn properties_must_be_an_object() {
    assert_only_error(
        &json!({"properties": ["car"]}),
        "/properties",
        "Properties",
        &["must be an object", "not a list"],
    );
    assert_only_error(&json!({"properties": "car=Tesla"}), "/properties", "Properties", &["must be an object"]);
}

#[test]
fn property_slugs_are_escaped_in_pointers() {
    assert_eq!(pointer_segment("a/b"), "a~1b");
    assert_eq!(pointer_segment("m~n"), "m~0n");
    assert_eq!(pointer_segment("~/"), "~0~1");
    assert_eq!(pointer_segment("~1"), "~01", "a literal ~1 is not read back as /");
    assert_eq!(pointer_segment("plain"), "plain");

    let body = json!({"properties": {"size/eu": 44.5, "m~n": [1], "~1": null}});
    let issues = check(&body);
    let paths: Vec<&str> = issues.iter().map(|issue| issue.path.as_str()).collect();
    assert_eq!(paths, ["/properties/size~1eu", "/properties/m~0n", "/properties/~01"]);
    // Each pointer leads back to the value it is about.
    for issue in &issues {
        assert!(body.pointer(&issue.path).is_some(), "{} does not resolve", issue.path);
    }
    assert_eq!(body.pointer(&issues[0].path), Some(&json!(44.5)));
    assert!(issues[0].message.starts_with("Property \"size/eu\""), "{:?}", issues[0].message);
}

// ---------------------------------------------------------------------------------------------
// Properties with definitions

fn kinds() -> BTreeMap<String, PropertyKind> {
    [
        ("shoeSize", PropertyKind::Number),
        ("car", PropertyKind::Text),
        ("vip", PropertyKind::Bool),
        ("site", PropertyKind::Url),
        ("since", PropertyKind::Date),
    ]
    .into_iter()
    .map(|(slug, kind)| (slug.to_owned(), kind))
    .collect()
}

#[test]
fn typed_properties_accept_values_of_their_type() {
    let body = json!({"properties": {"shoeSize": 44, "car": "x".repeat(255), "vip": false,
                                     "site": "https://google.com", "since": "2019-01-02"}});
    assert_eq!(check_typed(&body, &kinds()), Vec::<Issue>::new());
}

#[test]
fn typed_properties_reject_values_of_another_type() {
    let cases = [
        ("shoeSize", json!(44.5), "must be a whole number"),
        ("shoeSize", json!("44"), "must be a whole number"),
        ("shoeSize", json!(true), "must be a whole number"),
        ("car", json!("x".repeat(256)), "the limit is 255"),
        ("car", json!(5), "must be text in quotes, not a number"),
        ("vip", json!("yes"), "must be true or false"),
        ("vip", json!(1), "must be true or false"),
        ("site", json!("google.com"), "is not a valid web address"),
        ("site", json!("ftp://google.com"), "starting with https://"),
        ("site", json!(["https://google.com"]), "must be text in quotes, not a list"),
        ("since", json!("01/02/2019"), "must be written YYYY-MM-DD"),
        ("since", json!("2019-02-30"), "is not a real date"),
        ("since", json!(20_190_102), "must be text in quotes"),
    ];
    for (slug, value, words) in cases {
        let body = json!({"properties": { slug: value }});
        let issues = check_typed(&body, &kinds());
        let label = format!("Property \"{slug}\"");
        assert_issue(&issues, &format!("/properties/{slug}"), Severity::Error, &label, &[words]);
    }
}

#[test]
fn undefined_property_is_an_error_when_definitions_are_known() {
    let body = json!({"properties": {"shoeSize": 44, "colour": "green"}});
    let issues = check_typed(&body, &kinds());
    let message = assert_issue(
        &issues,
        "/properties/colour",
        Severity::Error,
        "Property \"colour\"",
        &["is not defined in this Help Scout account"],
    );
    assert!(message.contains("Help Scout rejects it. Remove it or define it in Help Scout."), "{message}");
    assert!(has_errors(&issues));
    // With an empty set of definitions (an account that defines none) every slug is undefined.
    let issues = check_typed(&json!({"properties": {"a": 1, "b/c": 2}}), &BTreeMap::new());
    let paths: Vec<(&str, Severity)> = issues.iter().map(|i| (i.path.as_str(), i.severity)).collect();
    assert_eq!(paths, [("/properties/a", Severity::Error), ("/properties/b~1c", Severity::Error)]);
    // A blank value is not sent, so its slug is not checked either.
    assert_eq!(check_typed(&json!({"properties": {"colour": " "}}), &kinds()), Vec::<Issue>::new());
}

#[test]
fn without_definitions_each_slug_is_a_warning_saying_how_to_fetch_them() {
    let body = json!({"properties": {"shoeSize": 44, "colour": "green"}});
    let issues = check_without_definitions(&body);
    let found: Vec<(&str, Severity)> = issues.iter().map(|i| (i.path.as_str(), i.severity)).collect();
    assert_eq!(found, [("/properties/shoeSize", Severity::Warning), ("/properties/colour", Severity::Warning)]);
    assert!(!has_errors(&issues), "an unknown slug does not block sending while it cannot be checked");
    let message = &issues[1].message;
    assert!(message.starts_with("Property \"colour\" cannot be checked against the account"), "{message}");
    for how in ["Load definitions on the Properties tab", "`intake properties refresh`"] {
        assert!(message.contains(how), "says how to fetch them ({how}): {message}");
    }
    // A wrong value is still an error next to the warning.
    let issues = check_without_definitions(&json!({"properties": {"shoeSize": 4.5}}));
    let found: Vec<Severity> = issues.iter().map(|i| i.severity).collect();
    assert_eq!(found, [Severity::Error, Severity::Warning], "{issues:#?}");
}

#[test]
fn blank_property_values_are_left_out_not_errors() {
    // Blank text is never sent (normalisation drops it), so it is not a wrong value either.
    let body = json!({"properties": {"car": "Tesla", "shoeSize": "", "since": "  ", "vip": ""}});
    assert_eq!(check_typed(&body, &kinds()), Vec::<Issue>::new());
    assert_clean(&body);
}

#[test]
fn row_types_that_are_not_full_definitions_leave_other_slugs_to_their_json_type() {
    let kinds = BTreeMap::from([("car".to_owned(), PropertyKind::Text)]);
    let context = ValidationContext {
        today: TODAY,
        property_kinds: Some(&kinds),
        property_kinds_complete: false,
        property_options: None,
    };
    let body = json!({"properties": {"car": "Tesla", "size": 4.5, "tags": ["a"], "ok": 3}});
    let issues: Vec<Issue> = validate_draft_with(Backend::HelpScout, &body, &context)
        .into_iter()
        .filter(|i| !is_unchecked_slug_warning(i))
        .collect();
    let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["/properties/size", "/properties/tags"], "{issues:#?}");
    assert!(issues.iter().all(|i| i.severity == Severity::Error && !i.message.contains("not defined")));
}

#[test]
fn dropdown_properties_take_one_of_their_options() {
    let kinds = BTreeMap::from([("plan".to_owned(), PropertyKind::Dropdown)]);
    let options = BTreeMap::from([("plan".to_owned(), vec!["Free".to_owned(), "Pro".to_owned()])]);
    let context = ValidationContext {
        today: TODAY,
        property_kinds: Some(&kinds),
        property_kinds_complete: true,
        property_options: Some(&options),
    };
    let check =
        |value: Value| validate_draft_with(Backend::HelpScout, &json!({"properties": {"plan": value}}), &context);
    assert_eq!(check(json!("Pro")), Vec::<Issue>::new());
    assert_eq!(check(json!(" pro ")), Vec::<Issue>::new(), "case and spaces do not matter");
    let issues = check(json!("Gold"));
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!((issues[0].path.as_str(), issues[0].severity), ("/properties/plan", Severity::Error));
    assert!(issues[0].message.ends_with("must be one of: Free, Pro."), "{}", issues[0].message);
    assert!(check(json!(2))[0].message.contains("must be one of its options (Free, Pro), not a number"));
}

#[test]
fn a_long_dropdown_is_named_in_a_message_of_readable_length() {
    let kinds = BTreeMap::from([("city".to_owned(), PropertyKind::Dropdown)]);
    let mut labels: Vec<String> = (1..=300).map(|n| format!("City number {n}")).collect();
    labels[0] = "A".repeat(500);
    let options = BTreeMap::from([("city".to_owned(), labels)]);
    let context = ValidationContext {
        today: TODAY,
        property_kinds: Some(&kinds),
        property_kinds_complete: true,
        property_options: Some(&options),
    };
    let issues = validate_draft_with(Backend::HelpScout, &json!({"properties": {"city": "Atlantis"}}), &context);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    let message = &issues[0].message;
    assert_eq!(issues[0].severity, Severity::Error);
    assert!(message.contains("City number 2, City number 3"), "lists the first options: {message}");
    assert!(message.contains("and 290 more"), "says how many it left out: {message}");
    assert!(!message.contains("City number 11"), "{message}");
    assert!(message.contains(&format!("{}…", "A".repeat(40))), "a long label is cut: {message}");
    assert!(message.chars().count() < 400, "{} characters: {message}", message.chars().count());
    let issues = validate_draft_with(Backend::HelpScout, &json!({"properties": {"city": "city number 300"}}), &context);
    assert_eq!(issues, Vec::<Issue>::new(), "an option past the listed ones is accepted");
}

#[test]
fn values_longer_than_the_form_takes_are_reported_at_their_field() {
    // A draft file or an import can hold what the editor would have cut: 5,000 characters of a
    // name, 20,000 of notes.
    let mut body = full();
    body["jobTitle"] = json!("x".repeat(5_000));
    body["background"] = json!("y".repeat(20_000));
    body["emails"][0]["value"] = json!(format!("{}@example.com", "z".repeat(2_000)));
    let issues = check(&body);
    let at = |path: &str| issues.iter().find(|issue| issue.path == path).map(|issue| issue.message.clone());
    assert_eq!(
        at("/jobTitle").as_deref(),
        Some("Job title is 5,000 characters long; the form takes at most 1,000. Shorten it by 4,000.")
    );
    assert_eq!(
        at("/background").as_deref(),
        Some("Notes is 20,000 characters long; the form takes at most 10,000. Shorten it by 10,000.")
    );
    assert!(at("/emails/0/value").is_some_and(|m| m.contains("the form takes at most 1,000")), "{issues:?}");
    assert!(has_errors(&issues));
    // Up to the editor's limit, only the backend's own rule speaks (Help Scout takes 60).
    body["jobTitle"] = json!("x".repeat(1_000));
    assert!(check(&body).iter().any(|i| i.path == "/jobTitle" && i.message.contains("the limit is 60")));
}

#[test]
fn a_profiles_definitions_decide_through_validate_for_account() {
    let definition = |slug: &str, kind, options: &[&str]| PropertyDefinition {
        slug: slug.to_owned(),
        name: slug.to_uppercase(),
        kind,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
    };
    let definitions = [
        definition("plan", PropertyKind::Dropdown, &["Free", "Pro"]),
        definition("shoeSize", PropertyKind::Number, &[]),
    ];
    let body = json!({"properties": {"plan": "Gold", "shoeSize": "44", "colour": "green"}});
    let issues = validate_for_account(Backend::HelpScout, &body, Some(&definitions));
    let found: Vec<(&str, Severity)> = issues.iter().map(|i| (i.path.as_str(), i.severity)).collect();
    assert_eq!(
        found,
        [
            ("/properties/plan", Severity::Error),
            ("/properties/shoeSize", Severity::Error),
            ("/properties/colour", Severity::Error)
        ],
        "{issues:#?}"
    );
    assert!(issues[0].message.ends_with("must be one of: Free, Pro."), "{}", issues[0].message);
    assert!(issues[2].message.contains("is not defined in this Help Scout account"), "{}", issues[2].message);
    let fixed = json!({"properties": {"plan": "Pro", "shoeSize": 44}});
    assert_eq!(validate_for_account(Backend::HelpScout, &fixed, Some(&definitions)), Vec::<Issue>::new());
    // Not known: nothing blocks, each slug is a warning.
    let issues = validate_for_account(Backend::HelpScout, &body, None);
    assert!(issues.iter().all(is_unchecked_slug_warning) && issues.len() == 3, "{issues:#?}");
}
