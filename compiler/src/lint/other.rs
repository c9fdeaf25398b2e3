//! Statements outside the snapshot family (USE, SELECT, CREATE TABLE, …): handed to
//! `sqlparser` (MySQL dialect) and reported only when it cannot parse them.
//!
//! sqlparser's MySQL dialect is not StarRocks: it cannot parse StarRocks-specific DDL and
//! statements (`DUPLICATE KEY`, `DISTRIBUTED BY … BUCKETS`, `PROPERTIES (…)`, `ADMIN …`,
//! `REFRESH MATERIALIZED VIEW`, catalogs, loads, …). Such a statement gets at most an `info`
//! (`S901`, "not checked"). A statement without StarRocks-specific markers that still does
//! not parse gets a `warning` (`S900`), never an error: it is suspicious, but it may be valid
//! StarRocks SQL sqlparser does not know. Both can be suppressed or turned off.

use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::{Parser, ParserError};

use super::registry::driver_codes;
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::Span;

/// Words (upper-case, single-spaced) that mark StarRocks-specific SQL sqlparser cannot read.
const STARROCKS_MARKERS: &[&str] = &[
    "DUPLICATE KEY",
    "AGGREGATE KEY",
    "UNIQUE KEY",
    "PRIMARY KEY",
    "DISTRIBUTED BY",
    "BUCKETS",
    "PROPERTIES",
    "ROLLUP",
    "ENGINE",
    "REFRESH",
    "MATERIALIZED",
    "CATALOG",
    "RESOURCE",
    "ADMIN",
    "PROC",
    "WAREHOUSE",
    "SUBMIT",
    "PIPE",
    "ROUTINE",
    "LOAD",
    "OVERWRITE",
    "PARTITION",
    "BITMAP",
    "HLL",
    "STORAGE VOLUME",
    "FILES(",
    "ROLE",
    "USER",
    "BACKENDS",
    "FRONTENDS",
    "COMPUTE NODES",
    "TASK",
];

/// Leading words of statements sqlparser's MySQL dialect is expected to parse.
const CORE_LEADS: &[&str] = &[
    "SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "USE", "DROP", "TRUNCATE", "CREATE", "ALTER",
    "SET", "SHOW", "EXPLAIN", "REPLACE", "DESC", "DESCRIBE", "GRANT", "REVOKE", "(",
];

/// Checks one statement's text; `span` locates it in the file.
pub(crate) fn check(text: &str, span: Span) -> Option<Diagnostic> {
    let err = match Parser::parse_sql(&MySqlDialect {}, text) {
        Ok(_) => return None,
        Err(e) => e,
    };
    let upper: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    let lead = upper.split([' ', '(']).next().unwrap_or("");
    let lead = if upper.starts_with('(') { "(" } else { lead };
    let marked = STARROCKS_MARKERS.iter().any(|m| upper.contains(m));
    if marked || !CORE_LEADS.contains(&lead) {
        let mut d = Diagnostic::new(
            driver_codes::STARROCKS_DDL_UNCHECKED,
            Severity::Info,
            Span::new(span.start, span.start + first_word_len(text)),
            "StarRocks-specific statement not checked (sqlparser's MySQL dialect cannot parse it)",
        );
        d.help = Some(
            "starsnap checks only snapshot statements in depth; this one is passed over".into(),
        );
        return Some(d);
    }
    let (message, at) = describe(&err, text);
    let (rel, len) = locate_found(&message, text, at.min(text.len()));
    let at = span.start + rel;
    let end = (at + len).min(span.end).max(at);
    Some(
        Diagnostic::new(
            driver_codes::OTHER_UNPARSED,
            Severity::Warning,
            Span::new(at, end),
            format!("this statement does not parse as SQL: {message}"),
        )
        .with_help("check the statement; if it is valid StarRocks SQL that sqlparser does not know, suppress S900 with a reason"),
    )
}

/// sqlparser's reported position is not always the offending token's start: when the message
/// names the token (`found: FROM`), point at its last occurrence up to that position.
fn locate_found(message: &str, text: &str, at: usize) -> (usize, usize) {
    let found = message
        .rsplit_once("found: ")
        .and_then(|(_, f)| f.split_whitespace().next())
        .filter(|f| !f.is_empty() && *f != "EOF");
    let Some(found) = found else {
        return (at, 1);
    };
    let limit = floor_char_boundary(text, (at + found.len()).min(text.len()));
    match text[..limit].rfind(found) {
        Some(i) => (i, found.len()),
        None => (at, 1),
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn first_word_len(text: &str) -> usize {
    text.find(|c: char| c.is_whitespace() || c == '(')
        .unwrap_or(text.len())
}

/// sqlparser's message without its ` at Line: L, Column: C` suffix, and the byte offset of
/// that position in `text`.
fn describe(err: &ParserError, text: &str) -> (String, usize) {
    let raw = match err {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m.clone(),
        ParserError::RecursionLimitExceeded => return ("nested too deeply".to_string(), 0),
    };
    let Some(idx) = raw.rfind(" at Line: ") else {
        return (raw, 0);
    };
    let (msg, pos) = raw.split_at(idx);
    let nums: Vec<usize> = pos
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let offset = match nums.as_slice() {
        [line, col, ..] => offset_of(text, *line, *col),
        _ => 0,
    };
    (msg.to_string(), offset)
}

/// Byte offset of 1-based line `line`, 1-based character column `col`.
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    text[start..]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map(|(i, _)| start + i)
        .unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Option<String> {
        check(text, Span::new(0, text.len())).map(|d| d.code)
    }

    #[test]
    fn plain_sql_parses() {
        assert_eq!(code("USE sales"), None);
        assert_eq!(code("SELECT a, b FROM t WHERE x = 1"), None);
    }

    #[test]
    fn broken_sql_is_a_warning_with_a_position() {
        let text = "SELECT a FROM t WHERE";
        let d = check(text, Span::new(100, 100 + text.len())).expect("finding");
        assert_eq!(d.code, "S900");
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.span.start >= 100);
        assert!(!d.message.contains("Line:"));
        let text = "SELECT order_id, FROM orders WHERE";
        let d = check(text, Span::new(0, text.len())).expect("finding");
        assert_eq!(&text[d.span.start..d.span.end], "FROM");
    }

    #[test]
    fn starrocks_ddl_is_info() {
        let ddl = "CREATE TABLE t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 3";
        assert_eq!(code(ddl).as_deref(), Some("S901"));
        assert_eq!(
            code("ADMIN SET FRONTEND CONFIG ('a' = 'b')").as_deref(),
            Some("S901")
        );
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let text = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(code(&text).as_deref(), Some("S900"));
    }
}
