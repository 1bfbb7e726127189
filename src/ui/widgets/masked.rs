//! A text field whose content is hidden until the person asks to see it (SSN last four).

use egui::{Response, Ui};

use super::field::line_edit;

/// Draws a masked single-line field with a Show/Hide toggle after it. `visible` is the toggle's
/// state. Returns the text field's response.
pub fn masked_text_ui(ui: &mut Ui, value: &mut String, visible: &mut bool, name: &str, width: f32) -> Response {
    ui.horizontal(|ui| {
        let response = ui.add(line_edit(value).password(!*visible).desired_width(width));
        let (text, action) = if *visible { ("Hide", "Hide") } else { ("Show", "Show") };
        if ui.small_button(text).accessible_name(format!("{action} {name}")).clicked() {
            *visible = !*visible;
        }
        response
    })
    .inner
}
