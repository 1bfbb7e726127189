//! [`OutboxWorker`]: the window's outbox, a task on the background runtime that sends every
//! queued record of the known profiles, by itself, without ever blocking typing.
//!
//! It claims due records (two at a time), sends them through [`crate::outbox::Outbox`] and
//! hands each ending to the UI as an [`OutboxEvent`] (its exchanges already prepared for the
//! viewer). When a profile's backend cannot be reached, its queue waits and the worker probes
//! with backoff (2 s, 4 s … 60 s), resuming by itself when the backend answers. At start, and
//! every half minute, it settles attempts that a stopped process left unfinished. A bell
//! ([`tokio::sync::Notify`]) wakes it when something was queued; otherwise it sleeps until the
//! next record is due.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::{AbortHandle, JoinSet};

use super::client_pool::ClientPool;
use super::error::UiError;
use super::jobs::{Background, Job};
use crate::backends::{CustomerClient, Exchange, Outcome};
use crate::outbox::{AttemptReport, Outbox};
use crate::profiles::Profile;
use crate::store::{Claim, Millis, RecordId, StoreError, now_millis};
use crate::sync::lock;
use crate::ui::viewer::PreparedExchange;

/// Records sent at the same time by the window.
const CONCURRENCY: usize = 2;
/// How often attempts left by stopped processes are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// The longest the worker sleeps without looking at the queue.
const LONGEST_SLEEP: Duration = Duration::from_mins(1);
/// The longest wait between probes of an offline backend.
const LONGEST_PROBE_WAIT: Duration = Duration::from_mins(1);
/// How long a cancel waits for its record to be claimed before it is dropped.
const CANCEL_WAIT: Duration = Duration::from_secs(10);
/// Endings kept for the UI before the oldest are dropped (their records are in the store).
const KEPT_EVENTS: usize = 256;

/// An ending, for the UI.
#[derive(Debug)]
pub struct OutboxEvent {
    /// What happened (its exchanges moved to `prepared`).
    pub report: AttemptReport,
    /// The attempt's exchanges, read for the viewer.
    pub prepared: Vec<PreparedExchange>,
}

/// A profile whose backend cannot be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offline {
    /// What the last probe ran into.
    pub reason: String,
    /// When the next probe goes out.
    pub next_probe_at: Millis,
}

/// What the worker is doing, for the top bar and the Drafts panel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxStatus {
    /// Profiles whose backend cannot be reached.
    pub offline: BTreeMap<String, Offline>,
    /// Profiles whose records cannot be sent yet, and why (no secret, the sandbox not running).
    pub blocked: BTreeMap<String, String>,
    /// Records being sent now, with their profile and when the attempt began.
    pub in_flight: BTreeMap<RecordId, (String, std::time::Instant)>,
    /// Records waiting in the queue, by profile (as of the worker's last look).
    pub queued: BTreeMap<String, usize>,
}

#[derive(Debug, Default)]
struct Shared {
    profiles: Mutex<HashMap<String, Profile>>,
    events: Mutex<VecDeque<OutboxEvent>>,
    status: Mutex<OutboxStatus>,
    /// Records to stop waiting for, with when it was asked (an ask for a record not claimed yet
    /// waits a little: the claim may be under way).
    cancels: Mutex<Vec<(RecordId, std::time::Instant)>>,
    failure: Mutex<Option<String>>,
}

/// The UI's handle on the outbox task.
#[derive(Debug)]
pub struct OutboxWorker {
    shared: Arc<Shared>,
    bell: Arc<Notify>,
    /// The task; its end (a lost runtime) is reported once.
    task: Job<()>,
}

impl OutboxWorker {
    /// Starts the outbox of the store at `store_path` on `background`; `bell` is rung by
    /// whoever queues a record.
    pub fn start(
        background: &Background,
        ctx: &egui::Context,
        store_path: &std::path::Path,
        pool: Arc<ClientPool>,
        bell: Arc<Notify>,
    ) -> Result<Self, UiError> {
        let shared = Arc::new(Shared::default());
        let outbox = Outbox::open(store_path).map_err(|e| UiError::Store(e.to_string()))?;
        let runner = Runner {
            shared: Arc::clone(&shared),
            outbox,
            pool,
            bell: Arc::clone(&bell),
            ctx: ctx.clone(),
            in_flight: HashMap::new(),
            probes: HashMap::new(),
        };
        let task = background.spawn(ctx, runner.run())?;
        Ok(Self { shared, bell, task })
    }

