//! The rule tables: each backend's fields with tab, required flag and kind (which carries limits).
//!
//! The validator and the normaliser both walk these tables, so a rule is written once.

use crate::model::{Backend, Tab};

/// One field of a request body (or of an object or list entry inside it).
#[derive(Debug)]
pub struct FieldRule {
    /// The JSON key in its parent object.
    pub key: &'static str,
    /// The name people see in messages ("First name", "Email 1 address").
    pub label: &'static str,
    /// The tab the field is edited on.
    pub tab: Tab,
    /// At the top level: must be present. Inside an object or list entry: must be present
    /// whenever that object or entry has any content.
    pub required: bool,
    /// What the value must look like.
    pub kind: Kind,
}

/// What a field's value must be. Text-like kinds require a JSON string; an empty string or
/// whitespace counts as absent (it is never sent).
#[derive(Debug)]
pub enum Kind {
    /// Free text, optionally limited to a number of characters (after trimming).
    Text {
        /// Longest allowed, in characters.
        max_chars: Option<usize>,
    },
    /// An email address with a domain that has a dot.
    Email,
    /// A phone number (default region US), sent as E.164.
    Phone,
    /// An IANA time-zone name.
    Timezone,
    /// `YYYY-MM-DD`, a real date, not in the future, not before 1900.
    Birthday,
    /// A USPS state or territory code.
    UsState,
    /// `12345` or `12345-6789`.
    ZipCode,
    /// Exactly four digits.
    SsnLastFour,
    /// JSON `true` or `false`.
    Bool,
    /// A JSON object (not an array or scalar).
    JsonObject,
    /// An http(s) URL, at most `max_chars` long.
    Url {
        /// Longest allowed, in characters.
        max_chars: Option<usize>,
    },
    /// One of a fixed set of words, case-insensitive, sent lower-case.
    OneOf(&'static [&'static str]),
    /// An ISO 3166-1 alpha-2 code, sent upper-case.
    CountryCode,
    /// A nested object with its own fields.
    Object(&'static [FieldRule]),
    /// An array whose items are all of `item`; `item_label` names one item ("Email").
    List {
        /// What each item must be.
        item: &'static Self,
        /// Singular name of an item, numbered from 1 in messages.
        item_label: &'static str,
    },
    /// Help Scout custom properties: `{"slug": value}`, typed by the property definitions.
    Properties,
}

/// A rule about two or more fields together.
#[derive(Debug)]
pub enum CrossRule {
    /// Warn when the ZIP code's prefix belongs to another state.
    ZipFitsState {
        /// Pointer to the ZIP code.
        zip: &'static str,
        /// Pointer to the state code.
        state: &'static str,
    },
    /// When the country is `US`, the state must be a US code and the postal code a ZIP (errors),
    /// and the ZIP should fit the state (warning).
    UsAddress {
        /// Pointer to the country code.
        country: &'static str,
        /// Pointer to the state.
        state: &'static str,
        /// Pointer to the postal code.
        zip: &'static str,
    },
    /// Two booleans that must say the same; both are sent as `a || b`.
    SameBool {
        /// Pointer to the first flag.
        a: &'static str,
        /// Pointer to the second flag.
        b: &'static str,
    },
}

/// Everything the validator and normaliser need to know about one backend.
#[derive(Debug)]
pub struct BackendRules {
    /// Top-level fields of the request body.
    pub fields: &'static [FieldRule],
    /// Rules across fields.
    pub cross: &'static [CrossRule],
}

/// The rule table of a backend.
pub fn rules_for(backend: Backend) -> &'static BackendRules {
    match backend {
        Backend::Finosu => &FINOSU,
        Backend::HelpScout => &HELP_SCOUT,
    }
}

const fn field(key: &'static str, label: &'static str, tab: Tab, required: bool, kind: Kind) -> FieldRule {
    FieldRule { key, label, tab, required, kind }
}

const TEXT: Kind = Kind::Text { max_chars: None };

// ---------------------------------------------------------------------------------------------
// Finosu: the union of the seed's schema and its "Required Fields" prose.

use Tab::{Address, Basic, Metadata, Properties};

