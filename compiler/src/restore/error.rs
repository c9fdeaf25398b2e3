//! Why a restore cannot be planned, in words a person can act on at 3 a.m.

use std::fmt;

use crate::catalog::Partitioning;
use crate::time::Timestamp;

/// A restore the planner refuses, with what to do instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestoreError {
    /// The request names nothing to restore.
    NoTargets,
    /// A target no backup holds (a table not in the chosen snapshots, a group without backups).
    UnknownTarget { target: String, why: String },
    /// `--label` names no backup starsnap made.
    UnknownLabel { label: String },
    /// `--label` names a backup whose set did not finish (a chunk failed or still runs).
    LabelNotFinished { label: String, set: String },
    /// `--label` belongs to another database or group than a target.
    LabelOutsideTarget {
        label: String,
        label_database: String,
        label_group: String,
        target: String,
    },
    /// Several groups back up the database: which chain to restore is ambiguous.
    SeveralGroups {
        database: String,
        groups: Vec<String>,
    },
    /// Nothing finished at or before the requested time.
    NothingEarlyEnough {
        database: String,
        at_ms: i64,
        /// The earliest finished set that can be placed in time: (set, backup time ms).
        earliest: Option<(String, i64)>,
        /// Finished sets without a recorded `backup_time` (they cannot be placed in time).
        unplaced: Vec<String>,
    },
    /// An incremental whose parent set is missing or did not finish.
    ChainBroken {
        database: String,
        set: String,
        missing_parent: Option<String>,
    },
    /// A label without the `backup_timestamp` RESTORE needs (§2.3).
    MissingSnapshotTimestamp { database: String, label: String },
    /// A table whose partitions come from several snapshots but that cannot get partitions
    /// added (LIST, unpartitioned, or partitioning unknown; §9.2, §9.4).
    NeedsOneSnapshot {
        database: String,
        table: String,
        partitioning: Option<Partitioning>,
        snapshots: Vec<String>,
    },
    /// `--in-place` onto a live table that lacks partitions of the point, which StarRocks
    /// cannot add to it (not range-partitioned, or partitioning unknown; §9.2).
    InPlaceMissingPartitions {
        database: String,
        table: String,
        partitioning: Option<Partitioning>,
        partitions: Vec<String>,
    },
    /// `--in-place` onto a live table whose schema is not the snapshot's (§9.2 would cancel it).
    SchemaDiffers {
        database: String,
        table: String,
        live: String,
        snapshot: String,
    },
    /// The live object with the snapshot's name is of another kind (a view where a table was).
    KindDiffers {
        database: String,
        object: String,
        live: String,
        snapshot: String,
    },
    /// `--into` a database that already holds an object of that name.
    IntoTargetExists { database: String, object: String },
    /// `--into` the database the snapshots came from.
    IntoSameDatabase { database: String },
    /// `--into` with targets in several source databases (their names would collide).
    IntoSeveralDatabases { databases: Vec<String> },
}

fn at_text(ms: i64) -> String {
    format!(
        "{} (epoch ms {ms})",
        Timestamp(ms.div_euclid(1000)).to_rfc3339()
    )
}