    /// The profiles whose records the window sends (all of them; changed when they change).
    pub fn set_profiles(&self, profiles: &[Profile]) {
        let known: HashMap<String, Profile> = profiles.iter().map(|p| (p.name.clone(), p.clone())).collect();
        let mut current = lock(&self.shared.profiles);
        if *current != known {
            *current = known;
            lock(&self.shared.status).blocked.clear();
            drop(current);
            self.bell.notify_one();
        }
    }

    /// Looks at the queue now (something was queued, a secret was stored, the sandbox started).
    pub fn wake(&self) {
        lock(&self.shared.status).blocked.clear();
        self.bell.notify_one();
    }

    /// Stops waiting for `record`'s answer: it ends `failed`, possibly created.
    pub fn cancel(&self, record: RecordId) {
        lock(&self.shared.cancels).push((record, std::time::Instant::now()));
        self.bell.notify_one();
    }

    /// The endings since the last call.
    pub fn take_events(&self) -> Vec<OutboxEvent> {
        lock(&self.shared.events).drain(..).collect()
    }

    /// What the worker is doing.
    pub fn status(&self) -> OutboxStatus {
        lock(&self.shared.status).clone()
    }

    /// How long `record` has been sending, when it is.
    pub fn in_flight_for(&self, record: &RecordId) -> Option<Duration> {
        lock(&self.shared.status).in_flight.get(record).map(|(_, started)| started.elapsed())
    }

    /// A failure of the worker itself (the store, the runtime), once.
    pub fn take_failure(&self) -> Option<String> {
        if let Err(lost) = self.task.poll() {
            return Some(format!("The outbox stopped: {lost}"));
        }
        lock(&self.shared.failure).take()
    }
}

/// An attempt under way.
struct InFlight {
    claim: Claim,
    client: CustomerClient,
    abort: AbortHandle,
}

/// The task's state.
struct Runner {
    shared: Arc<Shared>,
    outbox: Outbox,
    pool: Arc<ClientPool>,
    bell: Arc<Notify>,
    ctx: egui::Context,
    /// Attempts under way, by task.
    in_flight: HashMap<tokio::task::Id, InFlight>,
    /// Probes of offline profiles so far.
    probes: HashMap<String, u32>,
}

type Attempt = Result<AttemptReport, StoreError>;

impl Runner {
    async fn run(mut self) {
        let mut tasks: JoinSet<Attempt> = JoinSet::new();
        let mut next_sweep = tokio::time::Instant::now();
        loop {
            self.cancel_requested();
            if tokio::time::Instant::now() >= next_sweep {
                self.settle_abandoned(&mut tasks).await;
                next_sweep = tokio::time::Instant::now() + SWEEP_EVERY;
            }
            while tasks.len() < CONCURRENCY && self.claim_one(&mut tasks).await {}
            let wake_at = self.next_due().await.min(next_sweep);
            tokio::select! {
                () = self.bell.notified() => {}
                Some(joined) = tasks.join_next_with_id(), if !tasks.is_empty() => self.finished(joined, &mut tasks),
                () = tokio::time::sleep_until(wake_at) => {}
            }
        }
    }

    fn fail(&self, what: &str, error: &StoreError) {
        tracing::warn!("{what}: {error}");
        *lock(&self.shared.failure) = Some(format!("{what}: {error}"));
        self.ctx.request_repaint();
    }

    fn known_profiles(&self) -> Vec<Profile> {
        lock(&self.shared.profiles).values().cloned().collect()
    }

    /// The profiles that may send now: known, not blocked, not waiting for a probe.
    fn ready_profiles(&self) -> Vec<Profile> {
        let status = lock(&self.shared.status);
        let now = now_millis();
        let mut ready: Vec<Profile> = self
            .known_profiles()
            .into_iter()
            .filter(|p| !status.blocked.contains_key(&p.name))
            .filter(|p| status.offline.get(&p.name).is_none_or(|o| o.next_probe_at <= now))
            .collect();
        ready.sort_by(|a, b| a.name.cmp(&b.name));
        ready
    }

