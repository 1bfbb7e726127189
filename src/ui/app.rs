//! [`IntakeApp`]: the window — profile bar, tabs, request preview, status line — and the
//! commands behind its shortcuts.

mod profile_commands;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};

use super::file_worker::{FileRequest, FileResult, FileWorker};
use super::form_state::FormState;
use super::frame_stats::FrameStats;
use super::preview::{preview_text, preview_ui};
use super::profiles::{CredentialSummary, ProfileManager, VaultJobs, kind_noun, production_badge_ui};
use super::state::PersistedState;
use super::submit_worker::{SubmitDone, SubmitWorker};
use super::tabs::{TabsRuntime, tab_ui};
use super::viewer::ResponseViewer;
use crate::backends::Outcome;
use crate::credentials::{CheckReport, Storage, Vault};
use crate::draft_file::{guess_backend, suggested_file_name};
use crate::model::{Backend, Draft, Tab};
use crate::paths::IntakePaths;
use crate::profiles::{Profile, ProfileStore};

/// Ctrl+O: open a draft file.
pub const OPEN_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
/// Ctrl+S: save the draft as JSON.
pub const SAVE_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
/// Ctrl+N: start a new customer.
pub const NEW_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
/// Ctrl+Enter: send the customer.
pub const SUBMIT_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);
/// Ctrl+P: open or close the Profiles window.
pub const PROFILES_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::P);
const TAB_KEYS: [Key; 4] = [Key::Num1, Key::Num2, Key::Num3, Key::Num4];

/// A line in the status bar about the last file action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    /// What happened, in a sentence.
    pub text: String,
    /// Whether it went wrong.
    pub is_error: bool,
}

/// Start-up options that are not remembered state.
#[derive(Debug, Default)]
pub struct AppOptions {
    /// Write frame statistics here (benchmarks).
    pub bench_report: Option<PathBuf>,
    /// When the process started, for the first-frame time.
    pub process_start: Option<Instant>,
    /// A draft file to open once the window is up.
    pub open_draft: Option<PathBuf>,
    /// Where profiles are read from and saved to; `None` keeps only the built-in profiles, in
    /// memory (tests).
    pub paths: Option<IntakePaths>,
    /// Where secrets are kept: the OS keyring ([`Vault::system`]); `None` keeps them for the
    /// session only (tests).
    pub vault: Option<Arc<Vault>>,
}

/// What the right-hand panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SidePanel {
    /// The body that would be sent.
    #[default]
    Request,
    /// This session's attempts.
    Responses,
}

/// The last customer created from this form, so the same draft is not sent twice by mistake.
#[derive(Debug, Clone)]
struct CreatedDraft {
    profile: String,
    draft: serde_json::Value,
    id: Option<String>,
}

/// The Intake window.
#[derive(Debug)]
pub struct IntakeApp {
    profiles: ProfileStore,
    profile: Profile,
    submit: SubmitWorker,
    viewer: ResponseViewer,
    side: SidePanel,
    created: Option<CreatedDraft>,
    /// The Profiles window: list, editor, secrets, Test credentials.
    profile_manager: ProfileManager,
    /// Keyring reads and changes off the UI thread, and what they last read (masked).
    vault_jobs: VaultJobs,
    /// Production profiles whose first send this session was confirmed.
    production_confirmed: std::collections::HashSet<String>,
    /// "Send to production profile X?" is on screen (for the active profile).
    confirm_production: bool,
    /// The in-process sandbox could not start (said once in the status line).
    sandbox_failed: bool,
    /// Profiles whose property definitions were already fetched (or tried) this session.
    definitions_tried: std::collections::HashSet<String>,
    /// The running definitions fetch was asked for (Reload), so its failure is shown.
    definitions_asked: bool,
    /// The phone metadata warm-up was started.
    phone_metadata_requested: bool,
    tab: Tab,
    form: FormState,
    tabs_runtime: TabsRuntime,
    files: FileWorker,
    status: Option<StatusLine>,
    last_dir: Option<PathBuf>,
    preview_cache: Option<(u64, bool, String)>,
    frame_stats: Option<FrameStats>,
    /// The body as last opened from or saved to a file: edits since then are unsaved.
    clean_body: Option<(Backend, serde_json::Value)>,
    /// The body being written by a save under way.
    saving_body: Option<(Backend, serde_json::Value)>,
    /// "Discard the unsaved draft?" is on screen.
    confirm_new: bool,
    /// A draft file to open on the first frame (from the command line).
    open_on_start: Option<PathBuf>,
}

