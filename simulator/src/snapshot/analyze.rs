//! The compiler hook-up: parse a snapshot statement with `starsnap_compiler`, run its
//! analyzer over [`CatalogView`] (the compiler's catalog trait implemented on the simulator's
//! catalog), and the analyzer checks that need simulator state the compiler's trait cannot
//! express (spec §2.1 step 3–4, 6): `PARTITION (…)` on a non-native table, backup functions,
//! and the authorizer's empty-database check.

use starsnap_compiler::diagnostic::Severity;
use starsnap_compiler::span::Span;
use starsnap_compiler::syntax::ast::{
    Backup, NamedObject, ObjectItem, ObjectKind, ObjectList, Statement,
};
use starsnap_compiler::syntax::{self, Dialect};
use starsnap_compiler::validate::{self, StatementInput};

use super::SnapCtx;
use crate::engine::catalog::Catalog;
use crate::engine::errors;
use crate::profile::VersionProfile;
use crate::response::{Session, SqlError};

/// `ErrorCode.ERR_WRONG_TABLE_NAME`.
pub const ERR_WRONG_TABLE_NAME: errors::Code = errors::Code(1104, "42000");

/// The grammar a version profile accepts.
pub fn dialect(v: VersionProfile) -> Dialect {
    match v {
        VersionProfile::V3_3 => Dialect::StarRocks3_3,
        VersionProfile::V3_4 => Dialect::StarRocks3_4,
        VersionProfile::V3_5 => Dialect::StarRocks3_5,
        VersionProfile::V4_0 => Dialect::StarRocks4_0,
        VersionProfile::V4_1 => Dialect::StarRocks4_1,
        VersionProfile::V4_2 => Dialect::StarRocks4_2,
    }
}

/// One parsed statement with its source.
pub struct Parsed {
    pub statement: Statement,
    pub span: Span,
    pub src: String,
    pub dialect: Dialect,
}

impl Parsed {
    /// The statement text (StarRocks positions count from its start).
    pub fn text(&self) -> &str {
        self.src.get(self.span.start..self.span.end).unwrap_or("")
    }
}

/// Parses `sql` (one statement): the first syntax or AstBuilder error StarRocks would give.
pub fn parse_one(sql: &str, version: VersionProfile) -> Result<Parsed, SqlError> {
    let dialect = dialect(version);
    let p = syntax::parse(sql, dialect);
    let errors_: Vec<_> = p
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if let Some(sr) = errors_.iter().find_map(|d| d.starrocks.as_ref()) {
        return Err(SqlError::new(sr.code, &sr.sqlstate, sr.message.clone()));
    }
    if let Some(d) = errors_.first() {
        return Err(errors::syntax(&d.message));
    }
    let ps = p
        .statements
        .into_iter()
        .find(|s| s.statement.is_some())
        .ok_or_else(|| errors::syntax("Unexpected input '<EOF>'"))?;
    let statement = ps
        .statement
        .ok_or_else(|| errors::syntax("Unexpected input '<EOF>'"))?;
    Ok(Parsed {
        statement,
        span: ps.span,
        src: sql.to_string(),
        dialect,
    })
}

/// The compiler's catalog questions, answered from the simulator's catalog.
pub struct CatalogView<'a> {
    pub catalog: &'a Catalog,
    pub current_db: Option<&'a str>,
}

impl validate::Catalog for CatalogView<'_> {
    fn current_database(&self) -> Option<&str> {
        self.current_db.filter(|d| !d.is_empty())
    }
    fn database_exists(&self, name: &str) -> Option<bool> {
        Some(self.catalog.db(name).is_some())
    }
    fn repository_exists(&self, name: &str) -> Option<bool> {
        Some(self.catalog.repositories.contains_key(name))
    }
    fn table_exists(&self, database: &str, table: &str) -> Option<bool> {
        Some(self.catalog.table(database, table).is_some())
    }
    /// Case-insensitive, normal or temporary (the simulator does not know which list the
    /// statement meant; `TEMPORARY PARTITION` is refused later by the handler anyway).
    /// Unknown (`None`) for non-native tables: the simulator reports those itself (1104).
    fn partition_exists(&self, database: &str, table: &str, partition: &str) -> Option<bool> {
        let t = self.catalog.table(database, table)?;
        if !t.is_native() {
            return None;
        }
        Some(
            t.partitions
                .iter()
                .chain(&t.temp_partitions)
                .any(|p| p.name.eq_ignore_ascii_case(partition)),
        )
    }
    fn catalog_exists(&self, name: &str) -> Option<bool> {
        Some(self.catalog.external_catalogs.contains_key(name))
    }
}

