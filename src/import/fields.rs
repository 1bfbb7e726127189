//! What a column can be mapped to: every field path of a backend's rule table, and the
//! suggestions that match a file's header to one of them.
//!
//! Paths are dotted (`emails.0.value`, `address.lines.1`, `properties.shoeSize`) because people
//! write them in headers and mapping files; [`crate::validation`] speaks JSON Pointers, and
//! [`PathInfo::pointer`] converts.

use crate::model::Backend;
use crate::validation::{FieldRule, Kind, pointer_segment, rules_for};

/// How many entries of each list [`mappable_fields`] offers; [`is_known_path`] accepts any index
/// up to [`MAX_LIST_INDEX`].
pub const OFFERED_LIST_ENTRIES: usize = 3;

/// Highest list index a path may use, so that a header like `emails.99999999.value` cannot make
/// every row build a hundred-million-entry array.
pub const MAX_LIST_INDEX: usize = 99;

/// One target the mapping dialog offers for a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappableField {
    /// Dotted path, e.g. `emails.0.value`; `properties.<slug>` stands for any custom property.
    pub path: String,
    /// What people see, e.g. "Email 1 address".
    pub label: String,
}

/// A target suggested for a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Dotted path of the field.
    pub path: String,
    /// True when the header is the path itself (maps without asking); false for a fuzzy match.
    pub exact: bool,
    /// A list-entry `type` the header implies ("Mobile" → `phones.N.type` = `mobile`).
    pub entry_type: Option<&'static str>,
    /// The header names no entry in particular ("Email", "Mobile"), so any free entry of the
    /// list will do; `path` uses entry 0.
    pub any_entry: bool,
}

/// One step of a dotted path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// An object key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A resolved path: its steps, the kind of its value (`None` for a custom property, which is
/// text) and, for a list entry's field, which list and index it sits in.
#[derive(Debug, Clone)]
pub(crate) struct PathInfo {
    pub segs: Vec<Seg>,
    pub kind: Option<&'static Kind>,
    /// `(list path, index)` when the path is inside a list entry, e.g. `("emails", 0)`.
    pub entry: Option<(String, usize)>,
}

impl PathInfo {
    /// The JSON Pointer of the path (`/emails/0/value`), as validation issues name it.
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for seg in &self.segs {
            out.push('/');
            match seg {
                Seg::Key(key) => out.push_str(&pointer_segment(key)),
                Seg::Index(index) => out.push_str(&index.to_string()),
            }
        }
        out
    }
}

/// Resolves a dotted path against the backend's rules; `None` when it is not a leaf field the
/// backend has (objects and lists themselves cannot take a cell).
pub(crate) fn resolve(backend: Backend, path: &str) -> Option<PathInfo> {
    let mut parts = path.split('.');
    let mut rules: &'static [FieldRule] = rules_for(backend).fields;
    let mut segs = Vec::new();
    let mut entry = None;
    let mut kind: &'static Kind;
    let first = parts.next()?;
    kind = &rules.iter().find(|rule| rule.key == first)?.kind;
    segs.push(Seg::Key(first.to_owned()));
    loop {
        match kind {
            Kind::Object(fields) => {
                rules = fields;
                let key = parts.next()?;
                kind = &rules.iter().find(|rule| rule.key == key)?.kind;
                segs.push(Seg::Key(key.to_owned()));
            }
            Kind::List { item, .. } => {
                let index = parse_index(parts.next()?)?;
                entry = Some((dotted(&segs), index));
                segs.push(Seg::Index(index));
                kind = item;
            }
            Kind::Properties => {
                let slug = parts.next()?;
                if !is_slug(slug) || parts.next().is_some() {
                    return None;
                }
                segs.push(Seg::Key(slug.to_owned()));
                return Some(PathInfo { segs, kind: None, entry });
            }
            _ => {
                return parts.next().is_none().then_some(PathInfo { segs, kind: Some(kind), entry });
            }
        }
    }
}

fn parse_index(text: &str) -> Option<usize> {
    // "01" or "+1" are not indices people mean; only plain digits.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse().ok().filter(|index| *index <= MAX_LIST_INDEX)
}

fn is_slug(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn dotted(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        if !out.is_empty() {
            out.push('.');
        }
        match seg {
            Seg::Key(key) => out.push_str(key),
            Seg::Index(index) => out.push_str(&index.to_string()),
        }
    }
    out
}

/// Whether `path` is a field of the backend a cell can fill: any list index up to
/// [`MAX_LIST_INDEX`] and any `properties.<slug>` count.
pub fn is_known_path(backend: Backend, path: &str) -> bool {
    resolve(backend, path).is_some()
}

