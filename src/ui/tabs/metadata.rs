//! The Metadata tab: external metadata JSON (Finosu); notes, websites, profiles, chats and
//! photo (Help Scout).

use egui::Ui;

use super::TabsRuntime;
use crate::model::Backend;
use crate::model::limits::{METADATA_MAX_CHARS, NOTES_MAX_CHARS};
use crate::model::metadata_rows::{MetadataRow, rows_from_text, text_from_rows};
use crate::model::{FinosuDraft, HelpScoutDraft};
use crate::ui::photo_preview::PhotoPreview;
use crate::ui::widgets::{FIELD_WIDTH, FieldUi, ListSpec, choice_ui, line_edit, list_editor_ui};
use crate::validation::rules::backend_max_chars;
use crate::validation::rules::{CHAT_TYPES, PHOTO_TYPES, SOCIAL_TYPES};

/// Finosu: `externalMetadata` as key/value rows and as JSON text, both views of one value.
pub fn finosu_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut FinosuDraft, runtime: &mut TabsRuntime) {
    let text = &mut draft.external_metadata;
    ui.label("External metadata");
    ui.vertical(|ui| {
        if metadata_rows_ui(ui, text, &mut runtime.metadata_rows) {
            fields.edited_at("/externalMetadata");
        }
    });
    ui.end_row();
    fields.row(ui, "Metadata JSON", "/externalMetadata", |ui, label_id| {
        let mut response = ui
            .add(
                egui::TextEdit::multiline(text)
                    .char_limit(METADATA_MAX_CHARS)
                    .code_editor()
                    .desired_rows(10)
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

/// The rows view of the metadata text; returns whether a row edit rewrote the text.
fn metadata_rows_ui(ui: &mut Ui, text: &mut String, cache: &mut Option<(String, Vec<MetadataRow>)>) -> bool {
    // Rows are re-read from the text only when the text changed elsewhere, so a new row with no
    // key yet (which the text cannot hold) survives until it gets one.
    let rows =
        cache.take().filter(|(snapshot, _)| snapshot == text).map(|(_, rows)| rows).or_else(|| rows_from_text(text));
    let Some(mut rows) = rows else {
        ui.label(egui::RichText::new("Fix the JSON below to edit it as rows.").weak());
        return false;
    };
    let mut edited = false;
    let mut remove = None;
    for (index, row) in rows.iter_mut().enumerate() {
        let number = index + 1;
        ui.horizontal(|ui| {
            let key = ui
                .add(line_edit(&mut row.key).hint_text("key").desired_width(130.0))
                .accessible_name(format!("Metadata key {number}"));
            let value = ui
                .add(line_edit(&mut row.value).hint_text("value or JSON").desired_width(FIELD_WIDTH - 40.0))
                .accessible_name(format!("Metadata value {number}"));
            edited |= key.changed() || value.changed();
            let remove_name = format!("Remove metadata field {number}");
            if ui.small_button("✖").accessible_name(&remove_name).on_hover_text(remove_name).clicked() {
                remove = Some(index);
            }
        });
    }
    if let Some(index) = remove {
        rows.remove(index);
        edited = true;
    }
    if ui.button("+ Add field").accessible_name("Add metadata field").clicked() {
        rows.push(MetadataRow::default());
    }
    if edited {
        *text = text_from_rows(&rows);
    }
    *cache = Some((text.clone(), rows));
    edited
}

/// Help Scout: notes, websites, social profiles, chats, photo URL and type.
pub fn help_scout_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut HelpScoutDraft, preview: &mut PhotoPreview) {
    let HelpScoutDraft { background, websites, social_profiles, chats, photo_url, photo_type, .. } = draft;
    fields.row(ui, "Notes", "/background", |ui, label_id| {
        let response = ui
            .add(
                egui::TextEdit::multiline(background)
                    .char_limit(NOTES_MAX_CHARS)
                    .desired_rows(3)
                    .desired_width(FIELD_WIDTH),
            )
            .labelled_by(label_id);
        let used = background.trim().chars().count();
        if let Some(max) = backend_max_chars(Backend::HelpScout, "/background") {
            ui.label(egui::RichText::new(format!("{used} / {max} characters")).small().weak());
        }
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
    photo_url_row(ui, fields, photo_url, preview);
    fields.row(ui, "Photo type", "/photoType", |ui, label_id| {
        choice_ui(ui, "/photoType", photo_type, PHOTO_TYPES, 160.0).labelled_by(label_id)
    });
}

/// Help Scout's photo URL, with its preview under the field (a quiet line when there is none;
/// the field's own problems are the form's, shown as for any field).
fn photo_url_row(ui: &mut Ui, fields: &mut FieldUi<'_>, photo_url: &mut String, preview: &mut PhotoPreview) {
    fields.row(ui, "Photo URL", "/photoUrl", |ui, label_id| {
        let response =
            ui.add(line_edit(photo_url).hint_text("https://…").desired_width(FIELD_WIDTH)).labelled_by(label_id);
        preview.ui(ui, photo_url, &response);
        response
    });
}
