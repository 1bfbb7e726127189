//! Fetching property definitions and testing credentials off the UI thread, and the built-in
//! sandbox. (Sending customers is the outbox's work: [`crate::ui::outbox_worker`].)
//!
//! Requests run on the app's [`Background`] runtime; each kind of work is a [`Task`] the app
//! polls each frame. Secrets are read from the vault on the blocking pool (keyring calls are
//! D-Bus round trips), never on the UI thread. The built-in sandbox is started here, in-process
//! on a free loopback port, the first time a sandbox profile needs it.

use std::sync::Arc;

use super::client_pool::ClientPool;
use super::error::UiError;
use super::jobs::{Background, Task};
use crate::credentials::{CheckReport, VerdictKind, check_credentials};
use crate::duplicate_check::{DuplicateVerdict, check_for_duplicates};
use crate::model::{Backend, PerBackend, PropertyDefinition};
use crate::profiles::Profile;
use crate::sandbox::{SandboxConfig, SandboxServer};
use crate::ui::viewer::PreparedExchange;

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

/// A finished duplicate check (before a Submit).
#[derive(Debug)]
pub struct DuplicateDone {
    /// The profile asked.
    pub profile: String,
    /// The normalised body it was asked about.
    pub payload: serde_json::Value,
    /// What it concluded.
    pub verdict: DuplicateVerdict,
    /// Its requests, for the viewer.
    pub exchanges: Vec<PreparedExchange>,
}

/// Runs definition fetches and credential checks, and owns the in-process sandbox.
#[derive(Debug)]
pub struct NetworkWorker {
    background: Background,
    pool: Arc<ClientPool>,
    sandbox: Option<SandboxServer>,
    definitions: Task<DefinitionsDone>,
    /// The profile whose definitions are being fetched.
    fetching: Option<String>,
    check: Task<CheckDone>,
    /// The profile whose credentials are being tested.
    checking: Option<String>,
    duplicates: Task<DuplicateDone>,
}

impl NetworkWorker {
    /// A worker running its work on the app's `background`, with the app's client `pool`.
    pub fn new(background: Background, pool: Arc<ClientPool>) -> Self {
        Self {
            background,
            pool,
            sandbox: None,
            definitions: Task::Idle,
            fetching: None,
            check: Task::Idle,
            checking: None,
            duplicates: Task::Idle,
        }
    }

    /// The clients, shared with the outbox worker.
    pub fn pool(&self) -> &Arc<ClientPool> {
        &self.pool
    }

    /// The running sandbox, if it was started.
    pub fn sandbox(&self) -> Option<&SandboxServer> {
        self.sandbox.as_ref()
    }

    /// Starts the built-in sandbox if it is not running yet; sandbox profiles send to it.
    pub fn ensure_sandbox(&mut self) -> Result<&SandboxServer, UiError> {
        if self.sandbox.is_none() {
            let server = SandboxServer::start(SandboxConfig::default()).map_err(|e| UiError::Sandbox(e.to_string()))?;
            tracing::debug!("sandbox serving on http://{}", server.addr());
            self.pool.set_sandbox(PerBackend {
                finosu: server.base_url(Backend::Finosu),
                help_scout: server.base_url(Backend::HelpScout),
            });
            self.sandbox = Some(server);
        }
        self.sandbox.as_ref().ok_or_else(|| UiError::Sandbox("it is not running".to_owned()))
    }

    /// Fetches a Help Scout profile's property definitions in the background (one fetch at a
    /// time; a second request while one runs is ignored).
    pub fn fetch_definitions(&mut self, profile: &Profile, ctx: &egui::Context) -> Result<(), UiError> {
        if self.definitions.is_running() || profile.backend() != Backend::HelpScout {
            return Ok(());
        }
        if profile.kind.is_sandbox() {
            self.ensure_sandbox()?;
        }
        self.pool.endpoint(profile)?;
        let (pool, owned) = (Arc::clone(&self.pool), profile.clone());
        let job = self.background.spawn(ctx, async move {
            let (exchanges, result) = match pool.client(&owned).await {
                Ok(client) => client.property_definitions().await.unwrap_or_else(|| (Vec::new(), Ok(Vec::new()))),
                Err(reason) => (Vec::new(), Err(reason)),
            };
            let exchanges = exchanges.into_iter().map(PreparedExchange::new).collect();
            DefinitionsDone { profile: owned.name, result, exchanges }
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
        if profile.kind.is_sandbox() {
            self.ensure_sandbox()?;
        }
        self.pool.forget(&profile.name);
        self.pool.endpoint(profile)?;
        let (pool, owned) = (Arc::clone(&self.pool), profile.clone());
        let job = self.background.spawn(ctx, async move {
            let report = match pool.client(&owned).await {
                Ok(client) => check_credentials(&client).await,
                Err(reason) => CheckReport::without_request(
                    VerdictKind::NoCredentials,
                    format!("Not tested: {reason}"),
                    "Store the profile's secret first, then test again.",
                ),
            };
            let exchanges = report.exchanges.iter().cloned().map(PreparedExchange::new).collect();
            CheckDone { profile: owned.name, report, exchanges }
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
                VerdictKind::ConnectionLost,
                "The test stopped without a result.".to_owned(),
                "Test again.",
            );
            CheckDone { profile, report, exchanges: Vec::new() }
        }))
    }

    /// Asks `profile`'s server whether the customer of `payload` exists already, before it is
    /// sent (one check at a time).
    pub fn start_duplicate_check(
        &mut self,
        profile: &Profile,
        payload: serde_json::Value,
        ctx: &egui::Context,
    ) -> Result<(), UiError> {
        if self.duplicates.is_running() {
            return Err(UiError::Busy);
        }
        if profile.kind.is_sandbox() {
            self.ensure_sandbox()?;
        }
        self.pool.endpoint(profile)?;
        let (pool, owned) = (Arc::clone(&self.pool), profile.clone());
        let job = self.background.spawn(ctx, async move {
            let (verdict, exchanges) = match pool.client(&owned).await {
                Ok(client) => {
                    let check = check_for_duplicates(&client, &payload).await;
                    (check.verdict, check.exchanges)
                }
                // No secret yet (or a locked keyring): the record waits in the outbox until
                // there is one, and the outbox says why; the server cannot be asked meanwhile.
                Err(reason) => (DuplicateVerdict::Unchecked(reason), Vec::new()),
            };
            let exchanges = exchanges.into_iter().map(PreparedExchange::new).collect();
            DuplicateDone { profile: owned.name, payload, verdict, exchanges }
        })?;
        self.duplicates.start(job)
    }

    /// Whether a duplicate check is under way.
    pub fn is_checking_duplicates(&self) -> bool {
        self.duplicates.is_running()
    }

    /// A finished duplicate check, once; `Err` with why when it stopped without a verdict.
    pub fn poll_duplicate_check(&mut self) -> Option<Result<DuplicateDone, String>> {
        Some(self.duplicates.poll_take()?.map_err(|lost| lost.to_string()))
    }
}
