//! Queries read row by row (issue 14): an `information_schema` scan that builds only the
//! columns a query reads, one row at a time, and grouped aggregates fed as rows are read.
//! Each is compared with what the whole table (`infoschema::table`, every column, every
//! row materialized) gives when the same computation is done here.

use std::collections::BTreeMap;

use starsnap_simulator::engine::{infoschema, BulkTables, Engine};
use starsnap_simulator::{Clock, Handler, Response, Session, SimConfig};

fn engine() -> (Engine, Session) {
    let e = Engine::new(&SimConfig {
        clock: Clock::virtual_at(1_704_067_200_000),
        ..SimConfig::default()
    });
    e.bulk_create_tables(&BulkTables {
        database: "bulk".into(),
        tables: 7,
        partitions_per_table: 5,
        ..BulkTables::default()
    })
    .expect("bulk");
    let mut s = Session {
        connection_id: 1,
        user: "root".into(),
        ..Session::default()
    };
    for sql in [
        "CREATE DATABASE d2",
        "CREATE TABLE d2.u (k INT, v VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1",
        "INSERT INTO bulk.t0003 VALUES ('2024-01-02', 1, 1)",
        "INSERT INTO d2.u VALUES (1, 'b'), (2, 'a'), (3, NULL), (3, 'a')",
    ] {
        let out = e.query(&mut s, sql);
        assert!(out.iter().all(Result::is_ok), "{sql}: {out:?}");
    }
    (e, s)
}

fn rows(e: &Engine, s: &mut Session, sql: &str) -> Vec<Vec<Option<String>>> {
    match e.query(s, sql).pop() {
        Some(Ok(Response::ResultSet { rows, .. })) => rows,
        other => panic!("{sql}: {other:?}"),
    }
}

/// `information_schema.partitions_meta` in full, as text rows, with its column names.
fn whole(e: &Engine, s: &Session) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    e.with_ctx(|ctx| {
        let t = infoschema::table(ctx, s, "partitions_meta").expect("partitions_meta");
        let names = t.columns.iter().map(|(n, _)| n.clone()).collect();
        let rows = t
            .rows
            .iter()
            .map(|r| r.iter().map(|v| v.to_text()).collect())
            .collect();
        (names, rows)
    })
}

#[test]
fn a_narrow_scan_equals_the_whole_table_projected() {
    let (e, mut s) = engine();
    let (names, all) = whole(&e, &s);
    let at = |n: &str| names.iter().position(|c| c == n).expect(n);
    let picked = [
        "PARTITION_VALUE",
        "TABLE_NAME",
        "VISIBLE_VERSION",
        "IS_TEMP",
    ];
    let want: Vec<Vec<Option<String>>> = all
        .iter()
        .filter(|r| r[at("DB_NAME")].as_deref() == Some("bulk"))
        .map(|r| picked.iter().map(|n| r[at(n)].clone()).collect())
        .collect();
    let got = rows(
        &e,
        &mut s,
        "SELECT PARTITION_VALUE, TABLE_NAME, VISIBLE_VERSION, IS_TEMP \
         FROM information_schema.partitions_meta WHERE DB_NAME = 'bulk'",
    );
    assert_eq!(got, want);
    assert_eq!(got.len(), 35);
    // `SELECT *` still has every column, in the layout's order.
    let star = rows(
        &e,
        &mut s,
        "SELECT * FROM information_schema.partitions_meta",
    );
    assert_eq!(star, all);
}

