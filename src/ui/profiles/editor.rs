//! [`ProfileForm`]: the editable copy of one profile's settings, drawn as a labelled grid, and
//! turned back into a [`Profile`] with any error placed at the field it is about.
//!
//! The form holds text as typed (timeouts too), so a failed save loses nothing: the person
//! fixes the one field the message points at and saves again.

use egui::{RichText, Ui};

use crate::model::Backend;
use crate::profiles::{AuthKind, Profile, ProfileError, ProfileKind};
use crate::ui::widgets::{DIALOG_FIELD_WIDTH, FieldState, describe_field, line_edit};

/// Help Scout's public API address, filled in when a new profile picks Help Scout.
pub const HELPSCOUT_BASE_URL: &str = "https://api.helpscout.net";

/// The longest timeout the editor accepts, in seconds: longer waits look like a hang.
const MAX_TIMEOUT_SECS: u64 = 600;

/// Which field an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// The profile's name.
    Name,
    /// The base URL.
    BaseUrl,
    /// The OAuth app's client id.
    ClientId,
    /// The connect timeout.
    ConnectTimeout,
    /// The total timeout.
    Timeout,
    /// The profile as a whole (shown under the buttons).
    Whole,
}

/// Why a save was refused, in a sentence, and where to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    /// The field it is about.
    pub field: FormField,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl FormError {
    fn at(field: FormField, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }

    /// The store's refusal, placed at the field it names.
    pub fn from_profile_error(error: &ProfileError) -> Self {
        let field = match error {
            ProfileError::BadUrl { .. }
            | ProfileError::InsecureUrl(_)
            | ProfileError::UrlExtras(_)
            | ProfileError::NoBaseUrl(_) => FormField::BaseUrl,
            ProfileError::Duplicate(_) | ProfileError::BadName => FormField::Name,
            _ => FormField::Whole,
        };
        Self::at(field, sentence(&error.to_string()))
    }
}

/// `text` with a capital first letter and a full stop: the core's messages are sentence
/// fragments meant to follow "intake: ".
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// The editable settings of one profile, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileForm {
    /// The saved profile this edits; `None` for a profile not saved yet.
    pub original: Option<String>,
    /// A built-in sandbox profile: only timeouts and the production flag can change.
    pub built_in: bool,
    /// The name as typed.
    pub name: String,
    /// The API (chosen only while the profile is new).
    pub backend: Backend,
    /// The base URL as typed (real profiles).
    pub base_url: String,
    /// How it signs in (Help Scout offers a choice).
    pub auth: AuthKind,
    /// The OAuth app's client id as typed.
    pub client_id: String,
    /// Seconds allowed to connect, as typed.
    pub connect_timeout: String,
    /// Seconds allowed for a whole request, as typed.
    pub timeout: String,
    /// A live account.
    pub production: bool,
}

impl ProfileForm {
    /// The form of a saved profile.
    pub fn from_profile(profile: &Profile) -> Self {
        Self {
            original: Some(profile.name.clone()),
            built_in: profile.kind.is_sandbox(),
            name: profile.name.clone(),
            backend: profile.backend(),
            base_url: profile.base_url.clone().unwrap_or_default(),
            auth: profile.auth_kind(),
            client_id: profile.client_id.clone().unwrap_or_default(),
            connect_timeout: profile.connect_timeout_secs.to_string(),
            timeout: profile.timeout_secs.to_string(),
            production: profile.production,
        }
    }

    /// An empty form for a new Finosu profile with the default timeouts.
    pub fn new_profile() -> Self {
        let defaults = Profile::new("", ProfileKind::Finosu, None);
        Self { original: None, ..Self::from_profile(&defaults) }
    }

    /// Whether this form is for a profile not saved yet.
    pub fn is_new(&self) -> bool {
        self.original.is_none()
    }

    /// Picks the API of a new profile: its usual way of signing in, and Help Scout's address
    /// when none was typed.
    fn set_backend(&mut self, backend: Backend) {
        if backend == self.backend {
            return;
        }
        self.backend = backend;
        self.auth = AuthKind::choices(backend)[0];
        match backend {
            Backend::HelpScout if self.base_url.trim().is_empty() => HELPSCOUT_BASE_URL.clone_into(&mut self.base_url),
            Backend::Finosu if self.base_url == HELPSCOUT_BASE_URL => self.base_url.clear(),
            _ => {}
        }
    }

