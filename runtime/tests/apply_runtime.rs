//! The apply executor against the simulator over TCP: full then incremental with the parent
//! link, a quiet day, a stale plan, a job cancelled by the cluster, a dropped connection
//! while polling, and a second run of the same plan (resume: nothing submitted twice).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;
#[allow(dead_code)]
#[path = "support/mariadb.rs"]
mod mariadb;

use apply_support::World;
use mariadb::MariaDb;
use starsnap_compiler::plan::Action;
use starsnap_runtime::apply::Outcome;
use starsnap_runtime::state::{BackupKind, BackupState};
use starsnap_simulator::VersionProfile;

#[test]
fn full_then_incremental_holds_exactly_the_loaded_partitions() {
    full_then_incremental(World::start("full-incr"));
}

#[test]
fn full_then_incremental_under_3_5_and_4_1() {
    for (name, profile) in [
        ("v3-5", VersionProfile::V3_5),
        ("v4-1", VersionProfile::V4_1),
    ] {
        full_then_incremental(World::start_with(name, profile, None));
    }
}

#[test]
fn full_then_incremental_with_the_state_in_mariadb() {
    let db = MariaDb::start();
    full_then_incremental(World::start_with(
        "mariadb",
        VersionProfile::V3_4,
        Some(db.options()),
    ));
}

