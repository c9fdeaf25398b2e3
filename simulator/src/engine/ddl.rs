//! CREATE / DROP of databases, tables, views, materialized views, functions and external
//! catalogs, and TRUNCATE — with StarRocks's checks and texts (`Table 't' already exists`
//! 1050/42S01, `Can't create database 'd'; database exists` 1007, `Incorrect database name 'a;b'`
//! 1102 from `fe/fe-core/src/main/java/com/starrocks/sql/analyzer/CreateDbAnalyzer.java`
//! through `FeNameFormat.checkDbName`, the replication-num check
//! against alive backends, …).

use std::collections::BTreeMap;

use crate::engine::ast::{ColumnSpec, CreateTable, ObjKind, ObjName, PartitionSpec, Stmt};
use crate::engine::catalog::{
    cmp_keys, Catalog, ColumnDef, Distribution, ExternalCatalog, Function, KeysType, MvInfo,
    Partition, PartitionBound, Partitioning, Table, TableKind, TableState,
};
use crate::engine::errors::{
    self, ERR_BAD_TABLE_ERROR, ERR_CATALOG_EXISTED_ERROR, ERR_DB_CREATE_EXISTS, ERR_DB_DROP_EXISTS,
    ERR_DUP_FIELDNAME, ERR_SAME_NAME_PARTITION, ERR_TABLE_EXISTS_ERROR, ERR_WRONG_DB_NAME,
};
use crate::engine::time::TimeUnit;
use crate::engine::value::{SqlType, Value};
use crate::engine::{alive_backend_ids, Env};
use crate::response::{Outcome, Response, Session, SqlError};
use starsnap_compiler::validate::names::is_valid_database_name;

/// The database a statement addresses: its qualifier or the session's current one.
pub fn target_db(session: &Session, name: &ObjName) -> Result<String, SqlError> {
    match (&name.db, &session.current_db) {
        (Some(d), _) | (None, Some(d)) => Ok(d.clone()),
        (None, None) => Err(errors::no_database_selected()),
    }
}

