//! The profiles file: load (creating the built-ins on first run), change, save atomically.
//!
//! The window keeps a store open for hours while `intake profile add/remove` may run: a save
//! therefore never writes the list it loaded. It takes an exclusive lock on `profiles.json.lock`,
//! reads the file again and replays this store's own changes (add, update or rename, remove, and
//! the learned facts of one profile) onto it, so nobody's change is undone.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
    /// Changes made here since the last load or save, replayed onto the file by the next save.
    pending: Vec<Change>,
}

/// One change to one profile, as made through this store.
#[derive(Debug, Clone)]
enum Change {
    Add(Profile),
    /// `before` is the profile as this store had it, to tell which learned facts the edit changed.
    Update {
        old_name: String,
        before: Box<Profile>,
        profile: Box<Profile>,
    },
    Remove(String),
    TokenExpiry {
        name: String,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    TaskTypes {
        name: String,
        task_types: Vec<String>,
    },
    Definitions {
        name: String,
        definitions: Vec<crate::model::PropertyDefinition>,
    },
    /// One metadata template saved (`Some`) or deleted (`None`); replayed template by template,
    /// so two processes saving different templates keep both.
    Template {
        profile: String,
        name: String,
        metadata: Option<Map<String, Value>>,
    },
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
        Ok(Self { path: Some(path.to_owned()), profiles, pending: Vec::new() })
    }

    /// Only the built-in profiles, kept in memory: nothing is read or written.
    pub fn builtin_only() -> Self {
        Self { path: None, profiles: Profile::builtins().to_vec(), pending: Vec::new() }
    }

