//! "Test credentials": one harmless read, and a verdict an admin can act on.
//!
//! Finosu has no "who am I" endpoint, so the check reads a customer that cannot exist: a 404
//! means the key was accepted. Because a wrong base URL also answers 404, that 404 is confirmed
//! by the same read without the key: a Finosu API refuses it (401/403). Finosu documents only
//! `POST /customers`, so a server may have no read route at all (404 with and without the
//! key): the check then falls back to `POST /customers` with an empty object, which can
//! create nothing — 400 naming the missing fields means the key was accepted, 401/403 that it
//! was not, 404 that nothing like Finosu is there. Help Scout: `GET /v2/users/me`, which names
//! the user the credentials reach.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::backends::finosu::FinosuRead;
use crate::backends::http::body_json;
use crate::backends::{CustomerClient, Exchange, GrantType, Outcome, TimeoutPhase};
use crate::model::Backend;

/// The kinds of verdict, as `--json` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// The credentials work.
    Ok,
    /// Key, token, OAuth app or refresh token not accepted.
    Rejected,
    /// Accepted, but not allowed.
    Forbidden,
    /// Nothing that answers like the API at the base URL.
    WrongBaseUrl,
    /// The host name does not resolve.
    Dns,
    /// Nothing listens at the host and port.
    Refused,
    /// The secure connection failed.
    Tls,
    /// No connection or no answer in time.
    Timeout,
    /// The server failed (5xx).
    ServerError,
    /// Too many requests.
    RateLimited,
    /// The connection broke.
    ConnectionLost,
    /// An answer the check cannot read.
    BadAnswer,
    /// The profile lacks what it needs to authenticate.
    NoCredentials,
}

impl VerdictKind {
    /// The `--json` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Rejected => "rejected",
            Self::Forbidden => "forbidden",
            Self::WrongBaseUrl => "wrong_base_url",
            Self::Dns => "dns",
            Self::Refused => "refused",
            Self::Tls => "tls",
            Self::Timeout => "timeout",
            Self::ServerError => "server_error",
            Self::RateLimited => "rate_limited",
            Self::ConnectionLost => "connection_lost",
            Self::BadAnswer => "bad_answer",
            Self::NoCredentials => "no_credentials",
        }
    }
}

/// Which request a check's verdict rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Probe {
    /// A harmless read (Finosu: `GET /customers/{random id}`; Help Scout: `users/me`).
    Read,
    /// Finosu without a read route: `POST /customers` with an empty object, which a server that
    /// accepts the key refuses for its missing fields (400) and one that does not with 401/403.
    EmptyCreate,
}

/// The verdict on a profile's credentials.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// What kind of verdict.
    pub kind: VerdictKind,
    /// What happened, in a sentence ("Works: …", "Rejected: …").
    pub headline: String,
    /// What to do next, in a sentence.
    pub next_step: String,
    /// The user or account reached (Help Scout: name and email).
    pub identity: Option<String>,
    /// Which request decided.
    pub probe: Probe,
    /// Wall time of the whole check, token grant included.
    pub latency: Duration,
    /// Every request the check made, secrets masked, for the response viewer.
    pub exchanges: Vec<Exchange>,
}

impl CheckReport {
    /// True only for a working credential.
    pub fn is_ok(&self) -> bool {
        self.kind == VerdictKind::Ok
    }

    /// A verdict reached without a request (no secret, keyring locked).
    pub fn without_request(kind: VerdictKind, headline: String, next_step: &str) -> Self {
        Self {
            kind,
            headline,
            next_step: next_step.to_owned(),
            identity: None,
            probe: Probe::Read,
            latency: Duration::ZERO,
            exchanges: Vec::new(),
        }
    }
}

/// An id no customer has, for Finosu's check read.
pub fn random_check_id() -> String {
    format!("intake-credential-check-{:016x}", fastrand::u64(..))
}

