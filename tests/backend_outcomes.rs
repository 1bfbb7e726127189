//! Every typed outcome of a create, produced by the real clients over real HTTP against the
//! built-in sandbox (or a small server of the test's own) on loopback.

mod net_support;

use std::sync::Arc;
use std::time::Duration;

use intake::backends::{Credentials, Exchange, GrantType, Outcome, Secret, TimeoutPhase};
use intake::model::Backend;
use intake::sandbox::{FINOSU_API_KEY, FINOSU_TASK_TYPES, Fault, SandboxConfig, SandboxServer};
use net_support::*;
use serde_json::json;

fn create(client: &intake::backends::CustomerClient, body: &serde_json::Value) -> Vec<Exchange> {
    block_on(client.create_customer(body))
}

/// Whether an outcome is the expected kind.
type OutcomeCheck = fn(&Outcome) -> bool;

fn last(exchanges: &[Exchange]) -> &Exchange {
    exchanges.last().expect("at least one exchange")
}

/// The deciding outcome of one create.
fn outcome_of(client: &intake::backends::CustomerClient, body: &serde_json::Value) -> Outcome {
    last(&create(client, body)).outcome.clone()
}

#[test]
fn finosu_create_returns_the_id_and_masks_the_key() {
    let sandbox = sandbox();
    let exchanges = create(&client(&sandbox, Backend::Finosu), &example_body(Backend::Finosu, "created-1"));
    assert_eq!(exchanges.len(), 1);
    let exchange = last(&exchanges);
    assert_eq!(exchange.outcome, Outcome::Created { id: Some("TEST-created-1".to_owned()), location: None });
    assert_eq!(exchange.summary(), "Created customer TEST-created-1.");
    let response = exchange.response.as_ref().expect("response");
    assert!((200..300).contains(&response.status));
    let key = exchange.request_headers.iter().find(|h| h.name == "X-API-Key").expect("key header");
    assert_eq!(key.value, "••••e8a3");
    let user_agent = exchange.request_headers.iter().find(|h| h.name == "User-Agent").expect("UA");
    assert!(user_agent.value.starts_with("intake/"));
    assert!(!format!("{exchange:?}").contains(FINOSU_API_KEY), "the key leaked into the record");
}

#[test]
fn help_scout_create_gets_a_token_then_reads_resource_id_and_location() {
    let sandbox = sandbox();
    let exchanges = create(&client(&sandbox, Backend::HelpScout), &example_body(Backend::HelpScout, "vernon"));
    assert_eq!(exchanges.len(), 2, "token grant, then create");
    assert!(exchanges[0].url.ends_with("/v2/oauth2/token"));
    assert!(matches!(
        exchanges[0].outcome,
        Outcome::TokenGranted { grant: GrantType::ClientCredentials, expires_in: Some(_), server_value: None }
    ));
    let body = exchanges[0].request_body.as_deref().expect("form body");
    assert!(body.contains("client_secret=%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2"), "{body}");
    let token_body = String::from_utf8_lossy(&exchanges[0].response.as_ref().expect("response").body).into_owned();
    assert!(token_body.contains("••••"), "the token is masked in the record: {token_body}");
    let Outcome::Created { id: Some(id), location: Some(location) } = &exchanges[1].outcome else {
        panic!("not created: {:?}", exchanges[1].outcome)
    };
    assert!(location.ends_with(&format!("/v2/customers/{id}")), "{location}");
    let auth = exchanges[1].request_headers.iter().find(|h| h.name == "Authorization").expect("auth");
    assert!(auth.value.starts_with("Bearer ••••"), "{}", auth.value);
    // The token is reused for the next create.
    let again = create(&client_reusing(&sandbox), &example_body(Backend::HelpScout, "again"));
    assert!(last(&again).outcome.is_created());
}

fn client_reusing(sandbox: &SandboxServer) -> intake::backends::CustomerClient {
    client(sandbox, Backend::HelpScout)
}

