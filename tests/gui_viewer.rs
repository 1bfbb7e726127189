//! The response viewer in a kittest harness, over exchanges built by hand: a Finosu customer
//! created, a Help Scout validation error, a timeout, a 10 MB JSON answer and an HTML error page.
//!
//! Snapshots: `UPDATE_SNAPSHOTS=1 cargo test --test gui_viewer`, then look at every changed image.

use std::time::{Duration, SystemTime};

use chrono::FixedOffset;
use egui::accesskit::Role;
use egui::{OutputCommand, Theme};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use egui_kittest::{Harness, SnapshotResults};
use intake::backends::{Exchange, FieldError, Header, Outcome, ResponseRecord, Secret, TimeoutPhase};
use intake::model::Backend;
use intake::ui::viewer::{CHILDREN_PAGE, MAX_ROW_BYTES, PreparedExchange, ResponseViewer};
use serde_json::json;

/// The Finosu key in clear text: the records hold it masked, and it must never be drawn.
const FINOSU_KEY: &str = "fsk_live_7Qm2Xw9Lp4Rt8ZbVe8a3";
/// The Help Scout token in clear text, same rule.
const HELP_SCOUT_TOKEN: &str = "hs_at_Yk3vN8pQ2mW6tR1xZ9c4f2c";

const FINOSU_URL: &str = "http://127.0.0.1:8080/finosu/customers";

/// A fixed moment (09:41:07 UTC) plus `secs`.
fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_426_867 + secs)
}

fn header(name: &str, value: &str) -> Header {
    Header { name: name.to_owned(), value: value.to_owned() }
}

fn finosu_request_headers() -> Vec<Header> {
    vec![
        header("User-Agent", "intake/0.1.0"),
        header("Content-Type", "application/json"),
        header("Accept", "application/json"),
        header("X-API-Key", &Secret::new(FINOSU_KEY).masked()),
    ]
}

fn finosu_customer() -> serde_json::Value {
    json!({
        "id": "101",
        "firstName": "Ada",
        "lastName": "O'Brien",
        "email": "ada@example.com",
        "timezone": "America/Los_Angeles",
        "taskType": "collections",
        "testCustomer": true,
        "externalMetadata": {"employer": {"name": "Acme", "department": "R&D"}, "paySchedule": "biweekly"}
    })
}

fn finosu_created() -> Exchange {
    let body = finosu_customer();
    Exchange {
        backend: Backend::Finosu,
        started_at: at(0),
        method: "POST".to_owned(),
        url: FINOSU_URL.to_owned(),
        request_headers: finosu_request_headers(),
        request_body: Some(body.to_string()),
        response: Some(ResponseRecord {
            status: 201,
            reason: "Created".to_owned(),
            headers: vec![header("content-type", "application/json"), header("content-length", "262")],
            body: serde_json::to_vec(&body).expect("JSON serialises"),
            body_truncated_from: None,
        }),
        latency: Duration::from_millis(84),
        outcome: Outcome::Created { id: Some("101".to_owned()), location: None },
    }
}

fn help_scout_rejected() -> Exchange {
    let body = json!({
        "logRef": "8c7f3e2a-5b1d-4e9f-a6c0-3d2b1e0f9a87",
        "message": "Validation error",
        "_embedded": {"errors": [
            {"path": "emails[1].value", "message": "must be a well-formed email address",
             "source": "JSON", "rejectedValue": "vernon@bear"},
            {"path": "firstName", "message": "may not be empty", "source": "JSON", "rejectedValue": ""}
        ]}
    });
    Exchange {
        backend: Backend::HelpScout,
        started_at: at(42),
        method: "POST".to_owned(),
        url: "https://api.helpscout.net/v2/customers".to_owned(),
        request_headers: vec![
            header("User-Agent", "intake/0.1.0"),
            header("Content-Type", "application/json"),
            header("Authorization", &format!("Bearer {}", Secret::new(HELP_SCOUT_TOKEN).masked())),
        ],
        request_body: Some(
            json!({"firstName": "", "lastName": "Bear", "emails": [
                {"type": "work", "value": "bear@acme.com"}, {"type": "home", "value": "vernon@bear"}]})
            .to_string(),
        ),
        response: Some(ResponseRecord {
            status: 400,
            reason: "Bad Request".to_owned(),
            headers: vec![
                header("content-type", "application/vnd.error+json"),
                header("x-ratelimit-remaining-minute", "197"),
            ],
            body: serde_json::to_vec(&body).expect("JSON serialises"),
            body_truncated_from: None,
        }),
        latency: Duration::from_millis(213),
        outcome: Outcome::Rejected {
            message: "Validation error".to_owned(),
            field_errors: vec![
                FieldError {
                    pointer: "/emails/1/value".to_owned(),
                    server_path: "emails[1].value".to_owned(),
                    message: "must be a well-formed email address".to_owned(),
                    rejected_value: Some(json!("vernon@bear")),
                },
                FieldError {
                    pointer: "/firstName".to_owned(),
                    server_path: "firstName".to_owned(),
                    message: "may not be empty".to_owned(),
                    rejected_value: Some(json!("")),
                },
            ],
            valid_task_types: Vec::new(),
        },
    }
}

