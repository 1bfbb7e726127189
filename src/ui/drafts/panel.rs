//! Drawing the Drafts panel: the search bar, the list (only the rows in view are laid out, so
//! 10,000 records cost what 20 do), and the selected record's details.

use egui::{Key, RichText, Role, Sense, Ui, WidgetInfo};

use super::{DraftsCommand, DraftsPanel, visible_rows};
use crate::store::{RecordState, RecordSummary};
use crate::ui::outbox_worker::OutboxStatus;
use crate::ui::widgets::success_color;

/// Height of one row of the list.
const ROW_HEIGHT: f32 = 38.0;
/// Height kept for the selected record's details under the list.
const DETAILS_HEIGHT: f32 = 250.0;

/// What the panel shows besides its own state.
#[derive(Debug, Clone, Copy)]
pub struct DraftsView<'a> {
    /// The outbox's state (records in flight, offline profiles), once it runs.
    pub outbox: Option<&'a OutboxStatus>,
}

impl DraftsPanel {
    /// Draws the panel; returns what the person asked for.
    pub fn ui(&mut self, ui: &mut Ui, view: DraftsView<'_>) -> Vec<DraftsCommand> {
        let mut commands = Vec::new();
        let searching = self.toolbar_ui(ui, &mut commands);
        self.notes_ui(ui, view, &mut commands);
        if self.visible.is_none() {
            self.visible = Some(visible_rows(&self.listed, &self.view));
            self.visible_for = self.view.clone();
        }
        let rows = self.visible.clone().unwrap_or_default();
        if searching {
            self.keyboard(ui, &rows, &mut commands);
        }
        let details = if self.selected.is_some() { DETAILS_HEIGHT } else { 0.0 };
        let list_height = (ui.available_height() - details).max(ROW_HEIGHT * 3.0);
        egui::ScrollArea::vertical()
            .id_salt("drafts_list")
            .max_height(list_height)
            .auto_shrink([false, false])
            .show_rows(ui, ROW_HEIGHT, rows.len(), |ui, range| {
                for &index in &rows[range] {
                    if let Some(record) = self.listed.records.get(index) {
                        let selected = self.selected.as_ref() == Some(&record.id);
                        if record_row_ui(ui, record, selected) {
                            commands.push(DraftsCommand::Select(record.id.clone()));
                        }
                    }
                }
            });
        if rows.is_empty() {
            let empty = if self.listed.records.is_empty() {
                "No customers yet: what you type is kept here."
            } else {
                "Nothing matches."
            };
            ui.label(RichText::new(empty).weak());
        }
        if self.selected.is_some() {
            ui.separator();
            self.details_ui(ui, &mut commands);
        }
        commands
    }

    /// Search, state filter, sort, and Send all ready; true while the search has the keyboard.
    fn toolbar_ui(&mut self, ui: &mut Ui, commands: &mut Vec<DraftsCommand>) -> bool {
        let searching = ui.horizontal(|ui| {
            let label = ui.label("Search");
            let search = ui.add(
                egui::TextEdit::singleline(&mut self.view.query)
                    .hint_text("name, email, id")
                    .desired_width(ui.available_width() - 8.0),
            );
            let search = search.labelled_by(label.id);
            if std::mem::take(&mut self.focus_search) {
                search.request_focus();
            }
            if search.changed() {
                self.search_changed();
            }
            // Enter ends a single-line edit: the field gives up the keyboard in the same frame,
            // so the frame it did counts as searching too, or Enter would never open the selection.
            search.has_focus() || search.lost_focus()
        });
        ui.horizontal(|ui| {
            let mut state = self.view.state;
            egui::ComboBox::from_id_salt("drafts_state_filter")
                .selected_text(state.map_or("All states", RecordState::as_str))
                .width(110.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut state, None, "All states");
                    for each in RecordState::ALL {
                        ui.selectable_value(&mut state, Some(each), each.as_str());
                    }
                })
                .response
                .on_hover_text("Show only records in this state");
            let mut sort = self.view.sort;
            egui::ComboBox::from_id_salt("drafts_sort")
                .selected_text(format!("Sort: {}", sort.label()))
                .width(130.0)
                .show_ui(ui, |ui| {
                    for each in super::DraftSort::ALL {
                        ui.selectable_value(&mut sort, each, each.label());
                    }
                })
                .response
                // Its accessible name: without one a screen reader cannot say what the picker is
                // (the state filter has its name from its hover text the same way).
                .on_hover_text("The order of the list");
            if (state, sort) != (self.view.state, self.view.sort) {
                (self.view.state, self.view.sort) = (state, sort);
                self.visible = None;
            }
            let ready = self.listed.records.iter().filter(|r| r.state == RecordState::Ready).count();
            let send = ui.add_enabled(ready > 0, egui::Button::new(format!("Send all ready ({ready})")));
            if send.on_hover_text("Queue every ready customer to its profile").clicked() {
                commands.push(DraftsCommand::SendAllReady);
            }
        });
        searching.inner
    }

    /// Undo of the last delete, the outbox's offline profiles, a store failure.
    fn notes_ui(&self, ui: &mut Ui, view: DraftsView<'_>, commands: &mut Vec<DraftsCommand>) {
        if let Some(deleted) = &self.deleted {
            ui.horizontal(|ui| {
                let who = if deleted.name.is_empty() { "the record".to_owned() } else { deleted.name.clone() };
                ui.label(format!("Deleted {who}."));
                if ui.button("Undo").on_hover_text("Bring it back").clicked() {
                    commands.push(DraftsCommand::Undo);
                }
            });
        }
        for (profile, offline) in view.outbox.map(|s| &s.offline).into_iter().flatten() {
            let text =
                format!("{profile} is offline ({}); its queue waits and is tried again by itself.", offline.reason);
            ui.add(egui::Label::new(RichText::new(text).small().color(ui.visuals().warn_fg_color)).wrap());
        }
        if let Some(error) = &self.error {
            ui.add(egui::Label::new(RichText::new(error).color(ui.visuals().error_fg_color)).wrap());
        }
    }

    /// Up and Down move the selection and Enter opens it, while the search has the keyboard.
    fn keyboard(&self, ui: &Ui, rows: &[usize], commands: &mut Vec<DraftsCommand>) {
        let (down, up, enter) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, Key::ArrowDown),
                i.consume_key(egui::Modifiers::NONE, Key::ArrowUp),
                i.key_pressed(Key::Enter),
            )
        });
        let position = rows.iter().position(|&i| self.listed.records.get(i).map(|r| &r.id) == self.selected.as_ref());
        let next = match (down, up, position) {
            (true, _, Some(at)) => Some((at + 1).min(rows.len().saturating_sub(1))),
            (true, _, None) => Some(0),
            (_, true, Some(at)) => Some(at.saturating_sub(1)),
            _ => None,
        };
        if let Some(record) = next.and_then(|at| rows.get(at)).and_then(|&i| self.listed.records.get(i)) {
            commands.push(DraftsCommand::Select(record.id.clone()));
        }
        if enter && let Some(id) = self.selected.clone() {
            commands.push(DraftsCommand::Open(id));
        }
    }
}

