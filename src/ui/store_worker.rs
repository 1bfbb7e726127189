//! [`StoreWorker`]: the window's one writer to the store, on a thread of its own.
//!
//! Every change of the form is handed over as it happens (never written on the UI thread) and
//! written within a second: saves of the same record are merged and written a short moment
//! after the first one, so typing costs one transaction per few keystrokes. Every other request
//! (queue, delete, list…) first writes what is pending, so requests take effect in the order
//! they were made. While idle the thread checks about once a second whether another process
//! (`intake outbox send`) or the outbox worker changed the store, and wakes the UI if so.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::error::UiError;
use super::jobs::{Job, JobReply};
use crate::normalize::normalize_for_sending;
use crate::store::{AttemptRow, DraftEdit, ListFilter, Record, RecordId, RecordState, Store, StoreError};
use crate::sync::lock;
use crate::ui::drafts::ListedRecords;

/// How long saves of a record gather before they are written.
const SAVE_DELAY: Duration = Duration::from_millis(250);
/// How often an idle writer looks for changes made by other processes.
const CHANGE_POLL: Duration = Duration::from_secs(1);
/// Requests waiting for the writer before the UI keeps them itself.
const QUEUE_LEN: usize = 256;

/// A record, whole, with its history.
pub type RecordWithHistory = (Record, Vec<AttemptRow>);

/// What the window asks of the store.
#[derive(Debug)]
pub enum StoreRequest {
    /// Write an edit of the form (merged with later ones of the same record).
    Save(DraftEdit),
    /// Write the edit, then queue the record with its normalised payload.
    Queue {
        /// The form as sent.
        edit: DraftEdit,
        /// The body to send.
        payload: Value,
        /// Whether it worked.
        reply: JobReply<Result<(), StoreError>>,
    },
    /// Queue an editable record again as it is stored, to its profile ("Send again", "Send
    /// anyway").
    Requeue(RecordId, JobReply<Result<(), StoreError>>),
    /// Queue every ready record to its profile; answers how many.
    QueueAllReady(JobReply<Result<usize, StoreError>>),
    /// Take a queued record back out of the outbox.
    Unqueue(RecordId, JobReply<Result<(), StoreError>>),
    /// Hide a record (undo with [`StoreRequest::Restore`]).
    Delete(RecordId, JobReply<Result<(), StoreError>>),
    /// Undo a delete.
    Restore(RecordId, JobReply<Result<(), StoreError>>),
    /// Copy a record as a new draft.
    Duplicate(RecordId, JobReply<Result<RecordId, StoreError>>),
    /// Every record, for the Drafts panel (with its search keys, made here rather than on the
    /// UI thread).
    List(JobReply<Result<ListedRecords, StoreError>>),
    /// One record and its history, to open it.
    Open(RecordId, JobReply<Result<Option<RecordWithHistory>, StoreError>>),
    /// Write what is pending and answer (closing the window, tests).
    Flush(JobReply<()>),
}

/// What the writer thread shares with the UI.
#[derive(Debug, Default)]
struct Shared {
    /// Counts changes to the store (its own writes and other processes'), so views know when
    /// to read again.
    changes: AtomicU64,
    /// The last write that failed, said once.
    failure: Mutex<Option<String>>,
}

/// The UI's handle on the writer thread.
#[derive(Debug)]
pub struct StoreWorker {
    sender: SyncSender<StoreRequest>,
    /// Requests the full channel did not take yet; sent again next frame.
    backlog: VecDeque<StoreRequest>,
    shared: Arc<Shared>,
    path: PathBuf,
}

impl StoreWorker {
    /// Opens the store at `path` and starts its writer; `queued` is woken after a record is
    /// queued (the outbox worker's bell).
    pub fn start(path: PathBuf, ctx: &egui::Context, queued: Arc<tokio::sync::Notify>) -> Result<Self, UiError> {
        let store = Store::open(&path).map_err(|e| UiError::Store(e.to_string()))?;
        let (sender, receiver) = sync_channel(QUEUE_LEN);
        let shared = Arc::new(Shared::default());
        let writer = Writer { store, shared: Arc::clone(&shared), ctx: ctx.clone(), queued, pending: HashMap::new() };
        std::thread::Builder::new()
            .name("intake-store".to_owned())
            .spawn(move || writer.run(&receiver))
            .map_err(|e| UiError::Thread { name: "intake-store".to_owned(), reason: e.to_string() })?;
        Ok(Self { sender, backlog: VecDeque::new(), shared, path })
    }

