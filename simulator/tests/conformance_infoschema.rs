//! Conformance of `information_schema.tables`, `views`, `materialized_views` and `schemata`
//! (versions §2.6): column names, order and types per profile, NULLs and values.
//!
//! Column lists and types were read from StarRocks source: branch-3.4 (and 3.3, 3.5)
//! `fe/fe-core/src/main/java/com/starrocks/catalog/system/information/{Tables,Views,
//! MaterializedViews,Schemata}SystemTable.java`; 4.0/4.1 type the materialized-view ids,
//! times, duration and row count and add `LAST_REFRESH_PROCESS_TIME`, `LAST_REFRESH_JOB_ID`.
//! Values: `be/src/exec/schema_scanner/schema_{tables,views,schemata,materialized_views}_scanner.cpp`
//! and `fe/.../service/InformationSchemaDataSource.java` (unset numbers `-1` → NULL, unset
//! strings `""` in 3.x).

#[path = "conformance_fixture.rs"]
mod fixture;

use fixture::Run;
use starsnap_simulator::{ColumnType, VersionProfile};
use VersionProfile::*;

#[test]
fn tables_has_the_21_mysql_columns_in_every_profile() {
    let expected = [
        "TABLE_CATALOG",
        "TABLE_SCHEMA",
        "TABLE_NAME",
        "TABLE_TYPE",
        "ENGINE",
        "VERSION",
        "ROW_FORMAT",
        "TABLE_ROWS",
        "AVG_ROW_LENGTH",
        "DATA_LENGTH",
        "MAX_DATA_LENGTH",
        "INDEX_LENGTH",
        "DATA_FREE",
        "AUTO_INCREMENT",
        "CREATE_TIME",
        "UPDATE_TIME",
        "CHECK_TIME",
        "TABLE_COLLATION",
        "CHECKSUM",
        "CREATE_OPTIONS",
        "TABLE_COMMENT",
    ];
    for profile in VersionProfile::ALL {
        let rs = Run::new(profile).infoschema("tables").expect("tables");
        assert_eq!(rs.names(), expected, "{profile}");
        let kind = |n: &str| rs.columns.iter().find(|c| c.name == n).map(|c| c.kind);
        assert_eq!(kind("TABLE_ROWS"), Some(ColumnType::LongLong));
        assert_eq!(kind("CREATE_TIME"), Some(ColumnType::DateTime));
    }
}

#[test]
fn tables_values_and_nulls() {
    let rs = Run::new(V3_4).infoschema("tables").expect("tables");
    let o = rs.row_where("TABLE_NAME", "orders");
    assert_eq!(rs.cell(o, "TABLE_CATALOG"), Some("def"));
    assert_eq!(rs.cell(o, "TABLE_SCHEMA"), Some("sales"));
    assert_eq!(rs.cell(o, "TABLE_TYPE"), Some("BASE TABLE"));
    assert_eq!(rs.cell(o, "ENGINE"), Some("StarRocks"));
    assert_eq!(rs.cell(o, "VERSION"), None);
    assert_eq!(rs.cell(o, "TABLE_ROWS"), Some("2"));
    assert_eq!(rs.cell(o, "AVG_ROW_LENGTH"), Some("768"));
    assert_eq!(rs.cell(o, "DATA_LENGTH"), Some("1536"));
    assert_eq!(rs.cell(o, "MAX_DATA_LENGTH"), None);
    assert_eq!(rs.cell(o, "CREATE_TIME"), Some("2024-01-01 00:00:00"));
    assert_eq!(rs.cell(o, "UPDATE_TIME"), Some("2024-02-29 23:00:00"));
    assert_eq!(rs.cell(o, "CHECK_TIME"), None);
    assert_eq!(rs.cell(o, "TABLE_COLLATION"), Some("utf8_general_ci"));
    assert_eq!(rs.cell(o, "CHECKSUM"), None);
    assert_eq!(rs.cell(o, "TABLE_COMMENT"), Some(""));
    let v = rs.row_where("TABLE_NAME", "v_orders");
    assert_eq!(rs.cell(v, "TABLE_TYPE"), Some("VIEW"));
    assert_eq!(rs.cell(v, "TABLE_ROWS"), None);
    // 3.x BE scanner: a view's unset ENGINE is an empty string.
    assert_eq!(rs.cell(v, "ENGINE"), Some(""));
    let m = rs.row_where("TABLE_NAME", "mv_daily");
    assert_eq!(rs.cell(m, "TABLE_TYPE"), Some("VIEW"));
    assert_eq!(rs.cell(m, "ENGINE"), Some("StarRocks"));
    let t = rs.row_where("TABLE_NAME", "totals");
    assert_eq!(rs.cell(t, "TABLE_COMMENT"), Some("running totals"));
    let s = rs.row_where("TABLE_NAME", "partitions_meta");
    assert_eq!(rs.cell(s, "TABLE_TYPE"), Some("SYSTEM VIEW"));
    assert_eq!(rs.cell(s, "ENGINE"), Some("MEMORY"));

    // 4.x evaluates `tables` in the FE: unset strings become NULL.
    let rs = Run::new(V4_0).infoschema("tables").expect("4.0");
    let v = rs.row_where("TABLE_NAME", "v_orders");
    assert_eq!(rs.cell(v, "ENGINE"), None);
}

