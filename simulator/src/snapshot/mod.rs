//! The snapshot engine: repositories, BACKUP and RESTORE jobs, SHOW BACKUP / RESTORE /
//! SNAPSHOT, CANCEL, job pacing and fault injection (spec §2, §3.1–§3.5, §4, §8).
//!
//! Statements are parsed and statically analyzed with the compiler
//! (`starsnap_compiler::syntax::parse`, `validate::analyze` over [`analyze::CatalogView`]), so
//! `starsnap lint` and the simulator agree by construction; checks that need simulator state
//! the compiler cannot see (partitions, functions, empty databases, brokers) and every
//! `BackupHandler` execution check run here, in StarRocks's order.
//!
//! The engine routes statements for which [`handles`] is true to [`Snapshots::execute`]
//! (`route`), holding its catalog lock; [`Snapshots`] keeps its own state (jobs, faults,
//! pacing) behind its own mutex, taken after the catalog's. Jobs advance as described in
//! [`pacing`]. With a `data_dir`, jobs and armed faults are saved to
//! `<data_dir>/snapshot_jobs.json` and reloaded by the next simulator on that directory; a job
//! that was running continues from the state it was in, on the schedule it had (so a job
//! whose time has passed catches up at the first statement after the restart). Repositories
//! live in the engine's catalog.
//!
//! Modules: `analyze` (compiler hook-up and extra analyzer checks), `backup` (submission and
//! job steps), `restore` (submission), `restore_steps` (meta preparation, download, commit,
//! undo), `show` (SHOW BACKUP/RESTORE/SNAPSHOT), `repository` (CREATE/DROP REPOSITORY),
//! `cancel`, `storage` + `files` (the on-disk layout), `faults`, `pacing`, `job`,
//! `restore_job`, `route` (engine hand-off), `md5`.

pub mod analyze;
pub mod backup;
pub mod cancel;
pub mod faults;
pub mod files;
pub mod job;
pub mod job_info;
pub mod md5;
pub mod pacing;
pub mod repository;
pub mod restore;
pub mod restore_job;
pub mod restore_steps;
pub mod retention;
pub mod route;
pub mod show;
pub mod storage;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use starsnap_compiler::syntax::ast::{JobKind, Statement};

use crate::clock::EpochMillis;
use crate::config::SimConfig;
use crate::engine::catalog::Catalog;
use crate::engine::time::TimeZone;
use crate::engine::{errors, EngineCtx};
use crate::response::{Outcome, Response, Session};

pub use faults::{AdminCommand, ConnectionDrop, Faults, JobFailure, JobType};
pub use job::{BackupJob, BackupState, JobIo, JobStatus};
pub use pacing::Pacing;

/// What the snapshot engine borrows from the engine for one statement.
pub struct SnapCtx<'a> {
    pub catalog: &'a mut Catalog,
    pub config: &'a SimConfig,
    /// The FE time zone (snapshot timestamps).
    pub time_zone: &'a TimeZone,
}

impl SnapCtx<'_> {
    pub fn now_ms(&self) -> EpochMillis {
        self.config.clock.now_ms()
    }

    /// A read-only engine view (for SHOW helpers such as the session time zone).
    pub fn engine_ctx(&self) -> EngineCtx<'_> {
        EngineCtx {
            catalog: self.catalog,
            config: self.config,
            time_zone: self.time_zone,
        }
    }
}

/// The last job of a database.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Job {
    Backup(BackupJob),
    Restore(restore_job::RestoreJob),
}

impl Job {
    pub fn is_done(&self) -> bool {
        match self {
            Job::Backup(b) => b.state.is_done(),
            Job::Restore(r) => r.state.is_done(),
        }
    }

    pub fn repository(&self) -> &str {
        match self {
            Job::Backup(b) => &b.repository,
            Job::Restore(r) => &r.repository,
        }
    }

    /// The job's row of `ADMIN SHOW SIMULATOR JOB STATS`.
    pub fn io_record(&self) -> IoRecord {
        match self {
            Job::Backup(b) => IoRecord {
                kind: "BACKUP".into(),
                job_id: b.job_id,
                label: b.label.clone(),
                db_name: b.db_name.clone(),
                state: b.state.name().into(),
                io: b.io,
            },
            Job::Restore(r) => IoRecord {
                kind: "RESTORE".into(),
                job_id: r.job_id,
                label: r.label.clone(),
                db_name: r.db_name.clone(),
                state: r.state.name().into(),
                io: r.io,
            },
        }
    }
}

