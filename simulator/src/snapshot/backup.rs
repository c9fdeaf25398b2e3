//! BACKUP: the checks of spec §2.1 (databases) and §2.2 (external catalogs) after the
//! compiler's analyzer, in StarRocks's order, the job's creation, and the job's steps
//! (`BackupJob.run`): PENDING assigns the JobId and captures rows and versions (the job then
//! is in SNAPSHOTING), UPLOADING's end writes the data, SAVE_META's end the meta, UPLOAD_INFO's
//! end the job info, which makes the snapshot visible to SHOW SNAPSHOT and RESTORE.

use starsnap_compiler::span::Span;
use starsnap_compiler::syntax::ast::{Backup, ExternalCatalogs, ObjectItem, ObjectKind};

use super::analyze::{self, Parsed};
use super::faults::JobType;
use super::job::{BackupJob, BackupObject, BackupState, Captured, JobIo, JobStatus};
use super::{files, storage, Job, SnapCtx, State};
use crate::clock::EpochMillis;
use crate::engine::catalog::TableKind;
use crate::engine::errors::{self, ERR_BAD_DB_ERROR, ERR_COMMON_ERROR};
use crate::response::{Outcome, Response, Session, SqlError};

/// `backup_job_default_timeout_ms` / 1000.
pub const DEFAULT_TIMEOUT_S: i64 = 86_400;

fn common(msg: impl Into<String>) -> SqlError {
    errors::ddl(ERR_COMMON_ERROR, msg)
}

/// Where a compiler finding sits relative to the `ON` list, to merge it with the
/// simulator's own checks in StarRocks's order.
enum Place {
    /// Database, label, repository: before any table.
    Early,
    /// At the i-th table ref.
    Table(usize),
    /// Inside `ON` but not a table ref (functions).
    Functions,
    /// After `ON` (properties).
    Late,
}

fn place(b: &Backup, span: Span) -> Place {
    let Some(on) = &b.on else {
        return if span.start < b.repository.span.end {
            Place::Early
        } else {
            Place::Late
        };
    };
    if span.start < on.span.start {
        return Place::Early;
    }
    if span.start >= on.span.end {
        return Place::Late;
    }
    match analyze::table_refs(b)
        .iter()
        .position(|n| n.span.start <= span.start && span.end <= n.span.end)
    {
        Some(i) => Place::Table(i),
        None => Place::Functions,
    }
}

/// The analyzer stage: the compiler's checks and the simulator's, first one wins.
fn analyzer(
    parsed: &Parsed,
    cx: &SnapCtx<'_>,
    s: &Session,
    b: &Backup,
    db: &str,
) -> Result<(), SqlError> {
    let compiler = analyze::first_error(parsed, cx, s);
    let extra = analyze::backup_state_checks(cx, b, db);
    let err = match (compiler, extra) {
        (None, None) => return Ok(()),
        (Some((e, _)), None) => e,
        (None, Some((x, _))) => x,
        (Some((e, span)), Some((x, i))) => match place(b, span) {
            Place::Early => e,
            Place::Table(j) => {
                if i <= j {
                    x
                } else {
                    e
                }
            }
            Place::Functions => {
                if i == usize::MAX {
                    e
                } else {
                    x
                }
            }
            Place::Late => x,
        },
    };
    Err(err)
}

