//! BACKUP conformance (spec §2.1, §2.2, §2.4, §2.5, §3.1, §4, §8): the checks in StarRocks's
//! order with exact texts and codes, the state sequences, SHOW BACKUP's 14 columns, CANCEL,
//! timeouts, the data captured at SNAPSHOTING and the layout written on disk.
#![allow(clippy::unwrap_used)]

mod snapshot_support;

use snapshot_support::*;
use starsnap_simulator::engine::catalog::ExternalCatalog;
use starsnap_simulator::engine::Value;

fn sim(store: &TempDir) -> Sim {
    let mut s = Sim::with_store(store.path(), catalog(), None);
    s.ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'");
    s
}

#[test]
fn show_backup_columns_and_the_database_state_sequence() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    assert_eq!(
        s.columns("SHOW BACKUP"),
        [
            "JobId",
            "SnapshotName",
            "DbName",
            "State",
            "BackupObjs",
            "CreateTime",
            "SnapshotFinishedTime",
            "UploadFinishedTime",
            "FinishedTime",
            "UnfinishedTasks",
            "Progress",
            "TaskErrMsg",
            "Status",
            "Timeout"
        ]
    );
    assert!(s.rows("SHOW BACKUP").is_empty());
    s.ok("BACKUP DATABASE sales SNAPSHOT l1 TO repo ON (TABLE orders PARTITION (p001, p000), regions)");
    let r = s.backup_row("sales");
    assert_eq!(r["JobId"].as_deref(), Some("-1"));
    assert_eq!(r["SnapshotName"].as_deref(), Some("l1"));
    assert_eq!(r["DbName"].as_deref(), Some("sales"));
    assert_eq!(r["State"].as_deref(), Some("PENDING"));
    assert_eq!(
        r["BackupObjs"].as_deref(),
        Some("[sales.ordersPARTITIONS (p001, p000)], [sales.regions]")
    );
    assert_eq!(r["CreateTime"].as_deref(), Some("2024-03-01 00:00:00"));
    assert_eq!(
        (
            r["SnapshotFinishedTime"].clone(),
            r["UploadFinishedTime"].clone(),
            r["FinishedTime"].clone()
        ),
        (None, None, None)
    );
    assert_eq!(r["Status"].as_deref(), Some("[OK]"));
    assert_eq!(r["Timeout"].as_deref(), Some("86400"));
    assert_eq!(r["TaskErrMsg"].as_deref(), Some(""));
    let mut seen = vec![s.cell("sales", "State").unwrap()];
    let mut tasks = Vec::new();
    for _ in 0..6 {
        s.advance(STEP_MS);
        let r = s.backup_row("sales");
        seen.push(r["State"].clone().unwrap());
        tasks.push((
            r["UnfinishedTasks"].clone().unwrap(),
            r["Progress"].clone().unwrap(),
        ));
    }
    // Three tablets (two partitions of orders, regions) on three backends.
    let id: i64 = s.cell("sales", "JobId").unwrap().parse().unwrap();
    assert_eq!(
        tasks[0],
        (
            "50002=10001, 50003=10002, 50502=10003".to_string(),
            String::new()
        ),
        "SNAPSHOTING: one snapshot task per tablet, keyed by tablet id"
    );
    assert_eq!(
        tasks[2],
        (
            format!("{}=10001, {}=10002, {}=10003", id + 4, id + 5, id + 6),
            format!("[{}: 0/1], [{}: 0/1], [{}: 0/1]", id + 4, id + 5, id + 6)
        ),
        "UPLOADING: one upload task per backend"
    );
    assert_eq!(tasks[1], (String::new(), String::new()));
    assert_eq!(
        seen,
        [
            "PENDING",
            "SNAPSHOTING",
            "UPLOAD_SNAPSHOT",
            "UPLOADING",
            "SAVE_META",
            "UPLOAD_INFO",
            "FINISHED"
        ]
    );
    let r = s.backup_row("sales");
    let job_id: i64 = r["JobId"].clone().unwrap().parse().unwrap();
    assert!(job_id > 0);
    assert_eq!(r["UnfinishedTasks"].as_deref(), Some(""));
    assert_eq!(r["Progress"].as_deref(), Some(""));
    assert_eq!(
        r["SnapshotFinishedTime"].as_deref(),
        Some("2024-03-01 00:00:02")
    );
    assert_eq!(
        r["UploadFinishedTime"].as_deref(),
        Some("2024-03-01 00:00:04")
    );
    assert_eq!(r["FinishedTime"].as_deref(), Some("2024-03-01 00:00:06"));
    // Several states at once when the clock jumps: same instants.
    s.ok("BACKUP SNAPSHOT sales.l2 TO repo");
    s.advance(60 * STEP_MS);
    assert_eq!(s.cell("sales", "State").as_deref(), Some("FINISHED"));
    assert_eq!(
        s.cell("sales", "FinishedTime").as_deref(),
        Some("2024-03-01 00:00:12")
    );
    assert_eq!(
        s.cell("sales", "SnapshotName").as_deref(),
        Some("l2"),
        "only the last job is kept"
    );
}

