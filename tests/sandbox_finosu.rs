//! The sandbox's Finosu API over real HTTP on 127.0.0.1: the key, every check of `POST
//! /customers`, the task-type answer, duplicates, `GET /customers/{id}` and the rate limit.

mod sandbox_support;

use intake::backends::{Endpoint, FinosuClient, Outcome, Secret};
use intake::sandbox::{FINOSU_API_KEY, FINOSU_TASK_TYPES, SandboxConfig};
use serde_json::{Value, json};
use url::Url;

use sandbox_support::{
    client, finosu_customer, finosu_error_fields, finosu_get, finosu_post, header, start, start_with,
};

/// `finosu_customer("c-1")` with `field` set to `value`.
fn with(field: &str, value: Value) -> Value {
    let mut body = finosu_customer("c-1");
    body[field] = value;
    body
}

#[tokio::test]
async fn create_answers_201_with_every_field_as_stored() {
    let server = start();
    let client = client();
    let mut body = finosu_customer("c-1");
    body["ssnLastFour"] = json!("1234");
    body["streetAddress2"] = json!("Apt 4B");
    body["doNotCall"] = json!(false);
    body["isTest"] = json!(true);
    body["test"] = json!(true);
    body["externalMetadata"] = json!({"employer": {"name": "Acme"}, "payDay": "Friday"});
    body["nickname"] = json!("not a Finosu field");
    let response = finosu_post(&server, &client, &body).await;
    assert_eq!(response.status(), 201);
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    let stored: Value = response.json().await.unwrap();
    for (field, value) in body.as_object().unwrap() {
        if field == "nickname" {
            assert!(stored.get(field).is_none(), "unknown fields are not stored");
        } else {
            assert_eq!(&stored[field], value, "{field}");
        }
    }
    assert!(stored["createdAt"].as_str().unwrap().ends_with('Z'), "{stored}");

    let fetched = finosu_get(&server, &client, "c-1").await;
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.json::<Value>().await.unwrap(), stored);
}

#[tokio::test]
async fn get_of_an_unknown_id_is_404_with_a_message() {
    let server = start();
    let response = finosu_get(&server, &client(), "nobody here").await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"error": "Not Found", "message": "Customer 'nobody here' not found"}));
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_401_on_every_route() {
    let server = start();
    let client = client();
    let url = format!("{}/customers", server.finosu_base_url());
    let expected = json!({"error": "Unauthorized", "message": "Invalid or missing API key"});
    let requests = [
        client.post(&url).json(&finosu_customer("c-1")),
        client.post(&url).header("X-API-Key", "fsk_wrong").json(&finosu_customer("c-1")),
        client.post(&url).header("X-API-Key", FINOSU_API_KEY.to_uppercase()).json(&finosu_customer("c-1")),
        client.get(format!("{url}/c-1")),
        client.get(format!("{url}/c-1")).header("X-API-Key", ""),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(response.json::<Value>().await.unwrap(), expected);
    }
    // Nothing was stored by the refused create.
    assert_eq!(finosu_get(&server, &client, "c-1").await.status(), 404);
}

#[tokio::test]
async fn an_empty_customer_lists_all_twelve_required_fields_at_once() {
    let server = start();
    let response = finosu_post(&server, &client(), &json!({})).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Bad Request");
    assert_eq!(
        finosu_error_fields(&body),
        [
            "id",
            "firstName",
            "lastName",
            "email",
            "birthday",
            "timezone",
            "phoneNumber",
            "streetAddress1",
            "city",
            "state",
            "zipCode",
            "taskType"
        ]
    );
    for error in body["errors"].as_array().unwrap() {
        assert!(error["message"].as_str().unwrap().ends_with("is required"), "{error}");
    }
    assert!(body["message"].as_str().unwrap().contains("12"), "{body}");
    assert!(body.get("validTaskTypes").is_none(), "a missing task type is not an invalid one");
}

