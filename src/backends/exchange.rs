//! The record of one HTTP attempt, as the response viewer shows it: nothing in it is secret.

use std::time::{Duration, SystemTime};

use super::outcome::Outcome;
use crate::model::Backend;

/// Keys whose values are shown masked wherever a body is displayed or copied: customer data the
/// SPEC keeps masked (the SSN last four), and OAuth secrets, whatever body they turn up in.
pub const MASKED_BODY_KEYS: [&str; 5] = ["ssnLastFour", "access_token", "refresh_token", "id_token", "client_secret"];

/// OAuth secrets looked for in bodies that are not JSON (or are cut), by [`mask_secrets_in_text`].
const SECRET_TEXT_KEYS: [&str; 4] = ["access_token", "refresh_token", "id_token", "client_secret"];

/// Replaces the value of every [`MASKED_BODY_KEYS`] key (at any depth) with `••••`.
///
/// True when anything was masked. The record keeps what was sent; displays and copies use this.
/// A value already masked (`••••a1b2`, a token answer's) is left as it is.
pub fn mask_customer_secrets(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => {
            let mut masked = false;
            for (key, child) in map.iter_mut() {
                let already = child.as_str().is_some_and(|text| text.starts_with("••••"));
                if MASKED_BODY_KEYS.contains(&key.as_str()) && !child.is_null() && !already {
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

/// `text` with [`mask_customer_secrets`] applied when it is JSON (compact), else with
/// [`mask_secrets_in_text`].
pub fn masked_body_text(text: &str) -> std::borrow::Cow<'_, str> {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) else {
        return mask_secrets_in_text(text);
    };
    if mask_customer_secrets(&mut value) {
        std::borrow::Cow::Owned(value.to_string())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// `text` with the value after every OAuth secret's name masked, for bodies that are not JSON or
/// are cut: `access_token=abc&…`, `"refresh_token": "abc"`, `client_secret: abc`.
pub fn mask_secrets_in_text(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for key in SECRET_TEXT_KEYS {
        for at in memchr::memmem::find_iter(bytes, key.as_bytes()) {
            let mut i = at + key.len();
            // The name's closing quote, spaces, the separator, spaces, the value's opening quote.
            while i < bytes.len() && matches!(bytes[i], b'"' | b'\'' | b' ' | b'\t') {
                i += 1;
            }
            if i >= bytes.len() || !matches!(bytes[i], b':' | b'=') {
                continue;
            }
            i += 1;
            while i < bytes.len() && matches!(bytes[i], b'"' | b'\'' | b' ' | b'\t') {
                i += 1;
            }
            let start = i;
            while i < bytes.len()
                && !matches!(
                    bytes[i],
                    b'"' | b'\'' | b'&' | b',' | b'}' | b']' | b'<' | b';' | b' ' | b'\t' | b'\r' | b'\n'
                )
            {
                i += 1;
            }
            // A value already masked (`••••a1b2`, or percent-encoded in a form) keeps its last four.
            let value = &bytes[start..i];
            let masked = value.starts_with("••••".as_bytes()) || value.starts_with(b"%E2%80%A2");
            if i > start && !masked {
                cuts.push((start, i));
            }
        }
    }
    if cuts.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (start, end) in cuts {
        if start < done {
            continue;
        }
        // The cuts sit at ASCII delimiters, so they are character boundaries.
        out.push_str(text.get(done..start).unwrap_or_default());
        out.push_str("••••");
        done = end;
    }
    out.push_str(text.get(done..).unwrap_or_default());
    std::borrow::Cow::Owned(out)
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

#[cfg(test)]
mod secret_masking_tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn oauth_secrets_are_masked_in_json_of_any_shape() {
        let mut body =
            json!([{"data": {"access_token": "at-12345678", "refresh_token": "rt-1"}}, {"client_secret": "cs"}]);
        assert!(mask_customer_secrets(&mut body));
        assert_eq!(
            body,
            json!([{"data": {"access_token": "••••", "refresh_token": "••••"}}, {"client_secret": "••••"}])
        );
        let mut already = json!({"access_token": "••••5678"});
        assert!(!mask_customer_secrets(&mut already), "a masked token keeps its last four");
    }

    #[test]
    fn oauth_secrets_are_masked_in_text_that_is_not_json() {
        assert_eq!(
            mask_secrets_in_text("access_token=at-123&token_type=bearer&refresh_token=rt-9"),
            "access_token=••••&token_type=bearer&refresh_token=••••"
        );
        assert_eq!(
            mask_secrets_in_text("{\"access_token\": \"at-123\", \"expires_in\": 7200"),
            "{\"access_token\": \"••••\", \"expires_in\": 7200",
            "a cut JSON body"
        );
        assert_eq!(mask_secrets_in_text("<p>client_secret: s3cr3t</p>"), "<p>client_secret: ••••</p>");
        let recorded = "client_secret=%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2c4d2&access_token=••••a1b2";
        assert_eq!(mask_secrets_in_text(recorded), recorded, "already masked: the last four stay");
        assert_eq!(
            mask_secrets_in_text("no secrets here: access_token is a word"),
            "no secrets here: access_token is a word"
        );
        assert_eq!(
            masked_body_text("grant_type=refresh_token&refresh_token=rt-1"),
            "grant_type=refresh_token&refresh_token=••••"
        );
    }
}
