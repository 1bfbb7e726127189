//! The time-zone field: free typing with matching IANA names offered under it, a searchable
//! list of all names, and a suggestion: the ZIP code's zone once the ZIP is known (until it is
//! the value), else the US state's usual zone while the field is empty.

use egui::{Response, Ui};

use super::field::{FIELD_WIDTH, line_edit};
use crate::reference::zip_codes::ZipPlace;
use crate::reference::{timezones, us_states};

/// How many matches are offered under the field while typing.
const INLINE_MATCHES: usize = 4;

/// Draws the field and its helpers; returns a response whose `changed` covers every way the
/// value can change.
///
/// `state_code` is the address's state and `zip` what the ZIP table knows of the address's
/// ZIP, for the suggestion.
pub fn timezone_picker_ui(
    ui: &mut Ui,
    value: &mut String,
    state_code: &str,
    zip: Option<&ZipPlace>,
    label_id: egui::Id,
) -> Response {
    let mut picked: Option<&'static str> = None;
    let mut response = ui
        .horizontal(|ui| {
            let response = ui
                .add(line_edit(value).hint_text("e.g. America/New_York").desired_width(FIELD_WIDTH - 90.0))
                .labelled_by(label_id);
            browse_ui(ui, value, &mut picked);
            response
        })
        .inner;

    let query = value.trim();
    let zip_zone = zip.and_then(|place| place.timezone.map(|zone| (place, zone)));
    if let Some((place, zone)) = zip_zone
        && query != zone
        && zip_zone_suggestion_ui(ui, place, zone)
    {
        picked = Some(zone);
    }
    if query.is_empty() {
        if zip_zone.is_some() {
            // The ZIP's zone is offered above; the state's would only repeat or contradict it.
        } else if let Some(zone) = us_states::suggest_timezone(state_code) {
            let state = state_code.trim().to_ascii_uppercase();
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new(format!("Suggested for {state}:")).small());
                if ui.small_button(zone).accessible_name(format!("Use time zone {zone}")).clicked() {
                    picked = Some(zone);
                }
            });
        }
    } else if !timezones::is_iana_timezone(query) {
        let matches = timezones::search_timezones(query, INLINE_MATCHES);
        // Enter in the field takes the best match, so the keyboard never has to leave it.
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if entered && let Some(best) = matches.first() {
            picked = Some(best);
        }
        if !matches.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.label(egui::RichText::new("Did you mean (Enter takes the first):").small());
                for zone in matches {
                    if ui.small_button(zone).accessible_name(format!("Use time zone {zone}")).clicked() {
                        picked = Some(zone);
                    }
                }
            });
        }
    }
    if let Some(zone) = picked {
        zone.clone_into(value);
        response.mark_changed();
    }
    response
}

/// `Suggested from ZIP 94102: America/Los_Angeles [Use]`, shown wherever the time zone can be
/// taken from the ZIP until it is taken; true when Use was clicked.
pub fn zip_zone_suggestion_ui(ui: &mut Ui, place: &ZipPlace, zone: &str) -> bool {
    let zip = place.zip_text();
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(format!("Suggested from ZIP {zip}: {zone}")).italics());
        ui.small_button("Use").accessible_name(format!("Use time zone {zone} from ZIP {zip}")).clicked()
    })
    .inner
}

/// A "Browse…" drop-down with a search box over all IANA names.
fn browse_ui(ui: &mut Ui, value: &str, picked: &mut Option<&'static str>) {
    let filter_id = ui.make_persistent_id("timezone_browse_filter");
    let mut filter: String = ui.data(|d| d.get_temp(filter_id)).unwrap_or_default();
    let inner = egui::ComboBox::from_id_salt("timezone_browse")
        .selected_text("Browse…")
        .width(80.0)
        .height(320.0)
        .show_ui(ui, |ui| {
            let search = ui.add(egui::TextEdit::singleline(&mut filter).hint_text("Search time zones"));
            let search = search.accessible_name("Search time zones");
            if !search.has_focus() && filter.is_empty() {
                search.request_focus();
            }
            let matches: Vec<&'static str> = if filter.trim().is_empty() {
                timezones::all_timezones().collect()
            } else {
                timezones::search_timezones(&filter, usize::MAX)
            };
            if matches.is_empty() {
                ui.label("No time zone matches.");
            }
            for zone in matches {
                if ui.selectable_label(zone == value, zone).clicked() {
                    *picked = Some(zone);
                    ui.close();
                }
            }
        });
    inner.response.accessible_name("Browse time zones");
    ui.data_mut(|d| d.insert_temp(filter_id, filter));
}
