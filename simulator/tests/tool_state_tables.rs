//! A tool keeping its own state in StarRocks tables, over TCP with the `mysql` crate (pymysql
//! is not installed here; this is the same flow): a status table in a PRIMARY KEY table is
//! inserted, updated by key (with NOW()), deleted from, and read back; UPDATE on the other
//! key models and the unsafe forms are refused with StarRocks's texts.
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
