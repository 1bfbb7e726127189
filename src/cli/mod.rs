//! The command line of the `intake` binary. With no subcommand the GUI opens.

pub mod validate;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::Backend;

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
    /// Check draft files against a backend's rules without sending anything.
    ///
    /// Exit status: 0 when every file is valid (warnings allowed), 1 when any file has an
    /// error, 2 for usage errors or files that cannot be read or are not JSON.
    Validate(ValidateArgs),
}

/// Arguments of `intake validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The backend whose rules apply.
    #[arg(long, value_enum)]
    pub backend: Backend,
    /// One JSON object per file per line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Draft files: JSON request bodies.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}
