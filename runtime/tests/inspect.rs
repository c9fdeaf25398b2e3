//! Inspection against the simulator over TCP: what it reads, and that the number of
//! statements does not grow with the number of tables.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use starsnap_compiler::catalog::{History, Partitioning, TableKind};
use std::collections::{BTreeMap, BTreeSet};

use starsnap_runtime::inspect::{inspect, read_partitions, InspectOptions, PartitionDetail};
use starsnap_runtime::{Cluster, ConnectOptions};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::{SimConfig, VersionProfile};

fn connect(port: u16) -> Cluster {
    let opts = ConnectOptions {
        port,
        connect_timeout: Duration::from_secs(5),
        ..ConnectOptions::default()
    };
    Cluster::connect(&opts, &|_| None).unwrap()
}

/// A simulator config whose `s3://` storage is a folder of its own (`test` keeps parallel
/// tests apart: a shared folder let one test delete another's running backup).
fn storage_config(test: &str, profile: VersionProfile) -> (SimConfig, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "starsnap-inspect-{test}-{}-{}",
        std::process::id(),
        profile.as_str()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = SimConfig {
        version: profile,
        ..SimConfig::default()
    };
    config.storage.insert("s3://".into(), dir.clone());
    (config, dir)
}

fn create_tables(c: &mut Cluster, db: &str, n: usize) {
    c.execute(&format!("CREATE DATABASE {db}")).unwrap();
    for i in 0..n {
        c.execute(&format!(
            "CREATE TABLE {db}.t{i} (dt DATE, id BIGINT, v INT) DUPLICATE KEY(dt, id) \
             PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2024-02-01'), PARTITION p2 VALUES LESS THAN ('2024-03-01')) \
             DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')"
        ))
        .unwrap();
    }
}

