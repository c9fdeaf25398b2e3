//! RESTORE conformance (spec §2.3, §3.2, §4, §8) and the data round trip: a table with a
//! year of daily partitions is backed up, damaged or dropped, and restored whole, by table,
//! by chosen partitions, with aliases, into another database and from a second simulator
//! sharing the repository; every row and partition version is compared.
#![allow(clippy::unwrap_used)]

mod snapshot_support;

use snapshot_support::*;
use starsnap_simulator::engine::catalog::{ExternalCatalog, Table, TableState};
use starsnap_simulator::engine::Catalog;

const TS: &str = "2024-03-01-00-00-00-000";

/// `sales` with `orders` holding `days` daily partitions of 3 rows each.
fn days_catalog(days: u32) -> Catalog {
    let mut cat = catalog();
    if let Some(db) = cat.db_mut("sales") {
        db.tables.insert("orders".into(), orders(100_000, days, 3));
    }
    cat
}

/// A simulator with repository `repo` and a FINISHED backup `l1` of the whole `sales`.
fn backed_up(store: &TempDir) -> Sim {
    backed_up_days(store, 40)
}

/// Same with `days` daily partitions (a year in the round trips; fewer elsewhere, since
/// every partition is a folder chain on disk).
fn backed_up_days(store: &TempDir, days: u32) -> Sim {
    let mut s = Sim::with_store(store.path(), days_catalog(days), None);
    s.ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'");
    s.ok(
        "BACKUP DATABASE sales SNAPSHOT l1 TO repo ON (ALL TABLES, ALL VIEWS, mv1, ALL FUNCTIONS)",
    );
    s.advance(10 * STEP_MS);
    assert_eq!(s.cell("sales", "State").as_deref(), Some("FINISHED"));
    s
}

fn restore_row(s: &mut Sim, db: &str) -> std::collections::BTreeMap<String, Option<String>> {
    let mut rows = s.rows(&format!("SHOW RESTORE FROM {db}"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows.remove(0)
}

fn finish(s: &mut Sim, db: &str) {
    s.advance(10 * STEP_MS);
    let r = restore_row(s, db);
    assert_eq!(r["State"].as_deref(), Some("FINISHED"), "{r:?}");
}

/// Every partition of `b` has the rows and version of the same-named partition of `a`.
fn assert_same_data(a: &Table, b: &Table) {
    assert_eq!(a.columns, b.columns);
    assert_eq!(a.partitions.len(), b.partitions.len(), "{}", b.name);
    for pa in &a.partitions {
        let pb = b
            .partition(&pa.name)
            .unwrap_or_else(|| panic!("partition {} missing", pa.name));
        assert_eq!(pa.rows, pb.rows, "rows of {}", pa.name);
        assert_eq!(
            pa.visible_version, pb.visible_version,
            "version of {}",
            pa.name
        );
        assert_eq!(pa.bound, pb.bound);
    }
    assert_eq!(b.state, TableState::Normal);
}

#[test]
fn restore_errors_in_order() {
    let store = TempDir::new("rs");
    let mut s = backed_up(&store);
    let p = format!("PROPERTIES ('backup_timestamp' = '{TS}')");
    let cases: Vec<(String, u16, &str, String)> = vec![
        (format!("RESTORE SNAPSHOT sales.l1 FROM nope {p}"), 5064, "42000", "Repository nope does not exist".into()),
        ("RESTORE SNAPSHOT sales.l1 FROM repo PROPERTIES ('backup_timestamp' = 'x')".into(), 5064, "42000",
            "Failed to get info of snapshot 'l1' because: Expected one file with path: s3://bucket/backups/__starrocks_repository_repo/__ss_l1/__info_x. get: 0. Maybe specified wrong backup timestamp".into()),
        (format!("RESTORE SNAPSHOT sales.nolabel FROM repo {p}"), 5064, "42000",
            format!("Failed to get info of snapshot 'nolabel' because: Expected one file with path: s3://bucket/backups/__starrocks_repository_repo/__ss_nolabel/__info_{TS}. get: 0. Maybe specified wrong backup timestamp")),
        ("RESTORE SNAPSHOT sales.l1 FROM repo".into(), 5064, "42000", "Getting analyzing error. Detail message: Missing backup_timestamp property.".into()),
        (format!("RESTORE SNAPSHOT sales.l1 FROM repo ON (TABLE t_restored PARTITION (p000)) {p}"), 5064, "42000", "Table t_restored does not exist in snapshot l1".into()),
        (format!("RESTORE SNAPSHOT sales.l1 FROM repo ON (orders PARTITION (p999)) {p}"), 5064, "42000", "Partition p999 of table orders does not exist in snapshot l1".into()),
        (format!("RESTORE SNAPSHOT sales.l1 FROM repo ON (orders TEMPORARY PARTITION (p000)) {p}"), 5064, "42000", "Do not support restoring temporary partitions".into()),
        (format!("RESTORE SNAPSHOT sales.l1 FROM repo ON (FUNCTION nofn) {p}"), 5064, "42000", "Can not find restore function: nofn".into()),
        (format!("RESTORE SNAPSHOT l1 FROM repo EXTERNAL CATALOG (c1) {p}"), 5064, "42000", "This is not a snapshot for external catalog restore, snapshot: l1".into()),
        (format!("RESTORE SNAPSHOT sales.l1 FROM repo ON (orders, orders) {p}"), 1064, "HY000", "Getting analyzing error at line 1, column 48. Detail message: Duplicated table: orders.".into()),
    ];
    for (sql, code, state, msg) in &cases {
        let e = s.err(sql);
        assert_eq!(
            (e.code, e.sqlstate.as_str(), e.message.as_str()),
            (*code, *state, msg.as_str()),
            "{sql}"
        );
    }
    // `DATABASE x` must be the snapshot's database — after x was created (quirk of the order).
    let e = s.err(&format!("RESTORE SNAPSHOT l1 FROM repo DATABASE other {p}"));
    assert_err(
        &e,
        5064,
        "42000",
        "target database: other is not existed in snapshot",
    );
    assert!(s.catalog.db("other").is_some());
    assert!(s.rows("SHOW RESTORE").is_empty());
    // One job per database.
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (regions) {p}"
    ));
    let e = s.err(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (regions) {p}"
    ));
    assert_err(
        &e,
        5064,
        "42000",
        "Can only run one backup or restore job of a database at same time",
    );
    let e = s.err("BACKUP SNAPSHOT sales.l9 TO repo");
    assert_err(
        &e,
        5064,
        "42000",
        "Can only run one backup or restore job of a database at same time",
    );
}

