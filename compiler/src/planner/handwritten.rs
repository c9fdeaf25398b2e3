//! Hand-written statements (`[[statement]]` files) as steps, in file order, with the checks
//! `lint` cannot make offline (the lint run itself is repeated, so plan fails on what lint
//! would fail on): StarRocks's catalog-dependent analyzer checks through the
//! validate [`Catalog`] trait (unknown database, repository, table), and starsnap's own —
//! an unknown partition (`P107`), a BACKUP of an empty database (`P108`), an inline secret
//! (`P109`), a RESTORE of a snapshot or timestamp the repository does not hold
//! (`P111`, `P112`).

use crate::catalog::ObservedCatalog;
use crate::diagnostic::Diagnostic;
use crate::lint::rules::inline_secret::is_secret_key;
use crate::lint::{Level, LintOptions};
use crate::plan::step::print_for;
use crate::plan::{
    Action, ObjectKind, Op, Reason, SourceRef, SqlOp, Step, StepObject, StepPartition,
};
use crate::policy::{codes, Policy};
use crate::span::LineIndex;
use crate::syntax::ast::{AlterAction, ObjectItem, PartitionNames, Restore, Statement};
use crate::syntax::parse;
use crate::validate::{analyze, Catalog, StatementInput};

/// The validator's view of the observed catalog (plus repositories the plan creates).
struct Observed<'a> {
    catalog: &'a ObservedCatalog,
    policy: &'a Policy,
}

impl Catalog for Observed<'_> {
    fn database_exists(&self, name: &str) -> Option<bool> {
        Some(self.catalog.database(name).is_some())
    }
    fn repository_exists(&self, name: &str) -> Option<bool> {
        Some(
            self.catalog.repository(name).is_some()
                || self.policy.repositories.iter().any(|r| r.name == name),
        )
    }
    fn table_exists(&self, database: &str, table: &str) -> Option<bool> {
        Some(self.catalog.database(database)?.table(table).is_some())
    }
}

/// The steps of one file and the findings in it.
pub struct FileSteps {
    pub steps: Vec<Step>,
    pub diagnostics: Vec<Diagnostic>,
}

/// What a hand-written statement is, and whether it overwrites or deletes.
pub(crate) fn action_of(stmt: &Statement) -> (Action, bool) {
    match stmt {
        Statement::Backup(_) => (Action::Backup, false),
        Statement::Restore(_) => (Action::Restore, true),
        Statement::CreateRepository(_) => (Action::CreateRepository, false),
        Statement::DropRepository(_) => (Action::DropRepository, true),
        Statement::DropSnapshot(_) => (Action::DropSnapshot, true),
        Statement::Alter(a) => match a.action {
            AlterAction::SwapWith(_) => (Action::Swap, true),
            AlterAction::Rename(_) => (Action::Sql, true),
            AlterAction::Active | AlterAction::Inactive => (Action::Sql, false),
        },
        Statement::Other { .. } => (Action::Sql, true),
        _ => (Action::Sql, false),
    }
}

/// Plans one `[[statement]]` file.
pub fn plan_file(
    path: &str,
    text: &str,
    dialects: super::Dialects,
    lint: &LintOptions,
    catalog: &ObservedCatalog,
    policy: &Policy,
) -> FileSteps {
    let dialect = dialects.check;
    let parsed = parse(text, dialect);
    // Syntax, static validation and lint rules, with suppressions and `[lint]` severities.
    let mut diagnostics = crate::lint::lint_source(path, text, lint).diagnostics;
    let mut steps = Vec::new();
    let index = LineIndex::new(text);
    let observed = Observed { catalog, policy };
    let mut n = 0;
    for ps in &parsed.statements {
        let Some(stmt) = &ps.statement else { continue };
        n += 1;
        let input = StatementInput {
            src: text,
            span: ps.span,
            dialect,
        };
        // Only the checks that need the catalog: the static ones came with the lint run.
        diagnostics.extend(
            analyze(stmt, input, &observed)
                .into_iter()
                .filter(|d| d.code.starts_with("V1")),
        );
        let mut objects = Vec::new();
        check(stmt, catalog, &mut diagnostics, &mut objects);
        let (statement, overwrites) = action_of(stmt);
        let (database, label, repository) = names(stmt);
        let sql = print_for(stmt, dialects.print);
        steps.push(Step {
            id: format!("statement/{path}/{n}"),
            reason: Reason::Handwritten,
            detail: format!("statement {n} of {path}"),
            depends_on: Vec::new(),
            sql,
            op: Op::Sql(SqlOp {
                statement,
                database,
                label,
                repository,
                overwrites,
                objects,
                source: SourceRef {
                    file: path.to_string(),
                    line: index.line_col(text, ps.span.start).line as u64,
                },
            }),
        });
    }
    let diagnostics = diagnostics
        .into_iter()
        .filter_map(|mut d| {
            if !d.code.starts_with('P') && !d.code.starts_with("V1") {
                return Some(d);
            }
            match lint.level_of(&d.code, d.severity) {
                Level::Off => None,
                Level::Severity(s) => {
                    d.severity = s;
                    Some(d)
                }
            }
        })
        .collect();
    FileSteps { steps, diagnostics }
}

