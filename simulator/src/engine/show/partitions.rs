//! SHOW [TEMPORARY] PARTITIONS FROM t (spec §3.6) and the rows of
//! `information_schema.partitions_meta` (spec §3.7), from the catalog's partitions.
//!
//! Row values follow `common/proc/PartitionsProcDir.getOlapPartitionInfo` and
//! `service/InformationSchemaDataSource.genPartitionMetaInfo` (3.4; paths relative to
//! `fe/fe-core/src/main/java/com/starrocks/`). Per-table text (partition key, distribution
//! key) is computed once per table, so a full scan is linear in the number of partitions.

use crate::clock::EpochMillis;
use crate::engine::catalog::{Partition, PartitionBound, Partitioning, Table};
use crate::engine::show::ddl::{column_sql, list_values, PartitionColumns};
use crate::engine::show::format::{byte_size, gson_lists, java_bool};
use crate::engine::show::layouts;
use crate::engine::show::parse::Cursor;
use crate::engine::show::predicate::{java_like, parse_clauses, Literal, Op, Predicate};
use crate::engine::show::{result, session_time_zone, target_db};
use crate::engine::time::TimeZone;
use crate::engine::value::Value;
use crate::engine::{errors, time, EngineCtx};
use crate::profile::VersionProfile;
use crate::response::{Outcome, Session, SqlError};

/// `DataProperty.MAX_COOLDOWN_TIME_MS`: "no cooldown". Its Java comment says 9999-12-31
/// 23:59:59, which holds at +08:00; a UTC session sees 9999-12-31 15:59:59.
pub const MAX_COOLDOWN_TIME_MS: EpochMillis = 253_402_271_999_000;

/// The first bit of a GTID is unused, then 42 bits of milliseconds since 2020-01-01 UTC,
/// 8 cluster bits and 13 sequence bits (`transaction/GtidGenerator.java`). StarRocks stamps a
/// partition's VersionEpoch with one when the partition is created.
const GTID_EPOCH_MS: EpochMillis = 1_577_836_800_000;

/// A SHOW PARTITIONS cell, typed like the Java `Comparable` StarRocks filters and sorts on.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// `Long` / `Integer`.
    Num(i64),
    /// `String`; `\N` is TimeUtils's NULL marker.
    Str(String),
    /// An enum (`PartitionState`, `TransactionType`): never equal to a string literal.
    Enum(&'static str),
    /// `ByteSizeValue`: compared by bytes, printed as `1.5KB`.
    Bytes(u64),
    Bool(bool),
}

impl Cell {
    /// The text sent to the client; `\N` becomes SQL NULL.
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Num(n) => Some(n.to_string()),
            Cell::Str(s) if s == "\\N" => None,
            Cell::Str(s) => Some(s.clone()),
            Cell::Enum(e) => Some((*e).to_string()),
            Cell::Bytes(b) => Some(byte_size(*b)),
            Cell::Bool(b) => Some(java_bool(*b).to_string()),
        }
    }

    /// `ListComparator` order on two cells of one column.
    pub fn java_cmp(&self, other: &Cell) -> std::cmp::Ordering {
        match (self, other) {
            (Cell::Num(a), Cell::Num(b)) => a.cmp(b),
            (Cell::Bytes(a), Cell::Bytes(b)) => a.cmp(b),
            (Cell::Bool(a), Cell::Bool(b)) => a.cmp(b),
            (a, b) => a
                .text()
                .unwrap_or_else(|| "\\N".into())
                .cmp(&b.text().unwrap_or_else(|| "\\N".into())),
        }
    }
}

fn time_cell(tz: &TimeZone, ms: EpochMillis) -> Cell {
    if ms <= 0 {
        Cell::Str("\\N".into())
    } else {
        Cell::Str(tz.format_datetime(ms))
    }
}

