//! CANCEL BACKUP / CANCEL RESTORE (spec §2.4): the database must exist (authorizer), the
//! database's last job must be of the statement's kind and not ended.

use starsnap_compiler::syntax::ast::{Cancel, CancelTarget, JobKind};

use super::job::{BackupState, JobStatus};
use super::{Job, SnapCtx, State};
use crate::engine::errors::{self, ERR_BAD_DB_ERROR, ERR_COMMON_ERROR};
use crate::response::{Outcome, Response, SqlError};

fn common(msg: impl Into<String>) -> SqlError {
    errors::ddl(ERR_COMMON_ERROR, msg)
}

/// `CANCEL BACKUP|RESTORE (FROM|IN db | FOR EXTERNAL CATALOG)`.
pub fn cancel(st: &mut State, cx: &mut SnapCtx<'_>, c: &Cancel) -> Outcome {
    let key = match &c.target {
        Some(CancelTarget::Database { name, .. }) => {
            if cx.catalog.db(&name.value).is_none() {
                return Err(errors::analyzing_code(
                    ERR_BAD_DB_ERROR,
                    &format!("Unknown database '{}'", name.value),
                ));
            }
            name.value.clone()
        }
        Some(CancelTarget::ExternalCatalog { .. }) => String::new(),
        None => {
            return Err(errors::syntax(
                "No selected database for cancel BACKUP/RESTORE",
            ));
        }
    };
    // `"No " + (isRestore ? "restore" : "backup" + " job") + " is currently running"`.
    let none = match c.kind {
        JobKind::Backup => "No backup job is currently running",
        JobKind::Restore => "No restore is currently running",
    };
    let now = cx.now_ms();
    match (st.jobs.get_mut(&key), c.kind) {
        (Some(Job::Backup(b)), JobKind::Backup) => {
            if b.state.is_done() {
                return Err(common(format!(
                    "Failed to cancel job: Job with label {} can not be cancelled. state: {}",
                    b.label,
                    b.state.name()
                )));
            }
            b.state = BackupState::Cancelled;
            b.status = JobStatus::error("COMMON_ERROR", "user cancelled");
            b.finished_ms = now;
            b.state_since_ms = now;
            Ok(Response::ok())
        }
        (Some(Job::Restore(r)), JobKind::Restore) => {
            if r.state.is_done() {
                return Err(common(format!(
                    "Failed to cancel job: Job with label {} can not be cancelled. state: {}",
                    r.label,
                    r.state.name()
                )));
            }
            let status = JobStatus::error(
                "COMMON_ERROR",
                format!("user cancelled, current state: {}", r.state.name()),
            );
            super::restore_steps::cancel(cx, r, status, now);
            Ok(Response::ok())
        }
        _ => Err(common(none)),
    }
}
