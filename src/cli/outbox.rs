//! `intake outbox add | send | list`: the window's store and outbox from a terminal.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{IsTerminal as _, Write};
use std::time::Duration;

use serde::Serialize;

use super::connection::Connection;
use super::validate::{EXIT_INVALID, EXIT_VALID, FileTally, write_issue_lines, write_json_line};
use super::{OutboxCommand, OutboxSendArgs, load_profile_store, open_store, usage_error};
use crate::backends::CustomerClient;
use crate::batch::duration_words;
use crate::draft_file::read_draft_file;
use crate::normalize::normalize_for_sending;
use crate::outbox::{AttemptReport, Outbox, Pacers};
use crate::paths::IntakePaths;
use crate::profiles::{ProfileError, ProfileStore};
use crate::sandbox::SandboxConfig;
use crate::store::{Claim, ListFilter, NewRecord, RecordState, RecordSummary, STORE_FILE, Store, now_millis};
use crate::validation::{Severity, has_errors, validate_for_account};

/// The longest `outbox send` waits for a record that is due again later (backoff, a rate
/// limit's Retry-After) before it stops and reports the record as still queued.
const LONGEST_WAIT: Duration = Duration::from_mins(1);

/// Runs `intake outbox …`; returns the exit code.
pub fn run_outbox(command: &OutboxCommand, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    match command {
        OutboxCommand::Add { profile, json, files } => add(profile, *json, files, out, err),
        OutboxCommand::Send(args) => send(args, out, err),
        OutboxCommand::List { state, profile, json } => {
            let store = match open_store() {
                Ok(store) => store,
                Err(message) => return usage_error(err, &message),
            };
            let filter = ListFilter { state: *state, profile: profile.clone() };
            match store.summaries(&filter) {
                Ok(records) => list(&records, *json, out),
                Err(error) => usage_error(err, &error.to_string()),
            }
        }
    }
}

/// One line of `outbox add --json`.
#[derive(Debug, Serialize)]
struct AddReport<'a> {
    file: String,
    /// `queued`, `invalid` or `unreadable`.
    outcome: &'a str,
    record: Option<String>,
    issues: Vec<crate::validation::Issue>,
}

