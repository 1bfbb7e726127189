//! The sandbox's Help Scout API over real HTTP on 127.0.0.1: the OAuth token endpoint, Bearer
//! checks, every check of `POST /v2/customers`, duplicates, reads, search, `users/me`, customer
//! properties and their patch, and the rate limit with its headers.

mod fixtures;
mod sandbox_support;

use std::time::Duration;

use intake::backends::{Endpoint, HelpScoutAuth, HelpScoutClient, Outcome, Secret};
use intake::sandbox::{HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET, SandboxConfig, SandboxServer};
use reqwest::{Client, Method};
use serde_json::{Value, json};
use url::Url;

use sandbox_support::{
    client, header, helpscout, helpscout_create, start, start_with, token_request, tokens, tokens_from, vnd_error,
    vnd_paths,
};

const CLIENT_CREDENTIALS: [(&str, &str); 3] = [
    ("grant_type", "client_credentials"),
    ("client_id", HELPSCOUT_CLIENT_ID),
    ("client_secret", HELPSCOUT_CLIENT_SECRET),
];

/// A token request's form fields.
type Form<'a> = [(&'a str, &'a str)];

/// The seed's example customer.
fn vernon() -> Value {
    fixtures::help_scout_seed_body()
}

async fn get_status(server: &SandboxServer, client: &Client, path: &str, token: &str) -> u16 {
    helpscout(server, client, Method::GET, path, token).send().await.expect("an answer").status().as_u16()
}

// ---- OAuth ----

#[tokio::test]
async fn client_credentials_give_a_bearer_token_and_a_refresh_token() {
    let server = start();
    let response = token_request(&server.helpscout_base_url(), &client(), &CLIENT_CREDENTIALS).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "cache-control"), Some("no-store"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 172_800);
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    assert!(access.len() >= 32 && refresh.len() >= 32 && access != refresh, "{body}");
    assert_eq!(get_status(&server, &client(), "/v2/users/me", access).await, 200);
}

#[tokio::test]
async fn the_token_endpoint_refuses_wrong_clients_and_grants() {
    let server = start();
    let client = client();
    let base = server.helpscout_base_url();
    let cases: &[(&Form<'_>, u16, &str)] = &[
        (
            &[("grant_type", "client_credentials"), ("client_id", HELPSCOUT_CLIENT_ID), ("client_secret", "nope")],
            401,
            "invalid_client",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "other-app"),
                ("client_secret", HELPSCOUT_CLIENT_SECRET),
            ],
            401,
            "invalid_client",
        ),
        (&[("grant_type", "client_credentials")], 401, "invalid_client"),
        (&[("grant_type", "password"), ("username", "a"), ("password", "b")], 400, "unsupported_grant_type"),
        (&[("client_id", HELPSCOUT_CLIENT_ID), ("client_secret", HELPSCOUT_CLIENT_SECRET)], 400, "invalid_request"),
        (&[("grant_type", "refresh_token")], 400, "invalid_request"),
        (&[("grant_type", "refresh_token"), ("refresh_token", "made-up")], 400, "invalid_grant"),
    ];
    for (form, status, error) in cases {
        let response = token_request(&base, &client, form).await;
        assert_eq!(response.status(), *status, "{form:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], *error, "{form:?}");
        assert!(body["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
    }
    let response = token_request(&base, &client, cases[0].0).await;
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "invalid_client", "error_description": "Client authentication failed"})
    );
}

#[tokio::test]
async fn a_refresh_token_works_once_and_gives_a_new_pair() {
    let server = start();
    let client = client();
    let base = server.helpscout_base_url();
    let first = tokens(&server, &client).await;
    let second = tokens_from(
        token_request(&base, &client, &[("grant_type", "refresh_token"), ("refresh_token", &first.refresh)]).await,
    )
    .await;
    assert_ne!(second.access, first.access);
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(get_status(&server, &client, "/v2/users/me", &second.access).await, 200);

    let reused =
        token_request(&base, &client, &[("grant_type", "refresh_token"), ("refresh_token", &first.refresh)]).await;
    assert_eq!(reused.status(), 400);
    assert_eq!(
        reused.json::<Value>().await.unwrap(),
        json!({"error": "invalid_grant", "error_description": "The refresh token is invalid or was revoked"})
    );

    // With the client named, it must be the right one.
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", second.refresh.as_str()),
        ("client_id", HELPSCOUT_CLIENT_ID),
        ("client_secret", "wrong"),
    ];
    assert_eq!(token_request(&base, &client, &form).await.status(), 401);
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", second.refresh.as_str()),
        ("client_id", HELPSCOUT_CLIENT_ID),
        ("client_secret", HELPSCOUT_CLIENT_SECRET),
    ];
    assert_eq!(token_request(&base, &client, &form).await.status(), 200);
}

