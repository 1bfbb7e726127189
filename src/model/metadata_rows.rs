//! Finosu's `externalMetadata` as an outline of typed rows, kept in step with its JSON text.
//!
//! The JSON text is the source of truth; the rows are a second view of a top-level object. Every
//! value is one row with a depth: an object's members and an array's items follow their row one
//! level deeper, so a subtree is a contiguous run of rows (removing or collapsing one is a
//! range). Each row has a [`ValueKind`] chosen by the person, so `"42"` typed as text stays text.
//! A row the text cannot hold yet (an object member without a key, a number that does not parse)
//! stays a row and is left out of the text, with [`MetadataRows::problem`] saying why.

use std::collections::HashSet;

use serde_json::{Map, Number, Value};

/// What a row's value is: the six JSON types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ValueKind {
    /// A JSON string; the cell holds it as typed.
    #[default]
    Text,
    /// A JSON number; the cell holds its digits.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`: nothing to type.
    Null,
    /// An object: the rows below hold its members.
    Object,
    /// An array: the rows below hold its items.
    Array,
}

impl ValueKind {
    /// Every kind, in the order the type picker lists them.
    pub const ALL: [Self; 6] = [Self::Text, Self::Number, Self::Bool, Self::Null, Self::Object, Self::Array];

    /// How the type picker names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Bool => "true/false",
            Self::Null => "null",
            Self::Object => "object",
            Self::Array => "array",
        }
    }

    /// Whether rows below hold its content.
    pub fn is_container(self) -> bool {
        matches!(self, Self::Object | Self::Array)
    }

    fn of(value: &Value) -> Self {
        match value {
            Value::String(_) => Self::Text,
            Value::Number(_) => Self::Number,
            Value::Bool(_) => Self::Bool,
            Value::Null => Self::Null,
            Value::Object(_) => Self::Object,
            Value::Array(_) => Self::Array,
        }
    }
}

/// One value of the metadata: an object member (with its key) or an array item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataRow {
    /// 0 for the top-level object's members, one more per level of nesting.
    pub depth: usize,
    /// The member's key; unused for array items (their index is their place).
    pub key: String,
    /// The value's type.
    pub kind: ValueKind,
    /// A text's string, a number's digits, `true`/`false`; empty for null and containers.
    pub text: String,
    /// Whether a container shows its rows.
    pub expanded: bool,
}

/// A row as drawn: which row, and its place when it is an array item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisibleRow {
    /// Index into [`MetadataRows::rows`].
    pub index: usize,
    /// The item's index when the parent is an array (the key cell shows it, read-only).
    pub item: Option<usize>,
}

/// Rows read from text expand their containers only up to this many rows, so a large object
/// opens folded and draws quickly.
pub const EXPAND_ALL_UP_TO: usize = 200;

/// The outline of a metadata object, with the rows currently shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataRows {
    rows: Vec<MetadataRow>,
    /// The rows not inside a folded container, in order; rebuilt after every structural change.
    visible: Vec<VisibleRow>,
}

/// Why a text was refused as an object to paste, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (line {line}, column {column})")]
pub struct PasteRefusal {
    /// What is wrong.
    pub message: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column of the problem.
    pub column: usize,
}

/// What merging an object into the rows did, to say in a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Keys added (nested ones as `employer.name`).
    pub added: Vec<String>,
    /// Keys whose value was replaced by the merged one.
    pub replaced: Vec<String>,
    /// Keys left as they were because the rows already had a value there.
    pub kept: Vec<String>,
}

impl MetadataRows {
    /// The rows of a metadata text: empty for blank text, `None` when the text is not a JSON
    /// object (rows cannot show it; the text editor says why).
    pub fn from_text(text: &str) -> Option<Self> {
        Self::from_text_like(text, None)
    }

