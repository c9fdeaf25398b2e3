//! Benchmark of the SHOW / information_schema side at scale: 1,000 tables × 365 daily
//! partitions (365,000 partitions). Prints the time to build the catalog, a full
//! `information_schema.partitions_meta` scan (rows generated, then rendered to text as the
//! wire would send them), `information_schema.tables`, and SHOW PARTITIONS of one table.
//!
//! Run with `cargo run --release -p starsnap-simulator --bin bench-show [-- TABLES PARTITIONS]`.

use std::collections::BTreeMap;
use std::time::Instant;

use starsnap_simulator::engine::catalog::{
    ColumnDef, Distribution, KeysType, Partition, PartitionBound, Partitioning, Table, TableKind,
    TableState,
};
use starsnap_simulator::engine::{infoschema, show, Catalog, EngineCtx, SqlType, TimeZone, Value};
use starsnap_simulator::{Clock, Response, Session, SimConfig};

/// 2024-01-01 00:00:00 UTC.
const START_MS: i64 = 1_704_067_200_000;
const DAY_SECS: i64 = 86_400;

fn column(name: &str, ty: SqlType, key: bool) -> ColumnDef {
    ColumnDef {
        name: name.into(),
        ty,
        nullable: !key,
        is_key: key,
        agg: None,
        default: None,
        auto_increment: false,
        comment: String::new(),
    }
}

fn build(tables: usize, partitions: usize) -> Catalog {
    let mut cat = Catalog::new(0);
    cat.create_database("bench", START_MS);
    let first_day = (START_MS / 1000 / DAY_SECS) as i32;
    for t in 0..tables {
        let id = cat.alloc_id();
        let mut parts = Vec::with_capacity(partitions);
        for d in 0..partitions {
            let day = first_day + d as i32;
            let secs = i64::from(day) * DAY_SECS;
            parts.push(Partition {
                id: cat.alloc_id(),
                name: format!(
                    "p{}",
                    starsnap_simulator::engine::time::format_date(day).replace('-', "")
                ),
                bound: PartitionBound::Range {
                    lower: Some(vec![Value::Date(day)]),
                    upper: Some(vec![Value::Date(day + 1)]),
                },
                visible_version: 1 + (d % 5) as u64,
                visible_version_time: secs * 1000,
                buckets: 3,
                replication_num: 3,
                storage_medium: "HDD".into(),
                rows: Vec::new(),
                data_size: (d as u64) * 1024,
            });
        }
        let table = Table {
            id,
            name: format!("t{t:04}"),
            kind: TableKind::Olap,
            columns: vec![
                column("id", SqlType::BigInt, true),
                column("dt", SqlType::Date, true),
                column("v", SqlType::Double, false),
            ],
            keys: KeysType::Duplicate,
            partitioning: Partitioning::Range {
                columns: vec!["dt".into()],
                auto: None,
            },
            distribution: Distribution::Hash {
                columns: vec!["id".into()],
                buckets: 3,
            },
            order_by: Vec::new(),
            properties: BTreeMap::from([("replication_num".to_string(), "3".to_string())]),
            comment: String::new(),
            state: TableState::Normal,
            schema_version: 0,
            created_ms: START_MS,
            updated_ms: START_MS,
            partitions: parts,
            temp_partitions: Vec::new(),
            view_definition: None,
            mv: None,
        };
        if let Some(db) = cat.db_mut("bench") {
            db.tables.insert(table.name.clone(), table);
        }
    }
    cat
}

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let (tables, partitions) = (arg(1, 1000), arg(2, 365));
    let t0 = Instant::now();
    let catalog = build(tables, partitions);
    let load = t0.elapsed();
    let config = SimConfig {
        clock: Clock::virtual_at(START_MS),
        ..SimConfig::default()
    };
    let tz = TimeZone::utc();
    let ctx = EngineCtx {
        catalog: &catalog,
        config: &config,
        time_zone: &tz,
    };
    let mut session = Session {
        current_db: Some("bench".into()),
        ..Session::default()
    };
    println!(
        "catalog: {tables} tables x {partitions} partitions = {} partitions, built in {:.1} ms",
        catalog.partition_count(),
        load.as_secs_f64() * 1e3
    );

    for round in 1..=3 {
        let t1 = Instant::now();
        let Some(meta) = infoschema::table(&ctx, &session, "partitions_meta") else {
            eprintln!("partitions_meta is not served");
            std::process::exit(1);
        };
        let generated = t1.elapsed();
        let text_bytes: usize = meta
            .rows
            .iter()
            .flat_map(|r| r.iter())
            .map(|v| v.to_text().map_or(0, |s| s.len()))
            .sum();
        let total = t1.elapsed();
        println!(
            "partitions_meta scan #{round}: {} rows x {} columns, generated in {:.1} ms, rendered to text ({:.1} MB) in {:.1} ms total",
            meta.rows.len(),
            meta.columns.len(),
            generated.as_secs_f64() * 1e3,
            text_bytes as f64 / 1e6,
            total.as_secs_f64() * 1e3
        );
    }

    let t5 = Instant::now();
    let pushdown = infoschema::Pushdown {
        db: Some("bench".into()),
        table: Some(format!("t{:04}", tables / 2)),
    };
    let one = infoschema::table_filtered(&ctx, &session, "partitions_meta", &pushdown)
        .map_or(0, |t| t.rows.len());
    println!(
        "partitions_meta with DB_NAME/TABLE_NAME pushed down: {one} rows in {:.2} ms",
        t5.elapsed().as_secs_f64() * 1e3
    );

    let t2 = Instant::now();
    let n = infoschema::table(&ctx, &session, "tables").map_or(0, |t| t.rows.len());
    println!(
        "tables scan: {n} rows in {:.1} ms",
        t2.elapsed().as_secs_f64() * 1e3
    );

    let t3 = Instant::now();
    let probe = format!("SHOW PARTITIONS FROM t{:04}", tables / 2);
    let rows = match show::execute(&ctx, &mut session, &probe) {
        Ok(Response::ResultSet { rows, .. }) => rows.len(),
        Ok(_) => 0,
        Err(e) => {
            eprintln!("SHOW PARTITIONS failed: {}", e.message);
            std::process::exit(1);
        }
    };
    println!(
        "{probe}: {rows} rows in {:.2} ms",
        t3.elapsed().as_secs_f64() * 1e3
    );
    let t4 = Instant::now();
    let backends = show::execute(&ctx, &mut session, "SHOW BACKENDS")
        .map(|_| ())
        .is_ok();
    println!(
        "SHOW BACKENDS (tablet placement over all partitions): ok={backends} in {:.1} ms",
        t4.elapsed().as_secs_f64() * 1e3
    );
}
