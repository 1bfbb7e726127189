//! The file commands: open a draft (dialog, drop, command line), save it, and take in what the
//! file worker read or wrote.

use std::path::{Path, PathBuf};

use super::IntakeApp;
use crate::draft_file::{guess_backend, suggested_file_name};
use crate::model::{Backend, Draft};
use crate::ui::file_worker::{FileRequest, FileResult};
use crate::ui::notice::Notice;

impl IntakeApp {
    /// Reads a draft file off the UI thread, as if picked in the Open dialog.
    pub fn open_draft_path(&mut self, path: PathBuf, ctx: &egui::Context) {
        self.start_file_request(FileRequest::Open(path), ctx);
    }

    pub(super) fn request_open(&mut self, ctx: &egui::Context) {
        self.start_file_request(FileRequest::PickAndOpen { start_dir: self.last_dir.clone() }, ctx);
    }

    pub(super) fn request_save(&mut self, ctx: &egui::Context) {
        let backend = self.backend();
        self.form.refresh(backend);
        let Some(body) = self.form.draft_json().cloned() else { return };
        let file_name = match backend {
            Backend::Finosu => suggested_file_name(&self.form.finosu().first_name, &self.form.finosu().last_name),
            Backend::HelpScout => {
                suggested_file_name(&self.form.help_scout().first_name, &self.form.help_scout().last_name)
            }
        };
        self.start_file_request(FileRequest::PickAndSave { start_dir: self.last_dir.clone(), file_name, body }, ctx);
    }

    fn start_file_request(&mut self, request: FileRequest, ctx: &egui::Context) {
        if let Err(error) = self.files.start(request, ctx) {
            self.notify(Notice::from(&error));
        }
    }

    pub(super) fn poll_files(&mut self, ctx: &egui::Context) {
        let Some(result) = self.files.poll() else { return };
        match result {
            FileResult::Cancelled => {}
            FileResult::Failed(reason) => self.notify(Notice::error(format!("File action failed: {reason}"))),
            FileResult::Saved { path, result: Ok(()) } => {
                self.notify(Notice::info(format!("Saved draft to {}", path.display())));
                self.remember_dir(&path);
            }
            FileResult::Saved { path, result: Err(err) } => {
                self.notify(Notice::error(format!("Could not save the draft: {err}. The form is unchanged.")));
                self.remember_dir(&path);
            }
            FileResult::Opened { path, result: Err(err) } if is_list_of_customers(&err) => {
                // One object per line (JSON Lines): a file for the Import window.
                self.remember_dir(&path);
                self.run_import_command(crate::ui::import::ImportCommand::OpenFile(path), ctx);
            }
            FileResult::Opened { path, result: Err(err) } => {
                let text = format!("Could not open the draft: {err}. The form was left as it was.");
                self.notify(Notice::error(text));
                self.remember_dir(&path);
            }
            FileResult::Opened { path, result: Ok(body) } if body.is_array() => {
                // A list of customers: the Import window takes it (mapping, report, batch).
                self.remember_dir(&path);
                self.run_import_command(crate::ui::import::ImportCommand::OpenFile(path), ctx);
            }
            FileResult::Opened { path, result: Ok(body) } => {
                self.remember_dir(&path);
                self.load_body(&path, &body);
            }
        }
    }

    fn remember_dir(&mut self, path: &Path) {
        if let Some(dir) = path.parent() {
            self.last_dir = Some(dir.to_owned());
        }
    }

    /// Puts an opened draft in the form, switching to a profile of its backend when it looks
    /// like the other one's.
    fn load_body(&mut self, path: &Path, body: &serde_json::Value) {
        if !body.is_object() {
            let found = "a single value";
            let message = format!(
                "Could not open the draft: it holds {found}, not a customer object {{ … }}. The form was left as it was. ({})",
                path.display()
            );
            self.notify(Notice::error(message));
            return;
        }
        let mut note = String::new();
        if let Some(guess) = guess_backend(body)
            && guess != self.backend()
            && let Some(profile) = self.profiles.profiles().iter().find(|p| p.backend() == guess).cloned()
        {
            self.select_profile(&profile.name);
            note =
                format!(" It looks like a {} customer, so the profile is now {}.", guess.display_name(), profile.name);
        }
        // The file's customer is a new record; the one in the form stays under Drafts.
        self.records_autosave();
        let backend = self.backend();
        self.form.replace(Draft::from_json(backend, body));
        *self.records.current.get_mut(backend) = None;
        *self.records.saved.get_mut(backend) = None;
        self.form.touch_filled_fields(backend);
        let problems = self.form.visible_issues().count();
        if let Some(tab) = self.form.first_visible_tab_with_problems(backend) {
            self.tab = tab;
        }
        let summary = match problems {
            0 => String::new(),
            1 => " 1 problem to look at.".to_owned(),
            n => format!(" {n} problems to look at."),
        };
        self.notify(Notice::info(format!("Opened {}.{note}{summary}", path.display())));
    }
}

/// Whether a file that failed to open as a draft is JSON Lines: one object, then more on the
/// lines after it.
fn is_list_of_customers(error: &crate::draft_file::DraftFileError) -> bool {
    matches!(error, crate::draft_file::DraftFileError::NotJson { reason, line, .. }
        if reason.starts_with("trailing characters") && *line > 1)
}