#[test]
fn catalog_backups_keep_job_id_minus_one() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    s.catalog.external_catalogs.insert(
        "hive1".into(),
        ExternalCatalog {
            id: 1,
            name: "hive1".into(),
            catalog_type: "hive".into(),
            comment: String::new(),
            properties: Default::default(),
        },
    );
    let e = s.err("BACKUP EXTERNAL CATALOG (nope) SNAPSHOT c1 TO repo");
    assert_err(
        &e,
        5064,
        "42000",
        "Getting analyzing error. Detail message: external catalog nope does not existed..",
    );
    let e = s.err("BACKUP ALL EXTERNAL CATALOGS SNAPSHOT c1 TO nope");
    assert_err(&e, 5064, "42000", "Repository nope does not exist");
    s.ok("BACKUP ALL EXTERNAL CATALOGS SNAPSHOT c1 TO repo");
    let e = s.err("BACKUP EXTERNAL CATALOG (hive1) SNAPSHOT c2 TO repo");
    assert_err(
        &e,
        5064,
        "42000",
        "Can only run one backup or restore job of external catalog",
    );
    let mut seen = Vec::new();
    for _ in 0..4 {
        let rows = s.rows("SHOW BACKUP");
        let r = rows.last().unwrap();
        assert_eq!(r["JobId"].as_deref(), Some("-1"));
        assert_eq!(r["DbName"].as_deref(), Some(""));
        seen.push(r["State"].clone().unwrap());
        s.advance(STEP_MS);
    }
    assert_eq!(seen, ["PENDING", "SAVE_META", "UPLOAD_INFO", "FINISHED"]);
    let rows = s.rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'c1'");
    assert_eq!(rows[0]["Status"].as_deref(), Some("OK"));
}

