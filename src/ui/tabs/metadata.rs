//! The Metadata tab: external metadata JSON (Finosu); notes, websites, profiles, chats and
//! photo (Help Scout).

use egui::Ui;

use super::TabsRuntime;
use super::metadata_table::metadata_editor_ui;
use crate::model::Backend;
use crate::model::limits::{METADATA_MAX_CHARS, NOTES_MAX_CHARS};
use crate::model::metadata_templates::MetadataTemplate;
use crate::model::{FinosuDraft, HelpScoutDraft};
use crate::ui::photo_preview::PhotoPreview;
use crate::ui::widgets::{FIELD_WIDTH, FieldUi, ListSpec, choice_ui, line_edit, list_editor_ui};
use crate::validation::rules::backend_max_chars;
use crate::validation::rules::{CHAT_TYPES, PHOTO_TYPES, SOCIAL_TYPES};

/// Above this many bytes the JSON text is drawn only on request: egui lays out and measures a
/// text edit's whole text in every frame, which a 1 MB object makes too slow.
const LARGE_TEXT_BYTES: usize = 100_000;

/// Finosu: `externalMetadata` as nested rows (with templates and *Paste JSON*) and as JSON
/// text, both views of one value. `templates` are the active profile's.
pub fn finosu_ui(
    ui: &mut Ui,
    fields: &mut FieldUi<'_>,
    draft: &mut FinosuDraft,
    runtime: &mut TabsRuntime,
    templates: &[MetadataTemplate],
) {
    let masked = [draft.ssn_last_four.as_str()];
    let text = &mut draft.external_metadata;
    ui.label("External metadata");
    ui.vertical(|ui| {
        if metadata_editor_ui(ui, &mut runtime.metadata, text, templates, &masked) {
            fields.edited_at("/externalMetadata");
        }
    });
    ui.end_row();
    // Whether the text is an object is known from the rows' cache: no parse per frame.
    let is_object = runtime.metadata.text_is_object();
    let folded = text.len() > LARGE_TEXT_BYTES && !runtime.metadata.show_large_text;
    let show_large_text = &mut runtime.metadata.show_large_text;
    fields.row(ui, "Metadata JSON", "/externalMetadata", |ui, label_id| {
        if folded {
            // Drawing a text this long costs every frame; the rows above edit it meanwhile.
            let size = crate::model::limits::thousands(text.len());
            ui.label(
                egui::RichText::new(format!(
                    "The JSON text is {size} bytes long: edit it in the rows above, or show it here (the window then \
                     redraws more slowly while it is shown)."
                ))
                .weak(),
            );
            let show = ui.button("Show the JSON text").labelled_by(label_id);
            if show.clicked() {
                *show_large_text = true;
            }
            return show;
        }
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
            let format = ui.add_enabled(is_object && !text.trim().is_empty(), egui::Button::new("Format JSON"));
            if format.clicked()
                && let Ok(value) = serde_json::from_str::<serde_json::Value>(text)
                && let Ok(pretty) = serde_json::to_string_pretty(&value)
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