    /// Writes this store's changes into the file (0600, in a 0700 folder, atomically).
    ///
    /// Under an exclusive lock, the file is read again and the changes replayed onto it, so
    /// changes other processes saved meanwhile stay; afterwards this store holds the merged
    /// list. Replaying fails as the change itself would on the file as it is now (a name
    /// another process took meanwhile is a duplicate, an edited profile another process
    /// removed is not found); on any failure the changes stay pending and the file untouched.
    pub fn save(&mut self) -> Result<(), ProfileError> {
        let Some(path) = self.path.clone() else {
            self.pending.clear();
            return Ok(());
        };
        let io_error = |action, path: &Path| {
            let path = path.to_owned();
            move |source| ProfileError::Io { action, path, source }
        };
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::private_files::create_private_dir(folder).map_err(io_error("create the folder of", &path))?;
        }
        let _lock = lock_exclusively(&lock_path(&path)).map_err(io_error("lock", &path))?;
        let mut merged = Self::load_from(&path)?;
        for change in &self.pending {
            merged.apply(change.clone())?;
        }
        let file = ProfilesFile { profiles: merged.profiles };
        let mut text = serde_json::to_string_pretty(&file)
            .map_err(|source| ProfileError::Damaged { path: path.clone(), source })?;
        text.push('\n');
        crate::atomic_write::write_atomically(&path, text.as_bytes()).map_err(io_error("write", &path))?;
        self.profiles = file.profiles;
        self.pending.clear();
        Ok(())
    }

    /// Replays one change onto a freshly read store. A profile another process removed stays
    /// removed: its learned facts are dropped, and removing it again is no error.
    fn apply(&mut self, change: Change) -> Result<(), ProfileError> {
        match change {
            Change::Add(profile) => self.add(profile),
            Change::Update { old_name, before, profile } => {
                let mut profile = *profile;
                // What another process learned meanwhile stays, unless this edit changed it too.
                if let Some(current) = self.profiles.iter().find(|p| p.name == old_name) {
                    if profile.token_expires_at == before.token_expires_at {
                        profile.token_expires_at = current.token_expires_at;
                    }
                    if profile.learned_task_types == before.learned_task_types {
                        profile.learned_task_types.clone_from(&current.learned_task_types);
                    }
                    if profile.property_definitions == before.property_definitions
                        && profile.property_definitions_fetched == before.property_definitions_fetched
                    {
                        profile.property_definitions.clone_from(&current.property_definitions);
                        profile.property_definitions_fetched = current.property_definitions_fetched;
                    }
                    if profile.metadata_templates == before.metadata_templates {
                        profile.metadata_templates.clone_from(&current.metadata_templates);
                    }
                }
                self.update(&old_name, profile)
            }
            Change::Remove(name) => match self.remove(&name) {
                Ok(_) | Err(ProfileError::NotFound(_)) => Ok(()),
                Err(error) => Err(error),
            },
            Change::TokenExpiry { name, expires_at } => {
                self.set_token_expiry(&name, expires_at);
                Ok(())
            }
            Change::TaskTypes { name, task_types } => {
                self.learn_task_types(&name, &task_types);
                Ok(())
            }
            Change::Definitions { name, definitions } => {
                self.cache_property_definitions(&name, &definitions);
                Ok(())
            }
            Change::Template { profile, name, metadata } => match self.set_metadata_template(&profile, &name, metadata)
            {
                Ok(_) | Err(ProfileError::NotFound(_)) => Ok(()),
                Err(error) => Err(error),
            },
        }
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
        self.pending.push(Change::Add(profile.clone()));
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
            self.pending.push(Change::Update {
                old_name: old_name.to_owned(),
                before: Box::new(current.clone()),
                profile: Box::new(profile.clone()),
            });
            self.profiles[index] = profile;
            return Ok(());
        }
        let profile = self.checked(profile, Some(old_name))?;
        self.pending.push(Change::Update {
            old_name: old_name.to_owned(),
            before: Box::new(self.profiles[index].clone()),
            profile: Box::new(profile.clone()),
        });
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
        self.pending.push(Change::TokenExpiry { name: name.to_owned(), expires_at });
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
        let index =
            self.profiles.iter().position(|p| p.name == name).ok_or_else(|| ProfileError::NotFound(name.clone()))?;
        self.pending.push(Change::Remove(name));
        Ok(self.profiles.remove(index))
    }

    /// Caches a profile's Help Scout property definitions, as fetched from the account (an
    /// empty list: it defines none); true when that changed anything.
    pub fn cache_property_definitions(&mut self, name: &str, definitions: &[crate::model::PropertyDefinition]) -> bool {
        let Some(profile) = self.profiles.iter_mut().find(|p| p.name == name) else { return false };
        if profile.property_definitions == definitions && profile.property_definitions_fetched {
            return false;
        }
        profile.property_definitions = definitions.to_vec();
        profile.property_definitions_fetched = true;
        self.pending.push(Change::Definitions { name: name.to_owned(), definitions: definitions.to_vec() });
        true
    }

    /// Saves (`Some`) or deletes (`None`) the metadata template `name` of profile `profile`; a
    /// template of the same name (case-insensitive) is replaced in place. True when that changed
    /// anything. A template that looks secret ([`template_refusal`]) or a bad name is refused.
    ///
    /// [`template_refusal`]: crate::model::metadata_templates::template_refusal
    pub fn set_metadata_template(
        &mut self,
        profile: &str,
        name: &str,
        metadata: Option<Map<String, Value>>,
    ) -> Result<bool, ProfileError> {
        use crate::model::metadata_templates::{MetadataTemplate, check_template_name, template_refusal};
        let bad = |reason: String| ProfileError::BadTemplate { name: name.to_owned(), reason };
        let name = check_template_name(name).ok_or_else(|| bad("a name needs 1 to 80 characters".to_owned()))?;
        if let Some(reason) = metadata.as_ref().and_then(|m| template_refusal(m, &[])) {
            return Err(bad(reason));
        }
        let stored = self.profiles.iter_mut().find(|p| p.name == profile);
        let stored = stored.ok_or_else(|| ProfileError::NotFound(profile.to_owned()))?;
        let templates = &mut stored.metadata_templates;
        let existing = templates.iter().position(|t| t.name.eq_ignore_ascii_case(&name));
        let changed = match (existing, metadata.clone()) {
            (Some(at), Some(metadata)) => {
                let template = MetadataTemplate { name: name.clone(), metadata };
                let changed = templates[at] != template;
                templates[at] = template;
                changed
            }
            (None, Some(metadata)) => {
                templates.push(MetadataTemplate { name: name.clone(), metadata });
                true
            }
            (Some(at), None) => {
                templates.remove(at);
                true
            }
            (None, None) => false,
        };
        if changed {
            self.pending.push(Change::Template { profile: profile.to_owned(), name, metadata });
        }
        Ok(changed)
    }

    /// Takes in a profile's templates as another store of this process saved them to the file
    /// (the window saves off its UI thread): nothing is left pending, the file has them.
    pub fn adopt_metadata_templates(
        &mut self,
        profile: &str,
        templates: Vec<crate::model::metadata_templates::MetadataTemplate>,
    ) {
        if let Some(stored) = self.profiles.iter_mut().find(|p| p.name == profile) {
            stored.metadata_templates = templates;
        }
    }

    /// Remembers the valid task types a server listed; true when that changed anything.
    pub fn learn_task_types(&mut self, name: &str, task_types: &[String]) -> bool {
        let Some(profile) = self.profiles.iter_mut().find(|p| p.name == name) else { return false };
        if task_types.is_empty() || profile.learned_task_types == task_types {
            return false;
        }
        profile.learned_task_types = task_types.to_vec();
        self.pending.push(Change::TaskTypes { name: name.to_owned(), task_types: task_types.to_vec() });
        true
    }
}