#[test]
fn state_sequence_show_restore_and_table_states() {
    let store = TempDir::new("rs");
    let mut s = backed_up(&store);
    assert_eq!(
        s.columns("SHOW RESTORE"),
        [
            "JobId",
            "Label",
            "Timestamp",
            "DbName",
            "State",
            "AllowLoad",
            "ReplicationNum",
            "RestoreObjs",
            "CreateTime",
            "MetaPreparedTime",
            "SnapshotFinishedTime",
            "DownloadFinishedTime",
            "FinishedTime",
            "UnfinishedTasks",
            "Progress",
            "TaskErrMsg",
            "Status",
            "Timeout"
        ]
    );
    s.ok(&format!("RESTORE SNAPSHOT sales.l1 FROM repo ON (orders PARTITION (p001, p000) AS o2, regions) PROPERTIES ('backup_timestamp' = '{TS}', 'replication_num' = '1')"));
    let r = restore_row(&mut s, "sales");
    assert_eq!(r["Label"].as_deref(), Some("l1"));
    assert_eq!(r["Timestamp"].as_deref(), Some(TS));
    assert_eq!(r["AllowLoad"].as_deref(), Some("false"));
    assert_eq!(r["ReplicationNum"].as_deref(), Some("1"));
    assert_eq!(
        r["RestoreObjs"].as_deref(),
        Some("regions, orders PARTITIONS [p001, p000]"),
        "Java HashMap order of table and partition names"
    );
    assert_eq!(r["Status"].as_deref(), Some("[OK]"));
    assert_eq!(r["Timeout"].as_deref(), Some("86400"));
    assert_eq!(r["MetaPreparedTime"], None);
    assert_eq!(
        r["JobId"].as_deref(),
        Some("-1"),
        "assigned when PENDING runs"
    );
    assert!(
        s.rows("SHOW BACKUP FROM sales").is_empty(),
        "the last job of sales is a restore"
    );
    let mut seen = vec![r["State"].clone().unwrap()];
    for i in 0..6 {
        s.advance(STEP_MS);
        seen.push(restore_row(&mut s, "sales")["State"].clone().unwrap());
        if i < 5 {
            assert_eq!(
                s.catalog.table("sales", "o2").map(|t| t.state),
                Some(TableState::Restore)
            );
            assert_eq!(
                s.catalog.table("sales", "regions").map(|t| t.state),
                Some(TableState::Restore)
            );
        }
    }
    assert_eq!(
        seen,
        [
            "PENDING",
            "SNAPSHOTING",
            "DOWNLOAD",
            "DOWNLOADING",
            "COMMIT",
            "COMMITTING",
            "FINISHED"
        ]
    );
    let r = restore_row(&mut s, "sales");
    assert!(r["JobId"].clone().unwrap().parse::<i64>().unwrap() > 0);
    assert_eq!(
        r["MetaPreparedTime"].as_deref(),
        Some("2024-03-01 00:00:11")
    );
    assert_eq!(
        r["DownloadFinishedTime"].as_deref(),
        Some("2024-03-01 00:00:14")
    );
    assert_eq!(r["FinishedTime"].as_deref(), Some("2024-03-01 00:00:16"));
    let o2 = s.catalog.table("sales", "o2").unwrap();
    assert_eq!(o2.partitions.len(), 2);
    assert_eq!(o2.state, TableState::Normal);
    let orders = s.catalog.table("sales", "orders").unwrap();
    assert_eq!(o2.partitions[0].rows, orders.partitions[0].rows);
    assert_eq!(
        o2.partitions[1].visible_version,
        orders.partitions[1].visible_version
    );
    assert_eq!(
        o2.partitions[1].visible_version_time,
        NOW_MS + 16_000,
        "the commit instant"
    );
}

