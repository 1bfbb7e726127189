//! The one harness of the GUI tests: building a harness over the whole app or over the response
//! viewer, driving it by its labels, and waiting for background work. A wait that times out
//! saves a screenshot of the window under `tests/failures/` before it panics.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::FixedOffset;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use intake::backends::Exchange;
use intake::model::Backend;
use intake::profiles::{SANDBOX_FINOSU, SANDBOX_HELPSCOUT};
use intake::ui::state::PersistedState;
use intake::ui::viewer::{PreparedExchange, ResponseViewer};
use intake::ui::{AppOptions, IntakeApp};

/// Window size of every GUI test and snapshot.
pub const SIZE: [f32; 2] = [1180.0, 780.0];

/// How long [`step_until`] waits before it gives up.
pub const WAIT_LIMIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// Harnesses

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

/// The response viewer alone over `exchanges` (the last one selected), in `theme`, with times
/// shown in UTC.
pub fn viewer_harness(exchanges: Vec<Exchange>, theme: egui::Theme) -> Harness<'static, ResponseViewer> {
    let mut viewer = ResponseViewer::default();
    for exchange in exchanges {
        viewer.push(PreparedExchange::new_at_offset(exchange, FixedOffset::east_opt(0).expect("UTC is an offset")));
    }
    let mut harness = Harness::builder()
        .with_size(SIZE)
        .with_theme(theme)
        .wgpu()
        .build_ui_state(|ui, viewer: &mut ResponseViewer| viewer.ui(ui), viewer);
    intake::ui::configure_style(&harness.ctx);
    harness.run();
    harness
}

// ---------------------------------------------------------------------------------------------
// Waiting

/// Steps the harness (in real time) until `done` holds, then settles it. After [`WAIT_LIMIT`],
/// or when the window does not settle, saves a screenshot (see [`fail_with_screenshot`]) and
/// panics naming `what`.
#[track_caller]
pub fn step_until<S>(harness: &mut Harness<'_, S>, what: &str, done: impl Fn(&S) -> bool) {
    step_until_within(harness, what, WAIT_LIMIT, done);
}

