//! Which column fills which field: the mapping type, its file format, and the automatic first
//! guess from a file's headers.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fields::{self, MAX_LIST_INDEX, suggest_target};
use crate::model::Backend;

/// What one column fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnTarget {
    /// A field, by dotted path (`emails.0.value`).
    Field(String),
    /// Nothing: the column is left out.
    Ignore,
}

/// The choice for one column of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnChoice {
    /// The column's header, trimmed.
    pub header: String,
    /// What it fills.
    pub target: ColumnTarget,
    /// True when the target came from a fuzzy suggestion, not an exact header, so a person
    /// should confirm it.
    pub suggested: bool,
}

/// A value every row gets at `path`, unless a column set that path in the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedValue {
    /// Dotted path of the field.
    pub path: String,
    /// The value, as a cell would hold it (coerced the same way).
    pub value: String,
}

/// How a file's columns become request bodies. Stored as a mapping file (see the module docs
/// of [`super`]); `suggested` is not stored, a saved mapping is a confirmed one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "MappingFile", into = "MappingFile")]
pub struct Mapping {
    /// One choice per column, in the file's order.
    pub columns: Vec<ColumnChoice>,
    /// Values given to every row.
    pub fixed: Vec<FixedValue>,
}

/// Why a mapping cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// The mapping file is not JSON of the expected shape.
    #[error(
        "The mapping file cannot be read: {message} at line {line}, column {column}. It must look like \
         {{\"columns\": {{\"E-mail\": \"emails.0.value\", \"Notes\": null}}, \"fixed\": {{\"emails.0.type\": \"work\"}}}}."
    )]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// A column target or fixed value of the wrong kind (a number for a path, a list as a value).
    #[error(
        "The mapping file cannot be used: {message}. A column maps to a field path in quotes or null; a fixed value is text, a number or true/false."
    )]
    Shape {
        /// Which entry and what it should be.
        message: String,
    },
    /// A target path the backend does not have.
    #[error(
        "\"{path}\" (for {place}) is not a {backend} field. Use a field path such as firstName, emails.0.value, \
         address.city or properties.<slug>."
    )]
    UnknownPath {
        /// The path as written.
        path: String,
        /// Where it was used: `column "E-mail"` or `a fixed value`.
        place: String,
        /// The backend's name.
        backend: &'static str,
    },
    /// Two columns fill the same field.
    #[error("Columns \"{first}\" and \"{second}\" both fill {path}. Map one of them elsewhere or ignore it.")]
    DuplicateTarget {
        /// The field.
        path: String,
        /// The first column.
        first: String,
        /// The second column.
        second: String,
    },
    /// A saved mapping and a file whose columns differ.
    #[error("The mapping does not fit this file:{}{}", list_missing(missing), list_extra(extra))]
    DoesNotFit {
        /// Columns the mapping fills fields from that the file lacks.
        missing: Vec<String>,
        /// Columns of the file the mapping says nothing about.
        extra: Vec<String>,
    },
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

fn list_missing(missing: &[String]) -> String {
    if missing.is_empty() {
        String::new()
    } else {
        format!(" the file has no column {} that the mapping fills fields from.", quoted(missing))
    }
}

fn list_extra(extra: &[String]) -> String {
    if extra.is_empty() {
        String::new()
    } else {
        format!(" The mapping says nothing about column {}; add it to the mapping (null to ignore it).", quoted(extra))
    }
}

/// The mapping file as written: `columns` header → path or null, `fixed` path → value.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    columns: Map<String, Value>,
    #[serde(default)]
    fixed: Map<String, Value>,
}

impl From<Mapping> for MappingFile {
    fn from(mapping: Mapping) -> Self {
        let columns = mapping
            .columns
            .into_iter()
            .map(|choice| {
                let target = match choice.target {
                    ColumnTarget::Field(path) => Value::String(path),
                    ColumnTarget::Ignore => Value::Null,
                };
                (choice.header, target)
            })
            .collect();
        let fixed = mapping.fixed.into_iter().map(|f| (f.path, Value::String(f.value))).collect();
        Self { columns, fixed }
    }
}

