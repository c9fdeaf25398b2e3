//! RESTORE onto existing tables over TCP (spec §9.2, §9.3), each rule with StarRocks's Status
//! text and the job's final state. Rules and texts (facts only) from StarRocks 3.4:
//! fe/fe-core/src/main/java/com/starrocks/backup/RestoreJob.java — `checkAndPrepareMeta`
//! (per snapshot partition of an existing table: automatic buckets, range, replication
//! number; a missing partition only for range partitioning), `genFileMappingWhenBackupReplicasEqual`
//! (the replication-number text), `commit` / `cancelInternal` / `allTabletCommitted` (what a
//! cancel after COMMIT leaves behind).
#![allow(clippy::unwrap_used)]

mod snapshot_support;

use std::sync::Arc;

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder, Row};
use snapshot_support::{TempDir, NOW_MS, STEP_MS};
use starsnap_simulator::engine::Engine;
use starsnap_simulator::snapshot::Pacing;
use starsnap_simulator::{Clock, Server, SimConfig};

const SETUP: &str = "CREATE DATABASE d;
USE d;
CREATE TABLE r (id BIGINT NOT NULL, dt DATE NOT NULL, v BIGINT)
DUPLICATE KEY(id, dt)
PARTITION BY RANGE(dt) (
  PARTITION p1 VALUES [('2024-01-01'), ('2024-01-02')),
  PARTITION p2 VALUES [('2024-01-02'), ('2024-01-03'))
)
DISTRIBUTED BY HASH(id) BUCKETS 1
PROPERTIES ('replication_num' = '1');
INSERT INTO r VALUES (1, '2024-01-01', 10), (2, '2024-01-02', 20);
CREATE TABLE l (id BIGINT NOT NULL, city VARCHAR(20) NOT NULL)
DUPLICATE KEY(id)
PARTITION BY LIST(city) (
  PARTITION pa VALUES IN ('a'),
  PARTITION pb VALUES IN ('b')
)
DISTRIBUTED BY HASH(id) BUCKETS 1
PROPERTIES ('replication_num' = '1');
INSERT INTO l VALUES (1, 'a'), (2, 'b');
CREATE TABLE al (id BIGINT NOT NULL, city VARCHAR(20) NOT NULL)
DUPLICATE KEY(id)
PARTITION BY city
DISTRIBUTED BY HASH(id) BUCKETS 1
PROPERTIES ('replication_num' = '1');
INSERT INTO al VALUES (1, 'x'), (2, 'y');
CREATE TABLE u (id BIGINT NOT NULL, v BIGINT)
DUPLICATE KEY(id)
DISTRIBUTED BY HASH(id) BUCKETS 1
PROPERTIES ('replication_num' = '1');
INSERT INTO u VALUES (1, 1);
CREATE TABLE rb (id BIGINT NOT NULL, v BIGINT)
DUPLICATE KEY(id)
DISTRIBUTED BY RANDOM
PROPERTIES ('replication_num' = '1', 'bucket_size' = '1');
INSERT INTO rb VALUES (1, 1);
INSERT INTO rb VALUES (2, 2);
CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups';
BACKUP DATABASE d SNAPSHOT snap TO repo";

const TS: &str = "2024-03-01-00-00-00-000";

struct Tcp {
    cfg: SimConfig,
    engine: Arc<Engine>,
    _server: Server,
    conn: Conn,
    _store: TempDir,
}

fn start() -> Tcp {
    start_with(SETUP)
}

/// A simulator over TCP after `setup` (statements separated by `;`, the last a BACKUP of `d`
/// that is waited for).
fn start_with(setup: &str) -> Tcp {
    let store = TempDir::new("rx");
    let mut cfg = SimConfig {
        clock: Clock::virtual_at(NOW_MS),
        snapshot_pacing: Pacing::uniform(STEP_MS),
        ..SimConfig::default()
    };
    cfg.storage
        .insert("s3://bucket".into(), store.path().to_path_buf());
    let engine = Arc::new(Engine::new(&cfg));
    let server = Server::start(&cfg, engine.clone()).expect("server starts");
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(server.port())
        .user(Some("root"))
        .pass(Some(""))
        .db_name(None::<String>)
        .prefer_socket(false);
    let mut conn = Conn::new(opts).expect("connects");
    for stmt in setup.split(';').filter(|t| !t.trim().is_empty()) {
        conn.query_drop(stmt)
            .unwrap_or_else(|e| panic!("{stmt}: {e}"));
    }
    let mut t = Tcp {
        cfg,
        engine,
        _server: server,
        conn,
        _store: store,
    };
    t.wait_done("BACKUP");
    assert_eq!(t.job("BACKUP", "State"), "FINISHED");
    t
}