/// One row: state badge, name and change time on the first line, email and profile under it.
/// Returns true when clicked.
fn record_row_ui(ui: &mut Ui, record: &RecordSummary, selected: bool) -> bool {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(ui.available_width(), ROW_HEIGHT), Sense::click());
    let name = if record.name.is_empty() { "(no name)" } else { record.name.as_str() };
    let label = format!("{name}, {}", record.state);
    response.widget_info(|| WidgetInfo::selected(Role::Button, true, selected, &label));
    if ui.is_rect_visible(rect) {
        let visuals = ui.visuals();
        if selected {
            ui.painter().rect_filled(rect, 3.0, visuals.selection.bg_fill);
        } else if response.hovered() {
            ui.painter().rect_filled(rect, 3.0, visuals.widgets.hovered.weak_bg_fill);
        }
        let text = if selected { visuals.selection.stroke.color } else { visuals.text_color() };
        let weak = if selected { text } else { visuals.weak_text_color() };
        let top = rect.left_top() + egui::vec2(6.0, 3.0);
        let badge = state_color(ui, record.state);
        let font = egui::FontId::proportional(13.0);
        let small = egui::FontId::proportional(11.0);
        let painter = ui.painter_at(rect);
        let state = painter.text(top, egui::Align2::LEFT_TOP, record.state.as_str(), small.clone(), badge);
        painter.text(egui::pos2(state.right() + 8.0, top.y), egui::Align2::LEFT_TOP, name, font, text);
        painter.text(
            rect.right_top() + egui::vec2(-6.0, 3.0),
            egui::Align2::RIGHT_TOP,
            changed_text(record.updated_at),
            small.clone(),
            weak,
        );
        let second = if record.email.is_empty() {
            record.profile.clone()
        } else {
            format!("{} · {}", record.email, record.profile)
        };
        painter.text(top + egui::vec2(0.0, 18.0), egui::Align2::LEFT_TOP, second, small, weak);
    }
    response.clicked()
}

/// The colour of a state's badge.
pub fn state_color(ui: &Ui, state: RecordState) -> egui::Color32 {
    let visuals = ui.visuals();
    match state {
        RecordState::Draft => visuals.weak_text_color(),
        RecordState::Ready => visuals.text_color(),
        RecordState::Queued | RecordState::Sending => visuals.warn_fg_color,
        RecordState::Sent => success_color(visuals),
        RecordState::Failed => visuals.error_fg_color,
    }
}

/// `14:03` today, `28 Nov 14:03` before.
pub fn changed_text(millis: i64) -> String {
    let Some(at) = chrono::DateTime::from_timestamp_millis(millis) else { return String::new() };
    let local = at.with_timezone(&chrono::Local);
    if local.date_naive() == chrono::Local::now().date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%d %b %H:%M").to_string()
    }
}
