//! The record of one HTTP attempt, as the response viewer shows it: nothing in it is secret.

use std::time::{Duration, SystemTime};

use super::outcome::Outcome;
use crate::model::Backend;

/// Response bodies larger than this are cut here; the record says how much there was.
pub const MAX_KEPT_BODY_BYTES: usize = 16 * 1024 * 1024;

/// One header, with secret values already masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Header name as sent or received.
    pub name: String,
    /// Its value; `••••a1b2` for credentials.
    pub value: String,
}

/// What came back, when anything did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRecord {
    /// HTTP status code.
    pub status: u16,
    /// The reason phrase (`Created`).
    pub reason: String,
    /// Response headers in order.
    pub headers: Vec<Header>,
    /// The body as received (cut at [`MAX_KEPT_BODY_BYTES`]).
    pub body: Vec<u8>,
    /// The full length, when the body was cut.
    pub body_truncated_from: Option<usize>,
}

impl ResponseRecord {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
    }
}

/// One request and whatever answered it. Built by the clients, kept for the session, shown by
/// the viewer, printed by the CLI. Secrets are masked before a record is made.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// Which API this was for (decides the sentence).
    pub backend: Backend,
    /// When the request started.
    pub started_at: SystemTime,
    /// `POST`, `GET`.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// Request headers in order, credentials masked.
    pub request_headers: Vec<Header>,
    /// The request body as sent (JSON text, or a form body with secrets masked).
    pub request_body: Option<String>,
    /// The answer, if one arrived.
    pub response: Option<ResponseRecord>,
    /// From sending to the end of the body (or the failure).
    pub latency: Duration,
    /// What it came to.
    pub outcome: Outcome,
}

impl Exchange {
    /// One plain sentence: "Created customer 101", "Key not accepted (401)…".
    pub fn summary(&self) -> String {
        self.outcome.summary(self.backend)
    }

    /// The status line, `201 Created`, or the failure kind when nothing answered.
    pub fn status_text(&self) -> String {
        match &self.response {
            Some(r) if r.reason.is_empty() => r.status.to_string(),
            Some(r) => format!("{} {}", r.status, r.reason),
            None => "no response".to_owned(),
        }
    }
}
