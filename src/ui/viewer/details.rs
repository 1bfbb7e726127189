//! The selected attempt in full: its meaning, status and timing, copy buttons, then headers and
//! bodies of the response and the request.

use egui::{CollapsingHeader, Color32, Grid, Id, Label, RichText, ScrollArea, Ui, Visuals};

use super::Attempt;
use super::body_view::body_ui;
use super::prepared::PreparedExchange;
use super::prepared_body::BodyKind;
use crate::backends::{Header, Outcome, curl_command};
use crate::ui::widgets::success_color;

/// Draws `attempt`; its number in the session keys the widgets of its bodies, so each attempt
/// keeps its own open nodes and paging.
pub(super) fn attempt_ui(ui: &mut Ui, attempt: &mut Attempt) {
    let Attempt { number, prepared, request_view, response_view } = attempt;
    let id = Id::unique(("viewer_attempt", *number));
    overview_ui(ui, prepared);
    copy_buttons_ui(ui, prepared);
    ui.separator();
    ScrollArea::vertical().id_salt("viewer_details").auto_shrink([false, false]).show(ui, |ui| {
        let exchange = prepared.exchange();
        match (&exchange.response, prepared.response_body()) {
            (Some(response), Some(body)) => {
                section_ui(ui, "viewer_response_headers", &headers_title("Response", &response.headers), |ui| {
                    headers_ui(ui, "viewer_response_headers_grid", &response.headers);
                });
                section_ui(ui, "viewer_response_body", "Response body", |ui| {
                    body_ui(ui, id.with("response"), body, response_view);
                });
            }
            _ => {
                ui.label(RichText::new("No response: nothing came back from the server.").weak());
            }
        }
        section_ui(ui, "viewer_request_headers", &headers_title("Request", &exchange.request_headers), |ui| {
            headers_ui(ui, "viewer_request_headers_grid", &exchange.request_headers);
        });
        section_ui(ui, "viewer_request_body", "Request body", |ui| {
            body_ui(ui, id.with("request"), prepared.request_body(), request_view);
        });
    });
}

/// The sentence, prominent and coloured by outcome, then the request line, status and timing.
fn overview_ui(ui: &mut Ui, prepared: &PreparedExchange) {
    let exchange = prepared.exchange();
    let color = outcome_color(ui.visuals(), &exchange.outcome);
    ui.add(Label::new(RichText::new(prepared.summary()).size(18.0).strong().color(color)).wrap());
    ui.add(Label::new(RichText::new(format!("{} {}", exchange.method, exchange.url)).monospace()).wrap());
    ui.horizontal(|ui| {
        ui.label(RichText::new("Status").weak());
        ui.label(RichText::new(prepared.status()).strong().color(color));
        ui.separator();
        ui.label(RichText::new("Latency").weak());
        ui.label(format!("{} ms", prepared.latency_millis()));
        ui.separator();
        ui.label(RichText::new("Started").weak());
        ui.label(prepared.started_clock());
        ui.separator();
        ui.label(exchange.backend.display_name());
    });
}

/// "Copy body" (as shown: pretty JSON, or the text received) and "Copy as curl" (masked).
fn copy_buttons_ui(ui: &mut Ui, prepared: &PreparedExchange) {
    ui.horizontal(|ui| {
        let body = prepared.response_body().filter(|body| body.kind() != BodyKind::Empty);
        let copy_body = ui
            .add_enabled(body.is_some(), egui::Button::new("Copy body"))
            .on_hover_text("Copy the response body as shown")
            .on_disabled_hover_text("This response has no body");
        if copy_body.clicked()
            && let Some(body) = body
        {
            ui.ctx().copy_text(body.text().to_owned());
        }
        let copy_curl = ui.button("Copy as curl").on_hover_text(
            "Copy the request as a curl command. Credentials stay masked: put the real one back before running it.",
        );
        if copy_curl.clicked() {
            ui.ctx().copy_text(curl_command(prepared.exchange()));
        }
    });
}

/// A collapsible section, open at first; its open state is shared by every attempt.
fn section_ui(ui: &mut Ui, id_salt: &str, title: &str, add_contents: impl FnOnce(&mut Ui)) {
    CollapsingHeader::new(RichText::new(title).strong()).id_salt(id_salt).default_open(true).show(ui, add_contents);
}

fn headers_title(side: &str, headers: &[Header]) -> String {
    format!("{side} headers ({})", headers.len())
}

/// Name and value per row, values exactly as recorded (credentials arrive masked).
fn headers_ui(ui: &mut Ui, id_salt: &str, headers: &[Header]) {
    if headers.is_empty() {
        ui.label(RichText::new("(no headers)").weak());
        return;
    }
    Grid::new(id_salt).num_columns(2).striped(true).spacing([16.0, 4.0]).show(ui, |ui| {
        for header in headers {
            ui.label(RichText::new(&header.name).monospace().strong());
            ui.add(Label::new(RichText::new(&header.value).monospace()).wrap());
            ui.end_row();
        }
    });
}

/// Green for a request that did its job (created, answered, token granted), amber for "wait and
/// retry", red for the rest.
pub(super) fn outcome_color(visuals: &Visuals, outcome: &Outcome) -> Color32 {
    match outcome {
        _ if outcome.is_success() => success_color(visuals),
        Outcome::RateLimited { .. } | Outcome::Cancelled => visuals.warn_fg_color,
        _ => visuals.error_fg_color,
    }
}
