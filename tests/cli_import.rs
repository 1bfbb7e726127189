//! `intake import` and `intake batch` as the real binary with a private `INTAKE_HOME`: files of
//! every shape, mappings, the report, and a 300-row batch sent exactly once across a `kill -9`
//! and within the sandbox's rate limit.

mod cli_support;

use std::time::{Duration, Instant};

use cli_support::*;
use intake::store::{ListFilter, RecordState};
use serde_json::Value;

/// Writes `text` as `name` in the home and returns its path as text.
fn file(home: &Home, name: &str, bytes: &[u8]) -> String {
    let path = home.path().join(name);
    std::fs::write(&path, bytes).expect("the file is written");
    path.display().to_string()
}

/// A Help Scout CSV of `count` rows with field-named headers.
fn help_scout_csv(count: usize) -> String {
    let mut text = String::from(
        "firstName,lastName,emails.0.value,address.city,address.state,address.postalCode,address.country\n",
    );
    text.extend((0..count).map(|n| format!("Grace{n},Hopper,grace{n}@example.com,Arlington,VA,22201,US\n")));
    text
}

fn batches(home: &Home) -> Vec<Value> {
    let listed = home.run(&["batch", "list", "--json"]);
    assert_eq!(code(&listed), 0, "{}", stderr(&listed));
    json_lines(&listed)
}

#[test]
fn field_named_columns_import_report_their_bad_rows_and_queue_the_rest() {
    let home = Home::new();
    let csv = "firstName,lastName,emails.0.value,emails.0.type\n\
               Ada,Lovelace,ada@example.com,work\n\
               Grace,Hopper,not-an-email,work\n\
               \"Mary, Jr.\",\"Multi\nLine\",mary@example.com,home\n\
               Ada,Again,ADA@example.com,work\n";
    let path = file(&home, "customers.csv", csv.as_bytes());
    let imported = home.run(&["import", "--profile", "sandbox-helpscout", "--queue", &path]);
    assert_eq!(code(&imported), 1, "invalid and repeated rows make exit 1: {}", stderr(&imported));
    let out = stdout(&imported);
    assert!(out.contains("row 2, column \"emails.0.value\": "), "the bad row, its column and message: {out}");
    assert!(out.contains("row 4: the same customer as row 1: not queued"), "{out}");
    assert!(out.contains("4 rows imported for profile"), "{out}");
    assert!(out.contains("2 queued"), "{out}");

    let store = store(&home);
    assert_eq!(store.count(RecordState::Queued, None).unwrap(), 2);
    assert_eq!(store.count(RecordState::Draft, None).unwrap(), 1, "the invalid row is kept as a draft");
    assert_eq!(store.count(RecordState::Ready, None).unwrap(), 1, "the repeat is kept, not queued");
    let listed = batches(&home);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["rows"], 4);
    assert_eq!(listed[0]["file_name"], "customers.csv");
    // The quoted field with a newline and a comma survived whole.
    let mary = store.records(&ListFilter::default()).unwrap().into_iter().find(|r| r.body["lastName"] == "Multi\nLine");
    assert_eq!(mary.expect("row 3").body["firstName"], "Mary, Jr.");

    // `batch queue` takes the valid rows not queued yet, and leaves the repeat for the person.
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let queued = home.run(&["batch", "queue", &id]);
    assert_eq!(code(&queued), 0, "{}", stderr(&queued));
    assert!(stdout(&queued).starts_with("0 rows"), "{}", stdout(&queued));
    let report = home.run(&["batch", "report", &id]);
    assert_eq!(code(&report), 1, "nothing sent yet");
    let text = stdout(&report);
    assert!(text.contains("4 rows: 0 sent, 0 failed, 2 pending, 2 not queued (1 with errors)"), "{text}");
    assert!(text.contains("the same customer as row 1"), "{text}");

    let json = home.run(&["import", "--profile", "sandbox-helpscout", "--json", &path]);
    let lines = json_lines(&json);
    assert_eq!(lines.len(), 3, "two rows with something to say, then the summary: {lines:?}");
    assert_eq!(lines[0]["row"], 2);
    assert_eq!(lines[0]["outcome"], "invalid");
    assert_eq!(lines[0]["issues"][0]["column"], "emails.0.value");
    assert_eq!(lines[1]["outcome"], "duplicate");
    assert_eq!(lines[1]["duplicate_of"], 1);
    assert_eq!(lines[2]["rows"], 4);
    assert_eq!(lines[2]["queued"], 0, "without --queue nothing is queued");
}

