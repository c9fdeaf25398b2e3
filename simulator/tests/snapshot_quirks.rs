//! The checklist of spec §8 (quirks) for the snapshot statements, plus case-sensitivity,
//! version-profile grammar (SHOW BACKUP WHERE is 4.1+) and time zones of the timestamps.
#![allow(clippy::unwrap_used)]

mod snapshot_support;

use snapshot_support::*;
use starsnap_simulator::{Clock, SimConfig};

fn sim(store: &TempDir) -> Sim {
    let mut s = Sim::with_store(store.path(), catalog(), None);
    s.ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'");
    s
}

#[test]
fn parse_and_analyzer_quirks_come_from_the_compiler() {
    let store = TempDir::new("qk");
    let mut s = sim(&store);
    let cases: &[(&str, u16, &str)] = &[
        // §8.2: no WHERE on SHOW BACKUP in 3.4.
        ("SHOW BACKUP FROM sales WHERE SnapshotName = 'x'", 1064, "Getting syntax error at line 1, column 23. Detail message: Unexpected input 'WHERE', the most similar input is {<EOF>, ';'}."),
        // §8.3: ON needs an explicit database in RESTORE.
        ("RESTORE SNAPSHOT l FROM repo ON (t) PROPERTIES ('backup_timestamp' = 'x')", 1064, "Getting syntax error. Detail message: `ON` clause is forbidden if no Database explicitly specified in Restore stmt."),
        // §8.4: replication_num's parse error talks about the meta version.
        ("RESTORE SNAPSHOT sales.l FROM repo PROPERTIES ('backup_timestamp' = 'x', 'replication_num' = 'a')", 5064, "Getting analyzing error. Detail message: Invalid meta version format: a."),
        // §8.6: typos kept.
        ("CREATE REPOSITORY `` WITH BROKER ON LOCATION 's3://bucket/x'", 5064, "Getting analyzing error. Detail message: Repository does not empty."),
        ("BACKUP DATABASE sales SNAPSHOT sales.l TO repo", 1064, "Getting syntax error. Detail message: Specifying dbName before snapshot name is forbidden if the DbName is specified explicitly in BACKUP/RESTORE."),
        ("BACKUP ALL EXTERNAL CATALOGS DATABASE sales SNAPSHOT l TO repo", 1064, "Getting syntax error. Detail message: Can not sepcify database name for external catalog Backup/Restore."),
        // §1.2: DROP SNAPSHOT does not exist in 3.4.
        ("DROP SNAPSHOT s ON repo", 1064, "Getting syntax error at line 1, column 5. Detail message: No viable statement for input 'DROP SNAPSHOT'."),
        // §8.11: names are case-sensitive, keywords are not.
        ("backup snapshot Sales.l to repo", 5501, "Getting analyzing error. Detail message: Unknown database 'Sales'."),
        ("show snapshot on REPO", 5064, "Getting analyzing error. Detail message: Repository [REPO] does not exist."),
    ];
    for (sql, code, msg) in cases {
        let e = s.err(sql);
        assert_eq!((e.code, e.message.as_str()), (*code, *msg), "{sql}");
    }
}

#[test]
fn object_keywords_are_not_type_checked_and_all_plus_named_is_legal() {
    let store = TempDir::new("qk");
    let mut s = sim(&store);
    // §8.12: `VIEW orders` names a table; ALL FUNCTIONS with a named function.
    s.ok("BACKUP DATABASE sales SNAPSHOT l1 TO repo ON (VIEW orders, ALL FUNCTIONS, FUNCTION fn1)");
    assert_eq!(
        s.cell("sales", "BackupObjs").as_deref(),
        Some("[sales.orders]")
    );
    s.advance(10 * STEP_MS);
    let details = s.rows(
        "SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l1' AND TIMESTAMP = '2024-03-01-00-00-00-000'",
    )[0]["Details"]
        .clone()
        .unwrap();
    assert!(details.contains("\"orders\""), "{details}");
}

#[test]
fn show_restore_where_is_ignored_and_cancel_restore_says_no_restore() {
    let store = TempDir::new("qk");
    let mut s = sim(&store);
    assert!(s.rows("SHOW RESTORE WHERE a = 1").is_empty());
    assert!(s
        .rows("SHOW RESTORE FROM sales WHERE anything LIKE 'x'")
        .is_empty());
    let e = s.err("CANCEL RESTORE FROM sales");
    assert_eq!(e.message, "No restore is currently running");
}

