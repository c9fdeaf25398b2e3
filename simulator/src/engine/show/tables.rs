//! SHOW DATABASES, SHOW [FULL] TABLES and SHOW CREATE TABLE / VIEW / MATERIALIZED VIEW.
//!
//! Facts from 3.4 (`fe/fe-core/src/main/java/com/starrocks/…`): `qe/ShowExecutor.java`
//! `visitShowDatabasesStatement` (names in a `TreeSet`), `visitShowTableStatement` (a
//! `TreeMap` of name → `Table.getMysqlType()`), `showCreateInternalCatalogTable`;
//! `sql/ast/ShowDbStmt.java`, `ShowTableStmt.java`, `ShowCreateTableStmt.java` (titles);
//! `common/PatternMatcher.java` (LIKE, case-sensitive for database and table names).

use std::collections::BTreeSet;

use crate::engine::catalog::TableKind;
use crate::engine::show::layouts::{self, CreateLayout};
use crate::engine::show::parse::Cursor;
use crate::engine::show::{ddl, result, target_db};
use crate::engine::{errors, infoschema, EngineCtx};
use crate::response::{Outcome, Session, SqlError};

/// Databases every StarRocks 3.4 cluster has besides the user's: `information_schema`,
/// `sys` (privilege views) and `_statistics_` (created by the statistics daemon at start).
pub const SYSTEM_DATABASES: [&str; 3] = ["_statistics_", "information_schema", "sys"];

/// `SHOW DATABASES [(FROM | IN) catalog] [LIKE 'p' | WHERE …]`.
pub fn show_databases(ctx: &EngineCtx<'_>, _s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    let mut catalog = None;
    if c.eat_kw("FROM") || c.eat_kw("IN") {
        catalog = Some(c.qualified_name()?.join("."));
    }
    databases(ctx, c, catalog)
}

/// `SHOW SCHEMAS [LIKE 'p' | WHERE …]`.
pub fn show_schemas(ctx: &EngineCtx<'_>, _s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    databases(ctx, c, None)
}

fn databases(ctx: &EngineCtx<'_>, c: &mut Cursor<'_>, catalog: Option<String>) -> Outcome {
    let pattern = like_or_where(c, "SHOW DATABASES … WHERE")?;
    let names: BTreeSet<String> = match catalog.as_deref() {
        None | Some("default_catalog") => ctx
            .catalog
            .databases
            .keys()
            .cloned()
            .chain(SYSTEM_DATABASES.iter().map(|s| s.to_string()))
            .collect(),
        Some(name) if ctx.catalog.external_catalogs.contains_key(name) => BTreeSet::new(),
        Some(name) => {
            return Err(errors::analyzing_code(
                errors::ERR_BAD_CATALOG_ERROR,
                &format!("Unknown catalog '{name}'"),
            ))
        }
    };
    let rows = names
        .into_iter()
        .filter(|n| pattern.as_deref().is_none_or(|p| mysql_like(n, p, true)))
        .map(|n| vec![Some(n)])
        .collect();
    result(layouts::show_databases(), rows)
}

/// `SHOW TABLES [(FROM | IN) db] [LIKE 'p' | WHERE …]`.
pub fn show_tables(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    tables(ctx, s, c, false)
}

/// `SHOW FULL TABLES …`: adds `Table_type` (`BASE TABLE` or `VIEW`, also for materialized views).
pub fn show_full_tables(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    tables(ctx, s, c, true)
}

fn tables(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>, full: bool) -> Outcome {
    let named = if c.eat_kw("FROM") || c.eat_kw("IN") {
        Some(c.qualified_name()?)
    } else {
        None
    };
    let pattern = like_or_where(c, "SHOW TABLES … WHERE")?;
    let db = target_db(s, named)?;
    let entries: Vec<(String, &'static str)> = if db == "information_schema" {
        infoschema::TABLE_NAMES
            .iter()
            .map(|n| (n.to_string(), "SYSTEM VIEW"))
            .collect()
    } else if SYSTEM_DATABASES.contains(&db.as_str()) && ctx.catalog.db(&db).is_none() {
        return Err(errors::unsupported(&format!("SHOW TABLES FROM {db}")));
    } else {
        let Some(database) = ctx.catalog.db(&db) else {
            return Err(errors::analyzing_code(
                errors::ERR_BAD_DB_ERROR,
                &format!("Unknown database '{db}'"),
            ));
        };
        database
            .tables
            .values()
            .map(|t| (t.name.clone(), mysql_type(t.kind)))
            .collect()
    };
    let mut entries: Vec<(String, &'static str)> = entries
        .into_iter()
        .filter(|(n, _)| pattern.as_deref().is_none_or(|p| mysql_like(n, p, true)))
        .collect();
    entries.sort();
    let rows = entries
        .into_iter()
        .map(|(n, kind)| {
            let mut row = vec![Some(n)];
            if full {
                row.push(Some(kind.to_string()));
            }
            row
        })
        .collect();
    result(layouts::show_tables(&db, full), rows)
}

/// `Table.getMysqlType()`: views and materialized views are `VIEW`.
pub fn mysql_type(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Olap => "BASE TABLE",
        TableKind::View | TableKind::MaterializedView => "VIEW",
    }
}

/// `[LIKE 'p' | WHERE …]` then end of statement. WHERE is rewritten by StarRocks into a
/// query over `information_schema`, which the simulator does not do for SHOW.
fn like_or_where(c: &mut Cursor<'_>, what: &str) -> Result<Option<String>, SqlError> {
    let pattern = if c.eat_kw("LIKE") {
        Some(c.string()?)
    } else if c.is_kw("WHERE") {
        return Err(errors::unsupported(what));
    } else {
        None
    };
    c.expect_end()?;
    Ok(pattern)
}

