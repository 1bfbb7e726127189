//! The built-in sandbox: a local emulator of the Finosu and Help Scout APIs.
//!
//! It lets the whole product work with no account, and gives tests a real HTTP server to talk to.
//! It follows the seeds' contracts (required fields and formats, error shapes, 401s, the OAuth
//! token endpoint, `users/me`, customer properties, rate limiting) and can inject failures:
//! latency, 5xx answers, dropped connections, and per-request faults chosen by a path prefix.
//! It also serves test photos for the photo URL's preview (`/sandbox/photos/…`).
//!
//! Its checks are written on their own, not with [`crate::validation`]: the server and the
//! client's validator are two readings of the seeds, so each can catch the other's mistakes.
//!
//! The server binds 127.0.0.1 only and runs on its own thread with its own tokio runtime, so sync
//! code (the GUI, the CLI, tests) can start it.

mod checks;
mod connections;
mod faults;
mod finosu;
mod finosu_checks;
mod guard;
mod helpscout;
mod helpscout_checks;
mod oauth;
mod photos;
mod properties;
mod rate_limit;
mod responses;
mod serve;
mod state;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use thiserror::Error;
use tokio::sync::watch;

use crate::model::Backend;

pub use faults::{Fault, FaultParseError};
pub use photos::{BOMB_SIDE, LARGE_PHOTO_BYTES, PHOTOS_PATH, PORTRAIT_SIZE, bomb_png, photo_names, portrait_png};

/// The sandbox's Finosu API key (published in the README).
pub const FINOSU_API_KEY: &str = "fsk_sandbox_2f9c41d7e8a3";
/// The sandbox's Help Scout OAuth app id.
pub const HELPSCOUT_CLIENT_ID: &str = "intake-sandbox";
/// The sandbox's Help Scout OAuth app secret.
pub const HELPSCOUT_CLIENT_SECRET: &str = "hss_sandbox_7b1e5a90c4d2";
/// The task types the sandbox's Finosu "company" is configured with.
pub const FINOSU_TASK_TYPES: [&str; 3] = ["collections", "payment-reminder", "welcome-call"];

/// How the sandbox behaves: its port, rate limit and injected failures.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Weighted requests allowed per API in any 60 seconds (writes count 2); 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Delay added before every answer.
    pub latency: Duration,
    /// Share (0.0..=1.0) of API requests answered 503.
    pub fail_rate: f64,
    /// Share (0.0..=1.0) of API requests whose connection is closed with no answer.
    pub drop_rate: f64,
    /// Lifetime of Help Scout access tokens.
    pub token_lifetime: Duration,
    /// Open connections at most; at the cap a new one replaces the oldest idle one, or is closed
    /// when all are answering. Bounds what a local process can pin down (0 counts as 1).
    pub max_connections: usize,
    /// How long a request's head may take to arrive (also bounds an idle keep-alive connection),
    /// and then its body; a stalled sender is cut off instead of holding a connection forever.
    pub header_read_timeout: Duration,
    /// Largest request body accepted; a longer one is answered 413 in the API's shape.
    pub max_body_bytes: usize,
    /// Whether Finosu answers `GET /customers/{id}`. Finosu documents only `POST /customers`;
    /// turned off, the sandbox answers that read 404 with and without the key, as a real Finosu
    /// without a read route would, so the credential check, the duplicate check and
    /// reconciliation can be tested against one.
    pub finosu_read_route: bool,
}

/// Default of [`SandboxConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
/// Default of [`SandboxConfig::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`SandboxConfig::max_body_bytes`]: far above any customer, far below harm.
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            rate_limit_per_minute: 200,
            latency: Duration::ZERO,
            fail_rate: 0.0,
            drop_rate: 0.0,
            token_lifetime: Duration::from_hours(48),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            finosu_read_route: true,
        }
    }
}

/// Why the sandbox could not start.
#[derive(Debug, Error)]
pub enum SandboxError {
    /// The port is taken or not allowed.
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0 = any).
        port: u16,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The async runtime or the server thread could not be set up.
    #[error("could not start the sandbox's server thread: {0}")]
    Runtime(#[source] std::io::Error),
}