#[test]
fn a_help_scout_client_reuses_its_token() {
    let sandbox = sandbox();
    let client = client(&sandbox, Backend::HelpScout);
    let first = create(&client, &example_body(Backend::HelpScout, "one"));
    let second = create(&client, &example_body(Backend::HelpScout, "two"));
    assert_eq!((first.len(), second.len()), (2, 1));
    assert!(last(&second).outcome.is_created());
}

#[test]
fn finosu_field_errors_are_mapped_to_pointers() {
    let sandbox = sandbox();
    let mut body = example_body(Backend::Finosu, "rejected");
    body["email"] = json!("not-an-email");
    body["zipCode"] = json!("9410");
    let exchanges = create(&client(&sandbox, Backend::Finosu), &body);
    let Outcome::Rejected { field_errors, .. } = &last(&exchanges).outcome else {
        panic!("not rejected: {:?}", last(&exchanges).outcome)
    };
    let pointers: Vec<&str> = field_errors.iter().map(|e| e.pointer.as_str()).collect();
    assert!(pointers.contains(&"/email") && pointers.contains(&"/zipCode"), "{pointers:?}");
    assert_eq!(last(&exchanges).response.as_ref().map(|r| r.status), Some(400));
    assert!(last(&exchanges).summary().starts_with("Rejected: 2 fields"), "{}", last(&exchanges).summary());
}

#[test]
fn an_unknown_finosu_task_type_teaches_the_valid_ones() {
    let sandbox = sandbox();
    let mut body = example_body(Backend::Finosu, "task");
    body["taskType"] = json!("skydiving");
    let exchanges = create(&client(&sandbox, Backend::Finosu), &body);
    let Outcome::Rejected { valid_task_types, field_errors, .. } = &last(&exchanges).outcome else {
        panic!("not rejected: {:?}", last(&exchanges).outcome)
    };
    assert_eq!(valid_task_types, &FINOSU_TASK_TYPES.map(str::to_owned));
    assert!(field_errors.iter().any(|e| e.pointer == "/taskType"));
}

#[test]
fn help_scout_vnd_errors_are_mapped_onto_fields() {
    let sandbox = sandbox();
    let mut body = example_body(Backend::HelpScout, "bad");
    body["emails"] = json!([{"type": "work", "value": "ok@example.com"}, {"type": "work", "value": "nope"}]);
    body["address"]["postalCode"] = serde_json::Value::Null;
    body["address"].as_object_mut().expect("address").remove("postalCode");
    body["photoType"] = json!("myspace");
    let exchanges = create(&client(&sandbox, Backend::HelpScout), &body);
    let exchange = last(&exchanges);
    let content_type = exchange.response.as_ref().and_then(|r| r.header("content-type")).unwrap_or_default();
    assert!(content_type.starts_with("application/vnd.error+json"), "{content_type}");
    let Outcome::Rejected { field_errors, .. } = &exchange.outcome else { panic!("{:?}", exchange.outcome) };
    let pointers: Vec<&str> = field_errors.iter().map(|e| e.pointer.as_str()).collect();
    for expected in ["/emails/1/value", "/address/postalCode", "/photoType"] {
        assert!(pointers.contains(&expected), "{expected} missing from {pointers:?}");
    }
}

