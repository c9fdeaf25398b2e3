//! A tool keeping its own state in StarRocks tables, over TCP with the `mysql` crate and with
//! Python's pymysql (`tests/python/status_table.py`; `./scripts/test` installs pymysql): a
//! status table in a PRIMARY KEY table is inserted, updated by key (with NOW()), deleted
//! from, and read back with joins and `IN (SELECT …)`; UPDATE on the other key models and the
//! unsafe forms are refused with StarRocks's texts.
//! Sources (facts only), StarRocks 3.4: fe/fe-core/src/main/java/com/starrocks/sql/analyzer/
//! UpdateAnalyzer.java, DeleteAnalyzer.java; OlapTable.supportsUpdate (PRIMARY KEY only);
//! an `UnsupportedException` reaches the client as the bare text (StmtExecutor).
#![allow(clippy::unwrap_used)]

mod tcp_support;

use mysql::prelude::Queryable;
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;
use tcp_support::{connect, error};

#[test]
fn status_table_in_a_primary_key_table() {
    let sim = Simulator::start(SimConfig::default()).expect("starts");
    let mut c = connect(&sim);
    for sql in [
        "CREATE DATABASE ops",
        "USE ops",
        "CREATE TABLE job_status (job VARCHAR(64) NOT NULL, state VARCHAR(16), updated DATETIME, attempts INT)
         PRIMARY KEY (job) DISTRIBUTED BY HASH(job) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
        "CREATE TABLE job_history (job VARCHAR(64) NOT NULL, label VARCHAR(64) NOT NULL, note VARCHAR(64))
         DUPLICATE KEY (job) DISTRIBUTED BY HASH(job) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
        "INSERT INTO job_status VALUES ('nightly', 'RUNNING', NOW(), 1), ('hourly', 'RUNNING', NOW(), 1)",
        "INSERT INTO job_history VALUES ('nightly', 'l1', 'first')",
    ] {
        c.query_drop(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    c.query_drop(
        "UPDATE job_status SET state = 'FINISHED', updated = CURRENT_TIMESTAMP, attempts = attempts + 1 WHERE job = 'nightly'",
    )
    .unwrap();
    assert_eq!(c.affected_rows(), 1);
    let rows: Vec<(String, String, i64)> = c
        .query("SELECT job, state, attempts FROM ops.job_status ORDER BY job")
        .unwrap();
    assert_eq!(
        rows,
        [
            ("hourly".into(), "RUNNING".into(), 1),
            ("nightly".into(), "FINISHED".into(), 2)
        ]
    );
    let updated: Vec<Option<String>> = c
        .query("SELECT updated FROM job_status WHERE job = 'nightly'")
        .unwrap();
    assert!(updated[0].is_some());
    c.query_drop("DELETE FROM job_status WHERE job = 'hourly'")
        .unwrap();
    let left: Vec<String> = c.query("SELECT job FROM job_status").unwrap();
    assert_eq!(left, ["nightly"]);

    // Refusals, in UpdateAnalyzer's order.
    assert_eq!(
        error(
            &mut c,
            "UPDATE job_history SET note = 'x' WHERE job = 'nightly'"
        ),
        (1064, "table job_history does not support update".into())
    );
    assert_eq!(
        error(&mut c, "UPDATE job_status SET nope = 1 WHERE job = 'nightly'"),
        (
            1064,
            "Getting analyzing error. Detail message: table 'job_status' do not existing column 'nope'.".into()
        )
    );
    assert_eq!(
        error(
            &mut c,
            "UPDATE job_status SET job = 'x' WHERE job = 'nightly'"
        ),
        (
            1064,
            "Getting analyzing error. Detail message: primary key column cannot be updated: job."
                .into()
        )
    );
    // Without WHERE: refused unless the update is partial (≤ 3 columns and < 30% of them);
    // 2 of 4 columns is 50%.
    assert_eq!(
        error(&mut c, "UPDATE job_status SET state = 'x', attempts = 0"),
        (
            1064,
            "Getting analyzing error. Detail message: must specify where clause to prevent full table update.".into()
        )
    );
    // DELETE: a WHERE clause is required on every key model.
    assert_eq!(
        error(&mut c, "DELETE FROM job_status"),
        (
            1064,
            "Getting analyzing error. Detail message: Delete must specify where clause to prevent full table delete.".into()
        )
    );
    assert_eq!(
        error(&mut c, "DELETE FROM job_history"),
        (
            1064,
            "Getting analyzing error. Detail message: Where clause is not set.".into()
        )
    );
}

/// The status table read with its history: `JOIN … ON` with aliases and qualified columns,
/// `LEFT JOIN` (NULLs where no row matches), `IN (SELECT …)` / `NOT IN`, and StarRocks's
/// refusals (sql/analyzer/RelationFields.java, Scope.java `Column '%s' is ambiguous`;
/// QueryAnalyzer.java ERR_NONUNIQ_TABLE; SelectAnalyzer.java `Unknown table '%s'` for `t.*`).
#[test]
fn status_table_read_with_joins_and_subqueries() {
    let sim = Simulator::start(SimConfig::default()).expect("starts");
    let mut c = connect(&sim);
    for sql in [
        "CREATE DATABASE ops",
        "CREATE DATABASE hist",
        "USE ops",
        "CREATE TABLE job_status (job VARCHAR(64) NOT NULL, state VARCHAR(16), attempts INT)
         PRIMARY KEY (job) DISTRIBUTED BY HASH(job) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
        "CREATE TABLE hist.runs (label VARCHAR(64) NOT NULL, job VARCHAR(64) NOT NULL, state VARCHAR(16))
         DUPLICATE KEY (label) DISTRIBUTED BY HASH(label) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
        "INSERT INTO job_status VALUES ('nightly', 'RUNNING', 1), ('hourly', 'RUNNING', 1), ('weekly', 'IDLE', 0)",
        "INSERT INTO hist.runs VALUES ('n1', 'nightly', 'FINISHED'), ('n2', 'nightly', 'CANCELLED'), ('h1', 'hourly', 'FINISHED')",
        "UPDATE job_status SET state = 'FINISHED', attempts = attempts + 1 WHERE job = 'hourly'",
        "DELETE FROM job_status WHERE job = 'weekly'",
        "INSERT INTO job_status VALUES ('monthly', 'IDLE', 0)",
    ] {
        c.query_drop(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let rows: Vec<(String, String, String)> = c
        .query(
            "SELECT s.job, s.state, r.label FROM job_status s INNER JOIN hist.runs AS r ON s.job = r.job
             WHERE r.state = 'FINISHED' ORDER BY r.label",
        )
        .unwrap();
    assert_eq!(
        rows,
        [
            ("hourly".into(), "FINISHED".into(), "h1".into()),
            ("nightly".into(), "RUNNING".into(), "n1".into())
        ]
    );
    let rows: Vec<(String, i64)> = c
        .query(
            "SELECT s.job, COUNT(r.label) FROM job_status s LEFT OUTER JOIN hist.runs r ON r.job = s.job
             GROUP BY s.job ORDER BY s.job",
        )
        .unwrap();
    assert_eq!(
        rows,
        [
            ("hourly".into(), 1),
            ("monthly".into(), 0),
            ("nightly".into(), 2)
        ]
    );
    let rows: Vec<(String, Option<String>)> = c
        .query("SELECT job_status.job, runs.label FROM job_status LEFT JOIN hist.runs ON runs.job = job_status.job WHERE runs.label IS NULL")
        .unwrap();
    assert_eq!(rows, [("monthly".into(), None)]);
    let rows: Vec<String> = c
        .query("SELECT job FROM job_status WHERE job IN (SELECT job FROM hist.runs WHERE state = 'CANCELLED')")
        .unwrap();
    assert_eq!(rows, ["nightly"]);
    let rows: Vec<String> = c
        .query(
            "SELECT job FROM job_status WHERE job NOT IN (SELECT job FROM hist.runs) ORDER BY job",
        )
        .unwrap();
    assert_eq!(rows, ["monthly"]);
    let rows: Vec<(String, String)> = c
        .query("SELECT r.*, s.state FROM hist.runs r JOIN job_status s ON s.job = r.job WHERE r.label = 'h1'")
        .map(|v: Vec<(String, String, String, String)>| {
            v.into_iter().map(|(a, _, _, d)| (a, d)).collect()
        })
        .unwrap();
    assert_eq!(rows, [("h1".into(), "FINISHED".into())]);

    let analyzing = |d: &str| {
        (
            1064,
            format!("Getting analyzing error. Detail message: {d}."),
        )
    };
    assert_eq!(
        error(
            &mut c,
            "SELECT job FROM job_status s JOIN hist.runs r ON s.job = r.job"
        ),
        analyzing("Column 'job' is ambiguous")
    );
    // With an alias the table's own name no longer qualifies its columns.
    assert_eq!(
        error(
            &mut c,
            "SELECT job_status.job FROM job_status s JOIN hist.runs r ON s.job = r.job"
        ),
        analyzing("Column 'job_status.job' cannot be resolved")
    );
    assert_eq!(
        error(
            &mut c,
            "SELECT s.job FROM job_status s JOIN hist.runs s ON s.job = s.job"
        ),
        (
            1066,
            "Getting analyzing error. Detail message: Not unique table/alias: 's'.".into()
        )
    );
    assert_eq!(
        error(&mut c, "SELECT x.* FROM job_status s"),
        analyzing("Unknown table 'x'")
    );
    assert_eq!(
        error(
            &mut c,
            "SELECT job FROM job_status WHERE job IN (SELECT job, state FROM hist.runs)"
        ),
        analyzing(
            "subquery must return the same number of columns as provided by the IN predicate"
        )
    );
}

/// The same flow from Python, as a third-party tool would send it (pymysql, parameters
/// interpolated client-side).
#[test]
fn status_table_from_pymysql() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import pymysql"])
        .status();
    assert!(
        probe.is_ok_and(|s| s.success()),
        "python3 with pymysql is needed (./scripts/test installs it, or: python3 -m pip install pymysql)"
    );
    let sim = Simulator::start(SimConfig::default()).expect("starts");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/status_table.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(sim.port().to_string())
        .output()
        .expect("runs python3");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
