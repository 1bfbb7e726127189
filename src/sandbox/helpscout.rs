//! Help Scout's routes under `/v2`: customers, customer properties, `users/me` and the token
//! endpoint. Everything but the token endpoint needs a Bearer token and counts against the rate
//! limit; every answer behind the token carries the rate headers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, patch, post};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::helpscout_checks::{self, PropertyChange};
use super::responses::{Api, Problem, add_rate_headers, json_response, vnd_error};
use super::state::{Shared, lock};
use super::{oauth, properties, rate_limit};

/// The first customer id handed out.
const FIRST_ID: u64 = 100_000;
/// Customers listed per page.
const PAGE_SIZE: usize = 50;

/// Customers created so far, by id.
#[derive(Debug)]
pub struct HelpScoutStore {
    customers: BTreeMap<u64, Map<String, Value>>,
    next_id: u64,
}

impl Default for HelpScoutStore {
    fn default() -> Self {
        Self { customers: BTreeMap::new(), next_id: FIRST_ID }
    }
}

impl HelpScoutStore {
    /// Customers with an email equal to `email` (in any case), by id.
    fn with_email<'a>(&'a self, email: &'a str) -> impl Iterator<Item = (&'a u64, &'a Map<String, Value>)> + 'a {
        self.customers.iter().filter(move |(_, customer)| emails_of(customer).any(|e| e.eq_ignore_ascii_case(email)))
    }
}

/// The email values of a stored or sent customer.
fn emails_of(customer: &Map<String, Value>) -> impl Iterator<Item = &str> {
    customer
        .get("emails")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("value").and_then(Value::as_str))
}

/// The routes, relative to `/helpscout`.
pub fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/v2/customers", post(create_customer).get(search_customers))
        .route("/v2/customers/{id}", get(get_customer))
        .route("/v2/customers/{id}/properties", patch(patch_properties))
        .route("/v2/customer-properties", get(list_properties))
        .route("/v2/users/me", get(users_me))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&shared), gate));
    Router::new()
        .route("/v2/oauth2/token", post(oauth::token))
        .merge(api)
        .fallback(not_found)
        .method_not_allowed_fallback(|| async {
            vnd_error(StatusCode::METHOD_NOT_ALLOWED, "This endpoint does not take that method", &[])
        })
        .with_state(shared)
}

/// A valid token first, then the rate limit; the rate headers go on every answer.
async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if let Some(refused) = unauthorized(&shared, request.headers()) {
        return refused;
    }
    let counted = match rate_limit::admit(&shared, Api::HelpScout, request.method()) {
        Ok(counted) => counted,
        Err(refused) => return refused.response(Api::HelpScout),
    };
    let mut response = next.run(request).await;
    if let Some((limit, remaining)) = counted {
        add_rate_headers(&mut response, limit, remaining);
    }
    response
}

/// The 401 for `headers` without a valid access token, or `None` when the token is valid. Also
/// used by the sandbox's guard before any fault runs.
pub fn unauthorized(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let token = bearer_token(headers);
    if token.is_some_and(|token| lock(&shared.oauth).is_valid(token, Instant::now())) {
        return None;
    }
    let message = if token.is_some() {
        "Invalid or expired access token: get a new one from /v2/oauth2/token"
    } else {
        "No access token: send Authorization: Bearer <token>; invalid or expired tokens are refused too"
    };
    let mut response = vnd_error(StatusCode::UNAUTHORIZED, message, &[]);
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    if let Some((limit, remaining)) = rate_limit::current(shared, Api::HelpScout) {
        add_rate_headers(&mut response, limit, remaining);
    }
    Some(response)
}

/// The token of `Authorization: Bearer <token>` (the scheme in any case).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

async fn not_found(request: Request) -> Response {
    let message = format!("No such endpoint: {} {}", request.method(), request.uri().path());
    vnd_error(StatusCode::NOT_FOUND, &message, &[])
}

/// `POST /v2/customers`: 201 with `Resource-ID` and `Location`, no body.
async fn create_customer(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let customer = match parse_json(&body) {
        Ok(Value::Object(customer)) => customer,
        Ok(other) => {
            let problem = Problem::new("", "The body must be a JSON object holding the customer", Some(&other));
            return vnd_error(StatusCode::BAD_REQUEST, "Validation error", &[problem]);
        }
        Err(message) => return vnd_error(StatusCode::BAD_REQUEST, &message, &[]),
    };
    let problems = helpscout_checks::check_customer(&customer);
    if !problems.is_empty() {
        return vnd_error(StatusCode::BAD_REQUEST, "Validation error", &problems);
    }
    let mut stored: Map<String, Value> = helpscout_checks::STORED_FIELDS
        .iter()
        .filter_map(|name| customer.get(*name).filter(|v| !v.is_null()).map(|v| ((*name).to_owned(), v.clone())))
        .collect();
    let mut store = lock(&shared.helpscout);
    let taken = emails_of(&customer).enumerate().find(|(_, email)| store.with_email(email).next().is_some());
    if let Some((index, email)) = taken {
        let message = format!("A customer with the email '{email}' already exists");
        let problem = Problem::new(format!("emails[{index}].value"), message.clone(), Some(&json!(email)));
        return vnd_error(StatusCode::CONFLICT, &message, &[problem]);
    }
    let id = store.next_id;
    store.next_id += 1;
    let now = now_text();
    stored.insert("id".to_owned(), json!(id));
    stored.insert("createdAt".to_owned(), json!(now));
    stored.insert("updatedAt".to_owned(), json!(now));
    store.customers.insert(id, stored);
    drop(store);
    let location = format!("{}/v2/customers/{id}", shared.helpscout_base_url());
    let mut response = Response::new(axum::body::Body::empty());
    *response.status_mut() = StatusCode::CREATED;
    let headers = response.headers_mut();
    headers.insert("Resource-ID", HeaderValue::from(id));
    if let Ok(location) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, location);
    }
    response
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The body as JSON, or why it is not.
fn parse_json(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("The request body is empty: send JSON".to_owned());
    }
    serde_json::from_slice(body).map_err(|error| format!("The request body is not valid JSON: {error}"))
}

