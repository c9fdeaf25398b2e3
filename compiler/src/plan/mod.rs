//! The plan: the whole contract between `starsnap plan` and `starsnap apply` (invariant 2),
//! and the only module that knows its wire format (invariant 4; `grammar/plan.schema.json`).
//!
//! * [`build`] (re-exported from the planner) compiles policy + statements + observed catalog
//!   + `as_of` into a [`Plan`];
//! * [`to_canonical_json`] writes it: sorted keys, two-space indent, trailing newline,
//!   integers only — the same inputs give the same bytes;
//! * [`from_json`] reads one back and refuses a `format_version` this build does not know;
//! * [`render`] turns one into text (terraform-style), markdown (a PR comment) or a diff;
//! * [`staleness`] says what moved between the plan's `observed` and a fresh observation.

pub mod canonical;
mod read;
pub mod render;
mod restore;
mod stale;
pub mod step;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::catalog::BackupKind;
pub use crate::planner::{build, FileDiagnostics, PlanInputs, Planned, StatementFile};
pub use read::{check, from_json, PlanReadError};
pub use restore::{
    catalog_restores, restorable_catalogs, restore_plan, restore_plan_creating, restore_plan_of,
    CatalogRestore, RestoreInputs,
};
pub use stale::{dependencies, staleness, Dependencies, Moved};
pub use step::{
    ActivateOp, BackupOp, Chunk, CopyOp, CreateRepositoryOp, CreateTableLikeOp, DatabaseOp,
    DropPartitionsOp, ExpectedPartition, ExpireHow, ExpireLabel, ExpireOp, ObjectKind, Onto, Op,
    PartitionVersion, RepositoryProperty, RestoreCatalogsOp, RestoreOp, RestoreTable, SourceRef,
    SqlOp, Step, StepObject, StepPartition, SwapOp, TableOp, VerifyOp, CATALOG_JOB_LEASE,
};

/// The plan format this build writes (it also reads [`FORMAT_VERSION_1`]).
pub const FORMAT_VERSION: u32 = 2;

/// The first plan format: untyped steps; read and converted to typed steps.
pub const FORMAT_VERSION_1: u32 = 1;

/// A plan (format_version 2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub format_version: u32,
    /// The starsnap version that made the plan.
    pub starsnap_version: String,
    /// The instant the plan was made for (RFC 3339 UTC). An input, never the clock.
    pub as_of: String,
    /// The StarRocks dialect the statements are printed for (the cluster's version).
    pub dialect: String,
    /// sha256 hex of the canonical inputs (policy, statement files, catalog, as_of) — or, for
    /// a restore plan, of the request and what it was planned from.
    pub inputs_digest: String,
    /// sha256 hex of the plan's canonical JSON without this field ([`fingerprint`]): apply
    /// refuses a plan whose body does not match it. It covers `inputs_digest`, so it
    /// changes with any input.
    pub fingerprint: String,
    /// What apply must re-observe; if any of it moved, the plan is stale.
    pub observed: Observed,
    /// In execution order; `depends_on` makes the order explicit.
    pub steps: Vec<Step>,
    pub summary: Summary,
    /// For review only (apply never reads it): where the plan expires sets, every set
    /// retention keeps there and the rules that keep it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retention: Vec<RetentionKept>,
    /// For review only (apply never reads it): what the plan leaves out on purpose and why
    /// (an external catalog a restore does not bring back because the cluster has one of
    /// that name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The sets retention keeps in one group's database and repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionKept {
    pub group: String,
    pub database: String,
    pub repository: String,
    /// Newest first.
    pub kept: Vec<KeptSet>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeptSet {
    pub set: String,
    /// `last`, `daily`, `weekly`, `monthly`, `within`, `newest chain`, `min_chains`,
    /// `ancestor of <set>`, `planned` (the set this plan backs up).
    pub rules: Vec<String>,
}

