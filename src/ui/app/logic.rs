//! Per-frame work that draws nothing: taking in what background jobs finished (files, the
//! outbox's endings, the store's answers), autosave, starting the in-process sandbox, fetching
//! property definitions when due, warming up the phone metadata and the ZIP table. eframe runs it before each
//! frame (and while the window is hidden, when woken).

use super::IntakeApp;
use crate::model::Backend;
use crate::ui::notice::Notice;

impl IntakeApp {
    /// The frame's work before drawing.
    pub(super) fn frame_logic(&mut self, ctx: &egui::Context) {
        if let Some(path) = self.open_on_start.take() {
            self.open_draft_path(path, ctx);
        }
        self.poll_restore(ctx);
        // The store's writer and the outbox start once the first frame is out and the last
        // records are read (their threads, connections and the background runtime cost the
        // first frame nothing then).
        if ctx.cumulative_pass_nr() > 0 && !self.records.is_loading() {
            self.start_store_workers(ctx);
        }
        self.poll_files(ctx);
        self.poll_queueing();
        self.poll_outbox();
        self.poll_blocked_send();
        self.poll_drafts(ctx);
        self.poll_import(ctx);
        self.poll_definitions();
        self.poll_profile_work(ctx);
        self.poll_duplicate_check(ctx);
        self.poll_template_work();
        self.fetch_definitions_when_due(ctx);
        self.start_sandbox_when_needed(ctx);
        if let Some(store) = &mut self.store
            && !store.send_backlog()
        {
            // The writer's queue was full: hand the rest over next frame.
            ctx.request_repaint();
        }
        // Load the phone metadata and the ZIP table off the UI thread, so the first keystroke in
        // a phone or ZIP field does not stall on them: once the first frame is out, or at once
        // when a restored draft waits for them (it is put in the form when both are there).
        let waiting = self.records.is_restore_pending();
        if waiting {
            self.phone_metadata_wanted.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        if !self.phone_metadata_requested && (waiting || ctx.cumulative_pass_nr() > 0) {
            self.phone_metadata_requested = true;
            let (ctx, wanted) = (ctx.clone(), std::sync::Arc::clone(&self.phone_metadata_wanted));
            let (zip_ctx, zip_wanted) = (ctx.clone(), std::sync::Arc::clone(&wanted));
            crate::validation::warm_up_phone_metadata(move || {
                if wanted.load(std::sync::atomic::Ordering::SeqCst) {
                    ctx.request_repaint();
                }
            });
            crate::reference::zip_codes::warm_up(move || {
                if zip_wanted.load(std::sync::atomic::Ordering::SeqCst) {
                    zip_ctx.request_repaint();
                }
            });
        }
        if waiting && crate::validation::is_phone_metadata_warm() && crate::reference::zip_codes::is_loaded() {
            self.apply_pending_restore();
        }
        self.form.refresh(self.backend());
    }

    /// A sandbox profile works from the first send: its server starts with the window, or
    /// when the outbox holds records for a sandbox profile.
    fn start_sandbox_when_needed(&mut self, ctx: &egui::Context) {
        if self.network.sandbox().is_some() || self.sandbox_failed {
            return;
        }
        let outbox_needs_it = self.outbox.as_ref().is_some_and(|outbox| {
            let status = outbox.status();
            status
                .blocked
                .keys()
                .chain(status.queued.keys())
                .any(|name| self.profiles.find(name).is_some_and(|profile| profile.kind.is_sandbox()))
        });
        if !self.profile.kind.is_sandbox() && !outbox_needs_it {
            return;
        }
        match self.network.ensure_sandbox() {
            Ok(_) => {
                if let Some(outbox) = &self.outbox {
                    outbox.wake();
                }
            }
            Err(error) => {
                self.sandbox_failed = true;
                self.notify(Notice::from(&error));
            }
        }
        ctx.request_repaint();
    }

    /// Fetches the Help Scout property definitions once per profile and session (and when the
    /// person asks), as soon as the profile can authenticate.
    fn fetch_definitions_when_due(&mut self, ctx: &egui::Context) {
        let asked = std::mem::take(&mut self.tabs_runtime.reload_property_definitions);
        if self.backend() != Backend::HelpScout || (!asked && self.definitions_tried.contains(&self.profile.name)) {
            return;
        }
        self.definitions_tried.insert(self.profile.name.clone());
        self.definitions_asked = asked;
        let profile = self.profile.clone();
        if let Err(error) = self.network.fetch_definitions(&profile, ctx) {
            self.notify(Notice::from(&error));
        }
    }

    /// Takes in fetched property definitions: cached on the profile, or why not.
    fn poll_definitions(&mut self) {
        let Some(done) = self.network.poll_definitions() else { return };
        let made_requests = !done.exchanges.is_empty();
        for prepared in done.exchanges {
            self.viewer.push(prepared);
        }
        match done.result {
            Ok(definitions) => {
                if self.profiles.cache_property_definitions(&done.profile, &definitions) {
                    match self.profiles.save() {
                        Ok(()) => self.profiles_changed(),
                        Err(error) => {
                            self.notify(Notice::error(format!("Could not save the property definitions: {error}")));
                        }
                    }
                }
                self.reload_profile_if_active(&done.profile);
            }
            // A profile without credentials yet is not an error until the person asks.
            Err(reason) if !self.definitions_asked && !made_requests => {
                tracing::info!("property definitions not loaded: {reason}");
            }
            Err(reason) => {
                self.notify(Notice::error(format!("Could not load the Help Scout property definitions: {reason}")));
            }
        }
    }
}
