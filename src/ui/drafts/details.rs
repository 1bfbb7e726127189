//! The selected record under the Drafts list: who, where it stands, why a failed one waits
//! and what to do, its actions, and the history of its attempts (requests and answers, masked).

use egui::{RichText, Ui};
use serde_json::Value;

use super::panel::{changed_text, state_color};
use super::{DraftsCommand, DraftsPanel};
use crate::store::{AttemptRow, FailureKind, Record, RecordState};

impl DraftsPanel {
    /// The selected record's details, or a note while they are read.
    pub(super) fn details_ui(&self, ui: &mut Ui, commands: &mut Vec<DraftsCommand>) {
        let Some((record, history)) = &self.details else {
            ui.label(RichText::new("Reading the record…").weak());
            return;
        };
        egui::ScrollArea::vertical().id_salt("drafts_details").auto_shrink([false, true]).show(ui, |ui| {
            record_summary_ui(ui, record);
            actions_ui(ui, record, commands);
            history_ui(ui, history);
        });
    }
}

/// Name, state, profile, server id and the last sentence.
fn record_summary_ui(ui: &mut Ui, record: &Record) {
    let facts = record.summary();
    let name = if facts.name.is_empty() { "(no name)".to_owned() } else { facts.name.clone() };
    ui.horizontal(|ui| {
        ui.label(RichText::new(name).strong());
        ui.label(RichText::new(record.state.as_str()).color(state_color(ui, record.state)));
    });
    let mut line = format!("{} · {}", record.profile, changed_text(record.updated_at));
    if !facts.email.is_empty() {
        line = format!("{} · {line}", facts.email);
    }
    ui.label(RichText::new(line).small().weak());
    if let Some(id) = &record.server_id {
        ui.label(format!("Server id: {id}"));
    }
    if let Some(message) = &record.message {
        let color = match record.state {
            RecordState::Failed => ui.visuals().error_fg_color,
            _ => ui.visuals().text_color(),
        };
        ui.add(egui::Label::new(RichText::new(message).color(color)).wrap());
    }
    if record.failure == Some(FailureKind::Ambiguous) {
        let advice = "Look the customer up in the backend first; send anyway only if it is not there.";
        ui.add(egui::Label::new(RichText::new(advice).small()).wrap());
    }
}

/// Open, Duplicate, Delete, and what the state allows: send again, send anyway, take back.
fn actions_ui(ui: &mut Ui, record: &Record, commands: &mut Vec<DraftsCommand>) {
    let id = &record.id;
    ui.horizontal_wrapped(|ui| {
        let open = if record.state.is_editable() { "Open" } else { "Open (read-only)" };
        if ui.button(open).on_hover_text("Show it in the form (Enter)").clicked() {
            commands.push(DraftsCommand::Open(id.clone()));
        }
        if ui.button("Duplicate").on_hover_text("A new draft with the same details").clicked() {
            commands.push(DraftsCommand::Duplicate(id.clone()));
        }
        match (record.state, record.failure) {
            (RecordState::Failed, Some(FailureKind::Ambiguous)) => {
                let hover = "It may exist on the server already: send only after checking";
                if ui.button("Send anyway").on_hover_text(hover).clicked() {
                    commands.push(DraftsCommand::SendAgain(id.clone()));
                }
            }
            (RecordState::Failed, _) if ui.button("Send again").on_hover_text("Queue it again as it is").clicked() => {
                commands.push(DraftsCommand::SendAgain(id.clone()));
            }
            (RecordState::Queued, _)
                if ui.button("Take back").on_hover_text("Take it out of the outbox to edit it").clicked() =>
            {
                commands.push(DraftsCommand::TakeBack(id.clone()));
            }
            _ => {}
        }
        let deletable = record.state != RecordState::Sending;
        let delete = ui.add_enabled(deletable, egui::Button::new("Delete"));
        if delete.on_hover_text("Delete it (Undo brings it back)").on_disabled_hover_text("It is being sent").clicked()
        {
            commands.push(DraftsCommand::Delete(id.clone()));
        }
    });
}

/// Each exchange of each attempt: when, what, the answer.
fn history_ui(ui: &mut Ui, history: &[AttemptRow]) {
    if history.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.label(RichText::new("History").strong());
    for (index, row) in history.iter().enumerate() {
        let method = row.exchange.get("method").and_then(Value::as_str).unwrap_or_default();
        let url = row.exchange.get("url").and_then(Value::as_str).unwrap_or_default();
        let status = row.status.map_or_else(|| "no answer".to_owned(), |s| s.to_string());
        // An em dash, not an arrow: the window's fonts have no "→", which showed as a box.
        let title = format!("{} {method} {url} — {status}", changed_text(row.started_at));
        egui::CollapsingHeader::new(RichText::new(title).small()).id_salt(("history", index)).show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(&row.message).small()).wrap());
            if let Some(body) = row.exchange.pointer("/response/body").filter(|b| !b.is_null()) {
                let text = match body {
                    Value::String(text) => text.clone(),
                    other => serde_json::to_string_pretty(other).unwrap_or_default(),
                };
                let shown: String = text.chars().take(2_000).collect();
                ui.add(egui::Label::new(RichText::new(shown).monospace().small()).wrap());
            }
        });
    }
}
