//! The profile manager, driven by its labels: profiles made in the editor and aimed at a
//! sandbox on loopback, secrets stored in the real keyring (checked from outside with
//! `secret-tool`) or for the session only, Test credentials verdicts, removal, and the
//! production badge and question.
//!
//! Run inside a private D-Bus session with gnome-keyring (`scripts/test.sh` does that). Tests run
//! in parallel against one keyring, so every test uses its own profile names.

mod gui_support;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use gui_support::*;
use intake::backends::Secret;
use intake::credentials::{Vault, VerdictKind};
use intake::paths::IntakePaths;
use intake::profiles::{Profile, ProfileKind, ProfileStore, SANDBOX_FINOSU};
use intake::sandbox::{FINOSU_API_KEY, HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET, SandboxConfig, SandboxServer};
use intake::ui::state::PersistedState;
use intake::ui::{AppOptions, IntakeApp};

/// The window with profiles saved under a temporary `INTAKE_HOME`, and the sandbox real
/// profiles are aimed at.
struct ProfilesApp {
    harness: Harness<'static, IntakeApp>,
    home: tempfile::TempDir,
    sandbox: SandboxServer,
}

fn app_with(
    vault: Arc<Vault>,
    active: &str,
    theme: egui::Theme,
    prepare: impl FnOnce(&mut ProfileStore),
) -> ProfilesApp {
    let sandbox = SandboxServer::start(SandboxConfig::default()).expect("sandbox");
    let home = tempfile::tempdir().expect("home");
    let paths = IntakePaths::under(home.path());
    let mut store = ProfileStore::load(&paths).expect("profiles");
    prepare(&mut store);
    store.save().expect("save");
    let state = PersistedState { profile: active.to_owned(), ..PersistedState::default() };
    let options = AppOptions { paths: Some(paths), vault: Some(vault), ..AppOptions::default() };
    let harness = harness_in(IntakeApp::new(state, options), theme);
    ProfilesApp { harness, home, sandbox }
}

/// The window on the Finosu sandbox profile, secrets in the real keyring.
fn keyring_app() -> ProfilesApp {
    app_with(Vault::system(), SANDBOX_FINOSU, egui::Theme::Light, |_| {})
}

/// A profile name of this test, told apart from other runs on the same keyring.
fn unique(name: &str) -> String {
    format!("{name} {}", std::process::id())
}

