//! The actions of one database's restore, per mode (spec §9.1, §9.2, §9.5).
//!
//! Every object gets a *route*:
//! * `Alias` — swap mode, the table exists live and one snapshot label holds all it needs:
//!   `RESTORE … ON (TABLE t AS t__restored_<id>)` in the same database (a new name, §9.1), verify,
//!   `SWAP WITH`;
//! * `Scratch` — swap mode, the table exists live and several labels are needed: restore every
//!   label into a scratch database under the original name (a second snapshot's partitions can
//!   only be added onto a table with the snapshot's own name, §9.1), verify there, `CREATE TABLE
//!   LIKE` + `INSERT … SELECT` beside the live table, verify the copy (rows only: INSERT gives new
//!   versions), `SWAP WITH`;
//! * `Direct` — the target name does not exist (a dropped table, `--into`): restore under the
//!   original name; later labels add their partitions onto the table the first label created;
//! * `Live` — `--in-place` onto the existing table (destructive), then drop its partitions that
//!   are newer than the point.
//!
//! Adding partitions onto a table (a later label of `Direct`/`Scratch`, or a partition the live
//! table lacks for `Live`) works only for range partitioning (§9.2); anything else is refused.
//! Order: create databases, RESTORE jobs (chain order), drop newer partitions, verify every
//! copy, copies, swaps (the only steps touching live data in swap mode), MV activation, drops.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::point::Chosen;
use super::sources::{AtPoint, LabelRef, Object};
use super::{
    Action, ChosenLabel, ChosenSet, DatabaseRestore, ExpectedPartition, Mode, Note, ObjectKind,
    Onto, RestoreError, RestoreRequest, RestoreTable, Scope,
};
use crate::catalog::{Database, ObservedCatalog, Table, TableKind};

/// How one object gets from the snapshots to its place.
#[derive(Clone, Debug)]
enum Route {
    Alias(String),
    Scratch(String),
    Direct,
    Live { drop: Vec<String> },
}

/// One object to restore and its route.
struct Planned<'o, 'a> {
    object: &'o Object<'a>,
    labels: Vec<LabelRef<'a>>,
    route: Route,
}

/// The RESTORE job of one label into one target database.
#[derive(Default)]
struct Job {
    target: String,
    scratch: bool,
    tables: Vec<RestoreTable>,
    functions: Vec<String>,
    why: Vec<String>,
}

fn object_kind(kind: TableKind) -> ObjectKind {
    match kind {
        TableKind::View => ObjectKind::View,
        TableKind::MaterializedView => ObjectKind::MaterializedView,
        TableKind::Olap | TableKind::External => ObjectKind::Table,
    }
}

/// A short hex id: the request, the database and the chain's labels.
fn short_id(req: &RestoreRequest, chosen: &Chosen<'_>) -> String {
    let mut h = Sha256::new();
    h.update(b"starsnap restore 1\n");
    h.update(serde_json::to_vec(req).unwrap_or_default());
    h.update(format!("\n{}\n{}\n", chosen.database, chosen.group).as_bytes());
    for set in &chosen.sets {
        for r in &set.records {
            h.update(format!("{}\t{}\n", set.name, r.label).as_bytes());
        }
    }
    let hex = crate::catalog::digest_hex(&h.finalize());
    hex.chars().take(8).collect()
}

/// `base`, or `base_2`, `base_3`, … whichever is not taken; then taken.
fn unique(base: String, taken: &mut BTreeSet<String>) -> String {
    let mut name = base.clone();
    let mut n = 2u32;
    while taken.contains(&name) {
        name = format!("{base}_{n}");
        n = n.saturating_add(1);
    }
    taken.insert(name.clone());
    name
}

fn chain_of(chosen: &Chosen<'_>) -> Vec<ChosenSet> {
    chosen
        .sets
        .iter()
        .map(|s| ChosenSet {
            set: s.name.to_string(),
            kind: s.kind,
            parent: s.parent.map(str::to_string),
            backup_time_ms: s.time_ms,
            labels: s
                .records
                .iter()
                .map(|r| ChosenLabel {
                    label: r.label.clone(),
                    repository: r.repository.clone(),
                    snapshot_timestamp: r.snapshot_timestamp.clone(),
                    backup_time_ms: r.backup_time_ms,
                })
                .collect(),
        })
        .collect()
}

