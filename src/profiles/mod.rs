//! Profiles: where customers are sent. The non-secret part (name, backend, base URL, timeouts,
//! what was learned from the server) lives in a plain JSON file; secrets never do.

mod connect;
mod store;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::Url;

use crate::backends::Endpoint;
use crate::backends::http::is_loopback_url;
use crate::credentials::SecretKind;
use crate::model::Backend;

pub use connect::{ConnectError, SecretSource, client_for, credentials_for, sandbox_credentials};
pub use store::ProfileStore;

/// Which API a profile talks to, and whether it is the built-in emulator of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProfileKind {
    /// A real Finosu account.
    #[serde(rename = "finosu")]
    Finosu,
    /// A real Help Scout account.
    #[serde(rename = "helpscout")]
    HelpScout,
    /// The built-in Finosu emulator.
    #[serde(rename = "sandbox-finosu")]
    SandboxFinosu,
    /// The built-in Help Scout emulator.
    #[serde(rename = "sandbox-helpscout")]
    SandboxHelpScout,
}

impl ProfileKind {
    /// The kind of a profile (not a sandbox) for `backend`'s real API.
    pub fn for_real(backend: Backend) -> Self {
        match backend {
            Backend::Finosu => Self::Finosu,
            Backend::HelpScout => Self::HelpScout,
        }
    }

    /// The API this kind of profile talks to.
    pub fn backend(self) -> Backend {
        match self {
            Self::Finosu | Self::SandboxFinosu => Backend::Finosu,
            Self::HelpScout | Self::SandboxHelpScout => Backend::HelpScout,
        }
    }

    /// True for the built-in emulators, whose URL and credentials come from the running sandbox.
    pub fn is_sandbox(self) -> bool {
        matches!(self, Self::SandboxFinosu | Self::SandboxHelpScout)
    }

    /// The config file's spelling (`sandbox-finosu`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Finosu => "finosu",
            Self::HelpScout => "helpscout",
            Self::SandboxFinosu => "sandbox-finosu",
            Self::SandboxHelpScout => "sandbox-helpscout",
        }
    }
}

/// How a profile proves who it is. Finosu has only an API key; Help Scout takes an OAuth app
/// (client credentials) or a pasted access token (with an optional refresh token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    /// Finosu's `X-API-Key`.
    ApiKey,
    /// A Help Scout OAuth app: client id (in the profile) and client secret (in the keyring).
    OauthApp,
    /// A pasted Help Scout access token, and optionally a refresh token.
    Token,
}

impl AuthKind {
    /// The kinds a backend offers, the default first.
    pub fn choices(backend: Backend) -> &'static [Self] {
        match backend {
            Backend::Finosu => &[Self::ApiKey],
            Backend::HelpScout => &[Self::OauthApp, Self::Token],
        }
    }

    /// How the editor names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::ApiKey => "API key",
            Self::OauthApp => "OAuth app (client credentials)",
            Self::Token => "Pasted access token",
        }
    }

    /// The config file's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api-key",
            Self::OauthApp => "oauth-app",
            Self::Token => "token",
        }
    }

    /// The secrets a person types for this kind; the others are obtained (the tokens an OAuth
    /// app is granted). The top bar and the Profiles window's Secrets section both show these.
    pub fn typed_secrets(self) -> &'static [SecretKind] {
        match self {
            Self::ApiKey => &[SecretKind::ApiKey],
            Self::OauthApp => &[SecretKind::ClientSecret],
            Self::Token => &[SecretKind::AccessToken, SecretKind::RefreshToken],
        }
    }

    /// The secrets a profile of this kind keeps in the keyring, the required one first; the
    /// others are optional (a refresh token) or cached (tokens from the grant).
    pub fn secret_kinds(self) -> &'static [SecretKind] {
        match self {
            Self::ApiKey => &[SecretKind::ApiKey],
            Self::OauthApp => &[SecretKind::ClientSecret, SecretKind::AccessToken, SecretKind::RefreshToken],
            Self::Token => &[SecretKind::AccessToken, SecretKind::RefreshToken],
        }
    }

    /// The secret the person must give (the others are optional or obtained).
    pub fn required_secret(self) -> SecretKind {
        self.secret_kinds()[0]
    }
}

