//! Text rendering for people: caret diagnostics with `file:line:col`, rustc-style (via
//! `annotate-snippets`), then a one-line summary. Color only when asked (a TTY without
//! `NO_COLOR`); the decision is the caller's.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use starsnap_compiler::{Diagnostic, Severity};

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

fn render_one(renderer: &Renderer, path: &str, source: &str, d: &Diagnostic) -> String {
    let span = clamp(source, d.span.start, d.span.end);
    let mut snippet = Snippet::source(source)
        .path(path)
        .annotation(AnnotationKind::Primary.span(span));
    for l in &d.labels {
        snippet = snippet.annotation(
            AnnotationKind::Context
                .span(clamp(source, l.span.start, l.span.end))
                .label(l.message.as_str()),
        );
    }
    let mut group: Group<'_> = level(d.severity)
        .primary_title(d.message.as_str())
        .id(d.code.as_str())
        .element(snippet);
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
        for d in &r.diagnostics {
            out.push_str(&render_one(&renderer, &r.path, &r.source, d));
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
