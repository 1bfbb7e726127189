//! `intake validate`, run as the real binary on files in a temporary directory: exit codes,
//! the human report, the `--json` lines, and errors for files that cannot be used.

mod fixtures;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn intake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("the intake binary runs")
}

fn validate(backend: &str, extra: &[&str], files: &[&Path]) -> Output {
    let mut args = vec!["validate", "--backend", backend];
    args.extend_from_slice(extra);
    let files: Vec<&str> = files.iter().map(|f| f.to_str().expect("a UTF-8 temp path")).collect();
    args.extend(files);
    intake(&args)
}

fn write(dir: &Path, name: &str, body: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(body).expect("JSON")).expect("write the draft");
    path
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn valid_finosu() -> Value {
    json!({
        "id": "C-1001", "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
        "birthday": "1985-06-15", "phoneNumber": "(415) 555-0123", "timezone": "America/Los_Angeles",
        "streetAddress1": "123 Main St", "city": "San Francisco", "state": "CA", "zipCode": "94102",
        "taskType": "collections", "isTest": true, "test": true
    })
}

/// One problem: an email without a domain.
fn invalid_finosu() -> Value {
    let mut body = valid_finosu();
    body["email"] = json!("ada@");
    body
}

/// Only a warning: the ZIP belongs to another state.
fn warning_finosu() -> Value {
    let mut body = valid_finosu();
    body["zipCode"] = json!("10001");
    body
}

#[test]
fn valid_file_exits_0_and_says_valid() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "ada.json", &valid_finosu());
    let output = validate("finosu", &[], &[&file]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let out = stdout(&output);
    assert_eq!(out, format!("{}: valid\n", file.display()));
}

#[test]
fn invalid_file_exits_1_with_path_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bad.json", &invalid_finosu());
    let output = validate("finosu", &[], &[&file]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let out = stdout(&output);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(format!("{}: invalid, 1 error", file.display()).as_str()), "{out}");
    let line = lines.next().unwrap();
    assert!(line.trim_start().starts_with("error"), "{line}");
    assert!(line.contains("/email: Email is not a valid email address"), "{line}");
    assert_eq!(lines.next(), None, "{out}");
}

#[test]
fn missing_required_fields_are_listed_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "empty.json", &json!({"firstName": "Ada"}));
    let output = validate("finosu", &[], &[&file]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(out.starts_with(&format!("{}: invalid, 11 errors\n", file.display())), "{out}");
    assert!(out.contains("/taskType: Task type is required."), "{out}");
    assert!(!out.contains("/firstName"), "{out}");
    assert_eq!(out.lines().count(), 12, "{out}");
}

#[test]
fn warnings_only_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "warn.json", &warning_finosu());
    let output = validate("finosu", &[], &[&file]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let out = stdout(&output);
    assert!(out.starts_with(&format!("{}: valid, 1 warning\n", file.display())), "{out}");
    assert!(out.contains("warning") && out.contains("/zipCode: ZIP code 10001 is New York, NY, not CA"), "{out}");
}

#[test]
fn a_valid_and_an_invalid_file_exit_1_and_both_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &valid_finosu());
    let bad = write(dir.path(), "bad.json", &invalid_finosu());
    for files in [[&good, &bad], [&bad, &good]] {
        let output = validate("finosu", &[], &[files[0], files[1]]);
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let out = stdout(&output);
        assert!(out.contains(&format!("{}: valid\n", good.display())), "{out}");
        assert!(out.contains(&format!("{}: invalid, 1 error\n", bad.display())), "{out}");
    }
}

#[test]
fn missing_file_exits_2_with_the_reason_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &valid_finosu());
    let missing = dir.path().join("nope.json");
    let output = validate("finosu", &[], &[&missing, &good]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let err = stderr(&output);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("cannot read the file"), "{err}");
    assert!(err.contains("No such file or directory"), "{err}");
    // The other file is still checked and reported.
    assert!(stdout(&output).contains(&format!("{}: valid", good.display())));
    // Even when another file is invalid, an unreadable one decides the exit code.
    let bad = write(dir.path(), "bad.json", &invalid_finosu());
    assert_eq!(validate("finosu", &[], &[&bad, &missing]).status.code(), Some(2));
}

