//! The planner: policy + hand-written statements + observed catalog + `as_of` → a [`Plan`].
//! Pure and deterministic (invariant 1): it reads a normalized copy of the catalog, sorts
//! everything it emits, and takes the time only from `as_of`.
//!
//! Order of steps: repositories to create, then each group's backups (groups and databases
//! by name; a set split into chunks in chunk order), then hand-written statements in file
//! order. `depends_on` makes every ordering constraint explicit for apply.

mod chain;
mod emit;
mod expire;
mod fingerprint;
pub(crate) mod handwritten;
pub mod retention;
mod select;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{BackupKind, ObservedCatalog};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::LintOptions;
use crate::plan::{
    LabelRef, Observed, ObservedPartition, ObservedRepository, ObservedTable, Plan, Reason, Step,
    Summary, FORMAT_VERSION,
};
use crate::policy::{self, codes, Policy};
use crate::syntax::Dialect;
use crate::time::Timestamp;

pub use chain::{chain_members, current_chain, decide, missing_snapshot, Chain, Decision};
pub use emit::create_repository_step;

/// A `[[statement]]` file's contents, named by the path exactly as the policy writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementFile {
    pub path: String,
    pub text: String,
}

/// Everything a plan is made from. The CLI reads the files; the compiler reads nothing.
#[derive(Clone, Debug)]
pub struct PlanInputs {
    /// How findings name the policy file (e.g. `starsnap.toml`).
    pub policy_path: String,
    pub policy_text: String,
    pub statement_files: Vec<StatementFile>,
    /// The observed cluster, history included (`catalog.history`).
    pub catalog: ObservedCatalog,
    pub as_of: Timestamp,
}

/// The findings of one file (spans are byte offsets into that file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiagnostics {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// A plan and the warnings found while making it.
#[derive(Clone, Debug)]
pub struct Planned {
    pub plan: Plan,
    pub warnings: Vec<FileDiagnostics>,
}

/// The StarRocks dialect of a `@@version_comment` (`3.4.5-abc` → 3.4); 3.4 when unknown.
pub fn dialect_of_version(version: &str) -> Dialect {
    known_dialect(version).unwrap_or_default()
}

/// The dialect of a `@@version_comment`, if it names a StarRocks version at all.
pub fn known_dialect(version: &str) -> Option<Dialect> {
    let mut parts = version.split(['.', '-']);
    let major = parts.next().and_then(|p| p.trim().parse::<u32>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
    Some(match (major, minor) {
        (Some(0..=2), _) | (Some(3), Some(0..=3)) => Dialect::StarRocks3_3,
        (Some(3), Some(4)) => Dialect::StarRocks3_4,
        (Some(3), Some(_)) => Dialect::StarRocks3_5,
        (Some(4), Some(0)) => Dialect::StarRocks4_0,
        (Some(4), Some(1)) => Dialect::StarRocks4_1,
        (Some(4), Some(_)) | (Some(5..), _) => Dialect::StarRocks4_2,
        _ => return None,
    })
}

/// The grammar statements are checked against, and the one SQL is printed for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dialects {
    pub check: Dialect,
    pub print: Dialect,
}

struct Files {
    by_path: BTreeMap<String, Vec<Diagnostic>>,
}

impl Files {
    fn push(&mut self, path: &str, d: Diagnostic) {
        self.by_path.entry(path.to_string()).or_default().push(d);
    }
    fn extend(&mut self, path: &str, ds: Vec<Diagnostic>) {
        if !ds.is_empty() {
            self.by_path.entry(path.to_string()).or_default().extend(ds);
        }
    }
    fn has_errors(&self) -> bool {
        self.by_path
            .values()
            .flatten()
            .any(|d| d.severity == Severity::Error)
    }
    fn into_vec(self) -> Vec<FileDiagnostics> {
        self.by_path
            .into_iter()
            .map(|(path, mut diagnostics)| {
                diagnostics.sort_by(|a, b| {
                    (a.span.start, &a.code, &a.message).cmp(&(b.span.start, &b.code, &b.message))
                });
                FileDiagnostics { path, diagnostics }
            })
            .collect()
    }
}

