//! Screenshot snapshots of every tab of both forms, filled with a realistic customer that has
//! one warning and one error showing, compared against `tests/snapshots/*.png`.
//!
//! Update after an intended UI change with `UPDATE_SNAPSHOTS=1 cargo test --test gui_snapshots`,
//! then look at every changed image before committing.

mod fixtures;
mod gui_support;

use egui::{Key, Modifiers};
use egui_kittest::SnapshotResults;
use gui_support::app_harness_in;
use intake::model::{Backend, Tab};

/// A harness showing the filled customer of `backend` with every problem visible.
fn filled_harness(backend: Backend, theme: egui::Theme) -> egui_kittest::Harness<'static, intake::ui::IntakeApp> {
    let mut harness = app_harness_in(backend, theme);
    let form = harness.state_mut().form_mut();
    match backend {
        Backend::Finosu => form.edit_finosu(|d| *d = fixtures::finosu_with_problems()),
        Backend::HelpScout => form.edit_help_scout(|d| *d = fixtures::help_scout_with_problems()),
    }
    form.show_all_problems(backend);
    harness.run();
    harness
}

#[test]
fn every_tab_of_both_forms() {
    let mut results = SnapshotResults::new();
    for backend in Backend::ALL {
        let mut harness = filled_harness(backend, egui::Theme::Light);
        for (tab, key) in Tab::ALL.into_iter().zip([Key::Num1, Key::Num2, Key::Num3, Key::Num4]) {
            harness.key_press_modifiers(Modifiers::COMMAND, key);
            harness.run();
            let name = format!("{}_{}", backend_slug(backend), tab.title().to_lowercase());
            results.add(harness.try_snapshot(&name));
        }
    }
}

fn backend_slug(backend: Backend) -> &'static str {
    match backend {
        Backend::Finosu => "finosu",
        Backend::HelpScout => "helpscout",
    }
}

#[test]
fn basic_tab_in_dark_theme() {
    let mut results = SnapshotResults::new();
    for backend in Backend::ALL {
        let mut harness = filled_harness(backend, egui::Theme::Dark);
        results.add(harness.try_snapshot(format!("{}_basic_dark", backend_slug(backend))));
    }
}
