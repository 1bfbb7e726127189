//! The Finosu metadata editor above the JSON text: templates of the profile, *Paste JSON*, and
//! the nested rows table (drawn lazily: only the rows in view, so a 1 MB object stays fast).
//!
//! The rows ([`MetadataRows`]) are re-read from the text only when the text changed elsewhere;
//! the draft's revision (a counter) tells that without comparing the text every frame.

use egui::{RichText, Ui};
use serde_json::{Map, Value};

use crate::model::metadata_rows::{MergeReport, MetadataRows, PasteRefusal, ValueKind, parse_pasted_object};
use crate::model::metadata_templates::{MetadataTemplate, check_template_name, template_refusal};
use crate::ui::notice::{Notice, notice_label_ui};
use crate::ui::widgets::line_edit;

/// Height of the rows table before it scrolls.
const TABLE_MAX_HEIGHT: f32 = 360.0;
/// Indentation per level of nesting.
const INDENT: f32 = 18.0;

/// What the Metadata tab asks the app to do with the profile's templates (written off the UI
/// thread, through the profile store's merge).
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateCommand {
    /// Keep `metadata` as template `name` (replacing one of that name).
    Save {
        /// The template's name.
        name: String,
        /// The object to keep.
        metadata: Map<String, Value>,
    },
    /// Forget template `name`.
    Delete(String),
}

/// The editor's state between frames (never saved).
#[derive(Debug, Default)]
pub struct MetadataEditor {
    /// The draft's revision this frame, set before drawing.
    pub revision: u64,
    /// The person asked to see a JSON text too long to draw every frame.
    pub show_large_text: bool,
    cache: Option<RowsCache>,
    paste: Option<PasteBox>,
    save_as: Option<SaveAsBox>,
    confirm_delete: Option<String>,
    message: Option<Notice>,
    command: Option<TemplateCommand>,
}

/// The rows with the text and revision they were read from or written to.
#[derive(Debug)]
struct RowsCache {
    text: String,
    revision: u64,
    /// `None` when the text is not a JSON object.
    rows: Option<MetadataRows>,
}

#[derive(Debug, Default)]
struct PasteBox {
    text: String,
    refusal: Option<PasteRefusal>,
    /// A valid object waiting for "merge or replace" (the metadata was not empty).
    pending: Option<Map<String, Value>>,
    focus: bool,
}

#[derive(Debug, Default)]
struct SaveAsBox {
    name: String,
    /// The name taken, asked "Replace it?".
    confirm_replace: bool,
    refusal: Option<String>,
    focus: bool,
}

impl MetadataEditor {
    /// The template change asked for this frame, for the app to run.
    pub fn take_command(&mut self) -> Option<TemplateCommand> {
        self.command.take()
    }

    /// Says how a template change ended, in the tab's message line.
    pub fn show_message(&mut self, notice: Notice) {
        self.message = Some(notice);
    }

    /// Whether the text last seen is a JSON object (or blank), as the rows were read from it.
    pub fn text_is_object(&self) -> bool {
        self.cache.as_ref().is_some_and(|c| c.rows.is_some())
    }

    /// The rows for `text`, read again only when the text changed elsewhere.
    fn rows_for(&mut self, text: &str) -> Option<&mut MetadataRows> {
        let revision = self.revision;
        let fresh = match &mut self.cache {
            // The same revision: nothing edited the draft (the length guards against an edit
            // that did not count).
            Some(cache) if cache.revision == revision && cache.text.len() == text.len() => true,
            Some(cache) if cache.text == text => {
                cache.revision = revision;
                true
            }
            _ => false,
        };
        if !fresh {
            let previous = self.cache.take().and_then(|c| c.rows);
            let rows = MetadataRows::from_text_like(text, previous.as_ref());
            self.cache = Some(RowsCache { text: text.to_owned(), revision, rows });
        }
        self.cache.as_mut().and_then(|c| c.rows.as_mut())
    }

    /// Writes the rows into the text after an edit of the rows.
    fn write(&mut self, text: &mut String) {
        let Some(cache) = &mut self.cache else { return };
        if let Some(rows) = &cache.rows {
            *text = rows.to_text();
        }
        cache.text.clone_from(text);
    }
}

