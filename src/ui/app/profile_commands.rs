//! The app's side of the profile manager: running its commands (the profiles file, keyring
//! work, credential tests), taking in their results, keeping token expiries, and asking before
//! the first send of a session to a production profile.

use std::sync::Arc;

use super::{AppCommand, IntakeApp};
use crate::backends::Secret;
use crate::credentials::{SecretKind, Storage};
use crate::model::Backend;
use crate::profiles::{AuthKind, Profile, ProfileError};
use crate::ui::notice::Notice;
use crate::ui::profiles::{
    FormError, ManagerView, ProductionAnswer, ProfileCommand, VaultDone, VaultTask, confirm_production_ui, sentence,
};

impl IntakeApp {
    /// Takes in keyring results, finished credential tests and new token expiries; reads the
    /// active profile's secrets once, for the top bar.
    pub(super) fn poll_profile_work(&mut self, ctx: &egui::Context) {
        for done in self.vault_jobs.poll() {
            self.vault_done(done);
        }
        if let Some(done) = self.network.poll_check() {
            for prepared in done.exchanges {
                self.viewer.push(prepared);
            }
            let report = &done.report;
            let text = format!("{}: {}", done.profile, report.headline);
            self.notify(if report.is_ok() { Notice::info(text) } else { Notice::error(text) });
            // A Help Scout test may have obtained and kept new tokens.
            if self.profiles.find(&done.profile).is_some_and(|p| !p.kind.is_sandbox()) {
                self.start_vault_task(&done.profile, VaultTask::Load, ctx);
            }
            self.profile_manager.record_verdict(done.profile, done.report);
        }
        for (name, expires_at) in self.network.pool().take_token_expiries() {
            self.keep_token_expiry(&name, expires_at);
        }
        let name = self.profile.name.clone();
        if !self.profile.kind.is_sandbox() && !self.vault_jobs.was_requested(&name) {
            self.start_vault_task(&name, VaultTask::Load, ctx);
        }
    }

    /// Writes a token's expiry into the profile, so the next run renews it in time.
    fn keep_token_expiry(&mut self, name: &str, expires_at: Option<chrono::DateTime<chrono::Utc>>) {
        if !self.profiles.set_token_expiry(name, expires_at) {
            return;
        }
        // A save also takes in what other processes changed meanwhile.
        match self.profiles.save() {
            Ok(()) => self.profiles_changed(),
            Err(error) => {
                self.notify(Notice::error(format!("Could not save the token expiry of profile {name:?}: {error}")));
            }
        }
        self.reload_profile_if_active(name);
    }

    /// Runs `task` on `profile`'s secrets off the UI thread.
    fn start_vault_task(&mut self, profile: &str, task: VaultTask, ctx: &egui::Context) {
        let vault = Arc::clone(self.network.pool().vault());
        if let Err(error) = self.vault_jobs.start(vault, profile, task, ctx) {
            // Said where the person looks: in the Profiles window when it is open.
            if self.profile_manager.is_open() {
                self.profile_manager.show_notice(Notice::from(&error));
            } else {
                self.notify(Notice::from(&error));
            }
        }
    }

    fn vault_done(&mut self, done: VaultDone) {
        if done.changed {
            // The next send or test reads the secrets again, and Help Scout property
            // definitions that could not be fetched without them are tried again.
            self.forget_client(&done.profile);
            self.definitions_tried.remove(&done.profile);
        }
        // A new access token or OAuth app: the expiry on file was the old token's.
        if matches!(done.stored, Some(SecretKind::AccessToken | SecretKind::ClientSecret))
            && done.message.as_ref().is_some_and(|notice| !notice.is_error())
        {
            self.keep_token_expiry(&done.profile, None);
        }
        if let Some(notice) = done.message {
            self.profile_manager.show_notice(notice);
        }
    }

    /// Opens the Profiles window on the active profile, or closes it (Ctrl+P).
    pub fn toggle_profile_manager(&mut self) {
        self.profile_manager.toggle(&self.profile, &self.profiles);
    }

    /// Opens the Profiles window on the active profile ("Set up credentials…").
    pub(super) fn open_profile_manager_on_active(&mut self) {
        self.profile_manager.open_on(&self.profile, &self.profiles);
    }

