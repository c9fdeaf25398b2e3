//! Disaster recovery from the repository alone (issue 12), over TCP, with two simulators
//! sharing one bucket on a real S3-compatible server (moto, started here):
//!
//! * cluster A backs up a full and two incrementals of a database with a RANGE table, a view,
//!   a materialized view and a function (and a second database), and its group's external
//!   catalog (with a credential among its properties), then is stopped — its state, in the
//!   cluster, is lost with it;
//! * cluster B, empty, gets everything back with `restore --all --from-repository`: the plan
//!   creates the repository read-only, restores every database from its chain and verifies it
//!   against the manifests; every table equals A's row for row, the view answers, the
//!   function is listed, the MV is active, the external catalog exists with its type and
//!   properties (its credential never printed, planned or recorded by starsnap);
//! * `drill` passes on B (recording its RTO, shown by `status`) and, once one object of the
//!   newest set is deleted from the bucket, fails naming that set;
//! * on A, before it goes, `init --from-repository` rebuilds a lost history from which `plan`
//!   continues the chain with an incremental;
//! * B then takes over as the README's runbook says: history rebuilt, repository registered
//!   writable, backups going on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use apply_support::{exits, ok, plan_steps, text, SALES_ORDERS};
use starsnap_repo::test_server::Moto;
use starsnap_runtime::{Cluster, ConnectOptions};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;

const BUCKET: &str = "dr-backups";
const ACCESS: &str = "AKIADRTEST";
const SECRET: &str = "drSecretCanaryNeverPrinted";
/// A credential among the external catalog's properties: StarRocks keeps it in its own
/// snapshot; starsnap never shows it.
const CATALOG_SECRET: &str = "catalogSecretCanaryNeverPrinted";

struct Site {
    sim: Simulator,
    dir: PathBuf,
}