    /// Like [`Self::from_text`], keeping the containers `previous` had open (by key path) open.
    pub fn from_text_like(text: &str, previous: Option<&Self>) -> Option<Self> {
        if text.trim().is_empty() {
            return Some(Self::default());
        }
        let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
            return None;
        };
        Some(Self::from_object_like(&object, previous))
    }

    /// The rows of an object.
    pub fn from_object(object: &Map<String, Value>) -> Self {
        Self::from_object_like(object, None)
    }

    fn from_object_like(object: &Map<String, Value>, previous: Option<&Self>) -> Self {
        let mut rows = Vec::new();
        for (key, value) in object {
            push_rows(&mut rows, 0, key, value);
        }
        // Key paths cost a string per row: worth it only when something was open.
        let previous = previous
            .filter(|p| !p.is_empty())
            .filter(|p| rows.len() <= EXPAND_ALL_UP_TO || p.rows.iter().any(|r| r.expanded));
        if let Some(previous) = previous {
            let open = previous.expanded_paths();
            let paths = paths_of(&rows);
            for (row, path) in rows.iter_mut().zip(paths) {
                row.expanded = row.kind.is_container() && open.contains(&path);
            }
        } else {
            let expand = rows.len() <= EXPAND_ALL_UP_TO;
            for row in &mut rows {
                row.expanded = expand && row.kind.is_container();
            }
        }
        let mut this = Self { rows, visible: Vec::new() };
        this.refresh_visible();
        this
    }

    /// Every row, shown or folded.
    pub fn rows(&self) -> &[MetadataRow] {
        &self.rows
    }

    /// The rows shown (outside folded containers), in order.
    pub fn visible(&self) -> &[VisibleRow] {
        &self.visible
    }

    /// Whether there are no rows at all.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row at `index`, to edit its key or text (not its depth or kind: use
    /// [`Self::set_kind`], which keeps the outline whole).
    pub fn cell_mut(&mut self, index: usize) -> Option<(&mut String, &mut String)> {
        self.rows.get_mut(index).map(|row| (&mut row.key, &mut row.text))
    }

    /// The metadata object the rows stand for; rows the text cannot hold are left out.
    pub fn to_object(&self) -> Map<String, Value> {
        self.members(0, self.rows.len())
    }

    /// The object whose members are the subtrees starting in `start..end` at its first depth.
    fn members(&self, start: usize, end: usize) -> Map<String, Value> {
        let mut object = Map::new();
        let mut index = start;
        while index < end {
            let (entry, next) = self.value_at(index);
            let key = self.rows[index].key.trim();
            if let Some(value) = entry
                && !key.is_empty()
            {
                object.insert(key.to_owned(), value);
            }
            index = next;
        }
        object
    }

    /// Pretty JSON text for the rows; a later member wins over an earlier one with the same key.
    /// No members gives empty text (the field is then not sent).
    pub fn to_text(&self) -> String {
        let object = self.to_object();
        if object.is_empty() {
            return String::new();
        }
        serde_json::to_string_pretty(&Value::Object(object)).unwrap_or_default()
    }

    /// Why the row at `index` is not in the text, if it is not.
    pub fn problem(&self, index: usize) -> Option<&'static str> {
        let row = self.rows.get(index)?;
        let in_array = self.parent(index).is_some_and(|p| self.rows[p].kind == ValueKind::Array);
        if !in_array && row.key.trim().is_empty() {
            return Some("Needs a key: left out of the JSON until it has one.");
        }
        if row.kind == ValueKind::Number && parse_number(&row.text).is_none() {
            return Some("Not a number: left out of the JSON until it is one.");
        }
        None
    }

    /// The value of the subtree at `index` (`None` when the row cannot be written) and the
    /// index after the subtree.
    fn value_at(&self, index: usize) -> (Option<Value>, usize) {
        let row = &self.rows[index];
        let end = self.subtree_end(index);
        let value = match row.kind {
            ValueKind::Text => Some(Value::String(row.text.clone())),
            ValueKind::Number => parse_number(&row.text).map(Value::Number),
            ValueKind::Bool => Some(Value::Bool(row.text.trim() == "true")),
            ValueKind::Null => Some(Value::Null),
            ValueKind::Object => Some(Value::Object(self.members(index + 1, end))),
            ValueKind::Array => {
                let mut items = Vec::new();
                let mut child = index + 1;
                while child < end {
                    let (value, next) = self.value_at(child);
                    items.extend(value);
                    child = next;
                }
                Some(Value::Array(items))
            }
        };
        (value, end)
    }

    /// The index just after the subtree of the row at `index`.
    pub fn subtree_end(&self, index: usize) -> usize {
        let Some(depth) = self.rows.get(index).map(|r| r.depth) else { return self.rows.len() };
        self.rows[index + 1..].iter().position(|r| r.depth <= depth).map_or(self.rows.len(), |p| index + 1 + p)
    }

    /// The container row holding the row at `index` (`None` at the top level).
    pub fn parent(&self, index: usize) -> Option<usize> {
        let depth = self.rows.get(index)?.depth.checked_sub(1)?;
        self.rows[..index].iter().rposition(|r| r.depth == depth)
    }

    /// Folds or unfolds a container.
    pub fn toggle(&mut self, index: usize) {
        if let Some(row) = self.rows.get_mut(index).filter(|r| r.kind.is_container()) {
            row.expanded = !row.expanded;
            self.refresh_visible();
        }
    }

    /// Adds an empty text member at the end of the top-level object; returns its index.
    pub fn add_top(&mut self) -> usize {
        self.rows.push(MetadataRow::default());
        self.refresh_visible();
        self.rows.len() - 1
    }

    /// Adds an empty text child at the end of the container at `index` (opening it); returns
    /// the child's index.
    pub fn add_child(&mut self, index: usize) -> Option<usize> {
        let row = self.rows.get_mut(index).filter(|r| r.kind.is_container())?;
        row.expanded = true;
        let depth = row.depth + 1;
        let at = self.subtree_end(index);
        self.rows.insert(at, MetadataRow { depth, ..MetadataRow::default() });
        self.refresh_visible();
        Some(at)
    }

    /// Removes the row at `index` with everything inside it.
    pub fn remove(&mut self, index: usize) {
        if index < self.rows.len() {
            let end = self.subtree_end(index);
            self.rows.drain(index..end);
            self.refresh_visible();
        }
    }

    /// Changes a row's type, keeping what can be kept: digits stay a number, a text holding a
    /// JSON object or array becomes its rows, an object's members become an array's items (and
    /// back, keyed by index), and a container made text keeps its content as JSON text.
    pub fn set_kind(&mut self, index: usize, kind: ValueKind) {
        let Some(old) = self.rows.get(index).map(|r| r.kind) else { return };
        if old == kind {
            return;
        }
        let end = self.subtree_end(index);
        let depth = self.rows[index].depth;
        let (value, _) = self.value_at(index);
        let text = std::mem::take(&mut self.rows[index].text);
        let new_children: Option<Vec<MetadataRow>> = match (old, kind) {
            (ValueKind::Object | ValueKind::Array, ValueKind::Object | ValueKind::Array) => {
                // The same children; array items made members are keyed by their index.
                let members = self.rows[index + 1..end].iter_mut().filter(|child| child.depth == depth + 1);
                for (item, child) in members.enumerate() {
                    if kind == ValueKind::Object && child.key.trim().is_empty() {
                        child.key = item.to_string();
                    }
                }
                None
            }
            (_, ValueKind::Object | ValueKind::Array) => {
                // A text holding JSON of that kind becomes its rows.
                let parsed = serde_json::from_str::<Value>(&text).ok().filter(|v| ValueKind::of(v) == kind);
                let mut children = Vec::new();
                match parsed {
                    Some(Value::Object(object)) => {
                        for (key, value) in &object {
                            push_rows(&mut children, depth + 1, key, value);
                        }
                    }
                    Some(Value::Array(items)) => {
                        for value in &items {
                            push_rows(&mut children, depth + 1, "", value);
                        }
                    }
                    _ => {}
                }
                Some(children)
            }
            _ => Some(Vec::new()),
        };
        let row = &mut self.rows[index];
        row.kind = kind;
        row.expanded = kind.is_container();
        row.text = match kind {
            ValueKind::Text if old.is_container() => value.map(|v| v.to_string()).unwrap_or_default(),
            ValueKind::Text if old == ValueKind::Null => String::new(),
            ValueKind::Text => text,
            ValueKind::Number if parse_number(&text).is_some() => text.trim().to_owned(),
            ValueKind::Number => "0".to_owned(),
            ValueKind::Bool => if text.trim() == "true" { "true" } else { "false" }.to_owned(),
            ValueKind::Null | ValueKind::Object | ValueKind::Array => String::new(),
        };
        if let Some(children) = new_children {
            self.rows.splice(index + 1..end, children);
        }
        self.refresh_visible();
    }

    /// Adds the members of `from` that the rows lack, at every level (an object on both sides
    /// is merged member by member); a value already in the rows is never replaced.
    pub fn merge_missing(&mut self, from: &Map<String, Value>) -> MergeReport {
        let mut report = MergeReport::default();
        self.merge_into(None, from, "", false, &mut report);
        self.refresh_visible();
        report
    }

    /// Puts the members of `from` into the top-level object: a member with the same key is
    /// replaced (pasted values win), the others are added after the rows.
    pub fn merge_over(&mut self, from: &Map<String, Value>) -> MergeReport {
        let mut report = MergeReport::default();
        self.merge_into(None, from, "", true, &mut report);
        self.refresh_visible();
        report
    }

    fn merge_into(
        &mut self,
        parent: Option<usize>,
        from: &Map<String, Value>,
        prefix: &str,
        replace: bool,
        report: &mut MergeReport,
    ) {
        let depth = parent.map_or(0, |p| self.rows[p].depth + 1);
        for (key, value) in from {
            let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            // The last member with this key is the one the text holds.
            let existing = self.children(parent).into_iter().rev().find(|&c| self.rows[c].key.trim() == key);
            match existing {
                None => {
                    let at = parent.map_or(self.rows.len(), |p| self.subtree_end(p));
                    let added = new_rows(depth, key, value);
                    self.rows.splice(at..at, added);
                    report.added.push(name);
                }
                Some(child) if replace => {
                    let end = self.subtree_end(child);
                    let added = new_rows(depth, key, value);
                    self.rows.splice(child..end, added);
                    report.replaced.push(name);
                }
                Some(child) => match value {
                    Value::Object(inner) if self.rows[child].kind == ValueKind::Object => {
                        self.merge_into(Some(child), inner, &name, false, report);
                    }
                    _ => report.kept.push(name),
                },
            }
        }
    }

    /// The direct children of `parent` (`None`: the top level).
    fn children(&self, parent: Option<usize>) -> Vec<usize> {
        let (start, end, depth) = match parent {
            Some(p) => (p + 1, self.subtree_end(p), self.rows[p].depth + 1),
            None => (0, self.rows.len(), 0),
        };
        (start..end).filter(|&i| self.rows[i].depth == depth).collect()
    }

    /// The key paths of the open containers (keys joined with NUL, array items by index).
    fn expanded_paths(&self) -> HashSet<String> {
        paths_of(&self.rows).into_iter().zip(&self.rows).filter(|(_, r)| r.expanded).map(|(p, _)| p).collect()
    }

    /// Rebuilds the list of rows shown: one pass with a stack of the open containers.
    fn refresh_visible(&mut self) {
        self.visible.clear();
        // (depth of the container's children, whether it is an array, items seen so far)
        let mut stack: Vec<(usize, bool, usize)> = Vec::new();
        let mut hidden_below: Option<usize> = None;
        for (index, row) in self.rows.iter().enumerate() {
            if let Some(depth) = hidden_below {
                if row.depth > depth {
                    continue;
                }
                hidden_below = None;
            }
            while stack.last().is_some_and(|(depth, ..)| *depth > row.depth) {
                stack.pop();
            }
            let item = match stack.last_mut() {
                Some((depth, true, seen)) if *depth == row.depth => {
                    *seen += 1;
                    Some(*seen - 1)
                }
                _ => None,
            };
            self.visible.push(VisibleRow { index, item });
            if row.kind.is_container() {
                if row.expanded {
                    stack.push((row.depth + 1, row.kind == ValueKind::Array, 0));
                } else {
                    hidden_below = Some(row.depth);
                }
            }
        }
    }
}

