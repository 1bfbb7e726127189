//! The Properties tab: call configuration (Finosu) or custom properties (Help Scout).

use egui::Ui;

use crate::model::{FinosuDraft, HelpScoutDraft, PropertyDefinition, PropertyKind, PropertyRow};
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

/// Help Scout: custom properties as rows.
///
/// With the account's definitions (fetched from Help Scout and cached on the profile; `None`
/// when never fetched) a row picks a defined property and gets its typed editor, and a slug the
/// account does not define gets a Remove button next to its error; without them, slug, type
/// and value are typed by hand.
pub fn help_scout_ui(
    ui: &mut Ui,
    fields: &mut FieldUi<'_>,
    draft: &mut HelpScoutDraft,
    definitions: Option<&[PropertyDefinition]>,
    reload_definitions: &mut bool,
) {
    let HelpScoutDraft { properties: rows, properties_extra, .. } = draft;
    let undefined = |slug: &str| {
        definitions.is_some_and(|defined| !slug.trim().is_empty() && defined.iter().all(|d| d.slug != slug))
    };
    let definitions_known = definitions.is_some();
    let definitions = definitions.unwrap_or_default();
    ui.label("Custom properties");
    ui.vertical(|ui| {
        definitions_note_ui(ui, definitions_known.then_some(definitions.len()), reload_definitions);
        let mut remove = None;
        for (index, row) in rows.iter_mut().enumerate() {
            if property_row_ui(ui, fields, index, row, definitions) {
                remove = Some(index);
            }
            // The form's duplicate-slug warning is among them.
            fields.messages_ui(ui, &format!("/properties/{}", pointer_segment(&row.slug)));
            if undefined(&row.slug) && remove_undefined_ui(ui, &row.slug) {
                remove = Some(index);
            }
        }
        // Values from a file that no row can edit (lists, objects, null) are reported here.
        let mut remove_extra = None;
        for slug in properties_extra.keys() {
            fields.messages_ui(ui, &format!("/properties/{}", pointer_segment(slug)));
            if undefined(slug) && remove_undefined_ui(ui, slug) {
                remove_extra = Some(slug.clone());
            }
        }
        fields.messages_ui(ui, "/properties");
        if let Some(index) = remove {
            rows.remove(index);
            fields.mark_changed();
        }
        if let Some(slug) = remove_extra {
            properties_extra.remove(&slug);
            fields.mark_changed();
        }
        if ui.button("+ Add property").accessible_name("Add property").clicked() {
            rows.push(PropertyRow::default());
            fields.mark_changed();
        }
    });
    ui.end_row();
}

/// The Remove button under a property the account does not define (Help Scout would refuse
/// the whole customer for it); true when clicked.
fn remove_undefined_ui(ui: &mut Ui, slug: &str) -> bool {
    let name = format!("Remove property {slug}");
    ui.button("Remove")
        .accessible_name(&name)
        .on_hover_text(format!("{name}: this Help Scout account does not define it"))
        .clicked()
}

/// How many properties the account defines (`None`: not fetched), and the button that
/// fetches them again.
fn definitions_note_ui(ui: &mut Ui, defined: Option<usize>, reload_definitions: &mut bool) {
    ui.horizontal(|ui| {
        let note = match defined {
            None => "Definitions not loaded: type each property's slug as defined in Help Scout.".to_owned(),
            Some(0) => "This Help Scout account defines no custom properties.".to_owned(),
            Some(n) => format!("{n} properties are defined in this Help Scout account."),
        };
        ui.label(egui::RichText::new(note).small().weak());
        let label = if defined.is_none() { "Load definitions" } else { "Reload definitions" };
        if ui.small_button(label).on_hover_text("Fetch GET /v2/customer-properties again").clicked() {
            *reload_definitions = true;
        }
    });
}

