//! `starsnap apply` end to end: the binary against the simulator over TCP. Full, then loads,
//! then an incremental with exactly the loaded partitions and the full as parent; a quiet
//! day; a stale plan; a refused confirmation without a terminal; a job cancelled by the
//! cluster; two applies at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;

use apply_support::{exits, ok, text, World};

#[test]
fn full_then_incremental_then_a_quiet_day() {
    let w = World::start("full-incr");
    assert_eq!(w.plan("p1.json", "2026-11-22T02:00:00Z"), 2);
    let o = w.run(&["apply", "p1.json", "--auto-approve", "--parallel", "2"]);
    ok(&o);
    assert!(
        text(&o.stdout).contains("Apply complete: 3 done"),
        "{}",
        text(&o.stdout)
    );
    w.assert_history_is_repository();

    w.exec("INSERT INTO sales.orders VALUES ('2024-01-09', 4, 40), ('2024-03-09', 5, 50)");
    assert_eq!(w.plan("p2.json", "2026-11-23T02:00:00Z"), 2);
    let o = w.run(&["apply", "p2.json", "--auto-approve", "--json"]);
    ok(&o);
    let events: Vec<serde_json::Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.iter().any(|e| e["event"] == "submitted"));
    let last = events.last().unwrap();
    assert_eq!(
        (last["event"].as_str(), last["done"].as_u64()),
        (Some("summary"), Some(1))
    );
    w.assert_history_is_repository();

    let history = w.history();
    let full = history
        .iter()
        .find(|b| b["database"] == "sales" && b["kind"] == "full")
        .unwrap();
    let incr = history.iter().find(|b| b["kind"] == "incremental").unwrap();
    assert_eq!(incr["parent"], full["set"]);
    assert_eq!(incr["partitions"], 2);
    assert_eq!(full["partitions"], 3);

    // A quiet day: nothing to back up, exit 0, no job.
    assert_eq!(w.plan("p3.json", "2026-11-24T02:00:00Z"), 0);
    let o = w.run(&["apply", "p3.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("No changes"));
    assert_eq!(w.history().len(), 3);
}

#[test]
fn a_load_after_the_plan_makes_it_stale() {
    let w = World::start("stale");
    w.plan("p.json", "2026-11-22T02:00:00Z");
    w.exec("INSERT INTO sales.orders VALUES ('2024-02-10', 9, 90)");
    let o = w.run(&["apply", "p.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("saved plan is stale"), "{err}");
    assert!(err.contains("sales.orders"), "{err}");
    assert!(w.history().is_empty());
    assert!(w.snapshots().is_empty());
}

#[test]
fn without_a_terminal_a_confirmation_fails_closed() {
    let w = World::start("confirm");
    w.plan("p.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["apply", "p.json"]);
    assert_eq!(o.status.code(), Some(64), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("--auto-approve"));
    assert!(w.history().is_empty());
    // The locks were released: an approved run goes ahead.
    let o = w.run(&["apply", "p.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn a_job_cancelled_at_uploading_fails_its_step_and_the_other_database_finishes() {
    let w = World::start("cancel");
    w.exec(
        "ADMIN SET SIMULATOR FAULT 'backup_fail' ON DATABASE sales AT STATE 'UPLOADING' \
         WITH MESSAGE 'upload to s3 failed' WITH TASK MESSAGE 'connection reset'",
    );
    w.plan("p.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["apply", "p.json", "--auto-approve", "--parallel", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("1 failed"), "{out}");
    assert!(
        out.contains("upload to s3 failed") && out.contains("connection reset"),
        "{out}"
    );
    let history = w.history();
    let sales = history.iter().find(|b| b["database"] == "sales").unwrap();
    assert_eq!(sales["state"], "cancelled");
    assert!(sales["status"]
        .as_str()
        .unwrap()
        .contains("upload to s3 failed"));
    let crm = history.iter().find(|b| b["database"] == "crm").unwrap();
    assert_eq!(crm["state"], "finished");
}

#[test]
fn two_applies_at_once_one_runs_the_other_exits_4_or_waits() {
    let w = World::start("two");
    w.plan("p.json", "2026-11-22T02:00:00Z");
    w.exec("ADMIN SET SIMULATOR PACING = 150");
    let mut first = w.spawn(&["apply", "p.json", "--auto-approve"]);
    w.wait_until("the first job", |w| {
        w.job("crm").is_some() || w.job("sales").is_some()
    });
    let o = w.run(&["apply", "p.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("is locked by") && err.contains("starsnap unlock"),
        "{err}"
    );

    let o = w.run(&["apply", "p.json", "--auto-approve", "--lock-timeout", "60s"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("0 done, 3 already done"),
        "{}",
        text(&o.stdout)
    );
    let status = first.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    w.assert_history_is_repository();
}

#[test]
fn plan_and_apply_in_one_run_for_cron() {
    let w = World::start("cron");
    let o = w.run(&["apply", "--plan-and-apply", "--auto-approve"]);
    ok(&o);
    assert!(
        text(&o.stderr).contains("backup nightly sales full"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        !text(&o.stderr).contains("UPLOADING"),
        "quiet without a terminal"
    );
    w.assert_history_is_repository();
    assert_eq!(w.history().len(), 2);
    // The next day nothing changed: nothing to do, exit 0.
    let o = w.run(&["apply", "--plan-and-apply", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("No changes"),
        "{}",
        text(&o.stdout)
    );
    // Without a terminal and without --auto-approve, it refuses.
    w.exec("INSERT INTO crm.customers VALUES (2, 'b')");
    let o = w.run(&["apply", "--plan-and-apply"]);
    assert_eq!(o.status.code(), Some(64), "{}", text(&o.stderr));
    // A plan file and --plan-and-apply together are a usage error.
    let o = w.run(&["apply", "p.json", "--plan-and-apply"]);
    assert_eq!(o.status.code(), Some(64));
}

#[test]
fn init_status_and_unlock_of_a_lease_held_elsewhere() {
    use std::sync::Arc;
    use std::time::Duration;

    use starsnap_runtime::state::lock::{Actor, LockRequest};
    use starsnap_runtime::state::SystemClock;
    use starsnap_runtime::{StateConfig, StateStore};

    let w = World::start("unlock");
    let o = w.run(&["init"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("applied migrations"),
        "{}",
        text(&o.stdout)
    );
    let o = w.run(&["init"]);
    assert!(
        text(&o.stdout).contains("already current"),
        "{}",
        text(&o.stdout)
    );

    // Another host's run holds the lease of `sales` (it may be alive: never taken over).
    let config = StateConfig::for_cluster(&mut w.connect(), "starsnap").unwrap();
    let mut store = StateStore::new(w.connect(), config, Arc::new(SystemClock)).unwrap();
    let lease = store
        .try_lock(&LockRequest {
            database: "sales".into(),
            actor: Actor {
                holder: "nightly-job".into(),
                host: "runner-7".into(),
                pid: 4242,
                run_id: "other".into(),
            },
            plan_fingerprint: "f00d".into(),
            ttl: Duration::from_secs(3600),
        })
        .unwrap();

    w.plan("p.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["apply", "p.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("nightly-job@runner-7") && err.contains(&lease.lock_id),
        "{err}"
    );

    let o = w.run(&["status"]);
    let status = text(&o.stdout);
    assert!(
        status.contains("sales") && status.contains(&lease.lock_id),
        "{status}"
    );

    let o = w.run(&["unlock", &lease.lock_id]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = w.run(&["unlock", &lease.lock_id]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a broken lock cannot be broken twice"
    );

    let o = w.run(&["apply", "p.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    w.assert_history_is_repository();
    let o = w.run(&["history"]);
    let table = text(&o.stdout);
    assert!(table.starts_with("LABEL\tGROUP\tDATABASE\tKIND"), "{table}");
    assert_eq!(table.lines().count(), 3, "{table}");
}

#[test]
fn a_plan_made_before_another_apply_is_stale_instead_of_forking_the_chain() {
    let w = World::start("fork");
    w.plan("full.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["apply", "full.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-09', 4, 40)");
    // Two plans of the same incremental, made before either is applied.
    assert_eq!(w.plan("a.json", "2026-11-23T02:00:00Z"), 2);
    assert_eq!(w.plan("b.json", "2026-11-23T02:30:00Z"), 2);
    let o = w.run(&["apply", "a.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = w.run(&["apply", "b.json", "--auto-approve"]);
    exits(&o, 3);
    assert!(
        text(&o.stderr).contains("chain of group nightly in sales moved"),
        "{}",
        text(&o.stderr)
    );
    let incrementals = w
        .history()
        .iter()
        .filter(|b| b["kind"] == "incremental")
        .count();
    assert_eq!(incrementals, 1, "the chain was forked");
}

#[test]
fn a_plan_with_no_steps_is_never_stale() {
    let w = World::start("empty-stale");
    w.plan("full.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["apply", "full.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(w.plan("quiet.json", "2026-11-23T02:00:00Z"), 0);
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-09', 4, 40)");
    let o = w.run(&["apply", "quiet.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

/// Canary secrets — a repository's secret property from the environment — never appear in
/// anything apply prints or stores, also when the cluster echoes them in its error texts.
#[test]
fn canary_secrets_echoed_by_the_cluster_are_never_printed_or_stored() {
    let w = World::start("canary");
    let secret = "Zq9CanarySecretValue";
    let policy = std::fs::read_to_string(w.dir.join("starsnap.toml")).unwrap().replace(
        "[repository.main]\nlocation = \"s3://bucket/backups\"\n",
        "[repository.main]\nlocation = \"s3://bucket/backups\"\nproperties = { \"aws.s3.region\" = \"us-east-1\", \"aws.s3.secret_key\" = \"${CANARY_SECRET}\" }\n",
    );
    std::fs::write(w.dir.join("starsnap.toml"), policy).unwrap();
    w.exec(&format!(
        "ADMIN SET SIMULATOR FAULT 'backup_fail' ON DATABASE sales AT STATE 'UPLOADING' \
         WITH MESSAGE 'access denied for secret {secret}, aws.s3.secret_key = {secret}' \
         WITH TASK MESSAGE '<Error><AWSAccessKeyId>AKIACANARYKEY</AWSAccessKeyId></Error> {secret}'"
    ));
    let env = [("CANARY_SECRET", secret)];
    let o = w.run_env(
        &["plan", "--as-of", "2026-11-22T02:00:00Z", "--out", "p.json"],
        &env,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let plan = std::fs::read_to_string(w.dir.join("p.json")).unwrap();
    assert!(!plan.contains(secret));
    let mut seen = String::new();
    for args in [
        &["apply", "p.json", "--auto-approve"][..],
        &["apply", "p.json", "--auto-approve", "--json"][..],
        &["history", "--json"][..],
        &["status"][..],
    ] {
        let o = w.run_env(args, &env);
        seen.push_str(&text(&o.stdout));
        seen.push_str(&text(&o.stderr));
    }
    assert!(seen.contains("access denied for secret"), "{seen}");
    assert!(!seen.contains(secret), "a secret was printed: {seen}");
    assert!(!seen.contains("AKIACANARYKEY"), "{seen}");
    let mut c = w.connect();
    for table in ["backups", "events"] {
        let rs = c.query(&format!("SELECT * FROM starsnap.{table}")).unwrap();
        for row in rs.iter() {
            for col in rs.columns.iter() {
                let cell = row.get(col).unwrap().unwrap_or("");
                assert!(!cell.contains(secret), "{table}.{col}: {cell}");
                assert!(!cell.contains("AKIACANARYKEY"), "{table}.{col}: {cell}");
            }
        }
    }
}

/// A connection dropped while `plan` observes the cluster, and while `apply` re-observes
/// it, is retried over a fresh connection instead of failing the run.
#[test]
fn dropped_connections_while_observing_are_retried() {
    let w = World::start("observe-drops");
    assert_eq!(w.plan("full.json", "2026-11-22T02:00:00Z"), 2);
    let o = w.run(&["apply", "full.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // The repository exists now, so observing it sends SHOW SNAPSHOT.
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-09', 4, 40)");
    w.exec("ADMIN SET SIMULATOR FAULT 'drop_connection' DURING 'SHOW SNAPSHOT' TIMES 1");
    assert_eq!(w.plan("p.json", "2026-11-23T02:00:00Z"), 2);
    w.exec("ADMIN SET SIMULATOR FAULT 'drop_connection' DURING 'SHOW SNAPSHOT' TIMES 1");
    let o = w.run(&["apply", "p.json", "--auto-approve"]);
    ok(&o);
    w.assert_history_is_repository();
}

/// Issue 14: a live plan reads only the manifest rows of tables whose digest differs, yet is
/// byte for byte the plan made from the whole history (`inspect --out`, then `--catalog`).
#[test]
fn a_plan_from_digests_equals_the_plan_from_the_whole_history() {
    let w = World::start("digests");
    assert_eq!(w.plan("p1.json", "2026-11-22T02:00:00Z"), 2);
    ok(&w.run(&["apply", "p1.json", "--auto-approve"]));
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-09', 4, 40)");
    for (as_of, want) in [("2026-11-23T02:00:00Z", 2), ("2026-12-01T02:00:00Z", 2)] {
        assert_eq!(w.plan("live.json", as_of), want);
        ok(&w.run(&["inspect", "--out", "catalog.json"]));
        let o = w.run(&[
            "plan",
            "--catalog",
            "catalog.json",
            "--as-of",
            as_of,
            "--out",
            "whole.json",
        ]);
        ok(&o);
        let live = std::fs::read(w.dir.join("live.json")).unwrap();
        let whole = std::fs::read(w.dir.join("whole.json")).unwrap();
        assert_eq!(text(&live), text(&whole), "as of {as_of}");
    }
}
