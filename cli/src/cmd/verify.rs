//! `starsnap verify`: proof that the repository still holds what the history says.
//!
//! For every finished set in the history (or one label, or one group), SHOW SNAPSHOT must list
//! each of its labels with status `OK` and the timestamp the history recorded; where starsnap
//! can list the repository's objects (`starsnap_runtime::snapshot_objects::list_snapshot`; not
//! yet for any repository), every object of the snapshot must be there too. A broken set is marked
//! `broken` in the state, so the next plan starts a new full (`parent_missing`) instead of
//! extending its chain. Exit 1 names each broken set and what is missing.
//! JSON output: `grammar/verify-output.schema.json`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use starsnap_compiler::catalog::Snapshot;
use starsnap_runtime::snapshot_objects;
use starsnap_runtime::state::retention::{EventContext, RetentionEvent};
use starsnap_runtime::state::{BackupEntry, BackupState, HistoryFilter};

use super::apply::load_policy;
use crate::{exit, out};

/// `verify` arguments.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The policy file ([cluster], [state], repositories).
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only the set holding this snapshot label.
    #[arg(long, conflicts_with_all = ["group", "all"])]
    pub label: Option<String>,
    /// Only the sets of this group.
    #[arg(long, conflicts_with = "all")]
    pub group: Option<String>,
    /// Every finished set (the default).
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// One checked set.
#[derive(Debug, serde::Serialize)]
struct SetReport {
    set: String,
    group: String,
    database: String,
    repository: String,
    ok: bool,
    /// What is missing, one line each (empty when whole).
    missing: Vec<String>,
    /// Whether objects were checked (the object-store module reached the repository).
    objects_checked: bool,
}

/// What is wrong with one label, or `None` when SHOW SNAPSHOT holds it as recorded.
fn check_label(b: &BackupEntry, listed: &[Snapshot]) -> Option<String> {
    let Some(s) = listed.iter().find(|s| s.label == b.label) else {
        return Some(format!(
            "snapshot `{}` is not in repository `{}` (SHOW SNAPSHOT does not list it)",
            b.label, b.repository
        ));
    };
    if s.status.trim() != "OK" {
        return Some(format!(
            "snapshot `{}` is listed with status `{}`",
            b.label,
            s.status.trim()
        ));
    }
    match &b.snapshot_timestamp {
        Some(ts) if !s.timestamps.iter().any(|t| t == ts) => Some(format!(
            "snapshot `{}` has no timestamp {ts} (the repository lists {})",
            b.label,
            s.timestamps.join(", ")
        )),
        _ => None,
    }
}

pub fn run(args: VerifyArgs) -> i32 {
    let policy = match load_policy(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut store = match super::state::open_store(&policy) {
        Ok(s) => s,
        Err(e) => {
            crate::out::error(e);
            return exit::FAILURE;
        }
    };
    let filter = HistoryFilter {
        group: args.group.clone(),
        ..HistoryFilter::default()
    };
    let backups = match store.list_backups(&filter) {
        Ok(b) => b,
        Err(e) => {
            crate::out::error(e);
            return exit::FAILURE;
        }
    };
    let mut cluster = match super::project::connect(&policy) {
        Ok(c) => c,
        Err(e) => {
            crate::out::error(e);
            return exit::FAILURE;
        }
    };
    // Sets: (repository, set) → labels, finished sets only.
    let wanted_set = args.label.as_ref().and_then(|l| {
        backups
            .iter()
            .find(|b| &b.label == l)
            .map(|b| (b.repository.clone(), b.set.clone()))
    });
    if args.label.is_some() && wanted_set.is_none() {
        return super::usage_error(format!(
            "no backup with label `{}` in the history",
            args.label.as_deref().unwrap_or("")
        ));
    }
    let mut sets: BTreeMap<(String, String), Vec<&BackupEntry>> = BTreeMap::new();
    for b in backups.iter().filter(|b| b.state == BackupState::Finished) {
        let key = (b.repository.clone(), b.set.clone());
        if wanted_set.as_ref().is_some_and(|w| w != &key) {
            continue;
        }
        sets.entry(key).or_default().push(b);
    }
    let mut listed: BTreeMap<String, Vec<Snapshot>> = BTreeMap::new();
    let mut reports = Vec::new();
    for ((repository, set), labels) in &sets {
        if !listed.contains_key(repository) {
            match starsnap_runtime::inspect::snapshots(&mut cluster, repository) {
                Ok(s) => {
                    listed.insert(repository.clone(), s);
                }
                Err(e) => {
                    crate::out::error(format!("SHOW SNAPSHOT ON {repository}: {e}"));
                    return exit::FAILURE;
                }
            }
        }
        let snaps = listed.get(repository).map(Vec::as_slice).unwrap_or(&[]);
        let location = policy
            .repositories
            .iter()
            .find(|r| &r.name == repository)
            .map(|r| r.location.clone());
        let mut missing: Vec<String> = labels
            .iter()
            .filter_map(|b| check_label(b, snaps))
            .collect();
        let mut objects_checked = false;
        if let Some(loc) = &location {
            for b in labels {
                if let Some(objects) = snapshot_objects::list_snapshot(loc, repository, &b.label) {
                    objects_checked = true;
                    if objects.is_empty() {
                        missing.push(format!(
                            "no object under {}",
                            snapshot_objects::snapshot_path(loc, repository, &b.label)
                        ));
                    }
                }
            }
        }
        let first = labels.first();
        reports.push(SetReport {
            set: set.clone(),
            group: first.map(|b| b.group.clone()).unwrap_or_default(),
            database: first.map(|b| b.database.clone()).unwrap_or_default(),
            repository: repository.clone(),
            ok: missing.is_empty(),
            missing,
            objects_checked,
        });
    }
    // Mark broken sets in the state: the planner then restarts their chains with a full.
    for r in reports.iter().filter(|r| !r.ok) {
        let ctx = EventContext {
            run_id: format!(
                "verify-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .unwrap_or(0)
            ),
            plan_fingerprint: None,
            detail: r.missing.join("; "),
        };
        for b in sets
            .get(&(r.repository.clone(), r.set.clone()))
            .into_iter()
            .flatten()
        {
            if let Err(e) = store.mark_backup(&r.repository, &b.label, RetentionEvent::Broken, &ctx)
            {
                crate::out::error(format!("could not mark `{}` broken: {e}", b.label));
                return exit::FAILURE;
            }
        }
    }
    let broken = reports.iter().filter(|r| !r.ok).count();
    let text = match args.format {
        Format::Json => {
            let v = serde_json::json!({
                "ok": broken == 0,
                "checked": reports.len(),
                "broken": broken,
                "sets": reports,
            });
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        Format::Text => {
            let mut t = String::new();
            for r in &reports {
                if r.ok {
                    t.push_str(&format!("ok      {} ({}/{})\n", r.set, r.group, r.database));
                } else {
                    t.push_str(&format!("BROKEN  {} ({}/{})\n", r.set, r.group, r.database));
                    for m in &r.missing {
                        t.push_str(&format!("        {m}\n"));
                    }
                }
            }
            t.push_str(&format!(
                "{} sets checked, {broken} broken{}\n",
                reports.len(),
                if broken > 0 {
                    ": the next plan starts a new full for each broken chain"
                } else {
                    ""
                }
            ));
            t
        }
    };
    out::print(&text);
    if broken > 0 {
        exit::FAILURE
    } else {
        exit::OK
    }
}
