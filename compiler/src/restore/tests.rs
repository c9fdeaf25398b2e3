//! Restore planner tests: the §9.4 chain (full p1–p5, inc1 p4 + p6, inc2 p5–p7), points, modes,
//! refusals, determinism, and a property over random chains.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;
use crate::catalog::{
    BackedUpObject, BackupRecord, BackupState, Database, ManifestEntry, Partition, Partitioning,
    Table, TableKind,
};
use crate::time::Timestamp;

const T_FULL: i64 = 1_795_000_000_000;
const T_INC1: i64 = T_FULL + 3_600_000;
const T_INC2: i64 = T_FULL + 7_200_000;

/// A finished backup of `d` (group `g`, repository `repo`) holding `parts` of table `t`.
fn rec(label: &str, parent: Option<&str>, ms: i64, parts: &[&str]) -> BackupRecord {
    rec_of(label, parent, ms, &[("t", parts)])
}

fn rec_of(label: &str, parent: Option<&str>, ms: i64, tables: &[(&str, &[&str])]) -> BackupRecord {
    let mut manifest = Vec::new();
    let mut schemas = BTreeMap::new();
    let mut objects = BTreeMap::new();
    for (t, parts) in tables {
        schemas.insert((*t).to_string(), format!("fp_{t}"));
        objects.insert(
            (*t).to_string(),
            BackedUpObject {
                kind: TableKind::Olap,
                partitioning: Some(Partitioning::Range),
            },
        );
        for p in *parts {
            let n: i64 = p.trim_start_matches('p').parse().unwrap_or(0);
            manifest.push(ManifestEntry {
                table: (*t).to_string(),
                partition: (*p).to_string(),
                partition_id: 100 + n,
                visible_version: ms / 1_000_000 + n,
                rows: Some(n * 10),
            });
        }
    }
    BackupRecord {
        label: label.into(),
        group: "g".into(),
        database: "d".into(),
        kind: if parent.is_none() {
            BackupKind::Full
        } else {
            BackupKind::Incremental
        },
        set: None,
        chunk_count: None,
        parent: parent.map(str::to_string),
        repository: "repo".into(),
        snapshot_timestamp: Some(format!("ts-{label}")),
        created_at: Timestamp(ms / 1000).to_rfc3339(),
        state: BackupState::Finished,
        schemas,
        manifest,
        backup_time_ms: Some(ms),
        objects,
        functions: Vec::new(),
        catalogs: Vec::new(),
        table_digests: None,
    }
}

/// The §9.4 chain.
fn chain() -> History {
    History {
        backups: vec![
            rec("full", None, T_FULL, &["p1", "p2", "p3", "p4", "p5"]),
            rec("inc1", Some("full"), T_INC1, &["p4", "p6"]),
            rec("inc2", Some("inc1"), T_INC2, &["p5", "p6", "p7"]),
        ],
    }
}

fn table(name: &str, parts: &[&str], partitioning: Option<Partitioning>) -> Table {
    Table {
        name: name.into(),
        kind: TableKind::Olap,
        schema_fingerprint: format!("fp_{name}"),
        partitions: parts
            .iter()
            .enumerate()
            .map(|(i, p)| Partition {
                name: (*p).into(),
                id: 900 + i as i64,
                visible_version: 50,
                visible_version_time: None,
                rows: None,
                data_size: None,
            })
            .collect(),
        partitioning,
        unread: None,
    }
}

fn live(tables: Vec<Table>) -> ObservedCatalog {
    let mut c = ObservedCatalog::empty("3.4.5");
    c.databases.push(Database {
        name: "d".into(),
        tables,
        functions: Vec::new(),
    });
    c
}

fn live_t() -> ObservedCatalog {
    live(vec![table(
        "t",
        &["p1", "p2", "p3", "p4", "p5", "p6", "p7"],
        Some(Partitioning::Range),
    )])
}

fn req(targets: Vec<Target>, point: Point, mode: Mode) -> RestoreRequest {
    RestoreRequest {
        targets,
        point,
        mode,
        replication_num: 3,
        timeout_s: 86_400,
        run: None,
    }
}

fn t_target() -> Vec<Target> {
    vec![Target::Table {
        database: "d".into(),
        table: "t".into(),
    }]
}

fn swap() -> Mode {
    Mode::Swap { drop_old: false }
}

fn into() -> Mode {
    Mode::Into {
        database: "d_copy".into(),
    }
}

fn plan(r: &RestoreRequest, h: &History, l: &ObservedCatalog) -> RestorePlan {
    match plan_restore(r, h, l) {
        Ok(p) => p,
        Err(e) => panic!("planning failed: {e}"),
    }
}

/// The §9.4 chain restoring `d.t` with `t` live.
fn plan_t(point: Point, mode: Mode) -> RestorePlan {
    plan(&req(t_target(), point, mode), &chain(), &live_t())
}

fn actions(p: &RestorePlan) -> &[Action] {
    p.databases
        .first()
        .map(|d| d.actions.as_slice())
        .unwrap_or_default()
}

/// (snapshot, target database, [(table, alias, partitions, onto)]) of every RESTORE.
type Job = (
    String,
    String,
    Vec<(String, Option<String>, Vec<String>, Onto)>,
);

