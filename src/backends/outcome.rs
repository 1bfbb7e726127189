//! What one request to a backend came to, as a type the UI, the CLI and the outbox can act on.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::server_numbers::{MAX_TOKEN_LIFETIME, MAX_WAIT};
use crate::model::Backend;

/// One problem the server reported about one field, already placed on the form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// JSON Pointer into the draft (`/emails/0/value`), the same paths validation uses; empty
    /// when the server's path could not be read.
    pub pointer: String,
    /// The path as the server wrote it (`emails[0].value`).
    pub server_path: String,
    /// The server's message.
    pub message: String,
    /// The value the server refused, when it said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_value: Option<Value>,
}

/// Where a timeout struck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutPhase {
    /// No connection within the connect timeout.
    Connect,
    /// Connected, but the whole exchange took longer than the total timeout.
    Response,
}

/// Which OAuth 2 grant a token request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// The OAuth app's client id and secret.
    ClientCredentials,
    /// A refresh token.
    RefreshToken,
}

/// Every way a request can end. Each variant carries what the person needs to act on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The customer exists now.
    Created {
        /// The server's id (Finosu's echoed `id`, Help Scout's `Resource-ID`).
        id: Option<String>,
        /// Help Scout's `Location` header.
        location: Option<String>,
    },
    /// A read that worked (2xx): `users/me`, a customer, the property definitions.
    Answered {
        /// The status code.
        status: u16,
    },
    /// The token endpoint handed out an access token.
    TokenGranted {
        /// The grant that was used.
        grant: GrantType,
        /// The token's lifetime, when the server said: clamped to a year, and zero ("renew
        /// before the next request") for a negative one.
        #[serde(serialize_with = "serialize_opt_secs")]
        expires_in: Option<Duration>,
        /// The server's `expires_in` when it was not used as sent: out of range (then
        /// `expires_in` is the nearest bound) or not a number (then there is none).
        #[serde(skip_serializing_if = "Option::is_none")]
        server_value: Option<String>,
    },
    /// The token endpoint refused the grant: a wrong OAuth app (`invalid_client`), or a refresh
    /// token that was revoked, expired or already used (`invalid_grant`).
    GrantRefused {
        /// The grant that was refused.
        grant: GrantType,
        /// The OAuth error code (`invalid_client`, `invalid_grant`), when given.
        code: String,
        /// The server's description, best effort.
        message: String,
    },
    /// 400/422: the server refused the content.
    Rejected {
        /// The server's overall message, best effort.
        message: String,
        /// Per-field errors mapped onto the form.
        field_errors: Vec<FieldError>,
        /// Valid task types a Finosu server listed (empty otherwise).
        valid_task_types: Vec<String>,
    },
    /// 401: key or token not accepted.
    Unauthorized {
        /// The server's message, best effort.
        message: String,
    },
    /// 403: accepted, but not allowed to do this.
    Forbidden {
        /// The server's message, best effort.
        message: String,
    },
    /// 404: nothing at this URL; usually a wrong base URL.
    NotFound,
    /// 409: the customer (or something it names) already exists.
    Conflict {
        /// The server's message, best effort.
        message: String,
    },
    /// 429: too many requests.
    RateLimited {
        /// How long to wait, from `X-RateLimit-Retry-After` or `Retry-After`, at most an hour.
        #[serde(serialize_with = "serialize_opt_secs")]
        retry_after: Option<Duration>,
        /// The server's value when it was not used as sent: out of range (then `retry_after`
        /// is the nearest bound) or not a number (then there is none).
        #[serde(skip_serializing_if = "Option::is_none")]
        server_value: Option<String>,
    },
    /// 5xx.
    ServerError {
        /// The status code.
        status: u16,
    },
    /// Any other status the client does not expect from this endpoint.
    UnexpectedStatus {
        /// The status code.
        status: u16,
    },
    /// No answer within the profile's timeouts.
    Timeout {
        /// Connect or response.
        phase: TimeoutPhase,
        /// The limit that struck.
        #[serde(serialize_with = "serialize_secs")]
        limit: Duration,
    },
    /// Nothing listens at that host and port.
    ConnectionRefused,
    /// The host name does not resolve.
    Dns {
        /// The host name.
        host: String,
    },
    /// The TLS handshake failed (untrusted or expired certificate, wrong host name…).
    Tls {
        /// The certificate or protocol problem, from rustls.
        detail: String,
    },
    /// The connection broke (closed without an answer, reset).
    ConnectionLost {
        /// What the network stack said.
        detail: String,
    },
    /// An answer came but could not be understood (not JSON where JSON is required, a success
    /// without the id it must carry).
    UndecodableBody {
        /// What was wrong with it.
        detail: String,
    },
    /// The person cancelled before an answer arrived. Whether the server acted is unknown.
    Cancelled,
    /// The request could not even be built (bad URL, invalid header value).
    InvalidRequest {
        /// Why.
        detail: String,
    },
}

/// `30 s`, or `0.5 s` for limits under a second or with a fraction.
fn seconds_text(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        let text = format!("{:.1}", duration.as_secs_f64());
        format!("{} s", text.trim_end_matches(".0"))
    }
}

