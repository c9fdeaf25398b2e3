//! The one job driver: every BACKUP and RESTORE job apply runs — planned or hand-written —
//! is sent, polled, re-attached and interrupted here, the same way.
//!
//! * **Identity.** A job is its database, kind and label, plus, for a RESTORE, the snapshot's
//!   backup timestamp (one snapshot can be restored many times), plus StarRocks's `JobId`: the
//!   database's job id is read *before* sending, so a job shown afterwards under our label with
//!   another id is ours, and one with the old id is an earlier attempt (a cancelled backup
//!   submitted again, a snapshot restored before).
//! * **Recorded before sending.** The caller records the job (history row, journal event) with
//!   the id seen before, then calls [`Ctx::send_job`]. A connection that drops while sending
//!   leaves it unknown whether StarRocks took the job: the cluster is asked before anything is
//!   sent again, so a job is never submitted twice.
//! * **Polled by column name** ([`super::jobs`]), with a capped backoff that starts over when
//!   the job moves; every state change goes to the [`JobBook`] (the history for a backup, the
//!   journal for a restore) before the next poll.
//! * **Interrupts.** A job an earlier run started is left running for the next run to re-attach.
//!   A job of this run is cancelled while cancelling is harmless — a BACKUP always, a RESTORE
//!   only before COMMIT (spec §9.3: from COMMIT on a cancel can leave overwritten partitions
//!   unrecoverable) — otherwise apply waits for it to end and says why.

use std::time::Duration;

use starsnap_compiler::plan::Step;
use starsnap_compiler::syntax::quote_ident;

use super::env::redact;
use super::jobs::{job, last_job, JobKind, JobRow};
use super::retry::{connection_gone, Backoff};
use super::worker::{next_pause, Ctx};
use super::Outcome;
use crate::conn::Cluster;
use crate::error::RuntimeError;

/// One job on the cluster, as the driver finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRef {
    pub kind: JobKind,
    /// Empty for the cluster's one external-catalog job (no database; `CANCEL … FOR
    /// EXTERNAL CATALOG`; its `JobId` is always `-1`, so it is told by label, see `jobs`).
    pub database: String,
    pub label: String,
    /// A RESTORE's snapshot timestamp; `None` matches any (a hand-written RESTORE).
    pub timestamp: Option<String>,
}

impl JobRef {
    /// The job as SHOW shows it now, if it is the one with our label (and timestamp).
    pub fn find(&self, c: &mut Cluster) -> Result<Option<JobRow>, RuntimeError> {
        let row = job(c, self.kind, &self.database, &self.label)?;
        Ok(row.filter(|r| match (&self.timestamp, &r.timestamp) {
            (Some(want), Some(shown)) => want == shown,
            _ => true,
        }))
    }

    /// The id of the database's last job of this kind, whatever its label: read before
    /// sending, it tells our job from earlier ones.
    pub fn id_before(&self, c: &mut Cluster) -> Result<Option<String>, RuntimeError> {
        Ok(last_job(c, self.kind, &self.database)?.and_then(|r| r.job_id))
    }

    /// Whether cancelling the job in `state` is harmless.
    pub fn cancellable(&self, state: &str) -> bool {
        match self.kind {
            JobKind::Backup => true,
            JobKind::Restore => matches!(
                state,
                "PENDING" | "SNAPSHOTING" | "DOWNLOAD" | "DOWNLOADING"
            ),
        }
    }
}

/// Whether `row` is the job sent after the database's last job was `before`. Without job ids
/// (a cluster that does not show them), a job that has not been cancelled counts as ours.
pub fn is_ours(row: &JobRow, before: Option<&str>) -> bool {
    match (row.job_id.as_deref(), before) {
        (Some(id), Some(old)) => id != old,
        (Some(_), None) => true,
        (None, _) => !row.is_cancelled(),
    }
}

