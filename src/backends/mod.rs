//! Talking to the customer APIs: one client per backend, every ending a typed [`Outcome`], every
//! attempt recorded as an [`Exchange`] with its secrets masked.

pub mod curl;
pub mod exchange;
pub mod existing;
pub mod finosu;
pub mod helpscout;
pub mod http;
pub mod outcome;
pub mod secret;
pub mod server_numbers;
pub mod server_text;

pub use curl::curl_command;
pub use exchange::{Exchange, Header, ResponseRecord, mask_customer_secrets, mask_secrets_in_text, masked_body_text};
pub use finosu::FinosuClient;
pub use helpscout::{HelpScoutAuth, HelpScoutClient, OAuthApp, TokenGrant, TokenSink};
pub use http::Endpoint;
pub use outcome::{FieldError, GrantType, Outcome, TimeoutPhase};
pub use secret::{Secret, mask_secret};

use std::sync::Arc;

use serde_json::Value;

use crate::model::Backend;

/// A profile's credentials, in memory only.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Finosu's API key.
    FinosuApiKey(Secret),
    /// Help Scout's token or OAuth app.
    HelpScout(HelpScoutAuth),
}

impl Credentials {
    /// The backend these credentials are for.
    pub fn backend(&self) -> Backend {
        match self {
            Self::FinosuApiKey(_) => Backend::Finosu,
            Self::HelpScout(_) => Backend::HelpScout,
        }
    }
}

/// A client for either backend, cheap to clone and share between tasks.
#[derive(Debug, Clone)]
pub enum CustomerClient {
    /// Finosu.
    Finosu(Arc<FinosuClient>),
    /// Help Scout.
    HelpScout(Arc<HelpScoutClient>),
}

impl CustomerClient {
    /// A client for `endpoint` with `credentials` (which decide the backend); `sink` keeps the
    /// Help Scout tokens the client obtains.
    pub fn new(
        endpoint: Endpoint,
        credentials: Credentials,
        sink: Option<Arc<dyn TokenSink>>,
    ) -> Result<Self, http::ClientSetupError> {
        Ok(match credentials {
            Credentials::FinosuApiKey(key) => Self::Finosu(Arc::new(FinosuClient::new(endpoint, key)?)),
            Credentials::HelpScout(auth) => {
                Self::HelpScout(Arc::new(HelpScoutClient::new(endpoint, auth)?.with_token_sink(sink)))
            }
        })
    }

    /// Where this client's requests go.
    pub fn endpoint(&self) -> &Endpoint {
        match self {
            Self::Finosu(client) => client.endpoint(),
            Self::HelpScout(client) => client.endpoint(),
        }
    }

    /// Which API this client talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Finosu(_) => Backend::Finosu,
            Self::HelpScout(_) => Backend::HelpScout,
        }
    }

    /// The URL a create goes to.
    pub fn create_url(&self) -> String {
        self.endpoint().url_for(self.backend().create_path())
    }

    /// Help Scout's custom property definitions; `None` for Finosu, which has none.
    pub async fn property_definitions(
        &self,
    ) -> Option<(Vec<Exchange>, Result<Vec<crate::model::PropertyDefinition>, String>)> {
        match self {
            Self::Finosu(_) => None,
            Self::HelpScout(client) => Some(client.property_definitions().await),
        }
    }

    /// Sends a normalised body; every exchange it took, the last one deciding.
    pub async fn create_customer(&self, body: &Value) -> Vec<Exchange> {
        match self {
            Self::Finosu(client) => vec![client.create_customer(body).await],
            Self::HelpScout(client) => client.create_customer(body).await,
        }
    }
}
