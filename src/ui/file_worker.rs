//! Native file dialogs and draft-file I/O off the UI thread.
//!
//! Each request runs on a named thread of the app's [`Background`]; its one result comes back as
//! a [`Task`] the app polls. Only one request runs at a time, so a second Ctrl+O while a dialog
//! is open does nothing but say so.

use serde_json::Value;
use std::path::PathBuf;

use super::error::UiError;
use super::jobs::{Background, Task};
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
    /// The worker thread died.
    Failed(String),
}

/// Runs [`FileRequest`]s one at a time off the UI thread, each on its own named thread (a
/// native dialog may stay open for minutes).
#[derive(Debug)]
pub struct FileWorker {
    background: Background,
    task: Task<FileResult>,
}

impl FileWorker {
    /// A worker running its requests through the app's `background`.
    pub fn new(background: Background) -> Self {
        Self { background, task: Task::Idle }
    }

    /// Whether a request is still running.
    pub fn is_busy(&self) -> bool {
        self.task.is_running()
    }

    /// Starts `request`; refused while another one runs.
    pub fn start(&mut self, request: FileRequest, ctx: &egui::Context) -> Result<(), UiError> {
        if self.is_busy() {
            return Err(UiError::FileBusy);
        }
        let job = self.background.spawn_thread(ctx, "intake-file-io", move || run(request))?;
        self.task.start(job)
    }

    /// The result, the one time it arrives.
    pub fn poll(&mut self) -> Option<FileResult> {
        Some(match self.task.poll_take()? {
            Ok(result) => result,
            Err(lost) => FileResult::Failed(format!("the file thread stopped unexpectedly ({lost})")),
        })
    }
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