/// Draws templates, *Paste JSON* and the rows table; returns whether the text was changed.
///
/// `templates` are the active profile's; `masked` the draft's masked values (SSN last four),
/// which a template may not hold.
pub fn metadata_editor_ui(
    ui: &mut Ui,
    editor: &mut MetadataEditor,
    text: &mut String,
    templates: &[MetadataTemplate],
    masked: &[&str],
) -> bool {
    let mut edited = false;
    ui.horizontal_wrapped(|ui| {
        edited |= template_picker_ui(ui, editor, text, templates);
        let has_rows = editor.rows_for(text).is_some_and(|rows| !rows.is_empty());
        let save = ui.add_enabled(has_rows, egui::Button::new("Save as template…"));
        if save.on_disabled_hover_text("Fill in the metadata first").clicked() {
            editor.save_as = Some(SaveAsBox { focus: true, ..SaveAsBox::default() });
        }
        if !templates.is_empty() {
            ui.menu_button("Delete template…", |ui| {
                for template in templates {
                    if ui.button(&template.name).clicked() {
                        editor.confirm_delete = Some(template.name.clone());
                        ui.close();
                    }
                }
            });
        }
        if ui.button("Paste JSON").on_hover_text("Take a JSON object from the clipboard (Ctrl+V)").clicked() {
            editor.paste = Some(PasteBox { focus: true, ..PasteBox::default() });
        }
    });
    save_as_ui(ui, editor, text, templates, masked);
    delete_ui(ui, editor);
    edited |= paste_ui(ui, editor, text);
    if let Some(message) = &editor.message {
        notice_label_ui(ui, message);
    }
    edited |= rows_table_ui(ui, editor, text);
    edited
}

/// "Start from template": applying one merges the keys the metadata lacks, never a typed value.
fn template_picker_ui(
    ui: &mut Ui,
    editor: &mut MetadataEditor,
    text: &mut String,
    templates: &[MetadataTemplate],
) -> bool {
    let mut chosen = None;
    ui.add_enabled_ui(!templates.is_empty(), |ui| {
        egui::ComboBox::from_id_salt("metadata_template")
            .selected_text("Start from template…")
            .width(180.0)
            .show_ui(ui, |ui| {
                for template in templates {
                    if ui.selectable_label(false, &template.name).clicked() {
                        chosen = Some(template);
                    }
                }
            })
            .response
            .accessible_name("Start from template")
            .on_disabled_hover_text("No templates yet: Save as template… keeps this metadata as one");
    });
    let Some(template) = chosen else { return false };
    let Some(rows) = editor.rows_for(text) else {
        editor.message = Some(Notice::error("Fix the JSON below first: a template is merged into an object."));
        return false;
    };
    let was_empty = rows.is_empty();
    let report = rows.merge_missing(&template.metadata);
    editor.message = Some(Notice::info(merge_sentence(&format!("Template “{}”", template.name), &report, was_empty)));
    if report.added.is_empty() {
        return false;
    }
    editor.write(text);
    true
}

/// One line saying what a merge did.
fn merge_sentence(what: &str, report: &MergeReport, was_empty: bool) -> String {
    let list = |keys: &[String]| {
        let mut shown: Vec<&str> = keys.iter().map(String::as_str).take(5).collect();
        if keys.len() > 5 {
            shown.push("…");
        }
        shown.join(", ")
    };
    let count = |n: usize| if n == 1 { "1 key".to_owned() } else { format!("{n} keys") };
    if was_empty {
        return format!("{what}: filled in {} ({}).", count(report.added.len()), list(&report.added));
    }
    let mut parts = Vec::new();
    if !report.added.is_empty() {
        parts.push(format!("added {} ({})", count(report.added.len()), list(&report.added)));
    }
    if !report.replaced.is_empty() {
        parts.push(format!("replaced {} ({})", count(report.replaced.len()), list(&report.replaced)));
    }
    if !report.kept.is_empty() {
        parts.push(format!("kept your value for {} ({})", count(report.kept.len()), list(&report.kept)));
    }
    if parts.is_empty() {
        return format!("{what}: nothing to add.");
    }
    format!("{what}: {}.", parts.join("; "))
}

