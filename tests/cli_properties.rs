//! `intake properties refresh|list` and `intake validate --profile`, as the real binary against
//! a foreground `intake sandbox`: Help Scout profiles with their OAuth app's secret in the
//! keyring (the test command runs them inside a private D-Bus session with its own
//! gnome-keyring). Profile names are unique per test (the tests share that keyring).

mod cli_support;

use std::path::Path;

use cli_support::*;
use serde_json::{Value, json};

/// The sandbox defines 12 properties; these are three of them.
const SANDBOX_DEFINITIONS: usize = 12;

/// The lines of standard error the command wrote itself (not its debug log).
fn said(output: &std::process::Output) -> Vec<String> {
    stderr(output).lines().filter(|l| l.starts_with("intake: ")).map(str::to_owned).collect()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

/// Issues of one `--json` line as (path, severity).
fn issue_paths(line: &Value) -> Vec<(String, String)> {
    line["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| (i["path"].as_str().expect("path").to_owned(), i["severity"].as_str().expect("severity").to_owned()))
        .collect()
}

/// A foreground sandbox and a home with a Help Scout profile `name` on it, its OAuth app's
/// secret in the keyring.
fn help_scout_profile(name: &str) -> (ForegroundSandbox, Home) {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    real_profile(&home, &sandbox, name, "helpscout", sandbox.helpscout_url());
    (sandbox, home)
}

/// A wrong-typed value, an undefined slug and a dropdown value that is not an option.
fn wrong_properties() -> Value {
    json!({"firstName": "Vernon", "properties": {"shoeSize": "forty-four", "colour": "green", "plan": "Gold"}})
}

#[test]
fn refresh_caches_the_definitions_and_list_shows_them_online_and_offline() {
    let profile = "Props Refresh HS";
    let (sandbox, home) = help_scout_profile(profile);

    let before = home.run(&["properties", "list", "--profile", profile]);
    assert_eq!(code(&before), 1, "nothing cached yet: {}", stderr(&before));
    assert_eq!(stdout(&before), "");
    let told = said(&before).join("\n");
    assert!(told.contains("no property definitions are cached"), "{told}");
    assert!(told.contains(&format!("intake properties refresh --profile \"{profile}\"")), "says how: {told}");

    let refresh = home.run(&["properties", "refresh", "--profile", profile]);
    assert_eq!(code(&refresh), 0, "{}", stderr(&refresh));
    assert_eq!(
        stdout(&refresh),
        format!("Fetched {SANDBOX_DEFINITIONS} property definitions for profile \"{profile}\".\n")
    );
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("config/profiles.json")).expect("the profiles file"),
    )
    .expect("JSON");
    let saved = file["profiles"].as_array().expect("profiles").iter().find(|p| p["name"] == profile).expect("saved");
    assert_eq!(saved["property_definitions"].as_array().map(Vec::len), Some(SANDBOX_DEFINITIONS), "{saved}");
    assert_eq!(saved["property_definitions_fetched"], true);

    let online = home.run(&["properties", "list", "--profile", profile]);
    assert_eq!(code(&online), 0, "{}", stderr(&online));
    let text = stdout(&online);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), SANDBOX_DEFINITIONS + 1, "a header and one line each: {text}");
    assert!(lines[0].starts_with("SLUG") && lines[0].contains("TYPE") && lines[0].ends_with("OPTIONS"), "{text}");
    let line_of = |slug: &str| lines.iter().find(|l| l.split_whitespace().next() == Some(slug)).copied();
    let plan = line_of("plan").expect("plan is listed");
    assert!(plan.contains("Plan") && plan.contains("dropdown") && plan.ends_with("Free, Pro, Enterprise"), "{plan}");
    let shoe = line_of("shoeSize").expect("shoeSize is listed");
    assert!(shoe.contains("Shoe size") && shoe.ends_with("number"), "{shoe:?}");
    let online_json = home.run(&["properties", "list", "--profile", profile, "--json"]);

    drop(sandbox);
    let offline = home.run(&["properties", "list", "--profile", profile]);
    assert_eq!(code(&offline), 0, "{}", stderr(&offline));
    assert_eq!(stdout(&offline), text, "the cache answers offline, the same as online");
    let offline_json = home.run(&["properties", "list", "--profile", profile, "--json"]);
    assert_eq!(code(&offline_json), 0, "{}", stderr(&offline_json));
    assert_eq!(stdout(&offline_json), stdout(&online_json));
    let definitions = json_lines(&offline_json);
    assert_eq!(definitions.len(), SANDBOX_DEFINITIONS);
    let by_slug = |slug: &str| definitions.iter().find(|d| d["slug"] == slug).expect("listed").clone();
    assert_eq!(
        by_slug("plan"),
        json!({"slug": "plan", "name": "Plan", "type": "dropdown", "options": ["Free", "Pro", "Enterprise"]})
    );
    assert_eq!(by_slug("vip"), json!({"slug": "vip", "name": "VIP", "type": "bool", "options": []}));

    // Refreshing offline fails in one line and keeps what is cached.
    let failed = home.run(&["properties", "refresh", "--profile", profile]);
    assert_eq!(code(&failed), 1, "{}", stderr(&failed));
    let told = said(&failed);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].starts_with(&format!("intake: cannot fetch the property definitions of profile \"{profile}\": ")),
        "{told:?}"
    );
    assert_eq!(stdout(&home.run(&["properties", "list", "--profile", profile])), text, "the cache is kept");
}

