//! The Import window's commands and background work: reading a file, storing its rows as a
//! batch, queueing, stopping and exporting a batch, and following its progress.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::{AppCommand, IntakeApp};
use crate::batch::{BatchPlan, LoadError, LoadedFile, load_file, queue_batch, store_batch, write_report_csv};
use crate::import::{Mapping, build_rows_for_account, header_key};
use crate::store::{BatchId, Store};
use crate::ui::drafts::DraftsCommand;
use crate::ui::import::{BatchFollow, ImportCommand, ImportOptions, ImportView, Loaded, MappingDialog, Stage, Stored};
use crate::ui::import::{FAILED_SHOWN, Refusal};
use crate::ui::jobs::Task;
use crate::ui::notice::Notice;

/// How often a sending batch's progress line is redrawn (the rate limit's countdown, the time
/// left) when nothing else changes.
const PROGRESS_TICK: Duration = Duration::from_secs(1);

/// Work on a batch whose answer is a sentence for the status line.
pub(super) type BatchAction = Task<Result<String, String>>;

impl IntakeApp {
    /// Draws the Import window; its commands join the frame's.
    pub(super) fn import_window_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<AppCommand>) {
        if !self.import.open {
            return;
        }
        let followed = self.import.follow.as_ref().and_then(|f| f.summary.as_ref()).map(|s| s.profile.clone());
        let paced_until = followed
            .and_then(|profile| self.outbox.as_ref().and_then(|outbox| outbox.status().paced.get(&profile).copied()));
        let view = ImportView { profile: &self.profile.name, backend: self.backend(), paced_until };
        commands.extend(self.import.ui(ctx, &view).into_iter().map(AppCommand::Import));
        let sending =
            self.import.follow.as_ref().and_then(|f| f.summary.as_ref()).is_some_and(|s| s.counts.pending() > 0);
        if sending {
            ctx.request_repaint_after(PROGRESS_TICK);
        }
    }

    /// Opens the Import window, or closes it.
    pub(super) fn toggle_import(&mut self) {
        self.import.open = !self.import.open;
        self.import.batches_read_at = None;
    }

    pub(super) fn run_import_command(&mut self, command: ImportCommand, ctx: &egui::Context) {
        match command {
            ImportCommand::PickFile => self.pick_import_file(ctx),
            ImportCommand::OpenFile(path) => self.read_import_file(path, false, ctx),
            ImportCommand::OpenSkippingBadRows(path) => self.read_import_file(path, true, ctx),
            ImportCommand::Import(mapping, options) => self.store_import(mapping, options, ctx),
            ImportCommand::QueueValid(id) => self.batch_action(ctx, move |store| {
                let count = queue_batch(store, &id).map_err(|e| e.to_string())?;
                Ok(format!("{count} rows queued: the outbox sends them now."))
            }),
            ImportCommand::StopSending(id) => self.batch_action(ctx, move |store| {
                let count = store.unqueue_batch(&id).map_err(|e| e.to_string())?;
                Ok(format!("{count} rows taken out of the outbox; rows being sent finish. Queue them again from here."))
            }),
            ImportCommand::ExportReport(id) => self.export_batch_report(id, ctx),
            ImportCommand::Follow(id) => {
                self.import.follow = Some(BatchFollow::new(id));
            }
            ImportCommand::OpenRecord(id) => self.run_drafts_command(DraftsCommand::Open(id), ctx),
            ImportCommand::Restart => {
                self.import.stage = Stage::Start;
                self.import.batches_read_at = None;
            }
            ImportCommand::Close => self.import.open = false,
        }
    }

    /// The store's database, or a notice that there is none.
    fn store_path_for_import(&mut self) -> Option<PathBuf> {
        let path = self.store.as_ref().map(|store| store.path().clone());
        if path.is_none() {
            self.notify(Notice::error("Importing needs the store, which could not be opened (see above)."));
        }
        path
    }

    fn pick_import_file(&mut self, ctx: &egui::Context) {
        if self.import.is_busy() {
            return;
        }
        let Some(store_path) = self.store_path_for_import() else { return };
        let (profile, start_dir) = (self.profile.clone(), self.last_dir.clone());
        let job = self.background.spawn_thread(ctx, "intake-import-dialog", move || {
            let mut dialog = rfd::FileDialog::new()
                .set_title("Import customers")
                .add_filter("Customers (CSV, JSON)", &["csv", "tsv", "txt", "json", "jsonl", "ndjson"]);
            if let Some(dir) = start_dir {
                dialog = dialog.set_directory(dir);
            }
            let Some(path) = dialog.pick_file() else { return Ok(None) };
            load(&path, &store_path, &profile, false).map(Some).map_err(|error| Refusal::of(&path, error))
        });
        self.start_reading(None, job.map_err(|e| e.to_string()));
        self.import.open = true;
    }

    fn read_import_file(&mut self, path: PathBuf, skip_bad_rows: bool, ctx: &egui::Context) {
        self.import.open = true;
        if self.import.is_busy() {
            self.notify(Notice::error("An import is already being read; try again in a moment."));
            return;
        }
        let Some(store_path) = self.store_path_for_import() else { return };
        let profile = self.profile.clone();
        let file = path.display().to_string();
        let job = self.background.spawn_blocking(ctx, move || {
            load(&path, &store_path, &profile, skip_bad_rows).map(Some).map_err(|error| Refusal::of(&path, error))
        });
        self.start_reading(Some(file), job.map_err(|e| e.to_string()));
    }

    fn start_reading(
        &mut self,
        file: Option<String>,
        job: Result<crate::ui::jobs::Job<Result<Option<Loaded>, Refusal>>, String>,
    ) {
        match job {
            Ok(job) => {
                let mut task = Task::Idle;
                if task.start(job).is_ok() {
                    self.import.stage = Stage::Reading { file, task };
                }
            }
            Err(reason) => self.notify(Notice::error(format!("The import could not start: {reason}"))),
        }
    }

    fn store_import(&mut self, mapping: Mapping, options: ImportOptions, ctx: &egui::Context) {
        let Stage::Mapping(dialog) = std::mem::take(&mut self.import.stage) else { return };
        let Some(store_path) = self.store_path_for_import() else {
            self.import.stage = Stage::Mapping(dialog);
            return;
        };
        let loaded = dialog.loaded;
        let (file, rows) = (loaded.file.file_name.clone(), loaded.file.table.len());
        let job = self.background.spawn_blocking(ctx, move || store_rows(&loaded, &mapping, options, &store_path));
        match job {
            Ok(job) => {
                let mut task = Task::Idle;
                if task.start(job).is_ok() {
                    self.import.stage = Stage::Storing { file, rows, task };
                }
            }
            Err(error) => self.notify(Notice::error(format!("The import could not start: {error}"))),
        }
    }

    /// Runs `work` on a batch in the store off the UI thread; its sentence goes to the status line.
    fn batch_action(
        &mut self,
        ctx: &egui::Context,
        work: impl FnOnce(&mut Store) -> Result<String, String> + Send + 'static,
    ) {
        let Some(store_path) = self.store_path_for_import() else { return };
        let job = self.background.spawn_blocking(ctx, move || {
            let mut store = Store::open(&store_path).map_err(|e| e.to_string())?;
            work(&mut store)
        });
        match job.map_err(|e| e.to_string()).and_then(|job| self.import_action.start(job).map_err(|e| e.to_string())) {
            Ok(()) => {}
            Err(reason) => self.notify(Notice::error(format!("The batch could not be changed: {reason}"))),
        }
    }

    fn export_batch_report(&mut self, id: BatchId, ctx: &egui::Context) {
        let Some(store_path) = self.store_path_for_import() else { return };
        let start_dir = self.last_dir.clone();
        let job = self.background.spawn_thread(ctx, "intake-export-dialog", move || {
            let mut dialog = rfd::FileDialog::new()
                .set_title("Export the batch's report")
                .add_filter("CSV", &["csv"])
                .set_file_name(format!("batch-{id}-report.csv"));
            if let Some(dir) = start_dir {
                dialog = dialog.set_directory(dir);
            }
            let Some(path) = dialog.save_file() else { return Ok(None) };
            let rows = Store::open(&store_path).and_then(|store| store.batch_rows(&id)).map_err(|e| e.to_string())?;
            let mut text = Vec::new();
            write_report_csv(&rows, &mut text).map_err(|e| e.to_string())?;
            crate::atomic_write::write_atomically(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(Some(path))
        });
        match job.map_err(|e| e.to_string()).and_then(|job| self.import.export.start(job).map_err(|e| e.to_string())) {
            Ok(()) => {}
            Err(reason) => self.notify(Notice::error(format!("The report could not be exported: {reason}"))),
        }
    }

    /// Takes in what the import's background work finished, and keeps the followed batch and
    /// the batch list fresh as the store changes.
    pub(super) fn poll_import(&mut self, ctx: &egui::Context) {
        self.poll_import_stage();
        if let Some(result) = self.import_action.poll_take() {
            match result {
                Ok(Ok(sentence)) => {
                    self.notify(Notice::info(sentence));
                    if let Some(outbox) = &self.outbox {
                        outbox.wake();
                    }
                }
                Ok(Err(reason)) => self.notify(Notice::error(format!("The batch could not be changed: {reason}"))),
                Err(lost) => self.notify(Notice::error(format!("The batch could not be changed: {lost}"))),
            }
        }
        if let Some(result) = self.import.export.poll_take() {
            match result {
                Ok(Ok(Some(path))) => {
                    self.notify(Notice::info(format!("Saved the batch's report to {}", path.display())));
                }
                Ok(Ok(None)) => {}
                Ok(Err(reason)) => self.notify(Notice::error(format!("The report could not be exported: {reason}"))),
                Err(lost) => self.notify(Notice::error(format!("The report could not be exported: {lost}"))),
            }
        }
        self.refresh_batches(ctx);
    }

    fn poll_import_stage(&mut self) {
        match &mut self.import.stage {
            Stage::Reading { task, .. } => match task.poll_take() {
                None => {}
                Some(Ok(Ok(Some(loaded)))) => self.import.stage = Stage::Mapping(Box::new(MappingDialog::new(loaded))),
                Some(Ok(Ok(None))) => self.import.stage = Stage::Start,
                Some(Ok(Err(refusal))) => self.import.stage = Stage::Refused(refusal),
                Some(Err(lost)) => self.import.stage = Stage::Refused(Refusal::new("The file", lost.to_string())),
            },
            Stage::Storing { task, file, .. } => match task.poll_take() {
                None => {}
                Some(Ok(Ok(stored))) => {
                    self.import.follow = Some(BatchFollow::new(stored.result.batch.clone()));
                    if stored.result.queued > 0
                        && let Some(outbox) = &self.outbox
                    {
                        outbox.wake();
                    }
                    self.import.stage = Stage::Report(Box::new(stored));
                }
                Some(Ok(Err(message))) => {
                    let file = file.clone();
                    self.import.stage = Stage::Refused(Refusal::new(&file, message));
                }
                Some(Err(lost)) => {
                    let file = file.clone();
                    self.import.stage = Stage::Refused(Refusal::new(&file, lost.to_string()));
                }
            },
            _ => {}
        }
    }

    /// Reads the followed batch's counts, and the recent batches on the start page, again when
    /// the store changed (the store's writer notices other connections' commits too).
    fn refresh_batches(&mut self, ctx: &egui::Context) {
        let Some(store) = &self.store else { return };
        let (changes, store_path) = (store.changes(), store.path().clone());
        if let Some(follow) = &mut self.import.follow {
            // A failed read is tried again at the next change.
            if let Some(Ok(Ok((summary, failed)))) = follow.task.poll_take() {
                follow.update(summary, failed);
            }
            if follow.read_at != Some(changes) && !follow.task.is_running() {
                follow.read_at = Some(changes);
                let (id, path) = (follow.id.clone(), store_path.clone());
                let job = self.background.spawn_blocking(ctx, move || {
                    let store = Store::open(&path).map_err(|e| e.to_string())?;
                    let summary = store.batch(&id).map_err(|e| e.to_string())?.ok_or("the batch is gone")?;
                    let failed = match summary.counts.failed {
                        0 => Vec::new(),
                        _ => store.batch_failed(&id, FAILED_SHOWN).map_err(|e| e.to_string())?,
                    };
                    Ok((summary, failed))
                });
                if let Ok(job) = job {
                    follow.task.start(job).ok();
                }
            }
        }
        self.import.batches.poll();
        let wanted = self.import.open && matches!(self.import.stage, Stage::Start);
        if wanted && self.import.batches_read_at != Some(changes) && !self.import.batches.is_running() {
            self.import.batches_read_at = Some(changes);
            let job = self.background.spawn_blocking(ctx, move || {
                Store::open(&store_path).and_then(|store| store.batches()).map_err(|e| e.to_string())
            });
            if let Ok(job) = job {
                self.import.batches.start(job).ok();
            }
        }
    }
}