/// The manifest rows of one backup a plan needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestNeed {
    pub repository: String,
    pub label: String,
    /// The tables whose rows are needed; `None`: the whole manifest.
    pub tables: Option<BTreeSet<String>>,
}

/// Which manifest rows [`build`] compares, when the history's records carry
/// `table_digests` and only part of their manifests: for each chain a group's database
/// extends, the tables whose partitions differ from the chain's recorded digest (or whose
/// digest was not recorded), from each set of the chain holding them. Nothing for a chain
/// that restarts anyway (a snapshot missing or broken, a full due, a schema changed). With
/// these rows loaded, `build` makes the same plan as from the whole history.
pub fn manifests_needed(inputs: &PlanInputs) -> Vec<ManifestNeed> {
    let (Some(policy), _) = policy::parse(&inputs.policy_text) else {
        return Vec::new();
    };
    let catalog = inputs.catalog.normalized();
    let backups = &catalog.history.backups;
    let mut needs: BTreeMap<(&str, &str), Option<BTreeSet<String>>> = BTreeMap::new();
    let mut sink = Vec::new();
    for sel in select::select(&policy, &catalog, &mut sink) {
        let g = sel.group;
        for (db, tables) in &sel.databases {
            let Some(chain) = current_chain(backups, &g.name, &db.name, &g.repository) else {
                continue;
            };
            let restarts = missing_snapshot(&chain, catalog.repository(&g.repository))
                .or_else(|| chain::broken_set(&chain, backups, &g.name, &db.name, &g.repository))
                .or_else(|| chain::full_before_partitions(&chain, db, tables, g, inputs.as_of));
            if restarts.is_some() {
                continue;
            }
            let settled = chain::settled(&chain, tables);
            let wanted: BTreeSet<&str> = tables
                .iter()
                .map(|t| t.name.as_str())
                .filter(|t| chain.state.contains_key(t) && !settled.contains(t))
                .collect();
            for set in &chain.sets {
                for r in &set.records {
                    let key = (r.repository.as_str(), r.label.as_str());
                    let Some(digests) = &r.table_digests else {
                        needs.insert(key, None);
                        continue;
                    };
                    let mut hit = digests
                        .keys()
                        .filter(|t| wanted.contains(t.as_str()))
                        .peekable();
                    if hit.peek().is_none() {
                        continue;
                    }
                    if let Some(set) = needs.entry(key).or_insert_with(|| Some(BTreeSet::new())) {
                        set.extend(hit.cloned());
                    }
                }
            }
        }
    }
    needs
        .into_iter()
        .map(|((repository, label), tables)| ManifestNeed {
            repository: repository.to_string(),
            label: label.to_string(),
            tables,
        })
        .collect()
}

/// The unread tables whose partitions [`build`] compares or backs up, for a catalog whose
/// tables were observed unread (`Table::unread`: their partitions summed by StarRocks, not
/// listed): of each database a group covers, every table when its chain restarts (no chain,
/// a snapshot missing, a set broken, a full due, a schema changed), else the tables whose
/// partition digest differs from the one recorded with the chain — and, once those are read
/// (and their manifests loaded), every table when comparing them decides a full (a partition
/// dropped or replaced). The plan needs only the digests of the others (issue 14: planning
/// cost proportional to change). The runtime reads what this names and asks again until it
/// names nothing. `None`: every table (the policy does not parse, or hand-written statements
/// name tables of their own).
pub fn partitions_needed(inputs: &PlanInputs) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let (Some(policy), _) = policy::parse(&inputs.policy_text) else {
        return None;
    };
    if !inputs.statement_files.is_empty() || !policy.statements.is_empty() {
        return None;
    }
    let catalog = inputs.catalog.normalized();
    let backups = &catalog.history.backups;
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut sink = Vec::new();
    for sel in select::select(&policy, &catalog, &mut sink) {
        let g = sel.group;
        for (db, tables) in &sel.databases {
            let chain = current_chain(backups, &g.name, &db.name, &g.repository);
            let restarts = match &chain {
                None => true,
                Some(chain) => missing_snapshot(chain, catalog.repository(&g.repository))
                    .or_else(|| chain::broken_set(chain, backups, &g.name, &db.name, &g.repository))
                    .or_else(|| chain::full_before_partitions(chain, db, tables, g, inputs.as_of))
                    .is_some(),
            };
            let settled = match (&chain, restarts) {
                (Some(chain), false) => chain::settled(chain, tables),
                _ => BTreeSet::new(),
            };
            let compared: Vec<&&crate::catalog::Table> = tables
                .iter()
                .filter(|t| !settled.contains(t.name.as_str()))
                .collect();
            let wanted: Vec<&&crate::catalog::Table> =
                if compared.iter().any(|t| t.unread.is_some()) {
                    compared
                } else if matches!(
                    decide(chain.as_ref(), db, tables, g, inputs.as_of),
                    Decision::Full { .. }
                ) {
                    tables.iter().collect()
                } else {
                    Vec::new()
                };
            let unread = wanted.into_iter().filter(|t| t.unread.is_some());
            let names: BTreeSet<String> = unread.map(|t| t.name.clone()).collect();
            if !names.is_empty() {
                out.entry(db.name.clone()).or_default().extend(names);
            }
        }
    }
    Some(out)
}

