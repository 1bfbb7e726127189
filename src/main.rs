//! The `intake` binary: the GUI with no arguments, or a subcommand (`intake --help`).

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser as _;
use intake::cli::validate::{EXIT_USAGE_OR_IO, run_validate};
use intake::cli::{Cli, Command};
use intake::ui::AppOptions;

fn main() -> ExitCode {
    let process_start = Instant::now();
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        None => run_gui(process_start, cli.draft),
        Some(Command::Validate(args)) => {
            let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
            match run_validate(&args, &mut out, &mut err) {
                Ok(code) => ExitCode::from(code),
                Err(io_error) => {
                    // stdout closed (e.g. piped into `head`); report and fail as an I/O error.
                    writeln!(err, "intake: cannot write the report: {io_error}").ok();
                    ExitCode::from(EXIT_USAGE_OR_IO)
                }
            }
        }
    }
}

fn run_gui(process_start: Instant, open_draft: Option<std::path::PathBuf>) -> ExitCode {
    let options = AppOptions {
        open_draft,
        bench_report: std::env::var_os("INTAKE_BENCH_REPORT").map(Into::into),
        process_start: Some(process_start),
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
