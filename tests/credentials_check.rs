//! "Test credentials" against the sandbox and hand-made loopback servers: one verdict per way a
//! credential check can end, each with a next step. No keyring is involved here (the clients are
//! given their credentials); `cli_credentials` covers the keyring.

mod net_support;

use std::time::Duration;

use intake::backends::{Credentials, CustomerClient, Endpoint, HelpScoutAuth, Secret};
use intake::credentials::{CheckReport, VerdictKind, check_credentials};
use intake::model::Backend;
use intake::sandbox::{FINOSU_API_KEY, Fault, HELPSCOUT_CLIENT_ID, SandboxConfig, SandboxServer};
use net_support::*;

fn check(client: &CustomerClient) -> CheckReport {
    let report = block_on(check_credentials(client));
    assert!(!report.headline.is_empty() && !report.next_step.is_empty(), "{report:?}");
    report
}

fn finosu_with_key(base: &str, key: &str) -> CustomerClient {
    client_with(base, Credentials::FinosuApiKey(Secret::new(key)))
}

#[test]
fn a_working_finosu_key_is_ok_because_the_unknown_customer_is_404_and_the_keyless_read_401() {
    let sandbox = sandbox();
    let report = check(&client(&sandbox, Backend::Finosu));
    assert_eq!(report.kind, VerdictKind::Ok, "{report:?}");
    assert!(report.headline.starts_with("Works: Finosu at http://127.0.0.1:"), "{}", report.headline);
    let statuses: Vec<u16> = report.exchanges.iter().filter_map(|e| e.response.as_ref().map(|r| r.status)).collect();
    assert_eq!(statuses, [404, 401], "the random customer, then the same read without the key");
    assert!(report.exchanges[0].url.contains("/customers/intake-credential-check-"));
    assert!(report.latency > Duration::ZERO);
}

#[test]
fn a_working_help_scout_app_is_ok_and_names_the_user() {
    let sandbox = sandbox();
    let report = check(&client(&sandbox, Backend::HelpScout));
    assert_eq!(report.kind, VerdictKind::Ok, "{report:?}");
    assert_eq!(report.identity.as_deref(), Some("Sandbox Admin <admin@sandbox.intake.invalid>"));
    assert!(report.headline.contains("as Sandbox Admin <admin@sandbox.intake.invalid>"), "{}", report.headline);
    let kinds: Vec<&str> = report.exchanges.iter().map(|e| e.outcome.kind()).collect();
    assert_eq!(kinds, ["token_granted", "answered"]);
    assert!(report.exchanges[1].url.ends_with("/v2/users/me"));
}

#[test]
fn wrong_keys_tokens_and_apps_are_rejected_with_what_to_do() {
    let sandbox = sandbox();
    let finosu = check(&finosu_with_key(&sandbox.finosu_base_url(), "fsk_wrong_000000"));
    assert_eq!(finosu.kind, VerdictKind::Rejected);
    assert_eq!(finosu.headline, "Rejected: Finosu did not accept the API key (401).");
    assert!(finosu.next_step.contains("store it again"), "{}", finosu.next_step);

    let token = check(&help_scout_token_client(&sandbox.helpscout_base_url(), "made-up-token"));
    assert_eq!(token.kind, VerdictKind::Rejected);
    assert!(token.headline.contains("did not accept the token (401)"), "{}", token.headline);

    let app = HelpScoutAuth::client_credentials(HELPSCOUT_CLIENT_ID, Secret::new("hss_wrong_secret"));
    let app = check(&client_with(&sandbox.helpscout_base_url(), Credentials::HelpScout(app)));
    assert_eq!(app.kind, VerdictKind::Rejected);
    assert!(app.headline.contains("refused the OAuth app (Client authentication failed)"), "{}", app.headline);
    assert!(app.next_step.contains("client id and client secret"), "{}", app.next_step);
}

