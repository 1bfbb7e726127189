//! Finosu's routes: `POST /customers` and `GET /customers/{id}`, behind `X-API-Key`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::FINOSU_API_KEY;
use super::FINOSU_TASK_TYPES;
use super::finosu_checks::{self, Verdict};
use super::rate_limit;
use super::responses::{Api, finosu_error, json_response, reason};
use super::state::{Shared, lock};

/// Customers created so far, by their `id`.
#[derive(Debug, Default)]
pub struct FinosuStore {
    customers: HashMap<String, Value>,
}

/// The routes, relative to `/finosu`.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/customers", post(create_customer))
        .route("/customers/{id}", get(get_customer))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&shared), gate))
        .fallback(not_found)
        .method_not_allowed_fallback(|| async {
            finosu_error(StatusCode::METHOD_NOT_ALLOWED, "This endpoint does not take that method")
        })
        .with_state(shared)
}

/// The API key first, then the rate limit.
async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if !has_key(request.headers()) {
        return unauthorized();
    }
    if let Err(refused) = rate_limit::admit(&shared, Api::Finosu, request.method()) {
        return refused.response(Api::Finosu);
    }
    next.run(request).await
}

/// Finosu's 401, also sent by the sandbox's guard before any fault runs.
pub fn unauthorized() -> Response {
    finosu_error(StatusCode::UNAUTHORIZED, "Invalid or missing API key")
}

/// Whether `headers` carry the sandbox's API key.
pub fn has_key(headers: &HeaderMap) -> bool {
    headers.get("X-API-Key").is_some_and(|key| key.as_bytes() == FINOSU_API_KEY.as_bytes())
}

async fn not_found(request: Request) -> Response {
    no_such_endpoint(request.method(), request.uri().path())
}

/// Finosu's 404 for a route it does not have.
pub fn no_such_endpoint(method: &Method, path: &str) -> Response {
    finosu_error(StatusCode::NOT_FOUND, &format!("No such endpoint: {method} {path}"))
}

/// Whether `request` is the read of one customer, `GET /finosu/customers/{id}` (the API's
/// prefix still on the path).
pub fn is_read<B>(request: &axum::http::Request<B>) -> bool {
    let path = request.uri().path().trim_start_matches('/');
    let rest = path.split_once('/').map_or("", |(_, rest)| rest);
    request.method() == Method::GET
        && rest.strip_prefix("customers/").is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// `POST /customers`: 201 with the customer as stored.
async fn create_customer(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let customer = match parse_object(&body) {
        Ok(customer) => customer,
        Err(message) => return finosu_error(StatusCode::BAD_REQUEST, &message),
    };
    // A birthday is "in the future" only when it is tomorrow everywhere on Earth (UTC+14).
    let today = (Utc::now() + chrono::Duration::hours(14)).date_naive();
    let verdict = finosu_checks::check(&customer, today);
    if !verdict.problems.is_empty() {
        return rejected(&verdict);
    }
    let mut stored = finosu_checks::stored_fields(&customer);
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    stored.insert("createdAt".to_owned(), json!(now));
    stored.insert("updatedAt".to_owned(), json!(now));
    let stored = Value::Object(stored);
    let id = customer.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut store = lock(&shared.finosu);
    if store.customers.contains_key(&id) {
        let message = format!("A customer with id '{id}' already exists");
        return finosu_error(StatusCode::CONFLICT, &message);
    }
    store.customers.insert(id, stored.clone());
    drop(store);
    json_response(StatusCode::CREATED, &stored)
}

/// The body as a JSON object, or why not.
fn parse_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("The request body is empty: send the customer as a JSON object".to_owned());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("The request body must be a JSON object holding the customer's fields".to_owned()),
        Err(error) => Err(format!("The request body is not valid JSON: {error}")),
    }
}

/// 400 listing every problem; with only a bad task type, the short form Finosu documents.
fn rejected(verdict: &Verdict) -> Response {
    let status = StatusCode::BAD_REQUEST;
    let valid_task_types = json!(FINOSU_TASK_TYPES);
    if let (Some(sent), [_only]) = (&verdict.unknown_task_type, verdict.problems.as_slice()) {
        let body = json!({
            "error": reason(status),
            "message": finosu_checks::task_type_message(sent),
            "validTaskTypes": valid_task_types,
        });
        return json_response(status, &body);
    }
    let fields: Vec<&str> = verdict.problems.iter().map(|p| p.path.as_str()).collect();
    let errors: Vec<Value> = verdict.problems.iter().map(|p| json!({"field": p.path, "message": p.message})).collect();
    let mut body = json!({
        "error": reason(status),
        "message": format!("Validation failed for {} field(s): {}", fields.len(), fields.join(", ")),
        "errors": errors,
    });
    if verdict.unknown_task_type.is_some() {
        body["validTaskTypes"] = valid_task_types;
    }
    json_response(status, &body)
}

/// `GET /customers/{id}`: the stored customer or 404.
async fn get_customer(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match lock(&shared.finosu).customers.get(&id) {
        Some(customer) => json_response(StatusCode::OK, customer),
        None => finosu_error(StatusCode::NOT_FOUND, &format!("Customer '{id}' not found")),
    }
}
