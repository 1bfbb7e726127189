//! Sending the draft, fetching property definitions and testing credentials, off the UI thread.
//!
//! Requests run on the app's [`Background`] runtime; each kind of work is a [`Task`] the app
//! polls each frame. One send at a time: a double click cannot send twice. Secrets are read from the
//! [`Vault`] on the blocking pool (keyring calls are D-Bus round trips), never on the UI
//! thread. The built-in sandbox is started here, in-process on a free loopback port, the first
//! time a sandbox profile needs it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::error::UiError;
use super::jobs::{Background, Task};
use crate::backends::{CustomerClient, Endpoint, Exchange, Outcome};
use crate::credentials::{CheckReport, Vault, VaultTokenSink, check_credentials};
use crate::model::{Backend, PropertyDefinition};
use crate::profiles::{Profile, SecretSource, credentials_for};
use crate::sandbox::{SandboxConfig, SandboxServer};
use crate::sync::lock;
use crate::ui::viewer::PreparedExchange;

/// A finished send.
#[derive(Debug)]
pub struct SubmitDone {
    /// The profile it went to.
    pub profile: String,
    /// The draft as it was when sent (not normalised), to tell later edits apart.
    pub draft: Value,
    /// Every exchange it took, oldest first; the last one decides.
    pub exchanges: Vec<PreparedExchange>,
}

/// Fetched Help Scout property definitions, or why not.
#[derive(Debug)]
pub struct DefinitionsDone {
    /// The profile they are for.
    pub profile: String,
    /// The definitions, or a sentence on why there are none.
    pub result: Result<Vec<PropertyDefinition>, String>,
    /// The exchanges it took, for the viewer (none when the profile had no credentials).
    pub exchanges: Vec<PreparedExchange>,
}

/// A finished "Test credentials".
#[derive(Debug)]
pub struct CheckDone {
    /// The profile tested.
    pub profile: String,
    /// The verdict (its exchanges are also in `exchanges`, prepared for the viewer).
    pub report: CheckReport,
    /// The check's requests, for the viewer.
    pub exchanges: Vec<PreparedExchange>,
}

/// What is known of the send under way without waiting for it: enough to report a cancel or
/// a lost task.
#[derive(Debug)]
struct SendUnderWay {
    profile: String,
    draft: Value,
    cancel_record: Exchange,
}

impl SendUnderWay {
    /// The send's ending when no answer will come: `outcome` after `latency`.
    fn unanswered(self, outcome: Outcome, latency: std::time::Duration) -> SubmitDone {
        let mut record = self.cancel_record;
        record.outcome = outcome;
        record.latency = latency;
        SubmitDone { profile: self.profile, draft: self.draft, exchanges: vec![PreparedExchange::new(record)] }
    }
}

/// Clients by profile, shared with the tasks that make them.
type ClientCache = Arc<Mutex<HashMap<String, CustomerClient>>>;

/// Runs sends, definition fetches and credential checks, and owns the in-process sandbox.
#[derive(Debug)]
pub struct SubmitWorker {
    background: Background,
    vault: Arc<Vault>,
    sandbox: Option<SandboxServer>,
    clients: ClientCache,
    sinks: HashMap<String, Arc<VaultTokenSink>>,
    send: Task<SubmitDone>,
    sending: Option<SendUnderWay>,
    definitions: Task<DefinitionsDone>,
    /// The profile whose definitions are being fetched.
    fetching: Option<String>,
    check: Task<CheckDone>,
    /// The profile whose credentials are being tested.
    checking: Option<String>,
}

impl SubmitWorker {
    /// A worker running its work on the app's `background`, reading secrets from `vault`.
    pub fn new(background: Background, vault: Arc<Vault>) -> Self {
        Self {
            background,
            vault,
            sandbox: None,
            clients: ClientCache::default(),
            sinks: HashMap::new(),
            send: Task::Idle,
            sending: None,
            definitions: Task::Idle,
            fetching: None,
            check: Task::Idle,
            checking: None,
        }
    }

    /// The vault secrets are read from.
    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    /// Whether a send is under way.
    pub fn is_busy(&self) -> bool {
        self.send.is_running()
    }

    /// How long the current send has been running.
    pub fn elapsed(&self) -> Option<std::time::Duration> {
        self.send.elapsed()
    }

    /// The running sandbox's address, if it was started.
    pub fn sandbox(&self) -> Option<&SandboxServer> {
        self.sandbox.as_ref()
    }

