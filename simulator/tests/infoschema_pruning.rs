//! `information_schema.partitions_meta` computes only the columns a query reads: the cells it
//! returns must be exactly those of `SELECT *`, whatever the projection, filter or order.
#![allow(clippy::unwrap_used)]

use starsnap_simulator::engine::Engine;
use starsnap_simulator::response::{Handler, Response, Session};
use starsnap_simulator::SimConfig;

fn rows(engine: &Engine, s: &mut Session, sql: &str) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    match engine.query(s, sql).pop().unwrap().unwrap() {
        Response::ResultSet { columns, rows } => {
            (columns.into_iter().map(|c| c.name).collect(), rows)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pruned_columns_match_select_star() {
    let engine = Engine::new(&SimConfig::default());
    let mut s = Session {
        user: "root".into(),
        ..Session::default()
    };
    for sql in [
        "CREATE DATABASE d",
        "CREATE TABLE d.t (dt DATE, k INT) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) \
         (PARTITION p1 VALUES LESS THAN ('2024-02-01'), PARTITION p2 VALUES LESS THAN ('2024-03-01')) \
         DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ('replication_num' = '1')",
        "INSERT INTO d.t VALUES ('2024-01-05', 1), ('2024-02-05', 2), ('2024-02-06', 3)",
    ] {
        engine.query(&mut s, sql).pop().unwrap().unwrap();
    }
    let (all_cols, all) = rows(
        &engine,
        &mut s,
        "SELECT * FROM information_schema.partitions_meta ORDER BY PARTITION_NAME",
    );
    let col = |name: &str| all_cols.iter().position(|c| c == name).unwrap();
    let (_, some) = rows(
        &engine,
        &mut s,
        "SELECT PARTITION_VALUE, DATA_SIZE, DB_NAME FROM information_schema.partitions_meta \
         WHERE TABLE_NAME = 't' AND DISTRIBUTION_KEY LIKE '%k%' ORDER BY PARTITION_NAME",
    );
    assert_eq!(some.len(), 2);
    for (r, full) in some.iter().zip(&all) {
        assert_eq!(r[0], full[col("PARTITION_VALUE")]);
        assert!(r[0].as_deref().is_some_and(|v| v.contains("2024")), "{r:?}");
        assert_eq!(r[1], full[col("DATA_SIZE")]);
        assert_eq!(r[2].as_deref(), Some("d"));
    }
    let (_, count) = rows(
        &engine,
        &mut s,
        "SELECT COUNT(*) FROM information_schema.partitions_meta",
    );
    assert_eq!(count[0][0].as_deref(), Some("2"));
}

/// A WHERE of equalities and `IN` lists under AND and OR (a scoped inspection's) is pushed
/// into the scan as key terms: the rows are exactly those the WHERE keeps of a full scan.
#[test]
fn scoped_where_clauses_return_what_a_full_scan_filters() {
    let engine = Engine::new(&SimConfig::default());
    let mut s = Session {
        user: "root".into(),
        ..Session::default()
    };
    for db in ["a", "b", "c"] {
        engine
            .query(&mut s, &format!("CREATE DATABASE {db}"))
            .pop()
            .unwrap()
            .unwrap();
        for t in ["t1", "t2", "t3"] {
            let ddl = format!(
                "CREATE TABLE {db}.{t} (dt DATE, k INT) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) \
                 (PARTITION p1 VALUES LESS THAN ('2024-02-01'), PARTITION p2 VALUES LESS THAN ('2024-03-01')) \
                 DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ('replication_num' = '1')"
            );
            engine.query(&mut s, &ddl).pop().unwrap().unwrap();
        }
    }
    let mut keys = |sql: &str| -> Vec<(String, String, String)> {
        let (cols, rs) = rows(&engine, &mut s, sql);
        let at = |n: &str| cols.iter().position(|c| c == n).unwrap();
        let (d, t, p) = (at("DB_NAME"), at("TABLE_NAME"), at("PARTITION_NAME"));
        let mut out: Vec<_> = rs
            .into_iter()
            .map(|r| {
                let cell = |i: usize| r[i].clone().unwrap_or_default();
                (cell(d), cell(t), cell(p))
            })
            .collect();
        out.sort();
        out
    };
    let all =
        keys("SELECT DB_NAME, TABLE_NAME, PARTITION_NAME FROM information_schema.partitions_meta");
    for (filter, keep) in [
        (
            "DB_NAME IN ('a') OR (DB_NAME = 'b' AND TABLE_NAME IN ('t1', 't3'))",
            &(|d: &str, t: &str| d == "a" || d == "b" && (t == "t1" || t == "t3"))
                as &dyn Fn(&str, &str) -> bool,
        ),
        (
            "TABLE_NAME = 't2' AND DB_NAME IN ('a', 'c')",
            &|d: &str, t: &str| t == "t2" && (d == "a" || d == "c"),
        ),
        (
            "(DB_NAME = 'a' OR PARTITION_NAME = 'p1') AND TABLE_NAME IN ('t1')",
            &|d: &str, t: &str| t == "t1" && !d.is_empty(),
        ),
        ("DB_NAME IN ('A')", &|_: &str, _: &str| false),
    ] {
        let got = keys(&format!(
            "SELECT DB_NAME, TABLE_NAME, PARTITION_NAME FROM information_schema.partitions_meta WHERE {filter}"
        ));
        let mut want: Vec<_> = all
            .iter()
            .filter(|(d, t, p)| {
                keep(d, t) && (!filter.contains("PARTITION_NAME") || d == "a" || p == "p1")
            })
            .cloned()
            .collect();
        want.sort();
        assert_eq!(got, want, "{filter}");
    }
}