#[test]
fn a_directory_or_unreadable_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = validate("finosu", &[], &[dir.path()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("cannot read the file"), "{}", stderr(&output));

    let binary = dir.path().join("photo.json");
    std::fs::write(&binary, [0x89, b'P', b'N', b'G', 0xff, 0xfe, 0x00]).unwrap();
    let output = validate("finosu", &[], &[&binary]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not text"), "{}", stderr(&output));
}

#[test]
fn not_json_exits_2_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(&file, "{\n  \"firstName\": \"Ada\",\n  lastName: \"Lovelace\"\n}\n").unwrap();
    let output = validate("finosu", &[], &[&file]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let err = stderr(&output);
    assert!(err.contains("not valid JSON"), "{err}");
    assert!(err.contains("line 3, column 3"), "{err}");
    assert!(err.contains(&file.display().to_string()), "{err}");
}

#[test]
fn a_10_mb_file_exits_2_as_too_big() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.json");
    let mut text = String::from("{\"firstName\": \"");
    text.push_str(&"a".repeat(10 * 1024 * 1024));
    text.push_str("\"}");
    std::fs::write(&file, text).unwrap();
    let output = validate("finosu", &[], &[&file]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let err = stderr(&output);
    assert!(err.contains("too big"), "{err}");
    assert!(err.contains("10.5 MB") && err.contains("limit is 1 MB"), "{err}");
}

#[test]
fn empty_file_and_non_object_json_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let output = validate("finosu", &[], &[&empty]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("line 1, column 0"), "{}", stderr(&output));

    let list = write(dir.path(), "list.json", &json!([valid_finosu()]));
    let output = validate("finosu", &[], &[&list]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("(body): The draft must be a JSON object"), "{}", stdout(&output));
}

#[test]
fn a_byte_order_mark_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.json");
    let text = format!("\u{feff}{}", serde_json::to_string(&valid_finosu()).unwrap());
    std::fs::write(&file, text).unwrap();
    assert_eq!(validate("finosu", &[], &[&file]).status.code(), Some(0));
}

#[test]
fn json_output_is_one_object_per_file_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &valid_finosu());
    let bad = write(dir.path(), "bad.json", &invalid_finosu());
    let warn = write(dir.path(), "warn.json", &warning_finosu());
    let output = validate("finosu", &["--json"], &[&good, &bad, &warn]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let out = stdout(&output);
    let reports: Vec<Value> =
        out.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect();
    assert_eq!(reports.len(), 3, "{out}");

    for (report, file) in reports.iter().zip([&good, &bad, &warn]) {
        let object = report.as_object().unwrap();
        assert_eq!(object.keys().collect::<Vec<_>>(), ["file", "valid", "issues"], "{report}");
        assert_eq!(report["file"], json!(file.display().to_string()));
        for issue in report["issues"].as_array().unwrap() {
            let keys: Vec<&String> = issue.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["path", "severity", "message"], "{issue}");
        }
    }
    assert_eq!(reports[0]["valid"], json!(true));
    assert_eq!(reports[0]["issues"], json!([]));
    assert_eq!(reports[1]["valid"], json!(false));
    assert_eq!(reports[1]["issues"].as_array().unwrap().len(), 1);
    assert_eq!(reports[1]["issues"][0]["path"], json!("/email"));
    assert_eq!(reports[1]["issues"][0]["severity"], json!("error"));
    assert!(reports[1]["issues"][0]["message"].as_str().unwrap().starts_with("Email is not a valid email address"));
    assert_eq!(reports[2]["valid"], json!(true));
    assert_eq!(reports[2]["issues"][0]["path"], json!("/zipCode"));
    assert_eq!(reports[2]["issues"][0]["severity"], json!("warning"));
}

