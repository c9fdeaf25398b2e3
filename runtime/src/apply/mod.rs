//! The apply executor: runs a reviewed plan's steps against the cluster, Terraform-style
//! (DESIGN.md invariants 2, 3, 5, 6, 7, 9).
//!
//! [`Apply::prepare`] connects, creates or migrates the state, takes one lease per database
//! the plan touches — and one for the cluster's one external-catalog job when a step drives
//! it (`CATALOG_JOB_LEASE`) — (a held lease is [`RuntimeError::LockHeld`]), reads this plan's history
//! and re-observes the cluster: [`Apply::moved`] lists what moved since the plan was made
//! (`stale`), ignoring what this plan itself did in an earlier, interrupted run. The caller
//! (the CLI) refuses a stale plan or asks for confirmation, then calls [`Apply::execute`]
//! or [`Apply::abandon`].
//!
//! Execution (`worker`): steps without a database first, in plan order; then each
//! database's steps in plan order on its own connections, `parallel` databases at a time.
//! A backup step is recorded as submitted *before* its statement is sent, polled through
//! `SHOW BACKUP` with a capped backoff (every state change recorded), and recorded finished
//! with the snapshot's timestamp (`SHOW SNAPSHOT`), its manifest and its parent. Transient
//! errors are retried with reconnection within a deadline.
//!
//! Resume (`resume`): for each backup step, the history of this plan, `SHOW SNAPSHOT` and
//! `SHOW BACKUP` decide whether it is done, running (re-attached by its label), finished
//! while no one watched (recorded now) or not started. A label already in the repository is
//! never submitted again.

mod backup;
mod driver;
mod env;
mod expire;
mod jobs;
mod restore;
mod resume;
mod retry;
mod stale;
mod worker;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use starsnap_compiler::catalog::ObservedCatalog;
use starsnap_compiler::plan::{Action, Plan, Step};

use crate::conn::{Cluster, ConnectOptions};
use crate::error::RuntimeError;
use crate::inspect::InspectOptions;
use crate::state::lock::{Actor, Lease, LockRequest};
use crate::state::{BackupEntry, Clock, Event, HistoryFilter, Redactor, StateConfig, StateStore};

pub use env::{redact, substitute, EnvLookup, Substituted};
pub use jobs::{job, snapshot_timestamps, JobKind, JobRow};
pub use restore::{list_restores, restore_record, RestoreRecord};
pub use retry::Backoff;

/// How to run.
#[derive(Clone, Debug)]
pub struct ApplyConfig {
    pub cluster: ConnectOptions,
    /// Where the state lives: `None` = in the cluster, over `cluster`.
    pub state_server: Option<ConnectOptions>,
    pub state: StateConfig,
    /// Databases worked on at the same time (at least 1).
    pub parallel: usize,
    /// How long to wait for a held lease (`--lock-timeout`; zero: fail at once).
    pub lock_timeout: Duration,
    /// A lease's life without renewal; renewed every third of it.
    pub lock_ttl: Duration,
    /// The first poll interval; it grows by half each poll up to `poll_max`.
    pub poll_min: Duration,
    pub poll_max: Duration,
    /// How long transient errors of one operation are retried before the step fails.
    pub retry_deadline: Duration,
    /// Who runs (lease holder; history and journal rows).
    pub actor: Actor,
    /// Take over at once a lease whose holder is a process of this host that no longer
    /// runs (a run killed with SIGKILL), instead of waiting for it to expire.
    pub take_over_dead_local: bool,
    /// Set (by a signal handler) to stop: jobs this run submitted are cancelled, steps not
    /// started are skipped, the leases are released.
    pub interrupt: Arc<AtomicBool>,
    /// What the re-observation reads (the state database is skipped when it is in the
    /// cluster).
    pub inspect: InspectOptions,
    /// The environment variables apply may substitute into statements: those the policy's
    /// repository properties name. A plan referencing any other is refused.
    pub statement_env: BTreeSet<String>,
    /// Every configured secret value (the cluster's and the state server's passwords, the
    /// repositories' secret properties): masked in every event, outcome and state row, also
    /// when the cluster echoes one back in an error text.
    pub redactor: Redactor,
    /// How starsnap reaches each repository's storage (from the policy), to write the set
    /// manifests that make the repository self-describing. A repository not listed gets
    /// none (noted once).
    pub repositories: BTreeMap<String, crate::repo::RepositoryAccess>,
}

