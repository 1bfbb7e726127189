//! GUI tests of the form, driven through the accessibility tree as a person would use it.

mod fixtures;
mod gui_support;

use std::collections::HashMap;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use gui_support::{app_harness, click, harness_with, open_draft, step_until_shown, tab_label, type_into};
use intake::model::{Backend, FinosuDraft, Tab};
use intake::ui::state::PersistedState;
use intake::ui::{AppOptions, IntakeApp};

#[test]
fn bad_email_shows_message_under_the_field_and_counts_on_the_tab() {
    let mut harness = app_harness(Backend::Finosu);
    assert_eq!(tab_label(&harness, "Basic"), "Basic", "an untouched form shouts at nobody");
    assert!(harness.query_by_label_contains("is required").is_none());

    type_into(&mut harness, "Email", "ada@");
    let message = harness.get_by_label_contains("Email is not a valid email address");
    let email = harness.get_by_role_and_label(Role::TextInput, "Email");
    let phone = harness.get_by_role_and_label(Role::TextInput, "Phone number");
    assert!(
        message.rect().top() >= email.rect().bottom() && message.rect().bottom() <= phone.rect().top(),
        "the message sits between Email and the next field: {:?} {:?} {:?}",
        email.rect(),
        message.rect(),
        phone.rect()
    );
    assert_eq!(tab_label(&harness, "Basic"), "Basic (1)");
    assert_eq!(tab_label(&harness, "Address"), "Address", "other tabs are untouched");

    type_into(&mut harness, "Email", "example.com");
    assert!(harness.query_by_label_contains("Email is not a valid email address").is_none());
    assert_eq!(tab_label(&harness, "Basic"), "Basic");
    assert_eq!(harness.state().form().finosu().email, "ada@example.com");
}

#[test]
fn the_status_bar_shows_the_version_and_its_left_part_never_runs_under_the_right() {
    // A first start: every field untouched, so "Show all problems (12 more)" takes room too.
    let harness = app_harness(Backend::Finosu);
    let version = format!("Intake {}", env!("CARGO_PKG_VERSION"));
    assert!(harness.query_by_label(&version).is_some(), "{version} in the status bar");
    let hint = harness.get_by_label_contains("Tab next field").rect();
    let count = harness.get_by_label_contains("block sending").rect();
    let button = harness.get_by_label_contains("Show all problems").rect();
    assert!(hint.right() <= count.left() && count.right() <= button.left(), "{hint:?} {count:?} {button:?}");
}

#[test]
fn switching_profile_switches_the_field_set() {
    let mut harness = app_harness(Backend::Finosu);
    assert!(harness.query_by_role_and_label(Role::PasswordInput, "SSN last four").is_some());
    assert!(harness.query_by_label("Add email").is_none());

    harness.get_by_role_and_label(Role::ComboBox, "Profile").click();
    harness.run();
    click(&mut harness, "Sandbox · Help Scout");

    assert_eq!(harness.state().backend(), Backend::HelpScout);
    assert!(harness.query_by_role_and_label(Role::PasswordInput, "SSN last four").is_none());
    assert!(harness.query_by_label("Add email").is_some());
    assert!(harness.query_by_label_contains("POST /v2/customers").is_some());
}

#[test]
fn help_scout_email_rows_are_added_and_removed() {
    let mut harness = app_harness(Backend::HelpScout);
    click(&mut harness, "Add email");
    type_into(&mut harness, "Email 1", "bear@acme.com");
    click(&mut harness, "Add email");
    type_into(&mut harness, "Email 2", "bear@home.example");
    assert!(harness.query_by_label_contains("\"value\": \"bear@home.example\"").is_some());
    assert_eq!(harness.state().form().help_scout().emails.len(), 2);

    click(&mut harness, "Remove email 1");
    let emails = &harness.state().form().help_scout().emails;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].value, "bear@home.example");
    assert!(harness.query_by_role_and_label(Role::TextInput, "Email 2").is_none());
    assert!(harness.query_by_label_contains("bear@acme.com").is_none(), "gone from the preview too");
}

#[test]
fn help_scout_row_without_value_is_reported_once_touched() {
    let mut harness = app_harness(Backend::HelpScout);
    click(&mut harness, "Add email");
    type_into(&mut harness, "Email 1", "not-an-address");
    assert!(harness.query_by_label_contains("Email 1 address is not a valid email address").is_some());
    assert_eq!(tab_label(&harness, "Basic"), "Basic (1)");
}

