//! Whole-process `starsnap lint` throughput, per output format, next to `sqlparser`'s
//! tokenizer on the same bytes (issue 13, item 8).
//!
//! The input is the compiler bench's generated corpus (`compiler/benches/support/corpus.rs`)
//! with the pre-3.4 forms mixed in, so that most statements have findings. It is written to a
//! file once; each format then runs the built `starsnap` binary as a separate process
//! (`lint FILE --format F --color never`), reading its stdout through a pipe to the end: the
//! time covers start-up, reading, linting, rendering and writing. The tokenizer figure is
//! `sqlparser::tokenizer::Tokenizer::tokenize` over the same text, in this process, timed
//! right before each lint run (a loaded machine's speed drifts within the minute the
//! benchmark takes, so a format is compared with the tokenizer timed beside it).
//!
//! Run: `cargo bench -p starsnap --bench lint_throughput` (optionally `-- --mb 20`; `--phases`
//! adds lint's own `-v` timings of reading, linting, rendering and writing per format;
//! `--save FILE` keeps the corpus for profiling).
//! Target: every format at least as fast as the tokenizer.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sqlparser::dialect::MySqlDialect;
use sqlparser::tokenizer::Tokenizer;

#[path = "../../compiler/benches/support/corpus.rs"]
mod corpus;

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1_000_000.0 / d.as_secs_f64().max(1e-9)
}

/// One whole-process lint: wall time, bytes written on stdout, exit code.
fn lint_once(path: &std::path::Path, format: &str) -> (Duration, usize, Option<i32>) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_starsnap"))
        .arg("lint")
        .arg(path)
        .args(["--format", format, "--color", "never"])
        .env_remove("STARSNAP_CONFIG")
        .current_dir(path.parent().unwrap_or(std::path::Path::new(".")))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run starsnap: {e}"));
    let mut out = Vec::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_end(&mut out);
    }
    let status = child.wait().map(|s| s.code()).unwrap_or(None);
    (start.elapsed(), out.len(), status)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mb = args
        .iter()
        .position(|a| a == "--mb")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(50);
    let runs = 3;
    let text = corpus::generate(mb * 1_000_000, true);
    let bytes = text.len();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary folder: {e}"));
    let path = dir.path().join("corpus.sql");
    std::fs::write(&path, &text).unwrap_or_else(|e| panic!("writing the corpus: {e}"));
    if let Some(keep) = args
        .iter()
        .position(|a| a == "--save")
        .and_then(|i| args.get(i + 1))
    {
        // For profiling by hand (`perf record starsnap lint FILE`).
        std::fs::write(keep, &text).unwrap_or_else(|e| panic!("writing {keep}: {e}"));
    }
    println!(
        "input: {:.1} MB of snapshot statements (the compiler bench's corpus plus legacy forms)",
        bytes as f64 / 1e6
    );

    // The machine's load moves both figures by tens of percent within a minute, so each
    // format is compared with the tokenizer timed right before each of its runs (rounds of
    // tokenizer, lint; the best of each), not with one tokenizer figure taken at the start.
    let formats = ["text", "json", "sarif", "github"];
    let tokenize = || {
        let t = Instant::now();
        let n = Tokenizer::new(&MySqlDialect {}, &text)
            .tokenize()
            .map(|t| t.len())
            .unwrap_or(0);
        (t.elapsed(), n)
    };
    let mut t_tok = Duration::MAX;
    let mut tokens = 0;
    let mut beside = [Duration::MAX; 4];
    let mut best = [Duration::MAX; 4];
    let mut written = [0usize; 4];
    let mut code = [None; 4];
    for _ in 0..runs {
        for (f, format) in formats.iter().enumerate() {
            let (t, n) = tokenize();
            tokens = n;
            t_tok = t_tok.min(t);
            beside[f] = beside[f].min(t);
            let (t, n, c) = lint_once(&path, format);
            best[f] = best[f].min(t);
            written[f] = n;
            code[f] = c;
        }
    }
    drop(text);
    let tok = mb_per_s(bytes, t_tok);
    println!(
        "sqlparser tokenize only (in process, best of {}): {tok:>7.1} MB/s  ({tokens} tokens, {:.3} s)",
        runs * formats.len(),
        t_tok.as_secs_f64()
    );

    let mut met = true;
    for (f, format) in formats.iter().enumerate() {
        let rate = mb_per_s(bytes, best[f]);
        let tok_beside = mb_per_s(bytes, beside[f]);
        let ratio = rate / tok_beside.max(1e-9);
        met &= ratio >= 1.0;
        println!(
            "starsnap lint --format {format:<6} (whole process): {rate:>7.1} MB/s  ({:.3} s, {:.1} MB written, exit {}; tokenizer beside it {tok_beside:.1} MB/s: {ratio:.2}x)",
            best[f].as_secs_f64(),
            written[f] as f64 / 1e6,
            code[f].map_or("signal".to_string(), |c| c.to_string()),
        );
    }
    println!(
        "target: every format at least as fast as the tokenizer: {}",
        if met { "met" } else { "NOT met" }
    );
    if args.iter().any(|a| a == "--phases") {
        // Where the time goes: lint's own `-v` log of its phases, once per format.
        for format in ["text", "json", "sarif", "github"] {
            let o = Command::new(env!("CARGO_BIN_EXE_starsnap"))
                .args(["-v", "--color", "never", "lint"])
                .arg(&path)
                .args(["--format", format])
                .env_remove("RUST_LOG")
                .stdout(Stdio::null())
                .output()
                .unwrap_or_else(|e| panic!("cannot run starsnap: {e}"));
            println!("phases of --format {format}:");
            for line in String::from_utf8_lossy(&o.stderr).lines() {
                if let Some(at) = line.find("starsnap::lint") {
                    println!("  {}", &line[at..]);
                }
            }
        }
    }
}
