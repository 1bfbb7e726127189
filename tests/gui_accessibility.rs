//! What a screen reader hears of the window, read from the AccessKit tree that feeds AT-SPI on
//! Linux: the tab bars are tab lists of tabs (the selected one selected), a required field is
//! required, and a field's current problem is its description until it is fixed.

mod gui_support;

use egui::accesskit::{Invalid, Role, Toggled};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use gui_support::{
    app_harness, click, open_draft, press, press_new, replace_text, step_until, type_into, wait_for_answer,
};
use intake::model::Backend;
use intake::ui::IntakeApp;

const FORM_TABS: [&str; 4] = ["Basic", "Address", "Metadata", "Properties"];

/// The selected state of each tab titled in `titles`, checking on the way that each is a tab
/// (not a toggle button) inside the tab list `list`.
fn tab_states(harness: &Harness<'_, IntakeApp>, list: &str, titles: &[&str]) -> Vec<Option<bool>> {
    titles
        .iter()
        .map(|title| {
            let tab = harness.get_by_role_and_label(Role::Tab, title);
            let node = tab.accesskit_node();
            assert_eq!(node.toggled(), None, "{title} is not announced as a toggle");
            let parent = node.parent().expect("a tab has a parent");
            assert_eq!(parent.role(), Role::TabList, "{title} sits in a tab list");
            assert_eq!(parent.label().as_deref(), Some(list), "{title}'s tab list");
            node.is_selected()
        })
        .collect()
}

#[test]
fn the_four_form_tabs_are_tabs_and_the_selected_one_is_selected() {
    let mut harness = app_harness(Backend::Finosu);
    assert!(harness.query_by_role_and_label(Role::Button, "Basic").is_none(), "not a (toggle) button any more");
    assert_eq!(tab_states(&harness, "Form tabs", &FORM_TABS), [Some(true), Some(false), Some(false), Some(false)]);
    let basic = harness.get_by_role_and_label(Role::Tab, "Basic");
    assert_eq!(basic.accesskit_node().data().keyboard_shortcut(), Some("Ctrl+1"));
    // The form under the tabs is the selected tab's panel, named after it.
    assert!(harness.query_by_role_and_label(Role::TabPanel, "Basic").is_some());

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num2);
    harness.run();
    assert_eq!(tab_states(&harness, "Form tabs", &FORM_TABS), [Some(false), Some(true), Some(false), Some(false)]);
    assert!(harness.query_by_role_and_label(Role::TabPanel, "Address").is_some());
    assert!(harness.query_by_role_and_label(Role::TabPanel, "Basic").is_none());

    harness.get_by_role_and_label(Role::Tab, "Properties").click();
    harness.run();
    assert_eq!(tab_states(&harness, "Form tabs", &FORM_TABS), [Some(false), Some(false), Some(false), Some(true)]);
}

#[test]
fn the_side_panel_switch_is_a_tab_list_too() {
    let mut harness = app_harness(Backend::Finosu);
    let sides = ["Request", "Responses", "Drafts"];
    assert_eq!(tab_states(&harness, "Side panel", &sides), [Some(true), Some(false), Some(false)]);
    click(&mut harness, "Drafts");
    assert_eq!(tab_states(&harness, "Side panel", &sides), [Some(false), Some(false), Some(true)]);
}

/// Whether the editor with `role` labelled `label` is announced as required.
fn required(harness: &Harness<'_, IntakeApp>, role: Role, label: &str) -> bool {
    harness.get_by_role_and_label(role, label).accesskit_node().is_required()
}

#[test]
fn finosu_required_fields_say_so_and_optional_ones_do_not() {
    let mut harness = app_harness(Backend::Finosu);
    for label in ["ID", "First name", "Last name", "Email", "Phone number", "Time zone", "Birthday"] {
        assert!(required(&harness, Role::TextInput, label), "{label} is required");
    }
    assert!(!required(&harness, Role::PasswordInput, "SSN last four"), "SSN last four is optional");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num2);
    harness.run();
    for label in ["Street address 1", "City", "State", "ZIP code"] {
        assert!(required(&harness, Role::TextInput, label), "{label} is required");
    }
    assert!(!required(&harness, Role::TextInput, "Street address 2"), "Street address 2 is optional");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num4);
    harness.run();
    assert!(required(&harness, Role::TextInput, "Task type"));
    assert!(!required(&harness, Role::CheckBox, "Do not call"));
}

#[test]
fn help_scout_fields_are_optional_but_a_list_row_needs_its_value() {
    let mut harness = app_harness(Backend::HelpScout);
    for label in ["First name", "Last name", "Phone", "Job title", "Organization", "Age"] {
        assert!(!required(&harness, Role::TextInput, label), "{label} is optional for Help Scout");
    }
    assert!(!required(&harness, Role::ComboBox, "Gender"));
    click(&mut harness, "Add email");
    assert!(required(&harness, Role::TextInput, "Email 1"), "an email row is sent only with an address");
    assert!(required(&harness, Role::ComboBox, "Email 1 type"));
    // The address's fields are needed only once the address has content: not announced as
    // required on an empty form (nor shown with a `*`).
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num2);
    harness.run();
    for label in ["Location", "City", "State", "Postal code", "Country"] {
        assert!(!required(&harness, Role::TextInput, label), "{label}");
    }
}

/// The description and invalid state of the text field labelled `label`.
fn problem(harness: &Harness<'_, IntakeApp>, label: &str) -> (Option<String>, Option<Invalid>) {
    let field = harness.get_by_role_and_label(Role::TextInput, label);
    let node = field.accesskit_node();
    (node.description(), node.data().invalid())
}