/// `48 h`, `30 min`, `45 s`.
fn lifetime_text(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min", secs / 60),
        _ => format!("{} h", secs / 3600),
    }
}

/// ` (invalid_client: Client authentication failed)` or nothing.
fn reason_suffix(message: &str) -> String {
    if message.is_empty() { String::new() } else { format!(" ({message})") }
}

#[expect(clippy::ref_option, reason = "serde's serialize_with hands the field over by reference")]
fn serialize_opt_secs<S: serde::Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(d) => s.serialize_some(&d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

fn serialize_secs<S: serde::Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(value.as_secs_f64())
}

impl Outcome {
    /// The machine name used by `--json` output (`created`, `rejected`, `timeout`…).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Created { .. } => "created",
            Self::Answered { .. } => "answered",
            Self::TokenGranted { .. } => "token_granted",
            Self::GrantRefused { .. } => "grant_refused",
            Self::Rejected { .. } => "rejected",
            Self::Unauthorized { .. } => "unauthorized",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict { .. } => "conflict",
            Self::RateLimited { .. } => "rate_limited",
            Self::ServerError { .. } => "server_error",
            Self::UnexpectedStatus { .. } => "unexpected_status",
            Self::Timeout { .. } => "timeout",
            Self::ConnectionRefused => "connection_refused",
            Self::Dns { .. } => "dns",
            Self::Tls { .. } => "tls",
            Self::ConnectionLost { .. } => "connection_lost",
            Self::UndecodableBody { .. } => "undecodable_body",
            Self::Cancelled => "cancelled",
            Self::InvalidRequest { .. } => "invalid_request",
        }
    }

    /// True for the one good ending of a create.
    pub fn is_created(&self) -> bool {
        matches!(self, Self::Created { .. })
    }

    /// True when the request did what it was for: created, answered, or a token granted.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Created { .. } | Self::Answered { .. } | Self::TokenGranted { .. })
    }

    /// True when sending the same request again later may work without changing anything
    /// (network trouble, timeouts, rate limits, 5xx). What the outbox retries on its own.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::ServerError { .. }
                | Self::Timeout { .. }
                | Self::ConnectionRefused
                | Self::Dns { .. }
                | Self::ConnectionLost { .. }
        )
    }

    /// The server's id of a created customer.
    pub fn created_id(&self) -> Option<&str> {
        match self {
            Self::Created { id, .. } => id.as_deref(),
            _ => None,
        }
    }

    /// Field errors the server named, for placing on the form.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Rejected { field_errors, .. } => field_errors,
            _ => &[],
        }
    }

    /// One plain sentence of what happened and, for failures, what to do next.
    pub fn summary(&self, backend: Backend) -> String {
        let api = backend.display_name();
        match self {
            Self::Created { id: Some(id), .. } => {
                format!(
                    "Created customer {}.",
                    super::server_text::shown_within(id, super::server_text::MAX_NAME_CHARS)
                )
            }
            Self::Created { id: None, .. } => format!("Created the customer; {api} did not say its id."),
            Self::Answered { status } => format!("{api} answered {status}."),
            Self::TokenGranted { expires_in: Some(life), server_value: None, .. } => {
                format!("Token granted, valid for {}.", lifetime_text(*life))
            }
            Self::TokenGranted { expires_in: Some(life), server_value: Some(asked), .. } if life.is_zero() => {
                format!(
                    "Token granted; the server said it expires in {asked} s, so it is renewed before the next request."
                )
            }
            Self::TokenGranted { expires_in: Some(_), server_value: Some(asked), .. } => format!(
                "Token granted; the server said it expires in {asked} s, so it is renewed within {} days.",
                MAX_TOKEN_LIFETIME.as_secs() / 86_400
            ),
            Self::TokenGranted { expires_in: None, server_value: Some(asked), .. } => format!(
                "Token granted; the server's expires_in {asked} is not a number of seconds, so the token is used until refused."
            ),
            Self::TokenGranted { expires_in: None, server_value: None, .. } => "Token granted.".to_owned(),
            Self::GrantRefused { grant: GrantType::ClientCredentials, message, .. } => format!(
                "{api} refused the OAuth app{}: check the profile's client id and client secret.",
                reason_suffix(message)
            ),
            Self::GrantRefused { grant: GrantType::RefreshToken, message, .. } => format!(
                "{api} refused the refresh token{}: it was revoked, expired or already used. Paste a new token, or set up an OAuth app.",
                reason_suffix(message)
            ),
            Self::Rejected { message, field_errors, valid_task_types } => {
                let mut sentence = match field_errors.len() {
                    0 if message.is_empty() => format!("Rejected by {api}; see the response body."),
                    0 => format!("Rejected: {message}"),
                    1 => "Rejected: 1 field. Fix it and send again.".to_owned(),
                    n => format!("Rejected: {n} fields. Fix them and send again."),
                };
                if !valid_task_types.is_empty() {
                    write!(sentence, " Valid task types: {}.", valid_task_types.join(", ")).ok();
                }
                sentence
            }
            Self::Unauthorized { .. } => match backend {
                Backend::Finosu => "Key not accepted (401). Check the profile's API key.".to_owned(),
                Backend::HelpScout => {
                    "Token rejected (401). It may have expired or been revoked; get a new token for the profile."
                        .to_owned()
                }
            },
            Self::Forbidden { .. } => {
                format!("Forbidden (403): the credential works but may not create customers. Ask a {api} admin.")
            }
            Self::NotFound => "Not found (404): check the profile's base URL.".to_owned(),
            Self::Conflict { message } if !message.is_empty() => format!("Conflict (409): {message}"),
            Self::Conflict { .. } => "Conflict (409): this customer seems to exist already.".to_owned(),
            Self::RateLimited { retry_after: Some(wait), server_value: None } => {
                format!("Rate limited (429): wait {} s and send again.", wait.as_secs().max(1))
            }
            Self::RateLimited { retry_after: Some(wait), server_value: Some(asked) } if *wait >= MAX_WAIT => format!(
                "Rate limited (429): the server asked to wait {asked} s; waiting at most {} h before sending again.",
                MAX_WAIT.as_secs() / 3600
            ),
            Self::RateLimited { retry_after: Some(_), server_value: Some(asked) } => {
                format!("Rate limited (429): the server asked to wait {asked} s; send again in a moment.")
            }
            Self::RateLimited { retry_after: None, server_value: Some(asked) } => format!(
                "Rate limited (429): the server's wait \"{asked}\" is not a number of seconds; wait a minute and send again."
            ),
            Self::RateLimited { retry_after: None, server_value: None } => {
                "Rate limited (429): wait a minute and send again.".to_owned()
            }
            Self::ServerError { status } => {
                format!("{api} had an error ({status}); nothing is wrong with the draft. Try again later.")
            }
            Self::UnexpectedStatus { status } => format!("Unexpected answer ({status}); see the response body."),
            Self::Timeout { phase: TimeoutPhase::Connect, limit } => {
                format!("No connection within {}; the server may be down or unreachable.", seconds_text(*limit))
            }
            Self::Timeout { phase: TimeoutPhase::Response, limit } => format!(
                "No answer within {}. The customer may or may not have been created; check before sending again.",
                seconds_text(*limit)
            ),
            Self::ConnectionRefused => {
                "Connection refused: nothing listens at the base URL's host and port.".to_owned()
            }
            Self::Dns { host } => format!("The host name {host} does not resolve; check the base URL and the network."),
            Self::Tls { detail } => format!("Secure connection failed: {detail}."),
            Self::ConnectionLost { .. } => {
                "The connection closed before an answer; the customer may or may not have been created.".to_owned()
            }
            Self::UndecodableBody { detail } => format!("The answer could not be read: {detail}."),
            Self::Cancelled => "Cancelled before an answer; the customer may or may not have been created.".to_owned(),
            Self::InvalidRequest { detail } => format!("The request could not be built: {detail}."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_sentences_name_the_limit() {
        let connect = Outcome::Timeout { phase: TimeoutPhase::Connect, limit: Duration::from_millis(500) };
        assert!(connect.summary(Backend::Finosu).starts_with("No connection within 0.5 s;"));
        let response = Outcome::Timeout { phase: TimeoutPhase::Response, limit: Duration::from_secs(30) };
        assert!(response.summary(Backend::HelpScout).starts_with("No answer within 30 s."));
        let odd = Outcome::Timeout { phase: TimeoutPhase::Response, limit: Duration::from_millis(1500) };
        assert!(odd.summary(Backend::HelpScout).starts_with("No answer within 1.5 s."));
    }

    #[test]
    fn server_values_not_used_as_sent_are_named() {
        let limited = |retry_after, asked: Option<&str>| {
            Outcome::RateLimited { retry_after, server_value: asked.map(str::to_owned) }.summary(Backend::Finosu)
        };
        assert_eq!(
            limited(Some(MAX_WAIT), Some("1e20")),
            "Rate limited (429): the server asked to wait 1e20 s; waiting at most 1 h before sending again."
        );
        assert_eq!(
            limited(Some(Duration::ZERO), Some("-5")),
            "Rate limited (429): the server asked to wait -5 s; send again in a moment."
        );
        assert!(limited(None, Some("soon")).contains("\"soon\" is not a number of seconds"));
        assert_eq!(limited(Some(Duration::from_secs(7)), None), "Rate limited (429): wait 7 s and send again.");
        let granted = |expires_in, asked: Option<&str>| {
            let outcome = Outcome::TokenGranted {
                grant: GrantType::ClientCredentials,
                expires_in,
                server_value: asked.map(str::to_owned),
            };
            outcome.summary(Backend::HelpScout)
        };
        assert!(
            granted(Some(MAX_TOKEN_LIFETIME), Some("1e13"))
                .contains("expires in 1e13 s, so it is renewed within 365 days")
        );
        assert!(granted(Some(Duration::ZERO), Some("-1")).contains("renewed before the next request"));
        assert!(granted(None, Some("\"abc\"")).contains("\"abc\" is not a number of seconds"));
        assert_eq!(granted(Some(Duration::from_hours(2)), None), "Token granted, valid for 2 h.");
    }
}
