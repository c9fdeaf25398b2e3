//! SELECT over one table, view, materialized view or `information_schema` virtual table
//! (or no FROM): WHERE, GROUP BY, aggregates, HAVING, ORDER BY, DISTINCT, LIMIT/OFFSET.
//! Views and materialized views are evaluated from their defining query (single-table
//! queries only), so an MV always reads as freshly refreshed.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::engine::ast::{BinOp, Expr, JoinKind, ObjName, Select, SelectItem, Stmt, Union};
use crate::engine::catalog::{TableKind, TableState};
use crate::engine::errors::{
    self, ERR_BAD_DB_ERROR, ERR_BAD_TABLE_ERROR, ERR_BAD_TABLE_STATE, ERR_NONUNIQ_TABLE,
};
use crate::engine::eval::{
    has_aggregate, visit_columns, Accumulator, EvalEnv, Relation, Scope, SourceColumn, AGGREGATES,
};
use crate::engine::value::Value;
use crate::engine::{infoschema, parser, EngineCtx};
use crate::response::{Column, ColumnType, Outcome, Response, Session, SqlError};

/// Result columns and rows of a SELECT.
pub struct QueryResult {
    pub columns: Vec<SourceColumn>,
    pub rows: Vec<Vec<Value>>,
}

pub fn execute(ctx: &EngineCtx<'_>, session: &mut Session, sel: &Select, sql: &str) -> Outcome {
    let r = run(ctx, session, sel, sql, 0)?;
    Ok(Response::ResultSet {
        columns: r
            .columns
            .iter()
            .map(|c| Column::typed(c.name.clone(), c.kind))
            .collect(),
        rows: r
            .rows
            .into_iter()
            .map(|row| row.into_iter().map(Value::into_text).collect())
            .collect(),
    })
}

/// `SELECT … UNION [ALL | DISTINCT] SELECT …`: the operands run in order, the result takes the
/// first operand's column names (`SetOperationRelation`), and every operand must have as many
/// columns (`QueryAnalyzer.analyzeSetOperation`: `Operands have unequal number of columns`).
/// A column whose operands disagree on the wire type is sent as text, as a common super type
/// of different kinds is a string or wider than any of them.
pub fn execute_union(ctx: &EngineCtx<'_>, session: &mut Session, u: &Union, sql: &str) -> Outcome {
    let first = run(ctx, session, &u.first, sql, 0)?;
    let mut columns = first.columns;
    let mut rows = first.rows;
    for (distinct, sel) in &u.rest {
        let r = run(ctx, session, sel, sql, 0)?;
        if r.columns.len() != columns.len() {
            return Err(errors::analyzing("Operands have unequal number of columns"));
        }
        for (c, other) in columns.iter_mut().zip(&r.columns) {
            if c.kind != other.kind {
                c.kind = ColumnType::VarString;
            }
        }
        rows.extend(r.rows);
        if *distinct {
            let mut seen = std::collections::HashSet::new();
            rows.retain(|row| seen.insert(row.iter().map(Value::to_text).collect::<Vec<_>>()));
        }
    }
    Ok(Response::ResultSet {
        columns: columns
            .iter()
            .map(|c| Column::typed(c.name.clone(), c.kind))
            .collect(),
        rows: rows
            .into_iter()
            .map(|row| row.into_iter().map(Value::into_text).collect())
            .collect(),
    })
}

/// The error a query on a table in a non-NORMAL state gets (spec §3.2).
pub fn state_error(state: TableState) -> SqlError {
    let shown = match state {
        TableState::Restore | TableState::RestoreWithLoad => "RESTORING".to_string(),
        other => other.to_string(),
    };
    errors::analyzing_code(
        ERR_BAD_TABLE_STATE,
        &format!("Table state is not NORMAL: '{shown}'"),
    )
}