pub fn execute(
    cat: &mut Catalog,
    env: &Env<'_>,
    session: &mut Session,
    stmt: &Stmt,
    _sql: &str,
) -> Outcome {
    match stmt {
        Stmt::CreateDatabase {
            name,
            if_not_exists,
        } => {
            // `CreateDbAnalyzer.analyze`: `FeNameFormat.checkDbName` first, before the
            // catalog or existence (`ERR_WRONG_DB_NAME`, 1102/42000).
            if !is_valid_database_name(name) {
                return Err(errors::analyzing_code(
                    ERR_WRONG_DB_NAME,
                    &format!("Incorrect database name '{name}'"),
                ));
            }
            if cat.db(name).is_some() || name.eq_ignore_ascii_case("information_schema") {
                if *if_not_exists {
                    return Ok(Response::ok());
                }
                return Err(errors::ddl(
                    ERR_DB_CREATE_EXISTS,
                    format!("Can't create database '{name}'; database exists"),
                ));
            }
            cat.create_database(name, env.now);
            Ok(Response::ok())
        }
        Stmt::DropDatabase { name, if_exists } => {
            if cat.databases.remove(name).is_none() {
                if *if_exists {
                    return Ok(Response::ok());
                }
                return Err(errors::ddl(
                    ERR_DB_DROP_EXISTS,
                    format!("Can't drop database '{name}'; database doesn't exist"),
                ));
            }
            if session.current_db.as_deref() == Some(name.as_str()) {
                session.current_db = None;
            }
            deactivate_dependents(cat, name, None, "base-db dropped");
            Ok(Response::ok())
        }
        Stmt::CreateTable(ct) => create_table(cat, env, session, ct),
        Stmt::CreateTableLike {
            name,
            if_not_exists,
            source,
        } => create_table_like(cat, env, session, name, *if_not_exists, source),
        Stmt::RenameDatabase { from, to } => rename_database(cat, from, to),
        Stmt::CreateView {
            name,
            if_not_exists,
            or_replace,
            query,
            base_tables,
            comment,
        } => {
            let db = target_db(session, name)?;
            check_exists(cat, &db)?;
            check_bases(cat, session, base_tables)?;
            if let Some(existing) = cat.table(&db, &name.name) {
                if *or_replace && existing.kind == TableKind::View {
                    let id = existing.id;
                    let t = view_table(id, &name.name, TableKind::View, query, comment, env, None);
                    if let Some(d) = cat.db_mut(&db) {
                        d.tables.insert(name.name.clone(), t);
                    }
                    return Ok(Response::ok());
                }
                if *if_not_exists {
                    return Ok(Response::ok());
                }
                return Err(table_exists(&name.name));
            }
            let id = cat.alloc_id();
            let t = view_table(id, &name.name, TableKind::View, query, comment, env, None);
            if let Some(d) = cat.db_mut(&db) {
                d.tables.insert(name.name.clone(), t);
            }
            Ok(Response::ok())
        }
        Stmt::CreateMv {
            name,
            if_not_exists,
            query,
            refresh,
            base_tables,
            properties,
            comment,
        } => {
            let db = target_db(session, name)?;
            check_exists(cat, &db)?;
            check_bases(cat, session, base_tables)?;
            if cat.table(&db, &name.name).is_some() {
                if *if_not_exists {
                    return Ok(Response::ok());
                }
                return Err(table_exists(&name.name));
            }
            let replication = properties
                .get("replication_num")
                .and_then(|v| v.trim().parse::<u32>().ok())
                .unwrap_or(3);
            check_replication(env, replication, &name.name)?;
            let id = cat.alloc_id();
            let pid = cat.alloc_id();
            let mv = MvInfo {
                base_tables: base_tables
                    .iter()
                    .map(|b| (b.db.clone().unwrap_or_else(|| db.clone()), b.name.clone()))
                    .collect(),
                query: query.clone(),
                refresh: refresh.clone(),
                active: true,
                inactive_reason: String::new(),
                last_refresh_ms: None,
            };
            let mut t = view_table(
                id,
                &name.name,
                TableKind::MaterializedView,
                query,
                comment,
                env,
                Some(mv),
            );
            t.properties = properties.clone();
            t.partitions.push(Partition {
                id: pid,
                name: name.name.clone(),
                bound: PartitionBound::Whole,
                visible_version: 1,
                visible_version_time: env.now,
                buckets: default_buckets(env),
                replication_num: replication,
                storage_medium: "HDD".into(),
                rows: Vec::new(),
                data_size: 0,
                sub_partitions: 1,
            });
            if let Some(d) = cat.db_mut(&db) {
                d.tables.insert(name.name.clone(), t);
            }
            Ok(Response::ok())
        }
        Stmt::CreateFunction {
            global,
            name,
            args,
            return_type,
            intermediate_type,
            kind,
            if_not_exists,
            properties,
        } => {
            let id = cat.alloc_id();
            // `FunctionName` keeps the function part lower-cased.
            let f = Function {
                id,
                name: name.name.to_lowercase(),
                args: args.clone(),
                return_type: return_type.clone(),
                intermediate_type: intermediate_type.clone(),
                kind: kind.clone(),
                global: *global,
                properties: properties.clone(),
            };
            let list = if *global {
                &mut cat.global_functions
            } else {
                let db = target_db(session, name)?;
                &mut cat
                    .db_mut(&db)
                    .ok_or_else(|| errors::unknown_database(&db))?
                    .functions
            };
            if list.iter().any(|g| g.name == f.name && g.args == f.args) {
                if *if_not_exists {
                    return Ok(Response::ok());
                }
                return Err(errors::ddl_plain(format!(
                    "function already exists: {}",
                    f.signature()
                )));
            }
            list.push(f);
            Ok(Response::ok())
        }
        Stmt::DropFunction {
            global,
            name,
            args,
            if_exists,
        } => {
            let list = if *global {
                &mut cat.global_functions
            } else {
                let db = target_db(session, name)?;
                &mut cat
                    .db_mut(&db)
                    .ok_or_else(|| errors::unknown_database(&db))?
                    .functions
            };
            let before = list.len();
            let lower = name.name.to_lowercase();
            list.retain(|f| !(f.name == lower && &f.args == args));
            if list.len() == before && !*if_exists {
                // DropStmtAnalyzer: ERR_BAD_FUNC_ERROR (1055) with the function's signature.
                return Err(errors::analyzing_code(
                    errors::Code(1055, "42000"),
                    &format!("Unknown function '{}({})'", name.name, args.join(", ")),
                ));
            }
            Ok(Response::ok())
        }
        Stmt::CreateCatalog {
            name,
            comment,
            properties,
        } => {
            if name == "default_catalog" || cat.external_catalogs.contains_key(name) {
                return Err(errors::ddl(
                    ERR_CATALOG_EXISTED_ERROR,
                    format!("Catalog '{name}' already exists"),
                ));
            }
            let catalog_type = properties.get("type").cloned().ok_or_else(|| {
                errors::analyzing("Missing properties 'type' in create external catalog statement")
            })?;
            let id = cat.alloc_id();
            cat.external_catalogs.insert(
                name.clone(),
                ExternalCatalog {
                    id,
                    name: name.clone(),
                    catalog_type,
                    comment: comment.clone(),
                    properties: properties.clone(),
                },
            );
            Ok(Response::ok())
        }
        Stmt::DropCatalog { name, if_exists } => {
            if cat.external_catalogs.remove(name).is_none() && !*if_exists {
                return Err(errors::ddl(
                    errors::ERR_BAD_CATALOG_ERROR,
                    format!("Unknown catalog '{name}'"),
                ));
            }
            Ok(Response::ok())
        }
        Stmt::Drop {
            kind,
            name,
            if_exists,
        } => drop_object(cat, session, kind, name, *if_exists),
        Stmt::Truncate { table, partitions } => truncate(cat, env, session, table, partitions),
        _ => Err(errors::unsupported("this statement")),
    }
}

