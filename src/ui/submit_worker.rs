//! Sending the draft off the UI thread.
//!
//! A one-thread tokio runtime runs the request; its result comes back over a channel and wakes
//! the UI with `request_repaint`. One send at a time: a double click cannot send twice. The
//! built-in sandbox is started here, in-process on a free loopback port, the first time a
//! sandbox profile needs it.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};
use std::time::Instant;

use serde_json::Value;

use crate::backends::{CustomerClient, Exchange, Outcome, Secret};
use crate::model::PropertyDefinition;
use crate::profiles::{Profile, client_for};
use crate::sandbox::{SandboxConfig, SandboxServer};
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
    /// The exchanges it took, for the viewer.
    pub exchanges: Vec<PreparedExchange>,
}

#[derive(Debug)]
struct Pending {
    receiver: Receiver<SubmitDone>,
    task: tokio::task::JoinHandle<()>,
    started: Instant,
    profile: String,
    draft: Value,
    cancel_record: Exchange,
}

/// Runs sends one at a time and owns the in-process sandbox.
#[derive(Debug, Default)]
pub struct SubmitWorker {
    runtime: Option<tokio::runtime::Runtime>,
    sandbox: Option<SandboxServer>,
    clients: HashMap<String, CustomerClient>,
    pending: Option<Pending>,
    definitions: Option<Receiver<DefinitionsDone>>,
}

impl SubmitWorker {
    /// Whether a send is under way.
    pub fn is_busy(&self) -> bool {
        self.pending.is_some()
    }

    /// How long the current send has been running.
    pub fn elapsed(&self) -> Option<std::time::Duration> {
        self.pending.as_ref().map(|p| p.started.elapsed())
    }

    /// The running sandbox's address, if it was started.
    pub fn sandbox(&self) -> Option<&SandboxServer> {
        self.sandbox.as_ref()
    }

    /// Starts the built-in sandbox if it is not running yet.
    pub fn ensure_sandbox(&mut self) -> Result<&SandboxServer, String> {
        if self.sandbox.is_none() {
            let server = SandboxServer::start(SandboxConfig::default())
                .map_err(|e| format!("The built-in sandbox could not start: {e}"))?;
            tracing::debug!("sandbox serving on http://{}", server.addr());
            self.sandbox = Some(server);
        }
        self.sandbox.as_ref().ok_or_else(|| "The built-in sandbox is not running.".to_owned())
    }

    /// Sends `body` (normalised) for `profile`; `draft` is the form's body as typed. Refused
    /// with a reason while another send runs or when the profile cannot be used.
    pub fn start(
        &mut self,
        profile: &Profile,
        secret: Option<Secret>,
        body: Value,
        draft: Value,
        ctx: &egui::Context,
    ) -> Result<(), String> {
        if self.is_busy() {
            return Err("A customer is being sent; wait for the answer or cancel.".to_owned());
        }
        if profile.kind.is_sandbox() {
            self.ensure_sandbox()?;
        }
        let client = self.client(profile, secret)?;
        let runtime = self.runtime()?;
        let cancel_record = cancelled_record(&client, &body);
        let (sender, receiver) = sync_channel(1);
        let ctx = ctx.clone();
        let (profile_name, sent_draft) = (profile.name.clone(), draft.clone());
        let task = runtime.spawn(async move {
            let exchanges = client.create_customer(&body).await;
            let exchanges = exchanges.into_iter().map(PreparedExchange::new).collect();
            sender.send(SubmitDone { profile: profile_name, draft: sent_draft, exchanges }).ok();
            ctx.request_repaint();
        });
        self.pending = Some(Pending {
            receiver,
            task,
            started: Instant::now(),
            profile: profile.name.clone(),
            draft,
            cancel_record,
        });
        Ok(())
    }

