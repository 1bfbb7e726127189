//! The command line of the `intake` binary. With no subcommand the GUI opens.

pub mod completions;
mod connection;
pub mod credentials;
pub mod drafts;
pub mod import;
pub mod outbox;
pub mod profile;
pub mod properties;
pub mod sandbox;
mod secret_input;
pub mod submit;
pub mod validate;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::Backend;
use crate::store::RecordState;

/// Enter customers into customer APIs (Finosu, Help Scout). Without a command, opens the window.
#[derive(Debug, Parser)]
#[command(name = "intake", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; none opens the GUI.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A draft file (JSON request body) to open in the window.
    #[arg(value_name = "DRAFT")]
    pub draft: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check draft files against a backend's rules (or a profile's backend and account) without
    /// sending anything.
    ///
    /// Exit status: 0 when every file is valid (warnings allowed), 1 when any file has an
    /// error, 2 for usage errors or files that cannot be read or are not JSON.
    Validate(ValidateArgs),
    /// Validate draft files and send the valid ones to a profile's API, through the outbox.
    ///
    /// A file already sent to the profile is not sent again unless --again is given. Exit
    /// status: 0 when every file was created (or had been), 1 when any was invalid (not sent),
    /// refused or failed, 2 for usage errors, unknown profiles or files that cannot be read.
    Submit(SubmitArgs),
    /// Queue customers, send the queue, list it: the same store and outbox as the window.
    Outbox {
        /// What to do with the outbox.
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Import a CSV or JSON file of customers for a profile: every row becomes a record of one
    /// batch, validated; the valid ones are queued with --queue.
    ///
    /// CSV: a header row, comma or semicolon, UTF-8 (a BOM is fine). Columns named like a field
    /// (`firstName`, `emails.0.value`, `address.city`, `properties.shoeSize`) map by themselves;
    /// others need --mapping FILE (write one with --print-mapping) or --accept-suggestions. JSON:
    /// an array of request bodies, or one body per line. Exit status: 0 when every row is
    /// valid, 1 when any has errors or repeats an earlier row, 2 when the file cannot be
    /// imported (nothing is then changed) or for usage errors.
    Import(ImportArgs),
    /// Batches of imported rows: list them, queue a batch's valid rows, report on one.
    Batch {
        /// What to do with batches.
        #[command(subcommand)]
        command: BatchCommand,
    },
    /// Export the stored customers (drafts, queue and history; customer data only).
    Drafts {
        /// What to do with the drafts.
        #[command(subcommand)]
        command: DraftsCommand,
    },
    /// List, add or remove profiles (no secrets are stored by these commands).
    Profile {
        /// What to do with profiles.
        #[command(subcommand)]
        command: ProfileCommand,
    },
    /// A Help Scout profile's custom property definitions: fetch them into the profile, list them.
    Properties {
        /// What to do with the definitions.
        #[command(subcommand)]
        command: PropertiesCommand,
    },
    /// Serve the built-in sandbox (emulated Finosu and Help Scout APIs) on 127.0.0.1 until
    /// stopped, printing its base URLs and credentials.
    Sandbox(SandboxArgs),
    /// Store, clear or test a profile's secrets (kept only in the OS keyring).
    Credentials {
        /// What to do with the secrets.
        #[command(subcommand)]
        command: CredentialsCommand,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) to standard output.
    ///
    /// bash: `intake completions bash > ~/.local/share/bash-completion/completions/intake`; zsh:
    /// save it as `_intake` in a folder of `$fpath`; fish: `intake completions fish >
    /// ~/.config/fish/completions/intake.fish`. The .deb installs all three.
    Completions(completions::CompletionsArgs),
}