fn table_exists(name: &str) -> SqlError {
    errors::ddl(
        ERR_TABLE_EXISTS_ERROR,
        format!("Table '{name}' already exists"),
    )
}

fn check_exists(cat: &Catalog, db: &str) -> Result<(), SqlError> {
    if cat.db(db).is_none() {
        return Err(errors::unknown_database(db));
    }
    Ok(())
}

/// Every table a view or MV reads must exist (analyzer: `Unknown table 'db.t'`).
fn check_bases(cat: &Catalog, session: &Session, bases: &[ObjName]) -> Result<(), SqlError> {
    for b in bases {
        let db = target_db(session, b)?;
        if db.eq_ignore_ascii_case("information_schema") {
            continue;
        }
        if cat.db(&db).is_none() {
            return Err(errors::analyzing_code(
                errors::ERR_BAD_DB_ERROR,
                &format!("Unknown database '{db}'"),
            ));
        }
        if cat.table(&db, &b.name).is_none() {
            return Err(errors::analyzing_code(
                ERR_BAD_TABLE_ERROR,
                &format!("Unknown table '{db}.{}'", b.name),
            ));
        }
    }
    Ok(())
}

fn view_table(
    id: u64,
    name: &str,
    kind: TableKind,
    query: &str,
    comment: &str,
    env: &Env<'_>,
    mv: Option<MvInfo>,
) -> Table {
    Table {
        id,
        name: name.to_string(),
        kind,
        columns: Vec::new(),
        keys: KeysType::Duplicate,
        partitioning: Partitioning::Unpartitioned,
        distribution: Distribution::Random { buckets: 0 },
        order_by: Vec::new(),
        properties: BTreeMap::new(),
        comment: comment.to_string(),
        state: TableState::Normal,
        schema_version: 0,
        created_ms: env.now,
        updated_ms: env.now,
        partitions: Vec::new(),
        temp_partitions: Vec::new(),
        view_definition: (kind == TableKind::View).then(|| query.to_string()),
        mv,
    }
}

/// Buckets a partition gets when the DDL gave none (automatic bucketing).
pub fn default_buckets(env: &Env<'_>) -> u32 {
    (alive_backend_ids(env.config).len() as u32).max(1)
}

/// `replication_num` must not exceed the alive backends (`OlapTableFactory`).
pub fn check_replication(env: &Env<'_>, replication: u32, table: &str) -> Result<(), SqlError> {
    if replication == 0 {
        return Err(errors::ddl_plain(
            "Replication num should larger than 0. (suggested 3)",
        ));
    }
    let alive = alive_backend_ids(env.config);
    if replication as usize > alive.len() {
        let ids: Vec<String> = alive.iter().map(u64::to_string).collect();
        if alive.is_empty() {
            return Err(errors::ddl_plain("No alive nodes"));
        }
        return Err(errors::ddl_plain(format!(
            "Table replication num should be less than or equal to the number of available BE nodes. You can change this default by setting the replication_num table properties. Current alive backend is [{}]. , table={table}, default_replication_num=3",
            ids.join(",")
        )));
    }
    Ok(())
}