/// Makes the check's read with `client` and classifies it.
pub async fn check_credentials(client: &CustomerClient) -> CheckReport {
    let started = Instant::now();
    let base_url = client.endpoint().base_url.to_string();
    let mut probe = Probe::Read;
    let (exchanges, kind, identity) = match client {
        CustomerClient::Finosu(finosu) => {
            let (read, mut exchanges) = finosu.read_customer(&random_check_id()).await;
            let kind = match read {
                FinosuRead::Found(_) | FinosuRead::NotFound => VerdictKind::Ok,
                FinosuRead::Failed(outcome) => kind_of(&outcome),
                FinosuRead::NoReadRoute => {
                    probe = Probe::EmptyCreate;
                    let empty = finosu.probe_create_without_fields().await;
                    let kind = match &empty.outcome {
                        // Refused for its missing fields: the key got past authentication.
                        Outcome::Rejected { .. } => VerdictKind::Ok,
                        other => kind_of(other),
                    };
                    exchanges.push(empty);
                    kind
                }
            };
            (exchanges, kind, None)
        }
        CustomerClient::HelpScout(helpscout) => {
            let exchanges = helpscout.get("/v2/users/me").await;
            let last = exchanges.last();
            let kind = last.map_or(VerdictKind::NoCredentials, |e| kind_of(&e.outcome));
            let identity = last.filter(|_| kind == VerdictKind::Ok).and_then(user_identity);
            (exchanges, kind, identity)
        }
    };
    let latency = started.elapsed();
    let backend = client.backend();
    let last = exchanges.last().map(|e| &e.outcome);
    let (mut headline, next_step) = sentences(kind, backend, last, identity.as_deref(), &base_url);
    if probe == Probe::EmptyCreate {
        let answer =
            if kind == VerdictKind::Ok { " (refused for its missing fields: nothing was created)" } else { "" };
        headline.push_str(" Checked with an empty POST /customers");
        headline.push_str(answer);
        headline.push_str(", as this server has no GET /customers/{id} (Finosu documents none).");
    }
    CheckReport { kind, headline, next_step, identity, probe, latency, exchanges }
}

/// The verdict kind of a read's last outcome.
fn kind_of(outcome: &Outcome) -> VerdictKind {
    match outcome {
        Outcome::Answered { .. } => VerdictKind::Ok,
        Outcome::Unauthorized { .. } | Outcome::GrantRefused { .. } => VerdictKind::Rejected,
        Outcome::Forbidden { .. } => VerdictKind::Forbidden,
        Outcome::NotFound => VerdictKind::WrongBaseUrl,
        Outcome::Dns { .. } => VerdictKind::Dns,
        Outcome::ConnectionRefused => VerdictKind::Refused,
        Outcome::Tls { .. } => VerdictKind::Tls,
        Outcome::Timeout { .. } => VerdictKind::Timeout,
        Outcome::ServerError { .. } => VerdictKind::ServerError,
        Outcome::RateLimited { .. } => VerdictKind::RateLimited,
        Outcome::ConnectionLost { .. } | Outcome::Cancelled => VerdictKind::ConnectionLost,
        Outcome::InvalidRequest { .. } => VerdictKind::NoCredentials,
        Outcome::Created { .. }
        | Outcome::TokenGranted { .. }
        | Outcome::Rejected { .. }
        | Outcome::Conflict { .. }
        | Outcome::UnexpectedStatus { .. }
        | Outcome::UndecodableBody { .. } => VerdictKind::BadAnswer,
    }
}

/// "Ada Admin <ada@example.com>" from a `users/me` answer.
fn user_identity(exchange: &Exchange) -> Option<String> {
    let body = body_json(exchange.response.as_ref()?)?;
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let name = [text("firstName"), text("lastName")].into_iter().flatten().collect::<Vec<_>>().join(" ");
    match (name.is_empty(), text("email")) {
        (false, Some(email)) => Some(format!("{name} <{email}>")),
        (true, Some(email)) => Some(email.to_owned()),
        (false, None) => Some(name),
        (true, None) => None,
    }
}

