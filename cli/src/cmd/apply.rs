//! `starsnap apply plan.json`: executes exactly the reviewed plan (invariant 2). The policy
//! file tells where the cluster and the state are (`[cluster]`, `[state]`) and which
//! environment variables hold the repositories' secrets; its backup rules are never read. Refuses a plan of an unknown format or of a newer starsnap, a stale
//! plan (exit 3, with what moved), a held lock (exit 4, naming the holder), and a needed
//! confirmation without a terminal (fail closed); a failed step exits 1 after the others ran.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use starsnap_compiler::plan::Plan;
use starsnap_compiler::policy::Policy;
use starsnap_runtime::apply::{
    Apply, ApplyConfig, ApplyError, ApplyEvent, ApplyReport, EnvLookup, Outcome, Sink,
};
use starsnap_runtime::state::lock::Actor;
use starsnap_runtime::state::{StateBackend, StateStore, SystemClock};
use starsnap_runtime::{RuntimeError, StateConfig};

mod metrics;
mod progress;
mod scheduled;

use super::project::{self, LoadError};
use super::usage_error;
use crate::{exit, out};

/// Exit code of a stale plan.
pub const STALE: i32 = 3;
/// Exit code of a lock held by another run.
pub const LOCK_HELD: i32 = 4;
/// Exit code after SIGINT/SIGTERM (128 + SIGINT).
pub const INTERRUPTED: i32 = 130;

/// `apply` arguments.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// The plan JSON written by `starsnap plan --out`.
    #[arg(required_unless_present = "plan_and_apply")]
    pub plan: Option<PathBuf>,
    /// Make the plan now from the policy file and apply it in the same run (for cron);
    /// the same checks apply, and without a terminal --auto-approve is still needed.
    #[arg(long, conflicts_with = "plan")]
    pub plan_and_apply: bool,
    /// The policy file: its [cluster] and [state] sections, and the repositories (which
    /// environment variables hold their secrets; where set manifests are written).
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not ask for confirmation (needed when there is no terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Databases backed up at the same time (each runs one job at a time).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
    /// text (progress on stderr, a summary on stdout) or json (one JSON event per line on
    /// stdout, then a summary event: grammar/apply-events.schema.json); --json is its alias.
    #[command(flatten)]
    pub format: super::FormatArgs,
    /// Wait this long for a lock another run holds (e.g. `30s`, `10m`); default: fail at once.
    #[arg(long, value_name = "DUR")]
    pub lock_timeout: Option<String>,
    /// Refuse the plan unless its fingerprint is this one (the hash reviewed in the pull
    /// request, carried by the pipeline).
    #[arg(long, value_name = "HASH")]
    pub expect_fingerprint: Option<String>,
    /// Write a Prometheus textfile here after the run (node_exporter's textfile collector):
    /// last success, duration, partitions, bytes and failures per group and database.
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
}

/// What a run leaves for `--metrics-file`.
#[derive(Default)]
struct RunOutcome {
    report: Option<ApplyReport>,
    /// Data size per backup label, from the manifests (where known).
    bytes: std::collections::BTreeMap<String, i64>,
}

pub fn run(args: ApplyArgs) -> i32 {
    let read = match &args.plan {
        Some(path) => super::plan::read_plan(path).map_err(|(code, e)| {
            crate::out::error(format!("cannot apply {e}"));
            code
        }),
        None => scheduled::build_plan(&super::config_file(&args.config)),
    };
    let plan = match read {
        Ok(p) => p,
        Err(code) => return code,
    };
    execute(plan, &args)
}

/// Applies a plan as `args` say (the plan was read, or made in this run), then writes the
/// metrics file if asked.
pub fn execute(plan: Plan, args: &ApplyArgs) -> i32 {
    let Some(path) = &args.metrics_file else {
        return execute_plan(plan, args, &mut RunOutcome::default());
    };
    let start = std::time::Instant::now();
    let facts = metrics::PlanFacts::of(&plan);
    let mut outcome = RunOutcome::default();
    let code = execute_plan(plan, args, &mut outcome);
    let end_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let mut m = metrics::Metrics::previous(path);
    m.record(
        &facts,
        &metrics::RunResult {
            report: outcome.report.as_ref(),
            code,
            duration_s: start.elapsed().as_secs_f64(),
            end_s: end_s.floor(),
            bytes: &outcome.bytes,
        },
    );
    match m.write(path) {
        Ok(()) => code,
        Err(e) => {
            crate::out::error(e);
            code.max(exit::FAILURE)
        }
    }
}