#[test]
fn analyzer_errors_in_order() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    let cases: &[(&str, u16, &str, &str)] = &[
        (
            "BACKUP SNAPSHOT nodb.l TO repo",
            5501,
            "3F000",
            "Getting analyzing error. Detail message: Unknown database 'nodb'.",
        ),
        (
            "BACKUP SNAPSHOT nodb.l TO nope",
            5501,
            "3F000",
            "Getting analyzing error. Detail message: Unknown database 'nodb'.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO nope",
            5064,
            "42000",
            "Getting analyzing error. Detail message: Repository [nope] does not exist.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo ON (t999)",
            1064,
            "HY000",
            "Getting analyzing error. Detail message: Incorrect table name 't999'.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo ON (orders, orders)",
            1064,
            "HY000",
            "Getting analyzing error at line 1, column 44. Detail message: Duplicated table: orders.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo ON (orders PARTITION (p999))",
            1064,
            "HY000",
            "Getting analyzing error from line 1, column 43 to line 1, column 58. Detail message: partition[p999] does not exist  in tableorders.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo ON (v_orders PARTITION (p1))",
            1104,
            "42000",
            "Getting analyzing error. Detail message: Incorrect table name 'v_orders'.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo ON (orders PARTITION (p999), t999)",
            1064,
            "HY000",
            "Getting analyzing error from line 1, column 43 to line 1, column 58. Detail message: partition[p999] does not exist  in tableorders.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo ON (t999, orders PARTITION (p999))",
            1064,
            "HY000",
            "Getting analyzing error. Detail message: Incorrect table name 't999'.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo ON (FUNCTION nofn)",
            1064,
            "HY000",
            "Getting analyzing error. Detail message: Invalid backup function(s), function name: sales.nofn.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo ON (FUNCTION nofn) PROPERTIES ('type' = 'x')",
            1064,
            "HY000",
            "Getting analyzing error. Detail message: Invalid backup function(s), function name: sales.nofn.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo PROPERTIES ('type' = 'x')",
            5064,
            "42000",
            "Getting analyzing error. Detail message: Invalid backup job type: x.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo PROPERTIES ('timeout' = '10')",
            5064,
            "42000",
            "Getting analyzing error. Detail message: timeout must be at least 10 min.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo ON (ALL MATERIALIZED VIEWS)",
            1064,
            "HY000",
            "Getting analyzing error. Detail message: Database: sales is empty.",
        ),
        (
            "BACKUP SNAPSHOT empty_db.l TO repo",
            1064,
            "HY000",
            "Getting analyzing error. Detail message: Database: empty_db is empty.",
        ),
        (
            "BACKUP SNAPSHOT l TO repo",
            1064,
            "HY000",
            "Cannot read field \"dbName\" because \"jobInfo\" is null",
        ),
        (
            "BACKUP SNAPSHOT sales.a.b TO repo",
            1064,
            "HY000",
            "Getting syntax error from line 1, column 16 to line 1, column 24. Detail message: Invalid table name format 'sales.a.b'.",
        ),
        (
            "BACKUP SNAPSHOT sales.l TO repo ON (orders AS o)",
            1064,
            "HY000",
            "Getting syntax error. Detail message: Specifying alias for backup object is forbidden in BACKUP stmt.",
        ),
    ];
    for (sql, code, state, msg) in cases {
        let e = s.err(sql);
        assert_eq!(
            (e.code, e.sqlstate.as_str(), e.message.as_str()),
            (*code, *state, *msg),
            "{sql}"
        );
    }
    assert!(s.rows("SHOW BACKUP").is_empty(), "no job was created");
    s.session.current_db = None;
    let e = s.err("BACKUP SNAPSHOT l TO repo");
    assert_err(
        &e,
        5501,
        "3F000",
        "Getting analyzing error. Detail message: Unknown database ''.",
    );
}

#[test]
fn handler_errors_in_order() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    s.ok("CREATE READ ONLY REPOSITORY ro WITH BROKER ON LOCATION 's3://bucket/backups'");
    let e = s.err("BACKUP SNAPSHOT sales.l TO ro");
    assert_err(&e, 5064, "42000", "Repository ro is read only");
    let e = s.err("BACKUP SNAPSHOT tempdb.l TO repo");
    assert_err(
        &e,
        5064,
        "42000",
        "Do not support backing up table with temp partitions",
    );
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    let e = s.err("BACKUP SNAPSHOT sales.l2 TO repo");
    assert_err(
        &e,
        5064,
        "42000",
        "Can only run one backup or restore job of a database at same time",
    );
    s.snaps.reject_next_submissions(1);
    let e = s.err("BACKUP SNAPSHOT sales.l2 TO repo");
    assert_err(
        &e,
        5064,
        "42000",
        "Another backup or restore job is being submitted. Please wait and try again",
    );
    s.advance(10 * STEP_MS);
    let e = s.err("BACKUP SNAPSHOT sales.l1 TO repo");
    assert_err(
        &e,
        5064,
        "42000",
        "Snapshot with name 'l1' already exist in repository",
    );
    let e = s.err("BACKUP SNAPSHOT sales.l1 TO repo PROPERTIES ('type' = 'INCREMENTAL')");
    assert_err(
        &e,
        5064,
        "42000",
        "Currently does not support incremental backup",
    );
    s.ok("BACKUP SNAPSHOT sales.l2 TO repo PROPERTIES ('type' = 'incremental')");
}

