//! What the sandbox asks of a request before serving it, and the limits that keep a local
//! process from tying it down: credentials before any fault, a `Host` naming the sandbox itself,
//! a body size cap, a header-read timeout and a cap on open connections.

mod sandbox_support;

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use intake::backends::{Endpoint, FinosuClient, HelpScoutAuth, HelpScoutClient, Outcome, Secret};
use intake::model::Backend;
use intake::sandbox::{
    FINOSU_API_KEY, Fault, HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET, SandboxConfig, SandboxServer,
};
use serde_json::{Value, json};
use url::Url;

use sandbox_support::{client, client_with_timeout, finosu_customer, start, start_with, token_request, vnd_error};

/// Every fault a path can force.
fn every_fault() -> [Fault; 7] {
    [Fault::Hang, Fault::Drop, Fault::CommitDrop, Fault::Garbage, Fault::Huge, Fault::Status(503), Fault::SlowMs(5_000)]
}

/// A raw HTTP/1.1 exchange: writes `request`, reads until the server closes or `limit` passes.
fn raw_exchange(server: &SandboxServer, request: &[u8], limit: Duration) -> String {
    let mut stream = TcpStream::connect(server.addr()).expect("connect");
    stream.set_read_timeout(Some(limit)).expect("timeout");
    stream.write_all(request).expect("write");
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(error) if error.kind() == ErrorKind::ConnectionReset => {}
        Err(error) => panic!("no end to the answer within {limit:?} ({error}); so far: {answer:?}"),
    }
    String::from_utf8_lossy(&answer).into_owned()
}

// ---- Credentials before faults ----

