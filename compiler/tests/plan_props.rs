//! Property tests of the planner over random catalogs and histories: it never panics, plans
//! read back equal, a reversed catalog gives the same bytes, chunks respect
//! `max_partitions_per_job`, and an incremental never names a partition whose id and version
//! equal the chain's.

use proptest::prelude::*;
use starsnap_compiler::catalog::{
    BackupKind, BackupRecord, BackupState, Database, ManifestEntry, ObservedCatalog, Partition,
    Repository, Table, TableKind,
};
use starsnap_compiler::plan::{self, Action, PlanInputs};
use starsnap_compiler::time::Timestamp;

/// (partition number, id seed, visible version).
type PartSpec = (u8, i64, i64);
/// (table number, is a view, partitions).
type TableSpec = (u8, bool, Vec<PartSpec>);
/// (table number, partition number, id seed, version) of a manifest entry.
type EntrySpec = (u8, u8, i64, i64);
/// (label number, full, parent label number, state index, hours before as_of, manifest).
type RecordSpec = (u8, bool, Option<u8>, u8, u8, Vec<EntrySpec>);

fn partition() -> impl Strategy<Value = PartSpec> {
    (0u8..6, 1i64..4, 1i64..4)
}

fn table() -> impl Strategy<Value = TableSpec> {
    (
        0u8..4,
        prop::bool::weighted(0.2),
        prop::collection::vec(partition(), 0..6),
    )
}

fn record() -> impl Strategy<Value = RecordSpec> {
    (
        0u8..6,
        any::<bool>(),
        prop::option::of(0u8..6),
        0u8..4,
        0u8..72,
        prop::collection::vec((0u8..4, 0u8..6, 1i64..4, 1i64..4), 0..8),
    )
}

fn build_catalog(tables: Vec<TableSpec>, records: Vec<RecordSpec>) -> ObservedCatalog {
    let mut c = ObservedCatalog::empty("3.4.5-abcdef0");
    let mut db = Database {
        name: "d".into(),
        ..Default::default()
    };
    for (name, view, parts) in tables {
        let name = format!("t{name}");
        if db.tables.iter().any(|t| t.name == name) {
            continue;
        }
        let mut partitions: Vec<Partition> = Vec::new();
        for (p, id, v) in parts {
            let pname = format!("p{p}");
            if partitions.iter().any(|x| x.name == pname) {
                continue;
            }
            partitions.push(Partition {
                name: pname,
                id: id * 100 + i64::from(p),
                visible_version: v,
                visible_version_time: None,
                rows: None,
                data_size: None,
            });
        }
        db.tables.push(Table {
            name,
            kind: if view {
                TableKind::View
            } else {
                TableKind::Olap
            },
            schema_fingerprint: "s".into(),
            partitions: if view { Vec::new() } else { partitions },
            partitioning: None,
            unread: None,
        });
    }
    c.databases.push(db);
    c.repositories.push(Repository {
        name: "r".into(),
        location: "s3://b".into(),
        ..Default::default()
    });
    for (label, full, parent, state, hour, manifest) in records {
        let label = format!("l{label}");
        if c.history.backups.iter().any(|b| b.label == label) {
            continue;
        }
        let state = [
            BackupState::Finished,
            BackupState::Finished,
            BackupState::Failed,
            BackupState::Running,
        ][usize::from(state)];
        c.history.backups.push(BackupRecord {
            label,
            group: "g".into(),
            database: "d".into(),
            kind: if full {
                BackupKind::Full
            } else {
                BackupKind::Incremental
            },
            set: None,
            chunk_count: None,
            parent: parent.map(|p| format!("l{p}")),
            repository: "r".into(),
            snapshot_timestamp: None,
            created_at: Timestamp(1_795_000_000 - i64::from(hour) * 3600).to_rfc3339(),
            state,
            schemas: Default::default(),
            manifest: manifest
                .into_iter()
                .map(|(t, p, id, v)| ManifestEntry {
                    table: format!("t{t}"),
                    partition: format!("p{p}"),
                    partition_id: id * 100 + i64::from(p),
                    visible_version: v,
                    rows: None,
                })
                .collect(),
            backup_time_ms: None,
            objects: Default::default(),
            functions: Vec::new(),
            catalogs: Vec::new(),
            table_digests: None,
        });
    }
    c
}

fn policy(max_parts: u8, chain: u8) -> String {
    format!(
        "[repository.r]\nlocation = \"s3://b\"\n[group.g]\ninclude = [\"d.*\"]\nrepository = \"r\"\n\
         full_every = \"2d\"\nmax_chain_length = {chain}\nmax_partitions_per_job = {max_parts}\n"
    )
}

fn reversed(c: &ObservedCatalog) -> ObservedCatalog {
    let mut c = c.clone();
    c.databases.reverse();
    for d in &mut c.databases {
        d.tables.reverse();
        for t in &mut d.tables {
            t.partitions.reverse();
        }
    }
    c.history.backups.reverse();
    for b in &mut c.history.backups {
        b.manifest.reverse();
    }
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_catalogs_plan_deterministically(
        tables in prop::collection::vec(table(), 0..5),
        records in prop::collection::vec(record(), 0..8),
        max_parts in 1u8..5,
        chain in 1u8..4,
    ) {
        let catalog = build_catalog(tables, records);
        let inputs = PlanInputs {
            policy_path: "starsnap.toml".into(),
            policy_text: policy(max_parts, chain),
            statement_files: Vec::new(),
            catalog: catalog.clone(),
            as_of: Timestamp(1_795_000_000),
        };
        let Ok(planned) = plan::build(&inputs) else {
            // Only a pattern matching nothing (no table at all) may fail.
            prop_assert!(catalog.databases[0].tables.is_empty());
            return Ok(());
        };
        let json = plan::to_canonical_json(&planned.plan);
        let back = plan::from_json(&json).ok();
        prop_assert_eq!(back.as_ref(), Some(&planned.plan));
        let mut other = inputs.clone();
        other.catalog = reversed(&catalog);
        let again = plan::build(&other).map(|p| plan::to_canonical_json(&p.plan));
        prop_assert_eq!(again.ok(), Some(json));
        let db = &catalog.databases[0];
        for s in planned.plan.steps.iter().filter(|s| s.action() == Action::Backup) {
            let parts: u64 = s.objects().iter().map(|o| o.partition_count).sum();
            prop_assert!(parts <= u64::from(max_parts), "{} > {max_parts}", parts);
            for o in s.objects() {
                for p in &o.partitions {
                    let t = db.table(&o.name).expect("table exists");
                    let cur = t.partitions.iter().find(|x| x.name == p.name).expect("partition");
                    prop_assert_eq!((cur.id, cur.visible_version), (p.id, p.visible_version));
                    if let Some(prev) = p.previous {
                        prop_assert!(prev.id != p.id || prev.visible_version != p.visible_version);
                    }
                }
            }
        }
    }
}