fn add(
    profile: &str,
    json: bool,
    files: &[std::path::PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let profiles = match load_profile_store() {
        Ok(profiles) => profiles,
        Err(message) => return usage_error(err, &message),
    };
    let Some(profile) = profiles.find(profile).cloned() else {
        return usage_error(err, &ProfileError::NotFound(profile.to_owned()).to_string());
    };
    let mut store = match open_store() {
        Ok(store) => store,
        Err(message) => return usage_error(err, &message),
    };
    let backend = profile.backend();
    let mut tally = FileTally::default();
    for path in files {
        let file = path.display().to_string();
        let body = match read_draft_file(path) {
            Ok(body) => body,
            Err(read_error) => {
                tally.unreadable = true;
                writeln!(err, "{file}: {read_error}")?;
                if json {
                    write_json_line(out, &AddReport { file, outcome: "unreadable", record: None, issues: Vec::new() })?;
                }
                continue;
            }
        };
        let issues = validate_for_account(backend, &body, profile.known_property_definitions());
        if has_errors(&issues) {
            tally.failed = true;
            let errors = issues.iter().filter(|i| i.severity == Severity::Error).count();
            if json {
                write_json_line(out, &AddReport { file, outcome: "invalid", record: None, issues })?;
            } else {
                writeln!(out, "{file}: not queued: {errors} {} to fix first", plural(errors, "error", "errors"))?;
                write_issue_lines(out, &issues)?;
            }
            continue;
        }
        let new = NewRecord {
            backend,
            profile: profile.name.clone(),
            payload: Some(normalize_for_sending(backend, &body)),
            body,
            valid: true,
            source: Some(file.clone()),
        };
        match store.insert(&new) {
            Ok(id) if json => {
                write_json_line(out, &AddReport { file, outcome: "queued", record: Some(id.to_string()), issues })?;
            }
            Ok(id) => writeln!(out, "{file}: queued for {} as record {id}", profile.name)?,
            Err(error) => return usage_error(err, &format!("{file}: {error}")),
        }
    }
    Ok(tally.exit_code())
}

fn list(records: &[RecordSummary], json: bool, out: &mut dyn Write) -> std::io::Result<u8> {
    for record in records {
        if json {
            write_json_line(out, record)?;
            continue;
        }
        let who = match (record.name.as_str(), record.email.as_str()) {
            ("", "") => "(no name)".to_owned(),
            (name, "") => name.to_owned(),
            ("", email) => format!("<{email}>"),
            (name, email) => format!("{name} <{email}>"),
        };
        let changed = chrono::DateTime::from_timestamp_millis(record.updated_at)
            .map(|at| at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let detail = match (&record.server_id, &record.message) {
            (Some(id), _) if record.state == RecordState::Sent => format!("sent as {id}"),
            (_, Some(message)) if record.state != RecordState::Draft => message.clone(),
            _ => String::new(),
        };
        writeln!(out, "{}  {:<7}  {changed}  {}  {who}  {detail}", record.id, record.state, record.profile)?;
    }
    out.flush()?;
    Ok(EXIT_VALID)
}

/// The profiles a send run can use: each opened once, with its client.
struct Connections {
    open: BTreeMap<String, Connection>,
}

fn send(args: &OutboxSendArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let mut profiles = match load_profile_store() {
        Ok(profiles) => profiles,
        Err(message) => return usage_error(err, &message),
    };
    if let Some(name) = &args.profile
        && profiles.find(name).is_none()
    {
        return usage_error(err, &ProfileError::NotFound(name.clone()).to_string());
    }
    let paths = match IntakePaths::from_env() {
        Ok(paths) => paths,
        Err(error) => return usage_error(err, &error.to_string()),
    };
    let outbox = match Outbox::open(&paths.data_dir.join(STORE_FILE)) {
        Ok(outbox) => outbox,
        Err(error) => return usage_error(err, &error.to_string()),
    };
    let pending = match pending_profiles(&paths, args.profile.as_deref()) {
        Ok(pending) => pending,
        Err(message) => return usage_error(err, &message),
    };
    let (connections, unusable) = open_connections(&profiles, &pending, args.secret_stdin, err)?;
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return usage_error(err, &format!("cannot start the network runtime: {e}")),
    };
    // A progress line only makes sense where a person watches.
    let total = connections.open.keys().filter_map(|name| pending.get(name)).sum();
    let mut progress = Progress::new(args.json, total);
    let totals = runtime.block_on(send_all(&outbox, &connections, usize::from(args.concurrency), out, &mut progress));
    progress.finish(err)?;
    for connection in connections.open.values() {
        if let Err(e) = connection.keep_token_expiry(&mut profiles) {
            writeln!(err, "intake: could not remember the token's expiry: {e}")?;
        }
    }
    let totals = totals?;
    let (left, elsewhere) = match still_queued(&paths, &connections) {
        Ok(counts) => counts,
        Err(message) => return usage_error(err, &message),
    };
    if !args.json {
        let elsewhere = match elsewhere {
            0 => String::new(),
            n => format!(", {n} being sent by another process"),
        };
        let waiting = match unusable {
            0 => String::new(),
            n => format!(", {n} waiting for a profile that cannot be used"),
        };
        writeln!(out, "{} sent, {} failed, {left} still queued{elsewhere}{waiting}.", totals.sent, totals.failed)?;
    }
    Ok(if totals.failed == 0 && left == 0 && unusable == 0 { EXIT_VALID } else { EXIT_INVALID })
}

/// Profiles with records queued or being sent (of `only`, when given), and how many each.
fn pending_profiles(paths: &IntakePaths, only: Option<&str>) -> Result<BTreeMap<String, usize>, String> {
    let store = Store::open_in(paths).map_err(|e| e.to_string())?;
    let mut pending = BTreeMap::new();
    for state in [RecordState::Queued, RecordState::Sending] {
        let filter = ListFilter { state: Some(state), profile: only.map(str::to_owned) };
        for record in store.summaries(&filter).map_err(|e| e.to_string())? {
            *pending.entry(record.profile).or_insert(0) += 1;
        }
    }
    Ok(pending)
}

/// Opens every profile that has work; says which cannot be used and counts their records.
fn open_connections(
    profiles: &ProfileStore,
    pending: &BTreeMap<String, usize>,
    secret_stdin: bool,
    err: &mut dyn Write,
) -> std::io::Result<(Connections, usize)> {
    let mut open = BTreeMap::new();
    let mut unusable = 0;
    for (name, count) in pending {
        let opened = match profiles.find(name) {
            Some(profile) => Connection::open(profile, secret_stdin, SandboxConfig::default()).map_err(|e| e.message),
            None => Err(ProfileError::NotFound(name.clone()).to_string()),
        };
        match opened {
            Ok(connection) => {
                open.insert(name.clone(), connection);
            }
            Err(message) => {
                unusable += count;
                writeln!(
                    err,
                    "intake: {count} {} of profile {name:?} wait: {message}",
                    plural(*count, "record", "records")
                )?;
            }
        }
    }
    Ok((Connections { open }, unusable))
}

/// What a run did.
#[derive(Debug, Default)]
struct Totals {
    sent: usize,
    failed: usize,
}

/// Settles abandoned attempts, then sends every due record of the opened profiles, up to
/// `concurrency` at once and within each profile's rate limit ([`Pacers`]), waiting (up to
/// [`LONGEST_WAIT`]) for records due again soon.
async fn send_all(
    outbox: &Outbox,
    connections: &Connections,
    concurrency: usize,
    out: &mut dyn Write,
    progress: &mut Progress,
) -> std::io::Result<Totals> {
    let mut totals = Totals::default();
    let pacers = Pacers::default();
    for (name, connection) in &connections.open {
        let abandoned = outbox.abandoned(Some(name.clone())).await.map_err(std::io::Error::other)?;
        for record in abandoned {
            let Some(claim) = outbox.take_over(record).await.map_err(std::io::Error::other)? else { continue };
            let report = outbox.reconcile(claim, &connection.client).await.map_err(std::io::Error::other)?;
            progress.report(out, &report, &mut totals)?;
        }
    }
    let mut offline: HashMap<String, u32> = HashMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    // Claimed a round ahead, `concurrency` at a time in one transaction: a claim costs a disk
    // sync, and one per record held the batch back. A claimed record not sent yet when the
    // process dies is reconciled like any other attempt left behind.
    let mut claimed: VecDeque<(Claim, CustomerClient)> = VecDeque::new();
    loop {
        let mut paced = None;
        while tasks.len() < concurrency {
            if claimed.is_empty() {
                match claim_some(outbox, connections, &offline, &pacers, concurrency).await? {
                    Next::Claimed(some) => claimed.extend(some),
                    Next::Paced(wait) => {
                        paced = Some(wait);
                        break;
                    }
                    Next::Nothing => break,
                }
            }
            let Some((claim, client)) = claimed.pop_front() else { break };
            pacers.take(&claim.record.profile, client.backend());
            let outbox = outbox.clone();
            tasks.spawn(async move { outbox.send(claim, &client).await });
        }
        progress.pacing(paced)?;
        if tasks.is_empty() {
            // Held back by a rate limit: look again within a second (another profile's record
            // may fall due meanwhile); otherwise sleep until the next record is due.
            let wait = match paced {
                Some(paced) => Some(paced.min(Duration::from_secs(1))),
                None => next_due(outbox, connections, &offline).await?.filter(|wait| *wait <= LONGEST_WAIT),
            };
            match wait {
                Some(wait) => tokio::time::sleep(wait).await,
                None => break,
            }
            continue;
        }
        let pause = tokio::time::sleep(paced.unwrap_or(LONGEST_WAIT));
        tokio::select! {
            Some(joined) = tasks.join_next() => {
                let report = joined.map_err(std::io::Error::other)?.map_err(std::io::Error::other)?;
                if let Some(connection) = connections.open.get(&report.profile) {
                    pacers.observe(&report.profile, connection.client.backend(), &report.exchanges);
                }
                if report.offline {
                    let probes = offline.entry(report.profile.clone()).or_insert(0);
                    *probes += 1;
                }
                progress.report(out, &report, &mut totals)?;
            }
            () = pause, if paced.is_some() => {}
        }
    }
    Ok(totals)
}

/// What a send loop can start next.
enum Next {
    /// Records claimed, with their profile's client.
    Claimed(Vec<(Claim, CustomerClient)>),
    /// Records may be due, but every profile with some waits for its rate limit this long.
    Paced(Duration),
    /// Nothing due now.
    Nothing,
}

/// Claims up to `count` due records of the first opened profile that has some, is not given
/// up as offline and whose rate limit lets creates start (no more than it lets start).
async fn claim_some(
    outbox: &Outbox,
    connections: &Connections,
    offline: &HashMap<String, u32>,
    pacers: &Pacers,
    count: usize,
) -> std::io::Result<Next> {
    let mut paced: Option<Duration> = None;
    for (name, connection) in &connections.open {
        if offline.get(name).is_some_and(|probes| *probes >= 3) {
            continue;
        }
        let backend = connection.client.backend();
        let room = usize::try_from(pacers.room(name, backend)).unwrap_or(usize::MAX).min(count);
        if room == 0 {
            let profile = name.clone();
            let due = outbox
                .with_store(move |store| store.next_due(Some(&profile)))
                .await
                .map_err(std::io::Error::other)?
                .is_some_and(|at| at <= now_millis());
            if due {
                let wait = pacers.wait(name, backend);
                paced = Some(paced.map_or(wait, |p| p.min(wait)));
            }
            continue;
        }
        let claims = outbox.claim_next_many(name.clone(), room).await.map_err(std::io::Error::other)?;
        if !claims.is_empty() {
            return Ok(Next::Claimed(claims.into_iter().map(|claim| (claim, connection.client.clone())).collect()));
        }
    }
    Ok(paced.map_or(Next::Nothing, Next::Paced))
}

/// How long until the next queued record of a usable profile is due.
async fn next_due(
    outbox: &Outbox,
    connections: &Connections,
    offline: &HashMap<String, u32>,
) -> std::io::Result<Option<Duration>> {
    let names: Vec<String> =
        connections.open.keys().filter(|name| offline.get(*name).is_none_or(|probes| *probes < 3)).cloned().collect();
    let due = outbox
        .with_store(move |store| {
            let mut earliest = None;
            for name in &names {
                if let Some(at) = store.next_due(Some(name))? {
                    earliest = Some(earliest.map_or(at, |e: i64| e.min(at)));
                }
            }
            Ok(earliest)
        })
        .await
        .map_err(std::io::Error::other)?;
    Ok(due.map(|at| Duration::from_millis(u64::try_from(at.saturating_sub(now_millis())).unwrap_or(0))))
}

/// How many records of the opened profiles are still queued after the run, and how many are
/// being sent by another process (a window, another `outbox send`): those are its to settle.
fn still_queued(paths: &IntakePaths, connections: &Connections) -> Result<(usize, usize), String> {
    let store = Store::open_in(paths).map_err(|e| e.to_string())?;
    let (mut queued, mut sending) = (0, 0);
    for name in connections.open.keys() {
        queued += store.count(RecordState::Queued, Some(name)).map_err(|e| e.to_string())?;
        sending += store.count(RecordState::Sending, Some(name)).map_err(|e| e.to_string())?;
    }
    Ok((queued, sending))
}

/// One line of `outbox send --json`.
#[derive(Debug, Serialize)]
struct SendLine<'a> {
    record: &'a str,
    profile: &'a str,
    state: RecordState,
    outcome: &'a str,
    message: &'a str,
    server_id: Option<&'a str>,
    status: Option<u16>,
}

