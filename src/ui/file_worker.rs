//! Native file dialogs and draft-file I/O off the UI thread.
//!
//! Each request runs on a named thread; its one result comes back over a bounded channel and
//! wakes the UI with `request_repaint`. Only one request runs at a time, so a second Ctrl+O
//! while a dialog is open does nothing but say so.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};

use serde_json::Value;

use crate::draft_file::{DraftFileError, read_draft_file, write_draft_file};

/// What the worker is asked to do.
#[derive(Debug)]
pub enum FileRequest {
    /// Ask for a file with the native dialog, then read it.
    PickAndOpen {
        /// Folder the dialog starts in.
        start_dir: Option<PathBuf>,
    },
    /// Read this file (drag and drop, tests).
    Open(PathBuf),
    /// Ask where to save with the native dialog, then write.
    PickAndSave {
        /// Folder the dialog starts in.
        start_dir: Option<PathBuf>,
        /// Proposed file name.
        file_name: String,
        /// The draft body.
        body: Value,
    },
}

/// What came back.
#[derive(Debug)]
pub enum FileResult {
    /// A file was read (or could not be).
    Opened {
        /// The file.
        path: PathBuf,
        /// Its JSON, or why not.
        result: Result<Value, DraftFileError>,
    },
    /// A file was written (or could not be).
    Saved {
        /// The file.
        path: PathBuf,
        /// Whether it worked.
        result: Result<(), DraftFileError>,
    },
    /// The person closed the dialog without choosing.
    Cancelled,
    /// The worker thread could not be started or died.
    Failed(String),
}

/// Runs [`FileRequest`]s one at a time off the UI thread.
#[derive(Debug, Default)]
pub struct FileWorker {
    pending: Option<Receiver<FileResult>>,
}

impl FileWorker {
    /// Whether a request is still running.
    pub fn is_busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Starts `request`; returns `false` (and does nothing) while another one runs.
    pub fn start(&mut self, request: FileRequest, ctx: &egui::Context) -> bool {
        if self.is_busy() {
            return false;
        }
        let (sender, receiver) = sync_channel(1);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new().name("intake-file-io".to_owned()).spawn(move || {
            let result = run(request);
            deliver(&sender, result);
            ctx.request_repaint();
        });
        match spawned {
            Ok(_) => {
                self.pending = Some(receiver);
                true
            }
            Err(err) => {
                let (sender, receiver) = sync_channel(1);
                deliver(&sender, FileResult::Failed(format!("could not start the file thread: {err}")));
                self.pending = Some(receiver);
                true
            }
        }
    }

    /// The result, once it has arrived.
    pub fn poll(&mut self) -> Option<FileResult> {
        let receiver = self.pending.as_ref()?;
        let result = match receiver.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => FileResult::Failed("the file thread stopped unexpectedly".to_owned()),
        };
        self.pending = None;
        Some(result)
    }
}

fn deliver(sender: &SyncSender<FileResult>, result: FileResult) {
    // The receiver is gone only when the app is closing; nothing is left to tell.
    sender.send(result).ok();
}

fn run(request: FileRequest) -> FileResult {
    match request {
        FileRequest::Open(path) => FileResult::Opened { result: read_draft_file(&path), path },
        FileRequest::PickAndOpen { start_dir } => {
            let mut dialog = rfd::FileDialog::new().set_title("Open draft").add_filter("JSON draft", &["json"]);
            if let Some(dir) = start_dir {
                dialog = dialog.set_directory(dir);
            }
            match dialog.pick_file() {
                Some(path) => FileResult::Opened { result: read_draft_file(&path), path },
                None => FileResult::Cancelled,
            }
        }
        FileRequest::PickAndSave { start_dir, file_name, body } => {
            let mut dialog = rfd::FileDialog::new()
                .set_title("Save draft")
                .add_filter("JSON draft", &["json"])
                .set_file_name(file_name);
            if let Some(dir) = start_dir {
                dialog = dialog.set_directory(dir);
            }
            match dialog.save_file() {
                Some(path) => FileResult::Saved { result: write_draft_file(&path, &body), path },
                None => FileResult::Cancelled,
            }
        }
    }
}
