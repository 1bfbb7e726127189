//! Background work for the window: one runtime, jobs, and their lifecycle.
//!
//! [`Background`] is owned by the app and handed to every worker; a [`Job`] is one piece of
//! work; [`Task`] is the lifecycle of work the UI asks for again and again (requested → running
//! → done with a value or an error, keeping the previous value while a new request runs).
//!
//! Every job sends its one result over a bounded channel and then wakes the UI with
//! `request_repaint`, so the next frame is sure to see it; an idle window does not repaint.

use std::future::Future;
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::error::UiError;

/// Work that ended without a result: its task panicked, or the runtime stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the background work stopped without a result")]
pub struct JobLost;

/// One piece of work running off the UI thread; its result comes once.
#[derive(Debug)]
pub struct Job<T> {
    receiver: Receiver<T>,
    started: Instant,
    abort: Option<tokio::task::AbortHandle>,
}

/// The sending end of a [`Job`] made by hand: for a worker thread of its own that answers
/// requests (the store's writer), rather than work spawned on the [`Background`].
#[derive(Debug)]
pub struct JobReply<T> {
    sender: std::sync::mpsc::SyncSender<T>,
    ctx: egui::Context,
}

impl<T> JobReply<T> {
    /// Delivers the result and wakes the UI. Nobody waiting (the job was dropped) is fine.
    pub fn send(self, value: T) {
        self.sender.send(value).ok();
        self.ctx.request_repaint();
    }
}

impl<T> Job<T> {
    /// A job and the reply that finishes it.
    pub fn channel(ctx: &egui::Context) -> (JobReply<T>, Self) {
        let (sender, receiver) = sync_channel(1);
        (JobReply { sender, ctx: ctx.clone() }, Self { receiver, started: Instant::now(), abort: None })
    }

    /// The result, once it is there (`Ok(None)` while running).
    pub fn poll(&self) -> Result<Option<T>, JobLost> {
        match self.receiver.try_recv() {
            Ok(value) => Ok(Some(value)),
            Err(TryRecvError::Empty) => Ok(None),
            Err(TryRecvError::Disconnected) => Err(JobLost),
        }
    }

    /// How long it has been running.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Stops an async job at its next await point (blocking work and threads run to the end;
    /// their result is then dropped with the job).
    pub fn abort(&self) {
        if let Some(abort) = &self.abort {
            abort.abort();
        }
    }
}

/// The lifecycle of work the UI asks for: nothing yet, running, or done.
///
/// Not `Clone`: a running job has one owner, who sees its result once.
#[derive(Debug, Default)]
pub enum Task<T> {
    /// Never asked for (or cancelled before any result).
    #[default]
    Idle,
    /// Running; `previous` is the last result, still shown meanwhile.
    Running {
        /// The work under way.
        job: Job<T>,
        /// The result before this request, if any.
        previous: Option<Result<T, JobLost>>,
    },
    /// Finished with a value, or lost.
    Done(Result<T, JobLost>),
}

impl<T> Task<T> {
    /// Whether work is under way.
    pub fn is_running(&self) -> bool {
        matches!(self, Self::Running { .. })
    }

    /// How long the work under way has been running.
    pub fn elapsed(&self) -> Option<Duration> {
        match self {
            Self::Running { job, .. } => Some(job.elapsed()),
            _ => None,
        }
    }

    /// Starts `job`, keeping the current result as the previous one. Refused while running.
    pub fn start(&mut self, job: Job<T>) -> Result<(), UiError> {
        if self.is_running() {
            return Err(UiError::Busy);
        }
        let previous = match std::mem::take(self) {
            Self::Done(result) => Some(result),
            Self::Idle | Self::Running { .. } => None,
        };
        *self = Self::Running { job, previous };
        Ok(())
    }

    /// Moves a finished job to done; returns its result the one time it arrives.
    pub fn poll(&mut self) -> Option<&Result<T, JobLost>> {
        let Self::Running { job, .. } = self else { return None };
        let result = match job.poll() {
            Ok(None) => return None,
            Ok(Some(value)) => Ok(value),
            Err(lost) => Err(lost),
        };
        *self = Self::Done(result);
        self.latest()
    }

    /// Like [`Self::poll`], but hands the result over instead of keeping it, for results that
    /// are consumed when they arrive (a file read, a send's exchanges).
    pub fn poll_take(&mut self) -> Option<Result<T, JobLost>> {
        self.poll()?;
        match std::mem::take(self) {
            Self::Done(result) => Some(result),
            other => {
                *self = other;
                None
            }
        }
    }

    /// The last result: the finished one, or while running the one before.
    pub fn latest(&self) -> Option<&Result<T, JobLost>> {
        match self {
            Self::Idle => None,
            Self::Running { previous, .. } => previous.as_ref(),
            Self::Done(result) => Some(result),
        }
    }

