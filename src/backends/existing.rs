//! Finding customers that already exist on the server: the one lookup behind both the duplicate
//! check before a create and the reconciliation of an ambiguous send.
//!
//! Finosu: `GET /customers/{id}` (the id is the caller's), believed only where the server has a
//! read route (see [`FinosuClient::read_customer`](super::FinosuClient::read_customer)).
//! Help Scout: a search per email, `GET /v2/customers?query=(email:"…")`.

use serde_json::Value;

use super::finosu::FinosuRead;
use super::{CustomerClient, Exchange, Outcome};
use crate::model::Backend;

/// Emails searched at most per lookup: a customer with more is matched by the first ones.
pub const MAX_EMAILS_SEARCHED: usize = 5;

/// A customer the server already holds, as far as its answer tells.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingCustomer {
    /// The server's id.
    pub id: Option<String>,
    /// First and last name, joined ("" when the answer has none).
    pub name: String,
    /// Its emails.
    pub emails: Vec<String>,
    /// When the server says it was created (RFC 3339), if it says.
    pub created_at: Option<String>,
    /// The customer as answered.
    pub raw: Value,
}

impl ExistingCustomer {
    /// Reads a customer object of either API's answer.
    pub fn from_json(raw: &Value) -> Self {
        let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty());
        let id = raw.get("id").and_then(|id| match id {
            Value::String(text) if !text.is_empty() => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        });
        let name = [text("firstName"), text("lastName")].into_iter().flatten().collect::<Vec<_>>().join(" ");
        // Help Scout lists emails under `_embedded` in some answers and at the top in others.
        let lists = [raw.get("emails"), raw.pointer("/_embedded/emails")];
        let listed = lists
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(|email| email.get("value").and_then(Value::as_str).or_else(|| email.as_str()));
        // Finosu has one `email`.
        let emails = text("email").into_iter().chain(listed).map(str::to_owned).collect();
        Self { id, name, emails, created_at: text("createdAt").map(str::to_owned), raw: raw.clone() }
    }

    /// "#42 Ada Lovelace <ada@example.com>", for a warning line.
    pub fn describe(&self) -> String {
        let id = self.id.as_deref().map(|id| format!("#{id}")).unwrap_or_default();
        let name = if self.name.is_empty() { "(no name)" } else { &self.name };
        let emails = if self.emails.is_empty() { String::new() } else { format!(" <{}>", self.emails.join(", ")) };
        format!("{id} {name}{emails}").trim().to_owned()
    }
}

/// What the lookup found.
#[derive(Debug, Clone, PartialEq)]
pub enum Existing {
    /// Customers matching the body's id (Finosu) or any of its emails (Help Scout).
    Found(Vec<ExistingCustomer>),
    /// The server holds none.
    None,
    /// The server cannot be asked at all (Finosu without a read route); the sentence says why.
    CannotAsk(String),
    /// The body has nothing to look up by (no id, no email).
    NothingToSearchBy(String),
    /// The lookup failed (offline, 5xx, rejected); the sentence says how.
    Failed(String),
}