#[test]
fn refresh_refuses_finosu_unknown_profiles_and_rejected_credentials_clearly() {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    let finosu = home.run(&["properties", "refresh", "--profile", "sandbox-finosu"]);
    assert_eq!(code(&finosu), 2);
    let told = said(&finosu);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("is a Finosu profile") && told[0].contains("Finosu has none"), "{told:?}");
    let list = home.run(&["properties", "list", "--profile", "sandbox-finosu"]);
    assert_eq!(code(&list), 2, "{}", stderr(&list));

    let unknown = home.run(&["properties", "refresh", "--profile", "Nobody"]);
    assert_eq!(code(&unknown), 2);
    assert!(said(&unknown)[0].contains("no profile named \"Nobody\""), "{:?}", said(&unknown));

    let profile = "Props Rejected HS";
    let add = home.run(&[
        "profile",
        "add",
        "--name",
        profile,
        "--backend",
        "helpscout",
        "--base-url",
        sandbox.helpscout_url(),
    ]);
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let no_secret = home.run(&["properties", "refresh", "--profile", profile]);
    assert_eq!(code(&no_secret), 1, "{}", stderr(&no_secret));
    let told = said(&no_secret);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("intake credentials set"), "says how to store it: {told:?}");

    let id = sandbox.info["helpscout"]["client_id"].as_str().expect("client id").to_owned();
    let set = home
        .run_with_stdin(&["credentials", "set", "--profile", profile, "--client-id", &id], Some("not-the-secret\n"));
    assert_eq!(code(&set), 0, "{}", stderr(&set));
    let rejected = home.run(&["properties", "refresh", "--profile", profile]);
    assert_eq!(code(&rejected), 1, "{}", stderr(&rejected));
    let told = said(&rejected);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("refused") && told[0].contains("client secret"), "{told:?}");
    assert!(!told[0].contains("not-the-secret"), "the secret is not repeated: {told:?}");
}

#[test]
fn validate_with_a_profile_judges_by_the_accounts_cached_definitions() {
    let profile = "Props Validate HS";
    let (sandbox, home) = help_scout_profile(profile);
    let refresh = home.run(&["properties", "refresh", "--profile", profile]);
    assert_eq!(code(&refresh), 0, "{}", stderr(&refresh));
    drop(sandbox); // From here on only the cache speaks.

    let wrong = home.draft("wrong.json", &wrong_properties());
    let right =
        home.draft("right.json", &json!({"firstName": "Vernon", "properties": {"shoeSize": 44, "plan": "Pro"}}));
    let output = home.run(&["validate", "--profile", profile, "--json", path_str(&wrong), path_str(&right)]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(said(&output).is_empty(), "nothing to say about definitions: {:?}", said(&output));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], false);
    let error = |path: &str| (path.to_owned(), "error".to_owned());
    assert_eq!(
        issue_paths(&lines[0]),
        [error("/properties/shoeSize"), error("/properties/colour"), error("/properties/plan")],
        "{}",
        lines[0]
    );
    let messages: Vec<&str> =
        lines[0]["issues"].as_array().expect("issues").iter().filter_map(|i| i["message"].as_str()).collect();
    assert!(messages[0].contains("must be a whole number"), "{messages:?}");
    assert!(messages[1].contains("is not defined in this Help Scout account; Help Scout rejects it"), "{messages:?}");
    assert!(messages[2].ends_with("must be one of: Free, Pro, Enterprise."), "{messages:?}");
    assert_eq!(lines[1]["valid"], true, "{}", lines[1]);
    assert_eq!(lines[1]["issues"], json!([]));

    let text = home.run(&["validate", "--profile", profile, path_str(&wrong)]);
    assert_eq!(code(&text), 1);
    let out = stdout(&text);
    assert!(out.starts_with(&format!("{}: invalid, 3 errors\n", wrong.display())), "{out}");
    assert!(
        out.contains("  error   /properties/colour: Property \"colour\" is not defined in this Help Scout account"),
        "{out}"
    );
    assert!(out.contains("  error   /properties/shoeSize: Property \"shoeSize\" must be a whole number"), "{out}");

    // --backend knows no account: the same file only gets warnings that the slugs are unchecked.
    let by_backend = home.run(&["validate", "--backend", "helpscout", "--json", path_str(&wrong)]);
    assert_eq!(code(&by_backend), 0, "{}", stderr(&by_backend));
    let line = &json_lines(&by_backend)[0];
    let warning = |path: &str| (path.to_owned(), "warning".to_owned());
    assert_eq!(
        issue_paths(line),
        [warning("/properties/shoeSize"), warning("/properties/colour"), warning("/properties/plan")],
        "{line}"
    );

    let both = home.run(&["validate", "--profile", profile, "--backend", "helpscout", path_str(&wrong)]);
    assert_eq!(code(&both), 2);
    assert!(stderr(&both).contains("cannot be used with"), "{}", stderr(&both));
    let neither = home.run(&["validate", path_str(&wrong)]);
    assert_eq!(code(&neither), 2, "{}", stderr(&neither));

    // A Finosu profile's rules are Finosu's.
    let finosu = home.draft("finosu.json", &json!({"firstName": "Ada"}));
    let output = home.run(&["validate", "--profile", "sandbox-finosu", "--json", path_str(&finosu)]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(issue_paths(&json_lines(&output)[0]).contains(&error("/lastName")), "{}", stdout(&output));
}