/// The first table of `tables` the plan compares (every one for a full, else those not
/// settled in `chain`) whose partitions were not read.
fn unread_compared<'a>(
    chain: Option<&chain::Chain<'_>>,
    tables: &[&'a crate::catalog::Table],
    decision: &Decision,
) -> Option<&'a crate::catalog::Table> {
    let settled = match (chain, decision) {
        (Some(c), Decision::Incremental { .. } | Decision::Nothing) => chain::settled(c, tables),
        _ => BTreeSet::new(),
    };
    tables
        .iter()
        .copied()
        .find(|t| t.unread.is_some() && !settled.contains(t.name.as_str()))
}

/// Compiles a plan. `Err` holds every finding (errors and warnings) when any is an error.
pub fn build(inputs: &PlanInputs) -> Result<Planned, Vec<FileDiagnostics>> {
    let mut files = Files {
        by_path: BTreeMap::new(),
    };
    let ppath = inputs.policy_path.as_str();
    let (policy, found) = policy::parse(&inputs.policy_text);
    files.extend(ppath, found);
    let Some(policy) = policy else {
        return Err(files.into_vec());
    };
    let catalog = inputs.catalog.normalized();
    // SQL is printed for the cluster that will run it; statements are checked against
    // `[lint] dialect` when given (else the cluster's).
    let cluster = known_dialect(&catalog.cluster.version);
    let dialects = Dialects {
        check: policy.lint.dialect.or(cluster).unwrap_or_default(),
        print: cluster.or(policy.lint.dialect).unwrap_or_default(),
    };
    let mut retention = Vec::new();
    let mut steps = plan_steps(
        &policy,
        &catalog,
        inputs,
        dialects,
        &mut files,
        &mut retention,
    );
    let labels = check_labels(inputs, &policy, &catalog, &steps, ppath, &mut files);
    if files.has_errors() {
        return Err(files.into_vec());
    }
    order_dependencies(&mut steps);
    let observed = observe(&policy, &catalog, &steps, labels);
    let plan = Plan {
        format_version: FORMAT_VERSION,
        starsnap_version: env!("CARGO_PKG_VERSION").to_string(),
        as_of: inputs.as_of.to_rfc3339(),
        dialect: dialects.print.as_str().to_string(),
        inputs_digest: fingerprint::of(inputs, &catalog),
        fingerprint: String::new(),
        observed,
        summary: Summary::default(),
        steps,
        retention,
        notes: Vec::new(),
    }
    .seal();
    Ok(Planned {
        plan,
        warnings: files.into_vec(),
    })
}

