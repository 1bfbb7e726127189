//! A batch: an imported file's rows kept in the store as records of one batch, its valid rows
//! queued through the outbox, and its report (sent / failed / not sent, with reasons) as CSV.
//!
//! The window and `intake import` share this: the importer ([`crate::import`]) turns a file into
//! validated rows, this puts them in the store in one transaction (every row, valid or not, so
//! nothing typed in a spreadsheet is lost and a bad row can be opened and fixed in the form).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::import::{
    ImportError, ImportTable, ImportedRow, MAX_FILE_BYTES, Mapping, RowIssue, SkippedRow, auto_mapping, header_key,
    read_table_skipping_bad_rows,
};
use crate::model::{Backend, Draft};
use crate::normalize::normalize_for_sending;
use crate::store::{BatchId, BatchRow, BatchRowState, NewBatch, NewRecord, RecordState, Store, StoreError};
use crate::validation::Severity;

/// What to do with an imported file's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPlan {
    /// The profile the rows are for.
    pub profile: String,
    /// Its API.
    pub backend: Backend,
    /// The file's name for the report.
    pub file_name: String,
    /// Queue the valid rows at once (otherwise they wait, `ready`, for a look first).
    pub queue_valid: bool,
}

/// What an import put in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportResult {
    /// The new batch.
    pub batch: BatchId,
    /// Rows in the file.
    pub rows: usize,
    /// Rows without errors (duplicates included).
    pub valid: usize,
    /// Rows with errors, kept as drafts to fix.
    pub invalid: usize,
    /// Rows that repeat an earlier row's customer: kept, never queued by the import.
    pub duplicates: usize,
    /// Rows queued now.
    pub queued: usize,
    /// Each row's record, in row order.
    #[serde(skip)]
    pub records: Vec<crate::store::RecordId>,
}

/// A file read for import, with the mapping to start from.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// The file.
    pub path: PathBuf,
    /// Its name, for the report.
    pub file_name: String,
    /// Its rows.
    pub table: ImportTable,
    /// Rows left out because they could not be read (only when the person agreed to that).
    pub skipped: Vec<SkippedRow>,
    /// The mapping remembered for this profile and header set, or the suggestions.
    pub mapping: Mapping,
    /// Whether `mapping` was remembered (a confirmed one) rather than suggested.
    pub remembered: bool,
}

/// Why a file cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// What is wrong and what to do, in a sentence.
    pub message: String,
    /// When only some rows cannot be read: how many can, to offer importing those.
    pub readable_rows: Option<usize>,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads and parses an import file, refusing one too big before reading it.
///
/// With `skip_bad_rows`, rows that cannot be read are left out and listed instead of refusing the
/// file; without, a refusal over such rows says how many others could be read.
pub fn read_import_file(path: &Path, skip_bad_rows: bool) -> Result<(ImportTable, Vec<SkippedRow>), LoadError> {
    let refused = |message: String| LoadError { message, readable_rows: None };
    let size = std::fs::metadata(path).map_err(|e| refused(format!("it cannot be read: {e}")))?.len();
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    if size > MAX_FILE_BYTES {
        return Err(refused(ImportError::TooLarge { bytes: size }.to_string()));
    }
    let bytes = std::fs::read(path).map_err(|e| refused(format!("it cannot be read: {e}")))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match read_table_skipping_bad_rows(&bytes, &name) {
        Ok((table, skipped)) if skipped.is_empty() || skip_bad_rows => Ok((table, skipped)),
        Ok((table, skipped)) => Err(LoadError {
            message: skipped.first().map(|row| row.reason.to_string()).unwrap_or_default(),
            readable_rows: Some(table.len()),
        }),
        Err(error) => Err(refused(error.to_string())),
    }
}

