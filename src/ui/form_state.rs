//! The form's state apart from drawing: both drafts, which fields were touched, and the issues
//! and request preview derived from the active draft (recomputed only when something changed).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::backends::FieldError;
use crate::model::limits::{max_chars_at, thousands};
use crate::model::{Backend, Draft, FinosuDraft, HelpScoutDraft, PerBackend, PropertyDefinition, Tab};
use crate::normalize::normalize_for_sending;
use crate::validation::{
    AccountProperties, Issue, Severity, TabCount, ValidationContext, count_by_tab, has_content, pointer_segment,
    validate_draft_with,
};

/// Both backends' drafts (switching profile keeps the other one), plus derived state.
///
/// The drafts are private: every change goes through an edit method that marks the derived
/// issues and preview stale by itself, so no caller has to remember to.
#[derive(Debug, Default)]
pub struct FormState {
    finosu: FinosuDraft,
    help_scout: HelpScoutDraft,
    /// JSON Pointers of fields the person has edited, per backend; only their problems are shown.
    touched: PerBackend<BTreeSet<String>>,
    /// Show every problem of a backend's draft, touched or not.
    show_all: PerBackend<bool>,
    /// Notes about a field that are not validation issues: text cut at the field's length limit.
    notices: BTreeMap<String, String>,
    /// What a server said about fields of the last draft sent.
    server_issues: Vec<ServerIssue>,
    /// The active Help Scout profile's custom property definitions; `None` when never fetched.
    property_definitions: Option<Vec<PropertyDefinition>>,
    derived: Option<Derived>,
    generation: u64,
    /// Counts the edits of each backend's draft, so autosave knows which changed.
    revisions: PerBackend<u64>,
}

/// What a frame's views edited: the fields touched, and whether any value changed.
#[derive(Debug, Default)]
pub struct FieldEdits {
    /// Pointers of fields edited.
    pub edited: Vec<String>,
    /// Whether any value changed (also structural edits: a row added or removed).
    pub changed: bool,
}

/// A server's complaint about a field, shown while the field still holds the value it refused.
#[derive(Debug, Clone)]
struct ServerIssue {
    backend: Backend,
    issue: Issue,
    sent_value: Option<Value>,
}

/// What is computed from the active draft.
#[derive(Debug)]
struct Derived {
    backend: Backend,
    /// Validation's issues, the form's own warnings, then the server's.
    issues: Vec<Issue>,
    /// How many of `issues` come from validation and the form (only those block sending).
    validation_len: usize,
    by_path: BTreeMap<String, Vec<usize>>,
    draft_json: Value,
    preview: Value,
}

impl FormState {
    /// Counts recomputations, so views can cache what they build from the derived state.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether an edit made issues and preview stale.
    pub fn is_stale(&self) -> bool {
        self.derived.is_none()
    }

    fn invalidate(&mut self) {
        self.derived = None;
    }

    /// Counts the edits of `backend`'s draft: it moves whenever the draft may have changed.
    pub fn revision(&self, backend: Backend) -> u64 {
        *self.revisions.get(backend)
    }

    fn edited(&mut self, backend: Backend) {
        *self.revisions.get_mut(backend) += 1;
        self.invalidate();
    }

    /// The Finosu draft.
    pub fn finosu(&self) -> &FinosuDraft {
        &self.finosu
    }

    /// The Help Scout draft.
    pub fn help_scout(&self) -> &HelpScoutDraft {
        &self.help_scout
    }

    /// Changes the Finosu draft; issues and preview follow.
    pub fn edit_finosu<R>(&mut self, edit: impl FnOnce(&mut FinosuDraft) -> R) -> R {
        self.edited(Backend::Finosu);
        edit(&mut self.finosu)
    }

    /// Changes the Help Scout draft; issues and preview follow.
    pub fn edit_help_scout<R>(&mut self, edit: impl FnOnce(&mut HelpScoutDraft) -> R) -> R {
        self.edited(Backend::HelpScout);
        edit(&mut self.help_scout)
    }

    /// Removes a field the form has no editor for from `backend`'s draft.
    pub fn remove_unknown_field(&mut self, backend: Backend, key: &str) {
        match backend {
            Backend::Finosu => self.edit_finosu(|d| d.extra.remove(key)),
            Backend::HelpScout => self.edit_help_scout(|d| d.extra.remove(key)),
        };
    }

    /// Whether every problem of `backend`'s draft is shown, touched or not.
    pub fn show_all(&self, backend: Backend) -> bool {
        *self.show_all.get(backend)
    }

    /// Shows every problem of `backend`'s draft ("Show all problems", a refused Submit).
    pub fn show_all_problems(&mut self, backend: Backend) {
        *self.show_all.get_mut(backend) = true;
    }

    /// Whether the person edited the field at `pointer` of `backend`'s draft.
    pub fn is_touched(&self, backend: Backend, pointer: &str) -> bool {
        self.touched.get(backend).contains(pointer)
    }

