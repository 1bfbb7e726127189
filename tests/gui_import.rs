//! The Import window, driven by its accessible labels: a dropped CSV's columns mapped (with the
//! suggestions marked), its rows imported, the bad one opened in the form, the valid ones queued
//! and sent to the in-process sandbox while the progress shows; a bad file refused with nothing
//! changed; and snapshots of the mapping step and the report.

mod gui_support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use egui_kittest::kittest::Queryable as _;
use gui_support::*;
use intake::import::ColumnTarget;
use intake::model::Backend;
use intake::store::{ListFilter, RecordState, Store};
use intake::ui::import::Stage;

/// A file dropped on the window.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn drop_file(harness: &mut egui_kittest::Harness<'_, intake::ui::IntakeApp>, path: &Path) {
    harness.input_mut().dropped_files.push(Arc::new(Dropped(path.to_owned())));
    harness.run_steps(2);
}

fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("the file is written");
    path
}

const CRM_CSV: &str = "First Name,Surname,E-mail,Favourite colour\n\
                       Ada,Lovelace,ada@example.com,green\n\
                       Grace,Hopper,not-an-email,blue\n\
                       Mary,Somerville,mary@example.com,red\n";

#[test]
fn a_dropped_csv_is_mapped_imported_its_bad_row_opened_and_the_rest_sent() {
    let dir = tempfile::tempdir().expect("a folder");
    let csv = write(dir.path(), "crm.csv", CRM_CSV.as_bytes());
    let mut harness = app_harness(Backend::HelpScout);
    drop_file(&mut harness, &csv);
    step_until_shown(&mut harness, "crm.csv: 3 rows for profile");

    // The guesses are marked; the unknown column is left out.
    assert!(shown(&harness, "suggested"), "fuzzy matches are marked");
    assert!(harness.query_by_label("E-mail").is_some(), "the column's picker is labelled by its header");
    let Stage::Mapping(dialog) = &harness.state().import_window().stage else { panic!("the mapping step") };
    let targets: Vec<_> = dialog.mapping.columns.iter().map(|c| (c.header.as_str(), c.target.clone())).collect();
    assert_eq!(targets[2], ("E-mail", ColumnTarget::Field("emails.0.value".to_owned())));
    assert_eq!(targets[3], ("Favourite colour", ColumnTarget::Ignore));
    press(&mut harness, "Import 3 rows");
    step_until_shown(&mut harness, "crm.csv: 3 rows imported: 2 valid, 1 with errors.");
    assert!(shown(&harness, "row 2, column \"E-mail\": Email 1 address is not a valid email address"));

    // The bad row opens in the form, where it can be fixed.
    click(&mut harness, "Open row 2");
    step_until(&mut harness, "the row in the form", |app| {
        app.form().help_scout().emails.first().is_some_and(|entry| entry.value == "not-an-email")
    });
    assert_eq!(harness.state().record_state(), Some(RecordState::Draft));

    // The valid rows go out through the outbox to the in-process sandbox; the progress shows.
    press(&mut harness, "Queue 2 valid rows");
    step_until_shown_within(&mut harness, "Done: 2 sent, 0 failed.", Duration::from_mins(1));
    let store = Store::open(harness.state().store_path().expect("a store")).expect("the store opens");
    let records = store.records(&ListFilter::default()).expect("records");
    let sent = records.iter().filter(|r| r.state == RecordState::Sent).count();
    assert_eq!(sent, 2);
    let batch = store.batches().expect("batches").pop().expect("the batch");
    assert_eq!((batch.rows, batch.counts.sent, batch.counts.draft), (3, 2, 1));
}

#[test]
fn a_bad_file_is_refused_in_the_window_and_nothing_changes() {
    let dir = tempfile::tempdir().expect("a folder");
    let bad = write(dir.path(), "export.csv", b"firstName,lastName\nAda,Lovelace\nGrace\n");
    let mut harness = app_harness(Backend::HelpScout);
    drop_file(&mut harness, &bad);
    step_until_shown(&mut harness, "export.csv was not imported.");
    assert!(shown(&harness, "Nothing was changed."));
    assert!(all_text(&harness).contains("Line 3 has 1 column"), "the message names the place: {}", all_text(&harness));
    assert!(matches!(harness.state().import_window().stage, Stage::Refused { .. }));
    let store = Store::open(harness.state().store_path().expect("a store")).expect("the store opens");
    assert!(store.batches().expect("batches").is_empty());

    // Escape closes the window; the form is as it was.
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(!harness.state().import_window().open);
}

