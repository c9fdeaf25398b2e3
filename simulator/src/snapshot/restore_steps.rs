//! The steps of a RESTORE job (`RestoreJob.run`). PENDING's end prepares the meta
//! (`checkAndPrepareMeta`): schema, partition (automatic buckets, range, replication number,
//! partitions a LIST or unpartitioned table cannot gain) checks against existing tables (a
//! mismatch cancels the job with StarRocks's message), `replication_num` against the alive
//! backends, then missing tables and partitions are created and every target table is put
//! in state RESTORE (queries and loads refuse it). DOWNLOADING's end reads the partitions'
//! data from the repository; COMMIT's end moves the rows into the partitions (the BE dir
//! moves: not undone by a later cancel); COMMITTING's end gives them the snapshot's
//! VisibleVersion (VisibleVersionTime = the commit instant) and puts the tables back to
//! NORMAL. A cancelled job drops what it created and unlocks the tables.

use super::faults::JobType;
use super::files::{self, Meta};
use super::job::JobStatus;
use super::restore_job::{RestoreJob, RestoreState, Staged};
use super::{storage, Job, SnapCtx, State};
use crate::clock::EpochMillis;
use crate::engine::catalog::{Database, Partition, Partitioning, Table, TableKind, TableState};
use starsnap_compiler::validate::java::JavaHashMap;

fn err(msg: impl Into<String>) -> JobStatus {
    JobStatus::error("COMMON_ERROR", msg)
}

fn repo_dir(cx: &SnapCtx<'_>, job: &RestoreJob) -> Result<storage::RepoDir, JobStatus> {
    let r = cx
        .catalog
        .repositories
        .get(&job.repository)
        .ok_or_else(|| err(format!("Repository {} does not exist", job.repository)))?;
    storage::repo_dir(&cx.config.storage, &r.name, &r.location, &r.properties).map_err(err)
}

/// `checkAndPrepareMeta`'s first pass over existing target tables: state and temporary
/// partitions (views are skipped).
fn state_check(existing: &Table, target: &str) -> Result<(), JobStatus> {
    if existing.kind == TableKind::View {
        return Ok(());
    }
    if existing.state != TableState::Normal {
        return Err(err(format!(
            "Table {target}'s state is not NORMAL: {}",
            existing.state
        )));
    }
    if !existing.temp_partitions.is_empty() {
        return Err(err("Do not support restoring table with temp partitions"));
    }
    Ok(())
}

fn partition_type(t: &Table) -> &'static str {
    match &t.partitioning {
        Partitioning::Unpartitioned => "UNPARTITIONED",
        Partitioning::Range { auto: None, .. } => "RANGE",
        Partitioning::Range { .. } => "EXPR_RANGE",
        Partitioning::List { .. } => "LIST",
    }
}

/// The elements of `OlapTable.getSignatureSequence` the simulator models, in order, with
/// StarRocks's description of each: the table name (the snapshot's name, so an existing
/// table restored under an alias never matches), type, base index (named like the table),
/// short key count, partition type and columns, then per common partition (sorted
/// case-insensitively) its name, distribution columns and bucket count.
fn signature_sequence(t: &Table, parts: &[String]) -> Vec<(String, &'static str)> {
    let mut v = vec![
        (t.name.clone(), "Table name is inconsistent"),
        (format!("{:?}", t.kind), "Table type is inconsistent"),
        (t.name.clone(), "indexName is inconsistent"),
        (
            t.key_columns().len().to_string(),
            "short key column count is inconsistent",
        ),
        (
            partition_type(t).to_string(),
            "partition type is inconsistent",
        ),
    ];
    if matches!(t.partitioning, Partitioning::Range { .. }) {
        v.push((
            t.partitioning.columns().join(","),
            "partition columns is inconsistent",
        ));
    }
    for name in parts {
        let Some(p) = t
            .partitions
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        else {
            continue;
        };
        v.push((name.clone(), "partition name is inconsistent"));
        v.push((
            t.distribution.key_text(),
            "partition distribution col hash is inconsistent",
        ));
        v.push((p.buckets.to_string(), "bucket num is inconsistent"));
    }
    v
}

