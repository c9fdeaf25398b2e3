//! ALTER TABLE (partitions, columns, SWAP WITH, RENAME, properties) and ALTER MATERIALIZED
//! VIEW (ACTIVE/INACTIVE/SWAP/RENAME/REFRESH), with the checks and texts of spec §5.
//! A schema change bumps the table's schema version; SWAP and RENAME make every MV that
//! reads either table inactive.

use crate::engine::ast::{AlterClause, MvAction, ObjName, Stmt};
use crate::engine::catalog::{Catalog, KeysType, Table, TableKind, TableState};
use crate::engine::ddl::{self, column_def, target_db};
use crate::engine::errors::{
    self, ERR_BAD_FIELD_ERROR, ERR_DROP_PARTITION_NON_EXISTENT, ERR_DUP_FIELDNAME,
};
use crate::engine::value::Value;
use crate::engine::Env;
use crate::response::{Outcome, Response, Session, SqlError};

/// `InvalidOlapTableStateException` prompt for a table that is not NORMAL (spec §3.2).
pub fn not_normal(t: &Table) -> SqlError {
    match t.state {
        TableState::Restore | TableState::RestoreWithLoad => errors::ddl_plain(format!(
            "A snapshot restore operation is in progress on the table {}. Please wait until the current operation completes. To check the status of the operation, see https://docs.starrocks.io/docs/sql-reference/sql-statements/data-manipulation/SHOW_RESTORE",
            t.name
        )),
        s => errors::ddl_plain(format!(
            "Table[{}]'s state({s}) is not NORMAL. Do not allow doing ALTER ops",
            t.name
        )),
    }
}

pub fn execute(
    cat: &mut Catalog,
    env: &Env<'_>,
    session: &Session,
    stmt: &Stmt,
    sql: &str,
) -> Outcome {
    match stmt {
        Stmt::AlterTable { table, clauses } => alter_table(cat, env, session, table, clauses, sql),
        Stmt::AlterMv { name, action } => alter_mv(cat, env, session, name, action, sql),
        _ => Err(errors::unsupported("this ALTER statement")),
    }
}

fn alter_table(
    cat: &mut Catalog,
    env: &Env<'_>,
    session: &Session,
    name: &ObjName,
    clauses: &[AlterClause],
    sql: &str,
) -> Outcome {
    let db = target_db(session, name)?;
    let database = cat.db(&db).ok_or_else(|| errors::unknown_database(&db))?;
    // Compatibility: only SCHEMA_CHANGE clauses combine (AlterOpType matrix).
    for (i, c) in clauses.iter().enumerate() {
        for prev in &clauses[..i] {
            if !(c.op_name() == "SCHEMA_CHANGE" && prev.op_name() == "SCHEMA_CHANGE") {
                return Err(errors::analyzing(&format!(
                    "Alter operation {} conflicts with operation {}",
                    c.op_name(),
                    prev.op_name()
                )));
            }
        }
    }
    let t = database
        .tables
        .get(&name.name)
        .ok_or_else(|| errors::analyzing(&format!("Table {} is not found", name.name)))?;
    match t.kind {
        TableKind::View => {
            return Err(errors::analyzing(&format!(
                "Do not support alter non-native table/materialized-view[{db}.{}]",
                name.name
            )))
        }
        TableKind::MaterializedView => {
            return Err(errors::analyzing(&format!(
                "The '{}' cannot be alter by 'ALTER TABLE', because it is a materialized view,you can use 'ALTER MATERIALIZED VIEW' to alter it.",
                name.name
            )))
        }
        TableKind::Olap => {}
    }
    if t.state != TableState::Normal {
        return Err(not_normal(t));
    }
    for clause in clauses {
        match clause {
            AlterClause::Swap { with, .. } => return swap(cat, &db, &name.name, with, false),
            AlterClause::Rename { to, pos } => return rename(cat, &db, &name.name, to, *pos, sql),
            _ => {}
        }
    }
    // Work on a detached copy so a failing clause leaves the table as it was.
    let Some(mut table) = cat.db(&db).and_then(|d| d.tables.get(&name.name)).cloned() else {
        return Err(errors::analyzing(&format!(
            "Table {} is not found",
            name.name
        )));
    };
    for clause in clauses {
        apply_clause(cat, env, &mut table, clause)?;
    }
    table.updated_ms = env.now;
    if let Some(d) = cat.db_mut(&db) {
        d.tables.insert(table.name.clone(), table);
    }
    Ok(Response::ok())
}

