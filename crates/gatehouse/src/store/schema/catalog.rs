//! Reads the schema a live database holds into one engine-neutral description, so the
//! schema test can compare what SQLite and PostgreSQL built from the same migrations.
//! SQLite's comes from `sqlite_master` and its `pragma_*` functions, PostgreSQL's from
//! `information_schema` and `pg_catalog`, limited to the store's own schema
//! (`current_schema()`). Each engine's type names map to [`Kind`], and names the engines
//! make up (PostgreSQL's `users_pkey`, SQLite's `sqlite_autoindex_users_1`) are left out.
//! Test code only: it reads, never changes, a database.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyPool;

use crate::store::{column, Backend, Store, StoreError};

/// Every table of a database, by name.
pub(super) type Schema = BTreeMap<String, Table>;

/// What a table is made of, as far as the store's behaviour depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Table {
    /// In the order the table holds them.
    pub(super) columns: Vec<Column>,
    /// The key's columns in key order; empty for a table without one.
    pub(super) primary_key: Vec<String>,
    pub(super) foreign_keys: BTreeSet<ForeignKey>,
    /// The column lists of UNIQUE constraints (their index names are the engine's).
    pub(super) unique: BTreeSet<Vec<String>>,
    /// Indexes made by CREATE INDEX, by name.
    pub(super) indexes: BTreeMap<String, Index>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Column {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) nullable: bool,
    /// The default as SQL text, casts PostgreSQL adds to literals removed.
    pub(super) default: Option<String>,
}

/// A column type, whatever the engine calls it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Int64,
    Float64,
    Bytes,
    /// A name the mapping does not know, kept as the engine spells it. On SQLite any
    /// word is a valid type, so a misspelt one only shows up here.
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct ForeignKey {
    pub(super) columns: Vec<String>,
    pub(super) table: String,
    pub(super) references: Vec<String>,
    /// SQLite's wording: `NO ACTION`, `CASCADE`, `SET NULL`, `SET DEFAULT`, `RESTRICT`.
    pub(super) on_delete: String,
    pub(super) on_update: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Index {
    pub(super) columns: Vec<String>,
    pub(super) unique: bool,
    /// Whether the index has a WHERE clause (SQLite tells only that much).
    pub(super) partial: bool,
}

/// The schema of the store's database.
pub(super) async fn read(store: &Store) -> Result<Schema, StoreError> {
    match store.backend() {
        Backend::Sqlite => read_sqlite(store.pool()).await,
        Backend::Postgres => read_postgres(store.pool()).await,
    }
}

/// The kind of a column SQLite declares as `declared`.
pub(super) fn sqlite_kind(declared: &str) -> Kind {
    match declared.to_ascii_uppercase().as_str() {
        "TEXT" => Kind::Text,
        // BIGINT: the versions table's spelling; both have integer affinity, 64 bits.
        "INTEGER" | "BIGINT" => Kind::Int64,
        "REAL" => Kind::Float64,
        "BLOB" => Kind::Bytes,
        _ => Kind::Unknown(declared.to_owned()),
    }
}

/// The kind of a column `information_schema.columns.data_type` names.
pub(super) fn postgres_kind(data_type: &str) -> Kind {
    match data_type {
        "text" => Kind::Text,
        "bigint" => Kind::Int64,
        "double precision" => Kind::Float64,
        "bytea" => Kind::Bytes,
        _ => Kind::Unknown(data_type.to_owned()),
    }
}

/// A default as PostgreSQL shows it, without the cast it adds to a literal
/// (`'[]'::text` is what SQLite shows as `'[]'`).
fn postgres_default(shown: &str) -> String {
    match shown.rsplit_once("::") {
        Some((literal, cast))
            if literal.starts_with('\'')
                && literal.ends_with('\'')
                && cast.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ') =>
        {
            literal.to_owned()
        }
        _ => shown.to_owned(),
    }
}

/// PostgreSQL's one-letter foreign key action in SQLite's words.
fn postgres_action(code: &str) -> String {
    match code {
        "a" => "NO ACTION",
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        other => other,
    }
    .to_owned()
}

/// A comma-joined list of names as a list (no name of the schema holds a comma).
fn names(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|name| !name.is_empty())
        .map(|name| name.trim_matches('"').to_owned())
        .collect()
}

