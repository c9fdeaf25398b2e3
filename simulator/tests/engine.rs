//! The frontend engine driven directly through `Handler::query`: session statements,
//! DDL, loads and versions, key models, SELECT, generic errors (texts and codes).

use starsnap_simulator::engine::catalog::TableState;
use starsnap_simulator::engine::Engine;
use starsnap_simulator::{BackendSpec, Clock, Handler, Response, Session, SimConfig, SqlError};

/// 2024-01-01 00:00:00 UTC.
const T0: i64 = 1_704_067_200_000;

fn config() -> SimConfig {
    SimConfig {
        clock: Clock::virtual_at(T0),
        ..SimConfig::default()
    }
}

fn session(id: u32) -> Session {
    Session {
        connection_id: id,
        user: "root".into(),
        ..Session::default()
    }
}

fn ok(e: &Engine, s: &mut Session, sql: &str) -> Response {
    let mut out = e.query(s, sql);
    match out.pop() {
        Some(Ok(r)) => r,
        other => panic!("{sql}: {other:?}"),
    }
}

fn err(e: &Engine, s: &mut Session, sql: &str) -> SqlError {
    match e.query(s, sql).pop() {
        Some(Err(x)) => x,
        other => panic!("{sql}: expected an error, got {other:?}"),
    }
}

/// Result rows as text (`NULL` for SQL NULL).
fn rows(e: &Engine, s: &mut Session, sql: &str) -> Vec<Vec<String>> {
    match ok(e, s, sql) {
        Response::ResultSet { rows, .. } => rows
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|c| c.unwrap_or_else(|| "NULL".into()))
                    .collect()
            })
            .collect(),
        other => panic!("{sql}: not a result set: {other:?}"),
    }
}

fn columns(e: &Engine, s: &mut Session, sql: &str) -> Vec<String> {
    match ok(e, s, sql) {
        Response::ResultSet { columns, .. } => columns.into_iter().map(|c| c.name).collect(),
        other => panic!("{sql}: not a result set: {other:?}"),
    }
}

fn versions(e: &Engine, db: &str, t: &str) -> Vec<(String, u64)> {
    let cat = e.catalog();
    let table = cat.table(db, t).expect("table exists");
    table
        .partitions
        .iter()
        .map(|p| (p.name.clone(), p.visible_version))
        .collect()
}

const ORDERS: &str = r#"CREATE TABLE sales.orders (
    dt DATE NOT NULL, id BIGINT NOT NULL, amount DECIMAL(10, 2)
) DUPLICATE KEY(dt, id)
PARTITION BY RANGE(dt) (
    PARTITION p20240101 VALUES LESS THAN ("2024-01-02"),
    PARTITION p20240102 VALUES LESS THAN ("2024-01-03"),
    PARTITION p20240103 VALUES [("2024-01-03"), ("2024-01-04"))
)
DISTRIBUTED BY HASH(id) BUCKETS 2
PROPERTIES ("replication_num" = "1")"#;

fn with_orders() -> (Engine, Session) {
    let e = Engine::new(&config());
    let mut s = session(1);
    ok(&e, &mut s, "CREATE DATABASE sales");
    ok(&e, &mut s, ORDERS);
    ok(&e, &mut s, "USE sales");
    (e, s)
}

#[test]
fn client_session_statements_answer_like_starrocks() {
    let e = Engine::new(&config());
    let mut s = session(7);
    assert_eq!(
        columns(&e, &mut s, "SELECT @@version_comment, @@version, @@max_allowed_packet, @@time_zone, @@session.tx_isolation, @@autocommit"),
        ["@@version_comment", "@@version", "@@max_allowed_packet", "@@time_zone", "@@session.tx_isolation", "@@autocommit"]
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "SELECT @@version_comment, @@version, current_version()"
        )[0],
        ["3.4.5-1207fa7", "8.0.33", "3.4.5-1207fa7"]
    );
    assert_eq!(
        rows(&e, &mut s, "SELECT DATABASE(), CONNECTION_ID(), 1"),
        [["NULL", "7", "1"]]
    );
    let x = err(&e, &mut s, "SELECT @@socket");
    assert_eq!(
        (x.code, x.sqlstate.as_str(), x.message.as_str()),
        (1193, "HY000", "Unknown system variable 'socket'")
    );
    ok(&e, &mut s, "SET NAMES utf8mb4");
    ok(&e, &mut s, "SET SESSION query_timeout = 600");
    assert_eq!(rows(&e, &mut s, "SELECT @@query_timeout"), [["600"]]);
    let x = err(&e, &mut s, "USE nope");
    assert_eq!(
        (x.code, x.sqlstate.as_str(), x.message.as_str()),
        (5501, "3F000", "Unknown database 'nope'")
    );
    let x = e.init_db(&mut s, "nope").expect_err("unknown db");
    assert_eq!(x.message, "Unknown database 'nope'");
}

