//! Parser unit tests: StarRocks's error texts for the spec's examples (§1.2, §1.5, §1.3),
//! recovery, malformed input, dialect checks and meaning-based equality.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::syntax::ast::*;
use crate::syntax::{codes, to_3_4_syntax};

fn p34(src: &str) -> Parse {
    parse(src, Dialect::StarRocks3_4)
}

/// The StarRocks message of the only error diagnostic.
fn sr(src: &str) -> String {
    sr_for(src, Dialect::StarRocks3_4)
}

fn sr_for(src: &str, dialect: Dialect) -> String {
    let p = parse(src, dialect);
    let errs: Vec<_> = p
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errs.len(), 1, "{src}: {errs:#?}");
    errs[0].starrocks.as_ref().unwrap().message.clone()
}

fn one(src: &str) -> Statement {
    let p = p34(src);
    assert!(!p.has_errors(), "{src}: {:#?}", p.diagnostics);
    assert_eq!(p.statements.len(), 1);
    p.statements[0].statement.clone().unwrap()
}

#[test]
fn spec_syntax_error_examples() {
    let cases = [
        (
            "BACKUP DATABASE d SNAPSHOT s TO r ON (VIEW v PARTITION (p1))",
            "Getting syntax error at line 1, column 45. Detail message: Unexpected input 'PARTITION', the most similar input is {',', ')'}.",
        ),
        (
            "CREATE REPOSITORY r WITH S3 ON LOCATION 's3://b'",
            "Getting syntax error at line 1, column 25. Detail message: Unexpected input 'S3', the most similar input is {'BROKER'}.",
        ),
        (
            "CREATE REPOSITORY r ON LOCATION 's3://b'",
            "Getting syntax error at line 1, column 20. Detail message: Unexpected input 'ON', the most similar input is {'WITH'}.",
        ),
        (
            "BACKUP EXTERNAL CATALOG c SNAPSHOT s TO r",
            "Getting syntax error at line 1, column 24. Detail message: Unexpected input 'c', the most similar input is {'('}.",
        ),
        (
            "BACKUP ALL EXTERNAL CATALOG SNAPSHOT s TO r",
            "Getting syntax error at line 1, column 20. Detail message: Unexpected input 'CATALOG', the most similar input is {'CATALOGS'}.",
        ),
        (
            "DROP SNAPSHOT s ON r",
            "Getting syntax error at line 1, column 5. Detail message: No viable statement for input 'DROP SNAPSHOT'.",
        ),
        (
            "ALTER TABLE t RENAME TO t3",
            "Getting syntax error at line 1, column 21. Detail message: No viable statement for input 'RENAME TO'.",
        ),
        (
            "ALTER TABLE t SWAP WITH db.t2",
            "Getting syntax error at line 1, column 26. Detail message: Unexpected input '.', the most similar input is {<EOF>, ';'}.",
        ),
        (
            "BACKUP SNAPSHOT a.b.c TO r",
            "Getting syntax error from line 1, column 16 to line 1, column 20. Detail message: Invalid table name format 'a.b.c'.",
        ),
        (
            "BACKUP EXTERNAL CATALOG (a AS b) SNAPSHOT s TO r",
            "Getting syntax error at line 1, column 27. Detail message: Unexpected input 'AS', the most similar input is {',', ')'}.",
        ),
        (
            "BACKUP SNAPSHOT d.s TO r PROPERTIES (type = \"full\")",
            "Getting syntax error at line 1, column 37. Detail message: Unexpected input 'type', the most similar input is {SINGLE_QUOTED_TEXT, DOUBLE_QUOTED_TEXT}.",
        ),
        (
            "BACKUP SNAPSHOT d.s TO r ON (table)",
            "Getting syntax error at line 1, column 34. Detail message: Unexpected input ')', the most similar input is {a legal identifier}.",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(sr(src), want, "{src}");
    }
}

#[test]
fn ast_builder_rules_in_order() {
    let plain = |d: &str| format!("Getting syntax error. Detail message: {d}.");
    assert_eq!(
        sr("BACKUP SNAPSHOT d.s TO r ON (d.c.x.t)"),
        plain("Invalid table name format 'd.c.x.t'")
    );
    // Rule 7 before rule 8.
    assert_eq!(
        sr("RESTORE SNAPSHOT s FROM r EXTERNAL CATALOG (c) ON (t)"),
        plain("`ON` clause is forbidden if no Database explicitly specified in Restore stmt")
    );
    // Rule 5 reports the first offending item.
    let p = p34("BACKUP SNAPSHOT d.s TO r ON (t1, t2 PARTITION (p) AS a, v AS b)");
    assert_eq!(p.diagnostics.len(), 1);
    assert_eq!(p.diagnostics[0].code, codes::ALIAS_IN_BACKUP);
    assert_eq!(
        &"BACKUP SNAPSHOT d.s TO r ON (t1, t2 PARTITION (p) AS a, v AS b)"
            [p.diagnostics[0].span.start..p.diagnostics[0].span.end],
        "a"
    );
    assert_eq!(
        sr("CANCEL RESTORE"),
        plain("No selected database for cancel BACKUP/RESTORE")
    );
    // Statements with only an AstBuilder error are still returned.
    assert!(p.statements[0].statement.is_some());
}

#[test]
fn keywords_are_case_insensitive_and_legal_as_names() {
    assert_eq!(
        one("backup snapshot snapshot to repository"),
        one("BACKUP  SNAPSHOT `snapshot`\n TO `repository`")
    );
    assert_eq!(
        sr("BACKUP SNAPSHOT d.s TO r ON (TABLE)"),
        "Getting syntax error at line 1, column 34. Detail message: Unexpected input ')', the most similar input is {a legal identifier}."
    );
    let Statement::Backup(b) = one("BACKUP SNAPSHOT d.s TO r ON (`table`, views, tables t)") else {
        panic!()
    };
    let on = b.on.unwrap();
    assert_eq!(on.items[0].kind(), ObjectKind::Table);
    let ObjectItem::Named(views) = &on.items[1] else {
        panic!()
    };
    assert_eq!(views.name.parts[0].value, "views");
    assert_eq!(views.keyword, ObjectKeyword::Bare);
    let ObjectItem::Named(t) = &on.items[2] else {
        panic!()
    };
    assert_eq!(
        (t.keyword, t.name.parts[0].value.as_str()),
        (ObjectKeyword::Plural, "t")
    );
}

#[test]
fn legacy_and_3_4_backup_are_equal_but_restore_is_not() {
    assert_eq!(
        one("BACKUP SNAPSHOT db.l TO r ON (t PARTITION p1)"),
        one("BACKUP DATABASE db SNAPSHOT l TO r ON (TABLES t PARTITIONS (p1))")
    );
    assert_eq!(
        one("BACKUP SNAPSHOT db.l TO r ON (t)").to_string(),
        "BACKUP DATABASE db SNAPSHOT l TO r ON (TABLE t)"
    );
    let legacy =
        one("RESTORE SNAPSHOT db.l FROM r ON (TABLE t AS u) PROPERTIES ('backup_timestamp' = 'x')");
    assert_eq!(
        legacy.to_string(),
        "RESTORE SNAPSHOT db.l FROM r ON (t AS u) PROPERTIES (\"backup_timestamp\" = \"x\")"
    );
    assert_ne!(
        legacy,
        one("RESTORE SNAPSHOT l FROM r DATABASE db ON (TABLE t AS u) PROPERTIES ('backup_timestamp' = 'x')")
    );
    assert_eq!(to_3_4_syntax(&legacy), None);
    let rewrite = to_3_4_syntax(&one("BACKUP SNAPSHOT db.l TO r ON (t)")).unwrap();
    assert_eq!(
        rewrite.to_string(),
        "BACKUP DATABASE db SNAPSHOT l TO r ON (TABLE t)"
    );
    let Statement::Backup(b) = &rewrite else {
        panic!()
    };
    assert_eq!(b.syntax(), SnapshotSyntax::V3_4);
    assert_eq!(to_3_4_syntax(&rewrite), None);
}

#[test]
fn recovery_reports_each_statement_once() {
    let src =
        "BACKUP SNAPSHOT TO r;\nSHOW BACKUP;\nRESTORE SNAPSHOT . FROM r;\nSELECT 1; -- done\n";
    let p = p34(src);
    assert_eq!(p.statements.len(), 4);
    assert_eq!(p.diagnostics.len(), 2);
    assert!(p.statements[0].statement.is_none());
    assert!(matches!(
        p.statements[1].statement,
        Some(Statement::ShowJobs(_))
    ));
    assert!(matches!(
        p.statements[3].statement,
        Some(Statement::Other { .. })
    ));
    assert_eq!(p.trailing_comments.len(), 1);
    // Positions count from the start of each statement's own text.
    assert_eq!(
        p.diagnostics[1].starrocks.as_ref().unwrap().message,
        "Getting syntax error at line 1, column 17. Detail message: Unexpected input '.', the most similar input is {a legal identifier}."
    );
}

#[test]
fn positions_use_lines_and_character_columns_of_the_statement() {
    let src = "-- lead\nSHOW BACKUP;\n  CREATE REPOSITORY `é`\n WITH BROKER\nON LOCATION 'x' PROPERTIES (\n);";
    let p = p34(src);
    assert_eq!(p.statements[1].leading_comments.len(), 0);
    assert_eq!(p.statements[0].leading_comments[0].text, "-- lead");
    assert_eq!(p.statements[0].text(src), "SHOW BACKUP");
    assert_eq!(
        p.diagnostics[0].starrocks.as_ref().unwrap().message,
        "Getting syntax error at line 4, column 0. Detail message: Unexpected input ')', the most similar input is {SINGLE_QUOTED_TEXT, DOUBLE_QUOTED_TEXT}."
    );
}

#[test]
fn malformed_input_never_panics() {
    for src in [
        "",
        ";",
        ";;;",
        "-- only a comment",
        "/* c */ -- d",
        "'unterminated",
        "`unterminated",
        "/* unterminated",
        "BACKUP",
        "BACKUP SNAPSHOT",
        "SHOW SNAPSHOT ON r WHERE (((",
        "SHOW RESTORE WHERE ))",
        "\u{0}\u{1}",
        "ALTER",
        "ALTER TABLE",
        "SHOW PARTITIONS FROM t LIMIT 99999999999999999999999",
        "CREATE READ ONLY",
        "BACKUP SNAPSHOT d.l TO r ON (t PARTITION (k = ))",
    ] {
        let _ = p34(src);
    }
    let p = p34("");
    assert!(p.statements.is_empty() && p.diagnostics.is_empty());
    let p = p34("SHOW /* a */ BACKUP -- b\n; -- c\n# ; SHOW # BACKUP; /* d");
    let codes: Vec<_> = p.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            codes::UNKNOWN_CHARACTER,
            codes::UNKNOWN_CHARACTER,
            codes::UNTERMINATED_COMMENT
        ]
    );
    assert_eq!(p.statements[0].inner_comments.len(), 2);
    assert_eq!(p.statements[1].leading_comments[0].text, "-- c");
    let p = p34("-- only\n/* comments */");
    assert!(p.statements.is_empty() && p.diagnostics.is_empty());
    assert_eq!(p.trailing_comments.len(), 2);
    for (src, code) in [
        ("SHOW BACKUP FROM 'db", codes::UNTERMINATED_STRING),
        ("SHOW BACKUP FROM `db", codes::UNTERMINATED_QUOTED_IDENT),
        ("SHOW BACKUP /* x", codes::UNTERMINATED_COMMENT),
        ("SHOW BACKUP FROM db # #", codes::UNKNOWN_CHARACTER),
    ] {
        let p = p34(src);
        assert_eq!(p.diagnostics.len(), 1, "{src}");
        assert_eq!(p.diagnostics[0].code, code);
        assert!(p.statements[0].statement.is_none());
    }
}

