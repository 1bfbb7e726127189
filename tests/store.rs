//! The store against a real SQLite database in a temporary folder: its schema migrations (from
//! nothing, from the previous version, refusing a newer one), the modes of its folder and files,
//! the lifecycle of a record (drafts, queueing, deleting, duplicating, lists), the claims that
//! keep two processes from sending one record, and the masked history of attempts.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime};

use intake::backends::{Exchange, Header, Outcome, ResponseRecord};
use intake::model::Backend;
use intake::store::{
    AttemptStep, BatchRow, Claim, DraftEdit, FailureKind, ListFilter, NewBatch, NewRecord, RecordId, RecordState,
    SaveOutcome, Settlement, Store, StoreError, migrations, now_millis,
};
use rusqlite::Connection;
use serde_json::{Value, json};

/// A store in a folder of its own (the folder does not exist yet).
struct TempStore {
    _dir: tempfile::TempDir,
    data: PathBuf,
    path: PathBuf,
}

fn temp_store() -> TempStore {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    let path = data.join(intake::store::STORE_FILE);
    TempStore { _dir: dir, data, path }
}

fn open(path: &Path) -> Store {
    Store::open(path).expect("the store opens")
}

fn user_version(path: &Path) -> u32 {
    let connection = Connection::open(path).expect("the database opens");
    connection.query_row("PRAGMA user_version", [], |row| row.get(0)).expect("its version")
}

fn finosu(id: &str, first: &str) -> Value {
    json!({"id": id, "firstName": first, "lastName": "Lovelace", "email": format!("{}@example.com", id.to_lowercase())})
}

fn edit(id: &RecordId, body: Value, valid: bool) -> DraftEdit {
    DraftEdit { id: id.clone(), backend: Backend::Finosu, profile: "sandbox-finosu".to_owned(), body, valid }
}

fn queued(store: &mut Store, body: Value) -> RecordId {
    store
        .insert(&NewRecord {
            backend: Backend::Finosu,
            profile: "sandbox-finosu".to_owned(),
            body: body.clone(),
            payload: Some(body),
            valid: true,
            source: Some("test".to_owned()),
        })
        .expect("the record is stored")
}

fn lease() -> i64 {
    now_millis() + 600_000
}

