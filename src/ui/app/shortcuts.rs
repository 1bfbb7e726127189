//! The window's keyboard shortcuts, read once a frame and turned into [`AppCommand`]s.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::AppCommand;
use crate::model::Tab;

/// Ctrl+O: open a draft file.
pub const OPEN_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
/// Ctrl+S: save the draft as JSON.
pub const SAVE_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
/// Ctrl+N: start a new customer.
pub const NEW_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
/// Ctrl+Enter: send the customer.
pub const SUBMIT_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);
/// Ctrl+D: the Drafts panel (again: back to the request preview).
pub const DRAFTS_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::D);
/// Ctrl+P: open or close the Profiles window.
pub const PROFILES_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::P);
/// Ctrl+I: open or close the Import window.
pub const IMPORT_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::I);
/// Ctrl+1…4: the form's tabs, in order.
const TAB_KEYS: [Key; 4] = [Key::Num1, Key::Num2, Key::Num3, Key::Num4];

/// Which shortcuts work now: a dialog over the form takes the keys, and the form's shortcuts
/// wait until it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortcutScope {
    /// No dialog: every shortcut.
    All,
    /// The Profiles window is open: only Ctrl+P (to close it).
    ProfilesOnly,
    /// The Import window is open: only Ctrl+I (to close it); Ctrl+Enter is its Import.
    ImportOnly,
    /// A question is asked: none.
    None,
}

/// What the keys pressed this frame ask for, within `scope`.
pub fn shortcut_commands(ctx: &egui::Context, scope: ShortcutScope) -> Vec<AppCommand> {
    let mut commands = Vec::new();
    if matches!(scope, ShortcutScope::All | ShortcutScope::ProfilesOnly)
        && ctx.input_mut(|input| input.consume_shortcut(&PROFILES_SHORTCUT))
    {
        commands.push(AppCommand::ToggleProfiles);
    }
    if matches!(scope, ShortcutScope::All | ShortcutScope::ImportOnly)
        && ctx.input_mut(|input| input.consume_shortcut(&IMPORT_SHORTCUT))
    {
        commands.push(AppCommand::ToggleImport);
    }
    if scope != ShortcutScope::All {
        return commands;
    }
    ctx.input_mut(|input| {
        if input.consume_shortcut(&SUBMIT_SHORTCUT) {
            commands.push(AppCommand::Submit);
        }
        if input.consume_shortcut(&NEW_SHORTCUT) {
            commands.push(AppCommand::New);
        }
        if input.consume_shortcut(&DRAFTS_SHORTCUT) {
            commands.push(AppCommand::ToggleDrafts);
        }
        let tab = TAB_KEYS.iter().position(|key| input.consume_key(Modifiers::COMMAND, *key));
        if let Some(tab) = tab.and_then(|i| Tab::ALL.get(i)) {
            commands.push(AppCommand::SelectTab(*tab));
        }
        if input.consume_shortcut(&OPEN_SHORTCUT) {
            commands.push(AppCommand::Open);
        }
        if input.consume_shortcut(&SAVE_SHORTCUT) {
            commands.push(AppCommand::Save);
        }
    });
    commands
}
