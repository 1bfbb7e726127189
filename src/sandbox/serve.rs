//! The accept loop and the path every request takes before reaching an API's routes: the `Host`
//! check, the credentials, the body limit, then latency and faults.
//!
//! The sandbox serves connections with hyper directly rather than `axum::serve`, because a
//! dropped-connection fault needs the service to fail: hyper then closes the connection without
//! writing any answer, which is what a client sees when a server or proxy dies mid-request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use thiserror::Error;
use tokio::sync::watch;
use tower::ServiceExt as _;

use super::SandboxConfig;
use super::connections::{Admission, Busy, Slot};
use super::faults::{self, Fault};
use super::guard::{self, Credentials};
use super::responses::{Api, api_error, finosu_error};
use super::state::Shared;
use super::{finosu, helpscout, photos};

/// The service's failure: hyper closes the connection with no answer.
#[derive(Debug, Error)]
#[error("connection dropped on purpose by the sandbox's fault injection")]
struct Dropped;

/// Accepts connections until `stopped` turns true.
pub async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let router = routes(&shared);
    // Logged once per stretch at the cap, not once per connection (there may be thousands).
    let mut at_cap = false;
    loop {
        let accepted = tokio::select! {
            _ = stopped.wait_for(|stopped| *stopped) => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _peer)) => match shared.connections.admit() {
                Admission::Admitted { slot, evicted } => {
                    if evicted && !at_cap {
                        tracing::warn!(
                            "the sandbox is at its cap of {} connections: the oldest idle ones are closed",
                            shared.config.max_connections
                        );
                    }
                    at_cap = evicted;
                    stream.set_nodelay(true).ok();
                    tokio::spawn(connection(stream, router.clone(), Arc::clone(&shared), slot));
                }
                Admission::Refused => {
                    tracing::warn!(
                        "the sandbox closed a new connection: all {} are answering requests",
                        shared.config.max_connections
                    );
                    drop(stream);
                }
            },
            Err(error) => {
                // Out of file descriptors and the like: pause rather than spin.
                tracing::warn!("the sandbox could not accept a connection: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    tracing::debug!("sandbox stopped");
}

/// Both APIs under their prefixes, and the test photos.
fn routes(shared: &Arc<Shared>) -> Router {
    Router::new()
        .nest(&format!("/{}", Api::Finosu.prefix()), finosu::router(Arc::clone(shared)))
        .nest(&format!("/{}", Api::HelpScout.prefix()), helpscout::router(Arc::clone(shared)))
        .nest(photos::PHOTOS_PATH, photos::router(Arc::clone(shared)))
        .fallback(|| async {
            finosu_error(
                StatusCode::NOT_FOUND,
                "The sandbox serves /finosu/…, /helpscout/… (and /_fault/<fault>/…) and /sandbox/photos/…",
            )
        })
}

/// Serves one connection until it ends, the header-read timeout strikes, or it is evicted to
/// make room under the connection cap.
async fn connection(stream: tokio::net::TcpStream, router: Router, shared: Arc<Shared>, mut slot: Slot) {
    let busy = slot.busy_counter();
    let timeout = shared.config.header_read_timeout;
    let service = hyper::service::service_fn(move |request| {
        let answering = Busy::on(&busy);
        let (router, shared) = (router.clone(), Arc::clone(&shared));
        async move {
            let answer = handle(request, router, shared).await;
            drop(answering);
            answer
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(timeout);
    let served = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        served = served => {
            if let Err(error) = served {
                tracing::debug!("sandbox connection ended: {error}");
            }
        }
        _ = &mut slot.closed => tracing::debug!("sandbox connection closed to make room for a new one"),
    }
}

/// Host, credentials, body, latency, faults, then the routes.
async fn handle(request: Request<Incoming>, router: Router, shared: Arc<Shared>) -> Result<Response, Dropped> {
    let mut request = request.map(Body::new);
    if let Some(refused) = guard::misdirected(&request, shared.addr.port()) {
        return Ok(refused);
    }
    let forced = match faults::take_prefix(&mut request) {
        Ok(forced) => forced,
        Err(message) => return Ok(finosu_error(StatusCode::NOT_FOUND, &message)),
    };
    let api = Api::of_path(request.uri().path());
    if api == Some(Api::Finosu) && !shared.config.finosu_read_route && finosu::is_read(&request) {
        // No such route on this server: a 404 before any key is looked at.
        return Ok(finosu::no_such_endpoint(request.method(), request.uri().path()));
    }
    tracing::debug!(method = %request.method(), path = request.uri().path(), fault = ?forced, "sandbox request");
    // Latency delays every answer, refusals included, as a slow network would.
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let credentials = match api {
        Some(api) => guard::check_head(&shared, api, request.uri().path(), request.headers()),
        // Outside both APIs: the test photos, public on purpose (see `guard`), and the 404.
        None => Credentials::Valid,
    };
    let in_body = match credentials {
        Credentials::Refused(refused) => return Ok(refused),
        Credentials::InBody => true,
        Credentials::Valid => false,
    };
    let request = match read_body(request, api, &shared.config).await {
        Ok(request) => request,
        Err(refused) => return Ok(refused),
    };
    if in_body && !guard::token_request_is_credentialed(&shared, request.body()) {
        // The token endpoint answers its own OAuth error; no fault runs for a stranger.
        return Ok(route(router, request.map(Body::from)).await);
    }
    let request = request.map(Body::from);
    if let Some(api) = api {
        match &forced {
            Some(Fault::Hang) => {
                let _held = Hanging::count(&shared.hanging);
                faults::hang(shared.stopped.clone()).await;
                return Err(Dropped);
            }
            Some(Fault::Drop) => return Err(Dropped),
            Some(Fault::Garbage) => return Ok(faults::garbage()),
            Some(Fault::Status(code)) => return Ok(faults::status(api, *code, shared.config.rate_limit_per_minute)),
            Some(Fault::SlowMs(millis)) => tokio::time::sleep(Duration::from_millis(*millis)).await,
            Some(Fault::Huge | Fault::CommitDrop) => {}
            None => {
                if fastrand::f64() < shared.config.drop_rate {
                    return Err(Dropped);
                }
                if fastrand::f64() < shared.config.fail_rate {
                    let message = "The sandbox failed this request on purpose (its fail rate); try again";
                    return Ok(api_error(api, StatusCode::SERVICE_UNAVAILABLE, message));
                }
            }
        }
    }
    let drops_answer = matches!(forced, Some(Fault::CommitDrop)) && changes_customers(&request);
    let response = route(router, request).await;
    match forced {
        Some(Fault::Huge) => Ok(faults::enlarge(response).await),
        // The work is done and stored; the answer never leaves.
        Some(Fault::CommitDrop) if drops_answer => Err(Dropped),
        _ => Ok(response),
    }
}

async fn route(router: Router, request: Request<Body>) -> Response {
    match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// How far past the limit a refused body is still read (and thrown away) before the 413 goes
/// out: a client still sending when the server answers and closes gets a broken pipe instead of
/// the answer, so a body up to this many times the limit is let in before it is refused.
const DRAIN_FACTOR: usize = 4;

/// The request with its whole body read, at most [`SandboxConfig::max_body_bytes`] of it and
/// within [`SandboxConfig::header_read_timeout`]; or the 413 or 408 to answer. A declared
/// length past what would be drained is refused before any of it is read.
async fn read_body(
    request: Request<Body>,
    api: Option<Api>,
    config: &SandboxConfig,
) -> Result<Request<Bytes>, Response> {
    let limit = config.max_body_bytes;
    let too_large = || {
        let message = format!("The request body is over the sandbox's limit of {limit} bytes");
        guard::body_refused(api, StatusCode::PAYLOAD_TOO_LARGE, &message)
    };
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let drained = u64::try_from(limit.saturating_mul(DRAIN_FACTOR)).unwrap_or(u64::MAX);
    if declared.is_some_and(|declared| declared > drained) {
        return Err(too_large());
    }
    let (parts, body) = request.into_parts();
    let mut seen = 0;
    let read = tokio::time::timeout(config.header_read_timeout, read_limited(body, limit, &mut seen)).await;
    match read {
        _ if seen > limit => Err(too_large()),
        Ok(Ok(bytes)) => Ok(Request::from_parts(parts, bytes)),
        Ok(Err(error)) => {
            let message = format!("The request body could not be read: {error}");
            Err(guard::body_refused(api, StatusCode::BAD_REQUEST, &message))
        }
        Err(_elapsed) => {
            let message =
                format!("The request body did not arrive within {} s", config.header_read_timeout.as_secs_f64());
            Err(guard::body_refused(api, StatusCode::REQUEST_TIMEOUT, &message))
        }
    }
}

/// Reads `body`, keeping at most `limit` bytes; `seen` counts every byte that arrived. Past the
/// limit the rest is thrown away, and reading stops at [`DRAIN_FACTOR`] times the limit.
async fn read_limited(mut body: Body, limit: usize, seen: &mut usize) -> Result<Bytes, axum::Error> {
    let mut kept = Vec::new();
    while let Some(frame) = body.frame().await {
        // Trailers carry no data.
        let Ok(data) = frame?.into_data() else { continue };
        *seen = seen.saturating_add(data.len());
        if *seen <= limit {
            kept.extend_from_slice(&data);
        } else if *seen > limit.saturating_mul(DRAIN_FACTOR) {
            break;
        } else {
            kept = Vec::new();
        }
    }
    Ok(Bytes::from(kept))
}

/// Whether `request` creates or changes customers: the requests whose answer
/// [`Fault::CommitDrop`] loses. Reads and token grants are answered, so the lookup that
/// reconciles a lost answer can find what was stored (dropping those too made every
/// commit-drop end "may have been created" instead of found).
fn changes_customers<B>(request: &Request<B>) -> bool {
    let method = request.method();
    let read = *method == Method::GET || *method == Method::HEAD;
    !read && !request.uri().path().ends_with("/oauth2/token")
}

/// One request counted in [`Shared::hanging`] while its hang lasts: until the sandbox stops, the
/// hang's limit passes, or the request's future is dropped with its connection.
struct Hanging<'a>(&'a AtomicUsize);

impl<'a> Hanging<'a> {
    fn count(hanging: &'a AtomicUsize) -> Self {
        hanging.fetch_add(1, Ordering::SeqCst);
        Self(hanging)
    }
}

impl Drop for Hanging<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
