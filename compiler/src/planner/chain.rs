//! Backup chains from history, and the full/incremental decision.
//!
//! A *set* is one planned backup (possibly split into chunks, one label each). A chain is a
//! finished full set followed by finished incremental sets, each naming the previous one as
//! its parent. The chain's *state* is the full's manifest overlaid with every incremental's:
//! what a restore of the chain's tip would bring back. Change detection compares the cluster
//! with that state by partition id and visible version only — never by time (invariant 8).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::catalog::{
    BackupKind, BackupRecord, BackupState, Database, Partition, Partitioning, Repository, Table,
};
use crate::plan::{PartitionVersion, Reason};
use crate::policy::GroupConfig;
use crate::time::{format_duration, Timestamp};

/// One finished backup set.
#[derive(Clone, Debug)]
pub struct BackupSet<'a> {
    pub name: String,
    pub kind: BackupKind,
    pub parent: Option<String>,
    pub created_at: Timestamp,
    pub records: Vec<&'a BackupRecord>,
}

/// The current chain of a group's database.
#[derive(Clone, Debug)]
pub struct Chain<'a> {
    /// Full first, then incrementals in order.
    pub sets: Vec<BackupSet<'a>>,
    /// table → partition → (id, version) as a restore of the tip would bring back.
    pub state: BTreeMap<&'a str, BTreeMap<&'a str, PartitionVersion>>,
    /// table → schema fingerprint at its last backup.
    pub schemas: BTreeMap<&'a str, &'a str>,
    /// table → the `partitions_digest` of `state`'s entry as recorded with the newest set
    /// holding the table (`None`: not recorded, or the set's labels disagree). A table whose
    /// digest equals the cluster's is unchanged, and its manifest need not be read.
    pub digests: BTreeMap<&'a str, Option<&'a str>>,
}

impl Chain<'_> {
    pub fn full(&self) -> Option<&BackupSet<'_>> {
        self.sets.first()
    }

    pub fn tip(&self) -> Option<&BackupSet<'_>> {
        self.sets.last()
    }
}

/// Finished sets of `group`/`database` in `repository`, by set name.
pub(crate) fn finished_sets<'a>(
    backups: &'a [BackupRecord],
    group: &str,
    database: &str,
    repository: &str,
) -> Vec<BackupSet<'a>> {
    let mut by_set: BTreeMap<&str, Vec<&BackupRecord>> = BTreeMap::new();
    for b in backups {
        if b.group == group && b.database == database && b.repository == repository {
            by_set.entry(b.set_name()).or_default().push(b);
        }
    }
    let mut out = Vec::new();
    for (name, records) in by_set {
        let Some(first) = records.first() else {
            continue;
        };
        let expected = records
            .iter()
            .filter_map(|r| r.chunk_count)
            .max()
            .unwrap_or(1);
        let mut labels: Vec<&str> = records.iter().map(|r| r.label.as_str()).collect();
        labels.sort();
        labels.dedup();
        let all_finished = records.iter().all(|r| r.state == BackupState::Finished);
        let created: Option<Timestamp> = records
            .iter()
            .map(|r| Timestamp::parse_rfc3339(&r.created_at).ok())
            .collect::<Option<Vec<_>>>()
            .and_then(|v| v.into_iter().min());
        let (Some(created_at), true) = (created, all_finished && labels.len() as u32 >= expected)
        else {
            continue;
        };
        out.push(BackupSet {
            name: name.to_string(),
            kind: first.kind,
            parent: first.parent.clone(),
            created_at,
            records,
        });
    }
    out
}

/// The chain ending at the newest finished descendant of the newest finished full.
/// The (repository, label) of every record of every group's database's current chain:
/// the records a plan reads per-table facts of (schemas, objects, digests, manifests). Of
/// the others it needs only what identifies them and when they were made (retention).
pub fn chain_members(backups: &[BackupRecord]) -> BTreeSet<(String, String)> {
    let keys: BTreeSet<(&str, &str, &str)> = backups
        .iter()
        .map(|b| (b.group.as_str(), b.database.as_str(), b.repository.as_str()))
        .collect();
    let mut out = BTreeSet::new();
    for (group, database, repository) in keys {
        if let Some(chain) = current_chain(backups, group, database, repository) {
            for set in &chain.sets {
                for r in &set.records {
                    out.insert((r.repository.clone(), r.label.clone()));
                }
            }
        }
    }
    out
}

