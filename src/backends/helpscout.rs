//! Help Scout Mailbox API v2: `POST {base}/v2/customers` with a Bearer token.
//!
//! The token comes either
//! pasted by the person or from the OAuth client-credentials grant. Errors are
//! `application/vnd.error+json` with one `path` per field; those paths are mapped onto the form.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;

use super::exchange::{Exchange, ResponseRecord};
use super::http::{
    ClientSetupError, Endpoint, HeaderText, RequestBody, RequestSpec, body_json, body_message, build_http_client,
    classify_common_status, send,
};
use super::outcome::{FieldError, Outcome};
use super::secret::Secret;
use crate::model::{Backend, PropertyDefinition, PropertyKind};

/// The token endpoint, relative to the base URL.
pub const TOKEN_PATH: &str = "/v2/oauth2/token";
/// Tokens are renewed this long before they expire.
const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(60);

/// How a Help Scout profile authenticates.
#[derive(Debug, Clone)]
pub enum HelpScoutAuth {
    /// A token the person pasted.
    AccessToken(Secret),
    /// An OAuth app: tokens come from the client-credentials grant.
    ClientCredentials {
        /// The app's id (not secret).
        client_id: String,
        /// The app's secret.
        client_secret: Secret,
    },
}

#[derive(Debug, Clone)]
struct CachedToken {
    token: Secret,
    renew_at: Option<Instant>,
}

/// A Help Scout API client for one profile. Tokens from the grant are kept in memory and
/// renewed before expiry; a 401 renews once and retries once.
#[derive(Debug)]
pub struct HelpScoutClient {
    http: reqwest::Client,
    endpoint: Endpoint,
    auth: HelpScoutAuth,
    token: Mutex<Option<CachedToken>>,
}

/// A token grant as the token endpoint returns it.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The bearer token.
    pub access_token: Secret,
    /// Its lifetime.
    pub expires_in: Option<Duration>,
    /// A refresh token, when the server gave one.
    pub refresh_token: Option<Secret>,
}

impl HelpScoutClient {
    /// A client for `endpoint` authenticating with `auth`.
    pub fn new(endpoint: Endpoint, auth: HelpScoutAuth) -> Result<Self, ClientSetupError> {
        let token = match &auth {
            HelpScoutAuth::AccessToken(token) => Some(CachedToken { token: token.clone(), renew_at: None }),
            HelpScoutAuth::ClientCredentials { .. } => None,
        };
        Ok(Self { http: build_http_client(&endpoint)?, endpoint, auth, token: Mutex::new(token) })
    }

    /// Where this client's requests go.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Creates a customer from a normalised body. Returns every exchange it took (a token grant
    /// first when needed, a retry after a 401); the last one decides.
    pub async fn create_customer(&self, body: &Value) -> Vec<Exchange> {
        let text = body.to_string();
        self.authorised(|token| {
            let spec = RequestSpec {
                method: reqwest::Method::POST,
                url: self.endpoint.url_for(Backend::HelpScout.create_path()),
                headers: vec![
                    ("Content-Type", HeaderText::Plain("application/json; charset=UTF-8".to_owned())),
                    ("Authorization", HeaderText::Secret { prefix: "Bearer ", secret: token }),
                ],
                body: Some(RequestBody::Json(text.clone())),
            };
            async move {
                let sent = send(&self.http, &self.endpoint, Backend::HelpScout, spec).await;
                let mut exchange = sent.exchange;
                if let Some(record) = &sent.response {
                    exchange.outcome = classify_create_response(record);
                }
                exchange
            }
        })
        .await
    }

    /// An authenticated `GET` of `path` (a harmless read: `users/me`, a customer, properties).
    /// A 2xx is reported as [`Outcome::Created`] with no id: "the read worked".
    pub async fn get(&self, path: &str) -> Vec<Exchange> {
        self.authorised(|token| {
            let spec = RequestSpec {
                method: reqwest::Method::GET,
                url: self.endpoint.url_for(path),
                headers: vec![
                    ("Accept", HeaderText::Plain("application/json".to_owned())),
                    ("Authorization", HeaderText::Secret { prefix: "Bearer ", secret: token }),
                ],
                body: None,
            };
            async move {
                let sent = send(&self.http, &self.endpoint, Backend::HelpScout, spec).await;
                let mut exchange = sent.exchange;
                if let Some(record) = &sent.response {
                    exchange.outcome = match record.status {
                        200..=299 => Outcome::Created { id: None, location: None },
                        _ => classify_common_status(record),
                    };
                }
                exchange
            }
        })
        .await
    }

    /// Fetches the account's custom property definitions (`GET /v2/customer-properties`).
    /// Returns every exchange it took and the definitions, or why there are none.
    pub async fn property_definitions(&self) -> (Vec<Exchange>, Result<Vec<PropertyDefinition>, String>) {
        let exchanges = self.get("/v2/customer-properties").await;
        let Some(last) = exchanges.last() else { return (exchanges, Err("nothing was sent".to_owned())) };
        let result = match (&last.outcome, &last.response) {
            (Outcome::Created { .. }, Some(record)) => body_json(record)
                .as_ref()
                .and_then(read_property_definitions)
                .ok_or_else(|| "the answer is not a list of customer properties".to_owned()),
            (outcome, _) => Err(outcome.summary(Backend::HelpScout)),
        };
        (exchanges, result)
    }

