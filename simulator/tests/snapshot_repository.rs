//! Repositories and SHOW SNAPSHOT against the storage folder (spec §2.6, §2.7, §3.3, §3.5):
//! `__repo_info`, adoption of an existing repository, the `__palo_repository_` prefix,
//! unreachable locations, duplicate names, DROP, snapshots read from disk every time.
#![allow(clippy::unwrap_used)]

mod snapshot_support;

use snapshot_support::*;

const CREATE: &str = "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups' PROPERTIES ('aws.s3.access_key' = 'k')";

#[test]
fn create_writes_repo_info_and_registers_the_repository() {
    let store = TempDir::new("repo");
    let mut s = Sim::with_store(store.path(), catalog(), None);
    s.ok(CREATE);
    let info = std::fs::read_to_string(
        store
            .path()
            .join("backups/__starrocks_repository_repo/__repo_info"),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(v["name"], "repo");
    assert_eq!(v["create_time"], "2024-03-01 00:00:00");
    let r = s.catalog.repositories.get("repo").unwrap();
    assert_eq!(
        (r.read_only, r.broker.as_str(), r.location.as_str()),
        (false, "", "s3://bucket/backups")
    );
    assert_eq!(r.created_ms, NOW_MS);
    assert_eq!(
        r.properties.get("aws.s3.access_key").map(String::as_str),
        Some("k")
    );
    assert!(s.rows("SHOW SNAPSHOT ON repo").is_empty());
}

#[test]
fn duplicate_unreachable_and_broker_errors() {
    let store = TempDir::new("repo");
    let mut s = Sim::with_store(store.path(), catalog(), None);
    s.ok(CREATE);
    let e = s.err(CREATE);
    assert_err(
        &e,
        5064,
        "42000",
        "Failed to create repository: repository with same name already exist: repo",
    );
    let e = s.err("CREATE REPOSITORY r2 WITH BROKER ON LOCATION 'hdfs://nn/x'");
    assert_eq!((e.code, e.sqlstate.as_str()), (5064, "42000"));
    assert!(
        e.message.starts_with("Failed to create repository: "),
        "{e:?}"
    );
    assert!(!s.catalog.repositories.contains_key("r2"));
    let e = s.err("CREATE REPOSITORY r3 WITH BROKER hdfs_broker ON LOCATION 's3://bucket/x'");
    assert_err(
        &e,
        1064,
        "HY000",
        "Getting analyzing error. Detail message: Unknown broker name(hdfs_broker).",
    );
    // Compiler analyzer checks come first (spec §2.7).
    let e = s.err("CREATE REPOSITORY `a:repo` WITH BROKER ON LOCATION 's3://bucket/x'");
    assert_err(
        &e,
        5063,
        "42000",
        "Getting analyzing error. Detail message: Incorrect repository name 'a:repo'.",
    );
    let e = s.err("CREATE REPOSITORY r4 WITH BROKER ON LOCATION ''");
    assert_err(
        &e,
        1064,
        "HY000",
        "Getting analyzing error. Detail message: You must specify a location on the repository.",
    );
}

#[test]
fn an_existing_repository_is_adopted_with_its_create_time() {
    let store = TempDir::new("repo");
    let dir = store.path().join("backups/__starrocks_repository_repo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("__repo_info"),
        r#"{"name":"repo","create_time":"2023-05-06 07:08:09"}"#,
    )
    .unwrap();
    let mut s = Sim::with_store(store.path(), catalog(), None);
    s.ok(CREATE);
    // 2023-05-06 07:08:09 UTC.
    assert_eq!(s.catalog.repositories["repo"].created_ms, 1_683_356_889_000);
    let again = std::fs::read_to_string(dir.join("__repo_info")).unwrap();
    assert!(
        again.contains("2023-05-06 07:08:09"),
        "the file is not rewritten"
    );
}

#[test]
fn the_palo_prefix_is_tried_first() {
    let store = TempDir::new("repo");
    let palo = store.path().join("backups/__palo_repository_repo");
    std::fs::create_dir_all(palo.join("__ss_old")).unwrap();
    std::fs::write(
        palo.join("__repo_info"),
        r#"{"name":"repo","create_time":"2020-01-01 00:00:00"}"#,
    )
    .unwrap();
    std::fs::write(palo.join("__ss_old/__info_2020-01-01-00-00-00.abc"), "{}").unwrap();
    let mut s = Sim::with_store(store.path(), catalog(), None);
    s.ok(CREATE);
    let rows = s.rows("SHOW SNAPSHOT ON repo");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["Snapshot"].as_deref(), Some("old"));
    assert_eq!(rows[0]["Timestamp"].as_deref(), Some("2020-01-01-00-00-00"));
    assert!(!store
        .path()
        .join("backups/__starrocks_repository_repo")
        .exists());
}