    /// The draft of `backend` as a [`Draft`] (a copy).
    pub fn draft(&self, backend: Backend) -> Draft {
        match backend {
            Backend::Finosu => Draft::Finosu(self.finosu.clone()),
            Backend::HelpScout => Draft::HelpScout(self.help_scout.clone()),
        }
    }

    /// Replaces the draft of its backend and forgets what was touched in it.
    pub fn replace(&mut self, draft: Draft) {
        let backend = draft.backend();
        self.notices.clear();
        match draft {
            Draft::Finosu(d) => self.finosu = d,
            Draft::HelpScout(d) => self.help_scout = d,
        }
        self.touched.get_mut(backend).clear();
        *self.show_all.get_mut(backend) = false;
        self.server_issues.retain(|s| s.backend != backend);
        self.edited(backend);
    }

    /// Shows a server's field errors at their fields (and forgets earlier ones of `backend`).
    /// Each stays until its field no longer holds the value in `sent_draft`.
    pub fn set_server_issues(&mut self, backend: Backend, sent_draft: &Value, errors: &[FieldError]) {
        self.server_issues.retain(|s| s.backend != backend);
        for error in errors {
            let path = if error.pointer.is_empty() { String::new() } else { error.pointer.clone() };
            let message = format!("{} says: {}", backend.display_name(), error.message);
            self.touched.get_mut(backend).insert(path.clone());
            self.server_issues.push(ServerIssue {
                backend,
                sent_value: sent_draft.pointer(&path).cloned(),
                issue: Issue { path, severity: Severity::Error, message },
            });
        }
        self.invalidate();
    }

    /// Uses these Help Scout property definitions (the account's full list; `None` when not
    /// known) for typing and checking property rows.
    pub fn set_property_definitions(&mut self, definitions: Option<Vec<PropertyDefinition>>) {
        if self.property_definitions != definitions {
            self.property_definitions = definitions;
            self.invalidate();
        }
    }

    /// The Help Scout property definitions in use (empty when not known).
    pub fn property_definitions(&self) -> &[PropertyDefinition] {
        self.property_definitions.as_deref().unwrap_or_default()
    }

    /// Whether the account's property definitions are known, so an undefined slug is an error.
    pub fn property_definitions_known(&self) -> bool {
        self.property_definitions.is_some()
    }

