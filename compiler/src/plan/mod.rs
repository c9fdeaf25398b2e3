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
mod stale;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::catalog::BackupKind;
pub use crate::planner::{build, FileDiagnostics, PlanInputs, Planned, StatementFile};
pub use read::{from_json, PlanReadError};
pub use stale::{staleness, Moved};

/// The plan format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A plan (format_version 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub format_version: u32,
    /// The starsnap version that made the plan.
    pub starsnap_version: String,
    /// The instant the plan was made for (RFC 3339 UTC). An input, never the clock.
    pub as_of: String,
    /// sha256 hex of the canonical inputs (policy, statement files, catalog, as_of).
    pub fingerprint: String,
    /// What apply must re-observe; if any of it moved, the plan is stale.
    pub observed: Observed,
    /// In execution order; `depends_on` makes the order explicit.
    pub steps: Vec<Step>,
    pub summary: Summary,
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
    Swap,
    DropRepository,
    DropSnapshot,
    Sql,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::CreateRepository => "create_repository",
            Action::Backup => "backup",
            Action::Restore => "restore",
            Action::Swap => "swap",
            Action::DropRepository => "drop_repository",
            Action::DropSnapshot => "drop_snapshot",
            Action::Sql => "sql",
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
        }
    }
}

/// One step of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Stable: derived from what the step is (action, group, database, chunk, file), not
    /// from its position, so unrelated changes do not renumber steps.
    pub id: String,
    pub action: Action,
    pub reason: Reason,
    /// One sentence for reviewers (which table changed, since when a full is due, …).
    pub detail: String,
    /// Whether the step overwrites or deletes something (restore, swap, drop).
    pub destructive: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<BackupKind>,
    /// The snapshot label the step creates (backups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The backup set (equals `label` unless the set is split into chunks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk: Option<Chunk>,
    /// The set this incremental builds on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Canonical SQL printed by the compiler. `${NAME}` marks an environment variable that
    /// apply substitutes (never a secret value).
    pub sql: String,
    /// Environment variables `sql` references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<StepObject>,
    /// Where a hand-written statement comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
    pub depends_on: Vec<String>,
}

/// Chunk `index` (1-based) of `count` of a backup set split by `max_partitions_per_job`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chunk {
    pub index: u32,
    pub count: u32,
}

/// What kind of object a step covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Table,
    MaterializedView,
    View,
    Functions,
    ExternalCatalog,
}

/// An object of a step; `partitions` lists what an incremental (or a split table) backs up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepObject {
    pub kind: ObjectKind,
    pub name: String,
    /// Partitions of the object in this step (all of the table's for a whole-table full).
    pub partition_count: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<StepPartition>,
}

/// A partition with the id and version observed, and what the last backup held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepPartition {
    pub name: String,
    pub id: i64,
    pub visible_version: i64,
    /// `None` for a partition the chain has never backed up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PartitionVersion>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionVersion {
    pub id: i64,
    pub visible_version: i64,
}

/// A hand-written statement's origin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    pub file: String,
    /// 1-based line of the statement's first token.
    pub line: u64,
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
                .entry(step.action.as_str().to_string())
                .or_insert(0) += 1;
            match step.kind {
                Some(BackupKind::Full) if step.action == Action::Backup => s.full_backups += 1,
                Some(BackupKind::Incremental) if step.action == Action::Backup => {
                    s.incremental_backups += 1
                }
                _ => {}
            }
            s.partitions += step.objects.iter().map(|o| o.partition_count).sum::<u64>();
            s.destructive += u64::from(step.destructive);
        }
        s
    }
}

impl Plan {
    /// Whether applying the plan would do anything (`--detailed-exitcode`: 0 or 2).
    pub fn has_changes(&self) -> bool {
        !self.steps.is_empty()
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
