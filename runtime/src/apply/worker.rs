//! Scheduling the steps: those without a database first, in plan order, on the main
//! connection; then the rest in *lanes*: steps that depend on each other or share a database
//! run in one lane, in plan order (a backup set's chunks; a restore's jobs, checks and swap
//! across its scratch and live databases), and `parallel` lanes run at a time on threads
//! with their own cluster and state connections, each keeping its databases' leases alive.
//! A step whose dependency did not succeed is skipped; other lanes go on.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use starsnap_compiler::catalog::ObservedCatalog;
use starsnap_compiler::plan::{Action, Op, Plan, Step};

use super::driver::JobRef;
use super::env::{redact, substitute, EnvLookup};
use super::jobs::JobKind;
use super::retry::{with_store, Backoff, Link};
use super::{open_store, ApplyConfig, ApplyEvent, ApplyReport, Outcome, Sink, StepResult};
use crate::conn::Cluster;
use crate::error::RuntimeError;
use crate::state::lock::Lease;
use crate::state::{Clock, Event, StateStore};

/// Everything a run shares between its threads.
pub struct Run<'a> {
    pub plan: &'a Plan,
    pub config: &'a ApplyConfig,
    pub env: Arc<EnvLookup>,
    pub clock: Arc<dyn Clock>,
    pub sink: Sink,
    pub fresh: &'a ObservedCatalog,
    /// Step id → warning (a set manifest not written), reported with the step's result.
    pub warnings: Mutex<BTreeMap<String, String>>,
    /// Repositories already noted as unreachable this run.
    pub noted: Mutex<BTreeSet<String>>,
}

type Outcomes = Mutex<BTreeMap<String, Outcome>>;

/// One thread's working set: a cluster link, a state store, and the leases it keeps alive.
pub struct Ctx<'r, 's> {
    pub run: &'r Run<'r>,
    pub link: Link<'r>,
    pub store: &'s mut StateStore,
    pub leases: Vec<Lease>,
    renewed: Instant,
}

/// The steps (indices into the plan, in plan order) of each lane: steps with a database,
/// joined when one depends on another or both work in the same database.
pub fn lanes(plan: &Plan) -> Vec<Vec<usize>> {
    let n = plan.steps.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let union = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    let index: BTreeMap<&str, usize> = plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut by_db: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in plan.steps.iter().enumerate() {
        let Some(db) = s.database() else { continue };
        if let Some(&j) = by_db.get(db) {
            union(&mut parent, i, j);
        } else {
            by_db.insert(db, i);
        }
        for d in &s.depends_on {
            if let Some(&j) = index.get(d.as_str()) {
                if plan.steps[j].database().is_some() {
                    union(&mut parent, i, j);
                }
            }
        }
    }
    let mut lanes: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, s) in plan.steps.iter().enumerate() {
        if s.database().is_some() {
            let root = find(&mut parent, i);
            lanes.entry(root).or_default().push(i);
        }
    }
    lanes.into_values().collect()
}

