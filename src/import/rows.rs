//! Rows → request bodies: cells placed at their paths, fixed values and entry types filled in,
//! each body validated, issues traced back to their column, duplicates inside the file found.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::fields::{PathInfo, Seg, resolve};
use super::mapping::{ColumnTarget, Mapping};
use super::read::{CsvTable, ImportTable};
use crate::model::{Backend, PropertyDefinition};
use crate::validation::{AccountProperties, Issue, Kind, Severity, ValidationContext, validate_draft_with};

/// Entry types filled in when a row gives a Help Scout list entry a value but no `type`
/// (a "Mobile" column's type comes from the mapping's fixed values instead).
pub const DEFAULT_ENTRY_TYPES: &[(&str, &str)] = &[("emails", "work"), ("phones", "work")];

/// One row of the file as a request body, with what validation said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRow {
    /// 1-based line where the row starts in the file.
    pub line: usize,
    /// 1-based row number (data rows only) or JSON item number.
    pub number: usize,
    /// The request body, as a draft.
    pub body: Value,
    /// Validation issues of the body.
    pub issues: Vec<RowIssue>,
    /// The number of an earlier row for the same customer (same Finosu id, same Help Scout
    /// email), when there is one.
    pub duplicate_of: Option<usize>,
}

impl ImportedRow {
    /// Whether an issue blocks sending this row.
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.issue.severity == Severity::Error)
    }
}

/// A validation issue and the column it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    /// The issue, its path a JSON Pointer into the body.
    pub issue: Issue,
    /// The header of the column whose value the issue is about, when a column filled that field.
    pub column: Option<String>,
}

/// Counts for the import report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Rows read.
    pub rows: usize,
    /// Rows without errors.
    pub valid: usize,
    /// Rows with at least one error.
    pub invalid: usize,
    /// Rows that repeat an earlier row's customer.
    pub duplicates: usize,
}

impl ImportSummary {
    /// Counts `rows`.
    pub fn of(rows: &[ImportedRow]) -> Self {
        let invalid = rows.iter().filter(|row| row.has_errors()).count();
        Self {
            rows: rows.len(),
            valid: rows.len() - invalid,
            invalid,
            duplicates: rows.iter().filter(|row| row.duplicate_of.is_some()).count(),
        }
    }
}

/// Builds and validates a body for every row.
///
/// CSV rows go through `mapping` (columns whose path
/// the backend does not have are left out; check the mapping with
/// [`Mapping::check`](super::Mapping::check) first); JSON items are used as they are.
pub fn build_rows(backend: Backend, table: &ImportTable, mapping: &Mapping) -> Vec<ImportedRow> {
    build_rows_for_account(backend, table, mapping, None)
}

/// [`build_rows`] with the account's property definitions when known (the profile's), so a
/// row's property slug the account does not define is an error, as in the form.
pub fn build_rows_for_account(
    backend: Backend,
    table: &ImportTable,
    mapping: &Mapping,
    definitions: Option<&[PropertyDefinition]>,
) -> Vec<ImportedRow> {
    let account = definitions.map(AccountProperties::new);
    let context = account.as_ref().map_or_else(ValidationContext::today, AccountProperties::context);
    let mut rows = match table {
        ImportTable::Csv(csv) => build_csv_rows(backend, csv, mapping, &context),
        ImportTable::Json { rows, .. } => rows
            .iter()
            .map(|row| {
                let issues = validate_draft_with(backend, &row.body, &context);
                ImportedRow {
                    line: row.line,
                    number: row.number,
                    body: row.body.clone(),
                    issues: issues.into_iter().map(|issue| RowIssue { issue, column: None }).collect(),
                    duplicate_of: None,
                }
            })
            .collect(),
    };
    mark_duplicates(backend, &mut rows);
    rows
}

/// A column that fills a field.
struct ColumnPlan<'a> {
    cell: usize,
    info: PathInfo,
    /// Index into the fed-entries flags, when the column fills a list entry.
    entry_slot: Option<usize>,
    header: &'a str,
}