fn plan_steps(
    policy: &Policy,
    catalog: &ObservedCatalog,
    inputs: &PlanInputs,
    dialects: Dialects,
    files: &mut Files,
    retention: &mut Vec<crate::plan::RetentionKept>,
) -> Vec<Step> {
    let ppath = inputs.policy_path.as_str();
    let mut steps = Vec::new();
    // Repositories.
    for repo in &policy.repositories {
        match catalog.repository(&repo.name) {
            None => steps.push(emit::create_repository_step(repo, dialects.print)),
            Some(seen) => {
                // An empty location was already reported as missing (P004).
                if !repo.location.is_empty()
                    && (seen.location != repo.location
                        || seen.broker != repo.broker
                        || seen.read_only != repo.read_only)
                {
                    files.push(ppath, Diagnostic::warning(
                        codes::REPOSITORY_DIFFERS,
                        repo.span,
                        format!("repository `{}` exists with other settings (location `{}`, read_only {})", repo.name, seen.location, seen.read_only),
                    ).with_help("starsnap never alters a repository: fix the declaration or recreate the repository by hand"));
                }
            }
        }
    }
    for group in &policy.groups {
        if group.ttl_secs.is_some() && !dialects.print.has_drop_snapshot() {
            files.push(
                ppath,
                Diagnostic::warning(
                    codes::TTL_UNSUPPORTED,
                    group.ttl_span,
                    format!(
                        "group `{}` sets `ttl`, but the cluster runs StarRocks {}: only 4.2 and later expire snapshots by themselves, so its BACKUPs get no `ttl`",
                        group.name,
                        dialects.print.version()
                    ),
                )
                .with_help("use `keep` rules (starsnap expires the sets itself), or remove `ttl`"),
            );
        }
        let read_only = catalog
            .repository(&group.repository)
            .map(|r| r.read_only)
            .or_else(|| {
                policy
                    .repositories
                    .iter()
                    .find(|r| r.name == group.repository)
                    .map(|r| r.read_only)
            });
        if read_only == Some(true) {
            files.push(
                ppath,
                Diagnostic::error(
                    codes::REPOSITORY_READ_ONLY,
                    group.repository_span,
                    format!(
                        "group `{}` backs up into read-only repository `{}`",
                        group.name, group.repository
                    ),
                )
                .with_help(
                    "StarRocks refuses BACKUP into a read-only repository; use a writable one",
                ),
            );
        }
    }
    // Groups.
    let mut found = Vec::new();
    let selections = select::select(policy, catalog, &mut found);
    files.extend(ppath, found);
    for sel in &selections {
        let g = sel.group;
        for (db, tables) in &sel.databases {
            let chain = current_chain(&catalog.history.backups, &g.name, &db.name, &g.repository);
            let missing = chain.as_ref().and_then(|c| {
                missing_snapshot(c, catalog.repository(&g.repository)).or_else(|| {
                    chain::broken_set(
                        c,
                        &catalog.history.backups,
                        &g.name,
                        &db.name,
                        &g.repository,
                    )
                })
            });
            let decision = match missing {
                Some(d) => d,
                None => decide(chain.as_ref(), db, tables, g, inputs.as_of),
            };
            if let Some(t) = unread_compared(chain.as_ref(), tables, &decision) {
                files.push(
                    ppath,
                    Diagnostic::error(
                        codes::PARTITIONS_UNREAD,
                        g.span,
                        format!(
                            "the partitions of `{}`.`{}` were not read, but group `{}` compares them",
                            db.name, t.name, g.name
                        ),
                    )
                    .with_help("plan again; this is a defect of starsnap's inspection, not of the policy"),
                );
                continue;
            }
            let backups = backup_steps(
                g,
                db,
                tables,
                chain.as_ref(),
                decision,
                inputs.as_of,
                dialects.print,
            );
            let planned = backups.iter().find_map(Step::backup).cloned();
            steps.extend(backups);
            if let Some(r) = &g.retention {
                let planned = planned.as_ref();
                if let Some((expire, kept)) = expire::plan(
                    g,
                    r,
                    &db.name,
                    &catalog.history.backups,
                    planned,
                    inputs.as_of,
                    dialects.print,
                ) {
                    steps.extend(expire);
                    retention.push(kept);
                }
            }
        }
        if !g.external_catalogs.is_empty() {
            let backup = catalog_backup(g, catalog, inputs.as_of, ppath, files);
            let planned = backup.as_ref().and_then(Step::backup).cloned();
            let backup_id = backup.as_ref().map(|s| s.id.clone());
            steps.extend(backup);
            // A group's catalog sets expire by the same rules as its databases' sets: each is
            // a full of its own (a catalog backup has no partitions to be incremental about).
            if let Some(r) = &g.retention {
                if let Some((mut expire, kept)) = expire::plan(
                    g,
                    r,
                    "",
                    &catalog.history.backups,
                    planned.as_ref(),
                    inputs.as_of,
                    dialects.print,
                ) {
                    // After the catalog backup it counts on, as a database's expiry comes
                    // after its backup: nothing goes unless the new set was made.
                    for e in &mut expire {
                        e.depends_on.extend(backup_id.iter().cloned());
                    }
                    steps.extend(expire);
                    retention.push(kept);
                }
            }
        }
    }
    handwritten_steps(policy, catalog, inputs, dialects, files, &mut steps);
    steps
}

