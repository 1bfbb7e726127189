//! [`AppCommand`]: what the top bar, tab bar, status bar, shortcuts and dialogs ask for while
//! drawing, run in one place after the frame is drawn.

use std::path::PathBuf;

use super::{IntakeApp, SidePanel};
use crate::model::Tab;
use crate::ui::drafts::DraftsCommand;
use crate::ui::duplicate_warning::DuplicateAnswer;
use crate::ui::import::ImportCommand;
use crate::ui::profiles::{ProductionAnswer, ProfileCommand};
use crate::ui::tabs::metadata_table::TemplateCommand;

/// Something the person asked the window to do.
#[derive(Debug)]
#[must_use]
pub enum AppCommand {
    /// Make this profile the active one (its backend picks the form).
    SelectProfile(String),
    /// Show this tab, focus in its first field.
    SelectTab(Tab),
    /// Show the request preview, the responses or the drafts.
    ShowSide(SidePanel),
    /// Show the Drafts panel with the keyboard in its search, or go back to the preview.
    ToggleDrafts,
    /// Open or close the Profiles window (Ctrl+P).
    ToggleProfiles,
    /// Open the Profiles window on the active profile ("Set up credentials…").
    SetUpCredentials,
    /// Start a new customer (the current one stays in the Drafts list).
    New,
    /// Pick a draft file and open it.
    Open,
    /// Open this draft file (dropped on the window).
    OpenPath(PathBuf),
    /// Pick where to save the draft, then save it.
    Save,
    /// Send the draft to the active profile.
    Submit,
    /// Stop waiting for the answer of the send under way.
    CancelSubmit,
    /// Show every problem, touched or not.
    ShowAllProblems,
    /// Remove a top-level field the form has no editor for.
    RemoveUnknownField(String),
    /// The answer to "Send to production profile X?".
    Production(ProductionAnswer),
    /// The answer to the duplicate warning of a Submit.
    Duplicate(DuplicateAnswer),
    /// Something asked in the Profiles window.
    Profile(ProfileCommand),
    /// Something asked in the Drafts panel.
    Drafts(DraftsCommand),
    /// Open or close the Import window (Ctrl+I).
    ToggleImport,
    /// Something asked in the Import window (or a file dropped to import).
    Import(ImportCommand),
    /// Save or delete a metadata template of the active profile (Metadata tab).
    MetadataTemplate(TemplateCommand),
}

impl IntakeApp {
    /// Runs what this frame's views asked for; the window is redrawn once more to show it.
    pub(super) fn run_commands(&mut self, commands: Vec<AppCommand>, ctx: &egui::Context) {
        if commands.is_empty() {
            return;
        }
        for command in commands {
            self.run_command(command, ctx);
        }
        ctx.request_repaint();
    }

    fn run_command(&mut self, command: AppCommand, ctx: &egui::Context) {
        match command {
            AppCommand::SelectProfile(name) => self.select_profile(&name),
            AppCommand::SelectTab(tab) => self.select_tab(tab),
            AppCommand::ShowSide(side) => self.side = side,
            AppCommand::ToggleDrafts => {
                if self.side == SidePanel::Drafts {
                    self.side = SidePanel::Request;
                } else {
                    self.side = SidePanel::Drafts;
                    self.drafts.focus_search();
                }
            }
            AppCommand::ToggleProfiles => self.toggle_profile_manager(),
            AppCommand::SetUpCredentials => self.open_profile_manager_on_active(),
            AppCommand::New => self.request_new(),
            AppCommand::Open => self.request_open(ctx),
            AppCommand::OpenPath(path) => self.open_draft_path(path, ctx),
            AppCommand::Save => self.request_save(ctx),
            AppCommand::Submit => self.request_submit(ctx),
            AppCommand::CancelSubmit if self.is_checking_duplicates() => self.cancel_duplicate_check(),
            AppCommand::CancelSubmit => self.cancel_submit(ctx),
            AppCommand::ShowAllProblems => self.form.show_all_problems(self.backend()),
            AppCommand::RemoveUnknownField(key) => self.form.remove_unknown_field(self.backend(), &key),
            AppCommand::Production(answer) => self.production_answered(answer, ctx),
            AppCommand::Duplicate(answer) => self.duplicate_answered(answer, ctx),
            AppCommand::Profile(command) => self.run_profile_command(command, ctx),
            AppCommand::Drafts(command) => self.run_drafts_command(command, ctx),
            AppCommand::ToggleImport => self.toggle_import(),
            AppCommand::Import(command) => self.run_import_command(command, ctx),
            AppCommand::MetadataTemplate(command) => self.run_template_command(command, ctx),
        }
    }

    /// Shows `tab` with the keyboard focus in its first field.
    pub(super) fn select_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.tabs_runtime.focus_first_field = true;
    }

    /// Makes `name` the active profile (its backend picks the form).
    pub fn select_profile(&mut self, name: &str) {
        let Some(profile) = self.profiles.find(name).cloned() else { return };
        self.profile = profile;
        self.use_profile_definitions();
    }
}
