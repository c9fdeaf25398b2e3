//! `starsnap lint [PATHS…]`: parse, validate and lint snapshot SQL offline.

use std::path::PathBuf;

use starsnap_compiler::lint::registry::driver_codes;
use starsnap_compiler::lint::{lint_each, registry, Level, LintOptions, SourceFile};
use starsnap_compiler::policy::{self, LintConfig};
use starsnap_compiler::syntax::Dialect;
use starsnap_compiler::Diagnostic;

use super::{parse_dialect, usage_error, Stream};
use crate::files::{collect, Input};
use crate::render::{write_stream, FileReport, FileView, Format, Producer, RuleDoc};
use crate::{exit, out};

/// `lint` arguments.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Files or directories (every `*.sql` below them); `-` reads standard input. A policy
    /// file (`starsnap.toml`) given by name is checked with the policy rules (P codes).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format: text (for people), json (grammar/lint-output.schema.json), sarif
    /// (SARIF 2.1.0 for code scanning) or github (workflow annotations).
    #[arg(long, default_value = "text", value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<Format>()))]
    pub format: Format,
    /// Exit 1 when a finding is at least this severe.
    #[arg(long, default_value = "error", value_parser = ["error", "warning"])]
    pub fail_on: String,
    /// The StarRocks version the SQL must run on: starrocks-3.3, 3.4, 3.5, 4.0, 4.1 or 4.2
    /// (default: the policy's [lint] dialect, else starrocks-3.4).
    #[arg(long, value_parser = parse_dialect)]
    pub dialect: Option<Dialect>,
    /// The policy whose [lint] section (dialect, severities) applies; flags win over it.
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml when it exists; none otherwise.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Change a rule's severity: CODE=LEVEL (or NAME=LEVEL), LEVEL one of off, info, warning,
    /// error. Repeatable: `--severity L006=off --severity restore-in-place=error`.
    #[arg(long = "severity", value_name = "CODE=LEVEL")]
    pub severities: Vec<String>,
}

/// The policy's `[lint]` section: `-c`, then `STARSNAP_CONFIG`, then `./starsnap.toml` when it
/// exists (lint needs no policy). An unreadable or unparsable policy named explicitly is an error.
fn lint_config(args: &LintArgs) -> Result<LintConfig, String> {
    let explicit =
        args.config.is_some() || std::env::var_os("STARSNAP_CONFIG").is_some_and(|v| !v.is_empty());
    if !explicit && !std::path::Path::new("starsnap.toml").is_file() {
        return Ok(LintConfig::default());
    }
    let path = super::config_path(args.config.as_deref());
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the policy {}: {e}", path.display()))?;
    match policy::parse(&text).0 {
        Some(p) => Ok(p.lint),
        None => Err(format!(
            "the policy {} is not valid TOML; check it with `starsnap lint {}`",
            path.display(),
            path.display()
        )),
    }
}

fn options(args: &LintArgs) -> Result<LintOptions, String> {
    let config = lint_config(args)?;
    let dialect = args.dialect.or(config.dialect).unwrap_or_default();
    let mut opts = LintOptions::new(dialect);
    // The policy first, then the flags (flags > file).
    for (code, level) in &config.severity {
        opts.set_level(code, *level)
            .map_err(|e| format!("the policy's [lint] severity {code}: {e}"))?;
    }
    for s in &args.severities {
        let (code, level) = s
            .split_once('=')
            .ok_or_else(|| format!("--severity '{s}': expected CODE=LEVEL"))?;
        let level = Level::parse(level.trim()).ok_or_else(|| {
            format!("--severity '{s}': unknown level '{level}' (off, info, warning, error)")
        })?;
        opts.set_level(code.trim(), level)
            .map_err(|e| format!("--severity '{s}': {e}"))?;
    }
    Ok(opts)
}

/// Every code starsnap reports, documented, in code order: SARIF lists them all (its rules
/// table), so each result's rule index is known before linting starts. The registry's codes
/// (parser, validator, lint rules, driver) and the policy's P codes.
pub fn rule_docs() -> Vec<RuleDoc> {
    let mut docs: Vec<RuleDoc> = registry()
        .iter()
        .map(|m| RuleDoc {
            code: m.code.to_string(),
            name: Some(m.name.to_string()),
            summary: m.summary.to_string(),
            default_severity: Some(m.default_severity),
        })
        .chain(policy::codes::ALL.iter().map(|&(code, summary)| RuleDoc {
            code: code.to_string(),
            name: None,
            summary: summary.to_string(),
            default_severity: None,
        }))
        .collect();
    docs.sort_by(|a, b| a.code.cmp(&b.code));
    docs
}

/// Whether an input is a policy file (`*.toml`), checked with the policy rules (P codes)
/// instead of as SQL. Catalog-dependent policy checks need `starsnap plan`.
fn is_policy(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".toml")
}

/// An input decoded: its name, its text, and a finding about its bytes (binary, bad UTF-8).
type Decoded<'a> = (&'a str, &'a str, Option<Diagnostic>);

