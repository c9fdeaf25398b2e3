//! Conformance of SHOW [TEMPORARY] PARTITIONS (spec §3.6, versions §2.4) and
//! `information_schema.partitions_meta` (spec §3.7, versions §2.5): headers per profile,
//! values, NULLs, WHERE / ORDER BY / LIMIT rules and their error texts.
//!
//! WHERE semantics and errors were read from StarRocks branch-3.4
//! `fe/fe-core/src/main/java/com/starrocks/sql/analyzer/ShowStmtAnalyzer.java`
//! (`analyzeSubPredicate`, `analyzeOrderBy`) and `common/proc/PartitionsProcDir.java`
//! (`filter`, `like`, `fetchResultByFilter`); `PARTITION_KEY` holding `Column.toSql` text from
//! `service/InformationSchemaDataSource.genPartitionMetaInfo` (`Joiner.join(List<Column>)`).

#[path = "conformance_fixture.rs"]
mod fixture;

use fixture::Run;
use starsnap_simulator::{ColumnType, VersionProfile};
use VersionProfile::*;

const PARTITIONS_20: [&str; 20] = [
    "PartitionId",
    "PartitionName",
    "VisibleVersion",
    "VisibleVersionTime",
    "VisibleVersionHash",
    "State",
    "PartitionKey",
    "Range",
    "DistributionKey",
    "Buckets",
    "ReplicationNum",
    "StorageMedium",
    "CooldownTime",
    "LastConsistencyCheckTime",
    "DataSize",
    "IsInMemory",
    "RowCount",
    "DataVersion",
    "VersionEpoch",
    "VersionTxnType",
];

fn expected_show_partitions(profile: VersionProfile, list: bool) -> Vec<&'static str> {
    let mut v: Vec<&str> = PARTITIONS_20.to_vec();
    if list {
        v[7] = "List";
    }
    if profile >= V3_4 {
        v.insert(15, "StorageSize");
    }
    if profile >= V3_5 {
        v.push("TabletBalanced");
    }
    v
}

#[test]
fn show_partitions_headers_per_profile() {
    for profile in VersionProfile::ALL {
        let mut run = Run::new(profile);
        let rs = run.show("SHOW PARTITIONS FROM orders").expect("orders");
        assert_eq!(
            rs.names(),
            expected_show_partitions(profile, false),
            "{profile}"
        );
        let rs = run
            .show("SHOW PARTITIONS FROM sales.regions")
            .expect("regions");
        assert_eq!(
            rs.names(),
            expected_show_partitions(profile, true),
            "{profile}"
        );
        assert!(rs.columns.iter().all(|c| c.kind == ColumnType::VarString));
    }
    assert_eq!(expected_show_partitions(V3_4, false).len(), 21);
}

