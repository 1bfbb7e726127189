//! Benchmark: what one submit costs on Intake's side, beside `curl` sending the same body to
//! the same server in the same run.
//!
//! `cargo bench --bench submit` starts `intake sandbox --rate-limit 0` as its own process and
//! sends Finosu creates to it, interleaved, three ways, each on a new connection:
//! - `curl`, one process per request (`curl -s -o /dev/null -X POST … --data-binary @file`);
//! - the library client (`FinosuClient::create_customer`, a new client and connection each
//!   time, so nothing is reused): the client's own overhead per submit, which is what the
//!   target judges (≤ 1.5 × curl at p50);
//! - `intake submit --profile … --secret-stdin FILE`, one process per request. Shown as
//!   information: besides sending, it reads and validates the file (the first phone check of
//!   a process loads the US phone metadata, a few milliseconds), opens the store and records
//!   the customer in it.
//!
//! Each is timed from spawn (or call) to exit (or return). Under `cargo test` it sends a few
//! requests only. Lines `RESULT|name|shown|judged value|unit|budget` are for `scripts/bench.sh`.

#![expect(clippy::print_stdout, reason = "a benchmark prints its figures")]

mod support;

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use intake::backends::{Endpoint, FinosuClient, Secret};
use intake::model::Backend;
use intake::normalize::normalize_for_sending;
use serde_json::Value;
use support::{is_bench_run, summarize, verdict};

/// Budget for the library client's p50 ÷ `curl`'s p50.
const RATIO_BUDGET: f64 = 1.5;

struct Sandbox(Child);

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

#[expect(clippy::too_many_lines, reason = "one benchmark script: set-up, three interleaved measurements, the report")]
fn main() -> Result<(), String> {
    let bench = is_bench_run();
    let rounds = if bench { 150 } else { 3 };
    let intake = env!("CARGO_BIN_EXE_intake");
    let curl = which("curl").ok_or("curl is not installed (scripts/setup.sh installs it)")?;

    let mut child = Command::new(intake)
        .args(["sandbox", "--port", "0", "--json", "--rate-limit", "0"])
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().ok_or("no stdout")?)
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the sandbox's first line: {e}"))?;
    let _sandbox = Sandbox(child);
    let info: Value = serde_json::from_str(&line).map_err(|e| format!("sandbox line is not JSON ({e}): {line}"))?;
    let base = info["finosu"]["base_url"].as_str().ok_or("no finosu base_url")?.to_owned();
    let key = info["finosu"]["api_key"].as_str().ok_or("no api_key")?.to_owned();

    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let add = Command::new(intake)
        .args(["profile", "add", "--name", "bench", "--backend", "finosu", "--base-url", &base])
        .env("INTAKE_HOME", home.path())
        .output()
        .map_err(|e| e.to_string())?;
    if !add.status.success() {
        return Err(format!("profile add failed: {}", String::from_utf8_lossy(&add.stderr)));
    }
    let example: Value = serde_json::from_str(
        &std::fs::read_to_string("examples/finosu-customer.json").map_err(|e| format!("examples: {e}"))?,
    )
    .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let endpoint = Endpoint::new(base.parse().map_err(|e| format!("{e}"))?);

    let (mut curl_times, mut cli_times, mut lib_times) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        // Each request creates a different customer (the id must be new), same size of body.
        let body = |who: &str| {
            let mut body = example.clone();
            body["id"] = Value::String(format!("BENCH-{who}-{round:05}"));
            normalize_for_sending(Backend::Finosu, &body)
        };
        let curl_file = home.path().join("curl.json");
        std::fs::write(&curl_file, body("curl").to_string()).map_err(|e| e.to_string())?;
        let start = Instant::now();
        let status = Command::new(&curl)
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"])
            .arg(format!("{base}/customers"))
            .args(["-H", "Content-Type: application/json", "-H", "Accept: application/json", "-H"])
            .arg(format!("X-API-Key: {key}"))
            .arg("--data-binary")
            .arg(format!("@{}", curl_file.display()))
            .output()
            .map_err(|e| format!("curl: {e}"))?;
        curl_times.push(start.elapsed());
        if String::from_utf8_lossy(&status.stdout) != "201" {
            return Err(format!("curl got {:?}", String::from_utf8_lossy(&status.stdout)));
        }

        let cli_file = home.path().join("cli.json");
        std::fs::write(&cli_file, body("cli").to_string()).map_err(|e| e.to_string())?;
        let start = Instant::now();
        let mut child = Command::new(intake)
            .args(["submit", "--profile", "bench", "--secret-stdin"])
            .arg(&cli_file)
            .env("INTAKE_HOME", home.path())
            .env("RUST_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("intake submit: {e}"))?;
        child.stdin.take().ok_or("stdin")?.write_all(key.as_bytes()).map_err(|e| e.to_string())?;
        let status = child.wait().map_err(|e| e.to_string())?;
        cli_times.push(start.elapsed());
        if !status.success() {
            return Err(format!("intake submit exited with {status}"));
        }

        let lib_body = body("lib");
        let start = Instant::now();
        let exchange = runtime.block_on(async {
            let client = FinosuClient::new(endpoint.clone(), Secret::new(key.clone())).map_err(|e| e.to_string())?;
            Ok::<_, String>(client.create_customer(&lib_body).await)
        })?;
        lib_times.push(start.elapsed());
        if !exchange.outcome.is_created() {
            return Err(format!("the library client got {:?}", exchange.outcome));
        }
    }

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let curl = summarize(curl_times).ok_or("no samples")?;
    let cli = summarize(cli_times).ok_or("no samples")?;
    let lib = summarize(lib_times).ok_or("no samples")?;
    let ratio = ms(cli.median) / ms(curl.median);
    let lib_ratio = ms(lib.median) / ms(curl.median);
    if bench {
        println!("submit bench: {rounds} Finosu creates each way against `intake sandbox` on 127.0.0.1, interleaved");
        for (name, s) in
            [("curl (process)", &curl), ("intake submit (process)", &cli), ("library client (in process)", &lib)]
        {
            println!("  {name:<28} median {:>7.2} ms   p95 {:>7.2} ms", ms(s.median), ms(s.p95));
        }
        println!(
            "  library client ÷ curl at p50: {lib_ratio:.2} (budget ≤ {RATIO_BUDGET})  {}",
            verdict(lib_ratio, RATIO_BUDGET)
        );
        println!("  intake submit ÷ curl at p50: {ratio:.2} (information: validation and phone metadata included)");
        println!(
            "RESULT|submit: library client ÷ curl, p50|{:.2} ms ÷ {:.2} ms = {lib_ratio:.2}|{lib_ratio:.2}|x|{RATIO_BUDGET}",
            ms(lib.median),
            ms(curl.median)
        );
        println!(
            "RESULT|submit: intake submit process ÷ curl, p50|{:.2} ms ÷ {:.2} ms = {ratio:.2}|{ratio:.2}|x|-",
            ms(cli.median),
            ms(curl.median)
        );
    } else {
        println!("submit bench: quick check passed (run `cargo bench --bench submit` to measure)");
    }
    Ok(())
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(program))
        .find(|p| p.is_file())
}
