//! Drawing the window: the panels in their places, the dialogs over them, then the commands
//! they returned.

use egui::Ui;

use super::shortcuts::{ShortcutScope, shortcut_commands};
use super::{AppCommand, IntakeApp, SidePanel};
use crate::ui::import::ImportCommand;
use crate::ui::preview::{PreviewText, preview_text, preview_ui};
use crate::ui::widgets::{mark_tab, mark_tab_list};

/// A dropped file that is imported rather than opened as a draft: a table or JSON Lines (a
/// `.json` holding a list is imported too, once read).
fn is_import_file(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ["csv", "tsv", "jsonl", "ndjson"].contains(&ext.to_ascii_lowercase().as_str()))
}

impl IntakeApp {
    /// Draws the whole window, then runs what was asked while drawing.
    pub(super) fn draw(&mut self, ui: &mut Ui) {
        if let Some(stats) = &self.frame_stats {
            stats.on_frame();
        }
        let ctx = ui.ctx().clone();
        let scope = if self.confirm_production || self.is_asking_about_duplicates() {
            ShortcutScope::None
        } else if self.profile_manager.is_open() {
            ShortcutScope::ProfilesOnly
        } else if self.import.open {
            ShortcutScope::ImportOnly
        } else {
            ShortcutScope::All
        };
        let mut commands = shortcut_commands(&ctx, scope);
        let dropped = ctx.input(|i| i.raw.dropped_files.first().map(|file| file.path().to_owned()));
        commands.extend(dropped.map(|path| {
            if is_import_file(&path) {
                AppCommand::Import(ImportCommand::OpenFile(path))
            } else {
                AppCommand::OpenPath(path)
            }
        }));
        let generation = self.form.generation();

        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar_ui(ui, &mut commands));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui, &mut commands));
        self.side_panel_ui(ui, &mut commands);
        egui::CentralPanel::default().show(ui, |ui| self.form_panel_ui(ui, &mut commands));
        self.profile_manager_ui(&ctx, &mut commands);
        self.import_window_ui(&ctx, &mut commands);
        self.production_question_ui(&ctx, &mut commands);
        self.duplicate_question_ui(&ctx, &mut commands);
        self.run_commands(commands, &ctx);
        // What was typed this frame goes to the store's writer now.
        self.records_autosave();

        // An edit this frame changed issues and preview after the tab bar and the preview were
        // drawn: draw once more with them fresh.
        if self.form.is_stale() || self.form.generation() != generation {
            self.form.refresh(self.backend());
            ctx.request_repaint();
        }
    }

    /// The request preview or the response viewer, beside the form.
    fn side_panel_ui(&mut self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        let backend = self.backend();
        let text = self.preview_text();
        let error_count = self.form.error_count();
        // The form keeps at least 40 % of the window, however wide a response is.
        let side_max = (ui.available_width() * 0.6).max(300.0);
        let side = egui::Panel::right("request_preview").resizable(true).default_size(400.0).min_size(260.0);
        side.max_size(side_max).show(ui, |ui| {
            self.side_switch_ui(ui, commands);
            match self.side {
                SidePanel::Request => preview_ui(ui, backend, &text, error_count),
                SidePanel::Responses => self.viewer.ui(ui),
                SidePanel::Drafts => {
                    let status = self.outbox.as_ref().map(crate::ui::outbox_worker::OutboxWorker::status);
                    let view = crate::ui::drafts::DraftsView { outbox: status.as_ref() };
                    commands.extend(self.drafts.ui(ui, view).into_iter().map(AppCommand::Drafts));
                }
            }
        });
    }

    /// The preview text, made again only when the form or the SSN visibility changed.
    fn preview_text(&mut self) -> std::sync::Arc<PreviewText> {
        let generation = self.form.generation();
        let reveal = self.tabs_runtime.ssn_visible;
        match &self.preview_cache {
            Some((g, r, text)) if *g == generation && *r == reveal => std::sync::Arc::clone(text),
            _ => {
                let text = self.form.preview().map(|body| preview_text(body, reveal)).unwrap_or_default();
                let text = std::sync::Arc::new(PreviewText::new(text));
                self.preview_cache = Some((generation, reveal, std::sync::Arc::clone(&text)));
                text
            }
        }
    }

    /// Request preview or response viewer.
    fn side_switch_ui(&self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            mark_tab_list(ui, "Side panel");
            let request = ui.selectable_label(self.side == SidePanel::Request, "Request");
            mark_tab(&request, self.side == SidePanel::Request, None);
            if request.clicked() {
                commands.push(AppCommand::ShowSide(SidePanel::Request));
            }
            let responses = match self.viewer.len() {
                0 => "Responses".to_owned(),
                n => format!("Responses ({n})"),
            };
            let responses = ui.selectable_label(self.side == SidePanel::Responses, responses);
            mark_tab(&responses, self.side == SidePanel::Responses, None);
            if responses.clicked() {
                commands.push(AppCommand::ShowSide(SidePanel::Responses));
            }
            let drafts = ui.selectable_label(self.side == SidePanel::Drafts, "Drafts");
            let drafts = drafts.on_hover_text("Every customer typed, queued or sent (Ctrl+D)");
            mark_tab(&drafts, self.side == SidePanel::Drafts, Some("Ctrl+D"));
            if drafts.clicked() {
                commands.push(AppCommand::ShowSide(SidePanel::Drafts));
            }
        });
        ui.separator();
    }
}
