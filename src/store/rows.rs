//! Reading rows of the `records` table into [`Record`] and [`RecordSummary`].

use rusqlite::Row;
use rusqlite::types::Type;
use serde_json::Value;

use super::record::{FailureKind, Record, RecordId, RecordState, RecordSummary};
use crate::model::Backend;

/// The columns [`record_from_row`] reads, in its order.
pub const RECORD_COLUMNS: &str = "id, backend, profile, body, payload, state, created_at, updated_at, attempts, outcome, \
     message, failure, server_id, next_attempt_at, claimant, lease_until, attempt_id, attempt_started_at, source";

/// The columns [`summary_from_row`] reads, in its order.
pub const SUMMARY_COLUMNS: &str =
    "id, backend, profile, state, name, email, customer_ref, updated_at, attempts, server_id, message, failure";

/// A whole record.
pub fn record_from_row(row: &Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        id: RecordId::from(row.get::<_, String>(0)?),
        backend: backend_at(row, 1)?,
        profile: row.get(2)?,
        body: json_at(row, 3)?,
        payload: row.get::<_, Option<String>>(4)?.map(|text| parse_json(4, &text)).transpose()?,
        state: state_at(row, 5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
        attempts: row.get(8)?,
        outcome: row.get(9)?,
        message: row.get(10)?,
        failure: row.get::<_, Option<String>>(11)?.as_deref().and_then(FailureKind::parse),
        server_id: row.get(12)?,
        next_attempt_at: row.get(13)?,
        claimant: row.get(14)?,
        lease_until: row.get(15)?,
        attempt_id: row.get(16)?,
        attempt_started_at: row.get(17)?,
        source: row.get(18)?,
    })
}

/// A record's list entry.
pub fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<RecordSummary> {
    Ok(RecordSummary {
        id: RecordId::from(row.get::<_, String>(0)?),
        backend: backend_at(row, 1)?,
        profile: row.get(2)?,
        state: state_at(row, 3)?,
        name: row.get(4)?,
        email: row.get(5)?,
        customer_ref: row.get(6)?,
        updated_at: row.get(7)?,
        attempts: row.get(8)?,
        server_id: row.get(9)?,
        message: row.get(10)?,
        failure: row.get::<_, Option<String>>(11)?.as_deref().and_then(FailureKind::parse),
    })
}

pub(super) fn backend_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Backend> {
    match row.get::<_, String>(index)?.as_str() {
        "finosu" => Ok(Backend::Finosu),
        "helpscout" => Ok(Backend::HelpScout),
        other => Err(conversion(index, format!("unknown backend {other:?}"))),
    }
}

fn state_at(row: &Row<'_>, index: usize) -> rusqlite::Result<RecordState> {
    row.get::<_, String>(index)?.parse().map_err(|e: super::record::UnknownState| conversion(index, e.to_string()))
}

fn json_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Value> {
    parse_json(index, &row.get::<_, String>(index)?)
}

fn parse_json(index: usize, text: &str) -> rusqlite::Result<Value> {
    serde_json::from_str(text).map_err(|e| conversion(index, format!("stored body is not JSON: {e}")))
}

fn conversion(index: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, message.into())
}
