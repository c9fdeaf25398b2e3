//! The simulated frontend's catalog: databases, tables (OLAP, views, materialized views),
//! partitions with their rows and versions, user-defined functions and external catalogs.
//!
//! Everything here is plain data (`serde`), so the snapshot engine can write it into a
//! repository and a restart can reload it from `data_dir`. Names are case-sensitive (exact
//! map keys), as in StarRocks. Partitions are compact structs in a `Vec` per table, ordered
//! by range for RANGE tables, so 365,000 of them scan in a few milliseconds.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::EpochMillis;
use crate::engine::time::TimeUnit;
use crate::engine::value::{SqlType, Value};

/// A stored row: one value per table column, in column order.
pub type Row = Vec<Value>;

/// The whole catalog of one simulated cluster.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Catalog {
    /// The next id handed out to a database, table, partition, function or catalog.
    pub next_id: u64,
    pub databases: BTreeMap<String, Database>,
    /// `CREATE GLOBAL FUNCTION`.
    pub global_functions: Vec<Function>,
    pub external_catalogs: BTreeMap<String, ExternalCatalog>,
    /// Backup repositories (`CREATE REPOSITORY`), by name; SHOW REPOSITORIES lists them by id.
    #[serde(default)]
    pub repositories: BTreeMap<String, Repository>,
    /// Labels of finished labelled loads, per database id (`labels`).
    #[serde(
        default,
        skip_serializing_if = "crate::engine::labels::LoadLabels::is_empty"
    )]
    pub load_labels: crate::engine::labels::LoadLabels,
    /// Where each key's row sits in the partitions of keyed tables, for loads (a cache,
    /// never saved; see `dml::KeyIndexes`). Code that replaces a partition's rows without
    /// changing its id, row count or version calls [`KeyIndexes::forget`].
    #[serde(skip)]
    pub key_index: crate::engine::dml::KeyIndexes,
}

impl Catalog {
    /// An empty catalog whose ids start from a value derived from `seed`.
    pub fn new(seed: u64) -> Catalog {
        Catalog {
            next_id: 10_001 + (seed % 100_000) * 10,
            ..Catalog::default()
        }
    }

    pub fn alloc_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn db(&self, name: &str) -> Option<&Database> {
        self.databases.get(name)
    }

    pub fn db_mut(&mut self, name: &str) -> Option<&mut Database> {
        self.databases.get_mut(name)
    }

    pub fn table(&self, db: &str, table: &str) -> Option<&Table> {
        self.databases.get(db)?.tables.get(table)
    }

    pub fn table_mut(&mut self, db: &str, table: &str) -> Option<&mut Table> {
        self.databases.get_mut(db)?.tables.get_mut(table)
    }

    /// Creates a database (no existence check) and returns its id.
    pub fn create_database(&mut self, name: &str, now: EpochMillis) -> u64 {
        let id = self.alloc_id();
        self.databases.insert(
            name.to_string(),
            Database {
                id,
                name: name.to_string(),
                tables: BTreeMap::new(),
                functions: Vec::new(),
                created_ms: now,
            },
        );
        id
    }

    /// Every partition of every native table, in database, then table-id order.
    /// Rows in every partition of every table (temporary partitions included).
    pub fn row_count(&self) -> u64 {
        self.databases
            .values()
            .flat_map(|d| d.tables.values())
            .flat_map(|t| t.partitions.iter().chain(&t.temp_partitions))
            .map(Partition::row_count)
            .sum()
    }

    pub fn partition_count(&self) -> usize {
        self.databases
            .values()
            .flat_map(|d| d.tables.values())
            .map(|t| t.partitions.len() + t.temp_partitions.len())
            .sum()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Database {
    pub id: u64,
    pub name: String,
    pub tables: BTreeMap<String, Table>,
    pub functions: Vec<Function>,
    pub created_ms: EpochMillis,
}

impl Database {
    /// Tables ordered by id (StarRocks's table-id order).
    pub fn tables_by_id(&self) -> Vec<&Table> {
        let mut v: Vec<&Table> = self.tables.values().collect();
        v.sort_by_key(|t| t.id);
        v
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableKind {
    Olap,
    View,
    MaterializedView,
}

/// The keys model of an OLAP table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeysType {
    Duplicate,
    Aggregate,
    Unique,
    Primary,
}

impl KeysType {
    /// `DUP_KEYS`, `AGG_KEYS`, … as SHOW/`tables_config` print the model.
    pub fn model_name(self) -> &'static str {
        match self {
            KeysType::Duplicate => "DUP_KEYS",
            KeysType::Aggregate => "AGG_KEYS",
            KeysType::Unique => "UNIQUE_KEYS",
            KeysType::Primary => "PRIMARY_KEYS",
        }
    }

    /// The DDL keyword: `DUPLICATE KEY`, …
    pub fn ddl_keyword(self) -> &'static str {
        match self {
            KeysType::Duplicate => "DUPLICATE KEY",
            KeysType::Aggregate => "AGGREGATE KEY",
            KeysType::Unique => "UNIQUE KEY",
            KeysType::Primary => "PRIMARY KEY",
        }
    }
}

/// Aggregation of a value column in an AGGREGATE KEY table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AggType {
    Sum,
    Max,
    Min,
    Replace,
    ReplaceIfNotNull,
}

