//! BACKUP checks (spec §2.1 for databases, §2.2 for external catalogs), in the analyzer's
//! order: database name → (database exists) → label → repository name → (repository exists)
//! → each table (exists, then duplicate) → each function name → properties.

use std::collections::HashSet;

use super::names::{self, FunctionNameProblem};
use super::{java, properties, Check, Cx};
use crate::span::Span;
use crate::syntax::ast::{
    Backup, ExternalCatalogs, NamedObject, ObjectItem, ObjectKeyword, ObjectKind, ObjectList,
    PartitionNames, PartitionSpec,
};

/// The table-like refs of an `ON` list in the order StarRocks's AstBuilder lists them: bare
/// names, then materialized views, then views, then `TABLE` items (spec §1.4).
pub(crate) fn table_refs(on: Option<&ObjectList>) -> Vec<&NamedObject> {
    let named: Vec<&NamedObject> = on
        .map(|l| l.items.as_slice())
        .unwrap_or(&[])
        .iter()
        .filter_map(|i| match i {
            ObjectItem::Named(n) => Some(n),
            ObjectItem::All(_) => None,
        })
        .collect();
    let pick = |kind: ObjectKind, bare: Option<bool>| {
        named.iter().copied().filter(move |n| {
            n.kind == kind && bare.is_none_or(|b| (n.keyword == ObjectKeyword::Bare) == b)
        })
    };
    pick(ObjectKind::Table, Some(true))
        .chain(pick(ObjectKind::MaterializedView, None))
        .chain(pick(ObjectKind::View, None))
        .chain(pick(ObjectKind::Table, Some(false)))
        .collect()
}

/// `FunctionName.createFnName`: `a.b` → function `b`; any other shape is kept whole.
fn function_name(n: &NamedObject) -> String {
    match n.name.parts.as_slice() {
        [_, f] => f.value.clone(),
        parts => parts
            .iter()
            .map(|p| p.value.as_str())
            .collect::<Vec<_>>()
            .join("."),
    }
}

pub fn check(cx: &mut Cx<'_>, b: &Backup) {
    if let Some(catalogs) = &b.catalogs {
        properties::check_backup(cx, b.properties.as_ref());
        if let ExternalCatalogs::Named { catalogs, .. } = catalogs {
            for c in catalogs {
                if java::equals_ignore_case(&c.name.value, "default_catalog") {
                    default_catalog(cx, c.name.span);
                } else if cx.catalog.catalog_exists(&c.name.value) == Some(false) {
                    cx.emit(
                        Check::UnknownCatalog,
                        c.name.span,
                        format!("external catalog `{}` does not exist", c.name.value),
                        "check the name with SHOW CATALOGS",
                        String::new(),
                        // (sic) the trailing period is part of StarRocks's message.
                        &format!("external catalog {} does not existed.", c.name.value),
                    );
                }
            }
        }
        return;
    }

    // 1. The database: `db.` prefix or `DATABASE x`, else the session's current database.
    let named_db = b.database().filter(|d| !d.value.is_empty());
    let db_name = match named_db {
        Some(d) => {
            if !names::is_valid_database_name(&d.value) {
                cx.emit(
                    Check::InvalidDatabaseName,
                    d.span,
                    format!("`{}` is not a valid StarRocks database name", d.value),
                    "database names start with a letter (or `_` and a letter/digit) and hold letters, digits, `_` and `-~!@#$%^&<>=+`, at most 256 characters",
                    String::new(),
                    &format!("Incorrect database name '{}'", d.value),
                );
            }
            Some(d.value.clone())
        }
        None => cx.catalog.current_database().map(str::to_string),
    };
    let db_span = named_db.map(|d| d.span).unwrap_or(b.label.span);
    let db_known = match &db_name {
        Some(name) => cx.check_database_exists_at(name, db_span),
        None => false,
    };

    // 2. Label and repository.
    let label_empty = b.label_name().is_none_or(|l| l.value.is_empty());
    if label_empty {
        cx.emit(
            Check::EmptyLabel,
            b.label.span,
            "the snapshot label is empty",
            "name the snapshot, e.g. `BACKUP DATABASE d SNAPSHOT d_2024_06_01 TO repo`",
            String::new(),
            "Incorrect label name ''",
        );
    }
    let repo = &b.repository;
    if repo.value.is_empty() {
        cx.emit(
            Check::EmptyRepository,
            repo.span,
            "the repository name is empty",
            "name the repository created with CREATE REPOSITORY (see SHOW REPOSITORIES)",
            String::new(),
            "Repository is empty",
        );
    } else if cx.catalog.repository_exists(&repo.value) == Some(false) {
        cx.emit(
            Check::UnknownRepository,
            repo.span,
            format!("repository `{}` does not exist", repo.value),
            "create it with CREATE REPOSITORY, or check the name in SHOW REPOSITORIES (names are case-sensitive)",
            String::new(),
            &format!("Repository [{}] does not exist", repo.value),
        );
    }

    // 3. Tables, in AstBuilder's order: existence (catalog), then duplicates.
    let mut seen: HashSet<&str> = HashSet::new();
    for n in table_refs(b.on.as_ref()) {
        let Some(name) = n.name.name() else { continue };
        let mut table_known = true;
        if db_known {
            if let Some(db) = &db_name {
                if cx.catalog.table_exists(db, &name.value) == Some(false) {
                    table_known = false;
                    cx.emit(
                        Check::UnknownTable,
                        n.name.span,
                        format!("table `{}` does not exist in database `{db}`", name.value),
                        "check the name (case-sensitive) with SHOW TABLES",
                        String::new(),
                        &format!("Incorrect table name '{}'", name.value),
                    );
                }
            }
        }
        if db_known && table_known {
            if let (Some(db), Some(spec)) = (&db_name, &n.partitions) {
                check_partitions(cx, db, &name.value, spec);
            }
        }
        if !seen.insert(name.value.as_str()) {
            let pos = cx.pos_text(n.name.span);
            cx.emit(
                Check::DuplicateBackupTable,
                n.name.span,
                format!("table `{}` is listed twice", name.value),
                "list each table once; merge the PARTITION lists if you meant different partitions",
                pos,
                &format!("Duplicated table: {}", name.value),
            );
        }
    }

    // 4. Function names.
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
        check_function(cx, f);
    }

    // 5. Properties.
    properties::check_backup(cx, b.properties.as_ref());
}

