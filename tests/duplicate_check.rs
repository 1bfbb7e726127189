//! The duplicate check before a create, and the Finosu reads that must cope with a server that
//! has no read route (`GET /customers/{id}` is the sandbox's assumption, not Finosu's
//! documented API): the credential check, the duplicate check and reconciliation.

mod net_support;

use intake::backends::existing::{Existing, find_existing};
use intake::backends::{Credentials, Secret};
use intake::credentials::{Probe, VerdictKind, check_credentials};
use intake::duplicate_check::{DuplicateVerdict, check_for_duplicates};
use intake::model::Backend;
use intake::outbox::{Lookup, look_up};
use intake::sandbox::{Fault, SandboxConfig, SandboxServer};
use intake::store::{NewRecord, Store};
use net_support::*;
use serde_json::{Value, json};

fn created(client: &intake::backends::CustomerClient, body: &Value) {
    let exchanges = block_on(client.create_customer(body));
    let last = exchanges.last().expect("an exchange");
    assert!(last.outcome.is_success(), "{:?}", last.outcome);
}

fn without_read_route() -> SandboxServer {
    SandboxServer::start(SandboxConfig { finosu_read_route: false, ..SandboxConfig::default() }).expect("sandbox")
}

#[test]
fn a_help_scout_customer_is_found_by_any_of_its_emails() {
    let sandbox = sandbox();
    let client = client(&sandbox, Backend::HelpScout);
    let existing = json!({
        "firstName": "Ada", "lastName": "Lovelace",
        "emails": [{"type": "work", "value": "ada@engines.example"}, {"type": "home", "value": "ada@home.example"}],
    });
    created(&client, &existing);

    // Another draft that shares only its second email, in another case.
    let draft = json!({
        "firstName": "Augusta", "lastName": "King",
        "emails": [{"type": "work", "value": "augusta@new.example"}, {"type": "other", "value": "ADA@home.example"}],
    });
    let check = block_on(check_for_duplicates(&client, &draft));
    let DuplicateVerdict::Found(customers) = &check.verdict else { panic!("{:?}", check.verdict) };
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].name, "Ada Lovelace");
    assert!(customers[0].emails.iter().any(|e| e == "ada@home.example"), "{:?}", customers[0].emails);
    assert!(customers[0].id.is_some());
    let searches: Vec<&str> = check.exchanges.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(searches.len(), 2, "one search per email (the token was granted for the create): {searches:?}");
    assert!(searches.iter().all(|url| url.contains("/v2/customers?query=")), "{searches:?}");
    let sentence = check.verdict.sentence(Backend::HelpScout);
    assert!(sentence.contains("Ada Lovelace <ada@engines.example, ada@home.example>"), "{sentence}");

    let stranger = json!({"firstName": "Grace", "emails": [{"type": "work", "value": "grace@navy.example"}]});
    assert_eq!(block_on(check_for_duplicates(&client, &stranger)).verdict, DuplicateVerdict::Clear);
    let no_email = json!({"firstName": "Grace"});
    let unchecked = block_on(check_for_duplicates(&client, &no_email)).verdict;
    assert!(matches!(&unchecked, DuplicateVerdict::Unchecked(why) if why.contains("no email")), "{unchecked:?}");
}

#[test]
fn a_finosu_customer_is_found_by_its_id() {
    let sandbox = sandbox();
    let client = client(&sandbox, Backend::Finosu);
    let body = example_body(Backend::Finosu, "DUP-1");
    let clear = block_on(check_for_duplicates(&client, &body));
    assert_eq!(clear.verdict, DuplicateVerdict::Clear);
    let statuses: Vec<u16> = clear.exchanges.iter().filter_map(|e| e.response.as_ref().map(|r| r.status)).collect();
    assert_eq!(statuses, [404, 401], "the 404 is believed once the keyless read was refused");

    created(&client, &body);
    let found = block_on(check_for_duplicates(&client, &body));
    let DuplicateVerdict::Found(customers) = &found.verdict else { panic!("{:?}", found.verdict) };
    assert_eq!(customers[0].id.as_deref(), Some("TEST-DUP-1"));
    assert_eq!(found.exchanges.len(), 1, "the read route is known by now: one read");
    assert_eq!(found.exchanges[0].response.as_ref().map(|r| r.status), Some(200));
}

#[test]
fn a_lookup_that_fails_says_so_and_never_claims_a_verdict() {
    let sandbox = sandbox();
    for backend in Backend::ALL {
        let body = example_body(backend, "FAIL-1");
        let unavailable = faulty_client(&sandbox, backend, &Fault::Status(503));
        let check = block_on(check_for_duplicates(&unavailable, &body));
        let DuplicateVerdict::LookupFailed(why) = &check.verdict else { panic!("{backend:?}: {:?}", check.verdict) };
        assert!(why.contains("503"), "{why}");
        assert!(!check.exchanges.is_empty(), "its requests go to the viewer");

        let refused = match backend {
            Backend::Finosu => client_with(
                &format!("http://127.0.0.1:{}/finosu", closed_port()),
                Credentials::FinosuApiKey(Secret::new(intake::sandbox::FINOSU_API_KEY)),
            ),
            Backend::HelpScout => {
                help_scout_token_client(&format!("http://127.0.0.1:{}/helpscout", closed_port()), "a-token")
            }
        };
        let check = block_on(check_for_duplicates(&refused, &body));
        let DuplicateVerdict::LookupFailed(why) = &check.verdict else { panic!("{backend:?}: {:?}", check.verdict) };
        assert!(why.to_lowercase().contains("refused"), "{why}");
        let sentence = check.verdict.sentence(backend);
        assert!(sentence.starts_with("Could not check for an existing customer:"), "{sentence}");
    }
}