/// Waits until the store's clock (milliseconds) has moved on, so that "changed last" is not a
/// tie decided by the random part of the ids.
fn next_millisecond() {
    let start = now_millis();
    while now_millis() == start {
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn failed_settlement() -> Settlement {
    Settlement::Failed {
        kind: FailureKind::Permanent,
        outcome: "rejected".to_owned(),
        message: "The server refused the email.".to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Migrations

#[test]
fn an_empty_database_is_migrated_to_the_current_version() {
    let store = temp_store();
    assert!(!store.data.exists());
    let mut opened = open(&store.path);
    assert_eq!(user_version(&store.path), migrations::current_version());
    assert!(migrations::current_version() >= 2, "the previous-version test below needs a version 1");
    // Usable at once, and opening again changes nothing.
    let id = RecordId::new();
    assert_eq!(opened.save_draft(&edit(&id, finosu("C-1", "Ada"), true)).unwrap(), SaveOutcome::Created);
    drop(opened);
    let again = open(&store.path);
    assert_eq!(user_version(&store.path), migrations::current_version());
    assert_eq!(again.get(&id).unwrap().unwrap().state, RecordState::Ready);
}

#[test]
fn a_version_1_database_is_migrated_with_its_rows_intact() {
    let store = temp_store();
    std::fs::create_dir_all(&store.data).unwrap();
    let sent_payload = json!({"id": "C-7", "firstName": "Grace", "lastName": "Hopper", "email": "g@x.io"});
    {
        let mut connection = Connection::open(&store.path).unwrap();
        assert_eq!(migrations::migrate_to(&mut connection, 1).unwrap(), 1);
        connection
            .execute(
                "INSERT INTO records (id, backend, profile, body, state, name, email, customer_ref, created_at, updated_at, source)
                 VALUES ('r-draft', 'finosu', 'work', ?1, 'ready', 'Ada Lovelace', 'ada@x.io', 'C-1', 1000, 2000, 'window')",
                [finosu("C-1", "Ada").to_string()],
            )
            .unwrap();
        connection
            .execute(
                "INSERT INTO records (id, backend, profile, body, payload, state, created_at, updated_at, attempts,
                 outcome, message, server_id, attempt_id, attempt_started_at, source)
                 VALUES ('r-sent', 'finosu', 'work', ?1, ?1, 'sent', 1000, 3000, 1, 'created', 'Created customer C-7',
                 'C-7', 'a1', 2500, 'customer.json')",
                [sent_payload.to_string()],
            )
            .unwrap();
    }
    let mut opened = open(&store.path);
    assert_eq!(user_version(&store.path), migrations::current_version());

    let draft = opened.get(&RecordId::from("r-draft".to_owned())).unwrap().expect("the v1 draft is readable");
    assert_eq!(draft.body, finosu("C-1", "Ada"));
    assert_eq!(
        (draft.state, draft.profile.as_str(), draft.created_at, draft.updated_at),
        (RecordState::Ready, "work", 1000, 2000)
    );
    assert_eq!(draft.source.as_deref(), Some("window"));
    let sent_id = RecordId::from("r-sent".to_owned());
    let sent = opened.get(&sent_id).unwrap().expect("the v1 sent record is readable");
    assert_eq!(sent.state, RecordState::Sent);
    assert_eq!(sent.payload.as_ref(), Some(&sent_payload));
    assert_eq!((sent.server_id.as_deref(), sent.attempts, sent.outcome.as_deref()), (Some("C-7"), 1, Some("created")));

    // The new columns: deleting with undo.
    opened.delete(&draft.id).unwrap();
    assert!(opened.summaries(&ListFilter::default()).unwrap().iter().all(|s| s.id != draft.id));
    opened.restore(&draft.id).unwrap();
    assert!(opened.summaries(&ListFilter::default()).unwrap().iter().any(|s| s.id == draft.id));

    // The fingerprint: a customer sent before the upgrade is still known by its body (or
    // `intake submit` would send the same file again), and one queued after it too.
    let known = opened.find_by_fingerprint("work", &sent_payload).unwrap();
    assert_eq!(known.map(|r| r.id), Some(sent_id), "a customer sent under version 1 is found by its body");
    let payload = finosu("C-1", "Ada");
    opened.queue(&draft.id, "work", &payload).unwrap();
    assert_eq!(opened.find_by_fingerprint("work", &payload).unwrap().map(|r| r.id), Some(draft.id));
}

#[test]
fn a_database_from_a_newer_intake_is_refused_and_left_untouched() {
    let store = temp_store();
    std::fs::create_dir_all(&store.data).unwrap();
    let newer = migrations::current_version() + 1;
    {
        let connection = Connection::open(&store.path).unwrap();
        connection.execute_batch("CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('kept');").unwrap();
        connection.pragma_update(None, "user_version", newer).unwrap();
    }
    let before = std::fs::read(&store.path).unwrap();
    match Store::open(&store.path) {
        Err(StoreError::NewerSchema { found, known }) => {
            assert_eq!((found, known), (newer, migrations::current_version()));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    let after = std::fs::read(&store.path).unwrap();
    // Not assert_eq!: a failure would print every byte of the file.
    let changed: Vec<usize> = (0..before.len().max(after.len())).filter(|&i| before.get(i) != after.get(i)).collect();
    assert!(changed.is_empty(), "the newer database's file changed at bytes {changed:?}");
    assert_eq!(user_version(&store.path), newer);
    let connection = Connection::open(&store.path).unwrap();
    let kept: String = connection.query_row("SELECT x FROM future", [], |row| row.get(0)).unwrap();
    assert_eq!(kept, "kept");
}

#[test]
fn stores_opened_at_once_on_a_new_file_all_open() {
    // The window and an `intake` command started together on the first run: each migrates
    // the same empty database.
    for _ in 0..8 {
        let store = temp_store();
        let start = Arc::new(Barrier::new(4));
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let (path, start) = (store.path.clone(), Arc::clone(&start));
                std::thread::spawn(move || {
                    start.wait();
                    Store::open(&path).map(drop)
                })
            })
            .collect();
        for opener in openers {
            opener.join().unwrap().expect("every process opens the new store");
        }
        assert_eq!(user_version(&store.path), migrations::current_version());
    }
}

// ---------------------------------------------------------------------------------------------
// Folder and file modes

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).expect("the file exists").permissions().mode() & 0o777
}

#[cfg(unix)]
fn wal_and_shm(path: &Path) -> [PathBuf; 2] {
    let name = path.file_name().expect("a file name").to_string_lossy();
    [path.with_file_name(format!("{name}-wal")), path.with_file_name(format!("{name}-shm"))]
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_the_database_files_are_private() {
    let store = temp_store();
    let mut opened = open(&store.path);
    assert_eq!(mode(&store.data), 0o700);
    assert_eq!(mode(&store.path), 0o600);
    // Writes in WAL mode go to the -wal file first; the -shm file indexes it.
    for n in 0..5 {
        opened.save_draft(&edit(&RecordId::new(), finosu(&format!("C-{n}"), "Ada"), true)).unwrap();
    }
    let reader = open(&store.path);
    assert_eq!(reader.summaries(&ListFilter::default()).unwrap().len(), 5);
    for file in wal_and_shm(&store.path) {
        assert!(file.exists(), "{} exists while the store is open", file.display());
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[cfg(unix)]
#[test]
fn a_wide_folder_and_file_made_before_are_narrowed() {
    use std::os::unix::fs::PermissionsExt as _;
    let store = temp_store();
    std::fs::create_dir_all(&store.data).unwrap();
    std::fs::set_permissions(&store.data, std::fs::Permissions::from_mode(0o755)).unwrap();
    drop(open(&store.path));
    std::fs::set_permissions(&store.path, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&store.data, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!((mode(&store.data), mode(&store.path)), (0o755, 0o644));

    let mut opened = open(&store.path);
    assert_eq!((mode(&store.data), mode(&store.path)), (0o700, 0o600));
    opened.save_draft(&edit(&RecordId::new(), finosu("C-1", "Ada"), true)).unwrap();
    for file in wal_and_shm(&store.path) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

// ---------------------------------------------------------------------------------------------
// Drafts and their lifecycle

#[test]
fn save_draft_creates_updates_and_recognises_an_unchanged_body() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let id = RecordId::new();
    assert_eq!(opened.save_draft(&edit(&id, finosu("C-1", ""), false)).unwrap(), SaveOutcome::Created);
    let made = opened.get(&id).unwrap().unwrap();
    assert_eq!((made.state, made.source.as_deref(), made.payload.as_ref()), (RecordState::Draft, Some("window"), None));

    next_millisecond();
    assert_eq!(opened.save_draft(&edit(&id, finosu("C-1", "Ada"), true)).unwrap(), SaveOutcome::Updated);
    let changed = opened.get(&id).unwrap().unwrap();
    assert_eq!((changed.state, &changed.body), (RecordState::Ready, &finosu("C-1", "Ada")));
    assert!(changed.updated_at > made.updated_at);
    assert_eq!(changed.created_at, made.created_at);
    let summary = &opened.summaries(&ListFilter::default()).unwrap()[0];
    assert_eq!((summary.name.as_str(), summary.customer_ref.as_str()), ("Ada Lovelace", "C-1"));

    assert_eq!(opened.save_draft(&edit(&id, finosu("C-1", "Ada"), true)).unwrap(), SaveOutcome::Unchanged);
    assert_eq!(opened.get(&id).unwrap().unwrap(), changed, "an unchanged save writes nothing");

    // Another profile is a change even with the same body.
    let mut moved = edit(&id, finosu("C-1", "Ada"), true);
    moved.profile = "work".to_owned();
    assert_eq!(opened.save_draft(&moved).unwrap(), SaveOutcome::Updated);
    assert_eq!(opened.get(&id).unwrap().unwrap().profile, "work");
}

#[test]
fn queued_sending_and_sent_records_are_read_only() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let waiting = queued(&mut opened, finosu("C-1", "Ada"));
    let sending = queued(&mut opened, finosu("C-2", "Grace"));
    let sent = queued(&mut opened, finosu("C-3", "Edith"));
    assert!(opened.claim(&sending, "p1", lease()).unwrap().is_some());
    let sent_claim = opened.claim(&sent, "p1", lease()).unwrap().unwrap();
    let created =
        Settlement::Sent { server_id: Some("C-3".to_owned()), outcome: "created".to_owned(), message: String::new() };
    assert!(opened.settle(&sent_claim, &created).unwrap());

    for (id, state) in [(&waiting, RecordState::Queued), (&sending, RecordState::Sending), (&sent, RecordState::Sent)] {
        let before = opened.get(id).unwrap().unwrap();
        assert_eq!(before.state, state);
        let outcome = opened.save_draft(&edit(id, finosu("C-9", "Changed"), true)).unwrap();
        assert_eq!(outcome, SaveOutcome::ReadOnly(state));
        assert_eq!(opened.get(id).unwrap().unwrap(), before, "a {state} record was changed");
        assert!(
            matches!(opened.queue(id, "work", &finosu("C-9", "Changed")), Err(StoreError::ReadOnly { state: s, .. }) if s == state)
        );
    }
    // A record being sent cannot be deleted either; the others can.
    assert!(matches!(opened.delete(&sending), Err(StoreError::ReadOnly { state: RecordState::Sending, .. })));
    opened.delete(&sent).unwrap();
}

#[test]
fn a_failed_record_that_is_edited_is_a_draft_again_without_its_failure() {
    let store = temp_store();
    let mut opened = open(&store.path);
    for (valid, expected) in [(true, RecordState::Ready), (false, RecordState::Draft)] {
        let id = queued(&mut opened, finosu("C-1", "Ada"));
        let claim = opened.claim(&id, "p1", lease()).unwrap().unwrap();
        assert!(opened.settle(&claim, &failed_settlement()).unwrap());
        let failed = opened.get(&id).unwrap().unwrap();
        assert_eq!((failed.state, failed.failure), (RecordState::Failed, Some(FailureKind::Permanent)));

        assert_eq!(opened.save_draft(&edit(&id, finosu("C-1", "Ada B."), valid)).unwrap(), SaveOutcome::Updated);
        let edited = opened.get(&id).unwrap().unwrap();
        assert_eq!((edited.state, edited.failure), (expected, None));
        assert_eq!(edited.body, finosu("C-1", "Ada B."));
        assert_eq!(edited.outcome.as_deref(), Some("rejected"), "the last outcome stays");
        assert_eq!(
            opened.summaries(&ListFilter::default()).unwrap().iter().find(|s| s.id == id).unwrap().failure,
            None
        );
    }
}

#[test]
fn queue_and_unqueue() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let id = RecordId::new();
    opened.save_draft(&edit(&id, finosu("C-1", "Ada"), true)).unwrap();
    let payload = json!({"id": "C-1", "firstName": "Ada", "lastName": "Lovelace"});
    opened.queue(&id, "work", &payload).unwrap();
    let record = opened.get(&id).unwrap().unwrap();
    assert_eq!(
        (record.state, record.profile.as_str(), record.payload.as_ref()),
        (RecordState::Queued, "work", Some(&payload))
    );
    assert!(record.next_attempt_at.is_some());
    assert_eq!(opened.count(RecordState::Queued, Some("work")).unwrap(), 1);
    assert_eq!(opened.find_by_fingerprint("work", &payload).unwrap().map(|r| r.id), Some(id.clone()));
    assert!(matches!(
        opened.queue(&id, "work", &payload),
        Err(StoreError::ReadOnly { state: RecordState::Queued, .. })
    ));

    opened.unqueue(&id).unwrap();
    let record = opened.get(&id).unwrap().unwrap();
    assert_eq!((record.state, record.next_attempt_at), (RecordState::Ready, None));
    assert!(matches!(opened.unqueue(&id), Err(StoreError::ReadOnly { state: RecordState::Ready, .. })));
    assert_eq!(opened.claim_next("p1", None, lease()).unwrap(), None, "an unqueued record is not sent");

    // A failed record can be queued again, its failure cleared.
    opened.queue(&id, "work", &payload).unwrap();
    let claim = opened.claim_next("p1", None, lease()).unwrap().unwrap();
    assert!(opened.settle(&claim, &failed_settlement()).unwrap());
    opened.queue(&id, "work", &payload).unwrap();
    let record = opened.get(&id).unwrap().unwrap();
    assert_eq!((record.state, record.failure), (RecordState::Queued, None));

    let missing = RecordId::new();
    assert!(matches!(opened.queue(&missing, "work", &payload), Err(StoreError::NotFound(_))));
    assert!(matches!(opened.unqueue(&missing), Err(StoreError::NotFound(_))));
}

#[test]
fn delete_restore_and_purge() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let kept = RecordId::new();
    opened.save_draft(&edit(&kept, finosu("C-1", "Ada"), true)).unwrap();
    let gone = queued(&mut opened, finosu("C-2", "Grace"));
    let attempt = opened.claim(&gone, "p1", lease()).unwrap().unwrap();
    let exchange = Exchange::unanswered(
        Backend::Finosu,
        "POST",
        "http://x/customers".to_owned(),
        None,
        Outcome::ServerError { status: 503 },
    );
    opened.record_exchanges(&gone, &attempt.attempt_id, AttemptStep::Send, &[exchange]).unwrap();
    let retry = Settlement::Retry { at: 0, outcome: "server_error".to_owned(), message: String::new() };
    assert!(opened.settle(&attempt, &retry).unwrap());

    opened.delete(&gone).unwrap();
    assert!(matches!(opened.delete(&gone), Err(StoreError::ReadOnly { .. })), "deleted twice");
    let listed: Vec<_> = opened.summaries(&ListFilter::default()).unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(listed, std::slice::from_ref(&kept));
    assert_eq!(opened.count(RecordState::Queued, None).unwrap(), 0);
    assert_eq!(opened.claim_next("p1", None, lease()).unwrap(), None, "a deleted record leaves the outbox");
    assert_eq!(opened.claim(&gone, "p1", lease()).unwrap(), None);
    assert!(opened.get(&gone).unwrap().unwrap().state == RecordState::Queued, "deleted records can still be read");

    opened.restore(&gone).unwrap();
    assert_eq!(opened.count(RecordState::Queued, None).unwrap(), 1);
    assert!(matches!(opened.restore(&RecordId::new()), Err(StoreError::NotFound(_))));

    // Purging removes only records deleted before the cut, with their history.
    opened.delete(&gone).unwrap();
    assert_eq!(opened.purge_deleted(0).unwrap(), 0, "deleted after the cut");
    assert_eq!(opened.purge_deleted(now_millis() + 1).unwrap(), 1);
    assert_eq!(opened.get(&gone).unwrap(), None);
    assert!(opened.history(&gone).unwrap().is_empty(), "the history goes with its record");
    assert!(opened.get(&kept).unwrap().is_some(), "a record that was not deleted stays");
    assert!(matches!(opened.restore(&gone), Err(StoreError::NotFound(_))));
}

#[test]
fn duplicate_makes_a_new_draft_of_a_sent_record() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let body = finosu("C-1", "Ada");
    let sent = queued(&mut opened, body.clone());
    let claim = opened.claim(&sent, "p1", lease()).unwrap().unwrap();
    let created =
        Settlement::Sent { server_id: Some("C-1".to_owned()), outcome: "created".to_owned(), message: String::new() };
    assert!(opened.settle(&claim, &created).unwrap());
    let original = opened.get(&sent).unwrap().unwrap();

    let copy = opened.duplicate(&sent).unwrap();
    assert_ne!(copy, sent);
    let made = opened.get(&copy).unwrap().unwrap();
    let expected_state = if intake::validation::has_errors(&intake::validation::validate_draft(Backend::Finosu, &body))
    {
        RecordState::Draft
    } else {
        RecordState::Ready
    };
    assert_eq!((made.state, &made.body, made.profile.as_str()), (expected_state, &body, "sandbox-finosu"));
    assert_eq!((made.payload, made.server_id, made.attempts, made.outcome), (None, None, 0, None));
    assert_eq!(made.source, Some(format!("duplicate of {sent}")));
    assert_eq!(opened.get(&sent).unwrap().unwrap(), original, "the original is untouched");
    assert!(matches!(opened.duplicate(&RecordId::new()), Err(StoreError::NotFound(_))));
}

fn ids(store: &Store, filter: &ListFilter) -> Vec<RecordId> {
    store.summaries(filter).expect("the list").into_iter().map(|s| s.id).collect()
}

#[test]
fn summaries_filter_by_state_and_profile_newest_first_and_latest_is_the_last_changed() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let mut save = |profile: &str, body: Value, valid: bool| {
        next_millisecond();
        let id = RecordId::new();
        let mut draft = edit(&id, body, valid);
        draft.profile = profile.to_owned();
        opened.save_draft(&draft).unwrap();
        id
    };
    let a = save("work", finosu("C-1", "Ada"), true);
    let b = save("home", finosu("C-2", ""), false);
    let c = save("work", finosu("C-3", "Edith"), false);
    next_millisecond();
    let help_scout = DraftEdit {
        id: RecordId::new(),
        backend: Backend::HelpScout,
        profile: "hs".to_owned(),
        body: json!({"firstName": "Vernon", "emails": [{"type": "work", "value": "v@x.io"}]}),
        valid: true,
    };
    opened.save_draft(&help_scout).unwrap();

    assert_eq!(ids(&opened, &ListFilter::default()), [help_scout.id.clone(), c.clone(), b.clone(), a.clone()]);
    assert_eq!(ids(&opened, &ListFilter { state: Some(RecordState::Draft), profile: None }), [c.clone(), b.clone()]);
    assert_eq!(ids(&opened, &ListFilter { state: None, profile: Some("work".to_owned()) }), [c.clone(), a.clone()]);
    assert_eq!(
        ids(&opened, &ListFilter { state: Some(RecordState::Ready), profile: Some("work".to_owned()) }),
        std::slice::from_ref(&a)
    );
    assert!(ids(&opened, &ListFilter { state: Some(RecordState::Sent), profile: None }).is_empty());
    let summary = opened.summaries(&ListFilter { state: None, profile: Some("hs".to_owned()) }).unwrap();
    assert_eq!((summary[0].email.as_str(), summary[0].backend), ("v@x.io", Backend::HelpScout));

    assert_eq!(opened.latest(Backend::Finosu).unwrap().map(|r| r.id), Some(c.clone()));
    assert_eq!(opened.latest(Backend::HelpScout).unwrap().map(|r| r.id), Some(help_scout.id.clone()));
    // Changing the oldest makes it the latest; a deleted record is never the latest.
    next_millisecond();
    opened.save_draft(&edit(&a, finosu("C-1", "Ada B."), true)).unwrap();
    assert_eq!(opened.latest(Backend::Finosu).unwrap().map(|r| r.id), Some(a.clone()));
    assert_eq!(ids(&opened, &ListFilter::default())[0], a);
    opened.delete(&a).unwrap();
    assert_eq!(opened.latest(Backend::Finosu).unwrap().map(|r| r.id), Some(c));
    opened.delete(&help_scout.id).unwrap();
    assert_eq!(opened.latest(Backend::HelpScout).unwrap(), None);
}

