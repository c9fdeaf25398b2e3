//! `starsnap history [--format text|json] [--restores]` (the backups — or restores — the state
//! records, newest first) and
//! `starsnap status` (locks in force, jobs not yet ended, each group's last drill).

use std::path::PathBuf;

use starsnap_runtime::state::{format_utc, BackupEntry, BackupState, HistoryFilter, LockStatus};

use starsnap_runtime::state::StateStore;

use super::apply::load_policy;
use super::FormatArgs;
use crate::{exit, out};

/// `history` arguments.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The policy file: only its [cluster] and [state] sections are read.
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// text (a table) or json (one JSON object per backup, one per line).
    #[command(flatten)]
    pub format: FormatArgs,
    /// Only this database.
    #[arg(long)]
    pub database: Option<String>,
    /// At most this many backups.
    #[arg(long)]
    pub limit: Option<u64>,
    /// List the restores instead (targets, snapshots read, mode, state, verification, times).
    #[arg(long)]
    pub restores: bool,
}

/// `status` arguments.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The policy file: only its [cluster] and [state] sections are read.
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// text, or json (one object: `locks` and `jobs`).
    #[command(flatten)]
    pub format: FormatArgs,
}

/// The state store, or `None` when it was never initialised (reading never creates it).
fn existing_store(
    policy: &starsnap_compiler::policy::Policy,
) -> Result<Option<StateStore>, String> {
    let mut store = super::state::open_store(policy)?;
    match store.schema_version().map_err(|e| e.to_string())? {
        None => Ok(None),
        Some(_) => Ok(Some(store)),
    }
}

fn state_name(s: BackupState) -> &'static str {
    starsnap_runtime::state::history::state_str(s)
}

fn backup_json(b: &BackupEntry) -> String {
    let v = serde_json::json!({
        "label": b.label,
        "set": b.set,
        "group": b.group,
        "database": b.database,
        "kind": b.kind.as_str(),
        "parent": b.parent,
        "repository": b.repository,
        "state": state_name(b.state),
        "job_state": b.job_state,
        "status": b.status,
        "task_err_msg": b.task_err_msg,
        "snapshot_timestamp": b.snapshot_timestamp,
        "partitions": b.partition_count,
        "data_size": b.data_size,
        "plan_fingerprint": b.plan_fingerprint,
        "step_id": b.step_id,
        "submitted_at": format_utc(b.submitted_ms),
        "finished_at": b.finished_ms.map(format_utc),
    });
    format!("{v}\n")
}

/// `history --restores`: the restores the journal recorded, newest first.
fn run_restores(args: &HistoryArgs, policy: &starsnap_compiler::policy::Policy) -> i32 {
    let listed = existing_store(policy).and_then(|store| match store {
        None => Ok(Vec::new()),
        Some(mut s) => starsnap_runtime::apply::list_restores(&mut s).map_err(|e| e.to_string()),
    });
    let mut restores = match listed {
        Ok(r) => r,
        Err(e) => {
            eprintln!("starsnap: {e}");
            return exit::FAILURE;
        }
    };
    if let Some(db) = &args.database {
        restores.retain(|r| r.targets.iter().any(|t| t.starts_with(&format!("{db}."))));
    }
    if let Some(n) = args.limit {
        restores.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    let mut text = String::new();
    if args.format.json() {
        for r in &restores {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["started_at"] = format_utc(r.started_ms).into();
            v["ended_at"] = r.ended_ms.map(format_utc).into();
            text.push_str(&format!("{v}\n"));
        }
    } else if restores.is_empty() {
        text.push_str("No restores recorded.\n");
    } else {
        text.push_str("TARGETS\tMODE\tSNAPSHOTS\tSTATE\tVERIFICATION\tSTARTED\tENDED\tPLAN\n");
        for r in &restores {
            text.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                r.targets.join(","),
                r.mode,
                r.snapshots.join(","),
                r.state,
                r.verification,
                format_utc(r.started_ms),
                r.ended_ms.map_or("-".into(), format_utc),
                r.fingerprint.chars().take(12).collect::<String>(),
            ));
        }
    }
    out::print(&text);
    exit::OK
}

pub fn run_history(args: HistoryArgs) -> i32 {
    let policy = match load_policy(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if args.restores {
        return run_restores(&args, &policy);
    }
    let listed = existing_store(&policy).and_then(|store| match store {
        None => Ok(Vec::new()),
        Some(mut s) => s
            .list_backups(&HistoryFilter {
                database: args.database.clone(),
                limit: args.limit,
                ..HistoryFilter::default()
            })
            .map_err(|e| e.to_string()),
    });
    let backups = match listed {
        Ok(b) => b,
        Err(e) => {
            eprintln!("starsnap: {e}");
            return exit::FAILURE;
        }
    };
    let mut text = String::new();
    if args.format.json() {
        for b in &backups {
            text.push_str(&backup_json(b));
        }
    } else if backups.is_empty() {
        text.push_str("No backups recorded.\n");
    } else {
        text.push_str("LABEL\tGROUP\tDATABASE\tKIND\tPARENT\tSTATE\tSNAPSHOT\tPARTITIONS\tSIZE\tSUBMITTED\tFINISHED\n");
        for b in &backups {
            text.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                b.label,
                b.group,
                b.database,
                b.kind.as_str(),
                b.parent.as_deref().unwrap_or("-"),
                state_name(b.state),
                b.snapshot_timestamp.as_deref().unwrap_or("-"),
                b.partition_count.map_or("-".into(), |n| n.to_string()),
                b.data_size.map_or("-".into(), |n| n.to_string()),
                format_utc(b.submitted_ms),
                b.finished_ms.map_or("-".into(), format_utc),
            ));
        }
    }
    out::print(&text);
    exit::OK
}

