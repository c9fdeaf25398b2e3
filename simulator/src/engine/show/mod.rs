//! SHOW statements (spec §3): the engine routes every statement whose first keyword is
//! `SHOW` to [`execute`], which looks the form up in a dispatch table of leading keywords.
//!
//! Each form lives in its own module: `tables` (DATABASES, [FULL] TABLES, CREATE …),
//! `partitions` (PARTITIONS), `nodes` (BACKENDS, FRONTENDS), `variables`, `repositories`.
//! `layouts` holds every result-set header per version profile, `format` StarRocks's value
//! formats. New forms (SHOW BACKUP / RESTORE / SNAPSHOT for the snapshot engine) are added
//! as one more row of [`FORMS`].

pub mod catalogs;
pub mod clauses41;
pub mod ddl;
pub mod format;
pub mod functions;
pub mod layouts;
pub mod nodes;
pub mod parse;
pub mod partitions;
pub mod predicate;
pub mod proc;
pub mod repositories;
pub mod tables;
pub mod variables;

use crate::engine::time::TimeZone;
use crate::engine::{errors, EngineCtx};
use crate::response::{Column, Outcome, Response, Session};

use parse::{Cursor, Tok};

/// A SHOW form's executor: the cursor stands after the form's leading keywords.
pub type ShowFn = fn(&EngineCtx<'_>, &mut Session, &mut Cursor<'_>) -> Outcome;

/// SHOW forms by the keywords that follow `SHOW` (case-insensitive). Where two forms share
/// a prefix the longer one comes first.
pub const FORMS: &[(&[&str], ShowFn)] = &[
    (&["CATALOGS"], catalogs::show_catalogs),
    (&["DATABASES"], tables::show_databases),
    (&["SCHEMAS"], tables::show_schemas),
    (&["FULL", "TABLES"], tables::show_full_tables),
    (&["TABLES"], tables::show_tables),
    (&["CREATE", "TABLE"], tables::show_create_table),
    (&["CREATE", "VIEW"], tables::show_create_view),
    (
        &["CREATE", "MATERIALIZED", "VIEW"],
        tables::show_create_materialized_view,
    ),
    (
        &["TEMPORARY", "PARTITIONS"],
        partitions::show_temporary_partitions,
    ),
    (&["PARTITIONS"], partitions::show_partitions),
    (&["BACKENDS"], nodes::show_backends),
    (&["FRONTENDS"], nodes::show_frontends),
    (&["REPOSITORIES"], repositories::show_repositories),
    (&["PROC"], proc::show_proc),
    (&["VARIABLES"], variables::show_variables),
    (&["SESSION", "VARIABLES"], variables::show_variables),
    (&["LOCAL", "VARIABLES"], variables::show_variables),
    (&["GLOBAL", "VARIABLES"], variables::show_global_variables),
    (
        &["FULL", "GLOBAL", "FUNCTIONS"],
        functions::show_full_global_functions,
    ),
    (
        &["FULL", "BUILTIN", "FUNCTIONS"],
        functions::show_builtin_functions,
    ),
    (&["FULL", "FUNCTIONS"], functions::show_full_functions),
    (&["GLOBAL", "FUNCTIONS"], functions::show_global_functions),
    (&["BUILTIN", "FUNCTIONS"], functions::show_builtin_functions),
    (&["FUNCTIONS"], functions::show_functions),
];

/// SHOW forms StarRocks 3.4 accepts that the simulator does not answer (yet): they get a
/// plain "not supported" error rather than a syntax error.
const KNOWN_UNSUPPORTED: &[&str] = &[
    "ALTER",
    "AUTHORS",
    "BACKUP",
    "BROKER",
    "CHARSET",
    "CHARACTER",
    "COLLATION",
    "COLUMNS",
    "COMPUTE",
    "DATA",
    "DELETE",
    "DYNAMIC",
    "ENGINES",
    "ERRORS",
    "EVENTS",
    "EXPORT",
    "FIELDS",
    "FILE",
    "FULL",
    "FUNCTIONS",
    "GLOBAL",
    "GRANTS",
    "INDEX",
    "INDEXES",
    "KEYS",
    "LOAD",
    "MATERIALIZED",
    "OPEN",
    "PLUGINS",
    "PRIVILEGES",
    "PROCEDURE",
    "PROCESSLIST",
    "PROPERTY",
    "RESOURCE",
    "RESOURCES",
    "RESTORE",
    "ROLES",
    "ROUTINE",
    "SNAPSHOT",
    "STATUS",
    "STORAGE",
    "STREAM",
    "TABLE",
    "TABLET",
    "TABLETS",
    "TEMPORARY",
    "TRANSACTION",
    "TRIGGERS",
    "USERS",
    "WAREHOUSES",
    "WARNINGS",
    "WHITELIST",
    "BUILTIN",
    "CREATE",
    "USAGE",
    "PIPES",
    "TASKS",
    "BASELINE",
];

