//! `intake outbox`, `intake drafts export` and `intake submit` through the store, as the real
//! binary with a private `INTAKE_HOME`, against a foreground `intake sandbox` on loopback.
//! Secrets go to the real keyring of the test session (`scripts/test.sh` starts one).

mod cli_support;

use std::process::{Command, Stdio};
use std::time::Duration;

use cli_support::*;
use intake::store::{ListFilter, RecordState, STORE_FILE};
use serde_json::{Value, json};

fn finosu_body(n: usize) -> Value {
    let mut body = example("finosu-customer.json");
    body["id"] = json!(format!("OUTBOX-{n:04}"));
    body["email"] = json!(format!("customer{n}@example.com"));
    body["firstName"] = json!(format!("Ada{n}"));
    body
}

fn help_scout_body(n: usize) -> Value {
    json!({
        "firstName": format!("Grace{n}"),
        "lastName": "Hopper",
        "emails": [{"type": "work", "value": format!("grace{n}@example.com")}],
    })
}

#[test]
fn outbox_add_send_list_and_export() {
    let sandbox = ForegroundSandbox::start(&["--rate-limit", "0"]);
    let home = Home::new();
    real_profile(&home, &sandbox, "Local", "finosu", sandbox.finosu_url());
    let files: Vec<String> = (0..2)
        .map(|n| home.draft(&format!("c{n}.json"), &finosu_body(n)).display().to_string())
        .chain([home.draft("bad.json", &json!({"firstName": "No", "email": "nope@"})).display().to_string()])
        .collect();
    let mut args = vec!["outbox", "add", "--profile", "Local", "--json"];
    args.extend(files.iter().map(String::as_str));
    let added = home.run(&args);
    assert_eq!(code(&added), 1, "an invalid file: {}", stderr(&added));
    let lines = json_lines(&added);
    assert_eq!(
        lines.iter().map(|l| l["outcome"].as_str().unwrap()).collect::<Vec<_>>(),
        ["queued", "queued", "invalid"]
    );
    assert_eq!(store(&home).count(RecordState::Queued, None).unwrap(), 2, "the invalid file is not queued");

    let listed = home.run(&["outbox", "list", "--state", "queued", "--json"]);
    assert_eq!(json_lines(&listed).len(), 2);

    let sent = home.run(&["outbox", "send", "--json"]);
    assert_eq!(code(&sent), 0, "{}{}", stdout(&sent), stderr(&sent));
    let lines = json_lines(&sent);
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["state"] == "sent" && l["outcome"] == "created"), "{lines:?}");
    let again = home.run(&["outbox", "send"]);
    assert_eq!(code(&again), 0);
    assert!(stdout(&again).contains("0 sent, 0 failed, 0 still queued"), "{}", stdout(&again));

    for (format, file) in [("json", "out.json"), ("csv", "out.csv")] {
        let path = home.path().join(file);
        let export = home.run(&["drafts", "export", "--format", format, "--state", "sent", path.to_str().unwrap()]);
        assert_eq!(code(&export), 0, "{}", stderr(&export));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("Ada0") && text.contains("customer1@example.com"), "{text}");
        assert!(!text.contains(sandbox.finosu_key()), "no secret in an export");
    }
    let rows: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(home.path().join("out.json")).unwrap()).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r["state"] == "sent" && r["server_id"].as_str().is_some_and(|id| id.starts_with("OUTBOX-")))
    );
    let mut csv = csv::Reader::from_path(home.path().join("out.csv")).unwrap();
    assert_eq!(csv.records().count(), 2);
    for (path, bytes) in home.all_file_bytes() {
        assert!(!String::from_utf8_lossy(&bytes).contains(sandbox.finosu_key()), "the key is in {}", path.display());
    }
}

#[cfg(unix)]
#[test]
fn the_store_is_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let home = Home::new();
    let added = home.run(&["outbox", "add", "--profile", "sandbox-finosu", "examples/finosu-customer.json"]);
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&home.path().join("data")), 0o700);
    assert_eq!(mode(&home.path().join("data").join(STORE_FILE)), 0o600);
}

