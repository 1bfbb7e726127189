//! [`VaultJobs`]: reading and changing a profile's secrets on the blocking pool, since every
//! keyring call is a D-Bus round trip that may wait for an unlock prompt. Each job ends by
//! reading the profile's secrets again (masked), which updates [`SecretStatuses`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::secret_status::{ProfileSecrets, SecretStatuses};
use crate::backends::Secret;
use crate::credentials::{KeyringError, SecretKind, Storage, Vault};
use crate::ui::error::UiError;
use crate::ui::jobs::{Background, Job};
use crate::ui::notice::Notice;

/// What to do with a profile's secrets.
#[derive(Debug)]
pub enum VaultTask {
    /// Read them (masked) and whether the keyring can be used.
    Load,
    /// Keep a new secret in the keyring or for this session only.
    Store {
        /// Which secret.
        kind: SecretKind,
        /// The secret, moved out of the input field.
        secret: Secret,
        /// Keyring or session.
        storage: Storage,
    },
    /// Remove one secret from the keyring and the session.
    Remove(SecretKind),
    /// Remove every secret of a profile that was removed.
    RemoveAll,
    /// Move the secrets of a renamed profile from its old name.
    Rename {
        /// The old name.
        from: String,
    },
}

/// A finished job.
#[derive(Debug)]
pub struct VaultDone {
    /// The profile it was about (the new name after a rename).
    pub profile: String,
    /// What to tell the person; `None` for a plain read.
    pub message: Option<Notice>,
    /// Whether the profile's secrets may have changed (its client must be made afresh).
    pub changed: bool,
    /// A secret that was stored.
    pub stored: Option<SecretKind>,
}

/// What a job sends back.
struct Outcome {
    done: VaultDone,
    seq: u64,
    keyring: Result<(), KeyringError>,
    secrets: Option<ProfileSecrets>,
}

/// Keyring work under way, and the masked copy of what it last read.
pub struct VaultJobs {
    background: Background,
    jobs: Vec<(String, Job<Outcome>)>,
    /// Numbers jobs and UI-thread changes, so an older read never replaces a newer one.
    next_seq: u64,
    statuses: SecretStatuses,
    /// Profiles whose secrets were read (or asked for) this session.
    requested: HashSet<String>,
}

impl std::fmt::Debug for VaultJobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let running: Vec<&str> = self.jobs.iter().map(|(profile, _)| profile.as_str()).collect();
        f.debug_struct("VaultJobs").field("running", &running).field("statuses", &self.statuses).finish_non_exhaustive()
    }
}

impl VaultJobs {
    /// Keyring work run on the app's `background`.
    pub fn new(background: Background) -> Self {
        Self {
            background,
            jobs: Vec::new(),
            next_seq: 0,
            statuses: SecretStatuses::default(),
            requested: HashSet::new(),
        }
    }

    /// What the vault holds, as last read.
    pub fn statuses(&self) -> &SecretStatuses {
        &self.statuses
    }

    /// Whether any keyring work runs.
    pub fn is_busy(&self) -> bool {
        !self.jobs.is_empty()
    }

    /// Whether keyring work for `profile` runs.
    pub fn is_busy_for(&self, profile: &str) -> bool {
        self.jobs.iter().any(|(name, _)| name == profile)
    }

    /// Whether `profile`'s secrets were read or asked for this session.
    pub fn was_requested(&self, profile: &str) -> bool {
        self.requested.contains(profile)
    }

    fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Notes a session secret set on the UI thread (memory only, so it needs no job).
    pub fn note_session_secret(&mut self, profile: &str, kind: SecretKind, masked: String) {
        let seq = self.next_seq();
        self.statuses.note_session_secret(profile, kind, masked, seq);
    }

    /// Starts `task` for `profile` on the blocking pool.
    pub fn start(
        &mut self,
        vault: Arc<Vault>,
        profile: &str,
        task: VaultTask,
        ctx: &egui::Context,
    ) -> Result<(), UiError> {
        let seq = self.next_seq();
        let name = profile.to_owned();
        if let VaultTask::Rename { from } = &task {
            self.statuses.forget(from);
            self.requested.remove(from);
        }
        if matches!(task, VaultTask::RemoveAll) {
            self.statuses.forget(profile);
            self.requested.remove(profile);
        } else {
            self.requested.insert(name.clone());
        }
        let job = self.background.spawn_blocking(ctx, move || run(&vault, name, seq, task))?;
        self.jobs.push((profile.to_owned(), job));
        Ok(())
    }

