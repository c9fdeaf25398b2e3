//! Loads: `INSERT INTO … VALUES / SELECT`, `INSERT OVERWRITE`, `DELETE`. Every load is one
//! transaction: rows are routed to partitions by the partition columns (expression-
//! partitioned tables create the partitions they need), merged by the keys model
//! (DUPLICATE appends, PRIMARY/UNIQUE replace by key, AGGREGATE aggregates), and every
//! partition the load touched advances its VisibleVersion by exactly one.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::engine::ast::{Delete, Insert, InsertSource, ObjName, Update};
use crate::engine::catalog::{
    AggType, Catalog, Database, Distribution, KeysType, Partition, PartitionBound, Partitioning,
    Row, Table, TableKind, TableState,
};
use crate::engine::errors::{
    self, ERR_BAD_FIELD_ERROR, ERR_BAD_TABLE_ERROR, ERR_INSERT_COLUMN_COUNT_MISMATCH,
};
use crate::engine::eval::{EvalEnv, Scope, SourceColumn};
use crate::engine::value::{SqlType, Value};
use crate::engine::{ddl, labels, select, EngineCtx, Env};
use crate::response::{Outcome, Response, Session, SqlError};

/// StarRocks's primary key limit (bytes of the encoded key; BE `kPrimaryKeyLimitSize`).
pub const PRIMARY_KEY_LIMIT: usize = 128;

fn load_target<'c>(
    dbs: &'c mut BTreeMap<String, Database>,
    session: &Session,
    name: &ObjName,
) -> Result<&'c mut Table, SqlError> {
    let db = ddl::target_db(session, name)?;
    let database = dbs
        .get_mut(&db)
        .ok_or_else(|| errors::unknown_database(&db))?;
    let t = database.tables.get_mut(&name.name).ok_or_else(|| {
        errors::analyzing_code(
            ERR_BAD_TABLE_ERROR,
            &format!("Unknown table '{db}.{}'", name.name),
        )
    })?;
    if t.kind != TableKind::Olap {
        return Err(errors::analyzing(&format!(
            "The target table {} of the INSERT is not insertable-into",
            name.name
        )));
    }
    if matches!(t.state, TableState::Restore | TableState::RestoreWithLoad) {
        return Err(errors::ddl_plain(format!(
            "Cannot write RESTORE state table \"{}\"",
            t.name
        )));
    }
    Ok(t)
}

pub fn insert(
    cat: &mut Catalog,
    env: &Env<'_>,
    session: &Session,
    ins: &Insert,
    sql: &str,
) -> Outcome {
    let label = labels::begin(cat, session, ins, env.now)?;
    // Source rows first (an INSERT … SELECT reads the catalog before the write).
    let source_rows: Vec<Vec<Value>> = match &ins.source {
        InsertSource::Values(rows) => {
            let eval_env = EvalEnv {
                session,
                config: env.config,
                tz: env.tz,
                sql,
                relations: Vec::new(),
                columns: &[],
            };
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let mut vals = Vec::with_capacity(r.len());
                for e in r {
                    vals.push(eval_env.eval(e, Scope::Empty)?);
                }
                out.push(vals);
            }
            out
        }
        InsertSource::Select(sel) => {
            let ctx = EngineCtx {
                catalog: cat,
                config: env.config,
                time_zone: env.tz,
            };
            select::run(&ctx, session, sel, sql, 0)?.rows
        }
    };
    let Catalog {
        databases,
        next_id,
        load_labels,
        key_index,
        ..
    } = cat;
    let table = load_target(databases, session, &ins.table)?;
    let targets: Vec<usize> = match &ins.columns {
        None => (0..table.columns.len()).collect(),
        Some(cols) => {
            let mut v = Vec::with_capacity(cols.len());
            for c in cols {
                let i = table.column_index(c).ok_or_else(|| {
                    errors::analyzing_code(
                        ERR_BAD_FIELD_ERROR,
                        &format!("Unknown column '{c}' in '{}'", table.name),
                    )
                })?;
                v.push(i);
            }
            v
        }
    };
    let mut rows: Vec<Row> = Vec::with_capacity(source_rows.len());
    for src in source_rows {
        if src.len() != targets.len() {
            return Err(errors::analyzing_code(
                ERR_INSERT_COLUMN_COUNT_MISMATCH,
                &format!(
                    "Inserted target column count: {} doesn't match select/value column count: {}",
                    targets.len(),
                    src.len()
                ),
            ));
        }
        rows.push(build_row(table, &targets, src, env)?);
    }
    if table.keys == KeysType::Primary {
        for r in &rows {
            if encoded_key_len(table, r) > PRIMARY_KEY_LIMIT {
                return Err(errors::ddl_plain("primary key size exceed the limit."));
            }
        }
    }
    let n = rows.len() as u64;
    if ins.overwrite {
        overwrite(next_id, key_index, table, rows, &ins.partitions, env)?;
    } else {
        load_rows(next_id, key_index, table, rows, &ins.partitions, env)?;
    }
    table.updated_ms = env.now;
    let txn = env.next_txn();
    let label = match label {
        Some(pending) => {
            let name = pending.label().to_string();
            labels::finish(load_labels, pending, txn, env.now);
            name
        }
        None => format!("insert_{txn:08x}"),
    };
    Ok(Response::Ok {
        affected_rows: n,
        last_insert_id: 0,
        warnings: 0,
        info: format!("{{'label':'{label}', 'status':'VISIBLE', 'txnId':'{txn}'}}"),
    })
}

