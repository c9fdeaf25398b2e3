//! The observed catalog: what the runtime reads from a cluster (`starsnap inspect --out
//! catalog.json`) and what the planner plans from. Databases, tables with a schema
//! fingerprint, partitions (id, visible version, …), repositories with their snapshots, and
//! starsnap's own backup history with each backup's partition manifest.
//!
//! JSON with a `format_version` ([`CATALOG_FORMAT_VERSION`]); read it with [`from_json`].
//! Order does not matter: [`ObservedCatalog::normalized`] sorts everything, and the planner
//! only ever looks at a normalized catalog, so a shuffled file gives the same plan.

mod digest;
mod read;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use digest::{
    entries_digest, hex as digest_hex, manifest_entries_digests, name_check, partitions_digest,
    EntryRow, PartitionSummary,
};
pub use read::{from_json, to_json, CatalogReadError};

/// The catalog JSON version this build reads and writes.
pub const CATALOG_FORMAT_VERSION: u32 = 1;

/// Everything the planner knows about a cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedCatalog {
    pub format_version: u32,
    pub cluster: Cluster,
    #[serde(default)]
    pub databases: Vec<Database>,
    #[serde(default)]
    pub repositories: Vec<Repository>,
    /// External catalogs (names) known to the cluster.
    #[serde(default)]
    pub external_catalogs: Vec<String>,
    /// starsnap's own history, read from the state store.
    #[serde(default)]
    pub history: History,
}

/// The cluster itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// `@@version_comment`, e.g. `3.4.5-a1b2c3d`.
    pub version: String,
}

/// One database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub name: String,
    #[serde(default)]
    pub tables: Vec<Table>,
    /// User-defined functions of the database (names).
    #[serde(default)]
    pub functions: Vec<String>,
}

/// What kind of table StarRocks says it is (`information_schema.tables.TABLE_TYPE` and the
/// engine), as far as backup cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TableKind {
    /// A native (OLAP / cloud-native) table: backed up by partition.
    Olap,
    View,
    MaterializedView,
    /// A table StarRocks cannot back up (external, MySQL, Elasticsearch, …).
    External,
}

impl TableKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TableKind::Olap => "OLAP",
            TableKind::View => "VIEW",
            TableKind::MaterializedView => "MATERIALIZED_VIEW",
            TableKind::External => "EXTERNAL",
        }
    }

    /// Whether the table holds partitions (and so data that changes).
    pub fn has_partitions(self) -> bool {
        matches!(self, TableKind::Olap | TableKind::MaterializedView)
    }
}

/// One table, view or materialized view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub name: String,
    pub kind: TableKind,
    /// A digest of the table's schema (columns, keys, partitioning) computed by the runtime;
    /// any change means the next backup is full.
    #[serde(default)]
    pub schema_fingerprint: String,
    #[serde(default)]
    pub partitions: Vec<Partition>,
    /// How the table is partitioned; `None` when the runtime did not say (older catalogs).
    /// Restore treats `None` as "partitions cannot be added onto it" (spec §9.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioning: Option<Partitioning>,
    /// Set when the runtime did not read the table's partitions (`partitions` is then empty):
    /// what StarRocks summed of them instead. A backup plan reads the partitions only of the
    /// tables that may have changed since their chain's last set (issue 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<UnreadPartitions>,
}

/// What is known of a table whose partitions were not read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnreadPartitions {
    pub count: u64,
    pub id_sum: i64,
    pub version_sum: i64,
    pub name_sum: i64,
}

impl UnreadPartitions {
    pub fn summary(&self) -> PartitionSummary {
        PartitionSummary {
            count: self.count,
            id_sum: self.id_sum,
            version_sum: self.version_sum,
            name_sum: self.name_sum,
        }
    }

    pub fn of(s: PartitionSummary) -> Self {
        UnreadPartitions {
            count: s.count,
            id_sum: s.id_sum,
            version_sum: s.version_sum,
            name_sum: s.name_sum,
        }
    }
}

impl Table {
    /// The summary of the table's partitions, read or not.
    pub fn partition_summary(&self) -> PartitionSummary {
        match &self.unread {
            Some(u) => u.summary(),
            None => PartitionSummary::of(&self.partitions),
        }
    }

    /// [`partitions_digest`] of the table's partitions, read or not.
    pub fn partitions_digest(&self) -> String {
        self.partition_summary().digest()
    }

    /// How many partitions the table has, read or not.
    pub fn partition_count(&self) -> u64 {
        self.partition_summary().count
    }
}