/// `checkAndPrepareMeta`'s comparison of an existing table with the snapshot's: view
/// replacement, partition type, signature (first differing element, or empty when only the
/// columns differ), key type, then column by column.
fn schema_check(existing: &Table, snap: &Table, target: &str) -> Result<(), JobStatus> {
    if snap.kind == TableKind::View {
        if existing.kind != TableKind::View {
            return Err(JobStatus::error(
                "BAD_REPLACE",
                format!("Table: {target} has existed and it is not a View"),
            ));
        }
        return Ok(());
    }
    if partition_type(existing) != partition_type(snap) {
        return Err(err("Table's partition type is different"));
    }
    let mut common: Vec<String> = existing
        .partitions
        .iter()
        .filter(|p| {
            snap.partitions
                .iter()
                .any(|q| q.name.eq_ignore_ascii_case(&p.name))
        })
        .map(|p| p.name.clone())
        .collect();
    common.sort_by_key(|n| n.to_lowercase());
    let local = {
        let mut t = existing.clone();
        t.name = target.to_string();
        signature_sequence(&t, &common)
    };
    let remote = signature_sequence(snap, &common);
    let schema_differs = existing.columns.len() != snap.columns.len()
        || existing.columns.iter().zip(&snap.columns).any(|(a, b)| {
            a.name != b.name || a.ty != b.ty || a.is_key != b.is_key || a.agg != b.agg
        });
    let first_diff = local
        .iter()
        .zip(&remote)
        .find(|(a, b)| a.0 != b.0)
        .map(|(a, _)| a.1);
    if first_diff.is_some() || schema_differs {
        let msg = if local.len() == remote.len() {
            first_diff.unwrap_or("")
        } else {
            ""
        };
        return Err(err(format!(
            "Table {target} already exist but with different schema, errMsg: {msg}"
        )));
    }
    if existing.keys != snap.keys {
        return Err(err(format!(
            "Table {target} already exist but with different key type"
        )));
    }
    for (a, b) in existing.columns.iter().zip(&snap.columns) {
        if a != b {
            return Err(err(format!(
                "Table {target} already exist but with different schema, column: {} in existed table is different from the column in backup snapshot, column: {}",
                a.name, b.name
            )));
        }
    }
    Ok(())
}

/// `checkAndPrepareMeta`'s pass over the snapshot's partitions of one existing table, in
/// `BackupTableInfo.partitions` order (a Java `HashMap`); returns the partitions to add.
/// Source: fe/fe-core/src/main/java/com/starrocks/backup/RestoreJob.java
/// (`checkAndPrepareMeta`, `genFileMappingWhenBackupReplicasEqual`), StarRocks 3.4.
fn partition_checks(
    existing: &Table,
    chosen: &[&Partition],
    target: &str,
    restore_replication_num: i64,
) -> Result<Vec<String>, JobStatus> {
    let mut order: JavaHashMap<&Partition> = JavaHashMap::new();
    for p in chosen {
        order.put(p.name.clone(), p);
    }
    let is_range = matches!(existing.partitioning, Partitioning::Range { .. });
    let mut add = Vec::new();
    for (name, p) in order.iter() {
        match existing.partition(name) {
            Some(local) => {
                // `backupPartInfo.subPartitions.size() > 1`: checked before the range.
                if p.sub_partitions > 1 {
                    return Err(err(format!(
                        "Partition {name} in table {target} is automatic bucket partition, can not be restored"
                    )));
                }
                if is_range && local.bound != p.bound {
                    return Err(err(format!(
                        "Partition {name} in table {target} has different range with partition in repository"
                    )));
                }
                // X is the existing partition's replication number, Y the RESTORE job's
                // `replication_num` (default 3), not the snapshot's.
                if i64::from(local.replication_num) != restore_replication_num {
                    return Err(err(format!(
                        "Partition {name} in table {target} has different replication num '{}' with partition in repository, which is {restore_replication_num}",
                        local.replication_num
                    )));
                }
            }
            None if is_range => {
                if existing
                    .partitions
                    .iter()
                    .any(|e| e.bound.overlaps(&p.bound))
                {
                    return Err(err(format!(
                        "Partition {name} in table {target} has conflict range with existing ranges"
                    )));
                }
                add.push(name.to_string());
            }
            // LIST (also automatic `PARTITION BY col`) and unpartitioned tables cannot gain
            // a partition from a snapshot.
            None => {
                return Err(err(format!(
                    "No partition exist in single partitioned table {target}"
                )))
            }
        }
    }
    Ok(add)
}

fn fresh_partition(p: &Partition, id: u64, replication_num: u32) -> Partition {
    Partition {
        id,
        rows: Vec::new(),
        data_size: 0,
        visible_version: 1,
        replication_num,
        ..p.clone()
    }
}

