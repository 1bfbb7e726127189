//! The Address tab.

use egui::Ui;

use crate::model::{FinosuDraft, HelpScoutDraft};
use crate::reference::us_states::find_state;
use crate::ui::widgets::{FIELD_WIDTH, FieldUi, line_edit, text_list_ui};
use crate::validation::pointer_segment;

/// Finosu: street lines, city, state, ZIP.
pub fn finosu_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut FinosuDraft) {
    let FinosuDraft { street_address1, street_address2, city, state, zip_code, .. } = draft;
    fields.text_row(ui, "Street address 1", "/streetAddress1", street_address1, "123 Main St");
    fields.text_row(ui, "Street address 2", "/streetAddress2", street_address2, "Apt 4B (optional)");
    fields.text_row(ui, "City", "/city", city, "");
    state_row(ui, fields, "/state", state);
    fields.text_row(ui, "ZIP code", "/zipCode", zip_code, "94102 or 94102-1234");
}

/// Help Scout: location, then the address object.
pub fn help_scout_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut HelpScoutDraft) {
    let HelpScoutDraft { location, address_lines, city, state, postal_code, country, address_extra, .. } = draft;
    fields.text_row(ui, "Location", "/location", location, "e.g. Greater Dallas area");
    text_list_ui(ui, fields, "Address lines", "/address/lines", "Address line", address_lines);
    fields.text_row(ui, "City", "/address/city", city, "");
    fields.text_row(ui, "State", "/address/state", state, "e.g. TX");
    fields.text_row(ui, "Postal code", "/address/postalCode", postal_code, "");
    fields.text_row(ui, "Country", "/address/country", country, "two letters, e.g. US");
    ui.label("");
    ui.vertical(|ui| {
        ui.set_max_width(FIELD_WIDTH);
        fields.messages_ui(ui, "/address");
        for key in address_extra.keys() {
            fields.messages_ui(ui, &format!("/address/{}", pointer_segment(key)));
        }
        ui.label(
            egui::RichText::new(
                "If any address field is filled in, city, state, postal code and country are all needed.",
            )
            .small()
            .weak(),
        );
    });
    ui.end_row();
}

/// The state code field, with the state's name shown once the code is recognised.
fn state_row(ui: &mut Ui, fields: &mut FieldUi<'_>, pointer: &str, state: &mut String) {
    fields.row(ui, "State", pointer, |ui, label_id| {
        ui.horizontal(|ui| {
            let response = ui.add(line_edit(state).hint_text("CA").desired_width(60.0)).labelled_by(label_id);
            if let Some(found) = find_state(state) {
                ui.label(egui::RichText::new(found.name).weak());
            }
            response
        })
        .inner
    });
}