enum Rows<'a> {
    Borrowed(Vec<&'a [Value]>),
    Owned(Vec<Vec<Value>>),
    /// An information_schema table, read row by row.
    Scan(infoschema::Scan<'a>),
}

/// The rows a SELECT reads: FROM's relation, then each JOIN in order (nested loops; the ON
/// predicate sees the relations joined so far), with the relations' names and column ranges.
fn source<'a>(
    ctx: &'a EngineCtx<'a>,
    session: &Session,
    sel: &Select,
    sql: &str,
    depth: usize,
) -> Result<(Vec<SourceColumn>, Rows<'a>, Vec<Relation>), SqlError> {
    let from = match &sel.from {
        Some(f) if !(f.db.is_none() && f.name.eq_ignore_ascii_case("dual")) => f,
        _ => return Ok((Vec::new(), Rows::Owned(vec![Vec::new()]), Vec::new())),
    };
    // The information_schema scan may build only the rows the WHERE asks for; with joins the
    // WHERE's names may belong to another relation, so nothing is pushed down then.
    let hint = sel.joins.is_empty().then_some(sel);
    let (columns, rows) = relation(ctx, session, from, &sel.from_partitions, hint, depth)?;
    let mut relations = Relation::whole(relation_name(from, sel.alias.as_deref()), &columns);
    if sel.joins.is_empty() {
        return Ok((columns, rows, relations));
    }
    // QueryAnalyzer: one name per relation (`Not unique table/alias: 't'`, ERR_NONUNIQ_TABLE).
    let mut seen = vec![unique_key(session, from, sel.alias.as_deref())];
    let mut columns = columns;
    let mut joined: Vec<Vec<Value>> = match rows {
        Rows::Borrowed(v) => v.into_iter().map(<[Value]>::to_vec).collect(),
        Rows::Owned(v) => v,
        Rows::Scan(scan) => scan.into_rows(),
    };
    for j in &sel.joins {
        let key = unique_key(session, &j.table, j.alias.as_deref());
        if seen.contains(&key) {
            return Err(errors::analyzing_code(
                ERR_NONUNIQ_TABLE,
                &format!(
                    "Not unique table/alias: '{}'",
                    relation_name(&j.table, j.alias.as_deref())
                ),
            ));
        }
        seen.push(key);
        let (right_cols, right_rows) = relation(ctx, session, &j.table, &[], None, depth)?;
        let start = columns.len();
        columns.extend(right_cols);
        relations.push(Relation {
            name: relation_name(&j.table, j.alias.as_deref()).to_string(),
            columns: start..columns.len(),
        });
        let env = EvalEnv {
            session,
            config: ctx.config,
            tz: ctx.time_zone,
            sql,
            relations: relations.clone(),
            columns: &columns,
        };
        let on = env.bind(&materialize_subqueries(ctx, session, &j.on, sql, depth)?)?;
        let right_owned: Vec<Vec<Value>>;
        let right: Vec<&[Value]> = match right_rows {
            Rows::Borrowed(v) => v,
            Rows::Owned(v) => {
                right_owned = v;
                right_owned.iter().map(Vec::as_slice).collect()
            }
            Rows::Scan(scan) => {
                right_owned = scan.into_rows();
                right_owned.iter().map(Vec::as_slice).collect()
            }
        };
        let width = columns.len() - start;
        let mut out = Vec::new();
        for l in joined {
            let mut matched = false;
            for r in &right {
                let mut row = Vec::with_capacity(columns.len());
                row.extend(l.iter().cloned());
                row.extend(r.iter().cloned());
                if env.eval(&on, Scope::Row(&row))?.truthy() {
                    matched = true;
                    out.push(row);
                }
            }
            if !matched && j.kind == JoinKind::Left {
                let mut row = l;
                row.extend(std::iter::repeat_n(Value::Null, width));
                out.push(row);
            }
        }
        joined = out;
    }
    Ok((columns, Rows::Owned(joined), relations))
}

/// The name a relation's columns are qualified with: its alias, else the table's name.
fn relation_name<'n>(table: &'n ObjName, alias: Option<&'n str>) -> &'n str {
    alias.unwrap_or(&table.name)
}

/// What must be unique among a query's relations: an alias, or the database and table.
fn unique_key(session: &Session, table: &ObjName, alias: Option<&str>) -> (Option<String>, String) {
    match alias {
        Some(a) => (None, a.to_string()),
        None => (
            table.db.clone().or_else(|| session.current_db.clone()),
            table.name.clone(),
        ),
    }
}