#[test]
fn a_revoked_refresh_token_is_rejected_with_a_clear_message() {
    let sandbox = sandbox();
    // A token pair from the sandbox, as if pasted by the person.
    let grant_client = client(&sandbox, Backend::HelpScout);
    let CustomerClient::HelpScout(helpscout) = &grant_client else { panic!("a Help Scout client") };
    let (_, grant) = block_on(helpscout.request_token());
    let grant = grant.expect("a token");
    let pasted = HelpScoutAuth {
        access_token: Some(grant.access_token.clone()),
        refresh_token: grant.refresh_token.clone(),
        ..HelpScoutAuth::default()
    };
    let client = client_with(&sandbox.helpscout_base_url(), Credentials::HelpScout(pasted.clone()));
    assert_eq!(check(&client).kind, VerdictKind::Ok);

    sandbox.revoke_access_tokens();
    sandbox.revoke_refresh_tokens();
    let client = client_with(&sandbox.helpscout_base_url(), Credentials::HelpScout(pasted));
    let report = check(&client);
    assert_eq!(report.kind, VerdictKind::Rejected, "{report:?}");
    let kinds: Vec<&str> = report.exchanges.iter().map(|e| e.outcome.kind()).collect();
    assert_eq!(kinds, ["unauthorized", "grant_refused"], "the 401, then one refresh attempt");
    assert!(report.headline.contains("the refresh token is no longer valid"), "{}", report.headline);
    assert!(report.next_step.starts_with("Paste a new access token"), "{}", report.next_step);
}

#[test]
fn forced_statuses_give_their_verdicts() {
    let sandbox = sandbox();
    for (status, backend, kind) in [
        (403, Backend::Finosu, VerdictKind::Forbidden),
        (403, Backend::HelpScout, VerdictKind::Forbidden),
        (404, Backend::HelpScout, VerdictKind::WrongBaseUrl),
        (500, Backend::Finosu, VerdictKind::ServerError),
        (503, Backend::HelpScout, VerdictKind::ServerError),
        (429, Backend::Finosu, VerdictKind::RateLimited),
    ] {
        let report = check(&faulty_client(&sandbox, backend, &Fault::Status(status)));
        assert_eq!(report.kind, kind, "{status} on {backend:?}: {report:?}");
    }
    // A forced 404 on Finosu is not enough any more: the keyless read that confirms a wrong base
    // URL gets the sandbox's 401 before any fault. A path outside both APIs is 404 to everyone.
    let nowhere = format!("http://{}/nowhere", sandbox.addr());
    let wrong = check(&client_with(&nowhere, Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY))));
    assert_eq!(wrong.kind, VerdictKind::WrongBaseUrl, "{wrong:?}");
    assert!(wrong.headline.starts_with("Wrong base URL: nothing at http://127.0.0.1:"), "{}", wrong.headline);
    let methods: Vec<&str> = wrong.exchanges.iter().map(|e| e.method.as_str()).collect();
    assert_eq!(methods, ["GET", "GET", "POST"], "a 404 is confirmed by the keyless read, then the empty create");
    assert_eq!(wrong.probe, intake::credentials::Probe::EmptyCreate);
}

#[test]
fn network_failures_give_refused_tls_and_timeout() {
    let refused = check(&finosu_with_key(&format!("http://127.0.0.1:{}", closed_port()), FINOSU_API_KEY));
    assert_eq!(refused.kind, VerdictKind::Refused);
    assert!(refused.headline.starts_with("Connection refused"), "{}", refused.headline);

    let tls_server = UntrustedTlsServer::start();
    let tls = check(&finosu_with_key(&format!("https://localhost:{}/finosu", tls_server.port()), FINOSU_API_KEY));
    assert_eq!(tls.kind, VerdictKind::Tls, "{tls:?}");
    assert!(tls.headline.to_lowercase().contains("certificate"), "names the certificate problem: {}", tls.headline);

    let sandbox = SandboxServer::start(SandboxConfig::default()).expect("sandbox");
    let hang = Endpoint {
        base_url: sandbox.fault_base_url(&Fault::Hang, Backend::Finosu).parse().expect("url"),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(400),
    };
    let hanging =
        CustomerClient::new(hang, Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY)), None).expect("client");
    let timeout = check(&hanging);
    assert_eq!(timeout.kind, VerdictKind::Timeout);
    assert_eq!(timeout.headline, "Timeout: no answer within 0.4 s.");
}