async fn read_sqlite(pool: &AnyPool) -> Result<Schema, StoreError> {
    let tables = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    let mut schema = Schema::new();
    for row in tables {
        let name = column::<String>(&row, "name")?;
        let mut table = Table::default();

        let mut key = Vec::new();
        let columns = sqlx::query(
            "SELECT name, type, \"notnull\" AS not_null, dflt_value, pk \
             FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        for row in columns {
            let column_name = column::<String>(&row, "name")?;
            let position = column::<i64>(&row, "pk")?;
            if position > 0 {
                key.push((position, column_name.clone()));
            }
            table.columns.push(Column {
                name: column_name,
                kind: sqlite_kind(&column::<String>(&row, "type")?),
                nullable: column::<i64>(&row, "not_null")? == 0,
                default: column::<Option<String>>(&row, "dflt_value")?,
            });
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, name)| name).collect();

        // One row per column of each key, numbered by `id` and, within it, `seq`.
        let references = sqlx::query(
            "SELECT id, \"table\" AS parent, \"from\" AS child_column, \"to\" AS parent_column, \
             on_update, on_delete FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        let mut keys = BTreeMap::<i64, ForeignKey>::new();
        for row in references {
            let key = keys
                .entry(column::<i64>(&row, "id")?)
                .or_insert_with(|| ForeignKey {
                    columns: Vec::new(),
                    table: String::new(),
                    references: Vec::new(),
                    on_delete: String::new(),
                    on_update: String::new(),
                });
            key.table = column::<String>(&row, "parent")?;
            key.on_delete = column::<String>(&row, "on_delete")?;
            key.on_update = column::<String>(&row, "on_update")?;
            key.columns.push(column::<String>(&row, "child_column")?);
            // NULL when the key names no columns and so means the parent's primary key;
            // filled in below, once every table's key is known.
            if let Some(parent_column) = column::<Option<String>>(&row, "parent_column")? {
                key.references.push(parent_column);
            }
        }
        table.foreign_keys = keys.into_values().collect();

        let indexes = sqlx::query(
            "SELECT name, \"unique\" AS is_unique, origin, partial FROM pragma_index_list($1)",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        for row in indexes {
            let index_name = column::<String>(&row, "name")?;
            let origin = column::<String>(&row, "origin")?;
            let columns = sqlx::query("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                .bind(&index_name)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    let name = column::<Option<String>>(row, "name")?;
                    Ok(name.unwrap_or_else(|| "<expression>".to_owned()))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            // `pk`: the primary key's own index, compared as `primary_key`; `u`: a
            // UNIQUE constraint's; `c`: CREATE INDEX.
            match origin.as_str() {
                "pk" => {}
                "u" => {
                    table.unique.insert(columns);
                }
                _ => {
                    table.indexes.insert(
                        index_name,
                        Index {
                            columns,
                            unique: column::<i64>(&row, "is_unique")? != 0,
                            partial: column::<i64>(&row, "partial")? != 0,
                        },
                    );
                }
            }
        }
        schema.insert(name, table);
    }

    let keys: BTreeMap<String, Vec<String>> = schema
        .iter()
        .map(|(name, table)| (name.clone(), table.primary_key.clone()))
        .collect();
    for table in schema.values_mut() {
        table.foreign_keys = std::mem::take(&mut table.foreign_keys)
            .into_iter()
            .map(|mut key| {
                if key.references.is_empty() {
                    key.references = keys.get(&key.table).cloned().unwrap_or_default();
                }
                key
            })
            .collect();
    }
    Ok(schema)
}

async fn read_postgres(pool: &AnyPool) -> Result<Schema, StoreError> {
    // Catalog columns have types of their own (`name`, `sql_identifier`, `"char"`) that
    // sqlx's `Any` driver does not decode, hence the casts to text.
    let tables = sqlx::query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    let mut schema = Schema::new();
    for row in tables {
        let name = column::<String>(&row, "name")?;
        let mut table = Table::default();

        let columns = sqlx::query(
            "SELECT column_name::text AS name, data_type::text AS data_type, \
             is_nullable::text AS nullable, column_default::text AS default_value \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name::text = $1 \
             ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        for row in columns {
            table.columns.push(Column {
                name: column::<String>(&row, "name")?,
                kind: postgres_kind(&column::<String>(&row, "data_type")?),
                nullable: column::<String>(&row, "nullable")? == "YES",
                default: column::<Option<String>>(&row, "default_value")?
                    .map(|shown| postgres_default(&shown)),
            });
        }

        let constraints = sqlx::query(
            "SELECT c.contype::text AS kind, \
             (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) \
              FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns, \
             COALESCE(r.relname::text, '') AS parent, \
             COALESCE((SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) \
              FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord) \
              JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum), '') \
              AS parent_columns, \
             c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update \
             FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.conrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             LEFT JOIN pg_class r ON r.oid = c.confrelid \
             WHERE n.nspname = current_schema() AND t.relname::text = $1 \
             AND c.contype IN ('p', 'u', 'f')",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        for row in constraints {
            let columns = names(&column::<String>(&row, "columns")?);
            match column::<String>(&row, "kind")?.as_str() {
                "p" => table.primary_key = columns,
                "u" => {
                    table.unique.insert(columns);
                }
                _ => {
                    table.foreign_keys.insert(ForeignKey {
                        columns,
                        table: column::<String>(&row, "parent")?,
                        references: names(&column::<String>(&row, "parent_columns")?),
                        on_delete: postgres_action(&column::<String>(&row, "on_delete")?),
                        on_update: postgres_action(&column::<String>(&row, "on_update")?),
                    });
                }
            }
        }

        // Indexes that back a PRIMARY KEY or UNIQUE constraint were read as constraints.
        let indexes = sqlx::query(
            "SELECT i.relname::text AS name, x.indisunique AS is_unique, \
             x.indpred IS NOT NULL AS partial, \
             (SELECT string_agg(pg_get_indexdef(x.indexrelid, k, true), ',' ORDER BY k) \
              FROM generate_series(1, x.indnatts::int) AS k) AS columns \
             FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_class t ON t.oid = x.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = current_schema() AND t.relname::text = $1 \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
                             WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u'))",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        for row in indexes {
            table.indexes.insert(
                column::<String>(&row, "name")?,
                Index {
                    columns: names(&column::<String>(&row, "columns")?),
                    unique: column::<bool>(&row, "is_unique")?,
                    partial: column::<bool>(&row, "partial")?,
                },
            );
        }
        schema.insert(name, table);
    }
    Ok(schema)
}

/// Every way `left` and `right` differ, one sentence each; empty when they agree.
pub(super) fn differences(
    (left_name, left): (&str, &Schema),
    (right_name, right): (&str, &Schema),
) -> Vec<String> {
    let mut found = Vec::new();
    for name in left.keys().chain(right.keys()).collect::<BTreeSet<_>>() {
        match (left.get(name), right.get(name)) {
            (Some(l), Some(r)) => {
                table_differences(name, (left_name, l), (right_name, r), &mut found);
            }
            (Some(_), None) => found.push(format!("table `{name}` exists on {left_name} only")),
            (None, _) => found.push(format!("table `{name}` exists on {right_name} only")),
        }
    }
    found
}

fn table_differences(
    table: &str,
    (left_name, left): (&str, &Table),
    (right_name, right): (&str, &Table),
    found: &mut Vec<String>,
) {
    let column_names = |t: &Table| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    let (left_columns, right_columns) = (column_names(left), column_names(right));
    for name in left_columns
        .iter()
        .chain(&right_columns)
        .collect::<BTreeSet<_>>()
    {
        let l = left.columns.iter().find(|c| &c.name == name);
        let r = right.columns.iter().find(|c| &c.name == name);
        match (l, r) {
            (Some(l), Some(r)) if l != r => found.push(format!(
                "`{table}.{name}`: {left_name} has {l:?}, {right_name} has {r:?}"
            )),
            (Some(_), None) => found.push(format!("`{table}.{name}` exists on {left_name} only")),
            (None, Some(_)) => {
                found.push(format!("`{table}.{name}` exists on {right_name} only"));
            }
            _ => {}
        }
    }
    if left_columns != right_columns {
        found.push(format!(
            "`{table}`: columns in a different order: {left_name} {left_columns:?}, \
             {right_name} {right_columns:?}"
        ));
    }
    if left.primary_key != right.primary_key {
        found.push(format!(
            "`{table}`: primary key {left_name} {:?}, {right_name} {:?}",
            left.primary_key, right.primary_key
        ));
    }
    for key in left.foreign_keys.difference(&right.foreign_keys) {
        found.push(format!(
            "`{table}`: foreign key on {left_name} only: {key:?}"
        ));
    }
    for key in right.foreign_keys.difference(&left.foreign_keys) {
        found.push(format!(
            "`{table}`: foreign key on {right_name} only: {key:?}"
        ));
    }
    for columns in left.unique.difference(&right.unique) {
        found.push(format!("`{table}`: UNIQUE {columns:?} on {left_name} only"));
    }
    for columns in right.unique.difference(&left.unique) {
        found.push(format!(
            "`{table}`: UNIQUE {columns:?} on {right_name} only"
        ));
    }
    for name in left
        .indexes
        .keys()
        .chain(right.indexes.keys())
        .collect::<BTreeSet<_>>()
    {
        match (left.indexes.get(name), right.indexes.get(name)) {
            (Some(l), Some(r)) if l != r => found.push(format!(
                "`{table}`: index `{name}`: {left_name} has {l:?}, {right_name} has {r:?}"
            )),
            (Some(_), None) => {
                found.push(format!("`{table}`: index `{name}` on {left_name} only"));
            }
            (None, Some(_)) => {
                found.push(format!("`{table}`: index `{name}` on {right_name} only"));
            }
            _ => {}
        }
    }
}