/// A table's partitioning type, as far as RESTORE onto an existing table cares (spec §9.2:
/// a partition missing from an existing table is added only for range partitioning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Partitioning {
    /// `PARTITION BY RANGE (…)`.
    Range,
    /// Expression range partitioning (`PARTITION BY date_trunc(…)`, time functions).
    ExprRange,
    /// `PARTITION BY LIST (…)`, including automatic `PARTITION BY col`.
    List,
    /// No `PARTITION BY`: one partition named like the table.
    Unpartitioned,
}

impl Partitioning {
    pub fn as_str(self) -> &'static str {
        match self {
            Partitioning::Range => "range",
            Partitioning::ExprRange => "expr_range",
            Partitioning::List => "list",
            Partitioning::Unpartitioned => "unpartitioned",
        }
    }

    /// Whether RESTORE can add a partition the existing table lacks (spec §9.2: RANGE and
    /// expression range only; LIST and unpartitioned tables fail with `No partition exist in
    /// single partitioned table`).
    pub fn restore_adds_partitions(self) -> bool {
        matches!(self, Partitioning::Range | Partitioning::ExprRange)
    }
}

/// One physical partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    pub name: String,
    pub id: i64,
    pub visible_version: i64,
    /// As the cluster prints it, in the cluster's time zone. Shown, never compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_version_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_size: Option<i64>,
}

/// A repository (SHOW REPOSITORIES) and its snapshots (SHOW SNAPSHOT ON it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repository {
    pub name: String,
    pub location: String,
    /// Broker name; `None` for broker-less repositories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub snapshots: Vec<Snapshot>,
}

/// A snapshot directory in a repository.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub label: String,
    /// `yyyy-MM-dd-HH-mm-ss-SSS` timestamps (cluster time zone), one per info file.
    #[serde(default)]
    pub timestamps: Vec<String>,
    /// `OK` or an error text.
    #[serde(default)]
    pub status: String,
}

/// starsnap's backup history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    #[serde(default)]
    pub backups: Vec<BackupRecord>,
}

/// Full or incremental.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupKind {
    Full,
    Incremental,
}

impl BackupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupKind::Full => "full",
            BackupKind::Incremental => "incremental",
        }
    }
}

/// Where a backup job ended (or is).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupState {
    Planned,
    Submitted,
    Running,
    Finished,
    Failed,
    Cancelled,
    /// Finished, then expired by retention (its snapshot was dropped or deleted).
    Expired,
    /// Finished, but `starsnap verify` found its snapshot missing or changed in the
    /// repository: its chain cannot be extended or restored past it.
    Broken,
}

/// One backup job starsnap ran (one snapshot label).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupRecord {
    pub label: String,
    pub group: String,
    /// Empty for an external-catalog backup.
    pub database: String,
    pub kind: BackupKind,
    /// The backup set this job belongs to (the plan step's `set`); a set split into chunks
    /// has several labels. Defaults to the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<String>,
    /// How many chunks (labels) the set has; defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_count: Option<u32>,
    /// The set this one builds on (incrementals); `None` for fulls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub repository: String,
    /// The snapshot's `backup_timestamp` (SHOW SNAPSHOT), once finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_timestamp: Option<String>,
    /// When starsnap submitted the job (RFC 3339 UTC). Used for schedules, never for
    /// change detection.
    pub created_at: String,
    pub state: BackupState,
    /// Schema fingerprints of the tables in the backup (table → fingerprint).
    #[serde(default)]
    pub schemas: BTreeMap<String, String>,
    /// Every partition the snapshot holds.
    #[serde(default)]
    pub manifest: Vec<ManifestEntry>,
    /// StarRocks's own `backup_time` (epoch milliseconds, SHOW SNAPSHOT's detail JSON): the
    /// only time a restore point is compared with (never `snapshot_timestamp`, which is in the
    /// FE's zone). `None` for history written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_time_ms: Option<i64>,
    /// What each object of the snapshot is (kind, partitioning) at backup time, so a table
    /// that no longer exists can still be restored correctly. Empty for older history.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub objects: BTreeMap<String, BackedUpObject>,
    /// The user-defined functions the snapshot holds (names). Empty for older history.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
    /// The external catalogs an external-catalog backup holds (names; its `database` is
    /// empty). Empty for every other backup.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalogs: Vec<String>,
    /// Digests recorded with the backup, one per table of its manifest (state schema 4).
    /// When present, `manifest` may hold only the tables a plan needs
    /// (`planner::manifests_needed`); the others are known by these digests alone. `None`:
    /// `manifest` is complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_digests: Option<BTreeMap<String, TableDigest>>,
}