#[test]
fn one_syntax_error_fails_the_whole_text_and_nothing_runs() {
    let e = Engine::new(&config());
    let mut s = session(1);
    let out = e.query(&mut s, "CREATE DATABASE a; SELEC 1");
    assert_eq!(out.len(), 1);
    let x = out[0].clone().expect_err("syntax error");
    assert_eq!(
        x.message,
        "Getting syntax error at line 1, column 19. Detail message: No viable statement for input 'SELEC'."
    );
    assert_eq!((x.code, x.sqlstate.as_str()), (1064, "HY000"));
    assert!(e.catalog().db("a").is_none());
    // Execution stops at the first failing statement.
    let out = e.query(&mut s, "CREATE DATABASE a; USE b; CREATE DATABASE c");
    assert_eq!(out.len(), 2);
    assert!(out[1].is_err());
    assert!(e.catalog().db("a").is_some() && e.catalog().db("c").is_none());
}

#[test]
fn every_load_advances_the_versions_of_the_partitions_it_touched_by_one() {
    let (e, mut s) = with_orders();
    assert!(versions(&e, "sales", "orders").iter().all(|(_, v)| *v == 1));
    ok(&e, &mut s, "INSERT INTO orders VALUES ('2024-01-01', 1, 10.50), ('2024-01-01', 2, 1), ('2024-01-02', 3, 2.25)");
    assert_eq!(
        versions(&e, "sales", "orders"),
        [
            ("p20240101".into(), 2),
            ("p20240102".into(), 2),
            ("p20240103".into(), 1)
        ]
    );
    e.config().clock.advance(60_000);
    ok(
        &e,
        &mut s,
        "INSERT INTO sales.orders (id, dt, amount) VALUES (4, '2024-01-03', 3)",
    );
    assert_eq!(versions(&e, "sales", "orders")[2], ("p20240103".into(), 2));
    assert_eq!(versions(&e, "sales", "orders")[0], ("p20240101".into(), 2));
    {
        let cat = e.catalog();
        let p = &cat.table("sales", "orders").expect("table").partitions;
        assert_eq!(p[2].visible_version_time, T0 + 60_000);
        assert_eq!(p[0].visible_version_time, T0);
        assert_eq!(p[0].row_count(), 2);
    }
    // A row outside every range fails the whole load; nothing changes.
    let x = err(
        &e,
        &mut s,
        "INSERT INTO orders VALUES ('2024-01-02', 9, 1), ('2025-01-01', 5, 1)",
    );
    assert!(
        x.message
            .starts_with("Insert has filtered data in strict mode"),
        "{}",
        x.message
    );
    assert_eq!(versions(&e, "sales", "orders")[1], ("p20240102".into(), 2));
    // DELETE is a load too.
    ok(
        &e,
        &mut s,
        "DELETE FROM orders PARTITION p20240101 WHERE id = 2",
    );
    assert_eq!(versions(&e, "sales", "orders")[0], ("p20240101".into(), 3));
    assert_eq!(rows(&e, &mut s, "SELECT COUNT(*) FROM orders"), [["3"]]);
}

#[test]
fn select_filters_groups_orders_and_limits() {
    let (e, mut s) = with_orders();
    ok(&e, &mut s, "INSERT INTO orders VALUES ('2024-01-01', 1, 10.50), ('2024-01-01', 2, 1), ('2024-01-02', 3, 2.25), ('2024-01-03', 4, NULL)");
    assert_eq!(
        rows(&e, &mut s, "SELECT dt, COUNT(*) AS n, SUM(amount), MAX(id) FROM orders GROUP BY dt ORDER BY dt DESC"),
        [
            ["2024-01-03", "1", "NULL", "4"],
            ["2024-01-02", "1", "2.25", "3"],
            ["2024-01-01", "2", "11.50", "2"]
        ]
    );
    assert_eq!(
        rows(&e, &mut s, "SELECT id FROM orders WHERE amount IS NOT NULL AND (id IN (1, 3) OR dt BETWEEN '2024-01-02' AND '2024-01-03') ORDER BY id LIMIT 1 OFFSET 1"),
        [["3"]]
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "SELECT COUNT(amount), MIN(dt) FROM orders WHERE NOT id = 1"
        ),
        [["2", "2024-01-01"]]
    );
    assert_eq!(rows(&e, &mut s, "SELECT id * 2 AS twice FROM orders WHERE dt LIKE '2024-01-0%' ORDER BY twice DESC LIMIT 2"), [["8"], ["6"]]);
    assert_eq!(
        columns(
            &e,
            &mut s,
            "SELECT COUNT(*), id AS k FROM orders GROUP BY id"
        ),
        ["COUNT(*)", "k"]
    );
}

