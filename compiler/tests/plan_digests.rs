//! Planning from digests is planning from the whole history (issue 14 item 2): over random
//! catalogs and histories, a plan made from records that carry only their per-table digests,
//! plus the manifest rows `planner::manifests_needed` asks for, is byte for byte the plan made
//! from every manifest (the oracle: the planner as it reads a complete history). And a plan
//! made from a catalog whose tables were observed unread (their partitions only summed), with
//! the partitions `planner::partitions_needed` asks for listed as the runtime lists them, is
//! the plan made from every partition.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use starsnap_compiler::catalog::{
    manifest_entries_digests, partitions_digest, BackupKind, BackupRecord, BackupState, Database,
    ManifestEntry, ObservedCatalog, Partition, PartitionSummary, Repository, Snapshot, Table,
    TableDigest, TableKind, UnreadPartitions,
};
use starsnap_compiler::plan::{self, PlanInputs};
use starsnap_compiler::planner::{
    chain_members, current_chain, manifests_needed, partitions_needed,
};
use starsnap_compiler::time::Timestamp;

/// (table number, LIST partitioned, partitions (number, id seed, version)).
type TableSpec = (u8, bool, Vec<(u8, i64, i64)>);
/// (label, full, parent, finished, hours before as_of, chunks, manifest (table, partition,
/// id seed, version)).
type RecordSpec = (
    u8,
    bool,
    Option<u8>,
    bool,
    u8,
    bool,
    Vec<(u8, u8, i64, i64)>,
);

fn table() -> impl Strategy<Value = TableSpec> {
    (
        0u8..5,
        prop::bool::weighted(0.2),
        prop::collection::vec((0u8..5, 1i64..3, 1i64..3), 0..5),
    )
}

fn record() -> impl Strategy<Value = RecordSpec> {
    (
        0u8..7,
        prop::bool::weighted(0.4),
        prop::option::of(0u8..7),
        prop::bool::weighted(0.9),
        0u8..40,
        prop::bool::weighted(0.2),
        prop::collection::vec((0u8..5, 0u8..5, 1i64..3, 1i64..3), 0..10),
    )
}

fn part(name: &str, id: i64, v: i64) -> Partition {
    Partition {
        name: name.into(),
        id,
        visible_version: v,
        visible_version_time: None,
        rows: None,
        data_size: None,
    }
}

