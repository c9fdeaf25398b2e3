//! Fuzzing at scale with proptest: random bytes and random long single lines through the
//! lexer and parser, the whole lint driver, `fmt`, and the policy reader. Nothing may panic,
//! and the work must stay proportional to the input (the findings are bounded by the input's
//! length, formatting is idempotent on what it produced).
//!
//! The number of cases per property comes from `STARSNAP_FUZZ_CASES` (default 64, what CI
//! runs); the total of inputs tried is printed (`cargo test --test fuzz -- --nocapture`), the
//! figure the README's reliability section quotes.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use starsnap_compiler::lint::{lint_bytes, LintOptions};
use starsnap_compiler::syntax::{keywords, parse_bytes, Dialect};
use starsnap_compiler::{fmt, policy};

static TRIED: AtomicUsize = AtomicUsize::new(0);

fn cases() -> u32 {
    std::env::var("STARSNAP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Pieces besides the grammar's keywords that reach deep into the lexer, parser and policy
/// reader: names, quotes of every kind, comments opened and not closed, TOML structure,
/// control characters, non-ASCII, numbers out of range.
const PIECES: &[&str] = &[
    "(",
    ")",
    ",",
    ";",
    " ",
    "=",
    "'",
    "\"",
    "`",
    "``",
    "\\",
    "--",
    "/*",
    "*/",
    "#",
    "\n",
    "\r",
    "\t",
    "\u{0}",
    "\u{1b}",
    "é",
    "中",
    "\u{202e}",
    "db.t",
    "s1",
    "repo",
    "\"type\" = \"full\"",
    "1",
    "-1",
    "99999999999999999999",
    "[",
    "]",
    "[[statement]]",
    "{",
    "}",
    "${",
    "include",
    "location",
    "[group.g]",
    "[repository.r]",
    "label",
    "-- starsnap:ignore",
];

fn pieces(max: usize) -> impl Strategy<Value = String> {
    let all: Vec<&'static str> = keywords::grammar_keywords()
        .chain(PIECES.iter().copied())
        .collect();
    prop::collection::vec(prop::sample::select(all), 0..max).prop_map(|v| v.concat())
}

/// One long line: pieces without line breaks, up to tens of kilobytes.
fn long_line() -> impl Strategy<Value = String> {
    (pieces(64), 1usize..400).prop_map(|(p, n)| p.replace(['\n', '\r'], " ").repeat(n))
}

fn check_sql(bytes: &[u8]) {
    TRIED.fetch_add(1, Ordering::Relaxed);
    for dialect in [Dialect::StarRocks3_3, Dialect::StarRocks3_4] {
        let parsed = parse_bytes(bytes, dialect);
        assert!(parsed.diagnostics.len() <= bytes.len() + 1);
    }
    let options = LintOptions::new(Dialect::StarRocks3_4);
    let linted = lint_bytes("fuzz.sql", bytes, &options);
    assert!(linted.lint.diagnostics.len() <= 4 * (bytes.len() + 1));
    for d in &linted.lint.diagnostics {
        assert!(
            d.span.start <= d.span.end && d.span.end <= linted.text.len() + 1,
            "{d:?}"
        );
    }
    for dialect in [Dialect::StarRocks3_3, Dialect::StarRocks3_4] {
        let once = fmt::format(linted.text, dialect);
        assert_eq!(fmt::format(&once.output, dialect).output, once.output);
    }
}

fn check_policy(text: &str) {
    let (_, findings) = policy::parse(text);
    assert!(findings.len() <= text.len() + 1);
}

/// Runs `check` on `cases()` inputs drawn from `strategy`; a failure is shrunk and reported.
fn run<S: Strategy>(strategy: S, check: impl Fn(S::Value)) {
    let mut runner = proptest::test_runner::TestRunner::new(config());
    if let Err(e) = runner.run(&strategy, |v| {
        check(v);
        Ok(())
    }) {
        panic!("{e}");
    }
}

/// One test, the three input shapes in turn, so that the figure printed at the end is the
/// number of inputs this run tried.
#[test]
fn lexer_parser_lint_fmt_and_policy_reader_never_panic() {
    run(prop::collection::vec(any::<u8>(), 0..4096), |bytes| {
        check_sql(&bytes);
        check_policy(&String::from_utf8_lossy(&bytes));
    });
    run(pieces(400), |text| {
        check_sql(text.as_bytes());
        check_policy(&text);
    });
    run(long_line(), |line| {
        check_sql(line.as_bytes());
        check_policy(&line);
    });
    println!(
        "fuzz: {} inputs tried (random bytes, random statements, long single lines; lint, fmt, policy reader), 0 panics",
        TRIED.load(Ordering::Relaxed)
    );
}