#[test]
fn a_wrong_key_or_token_is_unauthorized() {
    let sandbox = sandbox();
    let finosu = client_with(&sandbox.finosu_base_url(), Credentials::FinosuApiKey(Secret::new("fsk_wrong_000000")));
    let outcome = &outcome_of(&finosu, &example_body(Backend::Finosu, "u1"));
    assert!(matches!(outcome, Outcome::Unauthorized { .. }), "{outcome:?}");
    assert_eq!(outcome.summary(Backend::Finosu), "Key not accepted (401). Check the profile's API key.");

    let token = help_scout_token_client(&sandbox.helpscout_base_url(), "not-a-token");
    let exchanges = create(&token, &example_body(Backend::HelpScout, "u2"));
    assert_eq!(exchanges.len(), 1, "a pasted token cannot be renewed, so no retry");
    assert!(matches!(last(&exchanges).outcome, Outcome::Unauthorized { .. }));

    let wrong_app = client_with(
        &sandbox.helpscout_base_url(),
        Credentials::HelpScout(intake::backends::HelpScoutAuth::client_credentials(
            "intake-sandbox",
            Secret::new("wrong-secret-123"),
        )),
    );
    let exchanges = create(&wrong_app, &example_body(Backend::HelpScout, "u3"));
    assert_eq!(exchanges.len(), 1, "the grant failed, nothing was sent");
    assert!(exchanges[0].url.ends_with("/v2/oauth2/token"));
    assert!(
        matches!(&exchanges[0].outcome, Outcome::GrantRefused { grant: GrantType::ClientCredentials, code, .. } if code == "invalid_client"),
        "{:?}",
        exchanges[0].outcome
    );
}

#[test]
fn statuses_forced_by_the_sandbox_have_their_outcomes() {
    let sandbox = sandbox();
    for backend in Backend::ALL {
        let body = example_body(backend, &format!("status-{backend:?}"));
        let cases: [(u16, OutcomeCheck); 5] = [
            (403, |o| matches!(o, Outcome::Forbidden { .. })),
            (404, |o| matches!(o, Outcome::NotFound)),
            (409, |o| matches!(o, Outcome::Conflict { .. })),
            (500, |o| matches!(o, Outcome::ServerError { status: 500 })),
            (503, |o| matches!(o, Outcome::ServerError { status: 503 })),
        ];
        for (status, expected) in cases {
            let exchanges = create(&faulty_client(&sandbox, backend, &Fault::Status(status)), &body);
            let outcome = &last(&exchanges).outcome;
            assert!(expected(outcome), "{backend:?} {status}: {outcome:?}");
            assert!(outcome.is_retryable() == (status >= 500), "{status} retryable?");
        }
        let exchanges = create(&faulty_client(&sandbox, backend, &Fault::Status(429)), &body);
        assert_eq!(
            last(&exchanges).outcome,
            Outcome::RateLimited { retry_after: Some(Duration::from_secs(7)), server_value: None },
            "{backend:?}"
        );
    }
}

#[test]
fn a_duplicate_finosu_id_is_a_conflict() {
    let sandbox = sandbox();
    let client = client(&sandbox, Backend::Finosu);
    let body = example_body(Backend::Finosu, "twice");
    assert!(last(&create(&client, &body)).outcome.is_created());
    let outcome = &outcome_of(&client, &body);
    assert!(matches!(outcome, Outcome::Conflict { message } if message.contains("TEST-twice")), "{outcome:?}");
}

#[test]
fn the_rate_limit_answers_429_with_retry_after() {
    let sandbox =
        SandboxServer::start(SandboxConfig { rate_limit_per_minute: 4, ..SandboxConfig::default() }).expect("sandbox");
    let client = client(&sandbox, Backend::HelpScout);
    // The token grant is not limited; each create counts double: two fit in 4.
    assert!(last(&create(&client, &example_body(Backend::HelpScout, "r1"))).outcome.is_created());
    assert!(last(&create(&client, &example_body(Backend::HelpScout, "r2"))).outcome.is_created());
    let exchanges = create(&client, &example_body(Backend::HelpScout, "r3"));
    let exchange = last(&exchanges);
    let Outcome::RateLimited { retry_after: Some(wait), server_value: None } = exchange.outcome else {
        panic!("{:?}", exchange.outcome)
    };
    assert!(wait > Duration::ZERO && wait <= Duration::from_mins(1), "{wait:?}");
    let response = exchange.response.as_ref().expect("response");
    assert_eq!(response.header("X-RateLimit-Limit-Minute"), Some("4"));
    assert_eq!(response.header("X-RateLimit-Remaining-Minute"), Some("0"));
    assert!(exchange.summary().starts_with("Rate limited (429): wait"), "{}", exchange.summary());
}