impl AggType {
    pub fn parse(s: &str) -> Option<AggType> {
        match s.to_ascii_uppercase().as_str() {
            "SUM" => Some(AggType::Sum),
            "MAX" => Some(AggType::Max),
            "MIN" => Some(AggType::Min),
            "REPLACE" => Some(AggType::Replace),
            "REPLACE_IF_NOT_NULL" => Some(AggType::ReplaceIfNotNull),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AggType::Sum => "SUM",
            AggType::Max => "MAX",
            AggType::Min => "MIN",
            AggType::Replace => "REPLACE",
            AggType::ReplaceIfNotNull => "REPLACE_IF_NOT_NULL",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnDef {
    pub name: String,
    pub ty: SqlType,
    pub nullable: bool,
    pub is_key: bool,
    pub agg: Option<AggType>,
    /// The DEFAULT clause as written (a literal's text, or `CURRENT_TIMESTAMP`).
    pub default: Option<String>,
    pub auto_increment: bool,
    pub comment: String,
}

/// How rows map to partitions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Partitioning {
    Unpartitioned,
    /// `PARTITION BY RANGE(cols)`; `auto` is set for `PARTITION BY date_trunc('unit', col)`
    /// (and `time_slice`), whose partitions are created by loads.
    Range {
        columns: Vec<String>,
        auto: Option<TimeUnit>,
    },
    /// `PARTITION BY LIST(cols)`; `auto` for expression partitioning `PARTITION BY col[, …]`.
    List {
        columns: Vec<String>,
        auto: bool,
    },
}

impl Partitioning {
    pub fn columns(&self) -> &[String] {
        match self {
            Partitioning::Unpartitioned => &[],
            Partitioning::Range { columns, .. } | Partitioning::List { columns, .. } => columns,
        }
    }

    pub fn is_list(&self) -> bool {
        matches!(self, Partitioning::List { .. })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Distribution {
    Hash { columns: Vec<String>, buckets: u32 },
    Random { buckets: u32 },
}

impl Distribution {
    pub fn buckets(&self) -> u32 {
        match self {
            Distribution::Hash { buckets, .. } | Distribution::Random { buckets } => *buckets,
        }
    }

    /// `DistributionKey` of SHOW PARTITIONS: columns joined by `", "`, or `ALL KEY`.
    pub fn key_text(&self) -> String {
        match self {
            Distribution::Hash { columns, .. } => columns.join(", "),
            Distribution::Random { .. } => "ALL KEY".to_string(),
        }
    }
}

/// OlapTable state (`OlapTable.OlapTableState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableState {
    Normal,
    Rollup,
    SchemaChange,
    Backup,
    Restore,
    RestoreWithLoad,
    WaitingStable,
}

impl fmt::Display for TableState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TableState::Normal => "NORMAL",
            TableState::Rollup => "ROLLUP",
            TableState::SchemaChange => "SCHEMA_CHANGE",
            TableState::Backup => "BACKUP",
            TableState::Restore => "RESTORE",
            TableState::RestoreWithLoad => "RESTORE_WITH_LOAD",
            TableState::WaitingStable => "WAITING_STABLE",
        })
    }
}

/// The bounds of one partition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PartitionBound {
    /// The single partition of an unpartitioned table.
    Whole,
    /// `[lower, upper)`; `None` = MINVALUE (lower) / MAXVALUE (upper).
    Range {
        lower: Option<Vec<Value>>,
        upper: Option<Vec<Value>>,
    },
    /// `VALUES IN (…)`: each item is one tuple of partition-column values.
    List(Vec<Vec<Value>>),
}