/// Appends the rows of `value` (keyed `key`) at `depth`.
fn push_rows(rows: &mut Vec<MetadataRow>, depth: usize, key: &str, value: &Value) {
    let kind = ValueKind::of(value);
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null | Value::Object(_) | Value::Array(_) => String::new(),
    };
    rows.push(MetadataRow { depth, key: key.to_owned(), kind, text, expanded: false });
    match value {
        Value::Object(object) => {
            for (key, value) in object {
                push_rows(rows, depth + 1, key, value);
            }
        }
        Value::Array(items) => {
            for value in items {
                push_rows(rows, depth + 1, "", value);
            }
        }
        _ => {}
    }
}

/// The rows of a value merged in: open when they are few, as rows read from text are.
fn new_rows(depth: usize, key: &str, value: &Value) -> Vec<MetadataRow> {
    let mut rows = Vec::new();
    push_rows(&mut rows, depth, key, value);
    let expand = rows.len() <= EXPAND_ALL_UP_TO;
    for row in &mut rows {
        row.expanded = expand && row.kind.is_container();
    }
    rows
}

/// Each row's key path (keys joined with NUL; array items by their index).
fn paths_of(rows: &[MetadataRow]) -> Vec<String> {
    let mut paths = Vec::with_capacity(rows.len());
    // (path, kind, items seen) of the containers above the current row
    let mut stack: Vec<(String, ValueKind, usize)> = Vec::new();
    for row in rows {
        stack.truncate(row.depth);
        let segment = match stack.last_mut() {
            Some((_, ValueKind::Array, seen)) => {
                *seen += 1;
                (*seen - 1).to_string()
            }
            _ => row.key.trim().to_owned(),
        };
        let path = match stack.last() {
            Some((parent, ..)) => format!("{parent}\u{0}{segment}"),
            None => segment,
        };
        // The stack holds one entry per depth: a child at depth d finds its parent at d - 1.
        stack.push((path.clone(), row.kind, 0));
        paths.push(path);
    }
    paths
}

