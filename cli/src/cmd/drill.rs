//! `starsnap drill`: proves the backups restore, and measures how long it takes.
//!
//! For each database the targets name (default: every group of the policy), the chain to the
//! latest set (or `--at`) is restored into a scratch database of its own, verified against
//! the manifests (schema, the exact partition set, each partition's visible version, exact row
//! counts where they were taken), and the scratch database is dropped, whatever the outcome.
//! The result, the chain and the time from the first RESTORE to the last check (the RTO) are
//! recorded in the state (`drills`, schema 4); `status` shows each group's last drill. Any
//! failure exits 1, naming the set it is traced to.
//!
//! The sets come from the repositories' set manifests (confirmed by SHOW SNAPSHOT), and from
//! starsnap's history for sets made before manifests existed. A set the history knows as
//! finished whose snapshot SHOW SNAPSHOT no longer lists fails the drill of its database
//! before anything is restored — the chain is never quietly shortened to an older point.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use starsnap_compiler::catalog::{BackupState, History, ObservedCatalog};
use starsnap_compiler::plan::{restore_plan_of, Op, Plan, RestoreInputs};
use starsnap_compiler::policy::Policy;
use starsnap_compiler::restore::{self, DatabaseRestore, Mode, RestoreRequest, Target};
use starsnap_runtime::apply::{Apply, ApplyEvent, EnvLookup, Outcome, Sink, StepResult};
use starsnap_runtime::state::{DrillRecord, SystemClock};

use super::apply::{apply_config, load_policy, redactor};
use super::restore::{parse_point, parse_target, timeout_of};
use super::{project, usage_error, FormatArgs};
use crate::{exit, out};

/// `drill` arguments.
#[derive(Debug, clap::Args)]
pub struct DrillArgs {
    /// What to drill: `db`, `db.*`, `db.table` or `group:NAME`. Default: every group of the
    /// policy.
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,
    /// The policy file. Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Drill the point of this instant (RFC 3339, any offset) instead of the latest.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The replication_num of the drill's RESTORE jobs (default 1: a drill's copy is
    /// thrown away).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=32))]
    pub replication_num: u32,
    /// text, or json (one object per drilled database per line, then a summary).
    #[command(flatten)]
    pub format: FormatArgs,
}

/// The merged source of a drill: starsnap's history, each set replaced by its repository
/// manifest where the repository has one that SHOW SNAPSHOT confirms, and sets only the
/// repository describes added. Sets the history marked expired or broken stay as they are.
fn merged_history(policy: &Policy, catalog: &ObservedCatalog, notes: &mut Vec<String>) -> History {
    let mut history = catalog.history.clone();
    let repositories: BTreeSet<&str> = policy
        .groups
        .iter()
        .map(|g| g.repository.as_str())
        .collect();
    for name in repositories {
        let read = match super::dr::read(policy, catalog, name) {
            Ok(r) => r,
            Err(e) => {
                notes.push(format!(
                    "repository `{name}`: its set manifests cannot be read ({e}); the history is the only source"
                ));
                continue;
            }
        };
        for set in &read.sets {
            let known: Vec<BackupState> = history
                .backups
                .iter()
                .filter(|b| b.database == set.database && b.set_name() == set.set)
                .map(|b| b.state)
                .collect();
            if known.iter().any(|s| *s != BackupState::Finished) {
                continue;
            }
            history
                .backups
                .retain(|b| !(b.database == set.database && b.set_name() == set.set));
            history
                .backups
                .extend(starsnap_runtime::repo::sets::history(std::slice::from_ref(set)).backups);
        }
    }
    history
}

/// The sets of a database's chain, full first.
fn sets_of(d: &DatabaseRestore) -> Vec<String> {
    d.chain.iter().map(|s| s.set.clone()).collect()
}

/// The set of the chain holding `label`.
fn set_of_label(d: &DatabaseRestore, label: &str) -> Option<String> {
    d.chain
        .iter()
        .find(|s| s.labels.iter().any(|l| l.label == label))
        .map(|s| s.set.clone())
}

/// The first label of the chain SHOW SNAPSHOT does not list with its timestamp.
fn unlisted(d: &DatabaseRestore, catalog: &ObservedCatalog) -> Option<(String, String)> {
    for set in &d.chain {
        for l in &set.labels {
            let listed = catalog.repository(&l.repository).is_some_and(|r| {
                r.snapshots.iter().any(|s| {
                    s.label == l.label
                        && l.snapshot_timestamp
                            .as_ref()
                            .is_none_or(|ts| s.timestamps.contains(ts))
                })
            });
            if !listed {
                return Some((set.set.clone(), l.label.clone()));
            }
        }
    }
    None
}

