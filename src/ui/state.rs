//! What eframe remembers between runs: window and UI preferences (window size is eframe's own
//! business). The customers are in the store, never here.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::Tab;

/// Saved by eframe between runs. Holds no secrets and no customers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PersistedState {
    /// Name of the last profile used.
    pub profile: String,
    /// The last tab shown.
    pub tab: Tab,
    /// A Finosu draft an older Intake kept here; moved into the store at start, never written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finosu_draft: Option<Value>,
    /// A Help Scout draft an older Intake kept here; moved into the store at start, never written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_scout_draft: Option<Value>,
    /// Folder of the last draft opened or saved, where dialogs start.
    pub last_dir: Option<PathBuf>,
}