/// The backup steps of one group's database for `decision`.
fn backup_steps(
    g: &policy::GroupConfig,
    db: &crate::catalog::Database,
    tables: &[&crate::catalog::Table],
    chain: Option<&chain::Chain<'_>>,
    decision: Decision,
    as_of: Timestamp,
    dialect: Dialect,
) -> Vec<Step> {
    let (kind, reason, detail, changed) = match decision {
        Decision::Nothing => return Vec::new(),
        Decision::Full { reason, detail } => (BackupKind::Full, reason, detail, Vec::new()),
        Decision::Incremental { changed, detail } => (
            BackupKind::Incremental,
            Reason::PartitionsChanged,
            detail,
            changed,
        ),
    };
    let parent = match kind {
        BackupKind::Incremental => chain.and_then(|c| c.tip()).map(|s| s.name.clone()),
        BackupKind::Full => None,
    };
    emit::backup_steps(emit::SetSpec {
        group: g,
        db,
        kind,
        reason,
        detail,
        parent,
        label: g.label.render(&g.name, &db.name, kind.as_str(), as_of),
        tables: tables.to_vec(),
        changed,
        dialect,
    })
}

/// Hand-written statements, in file order.
fn handwritten_steps(
    policy: &Policy,
    catalog: &ObservedCatalog,
    inputs: &PlanInputs,
    dialects: Dialects,
    files: &mut Files,
    steps: &mut Vec<Step>,
) {
    let ppath = inputs.policy_path.as_str();
    let mut lint = LintOptions::new(dialects.check);
    for (code, level) in &policy.lint.severity {
        // Codes were checked when the policy was read.
        let _ = lint.set_level(code, *level);
    }
    for entry in &policy.statements {
        let Some(file) = inputs.statement_files.iter().find(|f| f.path == entry.file) else {
            files.push(
                ppath,
                Diagnostic::error(
                    codes::STATEMENT_FILE_MISSING,
                    entry.span,
                    format!("statement file `{}` was not found", entry.file),
                )
                .with_help("paths are relative to the policy file"),
            );
            continue;
        };
        let fs = handwritten::plan_file(&file.path, &file.text, dialects, &lint, catalog, policy);
        files.extend(&file.path, fs.diagnostics);
        steps.extend(fs.steps);
    }
}

/// The backup of a group's external catalogs, when one is due.
fn catalog_backup(
    g: &policy::GroupConfig,
    catalog: &ObservedCatalog,
    as_of: Timestamp,
    ppath: &str,
    files: &mut Files,
) -> Option<Step> {
    for (name, span) in &g.external_catalogs {
        if !catalog.external_catalogs.contains(name) {
            files.push(
                ppath,
                Diagnostic::error(
                    codes::UNKNOWN_EXTERNAL_CATALOG,
                    *span,
                    format!("external catalog `{name}` does not exist in the cluster"),
                )
                .with_help("check SHOW CATALOGS (names are case-sensitive)"),
            );
        }
    }
    let last = current_chain(&catalog.history.backups, &g.name, "", &g.repository);
    let full = last.as_ref().and_then(|c| c.full());
    // The newest catalog set lost from the repository (or found broken by `verify`): a new
    // one at once, whatever `full_every` says — as a database's chain restarts.
    let lost = last.as_ref().and_then(|c| {
        missing_snapshot(c, catalog.repository(&g.repository))
            .or_else(|| chain::broken_set(c, &catalog.history.backups, &g.name, "", &g.repository))
    });
    if let Some(Decision::Full { reason, detail }) = lost {
        let label = g.label.render(&g.name, "catalogs", "full", as_of);
        return Some(emit::catalog_step(g, label, reason, detail));
    }
    let (reason, detail) = match full {
        None => (
            Reason::FirstFull,
            format!(
                "no finished backup of group `{}`'s external catalogs",
                g.name
            ),
        ),
        Some(f) if as_of.0 >= f.created_at.0.saturating_add(g.full_every_secs as i64) => (
            Reason::FullDue,
            format!(
                "last external-catalog backup `{}` was made at {}",
                f.name, f.created_at
            ),
        ),
        Some(_) => return None,
    };
    let label = g.label.render(&g.name, "catalogs", "full", as_of);
    Some(emit::catalog_step(g, label, reason, detail))
}

