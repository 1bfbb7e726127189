//! A batch's progress: a bar with counts, the rate, the time left, the rate limit's wait, and
//! Queue / Stop / Export.

use std::time::{Duration, Instant};

use egui::{RichText, Ui};

use super::{BatchFollow, ImportCommand, ImportView};
use crate::batch::duration_words;
use crate::ui::widgets::success_color;

/// Height of one failed row.
const ROW_HEIGHT: f32 = 24.0;

/// Draws `follow`'s progress and its buttons.
pub fn progress_ui(ui: &mut Ui, follow: &BatchFollow, view: &ImportView<'_>, commands: &mut Vec<ImportCommand>) {
    let Some(summary) = &follow.summary else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Reading the batch…");
        });
        return;
    };
    let c = summary.counts;
    let total = c.finished() + c.pending();
    ui.label(RichText::new(format!("Batch of {} for {}", summary.file_name, summary.profile)).small())
        .on_hover_text(format!("Batch {} (intake batch report {})", summary.id, summary.id));
    if total > 0 {
        #[expect(clippy::cast_precision_loss, reason = "a fraction for a progress bar")]
        let fraction = c.finished() as f32 / total as f32;
        let text = format!("{}/{total} done · {} sent, {} failed", c.finished(), c.sent, c.failed);
        ui.add(egui::ProgressBar::new(fraction).text(text).desired_width(ui.available_width().min(520.0)));
    }
    let mut facts = Vec::new();
    if c.pending() > 0 {
        if let Some(rate) = follow.rate() {
            facts.push(if rate >= 1.0 {
                format!("{rate:.1} per second")
            } else {
                format!("{:.1} per minute", rate * 60.0)
            });
            #[expect(clippy::cast_precision_loss, reason = "an estimate")]
            let left = c.pending() as f64 / rate;
            if left.is_finite() {
                facts.push(format!("about {} left", duration_words(Duration::from_secs_f64(left.min(1e7)))));
            }
        } else {
            facts.push(format!("{} waiting to be sent", c.pending()));
        }
        if let Some(until) = view.paced_until.filter(|until| *until > Instant::now()) {
            facts.push(format!("rate limit: next in {}", duration_words(until - Instant::now())));
        }
    } else if total > 0 {
        let done = format!("Done: {} sent, {} failed.", c.sent, c.failed);
        let color = if c.failed == 0 { success_color(ui.visuals()) } else { ui.visuals().warn_fg_color };
        ui.label(RichText::new(done).color(color));
    }
    if c.not_queued() > 0 {
        facts.push(format!("{} not queued ({} with errors)", c.not_queued(), c.draft));
    }
    if !facts.is_empty() {
        ui.label(facts.join(" · "));
    }
    failed_rows_ui(ui, follow, commands);
    ui.horizontal(|ui| {
        if c.ready > 0 && ui.button(format!("Queue {} valid rows", c.ready)).clicked() {
            commands.push(ImportCommand::QueueValid(summary.id.clone()));
        }
        if c.queued > 0
            && ui.button("Stop sending").on_hover_text("Take the rows not sent yet back out of the outbox").clicked()
        {
            commands.push(ImportCommand::StopSending(summary.id.clone()));
        }
        if ui.button("Export report…").on_hover_text("Save every row's result as CSV").clicked() {
            commands.push(ImportCommand::ExportReport(summary.id.clone()));
        }
    });
}

/// The failed rows, each with why and a way to open it (fix it, then *Send again* in Drafts).
fn failed_rows_ui(ui: &mut Ui, follow: &BatchFollow, commands: &mut Vec<ImportCommand>) {
    if follow.failed.is_empty() {
        return;
    }
    let total = follow.summary.as_ref().map_or(follow.failed.len(), |s| s.counts.failed);
    let more = if total > follow.failed.len() { " (the first ones; the report has them all)" } else { "" };
    ui.label(format!("Failed rows{more}:"));
    egui::ScrollArea::vertical().id_salt("import_failed").max_height(160.0).auto_shrink([false, true]).show_rows(
        ui,
        ROW_HEIGHT,
        follow.failed.len(),
        |ui, range| {
            for row in follow.failed.get(range).unwrap_or_default() {
                ui.horizontal(|ui| {
                    if ui.small_button(format!("Open failed row {}", row.row)).clicked() {
                        commands.push(ImportCommand::OpenRecord(row.record.clone()));
                    }
                    let why = row.message.as_deref().unwrap_or("no reason was recorded");
                    ui.add(egui::Label::new(why).truncate()).on_hover_text(why);
                });
            }
        },
    );
}
