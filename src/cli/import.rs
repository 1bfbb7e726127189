//! `intake import`: a CSV or JSON file of customers into the store as one batch, its valid rows
//! queued with `--queue`; and `intake batch list | report | queue`.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::validate::{EXIT_INVALID, EXIT_VALID, write_json_line};
use super::{BatchCommand, ImportArgs, load_profile_store, open_store, usage_error};
use crate::batch::{
    BatchPlan, ImportResult, LoadError, LoadedFile, issue_line, load_file, queue_batch, row_result, store_batch,
    write_report_csv,
};
use crate::import::{
    ColumnTarget, ImportTable, ImportedRow, Mapping, RowIssue, SkippedRow, build_rows_for_account, header_key,
    needs_review,
};
use crate::profiles::{Profile, ProfileError};
use crate::store::{BatchId, RecordState, Store};

/// One line of `intake import --json` for a row with issues or a repeat.
#[derive(Debug, Serialize)]
struct RowLine<'a> {
    row: usize,
    line: usize,
    /// `invalid`, `duplicate` or `warnings`.
    outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_of: Option<usize>,
    issues: Vec<IssueLine<'a>>,
}

#[derive(Debug, Serialize)]
struct IssueLine<'a> {
    path: &'a str,
    column: Option<&'a str>,
    severity: crate::validation::Severity,
    message: &'a str,
}

/// The last line of `intake import --json`.
#[derive(Debug, Serialize)]
struct SummaryLine<'a> {
    file: &'a str,
    profile: &'a str,
    /// Rows left out because they could not be read (`--skip-bad-rows`).
    unreadable: usize,
    #[serde(flatten)]
    result: &'a ImportResult,
}

/// Runs `intake import`; returns the exit code.
pub fn run_import(args: &ImportArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let profiles = match load_profile_store() {
        Ok(profiles) => profiles,
        Err(message) => return usage_error(err, &message),
    };
    let Some(profile) = profiles.find(&args.profile).cloned() else {
        return usage_error(err, &ProfileError::NotFound(args.profile.clone()).to_string());
    };
    let file = args.file.display().to_string();
    let mut store = match open_store() {
        Ok(store) => store,
        Err(message) => return usage_error(err, &message),
    };
    let remembered = |key: &str| store.saved_mapping(&profile.name, key).ok().flatten();
    let loaded = match load_file(&args.file, profile.backend(), args.skip_bad_rows, remembered) {
        Ok(loaded) => loaded,
        Err(LoadError { message, readable_rows }) => {
            let offer = match readable_rows {
                Some(rows) => format!(
                    " The other {rows} {} can be read: --skip-bad-rows imports those and lists the rest.",
                    if rows == 1 { "row" } else { "rows" }
                ),
                None => String::new(),
            };
            return usage_error(err, &format!("{file}: {message}{offer} Nothing was imported."));
        }
    };
    let mapping = match choose_mapping(args, &profile, &loaded, &mut store, err)? {
        Ok(mapping) => mapping,
        Err(code) => return Ok(code),
    };
    let table = &loaded.table;
    if args.print_mapping {
        writeln!(out, "{}", mapping.to_file_text())?;
        return Ok(EXIT_VALID);
    }
    let rows = build_rows_for_account(profile.backend(), table, &mapping, profile.known_property_definitions());
    report_skipped(&loaded.skipped, args.json, out)?;
    report_rows(&rows, args.json, out)?;
    let plan = BatchPlan {
        profile: profile.name.clone(),
        backend: profile.backend(),
        file_name: loaded.file_name.clone(),
        queue_valid: args.queue,
    };
    let result = match store_batch(&mut store, &plan, &rows) {
        Ok(result) => result,
        Err(error) => return usage_error(err, &format!("{file}: nothing was imported: {error}")),
    };
    let unreadable = loaded.skipped.len();
    if args.json {
        write_json_line(out, &SummaryLine { file: &file, profile: &profile.name, unreadable, result: &result })?;
    } else {
        let sentence = summary_sentence(&file, &profile.name, &result, args.queue);
        let left_out = match unreadable {
            0 => String::new(),
            1 => " 1 unreadable row was left out.".to_owned(),
            n => format!(" {n} unreadable rows were left out."),
        };
        writeln!(out, "{sentence}{left_out}")?;
    }
    let clean = result.invalid == 0 && result.duplicates == 0 && unreadable == 0;
    Ok(if clean { EXIT_VALID } else { EXIT_INVALID })
}

