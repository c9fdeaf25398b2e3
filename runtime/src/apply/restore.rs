//! The restore family of steps: RESTORE jobs through the job driver, the verification that
//! gates every live change, and the swap that is the only step touching live data.
//!
//! * A RESTORE is journaled as submitted *before* it is sent; a later run of the same plan
//!   finds the job by target database, label and backup timestamp (a snapshot can be
//!   restored many times) and re-attaches to it instead of submitting it again. A job
//!   CANCELLED before it finished is submitted again on the next run.
//! * SIGINT cancels a RESTORE only before COMMIT (PENDING … DOWNLOADING): from COMMIT on,
//!   cancelling can leave overwritten data unrecoverable (spec §9.3), so apply waits for the
//!   job to end and says why.
//! * A swap journals the partition ids of the copy it swaps in before sending; a re-run that
//!   finds those ids under the live name knows the swap happened and never swaps back.

use starsnap_compiler::plan::{RestoreCatalogsOp, RestoreOp, Step, SwapOp, VerifyOp};
use starsnap_compiler::syntax::quote_string;

use super::driver::{is_ours, JobBook, JobRef, Sent};
use super::jobs::{JobKind, JobRow};
use super::worker::{cluster_message, Ctx};
use super::Outcome;
use crate::conn::Cluster;
use crate::error::RuntimeError;
use crate::state::Event;

/// The job id a `restore_submitted` journal entry saw before sending (`before-job=<id>`).
fn before_id(message: &str) -> Option<String> {
    message
        .split_whitespace()
        .find_map(|w| w.strip_prefix("before-job="))
        .map(str::to_string)
}

/// How a restore's life is recorded: every state in the journal (`restore_state`, read by
/// `history --restores`).
struct RestoreBook<'a> {
    step: &'a Step,
    job: &'a JobRef,
}

impl JobBook for RestoreBook<'_> {
    fn transition(&mut self, ctx: &mut Ctx<'_, '_>, row: &JobRow) -> Result<(), RuntimeError> {
        let fingerprint = ctx.run.plan.fingerprint.clone();
        // The journal is the restore's history; a lost entry does not stop the job.
        let _ = ctx.journal_step(
            self.step,
            "restore_state",
            &format!("{fingerprint} {} {}", self.job.label, row.state),
        );
        Ok(())
    }

    fn finished(&mut self, _ctx: &mut Ctx<'_, '_>) -> Result<Outcome, RuntimeError> {
        Ok(Outcome::Done)
    }

    fn cancelled(
        &mut self,
        _ctx: &mut Ctx<'_, '_>,
        row: Option<&JobRow>,
        by_us: bool,
    ) -> Result<Outcome, RuntimeError> {
        if by_us {
            return Ok(Outcome::Interrupted(format!(
                "interrupted: the RESTORE of {} into {} was cancelled in state {}",
                self.job.label,
                self.job.database,
                row.map_or("unknown", |r| r.state.as_str())
            )));
        }
        Ok(Outcome::Failed(cluster_message(
            row.and_then(JobRow::status_text),
            row.and_then(JobRow::task_message),
        )))
    }

    fn vanished(&mut self, _ctx: &mut Ctx<'_, '_>) -> Result<Outcome, RuntimeError> {
        Ok(Outcome::Failed(format!(
            "SHOW RESTORE FROM {} no longer shows {}",
            self.job.database, self.job.label
        )))
    }
}

/// The partition ids of a table (`partitions_meta`), sorted; empty when it does not exist.
fn partition_ids(c: &mut Cluster, database: &str, table: &str) -> Result<Vec<i64>, RuntimeError> {
    let rs = c.query(&format!(
        "SELECT PARTITION_ID FROM information_schema.partitions_meta WHERE DB_NAME = {} AND TABLE_NAME = {}",
        quote_string(database),
        quote_string(table)
    ))?;
    let mut ids = Vec::new();
    for row in rs.iter() {
        ids.push(row.i64("PARTITION_ID")?);
    }
    ids.sort_unstable();
    Ok(ids)
}

impl<'r, 's> Ctx<'r, 's> {
    pub(super) fn journal_step(
        &mut self,
        step: &Step,
        kind: &str,
        message: &str,
    ) -> Result<(), RuntimeError> {
        let run_id = self.run.config.actor.run_id.clone();
        let mut ev = Event::new(&run_id, kind).step(&step.id).message(message);
        if let Some(d) = step.database() {
            ev = ev.database(d);
        }
        self.state(&mut |s| s.journal(ev.clone()))
    }

