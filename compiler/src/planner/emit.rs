//! Backup and repository steps: chunking by `max_partitions_per_job`, labels, objects, as
//! typed ops; their SQL is what the op builds through the canonical printer (invariant 6).

use crate::catalog::{BackupKind, Database, Partitioning, Table, TableKind};
use crate::plan::{
    BackupOp, Chunk, CreateRepositoryOp, ObjectKind, Op, PartitionVersion, Reason,
    RepositoryProperty, Step, StepObject, StepPartition,
};
use crate::policy::{GroupConfig, RepositoryConfig};
use crate::syntax::Dialect;

use super::chain::Changed;

/// One object of a backup job: a whole table (`partitions: None`) or some of its partitions.
#[derive(Clone, Debug)]
struct Unit<'a> {
    table: &'a Table,
    /// `None`: the whole table.
    partitions: Option<Vec<StepPartition>>,
}

impl Unit<'_> {
    /// A LIST-partitioned table is never split across labels: a restore can assemble it only
    /// from one snapshot (spec §9.2, §9.4: partitions are added onto an existing table only
    /// for range partitioning).
    fn splittable(&self) -> bool {
        self.table.partitioning != Some(Partitioning::List)
    }

    fn weight(&self) -> usize {
        match &self.partitions {
            Some(p) => p.len(),
            None => self.table.partitions.len(),
        }
    }
}

/// What a backup set contains before chunking.
pub struct SetSpec<'a> {
    pub group: &'a GroupConfig,
    pub db: &'a Database,
    pub kind: BackupKind,
    pub reason: Reason,
    pub detail: String,
    pub parent: Option<String>,
    /// The label of the set (chunks append `-pN`).
    pub label: String,
    /// Full: the group's tables of the database. Incremental: the changed partitions.
    pub tables: Vec<&'a Table>,
    pub changed: Vec<Changed>,
    /// The cluster's dialect: 3.3 gets the legacy syntax (bare names, no functions).
    pub dialect: Dialect,
}

fn object_kind(kind: TableKind) -> ObjectKind {
    match kind {
        TableKind::MaterializedView => ObjectKind::MaterializedView,
        TableKind::View => ObjectKind::View,
        TableKind::Olap | TableKind::External => ObjectKind::Table,
    }
}

/// Splits units into chunks of at most `max` partitions (a table larger than `max` is split
/// by partition; views, which hold no partition, ride along in the chunk current at their turn).
/// A LIST-partitioned table that does not fit goes whole into a chunk of its own, even past
/// `max` ([`Unit::splittable`]).
fn chunk<'a>(units: Vec<Unit<'a>>, max: Option<u32>) -> Vec<Vec<Unit<'a>>> {
    let total: usize = units.iter().map(Unit::weight).sum();
    let max = match max {
        Some(m) if (m as usize) < total => (m as usize).max(1),
        _ => return vec![units],
    };
    let mut chunks: Vec<Vec<Unit<'a>>> = vec![Vec::new()];
    let mut room = max;
    for unit in units {
        if unit.weight() <= room {
            room -= unit.weight();
            if let Some(last) = chunks.last_mut() {
                last.push(unit);
            }
            continue;
        }
        if !unit.splittable() {
            if room < max {
                chunks.push(Vec::new());
            }
            room = max.saturating_sub(unit.weight());
            if let Some(last) = chunks.last_mut() {
                last.push(unit);
            }
            continue;
        }
        let mut parts: Vec<StepPartition> = match unit.partitions {
            Some(p) => p,
            None => unit
                .table
                .partitions
                .iter()
                .map(|p| StepPartition {
                    name: p.name.clone(),
                    id: p.id,
                    visible_version: p.visible_version,
                    previous: None,
                })
                .collect(),
        };
        while !parts.is_empty() {
            if room == 0 {
                chunks.push(Vec::new());
                room = max;
            }
            let take = room.min(parts.len());
            let rest = parts.split_off(take);
            room -= take;
            if let Some(last) = chunks.last_mut() {
                last.push(Unit {
                    table: unit.table,
                    partitions: Some(parts),
                });
            }
            parts = rest;
        }
    }
    chunks.retain(|c| !c.is_empty());
    chunks
}