#[test]
fn the_partition_summary_equals_sums_over_the_whole_table() {
    let (e, mut s) = engine();
    let (names, all) = whole(&e, &s);
    let at = |n: &str| names.iter().position(|c| c == n).expect(n);
    let int = |r: &Vec<Option<String>>, n: &str| -> i64 {
        r[at(n)].as_deref().expect(n).parse().expect(n)
    };
    // Per (db, table, is_temp): count, id sum, version sum, name CRC sum, max value.
    type Sums = (i64, i64, i64, i64, String);
    let mut want: BTreeMap<(String, String, String), Sums> = BTreeMap::new();
    for r in &all {
        let key = (
            r[at("DB_NAME")].clone().unwrap_or_default(),
            r[at("TABLE_NAME")].clone().unwrap_or_default(),
            r[at("IS_TEMP")].clone().unwrap_or_default(),
        );
        let id = int(r, "PARTITION_ID");
        let name = format!("{}/{id}", r[at("PARTITION_NAME")].as_deref().unwrap_or(""));
        let value = r[at("PARTITION_VALUE")].clone().unwrap_or_default();
        let e = want.entry(key).or_insert((0, 0, 0, 0, String::new()));
        e.0 += 1;
        e.1 += id;
        e.2 += int(r, "VISIBLE_VERSION");
        e.3 += i64::from(crc32fast::hash(name.as_bytes()));
        if value >= e.4 {
            e.4 = value;
        }
    }
    let want: Vec<Vec<Option<String>>> = want
        .into_iter()
        .map(|((db, t, temp), (n, ids, versions, crcs, value))| {
            [db, t, temp]
                .into_iter()
                .chain([n, ids, versions, crcs].map(|x| x.to_string()))
                .chain([value])
                .map(Some)
                .collect()
        })
        .collect();
    let got = rows(
        &e,
        &mut s,
        "SELECT DB_NAME, TABLE_NAME, IS_TEMP, COUNT(*) AS PARTITIONS, SUM(PARTITION_ID) AS ID_SUM, \
         SUM(VISIBLE_VERSION) AS VERSION_SUM, \
         SUM(CRC32(CONCAT(PARTITION_NAME, '/', CAST(PARTITION_ID AS VARCHAR)))) AS NAME_SUM, \
         MAX(PARTITION_VALUE) AS PARTITION_VALUE \
         FROM information_schema.partitions_meta GROUP BY DB_NAME, TABLE_NAME, IS_TEMP",
    );
    assert_eq!(got, want);
    assert_eq!(got.len(), 8, "7 bulk tables and d2.u");
}

#[test]
fn grouped_aggregates_fed_row_by_row() {
    let (e, mut s) = engine();
    let t = |rows: Vec<Vec<Option<String>>>| -> Vec<Vec<String>> {
        rows.into_iter()
            .map(|r| r.into_iter().map(|c| c.unwrap_or("NULL".into())).collect())
            .collect()
    };
    let q = |s: &mut Session, sql: &str| t(rows(&e, s, sql));
    // Groups come out in key order; the non-aggregated column is the group's first row's.
    assert_eq!(
        q(
            &mut s,
            "SELECT k, COUNT(*), COUNT(v), MIN(v), MAX(v), SUM(k) + 1 FROM d2.u GROUP BY k"
        ),
        [
            ["1", "1", "1", "b", "b", "2"],
            ["2", "1", "1", "a", "a", "3"],
            ["3", "2", "1", "a", "a", "7"],
        ]
    );
    // HAVING and ORDER BY over aggregates, shared calls, DISTINCT.
    assert_eq!(
        q(
            &mut s,
            "SELECT v, COUNT(DISTINCT k) AS n FROM d2.u GROUP BY v HAVING COUNT(*) >= 1 \
             ORDER BY COUNT(DISTINCT k) DESC, v"
        ),
        [["a", "2"], ["NULL", "1"], ["b", "1"]]
    );
    // No GROUP BY: one group, even over no rows.
    assert_eq!(
        q(
            &mut s,
            "SELECT COUNT(*), SUM(k), MAX(v), k FROM d2.u WHERE k > 9"
        ),
        [["0", "NULL", "NULL", "NULL"]]
    );
    assert_eq!(
        q(&mut s, "SELECT COUNT(*), AVG(k), MIN(k) FROM d2.u"),
        [["4", "2.25", "1"]]
    );
    // Grouping by position, over a scan.
    assert_eq!(
        q(
            &mut s,
            "SELECT TABLE_NAME, COUNT(*) FROM information_schema.partitions_meta \
             WHERE DB_NAME = 'bulk' AND TABLE_NAME IN ('t0001', 't0003') GROUP BY 1"
        ),
        [["t0001", "5"], ["t0003", "5"]]
    );
    // An aggregate outside a grouped context is refused.
    let out = e
        .query(&mut s, "SELECT k FROM d2.u WHERE COUNT(*) > 1")
        .pop();
    assert!(matches!(out, Some(Err(_))), "{out:?}");
}

#[test]
fn partition_values_write_every_date_digit() {
    let (e, mut s) = engine();
    let sql = "CREATE TABLE d2.m (dt DATE NOT NULL, v INT) DUPLICATE KEY(dt) \
         PARTITION BY RANGE(dt) (PARTITION p0 VALUES [('0987-10-09'), ('2024-11-30')), \
         PARTITION p1 VALUES [('2024-11-30'), ('2025-12-01'))) \
         DISTRIBUTED BY HASH(v) BUCKETS 1";
    let out = e.query(&mut s, sql);
    assert!(out.iter().all(Result::is_ok), "{sql}: {out:?}");
    let got = rows(
        &e,
        &mut s,
        "SELECT PARTITION_VALUE FROM information_schema.partitions_meta \
         WHERE DB_NAME = 'd2' AND TABLE_NAME = 'm'",
    );
    assert_eq!(
        got,
        [
            [Some(
                "[types: [DATE]; keys: [0987-10-09]; ..types: [DATE]; keys: [2024-11-30]; )"
                    .to_string()
            )],
            [Some(
                "[types: [DATE]; keys: [2024-11-30]; ..types: [DATE]; keys: [2025-12-01]; )"
                    .to_string()
            )],
        ]
    );
}

