//! Finosu: `POST {base}/customers` with `X-API-Key`.
//!
//! Its error format is not published, so errors are read best effort: a message from `message`/`error`/`errors`, field errors from
//! whatever shape `errors` has, and the valid task types a 400 lists.

use std::sync::atomic::{AtomicU8, Ordering};

use serde_json::Value;

use super::exchange::{Exchange, ResponseRecord};
use super::http::{
    ClientSetupError, Endpoint, HeaderText, RequestBody, RequestSpec, body_json, body_message, build_http_client,
    classify_common_status, send, send_read,
};
use super::outcome::{FieldError, Outcome};
use super::secret::Secret;
use super::server_text::{MAX_NAME_CHARS, shown_server_text, shown_within};
use crate::model::Backend;

/// A Finosu API client for one profile.
#[derive(Debug)]
pub struct FinosuClient {
    http: reqwest::Client,
    endpoint: Endpoint,
    api_key: Secret,
    /// What this server showed of `GET /customers/{id}`, which Finosu does not document:
    /// [`READ_ROUTE_UNKNOWN`], [`READ_ROUTE_PRESENT`] or [`READ_ROUTE_MISSING`].
    read_route: AtomicU8,
}

const READ_ROUTE_UNKNOWN: u8 = 0;
const READ_ROUTE_PRESENT: u8 = 1;
const READ_ROUTE_MISSING: u8 = 2;

/// What `GET /customers/{id}` told about a customer.
///
/// Finosu documents `POST /customers` only; the read is the sandbox's assumption, so every
/// caller must cope with a server that has no read route.
#[derive(Debug, Clone, PartialEq)]
pub enum FinosuRead {
    /// The customer exists; its body when the answer was JSON.
    Found(Option<Value>),
    /// No customer with that id (the route exists: it refuses a read without the key).
    NotFound,
    /// The server has no read route: 404 with and without the key. Finosu cannot be asked.
    NoReadRoute,
    /// The read itself failed (offline, 5xx, 401…).
    Failed(Outcome),
}

impl FinosuClient {
    /// A client for `endpoint` sending `api_key`.
    pub fn new(endpoint: Endpoint, api_key: Secret) -> Result<Self, ClientSetupError> {
        Ok(Self {
            http: build_http_client(&endpoint)?,
            endpoint,
            api_key,
            read_route: AtomicU8::new(READ_ROUTE_UNKNOWN),
        })
    }

    /// Where this client's requests go.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Creates a customer from a normalised body.
    pub async fn create_customer(&self, body: &Value) -> Exchange {
        let spec = RequestSpec {
            method: reqwest::Method::POST,
            url: self.endpoint.url_for(Backend::Finosu.create_path()),
            headers: vec![
                ("Content-Type", HeaderText::Plain("application/json".to_owned())),
                ("Accept", HeaderText::Plain("application/json".to_owned())),
                self.key_header(),
            ],
            body: Some(RequestBody::Json(body.to_string())),
        };
        let sent = send(&self.http, &self.endpoint, Backend::Finosu, spec).await;
        let mut exchange = sent.exchange;
        if let Some(record) = &sent.response {
            exchange.outcome = classify_create_response(record, body);
        }
        exchange
    }

    /// `GET /customers/{id}`: the harmless read used to look a customer up (and, with a random
    /// id, to test a key: 404 means the key was accepted).
    pub async fn get_customer(&self, id: &str) -> Exchange {
        self.get(id, true).await
    }

    /// The same read without the key. A server that checks keys answers 401 or 403; one that
    /// still answers 404 is not a Finosu API, which tells a wrong base URL from an accepted key.
    pub async fn get_customer_without_key(&self, id: &str) -> Exchange {
        self.get(id, false).await
    }