#[test]
fn show_partitions_values() {
    let mut run = Run::new(V3_4);
    let rs = run.show("SHOW PARTITIONS FROM orders").expect("orders");
    assert_eq!(
        rs.column("PartitionName"),
        ["p202401", "p202402", "p202403"]
    );
    let r = rs.row_where("PartitionName", "p202402");
    assert_eq!(rs.cell(r, "PartitionId"), Some("20011"));
    assert_eq!(rs.cell(r, "VisibleVersion"), Some("3"));
    assert_eq!(
        rs.cell(r, "VisibleVersionTime"),
        Some("2024-02-29 23:00:00")
    );
    assert_eq!(rs.cell(r, "VisibleVersionHash"), Some("0"));
    assert_eq!(rs.cell(r, "State"), Some("NORMAL"));
    assert_eq!(rs.cell(r, "PartitionKey"), Some("dt"));
    assert_eq!(
        rs.cell(r, "Range"),
        Some("[types: [DATE]; keys: [2024-02-01]; ..types: [DATE]; keys: [2024-03-01]; )")
    );
    assert_eq!(rs.cell(r, "DistributionKey"), Some("order_id"));
    assert_eq!(rs.cell(r, "Buckets"), Some("3"));
    assert_eq!(rs.cell(r, "ReplicationNum"), Some("3"));
    assert_eq!(rs.cell(r, "StorageMedium"), Some("HDD"));
    // `DataProperty.MAX_COOLDOWN_TIME_MS` = 253402271999000 is 9999-12-31 23:59:59 at +08:00
    // (the spec quotes the Java comment); a UTC session sees 15:59:59.
    assert_eq!(rs.cell(r, "CooldownTime"), Some("9999-12-31 15:59:59"));
    assert_eq!(rs.cell(r, "LastConsistencyCheckTime"), None);
    assert_eq!(rs.cell(r, "DataSize"), Some("1.5KB"));
    assert_eq!(rs.cell(r, "StorageSize"), Some("1.5KB"));
    assert_eq!(rs.cell(r, "IsInMemory"), Some("false"));
    assert_eq!(rs.cell(r, "RowCount"), Some("2"));
    assert_eq!(rs.cell(r, "DataVersion"), Some("3"));
    assert_eq!(rs.cell(r, "VersionTxnType"), Some("TXN_NORMAL"));
    assert_eq!(rs.cell(0, "DataSize"), Some("0B"));

    let rs = run.show("SHOW PARTITIONS FROM regions").expect("list");
    assert_eq!(rs.cell(0, "List"), Some(r#"[["east"],["e\u00271"]]"#));
    assert_eq!(rs.cell(0, "DistributionKey"), Some("ALL KEY"));

    // Unpartitioned: the table's name, empty key and range.
    let rs = run
        .show("SHOW PARTITIONS FROM totals")
        .expect("unpartitioned");
    assert_eq!(rs.column("PartitionName"), ["totals"]);
    assert_eq!(rs.cell(0, "PartitionKey"), Some(""));
    assert_eq!(rs.cell(0, "Range"), Some(""));

    let rs = run
        .show("SHOW TEMPORARY PARTITIONS FROM orders")
        .expect("temp");
    assert_eq!(rs.column("PartitionName"), ["tp202404"]);
}

#[test]
fn visible_version_time_follows_the_session_time_zone() {
    let mut run = Run::with(V3_4, "Asia/Shanghai", &[true]);
    let rs = run
        .show("SHOW PARTITIONS FROM orders WHERE PartitionName = 'p202402'")
        .expect("tz");
    assert_eq!(rs.column("VisibleVersionTime"), ["2024-03-01 07:00:00"]);
    assert_eq!(rs.column("CooldownTime"), ["9999-12-31 23:59:59"]);
    run.session
        .variables
        .insert("time_zone".into(), "UTC".into());
    let rs = run
        .show("SHOW PARTITIONS FROM orders WHERE PartitionName = 'p202402'")
        .expect("tz");
    assert_eq!(rs.column("VisibleVersionTime"), ["2024-02-29 23:00:00"]);
}

#[test]
fn in_memory_is_always_false_and_tablet_balanced_appears_later() {
    let mut run = Run::new(V4_1);
    if let Some(t) = run.catalog.table_mut("sales", "orders") {
        t.properties.insert("in_memory".into(), "true".into());
    }
    let rs = run.show("SHOW PARTITIONS FROM orders").expect("4.1");
    assert_eq!(rs.column("IsInMemory"), ["false", "false", "false"]);
    assert_eq!(rs.column("TabletBalanced"), ["true", "true", "true"]);
    let mut run = Run::new(V4_0);
    if let Some(t) = run.catalog.table_mut("sales", "orders") {
        t.properties.insert("in_memory".into(), "true".into());
    }
    let rs = run.show("SHOW PARTITIONS FROM orders").expect("4.0");
    assert_eq!(rs.column("IsInMemory"), ["true", "true", "true"]);
}

#[test]
fn where_filters_on_allowed_columns() {
    let mut run = Run::new(V3_4);
    let names = |run: &mut Run, sql: &str| run.show(sql).expect(sql).column("PartitionName");
    assert_eq!(
        names(
            &mut run,
            "SHOW PARTITIONS FROM orders WHERE PartitionName = 'p202401'"
        ),
        ["p202401"]
    );
    assert_eq!(
        names(
            &mut run,
            "SHOW PARTITIONS FROM orders WHERE PartitionName LIKE 'P2024%'"
        ),
        ["p202401", "p202402", "p202403"]
    );
    assert_eq!(
        names(
            &mut run,
            "SHOW PARTITIONS FROM orders WHERE PartitionId > 20010 AND Buckets = 3"
        ),
        ["p202402", "p202403"]
    );
    // Of two predicates on one column only the last one counts (a map keyed by column).
    assert_eq!(
        names(
            &mut run,
            "SHOW PARTITIONS FROM orders WHERE PartitionId > 20010 AND PartitionId < 20012"
        ),
        ["p202401", "p202402"]
    );
    // `=` with a string compares it with the Java object: no Long or enum is equal to it.
    assert!(names(
        &mut run,
        "SHOW PARTITIONS FROM orders WHERE PartitionId = '20010'"
    )
    .is_empty());
    assert!(names(
        &mut run,
        "SHOW PARTITIONS FROM orders WHERE State = 'NORMAL'"
    )
    .is_empty());
    assert_eq!(
        names(
            &mut run,
            "SHOW PARTITIONS FROM orders WHERE ReplicationNum = 3"
        ),
        ["p202401", "p202402", "p202403"]
    );
}

#[test]
fn where_errors_are_starrocks_texts() {
    let mut run = Run::new(V3_4);
    let cases = [
        ("SHOW PARTITIONS FROM orders WHERE RowCount > 0", "Only the columns of PartitionId/PartitionName/State/Buckets/ReplicationNum/LastConsistencyCheckTime are supported.."),
        ("SHOW PARTITIONS FROM orders WHERE PartitionName = 'a' OR Buckets = 1", "Only allow compound predicate with operator AND."),
        ("SHOW PARTITIONS FROM orders WHERE PartitionName != 'a'", "Only operator =|like are supported for PartitionName."),
        ("SHOW PARTITIONS FROM orders WHERE Buckets LIKE '3'", "Where clause : PartitionName|State like \"p20191012|NORMAL\"."),
        ("SHOW PARTITIONS FROM orders WHERE PartitionId IN (1, 2)", "Only operator =|>=|<=|>|<|!=|like are supported."),
        ("SHOW PARTITIONS FROM orders WHERE 1 = PartitionId", "Show filter by column."),
        ("SHOW PARTITIONS FROM orders WHERE LastConsistencyCheckTime > 1", "Where clause : LastConsistencyCheckTime =|>=|<=|>|<|!= \"2019-12-22|2019-12-22 22:22:00\"."),
        ("SHOW PARTITIONS FROM orders WHERE LastConsistencyCheckTime > '2024-01-01'", "date literal [\\N] is invalid."),
        ("SHOW PARTITIONS FROM v_orders", "Table[v_orders] does not exists or is not OLAP/Paimon table."),
    ];
    for (sql, detail) in cases {
        let e = run.show(sql).expect_err(sql);
        assert_eq!(
            e.message,
            format!("Getting analyzing error. Detail message: {detail}"),
            "{sql}"
        );
        assert_eq!((e.code, e.sqlstate.as_str()), (1064, "HY000"), "{sql}");
    }
    let e = run
        .show("SHOW PARTITIONS FROM orders ORDER BY Nope")
        .expect_err("order");
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            1166,
            "Getting analyzing error. Detail message: Incorrect column name 'Nope'."
        )
    );
    let e = run
        .show("SHOW PARTITIONS FROM nodb.orders")
        .expect_err("db");
    assert_eq!(e.code, 5501);
}

