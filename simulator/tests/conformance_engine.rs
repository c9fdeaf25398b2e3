//! SHOW and `information_schema` conformance through the real engine: tables created with
//! DDL, rows loaded with INSERT, then read back with SHOW PARTITIONS, `partitions_meta`
//! (evaluated by the SELECT executor) and SHOW TABLES — through `Handler::query` and over
//! TCP with the `mysql` crate (`prefer_socket(false)`, as starsnap's client connects).

use std::sync::Arc;

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder};
use starsnap_simulator::engine::Engine;
use starsnap_simulator::{Clock, Handler, Response, Server, Session, SimConfig, VersionProfile};

/// 2024-03-01 00:00:00 UTC.
const T0: i64 = 1_709_251_200_000;

fn config(profile: VersionProfile) -> SimConfig {
    SimConfig {
        version: profile,
        clock: Clock::virtual_at(T0),
        ..SimConfig::default()
    }
}

fn session() -> Session {
    Session {
        connection_id: 1,
        user: "root".into(),
        ..Session::default()
    }
}

/// Runs `sql` and returns the last answer's header and rows (NULL as `"NULL"`).
fn query(e: &Engine, s: &mut Session, sql: &str) -> (Vec<String>, Vec<Vec<String>>) {
    match e.query(s, sql).pop() {
        Some(Ok(Response::ResultSet { columns, rows })) => (
            columns.into_iter().map(|c| c.name).collect(),
            rows.into_iter()
                .map(|r| {
                    r.into_iter()
                        .map(|c| c.unwrap_or_else(|| "NULL".into()))
                        .collect()
                })
                .collect(),
        ),
        Some(Ok(other)) => panic!("{sql}: not a result set: {other:?}"),
        other => panic!("{sql}: {other:?}"),
    }
}

fn exec(e: &Engine, s: &mut Session, sql: &str) {
    for out in e.query(s, sql) {
        if let Err(err) = out {
            panic!("{sql}: {}", err.message);
        }
    }
}

const SETUP: &str = "CREATE DATABASE sales;
USE sales;
CREATE TABLE orders (order_id BIGINT NOT NULL, dt DATE NOT NULL, amount DECIMAL(10, 2))
DUPLICATE KEY(order_id, dt)
PARTITION BY RANGE(dt) (
  PARTITION p20240101 VALUES [('2024-01-01'), ('2024-01-02')),
  PARTITION p20240102 VALUES [('2024-01-02'), ('2024-01-03'))
)
DISTRIBUTED BY HASH(order_id) BUCKETS 3
PROPERTIES ('replication_num' = '1');";

fn column<'a>(header: &[String], rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    rows.iter().map(|r| r[i].as_str()).collect()
}

#[test]
fn loads_advance_visible_version_in_show_partitions_and_partitions_meta() {
    let engine = Engine::new(&config(VersionProfile::V3_4));
    let mut s = session();
    exec(&engine, &mut s, SETUP);
    let (h, rows) = query(&engine, &mut s, "SHOW PARTITIONS FROM orders");
    assert_eq!(h.len(), 21);
    assert_eq!(column(&h, &rows, "VisibleVersion"), ["1", "1"]);
    assert_eq!(column(&h, &rows, "ReplicationNum"), ["1", "1"]);
    exec(
        &engine,
        &mut s,
        "INSERT INTO orders VALUES (1, '2024-01-02', 10.50), (2, '2024-01-02', 3.00)",
    );
    exec(
        &engine,
        &mut s,
        "INSERT INTO orders VALUES (3, '2024-01-02', 1.00)",
    );
    let (h, rows) = query(
        &engine,
        &mut s,
        "SHOW PARTITIONS FROM orders WHERE PartitionName = 'p20240102'",
    );
    assert_eq!(column(&h, &rows, "VisibleVersion"), ["3"]);
    assert_eq!(column(&h, &rows, "RowCount"), ["3"]);
    assert_eq!(
        column(&h, &rows, "VisibleVersionTime"),
        ["2024-03-01 00:00:00"]
    );

    let (h, rows) = query(
        &engine,
        &mut s,
        "SELECT PARTITION_NAME, VISIBLE_VERSION, ROW_COUNT FROM information_schema.partitions_meta \
         WHERE DB_NAME = 'sales' AND TABLE_NAME = 'orders' ORDER BY PARTITION_NAME",
    );
    assert_eq!(h, ["PARTITION_NAME", "VISIBLE_VERSION", "ROW_COUNT"]);
    assert_eq!(
        rows,
        [vec!["p20240101", "1", "0"], vec!["p20240102", "3", "3"]]
    );
    let (h, _) = query(
        &engine,
        &mut s,
        "SELECT * FROM information_schema.partitions_meta",
    );
    assert_eq!(h.len(), 29);
}

