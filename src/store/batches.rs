//! Imported files as batches: each row of a file is a record that knows its batch and row
//! number, so a batch can be reported on, queued and followed while it sends. Also the column
//! mappings remembered per profile and header set.

use std::fmt;

use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;
use serde_json::Value;

use super::record::{FailureKind, Millis, RecordId, RecordState, now_millis};
use super::{NewRecord, Store, StoreError, backend_text, insert_record};
use crate::model::Backend;

/// A batch's id (random, like a record's).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct BatchId(String);

impl BatchId {
    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for BatchId {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file about to be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBatch {
    /// The profile its rows are for.
    pub profile: String,
    /// That profile's API.
    pub backend: Backend,
    /// The file's name, as the report shows it.
    pub file_name: String,
}

/// One row of a file, as the record it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRow {
    /// Its number in the file (1-based; a CSV's header is not a row).
    pub row: usize,
    /// The record.
    pub record: NewRecord,
    /// Why the import holds it back from queueing with the batch ("the same customer as row
    /// 4"), if it does.
    pub note: Option<String>,
}

/// A batch, with how far its rows have come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchSummary {
    /// Its id.
    pub id: BatchId,
    /// Its profile.
    pub profile: String,
    /// Its API.
    pub backend: Backend,
    /// The file it came from.
    pub file_name: String,
    /// When it was imported.
    pub created_at: Millis,
    /// Rows in the file.
    pub rows: usize,
    /// Its rows by state (deleted rows not counted).
    pub counts: StateCounts,
}

/// Records by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StateCounts {
    /// With errors, not queued.
    pub draft: usize,
    /// Valid, not queued.
    pub ready: usize,
    /// Waiting to be sent.
    pub queued: usize,
    /// Being sent now.
    pub sending: usize,
    /// Created.
    pub sent: usize,
    /// Refused or possibly created.
    pub failed: usize,
}

impl StateCounts {
    /// Rows still to send (queued or being sent).
    pub fn pending(&self) -> usize {
        self.queued + self.sending
    }

    /// Rows that ended: sent or failed.
    pub fn finished(&self) -> usize {
        self.sent + self.failed
    }

    /// Rows not queued at all: invalid ones and valid ones held back.
    pub fn not_queued(&self) -> usize {
        self.draft + self.ready
    }

    fn add(&mut self, state: RecordState, count: usize) {
        let slot = match state {
            RecordState::Draft => &mut self.draft,
            RecordState::Ready => &mut self.ready,
            RecordState::Queued => &mut self.queued,
            RecordState::Sending => &mut self.sending,
            RecordState::Sent => &mut self.sent,
            RecordState::Failed => &mut self.failed,
        };
        *slot += count;
    }
}

/// Where one row of a batch is, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchRowState {
    /// Its row in the file.
    pub row: usize,
    /// Its record.
    pub record: RecordId,
    /// The record's state.
    pub state: RecordState,
    /// The last ending's machine name.
    pub outcome: Option<String>,
    /// The last ending's sentence.
    pub message: Option<String>,
    /// The server's id once created.
    pub server_id: Option<String>,
    /// Why a failed row waits.
    pub failure: Option<FailureKind>,
    /// The customer's name, as the list shows it.
    pub name: String,
    /// The customer's first email.
    pub email: String,
    /// Why the import held it back, if it did.
    pub note: Option<String>,
}

