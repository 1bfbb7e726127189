//! The four tabs of the form, one file each; every tab has a Finosu and a Help Scout layout.

pub mod address;
pub mod basic;
pub mod metadata;
pub mod metadata_table;
pub mod properties;

use egui::Ui;

use crate::model::metadata_templates::MetadataTemplate;
use crate::model::{Backend, Tab};
use crate::reference::zip_codes::ZipFill;
use crate::ui::form_state::FormState;
use crate::ui::widgets::FieldUi;

/// Tab state that lives only while the app runs (never saved).
#[derive(Debug, Default)]
pub struct TabsRuntime {
    /// Put the keyboard focus in the tab's first field on the next frame (start, tab switch, new).
    pub focus_first_field: bool,
    /// Whether the SSN last four is shown in clear.
    pub ssn_visible: bool,
    /// The Finosu metadata editor: its rows, paste box, template boxes and messages.
    pub metadata: metadata_table::MetadataEditor,
    /// The person asked to fetch Help Scout's property definitions again.
    pub reload_property_definitions: bool,
    /// The thumbnail under Help Scout's photo URL.
    pub photo_preview: crate::ui::photo_preview::PhotoPreview,
    /// What the Finosu ZIP code last filled in (city, state).
    pub finosu_zip_fill: ZipFill,
    /// What the Help Scout postal code last filled in (city, state).
    pub help_scout_zip_fill: ZipFill,
}

/// Draws the selected tab of the active backend's form and records the edits.
///
/// `task_types` are the valid task types the profile's server listed (Finosu), offered under
/// Task type; `templates` the profile's metadata templates.
pub fn tab_ui(
    ui: &mut Ui,
    tab: Tab,
    backend: Backend,
    form: &mut FormState,
    runtime: &mut TabsRuntime,
    task_types: &[String],
    templates: &[MetadataTemplate],
) {
    runtime.metadata.revision = form.revision(Backend::Finosu);
    let definitions = match (backend, tab) {
        (Backend::HelpScout, Tab::Properties) if form.property_definitions_known() => {
            Some(form.property_definitions().to_vec())
        }
        _ => None,
    };
    form.edit_with_issues(backend, |finosu, help_scout, issues| {
        let mut fields = FieldUi::new(backend, issues);
        fields.focus_next_row = std::mem::take(&mut runtime.focus_first_field);
        egui::Grid::new(("form_grid", tab)).num_columns(2).spacing([16.0, 10.0]).min_col_width(130.0).show(ui, |ui| {
            match (backend, tab) {
                (Backend::Finosu, Tab::Basic) => basic::finosu_ui(ui, &mut fields, finosu, runtime),
                (Backend::Finosu, Tab::Address) => {
                    address::finosu_ui(ui, &mut fields, finosu, &mut runtime.finosu_zip_fill);
                }
                (Backend::Finosu, Tab::Metadata) => metadata::finosu_ui(ui, &mut fields, finosu, runtime, templates),
                (Backend::Finosu, Tab::Properties) => properties::finosu_ui(ui, &mut fields, finosu, task_types),
                (Backend::HelpScout, Tab::Basic) => basic::help_scout_ui(ui, &mut fields, help_scout),
                (Backend::HelpScout, Tab::Address) => {
                    address::help_scout_ui(ui, &mut fields, help_scout, &mut runtime.help_scout_zip_fill);
                }
                (Backend::HelpScout, Tab::Metadata) => {
                    metadata::help_scout_ui(ui, &mut fields, help_scout, &mut runtime.photo_preview);
                }
                (Backend::HelpScout, Tab::Properties) => properties::help_scout_ui(
                    ui,
                    &mut fields,
                    help_scout,
                    definitions.as_deref(),
                    &mut runtime.reload_property_definitions,
                ),
            }
        });
        fields.into_edits()
    });
}
