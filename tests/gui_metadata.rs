//! GUI tests of the Finosu Metadata tab: templates of the profile, *Paste JSON*, and the nested
//! rows table, driven through the accessibility tree.

mod gui_support;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use gui_support::{click, harness_with, replace_text, shown, step_until_shown, type_into};
use intake::paths::IntakePaths;
use intake::profiles::{ProfileStore, SANDBOX_FINOSU};
use intake::ui::state::PersistedState;
use intake::ui::{AppOptions, IntakeApp};
use serde_json::{Value, json};

/// The Finosu sandbox profile's app on profiles kept under `home`, on the Metadata tab.
fn metadata_tab(home: &std::path::Path) -> Harness<'static, IntakeApp> {
    let state = PersistedState { profile: SANDBOX_FINOSU.to_owned(), ..PersistedState::default() };
    let options = AppOptions { paths: Some(IntakePaths::under(home)), ..AppOptions::default() };
    let mut harness = harness_with(IntakeApp::new(state, options));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num3);
    harness.run();
    harness
}

/// Profiles under `home` whose Finosu sandbox profile has the template `name`.
fn with_template(home: &std::path::Path, name: &str, metadata: &Value) {
    let mut store = ProfileStore::load(&IntakePaths::under(home)).expect("test setup");
    store.set_metadata_template(SANDBOX_FINOSU, name, metadata.as_object().cloned()).expect("test setup");
    store.save().expect("test setup");
}

fn metadata(harness: &Harness<'_, IntakeApp>) -> Value {
    let text = &harness.state().form().finosu().external_metadata;
    if text.trim().is_empty() { Value::Null } else { serde_json::from_str(text).expect("test setup") }
}

fn set_metadata(harness: &mut Harness<'_, IntakeApp>, value: &Value) {
    let text = if value.is_null() { String::new() } else { serde_json::to_string_pretty(value).expect("test setup") };
    harness.state_mut().form_mut().edit_finosu(|d| d.external_metadata = text);
    harness.run();
}

fn pick_template(harness: &mut Harness<'_, IntakeApp>, name: &str) {
    click(harness, "Start from template");
    click(harness, name);
}

fn paste(harness: &mut Harness<'_, IntakeApp>, text: &str) {
    click(harness, "Paste JSON");
    assert!(harness.get_by_role_and_label(Role::MultilineTextInput, "JSON to paste").is_focused());
    harness.event(egui::Event::Paste(text.to_owned()));
    harness.run();
}

#[test]
fn a_template_fills_empty_metadata_and_only_adds_what_a_half_filled_one_lacks() {
    let home = tempfile::tempdir().expect("test setup");
    let template = json!({"employer": {"name": "", "id": ""}, "paySchedule": "biweekly"});
    with_template(home.path(), "Employer + pay schedule", &template);
    let mut harness = metadata_tab(home.path());

    pick_template(&mut harness, "Employer + pay schedule");
    assert_eq!(metadata(&harness), template);
    assert!(shown(&harness, "Template “Employer + pay schedule”: filled in 2 keys (employer, paySchedule)."));
    assert_eq!(harness.get_by_role_and_label(Role::TextInput, "Metadata key 2").value().as_deref(), Some("name"));

    set_metadata(&mut harness, &json!({"paySchedule": "monthly", "employer": {"name": "Acme"}}));
    pick_template(&mut harness, "Employer + pay schedule");
    assert_eq!(metadata(&harness), json!({"paySchedule": "monthly", "employer": {"name": "Acme", "id": ""}}));
    assert!(shown(
        &harness,
        "Template “Employer + pay schedule”: added 1 key (employer.id); kept your value for 2 keys (employer.name, paySchedule)."
    ));
}

#[test]
fn a_saved_template_is_offered_after_the_profile_is_opened_again() {
    let home = tempfile::tempdir().expect("test setup");
    let mut harness = metadata_tab(home.path());
    assert!(harness.get_by_label("Save as template…").accesskit_node().is_disabled(), "nothing to keep yet");
    click(&mut harness, "Add metadata field");
    type_into(&mut harness, "Metadata key 1", "branch");
    type_into(&mut harness, "Metadata value 1", "Oslo");
    click(&mut harness, "Save as template…");
    type_into(&mut harness, "Template name", "Branch");
    click(&mut harness, "Save template");
    step_until_shown(&mut harness, "Saved template “Branch” to profile Sandbox · Finosu.");
    let store = ProfileStore::load(&IntakePaths::under(home.path())).expect("test setup");
    let saved = &store.find(SANDBOX_FINOSU).expect("test setup").metadata_templates;
    assert_eq!(
        (saved[0].name.as_str(), Value::Object(saved[0].metadata.clone())),
        ("Branch", json!({"branch": "Oslo"}))
    );

    // The same name again asks before replacing.
    click(&mut harness, "Save as template…");
    type_into(&mut harness, "Template name", "branch");
    click(&mut harness, "Save template");
    assert!(shown(&harness, "A template named “branch” exists. Replace it?"));
    click(&mut harness, "Cancel saving the template");

    // The SSN (masked on screen) is never kept in a template.
    harness.state_mut().form_mut().edit_finosu(|d| d.ssn_last_four = "6789".to_owned());
    set_metadata(&mut harness, &json!({"check": "6789"}));
    click(&mut harness, "Save as template…");
    type_into(&mut harness, "Template name", "Leaky");
    click(&mut harness, "Save template");
    assert!(shown(&harness, "\"check\" holds the SSN or a masked value"));
    drop(harness);

    let mut again = metadata_tab(home.path());
    // The reopened window brings back the last draft: start from empty metadata.
    set_metadata(&mut again, &Value::Null);
    pick_template(&mut again, "Branch");
    assert_eq!(metadata(&again), json!({"branch": "Oslo"}));
    assert!(!shown(&again, "Leaky"));

    click(&mut again, "Delete template…");
    click(&mut again, "Branch");
    click(&mut again, "Delete");
    step_until_shown(&mut again, "Deleted template “Branch” from profile Sandbox · Finosu.");
    let store = ProfileStore::load(&IntakePaths::under(home.path())).expect("test setup");
    assert!(store.find(SANDBOX_FINOSU).expect("test setup").metadata_templates.is_empty());
}