fn execute_plan(plan: Plan, args: &ApplyArgs, outcome: &mut RunOutcome) -> i32 {
    let facts = args
        .metrics_file
        .as_ref()
        .map(|_| metrics::PlanFacts::of(&plan));
    if let Err(e) = check_version(&plan) {
        crate::out::error(e);
        return exit::FAILURE;
    }
    if let Some(expected) = &args.expect_fingerprint {
        if !expected.is_empty() && !plan.fingerprint.starts_with(expected.as_str())
            || expected.len() < 12
        {
            eprintln!(
                "starsnap: the plan's fingerprint is {}, not the reviewed {expected} (give at least 12 hex digits); refusing to apply it",
                plan.fingerprint
            );
            return exit::FAILURE;
        }
    }
    let lock_timeout = match args.lock_timeout.as_deref().map(parse_duration).transpose() {
        Ok(t) => t.unwrap_or(Duration::ZERO),
        Err(e) => return usage_error(e),
    };
    let policy = match load_policy(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let secrets = redactor(&policy);
    let mut config = match apply_config(&policy) {
        Ok(c) => c,
        Err(e) => {
            crate::out::error(secrets.redact(&e));
            return exit::FAILURE;
        }
    };
    config.parallel = usize::from(args.parallel);
    config.lock_timeout = lock_timeout;
    let interrupt = config.interrupt.clone();
    // SIGINT and SIGTERM: cancel the jobs this run submitted, record it, release the locks.
    let flag = interrupt.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            // A second interrupt: leave at once (held leases expire after their TTL).
            eprintln!("starsnap: interrupted twice; exiting now without waiting (leases expire by themselves)");
            std::process::exit(INTERRUPTED);
        }
        eprintln!("starsnap: interrupting: retries stop, jobs this run started are cancelled where that is safe (Ctrl-C again to exit at once)");
    }) {
        eprintln!("starsnap: cannot handle interrupts ({e}); Ctrl-C will kill the run");
    }
    let env: Arc<EnvLookup> = Arc::new(|name: &str| std::env::var(name).ok());
    let json = args.format.json();
    let mode = if json {
        progress::Mode::Json
    } else if std::io::stderr().is_terminal() {
        progress::Mode::Terminal
    } else {
        progress::Mode::Lines
    };
    let shown = Arc::new(progress::Progress::new(mode, &plan));
    let sink: Sink = Arc::new(move |e: &ApplyEvent| shown.event(e));
    let apply = match Apply::prepare(plan, config, env, Arc::new(SystemClock), sink) {
        Ok(a) => a,
        Err(e) => return report_error(&e, &secrets),
    };
    if !apply.moved().is_empty() {
        let mut msg =
            String::from("saved plan is stale: the cluster moved since the plan was made:\n");
        for m in apply.moved() {
            msg.push_str(&format!("  - {m}\n"));
        }
        msg.push_str("Make a new plan with `starsnap plan` and review it.");
        crate::out::error(msg);
        let _ = apply.abandon();
        return STALE;
    }
    if apply.plan().steps.is_empty() {
        let _ = apply.abandon();
        if json {
            let v = serde_json::json!({
                "event": "summary",
                "time": event_time(),
                "done": 0,
                "already_done": 0,
                "failed": 0,
            });
            out::print(&format!("{v}\n"));
        } else {
            out::print("No changes. The plan has nothing to apply.\n");
        }
        return exit::OK;
    }
    if !args.auto_approve {
        match confirm(apply.plan()) {
            Ok(true) => {}
            Ok(false) => {
                let _ = apply.abandon();
                crate::out::error("apply cancelled.");
                return exit::FAILURE;
            }
            Err(e) => {
                let _ = apply.abandon();
                return usage_error(e);
            }
        }
    }
    match apply.execute() {
        Ok(report) => {
            let code = summarize(&report, json);
            if let Some(facts) = &facts {
                outcome.bytes = backup_sizes(&policy, &facts.finished_backups(&report));
            }
            let interrupted = interrupt
                .load(Ordering::SeqCst)
                .then(|| interrupted_summary(&report));
            outcome.report = Some(report);
            if let Some(said) = interrupted {
                crate::out::error(format!("interrupted; {said}"));
                INTERRUPTED
            } else {
                code
            }
        }
        Err(ApplyError::LeasesNotReleased {
            databases,
            ttl_secs,
            cause,
            report,
        }) => {
            let code = summarize(&report, json);
            eprintln!(
                "starsnap: {}",
                secrets.redact(&format!(
                    "the leases of {databases} could not be released ({cause}); they expire by themselves within {ttl_secs} s, or break them with `starsnap unlock`"
                ))
            );
            if interrupt.load(Ordering::SeqCst) {
                INTERRUPTED
            } else {
                code.max(exit::FAILURE)
            }
        }
        Err(e) => report_error(&e, &secrets),
    }
}

