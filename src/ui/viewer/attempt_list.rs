//! The session's attempts, newest first; clicking one selects it.

use egui::accesskit::Role;
use egui::text::{LayoutJob, TextFormat, TextWrapping};
use egui::{Color32, FontId, Response, RichText, ScrollArea, Sense, StrokeKind, TextStyle, Ui, WidgetInfo, vec2};

use super::Attempt;
use super::details::outcome_color;

/// The sentence is cut to this many characters in the list (the full one is the tooltip).
const SHORT_SUMMARY_CHARS: usize = 44;

/// Draws the list; sets `selected` (an index into `attempts`, oldest first) on a click.
pub(super) fn attempt_list_ui(ui: &mut Ui, attempts: &[Attempt], selected: &mut usize) {
    ui.label(RichText::new(format!("Attempts this session ({})", attempts.len())).strong());
    let row_height = row_height(ui);
    // Every row is exactly this tall, so only the visible ones are drawn, however long a batch
    // has made the list.
    ScrollArea::vertical().id_salt("viewer_attempt_list").auto_shrink([false, false]).show_rows(
        ui,
        row_height,
        attempts.len(),
        |ui, rows| {
            for row in rows {
                // Row 0 is the newest attempt.
                let index = attempts.len() - 1 - row;
                let Some(attempt) = attempts.get(index) else { continue };
                let response = attempt_row_ui(ui, attempt, *selected == index, row_height)
                    .on_hover_text(attempt.prepared.summary());
                if response.clicked() {
                    *selected = index;
                }
            }
        },
    );
}

/// Two lines of text inside a button's padding.
fn row_height(ui: &Ui) -> f32 {
    ui.text_style_height(&TextStyle::Monospace)
        + ui.text_style_height(&TextStyle::Body)
        + 2.0 * ui.spacing().button_padding.y
}

/// One attempt as a selectable row of fixed height: `#2 14:03:07 POST 201 84 ms` over the start
/// of the sentence in the outcome's colour, each line cut to the row's width.
fn attempt_row_ui(ui: &mut Ui, attempt: &Attempt, selected: bool, height: f32) -> Response {
    let (first_line, second_line) = row_lines(attempt);
    let (rect, response) = ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::click());
    response.widget_info(|| {
        WidgetInfo::selected(Role::Button, ui.is_enabled(), selected, format!("{first_line}\n{second_line}"))
    });
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let visuals = ui.style().interact_selectable(&response, selected);
    if selected || response.hovered() || response.has_focus() {
        ui.painter().rect(rect, visuals.corner_radius, visuals.weak_bg_fill, visuals.bg_stroke, StrokeKind::Inside);
    }
    let padding = ui.spacing().button_padding;
    let text_width = (rect.width() - 2.0 * padding.x).max(0.0);
    let outcome = outcome_color(ui.visuals(), &attempt.prepared.exchange().outcome);
    let first = one_line(first_line, TextStyle::Monospace.resolve(ui.style()), visuals.text_color(), text_width);
    // On the selection's background the outcome colour may not read: use the selection's.
    let second_color = if selected { visuals.text_color() } else { outcome };
    let second = one_line(second_line, TextStyle::Body.resolve(ui.style()), second_color, text_width);
    let top_left = rect.min + padding;
    let first = ui.painter().layout_job(first);
    let second_top = top_left + vec2(0.0, ui.text_style_height(&TextStyle::Monospace));
    ui.painter().galley(top_left, first, visuals.text_color());
    ui.painter().galley(second_top, ui.painter().layout_job(second), second_color);
    response
}

/// A single line, cut with `…` at `width`.
fn one_line(text: String, font_id: FontId, color: Color32, width: f32) -> LayoutJob {
    let mut job = LayoutJob::single_section(text, TextFormat::simple(font_id, color));
    job.wrap = TextWrapping::truncate_at_width(width);
    job
}

/// `#2 14:03:07 POST 201 84 ms` (or the failure kind instead of a status) and the sentence.
fn row_lines(attempt: &Attempt) -> (String, String) {
    let prepared = &attempt.prepared;
    let exchange = prepared.exchange();
    let status = match &exchange.response {
        Some(response) => response.status.to_string(),
        None => exchange.outcome.kind().replace('_', " "),
    };
    let first = format!(
        "#{} {} {} {status} {} ms",
        attempt.number,
        prepared.started_clock(),
        exchange.method,
        prepared.latency_millis()
    );
    (first, short_summary(prepared.summary()))
}

/// The sentence up to the last whole word within [`SHORT_SUMMARY_CHARS`].
fn short_summary(summary: &str) -> String {
    let Some((cut, _)) = summary.char_indices().nth(SHORT_SUMMARY_CHARS) else { return summary.to_owned() };
    let head = summary.get(..cut).unwrap_or_default();
    let head = head.rsplit_once(' ').map_or(head, |(words, _)| words);
    format!("{}…", head.trim_end_matches([' ', ',', ';', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_sentences_are_cut_between_words() {
        assert_eq!(short_summary("Created customer 101."), "Created customer 101.");
        let long = "No answer within 30 s. The customer may or may not have been created.";
        assert_eq!(short_summary(long), "No answer within 30 s. The customer may or…");
    }
}