impl Site {
    fn start(name: &str, moto: &Moto) -> Site {
        let dir = std::env::temp_dir().join(format!("starsnap-dr-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let sim = Simulator::start(SimConfig::default()).unwrap();
        let policy = format!(
            r#"[cluster]
host = "127.0.0.1"
port = {}
user = "root"
connect_timeout = "3s"

[repository.main]
location = "s3://{BUCKET}/prod"

[repository.main.properties]
"aws.s3.endpoint" = "{}"
"aws.s3.region" = "us-east-1"
"aws.s3.access_key" = "${{DR_ACCESS_KEY}}"
"aws.s3.secret_key" = "${{DR_SECRET_KEY}}"

[group.nightly]
include = ["sales.*", "crm.*"]
external_catalogs = ["lake"]
repository = "main"
full_every = "7d"
"#,
            sim.port(),
            moto.endpoint()
        );
        std::fs::write(dir.join("starsnap.toml"), policy).unwrap();
        Site { sim, dir }
    }

    fn connect(&self) -> Cluster {
        let opts = ConnectOptions {
            port: self.sim.port(),
            connect_timeout: Duration::from_secs(5),
            ..ConnectOptions::default()
        };
        Cluster::connect(&opts, &|_| None).unwrap()
    }

    fn exec(&self, sql: &str) {
        self.connect()
            .execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// One column of every row, in order.
    fn column(&self, sql: &str, col: &str) -> Vec<String> {
        let rs = self
            .connect()
            .query(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rs.iter()
            .map(|r| r.get(col).unwrap().unwrap_or("NULL").to_string())
            .collect()
    }

    /// Every row of a table as text, sorted.
    fn rows(&self, table: &str, cols: &[&str]) -> Vec<String> {
        let rs = self
            .connect()
            .query(&format!("SELECT {} FROM {table}", cols.join(", ")))
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        let mut out: Vec<String> = rs
            .iter()
            .map(|r| {
                cols.iter()
                    .map(|c| r.get(c).unwrap().unwrap_or("NULL").to_string())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        out.sort();
        out
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_starsnap"))
            .args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .env("DR_ACCESS_KEY", ACCESS)
            .env("DR_SECRET_KEY", SECRET)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn plan_apply(&self, file: &str, as_of: &str) -> serde_json::Value {
        let o = self.run(&["plan", "--as-of", as_of, "--out", file]);
        ok(&o);
        let o = self.run(&["apply", file, "--auto-approve"]);
        ok(&o);
        no_secret(&o);
        serde_json::from_slice(&std::fs::read(self.dir.join(file)).unwrap()).unwrap()
    }
}

fn no_secret(o: &Output) {
    for s in [&o.stdout, &o.stderr] {
        assert!(!text(s).contains(SECRET), "a secret was printed");
        assert!(
            !text(s).contains(CATALOG_SECRET),
            "a catalog's credential was printed"
        );
    }
}

fn backups(plan: &serde_json::Value) -> Vec<serde_json::Value> {
    plan_steps(plan, "backup")
}

const ORDERS: &[&str] = &["dt", "id", "amount"];

fn seed(a: &Site) {
    for stmt in SALES_ORDERS.into_iter().chain([
        "CREATE VIEW sales.big_orders AS SELECT id, amount FROM sales.orders WHERE amount > 15",
        "CREATE MATERIALIZED VIEW sales.daily DISTRIBUTED BY HASH(dt) REFRESH ASYNC AS \
         SELECT dt, SUM(amount) AS total FROM sales.orders GROUP BY dt",
        r#"CREATE FUNCTION sales.mask_email(VARCHAR) RETURNS VARCHAR PROPERTIES ("symbol" = "com.example.udf.MaskEmail", "type" = "StarrocksJar", "file" = "http://repo.example.com/udf/mask-email-1.0.jar")"#,
        "CREATE DATABASE crm",
        "CREATE TABLE crm.customers (id BIGINT, name VARCHAR(20)) DUPLICATE KEY(id) \
         DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
        "INSERT INTO crm.customers VALUES (1, 'a'), (2, 'b')",
    ]) {
        a.exec(stmt);
    }
    a.exec(&format!(
        "CREATE EXTERNAL CATALOG lake COMMENT 'the lake' PROPERTIES ('type' = 'iceberg', \
         'iceberg.catalog.type' = 'rest', 'iceberg.catalog.uri' = 'http://127.0.0.1:9', \
         'aws.s3.access_key' = 'AKIALAKE', 'aws.s3.secret_key' = '{CATALOG_SECRET}')"
    ));
}

/// The `lake` catalog's properties as the simulator holds them (never shown by SQL).
fn lake_properties(site: &Site) -> std::collections::BTreeMap<String, String> {
    site.sim
        .engine()
        .catalog()
        .external_catalogs
        .get("lake")
        .unwrap_or_else(|| panic!("no catalog lake"))
        .properties
        .clone()
}

/// `lake` is in the cluster as it was backed up: type, comment and properties.
fn assert_lake(
    site: &Site,
    want: &[(String, String, String)],
    properties: &std::collections::BTreeMap<String, String>,
) {
    assert_eq!(catalogs(site), want);
    assert_eq!(&lake_properties(site), properties);
}

/// SHOW CATALOGS's external catalogs: (name, type, comment).
fn catalogs(site: &Site) -> Vec<(String, String, String)> {
    let rs = site.connect().query("SHOW CATALOGS").unwrap();
    rs.iter()
        .filter(|r| r.get("Catalog").unwrap() != Some("default_catalog"))
        .map(|r| {
            let cell = |c: &str| r.get(c).unwrap().unwrap_or("NULL").to_string();
            (cell("Catalog"), cell("Type"), cell("Comment"))
        })
        .collect()
}

/// Deletes one data object of snapshot `label` from the bucket; returns its key.
fn delete_one_object(moto: &Moto, label: &str) -> String {
    let keys = moto.keys(BUCKET).unwrap();
    let key = keys
        .iter()
        .find(|k| k.contains(&format!("/__ss_{label}/__ss_content/")))
        .unwrap_or_else(|| panic!("no data object of {label} in {keys:?}"))
        .clone();
    moto.boto3(&format!("s3.delete_object(Bucket='{BUCKET}', Key='{key}')"))
        .unwrap();
    key
}

#[path = "../../compiler/tests/json_schema/mod.rs"]
mod json_schema;

/// Every line of `drill --format json`, each checked against grammar/drill-output.schema.json.
fn drill_lines(o: &Output) -> Vec<serde_json::Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../grammar/drill-output.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let lines = json_lines(o);
    for (i, l) in lines.iter().enumerate() {
        let mut errors = Vec::new();
        json_schema::validate(&schema, &schema, l, &format!("line[{i}]"), &mut errors);
        assert!(errors.is_empty(), "{errors:?}\n{l}");
    }
    assert_eq!(lines.last().map(|l| &l["summary"]), Some(&true.into()));
    lines
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_repository_alone_brings_an_empty_cluster_back() {
    let moto = Moto::start().unwrap_or_else(|e| panic!("{e}"));
    moto.create_bucket(BUCKET).unwrap();

    // Cluster A: a full and two incrementals.
    let a = Site::start("a", &moto);
    seed(&a);
    let p1 = a.plan_apply("p1.json", "2026-11-22T02:00:00Z");
    assert!(backups(&p1).iter().all(|b| b["kind"] == "full"), "{p1}");
    // The group's external catalog: backed up by its own step, in the cluster's one catalog
    // job, recorded in the history like any backup (its database empty).
    let lake = backups(&p1)
        .into_iter()
        .find(|b| b["id"] == "backup/nightly/external_catalogs")
        .unwrap_or_else(|| panic!("no catalog step in {p1}"));
    assert_eq!(lake["objects"][0]["kind"], "external_catalog", "{lake}");
    assert!(!p1.to_string().contains(CATALOG_SECRET));
    let o = a.run(&["history", "--json"]);
    ok(&o);
    no_secret(&o);
    let catalog_rows: Vec<serde_json::Value> = json_lines(&o)
        .into_iter()
        .filter(|h| h["label"] == lake["label"])
        .collect();
    assert_eq!(catalog_rows.len(), 1, "{}", text(&o.stdout));
    assert_eq!(
        catalog_rows[0]["state"], "finished",
        "{:?}",
        catalog_rows[0]
    );
    let sales_full = backups(&p1)
        .into_iter()
        .find(|b| b["database"] == "sales")
        .unwrap();
    let objects: Vec<&str> = sales_full["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert!(objects.contains(&"functions"), "{sales_full}");
    a.exec("INSERT INTO sales.orders VALUES ('2024-01-09', 4, 40)");
    a.plan_apply("p2.json", "2026-11-23T02:00:00Z");
    a.exec("INSERT INTO sales.orders VALUES ('2024-03-09', 5, 50), ('2024-03-10', 6, 60)");
    a.exec("INSERT INTO crm.customers VALUES (3, 'c')");
    let p3 = a.plan_apply("p3.json", "2026-11-24T02:00:00Z");
    let tip = backups(&p3)
        .into_iter()
        .find(|b| b["database"] == "sales")
        .unwrap();
    assert_eq!(tip["kind"], "incremental", "{p3}");
    let tip_set = tip["set"].as_str().unwrap().to_string();
    let tip_label = tip["label"].as_str().unwrap().to_string();
    let want_orders = a.rows("sales.orders", ORDERS);
    let want_customers = a.rows("crm.customers", &["id", "name"]);
    assert_eq!(want_orders.len(), 6);

    // A's state is lost, the cluster not (yet): the history comes back from the repository
    // and the next plan continues the chain.
    a.exec("DROP DATABASE starsnap");
    let o = a.run(&["init", "--from-repository", "main"]);
    ok(&o);
    // Five database sets and one catalog set (a catalog backup follows `full_every`).
    assert!(
        text(&o.stdout).contains("Rebuilt 6 set(s)"),
        "{}",
        text(&o.stdout)
    );
    a.exec("INSERT INTO sales.orders VALUES ('2024-02-11', 7, 70)");
    let o = a.run(&[
        "plan",
        "--as-of",
        "2026-11-25T02:00:00Z",
        "--format",
        "json",
    ]);
    ok(&o);
    let p4: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let next: Vec<serde_json::Value> = backups(&p4)
        .into_iter()
        .filter(|b| b["database"].is_string())
        .collect();
    assert_eq!(next.len(), 1, "{p4}");
    assert_eq!(next[0]["kind"], "incremental", "{p4}");
    assert_eq!(next[0]["parent"], tip_set.as_str());
    let want_catalogs = catalogs(&a);
    assert_eq!(
        want_catalogs,
        [(
            "lake".to_string(),
            "Iceberg".to_string(),
            "the lake".to_string()
        )]
    );
    let want_properties = lake_properties(&a);
    assert_eq!(
        want_properties.get("aws.s3.secret_key").map(String::as_str),
        Some(CATALOG_SECRET)
    );

    // A is gone, and its state (in the cluster) with it.
    drop(a);

    // Cluster B, empty: review the plan, then apply it.
    let b = Site::start("b", &moto);
    let o = b.run(&[
        "restore",
        "--all",
        "--from-repository",
        "main",
        "--out",
        "dr.json",
        "--format",
        "json",
    ]);
    ok(&o);
    no_secret(&o);
    let plan: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let steps = plan["steps"].as_array().unwrap();
    assert_eq!(steps[0]["action"], "create_repository", "{plan}");
    assert_eq!(steps[0]["read_only"], true);
    assert_eq!(steps[0]["location"], format!("s3://{BUCKET}/prod"));
    assert!(
        steps[0]["sql"]
            .as_str()
            .unwrap()
            .starts_with("CREATE READ ONLY REPOSITORY main"),
        "{}",
        steps[0]["sql"]
    );
    // The external catalog, by a typed step from the newest catalog set, before the databases.
    let lake: Vec<&serde_json::Value> = steps
        .iter()
        .filter(|s| s["action"] == "restore_catalogs")
        .collect();
    assert_eq!(lake.len(), 1, "{plan}");
    assert_eq!(lake[0]["catalogs"], serde_json::json!(["lake"]));
    assert_eq!(lake[0]["destructive"], false);
    assert_eq!(lake[0]["depends_on"], serde_json::json!([steps[0]["id"]]));
    assert!(
        lake[0]["sql"]
            .as_str()
            .unwrap()
            .contains("EXTERNAL CATALOG (lake)"),
        "{}",
        lake[0]["sql"]
    );
    let restores: Vec<&serde_json::Value> =
        steps.iter().filter(|s| s["action"] == "restore").collect();
    // sales: the full and both incrementals (each partition read once); crm: full + one.
    assert_eq!(
        restores
            .iter()
            .filter(|s| s["source_database"] == "sales")
            .count(),
        3,
        "{plan}"
    );
    assert!(steps.iter().any(|s| s["action"] == "verify"));
    assert!(steps
        .iter()
        .any(|s| s["action"] == "activate" && s["materialized_view"] == "daily"));
    assert_eq!(plan["summary"]["destructive"], 0, "{plan}");
    let o = b.run(&["apply", "dr.json", "--auto-approve"]);
    ok(&o);
    no_secret(&o);
    // The external catalog is back with its type, comment and properties (StarRocks restored
    // them from its snapshot; starsnap never held them).
    assert_lake(&b, &want_catalogs, &want_properties);
    // Planned again, the catalog the cluster now has is left out — and the plan says so.
    let o = b.run(&[
        "restore",
        "catalog:lake",
        "--from-repository",
        "main",
        "--format",
        "json",
    ]);
    ok(&o);
    let again: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        again["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["action"] != "restore_catalogs"),
        "{again}"
    );
    assert!(
        again["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("`lake`") && n.contains("DROP CATALOG")),
        "{again}"
    );
    let o = b.run(&["restore", "catalog:lake", "--from-repository", "main"]);
    ok(&o);
    assert!(text(&o.stdout).contains("Note: external catalog `lake` is not restored"));

    // Every table back, row for row; the view answers; the function is listed; the MV is
    // active.
    assert_eq!(b.rows("sales.orders", ORDERS), want_orders);
    assert_eq!(b.rows("crm.customers", &["id", "name"]), want_customers);
    assert_eq!(
        b.rows("sales.big_orders", &["id", "amount"]),
        ["2|20", "3|30", "4|40", "5|50", "6|60"]
    );
    assert_eq!(
        b.column("SHOW FUNCTIONS FROM sales", "Function Name"),
        ["mask_email"]
    );
    assert_eq!(
        b.column(
            "SELECT IS_ACTIVE FROM information_schema.materialized_views WHERE TABLE_SCHEMA = 'sales' AND TABLE_NAME = 'daily'",
            "IS_ACTIVE"
        ),
        ["true"]
    );

    // A drill on B, from the manifests alone, passes and records its RTO.
    let o = b.run(&["drill", "--format", "json"]);
    ok(&o);
    let lines = drill_lines(&o);
    let drilled: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["database"].is_string()).collect();
    assert_eq!(drilled.len(), 2, "{lines:?}");
    for d in &drilled {
        assert_eq!(d["result"], "passed", "{d}");
        assert!(d["rto_ms"].as_i64().is_some_and(|ms| ms >= 0), "{d}");
        assert!(d["tables"].as_i64().is_some_and(|n| n >= 1), "{d}");
    }
    let sales = drilled.iter().find(|d| d["database"] == "sales").unwrap();
    assert_eq!(sales["tip_set"], tip_set.as_str());
    assert_eq!(sales["sets"].as_array().unwrap().len(), 3);
    // Nothing left behind.
    let dbs = b.column("SHOW DATABASES", "Database");
    assert!(
        !dbs.iter().any(|d| d.contains("__starsnap_drill_")),
        "{dbs:?}"
    );
    // The restore history tells the recovery and the drill apart.
    let o = b.run(&["history", "--restores", "--format", "json"]);
    ok(&o);
    let restores = json_lines(&o);
    let modes: Vec<&str> = restores
        .iter()
        .map(|r| r["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, ["drill", "new"], "{restores:?}");
    assert!(restores[1]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "catalog:lake"));
    assert!(restores[0]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "sales.orders"));
    assert_eq!(restores[0]["verification"], "passed");
    let o = b.run(&["status", "--format", "json"]);
    ok(&o);
    let status: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../grammar/status-output.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut errors = Vec::new();
    json_schema::validate(&schema, &schema, &status, "status", &mut errors);
    assert!(errors.is_empty(), "{errors:?}\n{status}");
    let last = status["drills"].as_array().unwrap();
    assert_eq!(last.len(), 2, "{status}");
    assert!(last
        .iter()
        .all(|d| d["result"] == "passed" && d["rto_ms"].is_i64()));

    // One object of the newest set goes: the drill fails, naming that set.
    let key = delete_one_object(&moto, &tip_label);
    let o = b.run(&["drill", "--format", "json"]);
    exits(&o, 1);
    let lines = drill_lines(&o);
    let failed = lines.iter().find(|l| l["database"] == "sales").unwrap();
    assert_eq!(failed["result"], "failed", "{failed}");
    assert_eq!(failed["failed_set"], tip_set.as_str(), "{failed}");
    assert_eq!(lines.last().unwrap()["failed"], 1);
    let o = b.run(&["drill"]);
    exits(&o, 1);
    let out = text(&o.stdout);
    assert!(out.contains(&format!("set `{tip_set}`")), "{key}\n{out}");
    assert!(out.contains("FAILED  sales"), "{out}");
    assert!(out.contains("passed  crm"), "{out}");
    let o = b.run(&["status"]);
    ok(&o);
    let status = text(&o.stdout);
    assert!(status.contains("Last drill per group:"), "{status}");
    assert!(status.contains("failed"), "{status}");
    let dbs = b.column("SHOW DATABASES", "Database");
    assert!(
        !dbs.iter().any(|d| d.contains("__starsnap_drill_")),
        "{dbs:?}"
    );

    // B takes over (the README's runbook): the history back, the repository registered
    // writable again, and the backups go on — a full, since the restored partitions have
    // new ids.
    let o = b.run(&["init", "--from-repository", "main"]);
    ok(&o);
    assert!(
        text(&o.stdout).contains("Rebuilt 6 set(s)"),
        "{}",
        text(&o.stdout)
    );
    b.exec("DROP REPOSITORY main");
    let o = b.run(&["apply", "--plan-and-apply", "--auto-approve"]);
    ok(&o);
    no_secret(&o);
    let o = b.run(&["history", "--json"]);
    ok(&o);
    let history = json_lines(&o);
    // 6 rebuilt, then fulls of both databases (the catalog set is recent: not due).
    assert_eq!(history.len(), 8, "{history:?}");
    assert!(history[..2]
        .iter()
        .all(|h| h["kind"] == "full" && h["state"] == "finished"));
    assert_eq!(
        b.column("SHOW REPOSITORIES", "IsReadOnly"),
        ["false"],
        "registered writable"
    );
    // From the rebuilt history (no --from-repository): a catalog dropped by mistake comes
    // back by name, with its properties.
    b.exec("DROP CATALOG lake");
    assert!(catalogs(&b).is_empty());
    let o = b.run(&["restore", "catalog:lake", "--apply", "--auto-approve"]);
    ok(&o);
    no_secret(&o);
    assert_lake(&b, &want_catalogs, &want_properties);
    let _ = std::fs::remove_dir_all(&b.dir);
}