/// The id in a path, when it is a number; anything else names no customer.
fn customer_id(id: &str) -> Option<u64> {
    id.parse().ok()
}

fn customer_not_found(id: &str) -> Response {
    vnd_error(StatusCode::NOT_FOUND, &format!("Customer '{id}' not found"), &[])
}

/// `GET /v2/customers/{id}`.
async fn get_customer(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let store = lock(&shared.helpscout);
    match customer_id(&id).and_then(|n| store.customers.get(&n)) {
        Some(customer) => json_response(StatusCode::OK, &Value::Object(customer.clone())),
        None => customer_not_found(&id),
    }
}

/// The query string of the customer search.
#[derive(Debug, Deserialize)]
struct SearchQuery {
    query: Option<String>,
}

/// `GET /v2/customers[?query=(email:"a@b.c")]`: all customers, or those with that email.
async fn search_customers(State(shared): State<Arc<Shared>>, Query(search): Query<SearchQuery>) -> Response {
    let store = lock(&shared.helpscout);
    let found: Vec<Value> = match search.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        None => store.customers.values().map(|c| Value::Object(c.clone())).collect(),
        Some(query) => {
            if let Some(email) = email_of_query(query) {
                store.with_email(&email).map(|(_, c)| Value::Object(c.clone())).collect()
            } else {
                let problem = Problem::new(
                    "query",
                    "The sandbox answers only email searches, written (email:\"name@example.com\")",
                    Some(&json!(query)),
                );
                return vnd_error(StatusCode::BAD_REQUEST, "Validation error", &[problem]);
            }
        }
    };
    drop(store);
    let total = found.len();
    let page: Vec<Value> = found.into_iter().take(PAGE_SIZE).collect();
    json_response(
        StatusCode::OK,
        &json!({
            "_embedded": {"customers": page},
            "page": {"size": PAGE_SIZE, "totalElements": total, "totalPages": total.div_ceil(PAGE_SIZE).max(1), "number": 1},
        }),
    )
}

/// `(email:"a@b.c")` → `a@b.c`; quotes optional, spaces around the parts allowed.
fn email_of_query(query: &str) -> Option<String> {
    let inner = query.trim().strip_prefix('(')?.strip_suffix(')')?.trim();
    let (field, value) = inner.split_once(':')?;
    if !field.trim().eq_ignore_ascii_case("email") {
        return None;
    }
    let value = value.trim();
    let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    (!value.is_empty() && !value.contains('"')).then(|| value.to_owned())
}

/// `GET /v2/users/me`: the sandbox's one user.
async fn users_me() -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "id": 1,
            "firstName": "Sandbox",
            "lastName": "Admin",
            "email": "admin@sandbox.intake.invalid",
            "role": "owner",
            "timezone": "America/New_York",
            "type": "user",
            "createdAt": "2024-01-01T00:00:00Z",
            "updatedAt": "2024-01-01T00:00:00Z",
        }),
    )
}

/// `GET /v2/customer-properties`.
async fn list_properties() -> Response {
    json_response(StatusCode::OK, &properties::definitions_json())
}

/// `PATCH /v2/customers/{id}/properties` with a JSON Patch array: 204, all or nothing.
async fn patch_properties(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(number) = customer_id(&id).filter(|n| lock(&shared.helpscout).customers.contains_key(n)) else {
        return customer_not_found(&id);
    };
    let patch = match parse_json(&body) {
        Ok(patch) => patch,
        Err(message) => return vnd_error(StatusCode::BAD_REQUEST, &message, &[]),
    };
    let changes = match helpscout_checks::check_patch(&patch) {
        Ok(changes) => changes,
        Err(problems) => return vnd_error(StatusCode::BAD_REQUEST, "Validation error", &problems),
    };
    let mut store = lock(&shared.helpscout);
    let Some(customer) = store.customers.get_mut(&number) else { return customer_not_found(&id) };
    let mut values = match customer.remove("properties") {
        Some(Value::Object(values)) => values,
        _ => Map::new(),
    };
    for change in changes {
        match change {
            PropertyChange::Set(slug, value) => {
                values.insert(slug, value);
            }
            PropertyChange::Remove(slug) => {
                values.remove(&slug);
            }
        }
    }
    if !values.is_empty() {
        customer.insert("properties".to_owned(), Value::Object(values));
    }
    customer.insert("updatedAt".to_owned(), json!(now_text()));
    drop(store);
    let mut response = Response::new(axum::body::Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_queries_are_read() {
        assert_eq!(email_of_query("(email:\"a@b.co\")").as_deref(), Some("a@b.co"));
        assert_eq!(email_of_query(" ( email : a@b.co ) ").as_deref(), Some("a@b.co"));
        assert_eq!(email_of_query("(firstName:\"Ada\")"), None);
        assert_eq!(email_of_query("email:a@b.co"), None);
        assert_eq!(email_of_query("(email:\"\")"), None);
    }

    #[test]
    fn bearer_tokens_are_read_in_any_case() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer abc"));
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers), None);
    }
}