/// `PatternMatcher.createMysqlPattern` + `match`: `%` any run, `_` one character, `\`
/// escapes `%`, `_` and `\` (other backslashes are dropped); the whole name must match.
pub fn mysql_like(name: &str, pattern: &str, case_sensitive: bool) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Lit(char),
        One,
        Any,
    }
    let mut pat = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '%' => pat.push(P::Any),
            '_' => pat.push(P::One),
            '\\' => match chars.peek() {
                Some(&n @ ('%' | '_' | '\\')) => {
                    chars.next();
                    pat.push(P::Lit(n));
                }
                None => pat.push(P::Lit('\\')),
                Some(_) => {}
            },
            c => pat.push(P::Lit(c)),
        }
    }
    let fold = |c: char| {
        if case_sensitive {
            c
        } else {
            c.to_lowercase().next().unwrap_or(c)
        }
    };
    let s: Vec<char> = name.chars().map(fold).collect();
    let (mut si, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match pat.get(pi) {
            Some(P::Lit(c)) if fold(*c) == s[si] => {
                si += 1;
                pi += 1;
            }
            Some(P::One) => {
                si += 1;
                pi += 1;
            }
            Some(P::Any) => {
                star = Some((pi, si));
                pi += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    pat[pi..].iter().all(|p| *p == P::Any)
}

/// What `SHOW CREATE <kind>` asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Asked {
    Table,
    View,
    MaterializedView,
}

impl Asked {
    fn keyword(self) -> &'static str {
        match self {
            Asked::Table => "TABLE",
            Asked::View => "VIEW",
            Asked::MaterializedView => "MATERIALIZED VIEW",
        }
    }
}

/// `SHOW CREATE TABLE [db.]t`.
pub fn show_create_table(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    show_create(ctx, s, c, Asked::Table)
}

/// `SHOW CREATE VIEW [db.]v`.
pub fn show_create_view(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    show_create(ctx, s, c, Asked::View)
}

/// `SHOW CREATE MATERIALIZED VIEW [db.]mv`.
pub fn show_create_materialized_view(
    ctx: &EngineCtx<'_>,
    s: &mut Session,
    c: &mut Cursor<'_>,
) -> Outcome {
    show_create(ctx, s, c, Asked::MaterializedView)
}

fn show_create(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>, asked: Asked) -> Outcome {
    let mut parts = c.qualified_name()?;
    c.expect_end()?;
    let name = parts.pop().unwrap_or_default();
    let db = target_db(s, (!parts.is_empty()).then_some(parts))?;
    let Some(database) = ctx.catalog.db(&db) else {
        return Err(errors::analyzing_code(
            errors::ERR_BAD_DB_ERROR,
            &format!("Unknown database '{db}'"),
        ));
    };
    let Some(table) = database.tables.get(&name) else {
        return Err(errors::analyzing_code(
            errors::ERR_BAD_TABLE_ERROR,
            &format!("Unknown table '{name}'"),
        ));
    };
    let wrong_object = || {
        Err(errors::analyzing_code(
            ERR_WRONG_OBJECT,
            &format!("'{db}'.'{name}' is not '{}'", asked.keyword()),
        ))
    };
    let utf8 = || Some("utf8".to_string());
    let collation = || Some("utf8_general_ci".to_string());
    match (table.kind, asked) {
        (TableKind::View, Asked::MaterializedView) => wrong_object(),
        (TableKind::View, _) => result(
            layouts::show_create(CreateLayout::View),
            vec![vec![
                Some(table.name.clone()),
                Some(ddl::create_statement(ctx.catalog, &db, table)),
                utf8(),
                collation(),
            ]],
        ),
        (TableKind::MaterializedView, Asked::View) => {
            let query = table.mv.as_ref().map(|m| m.query.as_str()).unwrap_or("");
            result(
                layouts::show_create(CreateLayout::View),
                vec![vec![
                    Some(table.name.clone()),
                    Some(format!("CREATE VIEW `{}` AS {query}", table.name)),
                    utf8(),
                    collation(),
                ]],
            )
        }
        (TableKind::MaterializedView, _) => result(
            layouts::show_create(CreateLayout::MaterializedView),
            vec![vec![
                Some(table.name.clone()),
                Some(ddl::create_statement(ctx.catalog, &db, table)),
            ]],
        ),
        (TableKind::Olap, Asked::Table) => result(
            layouts::show_create(CreateLayout::Table),
            vec![vec![
                Some(table.name.clone()),
                Some(ddl::create_statement(ctx.catalog, &db, table)),
            ]],
        ),
        (TableKind::Olap, _) => wrong_object(),
    }
}

/// `ErrorCode.ERR_WRONG_OBJECT`: `'%s'.'%s' is not '%s'`.
const ERR_WRONG_OBJECT: errors::Code = errors::Code(1347, "HY000");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_patterns() {
        assert!(mysql_like("orders", "ord%", true));
        assert!(mysql_like("orders", "order_", true));
        assert!(!mysql_like("Orders", "ord%", true));
        assert!(mysql_like("Orders", "ord%", false));
        assert!(mysql_like("a_b", "a\\_b", true));
        assert!(!mysql_like("axb", "a\\_b", true));
        assert!(mysql_like("a.b", "a.b", true));
        assert!(!mysql_like("axb", "a.b", true));
    }
}
