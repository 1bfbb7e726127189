//! The sandbox's failure injection over real HTTP on 127.0.0.1: each forced fault of a
//! `/_fault/<fault>/…` base URL, the configured latency, fail rate and drop rate, what the
//! product's own clients make of them, and starting and stopping the server.

mod sandbox_support;

use std::time::Duration;

use intake::backends::{Endpoint, FinosuClient, HelpScoutAuth, HelpScoutClient, Outcome, Secret, TimeoutPhase};
use intake::model::Backend;
use intake::sandbox::{FINOSU_API_KEY, Fault, SandboxConfig, SandboxError, SandboxServer};
use reqwest::Client;
use serde_json::{Value, json};
use url::Url;

use sandbox_support::{
    client, client_with_timeout, finosu_customer, finosu_get, finosu_post, finosu_post_to, header, start, start_with,
    vnd_error, wait_until,
};

/// At least this many bytes in a huge answer.
const TEN_MIB: usize = 10 * 1024 * 1024;

/// `GET {base}/v2/users/me` with `token` (faults strike only after authentication).
async fn helpscout_get(base: &str, client: &Client, token: &str) -> reqwest::Result<reqwest::Response> {
    client.get(format!("{base}/v2/users/me")).bearer_auth(token).send().await
}

/// The client-credentials grant's form with the sandbox's app.
const APP_FORM: [(&str, &str); 3] = [
    ("grant_type", "client_credentials"),
    ("client_id", intake::sandbox::HELPSCOUT_CLIENT_ID),
    ("client_secret", intake::sandbox::HELPSCOUT_CLIENT_SECRET),
];

/// Asserts that `result` failed with no HTTP answer at all, and not by timing out.
#[track_caller]
fn assert_connection_error(result: reqwest::Result<reqwest::Response>) {
    match result {
        Ok(response) => panic!("expected no answer, got {}", response.status()),
        Err(error) => {
            assert!(!error.is_timeout(), "{error:?}");
            assert!(error.status().is_none(), "{error:?}");
            assert!(error.is_request() || error.is_connect(), "{error:?}");
        }
    }
}

fn finosu_client(base: &str, timeout: Duration) -> FinosuClient {
    let endpoint = Endpoint { timeout, ..Endpoint::new(Url::parse(base).expect("a URL")) };
    FinosuClient::new(endpoint, Secret::new(FINOSU_API_KEY)).expect("a client")
}

// ---- URLs, start and stop ----

#[tokio::test]
async fn base_urls_point_at_loopback() {
    let server = start();
    let port = server.addr().port();
    assert!(server.addr().ip().is_loopback());
    assert_eq!(server.addr().ip().to_string(), "127.0.0.1");
    assert_eq!(server.finosu_base_url(), format!("http://127.0.0.1:{port}/finosu"));
    assert_eq!(server.helpscout_base_url(), format!("http://127.0.0.1:{port}/helpscout"));
    assert_eq!(
        server.fault_base_url(&Fault::Status(503), Backend::Finosu),
        format!("http://127.0.0.1:{port}/_fault/status-503/finosu")
    );
    assert_eq!(
        server.fault_base_url(&Fault::SlowMs(1500), Backend::HelpScout),
        format!("http://127.0.0.1:{port}/_fault/slow-1500/helpscout")
    );
    for (fault, segment) in
        [(Fault::Hang, "hang"), (Fault::Drop, "drop"), (Fault::Garbage, "garbage"), (Fault::Huge, "huge")]
    {
        assert!(server.fault_base_url(&fault, Backend::Finosu).ends_with(&format!("/_fault/{segment}/finosu")));
    }
}

#[test]
fn a_taken_port_is_a_bind_error() {
    let first = start();
    let port = first.addr().port();
    match SandboxServer::start(SandboxConfig { port, ..SandboxConfig::default() }) {
        Err(SandboxError::Bind { port: refused, .. }) => assert_eq!(refused, port),
        other => panic!("expected a bind error, got {other:?}"),
    }
}

#[tokio::test]
async fn after_shutdown_the_port_refuses_connections() {
    let server = start();
    let url = server.finosu_base_url();
    let client = client();
    assert_eq!(finosu_post_to(&url, &client, &finosu_customer("c-1")).await.status(), 201);
    tokio::task::spawn_blocking(move || server.shutdown()).await.unwrap();
    let result = client.get(format!("{url}/customers/c-1")).header("X-API-Key", FINOSU_API_KEY).send().await;
    let error = result.expect_err("nothing listens any more");
    assert!(error.is_connect() || error.is_request(), "{error:?}");
}