/// One table, view, materialized view or information_schema table as a relation.
/// `hint` is the SELECT whose WHERE and columns may narrow an information_schema scan.
fn relation<'a>(
    ctx: &'a EngineCtx<'a>,
    session: &Session,
    from: &ObjName,
    partitions: &[String],
    hint: Option<&Select>,
    depth: usize,
) -> Result<(Vec<SourceColumn>, Rows<'a>), SqlError> {
    let db = match (&from.db, &session.current_db) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => return Err(errors::no_database_selected()),
    };
    if db.eq_ignore_ascii_case("information_schema") {
        let mut pushdown = infoschema::Pushdown::default();
        if let Some(sel) = hint {
            pushdown = sel.selection.as_ref().map(pushdown_of).unwrap_or_default();
            pushdown.columns = referenced_columns(sel);
        }
        let scan = infoschema::scan(ctx, session, &from.name.to_ascii_lowercase(), pushdown)
            .ok_or_else(|| {
                errors::analyzing_code(
                    ERR_BAD_TABLE_ERROR,
                    &format!("Unknown table 'information_schema.{}'", from.name),
                )
            })?;
        let cols = scan
            .columns
            .iter()
            .map(|(n, k)| SourceColumn {
                name: n.clone(),
                kind: *k,
                ty: None,
            })
            .collect();
        return Ok((cols, Rows::Scan(scan)));
    }
    let database = ctx.catalog.db(&db).ok_or_else(|| {
        errors::analyzing_code(ERR_BAD_DB_ERROR, &format!("Unknown database '{db}'"))
    })?;
    let table = database.tables.get(&from.name).ok_or_else(|| {
        errors::analyzing_code(
            ERR_BAD_TABLE_ERROR,
            &format!("Unknown table '{db}.{}'", from.name),
        )
    })?;
    if table.state != TableState::Normal {
        return Err(state_error(table.state));
    }
    let definition = match table.kind {
        TableKind::Olap => None,
        TableKind::View => table.view_definition.clone(),
        TableKind::MaterializedView => table.mv.as_ref().map(|m| m.query.clone()),
    };
    if !partitions.is_empty() && table.kind != TableKind::Olap {
        return Err(errors::analyzing(&format!(
            "Partition clause is only supported for olap tables, {} is not",
            from.name
        )));
    }
    if let Some(p) = partitions.iter().find(|p| table.partition(p).is_none()) {
        return Err(errors::analyzing(&format!(
            "Unknown partition '{p}' in table '{}'",
            from.name
        )));
    }
    if let Some(def) = definition {
        if depth > 8 {
            return Err(errors::analyzing("View nesting too deep"));
        }
        let inner = match parser::parse_all(&def) {
            Ok(mut v) if v.len() == 1 => match v.remove(0).stmt {
                Stmt::Select(s) => s,
                _ => return Err(errors::unsupported("this view definition")),
            },
            _ => return Err(errors::unsupported("this view definition")),
        };
        let mut inner_session = session.clone();
        inner_session.current_db = Some(db.clone());
        let r = run(ctx, &inner_session, &inner, &def, depth + 1)?;
        return Ok((r.columns, Rows::Owned(r.rows)));
    }
    let cols = crate::engine::dml::source_columns(table);
    let rows = table
        .partitions
        .iter()
        .filter(|p| {
            partitions.is_empty() || partitions.iter().any(|n| n.eq_ignore_ascii_case(&p.name))
        })
        .flat_map(|p| p.rows.iter().map(|r| r.as_slice()))
        .collect();
    Ok((cols, Rows::Borrowed(rows)))
}

/// Runs every uncorrelated `IN (SELECT …)` of an expression once and replaces it with an
/// `IN` over the values it returned (`subquery must return the same number of columns as
/// provided by the IN predicate` when it returns more than one, ExpressionAnalyzer).
pub fn materialize_subqueries(
    ctx: &EngineCtx<'_>,
    session: &Session,
    e: &Expr,
    sql: &str,
    depth: usize,
) -> Result<Expr, SqlError> {
    let m = |x: &Expr| materialize_subqueries(ctx, session, x, sql, depth).map(Box::new);
    Ok(match e {
        Expr::InSubquery { e, query, neg, .. } => {
            if depth > 8 {
                return Err(errors::analyzing("Subquery nesting too deep"));
            }
            let r = run(ctx, session, query, sql, depth + 1)?;
            if r.columns.len() != 1 {
                return Err(errors::analyzing(
                    "subquery must return the same number of columns as provided by the IN predicate",
                ));
            }
            Expr::In {
                e: m(e)?,
                list: r
                    .rows
                    .into_iter()
                    .map(|row| Expr::Lit(row.into_iter().next().unwrap_or(Value::Null)))
                    .collect(),
                neg: *neg,
            }
        }
        Expr::Neg(x) => Expr::Neg(m(x)?),
        Expr::Not(x) => Expr::Not(m(x)?),
        Expr::Bin { op, l, r } => Expr::Bin {
            op: op.clone(),
            l: m(l)?,
            r: m(r)?,
        },
        Expr::IsNull { e, neg } => Expr::IsNull {
            e: m(e)?,
            neg: *neg,
        },
        Expr::Case {
            operand,
            whens,
            otherwise,
        } => Expr::Case {
            operand: operand.as_deref().map(&m).transpose()?,
            whens: whens
                .iter()
                .map(|(w, t)| {
                    Ok((
                        materialize_subqueries(ctx, session, w, sql, depth)?,
                        materialize_subqueries(ctx, session, t, sql, depth)?,
                    ))
                })
                .collect::<Result<_, SqlError>>()?,
            otherwise: otherwise.as_deref().map(&m).transpose()?,
        },
        other => other.clone(),
    })
}