#[test]
fn show_tables_and_create_table_see_ddl() {
    let engine = Engine::new(&config(VersionProfile::V3_4));
    let mut s = session();
    exec(&engine, &mut s, SETUP);
    exec(
        &engine,
        &mut s,
        "CREATE VIEW v_orders AS SELECT order_id FROM orders",
    );
    let (h, rows) = query(&engine, &mut s, "SHOW FULL TABLES");
    assert_eq!(h, ["Tables_in_sales", "Table_type"]);
    assert_eq!(
        rows,
        [vec!["orders", "BASE TABLE"], vec!["v_orders", "VIEW"]]
    );
    let (h, rows) = query(&engine, &mut s, "SHOW CREATE TABLE orders");
    assert_eq!(h, ["Table", "Create Table"]);
    let ddl = &rows[0][1];
    assert!(
        ddl.starts_with(
            "CREATE TABLE `orders` (\n  `order_id` bigint(20) NOT NULL COMMENT \"\",\n"
        ),
        "{ddl}"
    );
    assert!(ddl.contains("DUPLICATE KEY(`order_id`, `dt`)"), "{ddl}");
    assert!(
        ddl.contains("PARTITION p20240101 VALUES [(\"2024-01-01\"), (\"2024-01-02\"))"),
        "{ddl}"
    );
    assert!(
        ddl.contains("DISTRIBUTED BY HASH(`order_id`) BUCKETS 3 "),
        "{ddl}"
    );
    assert!(ddl.contains("\"replication_num\" = \"1\""), "{ddl}");
    // A view lists its output columns (`AstToStringBuilder.getDdlStmt`, 1.2 view).
    exec(&engine, &mut s, "CREATE VIEW v_all AS SELECT * FROM orders");
    let (h, rows) = query(&engine, &mut s, "SHOW CREATE VIEW v_all");
    assert_eq!(
        h,
        [
            "View",
            "Create View",
            "character_set_client",
            "collation_connection"
        ]
    );
    assert_eq!(
        rows[0][1],
        "CREATE VIEW `v_all` (`order_id`, `dt`, `amount`) SECURITY NONE AS SELECT * FROM orders;"
    );
    exec(&engine, &mut s, "DROP VIEW v_all");
    let (_, rows) = query(
        &engine,
        &mut s,
        "SELECT TABLE_NAME, TABLE_TYPE, ENGINE FROM information_schema.tables WHERE TABLE_SCHEMA = 'sales' ORDER BY TABLE_NAME",
    );
    assert_eq!(
        rows,
        [
            vec!["orders", "BASE TABLE", "StarRocks"],
            vec!["v_orders", "VIEW", ""]
        ]
    );
}