#[test]
fn without_a_read_route_the_credential_check_probes_the_documented_post() {
    let sandbox = without_read_route();
    let base = sandbox.finosu_base_url();
    let good = client(&sandbox, Backend::Finosu);
    let report = block_on(check_credentials(&good));
    assert_eq!(report.kind, VerdictKind::Ok, "{report:?}");
    assert_eq!(report.probe, Probe::EmptyCreate);
    let steps: Vec<(String, u16)> =
        report.exchanges.iter().map(|e| (e.method.clone(), e.response.as_ref().map_or(0, |r| r.status))).collect();
    let expected = [("GET", 404), ("GET", 404), ("POST", 400)].map(|(m, s)| (m.to_owned(), s));
    assert_eq!(steps, expected, "read, keyless read, then the empty create");
    assert_eq!(report.exchanges[2].request_body.as_deref(), Some("{}"));
    assert!(report.headline.contains("empty POST /customers"), "{}", report.headline);
    assert!(!report.headline.contains("Wrong base URL"), "{}", report.headline);

    let wrong = client_with(&base, Credentials::FinosuApiKey(Secret::new("fsk_wrong_000000")));
    let report = block_on(check_credentials(&wrong));
    assert_eq!((report.kind, report.probe), (VerdictKind::Rejected, Probe::EmptyCreate), "{report:?}");
    assert!(report.headline.starts_with("Rejected: Finosu did not accept the API key (401)."), "{}", report.headline);

    // Nothing like Finosu at all still reads as a wrong base URL.
    let elsewhere = client_with(
        &format!("http://{}/nothing-here", sandbox.addr()),
        Credentials::FinosuApiKey(Secret::new(intake::sandbox::FINOSU_API_KEY)),
    );
    let report = block_on(check_credentials(&elsewhere));
    assert_eq!(report.kind, VerdictKind::WrongBaseUrl, "{report:?}");

    // The empty create created nothing.
    let body = example_body(Backend::Finosu, "AFTER-PROBE");
    created(&good, &body);
}

#[test]
fn without_a_read_route_the_duplicate_check_says_finosu_cannot_be_asked() {
    let sandbox = without_read_route();
    let client = client(&sandbox, Backend::Finosu);
    let body = example_body(Backend::Finosu, "NOREAD-1");
    created(&client, &body);
    let check = block_on(check_for_duplicates(&client, &body));
    let DuplicateVerdict::Unchecked(why) = &check.verdict else { panic!("{:?}", check.verdict) };
    assert!(why.starts_with("Finosu cannot be asked"), "{why}");
    assert_eq!(check.exchanges.len(), 2, "the read and the keyless read, both 404");
    let again = block_on(check_for_duplicates(&client, &body));
    assert!(matches!(again.verdict, DuplicateVerdict::Unchecked(_)));
    assert!(again.exchanges.is_empty(), "a server known to have no read route is not asked again");
}

#[test]
fn without_a_read_route_reconciliation_says_it_may_have_been_created() {
    let sandbox = without_read_route();
    let client = client(&sandbox, Backend::Finosu);
    let body = example_body(Backend::Finosu, "NOREAD-2");
    created(&client, &body);
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(&dir.path().join("intake.sqlite3")).expect("store");
    let id = store
        .insert(&NewRecord {
            backend: Backend::Finosu,
            profile: "p".to_owned(),
            body: body.clone(),
            payload: Some(body.clone()),
            valid: true,
            source: None,
        })
        .expect("insert");
    let record = store.get(&id).expect("read").expect("record");
    let (lookup, exchanges) = block_on(look_up(&client, &record, 0));
    let Lookup::Unknown(why) = &lookup else { panic!("{lookup:?}") };
    assert!(why.starts_with("Finosu cannot be asked"), "{why}");
    assert_eq!(exchanges.len(), 2);

    // With the read route, the same lookup finds it.
    let with_route = net_support::sandbox();
    let client = net_support::client(&with_route, Backend::Finosu);
    created(&client, &body);
    let (lookup, _) = block_on(look_up(&client, &record, 0));
    assert_eq!(lookup, Lookup::Found { server_id: Some("TEST-NOREAD-2".to_owned()) });
    let (existing, _) = block_on(find_existing(&client, &json!({"id": "TEST-NOBODY"})));
    assert_eq!(existing, Existing::None);
}