    /// Reads the customer with `id`. A 404 is believed only once the same read without the key
    /// was refused (401/403) — the route exists and checks keys; a second 404 means the server
    /// has no read route, which is remembered so it is not asked again. Every exchange taken is
    /// returned, for the viewer and the record's history.
    pub async fn read_customer(&self, id: &str) -> (FinosuRead, Vec<Exchange>) {
        if self.read_route.load(Ordering::Relaxed) == READ_ROUTE_MISSING {
            return (FinosuRead::NoReadRoute, Vec::new());
        }
        let first = self.get_customer(id).await;
        let read = match &first.outcome {
            Outcome::Answered { .. } => {
                self.read_route.store(READ_ROUTE_PRESENT, Ordering::Relaxed);
                FinosuRead::Found(first.response.as_ref().and_then(body_json))
            }
            Outcome::NotFound if self.read_route.load(Ordering::Relaxed) == READ_ROUTE_PRESENT => FinosuRead::NotFound,
            Outcome::NotFound => {
                let probe = self.get_customer_without_key(id).await;
                let read = match &probe.outcome {
                    Outcome::Unauthorized { .. } | Outcome::Forbidden { .. } => {
                        self.read_route.store(READ_ROUTE_PRESENT, Ordering::Relaxed);
                        FinosuRead::NotFound
                    }
                    Outcome::NotFound => {
                        self.read_route.store(READ_ROUTE_MISSING, Ordering::Relaxed);
                        FinosuRead::NoReadRoute
                    }
                    other => FinosuRead::Failed(other.clone()),
                };
                return (read, vec![first, probe]);
            }
            other => FinosuRead::Failed(other.clone()),
        };
        (read, vec![first])
    }

    /// `POST /customers` with an empty object: the documented endpoint, asked something it
    /// must refuse. A 400 naming the missing fields means the key was accepted, 401/403 that
    /// it was not; an empty customer cannot be created. Used to test a key when the server has
    /// no read route.
    pub async fn probe_create_without_fields(&self) -> Exchange {
        self.create_customer(&Value::Object(serde_json::Map::new())).await
    }

    async fn get(&self, id: &str, with_key: bool) -> Exchange {
        let mut headers = vec![("Accept", HeaderText::Plain("application/json".to_owned()))];
        if with_key {
            headers.push(self.key_header());
        }
        let spec = RequestSpec {
            method: reqwest::Method::GET,
            url: self.endpoint.url_for(&format!("/customers/{}", encode_path_segment(id))),
            headers,
            body: None,
        };
        send_read(&self.http, &self.endpoint, Backend::Finosu, spec).await
    }

    fn key_header(&self) -> (&'static str, HeaderText) {
        ("X-API-Key", HeaderText::Secret { prefix: "", secret: self.api_key.clone() })
    }
}

/// Percent-encodes one path segment.
pub(crate) fn encode_path_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20")
}

/// The meaning of Finosu's answer to a create.
pub fn classify_create_response(record: &ResponseRecord, sent_body: &Value) -> Outcome {
    let body = body_json(record);
    match record.status {
        200..=299 => match &body {
            Some(Value::Object(stored)) => {
                let id = stored.get("id").and_then(id_text).or_else(|| sent_body.get("id").and_then(id_text));
                Outcome::Created { id, location: None }
            }
            _ if record.body.is_empty() => {
                Outcome::Created { id: sent_body.get("id").and_then(id_text), location: None }
            }
            _ => Outcome::UndecodableBody {
                detail: format!(
                    "the server answered {} but its body is not the customer as JSON, so it is unknown \
                     whether the customer was stored",
                    record.status
                ),
            },
        },
        400 | 422 => {
            let (message, field_errors, valid_task_types) = read_finosu_error(body.as_ref(), &record.body);
            Outcome::Rejected { message, field_errors, valid_task_types }
        }
        _ => classify_common_status(record),
    }
}

fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a Finosu error body: (message, field errors, valid task types). `raw` is used when the
/// body is not JSON.
pub fn read_finosu_error(body: Option<&Value>, raw: &[u8]) -> (String, Vec<FieldError>, Vec<String>) {
    let mut message = body_message(body);
    if message.is_empty() && body.is_none() {
        shown_server_text(&String::from_utf8_lossy(raw)).clone_into(&mut message);
    }
    let mut field_errors = Vec::new();
    if let Some(errors) = body.and_then(|b| b.get("errors")) {
        collect_field_errors(errors, &mut field_errors);
    }
    let mut task_types = body.map(task_types_from_json).unwrap_or_default();
    if task_types.is_empty() {
        task_types = task_types_from_text(&message);
    }
    if !task_types.is_empty() && !field_errors.iter().any(|e| e.pointer == "/taskType") {
        field_errors.push(FieldError {
            pointer: "/taskType".to_owned(),
            server_path: "taskType".to_owned(),
            message: format!("Not a task type of this account. Valid: {}.", task_types.join(", ")),
            rejected_value: None,
        });
    }
    (message, field_errors, task_types)
}