#[test]
fn a_server_that_hangs_times_out() {
    let sandbox = sandbox();
    for backend in Backend::ALL {
        let exchanges = create(&faulty_client(&sandbox, backend, &Fault::Hang), &example_body(backend, "hang"));
        let exchange = last(&exchanges);
        assert_eq!(
            exchange.outcome,
            Outcome::Timeout { phase: TimeoutPhase::Response, limit: Duration::from_millis(1500) },
            "{backend:?}"
        );
        assert!(exchange.response.is_none());
        assert!(exchange.summary().contains("may or may not have been created"));
    }
}

#[test]
fn a_closed_port_is_connection_refused() {
    let base = format!("http://127.0.0.1:{}/finosu", closed_port());
    let client = client_with(&base, Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY)));
    let outcome = &outcome_of(&client, &example_body(Backend::Finosu, "refused"));
    assert_eq!(outcome, &Outcome::ConnectionRefused);
    assert!(outcome.is_retryable());
}

#[test]
fn a_dropped_connection_is_reported_as_lost() {
    let sandbox = sandbox();
    for backend in Backend::ALL {
        let exchanges = create(&faulty_client(&sandbox, backend, &Fault::Drop), &example_body(backend, "drop"));
        let outcome = &last(&exchanges).outcome;
        assert!(matches!(outcome, Outcome::ConnectionLost { .. }), "{backend:?}: {outcome:?}");
    }
}

#[test]
fn garbage_instead_of_json_is_undecodable() {
    let sandbox = sandbox();
    for backend in Backend::ALL {
        let exchanges = create(&faulty_client(&sandbox, backend, &Fault::Garbage), &example_body(backend, "garbage"));
        let exchange = last(&exchanges);
        assert!(matches!(exchange.outcome, Outcome::UndecodableBody { .. }), "{backend:?}: {:?}", exchange.outcome);
        assert!(!exchange.response.as_ref().expect("response").body.is_empty(), "the raw body is kept for the viewer");
    }
}

#[test]
fn a_huge_answer_is_received_whole() {
    let sandbox = sandbox();
    let exchanges =
        create(&faulty_client(&sandbox, Backend::Finosu, &Fault::Huge), &example_body(Backend::Finosu, "huge"));
    let exchange = last(&exchanges);
    let response = exchange.response.as_ref().expect("response");
    assert!(response.body.len() >= 10 * 1024 * 1024, "{} bytes", response.body.len());
    assert_eq!(response.body_truncated_from, None);
    assert!(exchange.outcome.is_created(), "{:?}", exchange.outcome);
}

#[test]
fn an_untrusted_certificate_is_a_tls_failure() {
    let server = UntrustedTlsServer::start();
    let base = format!("https://localhost:{}/finosu", server.port());
    let client = client_with(&base, Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY)));
    let outcome = &outcome_of(&client, &example_body(Backend::Finosu, "tls"));
    let Outcome::Tls { detail } = outcome else { panic!("{outcome:?}") };
    assert!(detail.to_lowercase().contains("certificate"), "{detail}");
}

#[test]
fn a_name_that_does_not_resolve_is_a_dns_failure() {
    // No DNS server is asked: the client is given a resolver that knows no names, so the
    // failure is the real one reqwest reports for an unknown host.
    struct NoNames;
    impl reqwest::dns::Resolve for NoNames {
        fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
            let message = format!("failed to lookup address information: {} is not known", name.as_str());
            Box::pin(async move { Err(message.into()) })
        }
    }
    let endpoint = endpoint("https://api.finosu.invalid");
    let http = reqwest::Client::builder().dns_resolver(Arc::new(NoNames)).no_proxy().build().expect("client");
    let error = block_on(http.get(endpoint.url_for("/customers/1")).send()).expect_err("cannot resolve");
    let outcome = intake::backends::http::classify_transport_error(&error, &endpoint);
    assert_eq!(outcome, Outcome::Dns { host: "api.finosu.invalid".to_owned() });
    assert!(outcome.summary(Backend::Finosu).contains("does not resolve"));
}