#[test]
fn the_mapping_step_and_the_report_look_right() {
    let dir = tempfile::tempdir().expect("a folder");
    let csv = write(dir.path(), "crm.csv", CRM_CSV.as_bytes());
    let mut harness = app_harness(Backend::HelpScout);
    drop_file(&mut harness, &csv);
    step_until_shown(&mut harness, "crm.csv: 3 rows for profile");
    let mut results = egui_kittest::SnapshotResults::new();
    results.add(harness.try_snapshot("import_mapping"));
    press(&mut harness, "Import 3 rows");
    step_until_shown(&mut harness, "3 rows imported");
    step_until(&mut harness, "the batch's counts", |app| {
        app.import_window().follow.as_ref().is_some_and(|follow| follow.summary.is_some())
    });
    harness.run();
    results.add(harness.try_snapshot("import_report"));
}

#[test]
fn a_row_the_server_refuses_is_listed_with_why_and_opens_in_the_form() {
    let dir = tempfile::tempdir().expect("a folder");
    let header = "id,firstName,lastName,email,phoneNumber,timezone,birthday,streetAddress1,city,state,zipCode,taskType";
    let row = |id: &str, task: &str| {
        format!(
            "{id},Ada,Lovelace,{id}@example.com,(415) 555-0123,America/Los_Angeles,1985-06-15,123 Main St,San Francisco,\
             CA,94105,{task}"
        )
    };
    let text = format!("{header}\n{}\n{}\n", row("GOOD-1", "collections"), row("BAD-2", "astrology"));
    let csv = write(dir.path(), "finosu.csv", text.as_bytes());
    let mut harness = app_harness(Backend::Finosu);
    drop_file(&mut harness, &csv);
    step_until_shown(&mut harness, "finosu.csv: 2 rows for profile");
    assert!(!shown(&harness, "suggested"), "field-named columns map without asking");
    press(&mut harness, "Import 2 rows");
    step_until_shown(&mut harness, "finosu.csv: 2 rows imported: 2 valid.");
    press(&mut harness, "Queue 2 valid rows");
    step_until_shown_within(&mut harness, "Done: 1 sent, 1 failed.", Duration::from_mins(1));
    step_until_shown(&mut harness, "Open failed row 2");
    let text = all_text(&harness);
    assert!(text.contains("Rejected: 1 field. Fix it and send again."), "the server's reason is shown: {text}");
    click(&mut harness, "Open failed row 2");
    step_until(&mut harness, "the failed row in the form", |app| app.form().finosu().id == "BAD-2");
    assert_eq!(harness.state().record_state(), Some(RecordState::Failed));
}

#[test]
fn the_readable_rows_of_a_broken_file_are_imported_after_a_click() {
    let dir = tempfile::tempdir().expect("a folder");
    let bad = write(dir.path(), "export.csv", b"firstName,lastName\nAda,Lovelace\nGrace\nMary,Somerville\n");
    let mut harness = app_harness(Backend::HelpScout);
    drop_file(&mut harness, &bad);
    step_until_shown(&mut harness, "export.csv was not imported.");
    click(&mut harness, "Import the 2 readable rows");
    step_until_shown(&mut harness, "export.csv: 2 rows for profile");
    assert!(shown(&harness, "1 unreadable row is left out:"));
    press(&mut harness, "Import 2 rows");
    step_until_shown(&mut harness, "export.csv: 2 rows imported: 2 valid.");
    assert!(shown(&harness, "1 unreadable row is left out:"), "the report lists it too");
    let store = Store::open(harness.state().store_path().expect("a store")).expect("the store opens");
    let batch = store.batches().expect("batches").pop().expect("the batch");
    let rows: Vec<usize> = store.batch_rows(&batch.id).expect("rows").iter().map(|row| row.row).collect();
    assert_eq!(rows, [1, 3]);
}

#[test]
fn a_json_lines_file_dropped_as_json_goes_to_the_import() {
    let dir = tempfile::tempdir().expect("a folder");
    let lines = "{\"firstName\": \"Ada\", \"emails\": [{\"type\": \"work\", \"value\": \"ada@example.com\"}]}\n\
                 {\"firstName\": \"Grace\", \"emails\": [{\"type\": \"work\", \"value\": \"grace@example.com\"}]}\n";
    let path = write(dir.path(), "people.json", lines.as_bytes());
    let mut harness = app_harness(Backend::HelpScout);
    drop_file(&mut harness, &path);
    step_until_shown(&mut harness, "people.json: 2 rows for profile");
    assert!(shown(&harness, "JSON: each item is a request body, so there are no columns to map."));
    assert!(harness.state().form().help_scout().first_name.is_empty(), "the form was not touched");
}
