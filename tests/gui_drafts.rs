//! The store and the outbox in the window: the Drafts panel (list, search, state filter, sort,
//! delete and Undo, keyboard), a sent customer opened read-only, a refused one with its reason
//! and "Send again", a profile whose backend is offline until it comes up, and an answer lost
//! after the server stored the customer — all driven by the window's accessible labels, with the
//! in-process sandbox on loopback.

mod gui_support;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use gui_support::*;
use intake::model::Backend;
use intake::profiles::SANDBOX_FINOSU;
use intake::sandbox::{FINOSU_API_KEY, Fault, SandboxConfig, SandboxServer};
use intake::store::{RecordState, Store};

#[test]
fn the_drafts_list_is_searched_filtered_and_sorted() {
    let mut harness = app_harness(Backend::Finosu);
    // Three customers, one after the other, each written before the next is begun (so each
    // has its own change time and the list's order is known).
    type_finosu_customer(&mut harness, "Grace", "Hopper", "grace@navy.mil");
    assert!(harness.state_mut().flush_store(std::time::Duration::from_secs(5)));
    press_new(&mut harness);
    open_draft(&mut harness, "examples/finosu-customer.json");
    assert!(harness.state_mut().flush_store(std::time::Duration::from_secs(5)));
    press_new(&mut harness);
    type_finosu_customer(&mut harness, "Alan", "Turing", "alan@example.com");

    // Ctrl+D shows the panel with the keyboard in its search.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::D);
    harness.run();
    wait_for_drafts(&mut harness, "three customers", |records| records.len() == 3);
    assert!(harness.get_by_role_and_label(Role::TextInput, "Search").is_focused(), "Ctrl+D focuses the search");
    assert_eq!(draft_rows(&harness), ["Alan Turing, draft", "Ada Lovelace, ready", "Grace Hopper, draft"]);

    // Search: by name, by email, every word.
    harness.get_by_role_and_label(Role::TextInput, "Search").type_text("ada");
    harness.run();
    assert_eq!(draft_rows(&harness), ["Ada Lovelace, ready"]);
    replace_text(&mut harness, "Search", "navy.mil");
    assert_eq!(draft_rows(&harness), ["Grace Hopper, draft"]);
    replace_text(&mut harness, "Search", "EXAMPLE.com");
    assert_eq!(draft_rows(&harness), ["Alan Turing, draft", "Ada Lovelace, ready"], "any case");
    replace_text(&mut harness, "Search", "nobody");
    assert!(draft_rows(&harness).is_empty());
    assert!(shown(&harness, "Nothing matches."));
    clear_text(&mut harness, "Search");
    assert_eq!(draft_rows(&harness).len(), 3);

    // The state filter.
    choose(&mut harness, "All states", "ready");
    assert_eq!(draft_rows(&harness), ["Ada Lovelace, ready"]);
    choose(&mut harness, "ready", "draft");
    assert_eq!(draft_rows(&harness), ["Alan Turing, draft", "Grace Hopper, draft"]);
    choose(&mut harness, "draft", "sent");
    assert!(draft_rows(&harness).is_empty());
    choose(&mut harness, "sent", "All states");
    assert_eq!(draft_rows(&harness).len(), 3);

    // The order: by name, by state (lifecycle order, newest change first within a state).
    choose(&mut harness, "Sort: Last change", "Name");
    assert_eq!(draft_rows(&harness), ["Ada Lovelace, ready", "Alan Turing, draft", "Grace Hopper, draft"]);
    choose(&mut harness, "Sort: Name", "State");
    assert_eq!(draft_rows(&harness), ["Alan Turing, draft", "Grace Hopper, draft", "Ada Lovelace, ready"]);
    choose(&mut harness, "Sort: State", "Last change");
    assert_eq!(draft_rows(&harness), ["Alan Turing, draft", "Ada Lovelace, ready", "Grace Hopper, draft"]);

    // Search, filter and sort together.
    choose(&mut harness, "All states", "draft");
    choose(&mut harness, "Sort: Last change", "Name");
    type_into(&mut harness, "Search", "example");
    assert_eq!(draft_rows(&harness), ["Alan Turing, draft"]);
}