/// The shape error a serde `try_from` reports (serde adds the place).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ShapeError(String);

impl TryFrom<MappingFile> for Mapping {
    type Error = ShapeError;

    fn try_from(file: MappingFile) -> Result<Self, Self::Error> {
        let columns = file
            .columns
            .into_iter()
            .map(|(header, target)| {
                let target = match target {
                    Value::Null => ColumnTarget::Ignore,
                    Value::String(path) => ColumnTarget::Field(path.trim().to_owned()),
                    _ => {
                        return Err(ShapeError(format!(
                            "column \"{header}\" must map to a field path in quotes or null"
                        )));
                    }
                };
                Ok(ColumnChoice { header: header.trim().to_owned(), target, suggested: false })
            })
            .collect::<Result<_, _>>()?;
        let fixed = file
            .fixed
            .into_iter()
            .map(|(path, value)| {
                let value = match value {
                    Value::String(text) => text,
                    Value::Bool(flag) => flag.to_string(),
                    Value::Number(number) => number.to_string(),
                    _ => {
                        return Err(ShapeError(format!(
                            "fixed value of \"{path}\" must be text, a number or true/false"
                        )));
                    }
                };
                Ok(FixedValue { path: path.trim().to_owned(), value })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { columns, fixed })
    }
}

impl Mapping {
    /// Reads a mapping file and checks its paths against the backend.
    pub fn from_file_text(backend: Backend, text: &str) -> Result<Self, MappingError> {
        let mapping: Self = serde_json::from_str(text).map_err(|err| {
            let message = err.to_string();
            let message = message.rfind(" at line ").map_or(message.as_str(), |at| &message[..at]).to_owned();
            // A value of the wrong kind is found after parsing, where the parser has no place.
            if err.line() == 0 {
                MappingError::Shape { message }
            } else {
                MappingError::Json { line: err.line(), column: err.column(), message }
            }
        })?;
        mapping.check(backend)?;
        Ok(mapping)
    }

