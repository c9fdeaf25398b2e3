//! `information_schema` virtual tables (spec §3.7, versions §2.5/§2.6): `tables`,
//! `partitions_meta`, `views`, `materialized_views` and `schemata`, with StarRocks's column
//! names, order and types per version profile (`show::layouts`) and its values and NULLs.
//! The SELECT executor asks for a table by name and evaluates WHERE/ORDER BY/LIMIT and
//! projections over what it gets.
//!
//! Value sources (3.4, `fe/fe-core/src/main/java/com/starrocks/` and `be/src/exec/schema_scanner/`):
//! `service/InformationSchemaDataSource.java` (`generateTablesInfoResponse`,
//! `genPartitionMetaInfo`), `schema_tables_scanner.cpp` (unset strings are `""`, `-1`
//! numbers NULL), `schema_views_scanner.cpp`, `schema_schemata_scanner.cpp`,
//! `schema_materialized_views_scanner.cpp` with `qe/ShowMaterializedViewStatus.toThrift`.
//! From 4.0 `tables` and `materialized_views` are evaluated in the FE, where an unset string
//! becomes NULL (`tables`) or `""` (`materialized_views`) and MV times are typed.

use std::collections::BTreeSet;

use crate::engine::catalog::{Partition, Partitioning, Table, TableKind};
use crate::engine::show::partitions::{meta_row, RowCtx, TableText};
use crate::engine::show::{ddl, layouts, session_time_zone};
use crate::engine::time::TimeZone;
use crate::engine::{EngineCtx, Value, VirtualTable};
use crate::profile::VersionProfile;
use crate::response::{Column, ColumnType, Session, SqlError};

/// The tables served, sorted (what `SHOW TABLES FROM information_schema` lists).
pub const TABLE_NAMES: [&str; 6] = [
    "columns",
    "materialized_views",
    "partitions_meta",
    "schemata",
    "tables",
    "views",
];

/// The rows of `information_schema.<name>` (name lower-cased by the caller), or `None` when
/// the simulator has no such table.
pub fn table(ctx: &EngineCtx<'_>, session: &Session, name: &str) -> Option<VirtualTable> {
    table_filtered(ctx, session, name, &Pushdown::default())
}

/// Equality predicates a SELECT may hand down, as StarRocks pushes `TABLE_SCHEMA = '…'` /
/// `TABLE_NAME = '…'` (`DB_NAME` in `partitions_meta`) into the scan: rows of other
/// databases or tables are never generated. The caller still evaluates its whole WHERE
/// clause; this only skips work (a query on one database of a 365,000-partition catalog
/// builds that database's rows only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pushdown {
    /// The rows the WHERE can keep, by database and table: a row is generated when any term
    /// keeps it (`None`: every row). An over-approximation of the WHERE, never narrower.
    pub keys: Option<Vec<KeyTerm>>,
    /// The columns the query reads (any case); `None`: all of them (`SELECT *`). The table
    /// then has only those columns (in its own order), and the cells of the others are never
    /// computed.
    pub columns: Option<Vec<String>>,
}

/// One conjunction of key constraints: the database among `dbs` and the table among
/// `tables` (`None`: any). Names are exact (case-sensitive), as the WHERE compares them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyTerm {
    pub dbs: Option<BTreeSet<String>>,
    pub tables: Option<BTreeSet<String>>,
}

impl KeyTerm {
    fn keeps_db(&self, db: &str) -> bool {
        self.dbs.as_ref().is_none_or(|d| d.contains(db))
    }

    fn keeps(&self, db: &str, table: &str) -> bool {
        self.keeps_db(db) && self.tables.as_ref().is_none_or(|t| t.contains(table))
    }

    /// Both constraints at once (an AND).
    pub fn and(&self, other: &KeyTerm) -> KeyTerm {
        let meet = |a: &Option<BTreeSet<String>>, b: &Option<BTreeSet<String>>| match (a, b) {
            (Some(a), Some(b)) => Some(a.intersection(b).cloned().collect()),
            (Some(x), None) | (None, Some(x)) => Some(x.clone()),
            (None, None) => None,
        };
        KeyTerm {
            dbs: meet(&self.dbs, &other.dbs),
            tables: meet(&self.tables, &other.tables),
        }
    }
}

impl Pushdown {
    /// Rows of database `db` (and of table `table`) only.
    pub fn one(db: Option<&str>, table: Option<&str>) -> Self {
        let set = |v: Option<&str>| v.map(|v| BTreeSet::from([v.to_string()]));
        Pushdown {
            keys: Some(vec![KeyTerm {
                dbs: set(db),
                tables: set(table),
            }]),
            columns: None,
        }
    }

    fn keeps_db(&self, db: &str) -> bool {
        self.keys
            .as_ref()
            .is_none_or(|k| k.iter().any(|t| t.keeps_db(db)))
    }

