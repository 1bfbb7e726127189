//! Read access to the window's state, for tests and benchmarks (and the few commands they
//! drive directly). Nothing here changes what the window does.

use super::records::CurrentRecord;
use super::{IntakeApp, SidePanel};
use crate::credentials::CheckReport;
use crate::model::{Backend, Tab};
use crate::profiles::{Profile, ProfileStore};
use crate::store::RecordState;
use crate::ui::drafts::DraftsPanel;
use crate::ui::form_state::FormState;
use crate::ui::import::{ImportCommand, ImportOptions, ImportWindow, Stage};
use crate::ui::notice::Notice;
use crate::ui::outbox_worker::{OutboxStatus, OutboxWorker};
use crate::ui::viewer::ResponseViewer;

impl IntakeApp {
    /// The active profile's backend.
    pub fn backend(&self) -> Backend {
        self.profile.backend()
    }

    /// The active profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The profiles the picker offers.
    pub fn profiles(&self) -> &ProfileStore {
        &self.profiles
    }

    /// The response viewer.
    pub fn viewer(&self) -> &ResponseViewer {
        &self.viewer
    }

    /// Whether the form's record is being sent (Submit, or the outbox's own send of it), or
    /// checked for duplicates before it is.
    pub fn is_sending(&self) -> bool {
        self.sending_elapsed().is_some() || self.is_checking_duplicates()
    }

    /// Whether the duplicate warning (a customer found, or a lookup that failed) is on screen.
    pub fn is_duplicate_warning_open(&self) -> bool {
        self.is_asking_about_duplicates()
    }

    /// The state of the record the form of the active backend is, if it has one yet.
    pub fn record_state(&self) -> Option<RecordState> {
        self.records.current.get(self.backend()).as_ref().map(|r| r.state)
    }

    /// The record the form of the active backend is.
    pub fn current_record(&self) -> Option<&CurrentRecord> {
        self.records.current.get(self.backend()).as_ref()
    }

    /// Whether the window is still getting ready: the last drafts being read from the store
    /// (or waiting for the phone metadata), the store's writer not started yet.
    pub fn is_restoring(&self) -> bool {
        self.records.is_loading() || self.records.is_restore_pending() || self.records_pending_writer()
    }

    /// The Drafts panel.
    pub fn drafts(&self) -> &DraftsPanel {
        &self.drafts
    }

    /// The outbox's state (offline profiles, records in flight), once it runs.
    pub fn outbox_status(&self) -> Option<OutboxStatus> {
        self.outbox.as_ref().map(OutboxWorker::status)
    }

    /// The store's database file.
    pub fn store_path(&self) -> Option<&std::path::Path> {
        self.records.store_path()
    }

    /// Writes every pending change to the store and waits (at most `timeout`): on close, and
    /// for tests that look at the database.
    pub fn flush_store(&mut self, timeout: std::time::Duration) -> bool {
        if self.records_pending_writer() {
            // Closed in its first moments, before the writer started: written here.
            return self.write_changes_directly().is_ok();
        }
        self.records_autosave();
        self.store.as_mut().is_none_or(|store| store.flush_blocking(timeout))
    }

    /// Whether Help Scout property definitions are being fetched.
    pub fn is_loading_definitions(&self) -> bool {
        self.network.is_fetching_definitions()
    }

    /// Whether keyring reads or changes are under way.
    pub fn is_keyring_busy(&self) -> bool {
        self.vault_jobs.is_busy()
    }

    /// Whether a credentials test is under way.
    pub fn is_testing_credentials(&self) -> bool {
        self.network.checking().is_some()
    }

    /// The last "Test credentials" verdict on `profile` this session.
    pub fn credentials_verdict(&self, profile: &str) -> Option<&CheckReport> {
        self.profile_manager.verdict(profile)
    }

    /// Whether the Profiles window is open.
    pub fn is_profile_manager_open(&self) -> bool {
        self.profile_manager.is_open()
    }

    /// Whether "Send to production profile X?" is showing.
    pub fn is_confirming_production(&self) -> bool {
        self.confirm_production
    }

    /// What the right-hand panel shows.
    pub fn side_panel(&self) -> SidePanel {
        self.side
    }

    /// The form state.
    pub fn form(&self) -> &FormState {
        &self.form
    }

    /// The form state, for filling it from code; its edit methods keep issues and preview
    /// current.
    pub fn form_mut(&mut self) -> &mut FormState {
        &mut self.form
    }

    /// The status line, if any.
    pub fn status(&self) -> Option<&Notice> {
        self.status.as_ref()
    }

    /// Whether a file dialog or file read/write is under way.
    pub fn is_file_busy(&self) -> bool {
        self.files.is_busy()
    }

    /// The tab shown.
    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// Where the in-process sandbox listens, once it runs.
    pub fn sandbox_address(&self) -> Option<std::net::SocketAddr> {
        self.network.sandbox().map(crate::sandbox::SandboxServer::addr)
    }

    /// The Import window.
    pub fn import_window(&self) -> &ImportWindow {
        &self.import
    }

    /// Imports `path` as a dropped file would (benchmarks).
    pub fn import_file(&mut self, path: std::path::PathBuf, ctx: &egui::Context) {
        self.run_import_command(ImportCommand::OpenFile(path), ctx);
    }

    /// Presses *Import N rows* on the mapping step with its mapping as shown (benchmarks);
    /// false when the window is not at that step.
    pub fn import_as_shown(&mut self, queue: bool, ctx: &egui::Context) -> bool {
        let Stage::Mapping(dialog) = &self.import.stage else { return false };
        let command = ImportCommand::Import(dialog.mapping.clone(), ImportOptions { remember: false, queue });
        self.run_import_command(command, ctx);
        true
    }
}