#[test]
fn guessed_columns_wait_for_a_mapping_which_is_then_remembered() {
    let home = Home::new();
    let csv = "First Name,Surname,E-mail,Notes\nAda,Lovelace,ada@example.com,met at the fair\n";
    let path = file(&home, "crm.csv", csv.as_bytes());
    let refused = home.run(&["import", "--profile", "sandbox-helpscout", &path]);
    assert_eq!(code(&refused), 2, "{}", stdout(&refused));
    let err = stderr(&refused);
    assert!(err.contains("\"E-mail\" looks like emails.0.value (a guess)"), "{err}");
    assert!(err.contains("--print-mapping"), "{err}");
    assert!(batches(&home).is_empty(), "nothing was imported");

    let printed = home.run(&["import", "--profile", "sandbox-helpscout", "--print-mapping", &path]);
    assert_eq!(code(&printed), 0, "{}", stderr(&printed));
    let mut mapping: Value = serde_json::from_str(&stdout(&printed)).expect("a mapping file");
    assert_eq!(mapping["columns"]["E-mail"], "emails.0.value");
    assert_eq!(mapping["columns"]["Surname"], "lastName");
    // The person sends Notes to background (Help Scout's notes field).
    mapping["columns"]["Notes"] = Value::from("background");
    let mapping_path = file(&home, "mapping.json", mapping.to_string().as_bytes());
    let imported = home.run(&["import", "--profile", "sandbox-helpscout", "--mapping", &mapping_path, &path]);
    assert_eq!(code(&imported), 0, "{}{}", stdout(&imported), stderr(&imported));
    let record = store(&home).records(&ListFilter::default()).unwrap().pop().expect("the row");
    assert_eq!(record.body["background"], "met at the fair");
    assert_eq!(record.body["emails"][0]["value"], "ada@example.com");

    // Same columns in another order: the remembered mapping is used without asking.
    let again = file(&home, "crm2.csv", b"E-mail,Notes,First Name,Surname\ngrace@example.com,n,Grace,Hopper\n");
    let second = home.run(&["import", "--profile", "sandbox-helpscout", &again]);
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    assert!(stderr(&second).contains("using the mapping remembered"), "{}", stderr(&second));

    // A mapping naming a field the backend lacks is refused with the path.
    let wrong = file(
        &home,
        "wrong.json",
        br#"{"columns": {"E-mail": "emial", "Notes": null, "First Name": null, "Surname": null}}"#,
    );
    let refused = home.run(&["import", "--profile", "sandbox-helpscout", "--mapping", &wrong, &path]);
    assert_eq!(code(&refused), 2);
    assert!(stderr(&refused).contains("\"emial\""), "{}", stderr(&refused));
}

#[test]
fn bad_files_are_refused_with_a_sentence_and_change_nothing() {
    let home = Home::new();
    let mut wide = (0..100_000).map(|n| format!("c{n}")).collect::<Vec<_>>().join(",");
    wide.push('\n');
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", Vec::new(), "empty"),
        ("binary.csv", vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xfe], "binary"),
        ("latin1.csv", b"firstName,lastName\nJos\xe9,Garc\xeda\n".to_vec(), "UTF-8"),
        ("ragged.csv", b"firstName,lastName\nAda,Lovelace\nGrace\n".to_vec(), "line 3"),
        ("quote.csv", b"firstName,lastName\n\"Ada,Lovelace\nGrace,Hopper\n".to_vec(), "quote"),
        ("header.csv", b"firstName,lastName\n".to_vec(), "no customers"),
        ("object.json", br#"{"firstName": "Ada"}"#.to_vec(), "object"),
        ("wide.csv", wide.into_bytes(), "columns"),
    ];
    for (name, bytes, said) in cases {
        let path = file(&home, name, &bytes);
        let refused = home.run(&["import", "--profile", "sandbox-helpscout", "--queue", &path]);
        assert_eq!(code(&refused), 2, "{name}: {}", stdout(&refused));
        let err = stderr(&refused);
        assert!(err.to_lowercase().contains(&said.to_lowercase()), "{name}: {err}");
        assert!(err.trim_end().ends_with('.'), "{name}: a sentence: {err}");
    }
    assert!(batches(&home).is_empty());
    assert!(store(&home).records(&ListFilter::default()).unwrap().is_empty(), "nothing was stored");
}

#[test]
fn json_arrays_and_json_lines_import_as_bodies() {
    let home = Home::new();
    let body = example("finosu-customer.json");
    let mut second = body.clone();
    second["id"] = Value::from("INT-SECOND");
    second["email"] = Value::from("second@example.com");
    let array = file(&home, "customers.json", Value::Array(vec![body.clone(), second.clone()]).to_string().as_bytes());
    let lines = file(&home, "customers.jsonl", format!("{body}\n{second}\n").as_bytes());
    for path in [array, lines] {
        let imported = home.run(&["import", "--profile", "sandbox-finosu", "--json", &path]);
        assert_eq!(code(&imported), 0, "{}", stderr(&imported));
        let summary = json_lines(&imported).pop().expect("the summary");
        assert_eq!(summary["rows"], 2);
        assert_eq!(summary["valid"], 2);
    }
    assert_eq!(batches(&home).len(), 2);
}