/// The name box of *Save as template…*, with "Replace it?" when the name is taken.
fn save_as_ui(ui: &mut Ui, editor: &mut MetadataEditor, text: &str, templates: &[MetadataTemplate], masked: &[&str]) {
    let Some(mut save_as) = editor.save_as.take() else { return };
    let mut keep_open = true;
    let mut go = false;
    ui.horizontal(|ui| {
        let name = ui
            .add(line_edit(&mut save_as.name).hint_text("template name").desired_width(200.0))
            .accessible_name("Template name");
        if std::mem::take(&mut save_as.focus) {
            name.request_focus();
        }
        if name.changed() {
            save_as.confirm_replace = false;
            save_as.refusal = None;
        }
        let entered = name.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if save_as.confirm_replace {
            ui.label(format!("A template named “{}” exists. Replace it?", save_as.name.trim()));
            go = ui.button("Replace").clicked();
        } else {
            go = ui.button("Save template").clicked() || entered;
        }
        if ui.button("Cancel").accessible_name("Cancel saving the template").clicked() {
            keep_open = false;
        }
    });
    if go {
        let rows = editor.cache.as_ref().and_then(|c| c.rows.as_ref());
        let metadata = rows.map(MetadataRows::to_object).unwrap_or_default();
        let refusal = match check_template_name(&save_as.name) {
            None => Some("A template name needs 1 to 80 characters.".to_owned()),
            Some(_) if text.trim().is_empty() => Some("The metadata is empty.".to_owned()),
            Some(_) => template_refusal(&metadata, masked),
        };
        match (refusal, check_template_name(&save_as.name)) {
            (Some(refusal), _) => save_as.refusal = Some(refusal),
            (None, Some(name)) => {
                let taken = templates.iter().any(|t| t.name.eq_ignore_ascii_case(&name));
                if taken && !save_as.confirm_replace {
                    save_as.confirm_replace = true;
                } else {
                    editor.message = Some(Notice::info(format!("Saving template “{name}”…")));
                    editor.command = Some(TemplateCommand::Save { name, metadata });
                    keep_open = false;
                }
            }
            (None, None) => {}
        }
    }
    if let Some(refusal) = &save_as.refusal {
        notice_label_ui(ui, &Notice::error(refusal.clone()));
    }
    if keep_open {
        editor.save_as = Some(save_as);
    }
}

/// "Delete template X?" once a template was picked in *Delete template…*.
fn delete_ui(ui: &mut Ui, editor: &mut MetadataEditor) {
    let Some(name) = editor.confirm_delete.clone() else { return };
    ui.horizontal(|ui| {
        ui.label(format!("Delete template “{name}” from this profile?"));
        if ui.button("Delete").clicked() {
            editor.message = Some(Notice::info(format!("Deleting template “{name}”…")));
            editor.command = Some(TemplateCommand::Delete(name.clone()));
            editor.confirm_delete = None;
        }
        if ui.button("Cancel").accessible_name("Keep the template").clicked() {
            editor.confirm_delete = None;
        }
    });
}

