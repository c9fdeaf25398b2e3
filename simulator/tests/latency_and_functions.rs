//! Over TCP: the simulator-only `ADMIN SET SIMULATOR LATENCY` (every answer on every connection
//! waits, 0 turns it off), and `SHOW [FULL] FUNCTIONS` with StarRocks 3.4's columns for the
//! functions `CREATE FUNCTION` made, before and after a BACKUP / RESTORE round trip.
//! Facts from StarRocks 3.4: fe/fe-core/src/main/java/com/starrocks/qe/ShowExecutor.java
//! (`visitShowFunctionsStatement`), sql/ast/ShowFunctionsStmt.java (columns),
//! catalog/Function.java (`getInfo`, `getSignature`), catalog/ScalarFunction.java
//! (`getProperties`), sql/analyzer/ShowStmtAnalyzer.java (no database, WHERE).
#![allow(clippy::unwrap_used)]

mod snapshot_support;
mod tcp_support;

use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use mysql::{Conn, Row};
use snapshot_support::{TempDir, NOW_MS, STEP_MS};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::snapshot::Pacing;
use starsnap_simulator::{Clock, SimConfig};
use tcp_support::{connect, error};

/// A simulator on the virtual clock whose `s3://bucket` repositories live in `store`.
fn start(store: &TempDir) -> Simulator {
    let mut cfg = SimConfig {
        clock: Clock::virtual_at(NOW_MS),
        snapshot_pacing: Pacing::uniform(STEP_MS),
        ..SimConfig::default()
    };
    cfg.storage
        .insert("s3://bucket".into(), store.path().to_path_buf());
    Simulator::start(cfg).expect("simulator starts")
}

fn run(c: &mut Conn, sql: &str) {
    tcp_support::run(c, &[sql]);
}

/// Every row as text cells, with the column names.
fn table(c: &mut Conn, sql: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let rows: Vec<Row> = c.query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let columns = rows
        .first()
        .map(|r| {
            r.columns_ref()
                .iter()
                .map(|c| c.name_str().to_string())
                .collect()
        })
        .unwrap_or_default();
    let cells = rows
        .into_iter()
        .map(|r| {
            (0..r.len())
                .map(|i| r.get::<Option<String>, _>(i).flatten().unwrap_or_default())
                .collect()
        })
        .collect();
    (columns, cells)
}

#[test]
fn latency_delays_every_answer_on_every_connection_until_set_to_zero() {
    let store = TempDir::new("lat");
    let sim = start(&store);
    let engine = sim.engine();
    let mut a = connect(&sim);
    let mut b = connect(&sim);
    run(&mut a, "ADMIN SET SIMULATOR LATENCY = 120");
    assert_eq!(engine.latency(), Duration::from_millis(120));
    // A lower bound only: the answer cannot arrive before the latency has passed.
    for conn in [&mut a, &mut b] {
        let t = Instant::now();
        run(conn, "SELECT 1");
        assert!(
            t.elapsed() >= Duration::from_millis(120),
            "{:?}",
            t.elapsed()
        );
    }
    // COM_PING is a round trip too.
    let t = Instant::now();
    assert!(b.ping().is_ok());
    assert!(t.elapsed() >= Duration::from_millis(120));
    // One multi-statement text is one round trip.
    run(&mut b, "ADMIN SET SIMULATOR LATENCY 0");
    assert_eq!(engine.latency(), Duration::ZERO);
    // Out of range or not a number: refused, the setting unchanged.
    for bad in [
        "ADMIN SET SIMULATOR LATENCY = -1",
        "ADMIN SET SIMULATOR LATENCY = 60001",
    ] {
        let (code, msg) = error(&mut a, bad);
        assert_eq!(code, 1064, "{bad}");
        assert!(msg.contains("between 0 and 60000 ms"), "{bad}: {msg}");
    }
    let (_, msg) = error(&mut a, "ADMIN SET SIMULATOR LATENCY = 'x'");
    assert!(msg.contains("Unexpected input"), "{msg}");
    assert_eq!(engine.latency(), Duration::ZERO);
    // The library form.
    engine.set_latency(Duration::from_millis(30));
    let t = Instant::now();
    run(&mut a, "SELECT 1");
    assert!(t.elapsed() >= Duration::from_millis(30));
    engine.set_latency(Duration::ZERO);
}