#[test]
fn request_preview_reflects_edits_normalised() {
    let mut harness = app_harness(Backend::Finosu);
    type_into(&mut harness, "First name", "  Ada ");
    type_into(&mut harness, "Phone number", "(415) 555-0123");
    assert!(harness.query_by_label_contains("\"firstName\": \"Ada\"").is_some(), "trimmed");
    assert!(harness.query_by_label_contains("\"phoneNumber\": \"+14155550123\"").is_some(), "E.164");

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num4);
    harness.run();
    harness.get_by_role_and_label(Role::CheckBox, "Test customer").click();
    harness.run();
    assert!(harness.query_by_label_contains("\"isTest\": true").is_some());
    assert!(harness.query_by_label_contains("\"test\": true").is_some());
}

#[test]
fn ssn_is_masked_until_shown() {
    let mut harness = app_harness(Backend::Finosu);
    harness.get_by_role_and_label(Role::PasswordInput, "SSN last four").focus();
    harness.run();
    harness.get_by_role_and_label(Role::PasswordInput, "SSN last four").type_text("1234");
    harness.run();
    assert!(harness.query_by_label_contains("\"ssnLastFour\": \"••••\"").is_some());
    assert!(harness.query_by_label_contains("1234").is_none(), "not in the preview, not in the field");
    click(&mut harness, "Show SSN last four");
    assert!(harness.query_by_label_contains("\"ssnLastFour\": \"1234\"").is_some());
}

#[test]
fn ctrl_digits_switch_tabs_and_tab_key_walks_fields_in_order() {
    let mut harness = app_harness(Backend::Finosu);
    for (key, tab) in
        [(Key::Num2, Tab::Address), (Key::Num3, Tab::Metadata), (Key::Num4, Tab::Properties), (Key::Num1, Tab::Basic)]
    {
        harness.key_press_modifiers(Modifiers::COMMAND, key);
        harness.run();
        assert_eq!(harness.state().tab(), tab);
    }
    harness.get_by_role_and_label(Role::TextInput, "First name").focus();
    harness.run();
    harness.key_press(Key::Tab);
    harness.run();
    assert!(harness.get_by_role_and_label(Role::TextInput, "Last name").is_focused());
    harness.key_press(Key::Tab);
    harness.run();
    assert!(harness.get_by_role_and_label(Role::TextInput, "Email").is_focused());
}

#[test]
fn time_zone_is_suggested_from_the_state() {
    let mut harness = app_harness(Backend::Finosu);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num2);
    harness.run();
    type_into(&mut harness, "State", "ca");
    assert!(harness.query_by_label("California").is_some());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num1);
    harness.run();
    click(&mut harness, "Use time zone America/Los_Angeles");
    assert_eq!(harness.state().form().finosu().timezone, "America/Los_Angeles");
}

#[test]
fn time_zone_typing_offers_matches() {
    let mut harness = app_harness(Backend::Finosu);
    type_into(&mut harness, "Time zone", "new y");
    assert!(harness.query_by_label_contains("not an IANA time-zone name").is_some());
    click(&mut harness, "Use time zone America/New_York");
    assert_eq!(harness.state().form().finosu().timezone, "America/New_York");
    assert!(harness.query_by_label_contains("not an IANA time-zone name").is_none());
}

#[test]
fn metadata_json_error_names_line_and_column() {
    let mut harness = app_harness(Backend::Finosu);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num3);
    harness.run();
    harness.get_by_role_and_label(Role::MultilineTextInput, "Metadata JSON").focus();
    harness.run();
    harness.get_by_role_and_label(Role::MultilineTextInput, "Metadata JSON").type_text("{\"a\": 1,\n\"b\" 2}");
    harness.run();
    assert!(harness.query_by_label_contains("External metadata is not valid JSON").is_some());
    assert!(harness.query_by_label_contains("at line 2, column 5").is_some());
    assert_eq!(tab_label(&harness, "Metadata"), "Metadata (1)");
}

#[test]
fn show_all_problems_reveals_untouched_required_fields() {
    let mut harness = app_harness(Backend::Finosu);
    harness.get_by_label_contains("Show all problems").click();
    harness.run();
    assert!(harness.query_by_label_contains("First name is required.").is_some());
    assert_eq!(tab_label(&harness, "Basic"), "Basic (7)");
    assert_eq!(tab_label(&harness, "Address"), "Address (4)");
    assert_eq!(tab_label(&harness, "Properties"), "Properties (1)");
}

