//! The profiles file: load (creating the built-ins on first run), change, save atomically.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Profile, ProfileError, check_base_url};
use crate::paths::IntakePaths;

#[derive(Debug, Default, Serialize, Deserialize)]
struct ProfilesFile {
    #[serde(default)]
    profiles: Vec<Profile>,
}

/// All profiles, backed by `profiles.json` in the config folder.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    /// `None` for a store that lives only in memory (tests, or no home directory).
    path: Option<PathBuf>,
    profiles: Vec<Profile>,
}

impl ProfileStore {
    /// Reads the profiles file; a missing file means only the built-in profiles. The built-ins
    /// are always present, first.
    pub fn load(paths: &IntakePaths) -> Result<Self, ProfileError> {
        Self::load_from(&paths.profiles_file())
    }

    /// Reads a specific profiles file.
    pub fn load_from(path: &Path) -> Result<Self, ProfileError> {
        let file = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice::<ProfilesFile>(&bytes)
                .map_err(|source| ProfileError::Damaged { path: path.to_owned(), source })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ProfilesFile::default(),
            Err(source) => return Err(ProfileError::Io { action: "read", path: path.to_owned(), source }),
        };
        let mut profiles: Vec<Profile> = Profile::builtins()
            .into_iter()
            .map(|builtin| {
                // Keep what was learned on a built-in profile (task types, timeouts).
                file.profiles
                    .iter()
                    .find(|p| p.kind == builtin.kind && p.name == builtin.name)
                    .cloned()
                    .unwrap_or(builtin)
            })
            .collect();
        profiles.extend(file.profiles.into_iter().filter(|p| !p.kind.is_sandbox()));
        Ok(Self { path: Some(path.to_owned()), profiles })
    }

    /// Only the built-in profiles, kept in memory: nothing is read or written.
    pub fn builtin_only() -> Self {
        Self { path: None, profiles: Profile::builtins().to_vec() }
    }

    /// Writes the file (atomically); does nothing for an in-memory store.
    pub fn save(&self) -> Result<(), ProfileError> {
        let Some(path) = &self.path else { return Ok(()) };
        let file = ProfilesFile { profiles: self.profiles.clone() };
        let mut text = serde_json::to_string_pretty(&file)
            .map_err(|source| ProfileError::Damaged { path: path.clone(), source })?;
        text.push('\n');
        crate::atomic_write::write_atomically(path, text.as_bytes()).map_err(|source| ProfileError::Io {
            action: "write",
            path: path.clone(),
            source,
        })
    }

    /// The file these profiles live in (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Every profile, built-ins first.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// The profile called `name` (case-insensitive); `sandbox-finosu` and `sandbox-helpscout`
    /// also name the built-ins, so scripts need not type the middle dot.
    pub fn find(&self, name: &str) -> Option<&Profile> {
        let name = name.trim();
        self.profiles.iter().find(|p| p.name.eq_ignore_ascii_case(name)).or_else(|| {
            self.profiles.iter().find(|p| p.kind.is_sandbox() && p.kind.as_str().eq_ignore_ascii_case(name))
        })
    }

    /// Adds a real profile after checking its name and base URL.
    pub fn add(&mut self, profile: Profile) -> Result<(), ProfileError> {
        let profile = self.checked(profile, None)?;
        self.profiles.push(profile);
        Ok(())
    }

    /// Replaces the profile called `old_name` with `profile` (which may be renamed), after the
    /// same checks as [`ProfileStore::add`]. Built-ins keep their name and backend.
    pub fn update(&mut self, old_name: &str, profile: Profile) -> Result<(), ProfileError> {
        let index = self
            .profiles
            .iter()
            .position(|p| p.name == old_name)
            .ok_or_else(|| ProfileError::NotFound(old_name.to_owned()))?;
        let current = &self.profiles[index];
        if current.kind.is_sandbox() {
            if profile.name != current.name || profile.kind != current.kind || profile.base_url.is_some() {
                return Err(ProfileError::BuiltInChange(current.name.clone()));
            }
            self.profiles[index] = profile;
            return Ok(());
        }
        let profile = self.checked(profile, Some(old_name))?;
        self.profiles[index] = profile;
        Ok(())
    }

    /// A copy of the real profile `name` under a free name ("Acme (copy)"), without its token
    /// expiry; returns the new name. Secrets are not copied: the copy needs its own.
    pub fn duplicate(&mut self, name: &str) -> Result<String, ProfileError> {
        let source = self.find(name).cloned().ok_or_else(|| ProfileError::NotFound(name.to_owned()))?;
        let base = format!("{} (copy)", source.name);
        let new_name = (1..=10_000)
            .map(|n| if n == 1 { base.clone() } else { format!("{} (copy {n})", source.name) })
            .find(|candidate| self.find(candidate).is_none())
            .ok_or_else(|| ProfileError::Duplicate(base.clone()))?;
        if source.kind.is_sandbox() {
            return Err(ProfileError::BuiltIn(source.name));
        }
        self.add(Profile { name: new_name.clone(), token_expires_at: None, ..source })?;
        Ok(new_name)
    }

    /// Remembers when the cached access token expires; true when that changed anything.
    pub fn set_token_expiry(&mut self, name: &str, expires_at: Option<chrono::DateTime<chrono::Utc>>) -> bool {
        let Some(profile) = self.profiles.iter_mut().find(|p| p.name == name) else { return false };
        if profile.token_expires_at == expires_at {
            return false;
        }
        profile.token_expires_at = expires_at;
        true
    }

    /// `profile` with its name trimmed and base URL normalised, once its name is free (other
    /// than `old_name`) and its URL acceptable.
    fn checked(&self, profile: Profile, old_name: Option<&str>) -> Result<Profile, ProfileError> {
        let name = check_name(&profile.name)?;
        if let Some(existing) = self.find(&name)
            && Some(existing.name.as_str()) != old_name
        {
            return Err(ProfileError::Duplicate(name));
        }
        if profile.kind.is_sandbox() {
            return Err(ProfileError::BuiltIn(name));
        }
        let url = check_base_url(profile.base_url.as_deref().unwrap_or_default())?;
        let client_id = profile.client_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        Ok(Profile { name, base_url: Some(url.as_str().trim_end_matches('/').to_owned()), client_id, ..profile })
    }

    /// Removes a profile by name; built-ins stay.
    pub fn remove(&mut self, name: &str) -> Result<Profile, ProfileError> {
        let profile = self.find(name).ok_or_else(|| ProfileError::NotFound(name.to_owned()))?;
        if profile.kind.is_sandbox() {
            return Err(ProfileError::BuiltIn(profile.name.clone()));
        }
        let name = profile.name.clone();
        let index = self.profiles.iter().position(|p| p.name == name).ok_or(ProfileError::NotFound(name))?;
        Ok(self.profiles.remove(index))
    }

    /// Caches a profile's Help Scout property definitions; true when that changed anything.
    pub fn cache_property_definitions(&mut self, name: &str, definitions: &[crate::model::PropertyDefinition]) -> bool {
        let Some(profile) = self.profiles.iter_mut().find(|p| p.name == name) else { return false };
        if profile.property_definitions == definitions {
            return false;
        }
        profile.property_definitions = definitions.to_vec();
        true
    }

    /// Remembers the valid task types a server listed; true when that changed anything.
    pub fn learn_task_types(&mut self, name: &str, task_types: &[String]) -> bool {
        let Some(profile) = self.profiles.iter_mut().find(|p| p.name == name) else { return false };
        if task_types.is_empty() || profile.learned_task_types == task_types {
            return false;
        }
        profile.learned_task_types = task_types.to_vec();
        true
    }
}