fn build_row(
    table: &Table,
    targets: &[usize],
    src: Vec<Value>,
    env: &Env<'_>,
) -> Result<Row, SqlError> {
    let mut row: Vec<Option<Value>> = vec![None; table.columns.len()];
    for (v, &i) in src.into_iter().zip(targets) {
        row[i] = Some(v);
    }
    let mut out = Vec::with_capacity(row.len());
    for (c, v) in table.columns.iter().zip(row) {
        let v = match v {
            Some(v) => v,
            None => match &c.default {
                Some(d) if d.eq_ignore_ascii_case("CURRENT_TIMESTAMP") => {
                    Value::DateTime(env.tz.local_secs(env.now))
                }
                Some(d) if d.eq_ignore_ascii_case("NULL") => Value::Null,
                Some(d) => Value::Str(d.clone()),
                None if c.nullable || c.auto_increment => Value::Null,
                None => {
                    return Err(errors::analyzing(&format!(
                        "'{}' must be explicitly mentioned in column permutation",
                        c.name
                    )))
                }
            },
        };
        let v = c.ty.coerce(v).map_err(|bad| {
            filtered(&format!("Value '{bad}' is invalid for column '{}'", c.name))
        })?;
        if v.is_null() && !c.nullable && !c.auto_increment {
            return Err(filtered(&format!(
                "NULL value in non-nullable column '{}'",
                c.name
            )));
        }
        let v = match (&c.ty, v) {
            (SqlType::Varchar(n) | SqlType::Char(n), Value::Str(s)) if s.len() > *n as usize => {
                return Err(filtered(&format!(
                    "String '{s}' is too long for column '{}'",
                    c.name
                )))
            }
            (_, v) => v,
        };
        out.push(v);
    }
    Ok(out)
}

fn filtered(reason: &str) -> SqlError {
    errors::ddl_plain(format!("Insert has filtered data in strict mode. {reason}"))
}

/// Bytes of a primary key as the BE encodes it: fixed-width numbers and dates, strings as
/// their bytes (plus a two-byte terminator unless last).
pub fn encoded_key_len(table: &Table, row: &[Value]) -> usize {
    let keys: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_key)
        .map(|(i, _)| i)
        .collect();
    let last = keys.len().saturating_sub(1);
    keys.iter()
        .enumerate()
        .map(|(k, &i)| match &table.columns[i].ty {
            SqlType::Boolean | SqlType::TinyInt => 1,
            SqlType::SmallInt => 2,
            SqlType::Int | SqlType::Date => 4,
            SqlType::BigInt | SqlType::DateTime | SqlType::Double => 8,
            SqlType::LargeInt => 16,
            _ => {
                let len = row
                    .get(i)
                    .and_then(Value::to_text)
                    .map(|s| s.len())
                    .unwrap_or(0);
                if k == last {
                    len
                } else {
                    len + 2
                }
            }
        })
        .sum()
}

