//! Looking a customer up after an ambiguous ending, before anything is sent again.
//!
//! The lookup is [`find_existing`], the duplicate check's. Finosu: `GET /customers/{id}` — the
//! id is ours, so a customer with it is the one sent; a server with no read route cannot be
//! asked, so the customer may have been created. Help Scout: the customers with the record's
//! emails (`GET /v2/customers?query=(email:"…")`); one with the same name, created at or after
//! the attempt began, is ours; one that existed before is somebody else's.

use serde_json::Value;

use crate::backends::existing::{Existing, ExistingCustomer, find_existing, text_at};
use crate::backends::{CustomerClient, Exchange};
use crate::model::Backend;
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
    /// The lookup could not say (no email to search by, the lookup itself failed, a Finosu
    /// server with no read route): the customer may have been created.
    Unknown(String),
}

/// Looks up the customer of `record`'s attempt that began at `attempt_started_at`, with the
/// same lookup as the duplicate check; the exchanges it took go to the record's history and
/// the viewer.
pub async fn look_up(client: &CustomerClient, record: &Record, attempt_started_at: Millis) -> (Lookup, Vec<Exchange>) {
    let body = record.payload.as_ref().unwrap_or(&record.body);
    let (existing, exchanges) = find_existing(client, body).await;
    let lookup = match existing {
        Existing::Found(customers) => match client.backend() {
            // The id is ours: a customer with it is the one sent.
            Backend::Finosu => Lookup::Found { server_id: customers.into_iter().find_map(|c| c.id) },
            Backend::HelpScout => ours_among(&customers, body, attempt_started_at),
        },
        Existing::None => Lookup::NotFound,
        Existing::CannotAsk(why) | Existing::NothingToSearchBy(why) | Existing::Failed(why) => Lookup::Unknown(why),
    };
    (lookup, exchanges)
}

/// The customer among those found with the sent emails that is ours: same names as sent,
/// created at or after the attempt began (less [`CLOCK_SKEW_MILLIS`]). One that existed before
/// is somebody else's.
pub fn ours_among(customers: &[ExistingCustomer], sent: &Value, attempt_started_at: Millis) -> Lookup {
    let same = |key: &str, customer: &ExistingCustomer| {
        let wanted = text_at(sent, key).unwrap_or_default();
        let found = customer.raw.pointer(key).and_then(Value::as_str).unwrap_or_default().trim();
        wanted.eq_ignore_ascii_case(found)
    };
    let created_since = |customer: &ExistingCustomer| {
        customer
            .created_at
            .as_deref()
            .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
            .is_some_and(|at| at.timestamp_millis() >= attempt_started_at.saturating_sub(CLOCK_SKEW_MILLIS))
    };
    match customers.iter().find(|c| same("/firstName", c) && same("/lastName", c) && created_since(c)) {
        Some(customer) => Lookup::Found { server_id: customer.id.clone() },
        None => Lookup::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn answer(customers: &Value) -> Vec<ExistingCustomer> {
        customers.as_array().unwrap().iter().map(ExistingCustomer::from_json).collect()
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
    }
}
