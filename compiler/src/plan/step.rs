//! A plan step as a typed operation (format_version 2).
//!
//! A [`Step`] is a header (id, reason, detail, dependencies, the reviewed `sql`) and an
//! [`Op`]: one variant per action, with exactly the fields that action needs. In JSON the
//! op's fields sit beside the header's, tagged by `action`:
//!
//! ```json
//! {"action": "swap", "database": "sales", "table": "orders", "with": "orders__restored_1a2b",
//!  "id": "swap/sales/orders", "reason": "restore_requested", "detail": "…",
//!  "destructive": true, "depends_on": ["verify/sales/orders"], "sql": "ALTER TABLE …"}
//! ```
//!
//! What apply sends is built from the op ([`Op::statements`]) through the canonical printer
//! (invariant 6); the `sql` text is for review and must equal what is built, checked when the
//! plan is read ([`super::from_json`]). Whether a step is destructive, and the summary, are
//! computed from the op kinds, never taken from the file.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Action, Reason};
use crate::catalog::BackupKind;
use crate::span::Span;
use crate::syntax::ast::{
    AllObjects, Alter, AlterAction, AlterTarget, Backup, CatalogRef, CreateRepository,
    DropSnapshot, ExternalCatalogs, Ident, NamedObject, Number, ObjectItem, ObjectKeyword,
    ObjectKind as AstKind, ObjectList, ObjectName, PartitionNames, PartitionSpec, Properties,
    Property, Restore, RestoreDatabase, Statement, StringLit,
};
use crate::syntax::{display_for, quote_ident, Dialect};

/// The name of the lease of the cluster's one external-catalog job ([`Op::lease`]). Not a
/// database name StarRocks accepts (`FeNameFormat.DB_NAME_REGEX` has no parentheses or
/// spaces), so it never meets a database's lease.
pub const CATALOG_JOB_LEASE: &str = "(external catalogs)";

/// One step of the plan: a header and a typed operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Stable: derived from what the step is (action, group, database, chunk, file), not
    /// from its position, so unrelated changes do not renumber steps.
    pub id: String,
    pub reason: Reason,
    /// One sentence for reviewers (which table changed, since when a full is due, …).
    pub detail: String,
    pub depends_on: Vec<String>,
    /// The statements apply sends, as the canonical printer writes them (`;\n` between
    /// several); `${NAME}` marks an environment variable apply substitutes. For review: apply
    /// builds what it sends from `op` and refuses a plan whose `sql` differs.
    pub sql: String,
    pub op: Op,
}

/// What a step does, with exactly the fields it needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Op {
    CreateRepository(CreateRepositoryOp),
    Backup(BackupOp),
    /// A hand-written statement from a `[[statement]]` file, run as reviewed.
    Sql(SqlOp),
    /// A database a restore needs (a scratch database, or the `--into` database).
    CreateDatabase(DatabaseOp),
    Restore(RestoreOp),
    /// `RESTORE SNAPSHOT … EXTERNAL CATALOGS (…)`: external catalogs from a catalog snapshot.
    /// Not destructive: StarRocks creates each catalog and fails the job if one of that name
    /// exists (`RestoreJob.checkAndPrepareMeta` → `CatalogMgr.createCatalogForRestore`); the
    /// planner leaves out catalogs the cluster already has and says so.
    RestoreCatalogs(RestoreCatalogsOp),
    CreateTableLike(CreateTableLikeOp),
    /// `INSERT INTO database.table SELECT * FROM from_database.from_table`.
    Copy(CopyOp),
    /// Read-only checks of a restored table before anything live is touched.
    Verify(VerifyOp),
    /// `ALTER TABLE database.table SWAP WITH with` — atomic.
    Swap(SwapOp),
    /// `ALTER MATERIALIZED VIEW database.materialized_view ACTIVE`.
    Activate(ActivateOp),
    DropTable(TableOp),
    DropPartitions(DropPartitionsOp),
    DropDatabase(DatabaseOp),
    /// A backup set retention lets go: `DROP SNAPSHOT` per label (4.2+), or its objects
    /// deleted in the repository (before 4.2).
    Expire(ExpireOp),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRepositoryOp {
    pub repository: String,
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<String>,
    pub location: String,
    /// In the policy's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<RepositoryProperty>,
}

