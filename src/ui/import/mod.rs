//! The Import window (Ctrl+I, *Import…*, or a dropped `.csv`): a file of customers becomes a
//! batch of records, followed while the outbox sends it.
//!
//! Its stages follow the person: pick a file → map the columns (suggested; remembered per
//! profile and header set) → the report (rows with errors, each opened in the form with one
//! click; repeats of earlier rows) → the batch's progress (counts, rate, time left, the rate
//! limit's wait, Stop, Export report). Reading, building, validating and storing run on the
//! blocking pool; the window only draws.

mod mapping_dialog;
mod progress;
mod report;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::batch::{ImportResult, LoadedFile};
use crate::import::{ImportedRow, Mapping};
use crate::model::Backend;
use crate::store::{BatchId, BatchRowState, BatchSummary, RecordId};
use crate::ui::jobs::Task;

pub use mapping_dialog::MappingDialog;

/// Failed rows listed under a batch's progress (all of them are in the exported report).
pub const FAILED_SHOWN: usize = 200;

/// What the person asked for in the Import window.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportCommand {
    /// Pick a file with the native dialog.
    PickFile,
    /// Import this file (dropped, or picked).
    OpenFile(PathBuf),
    /// Import the rows of this file that can be read, leaving out (and listing) the others.
    OpenSkippingBadRows(PathBuf),
    /// Import the file with this mapping.
    Import(Mapping, ImportOptions),
    /// Queue the batch's valid rows that are not queued yet.
    QueueValid(BatchId),
    /// Take the batch's queued rows back out of the outbox.
    StopSending(BatchId),
    /// Save the batch's report as CSV (native dialog).
    ExportReport(BatchId),
    /// Show a batch's progress and report.
    Follow(BatchId),
    /// Put a row's record in the form to fix it.
    OpenRecord(RecordId),
    /// Back to the start (pick another file, recent batches).
    Restart,
    /// Close the window (a batch keeps sending).
    Close,
}

/// What the mapping step decided besides the mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// Remember the mapping for the profile and these columns.
    pub remember: bool,
    /// Queue the valid rows at once.
    pub queue: bool,
}

/// A file read, waiting for its columns to be confirmed.
#[derive(Debug)]
pub struct Loaded {
    /// The file and its first mapping.
    pub file: Arc<LoadedFile>,
    /// The profile it is for.
    pub profile: String,
    /// Its API.
    pub backend: Backend,
    /// The profile's custom properties as last fetched (Help Scout): a column can fill one.
    pub properties: Vec<crate::model::PropertyDefinition>,
    /// Whether `properties` is the account's known list (then other slugs are errors).
    pub properties_known: bool,
}

/// What an import stored, for the report.
#[derive(Debug)]
pub struct Stored {
    /// The counts and records.
    pub result: ImportResult,
    /// The rows with issues or repeating an earlier row, in file order.
    pub problems: Vec<(RecordId, ImportedRow)>,
    /// The file's name.
    pub file_name: String,
    /// Rows left out because they could not be read.
    pub skipped: Vec<crate::import::SkippedRow>,
}

/// Where the window is.
#[derive(Debug, Default)]
pub enum Stage {
    /// Nothing picked: pick a file, or look at a recent batch.
    #[default]
    Start,
    /// A file being picked in the native dialog, then read.
    Reading {
        /// The file; `None` while the dialog is open.
        file: Option<String>,
        /// The read.
        task: Task<Result<Option<Loaded>, Refusal>>,
    },
    /// The columns wait for a decision.
    Mapping(Box<MappingDialog>),
    /// Rows being built, validated and stored.
    Storing {
        /// The file's name.
        file: String,
        /// The rows.
        rows: usize,
        /// The work.
        task: Task<Result<Stored, String>>,
    },
    /// What was imported (and the batch's progress).
    Report(Box<Stored>),
    /// The file could not be imported; nothing changed.
    Refused(Refusal),
}

/// Why a file was not imported, and whether its readable rows could be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The file, as shown.
    pub file: String,
    /// Why, and what to do.
    pub message: String,
    /// When only some rows cannot be read: the file and how many rows can, for *Import the N
    /// readable rows*.
    pub readable: Option<(PathBuf, usize)>,
}

impl Refusal {
    /// A refusal with nothing to offer.
    pub fn new(file: &str, message: String) -> Self {
        Self { file: file.to_owned(), message, readable: None }
    }

    /// The refusal of `path` for `error`.
    pub fn of(path: &std::path::Path, error: crate::batch::LoadError) -> Self {
        let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Self { file, message: error.message, readable: error.readable_rows.map(|rows| (path.to_owned(), rows)) }
    }
}

