//! Help Scout Mailbox API v2: `POST {base}/v2/customers` with a Bearer token.
//!
//! The token comes either
//! pasted by the person or from the OAuth client-credentials grant. Errors are
//! `application/vnd.error+json` with one `path` per field; those paths are mapped onto the form.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use tokio::sync::Mutex;

use super::exchange::{Exchange, ResponseRecord, mask_customer_secrets};
use super::http::{
    ClientSetupError, Endpoint, HeaderText, RequestBody, RequestSpec, body_json, body_message, build_http_client,
    classify_common_status, send, send_read,
};
use super::outcome::{FieldError, GrantType, Outcome};
use super::secret::Secret;
use super::server_numbers::{lifetime_from_json, outcome_parts};
use super::server_text::{MAX_NAME_CHARS, shown_server_text, shown_within};
use crate::model::{Backend, PropertyDefinition, PropertyKind};

/// The token endpoint, relative to the base URL.
pub const TOKEN_PATH: &str = "/v2/oauth2/token";
/// Tokens are renewed this long before they expire (half their lifetime for shorter ones).
const RENEW_BEFORE_EXPIRY: Duration = Duration::from_mins(1);

/// A Help Scout OAuth app, for the client-credentials grant.
#[derive(Debug, Clone)]
pub struct OAuthApp {
    /// The app's id (not secret).
    pub client_id: String,
    /// The app's secret.
    pub client_secret: Secret,
}

/// How a Help Scout profile authenticates: an OAuth app, tokens, or both. A refresh token is
/// spent before the app is asked for a new token.
#[derive(Debug, Clone, Default)]
pub struct HelpScoutAuth {
    /// The OAuth app, when the profile has one.
    pub app: Option<OAuthApp>,
    /// A pasted or cached access token.
    pub access_token: Option<Secret>,
    /// A pasted or cached refresh token.
    pub refresh_token: Option<Secret>,
    /// When the access token expires, when known.
    pub expires_at: Option<SystemTime>,
}

impl HelpScoutAuth {
    /// A pasted access token and nothing to renew it with.
    pub fn access_token(token: Secret) -> Self {
        Self { access_token: Some(token), ..Self::default() }
    }

    /// An OAuth app; tokens come from the client-credentials grant.
    pub fn client_credentials(client_id: impl Into<String>, client_secret: Secret) -> Self {
        Self { app: Some(OAuthApp { client_id: client_id.into(), client_secret }), ..Self::default() }
    }

    /// Whether a new access token can be had without the person (refresh token or app).
    pub fn can_renew(&self) -> bool {
        self.app.is_some() || self.refresh_token.is_some()
    }
}

/// Told about every token the client obtains, so it can be kept (keyring, profile) and the next
/// run starts with it.
pub trait TokenSink: Send + Sync + std::fmt::Debug {
    /// A grant arrived and is in use from now on.
    fn token_granted(&self, grant: &TokenGrant);
}

#[derive(Debug, Clone, Default)]
struct TokenState {
    access: Option<Secret>,
    refresh: Option<Secret>,
    /// When to renew; `None` for a token of unknown lifetime, used until refused.
    renew_at: Option<SystemTime>,
}

/// A Help Scout API client for one profile. Tokens are kept in memory (and handed to a
/// [`TokenSink`]), renewed before expiry, and after a 401 renewed once and the request retried once.
#[derive(Debug)]
pub struct HelpScoutClient {
    http: reqwest::Client,
    endpoint: Endpoint,
    auth: HelpScoutAuth,
    state: Mutex<TokenState>,
    sink: Option<Arc<dyn TokenSink>>,
}

/// A token grant as the token endpoint returns it.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The grant that produced it.
    pub grant: GrantType,
    /// The bearer token.
    pub access_token: Secret,
    /// Its lifetime, at most a year (zero for a lifetime the server gave as negative).
    pub expires_in: Option<Duration>,
    /// When it expires (receipt time plus lifetime).
    pub expires_at: Option<SystemTime>,
    /// A refresh token, when the server gave one.
    pub refresh_token: Option<Secret>,
}