/// Runs a SELECT and returns typed columns and value rows.
pub fn run(
    ctx: &EngineCtx<'_>,
    session: &Session,
    sel: &Select,
    sql: &str,
    depth: usize,
) -> Result<QueryResult, SqlError> {
    let (columns, rows, relations) = source(ctx, session, sel, sql, depth)?;
    // `*` and `t.*`: which columns each star item stands for (SelectAnalyzer: `Unknown table
    // '%s'` for a `t.*` naming no relation).
    let mut stars: Vec<std::ops::Range<usize>> = Vec::new();
    for item in &sel.items {
        if let SelectItem::Star(t) = item {
            stars.push(match t {
                None => 0..columns.len(),
                Some(t) => relations
                    .iter()
                    .find(|r| r.name == *t)
                    .map(|r| r.columns.clone())
                    .ok_or_else(|| errors::analyzing(&format!("Unknown table '{t}'")))?,
            });
        }
    }
    let env = EvalEnv {
        session,
        config: ctx.config,
        tz: ctx.time_zone,
        sql,
        relations,
        columns: &columns,
    };
    let mut materialized = sel.clone();
    materialized.selection = sel
        .selection
        .as_ref()
        .map(|e| materialize_subqueries(ctx, session, e, sql, depth))
        .transpose()?;
    materialized.having = sel
        .having
        .as_ref()
        .map(|e| materialize_subqueries(ctx, session, e, sql, depth))
        .transpose()?;
    let sel = &materialized;
    for item in &sel.items {
        if let SelectItem::Expr { expr, .. } = item {
            env.check(expr)?;
        }
    }
    for e in sel
        .selection
        .iter()
        .chain(sel.group_by.iter())
        .chain(sel.having.iter())
    {
        env.check(e)?;
    }
    let aliases: Vec<&str> = sel
        .items
        .iter()
        .filter_map(|i| match i {
            SelectItem::Expr { alias, text, .. } => Some(alias.as_deref().unwrap_or(text)),
            SelectItem::Star(_) => None,
        })
        .collect();
    for k in &sel.order_by {
        match &k.expr {
            Expr::Col {
                table: None, name, ..
            } if aliases.iter().any(|a| a.eq_ignore_ascii_case(name)) => {}
            e => env.check(e)?,
        }
    }
    let bound = bind_select(sel, &env, &aliases)?;
    let sel = &bound;
    // `SELECT * … [WHERE …] [LIMIT …]` over a computed table (information_schema, a view):
    // the rows are moved out instead of copied cell by cell (365,000 × 29 cells for a full
    // partitions_meta scan).
    let plain_star = matches!(sel.items.as_slice(), [SelectItem::Star(None)])
        && sel.group_by.is_empty()
        && sel.having.is_none()
        && sel.order_by.is_empty()
        && !sel.distinct;
    if plain_star && !matches!(rows, Rows::Borrowed(_)) {
        let owned = match rows {
            Rows::Owned(v) => v,
            Rows::Scan(scan) => scan.into_rows(),
            Rows::Borrowed(v) => v.into_iter().map(<[Value]>::to_vec).collect(),
        };
        let mut keep = Vec::with_capacity(owned.len());
        for r in &owned {
            keep.push(match &sel.selection {
                Some(w) => env.eval(w, Scope::Row(r))?.truthy(),
                None => true,
            });
        }
        let kept: Vec<Vec<Value>> = owned
            .into_iter()
            .zip(keep)
            .filter_map(|(r, k)| k.then_some(r))
            .collect();
        return Ok(finish(sel, columns, kept));
    }

    // Output columns.
    let mut out_cols: Vec<SourceColumn> = Vec::new();
    let mut star_ranges = stars.iter();
    for item in &sel.items {
        match item {
            SelectItem::Star(_) => {
                let range = star_ranges.next().cloned().unwrap_or(0..0);
                out_cols.extend(columns.get(range).unwrap_or(&[]).iter().cloned());
            }
            SelectItem::Expr { expr, alias, text } => out_cols.push(SourceColumn {
                name: alias.clone().unwrap_or_else(|| text.clone()),
                kind: static_kind(expr, &env).unwrap_or(ColumnType::VarString),
                ty: None,
            }),
        }
    }
    let aggregate = !sel.group_by.is_empty()
        || sel.having.is_some()
        || sel
            .items
            .iter()
            .any(|i| matches!(i, SelectItem::Expr { expr, .. } if has_aggregate(expr)));

    let project = |sel: &Select, scope: Scope<'_>| -> Result<Vec<Value>, SqlError> {
        let mut out = Vec::with_capacity(out_cols.len());
        let mut star_ranges = stars.iter();
        for item in &sel.items {
            match item {
                SelectItem::Star(_) => {
                    let r: &[Value] = match scope {
                        Scope::Row(r) => r,
                        Scope::Empty => &[],
                    };
                    for i in star_ranges.next().cloned().unwrap_or(0..0) {
                        out.push(r.get(i).cloned().unwrap_or(Value::Null));
                    }
                }
                SelectItem::Expr { expr, .. } => out.push(env.eval(expr, scope)?),
            }
        }
        Ok(out)
    };
    let order_key =
        |sel: &Select, scope: Scope<'_>, out: &[Value]| -> Result<Vec<Value>, SqlError> {
            let mut keys = Vec::with_capacity(sel.order_by.len());
            for k in &sel.order_by {
                let v = match &k.expr {
                    Expr::Lit(Value::Int(n)) if *n >= 1 && (*n as usize) <= out.len() => {
                        out[*n as usize - 1].clone()
                    }
                    Expr::Col {
                        table: None, name, ..
                    } => match out_cols
                        .iter()
                        .position(|c| c.name.eq_ignore_ascii_case(name))
                    {
                        Some(i)
                            if !columns.iter().any(|c| c.name.eq_ignore_ascii_case(name))
                                || aggregate =>
                        {
                            out[i].clone()
                        }
                        _ => env.eval(&k.expr, scope)?,
                    },
                    e => env.eval(e, scope)?,
                };
                keys.push(v);
            }
            Ok(keys)
        };

    // Rows are read one at a time (an information_schema scan builds each in the same
    // buffer): those the WHERE keeps are projected, or fed to their group's aggregate
    // calls. A group's items, HAVING and ORDER BY are evaluated at the end over its first
    // row followed by its calls' values (every call lifted into a slot after the row's
    // columns).
    let width = columns.len();
    let mut calls: Vec<Expr> = Vec::new();
    let mut lifted = sel.clone();
    if aggregate {
        for item in &mut lifted.items {
            if let SelectItem::Expr { expr, .. } = item {
                *expr = lift_aggregates(expr, width, &mut calls);
            }
        }
        lifted.having = sel
            .having
            .as_ref()
            .map(|h| lift_aggregates(h, width, &mut calls));
        for k in &mut lifted.order_by {
            k.expr = lift_aggregates(&k.expr, width, &mut calls);
        }
    }
    let mut result: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut index: BTreeMap<GroupKey, usize> = BTreeMap::new();
    if aggregate && sel.group_by.is_empty() {
        groups.push(Group::new(None, calls.len()));
        index.insert(Vec::new(), 0);
    }
    // The previous row's key values and group: rows of one group often come together (a
    // table's partitions), and equal values make equal keys without formatting them.
    let mut last: Option<(Vec<Value>, usize)> = None;
    let mut feed = |r: &[Value]| -> Result<(), SqlError> {
        if let Some(w) = &sel.selection {
            if !env.eval(w, Scope::Row(r))?.truthy() {
                return Ok(());
            }
        }
        if !aggregate {
            let out = project(sel, Scope::Row(r))?;
            let key = order_key(sel, Scope::Row(r), &out)?;
            result.push((key, out));
            return Ok(());
        }
        let g = if sel.group_by.is_empty() {
            0
        } else {
            let key_value = |g| group_value(&env, sel, g, r);
            // The same group as the previous row when every key value equals its own (no
            // key is built for it).
            let mut same = None;
            if let Some((values, g)) = &last {
                same = Some(*g);
                for (e, v) in sel.group_by.iter().zip(values) {
                    if key_value(e)?.as_ref() != v {
                        same = None;
                        break;
                    }
                }
            }
            match same {
                Some(g) => g,
                None => {
                    let key = sel
                        .group_by
                        .iter()
                        .map(|e| key_value(e).map(Cow::into_owned))
                        .collect::<Result<Vec<Value>, SqlError>>()?;
                    let text: GroupKey =
                        key.iter().map(|v| (discriminant(v), v.to_text())).collect();
                    let next = groups.len();
                    let g = *index.entry(text).or_insert(next);
                    if g == next {
                        groups.push(Group::new(Some(r.to_vec()), calls.len()));
                    }
                    last = Some((key, g));
                    g
                }
            }
        };
        let group = &mut groups[g];
        if group.first.is_none() {
            group.first = Some(r.to_vec());
        }
        for (call, acc) in calls.iter().zip(group.accs.iter_mut()) {
            env.accumulate(call, acc, r)?;
        }
        Ok(())
    };
    match rows {
        Rows::Borrowed(v) => v.into_iter().try_for_each(&mut feed)?,
        Rows::Owned(v) => v.iter().try_for_each(|r| feed(r))?,
        Rows::Scan(scan) => scan.for_each(&mut feed)?,
    }
    for &g in index.values() {
        let group = std::mem::replace(&mut groups[g], Group::new(None, 0));
        let mut row = group.first.unwrap_or_default();
        row.resize(width, Value::Null);
        for (call, acc) in calls.iter().zip(group.accs) {
            row.push(env.aggregate_result(call, acc)?);
        }
        let scope = Scope::Row(&row);
        if let Some(h) = &lifted.having {
            if !env.eval(h, scope)?.truthy() {
                continue;
            }
        }
        let out = project(&lifted, scope)?;
        let key = order_key(&lifted, scope, &out)?;
        result.push((key, out));
    }
    if !sel.order_by.is_empty() {
        result.sort_by(|a, b| {
            for (i, k) in sel.order_by.iter().enumerate() {
                let o = a.0[i].total_cmp(&b.0[i]);
                let o = if k.desc { o.reverse() } else { o };
                if o.is_ne() {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    let mut rows: Vec<Vec<Value>> = result.into_iter().map(|(_, r)| r).collect();
    if sel.distinct {
        let mut seen = std::collections::BTreeSet::new();
        rows.retain(|r| {
            seen.insert(
                r.iter()
                    .map(|v| (discriminant(v), v.to_text()))
                    .collect::<Vec<_>>(),
            )
        });
    }
    Ok(finish(sel, out_cols, rows))
}

/// The value of GROUP BY item `g` for row `r` (`GROUP BY 2` is the second select item).
fn group_value<'x>(
    env: &EvalEnv<'_>,
    sel: &'x Select,
    g: &'x Expr,
    r: &'x [Value],
) -> Result<Cow<'x, Value>, SqlError> {
    Ok(match g {
        Expr::Lit(Value::Int(n)) if *n >= 1 && (*n as usize) <= sel.items.len() => {
            match &sel.items[*n as usize - 1] {
                SelectItem::Expr { expr, .. } => env.operand(expr, Scope::Row(r))?,
                SelectItem::Star(_) => Cow::Owned(Value::Null),
            }
        }
        e => env.operand(e, Scope::Row(r))?,
    })
}

/// OFFSET and LIMIT, then the type of columns that could not be known statically: that of
/// their first non-NULL value.
fn finish(sel: &Select, mut out_cols: Vec<SourceColumn>, rows: Vec<Vec<Value>>) -> QueryResult {
    let offset = usize::try_from(sel.offset).unwrap_or(usize::MAX);
    let rows: Vec<Vec<Value>> = match sel.limit {
        Some(n) => rows
            .into_iter()
            .skip(offset)
            .take(usize::try_from(n).unwrap_or(usize::MAX))
            .collect(),
        None => rows.into_iter().skip(offset).collect(),
    };
    for (i, c) in out_cols.iter_mut().enumerate() {
        if c.kind == ColumnType::VarString && c.ty.is_none() {
            if let Some(v) = rows.iter().filter_map(|r| r.get(i)).find(|v| !v.is_null()) {
                c.kind = value_kind(v);
            }
        }
    }
    QueryResult {
        columns: out_cols,
        rows,
    }
}

/// The SELECT with every column reference resolved to a row index (ORDER BY names of
/// output aliases stay names: they are looked up among the output columns).
fn bind_select(sel: &Select, env: &EvalEnv<'_>, aliases: &[&str]) -> Result<Select, SqlError> {
    let mut b = sel.clone();
    for item in &mut b.items {
        if let SelectItem::Expr { expr, .. } = item {
            *expr = env.bind(expr)?;
        }
    }
    b.selection = sel.selection.as_ref().map(|e| env.bind(e)).transpose()?;
    b.having = sel.having.as_ref().map(|e| env.bind(e)).transpose()?;
    b.group_by = sel
        .group_by
        .iter()
        .map(|e| env.bind(e))
        .collect::<Result<_, _>>()?;
    for k in &mut b.order_by {
        let alias = matches!(&k.expr, Expr::Col { table: None, name, .. } if aliases.iter().any(|a| a.eq_ignore_ascii_case(name)));
        if !alias {
            k.expr = env.bind(&k.expr)?;
        }
    }
    Ok(b)
}

/// Every column a SELECT reads (projection, WHERE, GROUP BY, HAVING, ORDER BY), or `None`
/// when it reads them all (`*`). Names that turn out to be output aliases are harmless extras.
fn referenced_columns(sel: &Select) -> Option<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |_: &Option<String>, name: &str, _: usize| -> Result<(), SqlError> {
        names.push(name.to_string());
        Ok(())
    };
    for item in &sel.items {
        match item {
            SelectItem::Star(_) => return None,
            SelectItem::Expr { expr, .. } => visit_columns(expr, &mut add).ok()?,
        }
    }
    for e in sel
        .selection
        .iter()
        .chain(sel.group_by.iter())
        .chain(sel.having.iter())
        .chain(sel.order_by.iter().map(|k| &k.expr))
    {
        visit_columns(e, &mut add).ok()?;
    }
    Some(names)
}

/// What a WHERE clause says of the database and table columns (`TABLE_SCHEMA`/`DB_NAME`,
/// `TABLE_NAME`): equalities and `IN` lists of literals, under AND and OR, handed to the
/// information_schema scan so it builds only those rows (a scoped inspection's
/// `DB_NAME IN (…) OR (DB_NAME = … AND TABLE_NAME IN (…))`). The whole WHERE is still
/// evaluated afterwards: this only skips work, and is never narrower than the WHERE.
fn pushdown_of(e: &Expr) -> infoschema::Pushdown {
    infoschema::Pushdown {
        keys: key_terms(e),
        columns: None,
    }
}

/// The key terms `e` implies (`None`: no constraint known). AND meets its sides' terms
/// pairwise (or keeps one side when the product grows large: still implied); OR joins them
/// when both sides constrain.
fn key_terms(e: &Expr) -> Option<Vec<infoschema::KeyTerm>> {
    const MAX_TERMS: usize = 1024;
    match e {
        Expr::Bin {
            op: BinOp::And,
            l,
            r,
        } => match (key_terms(l), key_terms(r)) {
            (Some(a), Some(b)) if a.len() * b.len() <= MAX_TERMS => Some(
                a.iter()
                    .flat_map(|x| b.iter().map(move |y| x.and(y)))
                    .collect(),
            ),
            (Some(a), Some(b)) => Some(if a.len() <= b.len() { a } else { b }),
            (Some(x), None) | (None, Some(x)) => Some(x),
            (None, None) => None,
        },
        Expr::Bin {
            op: BinOp::Or,
            l,
            r,
        } => {
            let mut a = key_terms(l)?;
            a.extend(key_terms(r)?);
            (a.len() <= MAX_TERMS).then_some(a)
        }
        Expr::Bin {
            op: BinOp::Eq,
            l,
            r,
        } => match (l.as_ref(), r.as_ref()) {
            (Expr::Col { name, .. }, Expr::Lit(Value::Str(v)))
            | (Expr::Lit(Value::Str(v)), Expr::Col { name, .. }) => key_term(name, [v]),
            _ => None,
        },
        Expr::In {
            e,
            list,
            neg: false,
        } => {
            let Expr::Col { name, .. } = e.as_ref() else {
                return None;
            };
            let values: Option<Vec<&String>> = list
                .iter()
                .map(|v| match v {
                    Expr::Lit(Value::Str(s)) => Some(s),
                    _ => None,
                })
                .collect();
            key_term(name, values?)
        }
        _ => None,
    }
}

fn key_term<'a>(
    column: &str,
    values: impl IntoIterator<Item = &'a String>,
) -> Option<Vec<infoschema::KeyTerm>> {
    let set: std::collections::BTreeSet<String> = values.into_iter().cloned().collect();
    let term =
        if column.eq_ignore_ascii_case("TABLE_SCHEMA") || column.eq_ignore_ascii_case("DB_NAME") {
            infoschema::KeyTerm {
                dbs: Some(set),
                tables: None,
            }
        } else if column.eq_ignore_ascii_case("TABLE_NAME") {
            infoschema::KeyTerm {
                dbs: None,
                tables: Some(set),
            }
        } else {
            return None;
        };
    Some(vec![term])
}

