//! RESTORE jobs as StarRocks's `RestoreJob` keeps them (spec §3.2): states, times, what is
//! restored where, what the job created (so a cancelled job can undo it) and the data staged
//! at DOWNLOADING until COMMITTING applies it.

use serde::{Deserialize, Serialize};

use super::job::{JobIo, JobStatus};
use crate::clock::EpochMillis;
use crate::engine::catalog::Row;

/// `RestoreJob.RestoreJobState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RestoreState {
    Pending,
    Snapshoting,
    Download,
    Downloading,
    Commit,
    Committing,
    Finished,
    Cancelled,
}

impl RestoreState {
    pub fn name(self) -> &'static str {
        match self {
            RestoreState::Pending => "PENDING",
            RestoreState::Snapshoting => "SNAPSHOTING",
            RestoreState::Download => "DOWNLOAD",
            RestoreState::Downloading => "DOWNLOADING",
            RestoreState::Commit => "COMMIT",
            RestoreState::Committing => "COMMITTING",
            RestoreState::Finished => "FINISHED",
            RestoreState::Cancelled => "CANCELLED",
        }
    }

    pub fn is_done(self) -> bool {
        matches!(self, RestoreState::Finished | RestoreState::Cancelled)
    }

    /// Database restores walk every state; external-catalog restores go PENDING →
    /// COMMITTING → FINISHED.
    pub fn next(self, catalog_job: bool) -> RestoreState {
        use RestoreState::*;
        match (self, catalog_job) {
            (Pending, true) => Committing,
            (Pending, false) => Snapshoting,
            (Snapshoting, _) => Download,
            (Download, _) => Downloading,
            (Downloading, _) => Commit,
            (Commit, _) => Committing,
            (Committing, _) | (Finished, _) => Finished,
            (Cancelled, _) => Cancelled,
        }
    }
}

/// One table to restore: its name in the snapshot, its name in the target database, and
/// the partitions (empty = every partition of the snapshot's table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreObject {
    pub table: String,
    pub target: String,
    pub partitions: Vec<String>,
}

/// A partition's data read at DOWNLOADING, applied at COMMITTING.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Staged {
    pub target: String,
    pub partition: String,
    pub version: u64,
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RestoreJob {
    pub job_id: i64,
    pub label: String,
    /// The `backup_timestamp` property as given.
    pub timestamp: String,
    /// The target database (`""` for an external-catalog restore).
    pub db_name: String,
    pub repository: String,
    pub allow_load: bool,
    pub replication_num: i64,
    pub objects: Vec<RestoreObject>,
    /// Functions to restore (snapshot names).
    pub functions: Vec<String>,
    /// External catalogs to restore: (snapshot name, target name).
    pub catalogs: Vec<(String, String)>,
    /// RestoreObjs, computed at submission from the snapshot's job info.
    pub objects_text: String,
    pub state: RestoreState,
    pub create_ms: EpochMillis,
    pub meta_prepared_ms: EpochMillis,
    pub snapshot_finished_ms: EpochMillis,
    pub download_finished_ms: EpochMillis,
    pub finished_ms: EpochMillis,
    pub state_since_ms: EpochMillis,
    pub timeout_s: i64,
    pub status: JobStatus,
    pub task_errors: Vec<(i64, String)>,
    /// Tables the job created (target names), dropped again if it is cancelled.
    pub created_tables: Vec<String>,
    /// Partitions the job added to existing tables: (target table, partition).
    pub created_partitions: Vec<(String, String)>,
    /// Existing tables the job put in state RESTORE.
    pub locked_tables: Vec<String>,
    pub staged: Vec<Staged>,
    /// Partitions (tablets) the job restores; set when the meta is prepared.
    #[serde(default)]
    pub tablets: usize,
    /// Ids of the tables the job writes (locked or created), for `checkIfNeedCancel`.
    #[serde(default)]
    pub table_ids: Vec<(String, u64)>,
    /// Files and bytes read from the repository by the job's steps.
    #[serde(default)]
    pub io: JobIo,
}

impl RestoreJob {
    pub fn is_catalog_job(&self) -> bool {
        self.db_name.is_empty()
    }

    pub fn task_errors_text(&self) -> String {
        super::job::task_errors_text(&self.task_errors)
    }

    /// A job just submitted (state PENDING, JobId `-1` until the PENDING step runs, as in
    /// `RestoreJob.checkAndPrepareMeta`), with nothing to restore yet: callers fill in the
    /// objects, functions or catalogs and the properties.
    pub fn submitted(
        label: String,
        timestamp: String,
        db_name: String,
        repository: String,
        now: EpochMillis,
        timeout_s: i64,
    ) -> RestoreJob {
        RestoreJob {
            job_id: -1,
            label,
            timestamp,
            db_name,
            repository,
            allow_load: false,
            replication_num: 3,
            objects: Vec::new(),
            functions: Vec::new(),
            catalogs: Vec::new(),
            objects_text: String::new(),
            state: RestoreState::Pending,
            create_ms: now,
            meta_prepared_ms: 0,
            snapshot_finished_ms: 0,
            download_finished_ms: 0,
            finished_ms: 0,
            state_since_ms: now,
            timeout_s,
            status: JobStatus::Ok,
            task_errors: Vec::new(),
            created_tables: Vec::new(),
            created_partitions: Vec::new(),
            locked_tables: Vec::new(),
            staged: Vec::new(),
            tablets: 0,
            table_ids: Vec::new(),
            io: JobIo::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_sequences() {
        let walk = |catalog| {
            let mut s = RestoreState::Pending;
            let mut out = vec![s.name()];
            while !s.is_done() {
                s = s.next(catalog);
                out.push(s.name());
            }
            out.join(" ")
        };
        assert_eq!(
            walk(false),
            "PENDING SNAPSHOTING DOWNLOAD DOWNLOADING COMMIT COMMITTING FINISHED"
        );
        assert_eq!(walk(true), "PENDING COMMITTING FINISHED");
    }
}
