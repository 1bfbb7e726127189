//! The submit command: checks before sending, the send itself on the network thread, and what
//! its answer changes (the viewer, field errors from the server, learned task types).

use super::{CreatedDraft, IntakeApp, SidePanel};
use crate::backends::Outcome;
use crate::ui::notice::Notice;
use crate::ui::submit_worker::SubmitDone;

impl IntakeApp {
    /// Sends the draft to the active profile (Submit, Ctrl+Enter). Does nothing while a send
    /// runs; refuses with a reason when the draft has errors or was already created as is.
    pub fn request_submit(&mut self, ctx: &egui::Context) {
        if self.submit.is_busy() {
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
        let (Some(draft), Some(body)) = (self.form.draft_json().cloned(), self.form.preview().cloned()) else {
            return;
        };
        if let Some(created) = &self.created
            && created.profile == self.profile.name
            && created.draft == draft
        {
            let id = created.id.as_deref().map(|id| format!(" {id}")).unwrap_or_default();
            let text = format!(
                "Not sent again: this exact customer was already created as{id}. Change something, or press New."
            );
            self.notify(Notice::error(text));
            return;
        }
        if self.needs_production_confirmation() {
            self.confirm_production = true;
            return;
        }
        let profile = self.profile.clone();
        match self.submit.start(&profile, body, draft, ctx) {
            Ok(()) => self.notify(Notice::info(format!("Sending to {}…", profile.name))),
            Err(error) => self.notify(Notice::from(&error)),
        }
    }

    /// Stops waiting for the answer of the send under way.
    pub fn cancel_submit(&mut self) {
        if let Some(done) = self.submit.cancel() {
            self.finish_submit(done);
        }
    }

    pub(super) fn poll_submit(&mut self) {
        if let Some(done) = self.submit.poll() {
            self.finish_submit(done);
        }
    }

    fn finish_submit(&mut self, done: SubmitDone) {
        // The prepared record is shared (an Arc): keeping the last one costs no copy of its body.
        let Some(prepared) = done.exchanges.last().cloned() else { return };
        for attempt in done.exchanges {
            self.viewer.push(attempt);
        }
        self.side = SidePanel::Responses;
        let (last, summary) = (prepared.exchange(), prepared.summary());
        match &last.outcome {
            Outcome::Created { id, .. } => {
                self.form.set_server_issues(last.backend, &done.draft, &[]);
                // Sent is as good as saved: Ctrl+N starts the next customer without asking.
                self.clean_body = Some((last.backend, done.draft.clone()));
                self.created = Some(CreatedDraft { profile: done.profile, draft: done.draft, id: id.clone() });
                self.notify(Notice::info(format!("{summary} Ctrl+N starts the next customer.")));
            }
            Outcome::Rejected { field_errors, valid_task_types, .. } => {
                self.form.set_server_issues(last.backend, &done.draft, field_errors);
                self.learn_task_types(&done.profile, valid_task_types);
                // Show the tab of the first field the server named.
                let tab = field_errors.iter().find_map(|e| crate::validation::tab_for_path(last.backend, &e.pointer));
                if last.backend == self.backend()
                    && let Some(tab) = tab
                {
                    self.select_tab(tab);
                }
                self.notify(Notice::error(summary));
            }
            _ => self.notify(Notice::error(summary)),
        }
    }

    fn learn_task_types(&mut self, profile: &str, task_types: &[String]) {
        if !self.profiles.learn_task_types(profile, task_types) {
            return;
        }
        self.reload_profile_if_active(profile);
        if let Err(error) = self.profiles.save() {
            tracing::warn!("could not save the learned task types: {error}");
        }
    }
}