/// A grouping key: per value, its kind and text.
type GroupKey = Vec<(u8, Option<String>)>;

/// One group of a grouped SELECT: its first row and its aggregate calls' running states.
struct Group {
    first: Option<Vec<Value>>,
    accs: Vec<Accumulator>,
}

impl Group {
    fn new(first: Option<Vec<Value>>, calls: usize) -> Self {
        Group {
            first,
            accs: (0..calls).map(|_| Accumulator::default()).collect(),
        }
    }
}

/// `e` with every aggregate call replaced by `Expr::Slot(base + k)`, the call itself pushed
/// to `calls` at `k` (an equal call already there is shared).
fn lift_aggregates(e: &Expr, base: usize, calls: &mut Vec<Expr>) -> Expr {
    let mut l = |x: &Expr| Box::new(lift_aggregates(x, base, calls));
    match e {
        Expr::Func { name, .. } if AGGREGATES.contains(&name.as_str()) => {
            let k = match calls.iter().position(|c| c == e) {
                Some(k) => k,
                None => {
                    calls.push(e.clone());
                    calls.len() - 1
                }
            };
            Expr::Slot(base + k)
        }
        Expr::Neg(x) => Expr::Neg(l(x)),
        Expr::Not(x) => Expr::Not(l(x)),
        Expr::Bin { op, l: a, r: b } => Expr::Bin {
            op: op.clone(),
            l: l(a),
            r: l(b),
        },
        Expr::IsNull { e, neg } => Expr::IsNull { e: l(e), neg: *neg },
        Expr::Cast { e, ty } => Expr::Cast {
            e: l(e),
            ty: ty.clone(),
        },
        Expr::Between { e, lo, hi, neg } => Expr::Between {
            e: l(e),
            lo: l(lo),
            hi: l(hi),
            neg: *neg,
        },
        Expr::Like { e, pat, neg } => Expr::Like {
            e: l(e),
            pat: l(pat),
            neg: *neg,
        },
        Expr::In { e, list, neg } => Expr::In {
            e: l(e),
            list: list
                .iter()
                .map(|x| lift_aggregates(x, base, calls))
                .collect(),
            neg: *neg,
        },
        // The items are literals: only the value tested may hold an aggregate call.
        Expr::InStrings { e, list, set, neg } => Expr::InStrings {
            e: l(e),
            list: list.clone(),
            set: set.clone(),
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
                .map(|x| lift_aggregates(x, base, calls))
                .collect(),
            star: *star,
            distinct: *distinct,
            pos: *pos,
        },
        Expr::Case {
            operand,
            whens,
            otherwise,
        } => {
            let operand = operand.as_deref().map(&mut l);
            let otherwise = otherwise.as_deref().map(&mut l);
            Expr::Case {
                operand,
                whens: whens
                    .iter()
                    .map(|(w, t)| {
                        (
                            lift_aggregates(w, base, calls),
                            lift_aggregates(t, base, calls),
                        )
                    })
                    .collect(),
                otherwise,
            }
        }
        other => other.clone(),
    }
}