// ---------------------------------------------------------------------------------------------
// Claims

#[test]
fn two_connections_claiming_at_once_never_get_the_same_record_and_together_get_all() {
    const RECORDS: usize = 60;
    let store = temp_store();
    let mut opened = open(&store.path);
    let mut all: Vec<RecordId> = (0..RECORDS).map(|n| queued(&mut opened, finosu(&format!("C-{n}"), "Ada"))).collect();
    drop(opened);

    let start = Arc::new(Barrier::new(2));
    let claimers: Vec<_> = ["p1", "p2"]
        .into_iter()
        .map(|claimant| {
            let (path, start) = (store.path.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                start.wait();
                let mut claimed = Vec::new();
                while let Some(claim) = store.claim_next(claimant, None, lease()).unwrap() {
                    assert_eq!((claim.claimant.as_str(), claim.record.state), (claimant, RecordState::Sending));
                    assert_eq!(claim.record.claimant.as_deref(), Some(claimant));
                    assert_eq!(claim.record.attempt_id.as_ref(), Some(&claim.attempt_id));
                    claimed.push(claim.record.id);
                }
                claimed
            })
        })
        .collect();
    let claimed: Vec<Vec<RecordId>> = claimers.into_iter().map(|c| c.join().unwrap()).collect();
    let mut together: Vec<RecordId> = claimed.concat();
    together.sort();
    let before = together.len();
    together.dedup();
    assert_eq!(
        before,
        together.len(),
        "a record was claimed twice: {} and {} claims",
        claimed[0].len(),
        claimed[1].len()
    );
    all.sort();
    assert_eq!(together, all, "every queued record was claimed");

    let opened = open(&store.path);
    assert_eq!(opened.sending().unwrap().len(), RECORDS);
    assert!(opened.sending().unwrap().iter().all(|r| r.attempts == 1));
}

