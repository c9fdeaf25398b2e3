//! `starsnap lint`'s engine: parses each file with the snapshot-SQL parser for the target
//! [`Dialect`], validates every statement as StarRocks's analyzer would ([`crate::validate`]),
//! runs the lint rules ([`Rule`], one file each under `rules/`) and the cross-file rules,
//! hands statements outside the snapshot family to `sqlparser`, applies suppression comments
//! and severity overrides, and returns the findings of each file sorted by position.
//!
//! Pure: no I/O. Never panics on any input; linear in the input size.

mod other;
pub mod registry;
pub(crate) mod rules;
mod suppress;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

pub use registry::{
    driver_codes, explain, lookup, registry, rule_docs_markdown, rules_markdown, Rule, RuleKind,
    RuleMeta,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::span::{self, LineCursor, Span};
use crate::syntax::{codes as syntax_codes, Dialect, Statements};
use crate::validate::analyze_static;
use rules::duplicate_label;

/// One input file.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    /// How the file is named in findings (a path, or `-` for stdin).
    pub path: &'a str,
    pub text: &'a str,
}

/// The findings of one file, sorted by position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileLint {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileLint {
    /// The most severe finding's severity.
    pub fn max_severity(&self) -> Option<Severity> {
        self.diagnostics.iter().map(|d| d.severity).max()
    }
}

/// What to do with a code's findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Drop them.
    Off,
    /// Report them with this severity.
    Severity(Severity),
}

impl Level {
    /// `off`, `info`, `warning` (`warn`) or `error`.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "off" | "allow" | "ignore" => Some(Level::Off),
            other => Severity::parse(other).map(Level::Severity),
        }
    }
}

/// A severity override named a code starsnap does not have, or one that cannot be changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown or unconfigurable code '{}' (StarRocks syntax errors S0xx cannot be changed)",
            self.0
        )
    }
}

impl std::error::Error for UnknownCode {}

/// Options of a lint run.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// The StarRocks version the SQL must run on.
    pub dialect: Dialect,
    /// Per-code severity overrides, keyed by code (`L005`).
    overrides: BTreeMap<&'static str, Level>,
}

impl LintOptions {
    pub fn new(dialect: Dialect) -> Self {
        LintOptions {
            dialect,
            overrides: BTreeMap::new(),
        }
    }

    /// Sets the level of a code or rule name (`L005`, `restore-in-place`). StarRocks syntax
    /// errors (`S0xx`) cannot be changed.
    pub fn set_level(&mut self, code_or_name: &str, level: Level) -> Result<(), UnknownCode> {
        match lookup(code_or_name) {
            Some(meta) if meta.kind != RuleKind::Syntax => {
                self.overrides.insert(meta.code, level);
                Ok(())
            }
            _ => Err(UnknownCode(code_or_name.to_string())),
        }
    }

    /// The level a finding of `code` gets: the override, else its own severity.
    pub fn level_of(&self, code: &str, severity: Severity) -> Level {
        self.overrides
            .get(code)
            .copied()
            .unwrap_or(Level::Severity(severity))
    }
}