/// The report lines and, on a terminal, a progress line on standard error: counts, rate,
/// time left, and a rate limit's wait.
struct Progress {
    json: bool,
    terminal: bool,
    /// Records to settle when the run began (queued, or left sending by a stopped process).
    total: usize,
    started: std::time::Instant,
    done: usize,
    sent: usize,
    failed: usize,
    paced: Option<Duration>,
    shown: bool,
}

impl Progress {
    fn new(json: bool, total: usize) -> Self {
        Self {
            json,
            terminal: std::io::stderr().is_terminal(),
            total,
            started: std::time::Instant::now(),
            done: 0,
            sent: 0,
            failed: 0,
            paced: None,
            shown: false,
        }
    }

    fn report(&mut self, out: &mut dyn Write, report: &AttemptReport, totals: &mut Totals) -> std::io::Result<()> {
        self.done += 1;
        match report.state {
            RecordState::Sent => totals.sent += 1,
            RecordState::Failed => totals.failed += 1,
            _ => {}
        }
        (self.sent, self.failed) = (totals.sent, totals.failed);
        if self.json {
            let line = SendLine {
                record: report.record.as_str(),
                profile: &report.profile,
                state: report.state,
                outcome: &report.outcome,
                message: &report.message,
                server_id: report.server_id.as_deref(),
                status: report.status,
            };
            return write_json_line(out, &line);
        }
        writeln!(out, "{} ({}): {} {}", report.record, report.profile, report.state, report.message)?;
        self.show()?;
        out.flush()
    }

