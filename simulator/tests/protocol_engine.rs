//! End to end over the wire with the real engine: the `mysql` crate's default connect
//! (which asks `SELECT @@socket`) fails as it does against StarRocks, `prefer_socket(false)`
//! works, and Debian's `mariadb` client creates data, reads it back and sees a partition's
//! VisibleVersion advance with every load.
//!
//! The `mariadb` client must be installed (`apt-get install -y mariadb-client`); if it is
//! missing the test fails and says so.

use std::process::Command;
use std::sync::Arc;

use mysql::prelude::Queryable;
use mysql::{Conn, Error, OptsBuilder};
use starsnap_simulator::engine::Engine;
use starsnap_simulator::{Clock, Server, SimConfig, VersionProfile};

fn start(profile: VersionProfile) -> Server {
    let cfg = SimConfig {
        version: profile,
        clock: Clock::virtual_at(1_709_251_200_000),
        ..SimConfig::default()
    };
    Server::start(&cfg, Arc::new(Engine::new(&cfg))).expect("server starts")
}

/// A `mysql` crate connection with `prefer_socket(false)`.
fn connect(server: &Server) -> Conn {
    Conn::new(
        OptsBuilder::new()
            .ip_or_hostname(Some("127.0.0.1"))
            .tcp_port(server.port())
            .user(Some("root"))
            .prefer_socket(false),
    )
    .expect("prefer_socket(false) connects")
}

#[test]
fn the_mysql_crate_needs_prefer_socket_false_against_the_engine() {
    let server = start(VersionProfile::V3_4);
    let default_opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(server.port())
        .user(Some("root"));
    match Conn::new(default_opts) {
        Err(Error::MySqlError(e)) => {
            assert_eq!((e.code, e.state.as_str()), (1193, "HY000"));
            assert!(
                e.message.starts_with("Unknown system variable 'socket'"),
                "{}",
                e.message
            );
        }
        Err(other) => panic!("expected error 1193, got {other:?}"),
        Ok(_) => panic!("the default connect should fail on SELECT @@socket"),
    }
    let mut conn = connect(&server);
    let v: Option<(String, String)> = conn
        .query_first("SELECT @@version, @@version_comment")
        .expect("versions");
    assert_eq!(v, Some(("8.0.33".into(), "3.4.5-1207fa7".into())));
}

/// Runs one batch through `mariadb`; returns stdout, failing the test on any error.
fn mariadb(server: &Server, sql: &str) -> String {
    let port = format!("-P{}", server.port());
    let out = match Command::new("mariadb")
        .args([
            "--no-defaults",
            "-h127.0.0.1",
            &port,
            "--protocol=TCP",
            "-uroot",
            "--batch",
        ])
        .args(["-e", sql])
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "the `mariadb` command-line client is not installed; this test needs it \
             (Debian/Ubuntu: `apt-get install -y mariadb-client`)"
        ),
        Err(e) => panic!("could not run mariadb: {e}"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "mariadb failed on {sql}: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn mariadb_creates_loads_and_reads_back_with_versions_advancing() {
    let server = start(VersionProfile::V3_4);
    mariadb(
        &server,
        "CREATE DATABASE sales;
         CREATE TABLE sales.orders (order_id BIGINT NOT NULL, dt DATE NOT NULL, note VARCHAR(20))
         DUPLICATE KEY(order_id, dt)
         PARTITION BY RANGE(dt) (
             PARTITION p20240101 VALUES [('2024-01-01'), ('2024-01-02')),
             PARTITION p20240102 VALUES [('2024-01-02'), ('2024-01-03'))
         )
         DISTRIBUTED BY HASH(order_id) BUCKETS 3
         PROPERTIES ('replication_num' = '1');",
    );
    mariadb(
        &server,
        "INSERT INTO sales.orders VALUES (1, '2024-01-02', 'a'), (2, '2024-01-02', NULL)",
    );
    mariadb(
        &server,
        "INSERT INTO sales.orders VALUES (3, '2024-01-02', 'c')",
    );
    let rows = mariadb(
        &server,
        "SELECT order_id, note FROM sales.orders ORDER BY order_id",
    );
    assert_eq!(rows, "order_id\tnote\n1\ta\n2\tNULL\n3\tc\n");
    let meta = mariadb(
        &server,
        "SELECT PARTITION_NAME, VISIBLE_VERSION FROM information_schema.partitions_meta \
         WHERE DB_NAME = 'sales' AND TABLE_NAME = 'orders' ORDER BY PARTITION_NAME",
    );
    assert_eq!(
        meta,
        "PARTITION_NAME\tVISIBLE_VERSION\np20240101\t1\np20240102\t3\n"
    );
    let versions = mariadb(&server, "SELECT @@version_comment");
    assert_eq!(versions, "@@version_comment\n3.4.5-1207fa7\n");
}

/// `CREATE DATABASE` refuses what `FeNameFormat.checkDbName` refuses
/// (`fe/fe-core/src/main/java/com/starrocks/sql/analyzer/CreateDbAnalyzer.java`), with
/// StarRocks's text, code 1102 and SQLSTATE 42000, over TCP; nothing is created.
#[test]
fn create_database_refuses_names_starrocks_refuses() {
    let server = start(VersionProfile::V3_4);
    let mut conn = connect(&server);
    for name in ["a;b", "we ird", "1abc", "_", "a.b", "x/y"] {
        match conn.query_drop(format!("CREATE DATABASE `{name}`")) {
            Err(Error::MySqlError(e)) => {
                assert_eq!((e.code, e.state.as_str()), (1102, "42000"), "{name}");
                assert_eq!(
                    e.message,
                    format!("Getting analyzing error. Detail message: Incorrect database name '{name}'.")
                );
            }
            other => panic!("{name}: expected error 1102, got {other:?}"),
        }
    }
    for name in ["a-b~c", "_1", "ok_name"] {
        conn.query_drop(format!("CREATE DATABASE `{name}`"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let dbs: Vec<String> = conn.query("SHOW DATABASES").expect("show databases");
    assert!(
        !dbs.iter().any(|d| d.contains(';') || d.contains(' ')),
        "{dbs:?}"
    );
    assert!(dbs.iter().any(|d| d == "a-b~c"), "{dbs:?}");
}
