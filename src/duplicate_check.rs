//! The duplicate check before a create: is this customer already on the server?
//!
//! It asks with the same lookup that reconciles an ambiguous send
//! ([`find_existing`]): Help Scout by each of the customer's emails, Finosu by its id. A lookup
//! that fails never blocks sending on its own: the window asks the person, the CLI reports it
//! and sends. A Finosu server with no read route cannot be asked, which is said, and sending
//! goes on.

use serde::Serialize;
use serde_json::Value;

use crate::backends::existing::{Existing, ExistingCustomer, find_existing};
use crate::backends::{CustomerClient, Exchange};
use crate::model::Backend;

/// What the check concluded.
#[derive(Debug, Clone, PartialEq)]
pub enum DuplicateVerdict {
    /// No such customer: create it.
    Clear,
    /// The server holds these already: warn, and let the person choose.
    Found(Vec<ExistingCustomer>),
    /// The server cannot be asked (Finosu without a read route) or there is nothing to ask by
    /// (no email): sending goes on, and the sentence says the check did not happen.
    Unchecked(String),
    /// The lookup failed (offline, 5xx, refused): sending goes on only when the person agrees
    /// (the CLI reports it and sends).
    LookupFailed(String),
}

impl DuplicateVerdict {
    /// The `--json` name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Clear => "clear",
            Self::Found(_) => "duplicate",
            Self::Unchecked(_) => "unchecked",
            Self::LookupFailed(_) => "lookup_failed",
        }
    }

    /// One sentence for a status line, a CLI line or the warning's heading.
    pub fn sentence(&self, backend: Backend) -> String {
        let api = backend.display_name();
        match self {
            Self::Clear => format!("No existing customer found in {api}."),
            Self::Found(customers) => {
                let list = customers.iter().take(3).map(ExistingCustomer::describe).collect::<Vec<_>>().join("; ");
                let more = customers.len().saturating_sub(3);
                let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                format!("{}: {list}{more}.", found_by(backend))
            }
            Self::Unchecked(why) => format!("Not checked for duplicates: {why}."),
            Self::LookupFailed(why) => format!("Could not check for an existing customer: {}", full_stop(why)),
        }
    }
}

/// "Help Scout already has a customer with this email", the start of a match's sentence.
pub fn found_by(backend: Backend) -> String {
    let by = match backend {
        Backend::Finosu => "this id",
        Backend::HelpScout => "this email",
    };
    format!("{} already has a customer with {by}", backend.display_name())
}

/// The check's verdict and the requests it made (for the viewer).
#[derive(Debug, Clone)]
pub struct DuplicateCheck {
    /// What it concluded.
    pub verdict: DuplicateVerdict,
    /// Every request it made, secrets masked.
    pub exchanges: Vec<Exchange>,
}

/// The `--json` form of a check.
#[derive(Debug, Serialize)]
pub struct DuplicateCheckReport {
    /// `clear`, `duplicate`, `unchecked` or `lookup_failed`.
    pub result: &'static str,
    /// The sentence.
    pub message: String,
    /// The existing customers' ids (for `duplicate`).
    pub existing_ids: Vec<String>,
}

impl DuplicateCheck {
    /// Its `--json` form.
    pub fn report(&self, backend: Backend) -> DuplicateCheckReport {
        let existing_ids = match &self.verdict {
            DuplicateVerdict::Found(customers) => customers.iter().filter_map(|c| c.id.clone()).collect(),
            _ => Vec::new(),
        };
        DuplicateCheckReport { result: self.verdict.as_str(), message: self.verdict.sentence(backend), existing_ids }
    }
}

/// Asks the server whether the customer of `payload` (a normalised request body) exists.
pub async fn check_for_duplicates(client: &CustomerClient, payload: &Value) -> DuplicateCheck {
    let (existing, exchanges) = find_existing(client, payload).await;
    let verdict = match existing {
        Existing::Found(customers) => DuplicateVerdict::Found(customers),
        Existing::None => DuplicateVerdict::Clear,
        Existing::CannotAsk(why) | Existing::NothingToSearchBy(why) => DuplicateVerdict::Unchecked(why),
        Existing::Failed(why) => DuplicateVerdict::LookupFailed(why),
    };
    DuplicateCheck { verdict, exchanges }
}

fn full_stop(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?']) { text.to_owned() } else { format!("{text}.") }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_sentences_name_the_existing_customers() {
        let found = DuplicateVerdict::Found(vec![ExistingCustomer::from_json(
            &json!({"id": 42, "firstName": "Ada", "lastName": "Lovelace", "emails": [{"value": "ada@x.io"}]}),
        )]);
        assert_eq!(
            found.sentence(Backend::HelpScout),
            "Help Scout already has a customer with this email: #42 Ada Lovelace <ada@x.io>."
        );
        let many = DuplicateVerdict::Found((0..5).map(|i| ExistingCustomer::from_json(&json!({"id": i}))).collect());
        assert!(
            many.sentence(Backend::Finosu).ends_with("#2 (no name) and 2 more."),
            "{}",
            many.sentence(Backend::Finosu)
        );
        assert_eq!(
            DuplicateVerdict::LookupFailed("Server error (503)".to_owned()).sentence(Backend::Finosu),
            "Could not check for an existing customer: Server error (503)."
        );
    }
}