fn finosu_timeout() -> Exchange {
    Exchange {
        started_at: at(120),
        response: None,
        latency: Duration::from_millis(30_004),
        outcome: Outcome::Timeout { phase: TimeoutPhase::Response, limit: Duration::from_secs(30) },
        ..finosu_created()
    }
}

/// A `GET` answered with about 10 MB of JSON: `{"customers": [{"id", "email", "note"}, …]}`.
fn finosu_big_json() -> Exchange {
    let mut body = String::from("{\"customers\":[");
    let mut index = 0;
    while body.len() < 10_000_000 {
        if index > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            "{{\"id\":{index},\"email\":\"customer{index}@example.com\",\"note\":\"imported from the old CRM, row {index}\"}}"
        ));
        index += 1;
    }
    body.push_str("]}");
    Exchange {
        started_at: at(300),
        method: "GET".to_owned(),
        url: format!("{FINOSU_URL}?all=true"),
        request_body: None,
        response: Some(ResponseRecord {
            status: 200,
            reason: "OK".to_owned(),
            headers: vec![header("content-type", "application/json")],
            body: body.into_bytes(),
            body_truncated_from: None,
        }),
        latency: Duration::from_millis(1_530),
        outcome: Outcome::UnexpectedStatus { status: 200 },
        ..finosu_created()
    }
}

/// A proxy's error page, about 200 KB of HTML.
fn finosu_html_error() -> Exchange {
    let mut body = String::from("<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n");
    for line in 0..4_000 {
        body.push_str(&format!("<p>upstream connect error or disconnect/reset before headers, line {line}</p>\n"));
    }
    body.push_str("</body>\n</html>\n");
    Exchange {
        started_at: at(600),
        response: Some(ResponseRecord {
            status: 502,
            reason: "Bad Gateway".to_owned(),
            headers: vec![header("content-type", "text/html")],
            body: body.into_bytes(),
            body_truncated_from: None,
        }),
        latency: Duration::from_millis(61),
        outcome: Outcome::ServerError { status: 502 },
        ..finosu_created()
    }
}

fn prepared(exchange: Exchange) -> PreparedExchange {
    PreparedExchange::new_at_offset(exchange, FixedOffset::east_opt(0).expect("UTC is an offset"))
}

/// A viewer over `exchanges` (the last one selected), in `theme`.
fn harness_in(exchanges: Vec<Exchange>, theme: Theme) -> Harness<'static, ResponseViewer> {
    let mut viewer = ResponseViewer::default();
    for exchange in exchanges {
        viewer.push(prepared(exchange));
    }
    let mut harness = Harness::builder()
        .with_size([1180.0, 780.0])
        .with_theme(theme)
        .wgpu()
        .build_ui_state(|ui, viewer: &mut ResponseViewer| viewer.ui(ui), viewer);
    intake::ui::configure_style(&harness.ctx);
    harness.run();
    harness
}

fn harness(exchanges: Vec<Exchange>) -> Harness<'static, ResponseViewer> {
    harness_in(exchanges, Theme::Light)
}

/// Clicks `label` through AccessKit (works for widgets scrolled out of view) and settles.
fn click(harness: &mut Harness<'_, ResponseViewer>, label: &str) {
    harness.get_by_label(label).click_accesskit();
    harness.run();
}