fn apply_clause(
    cat: &mut Catalog,
    env: &Env<'_>,
    table: &mut Table,
    clause: &AlterClause,
) -> Result<(), SqlError> {
    match clause {
        AlterClause::AddPartitions {
            temp,
            specs,
            buckets,
        } => {
            if !table.partitioning.is_list()
                && !matches!(
                    table.partitioning,
                    crate::engine::catalog::Partitioning::Range { .. }
                )
            {
                return Err(errors::ddl_plain(format!(
                    "Table[{}] is not partitioned, can not add partition",
                    table.name
                )));
            }
            let if_not_exists = specs.iter().any(|s| {
                matches!(
                    s,
                    crate::engine::ast::PartitionSpec::LessThan {
                        if_not_exists: true,
                        ..
                    } | crate::engine::ast::PartitionSpec::Fixed {
                        if_not_exists: true,
                        ..
                    } | crate::engine::ast::PartitionSpec::In {
                        if_not_exists: true,
                        ..
                    }
                )
            });
            let buckets = buckets
                .or_else(|| table.partitions.first().map(|p| p.buckets))
                .unwrap_or_else(|| ddl::default_buckets(env));
            for (pname, bound) in ddl::expand_specs(table, specs)? {
                if if_not_exists && table.partition(&pname).is_some() {
                    continue;
                }
                ddl::add_partition(cat, table, pname, bound, buckets, *temp, env)?;
            }
            Ok(())
        }
        AlterClause::DropPartition {
            temp,
            name,
            if_exists,
        } => {
            let list = if *temp {
                &mut table.temp_partitions
            } else {
                &mut table.partitions
            };
            let before = list.len();
            list.retain(|p| &p.name != name);
            if list.len() == before && !*if_exists {
                return Err(errors::ddl(
                    ERR_DROP_PARTITION_NON_EXISTENT,
                    format!("Error in list of partitions to {name}"),
                ));
            }
            Ok(())
        }
        AlterClause::AddColumns {
            columns,
            after,
            first,
        } => {
            let at = if *first {
                0
            } else if let Some(a) = after {
                table.column_index(a).map(|i| i + 1).ok_or_else(|| {
                    errors::ddl(
                        ERR_BAD_FIELD_ERROR,
                        format!("Unknown column '{a}' in '{}'", table.name),
                    )
                })?
            } else {
                table.columns.len()
            };
            for (offset, c) in columns.iter().enumerate() {
                let at = at + offset;
                if table.column_index(&c.name).is_some() {
                    return Err(errors::ddl(
                        ERR_DUP_FIELDNAME,
                        format!("Duplicate column name '{}'", c.name),
                    ));
                }
                let mut def = column_def(c, false, table.keys);
                if table.keys == KeysType::Aggregate && def.agg.is_none() {
                    return Err(errors::ddl_plain(format!(
                        "Can not add column which is not key column or has no aggregate type: {}",
                        c.name
                    )));
                }
                if def.default.is_none() && !def.nullable {
                    def.nullable = false;
                }
                let fill = match &def.default {
                    Some(d)
                        if !d.eq_ignore_ascii_case("NULL")
                            && !d.eq_ignore_ascii_case("CURRENT_TIMESTAMP") =>
                    {
                        def.ty.coerce(Value::Str(d.clone())).unwrap_or(Value::Null)
                    }
                    _ => Value::Null,
                };
                for p in table
                    .partitions
                    .iter_mut()
                    .chain(table.temp_partitions.iter_mut())
                {
                    for r in &mut p.rows {
                        r.insert(at.min(r.len()), fill.clone());
                    }
                    p.recompute_size();
                }
                table.columns.insert(at, def);
            }
            table.schema_version += 1;
            Ok(())
        }
        AlterClause::DropColumn { name, .. } => {
            let i = table
                .column_index(name)
                .ok_or_else(|| errors::ddl_plain(format!("Column does not exists: {name}")))?;
            let col = &table.columns[i];
            if col.is_key && table.keys != KeysType::Duplicate {
                let model = match table.keys {
                    KeysType::Aggregate => "Aggregate",
                    KeysType::Unique => "Unique",
                    _ => "Primary",
                };
                return Err(errors::ddl_plain(format!(
                    "Can not drop key column in {model} data model table"
                )));
            }
            if table
                .partitioning
                .columns()
                .iter()
                .any(|c| c.eq_ignore_ascii_case(name))
            {
                return Err(errors::ddl_plain(format!(
                    "Can not drop partition column[{name}]"
                )));
            }
            if let crate::engine::catalog::Distribution::Hash { columns, .. } = &table.distribution
            {
                if columns.iter().any(|c| c.eq_ignore_ascii_case(name)) {
                    return Err(errors::ddl_plain(format!(
                        "Can not drop distribution column[{name}]"
                    )));
                }
            }
            if table.columns.len() == 1 {
                return Err(errors::ddl_plain("Cannot drop the only column in a table"));
            }
            table.columns.remove(i);
            for p in table
                .partitions
                .iter_mut()
                .chain(table.temp_partitions.iter_mut())
            {
                for r in &mut p.rows {
                    if i < r.len() {
                        r.remove(i);
                    }
                }
                p.recompute_size();
            }
            table.schema_version += 1;
            Ok(())
        }
        AlterClause::SetProperties(props) => {
            if let Some(v) = props.get("replication_num") {
                let n: u32 = v
                    .trim()
                    .parse()
                    .map_err(|_| errors::ddl_plain(format!("Invalid replication_num: {v}")))?;
                ddl::check_replication(env, n, &table.name)?;
                for p in &mut table.partitions {
                    p.replication_num = n;
                }
            }
            for (k, v) in props {
                table.properties.insert(k.clone(), v.clone());
            }
            Ok(())
        }
        AlterClause::Comment(c) => {
            table.comment.clone_from(c);
            Ok(())
        }
        AlterClause::Swap { .. } | AlterClause::Rename { .. } => Ok(()),
    }
}

