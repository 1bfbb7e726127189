//! `intake submit`: validate draft files and send the valid ones to a profile's API.
//!
//! Sends go through the store and outbox: each file's customer becomes a record, so running it
//! again on a file already sent says so instead of creating a duplicate. Before a customer is
//! sent, the server is asked whether it exists already (the duplicate check): a match is not
//! sent unless `--allow-duplicate`; a lookup that fails is reported in the line, and the
//! customer is sent.

use std::io::Write;

use serde::Serialize;

use serde_json::Value;

use super::connection::Connection;
use super::validate::{FileTally, write_issue_lines, write_json_line};
use super::{SubmitArgs, load_profile_store, usage_error};
use crate::backends::{CustomerClient, Outcome};
use crate::draft_file::read_draft_file;
use crate::duplicate_check::{DuplicateCheck, DuplicateCheckReport, DuplicateVerdict, check_for_duplicates};
use crate::model::Backend;
use crate::normalize::normalize_for_sending;
use crate::outbox::{AttemptReport, Outbox};
use crate::paths::IntakePaths;
use crate::profiles::{Profile, ProfileError};
use crate::sandbox::SandboxConfig;
use crate::store::{FailureKind, NewRecord, Record, RecordId, RecordState, STORE_FILE, StoreError};
use crate::validation::{Issue, Severity, has_errors, validate_for_account};

/// One line of `--json` output.
#[derive(Debug, Serialize)]
struct SubmitReport<'a> {
    file: String,
    /// `created`, `reconciled` (found by a lookup after a lost answer), `already_sent`,
    /// `invalid` (not sent), `unreadable`, or an outcome kind (`rejected`, `timeout`…).
    outcome: &'a str,
    status: Option<u16>,
    id: Option<&'a str>,
    /// The one-sentence meaning.
    message: String,
    issues: Vec<Issue>,
    latency_ms: Option<u128>,
    /// The duplicate check before the send, when one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_check: Option<DuplicateCheckReport>,
}

impl<'a> SubmitReport<'a> {
    /// The line for a file that was not sent (`unreadable`, `invalid`).
    fn not_sent(file: String, outcome: &'a str, message: String, issues: Vec<Issue>) -> Self {
        Self { file, outcome, status: None, id: None, message, issues, latency_ms: None, duplicate_check: None }
    }
}

