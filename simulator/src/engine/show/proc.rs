//! SHOW PROC '<path>' for the paths equivalent to the SHOW statements served here:
//! `/dbs/<db id or name>/<table id or name>/partitions` (and `/temp_partitions`, spec §3.6),
//! `/backends`, `/frontends`. Lookups and errors follow 3.4's `common/proc/DbsProcDir`,
//! `TablesProcDir`, `TableProcDir` and `ShowStmtAnalyzer.visitShowProcStmt`
//! (`Unknown proc node path: <path>. msg: <reason>`), paths relative to
//! `fe/fe-core/src/main/java/com/starrocks/`.

use crate::engine::catalog::{Database, Table};
use crate::engine::show::parse::Cursor;
use crate::engine::show::{nodes, partitions};
use crate::engine::{errors, EngineCtx};
use crate::response::{Outcome, Session, SqlError};

/// `SHOW PROC '<path>'`.
pub fn show_proc(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    let path = c.string()?;
    c.expect_end()?;
    if path.is_empty() {
        return Err(errors::analyzing("Path is null"));
    }
    let unknown =
        |msg: String| errors::analyzing(&format!("Unknown proc node path: {path}. msg: {msg}"));
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        ["backends"] => nodes::backends(ctx, s, None),
        ["frontends"] => nodes::frontends(ctx, s, None),
        ["dbs", db, table, entry @ ("partitions" | "temp_partitions")] => {
            let database = find_db(ctx, db)
                .ok_or_else(|| unknown(format!("Unknown database id or name \"{db}\"")))?;
            let t = find_table(database, table)
                .ok_or_else(|| unknown(format!("unknown table id or name \"{table}\"")))?;
            if !t.is_native() {
                return Err(unknown(if *entry == "partitions" {
                    format!(
                        "Table[{}] is not a OLAP/MATERIALIZED_VIEW/ELASTICSEARCH/HIVE/HUDI table",
                        t.name
                    )
                } else {
                    format!("Table[{}] does not have temp partitions", t.name)
                }));
            }
            partitions::rows_of(ctx, s, t, *entry == "temp_partitions")
        }
        ["dbs", _, _, entry] if *entry != "index_schema" => {
            Err(unknown(format!("Not implemented yet: {entry}")))
        }
        _ => Err(not_served(&path)),
    }
}

fn not_served(path: &str) -> SqlError {
    errors::unsupported(&format!("SHOW PROC '{path}'"))
}

/// A database by id, else by name (`Long.parseLong` first, as `DbsProcDir.lookup`).
fn find_db<'c>(ctx: &'c EngineCtx<'_>, key: &str) -> Option<&'c Database> {
    match key.parse::<u64>() {
        Ok(id) => ctx.catalog.databases.values().find(|d| d.id == id),
        Err(_) => ctx.catalog.db(key),
    }
}

fn find_table<'d>(db: &'d Database, key: &str) -> Option<&'d Table> {
    match key.parse::<u64>() {
        Ok(id) => db.tables.values().find(|t| t.id == id),
        Err(_) => db.tables.get(key),
    }
}