#[test]
fn validate_with_a_profile_fetches_the_definitions_first_when_none_are_cached() {
    let profile = "Props Fetch First HS";
    let (sandbox, home) = help_scout_profile(profile);
    let wrong = home.draft("wrong.json", &wrong_properties());

    let output = home.run(&["validate", "--profile", profile, "--json", path_str(&wrong)]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        said(&output),
        [format!("intake: Fetched {SANDBOX_DEFINITIONS} property definitions for profile \"{profile}\".")]
    );
    let line = &json_lines(&output)[0];
    assert!(issue_paths(line).contains(&("/properties/colour".to_owned(), "error".to_owned())), "{line}");
    let list = home.run(&["properties", "list", "--profile", profile, "--json"]);
    assert_eq!(code(&list), 0, "cached by validate: {}", stderr(&list));
    assert_eq!(json_lines(&list).len(), SANDBOX_DEFINITIONS);
    let again = home.run(&["validate", "--profile", profile, path_str(&wrong)]);
    assert!(said(&again).is_empty(), "no second fetch: {:?}", said(&again));

    // A second profile of the same account, nothing cached and the server gone: validated
    // without definitions, said once for all the files.
    let other = "Props Offline HS";
    real_profile(&home, &sandbox, other, "helpscout", sandbox.helpscout_url());
    drop(sandbox);
    let output = home.run(&["validate", "--profile", other, "--json", path_str(&wrong), path_str(&wrong)]);
    assert_eq!(code(&output), 0, "only warnings: {}", stderr(&output));
    let told = said(&output);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains(&format!("cannot fetch the property definitions of profile \"{other}\"")), "{told:?}");
    assert!(told[0].contains("checked without the account's definitions"), "{told:?}");
    assert!(told[0].contains(&format!("intake properties refresh --profile \"{other}\"")), "{told:?}");
    for line in json_lines(&output) {
        let paths = issue_paths(&line);
        assert_eq!(paths.len(), 3, "{line}");
        assert!(
            paths.iter().all(|(path, severity)| path.starts_with("/properties/") && severity == "warning"),
            "{line}"
        );
    }
    let list = home.run(&["properties", "list", "--profile", other]);
    assert_eq!(code(&list), 1, "nothing was cached: {}", stdout(&list));
}

#[test]
fn submit_and_outbox_add_refuse_a_property_the_account_does_not_define() {
    let profile = "Props Submit HS";
    let (sandbox, home) = help_scout_profile(profile);
    let refresh = home.run(&["properties", "refresh", "--profile", profile]);
    assert_eq!(code(&refresh), 0, "{}", stderr(&refresh));
    let file = home.draft(
        "undefined.json",
        &json!({"firstName": "Vernon", "emails": [{"type": "work", "value": "vernon@example.com"}],
                "properties": {"colour": "green"}}),
    );
    let commands: [&[&str]; 2] =
        [&["submit", "--profile", profile, "--json"], &["outbox", "add", "--profile", profile, "--json"]];
    for command in commands {
        let mut args = command.to_vec();
        args.push(path_str(&file));
        let output = home.run(&args);
        assert_eq!(code(&output), 1, "{command:?}: {}{}", stdout(&output), stderr(&output));
        let line = &json_lines(&output)[0];
        assert_eq!(line["outcome"], "invalid", "{command:?}: {line}");
        assert!(issue_paths(line).contains(&("/properties/colour".to_owned(), "error".to_owned())), "{line}");
    }
    assert_eq!(help_scout_total(&sandbox), 0, "nothing was created");
}
