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

/// Above this many bytes the preview is drawn line by line, only the lines in view: one label
/// of a 1 MB body (a large metadata object) costs egui time in every frame, in view or not.
const LINES_FROM_BYTES: usize = 100_000;

/// The preview's text and where each of its lines starts, made once per change of the form.
#[derive(Debug, Default)]
pub struct PreviewText {
    text: String,
    /// Byte offsets of line starts; empty for a text drawn as one label.
    line_starts: Vec<usize>,
}

impl PreviewText {
    /// `text`, with its lines indexed when it is large.
    pub fn new(text: String) -> Self {
        let line_starts = if text.len() > LINES_FROM_BYTES {
            std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect()
        } else {
            Vec::new()
        };
        Self { text, line_starts }
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn line(&self, index: usize) -> &str {
        let start = self.line_starts.get(index).copied().unwrap_or(self.text.len());
        let end = self.line_starts.get(index + 1).map_or(self.text.len(), |next| next - 1);
        self.text.get(start..end).unwrap_or_default()
    }
}

/// Draws the panel.
pub fn preview_ui(ui: &mut Ui, backend: Backend, preview: &PreviewText, error_count: usize) {
    let text = preview.text();
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
    let scroll = egui::ScrollArea::both().id_salt("preview_scroll").auto_shrink([false, false]);
    if preview.line_starts.is_empty() {
        scroll.show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(text).monospace()).extend());
        });
    } else {
        let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
        scroll.show_rows(ui, row_height, preview.line_starts.len(), |ui, lines| {
            ui.spacing_mut().item_spacing.y = 0.0;
            for index in lines {
                ui.add(egui::Label::new(RichText::new(preview.line(index)).monospace()).extend());
            }
        });
    }
}