    fn keeps(&self, db: &str, table: &str) -> bool {
        self.keys
            .as_ref()
            .is_none_or(|k| k.iter().any(|t| t.keeps(db, table)))
    }

    /// For each column of `layout`, whether the query reads it.
    fn wanted(&self, layout: &[Column]) -> Vec<bool> {
        layout
            .iter()
            .map(|c| {
                self.columns
                    .as_ref()
                    .is_none_or(|cols| cols.iter().any(|n| n.eq_ignore_ascii_case(&c.name)))
            })
            .collect()
    }

    /// The positions in `layout` of the columns the query reads; `None` when it reads all.
    fn kept(&self, layout: &[Column]) -> Option<Vec<usize>> {
        self.columns.as_ref()?;
        let want = self.wanted(layout);
        Some((0..layout.len()).filter(|&i| want[i]).collect())
    }
}

/// The cells of `row` at `keep`, in that order.
fn project(mut row: Vec<Value>, keep: &[usize]) -> Vec<Value> {
    keep.iter()
        .map(|&i| {
            row.get_mut(i)
                .map_or(Value::Null, |v| std::mem::replace(v, Value::Null))
        })
        .collect()
}

/// [`table`] with database / table equality pushed into the scan.
pub fn table_filtered(
    ctx: &EngineCtx<'_>,
    session: &Session,
    name: &str,
    pushdown: &Pushdown,
) -> Option<VirtualTable> {
    let scan = scan(ctx, session, name, pushdown.clone())?;
    let columns = scan.columns.clone();
    Some(VirtualTable {
        columns,
        rows: scan.into_rows(),
    })
}

/// An `information_schema` table about to be read: its columns (those the query reads,
/// see [`Pushdown::columns`]) and its rows, built when read. `partitions_meta` builds each
/// row in the same buffer as [`Scan::for_each`] hands them on, so an aggregate over every
/// partition holds one row at a time.
pub struct Scan<'a> {
    pub columns: Vec<(String, ColumnType)>,
    rows: ScanRows<'a>,
}

enum ScanRows<'a> {
    Built(Vec<Vec<Value>>),
    PartitionsMeta {
        catalog: &'a crate::engine::Catalog,
        profile: VersionProfile,
        tz: TimeZone,
        pushdown: Pushdown,
        /// The layout columns read, in order.
        columns: Vec<usize>,
    },
}

impl Scan<'_> {
    /// Hands every row to `f`, in the table's order; stops at `f`'s first error.
    pub fn for_each(
        self,
        f: &mut dyn FnMut(&[Value]) -> Result<(), SqlError>,
    ) -> Result<(), SqlError> {
        match self.rows {
            ScanRows::Built(rows) => rows.iter().try_for_each(|r| f(r)),
            ScanRows::PartitionsMeta {
                catalog,
                profile,
                tz,
                pushdown,
                columns,
            } => {
                let rc = RowCtx {
                    profile,
                    tz: &tz,
                    columns: &columns,
                };
                let mut row = Vec::with_capacity(columns.len());
                partitions_meta_rows(catalog, &pushdown, &mut |db, table, text, p, slot| {
                    meta_row(&mut row, db, table, text, p, slot, &rc);
                    f(&row)
                })
            }
        }
    }

    /// Every row.
    pub fn into_rows(self) -> Vec<Vec<Value>> {
        if let ScanRows::Built(rows) = self.rows {
            return rows;
        }
        let mut rows = Vec::new();
        let all: Result<(), SqlError> = self.for_each(&mut |r| {
            rows.push(r.to_vec());
            Ok(())
        });
        debug_assert!(all.is_ok(), "collecting rows cannot fail");
        rows
    }
}

/// `information_schema.<name>` (lower-cased by the caller) for a query with `pushdown`, or
/// `None` when the simulator has no such table.
pub fn scan<'a>(
    ctx: &EngineCtx<'a>,
    session: &Session,
    name: &str,
    pushdown: Pushdown,
) -> Option<Scan<'a>> {
    let profile = ctx.version();
    let tz = session_time_zone(ctx, session);
    let (layout, rows) = match name {
        "tables" => (
            layouts::tables(profile),
            tables_rows(ctx, profile, &tz, &pushdown),
        ),
        "partitions_meta" => {
            let layout = layouts::partitions_meta(profile);
            let want = pushdown.wanted(&layout);
            let columns = (0..layout.len()).filter(|&i| want[i]).collect();
            return Some(Scan {
                columns: narrowed(layout, &pushdown),
                rows: ScanRows::PartitionsMeta {
                    catalog: ctx.catalog,
                    profile,
                    tz,
                    pushdown,
                    columns,
                },
            });
        }
        "views" => (layouts::views(profile), views_rows(ctx, &pushdown)),
        "materialized_views" => (
            layouts::materialized_views(profile),
            materialized_views_rows(ctx, profile, &pushdown),
        ),
        "schemata" => (layouts::schemata(profile), schemata_rows(ctx)),
        "columns" => (
            crate::engine::infoschema_columns::layout(),
            crate::engine::infoschema_columns::rows(ctx, &|db, table| pushdown.keeps(db, table)),
        ),
        _ => return None,
    };
    let rows = match pushdown.kept(&layout) {
        Some(keep) => rows.into_iter().map(|r| project(r, &keep)).collect(),
        None => rows,
    };
    Some(Scan {
        columns: narrowed(layout, &pushdown),
        rows: ScanRows::Built(rows),
    })
}