    /// Starts the built-in sandbox if it is not running yet.
    pub fn ensure_sandbox(&mut self) -> Result<&SandboxServer, UiError> {
        if self.sandbox.is_none() {
            let server = SandboxServer::start(SandboxConfig::default()).map_err(|e| UiError::Sandbox(e.to_string()))?;
            tracing::debug!("sandbox serving on http://{}", server.addr());
            self.sandbox = Some(server);
        }
        self.sandbox.as_ref().ok_or_else(|| UiError::Sandbox("it is not running".to_owned()))
    }

    /// Where `profile`'s requests go (starting the sandbox for a sandbox profile).
    fn endpoint(&mut self, profile: &Profile) -> Result<Endpoint, UiError> {
        let sandbox_url =
            if profile.kind.is_sandbox() { Some(self.ensure_sandbox()?.base_url(profile.backend())) } else { None };
        Ok(profile.endpoint(sandbox_url.as_deref())?)
    }

    /// What makes `profile`'s client inside a task: cached, or built from the vault's secrets.
    fn client_maker(&mut self, profile: &Profile) -> Result<ClientMaker, UiError> {
        let sink = if profile.kind.is_sandbox() {
            None
        } else {
            let sink = self
                .sinks
                .entry(profile.name.clone())
                .or_insert_with(|| VaultTokenSink::new(Arc::clone(&self.vault), profile.name.clone()));
            Some(Arc::clone(sink))
        };
        Ok(ClientMaker {
            profile: profile.clone(),
            endpoint: self.endpoint(profile)?,
            vault: Arc::clone(&self.vault),
            clients: Arc::clone(&self.clients),
            sink,
        })
    }

    /// Sends `body` (normalised) for `profile`; `draft` is the form's body as typed. Refused
    /// while another send runs or when the profile cannot be used.
    pub fn start(&mut self, profile: &Profile, body: Value, draft: Value, ctx: &egui::Context) -> Result<(), UiError> {
        if self.is_busy() {
            return Err(UiError::SendBusy);
        }
        let maker = self.client_maker(profile)?;
        let backend = profile.backend();
        let url = maker.endpoint.url_for(backend.create_path());
        let cancel_record = Exchange::unanswered(backend, "POST", url, Some(body.to_string()), Outcome::Cancelled);
        let (profile_name, sent_draft) = (profile.name.clone(), draft.clone());
        let record = cancel_record.clone();
        let job = self.background.spawn(ctx, async move {
            let exchanges = match maker.client().await {
                Ok(client) => client.create_customer(&body).await,
                Err(reason) => vec![not_sent(record, reason)],
            };
            let exchanges = exchanges.into_iter().map(PreparedExchange::new).collect();
            SubmitDone { profile: profile_name, draft: sent_draft, exchanges }
        })?;
        self.send.start(job)?;
        self.sending = Some(SendUnderWay { profile: profile.name.clone(), draft, cancel_record });
        Ok(())
    }

    /// Stops waiting for the answer. The server may still act on the request; the record says so.
    pub fn cancel(&mut self) -> Option<SubmitDone> {
        let latency = self.send.cancel()?;
        Some(self.sending.take()?.unanswered(Outcome::Cancelled, latency))
    }

    /// The finished send, once.
    pub fn poll(&mut self) -> Option<SubmitDone> {
        let result = self.send.poll_take()?;
        let sending = self.sending.take()?;
        Some(result.unwrap_or_else(|lost| {
            // The task ended without a result (it panicked): report it as lost.
            let latency = sending.cancel_record.latency;
            sending.unanswered(Outcome::ConnectionLost { detail: format!("the sending task stopped: {lost}") }, latency)
        }))
    }

    /// Fetches a Help Scout profile's property definitions in the background (one fetch at a
    /// time; a second request while one runs is ignored).
    pub fn fetch_definitions(&mut self, profile: &Profile, ctx: &egui::Context) -> Result<(), UiError> {
        if self.definitions.is_running() || profile.backend() != Backend::HelpScout {
            return Ok(());
        }
        let maker = self.client_maker(profile)?;
        let profile_name = profile.name.clone();
        let job = self.background.spawn(ctx, async move {
            let (exchanges, result) = match maker.client().await {
                Ok(client) => client.property_definitions().await.unwrap_or_else(|| (Vec::new(), Ok(Vec::new()))),
                Err(reason) => (Vec::new(), Err(reason)),
            };
            let exchanges = exchanges.into_iter().map(PreparedExchange::new).collect();
            DefinitionsDone { profile: profile_name, result, exchanges }
        })?;
        self.definitions.start(job)?;
        self.fetching = Some(profile.name.clone());
        Ok(())
    }