/// Clicks the button `label` and returns what it put on the clipboard.
fn copied_by(harness: &mut Harness<'_, ResponseViewer>, label: &str) -> String {
    harness.get_by_role_and_label(Role::Button, label).click_accesskit();
    // The click is one event, so one frame: the copy command is in that frame's output.
    harness.step();
    let copied = harness.output().platform_output.commands.iter().find_map(|command| match command {
        OutputCommand::CopyText(text) => Some(text.clone()),
        _ => None,
    });
    harness.run();
    copied.unwrap_or_else(|| panic!("{label} copied nothing"))
}

/// Every label and value of the accessibility tree: all the text on screen.
fn all_text(harness: &Harness<'_, ResponseViewer>) -> Vec<String> {
    harness
        .root()
        .children_recursive()
        .flat_map(|node| {
            let node = node.accesskit_node();
            [node.label(), node.value()]
        })
        .flatten()
        .collect()
}

/// Clicks the row of the attempts list that starts with `prefix`.
fn select_row(harness: &mut Harness<'_, ResponseViewer>, prefix: &str) {
    harness.get_by(|node| node.label().is_some_and(|label| label.starts_with(prefix))).click_accesskit();
    harness.run();
}

fn has_label(harness: &Harness<'_, ResponseViewer>, label: &str) -> bool {
    harness.query_all_by_label(label).next().is_some()
}

fn has_label_containing(harness: &Harness<'_, ResponseViewer>, part: &str) -> bool {
    harness.query_all_by_label_contains(part).next().is_some()
}

// ----------------------------------------------------------------------------

#[test]
fn empty_viewer_says_nothing_was_sent() {
    let harness = harness(Vec::new());
    assert!(harness.state().is_empty());
    assert!(has_label_containing(&harness, "No requests yet"), "no empty-state text");
}