/// What an interrupt did, as far as apply knows: the jobs it cancelled, those it left
/// running, and the steps it could not finish saying.
fn interrupted_summary(report: &ApplyReport) -> String {
    let said: Vec<&str> = report
        .steps
        .iter()
        .filter_map(|s| match &s.outcome {
            Outcome::Interrupted(m) => Some(m.as_str()),
            _ => None,
        })
        .collect();
    if said.is_empty() {
        "no job of this run was running, so none was cancelled".to_string()
    } else {
        said.join("; ")
    }
}

/// The data size of each backup the state's manifests know it for (for metrics; a state
/// that cannot be read leaves the sizes out and says so).
fn backup_sizes(
    policy: &Policy,
    backups: &[(String, String)],
) -> std::collections::BTreeMap<String, i64> {
    let mut out = std::collections::BTreeMap::new();
    if backups.is_empty() {
        return out;
    }
    let mut store = match super::state::open_store(policy) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("starsnap: metrics without backup sizes: {e}");
            return out;
        }
    };
    for (repository, label) in backups {
        match store.backup(repository, label) {
            Ok(Some(entry)) => {
                if let Some(size) = entry.data_size {
                    out.insert(label.clone(), size);
                }
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("starsnap: metrics without the size of {label}: {e}");
            }
        }
    }
    out
}

/// Now, as `--json` events carry it: RFC 3339 UTC with milliseconds.
pub fn event_time() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let secs = starsnap_runtime::state::format_utc(ms);
    match secs.strip_suffix('Z') {
        Some(s) => format!("{s}.{:03}Z", ms.rem_euclid(1000)),
        None => secs,
    }
}

/// Reads only the connection settings of the policy file.
pub fn load_policy(path: &std::path::Path) -> Result<Policy, i32> {
    match project::load(path) {
        Ok(p) => p.policy.ok_or(exit::FAILURE),
        Err(LoadError::Unreadable(e)) => Err(usage_error(e)),
        Err(LoadError::Findings(reports)) => {
            super::plan::report_findings(&reports, false);
            Err(exit::FAILURE)
        }
        Err(LoadError::Statement(e)) => {
            crate::out::error(e);
            Err(exit::FAILURE)
        }
    }
}

/// Where the state lives and how apply runs, from `[cluster]` and `[state]`, and which
/// environment variables statements may use (the repositories' secret properties).
pub fn apply_config(policy: &Policy) -> Result<ApplyConfig, String> {
    let cluster = project::connect_options(policy)?;
    let server = policy
        .state
        .url
        .as_deref()
        .map(|url| super::state::parse_state_url(url, policy.state.password_env.as_deref()))
        .transpose()?;
    let state = match &server {
        Some(_) => StateConfig {
            database: policy.state.database.clone(),
            backend: StateBackend::MySql,
            ..StateConfig::default()
        },
        None => {
            let mut c = project::connect(policy)?;
            StateConfig::for_cluster(&mut c, &policy.state.database).map_err(|e| e.to_string())?
        }
    };
    let mut config = ApplyConfig::new(cluster, state, actor());
    if server.is_some() {
        config.inspect.skip_databases.clear();
    }
    config.state_server = server;
    config.redactor = redactor(policy);
    // Only the secrets the policy's repositories name may be substituted into statements.
    config.statement_env = policy
        .repositories
        .iter()
        .flat_map(|r| &r.properties)
        .filter_map(|(_, v)| match v {
            starsnap_compiler::policy::PropertyValue::Env(name) => Some(name.clone()),
            starsnap_compiler::policy::PropertyValue::Literal(_) => None,
        })
        .collect();
    config.repositories = repository_access(policy);
    Ok(config)
}

/// How starsnap reaches each repository of the policy (literal properties, and the names
/// of the environment variables the others come from — never their values).
pub fn repository_access(
    policy: &Policy,
) -> std::collections::BTreeMap<String, starsnap_runtime::repo::RepositoryAccess> {
    use starsnap_compiler::policy::PropertyValue;
    policy
        .repositories
        .iter()
        .map(|r| {
            let mut access = starsnap_runtime::repo::RepositoryAccess {
                location: r.location.clone(),
                ..Default::default()
            };
            for (k, v) in &r.properties {
                match v {
                    PropertyValue::Literal(s) => {
                        access.properties.insert(k.clone(), s.clone());
                    }
                    PropertyValue::Env(name) => {
                        access.env.insert(k.clone(), name.clone());
                    }
                }
            }
            (r.name.clone(), access)
        })
        .collect()
}

