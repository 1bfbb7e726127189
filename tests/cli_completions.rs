//! `intake --version`, `intake --help` and `intake completions SHELL`, run as the real binary.

use std::process::{Command, Output};

fn intake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("the intake binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The subcommands `intake --help` lists, each on one line with its summary.
const SUBCOMMANDS: [&str; 11] = [
    "validate",
    "submit",
    "outbox",
    "import",
    "batch",
    "drafts",
    "profile",
    "properties",
    "sandbox",
    "credentials",
    "completions",
];

#[test]
fn version_is_the_crate_version() {
    let output = intake(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), format!("intake {}\n", env!("CARGO_PKG_VERSION")));
    assert_eq!(stdout(&output), "intake 0.1.0\n");
}

#[test]
fn help_lists_every_subcommand_with_a_one_line_summary() {
    let output = intake(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    let commands: Vec<&str> =
        text.lines().skip_while(|line| *line != "Commands:").skip(1).take_while(|line| !line.is_empty()).collect();
    for name in SUBCOMMANDS {
        let line = commands
            .iter()
            .find(|line| line.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} is not listed:\n{text}"));
        let summary = line.trim_start()[name.len()..].trim();
        assert!(!summary.is_empty(), "{name} has no summary:\n{text}");
    }
}

#[test]
fn bash_completions_know_the_subcommands() {
    let output = intake(&["completions", "bash"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let script = stdout(&output);
    assert!(script.contains("_intake"), "{script}");
    for name in SUBCOMMANDS {
        assert!(script.contains(name), "{name} missing from the bash completions");
    }
    assert!(script.contains("complete -F _intake"), "the function is registered for intake");
}

#[test]
fn zsh_and_fish_completions_are_generated() {
    let zsh = intake(&["completions", "zsh"]);
    assert_eq!(zsh.status.code(), Some(0), "{zsh:?}");
    assert!(stdout(&zsh).starts_with("#compdef intake"), "{}", stdout(&zsh));
    let fish = intake(&["completions", "fish"]);
    assert_eq!(fish.status.code(), Some(0), "{fish:?}");
    assert!(stdout(&fish).contains("complete -c intake"), "{}", stdout(&fish));
    assert!(stdout(&fish).contains("outbox"));
    assert!(stdout(&fish).contains("__fish_intake_using_subcommand properties"), "properties refresh|list");
    assert!(stdout(&fish).contains("-a \"refresh\""), "{}", stdout(&fish));
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let output = intake(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid value 'tcsh'"), "{output:?}");
}
