//! The Drafts panel's commands, run through the store's writer, and what their answers change:
//! the list read again when the store changed, a record opened in the form.

use super::IntakeApp;
use super::records::CurrentRecord;
use crate::model::Draft;
use crate::store::{Record, RecordId, RecordState, StoreError};
use crate::ui::drafts::DraftsCommand;
use crate::ui::jobs::Job;
use crate::ui::notice::Notice;
use crate::ui::store_worker::{RecordWithHistory, StoreRequest};

/// What the form's record becomes when the store answers a change the panel made to it. Without
/// it the form kept the state it had: read-only for good after Take back (no ending ever comes
/// for that), and editable after Send again until the outbox's ending, while the store refused
/// every edit typed meanwhile.
#[derive(Debug, Default)]
struct FormFollows {
    /// The record changed.
    id: Option<RecordId>,
    /// Its state once the change is made.
    done: Option<RecordState>,
    /// Its state when the store refused the change.
    refused: Option<RecordState>,
}

/// Answers the app waits for from the store on behalf of the Drafts panel.
#[derive(Debug, Default)]
pub(super) struct DraftsJobs {
    /// A record being read to open it in the form.
    opening: Option<Job<Result<Option<RecordWithHistory>, StoreError>>>,
    /// A copy being made, to open once made.
    duplicating: Option<Job<Result<RecordId, StoreError>>>,
    /// Changes whose failure must be said, each with what the form's record becomes once the
    /// store answered it.
    changes: Vec<(Job<Result<(), StoreError>>, FormFollows)>,
    /// "Send all ready", answering how many.
    sending_all: Option<Job<Result<usize, StoreError>>>,
    /// The forms' records "Send all ready" queued: ready again if the store refuses.
    sending_all_forms: Vec<RecordId>,
}

impl IntakeApp {
    /// Runs what was asked in the Drafts panel.
    pub(super) fn run_drafts_command(&mut self, command: DraftsCommand, ctx: &egui::Context) {
        let Some(store) = self.store.as_mut() else {
            self.drafts.show_error("The drafts store is not open.".to_owned());
            return;
        };
        match command {
            DraftsCommand::Select(id) => {
                self.drafts.select(id.clone());
                self.drafts.details_started(store.ask(ctx, |reply| StoreRequest::Open(id, reply)));
            }
            DraftsCommand::Open(id) => self.drafts_jobs.opening = Some(store.ask(ctx, |r| StoreRequest::Open(id, r))),
            DraftsCommand::Duplicate(id) => {
                self.drafts_jobs.duplicating = Some(store.ask(ctx, |reply| StoreRequest::Duplicate(id, reply)));
            }
            DraftsCommand::Delete(id) => {
                self.drafts.deleted(&id);
                let job = store.ask(ctx, |reply| StoreRequest::Delete(id.clone(), reply));
                self.drafts_jobs.changes.push((job, FormFollows::default()));
                self.forget_deleted_form(&id);
            }
            DraftsCommand::Undo => {
                if let Some(record) = self.drafts.take_deleted() {
                    let job = store.ask(ctx, |reply| StoreRequest::Restore(record.id, reply));
                    self.drafts_jobs.changes.push((job, FormFollows::default()));
                }
            }
            DraftsCommand::SendAllReady => {
                let job = store.ask(ctx, StoreRequest::QueueAllReady);
                // A ready form is queued with the others: read-only from now on, as after Submit.
                let mut queued = Vec::new();
                for backend in crate::model::Backend::ALL {
                    let ready =
                        self.records.current.get_mut(backend).as_mut().filter(|c| c.state == RecordState::Ready);
                    if let Some(current) = ready {
                        current.state = RecordState::Queued;
                        queued.push(current.id.clone());
                    }
                }
                self.drafts_jobs.sending_all = Some(job);
                self.drafts_jobs.sending_all_forms = queued;
            }
            DraftsCommand::SendAgain(id) => {
                let job = store.ask(ctx, |reply| StoreRequest::Requeue(id.clone(), reply));
                // Queued from now on, as Submit does: set before the outbox can report its
                // ending (which comes in a later frame), never after it.
                let refused = self.set_form_record_state(&id, RecordState::Queued);
                self.drafts_jobs.changes.push((job, FormFollows { id: Some(id), done: None, refused }));
            }
            DraftsCommand::TakeBack(id) => {
                let job = store.ask(ctx, |reply| StoreRequest::Unqueue(id.clone(), reply));
                let follows = FormFollows { id: Some(id), done: Some(RecordState::Ready), refused: None };
                self.drafts_jobs.changes.push((job, follows));
            }
        }
    }

