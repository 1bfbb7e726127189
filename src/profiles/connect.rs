//! Turning a profile into a working client: its endpoint plus its credentials. Sandbox profiles
//! use the running sandbox's URL and its published credentials.

use thiserror::Error;

use super::{Profile, ProfileError};
use crate::backends::http::ClientSetupError;
use crate::backends::{Credentials, CustomerClient, HelpScoutAuth, Secret};
use crate::model::Backend;
use crate::sandbox::{FINOSU_API_KEY, HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET, SandboxServer};

/// Why no client could be made for a profile.
#[derive(Debug, Error)]
pub enum ConnectError {
    /// The profile itself is unusable.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// A real profile without a secret.
    #[error("profile {0:?} needs its secret: pass --secret-stdin and type or pipe it")]
    NoSecret(String),
    /// The HTTP client could not be set up.
    #[error(transparent)]
    Setup(#[from] ClientSetupError),
}

/// The built-in sandbox's credentials for `backend` (published in the README).
pub fn sandbox_credentials(backend: Backend) -> Credentials {
    match backend {
        Backend::Finosu => Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY)),
        Backend::HelpScout => Credentials::HelpScout(HelpScoutAuth::ClientCredentials {
            client_id: HELPSCOUT_CLIENT_ID.to_owned(),
            client_secret: Secret::new(HELPSCOUT_CLIENT_SECRET),
        }),
    }
}

/// The sandbox base URL for a backend.
pub fn sandbox_base_url(sandbox: &SandboxServer, backend: Backend) -> String {
    match backend {
        Backend::Finosu => sandbox.finosu_base_url(),
        Backend::HelpScout => sandbox.helpscout_base_url(),
    }
}

/// A client for `profile`. A real profile's `secret` is the Finosu API key or a Help Scout
/// access token; sandbox profiles ignore it.
pub fn client_for(
    profile: &Profile,
    sandbox: Option<&SandboxServer>,
    secret: Option<Secret>,
) -> Result<CustomerClient, ConnectError> {
    let backend = profile.backend();
    let sandbox_url = sandbox.map(|s| sandbox_base_url(s, backend));
    let endpoint = profile.endpoint(sandbox_url.as_deref())?;
    let credentials = if profile.kind.is_sandbox() {
        sandbox_credentials(backend)
    } else {
        let secret = secret.filter(|s| !s.is_empty()).ok_or_else(|| ConnectError::NoSecret(profile.name.clone()))?;
        match backend {
            Backend::Finosu => Credentials::FinosuApiKey(secret),
            Backend::HelpScout => Credentials::HelpScout(HelpScoutAuth::AccessToken(secret)),
        }
    };
    Ok(CustomerClient::new(endpoint, credentials)?)
}