/// The compiler's first StarRocks error for the statement, with the span it points at.
pub fn first_error(parsed: &Parsed, cx: &SnapCtx<'_>, s: &Session) -> Option<(SqlError, Span)> {
    let view = CatalogView {
        catalog: cx.catalog,
        current_db: s.current_db.as_deref(),
    };
    let diags = validate::analyze(
        &parsed.statement,
        StatementInput {
            src: &parsed.src,
            span: parsed.span,
            dialect: parsed.dialect,
        },
        &view,
    );
    diags.into_iter().find_map(|d| {
        d.starrocks
            .map(|sr| (SqlError::new(sr.code, &sr.sqlstate, sr.message), d.span))
    })
}

/// Runs the compiler's analyzer: `Err` with StarRocks's answer on the first finding.
pub fn check(parsed: &Parsed, cx: &SnapCtx<'_>, s: &Session) -> Result<(), SqlError> {
    match first_error(parsed, cx, s) {
        Some((e, _)) => Err(e),
        None => Ok(()),
    }
}

/// The table-like refs of a BACKUP's `ON` list in AstBuilder order (bare, MV, view, table).
pub fn table_refs(b: &Backup) -> Vec<&NamedObject> {
    list_table_refs(b.on.as_ref())
}

/// The table-like refs of an `ON` list in AstBuilder order (bare, MV, view, table).
pub fn list_table_refs(on: Option<&ObjectList>) -> Vec<&NamedObject> {
    let named: Vec<&NamedObject> = on
        .map(|l| l.items.as_slice())
        .unwrap_or(&[])
        .iter()
        .filter_map(|i| match i {
            ObjectItem::Named(n) if n.kind != ObjectKind::Function => Some(n),
            _ => None,
        })
        .collect();
    let bare = named.iter().copied().filter(|n| {
        n.kind == ObjectKind::Table
            && n.keyword == starsnap_compiler::syntax::ast::ObjectKeyword::Bare
    });
    let mvs = named
        .iter()
        .copied()
        .filter(|n| n.kind == ObjectKind::MaterializedView);
    let views = named.iter().copied().filter(|n| n.kind == ObjectKind::View);
    let tables = named.iter().copied().filter(|n| {
        n.kind == ObjectKind::Table
            && n.keyword != starsnap_compiler::syntax::ast::ObjectKeyword::Bare
    });
    bare.chain(mvs).chain(views).chain(tables).collect()
}

/// The first BACKUP analyzer finding the compiler cannot see, with the index of the table
/// ref it belongs to (`usize::MAX` for functions, which are checked after every table):
/// `PARTITION` on a non-native table (`Incorrect table name`, 1104), a missing function
/// (`Invalid backup function(s)`). Missing partitions are the compiler's (through
/// `CatalogView::partition_exists`).
pub fn backup_state_checks(cx: &SnapCtx<'_>, b: &Backup, db: &str) -> Option<(SqlError, usize)> {
    let database = cx.catalog.db(db)?;
    for (i, n) in table_refs(b).into_iter().enumerate() {
        let Some(name) = n.name.name() else { continue };
        let Some(table) = database.tables.get(&name.value) else {
            continue;
        };
        if n.partitions.is_none() {
            continue;
        }
        if !table.is_native() {
            return Some((
                errors::analyzing_code(
                    ERR_WRONG_TABLE_NAME,
                    &format!("Incorrect table name '{}'", name.value),
                ),
                i,
            ));
        }
    }
    let functions =
        b.on.as_ref()
            .map(|l| l.items.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(|i| match i {
                ObjectItem::Named(n) if n.kind == ObjectKind::Function => Some(n),
                _ => None,
            });
    for f in functions {
        // `FunctionName` lower-cases the function part.
        let fname = f
            .name
            .name()
            .map(|x| x.value.to_lowercase())
            .unwrap_or_default();
        if !database
            .functions
            .iter()
            .any(|x| x.name.eq_ignore_ascii_case(&fname))
        {
            let written: Vec<&str> = f.name.parts.iter().map(|p| p.value.as_str()).collect();
            let shown = if written.len() == 1 {
                format!("{db}.{fname}")
            } else {
                written.join(".")
            };
            return Some((
                errors::analyzing(&format!(
                    "Invalid backup function(s), function name: {shown}"
                )),
                usize::MAX,
            ));
        }
    }
    None
}

#[cfg(test)]
mod profile_tests {
    use super::*;

    /// The sandbox accepts every version the linter accepts, under both spellings, and each
    /// profile answers with that version's grammar.
    #[test]
    fn every_linter_dialect_is_a_profile() {
        for d in Dialect::ALL {
            for name in [d.as_str(), d.version()] {
                let p: VersionProfile = name.parse().unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(dialect(p), d);
            }
        }
        assert_eq!(VersionProfile::ALL.len(), Dialect::ALL.len());
    }
}