/// A fixed value, coerced once.
struct FixedPlan {
    info: PathInfo,
    value: Value,
    /// When columns fill this list entry: the value only goes into rows where they did.
    entry_slot: Option<usize>,
}

fn build_csv_rows(
    backend: Backend,
    table: &CsvTable,
    mapping: &Mapping,
    context: &ValidationContext<'_>,
) -> Vec<ImportedRow> {
    let mut entries: Vec<(String, usize)> = Vec::new();
    let mut slot_of = |entry: Option<&(String, usize)>| {
        let entry = entry?;
        Some(entries.iter().position(|e| e == entry).unwrap_or_else(|| {
            entries.push(entry.clone());
            entries.len() - 1
        }))
    };
    let mut columns = Vec::new();
    for (cell, header) in table.headers.iter().enumerate() {
        let header = header.trim();
        let Some(choice) = mapping.columns.iter().find(|choice| choice.header == header) else { continue };
        let ColumnTarget::Field(path) = &choice.target else { continue };
        let Some(info) = resolve(backend, path) else { continue };
        let entry_slot = slot_of(info.entry.as_ref());
        columns.push(ColumnPlan { cell, info, entry_slot, header });
    }
    let fixed: Vec<FixedPlan> = mapping
        .fixed
        .iter()
        .filter_map(|fixed| {
            let info = resolve(backend, &fixed.path)?;
            let value = coerce(info.kind, &fixed.value);
            let entry_slot = info.entry.as_ref().and_then(|entry| entries.iter().position(|e| e == entry));
            Some(FixedPlan { info, value, entry_slot })
        })
        .collect();
    let pointers: HashMap<String, &str> = columns.iter().map(|c| (c.info.pointer(), c.header)).collect();
    let mut fed = vec![false; entries.len()];
    table
        .rows
        .iter()
        .map(|row| {
            fed.fill(false);
            let mut body = Value::Object(Map::new());
            for column in &columns {
                let Some(cell) = row.cells.get(column.cell).filter(|cell| !cell.trim().is_empty()) else { continue };
                if place(&mut body, &column.info.segs, coerce(column.info.kind, cell))
                    && let Some(flag) = column.entry_slot.and_then(|slot| fed.get_mut(slot))
                {
                    *flag = true;
                }
            }
            for value in &fixed {
                if value.entry_slot.is_some_and(|slot| !fed.get(slot).copied().unwrap_or(false)) {
                    continue;
                }
                place(&mut body, &value.info.segs, value.value.clone());
            }
            if backend == Backend::HelpScout {
                fill_entry_types(&mut body);
            }
            let issues = validate_draft_with(backend, &body, context)
                .into_iter()
                .map(|issue| {
                    let column = pointers.get(issue.path.as_str()).map(|header| (*header).to_owned());
                    RowIssue { issue, column }
                })
                .collect();
            ImportedRow { line: row.line, number: row.number, body, issues, duplicate_of: None }
        })
        .collect()
}

/// A cell's value by the field's kind: true/false words for flags, parsed JSON for metadata
/// when it is an object; text otherwise (validation reports what does not fit).
fn coerce(kind: Option<&Kind>, cell: &str) -> Value {
    match kind {
        Some(Kind::Bool) => parse_bool(cell).map_or_else(|| Value::String(cell.to_owned()), Value::Bool),
        Some(Kind::JsonObject) => match serde_json::from_str::<Value>(cell) {
            Ok(object @ Value::Object(_)) => object,
            _ => Value::String(cell.to_owned()),
        },
        _ => Value::String(cell.to_owned()),
    }
}

/// `true`/`yes`/`y`/`1`/`x` and `false`/`no`/`n`/`0`, any case.
fn parse_bool(cell: &str) -> Option<bool> {
    const TRUE: &[&str] = &["true", "yes", "y", "1", "x"];
    const FALSE: &[&str] = &["false", "no", "n", "0"];
    let cell = cell.trim();
    if TRUE.iter().any(|word| word.eq_ignore_ascii_case(cell)) {
        Some(true)
    } else if FALSE.iter().any(|word| word.eq_ignore_ascii_case(cell)) {
        Some(false)
    } else {
        None
    }
}