/// Labels must be new: not in their repository, not twice in the plan (`P106`).
/// The span of line `line` (1-based) of a statement file, for findings about a whole step.
fn line_span(inputs: &PlanInputs, path: &str, line: u64) -> crate::span::Span {
    let Some(f) = inputs.statement_files.iter().find(|f| f.path == path) else {
        return crate::span::Span::default();
    };
    let mut start = 0;
    for (i, l) in f.text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            return crate::span::Span::new(start, start + l.trim_end().len());
        }
        start += l.len();
    }
    crate::span::Span::default()
}

fn check_labels(
    inputs: &PlanInputs,
    policy: &Policy,
    catalog: &ObservedCatalog,
    steps: &[Step],
    ppath: &str,
    files: &mut Files,
) -> Vec<LabelRef> {
    let mut seen: BTreeSet<LabelRef> = BTreeSet::new();
    for s in steps.iter().filter(|s| {
        s.action() == crate::plan::Action::Backup
            || matches!(&s.op, crate::plan::Op::Sql(q) if q.statement == crate::plan::Action::Backup)
    }) {
        let (Some(label), Some(repo)) = (s.label(), s.repository()) else {
            continue;
        };
        let r = LabelRef {
            repository: repo.to_string(),
            label: label.to_string(),
        };
        let exists = catalog
            .repository(repo)
            .is_some_and(|c| c.snapshots.iter().any(|sn| sn.label == label));
        let (path, span) = match (s.source(), s.group()) {
            (Some(src), _) => (src.file.clone(), line_span(inputs, &src.file, src.line)),
            (None, Some(g)) => (
                ppath.to_string(),
                policy
                    .groups
                    .iter()
                    .find(|x| x.name == g)
                    .map(|x| x.span)
                    .unwrap_or_default(),
            ),
            (None, None) => (ppath.to_string(), crate::span::Span::default()),
        };
        if label.len() > policy::MAX_LABEL_BYTES {
            files.push(&path, Diagnostic::error(codes::LABEL_TOO_LONG, span, format!("snapshot label `{}` is {} bytes long; StarRocks's labels hold at most {}", label.escape_debug(), label.len(), policy::MAX_LABEL_BYTES))
                .with_help("shorten the group's label template (or the group name); leave {database} out of it when database names are long"));
        }
        if exists || seen.contains(&r) {
            let why = if exists {
                "already exists in repository"
            } else {
                "is planned twice in repository"
            };
            files.push(&path, Diagnostic::error(codes::LABEL_EXISTS, span, format!("snapshot label `{label}` {why} `{repo}`"))
                .with_help("labels must be unique per repository: put {group}, {database} and a time down to the second in the label template"));
        }
        seen.insert(r);
    }
    seen.into_iter().collect()
}

/// Makes ordering explicit: a backup after the repository it needs; steps on the same
/// database one after another; hand-written statements in file order.
fn order_dependencies(steps: &mut [Step]) {
    let creates: BTreeMap<String, String> = steps
        .iter()
        .filter(|s| s.action() == crate::plan::Action::CreateRepository)
        .filter_map(|s| Some((s.repository()?.to_string(), s.id.clone())))
        .collect();
    let mut last_on_db: BTreeMap<String, String> = BTreeMap::new();
    let mut last_handwritten: Option<String> = None;
    for s in steps.iter_mut() {
        let mut deps: Vec<String> = std::mem::take(&mut s.depends_on);
        if s.action() != crate::plan::Action::CreateRepository {
            if let Some(id) = s.repository().and_then(|r| creates.get(r)) {
                deps.push(id.clone());
            }
        }
        if let Some(db) = s.database().map(str::to_string) {
            if let Some(prev) = last_on_db.get(&db) {
                deps.push(prev.clone());
            }
            last_on_db.insert(db, s.id.clone());
        }
        if s.reason == Reason::Handwritten {
            if let Some(prev) = last_handwritten.replace(s.id.clone()) {
                deps.push(prev);
            }
        }
        deps.sort();
        deps.dedup();
        deps.retain(|d| d != &s.id);
        s.depends_on = deps;
    }
}

