//! `intake credentials set|clear|check` as the real binary, against the real Secret Service:
//! the test command runs every test inside a private D-Bus session with its own gnome-keyring,
//! so `secret-tool` here sees exactly what the app stored. Profile names are unique per test
//! (the tests share that keyring).

mod cli_support;

use std::process::Command;

use cli_support::*;
use intake::sandbox::{SandboxConfig, SandboxServer};
use serde_json::Value;

/// `secret-tool search --all service intake username USER`: what the keyring holds, seen from
/// outside the app. Panics with a hint when no Secret Service is reachable.
fn keyring_search(user: &str) -> String {
    let output = Command::new("secret-tool")
        .args(["search", "--all", "service", "intake", "username", user])
        .output()
        .expect("secret-tool runs (libsecret-tools; scripts/test.sh installs it)");
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert!(
        !text.contains("Cannot autolaunch") && !text.contains("org.freedesktop.secrets"),
        "no Secret Service: run the tests with scripts/test.sh, which starts one: {text}"
    );
    text
}

fn add_profile(home: &Home, name: &str, backend: &str, url: &str) {
    let add = home.run(&["profile", "add", "--name", name, "--backend", backend, "--base-url", url]);
    assert_eq!(code(&add), 0, "{}", stderr(&add));
}

fn check_json(home: &Home, profile: &str) -> (i32, Value) {
    let output = home.run(&["credentials", "check", "--profile", profile, "--json"]);
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 1, "{}{}", stdout(&output), stderr(&output));
    (code(&output), lines.into_iter().next().expect("one line"))
}

fn assert_no_file_holds(home: &Home, secret: &str) {
    for (path, bytes) in home.all_file_bytes() {
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "the secret is in {}", path.display());
    }
}

#[test]
fn a_finosu_key_is_stored_in_the_keyring_checked_and_cleared() {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    let profile = "Keyring Finosu";
    add_profile(&home, profile, "finosu", sandbox.finosu_url());
    let key = sandbox.finosu_key().to_owned();

    let set = home.run_with_stdin(&["credentials", "set", "--profile", profile], Some(&format!("{key}\n")));
    assert_eq!(code(&set), 0, "{}", stderr(&set));
    assert!(stdout(&set).contains("Stored the API key ••••e8a3"), "{}", stdout(&set));

    let (status, verdict) = check_json(&home, profile);
    assert_eq!(status, 0, "{verdict}");
    assert_eq!(verdict["verdict"], "ok");
    assert!(verdict["headline"].as_str().is_some_and(|h| h.starts_with("Works: Finosu")), "{verdict}");
    assert!(verdict["latency_ms"].as_u64().is_some());
    let submitted = home.run(&["submit", "--profile", profile, "examples/finosu-customer.json"]);
    assert_eq!(code(&submitted), 0, "the keyring's key is used to send: {}", stderr(&submitted));

    let found = keyring_search(&format!("{profile}/api-key"));
    assert!(found.contains(&key), "the keyring holds the key: {found}");
    assert_no_file_holds(&home, &key);
    for output in [&set, &submitted] {
        assert!(!format!("{}{}", stdout(output), stderr(output)).contains(&key), "printed the key");
    }

    let clear = home.run(&["credentials", "clear", "--profile", profile]);
    assert_eq!(code(&clear), 0, "{}", stderr(&clear));
    assert!(!keyring_search(&format!("{profile}/api-key")).contains(&key), "cleared from the keyring");
    let (status, verdict) = check_json(&home, profile);
    assert_eq!((status, verdict["verdict"].as_str()), (1, Some("no_credentials")), "{verdict}");
}

#[test]
fn a_wrong_key_is_rejected_and_removing_the_profile_removes_its_secret() {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    let profile = "Keyring Wrong Key";
    add_profile(&home, profile, "finosu", sandbox.finosu_url());
    let wrong = "fsk_wrong_0123456789";
    let set = home.run_with_stdin(&["credentials", "set", "--profile", profile], Some(wrong));
    assert_eq!(code(&set), 0, "{}", stderr(&set));
    let output = home.run(&["credentials", "check", "--profile", profile]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("Rejected: Finosu did not accept the API key (401)."), "{}", stdout(&output));
    assert!(stdout(&output).contains("Next: "), "{}", stdout(&output));

    assert!(keyring_search(&format!("{profile}/api-key")).contains(wrong));
    let remove = home.run(&["profile", "remove", profile]);
    assert_eq!(code(&remove), 0, "{}", stderr(&remove));
    assert!(!keyring_search(&format!("{profile}/api-key")).contains(wrong), "the entry went with the profile");
}