#[test]
fn a_deleted_customer_comes_back_with_undo() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(intake::store::STORE_FILE);
    let grace = serde_json::json!({"firstName": "Grace", "lastName": "Hopper", "email": "grace@navy.mil"});
    let grace = store_record(&path, SANDBOX_FINOSU, &grace, RecordState::Draft, "");
    let alan = finosu_customer("Alan", "Turing", "alan@example.com", "GUI-DEL-ALAN");
    store_record(&path, SANDBOX_FINOSU, &alan, RecordState::Sent, "Created customer GUI-DEL-ALAN.");
    let ada = finosu_customer("Ada", "Lovelace", "ada@example.com", "GUI-DEL-ADA");
    let ada = store_record(&path, SANDBOX_FINOSU, &ada, RecordState::Ready, "");

    let mut harness = app_on_store(&path);
    assert_eq!(harness.state().form().finosu().first_name, "Ada", "the form is the last record typed");
    show_drafts(&mut harness, |records| records.len() == 3);
    let all = ["Ada Lovelace, ready", "Alan Turing, sent", "Grace Hopper, draft"];
    assert_eq!(draft_rows(&harness), all);

    click(&mut harness, "Grace Hopper, draft");
    step_until_shown(&mut harness, "grace@navy.mil · Sandbox · Finosu");
    click(&mut harness, "Delete");
    wait_for_drafts(&mut harness, "the list without Grace", |records| records.len() == 2);
    assert_eq!(draft_rows(&harness), ["Ada Lovelace, ready", "Alan Turing, sent"]);
    assert!(has_label(&harness, "Deleted Grace Hopper."));
    let ids: Vec<_> = stored_records(&mut harness).into_iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 2, "the store lists two records");
    assert!(!ids.contains(&grace), "the store no longer lists the deleted one");

    click(&mut harness, "Undo");
    wait_for_drafts(&mut harness, "Grace back", |records| records.len() == 3);
    assert_eq!(draft_rows(&harness), all, "back in its place");
    assert!(!shown(&harness, "Deleted Grace Hopper."), "Undo is used up");
    let back = stored_records(&mut harness).into_iter().find(|r| r.id == grace).expect("Grace is stored again");
    assert_eq!((back.state, back.body["firstName"].as_str()), (RecordState::Draft, Some("Grace")));

    // Deleting the customer that is in the form empties the form; Undo brings the record back
    // to the list (the form stays a new one).
    click(&mut harness, "Ada Lovelace, ready");
    step_until_shown(&mut harness, "ada@example.com · Sandbox · Finosu");
    click(&mut harness, "Delete");
    wait_for_drafts(&mut harness, "the list without Ada", |records| records.len() == 2);
    assert_eq!(harness.state().form().finosu().first_name, "", "the form starts anew");
    assert!(harness.state().current_record().is_none());
    assert!(has_label(&harness, "Deleted Ada Lovelace."));
    click(&mut harness, "Undo");
    wait_for_drafts(&mut harness, "Ada back", |records| records.len() == 3);
    assert_eq!(draft_rows(&harness), all);
    let stored = stored_records(&mut harness);
    assert_eq!(stored.len(), 3, "nothing else was written: the empty form is no record");
    assert_eq!(stored.iter().find(|r| r.id == ada).map(|r| r.state), Some(RecordState::Ready));
}

#[test]
fn up_and_down_in_the_search_move_the_selection_and_enter_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(intake::store::STORE_FILE);
    let mut ids = Vec::new();
    for (first, last) in [("Grace", "Hopper"), ("Alan", "Turing"), ("Ada", "Lovelace")] {
        let email = format!("{}@example.com", first.to_lowercase());
        let body = finosu_customer(first, last, &email, &format!("GUI-KEYS-{}", first.to_uppercase()));
        ids.push(store_record(&path, SANDBOX_FINOSU, &body, RecordState::Ready, ""));
    }
    let [grace, alan, ada] = ids.try_into().unwrap();
    let mut harness = app_on_store(&path);
    // Start from an empty form, so what Enter opens shows.
    press_new(&mut harness);

    harness.key_press_modifiers(Modifiers::COMMAND, Key::D);
    harness.run();
    wait_for_drafts(&mut harness, "three customers", |records| records.len() == 3);
    assert_eq!(draft_rows(&harness), ["Ada Lovelace, ready", "Alan Turing, ready", "Grace Hopper, ready"]);
    assert_eq!(harness.state().drafts().selected(), None);

    key(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().drafts().selected(), Some(&ada), "Down selects the first row");
    key(&mut harness, Key::ArrowDown);
    key(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().drafts().selected(), Some(&grace));
    key(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().drafts().selected(), Some(&grace), "Down stops at the last row");
    key(&mut harness, Key::ArrowUp);
    assert_eq!(harness.state().drafts().selected(), Some(&alan));
    assert!(harness.get_by_role_and_label(Role::TextInput, "Search").is_focused(), "the keyboard stays in the search");
    step_until_shown(&mut harness, "alan@example.com · Sandbox · Finosu");

    key(&mut harness, Key::Enter);
    step_until(&mut harness, "Alan in the form", |app| app.current_record().is_some_and(|r| r.id == alan));
    assert_eq!(harness.state().form().finosu().first_name, "Alan");
    assert!(shown(&harness, "Opened Alan Turing (ready)."));
}

