//! Conformance of SHOW result sets with the spec: full header lists per version profile
//! (`shared/spec/starrocks-3.4.md` §3, `starrocks-versions.md` §2/§7), value formats, NULL
//! cells, ordering, and the errors of unknown objects and unknown SHOW forms.
//!
//! Facts not in the spec were read from StarRocks branch-3.4 (paths relative to
//! `fe/fe-core/src/main/java/com/starrocks/`): titles `Database` (`sql/ast/ShowDbStmt.java`),
//! `Tables_in_<db>` / `Table_type` (`sql/ast/ShowTableStmt.java`), `Variable_name` / `Value`
//! (`sql/ast/ShowVariablesStmt.java`), `Table` / `Create Table` and the view layout
//! (`sql/ast/ShowCreateTableStmt.java`); DDL text (`sql/analyzer/AstToStringBuilder.getDdlStmt`).

#[path = "conformance_fixture.rs"]
mod fixture;

use fixture::Run;
use starsnap_simulator::{ColumnType, VersionProfile};
use VersionProfile::*;

const FRONTENDS_16: [&str; 16] = [
    "Name",
    "IP",
    "EditLogPort",
    "HttpPort",
    "QueryPort",
    "RpcPort",
    "Role",
    "ClusterId",
    "Join",
    "Alive",
    "ReplayedJournalId",
    "LastHeartbeat",
    "IsHelper",
    "ErrMsg",
    "StartTime",
    "Version",
];

const BACKENDS_29: [&str; 29] = [
    "BackendId",
    "IP",
    "HeartbeatPort",
    "BePort",
    "HttpPort",
    "BrpcPort",
    "LastStartTime",
    "LastHeartbeat",
    "Alive",
    "SystemDecommissioned",
    "ClusterDecommissioned",
    "TabletNum",
    "DataUsedCapacity",
    "AvailCapacity",
    "TotalCapacity",
    "UsedPct",
    "MaxDiskUsedPct",
    "ErrMsg",
    "Version",
    "Status",
    "DataTotalCapacity",
    "DataUsedPct",
    "CpuCores",
    "MemLimit",
    "NumRunningQueries",
    "MemUsedPct",
    "CpuUsedPct",
    "DataCacheMetrics",
    "Location",
];

#[test]
fn show_frontends_gains_a_leading_id_in_3_5() {
    for profile in VersionProfile::ALL {
        let rs = Run::new(profile).show("SHOW FRONTENDS").expect("frontends");
        let mut expected: Vec<&str> = Vec::new();
        if profile >= V3_5 {
            expected.push("Id");
        }
        expected.extend(FRONTENDS_16);
        assert_eq!(rs.names(), expected, "{profile}");
        assert_eq!(rs.rows.len(), 1);
        assert_eq!(rs.cell(0, "Role"), Some("LEADER"));
        assert_eq!(rs.cell(0, "Alive"), Some("true"));
        assert_eq!(rs.cell(0, "Version"), Some(profile.version_comment()));
        assert!(rs.columns.iter().all(|c| c.kind == ColumnType::VarString));
    }
}

#[test]
fn show_backends_has_29_columns_in_3_3_and_status_code_after() {
    for profile in VersionProfile::ALL {
        let rs = Run::with(profile, "UTC", &[true, false])
            .show("SHOW BACKENDS")
            .expect("backends");
        let mut expected: Vec<&str> = BACKENDS_29.to_vec();
        if profile >= V3_4 {
            expected.push("StatusCode");
        }
        assert_eq!(rs.names(), expected, "{profile}");
        assert_eq!(rs.column("Alive"), ["true", "false"]);
        if profile >= V3_4 {
            assert_eq!(rs.column("StatusCode"), ["OK", "DISCONNECTED"]);
        }
    }
}

