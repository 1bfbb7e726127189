//! Property tests of the whole import path: hostile input never panics, and what a CSV writer
//! or a JSON serialiser wrote reads back exactly.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::*;
use crate::model::Backend;

fn names() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["x.csv", "x.json", "x.jsonl", "x.ndjson", "x.tsv", "x", "x.txt", "x.dat"])
}

/// Every leaf path the dialog offers for Help Scout (the pattern entry left out).
fn known_paths() -> Vec<String> {
    mappable_fields(Backend::HelpScout).into_iter().map(|f| f.path).filter(|p| !p.contains('<')).collect()
}

/// A cell: text with separators, quotes, line breaks and non-ASCII, or nothing.
fn cell() -> impl Strategy<Value = String> {
    "[a-zé✓ ,;\"\n\r\t'💡]{0,12}"
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,10}".prop_map(Value::String),
        "[ \n\"\\\\,\\[\\]{}]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(("\\PC{0,6}", inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Value> {
    prop::collection::vec(("[a-zA-Z\"\\\\ ]{0,6}", json_value()), 0..6)
        .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), name in names()) {
        if let Ok(ImportTable::Csv(table)) = read_table(&bytes, name) {
            prop_assert!(!table.rows.is_empty());
            prop_assert!(table.rows.iter().all(|row| row.cells.len() == table.headers.len()));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[a-z,;\"\n\r\t {}\\[\\]:0-9é]{0,300}", name in names()) {
        match read_table(text.as_bytes(), name) {
            Ok(ImportTable::Csv(table)) => {
                prop_assert!(table.rows.iter().all(|row| row.cells.len() == table.headers.len()));
                let mapping = auto_mapping(Backend::HelpScout, &table.headers);
                let rows = build_rows(Backend::HelpScout, &ImportTable::Csv(table.clone()), &mapping);
                prop_assert_eq!(rows.len(), table.rows.len());
            }
            Ok(ImportTable::Json { rows, .. }) => prop_assert!(rows.iter().all(|row| row.body.is_object())),
            Err(error) => prop_assert!(error.to_string().ends_with('.')),
        }
    }

    #[test]
    fn a_written_csv_reads_back_the_same(
        headers in prop::sample::subsequence(known_paths(), 2..7).prop_shuffle(),
        rows in prop::collection::vec(prop::collection::vec(cell(), 7), 1..8),
        delimiter in prop::sample::select(vec![b',', b';', b'\t']),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        // The first cell is never blank, so that no row is skipped as a blank line.
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|row| {
                let mut row: Vec<String> = row.into_iter().take(headers.len()).collect();
                if let Some(first) = row.first_mut() {
                    first.insert(0, 'v');
                }
                row
            })
            .collect();
        let terminator = if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
        let mut writer = csv::WriterBuilder::new().delimiter(delimiter).terminator(terminator).from_writer(Vec::new());
        writer.write_record(&headers).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for row in &rows {
            writer.write_record(row).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend(writer.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?);
        let table = match read_table(&bytes, "x.csv") {
            Ok(ImportTable::Csv(table)) => table,
            other => return Err(TestCaseError::fail(format!("{other:?} from {:?}", String::from_utf8_lossy(&bytes)))),
        };
        prop_assert_eq!(table.delimiter, delimiter);
        prop_assert_eq!(&table.headers, &headers);
        let mut line = 2;
        let mut expected = Vec::new();
        for (number, row) in (1..).zip(&rows) {
            expected.push(CsvRow { line, number, cells: row.clone() });
            line += 1 + row.iter().map(|cell| cell.matches('\n').count()).sum::<usize>();
        }
        prop_assert_eq!(table.rows, expected);
        // Every header is a path, so the mapping is exact and every cell lands at its path.
        let mapping = auto_mapping(Backend::HelpScout, &headers);
        prop_assert!(!needs_review(&mapping));
    }

    #[test]
    fn json_arrays_and_lines_give_back_the_objects(objects in prop::collection::vec(json_object(), 1..6), pretty in any::<bool>()) {
        let array = Value::Array(objects.clone());
        let text = if pretty { serde_json::to_string_pretty(&array) } else { serde_json::to_string(&array) };
        let text = text.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let Ok(ImportTable::Json { format, rows }) = read_table(text.as_bytes(), "x.json") else {
            return Err(TestCaseError::fail("array not read"));
        };
        prop_assert_eq!(format, ImportFormat::JsonArray);
        prop_assert_eq!(rows.iter().map(|r| r.number).collect::<Vec<_>>(), (1..=objects.len()).collect::<Vec<_>>());
        prop_assert_eq!(rows.into_iter().map(|r| r.body).collect::<Vec<_>>(), objects.clone());

        let lines: Vec<String> = objects.iter().map(|o| serde_json::to_string(o).unwrap_or_default()).collect();
        let text = lines.join("\n\n");
        let Ok(ImportTable::Json { format, rows }) = read_table(text.as_bytes(), "x.jsonl") else {
            return Err(TestCaseError::fail("lines not read"));
        };
        prop_assert_eq!(format, ImportFormat::JsonLines);
        prop_assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), (0..objects.len()).map(|i| 2 * i + 1).collect::<Vec<_>>());
        prop_assert_eq!(rows.into_iter().map(|r| r.body).collect::<Vec<_>>(), objects);
    }

    #[test]
    fn json_arrays_of_anything_never_panic(items in prop::collection::vec(json_value(), 0..6), top in json_value()) {
        let text = serde_json::to_string(&Value::Array(items.clone())).unwrap_or_default();
        match read_table(text.as_bytes(), "x.json") {
            Ok(ImportTable::Json { rows, .. }) => prop_assert_eq!(rows.into_iter().map(|r| r.body).collect::<Vec<_>>(), items),
            Ok(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
            Err(ImportError::JsonNoItems) => prop_assert!(items.is_empty()),
            Err(ImportError::JsonItemNotObject { number, .. }) => {
                prop_assert!(items.get(number - 1).is_some_and(|item| !item.is_object()));
            }
            Err(other) => return Err(TestCaseError::fail(other.to_string())),
        }
        let text = serde_json::to_string(&top).unwrap_or_default();
        let result = read_table(text.as_bytes(), "x.json");
        if !top.is_array() {
            prop_assert!(matches!(result, Err(ImportError::JsonNotArray { .. })), "{:?}", result);
        }
    }
}