impl Store {
    /// Adds a file's rows as records of a new batch, in one transaction: all or none.
    pub fn insert_batch(
        &mut self,
        batch: &NewBatch,
        rows: &[BatchRow],
    ) -> Result<(BatchId, Vec<RecordId>), StoreError> {
        let id = BatchId(RecordId::new().as_str().to_owned());
        let transaction = self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        transaction.execute(
            "INSERT INTO batches (id, profile, backend, file_name, created_at, rows) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id.as_str(),
                batch.profile,
                backend_text(batch.backend),
                batch.file_name,
                now_millis(),
                i64::try_from(rows.len()).unwrap_or(i64::MAX)
            ],
        )?;
        let mut ids = Vec::with_capacity(rows.len());
        {
            let mut place = transaction
                .prepare_cached("UPDATE records SET batch_id = ?2, batch_row = ?3, batch_note = ?4 WHERE id = ?1")?;
            for row in rows {
                let record = insert_record(&transaction, &row.record)?;
                let number = i64::try_from(row.row).unwrap_or(i64::MAX);
                place.execute(params![record.as_str(), id.as_str(), number, row.note])?;
                ids.push(record);
            }
        }
        transaction.commit()?;
        Ok((id, ids))
    }

    /// Every batch, newest first, with its counts.
    pub fn batches(&self) -> Result<Vec<BatchSummary>, StoreError> {
        let sql = format!("SELECT {BATCH_COLUMNS} FROM batches ORDER BY created_at DESC, id DESC");
        let batches: Vec<BatchSummary> =
            self.connection.prepare_cached(&sql)?.query_map([], batch_from_row)?.collect::<Result<_, _>>()?;
        batches.into_iter().map(|batch| self.with_counts(batch)).collect()
    }

    /// One batch, with its counts (read alone: the window follows a batch at every change).
    pub fn batch(&self, id: &BatchId) -> Result<Option<BatchSummary>, StoreError> {
        let sql = format!("SELECT {BATCH_COLUMNS} FROM batches WHERE id = ?1");
        let batch = self.connection.query_row(&sql, params![id.as_str()], batch_from_row).optional()?;
        batch.map(|batch| self.with_counts(batch)).transpose()
    }

    fn with_counts(&self, mut batch: BatchSummary) -> Result<BatchSummary, StoreError> {
        batch.counts = self.batch_counts(&batch.id)?;
        Ok(batch)
    }

    /// A batch's rows by state.
    pub fn batch_counts(&self, id: &BatchId) -> Result<StateCounts, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT state, count(*) FROM records WHERE batch_id = ?1 AND deleted_at IS NULL GROUP BY state",
        )?;
        let mut counts = StateCounts::default();
        let rows =
            statement.query_map(params![id.as_str()], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, count) = row?;
            if let Ok(state) = state.parse::<RecordState>() {
                counts.add(state, usize::try_from(count).unwrap_or(0));
            }
        }
        Ok(counts)
    }

    /// A batch's rows in file order (deleted rows left out).
    pub fn batch_rows(&self, id: &BatchId) -> Result<Vec<BatchRowState>, StoreError> {
        self.batch_rows_where(id, None, i64::MAX)
    }

    /// The first `limit` failed rows of a batch, in file order (what the window lists under the
    /// progress, to be opened and sent again).
    pub fn batch_failed(&self, id: &BatchId, limit: usize) -> Result<Vec<BatchRowState>, StoreError> {
        self.batch_rows_where(id, Some(RecordState::Failed), i64::try_from(limit).unwrap_or(i64::MAX))
    }

    fn batch_rows_where(
        &self,
        id: &BatchId,
        state: Option<RecordState>,
        limit: i64,
    ) -> Result<Vec<BatchRowState>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT batch_row, id, state, outcome, message, server_id, failure, name, email, batch_note FROM records
             WHERE batch_id = ?1 AND deleted_at IS NULL AND (?2 IS NULL OR state = ?2) ORDER BY batch_row, id LIMIT ?3",
        )?;
        let rows = statement.query_map(params![id.as_str(), state.map(RecordState::as_str), limit], |row| {
            let state: String = row.get(2)?;
            Ok(BatchRowState {
                row: usize::try_from(row.get::<_, i64>(0)?).unwrap_or(0),
                record: RecordId::from(row.get::<_, String>(1)?),
                state: state.parse().unwrap_or(RecordState::Draft),
                outcome: row.get(3)?,
                message: row.get(4)?,
                server_id: row.get(5)?,
                failure: row.get::<_, Option<String>>(6)?.as_deref().and_then(FailureKind::parse),
                name: row.get(7)?,
                email: row.get(8)?,
                note: row.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The valid rows of a batch not queued yet, with their bodies (to normalise and queue);
    /// rows the import held back (repeats) are left out: those the person queues one by one.
    pub fn batch_ready(&self, id: &BatchId) -> Result<Vec<(RecordId, Value)>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, body FROM records WHERE batch_id = ?1 AND state = 'ready' AND deleted_at IS NULL
             AND batch_note IS NULL ORDER BY batch_row, id",
        )?;
        let rows = statement.query_map(params![id.as_str()], |row| {
            let body: String = row.get(1)?;
            Ok((RecordId::from(row.get::<_, String>(0)?), serde_json::from_str(&body).unwrap_or(Value::Null)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Queues many editable records to `profile` in one transaction (a batch's valid rows):
    /// all or none. Returns how many were queued.
    pub fn queue_many(&mut self, profile: &str, records: &[(RecordId, Value)]) -> Result<usize, StoreError> {
        let transaction = self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now = now_millis();
        {
            let mut queue = transaction.prepare_cached(
                "UPDATE records SET state = 'queued', profile = ?2, payload = ?3, body_hash = ?4, updated_at = ?5,
                 next_attempt_at = ?5, outcome = NULL, message = NULL, failure = NULL
                 WHERE id = ?1 AND state IN ('draft', 'ready') AND deleted_at IS NULL",
            )?;
            for (id, payload) in records {
                let changed = queue.execute(params![
                    id.as_str(),
                    profile,
                    payload.to_string(),
                    super::fingerprint(payload),
                    now
                ])?;
                if changed == 0 {
                    return Err(StoreError::NotFound(id.clone()));
                }
            }
        }
        transaction.commit()?;
        Ok(records.len())
    }

    /// Takes a batch's queued rows back out of the outbox (they become `ready` again); rows
    /// being sent now finish. Returns how many were taken back.
    pub fn unqueue_batch(&mut self, id: &BatchId) -> Result<usize, StoreError> {
        let changed = self.connection.execute(
            "UPDATE records SET state = 'ready', next_attempt_at = NULL, updated_at = ?2
             WHERE batch_id = ?1 AND state = 'queued' AND deleted_at IS NULL",
            params![id.as_str(), now_millis()],
        )?;
        Ok(changed)
    }

    /// Remembers the column mapping of `profile` for files with this header set.
    pub fn save_mapping(&mut self, profile: &str, header_key: &str, mapping: &str) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT INTO import_mappings (profile, header_key, mapping, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (profile, header_key) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
            params![profile, header_key, mapping, now_millis()],
        )?;
        Ok(())
    }

    /// The mapping remembered for `profile` and this header set, if any.
    pub fn saved_mapping(&self, profile: &str, header_key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row(
                "SELECT mapping FROM import_mappings WHERE profile = ?1 AND header_key = ?2",
                params![profile, header_key],
                |row| row.get(0),
            )
            .optional()?)
    }
}

/// The columns [`batch_from_row`] reads, in its order.
const BATCH_COLUMNS: &str = "id, profile, backend, file_name, created_at, rows";

/// A batch's row, its counts not read yet.
fn batch_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<BatchSummary> {
    Ok(BatchSummary {
        id: BatchId(row.get(0)?),
        profile: row.get(1)?,
        backend: super::rows::backend_at(row, 2)?,
        file_name: row.get(3)?,
        created_at: row.get(4)?,
        rows: usize::try_from(row.get::<_, i64>(5)?).unwrap_or(0),
        counts: StateCounts::default(),
    })
}
