//! The domain model: which backend a draft is for, the form's tabs, and the two draft types.
//!
//! A draft on disk is exactly the backend's JSON request body (the seeds' field names), so the
//! file can be sent with curl. The typed drafts here are what the form edits; they convert to and
//! from that JSON without losing anything: fields the form does not know are kept aside.

pub mod finosu;
pub mod helpscout;
mod json_fields;
pub mod limits;
pub mod metadata_rows;
pub mod metadata_templates;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use finosu::FinosuDraft;
pub use helpscout::{HelpScoutDraft, ListEntry, PropertyDefinition, PropertyKind, PropertyRow};

/// The customer API a draft is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Finosu, `POST /customers` with an API key.
    Finosu,
    /// Help Scout Mailbox API v2, `POST /v2/customers` with OAuth 2.
    #[value(name = "helpscout")]
    HelpScout,
}

impl Backend {
    /// Both backends, in the order pickers list them.
    pub const ALL: [Self; 2] = [Self::Finosu, Self::HelpScout];

    /// The product name shown to people.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Finosu => "Finosu",
            Self::HelpScout => "Help Scout",
        }
    }

    /// The path the create request goes to, relative to the profile's base URL.
    pub fn create_path(self) -> &'static str {
        match self {
            Self::Finosu => "/customers",
            Self::HelpScout => "/v2/customers",
        }
    }
}

/// One value per backend, for state the form keeps for each (touched fields, a draft's record).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PerBackend<T> {
    /// Finosu's.
    pub finosu: T,
    /// Help Scout's.
    pub help_scout: T,
}

impl<T> PerBackend<T> {
    /// The value of `backend`.
    pub fn get(&self, backend: Backend) -> &T {
        match backend {
            Backend::Finosu => &self.finosu,
            Backend::HelpScout => &self.help_scout,
        }
    }

    /// The value of `backend`, to change.
    pub fn get_mut(&mut self, backend: Backend) -> &mut T {
        match backend {
            Backend::Finosu => &mut self.finosu,
            Backend::HelpScout => &mut self.help_scout,
        }
    }
}

/// The four tabs of the form, in order (Ctrl+1…4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub enum Tab {
    /// Names and contact details.
    #[default]
    Basic,
    /// Postal address.
    Address,
    /// Free-form data: external metadata (Finosu) or notes, websites, profiles (Help Scout).
    Metadata,
    /// Call configuration (Finosu) or custom properties (Help Scout).
    Properties,
}

impl Tab {
    /// All tabs in display order.
    pub const ALL: [Self; 4] = [Self::Basic, Self::Address, Self::Metadata, Self::Properties];

    /// The tab's title without its problem count.
    pub fn title(self) -> &'static str {
        match self {
            Self::Basic => "Basic",
            Self::Address => "Address",
            Self::Metadata => "Metadata",
            Self::Properties => "Properties",
        }
    }
}

/// A draft for either backend: the form's editable state.
#[derive(Debug, Clone, PartialEq)]
#[expect(clippy::large_enum_variant, reason = "few drafts exist at once; boxing would only add noise")]
pub enum Draft {
    /// A Finosu customer.
    Finosu(FinosuDraft),
    /// A Help Scout customer.
    HelpScout(HelpScoutDraft),
}

impl Draft {
    /// An empty draft for `backend`.
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Finosu => Self::Finosu(FinosuDraft::default()),
            Backend::HelpScout => Self::HelpScout(HelpScoutDraft::default()),
        }
    }

    /// Which backend this draft is for.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Finosu(_) => Backend::Finosu,
            Self::HelpScout(_) => Backend::HelpScout,
        }
    }

    /// The draft as the backend's JSON body, as typed (not normalised), empty fields left out.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Finosu(d) => d.to_json(),
            Self::HelpScout(d) => d.to_json(),
        }
    }

    /// Reads a draft body. Never fails: values of the wrong type and unknown fields are kept
    /// aside so that validation reports them and saving writes them back.
    pub fn from_json(backend: Backend, body: &Value) -> Self {
        match backend {
            Backend::Finosu => Self::Finosu(FinosuDraft::from_json(body)),
            Backend::HelpScout => Self::HelpScout(HelpScoutDraft::from_json(body)),
        }
    }
}
