//! The two APIs' answer shapes, shared by their routes, the rate limiter and the fault injector.
//!
//! Finosu's error format is not published; the sandbox uses
//! `{"error": "<reason phrase>", "message": "…", "errors": [{"field", "message"}]}`.
//! Help Scout's is `application/vnd.error+json` with one embedded error per field.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde_json::{Value, json};

use crate::model::Backend;

/// Which emulated API a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Served under `/finosu`.
    Finosu,
    /// Served under `/helpscout`.
    HelpScout,
}

impl Api {
    /// The first path segment the API is served under.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Finosu => "finosu",
            Self::HelpScout => "helpscout",
        }
    }

    /// The API a request path (after any fault prefix) belongs to.
    pub fn of_path(path: &str) -> Option<Self> {
        let first = path.trim_start_matches('/').split('/').next()?;
        [Self::Finosu, Self::HelpScout].into_iter().find(|api| api.prefix() == first)
    }
}

impl From<Backend> for Api {
    fn from(backend: Backend) -> Self {
        match backend {
            Backend::Finosu => Self::Finosu,
            Backend::HelpScout => Self::HelpScout,
        }
    }
}

/// One refused field: where, why, and (Help Scout only) the value refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// `email`, `emails[0].value`, `address.postalCode`, `properties.shoeSize`.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
    /// The value as received; `None` when the field was missing.
    pub rejected: Option<Value>,
}

impl Problem {
    /// A problem at `path` with the value that was refused.
    pub fn new(path: impl Into<String>, message: impl Into<String>, rejected: Option<&Value>) -> Self {
        Self { path: path.into(), message: message.into(), rejected: rejected.cloned() }
    }
}

/// `status` with a JSON body.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// The reason phrase of `status` ("Bad Request"), or "Error" for an unnamed one.
pub fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

/// Finosu's error body: `{"error": "<reason phrase>", "message": …}`.
pub fn finosu_error_body(status: StatusCode, message: &str) -> Value {
    json!({"error": reason(status), "message": message})
}

/// A Finosu error answer.
pub fn finosu_error(status: StatusCode, message: &str) -> Response {
    json_response(status, &finosu_error_body(status, message))
}

/// A Help Scout `application/vnd.error+json` answer; `problems` go in `_embedded.errors`.
pub fn vnd_error(status: StatusCode, message: &str, problems: &[Problem]) -> Response {
    let mut body = json!({"logRef": log_ref(), "message": message});
    if !problems.is_empty() {
        let errors: Vec<Value> = problems
            .iter()
            .map(|p| {
                json!({
                    "path": p.path,
                    "message": p.message,
                    "source": "JSON",
                    "rejectedValue": p.rejected.clone().unwrap_or(Value::Null),
                })
            })
            .collect();
        body["_embedded"] = json!({ "errors": errors });
    }
    let mut response = json_response(status, &body);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.error+json"));
    response
}

/// An error answer in `api`'s shape.
pub fn api_error(api: Api, status: StatusCode, message: &str) -> Response {
    match api {
        Api::Finosu => finosu_error(status, message),
        Api::HelpScout => vnd_error(status, message, &[]),
    }
}

/// The 429 of `api`: Help Scout's carries the `X-RateLimit-*` headers, both carry `Retry-After`.
pub fn rate_limited(api: Api, limit: u32, remaining: u32, retry_after_secs: u64) -> Response {
    let message = format!(
        "Rate limit exceeded: {limit} requests per minute (writes count twice). Try again in {retry_after_secs} seconds."
    );
    let mut response = match api {
        Api::Finosu => json_response(
            StatusCode::TOO_MANY_REQUESTS,
            &json!({"error": reason(StatusCode::TOO_MANY_REQUESTS), "message": message, "retryAfter": retry_after_secs}),
        ),
        Api::HelpScout => {
            let mut response = vnd_error(StatusCode::TOO_MANY_REQUESTS, &message, &[]);
            add_rate_headers(&mut response, limit, remaining);
            response.headers_mut().insert("X-RateLimit-Retry-After", HeaderValue::from(retry_after_secs));
            response
        }
    };
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// Help Scout's per-answer rate headers.
pub fn add_rate_headers(response: &mut Response, limit: u32, remaining: u32) {
    let headers = response.headers_mut();
    headers.insert("X-RateLimit-Limit-Minute", HeaderValue::from(limit));
    headers.insert("X-RateLimit-Remaining-Minute", HeaderValue::from(remaining));
}

/// A random reference, as Help Scout puts in every error so support can find it in their logs.
fn log_ref() -> String {
    format!("sandbox#{:016x}", fastrand::u64(..))
}

/// A random token-like string of `len` lowercase letters and digits.
pub fn random_text(len: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric).take(len).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_is_read_from_the_first_segment() {
        assert_eq!(Api::of_path("/finosu/customers"), Some(Api::Finosu));
        assert_eq!(Api::of_path("/helpscout"), Some(Api::HelpScout));
        assert_eq!(Api::of_path("/finosuX/customers"), None);
        assert_eq!(Api::of_path("/"), None);
    }
}
