//! The forms as records of the store: which record each backend's form is, loading the last
//! one at start, and autosave — every change handed to the store's writer as it happens.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;

use super::IntakeApp;
use crate::model::{Backend, Draft, PerBackend};
use crate::profiles::Profile;
use crate::store::{DraftEdit, FailureKind, Record, RecordId, RecordState, STORE_FILE, Store, StoreError};
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
    /// The send the person waits for.
    pub awaiting: Option<Awaiting>,
    /// The database, when it could be opened.
    store_path: Option<PathBuf>,
    /// A private folder for the store when the app has no data folder (tests); removed with it.
    temp_home: Option<tempfile::TempDir>,
}

impl FormRecords {
    /// Opens the store at `path` (or in a private temporary folder), puts each backend's last
    /// editable record in the form, and moves drafts an older Intake kept in its window state
    /// (`legacy`) into the store. A store that cannot open is said once; typing then works but
    /// is not saved.
    pub fn load(
        path: Option<&Path>,
        legacy: &PerBackend<Option<Value>>,
        profile: &Profile,
        form: &mut FormState,
    ) -> (Self, Option<Notice>) {
        let mut records = Self {
            current: PerBackend::default(),
            saved: PerBackend::default(),
            looked_at: PerBackend::default(),
            pending: PerBackend::default(),
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
        let mut store = match Store::open(&path) {
            Ok(store) => store,
            Err(error) => return (records, Some(not_saved(&error.to_string()))),
        };
        records.store_path = Some(path);
        let mut problem = None;
        for backend in Backend::ALL {
            if let Err(error) = records.load_backend(&mut store, backend, legacy.get(backend).as_ref(), profile, form) {
                problem = Some(not_saved(&error.to_string()));
            }
            // What was typed before the restart shows its problems again.
            form.touch_filled_fields(backend);
        }
        (records, problem)
    }

    fn load_backend(
        &mut self,
        store: &mut Store,
        backend: Backend,
        legacy: Option<&Value>,
        profile: &Profile,
        form: &mut FormState,
    ) -> Result<(), StoreError> {
        if let Some(record) = store.latest(backend)? {
            if !record.state.is_editable() {
                return Ok(());
            }
            if has_phone(backend, &record.body) && !crate::validation::is_phone_metadata_warm() {
                *self.pending.get_mut(backend) = Some((record, form.revision(backend)));
            } else {
                self.restore(backend, record, form);
            }
            return Ok(());
        }
        let Some(body) = legacy.filter(|body| **body != Draft::new(backend).to_json()) else { return Ok(()) };
        let profile = if profile.backend() == backend {
            profile.name.clone()
        } else {
            Profile::builtins().into_iter().find(|p| p.backend() == backend).map(|p| p.name).unwrap_or_default()
        };
        let edit = DraftEdit {
            id: RecordId::new(),
            backend,
            profile: profile.clone(),
            body: body.clone(),
            valid: !has_errors(&validate_draft(backend, body)),
        };
        store.save_draft(&edit)?;
        form.replace(Draft::from_json(backend, body));
        let mut current = CurrentRecord::new(&profile);
        current.id = edit.id;
        current.state = if edit.valid { RecordState::Ready } else { RecordState::Draft };
        *self.current.get_mut(backend) = Some(current);
        *self.saved.get_mut(backend) = Some(body.clone());
        Ok(())
    }

    /// The database, when it could be opened.
    pub fn store_path(&self) -> Option<&Path> {
        self.store_path.as_deref()
    }

    /// Whether a restored record waits for the phone metadata.
    pub fn is_restore_pending(&self) -> bool {
        Backend::ALL.iter().any(|backend| self.pending.get(*backend).is_some())
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

fn not_saved(reason: &str) -> Notice {
    Notice::error(format!("Drafts cannot be saved ({reason}): what is typed stays only while the window is open."))
}

impl IntakeApp {
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
        for backend in Backend::ALL {
            let revision = self.form.revision(backend);
            if *self.records.looked_at.get(backend) != Some(revision) {
                *self.records.looked_at.get_mut(backend) = Some(revision);
                self.autosave_backend(backend);
            }
        }
    }

    fn autosave_backend(&mut self, backend: Backend) {
        let active = backend == self.backend();
        let body = if active {
            self.form.refresh(backend);
            self.form.draft_json().cloned().unwrap_or_else(|| self.form.draft(backend).to_json())
        } else {
            self.form.draft(backend).to_json()
        };
        if self.records.saved.get(backend).as_ref() == Some(&body) {
            return;
        }
        if self.records.current.get(backend).is_none() && body == Draft::new(backend).to_json() {
            // A new, empty form is not a record yet.
            *self.records.saved.get_mut(backend) = Some(body);
            return;
        }
        // The active form is typed for the active profile; the other keeps its record's.
        let fallback = if active { Some(self.profile.name.clone()) } else { self.profile_of(backend) };
        let kept = self.records.current.get(backend).as_ref().filter(|_| !active).map(|c| c.profile.clone());
        let Some(profile) = kept.or(fallback) else { return };
        let current = self.records.current.get_mut(backend).get_or_insert_with(|| CurrentRecord::new(&profile));
        if !current.state.is_editable() {
            return;
        }
        let valid = if active { self.form.error_count() == 0 } else { !has_errors(&validate_draft(backend, &body)) };
        current.state = if valid { RecordState::Ready } else { RecordState::Draft };
        current.failure = None;
        current.profile.clone_from(&profile);
        let edit = DraftEdit { id: current.id.clone(), backend, profile, body, valid };
        *self.records.saved.get_mut(backend) = Some(edit.body.clone());
        if let Some(store) = &mut self.store {
            store.send(StoreRequest::Save(edit));
        }
    }

    /// A profile of `backend`, for a form typed while another backend's profile is active.
    fn profile_of(&self, backend: Backend) -> Option<String> {
        self.profiles.profiles().iter().find(|p| p.backend() == backend).map(|p| p.name.clone())
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