/// Runs the command; returns the exit code.
pub fn run_submit(args: &SubmitArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let mut profiles = match load_profile_store() {
        Ok(profiles) => profiles,
        Err(message) => return usage_error(err, &message),
    };
    let Some(profile) = profiles.find(&args.profile).cloned() else {
        return usage_error(err, &ProfileError::NotFound(args.profile.clone()).to_string());
    };
    let outbox = match IntakePaths::from_env()
        .map_err(|e| e.to_string())
        .and_then(|paths| Outbox::open(&paths.data_dir.join(STORE_FILE)).map_err(|e| e.to_string()))
    {
        Ok(outbox) => outbox,
        Err(message) => return usage_error(err, &message),
    };
    let connection = match Connection::open(&profile, args.secret_stdin, SandboxConfig::default()) {
        Ok(connection) => connection,
        Err(error) => return usage_error(err, &error.message),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return usage_error(err, &format!("cannot start the network runtime: {e}")),
    };
    let sender = Sender {
        outbox: &outbox,
        client: &connection.client,
        profile: &profile,
        again: args.again,
        allow_duplicate: args.allow_duplicate,
    };
    let backend = profile.backend();
    let mut tally = FileTally::default();
    for path in &args.files {
        let file = path.display().to_string();
        let body = match read_draft_file(path) {
            Ok(body) => body,
            Err(read_error) => {
                tally.unreadable = true;
                writeln!(err, "{file}: {read_error}")?;
                if args.json {
                    let report = SubmitReport::not_sent(file, "unreadable", read_error.to_string(), Vec::new());
                    write_json_line(out, &report)?;
                }
                continue;
            }
        };
        // The account's property definitions, when known, decide as in the window.
        let issues = validate_for_account(backend, &body, profile.known_property_definitions());
        if has_errors(&issues) {
            tally.failed = true;
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
        match runtime.block_on(sender.submit(&file, body)) {
            Ok(Submitted::Attempted(report, check)) => {
                tally.failed |= report.state != RecordState::Sent;
                if let Some(Outcome::Rejected { valid_task_types, .. }) = report.exchanges.last().map(|e| &e.outcome)
                    && profiles.learn_task_types(&profile.name, valid_task_types)
                    && let Err(e) = profiles.save()
                {
                    writeln!(err, "intake: could not remember the valid task types: {e}")?;
                }
                report_attempt(out, args.json, file, &report, check.as_ref(), backend)?;
            }
            Ok(Submitted::NotSent { outcome, message, failed, check }) => {
                tally.failed |= failed;
                if args.json {
                    let mut line = SubmitReport::not_sent(file, outcome, message, Vec::new());
                    line.duplicate_check = check.map(|check| check.report(backend));
                    write_json_line(out, &line)?;
                } else {
                    writeln!(out, "{file}: {message}")?;
                }
            }
            Err(error) => return usage_error(err, &format!("{file}: {error}")),
        }
    }
    if let Err(e) = connection.keep_token_expiry(&mut profiles) {
        writeln!(err, "intake: could not remember the token's expiry: {e}")?;
    }
    Ok(tally.exit_code())
}

/// What submitting one valid file came to.
enum Submitted {
    /// An attempt was made (or an abandoned one settled), after the duplicate check if one ran.
    Attempted(AttemptReport, Option<DuplicateCheck>),
    /// Nothing was sent: already sent, being sent elsewhere, possibly created, or a duplicate.
    NotSent {
        /// The machine name for `--json`.
        outcome: &'static str,
        /// The sentence.
        message: String,
        /// Whether it counts as a failure for the exit status.
        failed: bool,
        /// The duplicate check that stopped it.
        check: Option<DuplicateCheck>,
    },
}

/// Sends files through the outbox for one profile.
struct Sender<'a> {
    outbox: &'a Outbox,
    client: &'a CustomerClient,
    profile: &'a Profile,
    again: bool,
    allow_duplicate: bool,
}