/// The database, label and repository a statement names.
pub(crate) fn names(stmt: &Statement) -> (Option<String>, Option<String>, Option<String>) {
    let v = |i: Option<&crate::syntax::ast::Ident>| i.map(|i| i.value.clone());
    match stmt {
        Statement::Backup(b) => (
            v(b.database()),
            v(b.label_name()),
            Some(b.repository.value.clone()),
        ),
        Statement::Restore(r) => (
            v(r.target_database()),
            v(r.label_name()),
            Some(r.repository.value.clone()),
        ),
        Statement::CreateRepository(c) => (None, None, Some(c.name.value.clone())),
        Statement::DropRepository(d) => (None, None, Some(d.name.value.clone())),
        Statement::DropSnapshot(d) => (
            None,
            Some(d.snapshot.value.clone()),
            Some(d.repository.value.clone()),
        ),
        Statement::Alter(a) => (v(a.name.qualifier()), None, None),
        Statement::Cancel(_) | Statement::ShowJobs(_) | Statement::ShowSnapshot(_) => {
            (None, None, None)
        }
        _ => (None, None, None),
    }
}

/// starsnap's catalog checks of one statement; fills the step's objects for BACKUP.
fn check(
    stmt: &Statement,
    catalog: &ObservedCatalog,
    out: &mut Vec<Diagnostic>,
    objects: &mut Vec<StepObject>,
) {
    match stmt {
        Statement::Backup(b) if b.catalogs.is_none() => {
            let Some(db) = b.database().and_then(|d| catalog.database(&d.value)) else {
                return;
            };
            let Some(on) = &b.on else {
                if db.tables.is_empty() && db.functions.is_empty() {
                    out.push(
                        Diagnostic::error(
                            codes::EMPTY_DATABASE_BACKUP,
                            b.span,
                            format!("database `{}` has no table and no function to back up", db.name),
                        )
                        .with_help("StarRocks refuses it with `Database: … is empty`; remove the statement or back up another database"),
                    );
                }
                for t in &db.tables {
                    objects.push(StepObject {
                        kind: object_kind(t.kind),
                        name: t.name.clone(),
                        partition_count: t.partitions.len() as u64,
                        partitions: Vec::new(),
                    });
                }
                return;
            };
            for item in &on.items {
                let ObjectItem::Named(n) = item else { continue };
                let Some(name) = n.name.name() else { continue };
                let Some(table) = db.table(&name.value) else {
                    continue;
                };
                let mut partitions = Vec::new();
                if let Some(PartitionNames::Names(ps)) = n.partitions.as_ref().map(|p| &p.names) {
                    for p in ps {
                        match table.partitions.iter().find(|tp| tp.name == p.value) {
                            Some(tp) => partitions.push(StepPartition {
                                name: tp.name.clone(),
                                id: tp.id,
                                visible_version: tp.visible_version,
                                previous: None,
                            }),
                            None => out.push(
                                Diagnostic::error(
                                    codes::UNKNOWN_PARTITION,
                                    p.span,
                                    format!("table `{}.{}` has no partition `{}`", db.name, table.name, p.value),
                                )
                                .with_help("check SHOW PARTITIONS (names are case-sensitive); StarRocks refuses the job with `Unknown partition`"),
                            ),
                        }
                    }
                }
                objects.push(StepObject {
                    kind: object_kind(table.kind),
                    name: table.name.clone(),
                    partition_count: if partitions.is_empty() {
                        table.partitions.len() as u64
                    } else {
                        partitions.len() as u64
                    },
                    partitions,
                });
            }
        }
        Statement::Restore(r) => check_restore(r, catalog, out),
        Statement::CreateRepository(c) => {
            for p in c.properties.iter().flat_map(|ps| ps.items.iter()) {
                let value = p.value.value.trim();
                let is_ref = value.starts_with("${") && value.ends_with('}');
                if is_secret_key(p.effective_key()) && !value.is_empty() && !is_ref {
                    out.push(
                        Diagnostic::error(
                            codes::STATEMENT_INLINE_SECRET,
                            p.value.span,
                            format!("property `{}` holds a secret inline; it would be written into the plan", p.effective_key()),
                        )
                        .with_help("write `${ENV_NAME}`: apply substitutes the variable's value, the plan keeps only its name"),
                    );
                }
            }
        }
        _ => {}
    }
}

/// A RESTORE must name a snapshot the repository holds, at one of its timestamps (StarRocks
/// would fail the job with `Failed to get info of snapshot …`).
fn check_restore(r: &Restore, catalog: &ObservedCatalog, out: &mut Vec<Diagnostic>) {
    let Some(repo) = catalog.repository(&r.repository.value) else {
        return;
    };
    let Some(label) = r.label_name() else { return };
    let Some(snapshot) = repo.snapshots.iter().find(|s| s.label == label.value) else {
        out.push(
            Diagnostic::error(
                codes::UNKNOWN_SNAPSHOT,
                label.span,
                format!(
                    "repository `{}` holds no snapshot `{}`",
                    repo.name, label.value
                ),
            )
            .with_help("check SHOW SNAPSHOT ON the repository (labels are case-sensitive)"),
        );
        return;
    };
    let Some(ts) = r
        .properties
        .as_ref()
        .and_then(|p| p.get("backup_timestamp"))
    else {
        return;
    };
    if !snapshot.timestamps.iter().any(|t| t == &ts.value) {
        let known = if snapshot.timestamps.is_empty() {
            "none".to_string()
        } else {
            snapshot.timestamps.join(", ")
        };
        out.push(
            Diagnostic::error(
                codes::UNKNOWN_SNAPSHOT_TIMESTAMP,
                ts.span,
                format!(
                    "snapshot `{}` has no backup_timestamp `{}`",
                    label.value, ts.value
                ),
            )
            .with_help(format!("the snapshot's timestamps: {known}")),
        );
    }
}

fn object_kind(kind: crate::catalog::TableKind) -> ObjectKind {
    match kind {
        crate::catalog::TableKind::View => ObjectKind::View,
        crate::catalog::TableKind::MaterializedView => ObjectKind::MaterializedView,
        _ => ObjectKind::Table,
    }
}