fn claimed_one(opened: &mut Store, claimant: &str) -> Claim {
    let id = queued(opened, finosu("C-1", "Ada"));
    opened.claim(&id, claimant, lease()).expect("the claim").expect("a queued record is claimed")
}

#[test]
fn a_stale_claim_settles_nothing() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let first = claimed_one(&mut opened, "p1");
    let second = opened.take_over(&first.record, "p2", lease()).unwrap().expect("taken over");
    assert_eq!((second.attempt_id.as_str(), second.claimant.as_str()), (first.attempt_id.as_str(), "p2"));
    assert_eq!(second.record.attempt_started_at, first.record.attempt_started_at, "the attempt stays");
    let before = opened.get(&first.record.id).unwrap().unwrap();

    let created =
        Settlement::Sent { server_id: Some("C-1".to_owned()), outcome: "created".to_owned(), message: String::new() };
    assert!(!opened.settle(&first, &created).unwrap(), "the first claimant's attempt was taken over");
    assert!(!opened.settle(&first, &failed_settlement()).unwrap());
    assert!(!opened.renew(&first, lease()).unwrap());
    assert_eq!(opened.get(&first.record.id).unwrap().unwrap(), before, "a stale settle wrote something");

    assert!(opened.renew(&second, lease()).unwrap());
    assert!(opened.settle(&second, &created).unwrap());
    let settled = opened.get(&first.record.id).unwrap().unwrap();
    assert_eq!((settled.state, settled.server_id.as_deref(), settled.claimant), (RecordState::Sent, Some("C-1"), None));
    assert!(!opened.settle(&second, &created).unwrap(), "an attempt is settled once");
}

