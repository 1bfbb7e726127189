//! Where secrets live: the OS keyring (the Secret Service on Linux and the BSDs, the Keychain on
//! macOS, the Credential Manager on Windows), or, when none is reachable or the person chooses so,
//! this process's memory for the session only. Nothing here writes a file.
//!
//! Keyring calls are blocking (D-Bus round trips on Linux, and any of them may wait for an unlock
//! prompt), so callers make them off the UI thread. The platform shows only in
//! [`open_platform_store`] and [`KEYRING_NAME`]; everything else is the same `keyring-core` API.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use keyring_core::api::CredentialStore;
use thiserror::Error;

use crate::backends::Secret;
use crate::backends::http::error_chain_text;
use crate::sync::lock;

/// The keyring service every Intake entry is stored under.
pub const KEYRING_SERVICE: &str = "intake";

/// The OS keyring this build uses, by the name its users know it; it prefixes the detail of a
/// keyring error ("no keyring is reachable (Secret Service: …)").
#[cfg(target_os = "macos")]
pub const KEYRING_NAME: &str = "macOS Keychain";
/// The OS keyring this build uses, by the name its users know it; it prefixes the detail of a
/// keyring error ("no keyring is reachable (Secret Service: …)").
#[cfg(windows)]
pub const KEYRING_NAME: &str = "Windows Credential Manager";
/// The OS keyring this build uses, by the name its users know it; it prefixes the detail of a
/// keyring error ("no keyring is reachable (Secret Service: …)").
#[cfg(not(any(target_os = "macos", windows)))]
pub const KEYRING_NAME: &str = "Secret Service";

/// The kinds of secret a profile can have; one keyring entry each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretKind {
    /// Finosu's API key.
    ApiKey,
    /// A Help Scout OAuth app's client secret.
    ClientSecret,
    /// A Help Scout access token (pasted, or cached from a grant).
    AccessToken,
    /// A Help Scout refresh token.
    RefreshToken,
}

impl SecretKind {
    /// Every kind, in the order an editor shows them.
    pub const ALL: [Self; 4] = [Self::ApiKey, Self::ClientSecret, Self::AccessToken, Self::RefreshToken];

    /// The keyring spelling (`api-key`), part of the entry's user name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api-key",
            Self::ClientSecret => "client-secret",
            Self::AccessToken => "access-token",
            Self::RefreshToken => "refresh-token",
        }
    }

    /// The kind's name inside a sentence: "API key", "client secret".
    pub fn noun(self) -> &'static str {
        match self {
            Self::ApiKey => "API key",
            Self::ClientSecret => "client secret",
            Self::AccessToken => "access token",
            Self::RefreshToken => "refresh token",
        }
    }

    /// How people call it at the start of a line or as a label ("API key", "Client secret").
    pub fn label(self) -> &'static str {
        match self {
            Self::ApiKey => "API key",
            Self::ClientSecret => "Client secret",
            Self::AccessToken => "Access token",
            Self::RefreshToken => "Refresh token",
        }
    }
}

/// The keyring entry's user name for a profile's secret: `Acme/api-key`.
pub fn keyring_user(profile: &str, kind: SecretKind) -> String {
    format!("{profile}/{}", kind.as_str())
}

/// Why the keyring could not be used.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum KeyringError {
    /// No keyring answers (Secret Service: no D-Bus session or keyring daemon; Keychain or
    /// Credential Manager: no login session to hold it).
    #[error("no keyring is reachable ({0})")]
    Unavailable(String),
    /// The keyring is locked, or refused access (an unlock prompt was dismissed).
    #[error("the keyring is locked or refused access ({0})")]
    Locked(String),
    /// Any other keyring failure.
    #[error("the keyring failed: {0}")]
    Failed(String),
}

/// Where a secret is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// The OS keyring.
    Keyring,
    /// Memory, for this session only.
    Session,
}

/// A secret's presence, shown masked (`••••a1b2`), and where it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecret {
    /// The masked form, never more than the last four characters.
    pub masked: String,
    /// Keyring or session.
    pub storage: Storage,
}

enum KeyringState {
    Ready(Arc<CredentialStore>),
    Unavailable(KeyringError),
}

/// The secrets of every profile: the keyring plus session-only secrets. Cheap to share (`Arc`).
pub struct Vault {
    keyring: OnceLock<KeyringState>,
    /// Whether to open the OS keyring on first use (false: session secrets only).
    use_keyring: bool,
    session: Mutex<HashMap<(String, SecretKind), Secret>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let session: Vec<String> =
            lock(&self.session).keys().map(|(profile, kind)| keyring_user(profile, *kind)).collect();
        f.debug_struct("Vault").field("session_secrets", &session).finish_non_exhaustive()
    }
}

/// The platform's keyring store, not yet used: the macOS Keychain (the login keychain), the
/// Windows Credential Manager, else (Linux, the BSDs) the Secret Service over D-Bus.
fn open_platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    #[cfg(target_os = "macos")]
    let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
    #[cfg(windows)]
    let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
    #[cfg(not(any(target_os = "macos", windows)))]
    let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()?;
    Ok(store)
}