    /// The profile to save: `saved` (the stored version, keeping what was learned from the
    /// server) with the form's settings, or a new one. The store checks name and URL.
    pub fn to_profile(&self, saved: Option<&Profile>) -> Result<Profile, FormError> {
        let connect = parse_secs(&self.connect_timeout, FormField::ConnectTimeout, "The connect timeout")?;
        let timeout = parse_secs(&self.timeout, FormField::Timeout, "The total timeout")?;
        let kind = ProfileKind::for_real(self.backend);
        let mut profile = saved.cloned().unwrap_or_else(|| Profile::new(self.name.clone(), kind, None));
        profile.connect_timeout_secs = connect;
        profile.timeout_secs = timeout;
        profile.production = self.production;
        if self.built_in {
            return Ok(profile);
        }
        self.name.clone_into(&mut profile.name);
        let base_url = self.base_url.trim();
        if base_url.is_empty() {
            let example = match self.backend {
                Backend::Finosu => "https://api.finosu.example",
                Backend::HelpScout => HELPSCOUT_BASE_URL,
            };
            return Err(FormError::at(FormField::BaseUrl, format!("Type the API's base URL, e.g. {example}.")));
        }
        profile.base_url = Some(base_url.to_owned());
        let client_id = self.client_id.trim();
        // An id typed for an OAuth app is kept when the person tries a pasted token instead.
        profile.client_id = (!client_id.is_empty()).then(|| client_id.to_owned());
        if self.backend == Backend::HelpScout {
            if self.auth == AuthKind::OauthApp && client_id.is_empty() {
                return Err(FormError::at(
                    FormField::ClientId,
                    "An OAuth app needs its client id: copy it from Help Scout (Your Profile > My Apps).",
                ));
            }
            profile.auth = Some(self.auth);
        }
        Ok(profile)
    }
}

