//! Backup history: every step recorded as submitted *before* its statement is sent, every
//! job state transition with its time, the finished snapshot with its timestamp, partition
//! manifest and parent link, failures with StarRocks's Status and TaskErrMsg; and the
//! chain queries the planner reads. Each write is also journaled (`journal`).
//!
//! Rows are whole-row upserts keyed by a digest of repository + label, so re-recording
//! (a resumed run) is idempotent. A finished backup's manifest is written *before* the row
//! turns `finished`, so a finished row always has its whole manifest.

use std::collections::{BTreeMap, BTreeSet};

pub use starsnap_compiler::catalog::{BackedUpObject, BackupKind, BackupState};

use super::journal::Event;
use super::objects::BackupObjects;
use super::schema::{BACKUPS, MANIFESTS};
use super::sql::{self, Val};
use super::{digest, EpochMillis, StateStore};
use crate::error::RuntimeError;
use crate::row::NamedRow;

fn kind_str(k: BackupKind) -> &'static str {
    k.as_str()
}

fn parse_kind(s: &str) -> Option<BackupKind> {
    match s {
        "full" => Some(BackupKind::Full),
        "incremental" => Some(BackupKind::Incremental),
        _ => None,
    }
}

/// The state's text in the `backups` table (the catalog JSON's spelling).
pub fn state_str(s: BackupState) -> &'static str {
    match s {
        BackupState::Planned => "planned",
        BackupState::Submitted => "submitted",
        BackupState::Running => "running",
        BackupState::Finished => "finished",
        BackupState::Failed => "failed",
        BackupState::Cancelled => "cancelled",
        BackupState::Expired => "expired",
        BackupState::Broken => "broken",
    }
}

/// Whether a job in state `s` has ended (finished, failed or cancelled).
pub fn has_ended(s: BackupState) -> bool {
    matches!(
        s,
        BackupState::Finished
            | BackupState::Failed
            | BackupState::Cancelled
            | BackupState::Expired
            | BackupState::Broken
    )
}

fn parse_state(s: &str) -> Option<BackupState> {
    Some(match s {
        "planned" => BackupState::Planned,
        "submitted" => BackupState::Submitted,
        "running" => BackupState::Running,
        "finished" => BackupState::Finished,
        "failed" => BackupState::Failed,
        "cancelled" => BackupState::Cancelled,
        "expired" => BackupState::Expired,
        "broken" => BackupState::Broken,
        _ => return None,
    })
}

/// A step about to be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmittedBackup {
    pub label: String,
    /// The backup set (defaults to the label); a set split into chunks has several labels.
    pub set: Option<String>,
    pub chunk_index: u32,
    pub chunk_count: u32,
    pub group: String,
    pub database: String,
    pub kind: BackupKind,
    /// The set this incremental builds on.
    pub parent: Option<String>,
    pub repository: String,
    pub plan_fingerprint: String,
    pub step_id: String,
    pub run_id: String,
    /// Schema fingerprints of the tables in the backup (table → fingerprint).
    pub schemas: BTreeMap<String, String>,
    /// Kind and partitioning of each object, as observed at submit time.
    pub objects: BTreeMap<String, BackedUpObject>,
    /// The user-defined functions the backup holds (names).
    pub functions: Vec<String>,
    /// The external catalogs a catalog backup holds (names; its database is empty).
    pub catalogs: Vec<String>,
}

/// A job state StarRocks reported (SHOW BACKUP `State`), with its Status when not OK.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub run_id: String,
    /// StarRocks's job state text: PENDING, SNAPSHOTING, UPLOADING, …
    pub job_state: String,
    /// StarRocks's `Status` column, when it says more than `[OK]`.
    pub status: Option<String>,
}

/// One partition a snapshot holds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ManifestRow {
    pub database: String,
    pub table: String,
    pub partition: String,
    pub partition_id: i64,
    pub visible_version: i64,
    pub rows: Option<i64>,
    pub data_size: Option<i64>,
}

/// What FINISHED brings: the snapshot's timestamp (SHOW SNAPSHOT) and its partitions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinishedBackup {
    pub run_id: String,
    pub snapshot_timestamp: String,
    /// StarRocks's `backup_time` (epoch ms, SHOW SNAPSHOT's detail form), when shown.
    pub backup_time_ms: Option<i64>,
    pub manifest: Vec<ManifestRow>,
    /// Per table of the manifest whose state after the set apply proved: the
    /// `partitions_digest` a restore of the set would bring back (`digests.rs`).
    pub state_digests: BTreeMap<String, String>,
}

