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

/// The indexes of `records` to show for `view`, in order.
pub fn visible_rows(records: &[RecordSummary], view: &ListView) -> Vec<usize> {
    let words: Vec<String> = view.query.split_whitespace().map(str::to_lowercase).collect();
    let mut rows: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| view.state.is_none_or(|state| r.state == state))
        .filter(|(_, r)| words.is_empty() || matches_all(r, &words))
        .map(|(index, _)| index)
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

fn matches_all(record: &RecordSummary, words: &[String]) -> bool {
    let haystack = format!(
        "{} {} {} {} {} {}",
        record.name,
        record.email,
        record.customer_ref,
        record.server_id.as_deref().unwrap_or_default(),
        record.profile,
        record.id
    )
    .to_lowercase();
    words.iter().all(|word| haystack.contains(word.as_str()))
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
        let records = vec![
            record("Grace Hopper", "grace@navy.mil", RecordState::Sent, 30),
            record("Ada Lovelace", "ada@example.com", RecordState::Draft, 20),
            record("Alan Turing", "alan@example.com", RecordState::Failed, 10),
        ];
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
}
