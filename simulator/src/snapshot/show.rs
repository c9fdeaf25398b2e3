//! SHOW BACKUP (14 columns, spec §3.1), SHOW RESTORE (18 columns, §3.2) and SHOW SNAPSHOT
//! (list and detail forms, §3.3). SHOW SNAPSHOT reads the repository folder every time.

use starsnap_compiler::syntax::ast::{
    JobKind, Limit, ShowJobs, ShowSnapshot, SnapshotColumn, SnapshotFilter,
};

use super::job::{BackupJob, BackupState};
use super::restore_job::{RestoreJob, RestoreState};
use super::{files, storage, Job, SnapCtx, State};
use crate::engine::show::{layouts, session_time_zone};
use crate::engine::time::TimeZone;
use crate::engine::{alive_backend_ids, errors};
use crate::response::{Outcome, Response, Session};

fn time(tz: &TimeZone, ms: i64) -> Option<String> {
    (ms > 0).then(|| tz.format_datetime(ms))
}

/// UnfinishedTasks and Progress while a state's tasks run (the simulator finishes a state's
/// tasks together at its end): snapshot tasks, one per tablet, `taskId=beId` joined by
/// `", "` (SNAPSHOTING); upload/download tasks, one per backend holding tablets, with
/// Progress `[taskId: 0/<tablets>]` (UPLOADING / DOWNLOADING). Task ids follow the job id.
fn tasks(job_id: i64, tablets: usize, backends: &[u64], per_backend: bool) -> (String, String) {
    if backends.is_empty() || tablets == 0 {
        return (String::new(), String::new());
    }
    let base = job_id.max(0) + 1;
    if !per_backend {
        let list = (0..tablets)
            .map(|i| format!("{}={}", base + i as i64, backends[i % backends.len()]))
            .collect::<Vec<_>>()
            .join(", ");
        return (list, String::new());
    }
    let n = backends.len().min(tablets);
    let mut unfinished = Vec::new();
    let mut progress = Vec::new();
    for (k, be) in backends.iter().take(n).enumerate() {
        let id = base + (tablets + k) as i64;
        let share = (tablets + n - 1 - k) / n;
        unfinished.push(format!("{id}={be}"));
        progress.push(format!("[{id}: 0/{share}]"));
    }
    (unfinished.join(", "), progress.join(", "))
}

/// One SHOW BACKUP row (`BackupJob.getInfo`).
pub fn backup_row(j: &BackupJob, tz: &TimeZone, backends: &[u64]) -> Vec<Option<String>> {
    let tablet_ids: Vec<u64> = j
        .captured
        .as_ref()
        .map(|c| {
            c.tables
                .iter()
                .flat_map(|t| t.partitions.iter().map(|p| p.id + 1))
                .collect()
        })
        .unwrap_or_default();
    let tablets = tablet_ids.len();
    let (unfinished, progress) = match j.state {
        // Snapshot tasks are keyed by tablet id (`unfinishedTaskIds.put(tabletId, beId)`).
        BackupState::Snapshoting if !backends.is_empty() => (
            tablet_ids
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{t}={}", backends[i % backends.len()]))
                .collect::<Vec<_>>()
                .join(", "),
            String::new(),
        ),
        BackupState::Uploading => tasks(j.job_id, tablets, backends, true),
        _ => (String::new(), String::new()),
    };
    vec![
        Some(j.job_id.to_string()),
        Some(j.label.clone()),
        Some(j.db_name.clone()),
        Some(j.state.name().to_string()),
        Some(j.objects_text()),
        time(tz, j.create_ms),
        time(tz, j.snapshot_finished_ms),
        time(tz, j.upload_finished_ms),
        time(tz, j.finished_ms),
        Some(unfinished),
        Some(progress),
        Some(j.task_errors_text()),
        Some(j.status.render()),
        Some(j.timeout_s.to_string()),
    ]
}