#[test]
fn opening_a_malformed_draft_keeps_the_form_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"firstName\": \"Grace\",\n  \"lastName\" \"Hopper\"\n}").unwrap();
    let huge = dir.path().join("huge.json");
    std::fs::write(&huge, vec![b'['; 10 * 1024 * 1024]).unwrap();
    let list = dir.path().join("list.json");
    std::fs::write(&list, "[{\"firstName\": \"Grace\"}]").unwrap();

    let mut harness = app_harness(Backend::Finosu);
    type_into(&mut harness, "First name", "Ada");
    for (path, expected) in [(&broken, "at line 3, column 14"), (&huge, "too big")] {
        open_draft(&mut harness, path.clone());
        let status = harness.state().status().cloned().unwrap();
        assert!(status.is_error() && status.text.contains(expected), "{status:?}");
        assert!(status.text.contains("left as it was"), "{status:?}");
        assert!(harness.query_by_label_contains(expected).is_some(), "shown in the status bar");
        assert_eq!(harness.state().form().finosu().first_name, "Ada");
        let field = harness.get_by_role_and_label(Role::TextInput, "First name");
        assert_eq!(field.value().as_deref(), Some("Ada"));
    }
    // A list of customers is not a draft: the Import window takes it, and the form stays.
    open_draft(&mut harness, list.clone());
    step_until_shown(&mut harness, "list.json: 1 row for profile");
    assert_eq!(harness.state().form().finosu().first_name, "Ada");
}

#[test]
fn opening_a_help_scout_draft_switches_profile_and_shows_its_problems() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bear.json");
    let body = serde_json::json!({
        "firstName": "Vernon", "lastName": "Bear", "gender": "Male", "nickname": "V",
        "emails": [{"type": "work", "value": "bear@acme"}]
    });
    std::fs::write(&path, body.to_string()).unwrap();

    let mut harness = app_harness(Backend::Finosu);
    open_draft(&mut harness, path);

    assert_eq!(harness.state().backend(), Backend::HelpScout);
    let status = harness.state().status().cloned().unwrap();
    assert!(!status.is_error() && status.text.contains("profile is now Sandbox · Help Scout"), "{status:?}");
    assert_eq!(harness.state().form().help_scout().first_name, "Vernon");
    assert!(harness.query_by_label_contains("Email 1 address is not a valid email address").is_some());
    assert!(harness.query_by_label_contains("Help Scout has no field \"nickname\"").is_some());
    click(&mut harness, "Remove field nickname");
    assert!(harness.query_by_label_contains("nickname").is_none());
    assert!(harness.state().form().help_scout().extra.is_empty());
}

#[test]
fn new_starts_an_empty_form_and_keeps_the_previous_customer_in_the_store() {
    let mut harness = app_harness(Backend::Finosu);
    type_into(&mut harness, "First name", "Ada");
    let first = harness.state().current_record().map(|r| r.id.clone()).expect("a record from the first keystroke");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run();
    assert!(harness.query_by_label_contains("Discard").is_none(), "nothing is discarded, so nothing is asked");
    assert_eq!(harness.state().form().finosu().first_name, "");
    let field = harness.get_by_role_and_label(Role::TextInput, "First name");
    assert_eq!(field.value().as_deref(), Some(""));
    assert!(harness.state().current_record().is_none(), "an empty form is not a record yet");
    assert!(harness.state_mut().flush_store(std::time::Duration::from_secs(5)));
    let path = harness.state().store_path().expect("a store").to_owned();
    let store = intake::store::Store::open(&path).unwrap();
    let kept = store.get(&first).unwrap().expect("the first customer is kept");
    assert_eq!(kept.body["firstName"], "Ada");
}

