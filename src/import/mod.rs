//! Batch import: a CSV or JSON file → one validated draft body per row. Pure: no window, no
//! network, no store; the UI and the CLI decide what to do with the rows.
//!
//! 1. [`read_table`] turns the file's bytes into a table, or refuses the whole file with an
//!    [`ImportError`] that says where and what to do (wrong encoding, binary, ragged rows, an
//!    unterminated quote, too big, too many columns, empty, header only, JSON that is not a list
//!    of objects). A refused file changes nothing.
//! 2. For a CSV, [`auto_mapping`] guesses which column fills which field. A header that *is* a
//!    field path, case and all (`firstName`, `emails.0.value`, `emails.1.type`, `address.city`,
//!    `address.lines.1`, `properties.shoeSize`), maps without asking. Any other header is
//!    compared, lower-cased without spaces, `_`, `-` and `.`, with the backend's synonym table
//!    (`E-mail`, `Zip`, `Postal code`, `Mobile`…) and with each field's path and label; such a
//!    match is `suggested` and [`needs_review`] says the dialog should be shown (so `FIRSTNAME`
//!    and `ID` are suggestions, not exact). Unknown headers are ignored. A header that names no
//!    list entry in particular (`Email`, `Mobile`) takes the next free entry, and a type it
//!    implies (`Mobile`) becomes a fixed value (`phones.1.type` = `mobile`).
//! 3. [`build_rows`] makes each row a body and validates it with
//!    [`validate_draft_with`](crate::validation::validate_draft_with); each issue names the
//!    column it is about, and rows repeating an earlier customer (same Finosu `id`, same Help
//!    Scout email in any case and any entry) point at it.
//!
//! # Rows to bodies
//!
//! - A cell is placed at its path, creating objects and lists; an empty (or blank) cell sets
//!   nothing. A list index past the end pads the list with empty entries, which validation and
//!   sending skip, so `emails.1.value` alone stays entry 1 and its issues keep pointing at its
//!   column.
//! - Flags (`doNotCall`, `isTest`, `test`) take `true/yes/y/1/x` and `false/no/n/0`, any case;
//!   `externalMetadata` is parsed when the cell is a JSON object. Anything else stays text, and
//!   validation says what is wrong with it.
//! - A fixed value fills its path in every row where no column did; one inside a list entry that
//!   columns fill (`phones.1.type` beside a `Mobile` column) only goes into rows where those
//!   columns have a value, so an empty Mobile cell adds no phone without a number.
//! - Help Scout email and phone entries with a value and no type get type `work`
//!   ([`DEFAULT_ENTRY_TYPES`]).
//!
//! # Mapping file
//!
//! What the CLI takes, and what the UI remembers per profile under [`header_key`]:
//!
//! ```json
//! {
//!   "columns": { "E-mail": "emails.0.value", "Mobile": "phones.0.value", "Notes": null },
//!   "fixed": { "phones.0.type": "mobile" }
//! }
//! ```
//!
//! `columns` maps each header to a field path, or `null` to ignore the column; `fixed` gives
//! every row a value. Paths are checked against the backend ([`Mapping::check`]);
//! [`Mapping::apply_to`] refuses a file that lacks a mapped column or has one the mapping does
//! not mention.
//!
//! # JSON
//!
//! An array of request bodies, or JSON Lines (one object per line; `.jsonl`/`.ndjson`, or a
//! `.json` file holding several objects one after another). Bodies are used as they are.

mod fields;
mod mapping;
mod read;
mod rows;

pub use fields::{
    MAX_LIST_INDEX, MappableField, OFFERED_LIST_ENTRIES, Suggestion, is_known_path, mappable_fields, normalize_header,
    suggest_target,
};
pub use mapping::{
    ColumnChoice, ColumnTarget, FixedValue, Mapping, MappingError, auto_mapping, header_key, needs_review,
};
pub use read::{
    CsvRow, CsvTable, ImportError, ImportFormat, ImportTable, JsonRow, MAX_COLUMNS, MAX_FILE_BYTES, SkippedRow,
    read_table, read_table_skipping_bad_rows,
};
pub use rows::{
    DEFAULT_ENTRY_TYPES, ImportSummary, ImportedRow, RowIssue, any_errors, build_rows, build_rows_for_account,
};

#[cfg(test)]
mod tests;
