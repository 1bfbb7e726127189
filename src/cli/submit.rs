//! `intake submit`: validate draft files and send the valid ones to a profile's API.

use std::io::Write;

use serde::Serialize;

use super::connection::Connection;
use super::validate::{EXIT_INVALID, EXIT_USAGE_OR_IO, EXIT_VALID, write_issue_lines};
use super::{SubmitArgs, load_profile_store, usage_error};
use crate::backends::{Exchange, Outcome};
use crate::draft_file::read_draft_file;
use crate::normalize::normalize_for_sending;
use crate::profiles::ProfileError;
use crate::sandbox::SandboxConfig;
use crate::validation::{Issue, Severity, has_errors, validate_draft};

/// One line of `--json` output.
#[derive(Debug, Serialize)]
struct SubmitReport<'a> {
    file: String,
    /// `created`, `invalid` (not sent), `unreadable`, or an outcome kind (`rejected`, `timeout`…).
    outcome: &'a str,
    status: Option<u16>,
    id: Option<&'a str>,
    /// The one-sentence meaning.
    message: String,
    issues: Vec<Issue>,
    latency_ms: Option<u128>,
}

impl<'a> SubmitReport<'a> {
    /// The line for a file that was not sent (`unreadable`, `invalid`).
    fn not_sent(file: String, outcome: &'a str, message: String, issues: Vec<Issue>) -> Self {
        Self { file, outcome, status: None, id: None, message, issues, latency_ms: None }
    }
}

/// Runs the command; returns the exit code.
pub fn run_submit(args: &SubmitArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let mut store = match load_profile_store() {
        Ok(store) => store,
        Err(message) => return usage_error(err, &message),
    };
    let Some(profile) = store.find(&args.profile).cloned() else {
        return usage_error(err, &ProfileError::NotFound(args.profile.clone()).to_string());
    };
    let connection = match Connection::open(&profile, args.secret_stdin, SandboxConfig::default()) {
        Ok(connection) => connection,
        Err(error) => return usage_error(err, &error.message),
    };
    let client = &connection.client;
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return usage_error(err, &format!("cannot start the network runtime: {e}")),
    };

    let backend = profile.backend();
    let (mut any_failed, mut any_unreadable) = (false, false);
    for path in &args.files {
        let file = path.display().to_string();
        let body = match read_draft_file(path) {
            Ok(body) => body,
            Err(read_error) => {
                any_unreadable = true;
                writeln!(err, "{file}: {read_error}")?;
                if args.json {
                    let report = SubmitReport::not_sent(file, "unreadable", read_error.to_string(), Vec::new());
                    write_json_line(out, &report)?;
                }
                continue;
            }
        };
        let issues = validate_draft(backend, &body);
        if has_errors(&issues) {
            any_failed = true;
            let errors = issues.iter().filter(|i| i.severity == Severity::Error).count();
            let message = format!("not sent: {errors} {} to fix first", if errors == 1 { "error" } else { "errors" });
            if args.json {
                write_json_line(out, &SubmitReport::not_sent(file, "invalid", message, issues))?;
            } else {
                writeln!(out, "{file}: {message}")?;
                write_issue_lines(out, &issues)?;
            }
            continue;
        }
        let exchanges = runtime.block_on(client.create_customer(&normalize_for_sending(backend, &body)));
        let Some(last) = exchanges.last() else { continue };
        any_failed |= !last.outcome.is_created();
        if let Outcome::Rejected { valid_task_types, .. } = &last.outcome
            && store.learn_task_types(&profile.name, valid_task_types)
            && let Err(e) = store.save()
        {
            writeln!(err, "intake: could not remember the valid task types: {e}")?;
        }
        report_outcome(out, args.json, file, last)?;
    }
    if let Err(e) = connection.keep_token_expiry(&mut store) {
        writeln!(err, "intake: could not remember the token's expiry: {e}")?;
    }
    Ok(if any_unreadable {
        EXIT_USAGE_OR_IO
    } else if any_failed {
        EXIT_INVALID
    } else {
        EXIT_VALID
    })
}

fn report_outcome(out: &mut dyn Write, json: bool, file: String, exchange: &Exchange) -> std::io::Result<()> {
    let outcome = &exchange.outcome;
    let issues: Vec<Issue> = outcome
        .field_errors()
        .iter()
        .map(|e| Issue {
            path: if e.pointer.is_empty() { e.server_path.clone() } else { e.pointer.clone() },
            severity: Severity::Error,
            message: e.message.clone(),
        })
        .collect();
    let status = exchange.response.as_ref().map(|r| r.status);
    let latency_ms = exchange.latency.as_millis();
    if json {
        let report = SubmitReport {
            file,
            outcome: outcome.kind(),
            status,
            id: outcome.created_id(),
            message: exchange.summary(),
            issues,
            latency_ms: Some(latency_ms),
        };
        write_json_line(out, &report)
    } else {
        let status = status.map(|s| format!("{s}, ")).unwrap_or_default();
        writeln!(out, "{file}: {} ({status}{latency_ms} ms)", exchange.summary())?;
        write_issue_lines(out, &issues)
    }
}

fn write_json_line(out: &mut dyn Write, report: &SubmitReport<'_>) -> std::io::Result<()> {
    writeln!(out, "{}", serde_json::to_string(report).map_err(std::io::Error::other)?)?;
    out.flush()
}