/// `UNION [ALL | DISTINCT]` (`QueryAnalyzer.analyzeSetOperation`): operands in order, the
/// first operand's column names, duplicates removed only by a `DISTINCT` union; per-partition
/// counts in one statement, as starsnap takes them; ORDER BY or LIMIT may not close an
/// operand before a UNION (StarRocks's `queryNoWith`).
#[test]
fn union_all_and_union_distinct() {
    let (e, mut s) = with_orders();
    ok(&e, &mut s, "INSERT INTO orders VALUES ('2024-01-01', 1, 10.50), ('2024-01-01', 2, 1), ('2024-01-02', 3, 2.25)");
    let counts = "SELECT 0 AS i, COUNT(*) AS n FROM sales.orders PARTITION (p20240101) UNION ALL \
                  SELECT 1 AS i, COUNT(*) AS n FROM sales.orders PARTITION (p20240102) UNION ALL \
                  SELECT 2 AS i, COUNT(*) AS n FROM `sales`.`orders` PARTITION (`p20240103`)";
    assert_eq!(
        rows(&e, &mut s, counts),
        [["0", "2"], ["1", "1"], ["2", "0"]]
    );
    assert_eq!(columns(&e, &mut s, counts), ["i", "n"]);
    assert_eq!(
        rows(
            &e,
            &mut s,
            "SELECT dt FROM orders WHERE id < 3 UNION ALL SELECT dt FROM orders"
        ),
        [
            ["2024-01-01"],
            ["2024-01-01"],
            ["2024-01-01"],
            ["2024-01-01"],
            ["2024-01-02"]
        ]
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "SELECT dt FROM orders WHERE id < 3 UNION SELECT dt FROM orders"
        ),
        [["2024-01-01"], ["2024-01-02"]]
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "SELECT 1 AS x UNION ALL SELECT 1 UNION DISTINCT SELECT 2"
        ),
        [["1"], ["2"]]
    );
    let x = err(&e, &mut s, "SELECT 1, 2 UNION ALL SELECT 3");
    assert_eq!(
        x.message,
        "Getting analyzing error. Detail message: Operands have unequal number of columns."
    );
    let x = err(
        &e,
        &mut s,
        "SELECT id FROM orders LIMIT 1 UNION ALL SELECT 3",
    );
    assert!(
        x.message.starts_with("Getting syntax error"),
        "{}",
        x.message
    );
    let x = err(
        &e,
        &mut s,
        "SELECT 1 FROM orders PARTITION (nope) UNION ALL SELECT 3",
    );
    assert!(x.message.contains("nope"), "{}", x.message);
}

#[test]
fn key_models_merge_rows() {
    let e = Engine::new(&config());
    let mut s = session(1);
    ok(&e, &mut s, "CREATE DATABASE d; USE d");
    ok(
        &e,
        &mut s,
        r#"CREATE TABLE pk (k VARCHAR(20) NOT NULL, v INT) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) PROPERTIES ("replication_num" = "1")"#,
    );
    ok(&e, &mut s, "INSERT INTO pk VALUES ('a', 1), ('b', 2)");
    ok(&e, &mut s, "INSERT INTO pk VALUES ('a', 10)");
    assert_eq!(
        rows(&e, &mut s, "SELECT k, v FROM pk ORDER BY k"),
        [["a", "10"], ["b", "2"]]
    );
    ok(
        &e,
        &mut s,
        r#"CREATE TABLE agg (k INT, s BIGINT SUM, m INT MAX, r VARCHAR(5) REPLACE) AGGREGATE KEY(k) PROPERTIES ("replication_num" = "1")"#,
    );
    ok(
        &e,
        &mut s,
        "INSERT INTO agg VALUES (1, 5, 3, 'x'), (1, 7, 2, 'y'), (2, 1, 1, 'z')",
    );
    assert_eq!(
        rows(&e, &mut s, "SELECT * FROM agg ORDER BY k"),
        [["1", "12", "3", "y"], ["2", "1", "1", "z"]]
    );
    ok(
        &e,
        &mut s,
        r#"CREATE TABLE dup (k INT, v INT) DUPLICATE KEY(k) PROPERTIES ("replication_num" = "1")"#,
    );
    ok(&e, &mut s, "INSERT INTO dup VALUES (1, 1), (1, 1)");
    assert_eq!(rows(&e, &mut s, "SELECT COUNT(*) FROM dup"), [["2"]]);
    let x = err(
        &e,
        &mut s,
        "CREATE TABLE bad (k INT, v INT SUM, w INT) AGGREGATE KEY(k)",
    );
    assert!(
        x.message
            .contains("AGG_KEYS table should specify aggregate type for non-key column[w]"),
        "{}",
        x.message
    );
}

#[test]
fn primary_keys_are_limited_to_128_bytes() {
    // BE: be/src/storage/memtable.cpp (MemTable::finalize) returns
    // Status::Cancelled("primary key size exceed the limit.") when the encoded key is longer
    // than kPrimaryKeyLimitSize (128 bytes).
    let e = Engine::new(&config());
    let mut s = session(1);
    ok(&e, &mut s, "CREATE DATABASE d; USE d");
    ok(
        &e,
        &mut s,
        r#"CREATE TABLE pk (k VARCHAR(1000) NOT NULL, v INT) PRIMARY KEY(k) PROPERTIES ("replication_num" = "1")"#,
    );
    ok(
        &e,
        &mut s,
        &format!("INSERT INTO pk VALUES ('{}', 1)", "a".repeat(128)),
    );
    let x = err(
        &e,
        &mut s,
        &format!("INSERT INTO pk VALUES ('{}', 1)", "a".repeat(129)),
    );
    assert_eq!(x.message, "primary key size exceed the limit.");
    assert_eq!(rows(&e, &mut s, "SELECT COUNT(*) FROM pk"), [["1"]]);
}

