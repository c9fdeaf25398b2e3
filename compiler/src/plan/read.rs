//! Reading a plan file: the version is checked before anything else, so a plan from a newer
//! starsnap is refused with a clear message rather than misread (STYLE 9).

use std::collections::BTreeSet;
use std::fmt;

use super::step::{check_names, print_for};
use super::{Op, Plan, SqlOp, Step, Summary, FORMAT_VERSION, FORMAT_VERSION_1};
use crate::planner::handwritten;
use crate::syntax::{parse, Dialect};

/// Why a plan file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanReadError {
    /// Not JSON, or not a plan's shape (serde_json's message with line and column).
    Malformed {
        line: usize,
        column: usize,
        message: String,
    },
    /// No integer `format_version`.
    MissingVersion,
    /// A `format_version` this build does not know.
    UnsupportedVersion(u64),
    /// The body does not match the fingerprint: the file was edited after it was made.
    FingerprintMismatch { recorded: String, computed: String },
    /// A step that is not what it claims (its `sql` is not what its fields build, a name
    /// StarRocks refuses, a duplicate id, …).
    InvalidStep { step: String, message: String },
    /// The summary is not what the steps count.
    SummaryMismatch,
}

impl fmt::Display for PlanReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanReadError::Malformed {
                line,
                column,
                message,
            } => write!(f, "malformed plan at line {line}, column {column}: {message}"),
            PlanReadError::MissingVersion => {
                f.write_str("not a starsnap plan: no integer `format_version`")
            }
            PlanReadError::UnsupportedVersion(v) => write!(
                f,
                "plan format_version {v} is not supported by this starsnap (it reads format_version {FORMAT_VERSION_1} and {FORMAT_VERSION}); apply it with the starsnap version that made it, or re-plan"
            ),
            PlanReadError::FingerprintMismatch { recorded, computed } => write!(
                f,
                "the plan was changed after it was made: its body hashes to {computed}, not to the recorded fingerprint {recorded}; re-plan instead of editing plan files"
            ),
            PlanReadError::InvalidStep { step, message } => {
                write!(f, "step `{step}` of the plan is not valid: {message}")
            }
            PlanReadError::SummaryMismatch => f.write_str(
                "the plan's summary does not count its steps (the file was edited); re-plan",
            ),
        }
    }
}

impl std::error::Error for PlanReadError {}

fn malformed(e: &serde_json::Error) -> PlanReadError {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    PlanReadError::Malformed {
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// Reads a plan, refusing unknown versions and unknown fields, then checks it
/// ([`check`]). A format_version 1 plan is converted to typed steps (its statements must be
/// exactly what their fields build) and sealed anew.
pub fn from_json(text: &str) -> Result<Plan, PlanReadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| malformed(&e))?;
    match value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        None => Err(PlanReadError::MissingVersion),
        Some(v) if v == u64::from(FORMAT_VERSION) => {
            let plan: Plan = serde_json::from_str(text).map_err(|e| malformed(&e))?;
            check(&plan)?;
            let computed = super::fingerprint(&plan);
            if computed != plan.fingerprint {
                return Err(PlanReadError::FingerprintMismatch {
                    recorded: plan.fingerprint.clone(),
                    computed,
                });
            }
            Ok(plan)
        }
        Some(v) if v == u64::from(FORMAT_VERSION_1) => {
            let old: v1::Plan = serde_json::from_str(text).map_err(|e| malformed(&e))?;
            let plan = v1::convert(old)?;
            check(&plan)?;
            Ok(plan)
        }
        Some(v) => Err(PlanReadError::UnsupportedVersion(v)),
    }
}

fn invalid(step: &Step, message: impl Into<String>) -> PlanReadError {
    PlanReadError::InvalidStep {
        step: step.id.clone(),
        message: message.into(),
    }
}