/// The paste box: Ctrl+V in it (or a typed object and *Use this JSON*) puts an object into the
/// metadata. Into non-empty metadata it asks: merge (pasted keys win) or replace everything.
fn paste_ui(ui: &mut Ui, editor: &mut MetadataEditor, text: &mut String) -> bool {
    let Some(mut paste) = editor.paste.take() else { return false };
    let mut keep_open = true;
    let mut edited = false;
    ui.label(RichText::new("Press Ctrl+V here to paste a JSON object (or type one):").small());
    let response = ui.add(
        egui::TextEdit::multiline(&mut paste.text)
            .code_editor()
            .desired_rows(3)
            .desired_width(crate::ui::widgets::FIELD_WIDTH * 1.5)
            .hint_text("{\"employer\": {\"name\": \"Acme\"}}"),
    );
    let response = response.accessible_name("JSON to paste");
    if std::mem::take(&mut paste.focus) {
        response.request_focus();
    }
    // egui hands the clipboard over as a Paste event to the focused field: take the whole
    // pasted text (not the box's text with the paste inserted) and use it at once.
    let pasted = response.has_focus().then(|| ui.input(|i| last_paste(&i.events))).flatten();
    let mut attempt = pasted.is_some();
    if let Some(pasted) = pasted {
        paste.text = pasted;
    }
    if response.changed() && !attempt {
        paste.refusal = None;
        paste.pending = None;
    }
    ui.horizontal(|ui| {
        if paste.pending.is_none() {
            attempt |= ui.button("Use this JSON").clicked();
        }
        if ui.button("Cancel").accessible_name("Cancel the paste").clicked() {
            keep_open = false;
        }
    });
    if attempt {
        paste.pending = None;
        match parse_pasted_object(&paste.text) {
            Err(refusal) => paste.refusal = Some(refusal),
            Ok(object) => {
                paste.refusal = None;
                match editor.rows_for(text) {
                    None => {
                        paste.refusal = Some(PasteRefusal {
                            message: "The metadata below is not valid JSON; fix or clear it before pasting".into(),
                            line: 1,
                            column: 1,
                        });
                    }
                    Some(rows) if rows.is_empty() => {
                        let report = rows.merge_over(&object);
                        editor.message = Some(Notice::info(merge_sentence("Pasted", &report, true)));
                        editor.write(text);
                        edited = true;
                        keep_open = false;
                    }
                    Some(_) => paste.pending = Some(object),
                }
            }
        }
    }
    if let Some(refusal) = &paste.refusal {
        let line = format!("Not pasted: {} — line {}, column {}.", refusal.message, refusal.line, refusal.column);
        notice_label_ui(ui, &Notice::error(line));
    }
    if let Some(object) = paste.pending.clone() {
        let count = editor.rows_for(text).map_or(0, |rows| rows.to_object().len());
        ui.label(format!("The metadata already has {count} keys. Merge the pasted object into it, or replace it?"));
        ui.horizontal(|ui| {
            let merge = ui.button("Merge (pasted keys win)").clicked();
            let replace = ui.button("Replace all").clicked();
            if (merge || replace)
                && let Some(rows) = editor.rows_for(text)
            {
                if replace {
                    *rows = MetadataRows::default();
                }
                let report = rows.merge_over(&object);
                let what = if replace { "Replaced the metadata with the pasted object" } else { "Pasted" };
                editor.message = Some(Notice::info(merge_sentence(what, &report, replace)));
                editor.write(text);
                edited = true;
                keep_open = false;
            }
        });
    }
    if keep_open {
        editor.paste = Some(paste);
    }
    edited
}

/// The text of the last Paste event among `events`.
fn last_paste(events: &[egui::Event]) -> Option<String> {
    events.iter().rev().find_map(|event| match event {
        egui::Event::Paste(text) => Some(text.clone()),
        _ => None,
    })
}

/// What a row asked for this frame.
enum RowAction {
    Toggle(usize),
    AddChild(usize),
    Remove(usize),
    Kind(usize, ValueKind),
}

/// The nested rows: only those in view are drawn (`show_rows`), folded subtrees cost nothing.
fn rows_table_ui(ui: &mut Ui, editor: &mut MetadataEditor, text: &mut String) -> bool {
    let Some(rows) = editor.rows_for(text) else {
        ui.label(RichText::new("Fix the JSON below to edit it as rows.").weak());
        return false;
    };
    let mut edited = false;
    let mut action = None;
    let row_height = ui.spacing().interact_size.y;
    let visible = rows.visible().len();
    if visible > 0 {
        egui::ScrollArea::vertical()
            .id_salt("metadata_rows")
            .max_height(TABLE_MAX_HEIGHT)
            .auto_shrink([false, true])
            .show_rows(ui, row_height, visible, |ui, range| {
                for number in range {
                    let shown = rows.visible()[number];
                    ui.horizontal(|ui| {
                        ui.set_height(row_height);
                        edited |= row_ui(ui, rows, shown, number + 1, &mut action);
                    });
                }
            });
    }
    if ui.button("+ Add field").accessible_name("Add metadata field").clicked() {
        rows.add_top();
    }
    match action {
        Some(RowAction::Toggle(index)) => rows.toggle(index),
        Some(RowAction::AddChild(index)) => {
            rows.add_child(index);
            edited = true;
        }
        Some(RowAction::Remove(index)) => {
            rows.remove(index);
            edited = true;
        }
        Some(RowAction::Kind(index, kind)) => {
            rows.set_kind(index, kind);
            edited = true;
        }
        None => {}
    }
    if edited {
        editor.write(text);
    }
    edited
}

