//! Driver tests: suppressions, overrides, cross-file rules, bad input.

use super::*;

fn codes(fl: &FileLint) -> Vec<&str> {
    fl.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn lint34(text: &str) -> FileLint {
    lint_source("t.sql", text, &LintOptions::new(Dialect::StarRocks3_4))
}

#[test]
fn statement_suppression_with_reason_silences_the_code() {
    let fl = lint34("-- starsnap:ignore L011 -- retired\nDROP REPOSITORY r;\n");
    assert!(codes(&fl).is_empty(), "{:?}", fl.diagnostics);
}

#[test]
fn block_comment_suppression_and_rule_names_work() {
    let fl = lint34("/* starsnap:ignore drop-repository -- retired */\nDROP REPOSITORY r;\n");
    assert!(codes(&fl).is_empty(), "{:?}", fl.diagnostics);
}

#[test]
fn suppression_without_reason_warns_but_applies() {
    let fl = lint34("-- starsnap:ignore L011\nDROP REPOSITORY r;\n");
    assert_eq!(codes(&fl), ["L100"]);
}

#[test]
fn unused_and_unknown_suppressions_warn() {
    let fl = lint34("-- starsnap:ignore L011, L999 -- nothing here\nSHOW REPOSITORIES;\n");
    assert_eq!(codes(&fl), ["L101", "L102"]);
}

#[test]
fn suppression_after_a_statement_on_the_same_line_applies_to_nothing() {
    let fl = lint34("SHOW REPOSITORIES; -- starsnap:ignore L011 -- x\nDROP REPOSITORY r;\n");
    assert_eq!(codes(&fl), ["L101", "L011"]);
}

#[test]
fn file_suppression_applies_everywhere() {
    let fl = lint34(
        "DROP REPOSITORY a;\nDROP REPOSITORY b;\n-- starsnap:ignore-file L011 -- decommissioning\n",
    );
    assert!(codes(&fl).is_empty(), "{:?}", fl.diagnostics);
}

#[test]
fn syntax_errors_cannot_be_suppressed() {
    let fl = lint34("-- starsnap:ignore S001 -- no\nBACKUP SNAPSHOT TO;\n");
    assert!(codes(&fl).contains(&"L102"));
    assert!(fl
        .diagnostics
        .iter()
        .any(|d| d.code.starts_with('S') && d.severity == Severity::Error));
}

#[test]
fn overrides_change_or_drop_findings() {
    let mut opts = LintOptions::new(Dialect::StarRocks3_4);
    opts.set_level("L011", Level::Off).expect("known code");
    opts.set_level("cancel-in-file", Level::Severity(Severity::Error))
        .expect("known name");
    let fl = lint_source(
        "t.sql",
        "DROP REPOSITORY r;\nCANCEL BACKUP FROM d;\n",
        &opts,
    );
    assert_eq!(codes(&fl), ["L015"]);
    assert_eq!(fl.diagnostics[0].severity, Severity::Error);
    assert!(opts.set_level("S001", Level::Off).is_err());
    assert!(opts.set_level("L999", Level::Off).is_err());
    assert_eq!(
        Level::parse("warn"),
        Some(Level::Severity(Severity::Warning))
    );
    assert_eq!(Level::parse("off"), Some(Level::Off));
}

#[test]
fn duplicate_labels_across_files() {
    let a = "BACKUP DATABASE d SNAPSHOT nightly TO repo;\n";
    let b = "\n\nBACKUP DATABASE e SNAPSHOT nightly TO repo;\nBACKUP DATABASE e SNAPSHOT nightly TO other;\n";
    let out = lint(
        &[
            SourceFile {
                path: "a.sql",
                text: a,
            },
            SourceFile {
                path: "b.sql",
                text: b,
            },
        ],
        &LintOptions::new(Dialect::StarRocks3_4),
    );
    assert!(!codes(&out[0]).contains(&"L008"));
    let dup: Vec<&Diagnostic> = out[1]
        .diagnostics
        .iter()
        .filter(|d| d.code == "L008")
        .collect();
    assert_eq!(dup.len(), 1);
    assert!(dup[0].message.contains("a.sql:1:"));
    assert_eq!(&b[dup[0].span.start..dup[0].span.end], "nightly");
}

#[test]
fn duplicate_label_in_one_file_has_a_label_on_the_first() {
    let fl = lint34("BACKUP DATABASE d SNAPSHOT s TO r;\nBACKUP DATABASE d SNAPSHOT s TO r;\n");
    let d = fl
        .diagnostics
        .iter()
        .find(|d| d.code == "L008")
        .expect("L008");
    assert_eq!(d.labels.len(), 1);
}

#[test]
fn validation_runs_only_on_statements_that_parse() {
    let fl = lint34("BACKUP SNAPSHOT d.s TO r PROPERTIES (\"timeout\" = \"1\");\nBACKUP SNAPSHOT d.s2 TO r PROPERTIES (\"timeout\" = 1);\n");
    assert!(codes(&fl).contains(&"V010"));
    assert_eq!(codes(&fl).iter().filter(|c| c.starts_with('V')).count(), 1);
}

#[test]
fn other_statements_go_to_sqlparser() {
    let fl = lint34("USE sales;\nSELECT FROM WHERE;\nCREATE TABLE t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1;\n");
    assert_eq!(codes(&fl), ["S900", "S901"]);
}

#[test]
fn ttl_before_4_2_is_reported_once() {
    let fl = lint34("BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"ttl\" = \"7 DAY\");\n");
    assert_eq!(
        codes(&fl)
            .iter()
            .filter(|c| **c == "D003" || **c == "V011")
            .count(),
        1,
        "{:?}",
        fl.diagnostics
    );
    let fl42 = lint_source(
        "t.sql",
        "BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"ttl\" = \"0 DAY\");\n",
        &LintOptions::new(Dialect::StarRocks4_2),
    );
    assert!(codes(&fl42).contains(&"V027"));
}

#[test]
fn bad_bytes_give_findings() {
    let opts = LintOptions::new(Dialect::StarRocks3_4);
    let bin = lint_bytes("b.sql", b"SHOW\0BACKUP", &opts);
    assert_eq!(codes(&bin.lint), ["S902"]);
    assert_eq!(bin.text, "");
    let bad = lint_bytes("u.sql", b"DROP REPOSITORY r;\n\xff\xfe", &opts);
    assert!(codes(&bad.lint).contains(&"S007"));
    assert!(codes(&bad.lint).contains(&"L011"));
    assert_eq!(bad.text, "DROP REPOSITORY r;\n");
}

#[test]
fn findings_are_sorted_by_position() {
    let fl = lint34("CANCEL BACKUP FROM d;\nDROP REPOSITORY r;\n");
    let starts: Vec<usize> = fl.diagnostics.iter().map(|d| d.span.start).collect();
    let mut sorted = starts.clone();
    sorted.sort_unstable();
    assert_eq!(starts, sorted);
}

#[test]
fn hostile_input_gives_findings_not_panics() {
    let opts = LintOptions::new(Dialect::StarRocks3_4);
    let nested = format!("SELECT {}1{};", "(".repeat(10_000), ")".repeat(10_000));
    for text in [
        "BACKUP SNAPSHOT d.s TO r PROPERTIES ('a' = 'unterminated",
        "/* never closed",
        "RESTORE SNAPSHOT `x FROM r;",
        nested.as_str(),
        ";;;;",
        "",
        "-- starsnap:ignore-file",
    ] {
        let fl = lint_source("x.sql", text, &opts);
        for d in &fl.diagnostics {
            assert!(
                d.span.start <= d.span.end && d.span.end <= text.len(),
                "{d:?}"
            );
        }
    }
}

/// Snapshot-SQL-shaped token soup.
fn soup() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    const WORDS: &[&str] = &[
        "BACKUP",
        "RESTORE",
        "SNAPSHOT",
        "DATABASE",
        "TO",
        "FROM",
        "ON",
        "(",
        ")",
        ",",
        ";",
        "PROPERTIES",
        "\"timeout\"",
        "=",
        "\"600\"",
        "'x'",
        "`q`",
        "t",
        "d.s",
        "AS",
        "TABLE",
        "PARTITION",
        "ALL",
        "TABLES",
        "-- starsnap:ignore L005 -- r\n",
        "/* c */",
        "SHOW",
        "WHERE",
        "CREATE",
        "REPOSITORY",
        "WITH",
        "BROKER",
        "LOCATION",
        "DROP",
        "CANCEL",
        "\n",
        "SELECT",
        "1",
    ];
    proptest::collection::vec(0..WORDS.len(), 0..60).prop_map(|ix| {
        ix.into_iter()
            .map(|i| WORDS[i])
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// The findings of `text` streamed a batch per statement, and sorted once at the end of the
/// file: the same list (the driver's watermark holds), and the stream is in order.
fn stream_matches_whole(text: &str) {
    let files = [
        SourceFile {
            path: "a.sql",
            text,
        },
        SourceFile {
            path: "b.sql",
            text,
        },
    ];
    let opts = LintOptions::new(Dialect::StarRocks3_4);
    let mut streamed: Vec<Vec<Diagnostic>> = vec![Vec::new(); 2];
    let mut calls = 0;
    lint_each_by(&files, &opts, 1, &mut |file, mut chunk| {
        calls += 1;
        streamed[file].append(&mut chunk);
    });
    let mut whole: Vec<Vec<Diagnostic>> = vec![Vec::new(); 2];
    lint_each_by(&files, &opts, usize::MAX, &mut |file, mut chunk| {
        whole[file].append(&mut chunk);
    });
    for (s, w) in streamed.iter().zip(&whole) {
        assert_eq!(s, w, "streamed in {calls} batches");
        assert!(s.is_sorted_by_key(|d| (d.span.start, d.span.end, d.code.clone())));
    }
    let lints = lint(&files, &opts);
    assert_eq!(lints[0].diagnostics, whole[0]);
    assert_eq!(lints[1].diagnostics, whole[1]);
}

/// Regression: what the end of the input gives after the last statement (an unterminated
/// comment) is a finding too.
#[test]
fn an_unterminated_comment_after_the_last_statement_is_reported() {
    let fl = lint34("SHOW BACKUP;\n/* never closed");
    assert!(
        fl.diagnostics.iter().any(|d| d.severity == Severity::Error),
        "{:?}",
        fl.diagnostics
    );
    stream_matches_whole("SHOW BACKUP;\n/* never closed");
}

#[test]
fn streamed_findings_are_the_whole_files_findings_in_order() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata");
    let mut seen = 0;
    for dir in ["corpus", "sql/err", "sql/ok"] {
        let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "sql") {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                stream_matches_whole(&text);
                seen += 1;
            }
        }
    }
    assert!(seen >= 20, "the SQL files under testdata/");
}

