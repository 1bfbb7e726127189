//! The outbox: sends each queued customer exactly once, across crashes, outages and processes.
//!
//! Every attempt goes through the store in the same order:
//! 1. **Claim**: one transaction moves the record from `queued` to `sending` under this
//!    process's [`Claimant`] id, a new attempt id and a lease. Nobody else sends it now.
//! 2. **Send** the payload fixed when it was queued.
//! 3. **Settle** by what the ending proves ([`disposition`]): created → `sent`; nothing created
//!    → back to `queued` with backoff (or the profile is offline); refused → `failed`. An
//!    ambiguous ending (response timeout, lost connection, cancel, a 5xx other than 503) is
//!    **reconciled** first: the customer is looked up ([`reconcile`]), and only a lookup that
//!    finds nothing sends it to the queue again.
//!
//! A crash between 1 and 3 leaves the record `sending`. Whoever opens the outbox next takes it
//! over once its claimant is gone (its lock file is free, or its lease ran out) — never while a
//! live process still sends it — and reconciles it before anything is resent.

mod claimant;
mod disposition;
mod pacer;
mod reconcile;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

pub use claimant::{Claimant, Liveness};
pub use disposition::{Disposition, disposition, retry_delay};
pub use pacer::{HELP_SCOUT_LIMIT, Pacers, RatePacer, WRITE_WEIGHT};
pub use reconcile::{CLOCK_SKEW_MILLIS, Lookup, look_up, ours_among};

use crate::backends::{CustomerClient, Exchange, Outcome};
use crate::model::Backend;
use crate::store::{
    AttemptStep, Claim, Ending, FailureKind, Millis, Record, RecordId, RecordState, Settlement, Store, StoreError,
    now_millis,
};
use crate::sync::lock;

/// What the outbox needs of a backend: send a body, look a customer up. [`CustomerClient`] is
/// the real one; tests put a simulated server behind it.
pub trait CustomerApi: Sync {
    /// Which API it is.
    fn backend(&self) -> Backend;
    /// How long a request may take: until then a server may still act on one it received.
    fn response_timeout(&self) -> Duration;
    /// Sends a normalised body; every exchange it took, the last one deciding.
    fn create(&self, body: &serde_json::Value) -> impl Future<Output = Vec<Exchange>> + Send;
    /// Looks up the customer of `record`'s attempt that began at `attempt_started_at`.
    fn look_up(
        &self,
        record: &Record,
        attempt_started_at: Millis,
    ) -> impl Future<Output = (Lookup, Vec<Exchange>)> + Send;
}

impl CustomerApi for CustomerClient {
    fn backend(&self) -> Backend {
        Self::backend(self)
    }

    fn response_timeout(&self) -> Duration {
        self.endpoint().timeout
    }

    fn create(&self, body: &serde_json::Value) -> impl Future<Output = Vec<Exchange>> + Send {
        self.create_customer(body)
    }

    fn look_up(
        &self,
        record: &Record,
        attempt_started_at: Millis,
    ) -> impl Future<Output = (Lookup, Vec<Exchange>)> + Send {
        look_up(self, record, attempt_started_at)
    }
}

/// What an attempt came to, for the window's viewer and the CLI's report line.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptReport {
    /// The record.
    pub record: RecordId,
    /// Its profile.
    pub profile: String,
    /// Where the record is now.
    pub state: RecordState,
    /// The ending's machine name (`created`, `reconciled`, `timeout`…).
    pub outcome: String,
    /// What happened, in a sentence, and what to do when it needs the person.
    pub message: String,
    /// The server's id, once sent.
    pub server_id: Option<String>,
    /// Why a failed record waits: refused, or possibly created.
    pub failure: Option<FailureKind>,
    /// The HTTP status of the last answer, if any.
    pub status: Option<u16>,
    /// The backend could not be reached: its queue waits for the next probe.
    pub offline: bool,
    /// Every exchange the attempt made (create, grants, lookups), oldest first.
    #[serde(skip)]
    pub exchanges: Vec<Exchange>,
}

/// An outbox over a store, sending as one claimant.
#[derive(Debug, Clone)]
pub struct Outbox {
    store: Arc<Mutex<Store>>,
    claimant: Arc<Claimant>,
    data_dir: PathBuf,
    /// Endings waiting for the next grouped commit.
    endings: Arc<Mutex<EndingQueue>>,
}