/// Lints several files together (cross-file rules see all of them). One result per input, in
/// input order. Each file is parsed, validated and linted one statement at a time: only the
/// findings, the labels the cross-file rule needs and (for a file with suppressions) the
/// statements' spans are kept, never the whole file's ASTs.
pub fn lint(files: &[SourceFile<'_>], options: &LintOptions) -> Vec<FileLint> {
    let mut out: Vec<FileLint> = files
        .iter()
        .map(|f| FileLint {
            path: f.path.to_string(),
            diagnostics: Vec::new(),
        })
        .collect();
    lint_each(files, options, &mut |file, mut chunk| {
        if let Some(fl) = out.get_mut(file) {
            fl.diagnostics.append(&mut chunk);
        }
    });
    out
}

/// How many findings [`lint_each`] gathers before it hands a batch on.
const RELEASE: usize = 1024;

/// [`lint`], streamed: `emit(file, findings)` is called with the findings of file number
/// `file` in batches, as the statements are checked, so a caller can render one batch while
/// the next is linted. The files come in input order, each file's batches in order, and the
/// concatenation of a file's batches is exactly [`lint`]'s list for it (final severities,
/// sorted by position). A file with suppression comments is handed on whole at its end
/// (suppressions need the whole file); a file without findings gets no call.
///
/// Every finding of a statement starts at or after the end of the text read before it (the
/// parser, validation and the rules point into the statement), so a batch is released up to
/// where the lexer stands: nothing found later can sort before it.
///
/// A file of 1 MB or more without suppressions is linted on every core, in pieces cut at
/// statement boundaries the lexer confirms; the calls are exactly those of linting it on one
/// thread (see `check_file`).
pub fn lint_each(
    files: &[SourceFile<'_>],
    options: &LintOptions,
    emit: &mut dyn FnMut(usize, Vec<Diagnostic>),
) {
    lint_each_by(files, options, RELEASE, emit);
}

/// [`lint_each`], releasing a batch once `release` findings are waiting.
fn lint_each_by(
    files: &[SourceFile<'_>],
    options: &LintOptions,
    release: usize,
    emit: &mut dyn FnMut(usize, Vec<Diagnostic>),
) {
    lint_each_split(files, options, release, Split::machine(), emit);
}

/// How a large file is cut to be linted on several threads (see [`check_file`]).
#[derive(Clone, Copy, Debug)]
struct Split {
    /// How many threads lint pieces at once.
    threads: usize,
    /// Files smaller than this are linted whole.
    min_bytes: usize,
    /// About how large a piece is (the findings of the pieces being linted are held at once).
    piece_bytes: usize,
}

impl Split {
    /// One thread per core, for files of 1 MB or more, in pieces of about 1 MB (the findings
    /// of the pieces linted ahead are held meanwhile; 256 KB pieces measured slower).
    fn machine() -> Split {
        Split {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            min_bytes: 1 << 20,
            piece_bytes: 1 << 20,
        }
    }

    /// Where to cut `src`: `0`, then the end of the first `;` and line feed at or after each
    /// `k / pieces` of the text, then `src.len()`. These are guesses (a `;` may sit in a
    /// string or a comment): [`check_file`] keeps a cut only where the lexer confirms it.
    fn cuts(self, src: &str) -> Vec<usize> {
        let len = src.len();
        let mut cuts = vec![0];
        if len >= self.min_bytes && self.threads > 1 {
            let pieces = self.threads.max(len.div_ceil(self.piece_bytes.max(1)));
            for k in 1..pieces {
                let mut from = (k * len / pieces).max(cuts[cuts.len() - 1]);
                while !src.is_char_boundary(from) {
                    from += 1;
                }
                let Some(at) = src.get(from..).and_then(|rest| rest.find(";\n")) else {
                    break;
                };
                let cut = from + at + 1;
                if cut > cuts[cuts.len() - 1] && cut < len {
                    cuts.push(cut);
                }
            }
        }
        cuts.push(len);
        cuts
    }
}

/// [`lint_each_by`], cutting large files as `split` says.
fn lint_each_split(
    files: &[SourceFile<'_>],
    options: &LintOptions,
    release: usize,
    split: Split,
    emit: &mut dyn FnMut(usize, Vec<Diagnostic>),
) {
    let mut labels = duplicate_label::Labels::default();
    for (i, f) in files.iter().enumerate() {
        if suppress::wanted(f.text) {
            let mut all = Vec::new();
            let mut outline = suppress::Outline::default();
            let whole = [0, f.text.len()];
            check_file(
                f,
                options.dialect,
                &whole,
                1,
                Some(&mut outline),
                &mut |found| {
                    all.extend(with_label(i, f.path, &mut labels, found).0);
                },
            );
            suppress::apply(f.text, &outline, &mut all);
            let done = finish(all, options);
            if !done.is_empty() {
                emit(i, done);
            }
            continue;
        }
        let mut pending: Vec<Diagnostic> = Vec::new();
        check_file(
            f,
            options.dialect,
            &split.cuts(f.text),
            split.threads,
            None,
            &mut |found| {
                let (mut batch, watermark) = with_label(i, f.path, &mut labels, found);
                if batch.is_empty() {
                    return;
                }
                keep_levels(&mut batch, options, &mut pending);
                if pending.len() >= release {
                    sort(&mut pending);
                    let ready = pending.partition_point(|d| d.span.start < watermark);
                    if ready > 0 {
                        let rest = pending.split_off(ready);
                        emit(i, std::mem::replace(&mut pending, rest));
                    }
                }
            },
        );
        sort(&mut pending);
        if !pending.is_empty() {
            emit(i, pending);
        }
    }
}

/// A statement's findings with the cross-file rule's (last), and its watermark.
fn with_label<'a>(
    file: usize,
    path: &'a str,
    labels: &mut duplicate_label::Labels<'a>,
    found: Found,
) -> (Vec<Diagnostic>, usize) {
    let Found {
        mut diags,
        label,
        watermark,
    } = found;
    if let Some(mut d) = label.and_then(|u| labels.see(file, path, u)) {
        hint(&mut d);
        diags.push(d);
    }
    (diags, watermark)
}

/// Lints one file on its own.
pub fn lint_source(path: &str, text: &str, options: &LintOptions) -> FileLint {
    lint(&[SourceFile { path, text }], options)
        .pop()
        .unwrap_or(FileLint {
            path: path.to_string(),
            diagnostics: Vec::new(),
        })
}

/// A file read as bytes: the text its findings point into, and the findings.
#[derive(Clone, Debug)]
pub struct BytesLint<'a> {
    /// The text the spans refer to: the whole file when it is UTF-8, the valid prefix when
    /// it is not, empty for a binary file.
    pub text: &'a str,
    pub lint: FileLint,
}

/// Decodes a file: `(text, finding)`. A file with NUL bytes is binary (empty text and an
/// `S902` error); invalid UTF-8 keeps the valid prefix and gives an `S007` error at the first
/// bad byte.
pub fn decode(bytes: &[u8]) -> (&str, Option<Diagnostic>) {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let d = Diagnostic::error(
            driver_codes::BINARY_FILE,
            Span::new(0, 0),
            format!("binary file (NUL byte at offset {at}): not SQL text"),
        )
        .with_help("lint only .sql text files");
        return ("", Some(d));
    }
    // A UTF-8 byte-order mark is not SQL; spans then count from after it.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.valid_up_to();
            let text = std::str::from_utf8(&bytes[..at]).unwrap_or("");
            let d = Diagnostic::error(
                syntax_codes::INVALID_UTF8,
                Span::new(at, at),
                format!("invalid UTF-8 at byte offset {at}; the rest of the file is not checked"),
            )
            .with_help("save the file as UTF-8");
            (text, Some(d))
        }
    }
}

