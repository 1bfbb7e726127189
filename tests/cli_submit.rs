//! `intake submit` and `intake sandbox`, run as the real binary: sending to the built-in
//! sandbox and to a profile aimed at a foreground sandbox, exit codes, `--json` lines, task-type
//! learning, and secrets that never show up in output or files.

mod cli_support;
mod net_support;

use std::sync::atomic::{AtomicUsize, Ordering};

use cli_support::*;
use net_support::{Canned, ScriptedServer};
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

/// A loopback server playing Finosu or Help Scout: every token answer carries `expires_in` as
/// `raw` JSON; the duplicate check's reads find nobody; the first create is a 429 with
/// `header: value`, every later one a 201.
fn hostile_server(raw: &'static str, header: &'static str, value: &'static str) -> ScriptedServer {
    let creates = AtomicUsize::new(0);
    ScriptedServer::start(move |request, index| {
        if request.path.ends_with("/oauth2/token") {
            return Canned::new(
                200,
                format!(r#"{{"token_type":"bearer","access_token":"tok-{index}","expires_in":{raw}}}"#),
            );
        }
        if request.method == "GET" && request.path.contains("/v2/customers?query=") {
            return Canned::new(200, r#"{"_embedded":{"customers":[]}}"#);
        }
        if request.method == "GET" {
            return Canned::new(404, r#"{"message":"no such customer"}"#);
        }
        if creates.fetch_add(1, Ordering::SeqCst) == 0 {
            return Canned::new(429, r#"{"message":"slow down"}"#).header(header, value);
        }
        Canned::new(201, "").header("Resource-ID", &format!("{}", 500 + index))
    })
}

/// Runs `intake submit --json` of two drafts and checks it went on past the first answer:
/// no panic (exit 101), the first file rate limited naming `value`, the second created.
fn submit_two(home: &Home, profile: &str, drafts: [&std::path::Path; 2], stdin: Option<&str>, value: &str) {
    let mut args = vec!["submit", "--profile", profile, "--json"];
    if stdin.is_some() {
        args.push("--secret-stdin");
    }
    args.extend(drafts.iter().map(|d| d.to_str().expect("utf-8")));
    let output = home.run_with_stdin(&args, stdin);
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!all.contains("panicked"), "{all}");
    assert_eq!(code(&output), 1, "queued for later is not a success, and never a crash: {all}");
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2, "{all}");
    assert_eq!(lines[0]["outcome"], "rate_limited", "{}", lines[0]);
    let message = lines[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(value) && message.contains("at most 1 h"), "{message}");
    assert_eq!(lines[1]["outcome"], "created", "the second file is still sent: {}", lines[1]);
}

/// A Finosu profile `f` in `home` aimed at `server`, and two drafts with their own ids.
fn finosu_profile_and_two_drafts(home: &Home, server: &ScriptedServer) -> [std::path::PathBuf; 2] {
    let base = format!("{}/finosu", server.base_url());
    let add = home.run(&["profile", "add", "--name", "f", "--backend", "finosu", "--base-url", &base]);
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    ["INT-7K2M9QX1", "INT-7K2M9QX2"].map(|id| {
        let mut body = example("finosu-customer.json");
        body["id"] = json!(id);
        home.draft(&format!("{id}.json"), &body)
    })
}

#[test]
fn an_absurd_retry_after_does_not_stop_submit_before_the_next_file() {
    let server = hostile_server("3600", "Retry-After", "1e20");
    let home = Home::new();
    let drafts = finosu_profile_and_two_drafts(&home, &server);
    submit_two(&home, "f", [&drafts[0], &drafts[1]], Some("fsk_any_key_123456\n"), "1e20");
}

#[test]
fn absurd_token_lifetimes_do_not_stop_submit_before_the_next_file() {
    // Each case its own server and profile (an OAuth app in the test keyring), so each run
    // asks for a token; the first create also names an absurd wait.
    let cases: [(&str, &str, &str); 5] = [
        ("10000000000000", "Retry-After", "1e20"),
        ("18446744073709551615", "Retry-After", "1e20"),
        ("1e13", "X-RateLimit-Retry-After", "99999999999999999999"),
        ("-1", "X-RateLimit-Retry-After", "99999999999999999999"),
        ("\"abc\"", "Retry-After", "1e20"),
    ];
    let home = Home::new();
    for (n, (raw, header, value)) in cases.into_iter().enumerate() {
        let server = hostile_server(raw, header, value);
        let profile = format!("hostile-token-{n}-{}", std::process::id());
        let add = home.run(&[
            "profile",
            "add",
            "--name",
            &profile,
            "--backend",
            "helpscout",
            "--base-url",
            &server.base_url(),
        ]);
        assert_eq!(code(&add), 0, "{}", stderr(&add));
        let set = home.run_with_stdin(
            &["credentials", "set", "--profile", &profile, "--client-id", "hostile-app"],
            Some("hostile-app-secret-1234\n"),
        );
        assert_eq!(code(&set), 0, "{}", stderr(&set));
        let drafts = ["one", "two"].map(|name| {
            let mut body = example("helpscout-customer.json");
            body["emails"][0]["value"] = json!(format!("{name}-{n}@example.com"));
            home.draft(&format!("hs-{n}-{name}.json"), &body)
        });
        submit_two(&home, &profile, [&drafts[0], &drafts[1]], None, value);
        assert!(server.requests()[0].path.ends_with("/v2/oauth2/token"), "expires_in {raw}: a token was asked for");
        // The expiry kept in the profile is a real time within a year, or none for "abc".
        let list = json_lines(&home.run(&["profile", "list", "--json"]));
        let stored = list.iter().find(|p| p["name"] == profile.as_str()).expect("profile");
        let profiles = std::fs::read_to_string(home.path().join("config/profiles.json")).expect("profiles file");
        let file: serde_json::Value = serde_json::from_str(&profiles).expect("profiles JSON");
        let expiry = file["profiles"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == profile.as_str())
            .and_then(|p| p["token_expires_at"].as_str())
            .map(|at| chrono::DateTime::parse_from_rfc3339(at).expect("an RFC 3339 expiry"));
        if let Some(at) = expiry {
            assert!(at <= chrono::Utc::now() + chrono::Duration::days(366), "expires_in {raw}: {at}");
        } else {
            assert_eq!(raw, "\"abc\"", "only a lifetime that is no number leaves no expiry: {stored}");
        }
    }
}

/// A server that answers the first create with a 409 whose message is 2 MB of escape codes and
/// text, then creates the rest: `intake submit` prints one short clean line and goes on.
#[test]
fn a_huge_message_with_escape_codes_is_shown_short_and_clean_and_submit_goes_on() {
    let nasty = format!("\u{1b}[2J\u{1b}]0;pwned\u{7}Already there\r\n{}", "B".repeat(2 * 1024 * 1024));
    let creates = AtomicUsize::new(0);
    let server = ScriptedServer::start(move |_, _| {
        if creates.fetch_add(1, Ordering::SeqCst) == 0 {
            return Canned::new(409, json!({"message": nasty.clone()}).to_string());
        }
        Canned::new(201, r#"{"id":"INT-7K2M9QX2"}"#)
    });
    let home = Home::new();
    let drafts = finosu_profile_and_two_drafts(&home, &server);
    let args = ["submit", "--profile", "f", drafts[0].to_str().unwrap(), drafts[1].to_str().unwrap(), "--secret-stdin"];
    let output = home.run_with_stdin(&args, Some("fsk_any_key_123456\n"));
    let out = stdout(&output);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "no escape codes reach the terminal");
    assert!(out.len() < 4_000, "{} bytes of output", out.len());
    assert!(out.contains("Already there BBB"), "{out}");
    assert!(out.contains("Created customer INT-7K2M9QX2"), "the next file is sent: {out}");
    assert_eq!(code(&output), 1);
}
