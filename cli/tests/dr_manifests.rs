//! Self-describing repositories (issue 12): apply writes a manifest per finished set next to
//! the snapshots; with the state database gone, `starsnap init --from-repository` rebuilds
//! the history from them (confirmed against SHOW SNAPSHOT), and `plan` continues the chain.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;

use std::path::PathBuf;

use apply_support::{ok, plan_steps, text, World};

fn sets_dir(w: &World) -> PathBuf {
    PathBuf::from(&w.location)
        .join("__starrocks_repository_main")
        .join("__starsnap")
        .join("sets")
}

fn manifest(w: &World, set: &str) -> serde_json::Value {
    let bytes = std::fs::read(sets_dir(w).join(format!("{set}.json"))).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// (label, set, kind, parent, snapshot_timestamp, partitions) of every history row, sorted.
fn summary(w: &World) -> Vec<String> {
    let mut out: Vec<String> = w
        .history()
        .iter()
        .map(|b| {
            format!(
                "{} {} {} {} {} {} {}",
                b["label"],
                b["set"],
                b["database"],
                b["kind"],
                b["parent"],
                b["snapshot_timestamp"],
                b["partitions"]
            )
        })
        .collect();
    out.sort();
    out
}

fn backup_steps(file: &PathBuf) -> Vec<serde_json::Value> {
    let plan: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    plan_steps(&plan, "backup")
}

#[test]
fn manifests_rebuild_the_history_and_plan_continues_the_chain() {
    let w = World::start_local("dr-rebuild");
    assert_eq!(w.plan("p1.json", "2026-11-22T02:00:00Z"), 2);
    ok(&w.run(&["apply", "p1.json", "--auto-approve"]));
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-09', 4, 40), ('2024-03-09', 5, 50)");
    assert_eq!(w.plan("p2.json", "2026-11-23T02:00:00Z"), 2);
    let o = w.run(&["apply", "p2.json", "--auto-approve"]);
    ok(&o);
    assert!(!text(&o.stdout).contains("warning"), "{}", text(&o.stdout));

    let history = w.history();
    let full = history
        .iter()
        .find(|b| b["database"] == "sales" && b["kind"] == "full")
        .unwrap();
    let incr = history.iter().find(|b| b["kind"] == "incremental").unwrap();
    // The manifests say what the history says, with no secret and no state-only detail.
    let m = manifest(&w, full["set"].as_str().unwrap());
    assert_eq!(m["format_version"], 1);
    assert_eq!(m["group"], "nightly");
    assert_eq!(m["database"], "sales");
    assert_eq!(m["kind"], "full");
    assert_eq!(m["parent"], serde_json::Value::Null);
    let label = &m["labels"][0];
    assert_eq!(label["label"], full["label"]);
    assert_eq!(label["snapshot_timestamp"], full["snapshot_timestamp"]);
    assert!(label["backup_time_ms"].is_i64(), "{label}");
    assert_eq!(label["partitions"].as_array().unwrap().len(), 3);
    let p = &label["partitions"][0];
    assert_eq!(p["table"], "orders");
    assert!(p["partition_id"].is_i64() && p["visible_version"].is_i64());
    assert_eq!(label["objects"]["orders"]["object"]["kind"], "OLAP");
    assert!(label["objects"]["orders"]["schema_fingerprint"].is_string());
    let mi = manifest(&w, incr["set"].as_str().unwrap());
    assert_eq!(mi["kind"], "incremental");
    assert_eq!(mi["parent"], full["set"]);
    assert_eq!(mi["labels"][0]["partitions"].as_array().unwrap().len(), 2);
    assert_eq!(
        std::fs::read_dir(sets_dir(&w)).unwrap().count(),
        3,
        "sales full, crm full, sales incremental"
    );

    // The state is lost; the repository alone brings the history back.
    let before = summary(&w);
    w.exec("DROP DATABASE starsnap");
    let o = w.run(&["init", "--from-repository", "main"]);
    ok(&o);
    assert!(
        text(&o.stdout).contains("Rebuilt 3 set(s) (3 label(s))"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(summary(&w), before);
    // A second rebuild refuses: the history is no longer empty.
    let o = w.run(&["init", "--from-repository", "main"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    assert!(text(&o.stderr).contains("already holds history"));

    // After a load, plan continues the chain: an incremental on the last set.
    w.exec("INSERT INTO sales.orders VALUES ('2024-02-11', 6, 60)");
    assert_eq!(w.plan("p3.json", "2026-11-24T02:00:00Z"), 2);
    let steps = backup_steps(&w.dir.join("p3.json"));
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert_eq!(steps[0]["database"], "sales");
    assert_eq!(steps[0]["kind"], "incremental");
    assert_eq!(steps[0]["parent"], incr["set"]);
    ok(&w.run(&["apply", "p3.json", "--auto-approve"]));
}

#[test]
fn a_set_whose_snapshot_is_gone_is_skipped_and_listed() {
    let w = World::start_local("dr-gone");
    assert_eq!(w.plan("p1.json", "2026-11-22T02:00:00Z"), 2);
    ok(&w.run(&["apply", "p1.json", "--auto-approve"]));
    let history = w.history();
    let crm = history.iter().find(|b| b["database"] == "crm").unwrap();
    let crm_label = crm["label"].as_str().unwrap();
    // The snapshot goes (its folder deleted), its manifest stays behind.
    std::fs::remove_dir_all(
        PathBuf::from(&w.location)
            .join("__starrocks_repository_main")
            .join(format!("__ss_{crm_label}")),
    )
    .unwrap();
    w.exec("DROP DATABASE starsnap");
    let o = w.run(&["init", "--from-repository", "main"]);
    ok(&o);
    let out = text(&o.stdout);
    assert!(out.contains("Rebuilt 1 set(s)"), "{out}");
    assert!(
        out.contains(&format!("Skipped set `{}`", crm["set"].as_str().unwrap())),
        "{out}"
    );
    assert!(out.contains("its snapshot is gone"), "{out}");
    let rebuilt = w.history();
    assert_eq!(rebuilt.len(), 1);
    assert_eq!(rebuilt[0]["database"], "sales");
}

#[test]
fn a_manifest_not_written_warns_and_the_next_run_writes_it() {
    let w = World::start_local("dr-warn");
    // A file where the manifests' folder belongs: the write fails, the backup does not.
    let root = PathBuf::from(&w.location).join("__starrocks_repository_main");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("__starsnap"), b"in the way").unwrap();
    assert_eq!(w.plan("p1.json", "2026-11-22T02:00:00Z"), 2);
    let o = w.run(&["apply", "p1.json", "--auto-approve"]);
    ok(&o);
    let out = text(&o.stdout);
    assert!(out.contains("Apply complete"), "{out}");
    assert!(
        out.contains("warning: set manifest of `nightly-sales-"),
        "{out}"
    );
    assert!(out.contains("the next apply writes it"), "{out}");
    assert!(text(&o.stderr).contains("warning"), "{}", text(&o.stderr));
    w.assert_history_is_repository();

    // Out of the way: the same plan again writes the missing manifests.
    std::fs::remove_file(root.join("__starsnap")).unwrap();
    let o = w.run(&["apply", "p1.json", "--auto-approve"]);
    ok(&o);
    assert!(!text(&o.stdout).contains("warning"), "{}", text(&o.stdout));
    assert_eq!(std::fs::read_dir(sets_dir(&w)).unwrap().count(), 2);
}

#[test]
fn a_repository_starsnap_cannot_reach_is_noted_once() {
    // `s3://` with no endpoint, keys or instance profile: the simulator maps it to a
    // folder, starsnap has no way in.
    let w = World::start("dr-unreachable");
    assert_eq!(w.plan("p1.json", "2026-11-22T02:00:00Z"), 2);
    let o = w.run(&["apply", "p1.json", "--auto-approve"]);
    ok(&o);
    let err = text(&o.stderr);
    assert_eq!(
        err.matches("no set manifests are written to repository `main`")
            .count(),
        1,
        "{err}"
    );
    assert!(!text(&o.stdout).contains("warning"), "{}", text(&o.stdout));
}

#[test]
fn sets_made_before_manifests_stay_usable_and_are_back_filled() {
    let w = World::start_local("dr-backfill");
    assert_eq!(w.plan("p1.json", "2026-11-22T02:00:00Z"), 2);
    ok(&w.run(&["apply", "p1.json", "--auto-approve"]));
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-09', 4, 40)");
    assert_eq!(w.plan("p2.json", "2026-11-23T02:00:00Z"), 2);
    ok(&w.run(&["apply", "p2.json", "--auto-approve"]));
    // As if made before starsnap wrote manifests.
    std::fs::remove_dir_all(sets_dir(&w)).unwrap();

    // The history is still a source: a drill restores and verifies from it.
    let o = w.run(&["drill", "--format", "json"]);
    ok(&o);
    let out = text(&o.stdout);
    assert_eq!(out.matches("\"result\":\"passed\"").count(), 2, "{out}");
    // A second drill of the same sets, within the same second, is a drill of its own: its
    // scratch databases are new (before, it had the first's plan and found every step done,
    // restoring nothing), and it leaves nothing behind either.
    let scratch = |out: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["scratch_database"].as_str().map(str::to_string))
            .collect()
    };
    let first = scratch(&out);
    let o = w.run(&["drill", "--format", "json"]);
    ok(&o);
    let again = text(&o.stdout);
    assert_eq!(again.matches("\"result\":\"passed\"").count(), 2, "{again}");
    let second = scratch(&again);
    assert_eq!((first.len(), second.len()), (2, 2), "{out}{again}");
    assert!(
        first.iter().all(|d| !second.contains(d)),
        "{first:?} {second:?}"
    );
    let dbs: Vec<String> = w
        .connect()
        .query("SHOW DATABASES")
        .unwrap()
        .iter()
        .map(|r| r.get("Database").unwrap().unwrap_or("").to_string())
        .collect();
    assert!(
        !dbs.iter().any(|d| d.contains("__starsnap_drill_")),
        "{dbs:?}"
    );

    // Back-fill, confirmed by SHOW SNAPSHOT; a second run finds them there.
    let o = w.run(&["init", "--write-manifests"]);
    ok(&o);
    assert!(
        text(&o.stdout).contains("Repository `main`: wrote 3 set manifest(s), 0 already there."),
        "{}",
        text(&o.stdout)
    );
    let incr = w
        .history()
        .into_iter()
        .find(|b| b["kind"] == "incremental")
        .unwrap();
    let m = manifest(&w, incr["set"].as_str().unwrap());
    assert_eq!(m["kind"], "incremental");
    assert_eq!(m["labels"][0]["label"], incr["label"]);
    let o = w.run(&["init", "--write-manifests"]);
    ok(&o);
    assert!(
        text(&o.stdout).contains("wrote 0 set manifest(s), 3 already there."),
        "{}",
        text(&o.stdout)
    );

    // The back-filled repository describes the sets: the history comes back from it.
    let before = summary(&w);
    w.exec("DROP DATABASE starsnap");
    let o = w.run(&["init", "--from-repository", "main"]);
    ok(&o);
    assert!(
        text(&o.stdout).contains("Rebuilt 3 set(s)"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(summary(&w), before);
}