/// A batch followed while it sends: its counts as last read, and how fast it goes.
#[derive(Debug)]
pub struct BatchFollow {
    /// The batch.
    pub id: BatchId,
    /// Its counts as last read.
    pub summary: Option<BatchSummary>,
    /// Its failed rows as last read (the first [`FAILED_SHOWN`]), with why.
    pub failed: Vec<BatchRowState>,
    /// A read under way.
    pub task: Task<Result<(BatchSummary, Vec<BatchRowState>), String>>,
    /// The store's change count the last read was started at.
    pub read_at: Option<u64>,
    /// When sending was first seen, and how many rows had ended then.
    pub since: Option<(Instant, usize)>,
}

impl BatchFollow {
    /// Follows `id` from now.
    pub fn new(id: BatchId) -> Self {
        Self { id, summary: None, failed: Vec::new(), task: Task::Idle, read_at: None, since: None }
    }

    /// Rows ended per second since sending was first seen, once any ended.
    pub fn rate(&self) -> Option<f64> {
        let summary = self.summary.as_ref()?;
        let (since, ended_then) = self.since?;
        let ended = summary.counts.finished().saturating_sub(ended_then);
        let seconds = since.elapsed().as_secs_f64();
        #[expect(clippy::cast_precision_loss, reason = "a rate shown to one decimal")]
        (ended > 0 && seconds > 0.5).then(|| ended as f64 / seconds)
    }

    /// Takes in a read's counts and failed rows.
    pub fn update(&mut self, summary: BatchSummary, failed: Vec<BatchRowState>) {
        self.failed = failed;
        if self.since.is_none() && summary.counts.pending() > 0 {
            self.since = Some((Instant::now(), summary.counts.finished()));
        }
        if summary.counts.pending() == 0 {
            self.since = None;
        }
        self.summary = Some(summary);
    }
}

/// The Import window's state (runtime only: a batch itself lives in the store).
#[derive(Debug, Default)]
pub struct ImportWindow {
    /// Whether it is shown.
    pub open: bool,
    /// Where it is.
    pub stage: Stage,
    /// The batch whose progress it shows.
    pub follow: Option<BatchFollow>,
    /// Recent batches, for the start page.
    pub batches: Task<Result<Vec<BatchSummary>, String>>,
    /// The store's change count the batch list was read at.
    pub batches_read_at: Option<u64>,
    /// A report being exported.
    pub export: Task<Result<Option<PathBuf>, String>>,
}

impl ImportWindow {
    /// Whether work is under way that the window waits for.
    pub fn is_busy(&self) -> bool {
        matches!(&self.stage, Stage::Reading { .. } | Stage::Storing { .. })
    }

    /// Draws the window when open; returns what the person asked for.
    pub fn ui(&mut self, ctx: &egui::Context, view: &ImportView<'_>) -> Vec<ImportCommand> {
        let mut commands = Vec::new();
        if !self.open {
            return commands;
        }
        let mut open = true;
        egui::Window::new("Import customers")
            .open(&mut open)
            .default_size([720.0, 520.0])
            .min_width(520.0)
            .collapsible(false)
            .show(ctx, |ui| {
                crate::ui::widgets::name_dialog(ui, "Import customers");
                self.contents_ui(ui, view, &mut commands);
            });
        let escape = ctx.input(|i| i.key_pressed(egui::Key::Escape)) && !self.is_busy();
        if !open || escape {
            commands.push(ImportCommand::Close);
        }
        commands
    }

    fn contents_ui(&mut self, ui: &mut egui::Ui, view: &ImportView<'_>, commands: &mut Vec<ImportCommand>) {
        match &mut self.stage {
            Stage::Start => {
                report::start_ui(ui, view, self.batches.latest(), self.follow.as_ref(), commands);
            }
            // While the native dialog is open nothing turns: the window waits without repainting.
            Stage::Reading { file: None, .. } => {
                ui.label("Choose a file in the dialog…");
            }
            Stage::Reading { file: Some(file), .. } => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Reading {file}…"));
                });
            }
            Stage::Mapping(dialog) => dialog.ui(ui, view, commands),
            Stage::Storing { file, rows, .. } => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Checking and storing {rows} rows of {file}…"));
                });
            }
            Stage::Report(stored) => report::report_ui(ui, stored, self.follow.as_ref(), view, commands),
            Stage::Refused(refusal) => report::refused_ui(ui, refusal, commands),
        }
    }
}

/// What the Import window shows besides its own state.
#[derive(Debug, Clone)]
pub struct ImportView<'a> {
    /// The active profile's name (the file is imported for it).
    pub profile: &'a str,
    /// Its API.
    pub backend: Backend,
    /// When the followed batch's rate limit lets its next create start, if it holds one back.
    pub paced_until: Option<Instant>,
}