static FINOSU: BackendRules = BackendRules {
    fields: &[
        field("id", "ID", Basic, true, TEXT),
        field("firstName", "First name", Basic, true, TEXT),
        field("lastName", "Last name", Basic, true, TEXT),
        field("email", "Email", Basic, true, Kind::Email),
        field("phoneNumber", "Phone number", Basic, true, Kind::Phone),
        field("timezone", "Time zone", Basic, true, Kind::Timezone),
        field("birthday", "Birthday", Basic, true, Kind::Birthday),
        field("ssnLastFour", "SSN last four", Basic, false, Kind::SsnLastFour),
        field("streetAddress1", "Street address 1", Address, true, TEXT),
        field("streetAddress2", "Street address 2", Address, false, TEXT),
        field("city", "City", Address, true, TEXT),
        field("state", "State", Address, true, Kind::UsState),
        field("zipCode", "ZIP code", Address, true, Kind::ZipCode),
        field("externalMetadata", "External metadata", Metadata, false, Kind::JsonObject),
        field("taskType", "Task type", Properties, true, TEXT),
        field("doNotCall", "Do not call", Properties, false, Kind::Bool),
        field("isTest", "Test customer (isTest)", Properties, false, Kind::Bool),
        field("test", "Test customer (test)", Properties, false, Kind::Bool),
    ],
    cross: &[
        CrossRule::ZipFitsState { zip: "/zipCode", state: "/state" },
        CrossRule::SameBool { a: "/isTest", b: "/test" },
    ],
};

// ---------------------------------------------------------------------------------------------
// Help Scout Mailbox API v2, `POST /v2/customers`.

/// `gender` values.
pub const GENDERS: &[&str] = &["male", "female", "unknown"];
/// `photoType` values (the seed's list plus instagram, which the API also accepts).
pub const PHOTO_TYPES: &[&str] =
    &["unknown", "gravatar", "twitter", "facebook", "googleprofile", "googleplus", "linkedin", "instagram"];
/// `emails[].type` values.
pub const EMAIL_TYPES: &[&str] = &["home", "other", "work"];
/// `phones[].type` values.
pub const PHONE_TYPES: &[&str] = &["fax", "home", "mobile", "other", "pager", "work"];
/// `chats[].type` values.
pub const CHAT_TYPES: &[&str] = &["aim", "gtalk", "icq", "msn", "other", "qq", "skype", "xmpp", "yahoo"];
/// `socialProfiles[].type` values.
pub const SOCIAL_TYPES: &[&str] = &[
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

static EMAIL_ENTRY: Kind = Kind::Object(&[
    field("type", "type", Basic, true, Kind::OneOf(EMAIL_TYPES)),
    field("value", "address", Basic, true, Kind::Email),
]);
static PHONE_ENTRY: Kind = Kind::Object(&[
    field("type", "type", Basic, true, Kind::OneOf(PHONE_TYPES)),
    field("value", "number", Basic, true, Kind::Phone),
]);
static CHAT_ENTRY: Kind = Kind::Object(&[
    field("type", "type", Metadata, true, Kind::OneOf(CHAT_TYPES)),
    field("value", "handle", Metadata, true, TEXT),
]);
static SOCIAL_ENTRY: Kind = Kind::Object(&[
    field("type", "type", Metadata, true, Kind::OneOf(SOCIAL_TYPES)),
    field("value", "profile", Metadata, true, TEXT),
]);
static WEBSITE_ENTRY: Kind = Kind::Object(&[field("value", "URL", Metadata, true, Kind::Url { max_chars: None })]);
static ADDRESS_LINE: Kind = TEXT;

static HELP_SCOUT: BackendRules = BackendRules {
    fields: &[
        field("firstName", "First name", Basic, false, Kind::Text { max_chars: Some(40) }),
        field("lastName", "Last name", Basic, false, Kind::Text { max_chars: Some(40) }),
        field("emails", "Emails", Basic, false, Kind::List { item: &EMAIL_ENTRY, item_label: "Email" }),
        field("phones", "Phones", Basic, false, Kind::List { item: &PHONE_ENTRY, item_label: "Phone" }),
        field("phone", "Phone", Basic, false, Kind::Phone),
        field("jobTitle", "Job title", Basic, false, Kind::Text { max_chars: Some(60) }),
        field("organization", "Organization", Basic, false, Kind::Text { max_chars: Some(60) }),
        field("age", "Age", Basic, false, TEXT),
        field("gender", "Gender", Basic, false, Kind::OneOf(GENDERS)),
        field("location", "Location", Address, false, Kind::Text { max_chars: Some(60) }),
        field(
            "address",
            "Address",
            Address,
            false,
            Kind::Object(&[
                field("lines", "Address lines", Address, false, Kind::List { item: &ADDRESS_LINE, item_label: "Line" }),
                field("city", "City", Address, true, TEXT),
                field("state", "State", Address, true, TEXT),
                field("postalCode", "Postal code", Address, true, TEXT),
                field("country", "Country", Address, true, Kind::CountryCode),
            ]),
        ),
        field("background", "Notes", Metadata, false, Kind::Text { max_chars: Some(200) }),
        field("websites", "Websites", Metadata, false, Kind::List { item: &WEBSITE_ENTRY, item_label: "Website" }),
        field(
            "socialProfiles",
            "Social profiles",
            Metadata,
            false,
            Kind::List { item: &SOCIAL_ENTRY, item_label: "Social profile" },
        ),
        field("chats", "Chats", Metadata, false, Kind::List { item: &CHAT_ENTRY, item_label: "Chat" }),
        field("photoUrl", "Photo URL", Metadata, false, Kind::Url { max_chars: Some(200) }),
        field("photoType", "Photo type", Metadata, false, Kind::OneOf(PHOTO_TYPES)),
        field("properties", "Properties", Properties, false, Kind::Properties),
    ],
    cross: &[CrossRule::UsAddress { country: "/address/country", state: "/address/state", zip: "/address/postalCode" }],
};

/// The top-level rule a JSON Pointer falls under (its first segment), if the backend has one.
pub fn top_level_rule(backend: Backend, pointer: &str) -> Option<&'static FieldRule> {
    let first = pointer.strip_prefix('/')?.split('/').next()?;
    rules_for(backend).fields.iter().find(|rule| rule.key == first)
}

