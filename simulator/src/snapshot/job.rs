//! BACKUP jobs as StarRocks's `BackupJob` keeps them: state, times, the objects backed up,
//! status and task messages, and the data captured at SNAPSHOTING. Plain data (`serde`) so
//! jobs survive a restart of the simulator on the same data directory.

use serde::{Deserialize, Serialize};

use crate::clock::EpochMillis;
use crate::engine::catalog::{ExternalCatalog, Function, Table};

/// `BackupJob.BackupJobState` (spec §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackupState {
    Pending,
    Snapshoting,
    UploadSnapshot,
    Uploading,
    SaveMeta,
    UploadInfo,
    Finished,
    Cancelled,
}

impl BackupState {
    pub const ALL: [BackupState; 8] = [
        BackupState::Pending,
        BackupState::Snapshoting,
        BackupState::UploadSnapshot,
        BackupState::Uploading,
        BackupState::SaveMeta,
        BackupState::UploadInfo,
        BackupState::Finished,
        BackupState::Cancelled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BackupState::Pending => "PENDING",
            BackupState::Snapshoting => "SNAPSHOTING",
            BackupState::UploadSnapshot => "UPLOAD_SNAPSHOT",
            BackupState::Uploading => "UPLOADING",
            BackupState::SaveMeta => "SAVE_META",
            BackupState::UploadInfo => "UPLOAD_INFO",
            BackupState::Finished => "FINISHED",
            BackupState::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(s: &str) -> Option<BackupState> {
        BackupState::ALL
            .into_iter()
            .find(|st| st.name().eq_ignore_ascii_case(s.trim()))
    }

    pub fn is_done(self) -> bool {
        matches!(self, BackupState::Finished | BackupState::Cancelled)
    }

    /// The state after this one: database jobs walk every state, external-catalog jobs go
    /// PENDING → SAVE_META → UPLOAD_INFO → FINISHED (`BackupJob.run`).
    pub fn next(self, catalog_job: bool) -> BackupState {
        use BackupState::*;
        match (self, catalog_job) {
            (Pending, true) => SaveMeta,
            (Pending, false) => Snapshoting,
            (Snapshoting, _) => UploadSnapshot,
            (UploadSnapshot, _) => Uploading,
            (Uploading, _) => SaveMeta,
            (SaveMeta, _) => UploadInfo,
            (UploadInfo, _) | (Finished, _) => Finished,
            (Cancelled, _) => Cancelled,
        }
    }
}

/// `backup/Status`: `[OK]` or `[<ErrCode>, msg: <text>]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobStatus {
    Ok,
    Error { code: String, msg: String },
}

impl JobStatus {
    pub fn error(code: &str, msg: impl Into<String>) -> JobStatus {
        JobStatus::Error {
            code: code.to_string(),
            msg: msg.into(),
        }
    }

    /// `Status.toString()`.
    pub fn render(&self) -> String {
        match self {
            JobStatus::Ok => "[OK]".to_string(),
            JobStatus::Error { code, msg } => format!("[{code}, msg: {msg}]"),
        }
    }
}

/// One table of a backup, as analyzed: its name and the partitions named in `ON (…)`
/// (empty = the whole table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupObject {
    pub table: String,
    pub partitions: Vec<String>,
}

/// What the job captured at SNAPSHOTING: table definitions with the rows and versions of
/// the backed-up partitions, and the functions.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Captured {
    pub db_id: u64,
    pub tables: Vec<Table>,
    pub functions: Vec<Function>,
    /// External catalogs (external-catalog backups only).
    #[serde(default)]
    pub catalogs: Vec<ExternalCatalog>,
}

/// A BACKUP job (one per database is kept; the last one).
/// Repository traffic of one job (simulator-only, `ADMIN SHOW SIMULATOR JOB STATS`): files
/// and bytes a BACKUP wrote or a RESTORE read, all files and the partitions' data files alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobIo {
    pub files: u64,
    pub bytes: u64,
    pub data_files: u64,
    pub data_bytes: u64,
}

impl JobIo {
    /// One job-info or meta file.
    pub fn meta_file(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }

    /// One partition's data file.
    pub fn data_file(&mut self, bytes: u64) {
        self.meta_file(bytes);
        self.data_files += 1;
        self.data_bytes += bytes;
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BackupJob {
    /// `-1` until the PENDING step ran; external-catalog jobs keep `-1`.
    pub job_id: i64,
    pub label: String,
    /// `""` for an external-catalog backup.
    pub db_name: String,
    pub repository: String,
    /// External catalogs backed up (external-catalog jobs only).
    pub catalogs: Vec<String>,
    pub objects: Vec<BackupObject>,
    pub functions: Vec<String>,
    pub state: BackupState,
    pub create_ms: EpochMillis,
    pub snapshot_finished_ms: EpochMillis,
    pub upload_finished_ms: EpochMillis,
    pub finished_ms: EpochMillis,
    /// When the current state began (scheduled time, so pacing is deterministic).
    pub state_since_ms: EpochMillis,
    pub timeout_s: i64,
    pub status: JobStatus,
    /// `taskId: msg` entries (TaskErrMsg column).
    pub task_errors: Vec<(i64, String)>,
    /// The snapshot timestamp, `yyyy-MM-dd-HH-mm-ss-SSS` of the CreateTime in the FE zone.
    pub timestamp: String,
    pub captured: Option<Captured>,
    /// Files and bytes written to the repository.
    #[serde(default)]
    pub io: JobIo,
    /// The BACKUP `ttl` property as written (StarRocks 4.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    /// Each partition's uploaded tablet files (`<name>.<md5>`) by partition id, for the job
    /// info (`SnapshotInfo.getFiles`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub tablet_files: std::collections::BTreeMap<u64, Vec<String>>,
}

impl BackupJob {
    pub fn is_catalog_job(&self) -> bool {
        self.db_name.is_empty()
    }

    /// BackupObjs: `[db.t]` or `[db.tPARTITIONS (p1, p2)]` joined by `", "` (spec §3.1, §8.8).
    pub fn objects_text(&self) -> String {
        self.objects
            .iter()
            .map(|o| {
                let parts = if o.partitions.is_empty() {
                    String::new()
                } else {
                    format!("PARTITIONS ({})", o.partitions.join(", "))
                };
                format!("[{}.{}{}]", self.db_name, o.table, parts)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn task_errors_text(&self) -> String {
        task_errors_text(&self.task_errors)
    }
}

/// SHOW BACKUP/RESTORE `TaskErrMsg`: `[taskId: msg]` entries joined by `", "`.
pub fn task_errors_text(errors: &[(i64, String)]) -> String {
    errors
        .iter()
        .map(|(id, m)| format!("[{id}: {m}]"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_and_catalog_state_sequences() {
        let walk = |catalog| {
            let mut s = BackupState::Pending;
            let mut out = vec![s.name()];
            while !s.is_done() {
                s = s.next(catalog);
                out.push(s.name());
            }
            out.join(" ")
        };
        assert_eq!(
            walk(false),
            "PENDING SNAPSHOTING UPLOAD_SNAPSHOT UPLOADING SAVE_META UPLOAD_INFO FINISHED"
        );
        assert_eq!(walk(true), "PENDING SAVE_META UPLOAD_INFO FINISHED");
    }

    #[test]
    fn status_renders_like_backup_status() {
        assert_eq!(JobStatus::Ok.render(), "[OK]");
        assert_eq!(JobStatus::error("TIMEOUT", "").render(), "[TIMEOUT, msg: ]");
    }
}
