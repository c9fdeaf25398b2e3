//! The restore planner: which snapshots to read, and in what order to restore, verify, copy
//! and swap, to bring tables or databases back to a point the backups cover. Pure (no I/O,
//! no clock, no environment): the same request, history and observed catalog always give the
//! same [`RestorePlan`] (ARCHITECTURE.md, invariant 1). The output is a neutral, typed list of
//! [`Action`]s per source database; the plan module turns them into plan steps and SQL.
//!
//! What it respects (`shared/spec/starrocks-3.4.md` §9):
//! * **Point** ([`point`]): per database, the newest *finished* set (every chunk label
//!   FINISHED) at or before the requested time, compared on StarRocks's epoch `backup_time`
//!   only — never on the FE-zone `snapshot_timestamp` strings; then its ancestors through
//!   `parent` back to the full.
//! * **Minimal reads** (§9.4, [`sources`]): every partition comes from the newest set of the
//!   chain that holds it, each is read exactly once, one RESTORE per snapshot label and target
//!   database, oldest first, the same `replication_num` in every job.
//! * **Onto existing tables** (§9.1, §9.2): a second snapshot's partitions can only be added
//!   onto a table with the snapshot's own name, and only RANGE / expression-range tables get
//!   partitions added. So a table read from several snapshots is assembled under its own name
//!   (in a scratch database, in the `--into` database, or in place of a dropped table), and a
//!   LIST-partitioned or unpartitioned one must come from one snapshot ([`RestoreError::NeedsOneSnapshot`]).
//! * **To the live name** (§9.5, §5): a copy in the same database under a new name is swapped
//!   in with `SWAP WITH`; a copy in a scratch database goes through `CREATE TABLE LIKE` +
//!   `INSERT … SELECT` first. Every copy is verified before anything live is touched.
//! * **Materialized views** (§9.3): re-activated after their base tables are in place; an
//!   existing active MV is not restored (StarRocks skips it silently).

mod build;
mod error;
mod point;
mod sources;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::catalog::{BackupKind, History, ObservedCatalog};

pub use error::RestoreError;

/// What to restore, to when, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RestoreRequest {
    pub targets: Vec<Target>,
    pub point: Point,
    pub mode: Mode,
    /// The `replication_num` of every RESTORE job (the caller caps it by the alive backends).
    pub replication_num: u32,
    /// The `timeout` of every RESTORE job, in seconds (StarRocks requires ≥ 600).
    pub timeout_s: u64,
    /// A drill's run id. It goes into the scratch databases' names, so each drill's plan is
    /// its own: a drill never counts as resuming an earlier drill of the same sets (whose
    /// steps apply would find done, restoring nothing). `None` for a restore, whose plan
    /// made again is the same plan (and resumes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
}

/// One thing to restore.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// One table, view or materialized view.
    Table { database: String, table: String },
    /// The whole database as the snapshots hold it: tables, views, MVs, functions.
    Database { database: String },
    /// Every database a group backs up, whole.
    Group(String),
    /// An external catalog, from the newest catalog set holding it at the point
    /// (`plan::restore`'s catalog steps; the database planner does not see it).
    Catalog(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Table { database, table } => write!(f, "{database}.{table}"),
            Target::Database { database } => f.write_str(database),
            Target::Group(g) => write!(f, "group:{g}"),
            Target::Catalog(c) => write!(f, "catalog:{c}"),
        }
    }
}

/// Which point of the backups to restore.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Point {
    /// The newest finished set.
    Latest,
    /// The newest finished set whose StarRocks `backup_time` is at or before `epoch_ms`.
    At { epoch_ms: i64 },
    /// The set holding this label.
    Label(String),
}

/// Where the restored data goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Assemble beside the live table, verify, `SWAP WITH` (§9.5); the old data stays under
    /// the copy's name unless `drop_old`.
    Swap { drop_old: bool },
    /// Into another database under the original names; nothing live is touched.
    Into { database: String },
    /// Onto the live tables; partitions newer than the point are dropped.
    InPlace,
    /// A restore drill: each database into a scratch database of its own (a free name,
    /// `<db>__starsnap_drill_<id>`, the id from the sets and the drill's run) under the original
    /// names, verified there, then dropped.
    /// Nothing live is touched.
    Drill,
}

/// The restore, per source database (sorted by name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RestorePlan {
    pub databases: Vec<DatabaseRestore>,
}

