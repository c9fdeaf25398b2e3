//! Session statements clients send on connect and between queries: `USE` / COM_INIT_DB,
//! `SET …`, system variables (`SELECT @@version_comment`, …), and the simulator-only
//! `ADMIN SHOW SIMULATOR STATS`.

use crate::config::SimConfig;
use crate::engine::ast::ObjName;
use crate::engine::catalog::Catalog;
use crate::engine::errors::{self, ERR_UNKNOWN_SYSTEM_VARIABLE};
use crate::engine::time::TimeZone;
use crate::engine::value::Value;
use crate::engine::ConnectionStats;
use crate::response::{Column, ColumnType, Outcome, Response, Session, SqlError};

/// `USE [catalog.]db`.
pub fn use_db(cat: &Catalog, session: &mut Session, name: &ObjName) -> Outcome {
    match &name.db {
        Some(c) if c != "default_catalog" => Err(errors::ddl(
            errors::ERR_BAD_CATALOG_ERROR,
            format!("Unknown catalog '{c}'"),
        )),
        _ => init_db(cat, session, &name.name),
    }
}

/// COM_INIT_DB. `information_schema` always exists.
pub fn init_db(cat: &Catalog, session: &mut Session, db: &str) -> Outcome {
    if db.eq_ignore_ascii_case("information_schema") {
        session.current_db = Some("information_schema".into());
        return Ok(Response::ok());
    }
    if cat.db(db).is_none() {
        return Err(errors::unknown_database(db));
    }
    session.current_db = Some(db.to_string());
    Ok(Response::ok())
}

/// `SET …`: values are remembered per session (`SELECT @@x` reads them back).
pub fn set(session: &mut Session, items: &[(String, Value)]) -> Outcome {
    for (name, value) in items {
        if name == "socket" {
            return Err(errors::ddl(
                ERR_UNKNOWN_SYSTEM_VARIABLE,
                "Unknown system variable 'socket'",
            ));
        }
        match value.to_text() {
            Some(v) => session.variables.insert(name.clone(), v),
            None => session.variables.remove(name),
        };
    }
    Ok(Response::ok())
}

/// The value of a system variable for this session.
pub fn sysvar(
    session: &Session,
    config: &SimConfig,
    tz: &TimeZone,
    name: &str,
) -> Result<Value, SqlError> {
    if let Some(v) = session.variables.get(name) {
        return Ok(Value::Str(v.clone()));
    }
    let s = |v: &str| Ok(Value::Str(v.to_string()));
    let i = |v: i64| Ok(Value::Int(v));
    match name {
        "version_comment" => s(config.version.version_comment()),
        "version" => s(config.version.mysql_version()),
        "max_allowed_packet" => i(33_554_432),
        "time_zone" => s(&tz.name),
        "system_time_zone" => s(&tz.name),
        "tx_isolation" | "transaction_isolation" => s("REPEATABLE-READ"),
        "tx_read_only" | "transaction_read_only" => i(0),
        "autocommit" => i(1),
        "auto_increment_increment" => i(1),
        "sql_mode" => s("ONLY_FULL_GROUP_BY"),
        "sql_select_limit" => i(9_223_372_036_854_775_807),
        "character_set_client"
        | "character_set_connection"
        | "character_set_results"
        | "character_set_server"
        | "character_set_database" => s("utf8"),
        "collation_connection" | "collation_server" | "collation_database" => s("utf8_general_ci"),
        "lower_case_table_names" => i(0),
        "wait_timeout" => i(28_800),
        "interactive_timeout" => i(3_600),
        "net_write_timeout" => i(60),
        "net_buffer_length" => i(16_384),
        "query_timeout" => i(300),
        "query_cache_size" => i(1_048_576),
        "query_cache_type" => i(0),
        "init_connect" => s(""),
        "license" => s("Apache License 2.0"),
        "performance_schema" => i(0),
        "language" => s("/starrocks/share/english/"),
        "default_storage_engine" => s("olap"),
        _ => Err(errors::ddl(
            ERR_UNKNOWN_SYSTEM_VARIABLE,
            format!("Unknown system variable '{name}'"),
        )),
    }
}

/// `ADMIN SHOW SIMULATOR STATS`: one row per open connection — `ConnectionId`, `User`,
/// `Statements` (including this one), `Current` (`true` for the asking connection).
pub fn stats_result(session: &Session, stats: &[ConnectionStats]) -> Response {
    let rows = stats
        .iter()
        .map(|c| {
            vec![
                Some(c.connection_id.to_string()),
                Some(c.user.clone()),
                Some(c.statements.to_string()),
                Some((c.connection_id == session.connection_id).to_string()),
            ]
        })
        .collect();
    Response::ResultSet {
        columns: vec![
            Column::typed("ConnectionId", ColumnType::LongLong),
            Column::varchar("User"),
            Column::typed("Statements", ColumnType::LongLong),
            Column::varchar("Current"),
        ],
        rows,
    }
}
