//! Starting a new customer. Nothing is lost by it: the form being left is a record of the
//! store, listed under Drafts.

use super::IntakeApp;
use crate::model::{Draft, Tab};
use crate::ui::notice::Notice;

impl IntakeApp {
    /// Starts a new customer (Ctrl+N); the previous one stays in the Drafts list.
    pub fn request_new(&mut self) {
        self.records_autosave();
        let backend = self.backend();
        let kept = self.records.current.get(backend).is_some();
        self.form.replace(Draft::new(backend));
        *self.records.current.get_mut(backend) = None;
        *self.records.saved.get_mut(backend) = None;
        self.select_tab(Tab::Basic);
        let previous = if kept { " The previous one is under Drafts (Ctrl+D)." } else { "" };
        self.notify(Notice::info(format!("New {} customer.{previous}", backend.display_name())));
    }
}