fn parse_secs(text: &str, field: FormField, what: &str) -> Result<u64, FormError> {
    match text.trim().parse::<u64>() {
        Ok(secs) if (1..=MAX_TIMEOUT_SECS).contains(&secs) => Ok(secs),
        _ => {
            Err(FormError::at(field, format!("{what} must be a whole number of seconds from 1 to {MAX_TIMEOUT_SECS}.")))
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// The error on show, and the fields edited this frame (which clear an error about them).
struct FieldErrors<'a> {
    error: Option<&'a FormError>,
    edited: Vec<FormField>,
}

/// Draws the settings grid of `form`; `error` is shown at its field and cleared when that
/// field changes. `sandbox_url` is where the built-in sandbox runs, if it was started.
pub fn settings_ui(ui: &mut Ui, form: &mut ProfileForm, error: &mut Option<FormError>, sandbox_url: Option<&str>) {
    let mut errors = FieldErrors { error: error.as_ref(), edited: Vec::new() };
    egui::Grid::new("profile_settings").num_columns(2).spacing([16.0, 8.0]).min_col_width(130.0).show(ui, |ui| {
        if form.built_in {
            built_in_rows_ui(ui, form, sandbox_url);
        } else {
            identity_rows_ui(ui, form, &mut errors);
        }
        text_row_ui(ui, "Connect timeout (s)", &mut form.connect_timeout, "5", FormField::ConnectTimeout, &mut errors);
        text_row_ui(ui, "Total timeout (s)", &mut form.timeout, "30", FormField::Timeout, &mut errors);
        ui.label("Production");
        ui.checkbox(&mut form.production, "Live account: mark it in red and ask before the first send of each session");
        ui.end_row();
    });
    let edited = errors.edited;
    if error.as_ref().is_some_and(|e| edited.contains(&e.field)) {
        *error = None;
    }
}

/// Name, backend and address of a built-in profile, which cannot change.
fn built_in_rows_ui(ui: &mut Ui, form: &ProfileForm, sandbox_url: Option<&str>) {
    ui.label("Name");
    ui.label(RichText::new(&form.name).strong()).on_hover_text("Built-in profiles keep their name.");
    ui.end_row();
    ui.label("Backend");
    ui.label(form.backend.display_name());
    ui.end_row();
    ui.label("Base URL");
    let place = match sandbox_url {
        Some(url) => format!("The built-in sandbox, now at {url}"),
        None => "The built-in sandbox on 127.0.0.1 (its port is chosen when it starts)".to_owned(),
    };
    ui.label(RichText::new(place).weak());
    ui.end_row();
    ui.label("Sign-in");
    ui.label(RichText::new("The sandbox's published credentials (nothing to store)").weak());
    ui.end_row();
}

/// Name, backend, base URL, sign-in kind and client id of a real profile.
fn identity_rows_ui(ui: &mut Ui, form: &mut ProfileForm, errors: &mut FieldErrors<'_>) {
    text_row_ui(ui, "Name", &mut form.name, "e.g. Acme production", FormField::Name, errors);
    ui.label("Backend");
    if form.is_new() {
        let mut backend = form.backend;
        ui.horizontal(|ui| {
            for choice in Backend::ALL {
                ui.radio_value(&mut backend, choice, choice.display_name());
            }
        });
        form.set_backend(backend);
    } else {
        ui.label(form.backend.display_name())
            .on_hover_text("A saved profile keeps its backend; make a new one instead.");
    }
    ui.end_row();
    let hint = match form.backend {
        Backend::Finosu => "https://… (Finosu does not publish one: ask your account manager)",
        Backend::HelpScout => HELPSCOUT_BASE_URL,
    };
    text_row_ui(ui, "Base URL", &mut form.base_url, hint, FormField::BaseUrl, errors);
    ui.label("Sign-in");
    match form.backend {
        Backend::HelpScout => {
            ui.horizontal(|ui| {
                for choice in AuthKind::choices(Backend::HelpScout) {
                    ui.radio_value(&mut form.auth, *choice, choice.label());
                }
            });
            ui.end_row();
            if form.auth == AuthKind::OauthApp {
                let hint = "from Help Scout: Your Profile > My Apps";
                text_row_ui(ui, "Client id", &mut form.client_id, hint, FormField::ClientId, errors);
            }
        }
        Backend::Finosu => {
            ui.label(AuthKind::ApiKey.label());
            ui.end_row();
        }
    }
}

/// A labelled text field with its error under it; notes the field as edited when it changes.
fn text_row_ui(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    hint: &str,
    field: FormField,
    errors: &mut FieldErrors<'_>,
) {
    let label = ui.label(label);
    ui.vertical(|ui| {
        let edit = line_edit(value).hint_text(hint).desired_width(DIALOG_FIELD_WIDTH);
        let response = ui.add(edit).labelled_by(label.id);
        if response.changed() {
            errors.edited.push(field);
        }
        let error = errors.error.filter(|e| e.field == field);
        // Heard when the field gets focus, as the form's field problems are.
        let message: Vec<&str> = error.iter().map(|e| e.message.as_str()).collect();
        describe_field(&response, &FieldState { required: false, messages: &message, invalid: error.is_some() });
        if let Some(error) = error {
            error_line_ui(ui, &error.message);
        }
    });
    ui.end_row();
}

/// A red message line, as under the form's fields.
pub fn error_line_ui(ui: &mut Ui, message: &str) {
    let text = RichText::new(format!("✖ {message}")).color(ui.visuals().error_fg_color).size(12.0);
    ui.add(egui::Label::new(text).wrap());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_round_trips_a_profile_and_keeps_what_was_learned() {
        let mut saved = Profile::new("Acme", ProfileKind::HelpScout, Some(HELPSCOUT_BASE_URL.to_owned()));
        saved.learned_task_types = vec!["x".to_owned()];
        saved.client_id = Some("app-1".to_owned());
        let mut form = ProfileForm::from_profile(&saved);
        assert_eq!(form.auth, AuthKind::OauthApp);
        form.timeout = " 12 ".to_owned();
        form.production = true;
        let profile = form.to_profile(Some(&saved)).expect("valid");
        assert_eq!(profile.timeout_secs, 12);
        assert!(profile.production);
        assert_eq!(profile.learned_task_types, ["x"]);
        assert_eq!(profile.auth, Some(AuthKind::OauthApp));
    }

    #[test]
    fn errors_name_their_field() {
        let mut form = ProfileForm::new_profile();
        form.name = "Acme".to_owned();
        assert_eq!(form.to_profile(None).expect_err("no url").field, FormField::BaseUrl);
        form.set_backend(Backend::HelpScout);
        assert_eq!(form.base_url, HELPSCOUT_BASE_URL);
        assert_eq!(form.to_profile(None).expect_err("no client id").field, FormField::ClientId);
        form.auth = AuthKind::Token;
        form.connect_timeout = "0".to_owned();
        assert_eq!(form.to_profile(None).expect_err("zero").field, FormField::ConnectTimeout);
        form.connect_timeout = "5".to_owned();
        let profile = form.to_profile(None).expect("valid");
        assert_eq!((profile.kind, profile.auth), (ProfileKind::HelpScout, Some(AuthKind::Token)));
        let error = FormError::from_profile_error(&ProfileError::Duplicate("Acme".to_owned()));
        assert_eq!(error.field, FormField::Name);
        assert_eq!(error.message, "A profile named \"Acme\" exists already.");
    }
}