/// The lock file beside the profiles file: `profiles.json.lock`. It is never removed, so every
/// process locks the same file.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Opens (creating it 0600) and locks `path` exclusively, waiting for another holder; the lock
/// (an advisory `flock` on Unix) goes when the returned file is dropped.
fn lock_exclusively(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    file.lock()?;
    Ok(file)
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

    fn acme(name: &str) -> Profile {
        Profile::new(name, ProfileKind::Finosu, Some("https://api.acme.test".to_owned()))
    }

    fn names_on_file(paths: &IntakePaths) -> Vec<String> {
        ProfileStore::load(paths).expect("load").profiles().iter().map(|p| p.name.clone()).collect()
    }

    #[test]
    fn two_stores_loaded_before_either_saved_lose_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = IntakePaths::under(dir.path());
        let mut setup = ProfileStore::load(&paths).expect("load");
        setup.add(acme("Y")).expect("add Y");
        setup.add(acme("Z")).expect("add Z");
        setup.save().expect("save");

        let mut a = ProfileStore::load(&paths).expect("A loads");
        let mut b = ProfileStore::load(&paths).expect("B loads");
        a.add(acme("X")).expect("A adds X");
        a.save().expect("A saves");
        b.remove("Y").expect("B removes Y");
        b.save().expect("B saves");
        assert_eq!(names_on_file(&paths)[2..], ["Z", "X"]);
        assert_eq!(b.find("X").map(|p| p.name.as_str()), Some("X"), "B now holds the merged list");

        // A still has Y in memory: a learned fact about it does not bring it back.
        assert!(a.set_token_expiry("Y", Some(chrono::Utc::now())));
        assert!(a.learn_task_types("Y", &["calls".to_owned()]));
        a.save().expect("A saves again");
        assert_eq!(names_on_file(&paths)[2..], ["Z", "X"]);
        assert!(a.find("Y").is_none(), "A now holds the merged list");

        // A rename in one store and an addition in the other both stay.
        let mut renamed = a.find("Z").cloned().expect("Z");
        renamed.name = "Z2".to_owned();
        a.update("Z", renamed).expect("rename");
        b.add(acme("W")).expect("add W");
        b.save().expect("B saves");
        a.save().expect("A saves the rename");
        assert_eq!(names_on_file(&paths)[2..], ["Z2", "X", "W"]);

        // An edit in one store keeps the token expiry the other learned meanwhile.
        let expiry = chrono::DateTime::from_timestamp(2_000_000_000, 0);
        assert!(b.set_token_expiry("X", expiry));
        b.save().expect("B saves the expiry");
        let mut edited = a.find("X").cloned().expect("X");
        edited.timeout_secs = 99;
        a.update("X", edited).expect("edit");
        a.save().expect("A saves the edit");
        let x = ProfileStore::load(&paths).expect("load").find("X").cloned().expect("X");
        assert_eq!((x.timeout_secs, x.token_expires_at), (99, expiry));

        // Taking a name another store took meanwhile is refused, and nothing is written.
        b.add(acme("V")).expect("B adds V");
        a.add(acme("v")).expect("A adds v");
        b.save().expect("B saves");
        assert!(matches!(a.save(), Err(ProfileError::Duplicate(_))));
        assert_eq!(names_on_file(&paths)[2..], ["Z2", "X", "W", "V"]);
    }

    #[test]
    fn fetched_definitions_are_known_even_when_none_and_an_edit_elsewhere_keeps_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = IntakePaths::under(dir.path());
        let mut setup = ProfileStore::load(&paths).expect("load");
        setup.add(Profile::new("HS", ProfileKind::HelpScout, Some("https://api.hs.test".to_owned()))).expect("add");
        setup.save().expect("save");
        let mut window = ProfileStore::load(&paths).expect("the window loads");
        let mut cli = ProfileStore::load(&paths).expect("the CLI loads");
        assert_eq!(cli.find("HS").and_then(Profile::known_property_definitions), None, "never fetched");

        // The account defines none: that is known, not "unknown".
        assert!(cli.cache_property_definitions("HS", &[]));
        assert!(!cli.cache_property_definitions("HS", &[]), "nothing new the second time");
        cli.save().expect("the CLI saves");
        let reloaded = ProfileStore::load(&paths).expect("load");
        assert_eq!(reloaded.find("HS").and_then(Profile::known_property_definitions), Some(&[][..]));

        // The window, loaded before, edits the profile's settings: the fetch stays known.
        let mut edited = window.find("HS").cloned().expect("HS");
        edited.timeout_secs = 9;
        window.update("HS", edited).expect("edit");
        window.save().expect("the window saves");
        let after = ProfileStore::load(&paths).expect("load").find("HS").cloned().expect("HS");
        assert_eq!((after.timeout_secs, after.known_property_definitions()), (9, Some(&[][..])));
    }

    fn template(value: &serde_json::Value) -> Option<Map<String, Value>> {
        value.as_object().cloned()
    }

    fn templates_on_file(paths: &IntakePaths, profile: &str) -> Vec<(String, Value)> {
        let store = ProfileStore::load(paths).expect("load");
        let profile = store.find(profile).expect("profile");
        profile.metadata_templates.iter().map(|t| (t.name.clone(), Value::Object(t.metadata.clone()))).collect()
    }

    #[test]
    fn metadata_templates_survive_a_round_trip_and_another_store_saving_meanwhile() {
        use serde_json::json;
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = IntakePaths::under(dir.path());
        // An older file without templates still loads.
        std::fs::create_dir_all(&paths.config_dir).expect("mkdir");
        let old = r#"{"profiles": [{"name": "Acme", "backend": "finosu", "base_url": "https://api.acme.test"}]}"#;
        std::fs::write(paths.profiles_file(), old).expect("write");
        let mut a = ProfileStore::load(&paths).expect("A loads");
        assert!(a.find("Acme").expect("acme").metadata_templates.is_empty());
        let pay = json!({"employer": {"name": ""}, "paySchedule": "biweekly"});
        assert!(a.set_metadata_template("Acme", "Employer + pay schedule", template(&pay)).expect("set"));
        a.save().expect("A saves");
        assert_eq!(templates_on_file(&paths, "Acme"), [("Employer + pay schedule".to_owned(), pay.clone())]);

        // B loaded before A's next change: its template, its edit of the profile and A's
        // template all stay, whichever saves last.
        let mut b = ProfileStore::load(&paths).expect("B loads");
        assert!(a.set_metadata_template("Acme", "Remote", template(&json!({"remote": true}))).expect("A sets"));
        assert!(b.set_metadata_template("Acme", "Branch", template(&json!({"branch": "Oslo"}))).expect("B sets"));
        let mut edited = b.find("Acme").cloned().expect("acme");
        edited.timeout_secs = 12;
        b.update("Acme", edited).expect("B edits the profile");
        b.save().expect("B saves");
        a.save().expect("A saves");
        let names: Vec<String> = templates_on_file(&paths, "Acme").into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["Employer + pay schedule", "Branch", "Remote"]);
        assert_eq!(ProfileStore::load(&paths).expect("load").find("Acme").map(|p| p.timeout_secs), Some(12));

        // A profile edit made from a copy loaded before a template was deleted does not bring it back.
        let mut c = ProfileStore::load(&paths).expect("C loads");
        assert!(a.set_metadata_template("Acme", "remote", None).expect("A deletes, any case"));
        a.save().expect("A saves");
        let mut edited = c.find("Acme").cloned().expect("acme");
        edited.production = true;
        c.update("Acme", edited).expect("C edits");
        c.save().expect("C saves");
        let names: Vec<String> = templates_on_file(&paths, "Acme").into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["Employer + pay schedule", "Branch"]);

        // Replacing keeps the place; secrets and bad names are refused and nothing is pending.
        assert!(a.set_metadata_template("Acme", "BRANCH", template(&json!({"branch": "Bergen"}))).expect("replace"));
        assert!(matches!(
            a.set_metadata_template("Acme", "Mine", template(&json!({"ssn": "1"}))),
            Err(ProfileError::BadTemplate { .. })
        ));
        assert!(matches!(a.set_metadata_template("Acme", " ", template(&pay)), Err(ProfileError::BadTemplate { .. })));
        a.save().expect("A saves");
        assert_eq!(templates_on_file(&paths, "Acme")[1], ("BRANCH".to_owned(), json!({"branch": "Bergen"})));
    }

    #[cfg(unix)]
    #[test]
    fn the_profiles_file_its_lock_and_the_config_folder_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |path: &Path| std::fs::metadata(path).expect("exists").permissions().mode() & 0o777;
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = IntakePaths::under(dir.path());
        let mut store = ProfileStore::load(&paths).expect("load");
        store.add(acme("Acme")).expect("add");
        store.save().expect("save");
        assert_eq!(mode(&paths.config_dir), 0o700);
        assert_eq!(mode(&paths.profiles_file()), 0o600);
        assert_eq!(mode(&lock_path(&paths.profiles_file())), 0o600);

        // A folder and file left wide by an older version are narrowed by the next save.
        std::fs::set_permissions(&paths.config_dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::set_permissions(paths.profiles_file(), std::fs::Permissions::from_mode(0o644)).expect("chmod");
        store.remove("Acme").expect("remove");
        store.save().expect("save");
        assert_eq!((mode(&paths.config_dir), mode(&paths.profiles_file())), (0o700, 0o600));
    }
}
