//! The transport both clients share.
//!
//! One configured `reqwest::Client` per endpoint, one function
//! that sends a request and records it as an [`Exchange`], and the classification of transport
//! failures and common statuses into [`Outcome`]s.

use std::error::Error as _;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use thiserror::Error;
use url::Url;

use super::exchange::{Exchange, Header, MAX_KEPT_BODY_BYTES, ResponseRecord};
use super::outcome::{Outcome, TimeoutPhase};
use super::secret::Secret;
use super::server_numbers::{Clamped, NotSeconds, outcome_parts, wait_from_header};
use crate::model::Backend;

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time allowed for a whole exchange.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a profile's requests go and how long they may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `https://api.helpscout.net`, `http://127.0.0.1:8080/finosu`; paths are appended to it.
    pub base_url: Url,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for the whole exchange, body included.
    pub timeout: Duration,
}

impl Endpoint {
    /// An endpoint with the default timeouts.
    pub fn new(base_url: Url) -> Self {
        Self { base_url, connect_timeout: DEFAULT_CONNECT_TIMEOUT, timeout: DEFAULT_TOTAL_TIMEOUT }
    }

    /// `base_url` followed by `path` (which starts with `/`), keeping any path the base has.
    pub fn url_for(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.as_str().trim_end_matches('/'))
    }

    /// True for `localhost`, `127.0.0.0/8` and `::1`: the only hosts plain `http` may reach.
    pub fn is_loopback(&self) -> bool {
        is_loopback_url(&self.base_url)
    }
}

/// True when the URL's host is a loopback name or address.
pub fn is_loopback_url(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The client could not be set up.
#[derive(Debug, Error)]
#[error("could not set up the HTTP client: {0}")]
pub struct ClientSetupError(#[from] reqwest::Error);

/// The `User-Agent` every request carries.
pub fn user_agent() -> String {
    format!("intake/{}", env!("CARGO_PKG_VERSION"))
}

/// A client for one endpoint: its timeouts, no redirects (a redirected POST could create the
/// customer twice or lose the body), no proxy for loopback.
pub fn build_http_client(endpoint: &Endpoint) -> Result<reqwest::Client, ClientSetupError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(user_agent())
        .connect_timeout(endpoint.connect_timeout)
        .timeout(endpoint.timeout)
        .redirect(reqwest::redirect::Policy::none());
    if endpoint.is_loopback() {
        builder = builder.no_proxy();
    }
    Ok(builder.build()?)
}

/// A request body and how to show it. Its `Debug` shows a form as recorded (secrets masked),
/// never as sent.
#[derive(Clone)]
pub enum RequestBody {
    /// JSON text, shown as is.
    Json(String),
    /// A form body; the second string is the same body with secrets masked, for the record.
    Form { sent: String, shown: String },
}

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Json(text) => f.debug_tuple("Json").field(&super::exchange::masked_body_text(text)).finish(),
            Self::Form { shown, .. } => f.debug_struct("Form").field("shown", shown).finish_non_exhaustive(),
        }
    }
}

/// One request to make: method, URL, headers (secret ones flagged), body.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    /// `POST`, `GET`, `PATCH`.
    pub method: reqwest::Method,
    /// Full URL.
    pub url: String,
    /// Headers besides `User-Agent`; a secret value is masked in the record.
    pub headers: Vec<(&'static str, HeaderText)>,
    /// The body, if any.
    pub body: Option<RequestBody>,
}

/// A header value that is either plain or a credential.
#[derive(Debug, Clone)]
pub enum HeaderText {
    /// Shown as is.
    Plain(String),
    /// Sent as `prefix` + secret, shown as `prefix` + `••••a1b2`.
    Secret { prefix: &'static str, secret: Secret },
}

impl HeaderText {
    fn sent(&self) -> String {
        match self {
            Self::Plain(v) => v.clone(),
            Self::Secret { prefix, secret } => format!("{prefix}{}", secret.expose()),
        }
    }

