//! A restore as a plan: the restore planner's neutral actions ([`crate::restore`]) become
//! typed steps, chained in order per source database, with what apply must re-check — the
//! live tables the restore reads or replaces, and every snapshot it reads.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use super::{
    ActivateOp, CopyOp, CreateTableLikeOp, DatabaseOp, DropPartitionsOp, ExpectedPartition,
    LabelRef, ObjectKind, Observed, ObservedRepository, ObservedTable, Onto, Op, Plan, Reason,
    RestoreOp, RestoreTable, Step, Summary, SwapOp, TableOp, VerifyOp, FORMAT_VERSION,
};
use crate::catalog::ObservedCatalog;
use crate::restore::{self, Action, DatabaseRestore, RestoreError, RestoreRequest};
use crate::syntax::Dialect;
use crate::time::Timestamp;

/// Everything a restore plan is made from.
#[derive(Clone, Debug)]
pub struct RestoreInputs {
    pub request: RestoreRequest,
    /// The observed cluster, starsnap's history included (`catalog.history`).
    pub catalog: ObservedCatalog,
    pub as_of: Timestamp,
}

fn kind(k: restore::ObjectKind) -> ObjectKind {
    match k {
        restore::ObjectKind::Table => ObjectKind::Table,
        restore::ObjectKind::View => ObjectKind::View,
        restore::ObjectKind::MaterializedView => ObjectKind::MaterializedView,
    }
}

fn onto(o: restore::Onto) -> Onto {
    match o {
        restore::Onto::New => Onto::New,
        restore::Onto::Assembled => Onto::Assembled,
        restore::Onto::Live => Onto::Live,
    }
}

/// The op of one action, and a sentence for reviewers.
fn op_of(a: &Action) -> (Op, String) {
    match a {
        Action::CreateDatabase { database, scratch } => (
            Op::CreateDatabase(DatabaseOp {
                database: database.clone(),
                scratch: *scratch,
            }),
            if *scratch {
                format!("scratch database `{database}` to assemble the tables in")
            } else {
                format!("database `{database}` to restore into")
            },
        ),
        Action::Restore {
            repository,
            snapshot,
            backup_timestamp,
            source_database,
            target_database,
            scratch,
            tables,
            functions,
            replication_num,
            timeout_s,
            why,
        } => {
            let parts: usize = tables.iter().map(|t| t.partitions.len()).sum();
            let detail = format!(
                "read {} object(s){} of snapshot `{snapshot}` into `{target_database}`",
                tables.len(),
                if parts > 0 {
                    format!(" ({parts} partitions)")
                } else {
                    String::new()
                }
            );
            (
                Op::Restore(RestoreOp {
                    repository: repository.clone(),
                    snapshot: snapshot.clone(),
                    backup_timestamp: backup_timestamp.clone(),
                    source_database: source_database.clone(),
                    database: target_database.clone(),
                    scratch: *scratch,
                    tables: tables
                        .iter()
                        .map(|t| RestoreTable {
                            kind: kind(t.kind),
                            name: t.table.clone(),
                            alias: t.alias.clone(),
                            partitions: t.partitions.clone(),
                            onto: onto(t.onto),
                        })
                        .collect(),
                    functions: functions.clone(),
                    replication_num: *replication_num,
                    timeout_s: *timeout_s,
                    why: why.clone(),
                }),
                detail,
            )
        }
        Action::CreateTableLike {
            database,
            table,
            like_database,
            like_table,
        } => (
            Op::CreateTableLike(CreateTableLikeOp {
                database: database.clone(),
                table: table.clone(),
                like_database: like_database.clone(),
                like_table: like_table.clone(),
            }),
            format!("an empty copy of `{like_database}.{like_table}` beside the live table"),
        ),
        Action::Copy {
            database,
            table,
            from_database,
            from_table,
        } => (
            Op::Copy(CopyOp {
                database: database.clone(),
                table: table.clone(),
                from_database: from_database.clone(),
                from_table: from_table.clone(),
            }),
            format!("copy the assembled rows into `{database}.{table}`"),
        ),
        Action::Verify {
            database,
            table,
            kind: k,
            schema_fingerprint,
            partitions,
        } => (
            Op::Verify(VerifyOp {
                database: database.clone(),
                table: table.clone(),
                kind: kind(*k),
                partitions: partitions
                    .iter()
                    .map(|p| ExpectedPartition {
                        name: p.name.clone(),
                        visible_version: p.visible_version,
                        rows: p.rows,
                    })
                    .collect(),
                schema_fingerprint: schema_fingerprint.clone(),
            }),
            format!("check `{database}.{table}` against the backup before anything live is touched"),
        ),
        Action::Swap {
            database,
            table,
            with,
        } => (
            Op::Swap(SwapOp {
                database: database.clone(),
                table: table.clone(),
                with: with.clone(),
            }),
            format!("the live `{database}.{table}` gets the restored data in one atomic swap; the old data stays as `{with}`"),
        ),
        Action::Activate {
            database,
            materialized_view,
        } => (
            Op::Activate(ActivateOp {
                database: database.clone(),
                materialized_view: materialized_view.clone(),
            }),
            format!("`{database}.{materialized_view}` is inactive after its base tables changed"),
        ),
        Action::DropPartitions {
            database,
            table,
            partitions,
            why,
        } => (
            Op::DropPartitions(DropPartitionsOp {
                database: database.clone(),
                table: table.clone(),
                partitions: partitions.clone(),
                why: why.clone(),
            }),
            why.clone(),
        ),
        Action::DropTable {
            database,
            table,
            why,
        } => (
            Op::DropTable(TableOp {
                database: database.clone(),
                table: table.clone(),
                why: why.clone(),
            }),
            why.clone(),
        ),
        Action::DropDatabase { database, scratch } => (
            Op::DropDatabase(DatabaseOp {
                database: database.clone(),
                scratch: *scratch,
            }),
            if *scratch {
                format!("the scratch database `{database}` is no longer needed")
            } else {
                format!("drop database `{database}`")
            },
        ),
    }
}

