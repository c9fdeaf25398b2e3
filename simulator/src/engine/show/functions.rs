//! `SHOW [FULL] [BUILTIN | GLOBAL] FUNCTIONS [(FROM | IN) db] [LIKE 'p' | WHERE …]` for the
//! user-defined functions `CREATE [GLOBAL] FUNCTION` made.
//!
//! StarRocks 3.4 sources:
//! - grammar `fe/fe-core/src/main/java/com/starrocks/sql/parser/StarRocks.g4`
//!   `showFunctionsStatement`;
//! - analysis `fe/fe-core/src/main/java/com/starrocks/sql/analyzer/ShowStmtAnalyzer.java`
//!   `visitShowFunctionsStatement`: a database function list needs a database (`No database
//!   selected`), and `WHERE` is refused with `ERR_UNSUPPORTED_SQL_PATTERN` (5081);
//! - execution `fe/fe-core/src/main/java/com/starrocks/qe/ShowExecutor.java`
//!   `visitShowFunctionsStatement`: the database must exist (`MetaUtils.checkDbNullAndReport`),
//!   rows are `Function.getInfo(verbose)` filtered by `ShowFunctionsStmt.like` (lower-cased,
//!   `.` literal, `?` one character, `%` any run), sorted by the first column, and a first
//!   column already shown is skipped (so without FULL each name appears once);
//! - columns: without FULL one, `Function Name`; with FULL `ShowFunctionsStmt.META_DATA`:
//!   `Signature`, `Return Type`, `Function Type`, `Intermediate Type`, `Properties`;
//! - `fe/fe-core/src/main/java/com/starrocks/catalog/Function.java` `getInfo` and
//!   `getSignature` (`name(INT,VARCHAR)`: primitive type names joined by `,` without a space,
//!   `, ...` for varargs), `Function Type` `Scalar`/`Aggregate`/`Table`, `Intermediate Type`
//!   the text `NULL` unless an aggregate declares one;
//! - `ScalarFunction`/`AggregateFunction`/`TableFunction.getProperties`: `new Gson().toJson` of
//!   a `HashMap` with `fid`, `file`, `md5`, `symbol`, `type` (the binary type's enum name:
//!   `SRJAR` for `"type" = "StarrocksJar"`, `PYTHON` for Python), in Java's `HashMap` order.
//!
//! The simulator downloads no jar, so `md5` is the `md5` property when the statement gave
//! one, else the MD5 of the `file` text standing in for the jar's. StarRocks 3.4 has no
//! `SHOW CREATE FUNCTION` (it came with 4.x); `SHOW FULL FUNCTIONS` is 3.4's way to read a
//! function's definition back.
//! `BUILTIN` lists StarRocks's built-in functions, which the simulator does not model: it is
//! refused as unsupported rather than answered with a wrong list.

use starsnap_compiler::validate::java::JavaHashMap;

use super::format::gson_string;
use super::parse::Cursor;
use super::predicate::java_like;
use super::{result, target_db};
use crate::engine::catalog::Function;
use crate::engine::errors::{self, Code};
use crate::engine::EngineCtx;
use crate::response::{Column, Outcome, Session};

/// `ErrorCode.ERR_UNSUPPORTED_SQL_PATTERN`.
const ERR_UNSUPPORTED_SQL_PATTERN: Code = Code(5081, "42000");

/// `SHOW FUNCTIONS …` (the cursor stands after `FUNCTIONS`).
pub fn show_functions(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    functions(ctx, s, c, false, Scope::Database)
}

/// `SHOW FULL FUNCTIONS …`.
pub fn show_full_functions(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    functions(ctx, s, c, true, Scope::Database)
}

/// `SHOW GLOBAL FUNCTIONS …`.
pub fn show_global_functions(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    functions(ctx, s, c, false, Scope::Global)
}

/// `SHOW FULL GLOBAL FUNCTIONS …`.
pub fn show_full_global_functions(
    ctx: &EngineCtx<'_>,
    s: &mut Session,
    c: &mut Cursor<'_>,
) -> Outcome {
    functions(ctx, s, c, true, Scope::Global)
}