fn restores(p: &RestorePlan) -> Vec<Job> {
    actions(p)
        .iter()
        .filter_map(|a| match a {
            Action::Restore {
                snapshot,
                target_database,
                tables,
                ..
            } => Some((
                snapshot.clone(),
                target_database.clone(),
                tables
                    .iter()
                    .map(|t| {
                        (
                            t.table.clone(),
                            t.alias.clone(),
                            t.partitions.clone(),
                            t.onto,
                        )
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_string()).collect()
}

fn job(label: &str, db: &str, parts: &[&str], onto: Onto) -> Job {
    (
        label.into(),
        db.into(),
        vec![("t".into(), None, names(parts), onto)],
    )
}

/// The action kinds, space-separated.
fn kinds(p: &RestorePlan) -> String {
    actions(p)
        .iter()
        .map(|a| match a {
            Action::CreateDatabase { .. } => "create_database",
            Action::Restore { .. } => "restore",
            Action::CreateTableLike { .. } => "create_table_like",
            Action::Copy { .. } => "copy",
            Action::Verify { .. } => "verify",
            Action::Swap { .. } => "swap",
            Action::Activate { .. } => "activate",
            Action::DropPartitions { .. } => "drop_partitions",
            Action::DropTable { .. } => "drop_table",
            Action::DropDatabase { .. } => "drop_database",
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn err(r: &RestoreRequest, h: &History, l: &ObservedCatalog) -> RestoreError {
    match plan_restore(r, h, l) {
        Ok(p) => panic!("expected an error, got {p:#?}"),
        Err(e) => e,
    }
}

#[test]
fn tip_of_the_chain_reads_each_partition_once_from_the_newest_set() {
    let p = plan_t(Point::Latest, into());
    assert_eq!(
        restores(&p),
        vec![
            job("full", "d_copy", &["p1", "p2", "p3"], Onto::New),
            job("inc1", "d_copy", &["p4"], Onto::Assembled),
            job("inc2", "d_copy", &["p5", "p6", "p7"], Onto::Assembled),
        ]
    );
    for a in actions(&p) {
        if let Action::Restore {
            replication_num,
            backup_timestamp,
            snapshot,
            source_database,
            ..
        } = a
        {
            assert_eq!(*replication_num, 3);
            assert_eq!(backup_timestamp, &format!("ts-{snapshot}"));
            assert_eq!(source_database, "d");
        }
    }
    assert_eq!(kinds(&p), "create_database restore restore restore verify");
    assert_eq!(p.destructive_count(), 0, "--into touches nothing live");
    let chain: Vec<&str> = p.databases[0]
        .chain
        .iter()
        .map(|s| s.set.as_str())
        .collect();
    assert_eq!(chain, ["full", "inc1", "inc2"]);
}

#[test]
fn verify_expects_each_partitions_version_and_rows_from_the_set_it_is_read_from() {
    let p = plan_t(Point::Latest, into());
    let Some(Action::Verify {
        partitions,
        schema_fingerprint,
        database,
        ..
    }) = actions(&p)
        .iter()
        .find(|a| matches!(a, Action::Verify { .. }))
    else {
        panic!("no verify");
    };
    assert_eq!(database, "d_copy");
    assert_eq!(schema_fingerprint, "fp_t");
    let got: Vec<(&str, Option<i64>, Option<i64>)> = partitions
        .iter()
        .map(|e| (e.name.as_str(), e.visible_version, e.rows))
        .collect();
    let v = |ms: i64, n: i64| Some(ms / 1_000_000 + n);
    assert_eq!(
        got,
        vec![
            ("p1", v(T_FULL, 1), Some(10)),
            ("p2", v(T_FULL, 2), Some(20)),
            ("p3", v(T_FULL, 3), Some(30)),
            ("p4", v(T_INC1, 4), Some(40)),
            ("p5", v(T_INC2, 5), Some(50)),
            ("p6", v(T_INC2, 6), Some(60)),
            ("p7", v(T_INC2, 7), Some(70)),
        ]
    );
}

#[test]
fn each_point_in_time_picks_the_newest_set_at_or_before_it() {
    let cases: [(i64, &[&str], Vec<Job>); 4] = [
        (
            T_FULL,
            &["full"],
            vec![job("full", "d_copy", &[], Onto::New)],
        ),
        (
            T_INC1 - 1,
            &["full"],
            vec![job("full", "d_copy", &[], Onto::New)],
        ),
        (
            T_INC2 - 1,
            &["full", "inc1"],
            vec![
                job("full", "d_copy", &["p1", "p2", "p3", "p5"], Onto::New),
                job("inc1", "d_copy", &["p4", "p6"], Onto::Assembled),
            ],
        ),
        (
            T_INC2 + 10_000_000,
            &["full", "inc1", "inc2"],
            vec![
                job("full", "d_copy", &["p1", "p2", "p3"], Onto::New),
                job("inc1", "d_copy", &["p4"], Onto::Assembled),
                job("inc2", "d_copy", &["p5", "p6", "p7"], Onto::Assembled),
            ],
        ),
    ];
    for (at, sets, jobs) in cases {
        let p = plan_t(Point::At { epoch_ms: at }, into());
        let chain: Vec<&str> = p.databases[0]
            .chain
            .iter()
            .map(|s| s.set.as_str())
            .collect();
        assert_eq!(chain, sets, "at {at}");
        assert_eq!(restores(&p), jobs, "at {at}");
    }
}

#[test]
fn a_label_picks_its_set() {
    let by_label = plan_t(Point::Label("inc1".into()), into());
    let by_time = plan_t(Point::At { epoch_ms: T_INC1 }, into());
    assert_eq!(restores(&by_label), restores(&by_time));
    assert_eq!(
        err(
            &req(t_target(), Point::Label("nope".into()), into()),
            &chain(),
            &live_t()
        ),
        RestoreError::UnknownLabel {
            label: "nope".into()
        }
    );
}

#[test]
fn nothing_early_enough_names_the_earliest_point() {
    let mut h = chain();
    let mut unplaced = rec("old", None, T_FULL - 5_000_000, &["p1"]);
    unplaced.backup_time_ms = None;
    h.backups.push(unplaced);
    let e = err(
        &req(
            t_target(),
            Point::At {
                epoch_ms: T_FULL - 1,
            },
            into(),
        ),
        &h,
        &live_t(),
    );
    assert_eq!(
        e,
        RestoreError::NothingEarlyEnough {
            database: "d".into(),
            at_ms: T_FULL - 1,
            earliest: Some(("full".into(), T_FULL)),
            unplaced: vec!["old".into()],
        }
    );
    let text = e.to_string();
    assert!(
        text.contains("earliest point available is 2026-11-18T11:06:40Z"),
        "{text}"
    );
    assert!(text.contains("--label"), "{text}");
}

#[test]
fn a_missing_or_unfinished_parent_breaks_the_chain() {
    let mut h = chain();
    h.backups.retain(|b| b.label != "inc1");
    let broken = RestoreError::ChainBroken {
        database: "d".into(),
        set: "inc2".into(),
        missing_parent: Some("inc1".into()),
    };
    assert_eq!(
        err(&req(t_target(), Point::Latest, into()), &h, &live_t()),
        broken
    );
    let mut h = chain();
    for b in &mut h.backups {
        if b.label == "inc1" {
            b.state = BackupState::Failed;
        }
    }
    assert_eq!(
        err(&req(t_target(), Point::Latest, into()), &h, &live_t()),
        broken
    );
    // The earlier point is still restorable.
    assert!(plan_restore(
        &req(t_target(), Point::At { epoch_ms: T_FULL }, into()),
        &h,
        &live_t()
    )
    .is_ok());
}

#[test]
fn a_set_counts_only_when_every_chunk_finished() {
    let mut h = chain();
    let mut a = rec("inc3-p1", Some("inc2"), T_INC2 + 1000, &["p7"]);
    a.set = Some("inc3".into());
    a.chunk_count = Some(2);
    h.backups.push(a.clone());
    let p = plan(&req(t_target(), Point::Latest, into()), &h, &live_t());
    assert_eq!(p.databases[0].chain.len(), 3, "inc3 lacks a chunk");
    let mut b = rec("inc3-p2", Some("inc2"), T_INC2 + 2000, &["p8"]);
    b.set = Some("inc3".into());
    b.chunk_count = Some(2);
    h.backups.push(b);
    let p = plan(&req(t_target(), Point::Latest, into()), &h, &live_t());
    let tip = p.databases[0]
        .chain
        .last()
        .map(|s| (s.set.clone(), s.labels.len()));
    assert_eq!(tip, Some(("inc3".into(), 2)));
    assert_eq!(p.databases[0].chain[3].backup_time_ms, Some(T_INC2 + 2000));
    assert_eq!(
        restores(&p),
        vec![
            job("full", "d_copy", &["p1", "p2", "p3"], Onto::New),
            job("inc1", "d_copy", &["p4"], Onto::Assembled),
            job("inc2", "d_copy", &["p5", "p6"], Onto::Assembled),
            job("inc3-p1", "d_copy", &["p7"], Onto::Assembled),
            job("inc3-p2", "d_copy", &["p8"], Onto::Assembled),
        ]
    );
}

#[test]
fn swap_from_one_snapshot_restores_beside_the_live_table_under_a_new_name() {
    let p = plan_t(Point::At { epoch_ms: T_FULL }, swap());
    let id = p.databases[0].id.clone();
    let alias = format!("t__restored_{id}");
    assert_eq!(
        restores(&p),
        vec![(
            "full".into(),
            "d".into(),
            vec![("t".into(), Some(alias.clone()), Vec::new(), Onto::New)]
        )]
    );
    assert_eq!(kinds(&p), "restore verify swap");
    assert_eq!(
        actions(&p)[2],
        Action::Swap {
            database: "d".into(),
            table: "t".into(),
            with: alias.clone()
        }
    );
    assert_eq!(p.destructive_count(), 1, "only the swap touches live data");
    // --drop-old drops the old data, now under the copy's name.
    let p = plan_t(
        Point::At { epoch_ms: T_FULL },
        Mode::Swap { drop_old: true },
    );
    assert_eq!(kinds(&p), "restore verify swap drop_table");
    let alias = format!("t__restored_{}", p.databases[0].id);
    assert!(matches!(&actions(&p)[2], Action::Swap { with, .. } if *with == alias));
    assert!(matches!(&actions(&p)[3], Action::DropTable { table, .. } if *table == alias));
    assert_eq!(p.destructive_count(), 2);
}

#[test]
fn a_generated_name_that_exists_is_not_reused() {
    let first = plan_t(Point::At { epoch_ms: T_FULL }, swap());
    let id = first.databases[0].id.clone();
    let mut l = live_t();
    l.databases[0]
        .tables
        .push(table(&format!("t__restored_{id}"), &["p1"], None));
    let p = plan(
        &req(t_target(), Point::At { epoch_ms: T_FULL }, swap()),
        &chain(),
        &l,
    );
    assert!(
        matches!(&actions(&p)[2], Action::Swap { with, .. } if *with == format!("t__restored_{id}_2"))
    );
}

#[test]
fn swap_from_several_snapshots_assembles_in_a_scratch_database_then_copies() {
    let p = plan_t(Point::Latest, swap());
    let id = p.databases[0].id.clone();
    let scratch = format!("d__starsnap_restore_{id}");
    let alias = format!("t__restored_{id}");
    // The table keeps its own name in the scratch database (§9.1).
    assert_eq!(
        restores(&p),
        vec![
            job("full", &scratch, &["p1", "p2", "p3"], Onto::New),
            job("inc1", &scratch, &["p4"], Onto::Assembled),
            job("inc2", &scratch, &["p5", "p6", "p7"], Onto::Assembled),
        ]
    );
    assert_eq!(kinds(&p), "create_database restore restore restore verify create_table_like copy verify swap drop_database");
    let a = actions(&p);
    assert_eq!(
        a[5],
        Action::CreateTableLike {
            database: "d".into(),
            table: alias.clone(),
            like_database: scratch.clone(),
            like_table: "t".into()
        }
    );
    let Action::Verify { partitions, .. } = &a[7] else {
        panic!("copy verify")
    };
    assert!(partitions
        .iter()
        .all(|e| e.visible_version.is_none() && e.rows.is_some()));
    assert_eq!(partitions.len(), 7);
    assert_eq!(
        a[9],
        Action::DropDatabase {
            database: scratch,
            scratch: true
        }
    );
    assert_eq!(p.destructive_count(), 1);
}

#[test]
fn a_table_that_no_longer_exists_is_restored_under_its_own_name_without_a_swap() {
    let gone = live(Vec::new());
    let p = plan(&req(t_target(), Point::Latest, swap()), &chain(), &gone);
    assert_eq!(
        restores(&p),
        vec![
            job("full", "d", &["p1", "p2", "p3"], Onto::New),
            job("inc1", "d", &["p4"], Onto::Assembled),
            job("inc2", "d", &["p5", "p6", "p7"], Onto::Assembled),
        ]
    );
    assert_eq!(kinds(&p), "restore restore restore verify");
    assert_eq!(p.destructive_count(), 0);
    let p = plan(
        &req(t_target(), Point::At { epoch_ms: T_FULL }, swap()),
        &chain(),
        &gone,
    );
    assert_eq!(restores(&p), vec![job("full", "d", &[], Onto::New)]);
}

fn list_chain() -> History {
    let mut h = chain();
    for b in &mut h.backups {
        for o in b.objects.values_mut() {
            o.partitioning = Some(Partitioning::List);
        }
    }
    h
}

#[test]
fn a_list_table_from_several_snapshots_is_refused_with_advice() {
    let e = err(
        &req(t_target(), Point::Latest, swap()),
        &list_chain(),
        &live_t(),
    );
    assert_eq!(
        e,
        RestoreError::NeedsOneSnapshot {
            database: "d".into(),
            table: "t".into(),
            partitioning: Some(Partitioning::List),
            snapshots: names(&["full", "inc1", "inc2"]),
        }
    );
    let text = e.to_string();
    assert!(text.contains("list-partitioned"), "{text}");
    assert!(text.contains("Take a full backup"), "{text}");
    // Refused for a dropped table and --into as well: every later job would add partitions.
    assert!(matches!(
        err(
            &req(t_target(), Point::Latest, into()),
            &list_chain(),
            &live(Vec::new())
        ),
        RestoreError::NeedsOneSnapshot { .. }
    ));
    // One snapshot holding all of it is fine.
    assert!(plan_restore(
        &req(t_target(), Point::At { epoch_ms: T_FULL }, swap()),
        &list_chain(),
        &live_t()
    )
    .is_ok());
    // In place onto a live table that has every needed partition adds none: legal.
    let p = plan(
        &req(t_target(), Point::Latest, Mode::InPlace),
        &list_chain(),
        &live_t(),
    );
    assert_eq!(restores(&p).len(), 3);
    // In place onto a live LIST table lacking one: refused.
    let short = live(vec![table("t", &["p1", "p2"], Some(Partitioning::List))]);
    assert!(matches!(
        err(
            &req(t_target(), Point::Latest, Mode::InPlace),
            &list_chain(),
            &short
        ),
        RestoreError::InPlaceMissingPartitions { .. }
    ));
}

#[test]
fn unknown_partitioning_is_treated_as_not_range() {
    let mut h = chain();
    for b in &mut h.backups {
        b.objects.clear();
    }
    let e = err(&req(t_target(), Point::Latest, swap()), &h, &live(vec![]));
    assert!(
        matches!(
            &e,
            RestoreError::NeedsOneSnapshot {
                partitioning: None,
                ..
            }
        ),
        "{e:?}"
    );
    // The live table's partitioning counts when its schema is the snapshot's.
    assert!(plan_restore(&req(t_target(), Point::Latest, swap()), &h, &live_t()).is_ok());
}

#[test]
fn into_restores_under_the_original_names_and_touches_nothing_live() {
    let mut l = live_t();
    l.databases.push(Database {
        name: "d_copy".into(),
        tables: vec![table("t", &["p1"], None)],
        functions: Vec::new(),
    });
    assert_eq!(
        err(&req(t_target(), Point::Latest, into()), &chain(), &l),
        RestoreError::IntoTargetExists {
            database: "d_copy".into(),
            object: "t".into()
        }
    );
    l.databases[1].tables.clear();
    let p = plan(&req(t_target(), Point::Latest, into()), &chain(), &l);
    assert_eq!(kinds(&p), "restore restore restore verify");
    assert_eq!(
        err(
            &req(
                t_target(),
                Point::Latest,
                Mode::Into {
                    database: "d".into()
                }
            ),
            &chain(),
            &l
        ),
        RestoreError::IntoSameDatabase {
            database: "d".into()
        }
    );
}

#[test]
fn in_place_overwrites_the_live_table_and_drops_newer_partitions() {
    let p = plan_t(Point::At { epoch_ms: T_INC1 }, Mode::InPlace);
    assert_eq!(
        restores(&p),
        vec![
            job("full", "d", &["p1", "p2", "p3", "p5"], Onto::Live),
            job("inc1", "d", &["p4", "p6"], Onto::Live),
        ]
    );
    assert_eq!(kinds(&p), "restore restore drop_partitions verify");
    let a = actions(&p);
    assert!(
        matches!(&a[0], Action::Restore { why: Some(w), .. } if w.contains("`d.t`") && w.contains("--in-place")),
        "{:?}",
        a[0]
    );
    assert_eq!(
        a[2],
        Action::DropPartitions {
            database: "d".into(),
            table: "t".into(),
            partitions: names(&["p7"]),
            why: "--in-place: partitions created after the restore point".into()
        }
    );
    assert_eq!(p.destructive_count(), 3);
    let mut changed = live_t();
    changed.databases[0].tables[0].schema_fingerprint = "fp_new".into();
    assert!(matches!(
        err(
            &req(t_target(), Point::Latest, Mode::InPlace),
            &chain(),
            &changed
        ),
        RestoreError::SchemaDiffers { .. }
    ));
}

/// A database with a table, a view, an MV and a function, all in the full; the table changes in inc1.
fn db_history() -> History {
    let mut full = rec_of(
        "full",
        None,
        T_FULL,
        &[("t", &["p1", "p2"]), ("mv", &["p1"])],
    );
    full.schemas.insert("v".into(), "fp_v".into());
    full.objects.insert(
        "v".into(),
        BackedUpObject {
            kind: TableKind::View,
            partitioning: None,
        },
    );
    if let Some(o) = full.objects.get_mut("mv") {
        o.kind = TableKind::MaterializedView;
    }
    full.functions = names(&["f1"]);
    History {
        backups: vec![full, rec("inc1", Some("full"), T_INC1, &["p2", "p3"])],
    }
}

#[test]
fn a_whole_database_brings_back_views_materialized_views_and_functions() {
    let target = vec![Target::Database {
        database: "d".into(),
    }];
    // The database was dropped.
    let p = plan(
        &req(target.clone(), Point::Latest, swap()),
        &db_history(),
        &ObservedCatalog::empty("3.4.5"),
    );
    let a = actions(&p);
    let Action::Restore {
        snapshot,
        tables,
        functions,
        ..
    } = &a[0]
    else {
        panic!("{a:?}")
    };
    assert_eq!(snapshot, "full");
    assert_eq!(functions, &names(&["f1"]));
    let got: Vec<(&str, ObjectKind, Vec<String>)> = tables
        .iter()
        .map(|t| (t.table.as_str(), t.kind, t.partitions.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("mv", ObjectKind::MaterializedView, Vec::new()),
            ("t", ObjectKind::Table, names(&["p1"])),
            ("v", ObjectKind::View, Vec::new()),
        ]
    );
    assert_eq!(kinds(&p), "restore restore verify verify verify activate");
    assert_eq!(
        a.last(),
        Some(&Action::Activate {
            database: "d".into(),
            materialized_view: "mv".into()
        })
    );
    // Live: the table and the MV exist, the view and the function too.
    let mut l = live(vec![table(
        "t",
        &["p1", "p2", "p3"],
        Some(Partitioning::Range),
    )]);
    let mut mv = table("mv", &["p1"], None);
    mv.kind = TableKind::MaterializedView;
    let mut v = table("v", &[], None);
    v.kind = TableKind::View;
    l.databases[0].tables.extend([mv, v]);
    l.databases[0].functions = names(&["f1"]);
    let p = plan(&req(target, Point::Latest, swap()), &db_history(), &l);
    let notes: Vec<&str> = p.databases[0]
        .notes
        .iter()
        .map(|n| n.object.as_str())
        .collect();
    assert_eq!(notes, ["d.mv", "d.v", "d.f1"]);
    assert_eq!(kinds(&p), "create_database restore restore verify create_table_like copy verify swap activate drop_database");
}

#[test]
fn a_group_target_restores_every_database_of_the_group() {
    let mut h = chain();
    let mut other = rec("e-full", None, T_FULL, &["p1"]);
    other.database = "e".into();
    h.backups.push(other);
    let p = plan(
        &req(vec![Target::Group("g".into())], Point::Latest, swap()),
        &h,
        &live_t(),
    );
    let dbs: Vec<&str> = p
        .databases
        .iter()
        .map(|d| d.source_database.as_str())
        .collect();
    assert_eq!(dbs, ["d", "e"]);
    assert!(matches!(
        err(
            &req(vec![Target::Group("nope".into())], Point::Latest, swap()),
            &h,
            &live_t()
        ),
        RestoreError::UnknownTarget { .. }
    ));
    assert!(matches!(
        err(
            &req(
                vec![Target::Table {
                    database: "d".into(),
                    table: "zz".into()
                }],
                Point::Latest,
                swap()
            ),
            &h,
            &live_t()
        ),
        RestoreError::UnknownTarget { .. }
    ));
}

#[test]
fn same_inputs_give_the_same_plan_whatever_the_history_order() {
    let r = req(t_target(), Point::Latest, swap());
    let a = plan(&r, &chain(), &live_t());
    let mut shuffled = chain();
    shuffled.backups.reverse();
    for b in &mut shuffled.backups {
        b.manifest.reverse();
    }
    let b = plan(&r, &shuffled, &live_t());
    assert_eq!(a, b);
    let json = |p: &RestorePlan| serde_json::to_string(p).unwrap_or_default();
    assert_eq!(json(&a), json(&b));
}

#[test]
fn golden_swap_through_a_scratch_database() {
    let p = plan_t(Point::Latest, swap());
    insta::assert_json_snapshot!(p);
}

#[test]
fn golden_whole_database_in_place() {
    let mut l = live(vec![table(
        "t",
        &["p1", "p2", "p3", "p4"],
        Some(Partitioning::Range),
    )]);
    l.databases[0].functions = names(&["f1"]);
    let p = plan(
        &req(
            vec![Target::Database {
                database: "d".into(),
            }],
            Point::Latest,
            Mode::InPlace,
        ),
        &db_history(),
        &l,
    );
    insta::assert_json_snapshot!(p);
}

/// A random chain: a full of some of p0..p9, then incrementals each holding some partitions.
fn arb_chain() -> impl Strategy<Value = Vec<BTreeSet<u8>>> {
    let set = prop::collection::btree_set(0u8..10, 1..6);
    prop::collection::vec(set, 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_partition_of_the_tip_is_read_once_from_the_newest_set_holding_it(
        sets in arb_chain(),
        in_place in any::<bool>(),
    ) {
        let mut h = History::default();
        for (i, parts) in sets.iter().enumerate() {
            let parts: Vec<String> = parts.iter().map(|p| format!("p{p}")).collect();
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            let label = format!("s{i}");
            let parent = (i > 0).then(|| format!("s{}", i - 1));
            h.backups.push(rec(&label, parent.as_deref(), T_FULL + i as i64 * 1000, &refs));
        }
        let mut newest: BTreeMap<String, String> = BTreeMap::new();
        for (i, parts) in sets.iter().enumerate() {
            for p in parts {
                newest.insert(format!("p{p}"), format!("s{i}"));
            }
        }
        let mode = if in_place { Mode::InPlace } else { into() };
        let l = live(vec![table("t", &["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"], Some(Partitioning::Range))]);
        let p = plan_restore(&req(t_target(), Point::Latest, mode), &h, &l);
        prop_assert!(p.is_ok(), "{:?}", p);
        let p = p.unwrap_or(RestorePlan { databases: Vec::new() });
        let mut read: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut order = Vec::new();
        for (label, _, tables) in restores(&p) {
            order.push(label.clone());
            for (_, _, parts, _) in tables {
                let parts = if parts.is_empty() {
                    // The whole table as that label holds it.
                    h.backups.iter().filter(|b| b.label == label).flat_map(|b| b.manifest.iter().map(|e| e.partition.clone())).collect()
                } else {
                    parts
                };
                for part in parts {
                    read.entry(part).or_default().push(label.clone());
                }
            }
        }
        let expected: BTreeMap<String, Vec<String>> =
            newest.into_iter().map(|(p, s)| (p, vec![s])).collect();
        prop_assert_eq!(read, expected);
        let mut sorted = order.clone();
        sorted.sort_by_key(|l| l.trim_start_matches('s').parse::<u32>().unwrap_or(0));
        prop_assert_eq!(order, sorted, "jobs in chain order");
    }
}

#[test]
fn refusals_name_what_to_do() {
    let mut h = chain();
    for b in &mut h.backups {
        if b.label == "inc1" {
            b.snapshot_timestamp = None;
        }
    }
    assert_eq!(
        err(&req(t_target(), Point::Latest, swap()), &h, &live_t()),
        RestoreError::MissingSnapshotTimestamp {
            database: "d".into(),
            label: "inc1".into()
        }
    );
    let mut h = chain();
    let mut other = rec("h-full", None, T_FULL, &["p1"]);
    other.group = "h".into();
    h.backups.push(other);
    let e = err(&req(t_target(), Point::Latest, swap()), &h, &live_t());
    assert_eq!(
        e,
        RestoreError::SeveralGroups {
            database: "d".into(),
            groups: names(&["g", "h"])
        }
    );
    assert!(e.to_string().contains("group:NAME"), "{e}");
    // A group target or a label settles it.
    let by_group = plan(
        &req(vec![Target::Group("g".into())], Point::Latest, swap()),
        &h,
        &live_t(),
    );
    assert_eq!(by_group.databases[0].group, "g");
    let by_label = plan(
        &req(t_target(), Point::Label("h-full".into()), swap()),
        &h,
        &live_t(),
    );
    assert_eq!(by_label.databases[0].group, "h");
    let mut l = live_t();
    l.databases[0].tables[0].kind = TableKind::View;
    assert!(matches!(
        err(&req(t_target(), Point::Latest, swap()), &chain(), &l),
        RestoreError::KindDiffers { .. }
    ));
    assert_eq!(
        err(&req(Vec::new(), Point::Latest, swap()), &chain(), &l),
        RestoreError::NoTargets
    );
}

/// `d` restored whole at the latest point in `mode`.
fn whole_d(mode: Mode, h: &History, l: &ObservedCatalog) -> RestorePlan {
    plan(
        &req(
            vec![Target::Database {
                database: "d".into(),
            }],
            Point::Latest,
            mode,
        ),
        h,
        l,
    )
}

/// A drill restores into a scratch database of its own, beside the live one: nothing live is
/// touched, every object is verified with its versions and rows, and the scratch database is
/// dropped at the end; its name is free and carries the restore's id.
#[test]
fn a_drill_restores_into_its_own_scratch_database_and_drops_it() {
    let p = whole_d(Mode::Drill, &chain(), &live_t());
    assert_eq!(p.destructive_count(), 0);
    let d = &p.databases[0];
    let scratch = format!("d__starsnap_drill_{}", d.id);
    let a = &d.actions;
    assert_eq!(
        a.first(),
        Some(&Action::CreateDatabase {
            database: scratch.clone(),
            scratch: true
        })
    );
    assert_eq!(
        a.last(),
        Some(&Action::DropDatabase {
            database: scratch.clone(),
            scratch: true
        })
    );
    let restores: Vec<(&str, bool)> = a
        .iter()
        .filter_map(|x| match x {
            Action::Restore {
                target_database,
                scratch,
                tables,
                ..
            } => {
                assert!(tables
                    .iter()
                    .all(|t| t.onto != Onto::Live && t.alias.is_none()));
                Some((target_database.as_str(), *scratch))
            }
            _ => None,
        })
        .collect();
    assert_eq!(restores.len(), 3, "{a:?}");
    assert!(restores.iter().all(|(db, s)| *db == scratch && *s));
    let verified: Vec<&ExpectedPartition> = a
        .iter()
        .filter_map(|x| match x {
            Action::Verify {
                database,
                partitions,
                ..
            } if *database == scratch => Some(partitions),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(verified.len(), 7);
    assert!(verified
        .iter()
        .all(|p| p.visible_version.is_some() && p.rows.is_some()));
    assert!(!a.iter().any(|x| matches!(x, Action::Swap { .. })));

    // Functions come with the tables of the same snapshot, into the same scratch database.
    let mut with_functions = chain();
    with_functions.backups[0].functions = vec!["f".into()];
    let p3 = whole_d(Mode::Drill, &with_functions, &live_t());
    let jobs: Vec<(&str, bool, usize)> = p3.databases[0]
        .actions
        .iter()
        .filter_map(|x| match x {
            Action::Restore {
                snapshot,
                scratch,
                functions,
                ..
            } => Some((snapshot.as_str(), *scratch, functions.len())),
            _ => None,
        })
        .collect();
    assert_eq!(
        jobs,
        [("full", true, 1), ("inc1", true, 0), ("inc2", true, 0)]
    );

    // The name is taken: the next free one.
    let mut taken = live_t();
    taken.databases.push(Database {
        name: scratch.clone(),
        tables: Vec::new(),
        functions: Vec::new(),
    });
    let p2 = whole_d(Mode::Drill, &chain(), &taken);
    assert!(matches!(
        p2.databases[0].actions.first(),
        Some(Action::CreateDatabase { database, .. }) if *database == format!("{scratch}_2")
    ));
}

/// From a repository the cluster lacks (disaster recovery): the plan's first step creates it
/// read-only, every database's first step waits for it, and the snapshots it reads are not
/// reported gone while the repository does not exist yet (apply checks them with SHOW
/// SNAPSHOT before each RESTORE) — but are once it exists without them.
#[test]
fn from_a_repository_the_cluster_lacks_the_plan_creates_it_first() {
    use crate::plan::{restore_plan_creating, staleness, Moved, Op, RestoreInputs};
    let mut empty = ObservedCatalog::empty("3.4.5");
    empty.history = chain();
    let inputs = RestoreInputs {
        request: req(
            vec![Target::Database {
                database: "d".into(),
            }],
            Point::Latest,
            Mode::Swap { drop_old: false },
        ),
        catalog: empty.clone(),
        as_of: Timestamp(1_800_000_000),
    };
    let repo = crate::policy::RepositoryConfig {
        name: "repo".into(),
        location: "s3://b/p".into(),
        broker: None,
        read_only: true,
        properties: Vec::new(),
        span: crate::span::Span::default(),
    };
    let (p, _) = match restore_plan_creating(&inputs, Some(&repo)) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert!(matches!(&p.steps[0].op, Op::CreateRepository(c) if c.read_only));
    assert!(p.steps[0]
        .sql
        .starts_with("CREATE READ ONLY REPOSITORY repo"));
    assert_eq!(p.steps[1].depends_on, vec![p.steps[0].id.clone()]);
    assert_eq!(crate::plan::check(&p), Ok(()));
    assert_eq!(staleness(&p, &empty), Vec::new());
    // Created meanwhile with the snapshots: fine; without them: reported.
    let mut now = empty.clone();
    now.repositories.push(crate::catalog::Repository {
        name: "repo".into(),
        location: "s3://b/p".into(),
        read_only: true,
        ..Default::default()
    });
    assert!(staleness(&p, &now)
        .iter()
        .any(|m| matches!(m, Moved::SnapshotGone { label, .. } if label == "full")));
    // Without `create`, a repository the cluster lacks is not created.
    let (p, _) = match restore_plan_creating(&inputs, None) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert!(!p
        .steps
        .iter()
        .any(|s| matches!(s.op, Op::CreateRepository(_))));
}

/// A finished external-catalog backup (database empty) holding `catalogs`.
fn catalog_rec(label: &str, ms: i64, catalogs: &[&str]) -> BackupRecord {
    let mut r = rec_of(label, None, ms, &[]);
    r.database = String::new();
    r.objects.clear();
    r.schemas.clear();
    r.catalogs = catalogs.iter().map(|c| (*c).to_string()).collect();
    r
}

#[test]
fn external_catalogs_come_from_the_newest_catalog_set_and_are_never_replaced() -> Result<(), String>
{
    use crate::plan::{catalog_restores, restorable_catalogs, restore_plan, Op, RestoreInputs};
    let mut history = chain();
    history
        .backups
        .push(catalog_rec("cat1", T_FULL, &["lake", "hive"]));
    history.backups.push(catalog_rec("cat2", T_INC2, &["lake"]));
    let mut catalog = live_t();
    catalog.history = history.clone();
    // --all: every catalog the history holds at the point.
    assert_eq!(
        restorable_catalogs(&history, &Point::Latest),
        ["hive", "lake"]
    );
    assert_eq!(
        restorable_catalogs(
            &history,
            &Point::At {
                epoch_ms: T_FULL - 1
            }
        ),
        Vec::<String>::new()
    );
    let targets = vec![
        Target::Catalog("lake".into()),
        Target::Catalog("hive".into()),
    ];
    // Each from the newest set holding it, one step per snapshot; at --at, the set before.
    let (latest, notes) = catalog_restores(
        &req(targets.clone(), Point::Latest, swap()),
        &history,
        &catalog,
    )
    .map_err(|e| e.to_string())?;
    assert!(notes.is_empty());
    let by: Vec<(&str, Vec<String>)> = latest
        .iter()
        .map(|c| (c.snapshot.as_str(), c.catalogs.clone()))
        .collect();
    assert_eq!(
        by,
        [
            ("cat1", vec!["hive".to_string()]),
            ("cat2", vec!["lake".to_string()])
        ]
    );
    let at = Point::At { epoch_ms: T_INC1 };
    let (earlier, _) = catalog_restores(&req(targets.clone(), at, swap()), &history, &catalog)
        .map_err(|e| e.to_string())?;
    assert_eq!(earlier.len(), 1);
    assert_eq!(earlier[0].snapshot, "cat1");
    assert_eq!(earlier[0].catalogs, ["hive", "lake"]);
    // A catalog nothing holds is an error naming it.
    let Err(e) = catalog_restores(
        &req(vec![Target::Catalog("nope".into())], Point::Latest, swap()),
        &history,
        &catalog,
    ) else {
        return Err("a catalog nothing holds was planned".into());
    };
    assert!(e.to_string().contains("catalog:nope"), "{e}");
    // A catalog the cluster has is left out, and the plan says so; the other is restored by
    // a typed, non-destructive step.
    catalog.external_catalogs = vec!["lake".into()];
    let inputs = RestoreInputs {
        request: req(targets, Point::Latest, swap()),
        catalog,
        as_of: Timestamp(1_795_100_000),
    };
    let (plan, _) = restore_plan(&inputs).map_err(|e| e.to_string())?;
    let steps: Vec<&Op> = plan.steps.iter().map(|s| &s.op).collect();
    assert_eq!(steps.len(), 1, "{steps:?}");
    let Op::RestoreCatalogs(op) = steps[0] else {
        panic!("{steps:?}")
    };
    assert_eq!(op.catalogs, ["hive"]);
    assert_eq!(op.snapshot, "cat1");
    assert!(!plan.steps[0].destructive());
    assert_eq!(
        plan.steps[0].sql,
        "RESTORE SNAPSHOT cat1\nFROM repo\nEXTERNAL CATALOG (hive)\nPROPERTIES (\n    \"backup_timestamp\" = \"ts-cat1\",\n    \"timeout\" = \"86400\"\n)"
    );
    assert_eq!(plan.notes.len(), 1);
    assert!(plan.notes[0].contains("`lake`") && plan.notes[0].contains("cat2"));
    assert!(crate::plan::render::text(&plan).contains("Note: external catalog `lake`"));
    // The plan reads back and its statement is what the op builds.
    let json = crate::plan::to_canonical_json(&plan);
    assert_eq!(
        crate::plan::from_json(&json).map_err(|e| e.to_string())?,
        plan
    );
    Ok(())
}

#[test]
fn a_group_restore_brings_back_the_groups_catalogs_from_its_own_sets() -> Result<(), String> {
    use crate::plan::{restore_plan, Op, RestoreInputs};
    let mut history = chain();
    history
        .backups
        .push(catalog_rec("cat_g", T_INC1, &["lake"]));
    // Another group's newer set holding the same name is not the group's.
    let mut other = catalog_rec("cat_h", T_INC2, &["lake", "hive"]);
    other.group = "h".into();
    history.backups.push(other);
    let mut catalog = live_t();
    catalog.history = history;
    let plan_of = |catalog: &ObservedCatalog, point: Point| {
        restore_plan(&RestoreInputs {
            request: req(vec![Target::Group("g".into())], point, swap()),
            catalog: catalog.clone(),
            as_of: Timestamp(1_795_100_000),
        })
        .map(|(p, _)| p)
        .map_err(|e| e.to_string())
    };
    let plan = plan_of(&catalog, Point::Latest)?;
    let restores: Vec<(&str, &[String])> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.op {
            Op::RestoreCatalogs(r) => Some((r.snapshot.as_str(), r.catalogs.as_slice())),
            _ => None,
        })
        .collect();
    assert_eq!(restores, [("cat_g", &["lake".to_string()][..])]);
    assert!(plan.steps.iter().any(|s| matches!(s.op, Op::Restore(_))));
    assert_eq!(
        plan.observed.external_catalogs,
        [crate::plan::ObservedExternalCatalog {
            name: "lake".into(),
            exists: false
        }]
    );
    // Before the group's catalog set: the databases, and a note for the catalog.
    let plan = plan_of(&catalog, Point::At { epoch_ms: T_FULL })?;
    assert!(!plan
        .steps
        .iter()
        .any(|s| matches!(s.op, Op::RestoreCatalogs(_))));
    assert!(
        plan.notes.iter().any(|n| n.contains("`lake` of group `g`")),
        "{:?}",
        plan.notes
    );
    // A group that backed up only catalogs is a target too.
    let mut only = ObservedCatalog::empty("");
    only.history
        .backups
        .push(catalog_rec("cat_g", T_INC1, &["lake"]));
    let plan = plan_of(&only, Point::Latest)?;
    assert_eq!(plan.steps.len(), 1, "{:?}", plan.steps);
    Ok(())
}