#[test]
fn a_pasted_object_fills_the_table_and_merges_into_metadata_on_request() {
    let home = tempfile::tempdir().expect("test setup");
    let mut harness = metadata_tab(home.path());
    paste(&mut harness, "{\"employer\": {\"name\": \"Acme\"}, \"payDay\": 15}");
    assert_eq!(metadata(&harness), json!({"employer": {"name": "Acme"}, "payDay": 15}));
    assert!(shown(&harness, "Pasted: filled in 2 keys (employer, payDay)."));
    assert!(harness.query_by_label("JSON to paste").is_none(), "the paste box closes");
    assert_eq!(harness.get_by_role_and_label(Role::TextInput, "Metadata value 3").value().as_deref(), Some("15"));

    paste(&mut harness, "{\"payDay\": 1, \"remote\": true}");
    assert!(shown(&harness, "The metadata already has 2 keys. Merge the pasted object into it, or replace it?"));
    assert_eq!(metadata(&harness)["payDay"], json!(15), "nothing changes before the answer");
    click(&mut harness, "Merge (pasted keys win)");
    assert_eq!(metadata(&harness), json!({"employer": {"name": "Acme"}, "payDay": 1, "remote": true}));
    assert!(shown(&harness, "Pasted: added 1 key (remote); replaced 1 key (payDay)."));

    paste(&mut harness, "{\"only\": null}");
    click(&mut harness, "Replace all");
    assert_eq!(metadata(&harness), json!({"only": null}));
}

#[test]
fn broken_or_non_object_json_is_refused_with_its_position_and_the_draft_stays() {
    let home = tempfile::tempdir().expect("test setup");
    let mut harness = metadata_tab(home.path());
    set_metadata(&mut harness, &json!({"a": 1}));
    let before = harness.state().form().finosu().external_metadata.clone();
    paste(&mut harness, "{\n  \"b\": x\n}");
    assert!(shown(&harness, "Not pasted: Expected value — line 2, column 8."));
    assert_eq!(harness.state().form().finosu().external_metadata, before);
    click(&mut harness, "Cancel the paste");

    paste(&mut harness, "\n [1, 2]");
    assert!(shown(&harness, "Not pasted: This is an array, not a JSON object {…} — line 2, column 2."));
    assert_eq!(harness.state().form().finosu().external_metadata, before);
}

#[test]
fn nested_values_are_edited_in_the_table_and_the_json_text_follows() {
    let home = tempfile::tempdir().expect("test setup");
    let mut harness = metadata_tab(home.path());
    set_metadata(&mut harness, &json!({"employer": {"name": "Acme", "sites": ["Oslo"]}}));
    // Rows: 1 employer, 2 name, 3 sites, 4 its item [0].
    assert!(shown(&harness, "[0]"));
    replace_text(&mut harness, "Metadata value 2", "Globex");
    assert_eq!(metadata(&harness), json!({"employer": {"name": "Globex", "sites": ["Oslo"]}}));
    let json_text =
        harness.get_by_role_and_label(Role::MultilineTextInput, "Metadata JSON").value().expect("test setup");
    assert!(json_text.contains("\"name\": \"Globex\""), "{json_text}");

    click(&mut harness, "Add child to metadata field 3");
    type_into(&mut harness, "Metadata value 5", "Bergen");
    assert_eq!(metadata(&harness)["employer"]["sites"], json!(["Oslo", "Bergen"]));

    click(&mut harness, "Metadata type 5");
    click(&mut harness, "number");
    assert_eq!(metadata(&harness)["employer"]["sites"], json!(["Oslo", 0]), "text that is no number starts at 0");
    replace_text(&mut harness, "Metadata value 5", "4x");
    assert_eq!(metadata(&harness)["employer"]["sites"], json!(["Oslo"]), "not a number: left out, the row stays");
    assert!(shown(&harness, "⚠"));
    replace_text(&mut harness, "Metadata value 5", "42");
    assert_eq!(metadata(&harness)["employer"]["sites"], json!(["Oslo", 42]));

    click(&mut harness, "Collapse metadata field 1");
    assert!(harness.query_by_role_and_label(Role::TextInput, "Metadata key 2").is_none(), "folded");
    click(&mut harness, "Remove metadata field 1");
    assert_eq!(metadata(&harness), Value::Null);
    assert_eq!(harness.state().form().finosu().external_metadata, "");
}
