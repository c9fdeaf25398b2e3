//! Benchmark of what `starsnap plan` asks the server at scale (issue 14): 1,000 tables × 365
//! daily partitions, and a state store whose manifest table (`backup_partitions`) holds one
//! row per partition backed up (365,000 rows in 20 backups of 50 tables, as a first full
//! of that cluster leaves it). Times, through the engine's SQL path:
//!
//! - the partition summary (`inspect::PARTITION_SUMMARY_QUERY` of the runtime, grouped per
//!   table): one aggregate row per table over every partition of `partitions_meta`;
//! - the manifests an incremental plan loads (`StateStore::load_manifests`: 20 tables of
//!   20 backups, the table condition first as there), and one backup's manifest read and
//!   deleted as apply does;
//! - the scoped listing of 20 tables' partitions (`inspect::read_partitions`).
//!
//! Run with `cargo run --release -p starsnap-simulator --bin bench-plan-reads
//! [-- TABLES PARTITIONS]`.

mod common;

use std::time::Instant;

use common::{arg, ms};
use starsnap_simulator::engine::{BulkTables, Engine};
use starsnap_simulator::{Clock, Handler, Response, SimConfig};

/// `PARTITION_SUMMARY_QUERY` (runtime/src/inspect.rs) with the GROUP BY `sum_partitions` adds.
const SUMMARY: &str = "SELECT DB_NAME, TABLE_NAME, IS_TEMP, \
     COUNT(*) AS PARTITIONS, SUM(PARTITION_ID) AS ID_SUM, SUM(VISIBLE_VERSION) AS VERSION_SUM, \
     SUM(CRC32(CONCAT(PARTITION_NAME, '/', CAST(PARTITION_ID AS VARCHAR)))) AS NAME_SUM, \
     MAX(PARTITION_VALUE) AS PARTITION_VALUE \
     FROM information_schema.partitions_meta GROUP BY DB_NAME, TABLE_NAME, IS_TEMP";

/// Backups in the manifest table, and how many tables each holds.
const BACKUPS: usize = 20;

/// Runs one statement; returns its rows (0 for an OK) and the time it took, or exits.
fn run(engine: &Engine, sql: &str) -> (usize, std::time::Duration) {
    let mut s = common::root_session();
    let t = Instant::now();
    let out = engine.query(&mut s, sql);
    let took = t.elapsed();
    let mut rows = 0;
    for o in out {
        match o {
            Ok(Response::ResultSet { rows: r, .. }) => rows = r.len(),
            Ok(_) => {}
            Err(e) => {
                eprintln!("{}: {}", &sql[..sql.len().min(120)], e.message);
                std::process::exit(1);
            }
        }
    }
    (rows, took)
}

/// The best of three runs of `sql` (a read), printed.
fn best_of_three(engine: &Engine, what: &str, sql: &str) {
    let runs: Vec<(usize, std::time::Duration)> = (0..3).map(|_| run(engine, sql)).collect();
    let rows = runs[0].0;
    let best = runs.iter().map(|r| r.1).min().unwrap_or_default();
    println!("{what}: {rows} rows, best of 3 {}", ms(best));
}

/// A backup id shaped like starsnap's (32 hex digits of a digest: they differ early).
fn backup_id(b: usize) -> String {
    let h = (b as u128 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
    format!("{h:032x}")
}

fn main() {
    let (tables, partitions) = (arg(1, 1000), arg(2, 365));
    let config = SimConfig {
        clock: Clock::virtual_at(1_735_689_600_000),
        ..SimConfig::default()
    };
    let engine = Engine::new(&config);
    let spec = BulkTables {
        database: "bulk".into(),
        tables,
        partitions_per_table: partitions,
        ..BulkTables::default()
    };
    if let Err(e) = engine.bulk_create_tables(&spec) {
        eprintln!("load failed: {}", e.message);
        std::process::exit(1);
    }
    let table = |i: usize| format!("{}{i:04}", spec.prefix);
    run(&engine, "CREATE DATABASE starsnap");
    run(
        &engine,
        "CREATE TABLE starsnap.backup_partitions (backup_id VARCHAR(64) NOT NULL, \
         partition_id BIGINT NOT NULL, database_name VARCHAR(65533) NOT NULL, \
         table_name VARCHAR(65533) NOT NULL, partition_name VARCHAR(65533) NOT NULL, \
         visible_version BIGINT NOT NULL, row_count BIGINT NULL, data_size BIGINT NULL) \
         PRIMARY KEY (backup_id, partition_id) DISTRIBUTED BY HASH(backup_id) BUCKETS 1 \
         PROPERTIES ('replication_num' = '1')",
    );
    let per_backup = tables.div_ceil(BACKUPS);
    for t in 0..tables {
        let values: Vec<String> = (0..partitions)
            .map(|p| {
                format!(
                    "('{}', {}, 'bulk', '{}', 'p{p:03}', 2, 10, 1000)",
                    backup_id(t / per_backup),
                    t * partitions + p,
                    table(t)
                )
            })
            .collect();
        run(
            &engine,
            &format!(
                "INSERT INTO starsnap.backup_partitions VALUES {}",
                values.join(", ")
            ),
        );
    }
    println!(
        "{tables} tables x {partitions} partitions, {} manifest rows in {BACKUPS} backups",
        tables * partitions
    );

    best_of_three(&engine, "partition summary, every table", SUMMARY);
    let q = |v: Vec<String>| {
        v.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ids = q((0..BACKUPS).map(backup_id).collect());
    let some: Vec<String> = (0..20).map(|i| table(i * tables / 20)).collect();
    best_of_three(
        &engine,
        "manifests of 20 backups, 20 tables",
        &format!(
            "SELECT backup_id, partition_id, database_name, table_name, partition_name, \
             visible_version, row_count, data_size FROM starsnap.backup_partitions \
             WHERE table_name IN ({}) AND backup_id IN ({ids})",
            q(some.clone())
        ),
    );
    best_of_three(
        &engine,
        "one backup's manifest",
        &format!(
            "SELECT backup_id, partition_id, database_name, table_name, partition_name, \
             visible_version, row_count, data_size FROM starsnap.backup_partitions \
             WHERE backup_id = \"{}\"",
            backup_id(BACKUPS / 2)
        ),
    );
    best_of_three(
        &engine,
        "partitions of 20 tables (scoped inspect)",
        &format!(
            "SELECT DB_NAME, TABLE_NAME, PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION, \
             VISIBLE_VERSION_TIME, ROW_COUNT, DATA_SIZE, IS_TEMP, PARTITION_VALUE \
             FROM information_schema.partitions_meta WHERE (DB_NAME = \"bulk\" AND TABLE_NAME IN ({}))",
            q(some)
        ),
    );
    let (_, took) = run(
        &engine,
        &format!(
            "DELETE FROM starsnap.backup_partitions WHERE backup_id = \"{}\"",
            backup_id(BACKUPS / 2)
        ),
    );
    println!("one backup's manifest deleted: {}", ms(took));
}
