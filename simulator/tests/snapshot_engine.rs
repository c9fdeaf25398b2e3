//! The snapshot engine behind the real frontend: statements routed by `Engine`'s
//! `Handler::query` (fast, in-process), jobs advancing before every statement so loads after
//! SNAPSHOTING stay out of the snapshot, mixed multi-statement texts, persistence across a
//! restart, and a few round trips over TCP with the `mysql` crate (`prefer_socket(false)`),
//! including the connection-drop faults.
#![allow(clippy::unwrap_used)]

mod snapshot_support;

use std::sync::Arc;

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder};
use snapshot_support::{TempDir, NOW_MS, STEP_MS};
use starsnap_simulator::engine::Engine;
use starsnap_simulator::snapshot::Pacing;
use starsnap_simulator::{Clock, Handler, Response, Server, Session, SimConfig};

const SETUP: &str = "CREATE DATABASE sales;
USE sales;
CREATE TABLE orders (id BIGINT NOT NULL, dt DATE NOT NULL, v BIGINT)
DUPLICATE KEY(id, dt)
PARTITION BY RANGE(dt) (
  PARTITION p1 VALUES [('2024-01-01'), ('2024-01-02')),
  PARTITION p2 VALUES [('2024-01-02'), ('2024-01-03'))
)
DISTRIBUTED BY HASH(id) BUCKETS 1
PROPERTIES ('replication_num' = '1');
INSERT INTO orders VALUES (1, '2024-01-01', 10), (2, '2024-01-02', 20);
CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups';";

fn config(store: &TempDir, data: Option<&TempDir>) -> SimConfig {
    let mut c = SimConfig {
        clock: Clock::virtual_at(NOW_MS),
        snapshot_pacing: Pacing::uniform(STEP_MS),
        data_dir: data.map(|d| d.path().to_path_buf()),
        ..SimConfig::default()
    };
    c.storage
        .insert("s3://bucket".into(), store.path().to_path_buf());
    c
}

fn run(e: &Engine, s: &mut Session, sql: &str) -> Vec<Vec<Option<String>>> {
    let mut last = Vec::new();
    for out in e.query(s, sql) {
        match out {
            Ok(Response::ResultSet { rows, .. }) => last = rows,
            Ok(_) => {}
            Err(err) => panic!("{sql}: {err:?}"),
        }
    }
    last
}

fn state(e: &Engine, s: &mut Session) -> String {
    run(e, s, "SHOW BACKUP FROM sales")[0][3].clone().unwrap()
}

#[test]
fn routed_through_the_engine_with_loads_after_snapshoting_left_out() {
    let store = TempDir::new("eng");
    let cfg = config(&store, None);
    let e = Engine::new(&cfg);
    let mut s = Session::default();
    run(&e, &mut s, SETUP);
    assert_eq!(
        run(&e, &mut s, "SHOW REPOSITORIES").len(),
        1,
        "the SHOW renderer reads the list"
    );
    // A mixed text: snapshot statement and engine statements, in order.
    run(
        &e,
        &mut s,
        "USE sales; BACKUP SNAPSHOT sales.l1 TO repo; SELECT 1",
    );
    assert_eq!(state(&e, &mut s), "PENDING");
    cfg.clock.advance(STEP_MS);
    // This load runs after the job entered SNAPSHOTING (jobs advance before it runs).
    run(
        &e,
        &mut s,
        "INSERT INTO orders VALUES (3, '2024-01-01', 30)",
    );
    assert_eq!(state(&e, &mut s), "SNAPSHOTING");
    cfg.clock.advance(10 * STEP_MS);
    assert_eq!(state(&e, &mut s), "FINISHED");
    let files = snapshot_support::files_under(store.path());
    let data: Vec<_> = files.iter().filter(|f| f.contains("_0.dat.")).collect();
    assert_eq!(data.len(), 2);
    let p1 = std::fs::read_to_string(store.path().join(data[0])).unwrap();
    assert_eq!(
        p1.lines().count(),
        2,
        "header + the one row loaded before SNAPSHOTING: {p1}"
    );
    let e2 = run(&e, &mut s, "SHOW SNAPSHOT ON repo");
    assert_eq!(e2[0][0].as_deref(), Some("l1"));
    // Errors come back as the statement's outcome and stop the text.
    let outs = e.query(&mut s, "BACKUP SNAPSHOT sales.l1 TO repo; SELECT 1");
    assert_eq!(outs.len(), 1);
    assert_eq!(
        outs[0].clone().unwrap_err().message,
        "Snapshot with name 'l1' already exist in repository"
    );
}

#[test]
fn repositories_and_jobs_survive_a_restart() {
    let store = TempDir::new("eng");
    let data = TempDir::new("engdata");
    let cfg = config(&store, Some(&data));
    {
        let e = Engine::new(&cfg);
        let mut s = Session::default();
        run(&e, &mut s, SETUP);
        run(&e, &mut s, "BACKUP SNAPSHOT sales.l1 TO repo");
        cfg.clock.advance(2 * STEP_MS);
        assert_eq!(state(&e, &mut s), "UPLOAD_SNAPSHOT");
        e.flush().unwrap();
    }
    let e = Engine::new(&cfg);
    let mut s = Session::default();
    assert_eq!(run(&e, &mut s, "SHOW REPOSITORIES").len(), 1);
    assert_eq!(state(&e, &mut s), "UPLOAD_SNAPSHOT");
    cfg.clock.advance(10 * STEP_MS);
    assert_eq!(state(&e, &mut s), "FINISHED");
}

fn connect(port: u16) -> Conn {
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(port)
        .user(Some("root"))
        .pass(Some(""))
        .prefer_socket(false);
    Conn::new(opts).expect("connects")
}

