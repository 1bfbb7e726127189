//! The status bar: the last notice (or the keyboard shortcuts), how many errors block sending,
//! with "Show all problems", and Intake's version.

use egui::{RichText, Ui};

use super::{AppCommand, IntakeApp};
use crate::ui::notice::notice_label_ui;

/// What the status bar says when there is no notice.
const SHORTCUT_HINT: &str = "Tab next field · Ctrl+Enter submit · Ctrl+1…4 tabs · Ctrl+N new · Ctrl+D drafts · Ctrl+O open · Ctrl+S save · Ctrl+P profiles · Ctrl+I import · drop a .json or .csv file";

impl IntakeApp {
    /// The right-hand part is laid out first, so the notice or the key list on the left takes
    /// only the width that is left, cut with "…" (hover shows it whole) instead of running under
    /// the error count.
    pub(super) fn status_bar_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let version = ui.label(RichText::new(format!("Intake {}", env!("CARGO_PKG_VERSION"))).small().weak());
            version.on_hover_text("The version of Intake (intake --version)");
            ui.separator();
            let errors = self.form.error_count();
            let hidden = self.form.hidden_count();
            let summary = if errors == 0 {
                RichText::new("✔ No errors")
            } else {
                let phrase = if errors == 1 { "error blocks" } else { "errors block" };
                RichText::new(format!("{errors} {phrase} sending")).color(ui.visuals().error_fg_color)
            };
            if hidden > 0 && ui.button(format!("Show all problems ({hidden} more)")).clicked() {
                commands.push(AppCommand::ShowAllProblems);
            }
            ui.label(summary);
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| match &self.status {
                Some(notice) => notice_label_ui(ui, notice),
                None => ui.add(egui::Label::new(RichText::new(SHORTCUT_HINT).weak()).truncate()),
            });
        });
    }
}