fn partition_key(table: &Table, row: &[Value]) -> Vec<Value> {
    table
        .partitioning
        .columns()
        .iter()
        .filter_map(|c| table.column_index(c))
        .map(|i| row[i].clone())
        .collect()
}

/// Finds (or, for expression partitioning, creates) the partition of a row.
fn route(
    table: &mut Table,
    row: &[Value],
    env: &Env<'_>,
    next_id: &mut u64,
) -> Result<usize, SqlError> {
    let key = partition_key(table, row);
    if let Some(i) = table.route(&key) {
        return Ok(i);
    }
    let name = table.name.clone();
    let (bound, pname) = match &table.partitioning {
        Partitioning::Range {
            auto: Some(unit), ..
        } => {
            let secs = match key.first().map(|v| SqlType::DateTime.coerce(v.clone())) {
                Some(Ok(Value::DateTime(s))) => s,
                _ => return Err(filtered("The row's partition value is NULL or not a time")),
            };
            let lo = unit.truncate(secs);
            let hi = unit.add(lo, 1);
            let is_date = table
                .partitioning
                .columns()
                .first()
                .and_then(|c| table.column_index(c))
                .is_some_and(|i| table.columns[i].ty == SqlType::Date);
            let as_value = |s: i64| {
                if is_date {
                    Value::Date(s.div_euclid(86_400) as i32)
                } else {
                    Value::DateTime(s)
                }
            };
            (
                PartitionBound::Range {
                    lower: Some(vec![as_value(lo)]),
                    upper: Some(vec![as_value(hi)]),
                },
                format!("p{}", unit.partition_suffix(lo)),
            )
        }
        Partitioning::List { auto: true, .. } => {
            let parts: Vec<String> = key
                .iter()
                .map(|v| {
                    v.to_text()
                        .unwrap_or_else(|| "null".into())
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .collect()
                })
                .collect();
            (
                PartitionBound::List(vec![key.clone()]),
                format!("p{}", parts.join("_")),
            )
        }
        _ => {
            if table.partitions.is_empty() {
                return Err(errors::ddl(
                    errors::Code(1748, "HY000"),
                    format!(
                        "data cannot be inserted into table with empty partition. Use `SHOW PARTITIONS FROM {name}` to see the currently partitions of this table. "
                    ),
                ));
            }
            return Err(filtered(
                "The row is out of partition ranges. Please add a new partition.",
            ));
        }
    };
    let mut pname = pname;
    while table.partition(&pname).is_some() {
        pname.push('_');
    }
    let id = *next_id;
    *next_id += 1;
    let buckets = table.partitions.first().map(|p| p.buckets).unwrap_or(1);
    table.insert_partition(Partition {
        id,
        name: pname.clone(),
        bound,
        visible_version: 1,
        visible_version_time: env.now,
        buckets,
        replication_num: table.replication_num(),
        storage_medium: "HDD".into(),
        rows: Vec::new(),
        data_size: 0,
        sub_partitions: 1,
    });
    table
        .partitions
        .iter()
        .position(|p| p.name == pname)
        .ok_or_else(|| errors::ddl_plain("partition creation failed"))
}

