//! [`FieldUi`]: draws labelled form rows in a two-column grid and the messages under each
//! field, and records which fields the person edited.

use egui::{Response, RichText, Ui};

use super::a11y::{FieldState, describe_field};
use crate::model::Backend;
use crate::model::limits::LINE_MAX_CHARS;
use crate::ui::form_state::{FieldEdits, IssueView};
use crate::validation::rules::required_at;
use crate::validation::{Issue, Severity};

/// Width of text fields in the form.
pub const FIELD_WIDTH: f32 = 320.0;
/// Width of text fields in dialogs (the Profiles window's settings), beside a narrower label.
pub const DIALOG_FIELD_WIDTH: f32 = 300.0;
/// Width of a secret's masked input, beside its storage buttons.
pub const SECRET_FIELD_WIDTH: f32 = 220.0;

/// Per-frame helper for drawing fields; collects the edits a tab made.
pub struct FieldUi<'a> {
    backend: Backend,
    issues: IssueView<'a>,
    /// Pointers of fields edited this frame.
    pub edited: Vec<String>,
    /// Whether any value changed this frame.
    pub changed: bool,
    /// Give the keyboard focus to the next row's field.
    pub focus_next_row: bool,
}

impl<'a> FieldUi<'a> {
    /// Starts a frame's drawing over these issues.
    pub fn new(backend: Backend, issues: IssueView<'a>) -> Self {
        Self { backend, issues, edited: Vec::new(), changed: false, focus_next_row: false }
    }

    /// Whether the field at `pointer` must be filled in (see [`required_at`]).
    fn is_required(&self, pointer: &str) -> bool {
        required_at(self.backend, pointer)
    }

    /// What was edited this frame, for [`crate::ui::form_state::FormState::edit_with_issues`].
    pub fn into_edits(self) -> FieldEdits {
        FieldEdits { edited: self.edited, changed: self.changed }
    }

    /// Notes an edit of the field at `pointer` when `response` (its editor) changed, and tells
    /// a screen reader whether the field is required and what is shown under it. Every editor
    /// of the form passes through here.
    pub fn track(&mut self, pointer: &str, response: &Response) {
        self.describe(pointer, response);
        if response.changed() {
            self.edited_at(pointer);
        }
    }

    /// The editor's required state, and the messages shown under the field as its description
    /// (invalid while one is an error).
    fn describe(&self, pointer: &str, response: &Response) {
        let issues: Vec<&Issue> = self.issues.visible_at(pointer).collect();
        let notice = self.issues.notice_at(pointer);
        let messages: Vec<&str> = issues.iter().map(|issue| issue.message.as_str()).chain(notice).collect();
        let invalid = issues.iter().any(|issue| issue.severity == Severity::Error);
        describe_field(response, &FieldState { required: self.is_required(pointer), messages: &messages, invalid });
    }

    /// Notes an edit of the field at `pointer` made without a single response (a row view).
    pub fn edited_at(&mut self, pointer: &str) {
        self.edited.push(pointer.to_owned());
        self.changed = true;
    }

    /// Notes a structural edit (a row added or removed) that touches no single field.
    pub fn mark_changed(&mut self) {
        self.changed = true;
    }

    /// Draws the shown messages for `pointer`.
    pub fn messages_ui(&self, ui: &mut Ui, pointer: &str) {
        for issue in self.issues.visible_at(pointer) {
            issue_message_ui(ui, issue);
        }
        if let Some(notice) = self.issues.notice_at(pointer) {
            let text = RichText::new(format!("✂ {notice}")).color(ui.visuals().warn_fg_color).size(12.0);
            ui.add(egui::Label::new(text).wrap());
        }
    }

    /// A grid row: the label, then whatever `add_field` draws (given the label's id to link
    /// the input to), then the field's messages under it.
    pub fn row(
        &mut self,
        ui: &mut Ui,
        label: &str,
        pointer: &str,
        add_field: impl FnOnce(&mut Ui, egui::Id) -> Response,
    ) -> Response {
        let required = self.is_required(pointer);
        let label_response = ui
            .horizontal(|ui| {
                let label_response = ui.label(label);
                if required {
                    ui.label(RichText::new("*").color(ui.visuals().error_fg_color)).on_hover_text("Required");
                }
                label_response
            })
            .inner;
        let response = ui
            .vertical(|ui| {
                let response = add_field(ui, label_response.id);
                self.messages_ui(ui, pointer);
                response
            })
            .inner;
        ui.end_row();
        if std::mem::take(&mut self.focus_next_row) {
            response.request_focus();
        }
        self.track(pointer, &response);
        response
    }

    /// A grid row with a single-line text field.
    pub fn text_row(&mut self, ui: &mut Ui, label: &str, pointer: &str, value: &mut String, hint: &str) -> Response {
        self.row(ui, label, pointer, |ui, label_id| {
            ui.add(line_edit(value).hint_text(hint).desired_width(FIELD_WIDTH)).labelled_by(label_id)
        })
    }

    /// A grid row with a drop-down of fixed choices; an empty choice means "not set". A value
    /// loaded from a file that is not among the choices is kept and shown as it is.
    pub fn choice_row(
        &mut self,
        ui: &mut Ui,
        label: &str,
        pointer: &str,
        value: &mut String,
        choices: &[&str],
    ) -> Response {
        self.row(ui, label, pointer, |ui, label_id| choice_ui(ui, pointer, value, choices, 160.0).labelled_by(label_id))
    }
}

/// A drop-down over `choices` plus "(none)"; returns a response that reports `changed`.
pub fn choice_ui(ui: &mut Ui, id_salt: &str, value: &mut String, choices: &[&str], width: f32) -> Response {
    let shown = if value.is_empty() { "(none)".to_owned() } else { value.clone() };
    let mut changed = false;
    let mut response = egui::ComboBox::from_id_salt(id_salt)
        .selected_text(shown)
        .width(width)
        .show_ui(ui, |ui| {
            for choice in std::iter::once("").chain(choices.iter().copied()) {
                let text = if choice.is_empty() { "(none)" } else { choice };
                if ui.selectable_label(value.as_str() == choice, text).clicked() && value.as_str() != choice {
                    choice.clone_into(value);
                    changed = true;
                }
            }
        })
        .response;
    if changed {
        response.mark_changed();
    }
    response
}

/// One message line under a field, coloured by severity.
pub fn issue_message_ui(ui: &mut Ui, issue: &Issue) {
    let (icon, color) = match issue.severity {
        Severity::Error => ("✖", ui.visuals().error_fg_color),
        Severity::Warning => ("⚠", ui.visuals().warn_fg_color),
    };
    ui.add(egui::Label::new(RichText::new(format!("{icon} {}", issue.message)).color(color).size(12.0)).wrap());
}

/// A one-line text edit that stops at [`LINE_MAX_CHARS`], so a huge paste cannot swamp the form.
pub fn line_edit(value: &mut String) -> egui::TextEdit<'_> {
    egui::TextEdit::singleline(value).char_limit(LINE_MAX_CHARS)
}