pub fn current_chain<'a>(
    backups: &'a [BackupRecord],
    group: &str,
    database: &str,
    repository: &str,
) -> Option<Chain<'a>> {
    let sets = finished_sets(backups, group, database, repository);
    let newest = |it: &mut dyn Iterator<Item = &BackupSet<'a>>| -> Option<BackupSet<'a>> {
        it.max_by(|a, b| (a.created_at, &a.name).cmp(&(b.created_at, &b.name)))
            .cloned()
    };
    let full = newest(&mut sets.iter().filter(|s| s.kind == BackupKind::Full))?;
    let mut chain = vec![full];
    while chain.len() <= sets.len() {
        let tip = chain.last().map(|s| s.name.clone()).unwrap_or_default();
        let next = newest(&mut sets.iter().filter(|s| {
            s.kind == BackupKind::Incremental
                && s.parent.as_deref() == Some(tip.as_str())
                && !chain.iter().any(|c| c.name == s.name)
        }));
        match next {
            Some(n) => chain.push(n),
            None => break,
        }
    }
    let mut state = BTreeMap::new();
    let mut schemas = BTreeMap::new();
    let mut digests: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for set in &chain {
        // The set's recorded state digest per table: known only when every label of the set
        // holding the table recorded the same one.
        let mut of_set: BTreeMap<&str, Option<&str>> = BTreeMap::new();
        for r in &set.records {
            match &r.table_digests {
                Some(d) => {
                    for (t, td) in d {
                        state.entry(t.as_str()).or_insert_with(BTreeMap::new);
                        let seen = td.state.as_deref();
                        of_set
                            .entry(t.as_str())
                            .and_modify(|v| {
                                if *v != seen {
                                    *v = None;
                                }
                            })
                            .or_insert(seen);
                    }
                }
                None => {
                    for e in &r.manifest {
                        of_set.insert(e.table.as_str(), None);
                    }
                }
            }
        }
        digests.extend(of_set);
        for r in &set.records {
            for e in &r.manifest {
                state
                    .entry(e.table.as_str())
                    .or_insert_with(BTreeMap::new)
                    .insert(
                        e.partition.as_str(),
                        PartitionVersion {
                            id: e.partition_id,
                            visible_version: e.visible_version,
                        },
                    );
            }
            for (t, f) in &r.schemas {
                schemas.insert(t.as_str(), f.as_str());
            }
        }
    }
    Some(Chain {
        sets: chain,
        state,
        schemas,
        digests,
    })
}

/// A partition an incremental backs up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub table: String,
    pub partition: String,
    pub id: i64,
    pub visible_version: i64,
    pub previous: Option<PartitionVersion>,
}

/// What to do for one group and database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Nothing,
    Full {
        reason: Reason,
        detail: String,
    },
    Incremental {
        changed: Vec<Changed>,
        detail: String,
    },
}

/// A full when a snapshot of the chain is no longer in its repository (deleted by hand, or
/// expired by another tool): an incremental on top of it could never be restored. Judged
/// only when the catalog observed the repository; a snapshot counts when SHOW SNAPSHOT lists
/// its label with status `OK`.
pub fn missing_snapshot(chain: &Chain<'_>, repository: Option<&Repository>) -> Option<Decision> {
    let repository = repository?;
    let held: BTreeSet<&str> = repository
        .snapshots
        .iter()
        .filter(|s| s.status.trim() == "OK")
        .map(|s| s.label.as_str())
        .collect();
    let (set, label) = chain.sets.iter().find_map(|set| {
        set.records
            .iter()
            .map(|r| r.label.as_str())
            .find(|l| !held.contains(l))
            .map(|l| (set, l))
    })?;
    let of_set = if set.name == label {
        String::new()
    } else {
        format!(" (set `{}`)", set.name)
    };
    Some(Decision::Full {
        reason: Reason::ParentMissing,
        detail: format!(
            "snapshot `{label}` of the chain{of_set} is no longer in repository `{}`; the chain cannot be extended",
            repository.name
        ),
    })
}