#[test]
fn deep_nesting_is_iterative() {
    let deep = format!(
        "SHOW RESTORE WHERE {}1{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let p = p34(&deep);
    assert!(!p.has_errors());
    let other = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(matches!(
        p34(&other).statements[0].statement,
        Some(Statement::Other { .. })
    ));
    let unbalanced = format!("SHOW RESTORE WHERE {}1", "(".repeat(10_000));
    assert!(p34(&unbalanced).has_errors());
}

#[test]
fn invalid_utf8_is_reported_with_offset() {
    let p = parse_bytes(b"SHOW BACKUP;\nSHOW \xff RESTORE", Dialect::StarRocks3_4);
    let d = p
        .diagnostics
        .iter()
        .find(|d| d.code == codes::INVALID_UTF8)
        .unwrap();
    assert_eq!(d.span.start, 18);
    assert!(matches!(
        p.statements[0].statement,
        Some(Statement::ShowJobs(_))
    ));
    // The statement cut short by the bad byte gets no syntax error of its own.
    let p = parse_bytes(b"SHOW BACKUP; BACKUP SNAPSHOT \xc3", Dialect::StarRocks3_4);
    assert_eq!(p.diagnostics.len(), 1);
    assert!(p.statements[1].statement.is_none());
}

#[test]
fn show_snapshot_filter_shapes() {
    let filter = |src: &str| match one(src) {
        Statement::ShowSnapshot(s) => s.filter.unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(
        matches!(filter("SHOW SNAPSHOT ON r WHERE SNAPSHOT = 'a'"), SnapshotFilter::Equals(v) if v.len() == 1)
    );
    assert!(matches!(
        filter("SHOW SNAPSHOT ON r WHERE timestamp = 't' and Snapshot = \"a\""),
        SnapshotFilter::Equals(v) if v[0].column == SnapshotColumn::Timestamp && v[1].value.value == "a"
    ));
    assert!(
        matches!(filter("SHOW SNAPSHOT ON r WHERE SNAPSHOT IN ('a', 'b')"), SnapshotFilter::In(v) if v.len() == 2)
    );
    assert!(matches!(
        filter("SHOW SNAPSHOT ON r WHERE 1 = 1"),
        SnapshotFilter::Raw(_)
    ));
    assert!(matches!(
        filter("SHOW SNAPSHOT ON r WHERE SNAPSHOT = 1"),
        SnapshotFilter::Raw(_)
    ));
}

#[test]
fn other_family_statements() {
    assert!(
        matches!(one("ALTER MATERIALIZED VIEW db.mv INACTIVE"), Statement::Alter(a) if a.action == AlterAction::Inactive)
    );
    assert!(matches!(
        one("ALTER TABLE t RENAME COLUMN a b"),
        Statement::Other { .. }
    ));
    assert!(matches!(
        one("ALTER TABLE t SWAP WITH t2, RENAME t3"),
        Statement::Other { .. }
    ));
    assert!(
        matches!(one("SHOW TEMPORARY PARTITIONS FROM db.t WHERE PartitionName LIKE 'p%' ORDER BY PartitionId LIMIT 10, 5"),
        Statement::ShowPartitions(s) if s.temporary && s.filters.limit.as_ref().map(|l| (l.count, l.offset)) == Some((5, Some(10))))
    );
    assert!(
        matches!(one("CREATE REPOSITORY r WITH BROKER 'b' ON LOCATION 'l'"), Statement::CreateRepository(c) if c.broker.as_ref().map(|b| b.value.as_str()) == Some("b"))
    );
    let Statement::Backup(b) = one("BACKUP SNAPSHOT d.l TO r ON (t PARTITION (dt = '2024-01-01'))")
    else {
        panic!()
    };
    let ObjectItem::Named(n) = &b.on.unwrap().items[0] else {
        panic!()
    };
    assert!(
        matches!(&n.partitions.as_ref().unwrap().names, PartitionNames::Keys(k) if k[0].value.text == "'2024-01-01'")
    );
}

#[test]
fn dialect_diagnostics() {
    let d = |src: &str, dialect| -> Vec<String> {
        parse(src, dialect)
            .diagnostics
            .iter()
            .map(|d| d.code.clone())
            .collect()
    };
    assert_eq!(
        d("DROP SNAPSHOT s ON r FORCE", Dialect::StarRocks4_2),
        Vec::<String>::new()
    );
    assert_eq!(
        d("DROP SNAPSHOT s ON r", Dialect::StarRocks4_1),
        [codes::DROP_SNAPSHOT_BEFORE_4_2]
    );
    assert_eq!(
        sr_for("DROP SNAPSHOT s ON r", Dialect::StarRocks3_4),
        "Getting syntax error at line 1, column 5. Detail message: No viable statement for input 'DROP SNAPSHOT'."
    );
    let ttl = "BACKUP SNAPSHOT d.l TO r PROPERTIES (\"ttl\" = \"7 DAY\")";
    assert_eq!(d(ttl, Dialect::StarRocks4_2), Vec::<String>::new());
    assert_eq!(d(ttl, Dialect::StarRocks3_4), [codes::TTL_BEFORE_4_2]);
    assert_eq!(
        sr_for("BACKUP DATABASE d SNAPSHOT l TO r", Dialect::StarRocks3_3),
        "Getting syntax error at line 1, column 7. Detail message: Unexpected input 'DATABASE', the most similar input is {'SNAPSHOT'}."
    );
    assert_eq!(
        d("BACKUP SNAPSHOT d.l TO r ON (t)", Dialect::StarRocks3_3),
        Vec::<String>::new()
    );
    assert_eq!(
        d(
            "BACKUP SNAPSHOT d.l TO r ON (VIEW v)",
            Dialect::StarRocks3_3
        ),
        [codes::NOT_IN_3_3]
    );
    assert_eq!(
        d(
            "RESTORE SNAPSHOT l FROM r DATABASE d",
            Dialect::StarRocks3_3
        ),
        [codes::NOT_IN_3_3]
    );
    assert_eq!(
        d("CANCEL BACKUP FOR EXTERNAL CATALOG", Dialect::StarRocks3_3),
        [codes::NOT_IN_3_3]
    );
    assert_eq!(
        sr_for("SHOW BACKUP WHERE x = 1", Dialect::StarRocks3_4),
        "Getting syntax error at line 1, column 12. Detail message: Unexpected input 'WHERE', the most similar input is {<EOF>, ';'}."
    );
    assert_eq!(
        d("SHOW BACKUP WHERE x = 1 LIMIT 3", Dialect::StarRocks4_1),
        Vec::<String>::new()
    );
    assert_eq!(
        d("SHOW RESTORE WHERE x = 1", Dialect::StarRocks3_3),
        Vec::<String>::new()
    );
    assert_eq!(
        d(
            "SHOW SNAPSHOT ON r ORDER BY Snapshot",
            Dialect::StarRocks4_0
        ),
        [codes::SHOW_FILTER_BEFORE_4_1]
    );
    assert_eq!(
        d("SHOW REPOSITORIES LIMIT 1", Dialect::StarRocks3_5),
        [codes::SHOW_FILTER_BEFORE_4_1]
    );
}

#[test]
fn pretty_printing() {
    let stmt = one("backup snapshot db.l to r on (t partition (p1, p2), view v) properties ('type'='full', 'timeout'='3600')");
    assert_eq!(
        format!("{stmt:#}"),
        "BACKUP DATABASE db SNAPSHOT l\nTO r\nON (\n    TABLE t PARTITION (p1, p2),\n    VIEW v\n)\nPROPERTIES (\n    \"type\" = \"full\",\n    \"timeout\" = \"3600\"\n)"
    );
    assert_eq!(
        stmt.to_string(),
        "BACKUP DATABASE db SNAPSHOT l TO r ON (TABLE t PARTITION (p1, p2), VIEW v) PROPERTIES (\"type\" = \"full\", \"timeout\" = \"3600\")"
    );
}

#[test]
fn no_viable_alternatives_inside_statements() {
    for (src, want) in [
        (
            "BACKUP SNAPSHOT d.s TO r ON (VIEW 123)",
            "Getting syntax error at line 1, column 34. Detail message: No viable statement for input 'VIEW 123'.",
        ),
        (
            "BACKUP SNAPSHOT d.s TO r ON (t PARTITION (p 1))",
            "Getting syntax error at line 1, column 44. Detail message: No viable statement for input 'PARTITION (p 1'.",
        ),
        (
            "BACKUP SNAPSHOT d.s TO r ON (t PARTITION ())",
            "Getting syntax error at line 1, column 42. Detail message: No viable statement for input 'PARTITION ()'.",
        ),
        (
            "BACKUP SNAPSHOT d.s TO r ON (t PARTITIONS (p 1))",
            "Getting syntax error at line 1, column 45. Detail message: Unexpected input '1', the most similar input is {',', ')'}.",
        ),
        (
            "ALTER TABLE t SWAP t2",
            "Getting syntax error at line 1, column 19. Detail message: Unexpected input 't2', the most similar input is {'WITH'}.",
        ),
    ] {
        assert_eq!(sr(src), want, "{src}");
    }
    // A non-reserved kind keyword is a bare table name when no object name follows.
    for src in [
        "BACKUP SNAPSHOT d.s TO r ON (views PARTITIONS (p))",
        "BACKUP SNAPSHOT d.s TO r ON (view TEMPORARY PARTITION p, tables.x, functions)",
    ] {
        let Statement::Backup(b) = one(src) else {
            panic!()
        };
        assert!(
            b.on.unwrap()
                .items
                .iter()
                .all(|i| matches!(i, ObjectItem::Named(n) if n.keyword == ObjectKeyword::Bare)),
            "{src}"
        );
    }
}

/// Regression: an `Other` statement ending in U+3000 (a LETTER in StarRocks, so part of the
/// last word) was printed trimmed, which changed the word.
#[test]
fn regression_other_text_ending_in_ideographic_space_prints_unchanged() {
    let stmt = one("SELECT x\u{3000}");
    assert_eq!(stmt.to_string(), "SELECT x\u{3000}");
    assert_eq!(one(&stmt.to_string()), stmt);
}

#[test]
fn properties_compare_as_starrocks_reads_them() {
    assert_eq!(
        one("BACKUP SNAPSHOT d.l TO r PROPERTIES ('type' = 'x', ' timeout' = '700', 'type' = 'full')"),
        one("BACKUP SNAPSHOT d.l TO r PROPERTIES ('timeout' = '700', 'type' = 'full')")
    );
    assert_ne!(
        one("BACKUP SNAPSHOT d.l TO r PROPERTIES ('type' = 'full')"),
        one("BACKUP SNAPSHOT d.l TO r PROPERTIES ('type' = 'full ')")
    );
}
