//! The history of a record: the masked request/response record of every exchange each attempt
//! made (the create, a token grant, the lookups that settled an ambiguous ending).

use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;
use serde_json::{Value, json};

use super::record::{Millis, RecordId};
use super::{Store, StoreError};
use crate::backends::{Exchange, mask_customer_secrets, masked_body_text};

/// The most of a response body kept in the history; a viewer of a 10 MB answer is not what the
/// history is for.
const KEPT_RESPONSE_BYTES: usize = 64 * 1024;

/// Which part of an attempt an exchange belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AttemptStep {
    /// Sending the customer (and any token grant on the way).
    Send,
    /// Looking the customer up after an ambiguous ending.
    Reconcile,
}

impl AttemptStep {
    fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Reconcile => "reconcile",
        }
    }
}

/// One exchange of a record's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptRow {
    /// The attempt it belongs to.
    pub attempt_id: String,
    /// Send or reconcile.
    pub step: String,
    /// When the request started.
    pub started_at: Millis,
    /// The ending's machine name.
    pub outcome: String,
    /// Its sentence.
    pub message: String,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    /// The masked record: method, URL, headers, bodies, latency.
    pub exchange: Value,
}

impl Store {
    /// Appends `exchanges` to `record`'s history under `attempt_id`.
    pub fn record_exchanges(
        &mut self,
        record: &RecordId,
        attempt_id: &str,
        step: AttemptStep,
        exchanges: &[Exchange],
    ) -> Result<(), StoreError> {
        // Immediate: a read that later writes could otherwise find another process's newer
        // commit and fail at once instead of waiting its turn.
        let transaction = self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        record_exchanges_in(&transaction, record, attempt_id, step, exchanges)?;
        transaction.commit()?;
        Ok(())
    }

    /// `record`'s history, oldest first; exchanges that started in the same millisecond in the
    /// order they were recorded (not by step name, which put a lookup before its send).
    pub fn history(&self, record: &RecordId) -> Result<Vec<AttemptRow>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT attempt_id, step, started_at, outcome, message, status, exchange FROM attempts
             WHERE record_id = ?1 ORDER BY started_at, rowid",
        )?;
        let rows = statement.query_map([record.as_str()], |row| {
            let exchange: String = row.get(6)?;
            Ok(AttemptRow {
                attempt_id: row.get(0)?,
                step: row.get(1)?,
                started_at: row.get(2)?,
                outcome: row.get(3)?,
                message: row.get(4)?,
                status: row.get(5)?,
                exchange: serde_json::from_str(&exchange).unwrap_or(Value::Null),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn millis_of(time: std::time::SystemTime) -> Millis {
    chrono::DateTime::<chrono::Utc>::from(time).timestamp_millis()
}

/// The masked record of one exchange as JSON: credentials were masked when it was made; the
/// SSN last four is masked here as everywhere a body is shown or kept for display.
pub fn exchange_json(exchange: &Exchange) -> Value {
    let headers =
        |headers: &[crate::backends::Header]| -> Value { headers.iter().map(|h| json!([h.name, h.value])).collect() };
    let body_text = |text: &str| -> Value {
        match serde_json::from_str::<Value>(text) {
            Ok(mut value) => {
                mask_customer_secrets(&mut value);
                value
            }
            Err(_) => Value::String(text.to_owned()),
        }
    };
    let response = exchange.response.as_ref().map(|response| {
        // Masked whole, then cut: the part kept of a long answer is not JSON on its own, and
        // masking only that part left the SSN last four in the history as received.
        let text = String::from_utf8_lossy(&response.body);
        let masked = masked_body_text(&text);
        let body = if masked.len() <= KEPT_RESPONSE_BYTES {
            body_text(&masked)
        } else {
            Value::String(masked[..masked.floor_char_boundary(KEPT_RESPONSE_BYTES)].to_owned())
        };
        json!({
            "status": response.status,
            "reason": response.reason,
            "headers": headers(&response.headers),
            "body": body,
            "body_bytes": response.body_truncated_from.unwrap_or(response.body.len()),
        })
    });
    json!({
        "method": exchange.method,
        "url": exchange.url,
        "request_headers": headers(&exchange.request_headers),
        "request_body": exchange.request_body.as_deref().map(body_text),
        "response": response,
        "latency_ms": u64::try_from(exchange.latency.as_millis()).unwrap_or(u64::MAX),
        "outcome": exchange.outcome.kind(),
        "message": exchange.summary(),
    })
}

/// Appends `exchanges` to `record`'s history under `attempt_id`, inside `transaction`.
pub(super) fn record_exchanges_in(
    transaction: &rusqlite::Transaction<'_>,
    record: &RecordId,
    attempt_id: &str,
    step: AttemptStep,
    exchanges: &[Exchange],
) -> Result<(), StoreError> {
    let next: Option<i64> = transaction
        .query_row(
            "SELECT max(seq) FROM attempts WHERE record_id = ?1 AND attempt_id = ?2 AND step = ?3",
            params![record.as_str(), attempt_id, step.as_str()],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    let first = next.map_or(0, |n| n + 1);
    for (seq, exchange) in (first..).zip(exchanges) {
        transaction.execute(
            "INSERT INTO attempts (record_id, attempt_id, step, seq, started_at, outcome, message, status, exchange)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                record.as_str(),
                attempt_id,
                step.as_str(),
                seq,
                millis_of(exchange.started_at),
                exchange.outcome.kind(),
                exchange.summary(),
                exchange.response.as_ref().map(|r| r.status),
                exchange_json(exchange).to_string()
            ],
        )?;
    }
    Ok(())
}