pub fn run_status(args: StatusArgs) -> i32 {
    let policy = match load_policy(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let read = existing_store(&policy).and_then(|store| {
        let Some(mut s) = store else {
            return Ok((Vec::new(), Vec::new(), Vec::new()));
        };
        let locks = s.list_locks().map_err(|e| e.to_string())?;
        let backups = s
            .list_backups(&HistoryFilter {
                limit: Some(200),
                ..HistoryFilter::default()
            })
            .map_err(|e| e.to_string())?;
        // A state not yet migrated to schema 4 has had no drill.
        let drills = match s.schema_version().map_err(|e| e.to_string())? {
            Some(v) if v >= 4 => s.last_drills().map_err(|e| e.to_string())?,
            _ => Vec::new(),
        };
        Ok((locks, backups, drills))
    });
    let (locks, backups, drills) = match read {
        Ok(r) => r,
        Err(e) => {
            eprintln!("starsnap: {e}");
            return exit::FAILURE;
        }
    };
    let held: Vec<_> = locks
        .iter()
        .filter(|l| matches!(l.status, LockStatus::Held | LockStatus::Expired))
        .collect();
    let running: Vec<_> = backups
        .iter()
        .filter(|b| matches!(b.state, BackupState::Submitted | BackupState::Running))
        .collect();
    if args.format.json() {
        let v = serde_json::json!({
            "locks": held.iter().map(|l| serde_json::json!({
                "database": l.database,
                "status": l.status.as_str(),
                "holder": l.actor.holder,
                "host": l.actor.host,
                "pid": l.actor.pid,
                "since": format_utc(l.started_ms),
                "until": format_utc(l.expires_ms),
                "lock_id": l.lock_id,
            })).collect::<Vec<_>>(),
            "jobs": running.iter().map(|b| serde_json::json!({
                "database": b.database,
                "label": b.label,
                "state": b.job_state.as_deref().unwrap_or(state_name(b.state)),
                "submitted_at": format_utc(b.submitted_ms),
            })).collect::<Vec<_>>(),
            "drills": drills.iter().map(|d| serde_json::json!({
                "group": d.group,
                "database": d.database,
                "result": d.result,
                "point": d.point,
                "tip_set": d.tip_set,
                "failed_set": d.failed_set,
                "message": d.message,
                "rto_ms": d.rto_ms,
                "at": format_utc(d.started_ms),
            })).collect::<Vec<_>>(),
        });
        out::print(&format!("{v}\n"));
        return exit::OK;
    }
    let mut text = String::from("Locks:\n");
    if held.is_empty() {
        text.push_str("  none\n");
    }
    for l in held {
        text.push_str(&format!(
            "  {}\t{}\t{}@{} (pid {})\tsince {}\tuntil {}\tlock id {}\n",
            l.database,
            l.status.as_str(),
            l.actor.holder,
            l.actor.host,
            l.actor.pid,
            format_utc(l.started_ms),
            format_utc(l.expires_ms),
            l.lock_id
        ));
    }
    text.push_str("Jobs not ended:\n");
    if running.is_empty() {
        text.push_str("  none\n");
    }
    for b in running {
        text.push_str(&format!(
            "  {}\t{}\t{}\tsubmitted {}\n",
            b.database,
            b.label,
            b.job_state.as_deref().unwrap_or(state_name(b.state)),
            format_utc(b.submitted_ms)
        ));
    }
    text.push_str("Last drill per group:\n");
    if drills.is_empty() {
        text.push_str("  none (run `starsnap drill`)\n");
    }
    for d in drills {
        let rto = d
            .rto_ms
            .map(|ms| format!("\tRTO {:.1} s", ms as f64 / 1000.0))
            .unwrap_or_default();
        let why = match (&d.failed_set, &d.message) {
            (_, Some(m)) if !d.passed() => format!("\t{m}"),
            _ => String::new(),
        };
        text.push_str(&format!(
            "  {}\t{}\t{}\t{}{rto}{why}\n",
            d.group,
            if d.database.is_empty() {
                "-"
            } else {
                &d.database
            },
            d.result,
            format_utc(d.started_ms),
        ));
    }
    out::print(&text);
    exit::OK
}