/// A job's repository traffic: files and bytes a BACKUP wrote or a RESTORE read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoRecord {
    pub kind: String,
    pub job_id: i64,
    pub label: String,
    pub db_name: String,
    pub state: String,
    pub io: JobIo,
}

/// Everything the snapshot engine keeps.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct State {
    /// The last job per database name; `""` is the external-catalog job.
    pub jobs: BTreeMap<String, Job>,
    pub faults: Faults,
    pub pacing: Pacing,
    /// Traffic records of jobs a newer job of the same database replaced, oldest first.
    #[serde(default)]
    pub replaced_io: Vec<IoRecord>,
}

impl State {
    /// Makes `job` the last job of `db`, keeping the traffic record of the job it replaces.
    pub fn put_job(&mut self, db: String, job: Job) {
        if let Some(old) = self.jobs.insert(db, job) {
            self.replaced_io.push(old.io_record());
        }
    }

    /// Every job's traffic record: replaced jobs, then the last job of each database.
    pub fn io_records(&self) -> Vec<IoRecord> {
        let mut out = self.replaced_io.clone();
        out.extend(self.jobs.values().map(Job::io_record));
        out
    }
}

/// `ADMIN SHOW SIMULATOR JOB STATS` (simulator-only): one row per BACKUP or RESTORE job —
/// `JobType`, `JobId`, `Label`, `DbName`, `State`, `Files`, `Bytes` (all files the job wrote
/// or read), `DataFiles`, `DataBytes` (the partitions' data files alone).
fn job_stats(st: &State) -> Response {
    use crate::response::{Column, ColumnType};
    let rows = st
        .io_records()
        .into_iter()
        .map(|r| {
            vec![
                Some(r.kind),
                Some(r.job_id.to_string()),
                Some(r.label),
                Some(r.db_name),
                Some(r.state),
                Some(r.io.files.to_string()),
                Some(r.io.bytes.to_string()),
                Some(r.io.data_files.to_string()),
                Some(r.io.data_bytes.to_string()),
            ]
        })
        .collect();
    let num = |n: &str| Column::typed(n, ColumnType::LongLong);
    Response::ResultSet {
        columns: vec![
            Column::varchar("JobType"),
            num("JobId"),
            Column::varchar("Label"),
            Column::varchar("DbName"),
            Column::varchar("State"),
            num("Files"),
            num("Bytes"),
            num("DataFiles"),
            num("DataBytes"),
        ],
        rows,
    }
}

/// Whether `sql` is `ADMIN SHOW SIMULATOR JOB STATS`.
pub fn is_job_stats(sql: &str) -> bool {
    leading_words(sql, 6).join(" ") == "ADMIN SHOW SIMULATOR JOB STATS"
}

/// The snapshot engine of one simulator.
pub struct Snapshots {
    state: Mutex<State>,
    save_path: Option<PathBuf>,
    /// The configuration's shared dead-backend set, kept equal to the armed faults.
    dead_backends: std::sync::Arc<Mutex<std::collections::BTreeSet<usize>>>,
}

const STATE_FILE: &str = "snapshot_jobs.json";

/// Advances BACKUP and RESTORE jobs; whether anything changed.
fn advance(st: &mut State, cx: &mut SnapCtx<'_>) -> bool {
    let b = backup::advance(st, cx);
    let r = restore_steps::advance(st, cx);
    b || r
}

/// Whether a statement belongs to the snapshot engine (by its first keywords): BACKUP,
/// RESTORE, CANCEL BACKUP|RESTORE, CREATE [READ ONLY] REPOSITORY, DROP REPOSITORY,
/// DROP SNAPSHOT, SHOW BACKUP|RESTORE|SNAPSHOT, and the `ADMIN … SIMULATOR` statements.
pub fn handles(sql: &str) -> bool {
    let words: Vec<String> = leading_words(sql, 4);
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    match w(0) {
        "BACKUP" | "RESTORE" => true,
        "CANCEL" => matches!(w(1), "BACKUP" | "RESTORE"),
        "CREATE" => w(1) == "REPOSITORY" || (w(1) == "READ" && w(2) == "ONLY"),
        "DROP" => matches!(w(1), "REPOSITORY" | "SNAPSHOT"),
        "SHOW" => matches!(w(1), "BACKUP" | "RESTORE" | "SNAPSHOT"),
        "ADMIN" => faults::is_admin(sql) || is_job_stats(sql),
        _ => false,
    }
}

