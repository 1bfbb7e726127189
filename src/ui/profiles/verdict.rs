//! The verdict of "Test credentials": a box coloured by the outcome (green when the credentials
//! work, red otherwise) with the headline, who the credentials reach, the next step and the
//! latency. The requests themselves are in the response viewer.

use std::time::Duration;

use egui::{RichText, Stroke, Ui};

use crate::credentials::CheckReport;
use crate::ui::widgets::success_color;

/// Draws `report` in a framed box.
pub fn verdict_ui(ui: &mut Ui, report: &CheckReport) {
    let (icon, color) =
        if report.is_ok() { ("✔", success_color(ui.visuals())) } else { ("✖", ui.visuals().error_fg_color) };
    egui::Frame::group(ui.style()).stroke(Stroke::new(1.5, color)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let headline = RichText::new(format!("{icon} {}", report.headline)).color(color).strong();
        ui.add(egui::Label::new(headline).wrap());
        if let Some(identity) = &report.identity {
            ui.label(format!("Signed in as {identity}"));
        }
        ui.add(egui::Label::new(format!("Next: {}", report.next_step)).wrap());
        let requests = match report.exchanges.len() {
            0 => "no request sent".to_owned(),
            1 => "1 request, listed under Responses".to_owned(),
            n => format!("{n} requests, listed under Responses"),
        };
        let text = format!("Latency {} · {requests}", millis(report.latency));
        ui.label(RichText::new(text).small().weak());
    });
}

/// "12 ms".
fn millis(latency: Duration) -> String {
    format!("{} ms", latency.as_millis())
}

/// "Testing… 1.2 s" while a test runs.
pub fn testing_ui(ui: &mut Ui, elapsed: Duration) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(format!("Testing… {:.1} s", elapsed.as_secs_f32()));
    });
}