/// A full when `starsnap verify` found a set of this group's database broken since the chain's
/// full (or the full itself): the chain is not extended past a snapshot the repository lost.
pub fn broken_set(
    chain: &Chain<'_>,
    backups: &[BackupRecord],
    group: &str,
    database: &str,
    repository: &str,
) -> Option<Decision> {
    let full = chain.full()?;
    let in_chain = |name: &str| chain.sets.iter().any(|s| s.name == name);
    let broken = backups.iter().find(|b| {
        b.state == BackupState::Broken
            && b.group == group
            && b.database == database
            && b.repository == repository
            && (b.parent.as_deref().is_some_and(in_chain)
                || Timestamp::parse_rfc3339(&b.created_at).is_ok_and(|t| t >= full.created_at))
    })?;
    Some(Decision::Full {
        reason: Reason::ParentMissing,
        detail: format!(
            "`starsnap verify` found snapshot `{}` broken in repository `{repository}`; the chain since `{}` is not extended",
            broken.label, full.name
        ),
    })
}

/// The partitioning of `table` as observed, else as the chain's newest record of it says.
fn partitioning_of(chain: &Chain<'_>, table: &Table) -> Option<Partitioning> {
    table.partitioning.or_else(|| {
        chain
            .sets
            .iter()
            .rev()
            .flat_map(|s| s.records.iter())
            .find_map(|r| r.objects.get(&table.name).and_then(|o| o.partitioning))
    })
}

/// A full decided before any partition is compared: no usable full in the chain, a full is
/// due, or a table's schema changed.
pub(crate) fn full_before_partitions(
    chain: &Chain<'_>,
    db: &Database,
    tables: &[&Table],
    group: &GroupConfig,
    as_of: Timestamp,
) -> Option<Decision> {
    let (Some(full), Some(tip)) = (chain.full(), chain.tip()) else {
        return Some(Decision::Full {
            reason: Reason::FirstFull,
            detail: format!("no usable full backup of `{}`", db.name),
        });
    };
    let due_at = full
        .created_at
        .0
        .saturating_add(group.full_every_secs as i64);
    if as_of.0 >= due_at {
        return Some(Decision::Full {
            reason: Reason::FullDue,
            detail: format!(
                "last full `{}` was made at {}; a full is due every {}",
                full.name,
                full.created_at,
                format_duration(group.full_every_secs)
            ),
        });
    }
    for t in tables {
        if let Some(old) = chain.schemas.get(t.name.as_str()) {
            if !old.is_empty() && !t.schema_fingerprint.is_empty() && *old != t.schema_fingerprint {
                return Some(Decision::Full {
                    reason: Reason::SchemaChanged,
                    detail: format!(
                        "the schema of table `{}` changed since `{}`",
                        t.name, tip.name
                    ),
                });
            }
        }
    }
    None
}