pub fn column_def(c: &ColumnSpec, is_key: bool, keys: KeysType) -> ColumnDef {
    ColumnDef {
        name: c.name.clone(),
        ty: c.ty.clone(),
        nullable: c.nullable.unwrap_or(!(is_key && keys == KeysType::Primary)),
        is_key,
        agg: c.agg,
        default: c.default.clone(),
        auto_increment: c.auto_increment,
        comment: c.comment.clone(),
    }
}

fn create_table(cat: &mut Catalog, env: &Env<'_>, session: &Session, ct: &CreateTable) -> Outcome {
    let db = target_db(session, &ct.name)?;
    check_exists(cat, &db)?;
    if cat.table(&db, &ct.name.name).is_some() {
        if ct.if_not_exists {
            return Ok(Response::ok());
        }
        return Err(table_exists(&ct.name.name));
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in &ct.columns {
        if !seen.insert(c.name.to_ascii_lowercase()) {
            return Err(errors::analyzing_code(
                ERR_DUP_FIELDNAME,
                &format!("Duplicate column name '{}'", c.name),
            ));
        }
    }
    let (keys, key_names) = match &ct.keys {
        Some((k, cols)) => (*k, cols.clone()),
        None => {
            let any_agg = ct.columns.iter().any(|c| c.agg.is_some());
            let model = if any_agg {
                KeysType::Aggregate
            } else {
                KeysType::Duplicate
            };
            let mut names = Vec::new();
            let mut width = 0;
            for c in &ct.columns {
                if c.agg.is_some() || names.len() >= 3 {
                    break;
                }
                names.push(c.name.clone());
                width += match c.ty {
                    SqlType::Varchar(_) | SqlType::Char(_) | SqlType::String => 36,
                    _ => 8,
                };
                if width >= 36 {
                    break;
                }
            }
            (model, names)
        }
    };
    for (i, k) in key_names.iter().enumerate() {
        match ct.columns.get(i) {
            Some(c) if c.name.eq_ignore_ascii_case(k) => {}
            _ => {
                if !ct.columns.iter().any(|c| c.name.eq_ignore_ascii_case(k)) {
                    return Err(errors::analyzing(&format!(
                        "Key column({k}) doesn't exist."
                    )));
                }
                return Err(errors::analyzing(
                    "Key columns should be a ordered prefix of the schema.",
                ));
            }
        }
    }
    let columns: Vec<ColumnDef> = ct
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| column_def(c, i < key_names.len(), keys))
        .collect();
    if keys == KeysType::Aggregate {
        if let Some(c) = columns.iter().find(|c| !c.is_key && c.agg.is_none()) {
            return Err(errors::analyzing(&format!(
                "AGG_KEYS table should specify aggregate type for non-key column[{}]",
                c.name
            )));
        }
    } else if let Some(c) = columns.iter().find(|c| c.agg.is_some()) {
        return Err(errors::analyzing(&format!(
            "{} table should not specify aggregate type for column[{}]",
            keys.model_name(),
            c.name
        )));
    }
    for c in ct.partitioning.columns() {
        if !columns.iter().any(|d| d.name.eq_ignore_ascii_case(c)) {
            return Err(errors::analyzing(&format!(
                "Partition column[{c}] does not found"
            )));
        }
    }
    let distribution = ct
        .distribution
        .clone()
        .unwrap_or(Distribution::Random { buckets: 0 });
    if let Distribution::Hash { columns: dc, .. } = &distribution {
        for c in dc {
            if !columns.iter().any(|d| d.name.eq_ignore_ascii_case(c)) {
                return Err(errors::analyzing(&format!(
                    "Distribution column({c}) doesn't exist."
                )));
            }
        }
    }
    let replication = match ct.properties.get("replication_num") {
        Some(v) => v
            .trim()
            .parse::<u32>()
            .map_err(|_| errors::ddl_plain(format!("Invalid replication_num: {v}")))?,
        None => 3,
    };
    check_replication(env, replication, &ct.name.name)?;
    let buckets = match distribution.buckets() {
        0 => default_buckets(env),
        b => b,
    };
    let id = cat.alloc_id();
    let mut table = Table {
        id,
        name: ct.name.name.clone(),
        kind: TableKind::Olap,
        columns,
        keys,
        partitioning: ct.partitioning.clone(),
        distribution,
        order_by: ct.order_by.clone(),
        properties: ct.properties.clone(),
        comment: ct.comment.clone(),
        state: TableState::Normal,
        schema_version: 0,
        created_ms: env.now,
        updated_ms: env.now,
        partitions: Vec::new(),
        temp_partitions: Vec::new(),
        view_definition: None,
        mv: None,
    };
    if matches!(ct.partitioning, Partitioning::Unpartitioned) {
        let pid = cat.alloc_id();
        table.partitions.push(new_partition(
            pid,
            &table.name,
            PartitionBound::Whole,
            buckets,
            replication,
            env,
        ));
    } else {
        let specs = expand_specs(&table, &ct.partitions)?;
        for (name, bound) in specs {
            add_partition(cat, &mut table, name, bound, buckets, false, env)?;
        }
    }
    match cat.db_mut(&db) {
        Some(d) => {
            d.tables.insert(table.name.clone(), table);
            Ok(Response::ok())
        }
        None => Err(errors::unknown_database(&db)),
    }
}

