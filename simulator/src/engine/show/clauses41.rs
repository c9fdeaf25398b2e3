//! `showPredicateClauses` of StarRocks 4.1 (`WHERE … ORDER BY … LIMIT …` after SHOW
//! FRONTENDS / BACKENDS / REPOSITORIES; versions §3, PR #68834). Earlier profiles accept
//! none of it: the statement must end after its keywords (a syntax error otherwise).
//!
//! Semantics as read from branch-4.1 `qe/ShowExecutor.execute` (`doPredicate`,
//! `doOrderByLimit`) and `sql/analyzer/ShowStmtAnalyzer.analyzeShowPredicateClause`:
//! the WHERE is evaluated over the row's cells as VARCHAR constants; ORDER BY compares
//! numerically when both cells parse as numbers, else as strings, and is applied only when a
//! WHERE is present (the analyzer returns early otherwise); LIMIT / OFFSET always apply.
//! Unknown columns: `Can't get column <lower-cased name>`.

use crate::engine::errors;
use crate::engine::show::parse::{Cursor, Tok};
use crate::profile::VersionProfile;
use crate::response::{Column, SqlError};

/// A WHERE expression over a SHOW row.
#[derive(Clone, Debug)]
enum Expr {
    Col(String),
    Lit(Option<String>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Box<Expr>, &'static str, Box<Expr>),
    Like(Box<Expr>, Box<Expr>, bool),
    In(Box<Expr>, Vec<Expr>, bool),
    IsNull(Box<Expr>, bool),
}

/// The parsed clauses of a 4.1 SHOW statement.
#[derive(Debug, Default)]
pub struct Clauses {
    filter: Option<Expr>,
    order: Vec<(String, bool)>,
    limit: Option<(u64, u64)>,
}

/// Reads the clauses (4.1 and later) or requires the end of the statement (earlier).
pub fn parse(c: &mut Cursor<'_>, profile: VersionProfile) -> Result<Clauses, SqlError> {
    let mut out = Clauses::default();
    if profile >= VersionProfile::V4_1 {
        if c.eat_kw("WHERE") {
            out.filter = Some(or(c)?);
        }
        if c.eat_kw("ORDER") {
            c.expect_kw("BY")?;
            loop {
                let name = match primary(c)? {
                    Expr::Col(n) => n,
                    _ => return Err(errors::analyzing("Show stmt only support order by column")),
                };
                let desc = c.eat_kw("DESC");
                if !desc {
                    c.eat_kw("ASC");
                }
                out.order.push((name, desc));
                if !c.eat_sym(",") {
                    break;
                }
            }
        }
        if c.eat_kw("LIMIT") {
            let first = c.integer()?;
            out.limit = Some(if c.eat_kw("OFFSET") {
                (c.integer()?, first)
            } else if c.eat_sym(",") {
                (first, c.integer()?)
            } else {
                (0, first)
            });
        }
    }
    c.expect_end()?;
    Ok(out)
}

impl Clauses {
    /// Filters, sorts and limits `rows` whose columns are `columns`.
    pub fn apply(
        &self,
        columns: &[Column],
        rows: Vec<Vec<Option<String>>>,
    ) -> Result<Vec<Vec<Option<String>>>, SqlError> {
        let index = |name: &str| {
            columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    errors::analyzing(&format!("Can't get column {}", name.to_lowercase()))
                })
        };
        let mut rows = rows;
        if let Some(filter) = &self.filter {
            check_columns(filter, &index)?;
            let mut kept = Vec::with_capacity(rows.len());
            for row in rows {
                if eval(filter, &row, &index)? == Some(true) {
                    kept.push(row);
                }
            }
            rows = kept;
            let keys: Vec<(usize, bool)> = self
                .order
                .iter()
                .map(|(n, d)| index(n).map(|i| (i, *d)))
                .collect::<Result<_, _>>()?;
            rows.sort_by(|a, b| {
                keys.iter()
                    .map(|&(i, desc)| {
                        let o = compare_cells(a[i].as_deref(), b[i].as_deref());
                        if desc {
                            o.reverse()
                        } else {
                            o
                        }
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        }
        if let Some((offset, limit)) = self.limit {
            let start = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(rows.len());
            let len = usize::try_from(limit).unwrap_or(usize::MAX);
            rows = rows.into_iter().skip(start).take(len).collect();
        }
        Ok(rows)
    }
}

fn compare_cells(a: Option<&str>, b: Option<&str>) -> std::cmp::Ordering {
    match (
        a.and_then(|s| s.trim().parse::<f64>().ok()),
        b.and_then(|s| s.trim().parse::<f64>().ok()),
    ) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => a.cmp(&b),
    }
}

fn check_columns(
    e: &Expr,
    index: &dyn Fn(&str) -> Result<usize, SqlError>,
) -> Result<(), SqlError> {
    match e {
        Expr::Col(n) => index(n).map(|_| ()),
        Expr::Lit(_) => Ok(()),
        Expr::Not(a) | Expr::IsNull(a, _) => check_columns(a, index),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Cmp(a, _, b) | Expr::Like(a, b, _) => {
            check_columns(a, index)?;
            check_columns(b, index)
        }
        Expr::In(a, items, _) => {
            check_columns(a, index)?;
            items.iter().try_for_each(|i| check_columns(i, index))
        }
    }
}

fn value<'r>(
    e: &Expr,
    row: &'r [Option<String>],
    index: &dyn Fn(&str) -> Result<usize, SqlError>,
) -> Result<Option<std::borrow::Cow<'r, str>>, SqlError> {
    Ok(match e {
        Expr::Col(n) => row
            .get(index(n)?)
            .and_then(|c| c.as_deref())
            .map(std::borrow::Cow::Borrowed),
        Expr::Lit(v) => v.clone().map(std::borrow::Cow::Owned),
        other => eval(other, row, index)?
            .map(|b| std::borrow::Cow::Owned(if b { "1" } else { "0" }.to_string())),
    })
}

