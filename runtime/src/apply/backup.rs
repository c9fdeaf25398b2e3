//! One backup step: decide where it stands (`resume`), record it as submitted *before*
//! sending the planned BACKUP, poll `SHOW BACKUP` (capped backoff) recording every state
//! change, and on FINISHED record the snapshot's timestamp, manifest and parent; on
//! CANCELLED record StarRocks's Status and TaskErrMsg. Submission also records what each
//! object is (kind, partitioning, schema) and the functions; FINISHED also records
//! StarRocks's `backup_time` from SHOW SNAPSHOT's detail form. A label in the repository is never
//! submitted again.

use std::collections::{BTreeMap, BTreeSet};

use starsnap_compiler::catalog::{partitions_digest, BackedUpObject, Partition, TableKind};
use starsnap_compiler::plan::{ObjectKind, Step, StepObject};

use super::driver::{JobBook, JobRef, Sent};
use super::jobs::{snapshot_brief, snapshot_timestamps, JobKind, JobRow};
use super::resume::{standing, Standing};
use super::worker::{cluster_message, lock, Ctx};
use super::Outcome;
use crate::error::RuntimeError;
use crate::repo::sets::{FileManifest, SetManifest};
use crate::state::{
    BackupEntry, BackupKind, BackupState, FinishedBackup, ManifestRow, SubmittedBackup, Transition,
};

/// A recorded label of a set with its manifest rows.
type LabelRows = (BackupEntry, Vec<ManifestRow>);

struct Target {
    database: String,
    repository: String,
    label: String,
}

impl Target {
    fn job(&self) -> JobRef {
        JobRef {
            kind: JobKind::Backup,
            database: self.database.clone(),
            label: self.label.clone(),
            timestamp: None,
        }
    }
}

/// How a backup's life is recorded: in the history (`starsnap.backups`).
struct BackupBook<'a> {
    step: &'a Step,
    t: &'a Target,
}

impl BackupBook<'_> {
    fn fail(
        &self,
        ctx: &mut Ctx<'_, '_>,
        by_cluster: bool,
        status: Option<&str>,
        task: Option<&str>,
    ) -> Result<(), RuntimeError> {
        let run_id = ctx.run.config.actor.run_id.clone();
        let t = self.t;
        ctx.state(&mut |s| {
            s.record_failed(&t.repository, &t.label, &run_id, by_cluster, status, task)
        })
    }

    /// FINISHED: the snapshot's timestamp from the repository, then the set recorded.
    fn record_finished(&self, ctx: &mut Ctx<'_, '_>) -> Result<Option<()>, RuntimeError> {
        let t = self.t;
        let mut note = ctx.retry_note(self.step);
        let ts = ctx.link.retry(&mut note, &mut |c| {
            snapshot_timestamps(c, &t.repository, &t.label)
        })?;
        let Some(ts) = ts.last() else {
            return Ok(None);
        };
        ctx.finish(self.step, t, ts.clone())?;
        Ok(Some(()))
    }
}

