//! Stale plans: a fresh observation equal to the planned one moves nothing; a load, a new
//! partition, a schema change, a dropped table, a repository created meanwhile and a label
//! taken meanwhile are each reported, by name.

mod plan_common;

use starsnap_compiler::catalog::{Partition, Snapshot};
use starsnap_compiler::plan::{self, staleness, Moved, Plan};

fn planned(name: &str) -> (Plan, plan::PlanInputs) {
    let inputs = plan_common::load(name);
    match plan::build(&inputs) {
        Ok(p) => (p.plan, inputs),
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn an_unchanged_cluster_is_not_stale() {
    for name in [
        "first_full",
        "incremental_3_of_365",
        "nothing_changed",
        "handwritten",
    ] {
        let (p, inputs) = planned(name);
        assert_eq!(staleness(&p, &inputs.catalog), Vec::new(), "{name}");
    }
}

#[test]
fn a_load_between_plan_and_apply_is_reported_with_the_partition() {
    let (p, inputs) = planned("incremental_3_of_365");
    let mut now = inputs.catalog.clone();
    let events = &mut now.databases[0].tables[0];
    assert_eq!(events.name, "events");
    // A second load into a partition the plan backs up.
    if let Some(part) = events.partitions.iter_mut().find(|p| p.name == "p20250630") {
        part.visible_version += 1;
    }
    let moved = staleness(&p, &now);
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(
        moved[0].to_string(),
        "partitions of sales.events changed: p20250630 moved"
    );
    // A load into a partition the plan does not back up is a move too.
    let mut now = inputs.catalog.clone();
    now.databases[0].tables[0].partitions[100].visible_version += 1;
    assert!(matches!(
        staleness(&p, &now)[0],
        Moved::PartitionsChanged { .. }
    ));
}

#[test]
fn schema_tables_repositories_and_labels() {
    let (p, inputs) = planned("first_full");
    let mut now = inputs.catalog.clone();
    now.databases[0].tables.retain(|t| t.name != "customers");
    now.databases[0].tables[0].schema_fingerprint = "sha256:other".into();
    now.databases[0].tables[0].partitions.push(Partition {
        name: "p_new".into(),
        id: 1,
        visible_version: 1,
        visible_version_time: None,
        rows: None,
        data_size: None,
    });
    let mut repo = starsnap_compiler::catalog::Repository {
        name: "s3_main".into(),
        location: "s3://backups/starsnap".into(),
        ..Default::default()
    };
    repo.snapshots.push(Snapshot {
        label: "nightly-sales-20261122-040000-full".into(),
        timestamps: Vec::new(),
        status: "OK".into(),
    });
    now.repositories.push(repo);
    now.cluster.version = "3.4.6-0000000".into();
    let moved: Vec<String> = staleness(&p, &now).iter().map(|m| m.to_string()).collect();
    assert_eq!(
        moved,
        [
            "the cluster version changed from 3.4.5-8a1b2c3 to 3.4.6-0000000",
            "table sales.customers is gone",
            "the schema of sales.events changed",
            "partitions of sales.events changed: 5 partitions planned, 6 now, or a version moved",
            "repository s3_main was created by someone else",
            "snapshot nightly-sales-20261122-040000-full already exists in repository s3_main",
        ]
    );
}

/// Expire steps: a snapshot already gone, an expiring set that became a parent, and a kept
/// set (the chains that let older sets go) lost or broken each make the plan stale.
#[test]
#[allow(clippy::unwrap_used)]
fn expire_steps_are_stale_when_their_ground_moved() {
    use starsnap_compiler::catalog::BackupState;
    for name in ["retention_3_4", "retention_4_2"] {
        let (p, inputs) = planned(name);
        assert_eq!(staleness(&p, &inputs.catalog), Vec::new(), "{name}");
        let step = p.steps.iter().find(|s| s.expire().is_some()).unwrap();
        let e = step.expire().unwrap();
        let label = e.labels[0].label.clone();
        let repo = |now: &mut starsnap_compiler::catalog::ObservedCatalog| {
            now.repositories
                .iter_mut()
                .find(|r| r.name == e.repository)
                .unwrap()
                .snapshots
                .len()
        };

        // Gone already (deleted by hand): stale, naming the step.
        let mut now = inputs.catalog.clone();
        let before = repo(&mut now);
        for r in &mut now.repositories {
            r.snapshots.retain(|s| s.label != label);
        }
        assert_eq!(repo(&mut now), before - 1);
        let moved = staleness(&p, &now);
        assert_eq!(
            moved,
            vec![Moved::ExpiringSnapshotGone {
                step: step.id.clone(),
                repository: e.repository.clone(),
                label: label.clone(),
            }],
            "{name}"
        );
        assert!(moved[0].to_string().contains("already gone"));

        // A set made since on top of the expiring one.
        let mut now = inputs.catalog.clone();
        let mut child = now
            .history
            .backups
            .iter()
            .find(|b| b.label == label)
            .unwrap()
            .clone();
        child.label = "newer".into();
        child.set = Some("newer".into());
        child.parent = Some(e.set.clone());
        now.history.backups.push(child);
        assert_eq!(
            staleness(&p, &now),
            vec![Moved::ExpiringSetNeeded {
                step: step.id.clone(),
                set: e.set.clone(),
                by: "newer".into(),
            }],
            "{name}"
        );

        // A kept set lost its snapshot, or verify marked it broken.
        let own: Vec<&str> = p
            .steps
            .iter()
            .filter_map(|s| s.backup())
            .map(|b| b.set.as_str())
            .collect();
        let kept = p.retention[0]
            .kept
            .iter()
            .find(|k| !own.contains(&k.set.as_str()))
            .unwrap()
            .set
            .clone();
        let kept_label = inputs
            .catalog
            .history
            .backups
            .iter()
            .find(|b| b.set_name() == kept)
            .unwrap()
            .label
            .clone();
        let mut now = inputs.catalog.clone();
        for r in &mut now.repositories {
            r.snapshots.retain(|s| s.label != kept_label);
        }
        let kept_gone = |now: &starsnap_compiler::catalog::ObservedCatalog, because: &str| {
            let moved = staleness(&p, now);
            assert!(
                moved
                    .iter()
                    .any(|m| matches!(m, Moved::KeptSetGone { set, why, .. }
                    if *set == kept && why.contains(because))),
                "{name}: {moved:?}"
            );
        };
        kept_gone(&now, "lost its snapshot");
        let mut now = inputs.catalog.clone();
        for b in &mut now.history.backups {
            if b.label == kept_label {
                b.state = BackupState::Broken;
            }
        }
        kept_gone(&now, "marked broken");
    }
}