/// When to renew a token of `lifetime` received at `now`: a minute early, or at half-life for
/// tokens shorter than two minutes. `None` (never, until refused) only past the clock's range,
/// which a lifetime read by [`lifetime_from_json`] cannot reach.
fn renew_time(now: SystemTime, lifetime: Duration) -> Option<SystemTime> {
    now.checked_add(lifetime.saturating_sub(RENEW_BEFORE_EXPIRY.min(lifetime / 2)))
}

impl HelpScoutClient {
    /// A client for `endpoint` authenticating with `auth`.
    pub fn new(endpoint: Endpoint, auth: HelpScoutAuth) -> Result<Self, ClientSetupError> {
        let state = TokenState {
            access: auth.access_token.clone(),
            refresh: auth.refresh_token.clone(),
            renew_at: auth.expires_at.map(|at| at.checked_sub(RENEW_BEFORE_EXPIRY).unwrap_or(at)),
        };
        Ok(Self { http: build_http_client(&endpoint)?, endpoint, auth, state: Mutex::new(state), sink: None })
    }

    /// Hands every new token to `sink`.
    #[must_use]
    pub fn with_token_sink(mut self, sink: Option<Arc<dyn TokenSink>>) -> Self {
        self.sink = sink;
        self
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
    /// A 2xx is [`Outcome::Answered`].
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
            send_read(&self.http, &self.endpoint, Backend::HelpScout, spec)
        })
        .await
    }

    /// Fetches the account's custom property definitions (`GET /v2/customer-properties`).
    /// Returns every exchange it took and the definitions, or why there are none.
    pub async fn property_definitions(&self) -> (Vec<Exchange>, Result<Vec<PropertyDefinition>, String>) {
        let exchanges = self.get("/v2/customer-properties").await;
        let Some(last) = exchanges.last() else { return (exchanges, Err("nothing was sent".to_owned())) };
        let result = match (&last.outcome, &last.response) {
            (Outcome::Answered { .. }, Some(record)) => body_json(record)
                .as_ref()
                .and_then(read_property_definitions)
                .ok_or_else(|| "the answer is not a list of customer properties".to_owned()),
            (outcome, _) => Err(outcome.summary(Backend::HelpScout)),
        };
        (exchanges, result)
    }

    /// Runs `call` with a valid token: gets one first if needed, and after a 401 renews the
    /// token once and runs `call` once more (when it has something to renew with).
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
        if unauthorised && self.can_renew().await {
            let Some(token) = self.valid_token(&mut exchanges, true).await else { return exchanges };
            exchanges.push(call(token).await);
        }
        exchanges
    }

    async fn can_renew(&self) -> bool {
        self.auth.app.is_some() || self.state.lock().await.refresh.is_some()
    }

    /// The token to send: the current one while fresh, else a renewed one (refresh token first,
    /// then the OAuth app). `None` when there is none; the exchanges then say why.
    async fn valid_token(&self, exchanges: &mut Vec<Exchange>, force_new: bool) -> Option<Secret> {
        let mut state = self.state.lock().await;
        if let Some(access) = &state.access
            && !force_new
            && state.renew_at.is_none_or(|at| SystemTime::now() < at)
        {
            return Some(access.clone());
        }
        if let Some(refresh) = state.refresh.clone() {
            let (exchange, grant) = self.request_grant(Some(&refresh)).await;
            let refused = matches!(exchange.outcome, Outcome::GrantRefused { .. });
            exchanges.push(exchange);
            if let Some(grant) = grant {
                return Some(self.apply(&mut state, grant));
            }
            if !refused || self.auth.app.is_none() {
                return None;
            }
            // Spent or revoked: the app gets a fresh pair.
            state.refresh = None;
        }
        if self.auth.app.is_some() {
            let (exchange, grant) = self.request_grant(None).await;
            exchanges.push(exchange);
            return grant.map(|grant| self.apply(&mut state, grant));
        }
        if let Some(access) = state.access.clone().filter(|_| !force_new) {
            // Past its renewal time with nothing to renew it: the server decides.
            return Some(access);
        }
        let outcome = Outcome::InvalidRequest {
            detail: "the profile has no access token and no OAuth app to get one; set its credentials".to_owned(),
        };
        exchanges.push(Exchange::unanswered(
            Backend::HelpScout,
            "POST",
            self.endpoint.url_for(TOKEN_PATH),
            None,
            outcome,
        ));
        None
    }

    fn apply(&self, state: &mut TokenState, grant: TokenGrant) -> Secret {
        state.access = Some(grant.access_token.clone());
        state.refresh.clone_from(&grant.refresh_token);
        state.renew_at = grant.expires_in.and_then(|life| renew_time(SystemTime::now(), life));
        if let Some(sink) = &self.sink {
            sink.token_granted(&grant);
        }
        grant.access_token
    }

    /// The client-credentials grant, as the token renewal does it (for tests and "Test
    /// credentials"). Without an OAuth app the exchange is an [`Outcome::InvalidRequest`].
    pub async fn request_token(&self) -> (Exchange, Option<TokenGrant>) {
        self.request_grant(None).await
    }

    /// One token request: the refresh-token grant when `refresh` is given (with the app's id
    /// and secret when the profile has an app), else the client-credentials grant.
    async fn request_grant(&self, refresh: Option<&Secret>) -> (Exchange, Option<TokenGrant>) {
        let url = self.endpoint.url_for(TOKEN_PATH);
        let app = self.auth.app.as_ref();
        let grant = if refresh.is_some() { GrantType::RefreshToken } else { GrantType::ClientCredentials };
        if grant == GrantType::ClientCredentials && app.is_none() {
            let outcome = Outcome::InvalidRequest {
                detail: "the profile has a pasted token and no OAuth app to get a new one".to_owned(),
            };
            return (Exchange::unanswered(Backend::HelpScout, "POST", url, None, outcome), None);
        }
        // The form twice: as sent, and with every secret masked for the record.
        let form = |reveal: bool| {
            let show = |secret: &Secret| if reveal { secret.expose().to_owned() } else { secret.masked() };
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            match refresh {
                Some(token) => {
                    form.append_pair("grant_type", "refresh_token").append_pair("refresh_token", &show(token))
                }
                None => form.append_pair("grant_type", "client_credentials"),
            };
            if let Some(app) = app {
                form.append_pair("client_id", &app.client_id).append_pair("client_secret", &show(&app.client_secret));
            }
            form.finish()
        };
        let spec = RequestSpec {
            method: reqwest::Method::POST,
            url,
            headers: vec![
                ("Content-Type", HeaderText::Plain("application/x-www-form-urlencoded".to_owned())),
                ("Accept", HeaderText::Plain("application/json".to_owned())),
            ],
            body: Some(RequestBody::Form { sent: form(true), shown: form(false) }),
        };
        let sent = send(&self.http, &self.endpoint, Backend::HelpScout, spec).await;
        let mut exchange = sent.exchange;
        let Some(record) = sent.response else { return (exchange, None) };
        let (outcome, token) = classify_token_response(&record, grant);
        exchange.outcome = outcome;
        if let Some(response) = exchange.response.as_mut() {
            mask_token_body(response);
        }
        (exchange, token)
    }
}

