//! [`Claimant`]: who claims records, and whether a claimant is still alive.
//!
//! Each process that sends holds an exclusive lock on its own file,
//! `<data>/claims/<claimant>.lock`, for as long as it runs; the OS drops the lock when the
//! process ends, however it ends (`kill -9` included). Another process that finds a record
//! `sending` asks the claimant's file: still locked means the claimant is alive and the record
//! is left alone; lockable (or missing, after a clean exit) means it is gone and the attempt
//! can be taken over. The lease in the store covers what a lock file cannot tell (a store
//! shared between machines).

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

/// The folder of the claimants' lock files, under the data folder.
const CLAIMS_DIR: &str = "claims";

/// Whether the process that claimed a record is still there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// Its lock is held: it is sending, leave the record alone.
    Alive,
    /// Its lock is free or its file is gone: it ended.
    Gone,
}

/// This process, as a claimant of records.
#[derive(Debug)]
pub struct Claimant {
    id: String,
    path: PathBuf,
    /// Held for the life of the claimant; dropping it releases the lock.
    _lock: File,
}

impl Claimant {
    /// Registers a new claimant in `data_dir`: its lock file, locked.
    pub fn register(data_dir: &Path) -> std::io::Result<Self> {
        let dir = data_dir.join(CLAIMS_DIR);
        crate::private_files::create_private_dir(&dir)?;
        let id = format!("p{}-{:08x}", std::process::id(), fastrand::u32(..));
        let path = dir.join(format!("{id}.lock"));
        let mut options = File::options();
        options.create_new(true).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path)?;
        file.try_lock().map_err(|error| match error {
            TryLockError::Error(error) => error,
            TryLockError::WouldBlock => std::io::Error::other("a new lock file is already locked"),
        })?;
        Ok(Self { id, path, _lock: file })
    }

    /// The id written into the records this claimant holds.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether `claimant` (an id from a record) is alive, judged by its lock file in
    /// `data_dir`. A claimant whose file is gone ended cleanly.
    pub fn liveness(data_dir: &Path, claimant: &str) -> Liveness {
        // An id is ours to read only if it looks like one we make: never a path.
        if claimant.is_empty() || !claimant.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Liveness::Gone;
        }
        let path = data_dir.join(CLAIMS_DIR).join(format!("{claimant}.lock"));
        let Ok(file) = File::options().write(true).open(&path) else { return Liveness::Gone };
        match file.try_lock() {
            Ok(()) => {
                // Its owner died without cleaning up: tidy the file away.
                std::fs::remove_file(&path).ok();
                Liveness::Gone
            }
            Err(TryLockError::WouldBlock) => Liveness::Alive,
            Err(TryLockError::Error(_)) => Liveness::Gone,
        }
    }
}

impl Drop for Claimant {
    fn drop(&mut self) {
        // A clean exit: nobody needs to ask this file any more.
        std::fs::remove_file(&self.path).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claimant_is_alive_while_registered_and_gone_after() {
        let temp = tempfile::tempdir().unwrap();
        let claimant = Claimant::register(temp.path()).unwrap();
        let other = Claimant::register(temp.path()).unwrap();
        assert_ne!(claimant.id(), other.id());
        assert_eq!(Claimant::liveness(temp.path(), claimant.id()), Liveness::Alive);
        let id = claimant.id().to_owned();
        drop(claimant);
        assert_eq!(Claimant::liveness(temp.path(), &id), Liveness::Gone);
        assert_eq!(Claimant::liveness(temp.path(), "../../etc/passwd"), Liveness::Gone);
        assert_eq!(Claimant::liveness(temp.path(), other.id()), Liveness::Alive);
    }

    #[cfg(unix)]
    #[test]
    fn the_claims_folder_and_lock_files_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let temp = tempfile::tempdir().unwrap();
        let claimant = Claimant::register(temp.path()).unwrap();
        assert_eq!(mode(&temp.path().join(CLAIMS_DIR)), 0o700);
        assert_eq!(mode(&claimant.path), 0o600);
    }

    #[test]
    fn a_lock_file_left_unlocked_by_a_dead_process_means_gone() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(temp.path().join(CLAIMS_DIR)).unwrap();
        std::fs::write(temp.path().join(CLAIMS_DIR).join("p1-dead.lock"), "").unwrap();
        assert_eq!(Claimant::liveness(temp.path(), "p1-dead"), Liveness::Gone);
        assert!(!temp.path().join(CLAIMS_DIR).join("p1-dead.lock").exists(), "tidied away");
    }
}
