//! Folders and files only their owner can read: Intake's data folder (0700) and the store's
//! database (0600). Customer data is not a secret, but it is nobody else's business either.

use std::path::Path;

/// Creates `dir` (and its parents) and makes `dir` itself 0700 on Unix, narrowing a folder
/// that exists with a wider mode.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode != 0o700 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Creates the folders of `dir` that are missing, each 0700 on Unix, and leaves existing ones
/// as they are: a folder the person chose to save into is theirs, not ours to narrow.
pub fn create_missing_dirs(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Writes `bytes` over `path` in place (not atomically), creating it 0600 on Unix: for a file
/// rewritten often whose reader copes with a half-written one (the frame statistics).
pub fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

/// Creates `path` empty if it is missing, and makes it 0600 on Unix.
pub fn touch_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let file = options.open(path)?;
        if file.metadata()?.permissions().mode() & 0o777 != 0o600 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        options.open(path).map(drop)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("the file exists").permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_made_private_and_wide_ones_narrowed() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);

        let file = dir.join("f");
        touch_private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        std::fs::write(&file, "kept").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        touch_private_file(&file).unwrap();
        assert_eq!((mode(&file), std::fs::read_to_string(&file).unwrap().as_str()), (0o600, "kept"));
    }

    #[test]
    fn missing_folders_are_made_private_and_existing_ones_left_alone() {
        let temp = tempfile::tempdir().unwrap();
        let chosen = temp.path().join("chosen");
        std::fs::create_dir(&chosen).unwrap();
        std::fs::set_permissions(&chosen, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_missing_dirs(&chosen.join("new/deeper")).unwrap();
        assert_eq!(mode(&chosen), 0o755, "a folder that existed keeps its mode");
        assert_eq!(mode(&chosen.join("new")), 0o700);
        assert_eq!(mode(&chosen.join("new/deeper")), 0o700);

        let stats = chosen.join("stats.json");
        write_private_file(&stats, b"{}").unwrap();
        assert_eq!(mode(&stats), 0o600);
    }
}
