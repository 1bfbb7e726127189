//! [`SecretStatuses`]: what the vault holds for each profile, masked, as last read off the UI
//! thread, and whether the keyring can be used. The window draws from this copy and never
//! asks the keyring while drawing.

use std::collections::HashMap;

use crate::credentials::{KeyringError, SecretKind, Storage, StoredSecret};
use crate::profiles::{AuthKind, Profile};

/// One secret's state: kept somewhere (masked), absent, or unreadable (keyring locked).
pub type SecretState = Result<Option<StoredSecret>, KeyringError>;

/// What the vault holds for one profile, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSecrets {
    /// Every kind's state; kinds not listed were not read.
    pub kinds: HashMap<SecretKind, SecretState>,
}

/// Whether a profile can sign in, as far as the vault says (for the top bar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSummary {
    /// Not read yet.
    Unknown,
    /// The sandbox's published credentials.
    BuiltIn,
    /// The secret it signs in with is kept: which, masked, and where.
    Present {
        /// The kind of secret.
        kind: SecretKind,
        /// Its masked form.
        masked: String,
        /// Keyring or session.
        storage: Storage,
    },
    /// Something it needs is missing (a secret, or an OAuth app's client id).
    Missing,
    /// The keyring could not be read.
    Unreadable(KeyringError),
}

/// The vault's contents as the window last read them.
#[derive(Debug, Default)]
pub struct SecretStatuses {
    /// Whether the keyring can be used; `None` until first checked.
    keyring: Option<Result<(), KeyringError>>,
    by_profile: HashMap<String, (u64, ProfileSecrets)>,
}

impl SecretStatuses {
    /// Whether the keyring can be used; `None` until the first read comes back.
    pub fn keyring(&self) -> Option<&Result<(), KeyringError>> {
        self.keyring.as_ref()
    }

    /// The secrets of `profile`, once read.
    pub fn of(&self, profile: &str) -> Option<&ProfileSecrets> {
        self.by_profile.get(profile).map(|(_, secrets)| secrets)
    }

    /// Takes a read made by job number `seq`, unless a newer one is already in.
    pub fn apply(&mut self, profile: &str, seq: u64, keyring: Result<(), KeyringError>, secrets: ProfileSecrets) {
        self.keyring = Some(keyring);
        if self.by_profile.get(profile).is_some_and(|(newest, _)| *newest > seq) {
            return;
        }
        self.by_profile.insert(profile.to_owned(), (seq, secrets));
    }

    /// Notes a session secret set on the UI thread (memory only), as change number `seq`.
    pub fn note_session_secret(&mut self, profile: &str, kind: SecretKind, masked: String, seq: u64) {
        let entry = self.by_profile.entry(profile.to_owned()).or_default();
        entry.0 = seq;
        entry.1.kinds.insert(kind, Ok(Some(StoredSecret { masked, storage: Storage::Session })));
    }

    /// Forgets a profile that was removed or renamed.
    pub fn forget(&mut self, profile: &str) {
        self.by_profile.remove(profile);
    }

    /// Whether `profile` can sign in, for the top bar.
    pub fn summary(&self, profile: &Profile) -> CredentialSummary {
        if profile.kind.is_sandbox() {
            return CredentialSummary::BuiltIn;
        }
        let Some(secrets) = self.of(&profile.name) else { return CredentialSummary::Unknown };
        let auth = profile.auth_kind();
        let wanted = auth.typed_secrets();
        if auth == AuthKind::OauthApp && profile.client_id.is_none() {
            return CredentialSummary::Missing;
        }
        for kind in wanted {
            match secrets.kinds.get(kind) {
                Some(Ok(Some(stored))) => {
                    return CredentialSummary::Present {
                        kind: *kind,
                        masked: stored.masked.clone(),
                        storage: stored.storage,
                    };
                }
                Some(Err(error)) => return CredentialSummary::Unreadable(error.clone()),
                Some(Ok(None)) | None => {}
            }
        }
        CredentialSummary::Missing
    }
}

/// How a secret's state reads in the editor: "Stored in keyring ••••a1b2", "Not set".
pub fn state_text(state: Option<&SecretState>) -> String {
    match state {
        None => "Reading…".to_owned(),
        Some(Ok(None)) => "Not set".to_owned(),
        Some(Ok(Some(StoredSecret { masked, storage: Storage::Keyring }))) => format!("Stored in keyring {masked}"),
        Some(Ok(Some(StoredSecret { masked, storage: Storage::Session }))) => format!("This session only {masked}"),
        Some(Err(error)) => format!("Cannot read: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::ProfileKind;

    #[test]
    fn older_reads_do_not_replace_newer_ones() {
        let mut statuses = SecretStatuses::default();
        let profile = Profile::new("Acme", ProfileKind::Finosu, Some("https://a.test".to_owned()));
        assert_eq!(statuses.summary(&profile), CredentialSummary::Unknown);
        statuses.note_session_secret("Acme", SecretKind::ApiKey, "••••a1b2".to_owned(), 5);
        let empty = ProfileSecrets { kinds: HashMap::from([(SecretKind::ApiKey, Ok(None))]) };
        statuses.apply("Acme", 4, Ok(()), empty.clone());
        let present = CredentialSummary::Present {
            kind: SecretKind::ApiKey,
            masked: "••••a1b2".to_owned(),
            storage: Storage::Session,
        };
        assert_eq!(statuses.summary(&profile), present);
        statuses.apply("Acme", 6, Ok(()), empty);
        assert_eq!(statuses.summary(&profile), CredentialSummary::Missing);
        assert_eq!(state_text(statuses.of("Acme").and_then(|s| s.kinds.get(&SecretKind::ApiKey))), "Not set");
    }
}