#[tokio::test]
async fn unknown_faults_and_faults_without_an_api_are_404() {
    let server = start();
    let client = client();
    let root = format!("http://{}", server.addr());
    for path in ["/_fault/explode/finosu/customers", "/_fault/status-99/finosu/customers", "/_fault/drop/billing/x"] {
        let response = client.get(format!("{root}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert!(!body["message"].as_str().unwrap().is_empty(), "{body}");
    }
    assert_eq!(client.get(format!("{root}/elsewhere")).send().await.unwrap().status(), 404);
}

// ---- Forced faults ----

#[tokio::test]
async fn hang_never_answers_so_a_short_timeout_strikes() {
    let server = start();
    let token = sandbox_support::tokens(&server, &client()).await.access;
    let client = client_with_timeout(Duration::from_millis(500));
    let base = server.fault_base_url(&Fault::Hang, Backend::Finosu);
    let error =
        client.get(format!("{base}/customers/x")).header("X-API-Key", FINOSU_API_KEY).send().await.expect_err("hangs");
    assert!(error.is_timeout(), "{error:?}");
    let base = server.fault_base_url(&Fault::Hang, Backend::HelpScout);
    let error = helpscout_get(&base, &client, &token).await.expect_err("no answer");
    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn a_hanging_request_does_not_hold_up_shutdown() {
    let server = start();
    let base = server.fault_base_url(&Fault::Hang, Backend::Finosu);
    let waiting = tokio::spawn(async move {
        client().get(format!("{base}/customers/x")).header("X-API-Key", FINOSU_API_KEY).send().await
    });
    // Shut down only once the request is held by the hang, not before it arrived (it would be
    // refused instead, which says nothing about hanging requests).
    wait_until("the request to hang", || server.hanging_requests() == 1).await;
    // A shutdown held up by the request would wait for the hang's limit (minutes): give up long
    // before, so that it fails instead of hanging the suite.
    let shutdown = tokio::task::spawn_blocking(move || server.shutdown());
    tokio::time::timeout(Duration::from_secs(10), shutdown)
        .await
        .expect("the hanging request held up the shutdown")
        .unwrap();
    let result = waiting.await.unwrap();
    assert_connection_error(result);
}

#[tokio::test]
async fn drop_closes_the_connection_without_an_answer() {
    let server = start();
    let client = client();
    let base = server.fault_base_url(&Fault::Drop, Backend::Finosu);
    let result = client
        .post(format!("{base}/customers"))
        .header("X-API-Key", FINOSU_API_KEY)
        .json(&finosu_customer("d"))
        .send()
        .await;
    assert_connection_error(result);
    assert_eq!(finosu_get(&server, &client, "d").await.status(), 404, "nothing was stored");
    let token = sandbox_support::tokens(&server, &client).await.access;
    let base = server.fault_base_url(&Fault::Drop, Backend::HelpScout);
    assert_connection_error(helpscout_get(&base, &client, &token).await);
    // The server is fine afterwards.
    assert_eq!(finosu_post(&server, &client, &finosu_customer("d")).await.status(), 201);
}

#[tokio::test]
async fn commit_drop_stores_a_create_and_loses_its_answer_but_answers_reads() {
    let server = start();
    let client = client();
    let base = server.fault_base_url(&Fault::CommitDrop, Backend::Finosu);
    let create = client
        .post(format!("{base}/customers"))
        .header("X-API-Key", FINOSU_API_KEY)
        .json(&finosu_customer("cd"))
        .send()
        .await;
    assert_connection_error(create);
    assert_eq!(finosu_get(&server, &client, "cd").await.status(), 200, "the customer was stored");
    // A lookup through the same base URL is answered: what reconciles the lost answer.
    let found = client.get(format!("{base}/customers/cd")).header("X-API-Key", FINOSU_API_KEY).send().await;
    assert_eq!(found.expect("an answer").status(), 200);
    // Help Scout: the token grant is answered; the create stores and loses its answer.
    let base = server.fault_base_url(&Fault::CommitDrop, Backend::HelpScout);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", intake::sandbox::HELPSCOUT_CLIENT_ID),
        ("client_secret", intake::sandbox::HELPSCOUT_CLIENT_SECRET),
    ];
    let token = sandbox_support::tokens_from(sandbox_support::token_request(&base, &client, &form).await).await.access;
    let customer =
        json!({"firstName": "Grace", "lastName": "Hopper", "emails": [{"type": "work", "value": "cd@example.com"}]});
    let create = client.post(format!("{base}/v2/customers")).bearer_auth(&token).json(&customer).send().await;
    assert_connection_error(create);
    let query = "(email:\"cd@example.com\")";
    let search = client
        .get(format!(
            "{base}/v2/customers?query={}",
            url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("the search is answered");
    let found = search.json::<Value>().await.expect("json");
    assert_eq!(found["_embedded"]["customers"][0]["firstName"], "Grace", "{found}");
}

#[tokio::test]
async fn garbage_is_a_200_labelled_json_that_is_not_json() {
    let server = start();
    let client = client();
    let base = server.fault_base_url(&Fault::Garbage, Backend::Finosu);
    let response = finosu_post_to(&base, &client, &finosu_customer("g")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    let text = response.text().await.unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err());
    assert_eq!(finosu_get(&server, &client, "g").await.status(), 404, "nothing was stored");
    let token = sandbox_support::tokens(&server, &client).await.access;
    let base = server.fault_base_url(&Fault::Garbage, Backend::HelpScout);
    let response = helpscout_get(&base, &client, &token).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.json::<Value>().await.is_err());
}

#[tokio::test]
async fn huge_is_the_normal_answer_with_more_than_ten_mib_of_json() {
    let server = start();
    let client = client();
    let base = server.fault_base_url(&Fault::Huge, Backend::Finosu);
    let response = finosu_post_to(&base, &client, &finosu_customer("h")).await;
    assert_eq!(response.status(), 201);
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.len() >= TEN_MIB, "{} bytes", bytes.len());
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["id"], "h");
    assert_eq!(finosu_get(&server, &client, "h").await.status(), 200, "the create was processed");

    let base = server.fault_base_url(&Fault::Huge, Backend::HelpScout);
    let token = sandbox_support::tokens(&server, &client).await.access;
    let response = client
        .post(format!("{base}/v2/customers"))
        .bearer_auth(&token)
        .json(&json!({"firstName": "Huge"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(header(&response, "resource-id"), Some("100000"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.len() >= TEN_MIB, "{} bytes", bytes.len());
    serde_json::from_slice::<Value>(&bytes).unwrap();

    // A 204 becomes a 200 so it can carry the body.
    let response = client
        .patch(format!("{base}/v2/customers/100000/properties"))
        .bearer_auth(&token)
        .json(&json!([{"op": "replace", "path": "/vip", "value": true}]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.unwrap().len() >= TEN_MIB);
}

#[tokio::test]
async fn status_answers_that_status_in_each_api_shape_without_processing() {
    let server = start();
    let client = client();
    let base = server.fault_base_url(&Fault::Status(503), Backend::Finosu);
    let response = finosu_post_to(&base, &client, &finosu_customer("s")).await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Service Unavailable");
    assert!(body["message"].as_str().unwrap().contains("503"), "{body}");
    assert_eq!(finosu_get(&server, &client, "s").await.status(), 404, "nothing was stored");

    let token = sandbox_support::tokens(&server, &client).await.access;
    for code in [500, 502, 401, 403, 400] {
        let base = server.fault_base_url(&Fault::Status(code), Backend::HelpScout);
        let body = vnd_error(helpscout_get(&base, &client, &token).await.unwrap(), code).await;
        assert!(body["message"].as_str().unwrap().contains(&code.to_string()), "{body}");
    }

    let base = server.fault_base_url(&Fault::Status(204), Backend::HelpScout);
    let response = helpscout_get(&base, &client, &token).await.unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn status_429_carries_the_rate_headers_with_a_retry_after_of_7() {
    let server = start();
    let client = client();
    let token = sandbox_support::tokens(&server, &client).await.access;
    let base = server.fault_base_url(&Fault::Status(429), Backend::HelpScout);
    let response = helpscout_get(&base, &client, &token).await.unwrap();
    assert_eq!(header(&response, "x-ratelimit-retry-after"), Some("7"));
    assert_eq!(header(&response, "retry-after"), Some("7"));
    assert_eq!(header(&response, "x-ratelimit-limit-minute"), Some("200"));
    assert_eq!(header(&response, "x-ratelimit-remaining-minute"), Some("0"));
    vnd_error(response, 429).await;

    let base = server.fault_base_url(&Fault::Status(429), Backend::Finosu);
    let response = finosu_post_to(&base, &client, &finosu_customer("r")).await;
    assert_eq!(response.status(), 429);
    assert_eq!(header(&response, "retry-after"), Some("7"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Too Many Requests");
    assert_eq!(body["retryAfter"], 7);
}

#[tokio::test]
async fn slow_waits_then_processes_normally() {
    let server = start();
    let client = client();
    let base = server.fault_base_url(&Fault::SlowMs(50), Backend::Finosu);
    assert_eq!(finosu_post_to(&base, &client, &finosu_customer("slow")).await.status(), 201);
    assert_eq!(finosu_get(&server, &client, "slow").await.status(), 200);

    let base = server.fault_base_url(&Fault::SlowMs(1500), Backend::Finosu);
    let impatient = client_with_timeout(Duration::from_millis(300));
    let error = impatient
        .get(format!("{base}/customers/slow"))
        .header("X-API-Key", FINOSU_API_KEY)
        .send()
        .await
        .expect_err("too slow");
    assert!(error.is_timeout(), "{error:?}");
}

// ---- Configured faults ----

#[tokio::test]
async fn latency_delays_every_answer() {
    let server = start_with(SandboxConfig { latency: Duration::from_secs(1), ..SandboxConfig::default() });
    let impatient = client_with_timeout(Duration::from_millis(300));
    let error = impatient.get(format!("{}/customers/x", server.finosu_base_url())).send().await.expect_err("late");
    assert!(error.is_timeout(), "{error:?}");
    // It is only late: a patient client gets the answer.
    assert_eq!(finosu_get(&server, &client(), "x").await.status(), 404);
}

#[tokio::test]
async fn a_fail_rate_of_one_answers_503_in_each_api_shape() {
    let server = start_with(SandboxConfig { fail_rate: 1.0, ..SandboxConfig::default() });
    let client = client();
    for _ in 0..3 {
        let response = finosu_post(&server, &client, &finosu_customer("f")).await;
        assert_eq!(response.status(), 503);
        assert_eq!(response.json::<Value>().await.unwrap()["error"], "Service Unavailable");
    }
    let token = sandbox_support::token_request(&server.helpscout_base_url(), &client, &APP_FORM).await;
    vnd_error(token, 503).await;
    // A token request without the app's credentials is answered by the endpoint itself: no
    // configured failure runs for a stranger.
    let stranger = sandbox_support::token_request(&server.helpscout_base_url(), &client, &[]).await;
    assert_eq!(stranger.status(), 400);
    // Anything outside the two APIs is left alone.
    assert_eq!(client.get(format!("http://{}/", server.addr())).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn a_drop_rate_of_one_answers_nothing() {
    let server = start_with(SandboxConfig { drop_rate: 1.0, ..SandboxConfig::default() });
    let client = client();
    for _ in 0..3 {
        let result = client
            .post(format!("{}/customers", server.finosu_base_url()))
            .header("X-API-Key", FINOSU_API_KEY)
            .json(&finosu_customer("d"))
            .send()
            .await;
        assert_connection_error(result);
    }
    // Help Scout's token grant with the app's credentials is dropped too.
    let form = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(APP_FORM).finish();
    let result = client
        .post(format!("{}/v2/oauth2/token", server.helpscout_base_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await;
    assert_connection_error(result);
}

#[tokio::test]
async fn rates_of_zero_never_fail() {
    let server = start_with(SandboxConfig { fail_rate: 0.0, drop_rate: 0.0, ..SandboxConfig::default() });
    let client = client();
    for n in 0..30 {
        assert_eq!(finosu_get(&server, &client, &format!("c-{n}")).await.status(), 404);
    }
}

// ---- What the product's clients make of them ----

#[tokio::test]
async fn the_clients_classify_each_fault() {
    let server = start();
    let body = finosu_customer("classified");
    let short = Duration::from_millis(500);
    let outcome = |fault: Fault| {
        let finosu = finosu_client(&server.fault_base_url(&fault, Backend::Finosu), short);
        let body = body.clone();
        async move { finosu.create_customer(&body).await.outcome }
    };
    assert_eq!(outcome(Fault::Hang).await, Outcome::Timeout { phase: TimeoutPhase::Response, limit: short });
    assert!(matches!(outcome(Fault::Drop).await, Outcome::ConnectionLost { .. }));
    assert!(matches!(outcome(Fault::Garbage).await, Outcome::UndecodableBody { .. }));
    assert_eq!(outcome(Fault::Status(502)).await, Outcome::ServerError { status: 502 });
    assert_eq!(outcome(Fault::Huge).await, Outcome::Created { id: Some("classified".to_owned()), location: None });

    let token = sandbox_support::tokens(&server, &client()).await.access;
    let endpoint = Endpoint::new(Url::parse(&server.fault_base_url(&Fault::Status(429), Backend::HelpScout)).unwrap());
    let helpscout = HelpScoutClient::new(endpoint, HelpScoutAuth::access_token(Secret::new(token))).unwrap();
    let exchanges = helpscout.create_customer(&json!({"firstName": "Rate"})).await;
    assert_eq!(
        exchanges[0].outcome,
        Outcome::RateLimited { retry_after: Some(Duration::from_secs(7)), server_value: None }
    );
}