#[test]
fn backend_values_use_starrocks_formats() {
    let rs = Run::with(V3_4, "UTC", &[true, true, true])
        .show("SHOW BACKENDS")
        .expect("backends");
    assert_eq!(rs.rows.len(), 3);
    assert_eq!(rs.cell(0, "TotalCapacity"), Some("1.000 TB"));
    assert!(rs.column("UsedPct").iter().all(|p| p.ends_with(" %")));
    // Buckets × replicas of every partition (orders 4 × 3, regions 2 × 3, totals 1 × 1,
    // mv_daily 1 × 3; 3 replicas each), spread over the 3 backends.
    let tablets: Vec<u64> = rs
        .column("TabletNum")
        .iter()
        .map(|t| t.parse::<u64>().unwrap_or(0))
        .collect();
    assert_eq!(tablets.iter().sum::<u64>(), (4 * 3 + 2 * 3 + 1 + 3) * 3);
    assert!(tablets.iter().all(|t| *t == 22), "{tablets:?}");
    assert_eq!(rs.cell(0, "LastHeartbeat"), Some("2024-03-01 00:00:00"));
    let dead = Run::with(V3_4, "UTC", &[false])
        .show("SHOW BACKENDS")
        .expect("backends");
    assert_eq!(dead.cell(0, "LastHeartbeat"), None);
    assert_eq!(dead.cell(0, "TotalCapacity"), Some("0.000 B"));
}

#[test]
fn show_repositories_has_seven_columns_broker_empty_errmsg_null() {
    for profile in VersionProfile::ALL {
        let rs = Run::new(profile).show("SHOW REPOSITORIES").expect("repos");
        assert_eq!(
            rs.names(),
            [
                "RepoId",
                "RepoName",
                "CreateTime",
                "IsReadOnly",
                "Location",
                "Broker",
                "ErrMsg"
            ]
        );
        assert_eq!(rs.cell(0, "RepoName"), Some("repo1"));
        assert_eq!(rs.cell(0, "CreateTime"), Some("2024-01-01 00:00:00"));
        assert_eq!(rs.cell(0, "IsReadOnly"), Some("false"));
        assert_eq!(rs.cell(0, "Broker"), Some(""));
        assert_eq!(rs.cell(0, "ErrMsg"), None);
    }
}

#[test]
fn show_databases_lists_system_databases_sorted() {
    let mut run = Run::new(V3_4);
    let rs = run.show("SHOW DATABASES").expect("dbs");
    assert_eq!(rs.names(), ["Database"]);
    assert_eq!(
        rs.column("Database"),
        [
            "_statistics_",
            "empty_db",
            "information_schema",
            "sales",
            "sys"
        ]
    );
    let rs = run.show("show databases like 'sa%'").expect("like");
    assert_eq!(rs.column("Database"), ["sales"]);
    // Database names are case-sensitive in LIKE.
    assert!(run
        .show("SHOW DATABASES LIKE 'SA%'")
        .expect("like")
        .rows
        .is_empty());
}

#[test]
fn show_tables_and_full_tables() {
    let mut run = Run::new(V3_4);
    let rs = run.show("SHOW TABLES").expect("tables");
    assert_eq!(rs.names(), ["Tables_in_sales"]);
    assert_eq!(
        rs.column("Tables_in_sales"),
        ["mv_daily", "orders", "regions", "totals", "v_orders"]
    );
    let rs = run
        .show("SHOW FULL TABLES FROM sales LIKE '%o%'")
        .expect("full");
    assert_eq!(rs.names(), ["Tables_in_sales", "Table_type"]);
    assert_eq!(
        rs.column("Tables_in_sales"),
        ["orders", "regions", "totals", "v_orders"]
    );
    assert_eq!(
        rs.column("Table_type"),
        ["BASE TABLE", "BASE TABLE", "BASE TABLE", "VIEW"]
    );
    let rs = run
        .show("SHOW FULL TABLES IN sales LIKE 'mv%'")
        .expect("mv");
    assert_eq!(rs.column("Table_type"), ["VIEW"]);
    let rs = run.show("SHOW TABLES FROM empty_db").expect("empty");
    assert_eq!(rs.names(), ["Tables_in_empty_db"]);
    assert!(rs.rows.is_empty());
}