/// PENDING: checks, then creates and locks. All checks run before anything changes.
fn prepare(
    cx: &mut SnapCtx<'_>,
    job: &mut RestoreJob,
    alive: usize,
    at: EpochMillis,
) -> Result<(), JobStatus> {
    let dir = repo_dir(cx, job)?;
    if job.is_catalog_job() {
        // The short cut for external catalogs: create them now (JobId stays -1).
        let (meta, bytes) = files::read_meta(&dir, &job.label).map_err(err)?;
        job.io.meta_file(bytes);
        for (name, alias) in &job.catalogs {
            if cx.catalog.external_catalogs.contains_key(alias) {
                return Err(err(format!(
                    "Failed to restore external catalog, errmsg: Catalog '{alias}' already exists"
                )));
            }
            if let Some(c) = meta.captured.catalogs.iter().find(|c| &c.name == name) {
                let mut c = c.clone();
                c.name.clone_from(alias);
                c.id = cx.catalog.alloc_id();
                cx.catalog.external_catalogs.insert(alias.clone(), c);
            }
        }
        return Ok(());
    }
    let (meta, bytes): (Meta, u64) = files::read_meta(&dir, &job.label).map_err(err)?;
    job.io.meta_file(bytes);
    let missing_db = || {
        JobStatus::error(
            "NOT_FOUND",
            format!("database {} does not exist", job.db_name),
        )
    };
    if cx.catalog.db(&job.db_name).is_none() {
        return Err(missing_db());
    }
    job.job_id = i64::try_from(cx.catalog.alloc_id()).unwrap_or(i64::MAX);
    let db: &Database = cx.catalog.db(&job.db_name).ok_or_else(missing_db)?;
    for o in &job.objects {
        if let Some(existing) = db.tables.get(&o.target) {
            state_check(existing, &o.target)?;
        }
    }
    // (target, snapshot table, partitions to add to an existing table)
    let mut plan: Vec<(String, Table, Option<Vec<String>>)> = Vec::new();
    for o in &job.objects {
        let snap = meta
            .captured
            .tables
            .iter()
            .find(|t| t.name == o.table)
            .cloned()
            .ok_or_else(|| {
                err(format!(
                    "Table {} does not exist in snapshot {}",
                    o.table, job.label
                ))
            })?;
        let chosen = |p: &Partition| o.partitions.is_empty() || o.partitions.contains(&p.name);
        match db.tables.get(&o.target) {
            Some(existing)
                if existing.kind == TableKind::MaterializedView
                    && existing.mv.as_ref().is_some_and(|m| m.active) =>
            {
                // An existing active MV is not restored (it refreshes from its base tables).
                continue;
            }
            Some(existing) => {
                schema_check(existing, &snap, &o.target)?;
                let chosen: Vec<&Partition> =
                    snap.partitions.iter().filter(|p| chosen(p)).collect();
                let add = partition_checks(existing, &chosen, &o.target, job.replication_num)?;
                plan.push((o.target.clone(), snap, Some(add)));
            }
            None => {
                let mut t = snap;
                t.partitions.retain(|p| chosen(p));
                plan.push((o.target.clone(), t, None));
            }
        }
    }
    job.tablets = plan
        .iter()
        .filter(|(_, t, _)| t.is_native())
        .map(|(_, t, _)| t.partitions.len())
        .sum();
    let needs_replicas = plan.iter().any(|(_, t, _)| t.is_native());
    if needs_replicas && job.replication_num > alive as i64 {
        return Err(err(format!(
            "Failed to find enough backend, please check the replication num,replication tag and storage medium and avail capacity of backends or maybe all be on same host. replication num: {}, alive backends: {alive}",
            job.replication_num
        )));
    }
    let replicas = u32::try_from(job.replication_num).unwrap_or(1);
    for (target, snap, add) in plan {
        match add {
            Some(add) => {
                for name in add {
                    let id = cx.catalog.alloc_id();
                    let Some(p) = snap.partition(&name) else {
                        continue;
                    };
                    let p = fresh_partition(p, id, replicas);
                    if let Some(t) = cx.catalog.table_mut(&job.db_name, &target) {
                        t.insert_partition(p);
                        job.created_partitions.push((target.clone(), name));
                    }
                }
                if let Some(t) = cx.catalog.table_mut(&job.db_name, &target) {
                    if t.kind == TableKind::View {
                        t.view_definition = snap.view_definition.clone();
                    } else {
                        t.state = TableState::Restore;
                        job.locked_tables.push(target.clone());
                    }
                }
            }
            None => {
                let mut t = snap;
                t.id = cx.catalog.alloc_id();
                t.name = target.clone();
                t.created_ms = at;
                t.updated_ms = at;
                let parts = std::mem::take(&mut t.partitions);
                for p in &parts {
                    let id = cx.catalog.alloc_id();
                    t.partitions.push(fresh_partition(p, id, replicas));
                }
                if t.is_native() {
                    t.state = TableState::Restore;
                    t.properties
                        .insert("replication_num".into(), replicas.to_string());
                }
                if let Some(db) = cx.catalog.db_mut(&job.db_name) {
                    db.tables.insert(target.clone(), t);
                    job.created_tables.push(target);
                }
            }
        }
    }
    job.table_ids = job
        .locked_tables
        .iter()
        .chain(&job.created_tables)
        .filter_map(|n| cx.catalog.table(&job.db_name, n).map(|t| (n.clone(), t.id)))
        .collect();
    // Materialized views whose base tables are missing in the target database go inactive.
    let db_name = job.db_name.clone();
    if let Some(db) = cx.catalog.db_mut(&db_name) {
        let names: Vec<String> = db.tables.keys().cloned().collect();
        for target in &job.created_tables {
            if let Some(mv) = db.tables.get_mut(target).and_then(|t| t.mv.as_mut()) {
                if let Some((_, missing)) = mv.base_tables.iter().find(|(_, t)| !names.contains(t))
                {
                    mv.active = false;
                    mv.inactive_reason = format!("base-table dropped: {missing}");
                }
                for (d, _) in &mut mv.base_tables {
                    d.clone_from(&db_name);
                }
            }
        }
        for f in meta.captured.functions.iter().filter(|f| {
            job.functions
                .iter()
                .any(|n| n.eq_ignore_ascii_case(&f.name))
        }) {
            if !db.functions.iter().any(|x| x.signature() == f.signature()) {
                db.functions.push(f.clone());
            }
        }
    }
    Ok(())
}