/// The token endpoint's answer to `grant`: a token on 2xx, otherwise why not. OAuth errors
/// (`invalid_client`, `invalid_grant`, any 400 or 401) are [`Outcome::GrantRefused`].
pub fn classify_token_response(record: &ResponseRecord, grant: GrantType) -> (Outcome, Option<TokenGrant>) {
    let body = body_json(record);
    let text =
        |key: &str| body.as_ref().and_then(|b| b.get(key)).and_then(Value::as_str).filter(|s| !s.trim().is_empty());
    match record.status {
        200..=299 => match text("access_token") {
            Some(token) => {
                // Clamped to a year: a server's lifetime never overflows the clock arithmetic.
                let lifetime = body.as_ref().and_then(|b| b.get("expires_in")).and_then(lifetime_from_json);
                let (expires_in, server_value) = outcome_parts(lifetime);
                let token = TokenGrant {
                    grant,
                    access_token: Secret::new(token),
                    expires_in,
                    expires_at: expires_in.and_then(|life| SystemTime::now().checked_add(life)),
                    refresh_token: text("refresh_token").map(Secret::new),
                };
                (Outcome::TokenGranted { grant, expires_in, server_value }, Some(token))
            }
            None => (
                Outcome::UndecodableBody { detail: "the token endpoint answered without an access_token".to_owned() },
                None,
            ),
        },
        400 | 401 => {
            let code = shown_within(text("error").unwrap_or_default(), MAX_NAME_CHARS);
            let message = text("error_description").map_or_else(|| body_message(body.as_ref()), shown_server_text);
            (Outcome::GrantRefused { grant, code, message }, None)
        }
        _ => (classify_common_status(record), None),
    }
}

