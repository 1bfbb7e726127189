//! Screenshot snapshots of every tab of both forms, filled with a realistic customer that has
//! one warning and one error showing, compared against `tests/snapshots/*.png`.
//!
//! Update after an intended UI change with `UPDATE_SNAPSHOTS=1 cargo test --test gui_snapshots`,
//! then look at every changed image before committing.

mod gui_support;

use egui::{Key, Modifiers};
use egui_kittest::SnapshotResults;
use gui_support::app_harness_in;
use intake::model::{Backend, FinosuDraft, HelpScoutDraft, ListEntry, PropertyKind, PropertyRow, Tab};

fn finosu_customer() -> FinosuDraft {
    FinosuDraft {
        id: "INT-7K2M9QXD".into(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@example".into(),
        phone_number: "(415) 555-0123".into(),
        timezone: "America/Los_Angeles".into(),
        birthday: "1985-06-15".into(),
        ssn_last_four: "1234".into(),
        street_address1: "123 Main St".into(),
        street_address2: "Apt 4B".into(),
        city: "San Francisco".into(),
        state: "CA".into(),
        zip_code: "10001".into(),
        task_type: "collections".into(),
        do_not_call: false,
        test_customer: true,
        external_metadata:
            "{\n  \"employer\": {\"name\": \"Acme\", \"department\": \"R&D\"},\n  \"paySchedule\": \"biweekly\"\n}"
                .into(),
        extra: serde_json::Map::new(),
    }
}

fn help_scout_customer() -> HelpScoutDraft {
    HelpScoutDraft {
        first_name: "Vernon".into(),
        last_name: "Bear".into(),
        emails: vec![ListEntry::new("work", "bear@acme.com"), ListEntry::new("home", "vernon@bear")],
        phones: vec![ListEntry::new("mobile", "(214) 555-0199")],
        phone: "214-555-0100".into(),
        job_title: "CEO and Co-Founder".into(),
        organization: "Acme, Inc".into(),
        age: "30-35".into(),
        gender: "male".into(),
        location: "Greater Dallas/FT Worth Area".into(),
        address_lines: vec!["1 Elm St".into(), "Suite 200".into()],
        city: "Dallas".into(),
        state: "TX".into(),
        postal_code: "94102".into(),
        country: "US".into(),
        background: "I've worked with Vernon before and he's really great.".into(),
        websites: vec![ListEntry::new("", "https://acme.example")],
        social_profiles: vec![ListEntry::new("linkedin", "https://linkedin.com/in/vbear")],
        chats: vec![ListEntry::new("skype", "vbear")],
        photo_url: "https://api.helpscout.net/img/some-avatar.jpg".into(),
        photo_type: "twitter".into(),
        properties: vec![
            PropertyRow { slug: "car".into(), kind: PropertyKind::Text, value: "Tesla".into() },
            PropertyRow { slug: "shoeSize".into(), kind: PropertyKind::Number, value: "44.5".into() },
            PropertyRow { slug: "vip".into(), kind: PropertyKind::Bool, value: "true".into() },
        ],
        ..HelpScoutDraft::default()
    }
}

/// A harness showing the filled customer of `backend` with every problem visible.
fn filled_harness(backend: Backend, theme: egui::Theme) -> egui_kittest::Harness<'static, intake::ui::IntakeApp> {
    let mut harness = app_harness_in(backend, theme);
    let form = harness.state_mut().form_mut();
    match backend {
        Backend::Finosu => form.edit_finosu(|d| *d = finosu_customer()),
        Backend::HelpScout => form.edit_help_scout(|d| *d = help_scout_customer()),
    }
    form.show_all_problems(backend);
    harness.run();
    harness
}

#[test]
fn every_tab_of_both_forms() {
    let mut results = SnapshotResults::new();
    for backend in Backend::ALL {
        let mut harness = filled_harness(backend, egui::Theme::Light);
        for (tab, key) in Tab::ALL.into_iter().zip([Key::Num1, Key::Num2, Key::Num3, Key::Num4]) {
            harness.key_press_modifiers(Modifiers::COMMAND, key);
            harness.run();
            let name = format!("{}_{}", backend_slug(backend), tab.title().to_lowercase());
            results.add(harness.try_snapshot(&name));
        }
    }
}

fn backend_slug(backend: Backend) -> &'static str {
    match backend {
        Backend::Finosu => "finosu",
        Backend::HelpScout => "helpscout",
    }
}

#[test]
fn basic_tab_in_dark_theme() {
    let mut results = SnapshotResults::new();
    for backend in Backend::ALL {
        let mut harness = filled_harness(backend, egui::Theme::Dark);
        results.add(harness.try_snapshot(format!("{}_basic_dark", backend_slug(backend))));
    }
}
