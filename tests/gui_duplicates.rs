//! The duplicate check of a Submit in the window: the warning when the server has the customer
//! already (its three answers), and the question when the lookup fails.

mod gui_support;

use egui_kittest::kittest::{NodeT as _, Queryable as _};
use gui_support::*;
use intake::model::Backend;
use intake::paths::IntakePaths;
use intake::profiles::{Profile, ProfileKind, ProfileStore};
use intake::sandbox::{Fault, SandboxConfig, SandboxServer};
use intake::ui::state::PersistedState;
use intake::ui::{AppOptions, IntakeApp, SidePanel};

/// Sends the example Finosu customer, then starts a new form holding the same customer.
fn app_with_the_example_sent() -> egui_kittest::Harness<'static, IntakeApp> {
    let mut harness = app_harness(Backend::Finosu);
    open_draft(&mut harness, "examples/finosu-customer.json");
    press(&mut harness, "Submit");
    wait_for_answer(&mut harness, 3);
    let latest = harness.state().viewer().latest().expect("an attempt");
    assert_eq!(latest.outcome.created_id(), Some("INT-7K2M9QXD"), "{:?}", latest.outcome);
    let methods: Vec<String> = harness.state().viewer().exchanges().map(|e| e.method.clone()).collect();
    assert_eq!(methods, ["GET", "GET", "POST"], "the check's read and keyless read came before the create");
    press_new(&mut harness);
    open_draft(&mut harness, "examples/finosu-customer.json");
    harness
}

fn submit_and_wait_for_the_warning(harness: &mut egui_kittest::Harness<'static, IntakeApp>) {
    press(harness, "Submit");
    step_until(harness, "the duplicate warning", IntakeApp::is_duplicate_warning_open);
    harness.run();
}

#[test]
fn a_customer_who_exists_is_warned_about_with_three_choices() {
    let mut harness = app_with_the_example_sent();
    let before = harness.state().viewer().len();
    // The request preview beside the warning (the responses list carries the clock).
    click(&mut harness, "Request");
    submit_and_wait_for_the_warning(&mut harness);
    assert!(shown(&harness, "This customer may exist already"));
    assert!(shown(&harness, "Finosu already has a customer with this id:"));
    assert!(shown(&harness, "• #INT-7K2M9QXD Ada Lovelace <ada@example.com>"));
    let status = harness.state().status().map(|s| s.text.clone()).unwrap_or_default();
    assert!(status.starts_with("Not sent yet: Finosu already has a customer"), "{status}");
    for button in ["Open the existing one in the viewer", "Create anyway", "Cancel"] {
        assert!(has_label(&harness, button), "{button} is offered");
    }
    assert_eq!(harness.state().viewer().len(), before + 1, "one read (the route is known by now)");
    harness.snapshot("duplicate_warning");

    // Cancel: nothing is sent.
    click(&mut harness, "Cancel");
    harness.run();
    assert!(!harness.state().is_duplicate_warning_open());
    assert_eq!(harness.state().status().map(|s| s.text.as_str()), Some("Not sent: the customer may exist already."));
    assert_eq!(harness.state().viewer().len(), before + 1, "no create");

    // Open the existing one: its read is shown under Responses, nothing is sent.
    submit_and_wait_for_the_warning(&mut harness);
    click(&mut harness, "Open the existing one in the viewer");
    harness.run();
    assert_eq!(harness.state().side_panel(), SidePanel::Responses);
    let selected = harness.state().viewer().selected().expect("an attempt shown");
    assert_eq!(selected.method, "GET");
    assert!(selected.url.ends_with("/customers/INT-7K2M9QXD"), "{}", selected.url);
    assert_eq!(selected.response.as_ref().map(|r| r.status), Some(200));
    assert!(harness.state().viewer().latest().is_some_and(|e| e.method == "GET"), "no create");

    // Create anyway: the create goes to the server, which decides (the sandbox refuses the id).
    submit_and_wait_for_the_warning(&mut harness);
    press(&mut harness, "Create anyway");
    step_until(&mut harness, "the create's answer", |app| {
        !app.is_sending() && app.viewer().latest().is_some_and(|e| e.method == "POST")
    });
    let latest = harness.state().viewer().latest().expect("the create");
    assert_eq!(latest.response.as_ref().map(|r| r.status), Some(409), "{:?}", latest.outcome);
}

#[test]
fn enter_on_the_warning_cancels_and_shift_tab_reaches_create_anyway() {
    let mut harness = app_with_the_example_sent();
    submit_and_wait_for_the_warning(&mut harness);
    assert!(harness.get_by_label("Cancel").accesskit_node().is_focused(), "Cancel has the focus");
    key(&mut harness, egui::Key::Enter);
    harness.run();
    assert!(!harness.state().is_duplicate_warning_open());
    assert!(harness.state().viewer().latest().is_some_and(|e| e.method == "GET"), "no create");

    submit_and_wait_for_the_warning(&mut harness);
    harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Tab);
    harness.run();
    assert!(harness.get_by_label("Create anyway").accesskit_node().is_focused(), "Shift+Tab reaches Create anyway");
}

#[test]
fn escape_closes_the_warning_without_sending() {
    let mut harness = app_with_the_example_sent();
    submit_and_wait_for_the_warning(&mut harness);
    key(&mut harness, egui::Key::Escape);
    harness.run();
    assert!(!harness.state().is_duplicate_warning_open());
    assert!(harness.state().viewer().latest().is_some_and(|e| e.method == "GET"), "no create");
}

#[test]
fn a_lookup_that_fails_asks_before_sending() {
    let sandbox = SandboxServer::start(SandboxConfig::default()).expect("sandbox");
    let home = tempfile::tempdir().expect("home");
    let paths = IntakePaths::under(home.path());
    let mut profiles = ProfileStore::load(&paths).expect("profiles");
    let url = sandbox.fault_base_url(&Fault::Status(503), Backend::Finosu);
    profiles.add(Profile::new("Down", ProfileKind::Finosu, Some(url))).expect("add");
    profiles.save().expect("save");
    let state = PersistedState { profile: "Down".to_owned(), ..PersistedState::default() };
    let mut harness = harness_with(IntakeApp::new(state, AppOptions { paths: Some(paths), ..AppOptions::default() }));
    harness.state_mut().use_session_secret(intake::backends::Secret::new(intake::sandbox::FINOSU_API_KEY));
    open_draft(&mut harness, "examples/finosu-customer.json");

    submit_and_wait_for_the_warning(&mut harness);
    assert!(shown(&harness, "Could not check for duplicates"));
    assert!(shown(&harness, "Could not check for an existing customer"));
    assert!(has_label(&harness, "Send anyway") && has_label(&harness, "Cancel"));
    assert!(!has_label(&harness, "Open the existing one in the viewer"), "nothing was found to open");
    let read = harness.state().viewer().latest().expect("the lookup is listed");
    assert_eq!((read.method.as_str(), read.response.as_ref().map(|r| r.status)), ("GET", Some(503)));

    click(&mut harness, "Cancel");
    harness.run();
    assert!(harness.state().viewer().latest().is_some_and(|e| e.method == "GET"), "Cancel sends nothing");

    submit_and_wait_for_the_warning(&mut harness);
    press(&mut harness, "Send anyway");
    step_until(&mut harness, "the create's answer", |app| {
        !app.is_sending() && app.viewer().latest().is_some_and(|e| e.method == "POST")
    });
    let latest = harness.state().viewer().latest().expect("the create");
    assert_eq!(latest.response.as_ref().map(|r| r.status), Some(503));
}