#[test]
fn in_lists_of_strings_match_whole_values_only() {
    let (e, mut s) = engine();
    for sql in [
        "CREATE TABLE d2.w (k VARCHAR(10), n INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(n) BUCKETS 1",
        "INSERT INTO d2.w VALUES ('', 1), ('a', 2), ('ab', 3), ('b', 4), ('abc', 5), (NULL, 6)",
    ] {
        let out = e.query(&mut s, sql);
        assert!(out.iter().all(Result::is_ok), "{sql}: {out:?}");
    }
    let n = |s: &mut Session, w: &str| -> Vec<String> {
        rows(&e, s, &format!("SELECT n FROM d2.w WHERE {w} ORDER BY n"))
            .into_iter()
            .map(|r| r[0].clone().unwrap_or_default())
            .collect()
    };
    // Short lists are compared item by item; from eight string literals on, a list is
    // looked up in a set (`Expr::InStrings`): the answers are the same.
    for pad in [
        "",
        ", 'zz0', 'zz1', 'zz2', 'zz3', 'zz4', 'zz5', 'zz6', 'zz7'",
    ] {
        assert_eq!(n(&mut s, &format!("k IN ('ab', '', 'x'{pad})")), ["1", "3"]);
        assert_eq!(
            n(&mut s, &format!("k NOT IN ('ab', 'b'{pad})")),
            ["1", "2", "5"]
        );
        assert_eq!(n(&mut s, &format!("k IN ('a', 'abd', 'A'{pad})")), ["2"]);
        // A NULL in the list: no match is NULL, not false.
        assert_eq!(
            n(&mut s, &format!("k NOT IN ('a', NULL{pad})")),
            Vec::<String>::new()
        );
        // A number against strings is compared as a number.
        assert_eq!(n(&mut s, &format!("n IN ('2', '04'{pad})")), ["2", "4"]);
        // A NULL value is NULL in and NULL not in.
        let tested = rows(
            &e,
            &mut s,
            &format!("SELECT n, k IN ('a'{pad}), k NOT IN ('a'{pad}) FROM d2.w ORDER BY n"),
        );
        let at = |i: usize| -> Vec<Option<String>> { tested[i][1..].to_vec() };
        assert_eq!(at(1), [Some("1".to_string()), Some("0".to_string())]);
        assert_eq!(at(5), [None, None]);
    }
}

#[test]
fn and_or_skip_only_a_right_side_that_cannot_fail() {
    let (e, mut s) = engine();
    for sql in [
        "CREATE TABLE d2.tv (id INT, a INT, b INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1",
        "INSERT INTO d2.tv VALUES (1, 1, 1), (2, 1, 0), (3, 1, NULL), (4, 0, 1), (5, 0, 0), \
         (6, 0, NULL), (7, NULL, 1), (8, NULL, 0), (9, NULL, NULL)",
    ] {
        let out = e.query(&mut s, sql);
        assert!(out.iter().all(Result::is_ok), "{sql}: {out:?}");
    }
    // Three-valued logic whether the right side is skipped when the left decides (a plain
    // comparison) or always read (a cast, which could fail).
    for op in ["AND", "OR"] {
        let skipped = rows(
            &e,
            &mut s,
            &format!("SELECT id, (a = 1) {op} (b = 1) FROM d2.tv ORDER BY id"),
        );
        let read = rows(
            &e,
            &mut s,
            &format!("SELECT id, (a = 1) {op} (CAST(b AS INT) = 1) FROM d2.tv ORDER BY id"),
        );
        assert_eq!(skipped, read, "{op}");
        let truth: String = skipped
            .iter()
            .map(|r| match r[1].as_deref() {
                Some("1") => 'T',
                Some("0") => 'F',
                None => 'N',
                Some(_) => '?',
            })
            .collect();
        // Rows 1-9: a, b over (1, 0, NULL) × (1, 0, NULL).
        let want = if op == "AND" {
            "TFNFFFNFN"
        } else {
            "TTTTFNTNN"
        };
        assert_eq!(truth, want, "{op}");
    }
    // A right side that can fail is read even where the left side is FALSE for every row:
    // the error StarRocks raises is not hidden.
    let out = e
        .query(
            &mut s,
            "SELECT id FROM d2.tv WHERE id > 100 AND COUNT(*) > 1",
        )
        .pop();
    assert!(matches!(out, Some(Err(_))), "{out:?}");
}
