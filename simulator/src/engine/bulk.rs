//! A fast path for benchmarks and scale tests: create many daily range-partitioned tables
//! (optionally with rows) directly in the catalog, without going through SQL.

use std::collections::BTreeMap;

use crate::clock::EpochMillis;
use crate::engine::catalog::{
    Catalog, ColumnDef, Distribution, KeysType, Partition, PartitionBound, Partitioning, Table,
    TableKind, TableState,
};
use crate::engine::errors;
use crate::engine::time::{self, TimeUnit};
use crate::engine::value::{SqlType, Value};
use crate::response::SqlError;

/// What [`Engine::bulk_create_tables`](super::Engine::bulk_create_tables) creates: in
/// `database` (created if missing), tables `<prefix>0000`, `<prefix>0001`, … with columns
/// `dt DATE, id BIGINT, v BIGINT`, DUPLICATE KEY(dt, id), one partition per day
/// (`pYYYYMMDD`) from `first_day`, `rows_per_partition` rows each.
#[derive(Clone, Debug)]
pub struct BulkTables {
    pub database: String,
    pub prefix: String,
    pub tables: usize,
    pub partitions_per_table: usize,
    /// `yyyy-MM-dd`.
    pub first_day: String,
    pub rows_per_partition: usize,
    pub replication_num: u32,
}

impl Default for BulkTables {
    fn default() -> Self {
        BulkTables {
            database: "bulk".into(),
            prefix: "t".into(),
            tables: 10,
            partitions_per_table: 365,
            first_day: "2024-01-01".into(),
            rows_per_partition: 0,
            replication_num: 1,
        }
    }
}

/// Creates the tables; returns how many were created (existing names are an error).
pub fn create(cat: &mut Catalog, spec: &BulkTables, now: EpochMillis) -> Result<usize, SqlError> {
    let first = time::parse_date(&spec.first_day)
        .ok_or_else(|| errors::ddl_plain(format!("Invalid first_day: {}", spec.first_day)))?;
    if cat.db(&spec.database).is_none() {
        cat.create_database(&spec.database, now);
    }
    let col = |name: &str, ty: SqlType, key: bool| ColumnDef {
        name: name.into(),
        ty,
        nullable: true,
        is_key: key,
        agg: None,
        default: None,
        auto_increment: false,
        comment: String::new(),
    };
    let mut properties = BTreeMap::new();
    properties.insert(
        "replication_num".to_string(),
        spec.replication_num.to_string(),
    );
    for t in 0..spec.tables {
        let name = format!("{}{t:04}", spec.prefix);
        if cat.table(&spec.database, &name).is_some() {
            return Err(errors::ddl(
                errors::ERR_TABLE_EXISTS_ERROR,
                format!("Table '{name}' already exists"),
            ));
        }
        let id = cat.alloc_id();
        let mut partitions = Vec::with_capacity(spec.partitions_per_table);
        for d in 0..spec.partitions_per_table {
            let day = first + d as i32;
            let rows: Vec<Vec<Value>> = (0..spec.rows_per_partition)
                .map(|r| {
                    vec![
                        Value::Date(day),
                        Value::Int(r as i64),
                        Value::Int((r * 7) as i64),
                    ]
                })
                .collect();
            let mut p = Partition {
                id: cat.alloc_id(),
                name: format!(
                    "p{}",
                    TimeUnit::Day.partition_suffix(i64::from(day) * 86_400)
                ),
                bound: PartitionBound::Range {
                    lower: Some(vec![Value::Date(day)]),
                    upper: Some(vec![Value::Date(day + 1)]),
                },
                visible_version: if rows.is_empty() { 1 } else { 2 },
                visible_version_time: now,
                buckets: 1,
                replication_num: spec.replication_num,
                storage_medium: "HDD".into(),
                rows,
                data_size: 0,
                sub_partitions: 1,
            };
            p.recompute_size();
            partitions.push(p);
        }
        let table = Table {
            id,
            name: name.clone(),
            kind: TableKind::Olap,
            columns: vec![
                col("dt", SqlType::Date, true),
                col("id", SqlType::BigInt, true),
                col("v", SqlType::BigInt, false),
            ],
            keys: KeysType::Duplicate,
            partitioning: Partitioning::Range {
                columns: vec!["dt".into()],
                auto: None,
            },
            distribution: Distribution::Hash {
                columns: vec!["id".into()],
                buckets: 1,
            },
            order_by: Vec::new(),
            properties: properties.clone(),
            comment: String::new(),
            state: TableState::Normal,
            schema_version: 0,
            created_ms: now,
            updated_ms: now,
            partitions,
            temp_partitions: Vec::new(),
            view_definition: None,
            mv: None,
        };
        if let Some(db) = cat.db_mut(&spec.database) {
            db.tables.insert(name, table);
        }
    }
    Ok(spec.tables)
}
