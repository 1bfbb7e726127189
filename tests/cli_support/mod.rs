//! Running the real `intake` binary with a private `INTAKE_HOME`, and a foreground
//! `intake sandbox` the commands can be aimed at.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use intake::store::{ListFilter, RecordState, STORE_FILE, Store};
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

/// A real profile `name` of `backend` at `base_url` with `--timeout 2` (reconciliation looks a
/// customer up once the profile's total timeout has passed), its secret in the keyring.
pub fn real_profile(home: &Home, sandbox: &ForegroundSandbox, name: &str, backend: &str, base_url: &str) {
    let add =
        home.run(&["profile", "add", "--name", name, "--backend", backend, "--base-url", base_url, "--timeout", "2"]);
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let set = if backend == "finosu" {
        home.run_with_stdin(&["credentials", "set", "--profile", name], Some(&format!("{}\n", sandbox.finosu_key())))
    } else {
        let id = sandbox.info["helpscout"]["client_id"].as_str().expect("client id").to_owned();
        let secret = sandbox.info["helpscout"]["client_secret"].as_str().expect("client secret").to_owned();
        home.run_with_stdin(
            &["credentials", "set", "--profile", name, "--client-id", &id],
            Some(&format!("{secret}\n")),
        )
    };
    assert_eq!(code(&set), 0, "{}", stderr(&set));
}

pub fn store(home: &Home) -> Store {
    Store::open(&home.path().join("data").join(STORE_FILE)).expect("the store opens")
}

/// How many Help Scout customers the sandbox holds, through its API (a token from its OAuth app).
pub fn help_scout_total(sandbox: &ForegroundSandbox) -> u64 {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build().expect("client");
        let base = sandbox.helpscout_url();
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            sandbox.info["helpscout"]["client_id"].as_str().expect("id"),
            sandbox.info["helpscout"]["client_secret"].as_str().expect("secret")
        );
        let token = client
            .post(format!("{base}/v2/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .expect("token");
        let token: Value = token.json().await.expect("token json");
        let bearer = format!("Bearer {}", token["access_token"].as_str().expect("access token"));
        let list =
            client.get(format!("{base}/v2/customers")).header("Authorization", &bearer).send().await.expect("list");
        let list: Value = list.json().await.expect("list json");
        list["page"]["totalElements"].as_u64().expect("a total")
    })
}

/// Every record sent, each by its own create or by a lookup (never refused as a duplicate),
/// each with its own server id; and the sandbox holds exactly `count` customers.
pub fn assert_each_sent_once(home: &Home, sandbox: &ForegroundSandbox, count: usize) {
    let records = store(home).records(&ListFilter::default()).expect("the records");
    assert_eq!(records.len(), count);
    let mut ids = std::collections::BTreeSet::new();
    for record in &records {
        assert_eq!(record.state, RecordState::Sent, "{record:?}");
        let outcome = record.outcome.as_deref().unwrap_or_default();
        assert!(matches!(outcome, "created" | "reconciled"), "sent by {outcome}: {record:?}");
        assert!(ids.insert(record.server_id.clone().expect("a server id")), "two records, one customer");
    }
    assert_eq!(help_scout_total(sandbox), count as u64, "every customer exists exactly once");
}

/// Starts `intake outbox send` in `home`, waits until at least `sent` records are sent (at most
/// 30 s), kills it with SIGKILL and checks the kill came mid-batch of `total`, with attempts
/// left unfinished (to be reconciled by the next sender).
pub fn kill_sender_mid_batch(home: &Home, sent: usize, total: usize) {
    let mut sender = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["outbox", "send", "--json"])
        .env("INTAKE_HOME", home.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("outbox send starts");
    let started = std::time::Instant::now();
    while store(home).count(RecordState::Sent, None).expect("count") < sent
        && started.elapsed() < std::time::Duration::from_secs(30)
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    sender.kill().expect("kill -9");
    sender.wait().ok();
    let store_now = store(home);
    let sent = store_now.count(RecordState::Sent, None).expect("count");
    assert!(sent < total, "the kill came mid-batch ({sent} sent)");
    assert!(store_now.count(RecordState::Sending, None).expect("count") > 0, "the kill left attempts unfinished");
}
