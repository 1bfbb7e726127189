//! Shared set-up for the network tests: the sandbox, clients aimed at it, example bodies, and
//! small hand-made servers on loopback for what the sandbox cannot do.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;

use intake::backends::{Credentials, CustomerClient, Endpoint, HelpScoutAuth, Secret};
use intake::model::Backend;
use intake::normalize::normalize_for_sending;
use intake::profiles::sandbox_credentials;
use intake::sandbox::{Fault, SandboxConfig, SandboxServer};
use serde_json::Value;

/// A sandbox with default settings.
pub fn sandbox() -> SandboxServer {
    SandboxServer::start(SandboxConfig::default()).expect("sandbox starts")
}

/// An endpoint at `base` with short timeouts, so failure tests stay quick.
pub fn endpoint(base: &str) -> Endpoint {
    Endpoint {
        base_url: base.parse().expect("base URL"),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(1500),
    }
}

/// The sandbox's base URL for `backend`.
pub fn base_url(sandbox: &SandboxServer, backend: Backend) -> String {
    match backend {
        Backend::Finosu => sandbox.finosu_base_url(),
        Backend::HelpScout => sandbox.helpscout_base_url(),
    }
}

/// A client for the sandbox with its published credentials.
pub fn client(sandbox: &SandboxServer, backend: Backend) -> CustomerClient {
    CustomerClient::new(endpoint(&base_url(sandbox, backend)), sandbox_credentials(backend), None).expect("client")
}

/// A client for the sandbox behind a forced fault.
pub fn faulty_client(sandbox: &SandboxServer, backend: Backend, fault: &Fault) -> CustomerClient {
    CustomerClient::new(endpoint(&sandbox.fault_base_url(fault, backend)), sandbox_credentials(backend), None)
        .expect("client")
}

/// A client with credentials of the caller's choosing.
pub fn client_with(base: &str, credentials: Credentials) -> CustomerClient {
    CustomerClient::new(endpoint(base), credentials, None).expect("client")
}

/// A Help Scout client with a pasted token.
pub fn help_scout_token_client(base: &str, token: &str) -> CustomerClient {
    client_with(base, Credentials::HelpScout(HelpScoutAuth::access_token(Secret::new(token))))
}

/// The example draft of `backend`, normalised as it is sent, with a unique id / email.
pub fn example_body(backend: Backend, unique: &str) -> Value {
    let file = match backend {
        Backend::Finosu => "examples/finosu-customer.json",
        Backend::HelpScout => "examples/helpscout-customer.json",
    };
    let mut body: Value = serde_json::from_str(&std::fs::read_to_string(file).expect("example")).expect("json");
    match backend {
        Backend::Finosu => body["id"] = Value::String(format!("TEST-{unique}")),
        Backend::HelpScout => body["emails"][0]["value"] = Value::String(format!("{unique}@example.com")),
    }
    normalize_for_sending(backend, &body)
}

/// Runs `future` on a fresh runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(future)
}

/// A loopback port nothing listens on (bound, then closed).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}

/// A loopback TLS server with a self-signed certificate no client trusts.
pub struct UntrustedTlsServer {
    port: u16,
    _thread: std::thread::JoinHandle<()>,
}

impl UntrustedTlsServer {
    pub fn start() -> Self {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
        let der = cert.cert.der().clone();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
        let config =
            rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("protocols")
                .with_no_client_auth()
                .with_single_cert(vec![der], key)
                .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                while let Ok((stream, _)) = listener.accept().await {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        if let Ok(mut tls) = acceptor.accept(stream).await {
                            tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await.ok();
                        }
                    });
                }
            });
        });
        Self { port, _thread: thread }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

/// One request as a [`ScriptedServer`] saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub method: String,
    pub path: String,
    pub body: String,
}

/// One answer of a [`ScriptedServer`]: status, extra headers, JSON (or any) body.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Canned {
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Self { status, headers: Vec::new(), body: body.into() }
    }

    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// A hostile server on 127.0.0.1 (never any other address): plain HTTP/1.1, one connection at
/// a time, each request answered by `answer` (given the request and how many came before it)
/// with whatever headers and body a test wants, then `Connection: close`.
pub struct ScriptedServer {
    port: u16,
    seen: Arc<std::sync::Mutex<Vec<SeenRequest>>>,
    _thread: std::thread::JoinHandle<()>,
}

impl ScriptedServer {
    pub fn start(answer: impl Fn(&SeenRequest, usize) -> Canned + Send + 'static) -> Self {
        use std::fmt::Write as _;
        use std::io::{BufRead as _, Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = Arc::clone(&seen);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
                let mut reader = std::io::BufReader::new(stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
                let mut length = 0usize;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).ok();
                let request = SeenRequest { method, path, body: String::from_utf8_lossy(&body).into_owned() };
                let index = {
                    let mut seen = kept.lock().expect("requests");
                    seen.push(request.clone());
                    seen.len() - 1
                };
                let canned = answer(&request, index);
                let mut text = format!("HTTP/1.1 {} Whatever\r\n", canned.status);
                for (name, value) in &canned.headers {
                    write!(text, "{name}: {value}\r\n").expect("a string takes any text");
                }
                write!(
                    text,
                    "Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                    canned.body.len(),
                    canned.body
                )
                .expect("a string takes any text");
                let mut stream = reader.into_inner();
                stream.write_all(text.as_bytes()).ok();
                stream.flush().ok();
            }
        });
        Self { port, seen, _thread: thread }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.seen.lock().expect("requests").clone()
    }
}
