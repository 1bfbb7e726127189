//! Production profiles: the red badge beside the profile picker, and the question asked before
//! the first send of a session to one.

use egui::{Color32, RichText, Ui};

use crate::profiles::Profile;

/// The red "PRODUCTION" badge.
pub fn production_badge_ui(ui: &mut Ui) -> egui::Response {
    // White on the theme's error red reads in both themes; the badge must not look like text.
    egui::Frame::new()
        .fill(ui.visuals().error_fg_color)
        .corner_radius(3.0)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| ui.label(RichText::new("PRODUCTION").color(Color32::WHITE).strong()))
        .response
        .on_hover_text("This profile sends to a live account. The first Submit of each session asks first.")
}

/// The answer to "Send to production profile X?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductionAnswer {
    /// Send, and do not ask again for this profile this session.
    Send,
    /// Do not send.
    Cancel,
}

/// Asks before the first send of the session to `profile`; `None` while no answer was given.
pub fn confirm_production_ui(ctx: &egui::Context, profile: &Profile) -> Option<ProductionAnswer> {
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique("confirm_production")).show(ctx, |ui| {
        ui.set_width(420.0);
        let title = format!("Send to production profile {}?", profile.name);
        crate::ui::widgets::name_dialog(ui, &title);
        ui.heading(title);
        let place = profile.base_url.as_deref().unwrap_or_default();
        let api = profile.backend().display_name();
        ui.add(
            egui::Label::new(format!(
                "This customer is created in the live {api} account at {place}. Intake asks once per profile and session."
            ))
            .wrap(),
        );
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button(RichText::new("Send").strong()).clicked() {
                answer = Some(ProductionAnswer::Send);
            }
            if ui.button("Cancel").clicked() {
                answer = Some(ProductionAnswer::Cancel);
            }
        });
    });
    if modal.should_close() {
        answer = answer.or(Some(ProductionAnswer::Cancel));
    }
    answer
}