/// Replaces token values in a token response body with their masked form, whatever its shape:
/// top-level tokens keep their last four characters (`••••a1b2`), tokens deeper in the JSON or in
/// a body that is not JSON are masked whole. The record is what the viewer and the history keep.
fn mask_token_body(record: &mut ResponseRecord) {
    match serde_json::from_slice::<Value>(&record.body) {
        Ok(Value::Object(mut map)) => {
            for key in ["access_token", "refresh_token", "id_token"] {
                if let Some(Value::String(token)) = map.get_mut(key) {
                    *token = super::secret::mask_secret(token);
                }
            }
            let mut body = Value::Object(map);
            mask_customer_secrets(&mut body);
            record.body = body.to_string().into_bytes();
        }
        Ok(mut other) => {
            if mask_customer_secrets(&mut other) {
                record.body = other.to_string().into_bytes();
            }
        }
        Err(_) => {
            let text = String::from_utf8_lossy(&record.body);
            if let std::borrow::Cow::Owned(masked) = super::exchange::mask_secrets_in_text(&text) {
                record.body = masked.into_bytes();
            }
        }
    }
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
        shown_server_text(&String::from_utf8_lossy(raw)).clone_into(&mut message);
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
                        server_path: shown_within(path, MAX_NAME_CHARS),
                        message: shown_server_text(e.get("message").and_then(Value::as_str).unwrap_or("refused")),
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

    fn token_answer(expires_in: &str) -> ResponseRecord {
        ResponseRecord {
            status: 200,
            reason: "OK".to_owned(),
            headers: Vec::new(),
            body: format!(r#"{{"access_token":"tok-1234","expires_in":{expires_in}}}"#).into_bytes(),
            body_truncated_from: None,
        }
    }

    #[test]
    fn absurd_token_lifetimes_are_clamped_to_a_year_and_named() {
        let year = Some(Duration::from_hours(24 * 365));
        let cases: [(&str, Option<Duration>, Option<&str>); 8] = [
            ("3600", Some(Duration::from_hours(1)), None),
            ("0", Some(Duration::ZERO), None),
            ("-1", Some(Duration::ZERO), Some("-1")),
            ("1e13", year, Some("10000000000000.0")),
            ("10000000000000", year, Some("10000000000000")),
            ("18446744073709551615", year, Some("18446744073709551615")),
            ("\"abc\"", None, Some("\"abc\"")),
            ("null", None, None),
        ];
        for (raw, lifetime, named) in cases {
            let (outcome, grant) = classify_token_response(&token_answer(raw), GrantType::ClientCredentials);
            let expected = Outcome::TokenGranted {
                grant: GrantType::ClientCredentials,
                expires_in: lifetime,
                server_value: named.map(str::to_owned),
            };
            assert_eq!(outcome, expected, "expires_in {raw}");
            let grant = grant.expect("a token");
            assert_eq!(grant.expires_in, lifetime);
            let latest = SystemTime::now() + Duration::from_hours(24 * 366);
            assert!(grant.expires_at.is_none_or(|at| at < latest), "expires_in {raw}");
            assert_eq!(grant.expires_at.is_some(), lifetime.is_some());
        }
        let far = Duration::from_secs(u64::MAX);
        assert_eq!(renew_time(SystemTime::now(), far), None, "past the clock's range: renewed when refused");
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