/// One row: indentation, fold toggle, key (or the item's index), type, value, add child, remove.
fn row_ui(
    ui: &mut Ui,
    rows: &mut MetadataRows,
    shown: crate::model::metadata_rows::VisibleRow,
    number: usize,
    action: &mut Option<RowAction>,
) -> bool {
    let index = shown.index;
    let problem = rows.problem(index);
    let Some(row) = rows.rows().get(index).cloned() else { return false };
    let children = if row.kind.is_container() { rows_count_label(rows, index) } else { String::new() };
    let mut edited = false;
    // Depth is small (nesting a person can read); f32 holds it exactly.
    let indent = INDENT * f32::from(u16::try_from(row.depth).unwrap_or(u16::MAX));
    ui.add_space(indent);
    if row.kind.is_container() {
        let (icon, verb) = if row.expanded { ("⏷", "Collapse") } else { ("⏵", "Expand") };
        let name = format!("{verb} metadata field {number}");
        if ui.small_button(icon).accessible_name(&name).on_hover_text(name).clicked() {
            *action = Some(RowAction::Toggle(index));
        }
    } else {
        ui.add_space(ui.spacing().interact_size.y);
    }
    let Some((key, value)) = rows.cell_mut(index) else { return false };
    let key_width = (130.0 - indent).max(60.0);
    if let Some(item) = shown.item {
        ui.add_sized([key_width, 18.0], egui::Label::new(RichText::new(format!("[{item}]")).weak()));
    } else {
        edited |= ui
            .add(line_edit(key).hint_text("key").desired_width(key_width))
            .accessible_name(format!("Metadata key {number}"))
            .changed();
    }
    egui::ComboBox::from_id_salt(("metadata_type", index))
        .selected_text(row.kind.label())
        .width(86.0)
        .show_ui(ui, |ui| {
            for kind in ValueKind::ALL {
                if ui.selectable_label(kind == row.kind, kind.label()).clicked() && kind != row.kind {
                    *action = Some(RowAction::Kind(index, kind));
                }
            }
        })
        .response
        .accessible_name(format!("Metadata type {number}"));
    let value_name = format!("Metadata value {number}");
    match row.kind {
        ValueKind::Text | ValueKind::Number => {
            let hint = if row.kind == ValueKind::Number { "number" } else { "text" };
            edited |=
                ui.add(line_edit(value).hint_text(hint).desired_width(180.0)).accessible_name(value_name).changed();
        }
        ValueKind::Bool => {
            let mut on = value.trim() == "true";
            let label = if on { "true" } else { "false" };
            if ui.checkbox(&mut on, label).accessible_name(value_name).changed() {
                *value = on.to_string();
                edited = true;
            }
        }
        ValueKind::Null => {
            ui.label(RichText::new("null").weak());
        }
        ValueKind::Object | ValueKind::Array => {
            ui.label(RichText::new(children).weak());
            let name = format!("Add child to metadata field {number}");
            if ui.small_button("+").accessible_name(&name).on_hover_text(name).clicked() {
                *action = Some(RowAction::AddChild(index));
            }
        }
    }
    let remove_name = format!("Remove metadata field {number}");
    if ui.small_button("✖").accessible_name(&remove_name).on_hover_text(remove_name).clicked() {
        *action = Some(RowAction::Remove(index));
    }
    if let Some(problem) = problem {
        ui.label(RichText::new("⚠").color(ui.visuals().warn_fg_color)).on_hover_text(problem);
    }
    edited
}

/// "{3 keys}" or "[2 items]" for a container row.
fn rows_count_label(rows: &MetadataRows, index: usize) -> String {
    let Some(row) = rows.rows().get(index) else { return String::new() };
    let end = rows.subtree_end(index);
    let count = rows.rows()[index + 1..end].iter().filter(|r| r.depth == row.depth + 1).count();
    match (row.kind, count) {
        (ValueKind::Array, 1) => "[1 item]".to_owned(),
        (ValueKind::Array, n) => format!("[{n} items]"),
        (_, 1) => "{1 key}".to_owned(),
        (_, n) => format!("{{{n} keys}}"),
    }
}