#[test]
fn expression_partitioning_creates_partitions_on_load() {
    let e = Engine::new(&config());
    let mut s = session(1);
    ok(&e, &mut s, "CREATE DATABASE d; USE d");
    ok(
        &e,
        &mut s,
        r#"CREATE TABLE ev (ts DATETIME, v INT) PARTITION BY date_trunc('day', ts) PROPERTIES ("replication_num" = "1")"#,
    );
    assert!(versions(&e, "d", "ev").is_empty());
    ok(&e, &mut s, "INSERT INTO ev VALUES ('2024-03-01 10:00:00', 1), ('2024-03-02 23:59:59', 2), ('2024-03-01 00:00:00', 3)");
    assert_eq!(
        versions(&e, "d", "ev"),
        [("p20240301".into(), 2), ("p20240302".into(), 2)]
    );
    ok(
        &e,
        &mut s,
        r#"CREATE TABLE byc (city VARCHAR(20), v INT) PARTITION BY city PROPERTIES ("replication_num" = "1")"#,
    );
    ok(
        &e,
        &mut s,
        "INSERT INTO byc VALUES ('beijing', 1), ('new york', 2)",
    );
    assert_eq!(
        versions(&e, "d", "byc"),
        [("pbeijing".into(), 2), ("pnewyork".into(), 2)]
    );
}

#[test]
fn generic_errors_have_starrocks_texts_and_codes() {
    let (e, mut s) = with_orders();
    let x = err(&e, &mut s, ORDERS);
    assert_eq!(
        (x.code, x.sqlstate.as_str(), x.message.as_str()),
        (1050, "42S01", "Table 'orders' already exists")
    );
    ok(
        &e,
        &mut s,
        &ORDERS.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"),
    );
    let x = err(&e, &mut s, "CREATE DATABASE sales");
    assert_eq!(
        (x.code, x.message.as_str()),
        (1007, "Can't create database 'sales'; database exists")
    );
    let x = err(&e, &mut s, "DROP DATABASE nope");
    assert_eq!(
        (x.code, x.message.as_str()),
        (1008, "Can't drop database 'nope'; database doesn't exist")
    );
    // As StarRocks 3.5.2 answers (github.com/StarRocks/starrocks/issues/54969):
    // `ERROR 5502 (42602): Getting analyzing error. Detail message: Unknown table 'default.orders'.`
    let x = err(&e, &mut s, "SELECT * FROM nope");
    assert_eq!(
        (x.code, x.sqlstate.as_str(), x.message.as_str()),
        (
            5502,
            "42602",
            "Getting analyzing error. Detail message: Unknown table 'sales.nope'."
        )
    );
    let x = err(&e, &mut s, "SELECT * FROM other.t");
    assert_eq!(
        (x.code, x.message.as_str()),
        (
            5501,
            "Getting analyzing error. Detail message: Unknown database 'other'."
        )
    );
    let x = err(&e, &mut s, "SELECT nope FROM orders");
    // fe/fe-core/src/main/java/com/starrocks/sql/analyzer/Scope.java (resolveField): a plain
    // SemanticException, so no position and the default 1064/HY000.
    assert_eq!(
        (x.code, x.message.as_str()),
        (
            1064,
            "Getting analyzing error. Detail message: Column 'nope' cannot be resolved."
        )
    );
    // fe/fe-core/src/main/java/com/starrocks/sql/analyzer/DropStmtAnalyzer.java
    let x = err(&e, &mut s, "DROP TABLE nope");
    assert_eq!(
        (x.code, x.message.as_str()),
        (
            5502,
            "Getting analyzing error. Detail message: Unknown table 'nope'."
        )
    );
    let mut fresh = session(2);
    let x = err(&e, &mut fresh, "SELECT * FROM orders");
    assert_eq!((x.code, x.sqlstate.as_str()), (1046, "3D000"));
}

#[test]
fn replication_num_is_checked_against_alive_backends() {
    let e = Engine::new(&SimConfig {
        backends: vec![BackendSpec { alive: true }, BackendSpec { alive: false }],
        ..config()
    });
    let mut s = session(1);
    ok(&e, &mut s, "CREATE DATABASE d; USE d");
    let x = err(&e, &mut s, "CREATE TABLE t (k INT) DUPLICATE KEY(k)");
    assert_eq!(
        x.message,
        "Table replication num should be less than or equal to the number of available BE nodes. You can change this default by setting the replication_num table properties. Current alive backend is [10001]. , table=t, default_replication_num=3"
    );
    ok(
        &e,
        &mut s,
        r#"CREATE TABLE t (k INT) DUPLICATE KEY(k) PROPERTIES ("replication_num" = "1")"#,
    );
}