/// Every secret the policy names (the cluster's and state server's passwords, the
/// repositories' secret properties), with its value from the environment, to be masked in
/// everything printed or stored.
pub fn redactor(policy: &Policy) -> starsnap_runtime::state::Redactor {
    let mut names: Vec<&str> = Vec::new();
    names.extend(
        policy
            .cluster
            .as_ref()
            .and_then(|c| c.password_env.as_deref()),
    );
    names.extend(policy.state.password_env.as_deref());
    for r in &policy.repositories {
        for (_, v) in &r.properties {
            if let starsnap_compiler::policy::PropertyValue::Env(name) = v {
                names.push(name);
            }
        }
    }
    let mut redactor = starsnap_runtime::state::Redactor::default();
    redactor.add_values(names.into_iter().filter_map(|n| std::env::var(n).ok()));
    redactor
}

/// The state store the policy names, created or migrated.
pub fn open_state(policy: &Policy) -> Result<StateStore, String> {
    let mut store = super::state::open_store(policy)?;
    store.ensure_current().map_err(|e| e.to_string())?;
    Ok(store)
}

/// This process as a lock holder.
pub fn actor() -> Actor {
    let holder = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "starsnap".into());
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    let pid = std::process::id();
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Actor {
        holder,
        host,
        pid,
        run_id: format!("{ms}-{pid}"),
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    starsnap_compiler::time::parse_duration(s)
        .map(Duration::from_secs)
        .map_err(|e| format!("--lock-timeout: {e}"))
}

/// Refuses a plan made by a newer starsnap (it may mean things this build does not know).
fn check_version(plan: &Plan) -> Result<(), String> {
    let mine = env!("CARGO_PKG_VERSION");
    let parse = |v: &str| -> Vec<u64> {
        v.split(['.', '-'])
            .take(3)
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    if parse(&plan.starsnap_version) > parse(mine) {
        return Err(format!(
            "the plan was made by starsnap {}, newer than this starsnap {mine}; apply it with that version or newer",
            plan.starsnap_version
        ));
    }
    Ok(())
}

fn report_error(e: &ApplyError, redactor: &starsnap_runtime::state::Redactor) -> i32 {
    match e {
        ApplyError::Runtime(RuntimeError::LockHeld { database, by }) => {
            crate::out::error(format!(
                "{} is locked by {by}",
                starsnap_runtime::error::lease_subject(database)
            ));
            LOCK_HELD
        }
        other => {
            crate::out::error(redactor.redact(&other.to_string()));
            exit::FAILURE
        }
    }
}

/// Asks on the terminal; without one, refuses (never a silent yes).
fn confirm(plan: &Plan) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(
            "apply needs a confirmation and there is no terminal to ask: review the plan, then pass --auto-approve"
                .into(),
        );
    }
    let s = &plan.summary;
    let mut err = std::io::stderr();
    let _ = write!(
        err,
        "Plan {}: {} steps ({} full, {} incremental backups, {} destructive).\n\
         Do you want to perform these actions? Only 'yes' will be accepted: ",
        &plan.fingerprint.chars().take(12).collect::<String>(),
        s.steps,
        s.full_backups,
        s.incremental_backups,
        s.destructive
    );
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(line.trim() == "yes")
}

fn summarize(report: &ApplyReport, json: bool) -> i32 {
    let failed = report.failed();
    if json {
        let failures: Vec<serde_json::Value> = report
            .steps
            .iter()
            .filter_map(|s| match &s.outcome {
                Outcome::Failed(m) | Outcome::Skipped(m) | Outcome::Interrupted(m) => {
                    Some(serde_json::json!({"step": s.step_id, "message": m}))
                }
                _ => None,
            })
            .collect();
        let warnings: Vec<serde_json::Value> = report
            .steps
            .iter()
            .filter_map(|s| {
                let m = s.warning.as_ref()?;
                Some(serde_json::json!({"step": s.step_id, "message": m}))
            })
            .collect();
        let mut v = serde_json::json!({
            "event": "summary",
            "time": event_time(),
            "run_id": report.run_id,
            "done": report.done(),
            "already_done": report.already_done(),
            "failed": failed,
            "failures": failures,
        });
        if !warnings.is_empty() {
            v["warnings"] = serde_json::Value::Array(warnings);
        }
        out::print(&format!("{v}\n"));
    } else {
        let mut text = format!(
            "Apply {}: {} done, {} already done, {} failed.\n",
            if failed == 0 {
                "complete"
            } else {
                "finished with failures"
            },
            report.done(),
            report.already_done(),
            failed
        );
        for s in &report.steps {
            if let Outcome::Failed(m) | Outcome::Skipped(m) | Outcome::Interrupted(m) = &s.outcome {
                text.push_str(&format!("  {}: {m}\n", s.step_id));
            }
            if let Some(w) = &s.warning {
                text.push_str(&format!("  {}: warning: {w}\n", s.step_id));
            }
        }
        out::print(&text);
    }
    if failed == 0 {
        exit::OK
    } else {
        exit::FAILURE
    }
}
