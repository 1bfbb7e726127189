//! The outbox's side of the store: claiming a queued record for one attempt, taking over an
//! attempt whose claimant is gone, and settling an attempt — each one transaction, so two
//! processes never hold the same record and a crash leaves a record either queued or visibly
//! `sending` under a known attempt.

use rusqlite::{TransactionBehavior, params};

use super::record::{FailureKind, Millis, Record, RecordId, now_millis};
use super::rows::{RECORD_COLUMNS, record_from_row};
use super::{Store, StoreError};

/// A record this process holds for one attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// The record as claimed (its `payload` is what to send).
    pub record: Record,
    /// The attempt: the record's history and every later update name it.
    pub attempt_id: String,
    /// Who holds it.
    pub claimant: String,
}

/// How an attempt ended, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Created on the server (by this attempt's own answer, or found by the lookup).
    Sent {
        /// The server's id.
        server_id: Option<String>,
        /// The ending's machine name.
        outcome: String,
        /// Its sentence.
        message: String,
    },
    /// Nothing was created and sending again may work: back to the queue, not before `at`.
    Retry {
        /// When it may be tried again.
        at: Millis,
        /// The ending's machine name.
        outcome: String,
        /// Its sentence.
        message: String,
    },
    /// Waits for the person.
    Failed {
        /// Refused, or possibly created.
        kind: FailureKind,
        /// The ending's machine name.
        outcome: String,
        /// What happened and what to do.
        message: String,
    },
}

impl Store {
    /// Claims the queued record due first (of `profile`, when given) for `claimant`, until
    /// `lease_until`. One immediate transaction: no other process can claim it too.
    pub fn claim_next(
        &mut self,
        claimant: &str,
        profile: Option<&str>,
        lease_until: Millis,
    ) -> Result<Option<Claim>, StoreError> {
        Ok(self.claim_next_many(claimant, profile, 1, lease_until)?.pop())
    }

    /// Claims up to `count` queued records due first (of `profile`, when given) in one
    /// transaction: a sender that sends several at once claims them with one disk sync.
    pub fn claim_next_many(
        &mut self,
        claimant: &str,
        profile: Option<&str>,
        count: usize,
        lease_until: Millis,
    ) -> Result<Vec<Claim>, StoreError> {
        let now = now_millis();
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ids: Vec<String> = transaction
            .prepare_cached(
                "SELECT id FROM records WHERE state = 'queued' AND deleted_at IS NULL
                 AND coalesce(next_attempt_at, 0) <= ?1 AND (?2 IS NULL OR profile = ?2)
                 ORDER BY coalesce(next_attempt_at, 0), created_at, id LIMIT ?3",
            )?
            .query_map(params![now, profile, i64::try_from(count).unwrap_or(i64::MAX)], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut claims = Vec::with_capacity(ids.len());
        for id in ids {
            claims.extend(claim_in(&transaction, &RecordId::from(id), claimant, now, lease_until)?);
        }
        transaction.commit()?;
        Ok(claims)
    }

    /// Claims this queued record (`intake submit` sends the record it just made).
    pub fn claim(&mut self, id: &RecordId, claimant: &str, lease_until: Millis) -> Result<Option<Claim>, StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let claim = claim_in(&transaction, id, claimant, now_millis(), lease_until)?;
        transaction.commit()?;
        Ok(claim)
    }

    /// Records in `sending`: attempts under way here or elsewhere, or left by a crash.
    pub fn sending(&self) -> Result<Vec<Record>, StoreError> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE state = 'sending' ORDER BY attempt_started_at");
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement.query_map([], record_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Takes over `record`'s ambiguous attempt from a claimant that is gone: only if the record
    /// is still `sending` under the same claimant and attempt (another process may have been
    /// quicker). The attempt id and start stay: the lookup is about that attempt.
    pub fn take_over(
        &mut self,
        record: &Record,
        claimant: &str,
        lease_until: Millis,
    ) -> Result<Option<Claim>, StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = transaction.execute(
            "UPDATE records SET claimant = ?2, lease_until = ?3 WHERE id = ?1 AND state = 'sending'
             AND claimant IS ?4 AND attempt_id IS ?5",
            params![record.id.as_str(), claimant, lease_until, record.claimant, record.attempt_id],
        )?;
        if changed == 0 {
            return Ok(None);
        }
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1");
        let record = transaction.query_row(&sql, [record.id.as_str()], record_from_row)?;
        transaction.commit()?;
        let attempt_id = record.attempt_id.clone().unwrap_or_default();
        Ok(Some(Claim { record, attempt_id, claimant: claimant.to_owned() }))
    }

    /// Extends a claim while its attempt runs; false when the claim was lost.
    pub fn renew(&mut self, claim: &Claim, lease_until: Millis) -> Result<bool, StoreError> {
        let changed = self.connection.execute(
            "UPDATE records SET lease_until = ?4 WHERE id = ?1 AND state = 'sending' AND claimant = ?2
             AND attempt_id = ?3",
            params![claim.record.id.as_str(), claim.claimant, claim.attempt_id, lease_until],
        )?;
        Ok(changed == 1)
    }

