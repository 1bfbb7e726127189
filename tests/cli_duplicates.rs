//! `intake submit` asks the server before it creates: a customer who exists is not sent unless
//! `--allow-duplicate`; a lookup that fails is reported in the line and the customer is sent;
//! a Finosu without its read route is tested, checked and reconciled by what it documents.

mod cli_support;

use cli_support::*;
use serde_json::{Value, json};

fn help_scout_customer(first: &str, email: &str) -> Value {
    json!({"firstName": first, "lastName": "Hopper", "emails": [{"type": "work", "value": email}]})
}

fn finosu_customer(first: &str, id: &str) -> Value {
    let mut body = example("finosu-customer.json");
    body["id"] = json!(id);
    body["firstName"] = json!(first);
    body
}

#[test]
fn a_help_scout_customer_with_a_known_email_is_not_created_twice() {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    real_profile(&home, &sandbox, "hs", "helpscout", sandbox.helpscout_url());
    let first = home.draft("grace.json", &help_scout_customer("Grace", "grace@navy.example"));
    let sent = home.run(&["submit", "--profile", "hs", "--json", first.to_str().unwrap()]);
    assert_eq!(code(&sent), 0, "{}{}", stdout(&sent), stderr(&sent));
    let line = &json_lines(&sent)[0];
    assert_eq!(line["outcome"], "created", "{line}");
    assert_eq!(line["duplicate_check"]["result"], "clear", "{line}");
    let created_id = line["id"].as_str().expect("an id").to_owned();

    // Another file, another first name, the same email in capitals.
    let again = home.draft("gracie.json", &help_scout_customer("Gracie", "GRACE@navy.example"));
    let refused = home.run(&["submit", "--profile", "hs", "--json", again.to_str().unwrap()]);
    assert_eq!(code(&refused), 1, "{}", stdout(&refused));
    let line = &json_lines(&refused)[0];
    assert_eq!(line["outcome"], "duplicate", "{line}");
    assert_eq!(line["duplicate_check"]["existing_ids"], json!([created_id]), "{line}");
    let message = line["message"].as_str().unwrap();
    assert!(
        message.contains("Grace Hopper <grace@navy.example>") && message.contains("--allow-duplicate"),
        "{message}"
    );
    assert_eq!(help_scout_total(&sandbox), 1, "nothing more was created");

    let text = home.run(&["submit", "--profile", "hs", again.to_str().unwrap()]);
    assert_eq!(code(&text), 1);
    assert!(stdout(&text).contains("not sent: Help Scout already has a customer with this email"), "{}", stdout(&text));

    // --allow-duplicate skips the check: the create goes to the server, which decides.
    let forced = home.run(&["submit", "--profile", "hs", "--json", "--allow-duplicate", again.to_str().unwrap()]);
    let line = &json_lines(&forced)[0];
    assert!(line.get("duplicate_check").is_none(), "{line}");
    assert!(line["status"].as_u64().is_some(), "the create was sent: {line}");
}

#[test]
fn a_finosu_customer_with_a_known_id_is_not_created_twice() {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    real_profile(&home, &sandbox, "fin", "finosu", sandbox.finosu_url());
    let first = home.draft("a.json", &finosu_customer("Ada", "DUP-0001"));
    let sent = home.run(&["submit", "--profile", "fin", "--json", first.to_str().unwrap()]);
    assert_eq!(json_lines(&sent)[0]["outcome"], "created", "{}", stdout(&sent));
    let other = home.draft("b.json", &finosu_customer("Augusta", "DUP-0001"));
    let refused = home.run(&["submit", "--profile", "fin", "--json", other.to_str().unwrap()]);
    assert_eq!(code(&refused), 1);
    let line = &json_lines(&refused)[0];
    assert_eq!(
        (line["outcome"].as_str(), line["duplicate_check"]["existing_ids"][0].as_str()),
        (Some("duplicate"), Some("DUP-0001")),
        "{line}"
    );
}

#[test]
fn a_lookup_that_fails_is_reported_in_the_line_and_the_customer_is_sent() {
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    let failing = sandbox.helpscout_url().replace("/helpscout", "/_fault/status-503/helpscout");
    real_profile(&home, &sandbox, "down", "helpscout", &failing);
    let file = home.draft("g.json", &help_scout_customer("Grace", "grace@down.example"));
    let output = home.run(&["submit", "--profile", "down", file.to_str().unwrap()]);
    let text = stdout(&output);
    assert!(text.contains("Could not check for an existing customer:") && text.contains("503"), "{text}");
    assert!(text.contains("Sent anyway:"), "the send was made all the same: {text}");
    let json = home.run(&["submit", "--profile", "down", "--json", file.to_str().unwrap()]);
    let line = &json_lines(&json)[0];
    assert_eq!(line["duplicate_check"]["result"], "lookup_failed", "{line}");
    assert_eq!(line["status"], 503, "the create itself was sent (and failed the same way): {line}");
}

#[test]
fn a_finosu_without_its_read_route_is_tested_checked_and_reconciled_by_its_documented_post() {
    let sandbox = ForegroundSandbox::start(&["--finosu-without-read-route", "--rate-limit", "0"]);
    let home = Home::new();
    real_profile(&home, &sandbox, "post only", "finosu", sandbox.finosu_url());

    let check = home.run(&["credentials", "check", "--profile", "post only", "--json"]);
    assert_eq!(code(&check), 0, "{}{}", stdout(&check), stderr(&check));
    let line = &json_lines(&check)[0];
    assert_eq!((line["verdict"].as_str(), line["probe"].as_str()), (Some("ok"), Some("empty_create")), "{line}");
    let statuses: Vec<u64> = line["steps"].as_array().unwrap().iter().filter_map(|s| s["status"].as_u64()).collect();
    assert_eq!(statuses, [404, 404, 400], "{line}");

    let file = home.draft("a.json", &finosu_customer("Ada", "NOREAD-0001"));
    let sent = home.run(&["submit", "--profile", "post only", file.to_str().unwrap()]);
    assert_eq!(code(&sent), 0, "{}{}", stdout(&sent), stderr(&sent));
    assert!(stdout(&sent).contains("Not checked for duplicates: Finosu cannot be asked"), "{}", stdout(&sent));
    assert!(stdout(&sent).contains("Sent anyway: Created customer NOREAD-0001"), "{}", stdout(&sent));

    // A create whose answer is lost cannot be looked up: it may have been created.
    let dropping = sandbox.finosu_url().replace("/finosu", "/_fault/commit-drop/finosu");
    real_profile(&home, &sandbox, "post only drop", "finosu", &dropping);
    let lost = home.draft("b.json", &finosu_customer("Augusta", "NOREAD-0002"));
    let output = home.run(&["submit", "--profile", "post only drop", "--json", lost.to_str().unwrap()]);
    assert_eq!(code(&output), 1, "{}{}", stdout(&output), stderr(&output));
    let line = &json_lines(&output)[0];
    assert_eq!(line["outcome"], "ambiguous", "{line}");
    let message = line["message"].as_str().unwrap();
    assert!(message.contains("may have been created") && message.contains("Finosu cannot be asked"), "{message}");
}
