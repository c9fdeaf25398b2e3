//! `ADMIN RESTART SIMULATOR` over the wire: the frontend restarts on its data directory,
//! every open connection is dropped, and a new one finds the catalog, the repository and the
//! running BACKUP job (which then finishes).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;

fn connect(port: u16) -> Conn {
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(port)
        .user(Some("root"))
        .prefer_socket(false);
    Conn::new(opts).unwrap()
}

#[test]
fn restart_drops_connections_and_keeps_everything_on_disk() {
    let dir = std::env::temp_dir().join(format!("starsnap-restart-sql-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = SimConfig {
        data_dir: Some(dir.join("fe")),
        ..SimConfig::default()
    };
    config.storage.insert("s3://".into(), dir.join("s3"));
    let sim = Simulator::start(config).unwrap();
    let mut a = connect(sim.port());
    let mut b = connect(sim.port());
    a.query_drop("CREATE DATABASE d").unwrap();
    a.query_drop(
        "CREATE TABLE d.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
    )
    .unwrap();
    a.query_drop("INSERT INTO d.t VALUES (1), (2), (3)")
        .unwrap();
    a.query_drop("ADMIN SET SIMULATOR PACING = 50").unwrap();
    a.query_drop("CREATE REPOSITORY r WITH BROKER ON LOCATION 's3://b/p'")
        .unwrap();
    a.query_drop("BACKUP DATABASE d SNAPSHOT l TO r").unwrap();

    a.query_drop("ADMIN RESTART SIMULATOR").unwrap();
    assert!(
        a.query_drop("SELECT 1").is_err(),
        "the restarting connection is closed"
    );
    assert!(
        b.query_drop("SELECT 1").is_err(),
        "every older connection is closed"
    );

    let mut c = connect(sim.port());
    let n: Option<i64> = c.query_first("SELECT COUNT(*) FROM d.t").unwrap();
    assert_eq!(n, Some(3));
    let repos: Vec<mysql::Row> = c.query("SHOW REPOSITORIES").unwrap();
    assert_eq!(repos.len(), 1);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows: Vec<mysql::Row> = c.query("SHOW BACKUP FROM d").unwrap();
        let st: Option<String> = rows.first().and_then(|r| r.get("State"));
        if st.as_deref() == Some("FINISHED") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the job did not finish after the restart: {st:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(sim);

    // Without a data directory there is nothing to restart on: an error, not a crash.
    let sim = Simulator::start(SimConfig::default()).unwrap();
    let mut d = connect(sim.port());
    assert!(d.query_drop("ADMIN RESTART SIMULATOR").is_err());
    d.query_drop("SELECT 1").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
