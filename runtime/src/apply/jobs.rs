//! What the cluster says about a job: the row of `SHOW BACKUP FROM db` / `SHOW RESTORE FROM
//! db` for one label — or, for the external-catalog job, the row of `SHOW BACKUP` /
//! `SHOW RESTORE` whose `DbName` is empty — (read by column name, invariant 5), whether a snapshot is in its
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
    /// The statement's keyword: `BACKUP` or `RESTORE`.
    pub fn keyword(self) -> &'static str {
        match self {
            JobKind::Backup => "BACKUP",
            JobKind::Restore => "RESTORE",
        }
    }

    fn show(self) -> &'static str {
        match self {
            JobKind::Backup => "SHOW BACKUP",
            JobKind::Restore => "SHOW RESTORE",
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
    /// StarRocks's `JobId`: tells two jobs with one label apart (a snapshot restored twice,
    /// a cancelled backup submitted again). `None` when the cluster does not show it.
    pub job_id: Option<String>,
    /// A RESTORE's `Timestamp` (the snapshot's backup timestamp).
    pub timestamp: Option<String>,
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
    Ok(jobs(cluster, kind, database)?
        .into_iter()
        .rfind(|r| r.label == label))
}

/// The database's last job of `kind`, whatever its label.
pub fn last_job(
    cluster: &mut Cluster,
    kind: JobKind,
    database: &str,
) -> Result<Option<JobRow>, RuntimeError> {
    Ok(jobs(cluster, kind, database)?.pop())
}

/// The rows of SHOW BACKUP/RESTORE FROM db, read by column name. StarRocks shows one job per
/// database; were more shown, they come oldest first.
///
/// `database` empty: the cluster's one external-catalog job (spec §2.2, §2.5). It has no
/// database to show it FROM: SHOW BACKUP/RESTORE without FROM lists every database's job and
/// then the catalog job, whose `DbName` is `""`. Its `JobId` stays `-1` for every catalog job
/// (`BackupJob.prepareAndSendSnapshotTask` and `RestoreJob.checkAndPrepareMeta` return before
/// an id is assigned), so it cannot tell two catalog jobs apart and is not read: such a job is
/// told by its label (and, for a RESTORE, timestamp), an earlier attempt by being cancelled.
fn jobs(cluster: &mut Cluster, kind: JobKind, database: &str) -> Result<Vec<JobRow>, RuntimeError> {
    let catalogs = database.is_empty();
    let sql = if catalogs {
        kind.show().to_string()
    } else {
        format!("{} FROM {}", kind.show(), quote_ident(database))
    };
    let rs = match cluster.query(&sql) {
        Ok(rs) => rs,
        // A database that does not exist has no job (a RESTORE creates its target database).
        Err(RuntimeError::Server { code, message, .. })
            if matches!(code, 1049 | 5501) && message.contains("Unknown database") =>
        {
            return Ok(Vec::new())
        }
        Err(e) => return Err(e),
    };
    rs.require(&[kind.label_column(), "State"])?;
    if catalogs {
        rs.require(&["DbName"])?;
    }
    let has_id = rs.has_column("JobId") && !catalogs;
    let has_ts = rs.has_column("Timestamp");
    let mut out = Vec::new();
    for row in rs.iter() {
        if catalogs && row.get("DbName")?.is_some_and(|d| !d.is_empty()) {
            continue;
        }
        out.push(JobRow {
            label: row.text(kind.label_column())?.to_string(),
            state: row.text("State")?.to_ascii_uppercase(),
            status: row.get("Status")?.map(str::to_string),
            task_err_msg: row.get("TaskErrMsg")?.map(str::to_string),
            job_id: if has_id {
                row.get("JobId")?.map(str::to_string)
            } else {
                None
            },
            timestamp: if has_ts {
                row.get("Timestamp")?.map(str::to_string)
            } else {
                None
            },
        });
    }
    Ok(out)
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

/// What SHOW SNAPSHOT's detail form says about a finished snapshot (`Details` = the job
/// info's brief, spec §3.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapshotBrief {
    /// The partitions it holds, per table (`backup_objects.<table>.partitions`); `None` when
    /// the brief does not list them.
    pub partitions: Option<BTreeMap<String, BTreeSet<String>>>,
    /// StarRocks's `backup_time`: epoch milliseconds, independent of the FE's time zone.
    pub backup_time_ms: Option<i64>,
}

/// The detail form of SHOW SNAPSHOT (`WHERE SNAPSHOT = … AND TIMESTAMP = …`), read by column
/// name; `None` when the cluster shows no readable `Details` JSON.
pub fn snapshot_brief(
    cluster: &mut Cluster,
    repository: &str,
    label: &str,
    timestamp: &str,
) -> Result<Option<SnapshotBrief>, RuntimeError> {
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
    Ok(parse_brief(details))
}

/// Parses the `Details` JSON (org.json, any key order).
pub fn parse_brief(details: &str) -> Option<SnapshotBrief> {
    let brief = serde_json::from_str::<serde_json::Value>(details).ok()?;
    let partitions = brief
        .get("backup_objects")
        .and_then(|o| o.as_object())
        .map(|objects| {
            objects
                .iter()
                .map(|(table, info)| {
                    let parts: BTreeSet<String> = info
                        .get("partitions")
                        .and_then(|p| p.as_object())
                        .map(|p| p.keys().cloned().collect())
                        .unwrap_or_default();
                    (table.clone(), parts)
                })
                .collect()
        });
    let backup_time_ms = brief.get("backup_time").and_then(|t| t.as_i64());
    Some(SnapshotBrief {
        partitions,
        backup_time_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brief_gives_partitions_and_backup_time() {
        let details = r#"{
 "backup_objects": {"t": {"autoIncrementId": 0, "partitions": {"p1": {}, "p2": {}}}},
 "database": "d",
 "backup_result": "succeed",
 "name": "l1",
 "backup_time": 1733739958842,
 "meta_version": 92
}"#;
        let b = parse_brief(details).expect("brief");
        assert_eq!(b.backup_time_ms, Some(1_733_739_958_842));
        let parts = b.partitions.expect("partitions");
        assert_eq!(parts.get("t").map(|p| p.len()), Some(2));
        let none = parse_brief(r#"{"name": "l1"}"#).expect("brief");
        assert_eq!(none, SnapshotBrief::default());
        assert!(parse_brief("not json").is_none());
    }
}
