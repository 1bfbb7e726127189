//! `intake sandbox`: the built-in emulator of both APIs in the foreground, for scripts, tests
//! and trying Intake against something that answers like the real servers.

use std::io::Write;
use std::time::Duration;

use serde_json::json;

use super::validate::EXIT_VALID;
use super::{SandboxArgs, usage_error};
use crate::sandbox::{
    FINOSU_API_KEY, FINOSU_TASK_TYPES, HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET, SandboxConfig, SandboxServer,
};

/// Serves until Ctrl+C or SIGTERM; returns the exit code.
pub fn run_sandbox(args: &SandboxArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let config = SandboxConfig {
        port: args.port,
        rate_limit_per_minute: args.rate_limit,
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        drop_rate: args.drop_rate,
        token_lifetime: Duration::from_secs(args.token_lifetime),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        finosu_read_route: !args.finosu_without_read_route,
        ..SandboxConfig::default()
    };
    let server = match SandboxServer::start(config) {
        Ok(server) => server,
        Err(e) => return usage_error(err, &format!("cannot start the sandbox: {e}")),
    };
    if args.json {
        let line = json!({
            "finosu": {"base_url": server.finosu_base_url(), "api_key": FINOSU_API_KEY},
            "helpscout": {
                "base_url": server.helpscout_base_url(),
                "client_id": HELPSCOUT_CLIENT_ID,
                "client_secret": HELPSCOUT_CLIENT_SECRET,
            },
        });
        writeln!(out, "{line}")?;
    } else {
        writeln!(out, "Intake sandbox on http://{} (Ctrl+C stops it)", server.addr())?;
        writeln!(out, "  Finosu      base URL {}", server.finosu_base_url())?;
        writeln!(out, "              X-API-Key {FINOSU_API_KEY}")?;
        writeln!(out, "              task types {}", FINOSU_TASK_TYPES.join(", "))?;
        writeln!(out, "  Help Scout  base URL {}", server.helpscout_base_url())?;
        writeln!(out, "              client id {HELPSCOUT_CLIENT_ID}, client secret {HELPSCOUT_CLIENT_SECRET}")?;
        writeln!(out, "              token endpoint {}/v2/oauth2/token", server.helpscout_base_url())?;
    }
    out.flush()?;
    wait_for_stop_signal();
    server.shutdown();
    Ok(EXIT_VALID)
}

/// Blocks until Ctrl+C (SIGINT) or SIGTERM.
fn wait_for_stop_signal() {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        // Without a runtime there is no signal handling; serve until killed.
        loop {
            std::thread::park();
        }
    };
    runtime.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    tokio::signal::ctrl_c().await.ok();
                }
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await.ok();
    });
}
