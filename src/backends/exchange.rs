//! The record of one HTTP attempt, as the response viewer shows it: nothing in it is secret.

use std::time::{Duration, SystemTime};

use super::outcome::Outcome;
use crate::model::Backend;

/// Keys of customer data shown masked wherever a body is displayed or copied.
pub const MASKED_BODY_KEYS: [&str; 1] = ["ssnLastFour"];

/// Replaces the value of every [`MASKED_BODY_KEYS`] key (at any depth) with `••••`; true when
/// anything was masked. The record keeps what was sent; displays and copies use this.
pub fn mask_customer_secrets(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => {
            let mut masked = false;
            for (key, child) in map.iter_mut() {
                if MASKED_BODY_KEYS.contains(&key.as_str()) && !child.is_null() {
                    *child = serde_json::Value::String("••••".to_owned());
                    masked = true;
                } else {
                    masked |= mask_customer_secrets(child);
                }
            }
            masked
        }
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |acc, item| mask_customer_secrets(item) | acc),
        _ => false,
    }
}

/// `text` with [`mask_customer_secrets`] applied when it is JSON (compact), else unchanged.
pub fn masked_body_text(text: &str) -> std::borrow::Cow<'_, str> {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) else {
        return std::borrow::Cow::Borrowed(text);
    };
    if mask_customer_secrets(&mut value) {
        std::borrow::Cow::Owned(value.to_string())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

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
    /// The record of a request that got no answer here: never sent (`InvalidRequest`), or given
    /// up on (`Cancelled`). It starts now and has no headers, response or latency yet.
    pub fn unanswered(
        backend: Backend,
        method: &str,
        url: String,
        request_body: Option<String>,
        outcome: Outcome,
    ) -> Self {
        Self {
            backend,
            started_at: SystemTime::now(),
            method: method.to_owned(),
            url,
            request_headers: Vec::new(),
            request_body,
            response: None,
            latency: Duration::ZERO,
            outcome,
        }
    }

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
