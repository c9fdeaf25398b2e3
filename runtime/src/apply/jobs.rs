//! What the cluster says about a job: the row of `SHOW BACKUP FROM db` / `SHOW RESTORE FROM
//! db` for one label (read by column name, invariant 5), whether a snapshot is in its
//! repository (`SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'label'`), and which partitions it
//! holds (the detail form, with the TIMESTAMP).

use std::collections::{BTreeMap, BTreeSet};

use starsnap_compiler::syntax::{quote_ident, quote_string};

use crate::conn::Cluster;
use crate::error::RuntimeError;

/// BACKUP or RESTORE (which SHOW to poll, and which column holds the label).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Backup,
    Restore,
}

impl JobKind {
    fn show(self) -> &'static str {
        match self {
            JobKind::Backup => "SHOW BACKUP FROM",
            JobKind::Restore => "SHOW RESTORE FROM",
        }
    }

    fn label_column(self) -> &'static str {
        match self {
            JobKind::Backup => "SnapshotName",
            JobKind::Restore => "Label",
        }
    }
}

/// A job as SHOW BACKUP/RESTORE shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRow {
    pub label: String,
    /// PENDING, SNAPSHOTING, …, FINISHED, CANCELLED.
    pub state: String,
    /// `[OK]` or `[<ErrCode>, msg: <text>]`.
    pub status: Option<String>,
    pub task_err_msg: Option<String>,
}

impl JobRow {
    pub fn is_finished(&self) -> bool {
        self.state.eq_ignore_ascii_case("FINISHED")
    }

    pub fn is_cancelled(&self) -> bool {
        self.state.eq_ignore_ascii_case("CANCELLED")
    }

    /// The Status column when it says more than `[OK]`.
    pub fn status_text(&self) -> Option<&str> {
        self.status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "[OK]")
    }

    /// TaskErrMsg when not empty (`[]` counts as empty).
    pub fn task_message(&self) -> Option<&str> {
        self.task_err_msg
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "[]")
    }
}

/// The database's last job of `kind` if its label is `label` (StarRocks keeps only the last
/// job per database, so another label there means ours is no longer shown).
pub fn job(
    cluster: &mut Cluster,
    kind: JobKind,
    database: &str,
    label: &str,
) -> Result<Option<JobRow>, RuntimeError> {
    let rs = cluster.query(&format!("{} {}", kind.show(), quote_ident(database)))?;
    rs.require(&[kind.label_column(), "State"])?;
    for row in rs.iter() {
        if row.get(kind.label_column())? != Some(label) {
            continue;
        }
        return Ok(Some(JobRow {
            label: label.to_string(),
            state: row.text("State")?.to_ascii_uppercase(),
            status: row.get("Status")?.map(str::to_string),
            task_err_msg: row.get("TaskErrMsg")?.map(str::to_string),
        }));
    }
    Ok(None)
}

/// The snapshot's timestamps in `repository` (list form of SHOW SNAPSHOT); empty when the
/// repository holds no finished snapshot with that label.
pub fn snapshot_timestamps(
    cluster: &mut Cluster,
    repository: &str,
    label: &str,
) -> Result<Vec<String>, RuntimeError> {
    let rs = cluster.query(&format!(
        "SHOW SNAPSHOT ON {} WHERE SNAPSHOT = {}",
        quote_ident(repository),
        quote_string(label)
    ))?;
    rs.require(&["Snapshot", "Timestamp", "Status"])?;
    let mut out = Vec::new();
    for row in rs.iter() {
        if row.get("Snapshot")? != Some(label) {
            continue;
        }
        let ok = row.get("Status")?.is_some_and(|s| s.trim() == "OK");
        if !ok {
            continue;
        }
        if let Some(ts) = row.get("Timestamp")? {
            out.extend(
                ts.split('\n')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
            );
        }
    }
    out.sort();
    Ok(out)
}

/// The partitions a finished snapshot holds, per table, from the detail form of SHOW
/// SNAPSHOT (`Details` = the job info's brief: `backup_objects.<table>.partitions`).
/// `None` when the cluster shows no readable brief (the caller keeps what it planned).
pub fn snapshot_partitions(
    cluster: &mut Cluster,
    repository: &str,
    label: &str,
    timestamp: &str,
) -> Result<Option<BTreeMap<String, BTreeSet<String>>>, RuntimeError> {
    let rs = cluster.query(&format!(
        "SHOW SNAPSHOT ON {} WHERE SNAPSHOT = {} AND TIMESTAMP = {}",
        quote_ident(repository),
        quote_string(label),
        quote_string(timestamp)
    ))?;
    if !rs.has_column("Details") {
        return Ok(None);
    }
    let Some(row) = rs.iter().next() else {
        return Ok(None);
    };
    let Some(details) = row.get("Details")? else {
        return Ok(None);
    };
    let Ok(brief) = serde_json::from_str::<serde_json::Value>(details) else {
        return Ok(None);
    };
    let Some(objects) = brief.get("backup_objects").and_then(|o| o.as_object()) else {
        return Ok(None);
    };
    let mut out = BTreeMap::new();
    for (table, info) in objects {
        let parts: BTreeSet<String> = info
            .get("partitions")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        out.insert(table.clone(), parts);
    }
    Ok(Some(out))
}