impl ApplyConfig {
    /// Defaults around a cluster, a state config and an actor.
    pub fn new(cluster: ConnectOptions, state: StateConfig, actor: Actor) -> ApplyConfig {
        let mut inspect = InspectOptions::default();
        inspect.skip_databases.insert(state.database.clone());
        ApplyConfig {
            cluster,
            state_server: None,
            state,
            parallel: 1,
            lock_timeout: Duration::ZERO,
            lock_ttl: Duration::from_secs(300),
            poll_min: Duration::from_millis(20),
            poll_max: Duration::from_secs(3),
            retry_deadline: Duration::from_secs(300),
            actor,
            take_over_dead_local: true,
            interrupt: Arc::new(AtomicBool::new(false)),
            inspect,
            statement_env: BTreeSet::new(),
            redactor: Redactor::default(),
            repositories: BTreeMap::new(),
        }
    }
}

/// What apply reports while it runs (the CLI draws progress or prints JSON lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyEvent {
    /// `step_started`, `submitted`, `reattached`, `state`, `finished`, `recorded`,
    /// `failed`, `skipped`, `done_already`, `retry`, `warning` (a set manifest not
    /// written), `note` (a repository starsnap cannot reach, once per run).
    pub kind: &'static str,
    pub step_id: String,
    pub database: Option<String>,
    pub label: Option<String>,
    /// StarRocks's job state, when known.
    pub state: Option<String>,
    pub message: Option<String>,
}

/// Receives [`ApplyEvent`]s, from several threads.
pub type Sink = Arc<dyn Fn(&ApplyEvent) + Send + Sync>;

/// How one step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done by this run.
    Done,
    /// Done by an earlier run of the same plan (history, or the repository).
    AlreadyDone,
    /// Failed; the message is StarRocks's (Status and TaskErrMsg) or the error.
    Failed(String),
    /// Not run because a step it depends on did not succeed, or the run was interrupted.
    Skipped(String),
    /// Stopped by an interrupt: the job this run submitted was cancelled (or, re-attached,
    /// left running).
    Interrupted(String),
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        matches!(self, Outcome::Done | Outcome::AlreadyDone)
    }

    /// The outcome's name, as logs and summaries say it.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::AlreadyDone => "already_done",
            Outcome::Failed(_) => "failed",
            Outcome::Skipped(_) => "skipped",
            Outcome::Interrupted(_) => "interrupted",
        }
    }
}

/// One step's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepResult {
    pub step_id: String,
    pub action: Action,
    pub database: Option<String>,
    pub label: Option<String>,
    pub outcome: Outcome,
    /// What went wrong besides the outcome (a set manifest not written), secrets masked.
    pub warning: Option<String>,
}

/// The run's results, in plan order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyReport {
    pub run_id: String,
    pub steps: Vec<StepResult>,
}

impl ApplyReport {
    pub fn failed(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| {
                matches!(
                    s.outcome,
                    Outcome::Failed(_) | Outcome::Skipped(_) | Outcome::Interrupted(_)
                )
            })
            .count()
    }

    /// Whether an interrupt stopped the run.
    pub fn interrupted(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s.outcome, Outcome::Interrupted(_)))
    }

    pub fn done(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| s.outcome == Outcome::Done)
            .count()
    }

    pub fn already_done(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| s.outcome == Outcome::AlreadyDone)
            .count()
    }
}

