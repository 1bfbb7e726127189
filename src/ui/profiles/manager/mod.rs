//! [`ProfileManager`]: the Profiles window. A list of profiles (the active one marked) beside
//! an editor for the selected one: its settings, its secrets, and "Test credentials".
//!
//! The window only draws and records what the person asked for as [`ProfileCommand`]s; the app
//! runs them (the profiles file, the keyring, the network) and reports back through
//! [`ProfileManager::saved`], [`ProfileManager::save_failed`], [`ProfileManager::show_notice`]
//! and [`ProfileManager::record_verdict`]. Its state outlives closing the window, so nothing
//! typed in the settings is lost; typed secrets are dropped on close.

mod window;

use std::collections::HashMap;
use std::time::Instant;

use super::editor::{FormError, ProfileForm};
use super::secrets::SecretInputs;
use super::vault_jobs::{VaultJobs, VaultTask};
use crate::credentials::CheckReport;
use crate::profiles::{Profile, ProfileStore};
use crate::ui::notice::Notice;

/// What the person asked the app to do.
#[derive(Debug)]
#[must_use]
pub enum ProfileCommand {
    /// Save a profile (`original` is its saved name; `None` adds it).
    Save {
        /// The saved name of the profile edited, `None` for a new one.
        original: Option<String>,
        /// The settings to save.
        profile: Profile,
    },
    /// Copy a profile under a free name.
    Duplicate(String),
    /// Make a saved profile the one the form sends to.
    Activate(String),
    /// Remove a profile and its secrets (already confirmed).
    Remove(String),
    /// Test a saved profile's credentials.
    Test(String),
    /// Read or change a profile's secrets off the UI thread.
    Vault {
        /// The profile.
        profile: String,
        /// What to do.
        task: VaultTask,
    },
}

/// What the window shows besides its own state.
#[derive(Debug, Clone, Copy)]
pub struct ManagerView<'a> {
    /// Every profile.
    pub profiles: &'a ProfileStore,
    /// The active profile's name.
    pub active: &'a str,
    /// Keyring work and what the vault holds.
    pub vault: &'a VaultJobs,
    /// The profile whose credentials are being tested.
    pub checking: Option<&'a str>,
    /// The built-in sandbox, if it runs: (Finosu base URL, Help Scout base URL).
    pub sandbox_urls: Option<(&'a str, &'a str)>,
}

/// Which profile the editor should show.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Selection {
    Existing(String),
    New,
}

/// The settings being edited and where they started from.
#[derive(Debug)]
struct EditorState {
    form: ProfileForm,
    /// The form as loaded or last saved: edits since then are unsaved.
    baseline: ProfileForm,
    error: Option<FormError>,
}

impl EditorState {
    fn new(form: ProfileForm) -> Self {
        Self { baseline: form.clone(), form, error: None }
    }

    fn is_dirty(&self) -> bool {
        self.form.is_new() || self.form != self.baseline
    }
}

/// The Profiles window's state.
#[derive(Debug, Default)]
pub struct ProfileManager {
    open: bool,
    editor: Option<EditorState>,
    inputs: SecretInputs,
    /// The last verdict of each profile tested this session.
    verdicts: HashMap<String, CheckReport>,
    /// The test under way and when it started.
    check_started: Option<(String, Instant)>,
    /// "Remove profile X?" is on screen.
    confirm_remove: Option<String>,
    /// Another profile was picked while the editor had unsaved changes.
    pending_switch: Option<Selection>,
    /// The outcome of the last action.
    notice: Option<Notice>,
    /// Commands made outside drawing (opening on a profile), handed out with the next frame's.
    queued: Vec<ProfileCommand>,
}

impl ProfileManager {
    /// Whether the window is open.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Opens the window on `profile` (keeping unsaved edits of another one until the person
    /// decides).
    pub fn open_on(&mut self, profile: &Profile, store: &ProfileStore) {
        self.open = true;
        if self.editing() != Some(profile.name.as_str()) {
            self.request_select(Selection::Existing(profile.name.clone()), store);
        }
    }