#[test]
fn a_sent_customer_opens_read_only_and_duplicates_as_a_new_draft() {
    let mut harness = app_harness(Backend::Finosu);
    open_draft(&mut harness, "examples/finosu-customer.json");
    press(&mut harness, "Submit");
    wait_for_answer(&mut harness, 1);
    assert_eq!(harness.state().record_state(), Some(RecordState::Sent));
    let sent = harness.state().current_record().unwrap().id.clone();
    let attempts = harness.state().viewer().len();
    press_new(&mut harness);

    show_drafts(&mut harness, |records| records.iter().any(|r| r.state == RecordState::Sent));
    click(&mut harness, "Ada Lovelace, sent");
    step_until_shown(&mut harness, "Server id: INT-7K2M9QXD");
    click(&mut harness, "Open (read-only)");
    step_until(&mut harness, "the sent customer in the form", |app| app.current_record().is_some_and(|r| r.id == sent));
    assert!(shown(&harness, "Sent as INT-7K2M9QXD to Sandbox · Finosu. Read-only: duplicate it to send it again."));
    assert_eq!(harness.state().form().finosu().first_name, "Ada");

    // Its fields are disabled: typing changes nothing, in the form or the store.
    let first_name = harness.get_by_role_and_label(Role::TextInput, "First name");
    assert!(first_name.accesskit_node().is_disabled(), "the field is disabled");
    type_into(&mut harness, "First name", "Augusta");
    assert_eq!(harness.state().form().finosu().first_name, "Ada");
    let stored = stored_record(&mut harness, &sent).unwrap();
    assert_eq!((stored.state, stored.body["firstName"].as_str()), (RecordState::Sent, Some("Ada")));

    // Submit says why it is not sent again, and sends nothing.
    click(&mut harness, "Submit");
    let status = harness.state().status().map(|s| s.text.clone()).unwrap_or_default();
    assert!(status.starts_with("Not sent again: this customer was already sent as INT-7K2M9QXD."), "{status}");
    assert!(shown(&harness, "Not sent again"));
    assert_eq!(harness.state().viewer().len(), attempts, "nothing was sent");

    // Duplicate: an editable copy in the form; the sent one stays as it was.
    click(&mut harness, "Duplicate as new draft");
    step_until(&mut harness, "the copy in the form", |app| {
        app.current_record().is_some_and(|r| r.id != sent && r.state.is_editable())
    });
    let copy = harness.state().current_record().unwrap().id.clone();
    assert!(!shown(&harness, "Read-only"), "the copy is not read-only");
    assert!(!harness.get_by_role_and_label(Role::TextInput, "First name").accesskit_node().is_disabled());
    replace_text(&mut harness, "First name", "Augusta");
    assert_eq!(harness.state().form().finosu().first_name, "Augusta");
    wait_for_drafts(&mut harness, "the copy in the list", |records| {
        records.iter().any(|r| r.name == "Augusta Lovelace")
    });
    assert_eq!(draft_rows(&harness), ["Augusta Lovelace, ready", "Ada Lovelace, sent"]);
    let copy = stored_record(&mut harness, &copy).unwrap();
    assert_eq!((copy.state, copy.body["firstName"].as_str()), (RecordState::Ready, Some("Augusta")));
    let original = stored_record(&mut harness, &sent).unwrap();
    assert_eq!((original.state, original.body["firstName"].as_str()), (RecordState::Sent, Some("Ada")));
}

