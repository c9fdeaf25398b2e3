//! SHOW statements (spec §3): owned by the SHOW/information_schema work, which replaces this
//! body. The engine routes every statement whose first keyword is `SHOW` here.

use crate::engine::{errors, EngineCtx};
use crate::response::{Outcome, Session};

/// Executes one SHOW statement. Until the SHOW statements land, every form is answered
/// with StarRocks's syntax error for an unknown SHOW statement.
pub fn execute(_ctx: &EngineCtx<'_>, _session: &mut Session, sql: &str) -> Outcome {
    let trimmed = sql.trim_start();
    let lead = sql.len() - trimmed.len();
    let mut words = trimmed.split_whitespace();
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let offset = trimmed
        .get(first.len()..)
        .map(|rest| lead + first.len() + (rest.len() - rest.trim_start().len()))
        .unwrap_or(lead);
    Err(errors::syntax_at(
        sql,
        offset,
        &format!("No viable statement for input '{first} {second}'"),
    ))
}