/// One backup as the history holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupEntry {
    pub label: String,
    pub set: String,
    pub chunk_index: u32,
    pub chunk_count: u32,
    pub group: String,
    pub database: String,
    pub kind: BackupKind,
    pub parent: Option<String>,
    pub repository: String,
    pub snapshot_timestamp: Option<String>,
    pub plan_fingerprint: String,
    pub step_id: String,
    pub run_id: String,
    pub state: BackupState,
    pub job_state: Option<String>,
    pub status: Option<String>,
    pub task_err_msg: Option<String>,
    pub schemas: BTreeMap<String, String>,
    /// Kind and partitioning per object (empty for history written before schema 2).
    pub objects: BTreeMap<String, BackedUpObject>,
    pub functions: Vec<String>,
    /// External catalogs (a catalog backup).
    pub catalogs: Vec<String>,
    /// StarRocks's `backup_time` of the finished snapshot (epoch ms).
    pub backup_time_ms: Option<i64>,
    pub partition_count: Option<i64>,
    pub data_size: Option<i64>,
    pub submitted_ms: EpochMillis,
    pub updated_ms: EpochMillis,
    pub finished_ms: Option<EpochMillis>,
}

/// Which backups `starsnap history` lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub group: Option<String>,
    pub database: Option<String>,
    /// The backups of one plan (resume: which steps of this plan already ran).
    pub plan_fingerprint: Option<String>,
    pub limit: Option<u64>,
}

/// One `backup_partitions` row, read by column name.
pub(super) fn manifest_row(r: &crate::row::NamedRow<'_>) -> Result<ManifestRow, RuntimeError> {
    Ok(ManifestRow {
        database: r.text("database_name")?.to_string(),
        table: r.text("table_name")?.to_string(),
        partition: r.text("partition_name")?.to_string(),
        partition_id: r.i64("partition_id")?,
        visible_version: r.i64("visible_version")?,
        rows: r.opt_i64("row_count")?,
        data_size: r.opt_i64("data_size")?,
    })
}

pub(super) fn backup_id(repository: &str, label: &str) -> String {
    digest(&["starsnap-backup", repository, label])
}

impl StateStore {
    /// Records a step as submitted. Call it *before* sending the statement. Refuses a label
    /// that already finished (a snapshot is never submitted twice).
    pub fn record_submitted(&mut self, b: &SubmittedBackup) -> Result<(), RuntimeError> {
        super::check_run_id(&b.run_id)?;
        if let Some(existing) = self.backup(&b.repository, &b.label)? {
            if existing.state == BackupState::Finished {
                return Err(RuntimeError::StateConflict {
                    message: format!(
                        "backup `{}` in repository `{}` already finished; it is never submitted twice",
                        b.label, b.repository
                    ),
                });
            }
        }
        let now = self.clock.now_ms();
        let entry = BackupEntry {
            label: b.label.clone(),
            set: b.set.clone().unwrap_or_else(|| b.label.clone()),
            chunk_index: b.chunk_index,
            chunk_count: b.chunk_count,
            group: b.group.clone(),
            database: b.database.clone(),
            kind: b.kind,
            parent: b.parent.clone(),
            repository: b.repository.clone(),
            snapshot_timestamp: None,
            plan_fingerprint: b.plan_fingerprint.clone(),
            step_id: b.step_id.clone(),
            run_id: b.run_id.clone(),
            state: BackupState::Submitted,
            job_state: None,
            status: None,
            task_err_msg: None,
            schemas: b.schemas.clone(),
            objects: b.objects.clone(),
            functions: b.functions.clone(),
            catalogs: b.catalogs.clone(),
            backup_time_ms: None,
            partition_count: None,
            data_size: None,
            submitted_ms: now,
            updated_ms: now,
            finished_ms: None,
        };
        // The objects first, so a recorded backup always has them.
        let objects = BackupObjects {
            schemas: entry.schemas.clone(),
            objects: entry.objects.clone(),
            functions: entry.functions.clone(),
            catalogs: entry.catalogs.clone(),
        };
        self.write_objects(&backup_id(&b.repository, &b.label), &objects)?;
        self.write_backup(&entry)?;
        self.journal_backup(&b.run_id, &entry, "submitted", None)
    }