#[test]
fn an_attempt_is_taken_over_only_once() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let mut other = open(&store.path);
    let first = claimed_one(&mut opened, "p1");
    let seen = opened.sending().unwrap().remove(0);
    let seen_elsewhere = other.sending().unwrap().remove(0);
    assert!(opened.take_over(&seen, "p2", lease()).unwrap().is_some());
    assert_eq!(other.take_over(&seen_elsewhere, "p3", lease()).unwrap(), None, "taken over twice");
    assert_eq!(opened.take_over(&seen, "p2", lease()).unwrap(), None, "taken over twice by the same claimant");
    assert_eq!(opened.get(&first.record.id).unwrap().unwrap().claimant.as_deref(), Some("p2"));

    // A record no longer sending is not taken over.
    let current = opened.get(&first.record.id).unwrap().unwrap();
    let claim = Claim { record: current.clone(), attempt_id: first.attempt_id.clone(), claimant: "p2".to_owned() };
    let retry = Settlement::Retry { at: 0, outcome: "reconciled".to_owned(), message: String::new() };
    assert!(opened.settle(&claim, &retry).unwrap());
    assert_eq!(other.take_over(&current, "p3", lease()).unwrap(), None);
    // Claimed again, it is a new attempt: the old snapshot does not take it.
    let again = opened.claim_next("p4", None, lease()).unwrap().unwrap();
    assert_ne!(again.attempt_id, first.attempt_id);
    assert_eq!(other.take_over(&current, "p3", lease()).unwrap(), None);
    assert_eq!(opened.get(&first.record.id).unwrap().unwrap().attempts, 2);
}