#[test]
fn whole_database_objects_skip_materialized_views() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    s.ok("BACKUP DATABASE sales SNAPSHOT l1 TO repo");
    assert_eq!(
        s.cell("sales", "BackupObjs").as_deref(),
        Some("[sales.orders], [sales.regions], [sales.v_orders]")
    );
    s.advance(10 * STEP_MS);
    s.ok("BACKUP DATABASE sales SNAPSHOT l2 TO repo ON (ALL VIEWS, mv1, TABLE orders PARTITION p002)");
    assert_eq!(
        s.cell("sales", "BackupObjs").as_deref(),
        Some("[sales.mv1], [sales.ordersPARTITIONS (p002)], [sales.v_orders]")
    );
}

#[test]
fn cancel_backup() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    let e = s.err("CANCEL BACKUP FROM sales");
    assert_err(&e, 5064, "42000", "No backup job is currently running");
    let e = s.err("CANCEL RESTORE FROM sales");
    assert_err(&e, 5064, "42000", "No restore is currently running");
    let e = s.err("CANCEL BACKUP FROM nodb");
    assert_err(
        &e,
        5501,
        "3F000",
        "Getting analyzing error. Detail message: Unknown database 'nodb'.",
    );
    let e = s.err("CANCEL BACKUP");
    assert_err(
        &e,
        1064,
        "HY000",
        "Getting syntax error. Detail message: No selected database for cancel BACKUP/RESTORE.",
    );
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    s.advance(2 * STEP_MS);
    let e = s.err("CANCEL RESTORE FROM sales");
    assert_err(&e, 5064, "42000", "No restore is currently running");
    s.ok("CANCEL BACKUP FROM sales");
    let r = s.backup_row("sales");
    assert_eq!(r["State"].as_deref(), Some("CANCELLED"));
    assert_eq!(
        r["Status"].as_deref(),
        Some("[COMMON_ERROR, msg: user cancelled]")
    );
    assert_eq!(r["FinishedTime"].as_deref(), Some("2024-03-01 00:00:02"));
    let e = s.err("CANCEL BACKUP IN sales");
    assert_err(
        &e,
        5064,
        "42000",
        "Failed to cancel job: Job with label l1 can not be cancelled. state: CANCELLED",
    );
    s.advance(10 * STEP_MS);
    assert_eq!(s.cell("sales", "State").as_deref(), Some("CANCELLED"));
    assert!(
        s.rows("SHOW SNAPSHOT ON repo").is_empty(),
        "a cancelled job writes no info file"
    );
    s.ok("BACKUP SNAPSHOT sales.l2 TO repo");
    s.advance(10 * STEP_MS);
    let e = s.err("CANCEL BACKUP FROM sales");
    assert_err(
        &e,
        5064,
        "42000",
        "Failed to cancel job: Job with label l2 can not be cancelled. state: FINISHED",
    );
}