#[test]
fn views_and_schemata() {
    let rs = Run::new(V3_4).infoschema("views").expect("views");
    assert_eq!(
        rs.names(),
        [
            "TABLE_CATALOG",
            "TABLE_SCHEMA",
            "TABLE_NAME",
            "VIEW_DEFINITION",
            "CHECK_OPTION",
            "IS_UPDATABLE",
            "DEFINER",
            "SECURITY_TYPE",
            "CHARACTER_SET_CLIENT",
            "COLLATION_CONNECTION",
        ]
    );
    assert_eq!(
        rs.column("TABLE_NAME"),
        ["v_orders"],
        "views only, no materialized views"
    );
    assert_eq!(
        rs.cell(0, "VIEW_DEFINITION"),
        Some("SELECT `order_id` FROM `sales`.`orders`")
    );
    assert_eq!(rs.cell(0, "CHECK_OPTION"), Some("NONE"));
    assert_eq!(rs.cell(0, "IS_UPDATABLE"), Some("NO"));

    let rs = Run::new(V3_4).infoschema("schemata").expect("schemata");
    assert_eq!(
        rs.names(),
        [
            "CATALOG_NAME",
            "SCHEMA_NAME",
            "DEFAULT_CHARACTER_SET_NAME",
            "DEFAULT_COLLATION_NAME",
            "SQL_PATH"
        ]
    );
    assert!(rs.column("SCHEMA_NAME").contains(&"sales".to_string()));
    assert_eq!(rs.cell(0, "SQL_PATH"), None);
    assert!(Run::new(V3_4).infoschema("no_such_table").is_none());
}

#[test]
fn materialized_views_per_profile() {
    let rs = Run::new(V3_4)
        .infoschema("materialized_views")
        .expect("mvs");
    assert_eq!(rs.names().len(), 25);
    assert_eq!(rs.names()[0], "MATERIALIZED_VIEW_ID");
    assert_eq!(rs.names()[24], "CREATOR");
    assert!(rs.columns.iter().all(|c| c.kind == ColumnType::VarString));
    assert_eq!(rs.cell(0, "TABLE_NAME"), Some("mv_daily"));
    assert_eq!(rs.cell(0, "MATERIALIZED_VIEW_ID"), Some("20005"));
    assert_eq!(rs.cell(0, "REFRESH_TYPE"), Some("ASYNC"));
    assert_eq!(rs.cell(0, "IS_ACTIVE"), Some("true"));
    assert_eq!(rs.cell(0, "PARTITION_TYPE"), Some("EXPR_RANGE"));
    // Never refreshed: `TimeUtils.longToTimeString(0)` is the literal `\N` string in 3.x.
    assert_eq!(rs.cell(0, "LAST_REFRESH_START_TIME"), Some("\\N"));
    assert_eq!(rs.cell(0, "LAST_REFRESH_STATE"), Some("null"));

    for profile in [V4_0, V4_1] {
        let rs = Run::new(profile)
            .infoschema("materialized_views")
            .expect("mvs");
        assert_eq!(rs.names().len(), 27, "{profile}");
        assert_eq!(
            rs.names()[25..],
            ["LAST_REFRESH_PROCESS_TIME", "LAST_REFRESH_JOB_ID"]
        );
        let kind = |n: &str| rs.columns.iter().find(|c| c.name == n).map(|c| c.kind);
        assert_eq!(kind("MATERIALIZED_VIEW_ID"), Some(ColumnType::LongLong));
        assert_eq!(kind("LAST_REFRESH_DURATION"), Some(ColumnType::Double));
        assert_eq!(rs.cell(0, "LAST_REFRESH_START_TIME"), None);
    }
}

#[test]
fn show_tables_from_information_schema_lists_the_served_tables() {
    let mut run = Run::new(V3_4);
    let rs = run
        .show("SHOW FULL TABLES FROM information_schema")
        .expect("is");
    assert_eq!(
        rs.column("Tables_in_information_schema"),
        [
            "columns",
            "materialized_views",
            "partitions_meta",
            "schemata",
            "tables",
            "views"
        ]
    );
    assert!(rs.column("Table_type").iter().all(|t| t == "SYSTEM VIEW"));
}

#[test]
fn pushdown_only_skips_other_databases_and_tables() {
    use starsnap_simulator::engine::infoschema::{table_filtered, Pushdown};
    use starsnap_simulator::engine::EngineCtx;
    let run = Run::new(V3_4);
    let ctx = EngineCtx {
        catalog: &run.catalog,
        config: &run.config,
        time_zone: &run.tz,
    };
    let only_orders = Pushdown::one(Some("sales"), Some("orders"));
    let meta = table_filtered(&ctx, &run.session, "partitions_meta", &only_orders).expect("meta");
    assert_eq!(meta.rows.len(), 4);
    let all = run.infoschema("partitions_meta").expect("all");
    let full: Vec<_> = all
        .rows
        .iter()
        .filter(|r| r[1].as_deref() == Some("orders"))
        .cloned()
        .collect();
    let pushed: Vec<Vec<Option<String>>> = meta
        .rows
        .iter()
        .map(|r| r.iter().map(|v| v.to_text()).collect())
        .collect();
    assert_eq!(pushed, full, "pushdown rows equal the filtered full scan");
    let none = Pushdown::one(Some("SALES"), None);
    let tables = table_filtered(&ctx, &run.session, "tables", &none).expect("tables");
    assert!(tables.rows.is_empty(), "names are case-sensitive");
}