fn catalog(tables: Vec<TableSpec>, records: Vec<RecordSpec>, lost: Option<u8>) -> ObservedCatalog {
    let mut c = ObservedCatalog::empty("3.4.5-abcdef0");
    let mut db = Database {
        name: "d".into(),
        ..Default::default()
    };
    for (n, list, parts) in tables {
        let name = format!("t{n}");
        if db.tables.iter().any(|t| t.name == name) {
            continue;
        }
        let mut partitions: Vec<Partition> = Vec::new();
        for (p, id, v) in parts {
            let pname = format!("p{p}");
            if !partitions.iter().any(|x| x.name == pname) {
                partitions.push(part(&pname, id * 100 + i64::from(p), v));
            }
        }
        db.tables.push(Table {
            name,
            kind: TableKind::Olap,
            schema_fingerprint: "s".into(),
            partitions,
            partitioning: Some(if list {
                starsnap_compiler::catalog::Partitioning::List
            } else {
                starsnap_compiler::catalog::Partitioning::Range
            }),
            unread: None,
        });
    }
    c.databases.push(db);
    let mut repo = Repository {
        name: "r".into(),
        location: "s3://b".into(),
        ..Default::default()
    };
    for (label, full, parent, finished, hour, chunks, manifest) in records {
        let set = format!("l{label}");
        if c.history.backups.iter().any(|b| b.set_name() == set) {
            continue;
        }
        let entries: Vec<ManifestEntry> = manifest
            .into_iter()
            .map(|(t, p, id, v)| ManifestEntry {
                table: format!("t{t}"),
                partition: format!("p{p}"),
                partition_id: id * 100 + i64::from(p),
                visible_version: v,
                rows: (v == 2).then_some(i64::from(t) * 10),
            })
            .collect();
        // A set in two chunks splits its manifest in two (a table may land in both).
        let pieces: Vec<Vec<ManifestEntry>> = if chunks {
            let (a, b): (Vec<_>, Vec<_>) = entries
                .into_iter()
                .enumerate()
                .partition(|(i, _)| i % 2 == 0);
            vec![
                a.into_iter().map(|(_, e)| e).collect(),
                b.into_iter().map(|(_, e)| e).collect(),
            ]
        } else {
            vec![entries]
        };
        let count = pieces.len() as u32;
        for (i, manifest) in pieces.into_iter().enumerate() {
            let label = if count > 1 {
                format!("{set}_{i}")
            } else {
                set.clone()
            };
            if lost.map(|l| format!("l{l}")) != Some(label.clone()) {
                repo.snapshots.push(Snapshot {
                    label: label.clone(),
                    timestamps: Vec::new(),
                    status: "OK".into(),
                });
            }
            let old_schema = label.ends_with("_1") || set == "l0";
            c.history.backups.push(BackupRecord {
                label,
                group: "g".into(),
                database: "d".into(),
                kind: if full {
                    BackupKind::Full
                } else {
                    BackupKind::Incremental
                },
                set: (count > 1).then(|| set.clone()),
                chunk_count: (count > 1).then_some(count),
                parent: parent.map(|p| format!("l{p}")),
                repository: "r".into(),
                snapshot_timestamp: None,
                created_at: Timestamp(1_795_000_000 - i64::from(hour) * 3600).to_rfc3339(),
                state: if finished {
                    BackupState::Finished
                } else {
                    BackupState::Failed
                },
                // Schemas recorded per table (an older one now and then): a plan must read
                // them for the sets of the chains it extends, and never needs the others'.
                schemas: manifest
                    .iter()
                    .map(|e| {
                        let s = if old_schema { "s0" } else { "s" };
                        (e.table.clone(), s.to_string())
                    })
                    .collect(),
                manifest: if finished { manifest } else { Vec::new() },
                backup_time_ms: None,
                objects: Default::default(),
                functions: Vec::new(),
                catalogs: Vec::new(),
                table_digests: None,
            });
        }
    }
    c.repositories.push(repo);
    c.normalized()
}

/// Tables flagged in `sync` take the chain's state as their partitions, so that their digests
/// match and the planner skips them.
fn sync_tables(c: &mut ObservedCatalog, sync: &[bool]) {
    let state: BTreeMap<String, Vec<Partition>> = {
        let Some(chain) = current_chain(&c.history.backups, "g", "d", "r") else {
            return;
        };
        chain
            .state
            .iter()
            .map(|(t, parts)| {
                let ps = parts
                    .iter()
                    .map(|(p, v)| part(p, v.id, v.visible_version))
                    .collect();
                (t.to_string(), ps)
            })
            .collect()
    };
    for (i, t) in c.databases[0].tables.iter_mut().enumerate() {
        if sync.get(i).copied().unwrap_or(false) {
            if let Some(ps) = state.get(&t.name) {
                t.partitions = ps.clone();
            }
        }
    }
}

/// The state of each table after each set, replayed along the set's parents back to a full
/// (records in the normalized order), as apply records it; `forget` drops some of them
/// (not proven), which must only cost reads.
fn with_digests(c: &ObservedCatalog, forget: &BTreeSet<u8>) -> ObservedCatalog {
    let backups = &c.history.backups;
    let sets: BTreeMap<&str, Vec<&BackupRecord>> = backups
        .iter()
        .filter(|b| b.state == BackupState::Finished)
        .fold(BTreeMap::new(), |mut m, b| {
            m.entry(b.set_name()).or_insert_with(Vec::new).push(b);
            m
        });
    let state_after = |set: &str| -> BTreeMap<String, BTreeMap<String, (i64, i64)>> {
        let mut path = vec![set.to_string()];
        let mut seen = BTreeSet::new();
        while let Some(first) = sets.get(path[0].as_str()).and_then(|r| r.first()) {
            if first.kind == BackupKind::Full || !seen.insert(path[0].clone()) {
                break;
            }
            match &first.parent {
                Some(p) if sets.contains_key(p.as_str()) => path.insert(0, p.clone()),
                _ => break,
            }
        }
        let mut out: BTreeMap<String, BTreeMap<String, (i64, i64)>> = BTreeMap::new();
        for s in &path {
            for r in sets.get(s.as_str()).into_iter().flatten() {
                for e in &r.manifest {
                    out.entry(e.table.clone())
                        .or_default()
                        .insert(e.partition.clone(), (e.partition_id, e.visible_version));
                }
            }
        }
        out
    };
    let mut lazy = c.clone();
    for (i, b) in lazy.history.backups.iter_mut().enumerate() {
        if b.state != BackupState::Finished {
            continue;
        }
        let state = state_after(b.set_name());
        let digests = manifest_entries_digests(&b.manifest)
            .into_iter()
            .map(|(t, entries)| {
                let known = !forget.contains(&(i as u8));
                let st = state.get(&t).filter(|_| known).map(|parts| {
                    let ps: Vec<Partition> =
                        parts.iter().map(|(p, (id, v))| part(p, *id, *v)).collect();
                    partitions_digest(&ps)
                });
                (t, TableDigest { entries, state: st })
            })
            .collect();
        b.table_digests = Some(digests);
        b.manifest.clear();
    }
    // The state store reads per-table facts only of the sets in current chains.
    let members = chain_members(&lazy.history.backups);
    for b in &mut lazy.history.backups {
        if !members.contains(&(b.repository.clone(), b.label.clone())) {
            *b = b.without_facts();
        }
    }
    lazy
}