/// Facts about one table that every partition row repeats, computed once.
pub struct TableText {
    pub partition_key_names: String,
    /// `Joiner.on(", ").join(List<Column>)` = each column's `toSql`: partitions_meta's
    /// PARTITION_KEY really holds `` `dt` date NOT NULL COMMENT "" `` (all versions).
    pub partition_key_columns: String,
    pub distribution_key: String,
    pub in_memory: bool,
    columns: PartitionColumns,
}

impl TableText {
    pub fn of(table: &Table) -> TableText {
        let columns = PartitionColumns::of(table);
        let key_cols: Vec<String> = columns
            .names
            .iter()
            .filter_map(|n| table.column_index(n).and_then(|i| table.columns.get(i)))
            .map(|c| column_sql(c, table.keys))
            .collect();
        TableText {
            partition_key_names: columns.names.join(", "),
            partition_key_columns: key_cols.join(", "),
            distribution_key: table.distribution.key_text(),
            in_memory: table
                .properties
                .get("in_memory")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            columns,
        }
    }

    /// `findRangeOrListValues`: Guava range, Gson list, or `""` when unpartitioned.
    pub fn range_or_list(&self, table: &Table, p: &Partition) -> String {
        let mut out = String::new();
        self.write_range_or_list(&mut out, table, p);
        out
    }

    /// [`Self::range_or_list`] written over `out` (a scan reuses one row's buffer).
    pub fn write_range_or_list(&self, out: &mut String, table: &Table, p: &Partition) {
        out.clear();
        match (&table.partitioning, &p.bound) {
            (Partitioning::Unpartitioned, _) | (_, PartitionBound::Whole) => {}
            (_, PartitionBound::List(_)) => out.push_str(&gson_lists(&list_values(&p.bound))),
            (_, PartitionBound::Range { lower, upper }) => {
                self.columns
                    .write_range_text(out, lower.as_ref(), upper.as_ref())
            }
        }
    }
}

/// The partition's name as SHOW prints it: the table's name for an unpartitioned table.
pub fn partition_name<'a>(table: &'a Table, p: &'a Partition) -> &'a str {
    if matches!(table.partitioning, Partitioning::Unpartitioned) {
        &table.name
    } else {
        &p.name
    }
}

/// `PhysicalPartition.versionEpoch`: a GTID of the partition's creation; the simulator
/// stamps it from the table's creation time and the partition's position.
pub fn version_epoch(table: &Table, index: usize) -> i64 {
    let ms = (table.created_ms - GTID_EPOCH_MS).max(0);
    (ms << 21) | (index as i64 & 0x1fff)
}

/// One SHOW PARTITIONS row, in the profile's column order.
pub fn show_row(
    table: &Table,
    text: &TableText,
    p: &Partition,
    index: usize,
    profile: VersionProfile,
    tz: &TimeZone,
) -> Vec<Cell> {
    let version = i64::try_from(p.visible_version).unwrap_or(i64::MAX);
    let mut row = vec![
        Cell::Num(p.id as i64),
        Cell::Str(partition_name(table, p).to_string()),
        Cell::Num(version),
        time_cell(tz, p.visible_version_time),
        Cell::Num(0),
        Cell::Enum("NORMAL"),
        Cell::Str(text.partition_key_names.clone()),
        Cell::Str(text.range_or_list(table, p)),
        Cell::Str(text.distribution_key.clone()),
        Cell::Num(i64::from(p.buckets)),
        Cell::Str(p.replication_num.to_string()),
        Cell::Str(p.storage_medium.clone()),
        time_cell(tz, MAX_COOLDOWN_TIME_MS),
        Cell::Str("\\N".into()),
        Cell::Bytes(p.data_size),
    ];
    if profile >= VersionProfile::V3_4 {
        row.push(Cell::Bytes(p.data_size));
    }
    row.extend([
        Cell::Bool(text.in_memory && profile < VersionProfile::V4_1),
        Cell::Num(p.row_count() as i64),
        Cell::Num(version),
        Cell::Num(version_epoch(table, index)),
        Cell::Enum("TXN_NORMAL"),
    ]);
    if profile >= VersionProfile::V3_5 {
        row.push(Cell::Bool(true));
    }
    row
}

