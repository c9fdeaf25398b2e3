//! The engine as a whole: persistence across restarts, the FE time zone, the demo seed, the
//! bulk loader, and one end-to-end round trip over TCP with the `mysql` crate.

use std::path::PathBuf;

use mysql::prelude::Queryable;
use starsnap_simulator::engine::{BulkTables, Engine};
use starsnap_simulator::seed;
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::{Clock, Handler, Response, Session, SimConfig};

const T0: i64 = 1_704_067_200_000;

fn session() -> Session {
    Session {
        connection_id: 1,
        user: "root".into(),
        ..Session::default()
    }
}

fn run(e: &Engine, s: &mut Session, sql: &str) -> Response {
    match e.query(s, sql).pop() {
        Some(Ok(r)) => r,
        other => panic!("{sql}: {other:?}"),
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("starsnap-engine-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn catalog_and_data_survive_a_restart_on_the_same_directory() {
    let dir = temp_dir("persist");
    let config = SimConfig {
        data_dir: Some(dir.clone()),
        clock: Clock::virtual_at(T0),
        ..SimConfig::default()
    };
    let ids;
    {
        let e = Engine::new(&config);
        let mut s = session();
        run(&e, &mut s, "CREATE DATABASE d; USE d");
        run(
            &e,
            &mut s,
            r#"CREATE TABLE t (k INT, v VARCHAR(10)) DUPLICATE KEY(k) PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ("10"), PARTITION p2 VALUES LESS THAN MAXVALUE) PROPERTIES ("replication_num" = "1")"#,
        );
        run(&e, &mut s, "INSERT INTO t VALUES (1, 'a'), (20, 'b')");
        run(&e, &mut s, "INSERT INTO t VALUES (2, 'c')");
        ids = e.catalog().table("d", "t").map(|t| {
            t.partitions
                .iter()
                .map(|p| (p.id, p.visible_version))
                .collect::<Vec<_>>()
        });
    }
    assert!(dir.join("catalog.json").exists());
    let e = Engine::new(&config);
    let again = e.catalog().table("d", "t").map(|t| {
        t.partitions
            .iter()
            .map(|p| (p.id, p.visible_version))
            .collect::<Vec<_>>()
    });
    assert_eq!(again, ids);
    assert_eq!(
        again,
        Some(vec![
            (again.as_ref().map(|v| v[0].0).unwrap_or(0), 3),
            (again.as_ref().map(|v| v[1].0).unwrap_or(0), 2)
        ])
    );
    let mut s = session();
    let Response::ResultSet { rows, .. } = run(&e, &mut s, "SELECT v FROM d.t ORDER BY k") else {
        panic!("not rows")
    };
    assert_eq!(
        rows,
        [
            [Some("a".to_string())],
            [Some("c".to_string())],
            [Some("b".to_string())]
        ]
    );
    // New ids continue after the saved ones.
    run(&e, &mut s, "CREATE DATABASE d2");
    assert!(
        e.catalog().db("d2").map(|d| d.id).unwrap_or(0) > again.map(|v| v[1].0).unwrap_or(u64::MAX)
    );
    drop(e);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn visible_version_time_is_shown_in_the_fe_time_zone() {
    let e = Engine::new(&SimConfig {
        time_zone: "Asia/Shanghai".into(),
        clock: Clock::virtual_at(T0),
        ..SimConfig::default()
    });
    let mut s = session();
    run(
        &e,
        &mut s,
        r#"CREATE DATABASE d; USE d; CREATE TABLE t (k INT) PROPERTIES ("replication_num" = "1"); INSERT INTO t VALUES (1)"#,
    );
    let shown = e.with_ctx(|ctx| {
        let ms = ctx
            .catalog
            .table("d", "t")
            .map(|t| t.partitions[0].visible_version_time)
            .unwrap_or(0);
        ctx.format_time(ms)
    });
    assert_eq!(shown.as_deref(), Some("2024-01-01 08:00:00"));
    let Response::ResultSet { rows, .. } = run(&e, &mut s, "SELECT @@time_zone, NOW()") else {
        panic!("not rows")
    };
    assert_eq!(
        rows[0],
        [
            Some("Asia/Shanghai".to_string()),
            Some("2024-01-01 08:00:00".to_string())
        ]
    );
    assert!(Engine::try_new(&SimConfig {
        time_zone: "Mars/Olympus".into(),
        ..SimConfig::default()
    })
    .is_err());
}

#[test]
fn the_demo_seed_loads_a_year_of_partitions() {
    let e = Engine::new(&SimConfig {
        clock: Clock::virtual_at(T0),
        ..SimConfig::default()
    });
    seed::demo(&e).expect("demo seeds");
    let cat = e.catalog();
    let orders = cat.table("sales", "orders").expect("orders");
    assert_eq!(orders.partitions.len(), 366);
    assert!(orders.partitions.iter().all(|p| p.visible_version >= 2));
    assert_eq!(orders.partitions[365].visible_version, 3);
    assert_eq!(
        cat.table("sales", "payments").map(|t| t.partitions.len()),
        Some(12)
    );
    for name in ["customers", "daily_revenue", "customer_revenue"] {
        assert!(cat.table("sales", name).is_some(), "{name}");
    }
    assert_eq!(cat.db("sales").map(|d| d.functions.len()), Some(1));
    assert!(cat.table("marketing", "campaigns").is_some());
    drop(cat);
    let mut s = session();
    let Response::ResultSet { rows, .. } =
        run(&e, &mut s, "SELECT COUNT(*) FROM sales.daily_revenue")
    else {
        panic!("not rows")
    };
    assert_eq!(rows, [[Some("366".to_string())]]);
}

#[test]
fn bulk_loader_creates_tables_with_daily_partitions() {
    let e = Engine::new(&SimConfig::default());
    let n = e
        .bulk_create_tables(&BulkTables {
            tables: 20,
            partitions_per_table: 365,
            rows_per_partition: 1,
            ..BulkTables::default()
        })
        .expect("bulk");
    assert_eq!(n, 20);
    assert_eq!(e.catalog().partition_count(), 7_300);
    let mut s = session();
    let Response::ResultSet { rows, .. } = run(
        &e,
        &mut s,
        "SELECT COUNT(*), MIN(dt), MAX(dt) FROM bulk.t0007",
    ) else {
        panic!("not rows")
    };
    assert_eq!(
        rows[0],
        [
            Some("365".into()),
            Some("2024-01-01".into()),
            Some("2024-12-30".into())
        ]
    );
}

#[test]
fn a_mysql_client_creates_data_and_sees_versions_advance() {
    let sim = Simulator::start(SimConfig::default()).expect("simulator starts");
    let opts = mysql::OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(sim.port())
        .user(Some("root"))
        .prefer_socket(false);
    let mut conn = mysql::Conn::new(opts).expect("connects");
    conn.query_drop("CREATE DATABASE shop").expect("create db");
    conn.query_drop("USE shop").expect("use");
    conn.query_drop(r#"CREATE TABLE t (dt DATE, k INT, v INT) DUPLICATE KEY(dt, k) PARTITION BY RANGE(dt) (START ("2024-01-01") END ("2024-01-03") EVERY (INTERVAL 1 DAY)) PROPERTIES ("replication_num" = "1")"#).expect("create table");
    conn.query_drop("INSERT INTO t VALUES ('2024-01-01', 1, 10), ('2024-01-02', 2, 20)")
        .expect("insert");
    conn.query_drop("INSERT INTO t VALUES ('2024-01-02', 3, 30)")
        .expect("insert");
    let total: Option<i64> = conn.query_first("SELECT SUM(v) FROM t").expect("select");
    assert_eq!(total, Some(60));
    let rows: Vec<(i64, String)> = conn
        .query("SELECT k, CAST(dt AS VARCHAR) FROM t WHERE k > 1 ORDER BY k")
        .expect("select");
    assert_eq!(
        rows,
        [(2, "2024-01-02".to_string()), (3, "2024-01-02".to_string())]
    );
    let versions: Vec<u64> = sim
        .engine()
        .catalog()
        .table("shop", "t")
        .map(|t| t.partitions.iter().map(|p| p.visible_version).collect())
        .unwrap_or_default();
    assert_eq!(versions, [2, 3]);
    let stats: Vec<(u64, String, u64, String)> =
        conn.query("ADMIN SHOW SIMULATOR STATS").expect("stats");
    assert!(
        stats.iter().any(|(_, _, n, cur)| cur == "true" && *n >= 7),
        "{stats:?}"
    );
}

#[test]
fn a_large_catalog_is_saved_on_flush_and_on_drop() {
    let dir = temp_dir("large");
    let config = SimConfig {
        data_dir: Some(dir.clone()),
        ..SimConfig::default()
    };
    {
        let e = Engine::new(&config);
        e.bulk_create_tables(&BulkTables {
            tables: 8,
            ..BulkTables::default()
        })
        .expect("bulk");
        let mut s = session();
        run(
            &e,
            &mut s,
            "INSERT INTO bulk.t0003 VALUES ('2024-02-01', 1, 2)",
        );
        // Over the small-catalog threshold nothing is written per statement…
        assert!(!dir.join("catalog.json").exists());
        e.flush().expect("flush");
        assert!(dir.join("catalog.json").exists());
        run(
            &e,
            &mut s,
            "INSERT INTO bulk.t0003 VALUES ('2024-02-01', 2, 3)",
        );
    } // …and the last change is saved on drop.
    let e = Engine::new(&config);
    let mut s = session();
    let Response::ResultSet { rows, .. } = run(
        &e,
        &mut s,
        "SELECT COUNT(*) FROM bulk.t0003 WHERE dt = '2024-02-01'",
    ) else {
        panic!("not rows")
    };
    assert_eq!(rows, [[Some("2".to_string())]]);
    drop(e);
    let _ = std::fs::remove_dir_all(&dir);
}