/// Three-valued evaluation: `None` is SQL NULL (the row is dropped).
fn eval(
    e: &Expr,
    row: &[Option<String>],
    index: &dyn Fn(&str) -> Result<usize, SqlError>,
) -> Result<Option<bool>, SqlError> {
    Ok(match e {
        Expr::Not(a) => eval(a, row, index)?.map(|b| !b),
        Expr::And(a, b) => match (eval(a, row, index)?, eval(b, row, index)?) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        Expr::Or(a, b) => match (eval(a, row, index)?, eval(b, row, index)?) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        Expr::Cmp(a, op, b) => {
            let (Some(x), Some(y)) = (value(a, row, index)?, value(b, row, index)?) else {
                return Ok(None);
            };
            let o = compare_cells(Some(&x), Some(&y));
            Some(match *op {
                "=" | "<=>" => o.is_eq(),
                "!=" | "<>" => o.is_ne(),
                "<" => o.is_lt(),
                "<=" => o.is_le(),
                ">" => o.is_gt(),
                _ => o.is_ge(),
            })
        }
        Expr::Like(a, p, negated) => {
            let (Some(x), Some(p)) = (value(a, row, index)?, value(p, row, index)?) else {
                return Ok(None);
            };
            Some(crate::engine::show::tables::mysql_like(&x, &p, true) != *negated)
        }
        Expr::In(a, items, negated) => {
            let Some(x) = value(a, row, index)? else {
                return Ok(None);
            };
            let mut hit = false;
            for item in items {
                if let Some(y) = value(item, row, index)? {
                    hit |= compare_cells(Some(&x), Some(&y)).is_eq();
                }
            }
            Some(hit != *negated)
        }
        Expr::IsNull(a, negated) => Some(value(a, row, index)?.is_none() != *negated),
        Expr::Col(_) | Expr::Lit(_) => value(e, row, index)?
            .map(|v| v.trim().parse::<f64>().map(|f| f != 0.0).unwrap_or(false)),
    })
}

fn or(c: &mut Cursor<'_>) -> Result<Expr, SqlError> {
    let mut left = and(c)?;
    while c.eat_kw("OR") {
        left = Expr::Or(Box::new(left), Box::new(and(c)?));
    }
    Ok(left)
}

fn and(c: &mut Cursor<'_>) -> Result<Expr, SqlError> {
    let mut left = not(c)?;
    while c.eat_kw("AND") {
        left = Expr::And(Box::new(left), Box::new(not(c)?));
    }
    Ok(left)
}

fn not(c: &mut Cursor<'_>) -> Result<Expr, SqlError> {
    if c.eat_kw("NOT") {
        return Ok(Expr::Not(Box::new(not(c)?)));
    }
    comparison(c)
}

fn comparison(c: &mut Cursor<'_>) -> Result<Expr, SqlError> {
    let left = primary(c)?;
    if let Some(Tok::Sym(op)) = c.peek().map(|t| t.tok.clone()) {
        if ["=", "<=>", "!=", "<>", "<", "<=", ">", ">="].contains(&op) {
            c.bump();
            return Ok(Expr::Cmp(Box::new(left), op, Box::new(primary(c)?)));
        }
    }
    if c.eat_kw("IS") {
        let negated = c.eat_kw("NOT");
        c.expect_kw("NULL")?;
        return Ok(Expr::IsNull(Box::new(left), negated));
    }
    let negated = c.eat_kw("NOT");
    if c.eat_kw("LIKE") {
        return Ok(Expr::Like(Box::new(left), Box::new(primary(c)?), negated));
    }
    if c.eat_kw("IN") {
        if !c.eat_sym("(") {
            return Err(c.unexpected(&["'('"]));
        }
        let mut items = vec![primary(c)?];
        while c.eat_sym(",") {
            items.push(primary(c)?);
        }
        if !c.eat_sym(")") {
            return Err(c.unexpected(&["','", "')'"]));
        }
        return Ok(Expr::In(Box::new(left), items, negated));
    }
    if negated {
        return Err(c.unexpected(&["'LIKE'", "'IN'"]));
    }
    Ok(left)
}

fn primary(c: &mut Cursor<'_>) -> Result<Expr, SqlError> {
    if c.eat_sym("(") {
        let e = or(c)?;
        if !c.eat_sym(")") {
            return Err(c.unexpected(&["')'"]));
        }
        return Ok(e);
    }
    let negative = c.eat_sym("-");
    match c.peek().map(|t| t.tok.clone()) {
        Some(Tok::Int(n)) | Some(Tok::Num(n)) => {
            c.bump();
            Ok(Expr::Lit(Some(if negative { format!("-{n}") } else { n })))
        }
        Some(Tok::Str(s)) if !negative => {
            c.bump();
            Ok(Expr::Lit(Some(s)))
        }
        Some(Tok::Word(w)) if !negative && w.eq_ignore_ascii_case("NULL") => {
            c.bump();
            Ok(Expr::Lit(None))
        }
        Some(Tok::Word(_)) | Some(Tok::Quoted(_)) if !negative => {
            let parts = c.qualified_name()?;
            Ok(Expr::Col(parts.last().cloned().unwrap_or_default()))
        }
        _ => Err(c.unexpected(&["a legal identifier", "a literal"])),
    }
}
