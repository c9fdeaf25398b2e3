//! Retention and verification in the history (schema 3): a set apply expired, a set verify
//! found broken. The `backups` row's state becomes `expired` or `broken` (so the planner's
//! chains leave it out), and `backup_retention` says when and why.

use starsnap_compiler::catalog::BackupState;

use super::history::backup_id;
use super::schema::BACKUP_RETENTION;
use super::sql::{self, Val};
use super::StateStore;
use crate::error::RuntimeError;

/// What happened to a backup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetentionEvent {
    Expired,
    Broken,
}

impl RetentionEvent {
    fn as_str(self) -> &'static str {
        match self {
            RetentionEvent::Expired => "expired",
            RetentionEvent::Broken => "broken",
        }
    }

    fn state(self) -> BackupState {
        match self {
            RetentionEvent::Expired => BackupState::Expired,
            RetentionEvent::Broken => BackupState::Broken,
        }
    }
}

/// Who records the event and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventContext {
    pub run_id: String,
    pub plan_fingerprint: Option<String>,
    pub detail: String,
}

impl StateStore {
    /// Marks backup `label` of `repository` expired or broken. Idempotent: a row already in
    /// that state is left as it is. Returns whether the history knew the backup.
    pub fn mark_backup(
        &mut self,
        repository: &str,
        label: &str,
        event: RetentionEvent,
        ctx: &EventContext,
    ) -> Result<bool, RuntimeError> {
        let Some(mut e) = self.backup(repository, label)? else {
            return Ok(false);
        };
        if e.state == event.state() {
            return Ok(true);
        }
        let now = self.clock.now_ms();
        let row = vec![
            Val::text(backup_id(repository, label)),
            Val::text(event.as_str()),
            Val::Int(now),
            Val::opt_text(Some(ctx.detail.as_str()).filter(|d| !d.is_empty())),
            Val::opt_text(ctx.plan_fingerprint.as_deref()),
            Val::opt_text(Some(ctx.run_id.as_str()).filter(|r| !r.is_empty())),
        ];
        let stmt = sql::upsert(
            self.config.backend,
            &self.table(BACKUP_RETENTION.name),
            &BACKUP_RETENTION.column_names(),
            &[row],
        );
        self.conn.execute(&stmt)?;
        e.state = event.state();
        e.updated_ms = now;
        self.write_backup(&e)?;
        self.journal_backup(&ctx.run_id, &e, event.as_str(), Some(&ctx.detail))?;
        Ok(true)
    }
}
