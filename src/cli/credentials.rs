//! `intake credentials set|clear|check`: a profile's secrets in the OS keyring, and the verdict
//! on them. Secrets come from standard input only, never from arguments.

use std::io::Write;

use serde::Serialize;

use super::connection::Connection;
use super::secret_input::read_secret_from_stdin;
use super::validate::{EXIT_INVALID, EXIT_VALID};
use super::{CredentialsCommand, load_profile_store, usage_error};
use crate::credentials::{CheckReport, KEYRING_SERVICE, SecretKind, Storage, Vault, VerdictKind, keyring_user};
use crate::model::Backend;
use crate::profiles::{AuthKind, Profile, ProfileError, ProfileStore};
use crate::sandbox::SandboxConfig;

/// Runs a credentials command; returns the exit code.
pub fn run_credentials(command: &CredentialsCommand, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let mut store = match load_profile_store() {
        Ok(store) => store,
        Err(message) => return usage_error(err, &message),
    };
    let name = match command {
        CredentialsCommand::Set { profile, .. }
        | CredentialsCommand::Clear { profile }
        | CredentialsCommand::Check { profile, .. } => profile,
    };
    let Some(profile) = store.find(name).cloned() else {
        return usage_error(err, &ProfileError::NotFound(name.clone()).to_string());
    };
    match command {
        CredentialsCommand::Set { client_id, access_token, refresh_token, .. } => {
            let wanted = SetRequest {
                client_id: client_id.as_deref(),
                access_token: *access_token,
                refresh_token: *refresh_token,
            };
            set(&mut store, &profile, &wanted, out, err)
        }
        CredentialsCommand::Clear { .. } => clear(&mut store, &profile, out, err),
        CredentialsCommand::Check { secret_stdin, json, .. } => {
            check(&mut store, &profile, *secret_stdin, *json, out, err)
        }
    }
}

struct SetRequest<'a> {
    client_id: Option<&'a str>,
    access_token: bool,
    refresh_token: bool,
}

/// The secrets to read, in order, and the auth kind they give the profile.
fn secrets_to_read(profile: &Profile, wanted: &SetRequest<'_>) -> Result<(AuthKind, Vec<SecretKind>), String> {
    if profile.kind.is_sandbox() {
        return Err(format!(
            "{:?} is built in and uses the sandbox's published credentials; nothing to store",
            profile.name
        ));
    }
    let any_flag = wanted.client_id.is_some() || wanted.access_token || wanted.refresh_token;
    match profile.backend() {
        Backend::Finosu if any_flag => {
            Err("Finosu profiles have one secret, the API key: give no --client-id, --access-token or --refresh-token".to_owned())
        }
        Backend::Finosu => Ok((AuthKind::ApiKey, vec![SecretKind::ApiKey])),
        Backend::HelpScout if wanted.client_id.is_some() => Ok((AuthKind::OauthApp, vec![SecretKind::ClientSecret])),
        Backend::HelpScout if any_flag => {
            let kinds = [(wanted.access_token, SecretKind::AccessToken), (wanted.refresh_token, SecretKind::RefreshToken)];
            Ok((AuthKind::Token, kinds.into_iter().filter(|(on, _)| *on).map(|(_, kind)| kind).collect()))
        }
        Backend::HelpScout => Err(
            "say what to store for Help Scout: --client-id ID (the client secret is read from standard input), or --access-token and/or --refresh-token"
                .to_owned(),
        ),
    }
}

