//! Opening a profile for a command: its secrets (keyring, or `--secret-stdin` for one run), the
//! built-in sandbox for sandbox profiles, and a client. New Help Scout tokens go to the keyring
//! and their expiry into the profile once the command is done.

use std::sync::Arc;

use super::secret_input::read_secret_from_stdin;
use crate::backends::{CustomerClient, TokenSink};
use crate::credentials::{Vault, VaultTokenSink};
use crate::profiles::{ConnectError, Profile, ProfileStore, SecretSource, client_for, credentials_for};
use crate::sandbox::{SandboxConfig, SandboxServer};

/// A profile ready to send: the client, and what must outlive it.
pub(crate) struct Connection {
    /// The client.
    pub client: CustomerClient,
    /// The sandbox serving a sandbox profile, kept running for this run.
    _sandbox: Option<SandboxServer>,
    sink: Option<Arc<VaultTokenSink>>,
    profile: String,
}

/// Why a profile could not be opened: a sentence for standard error, and the machine name.
pub(crate) struct OpenError {
    pub message: String,
    pub kind: &'static str,
}

impl From<ConnectError> for OpenError {
    fn from(error: ConnectError) -> Self {
        Self { kind: error.kind(), message: error.to_string() }
    }
}

fn usage(message: String) -> OpenError {
    OpenError { message, kind: "usage" }
}

impl Connection {
    /// Opens `profile`: with `secret_stdin` the one secret comes from standard input and the
    /// keyring is not touched; otherwise the keyring has the secrets.
    pub fn open(profile: &Profile, secret_stdin: bool, sandbox_config: SandboxConfig) -> Result<Self, OpenError> {
        let one_off = if secret_stdin && !profile.kind.is_sandbox() {
            let secret = read_secret_from_stdin(&format!("Secret for {}", profile.name))
                .map_err(|e| usage(format!("cannot read the secret: {e}")))?;
            Some(secret)
        } else {
            None
        };
        let (credentials, sink) = match &one_off {
            Some(secret) => (credentials_for(profile, SecretSource::OneOff(secret))?, None),
            None if profile.kind.is_sandbox() => (crate::profiles::sandbox_credentials(profile.backend()), None),
            None => {
                let vault = Vault::system();
                let credentials = credentials_for(profile, SecretSource::Vault(&vault))?;
                (credentials, Some(VaultTokenSink::new(vault, profile.name.clone())))
            }
        };
        let sandbox = if profile.kind.is_sandbox() {
            let server = SandboxServer::start(sandbox_config)
                .map_err(|e| usage(format!("cannot start the built-in sandbox: {e}")))?;
            Some(server)
        } else {
            None
        };
        let token_sink = sink.clone().map(|s| s as Arc<dyn TokenSink>);
        let client = client_for(profile, sandbox.as_ref(), credentials, token_sink)?;
        Ok(Self { client, _sandbox: sandbox, sink, profile: profile.name.clone() })
    }

    /// Writes the expiry of a token obtained during the run into the profiles file.
    pub fn keep_token_expiry(&self, store: &mut ProfileStore) -> Result<(), crate::profiles::ProfileError> {
        let Some(expiry) = self.sink.as_ref().and_then(|sink| sink.take_expiry()) else { return Ok(()) };
        if store.set_token_expiry(&self.profile, expiry) {
            store.save()?;
        }
        Ok(())
    }
}