#[test]
fn truncate_and_partitions_and_columns() {
    let (e, mut s) = with_orders();
    ok(&e, &mut s, "INSERT INTO orders VALUES ('2024-01-01', 1, 1)");
    let before = e.catalog().table("sales", "orders").expect("t").partitions[0].id;
    ok(&e, &mut s, "TRUNCATE TABLE orders PARTITION (p20240101)");
    {
        let cat = e.catalog();
        let p = &cat.table("sales", "orders").expect("t").partitions[0];
        assert_ne!(p.id, before);
        assert_eq!((p.visible_version, p.row_count()), (1, 0));
    }
    ok(
        &e,
        &mut s,
        r#"ALTER TABLE orders ADD PARTITION p20240104 VALUES LESS THAN ("2024-01-05")"#,
    );
    ok(&e, &mut s, "ALTER TABLE orders DROP PARTITION p20240102");
    let names: Vec<String> = versions(&e, "sales", "orders")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["p20240101", "p20240103", "p20240104"]);
    let x = err(&e, &mut s, "ALTER TABLE orders DROP PARTITION nope");
    assert_eq!(
        (x.code, x.message.as_str()),
        (1507, "Error in list of partitions to nope")
    );
    ok(
        &e,
        &mut s,
        "ALTER TABLE orders ADD COLUMN note VARCHAR(10) DEFAULT 'n'",
    );
    ok(
        &e,
        &mut s,
        "INSERT INTO orders (dt, id) VALUES ('2024-01-03', 5)",
    );
    assert_eq!(rows(&e, &mut s, "SELECT note FROM orders"), [["n"]]);
    ok(&e, &mut s, "ALTER TABLE orders DROP COLUMN note");
    assert_eq!(
        e.catalog()
            .table("sales", "orders")
            .expect("t")
            .schema_version,
        2
    );
    let x = err(&e, &mut s, "ALTER TABLE orders ADD COLUMN x INT, RENAME o2");
    assert_eq!(x.message, "Getting analyzing error. Detail message: Alter operation RENAME conflicts with operation SCHEMA_CHANGE.");
}

#[test]
fn swap_and_rename_move_names_not_data_and_deactivate_mvs() {
    let (e, mut s) = with_orders();
    ok(
        &e,
        &mut s,
        &ORDERS.replace("sales.orders", "sales.orders_new"),
    );
    ok(
        &e,
        &mut s,
        "INSERT INTO orders_new VALUES ('2024-01-01', 1, 1)",
    );
    ok(
        &e,
        &mut s,
        "CREATE MATERIALIZED VIEW mv REFRESH ASYNC AS SELECT dt, COUNT(*) FROM orders GROUP BY dt",
    );
    let new_id = e.catalog().table("sales", "orders_new").expect("t").id;
    ok(&e, &mut s, "ALTER TABLE orders SWAP WITH orders_new");
    {
        let cat = e.catalog();
        let t = cat.table("sales", "orders").expect("t");
        assert_eq!((t.id, t.partitions[0].visible_version), (new_id, 2));
        let mv = cat
            .table("sales", "mv")
            .and_then(|t| t.mv.clone())
            .expect("mv");
        assert!(!mv.active);
        assert_eq!(mv.inactive_reason, "base table swapped: orders");
    }
    let x = err(&e, &mut s, "ALTER TABLE orders SWAP WITH nope");
    assert_eq!(x.message, "Getting analyzing error. Detail message: Table nope does not exist or is not OLAP/LAKE table.");
    let x = err(&e, &mut s, "ALTER TABLE nope RENAME x");
    assert_eq!(
        x.message,
        "Getting analyzing error. Detail message: Table nope is not found."
    );
    let x = err(&e, &mut s, "ALTER TABLE orders RENAME orders");
    assert_eq!(
        x.message,
        "Getting analyzing error at line 1, column 26. Detail message: Same table name orders."
    );
    let x = err(&e, &mut s, "ALTER TABLE orders RENAME orders_new");
    assert_eq!(
        (x.code, x.message.as_str()),
        (1064, "Table name[orders_new] is already used")
    );
    let x = err(&e, &mut s, "ALTER TABLE mv RENAME mv2");
    assert!(
        x.message.contains(
            "because it is a materialized view,you can use 'ALTER MATERIALIZED VIEW' to alter it."
        ),
        "{}",
        x.message
    );
    ok(&e, &mut s, "ALTER TABLE orders RENAME orders_v2");
    assert!(e.catalog().table("sales", "orders_v2").is_some());
    ok(&e, &mut s, "ALTER MATERIALIZED VIEW mv INACTIVE");
    let x = err(&e, &mut s, "ALTER MATERIALIZED VIEW mv SWAP WITH orders_v2");
    assert_eq!(x.message, "Getting analyzing error. Detail message: Materialized view can only SWAP WITH materialized view.");
}