impl PartitionBound {
    /// Whether a partition-key tuple falls in this partition.
    pub fn contains(&self, key: &[Value]) -> bool {
        match self {
            PartitionBound::Whole => true,
            PartitionBound::Range { lower, upper } => {
                let ge_lower = lower.as_ref().is_none_or(|l| cmp_keys(key, l).is_ge());
                let lt_upper = upper.as_ref().is_none_or(|u| cmp_keys(key, u).is_lt());
                ge_lower && lt_upper
            }
            PartitionBound::List(items) => items.iter().any(|item| {
                item.len() == key.len()
                    && item
                        .iter()
                        .zip(key)
                        .all(|(a, b)| a.sql_cmp(b) == Some(std::cmp::Ordering::Equal))
            }),
        }
    }

    /// Whether two range bounds overlap.
    pub fn overlaps(&self, other: &PartitionBound) -> bool {
        match (self, other) {
            (
                PartitionBound::Range {
                    lower: l1,
                    upper: u1,
                },
                PartitionBound::Range {
                    lower: l2,
                    upper: u2,
                },
            ) => {
                let a_before_b = match (u1, l2) {
                    (Some(u), Some(l)) => cmp_keys(u, l).is_le(),
                    _ => false,
                };
                let b_before_a = match (u2, l1) {
                    (Some(u), Some(l)) => cmp_keys(u, l).is_le(),
                    _ => false,
                };
                !a_before_b && !b_before_a
            }
            (PartitionBound::List(a), PartitionBound::List(b)) => a
                .iter()
                .any(|x| PartitionBound::List(b.clone()).contains(x)),
            _ => false,
        }
    }
}

/// Lexicographic comparison of partition-key tuples.
pub fn cmp_keys(a: &[Value], b: &[Value]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = x.total_cmp(y);
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// One (physical) partition: bounds, version, rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partition {
    pub id: u64,
    pub name: String,
    pub bound: PartitionBound,
    /// Starts at 1 (`Partition.PARTITION_INIT_VERSION`), +1 per load that touched it.
    pub visible_version: u64,
    /// Epoch milliseconds of the last version change.
    pub visible_version_time: EpochMillis,
    pub buckets: u32,
    pub replication_num: u32,
    /// `HDD` or `SSD`.
    pub storage_medium: String,
    pub rows: Vec<Row>,
    /// Estimated bytes of the stored rows.
    pub data_size: u64,
    /// Physical sub-partitions (`Partition.getSubPartitions`): 1, more only for a table with
    /// automatic buckets (RANDOM distribution) whose mutable sub-partition outgrew the
    /// table's `bucket_size` before a load (`OlapTableSink.skipImmutablePartition`).
    #[serde(default = "one")]
    pub sub_partitions: u32,
}

fn one() -> u32 {
    1
}

impl Partition {
    pub fn row_count(&self) -> u64 {
        self.rows.len() as u64
    }

    /// Recomputes `data_size` from the rows.
    pub fn recompute_size(&mut self) {
        self.data_size = self
            .rows
            .iter()
            .flat_map(|r| r.iter())
            .map(Value::size_estimate)
            .sum();
    }

    /// Records one load: version + 1 at `now`.
    pub fn bump_version(&mut self, now: EpochMillis) {
        self.visible_version += 1;
        self.visible_version_time = now;
    }
}

/// An asynchronous materialized view's own metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MvInfo {
    /// `(database, table)` of every base table named in the query.
    pub base_tables: Vec<(String, String)>,
    /// The defining query text (after `AS`).
    pub query: String,
    /// The refresh clause as written, e.g. `ASYNC EVERY (INTERVAL 1 DAY)`; `MANUAL` if none.
    pub refresh: String,
    pub active: bool,
    /// Why it went inactive (`base table swapped`, …); empty when active.
    pub inactive_reason: String,
    pub last_refresh_ms: Option<EpochMillis>,
}

/// A table, view or materialized view. Views have no partitions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub id: u64,
    pub name: String,
    pub kind: TableKind,
    pub columns: Vec<ColumnDef>,
    pub keys: KeysType,
    pub partitioning: Partitioning,
    pub distribution: Distribution,
    pub order_by: Vec<String>,
    pub properties: BTreeMap<String, String>,
    pub comment: String,
    pub state: TableState,
    /// Bumped by every schema change (ADD/DROP COLUMN).
    pub schema_version: u32,
    pub created_ms: EpochMillis,
    pub updated_ms: EpochMillis,
    /// Ordered by range for RANGE tables, by creation otherwise.
    pub partitions: Vec<Partition>,
    pub temp_partitions: Vec<Partition>,
    /// For views: the defining query text.
    pub view_definition: Option<String>,
    pub mv: Option<MvInfo>,
}