/// The steps of one source database's restore, each after the one before. In a drill the
/// scratch database's drop depends only on its creation, so it goes whatever the restore and
/// the checks in between did (the lane still runs it last). `after` is a step every first
/// step waits for (the repository the plan creates).
fn steps_of(d: &DatabaseRestore, dialect: Dialect, drill: bool, after: Option<&str>) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for (i, a) in d.actions.iter().enumerate() {
        let (op, detail) = op_of(a);
        let id = format!(
            "restore/{}/{}/{:02}-{}",
            d.source_database,
            d.id,
            i + 1,
            op.action().as_str()
        );
        let created = |db: &str| {
            steps
                .iter()
                .find(|s| matches!(&s.op, Op::CreateDatabase(c) if c.scratch && c.database == db))
        };
        let depends_on = match (&op, drill) {
            (Op::DropDatabase(x), true) if x.scratch && created(&x.database).is_some() => {
                created(&x.database)
                    .map(|s| vec![s.id.clone()])
                    .unwrap_or_default()
            }
            _ => match (steps.last(), after) {
                (Some(s), _) => vec![s.id.clone()],
                (None, Some(first)) => vec![first.to_string()],
                (None, None) => Vec::new(),
            },
        };
        steps.push(Step {
            id,
            reason: Reason::RestoreRequested,
            detail,
            depends_on,
            sql: op.review_sql(dialect),
            op,
        });
    }
    steps
}

/// What apply re-checks: every live table a step names, the repositories and the snapshots
/// read.
fn observe(plan: &restore::RestorePlan, catalog: &ObservedCatalog) -> Observed {
    let mut tables = BTreeSet::new();
    let mut repositories = BTreeSet::new();
    let mut snapshots = BTreeSet::new();
    let touch = |db: &str, table: &str, tables: &mut BTreeSet<ObservedTable>| {
        if let Some(t) = catalog.database(db).and_then(|d| d.table(table)) {
            tables.insert(ObservedTable {
                database: db.to_string(),
                table: t.name.clone(),
                kind: t.kind.as_str().to_string(),
                schema_fingerprint: t.schema_fingerprint.clone(),
                partition_count: t.partition_count(),
                partitions_digest: t.partitions_digest(),
            });
        }
    };
    for d in &plan.databases {
        for a in &d.actions {
            match a {
                Action::Restore {
                    repository,
                    snapshot,
                    target_database,
                    tables: ts,
                    scratch: false,
                    ..
                } => {
                    repositories.insert(repository.clone());
                    snapshots.insert(LabelRef {
                        repository: repository.clone(),
                        label: snapshot.clone(),
                    });
                    for t in ts {
                        touch(
                            target_database,
                            t.alias.as_deref().unwrap_or(&t.table),
                            &mut tables,
                        );
                    }
                }
                Action::Restore {
                    repository,
                    snapshot,
                    ..
                } => {
                    repositories.insert(repository.clone());
                    snapshots.insert(LabelRef {
                        repository: repository.clone(),
                        label: snapshot.clone(),
                    });
                }
                Action::Swap {
                    database, table, ..
                }
                | Action::DropPartitions {
                    database, table, ..
                } => touch(database, table, &mut tables),
                _ => {}
            }
        }
    }
    Observed {
        cluster_version: catalog.cluster.version.clone(),
        tables: tables.into_iter().collect(),
        partitions: Vec::new(),
        repositories: repositories
            .into_iter()
            .map(|name| ObservedRepository::of(name, catalog))
            .collect(),
        absent_labels: Vec::new(),
        snapshots: snapshots.into_iter().collect(),
        chain_tips: Vec::new(),
        absent_objects: absent_objects(plan, catalog),
        external_catalogs: Vec::new(),
    }
}