/// `CREATE TABLE [IF NOT EXISTS] t LIKE src`, as `sql/analyzer/CreateTableLikeAnalyzer.java`
/// (3.4) does it: the source's `SHOW CREATE TABLE` text (`AstToStringBuilder.getDdlStmt`) is
/// parsed again, renamed, and created like any CREATE TABLE — so the copy has the same
/// columns, keys, partitioning with the same partitions (empty, new ids, version 1; none for
/// automatic partitioning, whose DDL lists no partitions), distribution and properties.
fn create_table_like(
    cat: &mut Catalog,
    env: &Env<'_>,
    session: &Session,
    name: &ObjName,
    if_not_exists: bool,
    source: &ObjName,
) -> Outcome {
    let db = target_db(session, name)?;
    let source_db = target_db(session, source)?;
    // `getMetadataMgr().getTable(…)` is null for a missing database or table alike, and
    // the message names the *new* table (`stmt.getTableName()`), as 3.4 does.
    let Some(table) = cat.table(&source_db, &source.name) else {
        return Err(errors::analyzing(&format!(
            "Table {} is not found",
            name.name
        )));
    };
    if table.kind != TableKind::Olap {
        // The DDL of a view or materialized view does not parse as a CreateTableStmt.
        return Err(errors::analyzing_code(
            errors::ERROR_CREATE_TABLE_LIKE_UNSUPPORTED_VIEW,
            "Create table like does not support create view.",
        ));
    }
    let ddl = crate::engine::show::ddl::create_table(table);
    let mut ct = match crate::engine::parser::parse_all(&ddl) {
        Ok(mut v) if v.len() == 1 => match v.remove(0).stmt {
            Stmt::CreateTable(ct) => ct,
            _ => return Err(errors::unsupported("CREATE TABLE LIKE on this table")),
        },
        _ => return Err(errors::unsupported("CREATE TABLE LIKE on this table")),
    };
    ct.name = ObjName {
        db: Some(db),
        name: name.name.clone(),
        pos: name.pos,
    };
    ct.if_not_exists = if_not_exists;
    create_table(cat, env, session, &ct)
}

/// `ALTER DATABASE a RENAME b` (`server/LocalMetastore.renameDatabase`, 3.4): DdlExceptions
/// `Same database name`, `Unknown database 'a'` (ERR_BAD_DB_ERROR) and `Database name[b] is
/// already used`. The database keeps its id; materialized views keep reading their base
/// tables (StarRocks tracks them by id).
fn rename_database(cat: &mut Catalog, from: &str, to: &str) -> Outcome {
    if from == to {
        return Err(errors::ddl_plain("Same database name"));
    }
    if cat.db(from).is_none() {
        return Err(errors::unknown_database(from));
    }
    if cat.db(to).is_some() {
        return Err(errors::ddl_plain(format!(
            "Database name[{to}] is already used"
        )));
    }
    let Some(mut db) = cat.databases.remove(from) else {
        return Err(errors::unknown_database(from));
    };
    db.name = to.to_string();
    cat.databases.insert(to.to_string(), db);
    for t in cat
        .databases
        .values_mut()
        .flat_map(|d| d.tables.values_mut())
    {
        if let Some(mv) = &mut t.mv {
            for (d, _) in &mut mv.base_tables {
                if d == from {
                    *d = to.to_string();
                }
            }
        }
    }
    Ok(Response::ok())
}

