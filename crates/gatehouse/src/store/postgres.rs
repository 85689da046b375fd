//! PostgreSQL specifics: its names for the column types of the shared schema
//! (`schema.rs`; no DDL lives here). Connections need no setup beyond the URL, so
//! `Store::open` builds the pool itself.

use super::schema::ColumnType;

/// PostgreSQL's name for `column`, chosen to hold what SQLite's type holds: SQLite's
/// INTEGER is 64 bits wide (hence BIGINT, not INTEGER) and its REAL is a double.
pub(super) fn column_type(column: ColumnType) -> &'static str {
    match column {
        ColumnType::Int64 => "BIGINT",
        ColumnType::Bytes => "BYTEA",
        ColumnType::Float64 => "DOUBLE PRECISION",
    }
}