    /// Runs `call` with a valid token: fetches one first if needed, and after a 401 renews the
    /// token once and runs `call` once more (only for tokens it can renew).
    async fn authorised<F, Fut>(&self, call: F) -> Vec<Exchange>
    where
        F: Fn(Secret) -> Fut,
        Fut: std::future::Future<Output = Exchange>,
    {
        let mut exchanges = Vec::new();
        let Some(token) = self.valid_token(&mut exchanges, false).await else { return exchanges };
        let first = call(token).await;
        let unauthorised = matches!(first.outcome, Outcome::Unauthorized { .. });
        exchanges.push(first);
        if unauthorised && matches!(self.auth, HelpScoutAuth::ClientCredentials { .. }) {
            let Some(token) = self.valid_token(&mut exchanges, true).await else { return exchanges };
            exchanges.push(call(token).await);
        }
        exchanges
    }

    async fn valid_token(&self, exchanges: &mut Vec<Exchange>, force_new: bool) -> Option<Secret> {
        let mut cached = self.token.lock().await;
        if let Some(current) = cached.as_ref() {
            let fresh = current.renew_at.is_none_or(|at| Instant::now() < at);
            if fresh && !(force_new && current.renew_at.is_some()) {
                return Some(current.token.clone());
            }
        }
        let (exchange, grant) = self.request_token().await;
        exchanges.push(exchange);
        let grant = grant?;
        let renew_at = grant.expires_in.map(|life| Instant::now() + life.saturating_sub(RENEW_BEFORE_EXPIRY));
        *cached = Some(CachedToken { token: grant.access_token.clone(), renew_at });
        Some(grant.access_token)
    }

    /// The client-credentials grant. With a pasted token there is nothing to request: the
    /// exchange is an [`Outcome::InvalidRequest`] saying so.
    pub async fn request_token(&self) -> (Exchange, Option<TokenGrant>) {
        let (client_id, client_secret) = match &self.auth {
            HelpScoutAuth::ClientCredentials { client_id, client_secret } => (client_id, client_secret),
            HelpScoutAuth::AccessToken(_) => {
                let outcome = Outcome::InvalidRequest {
                    detail: "the profile has a pasted token and no OAuth app to get a new one".to_owned(),
                };
                let url = self.endpoint.url_for(TOKEN_PATH);
                return (Exchange::unanswered(Backend::HelpScout, "POST", url, None, outcome), None);
            }
        };
        let form = |secret: &str| {
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("grant_type", "client_credentials")
                .append_pair("client_id", client_id)
                .append_pair("client_secret", secret)
                .finish()
        };
        let spec = RequestSpec {
            method: reqwest::Method::POST,
            url: self.endpoint.url_for(TOKEN_PATH),
            headers: vec![
                ("Content-Type", HeaderText::Plain("application/x-www-form-urlencoded".to_owned())),
                ("Accept", HeaderText::Plain("application/json".to_owned())),
            ],
            body: Some(RequestBody::Form { sent: form(client_secret.expose()), shown: form(&client_secret.masked()) }),
        };
        let sent = send(&self.http, &self.endpoint, Backend::HelpScout, spec).await;
        let mut exchange = sent.exchange;
        let Some(record) = sent.response else { return (exchange, None) };
        let (outcome, grant) = classify_token_response(&record);
        exchange.outcome = outcome;
        if let Some(response) = exchange.response.as_mut() {
            mask_token_body(response);
        }
        (exchange, grant)
    }
}

/// The token endpoint's answer: a grant on 200, otherwise why not. OAuth errors
/// (`invalid_client`, `invalid_grant`) are reported as "not accepted".
pub fn classify_token_response(record: &ResponseRecord) -> (Outcome, Option<TokenGrant>) {
    let body = body_json(record);
    match record.status {
        200..=299 => {
            let token = body.as_ref().and_then(|b| b.get("access_token")).and_then(Value::as_str);
            match token {
                Some(token) if !token.is_empty() => {
                    let grant = TokenGrant {
                        access_token: Secret::new(token),
                        expires_in: body
                            .as_ref()
                            .and_then(|b| b.get("expires_in"))
                            .and_then(Value::as_u64)
                            .map(Duration::from_secs),
                        refresh_token: body
                            .as_ref()
                            .and_then(|b| b.get("refresh_token"))
                            .and_then(Value::as_str)
                            .map(Secret::new),
                    };
                    (Outcome::Created { id: None, location: None }, Some(grant))
                }
                _ => (
                    Outcome::UndecodableBody {
                        detail: "the token endpoint answered without an access_token".to_owned(),
                    },
                    None,
                ),
            }
        }
        400 | 401 => {
            let message = body_message(body.as_ref());
            (Outcome::Unauthorized { message }, None)
        }
        _ => (classify_common_status(record), None),
    }
}

