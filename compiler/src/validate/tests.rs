//! Validation tests beyond the corpus: Java HashMap property order, Java number semantics,
//! positions, the catalog hooks.

use super::*;
use crate::syntax::parse;

fn first_error(sql: &str, dialect: Dialect, catalog: &dyn Catalog) -> Option<String> {
    let parsed = parse(sql, dialect);
    let ps = parsed.statements.first()?;
    let stmt = ps.statement.as_ref()?;
    let diags = analyze(
        stmt,
        StatementInput {
            src: sql,
            span: ps.span,
            dialect,
        },
        catalog,
    );
    starrocks_error(&diags).map(|e| e.message.clone())
}

fn first(sql: &str) -> Option<String> {
    first_error(sql, Dialect::StarRocks3_4, &NoCatalog)
}

fn detail(msg: &str) -> Option<String> {
    Some(format!("Getting analyzing error. Detail message: {msg}."))
}

#[test]
fn backup_properties_follow_hashmap_order() {
    // "type" hashes to bucket 12 and "timeout" to 14 of 16: type is checked first, whatever
    // the order in the statement.
    assert_eq!(
        first(
            "BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"timeout\" = \"x\", \"type\" = \"y\");"
        ),
        detail("Invalid backup job type: y")
    );
}

#[test]
fn restore_properties_follow_the_copied_map_order() {
    // In the statement's map (16 buckets) meta_version (6) precedes starrocks_meta_version
    // (8); StarRocks iterates a copy sized for 2 entries (4 buckets), where
    // starrocks_meta_version (0) precedes meta_version (2).
    assert_eq!(
        first("RESTORE SNAPSHOT d.s FROM r PROPERTIES (\"meta_version\" = \"a\", \"starrocks_meta_version\" = \"b\");"),
        detail("Invalid meta version format: b")
    );
}

#[test]
fn duplicate_keys_keep_the_last_value_and_keys_are_java_trimmed() {
    assert_eq!(
        first("BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"timeout\" = \"x\", \" timeout\" = \"3600\");"),
        None
    );
    assert_eq!(
        first("BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"Type\" = \"full\");"),
        detail("Unknown backup job properties: [Type]")
    );
}

#[test]
fn timeout_arithmetic_wraps_like_java() {
    assert_eq!(
        first(
            "BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"timeout\" = \"9223372036854775807\");"
        ),
        detail("timeout must be at least 10 min")
    );
    assert_eq!(
        first("BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"timeout\" = \"+600\");"),
        None
    );
    assert_eq!(
        first(
            "BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"timeout\" = \"9223372036854775808\");"
        ),
        detail("Invalid timeout format: 9223372036854775808")
    );
}

#[test]
fn missing_timestamp_comes_before_unknown_properties() {
    assert_eq!(
        first("RESTORE SNAPSHOT d.s FROM r PROPERTIES (\"foo\" = \"1\");"),
        detail("Missing backup_timestamp property")
    );
    assert_eq!(
        first("RESTORE SNAPSHOT d.s FROM r PROPERTIES (\"backup_timestamp\" = \"t\", \"foo\" = \"1\");"),
        detail("Unknown restore job properties: [foo]")
    );
}

#[test]
fn positions_are_relative_to_the_statement_and_span_qualified_names() {
    let sql = "SHOW BACKUP;\nBACKUP DATABASE d SNAPSHOT s TO r\n  ON (TABLE t0, TABLE d.t0);";
    let parsed = parse(sql, Dialect::StarRocks3_4);
    let ps = &parsed.statements[1];
    let diags = analyze_static(
        ps.statement.as_ref().expect("parses"),
        ps.span,
        sql,
        Dialect::StarRocks3_4,
    );
    assert_eq!(
        starrocks_error(&diags).map(|e| e.message.as_str()),
        Some("Getting analyzing error from line 2, column 22 to line 2, column 24. Detail message: Duplicated table: t0.")
    );
}

#[test]
fn restore_aliases_may_not_repeat_table_names() {
    let msg =
        first("RESTORE SNAPSHOT d.s FROM r ON (t AS t) PROPERTIES (\"backup_timestamp\" = \"x\");")
            .expect("an error");
    assert!(
        msg.ends_with("Detail message: Duplicated alias name: t."),
        "{msg}"
    );
}

struct Fixture;

impl Catalog for Fixture {
    fn current_database(&self) -> Option<&str> {
        Some("cur")
    }
    fn database_exists(&self, name: &str) -> Option<bool> {
        Some(name == "cur")
    }
    fn repository_exists(&self, name: &str) -> Option<bool> {
        Some(name == "repo")
    }
    fn table_exists(&self, _db: &str, table: &str) -> Option<bool> {
        Some(table == "t")
    }
}

#[test]
fn catalog_checks_run_in_starrocks_order() {
    let f = |sql: &str| first_error(sql, Dialect::StarRocks3_4, &Fixture);
    // Name format before existence.
    assert_eq!(
        f("BACKUP SNAPSHOT `1x`.s TO nope;"),
        detail("Incorrect database name '1x'")
    );
    assert_eq!(
        f("BACKUP SNAPSHOT other.s TO nope;"),
        detail("Unknown database 'other'")
    );
    // The current database is used when none is named.
    assert_eq!(
        f("BACKUP SNAPSHOT s TO nope;"),
        detail("Repository [nope] does not exist")
    );
    assert_eq!(
        f("BACKUP SNAPSHOT s TO repo ON (u);"),
        detail("Incorrect table name 'u'")
    );
    assert_eq!(f("BACKUP SNAPSHOT s TO repo ON (t);"), None);
    // RESTORE checks no catalog state.
    assert_eq!(
        f("RESTORE SNAPSHOT other.s FROM nope PROPERTIES (\"backup_timestamp\" = \"x\");"),
        None
    );
    assert_eq!(
        f("DROP REPOSITORY nope;"),
        detail("Repository does not exist")
    );
    assert_eq!(
        f("SHOW BACKUP FROM other;"),
        detail("Unknown database 'other'")
    );
}

#[test]
fn ttl_is_checked_on_4_2_only() {
    let sql = "BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"ttl\" = \"12 hours\");";
    assert_eq!(first_error(sql, Dialect::StarRocks4_2, &NoCatalog), None);
    assert_eq!(first(sql), detail("Unknown backup job properties: [ttl]"));
    let bad = "BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"ttl\" = \"-1 DAY\");";
    assert_eq!(
        first_error(bad, Dialect::StarRocks4_2, &NoCatalog),
        detail("ttl must be a positive duration, but got: -1 DAY")
    );
}

#[test]
fn last_token_of_spans() {
    let src = "x a.`b``c` (p1) 'q' ident";
    assert_eq!(last_token_start(src, Span::new(2, 10)), 4);
    assert_eq!(last_token_start(src, Span::new(11, 15)), 14);
    assert_eq!(last_token_start(src, Span::new(16, 19)), 16);
    assert_eq!(last_token_start(src, Span::new(20, 25)), 20);
    assert_eq!(last_token_start(src, Span::new(0, 0)), 0);
    assert_eq!(last_token_start(src, Span::new(40, 50)), 40);
}
