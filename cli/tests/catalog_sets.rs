//! External-catalog sets end to end over TCP against the simulator (issue 12): a group's
//! catalog backups expire by its retention rules and are checked by `verify`; a plan whose
//! catalog moved since it was made is refused as stale (exit 3); two applies never drive the
//! cluster's one external-catalog job at once (the second exits 4 or waits); and
//! `restore group:NAME` brings the group's catalogs back with its databases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;
#[path = "../../compiler/tests/json_schema/mod.rs"]
mod json_schema;

use apply_support::{exits, ok, plan_steps, text, World};
use starsnap_compiler::time::Timestamp;

const DAY: i64 = 86_400;

const LAKE: &str =
    "CREATE EXTERNAL CATALOG lake COMMENT 'the lake' PROPERTIES ('type' = 'iceberg', \
     'iceberg.catalog.type' = 'rest', 'iceberg.catalog.uri' = 'http://127.0.0.1:9')";

/// `now + days`, RFC 3339: plans are made after the sets the state recorded (its clock is
/// the real one), so a catalog backup falls due by `full_every`.
fn as_of(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    Timestamp(now + days * DAY + 60).to_rfc3339()
}

/// A policy for `w`'s cluster and repository with the groups given.
fn policy(w: &World, groups: &str) -> String {
    format!(
        "[cluster]\nhost = \"127.0.0.1\"\nport = {}\nuser = \"root\"\nconnect_timeout = \"3s\"\n\n\
         [repository.main]\nlocation = \"{}\"\n\n{groups}",
        w.sim.port(),
        w.location
    )
}

/// A world whose repository starsnap reaches, with the external catalog `lake` and `group`
/// as its policy.
fn world(name: &str, group: &str) -> World {
    let w = World::start_local(name);
    w.exec(LAKE);
    std::fs::write(w.dir.join("starsnap.toml"), policy(&w, group)).unwrap();
    w
}

/// A plan file, checked against `grammar/plan.schema.json`.
fn read_plan(w: &World, file: &str) -> serde_json::Value {
    let plan = serde_json::from_slice(&std::fs::read(w.dir.join(file)).unwrap()).unwrap();
    conforms("plan.schema.json", &plan);
    plan
}

/// Asserts `doc` conforms to `grammar/<schema>`.
fn conforms(schema: &str, doc: &serde_json::Value) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../grammar")
        .join(schema);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut errors = Vec::new();
    json_schema::validate(&schema, &schema, doc, "doc", &mut errors);
    assert!(errors.is_empty(), "{errors:?}\n{doc}");
}

/// The catalog backup step of a plan (`backup/<group>/external_catalogs`), if any.
fn catalog_backup(plan: &serde_json::Value) -> Option<serde_json::Value> {
    plan_steps(plan, "backup")
        .into_iter()
        .find(|s| s["database"].is_null())
}

/// The history's rows of one label.
fn rows_of(w: &World, label: &str) -> Vec<serde_json::Value> {
    w.history()
        .into_iter()
        .filter(|r| r["label"] == label)
        .collect()
}

/// The external catalogs SHOW CATALOGS lists.
fn catalogs(w: &World) -> Vec<String> {
    let rs = w.connect().query("SHOW CATALOGS").unwrap();
    rs.iter()
        .map(|r| r.text("Catalog").unwrap().to_string())
        .filter(|c| c != "default_catalog")
        .collect()
}