/// Merges rows into their partitions by the keys model; returns touched partition names.
///
/// Costs in proportion to the rows loaded, not to the table (issue 14): rows are routed once
/// and grouped by partition position, each partition's byte estimate moves by the bytes
/// added and replaced, and a PRIMARY/UNIQUE/AGGREGATE partition finds a row's earlier
/// version through the engine's key index ([`KeyIndexes`]) instead of re-reading the
/// partition.
fn load_rows(
    next_id: &mut u64,
    indexes: &mut KeyIndexes,
    table: &mut Table,
    rows: Vec<Row>,
    only: &[String],
    env: &Env<'_>,
) -> Result<BTreeSet<String>, SqlError> {
    // Route everything first so a rejected row leaves the table untouched.
    let mut staged: Vec<(usize, Row)> = Vec::with_capacity(rows.len());
    for r in rows {
        let before = table.partitions.len();
        let idx = route(table, &r, env, next_id)?;
        if table.partitions.len() > before {
            // A partition was created at `idx`: positions at or after it moved by one.
            for (i, _) in staged.iter_mut() {
                if *i >= idx {
                    *i += 1;
                }
            }
        }
        if !only.is_empty() && !only.contains(&table.partitions[idx].name) {
            return Err(filtered(&format!(
                "The row does not belong to partition(s) {}",
                only.join(", ")
            )));
        }
        staged.push((idx, r));
    }
    let mut by_partition: BTreeMap<usize, Vec<Row>> = BTreeMap::new();
    for (idx, r) in staged {
        by_partition.entry(idx).or_default().push(r);
    }
    let keys: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_key)
        .map(|(i, _)| i)
        .collect();
    let aggs: Vec<Option<AggType>> = table.columns.iter().map(|c| c.agg).collect();
    let model = table.keys;
    let bucket_size = automatic_bucket_size(table);
    let mut touched = BTreeSet::new();
    for (idx, new_rows) in by_partition {
        let Some(p) = table.partitions.get_mut(idx) else {
            continue;
        };
        // `data_size` still holds the bytes before this load.
        let before = p.data_size;
        open_sub_partition(p, bucket_size, before);
        if model == KeysType::Duplicate {
            for r in new_rows {
                p.data_size += row_size(&r);
                p.rows.push(r);
            }
        } else {
            let index = indexes.of(p, &keys);
            for r in new_rows {
                let k = row_key(&r, &keys);
                match index.get(&k) {
                    Some(&at) => {
                        let old = row_size(&p.rows[at]);
                        if model == KeysType::Aggregate {
                            let cur = &mut p.rows[at];
                            for (i, agg) in aggs.iter().enumerate() {
                                if let Some(a) = agg {
                                    cur[i] = combine(*a, &cur[i], &r[i]);
                                }
                            }
                        } else {
                            p.rows[at] = r;
                        }
                        let new = row_size(&p.rows[at]);
                        p.data_size = (p.data_size + new).saturating_sub(old);
                    }
                    None => {
                        index.insert(k, p.rows.len());
                        p.data_size += row_size(&r);
                        p.rows.push(r);
                    }
                }
            }
        }
        p.bump_version(env.now);
        if model != KeysType::Duplicate {
            indexes.loaded(p);
        }
        touched.insert(p.name.clone());
    }
    Ok(touched)
}

/// The bytes a row adds to a partition's estimate (`Partition::recompute_size` summed).
fn row_size(r: &Row) -> u64 {
    r.iter().map(Value::size_estimate).sum()
}

/// A row's key: the key columns' texts.
fn row_key(r: &Row, keys: &[usize]) -> RowKey {
    keys.iter().map(|&i| r[i].to_text()).collect()
}

/// The key columns' texts of a row.
pub type RowKey = Vec<Option<String>>;

/// Where each key's row sits in one partition of a PRIMARY, UNIQUE or AGGREGATE table, kept
/// between loads so an INSERT looks up only the keys it brings. Valid while the partition's
/// row count and visible version are the ones it was built or last updated at: every
/// statement that changes a partition's rows (load, DELETE, UPDATE, TRUNCATE, RESTORE,
/// INSERT OVERWRITE — a new partition id) changes one of them or its id, and then the index
/// is built again from the rows.
#[derive(Debug, Default)]
pub struct KeyIndexes {
    by_partition: HashMap<u64, PartitionKeys>,
}

/// A copy of a catalog starts with an empty cache: indexes are rebuilt when first needed.
impl Clone for KeyIndexes {
    fn clone(&self) -> Self {
        KeyIndexes::default()
    }
}

