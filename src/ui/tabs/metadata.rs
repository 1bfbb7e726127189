//! The Metadata tab: external metadata JSON (Finosu); notes, websites, profiles, chats and
//! photo (Help Scout).

use egui::Ui;

use crate::model::{FinosuDraft, HelpScoutDraft};
use crate::ui::widgets::{FIELD_WIDTH, choice_ui};
use crate::ui::widgets::{FieldUi, ListSpec, list_editor_ui};
use crate::validation::rules::{CHAT_TYPES, PHOTO_TYPES, SOCIAL_TYPES};

/// Finosu: `externalMetadata` as a JSON editor whose errors name line and column.
pub fn finosu_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut FinosuDraft) {
    let text = &mut draft.external_metadata;
    fields.row(ui, "External metadata (JSON)", "/externalMetadata", |ui, label_id| {
        let mut response = ui
            .add(
                egui::TextEdit::multiline(text)
                    .code_editor()
                    .desired_rows(14)
                    .desired_width(FIELD_WIDTH * 1.5)
                    .hint_text("{\n  \"employer\": {\"name\": \"Acme\"},\n  \"paySchedule\": \"biweekly\"\n}"),
            )
            .labelled_by(label_id);
        ui.horizontal(|ui| {
            let parsed = serde_json::from_str::<serde_json::Value>(text).ok().filter(serde_json::Value::is_object);
            let format = ui.add_enabled(parsed.is_some(), egui::Button::new("Format JSON"));
            if format.clicked()
                && let Some(pretty) = parsed.and_then(|v| serde_json::to_string_pretty(&v).ok())
                && pretty != *text
            {
                *text = pretty;
                response.mark_changed();
            }
            ui.label(egui::RichText::new("A JSON object: employer, pay schedule, extra contacts…").small().weak());
        });
        response
    });
}

/// Help Scout: notes, websites, social profiles, chats, photo URL and type.
pub fn help_scout_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut HelpScoutDraft) {
    let HelpScoutDraft { background, websites, social_profiles, chats, photo_url, photo_type, .. } = draft;
    fields.row(ui, "Notes", "/background", |ui, label_id| {
        let response = ui
            .add(egui::TextEdit::multiline(background).desired_rows(3).desired_width(FIELD_WIDTH))
            .labelled_by(label_id);
        let used = background.trim().chars().count();
        ui.label(egui::RichText::new(format!("{used} / 200 characters")).small().weak());
        response
    });
    let website_spec =
        ListSpec { key: "websites", item_label: "Website", types: None, default_type: "", hint: "https://" };
    list_editor_ui(ui, fields, "Websites", website_spec, websites);
    let social_spec = ListSpec {
        key: "socialProfiles",
        item_label: "Social profile",
        types: Some(SOCIAL_TYPES),
        default_type: "linkedin",
        hint: "profile URL or handle",
    };
    list_editor_ui(ui, fields, "Social profiles", social_spec, social_profiles);
    let chat_spec =
        ListSpec { key: "chats", item_label: "Chat", types: Some(CHAT_TYPES), default_type: "skype", hint: "handle" };
    list_editor_ui(ui, fields, "Chats", chat_spec, chats);
    fields.text_row(ui, "Photo URL", "/photoUrl", photo_url, "https://…");
    fields.row(ui, "Photo type", "/photoType", |ui, label_id| {
        choice_ui(ui, "/photoType", photo_type, PHOTO_TYPES, 160.0).labelled_by(label_id)
    });
}
