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

use starsnap_compiler::plan::{RestoreOp, Step, SwapOp, VerifyOp};
use starsnap_compiler::syntax::{quote_ident, quote_string};

use super::worker::{cluster_message, next_pause, Ctx};
use super::Outcome;
use crate::conn::Cluster;
use crate::error::RuntimeError;
use crate::state::Event;

/// A RESTORE job as `SHOW RESTORE FROM db` shows it.
#[derive(Clone, Debug)]
struct RestoreRow {
    state: String,
    status: Option<String>,
    task: Option<String>,
}

impl RestoreRow {
    fn status_text(&self) -> Option<&str> {
        self.status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "[OK]")
    }
    fn task_message(&self) -> Option<&str> {
        self.task
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "[]")
    }
    /// Whether cancelling now is still safe (before COMMIT, spec §9.3).
    fn cancellable(&self) -> bool {
        matches!(
            self.state.as_str(),
            "PENDING" | "SNAPSHOTING" | "DOWNLOAD" | "DOWNLOADING"
        )
    }
}

/// The database's RESTORE job for `label` at `timestamp`, if it is the one shown.
fn restore_row(
    c: &mut Cluster,
    database: &str,
    label: &str,
    timestamp: &str,
) -> Result<Option<RestoreRow>, RuntimeError> {
    let rs = c.query(&format!("SHOW RESTORE FROM {}", quote_ident(database)))?;
    rs.require(&["Label", "State"])?;
    for row in rs.iter() {
        if row.get("Label")? != Some(label) {
            continue;
        }
        if row.get("Timestamp")?.is_some_and(|t| t != timestamp) {
            continue;
        }
        return Ok(Some(RestoreRow {
            state: row.text("State")?.to_ascii_uppercase(),
            status: row.get("Status")?.map(str::to_string),
            task: row.get("TaskErrMsg")?.map(str::to_string),
        }));
    }
    Ok(None)
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
    fn journal_step(&mut self, step: &Step, kind: &str, message: &str) -> Result<(), RuntimeError> {
        let run_id = self.run.config.actor.run_id.clone();
        let mut ev = Event::new(&run_id, kind).step(&step.id).message(message);
        if let Some(d) = step.database() {
            ev = ev.database(d);
        }
        self.state(&mut |s| s.journal(ev.clone()))
    }

    /// Whether an earlier run of this plan journaled `kind` for the step; the message of the
    /// latest such event.
    fn journaled(&mut self, step: &Step, kind: &str) -> Result<Option<String>, RuntimeError> {
        let fingerprint = self.run.plan.fingerprint.clone();
        let events = self.state(&mut |s| s.events(None))?;
        Ok(events
            .into_iter()
            .filter(|e| e.kind == kind && e.step_id.as_deref() == Some(step.id.as_str()))
            .filter_map(|e| e.message)
            .rfind(|m| m.starts_with(&fingerprint)))
    }

    /// One RESTORE job: resume or submit, then poll to its end.
    pub fn restore(&mut self, step: &Step, op: &RestoreOp) -> Outcome {
        match self.run_restore(step, op) {
            Ok(o) => o,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    fn run_restore(&mut self, step: &Step, op: &RestoreOp) -> Result<Outcome, RuntimeError> {
        let (db, label, ts) = (
            op.database.clone(),
            op.snapshot.clone(),
            op.backup_timestamp.clone(),
        );
        if self.journaled(step, "restore_submitted")?.is_some() {
            let mut note = self.retry_note(step);
            let row = self
                .link
                .retry(&mut note, &mut |c| restore_row(c, &db, &label, &ts))?;
            match row {
                Some(r) if r.state == "FINISHED" => {
                    self.emit("done_already", step, Some("FINISHED"), None);
                    return Ok(Outcome::Done);
                }
                Some(r) if r.state != "CANCELLED" => {
                    self.emit("reattached", step, Some(&r.state), None);
                    return self.poll_restore(step, op, false);
                }
                // Cancelled, or never reached the cluster: submit (again).
                _ => {}
            }
        }
        // StarRocks's own listing decides, never starsnap's records (a plan made from the
        // repository's set manifests, or before the repository existed in this cluster).
        let repository = op.repository.clone();
        let mut note = self.retry_note(step);
        let listed = self.link.retry(&mut note, &mut |c| {
            super::jobs::snapshot_timestamps(c, &repository, &label)
        })?;
        if !listed.contains(&ts) {
            return Ok(Outcome::Failed(format!(
                "SHOW SNAPSHOT ON {repository} does not list snapshot {label} at {ts}{}: the snapshot cannot be restored",
                if listed.is_empty() {
                    String::new()
                } else {
                    format!(" (it lists {})", listed.join(", "))
                }
            )));
        }
        let (statements, secrets) = match self.built(step) {
            Ok(b) => b,
            Err(e) => return Ok(Outcome::Failed(e)),
        };
        let fingerprint = self.run.plan.fingerprint.clone();
        self.journal_step(step, "restore_submitted", &fingerprint)?;
        for sql in &statements {
            let mut note = self.retry_note_redacted(step, secrets.clone());
            if let Err(e) = self.link.retry(&mut note, &mut |c| c.execute(sql)) {
                let text = match e {
                    RuntimeError::Server { message, code, .. } => {
                        format!("StarRocks refused the RESTORE: {message} (error {code})")
                    }
                    other => other.to_string(),
                };
                return Ok(Outcome::Failed(super::redact(&text, &secrets)));
            }
        }
        self.emit("submitted", step, None, None);
        self.poll_restore(step, op, true)
    }

    /// Polls SHOW RESTORE until the job ends. On an interrupt, a job this run submitted is
    /// cancelled while that is safe (before COMMIT); from COMMIT on, apply waits.
    fn poll_restore(
        &mut self,
        step: &Step,
        op: &RestoreOp,
        ours: bool,
    ) -> Result<Outcome, RuntimeError> {
        let (db, label, ts) = (
            op.database.clone(),
            op.snapshot.clone(),
            op.backup_timestamp.clone(),
        );
        let mut pause = self.run.config.poll_min;
        let mut last = String::new();
        let mut told_waiting = false;
        loop {
            let mut note = self.retry_note(step);
            let row = self
                .link
                .retry(&mut note, &mut |c| restore_row(c, &db, &label, &ts))?;
            let Some(r) = row else {
                return Ok(Outcome::Failed(format!(
                    "SHOW RESTORE FROM {db} no longer shows {label}"
                )));
            };
            if r.state != last {
                self.emit("state", step, Some(&r.state), None);
                // Every transition is journaled (the restore's history, `history --restores`).
                let fingerprint = self.run.plan.fingerprint.clone();
                let _ = self.journal_step(
                    step,
                    "restore_state",
                    &format!("{fingerprint} {} {}", label, r.state),
                );
                last = r.state.clone();
                pause = self.run.config.poll_min;
            }
            match r.state.as_str() {
                "FINISHED" => return Ok(Outcome::Done),
                "CANCELLED" => {
                    return Ok(Outcome::Failed(cluster_message(
                        r.status_text(),
                        r.task_message(),
                    )))
                }
                _ => {}
            }
            if self.interrupted() {
                if ours && r.cancellable() {
                    let sql = format!("CANCEL RESTORE FROM {}", quote_ident(&db));
                    let mut note = self.retry_note(step);
                    self.link.retry(&mut note, &mut |c| c.execute(&sql))?;
                    let why = format!(
                        "interrupted: the RESTORE of {label} into {db} was cancelled in state {}",
                        r.state
                    );
                    return Ok(Outcome::Interrupted(why));
                }
                if !ours {
                    return Ok(Outcome::Interrupted(format!(
                        "interrupted: the RESTORE of {label} into {db} (started by an earlier run) is left running in state {}",
                        r.state
                    )));
                }
                if !told_waiting {
                    told_waiting = true;
                    self.emit(
                        "waiting",
                        step,
                        Some(&r.state),
                        Some("the restore is committing: cancelling now could leave overwritten data unrecoverable, so apply waits for it to end"),
                    );
                }
            }
            self.keep_lease()?;
            // An interrupt does not cut the wait short once the job is committing.
            std::thread::sleep(pause.min(std::time::Duration::from_millis(200)));
            if !self.interrupted() {
                self.pause(pause.saturating_sub(std::time::Duration::from_millis(200)));
            }
            pause = next_pause(pause, self.run.config.poll_max);
        }
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
    let drill = plan
        .steps
        .iter()
        .all(|s| !matches!(&s.op, Op::Restore(r) if !r.scratch) && !matches!(s.op, Op::Copy(_)));
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
