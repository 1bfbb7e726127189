//! What a screen reader is told beyond what egui tells it by itself: tab bars announced as tabs
//! (not toggle buttons), a field's required state and its current problems, and a dialog's
//! name. AccessKit carries it to AT-SPI on Linux (and to the other platforms' APIs).

use egui::accesskit::{Invalid, Role};
use egui::{Id, Response, Ui};

/// Announces the `Ui` drawing a row of tabs (a `horizontal` holding them) as a tab list named
/// `name`. Call inside that `Ui`, before or after its tabs.
pub fn mark_tab_list(ui: &Ui, name: &str) {
    ui.ctx().accesskit_node_builder(ui.unique_id(), |node| {
        node.set_role(Role::TabList);
        node.set_label(name);
    });
}

/// Announces a selectable label of a tab bar as a tab, selected or not, instead of a toggle
/// button that is on or off. `shortcut` is the key that selects it, when it has one.
pub fn mark_tab(response: &Response, selected: bool, shortcut: Option<&str>) {
    response.ctx.accesskit_node_builder(response.id, |node| {
        node.set_role(Role::Tab);
        node.clear_toggled();
        node.set_selected(selected);
        if let Some(shortcut) = shortcut {
            node.set_keyboard_shortcut(shortcut);
        }
    });
}

/// Announces the `Ui` showing the selected tab's content as its tab panel, named by the tab
/// `tab_id`. Call inside that `Ui`.
pub fn mark_tab_panel(ui: &Ui, tab_id: Id) {
    ui.ctx().accesskit_node_builder(ui.unique_id(), |node| {
        node.set_role(Role::TabPanel);
        node.push_labelled_by(tab_id.accesskit_id());
    });
}

/// What a screen reader is told about a field's editor besides its name and value.
#[derive(Debug, Clone, Copy, Default)]
pub struct FieldState<'a> {
    /// The field must be filled in.
    pub required: bool,
    /// The messages shown under the field, in order: they become its description, so they are
    /// read when the field gets focus.
    pub messages: &'a [&'a str],
    /// One of the messages is an error (not only warnings).
    pub invalid: bool,
}

/// Tells a screen reader `state` about the editor of `response`.
///
/// Nodes are built afresh each frame, so a problem that is gone is no longer said.
pub fn describe_field(response: &Response, state: &FieldState<'_>) {
    response.ctx.accesskit_node_builder(response.id, |node| {
        if state.required {
            node.set_required();
        }
        if !state.messages.is_empty() {
            node.set_description(state.messages.join(" "));
        }
        if state.invalid {
            node.set_invalid(Invalid::True);
        }
    });
}

/// Announces the `Modal` or `Window` that `ui` is drawn in as a dialog named `name` (its
/// title), modal when it is a `Modal`. Call inside the dialog's content.
pub fn name_dialog(ui: &Ui, name: &str) {
    let Some(dialog) =
        ui.stack().iter().find(|frame| matches!(frame.kind(), Some(egui::UiKind::Modal | egui::UiKind::Window)))
    else {
        return;
    };
    let modal = dialog.kind() == Some(egui::UiKind::Modal);
    ui.ctx().accesskit_node_builder(dialog.unique_id, |node| {
        node.set_role(Role::Dialog);
        node.set_label(name);
        if modal {
            node.set_modal();
        }
    });
}
