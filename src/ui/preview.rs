//! The "Request preview" panel: the exact JSON body that would be sent.

use egui::{RichText, Ui};
use serde_json::Value;

use crate::model::Backend;

/// Pretty JSON of the body, with the SSN last four masked unless `reveal_ssn`.
pub fn preview_text(body: &Value, reveal_ssn: bool) -> String {
    let mut body = body.clone();
    if !reveal_ssn
        && let Some(ssn) = body.get_mut("ssnLastFour")
        && ssn.is_string()
    {
        *ssn = Value::String("••••".to_owned());
    }
    serde_json::to_string_pretty(&body).unwrap_or_default()
}

/// Draws the panel.
pub fn preview_ui(ui: &mut Ui, backend: Backend, text: &str, error_count: usize) {
    ui.add_space(6.0);
    ui.heading("Request preview");
    ui.label(RichText::new(format!("POST {} · {}", backend.create_path(), backend.display_name())).monospace().weak());
    if error_count > 0 {
        let noun = if error_count == 1 { "error" } else { "errors" };
        ui.label(
            RichText::new(format!("{error_count} {noun} to fix before this can be sent"))
                .color(ui.visuals().error_fg_color)
                .small(),
        );
    } else {
        ui.label(RichText::new("No errors: this body is ready to send").small());
    }
    ui.horizontal(|ui| {
        if ui.button("Copy JSON").on_hover_text("Copy the body as shown").clicked() {
            ui.ctx().copy_text(text.to_owned());
        }
    });
    ui.separator();
    egui::ScrollArea::both().id_salt("preview_scroll").auto_shrink([false, false]).show(ui, |ui| {
        ui.add(egui::Label::new(RichText::new(text).monospace()).extend());
    });
}
