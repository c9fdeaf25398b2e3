//! Suppression comments.
//!
//! ```sql
//! -- starsnap:ignore L003, L010 -- reason text        (the next statement)
//! /* starsnap:ignore L005 -- reason */                  (same, block form)
//! -- starsnap:ignore-file L011 -- reason               (the whole file; anywhere)
//! ```
//! A statement suppression must sit on its own line(s) right before the statement (between
//! the previous statement's `;` and this statement's first token). Codes may be written as
//! codes (`L005`) or rule names (`restore-in-place`), separated by commas or spaces. StarRocks
//! syntax errors (`S0xx`) cannot be suppressed. Findings about suppressions: `L100` (no
//! reason), `L101` (silenced nothing), `L102` (unknown or unsuppressible code).

use std::collections::HashMap;

use super::registry::{lookup, Rule};
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::lexer::lex;
use crate::syntax::ParsedStatement;

/// What suppression needs of a file's statements: their spans, and which statement each
/// leading comment leads (by the comment's start). Recorded while the statements stream by,
/// only for a file that has a suppression ([`wanted`]).
#[derive(Debug, Default)]
pub(crate) struct Outline {
    spans: Vec<Span>,
    leading: HashMap<usize, usize>,
}

impl Outline {
    /// Records the next statement.
    pub fn push(&mut self, statement: &ParsedStatement) {
        let i = self.spans.len();
        self.spans.push(statement.span);
        self.leading
            .extend(statement.leading_comments.iter().map(|c| (c.span.start, i)));
    }
}

/// Whether `src` may hold a suppression (otherwise [`apply`] does nothing).
pub(crate) fn wanted(src: &str) -> bool {
    src.contains("starsnap:ignore")
}

/// One code inside a directive.
#[derive(Debug)]
struct Entry {
    code: &'static str,
    used: bool,
}

/// A parsed `starsnap:ignore` comment.
#[derive(Debug)]
struct Directive {
    span: Span,
    file: bool,
    entries: Vec<Entry>,
    /// Statement index it applies to (statement directives only).
    target: Option<usize>,
}

/// The directive in a comment's text, if any: (file-level, codes, reason present).
fn parse_comment(text: &str) -> Option<(bool, Vec<&str>, bool)> {
    let body = if let Some(b) = text.strip_prefix("--") {
        b
    } else if let Some(b) = text.strip_prefix("/*") {
        b.strip_suffix("*/").unwrap_or(b)
    } else {
        text.strip_prefix('#')?
    };
    let body = body.trim_start();
    let rest = body.strip_prefix("starsnap:ignore")?;
    let (file, rest) = match rest.strip_prefix("-file") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let (codes, reason) = match rest.find("--") {
        Some(i) => (&rest[..i], rest[i + 2..].trim()),
        None => (rest, ""),
    };
    let codes: Vec<&str> = codes
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .collect();
    Some((file, codes, !reason.is_empty()))
}

/// Registry codes say so themselves; an unregistered `S0xx` is a syntax error (no).
fn is_suppressible(code: &str) -> bool {
    match lookup(code) {
        Some(meta) => meta.suppressible,
        None => !code.starts_with('S') || code.starts_with("S9"),
    }
}