// ---------------------------------------------------------------------------------------------
// History

const SSN: &str = "8642";

fn create_exchange(started_at: SystemTime) -> Exchange {
    let body = json!({"id": "C-1", "firstName": "Ada", "ssnLastFour": SSN, "externalMetadata": {"ssnLastFour": SSN}});
    let mut exchange = Exchange::unanswered(
        Backend::Finosu,
        "POST",
        "https://api.example/customers".to_owned(),
        Some(body.to_string()),
        Outcome::ConnectionLost { detail: "reset".to_owned() },
    );
    exchange.started_at = started_at;
    exchange.latency = Duration::from_millis(1250);
    exchange.request_headers = vec![
        Header { name: "Authorization".to_owned(), value: "Bearer ••••a1b2".to_owned() },
        Header { name: "X-Api-Key".to_owned(), value: "••••c3d4".to_owned() },
    ];
    exchange
}

fn lookup_exchange(started_at: SystemTime, response_body: &[u8]) -> Exchange {
    let mut exchange = Exchange::unanswered(
        Backend::Finosu,
        "GET",
        "https://api.example/customers/C-1".to_owned(),
        None,
        Outcome::Answered { status: 200 },
    );
    exchange.started_at = started_at;
    exchange.response = Some(ResponseRecord {
        status: 200,
        reason: "OK".to_owned(),
        headers: vec![Header { name: "Content-Type".to_owned(), value: "application/json".to_owned() }],
        body: response_body.to_vec(),
        body_truncated_from: None,
    });
    exchange
}