/// Every target the mapping dialog offers: top-level fields, object members, the first
/// [`OFFERED_LIST_ENTRIES`] entries of each list, and `properties.<slug>` as a pattern.
pub fn mappable_fields(backend: Backend) -> Vec<MappableField> {
    let mut out = Vec::new();
    collect(rules_for(backend).fields, "", "", &mut out);
    out
}

/// Adds the leaves under `rules`; `label_prefix` is the owner's name ("Address", "Email 2").
fn collect(rules: &[FieldRule], prefix: &str, label_prefix: &str, out: &mut Vec<MappableField>) {
    let named = |name: &str| if label_prefix.is_empty() { name.to_owned() } else { format!("{label_prefix} {name}") };
    for rule in rules {
        let path = format!("{prefix}{}", rule.key);
        match &rule.kind {
            Kind::Object(fields) => collect(fields, &format!("{path}."), &named(rule.label), out),
            Kind::List { item, item_label } => {
                for index in 0..OFFERED_LIST_ENTRIES {
                    let entry_path = format!("{path}.{index}");
                    let entry_label = named(&format!("{item_label} {}", index + 1));
                    match item {
                        Kind::Object(fields) => collect(fields, &format!("{entry_path}."), &entry_label, out),
                        _ => out.push(MappableField { path: entry_path, label: entry_label }),
                    }
                }
            }
            Kind::Properties => out.push(MappableField {
                path: format!("{path}.<slug>"),
                label: format!("Custom property ({path}.<slug>)"),
            }),
            _ => out.push(MappableField { path, label: named(rule.label) }),
        }
    }
}