/// The slice of cluster state the plan depends on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// `@@version_comment` of the cluster.
    pub cluster_version: String,
    /// Every table a group covers: kind, schema and a digest of its partitions
    /// (`catalog::partitions_digest`), so apply can tell which table moved.
    pub tables: Vec<ObservedTable>,
    /// Every partition a step backs up, with the id and version observed.
    pub partitions: Vec<ObservedPartition>,
    /// Every repository the plan uses, and whether it existed.
    pub repositories: Vec<ObservedRepository>,
    /// Labels the plan creates: they must still be absent from their repository.
    pub absent_labels: Vec<LabelRef>,
    /// Snapshots a restore reads: they must still be in their repository.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<LabelRef>,
    /// The tip of each chain a backup step extends or replaces, as the history said: a set
    /// finished since (another apply) makes the plan stale, so no chain is ever forked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain_tips: Vec<ChainTip>,
    /// Names a restore creates (a scratch database, a copy beside the live table): they must
    /// still be free, so a table or database that appeared under one is never written into,
    /// overwritten or dropped. `table` empty: the database itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent_objects: Vec<ObjectRef>,
    /// The external catalogs the plan's catalog steps name, and whether each existed: a
    /// catalog a backup names must still exist (`exists`), one a restore creates must still
    /// be absent (StarRocks fails a RESTORE rather than replace a catalog).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_catalogs: Vec<ObservedExternalCatalog>,
}

/// An external catalog as the plan saw it (SHOW CATALOGS): there or not.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedExternalCatalog {
    pub name: String,
    pub exists: bool,
}

/// A database (`table` empty) or a table in it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectRef {
    pub database: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub table: String,
}

/// The newest set of a group's chain in one database and repository (`None`: no chain).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainTip {
    pub group: String,
    pub database: String,
    pub repository: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedTable {
    pub database: String,
    pub table: String,
    pub kind: String,
    pub schema_fingerprint: String,
    pub partition_count: u64,
    pub partitions_digest: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedPartition {
    pub database: String,
    pub table: String,
    pub partition: String,
    pub partition_id: i64,
    pub visible_version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedRepository {
    pub name: String,
    pub exists: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

impl ObservedRepository {
    /// Repository `name` as `catalog` shows it (or its absence).
    pub fn of(name: String, catalog: &crate::catalog::ObservedCatalog) -> ObservedRepository {
        match catalog.repository(&name) {
            Some(r) => ObservedRepository {
                name,
                exists: true,
                location: Some(r.location.clone()),
                read_only: Some(r.read_only),
            },
            None => ObservedRepository {
                name,
                exists: false,
                location: None,
                read_only: None,
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelRef {
    pub repository: String,
    pub label: String,
}

/// What a step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    CreateRepository,
    Backup,
    Restore,
    /// External catalogs restored from a catalog snapshot.
    RestoreCatalogs,
    Swap,
    DropRepository,
    DropSnapshot,
    Sql,
    CreateDatabase,
    CreateTableLike,
    Copy,
    Verify,
    Activate,
    DropTable,
    DropPartitions,
    DropDatabase,
    /// A backup set retention lets go.
    Expire,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::CreateRepository => "create_repository",
            Action::Backup => "backup",
            Action::Restore => "restore",
            Action::RestoreCatalogs => "restore_catalogs",
            Action::Swap => "swap",
            Action::DropRepository => "drop_repository",
            Action::DropSnapshot => "drop_snapshot",
            Action::Sql => "sql",
            Action::CreateDatabase => "create_database",
            Action::CreateTableLike => "create_table_like",
            Action::Copy => "copy",
            Action::Verify => "verify",
            Action::Activate => "activate",
            Action::DropTable => "drop_table",
            Action::DropPartitions => "drop_partitions",
            Action::DropDatabase => "drop_database",
            Action::Expire => "expire",
        }
    }
}

/// Why a step is in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No usable full backup in the chain.
    FirstFull,
    /// The last full is older than the group's `full_every`.
    FullDue,
    /// A table's schema fingerprint differs from the last backup's.
    SchemaChanged,
    /// A partition's id changed under the same name (dropped and re-created, or replaced).
    PartitionReplaced,
    /// A backed-up partition (or table) is gone.
    PartitionDropped,
    /// The chain reached `max_chain_length`.
    ChainFull,
    /// Partitions whose id or visible version changed, and new partitions.
    PartitionsChanged,
    /// A hand-written statement from a `[[statement]]` file.
    Handwritten,
    /// A declared repository the cluster does not have.
    RepositoryMissing,
    /// A LIST-partitioned table gained partitions since the chain's full: a restore could not
    /// add them onto the table from another snapshot (spec §9.2), so the chain restarts.
    ListPartitionsAdded,
    /// A snapshot of the chain is no longer in the repository: the chain cannot be extended.
    ParentMissing,
    /// An operator asked for a restore (`starsnap restore`).
    RestoreRequested,
    /// The group's keep rules no longer hold the set (`keep`, `min_chains`).
    Retention,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::FirstFull => "first_full",
            Reason::FullDue => "full_due",
            Reason::SchemaChanged => "schema_changed",
            Reason::PartitionReplaced => "partition_replaced",
            Reason::PartitionDropped => "partition_dropped",
            Reason::ChainFull => "chain_full",
            Reason::PartitionsChanged => "partitions_changed",
            Reason::Handwritten => "handwritten",
            Reason::RepositoryMissing => "repository_missing",
            Reason::ListPartitionsAdded => "list_partitions_added",
            Reason::ParentMissing => "parent_missing",
            Reason::RestoreRequested => "restore_requested",
            Reason::Retention => "retention",
        }
    }
}

/// Counts for the summary line and for `--detailed-exitcode`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub steps: u64,
    /// Steps per action name.
    pub by_action: BTreeMap<String, u64>,
    pub full_backups: u64,
    pub incremental_backups: u64,
    pub partitions: u64,
    pub destructive: u64,
    /// Backup sets retention expires.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub expired_sets: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Summary {
    /// Counts of `steps`.
    pub fn of(steps: &[Step]) -> Summary {
        let mut s = Summary {
            steps: steps.len() as u64,
            ..Summary::default()
        };
        for step in steps {
            *s.by_action
                .entry(step.action().as_str().to_string())
                .or_insert(0) += 1;
            match step.kind() {
                Some(BackupKind::Full) => s.full_backups += 1,
                Some(BackupKind::Incremental) => s.incremental_backups += 1,
                None => {}
            }
            s.partitions += step.partition_count();
            s.destructive += u64::from(step.destructive());
            s.expired_sets += u64::from(step.action() == Action::Expire);
        }
        s
    }
}