#[test]
fn unknown_database_and_no_database_errors() {
    let mut run = Run::new(V3_4);
    let e = run.show("SHOW TABLES FROM nope").expect_err("unknown");
    assert_eq!(
        (e.code, e.sqlstate.as_str(), e.message.as_str()),
        (
            5501,
            "3F000",
            "Getting analyzing error. Detail message: Unknown database 'nope'."
        )
    );
    run.session.current_db = None;
    let e = run.show("SHOW TABLES").expect_err("no db");
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            1046,
            "Getting analyzing error. Detail message: No database selected."
        )
    );
    let e = run
        .show("SHOW CREATE TABLE sales.nope")
        .expect_err("no table");
    assert_eq!(
        (e.code, e.sqlstate.as_str(), e.message.as_str()),
        (
            5502,
            "42602",
            "Getting analyzing error. Detail message: Unknown table 'nope'."
        )
    );
}

#[test]
fn unknown_show_forms_are_syntax_errors() {
    let mut run = Run::new(V3_4);
    let e = run.show("SHOW FOO").expect_err("foo");
    assert_eq!(
        (e.code, e.sqlstate.as_str(), e.message.as_str()),
        (
            1064,
            "HY000",
            "Getting syntax error at line 1, column 5. Detail message: No viable statement for input 'SHOW FOO'."
        )
    );
    // No WHERE/ORDER BY/LIMIT on node and repository lists before 4.1 (versions §3).
    let e = run.show("SHOW BACKENDS LIMIT 1").expect_err("limit");
    assert_eq!(
        e.message,
        "Getting syntax error at line 1, column 14. Detail message: Unexpected input 'LIMIT', the most similar input is {<EOF>, ';'}."
    );
    let e = run
        .show("SHOW REPOSITORIES WHERE RepoName = 'x'")
        .expect_err("where");
    assert!(
        e.message.contains("Unexpected input 'WHERE'"),
        "{}",
        e.message
    );
}

#[test]
fn show_variables_like() {
    let mut run = Run::new(V3_3);
    let rs = run.show("SHOW VARIABLES LIKE 'version%'").expect("vars");
    assert_eq!(rs.names(), ["Variable_name", "Value"]);
    assert_eq!(rs.column("Variable_name"), ["version", "version_comment"]);
    assert_eq!(rs.column("Value"), ["5.1.0", "3.3.8-4af89ab"]);
    let mut run = Run::new(V3_4);
    let rs = run
        .show("SHOW SESSION VARIABLES LIKE 'version'")
        .expect("vars");
    assert_eq!(rs.column("Value"), ["8.0.33"]);
    run.session
        .variables
        .insert("query_timeout".into(), "600".into());
    let rs = run
        .show("SHOW VARIABLES LIKE 'query_timeout'")
        .expect("session");
    assert_eq!(rs.column("Value"), ["600"]);
    let rs = run
        .show("SHOW GLOBAL VARIABLES LIKE 'query_timeout'")
        .expect("global");
    assert_eq!(rs.column("Value"), ["300"]);
    let names = run
        .show("SHOW VARIABLES")
        .expect("all")
        .column("Variable_name");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "rows are sorted by name");
}

