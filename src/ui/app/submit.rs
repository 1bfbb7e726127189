//! The submit command (queue the form's record, and the outbox sends it now), Cancel, and
//! what an ending changes: the viewer, the record's state, field errors from the server,
//! learned task types.

use std::time::Instant;

use super::records::{Awaiting, CurrentRecord};
use super::{IntakeApp, SidePanel};
use crate::backends::Outcome;
use crate::model::Backend;
use crate::store::{DraftEdit, RecordState};
use crate::ui::notice::Notice;
use crate::ui::outbox_worker::OutboxEvent;
use crate::ui::store_worker::StoreRequest;

impl IntakeApp {
    /// Sends the draft to the active profile (Submit, Ctrl+Enter): the server is asked whether
    /// the customer exists already, then the record is queued and the outbox sends it at once.
    /// Does nothing while a send or a check runs; refuses with a reason when the draft has
    /// errors or its record was already sent.
    pub fn request_submit(&mut self, ctx: &egui::Context) {
        if self.records.awaiting.is_some()
            || !matches!(self.duplicates, super::duplicate_commands::DuplicateStage::Idle)
        {
            return;
        }
        let backend = self.backend();
        self.form.refresh(backend);
        let errors = self.form.error_count();
        if errors > 0 {
            self.form.show_all_problems(backend);
            self.form.refresh(backend);
            if let Some(tab) = self.form.first_visible_tab_with_problems(backend) {
                self.select_tab(tab);
            }
            let noun = if errors == 1 { "error" } else { "errors" };
            self.notify(Notice::error(format!("Not sent: {errors} {noun} to fix first.")));
            return;
        }
        if let Some(refusal) = self.records.current.get(backend).as_ref().and_then(read_only_refusal) {
            self.notify(Notice::error(refusal));
            return;
        }
        if self.needs_production_confirmation() {
            self.confirm_production = true;
            return;
        }
        // The server is asked first whether the customer exists; the record is queued after.
        self.start_duplicate_check(backend, ctx);
    }

    /// Queues the active form's record to the active profile.
    pub(super) fn queue_form(&mut self, backend: Backend, ctx: &egui::Context) {
        let (Some(draft), Some(payload)) = (self.form.draft_json().cloned(), self.form.preview().cloned()) else {
            return;
        };
        let Some(store) = self.store.as_mut() else {
            let why = if self.records.store_path().is_some() {
                "Not sent yet: the drafts store is still opening; press Submit again in a moment."
            } else {
                "Not sent: the drafts store is not open, so the outbox cannot send."
            };
            self.notify(Notice::error(why));
            return;
        };
        let profile = self.profile.name.clone();
        let current = self.records.current.get_mut(backend).get_or_insert_with(|| CurrentRecord {
            id: crate::store::RecordId::new(),
            state: RecordState::Draft,
            profile: profile.clone(),
            server_id: None,
            message: None,
            failure: None,
        });
        current.state = RecordState::Queued;
        current.failure = None;
        current.profile.clone_from(&profile);
        let edit =
            DraftEdit { id: current.id.clone(), backend, profile: profile.clone(), body: draft.clone(), valid: true };
        let id = current.id.clone();
        *self.records.saved.get_mut(backend) = Some(draft.clone());
        let queued = store.ask(ctx, |reply| StoreRequest::Queue { edit, payload, reply });
        let started = Instant::now();
        self.records.awaiting = Some(Awaiting { id, backend, draft, started, queued: Some(queued), unqueued: None });
        self.notify(Notice::info(format!("Sending to {profile}…")));
    }

    /// How long the send of the form's record has been running: the one the person started,
    /// or the outbox's own (a queued record whose profile came back online).
    pub(super) fn sending_elapsed(&self) -> Option<std::time::Duration> {
        if let Some(awaiting) = &self.records.awaiting {
            return Some(awaiting.started.elapsed());
        }
        let current = self.current_record()?;
        self.outbox.as_ref()?.in_flight_for(&current.id)
    }

    /// Ends the wait for a queued record whose profile cannot send (no secret yet, keyring
    /// locked): it stays queued and goes out by itself once that is fixed.
    pub(super) fn poll_blocked_send(&mut self) {
        let Some(awaiting) = self.records.awaiting.as_ref().filter(|a| a.queued.is_none()) else { return };
        let Some(profile) = self.records.current.get(awaiting.backend).as_ref().map(|c| c.profile.clone()) else {
            return;
        };
        let Some(reason) = self.outbox.as_ref().and_then(|o| o.status().blocked.get(&profile).cloned()) else {
            return;
        };
        let url = self.profiles.find(&profile).and_then(|p| self.network.pool().endpoint(p).ok());
        let url = url.map(|e| e.url_for(awaiting.backend.create_path())).unwrap_or_default();
        let body = self.form.preview().map(ToString::to_string);
        let record = crate::backends::Exchange::unanswered(
            awaiting.backend,
            "POST",
            url,
            body,
            Outcome::InvalidRequest { detail: reason.clone() },
        );
        self.viewer.push(crate::ui::viewer::PreparedExchange::new(record));
        self.records.awaiting = None;
        self.side = SidePanel::Responses;
        self.notify(Notice::error(format!(
            "Not sent yet: {reason}. It waits in the outbox and goes out by itself once that is fixed."
        )));
    }

