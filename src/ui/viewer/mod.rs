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

/// Attempts whose bodies the viewer keeps; older ones keep their summary line only.
pub const KEPT_BODIES: usize = 200;
/// The most bytes of bodies (requests and answers, as received) the viewer keeps.
pub const KEPT_BODY_BYTES: usize = 64 * 1024 * 1024;
/// The most attempts listed; the oldest go (every record's attempts stay in its history).
pub const KEPT_ATTEMPTS: usize = 5_000;

/// The attempts of this session and which one is shown. Runtime state only: nothing here is
/// saved (each record's attempts are kept in the store, as its history).
///
/// Bounded, so that a batch of thousands does not grow it without end: the newest
/// [`KEPT_BODIES`] attempts (within [`KEPT_BODY_BYTES`]) keep their bodies, older ones their
/// summary line and a note that the body was let go, and at most [`KEPT_ATTEMPTS`] are listed.
#[derive(Debug, Default)]
pub struct ResponseViewer {
    /// Oldest first.
    attempts: Vec<Attempt>,
    /// Index into `attempts` of the one shown.
    selected: usize,
    /// Attempts pushed this session (numbers them even after the oldest went).
    pushed: usize,
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
        self.pushed += 1;
        self.attempts.push(Attempt {
            number: self.pushed,
            prepared: attempt,
            request_view: BodyViewState::default(),
            response_view: BodyViewState::default(),
        });
        self.let_go_of_old_attempts();
        self.selected = self.attempts.len() - 1;
    }

    /// Keeps the viewer within its bounds (see [`ResponseViewer`]).
    fn let_go_of_old_attempts(&mut self) {
        if self.attempts.len() > KEPT_ATTEMPTS {
            let gone = self.attempts.len() - KEPT_ATTEMPTS;
            self.attempts.drain(..gone);
        }
        let mut bytes = 0_usize;
        for (age, attempt) in self.attempts.iter_mut().rev().enumerate() {
            if attempt.prepared.bodies_let_go() {
                continue;
            }
            bytes = bytes.saturating_add(attempt.prepared.body_bytes());
            if age >= KEPT_BODIES || bytes > KEPT_BODY_BYTES {
                attempt.prepared.let_go_of_bodies();
                attempt.request_view = BodyViewState::default();
                attempt.response_view = BodyViewState::default();
            }
        }
    }

    /// The attempts kept, oldest first.
    pub fn exchanges(&self) -> impl Iterator<Item = &Exchange> {
        self.attempts.iter().map(|attempt| attempt.prepared.exchange())
    }

    /// How many attempts were pushed this session (the newest one's number).
    pub fn pushed(&self) -> usize {
        self.pushed
    }

    /// Shows the attempt numbered `number` (1 for the session's first), if still kept.
    pub fn select_number(&mut self, number: usize) -> bool {
        match self.attempts.iter().position(|attempt| attempt.number == number) {
            Some(index) => {
                self.selected = index;
                true
            }
            None => false,
        }
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
        let Self { attempts, selected, .. } = self;
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

#[cfg(test)]
mod bounds_tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::backends::{Outcome, ResponseRecord};
    use crate::model::Backend;

    fn attempt(body_bytes: usize) -> PreparedExchange {
        let mut exchange = Exchange::unanswered(
            Backend::Finosu,
            "POST",
            "http://127.0.0.1/finosu/customers".to_owned(),
            Some("{}".to_owned()),
            Outcome::Created { id: None, location: None },
        );
        exchange.started_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1);
        exchange.response = Some(ResponseRecord {
            status: 201,
            reason: "Created".to_owned(),
            headers: Vec::new(),
            body: vec![b'x'; body_bytes],
            body_truncated_from: None,
        });
        PreparedExchange::new(exchange)
    }

    fn kept(viewer: &ResponseViewer) -> Vec<bool> {
        viewer.attempts.iter().map(|a| !a.prepared.bodies_let_go()).collect()
    }

    #[test]
    fn the_newest_attempts_keep_their_bodies_and_older_ones_their_summary() {
        let mut viewer = ResponseViewer::default();
        for _ in 0..KEPT_BODIES + 50 {
            viewer.push(attempt(10));
        }
        let kept = kept(&viewer);
        assert_eq!(kept.len(), KEPT_BODIES + 50, "every attempt is still listed");
        assert_eq!(kept.iter().filter(|k| **k).count(), KEPT_BODIES);
        assert!(kept[50..].iter().all(|k| *k) && kept[..50].iter().all(|k| !*k), "the oldest let go");
        let oldest = &viewer.attempts[0].prepared;
        assert!(!oldest.summary().is_empty(), "its summary line stays");
        assert_eq!(oldest.exchange().response.as_ref().map(|r| r.body.len()), Some(0), "its bytes are gone");
        assert!(oldest.response_body().is_some_and(|body| body.text().contains("let go")), "it says so");
    }

    #[test]
    fn bodies_stay_within_their_bytes_and_the_list_within_its_length() {
        let mut viewer = ResponseViewer::default();
        for _ in 0..6 {
            viewer.push(attempt(15 * 1024 * 1024));
        }
        let held: usize = viewer.attempts.iter().map(|a| a.prepared.body_bytes()).sum();
        assert!(held <= KEPT_BODY_BYTES, "{held} bytes held");
        assert_eq!(kept(&viewer), [false, false, true, true, true, true]);

        let mut many = ResponseViewer::default();
        for _ in 0..KEPT_ATTEMPTS + 10 {
            many.push(attempt(0));
        }
        assert_eq!(many.len(), KEPT_ATTEMPTS);
        assert_eq!(many.attempts.last().map(|a| a.number), Some(KEPT_ATTEMPTS + 10), "numbers go on");
        assert_eq!(many.selected, KEPT_ATTEMPTS - 1, "the newest is shown");
    }
}