impl Table {
    pub fn is_native(&self) -> bool {
        matches!(self.kind, TableKind::Olap | TableKind::MaterializedView)
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn key_columns(&self) -> Vec<&ColumnDef> {
        self.columns.iter().filter(|c| c.is_key).collect()
    }

    pub fn partition(&self, name: &str) -> Option<&Partition> {
        self.partitions.iter().find(|p| p.name == name)
    }

    pub fn partition_mut(&mut self, name: &str) -> Option<&mut Partition> {
        self.partitions.iter_mut().find(|p| p.name == name)
    }

    pub fn total_rows(&self) -> u64 {
        self.partitions.iter().map(Partition::row_count).sum()
    }

    pub fn data_size(&self) -> u64 {
        self.partitions.iter().map(|p| p.data_size).sum()
    }

    /// `replication_num` property (default 3).
    pub fn replication_num(&self) -> u32 {
        self.properties
            .get("replication_num")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(3)
    }

    /// Index of the partition holding a partition-key tuple. RANGE partitions are sorted,
    /// so this is a binary search there.
    pub fn route(&self, key: &[Value]) -> Option<usize> {
        match &self.partitioning {
            Partitioning::Unpartitioned => (!self.partitions.is_empty()).then_some(0),
            Partitioning::Range { .. } => {
                let idx = self.partitions.partition_point(|p| match &p.bound {
                    PartitionBound::Range { upper: Some(u), .. } => cmp_keys(u, key).is_le(),
                    _ => false,
                });
                self.partitions
                    .get(idx)
                    .filter(|p| p.bound.contains(key))
                    .map(|_| idx)
            }
            Partitioning::List { .. } => self.partitions.iter().position(|p| p.bound.contains(key)),
        }
    }

    /// Inserts a partition keeping RANGE partitions sorted by lower bound.
    pub fn insert_partition(&mut self, p: Partition) {
        if matches!(self.partitioning, Partitioning::Range { .. }) {
            let idx = self
                .partitions
                .partition_point(|q| match (&q.bound, &p.bound) {
                    (
                        PartitionBound::Range { lower: a, .. },
                        PartitionBound::Range { lower: b, .. },
                    ) => match (a, b) {
                        (None, _) => true,
                        (Some(_), None) => false,
                        (Some(a), Some(b)) => cmp_keys(a, b).is_lt(),
                    },
                    _ => true,
                });
            self.partitions.insert(idx, p);
        } else {
            self.partitions.push(p);
        }
    }
}

/// A user-defined function (Java UDF metadata).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub id: u64,
    pub name: String,
    /// Argument types as written, upper-cased (`INT`, `VARCHAR`); `...` marks varargs.
    pub args: Vec<String>,
    pub return_type: String,
    /// An aggregate's `INTERMEDIATE` type as written, if it declared one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intermediate_type: Option<String>,
    /// `SCALAR`, `AGGREGATE` or `TABLE`.
    pub kind: String,
    pub global: bool,
    pub properties: BTreeMap<String, String>,
}

impl Function {
    /// `name(INT, VARCHAR)`: the signature StarRocks identifies a function by.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.args.join(", "))
    }
}

/// A backup repository (`backup/Repository.java`), as SHOW REPOSITORIES shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    pub id: u64,
    pub name: String,
    /// When it was created (or when an existing `__repo_info` says it was).
    pub created_ms: EpochMillis,
    pub read_only: bool,
    pub location: String,
    /// The broker name; empty for broker-less repositories.
    pub broker: String,
    pub properties: BTreeMap<String, String>,
    /// The last failed ping, `<yyyy-MM-dd HH:mm:ss>: <msg>`; `None` while healthy.
    pub error: Option<String>,
}

/// An external catalog: metadata only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExternalCatalog {
    pub id: u64,
    pub name: String,
    /// The `type` property (`hive`, `iceberg`, `jdbc`, …).
    pub catalog_type: String,
    pub comment: String,
    pub properties: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(lo: Option<i64>, hi: Option<i64>) -> PartitionBound {
        PartitionBound::Range {
            lower: lo.map(|v| vec![Value::Int(v)]),
            upper: hi.map(|v| vec![Value::Int(v)]),
        }
    }

    #[test]
    fn range_bounds_contain_and_overlap() {
        let b = range(Some(10), Some(20));
        assert!(b.contains(&[Value::Int(10)]));
        assert!(!b.contains(&[Value::Int(20)]));
        assert!(range(None, Some(11)).overlaps(&b));
        assert!(!range(Some(20), None).overlaps(&b));
    }

    #[test]
    fn ids_follow_the_seed() {
        let mut a = Catalog::new(7);
        let mut b = Catalog::new(7);
        assert_eq!(a.alloc_id(), b.alloc_id());
        assert_ne!(Catalog::new(1).next_id, Catalog::new(2).next_id);
    }
}
