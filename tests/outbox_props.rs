//! The outbox's promise, as a property over random histories: **no customer is ever created
//! twice, and none is lost.**
//!
//! Each case plays a random sequence of events against a real store (SQLite in a temporary
//! folder) and a simulated server behind a fake [`CustomerApi`]: drafts made and edited,
//! records queued, unqueued, deleted and restored, attempts answered in every way (created;
//! each ending that proves nothing was created; each refusal; each ambiguous ending, both where
//! the server did create the customer and where it did not), sends that crash after the server
//! received the request (the send future dropped, and the process with it or not), processes
//! that die and new ones that start and take over what the dead left `sending`, and lookups
//! that fail or crash. After every event, and after a final drain with a well-behaved server:
//! no customer exists twice on the server; a `sent` record's customer exists exactly once with
//! the id the record keeps; a draft, ready, queued or refused record has no customer; a live
//! process's attempt is never taken over. After the drain nothing is queued or `sending`.
//!
//! The simulated person is careful the way the window asks them to be: a record that failed as
//! "possibly created" is only edited or queued again once the server shows no such customer.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use intake::backends::{Exchange, Outcome, ResponseRecord, TimeoutPhase};
use intake::model::Backend;
use intake::outbox::{CustomerApi, Lookup, Outbox};
use intake::store::{
    DraftEdit, FailureKind, ListFilter, Millis, Record, RecordId, RecordState, SaveOutcome, Store, StoreError,
};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tokio::sync::Notify;

const PROFILE: &str = "sandbox-finosu";

// ---------------------------------------------------------------------------------------------
// The simulated server and the fake API in front of it

/// What the server made: every customer created, by the payload's `id` (ours, in Finosu), with
/// the id the server gave each one. A well-behaved server would refuse a second one with 409;
/// this one keeps both, so that a double creation shows.
#[derive(Debug, Default)]
struct Server {
    customers: HashMap<String, Vec<String>>,
    made: u64,
    create_calls: usize,
    lookup_calls: usize,
}

impl Server {
    fn make(&mut self, key: &str) -> String {
        self.made += 1;
        let id = format!("srv-{}", self.made);
        self.customers.entry(key.to_owned()).or_default().push(id.clone());
        id
    }

    fn count(&self, key: &str) -> usize {
        self.customers.get(key).map_or(0, Vec::len)
    }
}

/// Endings that prove nothing was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retryable {
    Refused,
    Dns,
    ConnectTimeout,
    RateLimited,
    Unavailable,
}

/// Refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Permanent {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
}

/// Endings that prove nothing either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ambiguous {
    ResponseTimeout,
    ConnectionLost,
    InternalError,
    BadGateway,
    GatewayTimeout,
    Unreadable,
}

/// How the server answers one create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Created,
    Retryable(Retryable),
    Permanent(Permanent),
    /// The server created the customer (or not), and the answer proves nothing.
    Ambiguous {
        kind: Ambiguous,
        created: bool,
    },
    /// The server received the request (and created the customer, or not); the sender's future
    /// is dropped before any answer — with its process (`dies`), or alone (a task cancelled).
    Crash {
        created: bool,
        dies: bool,
    },
}

/// How one lookup goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LookupPlan {
    /// Says what the server holds.
    Truthful,
    /// Times out: the lookup cannot tell.
    Fails,
    /// The looking process's future is dropped mid-lookup (and the process dies, or not).
    Crash { dies: bool },
}

#[derive(Debug, Default)]
struct Script {
    creates: VecDeque<Answer>,
    lookups: VecDeque<LookupPlan>,
}

/// A [`CustomerApi`] in front of [`Server`], answering each call as the script says (and, once
/// the script runs out, as a well-behaved server would).
#[derive(Debug, Clone)]
struct FakeApi {
    server: Arc<Mutex<Server>>,
    script: Arc<Mutex<Script>>,
    /// Signalled when a call "crashes": the caller then drops the future.
    crashed: Arc<Notify>,
}

impl FakeApi {
    fn new() -> Self {
        Self { server: Arc::default(), script: Arc::default(), crashed: Arc::new(Notify::new()) }
    }

    fn server(&self) -> std::sync::MutexGuard<'_, Server> {
        self.server.lock().expect("the server lock")
    }

    fn plan(&self, answer: Answer, lookups: &[LookupPlan]) {
        let mut script = self.script.lock().expect("the script lock");
        script.creates = VecDeque::from([answer]);
        script.lookups = lookups.iter().copied().collect();
    }

    fn clear_plan(&self) {
        *self.script.lock().expect("the script lock") = Script::default();
    }
}

fn key_of(body: &Value) -> String {
    body["id"].as_str().expect("every body has an id").to_owned()
}