impl Sender<'_> {
    /// Records the file's customer in the store (or finds it there, sent before) and sends it
    /// through the outbox: claimed, sent, settled — so a crash or a second run never creates
    /// it twice.
    async fn submit(&self, file: &str, body: Value) -> Result<Submitted, StoreError> {
        let backend = self.profile.backend();
        let payload = normalize_for_sending(backend, &body);
        let name = self.profile.name.clone();
        let (known_payload, known_name) = (payload.clone(), name.clone());
        let known = if self.again {
            None
        } else {
            self.outbox.with_store(move |store| store.find_by_fingerprint(&known_name, &known_payload)).await?
        };
        let resumed = match known {
            Some(record) => match self.resume(record).await? {
                Ok(resumed) => Some(resumed),
                Err(done) => return Ok(done),
            },
            None => None,
        };
        let check = if self.allow_duplicate { None } else { Some(check_for_duplicates(self.client, &payload).await) };
        if let Some(check) = check.as_ref().filter(|c| matches!(c.verdict, DuplicateVerdict::Found(_))) {
            let message =
                format!("not sent: {} Use --allow-duplicate to create it anyway.", check.verdict.sentence(backend));
            return Ok(Submitted::NotSent { outcome: "duplicate", message, failed: true, check: Some(check.clone()) });
        }
        let id = match resumed {
            Some((id, true)) => id,
            Some((id, false)) => {
                let (queued, name) = (id.clone(), self.profile.name.clone());
                self.outbox.with_store(move |store| store.queue(&queued, &name, &payload)).await?;
                id
            }
            None => {
                let new = NewRecord {
                    backend,
                    profile: name,
                    body,
                    payload: Some(payload),
                    valid: true,
                    source: Some(file.to_owned()),
                };
                self.outbox.with_store(move |store| store.insert(&new)).await?
            }
        };
        let Some(claim) = self.outbox.claim(id.clone()).await? else { return Ok(busy(&id, "sent")) };
        Ok(Submitted::Attempted(self.outbox.send(claim, self.client).await?, check))
    }

    /// What to do with the record this file's customer already has: send it (its id, and
    /// whether it is queued already), or nothing (already sent, possibly created, being sent
    /// elsewhere).
    async fn resume(&self, record: Record) -> Result<Result<(RecordId, bool), Submitted>, StoreError> {
        match (record.state, record.failure) {
            (RecordState::Sent, _) => {
                let id = record.server_id.map(|id| format!(" as {id}")).unwrap_or_default();
                let message =
                    format!("already sent{id} (record {}); not sent again. Use --again to send it anyway.", record.id);
                Ok(Err(Submitted::NotSent { outcome: "already_sent", message, failed: false, check: None }))
            }
            (RecordState::Sending, _) => self.settle_abandoned(record).await.map(Err),
            (RecordState::Failed, Some(FailureKind::Ambiguous)) => {
                let message = format!(
                    "an earlier attempt (record {}) may have created it: check before sending again, or use --again. {}",
                    record.id,
                    record.message.unwrap_or_default()
                );
                Ok(Err(Submitted::NotSent { outcome: "ambiguous", message, failed: true, check: None }))
            }
            (RecordState::Queued, _) => Ok(Ok((record.id, true))),
            _ => Ok(Ok((record.id, false))),
        }
    }

    /// A record of this file left `sending`: settled by a lookup when its sender is gone.
    async fn settle_abandoned(&self, record: Record) -> Result<Submitted, StoreError> {
        let id = record.id.clone();
        let abandoned = self.outbox.abandoned(Some(record.profile.clone())).await?;
        let Some(record) = abandoned.into_iter().find(|r| r.id == id) else { return Ok(busy(&id, "sent")) };
        let Some(claim) = self.outbox.take_over(record).await? else { return Ok(busy(&id, "settled")) };
        Ok(Submitted::Attempted(self.outbox.reconcile(claim, self.client).await?, None))
    }
}

/// Nothing sent from here: another process is at it.
fn busy(id: &RecordId, doing: &str) -> Submitted {
    let message = format!("record {id} is being {doing} by another process; not sent from here.");
    Submitted::NotSent { outcome: "busy", message, failed: true, check: None }
}

fn report_attempt(
    out: &mut dyn Write,
    json: bool,
    file: String,
    report: &AttemptReport,
    check: Option<&DuplicateCheck>,
    backend: Backend,
) -> std::io::Result<()> {
    let last = report.exchanges.last();
    let issues: Vec<Issue> = last
        .map(|e| e.outcome.field_errors())
        .unwrap_or_default()
        .iter()
        .map(|e| Issue {
            path: if e.pointer.is_empty() { e.server_path.clone() } else { e.pointer.clone() },
            severity: Severity::Error,
            message: e.message.clone(),
        })
        .collect();
    let latency_ms = last.map(|e| e.latency.as_millis());
    if json {
        let line = SubmitReport {
            file,
            outcome: &report.outcome,
            status: report.status,
            id: report.server_id.as_deref(),
            message: report.message.clone(),
            issues,
            latency_ms,
            duplicate_check: check.map(|check| check.report(backend)),
        };
        write_json_line(out, &line)
    } else {
        let status = report.status.map(|s| format!("{s}, ")).unwrap_or_default();
        let latency = latency_ms.map(|ms| format!(" ({status}{ms} ms)")).unwrap_or_default();
        // A check that could not be made is said before the send's outcome; a clear one is not.
        let unchecked = check
            .filter(|c| matches!(c.verdict, DuplicateVerdict::Unchecked(_) | DuplicateVerdict::LookupFailed(_)))
            .map(|c| format!("{} Sent anyway: ", c.verdict.sentence(backend)))
            .unwrap_or_default();
        writeln!(out, "{file}: {unchecked}{}{latency}", report.message)?;
        write_issue_lines(out, &issues)
    }
}
