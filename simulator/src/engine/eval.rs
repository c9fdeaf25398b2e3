//! Expression evaluation over a row, a group of rows (aggregates) or nothing (constant
//! SELECTs, INSERT VALUES). SQL three-valued logic: comparisons with NULL are NULL, and
//! WHERE keeps only rows whose predicate is true.

use std::borrow::Cow;

use crate::config::SimConfig;
use crate::engine::ast::{BinOp, Expr};
use crate::engine::errors;
use crate::engine::session;
use crate::engine::time::{self, TimeUnit, TimeZone};
use crate::engine::value::{SqlType, Value};
use crate::response::{ColumnType, Session, SqlError};

/// A column of the rows being evaluated.
#[derive(Clone, Debug)]
pub struct SourceColumn {
    pub name: String,
    pub kind: ColumnType,
    pub ty: Option<SqlType>,
}

/// What an expression can see besides the row.
pub struct EvalEnv<'a> {
    pub session: &'a Session,
    pub config: &'a SimConfig,
    pub tz: &'a TimeZone,
    /// The whole statement text, for error positions.
    pub sql: &'a str,
    /// The relations of FROM (a table and the tables joined to it), each with the names its
    /// columns may be qualified with and the range of its columns in `columns`.
    pub relations: Vec<Relation>,
    pub columns: &'a [SourceColumn],
}

/// One relation of a FROM clause: the name its columns are qualified with (the alias when
/// there is one, else the table name; `RelationFields`/`Field.canResolve` in StarRocks) and
/// where its columns sit in the joined row.
#[derive(Clone, Debug)]
pub struct Relation {
    pub name: String,
    pub columns: std::ops::Range<usize>,
}

impl Relation {
    /// A single relation over all of `columns`.
    pub fn whole(name: &str, columns: &[SourceColumn]) -> Vec<Relation> {
        vec![Relation {
            name: name.to_string(),
            columns: 0..columns.len(),
        }]
    }
}

/// The row an expression is evaluated against. Aggregate calls are evaluated by a grouped
/// SELECT, which feeds them rows ([`EvalEnv::accumulate`]); anywhere else they are refused.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    Empty,
    Row(&'a [Value]),
}

/// The running state of one aggregate call over a group's rows.
#[derive(Default)]
pub struct Accumulator {
    /// Rows fed (COUNT(*)).
    rows: i64,
    /// Rows whose argument was not NULL (COUNT).
    non_null: i64,
    /// The non-NULL arguments (SUM, AVG, DISTINCT).
    vals: Vec<Value>,
    /// The least or greatest argument so far (MIN, MAX).
    best: Option<Value>,
}

/// From this many items, an IN list of string literals is looked up in a set
/// ([`Expr::InStrings`]) rather than compared item by item.
const IN_SET_MIN: usize = 8;

pub const AGGREGATES: &[&str] = &["count", "sum", "min", "max", "avg"];

/// Whether an expression contains an aggregate call.
pub fn has_aggregate(e: &Expr) -> bool {
    match e {
        Expr::Func { name, args, .. } => {
            AGGREGATES.contains(&name.as_str()) || args.iter().any(has_aggregate)
        }
        Expr::Neg(x) | Expr::Not(x) => has_aggregate(x),
        Expr::Bin { l, r, .. } => has_aggregate(l) || has_aggregate(r),
        Expr::IsNull { e, .. } | Expr::Cast { e, .. } => has_aggregate(e),
        Expr::In { e, list, .. } | Expr::InStrings { e, list, .. } => {
            has_aggregate(e) || list.iter().any(has_aggregate)
        }
        Expr::InSubquery { e, .. } => has_aggregate(e),
        Expr::Between { e, lo, hi, .. } => {
            has_aggregate(e) || has_aggregate(lo) || has_aggregate(hi)
        }
        Expr::Like { e, pat, .. } => has_aggregate(e) || has_aggregate(pat),
        Expr::Case {
            operand,
            whens,
            otherwise,
        } => {
            operand.as_deref().is_some_and(has_aggregate)
                || whens
                    .iter()
                    .any(|(a, b)| has_aggregate(a) || has_aggregate(b))
                || otherwise.as_deref().is_some_and(has_aggregate)
        }
        _ => false,
    }
}