    fn shown(&self) -> String {
        match self {
            Self::Plain(v) => v.clone(),
            Self::Secret { prefix, secret } => format!("{prefix}{}", secret.masked()),
        }
    }
}

/// What came back from the wire: the record, or the failure already classified.
pub struct Sent {
    /// The record without its final outcome (filled in by the caller's classification).
    pub exchange: Exchange,
    /// The response, when one arrived in full.
    pub response: Option<ResponseRecord>,
}

/// Sends `spec` and records it.
///
/// Transport failures are classified here; a response is left for
/// the caller (each API has its own meaning for its statuses): `exchange.outcome` is then a
/// placeholder [`Outcome::UnexpectedStatus`] that the caller replaces.
pub async fn send(client: &reqwest::Client, endpoint: &Endpoint, backend: Backend, spec: RequestSpec) -> Sent {
    let started_at = SystemTime::now();
    let mut request_headers = vec![Header { name: "User-Agent".to_owned(), value: user_agent() }];
    let mut header_map = HeaderMap::new();
    let mut invalid = None;
    for (name, text) in &spec.headers {
        request_headers.push(Header { name: (*name).to_owned(), value: text.shown() });
        match HeaderValue::from_str(&text.sent()) {
            Ok(mut value) => {
                if matches!(text, HeaderText::Secret { .. }) {
                    value.set_sensitive(true);
                }
                header_map.insert(*name, value);
            }
            Err(_) => invalid = Some(format!("the {name} header holds characters HTTP does not allow")),
        }
    }
    let (body_sent, body_shown) = match &spec.body {
        Some(RequestBody::Json(text)) => (Some(text.clone()), Some(text.clone())),
        Some(RequestBody::Form { sent, shown }) => (Some(sent.clone()), Some(shown.clone())),
        None => (None, None),
    };
    let mut exchange = Exchange {
        backend,
        started_at,
        method: spec.method.to_string(),
        url: spec.url.clone(),
        request_headers,
        request_body: body_shown,
        response: None,
        latency: Duration::ZERO,
        outcome: Outcome::UnexpectedStatus { status: 0 },
    };
    if let Some(detail) = invalid {
        exchange.outcome = Outcome::InvalidRequest { detail };
        return Sent { exchange, response: None };
    }
    let mut request = client.request(spec.method, &spec.url).headers(header_map);
    if let Some(body) = body_sent {
        request = request.body(body);
    }
    let start = Instant::now();
    let result = receive(request).await;
    exchange.latency = start.elapsed();
    match result {
        Ok(record) => {
            exchange.response = Some(record.clone());
            Sent { exchange, response: Some(record) }
        }
        Err((partial, error)) => {
            exchange.response = partial;
            exchange.outcome = classify_transport_error(&error, endpoint);
            Sent { exchange, response: None }
        }
    }
}

/// Sends a harmless read (a `GET`) and records it: a 2xx is [`Outcome::Answered`], any other
/// status has its common meaning.
pub async fn send_read(client: &reqwest::Client, endpoint: &Endpoint, backend: Backend, spec: RequestSpec) -> Exchange {
    let sent = send(client, endpoint, backend, spec).await;
    let mut exchange = sent.exchange;
    if let Some(record) = &sent.response {
        exchange.outcome = match record.status {
            status @ 200..=299 => Outcome::Answered { status },
            _ => classify_common_status(record),
        };
    }
    exchange
}

type ReceiveError = (Option<ResponseRecord>, reqwest::Error);

async fn receive(request: reqwest::RequestBuilder) -> Result<ResponseRecord, ReceiveError> {
    let mut response = request.send().await.map_err(|e| (None, e))?;
    let status = response.status();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| Header {
            name: name.as_str().to_owned(),
            value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
        })
        .collect();
    let mut record = ResponseRecord {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or_default().to_owned(),
        headers,
        body: Vec::new(),
        body_truncated_from: None,
    };
    let mut total = 0usize;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                total += chunk.len();
                let room = MAX_KEPT_BODY_BYTES.saturating_sub(record.body.len());
                record.body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) => break,
            Err(error) => return Err((Some(record), error)),
        }
    }
    if total > record.body.len() {
        record.body_truncated_from = Some(total);
    }
    Ok(record)
}

/// Names the failure of a request that got no complete answer.
pub fn classify_transport_error(error: &reqwest::Error, endpoint: &Endpoint) -> Outcome {
    let chain = error_chain_text(error);
    if error.is_timeout() {
        let connect = error.is_connect();
        return Outcome::Timeout {
            phase: if connect { TimeoutPhase::Connect } else { TimeoutPhase::Response },
            limit: if connect { endpoint.connect_timeout } else { endpoint.timeout },
        };
    }
    if error.is_dns() {
        return Outcome::Dns { host: endpoint.base_url.host_str().unwrap_or_default().to_owned() };
    }
    if error.is_connect() {
        if has_io_kind(error, std::io::ErrorKind::ConnectionRefused) {
            return Outcome::ConnectionRefused;
        }
        if let Some(detail) = tls_detail(error) {
            return Outcome::Tls { detail };
        }
        return Outcome::ConnectionLost { detail: chain };
    }
    if error.is_decode() {
        return Outcome::UndecodableBody { detail: chain };
    }
    Outcome::ConnectionLost { detail: chain }
}

fn has_io_kind(error: &reqwest::Error, kind: std::io::ErrorKind) -> bool {
    let mut source = error.source();
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == kind
        {
            return true;
        }
        source = err.source();
    }
    false
}

/// The innermost message mentioning certificates or TLS, if the failure was in the handshake.
fn tls_detail(error: &reqwest::Error) -> Option<String> {
    let mut source = error.source();
    let mut found = None;
    while let Some(err) = source {
        let text = err.to_string();
        let lower = text.to_ascii_lowercase();
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            found = Some(text);
        }
        source = err.source();
    }
    found
}