/// Why apply could not run.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("the environment variable {name} is not set (the plan references it as ${{{name}}})")]
    MissingEnv { name: String },
    /// The run ended but its leases could not be released: they expire after their TTL.
    #[error("the run ended, but the leases of {databases} could not be released ({cause}); they expire by themselves within {ttl_secs} s, or break them with `starsnap unlock`")]
    LeasesNotReleased {
        databases: String,
        ttl_secs: u64,
        cause: String,
        report: Box<ApplyReport>,
    },
}

/// A prepared run: state current, leases held, cluster re-observed.
pub struct Apply {
    plan: Plan,
    config: ApplyConfig,
    env: Arc<EnvLookup>,
    clock: Arc<dyn Clock>,
    sink: Sink,
    store: StateStore,
    leases: BTreeMap<String, Lease>,
    fresh: ObservedCatalog,
    history: BTreeMap<(String, String), BackupEntry>,
    moved: Vec<String>,
}

impl std::fmt::Debug for Apply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Apply")
            .field("plan", &self.plan.fingerprint)
            .field("leases", &self.leases.keys().collect::<Vec<_>>())
            .field("moved", &self.moved)
            .finish()
    }
}

/// The leases a plan's steps run under, sorted: the databases they work in, and
/// [`starsnap_compiler::plan::CATALOG_JOB_LEASE`] when a step drives the cluster's one external-catalog job.
pub fn plan_leases(plan: &Plan) -> BTreeSet<String> {
    plan.steps
        .iter()
        .filter_map(|s| s.lease().map(str::to_string))
        .collect()
}

/// Opens a state store as `config` says (its own connection).
pub fn open_store(
    config: &ApplyConfig,
    env: &EnvLookup,
    clock: Arc<dyn Clock>,
) -> Result<StateStore, RuntimeError> {
    let opts = config.state_server.as_ref().unwrap_or(&config.cluster);
    let conn = Cluster::connect(opts, &|n| env(n))?;
    let mut store = StateStore::new(conn, config.state.clone(), clock)?;
    store.set_redactor(config.redactor.clone());
    Ok(store)
}

impl Apply {
    /// Connects, creates or migrates the state, takes the leases of every database the
    /// plan touches (sorted, so two runs never wait on each other in a cycle), reads this
    /// plan's history and re-observes the cluster.
    pub fn prepare(
        plan: Plan,
        config: ApplyConfig,
        env: Arc<EnvLookup>,
        clock: Arc<dyn Clock>,
        sink: Sink,
    ) -> Result<Apply, ApplyError> {
        crate::log::add_secrets(&config.redactor);
        tracing::info!(target: "starsnap::apply", plan = %plan.fingerprint, steps = plan.steps.len(), "preparing");
        let mut store = open_store(&config, env.as_ref(), clock.clone())?;
        store.ensure_current()?;
        let mut leases = BTreeMap::new();
        for database in plan_leases(&plan) {
            let req = LockRequest {
                database: database.clone(),
                actor: config.actor.clone(),
                plan_fingerprint: plan.fingerprint.clone(),
                ttl: config.lock_ttl,
            };
            let taken = take_lease(&mut store, &req, &config);
            match taken {
                Ok(lease) => {
                    leases.insert(database, lease);
                }
                Err(e) => {
                    release_all(&mut store, std::mem::take(&mut leases));
                    return Err(e.into());
                }
            }
        }
        let mut apply = Apply {
            plan,
            config,
            env,
            clock,
            sink,
            store,
            leases,
            fresh: ObservedCatalog::empty(""),
            history: BTreeMap::new(),
            moved: Vec::new(),
        };
        if let Err(e) = apply.observe() {
            release_all(&mut apply.store, std::mem::take(&mut apply.leases));
            return Err(e);
        }
        Ok(apply)
    }