/// A repository property: a literal `value`, or the name of the environment variable that
/// holds it (`env`, a secret). Exactly one of the two.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepositoryProperty {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupOp {
    pub group: String,
    /// `None` for a backup of external catalogs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    pub kind: BackupKind,
    /// The snapshot label the step creates.
    pub label: String,
    /// The backup set (equals `label` unless the set is split into chunks).
    pub set: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk: Option<Chunk>,
    /// The set this incremental builds on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub repository: String,
    /// The job's `timeout` property, in seconds.
    pub timeout_s: u64,
    /// StarRocks 4.2's `ttl` property (`30 DAY`): StarRocks deletes the snapshot itself then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    pub objects: Vec<StepObject>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlOp {
    /// What the statement is, as its parse says (`backup`, `restore`, `swap`, `sql`, …).
    pub statement: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Whether the statement overwrites or deletes (from its kind; checked when read).
    pub overwrites: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<StepObject>,
    pub source: SourceRef,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseOp {
    pub database: String,
    /// A scratch database of this plan (dropping it loses nothing that existed before).
    pub scratch: bool,
}

/// What a RESTORE does to a table it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Onto {
    /// Creates the table (its target name does not exist).
    New,
    /// Adds partitions to a table an earlier RESTORE of this plan created (same name, §9.1).
    Assembled,
    /// Overwrites partitions of a table that existed before the plan: destructive.
    Live,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreOp {
    pub repository: String,
    /// The snapshot label read.
    pub snapshot: String,
    /// SHOW SNAPSHOT's timestamp of the snapshot (`yyyy-MM-dd-HH-mm-ss-SSS`).
    pub backup_timestamp: String,
    /// The database the snapshot was taken of.
    pub source_database: String,
    /// The database restored into.
    pub database: String,
    /// The target is a scratch database of this plan.
    pub scratch: bool,
    pub tables: Vec<RestoreTable>,
    /// `FUNCTION f` items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
    pub replication_num: u32,
    pub timeout_s: u64,
    /// Why live data is overwritten (set exactly when a table is restored onto live).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreCatalogsOp {
    pub repository: String,
    /// The catalog snapshot's label.
    pub snapshot: String,
    /// SHOW SNAPSHOT's timestamp of the snapshot (`yyyy-MM-dd-HH-mm-ss-SSS`).
    pub backup_timestamp: String,
    /// The catalogs restored (names as backed up; none exists in the cluster when planned).
    pub catalogs: Vec<String>,
    pub timeout_s: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreTable {
    pub kind: ObjectKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Empty: the whole table as the snapshot holds it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<String>,
    pub onto: Onto,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTableLikeOp {
    pub database: String,
    pub table: String,
    pub like_database: String,
    pub like_table: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyOp {
    pub database: String,
    pub table: String,
    pub from_database: String,
    pub from_table: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyOp {
    pub database: String,
    pub table: String,
    pub kind: ObjectKind,
    /// The partitions the table must have, exactly.
    pub partitions: Vec<ExpectedPartition>,
    /// The schema fingerprint backed up.
    pub schema_fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedPartition {
    pub name: String,
    /// The snapshot's visible version (`None` where the rows went through INSERT, which
    /// gives new versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_version: Option<i64>,
    /// The exact row count backed up, when it was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwapOp {
    pub database: String,
    pub table: String,
    pub with: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivateOp {
    pub database: String,
    pub materialized_view: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableOp {
    pub database: String,
    pub table: String,
    /// Why the table goes.
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropPartitionsOp {
    pub database: String,
    pub table: String,
    pub partitions: Vec<String>,
    /// Why the partitions go.
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpireOp {
    pub group: String,
    /// The database the set is of; empty (absent in JSON) for a set of external catalogs
    /// (its snapshot is the cluster's one catalog job's, with no database).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub database: String,
    pub repository: String,
    /// The backup set that goes (all its labels).
    pub set: String,
    pub labels: Vec<ExpireLabel>,
    /// Why the set goes (the keep rules that no longer hold it).
    pub why: String,
    pub how: ExpireHow,
}

/// One snapshot of an expiring set, with the timestamp its history recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpireLabel {
    pub label: String,
    /// SHOW SNAPSHOT's `yyyy-MM-dd-HH-mm-ss-SSS` of the snapshot, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_timestamp: Option<String>,
}

/// How an expiry is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpireHow {
    /// `DROP SNAPSHOT <label> ON <repository>` (StarRocks 4.2 and later).
    DropSnapshot,
    /// Delete `<location>/__starrocks_repository_<repository>/__ss_<label>/` in the repository
    /// itself (before 4.2, which cannot drop a snapshot).
    DeleteObjects,
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

/// How apply fills `${NAME}` when it builds a statement: the value, or `None` to keep the
/// placeholder (review text).
pub type Resolve<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Op {
    /// The action name (the JSON `action` tag).
    pub fn action(&self) -> Action {
        match self {
            Op::CreateRepository(_) => Action::CreateRepository,
            Op::Backup(_) => Action::Backup,
            Op::Sql(_) => Action::Sql,
            Op::CreateDatabase(_) => Action::CreateDatabase,
            Op::Restore(_) => Action::Restore,
            Op::RestoreCatalogs(_) => Action::RestoreCatalogs,
            Op::CreateTableLike(_) => Action::CreateTableLike,
            Op::Copy(_) => Action::Copy,
            Op::Verify(_) => Action::Verify,
            Op::Swap(_) => Action::Swap,
            Op::Activate(_) => Action::Activate,
            Op::DropTable(_) => Action::DropTable,
            Op::DropPartitions(_) => Action::DropPartitions,
            Op::DropDatabase(_) => Action::DropDatabase,
            Op::Expire(_) => Action::Expire,
        }
    }

    /// Whether the step overwrites or deletes something, from its kind alone: a swap, a
    /// restore onto live tables, a drop; a hand-written statement by what it parses as.
    pub fn destructive(&self) -> bool {
        match self {
            Op::Swap(_) | Op::DropTable(_) | Op::DropPartitions(_) | Op::Expire(_) => true,
            Op::DropDatabase(d) => !d.scratch,
            Op::Restore(r) => r.tables.iter().any(|t| t.onto == Onto::Live),
            Op::Sql(s) => s.overwrites,
            Op::CreateRepository(_)
            | Op::Backup(_)
            | Op::RestoreCatalogs(_)
            | Op::CreateDatabase(_)
            | Op::CreateTableLike(_)
            | Op::Copy(_)
            | Op::Verify(_)
            | Op::Activate(_) => false,
        }
    }

    /// The database the step works in (a lease is taken per database).
    pub fn database(&self) -> Option<&str> {
        match self {
            Op::CreateRepository(_) | Op::RestoreCatalogs(_) => None,
            Op::Backup(b) => b.database.as_deref(),
            Op::Sql(s) => s.database.as_deref(),
            Op::CreateDatabase(d) | Op::DropDatabase(d) => Some(&d.database),
            Op::Restore(r) => Some(&r.database),
            Op::CreateTableLike(c) => Some(&c.database),
            Op::Copy(c) => Some(&c.database),
            Op::Verify(v) => Some(&v.database),
            Op::Swap(s) => Some(&s.database),
            Op::Activate(a) => Some(&a.database),
            Op::DropTable(t) => Some(&t.database),
            Op::DropPartitions(d) => Some(&d.database),
            Op::Expire(e) => Some(e.database.as_str()).filter(|d| !d.is_empty()),
        }
    }

    /// The lease a step runs under: its database's, or [`CATALOG_JOB_LEASE`] for a step on
    /// the cluster's one external-catalog job — a catalog BACKUP (planned or hand-written),
    /// a `restore_catalogs`, the expiry of a catalog set. StarRocks runs one catalog job per
    /// cluster (`BackupHandler`: `Can only run one backup or restore job of external
    /// catalog`, spec §2.2), so two applies must not drive one each at the same time.
    pub fn lease(&self) -> Option<&str> {
        match self {
            Op::Backup(b) if b.database.is_none() => Some(CATALOG_JOB_LEASE),
            Op::Sql(s) if s.database.is_none() && s.statement == Action::Backup => {
                Some(CATALOG_JOB_LEASE)
            }
            Op::RestoreCatalogs(_) => Some(CATALOG_JOB_LEASE),
            Op::Expire(e) if e.database.is_empty() => Some(CATALOG_JOB_LEASE),
            _ => self.database(),
        }
    }

    /// Every name the op prints into SQL, for the read-time name check.
    fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        match self {
            Op::CreateRepository(r) => {
                v.push(&r.repository);
                v.extend(r.broker.as_deref());
            }
            Op::Backup(b) => {
                v.extend([b.label.as_str(), &b.repository, &b.group]);
                v.extend(b.database.as_deref());
                for o in &b.objects {
                    if o.kind != ObjectKind::Functions {
                        v.push(&o.name);
                    }
                    v.extend(o.partitions.iter().map(|p| p.name.as_str()));
                }
            }
            Op::Sql(_) => {}
            Op::CreateDatabase(d) | Op::DropDatabase(d) => v.push(&d.database),
            Op::Restore(r) => {
                v.extend([
                    r.repository.as_str(),
                    &r.snapshot,
                    &r.source_database,
                    &r.database,
                ]);
                for t in &r.tables {
                    v.push(&t.name);
                    v.extend(t.alias.as_deref());
                    v.extend(t.partitions.iter().map(String::as_str));
                }
                v.extend(r.functions.iter().map(String::as_str));
            }
            Op::RestoreCatalogs(r) => {
                v.extend([r.repository.as_str(), &r.snapshot]);
                v.extend(r.catalogs.iter().map(String::as_str));
            }
            Op::CreateTableLike(c) => v.extend([
                c.database.as_str(),
                &c.table,
                &c.like_database,
                &c.like_table,
            ]),
            Op::Copy(c) => v.extend([
                c.database.as_str(),
                &c.table,
                &c.from_database,
                &c.from_table,
            ]),
            Op::Verify(x) => {
                v.extend([x.database.as_str(), &x.table]);
                v.extend(x.partitions.iter().map(|p| p.name.as_str()));
            }
            Op::Swap(s) => v.extend([s.database.as_str(), &s.table, &s.with]),
            Op::Activate(a) => v.extend([a.database.as_str(), &a.materialized_view]),
            Op::DropTable(t) => v.extend([t.database.as_str(), &t.table]),
            Op::DropPartitions(d) => {
                v.extend([d.database.as_str(), &d.table]);
                v.extend(d.partitions.iter().map(String::as_str));
            }
            Op::Expire(e) => {
                v.extend([e.group.as_str(), &e.repository, &e.set]);
                v.extend(Some(e.database.as_str()).filter(|d| !d.is_empty()));
                v.extend(e.labels.iter().map(|l| l.label.as_str()));
            }
        }
        v
    }

    /// Environment variables the op's statements reference.
    pub fn env(&self) -> Vec<String> {
        let mut names: BTreeSet<String> = BTreeSet::new();
        if let Op::CreateRepository(r) = self {
            names.extend(r.properties.iter().filter_map(|p| p.env.clone()));
        }
        names.into_iter().collect()
    }

    /// The statements that carry out the op, printed for `dialect` by the canonical printer,
    /// with `${NAME}` references resolved by `resolve` (left as placeholders where it gives
    /// `None`). A hand-written statement is not built here: it is its reviewed text.
    pub fn statements(&self, dialect: Dialect, resolve: Resolve<'_>) -> Vec<String> {
        match self {
            Op::CreateRepository(r) => vec![create_repository(r, resolve)],
            Op::Backup(b) => vec![backup(b, dialect)],
            Op::Sql(_) | Op::Verify(_) => Vec::new(),
            // IF NOT EXISTS / IF EXISTS: a re-run after a crash finds its own work done.
            Op::CreateDatabase(d) => {
                vec![format!("CREATE DATABASE IF NOT EXISTS {}", q(&d.database))]
            }
            Op::DropDatabase(d) => vec![format!("DROP DATABASE IF EXISTS {}", q(&d.database))],
            Op::Restore(r) => vec![restore(r, dialect)],
            Op::RestoreCatalogs(r) => vec![restore_catalogs(r)],
            Op::CreateTableLike(c) => vec![format!(
                "CREATE TABLE IF NOT EXISTS {}.{} LIKE {}.{}",
                q(&c.database),
                q(&c.table),
                q(&c.like_database),
                q(&c.like_table)
            )],
            // OVERWRITE: a re-run after a crash replaces what a first run copied.
            Op::Copy(c) => vec![format!(
                "INSERT OVERWRITE {}.{} SELECT * FROM {}.{}",
                q(&c.database),
                q(&c.table),
                q(&c.from_database),
                q(&c.from_table)
            )],
            Op::Swap(s) => vec![print_for(
                &Statement::Alter(Alter {
                    target: AlterTarget::Table,
                    name: ObjectName::new([Ident::new(&s.database), Ident::new(&s.table)]),
                    action: AlterAction::SwapWith(Ident::new(&s.with)),
                    span: Span::default(),
                }),
                dialect,
            )],
            Op::Activate(a) => vec![print_for(
                &Statement::Alter(Alter {
                    target: AlterTarget::MaterializedView,
                    name: ObjectName::new([
                        Ident::new(&a.database),
                        Ident::new(&a.materialized_view),
                    ]),
                    action: AlterAction::Active,
                    span: Span::default(),
                }),
                dialect,
            )],
            Op::DropTable(t) => vec![format!(
                "DROP TABLE IF EXISTS {}.{}",
                q(&t.database),
                q(&t.table)
            )],
            Op::DropPartitions(d) => d
                .partitions
                .iter()
                .map(|p| {
                    format!(
                        "ALTER TABLE {}.{} DROP PARTITION IF EXISTS {}",
                        q(&d.database),
                        q(&d.table),
                        q(p)
                    )
                })
                .collect(),
            Op::Expire(e) => match e.how {
                ExpireHow::DropSnapshot => e
                    .labels
                    .iter()
                    .map(|l| {
                        print_for(
                            &Statement::DropSnapshot(DropSnapshot {
                                snapshot: ident(&l.label),
                                repository: ident(&e.repository),
                                force: false,
                                span: Span::default(),
                            }),
                            dialect,
                        )
                    })
                    .collect(),
                // No statement: the objects are deleted in the repository itself.
                ExpireHow::DeleteObjects => Vec::new(),
            },
        }
    }

    /// The review text of the op (placeholders kept).
    pub fn review_sql(&self, dialect: Dialect) -> String {
        self.statements(dialect, &|_| None).join(";\n")
    }
}

fn q(name: &str) -> String {
    quote_ident(name).into_owned()
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

fn partition_spec(names: &[&str]) -> PartitionSpec {
    PartitionSpec {
        temporary: false,
        names: PartitionNames::Names(names.iter().map(|n| ident(n)).collect()),
        keyword: Number::Singular,
        parenthesized: true,
        span: Span::default(),
    }
}

fn ast_kind(kind: ObjectKind, partial: bool, dialect: Dialect) -> AstKind {
    match kind {
        // 3.3 knows only bare names, which StarRocks resolves to views and MVs too.
        _ if !dialect.has_3_4_snapshot_syntax() => AstKind::Table,
        ObjectKind::View => AstKind::View,
        ObjectKind::MaterializedView if !partial => AstKind::MaterializedView,
        // `MATERIALIZED VIEW mv PARTITION (…)` is a syntax error; `TABLE mv PARTITION (…)`
        // is what StarRocks accepts (the keyword is not checked against the object's type).
        _ => AstKind::Table,
    }
}

fn named(kind: AstKind, name: &str, partitions: &[&str], alias: Option<&str>) -> ObjectItem {
    ObjectItem::Named(NamedObject {
        kind,
        keyword: ObjectKeyword::Singular,
        name: ObjectName::new([ident(name)]),
        partitions: (!partitions.is_empty()).then(|| partition_spec(partitions)),
        alias: alias.map(ident),
        span: Span::default(),
    })
}

fn all_functions() -> ObjectItem {
    ObjectItem::All(AllObjects {
        kind: AstKind::Function,
        keyword: Number::Plural,
        span: Span::default(),
    })
}

fn properties(items: Vec<Property>) -> Option<Properties> {
    (!items.is_empty()).then_some(Properties {
        items,
        span: Span::default(),
    })
}

fn backup(b: &BackupOp, dialect: Dialect) -> String {
    let mut items = Vec::new();
    let mut catalogs = Vec::new();
    for o in &b.objects {
        match o.kind {
            ObjectKind::Functions => items.push(all_functions()),
            ObjectKind::ExternalCatalog => catalogs.push(CatalogRef {
                name: ident(&o.name),
                alias: None,
                span: Span::default(),
            }),
            kind => {
                let parts: Vec<&str> = o.partitions.iter().map(|p| p.name.as_str()).collect();
                items.push(named(
                    ast_kind(kind, !parts.is_empty(), dialect),
                    &o.name,
                    &parts,
                    None,
                ));
            }
        }
    }
    let (catalogs, dialect) = if catalogs.is_empty() {
        (None, dialect)
    } else {
        // External catalogs exist only in the 3.4 syntax.
        (
            Some(ExternalCatalogs::Named {
                catalogs,
                keyword: Number::Plural,
                span: Span::default(),
            }),
            Dialect::StarRocks3_4,
        )
    };
    let stmt = Statement::Backup(Backup {
        catalogs,
        database: b.database.as_deref().map(ident),
        label: ObjectName::new([ident(&b.label)]),
        repository: ident(&b.repository),
        on: (!items.is_empty()).then(|| ObjectList {
            items,
            span: Span::default(),
        }),
        properties: properties({
            let mut p = vec![Property::new("timeout", b.timeout_s.to_string())];
            if let Some(ttl) = &b.ttl {
                p.push(Property::new("ttl", ttl.clone()));
            }
            p
        }),
        span: Span::default(),
    });
    print_for(&stmt, dialect)
}

fn restore(r: &RestoreOp, dialect: Dialect) -> String {
    let mut items: Vec<ObjectItem> = r
        .tables
        .iter()
        .map(|t| {
            let parts: Vec<&str> = t.partitions.iter().map(String::as_str).collect();
            named(
                ast_kind(t.kind, !parts.is_empty(), dialect),
                &t.name,
                &parts,
                t.alias.as_deref(),
            )
        })
        .collect();
    for f in &r.functions {
        items.push(named(AstKind::Function, f, &[], None));
    }
    let stmt = Statement::Restore(Restore {
        label: ObjectName::new([ident(&r.snapshot)]),
        repository: ident(&r.repository),
        catalogs: None,
        database: Some(RestoreDatabase {
            name: ident(&r.source_database),
            alias: (r.database != r.source_database).then(|| ident(&r.database)),
            span: Span::default(),
        }),
        on: (!items.is_empty()).then(|| ObjectList {
            items,
            span: Span::default(),
        }),
        properties: properties(vec![
            Property::new("backup_timestamp", r.backup_timestamp.clone()),
            Property::new("replication_num", r.replication_num.to_string()),
            Property::new("timeout", r.timeout_s.to_string()),
        ]),
        span: Span::default(),
    });
    print_for(&stmt, dialect)
}

/// `RESTORE SNAPSHOT l FROM r EXTERNAL CATALOGS (a, b) PROPERTIES (…)` — 3.4 syntax only
/// (external catalogs exist nowhere else). No `DATABASE` and no `ON` (spec §1.3 rules 1, 8).
fn restore_catalogs(r: &RestoreCatalogsOp) -> String {
    let stmt = Statement::Restore(Restore {
        label: ObjectName::new([ident(&r.snapshot)]),
        repository: ident(&r.repository),
        catalogs: Some(ExternalCatalogs::Named {
            catalogs: r
                .catalogs
                .iter()
                .map(|c| CatalogRef {
                    name: ident(c),
                    alias: None,
                    span: Span::default(),
                })
                .collect(),
            keyword: Number::Plural,
            span: Span::default(),
        }),
        database: None,
        on: None,
        properties: properties(vec![
            Property::new("backup_timestamp", r.backup_timestamp.clone()),
            Property::new("timeout", r.timeout_s.to_string()),
        ]),
        span: Span::default(),
    });
    print_for(&stmt, Dialect::StarRocks3_4)
}

fn create_repository(r: &CreateRepositoryOp, resolve: Resolve<'_>) -> String {
    let items: Vec<Property> = r
        .properties
        .iter()
        .map(|p| {
            let value = match (&p.value, &p.env) {
                (Some(v), _) => v.clone(),
                (None, Some(name)) => resolve(name).unwrap_or_else(|| format!("${{{name}}}")),
                (None, None) => String::new(),
            };
            Property::new(p.key.clone(), value)
        })
        .collect();
    let stmt = Statement::CreateRepository(CreateRepository {
        read_only: r.read_only,
        name: ident(&r.repository),
        broker: r.broker.as_deref().map(ident),
        location: StringLit::new(r.location.clone()),
        properties: properties(items),
        span: Span::default(),
    });
    crate::fmt::canonical(&stmt)
}

/// Why a step is not well formed (checked when a plan is read, before any lock).
pub fn check_names(op: &Op) -> Result<(), String> {
    for name in op.names() {
        if name.is_empty() {
            return Err("an empty name".into());
        }
        if name.contains('`') || name.chars().any(char::is_control) {
            return Err(format!(
                "the name {name:?} holds a back-quote or a control character, which StarRocks does not accept"
            ));
        }
    }
    if let Op::CreateRepository(r) = op {
        for p in &r.properties {
            if p.value.is_some() == p.env.is_some() {
                return Err(format!(
                    "repository property `{}` must have exactly one of `value` and `env`",
                    p.key
                ));
            }
            if let Some(env) = &p.env {
                if env.is_empty() || !env.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(format!("`{env}` is not an environment variable name"));
                }
            }
        }
        if r.location.contains("${") {
            return Err("a repository location cannot reference an environment variable".into());
        }
    }
    if let Op::Expire(e) = op {
        if e.labels.is_empty() {
            return Err("an expire step names no snapshot label".into());
        }
        if let Some(l) = e.labels.iter().find(|l| l.label.contains(['/', '\\'])) {
            return Err(format!(
                "snapshot label {:?} holds a path separator",
                l.label
            ));
        }
    }
    Ok(())
}

impl Step {
    pub fn action(&self) -> Action {
        self.op.action()
    }

    pub fn destructive(&self) -> bool {
        self.op.destructive()
    }

    pub fn database(&self) -> Option<&str> {
        self.op.database()
    }

    /// The lease the step runs under ([`Op::lease`]).
    pub fn lease(&self) -> Option<&str> {
        self.op.lease()
    }

    /// The snapshot label the step creates (backups) or names (hand-written statements,
    /// restores read it).
    pub fn label(&self) -> Option<&str> {
        match &self.op {
            Op::Backup(b) => Some(&b.label),
            Op::Sql(s) => s.label.as_deref(),
            Op::Restore(r) => Some(&r.snapshot),
            Op::RestoreCatalogs(r) => Some(&r.snapshot),
            _ => None,
        }
    }

    pub fn repository(&self) -> Option<&str> {
        match &self.op {
            Op::Backup(b) => Some(&b.repository),
            Op::CreateRepository(r) => Some(&r.repository),
            Op::Sql(s) => s.repository.as_deref(),
            Op::Restore(r) => Some(&r.repository),
            Op::RestoreCatalogs(r) => Some(&r.repository),
            Op::Expire(e) => Some(&e.repository),
            _ => None,
        }
    }

    pub fn group(&self) -> Option<&str> {
        match &self.op {
            Op::Backup(b) => Some(&b.group),
            Op::Expire(e) => Some(&e.group),
            _ => None,
        }
    }

    pub fn backup(&self) -> Option<&BackupOp> {
        match &self.op {
            Op::Backup(b) => Some(b),
            _ => None,
        }
    }

    pub fn expire(&self) -> Option<&ExpireOp> {
        match &self.op {
            Op::Expire(e) => Some(e),
            _ => None,
        }
    }

    pub fn kind(&self) -> Option<BackupKind> {
        self.backup().map(|b| b.kind)
    }

    pub fn chunk(&self) -> Option<Chunk> {
        self.backup().and_then(|b| b.chunk)
    }

    pub fn parent(&self) -> Option<&str> {
        self.backup().and_then(|b| b.parent.as_deref())
    }

    pub fn objects(&self) -> &[StepObject] {
        match &self.op {
            Op::Backup(b) => &b.objects,
            Op::Sql(s) => &s.objects,
            _ => &[],
        }
    }

    pub fn source(&self) -> Option<&SourceRef> {
        match &self.op {
            Op::Sql(s) => Some(&s.source),
            _ => None,
        }
    }

    /// Environment variables the step's statement references: a repository's secret
    /// properties, or `${NAME}` in a hand-written statement.
    pub fn env(&self) -> Vec<String> {
        match &self.op {
            Op::Sql(_) => env_refs(&self.sql),
            op => op.env(),
        }
    }

    /// Partitions the step moves (for summaries and progress).
    pub fn partition_count(&self) -> u64 {
        match &self.op {
            Op::Restore(r) => r
                .tables
                .iter()
                .map(|t| t.partitions.len() as u64)
                .sum::<u64>(),
            _ => self.objects().iter().map(|o| o.partition_count).sum(),
        }
    }
}

/// The header fields of a step in JSON (everything but the op's).
const HEADER: [&str; 6] = ["id", "reason", "detail", "depends_on", "sql", "destructive"];

#[derive(Serialize)]
struct WireOut<'a> {
    id: &'a str,
    reason: Reason,
    detail: &'a str,
    destructive: bool,
    depends_on: &'a [String],
    sql: &'a str,
    #[serde(flatten)]
    op: &'a Op,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireHeader {
    id: String,
    reason: Reason,
    detail: String,
    #[serde(default)]
    destructive: Option<bool>,
    #[serde(default)]
    depends_on: Vec<String>,
    sql: String,
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WireOut {
            id: &self.id,
            reason: self.reason,
            detail: &self.detail,
            destructive: self.destructive(),
            depends_on: &self.depends_on,
            sql: &self.sql,
            op: &self.op,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = serde_json::Map::deserialize(d)?;
        let mut header = serde_json::Map::new();
        for key in HEADER {
            if let Some(v) = map.remove(key) {
                header.insert(key.to_string(), v);
            }
        }
        let header: WireHeader =
            serde_json::from_value(serde_json::Value::Object(header)).map_err(D::Error::custom)?;
        let id = header.id.clone();
        let op: Op = serde_json::from_value(serde_json::Value::Object(map))
            .map_err(|e| D::Error::custom(format!("step `{id}`: {e}")))?;
        if let Some(claimed) = header.destructive {
            if claimed != op.destructive() {
                return Err(D::Error::custom(format!(
                    "step `{id}` claims destructive = {claimed}, but a {} step is {}",
                    op.action().as_str(),
                    if op.destructive() {
                        "destructive"
                    } else {
                        "not destructive"
                    }
                )));
            }
        }
        Ok(Step {
            id: header.id,
            reason: header.reason,
            detail: header.detail,
            depends_on: header.depends_on,
            sql: header.sql,
            op,
        })
    }
}

/// `${NAME}` references in SQL text, sorted and unique.
pub fn env_refs(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = sql;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(end) if crate::policy::is_env_name(&after[..end]) => {
                out.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out.sort();
    out.dedup();
    out
}