/// The tables whose partitions equal the chain's state by the digest recorded with the chain
/// (partition names, ids and visible versions): nothing of theirs is compared, so their
/// manifests need not be read.
pub(crate) fn settled<'a>(chain: &Chain<'_>, tables: &[&'a Table]) -> BTreeSet<&'a str> {
    tables
        .iter()
        .filter(|t| {
            chain
                .digests
                .get(t.name.as_str())
                .copied()
                .flatten()
                .is_some_and(|d| d == t.partitions_digest())
        })
        .map(|t| t.name.as_str())
        .collect()
}

/// Decides full, incremental or nothing (issue 5 item 3), with a reason a reviewer can read.
pub fn decide(
    chain: Option<&Chain<'_>>,
    db: &Database,
    tables: &[&Table],
    group: &GroupConfig,
    as_of: Timestamp,
) -> Decision {
    let Some(chain) = chain else {
        return Decision::Full {
            reason: Reason::FirstFull,
            detail: format!(
                "no finished full backup of `{}` for group `{}` in repository `{}`",
                db.name, group.name, group.repository
            ),
        };
    };
    if let Some(full) = full_before_partitions(chain, db, tables, group, as_of) {
        return full;
    }
    let (Some(full), Some(tip)) = (chain.full(), chain.tip()) else {
        return Decision::Nothing;
    };
    let settled = settled(chain, tables);
    // Lookups by name, one map per table (a database may hold a thousand tables of hundreds
    // of partitions each).
    let existing: BTreeSet<&str> = db.tables.iter().map(|t| t.name.as_str()).collect();
    let observed: BTreeMap<&str, HashMap<&str, &Partition>> = tables
        .iter()
        .map(|t| {
            let parts = t.partitions.iter().map(|p| (p.name.as_str(), p)).collect();
            (t.name.as_str(), parts)
        })
        .collect();
    for (table, parts) in &chain.state {
        let Some(current) = observed.get(table) else {
            continue;
        };
        if settled.contains(table) {
            continue;
        }
        for (partition, prev) in parts {
            match current.get(partition) {
                Some(p) if p.id != prev.id => {
                    return Decision::Full {
                        reason: Reason::PartitionReplaced,
                        detail: format!(
                            "partition `{table}.{partition}` was replaced (id {} -> {})",
                            prev.id, p.id
                        ),
                    };
                }
                _ => {}
            }
        }
    }
    for (table, parts) in &chain.state {
        if !existing.contains(table) {
            return Decision::Full {
                reason: Reason::PartitionDropped,
                detail: format!("table `{table}` was dropped"),
            };
        }
        let Some(current) = observed.get(table) else {
            continue;
        };
        if settled.contains(table) {
            continue;
        }
        if let Some((partition, prev)) = parts.iter().find(|(p, _)| !current.contains_key(*p)) {
            return Decision::Full {
                reason: Reason::PartitionDropped,
                detail: format!(
                    "partition `{table}.{partition}` (id {}) was dropped",
                    prev.id
                ),
            };
        }
    }
    let mut changed = Vec::new();
    let empty = BTreeMap::new();
    for t in tables
        .iter()
        .filter(|t| t.kind.has_partitions() && !settled.contains(t.name.as_str()))
    {
        let before = chain.state.get(t.name.as_str()).unwrap_or(&empty);
        // A LIST (or unpartitioned) table that changed at all is backed up whole: RESTORE
        // cannot add partitions to it (spec §9.2), so every point of the chain must find all
        // of its partitions in one snapshot (§9.4).
        let whole = matches!(
            partitioning_of(chain, t),
            Some(Partitioning::List | Partitioning::Unpartitioned)
        ) && t.partitions.iter().any(|p| {
            !before
                .get(p.name.as_str())
                .is_some_and(|v| v.id == p.id && v.visible_version == p.visible_version)
        });
        for p in &t.partitions {
            let previous = before.get(p.name.as_str()).copied();
            let same =
                previous.is_some_and(|v| v.id == p.id && v.visible_version == p.visible_version);
            if !same || whole {
                changed.push(Changed {
                    table: t.name.clone(),
                    partition: p.name.clone(),
                    id: p.id,
                    visible_version: p.visible_version,
                    previous,
                });
            }
        }
    }
    if changed.is_empty() || !group.incremental {
        return Decision::Nothing;
    }
    // A LIST table the chain holds that gained partitions: an incremental would put them in
    // another snapshot than the rest, and RESTORE adds partitions onto an existing table only
    // for range partitioning (spec §9.2, §9.4), so the table could not be assembled.
    let by_name: BTreeMap<&str, &Table> = tables.iter().map(|t| (t.name.as_str(), *t)).collect();
    let added = changed.iter().find(|c| {
        c.previous.is_none()
            && chain.state.contains_key(c.table.as_str())
            && by_name
                .get(c.table.as_str())
                .is_some_and(|t| partitioning_of(chain, t) == Some(Partitioning::List))
    });
    if let Some(c) = added {
        let names: Vec<&str> = changed
            .iter()
            .filter(|o| o.table == c.table && o.previous.is_none())
            .map(|o| o.partition.as_str())
            .collect();
        return Decision::Full {
            reason: Reason::ListPartitionsAdded,
            detail: format!(
                "LIST-partitioned table `{}` gained partition(s) {} since `{}`; RESTORE adds partitions onto an existing table only for range partitioning, so the chain restarts with a full",
                c.table,
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                tip.name
            ),
        };
    }
    if chain.sets.len() >= group.max_chain_length as usize {
        return Decision::Full {
            reason: Reason::ChainFull,
            detail: format!(
                "the chain since `{}` holds {} backups (max_chain_length {})",
                full.name,
                chain.sets.len(),
                group.max_chain_length
            ),
        };
    }
    let tables_changed = {
        let mut names: Vec<&str> = changed.iter().map(|c| c.table.as_str()).collect();
        names.dedup();
        names.len()
    };
    let detail = format!(
        "{} changed or new in {} since `{}`",
        if changed.len() == 1 {
            "1 partition".to_string()
        } else {
            format!("{} partitions", changed.len())
        },
        if tables_changed == 1 {
            "1 table".to_string()
        } else {
            format!("{tables_changed} tables")
        },
        tip.name
    );
    Decision::Incremental { changed, detail }
}
