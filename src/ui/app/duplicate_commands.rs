//! The duplicate check of a Submit: the server is asked whether the customer exists before the
//! record is queued; a match or a failed lookup is asked about, the answer becomes a command.

use super::{AppCommand, IntakeApp, SidePanel};
use crate::duplicate_check::DuplicateVerdict;
use crate::model::Backend;
use crate::ui::duplicate_warning::{DuplicateAnswer, duplicate_warning_ui};
use crate::ui::notice::Notice;

/// Where the duplicate check of a Submit stands.
#[derive(Debug, Default)]
pub enum DuplicateStage {
    /// No check under way.
    #[default]
    Idle,
    /// The server is being asked about the form of `backend`, for `profile`.
    Checking {
        /// The form checked.
        backend: Backend,
        /// The profile asked.
        profile: String,
    },
    /// The warning is on screen.
    Asking {
        /// The form it is about.
        backend: Backend,
        /// The profile asked.
        profile: String,
        /// A customer found, or the lookup's failure.
        verdict: DuplicateVerdict,
        /// The viewer's number of the answer that names the existing customer.
        found_in: Option<usize>,
    },
}

impl IntakeApp {
    /// Asks the server about the form's customer before it is queued (the last step of Submit).
    pub(super) fn start_duplicate_check(&mut self, backend: Backend, ctx: &egui::Context) {
        let Some(payload) = self.form.preview().cloned() else { return };
        let profile = self.profile.clone();
        match self.network.start_duplicate_check(&profile, payload, ctx) {
            Ok(()) => {
                self.duplicates = DuplicateStage::Checking { backend, profile: profile.name.clone() };
                let api = backend.display_name();
                self.notify(Notice::info(format!("Checking {api} for an existing customer…")));
            }
            Err(error) => {
                let verdict = DuplicateVerdict::LookupFailed(error.to_string());
                self.duplicates = DuplicateStage::Asking { backend, profile: profile.name, verdict, found_in: None };
            }
        }
    }

    /// Whether a Submit waits for its duplicate check.
    pub(super) fn is_checking_duplicates(&self) -> bool {
        matches!(self.duplicates, DuplicateStage::Checking { .. })
    }

    /// Stops waiting for the duplicate check (Cancel beside its spinner); nothing is sent.
    pub(super) fn cancel_duplicate_check(&mut self) {
        if self.is_checking_duplicates() {
            self.duplicates = DuplicateStage::Idle;
            self.notify(Notice::info("Not sent: the duplicate check was cancelled."));
        }
    }

    /// Takes in a finished duplicate check: sends at once when the server has no such customer
    /// (or cannot be asked, which is said), asks otherwise.
    pub(super) fn poll_duplicate_check(&mut self, ctx: &egui::Context) {
        let Some(result) = self.network.poll_duplicate_check() else { return };
        let DuplicateStage::Checking { backend, profile } = std::mem::take(&mut self.duplicates) else {
            // Cancelled meanwhile: its requests still go to the viewer.
            if let Ok(done) = result {
                done.exchanges.into_iter().for_each(|attempt| self.viewer.push(attempt));
            }
            return;
        };
        let done = match result {
            Ok(done) => done,
            Err(lost) => {
                let verdict = DuplicateVerdict::LookupFailed(format!("the check stopped: {lost}"));
                self.notify(Notice::info(format!("Not sent yet: {}", verdict.sentence(backend))));
                self.duplicates = DuplicateStage::Asking { backend, profile, verdict, found_in: None };
                return;
            }
        };
        // The answer that names the existing customer: the last one that lists any.
        let found_at = done.exchanges.iter().rposition(|e| names_a_customer(e.exchange()));
        let before = self.viewer.pushed();
        done.exchanges.into_iter().for_each(|attempt| self.viewer.push(attempt));
        let found_in = found_at.map(|at| before + at + 1);
        let still_same = self.profile.name == profile && self.backend() == backend;
        if !still_same {
            self.notify(Notice::info("Not sent: the profile changed while it was checked for duplicates."));
            return;
        }
        if self.form.preview() != Some(&done.payload) {
            // Edited while the server was asked: ask about what would be sent now.
            self.start_duplicate_check(backend, ctx);
            return;
        }
        match done.verdict {
            DuplicateVerdict::Clear => self.queue_form(backend, ctx),
            DuplicateVerdict::Unchecked(_) => {
                let said = done.verdict.sentence(backend);
                self.queue_form(backend, ctx);
                self.notify(Notice::info(format!("{said} Sending to {profile}…")));
            }
            verdict @ (DuplicateVerdict::Found(_) | DuplicateVerdict::LookupFailed(_)) => {
                self.notify(Notice::info(format!("Not sent yet: {}", verdict.sentence(backend))));
                self.duplicates = DuplicateStage::Asking { backend, profile, verdict, found_in };
            }
        }
    }

    /// The warning, while it is asked; the answer becomes a command.
    pub(super) fn duplicate_question_ui(&self, ctx: &egui::Context, commands: &mut Vec<AppCommand>) {
        let DuplicateStage::Asking { backend, verdict, .. } = &self.duplicates else { return };
        if let Some(answer) = duplicate_warning_ui(ctx, *backend, verdict) {
            commands.push(AppCommand::Duplicate(answer));
        }
    }

    /// Whether the warning is on screen (shortcuts wait).
    pub(super) fn is_asking_about_duplicates(&self) -> bool {
        matches!(self.duplicates, DuplicateStage::Asking { .. })
    }

    /// Acts on the warning's answer.
    pub(super) fn duplicate_answered(&mut self, answer: DuplicateAnswer, ctx: &egui::Context) {
        let DuplicateStage::Asking { backend, profile, found_in, .. } = std::mem::take(&mut self.duplicates) else {
            return;
        };
        match answer {
            DuplicateAnswer::SendAnyway if self.profile.name == profile && self.backend() == backend => {
                self.queue_form(backend, ctx);
            }
            DuplicateAnswer::SendAnyway => {
                self.notify(Notice::info("Not sent: the profile changed while the warning was open."));
            }
            DuplicateAnswer::OpenExisting => {
                if let Some(number) = found_in {
                    self.viewer.select_number(number);
                }
                self.side = SidePanel::Responses;
                self.notify(Notice::info("Not sent: the existing customer is under Responses."));
            }
            DuplicateAnswer::Cancel => self.notify(Notice::info("Not sent: the customer may exist already.")),
        }
    }
}

/// Whether an exchange's answer holds a customer: Finosu's read (200), or a Help Scout search
/// that lists any.
fn names_a_customer(exchange: &crate::backends::Exchange) -> bool {
    let Some(response) = exchange.response.as_ref().filter(|r| r.status == 200) else { return false };
    let Some(body) = crate::backends::http::body_json(response) else { return false };
    match body.pointer("/_embedded/customers") {
        Some(list) => list.as_array().is_some_and(|customers| !customers.is_empty()),
        None => body.get("id").is_some(),
    }
}
