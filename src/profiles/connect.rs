//! Turning a profile into a working client: its endpoint plus its credentials. Sandbox profiles
//! use the running sandbox's URL and its published credentials; real profiles read the vault
//! (keyring or session) or take a one-off secret.

use std::sync::Arc;
use std::time::SystemTime;

use thiserror::Error;

use super::{AuthKind, Profile, ProfileError};
use crate::backends::http::ClientSetupError;
use crate::backends::{Credentials, CustomerClient, HelpScoutAuth, OAuthApp, Secret, TokenSink};
use crate::credentials::{KeyringError, SecretKind, Vault};
use crate::model::Backend;
use crate::sandbox::{FINOSU_API_KEY, HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET, SandboxServer};

/// Why no client could be made for a profile.
#[derive(Debug, Error)]
pub enum ConnectError {
    /// The profile itself is unusable.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// A real profile without the secret it needs.
    #[error(
        "profile {profile:?} has no {what}: store it with `intake credentials set --profile {profile:?}` or in the window's Profiles editor (or pass --secret-stdin for one run)"
    )]
    NoSecret {
        /// The profile.
        profile: String,
        /// "API key", "client id", "access token"…
        what: &'static str,
    },
    /// The keyring is reachable but failed or is locked.
    #[error("cannot read the secrets of profile {profile:?}: {source}")]
    Keyring {
        /// The profile.
        profile: String,
        /// What the keyring said.
        source: KeyringError,
    },
    /// The HTTP client could not be set up.
    #[error(transparent)]
    Setup(#[from] ClientSetupError),
}

impl ConnectError {
    /// The machine name for `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Profile(_) => "profile",
            Self::NoSecret { .. } => "no_secret",
            Self::Keyring { .. } => "keyring",
            Self::Setup(_) => "setup",
        }
    }
}

/// The built-in sandbox's credentials for `backend` (published in the README).
pub fn sandbox_credentials(backend: Backend) -> Credentials {
    match backend {
        Backend::Finosu => Credentials::FinosuApiKey(Secret::new(FINOSU_API_KEY)),
        Backend::HelpScout => Credentials::HelpScout(HelpScoutAuth::client_credentials(
            HELPSCOUT_CLIENT_ID,
            Secret::new(HELPSCOUT_CLIENT_SECRET),
        )),
    }
}

/// Where a real profile's secrets come from.
#[derive(Debug, Clone, Copy)]
pub enum SecretSource<'a> {
    /// The vault: the keyring, or secrets kept for this session. Blocking (D-Bus).
    Vault(&'a Vault),
    /// One secret for one run (`--secret-stdin`): the Finosu API key or a Help Scout access
    /// token, never stored.
    OneOff(&'a Secret),
}

/// The credentials `profile` authenticates with. Sandbox profiles use the built-in ones.
pub fn credentials_for(profile: &Profile, source: SecretSource<'_>) -> Result<Credentials, ConnectError> {
    let backend = profile.backend();
    if profile.kind.is_sandbox() {
        return Ok(sandbox_credentials(backend));
    }
    let vault = match source {
        SecretSource::OneOff(secret) if !secret.is_empty() => {
            return Ok(match backend {
                Backend::Finosu => Credentials::FinosuApiKey(secret.clone()),
                Backend::HelpScout => Credentials::HelpScout(HelpScoutAuth::access_token(secret.clone())),
            });
        }
        SecretSource::OneOff(_) => {
            return Err(ConnectError::NoSecret { profile: profile.name.clone(), what: secret_noun(profile) });
        }
        SecretSource::Vault(vault) => vault,
    };
    let get = |kind: SecretKind| {
        vault.get(&profile.name, kind).map_err(|source| ConnectError::Keyring { profile: profile.name.clone(), source })
    };
    let missing = |what| ConnectError::NoSecret { profile: profile.name.clone(), what };
    match profile.auth_kind() {
        AuthKind::ApiKey => {
            Ok(Credentials::FinosuApiKey(get(SecretKind::ApiKey)?.ok_or_else(|| missing(SecretKind::ApiKey.noun()))?))
        }
        kind => {
            let access_token = get(SecretKind::AccessToken)?;
            let refresh_token = get(SecretKind::RefreshToken)?;
            let client_secret = get(SecretKind::ClientSecret)?;
            let app = match (profile.client_id.clone(), client_secret) {
                (Some(client_id), Some(client_secret)) => Some(OAuthApp { client_id, client_secret }),
                (None, _) if kind == AuthKind::OauthApp => return Err(missing("client id")),
                (_, None) if kind == AuthKind::OauthApp => return Err(missing(SecretKind::ClientSecret.noun())),
                _ => None,
            };
            if app.is_none() && access_token.is_none() && refresh_token.is_none() {
                return Err(missing(SecretKind::AccessToken.noun()));
            }
            let expires_at = profile.token_expires_at.map(SystemTime::from).filter(|_| access_token.is_some());
            Ok(Credentials::HelpScout(HelpScoutAuth { app, access_token, refresh_token, expires_at }))
        }
    }
}

/// What the profile's required secret is called, for messages.
fn secret_noun(profile: &Profile) -> &'static str {
    profile.auth_kind().required_secret().noun()
}

/// A client for `profile` with `credentials`; `sink` keeps tokens the client obtains.
pub fn client_for(
    profile: &Profile,
    sandbox: Option<&SandboxServer>,
    credentials: Credentials,
    sink: Option<Arc<dyn TokenSink>>,
) -> Result<CustomerClient, ConnectError> {
    let backend = profile.backend();
    let sandbox_url = sandbox.map(|s| s.base_url(backend));
    let endpoint = profile.endpoint(sandbox_url.as_deref())?;
    Ok(CustomerClient::new(endpoint, credentials, sink)?)
}
