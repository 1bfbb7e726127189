//! `intake submit` and `intake sandbox`, run as the real binary: sending to the built-in
//! sandbox and to a profile aimed at a foreground sandbox, exit codes, `--json` lines, task-type
//! learning, and secrets that never show up in output or files.

mod cli_support;

use cli_support::*;
use serde_json::json;

#[test]
fn the_sandbox_profiles_create_both_examples() {
    let home = Home::new();
    let finosu = home.run(&["submit", "--profile", "sandbox-finosu", "examples/finosu-customer.json"]);
    assert_eq!(code(&finosu), 0, "{}{}", stdout(&finosu), stderr(&finosu));
    assert!(stdout(&finosu).contains("Created customer INT-7K2M9QXD."), "{}", stdout(&finosu));

    let help_scout =
        home.run(&["submit", "--profile", "Sandbox · Help Scout", "--json", "examples/helpscout-customer.json"]);
    assert_eq!(code(&help_scout), 0, "{}{}", stdout(&help_scout), stderr(&help_scout));
    let lines = json_lines(&help_scout);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["outcome"], "created");
    assert_eq!(lines[0]["status"], 201);
    assert!(lines[0]["id"].as_str().is_some_and(|id| !id.is_empty()), "{}", lines[0]);
    assert_eq!(lines[0]["file"], "examples/helpscout-customer.json");
    assert_eq!(lines[0]["issues"], json!([]));
}

#[test]
fn invalid_files_are_not_sent_and_unreadable_ones_are_usage_errors() {
    let home = Home::new();
    let output = home.run(&[
        "submit",
        "--profile",
        "sandbox-finosu",
        "--json",
        "examples/finosu-with-problems.json",
        "examples/finosu-customer.json",
    ]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let lines = json_lines(&output);
    assert_eq!(lines[0]["outcome"], "invalid");
    assert_eq!(lines[0]["status"], serde_json::Value::Null);
    assert!(lines[0]["issues"].as_array().is_some_and(|i| !i.is_empty()));
    assert_eq!(lines[1]["outcome"], "created", "the valid file is still sent");

    let missing = home.path().join("missing.json");
    let output = home.run(&["submit", "--profile", "sandbox-finosu", missing.to_str().expect("utf-8")]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("missing.json"), "{}", stderr(&output));

    let output = home.run(&["submit", "--profile", "nobody", "examples/finosu-customer.json"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("no profile named \"nobody\""), "{}", stderr(&output));
}

#[test]
fn a_real_profile_needs_its_secret_on_stdin_and_never_prints_it() {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    let add = home.run(&[
        "profile",
        "add",
        "--name",
        "Local Finosu",
        "--backend",
        "finosu",
        "--base-url",
        sandbox.finosu_url(),
    ]);
    assert_eq!(code(&add), 0, "{}", stderr(&add));

    let no_secret = home.run(&["submit", "--profile", "Local Finosu", "examples/finosu-customer.json"]);
    assert_eq!(code(&no_secret), 2);
    assert!(stderr(&no_secret).contains("--secret-stdin"), "{}", stderr(&no_secret));

    let key = sandbox.finosu_key().to_owned();
    let sent = home.run_with_stdin(
        &["submit", "--profile", "Local Finosu", "--secret-stdin", "--json", "examples/finosu-customer.json"],
        Some(&format!("{key}\n")),
    );
    assert_eq!(code(&sent), 0, "{}", stderr(&sent));
    assert_eq!(json_lines(&sent)[0]["outcome"], "created");

    let wrong = home.run_with_stdin(
        &[
            "submit",
            "--profile",
            "local finosu",
            "--secret-stdin",
            "--json",
            "--again",
            "examples/finosu-customer.json",
        ],
        Some("fsk_wrong_key_1234\n"),
    );
    assert_eq!(code(&wrong), 1);
    assert_eq!(json_lines(&wrong)[0]["outcome"], "unauthorized");
    assert_eq!(json_lines(&wrong)[0]["status"], 401);

    for output in [&sent, &wrong] {
        let all = format!("{}{}", stdout(output), stderr(output));
        assert!(!all.contains(&key) && !all.contains("fsk_wrong_key_1234"), "a secret was printed: {all}");
    }
    for (path, bytes) in home.all_file_bytes() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&key), "the key is in {}", path.display());
    }
}