impl JobBook for BackupBook<'_> {
    fn transition(&mut self, ctx: &mut Ctx<'_, '_>, row: &JobRow) -> Result<(), RuntimeError> {
        if row.is_finished() || row.is_cancelled() {
            // Ends are recorded by `finished` and `cancelled`, with what they need.
            return Ok(());
        }
        let tr = Transition {
            run_id: ctx.run.config.actor.run_id.clone(),
            job_state: row.state.clone(),
            status: row.status_text().map(str::to_string),
        };
        let t = self.t;
        ctx.state(&mut |s| s.record_transition(&t.repository, &t.label, &tr))
    }

    fn finished(&mut self, ctx: &mut Ctx<'_, '_>) -> Result<Outcome, RuntimeError> {
        match self.record_finished(ctx)? {
            Some(()) => Ok(Outcome::Done),
            None => Ok(Outcome::Failed(format!(
                "the job {} FINISHED but SHOW SNAPSHOT ON {} does not list it",
                self.t.label, self.t.repository
            ))),
        }
    }

    fn cancelled(
        &mut self,
        ctx: &mut Ctx<'_, '_>,
        row: Option<&JobRow>,
        by_us: bool,
    ) -> Result<Outcome, RuntimeError> {
        if by_us {
            let message = "cancelled by starsnap: the run was interrupted (SIGINT/SIGTERM)";
            self.fail(ctx, true, Some(message), None)?;
            ctx.emit("cancelled", self.step, Some("CANCELLED"), Some(message));
            return Ok(Outcome::Interrupted(message.into()));
        }
        let (status, task) = (
            row.and_then(JobRow::status_text),
            row.and_then(JobRow::task_message),
        );
        self.fail(ctx, true, status, task)?;
        Ok(Outcome::Failed(cluster_message(status, task)))
    }

    fn vanished(&mut self, ctx: &mut Ctx<'_, '_>) -> Result<Outcome, RuntimeError> {
        // StarRocks shows only a database's last job: a finished one may have been replaced.
        if self.record_finished(ctx)?.is_some() {
            return Ok(Outcome::Done);
        }
        let message = format!(
            "SHOW BACKUP FROM {} no longer shows {} and the repository does not hold it",
            self.t.database, self.t.label
        );
        self.fail(ctx, false, Some(&message), None)?;
        Ok(Outcome::Failed(message))
    }
}