fn set(
    store: &mut ProfileStore,
    profile: &Profile,
    wanted: &SetRequest<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let (auth, kinds) = match secrets_to_read(profile, wanted) {
        Ok(plan) => plan,
        Err(message) => return usage_error(err, &message),
    };
    let mut secrets = Vec::new();
    for kind in &kinds {
        match read_secret_from_stdin(&format!("{} for {}", kind.label(), profile.name)) {
            Ok(secret) => secrets.push((*kind, secret)),
            Err(e) => {
                return usage_error(err, &format!("cannot read the {}: {e}; nothing was stored", kind.noun()));
            }
        }
    }
    let vault = Vault::system();
    if let Err(error) = vault.keyring_status() {
        let message = format!(
            "cannot store the secret: {error}. Nothing was written anywhere; for one run, pass it with --secret-stdin to `intake submit` or `intake credentials check`"
        );
        return usage_error(err, &message);
    }
    // A new app or a new access token makes the cached token (and its expiry) stale.
    let stale: &[SecretKind] = match auth {
        AuthKind::OauthApp => &[SecretKind::AccessToken, SecretKind::RefreshToken],
        AuthKind::Token if kinds.contains(&SecretKind::AccessToken) && !kinds.contains(&SecretKind::RefreshToken) => {
            &[SecretKind::RefreshToken]
        }
        _ => &[],
    };
    let stored = stale.iter().try_for_each(|kind| vault.delete(&profile.name, *kind)).and_then(|()| {
        secrets.iter().try_for_each(|(kind, secret)| vault.set(&profile.name, *kind, secret, Storage::Keyring))
    });
    if let Err(error) = stored {
        return usage_error(err, &format!("cannot store the secret: {error}"));
    }
    let mut updated = profile.clone();
    updated.auth = Some(auth);
    if let Some(id) = wanted.client_id {
        updated.client_id = Some(id.to_owned());
    }
    if kinds.contains(&SecretKind::AccessToken) || auth == AuthKind::OauthApp {
        updated.token_expires_at = None;
    }
    if let Err(error) = store.update(&profile.name, updated).and_then(|()| store.save()) {
        return usage_error(err, &format!("stored the secret, but could not update the profile: {error}"));
    }
    for (kind, secret) in &secrets {
        writeln!(
            out,
            "Stored the {} {} of profile {:?} in the keyring (service {KEYRING_SERVICE:?}, user {:?}).",
            kind.noun(),
            secret.masked(),
            profile.name,
            keyring_user(&profile.name, *kind)
        )?;
    }
    Ok(EXIT_VALID)
}

fn clear(store: &mut ProfileStore, profile: &Profile, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let vault = Vault::system();
    if let Err(error) = vault.keyring_status().and_then(|()| vault.delete_all(&profile.name)) {
        return usage_error(err, &format!("cannot clear the secrets: {error}"));
    }
    if store.set_token_expiry(&profile.name, None)
        && let Err(error) = store.save()
    {
        return usage_error(err, &error.to_string());
    }
    writeln!(out, "Removed every secret of profile {:?} from the keyring.", profile.name)?;
    Ok(EXIT_VALID)
}

/// `--json` output of `check`.
#[derive(Serialize)]
struct CheckLine<'a> {
    profile: &'a str,
    backend: &'a str,
    verdict: &'a str,
    /// `read`, or `empty_create` when the server has no read route (Finosu).
    probe: crate::credentials::Probe,
    headline: &'a str,
    next_step: &'a str,
    identity: Option<&'a str>,
    status: Option<u16>,
    latency_ms: u128,
    /// Every request the check made (token grants included), secrets masked.
    steps: Vec<CheckStep<'a>>,
}

/// One request of a check, for `--json`.
#[derive(Serialize)]
struct CheckStep<'a> {
    method: &'a str,
    url: &'a str,
    status: Option<u16>,
    result: &'a crate::backends::Outcome,
}

#[expect(
    clippy::fn_params_excessive_bools,
    reason = "the two flags of `intake credentials check`, as clap parsed them"
)]
fn check(
    store: &mut ProfileStore,
    profile: &Profile,
    secret_stdin: bool,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let report = match Connection::open(profile, secret_stdin, SandboxConfig::default()) {
        Ok(connection) => {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => return usage_error(err, &format!("cannot start the network runtime: {e}")),
            };
            let report = runtime.block_on(crate::credentials::check_credentials(&connection.client));
            if let Err(e) = connection.keep_token_expiry(store) {
                writeln!(err, "intake: could not remember the token's expiry: {e}")?;
            }
            report
        }
        Err(error) if error.kind == "no_secret" => CheckReport::without_request(
            VerdictKind::NoCredentials,
            format!("Not tested: {}.", error.message),
            "Store the secret first (`intake credentials set`).",
        ),
        Err(error) => return usage_error(err, &error.message),
    };
    let status = report.exchanges.last().and_then(|e| e.response.as_ref()).map(|r| r.status);
    let latency_ms = report.latency.as_millis();
    if json {
        let line = CheckLine {
            profile: &profile.name,
            backend: profile.kind.as_str(),
            verdict: report.kind.as_str(),
            probe: report.probe,
            headline: &report.headline,
            next_step: &report.next_step,
            identity: report.identity.as_deref(),
            status,
            latency_ms,
            steps: report
                .exchanges
                .iter()
                .map(|e| CheckStep {
                    method: &e.method,
                    url: &e.url,
                    status: e.response.as_ref().map(|r| r.status),
                    result: &e.outcome,
                })
                .collect(),
        };
        writeln!(out, "{}", serde_json::to_string(&line).map_err(std::io::Error::other)?)?;
    } else {
        writeln!(out, "{}: {} ({latency_ms} ms)", profile.name, report.headline)?;
        writeln!(out, "Next: {}", report.next_step)?;
    }
    Ok(if report.is_ok() { EXIT_VALID } else { EXIT_INVALID })
}