/// Planned and applied now (into `file`): the label of the catalog set it made.
fn backed_up(w: &World, file: &str) -> String {
    assert_eq!(w.plan(file, &as_of(0)), 2);
    ok(&w.run(&["apply", file, "--auto-approve"]));
    catalog_backup(&read_plan(w, file)).unwrap()["label"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `sales` and the catalog `lake`, a full every week, no retention.
const WEEKLY: &str = "[group.nightly]\ninclude = [\"sales.*\"]\nexternal_catalogs = [\"lake\"]\n\
     repository = \"main\"\nfull_every = \"7d\"\n";

const KEEP_ONE: &str = "[group.nightly]\ninclude = [\"sales.*\"]\nexternal_catalogs = [\"lake\"]\n\
     repository = \"main\"\nfull_every = \"1d\"\nkeep = { last = 1 }\nmin_chains = 1\n";

#[test]
fn catalog_sets_expire_by_retention_and_verify_checks_them() {
    let w = world("catalog-retention", KEEP_ONE);
    let first_label = backed_up(&w, "d0.json");
    assert!(w.folders_on_disk().contains(&first_label));

    // Two days on a new catalog set is due; `keep = { last = 1 }` lets the first go, after
    // the new one is made (its step waits for the catalog backup).
    assert_eq!(w.plan("d2.json", &as_of(2)), 2);
    let plan = read_plan(&w, "d2.json");
    let second = catalog_backup(&plan).unwrap();
    let second_label = second["label"].as_str().unwrap().to_string();
    let expire = plan_steps(&plan, "expire")
        .into_iter()
        .find(|s| s["set"] == first_label.as_str())
        .unwrap_or_else(|| panic!("the first catalog set does not expire: {plan}"));
    assert_eq!(
        expire["id"],
        format!("expire/nightly/external_catalogs/{first_label}")
    );
    assert!(expire["database"].is_null(), "{expire}");
    assert_eq!(expire["how"], "delete_objects");
    assert!(
        expire["depends_on"]
            .as_array()
            .unwrap()
            .contains(&second["id"]),
        "{expire}"
    );
    assert!(
        plan["retention"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["database"] == "" && r["kept"][0]["set"] == second_label.as_str()),
        "{plan}"
    );
    let o = w.run(&["show", "d2.json"]);
    ok(&o);
    assert!(
        text(&o.stdout).contains("Retention keeps in external catalogs (group nightly"),
        "{}",
        text(&o.stdout)
    );
    ok(&w.run(&["apply", "d2.json", "--auto-approve"]));
    // Gone from the repository, from SHOW SNAPSHOT, and marked expired in the history; the
    // new set is whole.
    let on_disk = w.folders_on_disk();
    assert!(!on_disk.contains(&first_label), "{on_disk:?}");
    assert!(on_disk.contains(&second_label), "{on_disk:?}");
    assert!(!w.snapshots().iter().any(|(l, _)| l == &first_label));
    assert!(
        rows_of(&w, &first_label)
            .iter()
            .all(|r| r["state"] == "expired"),
        "{:?}",
        rows_of(&w, &first_label)
    );

    // verify checks the catalog set like any other: SHOW SNAPSHOT and its objects.
    let o = w.run(&["verify", "--format", "json"]);
    ok(&o);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    conforms("verify-output.schema.json", &report);
    let set = report["sets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["set"] == second_label.as_str())
        .unwrap_or_else(|| panic!("the catalog set was not checked: {report}"))
        .clone();
    assert_eq!(set["ok"], true, "{set}");
    assert_eq!(set["objects_checked"], true, "{set}");
    assert!(set["objects"].as_u64().unwrap() >= 2, "{set}");
    assert_eq!(set["catalogs"], serde_json::json!(["lake"]), "{set}");
    let o = w.run(&["verify", "--label", &second_label]);
    ok(&o);
    assert!(
        text(&o.stdout).contains(&format!(
            "ok      {second_label} (nightly, external catalogs lake)"
        )),
        "{}",
        text(&o.stdout)
    );

    // Its `__meta` file lost behind starsnap's back: verify names it, marks the set broken,
    // and the next plan makes a new catalog backup without counting on it.
    let folder = find_dir(&w.dir.join("storage"), &format!("__ss_{second_label}")).unwrap();
    let meta = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("__meta"))
        .unwrap();
    std::fs::remove_file(meta.path()).unwrap();
    let o = w.run(&["verify", "--label", &second_label]);
    exits(&o, 1);
    let out = text(&o.stdout);
    assert!(
        out.contains(&format!("BROKEN  {second_label}")) && out.contains("__meta"),
        "{out}"
    );
    assert!(rows_of(&w, &second_label)
        .iter()
        .all(|r| r["state"] == "broken"));
    assert_eq!(w.plan("d3.json", &as_of(3)), 2);
    let again = catalog_backup(&read_plan(&w, "d3.json"))
        .unwrap_or_else(|| panic!("no new catalog backup after a broken catalog set"));
    assert_eq!(again["kind"], "full");
    // Not "full_due" after the broken set: it no longer counts as a catalog backup at all.
    assert_eq!(again["reason"], "first_full", "{again}");
}

/// The folder named `name` under `dir`.
fn find_dir(dir: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        if !e.path().is_dir() {
            continue;
        }
        if e.file_name().to_string_lossy() == name {
            return Some(e.path());
        }
        if let Some(found) = find_dir(&e.path(), name) {
            return Some(found);
        }
    }
    None
}

#[test]
fn a_catalog_snapshot_gone_from_the_repository_gets_a_new_catalog_backup() {
    let w = world("catalog-gone", WEEKLY);
    let label = backed_up(&w, "p0.json");
    // Not due for a week, but its snapshot is gone: a new one is planned at once.
    let folder = find_dir(&w.dir.join("storage"), &format!("__ss_{label}")).unwrap();
    std::fs::remove_dir_all(folder).unwrap();
    assert_eq!(w.plan("p1.json", &as_of(1)), 2);
    let step = catalog_backup(&read_plan(&w, "p1.json"))
        .unwrap_or_else(|| panic!("no catalog backup planned"));
    assert_eq!(step["reason"], "parent_missing", "{step}");
    assert!(step["detail"].as_str().unwrap().contains(&label), "{step}");
}

#[test]
fn a_plan_whose_catalog_moved_is_stale() {
    let w = world("catalog-stale", WEEKLY);
    // A backup plan whose catalog was dropped after planning: refused, nothing sent.
    assert_eq!(w.plan("b.json", &as_of(0)), 2);
    let plan = read_plan(&w, "b.json");
    assert_eq!(
        plan["observed"]["external_catalogs"],
        serde_json::json!([{"name": "lake", "exists": true}])
    );
    w.exec("DROP CATALOG lake");
    let o = w.run(&["apply", "b.json", "--auto-approve"]);
    exits(&o, 3);
    assert!(
        text(&o.stderr).contains("external catalog lake, which the plan backs up, is gone"),
        "{}",
        text(&o.stderr)
    );
    assert!(w.history().is_empty());
    // Back as planned: the same plan applies.
    w.exec(LAKE);
    ok(&w.run(&["apply", "b.json", "--auto-approve"]));

    // A restore of the catalog planned while it was missing, applied after someone created
    // one of that name: refused (StarRocks would fail the job rather than replace it).
    w.exec("DROP CATALOG lake");
    // Dropped after this plan's backup of it finished: applied again, the plan is done, not
    // stale.
    let o = w.run(&["apply", "b.json", "--auto-approve"]);
    ok(&o);
    assert!(text(&o.stdout).contains("0 done"), "{}", text(&o.stdout));
    let o = w.run(&["restore", "catalog:lake", "--out", "r.json"]);
    ok(&o);
    let plan = read_plan(&w, "r.json");
    assert_eq!(plan_steps(&plan, "restore_catalogs").len(), 1, "{plan}");
    assert_eq!(
        plan["observed"]["external_catalogs"],
        serde_json::json!([{"name": "lake", "exists": false}])
    );
    w.exec(LAKE);
    let o = w.run(&["apply", "r.json", "--auto-approve"]);
    exits(&o, 3);
    assert!(
        text(&o.stderr).contains("external catalog lake, which the restore creates, exists now"),
        "{}",
        text(&o.stderr)
    );
    // Dropped again, the reviewed plan goes ahead; applied once more, it is its own doing.
    w.exec("DROP CATALOG lake");
    ok(&w.run(&["apply", "r.json", "--auto-approve"]));
    assert_eq!(catalogs(&w), ["lake"]);
    let o = w.run(&["apply", "r.json", "--auto-approve"]);
    ok(&o);
}

#[test]
fn two_applies_never_drive_the_catalog_job_at_once() {
    let w = world("catalog-lock", WEEKLY);
    // A second policy, another group and database, the same catalog: the two plans share no
    // database, only the cluster's one external-catalog job.
    std::fs::write(
        w.dir.join("weekly.toml"),
        policy(
            &w,
            "[group.weekly]\ninclude = [\"crm.*\"]\nexternal_catalogs = [\"lake\"]\n\
             repository = \"main\"\nfull_every = \"7d\"\n",
        ),
    )
    .unwrap();
    assert_eq!(w.plan("a.json", &as_of(0)), 2);
    let o = w.run(&[
        "plan",
        "-c",
        "weekly.toml",
        "--as-of",
        &as_of(0),
        "--out",
        "b.json",
    ]);
    ok(&o);
    w.exec("ADMIN SET SIMULATOR PACING STATE 'UPLOAD_INFO' = 1500");
    let mut first = w.spawn(&["apply", "a.json", "--auto-approve"]);
    // The first run's catalog job (SHOW BACKUP without FROM: `DbName` empty) is under way.
    w.wait_until("the first catalog job", |w| {
        let rs = w.connect().query("SHOW BACKUP").unwrap();
        let found = rs.iter().any(|r| r.get("DbName").unwrap() == Some(""));
        found
    });
    let o = w.run(&["apply", "-c", "weekly.toml", "b.json", "--auto-approve"]);
    exits(&o, 4);
    assert!(
        text(&o.stderr).contains("the external-catalog job (one per cluster) is locked by"),
        "{}",
        text(&o.stderr)
    );
    // Waiting for the lease, it runs once the first run is done with the catalog job.
    let o = w.run(&[
        "apply",
        "-c",
        "weekly.toml",
        "b.json",
        "--auto-approve",
        "--lock-timeout",
        "60s",
    ]);
    ok(&o);
    let status = first.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let history = w.history();
    let catalog_sets: Vec<&serde_json::Value> =
        history.iter().filter(|r| r["database"] == "").collect();
    assert_eq!(catalog_sets.len(), 2, "{history:?}");
    assert!(catalog_sets.iter().all(|r| r["state"] == "finished"));
}

#[test]
fn restore_of_a_group_brings_its_catalogs_back() {
    let w = world("catalog-group", WEEKLY);
    let label = backed_up(&w, "p.json");
    // With the catalog in the cluster: the databases only, and the plan says why.
    let o = w.run(&["restore", "group:nightly"]);
    ok(&o);
    assert!(
        text(&o.stdout).contains("Note: external catalog `lake` is not restored"),
        "{}",
        text(&o.stdout)
    );
    // Dropped by mistake: the group's restore brings it back with the group's database.
    w.exec("DROP CATALOG lake");
    ok(&w.run(&["restore", "group:nightly", "--out", "g.json"]));
    let plan = read_plan(&w, "g.json");
    let steps = plan_steps(&plan, "restore_catalogs");
    assert_eq!(steps.len(), 1, "{plan}");
    assert_eq!(steps[0]["snapshot"], label.as_str());
    assert_eq!(steps[0]["catalogs"], serde_json::json!(["lake"]));
    assert!(!plan_steps(&plan, "restore").is_empty(), "{plan}");
    ok(&w.run(&["apply", "g.json", "--auto-approve"]));
    assert_eq!(catalogs(&w), ["lake"]);
    // Of another group, nothing of `lake` is restored.
    let o = w.run(&["restore", "sales"]);
    ok(&o);
    assert!(!text(&o.stdout).contains("lake"), "{}", text(&o.stdout));
}