#[derive(Debug, Default)]
struct PartitionKeys {
    rows: usize,
    version: u64,
    positions: HashMap<RowKey, usize>,
}

/// Rebuilding the whole index once it holds this many partitions more than it did after the
/// last cleanup keeps dropped partitions from piling up.
const KEY_INDEX_SWEEP: usize = 4_096;

impl KeyIndexes {
    /// The index of `p`, rebuilt from its rows when stale.
    fn of(&mut self, p: &Partition, keys: &[usize]) -> &mut HashMap<RowKey, usize> {
        if self.by_partition.len() >= KEY_INDEX_SWEEP && !self.by_partition.contains_key(&p.id) {
            self.by_partition.clear();
        }
        let e = self.by_partition.entry(p.id).or_default();
        if e.rows != p.rows.len()
            || e.version != p.visible_version
            || e.positions.len() != p.rows.len()
        {
            e.positions = p
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| (row_key(r, keys), i))
                .collect();
            e.rows = p.rows.len();
            e.version = p.visible_version;
        }
        &mut e.positions
    }

    /// Drops what is known of partition `id` (its rows were replaced in place).
    pub fn forget(&mut self, id: u64) {
        self.by_partition.remove(&id);
    }

    /// Records that a load left `p` at its current row count and version.
    fn loaded(&mut self, p: &Partition) {
        if let Some(e) = self.by_partition.get_mut(&p.id) {
            e.rows = p.rows.len();
            e.version = p.visible_version;
        }
    }
}

/// `OlapTable.getAutomaticBucketSize`: the `bucket_size` property of a RANDOM-distributed
/// table (default `Config.default_automatic_bucket_size`, 4 GiB), 0 for hash distribution.
pub fn automatic_bucket_size(table: &Table) -> u64 {
    if !matches!(table.distribution, Distribution::Random { .. }) {
        return 0;
    }
    table
        .properties
        .get("bucket_size")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(4 * 1024 * 1024 * 1024)
}

/// `OlapTableSink.skipImmutablePartition` + `FrontendServiceImpl` (automatic buckets): a
/// load that finds the mutable sub-partition larger than `bucket_size` marks it immutable
/// and writes into a new sub-partition. The simulator measures the whole partition's bytes
/// against `sub_partitions × bucket_size` (StarRocks measures the largest tablet).
fn open_sub_partition(p: &mut Partition, bucket_size: u64, before: u64) {
    if bucket_size > 0 && before > bucket_size.saturating_mul(u64::from(p.sub_partitions)) {
        p.sub_partitions = p.sub_partitions.saturating_add(1);
    }
}

fn combine(agg: AggType, old: &Value, new: &Value) -> Value {
    match agg {
        AggType::Replace => new.clone(),
        AggType::ReplaceIfNotNull => {
            if new.is_null() {
                old.clone()
            } else {
                new.clone()
            }
        }
        AggType::Max | AggType::Min => {
            if old.is_null() {
                return new.clone();
            }
            if new.is_null() {
                return old.clone();
            }
            let o = new.total_cmp(old);
            let take_new = if agg == AggType::Max {
                o.is_gt()
            } else {
                o.is_lt()
            };
            if take_new {
                new.clone()
            } else {
                old.clone()
            }
        }
        AggType::Sum => match (old, new) {
            (Value::Null, v) | (v, Value::Null) => v.clone(),
            (Value::Int(a), Value::Int(b)) => Value::Int(a.wrapping_add(*b)),
            (Value::Decimal(a, s), Value::Decimal(b, t)) if s == t => {
                Value::Decimal(a.saturating_add(*b), *s)
            }
            (a, b) => Value::Float(a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0)),
        },
    }
}