pub fn new_partition(
    id: u64,
    name: &str,
    bound: PartitionBound,
    buckets: u32,
    replication: u32,
    env: &Env<'_>,
) -> Partition {
    Partition {
        id,
        name: name.to_string(),
        bound,
        visible_version: 1,
        visible_version_time: env.now,
        buckets,
        replication_num: replication,
        storage_medium: "HDD".into(),
        rows: Vec::new(),
        data_size: 0,
        sub_partitions: 1,
    }
}

/// Adds one partition after checking its name and bounds against the table.
pub fn add_partition(
    cat: &mut Catalog,
    table: &mut Table,
    name: String,
    bound: PartitionBound,
    buckets: u32,
    temp: bool,
    env: &Env<'_>,
) -> Result<(), SqlError> {
    let list = if temp {
        &table.temp_partitions
    } else {
        &table.partitions
    };
    if list.iter().any(|p| p.name == name) {
        return Err(errors::ddl(
            ERR_SAME_NAME_PARTITION,
            format!("Duplicate partition name {name}"),
        ));
    }
    if !temp {
        // RANGE partitions are sorted: only the neighbours of the insertion point can overlap.
        let candidates: Vec<&Partition> = match &bound {
            PartitionBound::Range { lower, .. } => {
                let idx = table
                    .partitions
                    .partition_point(|q| match (&q.bound, lower) {
                        (PartitionBound::Range { lower: Some(a), .. }, Some(b)) => {
                            cmp_keys(a, b).is_lt()
                        }
                        (PartitionBound::Range { lower: None, .. }, _) => true,
                        _ => false,
                    });
                table.partitions[idx.saturating_sub(1)..(idx + 1).min(table.partitions.len())]
                    .iter()
                    .collect()
            }
            _ => table.partitions.iter().collect(),
        };
        if let Some(other) = candidates.into_iter().find(|p| p.bound.overlaps(&bound)) {
            return Err(errors::ddl_plain(match &bound {
                PartitionBound::List(_) => format!(
                    "Duplicate values in partition {name} conflict with partition {}",
                    other.name
                ),
                _ => format!(
                    "Range {} is intersected with range: {}",
                    bound_text(&bound),
                    bound_text(&other.bound)
                ),
            }));
        }
    }
    let id = cat.alloc_id();
    let p = new_partition(id, &name, bound, buckets, table.replication_num(), env);
    if temp {
        table.temp_partitions.push(p);
    } else {
        table.insert_partition(p);
    }
    Ok(())
}

fn bound_text(b: &PartitionBound) -> String {
    let t = |v: &Option<Vec<Value>>, edge: &str| match v {
        Some(k) => k
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        None => edge.to_string(),
    };
    match b {
        PartitionBound::Range { lower, upper } => {
            format!("[{}..{})", t(lower, "MIN"), t(upper, "MAX"))
        }
        PartitionBound::List(items) => format!("{items:?}"),
        PartitionBound::Whole => String::new(),
    }
}