impl IntakeApp {
    /// An app restored from `state` (use `PersistedState::default()` for a first run).
    pub fn new(state: PersistedState, options: AppOptions) -> Self {
        let PersistedState { profile, tab, finosu_draft, help_scout_draft, last_dir } = state;
        let mut status = None;
        let profiles = match options.paths.as_ref().map(ProfileStore::load) {
            None => ProfileStore::builtin_only(),
            Some(Ok(store)) => store,
            Some(Err(error)) => {
                let text = format!("Only the built-in profiles are available: {error}");
                tracing::warn!("{text}");
                status = Some(StatusLine { text, is_error: true });
                ProfileStore::builtin_only()
            }
        };
        let profile = profiles.find(&profile).or_else(|| profiles.profiles().first()).cloned();
        let profile = profile.unwrap_or_else(|| Profile::builtins()[0].clone());
        let mut form = FormState::default();
        if let Some(body) = finosu_draft {
            form.replace(Draft::from_json(Backend::Finosu, &body));
        }
        if let Some(body) = help_scout_draft {
            form.replace(Draft::from_json(Backend::HelpScout, &body));
        }
        // What was typed before the restart shows its problems again.
        for backend in Backend::ALL {
            form.touch_filled_fields(backend);
        }
        let frame_stats = options
            .bench_report
            .map(|path| FrameStats::start(path, options.process_start.unwrap_or_else(Instant::now)));
        let mut app = Self {
            profiles,
            profile,
            submit: SubmitWorker::new(
                options.vault.unwrap_or_else(|| Vault::session_only("the window was opened without a keyring")),
            ),
            viewer: ResponseViewer::default(),
            side: SidePanel::default(),
            created: None,
            profile_manager: ProfileManager::default(),
            vault_jobs: VaultJobs::default(),
            production_confirmed: std::collections::HashSet::new(),
            confirm_production: false,
            sandbox_failed: false,
            definitions_tried: std::collections::HashSet::new(),
            definitions_asked: false,
            phone_metadata_requested: false,
            tab,
            form,
            tabs_runtime: TabsRuntime { focus_first_field: true, ..TabsRuntime::default() },
            files: FileWorker::default(),
            status,
            last_dir,
            preview_cache: None,
            frame_stats,
            clean_body: None,
            saving_body: None,
            confirm_new: false,
            open_on_start: options.open_draft,
        };
        app.use_profile_definitions();
        app
    }

    /// Validates and edits Help Scout properties with the active profile's definitions.
    fn use_profile_definitions(&mut self) {
        self.form.set_property_definitions(self.profile.property_definitions.clone());
    }

    /// Re-reads the active profile after the store learned something for `name` (task types,
    /// property definitions), when that is the active one.
    fn reload_profile_if_active(&mut self, name: &str) {
        if name != self.profile.name {
            return;
        }
        if let Some(updated) = self.profiles.find(name).cloned() {
            self.profile = updated;
            self.use_profile_definitions();
        }
    }