#[test]
fn metadata_rows_and_json_text_stay_in_sync() {
    let mut harness = app_harness(Backend::Finosu);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num3);
    harness.run();
    click(&mut harness, "Add metadata field");
    type_into(&mut harness, "Metadata key 1", "employer");
    type_into(&mut harness, "Metadata value 1", "Acme");
    click(&mut harness, "Add metadata field");
    type_into(&mut harness, "Metadata key 2", "payDay");
    type_into(&mut harness, "Metadata value 2", "15");
    assert_eq!(
        harness.state().form().finosu().external_metadata,
        "{\n  \"employer\": \"Acme\",\n  \"payDay\": \"15\"\n}"
    );
    click(&mut harness, "Metadata type 2");
    click(&mut harness, "number");
    assert_eq!(harness.state().form().finosu().external_metadata, "{\n  \"employer\": \"Acme\",\n  \"payDay\": 15\n}");
    assert!(harness.query_by_label_contains("\"payDay\": 15").is_some(), "typed as a number in the preview");

    harness.state_mut().form_mut().edit_finosu(|d| d.external_metadata = "{\"remote\": true}".to_owned());
    harness.run();
    assert_eq!(harness.get_by_role_and_label(Role::TextInput, "Metadata key 1").value().as_deref(), Some("remote"));
    assert_eq!(harness.get_by_label("Metadata type 1").value().as_deref(), Some("true/false"));
    assert_eq!(
        harness.get_by_role_and_label(Role::CheckBox, "Metadata value 1").accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::True)
    );
    assert!(harness.query_by_role_and_label(Role::TextInput, "Metadata key 2").is_none());

    harness.state_mut().form_mut().edit_finosu(|d| d.external_metadata = "{\"remote\": tru".to_owned());
    harness.run();
    assert!(harness.query_by_label("Fix the JSON below to edit it as rows.").is_some());
    assert!(harness.query_by_role_and_label(Role::TextInput, "Metadata key 1").is_none());
}

#[test]
fn first_field_has_the_keyboard_at_start_and_after_a_tab_switch() {
    let mut harness = app_harness(Backend::Finosu);
    assert!(harness.get_by_role_and_label(Role::TextInput, "ID").is_focused(), "typing starts at once");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num2);
    harness.run();
    assert!(harness.get_by_role_and_label(Role::TextInput, "Street address 1").is_focused());
    harness.get_by_role_and_label(Role::TextInput, "Street address 1").type_text("1 Main St");
    harness.run();
    assert_eq!(harness.state().form().finosu().street_address1, "1 Main St");
}

/// eframe's storage as the window has it (`app.ron`): each key's value as RON text, here kept
/// in memory.
#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

/// What eframe does across a restart: [`eframe::App::save`] into its storage on exit (and the
/// store's last writes), and on the next start the state read back from it as
/// `IntakeApp::from_creation_context` reads it (`eframe::get_value` at `eframe::APP_KEY`), in a
/// new window on the same store.
fn restart(harness: &mut Harness<'static, IntakeApp>) -> Harness<'static, IntakeApp> {
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    eframe::Storage::flush(&mut storage);
    assert!(harness.state_mut().flush_store(std::time::Duration::from_secs(5)), "the store took the last changes");
    let saved = eframe::Storage::get_string(&storage, eframe::APP_KEY).expect("the app saved its state");
    assert!(!saved.contains("Ada"), "eframe's state holds no customer: {saved}");
    let state: PersistedState = eframe::get_value(&storage, eframe::APP_KEY)
        .unwrap_or_else(|| panic!("eframe cannot read back what the app saved: {saved}"));
    let store_path = harness.state().store_path().map(std::path::Path::to_owned);
    harness_with(IntakeApp::new(state, AppOptions { store_path, ..AppOptions::default() }))
}

#[test]
fn profile_tab_and_drafts_survive_a_restart() {
    let mut harness = app_harness(Backend::Finosu);
    type_into(&mut harness, "First name", "Ada");
    harness.get_by_role_and_label(Role::ComboBox, "Profile").click();
    harness.run();
    click(&mut harness, "Sandbox · Help Scout");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num3);
    harness.run();

    let restored = restart(&mut harness);
    assert_eq!(restored.state().backend(), Backend::HelpScout);
    assert_eq!(restored.state().tab(), Tab::Metadata);
    assert_eq!(restored.state().form().finosu().first_name, "Ada", "the other backend's draft is kept too");

    let mut harness = app_harness(Backend::Finosu);
    type_into(&mut harness, "Email", "ada@");
    let restored = restart(&mut harness);
    assert!(restored.query_by_label_contains("Email is not a valid email address").is_some(), "problems show again");
    assert!(restored.query_by_label_contains("First name is required").is_none(), "untouched fields stay quiet");
}

