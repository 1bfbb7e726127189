//! [`OutboxWorker`]: the window's outbox, a task on the background runtime that sends every
//! queued record of the known profiles, by itself, without ever blocking typing.
//!
//! It claims due records (four at a time, within each profile's rate limit), sends them through [`crate::outbox::Outbox`] and
//! hands each ending to the UI as an [`OutboxEvent`] (its exchanges already prepared for the
//! viewer). When a profile's backend cannot be reached, its queue waits and the worker probes
//! with backoff (2 s, 4 s … 60 s), resuming by itself when the backend answers. At start, and
//! every half minute, it settles attempts that a stopped process left unfinished. A bell
//! ([`tokio::sync::Notify`]) wakes it when something was queued; otherwise it sleeps until the
//! next record is due.

mod runner;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use self::runner::Runner;
use crate::outbox::{AttemptReport, Outbox, Pacers};
use crate::profiles::Profile;
use crate::store::{Millis, RecordId};
use crate::sync::lock;
use crate::ui::client_pool::ClientPool;
use crate::ui::error::UiError;
use crate::ui::jobs::{Background, Job};
use crate::ui::viewer::PreparedExchange;

/// Records sent at the same time by the window.
const CONCURRENCY: usize = 4;
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
    /// Profiles holding back due records for their rate limit, until when.
    pub paced: BTreeMap<String, std::time::Instant>,
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
            pacers: Pacers::default(),
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