#[test]
fn a_help_scout_app_caches_short_lived_tokens_and_refreshes_them() {
    let sandbox = ForegroundSandbox::start(&["--token-lifetime", "2"]);
    let home = Home::new();
    let profile = "Keyring Help Scout App";
    add_profile(&home, profile, "helpscout", sandbox.helpscout_url());
    let id = sandbox.info["helpscout"]["client_id"].as_str().expect("id").to_owned();
    let secret = sandbox.info["helpscout"]["client_secret"].as_str().expect("secret").to_owned();
    let set = home.run_with_stdin(&["credentials", "set", "--profile", profile, "--client-id", &id], Some(&secret));
    assert_eq!(code(&set), 0, "{}", stderr(&set));

    let (status, first) = check_json(&home, profile);
    assert_eq!(status, 0, "{first}");
    assert_eq!(first["identity"], "Sandbox Admin <admin@sandbox.intake.invalid>");
    assert_eq!(first["steps"][0]["result"]["grant"], "client_credentials", "{first}");
    let access = keyring_search(&format!("{profile}/access-token"));
    assert!(access.contains("secret = "), "the access token is cached in the keyring: {access}");
    let list = json_lines(&home.run(&["profile", "list", "--json"]));
    let stored = list.iter().find(|p| p["name"] == profile).expect("profile");
    assert_eq!(stored["auth"], "oauth-app");
    assert_eq!(stored["client_id"], id.as_str());
    let profiles = std::fs::read_to_string(home.path().join("config/profiles.json")).expect("profiles file");
    assert!(profiles.contains("token_expires_at"), "the expiry is kept in the profile: {profiles}");

    // The cached token is due for renewal: the next check spends the refresh token.
    let (status, second) = check_json(&home, profile);
    assert_eq!(status, 0, "{second}");
    assert_eq!(second["steps"][0]["result"]["grant"], "refresh_token", "{second}");
    assert_ne!(keyring_search(&format!("{profile}/access-token")), access, "the new token replaced the old one");
    assert_no_file_holds(&home, &secret);
    for line in [&first, &second] {
        assert!(!line.to_string().contains(&secret), "the client secret is printed: {line}");
    }
}

#[test]
fn pasted_tokens_are_stored_and_a_revoked_refresh_token_gets_a_clear_verdict() {
    let sandbox = SandboxServer::start(SandboxConfig::default()).expect("sandbox");
    let home = Home::new();
    let profile = "Keyring Pasted Tokens";
    add_profile(&home, profile, "helpscout", &sandbox.helpscout_base_url());
    let grant = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(async {
        let client = intake::backends::HelpScoutClient::new(
            intake::backends::Endpoint::new(sandbox.helpscout_base_url().parse().expect("url")),
            intake::backends::HelpScoutAuth::client_credentials(
                intake::sandbox::HELPSCOUT_CLIENT_ID,
                intake::backends::Secret::new(intake::sandbox::HELPSCOUT_CLIENT_SECRET),
            ),
        )
        .expect("client");
        client.request_token().await.1.expect("a token pair")
    });
    let access = grant.access_token.expose().to_owned();
    let refresh = grant.refresh_token.as_ref().expect("refresh").expose().to_owned();
    let set = home.run_with_stdin(
        &["credentials", "set", "--profile", profile, "--access-token", "--refresh-token"],
        Some(&format!("{access}\n{refresh}\n")),
    );
    assert_eq!(code(&set), 0, "{}", stderr(&set));
    assert!(keyring_search(&format!("{profile}/access-token")).contains(&access));
    assert!(keyring_search(&format!("{profile}/refresh-token")).contains(&refresh));
    assert_eq!(check_json(&home, profile).1["verdict"], "ok");

    sandbox.revoke_access_tokens();
    sandbox.revoke_refresh_tokens();
    let (status, verdict) = check_json(&home, profile);
    assert_eq!(status, 1, "{verdict}");
    assert_eq!(verdict["verdict"], "rejected");
    let headline = verdict["headline"].as_str().expect("headline");
    assert!(headline.contains("the refresh token is no longer valid"), "{headline}");
    assert!(verdict["next_step"].as_str().is_some_and(|s| s.starts_with("Paste a new access token")), "{verdict}");
    assert_no_file_holds(&home, &access);
    assert_no_file_holds(&home, &refresh);
}

#[test]
fn without_a_keyring_nothing_is_stored_and_one_off_secrets_still_work() {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    let profile = "No Keyring Finosu";
    add_profile(&home, profile, "finosu", sandbox.finosu_url());
    let key = sandbox.finosu_key().to_owned();
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_intake"));
        child.args(args).env("INTAKE_HOME", home.path());
        // No session bus at all: the Secret Service cannot be reached.
        child.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/intake-test-bus");
        child.env_remove("XDG_RUNTIME_DIR");
        run_command(child, stdin)
    };
    let set = run(&["credentials", "set", "--profile", profile], Some(&key));
    assert_eq!(code(&set), 2);
    assert!(stderr(&set).contains("no keyring is reachable"), "{}", stderr(&set));
    assert!(stderr(&set).contains("Nothing was written"), "{}", stderr(&set));

    let check = run(&["credentials", "check", "--profile", profile, "--secret-stdin"], Some(&key));
    assert_eq!(code(&check), 0, "{}{}", stdout(&check), stderr(&check));
    assert!(stdout(&check).contains("Works: Finosu"), "{}", stdout(&check));
    let sent = run(&["submit", "--profile", profile, "--secret-stdin", "examples/finosu-customer.json"], Some(&key));
    assert_eq!(code(&sent), 0, "{}", stderr(&sent));
    assert_no_file_holds(&home, &key);
    assert!(!keyring_search(&format!("{profile}/api-key")).contains(&key));
}

#[test]
fn help_scout_needs_to_be_told_what_is_stored_and_sandbox_profiles_store_nothing() {
    let home = Home::new();
    add_profile(&home, "Keyring HS Flags", "helpscout", "https://api.helpscout.net");
    let output = home.run_with_stdin(&["credentials", "set", "--profile", "Keyring HS Flags"], Some("x"));
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--client-id ID"), "{}", stderr(&output));
    let output = home.run_with_stdin(&["credentials", "set", "--profile", "sandbox-finosu"], Some("x"));
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("built in"), "{}", stderr(&output));
    let output = home.run(&["credentials", "set", "--profile", "Keyring HS Flags", "--client-secret", "abc"]);
    assert_eq!(code(&output), 2, "a secret is never taken as an argument");
    let (status, verdict) = check_json(&home, "sandbox-helpscout");
    assert_eq!((status, verdict["verdict"].as_str()), (0, Some("ok")), "{verdict}");
}