/// The mapping to use: `--mapping` (then remembered), else the one remembered for this profile
/// and header set, else the suggestions — which need `--accept-suggestions` (or
/// `--print-mapping`) when any column was only guessed. `Err` carries the exit code after the
/// message was written.
fn choose_mapping(
    args: &ImportArgs,
    profile: &Profile,
    loaded: &LoadedFile,
    store: &mut Store,
    err: &mut dyn Write,
) -> std::io::Result<Result<Mapping, u8>> {
    let ImportTable::Csv(csv) = &loaded.table else { return Ok(Ok(Mapping::default())) };
    if let Some(path) = &args.mapping {
        let fitted = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the mapping {}: {e}", path.display()))
            .and_then(|text| {
                Mapping::from_file_text(profile.backend(), &text).map_err(|e| format!("{}: {e}", path.display()))
            })
            .and_then(|mapping| mapping.apply_to(&csv.headers).map_err(|e| format!("{}: {e}", path.display())));
        return match fitted {
            Ok(mapping) => {
                let key = header_key(&csv.headers);
                if !args.print_mapping
                    && let Err(error) = store.save_mapping(&profile.name, &key, &mapping.to_file_text())
                {
                    writeln!(err, "intake: the mapping could not be remembered: {error}")?;
                }
                Ok(Ok(mapping))
            }
            Err(message) => Ok(Err(usage_error(err, &message)?)),
        };
    }
    let mapping = loaded.mapping.clone();
    if loaded.remembered {
        if !args.print_mapping && !args.json {
            writeln!(err, "intake: using the mapping remembered for these columns and profile {:?}", profile.name)?;
        }
        return Ok(Ok(mapping));
    }
    if args.print_mapping || args.accept_suggestions || !needs_review(&mapping) {
        return Ok(Ok(mapping));
    }
    writeln!(err, "intake: some columns of {} need a decision before importing:", args.file.display())?;
    for column in &mapping.columns {
        match (&column.target, column.suggested) {
            (ColumnTarget::Field(path), true) => writeln!(err, "  {:?} looks like {path} (a guess)", column.header)?,
            (ColumnTarget::Ignore, _) => {
                writeln!(err, "  {:?} matches no field: it would be left out", column.header)?;
            }
            _ => {}
        }
    }
    writeln!(
        err,
        "Write the suggestions to a file with --print-mapping, change what is wrong, and import with --mapping FILE \
         (or take the suggestions as they are with --accept-suggestions)."
    )?;
    Ok(Err(super::validate::EXIT_USAGE_OR_IO))
}

/// One line of `intake import --json` for a row left out as unreadable.
#[derive(Debug, Serialize)]
struct UnreadableLine<'a> {
    line: usize,
    outcome: &'a str,
    message: String,
}

/// Writes each row left out as unreadable, with why.
fn report_skipped(skipped: &[SkippedRow], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    for row in skipped {
        if json {
            write_json_line(
                out,
                &UnreadableLine { line: row.line, outcome: "unreadable", message: row.reason.to_string() },
            )?;
        } else {
            writeln!(out, "line {}: left out: {}", row.line, row.reason)?;
        }
    }
    Ok(())
}

/// Writes what is wrong with each row: its issues, or the earlier row it repeats.
fn report_rows(rows: &[ImportedRow], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    for row in rows {
        if row.issues.is_empty() && row.duplicate_of.is_none() {
            continue;
        }
        if json {
            let outcome = if row.has_errors() {
                "invalid"
            } else if row.duplicate_of.is_some() {
                "duplicate"
            } else {
                "warnings"
            };
            let issues = row.issues.iter().map(issue_json).collect();
            let line = RowLine { row: row.number, line: row.line, outcome, duplicate_of: row.duplicate_of, issues };
            write_json_line(out, &line)?;
            continue;
        }
        for issue in &row.issues {
            writeln!(out, "{}", issue_line(row, issue))?;
        }
        if let Some(earlier) = row.duplicate_of {
            writeln!(out, "row {}: the same customer as row {earlier}: not queued", row.number)?;
        }
    }
    Ok(())
}

fn issue_json(issue: &RowIssue) -> IssueLine<'_> {
    IssueLine {
        path: &issue.issue.path,
        column: issue.column.as_deref(),
        severity: issue.issue.severity,
        message: &issue.issue.message,
    }
}