/// The tables and functions a database BACKUP covers (spec §2.1 step 3–4), tables sorted by
/// name. Materialized views are only taken when named (`enable_backup_materialized_view`
/// defaults to false in 3.4).
fn resolve_objects(
    cx: &SnapCtx<'_>,
    b: &Backup,
    db: &str,
) -> (Vec<BackupObject>, Vec<String>, bool) {
    let Some(database) = cx.catalog.db(db) else {
        return (Vec::new(), Vec::new(), false);
    };
    let items = b.on.as_ref().map(|l| l.items.as_slice()).unwrap_or(&[]);
    let all = |k: ObjectKind| {
        b.on.is_none()
            || items
                .iter()
                .any(|i| matches!(i, ObjectItem::All(a) if a.kind == k))
    };
    let mut objects: Vec<BackupObject> = Vec::new();
    let mut temp_requested = false;
    for n in analyze::table_refs(b) {
        let Some(name) = n.name.name() else { continue };
        let partitions = match &n.partitions {
            Some(spec) => {
                temp_requested |= spec.temporary;
                match &spec.names {
                    starsnap_compiler::syntax::ast::PartitionNames::Names(v) => {
                        v.iter().map(|p| p.value.clone()).collect()
                    }
                    starsnap_compiler::syntax::ast::PartitionNames::Keys(_) => Vec::new(),
                }
            }
            None => Vec::new(),
        };
        objects.push(BackupObject {
            table: name.value.clone(),
            partitions,
        });
    }
    for t in database.tables_by_id() {
        let wanted = match t.kind {
            TableKind::Olap => all(ObjectKind::Table),
            TableKind::View => all(ObjectKind::View),
            TableKind::MaterializedView => false,
        };
        if wanted
            && !objects
                .iter()
                .any(|o| o.table.eq_ignore_ascii_case(&t.name))
        {
            objects.push(BackupObject {
                table: t.name.clone(),
                partitions: Vec::new(),
            });
        }
    }
    objects.sort_by(|a, b| a.table.cmp(&b.table));
    let mut functions: Vec<String> = items
        .iter()
        .filter_map(|i| match i {
            ObjectItem::Named(n) if n.kind == ObjectKind::Function => {
                n.name.name().map(|x| x.value.to_lowercase())
            }
            _ => None,
        })
        .collect();
    if all(ObjectKind::Function) {
        for f in &database.functions {
            if !functions.contains(&f.name) {
                functions.push(f.name.clone());
            }
        }
    }
    (objects, functions, temp_requested)
}

fn property<'a>(b: &'a Backup, key: &str) -> Option<&'a str> {
    b.properties.as_ref()?.get(key).map(|v| v.value.as_str())
}

/// Checks shared by database and catalog backups once the job's key is known: the submit
/// lock, one job per database, read-only repository.
fn handler_common(
    st: &mut State,
    cx: &SnapCtx<'_>,
    key: &str,
    repo: &str,
    catalog_job: bool,
) -> Result<(), SqlError> {
    if st.faults.take_submit_busy() {
        return Err(common(
            "Another backup or restore job is being submitted. Please wait and try again",
        ));
    }
    if st.jobs.get(key).is_some_and(|j| !j.is_done()) {
        return Err(common(if catalog_job {
            "Can only run one backup or restore job of external catalog"
        } else {
            "Can only run one backup or restore job of a database at same time"
        }));
    }
    if cx
        .catalog
        .repositories
        .get(repo)
        .is_some_and(|r| r.read_only)
    {
        return Err(common(format!("Repository {repo} is read only")));
    }
    Ok(())
}

/// Label already in the repository → FULL / INCREMENTAL messages (spec §2.1 step 7).
fn check_label(cx: &SnapCtx<'_>, b: &Backup, repo: &str, label: &str) -> Result<(), SqlError> {
    let r = cx
        .catalog
        .repositories
        .get(repo)
        .ok_or_else(|| common(format!("Repository {repo} does not exist")))?;
    let dir = storage::repo_dir(&cx.config.storage, &r.name, &r.location, &r.properties)
        .map_err(common)?;
    let list = storage::list_snapshots(&dir).map_err(common)?;
    if list.iter().any(|e| e.label == label) {
        let incremental =
            property(b, "type").is_some_and(|t| t.trim().eq_ignore_ascii_case("incremental"));
        return Err(common(if incremental {
            "Currently does not support incremental backup".to_string()
        } else {
            format!("Snapshot with name '{label}' already exist in repository")
        }));
    }
    Ok(())
}