#[test]
fn exchanges_come_back_as_recorded_with_their_secrets_masked() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let claim = claimed_one(&mut opened, "p1");
    let id = &claim.record.id;
    let sent_at = SystemTime::now();
    let answer = json!({"id": "C-1", "firstName": "Ada", "ssnLastFour": SSN, "list": [{"ssnLastFour": SSN}]});
    opened.record_exchanges(id, &claim.attempt_id, AttemptStep::Send, &[create_exchange(sent_at)]).unwrap();
    let looked_at = sent_at + Duration::from_secs(31);
    let lookups = [lookup_exchange(looked_at, answer.to_string().as_bytes())];
    opened.record_exchanges(id, &claim.attempt_id, AttemptStep::Reconcile, &lookups).unwrap();
    // More exchanges for the same step continue its sequence.
    let later = [lookup_exchange(looked_at + Duration::from_secs(1), b"not json")];
    opened.record_exchanges(id, &claim.attempt_id, AttemptStep::Reconcile, &later).unwrap();

    let history = opened.history(id).unwrap();
    let steps: Vec<_> = history.iter().map(|row| (row.step.as_str(), row.outcome.as_str(), row.status)).collect();
    assert_eq!(
        steps,
        [("send", "connection_lost", None), ("reconcile", "answered", Some(200)), ("reconcile", "answered", Some(200))]
    );
    assert!(history.iter().all(|row| row.attempt_id == claim.attempt_id));
    let send = &history[0];
    assert_eq!(send.message, create_exchange(sent_at).summary());
    assert_eq!(send.started_at, chrono::DateTime::<chrono::Utc>::from(sent_at).timestamp_millis());
    assert_eq!(send.exchange["method"], "POST");
    assert_eq!(send.exchange["url"], "https://api.example/customers");
    assert_eq!(send.exchange["latency_ms"], 1250);
    assert_eq!(send.exchange["response"], Value::Null);
    assert_eq!(
        send.exchange["request_headers"],
        json!([["Authorization", "Bearer ••••a1b2"], ["X-Api-Key", "••••c3d4"]]),
        "credentials masked by the client stay masked"
    );
    assert_eq!(send.exchange["request_body"]["ssnLastFour"], "••••");
    assert_eq!(send.exchange["request_body"]["externalMetadata"]["ssnLastFour"], "••••");
    assert_eq!(send.exchange["request_body"]["firstName"], "Ada");
    let lookup = &history[1].exchange;
    assert_eq!(lookup["response"]["status"], 200);
    assert_eq!(lookup["response"]["body"]["ssnLastFour"], "••••");
    assert_eq!(lookup["response"]["body"]["list"][0]["ssnLastFour"], "••••");
    assert_eq!(history[2].exchange["response"]["body"], "not json");

    assert_no_ssn_in_history(&store.path);
}

#[test]
fn send_and_lookup_in_the_same_millisecond_keep_their_order() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let claim = claimed_one(&mut opened, "p1");
    let id = &claim.record.id;
    let at = SystemTime::now();
    opened.record_exchanges(id, &claim.attempt_id, AttemptStep::Send, &[create_exchange(at)]).unwrap();
    opened.record_exchanges(id, &claim.attempt_id, AttemptStep::Reconcile, &[lookup_exchange(at, b"{}")]).unwrap();
    let steps: Vec<_> = opened.history(id).unwrap().into_iter().map(|row| row.step).collect();
    assert_eq!(steps, ["send", "reconcile"], "the history is oldest first");
}

#[test]
fn the_ssn_is_masked_in_a_long_answer_that_is_cut() {
    let store = temp_store();
    let mut opened = open(&store.path);
    let claim = claimed_one(&mut opened, "p1");
    // An answer larger than the history keeps: the part kept is not JSON on its own.
    let filler: Vec<Value> = (0..4000).map(|n| json!({"note": format!("line {n:05} of a long answer")})).collect();
    let answer = json!({"id": "C-1", "ssnLastFour": SSN, "notes": filler, "tail": {"ssnLastFour": SSN}});
    let text = answer.to_string();
    assert!(text.len() > 100 * 1024, "the answer is long: {}", text.len());
    let exchange = lookup_exchange(SystemTime::now(), text.as_bytes());
    opened.record_exchanges(&claim.record.id, &claim.attempt_id, AttemptStep::Reconcile, &[exchange]).unwrap();
    let history = opened.history(&claim.record.id).unwrap();
    assert_eq!(history[0].exchange["response"]["body_bytes"], text.len());
    assert_no_ssn_in_history(&store.path);
}