/// [`step_until`] with its own time limit. The limit only bounds a hang: no test asserts how
/// long the wait took.
#[track_caller]
pub fn step_until_within<S>(harness: &mut Harness<'_, S>, what: &str, limit: Duration, done: impl Fn(&S) -> bool) {
    let start = Instant::now();
    while !done(harness.state()) {
        if start.elapsed() >= limit {
            fail_with_screenshot(harness, &format!("timed out after {} s waiting for {what}", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    if let Err(error) = harness.try_run() {
        fail_with_screenshot(harness, &format!("after {what} the window did not settle: {error}"));
    }
}

/// Steps the harness until `done` holds, without settling afterwards: for waits whose end
/// shows a spinner (a send under way), where the window keeps repainting.
#[track_caller]
pub fn step_until_busy<S>(harness: &mut Harness<'_, S>, what: &str, done: impl Fn(&S) -> bool) {
    let start = Instant::now();
    while !done(harness.state()) {
        if start.elapsed() >= WAIT_LIMIT {
            fail_with_screenshot(harness, &format!("timed out after {} s waiting for {what}", WAIT_LIMIT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.run_steps(2);
}

/// Waits until no send is under way and the viewer lists at least `attempts` exchanges.
#[track_caller]
pub fn wait_for_answer(harness: &mut Harness<'_, IntakeApp>, attempts: usize) {
    step_until(harness, &format!("{attempts} attempts answered"), |app| {
        !app.is_sending() && app.viewer().len() >= attempts
    });
}

/// Waits until the keyring reads and changes are done.
#[track_caller]
pub fn wait_for_keyring(harness: &mut Harness<'_, IntakeApp>) {
    step_until(harness, "the keyring work", |app| !app.is_keyring_busy());
}

/// Opens the draft file at `path` as the Open dialog would, and waits until it is read and the
/// property definitions its profile needs are fetched.
#[track_caller]
pub fn open_draft(harness: &mut Harness<'_, IntakeApp>, path: impl Into<PathBuf>) {
    let ctx = harness.ctx.clone();
    harness.state_mut().open_draft_path(path.into(), &ctx);
    step_until(harness, "the draft to be read", |app| !app.is_file_busy());
    // Opening a draft of the other backend switches profile, which fetches its definitions.
    step_until(harness, "the property definitions", |app| !app.is_loading_definitions());
}

/// Saves what the window shows as `tests/failures/<test>-<what>.png` and panics with `message`
/// and the image's path, so a failure on CI can be looked at.
#[track_caller]
pub fn fail_with_screenshot<S>(harness: &mut Harness<'_, S>, message: &str) -> ! {
    let saved = save_screenshot(harness, message);
    match saved {
        Ok(path) => panic!("{message}; the window is in {}", path.display()),
        Err(error) => panic!("{message}; no screenshot: {error}"),
    }
}

/// Renders the window into `tests/failures/<test>-<what>.png`; the path written.
pub fn save_screenshot<S>(harness: &mut Harness<'_, S>, what: &str) -> Result<PathBuf, String> {
    let image = harness.render()?;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("failures");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // The default test runner names each test's thread after the test.
    let test = std::thread::current().name().unwrap_or("unnamed").to_owned();
    let path = dir.join(format!("{}-{}.png", file_name_part(&test), file_name_part(what)));
    image.save(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// `text` as a short file-name part: letters and digits, other runs as one `_`.
fn file_name_part(text: &str) -> String {
    let mut part = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            part.push(c.to_ascii_lowercase());
        } else if !part.ends_with('_') {
            part.push('_');
        }
    }
    part.trim_matches('_').chars().take(80).collect()
}

// ---------------------------------------------------------------------------------------------
// Driving by labels

/// Clicks the node labelled exactly `label` with the pointer, and settles.
pub fn click<S>(harness: &mut Harness<'_, S>, label: &str) {
    harness.get_by_label(label).click();
    harness.run();
}

/// Clicks the node labelled exactly `label` through AccessKit (which reaches widgets scrolled
/// out of view), and settles.
pub fn click_accesskit<S>(harness: &mut Harness<'_, S>, label: &str) {
    harness.get_by_label(label).click_accesskit();
    harness.run();
}

/// Clicks `label` and runs two frames only: what it starts shows a spinner (a send, keyring
/// work, a test) that keeps repainting, so `run` (which waits for the UI to settle) cannot be
/// used until it is done.
pub fn press<S>(harness: &mut Harness<'_, S>, label: &str) {
    harness.get_by_label(label).click();
    harness.step();
    harness.step();
}

/// Types `text` into the text field labelled `label`.
pub fn type_into<S>(harness: &mut Harness<'_, S>, label: &str, text: &str) {
    type_into_role(harness, Role::TextInput, label, text);
}

/// Types `secret` into the password field labelled `label`.
pub fn type_secret<S>(harness: &mut Harness<'_, S>, label: &str, secret: &str) {
    type_into_role(harness, Role::PasswordInput, label, secret);
}

fn type_into_role<S>(harness: &mut Harness<'_, S>, role: Role, label: &str, text: &str) {
    harness.get_by_role_and_label(role, label).focus();
    harness.run();
    harness.get_by_role_and_label(role, label).type_text(text);
    harness.run();
}

/// Replaces the text of the field labelled `label`.
pub fn replace_text<S>(harness: &mut Harness<'_, S>, label: &str, text: &str) {
    harness.get_by_role_and_label(Role::TextInput, label).focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    harness.get_by_role_and_label(Role::TextInput, label).type_text(text);
    harness.run();
}

// ---------------------------------------------------------------------------------------------
// Reading the window

/// Whether some node's label contains `text`.
pub fn shown<S>(harness: &Harness<'_, S>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

/// Whether some node is labelled exactly `label`.
pub fn has_label<S>(harness: &Harness<'_, S>, label: &str) -> bool {
    harness.query_all_by_label(label).next().is_some()
}

/// The label of the tab button whose title starts with `title` ("Basic (1)").
pub fn tab_label<S>(harness: &Harness<'_, S>, title: &str) -> String {
    harness
        .root()
        .children_recursive()
        .filter_map(|node| node.accesskit_node().label())
        .find(|label| label == title || label.starts_with(&format!("{title} (")))
        .unwrap_or_else(|| panic!("no tab titled {title}"))
}

/// Every label and value of the window's nodes, one a line: what a screen reader (or a
/// screenshot) could give away.
pub fn all_text<S>(harness: &Harness<'_, S>) -> String {
    harness
        .root()
        .children_recursive()
        .flat_map(|node| [node.accesskit_node().label(), node.accesskit_node().value()])
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every file under `dir`, at any depth.
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
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

/// Nothing in any file under `dir` holds `secret`.
#[track_caller]
pub fn assert_no_file_holds(dir: &std::path::Path, secret: &str) {
    for file in files_under(dir) {
        let bytes = std::fs::read(&file).expect("read");
        assert!(!String::from_utf8_lossy(&bytes).contains(secret), "the secret is in {}", file.display());
    }
}