#[test]
fn submit_twice_sends_once_unless_again() {
    let home = Home::new();
    let first = home.run(&["submit", "--profile", "sandbox-finosu", "--json", "examples/finosu-customer.json"]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert_eq!(json_lines(&first)[0]["outcome"], "created");
    let second = home.run(&["submit", "--profile", "sandbox-finosu", "examples/finosu-customer.json"]);
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    assert!(stdout(&second).contains("already sent as INT-7K2M9QXD"), "{}", stdout(&second));
    assert_eq!(store(&home).count(RecordState::Sent, None).unwrap(), 1, "nothing more was sent");
    let again =
        home.run(&["submit", "--profile", "sandbox-finosu", "--again", "--json", "examples/finosu-customer.json"]);
    assert_eq!(json_lines(&again)[0]["outcome"], "created", "--again sends a new record");
    assert_eq!(store(&home).count(RecordState::Sent, None).unwrap(), 2);
}

#[test]
fn a_create_whose_answer_is_lost_is_found_by_a_lookup_and_not_sent_again() {
    let sandbox = ForegroundSandbox::start(&["--rate-limit", "0"]);
    let home = Home::new();
    let finosu_fault = sandbox.finosu_url().replace("/finosu", "/_fault/commit-drop/finosu");
    real_profile(&home, &sandbox, "Finosu drop", "finosu", &finosu_fault);
    let helpscout_fault = sandbox.helpscout_url().replace("/helpscout", "/_fault/commit-drop/helpscout");
    real_profile(&home, &sandbox, "Help Scout drop", "helpscout", &helpscout_fault);

    let finosu = home.draft("f.json", &finosu_body(7));
    let sent = home.run(&["submit", "--profile", "Finosu drop", "--json", finosu.to_str().unwrap()]);
    assert_eq!(code(&sent), 0, "{}{}", stdout(&sent), stderr(&sent));
    let line = &json_lines(&sent)[0];
    assert_eq!(line["outcome"], "reconciled", "{line}");
    assert_eq!(line["id"], "OUTBOX-0007");
    assert!(line["message"].as_str().unwrap().contains("not sent again"), "{line}");

    let help_scout = home.draft("h.json", &help_scout_body(7));
    let sent = home.run(&["submit", "--profile", "Help Scout drop", "--json", help_scout.to_str().unwrap()]);
    assert_eq!(code(&sent), 0, "{}{}", stdout(&sent), stderr(&sent));
    assert_eq!(json_lines(&sent)[0]["outcome"], "reconciled");
    assert_eq!(help_scout_total(&sandbox), 1, "created once, by the lost create");

    // Each record has its one create and its lookup in the history.
    let store = store(&home);
    for record in store.records(&ListFilter::default()).unwrap() {
        assert_eq!((record.state, record.attempts), (RecordState::Sent, 1));
        let steps: Vec<String> = store.history(&record.id).unwrap().into_iter().map(|r| r.step).collect();
        assert!(steps.contains(&"send".to_owned()) && steps.contains(&"reconcile".to_owned()), "{steps:?}");
    }
}

/// Queues `count` Help Scout customers for `profile` in `home`.
fn queue_help_scout(home: &Home, profile: &str, count: usize) {
    let files: Vec<String> =
        (0..count).map(|n| home.draft(&format!("hs{n:03}.json"), &help_scout_body(n)).display().to_string()).collect();
    let mut args = vec!["outbox", "add", "--profile", profile];
    args.extend(files.iter().map(String::as_str));
    let added = home.run(&args);
    assert_eq!(code(&added), 0, "{}", stderr(&added));
}

#[test]
fn a_sender_killed_mid_batch_leaves_no_customer_created_twice_or_lost() {
    let sandbox = ForegroundSandbox::start(&["--latency-ms", "100", "--rate-limit", "0"]);
    let home = Home::new();
    real_profile(&home, &sandbox, "HS", "helpscout", sandbox.helpscout_url());
    queue_help_scout(&home, "HS", 300);

    // Two seconds in, and at least a few sent (a slow machine may take longer to get going).
    std::thread::sleep(Duration::from_secs(2));
    kill_sender_mid_batch(&home, 10, 300);

    let finished = home.run(&["outbox", "send"]);
    assert_eq!(code(&finished), 0, "{}{}", stdout(&finished), stderr(&finished));
    assert!(stdout(&finished).contains("The last attempt ended without an answer"), "abandoned attempts reconciled");
    assert_each_sent_once(&home, &sandbox, 300);
}

#[test]
fn two_senders_and_the_window_share_one_store_and_send_each_customer_once() {
    let sandbox = ForegroundSandbox::start(&["--latency-ms", "100", "--rate-limit", "0"]);
    let home = Home::new();
    real_profile(&home, &sandbox, "HS", "helpscout", sandbox.helpscout_url());
    queue_help_scout(&home, "HS", 300);

    // The window, open on the same store: its outbox sends the queue too.
    let paths = intake::paths::IntakePaths::under(home.path());
    let state = intake::ui::state::PersistedState { profile: "HS".to_owned(), ..Default::default() };
    let options = intake::ui::AppOptions {
        paths: Some(paths),
        vault: Some(intake::credentials::Vault::system()),
        ..intake::ui::AppOptions::default()
    };
    let mut window = egui_kittest::Harness::builder()
        .with_size([1180.0, 780.0])
        .build_ui_state(|ui, app: &mut intake::ui::IntakeApp| app.show(ui), intake::ui::IntakeApp::new(state, options));
    window.run_steps(3);

    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_intake"))
            .args(["outbox", "send"])
            .env("INTAKE_HOME", home.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("outbox send starts")
    };
    let (first, second) = (spawn(), spawn());
    let outputs = [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()];
    // What is left of the window's share, it finishes by itself.
    let deadline = std::time::Instant::now() + Duration::from_mins(1);
    while store(&home).count(RecordState::Sent, None).unwrap() < 300 && std::time::Instant::now() < deadline {
        window.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    for output in &outputs {
        assert!(matches!(code(output), 0 | 1), "{}{}", stdout(output), stderr(output));
        assert!(!stdout(output).contains("): failed "), "{}", stdout(output));
    }
    assert_each_sent_once(&home, &sandbox, 300);
    drop(window);
}
