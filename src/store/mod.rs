//! The store: every customer record in one SQLite database (`intake.sqlite3` in the data
//! folder), shared by the window and any number of `intake` commands at once.
//!
//! Customer data only — never a secret. The folder is 0700 and the database files 0600. The
//! database runs in WAL mode with `synchronous = FULL`, so a committed change survives a crash
//! of the process and of the machine; every state change of the outbox (claiming a record,
//! settling an attempt) is one transaction, which is what makes "sent exactly once" hold across
//! crashes and between processes (see [`crate::outbox`]).

mod batches;
mod claims;
mod history;
pub mod migrations;
mod record;
mod rows;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension as _, params};
use serde_json::Value;

pub use batches::{BatchId, BatchRow, BatchRowState, BatchSummary, NewBatch, StateCounts};
pub use claims::{Claim, Ending, Settlement};
pub use history::{AttemptRow, AttemptStep};
pub use record::{
    BodyFacts, FailureKind, Millis, Record, RecordId, RecordState, RecordSummary, UnknownState, now_millis,
};
use rows::{RECORD_COLUMNS, SUMMARY_COLUMNS, record_from_row, summary_from_row};

use crate::model::Backend;
use crate::paths::IntakePaths;

/// The database's file name in the data folder.
pub const STORE_FILE: &str = "intake.sqlite3";

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What went wrong with the store, with what it was doing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data folder or the database file could not be made private.
    #[error("cannot prepare {path}: {source}")]
    Files {
        /// The folder or file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error("cannot open the store {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database was made by a newer Intake.
    #[error(
        "the store was written by a newer Intake (schema version {found}; this one knows {known}); it was left untouched"
    )]
    NewerSchema {
        /// Its version.
        found: u32,
        /// The newest this build knows.
        known: u32,
    },
    /// A query failed.
    #[error("the store failed: {0}")]
    Sql(#[from] rusqlite::Error),
    /// The thread doing the store's work stopped.
    #[error("the store's work stopped: {0}")]
    Stopped(String),
    /// No such record.
    #[error("there is no record {0}")]
    NotFound(RecordId),
    /// The record is queued, being sent or sent, and cannot change that way.
    #[error("record {id} is {state}, so it cannot be changed")]
    ReadOnly {
        /// The record.
        id: RecordId,
        /// Its state.
        state: RecordState,
    },
}

/// A change of the form, as autosave writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftEdit {
    /// The record (made on its first write).
    pub id: RecordId,
    /// Its API.
    pub backend: Backend,
    /// The profile it is typed for.
    pub profile: String,
    /// The body as typed.
    pub body: Value,
    /// Whether it has no errors (`ready`) or has some (`draft`).
    pub valid: bool,
}

/// What a [`DraftEdit`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// A new record was made.
    Created,
    /// The record changed.
    Updated,
    /// The record already held this.
    Unchanged,
    /// The record is queued, being sent or sent: the edit was not written.
    ReadOnly(RecordState),
}

/// A record to add whole (`intake outbox add`, `intake submit`, import).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    /// Its API.
    pub backend: Backend,
    /// Its profile.
    pub profile: String,
    /// The body as typed.
    pub body: Value,
    /// The normalised body to send; `Some` queues the record at once.
    pub payload: Option<Value>,
    /// Whether it has no errors.
    pub valid: bool,
    /// Where it came from.
    pub source: Option<String>,
}

/// Which records a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only this state.
    pub state: Option<RecordState>,
    /// Only this profile.
    pub profile: Option<String>,
}

