//! Where Intake keeps its files. `INTAKE_HOME` moves everything under one folder (tests,
//! portable use); otherwise the OS config and data directories are used.

use std::ffi::OsString;
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
        Self::from_home_value(std::env::var_os(INTAKE_HOME))
    }

    /// From a value of `INTAKE_HOME`: an empty one counts as unset (the OS directories), never
    /// as "no folder at all", which would silently stop saving.
    pub fn from_home_value(home: Option<OsString>) -> Result<Self, NoHomeDirectory> {
        if let Some(home) = home.filter(|v| !v.is_empty()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intake_home_puts_the_window_state_in_a_file_of_its_data_folder() {
        let paths = IntakePaths::from_home_value(Some("/tmp/intake-home".into())).unwrap();
        assert_eq!(paths.data_dir, Path::new("/tmp/intake-home/data"));
        assert_eq!(paths.window_state_file(), Path::new("/tmp/intake-home/data/window.ron"));
        assert_eq!(paths.profiles_file(), Path::new("/tmp/intake-home/config/profiles.json"));
    }

    #[test]
    fn an_empty_intake_home_means_the_os_folders() {
        let empty = IntakePaths::from_home_value(Some(OsString::new())).unwrap();
        let unset = IntakePaths::from_home_value(None).unwrap();
        assert_eq!(empty, unset);
        assert!(empty.data_dir.is_absolute(), "{}", empty.data_dir.display());
        assert!(empty.data_dir.ends_with("intake"), "{}", empty.data_dir.display());
        assert_eq!(empty.window_state_file(), empty.data_dir.join("window.ron"));
    }
}