#[test]
fn round_trip_whole_database_after_damage() {
    let store = TempDir::new("rs");
    let mut s = backed_up_days(&store, 366);
    let original = s.catalog.clone();
    {
        let t = s.catalog.table_mut("sales", "orders").unwrap();
        for p in t.partitions.iter_mut().step_by(7) {
            p.rows.clear();
            p.visible_version += 5;
        }
    }
    s.catalog.db_mut("sales").unwrap().tables.remove("regions");
    s.catalog.db_mut("sales").unwrap().tables.remove("v_orders");
    // The existing partitions have one replica: the job's replication_num must match
    // (RestoreJob.genFileMappingWhenBackupReplicasEqual).
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo PROPERTIES ('backup_timestamp' = '{TS}', 'replication_num' = '1')"
    ));
    finish(&mut s, "sales");
    for name in ["orders", "regions"] {
        assert_same_data(
            original.table("sales", name).unwrap(),
            s.catalog.table("sales", name).unwrap(),
        );
    }
    let v = s.catalog.table("sales", "v_orders").unwrap();
    assert_eq!(v.view_definition.as_deref(), Some("SELECT * FROM orders"));
}

#[test]
fn round_trip_one_table_chosen_partitions_aliases_other_database() {
    let store = TempDir::new("rs");
    let mut s = backed_up(&store);
    let original = s.catalog.table("sales", "orders").unwrap().clone();
    let p = format!("PROPERTIES ('backup_timestamp' = '{TS}')");
    // One table, dropped.
    s.catalog.db_mut("sales").unwrap().tables.remove("orders");
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (TABLE orders) {p}"
    ));
    finish(&mut s, "sales");
    assert_same_data(&original, s.catalog.table("sales", "orders").unwrap());
    // Chosen partitions into the existing table: one overwritten, one added back.
    {
        let t = s.catalog.table_mut("sales", "orders").unwrap();
        t.partition_mut("p010").unwrap().rows.clear();
        t.partitions.retain(|x| x.name != "p011");
    }
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (orders PARTITION (p010, p011)) {p}"
    ));
    finish(&mut s, "sales");
    assert_same_data(&original, s.catalog.table("sales", "orders").unwrap());
    // With an alias.
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (TABLE orders AS orders_copy) {p}"
    ));
    finish(&mut s, "sales");
    let copy = s.catalog.table("sales", "orders_copy").unwrap();
    assert_ne!(copy.id, original.id);
    assert_same_data(&original, copy);
    // Into another database (created by the restore).
    s.ok(&format!(
        "RESTORE SNAPSHOT l1 FROM repo DATABASE sales AS sales2 {p}"
    ));
    finish(&mut s, "sales2");
    assert_same_data(&original, s.catalog.table("sales2", "orders").unwrap());
    assert!(s
        .catalog
        .db("sales2")
        .unwrap()
        .functions
        .iter()
        .any(|f| f.name == "fn1"));
    // Old syntax: into `db`, whatever the snapshot's database.
    s.ok(&format!(
        "RESTORE SNAPSHOT sales3.l1 FROM repo ON (regions) {p}"
    ));
    finish(&mut s, "sales3");
    assert!(s.catalog.table("sales3", "regions").is_some());
}