/// `customers.csv: 300 rows imported for profile "hs" as batch B: 297 queued, 2 with errors
/// kept as drafts, 1 repeat of an earlier row not queued.`
fn summary_sentence(file: &str, profile: &str, result: &ImportResult, queue: bool) -> String {
    let mut parts = Vec::new();
    let valid_new = result.valid.saturating_sub(result.duplicates);
    if queue {
        parts.push(format!("{} queued", result.queued));
    } else {
        parts.push(format!("{valid_new} valid, waiting to be queued (intake batch queue {})", result.batch));
    }
    if result.invalid > 0 {
        parts.push(format!("{} with errors kept as drafts to fix in the window", result.invalid));
    }
    if result.duplicates > 0 {
        parts.push(format!("{} repeating an earlier row, not queued", result.duplicates));
    }
    format!(
        "{file}: {} rows imported for profile {profile:?} as batch {}: {}.",
        result.rows,
        result.batch,
        parts.join(", ")
    )
}

/// Runs `intake batch …`; returns the exit code.
pub fn run_batch(command: &BatchCommand, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let mut store = match open_store() {
        Ok(store) => store,
        Err(message) => return usage_error(err, &message),
    };
    match command {
        BatchCommand::List { json } => {
            let batches = match store.batches() {
                Ok(batches) => batches,
                Err(error) => return usage_error(err, &error.to_string()),
            };
            for batch in &batches {
                if *json {
                    write_json_line(out, batch)?;
                } else {
                    let c = batch.counts;
                    writeln!(
                        out,
                        "{}  {}  {}  {} rows: {} sent, {} failed, {} pending, {} not queued",
                        batch.id,
                        batch.profile,
                        batch.file_name,
                        batch.rows,
                        c.sent,
                        c.failed,
                        c.pending(),
                        c.not_queued()
                    )?;
                }
            }
            Ok(EXIT_VALID)
        }
        BatchCommand::Queue { batch } => {
            let id = BatchId::from(batch.clone());
            match store.batch(&id) {
                Ok(Some(_)) => {}
                Ok(None) => return usage_error(err, &format!("there is no batch {batch}")),
                Err(error) => return usage_error(err, &error.to_string()),
            }
            match queue_batch(&mut store, &id) {
                Ok(count) => {
                    writeln!(out, "{count} rows of batch {batch} queued; send them with intake outbox send.")?;
                    Ok(EXIT_VALID)
                }
                Err(error) => usage_error(err, &error.to_string()),
            }
        }
        BatchCommand::Report { batch, csv } => report(&store, batch, csv.as_deref(), out, err),
    }
}

/// `intake batch report`: the counts, then each row that did not end sent, with why; or the
/// whole report as CSV.
fn report(
    store: &Store,
    batch: &str,
    csv: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let id = BatchId::from(batch.to_owned());
    let (summary, rows) = match store.batch(&id).and_then(|s| Ok((s, store.batch_rows(&id)?))) {
        Ok((Some(summary), rows)) => (summary, rows),
        Ok((None, _)) => return usage_error(err, &format!("there is no batch {batch}")),
        Err(error) => return usage_error(err, &error.to_string()),
    };
    if let Some(path) = csv {
        let written = if path == Path::new("-") {
            write_report_csv(&rows, &mut *out).map_err(|e| e.to_string())
        } else {
            let mut text = Vec::new();
            write_report_csv(&rows, &mut text)
                .map_err(|e| e.to_string())
                .and_then(|()| crate::atomic_write::write_atomically(path, &text).map_err(|e| e.to_string()))
        };
        return match written {
            Ok(()) => Ok(EXIT_VALID),
            Err(message) => usage_error(err, &format!("{}: {message}", path.display())),
        };
    }
    let c = summary.counts;
    writeln!(
        out,
        "batch {} — {} for {}: {} rows: {} sent, {} failed, {} pending, {} not queued ({} with errors)",
        summary.id,
        summary.file_name,
        summary.profile,
        summary.rows,
        c.sent,
        c.failed,
        c.pending(),
        c.not_queued(),
        c.draft
    )?;
    for row in rows.iter().filter(|row| row.state != RecordState::Sent) {
        let why = match (row.state, &row.note) {
            (RecordState::Draft, _) => "has errors: fix it in the window, then queue it",
            (RecordState::Ready, Some(note)) => note.as_str(),
            (RecordState::Ready, None) => "valid, not queued",
            _ => row.message.as_deref().unwrap_or_default(),
        };
        writeln!(out, "row {} ({}): {} {why}", row.row, row.record, row_result(row))?;
    }
    Ok(if c.failed == 0 && c.not_queued() == 0 && c.pending() == 0 { EXIT_VALID } else { EXIT_INVALID })
}
