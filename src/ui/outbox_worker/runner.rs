//! The outbox task itself: the loop that claims, sends, takes in endings, probes offline
//! profiles and settles attempts left by stopped processes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::{AbortHandle, JoinSet};

use super::{
    CANCEL_WAIT, CONCURRENCY, KEPT_EVENTS, LONGEST_PROBE_WAIT, LONGEST_SLEEP, Offline, OutboxEvent, SWEEP_EVERY, Shared,
};
use crate::backends::{CustomerClient, Exchange, Outcome};
use crate::outbox::{AttemptReport, Outbox, Pacers};
use crate::profiles::Profile;
use crate::store::{Claim, Millis, StoreError, now_millis};
use crate::sync::lock;
use crate::ui::client_pool::ClientPool;
use crate::ui::viewer::PreparedExchange;

/// An attempt under way.
pub(super) struct InFlight {
    claim: Claim,
    client: CustomerClient,
    abort: AbortHandle,
}

/// The task's state.
pub(super) struct Runner {
    pub(super) shared: Arc<Shared>,
    pub(super) outbox: Outbox,
    pub(super) pool: Arc<ClientPool>,
    pub(super) bell: Arc<Notify>,
    pub(super) ctx: egui::Context,
    /// Attempts under way, by task.
    pub(super) in_flight: HashMap<tokio::task::Id, InFlight>,
    /// Probes of offline profiles so far.
    pub(super) probes: HashMap<String, u32>,
    /// Each profile's rate limit.
    pub(super) pacers: Pacers,
}

type Attempt = Result<AttemptReport, StoreError>;

impl Runner {
    pub(super) async fn run(mut self) {
        let mut tasks: JoinSet<Attempt> = JoinSet::new();
        let mut next_sweep = tokio::time::Instant::now();
        loop {
            self.cancel_requested();
            if tokio::time::Instant::now() >= next_sweep {
                self.settle_abandoned(&mut tasks).await;
                next_sweep = tokio::time::Instant::now() + SWEEP_EVERY;
            }
            while tasks.len() < CONCURRENCY && self.claim_one(&mut tasks).await {}
            let wake_at = self.next_due().await.min(next_sweep);
            tokio::select! {
                () = self.bell.notified() => {}
                Some(joined) = tasks.join_next_with_id(), if !tasks.is_empty() => self.finished(joined, &mut tasks),
                () = tokio::time::sleep_until(wake_at) => {}
            }
        }
    }

    /// Reports a failure once: the window shows it in the status line.
    fn fail(&self, what: &str, error: &StoreError) {
        *lock(&self.shared.failure) = Some(format!("{what}: {error}"));
        self.ctx.request_repaint();
    }

    fn known_profiles(&self) -> Vec<Profile> {
        lock(&self.shared.profiles).values().cloned().collect()
    }

    /// The profiles that may send now: known, not blocked, not waiting for a probe.
    fn ready_profiles(&self) -> Vec<Profile> {
        let status = lock(&self.shared.status);
        let now = now_millis();
        let mut ready: Vec<Profile> = self
            .known_profiles()
            .into_iter()
            .filter(|p| !status.blocked.contains_key(&p.name))
            .filter(|p| status.offline.get(&p.name).is_none_or(|o| o.next_probe_at <= now))
            .collect();
        ready.sort_by(|a, b| a.name.cmp(&b.name));
        ready
    }

    async fn client(&self, profile: &Profile) -> Option<CustomerClient> {
        match self.pool.client(profile).await {
            Ok(client) => Some(client),
            Err(reason) => {
                lock(&self.shared.status).blocked.insert(profile.name.clone(), reason);
                self.ctx.request_repaint();
                None
            }
        }
    }

    /// Claims one due record of a ready profile and starts sending it; false when none is due.
    async fn claim_one(&mut self, tasks: &mut JoinSet<Attempt>) -> bool {
        for profile in self.ready_profiles() {
            let due = match self
                .outbox
                .with_store({
                    let name = profile.name.clone();
                    move |store| store.next_due(Some(&name))
                })
                .await
            {
                Ok(due) => due.is_some_and(|at| at <= now_millis()),
                Err(error) => {
                    self.fail("The outbox could not read the queue", &error);
                    return false;
                }
            };
            if !due {
                continue;
            }
            let wait = self.pacers.wait(&profile.name, profile.backend());
            {
                let mut status = lock(&self.shared.status);
                let changed = if wait.is_zero() {
                    status.paced.remove(&profile.name).is_some()
                } else {
                    status.paced.insert(profile.name.clone(), std::time::Instant::now() + wait).is_none()
                };
                if changed {
                    self.ctx.request_repaint();
                }
            }
            if !wait.is_zero() {
                continue;
            }
            let Some(client) = self.client(&profile).await else { continue };
            match self.outbox.claim_next(Some(profile.name.clone())).await {
                Ok(Some(claim)) => {
                    self.spawn_send(tasks, claim, client);
                    return true;
                }
                Ok(None) => {}
                Err(error) => {
                    self.fail("The outbox could not claim a record", &error);
                    return false;
                }
            }
        }
        false
    }