    /// Restores from eframe's storage.
    pub fn from_creation_context(cc: &eframe::CreationContext<'_>, options: AppOptions) -> Self {
        configure_style(&cc.egui_ctx);
        let state = cc.storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)).unwrap_or_default();
        Self::new(state, options)
    }

    /// What is saved on exit.
    pub fn persisted_state(&self) -> PersistedState {
        PersistedState {
            profile: self.profile.name.clone(),
            tab: self.tab,
            finosu_draft: Some(self.form.finosu.to_json()),
            help_scout_draft: Some(self.form.help_scout.to_json()),
            last_dir: self.last_dir.clone(),
        }
    }

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

    /// The response viewer (tests).
    pub fn viewer(&self) -> &ResponseViewer {
        &self.viewer
    }

    /// Whether a send is under way.
    pub fn is_sending(&self) -> bool {
        self.submit.is_busy()
    }

    /// Whether Help Scout property definitions are being fetched.
    pub fn is_loading_definitions(&self) -> bool {
        self.submit.is_fetching_definitions()
    }

    /// Whether keyring reads or changes are under way.
    pub fn is_keyring_busy(&self) -> bool {
        self.vault_jobs.is_busy()
    }

    /// Whether a credentials test is under way.
    pub fn is_testing_credentials(&self) -> bool {
        self.submit.checking().is_some()
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

    /// The form state (tests and benchmarks).
    pub fn form(&self) -> &FormState {
        &self.form
    }

    /// The form state, for filling it from code (tests and benchmarks).
    pub fn form_mut(&mut self) -> &mut FormState {
        &mut self.form
    }

    /// The status line, if any.
    pub fn status(&self) -> Option<&StatusLine> {
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

    /// Reads a draft file off the UI thread, as if picked in the Open dialog.
    pub fn open_draft_path(&mut self, path: PathBuf, ctx: &egui::Context) {
        self.start_file_request(FileRequest::Open(path), ctx);
    }

    /// Draws the whole window.
    pub fn show(&mut self, ui: &mut Ui) {
        if let Some(stats) = &self.frame_stats {
            stats.on_frame();
        }
        if let Some(path) = self.open_on_start.take() {
            self.open_draft_path(path, ui.ctx());
        }
        self.poll_files();
        self.poll_submit();
        self.poll_definitions();
        self.poll_profile_work(ui.ctx());
        self.handle_shortcuts(ui.ctx());
        let dropped = ui.ctx().input(|i| i.raw.dropped_files.first().map(|file| file.path().to_owned()));
        if let Some(path) = dropped {
            self.open_draft_path(path, ui.ctx());
        }
        self.form.refresh(self.backend());

        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar_ui(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui));
        let backend = self.backend();
        let generation = self.form.generation();
        let reveal = self.tabs_runtime.ssn_visible;
        let text = match &self.preview_cache {
            Some((g, r, text)) if *g == generation && *r == reveal => text.clone(),
            _ => {
                let text = self.form.preview().map(|body| preview_text(body, reveal)).unwrap_or_default();
                self.preview_cache = Some((generation, reveal, text.clone()));
                text
            }
        };
        let error_count = self.form.error_count();
        // The form keeps at least 40 % of the window, however wide a response is.
        let side_max = (ui.available_width() * 0.6).max(300.0);
        let side = egui::Panel::right("request_preview").resizable(true).default_size(400.0).min_size(260.0);
        side.max_size(side_max).show(ui, |ui| {
            self.side_switch_ui(ui);
            match self.side {
                SidePanel::Request => preview_ui(ui, backend, &text, error_count),
                SidePanel::Responses => self.viewer.ui(ui),
            }
        });
        egui::CentralPanel::default().show(ui, |ui| self.form_ui(ui));
        if self.confirm_new {
            self.confirm_new_ui(ui.ctx());
        }
        self.profile_manager_ui(ui.ctx());
        self.production_question_ui(ui.ctx());
        self.fetch_definitions_when_due(ui.ctx());
        // Once the first frame is out, load the phone metadata off the UI thread, so the first
        // keystroke in a phone field does not stall on it.
        if !self.phone_metadata_requested {
            self.phone_metadata_requested = true;
            crate::validation::warm_up_phone_metadata();
        }
        // A sandbox profile works from the first send: its server starts with the window.
        if self.profile.kind.is_sandbox() && self.submit.sandbox().is_none() && !self.sandbox_failed {
            if let Err(reason) = self.submit.ensure_sandbox() {
                self.sandbox_failed = true;
                self.set_status(&reason, true);
            }
            ui.ctx().request_repaint();
        }

        // An edit this frame changed issues and preview after the tab bar and the preview were
        // drawn: draw once more with them fresh.
        if self.form.is_stale() || self.form.generation() != generation {
            self.form.refresh(self.backend());
            ui.ctx().request_repaint();
        }
    }

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        if ctx.input_mut(|input| input.consume_shortcut(&PROFILES_SHORTCUT)) && !self.confirm_production {
            self.toggle_profile_manager();
        }
        // A dialog over the form takes the keys; the form's shortcuts wait until it closes.
        if self.profile_manager.is_open() || self.confirm_production {
            return;
        }
        let (open, save, new, tab, submit) = ctx.input_mut(|input| {
            let submit = input.consume_shortcut(&SUBMIT_SHORTCUT);
            let open = input.consume_shortcut(&OPEN_SHORTCUT);
            let save = input.consume_shortcut(&SAVE_SHORTCUT);
            let new = input.consume_shortcut(&NEW_SHORTCUT);
            let tab = TAB_KEYS.iter().position(|key| input.consume_key(Modifiers::COMMAND, *key));
            (open, save, new, tab, submit)
        });
        if submit {
            self.request_submit(ctx);
        }
        if new {
            self.request_new();
        }
        if let Some(tab) = tab.and_then(|i| Tab::ALL.get(i)) {
            self.select_tab(*tab);
        }
        if open {
            self.request_open(ctx);
        }
        if save {
            self.request_save(ctx);
        }
    }

    /// Shows `tab` with the keyboard focus in its first field.
    fn select_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.tabs_runtime.focus_first_field = true;
    }

    /// Starts a new customer, asking first when the draft has unsaved changes.
    pub fn request_new(&mut self) {
        if self.has_unsaved_changes() {
            self.confirm_new = true;
        } else {
            self.start_new();
        }
    }

    /// Whether the draft differs from both an empty form and the file it was last opened from
    /// or saved to.
    pub fn has_unsaved_changes(&self) -> bool {
        let backend = self.backend();
        let current = self.form.draft(backend).to_json();
        let empty = Draft::new(backend).to_json();
        let clean = self.clean_body.as_ref().filter(|(b, _)| *b == backend).map(|(_, body)| body);
        current != empty && Some(&current) != clean
    }

    /// Whether the "discard unsaved draft?" question is showing.
    pub fn is_confirming_new(&self) -> bool {
        self.confirm_new
    }

    fn start_new(&mut self) {
        let backend = self.backend();
        self.form.replace(Draft::new(backend));
        self.clean_body = None;
        self.confirm_new = false;
        self.select_tab(Tab::Basic);
        self.set_status(&format!("New {} customer.", backend.display_name()), false);
    }

    fn confirm_new_ui(&mut self, ctx: &egui::Context) {
        let modal = egui::Modal::new(egui::Id::unique("confirm_new")).show(ctx, |ui| {
            ui.set_width(380.0);
            ui.heading("Discard this draft?");
            ui.label(
                "The customer in the form has changes that are not saved to a file. Starting a new one discards them.",
            );
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Discard and start new").clicked() {
                    self.start_new();
                }
                if ui.button("Keep editing").clicked() {
                    self.confirm_new = false;
                }
            });
        });
        if modal.should_close() {
            self.confirm_new = false;
        }
    }

    fn request_open(&mut self, ctx: &egui::Context) {
        self.start_file_request(FileRequest::PickAndOpen { start_dir: self.last_dir.clone() }, ctx);
    }

    fn request_save(&mut self, ctx: &egui::Context) {
        self.form.refresh(self.backend());
        let Some(body) = self.form.draft_json().cloned() else { return };
        self.saving_body = Some((self.backend(), body.clone()));
        let file_name = match self.backend() {
            Backend::Finosu => suggested_file_name(&self.form.finosu.first_name, &self.form.finosu.last_name),
            Backend::HelpScout => {
                suggested_file_name(&self.form.help_scout.first_name, &self.form.help_scout.last_name)
            }
        };
        self.start_file_request(FileRequest::PickAndSave { start_dir: self.last_dir.clone(), file_name, body }, ctx);
    }

    fn start_file_request(&mut self, request: FileRequest, ctx: &egui::Context) {
        if !self.files.start(request, ctx) {
            self.set_status("A file dialog is already open; finish it first.", true);
        }
    }

    fn poll_files(&mut self) {
        let Some(result) = self.files.poll() else { return };
        match result {
            FileResult::Cancelled => {}
            FileResult::Failed(reason) => self.set_status(&format!("File action failed: {reason}"), true),
            FileResult::Saved { path, result: Ok(()) } => {
                self.clean_body = self.saving_body.take();
                self.set_status(&format!("Saved draft to {}", path.display()), false);
                self.remember_dir(&path);
            }
            FileResult::Saved { path, result: Err(err) } => {
                self.set_status(&format!("Could not save the draft: {err}. The form is unchanged."), true);
                self.remember_dir(&path);
            }
            FileResult::Opened { path, result: Err(err) } => {
                self.set_status(&format!("Could not open the draft: {err}. The form was left as it was."), true);
                self.remember_dir(&path);
            }
            FileResult::Opened { path, result: Ok(body) } => {
                self.remember_dir(&path);
                self.load_body(&path, &body);
            }
        }
    }

    fn load_body(&mut self, path: &std::path::Path, body: &serde_json::Value) {
        if !body.is_object() {
            let found = match body {
                serde_json::Value::Array(_) => "a list [ … ]",
                _ => "a single value",
            };
            let message = format!(
                "Could not open the draft: it holds {found}, not a customer object {{ … }}. The form was left as it was. ({})",
                path.display()
            );
            self.set_status(&message, true);
            return;
        }
        let mut note = String::new();
        if let Some(guess) = guess_backend(body)
            && guess != self.backend()
            && let Some(profile) = self.profiles.profiles().iter().find(|p| p.backend() == guess).cloned()
        {
            self.select_profile(&profile.name);
            note =
                format!(" It looks like a {} customer, so the profile is now {}.", guess.display_name(), profile.name);
        }
        let backend = self.backend();
        self.form.replace(Draft::from_json(backend, body));
        self.clean_body = Some((backend, self.form.draft(backend).to_json()));
        self.form.touch_filled_fields(backend);
        let problems = self.form.visible_issues().count();
        if let Some(tab) = self.form.first_visible_tab_with_problems(backend) {
            self.tab = tab;
        }
        let summary = match problems {
            0 => String::new(),
            1 => " 1 problem to look at.".to_owned(),
            n => format!(" {n} problems to look at."),
        };
        self.set_status(&format!("Opened {}.{note}{summary}", path.display()), false);
    }

    /// Makes `name` the active profile (its backend picks the form).
    pub fn select_profile(&mut self, name: &str) {
        let Some(profile) = self.profiles.find(name).cloned() else { return };
        self.profile = profile;
        self.use_profile_definitions();
        self.form.invalidate();
    }

    /// Sends the draft to the active profile (Submit, Ctrl+Enter). Does nothing while a send
    /// runs; refuses with a reason when the draft has errors or was already created as is.
    pub fn request_submit(&mut self, ctx: &egui::Context) {
        if self.submit.is_busy() {
            return;
        }
        let backend = self.backend();
        self.form.refresh(backend);
        let errors = self.form.error_count();
        if errors > 0 {
            self.form.show_all = true;
            self.form.refresh(backend);
            if let Some(tab) = self.form.first_visible_tab_with_problems(backend) {
                self.select_tab(tab);
            }
            let noun = if errors == 1 { "error" } else { "errors" };
            self.set_status(&format!("Not sent: {errors} {noun} to fix first."), true);
            return;
        }
        let (Some(draft), Some(body)) = (self.form.draft_json().cloned(), self.form.preview().cloned()) else {
            return;
        };
        if let Some(created) = &self.created
            && created.profile == self.profile.name
            && created.draft == draft
        {
            let id = created.id.as_deref().map(|id| format!(" {id}")).unwrap_or_default();
            let text = format!(
                "Not sent again: this exact customer was already created as{id}. Change something, or press New."
            );
            self.set_status(&text, true);
            return;
        }
        if self.needs_production_confirmation() {
            self.confirm_production = true;
            return;
        }
        let profile = self.profile.clone();
        match self.submit.start(&profile, body, draft, ctx) {
            Ok(()) => self.set_status(&format!("Sending to {}…", profile.name), false),
            Err(reason) => self.set_status(&reason, true),
        }
    }

    /// Stops waiting for the answer of the send under way.
    pub fn cancel_submit(&mut self) {
        if let Some(done) = self.submit.cancel() {
            self.finish_submit(done);
        }
    }

    fn poll_submit(&mut self) {
        if let Some(done) = self.submit.poll() {
            self.finish_submit(done);
        }
    }

    fn finish_submit(&mut self, done: SubmitDone) {
        // The prepared record is shared (an Arc): keeping the last one costs no copy of its body.
        let Some(prepared) = done.exchanges.last().cloned() else { return };
        for attempt in done.exchanges {
            self.viewer.push(attempt);
        }
        self.side = SidePanel::Responses;
        let (last, summary) = (prepared.exchange(), prepared.summary());
        match &last.outcome {
            Outcome::Created { id, .. } => {
                self.form.set_server_issues(last.backend, &done.draft, &[]);
                // Sent is as good as saved: Ctrl+N starts the next customer without asking.
                self.clean_body = Some((last.backend, done.draft.clone()));
                self.created = Some(CreatedDraft { profile: done.profile, draft: done.draft, id: id.clone() });
                self.set_status(&format!("{summary} Ctrl+N starts the next customer."), false);
            }
            Outcome::Rejected { field_errors, valid_task_types, .. } => {
                self.form.set_server_issues(last.backend, &done.draft, field_errors);
                self.learn_task_types(&done.profile, valid_task_types);
                // Show the tab of the first field the server named.
                let tab = field_errors.iter().find_map(|e| crate::validation::tab_for_path(last.backend, &e.pointer));
                if last.backend == self.backend()
                    && let Some(tab) = tab
                {
                    self.select_tab(tab);
                }
                self.set_status(summary, true);
            }
            _ => self.set_status(summary, true),
        }
    }

    /// Fetches the Help Scout property definitions once per profile and session (and when the
    /// person asks), as soon as the profile can authenticate.
    fn fetch_definitions_when_due(&mut self, ctx: &egui::Context) {
        let asked = std::mem::take(&mut self.tabs_runtime.reload_property_definitions);
        if self.backend() != Backend::HelpScout || (!asked && self.definitions_tried.contains(&self.profile.name)) {
            return;
        }
        self.definitions_tried.insert(self.profile.name.clone());
        self.definitions_asked = asked;
        let profile = self.profile.clone();
        if let Err(reason) = self.submit.fetch_definitions(&profile, ctx) {
            self.set_status(&reason, true);
        }
    }

    fn poll_definitions(&mut self) {
        let Some(mut done) = self.submit.poll_definitions() else { return };
        done.exchanges_were_empty = done.exchanges.is_empty();
        for prepared in std::mem::take(&mut done.exchanges) {
            self.viewer.push(prepared);
        }
        match done.result {
            Ok(definitions) => {
                if self.profiles.cache_property_definitions(&done.profile, &definitions)
                    && let Err(error) = self.profiles.save()
                {
                    tracing::warn!("could not save the property definitions: {error}");
                }
                self.reload_profile_if_active(&done.profile);
            }
            // A profile without credentials yet is not an error until the person asks.
            Err(reason) if !self.definitions_asked && done.exchanges_were_empty => {
                tracing::info!("property definitions not loaded: {reason}");
            }
            Err(reason) => {
                let text = format!("Could not load the Help Scout property definitions: {reason}");
                self.set_status(&text, true);
            }
        }
    }

    fn learn_task_types(&mut self, profile: &str, task_types: &[String]) {
        if !self.profiles.learn_task_types(profile, task_types) {
            return;
        }
        self.reload_profile_if_active(profile);
        if let Err(error) = self.profiles.save() {
            tracing::warn!("could not save the learned task types: {error}");
        }
    }

    fn remember_dir(&mut self, path: &std::path::Path) {
        if let Some(dir) = path.parent() {
            self.last_dir = Some(dir.to_owned());
        }
    }

    fn set_status(&mut self, text: &str, is_error: bool) {
        if is_error {
            tracing::warn!("{text}");
        }
        self.status = Some(StatusLine { text: text.to_owned(), is_error });
    }

    // ---------------------------------------------------------------------------------------

    fn top_bar_ui(&mut self, ui: &mut Ui) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let label = ui.label("Profile");
            let mut chosen = self.profile.name.clone();
            egui::ComboBox::from_id_salt("profile_picker")
                .selected_text(&self.profile.name)
                .width(200.0)
                .show_ui(ui, |ui| {
                    for profile in self.profiles.profiles() {
                        ui.selectable_value(&mut chosen, profile.name.clone(), &profile.name);
                    }
                })
                .response
                .labelled_by(label.id);
            if chosen != self.profile.name {
                self.select_profile(&chosen);
            }
            if self.profile.production {
                production_badge_ui(ui);
            }
            if ui.button("Profiles…").on_hover_text("Add, edit and test profiles and their secrets (Ctrl+P)").clicked()
            {
                self.toggle_profile_manager();
            }
            ui.label(RichText::new(format!("Backend: {}", self.backend().display_name())).strong());
            self.profile_target_ui(ui);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.submit_ui(ui);
                ui.separator();
                let busy = self.files.is_busy();
                if ui
                    .add_enabled(!busy, egui::Button::new("Save…"))
                    .on_hover_text("Save the draft as JSON (Ctrl+S)")
                    .clicked()
                {
                    self.request_save(ui.ctx());
                }
                if ui
                    .add_enabled(!busy, egui::Button::new("Open…"))
                    .on_hover_text("Open a JSON draft (Ctrl+O)")
                    .clicked()
                {
                    self.request_open(ui.ctx());
                }
                if ui.button("New").on_hover_text("Start a new customer (Ctrl+N)").clicked() {
                    self.request_new();
                }
            });
        });
        ui.add_space(2.0);
    }

    /// Where the active profile sends: the sandbox's address, or the base URL and the secret
    /// for this session.
    fn profile_target_ui(&mut self, ui: &mut Ui) {
        if self.profile.kind.is_sandbox() {
            match self.submit.sandbox() {
                Some(sandbox) => {
                    let url = match self.backend() {
                        Backend::Finosu => sandbox.finosu_base_url(),
                        Backend::HelpScout => sandbox.helpscout_base_url(),
                    };
                    ui.label(RichText::new("local sandbox on 127.0.0.1").small().weak())
                        .on_hover_text(format!("Requests go to {url}; its credentials are built in."));
                }
                None if self.sandbox_failed => {
                    ui.label(RichText::new("local sandbox not running").small().color(ui.visuals().error_fg_color));
                }
                None => {
                    ui.label(RichText::new("local sandbox starting…").small().weak());
                }
            }
            return;
        }
        ui.label(RichText::new(self.profile.base_url.as_deref().unwrap_or_default()).small().weak());
        match self.vault_jobs.statuses().summary(&self.profile) {
            CredentialSummary::Present { kind, masked, storage } => {
                let place = match storage {
                    Storage::Keyring => "keyring",
                    Storage::Session => "this session",
                };
                let text = format!("{} {masked} ({place})", kind.label());
                let hover = format!("The {} this profile signs in with; change it under Profiles…", kind_noun(kind));
                ui.label(RichText::new(text).small()).on_hover_text(hover);
            }
            CredentialSummary::Missing => {
                if ui
                    .link("Set up credentials…")
                    .on_hover_text("This profile has no secret to sign in with yet")
                    .clicked()
                {
                    self.open_profile_manager_on_active();
                }
            }
            CredentialSummary::Unreadable(error) => {
                let link =
                    ui.link("Set up credentials…").on_hover_text(format!("The secrets cannot be read: {error}."));
                if link.clicked() {
                    self.open_profile_manager_on_active();
                }
            }
            CredentialSummary::Unknown | CredentialSummary::BuiltIn => {}
        }
    }

    /// Submit, or the spinner and Cancel while a send runs (drawn right to left).
    fn submit_ui(&mut self, ui: &mut Ui) {
        if let Some(elapsed) = self.submit.elapsed() {
            if ui.button("Cancel").on_hover_text("Stop waiting for the answer").clicked() {
                self.cancel_submit();
            }
            ui.label(format!("Sending… {:.1} s", elapsed.as_secs_f32()));
            ui.spinner();
            return;
        }
        let errors = self.form.error_count();
        let mut button = egui::Button::new(RichText::new("Submit").strong());
        if errors == 0 {
            // The one call to action: filled, so it stands out from New / Open / Save.
            button = button.fill(ui.visuals().selection.bg_fill);
        }
        let response = ui
            .add_enabled(errors == 0, button)
            .on_hover_text(format!("Send this customer to {} (Ctrl+Enter)", self.profile.name))
            .on_disabled_hover_text("Fix the errors first; the status bar counts them");
        if response.clicked() {
            self.request_submit(ui.ctx());
        }
    }

    /// Request preview or response viewer.
    fn side_switch_ui(&mut self, ui: &mut Ui) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.side, SidePanel::Request, "Request");
            let responses = match self.viewer.len() {
                0 => "Responses".to_owned(),
                n => format!("Responses ({n})"),
            };
            ui.selectable_value(&mut self.side, SidePanel::Responses, responses);
        });
        ui.separator();
    }

    fn status_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if let Some(status) = &self.status {
                let color = if status.is_error { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
                ui.add(egui::Label::new(RichText::new(&status.text).color(color)).truncate());
            } else {
                let keys = "Tab next field · Ctrl+Enter submit · Ctrl+1…4 tabs · Ctrl+N new · Ctrl+O open · Ctrl+S save · Ctrl+P profiles · drop a .json file to open";
                ui.label(RichText::new(keys).weak());
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let errors = self.form.error_count();
                let hidden = self.form.hidden_count();
                if hidden > 0 && ui.button(format!("Show all problems ({hidden} more)")).clicked() {
                    self.form.show_all = true;
                }
                let summary = if errors == 0 {
                    RichText::new("✔ No errors")
                } else {
                    let phrase = if errors == 1 { "error blocks" } else { "errors block" };
                    RichText::new(format!("{errors} {phrase} sending")).color(ui.visuals().error_fg_color)
                };
                ui.label(summary);
            });
        });
    }

    fn form_ui(&mut self, ui: &mut Ui) {
        self.unknown_fields_ui(ui);
        self.tab_bar_ui(ui);
        ui.separator();
        let backend = self.backend();
        let tab = self.tab;
        egui::ScrollArea::vertical().id_salt(("form_scroll", tab)).auto_shrink([false, false]).show(ui, |ui| {
            ui.add_space(4.0);
            let task_types = &self.profile.learned_task_types;
            tab_ui(ui, tab, backend, &mut self.form, &mut self.tabs_runtime, task_types);
        });
    }

    fn tab_bar_ui(&mut self, ui: &mut Ui) {
        let counts = self.form.visible_counts(self.backend());
        ui.horizontal(|ui| {
            for (index, (tab, count)) in Tab::ALL.into_iter().zip(counts).enumerate() {
                let problems = count.errors + count.warnings;
                let title =
                    if problems == 0 { tab.title().to_owned() } else { format!("{} ({problems})", tab.title()) };
                let selected = self.tab == tab;
                let mut text = RichText::new(title).size(15.0);
                // The selected tab keeps the theme's selection colours so it stays readable.
                if !selected && count.errors > 0 {
                    text = text.color(ui.visuals().error_fg_color);
                } else if !selected && count.warnings > 0 {
                    text = text.color(ui.visuals().warn_fg_color);
                }
                let response = ui.selectable_label(selected, text).on_hover_text(format!("Ctrl+{}", index + 1));
                if response.clicked() {
                    self.select_tab(tab);
                }
            }
        });
    }

    /// Fields in the draft that the form has no editor for: say so, and offer to remove them.
    fn unknown_fields_ui(&mut self, ui: &mut Ui) {
        let backend = self.backend();
        let extra = match backend {
            Backend::Finosu => &self.form.finosu.extra,
            Backend::HelpScout => &self.form.help_scout.extra,
        };
        let keys: Vec<String> = extra.keys().cloned().collect();
        if keys.is_empty() {
            return;
        }
        let mut remove = None;
        egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.0, ui.visuals().warn_fg_color)).show(ui, |ui| {
            ui.label(
                RichText::new("This draft has fields the form cannot edit. They stay in the draft when saved.")
                    .color(ui.visuals().warn_fg_color),
            );
            for key in &keys {
                let path = format!("/{}", crate::validation::pointer_segment(key));
                ui.horizontal(|ui| {
                    if ui.small_button("Remove").accessible_name(format!("Remove field {key}")).clicked() {
                        remove = Some(key.clone());
                    }
                    let issue =
                        self.form.issues().iter().find(|i| i.path == path || i.path.starts_with(&format!("{path}/")));
                    let message = issue.map_or_else(|| format!("\"{key}\""), |issue| issue.message.clone());
                    ui.label(RichText::new(message).small());
                });
            }
        });
        if let Some(key) = remove {
            match backend {
                Backend::Finosu => self.form.finosu.extra.remove(&key),
                Backend::HelpScout => self.form.help_scout.extra.remove(&key),
            };
            self.form.invalidate();
        }
    }
}

/// Style settings of the app: a steady text cursor, since a blinking one would repaint an idle
/// window twice a second.
pub fn configure_style(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| style.visuals.text_cursor.blink = false);
}

impl eframe::App for IntakeApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.persisted_state());
    }
}