#[test]
fn timeouts_cancel_the_job() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    s.ok("ADMIN SET SIMULATOR PACING STATE 'UPLOADING' = 3600000");
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo PROPERTIES ('timeout' = '600')");
    assert_eq!(s.cell("sales", "Timeout").as_deref(), Some("600"));
    s.advance(5 * STEP_MS);
    assert_eq!(s.cell("sales", "State").as_deref(), Some("UPLOADING"));
    s.advance(600_000);
    let r = s.backup_row("sales");
    assert_eq!(r["State"].as_deref(), Some("CANCELLED"));
    assert_eq!(r["Status"].as_deref(), Some("[TIMEOUT, msg: ]"));
    assert_eq!(r["FinishedTime"].as_deref(), Some("2024-03-01 00:10:00"));
}

#[test]
fn show_backup_lists_every_database_in_id_order() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    if let Some(db) = s.catalog.db_mut("empty_db") {
        db.tables.insert(
            "x".into(),
            table(
                90_000,
                "x",
                starsnap_simulator::engine::catalog::TableKind::Olap,
            ),
        );
    }
    s.ok("BACKUP SNAPSHOT empty_db.e1 TO repo");
    s.ok("BACKUP SNAPSHOT sales.s1 TO repo");
    let dbs: Vec<_> = s
        .rows("SHOW BACKUP")
        .into_iter()
        .map(|r| r["DbName"].clone().unwrap())
        .collect();
    assert_eq!(dbs, ["sales", "empty_db"]);
    assert_eq!(s.rows("SHOW BACKUP FROM empty_db").len(), 1);
    assert!(s.rows("SHOW RESTORE").is_empty());
    assert_eq!(s.columns("SHOW RESTORE").len(), 18);
    let e = s.err("SHOW BACKUP FROM nodb");
    assert_err(
        &e,
        5501,
        "3F000",
        "Getting analyzing error. Detail message: Unknown database 'nodb'.",
    );
    s.rows("SHOW RESTORE FROM sales WHERE a = 1");
}

