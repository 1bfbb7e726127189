//! The forms as records of the store: which record each backend's form is, loading the last
//! one at start, and autosave — every change handed to the store's writer as it happens.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::Value;

use super::IntakeApp;
use crate::model::{Backend, Draft, PerBackend};
use crate::profiles::Profile;
use crate::store::{DraftEdit, FailureKind, Record, RecordId, RecordState, STORE_FILE, Store, StoreError};
use crate::sync::lock;
use crate::ui::form_state::FormState;
use crate::ui::jobs::Job;
use crate::ui::notice::Notice;
use crate::ui::outbox_worker::OutboxWorker;
use crate::ui::store_worker::{StoreRequest, StoreWorker};
use crate::validation::{has_errors, validate_draft};

/// The record a form is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentRecord {
    /// Its id.
    pub id: RecordId,
    /// Where it is in its life (as last known here).
    pub state: RecordState,
    /// The profile it is for.
    pub profile: String,
    /// The server's id, once sent.
    pub server_id: Option<String>,
    /// The last sentence about it.
    pub message: Option<String>,
    /// Why a failed record waits.
    pub failure: Option<FailureKind>,
}

impl CurrentRecord {
    fn new(profile: &str) -> Self {
        Self {
            id: RecordId::new(),
            state: RecordState::Draft,
            profile: profile.to_owned(),
            server_id: None,
            message: None,
            failure: None,
        }
    }

    /// The record as the store has it.
    pub fn of(record: &Record) -> Self {
        Self {
            id: record.id.clone(),
            state: record.state,
            profile: record.profile.clone(),
            server_id: record.server_id.clone(),
            message: record.message.clone(),
            failure: record.failure,
        }
    }
}

/// A send the person started and waits for (the spinner, Cancel).
#[derive(Debug)]
pub(super) struct Awaiting {
    /// The record.
    pub id: RecordId,
    /// Its backend.
    pub backend: Backend,
    /// The body as typed when sent, to tell later edits from what the server refused.
    pub draft: Value,
    /// When Submit was pressed.
    pub started: Instant,
    /// The store's answer to queueing it.
    pub queued: Option<Job<Result<(), StoreError>>>,
    /// The store's answer to taking it back out of the queue (Cancel before it went out).
    pub unqueued: Option<Job<Result<(), StoreError>>>,
}

/// The read of the last records at start.
#[derive(Debug)]
struct Loading {
    receiver: Receiver<Result<PerBackend<Option<Record>>, StoreError>>,
    /// The window to wake when the read is done (known from the first frame on).
    wake: Arc<Mutex<Option<egui::Context>>>,
    /// Starts the read (after the first frame).
    go: Option<std::sync::mpsc::SyncSender<()>>,
}

/// The forms' records and where the store is.
#[derive(Debug)]
pub(super) struct FormRecords {
    /// The record each backend's form is; `None` for a new form not typed in yet.
    pub current: PerBackend<Option<CurrentRecord>>,
    /// The body last handed to the store, per backend.
    pub saved: PerBackend<Option<Value>>,
    /// The form's revision that was last looked at, per backend.
    pub looked_at: PerBackend<Option<u64>>,
    /// A record to put back in the form once the phone metadata is loaded (its phone would
    /// otherwise be checked on the UI thread, loading the metadata there before the first
    /// frame), with the form's revision when it was found: typed in meanwhile, it stays in the
    /// Drafts list instead.
    pending: PerBackend<Option<(Record, u64)>>,
    /// The read of the last records, under way.
    loading: Option<Loading>,
    /// The send the person waits for.
    pub awaiting: Option<Awaiting>,
    /// The database, when it could be opened.
    store_path: Option<PathBuf>,
    /// A private folder for the store when the app has no data folder (tests); removed with it.
    temp_home: Option<tempfile::TempDir>,
}

