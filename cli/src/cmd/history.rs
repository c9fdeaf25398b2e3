//! `starsnap history [--format text|json] [--restores]` (the backups — or restores — the state
//! records, newest first) and
//! `starsnap status` (locks in force, jobs not yet ended, each group's last drill).
//!
//! Text is an aligned table with human sizes (`1.2 GiB`) on a terminal (`comfy-table`), and
//! tab-separated columns with exact numbers otherwise, stable for scripts. JSON:
//! `grammar/history-output.schema.json` (one object per line) and
//! `grammar/status-output.schema.json` (one object).

use std::io::IsTerminal;

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
        "backup_time_ms": b.backup_time_ms,
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
            crate::out::error(e);
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
        let rows = restores.iter().map(|r| {
            vec![
                r.targets.join(","),
                r.mode.clone(),
                r.snapshots.join(","),
                r.state.clone(),
                r.verification.clone(),
                format_utc(r.started_ms),
                r.ended_ms.map_or("-".into(), format_utc),
                r.fingerprint.chars().take(12).collect::<String>(),
            ]
        });
        text.push_str(&table(
            &[
                "TARGETS",
                "MODE",
                "SNAPSHOTS",
                "STATE",
                "VERIFICATION",
                "STARTED",
                "ENDED",
                "PLAN",
            ],
            &[],
            rows,
            stdout_terminal(),
        ));
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
            crate::out::error(e);
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
        let terminal = stdout_terminal();
        let rows = backups.iter().map(|b| {
            vec![
                b.label.clone(),
                b.group.clone(),
                b.database.clone(),
                b.kind.as_str().to_string(),
                b.parent.clone().unwrap_or_else(|| "-".into()),
                state_name(b.state).to_string(),
                b.snapshot_timestamp.clone().unwrap_or_else(|| "-".into()),
                b.partition_count.map_or("-".into(), |n| n.to_string()),
                b.data_size.map_or("-".into(), |n| {
                    if terminal {
                        human_size(n)
                    } else {
                        n.to_string()
                    }
                }),
                format_utc(b.submitted_ms),
                b.finished_ms.map_or("-".into(), format_utc),
            ]
        });
        text.push_str(&table(
            &[
                "LABEL",
                "GROUP",
                "DATABASE",
                "KIND",
                "PARENT",
                "STATE",
                "SNAPSHOT",
                "PARTITIONS",
                "SIZE",
                "SUBMITTED",
                "FINISHED",
            ],
            &[7, 8],
            rows,
            terminal,
        ));
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
            crate::out::error(e);
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
    let terminal = stdout_terminal();
    let mut text = String::from("Locks:\n");
    if held.is_empty() {
        text.push_str("  none\n");
    } else {
        let rows = held.iter().map(|l| {
            vec![
                l.database.clone(),
                l.status.as_str().to_string(),
                format!("{}@{}", l.actor.holder, l.actor.host),
                l.actor.pid.to_string(),
                format_utc(l.started_ms),
                format_utc(l.expires_ms),
                l.lock_id.to_string(),
            ]
        });
        text.push_str(&table(
            &[
                "DATABASE", "STATUS", "HOLDER", "PID", "SINCE", "UNTIL", "LOCK ID",
            ],
            &[3],
            rows,
            terminal,
        ));
    }
    text.push_str("Jobs not ended:\n");
    if running.is_empty() {
        text.push_str("  none\n");
    } else {
        let rows = running.iter().map(|b| {
            vec![
                b.database.clone(),
                b.label.clone(),
                b.job_state
                    .clone()
                    .unwrap_or_else(|| state_name(b.state).to_string()),
                format_utc(b.submitted_ms),
            ]
        });
        text.push_str(&table(
            &["DATABASE", "LABEL", "STATE", "SUBMITTED"],
            &[],
            rows,
            terminal,
        ));
    }
    text.push_str("Last drill per group:\n");
    if drills.is_empty() {
        text.push_str("  none (run `starsnap drill`)\n");
    } else {
        let rows = drills.iter().map(|d| {
            vec![
                d.group.clone(),
                if d.database.is_empty() {
                    "-".to_string()
                } else {
                    d.database.clone()
                },
                d.result.clone(),
                format_utc(d.started_ms),
                d.rto_ms
                    .map_or("-".to_string(), |ms| format!("{:.1} s", ms as f64 / 1000.0)),
                match &d.message {
                    Some(m) if !d.passed() => m.clone(),
                    _ => String::new(),
                },
            ]
        });
        text.push_str(&table(
            &["GROUP", "DATABASE", "RESULT", "AT", "RTO", "MESSAGE"],
            &[],
            rows,
            terminal,
        ));
    }
    out::print(&text);
    exit::OK
}

fn stdout_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Rows under `header`: on a terminal an aligned table (`right`: the columns aligned right,
/// numbers), otherwise one tab-separated line per row — the same columns, stable for scripts.
fn table(
    header: &[&str],
    right: &[usize],
    rows: impl Iterator<Item = Vec<String>>,
    terminal: bool,
) -> String {
    if !terminal {
        let mut text = header.join("\t");
        text.push('\n');
        for row in rows {
            text.push_str(&row.join("\t"));
            text.push('\n');
        }
        return text;
    }
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::NOTHING)
        .set_header(header.to_vec());
    for row in rows {
        t.add_row(row);
    }
    for &i in right {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
    let mut text = String::new();
    for line in t.lines() {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// Bytes for a person: `512 B`, `1.2 GiB` (binary units, one decimal).
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value.abs() >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_for_people() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(1_288_490_189), "1.2 GiB");
    }

    #[test]
    fn tables_align_on_a_terminal_and_are_tab_separated_otherwise() {
        let rows = || {
            vec![
                vec!["a".to_string(), "7".to_string()],
                vec!["longer".to_string(), "1234".to_string()],
            ]
            .into_iter()
        };
        assert_eq!(
            table(&["NAME", "N"], &[1], rows(), false),
            "NAME\tN\na\t7\nlonger\t1234\n"
        );
        let shown = table(&["NAME", "N"], &[1], rows(), true);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 3, "{shown}");
        // The numbers end in the same column.
        assert_eq!(lines[1].len(), lines[2].len(), "{shown}");
        assert!(
            lines[1].ends_with(" 7") && lines[2].ends_with("1234"),
            "{shown}"
        );
    }
}