#[test]
fn a_refused_customer_shows_why_and_send_again_queues_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("refused.json");
    let mut body = finosu_customer("Ada", "Lovelace", "ada@example.com", "GUI-REFUSED-1");
    body["taskType"] = "skydiving".into();
    std::fs::write(&file, body.to_string()).unwrap();

    let mut harness = app_harness(Backend::Finosu);
    open_draft(&mut harness, file.to_str().unwrap());
    press(&mut harness, "Submit");
    wait_for_answer(&mut harness, 1);
    assert_eq!(harness.state().record_state(), Some(RecordState::Failed));
    let record = harness.state().current_record().unwrap().clone();
    let reason = record.message.clone().unwrap_or_default();
    assert!(reason.starts_with("Rejected: 1 field.") && reason.contains("Valid task types: collections"), "{reason}");
    // The form's banner says why.
    assert!(has_label(&harness, &format!("Not sent: {reason}")), "the banner gives the reason");

    // The panel shows it failed, and why.
    show_drafts(&mut harness, |records| records.iter().any(|r| r.state == RecordState::Failed));
    assert_eq!(draft_rows(&harness), ["Ada Lovelace, failed"]);
    click(&mut harness, "Ada Lovelace, failed");
    step_until_shown(&mut harness, "Send again");
    assert!(has_label(&harness, &reason), "the details give the reason");
    assert!(shown(&harness, "— 400"), "the history lists the refused attempt");

    // Send again queues it as it is stored: the form's record is in the outbox from that frame
    // on (read-only until its ending); the outbox sends it at once, and it is refused again.
    let attempts = harness.state().viewer().len();
    harness.get_by_label("Send again").click();
    harness.step();
    assert_eq!(harness.state().record_state(), Some(RecordState::Queued), "the form follows the record");
    step_until(&mut harness, "the second attempt", |app| app.viewer().len() > attempts && !app.is_sending());
    let stored = stored_record(&mut harness, &record.id).unwrap();
    assert_eq!((stored.state, stored.attempts), (RecordState::Failed, 2), "{stored:?}");
    assert_eq!(harness.state().record_state(), Some(RecordState::Failed), "the form follows the record");
    wait_for_drafts(&mut harness, "the list after the second attempt", |records| {
        records.first().is_some_and(|r| r.attempts == 2 && r.state == RecordState::Failed)
    });
    assert_eq!(draft_rows(&harness), ["Ada Lovelace, failed"]);
    assert_eq!(harness.query_all_by_label_contains("— 400").count(), 2, "the history lists both attempts");
}

#[test]
fn an_offline_profile_queues_and_the_outbox_sends_once_its_backend_answers() {
    let port = free_port();
    let (mut harness, _home) = app_on_finosu_profile("Finosu · later", &format!("http://127.0.0.1:{port}/finosu"), 5);
    open_draft(&mut harness, "examples/finosu-customer.json");
    press(&mut harness, "Submit");
    // Offline, the duplicate check cannot be made: sending on is the person's choice.
    step_until(&mut harness, "the question", intake::ui::IntakeApp::is_duplicate_warning_open);
    assert!(shown(&harness, "Could not check for duplicates"));
    press(&mut harness, "Send anyway");
    step_until(&mut harness, "the refused connection", |app| {
        app.record_state() == Some(RecordState::Queued) && !app.is_sending()
    });
    step_until_shown(&mut harness, "Offline — 1 queued");
    assert!(shown(&harness, "Queued for Finosu · later. Read-only until it is sent or taken back (Drafts)."));
    let status = harness.state().status().map(|s| s.text.clone()).unwrap_or_default();
    assert!(status.starts_with("Not sent yet:"), "{status}");
    assert!(harness.state().outbox_status().is_some_and(|s| s.offline.contains_key("Finosu · later")));

    // Take back: out of the outbox, the form can be edited again.
    show_drafts(&mut harness, |records| records.iter().any(|r| r.state == RecordState::Queued));
    click(&mut harness, "Ada Lovelace, queued");
    step_until_shown(&mut harness, "Take back");
    click(&mut harness, "Take back");
    wait_for_drafts(&mut harness, "the record taken back", |records| {
        records.iter().any(|r| r.state == RecordState::Ready)
    });
    assert_eq!(harness.state().record_state(), Some(RecordState::Ready), "the form follows the record");
    assert!(!shown(&harness, "Queued for"), "the form is no longer read-only");
    replace_text(&mut harness, "First name", "Augusta");
    assert_eq!(harness.state().form().finosu().first_name, "Augusta");
    // Send all ready queues it again: read-only from that frame on, waiting for the backend.
    wait_for_drafts(&mut harness, "the edit in the list", |records| {
        records.iter().any(|r| r.name == "Augusta Lovelace")
    });
    harness.get_by_label("Send all ready (1)").click();
    harness.step();
    assert_eq!(harness.state().record_state(), Some(RecordState::Queued), "the form follows the record");
    step_until_shown(&mut harness, "Queued for Finosu · later.");

    // The backend comes up; nobody touches the window: the outbox probes again by itself.
    let _sandbox = SandboxServer::start(SandboxConfig { port, ..SandboxConfig::default() }).unwrap();
    step_until_within(&mut harness, "the outbox to send it", std::time::Duration::from_mins(1), |app| {
        app.record_state() == Some(RecordState::Sent) && !app.is_sending()
    });
    assert!(shown(&harness, "Sent as INT-7K2M9QXD to Finosu · later."));
    let sent = harness.state().viewer().latest().and_then(|e| e.request_body.clone()).unwrap_or_default();
    assert!(sent.contains(r#""firstName":"Augusta""#), "the edit made after Take back was sent: {sent}");
    step_until(&mut harness, "the offline note to go", |app| {
        app.outbox_status().is_some_and(|s| s.offline.is_empty() && s.queued.is_empty())
    });
    assert!(!shown(&harness, "Offline —"));
    assert!(!shown(&harness, "1 queued"));
}

#[test]
fn an_answer_lost_after_the_server_stored_the_customer_is_reconciled_not_sent_twice() {
    let sandbox = SandboxServer::start(SandboxConfig::default()).unwrap();
    let url = sandbox.fault_base_url(&Fault::CommitDrop, Backend::Finosu);
    // The lookup waits for the profile's timeout after the attempt began: keep it short.
    let (mut harness, _home) = app_on_finosu_profile("Finosu · flaky", &url, 2);
    open_draft(&mut harness, "examples/finosu-customer.json");
    press(&mut harness, "Submit");
    step_until_within(&mut harness, "the reconciliation", std::time::Duration::from_secs(30), |app| {
        app.current_record().is_some_and(|r| !matches!(r.state, RecordState::Queued | RecordState::Sending))
            && !app.is_sending()
    });
    let record = harness.state().current_record().unwrap().clone();
    let message = record.message.clone().unwrap_or_default();
    assert_eq!(record.state, RecordState::Sent, "{message}");
    assert!(message.contains("The lookup found the customer as INT-7K2M9QXD"), "{message}");
    assert!(shown(&harness, "Sent as INT-7K2M9QXD to Finosu · flaky."));

    // One create was sent, then one lookup.
    let path = harness.state().store_path().unwrap().to_owned();
    assert!(harness.state_mut().flush_store(std::time::Duration::from_secs(5)));
    let history = Store::open(&path).unwrap().history(&record.id).unwrap();
    let steps: Vec<(&str, &str)> =
        history.iter().map(|row| (row.step.as_str(), row.exchange["method"].as_str().unwrap_or_default())).collect();
    assert_eq!(steps, [("send", "POST"), ("reconcile", "GET")]);

    // The sandbox holds the customer (it cannot hold an id twice: a second create is a 409).
    let get = format!("{}/customers/INT-7K2M9QXD", sandbox.finosu_base_url());
    let (status, body) = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let response = reqwest::Client::new().get(&get).header("X-API-Key", FINOSU_API_KEY).send().await.unwrap();
        (response.status().as_u16(), response.json::<serde_json::Value>().await.unwrap())
    });
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["id"].as_str(), body["firstName"].as_str()), (Some("INT-7K2M9QXD"), Some("Ada")));
}