/// One property row: slug (typed, or picked from the definitions) and type, the value's typed
/// editor, and its remove button; true when the row is to be removed.
fn property_row_ui(
    ui: &mut Ui,
    fields: &mut FieldUi<'_>,
    index: usize,
    row: &mut PropertyRow,
    definitions: &[PropertyDefinition],
) -> bool {
    let number = index + 1;
    let pointer = format!("/properties/{}", pointer_segment(&row.slug));
    ui.horizontal(|ui| {
        if definitions.is_empty() {
            let slug = ui
                .add(line_edit(&mut row.slug).hint_text("slug").desired_width(130.0))
                .accessible_name(format!("Property {number} slug"));
            track_row(fields, &slug, row, &pointer);
            let kind = kind_ui(ui, index, &mut row.kind).accessible_name(format!("Property {number} type"));
            if kind.changed() && row.kind == PropertyKind::Bool && !matches!(row.value.as_str(), "true" | "false") {
                "false".clone_into(&mut row.value);
            }
            track_row(fields, &kind, row, &pointer);
        } else {
            let slug = defined_slug_ui(ui, index, row, definitions).accessible_name(format!("Property {number}"));
            track_row(fields, &slug, row, &pointer);
            ui.label(egui::RichText::new(row.kind.name()).small().weak());
        }
        let options = definitions.iter().find(|d| d.slug == row.slug).map_or(&[][..], |d| &d.options[..]);
        let value = value_ui(ui, index, row, options).accessible_name(format!("Property {number} value"));
        track_row(fields, &value, row, &pointer);
        let remove_name = format!("Remove property {number}");
        ui.small_button("✖").accessible_name(&remove_name).on_hover_text(remove_name).clicked()
    })
    .inner
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

/// Picks one of the defined properties for a row (its type comes with it).
fn defined_slug_ui(
    ui: &mut Ui,
    index: usize,
    row: &mut PropertyRow,
    definitions: &[PropertyDefinition],
) -> egui::Response {
    let title = |d: &PropertyDefinition| format!("{} ({})", d.name, d.slug);
    let selected = match definitions.iter().find(|d| d.slug == row.slug) {
        Some(definition) => title(definition),
        None if row.slug.is_empty() => "Choose a property…".to_owned(),
        None => format!("{} (not defined)", row.slug),
    };
    let mut changed = false;
    let mut response = egui::ComboBox::from_id_salt(("property_slug", index))
        .selected_text(selected)
        .width(190.0)
        .height(420.0)
        .show_ui(ui, |ui| {
            for definition in definitions {
                let chosen = row.slug == definition.slug;
                if ui.selectable_label(chosen, title(definition)).clicked() && !chosen {
                    row.slug.clone_from(&definition.slug);
                    if row.kind != definition.kind {
                        row.kind = definition.kind;
                        row.value =
                            if definition.kind == PropertyKind::Bool { "false".to_owned() } else { String::new() };
                    }
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

fn value_ui(ui: &mut Ui, index: usize, row: &mut PropertyRow, options: &[String]) -> egui::Response {
    if row.kind == PropertyKind::Dropdown && !options.is_empty() {
        let mut changed = false;
        let shown = if row.value.trim().is_empty() { "Choose…" } else { row.value.as_str() };
        let mut response = egui::ComboBox::from_id_salt(("property_option", index))
            .selected_text(shown.to_owned())
            .width(170.0)
            .show_ui(ui, |ui| {
                for option in options {
                    let chosen = row.value.trim().eq_ignore_ascii_case(option);
                    if ui.selectable_label(chosen, option).clicked() && !chosen {
                        row.value.clone_from(option);
                        changed = true;
                    }
                }
            })
            .response;
        if changed {
            response.mark_changed();
        }
        return response;
    }
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
        PropertyKind::Text | PropertyKind::Bool | PropertyKind::Dropdown => "value",
    };
    ui.add(line_edit(&mut row.value).hint_text(hint).desired_width(170.0))
}
