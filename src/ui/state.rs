//! What the app remembers between runs (window size is eframe's business) and the profiles.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Backend, Tab};

/// A profile the form can target. For now the two built-in sandbox profiles; saved profiles
/// with credentials come with the keyring work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// Shown in the picker.
    pub name: &'static str,
    /// The backend it talks to, which picks the form's fields.
    pub backend: Backend,
}

/// The profiles every installation has: local emulators of both APIs.
pub const BUILTIN_PROFILES: [Profile; 2] = [
    Profile { name: "Sandbox · Finosu", backend: Backend::Finosu },
    Profile { name: "Sandbox · Help Scout", backend: Backend::HelpScout },
];

/// Saved by eframe between runs. Holds no secrets: drafts are customer data the person typed,
/// kept so that closing the window loses nothing.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PersistedState {
    /// Name of the last profile used.
    pub profile: String,
    /// The last tab shown.
    pub tab: Tab,
    /// The Finosu draft as typed.
    pub finosu_draft: Option<Value>,
    /// The Help Scout draft as typed.
    pub help_scout_draft: Option<Value>,
    /// Folder of the last draft opened or saved, where dialogs start.
    pub last_dir: Option<PathBuf>,
}