fn discriminant(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Int(_) | Value::Float(_) | Value::Decimal(..) => 2,
        Value::Date(_) | Value::DateTime(_) => 3,
        Value::Str(_) => 4,
    }
}

fn value_kind(v: &Value) -> ColumnType {
    match v {
        Value::Bool(_) => ColumnType::Tiny,
        Value::Int(_) => ColumnType::LongLong,
        Value::Float(_) => ColumnType::Double,
        Value::Decimal(..) => ColumnType::Decimal,
        Value::Date(_) => ColumnType::Date,
        Value::DateTime(_) => ColumnType::DateTime,
        Value::Null | Value::Str(_) => ColumnType::VarString,
    }
}

/// The wire type of an expression when it is known without evaluating it.
fn static_kind(e: &Expr, env: &EvalEnv<'_>) -> Option<ColumnType> {
    match e {
        Expr::Col { table, name, pos } => env
            .resolve(table, name, *pos)
            .ok()
            .map(|i| env.columns[i].kind),
        Expr::Slot(i) => env.columns.get(*i).map(|c| c.kind),
        Expr::Func { name, args, .. } => match name.as_str() {
            "count" | "connection_id" => Some(ColumnType::LongLong),
            "avg" => Some(ColumnType::Double),
            "min" | "max" => args.first().and_then(|a| static_kind(a, env)),
            "sum" => match args.first().and_then(|a| static_kind(a, env)) {
                Some(ColumnType::Decimal) => Some(ColumnType::Decimal),
                Some(ColumnType::Double) => Some(ColumnType::Double),
                Some(ColumnType::Long | ColumnType::LongLong | ColumnType::Tiny) => {
                    Some(ColumnType::LongLong)
                }
                _ => None,
            },
            _ => None,
        },
        Expr::Lit(Value::Str(_)) => Some(ColumnType::VarString),
        Expr::Cast { ty, .. } => Some(ty.column_type()),
        _ => None,
    }
}
