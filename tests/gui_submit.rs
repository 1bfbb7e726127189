//! Submitting from the window: the real app, the in-process sandbox on loopback, the answer in
//! the response viewer and the server's field errors at their fields.

mod gui_support;
mod net_support;

use egui_kittest::kittest::Queryable as _;
use gui_support::*;
use intake::backends::Outcome;
use intake::model::{Backend, PropertyKind, PropertyRow, Tab};
use intake::paths::IntakePaths;
use intake::profiles::{Profile, ProfileKind, ProfileStore};
use intake::sandbox::{Fault, SandboxConfig, SandboxServer};
use intake::ui::state::PersistedState;
use intake::ui::{AppOptions, IntakeApp, SidePanel};

#[test]
fn a_finosu_customer_is_created_and_shown_in_the_viewer() {
    let mut harness = app_harness(Backend::Finosu);
    open_draft(&mut harness, "examples/finosu-customer.json");
    harness.state_mut().form_mut().edit_finosu(|d| "6789".clone_into(&mut d.ssn_last_four));
    harness.run();
    press(&mut harness, "Submit");
    wait_for_answer(&mut harness, 1);

    let app = harness.state();
    let sent = app.viewer().latest().and_then(|e| e.request_body.clone()).unwrap_or_default();
    assert!(sent.contains(r#""ssnLastFour":"6789""#), "the record keeps what was sent: {sent}");
    let latest = app.viewer().latest().expect("an attempt");
    assert_eq!(latest.outcome.created_id(), Some("INT-7K2M9QXD"), "{:?}", latest.outcome);
    assert_eq!(app.side_panel(), SidePanel::Responses);
    assert_eq!(
        app.status().map(|s| s.text.as_str()),
        Some("Created customer INT-7K2M9QXD. Ctrl+N starts the next customer.")
    );
    assert!(shown(&harness, "Created customer INT-7K2M9QXD"));
    let text = all_text(&harness);
    assert!(!text.contains(intake::sandbox::FINOSU_API_KEY), "the key is on screen");
    assert!(!text.contains("6789"), "the SSN last four is on screen (request or echoed response)");
    assert!(text.contains("ssnLastFour"), "the viewer shows the bodies");

    // The duplicate check's read and keyless read came before the create.
    let methods: Vec<String> = harness.state().viewer().exchanges().map(|e| e.method.clone()).collect();
    assert_eq!(methods, ["GET", "GET", "POST"]);

    // The same draft is not created twice by a second click.
    press(&mut harness, "Submit");
    harness.run();
    assert_eq!(harness.state().viewer().len(), 3, "nothing more was sent");
    assert!(harness.state().status().is_some_and(|s| s.text.starts_with("Not sent again")));

    // Ctrl+N starts the next one; the sent one stays in the store.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run();
    assert_eq!(harness.state().form().finosu().first_name, "");
}

#[test]
fn ctrl_enter_creates_a_help_scout_customer() {
    let mut harness = app_harness(Backend::HelpScout);
    open_draft(&mut harness, "examples/helpscout-customer.json");
    // A dropdown property from the fetched definitions goes along.
    let plan = PropertyRow { slug: "plan".to_owned(), kind: PropertyKind::Dropdown, value: "Enterprise".to_owned() };
    harness.state_mut().form_mut().edit_help_scout(|d| d.properties.push(plan));
    harness.run();
    // Definitions (token grant + GET) were fetched at start and are listed already.
    let before = harness.state().viewer().len();
    assert_eq!(before, 2, "the token grant and the definitions are listed");
    assert!(!harness.state().is_sending());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.step();
    assert!(harness.state().is_sending() || harness.state().viewer().len() > before, "Ctrl+Enter started a send");
    wait_for_answer(&mut harness, before + 2);
    let latest = harness.state().viewer().latest().expect("an attempt");
    assert_eq!((latest.method.as_str(), latest.url.ends_with("/v2/customers")), ("POST", true), "{}", latest.url);
    let Outcome::Created { id: Some(id), .. } = &latest.outcome else { panic!("{:?}", latest.outcome) };
    assert!(shown(&harness, &format!("Created customer {id}")));
    let new: Vec<(String, bool)> = harness
        .state()
        .viewer()
        .exchanges()
        .skip(before)
        .map(|e| (e.method.clone(), e.url.contains("/v2/customers?query=")))
        .collect();
    let expected = [("GET", true), ("POST", false)].map(|(m, q)| (m.to_owned(), q));
    assert_eq!(new, expected, "the duplicate check's search, then one create; every request is listed");
    let sent = latest.request_body.as_deref().unwrap_or_default();
    assert!(sent.contains(r#""plan":"Enterprise""#), "{sent}");
}

#[test]
fn submit_is_refused_while_the_draft_has_errors() {
    let mut harness = app_harness(Backend::Finosu);
    open_draft(&mut harness, "examples/finosu-with-problems.json");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.run();
    assert!(!harness.state().is_sending());
    assert_eq!(harness.state().viewer().len(), 0);
    let status = harness.state().status().cloned().expect("status");
    assert!(status.is_error() && status.text.starts_with("Not sent:"), "{status:?}");
}

#[test]
fn a_refused_task_type_is_shown_at_the_field_and_its_valid_values_are_offered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("task.json");
    let mut body: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("examples/finosu-customer.json").expect("example"))
            .expect("json");
    body["taskType"] = serde_json::json!("skydiving");
    body["id"] = serde_json::json!("GUI-TASK-1");
    std::fs::write(&path, body.to_string()).expect("write");

    let mut harness = app_harness(Backend::Finosu);
    open_draft(&mut harness, path.to_str().expect("utf-8"));
    press(&mut harness, "Submit");
    wait_for_answer(&mut harness, 1);

    let app = harness.state();
    assert!(matches!(app.viewer().latest().map(|e| &e.outcome), Some(Outcome::Rejected { .. })));
    assert_eq!(app.tab(), Tab::Properties, "the form shows the tab with the server's complaint");
    assert_eq!(app.profile().learned_task_types, ["collections", "payment-reminder", "welcome-call"]);
    assert!(shown(&harness, "Finosu says: Not a task type of this account"));

    click(&mut harness, "payment-reminder");
    assert_eq!(harness.state().form().finosu().task_type, "payment-reminder");
    assert!(!shown(&harness, "Finosu says:"), "the complaint goes with the value");
    press(&mut harness, "Submit");
    wait_for_answer(&mut harness, 2);
    assert_eq!(harness.state().viewer().latest().and_then(|e| e.outcome.created_id()), Some("GUI-TASK-1"));
}

/// An app whose active profile is a real Finosu profile aimed at a sandbox behind `fault`,
/// with profiles saved in a temporary `INTAKE_HOME`, and the example draft open.
struct FaultyProfileApp {
    harness: egui_kittest::Harness<'static, IntakeApp>,
    home: tempfile::TempDir,
    _sandbox: SandboxServer,
}

fn app_on_fault(fault: &Fault) -> FaultyProfileApp {
    app_on_fault_with(fault, SandboxConfig::default())
}

/// [`app_on_fault`] with a sandbox configured by `config`.
fn app_on_fault_with(fault: &Fault, config: SandboxConfig) -> FaultyProfileApp {
    let sandbox = SandboxServer::start(config).expect("sandbox");
    let home = tempfile::tempdir().expect("home");
    let paths = IntakePaths::under(home.path());
    let mut store = ProfileStore::load(&paths).expect("profiles");
    let url = sandbox.fault_base_url(fault, Backend::Finosu);
    store.add(Profile::new("Faulty", ProfileKind::Finosu, Some(url))).expect("add");
    store.save().expect("save");
    let state = PersistedState { profile: "Faulty".to_owned(), ..PersistedState::default() };
    let mut harness = harness_with(IntakeApp::new(state, AppOptions { paths: Some(paths), ..AppOptions::default() }));
    open_draft(&mut harness, "examples/finosu-customer.json");
    FaultyProfileApp { harness, home, _sandbox: sandbox }
}

#[test]
fn a_hanging_server_can_be_cancelled_and_the_session_secret_stays_masked() {
    let FaultyProfileApp { mut harness, home, _sandbox } = app_on_fault(&Fault::Hang);

    press(&mut harness, "Submit");
    wait_for_answer(&mut harness, 1);
    let status = harness.state().status().cloned();
    assert!(status.as_ref().is_some_and(|s| s.text.contains("no API key")), "asks for the key first: {status:?}");
    let attempts = harness.state().viewer().len();

    // The top bar offers to set the profile up; the key is kept for this session only.
    step_until(&mut harness, "the profile's secrets to be read", |app| !app.is_keyring_busy());
    click(&mut harness, "Set up credentials…");
    assert!(harness.state().is_profile_manager_open());
    step_until(&mut harness, "the profile's secrets to be read", |app| !app.is_keyring_busy());
    // The sandbox's own key: without it the sandbox answers 401 before the hang fault runs.
    let secret = intake::sandbox::FINOSU_API_KEY;
    type_secret(&mut harness, "API key", secret);
    // The customer waited in the outbox; with the key there it goes out by itself (and hangs:
    // from here the window shows a spinner, so it never settles until the Cancel).
    harness.get_by_label("Use API key for this session only").click();
    step_until_busy(&mut harness, "the outbox to send the queued customer", IntakeApp::is_sending);
    step_until_busy(&mut harness, "the secret to be kept", |app| !app.is_keyring_busy());
    assert!(harness.query_by_label("This session only ••••e8a3").is_some(), "the editor shows the masked key");
    harness.get_by_label("Close").click();
    harness.run_steps(3);
    assert!(harness.query_by_label_contains("API key ••••e8a3 (this session)").is_some());
    assert!(harness.query_by_label_contains("Sending…").is_some());
    assert!(harness.query_by_label_contains("Being sent for").is_some(), "the form is read-only while it is sent");
    // Ctrl+Enter while it is being sent sends nothing more.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.run_steps(2);
    press(&mut harness, "Cancel");
    wait_for_answer(&mut harness, attempts + 1);
    assert_eq!(harness.state().viewer().len(), attempts + 1, "one attempt, however often Submit was pressed");
    assert_eq!(harness.state().viewer().latest().map(|e| &e.outcome), Some(&Outcome::Cancelled));
    assert!(harness.state().status().is_some_and(|s| s.text.starts_with("Cancelled before an answer")));
    assert!(!all_text(&harness).contains(secret), "the secret is on screen");
    assert_no_file_holds(home.path(), secret);
}

#[test]
fn a_10_mb_answer_arrives_parsed_and_the_window_keeps_drawing() {
    // The sandbox waits 300 ms before it answers, so the send is certainly pending for a while.
    // The window keeps drawing meanwhile: frames are counted while the job (receiving and parsing
    // the 10 MB answer) is under way. A window whose UI thread waited for the answer draws none.
    let config = SandboxConfig { latency: std::time::Duration::from_millis(300), ..SandboxConfig::default() };
    let FaultyProfileApp { mut harness, _sandbox, .. } = app_on_fault_with(&Fault::Huge, config);
    harness.state_mut().use_session_secret(intake::backends::Secret::new(intake::sandbox::FINOSU_API_KEY));
    harness.get_by_label("Submit").click();
    harness.step();
    assert!(harness.state().is_sending(), "the send runs in the background: the click's frame has ended");
    let mut frames_while_sending = 0;
    while harness.state().is_sending() {
        if frames_while_sending > 2_000 {
            fail_with_screenshot(&mut harness, "the 10 MB answer never arrived");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        harness.step();
        frames_while_sending += 1;
    }
    assert!(frames_while_sending >= 3, "only {frames_while_sending} frames were drawn while the answer was on its way");
    wait_for_answer(&mut harness, 1);

    let latest = harness.state().viewer().latest().expect("an attempt");
    let size = latest.response.as_ref().map_or(0, |r| r.body.len());
    assert!(size >= 10 * 1024 * 1024, "{size} bytes");
    assert!(latest.outcome.is_created(), "{:?}", latest.outcome);
    // The body was parsed on the network thread; the viewer pages it instead of laying it out.
    assert!(shown(&harness, "MB"), "the viewer gives the body's size");
    assert!(shown(&harness, "Created customer INT-7K2M9QXD"));
}

/// 2,000 idle connections held open to the in-window sandbox (what a hostile local process
/// could do): the window goes on painting frames and a Submit still creates the customer.
#[test]
fn two_thousand_idle_connections_to_the_in_window_sandbox_stop_neither_painting_nor_sending() {
    let mut harness = app_harness(Backend::Finosu);
    open_draft(&mut harness, "examples/finosu-customer.json");
    step_until(&mut harness, "the in-window sandbox", |app| app.sandbox_address().is_some());
    let address = harness.state().sandbox_address().expect("the sandbox listens");
    let mut idle = Vec::new();
    for _ in 0..2_000 {
        match std::net::TcpStream::connect(address) {
            Ok(stream) => idle.push(stream),
            // A machine whose descriptor limit is lower stops here; enough are open to matter.
            Err(error) if idle.len() >= 500 => {
                eprintln!("stopped at {} connections: {error}", idle.len());
                break;
            }
            Err(error) => panic!("only {} connections: {error}", idle.len()),
        }
    }
    // Frames go on (the sandbox runs on its own thread; nothing on the UI thread waits for it).
    for _ in 0..10 {
        harness.step();
    }
    assert!(shown(&harness, "Submit"), "the window is still drawn");
    press(&mut harness, "Submit");
    wait_for_answer(&mut harness, 1);
    let latest = harness.state().viewer().latest().expect("an attempt");
    assert_eq!(latest.outcome.created_id(), Some("INT-7K2M9QXD"), "{:?}", latest.outcome);
    drop(idle);
}

/// A server answering a 409 whose message is 2 MB of escape codes, newlines and text: the
/// window's status line says it in one short clean line.
#[test]
fn a_hostile_servers_huge_message_reaches_the_window_short_and_clean() {
    let nasty = format!("\u{1b}[2J\u{1b}]0;pwned\u{7}Already there\r\n{}", "B".repeat(2 * 1024 * 1024));
    let server = net_support::ScriptedServer::start(move |_, _| {
        net_support::Canned::new(409, serde_json::json!({ "message": nasty.clone() }).to_string())
    });
    let home = tempfile::tempdir().expect("home");
    let paths = IntakePaths::under(home.path());
    let mut store = ProfileStore::load(&paths).expect("profiles");
    let url = format!("{}/finosu", server.base_url());
    store.add(Profile::new("Hostile", ProfileKind::Finosu, Some(url))).expect("add");
    store.save().expect("save");
    let state = PersistedState { profile: "Hostile".to_owned(), ..PersistedState::default() };
    let mut harness = harness_with(IntakeApp::new(state, AppOptions { paths: Some(paths), ..AppOptions::default() }));
    open_draft(&mut harness, "examples/finosu-customer.json");
    harness.state_mut().use_session_secret(intake::backends::Secret::new("fsk_any_key_123456"));
    press(&mut harness, "Submit");
    wait_for_answer(&mut harness, 1);
    let status = harness.state().status().cloned().expect("a status line");
    assert!(status.text.contains("Already there BBB"), "{:?}", &status.text[..80.min(status.text.len())]);
    assert!(status.text.chars().count() < 1_000 && !status.text.chars().any(char::is_control), "one short clean line");
    // The status bar draws it as cut and cleaned (the raw body stays in the viewer only).
    assert!(harness.query_all_by_label_contains("Already there BBB").next().is_some(), "drawn in the status bar");
}