/// Checks a plan's integrity: unique step ids, dependencies on earlier steps, names
/// StarRocks accepts, every step's `sql` equal to what its op builds (a hand-written
/// statement: one statement that parses, printed canonically, of the kind the step says), and
/// the summary equal to what the steps count.
pub fn check(plan: &Plan) -> Result<(), PlanReadError> {
    let dialect = plan.dialect();
    if plan.dialect.parse::<crate::syntax::Dialect>().is_err() {
        return Err(PlanReadError::Malformed {
            line: 0,
            column: 0,
            message: format!("unknown dialect `{}`", plan.dialect),
        });
    }
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for step in &plan.steps {
        for d in &step.depends_on {
            if !seen.contains(d.as_str()) {
                return Err(invalid(
                    step,
                    format!("it depends on `{d}`, which is not an earlier step"),
                ));
            }
        }
        if !seen.insert(&step.id) {
            return Err(invalid(step, "a second step has the same id"));
        }
        check_names(&step.op).map_err(|m| invalid(step, m))?;
        // Dropping a "scratch" database is not counted as destructive, so it must be one an
        // earlier step of this plan created as scratch.
        if let Op::DropDatabase(d) = &step.op {
            let created = plan.steps.iter().take_while(|s| s.id != step.id).any(
                |s| matches!(&s.op, Op::CreateDatabase(c) if c.scratch && c.database == d.database),
            );
            if d.scratch && !created {
                return Err(invalid(
                    step,
                    format!(
                        "it drops `{}` as a scratch database, but no earlier step creates it as one",
                        d.database
                    ),
                ));
            }
        }
        if let Op::Expire(e) = &step.op {
            if e.how == crate::plan::ExpireHow::DropSnapshot && !dialect.has_drop_snapshot() {
                return Err(invalid(
                    step,
                    format!(
                        "DROP SNAPSHOT needs StarRocks 4.2 or later; the plan is for {}",
                        plan.dialect
                    ),
                ));
            }
        }
        match &step.op {
            Op::Sql(op) => check_handwritten(step, op, dialect)?,
            op => {
                let built = op.review_sql(dialect);
                if built != step.sql {
                    return Err(invalid(
                        step,
                        format!(
                            "its `sql` is not what its fields build (apply sends only what it builds):\n  sql:   {}\n  built: {}",
                            step.sql, built
                        ),
                    ));
                }
            }
        }
    }
    if plan.summary != Summary::of(&plan.steps) {
        return Err(PlanReadError::SummaryMismatch);
    }
    Ok(())
}

/// A hand-written statement runs as the reviewed text, so the text must be one statement
/// that parses, printed as the canonical printer prints it, and be what the step says it is.
fn check_handwritten(step: &Step, op: &SqlOp, dialect: Dialect) -> Result<(), PlanReadError> {
    let parsed = parse(&step.sql, dialect);
    let stmts: Vec<_> = parsed.statements.iter().collect();
    let [one] = stmts.as_slice() else {
        return Err(invalid(
            step,
            format!(
                "a hand-written step holds exactly one statement, not {}",
                stmts.len()
            ),
        ));
    };
    let Some(stmt) = &one.statement else {
        return Err(invalid(step, "its statement does not parse"));
    };
    if let Some(d) = parsed
        .diagnostics
        .iter()
        .find(|d| d.severity == crate::diagnostic::Severity::Error)
    {
        return Err(invalid(
            step,
            format!("its statement is refused: {}", d.message),
        ));
    }
    let printed = print_for(stmt, dialect);
    if printed != step.sql {
        return Err(invalid(
            step,
            format!("its statement is not in canonical form (the plan prints it as `{printed}`)"),
        ));
    }
    let (action, overwrites) = handwritten::action_of(stmt);
    let (database, label, repository) = handwritten::names(stmt);
    if action != op.statement || overwrites != op.overwrites {
        return Err(invalid(
            step,
            format!(
                "its statement is a {} step{}, not what the step says",
                action.as_str(),
                if overwrites { " that overwrites" } else { "" }
            ),
        ));
    }
    if database != op.database || label != op.label || repository != op.repository {
        return Err(invalid(
            step,
            "its database, label or repository differ from its statement's",
        ));
    }
    Ok(())
}