impl<'r> Run<'r> {
    /// Runs every step; returns the report and the leases (renewed) to release.
    pub fn run(
        &self,
        store: &mut StateStore,
        mut leases: BTreeMap<String, Lease>,
    ) -> (ApplyReport, BTreeMap<String, Lease>) {
        let outcomes: Outcomes = Mutex::new(BTreeMap::new());
        let done_steps = self.journaled_steps(store);
        // Steps without a database (repositories, the external-catalog job's steps,
        // catalog-wide statements) come first, keeping every lease alive meanwhile: a catalog
        // job may outlast a lease's life.
        {
            let mut ctx = Ctx::new(self, store, leases.into_values().collect());
            for step in self.plan.steps.iter().filter(|s| s.database().is_none()) {
                let outcome = ctx.step(step, &outcomes, &done_steps);
                record(&outcomes, step, outcome);
            }
            leases = std::mem::take(&mut ctx.leases)
                .into_iter()
                .map(|l| (l.database.clone(), l))
                .collect();
        }
        let lanes = lanes(self.plan);
        let lane_count = lanes.len();
        let queue: Mutex<VecDeque<(Vec<usize>, Vec<Lease>)>> = Mutex::new(
            lanes
                .into_iter()
                .map(|steps| {
                    let mut held = Vec::new();
                    for &i in &steps {
                        if let Some(db) = self.plan.steps[i].database() {
                            held.extend(leases.remove(db));
                        }
                    }
                    (steps, held)
                })
                .collect(),
        );
        let returned: Mutex<BTreeMap<String, Lease>> = Mutex::new(leases);
        let threads = self.config.parallel.clamp(1, lane_count.max(1));
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| loop {
                    let next = lock(&queue).pop_front();
                    let Some((steps, held)) = next else { break };
                    for l in self.lane(&steps, held, &outcomes, &done_steps) {
                        lock(&returned).insert(l.database.clone(), l);
                    }
                });
            }
        });
        let outcomes = outcomes.into_inner().unwrap_or_else(|p| p.into_inner());
        let steps = self
            .plan
            .steps
            .iter()
            .map(|s| StepResult {
                step_id: s.id.clone(),
                action: s.action(),
                database: s.database().map(str::to_string),
                label: s.label().map(str::to_string),
                outcome: outcomes
                    .get(&s.id)
                    .cloned()
                    .unwrap_or_else(|| Outcome::Skipped("not reached".into())),
                warning: lock(&self.warnings).get(&s.id).cloned(),
            })
            .collect();
        let leases = returned.into_inner().unwrap_or_else(|p| p.into_inner());
        (
            ApplyReport {
                run_id: self.config.actor.run_id.clone(),
                steps,
            },
            leases,
        )
    }

    /// One lane's steps on a thread of its own.
    fn lane(
        &self,
        indices: &[usize],
        leases: Vec<Lease>,
        outcomes: &Outcomes,
        done_steps: &BTreeSet<String>,
    ) -> Vec<Lease> {
        let steps: Vec<&Step> = indices.iter().map(|&i| &self.plan.steps[i]).collect();
        let opened = {
            let mut backoff = Backoff::new(self.config.retry_deadline);
            loop {
                match open_store(self.config, self.env.as_ref(), self.clock.clone()) {
                    Err(e) if e.is_transient() && backoff.wait() => continue,
                    other => break other,
                }
            }
        };
        let mut store = match opened {
            Ok(s) => s,
            Err(e) => {
                for s in steps {
                    record(outcomes, s, Outcome::Failed(e.to_string()));
                }
                return leases;
            }
        };
        let mut ctx = Ctx::new(self, &mut store, leases);
        for step in steps {
            let outcome = ctx.step(step, outcomes, done_steps);
            record(outcomes, step, outcome);
        }
        std::mem::take(&mut ctx.leases)
    }

    /// Steps (other than backups, which the history tracks) an earlier run of this plan
    /// finished, from the journal.
    fn journaled_steps(&self, store: &mut StateStore) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if let Ok(events) = store.events_of_plan(&self.plan.fingerprint) {
            for e in events {
                if e.kind == "step_done" && e.message.as_deref() == Some(&self.plan.fingerprint) {
                    out.extend(e.step_id);
                }
            }
        }
        out
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn record(outcomes: &Outcomes, step: &Step, outcome: Outcome) {
    lock(outcomes).insert(step.id.clone(), outcome);
}

impl<'r, 's> Ctx<'r, 's> {
    fn new(run: &'r Run<'r>, store: &'s mut StateStore, leases: Vec<Lease>) -> Ctx<'r, 's> {
        Ctx {
            run,
            link: {
                let mut link = Link::new(
                    &run.config.cluster,
                    run.env.as_ref(),
                    run.config.retry_deadline,
                );
                link.interrupt = Some(run.config.interrupt.clone());
                link
            },
            store,
            leases,
            // The first check renews at once: time may have passed since the leases were
            // taken (a confirmation prompt).
            renewed: Instant::now()
                .checked_sub(run.config.lock_ttl)
                .unwrap_or_else(Instant::now),
        }
    }

