//! [`ClientPool`]: one client per profile, made from the vault's secrets off the UI thread and
//! shared by the network worker (definitions, credential tests) and the outbox worker (sends).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::backends::{CustomerClient, Endpoint, TokenSink};
use crate::credentials::{Vault, VaultTokenSink};
use crate::model::{Backend, PerBackend};
use crate::profiles::{Profile, SecretSource, credentials_for};
use crate::sync::lock;
use crate::ui::error::UiError;

/// Clients by profile, and what makes them.
#[derive(Debug)]
pub struct ClientPool {
    vault: Arc<Vault>,
    clients: Mutex<HashMap<String, CustomerClient>>,
    sinks: Mutex<HashMap<String, Arc<VaultTokenSink>>>,
    /// The in-process sandbox's base URLs, once it runs.
    sandbox: Mutex<Option<PerBackend<String>>>,
}

impl ClientPool {
    /// A pool reading secrets from `vault`.
    pub fn new(vault: Arc<Vault>) -> Arc<Self> {
        Arc::new(Self {
            vault,
            clients: Mutex::new(HashMap::new()),
            sinks: Mutex::new(HashMap::new()),
            sandbox: Mutex::new(None),
        })
    }

    /// The vault secrets are read from.
    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    /// Where the sandbox profiles' requests go from now on.
    pub fn set_sandbox(&self, urls: PerBackend<String>) {
        *lock(&self.sandbox) = Some(urls);
    }

    /// Where `profile`'s requests go.
    pub fn endpoint(&self, profile: &Profile) -> Result<Endpoint, UiError> {
        let sandbox = lock(&self.sandbox);
        let sandbox_url =
            sandbox.as_ref().filter(|_| profile.kind.is_sandbox()).map(|urls| urls.get(profile.backend()));
        Ok(profile.endpoint(sandbox_url.map(String::as_str))?)
    }

    /// `profile`'s client: cached for its endpoint, or made from the vault's secrets (read on
    /// the blocking pool, since a keyring call is a D-Bus round trip). Errors are sentences.
    pub async fn client(self: &Arc<Self>, profile: &Profile) -> Result<CustomerClient, String> {
        let endpoint = self.endpoint(profile).map_err(|e| e.to_string())?;
        if let Some(client) = lock(&self.clients).get(&profile.name).filter(|c| *c.endpoint() == endpoint) {
            return Ok(client.clone());
        }
        let credentials = if profile.kind.is_sandbox() {
            crate::profiles::sandbox_credentials(profile.backend())
        } else {
            let (owned, vault) = (profile.clone(), Arc::clone(&self.vault));
            tokio::task::spawn_blocking(move || credentials_for(&owned, SecretSource::Vault(&vault)))
                .await
                .map_err(|e| format!("reading the secrets stopped: {e}"))?
                .map_err(|e| e.to_string())?
        };
        let sink = self.sink(profile).map(|s| s as Arc<dyn TokenSink>);
        let client = CustomerClient::new(endpoint, credentials, sink).map_err(|e| e.to_string())?;
        lock(&self.clients).insert(profile.name.clone(), client.clone());
        Ok(client)
    }

    /// Where a real profile's new tokens go (the keyring, and the expiry for the profile).
    fn sink(&self, profile: &Profile) -> Option<Arc<VaultTokenSink>> {
        if profile.kind.is_sandbox() {
            return None;
        }
        let mut sinks = lock(&self.sinks);
        let sink = sinks
            .entry(profile.name.clone())
            .or_insert_with(|| VaultTokenSink::new(Arc::clone(&self.vault), profile.name.clone()));
        Some(Arc::clone(sink))
    }

    /// Forgets one profile's client (its settings or secrets changed).
    pub fn forget(&self, profile: &str) {
        lock(&self.clients).remove(profile);
    }

    /// New token expiries since the last call, by profile, for the profiles file.
    pub fn take_token_expiries(&self) -> Vec<(String, Option<chrono::DateTime<chrono::Utc>>)> {
        lock(&self.sinks).iter().filter_map(|(name, sink)| sink.take_expiry().map(|at| (name.clone(), at))).collect()
    }

    /// Whether a sandbox profile can be sent to yet.
    pub fn has_sandbox(&self) -> bool {
        lock(&self.sandbox).is_some()
    }

    /// The sandbox's base URL for `backend`, once it runs.
    pub fn sandbox_url(&self, backend: Backend) -> Option<String> {
        lock(&self.sandbox).as_ref().map(|urls| urls.get(backend).clone())
    }
}
