//! Shared by the sandbox test files: starting a sandbox, a plain HTTP client, valid bodies,
//! tokens, and readers for the two error shapes.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::time::Duration;

use intake::sandbox::{FINOSU_API_KEY, HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET, SandboxConfig, SandboxServer};
use reqwest::{Client, Response};
use serde_json::{Value, json};

/// A sandbox with the default configuration on a free port.
pub fn start() -> SandboxServer {
    start_with(SandboxConfig::default())
}

/// A sandbox with `config` on a free port.
pub fn start_with(mut config: SandboxConfig) -> SandboxServer {
    config.port = 0;
    SandboxServer::start(config).expect("the sandbox starts")
}

/// A client that never uses a proxy; `timeout` bounds a whole exchange.
pub fn client_with_timeout(timeout: Duration) -> Client {
    Client::builder().no_proxy().timeout(timeout).build().expect("a client")
}

/// A client with a timeout long enough that only a broken server reaches it.
pub fn client() -> Client {
    client_with_timeout(Duration::from_secs(20))
}

/// Waits until `condition` holds, checking every 10 ms; panics naming `what` after 10 s. The
/// limit only bounds a hang: no test asserts how long the wait took.
pub async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !condition() {
        assert!(start.elapsed() < Duration::from_secs(10), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A complete, valid Finosu customer with this `id`.
pub fn finosu_customer(id: &str) -> Value {
    json!({
        "id": id,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
        "birthday": "1985-06-15",
        "phoneNumber": "+14155550123",
        "timezone": "America/Los_Angeles",
        "streetAddress1": "123 Main St",
        "city": "San Francisco",
        "state": "CA",
        "zipCode": "94102",
        "taskType": "collections",
    })
}

/// `POST {finosu}/customers` with the sandbox key.
pub async fn finosu_post(server: &SandboxServer, client: &Client, body: &Value) -> Response {
    finosu_post_to(&server.finosu_base_url(), client, body).await
}

/// `POST {base}/customers` with the sandbox key.
pub async fn finosu_post_to(base: &str, client: &Client, body: &Value) -> Response {
    client
        .post(format!("{base}/customers"))
        .header("X-API-Key", FINOSU_API_KEY)
        .json(body)
        .send()
        .await
        .expect("an answer")
}

/// `GET {finosu}/customers/{id}` with the sandbox key.
pub async fn finosu_get(server: &SandboxServer, client: &Client, id: &str) -> Response {
    client
        .get(format!("{}/customers/{id}", server.finosu_base_url()))
        .header("X-API-Key", FINOSU_API_KEY)
        .send()
        .await
        .expect("an answer")
}

/// The `field`s of a Finosu 400's `errors`, in order.
pub fn finosu_error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .expect("an errors list")
        .iter()
        .map(|e| e["field"].as_str().expect("a field").to_owned())
        .collect()
}

/// A token pair from the token endpoint.
pub struct Tokens {
    /// The access token.
    pub access: String,
    /// The refresh token.
    pub refresh: String,
}

/// `POST {base}/v2/oauth2/token` with `form`.
pub async fn token_request(base: &str, client: &Client, form: &[(&str, &str)]) -> Response {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    client
        .post(format!("{base}/v2/oauth2/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("an answer")
}

/// The client-credentials grant with the sandbox's app.
pub async fn tokens(server: &SandboxServer, client: &Client) -> Tokens {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", HELPSCOUT_CLIENT_ID),
        ("client_secret", HELPSCOUT_CLIENT_SECRET),
    ];
    tokens_from(token_request(&server.helpscout_base_url(), client, &form).await).await
}

/// The pair in a 200 token answer.
pub async fn tokens_from(response: Response) -> Tokens {
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    Tokens {
        access: body["access_token"].as_str().expect("an access token").to_owned(),
        refresh: body["refresh_token"].as_str().expect("a refresh token").to_owned(),
    }
}

/// An authorised request to `{helpscout}{path}`.
pub fn helpscout(
    server: &SandboxServer,
    client: &Client,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    client.request(method, format!("{}{path}", server.helpscout_base_url())).bearer_auth(token)
}

/// `POST {helpscout}/v2/customers`.
pub async fn helpscout_create(server: &SandboxServer, client: &Client, token: &str, body: &Value) -> Response {
    helpscout(server, client, reqwest::Method::POST, "/v2/customers", token).json(body).send().await.expect("an answer")
}

/// A header's value as text.
pub fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().expect("a text header"))
}

/// Reads a vnd.error answer: asserts its status and content type, returns the body.
pub async fn vnd_error(response: Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(header(&response, "content-type"), Some("application/vnd.error+json"));
    let body: Value = response.json().await.expect("JSON");
    assert!(body["logRef"].is_string(), "{body}");
    assert!(body["message"].is_string(), "{body}");
    body
}

/// The `path`s of a vnd.error's embedded errors, in order.
pub fn vnd_paths(body: &Value) -> Vec<String> {
    body["_embedded"]["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["path"].as_str().expect("a path").to_owned()).collect())
        .unwrap_or_default()
}