    async fn client(&self, profile: &Profile) -> Option<CustomerClient> {
        match self.pool.client(profile).await {
            Ok(client) => Some(client),
            Err(reason) => {
                lock(&self.shared.status).blocked.insert(profile.name.clone(), reason);
                self.ctx.request_repaint();
                None
            }
        }
    }

    /// Claims one due record of a ready profile and starts sending it; false when none is due.
    async fn claim_one(&mut self, tasks: &mut JoinSet<Attempt>) -> bool {
        for profile in self.ready_profiles() {
            let due = match self
                .outbox
                .with_store({
                    let name = profile.name.clone();
                    move |store| store.next_due(Some(&name))
                })
                .await
            {
                Ok(due) => due.is_some_and(|at| at <= now_millis()),
                Err(error) => {
                    self.fail("The outbox could not read the queue", &error);
                    return false;
                }
            };
            if !due {
                continue;
            }
            let Some(client) = self.client(&profile).await else { continue };
            match self.outbox.claim_next(Some(profile.name.clone())).await {
                Ok(Some(claim)) => {
                    self.spawn_send(tasks, claim, client);
                    return true;
                }
                Ok(None) => {}
                Err(error) => {
                    self.fail("The outbox could not claim a record", &error);
                    return false;
                }
            }
        }
        false
    }

    fn spawn_send(&mut self, tasks: &mut JoinSet<Attempt>, claim: Claim, client: CustomerClient) {
        let (outbox, sent_claim, sent_client) = (self.outbox.clone(), claim.clone(), client.clone());
        let abort = tasks.spawn(async move { outbox.send(sent_claim, &sent_client).await });
        let started = std::time::Instant::now();
        lock(&self.shared.status).in_flight.insert(claim.record.id.clone(), (claim.record.profile.clone(), started));
        self.in_flight.insert(abort.id(), InFlight { claim, client, abort });
        self.ctx.request_repaint();
    }

    /// Takes over attempts left by stopped processes and reconciles them.
    async fn settle_abandoned(&mut self, tasks: &mut JoinSet<Attempt>) {
        let abandoned = match self.outbox.abandoned(None).await {
            Ok(abandoned) => abandoned,
            Err(error) => return self.fail("The outbox could not look for unfinished attempts", &error),
        };
        let known: HashMap<String, Profile> = lock(&self.shared.profiles).clone();
        for record in abandoned {
            let Some(profile) = known.get(&record.profile) else { continue };
            let Some(client) = self.client(profile).await else { continue };
            match self.outbox.take_over(record).await {
                Ok(Some(claim)) => {
                    let (outbox, taken, taken_client) = (self.outbox.clone(), claim.clone(), client.clone());
                    let abort = tasks.spawn(async move { outbox.reconcile(taken, &taken_client).await });
                    let started = std::time::Instant::now();
                    let entry = (claim.record.profile.clone(), started);
                    lock(&self.shared.status).in_flight.insert(claim.record.id.clone(), entry);
                    self.in_flight.insert(abort.id(), InFlight { claim, client, abort });
                }
                Ok(None) => {}
                Err(error) => self.fail("The outbox could not take over an unfinished attempt", &error),
            }
        }
    }

    /// Stops the attempts the person cancelled; each settles as a cancelled send.
    fn cancel_requested(&self) {
        let in_flight = &self.in_flight;
        lock(&self.shared.cancels).retain(|(record, asked)| {
            match in_flight.values().find(|f| f.claim.record.id == *record) {
                Some(flight) => {
                    // The aborted task comes back from `join_next` as cancelled; it is settled there.
                    flight.abort.abort();
                    false
                }
                None => asked.elapsed() < CANCEL_WAIT,
            }
        });
    }

    /// Takes in a finished (or aborted) attempt.
    fn finished(
        &mut self,
        joined: Result<(tokio::task::Id, Attempt), tokio::task::JoinError>,
        tasks: &mut JoinSet<Attempt>,
    ) {
        let (task, attempt) = match joined {
            Ok((task, attempt)) => (task, attempt),
            Err(error) => {
                let task = error.id();
                let Some(flight) = self.in_flight.remove(&task) else { return };
                // Cancelled (or the task panicked): no answer will come; the person decides.
                let exchange = cancelled_exchange(&flight.claim, &flight.client);
                let (outbox, claim, client) = (self.outbox.clone(), flight.claim, flight.client);
                tasks.spawn(async move { outbox.settle_exchanges(claim, &client, vec![exchange]).await });
                return;
            }
        };
        if let Some(flight) = self.in_flight.remove(&task) {
            lock(&self.shared.status).in_flight.remove(&flight.claim.record.id);
        }
        match attempt {
            Ok(report) => self.report(report),
            Err(error) => self.fail("The outbox could not record an attempt", &error),
        }
    }