fn default_connect_timeout() -> u64 {
    5
}

fn default_timeout() -> u64 {
    30
}

/// One profile, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Unique name, shown in pickers and given to `--profile`.
    pub name: String,
    /// The API and whether it is the sandbox.
    #[serde(rename = "backend")]
    pub kind: ProfileKind,
    /// Where requests go; absent for sandbox profiles (the sandbox picks its port at start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Seconds allowed to connect.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: u64,
    /// Seconds allowed for a whole request.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Task types a Finosu server listed as valid, offered as suggestions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learned_task_types: Vec<String>,
    /// Help Scout custom property definitions, as last fetched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub property_definitions: Vec<crate::model::PropertyDefinition>,
    /// Whether `property_definitions` came from the account (set by every fetch), so that an
    /// empty list means "defines none", not "never fetched".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub property_definitions_fetched: bool,
    /// How it authenticates; absent means the backend's usual way ([`Profile::auth_kind`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthKind>,
    /// A Help Scout OAuth app's client id (not secret; the client secret is in the keyring).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// A live account: the header says so and the first Submit of a session asks first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub production: bool,
    /// When the access token cached in the keyring expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Named external-metadata objects a Finosu draft can start from (absent in older files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metadata_templates: Vec<crate::model::metadata_templates::MetadataTemplate>,
}

/// Name of the built-in Finosu sandbox profile.
pub const SANDBOX_FINOSU: &str = "Sandbox · Finosu";
/// Name of the built-in Help Scout sandbox profile.
pub const SANDBOX_HELPSCOUT: &str = "Sandbox · Help Scout";

impl Profile {
    /// A profile for a real account at `base_url` with default timeouts.
    pub fn new(name: impl Into<String>, kind: ProfileKind, base_url: Option<String>) -> Self {
        Self {
            name: name.into(),
            kind,
            base_url,
            connect_timeout_secs: default_connect_timeout(),
            timeout_secs: default_timeout(),
            learned_task_types: Vec::new(),
            property_definitions: Vec::new(),
            property_definitions_fetched: false,
            auth: None,
            client_id: None,
            production: false,
            token_expires_at: None,
            metadata_templates: Vec::new(),
        }
    }

    /// How this profile authenticates: the stored choice when it fits the backend, else the
    /// backend's usual way (an API key; for Help Scout an OAuth app when a client id is set,
    /// else a pasted token).
    pub fn auth_kind(&self) -> AuthKind {
        let choices = AuthKind::choices(self.backend());
        match self.auth {
            Some(kind) if choices.contains(&kind) => kind,
            _ if self.backend() == Backend::HelpScout && self.client_id.is_none() => AuthKind::Token,
            _ => choices[0],
        }
    }

    /// The two profiles every installation has.
    pub fn builtins() -> [Self; 2] {
        [
            Self::new(SANDBOX_FINOSU, ProfileKind::SandboxFinosu, None),
            Self::new(SANDBOX_HELPSCOUT, ProfileKind::SandboxHelpScout, None),
        ]
    }

    /// The account's property definitions when they are known (fetched now or before): then
    /// any other slug is an error. `None` for a profile whose definitions were never fetched.
    pub fn known_property_definitions(&self) -> Option<&[crate::model::PropertyDefinition]> {
        (self.property_definitions_fetched || !self.property_definitions.is_empty())
            .then_some(self.property_definitions.as_slice())
    }

    /// The API whose form and rules apply.
    pub fn backend(&self) -> Backend {
        self.kind.backend()
    }

    /// Where this profile's requests go. Sandbox profiles need the running sandbox's base URL.
    pub fn endpoint(&self, sandbox_base_url: Option<&str>) -> Result<Endpoint, ProfileError> {
        let text = if self.kind.is_sandbox() {
            sandbox_base_url.ok_or_else(|| ProfileError::SandboxNotRunning(self.name.clone()))?
        } else {
            self.base_url.as_deref().ok_or_else(|| ProfileError::NoBaseUrl(self.name.clone()))?
        };
        let base_url = check_base_url(text)?;
        Ok(Endpoint {
            base_url,
            connect_timeout: Duration::from_secs(self.connect_timeout_secs.max(1)),
            timeout: Duration::from_secs(self.timeout_secs.max(1)),
        })
    }
}