#[test]
fn over_tcp_with_the_mysql_crate() {
    for profile in [VersionProfile::V3_4, VersionProfile::V3_5] {
        let cfg = config(profile);
        let engine = Arc::new(Engine::new(&cfg));
        let mut server = Server::start(&cfg, engine).expect("server starts");
        let opts = OptsBuilder::new()
            .ip_or_hostname(Some("127.0.0.1"))
            .tcp_port(server.port())
            .user(Some("root"))
            .pass(Some(""))
            .prefer_socket(false);
        let mut conn = Conn::new(opts).expect("connects");
        let result = conn.query_iter("SHOW FRONTENDS").expect("frontends");
        let names: Vec<String> = result
            .columns()
            .as_ref()
            .iter()
            .map(|c| c.name_str().to_string())
            .collect();
        drop(result);
        let first = if profile >= VersionProfile::V3_5 {
            "Id"
        } else {
            "Name"
        };
        assert_eq!(names.first().map(String::as_str), Some(first), "{profile}");
        assert_eq!(
            names.len(),
            if profile >= VersionProfile::V3_5 {
                17
            } else {
                16
            }
        );
        let roles: Vec<String> = conn
            .query_map("SHOW FRONTENDS", |row: mysql::Row| {
                row.get::<String, &str>("Role").unwrap_or_default()
            })
            .expect("rows");
        assert_eq!(roles, ["LEADER"]);
        conn.query_drop(SETUP).expect("setup");
        let null_check: Vec<Option<String>> = conn
            .query_map("SHOW PARTITIONS FROM orders", |row: mysql::Row| {
                row.get::<Option<String>, &str>("LastConsistencyCheckTime")
                    .unwrap_or(Some("missing".into()))
            })
            .expect("partitions");
        assert_eq!(null_check, [None, None], "NULL cells arrive as NULL");
        server.stop();
    }
}

#[test]
fn set_time_zone_moves_the_times_shown() {
    let mut cfg = config(VersionProfile::V3_4);
    cfg.time_zone = "Asia/Shanghai".into();
    let engine = Engine::new(&cfg);
    let mut s = session();
    exec(&engine, &mut s, SETUP);
    let (h, rows) = query(&engine, &mut s, "SHOW PARTITIONS FROM orders LIMIT 1");
    assert_eq!(
        column(&h, &rows, "VisibleVersionTime"),
        ["2024-03-01 08:00:00"]
    );
    assert_eq!(column(&h, &rows, "CooldownTime"), ["9999-12-31 23:59:59"]);
    exec(&engine, &mut s, "SET time_zone = '+00:00'");
    let (h, rows) = query(&engine, &mut s, "SHOW PARTITIONS FROM orders LIMIT 1");
    assert_eq!(
        column(&h, &rows, "VisibleVersionTime"),
        ["2024-03-01 00:00:00"]
    );
    let (_, rows) = query(
        &engine,
        &mut s,
        "SELECT VISIBLE_VERSION_TIME FROM information_schema.partitions_meta WHERE PARTITION_NAME = 'p20240101'",
    );
    assert_eq!(rows, [vec!["2024-03-01 00:00:00"]]);
}

/// ORDER BY may name columns the select list does not return (MySQL and StarRocks sort by
/// them all the same).
#[test]
fn order_by_columns_outside_the_select_list() {
    let engine = Engine::new(&config(VersionProfile::V3_4));
    let mut s = session();
    exec(
        &engine,
        &mut s,
        "CREATE DATABASE o; \
         CREATE TABLE o.ev (k BIGINT, ms BIGINT, seq BIGINT, msg VARCHAR(20)) PRIMARY KEY(k) \
         DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ('replication_num' = '1'); \
         INSERT INTO o.ev VALUES (1, 5, 2, 'c'), (2, 5, 1, 'b'), (3, 1, 9, 'a'), (4, 7, 0, 'd')",
    );
    let (_, rows) = query(&engine, &mut s, "SELECT msg FROM o.ev ORDER BY ms, seq");
    let got: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(got, ["a", "b", "c", "d"]);
    let (_, rows) = query(
        &engine,
        &mut s,
        "SELECT msg FROM o.ev ORDER BY ms DESC, seq",
    );
    let got: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(got, ["d", "b", "c", "a"]);
}