/// Loads what `manifests_needed` asks for from the complete history.
fn load(lazy: &mut ObservedCatalog, full: &ObservedCatalog, inputs: &PlanInputs) -> usize {
    let needs = manifests_needed(inputs);
    let mut rows = 0;
    for n in needs {
        let Some(src) = full
            .history
            .backups
            .iter()
            .find(|b| b.repository == n.repository && b.label == n.label)
        else {
            continue;
        };
        let Some(dst) = lazy
            .history
            .backups
            .iter_mut()
            .find(|b| b.repository == n.repository && b.label == n.label)
        else {
            continue;
        };
        dst.manifest = src
            .manifest
            .iter()
            .filter(|e| n.tables.as_ref().is_none_or(|t| t.contains(&e.table)))
            .cloned()
            .collect();
        rows += dst.manifest.len();
    }
    rows
}

/// The runtime's `observe_for_plan` after the manifests: every table unread (summed), then
/// the partitions `partitions_needed` names listed from `full`, until it names none.
/// Returns how many tables were listed.
fn summarize_then_read(inputs: &mut PlanInputs, full: &ObservedCatalog) -> usize {
    for d in &mut inputs.catalog.databases {
        for t in &mut d.tables {
            t.unread = Some(UnreadPartitions::of(PartitionSummary::of(&t.partitions)));
            t.partitions.clear();
        }
    }
    let mut listed = 0;
    for _ in 0..4 {
        let needed = partitions_needed(inputs).unwrap_or_default();
        if needed.values().all(BTreeSet::is_empty) {
            break;
        }
        for d in &mut inputs.catalog.databases {
            for t in &mut d.tables {
                if t.unread.is_some() && needed.get(&d.name).is_some_and(|n| n.contains(&t.name)) {
                    let src = full.database(&d.name).and_then(|fd| fd.table(&t.name));
                    t.partitions = src.map(|s| s.partitions.clone()).unwrap_or_default();
                    t.unread = None;
                    listed += 1;
                }
            }
        }
    }
    listed
}

fn policy(chain: u8, per_job: u8) -> String {
    format!(
        "[repository.r]\nlocation = \"s3://b\"\n[group.g]\ninclude = [\"d.*\"]\nrepository = \"r\"\n\
         full_every = \"1d\"\nmax_chain_length = {chain}\nmax_partitions_per_job = {per_job}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn plans_from_digests_equal_plans_from_every_manifest(
        tables in prop::collection::vec(table(), 1..6),
        records in prop::collection::vec(record(), 0..9),
        sync in prop::collection::vec(prop::bool::weighted(0.7), 6),
        forget in prop::collection::btree_set(0u8..12, 0..3),
        lost in prop::option::weighted(0.15, 0u8..7),
        chain in 1u8..5,
        per_job in 2u8..9,
    ) {
        let mut full = catalog(tables, records, lost);
        sync_tables(&mut full, &sync);
        let oracle_inputs = PlanInputs {
            policy_path: "starsnap.toml".into(),
            policy_text: policy(chain, per_job),
            statement_files: Vec::new(),
            catalog: full.clone(),
            as_of: Timestamp(1_795_000_000),
        };
        let oracle = plan::build(&oracle_inputs).map(|p| plan::to_canonical_json(&p.plan));
        let mut inputs = oracle_inputs.clone();
        inputs.catalog = with_digests(&full, &forget);
        let mut lazy = inputs.catalog.clone();
        load(&mut lazy, &full, &inputs);
        inputs.catalog = lazy;
        let planned = plan::build(&inputs).map(|p| plan::to_canonical_json(&p.plan));
        prop_assert_eq!(planned.as_ref().ok(), oracle.as_ref().ok());
        // The same with partitions listed only where the plan compares them.
        summarize_then_read(&mut inputs, &full);
        let summed = plan::build(&inputs).map(|p| plan::to_canonical_json(&p.plan));
        prop_assert_eq!(summed.ok(), oracle.ok());
    }
}