#[test]
fn a_short_lived_help_scout_token_is_renewed_before_it_expires() {
    // A token is renewed a minute before it expires, or at half-life when it lives under two
    // minutes: a 2-second token is reused for a second, then renewed with its refresh token.
    let sandbox =
        SandboxServer::start(SandboxConfig { token_lifetime: Duration::from_secs(2), ..SandboxConfig::default() })
            .expect("sandbox");
    let client = client(&sandbox, Backend::HelpScout);
    let kinds = |exchanges: &[Exchange]| exchanges.iter().map(|e| e.outcome.kind()).collect::<Vec<_>>();
    let first = create(&client, &example_body(Backend::HelpScout, "short-1"));
    assert_eq!(kinds(&first), ["token_granted", "created"]);
    assert!(first[0].request_body.as_deref().is_some_and(|b| b.contains("grant_type=client_credentials")));
    let second = create(&client, &example_body(Backend::HelpScout, "short-2"));
    assert_eq!(kinds(&second), ["created"], "the token is still fresh");
    std::thread::sleep(Duration::from_millis(1100));
    let third = create(&client, &example_body(Backend::HelpScout, "short-3"));
    assert_eq!(kinds(&third), ["token_granted", "created"], "renewed before it expired");
    let form = third[0].request_body.as_deref().unwrap_or_default();
    assert!(form.contains("grant_type=refresh_token"), "{form}");
    assert!(form.contains("refresh_token=%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2"), "the refresh token is masked: {form}");
}

#[test]
fn a_401_renews_the_token_once_and_retries_once() {
    let sandbox = sandbox();
    let client = client(&sandbox, Backend::HelpScout);
    assert!(last(&create(&client, &example_body(Backend::HelpScout, "before"))).outcome.is_created());
    sandbox.revoke_access_tokens();
    let exchanges = create(&client, &example_body(Backend::HelpScout, "after"));
    let kinds: Vec<&str> = exchanges.iter().map(|e| e.outcome.kind()).collect();
    assert_eq!(kinds, ["unauthorized", "token_granted", "created"], "create refused, new token, create again");
    assert!(exchanges[1].url.ends_with("/v2/oauth2/token"));

    // A pasted token cannot be renewed: the 401 is final, with no retry.
    let pasted = help_scout_token_client(&sandbox.helpscout_base_url(), "revoked-or-expired-token");
    assert_eq!(create(&pasted, &example_body(Backend::HelpScout, "pasted")).len(), 1);
}

#[test]
fn a_server_that_never_accepts_is_a_connect_timeout() {
    // A loopback listener with a backlog of one whose queue is filled and never accepted: Linux
    // then drops new SYNs, so the next connection attempt waits until the connect timeout.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (listener, fillers) = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
        let listener = socket.listen(1).expect("listen");
        let addr = listener.local_addr().expect("addr");
        let mut fillers = Vec::new();
        for _ in 0..3 {
            let attempt = tokio::time::timeout(Duration::from_millis(200), tokio::net::TcpStream::connect(addr));
            if let Ok(Ok(stream)) = attempt.await {
                fillers.push(stream);
            }
        }
        (listener, fillers)
    });
    let port = listener.local_addr().expect("addr").port();
    let endpoint = intake::backends::Endpoint {
        base_url: format!("http://127.0.0.1:{port}/finosu").parse().expect("url"),
        connect_timeout: Duration::from_millis(500),
        timeout: Duration::from_secs(5),
    };
    let client =
        intake::backends::CustomerClient::new(endpoint, Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY)), None)
            .expect("client");
    let outcome = outcome_of(&client, &example_body(Backend::Finosu, "backlog"));
    assert_eq!(
        outcome,
        Outcome::Timeout { phase: TimeoutPhase::Connect, limit: Duration::from_millis(500) },
        "with {} queued connections",
        fillers.len()
    );
    assert!(outcome.summary(Backend::Finosu).starts_with("No connection within 0.5 s"));
    drop((listener, fillers));
}