/// Whether a statement starting like `sql` can be one [`handles`] takes: its first word is
/// one a snapshot statement starts with. (`false` means [`handles`] is `false` too.)
pub fn may_handle(sql: &str) -> bool {
    matches!(
        leading_words(sql, 1).first().map(String::as_str),
        Some("BACKUP" | "RESTORE" | "CANCEL" | "CREATE" | "DROP" | "SHOW" | "ADMIN")
    )
}

/// The first `n` words, upper-cased, skipping comments.
fn leading_words(sql: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = sql;
    while out.len() < n {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map(|(_, b)| b).unwrap_or("");
            continue;
        }
        if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map(|(_, b)| b).unwrap_or("");
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(rest[..end].to_ascii_uppercase());
        rest = &rest[end..];
    }
    out
}

impl Snapshots {
    /// A snapshot engine for `config`, reloading saved jobs from its `data_dir`.
    pub fn new(config: &SimConfig) -> Snapshots {
        let save_path = config.data_dir.as_ref().map(|d| d.join(STATE_FILE));
        let mut state = save_path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| serde_json::from_str::<State>(&t).ok())
            .unwrap_or_default();
        // The configuration's pacing applies at every start (runtime overrides do not
        // survive a restart; jobs and armed faults do).
        state.pacing = config.snapshot_pacing.clone();
        let snapshots = Snapshots {
            state: Mutex::new(state),
            save_path,
            dead_backends: config.dead_backends.clone(),
        };
        snapshots.sync_backends(&snapshots.lock());
        snapshots
    }

    /// Reloads jobs and armed faults from the data directory (a frontend restart).
    pub fn reload(&self, config: &SimConfig) {
        let fresh = Snapshots::new(config);
        let state = fresh.state.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut st = self.lock();
        *st = state;
        self.sync_backends(&st);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn save(&self, st: &State) {
        if let Some(path) = &self.save_path {
            if let Ok(text) = serde_json::to_vec(st) {
                let tmp = path.with_extension("json.tmp");
                if std::fs::write(&tmp, text).is_ok() {
                    let _ = std::fs::rename(&tmp, path);
                }
            }
        }
    }

    /// Runs one snapshot statement. Jobs advance first (see [`pacing`]).
    pub fn execute(&self, cx: &mut SnapCtx<'_>, session: &mut Session, sql: &str) -> Outcome {
        let mut st = self.lock();
        advance(&mut st, cx);
        retention::clean_expired(&st, cx);
        let out = if is_job_stats(sql) {
            Ok(job_stats(&st))
        } else if faults::is_admin(sql) {
            faults::parse_admin(sql).map(|cmd| {
                let State { faults, pacing, .. } = &mut *st;
                faults::apply(cmd, faults, pacing);
                self.sync_backends(&st);
                Response::ok()
            })
        } else {
            self.statement(&mut st, cx, session, sql)
        };
        match st.faults.take_drop(sql) {
            Some(true) => session.close_before_answer = true,
            Some(false) => session.close_after = true,
            None => {}
        }
        self.save(&st);
        out
    }

    fn statement(
        &self,
        st: &mut State,
        cx: &mut SnapCtx<'_>,
        s: &mut Session,
        sql: &str,
    ) -> Outcome {
        let parsed = analyze::parse_one(sql, cx.config.version)?;
        let stmt = &parsed.statement;
        match stmt {
            Statement::Backup(b) => backup::submit(st, cx, s, b, &parsed),
            Statement::CreateRepository(c) => {
                analyze::check(&parsed, cx, s)?;
                repository::create(cx, c)
            }
            Statement::DropRepository(d) => {
                analyze::check(&parsed, cx, s)?;
                repository::drop(st, cx, d)
            }
            Statement::ShowSnapshot(ss) => {
                analyze::check(&parsed, cx, s)?;
                show::show_snapshot(cx, ss)
            }
            Statement::ShowJobs(j) => {
                analyze::check(&parsed, cx, s)?;
                if st.faults.take_show_error() {
                    return Err(errors::analyzing(
                        "meta data may has been updated during this period, please try again",
                    ));
                }
                match j.kind {
                    JobKind::Backup => show::show_backup(st, cx, s, j),
                    JobKind::Restore => show::show_restore(st, cx, s, j),
                }
            }
            Statement::Cancel(c) => cancel::cancel(st, cx, c),
            Statement::Restore(r) => restore::submit(st, cx, s, r, &parsed),
            Statement::DropSnapshot(d) => {
                analyze::check(&parsed, cx, s)?;
                retention::drop_snapshot(st, cx, d)
            }
            _ => Err(errors::unsupported(sql.trim())),
        }
    }

    /// Advances every job to the clock's current time (tests call this after moving a
    /// virtual clock; any snapshot statement does it too).
    pub fn tick(&self, cx: &mut SnapCtx<'_>) {
        let mut st = self.lock();
        if advance(&mut st, cx) {
            self.save(&st);
        }
    }

    /// Applies a fault-injection command (the library form of `ADMIN SET SIMULATOR …`).
    pub fn inject(&self, cmd: AdminCommand) {
        let mut st = self.lock();
        let State { faults, pacing, .. } = &mut *st;
        faults::apply(cmd, faults, pacing);
        self.sync_backends(&st);
        self.save(&st);
    }

    /// Publishes the backends the faults mark dead to the rest of the simulator.
    fn sync_backends(&self, st: &State) {
        let mut shared = self.dead_backends.lock().unwrap_or_else(|e| e.into_inner());
        *shared = st.faults.dead_backends.clone();
    }

    /// Fails the next `kind` job on `database` at `state` with Status `[COMMON_ERROR, msg: …]`.
    pub fn fail_job_at(&self, kind: JobType, database: &str, state: &str, message: &str) {
        self.inject(AdminCommand::FailJob(JobFailure::new(
            kind, database, state, message,
        )));
    }

    /// The next `n` SHOW BACKUP / SHOW RESTORE fail with "meta data may has been updated".
    pub fn fail_next_shows(&self, n: u32) {
        self.inject(AdminCommand::ShowErrors(n));
    }

    /// The next `n` BACKUP / RESTORE submissions are refused as if the submit lock were held.
    pub fn reject_next_submissions(&self, n: u32) {
        self.inject(AdminCommand::SubmitBusy(n));
    }

    /// Closes the connection after answering the next `times` statements starting with `prefix`.
    pub fn drop_connection_after(&self, prefix: &str, times: u32) {
        self.inject(AdminCommand::Drop(ConnectionDrop {
            prefix: prefix.to_string(),
            remaining: times,
            before_answer: false,
        }));
    }

    /// Lets the next `times` statements starting with `prefix` take effect, then closes the
    /// connection without answering.
    pub fn drop_connection_during(&self, prefix: &str, times: u32) {
        self.inject(AdminCommand::Drop(ConnectionDrop {
            prefix: prefix.to_string(),
            remaining: times,
            before_answer: true,
        }));
    }

    /// Marks backend `index` (into `SimConfig::backends`) dead or alive.
    pub fn set_backend_alive(&self, index: usize, alive: bool) {
        self.inject(AdminCommand::Backend { index, alive });
    }

    /// Replaces the job pacing.
    pub fn set_pacing(&self, pacing: Pacing) {
        let mut st = self.lock();
        st.pacing = pacing;
        self.save(&st);
    }

    /// Number of alive backends: configured alive and not marked dead.
    pub fn alive_backends(&self, config: &SimConfig) -> usize {
        let st = self.lock();
        config
            .backends
            .iter()
            .enumerate()
            .filter(|(i, b)| b.alive && !st.faults.dead_backends.contains(i))
            .count()
    }

    /// Whether a job is still running (so statements must advance jobs first).
    pub fn has_active_jobs(&self) -> bool {
        self.lock().jobs.values().any(|j| !j.is_done())
    }

    /// A copy of the current state (jobs, faults, pacing), for inspection.
    pub fn snapshot_state(&self) -> State {
        self.lock().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_by_leading_words() {
        for yes in [
            "BACKUP SNAPSHOT d.l TO r",
            "  restore snapshot l from r",
            "CANCEL BACKUP FROM d",
            "create read only repository r with broker on location 's3://b'",
            "/* c */ CREATE REPOSITORY r WITH BROKER ON LOCATION 'x'",
            "DROP REPOSITORY r",
            "DROP SNAPSHOT s ON r",
            "SHOW BACKUP",
            "show snapshot on r",
            "ADMIN SET SIMULATOR FAULT 'submit_busy' TIMES 1",
        ] {
            assert!(handles(yes), "{yes}");
            assert!(may_handle(yes), "{yes}");
        }
        for no in [
            "SHOW REPOSITORIES",
            "CREATE TABLE t (a int)",
            "DROP TABLE t",
            "SELECT 1",
            "ADMIN SET FRONTEND CONFIG",
        ] {
            assert!(!handles(no), "{no}");
        }
        for plain in [
            "INSERT INTO starsnap.backup_partitions VALUES ('backup', 'restore')",
            "-- BACKUP\nSELECT 'SHOW BACKUP'",
            "/* RESTORE */ UPDATE t SET a = 1",
            "",
        ] {
            assert!(!may_handle(plain), "{plain}");
        }
    }
}
