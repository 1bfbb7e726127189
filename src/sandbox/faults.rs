//! Failure injection: the faults a request can be forced into with a path prefix.
//!
//! `/_fault/<fault>/finosu/…` or `/_fault/<fault>/helpscout/…` serves the request as if the prefix
//! were not there, except for the fault. This lets a test or a person point a profile at a base
//! URL that always misbehaves in one known way, with no randomness.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Request, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::{Map, Value};
use thiserror::Error;
use tokio::sync::watch;

use super::responses::{Api, api_error, rate_limited, reason};

/// A fault forced on every request through a fault base URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Never answers; the connection stays open until the client gives up (or the sandbox stops).
    Hang,
    /// Closes the connection without any HTTP answer.
    Drop,
    /// Serves the request (a create stores the customer), then closes the connection without
    /// answering: the ambiguous ending an outbox must reconcile, not resend. Only requests that
    /// create or change customers lose their answer; reads (the reconciling lookup) and token
    /// grants are answered.
    CommitDrop,
    /// 200 with `Content-Type: application/json` and an HTML page as the body.
    Garbage,
    /// The normal answer with a valid JSON body of more than 10 MiB (a 204 becomes a 200).
    Huge,
    /// Answers this status (200–599) in the API's error shape, without processing the request.
    Status(u16),
    /// Waits this many milliseconds, then processes the request normally.
    SlowMs(u64),
}

impl Fault {
    /// The path segment form: `hang`, `drop`, `garbage`, `huge`, `status-503`, `slow-1500`.
    pub fn path_segment(&self) -> String {
        match self {
            Self::Hang => "hang".to_owned(),
            Self::Drop => "drop".to_owned(),
            Self::CommitDrop => "commit-drop".to_owned(),
            Self::Garbage => "garbage".to_owned(),
            Self::Huge => "huge".to_owned(),
            Self::Status(code) => format!("status-{code}"),
            Self::SlowMs(millis) => format!("slow-{millis}"),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path_segment())
    }
}

/// A path segment that names no fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown fault '{0}': use hang, drop, commit-drop, garbage, huge, status-NNN (200 to 599) or slow-MS")]
pub struct FaultParseError(pub String);

impl FromStr for Fault {
    type Err = FaultParseError;

    fn from_str(segment: &str) -> Result<Self, Self::Err> {
        let err = || FaultParseError(segment.to_owned());
        match segment {
            "hang" => Ok(Self::Hang),
            "drop" => Ok(Self::Drop),
            "commit-drop" => Ok(Self::CommitDrop),
            "garbage" => Ok(Self::Garbage),
            "huge" => Ok(Self::Huge),
            _ => {
                if let Some(code) = segment.strip_prefix("status-") {
                    let code: u16 = code.parse().map_err(|_not_a_number| err())?;
                    return if (200..=599).contains(&code) { Ok(Self::Status(code)) } else { Err(err()) };
                }
                if let Some(millis) = segment.strip_prefix("slow-") {
                    return millis.parse().map(Self::SlowMs).map_err(|_not_a_number| err());
                }
                Err(err())
            }
        }
    }
}

/// Longest a hanging request is held; bounds what a client that never gives up can pin down.
pub const HANG_LIMIT: Duration = Duration::from_mins(5);

/// The smallest body [`Fault::Huge`] sends.
pub const HUGE_MIN_BYTES: usize = 10 * 1024 * 1024;

/// Takes a `/_fault/<fault>` prefix off the request's path: the fault, none, or why the prefix
/// is unusable (it names no fault, or no API follows it).
pub fn take_prefix(request: &mut Request<Body>) -> Result<Option<Fault>, String> {
    let Some(rest) = request.uri().path().strip_prefix("/_fault/") else { return Ok(None) };
    let (segment, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = format!("/{path}");
    let fault = segment.parse::<Fault>().map_err(|e| e.to_string())?;
    if Api::of_path(&path).is_none() {
        return Err(format!("After /_fault/{segment}/ comes finosu/… or helpscout/…"));
    }
    let target = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    *request.uri_mut() = target.parse::<Uri>().map_err(|e| format!("Not a usable path: {e}"))?;
    Ok(Some(fault))
}

/// Waits until the sandbox stops or [`HANG_LIMIT`] passes; the caller then drops the connection.
/// When the client gives up first, the server drops this future with its connection.
pub async fn hang(mut stopped: watch::Receiver<bool>) {
    tokio::select! {
        _ = stopped.wait_for(|stopped| *stopped) => {}
        () = tokio::time::sleep(HANG_LIMIT) => {}
    }
}

/// 200, labelled JSON, holding a proxy's HTML error page.
pub fn garbage() -> Response {
    const PAGE: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad \
                        Gateway</h1><p>The upstream server sent an invalid response.</p><hr>\
                        <address>sandbox-proxy</address></body></html>\n";
    let mut response = Response::new(Body::from(PAGE));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `code` in `api`'s shape; a 429 carries the rate headers with a retry after 7 seconds.
pub fn status(api: Api, code: u16, limit_per_minute: u32) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::TOO_MANY_REQUESTS {
        let limit = if limit_per_minute == 0 { 200 } else { limit_per_minute };
        return rate_limited(api, limit, 0, 7);
    }
    if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = status;
        return response;
    }
    let message = format!("The sandbox answered {code} {} on purpose (fault status-{code})", reason(status));
    api_error(api, status, &message)
}

/// The answer with its JSON body (or `{}`) given a `padding` list of more than 10 MiB.
pub async fn enlarge(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, 1024 * 1024).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!("sandbox: could not read an answer to enlarge it: {error}");
            Bytes::new()
        }
    };
    let mut object = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => map,
        Ok(other) => Map::from_iter([("original".to_owned(), other)]),
        Err(_) => Map::new(),
    };
    let line = "x".repeat(1024);
    let count = HUGE_MIN_BYTES / line.len() + 1;
    object.insert("padding".to_owned(), Value::Array(vec![Value::String(line); count]));
    let text = Value::Object(object).to_string();
    if parts.status == StatusCode::NO_CONTENT || parts.status == StatusCode::NOT_MODIFIED {
        parts.status = StatusCode::OK;
    }
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_round_trip_through_their_path_segment() {
        for fault in [Fault::Hang, Fault::Drop, Fault::Garbage, Fault::Huge, Fault::Status(503), Fault::SlowMs(1500)] {
            assert_eq!(fault.path_segment().parse::<Fault>(), Ok(fault.clone()));
        }
        assert_eq!("status-429".parse::<Fault>(), Ok(Fault::Status(429)));
        for bad in ["", "Hang", "status-", "status-99", "status-600", "slow-", "slow--1", "slow-1.5", "boom"] {
            assert!(bad.parse::<Fault>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_prefix_comes_off_and_keeps_the_query() {
        let mut request =
            Request::builder().uri("/_fault/slow-5/helpscout/v2/customers?query=x").body(Body::empty()).unwrap();
        assert_eq!(take_prefix(&mut request).unwrap(), Some(Fault::SlowMs(5)));
        assert_eq!(request.uri().to_string(), "/helpscout/v2/customers?query=x");
        let mut request = Request::builder().uri("/finosu/customers").body(Body::empty()).unwrap();
        assert_eq!(take_prefix(&mut request).unwrap(), None);
        for bad in ["/_fault/boom/finosu/customers", "/_fault/drop/elsewhere", "/_fault/drop"] {
            let mut request = Request::builder().uri(bad).body(Body::empty()).unwrap();
            assert!(take_prefix(&mut request).is_err(), "{bad}");
        }
    }
}
