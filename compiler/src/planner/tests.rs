//! Unit tests of chains and decisions: which backups count (finished, complete sets), which
//! chain is current, what the state of a chain is, and that times never decide a change.

use super::chain::{current_chain, decide, Decision};
use crate::catalog::{
    BackupKind, BackupRecord, BackupState, Database, ManifestEntry, Partition, Table, TableKind,
};
use crate::plan::Reason;
use crate::policy::parse;
use crate::time::Timestamp;

fn rec(
    label: &str,
    kind: BackupKind,
    parent: Option<&str>,
    at: &str,
    m: &[(&str, i64, i64)],
) -> BackupRecord {
    BackupRecord {
        label: label.into(),
        group: "g".into(),
        database: "d".into(),
        kind,
        set: None,
        chunk_count: None,
        parent: parent.map(str::to_string),
        repository: "r".into(),
        snapshot_timestamp: None,
        created_at: at.into(),
        state: BackupState::Finished,
        schemas: Default::default(),
        manifest: m
            .iter()
            .map(|(p, id, v)| ManifestEntry {
                table: "t".into(),
                partition: (*p).into(),
                partition_id: *id,
                visible_version: *v,
                rows: None,
            })
            .collect(),
        backup_time_ms: None,
        objects: Default::default(),
        functions: Vec::new(),
        catalogs: Vec::new(),
        table_digests: None,
    }
}

fn db(parts: &[(&str, i64, i64, &str)]) -> Database {
    Database {
        name: "d".into(),
        functions: Vec::new(),
        tables: vec![Table {
            name: "t".into(),
            kind: TableKind::Olap,
            schema_fingerprint: String::new(),
            partitions: parts
                .iter()
                .map(|(n, id, v, time)| Partition {
                    name: (*n).into(),
                    id: *id,
                    visible_version: *v,
                    visible_version_time: Some((*time).into()),
                    rows: None,
                    data_size: None,
                })
                .collect(),
            partitioning: None,
            unread: None,
        }],
    }
}

fn group() -> crate::policy::GroupConfig {
    let (p, d) = parse("[repository.r]\nlocation = \"s3://b\"\n[group.g]\ninclude = [\"d.*\"]\nrepository = \"r\"\nmax_chain_length = 3\n");
    assert!(d.is_empty(), "{d:?}");
    p.and_then(|p| p.groups.into_iter().next()).expect("group")
}

const AT: &str = "2026-11-21T00:00:00Z";

fn as_of() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-22T00:00:00Z").expect("as_of")
}

#[test]
fn failed_and_incomplete_sets_do_not_count() {
    let mut failed = rec("f1", BackupKind::Full, None, AT, &[]);
    failed.state = BackupState::Failed;
    assert!(current_chain(&[failed], "g", "d", "r").is_none());
    let mut part1 = rec("f2-p1", BackupKind::Full, None, AT, &[("p1", 1, 1)]);
    part1.set = Some("f2".into());
    part1.chunk_count = Some(2);
    assert!(current_chain(std::slice::from_ref(&part1), "g", "d", "r").is_none());
    let mut part2 = rec("f2-p2", BackupKind::Full, None, AT, &[("p2", 2, 1)]);
    part2.set = Some("f2".into());
    part2.chunk_count = Some(2);
    let both = [part1, part2];
    let chain = current_chain(&both, "g", "d", "r").expect("complete set");
    assert_eq!(chain.sets.len(), 1);
    assert_eq!(chain.state["t"].len(), 2);
}

#[test]
fn the_chain_follows_parents_and_overlays_manifests() {
    let backups = [
        rec(
            "old",
            BackupKind::Full,
            None,
            "2026-11-01T00:00:00Z",
            &[("p1", 1, 1)],
        ),
        rec(
            "full",
            BackupKind::Full,
            None,
            "2026-11-20T00:00:00Z",
            &[("p1", 1, 5), ("p2", 2, 1)],
        ),
        rec(
            "i1",
            BackupKind::Incremental,
            Some("full"),
            "2026-11-20T06:00:00Z",
            &[("p2", 2, 3)],
        ),
        rec(
            "orphan",
            BackupKind::Incremental,
            Some("old"),
            "2026-11-20T07:00:00Z",
            &[("p1", 1, 9)],
        ),
        rec(
            "i2",
            BackupKind::Incremental,
            Some("i1"),
            "2026-11-20T08:00:00Z",
            &[("p1", 1, 6)],
        ),
        rec(
            "cycle",
            BackupKind::Incremental,
            Some("cycle"),
            "2026-11-20T09:00:00Z",
            &[],
        ),
    ];
    let chain = current_chain(&backups, "g", "d", "r").expect("chain");
    let names: Vec<&str> = chain.sets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["full", "i1", "i2"]);
    assert_eq!(chain.state["t"]["p1"].visible_version, 6);
    assert_eq!(chain.state["t"]["p2"].visible_version, 3);
    assert!(current_chain(&backups, "g", "d", "other_repo").is_none());
}