/// What `secret-tool` finds in the keyring for the profile's secret of `kind` (`api-key`). The
/// Secret Service items carry the attributes `service` and `username`.
fn keyring_lookup(profile: &str, kind: &str) -> String {
    let user = format!("{profile}/{kind}");
    let output = Command::new("secret-tool")
        .args(["search", "--all", "service", "intake", "username", &user])
        .output()
        .expect("secret-tool runs");
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Presses Test credentials and waits for the verdict, stepping (not running) while the
/// spinner turns.
fn test_credentials(harness: &mut Harness<'static, IntakeApp>) {
    press(harness, "Test credentials");
    // The verdict may store a new token: the keyring work that follows ends the wait too.
    step_until_within(harness, "the verdict", Duration::from_secs(15), |app| {
        !app.is_testing_credentials() && !app.is_keyring_busy()
    });
}

/// Opens the Profiles window and starts a new profile called `name` at `base_url`.
fn new_profile(harness: &mut Harness<'static, IntakeApp>, name: &str, help_scout: bool, base_url: &str) {
    if !harness.state().is_profile_manager_open() {
        click(harness, "Profiles…");
    }
    click(harness, "New profile");
    type_into(harness, "Name", name);
    type_into(harness, "Base URL", base_url);
    if help_scout {
        // The URL typed first stays: only an empty one is filled with Help Scout's.
        harness.get_by_role_and_label(Role::RadioButton, "Help Scout").click();
        harness.run();
    }
}

fn save(harness: &mut Harness<'static, IntakeApp>) {
    press(harness, "Save");
    wait_for_keyring(harness);
}

fn remove_profile(harness: &mut Harness<'static, IntakeApp>, name: &str) {
    click(harness, "Remove…");
    assert!(shown(harness, &format!("Remove profile {name}?")), "the question names the profile");
    press(harness, "Remove");
    wait_for_keyring(harness);
    assert!(harness.state().profiles().find(name).is_none());
}

#[test]
fn a_new_finosu_profile_keeps_its_key_in_the_keyring_works_and_is_removed_with_it() {
    let ProfilesApp { mut harness, home, sandbox } = keyring_app();
    let name = unique("GUI Finosu");
    new_profile(&mut harness, &name, false, &sandbox.finosu_base_url());
    save(&mut harness);
    assert!(shown(&harness, &format!("Saved profile {name}.")));
    assert!(shown(&harness, "kept in the OS keyring"), "the keyring works here");
    assert!(harness.query_by_label("Not set").is_some());

    type_secret(&mut harness, "API key", FINOSU_API_KEY);
    press(&mut harness, "Store API key in keyring");
    wait_for_keyring(&mut harness);
    assert!(harness.query_by_label("Stored in keyring ••••e8a3").is_some(), "the masked key is shown");
    assert!(keyring_lookup(&name, "api-key").contains(FINOSU_API_KEY), "the key is in the keyring");
    assert_no_file_holds(home.path(), FINOSU_API_KEY);

    test_credentials(&mut harness);
    let verdict = harness.state().credentials_verdict(&name).expect("a verdict");
    assert_eq!(verdict.kind, VerdictKind::Ok, "{}", verdict.headline);
    assert!(shown(&harness, &format!("Works: Finosu at {} accepted the API key.", sandbox.finosu_base_url())));
    assert!(shown(&harness, "Next: Nothing to do"));
    assert!(shown(&harness, " ms · 2 requests, listed under Responses"), "the latency and the requests");
    assert!(harness.state().viewer().len() >= 2, "the test's requests are in the viewer");
    let text = all_text(&harness);
    assert!(!text.contains(FINOSU_API_KEY), "the key is on screen");
    assert!(text.contains("••••e8a3"), "the masked key is on screen");
    assert_no_file_holds(home.path(), FINOSU_API_KEY);

    remove_profile(&mut harness, &name);
    assert!(shown(&harness, &format!("Removed profile \"{name}\" and its secrets.")));
    assert!(!keyring_lookup(&name, "api-key").contains(FINOSU_API_KEY), "the key is gone from the keyring");
    let file = std::fs::read_to_string(IntakePaths::under(home.path()).profiles_file()).expect("profiles file");
    assert!(!file.contains(&name), "the profile is gone from the file");
}

#[test]
fn a_new_help_scout_oauth_app_reaches_the_sandbox_admin_and_its_token_stays_in_the_keyring() {
    let ProfilesApp { mut harness, home, sandbox } = keyring_app();
    let name = unique("GUI Help Scout");
    new_profile(&mut harness, &name, true, &sandbox.helpscout_base_url());
    assert!(shown(&harness, "Client id"), "an OAuth app is Help Scout's default sign-in");
    type_into(&mut harness, "Client id", HELPSCOUT_CLIENT_ID);
    save(&mut harness);

    type_secret(&mut harness, "Client secret", HELPSCOUT_CLIENT_SECRET);
    press(&mut harness, "Store client secret in keyring");
    wait_for_keyring(&mut harness);
    assert!(harness.query_by_label("Stored in keyring ••••c4d2").is_some());
    assert!(keyring_lookup(&name, "client-secret").contains(HELPSCOUT_CLIENT_SECRET));

    test_credentials(&mut harness);
    let verdict = harness.state().credentials_verdict(&name).expect("a verdict");
    assert_eq!(verdict.kind, VerdictKind::Ok, "{}", verdict.headline);
    assert!(shown(&harness, "Works: Help Scout accepted the credentials as Sandbox Admin"));
    assert!(shown(&harness, "Signed in as Sandbox Admin <admin@sandbox.intake.invalid>"));
    // The token the OAuth app obtained is kept in the keyring too, and its expiry on the profile.
    let token_entry = keyring_lookup(&name, "access-token");
    let token = token_entry
        .lines()
        .find_map(|line| line.strip_prefix("secret = "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .expect("an access token in the keyring")
        .to_owned();
    step_until(&mut harness, "the token expiry", |app| {
        app.profiles().find(&name).is_some_and(|p| p.token_expires_at.is_some())
    });
    assert!(harness.query_all_by_label_contains("Stored in keyring ••••").count() >= 2, "client secret and token");
    let text = all_text(&harness);
    assert!(!text.contains(HELPSCOUT_CLIENT_SECRET) && !text.contains(&token), "a secret is on screen");
    assert_no_file_holds(home.path(), HELPSCOUT_CLIENT_SECRET);
    assert_no_file_holds(home.path(), &token);
    let file = std::fs::read_to_string(IntakePaths::under(home.path()).profiles_file()).expect("profiles file");
    assert!(file.contains("token_expires_at"), "the expiry is kept on the profile: {file}");

    remove_profile(&mut harness, &name);
    assert!(!keyring_lookup(&name, "client-secret").contains(HELPSCOUT_CLIENT_SECRET));
    assert!(!keyring_lookup(&name, "access-token").contains(&token));
}

#[test]
fn a_wrong_key_is_rejected_and_a_closed_port_is_refused() {
    let ProfilesApp { mut harness, sandbox, .. } = keyring_app();
    let name = unique("GUI Wrong key");
    new_profile(&mut harness, &name, false, &sandbox.finosu_base_url());
    save(&mut harness);
    type_secret(&mut harness, "API key", "fsk_wrong_0000000000");
    press(&mut harness, "Store API key in keyring");
    wait_for_keyring(&mut harness);
    test_credentials(&mut harness);
    assert_eq!(harness.state().credentials_verdict(&name).map(|v| v.kind), Some(VerdictKind::Rejected));
    assert!(shown(&harness, "Rejected: Finosu did not accept the API key (401)."));
    assert!(shown(&harness, "Next: Check the key was copied whole"));

    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let closed = format!("http://127.0.0.1:{port}/finosu");
    replace_text(&mut harness, "Base URL", &closed);
    save(&mut harness);
    assert_eq!(harness.state().profiles().find(&name).and_then(|p| p.base_url.clone()), Some(closed.clone()));
    test_credentials(&mut harness);
    assert_eq!(harness.state().credentials_verdict(&name).map(|v| v.kind), Some(VerdictKind::Refused));
    assert!(shown(&harness, &format!("Connection refused: nothing listens at {closed}")));
    remove_profile(&mut harness, &name);
}

#[test]
fn renaming_moves_the_secrets_a_copy_has_none_and_built_ins_keep_their_name() {
    let ProfilesApp { mut harness, sandbox, .. } = keyring_app();
    let name = unique("GUI Rename");
    new_profile(&mut harness, &name, false, &sandbox.finosu_base_url());
    save(&mut harness);
    type_secret(&mut harness, "API key", FINOSU_API_KEY);
    press(&mut harness, "Store API key in keyring");
    wait_for_keyring(&mut harness);

    let renamed = unique("GUI Renamed");
    replace_text(&mut harness, "Name", &renamed);
    save(&mut harness);
    assert!(shown(&harness, &format!("Saved profile {renamed}.")));
    assert!(harness.state().profiles().find(&name).is_none());
    assert!(keyring_lookup(&renamed, "api-key").contains(FINOSU_API_KEY), "the key moved with the name");
    assert!(!keyring_lookup(&name, "api-key").contains(FINOSU_API_KEY), "nothing is left under the old name");
    assert!(harness.query_by_label("Stored in keyring ••••e8a3").is_some());

    // A copy takes the settings, not the secrets; it can be made the active profile.
    press(&mut harness, "Duplicate");
    wait_for_keyring(&mut harness);
    let copy = format!("{renamed} (copy)");
    assert_eq!(harness.get_by_role_and_label(Role::TextInput, "Name").value(), Some(copy.clone()));
    assert!(shown(&harness, "Secrets are not copied"));
    assert!(harness.query_by_label("Not set").is_some(), "the copy has no key");
    press(&mut harness, "Use this profile");
    wait_for_keyring(&mut harness);
    assert_eq!(harness.state().profile().name, copy);

    // A built-in keeps its name and address; its timeouts can change.
    click(&mut harness, SANDBOX_FINOSU);
    assert!(harness.query_by_role_and_label(Role::TextInput, "Name").is_none(), "the name is read-only");
    assert!(shown(&harness, "nothing to store"));
    replace_text(&mut harness, "Total timeout (s)", "9");
    save(&mut harness);
    assert_eq!(harness.state().profiles().find(SANDBOX_FINOSU).map(|p| p.timeout_secs), Some(9));
    assert!(harness.query_by_label("Remove…").is_none(), "a built-in cannot be removed");

    for profile in [&copy, &renamed] {
        press(&mut harness, profile);
        wait_for_keyring(&mut harness);
        remove_profile(&mut harness, profile);
    }
    assert!(!keyring_lookup(&renamed, "api-key").contains(FINOSU_API_KEY));
}

#[test]
fn save_errors_are_shown_at_their_field_and_nothing_typed_is_lost() {
    let ProfilesApp { mut harness, .. } = keyring_app();
    let name = unique("GUI Errors");
    new_profile(&mut harness, &name, false, "http://api.example.com");
    click(&mut harness, "Save");
    assert!(shown(&harness, "must start with https://"), "the https rule, at the field");
    assert!(harness.state().profiles().find(&name).is_none(), "nothing was saved");
    let url = harness.get_by_role_and_label(Role::TextInput, "Base URL").value();
    assert_eq!(url.as_deref(), Some("http://api.example.com"), "what was typed stays");
    replace_text(&mut harness, "Base URL", "https://api.example.com");
    assert!(!shown(&harness, "must start with https://"), "the message goes with the edit");
    replace_text(&mut harness, "Name", SANDBOX_FINOSU);
    click(&mut harness, "Save");
    assert!(shown(&harness, "exists already"), "a duplicate name is refused");
    replace_text(&mut harness, "Name", &name);
    replace_text(&mut harness, "Total timeout (s)", "0");
    click(&mut harness, "Save");
    assert!(shown(&harness, "The total timeout must be a whole number of seconds from 1 to 600."));
    replace_text(&mut harness, "Total timeout (s)", "12");
    save(&mut harness);
    assert_eq!(harness.state().profiles().find(&name).map(|p| p.timeout_secs), Some(12));
    remove_profile(&mut harness, &name);
}

#[test]
fn a_profile_saved_in_the_window_keeps_what_the_command_line_changed_meanwhile() {
    let doomed = unique("GUI Doomed");
    let ProfilesApp { mut harness, home, sandbox } =
        app_with(Vault::session_only("test"), SANDBOX_FINOSU, egui::Theme::Light, |store| {
            let profile = Profile::new(&doomed, ProfileKind::Finosu, Some("https://doomed.example".to_owned()));
            store.add(profile).expect("add");
        });
    // While the window is open, another process removes one profile and adds another.
    let paths = IntakePaths::under(home.path());
    let cli = unique("GUI From the command line");
    let mut outside = ProfileStore::load(&paths).expect("load");
    outside.remove(&doomed).expect("remove");
    outside.add(Profile::new(&cli, ProfileKind::Finosu, Some("https://cli.example".to_owned()))).expect("add");
    outside.save().expect("save");

    let mine = unique("GUI From the window");
    new_profile(&mut harness, &mine, false, &sandbox.finosu_base_url());
    save(&mut harness);

    let on_file = ProfileStore::load(&paths).expect("load");
    assert!(on_file.find(&mine).is_some(), "the window's profile is saved");
    assert!(on_file.find(&cli).is_some(), "the profile added meanwhile stays");
    assert!(on_file.find(&doomed).is_none(), "the profile removed meanwhile does not come back");
    let window = harness.state().profiles();
    assert!(window.find(&cli).is_some() && window.find(&doomed).is_none(), "the window shows the merged list");
}

#[test]
fn without_a_keyring_secrets_are_kept_for_the_session_only_and_nothing_is_written() {
    let ProfilesApp { mut harness, home, sandbox } =
        app_with(Vault::session_only("test"), SANDBOX_FINOSU, egui::Theme::Light, |_| {});
    let name = unique("GUI No keyring");
    new_profile(&mut harness, &name, false, &sandbox.finosu_base_url());
    save(&mut harness);
    assert!(shown(
        &harness,
        "No keyring is reachable (test). Secrets you enter are kept in memory for this session only and never written anywhere."
    ));
    assert!(harness.query_by_label("Store API key in keyring").is_none(), "only the session is offered");

    type_secret(&mut harness, "API key", FINOSU_API_KEY);
    press(&mut harness, "Use API key for this session only");
    wait_for_keyring(&mut harness);
    assert!(harness.query_by_label("This session only ••••e8a3").is_some());
    assert!(harness.get_by_role_and_label(Role::PasswordInput, "API key").value().unwrap_or_default().is_empty());
    test_credentials(&mut harness);
    assert_eq!(harness.state().credentials_verdict(&name).map(|v| v.kind), Some(VerdictKind::Ok));
    assert!(!all_text(&harness).contains(FINOSU_API_KEY));
    assert_no_file_holds(home.path(), FINOSU_API_KEY);
    assert!(!keyring_lookup(&name, "api-key").contains(FINOSU_API_KEY), "nothing went to the keyring");
}

#[test]
fn a_production_profile_shows_the_badge_and_asks_before_the_first_send() {
    let name = unique("GUI Production");
    let ProfilesApp { mut harness, sandbox, .. } =
        app_with(Vault::session_only("test"), SANDBOX_FINOSU, egui::Theme::Light, |_| {});
    // The profile is made and marked as production in the editor.
    new_profile(&mut harness, &name, false, &sandbox.finosu_base_url());
    harness
        .get_by_role_and_label(
            Role::CheckBox,
            "Live account: mark it in red and ask before the first send of each session",
        )
        .click();
    harness.run();
    save(&mut harness);
    assert!(harness.state().profiles().find(&name).is_some_and(|p| p.production));
    click(&mut harness, "Close");
    assert!(harness.query_by_label("PRODUCTION").is_none(), "the sandbox profile is not production");

    harness.state_mut().select_profile(&name);
    harness.state_mut().use_session_secret(Secret::new(FINOSU_API_KEY));
    open_draft(&mut harness, "examples/finosu-customer.json");
    assert!(harness.query_by_label("PRODUCTION").is_some(), "the badge beside the picker");

    click(&mut harness, "Submit");
    assert!(harness.state().is_confirming_production());
    assert!(shown(&harness, &format!("Send to production profile {name}?")));
    click(&mut harness, "Cancel");
    assert!(!harness.state().is_confirming_production());
    assert!(!harness.state().is_sending());
    assert_eq!(harness.state().viewer().len(), 0, "nothing was sent");

    // Ctrl+Enter asks too; Send sends.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.run();
    assert!(harness.state().is_confirming_production());
    harness.get_by_label("Send").click();
    harness.step();
    harness.step();
    step_until(&mut harness, "the answer", |app| !app.is_sending() && !app.viewer().is_empty());
    assert!(harness.state().viewer().latest().is_some_and(|e| e.outcome.is_created()));

    // Once confirmed, the session's next send to it goes without asking: a second customer.
    open_draft(&mut harness, "examples/finosu-customer.json");
    harness.state_mut().form_mut().edit_finosu(|d| {
        "INT-SECOND-1".clone_into(&mut d.id);
        "grace@example.com".clone_into(&mut d.email);
    });
    harness.run();
    let attempts = harness.state().viewer().len();
    harness.get_by_label("Submit").click();
    harness.step();
    assert!(!harness.state().is_confirming_production());
    step_until(&mut harness, "the second answer", |app| {
        !app.is_sending() && app.viewer().latest().is_some_and(|e| e.method == "POST") && app.viewer().len() > attempts
    });
    assert!(harness.state().viewer().latest().is_some_and(|e| e.outcome.is_created()));
}

#[test]
fn ctrl_p_opens_and_closes_the_profiles_on_the_active_profile() {
    let ProfilesApp { mut harness, .. } = app_with(Vault::session_only("test"), "Acme", egui::Theme::Light, |store| {
        let profile = Profile::new("Acme", ProfileKind::Finosu, Some("https://api.acme.test".to_owned()));
        store.add(profile).expect("add");
    });
    assert!(shown(&harness, "Set up credentials…"), "a real profile without a secret offers the set-up");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::P);
    harness.run();
    assert!(harness.state().is_profile_manager_open());
    assert_eq!(harness.get_by_role_and_label(Role::TextInput, "Name").value().as_deref(), Some("Acme"));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::P);
    harness.run();
    assert!(!harness.state().is_profile_manager_open());
}

// ---------------------------------------------------------------------------------------------

/// Hides what changes from run to run (the sandbox's port, the latency, random tokens).
fn mask_volatile(harness: &mut Harness<'static, IntakeApp>, keep: &str) {
    let mut rects = vec![harness.get_by_role_and_label(Role::TextInput, "Base URL").rect()];
    rects.extend(harness.query_all_by_label_contains("listed under Responses").map(|node| node.rect()));
    rects.extend(
        harness
            .query_all_by_label_contains("session only ••••")
            .filter(|node| {
                // A label's text is its node's value.
                let node = node.accesskit_node();
                !node.label().or_else(|| node.value()).unwrap_or_default().ends_with(keep)
            })
            // The rest of the row too: it moves with the random token's width.
            .map(|node| {
                let rect = node.rect();
                egui::Rect::from_min_size(rect.min, egui::vec2(400.0, rect.height()))
            }),
    );
    for rect in rects {
        harness.mask(rect);
    }
}

#[test]
fn snapshots_of_the_editor_with_a_verdict() {
    let mut results = egui_kittest::SnapshotResults::new();

    // A rejected key, light theme, the key in the keyring (masked).
    let ProfilesApp { mut harness, sandbox, .. } = keyring_app();
    // Fixed names (the image shows them); no other test uses them.
    let name = "Snapshot Finosu";
    new_profile(&mut harness, name, false, &sandbox.finosu_base_url());
    save(&mut harness);
    type_secret(&mut harness, "API key", "fsk_live_wrong_7f3a");
    press(&mut harness, "Store API key in keyring");
    wait_for_keyring(&mut harness);
    test_credentials(&mut harness);
    harness.remove_cursor();
    harness.run();
    assert!(!all_text(&harness).contains("fsk_live_wrong_7f3a"));
    mask_volatile(&mut harness, "7f3a");
    results.add(harness.try_snapshot("profiles_rejected_key"));
    remove_profile(&mut harness, name);

    // A working OAuth app, dark theme, no keyring: everything for this session only.
    let ProfilesApp { mut harness, sandbox, .. } =
        app_with(Vault::session_only("test"), SANDBOX_FINOSU, egui::Theme::Dark, |_| {});
    let name = "Snapshot Help Scout";
    new_profile(&mut harness, name, true, &sandbox.helpscout_base_url());
    type_into(&mut harness, "Client id", HELPSCOUT_CLIENT_ID);
    save(&mut harness);
    type_secret(&mut harness, "Client secret", HELPSCOUT_CLIENT_SECRET);
    press(&mut harness, "Use client secret for this session only");
    wait_for_keyring(&mut harness);
    test_credentials(&mut harness);
    harness.remove_cursor();
    harness.run();
    assert!(!all_text(&harness).contains(HELPSCOUT_CLIENT_SECRET));
    mask_volatile(&mut harness, "c4d2");
    results.add(harness.try_snapshot("profiles_oauth_works_dark"));
}