/// Calls `f` on every column reference of an expression.
pub fn visit_columns<'e>(
    e: &'e Expr,
    f: &mut dyn FnMut(&'e Option<String>, &'e str, usize) -> Result<(), SqlError>,
) -> Result<(), SqlError> {
    match e {
        Expr::Col { table, name, pos } => f(table, name, *pos),
        Expr::Func { args, .. } => args.iter().try_for_each(|a| visit_columns(a, f)),
        Expr::Neg(x) | Expr::Not(x) => visit_columns(x, f),
        Expr::Bin { l, r, .. } => {
            visit_columns(l, f)?;
            visit_columns(r, f)
        }
        Expr::IsNull { e, .. } | Expr::Cast { e, .. } => visit_columns(e, f),
        Expr::In { e, list, .. } | Expr::InStrings { e, list, .. } => {
            visit_columns(e, f)?;
            list.iter().try_for_each(|a| visit_columns(a, f))
        }
        // The subquery's own columns belong to its own FROM.
        Expr::InSubquery { e, .. } => visit_columns(e, f),
        Expr::Between { e, lo, hi, .. } => {
            visit_columns(e, f)?;
            visit_columns(lo, f)?;
            visit_columns(hi, f)
        }
        Expr::Like { e, pat, .. } => {
            visit_columns(e, f)?;
            visit_columns(pat, f)
        }
        Expr::Case {
            operand,
            whens,
            otherwise,
        } => {
            if let Some(o) = operand {
                visit_columns(o, f)?;
            }
            for (a, b) in whens {
                visit_columns(a, f)?;
                visit_columns(b, f)?;
            }
            match otherwise {
                Some(o) => visit_columns(o, f),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

impl EvalEnv<'_> {
    /// Resolves every column reference of an expression to its row index once, so rows are
    /// evaluated without name lookups (and unknown columns fail before any row is read).
    pub fn bind(&self, e: &Expr) -> Result<Expr, SqlError> {
        let b = |x: &Expr| self.bind(x).map(Box::new);
        Ok(match e {
            Expr::Col { table, name, pos } => Expr::Slot(self.resolve(table, name, *pos)?),
            Expr::Neg(x) => Expr::Neg(b(x)?),
            Expr::Not(x) => Expr::Not(b(x)?),
            Expr::Bin { op, l, r } => {
                let (l, r) = (b(l)?, b(r)?);
                let op = match op {
                    BinOp::And if infallible(&r) => BinOp::AndThen,
                    BinOp::Or if infallible(&r) => BinOp::OrElse,
                    op => op.clone(),
                };
                Expr::Bin { op, l, r }
            }
            Expr::IsNull { e, neg } => Expr::IsNull {
                e: b(e)?,
                neg: *neg,
            },
            Expr::Cast { e, ty } => Expr::Cast {
                e: b(e)?,
                ty: ty.clone(),
            },
            Expr::In { e, list, neg } | Expr::InStrings { e, list, neg, .. } => {
                let e = b(e)?;
                let list: Vec<Expr> = list
                    .iter()
                    .map(|x| self.bind(x))
                    .collect::<Result<_, _>>()?;
                let strings: Option<std::collections::HashSet<String>> = (list.len() >= IN_SET_MIN)
                    .then(|| {
                        list.iter()
                            .map(|x| match x {
                                Expr::Lit(Value::Str(s)) => Some(s.clone()),
                                _ => None,
                            })
                            .collect()
                    })
                    .flatten();
                match strings {
                    Some(set) => Expr::InStrings {
                        e,
                        list,
                        set,
                        neg: *neg,
                    },
                    _ => Expr::In { e, list, neg: *neg },
                }
            }
            Expr::Between { e, lo, hi, neg } => Expr::Between {
                e: b(e)?,
                lo: b(lo)?,
                hi: b(hi)?,
                neg: *neg,
            },
            Expr::Like { e, pat, neg } => Expr::Like {
                e: b(e)?,
                pat: b(pat)?,
                neg: *neg,
            },
            Expr::Func {
                name,
                args,
                star,
                distinct,
                pos,
            } => Expr::Func {
                name: name.clone(),
                args: args
                    .iter()
                    .map(|x| self.bind(x))
                    .collect::<Result<_, _>>()?,
                star: *star,
                distinct: *distinct,
                pos: *pos,
            },
            Expr::Case {
                operand,
                whens,
                otherwise,
            } => Expr::Case {
                operand: match operand {
                    Some(o) => Some(b(o)?),
                    None => None,
                },
                whens: whens
                    .iter()
                    .map(|(w, t)| Ok((self.bind(w)?, self.bind(t)?)))
                    .collect::<Result<_, SqlError>>()?,
                otherwise: match otherwise {
                    Some(o) => Some(b(o)?),
                    None => None,
                },
            },
            other => other.clone(),
        })
    }

    /// Checks that every column an expression names exists (before any row is read, as the
    /// analyzer does).
    pub fn check(&self, e: &Expr) -> Result<(), SqlError> {
        visit_columns(e, &mut |t, n, p| self.resolve(t, n, p).map(|_| ()))
    }

    /// Index of a column reference, or StarRocks's "cannot be resolved" / "is ambiguous"
    /// error (`sql/analyzer/Scope.resolveField`, `RelationFields.resolveFields`: by name, then
    /// by qualifier when there is one).
    pub fn resolve(
        &self,
        table: &Option<String>,
        name: &str,
        _pos: usize,
    ) -> Result<usize, SqlError> {
        let mut found: Option<(usize, usize)> = None;
        for (r, rel) in self.relations.iter().enumerate() {
            if table.as_ref().is_some_and(|t| *t != rel.name) {
                continue;
            }
            let hit = self
                .columns
                .get(rel.columns.clone())
                .and_then(|cols| cols.iter().position(|c| c.name.eq_ignore_ascii_case(name)));
            match (hit, found) {
                (Some(i), None) => found = Some((r, rel.columns.start + i)),
                (Some(_), Some(_)) => {
                    // Scope.resolveField: `Column '%s' is ambiguous` (the bare name).
                    return Err(errors::analyzing(&format!("Column '{name}' is ambiguous")));
                }
                (None, _) => {}
            }
        }
        found.map(|(_, i)| i).ok_or_else(|| {
            let shown = match table {
                Some(t) => format!("{t}.{name}"),
                None => name.to_string(),
            };
            // Scope.resolveField throws `new SemanticException("Column '%s' cannot be
            // resolved", …)`: no ErrorCode and no position (1064/HY000).
            errors::analyzing(&format!("Column '{shown}' cannot be resolved"))
        })
    }

    /// An operand's value, borrowed from the row (a column) or the expression (a literal)
    /// when it can be: comparisons and function arguments read values without copying
    /// them (a WHERE over 365,000 rows, a grouped aggregate over every partition).
    pub fn operand<'x>(&self, e: &'x Expr, scope: Scope<'x>) -> Result<Cow<'x, Value>, SqlError> {
        const NULL: &Value = &Value::Null;
        Ok(match (e, scope) {
            (Expr::Lit(v), _) => Cow::Borrowed(v),
            (Expr::Slot(idx), Scope::Row(r)) => Cow::Borrowed(r.get(*idx).unwrap_or(NULL)),
            _ => Cow::Owned(self.eval(e, scope)?),
        })
    }

    pub fn eval(&self, e: &Expr, scope: Scope<'_>) -> Result<Value, SqlError> {
        match e {
            Expr::Lit(v) => Ok(v.clone()),
            Expr::Slot(idx) => Ok(match scope {
                Scope::Row(r) => r.get(*idx).cloned().unwrap_or(Value::Null),
                Scope::Empty => Value::Null,
            }),
            Expr::Col { table, name, pos } => {
                let idx = self.resolve(table, name, *pos)?;
                Ok(match scope {
                    Scope::Row(r) => r.get(idx).cloned().unwrap_or(Value::Null),
                    Scope::Empty => Value::Null,
                })
            }
            Expr::SysVar { name, .. } => session::sysvar(self.session, self.config, self.tz, name),
            Expr::UserVar(n) => Ok(self
                .session
                .variables
                .get(&format!("@{n}"))
                .map(|v| Value::Str(v.clone()))
                .unwrap_or(Value::Null)),
            Expr::Neg(x) => Ok(match self.eval(x, scope)? {
                Value::Null => Value::Null,
                Value::Int(i) => Value::Int(i.wrapping_neg()),
                Value::Decimal(u, s) => Value::Decimal(-u, s),
                v => v.as_f64().map(|f| Value::Float(-f)).unwrap_or(Value::Null),
            }),
            Expr::Not(x) => Ok(match self.eval(x, scope)? {
                Value::Null => Value::Null,
                v => Value::Bool(!v.truthy()),
            }),
            Expr::Bin { op, l, r } => self.binary(op, l, r, scope),
            // Materialized by `select::materialize_subqueries` wherever a query runs; anywhere
            // else (a DELETE or UPDATE condition) it is not simulated.
            Expr::InSubquery { .. } => Err(errors::unsupported("a subquery here")),
            Expr::IsNull { e, neg } => Ok(Value::Bool(self.operand(e, scope)?.is_null() != *neg)),
            Expr::InStrings { e, list, set, neg } => {
                let v = self.operand(e, scope)?;
                match v.as_ref() {
                    // Two strings are equal when their bytes are (`sql_cmp`).
                    Value::Str(s) => Ok(Value::Bool(set.contains(s.as_str()) != *neg)),
                    _ => self.in_list(&v, list, *neg, scope),
                }
            }
            Expr::In { e, list, neg } => {
                let v = self.operand(e, scope)?;
                self.in_list(&v, list, *neg, scope)
            }
            Expr::Between { e, lo, hi, neg } => {
                let v = self.operand(e, scope)?;
                let (a, b) = (self.operand(lo, scope)?, self.operand(hi, scope)?);
                match (v.sql_cmp(&a), v.sql_cmp(&b)) {
                    (Some(x), Some(y)) => Ok(Value::Bool((x.is_ge() && y.is_le()) != *neg)),
                    _ => Ok(Value::Null),
                }
            }
            Expr::Like { e, pat, neg } => {
                let v = self.operand(e, scope)?;
                let p = self.operand(pat, scope)?;
                match (v.text(), p.text()) {
                    (Some(s), Some(p)) => Ok(Value::Bool(like(&s, &p) != *neg)),
                    _ => Ok(Value::Null),
                }
            }
            Expr::Cast { e, ty } => {
                let v = self.eval(e, scope)?;
                Ok(ty.coerce(v).unwrap_or(Value::Null))
            }
            Expr::Case {
                operand,
                whens,
                otherwise,
            } => {
                let op = match operand {
                    Some(o) => Some(self.eval(o, scope)?),
                    None => None,
                };
                for (w, t) in whens {
                    let c = self.eval(w, scope)?;
                    let hit = match &op {
                        Some(o) => o.sql_cmp(&c) == Some(std::cmp::Ordering::Equal),
                        None => c.truthy(),
                    };
                    if hit {
                        return self.eval(t, scope);
                    }
                }
                match otherwise {
                    Some(o) => self.eval(o, scope),
                    None => Ok(Value::Null),
                }
            }
            Expr::Func {
                name, args, pos, ..
            } => {
                if AGGREGATES.contains(&name.as_str()) {
                    return Err(errors::analyzing_at(
                        self.sql,
                        *pos,
                        None,
                        &format!("'{name}' cannot be used here: aggregate functions are not allowed in this clause"),
                    ));
                }
                // Up to three arguments on the stack: a function over every row of a scan
                // allocates nothing to call.
                let arg = |i: usize| self.operand(&args[i], scope);
                match args.len() {
                    0 => self.scalar(name, &[], *pos),
                    1 => self.scalar(name, &[arg(0)?], *pos),
                    2 => self.scalar(name, &[arg(0)?, arg(1)?], *pos),
                    3 => self.scalar(name, &[arg(0)?, arg(1)?, arg(2)?], *pos),
                    _ => {
                        let vals = args
                            .iter()
                            .map(|a| self.operand(a, scope))
                            .collect::<Result<Vec<_>, _>>()?;
                        self.scalar(name, &vals, *pos)
                    }
                }
            }
        }
    }

    /// `v [NOT] IN (list)`: TRUE on an equal item, NULL when none is equal but one is NULL.
    fn in_list(
        &self,
        v: &Value,
        list: &[Expr],
        neg: bool,
        scope: Scope<'_>,
    ) -> Result<Value, SqlError> {
        if v.is_null() {
            return Ok(Value::Null);
        }
        let mut saw_null = false;
        for item in list {
            let x = self.operand(item, scope)?;
            // Two strings are equal when their bytes are (`sql_cmp`): most differ in
            // their first byte, told without comparing the rest (an IN list of keys
            // over every row of a table).
            if let (Value::Str(a), Value::Str(b)) = (v, x.as_ref()) {
                if a.as_bytes().first() != b.as_bytes().first() || a.len() != b.len() {
                    continue;
                }
            }
            match v.sql_cmp(&x) {
                Some(std::cmp::Ordering::Equal) => return Ok(Value::Bool(!neg)),
                None if x.is_null() => saw_null = true,
                _ => {}
            }
        }
        Ok(if saw_null {
            Value::Null
        } else {
            Value::Bool(neg)
        })
    }

    fn binary(&self, op: &BinOp, l: &Expr, r: &Expr, scope: Scope<'_>) -> Result<Value, SqlError> {
        if matches!(op, BinOp::And | BinOp::Or | BinOp::AndThen | BinOp::OrElse) {
            let a = self.operand(l, scope)?;
            // FALSE AND x is FALSE, TRUE OR x is TRUE, whatever x is: a right side that
            // cannot fail is not read then.
            let decided = match (op, &*a) {
                (_, Value::Null) => None,
                (BinOp::AndThen, v) if !v.truthy() => Some(false),
                (BinOp::OrElse, v) if v.truthy() => Some(true),
                _ => None,
            };
            if let Some(d) = decided {
                return Ok(Value::Bool(d));
            }
            let b = self.operand(r, scope)?;
            let t = |v: &Value| if v.is_null() { None } else { Some(v.truthy()) };
            let and = matches!(op, BinOp::And | BinOp::AndThen);
            return Ok(match (and, t(&a), t(&b)) {
                (true, Some(false), _) | (true, _, Some(false)) => Value::Bool(false),
                (true, Some(true), Some(true)) => Value::Bool(true),
                (false, Some(true), _) | (false, _, Some(true)) => Value::Bool(true),
                (false, Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            });
        }
        let a = self.operand(l, scope)?;
        let b = self.operand(r, scope)?;
        use std::cmp::Ordering::*;
        let cmp = |f: fn(std::cmp::Ordering) -> bool| match a.sql_cmp(&b) {
            Some(o) => Value::Bool(f(o)),
            None => Value::Null,
        };
        Ok(match op {
            BinOp::Eq => cmp(|o| o == Equal),
            BinOp::Ne => cmp(|o| o != Equal),
            BinOp::Lt => cmp(|o| o == Less),
            BinOp::Le => cmp(|o| o != Greater),
            BinOp::Gt => cmp(|o| o == Greater),
            BinOp::Ge => cmp(|o| o != Less),
            BinOp::NullSafeEq => Value::Bool(match (a.is_null(), b.is_null()) {
                (true, true) => true,
                (false, false) => a.sql_cmp(&b) == Some(Equal),
                _ => false,
            }),
            _ => arith(op, &a, &b),
        })
    }

    /// The argument of an aggregate call, or StarRocks's error for a call without one.
    fn aggregate_arg<'e>(
        &self,
        name: &str,
        args: &'e [Expr],
        pos: usize,
    ) -> Result<&'e Expr, SqlError> {
        args.first().ok_or_else(|| {
            errors::analyzing_at(
                self.sql,
                pos,
                None,
                &format!("No matching function with signature: {name}()"),
            )
        })
    }

    /// Feeds one row of a group to an aggregate call (an [`Expr::Func`] named in
    /// [`AGGREGATES`]; anything else is ignored). COUNT, MIN and MAX keep a running count or
    /// value (borrowed from the row when it is a column); SUM, AVG and DISTINCT keep the
    /// argument's non-NULL values.
    pub fn accumulate(
        &self,
        call: &Expr,
        acc: &mut Accumulator,
        row: &[Value],
    ) -> Result<(), SqlError> {
        let Expr::Func {
            name,
            args,
            star,
            distinct,
            pos,
        } = call
        else {
            return Ok(());
        };
        acc.rows += 1;
        if name == "count" && *star {
            return Ok(());
        }
        let arg = self.aggregate_arg(name, args, *pos)?;
        let v = self.operand(arg, Scope::Row(row))?;
        if v.is_null() {
            return Ok(());
        }
        acc.non_null += 1;
        match name.as_str() {
            "count" if !*distinct => {}
            // `min_by` keeps the first of equal minima, `max_by` the last of equal maxima.
            "min" | "max" if !*distinct => {
                let replace = acc.best.as_ref().is_none_or(|b| {
                    let o = v.total_cmp(b);
                    if name == "min" {
                        o.is_lt()
                    } else {
                        o.is_ge()
                    }
                });
                if replace {
                    // A string's buffer is reused (MAX over increasing values replaces it on
                    // every row).
                    let reused = match (&mut acc.best, v.as_ref()) {
                        (Some(Value::Str(b)), Value::Str(s)) => {
                            b.clone_from(s);
                            true
                        }
                        _ => false,
                    };
                    if !reused {
                        acc.best = Some(v.into_owned());
                    }
                }
            }
            _ => acc.vals.push(v.into_owned()),
        }
        Ok(())
    }

    /// The value of an aggregate call once every row of its group was fed.
    pub fn aggregate_result(&self, call: &Expr, acc: Accumulator) -> Result<Value, SqlError> {
        let Expr::Func {
            name,
            args,
            star,
            distinct,
            pos,
        } = call
        else {
            return Ok(Value::Null);
        };
        if name == "count" && *star {
            return Ok(Value::Int(acc.rows));
        }
        self.aggregate_arg(name, args, *pos)?;
        let mut vals = acc.vals;
        if *distinct {
            vals.sort_by(|a, b| a.total_cmp(b));
            vals.dedup_by(|a, b| a.total_cmp(b).is_eq());
        }
        Ok(match name.as_str() {
            "count" if *distinct => Value::Int(vals.len() as i64),
            "count" => Value::Int(acc.non_null),
            "min" | "max" if !*distinct => acc.best.unwrap_or(Value::Null),
            "min" => vals
                .into_iter()
                .min_by(|a, b| a.total_cmp(b))
                .unwrap_or(Value::Null),
            "max" => vals
                .into_iter()
                .max_by(|a, b| a.total_cmp(b))
                .unwrap_or(Value::Null),
            "sum" => sum(&vals),
            _ => {
                if vals.is_empty() {
                    Value::Null
                } else {
                    let total: f64 = vals.iter().filter_map(Value::as_f64).sum();
                    Value::Float(total / vals.len() as f64)
                }
            }
        })
    }

    fn scalar(&self, name: &str, a: &[Cow<'_, Value>], pos: usize) -> Result<Value, SqlError> {
        let now_ms = self.config.clock.now_ms();
        let arg = |i: usize| a.get(i).map_or(Value::Null, |v| v.as_ref().clone());
        let text = |i: usize| a.get(i).and_then(|v| v.to_text());
        Ok(match name {
            "database" | "schema" => self
                .session
                .current_db
                .clone()
                .map(Value::Str)
                .unwrap_or(Value::Null),
            "connection_id" => Value::Int(i64::from(self.session.connection_id)),
            "current_version" => Value::Str(self.config.version.version_comment().to_string()),
            "version" => Value::Str(self.config.version.mysql_version().to_string()),
            "user" | "session_user" | "system_user" => {
                Value::Str(format!("'{}'@'%'", self.session.user))
            }
            "current_user" => Value::Str(format!("'{}'@'%'", self.session.user)),
            "now" | "current_timestamp" | "localtime" | "localtimestamp" | "sysdate" => {
                Value::DateTime(self.tz.local_secs(now_ms))
            }
            "curdate" | "current_date" => Value::Date(self.tz.local_date(now_ms)),
            "unix_timestamp" if a.is_empty() => Value::Int(now_ms.div_euclid(1000)),
            // StringFunctions::crc32 (be/src/exprs/string_functions.cpp): zlib's crc32 of the
            // bytes, as a BIGINT; NULL for NULL.
            "crc32" => a
                .first()
                .and_then(|v| v.text())
                .map(|s| {
                    let mut h = crc32fast::Hasher::new();
                    h.update(s.as_bytes());
                    Value::Int(i64::from(h.finalize()))
                })
                .unwrap_or(Value::Null),
            "concat" => {
                // The result is allocated once (a CONCAT over every partition of the
                // cluster in the partition summary).
                let strs: Option<usize> = a.iter().try_fold(0, |n, v| match v.as_ref() {
                    Value::Str(s) => Some(n + s.len()),
                    _ => None,
                });
                if let Some(len) = strs {
                    let mut out = String::with_capacity(len);
                    for v in a {
                        if let Value::Str(s) = v.as_ref() {
                            out.push_str(s);
                        }
                    }
                    return Ok(Value::Str(out));
                }
                let mut texts: Vec<Cow<'_, str>> = Vec::with_capacity(a.len());
                for v in a {
                    match v.text() {
                        Some(t) => texts.push(t),
                        None => return Ok(Value::Null),
                    }
                }
                Value::Str(texts.concat())
            }
            "concat_ws" => {
                let sep = text(0).unwrap_or_default();
                let parts: Vec<String> = a.iter().skip(1).filter_map(|v| v.to_text()).collect();
                Value::Str(parts.join(&sep))
            }
            "upper" | "ucase" => text(0)
                .map(|s| Value::Str(s.to_uppercase()))
                .unwrap_or(Value::Null),
            "lower" | "lcase" => text(0)
                .map(|s| Value::Str(s.to_lowercase()))
                .unwrap_or(Value::Null),
            "length" => text(0)
                .map(|s| Value::Int(s.len() as i64))
                .unwrap_or(Value::Null),
            "char_length" | "character_length" => text(0)
                .map(|s| Value::Int(s.chars().count() as i64))
                .unwrap_or(Value::Null),
            "trim" => text(0)
                .map(|s| Value::Str(s.trim().to_string()))
                .unwrap_or(Value::Null),
            "substr" | "substring" => match (text(0), arg(1).as_i64()) {
                (Some(s), Some(start)) => {
                    let chars: Vec<char> = s.chars().collect();
                    let n = chars.len() as i64;
                    let from = if start > 0 {
                        start - 1
                    } else {
                        n.saturating_add(start).max(0)
                    };
                    let len = arg(2).as_i64().unwrap_or(n);
                    let from = from.clamp(0, n) as usize;
                    let to = (from as i64).saturating_add(len.max(0)).clamp(0, n) as usize;
                    Value::Str(chars[from..to].iter().collect())
                }
                _ => Value::Null,
            },
            "replace" => match (text(0), text(1), text(2)) {
                (Some(s), Some(f), Some(t)) if !f.is_empty() => Value::Str(s.replace(&f, &t)),
                (Some(s), _, _) => Value::Str(s),
                _ => Value::Null,
            },
            "ifnull" | "nvl" => {
                if arg(0).is_null() {
                    arg(1)
                } else {
                    arg(0)
                }
            }
            "coalesce" => a
                .iter()
                .find(|v| !v.is_null())
                .map_or(Value::Null, |v| v.as_ref().clone()),
            "nullif" => {
                if arg(0).sql_cmp(&arg(1)) == Some(std::cmp::Ordering::Equal) {
                    Value::Null
                } else {
                    arg(0)
                }
            }
            "if" => {
                if arg(0).truthy() {
                    arg(1)
                } else {
                    arg(2)
                }
            }
            "abs" => match arg(0) {
                Value::Int(i) => Value::Int(i.wrapping_abs()),
                Value::Decimal(u, s) => Value::Decimal(u.wrapping_abs(), s),
                v => v
                    .as_f64()
                    .map(|f| Value::Float(f.abs()))
                    .unwrap_or(Value::Null),
            },
            "round" | "floor" | "ceil" | "ceiling" | "truncate" => {
                let Some(f) = arg(0).as_f64() else {
                    return Ok(Value::Null);
                };
                let digits = arg(1).as_i64().unwrap_or(0).clamp(0, 18) as i32;
                let m = 10f64.powi(digits);
                let r = match name {
                    "floor" => (f * m).floor() / m,
                    "ceil" | "ceiling" => (f * m).ceil() / m,
                    "truncate" => (f * m).trunc() / m,
                    _ => (f * m).round() / m,
                };
                if digits == 0 {
                    Value::Int(r as i64)
                } else {
                    Value::Float(r)
                }
            }
            "greatest" => a
                .iter()
                .max_by(|x, y| x.total_cmp(y))
                .map_or(Value::Null, |v| v.as_ref().clone()),
            "least" => a
                .iter()
                .min_by(|x, y| x.total_cmp(y))
                .map_or(Value::Null, |v| v.as_ref().clone()),
            "date" | "to_date" => SqlType::Date.coerce(arg(0)).unwrap_or(Value::Null),
            "timestamp" => SqlType::DateTime.coerce(arg(0)).unwrap_or(Value::Null),
            "year" | "month" | "day" | "dayofmonth" => {
                match SqlType::Date.coerce(arg(0)).unwrap_or(Value::Null) {
                    Value::Date(d) => {
                        let (y, m, dd) = time::civil_from_days(i64::from(d));
                        Value::Int(match name {
                            "year" => y,
                            "month" => i64::from(m),
                            _ => i64::from(dd),
                        })
                    }
                    _ => Value::Null,
                }
            }
            "date_trunc" => {
                let unit = text(0).and_then(|u| TimeUnit::parse(&u));
                match (
                    unit,
                    SqlType::DateTime.coerce(arg(1)).unwrap_or(Value::Null),
                ) {
                    (Some(u), Value::DateTime(s)) => Value::DateTime(u.truncate(s)),
                    _ => Value::Null,
                }
            }
            "from_unixtime" => match arg(0).as_i64() {
                // Up to 9999-12-31 23:59:59, as StarRocks's from_unixtime accepts.
                Some(s) if (0..253_402_300_800).contains(&s) => Value::Str(
                    time::format_naive_datetime(s + i64::from(self.tz.offset_secs)),
                ),
                Some(_) => Value::Null,
                None => Value::Null,
            },
            _ => {
                let kinds: Vec<&str> = a.iter().map(|v| type_name(v)).collect();
                return Err(errors::analyzing_at(
                    self.sql,
                    pos,
                    None,
                    &format!(
                        "No matching function with signature: {name}({})",
                        kinds.join(", ")
                    ),
                ));
            }
        })
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null_type",
        Value::Bool(_) => "boolean",
        Value::Int(_) => "bigint(20)",
        Value::Float(_) => "double",
        Value::Decimal(..) => "decimal",
        Value::Date(_) => "date",
        Value::DateTime(_) => "datetime",
        Value::Str(_) => "varchar",
    }
}

/// Whether evaluating `e` over any row can never fail: bound columns, literals, and
/// comparisons, `IN`, `BETWEEN`, `LIKE`, `IS NULL` and logic over them. Only such a right
/// side of AND / OR is skipped once the left side decides ([`BinOp::AndThen`]): a function
/// or a cast may raise an error StarRocks would raise, which skipping must not hide.
pub fn infallible(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) | Expr::Slot(_) => true,
        Expr::Not(x) => infallible(x),
        Expr::IsNull { e, .. } => infallible(e),
        Expr::In { e, list, .. } | Expr::InStrings { e, list, .. } => {
            infallible(e) && list.iter().all(infallible)
        }
        Expr::Between { e, lo, hi, .. } => infallible(e) && infallible(lo) && infallible(hi),
        Expr::Like { e, pat, .. } => infallible(e) && infallible(pat),
        Expr::Bin { op, l, r } => {
            matches!(
                op,
                BinOp::Eq
                    | BinOp::NullSafeEq
                    | BinOp::Ne
                    | BinOp::Lt
                    | BinOp::Le
                    | BinOp::Gt
                    | BinOp::Ge
                    | BinOp::And
                    | BinOp::Or
                    | BinOp::AndThen
                    | BinOp::OrElse
            ) && infallible(l)
                && infallible(r)
        }
        _ => false,
    }
}

fn sum(vals: &[Value]) -> Value {
    if vals.is_empty() {
        return Value::Null;
    }
    if vals
        .iter()
        .all(|v| matches!(v, Value::Int(_) | Value::Bool(_)))
    {
        return Value::Int(
            vals.iter()
                .filter_map(Value::as_i64)
                .fold(0i64, i64::wrapping_add),
        );
    }
    if let Some(scale) = vals.iter().try_fold(None::<u8>, |acc, v| match v {
        Value::Decimal(_, s) => Some(Some(acc.map_or(*s, |a: u8| a.max(*s)))),
        Value::Int(_) => Some(acc),
        _ => None,
    }) {
        let scale = scale.unwrap_or(0);
        let total: i64 = vals
            .iter()
            .map(|v| match v {
                Value::Decimal(u, s) => u.saturating_mul(10i64.pow(u32::from(scale - *s))),
                Value::Int(i) => i.saturating_mul(10i64.pow(u32::from(scale))),
                _ => 0,
            })
            .fold(0i64, i64::saturating_add);
        return Value::Decimal(total, scale);
    }
    Value::Float(vals.iter().filter_map(Value::as_f64).sum())
}

fn arith(op: &BinOp, a: &Value, b: &Value) -> Value {
    if a.is_null() || b.is_null() {
        return Value::Null;
    }
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return match op {
            BinOp::Add => Value::Int(x.wrapping_add(*y)),
            BinOp::Sub => Value::Int(x.wrapping_sub(*y)),
            BinOp::Mul => Value::Int(x.wrapping_mul(*y)),
            BinOp::Div if *y == 0 => Value::Null,
            BinOp::Div => Value::Float(*x as f64 / *y as f64),
            BinOp::Mod if *y == 0 => Value::Null,
            BinOp::Mod => Value::Int(x.wrapping_rem(*y)),
            _ => Value::Null,
        };
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => match op {
            BinOp::Add => Value::Float(x + y),
            BinOp::Sub => Value::Float(x - y),
            BinOp::Mul => Value::Float(x * y),
            BinOp::Div if y == 0.0 => Value::Null,
            BinOp::Div => Value::Float(x / y),
            BinOp::Mod if y == 0.0 => Value::Null,
            BinOp::Mod => Value::Float(x % y),
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

/// SQL LIKE with `%`, `_` and backslash escapes.
pub fn like(s: &str, p: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    let mut pat: Vec<(char, bool)> = Vec::new();
    let mut it = p.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(n) = it.next() {
                pat.push((n, true));
            }
        } else {
            pat.push((c, false));
        }
    }
    // dp[j]: pattern[..i] matches s[..j]
    let mut dp = vec![false; s.len() + 1];
    dp[0] = true;
    for &(c, lit) in &pat {
        let mut next = vec![false; s.len() + 1];
        if c == '%' && !lit {
            let mut any = false;
            for j in 0..=s.len() {
                any |= dp[j];
                next[j] = any;
            }
        } else {
            for j in 1..=s.len() {
                next[j] = dp[j - 1] && ((c == '_' && !lit) || s[j - 1] == c);
            }
        }
        dp = next;
    }
    dp[s.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("starsnap", "star%"));
        assert!(like("a_c", "a\\_c"));
        assert!(!like("abc", "a\\_c"));
        assert!(like("abc", "_b_"));
        assert!(!like("abc", "ab"));
    }

    #[test]
    fn sums_keep_integers_and_decimals() {
        assert_eq!(sum(&[Value::Int(2), Value::Int(3)]), Value::Int(5));
        assert_eq!(
            sum(&[Value::Decimal(150, 2), Value::Decimal(5, 1)]),
            Value::Decimal(200, 2)
        );
    }
}