    fn spawn_send(&mut self, tasks: &mut JoinSet<Attempt>, claim: Claim, client: CustomerClient) {
        self.pacers.take(&claim.record.profile, client.backend());
        let (outbox, sent_claim, sent_client) = (self.outbox.clone(), claim.clone(), client.clone());
        let abort = tasks.spawn(async move { outbox.send(sent_claim, &sent_client).await });
        let started = std::time::Instant::now();
        lock(&self.shared.status).in_flight.insert(claim.record.id.clone(), (claim.record.profile.clone(), started));
        self.in_flight.insert(abort.id(), InFlight { claim, client, abort });
        self.ctx.request_repaint();
    }

    /// Takes over attempts left by stopped processes and reconciles them.
    async fn settle_abandoned(&mut self, tasks: &mut JoinSet<Attempt>) {
        let abandoned = match self.outbox.abandoned(None).await {
            Ok(abandoned) => abandoned,
            Err(error) => return self.fail("The outbox could not look for unfinished attempts", &error),
        };
        let known: HashMap<String, Profile> = lock(&self.shared.profiles).clone();
        for record in abandoned {
            let Some(profile) = known.get(&record.profile) else { continue };
            let Some(client) = self.client(profile).await else { continue };
            match self.outbox.take_over(record).await {
                Ok(Some(claim)) => {
                    let (outbox, taken, taken_client) = (self.outbox.clone(), claim.clone(), client.clone());
                    let abort = tasks.spawn(async move { outbox.reconcile(taken, &taken_client).await });
                    let started = std::time::Instant::now();
                    let entry = (claim.record.profile.clone(), started);
                    lock(&self.shared.status).in_flight.insert(claim.record.id.clone(), entry);
                    self.in_flight.insert(abort.id(), InFlight { claim, client, abort });
                }
                Ok(None) => {}
                Err(error) => self.fail("The outbox could not take over an unfinished attempt", &error),
            }
        }
    }

    /// Stops the attempts the person cancelled; each settles as a cancelled send.
    fn cancel_requested(&self) {
        let in_flight = &self.in_flight;
        lock(&self.shared.cancels).retain(|(record, asked)| {
            match in_flight.values().find(|f| f.claim.record.id == *record) {
                Some(flight) => {
                    // The aborted task comes back from `join_next` as cancelled; it is settled there.
                    flight.abort.abort();
                    false
                }
                None => asked.elapsed() < CANCEL_WAIT,
            }
        });
    }

    /// Takes in a finished (or aborted) attempt.
    fn finished(
        &mut self,
        joined: Result<(tokio::task::Id, Attempt), tokio::task::JoinError>,
        tasks: &mut JoinSet<Attempt>,
    ) {
        let (task, attempt) = match joined {
            Ok((task, attempt)) => (task, attempt),
            Err(error) => {
                let task = error.id();
                let Some(flight) = self.in_flight.remove(&task) else { return };
                // Cancelled (or the task panicked): no answer will come; the person decides.
                let exchange = cancelled_exchange(&flight.claim, &flight.client);
                let (outbox, claim, client) = (self.outbox.clone(), flight.claim, flight.client);
                tasks.spawn(async move { outbox.settle_exchanges(claim, &client, vec![exchange]).await });
                return;
            }
        };
        if let Some(flight) = self.in_flight.remove(&task) {
            lock(&self.shared.status).in_flight.remove(&flight.claim.record.id);
        }
        match attempt {
            Ok(report) => self.report(report),
            Err(error) => self.fail("The outbox could not record an attempt", &error),
        }
    }