    /// Draws the Profiles window when open; what was asked in it becomes commands.
    pub(super) fn profile_manager_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<AppCommand>) {
        let sandbox_urls = self
            .network
            .sandbox()
            .filter(|_| self.profile_manager.is_open())
            .map(|s| (s.base_url(Backend::Finosu), s.base_url(Backend::HelpScout)));
        let view = ManagerView {
            profiles: &self.profiles,
            active: &self.profile.name,
            vault: &self.vault_jobs,
            checking: self.network.checking(),
            sandbox_urls: sandbox_urls.as_ref().map(|(f, h)| (f.as_str(), h.as_str())),
        };
        commands.extend(self.profile_manager.ui(ctx, view).into_iter().map(AppCommand::Profile));
    }

    pub(super) fn run_profile_command(&mut self, command: ProfileCommand, ctx: &egui::Context) {
        match command {
            ProfileCommand::Save { original, profile } => self.save_profile(original.as_deref(), profile, ctx),
            ProfileCommand::Duplicate(name) => self.duplicate_profile(&name),
            ProfileCommand::Activate(name) => {
                self.select_profile(&name);
                self.profile_manager.show_notice(Notice::info(format!("The form now sends to {name}.")));
            }
            ProfileCommand::Remove(name) => self.remove_profile(&name, ctx),
            ProfileCommand::Test(name) => {
                let Some(profile) = self.profiles.find(&name).cloned() else { return };
                match self.network.start_check(&profile, ctx) {
                    Ok(()) => self.profile_manager.check_started(&name),
                    Err(error) => self.profile_manager.show_notice(Notice::from(&error)),
                }
            }
            ProfileCommand::Vault { profile, task } => self.start_vault_task(&profile, task, ctx),
        }
    }

    /// Applies `change` to the profiles and writes the file; on any failure the profiles stay
    /// as they were.
    fn change_profiles<T>(
        &mut self,
        change: impl FnOnce(&mut crate::profiles::ProfileStore) -> Result<T, ProfileError>,
    ) -> Result<T, ProfileError> {
        let before = self.profiles.clone();
        let result = change(&mut self.profiles).and_then(|value| self.profiles.save().map(|()| value));
        if result.is_err() {
            self.profiles = before;
        } else {
            self.profiles_changed();
        }
        result
    }

    fn save_profile(&mut self, original: Option<&str>, profile: Profile, ctx: &egui::Context) {
        let wanted = profile.name.trim().to_owned();
        let previous_client_id = original.and_then(|old| self.profiles.find(old)).map(|p| p.client_id.clone());
        let result = self.change_profiles(|store| match original {
            Some(old) => store.update(old, profile),
            None => store.add(profile),
        });
        if let Err(error) = result {
            self.profile_manager.save_failed(FormError::from_profile_error(&error));
            return;
        }
        let Some(saved) = self.profiles.find(&wanted).cloned() else { return };
        if let Some(old) = original.filter(|old| *old != saved.name) {
            // Secrets are filed under the profile's name: they move with it.
            self.start_vault_task(&saved.name, VaultTask::Rename { from: old.to_owned() }, ctx);
            self.forget_client(old);
            self.production_confirmed.remove(old);
            if self.profile.name == old {
                self.profile.name.clone_from(&saved.name);
            }
        }
        // Tokens cached for another OAuth app are not this app's: drop them and their expiry.
        // (On a rename they move with the secrets instead; a 401 then renews them once.)
        let renamed = original.is_some_and(|old| old != saved.name);
        let app_changed = previous_client_id.is_some_and(|id| id.is_some() && id != saved.client_id);
        if app_changed && !renamed && saved.auth_kind() == AuthKind::OauthApp {
            for kind in [SecretKind::AccessToken, SecretKind::RefreshToken] {
                self.start_vault_task(&saved.name, VaultTask::Remove(kind), ctx);
            }
            self.keep_token_expiry(&saved.name, None);
        }
        self.forget_client(&saved.name);
        if self.profile.name == saved.name {
            self.profile = saved.clone();
            self.use_profile_definitions();
        }
        self.profile_manager.saved(original, &saved);
    }

    fn duplicate_profile(&mut self, name: &str) {
        match self.change_profiles(|store| store.duplicate(name)) {
            Ok(copy) => {
                if let Some(profile) = self.profiles.find(&copy).cloned() {
                    self.profile_manager.show_profile(&profile);
                }
                let text = format!("Copied {name} to {copy}. Secrets are not copied: store the copy's own below.");
                self.profile_manager.show_notice(Notice::info(text));
            }
            Err(error) => self.profile_manager.show_notice(Notice::error(sentence(&error.to_string()))),
        }
    }

    fn remove_profile(&mut self, name: &str, ctx: &egui::Context) {
        if let Err(error) = self.change_profiles(|store| store.remove(name)) {
            self.profile_manager.show_notice(Notice::error(sentence(&error.to_string())));
            return;
        }
        self.start_vault_task(name, VaultTask::RemoveAll, ctx);
        self.forget_client(name);
        self.production_confirmed.remove(name);
        if self.profile.name == name {
            // The form keeps its backend: the built-in profile of that backend takes over.
            let backend = self.backend();
            let next = self.profiles.profiles().iter().find(|p| p.backend() == backend).map(|p| p.name.clone());
            if let Some(next) = next {
                self.select_profile(&next);
            }
        }
        self.profile_manager.removed(name, &self.profile);
    }

    /// Keeps `secret` in memory for the active (real) profile for this session, as "Use for
    /// this session only" in the Profiles window does.
    #[expect(clippy::needless_pass_by_value, reason = "the secret is handed over, so no copy stays with the caller")]
    pub fn use_session_secret(&mut self, secret: Secret) {
        let name = self.profile.name.clone();
        let kind = self.profile.auth_kind().required_secret();
        // Session secrets live in memory: setting one does not touch the keyring or block.
        if let Err(error) = self.network.pool().vault().set(&name, kind, &secret, Storage::Session) {
            self.notify(Notice::error(format!("Could not keep the secret: {error}")));
            return;
        }
        self.vault_jobs.note_session_secret(&name, kind, secret.masked());
        self.forget_client(&name);
    }

    /// Whether the active profile is a production one whose first send this session was not
    /// confirmed yet.
    pub(super) fn needs_production_confirmation(&self) -> bool {
        self.profile.production && !self.production_confirmed.contains(&self.profile.name)
    }

    /// "Send to production profile X?" while it is asked; the answer becomes a command.
    pub(super) fn production_question_ui(&self, ctx: &egui::Context, commands: &mut Vec<AppCommand>) {
        if !self.confirm_production {
            return;
        }
        if let Some(answer) = confirm_production_ui(ctx, &self.profile) {
            commands.push(AppCommand::Production(answer));
        }
    }

    /// Sends after "Send", or says it was not sent.
    pub(super) fn production_answered(&mut self, answer: ProductionAnswer, ctx: &egui::Context) {
        self.confirm_production = false;
        match answer {
            ProductionAnswer::Send => {
                self.production_confirmed.insert(self.profile.name.clone());
                self.request_submit(ctx);
            }
            ProductionAnswer::Cancel => {
                self.notify(Notice::info(format!("Not sent to production profile {}.", self.profile.name)));
            }
        }
    }
}
