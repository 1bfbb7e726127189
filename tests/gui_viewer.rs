//! The response viewer in a kittest harness, over exchanges built by hand: a Finosu customer
//! created, a Help Scout validation error, a timeout, a 10 MB JSON answer and an HTML error page;
//! and over the records the real clients made of requests with clear secrets to the sandbox.
//!
//! Snapshots: `UPDATE_SNAPSHOTS=1 cargo test --test gui_viewer`, then look at every changed image.

mod fixtures;
mod gui_support;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use egui::accesskit::Role;
use egui::{OutputCommand, Theme};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use egui_kittest::{Harness, SnapshotResults};
use gui_support::{all_text, click_accesskit, has_label, shown, viewer_harness};
use intake::backends::{
    Endpoint, Exchange, FieldError, FinosuClient, Header, HelpScoutAuth, HelpScoutClient, Outcome, ResponseRecord,
    Secret, TimeoutPhase, TokenGrant, TokenSink,
};
use intake::model::Backend;
use intake::normalize::normalize_for_sending;
use intake::sandbox::{FINOSU_API_KEY, HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET, SandboxConfig, SandboxServer};
use intake::ui::viewer::{CHILDREN_PAGE, MAX_ROW_BYTES, ResponseViewer};
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
        write!(
            body,
            "{{\"id\":{index},\"email\":\"customer{index}@example.com\",\"note\":\"imported from the old CRM, row {index}\"}}"
        )
        .expect("writing to a String");
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
        writeln!(body, "<p>upstream connect error or disconnect/reset before headers, line {line}</p>")
            .expect("writing to a String");
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

/// Clicks the row of the attempts list that starts with `prefix`.
fn select_row(harness: &mut Harness<'_, ResponseViewer>, prefix: &str) {
    harness.get_by(|node| node.label().is_some_and(|label| label.starts_with(prefix))).click_accesskit();
    harness.run();
}

// ----------------------------------------------------------------------------

#[test]
fn empty_viewer_says_nothing_was_sent() {
    let harness = viewer_harness(Vec::new(), Theme::Light);
    assert!(harness.state().is_empty());
    assert!(shown(&harness, "No requests yet"), "no empty-state text");
}

