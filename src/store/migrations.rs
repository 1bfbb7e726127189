//! The store's schema, as an ordered list of migrations.
//!
//! `PRAGMA user_version` says how many have run; opening a store runs the rest, each in its own transaction, so a database from any
//! earlier version (or none) ends up current, and one from a newer Intake is refused untouched.

use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use super::StoreError;

/// Each migration's SQL; the database's `user_version` is the number applied.
pub const MIGRATIONS: &[&str] = &[
    // 1: records and the history of their attempts.
    "
    CREATE TABLE records (
        id TEXT PRIMARY KEY,
        backend TEXT NOT NULL CHECK (backend IN ('finosu', 'helpscout')),
        profile TEXT NOT NULL,
        body TEXT NOT NULL,
        payload TEXT,
        state TEXT NOT NULL CHECK (state IN ('draft', 'ready', 'queued', 'sending', 'sent', 'failed')),
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        customer_ref TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        outcome TEXT,
        message TEXT,
        failure TEXT CHECK (failure IN ('permanent', 'ambiguous')),
        server_id TEXT,
        next_attempt_at INTEGER,
        claimant TEXT,
        lease_until INTEGER,
        attempt_id TEXT,
        attempt_started_at INTEGER,
        source TEXT
    );
    CREATE INDEX records_by_state ON records (state, next_attempt_at);
    CREATE INDEX records_by_update ON records (updated_at);
    CREATE TABLE attempts (
        record_id TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        attempt_id TEXT NOT NULL,
        step TEXT NOT NULL CHECK (step IN ('send', 'reconcile')),
        seq INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        message TEXT NOT NULL,
        status INTEGER,
        exchange TEXT NOT NULL,
        PRIMARY KEY (record_id, attempt_id, step, seq)
    );
    ",
    // 2: deleting with undo (a deleted record is hidden, then purged), and the fingerprint of
    // the body sent, so `intake submit` knows a file it already sent; the last record of a
    // backend found at once (what the form shows after a restart).
    "
    ALTER TABLE records ADD COLUMN deleted_at INTEGER;
    ALTER TABLE records ADD COLUMN body_hash TEXT;
    CREATE INDEX records_by_hash ON records (profile, body_hash);
    CREATE INDEX records_by_backend ON records (backend, updated_at, id);
    ",
    // 3: imports. A batch is one imported file; each of its rows is a record that knows its
    // batch and row number (the report, the batch's progress), and why the import held it back
    // (a repeat of an earlier row). Column mappings are remembered per profile and header set.
    "
    CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        profile TEXT NOT NULL,
        backend TEXT NOT NULL CHECK (backend IN ('finosu', 'helpscout')),
        file_name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        rows INTEGER NOT NULL
    );
    ALTER TABLE records ADD COLUMN batch_id TEXT REFERENCES batches (id);
    ALTER TABLE records ADD COLUMN batch_row INTEGER;
    ALTER TABLE records ADD COLUMN batch_note TEXT;
    CREATE INDEX records_by_batch ON records (batch_id, batch_row);
    CREATE TABLE import_mappings (
        profile TEXT NOT NULL,
        header_key TEXT NOT NULL,
        mapping TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (profile, header_key)
    );
    ",
];

/// The schema version this Intake writes.
pub fn current_version() -> u32 {
    u32::try_from(MIGRATIONS.len()).unwrap_or(u32::MAX)
}

/// Brings `connection` to the current version; refuses a database from a newer Intake.
pub fn migrate(connection: &mut Connection) -> Result<u32, StoreError> {
    migrate_to(connection, current_version())
}

/// Runs the migrations up to `target` (tests build older databases with it).
pub fn migrate_to(connection: &mut Connection, target: u32) -> Result<u32, StoreError> {
    loop {
        // The version is read inside an immediate transaction, under the write lock: two
        // processes opening a new store at once (the window and an `intake` command) otherwise
        // both read 0 and the second failed its first migration ("table records already
        // exists"). Nothing is written when there is nothing to do: the transaction rolls back.
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: u32 = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if found > current_version() {
            return Err(StoreError::NewerSchema { found, known: current_version() });
        }
        let Some(sql) = MIGRATIONS.get(found as usize).filter(|_| found < target) else { return Ok(found) };
        transaction.execute_batch(sql)?;
        after_migration(found + 1, &transaction)?;
        transaction.pragma_update(None, "user_version", found + 1)?;
        transaction.commit()?;
    }
}

/// What a migration does beyond its SQL, in its transaction.
fn after_migration(version: u32, transaction: &Transaction<'_>) -> Result<(), StoreError> {
    if version == 2 {
        // Records queued or sent before version 2 get the fingerprint of their payload: without
        // it `intake submit` does not recognise a file it sent before, and sends it again.
        let rows: Vec<(String, String)> = transaction
            .prepare("SELECT id, payload FROM records WHERE payload IS NOT NULL AND body_hash IS NULL")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (id, payload) in rows {
            if let Ok(payload) = serde_json::from_str::<serde_json::Value>(&payload) {
                transaction.execute(
                    "UPDATE records SET body_hash = ?2 WHERE id = ?1",
                    params![id, super::fingerprint(&payload)],
                )?;
            }
        }
    }
    Ok(())
}