#[tokio::test]
async fn revoked_refresh_tokens_stop_working() {
    let server = start();
    let client = client();
    let pair = tokens(&server, &client).await;
    server.revoke_refresh_tokens();
    let form = [("grant_type", "refresh_token"), ("refresh_token", pair.refresh.as_str())];
    let response = token_request(&server.helpscout_base_url(), &client, &form).await;
    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "invalid_grant");
    // Tokens issued after the revocation work.
    let fresh = tokens(&server, &client).await;
    let form = [("grant_type", "refresh_token"), ("refresh_token", fresh.refresh.as_str())];
    assert_eq!(token_request(&server.helpscout_base_url(), &client, &form).await.status(), 200);
}

#[tokio::test]
async fn access_tokens_expire_after_their_lifetime() {
    let server = start_with(SandboxConfig { token_lifetime: Duration::from_secs(1), ..SandboxConfig::default() });
    let client = client();
    let response = token_request(&server.helpscout_base_url(), &client, &CLIENT_CREDENTIALS).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["expires_in"], 1);
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(get_status(&server, &client, "/v2/users/me", &access).await, 200);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let response = helpscout(&server, &client, Method::GET, "/v2/users/me", &access).send().await.unwrap();
    let body = vnd_error(response, 401).await;
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
    // The refresh token outlives the access token.
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())];
    let renewed = tokens_from(token_request(&server.helpscout_base_url(), &client, &form).await).await;
    assert_eq!(get_status(&server, &client, "/v2/users/me", &renewed.access).await, 200);
}

#[tokio::test]
async fn every_v2_route_needs_a_valid_bearer_token() {
    let server = start();
    let client = client();
    let routes = [
        (Method::POST, "/v2/customers"),
        (Method::GET, "/v2/customers"),
        (Method::GET, "/v2/customers/100000"),
        (Method::PATCH, "/v2/customers/100000/properties"),
        (Method::GET, "/v2/customer-properties"),
        (Method::GET, "/v2/users/me"),
    ];
    for (method, path) in routes {
        let url = format!("{}{path}", server.helpscout_base_url());
        let missing = client.request(method.clone(), &url).json(&vernon()).send().await.unwrap();
        assert_eq!(header(&missing, "www-authenticate"), Some("Bearer"));
        let body = vnd_error(missing, 401).await;
        assert!(body["message"].as_str().unwrap().contains("invalid or expired"), "{body}");
        for authorization in ["Bearer made-up-token", "Basic aW50YWtlOnNlY3JldA==", "Bearer"] {
            let response = client
                .request(method.clone(), &url)
                .header("Authorization", authorization)
                .json(&vernon())
                .send()
                .await
                .unwrap();
            let body = vnd_error(response, 401).await;
            assert!(body["message"].as_str().unwrap().contains("nvalid or expired"), "{method} {path}: {body}");
        }
    }
}

// ---- Create ----

#[tokio::test]
async fn create_answers_201_with_resource_id_and_location_and_no_body() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    let response = helpscout_create(&server, &client, &token, &vernon()).await;
    assert_eq!(response.status(), 201);
    assert_eq!(header(&response, "resource-id"), Some("100000"));
    let location = format!("{}/v2/customers/100000", server.helpscout_base_url());
    assert_eq!(header(&response, "location"), Some(location.as_str()));
    assert_eq!(response.bytes().await.unwrap().len(), 0);

    let response = helpscout_create(&server, &client, &token, &json!({"firstName": "Second"})).await;
    assert_eq!(header(&response, "resource-id"), Some("100001"));

    let stored: Value = client.get(&location).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    for (field, value) in vernon().as_object().unwrap() {
        assert_eq!(&stored[field], value, "{field}");
    }
    assert_eq!(stored["id"], 100_000);
    assert!(stored["createdAt"].as_str().unwrap().ends_with('Z'), "{stored}");
}

