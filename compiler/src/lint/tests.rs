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
    made_of(WORDS, " ", 60)
}

/// Up to `n` of `parts`, joined with `sep`.
fn made_of(
    parts: &'static [&'static str],
    sep: &'static str,
    n: usize,
) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    proptest::collection::vec(proptest::sample::select(parts), 0..n).prop_map(move |p| p.join(sep))
}

/// `text` as two files (`a.sql`, `b.sql`): the cross-file rule sees each label twice.
fn twice(text: &str) -> [SourceFile<'_>; 2] {
    [
        SourceFile {
            path: "a.sql",
            text,
        },
        SourceFile {
            path: "b.sql",
            text,
        },
    ]
}

/// The findings of `text` streamed a batch per statement, and sorted once at the end of the
/// file: the same list (the driver's watermark holds), and the stream is in order.
fn stream_matches_whole(text: &str) {
    let files = twice(text);
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

#[path = "../../benches/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

/// Every statement's findings (the cross-file rule's resolved) and watermark, in order, for
/// `files` linted in the pieces `cuts` proposes, `threads` at a time.
fn records(
    files: &[SourceFile<'_>],
    threads: usize,
    cuts: &dyn Fn(&str) -> Vec<usize>,
) -> Vec<(usize, Vec<Diagnostic>, usize)> {
    let mut labels = duplicate_label::Labels::default();
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        check_file(
            f,
            Dialect::StarRocks3_4,
            &cuts(f.text),
            threads,
            None,
            &mut |found| {
                let (diags, watermark) = with_label(i, f.path, &mut labels, found);
                out.push((i, diags, watermark));
            },
        );
    }
    out
}

/// `text` (twice, as two files: labels cross them) cut at `at` (offsets, any, sorted here)
/// gives exactly what it gives whole, statement by statement.
fn pieces_match_whole(text: &str, at: &[usize]) {
    let files = twice(text);
    let whole = records(&files, 1, &|t| vec![0, t.len()]);
    let cuts = |t: &str| {
        let mut cuts = vec![0];
        let mut inner: Vec<usize> = at
            .iter()
            .copied()
            .filter(|&a| 0 < a && a < t.len() && t.is_char_boundary(a))
            .collect();
        inner.sort_unstable();
        inner.dedup();
        cuts.extend(inner);
        cuts.push(t.len());
        cuts
    };
    for threads in [2, 3] {
        assert_eq!(whole, records(&files, threads, &cuts), "cut at {at:?}");
    }
}

/// Batches of `lint_each_split`: (file, findings) in call order.
fn split_batches(
    files: &[SourceFile<'_>],
    release: usize,
    split: Split,
) -> Vec<(usize, Vec<Diagnostic>)> {
    let mut out = Vec::new();
    let opts = LintOptions::new(Dialect::StarRocks3_4);
    lint_each_split(files, &opts, release, split, &mut |file, ds| {
        out.push((file, ds))
    });
    out
}

const WHOLE: Split = Split {
    threads: 1,
    min_bytes: 0,
    piece_bytes: usize::MAX,
};

#[test]
fn a_large_file_cut_in_pieces_gives_the_same_batches() {
    let text = corpus::generate(300_000, true);
    let files = twice(&text);
    for release in [1, RELEASE] {
        let whole = split_batches(&files, release, WHOLE);
        assert!(whole.len() > 2);
        for (threads, piece_bytes, pieces) in [(2, 1 << 20, 2), (3, 1 << 20, 3), (2, 10_000, 31)] {
            let split = Split {
                threads,
                min_bytes: 0,
                piece_bytes,
            };
            // The guessed cuts of this corpus all hold: the work is really shared.
            let cuts = split.cuts(&text);
            assert_eq!(cuts.len(), pieces + 1);
            for w in cuts.windows(2) {
                assert_eq!(
                    check_range(
                        &text,
                        Dialect::StarRocks3_4,
                        w[0],
                        w[1],
                        None,
                        &mut |_| false,
                        &mut |_| {}
                    ),
                    w[1]
                );
            }
            assert_eq!(
                split_batches(&files, release, split),
                whole,
                "{pieces} pieces on {threads} threads"
            );
        }
    }
    // Small files are not cut.
    assert_eq!(Split::machine().cuts(&text), [0, text.len()]);
    // Cuts only after `;` and a line feed, found once each.
    let split = Split {
        threads: 4,
        min_bytes: 0,
        piece_bytes: 4,
    };
    assert_eq!(split.cuts("SHOW BACKUP; SHOW BACKUP;"), [0, 25]);
    assert_eq!(split.cuts("a;\nb;\n\u{e9};\n\u{e9}"), [0, 5, 9, 12]);
    // A share ending inside a character looks on from the character's end.
    let two = Split {
        threads: 2,
        ..split
    };
    assert_eq!(two.cuts("\u{e9}\u{e9};\nx"), [0, 5, 7]);
}

#[test]
fn pieces_give_the_same_findings_at_every_cut() {
    let text = "BACKUP DATABASE d SNAPSHOT l TO r;\nSELECT ';' FROM `t;x` -- ;\n;\n\
        /* ; */ BACKUP SNAPSHOT d.l TO r;\r\nRESTORE SNAPSHOT d.l FROM r ON (t);\n\
        SHOW BACKUP 'x\\';y';;BACKUP DATABASE d SNAPSHOT l TO r ON (TABLE é中);\n\
        ALTER TABLE t RENAME TO u;BACKUP DATABASE d SNAPSHOT;\u{3000}x; \u{3000}y;\n\
        BACKUP DATABASE d SNAPSHOT late TO r;\n\nBACKUP DATABASE e SNAPSHOT late TO r;\n\
        BACKUP DATABASE d SNAPSHOT l TO r; 'open ; string\n";
    for a in 0..=text.len() {
        pieces_match_whole(text, &[a]);
        pieces_match_whole(text, &[a, a + 7, a + 31]);
    }
    // A comment over many pieces, then statements again.
    let long = format!(
        "SHOW BACKUP;\n/* {}*/ SHOW BACKUP;\n{}",
        "x;\n".repeat(40),
        "DROP REPOSITORY r;\n".repeat(5)
    );
    pieces_match_whole(&long, &(1..long.len()).step_by(3).collect::<Vec<_>>());
    pieces_match_whole(&long[..100], &(1..100).step_by(3).collect::<Vec<_>>());
    for tail in ["/* never closed ;\n;", "`open;\n;", "-- last ;", "\"x;"] {
        let t = format!("{text}{tail}");
        for a in 0..=t.len() {
            pieces_match_whole(&t, &[a, t.len() - 2]);
        }
    }
}

/// Adversarial pieces of statements: `;` inside strings, quoted names and comments,
/// unterminated ones, backslash escapes, CRLF, multibyte text, duplicate labels, syntax
/// errors.
const TRICKY: &[&str] = &[
    ";",
    ";\n",
    ";\r\n",
    "BACKUP DATABASE d SNAPSHOT l TO r",
    "BACKUP SNAPSHOT d.l TO r ON (t)",
    "RESTORE SNAPSHOT d.l FROM r",
    "SHOW SNAPSHOT ON r WHERE SNAPSHOT = ';'",
    "SELECT ';', \";\", `;` FROM t",
    "'a\\';b'",
    "\"\\\\\"",
    "'",
    "\"",
    "`",
    "`a``;b`",
    "-- c ; d\n",
    "-- starsnap\n",
    "/* ; */",
    "/*",
    "*/",
    "#;",
    "\r\n",
    "\n",
    " ",
    "é",
    "中文",
    "\u{3000}",
    "ALTER TABLE t RENAME TO u",
    "BACKUP DATABASE",
    "PROPERTIES (\"timeout\" = \"1\")",
    ".5",
    "1e",
    "<=",
];

proptest::proptest! {
    #[test]
    fn pieces_match_whole_on_tricky_text(
        text in made_of(TRICKY, "", 40),
        at in proptest::collection::vec(0usize..400, 1..5),
    ) {
        pieces_match_whole(&text, &at);
    }

    #[test]
    fn pieces_match_whole_on_token_soup(s in soup(), a in 0usize..300, b in 0usize..300) {
        pieces_match_whole(&s, &[a, b]);
    }
}
