//! The mapping step: each column of the file with an example value and the field it fills
//! (suggested ones marked), fixed values for every row, and whether to remember the mapping and
//! queue the valid rows at once.

use egui::{RichText, Ui};

use super::{ImportCommand, ImportOptions, ImportView, Loaded};
use crate::import::{ColumnTarget, FixedValue, ImportTable, MappableField, Mapping, mappable_fields};

/// Height of one column's line.
const ROW_HEIGHT: f32 = 26.0;
/// Longest example shown, in characters.
const EXAMPLE_CHARS: usize = 40;

/// The mapping step's state.
#[derive(Debug)]
pub struct MappingDialog {
    /// The file.
    pub loaded: Loaded,
    /// The mapping as edited.
    pub mapping: Mapping,
    /// Remember the mapping for the profile and these columns.
    pub remember: bool,
    /// Queue the valid rows at once.
    pub queue: bool,
    /// What a column can fill.
    fields: Vec<MappableField>,
    /// The fixed value being added: its field and value.
    new_fixed: (String, String),
}

impl MappingDialog {
    /// The step for a file just read.
    pub fn new(loaded: Loaded) -> Self {
        let mapping = loaded.file.mapping.clone();
        // `properties.<slug>` stands for any property: the profile's own are offered by name.
        let properties = loaded.properties.iter().map(|definition| MappableField {
            path: format!("properties.{}", definition.slug),
            label: format!("Property: {}", definition.name),
        });
        let fields = mappable_fields(loaded.backend)
            .into_iter()
            .filter(|field| !field.path.contains('<'))
            .chain(properties)
            .collect();
        Self { loaded, mapping, remember: true, queue: false, fields, new_fixed: (String::new(), String::new()) }
    }

    /// Draws the step.
    pub fn ui(&mut self, ui: &mut Ui, view: &ImportView<'_>, commands: &mut Vec<ImportCommand>) {
        let file = &self.loaded.file;
        let rows = file.table.len();
        ui.label(
            RichText::new(format!(
                "{}: {rows} {} for profile {} ({})",
                file.file_name,
                if rows == 1 { "row" } else { "rows" },
                self.loaded.profile,
                self.loaded.backend.display_name()
            ))
            .strong(),
        );
        if view.profile != self.loaded.profile {
            ui.label(
                RichText::new(
                    "The active profile changed since the file was read; the rows still go to the one above.",
                )
                .color(ui.visuals().warn_fg_color),
            );
        }
        super::report::skipped_ui(ui, &file.skipped);
        let is_csv = matches!(file.table, ImportTable::Csv(_));
        if is_csv {
            if file.remembered {
                ui.label("Using the mapping remembered for these columns.");
            } else {
                ui.label("Check where each column goes. Suggestions are marked; a column left out is not imported.");
            }
            ui.add_space(4.0);
            self.columns_ui(ui);
            ui.separator();
            self.fixed_ui(ui);
        } else {
            ui.label("JSON: each item is a request body, so there are no columns to map.");
        }
        ui.separator();
        let problem = self.mapping.check(self.loaded.backend).err();
        if let Some(problem) = &problem {
            ui.label(RichText::new(problem.to_string()).color(ui.visuals().error_fg_color));
        }
        if is_csv {
            ui.checkbox(
                &mut self.remember,
                format!("Remember this mapping for {} and these columns", self.loaded.profile),
            );
        }
        ui.checkbox(&mut self.queue, "Queue the valid rows at once (otherwise after a look at the report)");
        ui.horizontal(|ui| {
            let label = format!("Import {rows} {}", if rows == 1 { "row" } else { "rows" });
            let import = ui.add_enabled(problem.is_none(), egui::Button::new(label));
            let shortcut = ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
            if (import.clicked() || shortcut) && problem.is_none() {
                let options = ImportOptions { remember: self.remember && is_csv, queue: self.queue };
                commands.push(ImportCommand::Import(self.mapping.clone(), options));
            }
            if ui.button("Cancel").clicked() {
                commands.push(ImportCommand::Restart);
            }
        });
    }