impl Tcp {
    fn run(&mut self, sql: &str) {
        self.conn
            .query_drop(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn job(&mut self, kind: &str, column: &str) -> String {
        let rows: Vec<Row> = self
            .conn
            .query(format!("SHOW {kind} FROM d"))
            .unwrap_or_else(|e| panic!("SHOW {kind}: {e}"));
        rows[0]
            .get::<Option<String>, _>(column)
            .flatten()
            .unwrap_or_default()
    }

    /// Lets the last job of `d` run to FINISHED or CANCELLED.
    fn wait_done(&mut self, kind: &str) {
        for _ in 0..20 {
            let state = self.job(kind, "State");
            if state == "FINISHED" || state == "CANCELLED" {
                return;
            }
            self.cfg.clock.advance(STEP_MS);
        }
        panic!("the {kind} job did not end");
    }

    /// Moves the restore job of `d` until it is in `state`.
    fn wait_state(&mut self, state: &str) {
        for _ in 0..20 {
            if self.job("RESTORE", "State") == state {
                return;
            }
            self.cfg.clock.advance(STEP_MS);
        }
        panic!("the restore job never reached {state}");
    }

    /// Submits a RESTORE and returns its final (State, Status).
    fn restore(&mut self, on: &str, replication: Option<u32>) -> (String, String) {
        let repl = replication
            .map(|n| format!(", 'replication_num' = '{n}'"))
            .unwrap_or_default();
        self.run(&format!(
            "RESTORE SNAPSHOT d.snap FROM repo ON ({on}) PROPERTIES ('backup_timestamp' = '{TS}'{repl})"
        ));
        self.wait_done("RESTORE");
        (self.job("RESTORE", "State"), self.job("RESTORE", "Status"))
    }

    fn strings(&mut self, sql: &str) -> Vec<String> {
        let rows: Vec<Row> = self
            .conn
            .query(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| r.get::<Option<String>, _>(i).flatten().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    }

    fn partition_versions(&mut self, table: &str) -> Vec<String> {
        let rows: Vec<Row> = self
            .conn
            .query(format!("SHOW PARTITIONS FROM d.{table}"))
            .unwrap();
        rows.into_iter()
            .map(|r| {
                let name: String = r.get("PartitionName").unwrap();
                let v: String = r.get("VisibleVersion").unwrap();
                format!("{name}={v}")
            })
            .collect()
    }
}

fn cancelled(msg: &str) -> (String, String) {
    (
        "CANCELLED".to_string(),
        format!("[COMMON_ERROR, msg: {msg}]"),
    )
}

/// RestoreJob.java `genFileMappingWhenBackupReplicasEqual`: X is the existing partition's
/// replication number, Y the job's `replication_num` property (default 3) — not a number
/// read from the repository, whatever the text says.
#[test]
fn replication_number_of_an_overwritten_partition() {
    let mut t = start();
    assert_eq!(
        t.restore("r PARTITION (p1)", None),
        cancelled("Partition p1 in table r has different replication num '1' with partition in repository, which is 3")
    );
    assert_eq!(
        t.restore("r PARTITION (p1)", Some(2)),
        cancelled("Partition p1 in table r has different replication num '1' with partition in repository, which is 2")
    );
    // Unpartitioned: the single partition is checked the same way.
    assert_eq!(
        t.restore("u", None),
        cancelled("Partition u in table u has different replication num '1' with partition in repository, which is 3")
    );
    // Matching numbers: FINISHED.
    assert_eq!(
        t.restore("r PARTITION (p1)", Some(1)),
        ("FINISHED".to_string(), "[OK]".to_string())
    );
    // A partition the existing table lacks is added (range partitioning) whatever the
    // existing partitions' replication number, with the job's.
    t.run("ALTER TABLE d.r DROP PARTITION p2");
    assert_eq!(
        t.restore("r PARTITION (p2)", Some(2)),
        ("FINISHED".to_string(), "[OK]".to_string())
    );
    assert_eq!(t.strings("SELECT id FROM d.r ORDER BY id"), ["1", "2"]);
}

/// RestoreJob.java `checkAndPrepareMeta`: "It is impossible that a single partitioned table
/// exist without any existing partition" — LIST (also `PARTITION BY col`) and unpartitioned
/// tables never gain a partition from a snapshot.
#[test]
fn no_partition_added_to_list_or_unpartitioned_tables() {
    let mut t = start();
    t.run("ALTER TABLE d.l DROP PARTITION pb");
    assert_eq!(
        t.restore("l", Some(1)),
        cancelled("No partition exist in single partitioned table l")
    );
    assert_eq!(t.partition_versions("l").len(), 1, "nothing was added");
    // Overwriting the partitions that exist is fine.
    assert_eq!(
        t.restore("l PARTITION (pa)", Some(1)),
        ("FINISHED".to_string(), "[OK]".to_string())
    );
    // Automatic list partitioning (`PARTITION BY city`).
    let names = t.partition_versions("al");
    assert_eq!(names.len(), 2, "{names:?}");
    let first = names[0].split('=').next().unwrap().to_string();
    t.run(&format!("ALTER TABLE d.al DROP PARTITION {first}"));
    assert_eq!(
        t.restore("al", Some(1)),
        cancelled("No partition exist in single partitioned table al")
    );
    // Unpartitioned: only reachable when the single partition's name differs from the
    // snapshot's (StarRocks renames it with the table, OlapTable.setName); the test edits
    // the catalog to get there.
    t.engine
        .catalog_mut()
        .table_mut("d", "u")
        .unwrap()
        .partitions[0]
        .name = "u_other".into();
    assert_eq!(
        t.restore("u", Some(1)),
        cancelled("No partition exist in single partitioned table u")
    );
}

/// RestoreJob.java `checkAndPrepareMeta`: `backupPartInfo.subPartitions.size() > 1` on a
/// partition the existing table has. Sub-partitions come from automatic buckets (RANDOM
/// distribution, `bucket_size`): a load finding the partition over `bucket_size` opens a new
/// one (OlapTableSink.skipImmutablePartition).
#[test]
fn automatic_bucket_partitions_cannot_overwrite() {
    let mut t = start();
    assert_eq!(
        t.restore("rb", Some(1)),
        cancelled("Partition rb in table rb is automatic bucket partition, can not be restored")
    );
    // Onto a new table it is restored.
    assert_eq!(
        t.restore("rb AS rb2", Some(1)),
        ("FINISHED".to_string(), "[OK]".to_string())
    );
    assert_eq!(t.strings("SELECT id FROM d.rb2 ORDER BY id"), ["1", "2"]);
}

/// RestoreJob.java `commit` sends the dir-move tasks that replace the tablets' files;
/// `cancelInternal` drops only what the job created and sets the tables NORMAL; the
/// versions are set in `allTabletCommitted`. A cancel in COMMITTING leaves the overwritten
/// partitions with the snapshot's rows under their old versions; a cancel in COMMIT (the
/// moves not yet sent) leaves them as they were.
#[test]
fn cancel_after_commit_does_not_undo() {
    let mut t = start();
    t.run("INSERT INTO d.r VALUES (3, '2024-01-01', 30)");
    t.run("ALTER TABLE d.r DROP PARTITION p2");
    let before = t.partition_versions("r");
    assert_eq!(before, ["p1=3"]);
    // Cancelled at COMMIT: clean.
    t.run(&format!(
        "RESTORE SNAPSHOT d.snap FROM repo ON (r) PROPERTIES ('backup_timestamp' = '{TS}', 'replication_num' = '1')"
    ));
    t.wait_state("COMMIT");
    t.run("CANCEL RESTORE FROM d");
    assert_eq!(
        (t.job("RESTORE", "State"), t.job("RESTORE", "Status")),
        cancelled("user cancelled, current state: COMMIT")
    );
    assert_eq!(t.partition_versions("r"), before);
    assert_eq!(t.strings("SELECT id FROM d.r ORDER BY id"), ["1", "3"]);
    // Cancelled at COMMITTING: p1 holds the snapshot's rows (row 3 is gone for good) at
    // version 3, the added p2 is dropped again, the table is NORMAL.
    t.run(&format!(
        "RESTORE SNAPSHOT d.snap FROM repo ON (r) PROPERTIES ('backup_timestamp' = '{TS}', 'replication_num' = '1')"
    ));
    t.wait_state("COMMITTING");
    t.run("CANCEL RESTORE FROM d");
    assert_eq!(
        (t.job("RESTORE", "State"), t.job("RESTORE", "Status")),
        cancelled("user cancelled, current state: COMMITTING")
    );
    assert_eq!(t.partition_versions("r"), ["p1=3"]);
    assert_eq!(t.strings("SELECT id FROM d.r ORDER BY id"), ["1"]);
    t.run("INSERT INTO d.r VALUES (4, '2024-01-01', 40)");
    // A failure at COMMITTING (injected) does the same.
    t.run("ADMIN SET SIMULATOR FAULT 'restore_fail' ON DATABASE d AT STATE 'COMMITTING' WITH MESSAGE 'be down'");
    let (state, status) = t.restore("r PARTITION (p1)", Some(1));
    assert_eq!(state, "CANCELLED", "{status}");
    assert_eq!(t.partition_versions("r"), ["p1=4"]);
    assert_eq!(t.strings("SELECT id FROM d.r ORDER BY id"), ["1"]);
}

/// Files under `dir` whose name contains `part` (a tablet's data files: `<rowset>_0.dat.<md5>`).
fn files_named(dir: &std::path::Path, part: &str, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_named(&p, part, out);
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains(part))
        {
            out.push(p);
        }
    }
}

/// `ADMIN SHOW SIMULATOR JOB STATS` (simulator-only): a BACKUP of 10 partitions writes 10
/// data files, 10 tablet headers, meta and job info; a RESTORE of 3 of them reads exactly those 3 files'
/// bytes (plus meta and job info), so a planner's reads can be compared with the minimum.
#[test]
fn job_stats_count_repository_bytes_per_job() {
    let mut setup = String::from(
        "CREATE DATABASE d;
USE d;
CREATE TABLE t (id BIGINT NOT NULL, dt DATE NOT NULL, v VARCHAR(64))
DUPLICATE KEY(id, dt)
PARTITION BY RANGE(dt) (START ('2024-01-01') END ('2024-01-11') EVERY (INTERVAL 1 DAY))
DISTRIBUTED BY HASH(id) BUCKETS 1
PROPERTIES ('replication_num' = '1');",
    );
    for day in 1..=10 {
        for i in 0..day {
            setup.push_str(&format!(
                "INSERT INTO t VALUES ({i}, '2024-01-{day:02}', '{}');",
                "x".repeat(day * 3)
            ));
        }
    }
    setup.push_str(
        "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups';
BACKUP DATABASE d SNAPSHOT snap TO repo",
    );
    let mut t = start_with(&setup);
    let parts: Vec<(String, u64)> = t
        .engine
        .catalog()
        .table("d", "t")
        .unwrap()
        .partitions
        .iter()
        .map(|p| (p.name.clone(), p.id))
        .collect();
    assert_eq!(parts.len(), 10);
    let mut data = Vec::new();
    files_named(t._store.path(), "_0.dat.", &mut data);
    assert_eq!(data.len(), 10);
    let size_of = |id: u64| -> u64 {
        let part = format!("__part_{id}");
        data.iter()
            .filter(|p| p.components().any(|c| c.as_os_str() == part.as_str()))
            .map(|p| std::fs::metadata(p).unwrap().len())
            .sum()
    };
    let all: u64 = parts.iter().map(|(_, id)| size_of(*id)).sum();
    let chosen = [&parts[2], &parts[5], &parts[9]];
    let three: u64 = chosen.iter().map(|(_, id)| size_of(*id)).sum();
    assert!(three > 0 && three < all);
    let names: Vec<&str> = chosen.iter().map(|(n, _)| n.as_str()).collect();
    let (state, status) = t.restore(
        &format!("t PARTITION ({}) AS t3", names.join(", ")),
        Some(1),
    );
    assert_eq!((state.as_str(), status.as_str()), ("FINISHED", "[OK]"));
    let rows: Vec<Row> = t.conn.query("ADMIN SHOW SIMULATOR JOB STATS").unwrap();
    let cell = |r: &Row, c: &str| r.get::<String, _>(c).unwrap();
    assert_eq!(
        rows.len(),
        2,
        "the backup's record stays after the restore replaced it"
    );
    let (b, r) = (&rows[0], &rows[1]);
    assert_eq!(
        [
            cell(b, "JobType"),
            cell(b, "Label"),
            cell(b, "DbName"),
            cell(b, "State")
        ],
        ["BACKUP", "snap", "d", "FINISHED"]
    );
    assert_eq!(cell(b, "DataFiles"), "10");
    assert_eq!(cell(b, "DataBytes"), all.to_string());
    assert_eq!(
        cell(b, "Files"),
        "22",
        "data files, tablet headers, meta and job info"
    );
    assert!(cell(b, "Bytes").parse::<u64>().unwrap() > all);
    assert_eq!(
        [cell(r, "JobType"), cell(r, "Label"), cell(r, "State")],
        ["RESTORE", "snap", "FINISHED"]
    );
    assert_ne!(cell(r, "JobId"), "-1");
    assert_eq!(cell(r, "DataFiles"), "3");
    assert_eq!(cell(r, "DataBytes"), three.to_string());
    assert_eq!(cell(r, "Files"), "5", "3 data files, meta and job info");
}