    /// Jobs that finished since the last call; their reads are already in [`Self::statuses`].
    pub fn poll(&mut self) -> Vec<VaultDone> {
        let mut finished = Vec::new();
        let mut outcomes = Vec::new();
        self.jobs.retain(|(profile, job)| match job.poll() {
            Ok(None) => true,
            Ok(Some(outcome)) => {
                outcomes.push(outcome);
                false
            }
            Err(lost) => {
                let message = format!("The keyring work for profile {profile:?} stopped: {lost}.");
                finished.push(VaultDone {
                    profile: profile.clone(),
                    message: Some(Notice::error(message)),
                    changed: true,
                    stored: None,
                });
                false
            }
        });
        for Outcome { done, seq, keyring, secrets } in outcomes {
            if let Some(secrets) = secrets {
                self.statuses.apply(&done.profile, seq, keyring, secrets);
            }
            finished.push(done);
        }
        finished
    }
}

/// Runs one task on the blocking pool.
fn run(vault: &Vault, profile: String, seq: u64, task: VaultTask) -> Outcome {
    let mut done = VaultDone { profile, message: None, changed: true, stored: None };
    let name = done.profile.as_str();
    match task {
        VaultTask::Load => done.changed = false,
        VaultTask::Store { kind, secret, storage } => {
            done.message = Some(store(vault, name, kind, &secret, storage));
            done.stored = Some(kind);
        }
        VaultTask::Remove(kind) => {
            let noun = kind.noun();
            done.message = Some(match vault.delete(name, kind) {
                Ok(()) => Notice::info(format!("Removed the {noun}.")),
                Err(error) => Notice::error(format!("Could not remove the {noun}: {error}.")),
            });
        }
        VaultTask::RemoveAll => {
            done.message = Some(match vault.delete_all(name) {
                Ok(()) => Notice::info(format!("Removed profile {name:?} and its secrets.")),
                Err(error) => Notice::error(format!(
                    "Removed profile {name:?}, but its secrets could not be deleted from the keyring: {error}."
                )),
            });
            let keyring = vault.keyring_status();
            return Outcome { done, seq, keyring, secrets: None };
        }
        VaultTask::Rename { from } => {
            if let Err(error) = vault.rename(&from, name) {
                let text = format!(
                    "Renamed, but the secrets could not be moved from {from:?}: {error}. Store them again below."
                );
                done.message = Some(Notice::error(text));
            }
        }
    }
    let keyring = vault.keyring_status();
    let kinds: HashMap<_, _> = SecretKind::ALL.iter().map(|kind| (*kind, vault.describe(name, *kind))).collect();
    Outcome { done, seq, keyring, secrets: Some(ProfileSecrets { kinds }) }
}

/// Stores a secret; a new OAuth client secret makes the tokens of the old app stale.
fn store(vault: &Vault, profile: &str, kind: SecretKind, secret: &Secret, storage: Storage) -> Notice {
    if kind == SecretKind::ClientSecret {
        for stale in [SecretKind::AccessToken, SecretKind::RefreshToken] {
            if let Err(error) = vault.delete(profile, stale) {
                // The new app gets its own token at the first send; the old one would be refused.
                tracing::warn!("could not remove the old {} of profile {profile:?}: {error}", stale.noun());
            }
        }
    }
    let noun = kind.noun();
    match (vault.set(profile, kind, secret, storage), storage) {
        (Ok(()), Storage::Keyring) => Notice::info(format!("Stored the {noun} {} in the keyring.", secret.masked())),
        (Ok(()), Storage::Session) => {
            Notice::info(format!("Kept the {noun} {} in memory for this session only.", secret.masked()))
        }
        (Err(error), _) => Notice::error(format!("Could not store the {noun}: {error}. Nothing was stored.")),
    }
}
