//! Text rendering for people: caret diagnostics with `file:line:col`, rustc-style (via
//! `annotate-snippets`), then a one-line summary. Color only when asked (a TTY without
//! `NO_COLOR`); the decision is the caller's.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use starsnap_compiler::{Diagnostic, LineIndex, Severity};

use super::{totals, FileReport};

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// A span clamped to the source and to character boundaries, so a bad span can never panic
/// the renderer.
fn clamp(source: &str, start: usize, end: usize) -> std::ops::Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(source.len());
        while i > 0 && !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let s = fix(start);
    let e = fix(end.max(start));
    s..e
}

/// The largest source excerpt shown under a diagnostic. A span whose lines are longer (a
/// 100 MB unterminated comment, a minified file) is reported by position alone.
const MAX_EXCERPT: usize = 16 * 1024;

/// The byte range of the whole lines `span` touches, and the first line's number.
fn line_window(
    index: &LineIndex,
    source: &str,
    span: &std::ops::Range<usize>,
) -> (std::ops::Range<usize>, usize) {
    // Through the index: searching the text for line feeds costs a line's length per
    // finding, quadratic on one long line with a finding per statement.
    let first = index.line_col(source, span.start).line;
    let last = index.line_col(source, span.end).line;
    let start = index.line_range(source, first).start;
    let end = index.line_range(source, last).end.max(start);
    (start..end, first)
}

fn render_one(
    renderer: &Renderer,
    path: &str,
    source: &str,
    index: &LineIndex,
    d: &Diagnostic,
) -> String {
    let span = clamp(source, d.span.start, d.span.end);
    let (mut window, mut first_line) = line_window(index, source, &span);
    // Widen the excerpt to the labels' lines while it stays small.
    for l in &d.labels {
        let ls = clamp(source, l.span.start, l.span.end);
        let (w, line) = line_window(index, source, &ls);
        let union = w.start.min(window.start)..w.end.max(window.end);
        if union.len() <= MAX_EXCERPT {
            if w.start < window.start {
                first_line = line;
            }
            window = union;
        }
    }
    let mut group: Group<'_> = Group::with_title(
        level(d.severity)
            .primary_title(d.message.as_str())
            .id(d.code.as_str()),
    );
    let location;
    if window.len() <= MAX_EXCERPT {
        let excerpt = &source[window.clone()];
        let rel = |r: std::ops::Range<usize>| (r.start - window.start)..(r.end - window.start);
        let mut snippet = Snippet::source(excerpt)
            .line_start(first_line)
            .path(path)
            .annotation(AnnotationKind::Primary.span(rel(span.clone())));
        for l in &d.labels {
            let ls = clamp(source, l.span.start, l.span.end);
            // Labels outside the excerpt are named in the message instead.
            if ls.start >= window.start && ls.end <= window.end {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(rel(ls))
                        .label(l.message.as_str()),
                );
            }
        }
        group = group.element(snippet);
    } else {
        let lc = index.line_col(source, span.start);
        location = format!(
            "at {path}:{}:{} (source line too long to show)",
            lc.line, lc.col
        );
        group = group.element(Level::NOTE.message(location.as_str()));
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    if let Some(sr) = &d.starrocks {
        let note = format!(
            "StarRocks answers: {} ({} {})",
            sr.message, sr.code, sr.sqlstate
        );
        group = group.element(Level::NOTE.message(note));
    }
    renderer.render(&[group])
}

pub fn render_text(reports: &[FileReport], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for r in reports {
        let index = LineIndex::new(&r.source);
        for d in &r.diagnostics {
            out.push_str(&render_one(&renderer, &r.path, &r.source, &index, d));
            out.push_str("\n\n");
        }
    }
    let t = totals(reports);
    let files = if t.files == 1 { "file" } else { "files" };
    if t.errors + t.warnings + t.infos == 0 {
        out.push_str(&format!("{} {files} checked, no findings\n", t.files));
    } else {
        out.push_str(&format!(
            "{} {files} checked: {} error(s), {} warning(s), {} info\n",
            t.files, t.errors, t.warnings, t.infos
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;
    use starsnap_compiler::Span;

    #[test]
    fn text_golden() {
        insta::assert_snapshot!(render_text(&fixtures::reports(), false));
    }

    #[test]
    fn out_of_range_and_mid_character_spans_do_not_panic() {
        let d = Diagnostic::error("S001", Span::new(2, 900), "bad");
        let r = FileReport::new("x.sql", "é;", vec![d]);
        let out = render_text(&[r], true);
        assert!(out.contains("x.sql"), "{out}");
    }
}