#[test]
fn tables_in_restore_state_refuse_queries_loads_and_alters() {
    let (e, mut s) = with_orders();
    e.catalog_mut()
        .table_mut("sales", "orders")
        .expect("t")
        .state = TableState::Restore;
    let x = err(&e, &mut s, "SELECT * FROM orders");
    assert_eq!(
        (x.code, x.message.as_str()),
        (
            5014,
            "Getting analyzing error. Detail message: Table state is not NORMAL: 'RESTORING'."
        )
    );
    let x = err(&e, &mut s, "INSERT INTO orders VALUES ('2024-01-01', 1, 1)");
    assert_eq!(x.message, "Cannot write RESTORE state table \"orders\"");
    let x = err(&e, &mut s, "ALTER TABLE orders ADD COLUMN c INT");
    assert!(
        x.message
            .starts_with("A snapshot restore operation is in progress on the table orders."),
        "{}",
        x.message
    );
}

#[test]
fn views_read_through_their_definition() {
    let (e, mut s) = with_orders();
    ok(
        &e,
        &mut s,
        "INSERT INTO orders VALUES ('2024-01-01', 1, 1), ('2024-01-02', 2, 2)",
    );
    ok(
        &e,
        &mut s,
        "CREATE VIEW v AS SELECT id, amount FROM orders WHERE id > 1",
    );
    assert_eq!(rows(&e, &mut s, "SELECT * FROM v"), [["2", "2.00"]]);
    let x = err(&e, &mut s, "CREATE VIEW w AS SELECT * FROM nope");
    assert_eq!(x.code, 5502);
    let x = err(&e, &mut s, "DROP VIEW orders");
    assert_eq!(
        (x.code, x.message.as_str()),
        (
            1347,
            "Getting analyzing error. Detail message: 'sales'.'orders' is not 'VIEW'."
        )
    );
    let x = err(&e, &mut s, "DROP TABLE v");
    assert_eq!(
        x.message,
        "Getting analyzing error. Detail message: 'sales'.'v' is not 'TABLE'."
    );
    let x = err(&e, &mut s, "DROP FUNCTION nope(INT)");
    assert_eq!((x.code, x.sqlstate.as_str()), (1055, "42000"));
    ok(
        &e,
        &mut s,
        r#"CREATE FUNCTION f(INT) RETURNS INT PROPERTIES ("symbol" = "a.F", "type" = "StarrocksJar", "file" = "http://x/f.jar")"#,
    );
    ok(
        &e,
        &mut s,
        r#"CREATE EXTERNAL CATALOG hive1 PROPERTIES ("type" = "hive", "hive.metastore.uris" = "thrift://h:9083")"#,
    );
    assert_eq!(
        e.catalog().db("sales").expect("db").functions[0].signature(),
        "f(INT)"
    );
    ok(&e, &mut s, "DROP FUNCTION f(INT); DROP CATALOG hive1");
}

#[test]
fn statements_are_counted_per_connection() {
    let e = Engine::new(&config());
    let mut a = session(11);
    let mut b = session(12);
    ok(&e, &mut a, "SELECT 1; SELECT 2");
    ok(&e, &mut b, "SELECT 1");
    assert_eq!(e.statements_of(11), Some(2));
    assert_eq!(
        rows(&e, &mut a, "ADMIN SHOW SIMULATOR STATS"),
        [["11", "root", "3", "true"], ["12", "root", "1", "false"]]
    );
    e.disconnect(&a);
    assert_eq!(e.statements_of(11), None);
    assert_eq!(e.total_statements(), 4);
}

