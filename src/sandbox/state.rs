//! What the sandbox remembers while it runs: customers, tokens and rate windows, all in memory.

use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::SandboxConfig;
use super::connections::Connections;
use super::finosu::FinosuStore;
use super::helpscout::HelpScoutStore;
use super::oauth::TokenStore;
use super::rate_limit::RateWindow;
use super::responses::Api;

/// State shared by every request and by the [`super::SandboxServer`] handle.
#[derive(Debug)]
pub struct Shared {
    /// The configuration, with rates clamped to 0.0..=1.0.
    pub config: SandboxConfig,
    /// Where the server listens; used to write `Location` headers.
    pub addr: SocketAddr,
    /// Turns true when the server stops, so hanging requests end with it.
    pub stopped: watch::Receiver<bool>,
    /// Finosu customers by id.
    pub finosu: Mutex<FinosuStore>,
    /// Help Scout customers by id.
    pub helpscout: Mutex<HelpScoutStore>,
    /// Help Scout tokens.
    pub oauth: Mutex<TokenStore>,
    /// Finosu's rate window.
    pub finosu_window: Mutex<RateWindow>,
    /// Help Scout's rate window (one per API, as each API counts on its own).
    pub helpscout_window: Mutex<RateWindow>,
    /// Requests a hang fault is holding right now.
    pub hanging: AtomicUsize,
    /// The open connections, under [`SandboxConfig::max_connections`].
    pub connections: Arc<Connections>,
}

impl Shared {
    /// Fresh, empty state for `config`.
    pub fn new(mut config: SandboxConfig, addr: SocketAddr, stopped: watch::Receiver<bool>) -> Self {
        config.fail_rate = clamp_rate(config.fail_rate);
        config.drop_rate = clamp_rate(config.drop_rate);
        let limit = config.rate_limit_per_minute;
        let max_connections = config.max_connections;
        Self {
            config,
            addr,
            stopped,
            finosu: Mutex::default(),
            helpscout: Mutex::default(),
            oauth: Mutex::default(),
            finosu_window: Mutex::new(RateWindow::new(limit)),
            helpscout_window: Mutex::new(RateWindow::new(limit)),
            hanging: AtomicUsize::new(0),
            connections: Connections::new(max_connections),
        }
    }

    /// The rate window of `api`.
    pub fn window(&self, api: Api) -> &Mutex<RateWindow> {
        match api {
            Api::Finosu => &self.finosu_window,
            Api::HelpScout => &self.helpscout_window,
        }
    }

    /// `http://127.0.0.1:PORT/helpscout`, the base of `Location` headers.
    pub fn helpscout_base_url(&self) -> String {
        format!("http://{}/{}", self.addr, Api::HelpScout.prefix())
    }
}

/// A NaN or out-of-range share becomes the nearest sensible one.
fn clamp_rate(rate: f64) -> f64 {
    if rate.is_nan() { 0.0 } else { rate.clamp(0.0, 1.0) }
}

/// Every update of the sandbox's state is a single insert or removal, so its locks go on after a
/// panic elsewhere.
pub use crate::sync::lock;
