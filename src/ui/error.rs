//! [`UiError`]: why the window could not start something the person asked for. Each one is
//! shown once, as a [`crate::ui::Notice`], where the person looks.

use crate::profiles::ProfileError;

/// Why a command of the window could not start.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// The background runtime could not start.
    #[error("Cannot start the network thread: {0}.")]
    Runtime(String),
    /// A named thread could not start.
    #[error("Cannot start the {name} thread: {reason}.")]
    Thread {
        /// The thread's name.
        name: String,
        /// What the OS said.
        reason: String,
    },
    /// The same work is already running.
    #[error("That is already running; wait for it to finish.")]
    Busy,
    /// A send is under way.
    #[error("A customer is being sent; wait for the answer or cancel.")]
    SendBusy,
    /// A credentials test is under way.
    #[error("A credentials test is already running.")]
    CheckBusy,
    /// A file dialog or file read/write is under way.
    #[error("A file dialog is already open; finish it first.")]
    FileBusy,
    /// The store could not be opened or written.
    #[error("The drafts store failed: {0}")]
    Store(String),
    /// The in-process sandbox could not start.
    #[error("The built-in sandbox could not start: {0}")]
    Sandbox(String),
    /// The profile cannot be used to send.
    #[error("Cannot send: {0}.")]
    Profile(#[from] ProfileError),
}