    /// Stops waiting for the send under way: a record still queued goes back to the drafts;
    /// one being sent ends `failed`, possibly created (the server may have acted on it).
    pub fn cancel_submit(&mut self, ctx: &egui::Context) {
        if self.records.awaiting.is_none() {
            // The outbox's own send of the form's record: its ending is said as if awaited.
            let backend = self.backend();
            let Some(current) = self.records.current.get(backend).as_ref() else { return };
            let draft = self.form.draft_json().cloned().unwrap_or_default();
            let (id, started) = (current.id.clone(), Instant::now());
            self.records.awaiting = Some(Awaiting { id, backend, draft, started, queued: None, unqueued: None });
        }
        let Some(awaiting) = &mut self.records.awaiting else { return };
        let id = awaiting.id.clone();
        if let Some(outbox) = &self.outbox {
            outbox.cancel(id.clone());
        }
        if let Some(store) = self.store.as_mut() {
            // Refused when the outbox has claimed it already: then its ending says what happened.
            awaiting.unqueued = Some(store.ask(ctx, |reply| StoreRequest::Unqueue(id, reply)));
        }
    }

    /// Takes in the store's answers about the awaited record: queued, or taken back out.
    pub(super) fn poll_queueing(&mut self) {
        let Some(awaiting) = &mut self.records.awaiting else { return };
        if let Some(Ok(Some(Ok(())))) = awaiting.unqueued.as_ref().map(crate::ui::jobs::Job::poll) {
            let backend = awaiting.backend;
            self.records.awaiting = None;
            if let Some(current) = self.records.current.get_mut(backend) {
                current.state = RecordState::Ready;
            }
            self.notify(Notice::info("Not sent: taken back out of the queue before it went out."));
            return;
        }
        let Some(job) = &awaiting.queued else { return };
        let answer = match job.poll() {
            Ok(None) => return,
            Ok(Some(Ok(()))) => {
                awaiting.queued = None;
                return;
            }
            Ok(Some(Err(error))) => error.to_string(),
            Err(lost) => lost.to_string(),
        };
        let backend = awaiting.backend;
        self.records.awaiting = None;
        if let Some(current) = self.records.current.get_mut(backend) {
            current.state = RecordState::Ready;
        }
        self.notify(Notice::error(format!("Not sent: the record could not be queued: {answer}.")));
    }

    /// Takes in what the outbox finished since the last frame.
    pub(super) fn poll_outbox(&mut self) {
        let Some(outbox) = &self.outbox else { return };
        let (events, failure) = (outbox.take_events(), outbox.take_failure());
        for event in events {
            self.take_outbox_event(event);
        }
        if let Some(failure) = failure {
            self.notify(Notice::error(failure));
        }
    }

    fn take_outbox_event(&mut self, event: OutboxEvent) {
        let OutboxEvent { report, prepared } = event;
        let last = prepared.last().cloned();
        for attempt in prepared {
            self.viewer.push(attempt);
        }
        for backend in Backend::ALL {
            if let Some(current) = self.records.current.get_mut(backend).as_mut().filter(|c| c.id == report.record) {
                current.state = report.state;
                current.server_id.clone_from(&report.server_id);
                current.message = Some(report.message.clone());
                current.failure = report.failure;
            }
        }
        let outcome = last.as_ref().map(|p| p.exchange().outcome.clone());
        if let Some(Outcome::Rejected { valid_task_types, .. }) = &outcome {
            self.learn_task_types(&report.profile, valid_task_types);
        }
        let Some(awaiting) = self.records.awaiting.take_if(|a| a.id == report.record) else { return };
        self.side = SidePanel::Responses;
        let field_errors = outcome.as_ref().map(Outcome::field_errors).unwrap_or_default();
        match report.state {
            RecordState::Sent => {
                self.form.set_server_issues(awaiting.backend, &awaiting.draft, &[]);
                self.notify(Notice::info(format!("{} Ctrl+N starts the next customer.", report.message)));
            }
            RecordState::Failed => {
                self.form.set_server_issues(awaiting.backend, &awaiting.draft, field_errors);
                // Show the tab of the first field the server named.
                let tab =
                    field_errors.iter().find_map(|e| crate::validation::tab_for_path(awaiting.backend, &e.pointer));
                if awaiting.backend == self.backend()
                    && let Some(tab) = tab
                {
                    self.select_tab(tab);
                }
                self.notify(Notice::error(report.message));
            }
            _ => self.notify(Notice::info(format!("Not sent yet: {}", report.message))),
        }
    }

    fn learn_task_types(&mut self, profile: &str, task_types: &[String]) {
        if !self.profiles.learn_task_types(profile, task_types) {
            return;
        }
        self.reload_profile_if_active(profile);
        match self.profiles.save() {
            Ok(()) => self.profiles_changed(),
            Err(error) => tracing::warn!("could not save the learned task types: {error}"),
        }
    }
}

/// Why a record that can no longer be edited is not sent again.
fn read_only_refusal(current: &CurrentRecord) -> Option<String> {
    match current.state {
        RecordState::Sent => {
            let id = current.server_id.as_deref().map(|id| format!(" as {id}")).unwrap_or_default();
            Some(format!(
                "Not sent again: this customer was already sent{id}. Duplicate it as a new draft to send it again, or press New."
            ))
        }
        RecordState::Queued | RecordState::Sending => {
            Some("Not sent again: this customer is already in the outbox; its ending shows under Responses.".to_owned())
        }
        RecordState::Draft | RecordState::Ready | RecordState::Failed => None,
    }
}