#[test]
fn over_tcp_polling_and_connection_drops() {
    let store = TempDir::new("tcp");
    let cfg = config(&store, None);
    let engine = Arc::new(Engine::new(&cfg));
    let mut server = Server::start(&cfg, engine.clone()).expect("server starts");
    let mut conn = connect(server.port());
    for stmt in SETUP.split(';').filter(|t| !t.trim().is_empty()) {
        conn.query_drop(stmt).unwrap();
    }
    conn.query_drop("BACKUP DATABASE sales SNAPSHOT l1 TO repo")
        .unwrap();
    let mut states = Vec::new();
    loop {
        let rows: Vec<mysql::Row> = conn.query("SHOW BACKUP FROM sales").unwrap();
        let st: String = rows[0].get("State").unwrap();
        let job_id: String = rows[0].get("JobId").unwrap();
        states.push(st.clone());
        if st == "PENDING" {
            assert_eq!(job_id, "-1");
        }
        if st == "FINISHED" {
            break;
        }
        cfg.clock.advance(STEP_MS);
    }
    assert_eq!(
        states,
        [
            "PENDING",
            "SNAPSHOTING",
            "UPLOAD_SNAPSHOT",
            "UPLOADING",
            "SAVE_META",
            "UPLOAD_INFO",
            "FINISHED"
        ]
    );
    let err = conn
        .query_drop("BACKUP SNAPSHOT sales.l1 TO repo")
        .unwrap_err();
    match err {
        mysql::Error::MySqlError(e) => {
            assert_eq!(e.code, 5064);
            assert_eq!(
                e.message,
                "Snapshot with name 'l1' already exist in repository"
            );
        }
        other => panic!("{other:?}"),
    }
    // The answer is lost but the job exists: a client must find it again.
    conn.query_drop("ADMIN SET SIMULATOR FAULT 'drop_connection' DURING 'BACKUP'")
        .unwrap();
    assert!(conn.query_drop("BACKUP SNAPSHOT sales.l2 TO repo").is_err());
    let mut conn = connect(server.port());
    let rows: Vec<mysql::Row> = conn.query("SHOW BACKUP FROM sales").unwrap();
    let label: String = rows[0].get("SnapshotName").unwrap();
    assert_eq!(label, "l2");
    // AFTER: the answer arrives, then the connection is gone.
    engine.snapshots().drop_connection_after("SHOW BACKUP", 1);
    let rows: Vec<mysql::Row> = conn.query("SHOW BACKUP").unwrap();
    assert_eq!(rows.len(), 1);
    assert!(conn.query_drop("SHOW BACKUP").is_err());
    server.stop();
}

#[test]
fn tables_being_restored_refuse_queries_and_loads() {
    let store = TempDir::new("eng");
    let cfg = config(&store, None);
    let e = Engine::new(&cfg);
    let mut s = Session::default();
    run(&e, &mut s, SETUP);
    run(&e, &mut s, "BACKUP SNAPSHOT sales.l1 TO repo");
    cfg.clock.advance(10 * STEP_MS);
    run(
        &e,
        &mut s,
        "INSERT INTO orders VALUES (9, '2024-01-01', 90); \
         RESTORE SNAPSHOT sales.l1 FROM repo ON (orders) \
         PROPERTIES ('backup_timestamp' = '2024-03-01-00-00-00-000', 'replication_num' = '1')",
    );
    cfg.clock.advance(STEP_MS);
    let err = e
        .query(&mut s, "SELECT * FROM orders")
        .remove(0)
        .unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (
            5014,
            "Getting analyzing error. Detail message: Table state is not NORMAL: 'RESTORING'."
        )
    );
    let err = e
        .query(&mut s, "INSERT INTO orders VALUES (10, '2024-01-01', 1)")
        .remove(0)
        .unwrap_err();
    assert_eq!(err.message, "Cannot write RESTORE state table \"orders\"");
    cfg.clock.advance(10 * STEP_MS);
    let rows = run(&e, &mut s, "SELECT id FROM orders ORDER BY id");
    assert_eq!(
        rows,
        [[Some("1".to_string())], [Some("2".to_string())]],
        "the row loaded after the backup is gone"
    );
    let parts = run(&e, &mut s, "SHOW PARTITIONS FROM orders");
    assert_eq!(parts.len(), 2);
    assert_eq!(
        parts[0][2].as_deref(),
        Some("2"),
        "VisibleVersion of the snapshot (one load)"
    );
}

#[test]
fn on_the_real_clock_a_ticker_finishes_jobs_without_statements() {
    let store = TempDir::new("eng");
    let mut cfg = config(&store, None);
    cfg.clock = Clock::Real;
    cfg.snapshot_pacing = Pacing::uniform(1);
    let engine = Arc::new(Engine::new(&cfg));
    let mut s = Session::default();
    run(&engine, &mut s, SETUP);
    run(&engine, &mut s, "BACKUP SNAPSHOT sales.l1 TO repo");
    let _ticker = starsnap_simulator::snapshot::route::spawn_ticker(
        &engine,
        std::time::Duration::from_millis(2),
    )
    .unwrap();
    let label_dir = store
        .path()
        .join("backups/__starrocks_repository_repo/__ss_l1");
    let mut waited = 0;
    while !snapshot_support::files_under(&label_dir)
        .iter()
        .any(|f| f.starts_with("__info_"))
    {
        assert!(waited < 2_000, "no info file after 2 s");
        std::thread::sleep(std::time::Duration::from_millis(5));
        waited += 5;
    }
    assert_eq!(state(&engine, &mut s), "FINISHED");
}