    /// Recomputes issues and preview if an edit made them stale.
    pub fn refresh(&mut self, backend: Backend) {
        if self.derived.as_ref().is_some_and(|d| d.backend == backend) {
            return;
        }
        if backend == Backend::HelpScout {
            self.help_scout.apply_definitions(self.property_definitions.as_deref().unwrap_or_default());
        }
        let draft_json = match backend {
            Backend::Finosu => self.finosu.to_json(),
            Backend::HelpScout => self.help_scout.to_json(),
        };
        // The account's definitions decide; without them, the rows' own types.
        let account = self.property_definitions.as_deref().map(AccountProperties::new);
        let row_kinds = self.help_scout.property_kinds();
        let context = match &account {
            Some(account) if backend == Backend::HelpScout => account.context(),
            _ => ValidationContext { property_kinds: Some(&row_kinds), ..ValidationContext::today() },
        };
        let mut issues = validate_draft_with(backend, &draft_json, &context);
        if backend == Backend::HelpScout {
            issues.extend(duplicate_slug_warnings(&self.help_scout));
        }
        let validation_len = issues.len();
        issues.extend(
            self.server_issues
                .iter()
                .filter(|s| s.backend == backend && draft_json.pointer(&s.issue.path) == s.sent_value.as_ref())
                .map(|s| s.issue.clone()),
        );
        let mut by_path: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, issue) in issues.iter().enumerate() {
            by_path.entry(issue.path.clone()).or_default().push(index);
        }
        let preview = normalize_for_sending(backend, &draft_json);
        self.generation += 1;
        self.derived = Some(Derived { backend, issues, validation_len, by_path, draft_json, preview });
    }

    /// Touches every field that has content, so that a loaded draft shows the problems of what
    /// it holds but does not shout about fields still to fill.
    pub fn touch_filled_fields(&mut self, backend: Backend) {
        self.refresh(backend);
        let Some(derived) = &self.derived else { return };
        let filled: Vec<String> = derived
            .issues
            .iter()
            .filter(|issue| derived.draft_json.pointer(&issue.path).is_some_and(has_content))
            .map(|issue| issue.path.clone())
            .collect();
        self.touched.get_mut(backend).extend(filled);
    }

    /// All current issues of the active draft (call [`Self::refresh`] first).
    pub fn issues(&self) -> &[Issue] {
        self.derived.as_ref().map_or(&[], |d| d.issues.as_slice())
    }

    /// Whether problems at `path` of the active draft are shown now.
    pub fn is_visible(&self, path: &str) -> bool {
        let Some(backend) = self.derived.as_ref().map(|d| d.backend) else { return false };
        self.show_all(backend) || self.is_touched(backend, path)
    }

    /// The shown issues, all paths.
    pub fn visible_issues(&self) -> impl Iterator<Item = &Issue> {
        self.issues().iter().filter(|issue| self.is_visible(&issue.path))
    }

    /// Shown problems per tab, in [`Tab::ALL`] order.
    pub fn visible_counts(&self, backend: Backend) -> [TabCount; 4] {
        count_by_tab(backend, self.visible_issues())
    }

    /// Errors and warnings hidden because their fields were not touched yet.
    pub fn hidden_count(&self) -> usize {
        self.issues().iter().filter(|issue| !self.is_visible(&issue.path)).count()
    }

    /// Number of issues that block sending, shown or not.
    /// Server complaints are shown but do not block: the person may know better, or the server
    /// may have been fixed.
    pub fn error_count(&self) -> usize {
        let validation = self.derived.as_ref().map_or(&[][..], |d| &d.issues[..d.validation_len]);
        validation.iter().filter(|issue| issue.severity == Severity::Error).count()
    }

    /// The body that would be sent, normalised.
    pub fn preview(&self) -> Option<&Value> {
        self.derived.as_ref().map(|d| &d.preview)
    }

    /// The draft as typed, for saving.
    pub fn draft_json(&self) -> Option<&Value> {
        self.derived.as_ref().map(|d| &d.draft_json)
    }

    /// Lets a view edit the drafts while it reads the issues of `backend`'s draft; what the
    /// view reports as edited is then recorded (see [`Self::apply_edits`]).
    pub fn edit_with_issues(
        &mut self,
        backend: Backend,
        view: impl FnOnce(&mut FinosuDraft, &mut HelpScoutDraft, IssueView<'_>) -> FieldEdits,
    ) {
        self.refresh(backend);
        let Self { finosu, help_scout, touched, show_all, notices, derived, .. } = self;
        let issues = IssueView {
            derived: derived.as_ref(),
            touched: touched.get(backend),
            show_all: *show_all.get(backend),
            notices,
        };
        let edits = view(finosu, help_scout, issues);
        self.apply_edits(backend, edits);
    }

    /// Records what a frame's views edited: touched fields, and whether anything changed.
    ///
    /// An edited field whose text reached its length limit gets a notice saying the rest of what
    /// was typed or pasted was left out (the text edit stops at the limit); the notice goes once
    /// the text is shorter again.
    fn apply_edits(&mut self, backend: Backend, edits: FieldEdits) {
        let FieldEdits { edited, changed } = edits;
        if changed {
            self.edited(backend);
            self.refresh(backend);
        }
        for pointer in &edited {
            let text = match pointer.as_str() {
                "/externalMetadata" if backend == Backend::Finosu => Some(self.finosu.external_metadata.as_str()),
                _ => self.draft_json().and_then(|body| body.pointer(pointer)).and_then(Value::as_str),
            };
            let max = max_chars_at(pointer);
            if text.is_some_and(|text| text.chars().count() >= max) {
                let message = format!(
                    "This field holds at most {} characters; the rest of what was typed or pasted was left out.",
                    thousands(max)
                );
                self.notices.insert(pointer.clone(), message);
            } else {
                self.notices.remove(pointer);
            }
        }
        self.touched.get_mut(backend).extend(edited);
    }

    /// The first tab that shows a problem, for the status line's "go to" hint.
    pub fn first_visible_tab_with_problems(&self, backend: Backend) -> Option<Tab> {
        let counts = self.visible_counts(backend);
        Tab::ALL.into_iter().zip(counts).find(|(_, c)| c.errors + c.warnings > 0).map(|(tab, _)| tab)
    }
}

/// Read access to the issues while the drafts are borrowed for editing.
#[derive(Debug, Clone, Copy)]
pub struct IssueView<'a> {
    derived: Option<&'a Derived>,
    touched: &'a BTreeSet<String>,
    show_all: bool,
    notices: &'a BTreeMap<String, String>,
}

impl<'a> IssueView<'a> {
    /// The shown issues at exactly `path`.
    pub fn visible_at(&self, path: &str) -> impl Iterator<Item = &'a Issue> + use<'a> {
        let derived = self.derived;
        let visible = self.show_all || self.touched.contains(path);
        let indexes = derived.and_then(|d| d.by_path.get(path)).map_or(&[][..], Vec::as_slice);
        indexes.iter().filter(move |_| visible).filter_map(move |&i| derived.and_then(|d| d.issues.get(i)))
    }

    /// The notice about the field at `path` (text cut at its limit), if any.
    pub fn notice_at(&self, path: &str) -> Option<&'a str> {
        self.notices.get(path).map(String::as_str)
    }
}

/// Warnings about property rows that share a slug: only the last row's value is sent, since
/// the body's `properties` is an object.
fn duplicate_slug_warnings(draft: &HelpScoutDraft) -> Vec<Issue> {
    draft
        .duplicate_property_slugs()
        .into_iter()
        .map(|slug| Issue {
            path: format!("/properties/{}", pointer_segment(slug)),
            severity: Severity::Warning,
            message: format!("Slug \"{slug}\" is used by more than one row; only the last is sent."),
        })
        .collect()
}
