//! Restore drills in the history (schema 5): what `starsnap drill` restored into a scratch
//! database, from which chain, whether every check passed, and how long the restore and its
//! verification took — the recovery time measured, not estimated.

use super::schema::DRILLS;
use super::sql::{self, Val};
use super::{digest, EpochMillis, StateStore};
use crate::error::RuntimeError;

/// One drilled group and database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrillRecord {
    pub run_id: String,
    pub group: String,
    pub database: String,
    /// `latest` or the RFC 3339 instant asked for.
    pub point: String,
    /// The set the chain ends with (`None` when no chain could be chosen).
    pub tip_set: Option<String>,
    /// The sets read, full first.
    pub sets: Vec<String>,
    pub scratch_database: Option<String>,
    /// `passed` or `failed`.
    pub result: String,
    /// The set a failure is traced to, when it is.
    pub failed_set: Option<String>,
    pub message: Option<String>,
    pub started_ms: EpochMillis,
    pub ended_ms: EpochMillis,
    /// From the first RESTORE submitted to the last verification ended.
    pub rto_ms: Option<i64>,
    /// Tables, views and materialized views verified.
    pub tables: Option<i64>,
    pub plan_fingerprint: Option<String>,
}

impl DrillRecord {
    pub fn passed(&self) -> bool {
        self.result == "passed"
    }
}

impl StateStore {
    /// Records a drill (upsert by run, group and database; the message redacted).
    pub fn record_drill(&mut self, d: &DrillRecord) -> Result<(), RuntimeError> {
        super::check_run_id(&d.run_id)?;
        let sets = serde_json::to_string(&d.sets).unwrap_or_else(|_| "[]".into());
        let row = vec![
            Val::text(digest(&[&d.run_id, &d.group, &d.database])),
            Val::text(&d.run_id),
            Val::text(&d.group),
            Val::text(&d.database),
            Val::text(&d.point),
            Val::opt_text(d.tip_set.as_deref()),
            Val::text(sets),
            Val::opt_text(d.scratch_database.as_deref()),
            Val::text(&d.result),
            Val::opt_text(d.failed_set.as_deref()),
            Val::opt_text(d.message.as_deref().map(|m| self.redact(m))),
            Val::Int(d.started_ms),
            Val::Int(d.ended_ms),
            Val::opt_int(d.rto_ms),
            Val::opt_int(d.tables),
            Val::opt_text(d.plan_fingerprint.as_deref()),
        ];
        let stmt = sql::upsert(
            self.config.backend,
            &self.table(DRILLS.name),
            &DRILLS.column_names(),
            &[row],
        );
        self.conn.execute(&stmt)?;
        Ok(())
    }

    /// Every recorded drill, newest first (at most `limit`).
    pub fn drills(&mut self, limit: Option<u64>) -> Result<Vec<DrillRecord>, RuntimeError> {
        let q = sql::select(
            &self.table(DRILLS.name),
            &DRILLS.column_names(),
            &[],
            "started_ms DESC, drill_id",
            limit,
        );
        let rs = self.conn.query(&q)?;
        rs.iter()
            .map(|r| {
                let sets: Vec<String> =
                    serde_json::from_str(r.text("sets_json")?).map_err(|e| {
                        RuntimeError::StateData {
                            table: DRILLS.name.into(),
                            message: format!("sets_json: {e}"),
                        }
                    })?;
                Ok(DrillRecord {
                    run_id: r.text("run_id")?.to_string(),
                    group: r.text("group_name")?.to_string(),
                    database: r.text("database_name")?.to_string(),
                    point: r.text("point")?.to_string(),
                    tip_set: r.get("tip_set")?.map(str::to_string),
                    sets,
                    scratch_database: r.get("scratch_database")?.map(str::to_string),
                    result: r.text("result")?.to_string(),
                    failed_set: r.get("failed_set")?.map(str::to_string),
                    message: r.get("message")?.map(str::to_string),
                    started_ms: r.i64("started_ms")?,
                    ended_ms: r.i64("ended_ms")?,
                    rto_ms: r.opt_i64("rto_ms")?,
                    tables: r.opt_i64("tables")?,
                    plan_fingerprint: r.get("plan_fingerprint")?.map(str::to_string),
                })
            })
            .collect()
    }

    /// The last drill of each group (its newest run; every database of that run), groups by
    /// name.
    pub fn last_drills(&mut self) -> Result<Vec<DrillRecord>, RuntimeError> {
        let all = self.drills(None)?;
        let mut last_run: std::collections::BTreeMap<String, String> = Default::default();
        for d in &all {
            last_run
                .entry(d.group.clone())
                .or_insert_with(|| d.run_id.clone());
        }
        let mut out: Vec<DrillRecord> = all
            .into_iter()
            .filter(|d| last_run.get(&d.group) == Some(&d.run_id))
            .collect();
        out.sort_by(|a, b| (&a.group, &a.database).cmp(&(&b.group, &b.database)));
        Ok(out)
    }
}