/// What one drilled database came to.
struct Drilled {
    record: DrillRecord,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// When each step started and ended, from apply's events.
#[derive(Default)]
struct Timeline {
    first: BTreeMap<String, Instant>,
    last: BTreeMap<String, Instant>,
}

pub fn run(args: DrillArgs) -> i32 {
    let policy = match load_policy(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let secrets = redactor(&policy);
    let point = match parse_point(args.at.as_deref(), None) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let point_text = args.at.clone().unwrap_or_else(|| "latest".to_string());
    let mut targets = Vec::new();
    for t in &args.targets {
        match parse_target(t) {
            Ok(Target::Catalog(_)) => {
                return usage_error(format!(
                    "target '{t}': a drill restores databases into scratch databases; external catalogs are not drilled"
                ))
            }
            Ok(t) => targets.push(t),
            Err(e) => return usage_error(e),
        }
    }
    let mut cluster = match project::connect(&policy) {
        Ok(c) => c,
        Err(e) => {
            out::error(secrets.redact(&e));
            return exit::FAILURE;
        }
    };
    let mut catalog = match project::observe(&policy, &mut cluster) {
        Ok(c) => c,
        Err(e) => {
            out::error(format!("observing the cluster failed: {e}"));
            return exit::FAILURE;
        }
    };
    let mut notes = Vec::new();
    catalog.history = merged_history(&policy, &catalog, &mut notes);
    for n in &notes {
        eprintln!("starsnap: {}", secrets.redact(n));
    }
    if targets.is_empty() {
        let groups: BTreeSet<&str> = catalog
            .history
            .backups
            .iter()
            .filter(|b| !b.database.is_empty())
            .map(|b| b.group.as_str())
            .collect();
        targets = policy
            .groups
            .iter()
            .filter(|g| groups.contains(g.name.as_str()))
            .map(|g| Target::Group(g.name.clone()))
            .collect();
    }
    let run_id = starsnap_runtime::state::new_run_id(now_ms());
    let started = now_ms();
    if targets.is_empty() {
        out::error("drill: no backup set to drill (the history and the repositories hold none)");
        return exit::FAILURE;
    }
    let inputs = RestoreInputs {
        request: RestoreRequest {
            targets: targets.clone(),
            point,
            mode: Mode::Drill,
            replication_num: args.replication_num,
            timeout_s: timeout_of(&policy),
            run: Some(run_id.clone()),
        },
        catalog,
        as_of: super::plan::now(),
    };
    let normalized = inputs.catalog.normalized();
    let planned = match restore::plan_restore(&inputs.request, &normalized.history, &normalized) {
        Ok(p) => p,
        Err(e) => {
            // Nothing could be planned: one failed row per target, so status shows it.
            let drilled: Vec<Drilled> = targets
                .iter()
                .map(|t| {
                    let (group, database) = match t {
                        Target::Group(g) => (g.clone(), String::new()),
                        Target::Catalog(c) => (String::new(), format!("catalog:{c}")),
                        Target::Database { database } | Target::Table { database, .. } => {
                            (String::new(), database.clone())
                        }
                    };
                    Drilled {
                        record: DrillRecord {
                            run_id: run_id.clone(),
                            group,
                            database,
                            point: point_text.clone(),
                            tip_set: None,
                            sets: Vec::new(),
                            scratch_database: None,
                            result: "failed".into(),
                            failed_set: None,
                            message: Some(format!("cannot plan the restore: {e}")),
                            started_ms: started,
                            ended_ms: now_ms(),
                            rto_ms: None,
                            tables: None,
                            plan_fingerprint: None,
                        },
                    }
                })
                .collect();
            return finish(&policy, &args, drilled);
        }
    };

    // Databases whose chain SHOW SNAPSHOT does not fully list fail before any restore.
    let mut drilled: Vec<Drilled> = Vec::new();
    let mut kept = restore::RestorePlan {
        databases: Vec::new(),
    };
    for d in planned.databases {
        match unlisted(&d, &normalized) {
            Some((set, label)) => drilled.push(Drilled {
                record: DrillRecord {
                    run_id: run_id.clone(),
                    group: d.group.clone(),
                    database: d.source_database.clone(),
                    point: point_text.clone(),
                    tip_set: d.chain.last().map(|s| s.set.clone()),
                    sets: sets_of(&d),
                    scratch_database: None,
                    result: "failed".into(),
                    failed_set: Some(set.clone()),
                    message: Some(format!(
                        "set `{set}`: SHOW SNAPSHOT does not list its snapshot {label}: the chain cannot be restored"
                    )),
                    started_ms: started,
                    ended_ms: now_ms(),
                    rto_ms: None,
                    tables: None,
                    plan_fingerprint: None,
                },
            }),
            None => kept.databases.push(d),
        }
    }
    if !kept.databases.is_empty() {
        let plan = restore_plan_of(&inputs, &kept, None);
        match apply_drill(&policy, plan, &kept, &run_id, &point_text, started) {
            Ok(mut more) => drilled.append(&mut more),
            Err(e) => {
                for d in &kept.databases {
                    drilled.push(Drilled {
                        record: DrillRecord {
                            run_id: run_id.clone(),
                            group: d.group.clone(),
                            database: d.source_database.clone(),
                            point: point_text.clone(),
                            tip_set: d.chain.last().map(|s| s.set.clone()),
                            sets: sets_of(d),
                            scratch_database: None,
                            result: "failed".into(),
                            failed_set: None,
                            message: Some(secrets.redact(&e)),
                            started_ms: started,
                            ended_ms: now_ms(),
                            rto_ms: None,
                            tables: None,
                            plan_fingerprint: None,
                        },
                    });
                }
            }
        }
    }
    drilled.sort_by(|a, b| {
        (&a.record.group, &a.record.database).cmp(&(&b.record.group, &b.record.database))
    });
    finish(&policy, &args, drilled)
}

/// Applies the drill plan (no confirmation: it touches nothing live) and turns each
/// database's steps into its record.
fn apply_drill(
    policy: &Policy,
    plan: Plan,
    planned: &restore::RestorePlan,
    run_id: &str,
    point: &str,
    started: i64,
) -> Result<Vec<Drilled>, String> {
    let mut config = apply_config(policy)?;
    config.actor.run_id = run_id.to_string();
    let timeline = Arc::new(Mutex::new(Timeline::default()));
    let seen = timeline.clone();
    let sink: Sink = Arc::new(move |e: &ApplyEvent| {
        let now = Instant::now();
        let mut t = seen.lock().unwrap_or_else(|p| p.into_inner());
        t.first.entry(e.step_id.clone()).or_insert(now);
        t.last.insert(e.step_id.clone(), now);
    });
    let env: Arc<EnvLookup> = Arc::new(|name: &str| std::env::var(name).ok());
    let fingerprint = plan.fingerprint.clone();
    let steps = plan.steps.clone();
    let apply = Apply::prepare(plan, config, env, Arc::new(SystemClock), sink)
        .map_err(|e| e.to_string())?;
    if !apply.moved().is_empty() {
        let moved = apply.moved().join("; ");
        let _ = apply.abandon();
        return Err(format!(
            "the cluster moved while the drill was planned: {moved}"
        ));
    }
    let report = match apply.execute() {
        Ok(r) => r,
        Err(starsnap_runtime::apply::ApplyError::LeasesNotReleased { report, .. }) => *report,
        Err(e) => return Err(e.to_string()),
    };
    let timeline = timeline.lock().unwrap_or_else(|p| p.into_inner());
    let results: BTreeMap<&str, &StepResult> = report
        .steps
        .iter()
        .map(|s| (s.step_id.as_str(), s))
        .collect();
    let mut out = Vec::new();
    for d in &planned.databases {
        let prefix = format!("restore/{}/{}/", d.source_database, d.id);
        let mine: Vec<&starsnap_compiler::plan::Step> =
            steps.iter().filter(|s| s.id.starts_with(&prefix)).collect();
        let scratch = mine.iter().find_map(|s| match &s.op {
            Op::CreateDatabase(c) => Some(c.database.clone()),
            _ => None,
        });
        let tables = mine
            .iter()
            .filter(|s| matches!(s.op, Op::Verify(_)))
            .count() as i64;
        // The first failure, traced to the set it read.
        let mut failure: Option<(Option<String>, String)> = None;
        for s in &mine {
            let Some(r) = results.get(s.id.as_str()) else {
                continue;
            };
            let message = match &r.outcome {
                Outcome::Failed(m) => m.clone(),
                Outcome::Interrupted(m) => m.clone(),
                Outcome::Skipped(m) if !matches!(s.op, Op::DropDatabase(_)) => m.clone(),
                _ => continue,
            };
            let set = match &s.op {
                Op::Restore(op) => set_of_label(d, &op.snapshot),
                Op::Verify(v) => {
                    // The sets the table was read from.
                    let sets: BTreeSet<String> = mine
                        .iter()
                        .filter_map(|x| match &x.op {
                            Op::Restore(op) if op.tables.iter().any(|t| t.name == v.table) => {
                                set_of_label(d, &op.snapshot)
                            }
                            _ => None,
                        })
                        .collect();
                    (!sets.is_empty()).then(|| sets.into_iter().collect::<Vec<_>>().join(", "))
                }
                _ => None,
            };
            if failure.is_none() {
                failure = Some((set, message));
            }
        }
        // RTO: from the first step's start to the end of the last step before the cleanup.
        let work: Vec<&&starsnap_compiler::plan::Step> = mine
            .iter()
            .filter(|s| !matches!(s.op, Op::DropDatabase(_)))
            .collect();
        let begin = work.iter().filter_map(|s| timeline.first.get(&s.id)).min();
        let end = work.iter().filter_map(|s| timeline.last.get(&s.id)).max();
        let rto_ms = match (begin, end) {
            (Some(b), Some(e)) => i64::try_from(e.duration_since(*b).as_millis()).ok(),
            _ => None,
        };
        let cleanup_failed = mine.iter().any(|s| {
            matches!(s.op, Op::DropDatabase(_))
                && results
                    .get(s.id.as_str())
                    .is_some_and(|r| !r.outcome.succeeded())
        });
        let (result, failed_set, message) = match (failure, cleanup_failed) {
            (Some((set, m)), _) => (
                "failed",
                set.clone(),
                Some(match set {
                    Some(set) => format!("set `{set}`: {m}"),
                    None => m,
                }),
            ),
            (None, true) => (
                "failed",
                None,
                Some(format!(
                    "the scratch database {} could not be dropped",
                    scratch.as_deref().unwrap_or("?")
                )),
            ),
            (None, false) => ("passed", None, None),
        };
        out.push(Drilled {
            record: DrillRecord {
                run_id: run_id.to_string(),
                group: d.group.clone(),
                database: d.source_database.clone(),
                point: point.to_string(),
                tip_set: d.chain.last().map(|s| s.set.clone()),
                sets: sets_of(d),
                scratch_database: scratch,
                result: result.into(),
                failed_set,
                message,
                started_ms: started,
                ended_ms: now_ms(),
                rto_ms,
                tables: Some(tables),
                plan_fingerprint: Some(fingerprint.clone()),
            },
        });
    }
    Ok(out)
}

fn record_json(d: &DrillRecord) -> serde_json::Value {
    serde_json::json!({
        "group": d.group,
        "database": d.database,
        "point": d.point,
        "result": d.result,
        "tip_set": d.tip_set,
        "sets": d.sets,
        "failed_set": d.failed_set,
        "message": d.message,
        "scratch_database": d.scratch_database,
        "tables": d.tables,
        "rto_ms": d.rto_ms,
        "run_id": d.run_id,
        "started_at": starsnap_runtime::state::format_utc(d.started_ms),
    })
}

/// Records every result, prints them, and exits 1 when any failed.
fn finish(policy: &Policy, args: &DrillArgs, drilled: Vec<Drilled>) -> i32 {
    let secrets = redactor(policy);
    let mut code = exit::OK;
    let recorded = super::state::open_store(policy).and_then(|mut store| {
        store.ensure_current().map_err(|e| e.to_string())?;
        for d in &drilled {
            store.record_drill(&d.record).map_err(|e| e.to_string())?;
        }
        Ok(())
    });
    if let Err(e) = recorded {
        out::error(format!(
            "the drill's result could not be recorded: {}",
            secrets.redact(&e)
        ));
        code = exit::FAILURE;
    }
    let failed = drilled.iter().filter(|d| !d.record.passed()).count();
    if failed > 0 {
        code = exit::FAILURE;
    }
    if args.format.json() {
        let mut text = String::new();
        for d in &drilled {
            text.push_str(&format!("{}\n", record_json(&d.record)));
        }
        text.push_str(&format!(
            "{}\n",
            serde_json::json!({
                "summary": true,
                "drilled": drilled.len(),
                "passed": drilled.len() - failed,
                "failed": failed,
            })
        ));
        out::print(&secrets.redact(&text));
        return code;
    }
    let mut text = String::new();
    for d in &drilled {
        let r = &d.record;
        let rto = r
            .rto_ms
            .map(|ms| format!(", RTO {:.1} s", ms as f64 / 1000.0))
            .unwrap_or_default();
        let what = if r.database.is_empty() {
            format!("group {}", r.group)
        } else {
            format!("{} (group {})", r.database, r.group)
        };
        if r.passed() {
            text.push_str(&format!(
                "passed  {what}: {} set(s) to {} restored into {} and verified ({} object(s)){rto}\n",
                r.sets.len(),
                r.tip_set.as_deref().unwrap_or("?"),
                r.scratch_database.as_deref().unwrap_or("?"),
                r.tables.unwrap_or(0),
            ));
        } else {
            text.push_str(&format!(
                "FAILED  {what}: {}{rto}\n",
                r.message.as_deref().unwrap_or("failed")
            ));
        }
    }
    text.push_str(&format!(
        "Drill: {} passed, {failed} failed.\n",
        drilled.len() - failed
    ));
    out::print(&secrets.redact(&text));
    code
}
