//! Drawing the Profiles window: the list, the editor with its actions, secrets and Test
//! credentials, and the questions it asks. Everything asked for leaves as a [`ProfileCommand`].

use std::time::Instant;

use egui::{RichText, Ui};

use super::{EditorState, ManagerView, ProfileCommand, ProfileManager, Selection};
use crate::profiles::ProfileStore;
use crate::ui::notice::notice_label_ui;
use crate::ui::profiles::editor::{FormField, error_line_ui, settings_ui};
use crate::ui::profiles::secrets::{SecretAction, SecretsView, secrets_ui};
use crate::ui::profiles::vault_jobs::VaultTask;
use crate::ui::profiles::verdict::{testing_ui, verdict_ui};
use crate::ui::widgets::success_color;

impl ProfileManager {
    /// Draws the window (when open); returns what the person asked for.
    pub fn ui(&mut self, ctx: &egui::Context, view: ManagerView<'_>) -> Vec<ProfileCommand> {
        let mut commands = std::mem::take(&mut self.queued);
        if !self.open {
            return commands;
        }
        // A fixed size: the dialog stays put while its content changes (a verdict arrives, a
        // message wraps), so nothing moves under the pointer.
        let body = egui::vec2(900.0, (ctx.content_rect().height() - 140.0).clamp(280.0, 640.0));
        let mut switch = None;
        let modal = egui::Modal::new(egui::Id::unique("profile_manager")).show(ctx, |ui| {
            ui.set_width(body.x);
            crate::ui::widgets::name_dialog(ui, "Profiles");
            ui.heading("Profiles");
            ui.separator();
            ui.allocate_ui_with_layout(body, egui::Layout::left_to_right(egui::Align::Min), |ui| {
                ui.set_min_size(body);
                ui.vertical(|ui| {
                    ui.set_width(210.0);
                    self.list_ui(ui, view, body.y);
                });
                ui.separator();
                ui.vertical(|ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("profile_editor_scroll")
                        .max_height(body.y)
                        .auto_shrink([false, false])
                        .show(ui, |ui| self.editor_ui(ui, view, &mut commands, &mut switch));
                });
            });
            ui.separator();
            self.footer_ui(ui);
        });
        match (switch, self.pending_switch.take()) {
            (Some(true), Some(selection)) => {
                let profile = match &selection {
                    Selection::Existing(name) => view.profiles.find(name),
                    Selection::New => None,
                };
                self.select(&selection, profile);
            }
            (None, pending) => self.pending_switch = pending,
            (Some(_), _) => {}
        }
        if modal.should_close() && self.confirm_remove.is_none() {
            self.close();
        }
        self.confirm_remove_ui(ctx, view.profiles, &mut commands);
        commands
    }

    fn list_ui(&mut self, ui: &mut Ui, view: ManagerView<'_>, height: f32) {
        egui::ScrollArea::vertical().id_salt("profile_list").max_height(height - 40.0).show(ui, |ui| {
            for profile in view.profiles.profiles() {
                let selected = self.editing() == Some(profile.name.as_str());
                ui.horizontal(|ui| {
                    let response = ui.selectable_label(selected, &profile.name);
                    if profile.name == view.active {
                        ui.label(RichText::new("active").small().color(success_color(ui.visuals())))
                            .on_hover_text("The profile the form sends to.");
                    }
                    if profile.production {
                        ui.label(RichText::new("live").small().color(ui.visuals().error_fg_color))
                            .on_hover_text("A production profile.");
                    }
                    if response.clicked() && !selected {
                        self.request_select(Selection::Existing(profile.name.clone()), view.profiles);
                    }
                });
            }
            if self.editor.as_ref().is_some_and(|e| e.form.is_new()) {
                ui.add_enabled(false, egui::Button::selectable(true, "New profile (not saved)"));
            }
        });
        ui.add_space(6.0);
        if ui.button("New profile").on_hover_text("Add a Finosu or Help Scout account").clicked() {
            self.request_select(Selection::New, view.profiles);
        }
    }

    fn footer_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Close").on_hover_text("Close the profiles (Ctrl+P, Esc)").clicked() {
                    self.close();
                }
                if let Some(notice) = &self.notice {
                    notice_label_ui(ui, notice);
                }
            });
        });
    }

    /// Draws the editor of the selected profile; `switch` gets the answer to "discard unsaved
    /// changes?" (true: discard).
    fn editor_ui(
        &mut self,
        ui: &mut Ui,
        view: ManagerView<'_>,
        commands: &mut Vec<ProfileCommand>,
        switch: &mut Option<bool>,
    ) {
        let Self { editor, inputs, verdicts, check_started, confirm_remove, pending_switch, .. } = self;
        let Some(editor) = editor else {
            ui.label("Pick a profile on the left, or make a new one.");
            return;
        };
        let title = editor.form.original.clone().unwrap_or_else(|| "New profile".to_owned());
        ui.label(RichText::new(title).size(17.0).strong());
        ui.add_space(4.0);
        let sandbox_url = view.sandbox_urls.map(|(finosu, help_scout)| match editor.form.backend {
            crate::model::Backend::Finosu => finosu,
            crate::model::Backend::HelpScout => help_scout,
        });
        settings_ui(ui, &mut editor.form, &mut editor.error, sandbox_url);
        ui.add_space(6.0);
        actions_ui(ui, editor, view, commands, confirm_remove);
        if let Some(error) = editor.error.as_ref().filter(|e| e.field == FormField::Whole) {
            error_line_ui(ui, &error.message);
        }
        if let Some(selection) = pending_switch.as_ref() {
            *switch = pending_switch_ui(ui, selection);
        }
        ui.separator();
        let saved_name = editor.form.original.clone();
        let secrets_view = SecretsView {
            profile: saved_name.as_deref(),
            auth: editor.baseline.auth,
            built_in: editor.form.built_in,
            statuses: view.vault.statuses(),
            busy: saved_name.as_deref().is_some_and(|name| view.vault.is_busy_for(name)),
        };
        if let (Some(action), Some(profile)) = (secrets_ui(ui, secrets_view, inputs), saved_name.clone()) {
            let task = match action {
                SecretAction::Store { kind, secret, storage } => VaultTask::Store { kind, secret, storage },
                SecretAction::Remove(kind) => VaultTask::Remove(kind),
            };
            commands.push(ProfileCommand::Vault { profile, task });
        }
        ui.separator();
        let dirty = editor.is_dirty();
        test_ui(ui, saved_name.as_deref(), dirty, view, check_started.as_ref(), commands);
        if let Some(report) = saved_name.as_deref().and_then(|name| verdicts.get(name)) {
            verdict_ui(ui, report);
        }
    }

    fn confirm_remove_ui(&mut self, ctx: &egui::Context, store: &ProfileStore, commands: &mut Vec<ProfileCommand>) {
        let Some(name) = self.confirm_remove.clone() else { return };
        let mut answer = None;
        let modal = egui::Modal::new(egui::Id::unique("confirm_remove_profile")).show(ctx, |ui| {
            ui.set_width(420.0);
            let title = format!("Remove profile {name}?");
            crate::ui::widgets::name_dialog(ui, &title);
            ui.heading(title);
            ui.add(
                egui::Label::new(
                    "Its settings are deleted, and so are the secrets stored for it in the keyring. Customers already sent are not affected.",
                )
                .wrap(),
            );
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Remove").clicked() {
                    answer = Some(true);
                }
                if ui.button("Keep").clicked() {
                    answer = Some(false);
                }
            });
        });
        if modal.should_close() {
            answer = answer.or(Some(false));
        }
        match answer {
            Some(true) if store.find(&name).is_some() => {
                self.confirm_remove = None;
                commands.push(ProfileCommand::Remove(name));
            }
            Some(_) => self.confirm_remove = None,
            None => {}
        }
    }
}

