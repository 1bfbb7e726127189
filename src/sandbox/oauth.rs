//! Help Scout's OAuth 2 token endpoint and the tokens it hands out.
//!
//! Two grants, as Help Scout offers: `client_credentials` with the sandbox's fixed app, and
//! `refresh_token`, which spends the refresh token (each works once) and returns a new pair.
//! Access tokens expire after the configured lifetime; refresh tokens last until used or revoked.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::json;

use super::responses::{json_response, random_text};
use super::state::{Shared, lock};
use super::{HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET};

/// Tokens issued so far.
#[derive(Debug, Default)]
pub struct TokenStore {
    /// Access token → when it expires.
    access: HashMap<String, Instant>,
    /// Refresh tokens not yet spent or revoked.
    refresh: HashSet<String>,
}

/// A new token pair.
struct Pair {
    access: String,
    refresh: String,
}

impl TokenStore {
    /// True when `token` was issued here and has not expired at `now`.
    pub fn is_valid(&self, token: &str, now: Instant) -> bool {
        self.access.get(token).is_some_and(|expires_at| now < *expires_at)
    }

    /// Every access token issued so far stops working (as when an admin revokes an app's
    /// tokens), so clients see a 401 for a token they believe is fresh.
    pub fn revoke_access_tokens(&mut self) {
        self.access.clear();
    }

    /// Every refresh token issued so far stops working.
    pub fn revoke_refresh_tokens(&mut self) {
        self.refresh.clear();
    }

    fn issue(&mut self, expires_at: Instant, now: Instant) -> Pair {
        // Expired tokens are forgotten here, so the map stays as small as the live tokens.
        self.access.retain(|_, at| now < *at);
        let pair = Pair { access: random_text(40), refresh: random_text(40) };
        self.access.insert(pair.access.clone(), expires_at);
        self.refresh.insert(pair.refresh.clone());
        pair
    }

    /// Spends `refresh`; false when it is unknown, used or revoked.
    fn spend_refresh(&mut self, refresh: &str) -> bool {
        self.refresh.remove(refresh)
    }
}

/// A token request's form; the first occurrence of a repeated parameter wins.
fn read_form(body: &[u8]) -> HashMap<String, String> {
    let mut form: HashMap<String, String> = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body).into_owned() {
        form.entry(name).or_insert(value);
    }
    form
}

fn client_matches(id: Option<&str>, secret: Option<&str>) -> bool {
    id == Some(HELPSCOUT_CLIENT_ID) && secret == Some(HELPSCOUT_CLIENT_SECRET)
}

/// Whether a token request's body carries the app's id and secret, or a refresh token that
/// would be accepted now (without spending it): the credentials a fault on the token endpoint
/// asks for.
pub fn is_credentialed(shared: &Shared, body: &[u8]) -> bool {
    let form = read_form(body);
    let param = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let (id, secret) = (param("client_id"), param("client_secret"));
    if client_matches(id, secret) {
        return true;
    }
    let anonymous = id.is_none() && secret.is_none();
    anonymous && param("refresh_token").is_some_and(|refresh| lock(&shared.oauth).refresh.contains(refresh))
}

/// `POST /v2/oauth2/token` with a form body.
pub async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let form = read_form(&body);
    let param = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let now = Instant::now();
    // `intake sandbox --token-lifetime` takes any u64: past the clock's range the token lives a
    // year, while `expires_in` still says what was configured (to play a hostile server).
    let expires_at = now
        .checked_add(shared.config.token_lifetime)
        .or_else(|| now.checked_add(crate::backends::server_numbers::MAX_TOKEN_LIFETIME))
        .unwrap_or(now);
    let pair = match param("grant_type") {
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required (client_credentials or refresh_token), sent as a form body",
            );
        }
        Some("client_credentials") => {
            if !client_matches(param("client_id"), param("client_secret")) {
                return invalid_client();
            }
            lock(&shared.oauth).issue(expires_at, now)
        }
        Some("refresh_token") => {
            let (id, secret) = (param("client_id"), param("client_secret"));
            if (id.is_some() || secret.is_some()) && !client_matches(id, secret) {
                return invalid_client();
            }
            let Some(refresh) = param("refresh_token") else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "refresh_token is required");
            };
            let mut tokens = lock(&shared.oauth);
            if !tokens.spend_refresh(refresh) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token is invalid or was revoked",
                );
            }
            tokens.issue(expires_at, now)
        }
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("The grant type '{other}' is not supported; use client_credentials or refresh_token"),
            );
        }
    };
    let body = json!({
        "token_type": "bearer",
        "access_token": pair.access,
        "expires_in": shared.config.token_lifetime.as_secs(),
        "refresh_token": pair.refresh,
    });
    no_store(json_response(StatusCode::OK, &body))
}

fn invalid_client() -> Response {
    oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed")
}

/// An RFC 6749 error: `{"error": code, "error_description": …}`.
fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    no_store(json_response(status, &json!({"error": code, "error_description": description})))
}

/// Token answers must not be cached (RFC 6749 §5.1).
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn access_tokens_expire_and_refresh_tokens_work_once() {
        let mut store = TokenStore::default();
        let now = Instant::now();
        let pair = store.issue(now + Duration::from_secs(1), now);
        assert!(store.is_valid(&pair.access, now));
        assert!(!store.is_valid(&pair.access, now + Duration::from_secs(1)));
        assert!(!store.is_valid("made-up", now));
        assert!(store.spend_refresh(&pair.refresh));
        assert!(!store.spend_refresh(&pair.refresh));
        let pair = store.issue(now + Duration::from_secs(1), now);
        store.revoke_refresh_tokens();
        assert!(!store.spend_refresh(&pair.refresh));
    }
}
