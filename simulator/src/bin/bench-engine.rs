//! Benchmark of the frontend engine at scale: the bulk loader (1,000 tables × 365 daily
//! partitions by default), the SQL path (CREATE TABLE … START/END/EVERY and INSERT),
//! a full `information_schema.partitions_meta` scan through SELECT, and saving/reloading the
//! catalog to a data directory.
//!
//! Run with `cargo run --release -p starsnap-simulator --bin bench-engine [-- TABLES PARTITIONS]`.

use std::time::{Duration, Instant};

use starsnap_simulator::engine::{BulkTables, Engine};
use starsnap_simulator::{Clock, Handler, Response, Session, SimConfig};

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn run(engine: &Engine, session: &mut Session, sql: &str) -> (usize, Duration) {
    let t = Instant::now();
    let out = engine.query(session, sql);
    let took = t.elapsed();
    for o in &out {
        if let Err(e) = o {
            eprintln!("{sql}: {}", e.message);
            std::process::exit(1);
        }
    }
    let rows = match out.last() {
        Some(Ok(Response::ResultSet { rows, .. })) => rows.len(),
        _ => 0,
    };
    (rows, took)
}

fn main() {
    let (tables, partitions) = (arg(1, 1000), arg(2, 365));
    let dir = std::env::temp_dir().join(format!("starsnap-bench-engine-{}", std::process::id()));
    let config = SimConfig {
        clock: Clock::virtual_at(1_735_689_600_000),
        data_dir: Some(dir.clone()),
        ..SimConfig::default()
    };
    let engine = Engine::new(&config);
    let mut s = Session {
        connection_id: 1,
        user: "root".into(),
        ..Session::default()
    };

    let t = Instant::now();
    let spec = BulkTables {
        database: "bulk".into(),
        tables,
        partitions_per_table: partitions,
        ..BulkTables::default()
    };
    if let Err(e) = engine.bulk_create_tables(&spec) {
        eprintln!("bulk load failed: {}", e.message);
        std::process::exit(1);
    }
    println!(
        "bulk loader: {tables} tables x {partitions} partitions = {} partitions in {}",
        engine.catalog().partition_count(),
        ms(t.elapsed())
    );

    run(&engine, &mut s, "CREATE DATABASE sqlpath; USE sqlpath");
    let sql_tables = (tables / 10).max(1);
    let t = Instant::now();
    for i in 0..sql_tables {
        run(
            &engine,
            &mut s,
            &format!(
                r#"CREATE TABLE t{i} (dt DATE NOT NULL, id BIGINT, v BIGINT) DUPLICATE KEY(dt, id)
                   PARTITION BY RANGE(dt) (START ("2024-01-01") END ("2025-01-01") EVERY (INTERVAL 1 DAY))
                   DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")"#
            ),
        );
    }
    println!(
        "SQL CREATE TABLE with 366 daily partitions: {sql_tables} tables in {} ({} per table)",
        ms(t.elapsed()),
        ms(t.elapsed() / sql_tables as u32)
    );
    let rows: Vec<String> = (0..366)
        .map(|d| {
            format!(
                "('{}', {d}, {d})",
                starsnap_simulator::engine::time::format_date(19_723 + d)
            )
        })
        .collect();
    let insert = format!("INSERT INTO t0 VALUES {}", rows.join(", "));
    let (_, took) = run(&engine, &mut s, &insert);
    println!("INSERT of 366 rows into 366 partitions: {}", ms(took));

    for round in 1..=2 {
        let (n, took) = run(
            &engine,
            &mut s,
            "SELECT DB_NAME, TABLE_NAME, PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION FROM information_schema.partitions_meta",
        );
        println!(
            "full partitions_meta scan #{round}: {n} rows in {}",
            ms(took)
        );
    }
    let (n, took) = run(
        &engine,
        &mut s,
        "SELECT COUNT(*) FROM information_schema.partitions_meta WHERE DB_NAME = 'bulk' AND TABLE_NAME = 't0500'",
    );
    println!(
        "one table's partitions_meta (pushed down): {n} row in {}",
        ms(took)
    );

    let t = Instant::now();
    if let Err(e) = engine.flush() {
        eprintln!("flush failed: {e}");
    }
    let size = std::fs::metadata(dir.join("catalog.json"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "save catalog: {:.1} MB in {}",
        size as f64 / 1e6,
        ms(t.elapsed())
    );
    drop(engine);
    let t = Instant::now();
    let again = Engine::new(&config);
    println!(
        "reload catalog: {} partitions in {}",
        again.catalog().partition_count(),
        ms(t.elapsed())
    );
    drop(again);
    let _ = std::fs::remove_dir_all(&dir);
}