/// The jobs SHOW lists: the named database's, or every database's in database-id order, then
/// the external-catalog job.
fn listed<'a>(st: &'a State, cx: &SnapCtx<'_>, j: &ShowJobs) -> Vec<&'a Job> {
    match &j.database {
        Some(db) => st.jobs.get(&db.value).into_iter().collect(),
        None => {
            let mut v: Vec<(u64, &Job)> = st
                .jobs
                .iter()
                .filter_map(|(name, job)| {
                    if name.is_empty() {
                        Some((u64::MAX, job))
                    } else {
                        cx.catalog.db(name).map(|d| (d.id, job))
                    }
                })
                .collect();
            v.sort_by_key(|(id, _)| *id);
            v.into_iter().map(|(_, j)| j).collect()
        }
    }
}

/// 4.1's LIMIT/OFFSET (`ShowExecutor.doOrderByLimit`); ORDER BY is ignored on these
/// statements (`starrocks-versions.md` §3). Earlier versions refuse the clauses at parse.
fn apply_limit(rows: &mut Vec<Vec<Option<String>>>, limit: Option<&Limit>) {
    if let Some(l) = limit {
        let offset = usize::try_from(l.offset.unwrap_or(0)).unwrap_or(usize::MAX);
        let count = usize::try_from(l.count).unwrap_or(usize::MAX);
        let kept: Vec<_> = rows.drain(..).skip(offset).take(count).collect();
        *rows = kept;
    }
}

/// SHOW BACKUP's 4.1 WHERE goes through `doPredicate` with unverified semantics: refused
/// plainly rather than guessed. (3.4 refuses it at parse; SHOW RESTORE ignores its WHERE.)
fn refuse_filters(cx: &SnapCtx<'_>, j: &ShowJobs) -> Result<(), crate::response::SqlError> {
    if j.kind == JobKind::Backup
        && cx.config.version >= crate::profile::VersionProfile::V4_1
        && j.filters.where_.is_some()
    {
        return Err(errors::unsupported("WHERE on SHOW BACKUP (StarRocks 4.1)"));
    }
    Ok(())
}

/// `SHOW BACKUP [FROM db]`.
pub fn show_backup(st: &State, cx: &SnapCtx<'_>, s: &Session, j: &ShowJobs) -> Outcome {
    refuse_filters(cx, j)?;
    let tz = session_time_zone(&cx.engine_ctx(), s);
    let backends = alive_backend_ids(cx.config);
    let mut rows = listed(st, cx, j)
        .into_iter()
        .filter_map(|job| match job {
            Job::Backup(b) => Some(backup_row(b, &tz, &backends)),
            Job::Restore(_) => None,
        })
        .collect();
    apply_limit(&mut rows, j.filters.limit.as_ref());
    Ok(Response::ResultSet {
        columns: layouts::show_backup(cx.config.version),
        rows,
    })
}

/// One SHOW RESTORE row (`RestoreJob.getInfo`).
pub fn restore_row(r: &RestoreJob, tz: &TimeZone, backends: &[u64]) -> Vec<Option<String>> {
    let (unfinished, progress) = match r.state {
        RestoreState::Snapshoting => tasks(r.job_id, r.tablets, backends, false),
        RestoreState::Downloading => tasks(r.job_id, r.tablets, backends, true),
        _ => (String::new(), String::new()),
    };
    vec![
        Some(r.job_id.to_string()),
        Some(r.label.clone()),
        Some(r.timestamp.clone()),
        Some(r.db_name.clone()),
        Some(r.state.name().to_string()),
        Some(r.allow_load.to_string()),
        Some(r.replication_num.to_string()),
        Some(r.objects_text.clone()),
        time(tz, r.create_ms),
        time(tz, r.meta_prepared_ms),
        time(tz, r.snapshot_finished_ms),
        time(tz, r.download_finished_ms),
        time(tz, r.finished_ms),
        Some(unfinished),
        Some(progress),
        Some(r.task_errors_text()),
        Some(r.status.render()),
        Some(r.timeout_s.to_string()),
    ]
}

/// `SHOW RESTORE [FROM db] [WHERE …]` (WHERE ignored, spec §2.5).
pub fn show_restore(st: &State, cx: &SnapCtx<'_>, s: &Session, j: &ShowJobs) -> Outcome {
    refuse_filters(cx, j)?;
    let tz = session_time_zone(&cx.engine_ctx(), s);
    let backends = alive_backend_ids(cx.config);
    let mut rows = listed(st, cx, j)
        .into_iter()
        .filter_map(|job| match job {
            Job::Restore(r) => Some(restore_row(r, &tz, &backends)),
            Job::Backup(_) => None,
        })
        .collect();
    apply_limit(&mut rows, j.filters.limit.as_ref());
    Ok(Response::ResultSet {
        columns: layouts::show_restore(cx.config.version),
        rows,
    })
}