    /// Records a job state StarRocks reported; the backup becomes `running`.
    pub fn record_transition(
        &mut self,
        repository: &str,
        label: &str,
        t: &Transition,
    ) -> Result<(), RuntimeError> {
        let mut e = self.require_backup(repository, label)?;
        refuse_if_ended(&e, "a job state")?;
        e.state = BackupState::Running;
        e.job_state = Some(t.job_state.clone());
        e.status = t.status.as_deref().map(|s| self.redact(s));
        e.updated_ms = self.clock.now_ms();
        self.write_backup(&e)?;
        self.journal_backup(&t.run_id, &e, "transition", e.status.clone().as_deref())
    }

    /// Records FINISHED: manifest first, then the row with its snapshot timestamp.
    pub fn record_finished(
        &mut self,
        repository: &str,
        label: &str,
        f: &FinishedBackup,
    ) -> Result<(), RuntimeError> {
        let mut e = self.require_backup(repository, label)?;
        let id = backup_id(repository, label);
        self.write_manifest(&id, &f.manifest, &f.state_digests)?;
        if let Some(ms) = f.backup_time_ms {
            self.write_backup_time(&id, ms)?;
        }
        let now = self.clock.now_ms();
        e.state = BackupState::Finished;
        e.backup_time_ms = f.backup_time_ms.or(e.backup_time_ms);
        e.job_state = Some("FINISHED".into());
        e.snapshot_timestamp = Some(f.snapshot_timestamp.clone());
        e.partition_count = Some(f.manifest.len() as i64);
        e.data_size = f
            .manifest
            .iter()
            .map(|m| m.data_size)
            .try_fold(0i64, |acc, s| s.map(|s| acc.saturating_add(s)));
        e.updated_ms = now;
        e.finished_ms = Some(now);
        self.write_backup(&e)?;
        let msg = format!(
            "snapshot {} with {} partitions",
            f.snapshot_timestamp,
            f.manifest.len()
        );
        self.journal_backup(&f.run_id, &e, "finished", Some(&msg))
    }

    /// Replaces backup `id`'s manifest rows and their per-table digests (`states`: the
    /// proven state digests after the set).
    fn write_manifest(
        &mut self,
        id: &str,
        manifest: &[ManifestRow],
        states: &BTreeMap<String, String>,
    ) -> Result<(), RuntimeError> {
        let manifests = self.table(MANIFESTS.name);
        let delete = format!(
            "DELETE FROM {manifests} WHERE {}",
            sql::conjunction(&[("backup_id", Val::text(id))])
        );
        self.conn.execute(&delete)?;
        let rows: Vec<Vec<Val>> = manifest
            .iter()
            .map(|m| {
                vec![
                    Val::text(id),
                    Val::Int(m.partition_id),
                    Val::text(&m.database),
                    Val::text(&m.table),
                    Val::text(&m.partition),
                    Val::Int(m.visible_version),
                    Val::opt_int(m.rows),
                    Val::opt_int(m.data_size),
                ]
            })
            .collect();
        self.upsert_rows(&manifests, &MANIFESTS.column_names(), &rows)?;
        self.write_table_digests(id, manifest, states)
    }

    /// Records a finished backup rebuilt from the repository's set manifest (`starsnap init
    /// --from-repository`): objects, manifest and backup time first, then the row as it
    /// was (its times kept, so chains order as they did). Refuses a label already recorded.
    pub fn record_imported(
        &mut self,
        e: &BackupEntry,
        manifest: &[ManifestRow],
    ) -> Result<(), RuntimeError> {
        super::check_run_id(&e.run_id)?;
        if self.backup(&e.repository, &e.label)?.is_some() {
            return Err(RuntimeError::StateConflict {
                message: format!(
                    "backup `{}` in repository `{}` is already recorded",
                    e.label, e.repository
                ),
            });
        }
        let id = backup_id(&e.repository, &e.label);
        let objects = BackupObjects {
            schemas: e.schemas.clone(),
            objects: e.objects.clone(),
            functions: e.functions.clone(),
            catalogs: e.catalogs.clone(),
        };
        self.write_objects(&id, &objects)?;
        self.write_manifest(&id, manifest, &BTreeMap::new())?;
        if let Some(ms) = e.backup_time_ms {
            self.write_backup_time(&id, ms)?;
        }
        self.write_backup(e)?;
        self.journal_backup(
            &e.run_id,
            e,
            "imported",
            Some("from the repository's set manifest"),
        )
    }

