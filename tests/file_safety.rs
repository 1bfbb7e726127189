//! What Intake writes outside its database, as the real binary writes it: the folders 0700 and the
//! files 0600 (profiles, exports), and profiles changed by several processes at once, none of
//! whose changes is lost.

mod cli_support;

use std::path::Path;
use std::process::{Command, Stdio};

use cli_support::*;
use intake::paths::IntakePaths;
use intake::profiles::{Profile, ProfileKind, ProfileStore};

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn profiles_exports_and_their_folders_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let home = Home::new();
    let add = home.run(&["profile", "add", "--name", "Acme", "--backend", "finosu", "--base-url", "https://a.example"]);
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    assert_eq!(mode(&home.path().join("config")), 0o700);
    assert_eq!(mode(&home.path().join("config/profiles.json")), 0o600);

    // Into a folder that does not exist yet: made 0700.
    let export = home.path().join("exports/drafts.csv");
    let run = home.run(&["drafts", "export", "--format", "csv", export.to_str().expect("utf-8")]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert_eq!((mode(&export), mode(&home.path().join("exports"))), (0o600, 0o700));
    assert_eq!(mode(&home.path().join("data")), 0o700);

    // Over a wide file in a folder the person chose (0755): the file is narrowed, the folder not.
    let chosen = home.path().join("chosen");
    std::fs::create_dir(&chosen).expect("mkdir");
    std::fs::set_permissions(&chosen, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let json = chosen.join("drafts.json");
    std::fs::write(&json, "old").expect("write");
    std::fs::set_permissions(&json, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let run = home.run(&["drafts", "export", "--format", "json", json.to_str().expect("utf-8")]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert_eq!((mode(&json), mode(&chosen)), (0o600, 0o755));
    let names: Vec<_> = std::fs::read_dir(&chosen).expect("ls").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(names, ["drafts.json"], "no temporary file left");
}

fn profile(name: &str) -> Profile {
    Profile::new(name, ProfileKind::Finosu, Some(format!("https://{}.example", name.to_lowercase())))
}

/// `intake profile add` processes, a store reloaded for each change (as the CLI does) and a store
/// kept open for the whole run (as the window does) all change the profiles at once; in the end
/// every added profile is there and the removed one is gone.
#[test]
fn processes_and_a_long_lived_store_changing_profiles_at_once_lose_nothing() {
    const ROUNDS: usize = 6;
    const PROCESSES: usize = 6;
    const OWN_CHANGES: usize = 6;
    for round in 0..ROUNDS {
        let home = Home::new();
        let paths = IntakePaths::under(home.path());
        let mut setup = ProfileStore::load(&paths).expect("load");
        setup.add(profile("Doomed")).expect("add");
        setup.save().expect("save");
        // Loaded before anything else changes, like the window at start-up.
        let mut window = ProfileStore::load(&paths).expect("load");

        let children: Vec<_> = (0..PROCESSES)
            .map(|i| {
                let name = format!("Cli{i}");
                Command::new(env!("CARGO_BIN_EXE_intake"))
                    .args(["profile", "add", "--name", &name, "--backend", "finosu"])
                    .args(["--base-url", &format!("https://cli{i}.example")])
                    .env("INTAKE_HOME", home.path())
                    .env("RUST_LOG", "off")
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn intake")
            })
            .collect();
        for i in 0..OWN_CHANGES {
            let mut fresh = ProfileStore::load(&paths).expect("load");
            fresh.add(profile(&format!("Fresh{i}"))).expect("add");
            fresh.save().expect("save");
            window.add(profile(&format!("Window{i}"))).expect("add");
            if i == 0 {
                window.remove("Doomed").expect("remove");
            }
            window.set_token_expiry(&format!("Window{i}"), Some(chrono::Utc::now()));
            window.save().expect("save");
        }
        for child in children {
            let output = child.wait_with_output().expect("wait");
            assert!(output.status.success(), "round {round}: {}", String::from_utf8_lossy(&output.stderr));
        }

        let on_file: Vec<String> =
            ProfileStore::load(&paths).expect("load").profiles().iter().map(|p| p.name.clone()).collect();
        for prefix in ["Cli", "Fresh", "Window"] {
            let count = if prefix == "Cli" { PROCESSES } else { OWN_CHANGES };
            for i in 0..count {
                let name = format!("{prefix}{i}");
                assert!(on_file.contains(&name), "round {round}: {name} was lost: {on_file:?}");
            }
        }
        assert!(!on_file.iter().any(|n| n == "Doomed"), "round {round}: the removed profile came back: {on_file:?}");
        assert_eq!(on_file.len(), 2 + PROCESSES + 2 * OWN_CHANGES, "round {round}: {on_file:?}");
    }
}