/// Whether the field at `pointer` must be filled in, as the form shows it.
///
/// That is the red `*` and the required state a screen reader announces. A top-level field is when its rule says so; a
/// field of a list entry is when the entry's rule says so (the entry exists once its row is
/// drawn); a field of an optional object (Help Scout's address) is not, since it is needed
/// only once the object has content.
pub fn required_at(backend: Backend, pointer: &str) -> bool {
    let Some(rest) = pointer.strip_prefix('/') else { return false };
    let mut segments = rest.split('/');
    let mut fields = rules_for(backend).fields;
    let mut required = true;
    while let Some(key) = segments.next() {
        let Some(rule) = fields.iter().find(|rule| rule.key == key) else { return false };
        required &= rule.required;
        match &rule.kind {
            Kind::Object(inner) => fields = inner,
            Kind::List { item, .. } => match (segments.next(), item) {
                (None, _) => return required,
                (Some(index), Kind::Object(inner)) if index.parse::<usize>().is_ok() => {
                    required = true;
                    fields = inner;
                }
                _ => return false,
            },
            _ => return required && segments.next().is_none(),
        }
    }
    required
}

/// The most characters the backend accepts in the top-level text or URL field at `pointer`,
/// when it has a limit (the Notes counter says "12 / 200").
pub fn backend_max_chars(backend: Backend, pointer: &str) -> Option<usize> {
    let rule = top_level_rule(backend, pointer).filter(|rule| pointer.strip_prefix('/') == Some(rule.key))?;
    match rule.kind {
        Kind::Text { max_chars } | Kind::Url { max_chars } => max_chars,
        _ => None,
    }
}

/// The tab a JSON Pointer's field is edited on; `None` for fields the backend does not have.
pub fn tab_for_path(backend: Backend, pointer: &str) -> Option<Tab> {
    top_level_rule(backend, pointer).map(|rule| rule.tab)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_at_follows_the_tables_into_list_entries_but_not_optional_objects() {
        for (backend, pointer, required) in [
            (Backend::Finosu, "/email", true),
            (Backend::Finosu, "/ssnLastFour", false),
            (Backend::Finosu, "/streetAddress2", false),
            (Backend::Finosu, "/nope", false),
            (Backend::Finosu, "email", false),
            (Backend::HelpScout, "/firstName", false),
            (Backend::HelpScout, "/emails", false),
            (Backend::HelpScout, "/emails/0/value", true),
            (Backend::HelpScout, "/phones/3/type", true),
            (Backend::HelpScout, "/emails/x/value", false),
            (Backend::HelpScout, "/emails/0/nope", false),
            (Backend::HelpScout, "/address/city", false),
            (Backend::HelpScout, "/address/lines/0", false),
            (Backend::HelpScout, "/properties/plan", false),
        ] {
            assert_eq!(required_at(backend, pointer), required, "{backend:?} {pointer}");
        }
    }
}