#[test]
fn round_trip_from_a_second_simulator_sharing_the_repository() {
    let store = TempDir::new("rs");
    let s = backed_up_days(&store, 366);
    let original = s.catalog.table("sales", "orders").unwrap().clone();
    let mut other = Sim::with_store(store.path(), Catalog::new(9), None);
    other.session.current_db = None;
    other.ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'");
    other.ok(&format!(
        "RESTORE SNAPSHOT l1 FROM repo PROPERTIES ('backup_timestamp' = '{TS}')"
    ));
    finish(&mut other, "sales");
    assert_same_data(&original, other.catalog.table("sales", "orders").unwrap());
    // The MV was restored with its base table present: active.
    let mv = other.catalog.table("sales", "mv1").unwrap();
    assert!(mv.mv.as_ref().unwrap().active);
}

#[test]
fn materialized_views_without_base_tables_are_inactive() {
    let store = TempDir::new("rs");
    let mut s = backed_up(&store);
    s.ok(&format!("RESTORE SNAPSHOT l1 FROM repo DATABASE sales AS lone ON (MATERIALIZED VIEW mv1) PROPERTIES ('backup_timestamp' = '{TS}')"));
    finish(&mut s, "lone");
    let mv = s.catalog.table("lone", "mv1").unwrap().mv.clone().unwrap();
    assert!(!mv.active);
    assert!(!mv.inactive_reason.is_empty());
}

