//! Starting a new customer, and the question asked first when the draft has unsaved changes.

use super::{AppCommand, IntakeApp};
use crate::model::{Draft, Tab};
use crate::ui::notice::Notice;

impl IntakeApp {
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

    pub(super) fn start_new(&mut self) {
        let backend = self.backend();
        self.form.replace(Draft::new(backend));
        self.clean_body = None;
        self.confirm_new = false;
        self.select_tab(Tab::Basic);
        self.notify(Notice::info(format!("New {} customer.", backend.display_name())));
    }
}

/// "Discard this draft?" over the form; its answer becomes a command.
pub(super) fn confirm_new_ui(ctx: &egui::Context, commands: &mut Vec<AppCommand>) {
    let modal = egui::Modal::new(egui::Id::unique("confirm_new")).show(ctx, |ui| {
        ui.set_width(380.0);
        ui.heading("Discard this draft?");
        ui.label(
            "The customer in the form has changes that are not saved to a file. Starting a new one discards them.",
        );
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Discard and start new").clicked() {
                commands.push(AppCommand::DiscardAndNew(true));
            }
            if ui.button("Keep editing").clicked() {
                commands.push(AppCommand::DiscardAndNew(false));
            }
        });
    });
    if modal.should_close() {
        commands.push(AppCommand::DiscardAndNew(false));
    }
}
