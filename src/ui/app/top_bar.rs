//! The top bar: the profile picker and where it sends, Profiles…, New / Open / Save, and
//! Submit (or the spinner and Cancel while a send runs).

use egui::{RichText, Ui};

use super::{AppCommand, IntakeApp};
use crate::credentials::Storage;
use crate::ui::profiles::{CredentialSummary, production_badge_ui};

impl IntakeApp {
    pub(super) fn top_bar_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            self.profile_picker_ui(ui, commands);
            if self.profile.production {
                production_badge_ui(ui);
            }
            if ui.button("Profiles…").on_hover_text("Add, edit and test profiles and their secrets (Ctrl+P)").clicked()
            {
                commands.push(AppCommand::ToggleProfiles);
            }
            ui.label(RichText::new(format!("Backend: {}", self.backend().display_name())).strong());
            self.profile_target_ui(ui, commands);
            self.outbox_state_ui(ui, commands);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.submit_ui(ui, commands);
                ui.separator();
                self.file_buttons_ui(ui, commands);
            });
        });
        ui.add_space(2.0);
    }

    fn profile_picker_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
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
            commands.push(AppCommand::SelectProfile(chosen));
        }
    }

    /// New, Open…, Import… and Save… (drawn right to left).
    fn file_buttons_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        let busy = self.files.is_busy();
        let save = ui.add_enabled(!busy, egui::Button::new("Save…"));
        if save.on_hover_text("Save the draft as JSON (Ctrl+S)").clicked() {
            commands.push(AppCommand::Save);
        }
        let import = ui.add_enabled(!self.import.is_busy(), egui::Button::new("Import…"));
        if import.on_hover_text("Import customers from a CSV or JSON file (Ctrl+I)").clicked() {
            commands.push(AppCommand::ToggleImport);
        }
        let open = ui.add_enabled(!busy, egui::Button::new("Open…"));
        if open.on_hover_text("Open a JSON draft (Ctrl+O)").clicked() {
            commands.push(AppCommand::Open);
        }
        if ui.button("New").on_hover_text("Start a new customer (Ctrl+N)").clicked() {
            commands.push(AppCommand::New);
        }
    }

    /// Where the active profile sends: the sandbox's address, or the base URL and the secret
    /// for this session.
    fn profile_target_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        if self.profile.kind.is_sandbox() {
            self.sandbox_target_ui(ui);
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
                let hover = format!("The {} this profile signs in with; change it under Profiles…", kind.noun());
                ui.label(RichText::new(text).small()).on_hover_text(hover);
            }
            CredentialSummary::Missing => {
                let link = ui.link("Set up credentials…");
                if link.on_hover_text("This profile has no secret to sign in with yet").clicked() {
                    commands.push(AppCommand::SetUpCredentials);
                }
            }
            CredentialSummary::Unreadable(error) => {
                let link = ui.link("Set up credentials…");
                if link.on_hover_text(format!("The secrets cannot be read: {error}.")).clicked() {
                    commands.push(AppCommand::SetUpCredentials);
                }
            }
            CredentialSummary::Unknown | CredentialSummary::BuiltIn => {}
        }
    }

    /// "Offline — N queued" while the active profile's backend cannot be reached; "N queued"
    /// while records wait; nothing otherwise. Clicking shows the Drafts panel.
    fn outbox_state_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        let Some(status) = self.outbox.as_ref().map(crate::ui::outbox_worker::OutboxWorker::status) else { return };
        let queued = status.queued.get(&self.profile.name).copied().unwrap_or(0);
        let (text, color, hover) =
            match (status.offline.get(&self.profile.name), status.blocked.get(&self.profile.name)) {
                (Some(offline), _) => (
                    format!("Offline — {queued} queued"),
                    ui.visuals().warn_fg_color,
                    format!(
                        "{}: {}. Queued customers wait and are sent when it answers again.",
                        self.profile.name, offline.reason
                    ),
                ),
                (None, Some(reason)) if queued > 0 => (
                    format!("{queued} queued, cannot send"),
                    ui.visuals().error_fg_color,
                    format!("{reason}. Fix it under Profiles…; the queue waits."),
                ),
                _ if queued > 0 => {
                    (format!("{queued} queued"), ui.visuals().text_color(), "Waiting to be sent".to_owned())
                }
                _ => return,
            };
        if ui.link(RichText::new(text).color(color)).on_hover_text(hover).clicked() {
            commands.push(AppCommand::ShowSide(super::SidePanel::Drafts));
        }
    }

    /// The built-in sandbox's state, for a sandbox profile.
    fn sandbox_target_ui(&self, ui: &mut Ui) {
        match self.network.sandbox() {
            Some(sandbox) => {
                let url = sandbox.base_url(self.backend());
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
    }

    /// Submit, or the spinner and Cancel while a send runs (drawn right to left).
    fn submit_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        if self.is_checking_duplicates() {
            if ui.button("Cancel").on_hover_text("Stop the duplicate check; nothing is sent").clicked() {
                commands.push(AppCommand::CancelSubmit);
            }
            ui.label("Checking for an existing customer…");
            ui.spinner();
            return;
        }
        if let Some(elapsed) = self.sending_elapsed() {
            if ui.button("Cancel").on_hover_text("Stop waiting for the answer").clicked() {
                commands.push(AppCommand::CancelSubmit);
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
            commands.push(AppCommand::Submit);
        }
    }
}
