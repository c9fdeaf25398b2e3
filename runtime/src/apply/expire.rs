//! `expire` steps: a backup set retention lets go, exactly as the approved plan lists it.
//!
//! * 4.2+ (`how = drop_snapshot`): `DROP SNAPSHOT <label> ON <repository>` per label, built
//!   from the op by the canonical printer; a label already gone ("does not exist") counts as
//!   done, so an interrupted expiry is finished by the next apply (the step is journaled
//!   `expire_deleting` first, so the stale check takes its labels being gone as this plan's
//!   doing). Then each label's history row is marked `expired`.
//! * before 4.2 (`how = delete_objects`): the snapshot's objects are deleted in the
//!   repository itself through [`crate::snapshot_objects`] (the repository opened as the
//!   policy describes it, credentials from the environment variables it names; listing
//!   paginated, deletion batched, retried on throttling). The step is journaled
//!   (`expire_deleting`) before the first object goes, so a run killed halfway is
//!   recognised as this plan's doing: the next apply of the plan lists each folder again and
//!   deletes what is left. A repository starsnap cannot reach (HDFS, brokers, no endpoint or
//!   keys) fails the step naming the exact folders to delete by hand.
//!
//! Nothing else is touched: only the labels of the step, and then the set's manifest
//! (`__starsnap/sets/<set>.json`) where starsnap can reach the repository.

use starsnap_compiler::plan::{ExpireHow, ExpireOp, Step};

use super::worker::Ctx;
use super::Outcome;
use crate::error::RuntimeError;
use crate::snapshot_objects::SnapshotStore;
use crate::state::retention::{EventContext, RetentionEvent};

/// Whether StarRocks's refusal of DROP SNAPSHOT says the snapshot is already gone.
pub fn already_gone(e: &RuntimeError) -> bool {
    matches!(e, RuntimeError::Server { message, .. } if message.contains("does not exist")
        && !message.contains("epository"))
}

impl Ctx<'_, '_> {
    pub fn expire(&mut self, step: &Step, op: &ExpireOp) -> Outcome {
        let labels: Vec<&str> = op.labels.iter().map(|l| l.label.as_str()).collect();
        match op.how {
            ExpireHow::DropSnapshot => {
                let statements = match self.built(step) {
                    Ok((s, _)) => s,
                    Err(e) => return Outcome::Failed(e),
                };
                if let Err(e) = self.begin_expiry(step) {
                    return Outcome::Failed(e);
                }
                if statements.len() != labels.len() {
                    return Outcome::Failed(format!(
                        "step {} builds {} statements for {} labels",
                        step.id,
                        statements.len(),
                        labels.len()
                    ));
                }
                for (sql, label) in statements.iter().zip(&labels) {
                    let mut note = self.retry_note(step);
                    match self.link.retry(&mut note, &mut |c| c.execute(sql)) {
                        Ok(_) => {}
                        Err(e) if already_gone(&e) => self.emit(
                            "expire_already_gone",
                            step,
                            None,
                            Some(&format!("snapshot `{label}` was already gone")),
                        ),
                        Err(RuntimeError::Server { message, code, .. }) => {
                            return Outcome::Failed(format!(
                                "StarRocks refused to drop snapshot `{label}` (step {}): {message} (error {code})",
                                step.id
                            ))
                        }
                        Err(e) => return Outcome::Failed(e.to_string()),
                    }
                }
            }
            ExpireHow::DeleteObjects => {
                if let Err(e) = self.delete_objects(step, op, &labels) {
                    return Outcome::Failed(format!("step {}: {e}", step.id));
                }
            }
        }
        let ctx = EventContext {
            run_id: self.run.config.actor.run_id.clone(),
            plan_fingerprint: Some(self.run.plan.fingerprint.clone()),
            detail: op.why.clone(),
        };
        for label in &labels {
            let marked = self.state(&mut |s| {
                s.mark_backup(&op.repository, label, RetentionEvent::Expired, &ctx)
            });
            if let Err(e) = marked {
                return Outcome::Failed(format!(
                    "snapshot `{label}` was expired, but the history could not record it: {e}; apply again"
                ));
            }
        }
        self.delete_set_manifest(step, op);
        Outcome::Done
    }

