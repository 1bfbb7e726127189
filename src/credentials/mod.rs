//! Credentials: where secrets are kept ([`Vault`]: OS keyring or session memory), how new
//! Help Scout tokens are kept ([`VaultTokenSink`]), and "Test credentials" ([`check_credentials`]).

mod check;
mod vault;

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

pub use check::{CheckReport, Probe, VerdictKind, check_credentials, random_check_id};
pub use vault::{KEYRING_SERVICE, KeyringError, SecretKind, Storage, StoredSecret, Vault, keyring_user};

use crate::backends::server_numbers::{MAX_TOKEN_LIFETIME, utc_of};
use crate::backends::{TokenGrant, TokenSink};
use crate::sync::lock;

/// Keeps the tokens a Help Scout client obtains, so the next run starts with them.
///
/// The tokens go to the vault (the keyring, or the session when the profile's secrets are
/// session-only or no keyring answers); the expiry is for the caller to write into the profile
/// ([`VaultTokenSink::take_expiry`]).
#[derive(Debug)]
pub struct VaultTokenSink {
    vault: Arc<Vault>,
    profile: String,
    /// A new token's expiry not yet taken: `Some(None)` is a new token that does not expire.
    #[expect(clippy::option_option, reason = "no news, and news of a token without expiry, are both needed")]
    expiry: Mutex<Option<Option<chrono::DateTime<chrono::Utc>>>>,
}

impl VaultTokenSink {
    /// A sink for `profile`'s tokens.
    pub fn new(vault: Arc<Vault>, profile: impl Into<String>) -> Arc<Self> {
        Arc::new(Self { vault, profile: profile.into(), expiry: Mutex::new(None) })
    }

    /// The expiry of the newest token since the last call (`Some(None)`: a token without a
    /// stated lifetime), or `None` when no token came.
    pub fn take_expiry(&self) -> Option<Option<chrono::DateTime<chrono::Utc>>> {
        lock(&self.expiry).take()
    }

    /// The session when the profile's secrets are kept there or no keyring answers, else the
    /// keyring. Asks memory, not the keyring, where the profile's secrets are.
    fn storage(&self) -> Storage {
        if self.vault.has_session_secret(&self.profile) || self.vault.keyring_status().is_err() {
            Storage::Session
        } else {
            Storage::Keyring
        }
    }
}

impl TokenSink for VaultTokenSink {
    fn token_granted(&self, grant: &TokenGrant) {
        let storage = self.storage();
        let kept =
            self.vault.set(&self.profile, SecretKind::AccessToken, &grant.access_token, storage).and_then(|()| {
                match &grant.refresh_token {
                    Some(refresh) => self.vault.set(&self.profile, SecretKind::RefreshToken, refresh, storage),
                    None => self.vault.delete(&self.profile, SecretKind::RefreshToken),
                }
            });
        if let Err(error) = kept {
            // The token still works for this run; the next one gets a new one.
            tracing::warn!("could not keep the new token of profile {:?}: {error}", self.profile);
        }
        let expiry = grant.expires_at.and_then(|at| kept_expiry(at, SystemTime::now()));
        *lock(&self.expiry) = Some(expiry);
    }
}

/// The expiry written into the profile: `at` moved into `now..=now + a year`, so a grant built
/// with any time converts (chrono panics on times past its range, about 262,000 years). `None`
/// only for a clock before 1970.
fn kept_expiry(at: SystemTime, now: SystemTime) -> Option<chrono::DateTime<chrono::Utc>> {
    let latest = now.checked_add(MAX_TOKEN_LIFETIME).unwrap_or(now);
    utc_of(at.min(latest).max(now))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn expiries_are_kept_within_a_year_of_now() {
        let now = SystemTime::now();
        let kept = |at| kept_expiry(at, now).expect("a UTC time");
        let year = chrono::Duration::days(365);
        let in_a_year = utc_of(now).expect("now") + year;
        // Around 1e13 s from now chrono's conversion panics; u64::MAX seconds overflows the clock.
        assert_eq!(kept(now + Duration::from_secs(10_000_000_000_000)), in_a_year);
        let farthest = now.checked_add(Duration::from_secs(i64::MAX.unsigned_abs() / 2)).expect("on a 64-bit clock");
        assert_eq!(kept(farthest), in_a_year);
        assert_eq!(kept(now + Duration::from_hours(1)), utc_of(now).expect("now") + chrono::Duration::hours(1));
        assert_eq!(kept(SystemTime::UNIX_EPOCH), utc_of(now).expect("now"), "an expiry already past is now");
    }
}
