//! The question a Submit asks when the server already has the customer, or could not be asked.

use egui::RichText;

use crate::backends::existing::ExistingCustomer;
use crate::duplicate_check::{DuplicateVerdict, found_by};
use crate::model::Backend;
use crate::ui::widgets::name_dialog;

/// Existing customers listed at most in the warning; the sentence counts the rest.
const LISTED: usize = 5;

/// The answer to the duplicate warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateAnswer {
    /// Do not send; show the lookup that found the existing customer under Responses.
    OpenExisting,
    /// Send anyway (a customer was found, or the lookup failed).
    SendAnyway,
    /// Do not send.
    Cancel,
}

/// Draws the warning for `verdict` (a customer found, or a lookup that failed); `None` while it
/// waits for an answer. Escape and a click outside cancel.
pub fn duplicate_warning_ui(
    ctx: &egui::Context,
    backend: Backend,
    verdict: &DuplicateVerdict,
) -> Option<DuplicateAnswer> {
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique("duplicate_warning")).show(ctx, |ui| {
        ui.set_width(460.0);
        if let DuplicateVerdict::Found(customers) = verdict {
            found_ui(ui, backend, customers, &mut answer);
        } else {
            lookup_failed_ui(ui, &verdict.sentence(backend), &mut answer);
        }
    });
    if modal.should_close() {
        answer = answer.or(Some(DuplicateAnswer::Cancel));
    }
    answer
}

/// The customers found, and the three answers.
fn found_ui(ui: &mut egui::Ui, backend: Backend, customers: &[ExistingCustomer], answer: &mut Option<DuplicateAnswer>) {
    let title = "This customer may exist already";
    name_dialog(ui, title);
    ui.heading(title);
    ui.add(egui::Label::new(format!("{}:", found_by(backend))).wrap());
    ui.add_space(4.0);
    for customer in customers.iter().take(LISTED) {
        ui.label(RichText::new(format!("• {}", customer.describe())).strong());
    }
    if customers.len() > LISTED {
        ui.label(format!("and {} more.", customers.len() - LISTED));
    }
    ui.add_space(8.0);
    ui.horizontal_wrapped(|ui| {
        if ui.button("Open the existing one in the viewer").clicked() {
            *answer = Some(DuplicateAnswer::OpenExisting);
        }
        if ui.button("Create anyway").clicked() {
            *answer = Some(DuplicateAnswer::SendAnyway);
        }
        cancel_button_ui(ui, answer);
    });
}

/// Why the server could not be asked, and Send anyway / Cancel.
fn lookup_failed_ui(ui: &mut egui::Ui, sentence: &str, answer: &mut Option<DuplicateAnswer>) {
    let title = "Could not check for duplicates";
    name_dialog(ui, title);
    ui.heading(title);
    ui.add(egui::Label::new(sentence).wrap());
    ui.add(
        egui::Label::new(
            "Sending anyway may create a second copy of a customer who exists already; \
             a queued customer waits in the outbox while the server cannot be reached.",
        )
        .wrap(),
    );
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui.button("Send anyway").clicked() {
            *answer = Some(DuplicateAnswer::SendAnyway);
        }
        cancel_button_ui(ui, answer);
    });
}

/// Cancel, which has the keyboard focus when nothing in the warning has it: Enter right after
/// Submit sends nothing, Tab reaches the other answers.
fn cancel_button_ui(ui: &mut egui::Ui, answer: &mut Option<DuplicateAnswer>) {
    let cancel = ui.button("Cancel");
    if ui.memory(|memory| memory.focused().is_none()) {
        cancel.request_focus();
    }
    if cancel.clicked() {
        *answer = Some(DuplicateAnswer::Cancel);
    }
}