/// DOWNLOADING: read every restored partition's data.
fn download(cx: &SnapCtx<'_>, job: &mut RestoreJob) -> Result<(), JobStatus> {
    let dir = repo_dir(cx, job)?;
    let info_key = storage::find_info(&dir, &job.label, &job.timestamp).map_err(err)?;
    let (info, bytes) = files::read_info_sized(&dir, &info_key).map_err(err)?;
    job.io.meta_file(bytes);
    let mut staged = Vec::new();
    for o in &job.objects {
        let Some(t) = info.backup_objects.get(&o.table) else {
            continue;
        };
        for (name, p) in &t.partitions {
            if !o.partitions.is_empty() && !o.partitions.contains(name) {
                continue;
            }
            if t.kind == "VIEW" {
                continue;
            }
            let (header, rows, bytes) = files::read_partition(&dir, &job.label, p).map_err(err)?;
            job.io.data_file(bytes);
            staged.push(Staged {
                target: o.target.clone(),
                partition: name.clone(),
                version: header.version,
                rows,
            });
        }
    }
    job.staged = staged;
    Ok(())
}

/// COMMIT (`RestoreJob.commit`): the dir-move tasks replace the tablets' files with the
/// downloaded ones — from here on the overwritten partitions of existing tables hold the
/// snapshot's rows, whatever happens to the job. The FE versions do not change yet.
fn move_dirs(cx: &mut SnapCtx<'_>, job: &mut RestoreJob) {
    for s in &mut job.staged {
        if let Some(p) = cx
            .catalog
            .table_mut(&job.db_name, &s.target)
            .and_then(|t| t.partition_mut(&s.partition))
        {
            p.rows = std::mem::take(&mut s.rows);
            p.recompute_size();
            let id = p.id;
            cx.catalog.key_index.forget(id);
        }
    }
}

/// COMMITTING's end (`allTabletCommitted`): the partitions get the snapshot's versions
/// (VisibleVersionTime = now) and the tables go back to NORMAL.
fn commit(cx: &mut SnapCtx<'_>, job: &mut RestoreJob, at: EpochMillis) -> Result<(), JobStatus> {
    if job.is_catalog_job() {
        return Ok(());
    }
    for s in std::mem::take(&mut job.staged) {
        if let Some(p) = cx
            .catalog
            .table_mut(&job.db_name, &s.target)
            .and_then(|t| t.partition_mut(&s.partition))
        {
            p.visible_version = s.version;
            p.visible_version_time = at;
        }
    }
    unlock(cx, job);
    Ok(())
}

fn unlock(cx: &mut SnapCtx<'_>, job: &RestoreJob) {
    for name in job.locked_tables.iter().chain(&job.created_tables) {
        if let Some(t) = cx.catalog.table_mut(&job.db_name, name) {
            t.state = TableState::Normal;
        }
    }
}

