//! The StarRocks corpus (`testdata/corpus/`): every accepted docs/tests statement parses with
//! no error, every parse-stage reject fails with exactly StarRocks's text, the other rejects
//! parse, and every statement round-trips through the canonical printer.
#![allow(clippy::unwrap_used)]

use starsnap_compiler::syntax::{parse, Dialect};
use starsnap_compiler::Severity;

/// One corpus entry.
struct Entry {
    source: String,
    expect_error: Option<String>,
    stage: Option<String>,
    sql: String,
}

fn load(name: &str) -> Vec<Entry> {
    let path = format!("{}/../testdata/corpus/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut entries = Vec::new();
    for chunk in text.split("\n-- source: ").skip(1) {
        let mut lines = chunk.lines();
        let source = lines.next().unwrap().to_string();
        let mut e = Entry {
            source,
            expect_error: None,
            stage: None,
            sql: String::new(),
        };
        let mut sql = Vec::new();
        for line in lines {
            if let Some(v) = line.strip_prefix("-- expect-error: ") {
                e.expect_error = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("-- stage: ") {
                e.stage = Some(v.split_whitespace().next().unwrap().to_string());
            } else if line.starts_with("-- error-code: ") {
            } else {
                sql.push(line);
            }
        }
        e.sql = sql.join("\n");
        entries.push(e);
    }
    entries
}

fn errors(sql: &str) -> Vec<starsnap_compiler::Diagnostic> {
    parse(sql, Dialect::StarRocks3_4)
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

fn accepted(file: &str, expected_count: usize) {
    let entries = load(file);
    assert_eq!(entries.len(), expected_count, "{file}");
    let mut failures = Vec::new();
    for e in &entries {
        if e.expect_error.is_some() {
            continue;
        }
        let p = parse(&e.sql, Dialect::StarRocks3_4);
        if p.has_errors() || p.statements.len() != 1 || p.statements[0].statement.is_none() {
            failures.push(format!("{}\n{}\n{:#?}", e.source, e.sql, p.diagnostics));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn docs_statements_parse() {
    accepted("starrocks-docs.sql", 110);
}

#[test]
fn test_statements_parse() {
    accepted("starrocks-tests.sql", 67);
}

#[test]
fn rejects_have_starrocks_text() {
    let entries = load("starrocks-rejects.sql");
    assert_eq!(entries.len(), 69);
    let mut parse_stage = 0;
    let mut failures = Vec::new();
    for e in &entries {
        let errs = errors(&e.sql);
        if e.stage.as_deref() == Some("parse") {
            parse_stage += 1;
            let want = e.expect_error.as_deref().unwrap();
            let got: Vec<_> = errs
                .iter()
                .filter_map(|d| d.starrocks.as_ref())
                .map(|s| (s.message.as_str(), s.code, s.sqlstate.as_str()))
                .collect();
            if errs.len() != 1 || got != [(want, 1064, "HY000")] {
                failures.push(format!(
                    "{}\n{}\nwant: {want}\ngot:  {got:?}",
                    e.source, e.sql
                ));
            }
        } else if !errs.is_empty() {
            failures.push(format!("{}\n{}\nunexpected: {errs:#?}", e.source, e.sql));
        }
    }
    assert_eq!(parse_stage, 25);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_statement_round_trips() {
    let mut failures = Vec::new();
    for file in [
        "starrocks-docs.sql",
        "starrocks-tests.sql",
        "starrocks-rejects.sql",
    ] {
        for e in load(file) {
            let p = parse(&e.sql, Dialect::StarRocks3_4);
            for ps in &p.statements {
                let Some(stmt) = &ps.statement else { continue };
                for printed in [stmt.to_string(), format!("{stmt:#}")] {
                    let again = parse(&printed, Dialect::StarRocks3_4);
                    let back = again.statements.first().and_then(|s| s.statement.as_ref());
                    if back != Some(stmt) {
                        failures.push(format!("{}\n{}\nprinted: {printed}", e.source, e.sql));
                        continue;
                    }
                    if let Some(back) = back {
                        if back.to_string() != stmt.to_string() {
                            failures.push(format!("not idempotent: {printed}"));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Golden renderings of a few parse errors (code, span, message, help, StarRocks's answer).
#[test]
fn parse_error_renderings() {
    let inputs = [
        "RESTORE SNAPSHOT .`snapshot_2` FROM `repo` ALL EXTERNAL CATALOGS PROPERTIES (\"backup_timestamp\"=\"x\");",
        "CREATE REPOSITORY r WITH BROKER ON LOCATION \"s3://b\"\nPROPERTIES\n(\n);",
        "BACKUP DATABASE d SNAPSHOT d.l TO r;",
        "BACKUP SNAPSHOT d.l TO r ON (t AS u);",
        "CANCEL BACKUP;",
        "ALTER TABLE t RENAME TO t3;",
        "SHOW BACKUP FROM 'db;",
    ];
    let mut out = String::new();
    for src in inputs {
        out.push_str(&format!("== {src}\n"));
        for d in parse(src, Dialect::StarRocks3_4).diagnostics {
            let text = &src[d.span.start..d.span.end];
            out.push_str(&format!(
                "{} {} [{}..{}] `{text}`: {}\n  help: {}\n",
                d.severity,
                d.code,
                d.span.start,
                d.span.end,
                d.message,
                d.help.as_deref().unwrap_or("-"),
            ));
            if let Some(sr) = &d.starrocks {
                out.push_str(&format!(
                    "  starrocks: {} ({}) {}\n",
                    sr.code, sr.sqlstate, sr.message
                ));
            }
        }
    }
    insta::assert_snapshot!(out);
}