#[test]
fn times_never_decide_a_change() {
    let backups = [rec("full", BackupKind::Full, None, AT, &[("p1", 1, 5)])];
    let chain = current_chain(&backups, "g", "d", "r");
    let g = group();
    // Same id and version, a visible-version time far in the future: nothing to do.
    let same = db(&[("p1", 1, 5, "2099-01-01 00:00:00")]);
    let tables: Vec<&Table> = same.tables.iter().collect();
    assert_eq!(
        decide(chain.as_ref(), &same, &tables, &g, as_of()),
        Decision::Nothing
    );
    // A new version with an *older* time (a cluster clock in another zone): still a change.
    let loaded = db(&[("p1", 1, 6, "1999-01-01 00:00:00")]);
    let tables: Vec<&Table> = loaded.tables.iter().collect();
    match decide(chain.as_ref(), &loaded, &tables, &g, as_of()) {
        Decision::Incremental { changed, .. } => assert_eq!(changed.len(), 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn reasons_in_order() {
    let g = group();
    let backups = [rec(
        "full",
        BackupKind::Full,
        None,
        AT,
        &[("p1", 1, 5), ("p2", 2, 5)],
    )];
    let chain = current_chain(&backups, "g", "d", "r");
    let reason = |d: &Database| {
        let tables: Vec<&Table> = d.tables.iter().collect();
        match decide(chain.as_ref(), d, &tables, &g, as_of()) {
            Decision::Full { reason, .. } => Some(reason),
            _ => None,
        }
    };
    // Replaced wins over dropped, whatever the partition order.
    assert_eq!(
        reason(&db(&[("p2", 9, 1, "")])),
        Some(Reason::PartitionReplaced)
    );
    assert_eq!(
        reason(&db(&[("p1", 1, 5, "")])),
        Some(Reason::PartitionDropped)
    );
    let mut renamed = db(&[("p1", 1, 5, ""), ("p2", 2, 5, "")]);
    renamed.tables[0].name = "t2".into();
    assert_eq!(reason(&renamed), Some(Reason::PartitionDropped));
    let late = Timestamp(as_of().0 + 30 * 86_400);
    let same = db(&[("p1", 1, 5, ""), ("p2", 2, 5, "")]);
    let tables: Vec<&Table> = same.tables.iter().collect();
    assert!(matches!(
        decide(chain.as_ref(), &same, &tables, &g, late),
        Decision::Full {
            reason: Reason::FullDue,
            ..
        }
    ));
    assert!(matches!(
        decide(None, &same, &tables, &g, as_of()),
        Decision::Full {
            reason: Reason::FirstFull,
            ..
        }
    ));
}

#[test]
fn a_full_chain_with_changes_gives_a_full() {
    let g = group();
    let backups = [
        rec("full", BackupKind::Full, None, AT, &[("p1", 1, 5)]),
        rec(
            "i1",
            BackupKind::Incremental,
            Some("full"),
            "2026-11-21T01:00:00Z",
            &[],
        ),
        rec(
            "i2",
            BackupKind::Incremental,
            Some("i1"),
            "2026-11-21T02:00:00Z",
            &[],
        ),
    ];
    let chain = current_chain(&backups, "g", "d", "r");
    let quiet = db(&[("p1", 1, 5, "")]);
    let tables: Vec<&Table> = quiet.tables.iter().collect();
    assert_eq!(
        decide(chain.as_ref(), &quiet, &tables, &g, as_of()),
        Decision::Nothing
    );
    let loaded = db(&[("p1", 1, 6, "")]);
    let tables: Vec<&Table> = loaded.tables.iter().collect();
    assert!(matches!(
        decide(chain.as_ref(), &loaded, &tables, &g, as_of()),
        Decision::Full {
            reason: Reason::ChainFull,
            ..
        }
    ));
}

#[test]
fn dialects_from_version_comments() {
    use super::dialect_of_version as d;
    use crate::syntax::Dialect;
    assert_eq!(d("3.3.9-0c1d2e3"), Dialect::StarRocks3_3);
    assert_eq!(d("3.4.5-8a1b2c3"), Dialect::StarRocks3_4);
    assert_eq!(d("3.5.0-abc"), Dialect::StarRocks3_5);
    assert_eq!(d("4.0.2-abc"), Dialect::StarRocks4_0);
    assert_eq!(d("4.1.0-abc"), Dialect::StarRocks4_1);
    assert_eq!(d("4.2.0-abc"), Dialect::StarRocks4_2);
    assert_eq!(d("garbage"), Dialect::StarRocks3_4);
    assert_eq!(super::known_dialect("garbage"), None);
    assert_eq!(super::known_dialect("2.5.1-x"), Some(Dialect::StarRocks3_3));
}