/// Reads `path` for `backend`, starting from the mapping `remembered` gives for its header key
/// when that still fits the file, else from the suggestions.
pub fn load_file(
    path: &Path,
    backend: Backend,
    skip_bad_rows: bool,
    remembered: impl FnOnce(&str) -> Option<String>,
) -> Result<LoadedFile, LoadError> {
    let (table, skipped) = read_import_file(path, skip_bad_rows)?;
    let file_name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let (mapping, remembered) = match &table {
        ImportTable::Csv(csv) => {
            let saved = remembered(&header_key(&csv.headers))
                .and_then(|text| Mapping::from_file_text(backend, &text).ok())
                .and_then(|mapping| mapping.apply_to(&csv.headers).ok());
            match saved {
                Some(mapping) => (mapping, true),
                None => (auto_mapping(backend, &csv.headers), false),
            }
        }
        ImportTable::Json { .. } => (Mapping::default(), false),
    };
    Ok(LoadedFile { path: path.to_owned(), file_name, table, skipped, mapping, remembered })
}

/// Whether a row is queued by the import: valid, and not a repeat of an earlier row.
pub fn is_queueable(row: &ImportedRow) -> bool {
    row.duplicate_of.is_none() && !row.has_errors()
}

/// Puts every row in the store as one batch (one transaction), queuing the queueable ones when
/// the plan says so.
pub fn store_batch(store: &mut Store, plan: &BatchPlan, rows: &[ImportedRow]) -> Result<ImportResult, StoreError> {
    let mut result = ImportResult {
        batch: BatchId::from(String::new()),
        rows: rows.len(),
        valid: 0,
        invalid: 0,
        duplicates: 0,
        queued: 0,
        records: Vec::new(),
    };
    let batch_rows: Vec<BatchRow> = rows
        .iter()
        .map(|row| {
            let valid = !row.has_errors();
            result.valid += usize::from(valid);
            result.invalid += usize::from(!valid);
            result.duplicates += usize::from(row.duplicate_of.is_some());
            let queue = plan.queue_valid && is_queueable(row);
            result.queued += usize::from(queue);
            BatchRow {
                row: row.number,
                record: NewRecord {
                    backend: plan.backend,
                    profile: plan.profile.clone(),
                    // In the form's own shape, so that opening the record in the form (to fix
                    // it) does not read as an edit of it.
                    body: Draft::from_json(plan.backend, &row.body).to_json(),
                    payload: queue.then(|| normalize_for_sending(plan.backend, &row.body)),
                    valid,
                    source: Some(format!("{} row {}", plan.file_name, row.number)),
                },
                note: row
                    .duplicate_of
                    .map(|earlier| format!("the same customer as row {earlier}: not queued with the batch")),
            }
        })
        .collect();
    let batch = NewBatch { profile: plan.profile.clone(), backend: plan.backend, file_name: plan.file_name.clone() };
    let (id, records) = store.insert_batch(&batch, &batch_rows)?;
    result.batch = id;
    result.records = records;
    Ok(result)
}

/// Queues a batch's valid rows that are not queued yet (after a look at the report); returns
/// how many. Rows repeating an earlier row of the file are left for the person to decide.
pub fn queue_batch(store: &mut Store, batch: &BatchId) -> Result<usize, StoreError> {
    let Some(summary) = store.batch(batch)? else { return Ok(0) };
    let ready = store.batch_ready(batch)?;
    let payloads: Vec<_> =
        ready.into_iter().map(|(id, body)| (id, normalize_for_sending(summary.backend, &body))).collect();
    store.queue_many(&summary.profile, &payloads)
}

/// A row's place in a report: what happened to it, in a word.
pub fn row_result(row: &BatchRowState) -> &'static str {
    match row.state {
        RecordState::Sent => "sent",
        RecordState::Failed => "failed",
        RecordState::Queued | RecordState::Sending => "pending",
        RecordState::Draft => "invalid",
        RecordState::Ready => "not queued",
    }
}