fn timeout_s(b: &Backup) -> i64 {
    property(b, "timeout")
        .and_then(|t| t.trim().parse::<i64>().ok())
        .unwrap_or(DEFAULT_TIMEOUT_S)
}

/// `BACKUP …`: every check, then a PENDING job (OK packet).
pub fn submit(
    st: &mut State,
    cx: &mut SnapCtx<'_>,
    s: &Session,
    b: &Backup,
    parsed: &Parsed,
) -> Outcome {
    if let Some(catalogs) = &b.catalogs {
        return submit_catalog(st, cx, s, b, catalogs, parsed);
    }
    let named = b
        .database()
        .filter(|d| !d.value.is_empty())
        .map(|d| d.value.clone());
    let db = match &named {
        Some(n) => n.clone(),
        None => match s.current_db.clone().filter(|d| !d.is_empty()) {
            Some(d) => d,
            None => {
                return Err(errors::analyzing_code(
                    ERR_BAD_DB_ERROR,
                    "Unknown database ''",
                ));
            }
        },
    };
    analyzer(parsed, cx, s, b, &db)?;
    let (objects, functions, temp_requested) = resolve_objects(cx, b, &db);
    if objects.is_empty() && functions.is_empty() {
        return Err(errors::analyzing(&format!("Database: {db} is empty")));
    }
    if named.is_none() {
        // BackupHandler.process: `dbName = jobInfo.dbName` with `jobInfo == null` (§2.1 step 8).
        return Err(SqlError::generic(
            "Cannot read field \"dbName\" because \"jobInfo\" is null",
        ));
    }
    let repo = b.repository.value.clone();
    if !cx.catalog.repositories.contains_key(&repo) {
        return Err(common(format!("Repository {repo} does not exist")));
    }
    let Some(database) = cx.catalog.db(&db) else {
        return Err(errors::unknown_database(&db));
    };
    handler_common(st, cx, &db, &repo, false)?;
    for o in &objects {
        let Some(t) = database.tables.get(&o.table) else {
            return Err(errors::ddl(
                errors::ERR_BAD_TABLE_ERROR,
                format!("Unknown table '{}'", o.table),
            ));
        };
        if !t.temp_partitions.is_empty() {
            return Err(common(
                "Do not support backing up table with temp partitions",
            ));
        }
        if temp_requested {
            return Err(common("Do not support backing up temp partitions"));
        }
        if let Some(p) = o
            .partitions
            .iter()
            .find(|p| !t.partitions.iter().any(|x| x.name.eq_ignore_ascii_case(p)))
        {
            return Err(common(format!("Unknown partition {p} in table{}", o.table)));
        }
    }
    let label = b.label_name().map(|l| l.value.clone()).unwrap_or_default();
    check_label(cx, b, &repo, &label)?;
    let now = cx.now_ms();
    let job = BackupJob {
        job_id: -1,
        label,
        db_name: db.clone(),
        repository: repo,
        catalogs: Vec::new(),
        objects,
        functions,
        state: BackupState::Pending,
        create_ms: now,
        snapshot_finished_ms: 0,
        upload_finished_ms: 0,
        finished_ms: 0,
        state_since_ms: now,
        timeout_s: timeout_s(b),
        status: JobStatus::Ok,
        task_errors: Vec::new(),
        timestamp: cx.time_zone.format_snapshot_timestamp(now),
        captured: None,
        io: JobIo::default(),
        ttl: property(b, "ttl").map(str::to_string),
        tablet_files: Default::default(),
    };
    st.put_job(db, Job::Backup(job));
    Ok(Response::ok())
}