#[tokio::test]
async fn every_field_check_reports_its_path() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    let long = |n: usize| json!("x".repeat(n));
    let cases: Vec<(Value, &str)> = vec![
        (json!({"firstName": ""}), "firstName"),
        (json!({"firstName": "x".repeat(41)}), "firstName"),
        (json!({"firstName": "Ok", "lastName": ""}), "lastName"),
        (json!({"firstName": "Ok", "lastName": long(41)}), "lastName"),
        (json!({"firstName": 7}), "firstName"),
        (json!({"firstName": "Ok", "photoUrl": "not a url"}), "photoUrl"),
        (json!({"firstName": "Ok", "photoUrl": "ftp://example.com/a.png"}), "photoUrl"),
        (json!({"firstName": "Ok", "photoUrl": format!("https://example.com/{}", "a".repeat(190))}), "photoUrl"),
        (json!({"firstName": "Ok", "jobTitle": long(61)}), "jobTitle"),
        (json!({"firstName": "Ok", "background": long(201)}), "background"),
        (json!({"firstName": "Ok", "location": long(61)}), "location"),
        (json!({"firstName": "Ok", "organization": long(61)}), "organization"),
        (json!({"firstName": "Ok", "photoType": "myspace"}), "photoType"),
        (json!({"firstName": "Ok", "gender": "other"}), "gender"),
        (json!({"firstName": "Ok", "age": 30}), "age"),
        (json!({"firstName": "Ok", "phone": ["555"]}), "phone"),
        (json!({"firstName": "Ok", "emails": {"type": "work", "value": "a@b.co"}}), "emails"),
        (json!({"firstName": "Ok", "emails": ["a@b.co"]}), "emails[0]"),
        (json!({"firstName": "Ok", "emails": [{"type": "office", "value": "a@b.co"}]}), "emails[0].type"),
        (json!({"firstName": "Ok", "emails": [{"value": "a@b.co"}]}), "emails[0].type"),
        (json!({"firstName": "Ok", "emails": [{"type": "work", "value": "a@b"}]}), "emails[0].value"),
        (json!({"firstName": "Ok", "emails": [{"type": "work"}]}), "emails[0].value"),
        (json!({"firstName": "Ok", "phones": [{"type": "cell", "value": "555"}]}), "phones[0].type"),
        (json!({"firstName": "Ok", "phones": [{"type": "work", "value": " "}]}), "phones[0].value"),
        (json!({"firstName": "Ok", "chats": [{"type": "whatsapp", "value": "x"}]}), "chats[0].type"),
        (json!({"firstName": "Ok", "chats": [{"type": "skype", "value": ""}]}), "chats[0].value"),
        (json!({"firstName": "Ok", "socialProfiles": [{"type": "tiktok", "value": "x"}]}), "socialProfiles[0].type"),
        (json!({"firstName": "Ok", "socialProfiles": [{"type": "twitter"}]}), "socialProfiles[0].value"),
        (json!({"firstName": "Ok", "websites": [{"value": "acme.com"}]}), "websites[0].value"),
        (json!({"firstName": "Ok", "address": "1 Main St"}), "address"),
        (
            json!({"firstName": "Ok", "address": {"lines": "1 Main St", "city": "D", "state": "TX", "postalCode": "75201", "country": "US"}}),
            "address.lines",
        ),
        (
            json!({"firstName": "Ok", "address": {"lines": ["1 Main St", 2], "city": "D", "state": "TX", "postalCode": "75201", "country": "US"}}),
            "address.lines[1]",
        ),
        (
            json!({"firstName": "Ok", "address": {"city": "D", "state": "TX", "postalCode": "75201", "country": "USA"}}),
            "address.country",
        ),
        (
            json!({"firstName": "Ok", "address": {"city": "D", "state": "TX", "postalCode": "75201", "country": "XQ"}}),
            "address.country",
        ),
        (json!({"firstName": "Ok", "address": {"city": "D", "state": "TX", "country": "US"}}), "address.postalCode"),
        (json!({"firstName": "Ok", "properties": [1]}), "properties"),
        (json!({"firstName": "Ok", "properties": {"hatSize": 7}}), "properties.hatSize"),
        (json!({"firstName": "Ok", "properties": {"shoeSize": 44.5}}), "properties.shoeSize"),
        (json!({"firstName": "Ok", "properties": {"shoeSize": "44"}}), "properties.shoeSize"),
        (json!({"firstName": "Ok", "properties": {"car": "x".repeat(256)}}), "properties.car"),
        (json!({"firstName": "Ok", "properties": {"vip": "yes"}}), "properties.vip"),
        (json!({"firstName": "Ok", "properties": {"homepage": "google"}}), "properties.homepage"),
        (json!({"firstName": "Ok", "properties": {"signupDate": "02/01/2019"}}), "properties.signupDate"),
        (json!({"firstName": "Ok", "properties": {"signupDate": "2019-02-30"}}), "properties.signupDate"),
        (json!({"firstName": "Ok", "properties": {"plan": "Gold"}}), "properties.plan"),
        (json!({"firstName": "Ok", "properties": {"plan": 9}}), "properties.plan"),
        (json!({"lastName": "Only"}), "firstName"),
        (json!({"emails": []}), "firstName"),
    ];
    for (body, path) in cases {
        let response = helpscout_create(&server, &client, &token, &body).await;
        let answer = vnd_error(response, 400).await;
        assert_eq!(answer["message"], "Validation error", "{body}");
        assert_eq!(vnd_paths(&answer), [path], "{body}: {answer}");
        let error = &answer["_embedded"]["errors"][0];
        assert_eq!(error["source"], "JSON");
        assert!(error["message"].as_str().is_some_and(|m| m.len() > 10), "{error}");
        let sent = path.split(['.', '[']).try_fold(&body, |at, part| {
            let part = part.trim_end_matches(']');
            part.parse::<usize>().map_or_else(|_| at.get(part), |i| at.get(i))
        });
        assert_eq!(error["rejectedValue"], sent.cloned().unwrap_or(Value::Null), "{body}: {error}");
    }
    // Nothing was stored.
    let list: Value =
        helpscout(&server, &client, Method::GET, "/v2/customers", &token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["page"]["totalElements"], 0);
}

