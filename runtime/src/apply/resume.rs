//! Where a backup step stands after an earlier run of the same plan, whatever happened to
//! that run: the history (this plan's rows), the repository (`SHOW SNAPSHOT`) and the
//! cluster's last job of the database (`SHOW BACKUP`), in that order, decide.
//!
//! * recorded finished → done;
//! * in the repository → it finished while no one watched: record it (never resubmit);
//! * shown by SHOW BACKUP and not ended → re-attach by its label;
//! * shown as CANCELLED → the earlier attempt failed: record that, then submit again
//!   (no snapshot exists, so the label is free);
//! * otherwise → not started (possibly recorded as submitted by a run killed before it sent
//!   the statement: StarRocks never saw it, since the lease keeps others out).

use std::collections::BTreeMap;

use starsnap_compiler::plan::{Action, Op, Step};

use super::jobs::{job, snapshot_timestamps, JobKind, JobRow};
use crate::conn::Cluster;
use crate::error::RuntimeError;
use crate::state::{BackupEntry, BackupState};

/// Where a backup step stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    Recorded,
    /// In the repository, not recorded finished; the snapshot's timestamp.
    Unrecorded(String),
    /// A job with the step's label that has not ended.
    Running(JobRow),
    /// The last attempt was cancelled by the cluster.
    Cancelled(JobRow),
    NotStarted,
}

/// Whether the history says this plan already finished the step.
pub fn recorded_finished(step: &Step, history: &BTreeMap<(String, String), BackupEntry>) -> bool {
    if step.action() != Action::Backup
        && !matches!(&step.op, Op::Sql(q) if q.statement == Action::Backup)
    {
        return false;
    }
    let (Some(repo), Some(label)) = (step.repository(), step.label()) else {
        return false;
    };
    history
        .get(&(repo.to_string(), label.to_string()))
        .is_some_and(|e| e.state == BackupState::Finished)
}

/// Decides where a backup step of `database` stands.
pub fn standing(
    cluster: &mut Cluster,
    recorded: Option<&BackupEntry>,
    database: &str,
    repository: &str,
    label: &str,
) -> Result<Standing, RuntimeError> {
    if recorded.is_some_and(|e| e.state == BackupState::Finished) {
        return Ok(Standing::Recorded);
    }
    if let Some(ts) = snapshot_timestamps(cluster, repository, label)?.pop() {
        return Ok(Standing::Unrecorded(ts));
    }
    match job(cluster, JobKind::Backup, database, label)? {
        Some(row) if row.is_cancelled() => Ok(Standing::Cancelled(row)),
        Some(row) => Ok(Standing::Running(row)),
        None => Ok(Standing::NotStarted),
    }
}