/// Lints a file given as bytes (invalid UTF-8 and binary files give a finding, not a failure).
pub fn lint_bytes<'a>(path: &str, bytes: &'a [u8], options: &LintOptions) -> BytesLint<'a> {
    let (text, problem) = decode(bytes);
    let mut lint = lint_source(path, text, options);
    if let Some(d) = problem {
        lint.diagnostics.push(d);
        sort(&mut lint.diagnostics);
    }
    BytesLint { text, lint }
}

/// What one statement gave: its findings (the parser's, then validation's and `sqlparser`'s,
/// then the rules'), the label a BACKUP uses (for the cross-file rule, whose finding comes
/// after those) and the watermark: where the lexer stands, every later finding starting at
/// or after it.
struct Found {
    diags: Vec<Diagnostic>,
    label: Option<duplicate_label::Use>,
    watermark: usize,
}

/// Parses a file statement by statement and runs validation, rules and `sqlparser` on each,
/// dropping its AST before the next one: `found` gets each statement's [`Found`] that has a
/// finding or a label, in order. With `outline`, the statements are outlined for
/// suppressions.
///
/// `cuts` (`0`, increasing offsets, `file.text.len()`) proposes pieces, linted `threads` at a
/// time on threads of their own, each gathered and handed on here in order. The result is
/// exactly the sequential one: a piece is handed on only if the piece before it ended clean
/// at its cut ([`Statements::clean`]: the lexer read a `;` ending there and nothing since),
/// which is the state the whole file's stream has there; nothing else crosses statements
/// but the labels, which are resolved here in order (and their lines, counted per piece,
/// moved down by the line feeds before the piece). Otherwise the piece's work is dropped and
/// the file is linted here from the last statement end read to the piece's end, or to the
/// end of the file if no statement ends there (each byte is read at most a few times).
fn check_file(
    file: &SourceFile<'_>,
    dialect: Dialect,
    cuts: &[usize],
    threads: usize,
    outline: Option<&mut suppress::Outline>,
    found: &mut dyn FnMut(Found),
) {
    let src = file.text;
    let [first, .., last] = cuts else {
        return;
    };
    if cuts.len() <= 2 || threads < 2 {
        check_range(src, dialect, *first, *last, outline, &mut |_| false, found);
        return;
    }
    // Line feeds before `counted`, for the labels' lines.
    let (mut counted, mut lines) = (0, 0);
    let mut from = |start: usize, f: Found| {
        if start > counted {
            lines += span::count_lines(&src.as_bytes()[counted..start]);
            counted = start;
        }
        found(Found {
            label: f.label.map(|u| u.below(lines)),
            ..f
        })
    };
    // Once a piece's work cannot be used any more, its thread stops early.
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let lint = |(start, end): (usize, usize)| {
            let stop = &stop;
            scope.spawn(move || {
                let (mut gathered, mut ends) = (Vec::new(), Vec::new());
                let mut stopped = |at| {
                    ends.push(at);
                    stop.load(Ordering::Relaxed)
                };
                let at = check_range(src, dialect, start, end, None, &mut stopped, &mut |f| {
                    gathered.push(f)
                });
                Piece { gathered, at, ends }
            })
        };
        let pieces: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
        let mut ahead = std::collections::VecDeque::new();
        let mut at = *first;
        for (k, &(start, end)) in pieces.iter().enumerate() {
            while ahead.len() < threads {
                let Some(&next) = pieces.get(k + ahead.len()) else {
                    break;
                };
                ahead.push_back(lint(next));
            }
            let piece = match ahead.pop_front().map(|p| p.join()) {
                Some(Ok(piece)) => Some(piece),
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => None,
            };
            let ends = piece.as_ref().map_or(&[][..], |p| &p.ends);
            let back = at;
            if at != start || piece.is_none() {
                // Lint here from the last statement end read until a statement end the
                // piece's thread read too: the two streams are in the same state there.
                at = check_range(
                    src,
                    dialect,
                    back,
                    end,
                    None,
                    &mut |p| p != back && ends.binary_search(&p).is_ok(),
                    &mut |f| from(back, f),
                );
                if at == back {
                    // Not one statement ends in the piece: the rest of the file is linted
                    // here at once, so that a long string or comment is not read again for
                    // every piece it spans.
                    stop.store(true, Ordering::Relaxed);
                    let whole = check_range(
                        src,
                        dialect,
                        back,
                        src.len(),
                        None,
                        &mut |_| false,
                        &mut |f| from(back, f),
                    );
                    debug_assert_eq!(whole, src.len());
                    break;
                }
                if ends.binary_search(&at).is_err() {
                    continue;
                }
            }
            let Some(piece) = piece else {
                continue;
            };
            piece
                .gathered
                .into_iter()
                .filter(|f| f.watermark > at)
                .for_each(|f| from(start, f));
            at = piece.at;
        }
    });
}