impl FormRecords {
    /// Starts reading, off the UI thread, each backend's last editable record from the store at
    /// `path` (or in a private temporary folder), moving drafts an older Intake kept in its
    /// window state (`legacy`) into the store first. The records go into the form when they
    /// arrive ([`IntakeApp::poll_restore`]), so opening (or creating) the store costs the first
    /// frame nothing. A store that cannot open is said once; typing then works but is not saved.
    pub fn start(path: Option<&Path>, legacy: PerBackend<Option<Value>>, profile: &Profile) -> (Self, Option<Notice>) {
        let mut records = Self {
            current: PerBackend::default(),
            saved: PerBackend::default(),
            looked_at: PerBackend::default(),
            pending: PerBackend::default(),
            loading: None,
            awaiting: None,
            store_path: None,
            temp_home: None,
        };
        let path = match path {
            Some(path) => path.to_owned(),
            None => match tempfile::Builder::new().prefix("intake-store-").tempdir() {
                Ok(temp) => {
                    let path = temp.path().join(STORE_FILE);
                    records.temp_home = Some(temp);
                    path
                }
                Err(error) => return (records, Some(not_saved(&error.to_string()))),
            },
        };
        let profiles = PerBackend {
            finosu: profile_for(Backend::Finosu, profile),
            help_scout: profile_for(Backend::HelpScout, profile),
        };
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let (go, gone) = std::sync::mpsc::sync_channel::<()>(1);
        let wake: Arc<Mutex<Option<egui::Context>>> = Arc::default();
        let thread_wake = Arc::clone(&wake);
        let thread_path = path.clone();
        let spawned = std::thread::Builder::new().name("intake-store-load".to_owned()).spawn(move || {
            // Once the first frame is out: the read does not compete with it for the CPU.
            if gone.recv().is_err() {
                return;
            }
            let latest = load_latest(&thread_path, &legacy, &profiles);
            // An empty store changes nothing on screen: the next frame, whatever brings it,
            // takes the answer in (and starts the writer and the outbox, which have nothing to
            // do yet). Start-up paints a frame less.
            let worth_a_frame =
                latest.as_ref().map_or(true, |latest| Backend::ALL.iter().any(|b| latest.get(*b).is_some()));
            sender.send(latest).ok();
            if worth_a_frame && let Some(ctx) = lock(&thread_wake).as_ref() {
                ctx.request_repaint();
            }
        });
        if let Err(error) = spawned {
            return (records, Some(not_saved(&error.to_string())));
        }
        records.store_path = Some(path);
        records.loading = Some(Loading { receiver, wake, go: Some(go) });
        (records, None)
    }

    /// The database, when it could be opened.
    pub fn store_path(&self) -> Option<&Path> {
        self.store_path.as_deref()
    }

    /// Whether a restored record waits for the phone metadata.
    pub fn is_restore_pending(&self) -> bool {
        Backend::ALL.iter().any(|backend| self.pending.get(*backend).is_some())
    }

    /// Whether the last records are still being read from the store.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Puts `record` in `backend`'s form, as the record it is.
    fn restore(&mut self, backend: Backend, record: Record, form: &mut FormState) {
        form.replace(Draft::from_json(backend, &record.body));
        *self.current.get_mut(backend) = Some(CurrentRecord::of(&record));
        *self.saved.get_mut(backend) = Some(record.body);
    }
}

/// Whether a body holds a phone number, whose check needs libphonenumber's metadata.
fn has_phone(backend: Backend, body: &Value) -> bool {
    let filled = |pointer: &str| body.pointer(pointer).is_some_and(crate::validation::has_content);
    match backend {
        Backend::Finosu => filled("/phoneNumber"),
        Backend::HelpScout => filled("/phone") || filled("/phones"),
    }
}

/// The profile a backend's draft from an older Intake is filed under: the active one when it
/// is of that backend, else that backend's built-in sandbox profile.
fn profile_for(backend: Backend, active: &Profile) -> String {
    if active.backend() == backend {
        return active.name.clone();
    }
    Profile::builtins().into_iter().find(|p| p.backend() == backend).map(|p| p.name).unwrap_or_default()
}