/// Puts `value` at `segs` unless something is already there; creates objects and lists on the
/// way. A list index past the end pads the list with empty entries (`{}` or `""`), which
/// validation and sending skip, so an issue's pointer still names the column's entry.
fn place(target: &mut Value, segs: &[Seg], value: Value) -> bool {
    let Some((first, rest)) = segs.split_first() else {
        let absent = match target {
            Value::Null => true,
            Value::String(text) => text.is_empty(),
            _ => false,
        };
        if absent {
            *target = value;
        }
        return absent;
    };
    match (first, target) {
        (Seg::Key(key), Value::Object(map)) => {
            if !map.contains_key(key) {
                map.insert(key.clone(), empty_for(rest));
            }
            map.get_mut(key).is_some_and(|child| place(child, rest, value))
        }
        (Seg::Index(index), Value::Array(items)) => {
            while items.len() <= *index {
                items.push(empty_for(rest));
            }
            items.get_mut(*index).is_some_and(|child| place(child, rest, value))
        }
        _ => false,
    }
}

fn empty_for(rest: &[Seg]) -> Value {
    match rest.first() {
        Some(Seg::Key(_)) => Value::Object(Map::new()),
        Some(Seg::Index(_)) => Value::Array(Vec::new()),
        None => Value::String(String::new()),
    }
}

/// Gives every email and phone entry with a value but no type the default type.
fn fill_entry_types(body: &mut Value) {
    for (list, default) in DEFAULT_ENTRY_TYPES {
        let Some(Value::Array(items)) = body.get_mut(*list) else { continue };
        for item in items {
            let Value::Object(entry) = item else { continue };
            let has_value = entry.get("value").is_some_and(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()));
            if has_value && !entry.contains_key("type") {
                entry.insert("type".to_owned(), Value::String((*default).to_owned()));
            }
        }
    }
}

/// Marks each row whose customer an earlier row already has: Finosu by trimmed `id`, Help Scout
/// by any email address (trimmed, any case).
fn mark_duplicates(backend: Backend, rows: &mut [ImportedRow]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let keys: Vec<String> = match backend {
            Backend::Finosu => row
                .body
                .get("id")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .into_iter()
                .collect(),
            Backend::HelpScout => row
                .body
                .get("emails")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|entry| entry.get("value").and_then(Value::as_str))
                .map(|email| email.trim().to_lowercase())
                .filter(|email| !email.is_empty())
                .collect(),
        };
        let earlier = keys.iter().filter_map(|key| seen.get(key).copied()).min();
        row.duplicate_of = earlier;
        for key in keys {
            seen.entry(key).or_insert(row.number);
        }
    }
}