/// What a piece's thread read: its statements' [`Found`]s, where it may go on, and every
/// statement end it read (with its start: where its stream stood clean).
struct Piece {
    gathered: Vec<Found>,
    at: usize,
    ends: Vec<usize>,
}

/// [`check_file`] of the statements of `src[start..end]` ([`Statements::range`]), one thread.
/// Returns where a stream may go on: `end` if the input ended there clean (or is the end of
/// the file), else the end of the last statement read (or `start`). Where the stream stands
/// clean (at `start`, then after each statement) it asks `stop(offset)`: yes stops it, and it
/// returns that offset.
fn check_range(
    src: &str,
    dialect: Dialect,
    start: usize,
    end: usize,
    mut outline: Option<&mut suppress::Outline>,
    stop: &mut dyn FnMut(usize) -> bool,
    found: &mut dyn FnMut(Found),
) -> usize {
    let mut diags = Vec::new();
    let mut analysis = Vec::new();
    let mut rule_cx = rules::RuleCx::new(src, dialect);
    let mut lines = LineCursor::at(src, start);
    let mut stream = Statements::range(src, dialect, start, end);
    let mut resume = start;
    loop {
        if stop(resume) {
            return resume;
        }
        let from = diags.len();
        let Some(ps) = stream.next_statement(&mut diags) else {
            // What the end of the input gave (an unterminated comment after the last
            // statement).
            for d in &mut diags {
                hint(d);
            }
            if !diags.is_empty() {
                found(Found {
                    diags,
                    label: None,
                    watermark: src.len(),
                });
            }
            break;
        };
        if let Some(o) = outline.as_deref_mut() {
            o.push(&ps);
        }
        let mut label = None;
        if let Some(stmt) = &ps.statement {
            // This statement's findings from the parser: errors mean StarRocks refuses it at
            // parse time, and a `ttl` finding makes V011's repeat of it redundant. (Findings
            // of other statements lie outside its span.)
            let mine = diags.get(from..).unwrap_or(&[]);
            let inside =
                |d: &&Diagnostic| ps.span.start <= d.span.start && d.span.start <= ps.span.end;
            label = duplicate_label::label_use(stmt, &mut lines);
            if let crate::syntax::ast::Statement::Other { text, span } = stmt {
                // sqlparser's positions are mapped back through the exact source text.
                let exact = src.get(span.start..span.end).unwrap_or(text);
                if let Some(d) = other::check(exact, *span) {
                    analysis.push(d);
                }
            } else if !mine
                .iter()
                .filter(inside)
                .any(|d| d.severity == Severity::Error)
            {
                // (A statement StarRocks refuses at parse time is not analysed: analysis and
                // rules would only add noise.)
                let ttl_reported = mine
                    .iter()
                    .filter(inside)
                    .any(|d| d.code == syntax_codes::TTL_BEFORE_4_2);
                for d in analyze_static(stmt, ps.span, src, dialect) {
                    let ttl_only = d.starrocks.as_ref().is_some_and(|s| {
                        s.message.ends_with("Unknown backup job properties: [ttl].")
                    });
                    if !(ttl_reported && ttl_only) {
                        analysis.push(d);
                    }
                }
                rules::check_statement(stmt, &mut rule_cx);
            }
        }
        diags.append(&mut analysis);
        diags.append(&mut rule_cx.out);
        if !diags.is_empty() || label.is_some() {
            for d in &mut diags {
                hint(d);
            }
            found(Found {
                diags: std::mem::take(&mut diags),
                label,
                watermark: stream.offset(),
            });
        }
        resume = stream.offset();
    }
    if end >= src.len() || stream.clean() {
        end
    } else {
        resume
    }
}