/// Endings waiting to be written, each with whom to tell; and whether a commit runs now.
#[derive(Debug, Default)]
struct EndingQueue {
    waiting: Vec<(Ending, tokio::sync::oneshot::Sender<Result<bool, StoreError>>)>,
    writing: bool,
}

/// Writes the waiting endings, a commit at a time, until none wait.
fn write_endings(store: &Mutex<Store>, queue: &Mutex<EndingQueue>) {
    loop {
        let batch = {
            let mut queue = lock(queue);
            if queue.waiting.is_empty() {
                queue.writing = false;
                return;
            }
            std::mem::take(&mut queue.waiting)
        };
        let (endings, replies): (Vec<Ending>, Vec<_>) = batch.into_iter().unzip();
        match lock(store).settle_many(&endings) {
            Ok(kept) => {
                for (reply, kept) in replies.into_iter().zip(kept) {
                    // The waiting task may have been cancelled: nobody to tell.
                    reply.send(Ok(kept)).ok();
                }
            }
            Err(error) => {
                let message = error.to_string();
                for reply in replies {
                    reply.send(Err(StoreError::Stopped(format!("the ending could not be written: {message}")))).ok();
                }
            }
        }
    }
}

impl Outbox {
    /// Opens the outbox of the store at `store_path`, registering this process as a claimant
    /// in the store's folder.
    pub fn open(store_path: &Path) -> Result<Self, StoreError> {
        let store = Store::open(store_path)?;
        let data_dir = store_path.parent().map(Path::to_owned).unwrap_or_default();
        let claimant = Claimant::register(&data_dir)
            .map_err(|source| StoreError::Files { path: data_dir.join("claims"), source })?;
        Ok(Self { store: Arc::new(Mutex::new(store)), claimant: Arc::new(claimant), data_dir, endings: Arc::default() })
    }

    /// This process's claimant id.
    pub fn claimant_id(&self) -> &str {
        self.claimant.id()
    }

