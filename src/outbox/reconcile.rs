//! Looking a customer up after an ambiguous ending, before anything is sent again.
//!
//! Finosu: `GET /customers/{id}` — the id is ours, so a customer with it is the one sent.
//! Help Scout: the customers with the record's first email
//! (`GET /v2/customers?query=(email:"…")`); one with the same name, created at or after the
//! attempt began, is ours; one that existed before is somebody else's.

use serde_json::Value;

use crate::backends::{CustomerClient, Exchange, Outcome};
use crate::store::{Millis, Record};

/// How much earlier than the attempt a server's `createdAt` may say, and still be ours: the
/// server's clock and ours disagree a little, and Help Scout rounds to the second.
pub const CLOCK_SKEW_MILLIS: Millis = 60_000;

/// What the lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The customer exists: the attempt created it.
    Found {
        /// The server's id.
        server_id: Option<String>,
    },
    /// No such customer: nothing was created, sending again is safe.
    NotFound,
    /// The lookup could not say (no email to search by, the lookup itself failed).
    Unknown(String),
}

/// Looks up the customer of `record`'s attempt that began at `attempt_started_at`; the
/// exchanges it took go to the record's history and the viewer.
pub async fn look_up(client: &CustomerClient, record: &Record, attempt_started_at: Millis) -> (Lookup, Vec<Exchange>) {
    let body = record.payload.as_ref().unwrap_or(&record.body);
    match client {
        CustomerClient::Finosu(finosu) => {
            let Some(id) = text_at(body, "/id") else {
                return (Lookup::Unknown("the customer has no id to look up".to_owned()), Vec::new());
            };
            let exchange = finosu.get_customer(id).await;
            let lookup = match &exchange.outcome {
                Outcome::Answered { .. } => Lookup::Found { server_id: Some(id.to_owned()) },
                Outcome::NotFound => Lookup::NotFound,
                other => Lookup::Unknown(other.summary(exchange.backend)),
            };
            (lookup, vec![exchange])
        }
        CustomerClient::HelpScout(help_scout) => {
            let Some(email) = text_at(body, "/emails/0/value") else {
                return (Lookup::Unknown("the customer has no email to search by".to_owned()), Vec::new());
            };
            let query = format!("(email:\"{email}\")");
            let path = format!(
                "/v2/customers?query={}",
                url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
            );
            let exchanges = help_scout.get(&path).await;
            let lookup = match exchanges.last() {
                Some(last) if matches!(last.outcome, Outcome::Answered { .. }) => {
                    let found = last.response.as_ref().and_then(|r| serde_json::from_slice::<Value>(&r.body).ok());
                    match found {
                        Some(found) => ours_among(&found, body, attempt_started_at),
                        None => Lookup::Unknown("the search answer could not be read".to_owned()),
                    }
                }
                Some(last) => Lookup::Unknown(last.summary()),
                None => Lookup::Unknown("the search was not sent".to_owned()),
            };
            (lookup, exchanges)
        }
    }
}

/// The customer of a Help Scout search answer that is ours: same names as sent, created at or
/// after the attempt began (less [`CLOCK_SKEW_MILLIS`]).
pub fn ours_among(answer: &Value, sent: &Value, attempt_started_at: Millis) -> Lookup {
    let Some(customers) = answer.pointer("/_embedded/customers").and_then(Value::as_array) else {
        return Lookup::Unknown("the search answer holds no customer list".to_owned());
    };
    let same = |key: &str, customer: &Value| {
        let wanted = text_at(sent, key).unwrap_or_default();
        let found = customer.get(key.trim_start_matches('/')).and_then(Value::as_str).unwrap_or_default().trim();
        wanted.eq_ignore_ascii_case(found)
    };
    let created_since = |customer: &Value| {
        customer
            .get("createdAt")
            .and_then(Value::as_str)
            .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
            .is_some_and(|at| at.timestamp_millis() >= attempt_started_at.saturating_sub(CLOCK_SKEW_MILLIS))
    };
    let ours = customers.iter().find(|c| same("/firstName", c) && same("/lastName", c) && created_since(c));
    match ours {
        Some(customer) => {
            let server_id = customer.get("id").map(|id| id.as_str().map_or_else(|| id.to_string(), str::to_owned));
            Lookup::Found { server_id }
        }
        None => Lookup::NotFound,
    }
}

fn text_at<'a>(body: &'a Value, pointer: &str) -> Option<&'a str> {
    body.pointer(pointer).and_then(Value::as_str).map(str::trim).filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn answer(customers: &Value) -> Value {
        json!({"_embedded": {"customers": customers}, "page": {"totalElements": 1}})
    }

    #[test]
    fn a_customer_made_since_the_attempt_with_the_same_names_is_ours() {
        let sent = json!({"firstName": "Ada", "lastName": "Lovelace", "emails": [{"type": "work", "value": "a@x.io"}]});
        let started = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().timestamp_millis();
        let ours = json!([{"id": 7, "firstName": "Ada", "lastName": "Lovelace", "createdAt": "2026-12-01T10:00:00Z"}]);
        assert_eq!(ours_among(&answer(&ours), &sent, started + 500), Lookup::Found { server_id: Some("7".to_owned()) });
        let older = json!([{"id": 7, "firstName": "Ada", "lastName": "Lovelace", "createdAt": "2026-11-30T10:00:00Z"}]);
        assert_eq!(ours_among(&answer(&older), &sent, started), Lookup::NotFound, "existed before: not ours");
        let other =
            json!([{"id": 8, "firstName": "Grace", "lastName": "Lovelace", "createdAt": "2026-12-01T10:00:01Z"}]);
        assert_eq!(ours_among(&answer(&other), &sent, started), Lookup::NotFound, "another person");
        assert_eq!(ours_among(&answer(&json!([])), &sent, started), Lookup::NotFound);
        assert!(matches!(ours_among(&json!({"x": 1}), &sent, started), Lookup::Unknown(_)));
    }
}