/// INSERT OVERWRITE: the partitions in scope are replaced by new partitions (new ids)
/// holding only the new rows, as StarRocks does with temporary partitions; each new
/// partition is at version 2 (created at 1, loaded once).
fn overwrite(
    next_id: &mut u64,
    indexes: &mut KeyIndexes,
    table: &mut Table,
    rows: Vec<Row>,
    only: &[String],
    env: &Env<'_>,
) -> Result<BTreeSet<String>, SqlError> {
    let scope: Vec<String> = if only.is_empty() {
        table.partitions.iter().map(|p| p.name.clone()).collect()
    } else {
        only.to_vec()
    };
    for name in &scope {
        if table.partition(name).is_none() {
            return Err(errors::ddl_plain(format!(
                "Unknown partition '{name}' in table '{}'",
                table.name
            )));
        }
    }
    for p in table
        .partitions
        .iter_mut()
        .filter(|p| scope.contains(&p.name))
    {
        p.id = *next_id;
        *next_id += 1;
        p.rows.clear();
        p.data_size = 0;
        p.visible_version = 1;
    }
    let touched = load_rows(next_id, indexes, table, rows, only, env)?;
    for p in table
        .partitions
        .iter_mut()
        .filter(|p| scope.contains(&p.name) && !touched.contains(&p.name))
    {
        p.recompute_size();
        p.bump_version(env.now);
    }
    Ok(touched)
}

/// `UPDATE t SET … [WHERE …]` (`UpdateAnalyzer.analyze`, StarRocks 3.4, in its order):
/// a materialized view is refused, then every table that is not PRIMARY KEY
/// (`OlapTable.supportsUpdate`; an `UnsupportedException`, so the bare text with 1064/HY000),
/// unknown columns, a missing WHERE unless the update is partial (`partial_update_mode`
/// `auto`: at most 3 columns and under 30% of them), then key columns. The matching rows
/// are rewritten in one load: each partition touched gets one new version.
/// Source: fe/fe-core/src/main/java/com/starrocks/sql/analyzer/UpdateAnalyzer.java.
pub fn update(
    cat: &mut Catalog,
    env: &Env<'_>,
    session: &Session,
    upd: &Update,
    sql: &str,
) -> Outcome {
    let db = ddl::target_db(session, &upd.table)?;
    let t = cat
        .db(&db)
        .ok_or_else(|| errors::analyzing(&format!("Database {db} is not found")))?
        .tables
        .get(&upd.table.name)
        .ok_or_else(|| {
            errors::analyzing_code(
                ERR_BAD_TABLE_ERROR,
                &format!("Unknown table '{db}.{}'", upd.table.name),
            )
        })?;
    let name = &upd.table.name;
    if t.kind == TableKind::MaterializedView {
        return Err(errors::analyzing(&format!(
            "The data of '{name}' cannot be modified because '{name}' is a materialized view,and the data of materialized view must be consistent with the base table."
        )));
    }
    if t.kind != TableKind::Olap || t.keys != KeysType::Primary {
        return Err(errors::ddl_plain(format!(
            "table {} does not support update",
            t.name
        )));
    }
    let mut targets: Vec<(usize, &crate::engine::ast::Expr)> = Vec::new();
    for (col, e, _) in &upd.assignments {
        let i = t
            .columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(col))
            .ok_or_else(|| {
                errors::analyzing(&format!(
                    "table '{name}' do not existing column '{}'",
                    col.to_lowercase()
                ))
            })?;
        targets.retain(|(j, _)| *j != i);
        targets.push((i, e));
    }
    let partial = targets.len() <= 3 && (targets.len() as f64) < t.columns.len() as f64 * 0.3;
    if upd.selection.is_none() && !partial {
        return Err(errors::analyzing(
            "must specify where clause to prevent full table update",
        ));
    }
    if let Some((i, _)) = t
        .columns
        .iter()
        .enumerate()
        .find(|(i, c)| c.is_key && targets.iter().any(|(j, _)| j == i))
    {
        return Err(errors::analyzing(&format!(
            "primary key column cannot be updated: {}",
            t.columns[i].name
        )));
    }
    let table = load_target(&mut cat.databases, session, &upd.table)?;
    let columns = source_columns(table);
    let eval_env = table_env(env, session, sql, table, &columns);
    let all: Vec<usize> = (0..table.columns.len()).collect();
    let mut changes: Vec<(usize, usize, Row)> = Vec::new();
    for (pi, p) in table.partitions.iter().enumerate() {
        for (ri, r) in p.rows.iter().enumerate() {
            let hit = match &upd.selection {
                Some(w) => eval_env.eval(w, Scope::Row(r))?.truthy(),
                None => true,
            };
            if !hit {
                continue;
            }
            let mut new = r.clone();
            for (i, e) in &targets {
                new[*i] = eval_env.eval(e, Scope::Row(r))?;
            }
            changes.push((pi, ri, build_row(table, &all, new, env)?));
        }
    }
    let n = changes.len() as u64;
    let mut touched = BTreeSet::new();
    for (pi, ri, row) in changes {
        if let Some(slot) = table.partitions[pi].rows.get_mut(ri) {
            *slot = row;
            touched.insert(pi);
        }
    }
    for pi in touched {
        let p = &mut table.partitions[pi];
        p.recompute_size();
        p.bump_version(env.now);
    }
    table.updated_ms = env.now;
    Ok(Response::affected(n))
}