/// Lints `inputs` (decoded) and hands each file's findings to `emit` in input order, as they
/// are found (see `lint_each`): SQL files are linted together (cross-file rules), policy files
/// each on their own; a file's finding about its bytes is merged into its findings in order.
fn lint_decoded(
    inputs: &[Decoded<'_>],
    opts: &LintOptions,
    emit: &mut dyn FnMut(usize, Vec<Diagnostic>),
) {
    let sql: Vec<usize> = (0..inputs.len())
        .filter(|&i| !is_policy(inputs[i].0))
        .collect();
    let sources: Vec<SourceFile<'_>> = sql
        .iter()
        .map(|&i| SourceFile {
            path: inputs[i].0,
            text: inputs[i].1,
        })
        .collect();
    // Files before `next` are handed on. A policy file, or a file with a finding about its
    // bytes, is gathered whole (`held`) and sorted when the files after it come.
    let mut next = 0;
    let mut held: Option<(usize, Vec<Diagnostic>)> = None;
    lint_each(&sources, opts, &mut |k, mut ds| {
        let i = sql[k];
        settle(inputs, i, &mut next, &mut held, emit);
        if inputs[i].2.is_some() {
            match &mut held {
                Some((j, all)) if *j == i => all.append(&mut ds),
                _ => held = Some((i, ds)),
            }
        } else {
            emit(i, ds);
            next = next.max(i + 1);
        }
    });
    settle(inputs, inputs.len(), &mut next, &mut held, emit);
}

/// Hands on the inputs from `next` up to `upto` that are not streamed: policy files (checked
/// here), files with a finding about their bytes (with what was `held` of them).
fn settle(
    inputs: &[Decoded<'_>],
    upto: usize,
    next: &mut usize,
    held: &mut Option<(usize, Vec<Diagnostic>)>,
    emit: &mut dyn FnMut(usize, Vec<Diagnostic>),
) {
    while *next < upto {
        let (name, text, problem) = &inputs[*next];
        let mut diags = match held.take() {
            Some((i, ds)) if i == *next => ds,
            other => {
                *held = other;
                if is_policy(name) {
                    policy::parse(text).1
                } else {
                    Vec::new()
                }
            }
        };
        diags.extend(problem.clone());
        let report = FileReport::new(*name, "", diags);
        if !report.diagnostics.is_empty() {
            emit(*next, report.diagnostics);
        }
        *next += 1;
    }
}

fn decode_all(named: &[(String, Vec<u8>)]) -> Vec<Decoded<'_>> {
    named
        .iter()
        .map(|(name, bytes)| {
            let (text, problem) = starsnap_compiler::lint::decode(bytes);
            (name.as_str(), text, problem)
        })
        .collect()
}

fn ms(since: std::time::Instant) -> u128 {
    since.elapsed().as_millis()
}

pub fn run(args: LintArgs) -> i32 {
    let opts = match options(&args) {
        Ok(o) => o,
        Err(e) => return usage_error(e),
    };
    let inputs = match collect(&args.paths) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    let started = std::time::Instant::now();
    let mut named = Vec::with_capacity(inputs.len());
    let mut unreadable = Vec::new();
    let mut io_failed = false;
    for input in &inputs {
        match input.read() {
            Ok(bytes) => named.push((input.display_name(), bytes)),
            Err(e) => {
                crate::out::error(format!("{}: {e}", input.display_name()));
                io_failed = true;
                // In the report too, so JSON and SARIF consumers see the file was not checked.
                let d = Diagnostic::error(
                    driver_codes::UNREADABLE_FILE,
                    starsnap_compiler::Span::new(0, 0),
                    format!("cannot read: {e}; this file was not checked"),
                );
                unreadable.push(FileReport::new(input.display_name(), "", vec![d]));
            }
        }
    }
    if inputs.is_empty() || (inputs.len() == 1 && inputs[0] == Input::Stdin && named.is_empty()) {
        eprintln!("starsnap: no .sql files found");
    }
    let bytes: usize = named.iter().map(|(_, b)| b.len()).sum();
    tracing::info!(target: "starsnap::lint", files = named.len(), bytes, ms = ms(started), "read");
    let phase = std::time::Instant::now();
    let decoded = decode_all(&named);
    let mut files: Vec<FileView<'_>> = decoded
        .iter()
        .map(|(path, source, _)| FileView { path, source })
        .collect();
    files.extend(unreadable.iter().map(|r| FileView {
        path: &r.path,
        source: "",
    }));
    let color = args.format == Format::Text && super::color(Stream::Stdout);
    // Linting runs on its own thread and hands its findings on as it goes; they are rendered
    // on every core meanwhile and written in order here.
    let (decoded, opts, unreadable) = (&decoded, &opts, &unreadable);
    let produce: Producer<'_> = Box::new(move |emit| {
        let lint_started = std::time::Instant::now();
        let mut findings = 0;
        lint_decoded(decoded, opts, &mut |i, ds| {
            findings += ds.len();
            emit(i, ds);
        });
        tracing::info!(target: "starsnap::lint", findings, ms = ms(lint_started), "linted");
        for (k, r) in unreadable.iter().enumerate() {
            emit(decoded.len() + k, r.diagnostics.clone());
        }
    });
    let mut written = 0;
    let totals = write_stream(
        args.format,
        &files,
        &rule_docs(),
        color,
        produce,
        &mut |piece| {
            written += piece.len();
            out::write_bytes(piece);
        },
    );
    tracing::info!(target: "starsnap::lint", format = ?args.format, bytes = written, ms = ms(phase), total_ms = ms(started), "linted, rendered and written");

    let failing = if args.fail_on == "warning" {
        totals.errors + totals.warnings > 0
    } else {
        totals.errors > 0
    };
    // The process ends now: freeing the inputs piece by piece would only cost time.
    std::mem::forget(files);
    std::mem::forget(named);
    if failing || io_failed {
        exit::FAILURE
    } else {
        exit::OK
    }
}