/// The columns of `layout` the query reads, as a [`VirtualTable`] lists them.
fn narrowed(layout: Vec<Column>, pushdown: &Pushdown) -> Vec<(String, ColumnType)> {
    let want = pushdown.wanted(&layout);
    layout
        .into_iter()
        .zip(want)
        .filter_map(|(Column { name, kind }, w)| w.then_some((name, kind)))
        .collect()
}

fn text(s: impl Into<String>) -> Value {
    Value::Str(s.into())
}

/// An epoch-milliseconds instant as a DATETIME cell in the session zone; NULL when `<= 0`
/// seconds (the BE scanners' rule).
fn datetime(tz: &TimeZone, ms: i64) -> Value {
    if ms / 1000 > 0 {
        Value::DateTime(tz.local_secs(ms))
    } else {
        Value::Null
    }
}

/// What [`partitions_meta_rows`] hands each partition to: database, table, the table's
/// text, partition, and its index and whether it is temporary.
type PartitionVisit<'f> =
    dyn FnMut(&str, &Table, &TableText, &Partition, (usize, bool)) -> Result<(), SqlError> + 'f;

/// `partitions_meta`: native tables and materialized views in table-id order, normal then
/// temporary partitions, each handed to `f`. Linear in the number of partitions.
fn partitions_meta_rows(
    catalog: &crate::engine::Catalog,
    pushdown: &Pushdown,
    f: &mut PartitionVisit<'_>,
) -> Result<(), SqlError> {
    let mut tables: Vec<(&str, &Table)> = catalog
        .databases
        .values()
        .filter(|db| pushdown.keeps_db(&db.name))
        .flat_map(|db| db.tables.values().map(move |t| (db.name.as_str(), t)))
        .filter(|(db, t)| t.is_native() && pushdown.keeps(db, &t.name))
        .collect();
    tables.sort_by_key(|(_, t)| t.id);
    for (db, table) in tables {
        let text = TableText::of(table);
        for (i, p) in table.partitions.iter().enumerate() {
            f(db, table, &text, p, (i, false))?;
        }
        for (i, p) in table.temp_partitions.iter().enumerate() {
            f(db, table, &text, p, (i, true))?;
        }
    }
    Ok(())
}

/// `information_schema.tables`: every table, view and materialized view, plus the
/// `information_schema` tables themselves (`SYSTEM VIEW`, engine `MEMORY`).
fn tables_rows(
    ctx: &EngineCtx<'_>,
    profile: VersionProfile,
    tz: &TimeZone,
    pushdown: &Pushdown,
) -> Vec<Vec<Value>> {
    let fe_evaluated = profile >= VersionProfile::V4_0;
    // An unset thrift string: `""` from the 3.x BE scanner, NULL from the 4.x FE evaluation.
    let unset = || if fe_evaluated { Value::Null } else { text("") };
    let mut rows = Vec::new();
    let system = TABLE_NAMES
        .iter()
        .filter(|n| pushdown.keeps("information_schema", n));
    for name in system {
        rows.push(vec![
            text("def"),
            text("information_schema"),
            text(*name),
            text("SYSTEM VIEW"),
            text("MEMORY"),
            Value::Null,
            unset(),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            text("utf8_general_ci"),
            Value::Null,
            unset(),
            text(""),
        ]);
    }
    for db in ctx
        .catalog
        .databases
        .values()
        .filter(|d| pushdown.keeps_db(&d.name))
    {
        for t in db
            .tables
            .values()
            .filter(|t| pushdown.keeps(&db.name, &t.name))
        {
            let native = t.is_native();
            let engine = if native { text("StarRocks") } else { unset() };
            let (rows_n, avg, length, update) = if native {
                let n = t.total_rows();
                let bytes = t.data_size();
                let last = t
                    .partitions
                    .iter()
                    .chain(&t.temp_partitions)
                    .map(|p| p.visible_version_time)
                    .max()
                    .unwrap_or(0);
                let avg = bytes.checked_div(n).unwrap_or(0);
                (
                    Value::Int(n as i64),
                    Value::Int(avg as i64),
                    Value::Int(bytes as i64),
                    datetime(tz, last),
                )
            } else {
                (Value::Null, Value::Null, Value::Null, Value::Null)
            };
            rows.push(vec![
                text("def"),
                text(db.name.clone()),
                text(t.name.clone()),
                text(crate::engine::show::tables::mysql_type(t.kind)),
                engine,
                Value::Null,
                unset(),
                rows_n,
                avg,
                length,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                datetime(tz, t.created_ms),
                update,
                Value::Null,
                text("utf8_general_ci"),
                Value::Null,
                unset(),
                text(t.comment.clone()),
            ]);
        }
    }
    rows
}