#[test]
fn an_unchanged_table_is_not_read_and_a_changed_one_is() {
    let t = |name: &str, v: i64| Table {
        name: name.into(),
        kind: TableKind::Olap,
        schema_fingerprint: "s".into(),
        partitions: vec![part("p1", 1, 1), part("p2", 2, v)],
        partitioning: None,
        unread: None,
    };
    let mut full = ObservedCatalog::empty("3.4.5-abcdef0");
    full.databases.push(Database {
        name: "d".into(),
        tables: vec![t("a", 1), t("b", 1)],
        functions: Vec::new(),
    });
    full.repositories.push(Repository {
        name: "r".into(),
        location: "s3://b".into(),
        snapshots: vec![Snapshot {
            label: "l0".into(),
            timestamps: Vec::new(),
            status: "OK".into(),
        }],
        ..Default::default()
    });
    let entry = |table: &str, p: &str, id: i64| ManifestEntry {
        table: table.into(),
        partition: p.into(),
        partition_id: id,
        visible_version: 1,
        rows: None,
    };
    full.history.backups.push(BackupRecord {
        label: "l0".into(),
        group: "g".into(),
        database: "d".into(),
        kind: BackupKind::Full,
        set: None,
        chunk_count: None,
        parent: None,
        repository: "r".into(),
        snapshot_timestamp: None,
        created_at: Timestamp(1_795_000_000 - 3600).to_rfc3339(),
        state: BackupState::Finished,
        schemas: Default::default(),
        manifest: vec![
            entry("a", "p1", 1),
            entry("a", "p2", 2),
            entry("b", "p1", 1),
            entry("b", "p2", 2),
        ],
        backup_time_ms: None,
        objects: Default::default(),
        functions: Vec::new(),
        catalogs: Vec::new(),
        table_digests: None,
    });
    // Table b loaded into p2 since.
    full.databases[0].tables[1].partitions[1].visible_version = 2;
    let mut inputs = PlanInputs {
        policy_path: "starsnap.toml".into(),
        policy_text: policy(5, 100),
        statement_files: Vec::new(),
        catalog: with_digests(&full, &BTreeSet::new()),
        as_of: Timestamp(1_795_000_000),
    };
    let needs = manifests_needed(&inputs);
    assert_eq!(needs.len(), 1);
    assert_eq!(needs[0].label, "l0");
    assert_eq!(
        needs[0].tables,
        Some(BTreeSet::from(["b".to_string()])),
        "only the changed table"
    );
    let mut lazy = inputs.catalog.clone();
    assert_eq!(load(&mut lazy, &full, &inputs), 2);
    inputs.catalog = lazy;
    let planned = plan::build(&inputs).expect("plan");
    let mut oracle = inputs.clone();
    oracle.catalog = full;
    let want = plan::build(&oracle).expect("plan");
    assert_eq!(
        plan::to_canonical_json(&planned.plan),
        plan::to_canonical_json(&want.plan)
    );
    assert_eq!(
        planned.plan.summary.partitions, 1,
        "{:?}",
        planned.plan.summary
    );
    // Observed with partitions summed: only b's are listed, and the plan is the same.
    let full = oracle.catalog.clone();
    assert_eq!(summarize_then_read(&mut inputs, &full), 1);
    let d = inputs.catalog.database("d").expect("d");
    assert!(d.table("a").is_some_and(|t| t.unread.is_some()));
    assert!(d.table("b").is_some_and(|t| t.unread.is_none()));
    let summed = plan::build(&inputs).expect("plan");
    assert_eq!(
        plan::to_canonical_json(&summed.plan),
        plan::to_canonical_json(&want.plan)
    );
}

