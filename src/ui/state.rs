//! What the app remembers between runs (window size is eframe's business).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::Tab;

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