#[test]
fn the_snapshot_is_taken_at_snapshoting_and_written_in_the_layout() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo ON (orders)");
    // A load before SNAPSHOTING is in the snapshot …
    s.catalog.table_mut("sales", "orders").unwrap().partitions[0]
        .rows
        .push(vec![Value::Int(-1), Value::Date(JAN1), Value::Int(0)]);
    s.advance(STEP_MS);
    assert_eq!(s.cell("sales", "State").as_deref(), Some("SNAPSHOTING"));
    // … one after it is not.
    let p = &mut s.catalog.table_mut("sales", "orders").unwrap().partitions[0];
    p.rows
        .push(vec![Value::Int(-2), Value::Date(JAN1), Value::Int(0)]);
    p.visible_version += 1;
    s.advance(STEP_MS * 2);
    assert!(
        files_under(store.path())
            .iter()
            .all(|f| !f.contains("__ss_content")),
        "no data before UPLOADING ends"
    );
    s.advance(STEP_MS * 10);
    let root = store.path().join("backups/__starrocks_repository_repo");
    let files = files_under(&root);
    let db_id = s.catalog.db("sales").unwrap().id;
    let t = s.catalog.table("sales", "orders").unwrap();
    let hash = starsnap_simulator::snapshot::files::schema_hash(t);
    let info = files
        .iter()
        .find(|f| f.starts_with("__ss_l1/__info_2024-03-01-00-00-00-000."))
        .unwrap();
    assert_eq!(
        info.len(),
        "__ss_l1/__info_2024-03-01-00-00-00-000.".len() + 32
    );
    let content = std::fs::read(root.join(info)).unwrap();
    assert!(info.ends_with(&starsnap_simulator::snapshot::md5::hex_digest(&content)));
    assert!(files.iter().any(|f| f.starts_with("__ss_l1/__meta.")));
    let p0 = &t.partitions[0];
    // The tablet folder as `Repository.getRepoTabletPathBySnapshotInfo` builds it, and in it
    // the files as the backend uploads them: `<name>.<md5 of the content>`.
    let tablet = p0.id + 1;
    let folder = format!(
        "__ss_l1/__ss_content/__db_{db_id}/__tbl_{}/__part_{}/__idx_{}/__{tablet}/",
        t.id, p0.id, t.id
    );
    let in_tablet: Vec<&String> = files.iter().filter(|f| f.starts_with(&folder)).collect();
    assert_eq!(in_tablet.len(), 2, "{files:?}");
    for f in &in_tablet {
        let bytes = std::fs::read(root.join(f)).unwrap();
        let md5 = starsnap_simulator::snapshot::md5::hex_digest(&bytes);
        assert!(f.ends_with(&format!(".{md5}")), "{f}");
    }
    let hdr = in_tablet
        .iter()
        .find(|f| f.contains(&format!("/{tablet}.hdr.")))
        .unwrap();
    let hdr: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(hdr)).unwrap()).unwrap();
    assert_eq!(hdr["schema_hash"], hash);
    let data = (*in_tablet.iter().find(|f| f.contains("_0.dat.")).unwrap()).clone();
    let rowset = data.rsplit('/').next().unwrap().split('_').next().unwrap();
    assert_eq!(rowset.len(), 48, "a version-2 rowset id: {rowset}");
    assert!(rowset.starts_with("02"));
    assert_eq!(
        files.iter().filter(|f| f.contains("__ss_content")).count(),
        6
    );
    // The job info lists those files for the tablet, in StarRocks's BackupJobInfo JSON.
    let info: serde_json::Value = serde_json::from_slice(&content).unwrap();
    let p_info = &info["backup_objects"]["orders"]["partitions"][&p0.name];
    assert_eq!(p_info["id"], p0.id);
    assert_eq!(p_info["version_hash"], 0);
    let idx = &p_info["indexes"]["orders"];
    assert_eq!(idx["id"], t.id);
    assert_eq!(idx["schema_hash"], hash);
    assert_eq!(
        idx["tablets_order"],
        serde_json::json!([tablet.to_string()])
    );
    let listed: Vec<String> = idx["tablets"][tablet.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{folder}{}", v.as_str().unwrap()))
        .collect();
    let mut on_disk: Vec<String> = in_tablet.iter().map(|f| f.to_string()).collect();
    on_disk.sort();
    assert_eq!(listed, on_disk);
    let text = std::fs::read_to_string(root.join(&data)).unwrap();
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["version"], 1, "the version at SNAPSHOTING");
    assert_eq!(header["rows"], 3);
    assert!(text.contains("-1"), "the load before SNAPSHOTING");
    assert!(!text.contains("-2"), "the load after SNAPSHOTING");
}