#[test]
fn schema_mismatch_replication_cancel_and_timeout() {
    let store = TempDir::new("rs");
    let mut s = backed_up(&store);
    let p = format!("PROPERTIES ('backup_timestamp' = '{TS}')");
    // Schema mismatch: the job is cancelled at PENDING and nothing is left behind.
    s.catalog.table_mut("sales", "regions").unwrap().columns[2].name = "w".into();
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (regions, orders AS o9) {p}"
    ));
    s.advance(STEP_MS);
    let r = restore_row(&mut s, "sales");
    assert_eq!(r["State"].as_deref(), Some("CANCELLED"));
    assert_eq!(
        r["Status"].as_deref(),
        Some(
            "[COMMON_ERROR, msg: Table regions already exist but with different schema, errMsg: ]"
        ),
        "the signature differs only in the schema hash, which getSignatureSequence does not list"
    );
    assert!(s.catalog.table("sales", "o9").is_none());
    assert_eq!(
        s.catalog.table("sales", "regions").unwrap().state,
        TableState::Normal
    );
    // An existing table restored under an alias: the snapshot's table name is part of the
    // signature. Source (facts only): fe/fe-core/src/main/java/com/starrocks/backup/RestoreJob.java
    // (checkAndPrepareMeta: state/temp-partition pass, then signature, key type, columns) and
    // fe/fe-core/src/main/java/com/starrocks/catalog/OlapTable.java (getSignatureSequence).
    s.catalog.table_mut("sales", "regions").unwrap().columns[2].name = "v".into();
    if let Some(db) = s.catalog.db_mut("sales") {
        let mut copy = db.tables["regions"].clone();
        copy.name = "regions2".into();
        db.tables.insert("regions2".into(), copy);
    }
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (regions AS regions2) {p}"
    ));
    s.advance(STEP_MS);
    assert_eq!(
        restore_row(&mut s, "sales")["Status"].as_deref(),
        Some("[COMMON_ERROR, msg: Table regions2 already exist but with different schema, errMsg: Table name is inconsistent]")
    );
    // Another table's state blocks the job first (first pass over existing tables).
    s.catalog.table_mut("sales", "regions2").unwrap().state = TableState::SchemaChange;
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (regions AS regions2) {p}"
    ));
    s.advance(STEP_MS);
    assert_eq!(
        restore_row(&mut s, "sales")["Status"].as_deref(),
        Some("[COMMON_ERROR, msg: Table regions2's state is not NORMAL: SCHEMA_CHANGE]")
    );
    // A view name taken by a table.
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (VIEW v_orders AS regions) {p}"
    ));
    s.advance(STEP_MS);
    assert_eq!(
        restore_row(&mut s, "sales")["Status"].as_deref(),
        Some("[BAD_REPLACE, msg: Table: regions has existed and it is not a View]")
    );
    // replication_num against alive backends.
    s.snaps.set_backend_alive(0, false);
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (orders AS o3) {p}"
    ));
    s.advance(STEP_MS);
    let r = restore_row(&mut s, "sales");
    assert_eq!(r["State"].as_deref(), Some("CANCELLED"));
    assert!(
        r["Status"]
            .clone()
            .unwrap()
            .contains("replication num: 3, alive backends: 2"),
        "{r:?}"
    );
    s.snaps.set_backend_alive(0, true);
    // Cancel while downloading: created tables are dropped again.
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (orders AS o4) {p}"
    ));
    s.advance(2 * STEP_MS);
    assert!(s.catalog.table("sales", "o4").is_some());
    s.ok("CANCEL RESTORE FROM sales");
    let r = restore_row(&mut s, "sales");
    assert_eq!(
        r["Status"].as_deref(),
        Some("[COMMON_ERROR, msg: user cancelled, current state: DOWNLOAD]")
    );
    assert!(s.catalog.table("sales", "o4").is_none());
    let e = s.err("CANCEL RESTORE FROM sales");
    assert_err(
        &e,
        5064,
        "42000",
        "Failed to cancel job: Job with label l1 can not be cancelled. state: CANCELLED",
    );
    let e = s.err("CANCEL BACKUP FROM sales");
    assert_err(&e, 5064, "42000", "No backup job is currently running");
    // Timeout.
    s.ok("ADMIN SET SIMULATOR PACING STATE 'DOWNLOADING' = 3600000");
    s.ok(&format!("RESTORE SNAPSHOT sales.l1 FROM repo ON (orders AS o5) PROPERTIES ('backup_timestamp' = '{TS}', 'timeout' = '600')"));
    s.advance(700_000);
    assert_eq!(
        restore_row(&mut s, "sales")["Status"].as_deref(),
        Some("[TIMEOUT, msg: restore job with label: l1  timeout.]")
    );
    // A fault at a chosen state.
    s.ok("ADMIN SET SIMULATOR PACING STATE 'DOWNLOADING' = 1000");
    s.ok("ADMIN SET SIMULATOR FAULT 'restore_fail' ON DATABASE sales AT STATE 'COMMIT' WITH MESSAGE 'be down'");
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (orders AS o6) {p}"
    ));
    s.advance(10 * STEP_MS);
    assert!(s.catalog.table("sales", "o6").is_none(), "undone");
    assert_eq!(
        restore_row(&mut s, "sales")["Status"].as_deref(),
        Some("[COMMON_ERROR, msg: be down]")
    );
}

#[test]
fn external_catalog_backup_and_restore() {
    let store = TempDir::new("rs");
    let mut s = backed_up(&store);
    s.catalog.external_catalogs.insert(
        "hive1".into(),
        ExternalCatalog {
            id: 7,
            name: "hive1".into(),
            catalog_type: "hive".into(),
            comment: String::new(),
            properties: Default::default(),
        },
    );
    s.ok("BACKUP ALL EXTERNAL CATALOGS SNAPSHOT c1 TO repo");
    s.advance(5 * STEP_MS);
    let p = format!(
        "PROPERTIES ('backup_timestamp' = '{}')",
        "2024-03-01-00-00-10-000"
    );
    let e = s.err(&format!("RESTORE SNAPSHOT sales.c1 FROM repo {p}"));
    assert_err(
        &e,
        5064,
        "42000",
        "Can not specify database for external catalog snapshot",
    );
    let e = s.err(&format!(
        "RESTORE SNAPSHOT c1 FROM repo EXTERNAL CATALOG (nope) {p}"
    ));
    assert_err(&e, 5064, "42000", "Can not find restore catalog: nope");
    let e = s.err(&format!(
        "RESTORE SNAPSHOT c1 FROM repo EXTERNAL CATALOG (hive1 AS default_catalog) {p}"
    ));
    assert_err(
        &e,
        5064,
        "42000",
        "Do not support set alias as default catalog for external catalog restore",
    );
    s.ok(&format!(
        "RESTORE SNAPSHOT c1 FROM repo EXTERNAL CATALOG (hive1 AS hive2) {p}"
    ));
    let mut seen = Vec::new();
    for _ in 0..3 {
        let rows = s.rows("SHOW RESTORE");
        seen.push(rows.last().unwrap()["State"].clone().unwrap());
        assert_eq!(rows.last().unwrap()["JobId"].as_deref(), Some("-1"));
        s.advance(STEP_MS);
    }
    assert_eq!(seen, ["PENDING", "COMMITTING", "FINISHED"]);
    // A catalog that exists already makes the job fail at PENDING.
    s.ok(&format!(
        "RESTORE SNAPSHOT c1 FROM repo EXTERNAL CATALOG (hive1 AS hive2) {p}"
    ));
    s.advance(STEP_MS);
    let rows = s.rows("SHOW RESTORE");
    assert_eq!(
        rows.last().unwrap()["Status"].as_deref(),
        Some("[COMMON_ERROR, msg: Failed to restore external catalog, errmsg: Catalog 'hive2' already exists]")
    );
    assert_eq!(s.catalog.external_catalogs["hive2"].catalog_type, "hive");
}