    /// Whether a definitions fetch is under way.
    pub fn is_fetching_definitions(&self) -> bool {
        self.definitions.is_running()
    }

    /// Finished definitions, once.
    pub fn poll_definitions(&mut self) -> Option<DefinitionsDone> {
        let result = self.definitions.poll_take()?;
        let profile = self.fetching.take()?;
        Some(result.unwrap_or_else(|lost| DefinitionsDone {
            profile,
            result: Err(format!("the fetch stopped: {lost}")),
            exchanges: Vec::new(),
        }))
    }

    /// Tests `profile`'s credentials ("Test credentials"). The client is made afresh from the
    /// vault, so the secrets just stored are the ones tested.
    pub fn start_check(&mut self, profile: &Profile, ctx: &egui::Context) -> Result<(), UiError> {
        if self.check.is_running() {
            return Err(UiError::CheckBusy);
        }
        self.forget_client(&profile.name);
        let maker = self.client_maker(profile)?;
        let profile_name = profile.name.clone();
        let job = self.background.spawn(ctx, async move {
            let report = match maker.client().await {
                Ok(client) => check_credentials(&client).await,
                Err(reason) => CheckReport::without_request(
                    crate::credentials::VerdictKind::NoCredentials,
                    format!("Not tested: {reason}"),
                    "Store the profile's secret first, then test again.",
                ),
            };
            let exchanges = report.exchanges.iter().cloned().map(PreparedExchange::new).collect();
            CheckDone { profile: profile_name, report, exchanges }
        })?;
        self.check.start(job)?;
        self.checking = Some(profile.name.clone());
        Ok(())
    }

    /// The profile whose credentials are being tested.
    pub fn checking(&self) -> Option<&str> {
        self.checking.as_deref().filter(|_| self.check.is_running())
    }

    /// A finished credentials test, once.
    pub fn poll_check(&mut self) -> Option<CheckDone> {
        let result = self.check.poll_take()?;
        let profile = self.checking.take()?;
        Some(result.unwrap_or_else(|_| {
            let report = CheckReport::without_request(
                crate::credentials::VerdictKind::ConnectionLost,
                "The test stopped without a result.".to_owned(),
                "Test again.",
            );
            CheckDone { profile, report, exchanges: Vec::new() }
        }))
    }

    /// New token expiries since the last call, by profile, for the profiles file.
    pub fn take_token_expiries(&self) -> Vec<(String, Option<chrono::DateTime<chrono::Utc>>)> {
        self.sinks.iter().filter_map(|(name, sink)| sink.take_expiry().map(|at| (name.clone(), at))).collect()
    }

    /// Forgets one profile's client (its secrets changed).
    pub fn forget_client(&mut self, profile: &str) {
        lock(&self.clients).remove(profile);
    }
}

/// Everything a task needs to get `profile`'s client without touching the UI thread.
struct ClientMaker {
    profile: Profile,
    endpoint: Endpoint,
    vault: Arc<Vault>,
    clients: ClientCache,
    sink: Option<Arc<VaultTokenSink>>,
}

impl ClientMaker {
    /// The cached client for this profile and endpoint, or a new one from the vault's secrets
    /// (read on the blocking pool). Errors are sentences for the status line.
    async fn client(self) -> Result<CustomerClient, String> {
        let name = self.profile.name.clone();
        if let Some(client) = lock(&self.clients).get(&name).filter(|c| *c.endpoint() == self.endpoint) {
            return Ok(client.clone());
        }
        let Self { profile, endpoint, vault, clients, sink } = self;
        let credentials = tokio::task::spawn_blocking(move || credentials_for(&profile, SecretSource::Vault(&vault)))
            .await
            .map_err(|e| format!("reading the secrets stopped: {e}"))?
            .map_err(|e| e.to_string())?;
        let sink = sink.map(|s| s as Arc<dyn crate::backends::TokenSink>);
        let client = CustomerClient::new(endpoint, credentials, sink).map_err(|e| e.to_string())?;
        lock(&clients).insert(name, client.clone());
        Ok(client)
    }
}

/// The record of a send that could not start (no secret, keyring locked).
fn not_sent(mut record: Exchange, reason: String) -> Exchange {
    record.outcome = Outcome::InvalidRequest { detail: reason };
    record
}