/// What a WHERE or SET expression over `table`'s rows sees.
fn table_env<'a>(
    env: &'a Env<'_>,
    session: &'a Session,
    sql: &'a str,
    table: &Table,
    columns: &'a [SourceColumn],
) -> EvalEnv<'a> {
    EvalEnv {
        session,
        config: env.config,
        tz: env.tz,
        sql,
        relations: crate::engine::eval::Relation::whole(&table.name, columns),
        columns,
    }
}

/// The columns of a table as a query source.
pub fn source_columns(table: &Table) -> Vec<SourceColumn> {
    table
        .columns
        .iter()
        .map(|c| SourceColumn {
            name: c.name.clone(),
            kind: c.ty.column_type(),
            ty: Some(c.ty.clone()),
        })
        .collect()
}

pub fn delete(
    cat: &mut Catalog,
    env: &Env<'_>,
    session: &Session,
    del: &Delete,
    sql: &str,
) -> Outcome {
    let table = load_target(&mut cat.databases, session, &del.table)?;
    // DeleteAnalyzer.analyze (StarRocks 3.4): a WHERE clause is required; a PRIMARY KEY
    // table takes no PARTITION list.
    if table.keys == KeysType::Primary {
        if del.selection.is_none() {
            return Err(errors::analyzing(
                "Delete must specify where clause to prevent full table delete",
            ));
        }
        if !del.partitions.is_empty() {
            return Err(errors::analyzing(
                "Delete for primary key table do not support specifying partitions",
            ));
        }
    } else if del.selection.is_none() {
        return Err(errors::analyzing("Where clause is not set"));
    }
    for p in &del.partitions {
        if table.partition(p).is_none() {
            return Err(errors::ddl_plain(format!(
                "Partition does not exist. name: {p}"
            )));
        }
    }
    let columns = source_columns(table);
    let eval_env = table_env(env, session, sql, table, &columns);
    let primary = table.keys == KeysType::Primary;
    let mut deleted = 0u64;
    let mut plan: Vec<(usize, Vec<usize>)> = Vec::new();
    for (pi, p) in table.partitions.iter().enumerate() {
        if !del.partitions.is_empty() && !del.partitions.contains(&p.name) {
            continue;
        }
        let mut gone = Vec::new();
        for (ri, r) in p.rows.iter().enumerate() {
            let hit = match &del.selection {
                Some(w) => eval_env.eval(w, Scope::Row(r))?.truthy(),
                None => true,
            };
            if hit {
                gone.push(ri);
            }
        }
        plan.push((pi, gone));
    }
    for (pi, gone) in plan {
        let p = &mut table.partitions[pi];
        if primary && gone.is_empty() {
            continue;
        }
        deleted += gone.len() as u64;
        let set: BTreeSet<usize> = gone.into_iter().collect();
        let mut i = 0;
        p.rows.retain(|_| {
            let keep = !set.contains(&i);
            i += 1;
            keep
        });
        p.recompute_size();
        p.bump_version(env.now);
    }
    table.updated_ms = env.now;
    Ok(Response::affected(deleted))
}
