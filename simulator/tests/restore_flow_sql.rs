//! The SQL a restore through a scratch database sends, over TCP: `CREATE TABLE live.copy LIKE
//! scratch.t`, `INSERT INTO live.copy SELECT * FROM scratch.t`, `ALTER TABLE live.t SWAP WITH
//! copy`; and `ALTER DATABASE a RENAME b`.
//! Sources (facts only), StarRocks 3.4 (`pinterest/starrocks` `pinterest-integration-3.4.5`,
//! paths under fe/fe-core/src/main/java/com/starrocks/):
//! sql/analyzer/CreateTableLikeAnalyzer.java (the source's getDdlStmt text parsed again and
//! renamed; `Table %s is not found` naming the new table; ERROR_CREATE_TABLE_LIKE_UNSUPPORTED_VIEW
//! 5075 `Create table like does not support create view.`), server/LocalMetastore.java
//! `renameDatabase` (`Same database name`, ERR_BAD_DB_ERROR, `Database name[b] is already used`),
//! sql/parser/StarRocks.g4 `alterDatabaseRenameStatement`.
#![allow(clippy::unwrap_used)]

mod tcp_support;

use mysql::prelude::Queryable;
use mysql::{Conn, Row};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;
use tcp_support::{connect, error, run};

/// `(PartitionName, PartitionId, VisibleVersion, RowCount)` of SHOW PARTITIONS, by name.
fn partitions(c: &mut Conn, table: &str) -> Vec<(String, u64, u64, u64)> {
    let rows: Vec<Row> = c.query(format!("SHOW PARTITIONS FROM {table}")).unwrap();
    rows.into_iter()
        .map(|r| {
            let s = |n: &str| -> String { r.get::<String, _>(n).unwrap() };
            (
                s("PartitionName"),
                s("PartitionId").parse().unwrap(),
                s("VisibleVersion").parse().unwrap(),
                s("RowCount").parse().unwrap(),
            )
        })
        .collect()
}

fn show_create(c: &mut Conn, table: &str) -> String {
    let rows: Vec<Row> = c.query(format!("SHOW CREATE TABLE {table}")).unwrap();
    rows[0].get::<String, _>("Create Table").unwrap()
}

const SALES: &str =
    "CREATE TABLE scratch.sales (dt DATE NOT NULL, id INT NOT NULL, amount BIGINT SUM)
     AGGREGATE KEY (dt, id) COMMENT 'sales'
     PARTITION BY RANGE(dt) (
       PARTITION p1 VALUES LESS THAN ('2024-01-02'),
       PARTITION p2 VALUES LESS THAN ('2024-01-03'),
       PARTITION p3 VALUES LESS THAN ('2024-01-04'))
     DISTRIBUTED BY HASH(id) BUCKETS 3 PROPERTIES ('replication_num' = '1')";

#[test]
fn create_like_across_databases_then_insert_select_then_swap() {
    let sim = Simulator::start(SimConfig::default()).expect("starts");
    let mut c = connect(&sim);
    run(
        &mut c,
        &[
            "CREATE DATABASE live",
            "CREATE DATABASE scratch",
            SALES,
            "INSERT INTO scratch.sales VALUES ('2024-01-01', 1, 10), ('2024-01-01', 2, 20), ('2024-01-03', 1, 5)",
            // The live table the restore replaces.
            "CREATE TABLE live.sales LIKE scratch.sales",
            "INSERT INTO live.sales VALUES ('2024-01-02', 9, 99)",
        ],
    );
    // Same definition, under the new name: columns, keys, comment, partitions, distribution,
    // properties.
    let src = show_create(&mut c, "scratch.sales");
    let copy = show_create(&mut c, "live.sales");
    assert_eq!(copy, src);
    run(&mut c, &["CREATE TABLE live.sales_copy LIKE scratch.sales"]);
    let copy = show_create(&mut c, "live.sales_copy");
    assert_eq!(
        copy,
        src.replacen("CREATE TABLE `sales`", "CREATE TABLE `sales_copy`", 1)
    );
    // Same partitions, empty, new ids, fresh versions.
    let sp = partitions(&mut c, "scratch.sales");
    let cp = partitions(&mut c, "live.sales_copy");
    assert_eq!(
        cp.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
        ["p1", "p2", "p3"]
    );
    for (s, p) in sp.iter().zip(&cp) {
        assert_ne!(s.1, p.1, "new partition id for {}", p.0);
        assert_eq!((p.2, p.3), (1, 0), "{} is empty at version 1", p.0);
    }

    // Cross-database INSERT … SELECT: rows land by dt; each written partition's version
    // moves by one, as a load does.
    c.query_drop("INSERT INTO live.sales_copy SELECT * FROM scratch.sales")
        .unwrap();
    assert_eq!(c.affected_rows(), 3);
    let cp = partitions(&mut c, "live.sales_copy");
    assert_eq!(
        cp.iter()
            .map(|p| (p.0.as_str(), p.2, p.3))
            .collect::<Vec<_>>(),
        [("p1", 2, 2), ("p2", 1, 0), ("p3", 2, 1)]
    );

    // SWAP the copy in.
    run(&mut c, &["ALTER TABLE live.sales SWAP WITH sales_copy"]);
    let rows: Vec<(String, i64, i64)> = c
        .query("SELECT CAST(dt AS VARCHAR), id, amount FROM live.sales ORDER BY dt, id")
        .unwrap();
    assert_eq!(
        rows,
        [
            ("2024-01-01".into(), 1, 10),
            ("2024-01-01".into(), 2, 20),
            ("2024-01-03".into(), 1, 5)
        ]
    );
    let old: Vec<i64> = c.query("SELECT id FROM live.sales_copy").unwrap();
    assert_eq!(old, [9]);
}

