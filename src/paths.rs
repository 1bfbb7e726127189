//! Where Intake keeps its files. `INTAKE_HOME` moves everything under one folder (tests,
//! portable use); otherwise the OS config and data directories are used.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// The environment variable that relocates config and data.
pub const INTAKE_HOME: &str = "INTAKE_HOME";

/// No home directory could be found to put files in.
#[derive(Debug, Error)]
#[error("cannot find a home directory for Intake's files; set {INTAKE_HOME} to a folder")]
pub struct NoHomeDirectory;

/// The folders Intake writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakePaths {
    /// Profiles (no secrets).
    pub config_dir: PathBuf,
    /// Drafts, outbox, window state.
    pub data_dir: PathBuf,
}

impl IntakePaths {
    /// From `INTAKE_HOME` when set (`config/` and `data/` under it), else the OS directories.
    pub fn from_env() -> Result<Self, NoHomeDirectory> {
        if let Some(home) = std::env::var_os(INTAKE_HOME).filter(|v| !v.is_empty()) {
            Ok(Self::under(Path::new(&home)))
        } else {
            let dirs = directories::ProjectDirs::from("", "", "intake").ok_or(NoHomeDirectory)?;
            Ok(Self { config_dir: dirs.config_dir().to_owned(), data_dir: dirs.data_dir().to_owned() })
        }
    }

    /// Everything under `home`.
    pub fn under(home: &Path) -> Self {
        Self { config_dir: home.join("config"), data_dir: home.join("data") }
    }

    /// The profiles file.
    pub fn profiles_file(&self) -> PathBuf {
        self.config_dir.join("profiles.json")
    }

    /// The file eframe keeps the window's size and the UI's preferences in (never a draft).
    pub fn window_state_file(&self) -> PathBuf {
        self.data_dir.join("window.ron")
    }
}