/// The store's last editable record of each backend, after moving `legacy` drafts (from an
/// older Intake's window state) into it when the store has none of that backend.
fn load_latest(
    path: &Path,
    legacy: &PerBackend<Option<Value>>,
    profiles: &PerBackend<String>,
) -> Result<PerBackend<Option<Record>>, StoreError> {
    let mut store = Store::open(path)?;
    let mut latest = PerBackend::default();
    for backend in Backend::ALL {
        let record = match store.latest(backend)? {
            Some(record) => Some(record),
            None => match legacy.get(backend).as_ref().filter(|body| **body != Draft::new(backend).to_json()) {
                Some(body) => {
                    let edit = DraftEdit {
                        id: RecordId::new(),
                        backend,
                        profile: profiles.get(backend).clone(),
                        body: body.clone(),
                        valid: !has_errors(&validate_draft(backend, body)),
                    };
                    store.save_draft(&edit)?;
                    store.get(&edit.id)?
                }
                None => None,
            },
        };
        *latest.get_mut(backend) = record.filter(|r| r.state.is_editable());
    }
    Ok(latest)
}

fn not_saved(reason: &str) -> Notice {
    Notice::error(format!("Drafts cannot be saved ({reason}): what is typed stays only while the window is open."))
}

impl IntakeApp {
    /// Takes in the last records read at start: each goes into its form (once the phone
    /// metadata is loaded, if it holds a phone), unless the person typed into that form
    /// meanwhile — it is then in the Drafts list.
    pub(super) fn poll_restore(&mut self, ctx: &egui::Context) {
        let Some(loading) = &mut self.records.loading else { return };
        lock(&loading.wake).get_or_insert_with(|| ctx.clone());
        if ctx.cumulative_pass_nr() > 0
            && let Some(go) = loading.go.take()
        {
            go.send(()).ok();
        }
        let latest = match loading.receiver.try_recv() {
            Err(TryRecvError::Empty) => return,
            Ok(Ok(latest)) => latest,
            Ok(Err(error)) => {
                self.records.loading = None;
                self.records.store_path = None;
                return self.notify(not_saved(&error.to_string()));
            }
            Err(TryRecvError::Disconnected) => {
                self.records.loading = None;
                self.records.store_path = None;
                return self.notify(not_saved("the store could not be read"));
            }
        };
        self.records.loading = None;
        for backend in Backend::ALL {
            let Some(record) = latest.get(backend).clone() else { continue };
            // Revision 0: nothing was typed into this form since the window opened.
            if self.form.revision(backend) != 0 {
                continue;
            }
            if has_phone(backend, &record.body) && !crate::validation::is_phone_metadata_warm() {
                *self.records.pending.get_mut(backend) = Some((record, 0));
            } else {
                self.records.restore(backend, record, &mut self.form);
                self.form.touch_filled_fields(backend);
                if let Some(stats) = &self.frame_stats {
                    stats.on_restored();
                }
            }
        }
    }

    /// Puts the records that waited for the phone metadata in their forms (unless the person
    /// typed into those forms meanwhile: the records are then in the Drafts list).
    pub(super) fn apply_pending_restore(&mut self) {
        for backend in Backend::ALL {
            let Some((record, revision)) = self.records.pending.get_mut(backend).take() else { continue };
            if self.form.revision(backend) == revision {
                self.records.restore(backend, record, &mut self.form);
                self.form.touch_filled_fields(backend);
                if let Some(stats) = &self.frame_stats {
                    stats.on_restored();
                }
            }
        }
    }

    /// Starts the store's writer and the outbox with the first frame (they need its context).
    pub(super) fn start_store_workers(&mut self, ctx: &egui::Context) {
        if self.store.is_some() {
            return;
        }
        let Some(path) = self.records.store_path().map(Path::to_owned) else { return };
        match StoreWorker::start(path.clone(), ctx, std::sync::Arc::clone(&self.outbox_bell)) {
            Ok(store) => self.store = Some(store),
            Err(error) => {
                self.records.store_path = None;
                return self.notify(Notice::from(&error));
            }
        }
        let pool = std::sync::Arc::clone(self.network.pool());
        match OutboxWorker::start(&self.background, ctx, &path, pool, std::sync::Arc::clone(&self.outbox_bell)) {
            Ok(outbox) => {
                outbox.set_profiles(self.profiles.profiles());
                self.outbox = Some(outbox);
            }
            Err(error) => self.notify(Notice::from(&error)),
        }
    }