#[test]
fn read_only_repositories_do_not_write() {
    let store = TempDir::new("repo");
    let mut s = Sim::with_store(store.path(), catalog(), None);
    s.ok("CREATE READ ONLY REPOSITORY ro WITH BROKER ON LOCATION 's3://bucket/ro'");
    assert!(s.catalog.repositories["ro"].read_only);
    assert!(files_under(store.path()).is_empty());
}

#[test]
fn drop_repository() {
    let store = TempDir::new("repo");
    let mut s = Sim::with_store(store.path(), catalog(), None);
    s.ok(CREATE);
    s.ok("DROP REPOSITORY repo");
    assert!(s.catalog.repositories.is_empty());
    assert!(
        store
            .path()
            .join("backups/__starrocks_repository_repo/__repo_info")
            .exists(),
        "data stays"
    );
    let e = s.err("DROP REPOSITORY repo");
    assert_err(
        &e,
        5064,
        "42000",
        "Getting analyzing error. Detail message: Repository does not exist.",
    );
    // A running job keeps its repository.
    s.ok(CREATE);
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    let e = s.err("DROP REPOSITORY repo");
    assert_err(
        &e,
        5064,
        "42000",
        "Backup or restore job is running on this repository. Can not drop it",
    );
    s.advance(10 * STEP_MS);
    s.ok("DROP REPOSITORY repo");
}

