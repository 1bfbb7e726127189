//! The Secrets section of the profile editor: for each secret the sign-in kind uses, where it
//! is kept (masked), a password field for a new one, and buttons to store it in the keyring or
//! for this session only, or to remove it. A secret is never shown in full: the field is
//! masked and emptied as soon as a button takes its content.

use std::collections::HashMap;

use egui::{RichText, Ui};

use super::secret_status::{SecretStatuses, state_text};
use crate::backends::Secret;
use crate::credentials::{KEYRING_SERVICE, KeyringError, SecretKind, Storage};
use crate::profiles::AuthKind;
use crate::ui::widgets::SECRET_FIELD_WIDTH;

/// Secrets being typed, by kind. Emptied when the editor switches profile or closes.
#[derive(Default)]
pub struct SecretInputs {
    values: HashMap<SecretKind, String>,
}

impl std::fmt::Debug for SecretInputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let typed: Vec<&str> = self.values.iter().filter(|(_, v)| !v.is_empty()).map(|(k, _)| k.as_str()).collect();
        f.debug_struct("SecretInputs").field("typed", &typed).finish()
    }
}

impl SecretInputs {
    /// Forgets everything typed.
    pub fn clear(&mut self) {
        self.values.clear();
    }
}

/// What the person asked for in the section.
#[derive(Debug)]
pub enum SecretAction {
    /// Keep the typed secret.
    Store {
        /// Which secret.
        kind: SecretKind,
        /// The secret, taken out of its field.
        secret: Secret,
        /// Keyring or session.
        storage: Storage,
    },
    /// Remove a kept secret.
    Remove(SecretKind),
}

/// What the section shows.
#[derive(Debug, Clone, Copy)]
pub struct SecretsView<'a> {
    /// The saved profile's name; `None` while it is new (its secrets need a name).
    pub profile: Option<&'a str>,
    /// How the profile signs in.
    pub auth: AuthKind,
    /// A built-in sandbox profile (nothing to store).
    pub built_in: bool,
    /// What the vault holds.
    pub statuses: &'a SecretStatuses,
    /// Keyring work for this profile is under way.
    pub busy: bool,
}

/// Draws the section; returns what the person asked for.
pub fn secrets_ui(ui: &mut Ui, view: SecretsView<'_>, inputs: &mut SecretInputs) -> Option<SecretAction> {
    ui.label(RichText::new("Secrets").strong());
    if view.built_in {
        ui.label(
            RichText::new("The built-in sandbox signs in with its published credentials: nothing to store.").weak(),
        );
        return None;
    }
    let Some(profile) = view.profile else {
        ui.label(RichText::new("Save the profile first; then store its secrets here.").weak());
        return None;
    };
    let keyring = view.statuses.keyring();
    keyring_note_ui(ui, keyring);
    let secrets = view.statuses.of(profile);
    let mut action = None;
    egui::Grid::new("profile_secrets").num_columns(2).spacing([16.0, 6.0]).min_col_width(130.0).show(ui, |ui| {
        for kind in view.auth.secret_kinds() {
            let label = ui.label(kind.label());
            ui.vertical(|ui| {
                let state = secrets.and_then(|s| s.kinds.get(kind));
                let present = matches!(state, Some(Ok(Some(_))));
                ui.horizontal(|ui| {
                    ui.label(state_text(state));
                    if view.auth == AuthKind::OauthApp && *kind != SecretKind::ClientSecret {
                        ui.label(RichText::new("(obtained from the OAuth app)").small().weak());
                    }
                    if present
                        && ui
                            .add_enabled(!view.busy, egui::Button::new("Remove").small())
                            .accessible_name(format!("Remove {}", kind.noun()))
                            .clicked()
                    {
                        action = Some(SecretAction::Remove(*kind));
                    }
                });
                if view.auth.typed_secrets().contains(kind) {
                    let value = inputs.values.entry(*kind).or_default();
                    if let Some(chosen) = input_row_ui(ui, *kind, value, keyring, view.busy, label.id) {
                        action = Some(chosen);
                    }
                }
            });
            ui.end_row();
        }
    });
    if view.busy {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Talking to the keyring…");
        });
    }
    action
}

/// Where secrets go, in a sentence; when the keyring cannot be used, that plainly.
fn keyring_note_ui(ui: &mut Ui, keyring: Option<&Result<(), KeyringError>>) {
    match keyring {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Checking the keyring…");
            });
        }
        Some(Ok(())) => {
            let text = format!(
                "Secrets are kept in the OS keyring (service \"{KEYRING_SERVICE}\"), never in a file. Only their last characters are shown."
            );
            ui.add(egui::Label::new(RichText::new(text).small().weak()).wrap());
        }
        Some(Err(error)) => {
            let text = format!(
                "{} Secrets you enter are kept in memory for this session only and never written anywhere.",
                super::editor::sentence(&error.to_string())
            );
            ui.add(egui::Label::new(RichText::new(text).color(ui.visuals().warn_fg_color)).wrap());
        }
    }
}

/// The password field and its buttons; the keyring button only when the keyring works.
fn input_row_ui(
    ui: &mut Ui,
    kind: SecretKind,
    value: &mut String,
    keyring: Option<&Result<(), KeyringError>>,
    busy: bool,
    label_id: egui::Id,
) -> Option<SecretAction> {
    let noun = kind.noun();
    let optional = kind == SecretKind::RefreshToken;
    let hint = if optional { format!("new {noun} (optional)") } else { format!("new {noun}") };
    let mut storage = None;
    ui.horizontal(|ui| {
        let edit = egui::TextEdit::singleline(value).password(true).hint_text(hint).desired_width(SECRET_FIELD_WIDTH);
        let response = ui.add(edit).labelled_by(label_id);
        let ready = !busy && !value.trim().is_empty() && keyring.is_some();
        let keyring_works = matches!(keyring, Some(Ok(())));
        if keyring_works
            && ui
                .add_enabled(ready, egui::Button::new("Store in keyring"))
                .accessible_name(format!("Store {noun} in keyring"))
                .clicked()
        {
            storage = Some(Storage::Keyring);
        }
        if ui
            .add_enabled(ready, egui::Button::new("Use for this session only"))
            .accessible_name(format!("Use {noun} for this session only"))
            .clicked()
        {
            storage = Some(Storage::Session);
        }
        if ready && response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            storage = Some(if keyring_works { Storage::Keyring } else { Storage::Session });
        }
    });
    let storage = storage?;
    let secret = Secret::new(std::mem::take(value));
    Some(SecretAction::Store { kind, secret, storage })
}
