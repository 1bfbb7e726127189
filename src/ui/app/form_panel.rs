//! The form panel: where the form's record stands (sent, queued, failed), fields the form
//! cannot edit (with Remove), the tab bar with its problem counts, and the selected tab —
//! read-only while the record is queued, being sent or sent.

use egui::{RichText, Ui};

use super::{AppCommand, IntakeApp};
use crate::model::{Backend, Tab};
use crate::store::RecordState;
use crate::ui::drafts::DraftsCommand;
use crate::ui::tabs::tab_ui;
use crate::ui::widgets::{mark_tab, mark_tab_list, mark_tab_panel, success_color};

impl IntakeApp {
    pub(super) fn form_panel_ui(&mut self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        let editable = self.record_banner_ui(ui, commands);
        self.unknown_fields_ui(ui, commands);
        let selected_tab = self.tab_bar_ui(ui, commands);
        ui.separator();
        let backend = self.backend();
        let tab = self.tab;
        egui::ScrollArea::vertical().id_salt(("form_scroll", tab)).auto_shrink([false, false]).show(ui, |ui| {
            if let Some(tab_id) = selected_tab {
                mark_tab_panel(ui, tab_id);
            }
            ui.add_space(4.0);
            let (task_types, templates) = (&self.profile.learned_task_types, &self.profile.metadata_templates);
            ui.add_enabled_ui(editable, |ui| {
                tab_ui(ui, tab, backend, &mut self.form, &mut self.tabs_runtime, task_types, templates);
            });
        });
        if let Some(command) = self.tabs_runtime.metadata.take_command() {
            commands.push(AppCommand::MetadataTemplate(command));
        }
    }

    /// Where the form's record stands, when that is not "being typed": sent (with the server's
    /// id), queued or being sent, failed (with why and what to do). Returns whether the form
    /// can be edited.
    fn record_banner_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) -> bool {
        let Some(record) = self.current_record() else { return true };
        let (text, color) = match record.state {
            RecordState::Draft | RecordState::Ready => return true,
            RecordState::Sent => {
                let id = record.server_id.as_deref().map(|id| format!(" as {id}")).unwrap_or_default();
                (
                    format!("Sent{id} to {}. Read-only: duplicate it to send it again.", record.profile),
                    success_color(ui.visuals()),
                )
            }
            RecordState::Queued | RecordState::Sending => {
                let sending = record.state == RecordState::Sending || self.is_sending();
                let what = if sending { "Being sent" } else { "Queued" };
                (
                    format!("{what} for {}. Read-only until it is sent or taken back (Drafts).", record.profile),
                    ui.visuals().warn_fg_color,
                )
            }
            RecordState::Failed => {
                let why = record.message.clone().unwrap_or_else(|| "The last attempt failed.".to_owned());
                (format!("Not sent: {why}"), ui.visuals().error_fg_color)
            }
        };
        let frame = egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.0, color));
        frame.show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(text).color(color));
                if matches!(record.state, RecordState::Sent | RecordState::Failed)
                    && ui.button("Duplicate as new draft").clicked()
                {
                    commands.push(AppCommand::Drafts(DraftsCommand::Duplicate(record.id.clone())));
                }
            });
        });
        record.state.is_editable()
    }

    /// The four tabs, announced as a tab list; returns the selected tab's id (which names the
    /// tab panel under it).
    fn tab_bar_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) -> Option<egui::Id> {
        let counts = self.form.visible_counts(self.backend());
        let mut selected_id = None;
        ui.horizontal(|ui| {
            mark_tab_list(ui, "Form tabs");
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
                let shortcut = format!("Ctrl+{}", index + 1);
                let response = ui.selectable_label(selected, text).on_hover_text(&shortcut);
                mark_tab(&response, selected, Some(&shortcut));
                if selected {
                    selected_id = Some(response.id);
                }
                if response.clicked() {
                    commands.push(AppCommand::SelectTab(tab));
                }
            }
        });
        selected_id
    }

    /// Fields in the draft that the form has no editor for: say so, and offer to remove them.
    fn unknown_fields_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        let extra = match self.backend() {
            Backend::Finosu => &self.form.finosu().extra,
            Backend::HelpScout => &self.form.help_scout().extra,
        };
        if extra.is_empty() {
            return;
        }
        let frame = egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.0, ui.visuals().warn_fg_color));
        frame.show(ui, |ui| {
            ui.label(
                RichText::new("This draft has fields the form cannot edit. They stay in the draft when saved.")
                    .color(ui.visuals().warn_fg_color),
            );
            for key in extra.keys() {
                let path = format!("/{}", crate::validation::pointer_segment(key));
                ui.horizontal(|ui| {
                    if ui.small_button("Remove").accessible_name(format!("Remove field {key}")).clicked() {
                        commands.push(AppCommand::RemoveUnknownField(key.clone()));
                    }
                    let issue =
                        self.form.issues().iter().find(|i| i.path == path || i.path.starts_with(&format!("{path}/")));
                    let message = issue.map_or_else(|| format!("\"{key}\""), |issue| issue.message.clone());
                    ui.label(RichText::new(message).small());
                });
            }
        });
    }
}