/// Refuses to add partitions onto a table that cannot get them (§9.2, §9.4).
fn check_assembly(
    database: &str,
    object: &Object<'_>,
    labels: &[LabelRef<'_>],
) -> Result<(), RestoreError> {
    let adds = object
        .partitioning
        .is_some_and(|p| p.restore_adds_partitions());
    if labels.len() > 1 && !adds {
        return Err(RestoreError::NeedsOneSnapshot {
            database: database.to_string(),
            table: object.name.to_string(),
            partitioning: object.partitioning,
            snapshots: labels.iter().map(|l| l.record.label.clone()).collect(),
        });
    }
    Ok(())
}

fn kinds_match(database: &str, object: &Object<'_>, live: &Table) -> Result<(), RestoreError> {
    if live.kind == object.kind {
        return Ok(());
    }
    Err(RestoreError::KindDiffers {
        database: database.to_string(),
        object: object.name.to_string(),
        live: live.kind.as_str().to_lowercase().replace('_', " "),
        snapshot: object.kind.as_str().to_lowercase().replace('_', " "),
    })
}

fn same_schema(object: &Object<'_>, live: &Table) -> bool {
    !object.schema_fingerprint.is_empty() && object.schema_fingerprint == live.schema_fingerprint
}

/// What routing an object that exists live needs to know.
struct LiveCtx<'x> {
    database: &'x str,
    id: &'x str,
    in_place: bool,
}

