//! Benchmark of INSERT at scale (issue 14): an INSERT must cost in proportion to the rows it
//! inserts, not to the size of the table it inserts into. Loads BATCHES INSERTs of ROWS rows
//! each (default 1,000 × 365 = 365,000 rows, the size of starsnap's manifest table after a
//! first full of 1,000 tables × 365 partitions) into
//!
//! - a PRIMARY KEY table shaped like the state store's `backup_partitions` (unpartitioned,
//!   one bucket), and
//! - a DUPLICATE KEY table with 365 daily RANGE partitions,
//!
//! through the engine's SQL path with a data directory (as `starsnap sandbox` runs it), and
//! prints the mean time of an INSERT among the first and the last tenth of the batches: with
//! costs proportional to the rows inserted the two are about equal.
//!
//! Run with `cargo run --release -p starsnap-simulator --bin bench-insert [-- BATCHES ROWS]`.

mod common;

use std::time::{Duration, Instant};

use common::{arg, ms};
use starsnap_simulator::engine::Engine;
use starsnap_simulator::{Clock, Handler, Session, SimConfig};

fn run(engine: &Engine, session: &mut Session, sql: &str) -> Duration {
    let t = Instant::now();
    let out = engine.query(session, sql);
    let took = t.elapsed();
    for o in &out {
        if let Err(e) = o {
            eprintln!("{}: {}", &sql[..sql.len().min(120)], e.message);
            std::process::exit(1);
        }
    }
    took
}

/// Runs `batches` INSERTs built by `batch(i)` and prints the first and last tenth's means.
fn measure(
    engine: &Engine,
    s: &mut Session,
    what: &str,
    batches: usize,
    batch: impl Fn(usize) -> String,
) {
    let tenth = (batches / 10).max(1);
    let mut first = Duration::ZERO;
    let mut last = Duration::ZERO;
    let t = Instant::now();
    for i in 0..batches {
        let took = run(engine, s, &batch(i));
        if i < tenth {
            first += took;
        }
        if i >= batches.saturating_sub(tenth) {
            last += took;
        }
    }
    let total = t.elapsed();
    let (first, last) = (first / tenth as u32, last / tenth as u32);
    println!(
        "{what}: {batches} INSERTs in {:.2} s; mean INSERT: first tenth {}, last tenth {} (ratio {:.2})",
        total.as_secs_f64(),
        ms(first),
        ms(last),
        last.as_secs_f64() / first.as_secs_f64().max(1e-9)
    );
}

fn main() {
    let (batches, rows) = (arg(1, 1000), arg(2, 365));
    let dir = std::env::temp_dir().join(format!("starsnap-bench-insert-{}", std::process::id()));
    let config = SimConfig {
        clock: Clock::virtual_at(1_735_689_600_000),
        data_dir: Some(dir.clone()),
        ..SimConfig::default()
    };
    let engine = Engine::new(&config);
    let mut s = common::root_session();
    run(&engine, &mut s, "CREATE DATABASE starsnap; USE starsnap");
    run(
        &engine,
        &mut s,
        "CREATE TABLE backup_partitions (backup_id VARCHAR(64) NOT NULL, partition_id BIGINT NOT NULL, \
         database_name STRING, table_name STRING, partition_name STRING, visible_version BIGINT, \
         row_count BIGINT, data_size BIGINT) PRIMARY KEY (backup_id, partition_id) \
         DISTRIBUTED BY HASH(backup_id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
    );
    measure(
        &engine,
        &mut s,
        &format!("PRIMARY KEY table, {rows} rows per INSERT"),
        batches,
        |i| {
            let values: Vec<String> = (0..rows)
                .map(|p| {
                    format!(
                        "('set-0001', {}, 'bulk', 't{i:04}', 'p{p:03}', 2, 10, 1000)",
                        i * rows + p
                    )
                })
                .collect();
            format!("INSERT INTO backup_partitions VALUES {}", values.join(", "))
        },
    );
    run(
        &engine,
        &mut s,
        r#"CREATE TABLE facts (dt DATE NOT NULL, id BIGINT, v BIGINT) DUPLICATE KEY(dt, id)
           PARTITION BY RANGE(dt) (START ("2024-01-01") END ("2025-01-01") EVERY (INTERVAL 1 DAY))
           DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")"#,
    );
    measure(
        &engine,
        &mut s,
        &format!("DUPLICATE KEY table of 366 partitions, {rows} rows per INSERT"),
        batches,
        |i| {
            let values: Vec<String> = (0..rows)
                .map(|d| {
                    format!(
                        "('{}', {}, {d})",
                        starsnap_simulator::engine::time::format_date(19_723 + (d % 366) as i32),
                        i * rows + d
                    )
                })
                .collect();
            format!("INSERT INTO facts VALUES {}", values.join(", "))
        },
    );
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}