/// Opens the platform's keyring and checks that it answers, so "unavailable" is known up front
/// and not at the first save. The check reads an entry that is never written: "no such entry" is
/// the answer of a working keyring, on every platform (a search would not do: each store takes
/// different search keys).
fn open_keyring() -> Result<Arc<CredentialStore>, KeyringError> {
    let store = open_platform_store().map_err(|e| classify(&e))?;
    let probe = store.build(KEYRING_SERVICE, "intake-probe", None).map_err(|e| classify(&e))?;
    match probe.get_password() {
        Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(store),
        Err(error) => Err(classify(&error)),
    }
}

/// A keyring failure as the vault reports it, the detail prefixed with the keyring's name.
fn classify(error: &keyring_core::Error) -> KeyringError {
    let detail = format!("{KEYRING_NAME}: {}", error_chain_text(error));
    match error {
        keyring_core::Error::NoStorageAccess(_) => KeyringError::Locked(detail),
        keyring_core::Error::PlatformFailure(_) | keyring_core::Error::NoDefaultStore => {
            KeyringError::Unavailable(detail)
        }
        _ => KeyringError::Failed(detail),
    }
}

impl Vault {
    /// The OS keyring (opened on first use, off the UI thread) plus session secrets.
    pub fn system() -> Arc<Self> {
        Arc::new(Self { keyring: OnceLock::new(), use_keyring: true, session: Mutex::default() })
    }

    /// Session secrets only, as when no keyring is reachable (tests, or the person's choice).
    pub fn session_only(reason: &str) -> Arc<Self> {
        let keyring = OnceLock::new();
        keyring.set(KeyringState::Unavailable(KeyringError::Unavailable(reason.to_owned()))).ok();
        Arc::new(Self { keyring, use_keyring: false, session: Mutex::default() })
    }

    fn store(&self) -> Result<&Arc<CredentialStore>, KeyringError> {
        let state = self.keyring.get_or_init(|| {
            if !self.use_keyring {
                return KeyringState::Unavailable(KeyringError::Unavailable("no keyring configured".to_owned()));
            }
            match open_keyring() {
                Ok(store) => KeyringState::Ready(store),
                Err(error) => {
                    tracing::warn!("{error}; secrets are kept for this session only");
                    KeyringState::Unavailable(error)
                }
            }
        });
        match state {
            KeyringState::Ready(store) => Ok(store),
            KeyringState::Unavailable(error) => Err(error.clone()),
        }
    }

    /// Whether the keyring can be used; blocking (the first call opens it).
    pub fn keyring_status(&self) -> Result<(), KeyringError> {
        self.store().map(|_| ())
    }

    fn entry(&self, profile: &str, kind: SecretKind) -> Result<keyring_core::Entry, KeyringError> {
        let store = self.store()?;
        store.build(KEYRING_SERVICE, &keyring_user(profile, kind), None).map_err(|e| classify(&e))
    }

    /// A profile's secret: the session one if set, else the keyring's. `Ok(None)` when neither
    /// has one; an error only when the keyring is reachable but failed.
    pub fn get(&self, profile: &str, kind: SecretKind) -> Result<Option<Secret>, KeyringError> {
        Ok(self.find(profile, kind)?.map(|(secret, _)| secret))
    }

    /// Where a profile's secret is kept and its masked form; `None` when it has none.
    pub fn describe(&self, profile: &str, kind: SecretKind) -> Result<Option<StoredSecret>, KeyringError> {
        Ok(self.find(profile, kind)?.map(|(secret, storage)| StoredSecret { masked: secret.masked(), storage }))
    }

    /// Whether any secret of `profile` is kept for the session only (memory; no keyring call).
    pub fn has_session_secret(&self, profile: &str) -> bool {
        lock(&self.session).keys().any(|(name, _)| name == profile)
    }

