//! `intake profile list|add|remove`, run as the real binary with a private `INTAKE_HOME`.

mod cli_support;

use cli_support::*;
use serde_json::json;

#[test]
fn the_builtins_are_listed_on_a_fresh_home() {
    let home = Home::new();
    let output = home.run(&["profile", "list", "--json"]);
    assert_eq!(code(&output), 0);
    let names: Vec<String> = json_lines(&output).iter().map(|p| p["name"].as_str().unwrap_or("").to_owned()).collect();
    assert_eq!(names, ["Sandbox · Finosu", "Sandbox · Help Scout"]);
    let text = home.run(&["profile", "list"]);
    assert!(stdout(&text).contains("sandbox-helpscout"), "{}", stdout(&text));
}

#[test]
fn add_list_remove_round_trip_through_the_config_file() {
    let home = Home::new();
    let add = home.run(&[
        "profile",
        "add",
        "--name",
        "Acme Finosu",
        "--backend",
        "finosu",
        "--base-url",
        "https://api.acme.example/",
        "--timeout",
        "12",
    ]);
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let file = home.path().join("config/profiles.json");
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("profiles.json")).expect("json");
    let acme = stored["profiles"].as_array().expect("list").iter().find(|p| p["name"] == "Acme Finosu").cloned();
    assert_eq!(
        acme,
        Some(json!({"name": "Acme Finosu", "backend": "finosu", "base_url": "https://api.acme.example",
                    "connect_timeout_secs": 5, "timeout_secs": 12}))
    );
    let list = json_lines(&home.run(&["profile", "list", "--json"]));
    assert_eq!(list.len(), 3);

    let duplicate = home.run(&[
        "profile",
        "add",
        "--name",
        "acme finosu",
        "--backend",
        "helpscout",
        "--base-url",
        "https://x.example",
    ]);
    assert_eq!(code(&duplicate), 2);
    assert!(stderr(&duplicate).contains("exists already"), "{}", stderr(&duplicate));

    let remove = home.run(&["profile", "remove", "Acme Finosu"]);
    assert_eq!(code(&remove), 0, "{}", stderr(&remove));
    assert_eq!(json_lines(&home.run(&["profile", "list", "--json"])).len(), 2);
    let again = home.run(&["profile", "remove", "Acme Finosu"]);
    assert_eq!(code(&again), 2);
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    let home = Home::new();
    let insecure =
        home.run(&["profile", "add", "--name", "x", "--backend", "finosu", "--base-url", "http://api.example.com"]);
    assert_eq!(code(&insecure), 2);
    assert!(stderr(&insecure).contains("must start with https://"), "{}", stderr(&insecure));
    for url in ["http://127.0.0.1:8787/finosu", "http://localhost:1", "http://[::1]:9"] {
        let name = format!("local {url}");
        let ok = home.run(&["profile", "add", "--name", &name, "--backend", "finosu", "--base-url", url]);
        assert_eq!(code(&ok), 0, "{url}: {}", stderr(&ok));
    }
    let garbage = home.run(&["profile", "add", "--name", "y", "--backend", "finosu", "--base-url", "not a url"]);
    assert_eq!(code(&garbage), 2);
}

#[test]
fn built_in_profiles_cannot_be_removed_and_a_damaged_file_is_reported() {
    let home = Home::new();
    let output = home.run(&["profile", "remove", "sandbox-finosu"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("built in"), "{}", stderr(&output));

    std::fs::create_dir_all(home.path().join("config")).expect("mkdir");
    std::fs::write(home.path().join("config/profiles.json"), "{ broken").expect("write");
    let output = home.run(&["profile", "list"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("damaged"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(home.path().join("config/profiles.json")).expect("read"), "{ broken");
}