/// A profile name, trimmed: 1 to 80 characters.
pub fn check_name(name: &str) -> Result<String, ProfileError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(ProfileError::BadName);
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::ProfileKind;

    #[test]
    fn profiles_round_trip_and_keep_the_builtins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = IntakePaths::under(dir.path());
        let mut store = ProfileStore::load(&paths).expect("load");
        assert_eq!(store.profiles().len(), 2);
        store.add(Profile::new("Acme", ProfileKind::Finosu, Some("https://api.acme.test/".to_owned()))).expect("add");
        assert!(matches!(
            store.add(Profile::new("acme", ProfileKind::Finosu, Some("https://x.test".to_owned()))),
            Err(ProfileError::Duplicate(_))
        ));
        assert!(store.learn_task_types("Sandbox · Finosu", &["collections".to_owned()]));
        store.save().expect("save");
        let again = ProfileStore::load(&paths).expect("reload");
        assert_eq!(again.profiles(), store.profiles());
        assert_eq!(again.find("ACME").and_then(|p| p.base_url.as_deref()), Some("https://api.acme.test"));
        assert_eq!(again.find("sandbox-finosu").map(|p| p.learned_task_types.len()), Some(1));
        let mut again = again;
        assert!(matches!(again.remove("sandbox-helpscout"), Err(ProfileError::BuiltIn(_))));
        assert_eq!(again.remove("acme").expect("remove").name, "Acme");
    }

    #[test]
    fn profiles_are_updated_renamed_and_duplicated() {
        let mut store = ProfileStore::builtin_only();
        store
            .add(Profile::new("Acme", ProfileKind::HelpScout, Some("https://api.helpscout.net".to_owned())))
            .expect("add");
        let mut edited = store.find("Acme").cloned().expect("acme");
        edited.name = "Acme EU".to_owned();
        edited.client_id = Some("  app-1 ".to_owned());
        edited.production = true;
        store.update("Acme", edited).expect("update");
        let renamed = store.find("Acme EU").expect("renamed");
        assert_eq!(renamed.client_id.as_deref(), Some("app-1"));
        assert_eq!(renamed.auth_kind(), crate::profiles::AuthKind::OauthApp);
        assert!(store.find("Acme").is_none());
        let copy = store.duplicate("Acme EU").expect("duplicate");
        assert_eq!(copy, "Acme EU (copy)");
        assert_eq!(store.duplicate("Acme EU").expect("again"), "Acme EU (copy 2)");
        let mut clash = store.find(&copy).cloned().expect("copy");
        clash.name = "acme eu".to_owned();
        assert!(matches!(store.update(&copy, clash), Err(ProfileError::Duplicate(_))));
        let mut sandbox = store.find("sandbox-finosu").cloned().expect("sandbox");
        sandbox.timeout_secs = 9;
        store.update("Sandbox · Finosu", sandbox.clone()).expect("timeouts of a built-in");
        sandbox.name = "Mine".to_owned();
        assert!(matches!(store.update("Sandbox · Finosu", sandbox), Err(ProfileError::BuiltInChange(_))));
        assert!(matches!(check_name("  "), Err(ProfileError::BadName)));
    }

    #[test]
    fn a_damaged_file_is_reported_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = IntakePaths::under(dir.path());
        std::fs::create_dir_all(&paths.config_dir).expect("mkdir");
        std::fs::write(paths.profiles_file(), "{not json").expect("write");
        let error = ProfileStore::load(&paths).expect_err("damaged");
        assert!(error.to_string().contains("damaged"), "{error}");
    }
}