#[test]
fn a_full_decided_by_a_dropped_partition_lists_every_table() {
    let t = |name: &str| Table {
        name: name.into(),
        kind: TableKind::Olap,
        schema_fingerprint: "s".into(),
        partitions: vec![part("p1", 1, 1), part("p2", 2, 1)],
        partitioning: None,
        unread: None,
    };
    let mut full = ObservedCatalog::empty("3.4.5-abcdef0");
    full.databases.push(Database {
        name: "d".into(),
        tables: vec![t("a"), t("b")],
        functions: Vec::new(),
    });
    full.repositories.push(Repository {
        name: "r".into(),
        location: "s3://b".into(),
        snapshots: vec![Snapshot {
            label: "l0".into(),
            timestamps: Vec::new(),
            status: "OK".into(),
        }],
        ..Default::default()
    });
    let manifest = ["a", "b"]
        .iter()
        .flat_map(|t| {
            [("p1", 1), ("p2", 2)].map(|(p, id)| ManifestEntry {
                table: (*t).into(),
                partition: p.into(),
                partition_id: id,
                visible_version: 1,
                rows: None,
            })
        })
        .collect();
    full.history.backups.push(BackupRecord {
        label: "l0".into(),
        group: "g".into(),
        database: "d".into(),
        kind: BackupKind::Full,
        set: None,
        chunk_count: None,
        parent: None,
        repository: "r".into(),
        snapshot_timestamp: None,
        created_at: Timestamp(1_795_000_000 - 3600).to_rfc3339(),
        state: BackupState::Finished,
        schemas: Default::default(),
        manifest,
        backup_time_ms: None,
        objects: Default::default(),
        functions: Vec::new(),
        table_digests: None,
        catalogs: Vec::new(),
    });
    // b's p2 dropped: the chain restarts with a full of every table.
    full.databases[0].tables[1].partitions.pop();
    let mut inputs = PlanInputs {
        policy_path: "starsnap.toml".into(),
        policy_text: policy(5, 100),
        statement_files: Vec::new(),
        catalog: with_digests(&full, &BTreeSet::new()),
        as_of: Timestamp(1_795_000_000),
    };
    let mut lazy = inputs.catalog.clone();
    load(&mut lazy, &full, &inputs);
    inputs.catalog = lazy;
    assert_eq!(
        summarize_then_read(&mut inputs, &full),
        2,
        "b, then a for the full"
    );
    let summed = plan::build(&inputs).expect("plan");
    let mut oracle = inputs.clone();
    oracle.catalog = full;
    let want = plan::build(&oracle).expect("plan");
    assert_eq!(
        plan::to_canonical_json(&summed.plan),
        plan::to_canonical_json(&want.plan)
    );
    assert_eq!(
        summed.plan.summary.partitions, 3,
        "{:?}",
        summed.plan.summary
    );
}

#[test]
fn a_plan_refuses_a_compared_table_left_unread() {
    let mut c = ObservedCatalog::empty("3.4.5-abcdef0");
    c.databases.push(Database {
        name: "d".into(),
        tables: vec![Table {
            name: "a".into(),
            kind: TableKind::Olap,
            schema_fingerprint: "s".into(),
            partitions: Vec::new(),
            partitioning: None,
            unread: Some(UnreadPartitions::of(PartitionSummary::of(&[part(
                "p1", 1, 1,
            )]))),
        }],
        functions: Vec::new(),
    });
    let inputs = PlanInputs {
        policy_path: "starsnap.toml".into(),
        policy_text: policy(5, 100),
        statement_files: Vec::new(),
        catalog: c,
        as_of: Timestamp(1_795_000_000),
    };
    let findings = plan::build(&inputs).expect_err("a first full needs a's partitions");
    let codes: Vec<&str> = findings
        .iter()
        .flat_map(|f| f.diagnostics.iter().map(|d| d.code.as_str()))
        .collect();
    assert!(codes.contains(&"P115"), "{codes:?}");
}