/// The names the restore creates that must still be free when it is applied: scratch
/// databases, and tables created under a new name (copies, aliases) — each only if it is free
/// now (the planner picks free names).
fn absent_objects(plan: &restore::RestorePlan, catalog: &ObservedCatalog) -> Vec<super::ObjectRef> {
    let mut out = BTreeSet::new();
    let free_table = |db: &str, t: &str| catalog.database(db).and_then(|d| d.table(t)).is_none();
    for d in &plan.databases {
        for a in &d.actions {
            match a {
                Action::CreateDatabase { database, .. } if catalog.database(database).is_none() => {
                    out.insert(super::ObjectRef {
                        database: database.clone(),
                        table: String::new(),
                    });
                }
                Action::CreateTableLike {
                    database, table, ..
                } if free_table(database, table) => {
                    out.insert(super::ObjectRef {
                        database: database.clone(),
                        table: table.clone(),
                    });
                }
                Action::Restore {
                    target_database,
                    tables,
                    scratch: false,
                    ..
                } => {
                    for t in tables.iter().filter(|t| t.onto == restore::Onto::New) {
                        let name = t.alias.as_deref().unwrap_or(&t.table);
                        if free_table(target_database, name) {
                            out.insert(super::ObjectRef {
                                database: target_database.clone(),
                                table: name.to_string(),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out.into_iter().collect()
}

/// sha256 hex of what a restore plan is made from: the request, the catalog and `as_of`.
fn digest(inputs: &RestoreInputs, normalized: &ObservedCatalog) -> String {
    let mut h = Sha256::new();
    h.update(b"starsnap restore inputs\n");
    h.update(serde_json::to_vec(&inputs.request).unwrap_or_default());
    h.update(b"\n");
    h.update(serde_json::to_vec(normalized).unwrap_or_default());
    h.update(b"\n");
    h.update(inputs.as_of.to_rfc3339().as_bytes());
    crate::catalog::digest_hex(&h.finalize())
}

/// Plans a restore: the restore planner's actions as typed steps of a sealed plan.
pub fn restore_plan(inputs: &RestoreInputs) -> Result<(Plan, restore::RestorePlan), RestoreError> {
    restore_plan_creating(inputs, None)
}

/// [`restore_plan`] from a repository the cluster does not know yet (disaster recovery on a
/// new cluster): the first step creates it as `create` says (`restore --from-repository`:
/// `CREATE READ ONLY REPOSITORY` with the policy's name, location and properties) and every
/// database's first step waits for it. The
/// snapshots it reads are checked against SHOW SNAPSHOT by apply once the repository exists
/// (before each RESTORE), since nothing can list them before.
pub fn restore_plan_creating(
    inputs: &RestoreInputs,
    create: Option<&crate::policy::RepositoryConfig>,
) -> Result<(Plan, restore::RestorePlan), RestoreError> {
    let catalog = inputs.catalog.normalized();
    // Resolved first: a catalog target nothing holds is an error before anything is planned.
    catalog_restores(&inputs.request, &catalog.history, &catalog)?;
    let planned = restore::plan_restore(&inputs.request, &catalog.history, &catalog)?;
    let plan = restore_plan_of(inputs, &planned, create);
    Ok((plan, planned))
}

/// One catalog snapshot a restore reads, and the external catalogs it brings back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogRestore {
    pub repository: String,
    pub snapshot: String,
    pub backup_timestamp: String,
    pub catalogs: Vec<String>,
}

/// What the catalog targets of a request come to: per catalog snapshot, the catalogs it
/// restores, and a sentence per catalog left out because the cluster already has one of
/// that name — StarRocks never replaces a catalog on RESTORE (`RestoreJob.checkAndPrepareMeta`
/// → `CatalogMgr.createCatalogForRestore` fails the whole job: `Failed to restore external
/// catalog, errmsg: …`), and starsnap does not drop one to make room.
///
/// A catalog comes from the newest finished catalog set holding it at the point: the latest,
/// the newest whose StarRocks `backup_time` is at or before `--at`, or the set of `--label`.
pub fn catalog_restores(
    request: &restore::RestoreRequest,
    history: &crate::catalog::History,
    live: &ObservedCatalog,
) -> Result<(Vec<CatalogRestore>, Vec<String>), RestoreError> {
    use std::collections::BTreeMap;
    let mut by_snapshot: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    let mut notes = Vec::new();
    let names: BTreeSet<&str> = request
        .targets
        .iter()
        .filter_map(|t| match t {
            restore::Target::Catalog(c) => Some(c.as_str()),
            _ => None,
        })
        .collect();
    // `group:NAME` brings back the group's external catalogs too, as `--all` does: each from
    // the group's newest catalog set holding it at the point. One the group's sets do not
    // hold at the point is said in a note (the databases are restored all the same).
    let mut of_groups: BTreeMap<&str, &str> = BTreeMap::new();
    for t in &request.targets {
        let restore::Target::Group(g) = t else {
            continue;
        };
        for b in history
            .backups
            .iter()
            .filter(|b| &b.group == g && b.database.is_empty())
        {
            for c in &b.catalogs {
                if !names.contains(c.as_str()) {
                    of_groups.entry(c.as_str()).or_insert(g.as_str());
                }
            }
        }
    }
    // Each catalog named, then each of a group's: (name, the group it comes with).
    let wanted = names
        .iter()
        .map(|n| (*n, None))
        .chain(of_groups.iter().map(|(n, g)| (*n, Some(*g))));
    for (name, group) in wanted {
        let Some(b) = catalog_backup(history, name, &request.point, group) else {
            let Some(group) = group else {
                return Err(RestoreError::UnknownTarget {
                    target: format!("catalog:{name}"),
                    why: match &request.point {
                        restore::Point::Label(l) => {
                            format!("the backup set of `{l}` is not a finished backup of external catalog `{name}`")
                        }
                        restore::Point::At { .. } => format!(
                            "no finished backup of external catalog `{name}` has a backup time at or before --at"
                        ),
                        restore::Point::Latest => {
                            format!("no finished backup holds external catalog `{name}`")
                        }
                    },
                });
            };
            notes.push(format!(
                "external catalog `{name}` of group `{group}` is not restored: no finished catalog set of the group holds it{}",
                match &request.point {
                    restore::Point::Label(l) => format!(" in the set of `{l}`"),
                    restore::Point::At { .. } => " with a backup time at or before --at".into(),
                    restore::Point::Latest => String::new(),
                }
            ));
            continue;
        };
        if live.external_catalogs.iter().any(|c| c == name) {
            notes.push(format!(
                "external catalog `{name}` is not restored: the cluster has a catalog of that name, and StarRocks does not replace one on RESTORE (DROP CATALOG it first to restore it from snapshot `{}`)",
                b.label
            ));
            continue;
        }
        let Some(ts) = b.snapshot_timestamp.clone() else {
            return Err(RestoreError::MissingSnapshotTimestamp {
                database: String::new(),
                label: b.label.clone(),
            });
        };
        by_snapshot
            .entry((b.repository.clone(), b.label.clone(), ts))
            .or_default()
            .push(name.to_string());
    }
    for names in by_snapshot.values_mut() {
        names.sort();
        names.dedup();
    }
    let restores = by_snapshot
        .into_iter()
        .map(
            |((repository, snapshot, backup_timestamp), catalogs)| CatalogRestore {
                repository,
                snapshot,
                backup_timestamp,
                catalogs,
            },
        )
        .collect();
    Ok((restores, notes))
}

/// The finished catalog backup that restores `name` at `point` (of `group`'s sets only,
/// when given).
fn catalog_backup<'a>(
    history: &'a crate::catalog::History,
    name: &str,
    point: &restore::Point,
    group: Option<&str>,
) -> Option<&'a crate::catalog::BackupRecord> {
    let mut holding = history.backups.iter().filter(|b| {
        b.database.is_empty()
            && b.state == crate::catalog::BackupState::Finished
            && b.catalogs.iter().any(|c| c == name)
            && group.is_none_or(|g| b.group == g)
    });
    match point {
        restore::Point::Label(l) => holding.rfind(|b| &b.label == l),
        restore::Point::At { epoch_ms } => holding
            .filter(|b| b.backup_time_ms.is_some_and(|t| t <= *epoch_ms))
            .max_by_key(|b| (b.backup_time_ms, b.created_at.clone())),
        restore::Point::Latest => holding.max_by_key(|b| (b.backup_time_ms, b.created_at.clone())),
    }
}

/// Every external catalog the history can restore at `point` (`restore --all`).
pub fn restorable_catalogs(
    history: &crate::catalog::History,
    point: &restore::Point,
) -> Vec<String> {
    let names: BTreeSet<&str> = history
        .backups
        .iter()
        .filter(|b| b.database.is_empty())
        .flat_map(|b| b.catalogs.iter().map(String::as_str))
        .collect();
    names
        .into_iter()
        .filter(|n| catalog_backup(history, n, point, None).is_some())
        .map(str::to_string)
        .collect()
}

/// The sealed plan of a restore already planned (`restore::plan_restore` over the inputs'
/// normalized catalog) — for a caller that leaves some databases out first (a drill leaves
/// out those whose snapshots SHOW SNAPSHOT no longer lists).
pub fn restore_plan_of(
    inputs: &RestoreInputs,
    planned: &restore::RestorePlan,
    create: Option<&crate::policy::RepositoryConfig>,
) -> Plan {
    let catalog = inputs.catalog.normalized();
    let dialect = crate::planner::dialect_of_version(&catalog.cluster.version);
    let drill = inputs.request.mode == restore::Mode::Drill;
    let mut steps: Vec<Step> = Vec::new();
    let create = create.filter(|r| catalog.repository(&r.name).is_none());
    if let Some(repo) = create {
        let mut step = crate::planner::create_repository_step(repo, dialect);
        step.detail = if repo.read_only {
            format!(
                "the repository the backups are in, read-only: this cluster reads `{}` and never writes to it",
                repo.name
            )
        } else {
            format!(
                "the repository the backups are in, writable: this cluster takes over the backups into `{}`",
                repo.name
            )
        };
        steps.push(step);
    }
    let first = steps.first().map(|s| s.id.clone());
    // External catalogs (none in a drill: it restores databases into scratch only). An
    // error here was reported by `restore_plan_creating` before planning.
    let (catalogs, notes) = if drill {
        (Vec::new(), Vec::new())
    } else {
        catalog_restores(&inputs.request, &catalog.history, &catalog).unwrap_or_default()
    };
    let mut read_snapshots = Vec::new();
    for c in &catalogs {
        let op = Op::RestoreCatalogs(super::RestoreCatalogsOp {
            repository: c.repository.clone(),
            snapshot: c.snapshot.clone(),
            backup_timestamp: c.backup_timestamp.clone(),
            catalogs: c.catalogs.clone(),
            timeout_s: inputs.request.timeout_s,
        });
        steps.push(Step {
            id: format!("restore/catalogs/{}", c.snapshot),
            reason: Reason::RestoreRequested,
            detail: format!(
                "create external catalog(s) {} as snapshot `{}` holds them (StarRocks restores their properties from the snapshot; none exists in the cluster)",
                c.catalogs
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                c.snapshot
            ),
            depends_on: first.iter().cloned().collect(),
            sql: op.review_sql(Dialect::StarRocks3_4),
            op,
        });
        read_snapshots.push(LabelRef {
            repository: c.repository.clone(),
            label: c.snapshot.clone(),
        });
    }
    for d in &planned.databases {
        steps.extend(steps_of(d, dialect, drill, first.as_deref()));
    }
    let mut observed = observe(planned, &catalog);
    for l in read_snapshots {
        if !observed.repositories.iter().any(|r| r.name == l.repository) {
            observed
                .repositories
                .push(ObservedRepository::of(l.repository.clone(), &catalog));
        }
        if !observed.snapshots.contains(&l) {
            observed.snapshots.push(l);
        }
    }
    // A catalog the restore creates must still be absent: one created since would fail the
    // job (StarRocks never replaces a catalog on RESTORE).
    observed.external_catalogs = catalogs
        .iter()
        .flat_map(|c| &c.catalogs)
        .map(|name| super::ObservedExternalCatalog {
            name: name.clone(),
            exists: false,
        })
        .collect();
    observed.external_catalogs.sort();
    observed.external_catalogs.dedup();
    observed.repositories.sort_by(|a, b| a.name.cmp(&b.name));
    observed.snapshots.sort();
    Plan {
        format_version: FORMAT_VERSION,
        starsnap_version: env!("CARGO_PKG_VERSION").to_string(),
        as_of: inputs.as_of.to_rfc3339(),
        dialect: dialect.as_str().to_string(),
        inputs_digest: digest(inputs, &catalog),
        fingerprint: String::new(),
        observed,
        summary: Summary::default(),
        steps,
        retention: Vec::new(),
        notes,
    }
    .seal()
}