#[test]
fn order_by_and_limit() {
    let mut run = Run::new(V3_4);
    let rs = run
        .show("SHOW PARTITIONS FROM orders ORDER BY VisibleVersion DESC, PartitionName")
        .expect("order");
    assert_eq!(
        rs.column("PartitionName"),
        ["p202402", "p202401", "p202403"]
    );
    // DataSize sorts by bytes, not by its text.
    let rs = run
        .show("SHOW PARTITIONS FROM orders ORDER BY DataSize DESC LIMIT 1")
        .expect("bytes");
    assert_eq!(rs.column("PartitionName"), ["p202402"]);
    let rs = run
        .show("SHOW PARTITIONS FROM orders LIMIT 1, 1")
        .expect("limit m,n");
    assert_eq!(rs.column("PartitionName"), ["p202402"]);
    let rs = run
        .show("SHOW PARTITIONS FROM orders LIMIT 5 OFFSET 2")
        .expect("offset");
    assert_eq!(rs.column("PartitionName"), ["p202403"]);
    let rs = run
        .show("SHOW PARTITIONS FROM orders LIMIT 3 OFFSET 3")
        .expect("at end");
    assert!(rs.rows.is_empty());
    // An offset past the end fails as `ArrayList.subList` does.
    let e = run
        .show("SHOW PARTITIONS FROM orders LIMIT 1 OFFSET 5")
        .expect_err("past end");
    assert_eq!(
        (e.code, e.message.as_str()),
        (1064, "fromIndex(5) > toIndex(3)")
    );
}