#[test]
fn json_output_reports_unreadable_files_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &valid_finosu());
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{").unwrap();
    let output = validate("finosu", &["--json"], &[&broken, &good]);
    assert_eq!(output.status.code(), Some(2));
    let reports: Vec<Value> = stdout(&output).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["file"], json!(broken.display().to_string()));
    assert_eq!(reports[0]["valid"], json!(false));
    assert_eq!(reports[0]["issues"], json!([]));
    assert!(reports[0]["error"].as_str().unwrap().contains("not valid JSON"), "{}", reports[0]);
    assert_eq!(reports[1]["valid"], json!(true));
    // The reason is on stderr too, for people reading a terminal.
    assert!(stderr(&output).contains("not valid JSON"));
}

#[test]
fn help_scout_backend_uses_help_scout_rules() {
    let dir = tempfile::tempdir().unwrap();
    let seed = fixtures::help_scout_seed_body();
    let good = write(dir.path(), "vernon.json", &seed);
    let output = validate("helpscout", &[], &[&good]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout(&output), format!("{}: valid\n", good.display()));

    let bad = write(dir.path(), "bad.json", &json!({"emails": [{"type": "work"}], "gender": "x"}));
    let output = validate("helpscout", &["--json"], &[&bad]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_str(stdout(&output).trim_end()).unwrap();
    let paths: Vec<&str> = report["issues"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/emails/0/value", "/gender"]);

    // The same valid Finosu file is not valid for Help Scout (and vice versa).
    let finosu = write(dir.path(), "ada.json", &valid_finosu());
    let output = validate("helpscout", &[], &[&finosu]);
    assert_eq!(output.status.code(), Some(0), "unknown fields are only warnings: {output:?}");
    assert!(stdout(&output).contains("Help Scout has no field \"zipCode\""), "{}", stdout(&output));
    assert_eq!(validate("finosu", &[], &[&good]).status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "ada.json", &valid_finosu());
    let file = file.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["validate", file], "--backend"),
        (&["validate", "--backend", "zendesk", file], "zendesk"),
        (&["validate", "--backend", "finosu"], "FILE"),
        (&["validate", "--backend"], "--backend"),
    ];
    for (args, words) in cases {
        let output = intake(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        let err = stderr(&output);
        assert!(err.contains("error:") && err.contains(words), "{args:?}: {err}");
    }
    // The unknown-backend message lists the real ones.
    let err = stderr(&intake(&["validate", "--backend", "zendesk", file]));
    assert!(err.contains("finosu") && err.contains("helpscout"), "{err}");
}

/// Each file is its own process, so each phone here is that process's first check of its
/// calling code: the metadata of the code is loaded then, and the verdict is libphonenumber's.
#[test]
fn a_process_first_check_of_a_number_from_elsewhere_is_right() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        ("+44 20 7946 0958", true),
        ("+81 3-1234-5678", true),
        ("011 49 30 901820", true),
        ("+1 416 555 0123", true),
        ("+44 20 7946", false),
        ("+1 555 555 0123", false),
    ];
    for (phone, valid) in cases {
        let mut body = valid_finosu();
        body["phoneNumber"] = json!(phone);
        let file = write(dir.path(), "phone.json", &body);
        let output = validate("finosu", &["--json"], &[&file]);
        let line: Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON line");
        assert_eq!(line["valid"], json!(valid), "{phone}: {line}");
        assert_eq!(output.status.code(), Some(i32::from(!valid)), "{phone}: {}", stderr(&output));
        if !valid {
            let issues = line["issues"].as_array().expect("issues");
            assert!(
                issues.iter().any(|issue| issue["path"] == "/phoneNumber"
                    && issue["message"].as_str().is_some_and(|m| m.contains("does not exist as a phone number"))),
                "{phone}: {line}"
            );
        }
    }
}