#[tokio::test]
async fn a_fault_without_credentials_is_the_apis_401_at_once() {
    let server = start();
    // Answered before slow-5000 could (a hang would be 300 s): a fault that ran reaches this
    // timeout. Generous for a loaded machine; the 401 itself takes milliseconds.
    let client = client_with_timeout(Duration::from_secs(4));
    for fault in every_fault() {
        let base = server.fault_base_url(&fault, Backend::Finosu);
        for key in [None, Some("fsk_wrong")] {
            let mut request = client.post(format!("{base}/customers")).json(&finosu_customer("f"));
            if let Some(key) = key {
                request = request.header("X-API-Key", key);
            }
            let response = request.send().await.unwrap_or_else(|e| panic!("{fault} {key:?}: {e:?}"));
            assert_eq!(response.status(), 401, "{fault} {key:?}");
            let bytes = response.bytes().await.expect("a body");
            assert!(bytes.len() < 1024, "{fault}: {} bytes", bytes.len());
            let body: Value = serde_json::from_slice(&bytes).expect("JSON");
            assert_eq!(body["error"], "Unauthorized", "{fault}: {body}");
        }
        let base = server.fault_base_url(&fault, Backend::HelpScout);
        for token in [None, Some("made-up")] {
            let mut request = client.get(format!("{base}/v2/users/me"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap_or_else(|e| panic!("{fault} {token:?}: {e:?}"));
            vnd_error(response, 401).await;
        }
        // The token endpoint behind a fault: without the app's credentials, its own OAuth error.
        let wrong = [("grant_type", "client_credentials"), ("client_id", HELPSCOUT_CLIENT_ID), ("client_secret", "x")];
        let response = token_request(&base, &client, &wrong).await;
        assert_eq!(response.status(), 401, "{fault}");
        assert_eq!(response.json::<Value>().await.expect("JSON")["error"], "invalid_client");
        let spent = [("grant_type", "refresh_token"), ("refresh_token", "never-issued")];
        assert_eq!(token_request(&base, &client, &spent).await.status(), 400, "{fault}");
    }
    assert_eq!(server.hanging_requests(), 0);
    assert_eq!(sandbox_support::finosu_get(&server, &sandbox_support::client(), "f").await.status(), 404);
}

#[tokio::test]
async fn with_credentials_the_faults_still_strike_the_token_endpoint_too() {
    let server = start();
    let client = client_with_timeout(Duration::from_millis(500));
    let base = server.fault_base_url(&Fault::Hang, Backend::HelpScout);
    let app = [
        ("grant_type", "client_credentials"),
        ("client_id", HELPSCOUT_CLIENT_ID),
        ("client_secret", HELPSCOUT_CLIENT_SECRET),
    ];
    let form = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(app).finish();
    let error = client
        .post(format!("{base}/v2/oauth2/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect_err("the grant hangs");
    assert!(error.is_timeout(), "{error:?}");
    // A live refresh token is a credential too.
    let tokens = sandbox_support::tokens(&server, &sandbox_support::client()).await;
    let base = server.fault_base_url(&Fault::Status(502), Backend::HelpScout);
    let refresh = [("grant_type", "refresh_token"), ("refresh_token", tokens.refresh.as_str())];
    vnd_error(token_request(&base, &client, &refresh).await, 502).await;
}

// ---- Host ----

#[tokio::test]
async fn a_foreign_host_is_refused_before_routing() {
    let server = start();
    let port = server.addr().port();
    let client = client_with_timeout(Duration::from_secs(4));
    let hang = server.fault_base_url(&Fault::Hang, Backend::Finosu);
    for host in [format!("evil.example:{port}"), "127.0.0.1:1".to_owned(), format!("127.0.0.1.nip.io:{port}")] {
        for base in [server.finosu_base_url(), hang.clone()] {
            let response = client
                .post(format!("{base}/customers"))
                .header("Host", &host)
                .header("X-API-Key", FINOSU_API_KEY)
                .json(&finosu_customer("rebound"))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{host}: {e:?}"));
            assert_eq!(response.status(), 421, "{host}");
            let body: Value = response.json().await.expect("JSON");
            assert_eq!(body["error"], "Misdirected Request", "{body}");
            assert!(body["message"].as_str().unwrap_or_default().contains(&format!("127.0.0.1:{port}")), "{body}");
        }
        let response = client
            .get(format!("{}/v2/users/me", server.helpscout_base_url()))
            .header("Host", &host)
            .send()
            .await
            .expect("an answer");
        vnd_error(response, 421).await;
    }
    assert_eq!(server.hanging_requests(), 0);
    assert_eq!(sandbox_support::finosu_get(&server, &client, "rebound").await.status(), 404, "nothing stored");
}

#[tokio::test]
async fn the_sandboxs_own_names_are_accepted() {
    let server = start();
    let port = server.addr().port();
    let client = client();
    for (n, host) in
        [format!("localhost:{port}"), format!("[::1]:{port}"), format!("127.0.0.1:{port}")].iter().enumerate()
    {
        let response = client
            .post(format!("{}/customers", server.finosu_base_url()))
            .header("Host", host)
            .header("X-API-Key", FINOSU_API_KEY)
            .json(&finosu_customer(&format!("host-{n}")))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), 201, "{host}");
    }
}

#[test]
fn a_missing_or_repeated_host_is_refused() {
    let server = start();
    let port = server.addr().port();
    let get = "GET /finosu/customers/x HTTP/1.1\r\nX-API-Key: fsk_sandbox_2f9c41d7e8a3\r\nConnection: close\r\n";
    let answer = raw_exchange(&server, format!("{get}\r\n").as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
    let twice = format!("{get}Host: 127.0.0.1:{port}\r\nHost: evil.example:{port}\r\n\r\n");
    let answer = raw_exchange(&server, twice.as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
    // The same request with its Host is served (a 404 for the unknown customer).
    let answer =
        raw_exchange(&server, format!("{get}Host: 127.0.0.1:{port}\r\n\r\n").as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}

// ---- Body size ----

#[tokio::test]
async fn an_oversized_body_is_413_in_the_apis_shape() {
    let server = start();
    let client = client();
    let mut customer = finosu_customer("big");
    customer["notes"] = json!("x".repeat(intake::sandbox::DEFAULT_MAX_BODY_BYTES));
    let response = sandbox_support::finosu_post(&server, &client, &customer).await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "Payload Too Large", "{body}");
    let token = sandbox_support::tokens(&server, &client).await.access;
    let response = sandbox_support::helpscout_create(&server, &client, &token, &customer).await;
    vnd_error(response, 413).await;
    // A body under the limit is read and served as usual (the unknown field is not stored).
    customer["notes"] = json!("x".repeat(1000));
    assert_eq!(sandbox_support::finosu_post(&server, &client, &customer).await.status(), 201);
}

#[test]
fn a_chunked_body_over_the_limit_is_413() {
    let server = start_with(SandboxConfig { max_body_bytes: 1000, ..SandboxConfig::default() });
    let port = server.addr().port();
    let chunk = "y".repeat(600);
    let request = format!(
        "POST /finosu/customers HTTP/1.1\r\nHost: localhost:{port}\r\nX-API-Key: {FINOSU_API_KEY}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n"
    );
    let answer = raw_exchange(&server, request.as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("limit of 1000 bytes"), "{answer}");
}

// ---- Timeouts ----

#[test]
fn a_stalled_request_head_or_body_is_cut_off() {
    let server = start_with(SandboxConfig { header_read_timeout: Duration::from_secs(1), ..SandboxConfig::default() });
    let port = server.addr().port();
    // Half a request line, then nothing: the server must give up on its own.
    let answer = raw_exchange(&server, b"GET /finosu/custo", Duration::from_secs(5));
    assert!(!answer.starts_with("HTTP/1.1 2"), "{answer}");
    // Nothing at all on a fresh connection is cut off the same way.
    raw_exchange(&server, b"", Duration::from_secs(5));
    // A head that arrives with a body that stalls half-way: 408.
    let request = format!(
        "POST /finosu/customers HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-API-Key: {FINOSU_API_KEY}\r\n\
         Content-Length: 100\r\n\r\n{{\"id\":"
    );
    let answer = raw_exchange(&server, request.as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

// ---- Connection cap ----

/// Opens up to `count` idle connections. Under a low limit on open files (a soft limit of 1024
/// is common), it stops at the limit and lets 100 go, so the test's own client can still connect.
fn idle_connections(server: &SandboxServer, count: usize) -> Vec<TcpStream> {
    const EMFILE: i32 = 24;
    let mut streams = Vec::with_capacity(count);
    for _ in 0..count {
        match TcpStream::connect(server.addr()) {
            Ok(stream) => streams.push(stream),
            Err(error) if error.raw_os_error() == Some(EMFILE) => {
                streams.truncate(streams.len().saturating_sub(100));
                break;
            }
            Err(error) => panic!("connect: {error}"),
        }
    }
    streams
}

/// How many of `streams` the server has closed (a read sees the end) and how many it holds.
fn closed_and_open(streams: &[TcpStream]) -> (usize, usize) {
    let mut closed = 0;
    for mut stream in streams {
        stream.set_nonblocking(true).expect("nonblocking");
        match stream.read(&mut [0; 1]) {
            Err(error) if error.kind() == ErrorKind::WouldBlock => {}
            _ => closed += 1,
        }
    }
    (closed, streams.len() - closed)
}

fn finosu_client(server: &SandboxServer) -> FinosuClient {
    let endpoint = Endpoint {
        timeout: Duration::from_secs(5),
        ..Endpoint::new(Url::parse(&server.finosu_base_url()).expect("url"))
    };
    FinosuClient::new(endpoint, Secret::new(FINOSU_API_KEY)).expect("a client")
}

#[tokio::test]
async fn idle_connections_over_the_cap_are_closed_and_a_create_still_gets_through() {
    let server = start_with(SandboxConfig { max_connections: 8, ..SandboxConfig::default() });
    let idle = idle_connections(&server, 50);
    sandbox_support::wait_until("the sandbox to take every connection", || {
        let (closed, _) = closed_and_open(&idle);
        closed >= 42
    })
    .await;
    let outcome = finosu_client(&server).create_customer(&finosu_customer("capped")).await.outcome;
    assert_eq!(outcome, Outcome::Created { id: Some("capped".to_owned()), location: None });
    assert!(server.open_connections() <= 8, "{}", server.open_connections());
    let (_, open) = closed_and_open(&idle);
    assert!(open <= 8, "{open} idle connections held");
}

#[tokio::test]
async fn two_thousand_idle_connections_do_not_stop_a_create() {
    let server = start();
    let idle = idle_connections(&server, 2_000);
    // 2,000 where the limit on open files allows (both ends of each are in this process).
    assert!(idle.len() >= 500, "only {} connections could be opened", idle.len());
    let outcome = finosu_client(&server).create_customer(&finosu_customer("crowded")).await.outcome;
    assert_eq!(outcome, Outcome::Created { id: Some("crowded".to_owned()), location: None });
    let endpoint = Endpoint {
        timeout: Duration::from_secs(5),
        ..Endpoint::new(Url::parse(&server.helpscout_base_url()).expect("url"))
    };
    let auth = HelpScoutAuth::client_credentials(HELPSCOUT_CLIENT_ID, Secret::new(HELPSCOUT_CLIENT_SECRET));
    let helpscout = HelpScoutClient::new(endpoint, auth).expect("a client");
    let exchanges = helpscout.create_customer(&json!({"firstName": "Crowded"})).await;
    let last = exchanges.last().expect("an exchange");
    assert!(matches!(last.outcome, Outcome::Created { .. }), "{exchanges:?}");
    // The sandbox holds at most its cap; every other idle connection was closed.
    assert!(server.open_connections() <= intake::sandbox::DEFAULT_MAX_CONNECTIONS);
    sandbox_support::wait_until("the idle connections over the cap to be closed", || {
        closed_and_open(&idle).1 <= intake::sandbox::DEFAULT_MAX_CONNECTIONS
    })
    .await;
}