    /// Hands each form to the store when it changed since it was last handed over: a form is
    /// a record from its first keystroke. A record that can no longer be edited (queued, sent)
    /// is not overwritten.
    pub(super) fn records_autosave(&mut self) {
        // Until the store's writer runs, changes wait in the form (they are handed over then).
        if self.store.is_none() && self.records.store_path().is_some() {
            return;
        }
        for edit in self.changed_forms() {
            if let Some(store) = &mut self.store {
                store.send(StoreRequest::Save(edit));
            }
        }
    }

    /// Writes the changed forms straight to the store, on this thread: for a window closed
    /// before its store's writer started (its first moments), so nothing typed is lost even then.
    pub(super) fn write_changes_directly(&mut self) -> Result<(), StoreError> {
        let Some(path) = self.records.store_path().map(Path::to_owned) else { return Ok(()) };
        let edits = self.changed_forms();
        if edits.is_empty() {
            return Ok(());
        }
        let mut store = Store::open(&path)?;
        edits.iter().try_for_each(|edit| store.save_draft(edit).map(drop))
    }

    /// The edits of the forms that changed since they were last handed over (and marks them
    /// handed over).
    fn changed_forms(&mut self) -> Vec<DraftEdit> {
        let mut edits = Vec::new();
        for backend in Backend::ALL {
            let revision = self.form.revision(backend);
            if *self.records.looked_at.get(backend) != Some(revision) {
                *self.records.looked_at.get_mut(backend) = Some(revision);
                edits.extend(self.autosave_backend(backend));
            }
        }
        edits
    }

    fn autosave_backend(&mut self, backend: Backend) -> Option<DraftEdit> {
        let active = backend == self.backend();
        let body = if active {
            self.form.refresh(backend);
            self.form.draft_json().cloned().unwrap_or_else(|| self.form.draft(backend).to_json())
        } else {
            self.form.draft(backend).to_json()
        };
        if self.records.saved.get(backend).as_ref() == Some(&body) {
            return None;
        }
        if self.records.current.get(backend).is_none() && body == Draft::new(backend).to_json() {
            // A new, empty form is not a record yet.
            *self.records.saved.get_mut(backend) = Some(body);
            return None;
        }
        // The active form is typed for the active profile; the other keeps its record's.
        let fallback = if active { Some(self.profile.name.clone()) } else { self.profile_of(backend) };
        let kept = self.records.current.get(backend).as_ref().filter(|_| !active).map(|c| c.profile.clone());
        let profile = kept.or(fallback)?;
        let current = self.records.current.get_mut(backend).get_or_insert_with(|| CurrentRecord::new(&profile));
        if !current.state.is_editable() {
            return None;
        }
        let valid = if active { self.form.error_count() == 0 } else { !has_errors(&validate_draft(backend, &body)) };
        current.state = if valid { RecordState::Ready } else { RecordState::Draft };
        current.failure = None;
        current.profile.clone_from(&profile);
        let edit = DraftEdit { id: current.id.clone(), backend, profile, body, valid };
        *self.records.saved.get_mut(backend) = Some(edit.body.clone());
        Some(edit)
    }

    /// A profile of `backend`, for a form typed while another backend's profile is active.
    fn profile_of(&self, backend: Backend) -> Option<String> {
        self.profiles.profiles().iter().find(|p| p.backend() == backend).map(|p| p.name.clone())
    }

    /// Whether the store's writer is still to start (it starts with the second frame).
    pub(super) fn records_pending_writer(&self) -> bool {
        self.store.is_none() && self.records.store_path().is_some()
    }

    /// Forgets a profile's client (its settings or secrets changed) and lets the outbox try
    /// its records again.
    pub(super) fn forget_client(&self, profile: &str) {
        self.network.pool().forget(profile);
        if let Some(outbox) = &self.outbox {
            outbox.wake();
        }
    }

    /// Tells the outbox the profiles changed.
    pub(super) fn profiles_changed(&self) {
        if let Some(outbox) = &self.outbox {
            outbox.set_profiles(self.profiles.profiles());
        }
    }
}