fn partitioning_text(p: Option<Partitioning>) -> String {
    match p {
        Some(Partitioning::Unpartitioned) => "is unpartitioned".to_string(),
        Some(p) => format!("is {}-partitioned", p.as_str()),
        None => {
            "has a partitioning starsnap does not know (re-inspect with this starsnap)".to_string()
        }
    }
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestoreError::NoTargets => f.write_str(
                "nothing to restore: name a table (`db.table`), a database (`db`) or a group (`group:NAME`)",
            ),
            RestoreError::UnknownTarget { target, why } => {
                write!(f, "cannot restore `{target}`: {why}")
            }
            RestoreError::UnknownLabel { label } => write!(
                f,
                "no backup labelled `{label}` in starsnap's history; `starsnap history` lists the labels"
            ),
            RestoreError::LabelNotFinished { label, set } => write!(
                f,
                "backup `{label}` is part of set `{set}`, which did not finish (every chunk must be FINISHED); pick another label or a time with --at"
            ),
            RestoreError::LabelOutsideTarget {
                label,
                label_database,
                label_group,
                target,
            } => write!(
                f,
                "label `{label}` is a backup of database `{label_database}` (group `{label_group}`) and cannot restore `{target}`; restore `{target}` separately"
            ),
            RestoreError::SeveralGroups { database, groups } => write!(
                f,
                "database `{database}` is backed up by several groups ({}); restore with a `group:NAME` target or a --label of the group you mean",
                groups.join(", ")
            ),
            RestoreError::NothingEarlyEnough {
                database,
                at_ms,
                earliest,
                unplaced,
            } => {
                write!(
                    f,
                    "no finished backup of `{database}` was taken at or before {}",
                    at_text(*at_ms)
                )?;
                match earliest {
                    Some((set, ms)) => write!(
                        f,
                        "; the earliest point available is {} (set `{set}`)",
                        at_text(*ms)
                    )?,
                    None => f.write_str("; no backup of it can be placed in time")?,
                }
                if !unplaced.is_empty() {
                    write!(
                        f,
                        "; {} finished set(s) have no recorded backup time and were not considered ({}): restore one of them with --label",
                        unplaced.len(),
                        unplaced.join(", ")
                    )?;
                }
                Ok(())
            }
            RestoreError::ChainBroken {
                database,
                set,
                missing_parent,
            } => match missing_parent {
                Some(parent) => write!(
                    f,
                    "the chain of `{database}` is broken: incremental set `{set}` builds on `{parent}`, which is not a finished backup in the history; restore an earlier point (--at, --label) whose chain is whole"
                ),
                None => write!(
                    f,
                    "the chain of `{database}` is broken: incremental set `{set}` records no parent; restore an earlier point (--at, --label)"
                ),
            },
            RestoreError::MissingSnapshotTimestamp { database, label } => write!(
                f,
                "backup `{label}` of `{database}` has no snapshot timestamp recorded, which RESTORE needs; run `starsnap inspect` so the history picks it up from SHOW SNAPSHOT"
            ),
            RestoreError::NeedsOneSnapshot {
                database,
                table,
                partitioning,
                snapshots,
            } => {
                let kind = partitioning_text(*partitioning);
                write!(
                    f,
                    "table `{database}.{table}` {kind} and its partitions at this point come from {} snapshots ({}); StarRocks adds partitions onto an existing table only for range partitioning (`No partition exist in single partitioned table`), so it cannot be assembled. Take a full backup of `{database}` and restore from it, or restore an earlier point that one snapshot covers",
                    snapshots.len(),
                    snapshots.join(", ")
                )
            }
            RestoreError::InPlaceMissingPartitions {
                database,
                table,
                partitioning,
                partitions,
            } => write!(
                f,
                "--in-place cannot restore `{database}.{table}`: the live table lacks partition(s) {} of this point and {}; StarRocks adds partitions onto an existing table only for range partitioning. Restore without --in-place (swap) or --into another database",
                partitions.join(", "),
                partitioning_text(*partitioning)
            ),
            RestoreError::SchemaDiffers {
                database,
                table,
                live,
                snapshot,
            } => write!(
                f,
                "--in-place cannot restore `{database}.{table}`: its schema changed since the backup (live {live}, snapshot {snapshot}) and StarRocks cancels a restore onto a table with another schema; restore without --in-place (swap) or --into another database"
            ),
            RestoreError::KindDiffers {
                database,
                object,
                live,
                snapshot,
            } => write!(
                f,
                "`{database}.{object}` is a {live} now but a {snapshot} in the snapshot; drop or rename it first, or restore --into another database"
            ),
            RestoreError::IntoTargetExists { database, object } => write!(
                f,
                "--into `{database}`: it already holds `{object}`, which the restore would overwrite; name an empty or new database"
            ),
            RestoreError::IntoSameDatabase { database } => write!(
                f,
                "--into `{database}` is the database the backups came from; restore without --into (swap) or with --in-place"
            ),
            RestoreError::IntoSeveralDatabases { databases } => write!(
                f,
                "--into takes targets from one database, these come from {}; restore each database on its own",
                databases.join(", ")
            ),
        }
    }
}

impl std::error::Error for RestoreError {}