/// A wait header's value a hostile server may send, and what the outcome must come to.
struct HostileWait {
    header: &'static str,
    value: &'static str,
    wait: Option<Duration>,
    named: bool,
}

#[test]
fn absurd_retry_after_headers_are_clamped_to_an_hour_and_named() {
    let hour = Some(Duration::from_hours(1));
    let cases = [
        HostileWait { header: "Retry-After", value: "1e20", wait: hour, named: true },
        HostileWait { header: "X-RateLimit-Retry-After", value: "99999999999999999999", wait: hour, named: true },
        HostileWait { header: "Retry-After", value: "18446744073709551616", wait: hour, named: true },
        HostileWait { header: "Retry-After", value: "inf", wait: hour, named: true },
        HostileWait { header: "Retry-After", value: "-5", wait: Some(Duration::ZERO), named: true },
        HostileWait { header: "Retry-After", value: "NaN", wait: None, named: true },
        HostileWait { header: "X-RateLimit-Retry-After", value: "soon, maybe", wait: None, named: true },
        HostileWait { header: "Retry-After", value: "12", wait: Some(Duration::from_secs(12)), named: false },
    ];
    for case in &cases {
        let (header, value) = (case.header, case.value);
        let server = ScriptedServer::start(move |_, _| Canned::new(429, "{}").header(header, value));
        for backend in Backend::ALL {
            let client = match backend {
                Backend::Finosu => client_with(
                    &format!("{}/finosu", server.base_url()),
                    Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY)),
                ),
                Backend::HelpScout => help_scout_token_client(&server.base_url(), "pasted-token-1234"),
            };
            let outcome = outcome_of(&client, &example_body(backend, "hostile-wait"));
            let Outcome::RateLimited { retry_after, server_value } = &outcome else {
                panic!("{header}: {value}: {outcome:?}")
            };
            assert_eq!(*retry_after, case.wait, "{header}: {value}");
            assert_eq!(server_value.is_some(), case.named, "{header}: {value}: {server_value:?}");
            let summary = outcome.summary(backend);
            assert!(summary.starts_with("Rate limited (429)"), "{summary}");
            if case.named {
                assert!(summary.contains(value), "the server's value is named: {summary}");
            }
            // The outbox's wait stays bounded too.
            let delay = intake::outbox::retry_delay(3, *retry_after);
            assert!(delay <= Duration::from_hours(1), "{delay:?}");
        }
    }
    let one = ScriptedServer::start(|_, _| Canned::new(429, "{}").header("Retry-After", "1e20"));
    let outcome = outcome_of(
        &client_with(&format!("{}/finosu", one.base_url()), Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY))),
        &example_body(Backend::Finosu, "one"),
    );
    assert_eq!(
        outcome.summary(Backend::Finosu),
        "Rate limited (429): the server asked to wait 1e20 s; waiting at most 1 h before sending again."
    );
}