/// Executes one SHOW statement.
pub fn execute(ctx: &EngineCtx<'_>, session: &mut Session, sql: &str) -> Outcome {
    let mut cursor = Cursor::new(sql)?;
    if !cursor.eat_kw("SHOW") {
        return Err(cursor.unexpected(&["'SHOW'"]));
    }
    let start = cursor.offset();
    for (keywords, run) in FORMS {
        let matches = keywords.iter().enumerate().all(|(i, kw)| {
            matches!(cursor.peek_at(i), Some(t) if matches!(&t.tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw)))
        });
        if matches {
            for _ in 0..keywords.len() {
                cursor.bump();
            }
            return run(ctx, session, &mut cursor);
        }
    }
    let word = cursor.peek().map(|t| t.text.clone()).unwrap_or_default();
    if KNOWN_UNSUPPORTED
        .iter()
        .any(|k| k.eq_ignore_ascii_case(&word))
    {
        return Err(errors::unsupported(&format!(
            "SHOW {}",
            sql.trim()
                .trim_end_matches(';')
                .get(start..)
                .unwrap_or(&word)
                .trim()
        )));
    }
    Err(errors::syntax_at(
        sql,
        start,
        &format!("No viable statement for input 'SHOW {word}'"),
    ))
}

/// The session's time zone (`SET time_zone`), else the FE's: StarRocks formats SHOW times
/// with `TimeUtils.getTimeZone()`, which reads the session variable.
pub fn session_time_zone(ctx: &EngineCtx<'_>, session: &Session) -> TimeZone {
    session
        .variables
        .get("time_zone")
        .and_then(|tz| TimeZone::parse(tz.trim_matches(|c| c == '\'' || c == '"')).ok())
        .unwrap_or_else(|| ctx.time_zone.clone())
}

/// A SHOW result: VARCHAR columns and text rows.
pub fn result(columns: Vec<Column>, rows: Vec<Vec<Option<String>>>) -> Outcome {
    Ok(Response::ResultSet { columns, rows })
}

/// `(FROM | IN) db` or nothing: the database a statement names, else the session's current
/// one, else `No database selected`. A `catalog.db` name must use `default_catalog`.
pub fn target_db(
    session: &Session,
    named: Option<Vec<String>>,
) -> Result<String, crate::response::SqlError> {
    match named {
        Some(parts) => match parts.as_slice() {
            [db] => Ok(db.clone()),
            [catalog, db] if catalog == "default_catalog" => Ok(db.clone()),
            [catalog, _] => Err(errors::analyzing_code(
                errors::ERR_BAD_CATALOG_ERROR,
                &format!("Unknown catalog '{catalog}'"),
            )),
            _ => Err(errors::syntax(&format!(
                "Invalid db name format '{}'",
                parts.join(".")
            ))),
        },
        None => session
            .current_db
            .clone()
            .filter(|d| !d.is_empty())
            .ok_or_else(errors::no_database_selected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_is_reachable_in_order() {
        // A longer form sharing a prefix with a shorter one must come first.
        for (i, (a, _)) in FORMS.iter().enumerate() {
            for (b, _) in FORMS.iter().skip(i + 1) {
                let b_is_prefix_of_a = b.len() < a.len() && a.starts_with(b);
                assert!(!b_is_prefix_of_a, "{a:?} listed before its prefix {b:?}");
                let a_is_prefix_of_b = a.len() < b.len() && b.starts_with(a);
                assert!(!a_is_prefix_of_b, "{b:?} is shadowed by {a:?}");
            }
        }
    }
}