#[test]
fn timestamps_use_the_fe_time_zone_and_show_times_the_session_one() {
    let store = TempDir::new("qk");
    let mut config = SimConfig {
        clock: Clock::virtual_at(NOW_MS + 842),
        time_zone: "+08:00".into(),
        snapshot_pacing: starsnap_simulator::snapshot::Pacing::uniform(STEP_MS),
        ..SimConfig::default()
    };
    config
        .storage
        .insert("s3://bucket".into(), store.path().to_path_buf());
    let mut s = Sim::from_config(config, catalog());
    s.ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'");
    let info = std::fs::read_to_string(
        store
            .path()
            .join("backups/__starrocks_repository_repo/__repo_info"),
    )
    .unwrap();
    assert!(info.contains("2024-03-01 08:00:00"), "{info}");
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    assert_eq!(
        s.cell("sales", "CreateTime").as_deref(),
        Some("2024-03-01 08:00:00")
    );
    s.session
        .variables
        .insert("time_zone".into(), "'UTC'".into());
    assert_eq!(
        s.cell("sales", "CreateTime").as_deref(),
        Some("2024-03-01 00:00:00")
    );
    s.advance(10 * STEP_MS);
    let rows = s.rows("SHOW SNAPSHOT ON repo");
    assert_eq!(
        rows[0]["Timestamp"].as_deref(),
        Some("2024-03-01-08-00-00-842")
    );
}

#[test]
fn show_repositories_reads_the_list_this_module_keeps() {
    let store = TempDir::new("qk");
    let mut s = sim(&store);
    s.ok("CREATE READ ONLY REPOSITORY ro WITH BROKER ON LOCATION 's3://bucket/ro'");
    let engine_ctx = starsnap_simulator::engine::EngineCtx {
        catalog: &s.catalog,
        config: &s.config,
        time_zone: &s.tz,
    };
    let mut session = s.session.clone();
    let out =
        starsnap_simulator::engine::show::execute(&engine_ctx, &mut session, "SHOW REPOSITORIES")
            .unwrap();
    let starsnap_simulator::Response::ResultSet { rows, .. } = out else {
        panic!("rows")
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1].as_deref(), Some("repo"));
    assert_eq!(rows[0][3].as_deref(), Some("false"));
    assert_eq!(rows[0][5].as_deref(), Some(""), "Broker is an empty string");
    assert_eq!(rows[0][6], None, "ErrMsg is NULL");
    assert_eq!(rows[1][3].as_deref(), Some("true"));
}

#[test]
fn version_4_1_limits_show_results_and_3_4_refuses_the_clauses() {
    let store = TempDir::new("qk");
    let mut config = SimConfig {
        clock: Clock::virtual_at(NOW_MS),
        version: starsnap_simulator::VersionProfile::V4_1,
        snapshot_pacing: starsnap_simulator::snapshot::Pacing::uniform(STEP_MS),
        ..SimConfig::default()
    };
    config
        .storage
        .insert("s3://bucket".into(), store.path().to_path_buf());
    let mut cat = catalog();
    if let Some(db) = cat.db_mut("empty_db") {
        db.tables.insert(
            "x".into(),
            table(
                90_000,
                "x",
                starsnap_simulator::engine::catalog::TableKind::Olap,
            ),
        );
    }
    let mut s = Sim::from_config(config, cat);
    s.ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'");
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    s.ok("BACKUP SNAPSHOT empty_db.l2 TO repo");
    assert_eq!(s.rows("SHOW BACKUP").len(), 2);
    let rows = s.rows("SHOW BACKUP ORDER BY DbName DESC LIMIT 1 OFFSET 1");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0]["DbName"].as_deref(),
        Some("empty_db"),
        "ORDER BY ignored"
    );
    s.advance(10 * STEP_MS);
    let rows = s.rows("SHOW SNAPSHOT ON repo LIMIT 1");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["Snapshot"].as_deref(), Some("l1"));
    assert!(s.rows("SHOW RESTORE WHERE x = 1 LIMIT 5").is_empty());

    let store34 = TempDir::new("qk");
    let mut s34 = sim(&store34);
    let e = s34.err("SHOW SNAPSHOT ON repo LIMIT 1");
    assert_eq!(e.code, 1064);
    assert!(e.message.starts_with("Getting syntax error"), "{e:?}");
}