/// What a backup's state recorded about one table of its manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDigest {
    /// [`entries_digest`] of the backup's manifest entries of the table.
    pub entries: String,
    /// [`partitions_digest`] of the table as a restore of the backup's set would bring it
    /// back (the chain's state after the set), when apply could prove it; `None` when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// One object of a backup as it was when backed up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackedUpObject {
    pub kind: TableKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioning: Option<Partitioning>,
}

impl BackupRecord {
    /// The set name (defaults to the label).
    pub fn set_name(&self) -> &str {
        self.set.as_deref().unwrap_or(&self.label)
    }

    /// The [`entries_digest`] of each table of the manifest: the recorded ones when the
    /// manifest may be partial, else computed from the manifest.
    pub fn entries_digests(&self) -> BTreeMap<String, String> {
        match &self.table_digests {
            Some(d) => d
                .iter()
                .map(|(t, d)| (t.clone(), d.entries.clone()))
                .collect(),
            None => manifest_entries_digests(&self.manifest),
        }
    }

    /// The record without what is recorded per object — manifest, digests, schemas,
    /// objects, functions, catalogs: what a plan knows of a set outside the chains it
    /// extends.
    pub fn without_facts(&self) -> BackupRecord {
        BackupRecord {
            schemas: BTreeMap::new(),
            objects: BTreeMap::new(),
            functions: Vec::new(),
            catalogs: Vec::new(),
            ..self.without_manifest()
        }
    }

    /// The record without its manifest and digests (everything else cloned).
    pub fn without_manifest(&self) -> BackupRecord {
        let BackupRecord {
            label,
            group,
            database,
            kind,
            set,
            chunk_count,
            parent,
            repository,
            snapshot_timestamp,
            created_at,
            state,
            schemas,
            manifest: _,
            backup_time_ms,
            objects,
            functions,
            catalogs,
            table_digests: _,
        } = self;
        BackupRecord {
            label: label.clone(),
            group: group.clone(),
            database: database.clone(),
            kind: *kind,
            set: set.clone(),
            chunk_count: *chunk_count,
            parent: parent.clone(),
            repository: repository.clone(),
            snapshot_timestamp: snapshot_timestamp.clone(),
            created_at: created_at.clone(),
            state: *state,
            schemas: schemas.clone(),
            manifest: Vec::new(),
            backup_time_ms: *backup_time_ms,
            objects: objects.clone(),
            functions: functions.clone(),
            catalogs: catalogs.clone(),
            table_digests: None,
        }
    }
}

/// One partition in a backup.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub table: String,
    pub partition: String,
    pub partition_id: i64,
    pub visible_version: i64,
    /// Exact row count taken at the snapshot's visible version (`SELECT COUNT(*)`, spec
    /// §9.3), when the runtime recorded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<i64>,
}

impl ObservedCatalog {
    /// An empty catalog for a cluster of `version`.
    pub fn empty(version: impl Into<String>) -> Self {
        ObservedCatalog {
            format_version: CATALOG_FORMAT_VERSION,
            cluster: Cluster {
                version: version.into(),
            },
            databases: Vec::new(),
            repositories: Vec::new(),
            external_catalogs: Vec::new(),
            history: History::default(),
        }
    }

    /// The same catalog with every list sorted (databases, tables, partitions, repositories,
    /// snapshots, history, manifests), so that the order things were observed in never matters.
    pub fn normalized(&self) -> ObservedCatalog {
        let mut c = self.clone();
        c.databases.sort_by(|a, b| a.name.cmp(&b.name));
        for db in &mut c.databases {
            db.tables.sort_by(|a, b| a.name.cmp(&b.name));
            db.functions.sort();
            for t in &mut db.tables {
                t.partitions
                    .sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
            }
        }
        c.repositories.sort_by(|a, b| a.name.cmp(&b.name));
        for r in &mut c.repositories {
            r.snapshots.sort_by(|a, b| a.label.cmp(&b.label));
            for s in &mut r.snapshots {
                s.timestamps.sort();
            }
        }
        c.external_catalogs.sort();
        c.history
            .backups
            .sort_by(|a, b| (&a.created_at, &a.label).cmp(&(&b.created_at, &b.label)));
        for b in &mut c.history.backups {
            b.manifest.sort();
        }
        c
    }

    pub fn database(&self, name: &str) -> Option<&Database> {
        self.databases.iter().find(|d| d.name == name)
    }

    pub fn repository(&self, name: &str) -> Option<&Repository> {
        self.repositories.iter().find(|r| r.name == name)
    }
}

impl Database {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}