/// The steps of one backup set.
pub fn backup_steps(spec: SetSpec<'_>) -> Vec<Step> {
    let units: Vec<Unit<'_>> = match spec.kind {
        BackupKind::Full => spec
            .tables
            .iter()
            .map(|t| Unit {
                table: t,
                partitions: None,
            })
            .collect(),
        BackupKind::Incremental => {
            let by_name: std::collections::BTreeMap<&str, &Table> =
                spec.tables.iter().map(|t| (t.name.as_str(), *t)).collect();
            let mut units: Vec<Unit<'_>> = Vec::new();
            for c in &spec.changed {
                let Some(table) = by_name.get(c.table.as_str()).copied() else {
                    continue;
                };
                let p = StepPartition {
                    name: c.partition.clone(),
                    id: c.id,
                    visible_version: c.visible_version,
                    previous: c.previous.map(|v| PartitionVersion { ..v }),
                };
                match units.last_mut() {
                    Some(u) if u.table.name == c.table => {
                        if let Some(ps) = u.partitions.as_mut() {
                            ps.push(p);
                        }
                    }
                    _ => units.push(Unit {
                        table,
                        partitions: Some(vec![p]),
                    }),
                }
            }
            units
        }
    };
    // 3.3's legacy syntax cannot name functions.
    let functions = spec.kind == BackupKind::Full
        && spec.group.functions
        && !spec.db.functions.is_empty()
        && spec.dialect.has_3_4_snapshot_syntax();
    let chunks = chunk(units, spec.group.max_partitions_per_job);
    let count = chunks.len() as u32;
    let mut steps = Vec::new();
    for (i, units) in chunks.into_iter().enumerate() {
        let index = i as u32 + 1;
        let (label, id, chunk) = if count > 1 {
            (
                format!("{}-p{index}", spec.label),
                format!("backup/{}/{}/{index}", spec.group.name, spec.db.name),
                Some(Chunk { index, count }),
            )
        } else {
            (
                spec.label.clone(),
                format!("backup/{}/{}", spec.group.name, spec.db.name),
                None,
            )
        };
        let mut objects: Vec<StepObject> = units
            .iter()
            .map(|u| StepObject {
                kind: object_kind(u.table.kind),
                name: u.table.name.clone(),
                partition_count: u.weight() as u64,
                partitions: u.partitions.clone().unwrap_or_default(),
            })
            .collect();
        if functions && index == 1 {
            objects.push(StepObject {
                kind: ObjectKind::Functions,
                name: spec.db.functions.join(", "),
                partition_count: 0,
                partitions: Vec::new(),
            });
        }
        let depends_on = match steps.last() {
            Some(Step { id, .. }) => vec![id.clone()],
            None => Vec::new(),
        };
        let op = Op::Backup(BackupOp {
            group: spec.group.name.clone(),
            database: Some(spec.db.name.clone()),
            kind: spec.kind,
            label,
            set: spec.label.clone(),
            chunk,
            parent: spec.parent.clone(),
            repository: spec.group.repository.clone(),
            timeout_s: spec.group.job_timeout_secs,
            ttl: spec
                .group
                .ttl_secs
                .filter(|_| spec.dialect.has_drop_snapshot())
                .map(crate::policy::ttl_text),
            objects,
        });
        steps.push(Step {
            id,
            reason: spec.reason,
            detail: spec.detail.clone(),
            depends_on,
            sql: op.review_sql(spec.dialect),
            op,
        });
    }
    steps
}

/// A full backup of a group's external catalogs (metadata only; no change detection).
pub fn catalog_step(group: &GroupConfig, label: String, reason: Reason, detail: String) -> Step {
    let op = Op::Backup(BackupOp {
        group: group.name.clone(),
        database: None,
        kind: BackupKind::Full,
        set: label.clone(),
        label,
        chunk: None,
        parent: None,
        repository: group.repository.clone(),
        timeout_s: group.job_timeout_secs,
        ttl: None,
        objects: group
            .external_catalogs
            .iter()
            .map(|(n, _)| StepObject {
                kind: ObjectKind::ExternalCatalog,
                name: n.clone(),
                partition_count: 0,
                partitions: Vec::new(),
            })
            .collect(),
    });
    Step {
        id: format!("backup/{}/external_catalogs", group.name),
        reason,
        detail,
        depends_on: Vec::new(),
        sql: op.review_sql(Dialect::StarRocks3_4),
        op,
    }
}

/// `CREATE REPOSITORY` for a declared repository the cluster lacks; secrets stay `${NAME}`.
pub fn create_repository_step(repo: &RepositoryConfig, dialect: Dialect) -> Step {
    let properties: Vec<RepositoryProperty> = repo
        .properties
        .iter()
        .map(|(k, v)| match v {
            crate::policy::PropertyValue::Env(name) => RepositoryProperty {
                key: k.clone(),
                value: None,
                env: Some(name.clone()),
            },
            crate::policy::PropertyValue::Literal(l) => RepositoryProperty {
                key: k.clone(),
                value: Some(l.clone()),
                env: None,
            },
        })
        .collect();
    let op = Op::CreateRepository(CreateRepositoryOp {
        repository: repo.name.clone(),
        read_only: repo.read_only,
        broker: repo.broker.clone(),
        location: repo.location.clone(),
        properties,
    });
    Step {
        id: format!("create_repository/{}", repo.name),
        reason: Reason::RepositoryMissing,
        detail: format!(
            "repository `{}` is declared but the cluster does not have it",
            repo.name
        ),
        depends_on: Vec::new(),
        sql: op.review_sql(dialect),
        op,
    }
}
