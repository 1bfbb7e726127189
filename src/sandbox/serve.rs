//! The accept loop and the path every request takes before reaching an API's routes.
//!
//! The sandbox serves connections with hyper directly rather than `axum::serve`, because a
//! dropped-connection fault needs the service to fail: hyper then closes the connection without
//! writing any answer, which is what a client sees when a server or proxy dies mid-request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use thiserror::Error;
use tokio::sync::watch;
use tower::ServiceExt as _;

use super::faults::{self, Fault};
use super::responses::{Api, api_error, finosu_error};
use super::state::Shared;
use super::{finosu, helpscout};

/// The service's failure: hyper closes the connection with no answer.
#[derive(Debug, Error)]
#[error("connection dropped on purpose by the sandbox's fault injection")]
struct Dropped;

/// Accepts connections until `stopped` turns true.
pub async fn serve(listener: std::net::TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!("the sandbox could not listen: {error}");
            return;
        }
    };
    let router = routes(&shared);
    loop {
        let accepted = tokio::select! {
            _ = stopped.wait_for(|stopped| *stopped) => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _peer)) => {
                stream.set_nodelay(true).ok();
                tokio::spawn(connection(stream, router.clone(), Arc::clone(&shared)));
            }
            Err(error) => {
                // Out of file descriptors and the like: pause rather than spin.
                tracing::warn!("the sandbox could not accept a connection: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    tracing::debug!("sandbox stopped");
}

/// Both APIs under their prefixes.
fn routes(shared: &Arc<Shared>) -> Router {
    Router::new()
        .nest(&format!("/{}", Api::Finosu.prefix()), finosu::router(Arc::clone(shared)))
        .nest(&format!("/{}", Api::HelpScout.prefix()), helpscout::router(Arc::clone(shared)))
        .fallback(|| async {
            finosu_error(StatusCode::NOT_FOUND, "The sandbox serves /finosu/… and /helpscout/… (and /_fault/<fault>/…)")
        })
}

async fn connection(stream: tokio::net::TcpStream, router: Router, shared: Arc<Shared>) {
    let service = hyper::service::service_fn(move |request| handle(request, router.clone(), Arc::clone(&shared)));
    let served = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
    if let Err(error) = served {
        tracing::debug!("sandbox connection ended: {error}");
    }
}

/// Latency, faults, then the routes.
async fn handle(request: Request<Incoming>, router: Router, shared: Arc<Shared>) -> Result<Response, Dropped> {
    let mut request = request.map(Body::new);
    let forced = match faults::take_prefix(&mut request) {
        Ok(forced) => forced,
        Err(message) => return Ok(finosu_error(StatusCode::NOT_FOUND, &message)),
    };
    let api = Api::of_path(request.uri().path());
    tracing::debug!(method = %request.method(), path = request.uri().path(), fault = ?forced, "sandbox request");
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
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
    let response = match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    match forced {
        Some(Fault::Huge) => Ok(faults::enlarge(response).await),
        // The work is done and stored; the answer never leaves.
        Some(Fault::CommitDrop) if drops_answer => Err(Dropped),
        _ => Ok(response),
    }
}

/// Whether `request` creates or changes customers: the requests whose answer
/// [`Fault::CommitDrop`] loses. Reads and token grants are answered, so the lookup that
/// reconciles a lost answer can find what was stored (dropping those too made every
/// commit-drop end "may have been created" instead of found).
fn changes_customers(request: &Request<Body>) -> bool {
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