fn exchange(method: &str, key: &str, body: Option<&Value>, outcome: Outcome, status: Option<u16>) -> Exchange {
    let url =
        if method == "POST" { "http://fake/customers".to_owned() } else { format!("http://fake/customers/{key}") };
    let mut exchange = Exchange::unanswered(Backend::Finosu, method, url, body.map(Value::to_string), outcome);
    exchange.response = status.map(|status| ResponseRecord {
        status,
        reason: String::new(),
        headers: Vec::new(),
        body: json!({"id": key}).to_string().into_bytes(),
        body_truncated_from: None,
    });
    exchange
}

/// The outcome of a create the server answered (or did not) this way.
fn outcome_of(answer: Answer, server_id: Option<String>) -> (Outcome, Option<u16>) {
    let message = String::new;
    match answer {
        Answer::Created => (Outcome::Created { id: server_id, location: None }, Some(201)),
        Answer::Retryable(kind) => match kind {
            Retryable::Refused => (Outcome::ConnectionRefused, None),
            Retryable::Dns => (Outcome::Dns { host: "fake".to_owned() }, None),
            Retryable::ConnectTimeout => {
                (Outcome::Timeout { phase: TimeoutPhase::Connect, limit: Duration::from_secs(5) }, None)
            }
            Retryable::RateLimited => {
                (Outcome::RateLimited { retry_after: Some(Duration::from_secs(1)), server_value: None }, Some(429))
            }
            Retryable::Unavailable => (Outcome::ServerError { status: 503 }, Some(503)),
        },
        Answer::Permanent(kind) => match kind {
            Permanent::BadRequest => (
                Outcome::Rejected { message: message(), field_errors: Vec::new(), valid_task_types: Vec::new() },
                Some(400),
            ),
            Permanent::Unauthorized => (Outcome::Unauthorized { message: message() }, Some(401)),
            Permanent::Forbidden => (Outcome::Forbidden { message: message() }, Some(403)),
            Permanent::NotFound => (Outcome::NotFound, Some(404)),
            Permanent::Conflict => (Outcome::Conflict { message: message() }, Some(409)),
        },
        Answer::Ambiguous { kind, .. } => match kind {
            Ambiguous::ResponseTimeout => {
                (Outcome::Timeout { phase: TimeoutPhase::Response, limit: Duration::from_secs(30) }, None)
            }
            Ambiguous::ConnectionLost => (Outcome::ConnectionLost { detail: "reset by peer".to_owned() }, None),
            Ambiguous::InternalError => (Outcome::ServerError { status: 500 }, Some(500)),
            Ambiguous::BadGateway => (Outcome::ServerError { status: 502 }, Some(502)),
            Ambiguous::GatewayTimeout => (Outcome::ServerError { status: 504 }, Some(504)),
            Ambiguous::Unreadable => (Outcome::UndecodableBody { detail: "not JSON".to_owned() }, Some(201)),
        },
        Answer::Crash { .. } => unreachable!("a crash has no answer"),
    }
}

impl CustomerApi for FakeApi {
    fn backend(&self) -> Backend {
        Backend::Finosu
    }

    fn response_timeout(&self) -> Duration {
        // The simulated server acts at once: reconciling need not wait.
        Duration::ZERO
    }

    fn create(&self, body: &Value) -> impl Future<Output = Vec<Exchange>> + Send {
        let (api, body) = (self.clone(), body.clone());
        async move {
            let answer = api.script.lock().expect("the script lock").creates.pop_front().unwrap_or(Answer::Created);
            let key = key_of(&body);
            let server_id = {
                let mut server = api.server();
                server.create_calls += 1;
                let creates = match answer {
                    Answer::Created => true,
                    Answer::Ambiguous { created, .. } | Answer::Crash { created, .. } => created,
                    Answer::Retryable(_) | Answer::Permanent(_) => false,
                };
                creates.then(|| server.make(&key))
            };
            if let Answer::Crash { .. } = answer {
                api.crashed.notify_one();
                return std::future::pending().await;
            }
            let (outcome, status) = outcome_of(answer, server_id);
            vec![exchange("POST", &key, Some(&body), outcome, status)]
        }
    }