/// Writes a batch's report as CSV: one line per row with its result, the server's id and why.
pub fn write_report_csv(rows: &[BatchRowState], out: impl Write) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["row", "result", "record", "server_id", "outcome", "message", "name", "email"])?;
    for row in rows {
        let reason = match (row.state, &row.note) {
            (RecordState::Draft, _) => "has errors: fix it in the form, then queue it",
            (RecordState::Ready, Some(note)) => note.as_str(),
            (RecordState::Ready, None) => "valid, not queued",
            _ => row.message.as_deref().unwrap_or_default(),
        };
        writer.write_record([
            row.row.to_string().as_str(),
            row_result(row),
            row.record.as_str(),
            row.server_id.as_deref().unwrap_or_default(),
            row.outcome.as_deref().unwrap_or_default(),
            reason,
            &row.name,
            &row.email,
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// A row's issue as one line of a report: `row 12, column "E-mail": Email 1 address …`.
pub fn issue_line(row: &ImportedRow, issue: &RowIssue) -> String {
    let place = match &issue.column {
        Some(column) => format!("row {}, column {column:?}", row.number),
        None => format!("row {}, {}", row.number, issue.issue.path),
    };
    let severity = match issue.issue.severity {
        Severity::Error => "",
        Severity::Warning => "warning: ",
    };
    format!("{place}: {severity}{}", issue.issue.message)
}

/// `2 min 44 s`, `12 s`, `1 h 3 min`.
pub fn duration_words(duration: std::time::Duration) -> String {
    let secs = duration.as_secs() + u64::from(duration.subsec_millis() >= 500);
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{build_rows, read_table};
    use crate::store::ListFilter;

    fn rows(csv: &str) -> Vec<ImportedRow> {
        let table = read_table(csv.as_bytes(), "customers.csv").expect("a table");
        let ImportTable::Csv(inner) = &table else { panic!("CSV") };
        build_rows(Backend::HelpScout, &table, &auto_mapping(Backend::HelpScout, &inner.headers))
    }

    #[test]
    fn every_row_is_kept_valid_ones_queued_repeats_held_back_and_bodies_in_the_forms_shape() {
        let dir = tempfile::tempdir().expect("a folder");
        let mut store = Store::open(&dir.path().join("s.sqlite3")).expect("a store");
        let rows = rows("firstName,emails.0.value\nAda,ada@example.com\nBad,not-an-email\nAda again,ADA@example.com\n");
        let plan = BatchPlan {
            profile: "hs".to_owned(),
            backend: Backend::HelpScout,
            file_name: "customers.csv".to_owned(),
            queue_valid: true,
        };
        let result = store_batch(&mut store, &plan, &rows).expect("stored");
        assert_eq!((result.rows, result.valid, result.invalid, result.duplicates, result.queued), (3, 2, 1, 1, 1));
        let states: Vec<RecordState> =
            store.batch_rows(&result.batch).expect("rows").iter().map(|row| row.state).collect();
        assert_eq!(states, [RecordState::Queued, RecordState::Draft, RecordState::Ready]);
        for record in store.records(&ListFilter::default()).expect("records") {
            let again = Draft::from_json(Backend::HelpScout, &record.body).to_json();
            assert_eq!(again, record.body, "opening it in the form changes nothing");
        }
        // The repeat stays out of a later "queue the batch" too.
        assert_eq!(queue_batch(&mut store, &result.batch).expect("queued"), 0);
    }

    #[test]
    fn the_report_has_a_line_per_row_with_why() {
        let dir = tempfile::tempdir().expect("a folder");
        let mut store = Store::open(&dir.path().join("s.sqlite3")).expect("a store");
        let plan = BatchPlan {
            profile: "hs".to_owned(),
            backend: Backend::HelpScout,
            file_name: "c.csv".to_owned(),
            queue_valid: false,
        };
        let rows = rows("firstName,emails.0.value\nAda,ada@example.com\nBad,nope\nAda,ada@example.com\n");
        let result = store_batch(&mut store, &plan, &rows).expect("stored");
        let mut text = Vec::new();
        write_report_csv(&store.batch_rows(&result.batch).expect("rows"), &mut text).expect("written");
        let text = String::from_utf8(text).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "row,result,record,server_id,outcome,message,name,email");
        assert!(lines[1].starts_with("1,not queued,") && lines[1].contains("valid, not queued"), "{}", lines[1]);
        assert!(lines[2].starts_with("2,invalid,") && lines[2].contains("has errors"), "{}", lines[2]);
        assert!(lines[3].contains("the same customer as row 1"), "{}", lines[3]);
    }

    #[test]
    fn durations_read_as_words() {
        use std::time::Duration;
        assert_eq!(duration_words(Duration::from_millis(12_400)), "12 s");
        assert_eq!(duration_words(Duration::from_secs(164)), "2 min 44 s");
        assert_eq!(duration_words(Duration::from_mins(63)), "1 h 3 min");
    }
}
