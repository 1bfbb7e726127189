//! Reusable form widgets: labelled fields with their messages, list editors, the time-zone
//! picker, the masked input, the success colour, and what a screen reader is told about them.

mod a11y;
mod color;
mod field;
mod list_editor;
mod masked;
mod timezone;

pub use a11y::{FieldState, describe_field, mark_tab, mark_tab_list, mark_tab_panel, name_dialog};
pub use color::success_color;
pub use field::{DIALOG_FIELD_WIDTH, FIELD_WIDTH, FieldUi, SECRET_FIELD_WIDTH, choice_ui, issue_message_ui, line_edit};
pub use list_editor::{ListSpec, list_editor_ui, text_list_ui};
pub use masked::masked_text_ui;
pub use timezone::{timezone_picker_ui, zip_zone_suggestion_ui};