    /// Stops waiting for the answer. The server may still act on the request; the record says so.
    pub fn cancel(&mut self) -> Option<SubmitDone> {
        let pending = self.pending.take()?;
        pending.task.abort();
        let mut record = pending.cancel_record;
        record.latency = pending.started.elapsed();
        Some(SubmitDone {
            profile: pending.profile,
            draft: pending.draft,
            exchanges: vec![PreparedExchange::new(record)],
        })
    }

    /// The finished send, once.
    pub fn poll(&mut self) -> Option<SubmitDone> {
        let pending = self.pending.as_ref()?;
        match pending.receiver.try_recv() {
            Ok(done) => {
                self.pending = None;
                Some(done)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                // The task ended without a result (it panicked): report it as lost.
                let pending = self.pending.take()?;
                let mut record = pending.cancel_record;
                record.outcome =
                    Outcome::ConnectionLost { detail: "the sending task stopped without an answer".to_owned() };
                Some(SubmitDone {
                    profile: pending.profile,
                    draft: pending.draft,
                    exchanges: vec![PreparedExchange::new(record)],
                })
            }
        }
    }

    /// Fetches a Help Scout profile's property definitions in the background (one fetch at a
    /// time; a second request while one runs is ignored).
    pub fn fetch_definitions(
        &mut self,
        profile: &Profile,
        secret: Option<Secret>,
        ctx: &egui::Context,
    ) -> Result<(), String> {
        if self.definitions.is_some() {
            return Ok(());
        }
        if profile.kind.is_sandbox() {
            self.ensure_sandbox()?;
        }
        let client = self.client(profile, secret)?;
        let runtime = self.runtime()?;
        let (sender, receiver) = sync_channel(1);
        let ctx = ctx.clone();
        let profile_name = profile.name.clone();
        runtime.spawn(async move {
            let Some((exchanges, result)) = client.property_definitions().await else { return };
            let exchanges = exchanges.into_iter().map(PreparedExchange::new).collect();
            sender.send(DefinitionsDone { profile: profile_name, result, exchanges }).ok();
            ctx.request_repaint();
        });
        self.definitions = Some(receiver);
        Ok(())
    }

    /// Whether a definitions fetch is under way.
    pub fn is_fetching_definitions(&self) -> bool {
        self.definitions.is_some()
    }

    /// Finished definitions, once.
    pub fn poll_definitions(&mut self) -> Option<DefinitionsDone> {
        let receiver = self.definitions.as_ref()?;
        match receiver.try_recv() {
            Ok(done) => {
                self.definitions = None;
                Some(done)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.definitions = None;
                None
            }
        }
    }

    /// Forgets cached clients (after a profile or secret changed).
    pub fn forget_clients(&mut self) {
        self.clients.clear();
    }

    fn client(&mut self, profile: &Profile, secret: Option<Secret>) -> Result<CustomerClient, String> {
        // Secrets are not part of the key: the app calls `forget_clients` when one changes.
        let key = format!("{}\u{0}{:?}", profile.name, profile.base_url);
        if let Some(client) = self.clients.get(&key) {
            return Ok(client.clone());
        }
        let client = client_for(profile, self.sandbox.as_ref(), secret).map_err(|e| format!("Cannot send: {e}."))?;
        self.clients.insert(key, client.clone());
        Ok(client)
    }

    fn runtime(&mut self) -> Result<&tokio::runtime::Runtime, String> {
        if self.runtime.is_none() {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("intake-net")
                .enable_all()
                .build()
                .map_err(|e| format!("Cannot start the network thread: {e}."))?;
            self.runtime = Some(runtime);
        }
        self.runtime.as_ref().ok_or_else(|| "The network thread is not running.".to_owned())
    }
}

/// What the viewer shows when a send is cancelled: the request that was under way.
fn cancelled_record(client: &CustomerClient, body: &Value) -> Exchange {
    Exchange::unanswered(client.backend(), "POST", client.create_url(), Some(body.to_string()), Outcome::Cancelled)
}