#[test]
fn faults_over_sql_and_the_library() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    s.ok("ADMIN SET SIMULATOR FAULT 'backup_fail' ON DATABASE sales AT STATE 'UPLOADING' WITH MESSAGE 'upload failed' WITH STATUS 'IO_ERROR' WITH TASK MESSAGE 'broker timeout'");
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    s.advance(3 * STEP_MS);
    assert_eq!(s.cell("sales", "State").as_deref(), Some("UPLOADING"));
    s.advance(STEP_MS);
    let r = s.backup_row("sales");
    assert_eq!(r["State"].as_deref(), Some("CANCELLED"));
    assert_eq!(
        r["Status"].as_deref(),
        Some("[IO_ERROR, msg: upload failed]")
    );
    let job_id: i64 = r["JobId"].clone().unwrap().parse().unwrap();
    assert_eq!(
        r["TaskErrMsg"].clone().unwrap(),
        format!("[{}: broker timeout]", job_id + 1)
    );
    // The fault fired once.
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    s.advance(10 * STEP_MS);
    assert_eq!(s.cell("sales", "State").as_deref(), Some("FINISHED"));

    s.ok("ADMIN SET SIMULATOR FAULT 'show_job_error' TIMES 2");
    for _ in 0..2 {
        let e = s.err("SHOW BACKUP");
        assert_err(
            &e,
            1064,
            "HY000",
            "Getting analyzing error. Detail message: meta data may has been updated during this period, please try again.",
        );
    }
    assert_eq!(s.rows("SHOW BACKUP").len(), 1);
    s.snaps.fail_next_shows(1);
    assert!(s.q("SHOW RESTORE").is_err());

    s.ok("ADMIN SET SIMULATOR FAULT 'submit_busy' TIMES 1");
    assert!(s.q("BACKUP SNAPSHOT sales.l2 TO repo").is_err());

    s.ok("ADMIN SET SIMULATOR FAULT 'drop_connection' AFTER 'BACKUP'");
    s.ok("SHOW BACKUP");
    assert!(!s.session.close_after);
    s.ok("BACKUP SNAPSHOT sales.l2 TO repo");
    assert!(
        s.session.close_after,
        "answered, then the connection closes"
    );
    assert_eq!(
        s.cell("sales", "SnapshotName").as_deref(),
        Some("l2"),
        "the job was submitted"
    );

    assert_eq!(s.snaps.alive_backends(&s.config), 3);
    s.ok("ADMIN SET SIMULATOR FAULT 'backend_dead' ON BACKEND 1");
    assert_eq!(s.snaps.alive_backends(&s.config), 2);
    s.snaps.set_backend_alive(1, true);
    assert_eq!(s.snaps.alive_backends(&s.config), 3);

    let e = s.err("ADMIN SET SIMULATOR FAULT 'nope'");
    assert_eq!(e.code, 1064);
    s.ok("ADMIN CLEAR SIMULATOR FAULTS");
    assert_eq!(s.snaps.snapshot_state().faults, Default::default());
}

#[test]
fn jobs_survive_a_restart_on_the_same_data_directory() {
    let store = TempDir::new("bk");
    let data = TempDir::new("data");
    let mut s = Sim::with_store(store.path(), catalog(), Some(data.path()));
    s.ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'");
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    s.advance(2 * STEP_MS);
    assert_eq!(s.cell("sales", "State").as_deref(), Some("UPLOAD_SNAPSHOT"));
    let job_id = s.cell("sales", "JobId");
    let catalog = s.catalog.clone();
    let clock = s.config.clock.clone();
    drop(s);
    // A new simulator on the same directory: the running job resumes where it was.
    let mut s2 = Sim::with_store(store.path(), catalog, Some(data.path()));
    s2.config.clock = clock;
    assert_eq!(
        s2.cell("sales", "State").as_deref(),
        Some("UPLOAD_SNAPSHOT")
    );
    assert_eq!(s2.cell("sales", "JobId"), job_id);
    s2.advance(10 * STEP_MS);
    assert_eq!(s2.cell("sales", "State").as_deref(), Some("FINISHED"));
    assert_eq!(
        s2.rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l1'")[0]["Status"].as_deref(),
        Some("OK")
    );
}

#[test]
fn objects_vanishing_before_pending_runs_fail_the_job() {
    let store = TempDir::new("bk");
    let mut s = sim(&store);
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo ON (orders PARTITION (p002), regions)");
    s.catalog.db_mut("sales").unwrap().tables.remove("regions");
    s.advance(STEP_MS);
    let r = s.backup_row("sales");
    assert_eq!(r["State"].as_deref(), Some("CANCELLED"));
    assert_eq!(
        r["Status"].as_deref(),
        Some("[NOT_FOUND, msg: table regions does not exist]")
    );
    s.ok("BACKUP SNAPSHOT sales.l2 TO repo ON (orders PARTITION (p002))");
    s.catalog
        .table_mut("sales", "orders")
        .unwrap()
        .partitions
        .retain(|p| p.name != "p002");
    s.advance(STEP_MS);
    assert_eq!(
        s.cell("sales", "Status").as_deref(),
        Some("[NOT_FOUND, msg: partition p002 does not exist  in tableorders]")
    );
}
