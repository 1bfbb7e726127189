//! The Basic tab: names and contact details.

use egui::Ui;

use super::TabsRuntime;
use crate::model::{FinosuDraft, HelpScoutDraft};
use crate::reference::zip_codes;
use crate::ui::widgets::{FieldUi, ListSpec, line_edit, list_editor_ui, masked_text_ui, timezone_picker_ui};
use crate::validation::parse_iso_date;
use crate::validation::rules::{EMAIL_TYPES, GENDERS, PHONE_TYPES};

/// Finosu: id, names, email, phone, time zone, birthday, SSN last four.
pub fn finosu_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut FinosuDraft, runtime: &mut TabsRuntime) {
    let FinosuDraft {
        id,
        first_name,
        last_name,
        email,
        phone_number,
        timezone,
        birthday,
        ssn_last_four,
        state,
        zip_code,
        ..
    } = draft;
    let zip = zip_codes::lookup_if_loaded(zip_code);
    fields.row(ui, "ID", "/id", |ui, label_id| {
        ui.horizontal(|ui| {
            let mut response =
                ui.add(line_edit(id).hint_text("your reference").desired_width(220.0)).labelled_by(label_id);
            if ui.button("Generate").accessible_name("Generate ID").clicked() {
                *id = generate_customer_id();
                response.mark_changed();
            }
            response
        })
        .inner
    });
    fields.text_row(ui, "First name", "/firstName", first_name, "");
    fields.text_row(ui, "Last name", "/lastName", last_name, "");
    fields.text_row(ui, "Email", "/email", email, "name@example.com");
    fields.text_row(ui, "Phone number", "/phoneNumber", phone_number, "(415) 555-0123");
    fields.row(ui, "Time zone", "/timezone", |ui, label_id| {
        timezone_picker_ui(ui, timezone, state, zip.as_ref(), label_id)
    });
    fields.row(ui, "Birthday", "/birthday", |ui, label_id| birthday_ui(ui, birthday, label_id));
    fields.row(ui, "SSN last four", "/ssnLastFour", |ui, label_id| {
        masked_text_ui(ui, ssn_last_four, &mut runtime.ssn_visible, "SSN last four", 80.0).labelled_by(label_id)
    });
}

/// Help Scout: names, emails, phones, job, organisation, age, gender.
pub fn help_scout_ui(ui: &mut Ui, fields: &mut FieldUi<'_>, draft: &mut HelpScoutDraft) {
    let HelpScoutDraft { first_name, last_name, emails, phones, phone, job_title, organization, age, gender, .. } =
        draft;
    fields.text_row(ui, "First name", "/firstName", first_name, "");
    fields.text_row(ui, "Last name", "/lastName", last_name, "");
    let email_spec = ListSpec {
        key: "emails",
        item_label: "Email",
        types: Some(EMAIL_TYPES),
        default_type: "work",
        hint: "name@example.com",
    };
    list_editor_ui(ui, fields, "Emails", email_spec, emails);
    let phone_spec = ListSpec {
        key: "phones",
        item_label: "Phone",
        types: Some(PHONE_TYPES),
        default_type: "mobile",
        hint: "(415) 555-0123",
    };
    list_editor_ui(ui, fields, "Phones", phone_spec, phones);
    fields.text_row(ui, "Phone", "/phone", phone, "used when creating the customer");
    fields.text_row(ui, "Job title", "/jobTitle", job_title, "");
    fields.text_row(ui, "Organization", "/organization", organization, "");
    fields.text_row(ui, "Age", "/age", age, "e.g. 30-35");
    fields.choice_row(ui, "Gender", "/gender", gender, GENDERS);
}

/// A date typed as text, with a calendar button that fills it in.
fn birthday_ui(ui: &mut Ui, birthday: &mut String, label_id: egui::Id) -> egui::Response {
    ui.horizontal(|ui| {
        let mut response =
            ui.add(line_edit(birthday).hint_text("YYYY-MM-DD").desired_width(110.0)).labelled_by(label_id);
        let mut date = parse_iso_date(birthday.trim())
            .ok()
            .and_then(|d| d.format("%Y-%m-%d").to_string().parse::<jiff::civil::Date>().ok())
            .unwrap_or_else(|| jiff::civil::date(1990, 1, 1));
        let this_year = i16::try_from(chrono::Datelike::year(&chrono::Local::now().date_naive())).unwrap_or(2100);
        let picker = ui
            .add(
                egui_extras::DatePickerButton::new(&mut date)
                    .id_salt("birthday_picker")
                    .calendar_week(false)
                    .start_end_years(1900..=this_year),
            )
            .accessible_name("Pick birthday");
        if picker.changed() {
            *birthday = date.to_string();
            response.mark_changed();
        }
        response
    })
    .inner
}

/// A fresh customer reference such as `INT-7K2M9QXD`, random enough never to repeat by hand.
pub fn generate_customer_id() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    let mut bits = hasher.finish();
    let mut id = String::from("INT-");
    for _ in 0..8 {
        let index = usize::try_from(bits % ALPHABET.len() as u64).unwrap_or(0);
        id.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'X')));
        bits /= ALPHABET.len() as u64;
    }
    id
}