/// Turns partition specs into named bounds typed like the partition columns.
pub fn expand_specs(
    table: &Table,
    specs: &[PartitionSpec],
) -> Result<Vec<(String, PartitionBound)>, SqlError> {
    let types: Vec<SqlType> = table
        .partitioning
        .columns()
        .iter()
        .filter_map(|c| table.column_index(c))
        .map(|i| table.columns[i].ty.clone())
        .collect();
    let typed = |vals: &[Value]| -> Result<Vec<Value>, SqlError> {
        vals.iter()
            .zip(types.iter().cycle())
            .map(|(v, t)| {
                t.coerce(v.clone()).map_err(|bad| {
                    errors::analyzing(&format!("Invalid partition value '{bad}' for type {t}"))
                })
            })
            .collect()
    };
    let is_range = matches!(table.partitioning, Partitioning::Range { .. });
    let mut out: Vec<(String, PartitionBound)> = Vec::new();
    for s in specs {
        if is_range == matches!(s, PartitionSpec::In { .. }) {
            return Err(errors::ddl(
                errors::Code(5700, "42000"),
                if is_range {
                    "Cannot add a List partition to a table that partition type is not of List"
                } else {
                    "Cannot add a Range partition to a table that partition type is not of Range"
                },
            ));
        }
        match s {
            PartitionSpec::LessThan { name, upper, .. } => {
                let upper = match upper {
                    Some(u) => Some(typed(u)?),
                    None => None,
                };
                let lower = table
                    .partitions
                    .iter()
                    .filter_map(|p| match &p.bound {
                        PartitionBound::Range { upper: Some(u), .. } => Some(u.clone()),
                        _ => None,
                    })
                    .chain(out.iter().filter_map(|(_, b)| match b {
                        PartitionBound::Range { upper: Some(u), .. } => Some(u.clone()),
                        _ => None,
                    }))
                    .filter(|u| upper.as_ref().is_none_or(|up| cmp_keys(u, up).is_lt()))
                    .max_by(|a, b| cmp_keys(a, b));
                let b = PartitionBound::Range {
                    lower,
                    upper: upper.clone(),
                };
                out.push((name.clone(), b));
            }
            PartitionSpec::Fixed {
                name, lower, upper, ..
            } => {
                let (l, u) = (typed(lower)?, typed(upper)?);
                if cmp_keys(&l, &u).is_ge() {
                    return Err(errors::ddl_plain(format!(
                        "Invalid range value format: lower bound must be less than upper bound in partition {name}"
                    )));
                }
                out.push((
                    name.clone(),
                    PartitionBound::Range {
                        lower: Some(l),
                        upper: Some(u),
                    },
                ));
            }
            PartitionSpec::In { name, values, .. } => {
                let mut items = Vec::new();
                for v in values {
                    items.push(typed(v)?);
                }
                out.push((name.clone(), PartitionBound::List(items)));
            }
            PartitionSpec::Batch {
                start,
                end,
                every,
                unit,
            } => {
                let ty = types.first().cloned().unwrap_or(SqlType::Date);
                let mut made = 0;
                match unit {
                    Some(u) => {
                        let s = time_of(&ty, start)?;
                        let e = time_of(&ty, end)?;
                        let step = (*every).clamp(1, 100_000);
                        let mut cur = s;
                        while cur < e {
                            let next = u.add(cur, step).min(e);
                            let v = |x: i64| {
                                if ty == SqlType::Date {
                                    Value::Date(x.div_euclid(86_400) as i32)
                                } else {
                                    Value::DateTime(x)
                                }
                            };
                            let suffix = if *u == TimeUnit::Week {
                                let (y, _, _) =
                                    crate::engine::time::civil_from_days(cur.div_euclid(86_400));
                                let jan1 = crate::engine::time::days_from_civil(y, 1, 1);
                                format!("{y:04}_{:02}", (cur.div_euclid(86_400) - jan1) / 7 + 1)
                            } else {
                                u.partition_suffix(cur)
                            };
                            out.push((
                                format!("p{suffix}"),
                                PartitionBound::Range {
                                    lower: Some(vec![v(cur)]),
                                    upper: Some(vec![v(next)]),
                                },
                            ));
                            cur = next;
                            made += 1;
                            if made > 100_000 {
                                return Err(errors::ddl_plain(
                                    "The number of batch partitions should not exceed 100000",
                                ));
                            }
                        }
                    }
                    None => {
                        let (s, e) = (start.as_i64(), end.as_i64());
                        let (Some(s), Some(e)) = (s, e) else {
                            return Err(errors::ddl_plain("Batch build partition EVERY is number type but START or END is not number type"));
                        };
                        let step = (*every).clamp(1, 100_000);
                        let mut cur = s;
                        while cur < e {
                            let next = cur.saturating_add(step).min(e);
                            out.push((
                                format!("p{cur}"),
                                PartitionBound::Range {
                                    lower: Some(vec![Value::Int(cur)]),
                                    upper: Some(vec![Value::Int(next)]),
                                },
                            ));
                            cur = next;
                            made += 1;
                            if made > 100_000 {
                                return Err(errors::ddl_plain(
                                    "The number of batch partitions should not exceed 100000",
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

fn time_of(ty: &SqlType, v: &Value) -> Result<i64, SqlError> {
    match SqlType::DateTime.coerce(v.clone()) {
        Ok(Value::DateTime(s)) => Ok(s),
        _ => Err(errors::ddl_plain(format!(
            "Invalid {ty} value in START/END: {v}"
        ))),
    }
}

/// MVs reading `db.table` (or any table of `db` when `table` is `None`) become inactive.
pub fn deactivate_dependents(cat: &mut Catalog, db: &str, table: Option<&str>, reason: &str) {
    for d in cat.databases.values_mut() {
        for t in d.tables.values_mut() {
            if let Some(mv) = &mut t.mv {
                let hit = mv
                    .base_tables
                    .iter()
                    .any(|(bd, bt)| bd == db && table.is_none_or(|x| x == bt));
                if hit {
                    mv.active = false;
                    mv.inactive_reason = match table {
                        Some(x) => format!("{reason}: {x}"),
                        None => reason.to_string(),
                    };
                }
            }
        }
    }
}

fn drop_object(
    cat: &mut Catalog,
    session: &mut Session,
    kind: &ObjKind,
    name: &ObjName,
    if_exists: bool,
) -> Outcome {
    // Analyzer checks of DROP TABLE / DROP VIEW:
    // fe/fe-core/src/main/java/com/starrocks/sql/analyzer/DropStmtAnalyzer.java.
    let db = target_db(session, name)?;
    let database = cat.db_mut(&db).ok_or_else(|| {
        errors::analyzing_code(
            errors::ERR_BAD_DB_ERROR,
            &format!("Unknown database '{db}'"),
        )
    })?;
    let Some(t) = database.tables.get(&name.name) else {
        if if_exists {
            return Ok(Response::ok());
        }
        return Err(match kind {
            ObjKind::Table | ObjKind::View => errors::analyzing_code(
                ERR_BAD_TABLE_ERROR,
                &format!("Unknown table '{}'", name.name),
            ),
            ObjKind::MaterializedView => {
                errors::analyzing(&format!("Materialized view {} is not found", name.name))
            }
        });
    };
    let wrong = |what: &str| {
        errors::analyzing_code(
            errors::Code(1347, "HY000"),
            &format!("'{db}'.'{}' is not '{what}'", name.name),
        )
    };
    match (kind, t.kind) {
        (ObjKind::Table, TableKind::MaterializedView) => {
            return Err(errors::analyzing(&format!(
                "The data of '{0}' cannot be dropped because '{0}' is a materialized view,use 'drop materialized view {0}' to drop it.",
                name.name
            )))
        }
        (ObjKind::Table, TableKind::View) => return Err(wrong("TABLE")),
        (ObjKind::View, k) if k != TableKind::View => return Err(wrong("VIEW")),
        (ObjKind::MaterializedView, k) if k != TableKind::MaterializedView => {
            return Err(wrong("MATERIALIZED VIEW"))
        }
        _ => {}
    }
    database.tables.remove(&name.name);
    deactivate_dependents(cat, &db, Some(&name.name), "base-table dropped");
    Ok(Response::ok())
}

fn truncate(
    cat: &mut Catalog,
    env: &Env<'_>,
    session: &Session,
    name: &ObjName,
    partitions: &[String],
) -> Outcome {
    let db = target_db(session, name)?;
    let Catalog {
        databases, next_id, ..
    } = cat;
    let database = databases
        .get_mut(&db)
        .ok_or_else(|| errors::unknown_database(&db))?;
    let t = database.tables.get_mut(&name.name).ok_or_else(|| {
        errors::ddl(
            ERR_BAD_TABLE_ERROR,
            format!("Unknown table '{}'", name.name),
        )
    })?;
    if t.kind != TableKind::Olap {
        return Err(errors::ddl_plain(format!(
            "Only support truncate OLAP table, but got {}",
            name.name
        )));
    }
    if t.state != TableState::Normal {
        return Err(errors::ddl_plain(format!(
            "Table' state is not NORMAL: {}",
            t.state
        )));
    }
    for p in partitions {
        if t.partition(p).is_none() {
            return Err(errors::ddl_plain(format!("Partition {p} does not exist")));
        }
    }
    // TRUNCATE replaces each partition by a new, empty one (new id, version 1).
    for p in t
        .partitions
        .iter_mut()
        .filter(|p| partitions.is_empty() || partitions.contains(&p.name))
    {
        p.id = *next_id;
        *next_id += 1;
        p.rows.clear();
        p.data_size = 0;
        p.visible_version = 1;
        p.visible_version_time = env.now;
    }
    t.updated_ms = env.now;
    Ok(Response::ok())
}
