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
use intake::store::{
    FailureKind, ListFilter, NewRecord, Record, RecordId, RecordState, RecordSummary, Settlement, Store,
};
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
    // The last drafts are read from the store off the UI thread, and its writer starts after
    // the first frame: every test starts from a window that is ready.
    step_until(&mut harness, "the window to be ready (drafts restored, store writer started)", |app| {
        !app.is_restoring()
    });
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

/// Steps the harness until some node's label contains `text`, then settles (see
/// [`step_until`]): for what the window shows once background work is done.
#[track_caller]
pub fn step_until_shown<S>(harness: &mut Harness<'_, S>, text: &str) {
    step_until_shown_within(harness, text, WAIT_LIMIT);
}

/// [`step_until_shown`] with its own time limit (only bounding a hang).
#[track_caller]
pub fn step_until_shown_within<S>(harness: &mut Harness<'_, S>, text: &str, limit: Duration) {
    let start = Instant::now();
    while !shown(harness, text) {
        if start.elapsed() >= limit {
            fail_with_screenshot(harness, &format!("timed out after {} s waiting for {text:?}", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    if let Err(error) = harness.try_run() {
        fail_with_screenshot(harness, &format!("after {text:?} showed the window did not settle: {error}"));
    }
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

// ---------------------------------------------------------------------------------------------
// The store and the Drafts panel

/// A Finosu customer: the example's valid details under other names, email and id (it is
/// `ready` as it is).
pub fn finosu_customer(first: &str, last: &str, email: &str, id: &str) -> serde_json::Value {
    let text = std::fs::read_to_string("examples/finosu-customer.json").expect("the example customer");
    let mut body: serde_json::Value = serde_json::from_str(&text).expect("the example is JSON");
    body["firstName"] = first.into();
    body["lastName"] = last.into();
    body["email"] = email.into();
    body["id"] = id.into();
    body
}

/// Adds `body` (Finosu) for `profile` to the store at `path` and brings it to `state` the way
/// the window and the outbox would: typed (`draft` when it has errors, else `ready`), queued,
/// claimed and settled as sent (server id = the body's `id`) or failed with `message`. Waits a
/// few milliseconds after each write so every record has its own change time (the list's
/// order is then fixed). The record's id.
pub fn store_record(
    path: &std::path::Path,
    profile: &str,
    body: &serde_json::Value,
    state: RecordState,
    message: &str,
) -> RecordId {
    let mut store = Store::open(path).expect("the store opens");
    let backend = Backend::Finosu;
    let valid = !intake::validation::has_errors(&intake::validation::validate_draft(backend, body));
    let payload = matches!(state, RecordState::Queued | RecordState::Sending | RecordState::Sent | RecordState::Failed)
        .then(|| intake::normalize::normalize_for_sending(backend, body));
    let new = NewRecord { backend, profile: profile.to_owned(), body: body.clone(), payload, valid, source: None };
    let id = store.insert(&new).expect("the record is added");
    let settlement = match state {
        RecordState::Sent => Some(Settlement::Sent {
            server_id: body["id"].as_str().map(str::to_owned),
            outcome: "created".to_owned(),
            message: message.to_owned(),
        }),
        RecordState::Failed => Some(Settlement::Failed {
            kind: FailureKind::Permanent,
            outcome: "rejected".to_owned(),
            message: message.to_owned(),
        }),
        _ => None,
    };
    if let Some(settlement) = settlement {
        let lease = intake::store::now_millis() + 60_000;
        let claim = store.claim(&id, "gui-test", lease).expect("claim").expect("the record is queued");
        assert!(store.settle(&claim, &settlement).expect("settle"), "the claim is the test's");
    }
    let stored = store.get(&id).expect("read").expect("the record is there");
    assert_eq!(stored.state, state, "the record was brought to its state");
    std::thread::sleep(Duration::from_millis(5));
    id
}

/// A first-run app on the Finosu sandbox profile over the store at `path`.
pub fn app_on_store(path: &std::path::Path) -> Harness<'static, IntakeApp> {
    let state = PersistedState { profile: SANDBOX_FINOSU.to_owned(), ..PersistedState::default() };
    let options = AppOptions { store_path: Some(path.to_owned()), ..AppOptions::default() };
    harness_with(IntakeApp::new(state, options))
}

/// The records of the app's store (not deleted, oldest first), once the window wrote all it
/// has pending.
pub fn stored_records(harness: &mut Harness<'_, IntakeApp>) -> Vec<Record> {
    assert!(harness.state_mut().flush_store(Duration::from_secs(5)), "the store's writer answered");
    let path = harness.state().store_path().expect("the app has a store").to_owned();
    Store::open(&path).expect("the store opens").records(&ListFilter::default()).expect("the records")
}

/// The stored record `id`, deleted or not, once the window wrote all it has pending.
pub fn stored_record(harness: &mut Harness<'_, IntakeApp>, id: &RecordId) -> Option<Record> {
    assert!(harness.state_mut().flush_store(Duration::from_secs(5)), "the store's writer answered");
    let path = harness.state().store_path().expect("the app has a store").to_owned();
    Store::open(&path).expect("the store opens").get(id).expect("the record is read")
}

/// Shows the Drafts panel (its side tab) and waits until its list was read and `done` holds
/// for it.
#[track_caller]
pub fn show_drafts(harness: &mut Harness<'_, IntakeApp>, done: impl Fn(&[RecordSummary]) -> bool) {
    click(harness, "Drafts");
    wait_for_drafts(harness, "the Drafts list", done);
}

/// Waits until the Drafts list is read (nothing under way) and `done` holds for it.
#[track_caller]
pub fn wait_for_drafts(harness: &mut Harness<'_, IntakeApp>, what: &str, done: impl Fn(&[RecordSummary]) -> bool) {
    step_until(harness, what, |app| !app.drafts().is_loading() && done(app.drafts().records()));
}

/// The Drafts list's rows as shown, top to bottom: their labels, "<name>, <state>".
pub fn draft_rows<S>(harness: &Harness<'_, S>) -> Vec<String> {
    let states: Vec<String> = RecordState::ALL.iter().map(|s| format!(", {s}")).collect();
    harness
        .root()
        .children_recursive()
        .filter(|node| node.accesskit_node().role() == Role::Button)
        .filter_map(|node| node.accesskit_node().label())
        .filter(|label| states.iter().any(|state| label.ends_with(state.as_str())))
        .collect()
}

/// Picks `option` in the combo box that shows `current` (the Drafts panel's state filter and
/// sort have no label of their own: they are found by the value they show).
pub fn choose<S>(harness: &mut Harness<'_, S>, current: &str, option: &str) {
    let current = current.to_owned();
    harness
        .get_by(move |node| node.role() == Role::ComboBox && node.value().as_deref() == Some(current.as_str()))
        .click();
    harness.run();
    click(harness, option);
}

/// Empties the text field labelled `label`.
pub fn clear_text<S>(harness: &mut Harness<'_, S>, label: &str) {
    harness.get_by_role_and_label(Role::TextInput, label).focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run();
}

/// An app whose active profile is a real Finosu profile `name` aimed at `base_url`, whose
/// requests time out after `timeout_secs`, saved in a temporary `INTAKE_HOME` (returned: the
/// profiles and the store live there), with the sandbox's API key for this session.
pub fn app_on_finosu_profile(
    name: &str,
    base_url: &str,
    timeout_secs: u64,
) -> (Harness<'static, IntakeApp>, tempfile::TempDir) {
    use intake::profiles::{Profile, ProfileKind, ProfileStore};
    let home = tempfile::tempdir().expect("home");
    let paths = intake::paths::IntakePaths::under(home.path());
    let mut profiles = ProfileStore::load(&paths).expect("profiles");
    let mut profile = Profile::new(name, ProfileKind::Finosu, Some(base_url.to_owned()));
    profile.timeout_secs = timeout_secs;
    profiles.add(profile).expect("add the profile");
    profiles.save().expect("save the profiles");
    let state = PersistedState { profile: name.to_owned(), ..PersistedState::default() };
    let options = AppOptions { paths: Some(paths), ..AppOptions::default() };
    let mut harness = harness_with(IntakeApp::new(state, options));
    harness.state_mut().use_session_secret(intake::backends::Secret::new(intake::sandbox::FINOSU_API_KEY));
    harness.run();
    (harness, home)
}

/// Compares the window with `tests/snapshots/<name>.png` after painting over the change time
/// at the right of each Drafts row's first line (the clock moves; the rest must not).
#[track_caller]
pub fn snapshot_with_row_times_masked(harness: &mut Harness<'_, IntakeApp>, name: &str) {
    // Wide enough for "28 Nov 14:03" in the rows' small font.
    const TIME_WIDTH: f32 = 96.0;
    const FIRST_LINE: f32 = 18.0;
    // No pointer over the window: no hover highlight, no tooltip appearing after its delay.
    harness.event(egui::Event::PointerGone);
    harness.run();
    let rows: Vec<egui::Rect> = draft_rows(harness).iter().map(|label| harness.get_by_label(label).rect()).collect();
    assert!(!rows.is_empty(), "the Drafts list shows rows");
    let mut image = harness.render().expect("the window renders");
    let ppp = harness.ctx.pixels_per_point();
    for row in rows {
        let to_pixel = |points: f32| {
            // Pixel coordinates are small and positive here.
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "window pixels")]
            let pixel = (points * ppp).round().max(0.0) as u32;
            pixel
        };
        let (left, right) = (to_pixel(row.right() - TIME_WIDTH), to_pixel(row.right()).min(image.width()));
        let (top, bottom) = (to_pixel(row.top()), to_pixel(row.top() + FIRST_LINE).min(image.height()));
        // The row's own background, from its top edge (no text there).
        let background = *image.get_pixel(left, top);
        for y in top..bottom {
            for x in left..right {
                image.put_pixel(x, y, background);
            }
        }
    }
    egui_kittest::image_snapshot(&image, name);
}

/// A loopback port nothing listens on (bound, read, closed).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    port
}

/// Types a customer into the empty Finosu form: names and email (the other required fields
/// stay empty, so it is a `draft`).
pub fn type_finosu_customer(harness: &mut Harness<'_, IntakeApp>, first: &str, last: &str, email: &str) {
    type_into(harness, "First name", first);
    type_into(harness, "Last name", last);
    type_into(harness, "Email", email);
}

/// Ctrl+N: a new customer (the one in the form stays in the store), and settles.
pub fn press_new(harness: &mut Harness<'_, IntakeApp>) {
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run();
}

/// Presses `key` (no modifiers) and settles.
pub fn key<S>(harness: &mut Harness<'_, S>, key: egui::Key) {
    harness.key_press(key);
    harness.run();
}