#[test]
fn existing_table_range_key_and_temp_partition_checks() {
    use starsnap_simulator::engine::catalog::{KeysType, PartitionBound};
    use starsnap_simulator::engine::Value;
    let store = TempDir::new("rs");
    let mut s = backed_up(&store);
    let p = format!("PROPERTIES ('backup_timestamp' = '{TS}')");
    let status = |s: &mut Sim| restore_row(s, "sales")["Status"].clone().unwrap();
    // Same partition name, different range.
    let saved = s.catalog.table("sales", "orders").unwrap().clone();
    s.catalog
        .table_mut("sales", "orders")
        .unwrap()
        .partition_mut("p039")
        .unwrap()
        .bound = PartitionBound::Range {
        lower: Some(vec![Value::Date(JAN1 + 39)]),
        upper: Some(vec![Value::Date(JAN1 + 45)]),
    };
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (orders PARTITION (p039)) {p}"
    ));
    s.advance(STEP_MS);
    assert_eq!(
        status(&mut s),
        "[COMMON_ERROR, msg: Partition p039 in table orders has different range with partition in repository]"
    );
    // A missing partition whose range another partition now covers.
    {
        let t = s.catalog.table_mut("sales", "orders").unwrap();
        *t = saved.clone();
        let mut p1 = t.partitions.remove(1);
        p1.name = "moved".into();
        t.insert_partition(p1);
    }
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (orders PARTITION (p001)) {p}"
    ));
    s.advance(STEP_MS);
    assert_eq!(
        status(&mut s),
        "[COMMON_ERROR, msg: Partition p001 in table orders has conflict range with existing ranges]"
    );
    // Key type.
    {
        let t = s.catalog.table_mut("sales", "orders").unwrap();
        *t = saved.clone();
        t.keys = KeysType::Unique;
    }
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (orders) {p}"
    ));
    s.advance(STEP_MS);
    assert_eq!(
        status(&mut s),
        "[COMMON_ERROR, msg: Table orders already exist but with different key type]"
    );
    // Temporary partitions on the existing table.
    {
        let t = s.catalog.table_mut("sales", "orders").unwrap();
        *t = saved.clone();
        let tmp = t.partitions[0].clone();
        t.temp_partitions.push(tmp);
    }
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (orders) {p}"
    ));
    s.advance(STEP_MS);
    assert_eq!(
        status(&mut s),
        "[COMMON_ERROR, msg: Do not support restoring table with temp partitions]"
    );
    assert_eq!(
        s.catalog.table("sales", "orders").unwrap().state,
        TableState::Normal,
        "a cancelled job unlocks"
    );
}

#[test]
fn a_table_dropped_while_restoring_cancels_the_job() {
    let store = TempDir::new("rs");
    let mut s = backed_up(&store);
    s.ok(&format!(
        "RESTORE SNAPSHOT sales.l1 FROM repo ON (regions AS r2) PROPERTIES ('backup_timestamp' = '{TS}')"
    ));
    s.advance(STEP_MS);
    let id = s.catalog.table("sales", "r2").unwrap().id;
    s.catalog.db_mut("sales").unwrap().tables.remove("r2");
    s.advance(STEP_MS);
    let r = restore_row(&mut s, "sales");
    assert_eq!(r["State"].as_deref(), Some("CANCELLED"));
    assert_eq!(
        r["Status"].clone().unwrap(),
        format!("[NOT_FOUND, msg: table {id} has been dropped]")
    );
}