proptest::proptest! {
    #[test]
    fn streamed_findings_match_on_token_soup(s in soup()) {
        stream_matches_whole(&s);
    }

    #[test]
    fn streamed_findings_match_on_random_text(s in "\\PC{0,300}") {
        stream_matches_whole(&s);
    }

    #[test]
    fn random_text_never_panics(s in "\\PC{0,300}") {
        let fl = lint_source("p.sql", &s, &LintOptions::new(Dialect::StarRocks3_4));
        for d in &fl.diagnostics {
            proptest::prop_assert!(d.span.end <= s.len());
        }
    }

    #[test]
    fn token_soup_never_panics(s in soup()) {
        for dialect in [Dialect::StarRocks3_3, Dialect::StarRocks3_4, Dialect::StarRocks4_2] {
            let fl = lint_source("p.sql", &s, &LintOptions::new(dialect));
            for d in &fl.diagnostics {
                proptest::prop_assert!(d.span.end <= s.len());
            }
        }
    }

    #[test]
    fn random_bytes_never_panic(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
        let _ = lint_bytes("b.sql", &b, &LintOptions::new(Dialect::StarRocks3_4));
    }
}

#[test]
fn rename_to_gets_a_precise_hint_and_a_bom_is_skipped() {
    let fl = lint34("ALTER TABLE sales.orders RENAME TO orders_old;\n");
    let d = fl
        .diagnostics
        .iter()
        .find(|d| d.code == "S002")
        .expect("S002");
    assert!(d.help.as_deref().unwrap_or("").contains("SWAP WITH"));
    let bom = lint_bytes(
        "b.sql",
        b"\xef\xbb\xbfSHOW BACKUP;\n",
        &LintOptions::new(Dialect::StarRocks3_4),
    );
    assert!(
        bom.lint.diagnostics.is_empty(),
        "{:?}",
        bom.lint.diagnostics
    );
    assert_eq!(bom.text, "SHOW BACKUP;\n");
}
