//! StarRocks 4.2 over TCP (`shared/spec/starrocks-versions.md` §5): BACKUP with `ttl`, the 7-
//! and 9-column SHOW SNAPSHOT with ClusterId/FinishTime/TTL/ExpireTime, DROP SNAPSHOT (gone from
//! SHOW SNAPSHOT and from storage), and expiry under the simulator's clock.
//! Sources (facts only): upstream fe/fe-parser/src/main/java/com/starrocks/sql/ast/ShowSnapshotStmt.java
//! (column lists), fe/fe-core/src/main/java/com/starrocks/backup/SnapshotTtl.java (ttl format,
//! texts, expiry = finish + ttl), BackupSnapshotCleanupTest.java (DROP/cleanup checks; only
//! message fragments are known, so only those are asserted).
#![allow(clippy::unwrap_used)]

mod tcp_support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use mysql::prelude::Queryable;
use mysql::{Conn, Row};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::snapshot::pacing::Pacing;
use starsnap_simulator::{Clock, SimConfig, VersionProfile};
use tcp_support::{connect, error, run};

/// 2026-09-01 10:00:00 UTC.
const T0: i64 = 1_788_256_800_000;

fn start(tag: &str, version: VersionProfile) -> (Simulator, Clock, PathBuf) {
    let dir = std::env::temp_dir().join(format!("starsnap-ret42-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let clock = Clock::virtual_at(T0);
    let mut config = SimConfig {
        clock: clock.clone(),
        version,
        snapshot_pacing: Pacing::uniform(1_000),
        ..SimConfig::default()
    };
    config.storage.insert("s3://".into(), dir.clone());
    (Simulator::start(config).unwrap(), clock, dir)
}

fn rows(c: &mut Conn, sql: &str) -> (Vec<String>, Vec<BTreeMap<String, Option<String>>>) {
    let result: Vec<Row> = c.query(sql).unwrap();
    let mut names = Vec::new();
    let maps = result
        .into_iter()
        .map(|r| {
            names = r
                .columns_ref()
                .iter()
                .map(|c| c.name_str().to_string())
                .collect();
            names
                .iter()
                .map(|n| (n.clone(), r.get::<Option<String>, _>(n.as_str()).flatten()))
                .collect()
        })
        .collect();
    (names, maps)
}

fn backup_state(c: &mut Conn) -> String {
    let (_, r) = rows(c, "SHOW BACKUP FROM d");
    r[0]["State"].clone().unwrap()
}

fn setup(c: &mut Conn) {
    run(
        c,
        &[
            "CREATE DATABASE d",
            "CREATE TABLE d.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "INSERT INTO d.t VALUES (1), (2)",
            "CREATE REPOSITORY r WITH BROKER ON LOCATION 's3://b/p'",
        ],
    );
}

fn finish_backup(c: &mut Conn, clock: &Clock, sql: &str) {
    run(c, &[sql]);
    clock.advance(60_000);
    assert_eq!(backup_state(c), "FINISHED", "{sql}");
}

#[test]
fn ttl_show_snapshot_drop_and_expiry() {
    let (sim, clock, dir) = start("flow", VersionProfile::V4_2);
    let mut c = connect(&sim);
    setup(&mut c);
    let (_, fe) = rows(&mut c, "SHOW FRONTENDS");
    let cluster_id = fe[0]["ClusterId"].clone();

    // Invalid ttls are refused with SnapshotTtl's texts.
    let (_, msg) = error(
        &mut c,
        "BACKUP SNAPSHOT d.bad TO r ON (t) PROPERTIES ('ttl' = '7d')",
    );
    assert!(
        msg.contains("Invalid ttl: '7d'. Expected a duration such as '7 DAY' or '12 HOUR', or an empty value to keep the snapshot forever"),
        "{msg}"
    );
    let (_, msg) = error(
        &mut c,
        "BACKUP SNAPSHOT d.bad TO r ON (t) PROPERTIES ('ttl' = '0 DAY')",
    );
    assert!(
        msg.contains("ttl must be a positive duration, but got: 0 DAY"),
        "{msg}"
    );

    finish_backup(&mut c, &clock, "BACKUP SNAPSHOT d.keep TO r ON (t)");
    finish_backup(
        &mut c,
        &clock,
        "BACKUP SNAPSHOT d.short TO r ON (t) PROPERTIES ('ttl' = '1 HOUR')",
    );

    let (names, list) = rows(&mut c, "SHOW SNAPSHOT ON r");
    assert_eq!(
        names,
        [
            "Snapshot",
            "Timestamp",
            "Status",
            "ClusterId",
            "FinishTime",
            "TTL",
            "ExpireTime"
        ]
    );
    assert_eq!(list.len(), 2);
    let keep = &list[0];
    let short = &list[1];
    assert_eq!(keep["Snapshot"].as_deref(), Some("keep"));
    assert_eq!(keep["ClusterId"], cluster_id);
    assert!(keep["FinishTime"].as_deref().is_some_and(|t| t != "NULL"));
    assert_eq!(keep["TTL"].as_deref(), Some("NULL"));
    assert_eq!(keep["ExpireTime"].as_deref(), Some("NULL"));
    assert_eq!(short["TTL"].as_deref(), Some("1 HOUR"));
    // Expiry = finish time + 1 hour.
    let finish = short["FinishTime"].clone().unwrap();
    let expire = short["ExpireTime"].clone().unwrap();
    assert_eq!(
        (
            &finish[..11],
            &finish[11..13],
            &expire[11..13],
            &finish[13..]
        ),
        (&expire[..11], "10", "11", &expire[13..])
    );

    // Detail form: 9 columns.
    let ts = short["Timestamp"].clone().unwrap();
    let (names, detail) = rows(
        &mut c,
        &format!("SHOW SNAPSHOT ON r WHERE SNAPSHOT = 'short' AND TIMESTAMP = '{ts}'"),
    );
    assert_eq!(
        names,
        [
            "Snapshot",
            "Timestamp",
            "Database",
            "Details",
            "Status",
            "ClusterId",
            "FinishTime",
            "TTL",
            "ExpireTime"
        ]
    );
    assert_eq!(detail[0]["TTL"].as_deref(), Some("1 HOUR"));
    assert_eq!(detail[0]["ExpireTime"], short["ExpireTime"]);

    // DROP SNAPSHOT: gone from SHOW SNAPSHOT and from storage.
    let label_dir = dir.join("b/p/__starrocks_repository_r/__ss_keep");
    assert!(label_dir.is_dir());
    run(&mut c, &["DROP SNAPSHOT keep ON r"]);
    assert!(!label_dir.exists());
    let (_, list) = rows(&mut c, "SHOW SNAPSHOT ON r");
    assert_eq!(
        list.iter()
            .map(|r| r["Snapshot"].clone().unwrap())
            .collect::<Vec<_>>(),
        ["short"]
    );
    let (_, msg) = error(&mut c, "DROP SNAPSHOT keep ON r");
    assert!(msg.contains("does not exist"), "{msg}");
    let (_, msg) = error(&mut c, "DROP SNAPSHOT keep ON nope");
    assert!(msg.contains("does not exist"), "{msg}");

    // A running backup's label cannot be dropped, even with FORCE.
    run(&mut c, &["BACKUP SNAPSHOT d.busy TO r ON (t)"]);
    clock.advance(4_500);
    assert_ne!(backup_state(&mut c), "FINISHED");
    assert!(dir.join("b/p/__starrocks_repository_r/__ss_busy").is_dir());
    let (_, msg) = error(&mut c, "DROP SNAPSHOT busy ON r FORCE");
    assert!(msg.contains("backup is writing"), "{msg}");
    clock.advance(60_000);
    assert_eq!(backup_state(&mut c), "FINISHED");

    // Expiry under the simulator's clock: `short` (1 HOUR) goes, `busy` (no ttl) stays.
    clock.advance(2 * 3_600_000);
    let (_, list) = rows(&mut c, "SHOW SNAPSHOT ON r");
    assert_eq!(
        list.iter()
            .map(|r| r["Snapshot"].clone().unwrap())
            .collect::<Vec<_>>(),
        ["busy"]
    );
    assert!(!dir.join("b/p/__starrocks_repository_r/__ss_short").exists());

    // A ttl'd label expires once its ExpireTime passes.
    finish_backup(
        &mut c,
        &clock,
        "BACKUP SNAPSHOT d.brief TO r ON (t) PROPERTIES ('ttl' = '30 MINUTE')",
    );
    let brief_dir = dir.join("b/p/__starrocks_repository_r/__ss_brief");
    assert!(brief_dir.is_dir());
    clock.advance(29 * 60_000);
    let (_, list) = rows(&mut c, "SHOW SNAPSHOT ON r");
    assert_eq!(list.len(), 2);
    clock.advance(60_000);
    let (_, list) = rows(&mut c, "SHOW SNAPSHOT ON r");
    assert_eq!(
        list.iter()
            .map(|r| r["Snapshot"].clone().unwrap())
            .collect::<Vec<_>>(),
        ["busy"]
    );
    assert!(!brief_dir.exists());
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn before_4_2_no_drop_snapshot_no_ttl_three_columns() {
    let (sim, clock, dir) = start("41", VersionProfile::V4_1);
    let mut c = connect(&sim);
    setup(&mut c);
    finish_backup(&mut c, &clock, "BACKUP SNAPSHOT d.keep TO r ON (t)");
    let (names, _) = rows(&mut c, "SHOW SNAPSHOT ON r");
    assert_eq!(names, ["Snapshot", "Timestamp", "Status"]);
    let (code, msg) = error(&mut c, "DROP SNAPSHOT keep ON r");
    assert_eq!(code, 1064);
    assert!(msg.starts_with("Getting syntax error"), "{msg}");
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
}
