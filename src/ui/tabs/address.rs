//! The Address tab.

use egui::Ui;

use crate::model::{FinosuDraft, HelpScoutDraft};
use crate::reference::us_states::find_state;
use crate::reference::zip_codes::{self, ZipFill, ZipPlace};
use crate::ui::widgets::{FIELD_WIDTH, FieldUi, line_edit, text_list_ui, zip_zone_suggestion_ui};
use crate::validation::pointer_segment;

/// Finosu: street lines, city, state, ZIP, and the ZIP's time zone offered for the Basic tab's
/// time zone (shown here because this is where the ZIP becomes known).
pub fn finosu_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut FinosuDraft, zip_fill: &mut ZipFill) {
    let FinosuDraft { street_address1, street_address2, city, state, zip_code, timezone, .. } = draft;
    fields.text_row(ui, "Street address 1", "/streetAddress1", street_address1, "123 Main St");
    fields.text_row(ui, "Street address 2", "/streetAddress2", street_address2, "Apt 4B (optional)");
    fields.text_row(ui, "City", "/city", city, "");
    state_row(ui, fields, "/state", state);
    let response = fields.text_row(ui, "ZIP code", "/zipCode", zip_code, "94102 or 94102-1234");
    let place = zip_codes::lookup_if_loaded(zip_code);
    if response.changed()
        && let Some(place) = &place
    {
        fill_city_and_state(ui, fields, zip_fill, place, [city, state], ["/city", "/state"]);
    }
    if let Some(place) = &place
        && let Some(zone) = place.timezone
        && timezone.trim() != zone
    {
        ui.label(egui::RichText::new("Time zone").weak());
        if zip_zone_suggestion_ui(ui, place, zone) {
            zone.clone_into(timezone);
            fields.edited_at("/timezone");
        }
        ui.end_row();
    }
}

/// Help Scout: location, then the address object; a US (or country-less) ZIP fills an empty
/// city and state.
pub fn help_scout_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut HelpScoutDraft, zip_fill: &mut ZipFill) {
    let HelpScoutDraft { location, address_lines, city, state, postal_code, country, address_extra, .. } = draft;
    fields.text_row(ui, "Location", "/location", location, "e.g. Greater Dallas area");
    text_list_ui(ui, fields, "Address lines", "/address/lines", "Address line", address_lines);
    fields.text_row(ui, "City", "/address/city", city, "");
    fields.text_row(ui, "State", "/address/state", state, "e.g. TX");
    let response = fields.text_row(ui, "Postal code", "/address/postalCode", postal_code, "");
    let us_or_unknown = country.trim().is_empty() || country.trim().eq_ignore_ascii_case("US");
    if response.changed()
        && us_or_unknown
        && let Some(place) = zip_codes::lookup_if_loaded(postal_code)
    {
        fill_city_and_state(ui, fields, zip_fill, &place, [city, state], ["/address/city", "/address/state"]);
    }
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

/// Fills an empty city and state (or the last ZIP's fill) from the ZIP's place, as edits.
fn fill_city_and_state(
    ui: &Ui,
    fields: &mut FieldUi<'_>,
    zip_fill: &mut ZipFill,
    place: &ZipPlace,
    [city, state]: [&mut String; 2],
    [city_pointer, state_pointer]: [&str; 2],
) {
    let filled = zip_fill.apply(place, city, state);
    for (changed, pointer) in [(filled.city, city_pointer), (filled.state, state_pointer)] {
        if changed {
            fields.edited_at(pointer);
            // The city and state rows are drawn above: show them filled on the next frame.
            ui.ctx().request_repaint();
        }
    }
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