/// The open store.
#[derive(Debug)]
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating and migrating as needed) the store in `paths`' data folder.
    pub fn open_in(paths: &IntakePaths) -> Result<Self, StoreError> {
        Self::open(&paths.data_dir.join(STORE_FILE))
    }

    /// Opens (creating and migrating as needed) the store at `path`. Its folder is made 0700
    /// and the file 0600 before SQLite touches it; SQLite gives its WAL and shared-memory files
    /// the database file's mode.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        prepare_private_files(path)?;
        let open_error = |source| StoreError::Open { path: path.to_owned(), source };
        let mut connection = Connection::open(path).map_err(open_error)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        // A newer Intake's database is refused before anything writes to it: switching it to
        // WAL rewrote its header, although the refusal says it was left untouched.
        let found: u32 = connection.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(open_error)?;
        if found > migrations::current_version() {
            return Err(StoreError::NewerSchema { found, known: migrations::current_version() });
        }
        enable_wal(&connection).map_err(open_error)?;
        connection.pragma_update(None, "synchronous", "FULL").map_err(open_error)?;
        connection.pragma_update(None, "foreign_keys", "ON").map_err(open_error)?;
        migrations::migrate(&mut connection)?;
        Ok(Self { connection, path: path.to_owned() })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A number that changes whenever another connection commits: polled to notice what other
    /// processes did.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self.connection.query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }

    /// Writes an edit of the form: makes the record, or changes its body, profile and state
    /// (`draft` or `ready`). A queued, sending or sent record is left as it is.
    pub fn save_draft(&mut self, edit: &DraftEdit) -> Result<SaveOutcome, StoreError> {
        let now = now_millis();
        let transaction = self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let existing: Option<(String, String, String)> = transaction
            .query_row("SELECT state, body, profile FROM records WHERE id = ?1", [edit.id.as_str()], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        let body = edit.body.to_string();
        let state = if edit.valid { RecordState::Ready } else { RecordState::Draft };
        let facts = BodyFacts::of(edit.backend, &edit.body);
        let outcome = match existing {
            None => {
                transaction.execute(
                    "INSERT INTO records (id, backend, profile, body, state, name, email, customer_ref, created_at, updated_at, source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 'window')",
                    params![
                        edit.id.as_str(),
                        backend_text(edit.backend),
                        edit.profile,
                        body,
                        state.as_str(),
                        facts.name,
                        facts.email,
                        facts.customer_ref,
                        now
                    ],
                )?;
                SaveOutcome::Created
            }
            Some((stored_state, stored_body, stored_profile)) => {
                let stored_state = stored_state.parse::<RecordState>().unwrap_or(RecordState::Draft);
                if !stored_state.is_editable() {
                    return Ok(SaveOutcome::ReadOnly(stored_state));
                }
                if stored_body == body && stored_profile == edit.profile {
                    return Ok(SaveOutcome::Unchanged);
                }
                // A failed record that is edited is a draft again; its last outcome stays.
                transaction.execute(
                    "UPDATE records SET body = ?2, profile = ?3, state = ?4, name = ?5, email = ?6, customer_ref = ?7,
                     updated_at = ?8, failure = NULL, deleted_at = NULL WHERE id = ?1",
                    params![
                        edit.id.as_str(),
                        body,
                        edit.profile,
                        state.as_str(),
                        facts.name,
                        facts.email,
                        facts.customer_ref,
                        now
                    ],
                )?;
                SaveOutcome::Updated
            }
        };
        transaction.commit()?;
        Ok(outcome)
    }

    /// Adds a whole record, queued at once when it carries a payload.
    pub fn insert(&mut self, new: &NewRecord) -> Result<RecordId, StoreError> {
        insert_record(&self.connection, new)
    }

    /// Adds many records in one transaction (a batch, a benchmark's 10,000): all or none.
    pub fn insert_many(&mut self, records: &[NewRecord]) -> Result<Vec<RecordId>, StoreError> {
        let transaction = self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let ids = records.iter().map(|new| insert_record(&transaction, new)).collect::<Result<_, _>>()?;
        transaction.commit()?;
        Ok(ids)
    }

    /// Queues an editable record to `profile` with the normalised `payload` (Submit, "Send all
    /// ready", "Send anyway" on a possibly-created record).
    pub fn queue(&mut self, id: &RecordId, profile: &str, payload: &Value) -> Result<(), StoreError> {
        let now = now_millis();
        self.change_one(
            id,
            "UPDATE records SET state = 'queued', profile = ?2, payload = ?3, body_hash = ?4, next_attempt_at = ?5,
             failure = NULL, updated_at = ?5, deleted_at = NULL
             WHERE id = ?1 AND state IN ('draft', 'ready', 'failed')",
            params![id.as_str(), profile, payload.to_string(), fingerprint(payload), now],
        )
    }

    /// Takes a queued record back out of the outbox, to edit it.
    pub fn unqueue(&mut self, id: &RecordId) -> Result<(), StoreError> {
        self.change_one(
            id,
            "UPDATE records SET state = 'ready', next_attempt_at = NULL, updated_at = ?2
             WHERE id = ?1 AND state = 'queued'",
            params![id.as_str(), now_millis()],
        )
    }

    /// Hides a record (its outbox entry too); [`Self::restore`] brings it back. A record being
    /// sent cannot be deleted.
    pub fn delete(&mut self, id: &RecordId) -> Result<(), StoreError> {
        self.change_one(
            id,
            "UPDATE records SET deleted_at = ?2 WHERE id = ?1 AND state <> 'sending' AND deleted_at IS NULL",
            params![id.as_str(), now_millis()],
        )
    }

    /// Undoes [`Self::delete`].
    pub fn restore(&mut self, id: &RecordId) -> Result<(), StoreError> {
        let changed =
            self.connection.execute("UPDATE records SET deleted_at = NULL WHERE id = ?1", params![id.as_str()])?;
        if changed == 0 {
            return Err(StoreError::NotFound(id.clone()));
        }
        Ok(())
    }

    /// Removes records deleted before `before` for good; returns how many.
    pub fn purge_deleted(&mut self, before: Millis) -> Result<usize, StoreError> {
        Ok(self.connection.execute("DELETE FROM records WHERE deleted_at IS NOT NULL AND deleted_at < ?1", [before])?)
    }

    /// A new draft with the same body and profile ("Duplicate as new draft": the only way to
    /// send a sent customer again).
    pub fn duplicate(&mut self, id: &RecordId) -> Result<RecordId, StoreError> {
        let original = self.get(id)?.ok_or_else(|| StoreError::NotFound(id.clone()))?;
        let valid = crate::validation::validate_draft(original.backend, &original.body)
            .iter()
            .all(|issue| issue.severity != crate::validation::Severity::Error);
        let source = Some(format!("duplicate of {id}"));
        self.insert(&NewRecord {
            backend: original.backend,
            profile: original.profile,
            body: original.body,
            payload: None,
            valid,
            source,
        })
    }

    /// One record, deleted or not.
    pub fn get(&self, id: &RecordId) -> Result<Option<Record>, StoreError> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1");
        Ok(self.connection.query_row(&sql, [id.as_str()], record_from_row).optional()?)
    }

    /// Every record that is not deleted, newest change first.
    pub fn summaries(&self, filter: &ListFilter) -> Result<Vec<RecordSummary>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM records WHERE deleted_at IS NULL AND (?1 IS NULL OR state = ?1)
             AND (?2 IS NULL OR profile = ?2) ORDER BY updated_at DESC, id DESC"
        );
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement
            .query_map(params![filter.state.map(RecordState::as_str), filter.profile.as_deref()], summary_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The records to list, whole (`intake drafts export`).
    pub fn records(&self, filter: &ListFilter) -> Result<Vec<Record>, StoreError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE deleted_at IS NULL AND (?1 IS NULL OR state = ?1)
             AND (?2 IS NULL OR profile = ?2) ORDER BY created_at, id"
        );
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement
            .query_map(params![filter.state.map(RecordState::as_str), filter.profile.as_deref()], record_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The record of `backend` changed last: after a restart, the form shows it when it can
    /// still be edited (what was being typed when the window closed or the process died).
    pub fn latest(&self, backend: Backend) -> Result<Option<Record>, StoreError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE backend = ?1 AND deleted_at IS NULL
             ORDER BY updated_at DESC, id DESC LIMIT 1"
        );
        Ok(self.connection.query_row(&sql, [backend_text(backend)], record_from_row).optional()?)
    }

    /// The record of `profile` whose sent body had this fingerprint, preferring one sent.
    pub fn find_by_fingerprint(&self, profile: &str, payload: &Value) -> Result<Option<Record>, StoreError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE profile = ?1 AND body_hash = ?2 AND deleted_at IS NULL
             ORDER BY state = 'sent' DESC, updated_at DESC LIMIT 1"
        );
        Ok(self.connection.query_row(&sql, params![profile, fingerprint(payload)], record_from_row).optional()?)
    }

    /// How many records are in `state` (for `profile`, when given).
    pub fn count(&self, state: RecordState, profile: Option<&str>) -> Result<usize, StoreError> {
        let count: i64 = self.connection.query_row(
            "SELECT count(*) FROM records WHERE state = ?1 AND deleted_at IS NULL AND (?2 IS NULL OR profile = ?2)",
            params![state.as_str(), profile],
            |row| row.get(0),
        )?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Why `id` could not be changed: it does not exist, or its state forbids it.
    /// Runs an `UPDATE` of record `id` whose `WHERE` allows only the states it may change in;
    /// when no row changed, says why (not found, or read-only in its state).
    fn change_one(&self, id: &RecordId, sql: &str, params: impl rusqlite::Params) -> Result<(), StoreError> {
        if self.connection.execute(sql, params)? == 0 {
            return Err(self.not_changeable(id));
        }
        Ok(())
    }

    fn not_changeable(&self, id: &RecordId) -> StoreError {
        match self.get(id) {
            Ok(Some(record)) => StoreError::ReadOnly { id: id.clone(), state: record.state },
            Ok(None) => StoreError::NotFound(id.clone()),
            Err(error) => error,
        }
    }
}