#[test]
fn token_soup_never_panics() {
    let (e, mut s) = with_orders();
    ok(
        &e,
        &mut s,
        "INSERT INTO orders VALUES ('2024-01-01', 1, 1), ('2024-01-02', 2, 2)",
    );
    let words = [
        "SELECT",
        "FROM",
        "WHERE",
        "orders",
        "sales.orders",
        "*",
        "(",
        ")",
        ",",
        ";",
        "'x'",
        "\"y\"",
        "`z`",
        "1",
        "-1",
        "1.5",
        "9223372036854775807",
        "NULL",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "BETWEEN",
        "=",
        "<",
        ">=",
        "+",
        "-",
        "/",
        "%",
        "COUNT(*)",
        "SUM(",
        "substr(",
        "from_unixtime(",
        "GROUP BY",
        "ORDER BY",
        "LIMIT",
        "OFFSET",
        "INSERT INTO",
        "VALUES",
        "CREATE TABLE",
        "PARTITION BY",
        "RANGE(dt)",
        "LIST(",
        "DISTRIBUTED BY HASH(id)",
        "BUCKETS",
        "PROPERTIES",
        "ALTER TABLE",
        "ADD PARTITION",
        "DROP COLUMN",
        "SWAP WITH",
        "RENAME",
        "TRUNCATE TABLE",
        "DELETE FROM",
        "@@version",
        "@x",
        "START",
        "END",
        "EVERY",
        "INTERVAL",
        "DAY",
        "VALUES LESS THAN",
        "MAXVALUE",
        "[",
        "CASE",
        "WHEN",
        "THEN",
        "ELSE",
        "CAST(",
        "AS",
        "DATE",
        "USE",
        "SET",
        "SHOW",
        "DROP",
        "DATABASE",
        "VIEW",
        "MATERIALIZED",
        "FUNCTION",
        "dt",
        "id",
        "amount",
        "/*",
        "*/",
        "--",
        "\n",
        "é",
        "\u{0}",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..4000 {
        let mut sql = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = 1 + (seed % 12) as usize;
        for k in 0..n {
            let w = words[((seed >> (k * 5 % 59)) as usize + k * 31) % words.len()];
            sql.push_str(w);
            sql.push(' ');
        }
        let _ = e.query(&mut s, &sql);
        s.current_db = Some("sales".into());
    }
    // Arithmetic and time edges.
    for sql in [
        "SELECT substr('abc', -9223372036854775807, 9223372036854775807)",
        "SELECT from_unixtime(9223372036854775807), -9223372036854775807 - 10, 5 % 0, 1 / 0",
        r#"CREATE TABLE big (k BIGINT) PARTITION BY RANGE(k) (START ("0") END ("9223372036854775807") EVERY (9223372036854775807)) PROPERTIES ("replication_num" = "1")"#,
        r#"CREATE TABLE big2 (d DATE) PARTITION BY RANGE(d) (START ("0001-01-01") END ("9999-12-31") EVERY (INTERVAL 1 DAY)) PROPERTIES ("replication_num" = "1")"#,
    ] {
        let _ = e.query(&mut s, sql);
    }
}

#[test]
fn insert_select_and_overwrite() {
    let (e, mut s) = with_orders();
    ok(&e, &mut s, &ORDERS.replace("sales.orders", "sales.copy"));
    ok(
        &e,
        &mut s,
        "INSERT INTO orders VALUES ('2024-01-01', 1, 1), ('2024-01-02', 2, 2)",
    );
    ok(
        &e,
        &mut s,
        "INSERT INTO copy SELECT * FROM orders WHERE id = 2",
    );
    assert_eq!(rows(&e, &mut s, "SELECT id FROM copy"), [["2"]]);
    assert_eq!(versions(&e, "sales", "copy")[1], ("p20240102".into(), 2));
    let old_id = e.catalog().table("sales", "copy").expect("t").partitions[1].id;
    ok(
        &e,
        &mut s,
        "INSERT OVERWRITE copy PARTITION (p20240102) VALUES ('2024-01-02', 7, 7)",
    );
    assert_eq!(rows(&e, &mut s, "SELECT id FROM copy"), [["7"]]);
    let p = e.catalog().table("sales", "copy").expect("t").partitions[1].clone();
    assert_ne!(p.id, old_id);
    assert_eq!(p.visible_version, 2);
    assert_eq!(rows(&e, &mut s, "SELECT 1 + 1 FROM dual"), [["2"]]);
}

#[test]
fn names_are_case_sensitive_keywords_are_not() {
    let (e, mut s) = with_orders();
    ok(&e, &mut s, "create database Sales");
    assert!(e.catalog().db("Sales").is_some() && e.catalog().db("sales").is_some());
    let x = err(&e, &mut s, "select * from ORDERS");
    assert_eq!(
        x.message,
        "Getting analyzing error. Detail message: Unknown table 'sales.ORDERS'."
    );
    ok(&e, &mut s, "InSeRt InTo orders VaLuEs ('2024-01-01', 1, 1)");
    // Column names are not case-sensitive.
    assert_eq!(rows(&e, &mut s, "SELECT ID FROM orders"), [["1"]]);
}

#[test]
fn list_and_temporary_partitions() {
    let e = Engine::new(&config());
    let mut s = session(1);
    ok(&e, &mut s, "CREATE DATABASE d; USE d");
    ok(
        &e,
        &mut s,
        r#"CREATE TABLE c (city VARCHAR(10) NOT NULL, v INT) DUPLICATE KEY(city) PARTITION BY LIST(city) (PARTITION p_cn VALUES IN ("beijing", "shanghai"), PARTITION p_us VALUES IN ("nyc")) DISTRIBUTED BY HASH(city) BUCKETS 3 PROPERTIES ("replication_num" = "1")"#,
    );
    ok(
        &e,
        &mut s,
        "INSERT INTO c VALUES ('shanghai', 1), ('nyc', 2), ('nyc', 3)",
    );
    assert_eq!(
        versions(&e, "d", "c"),
        [("p_cn".into(), 2), ("p_us".into(), 2)]
    );
    let x = err(&e, &mut s, "INSERT INTO c VALUES ('paris', 1)");
    assert!(
        x.message
            .starts_with("Insert has filtered data in strict mode"),
        "{}",
        x.message
    );
    ok(
        &e,
        &mut s,
        r#"ALTER TABLE c ADD TEMPORARY PARTITION tp_us VALUES IN ("nyc")"#,
    );
    {
        let cat = e.catalog();
        let t = cat.table("d", "c").expect("t");
        assert_eq!(t.temp_partitions.len(), 1);
        assert_eq!(t.partitions.len(), 2);
        assert_eq!(t.partitions[0].buckets, 3);
    }
    let x = err(
        &e,
        &mut s,
        r#"ALTER TABLE c ADD PARTITION p_x VALUES LESS THAN ("z")"#,
    );
    assert_eq!(
        x.message,
        "Cannot add a Range partition to a table that partition type is not of Range"
    );
    ok(
        &e,
        &mut s,
        "CREATE MATERIALIZED VIEW mv REFRESH ASYNC AS SELECT city, SUM(v) FROM c GROUP BY city",
    );
    ok(&e, &mut s, "ALTER MATERIALIZED VIEW mv INACTIVE");
    ok(&e, &mut s, "ALTER MATERIALIZED VIEW mv ACTIVE");
    ok(&e, &mut s, "DROP TABLE c");
    let mv = e
        .catalog()
        .table("d", "mv")
        .and_then(|t| t.mv.clone())
        .expect("mv");
    assert_eq!(
        (mv.active, mv.inactive_reason.as_str()),
        (false, "base-table dropped: c")
    );
    let x = err(&e, &mut s, "ALTER MATERIALIZED VIEW mv ACTIVE");
    assert!(x.message.contains("base table d.c"), "{}", x.message);
}

/// Loads into keyed tables look earlier rows up by key (issue 14: an INSERT costs what it
/// inserts, not the table): the result is the same as merging the whole partition — a later
/// row replaces (PRIMARY) or aggregates into (AGGREGATE) the earlier one in its place — also
/// after DELETE, UPDATE, TRUNCATE and INSERT OVERWRITE changed the rows between loads, and
/// the partition's byte estimate stays equal to the sum over its rows.
#[test]
fn keyed_loads_merge_by_key_across_other_statements() {
    let e = Engine::new(&config());
    let mut s = session(1);
    ok(&e, &mut s, "CREATE DATABASE k; USE k");
    ok(
        &e,
        &mut s,
        "CREATE TABLE pk (id INT NOT NULL, v VARCHAR(20)) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
    );
    ok(
        &e,
        &mut s,
        "INSERT INTO pk VALUES (1, 'a'), (2, 'b'), (3, 'c')",
    );
    ok(
        &e,
        &mut s,
        "INSERT INTO pk VALUES (2, 'bb'), (4, 'd'), (2, 'bbb')",
    );
    let all = |e: &Engine, s: &mut Session| rows(e, s, "SELECT id, v FROM pk");
    assert_eq!(
        all(&e, &mut s),
        [["1", "a"], ["2", "bbb"], ["3", "c"], ["4", "d"]]
    );
    ok(&e, &mut s, "DELETE FROM pk WHERE id = 1");
    ok(&e, &mut s, "INSERT INTO pk VALUES (3, 'cc'), (1, 'aa')");
    assert_eq!(
        all(&e, &mut s),
        [["2", "bbb"], ["3", "cc"], ["4", "d"], ["1", "aa"]]
    );
    ok(&e, &mut s, "UPDATE pk SET v = 'u' WHERE id = 4");
    ok(&e, &mut s, "INSERT INTO pk VALUES (4, 'dd')");
    assert_eq!(all(&e, &mut s).len(), 4);
    ok(&e, &mut s, "TRUNCATE TABLE pk");
    ok(&e, &mut s, "INSERT INTO pk VALUES (4, 'x')");
    assert_eq!(all(&e, &mut s), [["4", "x"]]);
    ok(&e, &mut s, "INSERT OVERWRITE pk VALUES (5, 'y'), (5, 'z')");
    ok(&e, &mut s, "INSERT INTO pk VALUES (5, 'w'), (6, 'v')");
    assert_eq!(all(&e, &mut s), [["5", "w"], ["6", "v"]]);

    ok(
        &e,
        &mut s,
        "CREATE TABLE agg (id INT NOT NULL, n BIGINT SUM) AGGREGATE KEY (id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
    );
    ok(&e, &mut s, "INSERT INTO agg VALUES (1, 5), (2, 1), (1, 7)");
    ok(&e, &mut s, "INSERT INTO agg VALUES (1, 3)");
    assert_eq!(
        rows(&e, &mut s, "SELECT id, n FROM agg"),
        [["1", "15"], ["2", "1"]]
    );

    let cat = e.catalog();
    for t in ["pk", "agg"] {
        for p in &cat.table("k", t).expect("table").partitions {
            let mut q = p.clone();
            q.recompute_size();
            assert_eq!(p.data_size, q.data_size, "{t}.{}", p.name);
        }
    }
}