    /// Settles a claimed attempt; false (and nothing written) when the claim is no longer this
    /// one's (taken over after its lease ran out).
    pub fn settle(&mut self, claim: &Claim, settlement: &Settlement) -> Result<bool, StoreError> {
        settle_in(&self.connection, claim, settlement)
    }

    /// Settles many attempts, each with the exchanges to add to its history, in one transaction
    /// (the outbox gathers the endings that arrive while a commit is under way: one disk sync
    /// for all of them). Per attempt: false when its claim is no longer its own, and then only
    /// its history is written.
    pub fn settle_many(&mut self, endings: &[Ending]) -> Result<Vec<bool>, StoreError> {
        let transaction = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut kept = Vec::with_capacity(endings.len());
        for ending in endings {
            let settled = settle_in(&transaction, &ending.claim, &ending.settlement)?;
            // The history is the attempt's whether or not its claim still held.
            if let Some((step, exchanges)) = &ending.history {
                super::history::record_exchanges_in(
                    &transaction,
                    &ending.claim.record.id,
                    &ending.claim.attempt_id,
                    *step,
                    exchanges,
                )?;
            }
            kept.push(settled);
        }
        transaction.commit()?;
        Ok(kept)
    }

    /// When the next queued record (of `profile`, when given) is due: now or later.
    pub fn next_due(&self, profile: Option<&str>) -> Result<Option<Millis>, StoreError> {
        Ok(self.connection.query_row(
            "SELECT min(coalesce(next_attempt_at, 0)) FROM records WHERE state = 'queued' AND deleted_at IS NULL
             AND (?1 IS NULL OR profile = ?1)",
            params![profile],
            |row| row.get(0),
        )?)
    }

    /// Moves every queued record of `profile` that is due before `at` to `at`: the backend is
    /// unreachable, so nothing is tried before the next probe.
    pub fn postpone_queued(&mut self, profile: &str, at: Millis) -> Result<usize, StoreError> {
        Ok(self.connection.execute(
            "UPDATE records SET next_attempt_at = ?2 WHERE state = 'queued' AND profile = ?1
             AND coalesce(next_attempt_at, 0) < ?2",
            params![profile, at],
        )?)
    }
}

/// Moves queued `id` to `sending` for `claimant` inside `transaction`; `None` when it is not
/// queued (any more).
fn claim_in(
    transaction: &rusqlite::Transaction<'_>,
    id: &RecordId,
    claimant: &str,
    now: Millis,
    lease_until: Millis,
) -> Result<Option<Claim>, StoreError> {
    let attempt_id = format!("a{now:x}{:08x}", fastrand::u32(..));
    let changed = transaction.execute(
        "UPDATE records SET state = 'sending', claimant = ?2, lease_until = ?3, attempt_id = ?4,
         attempt_started_at = ?5, attempts = attempts + 1, updated_at = ?5
         WHERE id = ?1 AND state = 'queued' AND deleted_at IS NULL",
        params![id.as_str(), claimant, lease_until, attempt_id, now],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1");
    let record = transaction.query_row(&sql, [id.as_str()], record_from_row)?;
    Ok(Some(Claim { record, attempt_id, claimant: claimant.to_owned() }))
}

/// An attempt's ending to settle with [`Store::settle_many`].
#[derive(Debug, Clone)]
pub struct Ending {
    /// The attempt.
    pub claim: Claim,
    /// How it ended.
    pub settlement: Settlement,
    /// Exchanges to add to the record's history, and the step they belong to.
    pub history: Option<(super::AttemptStep, Vec<crate::backends::Exchange>)>,
}

/// Writes `settlement` for `claim` on `connection` (a transaction or not).
fn settle_in(connection: &rusqlite::Connection, claim: &Claim, settlement: &Settlement) -> Result<bool, StoreError> {
    let now = now_millis();
    let (state, outcome, message, server_id, failure, next_at) = match settlement {
        Settlement::Sent { server_id, outcome, message } => ("sent", outcome, message, server_id.clone(), None, None),
        Settlement::Retry { at, outcome, message } => ("queued", outcome, message, None, None, Some(*at)),
        Settlement::Failed { kind, outcome, message } => ("failed", outcome, message, None, Some(kind.as_str()), None),
    };
    let changed = connection.execute(
        "UPDATE records SET state = ?4, outcome = ?5, message = ?6, server_id = coalesce(?7, server_id),
         failure = ?8, next_attempt_at = ?9, claimant = NULL, lease_until = NULL, updated_at = ?10
         WHERE id = ?1 AND state = 'sending' AND claimant = ?2 AND attempt_id = ?3",
        params![
            claim.record.id.as_str(),
            claim.claimant,
            claim.attempt_id,
            state,
            outcome,
            message,
            server_id,
            failure,
            next_at,
            now
        ],
    )?;
    Ok(changed == 1)
}