/// `BACKUP ALL EXTERNAL CATALOGS | EXTERNAL CATALOG(S) (…) SNAPSHOT l TO r` (spec §2.2).
fn submit_catalog(
    st: &mut State,
    cx: &mut SnapCtx<'_>,
    s: &Session,
    b: &Backup,
    catalogs: &ExternalCatalogs,
    parsed: &Parsed,
) -> Outcome {
    analyze::check(parsed, cx, s)?;
    let names: Vec<String> = match catalogs {
        ExternalCatalogs::All { .. } => cx.catalog.external_catalogs.keys().cloned().collect(),
        ExternalCatalogs::Named { catalogs, .. } => {
            catalogs.iter().map(|c| c.name.value.clone()).collect()
        }
    };
    if names.is_empty() {
        return Err(errors::analyzing_code(
            ERR_COMMON_ERROR,
            "No external catalog can be backed up",
        ));
    }
    if let Some(missing) = names
        .iter()
        .find(|n| !cx.catalog.external_catalogs.contains_key(*n))
    {
        return Err(errors::analyzing_code(
            ERR_COMMON_ERROR,
            &format!("external catalog {missing} does not existed."),
        ));
    }
    let repo = b.repository.value.clone();
    if !cx.catalog.repositories.contains_key(&repo) {
        return Err(common(format!("Repository {repo} does not exist")));
    }
    handler_common(st, cx, "", &repo, true)?;
    let label = b.label_name().map(|l| l.value.clone()).unwrap_or_default();
    check_label(cx, b, &repo, &label)?;
    let now = cx.now_ms();
    let job = BackupJob {
        job_id: -1,
        label,
        db_name: String::new(),
        repository: repo,
        catalogs: names,
        objects: Vec::new(),
        functions: Vec::new(),
        state: BackupState::Pending,
        create_ms: now,
        snapshot_finished_ms: 0,
        upload_finished_ms: 0,
        finished_ms: 0,
        state_since_ms: now,
        timeout_s: timeout_s(b),
        status: JobStatus::Ok,
        task_errors: Vec::new(),
        timestamp: cx.time_zone.format_snapshot_timestamp(now),
        captured: None,
        io: JobIo::default(),
        ttl: property(b, "ttl").map(str::to_string),
        tablet_files: Default::default(),
    };
    st.put_job(String::new(), Job::Backup(job));
    Ok(Response::ok())
}

/// Rows, versions and definitions of the job's objects, now (`prepareAndSendSnapshotTask`,
/// whose `checkBackupTables` fails the job with NOT_FOUND when an object vanished).
fn capture(cx: &SnapCtx<'_>, job: &BackupJob) -> Result<Captured, String> {
    let db = cx
        .catalog
        .db(&job.db_name)
        .ok_or_else(|| format!("database {} does not exist", job.db_name))?;
    let mut tables = Vec::new();
    for o in &job.objects {
        let mut t = db
            .tables
            .get(&o.table)
            .cloned()
            .ok_or_else(|| format!("table {} does not exist", o.table))?;
        // `checkBackupTables`: the named partitions must still be there.
        if let Some(p) = o
            .partitions
            .iter()
            .find(|p| !t.partitions.iter().any(|x| x.name.eq_ignore_ascii_case(p)))
        {
            return Err(format!("partition {p} does not exist  in table{}", o.table));
        }
        if !o.partitions.is_empty() {
            t.partitions
                .retain(|p| o.partitions.iter().any(|x| x.eq_ignore_ascii_case(&p.name)));
        }
        t.temp_partitions.clear();
        tables.push(t);
    }
    let functions = db
        .functions
        .iter()
        .filter(|f| {
            job.functions
                .iter()
                .any(|n| n.eq_ignore_ascii_case(&f.name))
        })
        .cloned()
        .collect();
    Ok(Captured {
        db_id: db.id,
        tables,
        functions,
        catalogs: Vec::new(),
    })
}