/// The headline and the next step of a verdict.
fn sentences(
    kind: VerdictKind,
    backend: Backend,
    last: Option<&Outcome>,
    identity: Option<&str>,
    base_url: &str,
) -> (String, String) {
    let api = backend.display_name();
    let secret = match backend {
        Backend::Finosu => "API key",
        Backend::HelpScout => "credentials",
    };
    match (kind, last) {
        (VerdictKind::Ok, _) => {
            let headline = match (backend, identity) {
                (Backend::HelpScout, Some(who)) => format!("Works: {api} accepted the credentials as {who}."),
                (Backend::HelpScout, None) => format!("Works: {api} accepted the credentials."),
                (Backend::Finosu, _) => format!("Works: {api} at {base_url} accepted the API key."),
            };
            (headline, "Nothing to do: customers can be sent with this profile.".to_owned())
        }
        (VerdictKind::Rejected, Some(Outcome::GrantRefused { grant: GrantType::ClientCredentials, message, .. })) => (
            format!("Rejected: {api} refused the OAuth app ({}).", or_status(message, "invalid_client")),
            "Copy the app's client id and client secret again from Help Scout (Your Profile > My Apps) and store them."
                .to_owned(),
        ),
        (VerdictKind::Rejected, Some(Outcome::GrantRefused { grant: GrantType::RefreshToken, message, .. })) => (
            format!(
                "Rejected: the refresh token is no longer valid ({}); it was revoked, expired or already used.",
                or_status(message, "invalid_grant")
            ),
            "Paste a new access token and refresh token, or switch the profile to an OAuth app.".to_owned(),
        ),
        (VerdictKind::Rejected, _) => match backend {
            Backend::Finosu => (
                format!("Rejected: {api} did not accept the API key (401)."),
                "Check the key was copied whole and belongs to this base URL, then store it again.".to_owned(),
            ),
            Backend::HelpScout => (
                format!("Rejected: {api} did not accept the token (401), even after renewing it where possible."),
                "Store a new access token, or the OAuth app's client id and secret, and test again.".to_owned(),
            ),
        },
        (VerdictKind::Forbidden, _) => (
            format!("Forbidden (403): {api} knows the {secret} but does not allow this read."),
            format!("Ask a {api} admin to grant the account or app access to customers."),
        ),
        (VerdictKind::WrongBaseUrl, _) => (
            format!("Wrong base URL: nothing at {base_url} answers like the {api} API (404)."),
            format!("Check the profile's base URL against {api}'s documentation (scheme, host and path)."),
        ),
        (VerdictKind::Dns, Some(Outcome::Dns { host })) => (
            format!("DNS failure: the host name {host} does not resolve."),
            "Check the spelling of the base URL's host, and the network or VPN.".to_owned(),
        ),
        (VerdictKind::Refused, _) => (
            format!("Connection refused: nothing listens at {base_url}."),
            "Check the port in the base URL, and that the server is running.".to_owned(),
        ),
        (VerdictKind::Tls, Some(Outcome::Tls { detail })) => (
            format!("TLS error: the secure connection failed: {detail}."),
            "Check the base URL's host name; if the certificate is self-signed or expired, the server must be fixed (Intake does not skip certificate checks).".to_owned(),
        ),
        (VerdictKind::Timeout, Some(Outcome::Timeout { phase, limit })) => {
            let what = match phase {
                TimeoutPhase::Connect => "no connection",
                TimeoutPhase::Response => "no answer",
            };
            (
                format!("Timeout: {what} within {} s.", limit.as_secs_f32()),
                "Check the network or firewall, or raise the profile's timeouts if the server is slow.".to_owned(),
            )
        }
        (VerdictKind::ServerError, Some(Outcome::ServerError { status })) => (
            format!("Server error: {api} answered {status}."),
            "The credentials could not be judged; try again in a few minutes.".to_owned(),
        ),
        (VerdictKind::RateLimited, Some(Outcome::RateLimited { retry_after, server_value })) => (
            "Rate limited (429): too many requests just now.".to_owned(),
            // An absurd or unreadable wait is named, with what is advised instead.
            match (retry_after, server_value) {
                (Some(wait), Some(asked)) => format!(
                    "The server asked to wait {asked} s; wait {} s (at most an hour) and test again.",
                    wait.as_secs().max(1)
                ),
                (None, Some(asked)) => {
                    format!("The server's wait \"{asked}\" is not a number of seconds; wait a minute and test again.")
                }
                (Some(wait), None) => format!("Wait {} s and test again.", wait.as_secs().max(1)),
                (None, None) => "Wait a minute and test again.".to_owned(),
            },
        ),
        (VerdictKind::NoCredentials, Some(Outcome::InvalidRequest { detail })) => (
            format!("Not tested: {detail}."),
            format!("Store the profile's {secret} first."),
        ),
        (_, Some(outcome)) => (
            outcome.summary(backend),
            "See the response in the viewer; if it repeats, check the base URL.".to_owned(),
        ),
        (_, None) => ("Nothing was sent.".to_owned(), format!("Store the profile's {secret} first.")),
    }
}

fn or_status(message: &str, fallback: &str) -> String {
    if message.is_empty() { fallback.to_owned() } else { message.to_owned() }
}
