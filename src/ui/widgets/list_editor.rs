//! Add/remove rows for Help Scout's typed lists (emails, phones, chats, social profiles,
//! websites) and for plain text lists (address lines).

use egui::Ui;

use super::field::{FIELD_WIDTH, FieldUi, choice_ui, line_edit};
use crate::model::ListEntry;

/// How one list is shown.
#[derive(Debug, Clone, Copy)]
pub struct ListSpec {
    /// JSON key of the list ("emails").
    pub key: &'static str,
    /// Singular, capitalised ("Email"); rows are "Email 1", "Email 2".
    pub item_label: &'static str,
    /// The type choices, or `None` for lists without a type (websites).
    pub types: Option<&'static [&'static str]>,
    /// The type a new row starts with.
    pub default_type: &'static str,
    /// Placeholder of the value field.
    pub hint: &'static str,
}

/// Draws a typed list as a grid row: the rows, each with type, value and a remove button, and
/// an "Add" button.
pub fn list_editor_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, label: &str, spec: ListSpec, list: &mut Vec<ListEntry>) {
    ui.label(label);
    ui.vertical(|ui| {
        let mut remove = None;
        for (index, entry) in list.iter_mut().enumerate() {
            let number = index + 1;
            let base = format!("/{}/{index}", spec.key);
            ui.horizontal(|ui| {
                if let Some(types) = spec.types {
                    let type_pointer = format!("{base}/type");
                    let response = choice_ui(ui, &type_pointer, &mut entry.kind, types, 96.0)
                        .accessible_name(format!("{} {number} type", spec.item_label));
                    fields.track(&type_pointer, &response);
                }
                let value_pointer = format!("{base}/value");
                let width = if spec.types.is_some() { FIELD_WIDTH - 104.0 } else { FIELD_WIDTH };
                let response = ui
                    .add(line_edit(&mut entry.value).hint_text(spec.hint).desired_width(width))
                    .accessible_name(format!("{} {number}", spec.item_label));
                fields.track(&value_pointer, &response);
                let remove_name = format!("Remove {} {number}", spec.item_label.to_lowercase());
                if ui.small_button("✖").accessible_name(&remove_name).on_hover_text(remove_name).clicked() {
                    remove = Some(index);
                }
            });
            fields.messages_ui(ui, &format!("{base}/type"));
            fields.messages_ui(ui, &format!("{base}/value"));
            for key in entry.extra.keys() {
                fields.messages_ui(ui, &format!("{base}/{}", crate::validation::pointer_segment(key)));
            }
        }
        if let Some(index) = remove {
            list.remove(index);
            fields.mark_changed();
        }
        let add_label = format!("Add {}", spec.item_label.to_lowercase());
        if ui.button(format!("+ {add_label}")).accessible_name(add_label).clicked() {
            list.push(ListEntry::new(if spec.types.is_some() { spec.default_type } else { "" }, ""));
            fields.mark_changed();
        }
    });
    ui.end_row();
}

/// Draws a list of plain text rows (address lines) with remove and add buttons.
pub fn text_list_ui(
    ui: &mut Ui,
    fields: &mut FieldUi<'_>,
    label: &str,
    pointer: &str,
    item_label: &str,
    lines: &mut Vec<String>,
) {
    ui.label(label);
    ui.vertical(|ui| {
        let mut remove = None;
        for (index, line) in lines.iter_mut().enumerate() {
            let number = index + 1;
            let line_pointer = format!("{pointer}/{index}");
            ui.horizontal(|ui| {
                let response = ui
                    .add(line_edit(line).desired_width(FIELD_WIDTH))
                    .accessible_name(format!("{item_label} {number}"));
                fields.track(&line_pointer, &response);
                let remove_name = format!("Remove {} {number}", item_label.to_lowercase());
                if ui.small_button("✖").accessible_name(&remove_name).on_hover_text(remove_name).clicked() {
                    remove = Some(index);
                }
            });
            fields.messages_ui(ui, &line_pointer);
        }
        fields.messages_ui(ui, pointer);
        if let Some(index) = remove {
            lines.remove(index);
            fields.mark_changed();
        }
        let add_label = format!("Add {}", item_label.to_lowercase());
        if ui.button(format!("+ {add_label}")).accessible_name(add_label).clicked() {
            lines.push(String::new());
            fields.mark_changed();
        }
    });
    ui.end_row();
}
