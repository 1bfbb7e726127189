//! The `intake` binary: the GUI with no arguments, or a subcommand (`intake --help`).

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser as _;
use intake::cli::completions::run_completions;
use intake::cli::credentials::run_credentials;
use intake::cli::drafts::run_drafts;
use intake::cli::import::{run_batch, run_import};
use intake::cli::outbox::run_outbox;
use intake::cli::profile::run_profile;
use intake::cli::properties::run_properties;
use intake::cli::sandbox::run_sandbox;
use intake::cli::submit::run_submit;
use intake::cli::validate::{EXIT_USAGE_OR_IO, run_validate};
use intake::cli::{Cli, Command};
use intake::ui::AppOptions;

fn main() -> ExitCode {
    let process_start = Instant::now();
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        None => run_gui(process_start, cli.draft),
        Some(Command::Validate(args)) => run_command(|out, err| run_validate(&args, out, err)),
        Some(Command::Submit(args)) => run_command(|out, err| run_submit(&args, out, err)),
        Some(Command::Profile { command }) => run_command(|out, err| run_profile(&command, out, err)),
        Some(Command::Sandbox(args)) => run_command(|out, err| run_sandbox(&args, out, err)),
        Some(Command::Credentials { command }) => run_command(|out, err| run_credentials(&command, out, err)),
        Some(Command::Properties { command }) => run_command(|out, err| run_properties(&command, out, err)),
        Some(Command::Outbox { command }) => run_command(|out, err| run_outbox(&command, out, err)),
        Some(Command::Drafts { command }) => run_command(|out, err| run_drafts(&command, out, err)),
        Some(Command::Import(args)) => run_command(|out, err| run_import(&args, out, err)),
        Some(Command::Batch { command }) => run_command(|out, err| run_batch(&command, out, err)),
        Some(Command::Completions(args)) => run_command(|out, _| run_completions(&args, out)),
    }
}

/// Runs a subcommand with standard output and error; a failure to write (stdout closed, e.g.
/// piped into `head`) is reported and counts as an I/O error.
fn run_command(
    command: impl FnOnce(&mut dyn std::io::Write, &mut dyn std::io::Write) -> std::io::Result<u8>,
) -> ExitCode {
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    match command(&mut out, &mut err) {
        Ok(code) => ExitCode::from(code),
        Err(io_error) => {
            writeln!(err, "intake: cannot write the report: {io_error}").ok();
            ExitCode::from(EXIT_USAGE_OR_IO)
        }
    }
}

fn run_gui(process_start: Instant, open_draft: Option<std::path::PathBuf>) -> ExitCode {
    let options = AppOptions {
        open_draft,
        bench_report: std::env::var_os("INTAKE_BENCH_REPORT").map(Into::into),
        process_start: Some(process_start),
        paths: match intake::paths::IntakePaths::from_env() {
            Ok(paths) => Some(paths),
            Err(error) => {
                tracing::warn!("{error}; profiles are not saved this session");
                None
            }
        },
        vault: Some(intake::credentials::Vault::system()),
        store_path: None,
    };
    match intake::ui::run_native(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let err = anyhow::anyhow!("{err}").context("could not open the Intake window");
            tracing::error!("{err:#}");
            writeln!(std::io::stderr(), "intake: {err:#}").ok();
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,winit=error,intake=info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
