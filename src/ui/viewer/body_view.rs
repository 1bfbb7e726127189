//! One body, request or response: a JSON tree, or text drawn only where the scroll area shows it.
//!
//! The text view never hands egui the whole body: it lays out the rows in view, out of the
//! first 64 KB until "Show all" is clicked, and of every row after.

use egui::{Id, Label, RichText, ScrollArea, TextStyle, Ui};

use super::json_tree::{JsonTreeState, json_tree_ui};
use super::prepared_body::{BodyKind, PREVIEW_BYTES, PreparedBody, format_bytes};

/// Tallest a body view grows before it scrolls on its own.
pub const BODY_MAX_HEIGHT: f32 = 360.0;

/// How a JSON body is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BodyMode {
    /// Collapsible nodes.
    #[default]
    Tree,
    /// Pretty-printed text.
    Text,
}

/// What the person did to one body view: kept per attempt, so switching back finds it as left.
#[derive(Debug, Default)]
pub struct BodyViewState {
    /// Tree or text, for JSON.
    pub mode: BodyMode,
    /// "Show all" was clicked: the text view covers every row, not the first 64 KB.
    pub show_all: bool,
    /// Paging of the tree's containers.
    pub tree: JsonTreeState,
}

/// Draws `body`. `id` must be unique to this body of this attempt.
pub fn body_ui(ui: &mut Ui, id: Id, body: &PreparedBody, state: &mut BodyViewState) {
    let BodyViewState { mode, show_all, tree } = state;
    if body.kind() == BodyKind::Empty {
        ui.label(RichText::new("(empty body)").weak());
        return;
    }
    ui.horizontal(|ui| {
        ui.label(RichText::new(body.description()).weak());
        if body.kind() == BodyKind::Json {
            ui.selectable_value(mode, BodyMode::Tree, "Tree").on_hover_text("Show the JSON as collapsible nodes");
            ui.selectable_value(mode, BodyMode::Text, "Text").on_hover_text("Show the JSON as pretty-printed text");
        }
    });
    if let Some(full_bytes) = body.truncated_from() {
        let note = format!(
            "Cut: only the first {} of {} were kept.",
            format_bytes(body.received_bytes()),
            format_bytes(full_bytes)
        );
        ui.label(RichText::new(note).color(ui.visuals().warn_fg_color));
    }
    if !body.is_valid_utf8() {
        ui.label(RichText::new("Not valid UTF-8: undecodable bytes are shown as replacement characters.").weak());
    }
    match (body.json(), *mode) {
        (Some(value), BodyMode::Tree) => {
            ScrollArea::vertical()
                .id_salt(id.with("tree"))
                .max_height(BODY_MAX_HEIGHT)
                .auto_shrink([false, true])
                .show(ui, |ui| json_tree_ui(ui, id.with("tree"), value, tree));
        }
        _ => text_rows_ui(ui, id, body, show_all),
    }
}

/// The text, one row per line (long lines split), laid out only where visible.
fn text_rows_ui(ui: &mut Ui, id: Id, body: &PreparedBody, show_all: &mut bool) {
    let total = body.row_count();
    let shown = if *show_all { total } else { body.preview_row_count() };
    let row_height = ui.text_style_height(&TextStyle::Monospace);
    ScrollArea::both().id_salt(id.with("text")).max_height(BODY_MAX_HEIGHT).auto_shrink([false, true]).show_rows(
        ui,
        row_height,
        shown,
        |ui, rows| {
            for index in rows {
                ui.add(Label::new(RichText::new(body.row(index)).monospace()).extend());
            }
        },
    );
    if shown < total {
        ui.horizontal(|ui| {
            let button = ui.button(format!("Show all ({})", format_bytes(body.text().len())));
            if button.on_hover_text("Rows are still drawn only where you scroll").clicked() {
                *show_all = true;
            }
            let note = format!("Showing the first {} ({shown} of {total} rows).", format_bytes(PREVIEW_BYTES));
            ui.label(RichText::new(note).weak());
        });
    }
}