const UDF: &str = r#"CREATE FUNCTION Mask_Email(VARCHAR(64), INT) RETURNS VARCHAR(64) PROPERTIES ("symbol" = "com.example.udf.MaskEmail", "type" = "StarrocksJar", "file" = "http://repo.example.com/udf/mask.jar?v=1")"#;

#[test]
fn show_functions_lists_created_functions_with_starrocks_columns() {
    let store = TempDir::new("fn");
    let sim = start(&store);
    let engine = sim.engine();
    let mut c = connect(&sim);
    // No database: the analyzer's error.
    assert_eq!(
        error(&mut c, "SHOW FUNCTIONS"),
        (
            1046,
            "Getting analyzing error. Detail message: No database selected.".into()
        )
    );
    run(&mut c, "CREATE DATABASE d");
    run(&mut c, "USE d");
    // None yet: the one-column header, no rows.
    let rows: Vec<Row> = c.query("SHOW FUNCTIONS").unwrap();
    assert!(rows.is_empty());
    run(&mut c, UDF);
    run(
        &mut c,
        r#"CREATE FUNCTION mask_email(VARCHAR(64)) RETURNS VARCHAR(64) PROPERTIES ("symbol" = "com.example.udf.MaskEmail1", "type" = "StarrocksJar", "file" = "http://repo.example.com/udf/mask.jar", "md5" = "0123456789abcdef0123456789abcdef")"#,
    );
    run(
        &mut c,
        r#"CREATE AGGREGATE FUNCTION sum_all(INT, ...) RETURNS BIGINT INTERMEDIATE BIGINT PROPERTIES ("symbol" = "com.example.udf.SumAll", "type" = "StarrocksJar", "file" = "http://repo.example.com/udf/sum.jar")"#,
    );
    run(
        &mut c,
        r#"CREATE GLOBAL FUNCTION g_one() RETURNS INT PROPERTIES ("symbol" = "com.example.udf.One", "type" = "StarrocksJar", "file" = "http://repo.example.com/udf/one.jar")"#,
    );

    // Without FULL: one column, each name once, sorted.
    let (cols, rows) = table(&mut c, "SHOW FUNCTIONS");
    assert_eq!(cols, ["Function Name"]);
    assert_eq!(rows, [["mask_email"], ["sum_all"]]);
    let (_, rows) = table(&mut c, "SHOW FUNCTIONS FROM d LIKE 'SUM%'");
    assert_eq!(rows, [["sum_all"]]);
    let (_, rows) = table(&mut c, "SHOW GLOBAL FUNCTIONS");
    assert_eq!(rows, [["g_one"]]);

    // FULL: StarRocks's five columns.
    let (cols, rows) = table(&mut c, "SHOW FULL FUNCTIONS IN d");
    assert_eq!(
        cols,
        [
            "Signature",
            "Return Type",
            "Function Type",
            "Intermediate Type",
            "Properties"
        ]
    );
    let sigs: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        sigs,
        [
            "mask_email(VARCHAR)",
            "mask_email(VARCHAR,INT)",
            "sum_all(INT, ...)"
        ]
    );
    assert_eq!(rows[0][1..4], ["VARCHAR", "Scalar", "NULL"]);
    assert_eq!(rows[2][1..4], ["BIGINT", "Aggregate", "BIGINT"]);
    // Properties: Gson over a Java HashMap — its order, `=` escaped.
    let db = engine.catalog().db("d").cloned().unwrap();
    let id_of = |args: usize| {
        db.functions
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case("mask_email") && f.args.len() == args)
            .unwrap()
            .id
    };
    assert_eq!(
        rows[1][4],
        format!(
            r#"{{"fid":"{}","symbol":"com.example.udf.MaskEmail","file":"http://repo.example.com/udf/mask.jar?v\u003d1","type":"SRJAR","md5":"{}"}}"#,
            id_of(2),
            md5_hex(b"http://repo.example.com/udf/mask.jar?v=1")
        )
    );
    assert!(rows[0][4].contains(r#""md5":"0123456789abcdef0123456789abcdef""#));
    assert!(rows[0][4].contains(&format!(r#""fid":"{}""#, id_of(1))));

    // WHERE and an unknown database.
    assert_eq!(
        error(&mut c, "SHOW FUNCTIONS WHERE name = 'x'"),
        (
            5081,
            "Getting analyzing error. Detail message: Only support like 'function_pattern' syntax..".into()
        )
    );
    assert_eq!(
        error(&mut c, "SHOW FULL FUNCTIONS FROM nope").1,
        "Getting analyzing error. Detail message: Unknown database 'nope'."
    );
    // StarRocks 3.4 has no SHOW CREATE FUNCTION.
    assert_eq!(
        error(&mut c, "SHOW CREATE FUNCTION mask_email(VARCHAR)").0,
        1064
    );
}

#[test]
fn backup_of_a_database_carries_its_functions_and_restore_brings_them_back() {
    let store = TempDir::new("fnbk");
    let sim = start(&store);
    let cfg = sim.config().clone();
    let mut c = connect(&sim);
    for sql in [
        "CREATE DATABASE d",
        "USE d",
        "CREATE TABLE t (id BIGINT NOT NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
        "INSERT INTO t VALUES (1)",
        UDF,
        "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'",
        "BACKUP DATABASE d SNAPSHOT snap TO repo",
    ] {
        run(&mut c, sql);
    }
    let before = table(&mut c, "SHOW FULL FUNCTIONS FROM d").1;
    wait(&mut c, &cfg, "BACKUP", "d");
    // Lost from the cluster, then restored from the snapshot.
    run(&mut c, "DROP FUNCTION mask_email(VARCHAR(64), INT)");
    assert!(table(&mut c, "SHOW FUNCTIONS FROM d").1.is_empty());
    let ts: Vec<Row> = c.query("SHOW SNAPSHOT ON repo").unwrap();
    let ts: String = ts[0].get("Timestamp").unwrap();
    run(
        &mut c,
        &format!(
            "RESTORE SNAPSHOT d.snap FROM repo ON (FUNCTION mask_email) PROPERTIES ('backup_timestamp' = '{ts}', 'replication_num' = '1')"
        ),
    );
    wait(&mut c, &cfg, "RESTORE", "d");
    let after = table(&mut c, "SHOW FULL FUNCTIONS FROM d").1;
    assert_eq!(after.len(), 1);
    // Same signature, types and definition.
    assert_eq!(after[0][..4], before[0][..4]);
    assert_eq!(
        strip_fid(&after[0][4]),
        strip_fid(&before[0][4]),
        "the definition survives the round trip"
    );
    // A whole-database restore into a new database brings the function too.
    run(
        &mut c,
        &format!(
            "RESTORE SNAPSHOT snap FROM repo DATABASE d AS d2 PROPERTIES ('backup_timestamp' = '{ts}', 'replication_num' = '1')"
        ),
    );
    wait(&mut c, &cfg, "RESTORE", "d2");
    assert_eq!(table(&mut c, "SHOW FUNCTIONS FROM d2").1, [["mask_email"]]);
}

fn strip_fid(props: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(props).unwrap();
    let mut m = v.as_object().cloned().unwrap();
    m.remove("fid");
    serde_json::Value::Object(m).to_string()
}

fn wait(c: &mut Conn, cfg: &SimConfig, kind: &str, db: &str) {
    for _ in 0..30 {
        let rows: Vec<Row> = c.query(format!("SHOW {kind} FROM {db}")).unwrap();
        let state: String = rows[0].get("State").unwrap();
        if state == "FINISHED" {
            return;
        }
        assert_ne!(state, "CANCELLED", "{kind} of {db}");
        cfg.clock.advance(STEP_MS);
    }
    panic!("the {kind} of {db} did not finish");
}

fn md5_hex(data: &[u8]) -> String {
    starsnap_simulator::snapshot::md5::hex_digest(data)
}

/// Copies a folder tree (the fixture stays untouched by the test).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A snapshot written by the simulator's first repository format (job info with `kind`,
/// `path`, `functions`; one `__<schemahash>/data.jsonl` per tablet) is still listed and
/// restored: tables with their rows, the view and the function.
/// Fixture: testdata/simulator/legacy-repository (database `legacy`, label `snap1`).
#[test]
fn a_snapshot_in_the_first_format_is_still_restored() {
    let store = TempDir::new("legacy");
    copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata/simulator/legacy-repository"),
        store.path(),
    );
    let sim = start(&store);
    let cfg = sim.config().clone();
    let mut c = connect(&sim);
    run(
        &mut c,
        "CREATE READ ONLY REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'",
    );
    let (_, snaps) = table(&mut c, "SHOW SNAPSHOT ON repo");
    assert_eq!(snaps, [["snap1", "2024-03-01-00-00-00-000", "OK"]]);
    let (_, detail) = table(
        &mut c,
        "SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'snap1' AND TIMESTAMP = '2024-03-01-00-00-00-000'",
    );
    assert_eq!(detail[0][2], "legacy");
    run(
        &mut c,
        "RESTORE SNAPSHOT legacy.snap1 FROM repo ON (ALL TABLES, ALL VIEWS, ALL FUNCTIONS) PROPERTIES ('backup_timestamp' = '2024-03-01-00-00-00-000', 'replication_num' = '1')",
    );
    wait(&mut c, &cfg, "RESTORE", "legacy");
    run(&mut c, "USE legacy");
    assert_eq!(
        table(&mut c, "SELECT id, amount FROM orders ORDER BY id").1,
        [["1", "10"], ["2", "20"], ["3", "30"]]
    );
    assert_eq!(
        table(&mut c, "SELECT name FROM regions ORDER BY id").1,
        [["north"], ["south"]]
    );
    assert_eq!(table(&mut c, "SELECT COUNT(*) FROM v_orders").1, [["3"]]);
    assert_eq!(table(&mut c, "SHOW FUNCTIONS").1, [["twice"]]);
}

/// A snapshot the simulator writes now is in StarRocks's layout and restored from it the same
/// way, selecting by kind (`ALL VIEWS` reads the kinds from `__meta`, as the job info of
/// StarRocks has none).
#[test]
fn a_snapshot_in_starrocks_format_restores_by_kind() {
    let store = TempDir::new("srfmt");
    let sim = start(&store);
    let cfg = sim.config().clone();
    let mut c = connect(&sim);
    for sql in [
        "CREATE DATABASE d",
        "USE d",
        "CREATE TABLE t (id BIGINT NOT NULL, v BIGINT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
        "INSERT INTO t VALUES (1, 10), (2, 20)",
        "CREATE VIEW v AS SELECT id FROM t",
        UDF,
        "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'",
        "BACKUP DATABASE d SNAPSHOT s1 TO repo",
    ] {
        run(&mut c, sql);
    }
    wait(&mut c, &cfg, "BACKUP", "d");
    let ts: Vec<Row> = c.query("SHOW SNAPSHOT ON repo").unwrap();
    let ts: String = ts[0].get("Timestamp").unwrap();
    run(&mut c, "DROP VIEW v");
    run(&mut c, "DROP TABLE t");
    run(&mut c, "DROP FUNCTION mask_email(VARCHAR(64), INT)");
    run(
        &mut c,
        &format!("RESTORE SNAPSHOT d.s1 FROM repo ON (ALL VIEWS) PROPERTIES ('backup_timestamp' = '{ts}', 'replication_num' = '1')"),
    );
    wait(&mut c, &cfg, "RESTORE", "d");
    let (_, tables) = table(&mut c, "SHOW TABLES");
    assert_eq!(tables, [["v"]], "only the view");
    run(
        &mut c,
        &format!("RESTORE SNAPSHOT d.s1 FROM repo ON (ALL TABLES, ALL FUNCTIONS) PROPERTIES ('backup_timestamp' = '{ts}', 'replication_num' = '1')"),
    );
    wait(&mut c, &cfg, "RESTORE", "d");
    assert_eq!(
        table(&mut c, "SELECT id, v FROM t ORDER BY id").1,
        [["1", "10"], ["2", "20"]]
    );
    assert_eq!(table(&mut c, "SHOW FUNCTIONS").1, [["mask_email"]]);
}
