//! The Drafts panel (Ctrl+D): every stored customer with its state.
//!
//! Searchable, filtered and sorted; the selected one's reason, history and actions. It draws what the store last said
//! and returns [`DraftsCommand`]s; the app runs them through the store's writer.

mod details;
mod list;
mod panel;

use std::time::Instant;

pub use list::{DraftSort, ListView, ListedRecords, search_key, visible_rows};
pub use panel::DraftsView;

use crate::store::{RecordId, RecordSummary, StoreError};
use crate::ui::jobs::Job;
use crate::ui::store_worker::RecordWithHistory;

/// What the person asked for in the Drafts panel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum DraftsCommand {
    /// Show a record's details and history.
    Select(RecordId),
    /// Put a record in the form (read-only when queued or sent).
    Open(RecordId),
    /// Copy a record as a new draft, and open the copy.
    Duplicate(RecordId),
    /// Delete a record (Undo brings it back).
    Delete(RecordId),
    /// Bring back the record deleted last.
    Undo,
    /// Queue every ready record to its profile.
    SendAllReady,
    /// Queue a failed record again ("Send again"; "Send anyway" for one possibly created).
    SendAgain(RecordId),
    /// Take a queued record back out of the outbox.
    TakeBack(RecordId),
}

/// The panel's state.
#[derive(Debug, Default)]
pub struct DraftsPanel {
    /// The records as last read (newest change first), with their search keys.
    listed: ListedRecords,
    /// The store's change count they were read at.
    read_at: Option<u64>,
    /// A read under way.
    loading: Option<Job<Result<ListedRecords, StoreError>>>,
    /// Search, filter and sort.
    pub view: ListView,
    /// The rows shown, for `view` over `records`; `None` when either changed.
    visible: Option<Vec<usize>>,
    /// The view `visible` was made for.
    visible_for: ListView,
    /// The record whose details show.
    selected: Option<RecordId>,
    /// Its details and history, once read.
    details: Option<RecordWithHistory>,
    /// The details read under way.
    details_loading: Option<Job<Result<Option<RecordWithHistory>, StoreError>>>,
    /// The record deleted last, for Undo.
    deleted: Option<RecordSummary>,
    /// The last failure to read or change the store.
    error: Option<String>,
    /// Put the keyboard in the search field on the next frame (Ctrl+D).
    focus_search: bool,
    /// When the list was last read (for the benchmarks' and tests' curiosity, and the title).
    read_when: Option<Instant>,
}

impl DraftsPanel {
    /// Every record as last read.
    pub fn records(&self) -> &[RecordSummary] {
        &self.listed.records
    }

    /// The records shown, in order.
    pub fn shown(&self) -> Vec<&RecordSummary> {
        let rows = self.visible.clone().unwrap_or_else(|| visible_rows(&self.listed, &self.view));
        rows.into_iter().filter_map(|i| self.listed.records.get(i)).collect()
    }

    /// The selected record.
    pub fn selected(&self) -> Option<&RecordId> {
        self.selected.as_ref()
    }

    /// Whether a read of the list is under way.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some() || self.details_loading.is_some()
    }

    /// Whether the list is older than the store's `changes` count.
    pub fn is_stale(&self, changes: u64) -> bool {
        self.read_at != Some(changes)
    }

    /// A read of the list started at `changes`.
    pub fn loading_started(&mut self, job: Job<Result<ListedRecords, StoreError>>, changes: u64) {
        self.loading = Some(job);
        self.read_at = Some(changes);
    }

    /// A read of the selected record's details started.
    pub fn details_started(&mut self, job: Job<Result<Option<RecordWithHistory>, StoreError>>) {
        self.details_loading = Some(job);
    }

    /// Takes in finished reads; true when something arrived.
    pub fn poll(&mut self) -> bool {
        let mut arrived = false;
        if let Some(job) = &self.loading
            && let Some(result) = poll_job(job)
        {
            self.loading = None;
            arrived = true;
            match result {
                Ok(listed) => {
                    self.listed = listed;
                    self.visible = None;
                    self.read_when = Some(Instant::now());
                }
                Err(error) => self.error = Some(error),
            }
        }
        if let Some(job) = &self.details_loading
            && let Some(result) = poll_job(job)
        {
            self.details_loading = None;
            arrived = true;
            match result {
                Ok(details) => self.details = details.filter(|(r, _)| Some(&r.id) == self.selected.as_ref()),
                Err(error) => self.error = Some(error),
            }
        }
        arrived
    }

    /// Shows `id`'s details (read again when asked).
    pub fn select(&mut self, id: RecordId) {
        if self.selected.as_ref() != Some(&id) {
            self.details = None;
        }
        self.selected = Some(id);
    }

    /// Notes a deleted record, for Undo.
    pub fn deleted(&mut self, id: &RecordId) {
        self.deleted = self.listed.records.iter().find(|r| r.id == *id).cloned();
        if self.selected.as_ref() == Some(id) {
            self.selected = None;
            self.details = None;
        }
    }

    /// The record deleted last, taken for Undo.
    pub fn take_deleted(&mut self) -> Option<RecordSummary> {
        self.deleted.take()
    }

    /// Shows a failure to read or change the store.
    pub fn show_error(&mut self, error: String) {
        self.error = Some(error);
    }

    /// The search text changed: a search that only grew narrows the rows shown (the common
    /// case while typing); anything else looks at every record again.
    fn search_changed(&mut self) {
        let grew = self.view.query.starts_with(&self.visible_for.query)
            && (self.view.state, self.view.sort) == (self.visible_for.state, self.visible_for.sort);
        self.visible = match self.visible.take() {
            Some(shown) if grew => Some(list::narrowed_rows(&self.listed, &self.view, shown)),
            _ => None,
        };
        if self.visible.is_some() {
            self.visible_for = self.view.clone();
        }
    }

    /// Puts the keyboard in the search field on the next frame.
    pub fn focus_search(&mut self) {
        self.focus_search = true;
    }
}

/// A finished job's result with its error as a sentence.
fn poll_job<T>(job: &Job<Result<T, StoreError>>) -> Option<Result<T, String>> {
    match job.poll() {
        Ok(None) => None,
        Ok(Some(result)) => Some(result.map_err(|e| e.to_string())),
        Err(lost) => Some(Err(lost.to_string())),
    }
}