/// The route of an object that exists live, in swap or in-place mode (`None`: left alone).
fn live_route(
    ctx: &LiveCtx<'_>,
    object: &Object<'_>,
    labels: &[LabelRef<'_>],
    live: &Table,
    names: &mut BTreeSet<String>,
    notes: &mut Vec<Note>,
) -> Result<Option<Route>, RestoreError> {
    let LiveCtx {
        database,
        id,
        in_place,
    } = *ctx;
    kinds_match(database, object, live)?;
    let note = |text: &str| Note {
        object: format!("{database}.{}", object.name),
        text: text.to_string(),
    };
    match object.kind {
        TableKind::MaterializedView => {
            notes.push(note("exists live: StarRocks skips an existing active materialized view in a restore (§9.3); it is re-activated once its base tables are restored"));
            return Ok(None);
        }
        TableKind::View if same_schema(object, live) => {
            notes.push(note(
                "exists live with the definition it had in the backup; left as is",
            ));
            return Ok(None);
        }
        TableKind::View if !in_place => {
            notes.push(note("exists live with another definition; a view cannot be swapped (§5): restore it --in-place to replace it, or --into another database"));
            return Ok(None);
        }
        TableKind::View => return Ok(Some(Route::Live { drop: Vec::new() })),
        TableKind::Olap | TableKind::External => {}
    }
    if !in_place {
        let alias = unique(format!("{}__restored_{id}", object.name), names);
        if labels.len() == 1 {
            return Ok(Some(Route::Alias(alias)));
        }
        check_assembly(database, object, labels)?;
        return Ok(Some(Route::Scratch(alias)));
    }
    if !object.schema_fingerprint.is_empty()
        && !live.schema_fingerprint.is_empty()
        && !same_schema(object, live)
    {
        return Err(RestoreError::SchemaDiffers {
            database: database.to_string(),
            table: object.name.to_string(),
            live: live.schema_fingerprint.clone(),
            snapshot: object.schema_fingerprint.to_string(),
        });
    }
    let live_parts: BTreeSet<&str> = live.partitions.iter().map(|p| p.name.as_str()).collect();
    let missing: Vec<String> = object
        .partitions
        .keys()
        .filter(|p| !live_parts.contains(*p))
        .map(|p| (*p).to_string())
        .collect();
    let adds = object
        .partitioning
        .is_some_and(|p| p.restore_adds_partitions());
    if !missing.is_empty() && !adds {
        return Err(RestoreError::InPlaceMissingPartitions {
            database: database.to_string(),
            table: object.name.to_string(),
            partitioning: object.partitioning,
            partitions: missing,
        });
    }
    let drop: Vec<String> = live_parts
        .iter()
        .filter(|p| !object.partitions.contains_key(*p))
        .map(|p| (*p).to_string())
        .collect();
    Ok(Some(Route::Live { drop }))
}

fn expected(object: &Object<'_>, versions: bool) -> Vec<ExpectedPartition> {
    object
        .partitions
        .iter()
        .map(|(name, read)| ExpectedPartition {
            name: (*name).to_string(),
            visible_version: versions.then_some(read.entry.visible_version),
            rows: read.entry.rows,
        })
        .collect()
}

fn verify(database: &str, table: &str, object: &Object<'_>, versions: bool) -> Action {
    Action::Verify {
        database: database.to_string(),
        table: table.to_string(),
        kind: object_kind(object.kind),
        schema_fingerprint: object.schema_fingerprint.to_string(),
        partitions: expected(object, versions),
    }
}

/// The objects the scope asks for, by name.
fn selected<'o, 'a>(
    database: &str,
    scope: &Scope,
    chosen: &Chosen<'_>,
    at: &'o AtPoint<'a>,
) -> Result<Vec<&'o Object<'a>>, RestoreError> {
    for table in &scope.tables {
        if !at.objects.contains_key(table.as_str()) {
            let tip = chosen.sets.last().map(|s| s.name).unwrap_or_default();
            return Err(RestoreError::UnknownTarget {
                target: format!("{database}.{table}"),
                why: format!(
                    "the chain of `{database}` up to set `{tip}` does not hold it (objects: {})",
                    at.objects.keys().copied().collect::<Vec<_>>().join(", ")
                ),
            });
        }
    }
    Ok(at
        .objects
        .values()
        .filter(|o| scope.whole || scope.tables.contains(o.name))
        .collect())
}

/// The restore of one source database.
pub(super) fn database(
    req: &RestoreRequest,
    live: &ObservedCatalog,
    database: &str,
    scope: &Scope,
    chosen: &Chosen<'_>,
    at: &AtPoint<'_>,
) -> Result<DatabaseRestore, RestoreError> {
    let id = short_id(req, chosen);
    let live_db: Option<&Database> = live.database(database);
    // A drill restores into a scratch database of its own, under a name free now.
    let drill_db = (req.mode == Mode::Drill).then(|| {
        let mut taken: BTreeSet<String> = live.databases.iter().map(|d| d.name.clone()).collect();
        unique(format!("{database}__starsnap_drill_{id}"), &mut taken)
    });
    // The database restored into under the original names (`--into`, a drill), if any.
    let into: Option<&str> = match &req.mode {
        Mode::Into { database: into } => Some(into.as_str()),
        Mode::Drill => drill_db.as_deref(),
        Mode::Swap { .. } | Mode::InPlace => None,
    };
    let (target_db, target_live): (&str, Option<&Database>) = match into {
        Some(into) => (into, live.database(into)),
        None => (database, live_db),
    };
    let mut names: BTreeSet<String> = target_live
        .map(|d| d.tables.iter().map(|t| t.name.clone()).collect())
        .unwrap_or_default();
    let mut notes = Vec::new();
    let mut planned: Vec<Planned<'_, '_>> = Vec::new();
    for object in selected(database, scope, chosen, at)? {
        let labels = object.labels();
        let existing = target_live.and_then(|d| d.table(object.name));
        let route = match (&req.mode, existing) {
            (_, Some(_)) if into.is_some() => {
                return Err(RestoreError::IntoTargetExists {
                    database: target_db.to_string(),
                    object: object.name.to_string(),
                })
            }
            (_, None) => {
                check_assembly(database, object, &labels)?;
                Some(Route::Direct)
            }
            (mode, Some(table)) => live_route(
                &LiveCtx {
                    database,
                    id: &id,
                    in_place: *mode == Mode::InPlace,
                },
                object,
                &labels,
                table,
                &mut names,
                &mut notes,
            )?,
        };
        if let Some(route) = route {
            planned.push(Planned {
                object,
                labels,
                route,
            });
        }
    }
    if scope.whole && into.is_none() {
        for t in live_db.map(|d| d.tables.as_slice()).unwrap_or_default() {
            if !at.objects.contains_key(t.name.as_str()) {
                notes.push(Note {
                    object: format!("{database}.{}", t.name),
                    text: "exists live but not in the backups at this point; left as is"
                        .to_string(),
                });
            }
        }
    }

    let scratch_db = planned
        .iter()
        .any(|p| matches!(p.route, Route::Scratch(_)))
        .then(|| {
            let mut taken: BTreeSet<String> =
                live.databases.iter().map(|d| d.name.clone()).collect();
            unique(format!("{database}__starsnap_restore_{id}"), &mut taken)
        });

    // One RESTORE per label and target database, in chain order.
    let mut jobs: BTreeMap<(usize, String, u8), (LabelRef<'_>, Job)> = BTreeMap::new();
    for p in &planned {
        let single = p.labels.len() == 1;
        for (i, label) in p.labels.iter().enumerate() {
            let (target, scratch, alias) = match &p.route {
                Route::Alias(a) => (database, false, Some(a.clone())),
                Route::Scratch(_) => (scratch_db.as_deref().unwrap_or(database), true, None),
                // A drill's database is a scratch database of the plan.
                Route::Direct => (target_db, drill_db.is_some(), None),
                Route::Live { .. } => (database, false, None),
            };
            let onto = match (&p.route, i) {
                (Route::Live { .. }, _) => Onto::Live,
                (_, 0) => Onto::New,
                _ => Onto::Assembled,
            };
            let partitions: Vec<String> = if single {
                Vec::new()
            } else {
                p.object
                    .read_from(label)
                    .into_iter()
                    .map(str::to_string)
                    .collect()
            };
            let key = (
                label.set_index,
                label.record.label.clone(),
                u8::from(scratch),
            );
            let (_, job) = jobs.entry(key).or_insert_with(|| {
                (
                    *label,
                    Job {
                        target: target.to_string(),
                        scratch,
                        ..Job::default()
                    },
                )
            });
            if onto == Onto::Live {
                let what = if partitions.is_empty() {
                    "its partitions".to_string()
                } else {
                    format!("partition(s) {}", partitions.join(", "))
                };
                job.why.push(format!(
                    "--in-place: {what} of live table `{database}.{}` are overwritten with the snapshot's",
                    p.object.name
                ));
            }
            job.tables.push(RestoreTable {
                table: p.object.name.to_string(),
                alias,
                kind: object_kind(p.object.kind),
                partitions,
                onto,
            });
        }
    }
    if let (true, Some((label, functions))) = (scope.whole, at.functions) {
        let existing: BTreeSet<&str> = target_live
            .map(|d| d.functions.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let mut wanted = Vec::new();
        for f in functions {
            if existing.contains(f.as_str()) {
                notes.push(Note {
                    object: format!("{target_db}.{f}"),
                    text: "function exists live; left as is".to_string(),
                });
            } else {
                wanted.push(f.clone());
            }
        }
        if !wanted.is_empty() {
            // Into the database the objects go to: a drill's scratch database is one job with
            // the tables of the same snapshot.
            let scratch = drill_db.is_some();
            let key = (
                label.set_index,
                label.record.label.clone(),
                u8::from(scratch),
            );
            let (_, job) = jobs.entry(key).or_insert_with(|| {
                (
                    label,
                    Job {
                        target: target_db.to_string(),
                        scratch,
                        ..Job::default()
                    },
                )
            });
            job.functions = wanted;
        }
    }

    let mut actions = Vec::new();
    if let Some(scratch) = &scratch_db {
        actions.push(Action::CreateDatabase {
            database: scratch.clone(),
            scratch: true,
        });
    }
    if let (Some(into), None, false) = (into, target_live, jobs.is_empty()) {
        actions.push(Action::CreateDatabase {
            database: into.to_string(),
            scratch: drill_db.is_some(),
        });
    }
    for (label, job) in jobs.into_values() {
        let record = label.record;
        let backup_timestamp = record.snapshot_timestamp.clone().ok_or_else(|| {
            RestoreError::MissingSnapshotTimestamp {
                database: database.to_string(),
                label: record.label.clone(),
            }
        })?;
        actions.push(Action::Restore {
            repository: record.repository.clone(),
            snapshot: record.label.clone(),
            backup_timestamp,
            source_database: database.to_string(),
            target_database: job.target,
            scratch: job.scratch,
            tables: job.tables,
            functions: job.functions,
            replication_num: req.replication_num,
            timeout_s: req.timeout_s,
            why: (!job.why.is_empty()).then(|| job.why.join("; ")),
        });
    }
    for p in &planned {
        if let Route::Live { drop } = &p.route {
            if !drop.is_empty() {
                actions.push(Action::DropPartitions {
                    database: database.to_string(),
                    table: p.object.name.to_string(),
                    partitions: drop.clone(),
                    why: "--in-place: partitions created after the restore point".to_string(),
                });
            }
        }
    }
    for p in &planned {
        let name = p.object.name;
        actions.push(match &p.route {
            Route::Alias(alias) => verify(database, alias, p.object, true),
            Route::Scratch(_) => verify(
                scratch_db.as_deref().unwrap_or(database),
                name,
                p.object,
                true,
            ),
            Route::Direct => verify(target_db, name, p.object, true),
            Route::Live { .. } => verify(database, name, p.object, true),
        });
    }
    for p in &planned {
        if let (Route::Scratch(alias), Some(scratch)) = (&p.route, &scratch_db) {
            let name = p.object.name.to_string();
            actions.push(Action::CreateTableLike {
                database: database.to_string(),
                table: alias.clone(),
                like_database: scratch.clone(),
                like_table: name.clone(),
            });
            actions.push(Action::Copy {
                database: database.to_string(),
                table: alias.clone(),
                from_database: scratch.clone(),
                from_table: name,
            });
            actions.push(verify(database, alias, p.object, false));
        }
    }
    let mut swapped = Vec::new();
    for p in &planned {
        if let Route::Alias(alias) | Route::Scratch(alias) = &p.route {
            actions.push(Action::Swap {
                database: database.to_string(),
                table: p.object.name.to_string(),
                with: alias.clone(),
            });
            swapped.push((p.object.name, alias));
        }
    }
    // MVs: the restored ones, and (swap, in place) every live MV of the database once a base
    // table may have changed under it (§9.3: swapped or restored base tables make MVs inactive).
    let mut activate: BTreeSet<&str> = planned
        .iter()
        .filter(|p| p.object.kind == TableKind::MaterializedView)
        .map(|p| p.object.name)
        .collect();
    let live_changed = planned.iter().any(|p| {
        p.object.kind != TableKind::MaterializedView
            && matches!(
                p.route,
                Route::Alias(_) | Route::Scratch(_) | Route::Live { .. }
            )
    });
    if into.is_none() {
        for t in live_db.map(|d| d.tables.as_slice()).unwrap_or_default() {
            let asked = scope.whole || scope.tables.contains(&t.name);
            if t.kind == TableKind::MaterializedView && (live_changed || asked) {
                activate.insert(t.name.as_str());
            }
        }
    }
    for mv in activate {
        actions.push(Action::Activate {
            database: target_db.to_string(),
            materialized_view: mv.to_string(),
        });
    }
    if let Mode::Swap { drop_old: true } = req.mode {
        for (table, alias) in &swapped {
            actions.push(Action::DropTable {
                database: database.to_string(),
                table: (*alias).clone(),
                why: format!(
                    "--drop-old: the data `{database}.{table}` had before the restore, under this name since the swap"
                ),
            });
        }
    }
    if let Some(scratch) = scratch_db {
        actions.push(Action::DropDatabase {
            database: scratch,
            scratch: true,
        });
    }
    // A drill leaves nothing behind: its database goes once everything was checked.
    if let (Some(drill), true) = (drill_db, target_live.is_none()) {
        actions.push(Action::DropDatabase {
            database: drill,
            scratch: true,
        });
    }
    Ok(DatabaseRestore {
        source_database: database.to_string(),
        group: chosen.group.clone(),
        id,
        chain: chain_of(chosen),
        actions,
        notes,
    })
}