/// Reads `path` for `profile`, with the mapping remembered in the store for its columns.
fn load(
    path: &Path,
    store_path: &Path,
    profile: &crate::profiles::Profile,
    skip_bad_rows: bool,
) -> Result<Loaded, LoadError> {
    let store = Store::open(store_path).map_err(|e| LoadError { message: e.to_string(), readable_rows: None })?;
    let backend = profile.backend();
    let remembered = |key: &str| store.saved_mapping(&profile.name, key).ok().flatten();
    let file = load_file(path, backend, skip_bad_rows, remembered)?;
    let properties = profile.property_definitions.clone();
    let properties_known = profile.known_property_definitions().is_some();
    Ok(Loaded { file: Arc::new(file), profile: profile.name.clone(), backend, properties, properties_known })
}

/// Builds, validates and stores every row as one batch; remembers the mapping when asked.
fn store_rows(loaded: &Loaded, mapping: &Mapping, options: ImportOptions, store_path: &Path) -> Result<Stored, String> {
    let LoadedFile { table, file_name, .. } = loaded.file.as_ref();
    let known = loaded.properties_known.then_some(loaded.properties.as_slice());
    let rows = build_rows_for_account(loaded.backend, table, mapping, known);
    let mut store = Store::open(store_path).map_err(|e| e.to_string())?;
    if options.remember
        && let crate::import::ImportTable::Csv(csv) = table
    {
        store
            .save_mapping(&loaded.profile, &header_key(&csv.headers), &mapping.to_file_text())
            .map_err(|e| e.to_string())?;
    }
    let plan = BatchPlan {
        profile: loaded.profile.clone(),
        backend: loaded.backend,
        file_name: file_name.clone(),
        queue_valid: options.queue,
    };
    let result = store_batch(&mut store, &plan, &rows).map_err(|e| format!("nothing was imported: {e}"))?;
    let problems = result
        .records
        .iter()
        .zip(rows)
        .filter(|(_, row)| !row.issues.is_empty() || row.duplicate_of.is_some())
        .map(|(record, row)| (record.clone(), row))
        .collect();
    Ok(Stored { result, problems, file_name: file_name.clone(), skipped: loaded.file.skipped.clone() })
}