    /// Whether an earlier run of this plan journaled `kind` for the step; the message of the
    /// latest such event.
    pub(super) fn journaled(
        &mut self,
        step: &Step,
        kind: &str,
    ) -> Result<Option<String>, RuntimeError> {
        let fingerprint = self.run.plan.fingerprint.clone();
        let events = self.state(&mut |s| s.events_of_plan(&fingerprint))?;
        Ok(events
            .into_iter()
            .filter(|e| e.kind == kind && e.step_id.as_deref() == Some(step.id.as_str()))
            .filter_map(|e| e.message)
            .rfind(|m| m.starts_with(&fingerprint)))
    }

    /// One planned RESTORE job: resume or submit, then poll to its end.
    pub fn restore(&mut self, step: &Step, op: &RestoreOp) -> Outcome {
        let job = JobRef {
            kind: JobKind::Restore,
            database: op.database.clone(),
            label: op.snapshot.clone(),
            timestamp: Some(op.backup_timestamp.clone()),
        };
        self.restore_job(step, &job)
    }

    /// A planned RESTORE of external catalogs: the cluster's one catalog job (database "",
    /// `DbName` empty in SHOW RESTORE, spec §2.3 and §3.2: PENDING → COMMITTING → FINISHED),
    /// found again by label and timestamp; otherwise exactly like a database's RESTORE.
    pub fn restore_catalogs(&mut self, step: &Step, op: &RestoreCatalogsOp) -> Outcome {
        let job = JobRef {
            kind: JobKind::Restore,
            database: String::new(),
            label: op.snapshot.clone(),
            timestamp: Some(op.backup_timestamp.clone()),
        };
        self.restore_job(step, &job)
    }

