//! The Properties tab: call configuration (Finosu) or custom properties (Help Scout).

use egui::Ui;

use crate::model::{FinosuDraft, HelpScoutDraft, PropertyKind, PropertyRow};
use crate::ui::widgets::{FieldUi, line_edit};
use crate::validation::pointer_segment;

/// Finosu: task type, do-not-call, and the one test-customer checkbox.
pub fn finosu_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut FinosuDraft, task_types: &[String]) {
    let FinosuDraft { task_type, do_not_call, test_customer, .. } = draft;
    fields.text_row(ui, "Task type", "/taskType", task_type, "e.g. collections");
    if !task_types.is_empty() {
        ui.label("");
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new("Valid for this profile:").small().weak());
            for name in task_types {
                let chosen = task_type.trim() == name;
                let button =
                    ui.selectable_label(chosen, name).on_hover_text("Use this task type (the server listed it)");
                if button.clicked() && !chosen {
                    name.clone_into(task_type);
                    fields.edited_at("/taskType");
                }
            }
        });
        ui.end_row();
    }
    fields.row(ui, "Do not call", "/doNotCall", |ui, label_id| {
        ui.checkbox(do_not_call, "Never call this customer").labelled_by(label_id)
    });
    fields.row(ui, "Test customer", "/isTest", |ui, label_id| {
        let response = ui.checkbox(test_customer, "Mark as a test customer").labelled_by(label_id);
        ui.label(egui::RichText::new("Sent as both isTest and test.").small().weak());
        response
    });
    ui.label("");
    ui.vertical(|ui| fields.messages_ui(ui, "/test"));
    ui.end_row();
}

/// Help Scout: custom properties as slug / type / value rows.
pub fn help_scout_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut HelpScoutDraft) {
    let duplicates: Vec<String> = draft.duplicate_property_slugs().into_iter().map(str::to_owned).collect();
    let HelpScoutDraft { properties: rows, properties_extra, .. } = draft;
    ui.label("Custom properties");
    ui.vertical(|ui| {
        ui.label(
            egui::RichText::new("Each property must first be defined in Help Scout; use its slug.").small().weak(),
        );
        let mut remove = None;
        for (index, row) in rows.iter_mut().enumerate() {
            let number = index + 1;
            let pointer = format!("/properties/{}", pointer_segment(&row.slug));
            ui.horizontal(|ui| {
                let slug = ui
                    .add(line_edit(&mut row.slug).hint_text("slug").desired_width(130.0))
                    .accessible_name(format!("Property {number} slug"));
                track_row(fields, &slug, row, &pointer);
                let kind = kind_ui(ui, index, &mut row.kind).accessible_name(format!("Property {number} type"));
                if kind.changed() && row.kind == PropertyKind::Bool && !matches!(row.value.as_str(), "true" | "false") {
                    row.value = "false".to_owned();
                }
                track_row(fields, &kind, row, &pointer);
                let value = value_ui(ui, row).accessible_name(format!("Property {number} value"));
                track_row(fields, &value, row, &pointer);
                let remove_name = format!("Remove property {number}");
                if ui.small_button("✖").accessible_name(&remove_name).on_hover_text(remove_name).clicked() {
                    remove = Some(index);
                }
            });
            fields.messages_ui(ui, &format!("/properties/{}", pointer_segment(&row.slug)));
            if duplicates.contains(&row.slug) {
                let issue = crate::validation::Issue {
                    path: pointer.clone(),
                    severity: crate::validation::Severity::Warning,
                    message: format!("Slug \"{}\" is used by more than one row; only the last is sent.", row.slug),
                };
                crate::ui::widgets::issue_message_ui(ui, &issue);
            }
        }
        // Values from a file that no row can edit (lists, objects, null) are reported here.
        for slug in properties_extra.keys() {
            fields.messages_ui(ui, &format!("/properties/{}", pointer_segment(slug)));
        }
        fields.messages_ui(ui, "/properties");
        if let Some(index) = remove {
            rows.remove(index);
            fields.mark_changed();
        }
        if ui.button("+ Add property").accessible_name("Add property").clicked() {
            rows.push(PropertyRow::default());
            fields.mark_changed();
        }
    });
    ui.end_row();
}

/// Records an edit of a property row under the row's current slug.
fn track_row(fields: &mut FieldUi<'_>, response: &egui::Response, row: &PropertyRow, old_pointer: &str) {
    fields.track(old_pointer, response);
    if response.changed() {
        fields.edited.push(format!("/properties/{}", pointer_segment(&row.slug)));
    }
}

fn kind_ui(ui: &mut Ui, index: usize, kind: &mut PropertyKind) -> egui::Response {
    let mut changed = false;
    let mut response = egui::ComboBox::from_id_salt(("property_kind", index))
        .selected_text(kind.name())
        .width(80.0)
        .show_ui(ui, |ui| {
            for option in PropertyKind::ALL {
                if ui.selectable_label(*kind == option, option.name()).clicked() && *kind != option {
                    *kind = option;
                    changed = true;
                }
            }
        })
        .response;
    if changed {
        response.mark_changed();
    }
    response
}

fn value_ui(ui: &mut Ui, row: &mut PropertyRow) -> egui::Response {
    if row.kind == PropertyKind::Bool {
        let mut checked = row.value == "true";
        let response = ui.checkbox(&mut checked, "");
        if response.changed() {
            row.value = checked.to_string();
        }
        return response;
    }
    let hint = match row.kind {
        PropertyKind::Number => "whole number",
        PropertyKind::Url => "https://…",
        PropertyKind::Date => "YYYY-MM-DD",
        PropertyKind::Text | PropertyKind::Bool => "value",
    };
    ui.add(line_edit(&mut row.value).hint_text(hint).desired_width(170.0))
}
