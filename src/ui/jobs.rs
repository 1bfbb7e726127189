//! Background work for the window: a small tokio runtime, and [`Job`]s whose results the UI
//! polls each frame. A finished job wakes the UI with `request_repaint`; an idle window does
//! not repaint.

use std::future::Future;
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};

/// A result still to come from the network thread.
#[derive(Debug)]
pub struct Job<T> {
    receiver: Receiver<T>,
}

/// What polling a job found.
#[derive(Debug)]
pub enum JobPoll<T> {
    /// Still running.
    Pending,
    /// Finished, with its result (given once).
    Done(T),
    /// The task ended without a result (it panicked, or the runtime stopped).
    Lost,
}

impl<T> Job<T> {
    /// The result, once it is there.
    pub fn poll(&self) -> JobPoll<T> {
        match self.receiver.try_recv() {
            Ok(value) => JobPoll::Done(value),
            Err(TryRecvError::Empty) => JobPoll::Pending,
            Err(TryRecvError::Disconnected) => JobPoll::Lost,
        }
    }
}

/// The network thread: one tokio worker for requests, plus tokio's blocking pool for keyring
/// calls (D-Bus round trips, which may wait for an unlock prompt).
#[derive(Debug, Default)]
pub struct Background {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Background {
    /// The runtime, started on first use.
    pub fn runtime(&mut self) -> Result<&tokio::runtime::Runtime, String> {
        if self.runtime.is_none() {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .max_blocking_threads(2)
                .thread_name("intake-net")
                .enable_all()
                .build()
                .map_err(|e| format!("Cannot start the network thread: {e}."))?;
            self.runtime = Some(runtime);
        }
        self.runtime.as_ref().ok_or_else(|| "The network thread is not running.".to_owned())
    }

    /// Runs `work` on the network thread; the UI is woken when it is done.
    pub fn spawn<T, F>(&mut self, ctx: &egui::Context, work: F) -> Result<(Job<T>, tokio::task::JoinHandle<()>), String>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let (sender, receiver) = sync_channel(1);
        let ctx = ctx.clone();
        let handle = self.runtime()?.spawn(async move {
            sender.send(work.await).ok();
            ctx.request_repaint();
        });
        Ok((Job { receiver }, handle))
    }

    /// Runs blocking `work` (keyring calls) off the UI thread; the UI is woken when it is done.
    pub fn spawn_blocking<T, F>(&mut self, ctx: &egui::Context, work: F) -> Result<Job<T>, String>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (sender, receiver) = sync_channel(1);
        let ctx = ctx.clone();
        self.runtime()?.spawn_blocking(move || {
            sender.send(work()).ok();
            ctx.request_repaint();
        });
        Ok(Job { receiver })
    }
}