    /// A RESTORE through the job driver (planned, or hand-written and reviewed): journaled
    /// as submitted, with the database's job id seen before, *before* it is sent; a later run
    /// of the same plan re-attaches to the job if the cluster shows it under a new id, and
    /// submits again only when it never started or was cancelled.
    pub fn restore_job(&mut self, step: &Step, job: &JobRef) -> Outcome {
        match self.run_restore(step, job) {
            Ok(o) => o,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    fn run_restore(&mut self, step: &Step, job: &JobRef) -> Result<Outcome, RuntimeError> {
        if let Some(message) = self.journaled(step, "restore_submitted")? {
            let before = before_id(&message);
            let mut note = self.retry_note(step);
            let row = self.link.retry(&mut note, &mut |c| job.find(c))?;
            match row {
                Some(r) if is_ours(&r, before.as_deref()) && r.is_finished() => {
                    self.emit("done_already", step, Some("FINISHED"), None);
                    return Ok(Outcome::Done);
                }
                Some(r) if is_ours(&r, before.as_deref()) && !r.is_cancelled() => {
                    self.emit("reattached", step, Some(&r.state), None);
                    let mut book = RestoreBook { step, job };
                    return self.drive(step, job, &mut book, None, false);
                }
                // Cancelled, or never reached the cluster: submit (again).
                _ => {}
            }
        }
        // StarRocks's own listing decides, never starsnap's records (a plan made from the
        // repository's set manifests, or before the repository existed in this cluster).
        if let (Some(repository), Some(ts)) = (step.repository(), job.timestamp.as_deref()) {
            let (repository, label) = (repository.to_string(), job.label.clone());
            let mut note = self.retry_note(step);
            let listed = self.link.retry(&mut note, &mut |c| {
                super::jobs::snapshot_timestamps(c, &repository, &label)
            })?;
            if !listed.iter().any(|t| t == ts) {
                return Ok(Outcome::Failed(format!(
                    "SHOW SNAPSHOT ON {repository} does not list snapshot {label} at {ts}{}: the snapshot cannot be restored",
                    if listed.is_empty() {
                        String::new()
                    } else {
                        format!(" (it lists {})", listed.join(", "))
                    }
                )));
            }
        }
        let (statements, secrets) = match self.built(step) {
            Ok(b) => b,
            Err(e) => return Ok(Outcome::Failed(e)),
        };
        let [sql] = statements.as_slice() else {
            return Ok(Outcome::Failed(format!(
                "restore step {} does not build exactly one statement",
                step.id
            )));
        };
        let mut note = self.retry_note(step);
        let before = self.link.retry(&mut note, &mut |c| job.id_before(c))?;
        let fingerprint = self.run.plan.fingerprint.clone();
        let message = match &before {
            Some(id) => format!("{fingerprint} before-job={id}"),
            None => fingerprint,
        };
        self.journal_step(step, "restore_submitted", &message)?;
        match self.send_job(step, job, sql, &secrets, before.as_deref(), &mut |_| {
            Ok(false)
        })? {
            Sent::Accepted => {}
            Sent::Refused(m) | Sent::Unknown(m) => return Ok(Outcome::Failed(m)),
        }
        self.emit("submitted", step, None, None);
        let mut book = RestoreBook { step, job };
        self.drive(step, job, &mut book, None, true)
    }

    /// Checks a restored table against the backup; a mismatch fails the step, so nothing
    /// that depends on it (the swap) runs and the live table stays untouched.
    pub fn verify_step(&mut self, step: &Step, op: &VerifyOp) -> Outcome {
        let mut note = self.retry_note(step);
        let found = self
            .link
            .retry(&mut note, &mut |c| crate::restore::verify(c, op));
        match found {
            Err(e) => Outcome::Failed(e.to_string()),
            Ok(wrong) if wrong.is_empty() => Outcome::Done,
            Ok(wrong) => Outcome::Failed(format!(
                "verification failed: {}; nothing live was touched, the restored copy stays as {}.{} for inspection",
                wrong.join("; "),
                op.database,
                op.table
            )),
        }
    }

    /// `ALTER TABLE … SWAP WITH …`, once: a re-run that finds the copy's partitions under the
    /// live name knows the swap happened.
    pub fn swap(&mut self, step: &Step, op: &SwapOp) -> Outcome {
        let fingerprint = self.run.plan.fingerprint.clone();
        let recorded = match self.journaled(step, "swap_sending") {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        let (db, table, with) = (op.database.clone(), op.table.clone(), op.with.clone());
        if let Some(message) = recorded {
            let ids = message
                .strip_prefix(&fingerprint)
                .unwrap_or("")
                .trim()
                .to_string();
            let mut note = self.retry_note(step);
            let live = self
                .link
                .retry(&mut note, &mut |c| partition_ids(c, &db, &table));
            match live {
                Ok(live) if !ids.is_empty() && ids == join_ids(&live) => {
                    self.emit(
                        "done_already",
                        step,
                        None,
                        Some("the swap happened in an earlier run"),
                    );
                    return Outcome::Done;
                }
                Ok(_) => {}
                Err(e) => return Outcome::Failed(e.to_string()),
            }
        }
        let mut note = self.retry_note(step);
        let copy = match self
            .link
            .retry(&mut note, &mut |c| partition_ids(c, &db, &with))
        {
            Ok(ids) => ids,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        let message = format!("{fingerprint} {}", join_ids(&copy));
        if let Err(e) = self.journal_step(step, "swap_sending", &message) {
            return Outcome::Failed(e.to_string());
        }
        let (statements, _) = match self.built(step) {
            Ok(b) => b,
            Err(e) => return Outcome::Failed(e),
        };
        // Sent once, never retried: a swap repeated after it went through swaps back.
        for sql in &statements {
            if let Err(e) = self.link.once(&mut |c| c.execute(sql)) {
                let mut note = self.retry_note(step);
                let live = self
                    .link
                    .retry(&mut note, &mut |c| partition_ids(c, &db, &table));
                if matches!(&live, Ok(ids) if !copy.is_empty() && *ids == copy) {
                    return Outcome::Done;
                }
                return Outcome::Failed(match e {
                    RuntimeError::Server { message, code, .. } => {
                        format!(
                            "StarRocks refused step {}: {message} (error {code})",
                            step.id
                        )
                    }
                    other => other.to_string(),
                });
            }
        }
        Outcome::Done
    }
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// A restore as the history lists it (`starsnap history --restores`): what it restored,
/// from which snapshots, how, and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RestoreRecord {
    pub fingerprint: String,
    /// `swap`, `into`, `in_place`, `new` (tables that no longer existed) or `drill` (into
    /// scratch databases only, dropped after the checks).
    pub mode: String,
    /// `db.table` restored (the live names).
    pub targets: Vec<String>,
    /// The snapshot labels read, in order.
    pub snapshots: Vec<String>,
    /// `running`, `finished`, `failed` or `interrupted`.
    pub state: String,
    /// `passed`, `failed` or `not_run`.
    pub verification: String,
    pub started_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_ms: Option<i64>,
    /// The first failure, when the restore failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The record of a plan that restores anything; `None` for a backup plan.
pub fn restore_record(plan: &starsnap_compiler::plan::Plan) -> Option<RestoreRecord> {
    use starsnap_compiler::plan::{Onto, Op};
    let mut targets = std::collections::BTreeSet::new();
    let mut snapshots = Vec::new();
    // The source objects read (a drill's targets: it restores them only into scratch).
    let mut sources = std::collections::BTreeSet::new();
    let (mut swap, mut live, mut scratch_or_new) = (false, false, false);
    for s in &plan.steps {
        match &s.op {
            Op::RestoreCatalogs(r) => {
                snapshots.push(r.snapshot.clone());
                for c in &r.catalogs {
                    targets.insert(format!("catalog:{c}"));
                }
                scratch_or_new = true;
            }
            Op::Restore(r) => {
                snapshots.push(r.snapshot.clone());
                for t in &r.tables {
                    sources.insert(format!("{}.{}", r.source_database, t.name));
                    live |= t.onto == Onto::Live;
                    if !r.scratch {
                        targets.insert(format!(
                            "{}.{}",
                            r.database,
                            t.alias.as_deref().unwrap_or(&t.name)
                        ));
                    }
                    scratch_or_new |= r.scratch || t.onto == Onto::New;
                }
            }
            Op::Swap(w) => {
                swap = true;
                targets.retain(|t| t != &format!("{}.{}", w.database, w.with));
                targets.insert(format!("{}.{}", w.database, w.table));
            }
            Op::Copy(c) => {
                targets.retain(|t| t != &format!("{}.{}", c.database, c.table));
            }
            _ => {}
        }
    }
    if snapshots.is_empty() {
        return None;
    }
    let into = plan.steps.iter().any(|s| {
        matches!(&s.op, Op::CreateDatabase(d) if !d.scratch)
            || matches!(&s.op, Op::Restore(r) if r.database != r.source_database && !r.scratch)
    });
    // A drill restores only into scratch databases it drops again: nothing is copied out.
    let drill = plan.steps.iter().all(|s| {
        !matches!(&s.op, Op::Restore(r) if !r.scratch)
            && !matches!(s.op, Op::Copy(_) | Op::RestoreCatalogs(_))
    });
    let mode = if live {
        "in_place"
    } else if drill && !swap {
        "drill"
    } else if swap {
        "swap"
    } else if into {
        "into"
    } else if scratch_or_new {
        "new"
    } else {
        "swap"
    };
    Some(RestoreRecord {
        fingerprint: plan.fingerprint.clone(),
        mode: mode.to_string(),
        targets: if mode == "drill" { sources } else { targets }
            .into_iter()
            .collect(),
        snapshots,
        state: "running".into(),
        verification: "not_run".into(),
        started_ms: 0,
        ended_ms: None,
        message: None,
    })
}

/// Every restore the journal recorded, newest first.
pub fn list_restores(
    store: &mut crate::state::StateStore,
) -> Result<Vec<RestoreRecord>, RuntimeError> {
    let mut by_run: Vec<(String, RestoreRecord)> = Vec::new();
    for e in store.events(None)? {
        let Some(message) = e.message.as_deref() else {
            continue;
        };
        match e.kind.as_str() {
            "restore_started" => {
                if let Ok(mut r) = serde_json::from_str::<RestoreRecord>(message) {
                    r.started_ms = e.time_ms;
                    by_run.push((e.run_id.clone(), r));
                }
            }
            "restore_ended" => {
                if let Ok(end) = serde_json::from_str::<RestoreRecord>(message) {
                    if let Some((_, r)) = by_run
                        .iter_mut()
                        .rev()
                        .find(|(run, r)| run == &e.run_id && r.fingerprint == end.fingerprint)
                    {
                        r.state = end.state;
                        r.verification = end.verification;
                        r.message = end.message;
                        r.ended_ms = Some(e.time_ms);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out: Vec<RestoreRecord> = by_run.into_iter().map(|(_, r)| r).collect();
    out.reverse();
    Ok(out)
}
