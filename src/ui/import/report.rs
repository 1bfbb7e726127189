//! The start page (pick a file, recent batches), the report of an import, and a refused file.

use egui::{RichText, Ui};

use super::progress::progress_ui;
use super::{BatchFollow, ImportCommand, ImportView, Refusal, Stored};
use crate::batch::issue_line;
use crate::import::SkippedRow;
use crate::store::BatchSummary;
use crate::ui::jobs::JobLost;

/// Height of one problem row of the report.
const ROW_HEIGHT: f32 = 24.0;
/// Recent batches listed on the start page.
const RECENT_BATCHES: usize = 8;

/// Pick a file; the batch being followed; recent batches.
pub fn start_ui(
    ui: &mut Ui,
    view: &ImportView<'_>,
    batches: Option<&Result<Result<Vec<BatchSummary>, String>, JobLost>>,
    follow: Option<&BatchFollow>,
    commands: &mut Vec<ImportCommand>,
) {
    ui.label(format!(
        "Import a CSV or JSON file of customers for profile {} ({}).",
        view.profile,
        view.backend.display_name()
    ));
    ui.label(
        RichText::new(
            "CSV: a header row, comma or semicolon, UTF-8. Columns named like a field (firstName, emails.0.value, \
             address.city) map by themselves; others are suggested. JSON: an array of request bodies, or one per line.",
        )
        .weak(),
    );
    ui.horizontal(|ui| {
        if ui.button("Choose file…").clicked() {
            commands.push(ImportCommand::PickFile);
        }
        ui.label(RichText::new("or drop a .csv or .json file on the window").weak());
    });
    if let Some(follow) = follow {
        ui.separator();
        progress_ui(ui, follow, view, commands);
    }
    ui.separator();
    ui.label(RichText::new("Recent batches").strong());
    match batches {
        None => {
            ui.spinner();
        }
        Some(Err(lost)) => {
            ui.label(
                RichText::new(format!("The batches could not be read: {lost}")).color(ui.visuals().error_fg_color),
            );
        }
        Some(Ok(Err(message))) => {
            ui.label(
                RichText::new(format!("The batches could not be read: {message}")).color(ui.visuals().error_fg_color),
            );
        }
        Some(Ok(Ok(batches))) if batches.is_empty() => {
            ui.label(RichText::new("None yet.").weak());
        }
        Some(Ok(Ok(batches))) => {
            for batch in batches.iter().take(RECENT_BATCHES) {
                ui.horizontal(|ui| {
                    let c = batch.counts;
                    ui.label(format!(
                        "{} · {} · {} rows: {} sent, {} failed, {} pending, {} not queued",
                        batch.file_name,
                        batch.profile,
                        batch.rows,
                        c.sent,
                        c.failed,
                        c.pending(),
                        c.not_queued()
                    ));
                    let shown = follow.is_some_and(|f| f.id == batch.id);
                    if !shown
                        && ui.small_button("Show").on_hover_text("Follow this batch and export its report").clicked()
                    {
                        commands.push(ImportCommand::Follow(batch.id.clone()));
                    }
                });
            }
        }
    }
}

/// What an import stored: its counts, the batch's progress, and each row to fix.
pub fn report_ui(
    ui: &mut Ui,
    stored: &Stored,
    follow: Option<&BatchFollow>,
    view: &ImportView<'_>,
    commands: &mut Vec<ImportCommand>,
) {
    let result = &stored.result;
    let mut parts = vec![format!("{} valid", result.valid.saturating_sub(result.duplicates))];
    if result.invalid > 0 {
        parts.push(format!("{} with errors", result.invalid));
    }
    if result.duplicates > 0 {
        parts.push(format!("{} repeating an earlier row", result.duplicates));
    }
    ui.label(
        RichText::new(format!("{}: {} rows imported: {}.", stored.file_name, result.rows, parts.join(", "))).strong(),
    );
    skipped_ui(ui, &stored.skipped);
    if let Some(follow) = follow {
        progress_ui(ui, follow, view, commands);
    }
    if !stored.problems.is_empty() {
        ui.separator();
        ui.label(format!(
            "Rows to look at ({}): open one to fix it in the form; it is saved as you type, then queue it from Drafts.",
            stored.problems.len()
        ));
        let height = (ui.available_height() - 40.0).max(ROW_HEIGHT * 4.0);
        egui::ScrollArea::vertical()
            .id_salt("import_problems")
            .max_height(height)
            .auto_shrink([false, true])
            .show_rows(ui, ROW_HEIGHT, stored.problems.len(), |ui, range| {
                for (record, row) in stored.problems.get(range).unwrap_or_default() {
                    ui.horizontal(|ui| {
                        if ui.small_button(format!("Open row {}", row.number)).clicked() {
                            commands.push(ImportCommand::OpenRecord(record.clone()));
                        }
                        let mut lines: Vec<String> = row.issues.iter().map(|issue| issue_line(row, issue)).collect();
                        if let Some(earlier) = row.duplicate_of {
                            lines.push(format!("row {}: the same customer as row {earlier}: not queued", row.number));
                        }
                        let first = lines.first().cloned().unwrap_or_default();
                        let more = match lines.len() {
                            0 | 1 => String::new(),
                            n => format!("  (+{} more)", n - 1),
                        };
                        ui.add(egui::Label::new(format!("{first}{more}")).truncate()).on_hover_text(lines.join("\n"));
                    });
                }
            });
    }
    ui.separator();
    if ui.button("Import another file…").clicked() {
        commands.push(ImportCommand::Restart);
    }
}

/// A file that could not be imported: why, that nothing changed, and the readable rows offered
/// when only some rows are broken.
pub fn refused_ui(ui: &mut Ui, refusal: &Refusal, commands: &mut Vec<ImportCommand>) {
    ui.label(RichText::new(format!("{} was not imported.", refusal.file)).strong());
    ui.add(egui::Label::new(RichText::new(&refusal.message).color(ui.visuals().error_fg_color)).wrap());
    ui.label("Nothing was changed.");
    ui.horizontal(|ui| {
        if let Some((path, rows)) = &refusal.readable {
            let label = format!("Import the {rows} readable {}", if *rows == 1 { "row" } else { "rows" });
            let button = ui.button(label).on_hover_text("The rows that cannot be read are left out and listed");
            if button.clicked() {
                commands.push(ImportCommand::OpenSkippingBadRows(path.clone()));
            }
        }
        if ui.button("Choose another file…").clicked() {
            commands.push(ImportCommand::PickFile);
        }
        if ui.button("Back").clicked() {
            commands.push(ImportCommand::Restart);
        }
    });
}

/// The rows left out as unreadable, each with why.
pub fn skipped_ui(ui: &mut Ui, skipped: &[SkippedRow]) {
    if skipped.is_empty() {
        return;
    }
    let count = skipped.len();
    ui.label(
        RichText::new(format!("{count} unreadable {} left out:", if count == 1 { "row is" } else { "rows are" }))
            .color(ui.visuals().warn_fg_color),
    );
    egui::ScrollArea::vertical().id_salt("import_skipped").max_height(80.0).auto_shrink([false, true]).show_rows(
        ui,
        ROW_HEIGHT,
        count,
        |ui, range| {
            for row in skipped.get(range).unwrap_or_default() {
                let text = row.reason.to_string();
                ui.add(egui::Label::new(&text).truncate()).on_hover_text(&text);
            }
        },
    );
}