/// Looks up the customers `body` (a request body in the API's shape) would duplicate; the
/// exchanges it took go to the viewer and the record's history.
pub async fn find_existing(client: &CustomerClient, body: &Value) -> (Existing, Vec<Exchange>) {
    match client {
        CustomerClient::Finosu(finosu) => {
            let Some(id) = text_at(body, "/id") else {
                return (Existing::NothingToSearchBy("the customer has no id to look up".to_owned()), Vec::new());
            };
            let (read, exchanges) = finosu.read_customer(id).await;
            let existing = match read {
                FinosuRead::Found(answer) => {
                    let mut found = answer.as_ref().map_or_else(
                        || ExistingCustomer::from_json(&serde_json::json!({"id": id})),
                        ExistingCustomer::from_json,
                    );
                    found.id.get_or_insert_with(|| id.to_owned());
                    Existing::Found(vec![found])
                }
                FinosuRead::NotFound => Existing::None,
                FinosuRead::NoReadRoute => Existing::CannotAsk(
                    "Finosu cannot be asked: this server has no GET /customers/{id} (404 with and without the key)"
                        .to_owned(),
                ),
                FinosuRead::Failed(outcome) => Existing::Failed(outcome.summary(Backend::Finosu)),
            };
            (existing, exchanges)
        }
        CustomerClient::HelpScout(help_scout) => {
            let emails = emails_of(body);
            if emails.is_empty() {
                return (Existing::NothingToSearchBy("the customer has no email to search by".to_owned()), Vec::new());
            }
            let mut exchanges = Vec::new();
            let mut found: Vec<ExistingCustomer> = Vec::new();
            for email in emails.iter().take(MAX_EMAILS_SEARCHED) {
                let query = format!("(email:\"{email}\")");
                let path = format!(
                    "/v2/customers?query={}",
                    url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
                );
                let answers = help_scout.get(&path).await;
                let last = answers.last().map(|e| (e.outcome.clone(), e.response.as_ref().map(|r| r.body.clone())));
                exchanges.extend(answers);
                let customers = match last {
                    Some((Outcome::Answered { .. }, Some(raw))) => {
                        match serde_json::from_slice::<Value>(&raw).ok().as_ref().and_then(customers_of) {
                            Some(customers) => customers,
                            None => {
                                return (Existing::Failed("the search answer could not be read".to_owned()), exchanges);
                            }
                        }
                    }
                    Some((outcome, _)) => return (Existing::Failed(outcome.summary(Backend::HelpScout)), exchanges),
                    None => return (Existing::Failed("the search was not sent".to_owned()), exchanges),
                };
                for customer in customers {
                    if !found.iter().any(|known| known.id.is_some() && known.id == customer.id) {
                        found.push(customer);
                    }
                }
            }
            let existing = if found.is_empty() { Existing::None } else { Existing::Found(found) };
            (existing, exchanges)
        }
    }
}

/// The customers listed in a Help Scout search answer, or `None` when it holds no list.
fn customers_of(answer: &Value) -> Option<Vec<ExistingCustomer>> {
    let customers = answer.pointer("/_embedded/customers")?.as_array()?;
    Some(customers.iter().map(ExistingCustomer::from_json).collect())
}

/// The body's emails, trimmed, each once (ignoring case), in order.
fn emails_of(body: &Value) -> Vec<&str> {
    let mut emails: Vec<&str> = Vec::new();
    let listed = body.get("emails").and_then(Value::as_array).into_iter().flatten();
    for email in listed.filter_map(|e| e.get("value").and_then(Value::as_str)).map(str::trim) {
        if !email.is_empty() && !emails.iter().any(|known| known.eq_ignore_ascii_case(email)) {
            emails.push(email);
        }
    }
    emails
}

/// The trimmed, non-empty text at `pointer`.
pub fn text_at<'a>(body: &'a Value, pointer: &str) -> Option<&'a str> {
    body.pointer(pointer).and_then(Value::as_str).map(str::trim).filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn customers_are_read_from_either_shape_of_answer() {
        let top = ExistingCustomer::from_json(
            &json!({"id": 7, "firstName": "Ada", "lastName": "Lovelace", "emails": [{"type": "work", "value": "a@x.io"}]}),
        );
        assert_eq!(top.describe(), "#7 Ada Lovelace <a@x.io>");
        let embedded = ExistingCustomer::from_json(
            &json!({"id": "c1", "firstName": "Grace", "_embedded": {"emails": [{"value": "g@x.io"}, {"value": "h@x.io"}]}}),
        );
        assert_eq!(embedded.describe(), "#c1 Grace <g@x.io, h@x.io>");
        assert_eq!(ExistingCustomer::from_json(&json!({})).describe(), "(no name)");
        let finosu = ExistingCustomer::from_json(&json!({"id": "INT-1", "firstName": "Ada", "email": "ada@x.io"}));
        assert_eq!(finosu.describe(), "#INT-1 Ada <ada@x.io>");
    }

    #[test]
    fn each_email_is_searched_once() {
        let body = json!({"emails": [{"value": " A@x.io "}, {"value": "a@X.io"}, {"value": ""}, {"value": "b@x.io"}]});
        assert_eq!(emails_of(&body), ["A@x.io", "b@x.io"]);
        assert!(emails_of(&json!({"firstName": "Ada"})).is_empty());
    }
}
