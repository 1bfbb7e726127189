//! [`IntakeApp`]: the window's state and its construction.
//!
//! The app is split by role, as rerun's viewer is: [`logic`] does the per-frame work that draws
//! nothing (polling background jobs, starting the sandbox, fetching definitions when due),
//! [`ui`] and the panel files draw and return [`AppCommand`]s, and [`commands`] runs them in
//! one place after drawing. `files`, `submit` and `profile_commands` are the command handlers
//! of their areas.

mod access;
mod commands;
mod dialogs;
mod drafts_commands;
mod duplicate_commands;
mod files;
mod form_panel;
mod import_commands;
mod logic;
mod profile_commands;
mod records;
mod shortcuts;
mod status_bar;
mod submit;
mod template_commands;
mod top_bar;
mod ui;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub use commands::AppCommand;
pub use shortcuts::{
    DRAFTS_SHORTCUT, IMPORT_SHORTCUT, NEW_SHORTCUT, OPEN_SHORTCUT, PROFILES_SHORTCUT, SAVE_SHORTCUT, SUBMIT_SHORTCUT,
};

use self::records::FormRecords;
use super::client_pool::ClientPool;
use super::drafts::DraftsPanel;
use super::file_worker::FileWorker;
use super::form_state::FormState;
use super::frame_stats::FrameStats;
use super::jobs::Background;
use super::network_worker::NetworkWorker;
use super::notice::Notice;
use super::outbox_worker::OutboxWorker;
use super::photo_preview::PhotoPreview;
use super::profiles::{ProfileManager, VaultJobs};
use super::state::PersistedState;
use super::store_worker::StoreWorker;
use super::tabs::TabsRuntime;
use super::viewer::ResponseViewer;
use crate::credentials::Vault;
use crate::model::Tab;
use crate::paths::IntakePaths;
use crate::profiles::{Profile, ProfileStore};

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
    /// The store's database; `None` puts it in the data folder of `paths`, or in a private
    /// temporary folder removed with the app when there are no `paths` (tests).
    pub store_path: Option<PathBuf>,
}

/// What the right-hand panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SidePanel {
    /// The body that would be sent.
    #[default]
    Request,
    /// This session's attempts.
    Responses,
    /// Every stored customer (Ctrl+D).
    Drafts,
}

/// The Intake window.
#[derive(Debug)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent facts of the session (questions asked, start-up work done)"
)]
pub struct IntakeApp {
    profiles: ProfileStore,
    profile: Profile,
    /// Definitions, credential tests and the sandbox, off the UI thread.
    network: NetworkWorker,
    /// The one runtime of the window's background work.
    background: Background,
    /// The store's writer (started with the first frame; `None` when the store cannot open).
    store: Option<StoreWorker>,
    /// The outbox (started with the first frame).
    outbox: Option<OutboxWorker>,
    /// Rung when a record is queued: the outbox looks at once.
    outbox_bell: Arc<tokio::sync::Notify>,
    /// Which record each form is, and the send the person waits for.
    records: FormRecords,
    /// The Drafts panel's list, search and selection.
    drafts: DraftsPanel,
    /// Store answers the Drafts panel's commands wait for.
    drafts_jobs: drafts_commands::DraftsJobs,
    viewer: ResponseViewer,
    side: SidePanel,
    /// The Profiles window: list, editor, secrets, Test credentials.
    profile_manager: ProfileManager,
    /// Keyring reads and changes off the UI thread, and what they last read (masked).
    vault_jobs: VaultJobs,
    /// Production profiles whose first send this session was confirmed.
    production_confirmed: HashSet<String>,
    /// "Send to production profile X?" is on screen (for the active profile).
    confirm_production: bool,
    /// The duplicate check of a Submit, and its warning.
    duplicates: duplicate_commands::DuplicateStage,
    /// The in-process sandbox could not start (said once in the status line).
    sandbox_failed: bool,
    /// Profiles whose property definitions were already fetched (or tried) this session.
    definitions_tried: HashSet<String>,
    /// The running definitions fetch was asked for (Reload), so its failure is shown.
    definitions_asked: bool,
    /// The warm-ups of the phone metadata and the ZIP table were started.
    phone_metadata_requested: bool,
    /// Something waits for the phone metadata and ZIP table (a restored draft): the warm-ups
    /// ask for a frame when done. Otherwise their end changes nothing on screen.
    phone_metadata_wanted: std::sync::Arc<std::sync::atomic::AtomicBool>,
    tab: Tab,
    form: FormState,
    tabs_runtime: TabsRuntime,
    files: FileWorker,
    status: Option<Notice>,
    last_dir: Option<PathBuf>,
    /// The preview text, for the form generation and SSN visibility it was made for.
    preview_cache: Option<(u64, bool, std::sync::Arc<super::preview::PreviewText>)>,
    frame_stats: Option<FrameStats>,
    /// A draft file to open on the first frame (from the command line).
    open_on_start: Option<PathBuf>,
    /// The Import window: a file's rows as a batch, and the batch's progress.
    import: super::import::ImportWindow,
    /// Queueing or stopping a batch, under way.
    import_action: import_commands::BatchAction,
    /// A metadata template being saved or deleted.
    template_job: template_commands::TemplateJob,
}