/// How the statement went.
#[derive(Debug)]
pub enum Sent {
    /// StarRocks took the job (or, after a dropped connection, shows it).
    Accepted,
    /// StarRocks refused it: the job does not exist.
    Refused(String),
    /// Whether the job exists could not be found out before the deadline.
    Unknown(String),
}

/// What differs between kinds of job: how its life is recorded.
pub trait JobBook {
    /// A state change seen while polling (ended states included).
    fn transition(&mut self, ctx: &mut Ctx<'_, '_>, row: &JobRow) -> Result<(), RuntimeError>;
    /// The job FINISHED.
    fn finished(&mut self, ctx: &mut Ctx<'_, '_>) -> Result<Outcome, RuntimeError>;
    /// The job was CANCELLED: by the cluster, or by this run on an interrupt (`by_us`).
    fn cancelled(
        &mut self,
        ctx: &mut Ctx<'_, '_>,
        row: Option<&JobRow>,
        by_us: bool,
    ) -> Result<Outcome, RuntimeError>;
    /// SHOW no longer shows the job.
    fn vanished(&mut self, ctx: &mut Ctx<'_, '_>) -> Result<Outcome, RuntimeError>;
}

impl<'r, 's> Ctx<'r, 's> {
    /// Sends a job's statement once. On a dropped connection the cluster is asked whether it
    /// took the job (`also_seen` adds a kind's own evidence, a backup's snapshot in the
    /// repository) before the statement is sent again; transient refusals are retried with
    /// backoff. Every text is redacted of `secrets`.
    pub fn send_job(
        &mut self,
        step: &Step,
        job: &JobRef,
        sql: &str,
        secrets: &[String],
        before: Option<&str>,
        also_seen: &mut dyn FnMut(&mut Cluster) -> Result<bool, RuntimeError>,
    ) -> Result<Sent, RuntimeError> {
        let mut backoff = Backoff::interruptible(
            self.run.config.retry_deadline,
            Some(self.run.config.interrupt.clone()),
        );
        loop {
            let e = match self.link.once(&mut |c| c.execute(sql)) {
                Ok(_) => return Ok(Sent::Accepted),
                Err(e) => e,
            };
            let text = redact(&e.to_string(), secrets);
            if connection_gone(&e) {
                self.emit("retry", step, None, Some(&text));
                let mut note = self.retry_note_redacted(step, secrets.to_vec());
                let seen = self.link.retry(&mut note, &mut |c| {
                    Ok(job.find(c)?.is_some_and(|r| is_ours(&r, before)) || also_seen(c)?)
                })?;
                if seen {
                    return Ok(Sent::Accepted);
                }
            } else if e.is_transient() {
                self.emit("retry", step, None, Some(&text));
            } else {
                let text = match &e {
                    RuntimeError::Server { message, code, .. } => redact(
                        &format!(
                            "StarRocks refused the {}: {message} (error {code})",
                            job.kind.keyword()
                        ),
                        secrets,
                    ),
                    _ => text,
                };
                return Ok(Sent::Refused(text));
            }
            if !backoff.wait() {
                return Ok(Sent::Unknown(text));
            }
        }
    }