    /// The session's secret, else the keyring's, and where it was found. An unreachable keyring
    /// holds nothing; any other keyring failure is an error.
    fn find(&self, profile: &str, kind: SecretKind) -> Result<Option<(Secret, Storage)>, KeyringError> {
        if let Some(secret) = lock(&self.session).get(&(profile.to_owned(), kind)) {
            return Ok(Some((secret.clone(), Storage::Session)));
        }
        match self.get_from_keyring(profile, kind) {
            Ok(found) => Ok(found.map(|secret| (secret, Storage::Keyring))),
            Err(KeyringError::Unavailable(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    fn get_from_keyring(&self, profile: &str, kind: SecretKind) -> Result<Option<Secret>, KeyringError> {
        match self.entry(profile, kind)?.get_password() {
            Ok(text) => {
                let secret = Secret::new(text);
                Ok((!secret.is_empty()).then_some(secret))
            }
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(error) => Err(classify(&error)),
        }
    }

    /// Stores a secret in the keyring (replacing a session one), or in memory only.
    pub fn set(&self, profile: &str, kind: SecretKind, secret: &Secret, storage: Storage) -> Result<(), KeyringError> {
        let key = (profile.to_owned(), kind);
        match storage {
            Storage::Session => {
                lock(&self.session).insert(key, secret.clone());
                Ok(())
            }
            Storage::Keyring => {
                self.entry(profile, kind)?.set_password(secret.expose()).map_err(|e| classify(&e))?;
                lock(&self.session).remove(&key);
                Ok(())
            }
        }
    }

    /// Removes a secret from the session and the keyring; removing nothing is fine.
    pub fn delete(&self, profile: &str, kind: SecretKind) -> Result<(), KeyringError> {
        lock(&self.session).remove(&(profile.to_owned(), kind));
        let entry = match self.entry(profile, kind) {
            Ok(entry) => entry,
            Err(KeyringError::Unavailable(_)) => return Ok(()),
            Err(other) => return Err(other),
        };
        match entry.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(error) => Err(classify(&error)),
        }
    }

    /// Removes every secret of a profile (when it is removed, or its secrets are cleared).
    pub fn delete_all(&self, profile: &str) -> Result<(), KeyringError> {
        SecretKind::ALL.iter().try_for_each(|kind| self.delete(profile, *kind))
    }

    /// Moves every secret of a renamed profile to its new name.
    pub fn rename(&self, old: &str, new: &str) -> Result<(), KeyringError> {
        if old == new {
            return Ok(());
        }
        for kind in SecretKind::ALL {
            {
                let mut session = lock(&self.session);
                if let Some(secret) = session.remove(&(old.to_owned(), kind)) {
                    session.insert((new.to_owned(), kind), secret);
                }
            }
            match self.get_from_keyring(old, kind) {
                Ok(Some(secret)) => {
                    self.set(new, kind, &secret, Storage::Keyring)?;
                    self.delete(old, kind)?;
                }
                Ok(None) | Err(KeyringError::Unavailable(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_only_vault_keeps_secrets_in_memory() {
        let vault = Vault::session_only("test");
        assert!(matches!(vault.keyring_status(), Err(KeyringError::Unavailable(_))));
        assert_eq!(vault.get("p", SecretKind::ApiKey).expect("get"), None);
        let secret = Secret::new("fsk_live_1234567890");
        assert!(vault.set("p", SecretKind::ApiKey, &secret, Storage::Keyring).is_err());
        assert!(!vault.has_session_secret("p"));
        vault.set("p", SecretKind::ApiKey, &secret, Storage::Session).expect("session");
        assert!(vault.has_session_secret("p"));
        assert_eq!(vault.get("p", SecretKind::ApiKey).expect("get"), Some(secret));
        let shown = vault.describe("p", SecretKind::ApiKey).expect("describe").expect("present");
        assert_eq!(shown, StoredSecret { masked: "••••7890".to_owned(), storage: Storage::Session });
        vault.rename("p", "q").expect("rename");
        assert!(vault.get("p", SecretKind::ApiKey).expect("get").is_none());
        assert!(format!("{vault:?}").contains("q/api-key"));
        assert!(!format!("{vault:?}").contains("1234567890"));
        vault.delete_all("q").expect("delete");
        assert!(!vault.has_session_secret("q"));
        assert!(vault.get("q", SecretKind::ApiKey).expect("get").is_none());
    }

    #[test]
    #[cfg(not(any(target_os = "macos", windows)))]
    fn linux_and_the_bsds_use_the_secret_service() {
        assert_eq!(KEYRING_NAME, "Secret Service");
        // Without a session bus the store cannot connect, which is "no keyring", named as such;
        // with one (scripts/test.sh) it is the Secret Service store.
        match open_platform_store() {
            Ok(store) => assert!(store.vendor().starts_with("Secret Service store"), "{}", store.vendor()),
            Err(error) => {
                let error = classify(&error);
                assert!(matches!(error, KeyringError::Unavailable(_)), "{error:?}");
                assert!(error.to_string().starts_with("no keyring is reachable (Secret Service: "), "{error}");
            }
        }
    }

    #[test]
    fn keyring_errors_name_the_platform_keyring() {
        let locked = classify(&keyring_core::Error::NoStorageAccess("dismissed".into())).to_string();
        assert!(locked.starts_with(&format!("the keyring is locked or refused access ({KEYRING_NAME}: ")), "{locked}");
        assert!(locked.ends_with("dismissed)"), "{locked}");
        let missing = classify(&keyring_core::Error::PlatformFailure("no daemon".into())).to_string();
        assert!(missing.starts_with(&format!("no keyring is reachable ({KEYRING_NAME}: ")), "{missing}");
        assert!(missing.ends_with("no daemon)"), "{missing}");
        assert!(matches!(classify(&keyring_core::Error::NoDefaultStore), KeyringError::Unavailable(_)));
        let other = classify(&keyring_core::Error::Invalid("user".into(), "too long".into()));
        assert!(matches!(other, KeyringError::Failed(_)), "{other:?}");
    }

    #[test]
    fn entry_names_are_profile_and_kind() {
        assert_eq!(keyring_user("Acme EU", SecretKind::RefreshToken), "Acme EU/refresh-token");
    }
}