/// The plan's canonical JSON bytes (sorted keys, two-space indent, trailing newline).
pub fn to_canonical_json(plan: &Plan) -> String {
    match serde_json::to_value(plan) {
        Ok(v) => canonical::to_string(&v),
        // Every map key of a plan is a string, so serialization cannot fail.
        Err(_) => String::from("null\n"),
    }
}

/// The plan's fingerprint: sha256 hex over its canonical JSON without the `fingerprint`
/// field. Same plan body, same fingerprint; any edit of the body changes it.
pub fn fingerprint(plan: &Plan) -> String {
    match serde_json::to_value(plan) {
        Ok(v) => fingerprint_of_value(&v),
        Err(_) => String::new(),
    }
}

/// [`fingerprint`] of a plan's JSON value (its `fingerprint` member is left out).
pub fn fingerprint_of_value(value: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let mut v = value.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("fingerprint");
    }
    let mut h = Sha256::new();
    h.update(b"starsnap plan body\n");
    h.update(canonical::to_string(&v).as_bytes());
    crate::catalog::digest_hex(&h.finalize())
}

impl Plan {
    /// Whether applying the plan would do anything (`--detailed-exitcode`: 0 or 2).
    pub fn has_changes(&self) -> bool {
        !self.steps.is_empty()
    }

    /// Sets `summary` from the steps and `fingerprint` from the body.
    pub fn seal(mut self) -> Plan {
        self.summary = Summary::of(&self.steps);
        self.fingerprint = fingerprint(&self);
        self
    }

    /// The dialect the plan's statements are printed for.
    pub fn dialect(&self) -> crate::syntax::Dialect {
        self.dialect.parse().unwrap_or_default()
    }
}
