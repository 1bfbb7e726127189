//! `intake properties refresh|list`: a Help Scout profile's custom property definitions.
//!
//! They are fetched with the profile's credentials and cached on the profile, so that
//! validation (the window, `intake validate --profile`, imports) knows which slugs the account
//! defines.

use std::io::Write;

use serde::Serialize;

use super::connection::Connection;
use super::validate::{EXIT_INVALID, EXIT_VALID};
use super::{PropertiesCommand, load_profile_store, usage_error};
use crate::model::{Backend, PropertyDefinition};
use crate::profiles::{Profile, ProfileError, ProfileStore};
use crate::sandbox::SandboxConfig;

/// Runs a properties command; returns the exit code: 0 done, 1 when the definitions could not
/// be fetched (or none are cached, for `list`), 2 for usage errors, unknown or Finosu profiles.
pub fn run_properties(command: &PropertiesCommand, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let mut store = match load_profile_store() {
        Ok(store) => store,
        Err(message) => return usage_error(err, &message),
    };
    let name = match command {
        PropertiesCommand::Refresh { profile } | PropertiesCommand::List { profile, .. } => profile,
    };
    let Some(profile) = store.find(name).cloned() else {
        return usage_error(err, &ProfileError::NotFound(name.clone()).to_string());
    };
    if profile.backend() != Backend::HelpScout {
        let message = format!(
            "profile {:?} is a Finosu profile; custom properties are Help Scout's, Finosu has none",
            profile.name
        );
        return usage_error(err, &message);
    }
    match command {
        PropertiesCommand::Refresh { .. } => match fetch_and_cache(&mut store, &profile) {
            Ok(definitions) => {
                writeln!(out, "{}", fetched_line(definitions.len(), &profile.name))?;
                Ok(EXIT_VALID)
            }
            Err(message) => {
                writeln!(err, "intake: {message}")?;
                Ok(EXIT_INVALID)
            }
        },
        PropertiesCommand::List { json, .. } => list(&profile, *json, out, err),
    }
}

/// "Fetched 12 property definitions for profile "X"."
pub(crate) fn fetched_line(count: usize, profile: &str) -> String {
    let noun = if count == 1 { "property definition" } else { "property definitions" };
    format!("Fetched {count} {noun} for profile {profile:?}.")
}

/// Fetches `profile`'s definitions with its credentials (the keyring's; the built-in sandbox
/// for sandbox profiles) and saves them on the profile; or one sentence saying why not.
pub(crate) fn fetch_and_cache(store: &mut ProfileStore, profile: &Profile) -> Result<Vec<PropertyDefinition>, String> {
    let cannot = |why: &str| format!("cannot fetch the property definitions of profile {:?}: {why}", profile.name);
    let connection = Connection::open(profile, false, SandboxConfig::default()).map_err(|e| cannot(&e.message))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| cannot(&format!("cannot start the network runtime: {e}")))?;
    let fetched = runtime.block_on(connection.client.property_definitions());
    // A token obtained on the way is worth keeping even when the fetch then failed.
    let kept = connection.keep_token_expiry(store);
    let definitions = match fetched {
        Some((_, Ok(definitions))) => definitions,
        Some((_, Err(reason))) => return Err(cannot(reason.trim_end_matches('.'))),
        None => return Err(cannot("the profile's API has no custom properties")),
    };
    kept.map_err(|e| format!("fetched the property definitions, but could not save the profile: {e}"))?;
    if store.cache_property_definitions(&profile.name, &definitions) {
        store
            .save()
            .map_err(|e| format!("fetched the property definitions, but could not save them on the profile: {e}"))?;
    }
    Ok(definitions)
}

/// One line of `intake properties list --json`.
#[derive(Serialize)]
struct DefinitionLine<'a> {
    slug: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    /// A dropdown's option labels; empty for the other types.
    options: &'a [String],
}

/// Lists the cached definitions; no network.
fn list(profile: &Profile, json: bool, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let Some(definitions) = profile.known_property_definitions() else {
        writeln!(
            err,
            "intake: no property definitions are cached for profile {:?}; fetch them with `intake properties refresh --profile {:?}` (or Load definitions on the window's Properties tab)",
            profile.name, profile.name
        )?;
        return Ok(EXIT_INVALID);
    };
    if definitions.is_empty() && !json {
        writeln!(out, "Help Scout account of profile {:?} defines no custom properties.", profile.name)?;
    }
    let slug_width = definitions.iter().map(|d| d.slug.chars().count()).max().unwrap_or(0).max(4);
    let name_width = definitions.iter().map(|d| d.name.chars().count()).max().unwrap_or(0).max(4);
    if !json && !definitions.is_empty() {
        writeln!(out, "{:<slug_width$}  {:<name_width$}  {:<8}  OPTIONS", "SLUG", "NAME", "TYPE")?;
    }
    for definition in definitions {
        if json {
            let line = DefinitionLine {
                slug: &definition.slug,
                name: &definition.name,
                kind: definition.kind.name(),
                options: &definition.options,
            };
            super::validate::write_json_line(out, &line)?;
        } else {
            let line = format!(
                "{:<slug_width$}  {:<name_width$}  {:<8}  {}",
                definition.slug,
                definition.name,
                definition.kind.name(),
                definition.options.join(", ")
            );
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(EXIT_VALID)
}