/// A JSON number from a cell's text.
fn parse_number(text: &str) -> Option<Number> {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(Value::Number(n)) => Some(n),
        _ => None,
    }
}

/// Reads a pasted text as a metadata object, or says why not and where (1-based line and
/// column): broken JSON at the parser's position, anything but an object at its first character.
pub fn parse_pasted_object(text: &str) -> Result<Map<String, Value>, PasteRefusal> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => {
            let (line, column) = first_char_position(text);
            let what = match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "true or false",
                Value::Null | Value::Object(_) => "null",
            };
            Err(PasteRefusal { message: format!("This is {what}, not a JSON object {{…}}"), line, column })
        }
        Err(error) if error.is_eof() && text.trim().is_empty() => {
            Err(PasteRefusal { message: "Nothing to paste: the text is empty".to_owned(), line: 1, column: 1 })
        }
        Err(error) => {
            let message = error.to_string();
            // serde_json ends its message with " at line L column C"; the position is said apart.
            let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
            let mut chars = message.chars();
            let message = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
            Err(PasteRefusal { message, line: error.line().max(1), column: error.column().max(1) })
        }
    }
}

/// 1-based line and column of the first character that is not white space.
fn first_char_position(text: &str) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    for c in text.chars() {
        match c {
            '\n' => {
                line += 1;
                column = 1;
            }
            c if c.is_whitespace() => column += 1,
            _ => break,
        }
    }
    (line, column)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(object) => object,
            other => panic!("not an object: {other}"),
        }
    }

    fn pretty(value: &Value) -> String {
        serde_json::to_string_pretty(value).unwrap()
    }

    #[test]
    fn nested_rows_and_text_round_trip_every_json_type() {
        let value = json!({
            "employer": {"name": "Acme", "sites": [{"city": "Oslo", "staff": [1, 2.5, {"lead": true}]}, []]},
            "payDay": 15, "remote": true, "note": "plain words", "quoted": "42", "nothing": null,
            "tags": ["a", {"b": null}], "empty": {}
        });
        let rows = MetadataRows::from_text(&pretty(&value)).unwrap();
        assert_eq!(rows.to_text(), pretty(&value));
        let quoted = rows.rows().iter().find(|r| r.key == "quoted").unwrap();
        assert_eq!((quoted.kind, quoted.text.as_str()), (ValueKind::Text, "42"), "a string of digits stays text");
        let lead = rows.rows().iter().position(|r| r.key == "lead").unwrap();
        assert_eq!(rows.rows()[lead].depth, 5);
        let staff = rows.parent(rows.parent(lead).unwrap()).unwrap();
        assert_eq!((rows.rows()[staff].key.as_str(), rows.rows()[staff].kind), ("staff", ValueKind::Array));
        // Array items show their index, read-only.
        let items: Vec<_> = rows.visible().iter().filter(|v| rows.parent(v.index) == Some(staff)).collect();
        assert_eq!(items.iter().map(|v| v.item).collect::<Vec<_>>(), [Some(0), Some(1), Some(2)]);
    }

    #[test]
    fn non_objects_have_no_rows() {
        assert_eq!(MetadataRows::from_text("  ").map(|r| r.is_empty()), Some(true));
        assert_eq!(MetadataRows::from_text("[1]"), None);
        assert_eq!(MetadataRows::from_text("{\"a\": "), None);
    }

    #[test]
    fn rows_the_text_cannot_hold_stay_rows_and_say_why() {
        let mut rows = MetadataRows::from_text("{\"a\": 1}").unwrap();
        let blank = rows.add_top();
        rows.cell_mut(blank).unwrap().1.push_str("lost?");
        assert_eq!(rows.problem(blank), Some("Needs a key: left out of the JSON until it has one."));
        assert_eq!(rows.to_text(), "{\n  \"a\": 1\n}");
        rows.cell_mut(blank).unwrap().0.push('b');
        rows.set_kind(blank, ValueKind::Number);
        assert_eq!(rows.rows()[blank].text, "0", "text that is no number starts the number at 0");
        rows.cell_mut(blank).unwrap().1.push('x');
        assert_eq!(rows.problem(blank), Some("Not a number: left out of the JSON until it is one."));
        assert_eq!(rows.to_text(), "{\n  \"a\": 1\n}");
        let again = MetadataRows::from_text("{\"a\": 1, \"a\": 2}").unwrap();
        assert_eq!(again.to_text(), "{\n  \"a\": 2\n}", "the later member wins");
        assert_eq!(MetadataRows::default().to_text(), "");
    }

    #[test]
    fn children_are_added_and_removed_with_their_subtree() {
        let mut rows = MetadataRows::from_text(r#"{"employer": {"name": "Acme"}, "tags": [], "z": 1}"#).unwrap();
        let tags = rows.rows().iter().position(|r| r.key == "tags").unwrap();
        let item = rows.add_child(tags).unwrap();
        rows.cell_mut(item).unwrap().1.push_str("vip");
        let item = rows.add_child(tags).unwrap();
        rows.set_kind(item, ValueKind::Object);
        let inner = rows.add_child(item).unwrap();
        rows.cell_mut(inner).unwrap().0.push_str("since");
        rows.set_kind(inner, ValueKind::Number);
        assert_eq!(
            serde_json::from_str::<Value>(&rows.to_text()).unwrap(),
            json!({"employer": {"name": "Acme"}, "tags": ["vip", {"since": 0}], "z": 1})
        );
        assert!(rows.add_child(0).is_some() && rows.add_child(rows.rows().len() - 1).is_none(), "z is no container");
        rows.remove(0);
        assert_eq!(
            serde_json::from_str::<Value>(&rows.to_text()).unwrap(),
            json!({"tags": ["vip", {"since": 0}], "z": 1})
        );
    }

    #[test]
    fn type_changes_keep_what_they_can() {
        let mut rows =
            MetadataRows::from_text(r#"{"n": "15", "j": "{\"a\": [1]}", "o": {"x": 1, "y": [true]}}"#).unwrap();
        let at = |rows: &MetadataRows, key: &str| rows.rows().iter().position(|r| r.key == key).unwrap();
        rows.set_kind(at(&rows, "n"), ValueKind::Number);
        rows.set_kind(at(&rows, "j"), ValueKind::Object);
        let value = || serde_json::from_str::<Value>(&rows.to_text()).unwrap();
        assert_eq!(value()["n"], json!(15));
        assert_eq!(value()["j"], json!({"a": [1]}), "a text holding an object becomes its rows");
        rows.set_kind(at(&rows, "o"), ValueKind::Array);
        assert_eq!(serde_json::from_str::<Value>(&rows.to_text()).unwrap()["o"], json!([1, [true]]));
        rows.set_kind(at(&rows, "o"), ValueKind::Object);
        assert_eq!(serde_json::from_str::<Value>(&rows.to_text()).unwrap()["o"], json!({"x": 1, "y": [true]}));
        rows.set_kind(at(&rows, "o"), ValueKind::Text);
        let o = at(&rows, "o");
        assert_eq!(rows.rows()[o].text, r#"{"x":1,"y":[true]}"#, "a container made text keeps its content");
        assert_eq!(rows.subtree_end(o), o + 1, "and has no rows below");
        rows.set_kind(o, ValueKind::Bool);
        rows.set_kind(at(&rows, "n"), ValueKind::Null);
        assert_eq!(serde_json::from_str::<Value>(&rows.to_text()).unwrap()["o"], json!(false));
        assert_eq!(serde_json::from_str::<Value>(&rows.to_text()).unwrap()["n"], json!(null));
    }

    #[test]
    fn merging_a_template_never_overwrites_a_value() {
        let template = object(json!({"employer": {"name": "", "id": ""}, "paySchedule": "biweekly", "tags": []}));
        let mut rows = MetadataRows::default();
        let report = rows.merge_missing(&template);
        assert_eq!(serde_json::from_str::<Value>(&rows.to_text()).unwrap(), Value::Object(template.clone()));
        assert_eq!(report.added, ["employer", "paySchedule", "tags"]);

        let mut rows =
            MetadataRows::from_text(r#"{"paySchedule": "monthly", "employer": {"name": "Acme"}, "tags": "x"}"#)
                .unwrap();
        let report = rows.merge_missing(&template);
        assert_eq!(
            serde_json::from_str::<Value>(&rows.to_text()).unwrap(),
            json!({"paySchedule": "monthly", "employer": {"name": "Acme", "id": ""}, "tags": "x"})
        );
        assert_eq!(report.added, ["employer.id"]);
        assert_eq!(report.kept, ["employer.name", "paySchedule", "tags"]);
        assert!(report.replaced.is_empty());
    }

    #[test]
    fn pasting_over_replaces_same_keys_and_adds_the_rest() {
        let mut rows = MetadataRows::from_text(r#"{"a": {"deep": 1}, "b": 2}"#).unwrap();
        let report = rows.merge_over(&object(json!({"a": [1], "c": null})));
        assert_eq!(serde_json::from_str::<Value>(&rows.to_text()).unwrap(), json!({"a": [1], "b": 2, "c": null}));
        assert_eq!((report.replaced, report.added), (vec!["a".to_owned()], vec!["c".to_owned()]));
    }

    #[test]
    fn pastes_that_are_not_objects_are_refused_with_their_position() {
        let refusal = parse_pasted_object("{\n  \"a\": 1,\n  \"b\": x\n}").unwrap_err();
        assert_eq!((refusal.line, refusal.column), (3, 8), "{refusal}");
        assert_eq!(refusal.message, "Expected value", "{refusal}");
        let refusal = parse_pasted_object("\n  [1, 2]").unwrap_err();
        assert_eq!(
            (refusal.line, refusal.column, refusal.message.as_str()),
            (2, 3, "This is an array, not a JSON object {…}")
        );
        let refusal = parse_pasted_object("{\"a\": 1").unwrap_err();
        assert_eq!((refusal.line, refusal.column, refusal.message.as_str()), (1, 7, "EOF while parsing an object"));
        assert_eq!(parse_pasted_object("  ").unwrap_err().message, "Nothing to paste: the text is empty");
        assert_eq!(parse_pasted_object(" {\"a\": 1} ").unwrap()["a"], json!(1));
    }

    #[test]
    fn large_objects_open_folded_and_keep_what_was_open() {
        let big: Map<String, Value> = (0..300).map(|n| (format!("k{n}"), json!({"v": n}))).collect();
        let rows = MetadataRows::from_object(&big);
        assert_eq!(rows.visible().len(), 300, "only the top level is shown");
        let small = MetadataRows::from_text(r#"{"a": {"b": {"c": 1}}}"#).unwrap();
        assert_eq!(small.visible().len(), 3);
        let mut folded = small.clone();
        folded.toggle(1);
        assert_eq!(folded.visible().len(), 2);
        let reread = MetadataRows::from_text_like(r#"{"a": {"b": {"c": 2}}, "d": {"e": 1}}"#, Some(&folded)).unwrap();
        assert_eq!(
            reread.visible().iter().map(|v| reread.rows()[v.index].key.as_str()).collect::<Vec<_>>(),
            ["a", "b", "d"]
        );
    }
}