impl<'r, 's> Ctx<'r, 's> {
    pub fn backup(&mut self, step: &Step) -> Outcome {
        // A backup of external catalogs has no database: its job is the cluster's one
        // catalog job (`DbName` empty, spec §2.2), which the driver finds as database "".
        let catalogs = !step.objects().is_empty()
            && step
                .objects()
                .iter()
                .all(|o| o.kind == ObjectKind::ExternalCatalog);
        let database = match step.database() {
            Some(d) => Some(d.to_string()),
            None if catalogs => Some(String::new()),
            None => None,
        };
        let (Some(database), Some(repository), Some(label)) = (
            database,
            step.repository().map(str::to_string),
            step.label().map(str::to_string),
        ) else {
            return Outcome::Failed(format!(
                "backup step {} lacks a database, repository or label",
                step.id
            ));
        };
        let t = Target {
            database,
            repository,
            label,
        };
        match self.run_backup(step, &t) {
            Ok(o) => o,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    fn run_backup(&mut self, step: &Step, t: &Target) -> Result<Outcome, RuntimeError> {
        let recorded = self.state(&mut |s| s.backup(&t.repository, &t.label))?;
        let mut note = self.retry_note(step);
        let found = self.link.retry(&mut note, &mut |c| {
            standing(c, recorded.as_ref(), &t.database, &t.repository, &t.label)
        })?;
        match found {
            Standing::Recorded => {
                // A resumed run writes the set's manifest again (it may have failed before).
                self.write_set_manifest(step, t);
                Ok(Outcome::AlreadyDone)
            }
            Standing::Unrecorded(ts) => {
                self.ensure_submitted(step, t, recorded.as_ref().map(|r| r.state))?;
                self.finish(step, t, ts)?;
                self.emit(
                    "recorded",
                    step,
                    Some("FINISHED"),
                    Some("finished while no one watched; recorded now"),
                );
                Ok(Outcome::AlreadyDone)
            }
            Standing::Running(row) => {
                self.ensure_submitted(step, t, recorded.as_ref().map(|r| r.state))?;
                self.emit("reattached", step, Some(&row.state), None);
                self.poll(step, t, recorded.and_then(|r| r.job_state), false)
            }
            Standing::Cancelled(row) => {
                if recorded.as_ref().is_some_and(|r| {
                    !matches!(r.state, BackupState::Failed | BackupState::Cancelled)
                }) {
                    let run_id = self.run.config.actor.run_id.clone();
                    self.state(&mut |s| {
                        s.record_failed(
                            &t.repository,
                            &t.label,
                            &run_id,
                            true,
                            row.status_text(),
                            row.task_message(),
                        )
                    })?;
                }
                self.submit(step, t)
            }
            Standing::NotStarted => self.submit(step, t),
        }
    }

    /// Makes sure the history has the step (a row lost with a state server restore, say).
    fn ensure_submitted(
        &mut self,
        step: &Step,
        t: &Target,
        recorded: Option<BackupState>,
    ) -> Result<(), RuntimeError> {
        if recorded.is_some() {
            return Ok(());
        }
        let sub = self.submitted(step, t);
        self.state(&mut |s| s.record_submitted(&sub))
    }

    fn submitted(&self, step: &Step, t: &Target) -> SubmittedBackup {
        let db = self.run.fresh.database(&t.database);
        let schemas: BTreeMap<String, String> = step
            .objects()
            .iter()
            .filter_map(|o| {
                let table = db.and_then(|d| d.table(&o.name))?;
                Some((o.name.clone(), table.schema_fingerprint.clone()))
            })
            .collect();
        // What each object is (kind, partitioning), from the same fresh catalog, so that a
        // table dropped later can still be restored the way it was (spec §9.2).
        let objects: BTreeMap<String, BackedUpObject> = step
            .objects()
            .iter()
            .filter_map(|o| {
                let seen = db.and_then(|d| d.table(&o.name));
                let kind = match (seen, o.kind) {
                    (Some(t), _) => t.kind,
                    (None, ObjectKind::Table) => TableKind::Olap,
                    (None, ObjectKind::MaterializedView) => TableKind::MaterializedView,
                    (None, ObjectKind::View) => TableKind::View,
                    (None, ObjectKind::Functions | ObjectKind::ExternalCatalog) => return None,
                };
                let partitioning = seen.and_then(|t| t.partitioning);
                Some((o.name.clone(), BackedUpObject { kind, partitioning }))
            })
            .collect();
        // `ALL FUNCTIONS`: the database's functions as observed (the step's object names
        // them joined for review when the catalog does not).
        let functions: Vec<String> = step
            .objects()
            .iter()
            .filter(|o| o.kind == ObjectKind::Functions)
            .flat_map(|o| match db.filter(|d| !d.functions.is_empty()) {
                Some(d) => d.functions.clone(),
                None => o
                    .name
                    .split(", ")
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
            .collect();
        SubmittedBackup {
            label: t.label.clone(),
            set: Some(
                step.backup()
                    .map_or_else(|| t.label.clone(), |b| b.set.clone()),
            ),
            chunk_index: step.chunk().map_or(1, |c| c.index),
            chunk_count: step.chunk().map_or(1, |c| c.count),
            group: step.group().unwrap_or_default().to_string(),
            database: t.database.clone(),
            kind: step.kind().unwrap_or(BackupKind::Full),
            parent: step.parent().map(str::to_string),
            repository: t.repository.clone(),
            plan_fingerprint: self.run.plan.fingerprint.clone(),
            step_id: step.id.clone(),
            run_id: self.run.config.actor.run_id.clone(),
            schemas,
            objects,
            functions,
            catalogs: step
                .objects()
                .iter()
                .filter(|o| o.kind == ObjectKind::ExternalCatalog)
                .map(|o| o.name.clone())
                .collect(),
        }
    }

    /// Records the step as submitted, then sends the planned statement exactly, through the
    /// job driver (a dropped connection is settled by SHOW BACKUP and SHOW SNAPSHOT before
    /// anything is sent again), and drives the job to its end.
    fn submit(&mut self, step: &Step, t: &Target) -> Result<Outcome, RuntimeError> {
        let (statements, secrets) = match self.built(step) {
            Ok(b) => b,
            Err(e) => return Ok(Outcome::Failed(e)),
        };
        let [sql] = statements.as_slice() else {
            return Ok(Outcome::Failed(format!(
                "backup step {} does not build exactly one statement",
                step.id
            )));
        };
        let job = t.job();
        let mut note = self.retry_note(step);
        let before = self.link.retry(&mut note, &mut |c| job.id_before(c))?;
        let sub = self.submitted(step, t);
        self.state(&mut |s| s.record_submitted(&sub))?;
        let sent = self.send_job(step, &job, sql, &secrets, before.as_deref(), &mut |c| {
            Ok(!snapshot_timestamps(c, &t.repository, &t.label)?.is_empty())
        })?;
        match sent {
            Sent::Accepted => {}
            Sent::Unknown(message) => return Ok(Outcome::Failed(message)),
            Sent::Refused(message) => {
                let run_id = self.run.config.actor.run_id.clone();
                self.state(&mut |s| {
                    s.record_failed(
                        &t.repository,
                        &t.label,
                        &run_id,
                        false,
                        Some(&message),
                        None,
                    )
                })?;
                return Ok(Outcome::Failed(message));
            }
        }
        self.emit("submitted", step, None, None);
        self.poll(step, t, None, true)
    }

    /// Drives the job to its end (see [`super::driver`]), the history recording every state.
    fn poll(
        &mut self,
        step: &Step,
        t: &Target,
        last: Option<String>,
        ours: bool,
    ) -> Result<Outcome, RuntimeError> {
        let job = t.job();
        let mut book = BackupBook { step, t };
        self.drive(step, &job, &mut book, last, ours)
    }

    /// Records FINISHED with the snapshot's timestamp and its manifest.
    fn finish(&mut self, step: &Step, t: &Target, ts: String) -> Result<(), RuntimeError> {
        let mut manifest = self.manifest(step, &t.database);
        let mut note = self.retry_note(step);
        let brief = self.link.retry(&mut note, &mut |c| {
            snapshot_brief(c, &t.repository, &t.label, &ts)
        })?;
        let backup_time_ms = brief.as_ref().and_then(|b| b.backup_time_ms);
        if let Some(held) = brief.and_then(|b| b.partitions) {
            // Only what the snapshot holds; a table the brief does not list is kept as
            // planned (the brief is a summary, not the contract).
            manifest.retain(|m| {
                held.get(&m.table)
                    .is_none_or(|parts| parts.contains(&m.partition))
            });
        }
        // Exact row counts at the snapshot's version, for restore verification (spec §9.3:
        // partitions_meta's ROW_COUNT lags, so it is never recorded), whatever the set's
        // size: many partitions per statement (`crate::counts`). A count that fails leaves
        // its partitions without rows (verified by version, partition set and schema); it
        // never fails the backup, whose snapshot is safe.
        let mut note = self.retry_note(step);
        let counted = self
            .link
            .retry(&mut note, &mut |c| exact_rows(c, &t.database, &manifest));
        if let Ok(rows) = counted {
            for (m, r) in manifest.iter_mut().zip(rows) {
                m.rows = r;
            }
        }
        let state_digests = self.state_digests(step, &t.database, &manifest);
        let f = FinishedBackup {
            run_id: self.run.config.actor.run_id.clone(),
            snapshot_timestamp: ts.clone(),
            backup_time_ms,
            manifest,
            state_digests,
        };
        self.state(&mut |s| s.record_finished(&t.repository, &t.label, &f))?;
        self.emit(
            "finished",
            step,
            Some("FINISHED"),
            Some(&format!("snapshot {ts}, {} partitions", f.manifest.len())),
        );
        self.write_set_manifest(step, t);
        Ok(())
    }

    /// Once every label of the step's set finished, writes the set's manifest into the
    /// repository (`__starsnap/sets/<set>.json`; idempotent). A failure does not fail the
    /// backup, whose snapshot is safe: it is a `warning` event and the step's warning, and
    /// the next run of the plan writes it again. A repository starsnap cannot reach is
    /// noted once per run.
    fn write_set_manifest(&mut self, step: &Step, t: &Target) {
        let set = step
            .backup()
            .map_or_else(|| t.label.clone(), |b| b.set.clone());
        let warn = |ctx: &Self, message: String| {
            let message = ctx.run.config.redactor.redact(&message);
            ctx.emit("warning", step, None, Some(&message));
            lock(&ctx.run.warnings).insert(step.id.clone(), message);
        };
        let labels = match self.set_labels(step, t, &set) {
            Ok(Some(l)) => l,
            Ok(None) => return, // other chunks of the set are still to run
            Err(e) => {
                warn(self, format!("set manifest of `{set}` not written: {e}"));
                return;
            }
        };
        let Some(manifest) = SetManifest::from_entries(&labels) else {
            return;
        };
        let Some(access) = self.run.config.repositories.get(&t.repository) else {
            self.note_once(step, &t.repository, "the policy does not describe it");
            return;
        };
        let location = self
            .run
            .fresh
            .repositories
            .iter()
            .find(|r| r.name == t.repository)
            .map(|r| r.location.as_str());
        if let Some(why) = access.unreachable(location.unwrap_or(&access.location)) {
            self.note_once(step, &t.repository, &why);
            return;
        }
        let mut manifest = manifest;
        let written = {
            let env = |n: &str| (self.run.env)(n);
            access.open(&t.repository, location, &env).and_then(|repo| {
                // The inventory `verify` checks sizes against, listed now.
                for l in &mut manifest.labels {
                    let dir = crate::repo::layout::snapshot_dir(repo.root(), &l.label);
                    l.files =
                        repo.snapshot_objects(&l.label)
                            .map_err(|e| e.to_string())?
                            .into_iter()
                            .map(|o| FileManifest {
                                path: o.key.strip_prefix(&dir).map_or(o.key.clone(), |r| {
                                    r.trim_start_matches('/').to_string()
                                }),
                                size: o.size,
                            })
                            .collect();
                }
                let bytes = manifest.to_json()?;
                repo.put_set_manifest(&set, &bytes)
                    .map_err(|e| e.to_string())
            })
        };
        if let Err(e) = written {
            warn(
                self,
                format!(
                    "set manifest of `{set}` not written to repository `{}` (the backup itself finished; the next apply writes it): {e}",
                    t.repository
                ),
            );
        }
    }

    /// Every recorded label of set `set` (same group, database, repository), with its
    /// manifest; `None` while other labels of the set are still to finish (then no
    /// manifest is read).
    fn set_labels(
        &mut self,
        step: &Step,
        t: &Target,
        set: &str,
    ) -> Result<Option<Vec<LabelRows>>, RuntimeError> {
        let group = step.group().unwrap_or_default().to_string();
        let Some(entries) =
            self.state(&mut |s| s.finished_set(&group, &t.database, &t.repository, set))?
        else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let rows = self.state(&mut |s| s.manifest(&e.repository, &e.label))?;
            out.push((e, rows));
        }
        Ok(Some(out))
    }

    /// A `note` event, once per run and repository.
    fn note_once(&self, step: &Step, repository: &str, why: &str) {
        if lock(&self.run.noted).insert(repository.to_string()) {
            let message = format!(
                "no set manifests are written to repository `{repository}`: {why}; `init --from-repository` cannot rebuild its history"
            );
            self.emit("note", step, None, Some(&message));
        }
    }

    /// Per table of `manifest`, the `partitions_digest` of the table after the step's set
    /// (what a restore of the set brings back), where the plan proves it — so that the next
    /// plan reads this table's manifest rows only if the cluster's digest differs:
    ///
    /// * the snapshot holds the whole table (a full, or a table backed up whole): its rows
    ///   must have the digest the plan observed for the table;
    /// * an incremental holds exactly the partitions the step lists: the planner made it only
    ///   with every partition of the chain still there under the same id, so the chain's state
    ///   after it is the table the plan observed.
    ///
    /// A table split between chunks of a full, or trimmed by the snapshot, is left out
    /// (unknown: the next plan reads its rows).
    fn state_digests(
        &self,
        step: &Step,
        database: &str,
        manifest: &[ManifestRow],
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(b) = step.backup() else {
            return out;
        };
        let observed: BTreeMap<(&str, &str), &str> = self
            .run
            .plan
            .observed
            .tables
            .iter()
            .map(|t| {
                (
                    (t.database.as_str(), t.table.as_str()),
                    t.partitions_digest.as_str(),
                )
            })
            .collect();
        let objects: BTreeMap<&str, &StepObject> = step
            .objects()
            .iter()
            .map(|o| (o.name.as_str(), o))
            .collect();
        let mut by_table: BTreeMap<&str, Vec<&ManifestRow>> = BTreeMap::new();
        for m in manifest {
            by_table.entry(m.table.as_str()).or_default().push(m);
        }
        for (table, rows) in by_table {
            let (Some(planned), Some(o)) = (observed.get(&(database, table)), objects.get(table))
            else {
                continue;
            };
            let proven = if o.partitions.is_empty() || b.kind == BackupKind::Full {
                let parts: Vec<Partition> = rows
                    .iter()
                    .map(|m| Partition {
                        name: m.partition.clone(),
                        id: m.partition_id,
                        visible_version: m.visible_version,
                        visible_version_time: None,
                        rows: None,
                        data_size: None,
                    })
                    .collect();
                partitions_digest(&parts) == *planned
            } else {
                let held: BTreeSet<(&str, i64, i64)> = rows
                    .iter()
                    .map(|m| (m.partition.as_str(), m.partition_id, m.visible_version))
                    .collect();
                let listed: BTreeSet<(&str, i64, i64)> = o
                    .partitions
                    .iter()
                    .map(|p| (p.name.as_str(), p.id, p.visible_version))
                    .collect();
                held.len() == rows.len() && held == listed
            };
            if proven {
                out.insert(table.to_string(), (*planned).to_string());
            }
        }
        out
    }

    /// The partitions the snapshot holds: those the step lists with their planned ids and
    /// versions, or — for a whole-table backup — every partition of the table as observed
    /// before the job (the staleness check proved it equal to what the plan saw).
    fn manifest(&self, step: &Step, database: &str) -> Vec<ManifestRow> {
        let db = self.run.fresh.database(database);
        let mut out = Vec::new();
        for o in step.objects() {
            if !matches!(o.kind, ObjectKind::Table | ObjectKind::MaterializedView) {
                continue;
            }
            let table = db.and_then(|d| d.table(&o.name));
            if o.partitions.is_empty() {
                for p in table.map(|t| t.partitions.as_slice()).unwrap_or_default() {
                    out.push(ManifestRow {
                        database: database.to_string(),
                        table: o.name.clone(),
                        partition: p.name.clone(),
                        partition_id: p.id,
                        visible_version: p.visible_version,
                        rows: None,
                        data_size: p.data_size,
                    });
                }
                continue;
            }
            for p in &o.partitions {
                let seen = table.and_then(|t| t.partitions.iter().find(|c| c.id == p.id));
                out.push(ManifestRow {
                    database: database.to_string(),
                    table: o.name.clone(),
                    partition: p.name.clone(),
                    partition_id: p.id,
                    visible_version: p.visible_version,
                    rows: None,
                    data_size: seen.and_then(|c| c.data_size),
                });
            }
        }
        out.sort();
        out
    }
}

/// `COUNT(*)` of each manifest partition whose visible version is still the snapshot's (so
/// the count is the snapshot's); `None` for a partition that moved since (unknown) or whose
/// counting statement the server refused. Many partitions per statement (`crate::counts`).
///
/// The versions are read before and after counting, and a count is kept only where both
/// reads show the snapshot's partition (same id, same visible version): counting 365,000
/// partitions takes seconds, and a load committed meanwhile would otherwise record a count of
/// a later version than the snapshot's, which a restore's verification would then hold
/// against a correct copy.
fn exact_rows(
    c: &mut crate::conn::Cluster,
    database: &str,
    manifest: &[ManifestRow],
) -> Result<Vec<Option<i64>>, RuntimeError> {
    if manifest.is_empty() {
        return Ok(Vec::new());
    }
    let tables: std::collections::BTreeSet<&str> =
        manifest.iter().map(|m| m.table.as_str()).collect();
    let before = partition_versions(c, database, &tables)?;
    let same: Vec<usize> = (0..manifest.len())
        .filter(|&i| at_snapshot(&before, &manifest[i]))
        .collect();
    if same.is_empty() {
        return Ok(vec![None; manifest.len()]);
    }
    let targets: Vec<crate::counts::Target<'_>> = same
        .iter()
        .map(|&i| crate::counts::Target {
            table: &manifest[i].table,
            partition: &manifest[i].partition,
        })
        .collect();
    let counted = crate::counts::count(c, database, &targets)?;
    let after = partition_versions(c, database, &tables)?;
    Ok(snapshot_counts(manifest, &same, counted.rows, &after))
}

/// Per partition, keyed by table and partition name: its id and visible version.
type PartitionVersions = BTreeMap<(String, String), (i64, i64)>;

/// Per partition of `tables` in `database`: its id and visible version, keyed by table and
/// partition name. The set's tables' partitions in one statement, however many tables the set
/// holds (and only theirs: a database may hold a million partitions).
fn partition_versions(
    c: &mut crate::conn::Cluster,
    database: &str,
    tables: &std::collections::BTreeSet<&str>,
) -> Result<PartitionVersions, RuntimeError> {
    use starsnap_compiler::syntax::quote_string;
    let mut query = format!(
        "SELECT TABLE_NAME, PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION \
         FROM information_schema.partitions_meta WHERE DB_NAME = {}",
        quote_string(database)
    );
    if tables.len() <= crate::inspect::SCOPE_TABLES_MAX {
        let names: Vec<String> = tables.iter().map(|t| quote_string(t)).collect();
        query.push_str(&format!(" AND TABLE_NAME IN ({})", names.join(", ")));
    }
    let rs = c.query(&query)?;
    let mut versions = BTreeMap::new();
    for row in rs.iter() {
        let table = row.text("TABLE_NAME")?;
        if tables.contains(table) {
            versions.insert(
                (table.to_string(), row.text("PARTITION_NAME")?.to_string()),
                (row.i64("PARTITION_ID")?, row.i64("VISIBLE_VERSION")?),
            );
        }
    }
    Ok(versions)
}

/// Whether `versions` shows manifest row `m`'s partition as the snapshot holds it.
fn at_snapshot(versions: &PartitionVersions, m: &ManifestRow) -> bool {
    versions.get(&(m.table.clone(), m.partition.clone()))
        == Some(&(m.partition_id, m.visible_version))
}

/// The counts to record: `counted[k]` is the count of `manifest[same[k]]` (taken after its
/// version was seen to be the snapshot's), kept only if `after` still shows the snapshot's
/// partition.
fn snapshot_counts(
    manifest: &[ManifestRow],
    same: &[usize],
    counted: Vec<Option<i64>>,
    after: &PartitionVersions,
) -> Vec<Option<i64>> {
    let mut out = vec![None; manifest.len()];
    for (&i, rows) in same.iter().zip(counted) {
        if at_snapshot(after, &manifest[i]) {
            out[i] = rows;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(table: &str, partition: &str, id: i64, version: i64) -> ManifestRow {
        ManifestRow {
            database: "sales".into(),
            table: table.into(),
            partition: partition.into(),
            partition_id: id,
            visible_version: version,
            rows: None,
            data_size: None,
        }
    }

    fn versions(v: &[(&str, &str, i64, i64)]) -> PartitionVersions {
        v.iter()
            .map(|(t, p, id, ver)| ((t.to_string(), p.to_string()), (*id, *ver)))
            .collect()
    }

    /// A load committed while the partitions were being counted moves a version: that
    /// partition's count may be of the later version, so it is not recorded (a restore would
    /// hold it against a correct copy). Nor is one whose partition was replaced meanwhile.
    #[test]
    fn a_count_is_kept_only_where_the_snapshot_version_held_before_and_after() {
        let manifest = [
            row("orders", "p1", 10, 3),
            row("orders", "p2", 11, 5),
            row("orders", "p3", 12, 2),
            row("items", "p1", 20, 7),
        ];
        let before = versions(&[
            ("orders", "p1", 10, 3),
            ("orders", "p2", 11, 5),
            ("orders", "p3", 12, 4),
            ("items", "p1", 20, 7),
        ]);
        let same: Vec<usize> = (0..manifest.len())
            .filter(|&i| at_snapshot(&before, &manifest[i]))
            .collect();
        assert_eq!(same, [0, 1, 3], "p3 had moved before counting");
        let after = versions(&[
            ("orders", "p1", 10, 3),
            ("orders", "p2", 11, 6),
            ("orders", "p3", 12, 4),
            ("items", "p1", 21, 7),
        ]);
        let counts = snapshot_counts(
            &manifest,
            &same,
            vec![Some(100), Some(200), Some(400)],
            &after,
        );
        assert_eq!(counts, [Some(100), None, None, None]);
        let unmoved = snapshot_counts(&manifest, &same, vec![Some(100), None, Some(400)], &before);
        assert_eq!(unmoved, [Some(100), None, None, Some(400)]);
    }
}
