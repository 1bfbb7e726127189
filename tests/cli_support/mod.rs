//! Running the real `intake` binary with a private `INTAKE_HOME`, and a foreground
//! `intake sandbox` the commands can be aimed at.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// A private `INTAKE_HOME` for one test.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `intake ARGS` with this home, nothing on standard input.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, None)
    }

    /// Runs `intake ARGS` with this home, writing `stdin` to its standard input.
    pub fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
        command.args(args).env("INTAKE_HOME", self.path());
        run_command(command, stdin)
    }

    /// Writes `body` as a draft file in this home and returns its path.
    pub fn draft(&self, name: &str, body: &Value) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, serde_json::to_string_pretty(body).expect("json")).expect("write draft");
        path
    }

    /// Every byte of every file under this home, for leak checks.
    pub fn all_file_bytes(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    out.push((path, bytes));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.path(), &mut out);
        out
    }
}

/// Runs `command` (debug logging on), writing `stdin` to its standard input.
pub fn run_command(mut command: Command, stdin: Option<&str>) -> Output {
    let mut child = command
        .env("RUST_LOG", "intake=debug")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the intake binary runs");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    child.wait_with_output().expect("intake finishes")
}

/// Text of standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Text of standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The exit code.
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

/// Each line of standard output parsed as JSON.
pub fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

/// An example draft from `examples/`.
pub fn example(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("examples/{name}")).expect("example")).expect("json")
}

/// `intake sandbox --port 0 --json …` in the foreground, killed on drop.
pub struct ForegroundSandbox {
    child: Child,
    /// The JSON line it printed first.
    pub info: Value,
}

impl ForegroundSandbox {
    pub fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_intake"))
            .args(["sandbox", "--port", "0", "--json"])
            .args(extra)
            .env("RUST_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sandbox starts");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().expect("stdout")).read_line(&mut line).expect("first line");
        let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"));
        Self { child, info }
    }

    pub fn finosu_url(&self) -> &str {
        self.info["finosu"]["base_url"].as_str().expect("finosu base_url")
    }

    pub fn helpscout_url(&self) -> &str {
        self.info["helpscout"]["base_url"].as_str().expect("helpscout base_url")
    }

    pub fn finosu_key(&self) -> &str {
        self.info["finosu"]["api_key"].as_str().expect("api_key")
    }
}

impl Drop for ForegroundSandbox {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