/// Replaces token values in a token response body with their masked form.
fn mask_token_body(record: &mut ResponseRecord) {
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(&record.body) else { return };
    for key in ["access_token", "refresh_token", "id_token"] {
        if let Some(Value::String(token)) = map.get_mut(key) {
            *token = super::secret::mask_secret(token);
        }
    }
    record.body = Value::Object(map).to_string().into_bytes();
}

/// Reads `{"_embedded": {"customer-properties": [{slug, name, type, options: [{label}]}]}}`;
/// definitions of a type Intake does not know are left out.
pub fn read_property_definitions(body: &Value) -> Option<Vec<PropertyDefinition>> {
    let items = body.pointer("/_embedded/customer-properties")?.as_array()?;
    let definitions = items
        .iter()
        .filter_map(|item| {
            let slug = item.get("slug")?.as_str()?.to_owned();
            let kind = match item.get("type")?.as_str()? {
                "number" => PropertyKind::Number,
                "text" => PropertyKind::Text,
                "bool" => PropertyKind::Bool,
                "url" => PropertyKind::Url,
                "date" => PropertyKind::Date,
                "dropdown" => PropertyKind::Dropdown,
                _ => return None,
            };
            let name = item.get("name").and_then(Value::as_str).unwrap_or(&slug).to_owned();
            let options = item
                .get("options")
                .and_then(Value::as_array)
                .map(|options| options.iter().filter_map(|o| o.get("label")?.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            Some(PropertyDefinition { slug, name, kind, options })
        })
        .collect();
    Some(definitions)
}

/// The meaning of Help Scout's answer to a create.
pub fn classify_create_response(record: &ResponseRecord) -> Outcome {
    match record.status {
        201 | 200 => {
            let id = record.header("Resource-ID").map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
            let location = record.header("Location").map(str::to_owned);
            match id.or_else(|| location.as_deref().and_then(|l| l.rsplit('/').next()).map(str::to_owned)) {
                Some(id) => Outcome::Created { id: Some(id), location },
                None => Outcome::UndecodableBody {
                    detail: format!("the server answered {} without a Resource-ID header", record.status),
                },
            }
        }
        400 | 422 => {
            let body = body_json(record);
            let (message, field_errors) = read_vnd_error(body.as_ref(), &record.body);
            Outcome::Rejected { message, field_errors, valid_task_types: Vec::new() }
        }
        _ => classify_common_status(record),
    }
}

/// Reads `application/vnd.error+json`: the message and one field error per embedded error.
pub fn read_vnd_error(body: Option<&Value>, raw: &[u8]) -> (String, Vec<FieldError>) {
    let mut message = body_message(body);
    if message.is_empty() && body.is_none() {
        message = String::from_utf8_lossy(raw).chars().take(300).collect::<String>().trim().to_owned();
    }
    let errors = body
        .and_then(|b| b.pointer("/_embedded/errors"))
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    let path = e.get("path").and_then(Value::as_str).unwrap_or_default();
                    FieldError {
                        pointer: pointer_from_server_path(path),
                        server_path: path.to_owned(),
                        message: e.get("message").and_then(Value::as_str).unwrap_or("refused").to_owned(),
                        rejected_value: e.get("rejectedValue").cloned(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    (message, errors)
}

/// `emails[0].value` → `/emails/0/value`; `address.lines[1]` → `/address/lines/1`. A path that
/// already is a pointer is kept; an empty one stays empty.
pub fn pointer_from_server_path(path: &str) -> String {
    let path = path.trim();
    if path.is_empty() || path.starts_with('/') {
        return path.to_owned();
    }
    let mut pointer = String::new();
    for part in path.split('.') {
        let (name, indexes) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            pointer.push('/');
            pointer.push_str(&crate::validation::pointer_segment(name));
        }
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            pointer.push('/');
            pointer.push_str(index.trim_end_matches(']'));
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn server_paths_become_pointers() {
        assert_eq!(pointer_from_server_path("emails[0].value"), "/emails/0/value");
        assert_eq!(pointer_from_server_path("address.lines[1]"), "/address/lines/1");
        assert_eq!(pointer_from_server_path("firstName"), "/firstName");
        assert_eq!(pointer_from_server_path("properties.shoe~size"), "/properties/shoe~0size");
        assert_eq!(pointer_from_server_path(""), "");
    }

    #[test]
    fn vnd_errors_are_read_per_field() {
        let body = json!({"logRef": "x", "message": "Validation error", "_embedded": {"errors": [
            {"path": "emails[0].value", "message": "must be a well-formed email address", "source": "JSON",
             "rejectedValue": "nope"}
        ]}});
        let (message, errors) = read_vnd_error(Some(&body), b"");
        assert_eq!(message, "Validation error");
        assert_eq!(errors[0].pointer, "/emails/0/value");
        assert_eq!(errors[0].rejected_value, Some(json!("nope")));
    }
}