/// Runs the step of `job.state` at instant `at`; `Err` cancels the job with that status.
fn step(cx: &mut SnapCtx<'_>, job: &mut BackupJob, at: EpochMillis) -> Result<(), JobStatus> {
    let io = |e: String| JobStatus::error("COMMON_ERROR", e);
    let repo_name = job.repository.clone();
    let repo_dir = |cx: &SnapCtx<'_>| -> Result<storage::RepoDir, JobStatus> {
        let r = cx.catalog.repositories.get(&repo_name).ok_or_else(|| {
            JobStatus::error(
                "NOT_FOUND",
                format!("repository {repo_name} does not exist"),
            )
        })?;
        storage::repo_dir(&cx.config.storage, &r.name, &r.location, &r.properties).map_err(io)
    };
    match job.state {
        BackupState::Pending => {
            if job.is_catalog_job() {
                let catalogs = job
                    .catalogs
                    .iter()
                    .filter_map(|c| cx.catalog.external_catalogs.get(c).cloned())
                    .collect();
                job.captured = Some(Captured {
                    catalogs,
                    ..Captured::default()
                });
            } else {
                job.job_id = cx.catalog.alloc_id() as i64;
                job.captured =
                    Some(capture(cx, job).map_err(|e| JobStatus::error("NOT_FOUND", e))?);
            }
        }
        BackupState::Snapshoting => job.snapshot_finished_ms = at,
        BackupState::UploadSnapshot => {}
        BackupState::Uploading => {
            let dir = repo_dir(cx)?;
            if let Some(c) = &job.captured {
                for t in files::write_data(&dir, &job.label, c).map_err(io)? {
                    job.io.data_file(t.data_bytes);
                    job.io.meta_file(t.header_bytes);
                    job.tablet_files.insert(t.partition_id, t.files);
                }
            }
            job.upload_finished_ms = at;
        }
        BackupState::SaveMeta => {
            let dir = repo_dir(cx)?;
            let c = job.captured.clone().unwrap_or_default();
            let bytes = files::write_meta(&dir, &job.label, &c).map_err(io)?;
            job.io.meta_file(bytes);
        }
        BackupState::UploadInfo => {
            let dir = repo_dir(cx)?;
            let c = job.captured.clone().unwrap_or_default();
            let mut info = files::job_info(
                &job.label,
                &job.db_name,
                job.create_ms,
                &c,
                &job.catalogs,
                &job.tablet_files,
            );
            super::retention::stamp(&mut info, cx, at, job.ttl.as_deref());
            let bytes = files::write_info(&dir, &job.timestamp, &info).map_err(io)?;
            job.io.meta_file(bytes);
            job.finished_ms = at;
        }
        BackupState::Finished | BackupState::Cancelled => {}
    }
    Ok(())
}

fn cancel(job: &mut BackupJob, status: JobStatus, at: EpochMillis) {
    job.state = BackupState::Cancelled;
    job.status = status;
    job.finished_ms = at;
    job.state_since_ms = at;
}

/// Moves every job forward to the clock's time (model in `pacing`). Returns whether
/// anything changed.
pub fn advance(st: &mut State, cx: &mut SnapCtx<'_>) -> bool {
    let now = cx.now_ms();
    let mut changed = false;
    let State {
        jobs,
        faults,
        pacing,
        ..
    } = st;
    for job in jobs.values_mut() {
        let Job::Backup(job) = job else {
            continue;
        };
        while !job.state.is_done() {
            let deadline = job
                .create_ms
                .saturating_add(job.timeout_s.saturating_mul(1000));
            let due = job
                .state_since_ms
                .saturating_add(pacing.duration(job.state.name()));
            if due > now || due > deadline {
                if deadline <= now && deadline < due {
                    cancel(job, JobStatus::error("TIMEOUT", ""), deadline);
                    changed = true;
                }
                break;
            }
            changed = true;
            if let Some(f) =
                faults.take_job_failure(JobType::Backup, &job.db_name, job.state.name())
            {
                if let Some(m) = f.task_message {
                    job.task_errors.push((job.job_id.max(0) + 1, m));
                }
                cancel(job, JobStatus::error(&f.status_code, f.message), due);
                break;
            }
            match step(cx, job, due) {
                Ok(()) => {
                    job.state = job.state.next(job.is_catalog_job());
                    job.state_since_ms = due;
                }
                Err(status) => cancel(job, status, due),
            }
        }
    }
    changed
}