    /// Hands an ending to the UI, and follows the profile's reachability.
    fn report(&mut self, mut report: AttemptReport) {
        if let Some(profile) = lock(&self.shared.profiles).get(&report.profile) {
            self.pacers.observe(&report.profile, profile.backend(), &report.exchanges);
        }
        {
            let mut status = lock(&self.shared.status);
            status.in_flight.remove(&report.record);
            if report.offline {
                let probes = self.probes.entry(report.profile.clone()).or_insert(0);
                *probes += 1;
                let wait = Duration::from_secs(1 << (*probes).min(6)).min(LONGEST_PROBE_WAIT);
                let next_probe_at = now_millis() + Millis::try_from(wait.as_millis()).unwrap_or(60_000);
                let reason = report.exchanges.last().map(Exchange::summary).unwrap_or_default();
                status.offline.insert(report.profile.clone(), Offline { reason, next_probe_at });
                let (outbox, profile) = (self.outbox.clone(), report.profile.clone());
                tokio::spawn(
                    async move { outbox.with_store(move |s| s.postpone_queued(&profile, next_probe_at)).await },
                );
            } else {
                self.probes.remove(&report.profile);
                status.offline.remove(&report.profile);
            }
        }
        let prepared = std::mem::take(&mut report.exchanges).into_iter().map(PreparedExchange::new).collect();
        let mut events = lock(&self.shared.events);
        if events.len() >= KEPT_EVENTS {
            events.pop_front();
        }
        events.push_back(OutboxEvent { report, prepared });
        drop(events);
        self.ctx.request_repaint();
    }

    /// When to look at the queue next: the earliest due record of a known profile, or a
    /// minute from now.
    async fn next_due(&self) -> tokio::time::Instant {
        // Blocked profiles wait for the bell (a secret stored, the sandbox started).
        let (blocked, probes) = {
            let status = lock(&self.shared.status);
            let mut probes: HashMap<String, Millis> =
                status.offline.iter().map(|(name, offline)| (name.clone(), offline.next_probe_at)).collect();
            // A due record held back by its rate limit is looked at again when the limit lets it.
            let now = std::time::Instant::now();
            for (name, until) in &status.paced {
                let at = now_millis()
                    .saturating_add(Millis::try_from(until.saturating_duration_since(now).as_millis()).unwrap_or(0));
                let wake = probes.entry(name.clone()).or_insert(at);
                *wake = (*wake).max(at);
            }
            (status.blocked.clone(), probes)
        };
        let names: Vec<String> = self.known_profiles().into_iter().map(|p| p.name).collect();
        let looked = self
            .outbox
            .with_store(move |store| {
                let mut earliest: Option<Millis> = None;
                let mut queued = BTreeMap::new();
                for name in &names {
                    if !blocked.contains_key(name)
                        && let Some(at) = store.next_due(Some(name))?
                    {
                        // An offline profile's records wait for its next probe, and a paced
                        // one's for its rate limit, however due: a record queued since is due
                        // at once, and the loop spun (claiming nothing) until then.
                        let at = probes.get(name).map_or(at, |probe| at.max(*probe));
                        earliest = Some(earliest.map_or(at, |e| e.min(at)));
                    }
                    let count = store.count(crate::store::RecordState::Queued, Some(name))?;
                    if count > 0 {
                        queued.insert(name.clone(), count);
                    }
                }
                Ok((earliest, queued))
            })
            .await;
        let due = match looked {
            Ok((due, queued)) => {
                let mut status = lock(&self.shared.status);
                if status.queued != queued {
                    status.queued = queued;
                    self.ctx.request_repaint();
                }
                due
            }
            Err(error) => {
                self.fail("The outbox could not read the queue", &error);
                None
            }
        };
        let wait = due.map_or(LONGEST_SLEEP, |at| {
            Duration::from_millis(u64::try_from(at.saturating_sub(now_millis())).unwrap_or(0)).min(LONGEST_SLEEP)
        });
        tokio::time::Instant::now() + wait
    }
}

/// The record of a send the person stopped waiting for.
fn cancelled_exchange(claim: &Claim, client: &CustomerClient) -> Exchange {
    let body = claim.record.payload.as_ref().unwrap_or(&claim.record.body).to_string();
    let mut exchange =
        Exchange::unanswered(client.backend(), "POST", client.create_url(), Some(body), Outcome::Cancelled);
    let started = claim.record.attempt_started_at.unwrap_or_else(now_millis);
    exchange.latency = Duration::from_millis(u64::try_from(now_millis().saturating_sub(started)).unwrap_or(0));
    exchange
}