#[test]
fn full_drafts_of_both_backends_survive_a_restart_unchanged() {
    // Every kind of value a draft holds goes through eframe's RON: nested metadata, lists,
    // numbers and dates in properties, the test flag.
    let mut harness = app_harness(Backend::HelpScout);
    harness.state_mut().form_mut().edit_finosu(|d| *d = fixtures::full_finosu());
    harness.state_mut().form_mut().edit_help_scout(|d| *d = fixtures::full_help_scout());
    harness.run();
    let before = harness.state().persisted_state();
    let drafts = |app: &IntakeApp| (app.form().finosu().clone(), app.form().help_scout().clone());
    let typed = drafts(harness.state());

    let mut restored = restart(&mut harness);
    let after = restored.state().persisted_state();
    assert_eq!((after.profile.as_str(), after.tab), (before.profile.as_str(), before.tab));
    assert_eq!((after.finosu_draft, after.help_scout_draft), (None, None), "customers are in the store only");
    assert_eq!(drafts(restored.state()).1, typed.1, "the Help Scout draft comes back whole");
    // The metadata comes back as the same JSON object (laid out anew: the draft keeps the object).
    let metadata = |text: &str| serde_json::from_str::<serde_json::Value>(text).expect("metadata is JSON");
    let finosu = restored.state().form().finosu().clone();
    assert_eq!(metadata(&finosu.external_metadata), metadata(&fixtures::full_finosu().external_metadata));
    let without_metadata = |draft: FinosuDraft| FinosuDraft { external_metadata: String::new(), ..draft };
    assert_eq!(without_metadata(finosu), without_metadata(fixtures::full_finosu()));
    assert_eq!(restored.state().form().help_scout().emails, fixtures::full_help_scout().emails);
    // And once more: a restored window keeps what it restored.
    let again = restart(&mut restored);
    assert_eq!(drafts(again.state()), drafts(restored.state()));
}

#[test]
fn a_huge_paste_is_cut_at_the_field_limit_with_a_note_and_nothing_else_changes() {
    let mut harness = app_harness(Backend::Finosu);
    type_into(&mut harness, "First name", "Ada");
    let paste = "x".repeat(20_000);
    type_into(&mut harness, "Last name", &paste);
    let form = harness.state().form();
    assert_eq!(form.finosu().last_name.chars().count(), intake::model::limits::LINE_MAX_CHARS);
    assert_eq!(form.finosu().first_name, "Ada");
    assert!(harness.query_by_label_contains("holds at most 1,000 characters").is_some());

    harness.get_by_role_and_label(Role::TextInput, "Last name").focus();
    harness.run();
    harness.key_press(Key::Backspace);
    harness.run();
    assert!(harness.query_by_label_contains("holds at most 1,000 characters").is_none(), "gone once shorter");
}

#[test]
fn enter_in_the_time_zone_field_takes_the_best_match() {
    let mut harness = app_harness(Backend::Finosu);
    type_into(&mut harness, "Time zone", "chicago");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().form().finosu().timezone, "America/Chicago");
}

#[test]
fn help_scout_property_rows_are_typed_by_hand_without_definitions() {
    let mut harness = app_harness(Backend::HelpScout);
    harness.state_mut().form_mut().set_property_definitions(None);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num4);
    harness.run();
    click(&mut harness, "Add property");
    type_into(&mut harness, "Property 1 slug", "shoeSize");
    harness.get_by_role_and_label(Role::ComboBox, "Property 1 type").click();
    harness.run();
    click(&mut harness, "number");
    type_into(&mut harness, "Property 1 value", "44");
    assert!(harness.query_by_label_contains("\"shoeSize\": 44").is_some(), "sent as a number");
    type_into(&mut harness, "Property 1 value", ".5");
    assert!(harness.query_by_label_contains("Property \"shoeSize\" must be a whole number").is_some());
    // Without the account's definitions the slug itself cannot be checked: a warning says so.
    assert!(harness.query_by_label_contains("Property \"shoeSize\" cannot be checked against the account").is_some());
    assert!(harness.query_by_label("Remove property shoeSize").is_none(), "nothing says it is undefined");
    assert_eq!(tab_label(&harness, "Properties"), "Properties (2)", "the error and the warning");
}

#[test]
fn values_no_editor_can_hold_are_reported_where_they_belong() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.json");
    let body = serde_json::json!({
        "firstName": "Vernon", "emails": [],
        "address": {"city": "Dallas", "state": "TX", "postalCode": "75201", "country": "US", "zip": "75201"},
        "properties": {"tags": ["a", "b"]}
    });
    std::fs::write(&path, body.to_string()).unwrap();
    let mut harness = app_harness(Backend::HelpScout);
    open_draft(&mut harness, path);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num2);
    harness.run();
    assert!(harness.query_by_label_contains("Address has no field \"zip\"").is_some());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num4);
    harness.run();
    // The sandbox's definitions are loaded, so an undefined slug is reported as such.
    assert!(harness.query_by_label_contains("Property \"tags\" is not defined in this Help Scout account").is_some());
    click(&mut harness, "Remove property tags");
    assert!(harness.state().form().help_scout().properties_extra.is_empty(), "the value no row holds is gone");
    assert!(harness.query_by_label_contains("Property \"tags\"").is_none());
}

