//! A JSON value as a tree of collapsible nodes, drawn lazily.
//!
//! A closed container costs one line; an open one draws its children a page at a time, so an
//! array of a million items lays out a hundred rows until the person asks for more.

use std::collections::HashMap;

use egui::text::LayoutJob;
use egui::{Align, CollapsingHeader, FontSelection, Id, Label, RichText, Ui};
use serde_json::Value;

use super::prepared_body::format_bytes;

/// Children an open container shows before "Show more", and how many each click adds.
pub const CHILDREN_PAGE: usize = 100;

/// A string leaf longer than this shows its start and its size (the text view has it all).
const MAX_LEAF_CHARS: usize = 300;

/// Containers with at most this many children, among at most this many siblings, start open.
const AUTO_OPEN_MAX_CHILDREN: usize = 20;

/// ... as long as they are no deeper than this (top-level keys are depth 1).
const AUTO_OPEN_MAX_DEPTH: usize = 3;

/// How far each container of one tree has been paged ("Show more" clicks), by node id.
#[derive(Debug, Default)]
pub struct JsonTreeState {
    shown: HashMap<Id, usize>,
}

/// Draws `value` as a tree. The root's children are shown directly; `id` must be unique to
/// this body (it seeds every node's id).
pub fn json_tree_ui(ui: &mut Ui, id: Id, value: &Value, state: &mut JsonTreeState) {
    if is_container(value) {
        children_ui(ui, id, value, 0, state);
    } else {
        leaf_ui(ui, None, value);
    }
}

/// The first page(s) of a container's children, then "Show more" when there are more.
fn children_ui(ui: &mut Ui, id: Id, container: &Value, depth: usize, state: &mut JsonTreeState) {
    let len = child_count(container);
    let shown = state.shown.get(&id).copied().unwrap_or(CHILDREN_PAGE).min(len);
    match container {
        Value::Object(map) => {
            for (index, (key, child)) in map.iter().take(shown).enumerate() {
                node_ui(ui, id.with(index), key, child, (depth + 1, len), state);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().take(shown).enumerate() {
                node_ui(ui, id.with(index), &index.to_string(), child, (depth + 1, len), state);
            }
        }
        _ => {}
    }
    if shown < len {
        ui.horizontal(|ui| {
            if ui.button("Show more").on_hover_text(format!("Show {CHILDREN_PAGE} more")).clicked() {
                state.shown.insert(id, shown + CHILDREN_PAGE);
            }
            ui.label(RichText::new(format!("{shown} of {len} shown")).weak());
        });
    }
}

/// One named child: a collapsible header for a container, a `key: value` line for a leaf.
/// `place` is the child's depth and how many siblings it has.
fn node_ui(ui: &mut Ui, id: Id, key: &str, value: &Value, place: (usize, usize), state: &mut JsonTreeState) {
    let (depth, siblings) = place;
    if !is_container(value) {
        leaf_ui(ui, Some(key), value);
        return;
    }
    let len = child_count(value);
    let small = len <= AUTO_OPEN_MAX_CHILDREN && siblings <= AUTO_OPEN_MAX_CHILDREN;
    CollapsingHeader::new(RichText::new(container_label(key, value, len)).monospace())
        .id_salt(id)
        .default_open(small && depth <= AUTO_OPEN_MAX_DEPTH)
        .show(ui, |ui| children_ui(ui, id, value, depth, state));
}

fn leaf_ui(ui: &mut Ui, key: Option<&str>, value: &Value) {
    let mut job = LayoutJob::default();
    let style = ui.style().clone();
    if let Some(key) = key {
        RichText::new(format!("{key}: ")).monospace().strong().append_to(
            &mut job,
            &style,
            FontSelection::Default,
            Align::Center,
        );
    }
    let mut text = RichText::new(leaf_text(value)).monospace();
    if value.is_null() {
        text = text.weak();
    }
    text.append_to(&mut job, &style, FontSelection::Default, Align::Center);
    ui.add(Label::new(job).wrap());
}

/// `name: { 3 keys }`, `errors: [ 2 items ]`.
fn container_label(key: &str, value: &Value, len: usize) -> String {
    let plural = |one: &str, many: &str| if len == 1 { one.to_owned() } else { many.to_owned() };
    match value {
        Value::Object(_) => format!("{key}: {{ {len} {} }}", plural("key", "keys")),
        _ => format!("{key}: [ {len} {} ]", plural("item", "items")),
    }
}

/// A scalar as JSON writes it; a long string cut, with its full size.
fn leaf_text(value: &Value) -> String {
    match value {
        Value::String(s) => match s.char_indices().nth(MAX_LEAF_CHARS) {
            Some((cut, _)) => {
                let start = s.get(..cut).unwrap_or_default();
                format!("{}… ({} string)", Value::from(start), format_bytes(s.len()))
            }
            None => value.to_string(),
        },
        other => other.to_string(),
    }
}

fn is_container(value: &Value) -> bool {
    matches!(value, Value::Object(_) | Value::Array(_))
}

fn child_count(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.len(),
        Value::Array(items) => items.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn labels_say_what_a_container_holds() {
        assert_eq!(container_label("name", &json!({"a": 1}), 1), "name: { 1 key }");
        assert_eq!(container_label("errors", &json!([1, 2]), 2), "errors: [ 2 items ]");
    }

    #[test]
    fn long_strings_are_cut_with_their_size() {
        assert_eq!(leaf_text(&json!("Ada \"the\" first")), r#""Ada \"the\" first""#);
        assert_eq!(leaf_text(&json!(101)), "101");
        assert_eq!(leaf_text(&json!(null)), "null");
        let long = "x".repeat(5_000);
        let text = leaf_text(&Value::from(long));
        assert!(text.starts_with(&format!("\"{}\"…", "x".repeat(MAX_LEAF_CHARS))), "{text}");
        assert!(text.ends_with("(5.0 KB string)"), "{text}");
    }
}