/// No stored exchange holds the SSN last four, however it was kept.
fn assert_no_ssn_in_history(path: &Path) {
    let connection = Connection::open(path).expect("the database opens");
    let mut statement = connection.prepare("SELECT exchange, message FROM attempts").expect("the query");
    let rows: Vec<(String, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("the rows")
        .collect::<Result<_, _>>()
        .expect("the rows");
    assert!(!rows.is_empty());
    for (exchange, message) in rows {
        assert!(!exchange.contains(SSN) && !message.contains(SSN), "the SSN last four is stored: {exchange:.300}");
    }
}

fn batch_row(row: usize, body: Value, valid: bool, note: Option<&str>) -> BatchRow {
    let record = NewRecord {
        backend: Backend::Finosu,
        profile: "p".to_owned(),
        body,
        payload: None,
        valid,
        source: Some(format!("customers.csv row {row}")),
    };
    BatchRow { row, record, note: note.map(str::to_owned) }
}

#[test]
fn a_batch_keeps_its_rows_counts_queues_its_valid_ones_and_takes_them_back() {
    let temp = temp_store();
    let mut store = open(&temp.path);
    let batch = NewBatch { profile: "p".to_owned(), backend: Backend::Finosu, file_name: "customers.csv".to_owned() };
    let rows = vec![
        batch_row(1, finosu("A-1", "Ada"), true, None),
        batch_row(2, json!({"firstName": "No id"}), false, None),
        batch_row(3, finosu("A-1", "Ada again"), true, Some("the same customer as row 1")),
        batch_row(4, finosu("A-4", "Alan"), true, None),
    ];
    let (id, records) = store.insert_batch(&batch, &rows).expect("the batch is stored");
    assert_eq!(records.len(), 4);
    let counts = store.batch_counts(&id).unwrap();
    assert_eq!((counts.ready, counts.draft, counts.not_queued(), counts.pending()), (3, 1, 4, 0));

    // The ready rows not held back are the ones a batch queues.
    let ready = store.batch_ready(&id).unwrap();
    assert_eq!(ready.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(), [records[0].clone(), records[3].clone()]);
    assert_eq!(store.queue_many("p", &ready).unwrap(), 2);
    assert_eq!(store.batch_counts(&id).unwrap().queued, 2);
    assert!(store.batch_ready(&id).unwrap().is_empty());

    // The report reads in file order with the note of the held-back row.
    let report = store.batch_rows(&id).unwrap();
    assert_eq!(report.iter().map(|r| r.row).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(report[2].note.as_deref(), Some("the same customer as row 1"));
    assert_eq!(report[0].state, RecordState::Queued);

    // Stop: the queued rows are ready again; a record being sent is left to finish.
    let claim = store.claim(&records[0], "sender", lease()).unwrap().expect("queued");
    assert_eq!(store.unqueue_batch(&id).unwrap(), 1);
    assert_eq!(store.get(&records[3]).unwrap().unwrap().state, RecordState::Ready);
    assert_eq!(store.get(&claim.record.id).unwrap().unwrap().state, RecordState::Sending);

    // The list shows the batch with its counts; a second batch comes first.
    let (second, _) = store.insert_batch(&batch, &[batch_row(1, finosu("B-1", "Bea"), true, None)]).unwrap();
    let listed = store.batches().unwrap();
    assert_eq!(listed.iter().map(|b| b.id.clone()).collect::<Vec<_>>(), [second, id.clone()]);
    assert_eq!(listed[1].rows, 4);
    assert_eq!(listed[1].counts.sending, 1);
    assert_eq!(store.batch(&id).unwrap().expect("found").file_name, "customers.csv");
}

#[test]
fn queueing_many_is_all_or_nothing() {
    let temp = temp_store();
    let mut store = open(&temp.path);
    let batch = NewBatch { profile: "p".to_owned(), backend: Backend::Finosu, file_name: "f.csv".to_owned() };
    let (_, records) = store
        .insert_batch(
            &batch,
            &[batch_row(1, finosu("A", "Ada"), true, None), batch_row(2, finosu("B", "Bo"), true, None)],
        )
        .unwrap();
    let sent = queued(&mut store, finosu("C", "Cy"));
    let claim = store.claim(&sent, "s", lease()).unwrap().expect("queued");
    assert!(
        store
            .settle(&claim, &Settlement::Sent { server_id: None, outcome: "created".into(), message: String::new() })
            .unwrap()
    );
    let payloads = vec![(records[0].clone(), finosu("A", "Ada")), (sent, finosu("C", "Cy"))];
    assert!(store.queue_many("p", &payloads).is_err(), "a sent record cannot be queued");
    assert_eq!(store.get(&records[0]).unwrap().unwrap().state, RecordState::Ready, "nothing was queued");
}

#[test]
fn a_mapping_is_remembered_per_profile_and_header_set() {
    let temp = temp_store();
    let mut store = open(&temp.path);
    assert_eq!(store.saved_mapping("p", "a\u{1f}b").unwrap(), None);
    store.save_mapping("p", "a\u{1f}b", "{\"columns\":{}}").unwrap();
    store.save_mapping("p", "a\u{1f}b", "{\"columns\":{\"a\":null}}").unwrap();
    assert_eq!(store.saved_mapping("p", "a\u{1f}b").unwrap().as_deref(), Some("{\"columns\":{\"a\":null}}"));
    assert_eq!(store.saved_mapping("q", "a\u{1f}b").unwrap(), None, "per profile");
    assert_eq!(store.saved_mapping("p", "a").unwrap(), None, "per header set");
}