/// Whether the comment starting at `start` is the first thing on its line.
fn own_line(src: &str, start: usize) -> bool {
    let line_start = src[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    src[line_start..start].trim().is_empty()
}

/// Applies the suppressions of one file to `diags` and appends the findings about them.
pub(crate) fn apply(src: &str, outline: &Outline, diags: &mut Vec<Diagnostic>) {
    if !wanted(src) {
        return;
    }
    let leading = &outline.leading;
    let mut directives = Vec::new();
    let mut extra = Vec::new();
    for tok in lex(src).tokens.iter().filter(|t| t.kind.is_comment()) {
        let text = tok.text(src);
        let Some((file, codes, has_reason)) = parse_comment(text) else {
            continue;
        };
        let span = tok.span;
        if !has_reason {
            extra.push(
                Diagnostic::new(
                    Rule::SuppressionWithoutReason.code(),
                    Rule::SuppressionWithoutReason.default_severity(),
                    span,
                    "suppression without a reason",
                )
                .with_help(
                    "add the reason after `--`: `-- starsnap:ignore L011 -- retired repository`",
                ),
            );
        }
        let mut entries = Vec::new();
        for c in &codes {
            match lookup(c) {
                Some(meta) if meta.suppressible => entries.push(Entry {
                    code: meta.code,
                    used: false,
                }),
                Some(meta) => extra.push(
                    Diagnostic::new(
                        Rule::UnknownSuppressionCode.code(),
                        Rule::UnknownSuppressionCode.default_severity(),
                        span,
                        format!("`{}` cannot be suppressed: StarRocks refuses the statement", meta.code),
                    )
                    .with_help("fix the syntax error instead"),
                ),
                None => extra.push(
                    Diagnostic::new(
                        Rule::UnknownSuppressionCode.code(),
                        Rule::UnknownSuppressionCode.default_severity(),
                        span,
                        format!("unknown code `{c}` in suppression"),
                    )
                    .with_help("use a code such as L005 or a rule name such as restore-in-place (see `starsnap rules`)"),
                ),
            }
        }
        if codes.is_empty() {
            extra.push(
                Diagnostic::new(
                    Rule::UnknownSuppressionCode.code(),
                    Rule::UnknownSuppressionCode.default_severity(),
                    span,
                    "suppression names no code",
                )
                .with_help("name the codes to ignore: `-- starsnap:ignore L005 -- reason`"),
            );
        }
        let target = if file || !own_line(src, span.start) {
            None
        } else {
            leading.get(&span.start).copied()
        };
        directives.push(Directive {
            span,
            file,
            entries,
            target,
        });
    }

    let mut by_statement: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, d) in directives.iter().enumerate() {
        if let Some(t) = d.target {
            by_statement.entry(t).or_default().push(i);
        }
    }
    let file_level: Vec<usize> = (0..directives.len())
        .filter(|&i| directives[i].file)
        .collect();
    let starts: Vec<usize> = outline.spans.iter().map(|s| s.start).collect();
    diags.retain(|diag| {
        if !is_suppressible(&diag.code) {
            return true;
        }
        for &fi in &file_level {
            if let Some(e) = directives[fi]
                .entries
                .iter_mut()
                .find(|e| e.code == diag.code)
            {
                e.used = true;
                return false;
            }
        }
        // The statement containing the finding.
        let idx = starts.partition_point(|&s| s <= diag.span.start);
        let Some(stmt) = idx.checked_sub(1) else {
            return true;
        };
        if outline
            .spans
            .get(stmt)
            .is_none_or(|s| diag.span.start > s.end)
        {
            return true;
        }
        for &di in by_statement.get(&stmt).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(e) = directives[di]
                .entries
                .iter_mut()
                .find(|e| e.code == diag.code)
            {
                e.used = true;
                return false;
            }
        }
        true
    });

    for d in &directives {
        if !d.file && d.target.is_none() {
            extra.push(
                Diagnostic::new(
                    Rule::UnusedSuppression.code(),
                    Rule::UnusedSuppression.default_severity(),
                    d.span,
                    "this suppression applies to no statement",
                )
                .with_help("put it on its own line right before the statement, or use `starsnap:ignore-file`"),
            );
            continue;
        }
        for e in d.entries.iter().filter(|e| !e.used) {
            extra.push(
                Diagnostic::new(
                    Rule::UnusedSuppression.code(),
                    Rule::UnusedSuppression.default_severity(),
                    d.span,
                    format!("`{}` is suppressed here but was not reported", e.code),
                )
                .with_help("remove it from the suppression"),
            );
        }
    }
    diags.extend(extra);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives() {
        assert_eq!(
            parse_comment("-- starsnap:ignore L003, L010 -- reason text"),
            Some((false, vec!["L003", "L010"], true))
        );
        assert_eq!(
            parse_comment("/* starsnap:ignore-file restore-in-place */"),
            Some((true, vec!["restore-in-place"], false))
        );
        assert_eq!(parse_comment("-- starsnap:ignored L003"), None);
        assert_eq!(parse_comment("-- plain comment"), None);
    }
}