/// Why a profile or the profiles file cannot be used.
#[derive(Debug, Error)]
pub enum ProfileError {
    /// The base URL does not parse.
    #[error("base URL {url:?} is not a URL: {reason}")]
    BadUrl {
        /// What was given.
        url: String,
        /// The parser's complaint.
        reason: url::ParseError,
    },
    /// `http://` to a host that is not loopback, or another scheme.
    #[error("base URL {0:?} must start with https:// (plain http:// is allowed only for localhost, 127.0.0.1 and ::1)")]
    InsecureUrl(String),
    /// The URL carries a user name, password, query or fragment.
    #[error("base URL {0:?} must not contain a user name, password, query or fragment")]
    UrlExtras(String),
    /// A real profile without a base URL.
    #[error("profile {0:?} has no base URL")]
    NoBaseUrl(String),
    /// A sandbox profile used while no sandbox runs.
    #[error("profile {0:?} needs the built-in sandbox, which is not running")]
    SandboxNotRunning(String),
    /// No profile by that name.
    #[error("no profile named {0:?}; `intake profile list` shows them")]
    NotFound(String),
    /// Adding a name that exists.
    #[error("a profile named {0:?} exists already")]
    Duplicate(String),
    /// Removing, duplicating or adding a built-in profile.
    #[error("{0:?} is built in: it cannot be removed, copied or added")]
    BuiltIn(String),
    /// An empty or overlong name.
    #[error("a profile name needs 1 to 80 characters")]
    BadName,
    /// A change a built-in profile does not allow (its name, backend or address).
    #[error("{0:?} is built in: only its timeouts and production flag can change")]
    BuiltInChange(String),
    /// Reading or writing the file failed.
    #[error("cannot {action} the profiles file {path}: {source}")]
    Io {
        /// `read`, `write`, `lock` or `create the folder of`.
        action: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A metadata template that cannot be kept: a bad name, or content that looks secret.
    #[error("metadata template {name:?}: {reason}")]
    BadTemplate {
        /// The template's name as given.
        name: String,
        /// Why it was refused.
        reason: String,
    },
    /// The file is not valid profiles JSON.
    #[error("the profiles file {path} is damaged ({source}); fix or move it away")]
    Damaged {
        /// The file.
        path: std::path::PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
}

/// Parses a base URL and applies the transport rule: `https://`, or `http://` to loopback only.
pub fn check_base_url(text: &str) -> Result<Url, ProfileError> {
    let text = text.trim();
    let url = Url::parse(text).map_err(|reason| ProfileError::BadUrl { url: text.to_owned(), reason })?;
    let allowed = match url.scheme() {
        "https" => true,
        "http" => is_loopback_url(&url),
        _ => false,
    };
    if !allowed || url.host().is_none() {
        return Err(ProfileError::InsecureUrl(text.to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(ProfileError::UrlExtras(text.to_owned()));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_need_https_except_on_loopback() {
        assert!(check_base_url("https://api.helpscout.net").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080/finosu").is_ok());
        assert!(check_base_url("http://localhost:1").is_ok());
        assert!(check_base_url("http://[::1]:9/x").is_ok());
        assert!(matches!(check_base_url("http://api.finosu.com"), Err(ProfileError::InsecureUrl(_))));
        assert!(matches!(check_base_url("ftp://127.0.0.1"), Err(ProfileError::InsecureUrl(_))));
        assert!(matches!(check_base_url("https://u:p@x.com"), Err(ProfileError::UrlExtras(_))));
        assert!(matches!(check_base_url("not a url"), Err(ProfileError::BadUrl { .. })));
    }

    #[test]
    fn sandbox_profiles_take_the_running_sandbox_url() {
        let [finosu, _] = Profile::builtins();
        assert!(matches!(finosu.endpoint(None), Err(ProfileError::SandboxNotRunning(_))));
        let endpoint = finosu.endpoint(Some("http://127.0.0.1:4000/finosu")).expect("endpoint");
        assert_eq!(endpoint.url_for("/customers"), "http://127.0.0.1:4000/finosu/customers");
        assert_eq!(endpoint.timeout, Duration::from_secs(30));
    }
}