/// `analyzeTableRef`'s partition check: each named partition must exist (reported at the
/// partition clause, with StarRocks's spacing quirks).
fn check_partitions(cx: &mut Cx<'_>, db: &str, table: &str, spec: &PartitionSpec) {
    let PartitionNames::Names(names) = &spec.names else {
        return;
    };
    for p in names {
        if cx.catalog.partition_exists(db, table, &p.value) == Some(false) {
            let pos = cx.pos_text(spec.span);
            cx.emit(
                Check::UnknownPartition,
                p.span,
                format!("partition `{}` does not exist in table `{table}`", p.value),
                "list the partitions with SHOW PARTITIONS FROM <table>",
                pos,
                &format!("partition[{}] does not exist  in table{table}", p.value),
            );
            return;
        }
    }
}

fn default_catalog(cx: &mut Cx<'_>, span: Span) {
    cx.emit(
        Check::DefaultCatalogBackup,
        span,
        "`default_catalog` cannot be backed up as an external catalog",
        "back up the internal catalog's databases with `BACKUP DATABASE <db> SNAPSHOT …` instead",
        String::new(),
        "Do not support Backup/Restore the entire default catalog",
    );
}

fn check_function(cx: &mut Cx<'_>, f: &NamedObject) {
    let name = function_name(f);
    let span: Span = f.name.span;
    match names::function_problem(&name) {
        Some(FunctionNameProblem::Empty) => {
            cx.emit(
                Check::EmptyFunctionName,
                span,
                "the function name is empty",
                "name the function, e.g. `FUNCTION my_udf`",
                String::new(),
                // StarRocks's FunctionName.analyze really says this for an empty name.
                "Should order by column",
            );
        }
        Some(FunctionNameProblem::InvalidCharacter) => {
            cx.emit(
                Check::InvalidFunctionName,
                span,
                format!("`{name}` is not a valid function name"),
                "function names hold only letters, digits and `_`; qualify with at most one database: `FUNCTION db.fn`",
                String::new(),
                &format!("Function names must be all alphanumeric or underscore. Invalid name: {name}"),
            );
        }
        Some(FunctionNameProblem::StartsWithDigit) => {
            cx.emit(
                Check::FunctionStartsWithDigit,
                span,
                format!("function name `{name}` starts with a digit"),
                "function names cannot start with a digit",
                String::new(),
                &format!("Function cannot start with a digit: {name}"),
            );
        }
        None => {}
    }
}