#[test]
fn show_create_table_renders_keys_partitions_distribution_properties() {
    let mut run = Run::new(V3_4);
    let rs = run.show("SHOW CREATE TABLE orders").expect("create");
    assert_eq!(rs.names(), ["Table", "Create Table"]);
    assert_eq!(rs.cell(0, "Table"), Some("orders"));
    let expected = [
        "CREATE TABLE `orders` (",
        "  `order_id` bigint(20) NOT NULL COMMENT \"\",",
        "  `dt` date NOT NULL COMMENT \"\",",
        "  `amount` decimal(10, 2) NULL COMMENT \"\"",
        ") ENGINE=OLAP ",
        "DUPLICATE KEY(`order_id`, `dt`)",
        "PARTITION BY RANGE(`dt`)",
        "(PARTITION p202401 VALUES [(\"2024-01-01\"), (\"2024-02-01\")),",
        "PARTITION p202402 VALUES [(\"2024-02-01\"), (\"2024-03-01\")),",
        "PARTITION p202403 VALUES [(\"2024-03-01\"), (\"2024-04-01\")))",
        "DISTRIBUTED BY HASH(`order_id`) BUCKETS 3 ",
        "PROPERTIES (",
        "\"compression\" = \"LZ4\",",
        "\"fast_schema_evolution\" = \"true\",",
        "\"replicated_storage\" = \"true\",",
        "\"replication_num\" = \"3\"",
        ")",
    ]
    .join("\n");
    assert_eq!(rs.cell(0, "Create Table"), Some(expected.as_str()));

    let rs = run.show("SHOW CREATE TABLE sales.totals").expect("agg");
    let ddl = rs.cell(0, "Create Table").unwrap_or_default().to_string();
    assert!(
        ddl.contains("  `v` bigint(20) SUM NOT NULL DEFAULT \"0\" COMMENT \"\""),
        "{ddl}"
    );
    assert!(
        ddl.contains(
            "AGGREGATE KEY(`k`)\nCOMMENT \"running totals\"\nDISTRIBUTED BY HASH(`k`) BUCKETS 1 "
        ),
        "{ddl}"
    );

    let rs = run.show("SHOW CREATE TABLE regions").expect("list");
    let ddl = rs.cell(0, "Create Table").unwrap_or_default().to_string();
    assert!(
        ddl.contains("PARTITION BY LIST(`region`)(\n  PARTITION p_east VALUES IN ('east', 'e'1'),\n  PARTITION p_west VALUES IN ('west')\n)\nDISTRIBUTED BY RANDOM BUCKETS 2\n"),
        "{ddl}"
    );
}

#[test]
fn show_create_of_views_and_wrong_objects() {
    let mut run = Run::new(V3_4);
    let rs = run.show("SHOW CREATE TABLE v_orders").expect("view");
    assert_eq!(
        rs.names(),
        [
            "View",
            "Create View",
            "character_set_client",
            "collation_connection"
        ]
    );
    assert_eq!(
        rs.cell(0, "Create View"),
        Some("CREATE VIEW `v_orders` (`order_id`) SECURITY NONE AS SELECT `order_id` FROM `sales`.`orders`;")
    );
    assert_eq!(rs.cell(0, "character_set_client"), Some("utf8"));
    let rs = run
        .show("SHOW CREATE MATERIALIZED VIEW mv_daily")
        .expect("mv");
    assert_eq!(
        rs.names(),
        ["Materialized View", "Create Materialized View"]
    );
    // `MaterializedView.getMaterializedViewDdlStmt(true)` (catalog/MaterializedView.java).
    let expected = [
        "CREATE MATERIALIZED VIEW `mv_daily` (`dt`, `total`)",
        "PARTITION BY (date_trunc('day', `dt`))",
        "DISTRIBUTED BY HASH(`dt`) BUCKETS 2 ",
        "REFRESH ASYNC EVERY(INTERVAL 1 DAY)",
        "PROPERTIES (",
        "\"replication_num\" = \"3\",",
        "\"storage_medium\" = \"HDD\"",
        ")",
        "AS SELECT dt, sum(amount) AS total FROM orders GROUP BY dt;",
    ]
    .join("\n");
    assert_eq!(
        rs.cell(0, "Create Materialized View"),
        Some(expected.as_str())
    );
    let rs = run.show("SHOW CREATE VIEW mv_daily").expect("mv as view");
    assert_eq!(
        rs.cell(0, "Create View"),
        Some("CREATE VIEW `mv_daily` AS SELECT dt, sum(amount) AS total FROM orders GROUP BY dt")
    );
    let e = run.show("SHOW CREATE VIEW orders").expect_err("not a view");
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            1347,
            "Getting analyzing error. Detail message: 'sales'.'orders' is not 'VIEW'."
        )
    );
}