/// Imports `count` Help Scout rows for profile `HS` with `--queue`; returns the batch's id.
fn import_help_scout(home: &Home, count: usize) -> String {
    let path = file(home, "customers.csv", help_scout_csv(count).as_bytes());
    let imported = home.run(&["import", "--profile", "HS", "--queue", &path]);
    assert_eq!(code(&imported), 0, "{}{}", stdout(&imported), stderr(&imported));
    assert!(stdout(&imported).contains(&format!("{count} queued")), "{}", stdout(&imported));
    batches(home)[0]["id"].as_str().expect("the batch id").to_owned()
}

#[test]
fn an_imported_batch_killed_mid_send_is_sent_again_exactly_once() {
    let sandbox = ForegroundSandbox::start(&["--latency-ms", "100", "--rate-limit", "0"]);
    let home = Home::new();
    real_profile(&home, &sandbox, "HS", "helpscout", sandbox.helpscout_url());
    let batch = import_help_scout(&home, 300);

    kill_sender_mid_batch(&home, 20, 300);

    let finished = home.run(&["outbox", "send"]);
    assert_eq!(code(&finished), 0, "{}{}", stdout(&finished), stderr(&finished));
    assert_each_sent_once(&home, &sandbox, 300);

    let report = home.run(&["batch", "report", &batch]);
    assert_eq!(code(&report), 0, "{}", stdout(&report));
    assert!(stdout(&report).contains("300 rows: 300 sent, 0 failed, 0 pending, 0 not queued"), "{}", stdout(&report));
    let csv = home.run(&["batch", "report", &batch, "--csv", "-"]);
    assert_eq!(code(&csv), 0, "{}", stderr(&csv));
    let mut reader = csv::Reader::from_reader(csv.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    assert_eq!(rows.len(), 300);
    assert!(rows.iter().all(|row| &row[1] == "sent" && !row[3].is_empty()), "every row sent with its server id");
    let numbers: std::collections::BTreeSet<usize> = rows.iter().map(|row| row[0].parse().expect("a row")).collect();
    assert_eq!(numbers, (1..=300).collect(), "every row of the file once");
}

#[test]
fn a_batch_at_the_sandboxs_default_rate_limit_meets_at_most_one_429_per_minute() {
    // 120 creates weigh 240 against the default 200 a minute: the batch needs two windows.
    let sandbox = ForegroundSandbox::start(&[]);
    let home = Home::new();
    real_profile(&home, &sandbox, "HS", "helpscout", sandbox.helpscout_url());
    import_help_scout(&home, 120);
    let started = Instant::now();
    let sent = home.run(&["outbox", "send", "--json"]);
    let took = started.elapsed();
    assert_eq!(code(&sent), 0, "{}", stderr(&sent));
    let lines = json_lines(&sent);
    let refused = lines.iter().filter(|line| line["status"] == 429).count();
    let windows = took.as_secs().div_ceil(60).max(1);
    assert!(refused as u64 <= windows, "{refused} answers of 429 in {took:?}");
    assert_eq!(lines.iter().filter(|line| line["state"] == "sent").count(), 120);
    assert!(took >= Duration::from_secs(55), "the limit was kept: the second window waited ({took:?})");
    assert_eq!(help_scout_total(&sandbox), 120);
}

#[test]
fn the_readable_rows_of_a_broken_file_are_imported_only_when_asked() {
    let home = Home::new();
    let csv = "firstName,emails.0.value\nAda,ada@example.com\nGrace\nMary,mary@example.com\n";
    let path = file(&home, "broken.csv", csv.as_bytes());
    let refused = home.run(&["import", "--profile", "sandbox-helpscout", &path]);
    assert_eq!(code(&refused), 2);
    let err = stderr(&refused);
    assert!(err.contains("Line 3 has 1 column"), "{err}");
    assert!(err.contains("The other 2 rows can be read: --skip-bad-rows imports those"), "{err}");
    assert!(err.contains("Nothing was imported."), "{err}");
    assert!(batches(&home).is_empty());

    let imported = home.run(&["import", "--profile", "sandbox-helpscout", "--skip-bad-rows", &path]);
    assert_eq!(code(&imported), 1, "a row was left out: {}", stderr(&imported));
    let out = stdout(&imported);
    assert!(out.contains("line 3: left out: Line 3 has 1 column"), "{out}");
    assert!(out.contains("2 rows imported") && out.contains("1 unreadable row was left out."), "{out}");
    let rows: Vec<usize> = store(&home)
        .batch_rows(&intake::store::BatchId::from(batches(&home)[0]["id"].as_str().unwrap().to_owned()))
        .unwrap()
        .iter()
        .map(|row| row.row)
        .collect();
    assert_eq!(rows, [1, 3], "the rows keep their numbers in the file");
}