/// Whether a row passes the SHOW PARTITIONS filters (`PartitionsProcDir.filter`). Errors are
/// the runtime exceptions StarRocks lets through to the client.
pub fn passes(
    titles: &[&str],
    row: &[Cell],
    filters: &std::collections::BTreeMap<String, Predicate>,
) -> Result<bool, SqlError> {
    for (title, cell) in titles.iter().zip(row) {
        let Some(pred) = filters.get(&title.to_lowercase()) else {
            continue;
        };
        if !matches_one(cell, pred)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn matches_one(cell: &Cell, pred: &Predicate) -> Result<bool, SqlError> {
    if pred.op == Op::Like {
        let Cell::Str(s) = cell else {
            return Err(SqlError::generic(class_cast(
                java_class(cell),
                "java.lang.String",
            )));
        };
        let Literal::Str(pattern) = &pred.rhs else {
            return Ok(false);
        };
        return Ok(java_like(s, pattern));
    }
    if let (Literal::Str(v), Op::Eq) = (&pred.rhs, pred.op) {
        return Ok(matches!(cell, Cell::Str(s) if s == v));
    }
    let left = match (&pred.rhs, cell) {
        (Literal::DateTime(_), Cell::Str(s)) => time::parse_datetime(s)
            .ok_or_else(|| errors::analyzing(&format!("date literal [{s}] is invalid")))?,
        (_, c) => {
            let text = c.text().unwrap_or_else(|| "\\N".into());
            text.parse::<i64>()
                .map_err(|_| SqlError::generic(format!("For input string: \"{text}\"")))?
        }
    };
    let right = match &pred.rhs {
        Literal::Int(v) | Literal::DateTime(v) => *v,
        Literal::Str(_) => {
            return Err(SqlError::generic(class_cast(
                "com.starrocks.analysis.StringLiteral",
                "com.starrocks.analysis.IntLiteral",
            )))
        }
        Literal::Other(class) => {
            return Err(SqlError::generic(class_cast(
                &format!("com.starrocks.analysis.{class}"),
                "com.starrocks.analysis.IntLiteral",
            )))
        }
    };
    Ok(match pred.op {
        Op::Eq | Op::EqForNull => left == right,
        Op::Ne => left != right,
        Op::Lt => left < right,
        Op::Le => left <= right,
        Op::Gt => left > right,
        Op::Ge => left >= right,
        Op::Like | Op::Regexp => false,
    })
}

fn java_class(cell: &Cell) -> &'static str {
    match cell {
        Cell::Num(_) => "java.lang.Long",
        Cell::Str(_) => "java.lang.String",
        Cell::Enum(_) => "com.starrocks.catalog.Partition$PartitionState",
        Cell::Bytes(_) => "com.starrocks.monitor.unit.ByteSizeValue",
        Cell::Bool(_) => "java.lang.Boolean",
    }
}

/// A JDK 11+ `ClassCastException` message, as `StmtExecutor` forwards it.
fn class_cast(from: &str, to: &str) -> String {
    let module = |c: &str| {
        if c.starts_with("java.") {
            "module java.base of loader 'bootstrap'".to_string()
        } else {
            "unnamed module of loader 'app'".to_string()
        }
    };
    if module(from) == module(to) {
        format!(
            "class {from} cannot be cast to class {to} ({from} and {to} are in {})",
            module(from)
        )
    } else {
        format!(
            "class {from} cannot be cast to class {to} ({from} is in {}; {to} is in {})",
            module(from),
            module(to)
        )
    }
}

/// The version profile and session time zone rows are rendered for.
pub struct RowCtx<'a> {
    pub profile: VersionProfile,
    pub tz: &'a TimeZone,
    /// The layout columns the query reads, in order: only their cells are computed (a scan
    /// of 365,000 partitions reads a few columns).
    pub columns: &'a [usize],
}