    /// The mapping as a file, pretty-printed, columns in order.
    pub fn to_file_text(&self) -> String {
        let file = MappingFile::from(self.clone());
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Checks that every path is a field of the backend and no two columns fill the same one.
    pub fn check(&self, backend: Backend) -> Result<(), MappingError> {
        let unknown = |path: &str, place: String| MappingError::UnknownPath {
            path: path.to_owned(),
            place,
            backend: backend.display_name(),
        };
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for choice in &self.columns {
            let ColumnTarget::Field(path) = &choice.target else { continue };
            if !fields::is_known_path(backend, path) {
                return Err(unknown(path, format!("column \"{}\"", choice.header)));
            }
            if let Some((_, first)) = seen.iter().find(|(p, _)| p == path) {
                return Err(MappingError::DuplicateTarget {
                    path: path.clone(),
                    first: (*first).to_owned(),
                    second: choice.header.clone(),
                });
            }
            seen.push((path, &choice.header));
        }
        for fixed in &self.fixed {
            if !fields::is_known_path(backend, &fixed.path) {
                return Err(unknown(&fixed.path, "a fixed value".to_owned()));
            }
        }
        Ok(())
    }

    /// This (saved) mapping fitted to a file's headers, in the file's order. Refused when the
    /// file lacks a column the mapping fills a field from, or has a column the mapping does not
    /// mention (unnamed columns are ignored): data would silently go missing either way.
    pub fn apply_to(&self, headers: &[String]) -> Result<Self, MappingError> {
        let mut extra = Vec::new();
        let mut columns = Vec::with_capacity(headers.len());
        for header in headers {
            let header = header.trim();
            match self.columns.iter().find(|choice| choice.header == header) {
                Some(choice) => columns.push(choice.clone()),
                None if header.is_empty() => {
                    columns.push(ColumnChoice {
                        header: String::new(),
                        target: ColumnTarget::Ignore,
                        suggested: false,
                    });
                }
                None => extra.push(header.to_owned()),
            }
        }
        let missing: Vec<String> = self
            .columns
            .iter()
            .filter(|choice| matches!(choice.target, ColumnTarget::Field(_)))
            .filter(|choice| !headers.iter().any(|h| h.trim() == choice.header))
            .map(|choice| choice.header.clone())
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            return Err(MappingError::DoesNotFit { missing, extra });
        }
        Ok(Self { columns, fixed: self.fixed.clone() })
    }
}

/// The first guess for a file: exact headers map, fuzzy ones are suggested, the rest ignored.
///
/// Headers that name no entry in particular ("Email",
/// "Mobile") take the next free entry of their list, and an implied entry type ("Mobile")
/// becomes a fixed value for that entry (`phones.1.type` = `mobile`). A field is never filled
/// by two columns: exact headers win, then headers in file order.
pub fn auto_mapping(backend: Backend, headers: &[String]) -> Mapping {
    let suggestions: Vec<_> = headers.iter().map(|h| suggest_target(backend, h)).collect();
    let mut targets: Vec<Option<(String, bool)>> = vec![None; headers.len()];
    let mut used: HashSet<String> = HashSet::new();
    let mut fixed = Vec::new();
    // Exact first, then fuzzy with a definite path, then "any entry" ones.
    for pass in 0..3 {
        for (index, suggestion) in suggestions.iter().enumerate() {
            let Some(suggestion) = suggestion else { continue };
            let this_pass = if suggestion.exact {
                0
            } else if suggestion.any_entry {
                2
            } else {
                1
            };
            if this_pass != pass {
                continue;
            }
            let path = if suggestion.any_entry {
                free_entry(&suggestion.path, suggestion.entry_type.is_some(), &used)
            } else {
                Some(suggestion.path.clone()).filter(|path| !used.contains(path))
            };
            let Some(path) = path else { continue };
            if let Some(entry_type) = suggestion.entry_type
                && let Some(prefix) = path.strip_suffix(".value")
            {
                let type_path = format!("{prefix}.type");
                used.insert(type_path.clone());
                fixed.push(FixedValue { path: type_path, value: entry_type.to_owned() });
            }
            used.insert(path.clone());
            if let Some(slot) = targets.get_mut(index) {
                *slot = Some((path, !suggestion.exact));
            }
        }
    }
    let columns = headers
        .iter()
        .zip(targets)
        .map(|(header, target)| match target {
            Some((path, suggested)) => {
                ColumnChoice { header: header.trim().to_owned(), target: ColumnTarget::Field(path), suggested }
            }
            None => ColumnChoice { header: header.trim().to_owned(), target: ColumnTarget::Ignore, suggested: false },
        })
        .collect();
    Mapping { columns, fixed }
}

/// The lowest entry of `path`'s list (`phones.0.value` → `phones.N.value`) whose field is free,
/// and whose `type` is free too when one is to be fixed.
fn free_entry(path: &str, needs_type: bool, used: &HashSet<String>) -> Option<String> {
    let (list, rest) = path.split_once(".0.")?;
    (0..=MAX_LIST_INDEX).map(|index| (format!("{list}.{index}.{rest}"), format!("{list}.{index}.type"))).find_map(
        |(candidate, type_path)| {
            (!used.contains(&candidate) && (!needs_type || !used.contains(&type_path))).then_some(candidate)
        },
    )
}

/// Whether a person should look at the mapping before importing: a column was guessed or is
/// left out.
pub fn needs_review(mapping: &Mapping) -> bool {
    mapping.columns.iter().any(|choice| choice.suggested || choice.target == ColumnTarget::Ignore)
}

/// A stable key for a set of headers (order and case do not matter), under which a confirmed
/// mapping is remembered per profile.
pub fn header_key(headers: &[String]) -> String {
    let mut names: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    names.sort_unstable();
    names.join("\u{1f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn targets(mapping: &Mapping) -> Vec<(&str, Option<&str>, bool)> {
        mapping
            .columns
            .iter()
            .map(|c| {
                let target = match &c.target {
                    ColumnTarget::Field(path) => Some(path.as_str()),
                    ColumnTarget::Ignore => None,
                };
                (c.header.as_str(), target, c.suggested)
            })
            .collect()
    }

    fn fixed(mapping: &Mapping) -> Vec<(&str, &str)> {
        mapping.fixed.iter().map(|f| (f.path.as_str(), f.value.as_str())).collect()
    }

    #[test]
    fn auto_mapping_exact_fuzzy_synonym_unknown() {
        let mapping = auto_mapping(
            Backend::HelpScout,
            &headers(&[
                "firstName",
                "Last Name",
                "E-mail",
                "emails.1.type",
                "properties.shoeSize",
                "Favourite colour",
                "",
            ]),
        );
        assert_eq!(
            targets(&mapping),
            [
                ("firstName", Some("firstName"), false),
                ("Last Name", Some("lastName"), true),
                ("E-mail", Some("emails.0.value"), true),
                ("emails.1.type", Some("emails.1.type"), false),
                ("properties.shoeSize", Some("properties.shoeSize"), false),
                ("Favourite colour", None, false),
                ("", None, false),
            ]
        );
        assert!(mapping.fixed.is_empty());
        assert!(needs_review(&mapping));
        let exact = auto_mapping(Backend::HelpScout, &headers(&["firstName", "emails.0.value", "address.lines.1"]));
        assert!(!needs_review(&exact));
        assert!(exact.fixed.is_empty());
    }

    #[test]
    fn list_synonyms_take_free_entries_and_imply_types() {
        let mapping = auto_mapping(
            Backend::HelpScout,
            &headers(&["Mobile", "Phone", "phones.0.value", "Fax", "Email", "Email 2", "Work email"]),
        );
        assert_eq!(
            targets(&mapping),
            [
                ("Mobile", Some("phones.1.value"), true),
                ("Phone", Some("phones.2.value"), true),
                ("phones.0.value", Some("phones.0.value"), false),
                ("Fax", Some("phones.3.value"), true),
                ("Email", Some("emails.0.value"), true),
                ("Email 2", Some("emails.1.value"), true),
                ("Work email", Some("emails.2.value"), true),
            ]
        );
        assert_eq!(fixed(&mapping), [("phones.1.type", "mobile"), ("phones.3.type", "fax"), ("emails.2.type", "work")]);
        assert_eq!(mapping.check(Backend::HelpScout), Ok(()));
    }

    #[test]
    fn a_field_is_never_filled_twice() {
        let mapping = auto_mapping(Backend::Finosu, &headers(&["E-mail", "email", "Zip", "Postal code"]));
        assert_eq!(
            targets(&mapping),
            [
                ("E-mail", None, false),
                ("email", Some("email"), false),
                ("Zip", Some("zipCode"), true),
                ("Postal code", None, false),
            ]
        );
    }

    #[test]
    fn mapping_file_round_trip() {
        let text = r#"{"columns": {"E-mail": "emails.0.value", "Notes": null, " Mobile ": "phones.1.value"},
                       "fixed": {"emails.0.type": "work", "phones.1.type": "mobile"}}"#;
        let mapping = Mapping::from_file_text(Backend::HelpScout, text).expect("valid mapping");
        assert_eq!(
            targets(&mapping),
            [
                ("E-mail", Some("emails.0.value"), false),
                ("Notes", None, false),
                ("Mobile", Some("phones.1.value"), false)
            ]
        );
        assert_eq!(fixed(&mapping), [("emails.0.type", "work"), ("phones.1.type", "mobile")]);
        let written = mapping.to_file_text();
        assert!(written.contains("\"Notes\": null"), "{written}");
        assert_eq!(Mapping::from_file_text(Backend::HelpScout, &written), Ok(mapping.clone()));
        // Auto mappings lose `suggested` on the way: a saved mapping is a confirmed one.
        let auto = auto_mapping(Backend::HelpScout, &headers(&["E-mail", "firstName"]));
        let back = Mapping::from_file_text(Backend::HelpScout, &auto.to_file_text()).expect("round trip");
        assert_eq!(
            targets(&back),
            [("E-mail", Some("emails.0.value"), false), ("firstName", Some("firstName"), false)]
        );
        assert_eq!(Mapping::from_file_text(Backend::Finosu, "{}"), Ok(Mapping::default()));
        assert_eq!(
            Mapping::from_file_text(Backend::Finosu, r#"{"fixed": {"doNotCall": true}}"#).map(|m| m.fixed),
            Ok(vec![FixedValue { path: "doNotCall".to_owned(), value: "true".to_owned() }])
        );
    }

    #[test]
    fn mapping_file_errors() {
        let read = |text: &str| Mapping::from_file_text(Backend::HelpScout, text);
        let Err(MappingError::Json { line, .. }) = read("{\n\"columns\": {\"a\" 3}}") else { panic!("not Json") };
        assert_eq!(line, 2);
        assert_eq!(
            read("{\n\"columns\": {\"a\": 3}}"),
            Err(MappingError::Shape { message: "column \"a\" must map to a field path in quotes or null".to_owned() })
        );
        assert!(matches!(read("[1]"), Err(MappingError::Json { .. })));
        assert!(
            matches!(read("{\"colums\": {}}"), Err(MappingError::Json { message, .. }) if message.contains("colums"))
        );
        assert!(
            matches!(read("{\"fixed\": {\"a\": [1]}}"), Err(MappingError::Shape { message }) if message.contains("\"a\""))
        );
        let unknown = read(r#"{"columns": {"E-mail": "email"}}"#);
        assert_eq!(
            unknown,
            Err(MappingError::UnknownPath {
                path: "email".to_owned(),
                place: "column \"E-mail\"".to_owned(),
                backend: "Help Scout"
            })
        );
        assert!(
            unknown.is_err_and(|e| e
                .to_string()
                .starts_with("\"email\" (for column \"E-mail\") is not a Help Scout field."))
        );
        assert!(
            matches!(read(r#"{"fixed": {"emails.0.kind": "x"}}"#), Err(MappingError::UnknownPath { path, .. }) if path == "emails.0.kind")
        );
        assert_eq!(
            read(r#"{"columns": {"A": "firstName", "B": "lastName", "C": "firstName"}}"#),
            Err(MappingError::DuplicateTarget {
                path: "firstName".to_owned(),
                first: "A".to_owned(),
                second: "C".to_owned()
            })
        );
    }

    #[test]
    fn apply_to_fits_or_reports_missing_and_extra() {
        let saved = Mapping::from_file_text(
            Backend::HelpScout,
            r#"{"columns": {"Name": "firstName", "Mail": "emails.0.value", "Junk": null}, "fixed": {"emails.0.type": "home"}}"#,
        )
        .expect("valid");
        let fitted = saved.apply_to(&headers(&["Mail", " Name", ""])).expect("fits");
        assert_eq!(
            targets(&fitted),
            [("Mail", Some("emails.0.value"), false), ("Name", Some("firstName"), false), ("", None, false)]
        );
        assert_eq!(fitted.fixed, saved.fixed);
        let error = saved.apply_to(&headers(&["Name", "Phone", "Junk"]));
        assert_eq!(
            error,
            Err(MappingError::DoesNotFit { missing: vec!["Mail".to_owned()], extra: vec!["Phone".to_owned()] })
        );
        let message = error.map_err(|e| e.to_string()).err().unwrap_or_default();
        assert!(message.contains("no column \"Mail\"") && message.contains("column \"Phone\""), "{message}");
    }

    #[test]
    fn header_key_ignores_order_case_and_padding() {
        let key = header_key(&headers(&["Email", "Name"]));
        assert_eq!(key, header_key(&headers(&[" name", "EMAIL "])));
        assert_ne!(key, header_key(&headers(&["Email", "Name", "Phone"])));
        assert_ne!(header_key(&headers(&["a b"])), header_key(&headers(&["a", "b"])));
    }
}