/// Every message in the error's chain, joined, each once: "error sending request: connection
/// closed…". For transport and keyring errors alike.
pub fn error_chain_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(err) = source {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = err.source();
    }
    parts.join(": ")
}

/// The body parsed as JSON, if it is JSON.
pub fn body_json(record: &ResponseRecord) -> Option<Value> {
    if record.body.is_empty() || record.body_truncated_from.is_some() {
        return None;
    }
    serde_json::from_slice(&record.body).ok()
}

/// A message from a JSON error body: `message`, `error_description`, `error`, or `errors` when
/// it is a string; cut and cleaned to be shown ([`super::server_text`]).
pub fn body_message(body: Option<&Value>) -> String {
    let Some(body) = body else { return String::new() };
    for key in ["message", "error_description", "error", "detail", "errors"] {
        if let Some(text) = body.get(key).and_then(Value::as_str)
            && !text.trim().is_empty()
        {
            return super::server_text::shown_server_text(text);
        }
    }
    String::new()
}

/// The wait a 429 names, or why it could not be read; `None` when no header names one.
///
/// From `X-RateLimit-Retry-After` (Help Scout) or `Retry-After` (seconds or an HTTP date),
/// clamped to an hour ([`MAX_WAIT`](super::server_numbers::MAX_WAIT)) so that no header can
/// panic the conversion or park a request for days.
pub fn retry_after(record: &ResponseRecord) -> Option<Result<Clamped, NotSeconds>> {
    ["X-RateLimit-Retry-After", "Retry-After"]
        .iter()
        .find_map(|name| record.header(name))
        .map(|text| wait_from_header(text, SystemTime::now()))
}

/// The meaning of the statuses both APIs share (everything but success and 400).
pub fn classify_common_status(record: &ResponseRecord) -> Outcome {
    let body = body_json(record);
    let message = body_message(body.as_ref());
    match record.status {
        401 => Outcome::Unauthorized { message },
        403 => Outcome::Forbidden { message },
        404 => Outcome::NotFound,
        409 => Outcome::Conflict { message },
        429 => {
            let (retry_after, server_value) = outcome_parts(retry_after(record));
            Outcome::RateLimited { retry_after, server_value }
        }
        status @ 500..=599 => Outcome::ServerError { status },
        status => Outcome::UnexpectedStatus { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited(headers: &[(&str, &str)]) -> ResponseRecord {
        ResponseRecord {
            status: 429,
            reason: "Too Many Requests".to_owned(),
            headers: headers
                .iter()
                .map(|(name, value)| Header { name: (*name).to_owned(), value: (*value).to_owned() })
                .collect(),
            body: Vec::new(),
            body_truncated_from: None,
        }
    }

    #[test]
    fn an_absurd_wait_header_is_a_rate_limit_of_an_hour_naming_the_ask() {
        let hour = Some(Duration::from_hours(1));
        for (name, value) in [
            ("Retry-After", "1e20"),
            ("X-RateLimit-Retry-After", "99999999999999999999"),
            ("Retry-After", "1.8e308"),
            ("Retry-After", "inf"),
        ] {
            let outcome = classify_common_status(&limited(&[(name, value)]));
            assert_eq!(outcome, Outcome::RateLimited { retry_after: hour, server_value: Some(value.to_owned()) });
        }
        let negative = classify_common_status(&limited(&[("Retry-After", "-3")]));
        assert_eq!(
            negative,
            Outcome::RateLimited { retry_after: Some(Duration::ZERO), server_value: Some("-3".to_owned()) }
        );
        let garbage = classify_common_status(&limited(&[("Retry-After", "NaN")]));
        assert_eq!(garbage, Outcome::RateLimited { retry_after: None, server_value: Some("NaN".to_owned()) });
        let plain = classify_common_status(&limited(&[("X-RateLimit-Retry-After", "7"), ("Retry-After", "1e20")]));
        assert_eq!(plain, Outcome::RateLimited { retry_after: Some(Duration::from_secs(7)), server_value: None });
        assert_eq!(
            classify_common_status(&limited(&[])),
            Outcome::RateLimited { retry_after: None, server_value: None }
        );
    }
}

#[cfg(test)]
mod debug_masking_tests {
    use super::RequestBody;

    #[test]
    fn a_form_body_debugs_as_recorded_never_as_sent() {
        let body = RequestBody::Form {
            sent: "grant_type=refresh_token&refresh_token=rt-very-secret&client_secret=cs-very-secret".to_owned(),
            shown: "grant_type=refresh_token&refresh_token=••••cret&client_secret=••••cret".to_owned(),
        };
        let debug = format!("{body:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
        assert!(debug.contains("••••cret"), "{debug}");
        let json = RequestBody::Json("{\"access_token\": \"at-very-secret\"}".to_owned());
        assert!(!format!("{json:?}").contains("very-secret"));
    }
}