#[tokio::test]
async fn each_format_check_refuses_bad_values_at_its_field() {
    let server = start();
    let client = client();
    let cases: &[(&str, Value, &str)] = &[
        ("email", json!("ada"), "email address"),
        ("email", json!("ada@example"), "email address"),
        ("email", json!("Ada <ada@example.com>"), "email address"),
        ("birthday", json!("1985/06/15"), "YYYY-MM-DD"),
        ("birthday", json!("1985-6-15"), "YYYY-MM-DD"),
        ("birthday", json!("2023-02-29"), "not a real date"),
        ("birthday", json!("2999-01-01"), "future"),
        ("timezone", json!("Pacific Time"), "IANA"),
        ("timezone", json!("america/new_york"), "IANA"),
        ("state", json!("XX"), "state"),
        ("state", json!("California"), "state"),
        ("zipCode", json!("9410"), "ZIP"),
        ("zipCode", json!("94102-12"), "ZIP"),
        ("zipCode", json!("ABCDE"), "ZIP"),
        ("ssnLastFour", json!("123"), "4 digits"),
        ("ssnLastFour", json!("12345"), "4 digits"),
        ("ssnLastFour", json!("12a4"), "4 digits"),
        ("phoneNumber", json!("555-012"), "7 to 15 digits"),
        ("phoneNumber", json!("+1234567890123456"), "7 to 15 digits"),
        ("phoneNumber", json!("call me"), "phone number"),
        ("firstName", json!("   "), "must not be empty"),
        ("firstName", json!(5), "must be text"),
        ("id", json!(1001), "must be text"),
        ("doNotCall", json!("yes"), "true or false"),
        ("isTest", json!(1), "true or false"),
        ("test", json!("false"), "true or false"),
        ("externalMetadata", json!([1, 2]), "JSON object"),
        ("externalMetadata", json!("{}"), "JSON object"),
    ];
    for (field, value, words) in cases {
        let response = finosu_post(&server, &client, &with(field, value.clone())).await;
        assert_eq!(response.status(), 400, "{field} = {value}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(finosu_error_fields(&body), [*field], "{field} = {value}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{field} = {value}: {message:?} should say {words:?}");
        assert!(message.starts_with(field), "{message:?} names its field");
    }
    // Nothing was stored by any of them.
    assert_eq!(finosu_get(&server, &client, "c-1").await.status(), 404);
}

#[tokio::test]
async fn accepted_variants_of_each_format() {
    let server = start();
    let client = client();
    let cases: &[(&str, Value)] = &[
        ("email", json!("first.last+tag@mail.example.org")),
        ("timezone", json!("America/New_York")),
        ("timezone", json!("Pacific/Honolulu")),
        ("state", json!("PR")),
        ("state", json!("ny")),
        ("zipCode", json!("94102-1234")),
        ("phoneNumber", json!("4155550123")),
        ("phoneNumber", json!("(415) 555-0123")),
        ("birthday", json!("2000-02-29")),
        ("ssnLastFour", json!("0042")),
        ("streetAddress2", json!("")),
        ("externalMetadata", json!({})),
        ("taskType", json!("welcome-call")),
        ("doNotCall", Value::Null),
    ];
    for (n, (field, value)) in cases.iter().enumerate() {
        let mut body = with(field, value.clone());
        body["id"] = json!(format!("ok-{n}"));
        let response = finosu_post(&server, &client, &body).await;
        assert_eq!(response.status(), 201, "{field} = {value}: {}", response.text().await.unwrap());
    }
}

#[tokio::test]
async fn an_unknown_task_type_alone_lists_the_valid_ones() {
    let server = start();
    let response = finosu_post(&server, &client(), &with("taskType", json!("sales-call"))).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "error": "Bad Request",
            "message": "Invalid task type 'sales-call'. Valid task types: collections, payment-reminder, welcome-call",
            "validTaskTypes": FINOSU_TASK_TYPES,
        })
    );
}

#[tokio::test]
async fn an_unknown_task_type_with_other_errors_keeps_the_list() {
    let server = start();
    let mut body = with("taskType", json!("Collections"));
    body["zipCode"] = json!("123");
    let response = finosu_post(&server, &client(), &body).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(finosu_error_fields(&body), ["zipCode", "taskType"]);
    assert_eq!(body["validTaskTypes"], json!(FINOSU_TASK_TYPES));
    assert!(body["errors"][1]["message"].as_str().unwrap().starts_with("Invalid task type 'Collections'"));
}

#[tokio::test]
async fn a_second_customer_with_the_same_id_is_409() {
    let server = start();
    let client = client();
    assert_eq!(finosu_post(&server, &client, &finosu_customer("dup")).await.status(), 201);
    let mut second = finosu_customer("dup");
    second["firstName"] = json!("Someone else");
    let response = finosu_post(&server, &client, &second).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"error": "Conflict", "message": "A customer with id 'dup' already exists"}));
    let stored: Value = finosu_get(&server, &client, "dup").await.json().await.unwrap();
    assert_eq!(stored["firstName"], "Ada", "the first one is kept");
}

