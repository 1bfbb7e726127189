//! `intake validate`: validation of draft files for scripts and CI.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{ValidateArgs, load_profile_store, usage_error};
use crate::draft_file::read_draft_file;
use crate::model::{Backend, PropertyDefinition};
use crate::profiles::ProfileError;
use crate::validation::{Issue, Severity, has_errors, validate_for_account};

/// Every file valid.
pub const EXIT_VALID: u8 = 0;
/// At least one file has an error.
pub const EXIT_INVALID: u8 = 1;
/// Usage error, or a file that cannot be read or is not JSON.
pub const EXIT_USAGE_OR_IO: u8 = 2;

/// What a run over files met, for its exit code.
#[derive(Debug, Default, Clone, Copy)]
pub struct FileTally {
    /// A file could not be read or was not JSON.
    pub unreadable: bool,
    /// A file was invalid, or was not sent.
    pub failed: bool,
}

impl FileTally {
    /// A file that could not be read outranks one that failed.
    pub fn exit_code(self) -> u8 {
        if self.unreadable {
            EXIT_USAGE_OR_IO
        } else if self.failed {
            EXIT_INVALID
        } else {
            EXIT_VALID
        }
    }
}

/// Writes `value` as one JSON line and flushes it, so a script reading the output sees each
/// file's line as soon as that file is done.
pub fn write_json_line(out: &mut dyn Write, value: &impl Serialize) -> std::io::Result<()> {
    writeln!(out, "{}", serde_json::to_string(value).map_err(std::io::Error::other)?)?;
    out.flush()
}

/// One line of `--json` output.
#[derive(Debug, Serialize)]
struct FileReport<'a> {
    file: String,
    valid: bool,
    issues: &'a [Issue],
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// What decides the verdict: a backend's rules, and the account's property definitions when
/// known.
struct Rules {
    backend: Backend,
    definitions: Option<Vec<PropertyDefinition>>,
}

/// The rules of `--backend`, or of `--profile`'s backend and account: its cached definitions,
/// fetched (and cached) first when there are none and the server answers. Otherwise says once
/// on `err` that properties are checked without them; `Err` carries an exit code.
fn rules_for_args(args: &ValidateArgs, err: &mut dyn Write) -> std::io::Result<Result<Rules, u8>> {
    let Some(name) = &args.profile else {
        let Some(backend) = args.backend else {
            return usage_error(err, "say which rules apply: --profile NAME or --backend BACKEND").map(Err);
        };
        return Ok(Ok(Rules { backend, definitions: None }));
    };
    let mut store = match load_profile_store() {
        Ok(store) => store,
        Err(message) => return usage_error(err, &message).map(Err),
    };
    let Some(profile) = store.find(name).cloned() else {
        return usage_error(err, &ProfileError::NotFound(name.clone()).to_string()).map(Err);
    };
    let backend = profile.backend();
    if backend != Backend::HelpScout {
        return Ok(Ok(Rules { backend, definitions: None }));
    }
    if let Some(cached) = profile.known_property_definitions() {
        return Ok(Ok(Rules { backend, definitions: Some(cached.to_vec()) }));
    }
    let definitions = match super::properties::fetch_and_cache(&mut store, &profile) {
        Ok(definitions) => {
            writeln!(err, "intake: {}", super::properties::fetched_line(definitions.len(), &profile.name))?;
            Some(definitions)
        }
        Err(message) => {
            writeln!(
                err,
                "intake: {message}; custom properties are checked without the account's definitions (warnings). \
                 Fetch them with `intake properties refresh --profile {:?}`.",
                profile.name
            )?;
            None
        }
    };
    Ok(Ok(Rules { backend, definitions }))
}

/// Runs the command, writing reports to `out` and read errors to `err`; returns the exit code.
pub fn run_validate(args: &ValidateArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let rules = match rules_for_args(args, err)? {
        Ok(rules) => rules,
        Err(code) => return Ok(code),
    };
    let mut tally = FileTally::default();
    for path in &args.files {
        let file = path.display().to_string();
        match read_draft_file(path) {
            Err(read_error) => {
                tally.unreadable = true;
                writeln!(err, "{file}: {read_error}")?;
                if args.json {
                    let report = FileReport { file, valid: false, issues: &[], error: Some(read_error.to_string()) };
                    write_json_line(out, &report)?;
                }
            }
            Ok(body) => {
                let issues = validate_for_account(rules.backend, &body, rules.definitions.as_deref());
                let valid = !has_errors(&issues);
                tally.failed |= !valid;
                if args.json {
                    let report = FileReport { file, valid, issues: &issues, error: None };
                    write_json_line(out, &report)?;
                } else {
                    write_human(out, path, &issues)?;
                }
            }
        }
    }
    Ok(tally.exit_code())
}

fn write_human(out: &mut dyn Write, path: &Path, issues: &[Issue]) -> std::io::Result<()> {
    let errors = issues.iter().filter(|i| i.severity == Severity::Error).count();
    let warnings = issues.len() - errors;
    let verdict = match (errors, warnings) {
        (0, 0) => "valid".to_owned(),
        (0, w) => format!("valid, {w} {}", plural(w, "warning")),
        (e, 0) => format!("invalid, {e} {}", plural(e, "error")),
        (e, w) => format!("invalid, {e} {}, {w} {}", plural(e, "error"), plural(w, "warning")),
    };
    writeln!(out, "{}: {verdict}", path.display())?;
    write_issue_lines(out, issues)
}

/// One indented line per issue: `  error   /email: …`.
pub(crate) fn write_issue_lines(out: &mut dyn Write, issues: &[Issue]) -> std::io::Result<()> {
    for issue in issues {
        let severity = match issue.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = if issue.path.is_empty() { "(body)" } else { issue.path.as_str() };
        writeln!(out, "  {severity:<7} {path}: {}", issue.message)?;
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { word.to_owned() } else { format!("{word}s") }
}
