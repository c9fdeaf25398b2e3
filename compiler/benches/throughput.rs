//! Lint throughput: parse + validate a generated corpus of at least 50 MB of mixed snapshot
//! statements, next to `sqlparser`'s tokenizer on the same bytes. Prints MB/s.
//!
//! Run: `cargo bench -p starsnap-compiler --bench throughput` (optionally `-- --mb 100`).
//! Target (issue 2): parse + validate at least as fast as sqlparser merely tokenizes, and at
//! least 50 MB/s on one core.

use std::time::{Duration, Instant};

use sqlparser::dialect::MySqlDialect;
use sqlparser::tokenizer::Tokenizer;
use starsnap_compiler::syntax::{parse, Dialect};
use starsnap_compiler::validate::analyze_static;

#[path = "support/corpus.rs"]
mod corpus;
use corpus::generate;

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1_000_000.0 / d.as_secs_f64().max(1e-9)
}

/// Best of `runs` timings of `f`.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed());
        last = Some(out);
    }
    match last {
        Some(out) => (best, out),
        None => (best, f()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mb = args
        .iter()
        .position(|a| a == "--mb")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(50);
    let text = generate(mb * 1_000_000, false);
    let bytes = text.len();
    println!(
        "input: {:.1} MB of mixed snapshot statements",
        bytes as f64 / 1e6
    );

    if args.iter().any(|a| a == "--codes") {
        // What the generated input triggers, by code (a sanity check of the generator).
        let p = parse(&text, Dialect::default());
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for d in &p.diagnostics {
            *counts.entry(d.code.clone()).or_default() += 1;
        }
        for st in &p.statements {
            if let Some(stmt) = &st.statement {
                for d in analyze_static(stmt, st.span, &text, Dialect::default()) {
                    *counts.entry(d.code).or_default() += 1;
                }
            }
        }
        println!("findings by code: {counts:?}");
    }

    let (t_parse, stmts) = best(3, || {
        let p = parse(&text, Dialect::default());
        p.statements.len()
    });
    let (t_lint, findings) = best(3, || {
        let p = parse(&text, Dialect::default());
        let mut n = p.diagnostics.len();
        for st in &p.statements {
            if let Some(stmt) = &st.statement {
                n += analyze_static(stmt, st.span, &text, Dialect::default()).len();
            }
        }
        n
    });
    let (t_tok, tokens) = best(3, || {
        Tokenizer::new(&MySqlDialect {}, &text)
            .tokenize()
            .map(|t| t.len())
            .unwrap_or(0)
    });

    let lint = mb_per_s(bytes, t_lint);
    let tok = mb_per_s(bytes, t_tok);
    println!(
        "starsnap parse:            {:>8.1} MB/s  ({stmts} statements, {:.3} s)",
        mb_per_s(bytes, t_parse),
        t_parse.as_secs_f64()
    );
    println!(
        "starsnap parse + validate: {:>8.1} MB/s  ({findings} findings, {:.3} s)",
        lint,
        t_lint.as_secs_f64()
    );
    println!(
        "sqlparser tokenize only:   {:>8.1} MB/s  ({tokens} tokens, {:.3} s)",
        tok,
        t_tok.as_secs_f64()
    );
    println!(
        "ratio (parse + validate / sqlparser tokenize): {:.2}x; target >= 1.00x and >= 50 MB/s: {}",
        lint / tok.max(1e-9),
        if lint >= tok && lint >= 50.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}