    pub fn emit(
        &self,
        kind: &'static str,
        step: &Step,
        state: Option<&str>,
        message: Option<&str>,
    ) {
        tracing::debug!(
            target: "starsnap::apply",
            step = %step.id,
            database = step.database().unwrap_or("-"),
            state = state.unwrap_or("-"),
            message = %crate::log::Redacted(message.unwrap_or("")),
            "{kind}"
        );
        (self.run.sink)(&ApplyEvent {
            kind,
            step_id: step.id.clone(),
            database: step.database().map(str::to_string),
            label: step.label().map(str::to_string),
            state: state.map(str::to_string),
            message: message.map(|m| self.run.config.redactor.redact(m)),
        });
    }

    /// A closure that reports each transient error as a `retry` event of `step`.
    pub fn retry_note(&self, step: &Step) -> impl FnMut(&RuntimeError) + 'static {
        self.retry_note_redacted(step, Vec::new())
    }

    /// [`Ctx::retry_note`] with `secrets` masked in the message (a dropped connection's
    /// error quotes the statement it was sending).
    pub fn retry_note_redacted(
        &self,
        step: &Step,
        secrets: Vec<String>,
    ) -> impl FnMut(&RuntimeError) + 'static {
        let sink = self.run.sink.clone();
        let redactor = self.run.config.redactor.clone();
        let (step_id, database, label) = (
            step.id.clone(),
            step.database().map(str::to_string),
            step.label().map(str::to_string),
        );
        move |e: &RuntimeError| {
            sink(&ApplyEvent {
                kind: "retry",
                step_id: step_id.clone(),
                database: database.clone(),
                label: label.clone(),
                state: None,
                message: Some(redactor.redact(&redact(&e.to_string(), &secrets))),
            })
        }
    }

    /// A state-store operation, retried over a reconnect when the connection breaks.
    pub fn state<T>(
        &mut self,
        f: &mut dyn FnMut(&mut StateStore) -> Result<T, RuntimeError>,
    ) -> Result<T, RuntimeError> {
        let config = self.run.config;
        let opts = config.state_server.as_ref().unwrap_or(&config.cluster);
        with_store(
            self.store,
            opts,
            self.run.env.as_ref(),
            config.retry_deadline,
            f,
        )
    }

    /// Whether the run was asked to stop (SIGINT/SIGTERM).
    pub fn interrupted(&self) -> bool {
        self.run.config.interrupt.load(Ordering::SeqCst)
    }

    /// Sleeps `d` in short slices, returning early on an interrupt.
    pub fn pause(&self, d: Duration) {
        let until = Instant::now() + d;
        while !self.interrupted() {
            let now = Instant::now();
            if now >= until {
                return;
            }
            std::thread::sleep((until - now).min(Duration::from_millis(20)));
        }
    }

    /// Renews the leases when a third of their life has passed.
    pub fn keep_lease(&mut self) -> Result<(), RuntimeError> {
        let every = self.run.config.lock_ttl / 3;
        if self.renewed.elapsed() < every || self.leases.is_empty() {
            return Ok(());
        }
        let mut leases = std::mem::take(&mut self.leases);
        let mut all_renewed = true;
        let mut lost = None;
        for lease in &mut leases {
            match self.state(&mut |s| s.renew_lock(lease)) {
                Ok(()) => {}
                Err(e @ RuntimeError::LockLost { .. }) => {
                    lost.get_or_insert(e);
                }
                // Tried again at the next poll; the lease has two thirds of its life left.
                Err(_) => all_renewed = false,
            }
        }
        self.leases = leases;
        if let Some(e) = lost {
            return Err(e);
        }
        if all_renewed {
            self.renewed = Instant::now();
        }
        Ok(())
    }

    /// Runs one step; its outcome's message is redacted.
    fn step(&mut self, step: &Step, outcomes: &Outcomes, done_steps: &BTreeSet<String>) -> Outcome {
        let started = Instant::now();
        let outcome = self.step_inner(step, outcomes, done_steps);
        tracing::info!(
            target: "starsnap::apply",
            step = %step.id,
            database = step.database().unwrap_or("-"),
            ms = crate::log::ms_since(started),
            outcome = outcome.name(),
            "step ended"
        );
        let r = &self.run.config.redactor;
        match outcome {
            Outcome::Failed(m) => Outcome::Failed(r.redact(&m)),
            Outcome::Skipped(m) => Outcome::Skipped(r.redact(&m)),
            Outcome::Interrupted(m) => Outcome::Interrupted(r.redact(&m)),
            o => o,
        }
    }

    fn step_inner(
        &mut self,
        step: &Step,
        outcomes: &Outcomes,
        done_steps: &BTreeSet<String>,
    ) -> Outcome {
        let blocked: Vec<&String> = {
            let o = lock(outcomes);
            step.depends_on
                .iter()
                .filter(|d| !o.get(*d).is_some_and(Outcome::succeeded))
                .collect()
        };
        if let Some(dep) = blocked.first() {
            let why = format!("depends on {dep}, which did not succeed");
            self.emit("skipped", step, None, Some(&why));
            return Outcome::Skipped(why);
        }
        if self.interrupted() {
            let why = "not started: the run was interrupted".to_string();
            self.emit("skipped", step, None, Some(&why));
            return Outcome::Skipped(why);
        }
        if let Err(e) = self.keep_lease() {
            let why = e.to_string();
            self.emit("failed", step, None, Some(&why));
            return Outcome::Failed(why);
        }
        self.emit("step_started", step, None, None);
        let outcome = match &step.op {
            Op::Backup(_) => self.backup(step),
            Op::Sql(q) if q.statement == Action::Backup => self.backup(step),
            _ if done_steps.contains(&step.id) => Outcome::AlreadyDone,
            Op::CreateRepository(_) => self.create_repository(step),
            Op::Restore(op) => self.restore(step, op),
            Op::RestoreCatalogs(op) => self.restore_catalogs(step, op),
            Op::Sql(q) if q.statement == Action::Restore => self.restore_sql(step),
            Op::Verify(op) => self.verify_step(step, op),
            Op::Swap(op) => self.swap(step, op),
            Op::Expire(op) => self.expire(step, op),
            _ => self.statement(step),
        };
        let tracked_by_history = step.backup().is_some()
            || matches!(&step.op, Op::Sql(q) if q.statement == Action::Backup);
        match &outcome {
            Outcome::Done => {
                if !tracked_by_history {
                    let run_id = self.run.config.actor.run_id.clone();
                    let fingerprint = self.run.plan.fingerprint.clone();
                    let ev = Event::new(&run_id, "step_done")
                        .step(&step.id)
                        .message(&fingerprint);
                    let ev = match step.database() {
                        Some(d) => ev.database(d),
                        None => ev,
                    };
                    // The journal entry only spares a re-run the statement; losing it is safe
                    // for idempotent steps and reported by the cluster for the others.
                    let _ = self.state(&mut |s| s.journal(ev.clone()));
                }
                let warning = lock(&self.run.warnings).get(&step.id).cloned();
                self.emit("done", step, None, warning.as_deref());
            }
            Outcome::AlreadyDone => {
                let warning = lock(&self.run.warnings).get(&step.id).cloned();
                self.emit("done_already", step, None, warning.as_deref());
            }
            Outcome::Failed(m) => self.emit("failed", step, None, Some(m)),
            Outcome::Skipped(m) => self.emit("skipped", step, None, Some(m)),
            Outcome::Interrupted(m) => self.emit("interrupted", step, None, Some(m)),
        }
        outcome
    }

    /// CREATE REPOSITORY with `${NAME}` substituted; a repository that already has the
    /// planned location (an earlier run of this plan made it) is done.
    fn create_repository(&mut self, step: &Step) -> Outcome {
        let Op::CreateRepository(op) = &step.op else {
            return Outcome::Failed("not a create_repository step".into());
        };
        let name = op.repository.clone();
        let planned = Some(op.location.clone());
        let exists = |c: &mut Cluster| -> Result<bool, RuntimeError> {
            let rs = c.query("SHOW REPOSITORIES")?;
            rs.require(&["RepoName", "Location"])?;
            for row in rs.iter() {
                if row.get("RepoName")? == Some(name.as_str()) {
                    return Ok(row.get("Location")?.map(str::to_string) == planned);
                }
            }
            Ok(false)
        };
        let mut exists = exists;
        let mut note = self.retry_note(step);
        match self.link.retry(&mut note, &mut exists) {
            Ok(true) => return Outcome::AlreadyDone,
            Ok(false) => {}
            Err(e) => return Outcome::Failed(e.to_string()),
        }
        match self.send(step) {
            Ok(()) => Outcome::Done,
            Err(e) => match self.link.retry(&mut note, &mut exists) {
                // Created by someone else at the same moment, with the same location.
                Ok(true) => Outcome::AlreadyDone,
                _ => Outcome::Failed(e),
            },
        }
    }

    /// A statement other than a BACKUP or RESTORE job: sent once.
    fn statement(&mut self, step: &Step) -> Outcome {
        match self.send(step) {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::Failed(e),
        }
    }

    /// A hand-written RESTORE: the same job driver as a planned one, found by its label.
    fn restore_sql(&mut self, step: &Step) -> Outcome {
        let (Some(database), Some(label)) = (step.database(), step.label()) else {
            return Outcome::Failed(format!(
                "restore step {} does not name its database and snapshot",
                step.id
            ));
        };
        let job = JobRef {
            kind: JobKind::Restore,
            database: database.to_string(),
            label: label.to_string(),
            timestamp: None,
        };
        self.restore_job(step, &job)
    }

    /// The statements a step sends, built from its typed op through the canonical printer
    /// (a hand-written step: its reviewed text), with `${NAME}` filled from the environment
    /// for the names the policy's repository properties declare — and only those — and the
    /// values used, to redact.
    pub fn built(&self, step: &Step) -> Result<(Vec<String>, Vec<String>), String> {
        let allowed = &self.run.config.statement_env;
        let wanted = step.env();
        if let Some(name) = wanted.iter().find(|n| !allowed.contains(*n)) {
            return Err(format!(
                "step {} references ${{{name}}}, which no repository property of the policy names; apply substitutes only those",
                step.id
            ));
        }
        if let Op::Sql(_) = &step.op {
            let sub =
                substitute(&step.sql, &wanted, self.run.env.as_ref()).map_err(|e| e.to_string())?;
            return Ok((vec![sub.sql], sub.secrets));
        }
        let mut secrets = Vec::new();
        let mut missing = None;
        let lookup = |name: &str| -> Option<String> { (self.run.env)(name) };
        for name in &wanted {
            match lookup(name) {
                Some(v) if !v.is_empty() => secrets.push(v),
                Some(_) => {}
                None => missing = Some(name.clone()),
            }
        }
        if let Some(name) = missing {
            return Err(super::ApplyError::MissingEnv { name }.to_string());
        }
        let resolve = |name: &str| -> Option<String> {
            if wanted.iter().any(|w| w == name) {
                lookup(name)
            } else {
                None
            }
        };
        Ok((
            step.op.statements(self.run.plan.dialect(), &resolve),
            secrets,
        ))
    }

    /// Sends a step's statements, built from its op; errors quote the plan's text and never
    /// a substituted value.
    fn send(&mut self, step: &Step) -> Result<(), String> {
        let (statements, secrets) = self.built(step)?;
        for sql in statements {
            let mut note = self.retry_note_redacted(step, secrets.clone());
            let out = self.link.retry(&mut note, &mut |c| c.execute(&sql));
            out.map(|_| ()).map_err(|e| {
                let text = match e {
                    RuntimeError::Server { message, code, .. } => {
                        format!(
                            "StarRocks refused step {}: {message} (error {code})",
                            step.id
                        )
                    }
                    other => other.to_string(),
                };
                redact(&text, &secrets)
            })?;
        }
        Ok(())
    }
}

/// The next poll interval: half as long again, capped.
pub fn next_pause(pause: Duration, cap: Duration) -> Duration {
    (pause * 3 / 2).min(cap)
}

/// StarRocks's Status and TaskErrMsg as one message.
pub fn cluster_message(status: Option<&str>, task: Option<&str>) -> String {
    match (status, task) {
        (Some(s), Some(t)) => format!("{s}; TaskErrMsg: {t}"),
        (Some(s), None) => s.to_string(),
        (None, Some(t)) => format!("TaskErrMsg: {t}"),
        (None, None) => "the job was cancelled without a message".to_string(),
    }
}