#[tokio::test]
async fn accepted_values_of_every_field() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    let full = json!({
        "firstName": "x".repeat(40),
        "lastName": "L",
        "phone": "+1 415 555 0123",
        "photoUrl": "http://example.com/a.png",
        "photoType": "Instagram",
        "jobTitle": "x".repeat(60),
        "background": "x".repeat(200),
        "location": "x".repeat(60),
        "organization": "x".repeat(60),
        "gender": "FEMALE",
        "age": "30-35",
        "emails": [{"type": "home", "value": "h@example.com"}, {"type": "OTHER", "value": "o@example.com"}],
        "phones": [{"type": "mobile", "value": "555-0123"}, {"type": "pager", "value": "1"}],
        "chats": [{"type": "xmpp", "value": "me@jabber.org"}],
        "socialProfiles": [{"type": "forsquare", "value": "me"}, {"type": "tungleme", "value": "https://t.me/x"}],
        "websites": [{"value": "https://acme.com"}, {"type": "work", "value": "http://blog.acme.com/x"}],
        "address": {"lines": ["1 Main St", "Suite 2"], "city": "Dallas", "state": "TX", "postalCode": "75201", "country": "us"},
        "properties": {
            "shoeSize": 44, "visits": 0, "car": "Tesla", "favoriteColor": "", "vip": true, "newsletter": false,
            "homepage": "https://google.com", "crmProfile": "http://crm.example.com/c/1", "signupDate": "2019-01-02",
            "renewalDate": "2024-02-29", "plan": "Enterprise", "region": 5,
        },
        "unknownField": "ignored",
    });
    let response = helpscout_create(&server, &client, &token, &full).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let stored: Value = helpscout(&server, &client, Method::GET, "/v2/customers/100000", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["properties"], full["properties"]);
    assert!(stored.get("unknownField").is_none());
    // An email alone is enough, and so are nulls for what is not given.
    let response = helpscout_create(
        &server,
        &client,
        &token,
        &json!({"firstName": null, "emails": [{"type": "work", "value": "solo@example.com"}]}),
    )
    .await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn all_errors_come_at_once() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    let body = json!({
        "firstName": "",
        "gender": "x",
        "emails": [{"type": "work", "value": "ok@example.com"}, {"type": "x", "value": "nope"}],
        "address": {"lines": ["1 Main St"]},
        "properties": {"shoeSize": "big"},
    });
    let answer = vnd_error(helpscout_create(&server, &client, &token, &body).await, 400).await;
    assert_eq!(
        vnd_paths(&answer),
        [
            "firstName",
            "gender",
            "emails[1].type",
            "emails[1].value",
            "address.city",
            "address.state",
            "address.postalCode",
            "address.country",
            "properties.shoeSize"
        ]
    );
}