#[test]
fn create_like_keeps_primary_keys_and_unpartitioned_tables() {
    let sim = Simulator::start(SimConfig::default()).expect("starts");
    let mut c = connect(&sim);
    run(
        &mut c,
        &[
            "CREATE DATABASE d",
            "USE d",
            "CREATE TABLE st (job VARCHAR(64) NOT NULL, state VARCHAR(16)) PRIMARY KEY (job)
             DISTRIBUTED BY HASH(job) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "CREATE TABLE st2 LIKE st",
            "INSERT INTO st2 VALUES ('a', 'x')",
            "UPDATE st2 SET state = 'y' WHERE job = 'a'",
            // IF NOT EXISTS on an existing target is a no-op.
            "CREATE TABLE IF NOT EXISTS st2 LIKE st",
        ],
    );
    assert_eq!(
        show_create(&mut c, "st2"),
        show_create(&mut c, "st").replacen("`st`", "`st2`", 1)
    );
    let v: Vec<(String, String)> = c.query("SELECT job, state FROM st2").unwrap();
    assert_eq!(v, [("a".into(), "y".into())]);
}

#[test]
fn create_like_refusals() {
    let sim = Simulator::start(SimConfig::default()).expect("starts");
    let mut c = connect(&sim);
    run(
        &mut c,
        &[
            "CREATE DATABASE d",
            "USE d",
            "CREATE TABLE t (k INT) DUPLICATE KEY (k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "CREATE TABLE t2 LIKE t",
            "CREATE VIEW v AS SELECT k FROM t",
        ],
    );
    // Existing target: LocalMetastore.createTable's ERR_TABLE_EXISTS_ERROR.
    assert_eq!(
        error(&mut c, "CREATE TABLE t2 LIKE t"),
        (1050, "Table 't2' already exists".into())
    );
    // A missing source (table or database): the message names the new table.
    assert_eq!(
        error(&mut c, "CREATE TABLE t3 LIKE missing"),
        (
            1064,
            "Getting analyzing error. Detail message: Table t3 is not found.".into()
        )
    );
    assert_eq!(
        error(&mut c, "CREATE TABLE t3 LIKE nodb.t"),
        (
            1064,
            "Getting analyzing error. Detail message: Table t3 is not found.".into()
        )
    );
    assert_eq!(
        error(&mut c, "CREATE TABLE t3 LIKE v"),
        (
            5075,
            // The ErrorCode text ends in '.', and the analyzer wrapper adds another.
            "Getting analyzing error. Detail message: Create table like does not support create view..".into()
        )
    );
    let (code, msg) = error(&mut c, "CREATE TABLE nodb.t3 LIKE t");
    assert!(msg.contains("Unknown database 'nodb'"), "{code} {msg}");
}

#[test]
fn alter_database_rename() {
    let sim = Simulator::start(SimConfig::default()).expect("starts");
    let mut c = connect(&sim);
    run(
        &mut c,
        &[
            "CREATE DATABASE a",
            "CREATE DATABASE b",
            "CREATE TABLE a.t (k INT) DUPLICATE KEY (k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "INSERT INTO a.t VALUES (1)",
        ],
    );
    assert_eq!(
        error(&mut c, "ALTER DATABASE a RENAME a"),
        (1064, "Same database name".into())
    );
    assert_eq!(
        error(&mut c, "ALTER DATABASE nope RENAME z"),
        (5501, "Unknown database 'nope'".into())
    );
    assert_eq!(
        error(&mut c, "ALTER DATABASE a RENAME b"),
        (1064, "Database name[b] is already used".into())
    );
    run(&mut c, &["ALTER DATABASE a RENAME c"]);
    let v: Vec<i64> = c.query("SELECT k FROM c.t").unwrap();
    assert_eq!(v, [1]);
    let (code, _) = error(&mut c, "SELECT k FROM a.t");
    assert_eq!(code, 5501);
    // `RENAME TO` is not StarRocks syntax.
    let (code, msg) = error(&mut c, "ALTER DATABASE c RENAME TO d");
    assert_eq!(code, 1064);
    assert!(msg.starts_with("Getting syntax error"), "{msg}");
}

/// `SELECT … FROM t PARTITION (p, …)` reads only those partitions — how a restore counts the
/// rows of one partition at a known version; an unknown partition is refused.
#[test]
fn select_from_named_partitions() {
    let sim = Simulator::start(SimConfig::default()).unwrap();
    let mut c = connect(&sim);
    run(
        &mut c,
        &[
            "CREATE DATABASE d",
            "CREATE TABLE d.t (dt DATE, id INT) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) \
             (PARTITION p1 VALUES LESS THAN ('2024-02-01'), PARTITION p2 VALUES LESS THAN ('2024-03-01')) \
             DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "INSERT INTO d.t VALUES ('2024-01-01', 1), ('2024-01-02', 2), ('2024-02-01', 3)",
        ],
    );
    let n: Vec<u64> = c
        .query("SELECT COUNT(*) AS n FROM d.t PARTITION (p1)")
        .unwrap();
    assert_eq!(n, [2]);
    let n: Vec<u64> = c
        .query("SELECT COUNT(*) FROM d.t PARTITIONS (p1, p2) x")
        .unwrap();
    assert_eq!(n, [3]);
    let (_, msg) = error(&mut c, "SELECT COUNT(*) FROM d.t PARTITION (p9)");
    assert!(msg.contains("Unknown partition 'p9' in table 't'"), "{msg}");
}