    /// Notes that every due profile waits for its rate limit (or no longer does).
    fn pacing(&mut self, paced: Option<Duration>) -> std::io::Result<()> {
        let changed = self.paced.map(|d| d.as_secs()) != paced.map(|d| d.as_secs());
        self.paced = paced;
        if changed && !self.json { self.show() } else { Ok(()) }
    }

    fn show(&mut self) -> std::io::Result<()> {
        if !self.terminal {
            return Ok(());
        }
        let line = progress_line(
            self.done,
            self.total.max(self.done),
            self.sent,
            self.failed,
            self.started.elapsed(),
            self.paced,
        );
        let mut err = std::io::stderr();
        write!(err, "\r{line}\x1b[K")?;
        err.flush()?;
        self.shown = true;
        Ok(())
    }

    fn finish(&self, err: &mut dyn Write) -> std::io::Result<()> {
        if self.shown {
            writeln!(err)?;
        }
        Ok(())
    }
}

/// `37/300 done · 35 sent, 2 failed · 1.6/s · about 2 min 44 s left · rate limit: next in 12 s`.
fn progress_line(
    done: usize,
    total: usize,
    sent: usize,
    failed: usize,
    elapsed: Duration,
    paced: Option<Duration>,
) -> String {
    use std::fmt::Write as _;
    let mut line = format!("{done}/{total} done · {sent} sent, {failed} failed");
    let seconds = elapsed.as_secs_f64();
    if done > 0 && seconds > 0.0 {
        #[expect(clippy::cast_precision_loss, reason = "a rate shown to one decimal")]
        let rate = done as f64 / seconds;
        if rate >= 1.0 {
            write!(line, " · {rate:.1}/s").ok();
        } else {
            write!(line, " · {:.1}/min", rate * 60.0).ok();
        }
        #[expect(clippy::cast_precision_loss, reason = "an estimate")]
        let left = total.saturating_sub(done) as f64 / rate;
        if total > done && left.is_finite() {
            write!(line, " · about {} left", duration_words(Duration::from_secs_f64(left.min(1e7)))).ok();
        }
    }
    if let Some(wait) = paced.filter(|w| !w.is_zero()) {
        write!(line, " · rate limit: next in {}", duration_words(wait)).ok();
    }
    line
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