/// One `partitions_meta` row, the cells of `rc.columns` only, written into `row` (whose
/// strings are reused: a scan builds each row in the same buffer); `slot` is the
/// partition's index and whether it is temporary.
pub fn meta_row(
    row: &mut Vec<Value>,
    db: &str,
    table: &Table,
    text: &TableText,
    p: &Partition,
    slot: (usize, bool),
    rc: &RowCtx<'_>,
) {
    let (index, is_temp) = slot;
    let (profile, tz) = (rc.profile, rc.tz);
    let version = i64::try_from(p.visible_version).unwrap_or(i64::MAX);
    let secs = |ms: EpochMillis| {
        if ms / 1000 > 0 {
            Value::DateTime(tz.local_secs(ms))
        } else {
            Value::Null
        }
    };
    row.resize(rc.columns.len(), Value::Null);
    for (cell, &i) in row.iter_mut().zip(rc.columns) {
        match i {
            0 => put_text(cell, db),
            1 => put_text(cell, &table.name),
            2 => put_text(cell, partition_name(table, p)),
            10 => put_text(cell, "TXN_NORMAL"),
            11 => put_text(cell, &text.partition_key_columns),
            12 => match cell {
                Value::Str(s) => text.write_range_or_list(s, table, p),
                other => *other = Value::Str(text.range_or_list(table, p)),
            },
            13 => put_text(cell, &text.distribution_key),
            16 => put_text(cell, &p.storage_medium),
            21 if profile < VersionProfile::V4_0 => *cell = Value::Str(byte_size(p.data_size)),
            27 => put_text(cell, ""),
            _ => {
                *cell = match i {
                    3 => Value::Int(p.id as i64),
                    4 => Value::Int(0),
                    5 | 8 => Value::Int(version),
                    6 => secs(p.visible_version_time),
                    7 => Value::Int(version + 1),
                    9 => Value::Int(version_epoch(table, index)),
                    14 => Value::Int(i64::from(p.buckets)),
                    15 => Value::Int(i64::from(p.replication_num)),
                    17 => secs(MAX_COOLDOWN_TIME_MS),
                    19 => Value::Bool(text.in_memory && profile < VersionProfile::V4_1),
                    20 => Value::Bool(is_temp),
                    21 | 28 => Value::Int(p.data_size as i64),
                    22 => Value::Int(p.row_count() as i64),
                    23 => Value::Bool(false),
                    24..=26 => Value::Float(0.0),
                    // 3.5's TABLET_BALANCED, then 4.0's METADATA_SWITCH_VERSION and PATH_ID.
                    29 => Value::Bool(true),
                    30 | 31 => Value::Int(0),
                    // LAST_CONSISTENCY_CHECK_TIME.
                    _ => Value::Null,
                }
            }
        }
    }
}

/// Sets `cell` to the text `t`, reusing the string already in it.
fn put_text(cell: &mut Value, t: &str) {
    match cell {
        Value::Str(s) => {
            s.clear();
            s.push_str(t);
        }
        other => *other = Value::Str(t.to_string()),
    }
}

/// `SHOW PARTITIONS FROM [db.]t [WHERE …] [ORDER BY …] [LIMIT …]`.
pub fn show_partitions(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    run_show(ctx, s, c, false)
}

/// `SHOW TEMPORARY PARTITIONS FROM …`: the same columns over the temporary partitions.
pub fn show_temporary_partitions(
    ctx: &EngineCtx<'_>,
    s: &mut Session,
    c: &mut Cursor<'_>,
) -> Outcome {
    run_show(ctx, s, c, true)
}