    /// Reads the list again when the store changed and the panel shows, and takes in answers.
    pub(super) fn poll_drafts(&mut self, ctx: &egui::Context) {
        if let Some(store) = self.store.as_mut()
            && self.side == super::SidePanel::Drafts
            && !self.drafts.is_loading()
            && self.drafts.is_stale(store.changes())
        {
            let changes = store.changes();
            self.drafts.loading_started(store.ask(ctx, StoreRequest::List), changes);
            // The selected record's details may have changed too.
            if let Some(id) = self.drafts.selected().cloned() {
                self.drafts.details_started(store.ask(ctx, |reply| StoreRequest::Open(id, reply)));
            }
        }
        self.drafts.poll();
        self.poll_drafts_jobs(ctx);
        if let Some(failure) = self.store.as_ref().and_then(crate::ui::store_worker::StoreWorker::take_failure) {
            self.notify(Notice::error(failure));
        }
    }

    fn poll_drafts_jobs(&mut self, ctx: &egui::Context) {
        let jobs = &mut self.drafts_jobs;
        if let Some(answer) = jobs.opening.as_ref().and_then(answer) {
            jobs.opening = None;
            match answer {
                Ok(Some((record, _))) => self.open_record(record),
                Ok(None) => self.drafts.show_error("That record no longer exists.".to_owned()),
                Err(error) => self.drafts.show_error(error),
            }
        }
        let jobs = &mut self.drafts_jobs;
        if let Some(answer) = jobs.duplicating.as_ref().and_then(answer) {
            jobs.duplicating = None;
            match answer {
                Ok(copy) => self.run_drafts_command(DraftsCommand::Open(copy), ctx),
                Err(error) => self.drafts.show_error(error),
            }
        }
        let jobs = &mut self.drafts_jobs;
        if let Some(answer) = jobs.sending_all.as_ref().and_then(answer) {
            jobs.sending_all = None;
            let queued = std::mem::take(&mut jobs.sending_all_forms);
            match answer {
                Ok(count) => {
                    let text = match count {
                        0 => "No customer was ready to send.".to_owned(),
                        1 => "Queued 1 ready customer; the outbox sends it.".to_owned(),
                        n => format!("Queued {n} ready customers; the outbox sends them."),
                    };
                    self.notify(Notice::info(text));
                }
                Err(error) => {
                    self.drafts.show_error(error);
                    for id in queued {
                        self.set_form_record_state(&id, RecordState::Ready);
                    }
                }
            }
        }
        let mut failures = Vec::new();
        let mut follow = Vec::new();
        self.drafts_jobs.changes.retain_mut(|(job, follows)| {
            let Some(result) = answer(job) else { return true };
            let state = match result {
                Ok(()) => follows.done,
                Err(error) => {
                    failures.push(error);
                    follows.refused
                }
            };
            if let (Some(id), Some(state)) = (follows.id.take(), state) {
                follow.push((id, state));
            }
            false
        });
        for (id, state) in follow {
            self.set_form_record_state(&id, state);
        }
        if let Some(error) = failures.pop() {
            self.drafts.show_error(error);
        }
    }

    /// Sets the state of the form's record when it is `id`; the state it had.
    fn set_form_record_state(&mut self, id: &RecordId, state: RecordState) -> Option<RecordState> {
        for backend in crate::model::Backend::ALL {
            if let Some(current) = self.records.current.get_mut(backend).as_mut().filter(|c| c.id == *id) {
                return Some(std::mem::replace(&mut current.state, state));
            }
        }
        None
    }

    /// Puts a stored record in the form: its profile (or one of its backend) becomes the active
    /// one; queued, sending and sent records show read-only.
    pub(super) fn open_record(&mut self, record: Record) {
        self.records_autosave();
        let backend = record.backend;
        let profile = self
            .profiles
            .find(&record.profile)
            .filter(|p| p.backend() == backend)
            .or_else(|| self.profiles.profiles().iter().find(|p| p.backend() == backend))
            .map(|p| p.name.clone());
        if let Some(profile) = profile.filter(|name| *name != self.profile.name) {
            self.select_profile(&profile);
        }
        self.form.replace(Draft::from_json(backend, &record.body));
        self.form.touch_filled_fields(backend);
        let current = CurrentRecord::of(&record);
        let name = record.summary().name;
        let state = record.state;
        *self.records.current.get_mut(backend) = Some(current);
        *self.records.saved.get_mut(backend) = Some(record.body);
        self.select_tab(crate::model::Tab::Basic);
        let who = if name.is_empty() { "the customer".to_owned() } else { name };
        self.notify(Notice::info(format!("Opened {who} ({state}).")));
    }

    /// A deleted record leaves the form it was in: that form starts anew.
    fn forget_deleted_form(&mut self, id: &RecordId) {
        for backend in crate::model::Backend::ALL {
            if self.records.current.get(backend).as_ref().is_some_and(|c| c.id == *id) {
                *self.records.current.get_mut(backend) = None;
                *self.records.saved.get_mut(backend) = None;
                self.form.replace(Draft::new(backend));
            }
        }
    }
}

/// A job's answer once it is there, its error as a sentence.
fn answer<T>(job: &Job<Result<T, StoreError>>) -> Option<Result<T, String>> {
    match job.poll() {
        Ok(None) => None,
        Ok(Some(result)) => Some(result.map_err(|e| e.to_string())),
        Err(lost) => Some(Err(lost.to_string())),
    }
}
