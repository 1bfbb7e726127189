//! `intake drafts export`: the stored customers as CSV or JSON, customer data only.

use std::io::Write;

use serde::Serialize;
use serde_json::Value;

use super::validate::EXIT_VALID;
use super::{DraftsCommand, ExportFormat, open_store, usage_error};
use crate::store::{ListFilter, Record};

/// Runs `intake drafts …`; returns the exit code.
pub fn run_drafts(command: &DraftsCommand, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let DraftsCommand::Export { format, state, profile, file } = command;
    let store = match open_store() {
        Ok(store) => store,
        Err(message) => return usage_error(err, &message),
    };
    let records = match store.records(&ListFilter { state: *state, profile: profile.clone() }) {
        Ok(records) => records,
        Err(error) => return usage_error(err, &error.to_string()),
    };
    let rows: Vec<ExportRow> = records.iter().map(ExportRow::of).collect();
    let bytes = match format {
        ExportFormat::Json => serde_json::to_vec_pretty(&rows).map_err(std::io::Error::other)?,
        ExportFormat::Csv => csv_bytes(&rows).map_err(std::io::Error::other)?,
    };
    if let Err(error) = crate::atomic_write::write_atomically(file, &bytes) {
        return usage_error(err, &format!("cannot write {}: {error}", file.display()));
    }
    writeln!(out, "Exported {} records to {}.", rows.len(), file.display())?;
    Ok(EXIT_VALID)
}

/// One exported record: what identifies it, where it stands, and the body as typed. The
/// history's request records stay in the store (they are for looking at, not for moving).
#[derive(Debug, Serialize)]
struct ExportRow {
    record: String,
    state: String,
    profile: String,
    backend: String,
    name: String,
    email: String,
    customer_ref: String,
    server_id: String,
    created_at: String,
    updated_at: String,
    message: String,
    body: Value,
}

impl ExportRow {
    fn of(record: &Record) -> Self {
        let facts = record.summary();
        let time =
            |millis| chrono::DateTime::from_timestamp_millis(millis).map(|at| at.to_rfc3339()).unwrap_or_default();
        Self {
            record: record.id.to_string(),
            state: record.state.to_string(),
            profile: record.profile.clone(),
            backend: record.backend.display_name().to_owned(),
            name: facts.name,
            email: facts.email,
            customer_ref: facts.customer_ref,
            server_id: record.server_id.clone().unwrap_or_default(),
            created_at: time(record.created_at),
            updated_at: time(record.updated_at),
            message: record.message.clone().unwrap_or_default(),
            body: record.body.clone(),
        }
    }
}

/// The rows as CSV with a header; the body is one column of JSON text.
fn csv_bytes(rows: &[ExportRow]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "record",
        "state",
        "profile",
        "backend",
        "name",
        "email",
        "customer_ref",
        "server_id",
        "created_at",
        "updated_at",
        "message",
        "body",
    ])?;
    for row in rows {
        let body = row.body.to_string();
        writer.write_record([
            &row.record,
            &row.state,
            &row.profile,
            &row.backend,
            &row.name,
            &row.email,
            &row.customer_ref,
            &row.server_id,
            &row.created_at,
            &row.updated_at,
            &row.message,
            &body,
        ])?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