/// Analysis order as `ShowStmtAnalyzer.visitShowPartitionsStatement`: database name, WHERE,
/// database, table (native only), ORDER BY columns; then rows, filter, sort, limit.
fn run_show(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>, temp: bool) -> Outcome {
    c.expect_kw("FROM")?;
    let mut parts = c.qualified_name()?;
    let mut parsed = parse_clauses(c)?;
    let name = parts.pop().unwrap_or_default();
    let db = target_db(s, (!parts.is_empty()).then_some(parts))?;
    let filters = parsed.analyze_where()?;
    let Some(database) = ctx.catalog.db(&db) else {
        return Err(errors::analyzing_code(
            errors::ERR_BAD_DB_ERROR,
            &format!("Unknown database '{db}'"),
        ));
    };
    let table = database
        .tables
        .get(&name)
        .filter(|t| t.is_native())
        .ok_or_else(|| {
            errors::analyzing(&format!(
                "Table[{name}] does not exists or is not OLAP/Paimon table"
            ))
        })?;
    let profile = ctx.version();
    let columns = layouts::show_partitions(profile, table.partitioning.is_list());
    let titles = layouts::names(&columns);
    let mut sort_keys = Vec::with_capacity(parsed.order.len());
    for (item, desc) in &parsed.order {
        let col = item.column()?;
        let idx = titles
            .iter()
            .position(|t| t.eq_ignore_ascii_case(col))
            .ok_or_else(|| {
                errors::analyzing_code(
                    ERR_WRONG_COLUMN_NAME,
                    &format!("Incorrect column name '{col}'"),
                )
            })?;
        sort_keys.push((idx, *desc));
    }
    let mut rows = Vec::new();
    for row in cells(ctx, s, table, temp) {
        if filters.is_empty() || passes(&titles, &row, &filters)? {
            rows.push(row);
        }
    }
    if !sort_keys.is_empty() {
        rows.sort_by(|a, b| {
            sort_keys
                .iter()
                .map(|&(i, desc)| {
                    let o = a[i].java_cmp(&b[i]);
                    if desc {
                        o.reverse()
                    } else {
                        o
                    }
                })
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    if let Some((offset, limit)) = parsed.limit {
        let begin = usize::try_from(offset).unwrap_or(usize::MAX);
        let end = begin
            .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
            .min(rows.len());
        if begin > end {
            // `ArrayList.subList` → IllegalArgumentException, forwarded by StmtExecutor.
            return Err(SqlError::generic(format!(
                "fromIndex({begin}) > toIndex({end})"
            )));
        }
        rows = rows.drain(begin..end).collect();
    }
    let text_rows = rows
        .iter()
        .map(|r| r.iter().map(Cell::text).collect())
        .collect();
    result(columns, text_rows)
}

/// The typed rows of SHOW PARTITIONS for a native table, in partition order (RANGE
/// partitions by range), shadow partitions (`$…`) skipped.
fn cells(ctx: &EngineCtx<'_>, s: &Session, table: &Table, temp: bool) -> Vec<Vec<Cell>> {
    let profile = ctx.version();
    let tz = session_time_zone(ctx, s);
    let text = TableText::of(table);
    let parts = if temp {
        &table.temp_partitions
    } else {
        &table.partitions
    };
    parts
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.name.starts_with('$'))
        .map(|(i, p)| show_row(table, &text, p, i, profile, &tz))
        .collect()
}

/// SHOW PARTITIONS without clauses (`SHOW PROC '/dbs/<db>/<table>/partitions'`).
pub fn rows_of(ctx: &EngineCtx<'_>, s: &Session, table: &Table, temp: bool) -> Outcome {
    let columns = layouts::show_partitions(ctx.version(), table.partitioning.is_list());
    let rows = cells(ctx, s, table, temp)
        .iter()
        .map(|r| r.iter().map(Cell::text).collect())
        .collect();
    result(columns, rows)
}

/// `ErrorCode.ERR_WRONG_COLUMN_NAME`: `Incorrect column name '%s'`.
const ERR_WRONG_COLUMN_NAME: errors::Code = errors::Code(1166, "42000");