#[test]
fn an_undefined_property_is_an_error_with_a_remove_button_once_definitions_are_known() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("colour.json");
    let body = serde_json::json!({"firstName": "Vernon", "properties": {"shoeSize": 44, "colour": "green"}});
    std::fs::write(&path, body.to_string()).unwrap();
    let mut harness = app_harness(Backend::HelpScout);
    assert!(
        harness.state().profile().property_definitions.iter().any(|d| d.slug == "shoeSize"),
        "the profile holds the sandbox's definitions"
    );
    open_draft(&mut harness, path);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num4);
    harness.run();
    let error = "Property \"colour\" is not defined in this Help Scout account; Help Scout rejects it.";
    assert!(harness.query_by_label_contains(error).is_some(), "the error is shown at the row");
    assert_eq!(tab_label(&harness, "Properties"), "Properties (1)");
    assert!(harness.query_by_label("Remove property shoeSize").is_none(), "a defined property has no such button");
    assert!(harness.query_by_label_contains("\"colour\": \"green\"").is_some(), "it would be sent");

    click(&mut harness, "Remove property colour");
    let slugs: Vec<String> = harness.state().form().help_scout().properties.iter().map(|r| r.slug.clone()).collect();
    assert_eq!(slugs, ["shoeSize"], "only the undefined row went");
    assert!(harness.query_by_label_contains(error).is_none(), "the error went with it");
    assert!(harness.query_by_label("Remove property colour").is_none());
    assert!(harness.query_by_label_contains("\"colour\"").is_none(), "no longer in the request");
    assert_eq!(tab_label(&harness, "Properties"), "Properties");
}

#[test]
fn help_scout_properties_get_typed_editors_from_the_fetched_definitions() {
    let mut harness = app_harness(Backend::HelpScout);
    let definitions = harness.state().form().property_definitions().to_vec();
    assert!(definitions.iter().any(|d| d.slug == "plan" && d.options.len() == 3), "{definitions:#?}");
    assert_eq!(harness.state().profile().property_definitions, definitions, "cached on the profile");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num4);
    harness.run();
    assert!(harness.query_by_label_contains("properties are defined in this Help Scout account").is_some());
    click(&mut harness, "Add property");
    harness.get_by_role_and_label(Role::ComboBox, "Property 1").click();
    harness.run();
    click(&mut harness, "Shoe size (shoeSize)");
    type_into(&mut harness, "Property 1 value", "44");
    assert!(harness.query_by_label_contains("\"shoeSize\": 44").is_some(), "sent as a number");

    click(&mut harness, "Add property");
    harness.get_by_role_and_label(Role::ComboBox, "Property 2").click();
    harness.run();
    click(&mut harness, "Plan (plan)");
    harness.get_by_role_and_label(Role::ComboBox, "Property 2 value").click();
    harness.run();
    click(&mut harness, "Pro");
    assert!(harness.query_by_label_contains("\"plan\": \"Pro\"").is_some());
    assert_eq!(harness.state().form().error_count(), 0, "{:#?}", harness.state().form().issues());
}

#[test]
fn a_dropdown_value_that_is_not_an_option_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, r#"{"firstName": "Vernon", "properties": {"plan": "Platinum"}}"#).unwrap();
    let mut harness = app_harness(Backend::HelpScout);
    open_draft(&mut harness, path);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num4);
    harness.run();
    assert!(
        harness.query_by_label_contains("Property \"plan\" must be one of: Free, Pro, Enterprise.").is_some(),
        "{:#?}",
        harness.state().form().issues()
    );
}

#[test]
fn a_window_closed_before_its_store_writer_started_keeps_what_was_typed() {
    // No frame at all: the writer starts with the second frame, so closing now writes directly.
    let home = tempfile::tempdir().unwrap();
    let store_path = home.path().join(intake::store::STORE_FILE);
    let options = AppOptions { store_path: Some(store_path.clone()), ..AppOptions::default() };
    let mut app = IntakeApp::new(PersistedState::default(), options);
    app.form_mut().edit_finosu(|d| "Early".clone_into(&mut d.first_name));
    assert!(app.flush_store(std::time::Duration::from_secs(5)));
    drop(app);
    let store = intake::store::Store::open(&store_path).unwrap();
    let record = store.latest(Backend::Finosu).unwrap().expect("the early typing is a record");
    assert_eq!(record.body["firstName"], "Early");
}
