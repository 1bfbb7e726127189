//! The response viewer: every HTTP attempt of this session, and the selected one in full.
//!
//! It only shows what an [`Exchange`] record holds. Credentials were masked before the record
//! was made, and nothing here tries to undo that. Bodies arrive already read
//! ([`PreparedExchange`]), so a frame never parses or lays out a large body whole.

mod attempt_list;
mod body_view;
mod details;
mod json_tree;
mod prepared;
mod prepared_body;

pub use body_view::{BODY_MAX_HEIGHT, BodyMode};
pub use json_tree::CHILDREN_PAGE;
pub use prepared::PreparedExchange;
pub use prepared_body::{BodyKind, MAX_ROW_BYTES, PREVIEW_BYTES, PreparedBody, format_bytes};

use egui::{RichText, Ui};

use self::attempt_list::attempt_list_ui;
use self::body_view::BodyViewState;
use self::details::attempt_ui;
use crate::backends::Exchange;

/// Below this width the attempts are listed above the details instead of beside them.
const STACK_BELOW_WIDTH: f32 = 720.0;

/// The attempts of this session and which one is shown. Runtime state only: nothing here is
/// saved (each record's attempts are kept in the store, as its history).
#[derive(Debug, Default)]
pub struct ResponseViewer {
    /// Oldest first.
    attempts: Vec<Attempt>,
    /// Index into `attempts` of the one shown.
    selected: usize,
}

/// One attempt and what the person did to its views.
#[derive(Debug)]
struct Attempt {
    /// 1 for the session's first attempt; keys the attempt's widgets.
    number: usize,
    prepared: PreparedExchange,
    request_view: BodyViewState,
    response_view: BodyViewState,
}

impl ResponseViewer {
    /// Adds an attempt and shows it.
    pub fn push(&mut self, attempt: PreparedExchange) {
        self.attempts.push(Attempt {
            number: self.attempts.len() + 1,
            prepared: attempt,
            request_view: BodyViewState::default(),
            response_view: BodyViewState::default(),
        });
        self.selected = self.attempts.len() - 1;
    }

    /// How many attempts this session made.
    pub fn len(&self) -> usize {
        self.attempts.len()
    }

    /// True before the first attempt.
    pub fn is_empty(&self) -> bool {
        self.attempts.is_empty()
    }

    /// The newest attempt.
    pub fn latest(&self) -> Option<&Exchange> {
        self.attempts.last().map(|attempt| attempt.prepared.exchange())
    }

    /// The attempt shown.
    pub fn selected(&self) -> Option<&Exchange> {
        self.attempts.get(self.selected).map(|attempt| attempt.prepared.exchange())
    }

    /// Draws the list of attempts on the left and the selected one beside it.
    pub fn ui(&mut self, ui: &mut Ui) {
        let Self { attempts, selected } = self;
        if attempts.is_empty() {
            ui.label(RichText::new("No requests yet. Each one sent this session is shown here.").weak());
            return;
        }
        // Beside the details when there is room, above them in a narrow panel.
        if ui.available_width() >= STACK_BELOW_WIDTH {
            egui::Panel::left("viewer_attempt_list_panel")
                .resizable(true)
                .default_size(290.0)
                .min_size(180.0)
                .show(ui, |ui| attempt_list_ui(ui, attempts, selected));
        } else {
            egui::Panel::top("viewer_attempt_list_top")
                .resizable(true)
                .default_size(100.0)
                .min_size(60.0)
                .max_size(260.0)
                .show(ui, |ui| attempt_list_ui(ui, attempts, selected));
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(attempt) = attempts.get_mut(*selected) {
                attempt_ui(ui, attempt);
            }
        });
    }
}
