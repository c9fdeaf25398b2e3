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

#[test]
fn an_incremental_depends_only_on_the_tables_it_names() {
    let (p, inputs) = planned("incremental_3_of_365");
    let deps = plan::dependencies(&p);
    let named: Vec<(&String, &Option<std::collections::BTreeSet<String>>)> =
        deps.databases.iter().collect();
    assert_eq!(named.len(), 1, "{deps:?}");
    assert_eq!(named[0].0, "sales");
    assert_eq!(
        named[0]
            .1
            .as_ref()
            .map(|t| t.iter().cloned().collect::<Vec<_>>()),
        Some(vec!["events".to_string()])
    );
    assert!(deps.repositories.contains("s3_main"), "{deps:?}");
    // Another table of the group loaded, lost a partition or went away: the plan still backs
    // up exactly what it says (the next plan sees the change), so it is not stale.
    let mut now = inputs.catalog.clone();
    let others: Vec<String> = now.databases[0]
        .tables
        .iter()
        .filter(|t| t.name != "events")
        .map(|t| t.name.clone())
        .collect();
    assert!(!others.is_empty());
    now.databases[0].tables.retain(|t| t.name == "events");
    assert_eq!(staleness(&p, &now), Vec::new());
    // The named table itself going away is.
    now.databases[0].tables.clear();
    assert_eq!(
        staleness(&p, &now)
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>(),
        ["table sales.events is gone"]
    );
}