/// Lower case without spaces, `_`, `-` and `.`: `E-mail`, `e_mail` and `EMail` all become
/// "email".
pub fn normalize_header(header: &str) -> String {
    header
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.') && !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where a synonym points: a fixed path, or the next free entry of a list (with the entry type
/// the word implies, "Mobile" → `mobile`).
#[derive(Debug, Clone, Copy)]
enum SynonymTarget {
    Path(&'static str),
    Entry { list: &'static str, field: &'static str, entry_type: Option<&'static str> },
}

use SynonymTarget::{Entry, Path};

const fn entry(list: &'static str, field: &'static str, entry_type: Option<&'static str>) -> SynonymTarget {
    Entry { list, field, entry_type }
}

/// Help Scout's common header words, already normalised (see [`normalize_header`]).
const HELP_SCOUT_SYNONYMS: &[(&[&str], SynonymTarget)] = &[
    (&["email", "mail", "emailaddress", "emailaddr", "email1"], entry("emails", "value", None)),
    (&["workemail", "businessemail"], entry("emails", "value", Some("work"))),
    (&["homeemail", "personalemail", "privateemail"], entry("emails", "value", Some("home"))),
    (&["otheremail"], entry("emails", "value", Some("other"))),
    (&["email2", "emailaddress2", "secondemail"], Path("emails.1.value")),
    (&["email3", "emailaddress3"], Path("emails.2.value")),
    (
        &["phone", "telephone", "tel", "phonenumber", "phoneno", "telephonenumber", "phone1"],
        entry("phones", "value", None),
    ),
    (&["workphone", "businessphone", "officephone"], entry("phones", "value", Some("work"))),
    (
        &["mobile", "cell", "cellphone", "mobilephone", "mobilenumber", "handy"],
        entry("phones", "value", Some("mobile")),
    ),
    (&["homephone", "hometelephone"], entry("phones", "value", Some("home"))),
    (&["fax", "faxnumber"], entry("phones", "value", Some("fax"))),
    (&["pager"], entry("phones", "value", Some("pager"))),
    (&["firstname", "givenname", "forename", "first"], Path("firstName")),
    (&["lastname", "surname", "familyname", "last"], Path("lastName")),
    (&["company", "organisation", "organization", "employer", "companyname", "org"], Path("organization")),
    (&["title", "jobtitle", "position", "role"], Path("jobTitle")),
    (&["street", "address", "address1", "streetaddress", "addressline1", "street1"], Path("address.lines.0")),
    (&["address2", "addressline2", "street2"], Path("address.lines.1")),
    (&["address3", "addressline3", "street3"], Path("address.lines.2")),
    (&["city", "town"], Path("address.city")),
    (&["state", "province", "region", "county"], Path("address.state")),
    (&["zip", "zipcode", "postalcode", "postcode", "postal"], Path("address.postalCode")),
    (&["country", "countrycode"], Path("address.country")),
    (&["notes", "note", "comments", "comment", "background"], Path("background")),
    (&["website", "url", "web", "homepage", "site"], entry("websites", "value", None)),
    (&["photo", "avatar", "photourl", "picture"], Path("photoUrl")),
    (&["sex"], Path("gender")),
];

/// Finosu's common header words, already normalised.
const FINOSU_SYNONYMS: &[(&[&str], SynonymTarget)] = &[
    (&["customerid", "externalid", "customer", "clientid"], Path("id")),
    (&["firstname", "givenname", "forename", "first"], Path("firstName")),
    (&["lastname", "surname", "familyname", "last"], Path("lastName")),
    (&["mail", "emailaddress", "email1"], Path("email")),
    (
        &["phone", "telephone", "tel", "mobile", "cell", "cellphone", "mobilephone", "phoneno", "mobilenumber"],
        Path("phoneNumber"),
    ),
    (&["zip", "postalcode", "postcode", "postal"], Path("zipCode")),
    (&["address", "street", "address1", "streetaddress", "addressline1", "street1"], Path("streetAddress1")),
    (&["address2", "addressline2", "street2"], Path("streetAddress2")),
    (&["town"], Path("city")),
    (&["province", "region"], Path("state")),
    (&["dob", "dateofbirth", "birthdate", "born"], Path("birthday")),
    (&["tz", "zone"], Path("timezone")),
    (&["ssn4", "ssnlast4", "ssnlastfour", "last4", "ssn"], Path("ssnLastFour")),
    (&["dnc", "donotcall", "nocall"], Path("doNotCall")),
    (&["istest", "testcustomer", "testaccount"], Path("isTest")),
    (&["task", "tasktype"], Path("taskType")),
    (&["metadata", "external", "externaldata"], Path("externalMetadata")),
];

fn synonyms(backend: Backend) -> &'static [(&'static [&'static str], SynonymTarget)] {
    match backend {
        Backend::Finosu => FINOSU_SYNONYMS,
        Backend::HelpScout => HELP_SCOUT_SYNONYMS,
    }
}

/// The field a header most likely means.
///
/// Exact: the trimmed header is a known path, case and all (`firstName`, `emails.1.type`, `properties.shoeSize`). Otherwise, after
/// [`normalize_header`]: the backend's synonym table, then a mappable path or its label
/// (`first_name`, `Email 1 address`). A synonym for a list entry suggests index 0 here;
/// [`auto_mapping`](super::auto_mapping) moves it to the next free entry.
pub fn suggest_target(backend: Backend, header: &str) -> Option<Suggestion> {
    let header = header.trim();
    if is_known_path(backend, header) {
        return Some(Suggestion { path: header.to_owned(), exact: true, entry_type: None, any_entry: false });
    }
    let norm = normalize_header(header);
    if norm.is_empty() {
        return None;
    }
    for (words, target) in synonyms(backend) {
        if words.contains(&norm.as_str()) {
            let suggestion = match *target {
                Path(path) => Suggestion { path: path.to_owned(), exact: false, entry_type: None, any_entry: false },
                Entry { list, field, entry_type } => {
                    Suggestion { path: format!("{list}.0.{field}"), exact: false, entry_type, any_entry: true }
                }
            };
            return Some(suggestion);
        }
    }
    mappable_fields(backend)
        .into_iter()
        .find(|field| {
            !field.path.ends_with("<slug>")
                && (normalize_header(&field.path) == norm || normalize_header(&field.label) == norm)
        })
        .map(|field| Suggestion { path: field.path, exact: false, entry_type: None, any_entry: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_accept_any_index_and_slug_but_not_containers() {
        for path in
            ["firstName", "emails.0.value", "emails.7.type", "address.city", "address.lines.1", "properties.shoeSize"]
        {
            assert!(is_known_path(Backend::HelpScout, path), "{path}");
        }
        for path in [
            "emails",
            "emails.0",
            "emails.x.value",
            "emails.01.value",
            "emails.100.value",
            "address",
            "address.lines",
            "properties",
            "properties.a.b",
            "properties.",
            "nickname",
            "firstName.x",
            "",
        ] {
            assert!(!is_known_path(Backend::HelpScout, path), "{path}");
        }
        assert!(is_known_path(Backend::Finosu, "doNotCall"));
        assert!(!is_known_path(Backend::Finosu, "emails.0.value"));
    }

    #[test]
    fn mappable_fields_list_entries_members_and_the_property_pattern() {
        let paths: Vec<String> = mappable_fields(Backend::HelpScout).into_iter().map(|f| f.path).collect();
        for path in
            ["firstName", "emails.0.value", "emails.2.type", "address.lines.2", "address.city", "properties.<slug>"]
        {
            assert!(paths.iter().any(|p| p == path), "{path} missing from {paths:?}");
        }
        assert!(!paths.iter().any(|p| p == "emails.3.value"));
        let fields = mappable_fields(Backend::HelpScout);
        let email = fields.iter().find(|f| f.path == "emails.1.value").map(|f| f.label.as_str());
        assert_eq!(email, Some("Email 2 address"));
        let label = |path: &str| fields.iter().find(|f| f.path == path).map(|f| f.label.clone());
        assert_eq!(label("address.lines.1").as_deref(), Some("Address Line 2"));
        assert_eq!(label("address.city").as_deref(), Some("Address City"));
        assert_eq!(label("firstName").as_deref(), Some("First name"));
        assert_eq!(mappable_fields(Backend::Finosu).len(), rules_for(Backend::Finosu).fields.len());
    }

    #[test]
    fn pointer_escapes_and_numbers() {
        let info = resolve(Backend::HelpScout, "emails.1.value").map(|i| (i.pointer(), i.entry));
        assert_eq!(info, Some(("/emails/1/value".to_owned(), Some(("emails".to_owned(), 1)))));
        let info = resolve(Backend::HelpScout, "address.lines.2").map(|i| (i.pointer(), i.entry));
        assert_eq!(info, Some(("/address/lines/2".to_owned(), Some(("address.lines".to_owned(), 2)))));
    }

    fn suggest(backend: Backend, header: &str) -> Option<(String, bool, Option<&'static str>)> {
        suggest_target(backend, header).map(|s| (s.path, s.exact, s.entry_type))
    }

    #[test]
    fn exact_headers_are_paths_with_their_case() {
        for header in
            ["firstName", "emails.0.value", "emails.1.type", "address.city", "address.lines.1", "properties.shoeSize"]
        {
            assert_eq!(suggest(Backend::HelpScout, header), Some((header.to_owned(), true, None)), "{header}");
        }
        assert_eq!(suggest(Backend::HelpScout, " firstName "), Some(("firstName".to_owned(), true, None)));
        // Another case is a suggestion, not exact.
        assert_eq!(suggest(Backend::HelpScout, "FIRSTNAME"), Some(("firstName".to_owned(), false, None)));
        assert_eq!(suggest(Backend::Finosu, "ID"), Some(("id".to_owned(), false, None)));
    }

    #[test]
    fn fuzzy_headers_and_synonyms() {
        let hs = |h| suggest(Backend::HelpScout, h);
        let s = |p: &str, t: Option<&'static str>| Some((p.to_owned(), false, t));
        assert_eq!(hs("First Name"), s("firstName", None));
        assert_eq!(hs("first_name"), s("firstName", None));
        assert_eq!(hs("E-mail"), s("emails.0.value", None));
        assert_eq!(hs("Email 2"), s("emails.1.value", None));
        assert_eq!(hs("Email 1 type"), s("emails.0.type", None));
        assert_eq!(hs("Mobile"), s("phones.0.value", Some("mobile")));
        assert_eq!(hs("Fax"), s("phones.0.value", Some("fax")));
        assert_eq!(hs("Telephone"), s("phones.0.value", None));
        assert_eq!(hs("Phone"), s("phones.0.value", None));
        assert_eq!(hs("phone"), Some(("phone".to_owned(), true, None)));
        assert_eq!(hs("Zip"), s("address.postalCode", None));
        assert_eq!(hs("Postal code"), s("address.postalCode", None));
        assert_eq!(hs("Surname"), s("lastName", None));
        assert_eq!(hs("Organisation"), s("organization", None));
        assert_eq!(hs("Job Title"), s("jobTitle", None));
        assert_eq!(hs("Address2"), s("address.lines.1", None));
        assert_eq!(hs("Town"), s("address.city", None));
        assert_eq!(hs("Province"), s("address.state", None));
        assert_eq!(hs("Notes"), s("background", None));
        assert_eq!(hs("Web"), s("websites.0.value", None));
        assert_eq!(hs("Shoe size"), None);
        assert_eq!(hs("   "), None);

        let fi = |h| suggest(Backend::Finosu, h);
        assert_eq!(fi("Customer ID"), s("id", None));
        assert_eq!(fi("E-mail"), s("email", None));
        assert_eq!(fi("Mobile"), s("phoneNumber", None));
        assert_eq!(fi("Postal code"), s("zipCode", None));
        assert_eq!(fi("Date of birth"), s("birthday", None));
        assert_eq!(fi("Time zone"), s("timezone", None));
        assert_eq!(fi("SSN last 4"), s("ssnLastFour", None));
        assert_eq!(fi("DNC"), s("doNotCall", None));
        assert_eq!(fi("Task type"), s("taskType", None));
        assert_eq!(fi("Street"), s("streetAddress1", None));
        assert_eq!(fi("test"), Some(("test".to_owned(), true, None)));
        assert_eq!(fi("Favourite colour"), None);
    }

    #[test]
    fn synonym_targets_are_known_paths() {
        for backend in Backend::ALL {
            for (words, target) in synonyms(backend) {
                let path = match *target {
                    Path(path) => path.to_owned(),
                    Entry { list, field, .. } => format!("{list}.0.{field}"),
                };
                assert!(is_known_path(backend, &path), "{path}");
                for word in *words {
                    assert_eq!(normalize_header(word), *word, "synonym {word} is not normalised");
                }
            }
        }
    }
}