/// Inserts `new` on `connection` (a transaction or not).
fn insert_record(connection: &Connection, new: &NewRecord) -> Result<RecordId, StoreError> {
    let id = RecordId::new();
    let now = now_millis();
    let facts = BodyFacts::of(new.backend, &new.body);
    let state = match (&new.payload, new.valid) {
        (Some(_), _) => RecordState::Queued,
        (None, true) => RecordState::Ready,
        (None, false) => RecordState::Draft,
    };
    let payload = new.payload.as_ref().map(Value::to_string);
    let fingerprint = new.payload.as_ref().map(fingerprint);
    connection.execute(
        "INSERT INTO records (id, backend, profile, body, payload, state, name, email, customer_ref, created_at,
         updated_at, next_attempt_at, source, body_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13)",
        params![
            id.as_str(),
            backend_text(new.backend),
            new.profile,
            new.body.to_string(),
            payload,
            state.as_str(),
            facts.name,
            facts.email,
            facts.customer_ref,
            now,
            new.payload.as_ref().map(|_| now),
            new.source,
            fingerprint
        ],
    )?;
    Ok(id)
}

/// Switches the database to WAL mode.
///
/// Two connections switching a new database at the same moment deadlock on its locks, and
/// SQLite answers one of them "database is locked" at once instead of waiting the busy
/// timeout: so a busy answer is tried again, for as long as the busy timeout (the window and
/// an `intake` command started together on the first run would otherwise fail to open).
fn enable_wal(connection: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match connection.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(error, _))
                if error.code == rusqlite::ErrorCode::DatabaseBusy && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(fastrand::u64(1..20)));
            }
            done => return done,
        }
    }
}

/// The stored spelling of a backend.
fn backend_text(backend: Backend) -> &'static str {
    match backend {
        Backend::Finosu => "finosu",
        Backend::HelpScout => "helpscout",
    }
}

/// A short fingerprint of a body (FNV-1a, 64 bits, of its JSON text): enough to recognise a
/// file sent before, not a security measure.
pub fn fingerprint(body: &Value) -> String {
    let hash = body
        .to_string()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// Makes the folder of `path` (0700) and the file (0600) before SQLite opens it, and narrows
/// them if they exist with wider modes.
fn prepare_private_files(path: &Path) -> Result<(), StoreError> {
    let files_error = |path: &Path| {
        let path = path.to_owned();
        move |source| StoreError::Files { path, source }
    };
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    crate::private_files::create_private_dir(folder).map_err(files_error(folder))?;
    crate::private_files::touch_private_file(path).map_err(files_error(path))?;
    Ok(())
}