    fn observe(&mut self) -> Result<(), ApplyError> {
        let entries = self.store.list_backups(&HistoryFilter {
            plan_fingerprint: Some(self.plan.fingerprint.clone()),
            ..HistoryFilter::default()
        })?;
        self.history = entries
            .into_iter()
            .map(|e| ((e.repository.clone(), e.label.clone()), e))
            .collect();
        let mut link = retry::Link::new(
            &self.config.cluster,
            self.env.as_ref(),
            self.config.retry_deadline,
        );
        link.interrupt = Some(self.config.interrupt.clone());
        // The chains the plan extends are re-read so a set finished since is seen (the sets
        // alone: no manifest is compared); so are the sets its expire steps let go and keep.
        let expires = self.plan.steps.iter().any(|s| s.expire().is_some());
        let history = if self.plan.observed.chain_tips.is_empty() && !expires {
            starsnap_compiler::catalog::History::default()
        } else {
            self.store.chain_history()?
        };
        // Only what the plan depends on is re-observed: the tables and partitions its steps
        // name, the repositories and labels it names (issue 14).
        let deps = starsnap_compiler::plan::dependencies(&self.plan);
        let mut inspect_options = self.config.inspect.clone();
        inspect_options.scope = Some(deps.databases);
        let repositories = match inspect_options.snapshot_repositories.take() {
            Some(mut own) => {
                own.extend(deps.repositories);
                own
            }
            None => deps.repositories,
        };
        inspect_options.snapshot_repositories = Some(repositories);
        // Re-observed over a connection that reconnects: a dropped connection is retried.
        self.fresh = link.retry(&mut |_| {}, &mut |c| {
            crate::inspect::inspect(c, &inspect_options, history.clone())
        })?;
        let fingerprint = self.plan.fingerprint.clone();
        let events = self.store.events_of_plan(&fingerprint)?;
        // Expire steps an earlier run of this plan began deleting: their snapshots going is
        // this plan's doing.
        let expiring: BTreeSet<String> = events
            .iter()
            .filter(|e| {
                e.kind == "expire_deleting"
                    && e.message
                        .as_deref()
                        .is_some_and(|m| m.starts_with(&fingerprint))
            })
            .filter_map(|e| e.step_id.clone())
            .collect();
        let done: BTreeSet<String> = events
            .into_iter()
            // Steps finished — or begun: a RESTORE submitted, a swap sent — by an earlier run.
            .filter(|e| {
                let ours = e
                    .message
                    .as_deref()
                    .is_some_and(|m| m.starts_with(&fingerprint));
                ours && matches!(
                    e.kind.as_str(),
                    "step_done" | "restore_submitted" | "swap_sending"
                )
            })
            .filter_map(|e| e.step_id)
            .collect();
        self.moved = stale::moved(&self.plan, &self.fresh, &self.history, &done, &expiring);
        Ok(())
    }