    /// Records a job that ended without a snapshot, with StarRocks's Status and TaskErrMsg.
    pub fn record_failed(
        &mut self,
        repository: &str,
        label: &str,
        run_id: &str,
        cancelled: bool,
        status: Option<&str>,
        task_err_msg: Option<&str>,
    ) -> Result<(), RuntimeError> {
        let mut e = self.require_backup(repository, label)?;
        if e.state == BackupState::Finished {
            refuse_if_ended(&e, "a failure")?;
        }
        let now = self.clock.now_ms();
        e.state = if cancelled {
            BackupState::Cancelled
        } else {
            BackupState::Failed
        };
        if cancelled {
            e.job_state = Some("CANCELLED".into());
        }
        e.status = status.map(|s| self.redact(s));
        e.task_err_msg = task_err_msg.map(|s| self.redact(s));
        e.updated_ms = now;
        e.finished_ms = Some(now);
        self.write_backup(&e)?;
        let msg = [e.status.as_deref(), e.task_err_msg.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
        self.journal_backup(run_id, &e, state_str(e.state), Some(&msg))
    }

    /// One backup, if recorded.
    pub fn backup(
        &mut self,
        repository: &str,
        label: &str,
    ) -> Result<Option<BackupEntry>, RuntimeError> {
        let q = sql::select(
            &self.table(BACKUPS.name),
            &BACKUPS.column_names(),
            &[("backup_id", Val::text(backup_id(repository, label)))],
            "",
            None,
        );
        let rs = self.conn.query(&q)?;
        let out = rs.iter().next().map(|r| backup_entry(&r)).transpose()?;
        let mut out: Vec<BackupEntry> = out.into_iter().collect();
        self.attach_facts(&mut out, None)?;
        Ok(out.pop())
    }

    /// Fills each entry's objects, functions and backup time from the schema-2 tables
    /// (two statements for any number of entries). An entry without object rows keeps the
    /// schemas version 1 stored inline.
    /// Attaches the snapshot times and the objects of `entries`; objects only of the
    /// backups `objects_of` names (`None`: of all).
    pub(super) fn attach_facts(
        &mut self,
        entries: &mut [BackupEntry],
        objects_of: Option<&BTreeSet<String>>,
    ) -> Result<(), RuntimeError> {
        let ids: Vec<String> = entries
            .iter()
            .map(|e| backup_id(&e.repository, &e.label))
            .collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let members: Vec<&str> = match objects_of {
            Some(set) => set.iter().map(String::as_str).collect(),
            None => refs.clone(),
        };
        let mut facts = self.read_facts_of(&refs, &members)?;
        for (e, id) in entries.iter_mut().zip(&ids) {
            let Some((objects, time)) = facts.remove(id) else {
                continue;
            };
            if !objects.is_empty() {
                e.schemas = objects.schemas;
                e.objects = objects.objects;
                e.functions = objects.functions;
                e.catalogs = objects.catalogs;
            }
            e.backup_time_ms = time.or(e.backup_time_ms);
        }
        Ok(())
    }

    fn require_backup(
        &mut self,
        repository: &str,
        label: &str,
    ) -> Result<BackupEntry, RuntimeError> {
        self.backup(repository, label)?
            .ok_or_else(|| RuntimeError::StateConflict {
                message: format!(
                    "backup `{label}` in repository `{repository}` was never recorded as submitted"
                ),
            })
    }

    /// Backups, newest first.
    pub fn list_backups(&mut self, f: &HistoryFilter) -> Result<Vec<BackupEntry>, RuntimeError> {
        let mut out = self.list_backup_rows(f)?;
        self.attach_facts(&mut out, None)?;
        Ok(out)
    }

    /// The recorded labels of one set (same group, database and repository) with their
    /// objects and snapshot times, or `None` while any label of the set is missing or not
    /// finished ([`crate::repo::sets::SetManifest::is_complete`]). Only the set's own entries get
    /// their facts attached, so a run that finishes a set's chunks one by one reads each
    /// chunk's objects once, not the whole history's at every chunk.
    pub fn finished_set(
        &mut self,
        group: &str,
        database: &str,
        repository: &str,
        set: &str,
    ) -> Result<Option<Vec<BackupEntry>>, RuntimeError> {
        let mut rows: Vec<BackupEntry> = self
            .list_backup_rows(&HistoryFilter {
                group: Some(group.to_string()),
                database: Some(database.to_string()),
                ..HistoryFilter::default()
            })?
            .into_iter()
            .filter(|e| e.set == set && e.repository == repository)
            .collect();
        if !crate::repo::sets::SetManifest::is_complete(&rows) {
            return Ok(None);
        }
        self.attach_facts(&mut rows, None)?;
        Ok(Some(rows))
    }

    /// Backups, newest first, without their snapshot times and objects
    /// ([`Self::attach_facts`]).
    pub(super) fn list_backup_rows(
        &mut self,
        f: &HistoryFilter,
    ) -> Result<Vec<BackupEntry>, RuntimeError> {
        let mut filter = Vec::new();
        if let Some(g) = &f.group {
            filter.push(("group_name", Val::text(g)));
        }
        if let Some(d) = &f.database {
            filter.push(("database_name", Val::text(d)));
        }
        if let Some(p) = &f.plan_fingerprint {
            filter.push(("plan_fingerprint", Val::text(p)));
        }
        let q = sql::select(
            &self.table(BACKUPS.name),
            &BACKUPS.column_names(),
            &filter,
            "submitted_ms DESC, label DESC",
            f.limit,
        );
        let rs = self.conn.query(&q)?;
        rs.iter()
            .map(|r| backup_entry(&r))
            .collect::<Result<Vec<_>, RuntimeError>>()
    }

    /// The partitions a backup holds, sorted by table, partition.
    pub fn manifest(
        &mut self,
        repository: &str,
        label: &str,
    ) -> Result<Vec<ManifestRow>, RuntimeError> {
        let q = sql::select(
            &self.table(MANIFESTS.name),
            &MANIFESTS.column_names(),
            &[("backup_id", Val::text(backup_id(repository, label)))],
            "",
            None,
        );
        let rs = self.conn.query(&q)?;
        let mut out = rs
            .iter()
            .map(|r| manifest_row(&r))
            .collect::<Result<Vec<_>, RuntimeError>>()?;
        out.sort_by(|a, b| {
            (&a.table, &a.partition, a.partition_id).cmp(&(&b.table, &b.partition, b.partition_id))
        });
        Ok(out)
    }

    /// The last successful chain of a group's database, oldest first: the latest finished
    /// full set, then each finished incremental whose parent is the set before it. Empty
    /// when no full backup finished.
    pub fn last_chain(
        &mut self,
        group: &str,
        database: &str,
    ) -> Result<Vec<BackupEntry>, RuntimeError> {
        let mut all = self.list_backups(&HistoryFilter {
            group: Some(group.to_string()),
            database: Some(database.to_string()),
            ..HistoryFilter::default()
        })?;
        all.retain(|b| b.state == BackupState::Finished);
        all.sort_by(|a, b| (a.submitted_ms, &a.label).cmp(&(b.submitted_ms, &b.label)));
        let Some(last_full) = all.iter().rev().find(|b| b.kind == BackupKind::Full) else {
            return Ok(Vec::new());
        };
        let full_set = last_full.set.clone();
        let start = all.iter().position(|b| b.set == full_set).unwrap_or(0);
        let mut chain: Vec<BackupEntry> = Vec::new();
        for b in all.into_iter().skip(start) {
            let joins = match chain.last() {
                None => true,
                Some(tip) => {
                    b.set == tip.set
                        || (b.kind == BackupKind::Incremental
                            && b.parent.as_deref() == Some(tip.set.as_str()))
                }
            };
            if joins {
                chain.push(b);
            }
        }
        Ok(chain)
    }

    pub(super) fn write_backup(&mut self, e: &BackupEntry) -> Result<(), RuntimeError> {
        // Since schema 2 the schemas are rows of `backup_objects` (written on submission).
        let schemas = "{}";
        let row = vec![
            Val::text(backup_id(&e.repository, &e.label)),
            Val::text(&e.label),
            Val::text(&e.set),
            Val::Int(i64::from(e.chunk_index)),
            Val::Int(i64::from(e.chunk_count)),
            Val::text(&e.group),
            Val::text(&e.database),
            Val::text(kind_str(e.kind)),
            Val::opt_text(e.parent.as_deref()),
            Val::text(&e.repository),
            Val::opt_text(e.snapshot_timestamp.as_deref()),
            Val::text(&e.plan_fingerprint),
            Val::text(&e.step_id),
            Val::text(&e.run_id),
            Val::text(state_str(e.state)),
            Val::opt_text(e.job_state.as_deref()),
            Val::opt_text(e.status.as_deref()),
            Val::opt_text(e.task_err_msg.as_deref()),
            Val::text(schemas),
            Val::opt_int(e.partition_count),
            Val::opt_int(e.data_size),
            Val::Int(e.submitted_ms),
            Val::Int(e.updated_ms),
            Val::opt_int(e.finished_ms),
        ];
        let stmt = sql::upsert(
            self.config.backend,
            &self.table(BACKUPS.name),
            &BACKUPS.column_names(),
            &[row],
        );
        self.conn.execute(&stmt)?;
        Ok(())
    }

    pub(super) fn journal_backup(
        &mut self,
        run_id: &str,
        e: &BackupEntry,
        kind: &str,
        message: Option<&str>,
    ) -> Result<(), RuntimeError> {
        let mut ev = Event::new(run_id, kind)
            .step(&e.step_id)
            .label(&e.label)
            .database(&e.database)
            .state(e.job_state.as_deref().unwrap_or(state_str(e.state)));
        if let Some(m) = message.filter(|m| !m.is_empty()) {
            ev = ev.message(m);
        }
        self.journal(ev)
    }
}

/// A job that ended does not go back to running, and a finished one does not fail.
fn refuse_if_ended(e: &BackupEntry, what: &str) -> Result<(), RuntimeError> {
    if has_ended(e.state) {
        return Err(RuntimeError::StateConflict {
            message: format!(
                "backup `{}` in repository `{}` already ended ({}); not recording {what}",
                e.label,
                e.repository,
                state_str(e.state)
            ),
        });
    }
    Ok(())
}

fn bad(column: &str, value: &str) -> RuntimeError {
    RuntimeError::StateData {
        table: BACKUPS.name.into(),
        message: format!("column `{column}` holds `{value}`"),
    }
}

fn backup_entry(r: &NamedRow<'_>) -> Result<BackupEntry, RuntimeError> {
    let kind = r.text("kind")?;
    let state = r.text("backup_state")?;
    let schemas_json = r.text("schemas_json")?;
    let schemas: BTreeMap<String, String> =
        serde_json::from_str(schemas_json).map_err(|_| bad("schemas_json", schemas_json))?;
    let small = |c: &str| -> Result<u32, RuntimeError> {
        let v = r.i64(c)?;
        u32::try_from(v).map_err(|_| bad(c, &v.to_string()))
    };
    Ok(BackupEntry {
        label: r.text("label")?.to_string(),
        set: r.text("set_name")?.to_string(),
        chunk_index: small("chunk_index")?,
        chunk_count: small("chunk_count")?,
        group: r.text("group_name")?.to_string(),
        database: r.text("database_name")?.to_string(),
        kind: parse_kind(kind).ok_or_else(|| bad("kind", kind))?,
        parent: r.get("parent_label")?.map(str::to_string),
        repository: r.text("repository")?.to_string(),
        snapshot_timestamp: r.get("snapshot_timestamp")?.map(str::to_string),
        plan_fingerprint: r.text("plan_fingerprint")?.to_string(),
        step_id: r.text("step_id")?.to_string(),
        run_id: r.text("run_id")?.to_string(),
        state: parse_state(state).ok_or_else(|| bad("backup_state", state))?,
        job_state: r.get("job_state")?.map(str::to_string),
        status: r.get("status_text")?.map(str::to_string),
        task_err_msg: r.get("task_err_msg")?.map(str::to_string),
        schemas,
        objects: BTreeMap::new(),
        functions: Vec::new(),
        catalogs: Vec::new(),
        backup_time_ms: None,
        partition_count: r.opt_i64("partition_count")?,
        data_size: r.opt_i64("data_size")?,
        submitted_ms: r.i64("submitted_ms")?,
        updated_ms: r.i64("updated_ms")?,
        finished_ms: r.opt_i64("finished_ms")?,
    })
}