#[tokio::test]
async fn bodies_that_are_not_a_json_object_are_400() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    for body in ["{\"firstName\": ", "", "[]", "\"Vernon\""] {
        let response = helpscout(&server, &client, Method::POST, "/v2/customers", &token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let answer = vnd_error(response, 400).await;
        assert!(!answer["message"].as_str().unwrap().is_empty(), "{body:?}");
    }
}

#[tokio::test]
async fn an_email_already_used_is_409() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    assert_eq!(helpscout_create(&server, &client, &token, &vernon()).await.status(), 201);
    let again = json!({"firstName": "Other", "emails": [{"type": "home", "value": "x@example.com"}, {"type": "work", "value": "BEAR@acme.com"}]});
    let answer = vnd_error(helpscout_create(&server, &client, &token, &again).await, 409).await;
    assert_eq!(vnd_paths(&answer), ["emails[1].value"]);
    assert!(answer["message"].as_str().unwrap().contains("already exists"), "{answer}");
    // A customer without emails never conflicts.
    assert_eq!(helpscout_create(&server, &client, &token, &json!({"firstName": "Vernon"})).await.status(), 201);
}

// ---- Reads ----

#[tokio::test]
async fn unknown_customers_are_404() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    for path in ["/v2/customers/100000", "/v2/customers/abc", "/v2/customers/-1"] {
        let response = helpscout(&server, &client, Method::GET, path, &token).send().await.unwrap();
        let body = vnd_error(response, 404).await;
        assert!(body["message"].as_str().unwrap().contains("not found"), "{body}");
    }
    let response = helpscout(&server, &client, Method::GET, "/v2/mailboxes", &token).send().await.unwrap();
    vnd_error(response, 404).await;
}

#[tokio::test]
async fn customers_are_found_by_email() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    helpscout_create(&server, &client, &token, &vernon()).await;
    helpscout_create(
        &server,
        &client,
        &token,
        &json!({"firstName": "Ada", "emails": [{"type": "home", "value": "ada@example.com"}]}),
    )
    .await;
    let search = |query: &'static str| {
        let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        helpscout(&server, &client, Method::GET, &format!("/v2/customers?query={encoded}"), &token).send()
    };
    let found: Value = search("(email:\"Bear@Acme.com\")").await.unwrap().json().await.unwrap();
    assert_eq!(found["page"], json!({"size": 50, "totalElements": 1, "totalPages": 1, "number": 1}));
    let customers = found["_embedded"]["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0]["id"], 100_000);
    assert_eq!(customers[0]["firstName"], "Vernon");

    let none: Value = search("(email:\"nobody@example.com\")").await.unwrap().json().await.unwrap();
    assert_eq!(none["_embedded"]["customers"], json!([]));
    assert_eq!(none["page"]["totalElements"], 0);

    let all: Value =
        helpscout(&server, &client, Method::GET, "/v2/customers", &token).send().await.unwrap().json().await.unwrap();
    assert_eq!(all["page"]["totalElements"], 2);

    let other = vnd_error(search("(firstName:\"Ada\")").await.unwrap(), 400).await;
    assert_eq!(vnd_paths(&other), ["query"]);
}

#[tokio::test]
async fn users_me_is_the_sandbox_owner() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    let me: Value =
        helpscout(&server, &client, Method::GET, "/v2/users/me", &token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["id"], 1);
    assert_eq!(me["firstName"], "Sandbox");
    assert_eq!(me["lastName"], "Admin");
    assert_eq!(me["email"], "admin@sandbox.intake.invalid");
    assert_eq!(me["role"], "owner");
}