    /// Opens the window on `profile`, or closes it when open (Ctrl+P).
    pub fn toggle(&mut self, profile: &Profile, store: &ProfileStore) {
        if self.open {
            self.close();
        } else if self.editor.is_some() {
            self.open = true;
        } else {
            self.open_on(profile, store);
        }
    }

    /// Closes the window; secrets typed and not stored are dropped.
    pub fn close(&mut self) {
        self.open = false;
        self.inputs.clear();
        self.confirm_remove = None;
        self.pending_switch = None;
    }

    /// The saved name of the profile in the editor.
    pub fn editing(&self) -> Option<&str> {
        self.editor.as_ref().and_then(|e| e.form.original.as_deref())
    }

    /// Notes that the app started testing `profile`.
    pub fn check_started(&mut self, profile: &str) {
        self.check_started = Some((profile.to_owned(), Instant::now()));
    }

    /// Keeps the verdict of a finished test.
    pub fn record_verdict(&mut self, profile: String, report: CheckReport) {
        if self.check_started.as_ref().is_some_and(|(name, _)| *name == profile) {
            self.check_started = None;
        }
        self.verdicts.insert(profile, report);
    }

    /// The last verdict on `profile` this session.
    pub fn verdict(&self, profile: &str) -> Option<&CheckReport> {
        self.verdicts.get(profile)
    }

    /// Shows a sentence about the last action.
    pub fn show_notice(&mut self, notice: Notice) {
        self.notice = Some(notice);
    }

    /// The app saved the editor's profile as `saved` (its original name was `original`).
    pub fn saved(&mut self, original: Option<&str>, saved: &Profile) {
        if let Some(old) = original
            && old != saved.name
            && let Some(verdict) = self.verdicts.remove(old)
        {
            self.verdicts.insert(saved.name.clone(), verdict);
        }
        if original.is_none() && !saved.kind.is_sandbox() {
            self.queued.push(ProfileCommand::Vault { profile: saved.name.clone(), task: VaultTask::Load });
        }
        self.editor = Some(EditorState::new(ProfileForm::from_profile(saved)));
        self.show_notice(Notice::info(format!("Saved profile {}.", saved.name)));
    }

    /// The app could not save: the message goes to its field; what was typed stays.
    pub fn save_failed(&mut self, error: FormError) {
        if let Some(editor) = &mut self.editor {
            editor.error = Some(error);
        }
    }

    /// Shows `profile` in the editor (after it was made by Duplicate).
    pub fn show_profile(&mut self, profile: &Profile) {
        self.select(&Selection::Existing(profile.name.clone()), Some(profile));
    }

    /// The app removed `name`: the editor moves to the active profile.
    pub fn removed(&mut self, name: &str, active: &Profile) {
        self.verdicts.remove(name);
        if self.editing() == Some(name) {
            self.select(&Selection::Existing(active.name.clone()), Some(active));
        }
    }

    /// Switches the editor, or asks first when it has unsaved changes.
    fn request_select(&mut self, selection: Selection, store: &ProfileStore) {
        if self.editor.as_ref().is_some_and(EditorState::is_dirty) {
            self.pending_switch = Some(selection);
            return;
        }
        let profile = match &selection {
            Selection::Existing(name) => store.find(name),
            Selection::New => None,
        };
        self.select(&selection, profile);
    }

    fn select(&mut self, selection: &Selection, profile: Option<&Profile>) {
        self.inputs.clear();
        self.pending_switch = None;
        self.notice = None;
        let form = match (selection, profile) {
            (Selection::Existing(_), Some(profile)) => {
                if !profile.kind.is_sandbox() {
                    let task = VaultTask::Load;
                    self.queued.push(ProfileCommand::Vault { profile: profile.name.clone(), task });
                }
                ProfileForm::from_profile(profile)
            }
            (Selection::Existing(_), None) => {
                self.editor = None;
                return;
            }
            (Selection::New, _) => ProfileForm::new_profile(),
        };
        self.editor = Some(EditorState::new(form));
    }
}