/// A token endpoint answering `expires_in` with `raw` (JSON text), then creating every customer.
fn token_server(raw: &'static str) -> ScriptedServer {
    ScriptedServer::start(move |request, index| {
        if request.path.ends_with("/oauth2/token") {
            Canned::new(200, format!(r#"{{"token_type":"bearer","access_token":"tok-{index}","expires_in":{raw}}}"#))
        } else {
            Canned::new(201, "").header("Resource-ID", &format!("{}", 1000 + index))
        }
    })
}

#[test]
fn absurd_token_lifetimes_are_clamped_and_kept_without_panic() {
    let year = Duration::from_hours(24 * 365);
    // (expires_in as sent, the lifetime used, whether the sentence names the server's value)
    let cases: [(&str, Option<Duration>, bool); 7] = [
        ("10000000000000", Some(year), true),
        ("18446744073709551615", Some(year), true),
        ("1e13", Some(year), true),
        ("0", Some(Duration::ZERO), false),
        ("-1", Some(Duration::ZERO), true),
        ("\"abc\"", None, true),
        ("7200", Some(Duration::from_hours(2)), false),
    ];
    for (raw, lifetime, named) in cases {
        let server = token_server(raw);
        let vault = intake::credentials::Vault::session_only("hostile token test");
        let sink = intake::credentials::VaultTokenSink::new(vault, "hostile");
        let auth = intake::backends::HelpScoutAuth::client_credentials("app", Secret::new("app-secret-1234"));
        let client = intake::backends::CustomerClient::new(
            endpoint(&server.base_url()),
            Credentials::HelpScout(auth),
            Some(sink.clone() as Arc<dyn intake::backends::TokenSink>),
        )
        .expect("client");
        let exchanges = create(&client, &example_body(Backend::HelpScout, "hostile-life"));
        let kinds: Vec<&str> = exchanges.iter().map(|e| e.outcome.kind()).collect();
        assert_eq!(kinds, ["token_granted", "created"], "expires_in {raw}");
        let Outcome::TokenGranted { expires_in, server_value, .. } = &exchanges[0].outcome else { unreachable!() };
        assert_eq!(*expires_in, lifetime, "expires_in {raw}");
        assert_eq!(server_value.is_some(), named, "expires_in {raw}: {server_value:?}");
        let summary = exchanges[0].summary();
        assert!(summary.starts_with("Token granted"), "{summary}");
        if named {
            assert!(summary.contains(server_value.as_deref().unwrap_or_default()), "{summary}");
        }
        // The expiry the profile keeps is a real time within a year.
        let expiry = sink.take_expiry().expect("a token came");
        if let Some(at) = expiry {
            assert!(at <= chrono::Utc::now() + chrono::Duration::days(366), "expires_in {raw}: {at}");
        } else {
            assert_eq!(lifetime, None, "expires_in {raw}");
        }
        // A second create still works: the token is reused or renewed, never a panic.
        let again = create(&client, &example_body(Backend::HelpScout, "hostile-life-2"));
        assert!(last(&again).outcome.is_created(), "expires_in {raw}: {:?}", last(&again).outcome);
        let renewed = again.iter().any(|e| e.outcome.kind() == "token_granted");
        assert_eq!(renewed, lifetime == Some(Duration::ZERO), "expires_in {raw}: a token expiring now is renewed");
    }
}

#[test]
fn a_sandbox_with_an_absurd_token_lifetime_serves_and_the_client_clamps_it() {
    let sandbox = SandboxServer::start(SandboxConfig {
        token_lifetime: Duration::from_secs(u64::MAX),
        ..SandboxConfig::default()
    })
    .expect("sandbox");
    let exchanges = create(&client(&sandbox, Backend::HelpScout), &example_body(Backend::HelpScout, "forever"));
    let kinds: Vec<&str> = exchanges.iter().map(|e| e.outcome.kind()).collect();
    assert_eq!(kinds, ["token_granted", "created"]);
    let Outcome::TokenGranted { expires_in, server_value, .. } = &exchanges[0].outcome else { unreachable!() };
    assert_eq!(*expires_in, Some(Duration::from_hours(24 * 365)));
    assert_eq!(server_value.as_deref(), Some("18446744073709551615"));
}

/// A server whose error messages are 2 MB long and full of terminal escape codes, newlines and
/// bidi overrides: every outcome and field error carries a short, one-line, clean text.
#[test]
fn hostile_server_text_is_cut_and_cleaned_before_it_is_shown() {
    let nasty = format!("\u{1b}[2J\u{1b}[31mBOOM\u{1b}[0m\r\nsecond line\u{202e}{}", "A".repeat(2 * 1024 * 1024));
    let clean = |text: &str| {
        assert!(text.chars().count() <= 501, "{} characters", text.chars().count());
        assert!(!text.chars().any(char::is_control), "no control characters: {:?}", &text[..40.min(text.len())]);
        assert!(!text.contains('\u{202e}'));
        assert!(text.starts_with("BOOM second line"), "{:?}", &text[..40.min(text.len())]);
    };
    let body = serde_json::json!({"message": nasty}).to_string();
    for status in [401_u16, 403, 409] {
        let answer = body.clone();
        let server = ScriptedServer::start(move |_, _| Canned::new(status, answer.clone()));
        let client = client_with(
            &format!("{}/finosu", server.base_url()),
            Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY)),
        );
        let outcome = outcome_of(&client, &example_body(Backend::Finosu, "hostile-text"));
        let message = match &outcome {
            Outcome::Unauthorized { message } | Outcome::Forbidden { message } | Outcome::Conflict { message } => {
                message.clone()
            }
            other => panic!("{status}: {other:?}"),
        };
        clean(&message);
        let summary = outcome.summary(Backend::Finosu);
        assert!(summary.chars().count() < 800 && !summary.chars().any(char::is_control), "{status}");
    }
    // Help Scout's vnd.error field errors and Finosu's field errors.
    let vnd = serde_json::json!({"message": "Validation error", "_embedded": {"errors": [
        {"path": "emails[0].value", "message": nasty.clone()}
    ]}})
    .to_string();
    let server = ScriptedServer::start(move |_, _| {
        Canned::new(400, vnd.clone()).header("Content-Type", "application/vnd.error+json")
    });
    let outcome = outcome_of(
        &help_scout_token_client(&server.base_url(), "pasted-token-1234"),
        &example_body(Backend::HelpScout, "hostile-fields"),
    );
    let Outcome::Rejected { field_errors, .. } = &outcome else { panic!("{outcome:?}") };
    clean(&field_errors[0].message);
    let finosu =
        serde_json::json!({"message": "Invalid", "errors": [{"field": "email", "message": nasty}]}).to_string();
    let server = ScriptedServer::start(move |_, _| Canned::new(400, finosu.clone()));
    let outcome = outcome_of(
        &client_with(&format!("{}/finosu", server.base_url()), Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY))),
        &example_body(Backend::Finosu, "hostile-fields"),
    );
    let Outcome::Rejected { field_errors, .. } = &outcome else { panic!("{outcome:?}") };
    clean(&field_errors[0].message);
}