    /// Runs `work` on the store, off the async threads.
    pub async fn with_store<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || work(&mut lock(&store)))
            .await
            .map_err(|e| StoreError::Stopped(e.to_string()))?
    }

    /// Claims the queued record due first (of `profile`, when given).
    pub async fn claim_next(&self, profile: Option<String>) -> Result<Option<Claim>, StoreError> {
        let claimant = self.claimant.id().to_owned();
        self.with_store(move |store| store.claim_next(&claimant, profile.as_deref(), lease_until())).await
    }

    /// Claims this queued record.
    pub async fn claim(&self, id: RecordId) -> Result<Option<Claim>, StoreError> {
        let claimant = self.claimant.id().to_owned();
        self.with_store(move |store| store.claim(&id, &claimant, lease_until())).await
    }

    /// Records left `sending` by a claimant that is gone (a crash) or whose lease ran out, of
    /// `profile` when given: to take over and reconcile. Never one a live process still sends,
    /// nor one of this process.
    pub async fn abandoned(&self, profile: Option<String>) -> Result<Vec<Record>, StoreError> {
        let sending = self.with_store(|store| store.sending()).await?;
        let now = now_millis();
        let mine = self.claimant.id();
        Ok(sending
            .into_iter()
            .filter(|record| profile.as_deref().is_none_or(|p| p == record.profile))
            .filter(|record| {
                let claimant = record.claimant.as_deref().unwrap_or_default();
                claimant != mine
                    && (record.lease_until.is_none_or(|until| until < now)
                        || Claimant::liveness(&self.data_dir, claimant) == Liveness::Gone)
            })
            .collect())
    }

    /// Takes over an abandoned record's attempt (see [`Self::abandoned`]); `None` when another
    /// process took it first.
    pub async fn take_over(&self, record: Record) -> Result<Option<Claim>, StoreError> {
        let claimant = self.claimant.id().to_owned();
        self.with_store(move |store| store.take_over(&record, &claimant, lease_until())).await
    }

    /// Sends a claimed record and settles it; an ambiguous ending is reconciled at once.
    pub async fn send<A: CustomerApi>(&self, claim: Claim, client: &A) -> Result<AttemptReport, StoreError> {
        let body = claim.record.payload.clone().unwrap_or_else(|| claim.record.body.clone());
        let exchanges = client.create(&body).await;
        self.settle_exchanges(claim, client, exchanges).await
    }

    /// Settles a claimed attempt that ended with `exchanges` (sent here, or cancelled by the
    /// person: then the last one is a `Cancelled` record).
    pub async fn settle_exchanges<A: CustomerApi>(
        &self,
        claim: Claim,
        client: &A,
        exchanges: Vec<Exchange>,
    ) -> Result<AttemptReport, StoreError> {
        let Some(last) = exchanges.last() else {
            let outcome = Outcome::InvalidRequest { detail: "nothing was sent".to_owned() };
            return self.finish(claim, failed(FailureKind::Permanent, &outcome, None, client), exchanges, None).await;
        };
        let outcome = last.outcome.clone();
        let summary = last.summary();
        let settlement = match disposition(&outcome) {
            Disposition::Sent(server_id) => {
                Settlement::Sent { server_id, outcome: outcome.kind().to_owned(), message: summary }
            }
            Disposition::Retry { after, .. } => Settlement::Retry {
                at: now_millis().saturating_add(millis(retry_delay(claim.record.attempts, after))),
                outcome: outcome.kind().to_owned(),
                message: format!("{summary} Queued to try again."),
            },
            Disposition::Permanent => failed(FailureKind::Permanent, &outcome, Some(&summary), client),
            Disposition::Ambiguous if outcome == Outcome::Cancelled => {
                // The person stopped waiting: no lookup behind their back; they decide.
                failed(FailureKind::Ambiguous, &outcome, Some(&summary), client)
            }
            Disposition::Ambiguous => {
                // The send's exchanges are kept now: the lookup may take a while.
                self.keep_history(&claim, AttemptStep::Send, &exchanges).await?;
                return self.reconcile_after(claim, client, exchanges, &summary).await;
            }
        };
        let history = Some((AttemptStep::Send, exchanges.clone()));
        self.finish(claim, settlement, exchanges, history).await
    }

    /// Reconciles an attempt taken over from a claimant that is gone.
    pub async fn reconcile<A: CustomerApi>(&self, claim: Claim, client: &A) -> Result<AttemptReport, StoreError> {
        let what = "The last attempt ended without an answer (the sender stopped).";
        self.reconcile_after(claim, client, Vec::new(), what).await
    }

    /// Looks the customer up (after the server's last chance to act has passed) and settles
    /// by what was found.
    async fn reconcile_after<A: CustomerApi>(
        &self,
        claim: Claim,
        client: &A,
        mut exchanges: Vec<Exchange>,
        what: &str,
    ) -> Result<AttemptReport, StoreError> {
        let started = claim.record.attempt_started_at.unwrap_or_else(now_millis);
        // A request the server received may still be running there until the client's own
        // timeout would have given up on it: look only after that.
        let settled_by = started.saturating_add(millis(client.response_timeout()));
        let wait = settled_by.saturating_sub(now_millis());
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(0))).await;
        }
        let (lookup, lookups) = client.look_up(&claim.record, started).await;
        let history = Some((AttemptStep::Reconcile, lookups.clone()));
        exchanges.extend(lookups);
        let settlement = match lookup {
            Lookup::Found { server_id } => {
                let id = server_id.as_deref().map(|id| format!(" as {id}")).unwrap_or_default();
                Settlement::Sent {
                    server_id,
                    outcome: "reconciled".to_owned(),
                    message: format!(
                        "{what} The lookup found the customer{id}: it was created, and is not sent again."
                    ),
                }
            }
            Lookup::NotFound => Settlement::Retry {
                at: now_millis(),
                outcome: "reconciled".to_owned(),
                message: format!("{what} The lookup found no such customer, so it is queued to send again."),
            },
            Lookup::Unknown(why) => Settlement::Failed {
                kind: FailureKind::Ambiguous,
                outcome: "ambiguous".to_owned(),
                message: format!(
                    "{what} It may have been created, and the lookup could not tell ({why}): check before sending again."
                ),
            },
        };
        self.finish(claim, settlement, exchanges, history).await
    }

    /// Settles `ending` in the next commit of the endings waiting: the first to arrive while no
    /// commit runs writes them all (one disk sync for every attempt that ended meanwhile), the
    /// others wait for that commit. Each answer comes only once its ending is on disk.
    async fn settle_grouped(&self, ending: Ending) -> Result<bool, StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let lead = {
            let mut queue = lock(&self.endings);
            queue.waiting.push((ending, reply));
            !std::mem::replace(&mut queue.writing, true)
        };
        if lead {
            let (store, endings) = (Arc::clone(&self.store), Arc::clone(&self.endings));
            tokio::task::spawn_blocking(move || write_endings(&store, &endings));
        }
        answer.await.map_err(|e| StoreError::Stopped(format!("the outbox's writer stopped: {e}")))?
    }

    /// Claims up to `count` due records of `profile` in one transaction.
    pub async fn claim_next_many(&self, profile: String, count: usize) -> Result<Vec<Claim>, StoreError> {
        let claimant = self.claimant.id().to_owned();
        self.with_store(move |store| store.claim_next_many(&claimant, Some(&profile), count, lease_until())).await
    }

    async fn keep_history(&self, claim: &Claim, step: AttemptStep, exchanges: &[Exchange]) -> Result<(), StoreError> {
        if exchanges.is_empty() {
            return Ok(());
        }
        let (record, attempt, exchanges) = (claim.record.id.clone(), claim.attempt_id.clone(), exchanges.to_vec());
        self.with_store(move |store| store.record_exchanges(&record, &attempt, step, &exchanges)).await
    }

    /// Settles the attempt (with `history` added to the record's) and reports it.
    async fn finish(
        &self,
        claim: Claim,
        settlement: Settlement,
        exchanges: Vec<Exchange>,
        history: Option<(AttemptStep, Vec<Exchange>)>,
    ) -> Result<AttemptReport, StoreError> {
        let ending = Ending { claim: claim.clone(), settlement: settlement.clone(), history };
        let kept = self.settle_grouped(ending).await?;
        let offline = exchanges
            .last()
            .is_some_and(|last| matches!(disposition(&last.outcome), Disposition::Retry { offline: true, .. }));
        let status = exchanges.iter().rev().find_map(|e| e.response.as_ref().map(|r| r.status));
        let (state, outcome, message, server_id, failure) = match settlement {
            Settlement::Sent { server_id, outcome, message } => (RecordState::Sent, outcome, message, server_id, None),
            Settlement::Retry { outcome, message, .. } => (RecordState::Queued, outcome, message, None, None),
            Settlement::Failed { kind, outcome, message } => (RecordState::Failed, outcome, message, None, Some(kind)),
        };
        let (state, message) = if kept {
            (state, message)
        } else {
            // Our lease ran out and another process took the attempt over: it settles it.
            (RecordState::Sending, format!("{message} (Another process took this attempt over and settles it.)"))
        };
        Ok(AttemptReport {
            record: claim.record.id,
            profile: claim.record.profile,
            state,
            outcome,
            message,
            server_id,
            failure,
            status,
            offline,
            exchanges,
        })
    }
}

/// A `failed` settlement for `outcome`, saying what to do next.
fn failed(kind: FailureKind, outcome: &Outcome, summary: Option<&str>, client: &impl CustomerApi) -> Settlement {
    let summary = summary.map_or_else(|| outcome.summary(client.backend()), str::to_owned);
    // A refusal's sentence already says what to fix; a possible creation needs saying.
    let message = match kind {
        FailureKind::Permanent => summary,
        FailureKind::Ambiguous => format!("{summary} It may have been created: check before sending again."),
    };
    Settlement::Failed { kind, outcome: outcome.kind().to_owned(), message }
}

/// How long a claim holds without its claimant's lock to vouch for it.
///
/// Far longer than any attempt (every request of it at its timeouts), so only a claimant on
/// another machine that died is ever taken over by lease.
pub const LEASE: Duration = Duration::from_mins(10);

fn lease_until() -> Millis {
    now_millis().saturating_add(millis(LEASE))
}

fn millis(duration: Duration) -> Millis {
    Millis::try_from(duration.as_millis()).unwrap_or(Millis::MAX / 2)
}