#[test]
fn created_shows_sentence_status_latency_and_headers() {
    let harness = viewer_harness(vec![finosu_created()], Theme::Light);
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
    let mut harness = viewer_harness(vec![finosu_big_json(), help_scout_rejected()], Theme::Light);
    // Small containers start open: the two field errors are readable at once.
    harness.get_by_label("_embedded: { 1 key }");
    harness.get_by_label("errors: [ 2 items ]");
    harness.get_by_label(r#"path: "emails[1].value""#);
    harness.get_by_label(r#"message: "may not be empty""#);
    // Containers that are big, or among many siblings, start closed.
    select_row(&mut harness, "#1 09:46:07 GET 200 1530 ms\n");
    let customers = harness.query_all_by_label_contains("customers: [ ").count();
    assert_eq!(customers, 1, "one closed customers array");
    assert!(!shown(&harness, "customer0@example.com"));
    harness.get_by_label_contains("customers: [ ").click_accesskit();
    harness.run();
    harness.get_by_label("0: { 3 keys }");
    assert!(!shown(&harness, "customer0@example.com"), "items among many start closed");
    click_accesskit(&mut harness, "0: { 3 keys }");
    harness.get_by_label(r#"email: "customer0@example.com""#);
    harness.get_by_label("id: 0");
}

#[test]
fn rejected_shows_the_field_errors_sentence() {
    let harness = viewer_harness(vec![help_scout_rejected()], Theme::Light);
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
    let harness = viewer_harness(vec![finosu_timeout()], Theme::Light);
    harness.get_by_label(
        "No answer within 30 s. The customer may or may not have been created; check before sending again.",
    );
    harness.get_by_label("no response");
    harness.get_by_label("30004 ms");
    harness.get_by_label_contains("No response: nothing came back");
    assert!(!shown(&harness, "Response headers"));
    assert!(harness.get_by_role_and_label(Role::Button, "Copy body").accesskit_node().is_disabled());
    // The request is still there to read and to copy.
    harness.get_by_label("X-API-Key");
    assert!(has_label(&harness, r#"firstName: "Ada""#));
}

#[test]
fn attempts_list_is_newest_first_and_switches_selection() {
    let mut harness = viewer_harness(vec![finosu_created(), help_scout_rejected(), finosu_timeout()], Theme::Light);
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

    click_accesskit(&mut harness, "#1 09:41:07 POST 201 84 ms\nCreated customer 101.");
    assert_eq!(harness.state().selected().map(|e| e.latency.as_millis()), Some(84));
    harness.get_by_label("201 Created");
    harness.get_by_label("Created customer 101.");
    assert!(!has_label(&harness, "no response"));

    click_accesskit(&mut harness, "#2 09:41:49 POST 400 213 ms\nRejected: 2 fields. Fix them and send again.");
    harness.get_by_label("400 Bad Request");
    // The newest is still the latest, whatever is shown.
    assert_eq!(harness.state().latest().map(|e| e.latency.as_millis()), Some(30_004));
}

#[test]
fn copy_as_curl_keeps_the_key_masked() {
    let mut harness = viewer_harness(vec![finosu_created()], Theme::Light);
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

/// Keeps every token grant a Help Scout client receives, to know its clear tokens.
#[derive(Debug, Default)]
struct Grants(std::sync::Mutex<Vec<TokenGrant>>);

impl TokenSink for Grants {
    fn token_granted(&self, grant: &TokenGrant) {
        self.0.lock().expect("not poisoned").push(grant.clone());
    }
}

/// The records the real clients make when they send clear secrets to the sandbox on loopback:
/// a Finosu create with the API key; a Help Scout client-credentials grant with the app's
/// secret, a create with the access token it got, and after the access token was revoked a
/// refused read, a refresh-token grant and the read again. With every clear secret involved.
fn sent_for_real() -> (Vec<Exchange>, Vec<String>) {
    let sandbox = SandboxServer::start(SandboxConfig::default()).expect("sandbox");
    let endpoint = |base: String| Endpoint::new(url::Url::parse(&base).expect("a URL"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let finosu = FinosuClient::new(endpoint(sandbox.finosu_base_url()), Secret::new(FINOSU_API_KEY)).expect("a client");
    let grants = Arc::new(Grants::default());
    let auth = HelpScoutAuth::client_credentials(HELPSCOUT_CLIENT_ID, Secret::new(HELPSCOUT_CLIENT_SECRET));
    let help_scout = HelpScoutClient::new(endpoint(sandbox.helpscout_base_url()), auth)
        .expect("a client")
        .with_token_sink(Some(Arc::clone(&grants) as Arc<dyn TokenSink>));

    let sent = |backend, body| normalize_for_sending(backend, &body);
    let mut exchanges = vec![runtime.block_on(finosu.create_customer(&sent(Backend::Finosu, fixtures::finosu_body())))];
    let help_scout_body = sent(Backend::HelpScout, fixtures::help_scout_seed_body());
    exchanges.extend(runtime.block_on(help_scout.create_customer(&help_scout_body)));
    sandbox.revoke_access_tokens();
    exchanges.extend(runtime.block_on(help_scout.get("/v2/users/me")));
    let kinds: Vec<&str> = exchanges.iter().map(|e| e.outcome.kind()).collect();
    assert_eq!(kinds, ["created", "token_granted", "created", "unauthorized", "token_granted", "answered"]);

    let mut secrets = vec![FINOSU_API_KEY.to_owned(), HELPSCOUT_CLIENT_SECRET.to_owned()];
    for grant in grants.0.lock().expect("not poisoned").iter() {
        secrets.push(grant.access_token.expose().to_owned());
        secrets.extend(grant.refresh_token.as_ref().map(|token| token.expose().to_owned()));
    }
    assert_eq!(secrets.len(), 6, "two grants, each an access and a refresh token");
    (exchanges, secrets)
}

#[test]
fn no_secret_sent_for_real_is_ever_drawn_or_copied() {
    let (exchanges, secrets) = sent_for_real();
    let count = exchanges.len();
    let mut harness = viewer_harness(exchanges, Theme::Light);
    let rows: Vec<String> =
        harness.query_all_by_label_contains("ms\n").filter_map(|n| n.accesskit_node().label()).collect();
    assert_eq!(rows.len(), count);
    let mut masked_seen = Vec::new();
    for row in rows {
        click_accesskit(&mut harness, &row);
        let text = all_text(&harness);
        let curl = copied_by(&mut harness, "Copy as curl");
        for secret in &secrets {
            // Neither the whole secret nor its hidden part (all but the last four) shows.
            let hidden = &secret[..secret.len() - 4];
            assert!(!text.contains(hidden), "{row}: a secret is on screen");
            assert!(!curl.contains(hidden), "{row}: a secret is in the curl command");
            let masked = Secret::new(secret.as_str()).masked();
            if text.contains(&masked) {
                masked_seen.push(masked);
            }
        }
    }
    // What stands in for each credential the requests carried in a header is on screen.
    for expected in ["••••e8a3".to_owned(), Secret::new(secrets[2].as_str()).masked()] {
        assert!(masked_seen.contains(&expected), "{expected} never shown: {masked_seen:?}");
    }
}

#[test]
fn big_json_pages_its_children() {
    let mut harness = viewer_harness(vec![finosu_big_json()], Theme::Light);
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

    click_accesskit(&mut harness, "Show more");
    harness.get_by_label(&first_hidden);
    harness.get_by_label_contains(&format!("{} of ", 2 * CHILDREN_PAGE));
    assert!(!has_label(&harness, &format!("{}: {{ 3 keys }}", 2 * CHILDREN_PAGE)));
}

#[test]
fn big_json_as_text_shows_all_on_request() {
    let mut harness = viewer_harness(vec![finosu_big_json()], Theme::Light);
    click_accesskit(&mut harness, "Text");
    harness.get_by_label(r#"  "customers": ["#);
    let show_all = harness.get_by_label_contains("Show all (").accesskit_node().label().unwrap();
    assert!(show_all.ends_with(" MB)"), "{show_all}");
    click_accesskit(&mut harness, &show_all);
    assert!(!shown(&harness, "Show all ("));
    // Frames with every row available still draw only those in view.
    harness.run_steps(3);
    assert!(harness.query_all_by_role(Role::Label).count() < 2_000);
}

#[test]
fn html_is_raw_text_with_show_all() {
    let mut harness = viewer_harness(vec![finosu_html_error()], Theme::Light);
    harness.get_by_label("Finosu had an error (502); nothing is wrong with the draft. Try again later.");
    harness.get_by_label("502 Bad Gateway");
    harness.get_by_label("<!DOCTYPE html>");
    harness.get_by_label_contains("text · 4006 lines");
    assert_eq!(harness.query_all_by_label("Tree").count(), 1, "a tree toggle for the JSON request only");
    let show_all = harness.get_by_label_contains("Show all (").accesskit_node().label().unwrap();
    assert!(show_all.ends_with(" KB)"), "{show_all}");
    click_accesskit(&mut harness, &show_all);
    assert!(!shown(&harness, "Show all"));
    harness.get_by_label("<!DOCTYPE html>");
}

#[test]
fn a_10_mb_line_of_text_is_drawn_a_row_at_a_time() {
    let mut exchange = finosu_html_error();
    if let Some(response) = &mut exchange.response {
        response.body = "<p>".repeat(3_400_000).into_bytes();
    }
    let mut harness = viewer_harness(vec![exchange], Theme::Light);
    harness.get_by_label("Show all (10.2 MB)");
    click_accesskit(&mut harness, "Show all (10.2 MB)");
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
    let harness = viewer_harness(vec![exchange], Theme::Light);
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
    let harness = viewer_harness(vec![exchange], Theme::Light);
    harness.get_by_label("Cut: only the first 1.0 KB of 20.0 MB were kept.");
}

#[test]
fn snapshots() {
    let mut results = SnapshotResults::new();
    let mut created = viewer_harness(vec![finosu_timeout(), help_scout_rejected(), finosu_created()], Theme::Light);
    results.add(created.try_snapshot("viewer_created"));
    let mut rejected = viewer_harness(vec![finosu_timeout(), finosu_created(), help_scout_rejected()], Theme::Light);
    results.add(rejected.try_snapshot("viewer_rejected"));
    let mut dark = viewer_harness(vec![finosu_timeout(), finosu_created(), help_scout_rejected()], Theme::Dark);
    results.add(dark.try_snapshot("viewer_rejected_dark"));
}

/// An answer holding tokens in a shape the token masking does not expect: a JSON array, a body
/// that is not JSON, a cut body.
fn tokens_in(body: &str, truncated_from: Option<usize>) -> Exchange {
    Exchange {
        response: Some(ResponseRecord {
            status: 200,
            reason: "OK".to_owned(),
            headers: vec![header("content-type", "application/json")],
            body: body.as_bytes().to_vec(),
            body_truncated_from: truncated_from,
        }),
        ..finosu_created()
    }
}

#[test]
fn tokens_in_any_body_shape_are_neither_drawn_nor_copied() {
    let secret = "tok-SECRET-0123456789";
    let bodies = [
        (format!(r#"[{{"access_token": "{secret}", "expires_in": 7200}}]"#), None),
        (format!("access_token={secret}&token_type=bearer&refresh_token={secret}"), None),
        (format!(r#"{{"data": {{"refresh_token": "{secret}", "client_secret": "{secret}""#), Some(1_000_000)),
    ];
    for (body, cut) in bodies {
        let mut harness = viewer_harness(vec![tokens_in(&body, cut)], Theme::Light);
        harness.run();
        assert!(!all_text(&harness).contains(secret), "drawn: {body}");
        let copied = copied_by(&mut harness, "Copy body");
        assert!(!copied.contains(secret), "copied: {copied}");
        assert!(copied.contains("••••"), "masked where it was: {copied}");
    }
}
