//! `intake profile list|add|remove`: the non-secret part of profiles.

use std::io::Write;

use serde::Serialize;

use super::validate::EXIT_VALID;
use super::{ProfileCommand, load_profile_store, usage_error};
use crate::credentials::Vault;
use crate::profiles::{Profile, ProfileKind};

#[derive(Serialize)]
struct ProfileLine<'a> {
    name: &'a str,
    backend: &'a str,
    base_url: Option<&'a str>,
    connect_timeout_secs: u64,
    timeout_secs: u64,
    auth: &'a str,
    client_id: Option<&'a str>,
    production: bool,
    learned_task_types: &'a [String],
}

/// Runs a profile command; returns the exit code (0 done, 2 refused or I/O problem).
pub fn run_profile(command: &ProfileCommand, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let mut store = match load_profile_store() {
        Ok(store) => store,
        Err(message) => return usage_error(err, &message),
    };
    match command {
        ProfileCommand::List { json } => {
            for p in store.profiles() {
                if *json {
                    let line = ProfileLine {
                        name: &p.name,
                        backend: p.kind.as_str(),
                        base_url: p.base_url.as_deref(),
                        connect_timeout_secs: p.connect_timeout_secs,
                        timeout_secs: p.timeout_secs,
                        auth: p.auth_kind().as_str(),
                        client_id: p.client_id.as_deref(),
                        production: p.production,
                        learned_task_types: &p.learned_task_types,
                    };
                    writeln!(out, "{}", serde_json::to_string(&line).map_err(std::io::Error::other)?)?;
                } else {
                    let url = p.base_url.as_deref().unwrap_or("(built-in sandbox, started on demand)");
                    let production = if p.production { "  [production]" } else { "" };
                    writeln!(
                        out,
                        "{:<24} {:<18} {:<10} {url}{production}",
                        p.name,
                        p.kind.as_str(),
                        p.auth_kind().as_str()
                    )?;
                }
            }
            Ok(EXIT_VALID)
        }
        ProfileCommand::Add { name, backend, base_url, connect_timeout, timeout, production } => {
            let kind = ProfileKind::for_real(*backend);
            let mut profile = Profile::new(name.clone(), kind, Some(base_url.clone()));
            profile.connect_timeout_secs = *connect_timeout;
            profile.timeout_secs = *timeout;
            profile.production = *production;
            let result = store.add(profile).and_then(|()| store.save());
            match result {
                Ok(()) => {
                    let file = store.path().map(|p| p.display().to_string()).unwrap_or_default();
                    writeln!(out, "Added profile {:?} ({}) in {file}.", name.trim(), kind.as_str())?;
                    Ok(EXIT_VALID)
                }
                Err(error) => usage_error(err, &error.to_string()),
            }
        }
        ProfileCommand::Remove { name } => {
            match store.remove(name).and_then(|removed| store.save().map(|()| removed)) {
                Ok(removed) => {
                    writeln!(out, "Removed profile {:?}.", removed.name)?;
                    // Its secrets go with it; a keyring that does not answer holds none of ours.
                    match Vault::system().delete_all(&removed.name) {
                        Ok(()) => Ok(EXIT_VALID),
                        Err(error) => {
                            usage_error(err, &format!("the profile is removed, but its secrets are not: {error}"))
                        }
                    }
                }
                Err(error) => usage_error(err, &error.to_string()),
            }
        }
    }
}