/// Whether the rows hold an error (for callers that only need yes or no).
pub fn any_errors(rows: &[ImportedRow]) -> bool {
    rows.iter().any(ImportedRow::has_errors)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{auto_mapping, read_table};
    use super::*;
    use crate::import::Mapping;

    fn import(backend: Backend, csv: &str) -> Vec<ImportedRow> {
        let table = read_table(csv.as_bytes(), "x.csv").expect("readable");
        let ImportTable::Csv(csv_table) = &table else { panic!("not CSV") };
        build_rows(backend, &table, &auto_mapping(backend, &csv_table.headers))
    }

    fn import_with(backend: Backend, csv: &str, mapping: &str) -> Vec<ImportedRow> {
        let table = read_table(csv.as_bytes(), "x.csv").expect("readable");
        let mapping = Mapping::from_file_text(backend, mapping).expect("mapping");
        build_rows(backend, &table, &mapping)
    }

    fn bodies(rows: &[ImportedRow]) -> Vec<&Value> {
        rows.iter().map(|row| &row.body).collect()
    }

    const FINOSU_HEADER: &str =
        "id,firstName,lastName,email,phoneNumber,timezone,birthday,streetAddress1,city,state,zipCode,taskType";
    const FINOSU_ROW: &str = "C-1,Ada,Lovelace,ada@example.com,(415) 555-0123,America/Los_Angeles,1985-06-15,1 Main St,San Francisco,CA,94102,collections";

    #[test]
    fn a_valid_finosu_row_has_no_issues() {
        let rows = import(Backend::Finosu, &format!("{FINOSU_HEADER}\n{FINOSU_ROW}\n"));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].issues, [], "{:?}", rows[0].body);
        assert_eq!((rows[0].line, rows[0].number), (2, 1));
        assert_eq!(rows[0].body["zipCode"], json!("94102"));
        assert_eq!(ImportSummary::of(&rows), ImportSummary { rows: 1, valid: 1, invalid: 0, duplicates: 0 });
    }

    #[test]
    fn cells_are_placed_at_paths_and_empty_cells_set_nothing() {
        let rows = import(
            Backend::HelpScout,
            "firstName,emails.0.value,emails.0.type,address.city,address.lines.1,properties.shoeSize,Notes\n\
             Ada,ada@example.com,home,Paris,Flat 2,44,hi\n\
             Bob,, ,,,,\n",
        );
        assert_eq!(
            bodies(&rows),
            [
                &json!({"firstName": "Ada", "emails": [{"value": "ada@example.com", "type": "home"}],
                        "address": {"city": "Paris", "lines": ["", "Flat 2"]}, "properties": {"shoeSize": "44"},
                        "background": "hi"}),
                &json!({"firstName": "Bob"}),
            ]
        );
    }

    #[test]
    fn a_gap_in_a_list_keeps_the_entry_number_and_its_column() {
        let rows = import(Backend::HelpScout, "emails.1.value\nnot-an-email\n");
        assert_eq!(rows[0].body, json!({"emails": [{}, {"value": "not-an-email", "type": "work"}]}));
        let issue = rows[0].issues.first().expect("an issue");
        assert_eq!(issue.issue.path, "/emails/1/value");
        assert_eq!(issue.column.as_deref(), Some("emails.1.value"));
        assert!(issue.issue.message.starts_with("Email 2 address"), "{}", issue.issue.message);
    }

    #[test]
    fn entry_types_default_to_work_unless_given() {
        let rows =
            import(Backend::HelpScout, "E-mail,Mobile,Phone\na@b.co,+1 415 555 0123,+1 415 555 0124\nc@d.co,,\n");
        assert_eq!(
            bodies(&rows),
            [
                &json!({"emails": [{"value": "a@b.co", "type": "work"}],
                        "phones": [{"value": "+1 415 555 0123", "type": "mobile"}, {"value": "+1 415 555 0124", "type": "work"}]}),
                // No phone without a number: the Mobile type only goes where Mobile has a value.
                &json!({"emails": [{"value": "c@d.co", "type": "work"}]}),
            ]
        );
        assert!(rows.iter().all(|row| row.issues.is_empty()), "{:?}", rows[0].issues);
    }

    #[test]
    fn fixed_values_fill_what_columns_leave_empty() {
        let rows = import_with(
            Backend::HelpScout,
            "Name,Org\nAda,\nBob,Acme\n",
            r#"{"columns": {"Name": "firstName", "Org": "organization"}, "fixed": {"organization": "Default Co", "address.country": "US", "emails.0.type": "home"}}"#,
        );
        assert_eq!(rows[0].body["organization"], json!("Default Co"));
        assert_eq!(rows[1].body["organization"], json!("Acme"));
        assert_eq!(rows[1].body["address"]["country"], json!("US"));
        // No column fills emails.0, so its fixed type applies everywhere.
        assert_eq!(rows[0].body["emails"], json!([{"type": "home"}]));
    }

    #[test]
    fn flags_and_metadata_are_coerced() {
        let header = format!("{FINOSU_HEADER},doNotCall,isTest,externalMetadata");
        let row = |extra: &str| format!("{FINOSU_ROW},{extra}");
        let csv = format!(
            "{header}\n{}\n{}\n{}\n{}\n",
            row("Yes,x,\"{\"\"a\"\": 1}\""),
            row("N,0,"),
            row("maybe,TRUE,[1]"),
            row("1,false,{bad")
        );
        let rows = import(Backend::Finosu, &csv);
        let got: Vec<(&Value, &Value, Option<&Value>)> =
            rows.iter().map(|r| (&r.body["doNotCall"], &r.body["isTest"], r.body.get("externalMetadata"))).collect();
        assert_eq!(
            got,
            [
                (&json!(true), &json!(true), Some(&json!({"a": 1}))),
                (&json!(false), &json!(false), None),
                (&json!("maybe"), &json!(true), Some(&json!("[1]"))),
                (&json!(true), &json!(false), Some(&json!("{bad"))),
            ]
        );
        let columns: Vec<Vec<&str>> =
            rows.iter().map(|r| r.issues.iter().filter_map(|i| i.column.as_deref()).collect()).collect();
        assert_eq!(columns, [vec![], vec![], vec!["externalMetadata", "doNotCall"], vec!["externalMetadata"]]);
    }

    #[test]
    fn issues_name_their_column() {
        let rows = import(Backend::HelpScout, "E-mail,Zip,Country,Town,State\nnot-mail,ABC,US,Paris,ZZ\n");
        let issues: Vec<(&str, Option<&str>)> =
            rows[0].issues.iter().map(|i| (i.issue.path.as_str(), i.column.as_deref())).collect();
        assert!(issues.contains(&("/emails/0/value", Some("E-mail"))), "{issues:?}");
        assert!(issues.contains(&("/address/postalCode", Some("Zip"))), "{issues:?}");
        assert!(issues.contains(&("/address/state", Some("State"))), "{issues:?}");
        assert!(rows[0].has_errors());
        // An issue about a field no column fills names no column.
        let rows = import(Backend::Finosu, "firstName\nAda\n");
        let id = rows[0].issues.iter().find(|i| i.issue.path == "/id").map(|i| i.column.clone());
        assert_eq!(id, Some(None));
    }

    #[test]
    fn duplicates_inside_the_file() {
        let csv = format!(
            "{FINOSU_HEADER}\n{FINOSU_ROW}\n{}\n{}\n",
            FINOSU_ROW.replace("C-1,", " C-1 ,"),
            FINOSU_ROW.replace("C-1,", "C-2,")
        );
        let rows = import(Backend::Finosu, &csv);
        let dups: Vec<Option<usize>> = rows.iter().map(|r| r.duplicate_of).collect();
        assert_eq!(dups, [None, Some(1), None]);
        assert_eq!(ImportSummary::of(&rows).duplicates, 1);

        let rows = import(
            Backend::HelpScout,
            "emails.0.value,emails.1.value\na@x.co,\nb@x.co,A@X.CO \nc@x.co,\nC@x.co,b@x.co\n,\n,\n",
        );
        let dups: Vec<Option<usize>> = rows.iter().map(|r| r.duplicate_of).collect();
        assert_eq!(dups, [None, Some(1), None, Some(2)]);
    }

    #[test]
    fn json_rows_are_used_as_they_are() {
        let table = read_table(br#"[{"firstName": "Ada", "emails": [{"type": "work", "value": "a@b.co"}]}, {"emails": [{"type": "work", "value": "A@b.co"}], "gender": "robot"}]"#, "x.json").expect("JSON");
        let rows = build_rows(Backend::HelpScout, &table, &Mapping::default());
        assert_eq!(rows[0].body, json!({"firstName": "Ada", "emails": [{"type": "work", "value": "a@b.co"}]}));
        assert_eq!(rows[0].issues, []);
        assert_eq!(rows[1].duplicate_of, Some(1));
        assert_eq!(
            rows[1].issues.iter().map(|i| (i.issue.path.as_str(), i.column.clone())).collect::<Vec<_>>(),
            [("/gender", None)]
        );
        assert_eq!(ImportSummary::of(&rows), ImportSummary { rows: 2, valid: 1, invalid: 1, duplicates: 1 });
        assert!(any_errors(&rows));
        assert!(!any_errors(&rows[..1]));
    }

    #[test]
    fn the_profiles_definitions_make_an_undefined_slug_an_error_with_its_column() {
        let csv = "firstName,properties.shoeSize,properties.colour\nAda,44,green\n";
        let table = read_table(csv.as_bytes(), "x.csv").expect("readable");
        let ImportTable::Csv(csv_table) = &table else { panic!("not CSV") };
        let mapping = auto_mapping(Backend::HelpScout, &csv_table.headers);
        let definitions = [crate::model::PropertyDefinition {
            slug: "shoeSize".to_owned(),
            name: "Shoe size".to_owned(),
            kind: crate::model::PropertyKind::Text,
            options: Vec::new(),
        }];
        let found = |rows: &[ImportedRow]| -> Vec<(String, Severity, Option<String>)> {
            rows[0].issues.iter().map(|i| (i.issue.path.clone(), i.issue.severity, i.column.clone())).collect()
        };
        let rows = build_rows_for_account(Backend::HelpScout, &table, &mapping, Some(&definitions));
        let colour = ("/properties/colour".to_owned(), Severity::Error, Some("properties.colour".to_owned()));
        assert_eq!(found(&rows), [colour]);
        assert!(any_errors(&rows));
        // Not known: only warnings, the row stays valid.
        let rows = build_rows_for_account(Backend::HelpScout, &table, &mapping, None);
        assert!(found(&rows).iter().all(|(_, severity, _)| *severity == Severity::Warning), "{:?}", found(&rows));
        assert_eq!(found(&rows).len(), 2);
        assert!(!any_errors(&rows));
    }

    #[test]
    fn columns_with_unknown_paths_are_left_out() {
        let table = read_table(b"a,b\n1,2\n", "x.csv").expect("readable");
        let mapping = Mapping {
            columns: vec![
                crate::import::ColumnChoice {
                    header: "a".to_owned(),
                    target: ColumnTarget::Field("nope".to_owned()),
                    suggested: false,
                },
                crate::import::ColumnChoice {
                    header: "b".to_owned(),
                    target: ColumnTarget::Field("age".to_owned()),
                    suggested: false,
                },
            ],
            fixed: vec![],
        };
        let rows = build_rows(Backend::HelpScout, &table, &mapping);
        assert_eq!(rows[0].body, json!({"age": "2"}));
    }

    #[test]
    fn ten_thousand_rows_read_build_and_validate_quickly() {
        let mut csv = format!("{FINOSU_HEADER},doNotCall\n");
        for i in 0..10_000 {
            csv.push_str(
                &FINOSU_ROW.replace("C-1,", &format!("C-{i},")).replace("555-0123", &format!("555-01{:02}", i % 100)),
            );
            csv.push_str(",no\n");
        }
        let started = std::time::Instant::now();
        let table = read_table(csv.as_bytes(), "x.csv").expect("readable");
        let ImportTable::Csv(csv_table) = &table else { panic!("not CSV") };
        let rows = build_rows(Backend::Finosu, &table, &auto_mapping(Backend::Finosu, &csv_table.headers));
        let took = started.elapsed();
        assert_eq!(ImportSummary::of(&rows), ImportSummary { rows: 10_000, valid: 10_000, invalid: 0, duplicates: 0 });
        // The 2 s target is for release builds; an unoptimised test build gets more room.
        let limit = if cfg!(debug_assertions) { 20 } else { 2 };
        assert!(took.as_secs_f64() < f64::from(limit), "10,000 rows took {took:?}");
    }
}