    /// What moved since the plan was made, one readable line each; empty: not stale.
    pub fn moved(&self) -> &[String] {
        &self.moved
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The steps an earlier run of this plan already finished (by the history).
    pub fn recorded_finished(&self) -> Vec<&Step> {
        self.plan
            .steps
            .iter()
            .filter(|s| resume::recorded_finished(s, &self.history))
            .collect()
    }

    /// Releases the leases without running anything.
    pub fn abandon(mut self) -> Result<(), RuntimeError> {
        let leases = std::mem::take(&mut self.leases);
        let mut first = Ok(());
        for (_, lease) in leases {
            if let Err(e) = self.store.release_lock(lease) {
                if first.is_ok() {
                    first = Err(e);
                }
            }
        }
        first
    }

    /// Runs the steps; releases the leases at the end.
    pub fn execute(mut self) -> Result<ApplyReport, ApplyError> {
        let leases = std::mem::take(&mut self.leases);
        let run = worker::Run {
            plan: &self.plan,
            config: &self.config,
            env: self.env.clone(),
            clock: self.clock.clone(),
            sink: self.sink.clone(),
            fresh: &self.fresh,
            warnings: Default::default(),
            noted: Default::default(),
        };
        let record = restore::restore_record(&self.plan);
        let run_id = self.config.actor.run_id.clone();
        if let Some(r) = &record {
            // The restore's own history row (`history --restores`); losing it loses no data.
            let text = serde_json::to_string(r).unwrap_or_default();
            let _ = self
                .store
                .journal(Event::new(&run_id, "restore_started").message(&text));
        }
        let (report, leases) = run.run(&mut self.store, leases);
        if let Some(mut r) = record {
            let verifies: Vec<&StepResult> = report
                .steps
                .iter()
                .filter(|s| s.action == Action::Verify)
                .collect();
            r.verification = if verifies.is_empty()
                || verifies
                    .iter()
                    .all(|s| matches!(s.outcome, Outcome::Skipped(_)))
            {
                "not_run"
            } else if verifies.iter().all(|s| s.outcome.succeeded()) {
                "passed"
            } else {
                "failed"
            }
            .to_string();
            r.state = if report.interrupted() {
                "interrupted"
            } else if report.failed() > 0 {
                "failed"
            } else {
                "finished"
            }
            .to_string();
            r.message = report.steps.iter().find_map(|s| match &s.outcome {
                Outcome::Failed(m) => Some(m.clone()),
                _ => None,
            });
            let text = serde_json::to_string(&r).unwrap_or_default();
            let _ = self
                .store
                .journal(Event::new(&run_id, "restore_ended").message(&text));
        }
        // Released over a fresh connection when the old one broke (the cluster restarted
        // mid-apply); a lease that still cannot be released is reported, never ignored.
        let opts = self
            .config
            .state_server
            .clone()
            .unwrap_or_else(|| self.config.cluster.clone());
        let within = self.config.retry_deadline.min(Duration::from_secs(60));
        let mut unreleased: Vec<(String, RuntimeError)> = Vec::new();
        for (database, lease) in leases {
            let out = retry::with_store(
                &mut self.store,
                &opts,
                self.env.as_ref(),
                within,
                &mut |s| s.release_lock(lease.clone()),
            );
            match out {
                Ok(()) => {}
                Err(e @ RuntimeError::LockLost { .. }) => return Err(e.into()),
                Err(e) => unreleased.push((database, e)),
            }
        }
        if let Some((_, first)) = unreleased.first() {
            let names: Vec<&str> = unreleased.iter().map(|(d, _)| d.as_str()).collect();
            return Err(ApplyError::LeasesNotReleased {
                databases: names.join(", "),
                ttl_secs: self.config.lock_ttl.as_secs(),
                cause: first.to_string(),
                report: Box::new(report),
            });
        }
        Ok(report)
    }
}

/// Takes one lease: at once, or waiting up to `lock_timeout`. A lease held by a dead
/// process of this host is broken first (the break is journaled under this run).
fn take_lease(
    store: &mut StateStore,
    req: &LockRequest,
    config: &ApplyConfig,
) -> Result<Lease, RuntimeError> {
    match store.try_lock(req) {
        Ok(lease) => return Ok(lease),
        Err(RuntimeError::LockHeld { by, .. })
            if config.take_over_dead_local
                && by.host == config.actor.host
                && !process_alive(by.pid) =>
        {
            match store.break_lock(&by.lock_id, &config.actor) {
                Ok(_) | Err(RuntimeError::LockNotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Err(RuntimeError::LockHeld { .. }) => {}
        Err(e) => return Err(e),
    }
    if config.lock_timeout.is_zero() {
        store.try_lock(req)
    } else {
        store.acquire_lock(req, config.lock_timeout)
    }
}

/// Whether process `pid` of this host runs; where that cannot be told, it is assumed to.
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        std::path::Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

fn release_all(store: &mut StateStore, leases: BTreeMap<String, Lease>) {
    for (_, lease) in leases {
        // Best effort: an unreleased lease expires after its TTL.
        let _ = store.release_lock(lease);
    }
}