    /// Once the set's snapshots are gone, its manifest (`__starsnap/sets/<set>.json`) goes
    /// too — never before, so a manifest never describes less than the repository holds. A
    /// repository starsnap cannot reach holds none (none was written). A failure does not
    /// fail the step, whose snapshots are gone: disaster recovery skips a set whose snapshots
    /// StarRocks does not list; it is a `warning` naming the object to delete.
    fn delete_set_manifest(&mut self, step: &Step, op: &ExpireOp) {
        let Some(access) = self.run.config.repositories.get(&op.repository) else {
            return;
        };
        let location = self
            .run
            .fresh
            .repository(&op.repository)
            .map(|r| r.location.clone())
            .unwrap_or_else(|| access.location.clone());
        if access.unreachable(&location).is_some() {
            return;
        }
        let deleted = {
            let env = |n: &str| (self.run.env)(n);
            access
                .open(&op.repository, Some(&location), &env)
                .and_then(|repo| repo.delete_set_manifest(&op.set).map_err(|e| e.to_string()))
        };
        match deleted {
            Ok(()) => self.emit(
                "set_manifest_deleted",
                step,
                None,
                Some(&format!("set manifest of `{}` deleted", op.set)),
            ),
            Err(e) => {
                let message = self.run.config.redactor.redact(&format!(
                    "the snapshots of set `{}` are gone, but its manifest (`__starsnap/sets/{}.json` in repository `{}`) could not be deleted: {e}; delete it by hand or leave it (disaster recovery skips a set whose snapshots are gone)",
                    op.set, op.set, op.repository
                ));
                self.emit("warning", step, None, Some(&message));
                super::worker::lock(&self.run.warnings).insert(step.id.clone(), message);
            }
        }
    }
}

impl Ctx<'_, '_> {
    /// Journals `expire_deleting` (once per plan and step) before the first snapshot goes:
    /// a later run of the plan then takes the step's snapshots being gone as its own doing.
    fn begin_expiry(&mut self, step: &Step) -> Result<(), String> {
        let fingerprint = self.run.plan.fingerprint.clone();
        if self
            .journaled(step, "expire_deleting")
            .map_err(|e| e.to_string())?
            .is_none()
        {
            self.journal_step(step, "expire_deleting", &fingerprint)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Deletes the objects of every label of the step (before 4.2), journaling the step
    /// first. A label whose folder is already empty counts as done.
    fn delete_objects(
        &mut self,
        step: &Step,
        op: &ExpireOp,
        labels: &[&str],
    ) -> Result<(), String> {
        // Where the repository is now (SHOW REPOSITORIES), else where the plan saw it.
        let location = self
            .run
            .fresh
            .repository(&op.repository)
            .map(|r| r.location.clone())
            .or_else(|| {
                self.run
                    .plan
                    .observed
                    .repositories
                    .iter()
                    .find(|r| r.name == op.repository)
                    .and_then(|r| r.location.clone())
            });
        let access = self.run.config.repositories.get(&op.repository);
        let env = |n: &str| (self.run.env)(n);
        let store = SnapshotStore::open(&op.repository, location.as_deref(), access, &env, labels)
            .map_err(|e| self.run.config.redactor.redact(&e.to_string()))?;
        self.begin_expiry(step)?;
        for label in labels {
            let report = store
                .delete_snapshot(label)
                .map_err(|e| self.run.config.redactor.redact(&e.to_string()))?;
            let message = if report.deleted == 0 {
                format!("snapshot `{label}` was already gone")
            } else {
                format!(
                    "deleted {} object(s), {} byte(s) under {}",
                    report.deleted,
                    report.bytes,
                    store.path(label)
                )
            };
            let kind = if report.deleted == 0 {
                "expire_already_gone"
            } else {
                "objects_deleted"
            };
            self.emit(kind, step, None, Some(&message));
        }
        Ok(())
    }
}