/// format_version 1: untyped steps with the statement text beside the fields.
mod v1 {
    use serde::Deserialize;

    use super::{invalid_v1, PlanReadError};
    use crate::catalog::BackupKind;
    use crate::plan::{
        Action, BackupOp, Chunk, CreateRepositoryOp, Observed, Op, Reason, RepositoryProperty,
        SourceRef, SqlOp, Step, StepObject, Summary,
    };
    use crate::syntax::ast::Statement;
    use crate::syntax::parse;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Plan {
        #[allow(dead_code)]
        format_version: u32,
        starsnap_version: String,
        as_of: String,
        fingerprint: String,
        observed: Observed,
        steps: Vec<V1Step>,
        #[allow(dead_code)]
        summary: Summary,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct V1Step {
        id: String,
        action: Action,
        reason: Reason,
        detail: String,
        #[allow(dead_code)]
        destructive: bool,
        #[serde(default)]
        group: Option<String>,
        #[serde(default)]
        database: Option<String>,
        #[serde(default)]
        kind: Option<BackupKind>,
        #[serde(default)]
        label: Option<String>,
        #[serde(default)]
        set: Option<String>,
        #[serde(default)]
        chunk: Option<Chunk>,
        #[serde(default)]
        parent: Option<String>,
        #[serde(default)]
        repository: Option<String>,
        sql: String,
        #[serde(default)]
        #[allow(dead_code)]
        env: Vec<String>,
        #[serde(default)]
        objects: Vec<StepObject>,
        #[serde(default)]
        source: Option<SourceRef>,
        depends_on: Vec<String>,
    }

    /// Converts a v1 plan: each step becomes the typed op its fields describe (the text is
    /// then checked against what the op builds), and the plan is sealed as v2.
    pub fn convert(old: Plan) -> Result<crate::plan::Plan, PlanReadError> {
        let dialect = crate::planner::dialect_of_version(&old.observed.cluster_version);
        let mut steps = Vec::new();
        for s in old.steps {
            let parsed = parse(&s.sql, dialect);
            let stmt = parsed.statements.first().and_then(|p| p.statement.clone());
            let op = match (s.reason, s.action, &stmt) {
                (Reason::Handwritten, _, Some(stmt)) => {
                    let (statement, overwrites) = crate::planner::handwritten::action_of(stmt);
                    Op::Sql(SqlOp {
                        statement,
                        database: s.database.clone(),
                        label: s.label.clone(),
                        repository: s.repository.clone(),
                        overwrites,
                        objects: s.objects.clone(),
                        source: s.source.clone().ok_or_else(|| {
                            invalid_v1(&s.id, "a hand-written step without its source")
                        })?,
                    })
                }
                (_, Action::Backup, Some(Statement::Backup(b))) => {
                    let timeout_s = b
                        .properties
                        .as_ref()
                        .and_then(|p| {
                            p.items
                                .iter()
                                .find(|i| i.effective_key() == "timeout")
                                .and_then(|i| i.value.value.trim().parse::<u64>().ok())
                        })
                        .ok_or_else(|| invalid_v1(&s.id, "a backup without a timeout"))?;
                    let (Some(group), Some(label), Some(repository)) =
                        (s.group.clone(), s.label.clone(), s.repository.clone())
                    else {
                        return Err(invalid_v1(
                            &s.id,
                            "a backup without group, label or repository",
                        ));
                    };
                    Op::Backup(BackupOp {
                        group,
                        database: s.database.clone(),
                        kind: s.kind.unwrap_or(BackupKind::Full),
                        set: s.set.clone().unwrap_or_else(|| label.clone()),
                        label,
                        chunk: s.chunk,
                        parent: s.parent.clone(),
                        repository,
                        timeout_s,
                        ttl: None,
                        objects: s.objects.clone(),
                    })
                }
                (_, Action::CreateRepository, Some(Statement::CreateRepository(c))) => {
                    let properties = c
                        .properties
                        .as_ref()
                        .map(|p| {
                            p.items
                                .iter()
                                .map(|i| {
                                    let v = &i.value.value;
                                    let env = v
                                        .strip_prefix("${")
                                        .and_then(|r| r.strip_suffix('}'))
                                        .filter(|n| crate::policy::is_env_name(n));
                                    RepositoryProperty {
                                        key: i.key.value.clone(),
                                        value: env.is_none().then(|| v.clone()),
                                        env: env.map(str::to_string),
                                    }
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    Op::CreateRepository(CreateRepositoryOp {
                        repository: c.name.value.clone(),
                        read_only: c.read_only,
                        broker: c.broker.as_ref().map(|b| b.value.clone()),
                        location: c.location.value.clone(),
                        properties,
                    })
                }
                _ => {
                    return Err(invalid_v1(
                        &s.id,
                        "its statement is not what its action says",
                    ))
                }
            };
            steps.push(Step {
                id: s.id,
                reason: s.reason,
                detail: s.detail,
                depends_on: s.depends_on,
                sql: s.sql,
                op,
            });
        }
        let plan = crate::plan::Plan {
            format_version: crate::plan::FORMAT_VERSION,
            starsnap_version: old.starsnap_version,
            as_of: old.as_of,
            dialect: dialect.as_str().to_string(),
            inputs_digest: old.fingerprint,
            fingerprint: String::new(),
            observed: old.observed,
            steps,
            summary: Summary::default(),
            retention: Vec::new(),
            notes: Vec::new(),
        };
        Ok(plan.seal())
    }
}

fn invalid_v1(step: &str, message: &str) -> PlanReadError {
    PlanReadError::InvalidStep {
        step: step.to_string(),
        message: format!("(format_version 1) {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_step(id: &str, op: Op) -> Step {
        Step {
            id: id.into(),
            reason: crate::plan::Reason::RestoreRequested,
            detail: "d".into(),
            depends_on: Vec::new(),
            sql: op.review_sql(crate::syntax::Dialect::StarRocks3_4),
            op,
        }
    }

    #[test]
    fn a_scratch_drop_needs_an_earlier_scratch_creation() {
        use crate::plan::DatabaseOp;
        let drop = |db: &str| {
            database_step(
                "drop",
                Op::DropDatabase(DatabaseOp {
                    database: db.into(),
                    scratch: true,
                }),
            )
        };
        let create = database_step(
            "create",
            Op::CreateDatabase(DatabaseOp {
                database: "s".into(),
                scratch: true,
            }),
        );
        let plan = |steps: Vec<Step>| {
            crate::plan::Plan {
                format_version: crate::plan::FORMAT_VERSION,
                starsnap_version: "0".into(),
                as_of: "2026-01-01T00:00:00Z".into(),
                dialect: "starrocks-3.4".into(),
                inputs_digest: String::new(),
                fingerprint: String::new(),
                observed: crate::plan::Observed::default(),
                summary: crate::plan::Summary::default(),
                steps,
                retention: Vec::new(),
                notes: Vec::new(),
            }
            .seal()
        };
        assert_eq!(check(&plan(vec![create.clone(), drop("s")])), Ok(()));
        // A live database passed off as scratch (not counted as destructive) is refused.
        let err = check(&plan(vec![create, drop("sales")])).expect_err("refused");
        assert!(
            err.to_string().contains("no earlier step creates it"),
            "{err}"
        );
        assert!(check(&plan(vec![drop("s")])).is_err());
    }

    #[test]
    fn unknown_version_is_refused_with_a_clear_message() {
        let err = from_json("{\"format_version\": 3, \"steps\": []}").expect_err("v3");
        assert_eq!(err, PlanReadError::UnsupportedVersion(3));
        assert!(err
            .to_string()
            .contains("format_version 3 is not supported"));
        assert_eq!(from_json("[]"), Err(PlanReadError::MissingVersion));
        assert!(matches!(
            from_json("{\"format_version\": 1}"),
            Err(PlanReadError::Malformed { .. })
        ));
        assert!(matches!(
            from_json("{\"format_version\": 1,"),
            Err(PlanReadError::Malformed { line: 1, .. })
        ));
    }
}