    /// One line per column: its header, an example, and the field it fills.
    fn columns_ui(&mut self, ui: &mut Ui) {
        let ImportTable::Csv(table) = &self.loaded.file.table else { return };
        let fields = &self.fields;
        let columns = &mut self.mapping.columns;
        let height = (ui.available_height() - 200.0).max(ROW_HEIGHT * 4.0);
        egui::ScrollArea::vertical().id_salt("import_columns").max_height(height).auto_shrink([false, true]).show_rows(
            ui,
            ROW_HEIGHT,
            columns.len(),
            |ui, range| {
                for index in range {
                    let Some(choice) = columns.get_mut(index) else { continue };
                    let example = table
                        .rows
                        .iter()
                        .take(5)
                        .filter_map(|row| row.cells.get(index))
                        .find(|cell| !cell.trim().is_empty())
                        .map(|cell| shorten(cell))
                        .unwrap_or_default();
                    ui.horizontal(|ui| {
                        let header = if choice.header.is_empty() { "(no name)" } else { choice.header.as_str() };
                        let label = cell_ui(ui, egui::Label::new(header).truncate());
                        cell_ui(ui, egui::Label::new(RichText::new(example).weak()).truncate());
                        target_combo_ui(ui, index, &mut choice.target, fields).labelled_by(label.id);
                        if choice.suggested {
                            ui.label(RichText::new("suggested").small().color(ui.visuals().warn_fg_color));
                        }
                    });
                }
            },
        );
    }

    /// Values every row gets, and the line to add one.
    fn fixed_ui(&mut self, ui: &mut Ui) {
        ui.label("Fixed values (every row gets them, unless a column fills the field):");
        let mut remove = None;
        for (index, fixed) in self.mapping.fixed.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(format!("{} = {}", label_of(&self.fields, &fixed.path), fixed.value));
                if ui.small_button("Remove").on_hover_text("Remove this fixed value").clicked() {
                    remove = Some(index);
                }
            });
        }
        if let Some(index) = remove {
            self.mapping.fixed.remove(index);
        }
        ui.horizontal(|ui| {
            let label = ui.label("Field");
            let (path, value) = &mut self.new_fixed;
            let mut target = if path.is_empty() { ColumnTarget::Ignore } else { ColumnTarget::Field(path.clone()) };
            target_combo_ui(ui, usize::MAX, &mut target, &self.fields).labelled_by(label.id);
            *path = match target {
                ColumnTarget::Field(chosen) => chosen,
                ColumnTarget::Ignore => String::new(),
            };
            let value_label = ui.label("Value");
            ui.add(egui::TextEdit::singleline(value).desired_width(160.0)).labelled_by(value_label.id);
            let ready = !path.is_empty() && !value.trim().is_empty();
            if ui.add_enabled(ready, egui::Button::new("Add fixed value")).clicked() {
                self.mapping.fixed.retain(|fixed| fixed.path != *path);
                self.mapping.fixed.push(FixedValue { path: std::mem::take(path), value: std::mem::take(value) });
            }
        });
    }
}

/// The field picker of one column (or of the fixed value being added, `index` `usize::MAX`).
fn target_combo_ui(ui: &mut Ui, index: usize, target: &mut ColumnTarget, fields: &[MappableField]) -> egui::Response {
    let selected = match target {
        ColumnTarget::Ignore => "Leave out".to_owned(),
        ColumnTarget::Field(path) => label_of(fields, path),
    };
    egui::ComboBox::from_id_salt(("import_target", index))
        .selected_text(selected)
        .width(240.0)
        .height(320.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(target, ColumnTarget::Ignore, "Leave out");
            for field in fields {
                let text = format!("{} ({})", field.label, field.path);
                ui.selectable_value(target, ColumnTarget::Field(field.path.clone()), text);
            }
        })
        .response
}

/// A left-aligned cell of the columns' table.
fn cell_ui(ui: &mut Ui, label: egui::Label) -> egui::Response {
    let size = egui::vec2(170.0, ROW_HEIGHT - 4.0);
    ui.allocate_ui_with_layout(size, egui::Layout::left_to_right(egui::Align::Center), |ui| {
        ui.set_min_size(size);
        ui.add(label)
    })
    .inner
}

/// A field's name and path, for a path the list may not hold (a custom property).
fn label_of(fields: &[MappableField], path: &str) -> String {
    fields
        .iter()
        .find(|field| field.path == path)
        .map_or_else(|| path.to_owned(), |field| format!("{} ({})", field.label, field.path))
}

fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > EXAMPLE_CHARS || line.len() < text.len() {
        format!("{}…", line.chars().take(EXAMPLE_CHARS).collect::<String>())
    } else {
        line.to_owned()
    }
}
