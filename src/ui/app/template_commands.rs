//! The Metadata tab's template commands: saving or deleting a metadata template of the active
//! profile. The profiles file is written off the UI thread, through the profile store's merge
//! under its lock (a fresh store replays the one change), so the CLI and the window never undo
//! each other's changes; the window's own store then takes in what the file holds.

use super::IntakeApp;
use crate::model::metadata_templates::MetadataTemplate;
use crate::profiles::{ProfileError, ProfileStore};
use crate::ui::jobs::Task;
use crate::ui::notice::Notice;
use crate::ui::tabs::metadata_table::TemplateCommand;

/// A finished template change: the profile, what was done, and the profile's templates as the
/// file now holds them.
#[derive(Debug)]
pub(super) struct TemplateDone {
    profile: String,
    done: String,
    result: Result<Vec<MetadataTemplate>, ProfileError>,
}

/// The template change under way (one at a time).
pub(super) type TemplateJob = Task<TemplateDone>;

impl IntakeApp {
    /// Saves or deletes a template of the active profile, off the UI thread.
    pub(super) fn run_template_command(&mut self, command: TemplateCommand, ctx: &egui::Context) {
        if self.template_job.is_running() {
            let notice = Notice::error("Another template change is being saved; try again in a moment.");
            self.tabs_runtime.metadata.show_message(notice);
            return;
        }
        let profile = self.profile.name.clone();
        let (name, metadata, done) = match command {
            TemplateCommand::Save { name, metadata } => {
                let done = format!("Saved template “{name}” to profile {profile}.");
                (name, Some(metadata), done)
            }
            TemplateCommand::Delete(name) => {
                let done = format!("Deleted template “{name}” from profile {profile}.");
                (name, None, done)
            }
        };
        let change = move |store: &mut ProfileStore| -> Result<Vec<MetadataTemplate>, ProfileError> {
            store.set_metadata_template(&profile, &name, metadata)?;
            store.save()?;
            let saved = store.find(&profile).ok_or_else(|| ProfileError::NotFound(profile.clone()))?;
            Ok(saved.metadata_templates.clone())
        };
        let profile = self.profile.name.clone();
        let Some(path) = self.profiles.path().map(std::path::Path::to_path_buf) else {
            // Profiles kept in memory only (no home folder): nothing to write.
            let result = change(&mut self.profiles);
            self.template_done(TemplateDone { profile, done, result });
            return;
        };
        let job = self.background.spawn_blocking(ctx, move || {
            let result = ProfileStore::load_from(&path).and_then(|mut store| change(&mut store));
            TemplateDone { profile, done, result }
        });
        match job.map(|job| self.template_job.start(job)) {
            Ok(Ok(())) => {}
            Ok(Err(error)) | Err(error) => {
                self.tabs_runtime.metadata.show_message(Notice::error(format!("Could not save the template: {error}")));
            }
        }
    }

    /// Takes in a finished template change.
    pub(super) fn poll_template_work(&mut self) {
        match self.template_job.poll_take() {
            None => {}
            Some(Ok(done)) => self.template_done(done),
            Some(Err(lost)) => {
                self.tabs_runtime.metadata.show_message(Notice::error(format!("The template was not saved: {lost}")));
            }
        }
    }

    fn template_done(&mut self, done: TemplateDone) {
        let TemplateDone { profile, done, result } = done;
        match result {
            Ok(templates) => {
                self.profiles.adopt_metadata_templates(&profile, templates.clone());
                if self.profile.name == profile {
                    self.profile.metadata_templates = templates;
                }
                self.tabs_runtime.metadata.show_message(Notice::info(done));
            }
            Err(error) => {
                let text = format!("The template was not saved: {error}");
                self.tabs_runtime.metadata.show_message(Notice::error(text));
            }
        }
    }
}
