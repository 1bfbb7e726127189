//! The store's vocabulary: a customer record, its id, its lifecycle state, and the short form
//! the Drafts list and `intake outbox list` show.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

use crate::model::Backend;

/// Milliseconds since the Unix epoch (UTC): how the store keeps every time.
pub type Millis = i64;

/// Now, in [`Millis`].
pub fn now_millis() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// A record's id: time-ordered and random, made by whoever creates the record (the window
/// names a draft before its first write reaches the disk).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RecordId(String);

impl RecordId {
    /// A new id: `r` + creation time in hex + 12 random hex digits.
    pub fn new() -> Self {
        let random = fastrand::u64(..) & 0xffff_ffff_ffff;
        Self(format!("r{:011x}{random:012x}", now_millis().max(0)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for RecordId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for RecordId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

/// Where a record is in its life (SPEC: "Drafts, outbox and history").
///
/// `draft` → (valid) `ready` → `queued` → `sending` → `sent` | `failed`. Draft, ready and failed
/// records can be edited; queued, sending and sent ones cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordState {
    /// Being typed; has errors (or is empty).
    Draft,
    /// Valid: can be queued.
    Ready,
    /// Waiting for the outbox.
    Queued,
    /// Claimed by an outbox: an attempt is under way, or ended in a way nobody has settled yet.
    Sending,
    /// Created on the server; read-only.
    Sent,
    /// Needs the person: refused for a reason sending again will not fix, or possibly created.
    Failed,
}

impl RecordState {
    /// Every state, in lifecycle order.
    pub const ALL: [Self; 6] = [Self::Draft, Self::Ready, Self::Queued, Self::Sending, Self::Sent, Self::Failed];

    /// The stored and command-line spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Ready => "ready",
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    /// Whether the form may change the record.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Ready | Self::Failed)
    }
}

impl fmt::Display for RecordState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that names no state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown state {0:?}: use draft, ready, queued, sending, sent or failed")]
pub struct UnknownState(pub String);

impl FromStr for RecordState {
    type Err = UnknownState;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|state| state.as_str() == text).ok_or_else(|| UnknownState(text.to_owned()))
    }
}

/// Why a failed record waits for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// The server refused it (400 with field errors, 401, 403, 404, 409): fix and send again.
    Permanent,
    /// The attempt ended without proof either way and the lookup could not settle it: the
    /// customer may have been created. Check before sending again.
    Ambiguous,
}

impl FailureKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Permanent => "permanent",
            Self::Ambiguous => "ambiguous",
        }
    }

    /// From the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "permanent" => Some(Self::Permanent),
            "ambiguous" => Some(Self::Ambiguous),
            _ => None,
        }
    }
}

/// One customer record, whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Its id.
    pub id: RecordId,
    /// The API it is written for.
    pub backend: Backend,
    /// The profile it goes (or went) to.
    pub profile: String,
    /// The body as typed (what the form edits).
    pub body: Value,
    /// The normalised body to send, fixed when it was queued.
    pub payload: Option<Value>,
    /// Where it is in its life.
    pub state: RecordState,
    /// When it was made.
    pub created_at: Millis,
    /// When it last changed.
    pub updated_at: Millis,
    /// Attempts to send it so far.
    pub attempts: u32,
    /// The last ending's machine name (`created`, `rejected`, `timeout`…).
    pub outcome: Option<String>,
    /// The last ending's sentence, or what to do now.
    pub message: Option<String>,
    /// Why a failed record waits.
    pub failure: Option<FailureKind>,
    /// The server's id once created.
    pub server_id: Option<String>,
    /// A queued record is not sent before this (backoff, Retry-After).
    pub next_attempt_at: Option<Millis>,
    /// Who claimed it for sending.
    pub claimant: Option<String>,
    /// The claim holds until then, unless the claimant is known to be gone earlier.
    pub lease_until: Option<Millis>,
    /// The attempt under way (or last made).
    pub attempt_id: Option<String>,
    /// When that attempt began: a customer the server made before it is not ours.
    pub attempt_started_at: Option<Millis>,
    /// Where it came from: `window`, a file path, `import`.
    pub source: Option<String>,
}

impl Record {
    /// The short form for lists.
    pub fn summary(&self) -> RecordSummary {
        let facts = BodyFacts::of(self.backend, &self.body);
        RecordSummary {
            id: self.id.clone(),
            backend: self.backend,
            profile: self.profile.clone(),
            state: self.state,
            name: facts.name,
            email: facts.email,
            customer_ref: facts.customer_ref,
            updated_at: self.updated_at,
            attempts: self.attempts,
            server_id: self.server_id.clone(),
            message: self.message.clone(),
            failure: self.failure,
        }
    }
}

/// A record as lists show it: what identifies the customer, and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordSummary {
    /// The record.
    pub id: RecordId,
    /// Its API.
    pub backend: Backend,
    /// Its profile.
    pub profile: String,
    /// Its state.
    pub state: RecordState,
    /// First and last name.
    pub name: String,
    /// The (first) email.
    pub email: String,
    /// Finosu's customer id (ours); empty for Help Scout.
    pub customer_ref: String,
    /// When it last changed.
    pub updated_at: Millis,
    /// Attempts so far.
    pub attempts: u32,
    /// The server's id once created.
    pub server_id: Option<String>,
    /// The last sentence about it.
    pub message: Option<String>,
    /// Why a failed record waits.
    pub failure: Option<FailureKind>,
}

/// What a list shows of a body, read the same way for every record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFacts {
    /// First and last name.
    pub name: String,
    /// The first email.
    pub email: String,
    /// Finosu's `id`.
    pub customer_ref: String,
}

impl BodyFacts {
    /// Reads the facts of a body as typed.
    pub fn of(backend: Backend, body: &Value) -> Self {
        let text = |pointer: &str| body.pointer(pointer).and_then(Value::as_str).map(str::trim).unwrap_or_default();
        let name = [text("/firstName"), text("/lastName")].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
        let (email, customer_ref) = match backend {
            Backend::Finosu => (text("/email"), text("/id")),
            Backend::HelpScout => (text("/emails/0/value"), ""),
        };
        Self { name: name.join(" "), email: email.to_owned(), customer_ref: customer_ref.to_owned() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_ordered_by_time() {
        let first = RecordId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = RecordId::new();
        assert_ne!(first, second);
        assert!(first < second, "{first} {second}");
        assert_eq!(first.as_str().len(), 24);
    }

    #[test]
    fn states_round_trip_and_unknown_ones_are_named() {
        for state in RecordState::ALL {
            assert_eq!(state.as_str().parse::<RecordState>(), Ok(state));
        }
        assert_eq!("done".parse::<RecordState>(), Err(UnknownState("done".to_owned())));
        assert!(RecordState::Failed.is_editable() && !RecordState::Sent.is_editable());
    }

    #[test]
    fn body_facts_read_names_emails_and_the_finosu_id() {
        let finosu = serde_json::json!({"id": "C-1", "firstName": " Ada ", "lastName": "Lovelace", "email": "a@x.io"});
        let facts = BodyFacts::of(Backend::Finosu, &finosu);
        assert_eq!(
            (facts.name.as_str(), facts.email.as_str(), facts.customer_ref.as_str()),
            ("Ada Lovelace", "a@x.io", "C-1")
        );
        let help_scout = serde_json::json!({"lastName": "Hopper", "emails": [{"type": "work", "value": "g@x.io"}]});
        let facts = BodyFacts::of(Backend::HelpScout, &help_scout);
        assert_eq!((facts.name.as_str(), facts.email.as_str()), ("Hopper", "g@x.io"));
    }
}