    /// Hands an ending to the UI, and follows the profile's reachability.
    fn report(&mut self, mut report: AttemptReport) {
        {
            let mut status = lock(&self.shared.status);
            status.in_flight.remove(&report.record);
            if report.offline {
                let probes = self.probes.entry(report.profile.clone()).or_insert(0);
                *probes += 1;
                let wait = Duration::from_secs(1 << (*probes).min(6)).min(LONGEST_PROBE_WAIT);
                let next_probe_at = now_millis() + Millis::try_from(wait.as_millis()).unwrap_or(60_000);
                let reason = report.exchanges.last().map(Exchange::summary).unwrap_or_default();
                status.offline.insert(report.profile.clone(), Offline { reason, next_probe_at });
                let (outbox, profile) = (self.outbox.clone(), report.profile.clone());
                tokio::spawn(
                    async move { outbox.with_store(move |s| s.postpone_queued(&profile, next_probe_at)).await },
                );
            } else {
                self.probes.remove(&report.profile);
                status.offline.remove(&report.profile);
            }
        }
        let prepared = std::mem::take(&mut report.exchanges).into_iter().map(PreparedExchange::new).collect();
        let mut events = lock(&self.shared.events);
        if events.len() >= KEPT_EVENTS {
            events.pop_front();
        }
        events.push_back(OutboxEvent { report, prepared });
        drop(events);
        self.ctx.request_repaint();
    }

    /// When to look at the queue next: the earliest due record of a known profile, or a
    /// minute from now.
    async fn next_due(&self) -> tokio::time::Instant {
        // Blocked profiles wait for the bell (a secret stored, the sandbox started).
        let (blocked, probes) = {
            let status = lock(&self.shared.status);
            let probes: HashMap<String, Millis> =
                status.offline.iter().map(|(name, offline)| (name.clone(), offline.next_probe_at)).collect();
            (status.blocked.clone(), probes)
        };
        let names: Vec<String> =
            self.known_profiles().into_iter().map(|p| p.name).filter(|name| !blocked.contains_key(name)).collect();
        let looked = self
            .outbox
            .with_store(move |store| {
                let mut earliest: Option<Millis> = None;
                let mut queued = BTreeMap::new();
                for name in &names {
                    if let Some(at) = store.next_due(Some(name))? {
                        // An offline profile's records wait for its next probe, however due: a
                        // record queued since the last probe is due at once, and the loop spun
                        // (claiming nothing) until the probe.
                        let at = probes.get(name).map_or(at, |probe| at.max(*probe));
                        earliest = Some(earliest.map_or(at, |e| e.min(at)));
                    }
                    let count = store.count(crate::store::RecordState::Queued, Some(name))?;
                    if count > 0 {
                        queued.insert(name.clone(), count);
                    }
                }
                Ok((earliest, queued))
            })
            .await;
        let due = match looked {
            Ok((due, queued)) => {
                let mut status = lock(&self.shared.status);
                if status.queued != queued {
                    status.queued = queued;
                    self.ctx.request_repaint();
                }
                due
            }
            Err(error) => {
                self.fail("The outbox could not read the queue", &error);
                None
            }
        };
        let wait = due.map_or(LONGEST_SLEEP, |at| {
            Duration::from_millis(u64::try_from(at - now_millis()).unwrap_or(0)).min(LONGEST_SLEEP)
        });
        tokio::time::Instant::now() + wait
    }
}

/// The record of a send the person stopped waiting for.
fn cancelled_exchange(claim: &Claim, client: &CustomerClient) -> Exchange {
    let body = claim.record.payload.as_ref().unwrap_or(&claim.record.body).to_string();
    let mut exchange =
        Exchange::unanswered(client.backend(), "POST", client.create_url(), Some(body), Outcome::Cancelled);
    let started = claim.record.attempt_started_at.unwrap_or_else(now_millis);
    exchange.latency = Duration::from_millis(u64::try_from(now_millis() - started).unwrap_or(0));
    exchange
}