fn full_then_incremental(w: World) {
    w.connect()
        .execute("ADMIN SET SIMULATOR PACING = 40")
        .unwrap();
    let plan = w.plan("2026-11-22T02:00:00Z");
    assert_eq!(plan.summary.full_backups, 2, "{plan:#?}");
    let (report, events) = w.apply(plan, "run-1");
    assert_eq!(report.failed(), 0, "{report:#?}");
    // Every state change seen is reported, in StarRocks's order.
    let seen: Vec<&str> = events
        .iter()
        .filter(|e| e.kind == "state" && e.database.as_deref() == Some("sales"))
        .filter_map(|e| e.state.as_deref())
        .collect();
    assert!(seen.len() >= 3, "{seen:?}");
    let order = [
        "PENDING",
        "SNAPSHOTING",
        "UPLOAD_SNAPSHOT",
        "UPLOADING",
        "SAVE_META",
        "UPLOAD_INFO",
    ];
    let ranks: Vec<usize> = seen
        .iter()
        .map(|s| order.iter().position(|o| o == s).unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    let fulls = w.history();
    assert_eq!(fulls.len(), 2);
    assert!(fulls
        .iter()
        .all(|b| b.state == BackupState::Finished && b.snapshot_timestamp.is_some()));

    let mut c = w.connect();
    c.execute("INSERT INTO sales.orders VALUES ('2024-02-05', 3, 30)")
        .unwrap();
    let plan = w.plan("2026-11-23T02:00:00Z");
    assert_eq!(plan.steps.len(), 1, "{plan:#?}");
    let step = &plan.steps[0];
    assert_eq!(step.kind(), Some(BackupKind::Incremental));
    let (report, _) = w.apply(plan.clone(), "run-2");
    assert_eq!(report.done(), 1, "{report:#?}");

    let history = w.history();
    let incr = history
        .iter()
        .find(|b| b.kind == BackupKind::Incremental)
        .unwrap();
    let full_sales = history
        .iter()
        .find(|b| b.kind == BackupKind::Full && b.database == "sales")
        .unwrap();
    assert_eq!(incr.parent.as_deref(), Some(full_sales.set.as_str()));
    let manifest = w.store().manifest("main", &incr.label).unwrap();
    let parts: Vec<(&str, &str)> = manifest
        .iter()
        .map(|m| (m.table.as_str(), m.partition.as_str()))
        .collect();
    assert_eq!(parts, vec![("orders", "p202402")]);
    let full_manifest = w.store().manifest("main", &full_sales.label).unwrap();
    assert_eq!(full_manifest.len(), 4);
    let full_crm = history
        .iter()
        .find(|b| b.kind == BackupKind::Full && b.database == "crm")
        .unwrap();
    let crm_manifest = w.store().manifest("main", &full_crm.label).unwrap();
    let crm_parts: Vec<(&str, &str)> = crm_manifest
        .iter()
        .map(|m| (m.table.as_str(), m.partition.as_str()))
        .collect();
    assert_eq!(crm_parts, vec![("customers", "customers")]);

    // History, SHOW SNAPSHOT and the folder on disk agree.
    let mut recorded: Vec<String> = history.iter().map(|b| b.label.clone()).collect();
    recorded.sort();
    assert_eq!(recorded, w.repository_labels());
    assert_eq!(recorded, w.folders_on_disk());

    // A quiet day: nothing to do.
    let plan = w.plan("2026-11-24T02:00:00Z");
    assert!(plan.steps.is_empty(), "{plan:#?}");
    let (report, _) = w.apply(plan, "run-3");
    assert!(report.steps.is_empty());
    assert_eq!(w.history().len(), 3);
}

#[test]
fn a_load_between_plan_and_apply_makes_the_plan_stale() {
    let w = World::start("stale");
    let plan = w.plan("2026-11-22T02:00:00Z");
    w.connect()
        .execute("INSERT INTO sales.payments VALUES ('2024-01-05', 9, 90)")
        .unwrap();
    let (apply, _) = w.prepare(plan, w.config("stale-1"));
    let moved = apply.moved().to_vec();
    apply.abandon().unwrap();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(moved[0].contains("sales.payments"), "{moved:?}");
    assert!(w.history().is_empty());
}

#[test]
fn a_job_cancelled_by_the_cluster_fails_its_step_and_others_finish() {
    let w = World::start("cancel");
    w.connect()
        .execute(
            "ADMIN SET SIMULATOR FAULT 'backup_fail' ON DATABASE crm AT STATE 'UPLOADING' \
             WITH MESSAGE 'upload failed: broker unreachable' WITH TASK MESSAGE 'io error'",
        )
        .unwrap();
    let plan = w.plan("2026-11-22T02:00:00Z");
    let (report, _) = w.apply(plan, "cancel-1");
    let crm = report
        .steps
        .iter()
        .find(|s| s.database.as_deref() == Some("crm"))
        .unwrap();
    match &crm.outcome {
        Outcome::Failed(m) => {
            assert!(m.contains("upload failed: broker unreachable"), "{m}");
            assert!(m.contains("io error"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    let sales = report
        .steps
        .iter()
        .find(|s| s.database.as_deref() == Some("sales"))
        .unwrap();
    assert_eq!(sales.outcome, Outcome::Done);
    let history = w.history();
    let failed = history.iter().find(|b| b.database == "crm").unwrap();
    assert_eq!(failed.state, BackupState::Cancelled);
    assert!(failed
        .status
        .as_deref()
        .is_some_and(|s| s.contains("broker unreachable")));
    assert!(failed
        .task_err_msg
        .as_deref()
        .is_some_and(|s| s.contains("io error")));

    // Re-running the same plan retries the cancelled step only.
    let plan_again = w.plan("2026-11-22T02:00:00Z");
    let (report, _) = w.apply(plan_again, "cancel-2");
    assert_eq!(report.failed(), 0, "{report:#?}");
}

#[test]
fn a_connection_dropped_while_polling_is_reattached() {
    let w = World::start("drop");
    w.connect()
        .execute("ADMIN SET SIMULATOR FAULT 'drop_connection' DURING 'SHOW BACKUP' TIMES 5")
        .unwrap();
    w.connect()
        .execute("ADMIN SET SIMULATOR FAULT 'drop_connection' AFTER 'BACKUP' TIMES 1")
        .unwrap();
    let plan = w.plan("2026-11-22T02:00:00Z");
    let (report, events) = w.apply(plan, "drop-1");
    assert_eq!(report.failed(), 0, "{report:#?}");
    let retries = events.iter().filter(|e| e.kind == "retry").count();
    assert!(retries >= 3, "{events:#?}");
    let history = w.history();
    assert_eq!(history.len(), 2);
    assert!(history.iter().all(|b| b.state == BackupState::Finished));
    let mut recorded: Vec<String> = history.iter().map(|b| b.label.clone()).collect();
    recorded.sort();
    assert_eq!(recorded, w.repository_labels());
}

#[test]
fn the_same_plan_twice_submits_nothing_twice() {
    let w = World::start("twice");
    let plan = w.plan("2026-11-22T02:00:00Z");
    let (first, _) = w.apply(plan.clone(), "twice-1");
    assert_eq!(first.failed(), 0);
    let (second, events) = w.apply(plan, "twice-2");
    assert!(
        second
            .steps
            .iter()
            .all(|s| s.outcome == Outcome::AlreadyDone),
        "{second:#?}"
    );
    assert!(!events.iter().any(|e| e.kind == "submitted"));
    assert!(second
        .steps
        .iter()
        .any(|s| s.action == Action::CreateRepository));
    assert_eq!(w.history().len(), 2);
}

#[test]
fn busy_submissions_and_meta_data_updates_are_retried() {
    let w = World::start("busy");
    let mut c = w.connect();
    c.execute("ADMIN SET SIMULATOR FAULT 'submit_busy' TIMES 3")
        .unwrap();
    c.execute("ADMIN SET SIMULATOR FAULT 'show_job_error' TIMES 4")
        .unwrap();
    let plan = w.plan("2026-11-22T02:00:00Z");
    let (report, events) = w.apply(plan, "busy-1");
    assert_eq!(report.failed(), 0, "{report:#?}");
    let retries: Vec<&str> = events
        .iter()
        .filter(|e| e.kind == "retry")
        .filter_map(|e| e.message.as_deref())
        .collect();
    assert_eq!(
        retries
            .iter()
            .filter(|m| m.contains("Another backup or restore job is being submitted"))
            .count(),
        3,
        "{retries:#?}"
    );
    assert_eq!(
        retries
            .iter()
            .filter(|m| m.contains("meta data may has been updated"))
            .count(),
        4,
        "{retries:#?}"
    );
    assert!(w.history().iter().all(|b| b.state == BackupState::Finished));
}
