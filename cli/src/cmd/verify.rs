//! `starsnap verify`: proof that the repository still holds what the history says.
//!
//! For every finished set in the history (or one label, or one group), SHOW SNAPSHOT must list
//! each of its labels with status `OK` and the timestamp the history recorded. Where starsnap
//! reaches the repository's storage (`starsnap_runtime::snapshot_objects`, opened as the policy
//! describes the repository), every object of each snapshot must be there too: the
//! `__info_<ts>` file of the recorded timestamp, a `__meta` file, every data file the job info
//! names (read through the repository layout module, StarRocks's `BackupJobInfo` or the
//! simulator's), and every object the set's manifest recorded when the backup finished, with
//! its recorded size. `--deep` also downloads each object whose name carries StarRocks's
//! `.<md5>` checksum and compares. A repository starsnap cannot reach is checked by SHOW
//! SNAPSHOT only, and the report says why. A broken set is marked
//! `broken` in the state, so the next plan starts a new full (`parent_missing`) instead of
//! extending its chain. Exit 1 names each broken set and what is missing.
//! JSON output: `grammar/verify-output.schema.json`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use starsnap_compiler::catalog::Snapshot;
use starsnap_runtime::repo::layout;
use starsnap_runtime::repo::sets::{LabelManifest, SetManifest};
use starsnap_runtime::snapshot_objects::{ObjectsError, SnapshotObject, SnapshotStore};
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
    /// Also download every object whose name carries a checksum (`<name>.<md5>`) and compare.
    #[arg(long)]
    pub deep: bool,
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
    /// Empty for a set of external catalogs (`catalogs` names them).
    database: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    catalogs: Vec<String>,
    repository: String,
    ok: bool,
    /// What is missing, one line each (empty when whole).
    missing: Vec<String>,
    /// Whether objects were checked (the object-store module reached the repository).
    objects_checked: bool,
    /// Objects listed in the repository for the set's snapshots.
    objects: usize,
    /// Checksums compared (`--deep`).
    checksums: usize,
    /// Why the objects were not checked.
    objects_note: Option<String>,
}

/// What the repository's objects say about one set.
#[derive(Default)]
struct ObjectsCheck {
    missing: Vec<String>,
    objects: usize,
    checksums: usize,
}