    /// The database file.
    pub fn path(&self) -> &PathBuf {
        &self.path
    }

    /// Hands `request` to the writer; never blocks (a full queue keeps it for the next frame).
    pub fn send(&mut self, request: StoreRequest) {
        self.backlog.push_back(request);
        self.send_backlog();
    }

    /// Hands over what the writer did not take yet; true when nothing is left waiting.
    pub fn send_backlog(&mut self) -> bool {
        while let Some(request) = self.backlog.pop_front() {
            match self.sender.try_send(request) {
                Ok(()) => {}
                Err(TrySendError::Full(request)) => {
                    self.backlog.push_front(request);
                    return false;
                }
                Err(TrySendError::Disconnected(_)) => {
                    *lock(&self.shared.failure) = Some("the store's writer stopped".to_owned());
                    self.backlog.clear();
                    return true;
                }
            }
        }
        true
    }

    /// A request whose answer comes back as a job.
    pub fn ask<T>(&mut self, ctx: &egui::Context, make: impl FnOnce(JobReply<T>) -> StoreRequest) -> Job<T> {
        let (reply, job) = Job::channel(ctx);
        self.send(make(reply));
        job
    }

    /// Counts the store's changes (own writes and other processes'): read again when it moves.
    pub fn changes(&self) -> u64 {
        self.shared.changes.load(Ordering::Relaxed)
    }

    /// The last write that failed, once.
    pub fn take_failure(&self) -> Option<String> {
        lock(&self.shared.failure).take()
    }