/// `intake credentials …`. Secrets are read from standard input (no echo on a terminal), never
/// from arguments.
#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Store a profile's secret in the OS keyring, read from standard input.
    ///
    /// Finosu: the API key. Help Scout: `--client-id ID` with the client secret on standard
    /// input, or `--access-token` and/or `--refresh-token` (one line each, access token first).
    Set {
        /// The profile.
        #[arg(long, value_name = "NAME")]
        profile: String,
        /// Help Scout: the OAuth app's client id (not secret); its client secret is read.
        #[arg(long, value_name = "ID", conflicts_with_all = ["access_token", "refresh_token"])]
        client_id: Option<String>,
        /// Help Scout: read an access token.
        #[arg(long)]
        access_token: bool,
        /// Help Scout: read a refresh token (after the access token when both are given).
        #[arg(long)]
        refresh_token: bool,
    },
    /// Remove every secret of a profile from the keyring.
    Clear {
        /// The profile.
        #[arg(long, value_name = "NAME")]
        profile: String,
    },
    /// Test a profile's credentials with one harmless read and print a verdict.
    ///
    /// Exit status: 0 only when the credentials work, 1 for any other verdict, 2 for usage
    /// errors, unknown profiles or a keyring that cannot be read.
    Check {
        /// The profile.
        #[arg(long, value_name = "NAME")]
        profile: String,
        /// Test a secret read from standard input instead of the keyring's (not stored).
        #[arg(long)]
        secret_stdin: bool,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `intake properties …`.
#[derive(Debug, Subcommand)]
pub enum PropertiesCommand {
    /// Fetch the account's custom property definitions with the profile's credentials and cache
    /// them on the profile (validation then treats any other slug as an error).
    ///
    /// Exit status: 0 when fetched and saved, 1 when they could not be fetched (offline,
    /// credentials refused or missing), 2 for usage errors, unknown or Finosu profiles.
    Refresh {
        /// The Help Scout profile.
        #[arg(long, value_name = "NAME")]
        profile: String,
    },
    /// List the definitions cached on the profile: slug, name, type and a dropdown's options.
    /// Works offline.
    ///
    /// Exit status: 0 when definitions are cached (even none), 1 when they were never fetched,
    /// 2 for usage errors, unknown or Finosu profiles.
    List {
        /// The Help Scout profile.
        #[arg(long, value_name = "NAME")]
        profile: String,
        /// One JSON object per definition per line.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `intake submit`.
#[derive(Debug, Args)]
#[expect(clippy::struct_excessive_bools, reason = "the independent flags of `intake submit`, as clap parses them")]
pub struct SubmitArgs {
    /// The profile to send to (`intake profile list`); `sandbox-finosu` and `sandbox-helpscout`
    /// name the built-in sandbox, started for the run.
    #[arg(long, value_name = "NAME")]
    pub profile: String,
    /// Read the profile's secret (Finosu API key, Help Scout access token) from standard input;
    /// never give a secret as an argument.
    #[arg(long)]
    pub secret_stdin: bool,
    /// One JSON object per file per line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Send even a file already sent to this profile (a new customer record each time).
    #[arg(long)]
    pub again: bool,
    /// Create the customer even when the server already has one with the same email (Help
    /// Scout) or id (Finosu). Without it such a file is not sent: outcome `duplicate`, exit 1.
    #[arg(long)]
    pub allow_duplicate: bool,
    /// Draft files: JSON request bodies.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `intake outbox …`.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Validate draft files and queue the valid ones for a profile (invalid ones are not queued).
    ///
    /// Exit status: 0 when every file was queued, 1 when any was invalid, 2 for usage errors,
    /// unknown profiles or files that cannot be read.
    Add {
        /// The profile they go to.
        #[arg(long, value_name = "NAME")]
        profile: String,
        /// One JSON object per file per line instead of text.
        #[arg(long)]
        json: bool,
        /// Draft files: JSON request bodies.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Send every queued record (of one profile, when given), after settling attempts that a
    /// stopped process left unfinished.
    ///
    /// Exit status: 0 when every record it handled was sent and none is left queued, 1 when any
    /// failed or is still queued (offline, rate limited past the wait), 2 for usage errors.
    Send(OutboxSendArgs),
    /// List the records (newest change first).
    List {
        /// Only records in this state: draft, ready, queued, sending, sent, failed.
        #[arg(long, value_name = "STATE")]
        state: Option<RecordState>,
        /// Only records of this profile.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// One JSON object per record per line.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `intake outbox send`.
#[derive(Debug, Args)]
pub struct OutboxSendArgs {
    /// Only this profile's records.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Read the profile's secret from standard input (needs --profile); never as an argument.
    #[arg(long, requires = "profile")]
    pub secret_stdin: bool,
    /// One JSON object per record per line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Records sent at the same time.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
}

/// Arguments of `intake import`.
#[derive(Debug, Args)]
#[expect(clippy::struct_excessive_bools, reason = "independent command-line flags")]
pub struct ImportArgs {
    /// The profile the customers are for: its API decides the fields and rules.
    #[arg(long, value_name = "NAME")]
    pub profile: String,
    /// Queue the valid rows at once (send them with `intake outbox send`).
    #[arg(long)]
    pub queue: bool,
    /// A mapping file: which column goes to which field; it is remembered for the profile and
    /// these columns.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Print the mapping that would be used (a mapping file to edit) and import nothing.
    #[arg(long, conflicts_with = "queue")]
    pub print_mapping: bool,
    /// Import even when some columns were only guessed, taking the guesses.
    #[arg(long)]
    pub accept_suggestions: bool,
    /// Import the rows that can be read when some cannot (a row with more or fewer cells than
    /// the header, a broken JSON line): those are listed and left out.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// One JSON object per line: each row with issues, then the summary.
    #[arg(long)]
    pub json: bool,
    /// The CSV or JSON file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `intake batch …`.
#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// List the batches, newest first, with how far each has come.
    List {
        /// One JSON object per batch per line.
        #[arg(long)]
        json: bool,
    },
    /// Queue a batch's valid rows that are not queued yet.
    Queue {
        /// The batch's id.
        #[arg(value_name = "BATCH")]
        batch: String,
    },
    /// Show what became of each row: sent, failed, pending or not queued, with why.
    ///
    /// Exit status: 0 when every row was sent, 1 otherwise.
    Report {
        /// The batch's id.
        #[arg(value_name = "BATCH")]
        batch: String,
        /// Write the report as CSV to FILE (`-` for standard output) instead.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
}

/// `intake drafts …`.
#[derive(Debug, Subcommand)]
pub enum DraftsCommand {
    /// Write the stored customers to a CSV or JSON file (customer data only, never a secret).
    Export {
        /// csv or json.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Only records in this state.
        #[arg(long, value_name = "STATE")]
        state: Option<RecordState>,
        /// Only records of this profile.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// The file to write.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// The formats of `intake drafts export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One row per record; the body as typed in a JSON column.
    Csv,
    /// One array of records, each with its body as typed.
    Json,
}

/// `intake profile …`.
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Show every profile.
    List {
        /// One JSON object per profile per line.
        #[arg(long)]
        json: bool,
    },
    /// Add a profile for a real account.
    Add {
        /// A unique name.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Which API.
        #[arg(long, value_enum)]
        backend: Backend,
        /// `https://…` (plain `http://` only for localhost).
        #[arg(long, value_name = "URL")]
        base_url: String,
        /// Seconds allowed to connect.
        #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=300))]
        connect_timeout: u64,
        /// Seconds allowed for a whole request.
        #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
        /// A live account: the window marks it and asks before the first send of a session.
        #[arg(long)]
        production: bool,
    },
    /// Remove a profile and its secrets in the keyring.
    Remove {
        /// The profile's name.
        #[arg(value_name = "NAME")]
        name: String,
    },
}

/// Arguments of `intake sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Requests per minute per API before 429 (writes count double); 0 turns limiting off.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub rate_limit: u32,
    /// Delay added before every answer.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of API requests answered with 503, from 0 to 1.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_share)]
    pub fail_rate: f64,
    /// Share of API requests whose connection is dropped without an answer, from 0 to 1.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_share)]
    pub drop_rate: f64,
    /// Lifetime of the Help Scout access tokens it hands out, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 172_800, value_parser = clap::value_parser!(u64).range(1..))]
    pub token_lifetime: u64,
    /// Open connections at most; at the cap the oldest idle one is closed for a new one.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub max_connections: u64,
    /// Serve Finosu without `GET /customers/{id}` (404 with and without the key), as a Finosu
    /// that has only its documented `POST /customers`.
    #[arg(long)]
    pub finosu_without_read_route: bool,
    /// Print the base URLs and credentials as one JSON line first.
    #[arg(long)]
    pub json: bool,
}

/// Says `intake: MESSAGE` on standard error; the exit code of a usage or I/O problem.
pub(crate) fn usage_error(err: &mut dyn std::io::Write, message: &str) -> std::io::Result<u8> {
    writeln!(err, "intake: {message}")?;
    Ok(validate::EXIT_USAGE_OR_IO)
}

/// The store of `INTAKE_HOME` or the OS data folder, or why it cannot be opened.
pub(crate) fn open_store() -> Result<crate::store::Store, String> {
    let paths = crate::paths::IntakePaths::from_env().map_err(|e| e.to_string())?;
    crate::store::Store::open_in(&paths).map_err(|e| e.to_string())
}

/// The profiles of `INTAKE_HOME` or the OS config folder, or why they cannot be read.
pub(crate) fn load_profile_store() -> Result<crate::profiles::ProfileStore, String> {
    let paths = crate::paths::IntakePaths::from_env().map_err(|e| e.to_string())?;
    crate::profiles::ProfileStore::load(&paths).map_err(|e| e.to_string())
}

fn parse_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a number from 0 to 1")),
    }
}

/// Arguments of `intake validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The backend whose rules apply (no account: Help Scout property slugs are not checked).
    #[arg(long, value_enum, required_unless_present = "profile", conflicts_with = "profile")]
    pub backend: Option<Backend>,
    /// Validate for this profile: its backend's rules and its account's property definitions
    /// (cached; fetched first when none are cached and the server answers).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// One JSON object per file per line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Draft files: JSON request bodies.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}
