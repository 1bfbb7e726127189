//! Writing a file so that a crash never leaves half of it and nobody else can read it: a
//! temporary file with a random name beside it, created exclusively and private, synced, then
//! renamed into place.

use std::io::Write as _;
use std::path::Path;

/// Writes `bytes` to `path` atomically, the file 0600 on Unix (also over a wider one).
///
/// Missing parent folders are created 0700; an existing folder keeps its mode, since it may be
/// one the person chose. On failure no temporary file is left behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    crate::private_files::create_missing_dirs(folder)?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // A random name, opened with O_EXCL: another writer or a planted link cannot be written through.
    let prefix = format!(".{file_name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".intake-tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    // The temporary file deletes itself when dropped, so every `?` below cleans up.
    let mut temp = builder.tempfile_in(folder)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|failed| failed.error)?;
    sync_folder(folder);
    Ok(())
}

/// Makes the rename itself durable. Best effort: the new file is in place either way, and some
/// file systems refuse to sync a folder.
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Err(error) = std::fs::File::open(folder).and_then(|dir| dir.sync_all()) {
        tracing::debug!("could not sync the folder {}: {error}", folder.display());
    }
    #[cfg(not(unix))]
    let _ = folder;
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("the file exists").permissions().mode() & 0o777
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_new_file_is_private_and_no_temporary_file_stays() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("report.csv");
        write_atomically(&path, b"a,b\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(names(temp.path()), ["report.csv"]);
    }

    #[test]
    fn a_wide_existing_file_is_replaced_by_a_private_one() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("draft.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!((std::fs::read_to_string(&path).unwrap().as_str(), mode(&path)), ("new", 0o600));
        assert_eq!(names(temp.path()), ["draft.json"]);
    }

    #[test]
    fn a_failed_rename_leaves_no_temporary_file() {
        let temp = tempfile::tempdir().unwrap();
        // A non-empty folder where the file should go: the rename over it fails, even as root.
        let path = temp.path().join("taken");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), "x").unwrap();
        assert!(write_atomically(&path, b"data").is_err());
        assert_eq!(names(temp.path()), ["taken"]);
        assert_eq!(names(&path), ["inside"]);
    }

    #[test]
    fn the_temporary_name_is_random_so_a_planted_file_is_not_written_through() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("profiles.json");
        // The old fixed name: a file (or link) planted there is neither used nor removed.
        let planted = temp.path().join(".profiles.json.intake-tmp");
        std::fs::write(&planted, "planted").unwrap();
        write_atomically(&path, b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&planted).unwrap(), "planted");
        assert_eq!(names(temp.path()), [".profiles.json.intake-tmp", "profiles.json"]);
    }

    #[test]
    fn missing_folders_are_made_private_and_a_chosen_one_keeps_its_mode() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = temp.path().join("new/export.json");
        write_atomically(&path, b"[]").unwrap();
        assert_eq!(mode(temp.path()), 0o755);
        assert_eq!(mode(&temp.path().join("new")), 0o700);
        assert_eq!(mode(&path), 0o600);
    }
}