impl RestorePlan {
    /// How many actions are destructive (computed from their kinds).
    pub fn destructive_count(&self) -> usize {
        self.databases
            .iter()
            .flat_map(|d| &d.actions)
            .filter(|a| a.is_destructive())
            .count()
    }
}

/// The restore of one source database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatabaseRestore {
    pub source_database: String,
    /// The group whose chain is read.
    pub group: String,
    /// A short hex id, a digest of the request and the chain; generated names carry it.
    pub id: String,
    /// The sets read, full first, tip last.
    pub chain: Vec<ChosenSet>,
    /// In execution order.
    pub actions: Vec<Action>,
    /// Objects deliberately left alone, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// One set of the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChosenSet {
    pub set: String,
    pub kind: BackupKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The latest `backup_time` of its labels (when every label has one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_time_ms: Option<i64>,
    /// Its snapshot labels, sorted.
    pub labels: Vec<ChosenLabel>,
}

/// One snapshot label of a chosen set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChosenLabel {
    pub label: String,
    pub repository: String,
    /// `yyyy-MM-dd-HH-mm-ss-SSS` in the FE's zone: passed to RESTORE, never compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_time_ms: Option<i64>,
}

/// Something the plan leaves alone on purpose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// `db.object` or `db` (functions).
    pub object: String,
    pub text: String,
}

/// What kind of object a restore names (`TABLE`, `VIEW`, `MATERIALIZED VIEW`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Table,
    View,
    MaterializedView,
}

/// What a RESTORE does to the table it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Onto {
    /// Creates the table (its target name does not exist).
    New,
    /// Adds partitions to a table an earlier RESTORE of this plan created (same name, §9.1).
    Assembled,
    /// Overwrites partitions of a table that existed before the plan: destructive.
    Live,
}

/// One object of a RESTORE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RestoreTable {
    /// The name in the snapshot.
    pub table: String,
    /// `AS alias`: the name in the target database when not the snapshot's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub kind: ObjectKind,
    /// The partitions to read; empty = the whole object as the snapshot holds it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<String>,
    pub onto: Onto,
}

/// What a verification expects of one partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExpectedPartition {
    pub name: String,
    /// The snapshot's visible version; `None` when the data went through INSERT (new versions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible_version: Option<i64>,
    /// The row count recorded with the backup (`None` when not recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<i64>,
}

/// One step of a restore, in execution order. Each names exactly what it touches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// A database the restore needs (a scratch database, or the `--into` database).
    CreateDatabase { database: String, scratch: bool },
    /// `RESTORE SNAPSHOT snapshot FROM repository DATABASE source_database [AS target_database]
    /// ON (…) PROPERTIES ("backup_timestamp", "replication_num", "timeout")`.
    Restore {
        repository: String,
        snapshot: String,
        backup_timestamp: String,
        source_database: String,
        target_database: String,
        /// The target is a scratch database of this plan.
        scratch: bool,
        tables: Vec<RestoreTable>,
        /// `FUNCTION f` items.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        functions: Vec<String>,
        replication_num: u32,
        timeout_s: u64,
        /// Why live data is overwritten (set exactly when a table is restored onto live).
        #[serde(skip_serializing_if = "Option::is_none")]
        why: Option<String>,
    },
    /// `CREATE TABLE database.table LIKE like_database.like_table`.
    CreateTableLike {
        database: String,
        table: String,
        like_database: String,
        like_table: String,
    },
    /// `INSERT INTO database.table SELECT * FROM from_database.from_table`.
    Copy {
        database: String,
        table: String,
        from_database: String,
        from_table: String,
    },
    /// The object exists with this schema and exactly these partitions, each with the
    /// expected version and row count. A mismatch stops the restore before any swap.
    Verify {
        database: String,
        table: String,
        kind: ObjectKind,
        schema_fingerprint: String,
        partitions: Vec<ExpectedPartition>,
    },
    /// `ALTER TABLE database.table SWAP WITH with`: the live name gets the restored data, the
    /// old data takes the name `with`.
    Swap {
        database: String,
        table: String,
        with: String,
    },
    /// `ALTER MATERIALIZED VIEW database.materialized_view ACTIVE`.
    Activate {
        database: String,
        materialized_view: String,
    },
    /// `ALTER TABLE database.table DROP PARTITION p` for each (in place: newer than the point).
    DropPartitions {
        database: String,
        table: String,
        partitions: Vec<String>,
        why: String,
    },
    /// `DROP TABLE database.table`.
    DropTable {
        database: String,
        table: String,
        why: String,
    },
    /// `DROP DATABASE database` (a scratch database this plan created).
    DropDatabase { database: String, scratch: bool },
}