#[tokio::test]
async fn customer_properties_list_two_of_each_type() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    let body: Value = helpscout(&server, &client, Method::GET, "/v2/customer-properties", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = body["_embedded"]["customer-properties"].as_array().unwrap();
    assert_eq!(body["page"]["totalElements"], items.len());
    for kind in ["number", "text", "bool", "url", "date", "dropdown"] {
        assert_eq!(items.iter().filter(|p| p["type"] == kind).count(), 2, "{kind}");
    }
    let shoe = items.iter().find(|p| p["slug"] == "shoeSize").unwrap();
    assert_eq!(shoe["type"], "number");
    assert_eq!(shoe["name"], "Shoe size");
    assert_eq!(shoe["options"], json!([]));
    assert!(shoe["id"].is_u64());
    let plan = items.iter().find(|p| p["slug"] == "plan").unwrap();
    assert_eq!(
        plan["options"],
        json!([{"id": 1, "label": "Free"}, {"id": 2, "label": "Pro"}, {"id": 3, "label": "Enterprise"}])
    );
}

// ---- Properties patch ----

#[tokio::test]
async fn properties_are_patched_all_or_nothing() {
    let server = start();
    let client = client();
    let token = tokens(&server, &client).await.access;
    let mut body = vernon();
    body["properties"] = json!({"car": "Tesla", "vip": true});
    helpscout_create(&server, &client, &token, &body).await;
    let patch = |ops: Value| {
        helpscout(&server, &client, Method::PATCH, "/v2/customers/100000/properties", &token).json(&ops).send()
    };
    let properties = || async {
        let stored: Value = helpscout(&server, &client, Method::GET, "/v2/customers/100000", &token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stored["properties"].clone()
    };

    let done = patch(json!([
        {"op": "replace", "path": "/shoeSize", "value": 44},
        {"op": "remove", "path": "/car"},
        {"op": "add", "path": "/plan", "value": "Pro"},
    ]))
    .await
    .unwrap();
    assert_eq!(done.status(), 204);
    assert_eq!(properties().await, json!({"vip": true, "shoeSize": 44, "plan": "Pro"}));

    let refused = patch(json!([
        {"op": "replace", "path": "/shoeSize", "value": 45},
        {"op": "copy", "path": "/vip"},
        {"op": "replace", "path": "/hatSize", "value": 7},
        {"op": "replace", "path": "/vip", "value": "no"},
        {"op": "replace", "path": "/car"},
        {"op": "remove", "path": "car"},
        "replace",
    ]))
    .await
    .unwrap();
    let answer = vnd_error(refused, 400).await;
    assert_eq!(
        vnd_paths(&answer),
        ["[1].op", "properties.hatSize", "properties.vip", "properties.car", "[5].path", "[6]"]
    );
    assert_eq!(properties().await, json!({"vip": true, "shoeSize": 44, "plan": "Pro"}), "nothing applied");

    let not_a_list = vnd_error(patch(json!({"shoeSize": 45})).await.unwrap(), 400).await;
    assert!(not_a_list["message"].is_string());
    let unknown = helpscout(&server, &client, Method::PATCH, "/v2/customers/999999/properties", &token)
        .json(&json!([{"op": "remove", "path": "/car"}]))
        .send()
        .await
        .unwrap();
    vnd_error(unknown, 404).await;
}

// ---- Rate limit ----

#[tokio::test]
async fn writes_count_two_and_429_carries_the_rate_headers() {
    let server = start_with(SandboxConfig { rate_limit_per_minute: 6, ..SandboxConfig::default() });
    let client = client();
    let token = tokens(&server, &client).await.access;
    for (n, remaining) in [4, 2, 0].into_iter().enumerate() {
        let body = json!({"firstName": format!("C{n}")});
        let response = helpscout_create(&server, &client, &token, &body).await;
        assert_eq!(response.status(), 201, "POST {n}");
        assert_eq!(header(&response, "x-ratelimit-limit-minute"), Some("6"));
        assert_eq!(header(&response, "x-ratelimit-remaining-minute"), Some(remaining.to_string().as_str()));
    }
    let response = helpscout_create(&server, &client, &token, &json!({"firstName": "C3"})).await;
    assert_eq!(response.status(), 429);
    assert_eq!(header(&response, "x-ratelimit-limit-minute"), Some("6"));
    assert_eq!(header(&response, "x-ratelimit-remaining-minute"), Some("0"));
    let retry: u64 = header(&response, "x-ratelimit-retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(header(&response, "retry-after"), Some(retry.to_string().as_str()));
    vnd_error(response, 429).await;

    // The token endpoint is not limited; a 401 carries the headers without being counted.
    let fresh = tokens(&server, &client).await.access;
    let refused = helpscout(&server, &client, Method::GET, "/v2/users/me", "made-up").send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(header(&refused, "x-ratelimit-remaining-minute"), Some("0"));
    assert_eq!(get_status(&server, &client, "/v2/users/me", &fresh).await, 429);
}

#[tokio::test]
async fn reads_count_one() {
    let server = start_with(SandboxConfig { rate_limit_per_minute: 3, ..SandboxConfig::default() });
    let client = client();
    let token = tokens(&server, &client).await.access;
    assert_eq!(helpscout_create(&server, &client, &token, &vernon()).await.status(), 201);
    let read = helpscout(&server, &client, Method::GET, "/v2/customers/100000", &token).send().await.unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(header(&read, "x-ratelimit-remaining-minute"), Some("0"));
    assert_eq!(get_status(&server, &client, "/v2/customer-properties", &token).await, 429);
}

// ---- The real client ----

#[tokio::test]
async fn the_help_scout_client_gets_a_token_and_creates() {
    let server = start();
    let endpoint = Endpoint::new(Url::parse(&server.helpscout_base_url()).unwrap());
    let auth = HelpScoutAuth::client_credentials(HELPSCOUT_CLIENT_ID, Secret::new(HELPSCOUT_CLIENT_SECRET));
    let helpscout = HelpScoutClient::new(endpoint, auth).unwrap();
    let exchanges = helpscout.create_customer(&vernon()).await;
    assert_eq!(exchanges.len(), 2, "a token grant, then the create");
    let location = format!("{}/v2/customers/100000", server.helpscout_base_url());
    assert_eq!(exchanges[1].outcome, Outcome::Created { id: Some("100000".to_owned()), location: Some(location) });

    let exchanges =
        helpscout.create_customer(&json!({"firstName": "V", "emails": [{"type": "work", "value": "x"}]})).await;
    assert_eq!(exchanges.len(), 1, "the token is reused");
    let Outcome::Rejected { field_errors, .. } = &exchanges[0].outcome else { panic!("{:?}", exchanges[0].outcome) };
    assert_eq!(field_errors[0].pointer, "/emails/0/value");
    assert_eq!(field_errors[0].rejected_value, Some(json!("x")));

    let exchanges = helpscout.create_customer(&vernon()).await;
    assert!(matches!(exchanges[0].outcome, Outcome::Conflict { .. }), "{:?}", exchanges[0].outcome);
    assert_eq!(helpscout.get("/v2/users/me").await[0].outcome, Outcome::Answered { status: 200 });
}

#[tokio::test]
async fn the_help_scout_client_copes_with_short_tokens_and_reports_a_bad_pasted_one() {
    let server = start_with(SandboxConfig { token_lifetime: Duration::from_secs(1), ..SandboxConfig::default() });
    let endpoint = Endpoint::new(Url::parse(&server.helpscout_base_url()).unwrap());
    let auth = HelpScoutAuth::client_credentials(HELPSCOUT_CLIENT_ID, Secret::new(HELPSCOUT_CLIENT_SECRET));
    let helpscout = HelpScoutClient::new(endpoint, auth).unwrap();
    // A 1-second token is renewed at half-life: the first call gets one, and a call after it
    // is due renews it with the refresh token the grant came with.
    let exchanges = helpscout.get("/v2/users/me").await;
    let kinds: Vec<&str> = exchanges.iter().map(|e| e.outcome.kind()).collect();
    assert_eq!(kinds, ["token_granted", "answered"]);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let exchanges = helpscout.get("/v2/users/me").await;
    let kinds: Vec<&str> = exchanges.iter().map(|e| e.outcome.kind()).collect();
    assert_eq!(kinds, ["token_granted", "answered"], "{exchanges:?}");
    assert!(exchanges[0].request_body.as_deref().unwrap_or_default().contains("grant_type=refresh_token"));

    let pasted = HelpScoutClient::new(
        Endpoint::new(Url::parse(&server.helpscout_base_url()).unwrap()),
        HelpScoutAuth::access_token(Secret::new("made-up")),
    )
    .unwrap();
    let exchanges = pasted.get("/v2/users/me").await;
    assert!(matches!(exchanges[0].outcome, Outcome::Unauthorized { .. }), "{exchanges:?}");
}