#[test]
fn reads_tables_partitions_schemas_repositories_and_snapshots() {
    for profile in [
        VersionProfile::V3_4,
        VersionProfile::V3_5,
        VersionProfile::V4_0,
    ] {
        let (config, dir) = storage_config("reads", profile);
        let sim = Simulator::start(config).unwrap();
        let mut c = connect(sim.port());
        create_tables(&mut c, "sales", 2);
        c.execute("CREATE VIEW sales.v AS SELECT id FROM sales.t0")
            .unwrap();
        c.execute("INSERT INTO sales.t0 VALUES ('2024-01-05', 1, 10), ('2024-02-05', 2, 20)")
            .unwrap();
        c.execute("INSERT INTO sales.t0 VALUES ('2024-02-06', 3, 30)")
            .unwrap();
        c.execute("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'")
            .unwrap();
        c.execute("BACKUP DATABASE sales SNAPSHOT snap1 TO repo ON (TABLE t1)")
            .unwrap();

        let cat = inspect(&mut c, &InspectOptions::default(), History::default()).unwrap();
        assert_eq!(cat.cluster.version, profile.version_comment());
        let sales = cat.databases.iter().find(|d| d.name == "sales").unwrap();
        let t0 = sales.tables.iter().find(|t| t.name == "t0").unwrap();
        assert_eq!(t0.kind, TableKind::Olap);
        assert_eq!(t0.schema_fingerprint.len(), 64);
        let p2 = t0.partitions.iter().find(|p| p.name == "p2").unwrap();
        let p1 = t0.partitions.iter().find(|p| p.name == "p1").unwrap();
        assert_eq!(
            (p1.visible_version, p2.visible_version),
            (2, 3),
            "{profile}: one load into p1, two into p2"
        );
        assert_eq!(p2.rows, Some(2));
        let v = sales.tables.iter().find(|t| t.name == "v").unwrap();
        assert_eq!(v.kind, TableKind::View);
        assert!(v.partitions.is_empty());
        assert!(cat.databases.iter().all(|d| d.name != "information_schema"));

        let repo = cat.repositories.iter().find(|r| r.name == "repo").unwrap();
        assert_eq!(repo.location, "s3://bucket/backups");
        assert!(!repo.read_only);
        // The BACKUP job runs asynchronously: the label shows `ERROR: no snapshot` until the
        // job writes its info file, then `OK` with one timestamp.
        let mut finished = None;
        for _ in 0..500 {
            let again = inspect(&mut c, &InspectOptions::default(), History::default()).unwrap();
            let r = again
                .repositories
                .iter()
                .find(|r| r.name == "repo")
                .unwrap();
            if let Some(s) = r
                .snapshots
                .iter()
                .find(|s| s.label == "snap1" && s.status == "OK")
            {
                finished = Some(s.clone());
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let snap = finished.expect("snap1 finished within 10 s");
        assert_eq!(snap.timestamps.len(), 1);

        // A schema change changes the fingerprint; loads do not.
        c.execute("ALTER TABLE sales.t1 ADD COLUMN extra INT")
            .unwrap();
        let after = inspect(&mut c, &InspectOptions::default(), History::default()).unwrap();
        let fp = |cat: &starsnap_compiler::catalog::ObservedCatalog, t: &str| {
            cat.databases
                .iter()
                .find(|d| d.name == "sales")
                .and_then(|d| d.tables.iter().find(|x| x.name == t))
                .map(|x| x.schema_fingerprint.clone())
                .unwrap()
        };
        assert_ne!(fp(&cat, "t1"), fp(&after, "t1"));
        assert_eq!(fp(&cat, "t0"), fp(&after, "t0"));
        drop(sim);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Each table's partitioning comes from `partitions_meta.PARTITION_VALUE` in the same bulk
/// read (range text, list JSON, or empty), for every version profile.
#[test]
fn partitioning_is_read_from_partitions_meta() {
    for profile in [
        VersionProfile::V3_4,
        VersionProfile::V3_5,
        VersionProfile::V4_1,
    ] {
        let (config, dir) = storage_config("partitioning", profile);
        let sim = Simulator::start(config).unwrap();
        let mut c = connect(sim.port());
        c.execute("CREATE DATABASE d").unwrap();
        for ddl in [
            "CREATE TABLE d.r (dt DATE, id INT) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) \
             (PARTITION p1 VALUES LESS THAN ('2024-02-01')) DISTRIBUTED BY HASH(id) BUCKETS 1 \
             PROPERTIES ('replication_num' = '1')",
            "CREATE TABLE d.e (dt DATETIME, id INT) DUPLICATE KEY(dt) PARTITION BY date_trunc('day', dt) \
             DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "CREATE TABLE d.l (city VARCHAR(20) NOT NULL, id INT) DUPLICATE KEY(city) PARTITION BY LIST(city) \
             (PARTITION p_east VALUES IN ('a', 'b'), PARTITION p_west VALUES IN ('c')) \
             DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "CREATE TABLE d.a (city VARCHAR(20) NOT NULL, id INT) DUPLICATE KEY(city) PARTITION BY city \
             DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "CREATE TABLE d.u (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 \
             PROPERTIES ('replication_num' = '1')",
            "INSERT INTO d.e VALUES ('2024-01-05 10:00:00', 1)",
            "INSERT INTO d.a VALUES ('x', 1)",
        ] {
            c.execute(ddl).unwrap();
        }
        let before = c.statements_sent();
        let cat = inspect(&mut c, &InspectOptions::default(), History::default()).unwrap();
        let sent = c.statements_sent() - before;
        let d = cat.databases.iter().find(|d| d.name == "d").unwrap();
        let of = |t: &str| d.tables.iter().find(|x| x.name == t).unwrap().partitioning;
        assert_eq!(of("r"), Some(Partitioning::Range), "{profile}");
        assert_eq!(
            of("e"),
            Some(Partitioning::Range),
            "{profile}: expression range"
        );
        assert_eq!(of("l"), Some(Partitioning::List), "{profile}");
        assert_eq!(
            of("a"),
            Some(Partitioning::List),
            "{profile}: automatic list"
        );
        assert_eq!(of("u"), Some(Partitioning::Unpartitioned), "{profile}");
        // 8, plus `SHOW CATALOGS` (the external catalogs).
        assert!(sent <= 9, "{profile}: {sent} statements");
        drop(sim);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn statement_count_does_not_grow_with_tables() {
    let mut counts = Vec::new();
    for n in [3, 60] {
        let (config, dir) = storage_config("count", VersionProfile::V3_4);
        let sim = Simulator::start(config).unwrap();
        let mut c = connect(sim.port());
        create_tables(&mut c, "a", n);
        create_tables(&mut c, "b", n);
        c.execute("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/x'")
            .unwrap();
        let before = c.statements_sent();
        let cat = inspect(&mut c, &InspectOptions::default(), History::default()).unwrap();
        let tables: usize = cat.databases.iter().map(|d| d.tables.len()).sum();
        assert_eq!(tables, 2 * n);
        counts.push(c.statements_sent() - before);
        drop(sim);
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert_eq!(
        counts[0], counts[1],
        "statements for 6 vs 120 tables: {counts:?}"
    );
    // At most 8 and `SHOW CATALOGS`, plus one `SHOW FUNCTIONS` per database (3.4 lists
    // functions nowhere else).
    assert!(counts[0] <= 9 + 2, "{counts:?}");
}

#[test]
fn a_scope_reads_only_its_databases_and_tables() {
    let sim = Simulator::start(SimConfig::default()).unwrap();
    let mut c = connect(sim.port());
    create_tables(&mut c, "a", 3);
    create_tables(&mut c, "b", 2);
    create_tables(&mut c, "c", 1);
    let mut options = InspectOptions {
        scope: Some(
            [
                ("a".to_string(), Some(["t1".to_string()].into())),
                ("b".to_string(), None),
            ]
            .into(),
        ),
        ..InspectOptions::default()
    };
    let cat = inspect(&mut c, &options, History::default()).unwrap();
    let names: Vec<(String, Vec<String>)> = cat
        .databases
        .iter()
        .map(|d| {
            let tables = d.tables.iter().map(|t| t.name.clone()).collect();
            (d.name.clone(), tables)
        })
        .collect();
    assert_eq!(
        names,
        [
            ("a".to_string(), vec!["t1".to_string()]),
            ("b".to_string(), vec!["t0".to_string(), "t1".to_string()]),
        ]
    );
    let t1 = cat.database("a").and_then(|d| d.table("t1")).unwrap();
    assert_eq!(t1.partitions.len(), 2);
    assert!(!t1.schema_fingerprint.is_empty());
    // An empty scope reads no table at all.
    options.scope = Some(Default::default());
    let none = inspect(&mut c, &options, History::default()).unwrap();
    assert!(none.databases.is_empty());
}

/// The cluster's partition summaries (one aggregate row per table) are what the client sums
/// of the partitions it lists — for range, expression, LIST and unpartitioned tables,
/// temporary partitions, views and empty tables — so a plan may trust a summary in place of
/// the partitions (issue 14). `read_partitions` then lists only the tables it is given.
#[test]
fn summed_partitions_match_listed_ones_and_are_listed_on_demand() {
    for profile in [VersionProfile::V3_4, VersionProfile::V4_1] {
        let (config, dir) = storage_config("summed", profile);
        let sim = Simulator::start(config).unwrap();
        let mut c = connect(sim.port());
        c.execute("CREATE DATABASE d").unwrap();
        for ddl in [
            "CREATE TABLE d.r (dt DATE, id INT) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) \
             (PARTITION p1 VALUES LESS THAN ('2024-02-01'), PARTITION p2 VALUES LESS THAN ('2024-03-01')) \
             DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "CREATE TABLE d.e (dt DATETIME, id INT) DUPLICATE KEY(dt) PARTITION BY date_trunc('day', dt) \
             DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "CREATE TABLE d.l (city VARCHAR(20) NOT NULL, id INT) DUPLICATE KEY(city) PARTITION BY LIST(city) \
             (PARTITION p_east VALUES IN ('a', 'b'), PARTITION p_west VALUES IN ('c')) \
             DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "CREATE TABLE d.u (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 \
             PROPERTIES ('replication_num' = '1')",
            "CREATE VIEW d.v AS SELECT id FROM d.u",
            "INSERT INTO d.e VALUES ('2024-01-05 10:00:00', 1), ('2024-01-06 10:00:00', 2)",
            "INSERT INTO d.r VALUES ('2024-01-05', 1)",
            "INSERT INTO d.r VALUES ('2024-02-05', 1)",
            "INSERT INTO d.r VALUES ('2024-02-06', 2)",
            "ALTER TABLE d.r ADD TEMPORARY PARTITION tp1 VALUES LESS THAN ('2024-02-01')",
            "INSERT INTO d.u VALUES (7)",
        ] {
            c.execute(ddl).unwrap();
        }
        let listed = inspect(&mut c, &InspectOptions::default(), History::default()).unwrap();
        let options = InspectOptions {
            partitions: PartitionDetail::Summed,
            ..InspectOptions::default()
        };
        let mut summed = inspect(&mut c, &options, History::default()).unwrap();
        let (ld, sd) = (listed.database("d").unwrap(), summed.database("d").unwrap());
        assert_eq!(ld.tables.len(), 5, "{profile}");
        for t in &ld.tables {
            let s = sd.table(&t.name).unwrap();
            assert!(
                s.unread.is_some() && s.partitions.is_empty(),
                "{profile} {}",
                t.name
            );
            assert_eq!(
                s.partition_summary(),
                t.partition_summary(),
                "{profile} {}",
                t.name
            );
            assert_eq!(
                s.partitions_digest(),
                t.partitions_digest(),
                "{profile} {}",
                t.name
            );
            assert_eq!(s.partitioning, t.partitioning, "{profile} {}", t.name);
        }
        assert_eq!(
            sd.table("r").unwrap().partition_count(),
            2,
            "temporary not counted"
        );

        let before = c.statements_sent();
        let wanted = BTreeMap::from([(
            "d".to_string(),
            BTreeSet::from(["r".to_string(), "l".to_string()]),
        )]);
        read_partitions(&mut c, &mut summed, &wanted).unwrap();
        assert_eq!(c.statements_sent() - before, 1, "{profile}");
        let sd = summed.database("d").unwrap();
        for t in ["r", "l"] {
            let s = sd.table(t).unwrap();
            assert!(s.unread.is_none(), "{profile} {t}");
            assert_eq!(
                s.partitions,
                ld.table(t).unwrap().partitions,
                "{profile} {t}"
            );
        }
        assert!(sd.table("e").unwrap().unread.is_some(), "{profile}");
        drop(sim);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Regression (issue 12): inspection left `external_catalogs` empty, so a group naming an
/// external catalog got P110 against every real cluster. `SHOW CATALOGS` is read by column
/// name, in one statement, without the internal `default_catalog`.
#[test]
fn external_catalogs_are_read_from_show_catalogs() {
    let sim = Simulator::start(SimConfig::default()).unwrap();
    let mut c = connect(sim.port());
    let rs = c.query("SHOW CATALOGS").unwrap();
    rs.require(&["Catalog", "Type", "Comment"]).unwrap();
    let none = inspect(&mut c, &InspectOptions::default(), History::default()).unwrap();
    assert!(
        none.external_catalogs.is_empty(),
        "{:?}",
        none.external_catalogs
    );
    c.execute(
        "CREATE EXTERNAL CATALOG lake COMMENT 'the lake' PROPERTIES ('type' = 'iceberg', \
         'iceberg.catalog.type' = 'rest', 'iceberg.catalog.uri' = 'http://127.0.0.1:9')",
    )
    .unwrap();
    c.execute(
        "CREATE EXTERNAL CATALOG hive_a PROPERTIES ('type' = 'hive', \
         'hive.metastore.uris' = 'thrift://127.0.0.1:9083')",
    )
    .unwrap();
    let rs = c.query("SHOW CATALOGS").unwrap();
    let rows: Vec<(String, String, Option<String>)> = rs
        .iter()
        .map(|r| {
            (
                r.text("Catalog").unwrap().to_string(),
                r.text("Type").unwrap().to_string(),
                r.get("Comment").unwrap().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "default_catalog".to_string(),
                "Internal".to_string(),
                Some(
                    "An internal catalog contains this cluster's self-managed tables.".to_string()
                )
            ),
            ("hive_a".to_string(), "Hive".to_string(), None),
            (
                "lake".to_string(),
                "Iceberg".to_string(),
                Some("the lake".to_string())
            ),
        ]
    );
    let before = c.statements_sent();
    let cat = inspect(&mut c, &InspectOptions::default(), History::default()).unwrap();
    assert_eq!(cat.external_catalogs, ["hive_a", "lake"]);
    let with = c.statements_sent() - before;
    let before = c.statements_sent();
    starsnap_runtime::inspect::external_catalogs(&mut c).unwrap();
    assert_eq!(
        c.statements_sent() - before,
        1,
        "one statement ({with} for the whole inspection)"
    );
}