#[test]
fn created_shows_sentence_status_latency_and_headers() {
    let harness = harness(vec![finosu_created()]);
    let viewer = harness.state();
    assert_eq!((viewer.len(), viewer.latest().map(|e| e.latency.as_millis())), (1, Some(84)));
    harness.get_by_label("Created customer 101.");
    harness.get_by_label(&format!("POST {FINOSU_URL}"));
    harness.get_by_label("201 Created");
    harness.get_by_label("84 ms");
    harness.get_by_label("09:41:07");
    harness.get_by_label_contains("Response headers (2)");
    harness.get_by_label_contains("Request headers (4)");
    harness.get_by_label("X-API-Key");
    harness.get_by_label("••••e8a3");
    harness.get_by_label("content-length");
    // Request and response body both hold the customer; the response adds its id.
    assert_eq!(harness.query_all_by_label(r#"firstName: "Ada""#).count(), 2);
    assert_eq!(harness.query_all_by_label(r#"id: "101""#).count(), 2);
    assert_eq!(harness.query_all_by_label_contains("JSON object · 8 keys").count(), 2);
}

#[test]
fn nested_json_opens_on_click() {
    let mut harness = harness(vec![finosu_big_json(), help_scout_rejected()]);
    // Small containers start open: the two field errors are readable at once.
    harness.get_by_label("_embedded: { 1 key }");
    harness.get_by_label("errors: [ 2 items ]");
    harness.get_by_label(r#"path: "emails[1].value""#);
    harness.get_by_label(r#"message: "may not be empty""#);
    // Containers that are big, or among many siblings, start closed.
    select_row(&mut harness, "#1 09:46:07 GET 200 1530 ms\n");
    let customers = harness.query_all_by_label_contains("customers: [ ").count();
    assert_eq!(customers, 1, "one closed customers array");
    assert!(!has_label_containing(&harness, "customer0@example.com"));
    harness.get_by_label_contains("customers: [ ").click_accesskit();
    harness.run();
    harness.get_by_label("0: { 3 keys }");
    assert!(!has_label_containing(&harness, "customer0@example.com"), "items among many start closed");
    click(&mut harness, "0: { 3 keys }");
    harness.get_by_label(r#"email: "customer0@example.com""#);
    harness.get_by_label("id: 0");
}

#[test]
fn rejected_shows_the_field_errors_sentence() {
    let harness = harness(vec![help_scout_rejected()]);
    harness.get_by_label("Rejected: 2 fields. Fix them and send again.");
    harness.get_by_label("400 Bad Request");
    harness.get_by_label("213 ms");
    harness.get_by_label("Help Scout");
    harness.get_by_label("application/vnd.error+json");
    harness.get_by_label("Bearer ••••4f2c");
    harness.get_by_label(r#"logRef: "8c7f3e2a-5b1d-4e9f-a6c0-3d2b1e0f9a87""#);
}

#[test]
fn timeout_has_no_response_and_nothing_to_copy() {
    let harness = harness(vec![finosu_timeout()]);
    harness.get_by_label(
        "No answer within 30 s. The customer may or may not have been created; check before sending again.",
    );
    harness.get_by_label("no response");
    harness.get_by_label("30004 ms");
    harness.get_by_label_contains("No response: nothing came back");
    assert!(!has_label_containing(&harness, "Response headers"));
    assert!(harness.get_by_role_and_label(Role::Button, "Copy body").accesskit_node().is_disabled());
    // The request is still there to read and to copy.
    harness.get_by_label("X-API-Key");
    assert!(has_label(&harness, r#"firstName: "Ada""#));
}

#[test]
fn attempts_list_is_newest_first_and_switches_selection() {
    let mut harness = harness(vec![finosu_created(), help_scout_rejected(), finosu_timeout()]);
    let rows: Vec<String> = harness
        .root()
        .children_recursive()
        .filter_map(|node| node.accesskit_node().label())
        .filter(|label| label.starts_with('#'))
        .collect();
    assert_eq!(
        rows,
        [
            "#3 09:43:07 POST timeout 30004 ms\nNo answer within 30 s. The customer may or…",
            "#2 09:41:49 POST 400 213 ms\nRejected: 2 fields. Fix them and send again.",
            "#1 09:41:07 POST 201 84 ms\nCreated customer 101.",
        ]
    );
    assert_eq!(harness.state().selected().map(|e| e.latency.as_millis()), Some(30_004));
    harness.get_by_label("no response");

    click(&mut harness, "#1 09:41:07 POST 201 84 ms\nCreated customer 101.");
    assert_eq!(harness.state().selected().map(|e| e.latency.as_millis()), Some(84));
    harness.get_by_label("201 Created");
    harness.get_by_label("Created customer 101.");
    assert!(!has_label(&harness, "no response"));

    click(&mut harness, "#2 09:41:49 POST 400 213 ms\nRejected: 2 fields. Fix them and send again.");
    harness.get_by_label("400 Bad Request");
    // The newest is still the latest, whatever is shown.
    assert_eq!(harness.state().latest().map(|e| e.latency.as_millis()), Some(30_004));
}

#[test]
fn copy_as_curl_keeps_the_key_masked() {
    let mut harness = harness(vec![finosu_created()]);
    let curl = copied_by(&mut harness, "Copy as curl");
    assert!(curl.starts_with(&format!("curl -X POST '{FINOSU_URL}' \\\n")), "{curl}");
    assert!(curl.contains("-H 'X-API-Key: ••••e8a3'"), "{curl}");
    // The customer's apostrophe is quoted for the shell.
    assert!(curl.contains(r"O'\''Brien"), "{curl}");
    assert!(!curl.contains(FINOSU_KEY), "{curl}");

    let body = copied_by(&mut harness, "Copy body");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap(), finosu_customer());
    assert!(body.contains("\n  \"id\": \"101\","), "copied pretty: {body}");
}

#[test]
fn no_secret_is_ever_drawn() {
    let mut harness = harness(vec![finosu_created(), help_scout_rejected(), finosu_timeout()]);
    let rows: Vec<String> =
        harness.query_all_by_label_contains("ms\n").filter_map(|n| n.accesskit_node().label()).collect();
    assert_eq!(rows.len(), 3);
    for row in rows {
        click(&mut harness, &row);
        let text = all_text(&harness);
        assert!(text.iter().any(|t| t.contains("••••")), "a masked credential is shown");
        for secret in [FINOSU_KEY, HELP_SCOUT_TOKEN] {
            // Neither the whole secret nor its hidden part (all but the last four) shows.
            let hidden = &secret[..secret.len() - 4];
            assert!(!text.iter().any(|t| t.contains(hidden)), "{row}: a secret is on screen");
        }
    }
}

#[test]
fn big_json_pages_its_children() {
    let mut harness = harness(vec![finosu_big_json()]);
    harness.get_by_label_contains("JSON object · 1 key · 10.0 MB");
    harness.get_by_label_contains("customers: [ ").click_accesskit();
    harness.run();
    let last_shown = format!("{}: {{ 3 keys }}", CHILDREN_PAGE - 1);
    let first_hidden = format!("{CHILDREN_PAGE}: {{ 3 keys }}");
    harness.get_by_label(&last_shown);
    assert!(!has_label(&harness, &first_hidden));
    let total = harness.state().latest().and_then(|e| e.response.as_ref()).map(|r| r.body.len()).unwrap();
    assert!(total >= 10_000_000);
    harness.get_by_label_contains(&format!("{CHILDREN_PAGE} of "));

    click(&mut harness, "Show more");
    harness.get_by_label(&first_hidden);
    harness.get_by_label_contains(&format!("{} of ", 2 * CHILDREN_PAGE));
    assert!(!has_label(&harness, &format!("{}: {{ 3 keys }}", 2 * CHILDREN_PAGE)));
}

#[test]
fn big_json_as_text_shows_all_on_request() {
    let mut harness = harness(vec![finosu_big_json()]);
    click(&mut harness, "Text");
    harness.get_by_label(r#"  "customers": ["#);
    let show_all = harness.get_by_label_contains("Show all (").accesskit_node().label().unwrap();
    assert!(show_all.ends_with(" MB)"), "{show_all}");
    click(&mut harness, &show_all);
    assert!(!has_label_containing(&harness, "Show all ("));
    // Frames with every row available still draw only those in view.
    harness.run_steps(3);
    assert!(harness.query_all_by_role(Role::Label).count() < 2_000);
}

#[test]
fn html_is_raw_text_with_show_all() {
    let mut harness = harness(vec![finosu_html_error()]);
    harness.get_by_label("Finosu had an error (502); nothing is wrong with the draft. Try again later.");
    harness.get_by_label("502 Bad Gateway");
    harness.get_by_label("<!DOCTYPE html>");
    harness.get_by_label_contains("text · 4006 lines");
    assert_eq!(harness.query_all_by_label("Tree").count(), 1, "a tree toggle for the JSON request only");
    let show_all = harness.get_by_label_contains("Show all (").accesskit_node().label().unwrap();
    assert!(show_all.ends_with(" KB)"), "{show_all}");
    click(&mut harness, &show_all);
    assert!(!has_label_containing(&harness, "Show all"));
    harness.get_by_label("<!DOCTYPE html>");
}

#[test]
fn a_10_mb_line_of_text_is_drawn_a_row_at_a_time() {
    let mut exchange = finosu_html_error();
    if let Some(response) = &mut exchange.response {
        response.body = "<p>".repeat(3_400_000).into_bytes();
    }
    let mut harness = harness(vec![exchange]);
    harness.get_by_label("Show all (10.2 MB)");
    click(&mut harness, "Show all (10.2 MB)");
    harness.run_steps(3);
    let longest = harness
        .query_all_by_role(Role::Label)
        .filter_map(|node| node.accesskit_node().value())
        .map(|text| text.len())
        .max()
        .unwrap_or_default();
    assert_eq!(longest, MAX_ROW_BYTES, "the longest label is one row");
}

#[test]
fn empty_body_says_so() {
    let mut exchange = finosu_created();
    if let Some(response) = &mut exchange.response {
        response.body.clear();
    }
    let harness = harness(vec![exchange]);
    harness.get_by_label("(empty body)");
    assert!(harness.get_by_role_and_label(Role::Button, "Copy body").accesskit_node().is_disabled());
}

#[test]
fn a_cut_body_says_how_much_was_kept() {
    let mut exchange = finosu_html_error();
    if let Some(response) = &mut exchange.response {
        response.body.truncate(1_000);
        response.body_truncated_from = Some(20_000_000);
    }
    let harness = harness(vec![exchange]);
    harness.get_by_label("Cut: only the first 1.0 KB of 20.0 MB were kept.");
}

#[test]
fn snapshots() {
    let mut results = SnapshotResults::new();
    let mut created = harness(vec![finosu_timeout(), help_scout_rejected(), finosu_created()]);
    results.add(created.try_snapshot("viewer_created"));
    let mut rejected = harness(vec![finosu_timeout(), finosu_created(), help_scout_rejected()]);
    results.add(rejected.try_snapshot("viewer_rejected"));
    let mut dark = harness_in(vec![finosu_timeout(), finosu_created(), help_scout_rejected()], Theme::Dark);
    results.add(dark.try_snapshot("viewer_rejected_dark"));
}