#[test]
fn a_help_scout_profile_takes_an_access_token_on_stdin() {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    let base = sandbox.helpscout_url().to_owned();
    let add = home.run(&["profile", "add", "--name", "hs", "--backend", "helpscout", "--base-url", &base]);
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let token = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(async {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", sandbox.info["helpscout"]["client_id"].as_str().expect("id")),
            ("client_secret", sandbox.info["helpscout"]["client_secret"].as_str().expect("secret")),
        ];
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let response = reqwest::Client::new()
            .post(format!("{base}/v2/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("token");
        let json: serde_json::Value = response.json().await.expect("json");
        json["access_token"].as_str().expect("access_token").to_owned()
    });
    let sent = home.run_with_stdin(
        &["submit", "--profile", "hs", "--secret-stdin", "examples/helpscout-customer.json"],
        Some(&token),
    );
    assert_eq!(code(&sent), 0, "{}{}", stdout(&sent), stderr(&sent));
    assert!(stdout(&sent).contains("Created customer"), "{}", stdout(&sent));
    assert!(!format!("{}{}", stdout(&sent), stderr(&sent)).contains(&token));
}

#[test]
fn a_refused_task_type_is_remembered_on_the_profile() {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    home.run(&["profile", "add", "--name", "f", "--backend", "finosu", "--base-url", sandbox.finosu_url()]);
    let mut body = example("finosu-customer.json");
    body["taskType"] = json!("skydiving");
    let draft = home.draft("bad-task.json", &body);
    let output = home.run_with_stdin(
        &["submit", "--profile", "f", "--secret-stdin", "--json", draft.to_str().expect("utf-8")],
        Some(sandbox.finosu_key()),
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let line = &json_lines(&output)[0];
    assert_eq!(line["outcome"], "rejected");
    assert!(line["issues"].as_array().expect("issues").iter().any(|i| i["path"] == "/taskType"), "{line}");

    let list = home.run(&["profile", "list", "--json"]);
    let profile = json_lines(&list).into_iter().find(|p| p["name"] == "f").expect("profile f");
    assert_eq!(profile["learned_task_types"], json!(["collections", "payment-reminder", "welcome-call"]));
}

#[test]
fn server_failures_exit_1_with_their_outcome() {
    let sandbox = ForegroundSandbox::start(&["--fail-rate", "1"]);
    let home = Home::new();
    home.run(&["profile", "add", "--name", "f", "--backend", "finosu", "--base-url", sandbox.finosu_url()]);
    let output = home.run_with_stdin(
        &["submit", "--profile", "f", "--secret-stdin", "--json", "examples/finosu-customer.json"],
        Some(sandbox.finosu_key()),
    );
    assert_eq!(code(&output), 1);
    let line = &json_lines(&output)[0];
    assert_eq!((line["outcome"].as_str(), line["status"].as_u64()), (Some("server_error"), Some(503)), "{line}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://127.0.0.1:{}", closed.local_addr().expect("addr").port());
    drop(closed);
    home.run(&["profile", "add", "--name", "gone", "--backend", "finosu", "--base-url", &url]);
    let output = home.run_with_stdin(
        &["submit", "--profile", "gone", "--secret-stdin", "--json", "examples/finosu-customer.json"],
        Some("any-key-123456"),
    );
    assert_eq!(code(&output), 1);
    assert_eq!(json_lines(&output)[0]["outcome"], "connection_refused");
}

#[test]
fn the_foreground_sandbox_prints_its_credentials_as_json() {
    let sandbox = ForegroundSandbox::start(&[]);
    for key in ["finosu", "helpscout"] {
        let url = sandbox.info[key]["base_url"].as_str().expect("base_url");
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    }
    assert_eq!(sandbox.info["finosu"]["api_key"], intake::sandbox::FINOSU_API_KEY);
    assert_eq!(sandbox.info["helpscout"]["client_id"], intake::sandbox::HELPSCOUT_CLIENT_ID);
    assert_eq!(sandbox.info["helpscout"]["client_secret"], intake::sandbox::HELPSCOUT_CLIENT_SECRET);
}
