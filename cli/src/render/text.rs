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

/// Findings rendered per piece of work: big enough that a thread's start is nothing, small
/// enough that the output streams.
const CHUNK: usize = 4096;

fn render_chunk(color: bool, r: &FileReport, index: &LineIndex, ds: &[Diagnostic]) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in ds {
        out.push_str(&render_one(&renderer, &r.path, &r.source, index, d));
        out.push_str("\n\n");
    }
    out
}

/// Renders `reports` and hands the text to `sink` piece by piece, in order. The findings are
/// rendered on every core (annotate-snippets costs some microseconds per finding), a batch of
/// chunks at a time, so a report with a hundred thousand findings neither waits on one core
/// nor is held whole in memory.
pub fn write_text(reports: &[FileReport], color: bool, sink: &mut dyn FnMut(&str)) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    for r in reports {
        if r.diagnostics.is_empty() {
            continue;
        }
        let index = LineIndex::new(&r.source);
        let chunks: Vec<&[Diagnostic]> = r.diagnostics.chunks(CHUNK).collect();
        for batch in chunks.chunks(threads) {
            if let [one] = batch {
                sink(&render_chunk(color, r, &index, one));
                continue;
            }
            let pieces: Vec<String> = std::thread::scope(|scope| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|ds| scope.spawn(|| render_chunk(color, r, &index, ds)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            });
            for piece in &pieces {
                sink(piece);
            }
        }
    }
    let t = totals(reports);
    let files = if t.files == 1 { "file" } else { "files" };
    if t.errors + t.warnings + t.infos == 0 {
        sink(&format!("{} {files} checked, no findings\n", t.files));
    } else {
        sink(&format!(
            "{} {files} checked: {} error(s), {} warning(s), {} info\n",
            t.files, t.errors, t.warnings, t.infos
        ));
    }
}

pub fn render_text(reports: &[FileReport], color: bool) -> String {
    let mut out = String::new();
    write_text(reports, color, &mut |piece| out.push_str(piece));
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
    fn many_findings_render_in_order_across_threads() {
        let src = "SHOW BACKUP FROM d;\n".repeat(3 * CHUNK + 5);
        let ds: Vec<Diagnostic> = (0..3 * CHUNK + 5)
            .map(|i| {
                let at = i * 20;
                Diagnostic::warning("L014", Span::new(at, at + 4), format!("finding {i}"))
            })
            .collect();
        let r = FileReport::new("x.sql", src, ds);
        let out = render_text(&[r], false);
        let seen: Vec<usize> = out
            .lines()
            .filter_map(|l| l.split("finding ").nth(1))
            .filter_map(|n| n.trim().parse().ok())
            .collect();
        assert_eq!(seen, (0..3 * CHUNK + 5).collect::<Vec<_>>());
        assert!(
            out.contains(&format!("x.sql:{}:1", 3 * CHUNK + 5)),
            "the last finding's line"
        );
    }

    #[test]
    fn out_of_range_and_mid_character_spans_do_not_panic() {
        let d = Diagnostic::error("S001", Span::new(2, 900), "bad");
        let r = FileReport::new("x.sql", "é;", vec![d]);
        let out = render_text(&[r], true);
        assert!(out.contains("x.sql"), "{out}");
    }
}
