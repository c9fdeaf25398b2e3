//! Backup and repository steps: chunking by `max_partitions_per_job`, labels, objects, and
//! canonical SQL built as an AST and printed by the compiler's printer (invariant 6).

use crate::catalog::{BackupKind, Database, Table, TableKind};
use crate::plan::{
    Action, Chunk, ObjectKind, PartitionVersion, Reason, Step, StepObject, StepPartition,
};
use crate::policy::{GroupConfig, RepositoryConfig};
use crate::span::Span;
use crate::syntax::ast::{
    AllObjects, Backup, CatalogRef, CreateRepository, ExternalCatalogs, Ident, NamedObject, Number,
    ObjectItem, ObjectKeyword, ObjectKind as AstKind, ObjectList, ObjectName, PartitionNames,
    PartitionSpec, Properties, Property, Statement, StringLit,
};

use crate::syntax::{display_for, Dialect};

use super::chain::Changed;

/// One object of a backup job: a whole table (`partitions: None`) or some of its partitions.
#[derive(Clone, Debug)]
struct Unit<'a> {
    table: &'a Table,
    /// `None`: the whole table.
    partitions: Option<Vec<StepPartition>>,
}

impl Unit<'_> {
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

/// Canonical SQL for the target: one line when short, one clause per line otherwise.
pub fn print_for(stmt: &Statement, dialect: Dialect) -> String {
    let one_line = display_for(stmt, dialect).to_string();
    if one_line.len() <= crate::fmt::MAX_LINE {
        one_line
    } else {
        format!("{:#}", display_for(stmt, dialect))
    }
}

fn ident(s: &str) -> Ident {
    Ident::new(s)
}

fn table_item(unit: &Unit<'_>, dialect: Dialect) -> ObjectItem {
    let kind = match (unit.table.kind, &unit.partitions) {
        // 3.3 knows only bare names, which StarRocks resolves to views and MVs too.
        _ if !dialect.has_3_4_snapshot_syntax() => AstKind::Table,
        (TableKind::View, _) => AstKind::View,
        (TableKind::MaterializedView, None) => AstKind::MaterializedView,
        // `MATERIALIZED VIEW mv PARTITION (…)` is a syntax error; `TABLE mv PARTITION (…)`
        // is what StarRocks accepts (the keyword is not checked against the object's type).
        _ => AstKind::Table,
    };
    let partitions = unit.partitions.as_ref().map(|ps| PartitionSpec {
        temporary: false,
        names: PartitionNames::Names(ps.iter().map(|p| ident(&p.name)).collect()),
        keyword: Number::Singular,
        parenthesized: true,
        span: Span::default(),
    });
    ObjectItem::Named(NamedObject {
        kind,
        keyword: ObjectKeyword::Singular,
        name: ObjectName::new([ident(&unit.table.name)]),
        partitions,
        alias: None,
        span: Span::default(),
    })
}

fn timeout(group: &GroupConfig) -> Properties {
    Properties {
        items: vec![Property::new("timeout", group.job_timeout_secs.to_string())],
        span: Span::default(),
    }
}

fn backup_sql(
    db: Option<&str>,
    catalogs: Option<ExternalCatalogs>,
    label: &str,
    group: &GroupConfig,
    items: Vec<ObjectItem>,
    dialect: Dialect,
) -> String {
    let stmt = Statement::Backup(Backup {
        catalogs,
        database: db.map(ident),
        label: ObjectName::new([ident(label)]),
        repository: ident(&group.repository),
        on: (!items.is_empty()).then(|| ObjectList {
            items,
            span: Span::default(),
        }),
        properties: Some(timeout(group)),
        span: Span::default(),
    });
    print_for(&stmt, dialect)
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
        let mut items: Vec<ObjectItem> =
            units.iter().map(|u| table_item(u, spec.dialect)).collect();
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
            items.push(ObjectItem::All(AllObjects {
                kind: AstKind::Function,
                keyword: Number::Plural,
                span: Span::default(),
            }));
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
        steps.push(Step {
            id,
            action: Action::Backup,
            reason: spec.reason,
            detail: spec.detail.clone(),
            destructive: false,
            group: Some(spec.group.name.clone()),
            database: Some(spec.db.name.clone()),
            kind: Some(spec.kind),
            sql: backup_sql(
                Some(&spec.db.name),
                None,
                &label,
                spec.group,
                items,
                spec.dialect,
            ),
            label: Some(label),
            set: Some(spec.label.clone()),
            chunk,
            parent: spec.parent.clone(),
            repository: Some(spec.group.repository.clone()),
            env: Vec::new(),
            objects,
            source: None,
            depends_on,
        });
    }
    steps
}

/// A full backup of a group's external catalogs (metadata only; no change detection).
pub fn catalog_step(group: &GroupConfig, label: String, reason: Reason, detail: String) -> Step {
    let names: Vec<&str> = group
        .external_catalogs
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    let catalogs = ExternalCatalogs::Named {
        catalogs: names
            .iter()
            .map(|n| CatalogRef {
                name: ident(n),
                alias: None,
                span: Span::default(),
            })
            .collect(),
        keyword: Number::Plural,
        span: Span::default(),
    };
    Step {
        id: format!("backup/{}/external_catalogs", group.name),
        action: Action::Backup,
        reason,
        detail,
        destructive: false,
        group: Some(group.name.clone()),
        database: None,
        kind: Some(BackupKind::Full),
        sql: backup_sql(
            None,
            Some(catalogs),
            &label,
            group,
            Vec::new(),
            Dialect::StarRocks3_4,
        ),
        set: Some(label.clone()),
        label: Some(label),
        chunk: None,
        parent: None,
        repository: Some(group.repository.clone()),
        env: Vec::new(),
        objects: names
            .iter()
            .map(|n| StepObject {
                kind: ObjectKind::ExternalCatalog,
                name: n.to_string(),
                partition_count: 0,
                partitions: Vec::new(),
            })
            .collect(),
        source: None,
        depends_on: Vec::new(),
    }
}

/// `CREATE REPOSITORY` for a declared repository the cluster lacks; secrets stay `${NAME}`.
pub fn create_repository_step(repo: &RepositoryConfig) -> Step {
    let properties: Vec<Property> = repo
        .properties
        .iter()
        .map(|(k, v)| Property::new(k.clone(), v.plan_text()))
        .collect();
    let env: Vec<String> = repo
        .properties
        .iter()
        .filter_map(|(_, v)| match v {
            crate::policy::PropertyValue::Env(name) => Some(name.clone()),
            crate::policy::PropertyValue::Literal(_) => None,
        })
        .collect();
    let stmt = Statement::CreateRepository(CreateRepository {
        read_only: repo.read_only,
        name: ident(&repo.name),
        broker: repo.broker.as_deref().map(ident),
        location: StringLit::new(repo.location.clone()),
        properties: (!properties.is_empty()).then_some(Properties {
            items: properties,
            span: Span::default(),
        }),
        span: Span::default(),
    });
    let mut env = env;
    env.sort();
    env.dedup();
    Step {
        id: format!("create_repository/{}", repo.name),
        action: Action::CreateRepository,
        reason: Reason::RepositoryMissing,
        detail: format!(
            "repository `{}` is declared but the cluster does not have it",
            repo.name
        ),
        destructive: false,
        group: None,
        database: None,
        kind: None,
        label: None,
        set: None,
        chunk: None,
        parent: None,
        repository: Some(repo.name.clone()),
        sql: crate::fmt::canonical(&stmt),
        env,
        objects: Vec::new(),
        source: None,
        depends_on: Vec::new(),
    }
}