#[test]
fn partitions_meta_columns_and_types_per_profile() {
    let common = [
        "DB_NAME",
        "TABLE_NAME",
        "PARTITION_NAME",
        "PARTITION_ID",
        "COMPACT_VERSION",
        "VISIBLE_VERSION",
        "VISIBLE_VERSION_TIME",
        "NEXT_VERSION",
        "DATA_VERSION",
        "VERSION_EPOCH",
        "VERSION_TXN_TYPE",
        "PARTITION_KEY",
        "PARTITION_VALUE",
        "DISTRIBUTION_KEY",
        "BUCKETS",
        "REPLICATION_NUM",
        "STORAGE_MEDIUM",
        "COOLDOWN_TIME",
        "LAST_CONSISTENCY_CHECK_TIME",
        "IS_IN_MEMORY",
        "IS_TEMP",
        "DATA_SIZE",
        "ROW_COUNT",
        "ENABLE_DATACACHE",
        "AVG_CS",
        "P50_CS",
        "MAX_CS",
        "STORAGE_PATH",
    ];
    let tails: [(VersionProfile, &[&str]); 5] = [
        (V3_3, &[]),
        (V3_4, &["STORAGE_SIZE"]),
        (V3_5, &["STORAGE_SIZE", "TABLET_BALANCED"]),
        (
            V4_0,
            &[
                "STORAGE_SIZE",
                "TABLET_BALANCED",
                "METADATA_SWITCH_VERSION",
                "PATH_ID",
            ],
        ),
        (
            V4_1,
            &["STORAGE_SIZE", "TABLET_BALANCED", "METADATA_SWITCH_VERSION"],
        ),
    ];
    for (profile, tail) in tails {
        let rs = Run::new(profile)
            .infoschema("partitions_meta")
            .expect("table");
        let mut expected: Vec<&str> = common.to_vec();
        expected.extend_from_slice(tail);
        assert_eq!(rs.names(), expected, "{profile}");
        let kind = |name: &str| rs.columns.iter().find(|c| c.name == name).map(|c| c.kind);
        let data_size = if profile >= V4_0 {
            ColumnType::LongLong
        } else {
            ColumnType::VarString
        };
        assert_eq!(kind("DATA_SIZE"), Some(data_size), "{profile}");
        assert_eq!(kind("PARTITION_ID"), Some(ColumnType::LongLong));
        assert_eq!(kind("BUCKETS"), Some(ColumnType::Long));
        assert_eq!(kind("VISIBLE_VERSION_TIME"), Some(ColumnType::DateTime));
        assert_eq!(kind("IS_TEMP"), Some(ColumnType::Tiny));
        assert_eq!(kind("AVG_CS"), Some(ColumnType::Double));
    }
}