#[tokio::test]
async fn bodies_that_are_not_a_json_object_are_400_with_a_message() {
    let server = start();
    let client = client();
    let url = format!("{}/customers", server.finosu_base_url());
    for (body, words) in [("{\"id\": ", "not valid JSON"), ("", "empty"), ("[1, 2]", "JSON object"), ("<xml/>", "JSON")]
    {
        let response = client
            .post(&url)
            .header("X-API-Key", FINOSU_API_KEY)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body:?}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"], "Bad Request");
        assert!(answer["message"].as_str().unwrap().contains(words), "{body:?}: {answer}");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_finosu_shape() {
    let server = start();
    let client = client();
    let response =
        client.get(format!("{}/invoices", server.finosu_base_url())).header("X-API-Key", FINOSU_API_KEY).send();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "Not Found");
    let response = client
        .delete(format!("{}/customers", server.finosu_base_url()))
        .header("X-API-Key", FINOSU_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "Method Not Allowed");
}

#[tokio::test]
async fn writes_count_two_against_the_rate_limit() {
    let server = start_with(SandboxConfig { rate_limit_per_minute: 6, ..SandboxConfig::default() });
    let client = client();
    for n in 0..3 {
        let response = finosu_post(&server, &client, &finosu_customer(&format!("c-{n}"))).await;
        assert_eq!(response.status(), 201, "POST {n}");
    }
    let response = finosu_post(&server, &client, &finosu_customer("c-3")).await;
    assert_eq!(response.status(), 429);
    let retry_after: u64 = header(&response, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Too Many Requests");
    assert_eq!(body["retryAfter"], json!(retry_after));
    assert!(body["message"].as_str().unwrap().contains("6 requests per minute"), "{body}");
    // The refused create stored nothing (and reads are refused too now).
    assert_eq!(finosu_get(&server, &client, "c-3").await.status(), 429);
}

#[tokio::test]
async fn reads_count_one_against_the_rate_limit() {
    let server = start_with(SandboxConfig { rate_limit_per_minute: 3, ..SandboxConfig::default() });
    let client = client();
    assert_eq!(finosu_post(&server, &client, &finosu_customer("c-1")).await.status(), 201);
    assert_eq!(finosu_get(&server, &client, "c-1").await.status(), 200);
    assert_eq!(finosu_get(&server, &client, "c-1").await.status(), 429);
}

#[tokio::test]
async fn a_zero_limit_is_unlimited_and_401s_are_not_counted() {
    let server = start_with(SandboxConfig { rate_limit_per_minute: 0, ..SandboxConfig::default() });
    let client = client();
    for n in 0..40 {
        assert_eq!(finosu_get(&server, &client, &format!("c-{n}")).await.status(), 404);
    }
    let server = start_with(SandboxConfig { rate_limit_per_minute: 2, ..SandboxConfig::default() });
    let url = format!("{}/customers/c-1", server.finosu_base_url());
    for _ in 0..5 {
        assert_eq!(client.get(&url).send().await.unwrap().status(), 401);
    }
    assert_eq!(finosu_get(&server, &client, "c-1").await.status(), 404);
}

#[tokio::test]
async fn the_finosu_client_creates_and_learns_task_types_from_the_sandbox() {
    let server = start();
    let endpoint = Endpoint::new(Url::parse(&server.finosu_base_url()).unwrap());
    let finosu = FinosuClient::new(endpoint, Secret::new(FINOSU_API_KEY)).unwrap();
    let created = finosu.create_customer(&finosu_customer("via-client")).await;
    assert_eq!(created.outcome, Outcome::Created { id: Some("via-client".to_owned()), location: None });
    let refused = finosu.create_customer(&with("taskType", json!("sales"))).await;
    let Outcome::Rejected { field_errors, valid_task_types, .. } = refused.outcome else {
        panic!("expected a rejection, got {:?}", refused.outcome)
    };
    assert_eq!(valid_task_types, FINOSU_TASK_TYPES);
    assert_eq!(field_errors[0].pointer, "/taskType");
    let mut bad_zip = finosu_customer("via-client-2");
    bad_zip["zipCode"] = json!("1");
    let refused = finosu.create_customer(&bad_zip).await;
    let Outcome::Rejected { field_errors, .. } = refused.outcome else { panic!("{:?}", refused.outcome) };
    assert_eq!(field_errors.iter().map(|e| e.pointer.as_str()).collect::<Vec<_>>(), ["/zipCode"]);
    assert_eq!(finosu.get_customer("via-client").await.outcome, Outcome::Answered { status: 200 });
    assert_eq!(finosu.get_customer("missing").await.outcome, Outcome::NotFound);
}