#[test]
fn drafts_panel_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(intake::store::STORE_FILE);
    let grace = serde_json::json!({"firstName": "Grace", "lastName": "Hopper", "email": "grace@navy.mil"});
    store_record(&path, SANDBOX_FINOSU, &grace, RecordState::Draft, "");
    let alan = finosu_customer("Alan", "Turing", "alan@example.com", "GUI-SNAP-ALAN");
    store_record(&path, SANDBOX_FINOSU, &alan, RecordState::Sent, "Created customer GUI-SNAP-ALAN.");
    let mut edsger = finosu_customer("Edsger", "Dijkstra", "edsger@example.com", "GUI-SNAP-EDSGER");
    edsger["taskType"] = "skydiving".into();
    let refused =
        "Rejected: 1 field. Fix it and send again. Valid task types: collections, payment-reminder, welcome-call.";
    store_record(&path, SANDBOX_FINOSU, &edsger, RecordState::Failed, refused);
    // Queued for a profile this window does not have (removed since): it stays queued.
    let barbara = finosu_customer("Barbara", "Liskov", "barbara@example.com", "GUI-SNAP-BARBARA");
    store_record(&path, "Finosu · old laptop", &barbara, RecordState::Queued, "");
    let ada = finosu_customer("Ada", "Lovelace", "ada@example.com", "GUI-SNAP-ADA");
    store_record(&path, SANDBOX_FINOSU, &ada, RecordState::Ready, "");

    let mut harness = app_on_store(&path);
    show_drafts(&mut harness, |records| records.len() == 5);
    assert_eq!(
        draft_rows(&harness),
        [
            "Ada Lovelace, ready",
            "Barbara Liskov, queued",
            "Edsger Dijkstra, failed",
            "Alan Turing, sent",
            "Grace Hopper, draft"
        ]
    );
    snapshot_with_row_times_masked(&mut harness, "drafts_panel");
}