#[test]
fn partitions_meta_values() {
    let run = Run::new(V3_4);
    let rs = run.infoschema("partitions_meta").expect("table");
    // Native tables and MVs only, in table-id order; normal then temporary partitions.
    assert_eq!(
        rs.column("PARTITION_NAME"),
        [
            "p202401",
            "p202402",
            "p202403",
            "tp202404",
            "p_east",
            "p_west",
            "totals",
            "p20240201"
        ]
    );
    let r = rs.row_where("PARTITION_NAME", "p202402");
    assert_eq!(rs.cell(r, "DB_NAME"), Some("sales"));
    assert_eq!(rs.cell(r, "PARTITION_ID"), Some("20011"));
    assert_eq!(rs.cell(r, "VISIBLE_VERSION"), Some("3"));
    assert_eq!(rs.cell(r, "NEXT_VERSION"), Some("4"));
    assert_eq!(
        rs.cell(r, "VISIBLE_VERSION_TIME"),
        Some("2024-02-29 23:00:00")
    );
    assert_eq!(
        rs.cell(r, "PARTITION_KEY"),
        Some("`dt` date NOT NULL COMMENT \"\"")
    );
    assert_eq!(
        rs.cell(r, "PARTITION_VALUE"),
        Some("[types: [DATE]; keys: [2024-02-01]; ..types: [DATE]; keys: [2024-03-01]; )")
    );
    assert_eq!(rs.cell(r, "DATA_SIZE"), Some("1.5KB"));
    assert_eq!(rs.cell(r, "STORAGE_SIZE"), Some("1536"));
    assert_eq!(rs.cell(r, "ROW_COUNT"), Some("2"));
    assert_eq!(rs.cell(r, "LAST_CONSISTENCY_CHECK_TIME"), None);
    assert_eq!(rs.cell(r, "COOLDOWN_TIME"), Some("9999-12-31 15:59:59"));
    assert_eq!(rs.cell(r, "IS_TEMP"), Some("0"));
    assert_eq!(rs.cell(r, "IS_IN_MEMORY"), Some("0"));
    assert_eq!(rs.cell(r, "STORAGE_PATH"), Some(""));
    let t = rs.row_where("PARTITION_NAME", "tp202404");
    assert_eq!(rs.cell(t, "IS_TEMP"), Some("1"));
    let u = rs.row_where("PARTITION_NAME", "totals");
    assert_eq!(rs.cell(u, "PARTITION_KEY"), Some(""));
    assert_eq!(rs.cell(u, "PARTITION_VALUE"), Some(""));

    let rs = Run::new(V4_0).infoschema("partitions_meta").expect("4.0");
    let r = rs.row_where("PARTITION_NAME", "p202402");
    assert_eq!(rs.cell(r, "DATA_SIZE"), Some("1536"));
}

#[test]
fn show_proc_partitions_equals_show_partitions() {
    let mut run = Run::new(V3_4);
    let (db_id, table_id) = {
        let db = run.catalog.db("sales").expect("db");
        (db.id, db.tables.get("orders").map(|t| t.id).unwrap_or(0))
    };
    let plain = run.show("SHOW PARTITIONS FROM orders").expect("show");
    let by_id = run
        .show(&format!("SHOW PROC '/dbs/{db_id}/{table_id}/partitions'"))
        .expect("proc");
    assert_eq!(by_id.names(), plain.names());
    assert_eq!(by_id.rows, plain.rows);
    let by_name = run
        .show("SHOW PROC '/dbs/sales/orders/temp_partitions'")
        .expect("proc temp");
    assert_eq!(by_name.column("PartitionName"), ["tp202404"]);
    let e = run
        .show("SHOW PROC '/dbs/999/1/partitions'")
        .expect_err("db");
    assert_eq!(
        e.message,
        "Getting analyzing error. Detail message: Unknown proc node path: /dbs/999/1/partitions. msg: Unknown database id or name \"999\"."
    );
    let backends = run.show("SHOW PROC '/backends'").expect("backends");
    assert_eq!(
        backends.names(),
        run.show("SHOW BACKENDS").expect("b").names()
    );
}