#[test]
fn node_lists_take_where_order_limit_from_4_1_only() {
    // versions §3: showPredicateClauses on FRONTENDS/BACKENDS/REPOSITORIES from 4.1.
    for profile in [V3_3, V3_4, V3_5, V4_0] {
        let e = Run::with(profile, "UTC", &[true, false])
            .show("SHOW BACKENDS WHERE Alive = 'true'")
            .expect_err("syntax");
        assert!(
            e.message.contains("Unexpected input 'WHERE'"),
            "{profile}: {}",
            e.message
        );
    }
    let mut run = Run::with(V4_1, "UTC", &[true, false, true]);
    let rs = run
        .show("SHOW BACKENDS WHERE Alive = 'true'")
        .expect("where");
    assert_eq!(rs.column("BackendId"), ["10001", "10003"]);
    let rs = run
        .show("SHOW BACKENDS WHERE Alive = 'true' ORDER BY BackendId DESC LIMIT 1")
        .expect("order");
    assert_eq!(rs.column("BackendId"), ["10003"]);
    // ORDER BY without WHERE is not applied (the analyzer returns early); LIMIT is.
    let rs = run
        .show("SHOW BACKENDS ORDER BY BackendId DESC LIMIT 2")
        .expect("no where");
    assert_eq!(rs.column("BackendId"), ["10001", "10002"]);
    let e = run
        .show("SHOW FRONTENDS WHERE Nope = 1")
        .expect_err("column");
    assert_eq!(
        e.message,
        "Getting analyzing error. Detail message: Can't get column nope."
    );
    let rs = run
        .show("SHOW REPOSITORIES WHERE RepoName LIKE 'repo%'")
        .expect("repos");
    assert_eq!(rs.column("RepoName"), ["repo1"]);
}

#[test]
fn keywords_are_case_insensitive_names_are_not() {
    let mut run = Run::new(V3_4);
    assert_eq!(run.show("sHoW fUlL tAbLeS").expect("kw").rows.len(), 5);
    let e = run.show("SHOW PARTITIONS FROM ORDERS").expect_err("case");
    assert!(
        e.message.contains("Table[ORDERS] does not exists"),
        "{}",
        e.message
    );
    let e = run.show("SHOW TABLES FROM SALES").expect_err("db case");
    assert_eq!(e.code, 5501);
}

#[test]
fn every_row_has_as_many_cells_as_the_header_in_every_profile() {
    let statements = [
        "SHOW DATABASES",
        "SHOW FULL TABLES",
        "SHOW CREATE TABLE orders",
        "SHOW PARTITIONS FROM orders",
        "SHOW PARTITIONS FROM regions",
        "SHOW PARTITIONS FROM totals",
        "SHOW PARTITIONS FROM mv_daily",
        "SHOW TEMPORARY PARTITIONS FROM orders",
        "SHOW BACKENDS",
        "SHOW FRONTENDS",
        "SHOW VARIABLES",
        "SHOW REPOSITORIES",
    ];
    let tables = [
        "tables",
        "partitions_meta",
        "views",
        "materialized_views",
        "schemata",
    ];
    for profile in VersionProfile::ALL {
        let mut run = Run::with(profile, "UTC", &[true, false]);
        for sql in statements {
            let rs = run.show(sql).expect(sql);
            assert!(!rs.rows.is_empty(), "{profile} {sql}: no rows");
            for row in &rs.rows {
                assert_eq!(row.len(), rs.columns.len(), "{profile} {sql}");
            }
        }
        for t in tables {
            let rs = run.infoschema(t).expect(t);
            assert!(!rs.rows.is_empty(), "{profile} {t}: no rows");
            for row in &rs.rows {
                assert_eq!(row.len(), rs.columns.len(), "{profile} {t}");
            }
        }
    }
}