/// `SHOW SNAPSHOT ON repo [WHERE …]`.
pub fn show_snapshot(cx: &SnapCtx<'_>, ss: &ShowSnapshot) -> Outcome {
    let repo = cx
        .catalog
        .repositories
        .get(&ss.repository.value)
        .ok_or_else(|| {
            errors::analyzing_code(
                errors::ERR_COMMON_ERROR,
                &format!("Repository [{}] does not exist", ss.repository.value),
            )
        })?;
    let (mut snapshot, mut timestamp, mut names) = (None, None, None);
    match &ss.filter {
        Some(SnapshotFilter::Equals(eqs)) => {
            for e in eqs {
                match e.column {
                    SnapshotColumn::Snapshot => snapshot = Some(e.value.value.clone()),
                    SnapshotColumn::Timestamp => timestamp = Some(e.value.value.clone()),
                }
            }
        }
        Some(SnapshotFilter::In(list)) => {
            names = Some(
                list.iter()
                    .map(|l| l.value.clone())
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>(),
            )
        }
        Some(SnapshotFilter::Raw(_)) | None => {}
    }
    let version = cx.config.version;
    let retention = version >= crate::profile::VersionProfile::V4_2;
    // 4.2's four retention columns, from the label's job info (`NULL` when unreadable).
    let extend = |mut row: Vec<Option<String>>, info: Option<&files::JobInfo>| {
        if retention {
            row.extend(super::retention::columns(info, cx.time_zone));
        }
        row
    };
    let dir = storage::repo_dir(
        &cx.config.storage,
        &repo.name,
        &repo.location,
        &repo.properties,
    );
    if let (Some(label), Some(ts)) = (&snapshot, &timestamp) {
        let row = match dir
            .and_then(|d| storage::find_info(&d, label, ts).and_then(|k| files::read_info(&d, &k)))
        {
            Ok(info) => extend(
                vec![
                    Some(label.clone()),
                    Some(ts.clone()),
                    Some(info.database.clone()),
                    Some(files::brief(&info)),
                    Some("OK".to_string()),
                ],
                Some(&info),
            ),
            Err(msg) => extend(
                vec![
                    Some(label.clone()),
                    Some(ts.clone()),
                    None,
                    None,
                    Some(format!("Failed to get info: {msg}")),
                ],
                None,
            ),
        };
        return Ok(Response::ResultSet {
            columns: layouts::show_snapshot(version, true),
            rows: vec![row],
        });
    }
    let row_of = |d: &storage::RepoDir, label: &str, stamps: &[String]| {
        if stamps.is_empty() {
            extend(
                vec![
                    Some(label.to_string()),
                    Some(String::new()),
                    Some("ERROR: no snapshot".to_string()),
                ],
                None,
            )
        } else {
            let info = retention
                .then(|| super::retention::newest_info(d, label))
                .flatten();
            extend(
                vec![
                    Some(label.to_string()),
                    Some(stamps.join("\n")),
                    Some("OK".to_string()),
                ],
                info.as_ref(),
            )
        }
    };
    let mut rows = match (dir, snapshot) {
        (Err(msg), label) => vec![extend(
            vec![
                label,
                None,
                Some(format!("ERROR: Failed to get info: {msg}")),
            ],
            None,
        )],
        (Ok(d), Some(label)) => vec![row_of(&d, &label, &storage::timestamps(&d, &label))],
        (Ok(d), None) => match storage::list_snapshots(&d) {
            Ok(list) => list
                .iter()
                .filter(|e| names.as_ref().is_none_or(|n| n.contains(&e.label)))
                .map(|e| row_of(&d, &e.label, &e.timestamps))
                .collect(),
            Err(msg) => vec![extend(
                vec![
                    None,
                    None,
                    Some(format!("ERROR: Failed to get info: {msg}")),
                ],
                None,
            )],
        },
    };
    apply_limit(&mut rows, ss.limit.as_ref());
    Ok(Response::ResultSet {
        columns: layouts::show_snapshot(version, false),
        rows,
    })
}