#[test]
fn a_fields_error_is_its_description_until_it_is_fixed() {
    let mut harness = app_harness(Backend::Finosu);
    assert_eq!(problem(&harness, "Email"), (None, None), "an untouched field has nothing to say");

    type_into(&mut harness, "Email", "ada@");
    let (description, invalid) = problem(&harness, "Email");
    let description = description.expect("the error is the field's description");
    assert!(description.contains("Email is not a valid email address"), "{description}");
    assert_eq!(invalid, Some(Invalid::True));
    assert_eq!(problem(&harness, "Phone number"), (None, None), "the next field says nothing of it");

    type_into(&mut harness, "Email", "example.com");
    assert_eq!(problem(&harness, "Email"), (None, None), "the fixed field says nothing any more");
}

#[test]
fn help_scout_row_errors_and_warnings_are_described_too() {
    let mut harness = app_harness(Backend::HelpScout);
    click(&mut harness, "Add email");
    type_into(&mut harness, "Email 1", "not-an-email");
    let (description, invalid) = problem(&harness, "Email 1");
    assert!(description.as_deref().is_some_and(|d| d.contains("not a valid email")), "{description:?}");
    assert_eq!(invalid, Some(Invalid::True));
    replace_text(&mut harness, "Email 1", "ada@example.com");
    assert_eq!(problem(&harness, "Email 1"), (None, None));

    // A warning is heard too, without marking the field invalid.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num2);
    harness.run();
    type_into(&mut harness, "Country", "US");
    type_into(&mut harness, "State", "TX");
    type_into(&mut harness, "Postal code", "94102");
    let (description, invalid) = problem(&harness, "Postal code");
    assert!(description.is_some(), "the ZIP that does not fit Texas is described");
    assert_eq!(invalid, None, "a warning is not an error: {description:?}");
}

/// The role of the nearest dialog around the node labelled `label`, if any.
fn dialog_around(harness: &Harness<'_, IntakeApp>, label: &str) -> Option<Role> {
    let button = harness.get_by_label(label);
    let mut node = button.accesskit_node().parent();
    while let Some(parent) = node {
        if parent.role() == Role::Dialog {
            return Some(parent.role());
        }
        node = parent.parent();
    }
    None
}

#[test]
fn the_duplicate_warning_is_a_named_modal_dialog_holding_its_answers() {
    let mut harness = app_harness(Backend::Finosu);
    open_draft(&mut harness, "examples/finosu-customer.json");
    press(&mut harness, "Submit");
    wait_for_answer(&mut harness, 3);
    press_new(&mut harness);
    open_draft(&mut harness, "examples/finosu-customer.json");
    press(&mut harness, "Submit");
    step_until(&mut harness, "the duplicate warning", IntakeApp::is_duplicate_warning_open);
    harness.run();
    let dialog = harness.get_by_role(Role::Dialog);
    let node = dialog.accesskit_node();
    assert_eq!(node.label().as_deref(), Some("This customer may exist already"));
    assert!(node.is_modal());
    for answer in ["Open the existing one in the viewer", "Create anyway", "Cancel"] {
        assert_eq!(dialog_around(&harness, answer), Some(Role::Dialog), "{answer} is inside the dialog");
    }
    assert_eq!(dialog_around(&harness, "Submit"), None, "the window behind is not");
}

#[test]
fn toggled_is_left_to_real_toggles() {
    // A checkbox is still a toggle: the tab change did not strip toggled states elsewhere.
    let mut harness = app_harness(Backend::Finosu);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num4);
    harness.run();
    let do_not_call = harness.get_by_role_and_label(Role::CheckBox, "Do not call");
    assert_eq!(do_not_call.accesskit_node().toggled(), Some(Toggled::False));
}

#[test]
fn the_profiles_dialog_is_named_and_its_field_errors_are_described() {
    let mut harness = app_harness(Backend::Finosu);
    click(&mut harness, "Profiles…");
    let dialog = harness.get_by_role(Role::Dialog);
    assert_eq!(dialog.accesskit_node().label().as_deref(), Some("Profiles"));
    assert!(dialog.accesskit_node().is_modal());
    click(&mut harness, "New profile");
    type_into(&mut harness, "Name", "A11y check");
    type_into(&mut harness, "Base URL", "http://api.example.com");
    assert_eq!(problem(&harness, "Base URL"), (None, None));
    click(&mut harness, "Save");
    let (description, invalid) = problem(&harness, "Base URL");
    assert!(description.as_deref().is_some_and(|d| d.contains("must start with https://")), "{description:?}");
    assert_eq!(invalid, Some(Invalid::True));
    assert_eq!(problem(&harness, "Name"), (None, None), "only the field the error is about");
    replace_text(&mut harness, "Base URL", "https://api.example.com");
    assert_eq!(problem(&harness, "Base URL"), (None, None));
    assert!(harness.state().profiles().find("A11y check").is_none(), "nothing was saved");
}

#[test]
fn the_import_window_is_a_named_dialog_that_is_not_modal() {
    let mut harness = app_harness(Backend::Finosu);
    assert!(harness.query_by_role(Role::Dialog).is_none(), "no dialog before one is opened");
    click(&mut harness, "Import…");
    let dialog = harness.get_by_role(Role::Dialog);
    assert_eq!(dialog.accesskit_node().label().as_deref(), Some("Import customers"));
    assert!(!dialog.accesskit_node().is_modal(), "the form stays usable beside it");
}
