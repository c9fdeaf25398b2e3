//! `starsnap init` (create or migrate the state) and `starsnap unlock LOCK_ID` (break a lease
//! a dead run left behind). Both read only `[cluster]` and `[state]` of the policy file.

use std::path::PathBuf;

use super::apply::{actor, load_policy, open_state};
use crate::{exit, out};

/// `init` arguments.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The policy file: only its [cluster] and [state] sections are read.
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Rebuild the history of a new, empty state store from the set manifests apply wrote
    /// into repository NAME (disaster recovery). Each set is confirmed against SHOW
    /// SNAPSHOT; sets whose snapshots are gone are skipped and listed. Reads the policy's
    /// [repository.NAME] too (its location, properties and key variables).
    #[arg(long = "from-repository", value_name = "NAME")]
    pub from_repository: Option<String>,
    /// Back-fill: write the set manifest of every finished set of the history whose
    /// repository lacks one (sets made before starsnap wrote manifests), so the repository
    /// alone describes them. Each set is confirmed against SHOW SNAPSHOT first; manifests
    /// already there are left as they are. Reads the policy's repositories too.
    #[arg(long, conflicts_with = "from_repository")]
    pub write_manifests: bool,
}

/// `unlock` arguments.
#[derive(Debug, clap::Args)]
pub struct UnlockArgs {
    /// The lock id `starsnap status` (or the lock-held error) shows.
    pub lock_id: String,
    /// The policy file: only its [cluster] and [state] sections are read.
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub fn run_init(args: InitArgs) -> i32 {
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
    match store.init() {
        Ok(report) => {
            let applied = if report.applied.is_empty() {
                "already current".to_string()
            } else {
                format!(
                    "applied migrations {}",
                    report
                        .applied
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            out::print(&format!(
                "State database `{}`: schema version {} ({applied}).\n",
                policy.state.database, report.version
            ));
            if args.write_manifests {
                return match write_manifests(&policy, &mut store) {
                    Ok(text) => {
                        out::print(&text);
                        exit::OK
                    }
                    Err(e) => {
                        eprintln!("starsnap: {}", super::apply::redactor(&policy).redact(&e));
                        exit::FAILURE
                    }
                };
            }
            match &args.from_repository {
                None => exit::OK,
                Some(name) => match from_repository(&policy, &mut store, name) {
                    Ok(text) => {
                        out::print(&text);
                        exit::OK
                    }
                    Err(e) => {
                        crate::out::error(super::apply::redactor(&policy).redact(&e));
                        exit::FAILURE
                    }
                },
            }
        }
        Err(e) => {
            crate::out::error(e);
            exit::FAILURE
        }
    }
}

/// Rebuilds an empty history from repository `name`'s set manifests, confirmed against
/// SHOW SNAPSHOT. Returns what it did, for stdout.
fn from_repository(
    policy: &starsnap_compiler::policy::Policy,
    store: &mut starsnap_runtime::StateStore,
    name: &str,
) -> Result<String, String> {
    use starsnap_runtime::repo::sets::{confirm, SetManifest};
    use std::collections::BTreeMap;

    let recorded = store
        .list_backups(&starsnap_runtime::state::HistoryFilter {
            limit: Some(1),
            ..Default::default()
        })
        .map_err(|e| e.to_string())?;
    if !recorded.is_empty() {
        return Err(format!(
            "the state database `{}` already holds history; --from-repository rebuilds only an empty one",
            policy.state.database
        ));
    }
    let access = super::apply::repository_access(policy);
    let access = access
        .get(name)
        .ok_or_else(|| format!("the policy has no [repository.{name}]"))?;
    let mut cluster = super::project::connect(policy)?;
    let location = starsnap_runtime::inspect::repository_location(&mut cluster, name)
        .map_err(|e| e.to_string())?;
    let snapshots: BTreeMap<String, Vec<String>> =
        starsnap_runtime::inspect::snapshots(&mut cluster, name)
            .map_err(|e| format!("SHOW SNAPSHOT ON {name}: {e}"))?
            .into_iter()
            .map(|s| (s.label, s.timestamps))
            .collect();
    let env = |n: &str| std::env::var(n).ok();
    let repo = access.open(name, location.as_deref(), &env)?;
    let read: Vec<_> = repo
        .set_manifests()
        .map_err(|e| format!("reading repository `{name}`: {e}"))?
        .into_iter()
        .map(|(set, bytes)| (set, SetManifest::from_json(&bytes)))
        .collect();
    let found = read.len();
    let (sets, skipped) = confirm(read, &snapshots);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let run_id = starsnap_runtime::state::new_run_id(now);
    let mut labels = 0;
    for set in &sets {
        for (mut entry, rows) in set.to_entries(&run_id) {
            // The repository as this cluster names it.
            entry.repository = name.to_string();
            store
                .record_imported(&entry, &rows)
                .map_err(|e| format!("set `{}`: {e}", set.set))?;
            labels += 1;
        }
    }
    let mut text = format!(
        "Rebuilt {} set(s) ({labels} label(s)) from repository `{name}` ({found} manifest(s) found).\n",
        sets.len()
    );
    for s in &skipped {
        text.push_str(&format!("Skipped set `{}`: {}\n", s.set, s.reason));
    }
    if found == 0 {
        text.push_str(
            "The repository holds no set manifest (sets made before starsnap wrote them, or a repository starsnap cannot reach).\n",
        );
    }
    Ok(text)
}

/// Back-fill: writes the manifest of every finished set of the history that its repository
/// lacks, once SHOW SNAPSHOT confirms every label of it. Returns what it did, for stdout.
fn write_manifests(
    policy: &starsnap_compiler::policy::Policy,
    store: &mut starsnap_runtime::StateStore,
) -> Result<String, String> {
    use starsnap_compiler::catalog::BackupState;
    use starsnap_runtime::repo::sets::SetManifest;
    use std::collections::{BTreeMap, BTreeSet};

    let entries = store
        .list_backups(&starsnap_runtime::state::HistoryFilter::default())
        .map_err(|e| e.to_string())?;
    // (repository, database, set) → its labels.
    let mut sets: BTreeMap<(String, String, String), Vec<starsnap_runtime::state::BackupEntry>> =
        BTreeMap::new();
    for e in entries {
        if e.database.is_empty() {
            continue; // external-catalog backups hold no chain
        }
        sets.entry((e.repository.clone(), e.database.clone(), e.set.clone()))
            .or_default()
            .push(e);
    }
    let access = super::apply::repository_access(policy);
    let mut cluster = super::project::connect(policy)?;
    let mut text = String::new();
    let repositories: BTreeSet<String> = sets.keys().map(|(r, _, _)| r.clone()).collect();
    for name in repositories {
        let Some(access) = access.get(&name) else {
            text.push_str(&format!(
                "Repository `{name}`: not in the policy; no manifest written.\n"
            ));
            continue;
        };
        let location = starsnap_runtime::inspect::repository_location(&mut cluster, &name)
            .map_err(|e| e.to_string())?;
        let Some(location) = location else {
            text.push_str(&format!(
                "Repository `{name}`: the cluster does not have it; no manifest written.\n"
            ));
            continue;
        };
        let env = |n: &str| std::env::var(n).ok();
        let repo = match access.open(&name, Some(&location), &env) {
            Ok(r) => r,
            Err(why) => {
                text.push_str(&format!(
                    "Repository `{name}`: {why}; no manifest written.\n"
                ));
                continue;
            }
        };
        let present: BTreeSet<String> = repo
            .set_manifests()
            .map_err(|e| format!("reading repository `{name}`: {e}"))?
            .into_iter()
            .map(|(set, _)| set)
            .collect();
        let listed: BTreeMap<String, Vec<String>> =
            starsnap_runtime::inspect::snapshots(&mut cluster, &name)
                .map_err(|e| format!("SHOW SNAPSHOT ON {name}: {e}"))?
                .into_iter()
                .map(|s| (s.label, s.timestamps))
                .collect();
        let (mut written, mut already, mut skipped) = (0, 0, Vec::new());
        for ((repo_name, _, set), labels) in sets.iter().filter(|((r, _, _), _)| *r == name) {
            if present.contains(set) {
                already += 1;
                continue;
            }
            if labels.iter().any(|l| l.state != BackupState::Finished) {
                continue; // not finished, expired or broken: nothing to describe
            }
            let unlisted: Vec<&str> = labels
                .iter()
                .filter(|l| {
                    !l.snapshot_timestamp
                        .as_ref()
                        .is_some_and(|ts| listed.get(&l.label).is_some_and(|t| t.contains(ts)))
                })
                .map(|l| l.label.as_str())
                .collect();
            if !unlisted.is_empty() {
                skipped.push(format!(
                    "set `{set}`: SHOW SNAPSHOT does not list {}",
                    unlisted.join(", ")
                ));
                continue;
            }
            let mut with_rows = Vec::new();
            for l in labels {
                let rows = store
                    .manifest(repo_name, &l.label)
                    .map_err(|e| e.to_string())?;
                with_rows.push((l.clone(), rows));
            }
            let Some(manifest) = SetManifest::from_entries(&with_rows) else {
                skipped.push(format!("set `{set}`: not every label of it is recorded"));
                continue;
            };
            manifest
                .to_json()
                .and_then(|bytes| {
                    repo.put_set_manifest(set, &bytes)
                        .map_err(|e| e.to_string())
                })
                .map_err(|e| format!("writing the manifest of set `{set}` to `{name}`: {e}"))?;
            written += 1;
        }
        text.push_str(&format!(
            "Repository `{name}`: wrote {written} set manifest(s), {already} already there.\n"
        ));
        for s in skipped {
            text.push_str(&format!("  skipped {s}\n"));
        }
    }
    if text.is_empty() {
        text.push_str("The history holds no finished set.\n");
    }
    Ok(text)
}

pub fn run_unlock(args: UnlockArgs) -> i32 {
    let policy = match load_policy(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut store = match open_state(&policy) {
        Ok(s) => s,
        Err(e) => {
            crate::out::error(e);
            return exit::FAILURE;
        }
    };
    match store.break_lock(&args.lock_id, &actor()) {
        Ok(info) => {
            out::print(&format!(
                "Broke lock {} of database `{}` (held by {}@{}, pid {}).\n",
                info.lock_id, info.database, info.actor.holder, info.actor.host, info.actor.pid
            ));
            exit::OK
        }
        Err(e) => {
            crate::out::error(e);
            exit::FAILURE
        }
    }
}