/// Sharper help for syntax errors starsnap users commonly make.
fn hint(d: &mut Diagnostic) {
    if d.code == syntax_codes::NO_VIABLE_STATEMENT && d.message.contains("RENAME TO") {
        d.help = Some(
            "StarRocks renames with `ALTER TABLE t RENAME t2` (no TO); to replace a table atomically use `ALTER TABLE t SWAP WITH t2`"
                .to_string(),
        );
    }
}

/// Moves the findings of `batch` whose code is not turned off into `out`, with their final
/// severities.
fn keep_levels(batch: &mut Vec<Diagnostic>, options: &LintOptions, out: &mut Vec<Diagnostic>) {
    out.extend(
        batch
            .drain(..)
            .filter_map(|mut d| match options.level_of(&d.code, d.severity) {
                Level::Off => None,
                Level::Severity(s) => {
                    d.severity = s;
                    Some(d)
                }
            }),
    );
}

/// Severity overrides, then order by position.
fn finish(mut diags: Vec<Diagnostic>, options: &LintOptions) -> Vec<Diagnostic> {
    let mut out = Vec::with_capacity(diags.len());
    keep_levels(&mut diags, options, &mut out);
    sort(&mut out);
    out
}

fn sort(diags: &mut [Diagnostic]) {
    fn key(d: &Diagnostic) -> (usize, usize, &str) {
        (d.span.start, d.span.end, d.code.as_str())
    }
    if diags.is_sorted_by(|a, b| key(a) <= key(b)) {
        return;
    }
    diags.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.code).cmp(&(b.span.start, b.span.end, &b.code))
    });
}

#[cfg(test)]
mod tests;