/// A running sandbox, bound to 127.0.0.1 only, served on its own thread.
///
/// It stops on [`Self::shutdown`] or when dropped; requests still in flight are cut off.
pub struct SandboxServer {
    addr: SocketAddr,
    shared: Arc<state::Shared>,
    stop: Option<watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SandboxServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxServer").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl SandboxServer {
    /// Binds 127.0.0.1:`config.port` and starts serving on a new thread.
    pub fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let port = config.port;
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(SandboxError::Runtime)?;
        let listener = {
            // The listener registers with this runtime's reactor, which serves it on the thread.
            let _entered = runtime.enter();
            listen(port).map_err(|source| SandboxError::Bind { port, source })?
        };
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind { port, source })?;
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(state::Shared::new(config, addr, stopped.clone()));
        let served = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("intake-sandbox".to_owned())
            .spawn(move || {
                runtime.block_on(serve::serve(listener, served, stopped));
                // Cuts off what is still in flight (hanging requests, open keep-alive connections).
                runtime.shutdown_background();
            })
            .map_err(SandboxError::Runtime)?;
        tracing::debug!("sandbox listening on http://{addr}");
        Ok(Self { addr, shared, stop: Some(stop), thread: Some(thread) })
    }

    /// The address it listens on (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `backend`'s base URL here: `http://127.0.0.1:PORT/finosu` (the client appends
    /// `/customers`) or `…/helpscout` (`/v2/customers`, `/v2/oauth2/token`…).
    pub fn base_url(&self, backend: Backend) -> String {
        format!("http://{}/{}", self.addr, responses::Api::from(backend).prefix())
    }

    /// Finosu's base URL here.
    pub fn finosu_base_url(&self) -> String {
        self.base_url(Backend::Finosu)
    }

    /// Help Scout's base URL here.
    pub fn helpscout_base_url(&self) -> String {
        self.base_url(Backend::HelpScout)
    }

    /// The URL of the test photo `name` (see [`photo_names`]): for the photo URL's preview,
    /// over plain http, which the preview allows for loopback hosts only.
    pub fn photo_url(&self, name: &str) -> String {
        format!("http://{}{PHOTOS_PATH}/{name}", self.addr)
    }

    /// A base URL that forces `fault` on every request to `backend`'s API through it:
    /// `http://127.0.0.1:PORT/_fault/<fault>/finosu`.
    pub fn fault_base_url(&self, fault: &Fault, backend: Backend) -> String {
        let api = responses::Api::from(backend);
        format!("http://{}/_fault/{}/{}", self.addr, fault.path_segment(), api.prefix())
    }

    /// How many requests a [`Fault::Hang`] is holding right now: arrived, and never to be
    /// answered. Lets a test act once its request has certainly reached the sandbox.
    pub fn hanging_requests(&self) -> usize {
        self.shared.hanging.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many connections the sandbox holds open now (at most
    /// [`SandboxConfig::max_connections`]).
    pub fn open_connections(&self) -> usize {
        self.shared.connections.count()
    }

    /// Makes every refresh token issued so far stop working, as if the app's access was revoked.
    pub fn revoke_refresh_tokens(&self) {
        state::lock(&self.shared.oauth).revoke_refresh_tokens();
    }

    /// Every Help Scout access token issued so far stops working (a 401 on next use).
    pub fn revoke_access_tokens(&self) {
        state::lock(&self.shared.oauth).revoke_access_tokens();
    }

    /// Stops serving and waits for the server thread to end.
    pub fn shutdown(self) {
        // Drop does the work.
    }
}

/// Connections the kernel holds ready for the accept loop. The usual 128 overflows when hundreds
/// of connections arrive at once (each over the cap evicts an idle one): the kernel then drops new
/// connection attempts, and the product's own client waits a second to retry.
const LISTEN_BACKLOG: u32 = 1024;

/// A listener on 127.0.0.1:`port` (as `std`'s, with `SO_REUSEADDR`) with [`LISTEN_BACKLOG`].
fn listen(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    socket.listen(LISTEN_BACKLOG)
}

impl Drop for SandboxServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send_replace(true);
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the sandbox's server thread panicked");
        }
    }
}