/// "Discard the unsaved changes and switch?"; returns the answer once given (true: discard).
fn pending_switch_ui(ui: &mut Ui, selection: &Selection) -> Option<bool> {
    let target = match selection {
        Selection::Existing(name) => format!("switch to {name}"),
        Selection::New => "start a new profile".to_owned(),
    };
    let mut answer = None;
    ui.horizontal_wrapped(|ui| {
        let text = format!("This profile has unsaved changes. Discard them and {target}?");
        ui.label(RichText::new(text).color(ui.visuals().warn_fg_color));
        if ui.button("Discard changes").clicked() {
            answer = Some(true);
        }
        if ui.button("Keep editing").clicked() {
            answer = Some(false);
        }
    });
    answer
}

/// Save, Use this profile, Duplicate, Remove… and Revert.
fn actions_ui(
    ui: &mut Ui,
    editor: &mut EditorState,
    view: ManagerView<'_>,
    commands: &mut Vec<ProfileCommand>,
    confirm_remove: &mut Option<String>,
) {
    let store = view.profiles;
    let dirty = editor.is_dirty();
    let saved = editor.form.original.clone();
    let real_saved = saved.clone().filter(|_| !editor.form.built_in);
    ui.horizontal(|ui| {
        let save = ui.add_enabled(dirty, egui::Button::new(RichText::new("Save").strong()));
        if save.on_hover_text("Check and save these settings (never a secret)").clicked() {
            let stored = saved.as_deref().and_then(|name| store.find(name));
            match editor.form.to_profile(stored) {
                Ok(profile) => commands.push(ProfileCommand::Save { original: saved.clone(), profile }),
                Err(error) => editor.error = Some(error),
            }
        }
        if let Some(name) = saved.as_ref().filter(|name| name.as_str() != view.active) {
            let use_it = ui.add_enabled(!dirty, egui::Button::new("Use this profile"));
            if use_it
                .on_hover_text("Send the form's customers to this profile")
                .on_disabled_hover_text("Save or revert the changes first")
                .clicked()
            {
                commands.push(ProfileCommand::Activate(name.clone()));
            }
        }
        if let Some(name) = &real_saved {
            // A copy is made of the saved settings: with unsaved edits it would surprise.
            let duplicate = ui.add_enabled(!dirty, egui::Button::new("Duplicate"));
            if duplicate
                .on_hover_text("Copy these settings under a new name (not the secrets)")
                .on_disabled_hover_text("Save or revert the changes first")
                .clicked()
            {
                commands.push(ProfileCommand::Duplicate(name.clone()));
            }
            if ui.button("Remove…").on_hover_text("Remove this profile and its secrets").clicked() {
                *confirm_remove = Some(name.clone());
            }
        }
        if dirty && saved.is_some() && ui.button("Revert").on_hover_text("Back to the saved settings").clicked() {
            editor.form = editor.baseline.clone();
            editor.error = None;
        }
    });
}

/// The Test credentials button, or the spinner while a test runs.
fn test_ui(
    ui: &mut Ui,
    saved_name: Option<&str>,
    dirty: bool,
    view: ManagerView<'_>,
    check_started: Option<&(String, Instant)>,
    commands: &mut Vec<ProfileCommand>,
) {
    let Some(name) = saved_name else { return };
    if view.checking == Some(name) {
        let elapsed = check_started.filter(|(n, _)| n == name).map(|(_, at)| at.elapsed()).unwrap_or_default();
        testing_ui(ui, elapsed);
        return;
    }
    ui.horizontal(|ui| {
        let busy = view.checking.is_some() || view.vault.is_busy_for(name);
        let button = ui
            .add_enabled(!dirty && !busy, egui::Button::new("Test credentials"))
            .on_hover_text("One harmless read with the saved settings and secrets; the requests show under Responses.")
            .on_disabled_hover_text(if dirty {
                "Save the changes first: the test uses the saved profile."
            } else {
                "Wait for the test or keyring work under way."
            });
        if button.clicked() {
            commands.push(ProfileCommand::Test(name.to_owned()));
        }
        if dirty {
            ui.label(RichText::new("Save first: the test uses the saved settings.").small().weak());
        }
    });
}