/// Checks the objects of every label of a set: the info file of the recorded timestamp, a
/// meta file, the data files the job info names, the manifest's recorded objects and sizes,
/// and with `deep` every checksum in a name. Store errors fail verify (not the set).
fn check_objects(
    store: &SnapshotStore,
    set: &str,
    labels: &[&BackupEntry],
    deep: bool,
) -> Result<ObjectsCheck, String> {
    let mut out = ObjectsCheck::default();
    let recorded: Vec<LabelManifest> = match store
        .repository()
        .set_manifest(set)
        .map_err(|e| e.to_string())?
    {
        Some(bytes) => SetManifest::from_json(&bytes)
            .map(|m| m.labels)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    for b in labels {
        let path = store.path(&b.label);
        let listed = store.list_snapshot(&b.label).map_err(|e| e.to_string())?;
        out.objects += listed.len();
        if listed.is_empty() {
            out.missing
                .push(format!("snapshot `{}`: no object under {path}", b.label));
            continue;
        }
        let name = |o: &SnapshotObject| o.path.rsplit('/').next().unwrap_or("").to_string();
        if let Some(ts) = &b.snapshot_timestamp {
            match listed
                .iter()
                .find(|o| !o.path.contains('/') && layout::is_info_of(&o.path, ts))
            {
                None => out.missing.push(format!(
                    "snapshot `{}`: object {path}{}{ts} is missing",
                    b.label,
                    layout::INFO_PREFIX
                )),
                Some(info) => {
                    let bytes = store
                        .read(&b.label, &info.path)
                        .map_err(|e| e.to_string())?
                        .unwrap_or_default();
                    match layout::job_info_files(&bytes) {
                        Ok(files) => {
                            for f in files {
                                if !listed.iter().any(|o| layout::is_file(&o.path, &f)) {
                                    out.missing.push(format!(
                                        "snapshot `{}`: object {path}{f} is missing",
                                        b.label
                                    ));
                                }
                            }
                        }
                        Err(e) => out.missing.push(format!(
                            "snapshot `{}`: {path}{} cannot be read: {e}",
                            b.label, info.path
                        )),
                    }
                }
            }
        }
        if !listed
            .iter()
            .any(|o| !o.path.contains('/') && name(o).starts_with(layout::META_PREFIX))
        {
            out.missing.push(format!(
                "snapshot `{}`: object {path}{}.<md5> is missing",
                b.label,
                layout::META_PREFIX
            ));
        }
        for f in recorded
            .iter()
            .filter(|l| l.label == b.label)
            .flat_map(|l| &l.files)
        {
            match listed.iter().find(|o| o.path == f.path) {
                None => {
                    let line =
                        format!("snapshot `{}`: object {path}{} is missing", b.label, f.path);
                    if !out.missing.contains(&line) {
                        out.missing.push(line);
                    }
                }
                Some(o) if o.size != f.size => out.missing.push(format!(
                    "snapshot `{}`: object {path}{} has {} bytes, {} were recorded",
                    b.label, f.path, o.size, f.size
                )),
                Some(_) => {}
            }
        }
        if deep {
            for o in &listed {
                let Some(sum) = layout::name_checksum(&o.path) else {
                    continue;
                };
                let bytes = store.read(&b.label, &o.path).map_err(|e| e.to_string())?;
                out.checksums += 1;
                match bytes {
                    Some(bytes) if layout::md5_hex(&bytes).eq_ignore_ascii_case(sum) => {}
                    Some(_) => out.missing.push(format!(
                        "snapshot `{}`: object {path}{} does not match its checksum",
                        b.label, o.path
                    )),
                    None => out.missing.push(format!(
                        "snapshot `{}`: object {path}{} is missing",
                        b.label, o.path
                    )),
                }
            }
        }
    }
    Ok(out)
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
    let access = super::apply::repository_access(&policy);
    let redactor = super::apply::redactor(&policy);
    let mut stores: BTreeMap<String, Result<SnapshotStore, String>> = BTreeMap::new();
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
        let mut missing: Vec<String> = labels
            .iter()
            .filter_map(|b| check_label(b, snaps))
            .collect();
        if !stores.contains_key(repository) {
            let env = |n: &str| std::env::var(n).ok();
            let names: Vec<&str> = labels.iter().map(|b| b.label.as_str()).collect();
            let opened =
                SnapshotStore::open(repository, None, access.get(repository), &env, &names)
                    .map_err(|e| match e {
                        ObjectsError::Unreachable { why, .. } => why,
                        other => other.to_string(),
                    });
            stores.insert(repository.clone(), opened);
        }
        let (mut objects_checked, mut objects, mut checksums, mut objects_note) =
            (false, 0, 0, None);
        match stores.get(repository) {
            Some(Ok(store)) => match check_objects(store, set, labels, args.deep) {
                Ok(c) => {
                    objects_checked = true;
                    objects = c.objects;
                    checksums = c.checksums;
                    missing.extend(c.missing);
                }
                Err(e) => {
                    eprintln!("starsnap: {}", redactor.redact(&e));
                    return exit::FAILURE;
                }
            },
            Some(Err(why)) => objects_note = Some(redactor.redact(why)),
            None => {}
        }
        let first = labels.first();
        reports.push(SetReport {
            set: set.clone(),
            group: first.map(|b| b.group.clone()).unwrap_or_default(),
            database: first.map(|b| b.database.clone()).unwrap_or_default(),
            catalogs: {
                let mut c: Vec<String> = labels.iter().flat_map(|b| b.catalogs.clone()).collect();
                c.sort();
                c.dedup();
                c
            },
            repository: repository.clone(),
            ok: missing.is_empty(),
            missing,
            objects_checked,
            objects,
            checksums,
            objects_note,
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
                // `group/database`, or for a catalog set the catalogs it holds.
                let of = if r.database.is_empty() {
                    format!("{}, external catalogs {}", r.group, r.catalogs.join(", "))
                } else {
                    format!("{}/{}", r.group, r.database)
                };
                if r.ok {
                    t.push_str(&format!("ok      {} ({of})\n", r.set));
                } else {
                    t.push_str(&format!("BROKEN  {} ({of})\n", r.set));
                    for m in &r.missing {
                        t.push_str(&format!("        {m}\n"));
                    }
                }
            }
            let mut noted = std::collections::BTreeSet::new();
            for r in &reports {
                if let Some(why) = &r.objects_note {
                    if noted.insert(&r.repository) {
                        t.push_str(&format!(
                            "objects of repository `{}` not checked (SHOW SNAPSHOT only): {why}\n",
                            r.repository
                        ));
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