    fn look_up(
        &self,
        record: &Record,
        _attempt_started_at: Millis,
    ) -> impl Future<Output = (Lookup, Vec<Exchange>)> + Send {
        let api = self.clone();
        let key = key_of(record.payload.as_ref().expect("a record sent has a payload"));
        async move {
            let plan = api.script.lock().expect("the script lock").lookups.pop_front().unwrap_or(LookupPlan::Truthful);
            let found = {
                let mut server = api.server();
                server.lookup_calls += 1;
                server.customers.get(&key).and_then(|ids| ids.first().cloned())
            };
            match plan {
                LookupPlan::Crash { .. } => {
                    api.crashed.notify_one();
                    std::future::pending().await
                }
                LookupPlan::Fails => {
                    let timeout = Outcome::Timeout { phase: TimeoutPhase::Response, limit: Duration::from_secs(30) };
                    let exchange = exchange("GET", &key, None, timeout, None);
                    (Lookup::Unknown(exchange.summary()), vec![exchange])
                }
                LookupPlan::Truthful => match found {
                    Some(id) => (
                        Lookup::Found { server_id: Some(id) },
                        vec![exchange("GET", &key, None, Outcome::Answered { status: 200 }, Some(200))],
                    ),
                    None => (Lookup::NotFound, vec![exchange("GET", &key, None, Outcome::NotFound, Some(404))]),
                },
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Events

#[derive(Debug, Clone)]
enum Event {
    /// The person starts a new customer.
    NewDraft {
        valid: bool,
    },
    /// The person edits a record.
    Edit {
        pick: usize,
        valid: bool,
    },
    /// The person queues a record (Submit, "Send all ready").
    Queue {
        pick: usize,
    },
    /// The person takes a record back out of the outbox.
    Unqueue {
        pick: usize,
    },
    Delete {
        pick: usize,
    },
    Restore {
        pick: usize,
    },
    /// Process `slot` (started if there is none) claims a queued record and sends it.
    Send {
        slot: usize,
        pick: usize,
        answer: Answer,
        lookups: Vec<LookupPlan>,
    },
    /// Process `slot` ends between attempts.
    Die {
        slot: usize,
    },
    /// Process `slot` (started if there is none) takes over what dead processes left `sending`.
    Recover {
        slot: usize,
        lookups: Vec<LookupPlan>,
    },
}

const SLOTS: usize = 2;

/// Every ending that proves nothing was created.
const RETRYABLE: [Retryable; 5] =
    [Retryable::Refused, Retryable::Dns, Retryable::ConnectTimeout, Retryable::RateLimited, Retryable::Unavailable];
/// Every refusal.
const PERMANENT: [Permanent; 5] =
    [Permanent::BadRequest, Permanent::Unauthorized, Permanent::Forbidden, Permanent::NotFound, Permanent::Conflict];
/// Every ending that proves nothing either way.
const AMBIGUOUS: [Ambiguous; 6] = [
    Ambiguous::ResponseTimeout,
    Ambiguous::ConnectionLost,
    Ambiguous::InternalError,
    Ambiguous::BadGateway,
    Ambiguous::GatewayTimeout,
    Ambiguous::Unreadable,
];

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        4 => Just(Answer::Created),
        3 => select(RETRYABLE.to_vec()).prop_map(Answer::Retryable),
        2 => select(PERMANENT.to_vec()).prop_map(Answer::Permanent),
        5 => (select(AMBIGUOUS.to_vec()), any::<bool>()).prop_map(|(kind, created)| Answer::Ambiguous { kind, created }),
        3 => (any::<bool>(), any::<bool>()).prop_map(|(created, dies)| Answer::Crash { created, dies }),
    ]
}

fn lookup_plan() -> impl Strategy<Value = LookupPlan> {
    prop_oneof![
        6 => Just(LookupPlan::Truthful),
        2 => Just(LookupPlan::Fails),
        1 => any::<bool>().prop_map(|dies| LookupPlan::Crash { dies }),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    let pick = 0..8_usize;
    let slot = 0..SLOTS;
    prop_oneof![
        3 => any::<bool>().prop_map(|valid| Event::NewDraft { valid }),
        2 => (pick.clone(), any::<bool>()).prop_map(|(pick, valid)| Event::Edit { pick, valid }),
        6 => pick.clone().prop_map(|pick| Event::Queue { pick }),
        1 => pick.clone().prop_map(|pick| Event::Unqueue { pick }),
        1 => pick.clone().prop_map(|pick| Event::Delete { pick }),
        1 => pick.clone().prop_map(|pick| Event::Restore { pick }),
        8 => (slot.clone(), pick, answer(), prop::collection::vec(lookup_plan(), 0..3))
            .prop_map(|(slot, pick, answer, lookups)| Event::Send { slot, pick, answer, lookups }),
        1 => slot.clone().prop_map(|slot| Event::Die { slot }),
        2 => (slot, prop::collection::vec(lookup_plan(), 0..4)).prop_map(|(slot, lookups)| Event::Recover { slot, lookups }),
    ]
}

// ---------------------------------------------------------------------------------------------
// Playing a history

/// What the runs covered, so the property cannot pass by checking nothing.
#[derive(Debug, Default)]
struct Coverage {
    cases: AtomicUsize,
    sends: AtomicUsize,
    created_then_crashed: AtomicUsize,
    created_ambiguously: AtomicUsize,
    reconciled_found: AtomicUsize,
    reconciled_not_found: AtomicUsize,
    lookups_failed: AtomicUsize,
    taken_over: AtomicUsize,
    live_attempts_left_alone: AtomicUsize,
    sent_at_the_end: AtomicUsize,
    /// The kinds of answer played to a claimed record.
    answers: Mutex<BTreeSet<&'static str>>,
}

impl Coverage {
    fn add(counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn played(&self, answer: Answer) {
        let kind = match answer {
            Answer::Created => "created",
            Answer::Retryable(_) => "nothing created",
            Answer::Permanent(_) => "refused",
            Answer::Ambiguous { created: true, .. } => "ambiguous, created",
            Answer::Ambiguous { created: false, .. } => "ambiguous, not created",
            Answer::Crash { created: true, .. } => "crash, created",
            Answer::Crash { created: false, .. } => "crash, not created",
        };
        self.answers.lock().expect("the coverage lock").insert(kind);
        if let Answer::Crash { dies, .. } = answer {
            self.answers.lock().expect("the coverage lock").insert(if dies {
                "crash, process died"
            } else {
                "crash, process lived"
            });
        }
    }
}

/// Every kind [`Coverage::played`] names.
const ANSWER_KINDS: [&str; 9] = [
    "created",
    "nothing created",
    "refused",
    "ambiguous, created",
    "ambiguous, not created",
    "crash, created",
    "crash, not created",
    "crash, process died",
    "crash, process lived",
];

/// One case: the store, the server, the processes alive, the records made.
struct World<'a> {
    path: PathBuf,
    store: Store,
    api: FakeApi,
    processes: [Option<Outbox>; SLOTS],
    records: Vec<(RecordId, String)>,
    edits: usize,
    coverage: &'a Coverage,
}

type Checked = Result<(), TestCaseError>;

fn failure(error: &StoreError) -> TestCaseError {
    TestCaseError::fail(format!("the store failed: {error}"))
}

fn body_for(key: &str, edits: usize) -> Value {
    json!({"id": key, "firstName": format!("Ada{edits}"), "lastName": "Lovelace", "email": format!("{}@example.com", key.to_lowercase())})
}

impl<'a> World<'a> {
    fn new(path: &Path, coverage: &'a Coverage) -> Self {
        let store = Store::open(path).expect("the store opens");
        Self {
            path: path.to_owned(),
            store,
            api: FakeApi::new(),
            processes: [None, None],
            records: Vec::new(),
            edits: 0,
            coverage,
        }
    }

    fn record(&self, id: &RecordId) -> Result<Record, TestCaseError> {
        self.store.get(id).map_err(|e| failure(&e))?.ok_or_else(|| TestCaseError::fail(format!("record {id} vanished")))
    }

    fn pick(&self, pick: usize) -> Option<(RecordId, String)> {
        (!self.records.is_empty()).then(|| self.records[pick % self.records.len()].clone())
    }

    /// Whether the careful person may touch this record: anything but a failure that may have
    /// created the customer, unless the server shows no such customer.
    fn may_touch(&self, record: &Record, key: &str) -> bool {
        record.failure != Some(FailureKind::Ambiguous) || self.api.server().count(key) == 0
    }

    fn process(&mut self, slot: usize) -> Outbox {
        self.processes[slot].get_or_insert_with(|| Outbox::open(&self.path).expect("a process starts")).clone()
    }

    fn live_claimants(&self) -> Vec<String> {
        self.processes.iter().flatten().map(|outbox| outbox.claimant_id().to_owned()).collect()
    }

    async fn play(&mut self, event: &Event) -> Checked {
        match event {
            Event::NewDraft { valid } => {
                let key = format!("C-{}", self.records.len() + 1);
                let id = RecordId::new();
                let edit = DraftEdit {
                    id: id.clone(),
                    backend: Backend::Finosu,
                    profile: PROFILE.to_owned(),
                    body: body_for(&key, 0),
                    valid: *valid,
                };
                prop_assert_eq!(self.store.save_draft(&edit).map_err(|e| failure(&e))?, SaveOutcome::Created);
                self.records.push((id, key));
            }
            Event::Edit { pick, valid } => {
                let Some((id, key)) = self.pick(*pick) else { return Ok(()) };
                let before = self.record(&id)?;
                if !self.may_touch(&before, &key) {
                    return Ok(());
                }
                self.edits += 1;
                let edit = DraftEdit {
                    id: id.clone(),
                    backend: Backend::Finosu,
                    profile: PROFILE.to_owned(),
                    body: body_for(&key, self.edits),
                    valid: *valid,
                };
                let saved = self.store.save_draft(&edit).map_err(|e| failure(&e))?;
                if before.state.is_editable() {
                    prop_assert_eq!(saved, SaveOutcome::Updated);
                    let after = self.record(&id)?;
                    let expected = if *valid { RecordState::Ready } else { RecordState::Draft };
                    prop_assert_eq!((after.state, after.failure), (expected, None));
                } else {
                    prop_assert_eq!(saved, SaveOutcome::ReadOnly(before.state));
                    prop_assert_eq!(self.record(&id)?, before, "a read-only record changed");
                }
            }
            Event::Queue { pick } => {
                let Some((id, key)) = self.pick(*pick) else { return Ok(()) };
                let before = self.record(&id)?;
                if !self.may_touch(&before, &key) {
                    return Ok(());
                }
                let queued = self.store.queue(&id, PROFILE, &before.body);
                prop_assert_eq!(
                    queued.is_ok(),
                    before.state.is_editable(),
                    "queueing a {} record: {:?}",
                    before.state,
                    queued
                );
            }
            Event::Unqueue { pick } => {
                let Some((id, _)) = self.pick(*pick) else { return Ok(()) };
                let before = self.record(&id)?;
                let unqueued = self.store.unqueue(&id);
                prop_assert_eq!(unqueued.is_ok(), before.state == RecordState::Queued);
            }
            Event::Delete { pick } => {
                let Some((id, _)) = self.pick(*pick) else { return Ok(()) };
                let before = self.record(&id)?;
                let deleted = self.store.delete(&id);
                if before.state == RecordState::Sending {
                    prop_assert!(deleted.is_err(), "a record being sent was deleted");
                }
            }
            Event::Restore { pick } => {
                let Some((id, _)) = self.pick(*pick) else { return Ok(()) };
                self.store.restore(&id).map_err(|e| failure(&e))?;
            }
            Event::Send { slot, pick, answer, lookups } => self.send(*slot, *pick, *answer, lookups).await?,
            Event::Die { slot } => self.processes[*slot] = None,
            Event::Recover { slot, lookups } => self.recover(*slot, lookups).await?,
        }
        self.check_invariants()
    }

    async fn send(&mut self, slot: usize, pick: usize, answer: Answer, lookups: &[LookupPlan]) -> Checked {
        let queued = self
            .store
            .records(&ListFilter { state: Some(RecordState::Queued), profile: None })
            .map_err(|e| failure(&e))?;
        if queued.is_empty() {
            return Ok(());
        }
        let id = queued[pick % queued.len()].id.clone();
        let outbox = self.process(slot);
        // Claimed by id, as `intake submit` does, whatever its backoff says.
        let claim = outbox.claim(id.clone()).await.map_err(|e| failure(&e))?;
        let Some(claim) = claim else {
            return Err(TestCaseError::fail(format!("queued record {id} could not be claimed")));
        };
        Coverage::add(&self.coverage.sends);
        self.coverage.played(answer);
        self.api.plan(answer, lookups);
        if matches!(answer, Answer::Crash { created: true, .. }) {
            Coverage::add(&self.coverage.created_then_crashed);
        }
        if matches!(answer, Answer::Ambiguous { created: true, .. }) {
            Coverage::add(&self.coverage.created_ambiguously);
        }
        let crashed = Arc::clone(&self.api.crashed);
        let report = tokio::select! {
            biased;
            report = outbox.send(claim, &self.api) => Some(report.map_err(|e| failure(&e))?),
            () = crashed.notified() => None,
        };
        let dies = match (answer, lookups.first()) {
            (Answer::Crash { dies, .. }, _) => dies,
            (Answer::Ambiguous { .. }, Some(LookupPlan::Crash { dies })) => *dies,
            _ => false,
        };
        match report {
            Some(report) => {
                let after = self.record(&id)?;
                prop_assert_eq!(report.state, after.state, "the report says what the store holds");
                prop_assert_eq!(
                    &report.server_id,
                    &after.server_id.clone().filter(|_| after.state == RecordState::Sent)
                );
                self.count_reconcile(&report.outcome, after.state, after.failure);
            }
            None if dies => self.processes[slot] = None,
            None => {}
        }
        self.api.clear_plan();
        Ok(())
    }

    fn count_reconcile(&self, outcome: &str, state: RecordState, failure: Option<FailureKind>) {
        match (outcome, state) {
            ("reconciled", RecordState::Sent) => Coverage::add(&self.coverage.reconciled_found),
            ("reconciled", RecordState::Queued) => Coverage::add(&self.coverage.reconciled_not_found),
            ("ambiguous", RecordState::Failed) if failure == Some(FailureKind::Ambiguous) => {
                Coverage::add(&self.coverage.lookups_failed);
            }
            _ => {}
        }
    }

    async fn recover(&mut self, slot: usize, lookups: &[LookupPlan]) -> Checked {
        let outbox = self.process(slot);
        let live = self.live_claimants();
        // Every live process looks; none may see a live process's attempt as abandoned.
        let mut seen_elsewhere = Vec::new();
        for other in self.processes.iter().flatten() {
            let abandoned = other.abandoned(None).await.map_err(|e| failure(&e))?;
            for record in &abandoned {
                let claimant = record.claimant.clone().unwrap_or_default();
                prop_assert!(!live.contains(&claimant), "a live process's attempt was found abandoned: {}", claimant);
            }
            if other.claimant_id() != outbox.claimant_id() {
                seen_elsewhere.extend(abandoned);
            }
        }
        let sending = self.store.sending().map_err(|e| failure(&e))?;
        for record in &sending {
            if record.claimant.as_ref().is_some_and(|c| live.contains(c) && c != outbox.claimant_id()) {
                Coverage::add(&self.coverage.live_attempts_left_alone);
            }
        }
        self.api.plan(Answer::Created, lookups);
        for record in outbox.abandoned(None).await.map_err(|e| failure(&e))? {
            let Some(claim) = outbox.take_over(record.clone()).await.map_err(|e| failure(&e))? else {
                return Err(TestCaseError::fail(format!("abandoned record {} could not be taken over", record.id)));
            };
            Coverage::add(&self.coverage.taken_over);
            // Another process that saw the same abandoned attempt comes too late.
            for stale in seen_elsewhere.iter().filter(|r| r.id == record.id) {
                let other = self
                    .processes
                    .iter()
                    .flatten()
                    .find(|o| o.claimant_id() != outbox.claimant_id())
                    .expect("the other process");
                prop_assert!(
                    other.take_over(stale.clone()).await.map_err(|e| failure(&e))?.is_none(),
                    "an attempt was taken over twice"
                );
            }
            let crashed = Arc::clone(&self.api.crashed);
            let plan = self.api.script.lock().expect("the script lock").lookups.front().copied();
            let report = tokio::select! {
                biased;
                report = outbox.reconcile(claim, &self.api) => Some(report.map_err(|e| failure(&e))?),
                () = crashed.notified() => None,
            };
            match report {
                Some(report) => {
                    let after = self.record(&record.id)?;
                    prop_assert_eq!(report.state, after.state);
                    self.count_reconcile(&report.outcome, after.state, after.failure);
                }
                None => {
                    if let Some(LookupPlan::Crash { dies: true }) = plan {
                        self.processes[slot] = None;
                        break;
                    }
                }
            }
        }
        self.api.clear_plan();
        Ok(())
    }

    /// What must hold after every event.
    fn check_invariants(&self) -> Checked {
        let server = self.api.server();
        for (key, ids) in &server.customers {
            prop_assert!(ids.len() <= 1, "customer {} was created {} times: {:?}", key, ids.len(), ids);
        }
        for (id, key) in &self.records {
            let record = self.record(id)?;
            let on_server = server.count(key);
            match record.state {
                RecordState::Draft | RecordState::Ready | RecordState::Queued => {
                    prop_assert_eq!(on_server, 0, "a {} record's customer exists: {:?}", record.state, record);
                }
                RecordState::Sent => {
                    prop_assert_eq!(on_server, 1, "a sent record's customer is not on the server: {:?}", record);
                    prop_assert_eq!(&record.server_id, &server.customers[key].first().cloned());
                }
                RecordState::Failed if record.failure == Some(FailureKind::Permanent) => {
                    prop_assert_eq!(on_server, 0, "a refused record's customer exists: {:?}", record);
                }
                RecordState::Failed => prop_assert_eq!(record.failure, Some(FailureKind::Ambiguous)),
                RecordState::Sending => {}
            }
        }
        Ok(())
    }

    /// Every process ends; the person restores what they deleted; one new process, with a
    /// well-behaved server, takes over what was left `sending` and sends the whole queue.
    async fn drain(&mut self) -> Checked {
        self.processes = [None, None];
        self.api.clear_plan();
        for (id, _) in &self.records {
            self.store.restore(id).map_err(|e| failure(&e))?;
        }
        let outbox = self.process(0);
        for record in outbox.abandoned(None).await.map_err(|e| failure(&e))? {
            let claim = outbox.take_over(record).await.map_err(|e| failure(&e))?.expect("nobody else takes it over");
            Coverage::add(&self.coverage.taken_over);
            let report = outbox.reconcile(claim, &self.api).await.map_err(|e| failure(&e))?;
            self.count_reconcile(&report.outcome, report.state, report.failure);
        }
        for _round in 0..3 {
            let queued = self
                .store
                .records(&ListFilter { state: Some(RecordState::Queued), profile: None })
                .map_err(|e| failure(&e))?;
            for record in queued {
                let claim = outbox
                    .claim(record.id.clone())
                    .await
                    .map_err(|e| failure(&e))?
                    .expect("a queued record is claimed");
                outbox.send(claim, &self.api).await.map_err(|e| failure(&e))?;
            }
        }
        self.check_invariants()?;
        prop_assert_eq!(
            self.store.count(RecordState::Queued, None).map_err(|e| failure(&e))?,
            0,
            "records stayed queued"
        );
        prop_assert!(self.store.sending().map_err(|e| failure(&e))?.is_empty(), "records stayed sending");
        let server = self.api.server();
        let mut sent = 0;
        for (id, key) in &self.records {
            let record = self.record(id)?;
            if record.state == RecordState::Sent {
                sent += 1;
                prop_assert_eq!(server.count(key), 1);
                let history = self.store.history(id).map_err(|e| failure(&e))?;
                // The create's answer, or the lookup that found the customer (after a crash).
                prop_assert!(!history.is_empty(), "a sent record has no history");
            }
        }
        // Every customer on the server is one of ours, and each sent record accounts for one.
        let on_server: usize = server.customers.values().map(Vec::len).sum();
        prop_assert!(on_server >= sent);
        prop_assert!(server.customers.keys().all(|key| self.records.iter().any(|(_, k)| k == key)));
        self.coverage.sent_at_the_end.fetch_add(sent, Ordering::Relaxed);
        Ok(())
    }
}

fn run_case(runtime: &tokio::runtime::Runtime, events: &[Event], coverage: &Coverage) -> Checked {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("data").join(intake::store::STORE_FILE);
    let mut world = World::new(&path, coverage);
    runtime.block_on(async {
        for event in events {
            world.play(event).await?;
        }
        world.drain().await
    })?;
    Coverage::add(&coverage.cases);
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

#[test]
fn no_customer_is_created_twice_and_none_is_lost() {
    const CASES: u32 = 96;
    let coverage = Coverage::default();
    let runtime = runtime();
    let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
    let histories = prop::collection::vec(event(), 10..60);
    let result = runner.run(&histories, |events| run_case(&runtime, &events, &coverage));
    if let Err(failure) = result {
        panic!("{failure}");
    }
    eprintln!("{coverage:?}");
    let count = |counter: &AtomicUsize| counter.load(Ordering::Relaxed);
    assert_eq!(count(&coverage.cases), CASES as usize, "every case ran to its end");
    for (what, counter, least) in [
        ("sends", &coverage.sends, 200),
        ("crashes after the server created the customer", &coverage.created_then_crashed, 10),
        ("ambiguous endings after the server created the customer", &coverage.created_ambiguously, 10),
        ("lookups that found the customer", &coverage.reconciled_found, 10),
        ("lookups that found nothing", &coverage.reconciled_not_found, 10),
        ("lookups that failed", &coverage.lookups_failed, 5),
        ("attempts taken over", &coverage.taken_over, 10),
        ("live attempts left alone", &coverage.live_attempts_left_alone, 1),
        ("records sent", &coverage.sent_at_the_end, 100),
    ] {
        assert!(
            count(counter) >= least,
            "only {} {what} in {CASES} cases (at least {least} expected): {coverage:?}",
            count(counter)
        );
    }
    let played = coverage.answers.lock().unwrap();
    assert_eq!(played.len(), ANSWER_KINDS.len(), "answers played: {played:?}");
}

// ---------------------------------------------------------------------------------------------
// Deterministic cases

async fn queued_record(outbox: &Outbox, key: &str) -> RecordId {
    let body = body_for(key, 0);
    let new = intake::store::NewRecord {
        backend: Backend::Finosu,
        profile: PROFILE.to_owned(),
        body: body.clone(),
        payload: Some(body),
        valid: true,
        source: None,
    };
    outbox.with_store(move |store| store.insert(&new)).await.expect("the record is stored")
}

/// The commit-drop: the server creates the customer and the answer is lost. The lookup finds
/// it, so the record is sent with the server's id and never created again.
#[test]
fn a_customer_created_whose_answer_was_lost_is_reconciled_not_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(intake::store::STORE_FILE);
    runtime().block_on(async {
        let outbox = Outbox::open(&path).unwrap();
        let api = FakeApi::new();
        let id = queued_record(&outbox, "C-1").await;
        let claim = outbox.claim_next(None).await.unwrap().unwrap();
        api.plan(Answer::Ambiguous { kind: Ambiguous::ConnectionLost, created: true }, &[]);
        let report = outbox.send(claim, &api).await.unwrap();

        let server_id = api.server().customers["C-1"].clone();
        assert_eq!(server_id.len(), 1);
        assert_eq!((report.state, report.outcome.as_str()), (RecordState::Sent, "reconciled"));
        assert_eq!(report.server_id.as_ref(), Some(&server_id[0]));
        let record = outbox.with_store(move |store| store.get(&id)).await.unwrap().unwrap();
        assert_eq!((record.state, record.server_id.as_ref()), (RecordState::Sent, Some(&server_id[0])));
        let calls = {
            let server = api.server();
            (server.create_calls, server.lookup_calls)
        };
        assert_eq!(calls, (1, 1));
        let history = outbox.with_store(move |store| store.history(&record.id)).await.unwrap();
        let steps: Vec<_> = history.iter().map(|row| (row.step.as_str(), row.outcome.as_str())).collect();
        assert_eq!(steps, [("send", "connection_lost"), ("reconcile", "answered")]);

        // Nothing is left to send: a drain creates nothing more.
        assert_eq!(outbox.claim_next(None).await.unwrap(), None);
        assert_eq!(api.server().create_calls, 1);
    });
}

/// The other side: the answer is lost and the server had not created the customer. The lookup
/// finds nothing, the record goes back to the queue, and the next attempt creates it once.
#[test]
fn an_answer_lost_before_the_server_created_anything_is_sent_again_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(intake::store::STORE_FILE);
    runtime().block_on(async {
        let outbox = Outbox::open(&path).unwrap();
        let api = FakeApi::new();
        let id = queued_record(&outbox, "C-1").await;
        let claim = outbox.claim(id.clone()).await.unwrap().unwrap();
        api.plan(Answer::Ambiguous { kind: Ambiguous::ConnectionLost, created: false }, &[]);
        let report = outbox.send(claim, &api).await.unwrap();
        assert_eq!((report.state, report.outcome.as_str()), (RecordState::Queued, "reconciled"));
        assert_eq!(api.server().count("C-1"), 0);

        let claim = outbox.claim_next(None).await.unwrap().expect("queued again, due at once");
        let report = outbox.send(claim, &api).await.unwrap();
        assert_eq!((report.state, report.outcome.as_str()), (RecordState::Sent, "created"));
        let server = {
            let server = api.server();
            (server.count("C-1"), server.create_calls)
        };
        assert_eq!(server, (1, 2));
        let history = outbox.with_store(move |store| store.history(&id)).await.unwrap();
        assert_eq!(history.iter().filter(|row| row.step == "send").count(), 2);
    });
}

/// A process dies after the server created the customer; the next process finds the record
/// `sending` under a claimant that is gone, takes it over and reconciles it without sending.
#[test]
fn a_send_that_died_after_the_server_created_the_customer_is_reconciled_by_the_next_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(intake::store::STORE_FILE);
    runtime().block_on(async {
        let api = FakeApi::new();
        let first = Outbox::open(&path).unwrap();
        let id = queued_record(&first, "C-1").await;
        let claim = first.claim(id.clone()).await.unwrap().unwrap();
        api.plan(Answer::Crash { created: true, dies: true }, &[]);
        let crashed = Arc::clone(&api.crashed);
        tokio::select! {
            biased;
            _ = first.send(claim, &api) => panic!("the send crashed"),
            () = crashed.notified() => {}
        }
        let second = Outbox::open(&path).unwrap();
        assert!(second.abandoned(None).await.unwrap().is_empty(), "the first process is alive");
        drop(first);
        let abandoned = second.abandoned(None).await.unwrap();
        assert_eq!(abandoned.iter().map(|r| &r.id).collect::<Vec<_>>(), [&id]);
        let claim = second.take_over(abandoned[0].clone()).await.unwrap().unwrap();
        let report = second.reconcile(claim, &api).await.unwrap();
        assert_eq!((report.state, report.outcome.as_str()), (RecordState::Sent, "reconciled"));
        let server = {
            let server = api.server();
            (server.count("C-1"), server.create_calls)
        };
        assert_eq!(server, (1, 1));
    });
}

/// Every ending of a create, one fresh record each, settles as the contract says: created →
/// sent; nothing created → queued again; refused → failed (refused); ambiguous → looked up:
/// found → sent, not found → queued, lookup failed → failed (possibly created).
#[test]
fn every_ending_settles_as_the_contract_says() {
    let mut cases: Vec<(Answer, LookupPlan, RecordState, Option<FailureKind>, usize)> =
        vec![(Answer::Created, LookupPlan::Truthful, RecordState::Sent, None, 1)];
    for kind in RETRYABLE {
        cases.push((Answer::Retryable(kind), LookupPlan::Truthful, RecordState::Queued, None, 0));
    }
    for kind in PERMANENT {
        cases.push((
            Answer::Permanent(kind),
            LookupPlan::Truthful,
            RecordState::Failed,
            Some(FailureKind::Permanent),
            0,
        ));
    }
    for kind in AMBIGUOUS {
        cases.push((Answer::Ambiguous { kind, created: true }, LookupPlan::Truthful, RecordState::Sent, None, 1));
        cases.push((Answer::Ambiguous { kind, created: false }, LookupPlan::Truthful, RecordState::Queued, None, 0));
        for created in [true, false] {
            let failed = (RecordState::Failed, Some(FailureKind::Ambiguous), usize::from(created));
            cases.push((Answer::Ambiguous { kind, created }, LookupPlan::Fails, failed.0, failed.1, failed.2));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(intake::store::STORE_FILE);
    runtime().block_on(async {
        let outbox = Outbox::open(&path).unwrap();
        let api = FakeApi::new();
        for (n, (answer, lookup, state, failure, on_server)) in cases.into_iter().enumerate() {
            let key = format!("C-{n}");
            let id = queued_record(&outbox, &key).await;
            let claim = outbox.claim(id.clone()).await.unwrap().unwrap();
            api.plan(answer, &[lookup]);
            let report = outbox.send(claim, &api).await.unwrap();
            let record = outbox.with_store(move |store| store.get(&id)).await.unwrap().unwrap();
            let what = format!("{answer:?} with a {lookup:?} lookup");
            assert_eq!((report.state, record.state, record.failure), (state, state, failure), "{what}");
            assert_eq!(api.server().count(&key), on_server, "{what}");
            let server_id = api.server().customers.get(&key).and_then(|ids| ids.first().cloned());
            let kept = record.server_id.clone().filter(|_| state == RecordState::Sent);
            assert_eq!(kept, server_id.filter(|_| state == RecordState::Sent), "{what}");
            assert_eq!(record.attempts, 1, "{what}");
        }
    });
}
