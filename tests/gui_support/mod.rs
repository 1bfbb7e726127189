//! Shared set-up for the GUI tests: a harness over the whole app, and waiting for background work.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use intake::model::Backend;
use intake::profiles::{SANDBOX_FINOSU, SANDBOX_HELPSCOUT};
use intake::ui::state::PersistedState;
use intake::ui::{AppOptions, IntakeApp};

/// Window size of every GUI test and snapshot.
pub const SIZE: [f32; 2] = [1180.0, 780.0];

/// A first-run app on the sandbox profile of `backend`, in light theme.
pub fn app_harness(backend: Backend) -> Harness<'static, IntakeApp> {
    app_harness_in(backend, egui::Theme::Light)
}

/// A first-run app on the sandbox profile of `backend`, in `theme`.
pub fn app_harness_in(backend: Backend, theme: egui::Theme) -> Harness<'static, IntakeApp> {
    let profile = match backend {
        Backend::Finosu => SANDBOX_FINOSU,
        Backend::HelpScout => SANDBOX_HELPSCOUT,
    };
    let state = PersistedState { profile: profile.to_owned(), ..PersistedState::default() };
    let mut harness = harness_in(IntakeApp::new(state, AppOptions::default()), theme);
    // A Help Scout profile fetches its property definitions from the sandbox at start: let that
    // finish so every test starts from the same form.
    step_until(&mut harness, "the property definitions", |app| !app.is_loading_definitions());
    harness
}

/// A harness over an app built elsewhere.
pub fn harness_with(app: IntakeApp) -> Harness<'static, IntakeApp> {
    harness_in(app, egui::Theme::Light)
}

/// A harness over an app built elsewhere, in `theme`.
pub fn harness_in(app: IntakeApp, theme: egui::Theme) -> Harness<'static, IntakeApp> {
    // A few more steps than kittest's default 4 before `run` gives up: a background result
    // (a file read, a send, property definitions) may arrive in the middle of a `run` and takes
    // two frames to show. A UI that never settles still fails.
    let mut harness = Harness::builder()
        .with_max_steps(12)
        .with_size(SIZE)
        .with_theme(theme)
        .wgpu()
        .build_ui_state(|ui, app: &mut IntakeApp| app.show(ui), app);
    intake::ui::configure_style(&harness.ctx);
    harness.run();
    harness
}

/// Steps the harness (in real time) until `done` holds, or panics after 10 s naming `what`.
pub fn step_until(harness: &mut Harness<'_, IntakeApp>, what: &str, done: impl Fn(&IntakeApp) -> bool) {
    let start = Instant::now();
    while !done(harness.state()) {
        assert!(start.elapsed() < Duration::from_secs(10), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.run();
}

/// Types `text` into the text field labelled `label`.
pub fn type_into(harness: &mut Harness<'_, IntakeApp>, label: &str, text: &str) {
    harness.get_by_role_and_label(egui::accesskit::Role::TextInput, label).focus();
    harness.run();
    harness.get_by_role_and_label(egui::accesskit::Role::TextInput, label).type_text(text);
    harness.run();
}

/// Clicks the node labelled exactly `label`.
pub fn click(harness: &mut Harness<'_, IntakeApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run();
}

/// The label of the tab button whose title starts with `title` ("Basic (1)").
pub fn tab_label(harness: &Harness<'_, IntakeApp>, title: &str) -> String {
    use egui_kittest::kittest::NodeT as _;
    harness
        .root()
        .children_recursive()
        .filter_map(|node| node.accesskit_node().label())
        .find(|label| label == title || label.starts_with(&format!("{title} (")))
        .unwrap_or_else(|| panic!("no tab titled {title}"))
}

/// Every label and value of the window's nodes, one a line: what a screen reader (or a
/// screenshot) could give away.
pub fn all_text(harness: &Harness<'_, IntakeApp>) -> String {
    use egui_kittest::kittest::NodeT as _;
    harness
        .root()
        .children_recursive()
        .flat_map(|node| [node.accesskit_node().label(), node.accesskit_node().value()])
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every file under `dir`, at any depth.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}