/// Token answers holding the token in a shape the client does not expect (a JSON array, a
/// form-encoded text): a typed outcome, and the recorded answer never holds the token.
#[test]
fn token_answers_of_any_shape_are_recorded_masked() {
    for body in [
        r#"[{"access_token": "tok-SECRET-0123456789", "expires_in": 7200}]"#,
        "access_token=tok-SECRET-0123456789&token_type=bearer",
    ] {
        let server = ScriptedServer::start(move |_, _| Canned::new(200, body));
        let auth =
            intake::backends::HelpScoutAuth::client_credentials("hostile-app", Secret::new("hostile-app-secret"));
        let client = intake::backends::HelpScoutClient::new(endpoint(&server.base_url()), auth).expect("a client");
        let exchanges = block_on(client.create_customer(&example_body(Backend::HelpScout, "token-shapes")));
        let grant = exchanges.first().expect("the token request");
        assert!(matches!(grant.outcome, Outcome::UndecodableBody { .. }), "{:?}", grant.outcome);
        let recorded = String::from_utf8_lossy(&grant.response.as_ref().expect("an answer").body).into_owned();
        assert!(!recorded.contains("tok-SECRET"), "{recorded}");
        assert!(recorded.contains("••••"), "{recorded}");
        assert!(!format!("{grant:?}").contains("tok-SECRET") && !format!("{grant:?}").contains("hostile-app-secret"));
    }
}
