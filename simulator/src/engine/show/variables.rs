//! SHOW [SESSION | LOCAL | GLOBAL] VARIABLES [LIKE 'p'] (`sql/ast/ShowVariablesStmt.java`,
//! `qe/VariableMgr.dump`: rows sorted by name; LIKE is case-sensitive,
//! `CaseSensibility.VARIABLES`).
//!
//! The simulator knows the variables clients and starsnap read; defaults are 3.4's
//! (`qe/SessionVariable.java`, `qe/GlobalVariable.java`), version strings come from the
//! profile, the time zone from the config, and `SET` values from the session.

use std::collections::BTreeMap;

use crate::engine::show::layouts;
use crate::engine::show::parse::Cursor;
use crate::engine::show::result;
use crate::engine::show::tables::mysql_like;
use crate::engine::{errors, EngineCtx};
use crate::response::{Outcome, Session};

/// 3.4 defaults of the variables the simulator reports (name, value as SHOW prints it).
pub const DEFAULTS: &[(&str, &str)] = &[
    ("auto_increment_increment", "1"),
    ("autocommit", "true"),
    ("character_set_client", "utf8"),
    ("character_set_connection", "utf8"),
    ("character_set_database", "utf8"),
    ("character_set_results", "utf8"),
    ("character_set_server", "utf8"),
    ("collation_connection", "utf8_general_ci"),
    ("collation_database", "utf8_general_ci"),
    ("collation_server", "utf8_general_ci"),
    ("enable_profile", "false"),
    ("init_connect", ""),
    ("interactive_timeout", "3600"),
    ("language", "/starrocks/share/english/"),
    ("license", "Apache License 2.0"),
    ("lower_case_table_names", "0"),
    ("max_allowed_packet", "33554432"),
    ("net_buffer_length", "16384"),
    ("net_read_timeout", "60"),
    ("net_write_timeout", "60"),
    ("performance_schema", "false"),
    ("pipeline_dop", "0"),
    ("query_cache_size", "1048576"),
    ("query_mem_limit", "0"),
    ("query_timeout", "300"),
    ("sql_mode", "ONLY_FULL_GROUP_BY"),
    ("sql_safe_updates", "0"),
    ("sql_select_limit", "9223372036854775807"),
    ("transaction_isolation", "REPEATABLE-READ"),
    ("transaction_read_only", "false"),
    ("tx_isolation", "REPEATABLE-READ"),
    ("tx_read_only", "false"),
    ("wait_timeout", "28800"),
];

/// Every variable with its current value for this session (`global`: ignore `SET` values).
pub fn current(ctx: &EngineCtx<'_>, session: &Session, global: bool) -> BTreeMap<String, String> {
    let profile = ctx.version();
    let mut vars: BTreeMap<String, String> = DEFAULTS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    vars.insert("version".into(), profile.mysql_version().into());
    vars.insert("version_comment".into(), profile.version_comment().into());
    vars.insert("time_zone".into(), ctx.time_zone.name.clone());
    vars.insert("system_time_zone".into(), ctx.time_zone.name.clone());
    if !global {
        for (k, v) in &session.variables {
            vars.insert(k.clone(), v.clone());
        }
    }
    vars
}

/// `SHOW [SESSION | LOCAL] VARIABLES …`.
pub fn show_variables(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    show(ctx, s, c, false)
}

/// `SHOW GLOBAL VARIABLES …`.
pub fn show_global_variables(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    show(ctx, s, c, true)
}

fn show(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>, global: bool) -> Outcome {
    let pattern = if c.eat_kw("LIKE") {
        Some(c.string()?)
    } else if c.is_kw("WHERE") {
        return Err(errors::unsupported("SHOW VARIABLES … WHERE"));
    } else {
        None
    };
    c.expect_end()?;
    let rows = current(ctx, s, global)
        .into_iter()
        .filter(|(k, _)| pattern.as_deref().is_none_or(|p| mysql_like(k, p, true)))
        .map(|(k, v)| vec![Some(k), Some(v)])
        .collect();
    result(layouts::show_variables(), rows)
}