/// The chain tip each backup step builds on (an incremental) or follows (a full).
pub(crate) fn chain_tips(catalog: &ObservedCatalog, steps: &[Step]) -> Vec<crate::plan::ChainTip> {
    let mut tips = BTreeSet::new();
    for b in steps.iter().filter_map(Step::backup) {
        let database = b.database.clone().unwrap_or_default();
        let chain = current_chain(&catalog.history.backups, &b.group, &database, &b.repository);
        tips.insert(crate::plan::ChainTip {
            group: b.group.clone(),
            database,
            repository: b.repository.clone(),
            tip: chain.as_ref().and_then(|c| c.tip()).map(|s| s.name.clone()),
        });
    }
    tips.into_iter().collect()
}

/// What apply must re-check.
fn observe(
    policy: &Policy,
    catalog: &ObservedCatalog,
    steps: &[Step],
    labels: Vec<LabelRef>,
) -> Observed {
    let mut sink = Vec::new();
    let mut tables = Vec::new();
    for sel in select::select(policy, catalog, &mut sink) {
        for (db, ts) in sel.databases {
            for t in ts {
                tables.push(ObservedTable {
                    database: db.name.clone(),
                    table: t.name.clone(),
                    kind: t.kind.as_str().to_string(),
                    schema_fingerprint: t.schema_fingerprint.clone(),
                    partition_count: t.partition_count(),
                    partitions_digest: t.partitions_digest(),
                });
            }
        }
    }
    tables.sort();
    let mut partitions = BTreeSet::new();
    for s in steps {
        let Some(db) = s.database() else { continue };
        for o in s.objects() {
            for p in &o.partitions {
                partitions.insert(ObservedPartition {
                    database: db.to_string(),
                    table: o.name.clone(),
                    partition: p.name.clone(),
                    partition_id: p.id,
                    visible_version: p.visible_version,
                });
            }
        }
    }
    let mut repo_names: BTreeSet<String> =
        policy.repositories.iter().map(|r| r.name.clone()).collect();
    repo_names.extend(
        steps
            .iter()
            .filter_map(|s| s.repository().map(str::to_string)),
    );
    let repositories = repo_names
        .into_iter()
        .map(|name| ObservedRepository::of(name, catalog))
        .collect();
    Observed {
        cluster_version: catalog.cluster.version.clone(),
        tables,
        partitions: partitions.into_iter().collect(),
        repositories,
        absent_labels: labels,
        snapshots: Vec::new(),
        chain_tips: chain_tips(catalog, steps),
        absent_objects: Vec::new(),
        external_catalogs: backed_up_catalogs(catalog, steps),
    }
}

/// The external catalogs the plan's catalog backups name, as SHOW CATALOGS showed them: one
/// dropped before apply would fail the job, so apply refuses the plan as stale instead.
fn backed_up_catalogs(
    catalog: &ObservedCatalog,
    steps: &[Step],
) -> Vec<crate::plan::ObservedExternalCatalog> {
    let names: BTreeSet<&str> = steps
        .iter()
        .filter_map(Step::backup)
        .filter(|b| b.database.is_none())
        .flat_map(|b| &b.objects)
        .filter(|o| o.kind == crate::plan::ObjectKind::ExternalCatalog)
        .map(|o| o.name.as_str())
        .collect();
    names
        .into_iter()
        .map(|name| crate::plan::ObservedExternalCatalog {
            name: name.to_string(),
            exists: catalog.external_catalogs.iter().any(|c| c == name),
        })
        .collect()
}
