//! Repositories on a real S3-compatible server: moto in server mode on 127.0.0.1
//! (`./scripts/test` installs `moto[server]`). A repository whose location is `s3://…` and
//! that has an `aws.s3.endpoint` property is stored on that server in StarRocks's layout; two
//! simulators pointed at the same bucket see the same snapshots; deleting a snapshot's
//! objects (through `starsnap-repo`, what the runtime uses) makes SHOW SNAPSHOT stop listing it.
#![allow(clippy::unwrap_used)]

mod tcp_support;

use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use mysql::Conn;
use starsnap_repo::test_server::Moto;
use starsnap_repo::{Repository, StoreOptions};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;
use tcp_support::{connect, run};

const BUCKET: &str = "starsnap-backups";
const SECRET: &str = "SECRETCANARYdoNotLeak";

fn create_repository(c: &mut Conn, moto: &Moto, read_only: bool) {
    let sql = format!(
        "CREATE {}REPOSITORY r WITH BROKER ON LOCATION 's3://{BUCKET}/prod' PROPERTIES (\
         'aws.s3.endpoint' = '{}', 'aws.s3.region' = 'us-east-1', \
         'aws.s3.access_key' = 'AKIACANARY', 'aws.s3.secret_key' = '{SECRET}')",
        if read_only { "READ ONLY " } else { "" },
        moto.endpoint()
    );
    run(c, &[&sql]);
}

/// Polls `SHOW {kind} FROM sales` until the job is FINISHED (or fails the test).
fn wait_finished(c: &mut Conn, kind: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows: Vec<mysql::Row> = c.query(format!("SHOW {kind} FROM sales")).unwrap();
        let state: String = rows[0].get("State").unwrap();
        if state == "FINISHED" {
            return;
        }
        let status: Option<String> = rows[0].get("Status");
        assert!(
            state != "CANCELLED" && Instant::now() < deadline,
            "{kind}: {state} {status:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn snapshots(c: &mut Conn) -> Vec<(String, String)> {
    let rows: Vec<mysql::Row> = c.query("SHOW SNAPSHOT ON r").unwrap();
    rows.iter()
        .map(|r| (r.get("Snapshot").unwrap(), r.get("Timestamp").unwrap()))
        .collect()
}

#[test]
fn backup_to_s3_restore_on_a_second_cluster_and_delete() {
    let moto = Moto::start().unwrap_or_else(|e| panic!("{e}"));
    moto.create_bucket(BUCKET).unwrap();

    // Cluster A: no local storage mapping at all, so nothing can land in a folder.
    let a = Simulator::start(SimConfig::default()).expect("starts");
    let mut ca = connect(&a);
    run(
        &mut ca,
        &[
            "CREATE DATABASE sales",
            "CREATE TABLE sales.orders (dt DATE NOT NULL, id INT NOT NULL, amount BIGINT)
             DUPLICATE KEY (dt, id)
             PARTITION BY RANGE(dt) (
               PARTITION p1 VALUES LESS THAN ('2024-01-02'),
               PARTITION p2 VALUES LESS THAN ('2024-01-03'))
             DISTRIBUTED BY HASH(id) BUCKETS 3 PROPERTIES ('replication_num' = '1')",
            "INSERT INTO sales.orders VALUES ('2024-01-01', 1, 10), ('2024-01-02', 2, 20), ('2024-01-02', 3, 30)",
        ],
    );
    create_repository(&mut ca, &moto, false);
    run(&mut ca, &["BACKUP SNAPSHOT sales.l1 TO r ON (orders)"]);
    wait_finished(&mut ca, "BACKUP");

    // An ordinary S3 client (boto3) sees the snapshot's objects in StarRocks's layout.
    let keys = moto.keys(BUCKET).unwrap();
    let root = "prod/__starrocks_repository_r";
    assert!(keys.contains(&format!("{root}/__repo_info")), "{keys:?}");
    let ss = format!("{root}/__ss_l1/");
    assert_eq!(
        keys.iter()
            .filter(|k| k.starts_with(&format!("{ss}__info_")))
            .count(),
        1,
        "{keys:?}"
    );
    assert!(keys.iter().any(|k| k.starts_with(&format!("{ss}__meta."))));
    let data = keys
        .iter()
        .filter(|k| k.starts_with(&format!("{ss}__ss_content/")) && k.contains("_0.dat."))
        .count();
    assert_eq!(data, 2, "one tablet file per partition: {keys:?}");
    let listed = snapshots(&mut ca);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0, "l1");
    let ts = listed[0].1.clone();

    // Cluster B: empty catalog, the same repository read-only.
    let b = Simulator::start(SimConfig::default()).expect("starts");
    let mut cb = connect(&b);
    create_repository(&mut cb, &moto, true);
    assert_eq!(snapshots(&mut cb), listed);
    run(
        &mut cb,
        &[
            "CREATE DATABASE sales",
            &format!(
                "RESTORE SNAPSHOT sales.l1 FROM r ON (orders) PROPERTIES ('backup_timestamp' = '{ts}', 'replication_num' = '1')"
            ),
        ],
    );
    wait_finished(&mut cb, "RESTORE");
    let sum: Option<i64> = cb
        .query_first("SELECT SUM(amount) FROM sales.orders")
        .unwrap();
    assert_eq!(sum, Some(60));
    // The read-only repository wrote nothing.
    assert_eq!(moto.keys(BUCKET).unwrap(), keys);

    // Deleting the snapshot's objects the way the runtime does: gone from SHOW SNAPSHOT on
    // both clusters and from the bucket.
    let opts = StoreOptions {
        endpoint: Some(moto.endpoint()),
        access_key: Some("AKIACANARY".into()),
        secret_key: Some(SECRET.into()),
        ..StoreOptions::default()
    };
    let repo = Repository::open("r", &format!("s3://{BUCKET}/prod"), &opts).unwrap();
    assert_eq!(repo.labels().unwrap(), vec!["l1"]);
    let report = repo.delete_snapshot("l1").unwrap();
    assert_eq!(report.deleted, keys.len() - 1);
    assert!(snapshots(&mut ca).is_empty());
    assert!(snapshots(&mut cb).is_empty());
    assert_eq!(
        moto.keys(BUCKET).unwrap(),
        vec![format!("{root}/__repo_info")]
    );

    // The secret key is never shown back.
    let rows: Vec<mysql::Row> = ca.query("SHOW REPOSITORIES").unwrap();
    assert!(!format!("{rows:?}").contains(SECRET));
}