    /// Polls the job until it ends, recording every state change in `book`. `last` is the
    /// state already recorded; `ours` says whether this run sent the job (see the module's
    /// interrupt rules).
    pub fn drive(
        &mut self,
        step: &Step,
        job: &JobRef,
        book: &mut dyn JobBook,
        mut last: Option<String>,
        ours: bool,
    ) -> Result<Outcome, RuntimeError> {
        let (min, max) = (self.run.config.poll_min, self.run.config.poll_max);
        let mut pause = min;
        let mut told_waiting = false;
        loop {
            self.keep_lease()?;
            let mut note = self.retry_note(step);
            let Some(row) = self.link.retry(&mut note, &mut |c| job.find(c))? else {
                return book.vanished(self);
            };
            if last.as_deref() != Some(row.state.as_str()) {
                book.transition(self, &row)?;
                if !row.is_finished() && !row.is_cancelled() {
                    self.emit("state", step, Some(&row.state), None);
                }
                last = Some(row.state.clone());
                // A job that moves is polled closely again.
                pause = min;
            }
            if row.is_finished() {
                return book.finished(self);
            }
            if row.is_cancelled() {
                return book.cancelled(self, Some(&row), false);
            }
            if self.interrupted() {
                if !ours {
                    return Ok(Outcome::Interrupted(format!(
                        "interrupted; the {} of {} in {} that an earlier run started is left running in state {} (re-run apply to re-attach it)",
                        job.kind.keyword(),
                        job.label,
                        job.database,
                        row.state
                    )));
                }
                if job.cancellable(&row.state) {
                    return self.cancel(step, job, book);
                }
                if !told_waiting {
                    told_waiting = true;
                    self.emit(
                        "waiting",
                        step,
                        Some(&row.state),
                        Some("the restore is committing: cancelling now could leave overwritten data unrecoverable, so apply waits for it to end"),
                    );
                }
                // The interrupt does not cut the wait short once the job is committing.
                std::thread::sleep(pause.min(Duration::from_millis(200)));
            } else {
                self.pause(pause);
            }
            pause = next_pause(pause, max);
        }
    }

    /// `CANCEL BACKUP|RESTORE FROM db` (`FOR EXTERNAL CATALOG`) for this run's job (the lease guarantees the database's
    /// running job is it), then what the cluster says: a job that ended before the cancel
    /// reached it is recorded as it ended.
    fn cancel(
        &mut self,
        step: &Step,
        job: &JobRef,
        book: &mut dyn JobBook,
    ) -> Result<Outcome, RuntimeError> {
        let sql = if job.database.is_empty() {
            // The cluster's one external-catalog job (spec §2.4).
            format!("CANCEL {} FOR EXTERNAL CATALOG", job.kind.keyword())
        } else {
            format!(
                "CANCEL {} FROM {}",
                job.kind.keyword(),
                quote_ident(&job.database)
            )
        };
        let mut note = self.retry_note(step);
        // A job that already ended refuses the cancel; the read below says which.
        let _ = self.link.retry(&mut note, &mut |c| c.execute(&sql));
        let row = self.link.retry(&mut note, &mut |c| job.find(c))?;
        if row.as_ref().is_some_and(JobRow::is_finished) {
            return book.finished(self);
        }
        book.cancelled(self, row.as_ref(), true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: Option<&str>, state: &str) -> JobRow {
        JobRow {
            label: "l".into(),
            state: state.into(),
            status: None,
            task_err_msg: None,
            job_id: id.map(str::to_string),
            timestamp: None,
        }
    }

    #[test]
    fn a_job_is_ours_only_when_its_id_is_new() {
        assert!(is_ours(&row(Some("11"), "PENDING"), Some("10")));
        assert!(!is_ours(&row(Some("10"), "CANCELLED"), Some("10")));
        assert!(!is_ours(&row(Some("10"), "PENDING"), Some("10")));
        assert!(is_ours(&row(Some("10"), "PENDING"), None));
        // Without ids, an earlier cancelled attempt is not mistaken for ours.
        assert!(!is_ours(&row(None, "CANCELLED"), None));
        assert!(is_ours(&row(None, "UPLOADING"), None));
    }

    #[test]
    fn a_restore_is_cancelled_only_before_commit() {
        let r = JobRef {
            kind: JobKind::Restore,
            database: "d".into(),
            label: "l".into(),
            timestamp: None,
        };
        for s in ["PENDING", "SNAPSHOTING", "DOWNLOAD", "DOWNLOADING"] {
            assert!(r.cancellable(s), "{s}");
        }
        for s in ["COMMIT", "COMMITTING"] {
            assert!(!r.cancellable(s), "{s}");
        }
        let b = JobRef {
            kind: JobKind::Backup,
            ..r
        };
        assert!(b.cancellable("UPLOADING"));
    }
}