/// `SHOW [FULL] BUILTIN FUNCTIONS …`: not modelled.
pub fn show_builtin_functions(
    _ctx: &EngineCtx<'_>,
    _s: &mut Session,
    _c: &mut Cursor<'_>,
) -> Outcome {
    Err(errors::unsupported("SHOW BUILTIN FUNCTIONS"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Database,
    Global,
}

fn functions(
    ctx: &EngineCtx<'_>,
    s: &mut Session,
    c: &mut Cursor<'_>,
    full: bool,
    scope: Scope,
) -> Outcome {
    let named = if c.eat_kw("FROM") || c.eat_kw("IN") {
        Some(c.qualified_name()?)
    } else {
        None
    };
    let pattern = if c.eat_kw("LIKE") {
        Some(c.string()?)
    } else {
        None
    };
    let has_where = c.is_kw("WHERE");
    if !has_where {
        c.expect_end()?;
    }
    // The analyzer: the database first (only for a database's functions), then WHERE.
    let db = match scope {
        Scope::Database => Some(target_db(s, named)?),
        Scope::Global => None,
    };
    if has_where {
        return Err(errors::analyzing_code(
            ERR_UNSUPPORTED_SQL_PATTERN,
            "Only support like 'function_pattern' syntax.",
        ));
    }
    let list: &[Function] = match &db {
        Some(name) => match ctx.catalog.db(name) {
            Some(d) => &d.functions,
            None => {
                return Err(errors::analyzing_code(
                    errors::ERR_BAD_DB_ERROR,
                    &format!("Unknown database '{name}'"),
                ))
            }
        },
        None => &ctx.catalog.global_functions,
    };
    let mut rows: Vec<Vec<Option<String>>> = list
        .iter()
        .filter(|f| {
            pattern
                .as_deref()
                .is_none_or(|p| java_like(&function_name(f), p))
        })
        .map(|f| info(f, full))
        .collect();
    rows.sort_by(|a, b| a[0].cmp(&b[0]));
    rows.dedup_by(|b, a| a[0] == b[0]);
    let columns = if full {
        [
            "Signature",
            "Return Type",
            "Function Type",
            "Intermediate Type",
            "Properties",
        ]
        .into_iter()
        .map(Column::varchar)
        .collect()
    } else {
        vec![Column::varchar("Function Name")]
    };
    result(columns, rows)
}

/// `FunctionName` keeps the function part lower-cased.
fn function_name(f: &Function) -> String {
    f.name.to_lowercase()
}

/// `Function.getInfo(isVerbose)`.
fn info(f: &Function, full: bool) -> Vec<Option<String>> {
    if !full {
        return vec![Some(function_name(f))];
    }
    let kind = match f.kind.as_str() {
        "AGGREGATE" => "Aggregate",
        "TABLE" => "Table",
        _ => "Scalar",
    };
    let intermediate = match (&f.intermediate_type, kind) {
        (Some(t), "Aggregate") => primitive_type(t),
        _ => "NULL".to_string(),
    };
    vec![
        Some(signature(f)),
        Some(primitive_type(&f.return_type)),
        Some(kind.to_string()),
        Some(intermediate),
        Some(properties(f)),
    ]
}

/// `Function.getSignature()`: `name(T1,T2)` with primitive type names, `, ...` for varargs.
pub fn signature(f: &Function) -> String {
    let varargs = f.args.last().is_some_and(|a| a == "...");
    let types: Vec<String> = f
        .args
        .iter()
        .filter(|a| *a != "...")
        .map(|a| primitive_type(a))
        .collect();
    format!(
        "{}({}{})",
        function_name(f),
        types.join(","),
        if varargs { ", ..." } else { "" }
    )
}

/// `Type.getPrimitiveType().toString()` for a type as written (`VARCHAR(10)` → `VARCHAR`,
/// `DECIMAL(20,2)` → `DECIMAL128`: decimal v3 by precision; `STRING` is a `VARCHAR`; ARRAY,
/// MAP and STRUCT are not scalar types and report `INVALID_TYPE`).
pub fn primitive_type(written: &str) -> String {
    let upper = written.trim().to_ascii_uppercase();
    let base = upper.split(['(', '<']).next().unwrap_or("").trim();
    let precision = || -> u32 {
        upper
            .split_once('(')
            .and_then(|(_, rest)| rest.split([',', ')']).next())
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(10)
    };
    let name = match base {
        "INTEGER" => "INT",
        "STRING" | "TEXT" => "VARCHAR",
        "BOOL" => "BOOLEAN",
        "DECIMAL" | "NUMERIC" | "DECIMALV3" => match precision() {
            0..=9 => "DECIMAL32",
            10..=18 => "DECIMAL64",
            _ => "DECIMAL128",
        },
        "ARRAY" | "MAP" | "STRUCT" => "INVALID_TYPE",
        "BINARY" => "VARBINARY",
        other => other,
    };
    name.to_string()
}

/// `getProperties()`: Gson's JSON of a Java `HashMap` (its iteration order, Gson's
/// HTML-safe escaping).
fn properties(f: &Function) -> String {
    let prop = |k: &str| {
        f.properties
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    let file = prop("file").unwrap_or_default();
    let md5 = prop("md5").unwrap_or_else(|| crate::snapshot::md5::hex_digest(file.as_bytes()));
    let binary_type = match prop("type").map(|t| t.to_ascii_lowercase()).as_deref() {
        Some("python") => "PYTHON",
        _ => "SRJAR",
    };
    let mut map = JavaHashMap::new();
    map.put("fid".to_string(), f.id.to_string());
    map.put("file".to_string(), file);
    map.put("md5".to_string(), md5);
    map.put("symbol".to_string(), prop("symbol").unwrap_or_default());
    map.put("type".to_string(), binary_type.to_string());
    let mut out = String::from("{");
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        gson_string(&mut out, k);
        out.push(':');
        gson_string(&mut out, v);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitive_types_as_starrocks_names_them() {
        assert_eq!(primitive_type("VARCHAR(10)"), "VARCHAR");
        assert_eq!(primitive_type("int"), "INT");
        assert_eq!(primitive_type("DECIMAL(9,2)"), "DECIMAL32");
        assert_eq!(primitive_type("DECIMAL(18,2)"), "DECIMAL64");
        assert_eq!(primitive_type("DECIMAL(27,9)"), "DECIMAL128");
        assert_eq!(primitive_type("STRING"), "VARCHAR");
        assert_eq!(primitive_type("ARRAY<INT>"), "INVALID_TYPE");
    }
}