/// `information_schema.views`: views only (`Database.getViews`), not materialized views.
fn views_rows(ctx: &EngineCtx<'_>, pushdown: &Pushdown) -> Vec<Vec<Value>> {
    ctx.catalog
        .databases
        .values()
        .filter(|db| pushdown.keeps_db(&db.name))
        .flat_map(|db| {
            db.tables
                .values()
                .filter(|t| t.kind == TableKind::View && pushdown.keeps(&db.name, &t.name))
                .map(move |t| {
                    vec![
                        text("def"),
                        text(db.name.clone()),
                        text(t.name.clone()),
                        text(t.view_definition.clone().unwrap_or_default()),
                        text("NONE"),
                        text("NO"),
                        text(""),
                        text(""),
                        text("utf8"),
                        text("utf8_general_ci"),
                    ]
                })
        })
        .collect()
}

/// `information_schema.schemata`: every database, SQL_PATH NULL.
fn schemata_rows(ctx: &EngineCtx<'_>) -> Vec<Vec<Value>> {
    let mut names: Vec<String> = ctx.catalog.databases.keys().cloned().collect();
    names.extend(
        crate::engine::show::tables::SYSTEM_DATABASES
            .iter()
            .map(|s| s.to_string()),
    );
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|n| {
            vec![
                text("def"),
                text(n),
                text("utf8"),
                text("utf8_general_ci"),
                Value::Null,
            ]
        })
        .collect()
}

/// `information_schema.materialized_views`: asynchronous materialized views. The simulator
/// runs no refresh tasks, so a view that was never refreshed shows StarRocks's empty
/// refresh status (`RefreshJobStatus` defaults: task id 0, start time `\N`, state `null`).
fn materialized_views_rows(
    ctx: &EngineCtx<'_>,
    profile: VersionProfile,
    pushdown: &Pushdown,
) -> Vec<Vec<Value>> {
    let typed = profile >= VersionProfile::V4_0;
    let mut rows = Vec::new();
    for db in ctx
        .catalog
        .databases
        .values()
        .filter(|d| pushdown.keeps_db(&d.name))
    {
        for t in db
            .tables
            .values()
            .filter(|t| t.kind == TableKind::MaterializedView && pushdown.keeps(&db.name, &t.name))
        {
            let Some(mv) = &t.mv else { continue };
            let refresh_type = mv
                .refresh
                .split_whitespace()
                .next()
                .unwrap_or("MANUAL")
                .to_ascii_uppercase();
            let partition_type = match &t.partitioning {
                Partitioning::Unpartitioned => "UNPARTITIONED",
                Partitioning::Range { auto: Some(_), .. } => "EXPR_RANGE",
                Partitioning::Range { .. } => "RANGE",
                Partitioning::List { .. } => "LIST",
            };
            let id = if typed {
                Value::Int(t.id as i64)
            } else {
                text(t.id.to_string())
            };
            let rows_n = if typed {
                Value::Int(t.total_rows() as i64)
            } else {
                text(t.total_rows().to_string())
            };
            let (task_id, start) = if typed {
                (Value::Int(0), Value::Null)
            } else {
                (text("0"), text("\\N"))
            };
            let unset_time = || if typed { Value::Null } else { text("") };
            let mut row = vec![
                id,
                text(db.name.clone()),
                text(t.name.clone()),
                text(refresh_type),
                text(if mv.active { "true" } else { "false" }),
                text(mv.inactive_reason.clone()),
                text(partition_type),
                task_id,
                text(""),
                start,
                unset_time(),
                unset_time(),
                text("null"),
                text("false"),
                text(""),
                text(""),
                text(""),
                text(""),
                text(""),
                text(""),
                rows_n,
                text(ddl::create_statement(ctx.catalog, &db.name, t)),
                text(""),
                text(if mv.active {
                    "VALID".to_string()
                } else {
                    format!("INVALID: {}", mv.inactive_reason)
                }),
                text(""),
            ];
            if typed {
                row.push(Value::Null);
                row.push(text(""));
            }
            rows.push(row);
        }
    }
    rows
}