    /// Stops waiting for the work under way and goes back to the previous result; returns how
    /// long it ran.
    pub fn cancel(&mut self) -> Option<Duration> {
        let Self::Running { job, previous } = std::mem::take(self) else { return None };
        job.abort();
        *self = previous.map_or(Self::Idle, Self::Done);
        Some(job.elapsed())
    }
}

/// The window's background runtime: one tokio worker for requests, tokio's blocking pool for
/// keyring calls and disk work, and named threads for native dialogs. Cloning shares it.
///
/// Started on first use, so a window that sends nothing starts no threads.
#[derive(Debug, Clone, Default)]
pub struct Background {
    runtime: Arc<OnceLock<Result<tokio::runtime::Runtime, String>>>,
}

impl Background {
    /// The runtime, started on first use.
    pub fn runtime(&self) -> Result<&tokio::runtime::Runtime, UiError> {
        let runtime = self.runtime.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .max_blocking_threads(4)
                .thread_name("intake-net")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        });
        runtime.as_ref().map_err(|reason| UiError::Runtime(reason.clone()))
    }

    /// Runs `work` on the network thread; the UI is woken when it is done.
    pub fn spawn<T, F>(&self, ctx: &egui::Context, work: F) -> Result<Job<T>, UiError>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let (sender, receiver) = sync_channel(1);
        let ctx = ctx.clone();
        let handle = self.runtime()?.spawn(async move {
            // The receiver is gone only when the job was dropped: nobody is waiting.
            sender.send(work.await).ok();
            ctx.request_repaint();
        });
        Ok(Job { receiver, started: Instant::now(), abort: Some(handle.abort_handle()) })
    }

    /// Runs blocking `work` (keyring calls, disk) on the blocking pool; the UI is woken when it
    /// is done.
    pub fn spawn_blocking<T, F>(&self, ctx: &egui::Context, work: F) -> Result<Job<T>, UiError>
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
        Ok(Job { receiver, started: Instant::now(), abort: None })
    }

    /// Runs `work` on its own named thread: for work that may wait on the person for minutes
    /// (a native file dialog), which must not hold one of the pool's threads.
    pub fn spawn_thread<T, F>(&self, ctx: &egui::Context, name: &str, work: F) -> Result<Job<T>, UiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (sender, receiver) = sync_channel(1);
        let ctx = ctx.clone();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                sender.send(work()).ok();
                ctx.request_repaint();
            })
            .map_err(|e| UiError::Thread { name: name.to_owned(), reason: e.to_string() })?;
        Ok(Job { receiver, started: Instant::now(), abort: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait<T>(task: &mut Task<T>) -> &Result<T, JobLost> {
        let start = Instant::now();
        while task.is_running() {
            assert!(start.elapsed() < Duration::from_secs(10), "the job never finished");
            if task.poll().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        task.latest().expect("a finished task has a result")
    }

    #[test]
    fn a_task_keeps_the_previous_value_while_running_and_reports_each_result_once() {
        let background = Background::default();
        let ctx = egui::Context::default();
        let mut task = Task::default();
        assert!(task.latest().is_none());
        task.start(background.spawn_blocking(&ctx, || 1).unwrap()).unwrap();
        assert_eq!(wait(&mut task), &Ok(1));
        assert!(task.poll().is_none(), "a result is reported once");

        let (release, gate) = sync_channel::<()>(0);
        task.start(background.spawn_blocking(&ctx, move || gate.recv().map_or(0, |()| 2)).unwrap()).unwrap();
        assert!(task.is_running());
        assert_eq!(task.latest(), Some(&Ok(1)), "the previous value stays while the new one runs");
        assert!(matches!(task.start(background.spawn_blocking(&ctx, || 3).unwrap()), Err(UiError::Busy)));
        release.send(()).unwrap();
        assert_eq!(wait(&mut task), &Ok(2));
    }

    #[test]
    fn a_panicking_job_is_lost_and_a_cancelled_one_goes_back_to_the_previous_value() {
        let background = Background::default();
        let ctx = egui::Context::default();
        let mut task: Task<u8> = Task::default();
        task.start(background.spawn(&ctx, async { panic!("boom") }).unwrap()).unwrap();
        assert_eq!(wait(&mut task), &Err(JobLost));

        task.start(background.spawn(&ctx, std::future::pending()).unwrap()).unwrap();
        assert!(task.cancel().is_some());
        assert_eq!(task.latest(), Some(&Err(JobLost)), "cancel goes back to the previous result");
        assert!(!task.is_running());
    }

    #[test]
    fn a_thread_job_delivers_its_result() {
        let background = Background::default();
        let ctx = egui::Context::default();
        let mut task = Task::default();
        task.start(background.spawn_thread(&ctx, "intake-test", || "done").unwrap()).unwrap();
        assert_eq!(wait(&mut task), &Ok("done"));
    }
}