fn collect_field_errors(errors: &Value, out: &mut Vec<FieldError>) {
    match errors {
        // [{"field": "email", "message": "…"}] and the like.
        Value::Array(items) => {
            for item in items {
                let field = ["field", "path", "name", "property", "param"]
                    .iter()
                    .find_map(|k| item.get(*k).and_then(Value::as_str));
                let message =
                    ["message", "msg", "error", "detail"].iter().find_map(|k| item.get(*k).and_then(Value::as_str));
                if let (Some(field), Some(message)) = (field, message) {
                    out.push(field_error(
                        field,
                        message,
                        item.get("rejectedValue").or_else(|| item.get("value")).cloned(),
                    ));
                }
            }
        }
        // {"email": "…"} or {"email": ["…", "…"]}.
        Value::Object(map) => {
            for (field, value) in map {
                match value {
                    Value::String(message) => out.push(field_error(field, message, None)),
                    Value::Array(messages) => {
                        for message in messages.iter().filter_map(Value::as_str) {
                            out.push(field_error(field, message, None));
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// The most task types taken from one answer: a server listing thousands is not believed past
/// these (they are offered in a menu and kept on the profile).
pub const MAX_TASK_TYPES: usize = 100;

fn field_error(server_path: &str, message: &str, rejected_value: Option<Value>) -> FieldError {
    FieldError {
        pointer: super::helpscout::pointer_from_server_path(server_path),
        server_path: shown_within(server_path, MAX_NAME_CHARS),
        message: shown_server_text(message),
        rejected_value,
    }
}

fn task_types_from_json(body: &Value) -> Vec<String> {
    let Value::Object(map) = body else { return Vec::new() };
    for (key, value) in map {
        let key = key.to_ascii_lowercase();
        if key.contains("task")
            && let Value::Array(items) = value
        {
            let names: Vec<String> = items
                .iter()
                .filter_map(Value::as_str)
                .map(|name| shown_within(name, MAX_NAME_CHARS))
                .filter(|name| !name.is_empty())
                .take(MAX_TASK_TYPES)
                .collect();
            if !names.is_empty() {
                return names;
            }
        }
    }
    // Nested one level, e.g. {"details": {"validTaskTypes": […]}}.
    map.values().filter(|v| v.is_object()).map(task_types_from_json).find(|v| !v.is_empty()).unwrap_or_default()
}

/// "Invalid task type 'x'. Valid task types: a, b, c" → [a, b, c].
fn task_types_from_text(message: &str) -> Vec<String> {
    let lower = message.to_ascii_lowercase();
    let Some(at) = lower.find("task types") else { return Vec::new() };
    let rest = &message[at + "task types".len()..];
    let Some(colon) = rest.find(':') else { return Vec::new() };
    rest[colon + 1..]
        .split([',', ';', '\n'])
        .map(|s| s.trim().trim_matches(['"', '\'', '.', '[', ']', ' ']).to_owned())
        .filter(|s| !s.is_empty() && s.len() <= MAX_NAME_CHARS && !s.contains(' ') && !s.chars().any(char::is_control))
        .take(MAX_TASK_TYPES)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn task_types_are_read_from_json_or_from_the_message() {
        let body = json!({"message": "Invalid task type", "validTaskTypes": ["collections", "welcome-call"]});
        let (_, errors, types) = read_finosu_error(Some(&body), b"");
        assert_eq!(types, ["collections", "welcome-call"]);
        assert_eq!(errors[0].pointer, "/taskType");
        let body = json!({"error": "Invalid task type 'x'. Valid task types: collections, payment-reminder."});
        let (message, _, types) = read_finosu_error(Some(&body), b"");
        assert_eq!(types, ["collections", "payment-reminder"]);
        assert!(message.starts_with("Invalid task type"));
    }

    #[test]
    fn field_errors_come_from_arrays_or_maps() {
        let body = json!({"errors": [{"field": "email", "message": "bad"}, {"path": "zipCode", "msg": "short"}]});
        let (_, errors, _) = read_finosu_error(Some(&body), b"");
        assert_eq!(errors.iter().map(|e| e.pointer.as_str()).collect::<Vec<_>>(), ["/email", "/zipCode"]);
        let body = json!({"errors": {"state": ["unknown", "too long"]}});
        let (_, errors, _) = read_finosu_error(Some(&body), b"");
        assert_eq!(errors.len(), 2);
        let (message, errors, _) = read_finosu_error(None, b"<html>Bad Request</html>");
        assert_eq!((message.as_str(), errors.len()), ("<html>Bad Request</html>", 0));
    }
}
