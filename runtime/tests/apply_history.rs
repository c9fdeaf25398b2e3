//! What apply records for a restore, against the simulator over TCP: each finished backup's
//! StarRocks `backup_time` (equal to SHOW SNAPSHOT's detail form), and each object's kind and
//! partitioning as observed at submission, read back into the planner's history.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;

use apply_support::World;
use starsnap_compiler::catalog::{BackedUpObject, Partitioning, TableKind};
use starsnap_compiler::syntax::{quote_ident, quote_string};
use starsnap_runtime::state::{BackupKind, BackupState, HistoryFilter};

/// SHOW SNAPSHOT's detail form: the `backup_time` of `label` at `timestamp`.
fn backup_time(w: &World, label: &str, timestamp: &str) -> i64 {
    let rs = w
        .connect()
        .query(&format!(
            "SHOW SNAPSHOT ON {} WHERE SNAPSHOT = {} AND TIMESTAMP = {}",
            quote_ident("main"),
            quote_string(label),
            quote_string(timestamp)
        ))
        .unwrap();
    let row = rs.iter().next().unwrap();
    let details: serde_json::Value = serde_json::from_str(row.text("Details").unwrap()).unwrap();
    details["backup_time"].as_i64().unwrap()
}

#[test]
fn full_and_incremental_record_backup_time_objects_and_partitioning() {
    let w = World::start("history-facts");
    let mut c = w.connect();
    c.execute(
        "CREATE TABLE sales.regions (city VARCHAR(20) NOT NULL, id BIGINT) DUPLICATE KEY(city) \
         PARTITION BY LIST(city) (PARTITION p_east VALUES IN ('a'), PARTITION p_west VALUES IN ('b')) \
         DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
    )
    .unwrap();
    c.execute("CREATE VIEW sales.v_orders AS SELECT id FROM sales.orders")
        .unwrap();
    let (report, _) = w.apply(w.plan("2026-11-22T02:00:00Z"), "run-1");
    assert_eq!(report.failed(), 0, "{report:#?}");
    c.execute("INSERT INTO sales.orders VALUES ('2024-02-05', 3, 30)")
        .unwrap();
    let plan = w.plan("2026-11-23T02:00:00Z");
    assert_eq!(plan.steps.len(), 1, "{plan:#?}");
    let (report, _) = w.apply(plan, "run-2");
    assert_eq!(report.done(), 1, "{report:#?}");

    let history = w.history();
    assert_eq!(history.len(), 3);
    for b in &history {
        assert_eq!(b.state, BackupState::Finished, "{}", b.label);
        let ts = b.snapshot_timestamp.as_deref().unwrap();
        assert_eq!(
            b.backup_time_ms,
            Some(backup_time(&w, &b.label, ts)),
            "{}",
            b.label
        );
    }
    let obj = |kind, partitioning| BackedUpObject { kind, partitioning };
    let full = history
        .iter()
        .find(|b| b.kind == BackupKind::Full && b.database == "sales")
        .unwrap();
    assert_eq!(
        full.objects.get("orders"),
        Some(&obj(TableKind::Olap, Some(Partitioning::Range)))
    );
    assert_eq!(
        full.objects.get("regions"),
        Some(&obj(TableKind::Olap, Some(Partitioning::List)))
    );
    assert_eq!(
        full.objects.get("v_orders"),
        Some(&obj(TableKind::View, None))
    );
    assert_eq!(full.schemas.len(), full.objects.len());
    let crm = history.iter().find(|b| b.database == "crm").unwrap();
    assert_eq!(
        crm.objects.get("customers"),
        Some(&obj(TableKind::Olap, Some(Partitioning::Unpartitioned)))
    );
    let inc = history
        .iter()
        .find(|b| b.kind == BackupKind::Incremental)
        .unwrap();
    assert_eq!(
        inc.objects.keys().collect::<Vec<_>>(),
        ["orders"],
        "an incremental holds what it backs up"
    );
    assert!(inc.backup_time_ms > full.backup_time_ms);

    // The planner's history carries the same facts.
    let h = w
        .store()
        .catalog_history(&HistoryFilter::default())
        .unwrap();
    for b in &history {
        let r = h.backups.iter().find(|r| r.label == b.label).unwrap();
        assert_eq!(r.backup_time_ms, b.backup_time_ms);
        assert_eq!(r.objects, b.objects);
        assert_eq!(r.schemas, b.schemas);
    }
}