/// Exchanges the names of two tables (or two MVs) of one database atomically: ids, data
/// and partition versions stay with the physical table.
fn swap(cat: &mut Catalog, db: &str, a: &str, b: &str, mv: bool) -> Outcome {
    let database = cat.db(db).ok_or_else(|| errors::unknown_database(db))?;
    let target = database.tables.get(b);
    match target {
        Some(t) if mv && t.kind != TableKind::MaterializedView => {
            return Err(errors::analyzing(
                "Materialized view can only SWAP WITH materialized view",
            ))
        }
        Some(t) if t.kind == TableKind::View => {
            return Err(errors::analyzing(&format!(
                "Table {b} does not exist or is not OLAP/LAKE table"
            )))
        }
        None => {
            return Err(errors::analyzing(&format!(
                "Table {b} does not exist or is not OLAP/LAKE table"
            )))
        }
        Some(_) => {}
    }
    if a == b {
        return Ok(Response::ok());
    }
    let Some(d) = cat.db_mut(db) else {
        return Err(errors::unknown_database(db));
    };
    let (Some(mut ta), Some(mut tb)) = (d.tables.remove(a), d.tables.remove(b)) else {
        return Err(errors::analyzing(&format!("Table {a} is not found")));
    };
    ta.name = b.to_string();
    tb.name = a.to_string();
    d.tables.insert(b.to_string(), ta);
    d.tables.insert(a.to_string(), tb);
    ddl::deactivate_dependents(cat, db, Some(a), "base table swapped");
    ddl::deactivate_dependents(cat, db, Some(b), "base table swapped");
    Ok(Response::ok())
}

fn rename(cat: &mut Catalog, db: &str, from: &str, to: &str, pos: usize, sql: &str) -> Outcome {
    if from == to {
        return Err(errors::analyzing_at(
            sql,
            pos,
            None,
            &format!("Same table name {to}"),
        ));
    }
    if to.is_empty() || to.len() > 1024 || to.contains('\0') {
        return Err(errors::analyzing(&format!("Incorrect table name '{to}'")));
    }
    let Some(d) = cat.db_mut(db) else {
        return Err(errors::unknown_database(db));
    };
    if d.tables.contains_key(to) {
        return Err(errors::ddl_plain(format!(
            "Table name[{to}] is already used"
        )));
    }
    let Some(mut t) = d.tables.remove(from) else {
        return Err(errors::analyzing(&format!("Table {from} is not found")));
    };
    t.name = to.to_string();
    d.tables.insert(to.to_string(), t);
    ddl::deactivate_dependents(cat, db, Some(from), "base table renamed");
    Ok(Response::ok())
}

fn alter_mv(
    cat: &mut Catalog,
    env: &Env<'_>,
    session: &Session,
    name: &ObjName,
    action: &MvAction,
    sql: &str,
) -> Outcome {
    let db = target_db(session, name)?;
    let database = cat.db(&db).ok_or_else(|| errors::unknown_database(&db))?;
    let t = database
        .tables
        .get(&name.name)
        .filter(|t| t.kind == TableKind::MaterializedView)
        .ok_or_else(|| {
            errors::analyzing(&format!("Materialized view {} is not found", name.name))
        })?;
    if t.state != TableState::Normal {
        return Err(not_normal(t));
    }
    match action {
        MvAction::Swap { with, .. } => swap(cat, &db, &name.name, with, true),
        MvAction::Rename { to, pos } => rename(cat, &db, &name.name, to, *pos, sql),
        MvAction::Active => {
            let bases =
                t.mv.as_ref()
                    .map(|m| m.base_tables.clone())
                    .unwrap_or_default();
            for (bd, bt) in &bases {
                if cat.table(bd, bt).is_none() {
                    return Err(errors::ddl_plain(format!(
                        "mv active failed: base table {bd}.{bt} of materialized view {} does not exist",
                        name.name
                    )));
                }
            }
            set_mv(cat, &db, &name.name, |m| {
                m.active = true;
                m.inactive_reason.clear();
            });
            Ok(Response::ok())
        }
        MvAction::Inactive => {
            set_mv(cat, &db, &name.name, |m| {
                m.active = false;
                m.inactive_reason =
                    "user use alter materialized view set status to inactive".into();
            });
            Ok(Response::ok())
        }
        MvAction::Refresh => {
            let now = env.now;
            set_mv(cat, &db, &name.name, |m| m.last_refresh_ms = Some(now));
            Ok(Response::ok())
        }
    }
}

fn set_mv(
    cat: &mut Catalog,
    db: &str,
    name: &str,
    f: impl FnOnce(&mut crate::engine::catalog::MvInfo),
) {
    if let Some(m) = cat.table_mut(db, name).and_then(|t| t.mv.as_mut()) {
        f(m);
    }
}