    /// Writes everything pending and waits for it (at most `timeout`): on close, so the last
    /// keystrokes are on disk before the process ends.
    pub fn flush_blocking(&mut self, timeout: Duration) -> bool {
        let started = Instant::now();
        while !self.send_backlog() {
            if started.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let (reply, job) = Job::channel(&egui::Context::default());
        self.send(StoreRequest::Flush(reply));
        while started.elapsed() < timeout {
            match job.poll() {
                Ok(Some(())) => return true,
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(_) => return false,
            }
        }
        false
    }
}

/// The writer thread's state.
struct Writer {
    store: Store,
    shared: Arc<Shared>,
    ctx: egui::Context,
    queued: Arc<tokio::sync::Notify>,
    /// Saves not written yet, by record, with when the first of them arrived.
    pending: HashMap<RecordId, (DraftEdit, Instant)>,
}

impl Writer {
    fn run(mut self, receiver: &Receiver<StoreRequest>) {
        let mut version = self.store.data_version().unwrap_or(0);
        loop {
            let wait = self.pending.values().map(|(_, since)| SAVE_DELAY.saturating_sub(since.elapsed())).min();
            match receiver.recv_timeout(wait.unwrap_or(CHANGE_POLL)) {
                Ok(StoreRequest::Save(edit)) => {
                    let since = self.pending.get(&edit.id).map_or_else(Instant::now, |(_, since)| *since);
                    self.pending.insert(edit.id.clone(), (edit, since));
                }
                Ok(request) => {
                    self.write_pending();
                    self.handle(request);
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.write_due();
                    // Another connection committed (the outbox, another process): say so.
                    let now = self.store.data_version().unwrap_or(version);
                    if now != version {
                        version = now;
                        self.changed();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.write_pending();
                    return;
                }
            }
        }
    }

    fn changed(&self) {
        self.shared.changes.fetch_add(1, Ordering::Relaxed);
        self.ctx.request_repaint();
    }

    /// Reports a failure once: the window shows it in the status line.
    fn fail(&self, what: &str, error: &StoreError) {
        *lock(&self.shared.failure) = Some(format!("{what}: {error}"));
        self.ctx.request_repaint();
    }

    /// Writes the saves that have waited long enough.
    fn write_due(&mut self) {
        let due: Vec<RecordId> = self
            .pending
            .iter()
            .filter(|(_, (_, since))| since.elapsed() >= SAVE_DELAY)
            .map(|(id, _)| id.clone())
            .collect();
        for id in due {
            if let Some((edit, _)) = self.pending.remove(&id) {
                self.save(&edit);
            }
        }
    }

    fn write_pending(&mut self) {
        for (_, (edit, _)) in std::mem::take(&mut self.pending) {
            self.save(&edit);
        }
    }

    fn save(&mut self, edit: &DraftEdit) {
        match self.store.save_draft(edit) {
            Ok(_) => self.changed(),
            Err(error) => self.fail("The draft could not be saved", &error),
        }
    }

    fn handle(&mut self, request: StoreRequest) {
        match request {
            StoreRequest::Save(edit) => self.save(&edit),
            StoreRequest::Queue { edit, payload, reply } => {
                let store = &mut self.store;
                let result = store.save_draft(&edit).and_then(|_| store.queue(&edit.id, &edit.profile, &payload));
                self.queued_reply(result, reply);
            }
            StoreRequest::Requeue(id, reply) => {
                let result = requeue(&mut self.store, &id);
                self.queued_reply(result, reply);
            }
            StoreRequest::QueueAllReady(reply) => {
                let result = queue_all_ready(&mut self.store);
                if result.as_ref().is_ok_and(|queued| *queued > 0) {
                    self.queued.notify_one();
                }
                self.reply(result, reply);
            }
            StoreRequest::Unqueue(id, reply) => {
                let result = self.store.unqueue(&id);
                self.reply(result, reply);
            }
            StoreRequest::Delete(id, reply) => {
                let result = self.store.delete(&id);
                self.reply(result, reply);
            }
            StoreRequest::Restore(id, reply) => {
                let result = self.store.restore(&id);
                self.reply(result, reply);
            }
            StoreRequest::Duplicate(id, reply) => {
                let result = self.store.duplicate(&id);
                self.reply(result, reply);
            }
            StoreRequest::List(reply) => {
                reply.send(self.store.summaries(&ListFilter::default()).map(ListedRecords::new));
            }
            StoreRequest::Open(id, reply) => {
                let store = &self.store;
                let opened = store.get(&id).and_then(|record| match record {
                    Some(record) => store.history(&id).map(|history| Some((record, history))),
                    None => Ok(None),
                });
                reply.send(opened);
            }
            StoreRequest::Flush(reply) => reply.send(()),
        }
    }

    /// Answers a change; a successful one counts as a change of the store.
    fn reply<T>(&self, result: Result<T, StoreError>, reply: JobReply<Result<T, StoreError>>) {
        if result.is_ok() {
            self.changed();
        }
        reply.send(result);
    }

    /// Answers a queueing, and rings the outbox's bell when it worked.
    fn queued_reply(&self, result: Result<(), StoreError>, reply: JobReply<Result<(), StoreError>>) {
        if result.is_ok() {
            self.queued.notify_one();
        }
        self.reply(result, reply);
    }
}

/// Queues `id` again with the body it holds, normalised, to its own profile.
fn requeue(store: &mut Store, id: &RecordId) -> Result<(), StoreError> {
    let record = store.get(id)?.ok_or_else(|| StoreError::NotFound(id.clone()))?;
    let payload = normalize_for_sending(record.backend, &record.body);
    store.queue(id, &record.profile, &payload)
}

/// Queues every ready record to its own profile; how many.
fn queue_all_ready(store: &mut Store) -> Result<usize, StoreError> {
    let ready = store.records(&ListFilter { state: Some(RecordState::Ready), profile: None })?;
    for record in &ready {
        let payload = normalize_for_sending(record.backend, &record.body);
        store.queue(&record.id, &record.profile, &payload)?;
    }
    Ok(ready.len())
}