impl Action {
    /// Whether the action can lose data that existed before the plan (invariant 9). Decided
    /// from the kind alone, never from a flag in a file.
    pub fn is_destructive(&self) -> bool {
        match self {
            Action::Restore { tables, .. } => tables.iter().any(|t| t.onto == Onto::Live),
            Action::Swap { .. } | Action::DropPartitions { .. } | Action::DropTable { .. } => true,
            Action::DropDatabase { scratch, .. } => !scratch,
            Action::CreateDatabase { .. }
            | Action::CreateTableLike { .. }
            | Action::Copy { .. }
            | Action::Verify { .. }
            | Action::Activate { .. } => false,
        }
    }

    /// The database the action changes or reads as its target.
    pub fn database(&self) -> &str {
        match self {
            Action::Restore {
                target_database, ..
            } => target_database,
            Action::CreateDatabase { database, .. }
            | Action::CreateTableLike { database, .. }
            | Action::Copy { database, .. }
            | Action::Verify { database, .. }
            | Action::Swap { database, .. }
            | Action::Activate { database, .. }
            | Action::DropPartitions { database, .. }
            | Action::DropTable { database, .. }
            | Action::DropDatabase { database, .. } => database,
        }
    }
}

/// What the request asks of one source database.
#[derive(Clone, Debug, Default)]
struct Scope {
    whole: bool,
    tables: BTreeSet<String>,
    group: Option<String>,
}

/// Plans a restore. `history` is starsnap's backup history; `live` the observed cluster (its
/// own `history` field is not read).
pub fn plan_restore(
    req: &RestoreRequest,
    history: &History,
    live: &ObservedCatalog,
) -> Result<RestorePlan, RestoreError> {
    if req.targets.is_empty() {
        return Err(RestoreError::NoTargets);
    }
    // External catalogs are planned beside the databases (`plan::restore`).
    let scopes = scopes(req, history)?;
    if let Mode::Into { database } = &req.mode {
        if scopes.len() > 1 {
            return Err(RestoreError::IntoSeveralDatabases {
                databases: scopes.keys().cloned().collect(),
            });
        }
        if scopes.contains_key(database) {
            return Err(RestoreError::IntoSameDatabase {
                database: database.clone(),
            });
        }
    }
    let mut databases = Vec::new();
    for (database, scope) in &scopes {
        let chosen = point::choose(req, history, database, scope)?;
        let at_point = sources::at_point(&chosen, live.database(database));
        databases.push(build::database(
            req, live, database, scope, &chosen, &at_point,
        )?);
    }
    Ok(RestorePlan { databases })
}

/// Targets grouped by source database.
fn scopes(
    req: &RestoreRequest,
    history: &History,
) -> Result<BTreeMap<String, Scope>, RestoreError> {
    let mut scopes: BTreeMap<String, Scope> = BTreeMap::new();
    for target in &req.targets {
        match target {
            Target::Table { database, table } => {
                scopes
                    .entry(database.clone())
                    .or_default()
                    .tables
                    .insert(table.clone());
            }
            Target::Database { database } => {
                scopes.entry(database.clone()).or_default().whole = true;
            }
            Target::Catalog(_) => {}
            Target::Group(group) => {
                let dbs: BTreeSet<&str> = history
                    .backups
                    .iter()
                    .filter(|b| &b.group == group && !b.database.is_empty())
                    .map(|b| b.database.as_str())
                    .collect();
                // A group that backs up only external catalogs is restored by its catalog
                // steps (`plan::catalog_restores`).
                let catalogs = history
                    .backups
                    .iter()
                    .any(|b| &b.group == group && b.database.is_empty());
                if dbs.is_empty() && !catalogs {
                    return Err(RestoreError::UnknownTarget {
                        target: target.to_string(),
                        why: format!("no backup of group `{group}` in starsnap's history"),
                    });
                }
                for db in dbs {
                    let scope = scopes.entry(db.to_string()).or_default();
                    scope.whole = true;
                    match &scope.group {
                        Some(other) if other != group => {
                            return Err(RestoreError::SeveralGroups {
                                database: db.to_string(),
                                groups: vec![other.clone(), group.clone()],
                            })
                        }
                        _ => scope.group = Some(group.clone()),
                    }
                }
            }
        }
    }
    Ok(scopes)
}
