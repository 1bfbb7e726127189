//! Which records the Drafts panel shows, in which order: search, state filter and sort over
//! the records as last read. Pure, so it is tested without a window, and cheap enough to run
//! over 10,000 records on the frame a search changes.

use crate::store::{RecordState, RecordSummary};

/// The order of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DraftSort {
    /// Newest change first.
    #[default]
    Changed,
    /// By name (then email).
    Name,
    /// By state in lifecycle order, then newest change first.
    State,
}

impl DraftSort {
    /// Every order, as the picker lists them.
    pub const ALL: [Self; 3] = [Self::Changed, Self::Name, Self::State];

    /// How the picker names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Changed => "Last change",
            Self::Name => "Name",
            Self::State => "State",
        }
    }
}

/// What the list is narrowed to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListView {
    /// Words that must all appear in the name, email, Finosu id, server id, profile or record id.
    pub query: String,
    /// Only this state.
    pub state: Option<RecordState>,
    /// The order.
    pub sort: DraftSort,
}

/// The records as last read, with what a search looks in, made once per read (off the UI
/// thread), so that a keystroke in the search only compares.
#[derive(Debug, Clone, Default)]
pub struct ListedRecords {
    /// Newest change first.
    pub records: Vec<RecordSummary>,
    /// For each record, its searchable text in lower case.
    pub search_keys: Vec<String>,
}

impl ListedRecords {
    /// The records with their search keys.
    pub fn new(records: Vec<RecordSummary>) -> Self {
        let search_keys = records.iter().map(search_key).collect();
        Self { records, search_keys }
    }
}

/// What a search looks in: name, email, Finosu id, server id, profile, record id — lower case.
pub fn search_key(record: &RecordSummary) -> String {
    format!(
        "{} {} {} {} {} {}",
        record.name,
        record.email,
        record.customer_ref,
        record.server_id.as_deref().unwrap_or_default(),
        record.profile,
        record.id
    )
    .to_lowercase()
}

/// The indexes of `listed`'s records to show for `view`, in order.
pub fn visible_rows(listed: &ListedRecords, view: &ListView) -> Vec<usize> {
    narrowed_rows(listed, view, 0..listed.records.len())
}

/// [`visible_rows`] looking only at `candidates` (in the store's order): when the search only
/// grew (a letter typed), the rows shown before are the only ones that can still match.
pub fn narrowed_rows(
    listed: &ListedRecords,
    view: &ListView,
    candidates: impl IntoIterator<Item = usize>,
) -> Vec<usize> {
    let words: Vec<String> = view.query.split_whitespace().map(str::to_lowercase).collect();
    // One searcher per word, reused over every record.
    let finders: Vec<memchr::memmem::Finder<'_>> = words.iter().map(memchr::memmem::Finder::new).collect();
    let records = &listed.records;
    let mut rows: Vec<usize> = candidates
        .into_iter()
        .filter(|&i| records.get(i).is_some_and(|r| view.state.is_none_or(|state| r.state == state)))
        .filter(|&i| {
            let key = listed.search_keys.get(i).map_or(&b""[..], String::as_bytes);
            finders.iter().all(|finder| finder.find(key).is_some())
        })
        .collect();
    match view.sort {
        // The store lists newest change first already.
        DraftSort::Changed => {}
        DraftSort::Name => rows.sort_by_cached_key(|&i| {
            let r = &records[i];
            (r.name.is_empty(), r.name.to_lowercase(), r.email.to_lowercase())
        }),
        DraftSort::State => rows.sort_by_key(|&i| (records[i].state, std::cmp::Reverse(records[i].updated_at))),
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Backend;
    use crate::store::RecordId;

    fn record(name: &str, email: &str, state: RecordState, updated_at: i64) -> RecordSummary {
        RecordSummary {
            id: RecordId::from(format!("r-{name}")),
            backend: Backend::Finosu,
            profile: "Sandbox · Finosu".to_owned(),
            state,
            name: name.to_owned(),
            email: email.to_owned(),
            customer_ref: String::new(),
            updated_at,
            attempts: 0,
            server_id: (state == RecordState::Sent).then(|| format!("S-{name}")),
            message: None,
            failure: None,
        }
    }

    #[test]
    fn search_filter_and_sort() {
        let records = ListedRecords::new(vec![
            record("Grace Hopper", "grace@navy.mil", RecordState::Sent, 30),
            record("Ada Lovelace", "ada@example.com", RecordState::Draft, 20),
            record("Alan Turing", "alan@example.com", RecordState::Failed, 10),
        ]);
        let all = ListView::default();
        assert_eq!(visible_rows(&records, &all), [0, 1, 2]);
        let search = ListView { query: "EXAMPLE a".to_owned(), ..ListView::default() };
        assert_eq!(visible_rows(&records, &search), [1, 2], "every word, any case");
        let by_server_id = ListView { query: "s-grace".to_owned(), ..ListView::default() };
        assert_eq!(visible_rows(&records, &by_server_id), [0]);
        let failed = ListView { state: Some(RecordState::Failed), ..ListView::default() };
        assert_eq!(visible_rows(&records, &failed), [2]);
        let by_name = ListView { sort: DraftSort::Name, ..ListView::default() };
        assert_eq!(visible_rows(&records, &by_name), [1, 2, 0]);
        let by_state = ListView { sort: DraftSort::State, ..ListView::default() };
        assert_eq!(visible_rows(&records, &by_state), [1, 0, 2]);
    }

    #[test]
    fn a_grown_search_narrows_the_rows_already_shown_to_the_same_result() {
        let records = ListedRecords::new(
            (0..50).map(|n| record(&format!("Name{n}"), &format!("n{n}@example.com"), RecordState::Ready, n)).collect(),
        );
        for (before, after) in [("n", "n1"), ("name1", "name12"), ("", "example"), ("n2", "n2 example")] {
            let shown = visible_rows(&records, &ListView { query: before.to_owned(), ..ListView::default() });
            let grown = ListView { query: after.to_owned(), ..ListView::default() };
            assert_eq!(narrowed_rows(&records, &grown, shown), visible_rows(&records, &grown), "{before} → {after}");
        }
    }
}