impl IntakeApp {
    /// An app restored from `state` (use `PersistedState::default()` for a first run).
    pub fn new(state: PersistedState, options: AppOptions) -> Self {
        let PersistedState { profile, tab, finosu_draft, help_scout_draft, last_dir } = state;
        let (profiles, mut status) = load_profiles(options.paths.as_ref());
        let profile = profiles.find(&profile).or_else(|| profiles.profiles().first()).cloned();
        let profile = profile.unwrap_or_else(|| Profile::builtins()[0].clone());
        let form = FormState::default();
        // The records the forms were last, read from the store off the UI thread (and drafts an
        // older Intake kept in the window state, moved into it once).
        let legacy = crate::model::PerBackend { finosu: finosu_draft, help_scout: help_scout_draft };
        let store_path =
            options.store_path.or_else(|| options.paths.as_ref().map(|p| p.data_dir.join(crate::store::STORE_FILE)));
        let (records, store_problem) = FormRecords::start(store_path.as_deref(), legacy, &profile);
        status = status.or(store_problem);
        let frame_stats = options
            .bench_report
            .map(|path| FrameStats::start(path, options.process_start.unwrap_or_else(Instant::now)));
        // One runtime for all the window's background work, started on first use.
        let background = Background::default();
        let vault = options.vault.unwrap_or_else(|| Vault::session_only("the window was opened without a keyring"));
        let mut app = Self {
            profiles,
            profile,
            network: NetworkWorker::new(background.clone(), ClientPool::new(vault)),
            background: background.clone(),
            store: None,
            outbox: None,
            outbox_bell: Arc::new(tokio::sync::Notify::new()),
            records,
            drafts: DraftsPanel::default(),
            drafts_jobs: drafts_commands::DraftsJobs::default(),
            viewer: ResponseViewer::default(),
            side: SidePanel::default(),
            profile_manager: ProfileManager::default(),
            vault_jobs: VaultJobs::new(background.clone()),
            production_confirmed: HashSet::new(),
            confirm_production: false,
            duplicates: duplicate_commands::DuplicateStage::Idle,
            sandbox_failed: false,
            definitions_tried: HashSet::new(),
            definitions_asked: false,
            phone_metadata_requested: false,
            phone_metadata_wanted: std::sync::Arc::default(),
            tab,
            form,
            tabs_runtime: TabsRuntime {
                focus_first_field: true,
                photo_preview: PhotoPreview::new(background.clone()),
                ..TabsRuntime::default()
            },
            files: FileWorker::new(background),
            status,
            last_dir,
            preview_cache: None,
            frame_stats,
            open_on_start: options.open_draft,
            import: super::import::ImportWindow::default(),
            import_action: super::jobs::Task::Idle,
            template_job: super::jobs::Task::Idle,
        };
        app.use_profile_definitions();
        app
    }

    /// Restores from eframe's storage.
    pub fn from_creation_context(cc: &eframe::CreationContext<'_>, options: AppOptions) -> Self {
        configure_style(&cc.egui_ctx);
        let state = cc.storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)).unwrap_or_default();
        Self::new(state, options)
    }

    /// What eframe keeps between runs: window and UI preferences only (the drafts are in the
    /// store).
    pub fn persisted_state(&self) -> PersistedState {
        PersistedState {
            profile: self.profile.name.clone(),
            tab: self.tab,
            finosu_draft: None,
            help_scout_draft: None,
            last_dir: self.last_dir.clone(),
        }
    }

    /// One whole frame: the per-frame work, then drawing. What eframe does in `logic` and
    /// `ui`; tests and benchmarks that drive the app through a `Ui` call this.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.frame_logic(ui.ctx());
        self.draw(ui);
    }

    /// Validates and edits Help Scout properties with the active profile's definitions.
    fn use_profile_definitions(&mut self) {
        self.form.set_property_definitions(self.profile.known_property_definitions().map(<[_]>::to_vec));
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

    /// Shows `notice` in the status line (it is the one report of what happened).
    fn notify(&mut self, notice: Notice) {
        self.status = Some(notice);
    }
}

/// The profiles file, or the built-in profiles and a notice on why the file could not be read.
fn load_profiles(paths: Option<&IntakePaths>) -> (ProfileStore, Option<Notice>) {
    match paths.map(ProfileStore::load) {
        None => (ProfileStore::builtin_only(), None),
        Some(Ok(store)) => (store, None),
        Some(Err(error)) => {
            let notice = Notice::error(format!("Only the built-in profiles are available: {error}"));
            (ProfileStore::builtin_only(), Some(notice))
        }
    }
}

/// Style settings of the app: a steady text cursor, since a blinking one would repaint an idle
/// window twice a second.
pub fn configure_style(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| style.visuals.text_cursor.blink = false);
}

impl eframe::App for IntakeApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.frame_logic(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.persisted_state());
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // The last keystrokes reach the disk before the process ends.
        if !self.flush_store(std::time::Duration::from_secs(3)) {
            tracing::warn!("the last changes may not be saved: the store did not answer in time");
        }
    }
}