/// Undoes what a cancelled job created and unlocks its tables (`cancelInternal`): tables
/// and partitions the job added are dropped, existing tables go back to NORMAL. Rows the
/// COMMIT step already moved into existing partitions stay (StarRocks keeps no copy of the
/// overwritten tablets), under the partitions' old versions.
/// Source: fe/fe-core/src/main/java/com/starrocks/backup/RestoreJob.java (`commit`,
/// `cancelInternal`, `allTabletCommitted`), StarRocks 3.4.
pub fn undo(cx: &mut SnapCtx<'_>, job: &mut RestoreJob) {
    if let Some(db) = cx.catalog.db_mut(&job.db_name) {
        for t in &job.created_tables {
            db.tables.remove(t);
        }
        for (t, p) in &job.created_partitions {
            if let Some(t) = db.tables.get_mut(t) {
                t.partitions.retain(|x| &x.name != p);
            }
        }
    }
    unlock(cx, job);
    job.created_tables.clear();
    job.created_partitions.clear();
    job.staged.clear();
}

/// Ends a job as CANCELLED.
pub fn cancel(cx: &mut SnapCtx<'_>, job: &mut RestoreJob, status: JobStatus, at: EpochMillis) {
    undo(cx, job);
    job.state = RestoreState::Cancelled;
    job.status = status;
    job.finished_ms = at;
    job.state_since_ms = at;
}

/// `checkIfNeedCancel`: after PENDING, a database or table the job writes that was dropped
/// cancels it (NOT_FOUND).
fn check_if_need_cancel(cx: &SnapCtx<'_>, job: &RestoreJob) -> Result<(), JobStatus> {
    if job.state == RestoreState::Pending || job.is_catalog_job() {
        return Ok(());
    }
    let Some(db) = cx.catalog.db(&job.db_name) else {
        return Err(JobStatus::error(
            "NOT_FOUND",
            format!("database {} has been dropped", job.db_name),
        ));
    };
    for (name, id) in &job.table_ids {
        if db.tables.get(name).is_none_or(|t| t.id != *id) {
            return Err(JobStatus::error(
                "NOT_FOUND",
                format!("table {id} has been dropped"),
            ));
        }
    }
    Ok(())
}

fn step(
    cx: &mut SnapCtx<'_>,
    job: &mut RestoreJob,
    alive: usize,
    at: EpochMillis,
) -> Result<(), JobStatus> {
    check_if_need_cancel(cx, job)?;
    match job.state {
        RestoreState::Pending => {
            prepare(cx, job, alive, at)?;
            job.meta_prepared_ms = at;
        }
        RestoreState::Snapshoting => job.snapshot_finished_ms = at,
        RestoreState::Download => {}
        RestoreState::Commit => move_dirs(cx, job),
        RestoreState::Downloading => {
            download(cx, job)?;
            job.download_finished_ms = at;
        }
        RestoreState::Committing => {
            commit(cx, job, at)?;
            job.finished_ms = at;
        }
        RestoreState::Finished | RestoreState::Cancelled => {}
    }
    Ok(())
}

/// Moves every RESTORE job forward (model in `pacing`). Returns whether anything changed.
pub fn advance(st: &mut State, cx: &mut SnapCtx<'_>) -> bool {
    let now = cx.now_ms();
    let alive = cx
        .config
        .backends
        .iter()
        .enumerate()
        .filter(|(i, b)| b.alive && !st.faults.dead_backends.contains(i))
        .count();
    let mut changed = false;
    let State {
        jobs,
        faults,
        pacing,
        ..
    } = st;
    for job in jobs.values_mut() {
        let Job::Restore(job) = job else { continue };
        while !job.state.is_done() {
            let deadline = job
                .create_ms
                .saturating_add(job.timeout_s.saturating_mul(1000));
            let due = job
                .state_since_ms
                .saturating_add(pacing.duration(job.state.name()));
            if due > now || due > deadline {
                if deadline <= now && deadline < due {
                    let msg = format!("restore job with label: {}  timeout.", job.label);
                    cancel(cx, job, JobStatus::error("TIMEOUT", msg), deadline);
                    changed = true;
                }
                break;
            }
            changed = true;
            if let Some(f) =
                faults.take_job_failure(JobType::Restore, &job.db_name, job.state.name())
            {
                if let Some(m) = f.task_message {
                    job.task_errors.push((job.job_id.max(0) + 1, m));
                }
                cancel(cx, job, JobStatus::error(&f.status_code, f.message), due);
                break;
            }
            match step(cx, job, alive, due) {
                Ok(()) => {
                    job.state = job.state.next(job.is_catalog_job());
                    job.state_since_ms = due;
                }
                Err(status) => cancel(cx, job, status, due),
            }
        }
    }
    changed
}