#[test]
fn show_snapshot_where_forms_and_errors() {
    let store = TempDir::new("repo");
    let mut s = Sim::with_store(store.path(), catalog(), None);
    let e = s.err("SHOW SNAPSHOT ON nope");
    assert_err(
        &e,
        5064,
        "42000",
        "Getting analyzing error. Detail message: Repository [nope] does not exist.",
    );
    s.ok(CREATE);
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    s.advance(10 * STEP_MS);
    let ts = "2024-03-01-00-00-00-000";
    // A second info file for the same label (a re-upload): both stamps in one cell.
    let label_dir = store
        .path()
        .join("backups/__starrocks_repository_repo/__ss_l1");
    std::fs::write(label_dir.join("__info_2024-03-02-00-00-00-000.0123"), "{}").unwrap();
    std::fs::create_dir_all(
        store
            .path()
            .join("backups/__starrocks_repository_repo/__ss_empty"),
    )
    .unwrap();
    let rows = s.rows("SHOW SNAPSHOT ON repo");
    assert_eq!(
        s.columns("SHOW SNAPSHOT ON repo"),
        ["Snapshot", "Timestamp", "Status"]
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["Snapshot"].as_deref(), Some("empty"));
    assert_eq!(rows[0]["Timestamp"].as_deref(), Some(""));
    assert_eq!(rows[0]["Status"].as_deref(), Some("ERROR: no snapshot"));
    assert_eq!(
        rows[1]["Timestamp"].as_deref(),
        Some("2024-03-01-00-00-00-000\n2024-03-02-00-00-00-000")
    );
    assert_eq!(rows[1]["Status"].as_deref(), Some("OK"));
    // SNAPSHOT = 'x' for a label that is not there.
    let rows = s.rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'nope'");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0]["Snapshot"].as_deref(),
            rows[0]["Timestamp"].as_deref(),
            rows[0]["Status"].as_deref()
        ),
        (Some("nope"), Some(""), Some("ERROR: no snapshot"))
    );
    // IN list.
    let rows = s.rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT IN ('l1', 'zz')");
    assert_eq!(rows.len(), 1);
    // Detail form.
    let sql = format!("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l1' AND TIMESTAMP = '{ts}'");
    assert_eq!(
        s.columns(&sql),
        ["Snapshot", "Timestamp", "Database", "Details", "Status"]
    );
    let rows = s.rows(&sql);
    assert_eq!(rows[0]["Database"].as_deref(), Some("sales"));
    assert_eq!(rows[0]["Status"].as_deref(), Some("OK"));
    let details = rows[0]["Details"].clone().unwrap();
    assert!(details.starts_with("{\n \""), "{details}");
    let v: serde_json::Value = serde_json::from_str(&details).unwrap();
    assert_eq!(v["name"], "l1");
    assert_eq!(v["backup_time"], NOW_MS);
    assert_eq!(v["meta_version"], 92);
    assert_eq!(v["backup_result"], "succeed");
    assert!(v["backup_objects"]["orders"]["partitions"]["p000"].is_object());
    // Detail form for a missing timestamp.
    let rows = s.rows(
        "SHOW SNAPSHOT ON repo WHERE TIMESTAMP = '2000-01-01-00-00-00-000' AND SNAPSHOT = 'l1'",
    );
    assert_eq!(rows[0]["Database"], None);
    assert_eq!(rows[0]["Details"], None);
    assert_eq!(
        rows[0]["Status"].as_deref(),
        Some(
            "Failed to get info: Expected one file with path: s3://bucket/backups/__starrocks_repository_repo/__ss_l1/__info_2000-01-01-00-00-00-000. get: 0"
        )
    );
    // Shapes the analyzer refuses (compiler check).
    let e = s.err("SHOW SNAPSHOT ON repo WHERE TIMESTAMP = 'x'");
    assert_eq!(
        e.message,
        "Getting analyzing error. Detail message: Where clause should looks like: SNAPSHOT = 'your_snapshot_name' [AND TIMESTAMP = '2018-04-18-19-19-10']."
    );
}

#[test]
fn deleted_snapshots_disappear_and_a_second_simulator_sees_the_same() {
    let store = TempDir::new("repo");
    let mut s = Sim::with_store(store.path(), catalog(), None);
    s.ok(CREATE);
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    s.advance(10 * STEP_MS);
    s.ok("BACKUP SNAPSHOT sales.l2 TO repo");
    s.advance(10 * STEP_MS);
    assert_eq!(s.rows("SHOW SNAPSHOT ON repo").len(), 2);

    let mut other = Sim::with_store(store.path(), snapshot_support::catalog(), None);
    other.ok(CREATE);
    let labels: Vec<_> = other
        .rows("SHOW SNAPSHOT ON repo")
        .into_iter()
        .map(|r| r["Snapshot"].clone())
        .collect();
    assert_eq!(labels, [Some("l1".to_string()), Some("l2".to_string())]);
    assert_eq!(other.catalog.repositories["repo"].created_ms, NOW_MS);

    std::fs::remove_dir_all(
        store
            .path()
            .join("backups/__starrocks_repository_repo/__ss_l1"),
    )
    .unwrap();
    let labels: Vec<_> = s
        .rows("SHOW SNAPSHOT ON repo")
        .into_iter()
        .map(|r| r["Snapshot"].clone())
        .collect();
    assert_eq!(labels, [Some("l2".to_string())]);
    // The label is free again.
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
}
