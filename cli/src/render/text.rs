//! Text rendering for people: caret diagnostics with `file:line:col`, rustc-style (via
//! `annotate-snippets`), then a one-line summary. Color only when asked (a TTY without
//! `NO_COLOR`); the decision is the caller's.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use starsnap_compiler::{Diagnostic, LineIndex, Severity};

use super::{FileReport, FileView, Rendered, Totals};

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

/// Text annotate-snippets would print unchanged on one line: no control characters.
fn plain_line(s: &str) -> bool {
    // Bytes first: printable ASCII is the common case; anything else is decided by character.
    s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(char::is_control)
}

/// The common finding written directly, byte for byte what annotate-snippets prints for it
/// (`render_one`), at a fraction of the cost (annotate-snippets takes microseconds per
/// finding; a large file can have hundreds of thousands). Only for plain output, a finding
/// without labels whose non-empty span lies on one line of printable ASCII with no trailing
/// blank and little indentation, and single-line texts; a line longer than the window is cut
/// as annotate-snippets cuts it ([`window`]) when the span lies between the `...`s. `false`
/// (nothing written) for anything else.
fn render_direct(
    out: &mut Vec<u8>,
    path: &str,
    source: &str,
    index: &LineIndex,
    d: &Diagnostic,
) -> bool {
    /// annotate-snippets' default terminal width, within which a line is shown whole.
    const WIDTH: usize = 140;
    let (start, end) = (d.span.start, d.span.end);
    if !d.labels.is_empty() || start >= end || end > source.len() || d.code.is_empty() {
        return false;
    }
    let lc = index.line_col(source, start);
    let range = index.line_range(source, lc.line);
    if start < range.start || end > range.end {
        return false;
    }
    let line = &source[range.clone()];
    let digits = lc.line.checked_ilog10().map_or(1, |l| l as usize + 1);
    let indent = line.bytes().take_while(|&b| b == b' ').count();
    if !line.bytes().all(|b| (0x20..0x7f).contains(&b))
        || line.ends_with(' ')
        || indent > 20
        || path.is_empty()
        || !plain_line(path)
        || !plain_line(&d.message)
        || !plain_line(&d.code)
        || !d.help.as_deref().is_none_or(plain_line)
        || !d
            .starrocks
            .as_ref()
            .is_none_or(|sr| plain_line(&sr.message) && plain_line(&sr.sqlstate))
    {
        return false;
    }
    let col = start - range.start;
    let shown = if line.len() + digits + 4 > WIDTH {
        // A long line: the part annotate-snippets shows, `...` marking what is cut.
        let width = WIDTH - 3 - digits;
        if end - start > width {
            // (A span wider than the window is drawn with its middle cut out.)
            return false;
        }
        let (left, right) = window(line.len(), indent, col, end - range.start, width);
        let cut_right = right < line.len();
        let from = if left > 0 { left + 3 } else { 0 };
        let to = if cut_right { right - 3 } else { right };
        // The span must lie in what is shown between the `...`s.
        if col < from || end - range.start > to || from > to {
            return false;
        }
        Shown {
            left,
            body: &line[from..to],
            cut_right,
        }
    } else {
        Shown {
            left: 0,
            body: line,
            cut_right: false,
        }
    };
    use std::io::Write as _;
    let pad = " ".repeat(digits);
    let _ = write!(
        out,
        "{}[{}]: {}\n{pad}--> {path}:{}:{}\n{pad} |\n{} | {shown}\n{pad} | {}{}",
        d.severity.as_str(),
        d.code,
        d.message,
        lc.line,
        col + 1,
        lc.line,
        Spaces(col - shown.left),
        Carets(end - start),
    );
    if d.help.is_some() || d.starrocks.is_some() {
        let _ = write!(out, "\n{pad} |");
    }
    if let Some(help) = &d.help {
        let _ = write!(out, "\n{pad} = help: {help}");
    }
    if let Some(sr) = &d.starrocks {
        let _ = write!(
            out,
            "\n{pad} = note: StarRocks answers: {} ({} {})",
            sr.message, sr.code, sr.sqlstate
        );
    }
    true
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

/// The part of a source line shown: from `left`, `...` then `body` (or the whole line when
/// `left` is 0), then `...` when cut on the right.
struct Shown<'a> {
    left: usize,
    body: &'a str,
    cut_right: bool,
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.left > 0 {
            f.write_str("...")?;
        }
        f.write_str(self.body)?;
        if self.cut_right {
            f.write_str("...")?;
        }
        Ok(())
    }
}

/// The columns `[left, right)` annotate-snippets shows of a line of `len` ASCII characters
/// with `indent` leading blanks and one annotation over `[start, end)` without a label, in
/// `width` columns (its `Margin`, 0.12: six columns of room around the span, long leading
/// whitespace trimmed, the span centred when the line is cut).
fn window(len: usize, indent: usize, start: usize, end: usize, width: usize) -> (usize, usize) {
    const ROOM: usize = 6;
    let ws = indent.min(start).saturating_sub(ROOM);
    let span_left = start.saturating_sub(ROOM);
    let span_right = end + ROOM;
    let label_right = end + ROOM;
    let mut left = if ws > 20 { ws - 16 } else { 0 };
    let mut right = len.max(left);
    if right - left > width {
        if label_right.saturating_sub(ws) <= width && label_right >= ws {
            left = ws;
        } else if label_right - span_left <= width {
            left = span_left.saturating_sub((width - (label_right - span_left)) / 2);
        } else if span_right - span_left <= width {
            left = span_left.saturating_sub((width - (span_right - span_left)) / 5 * 2);
        } else {
            return (span_left.min(len), span_right.min(len));
        }
        right = left + width;
    }
    let shown_left = left.min(len);
    let shown_right = if len.saturating_sub(left) <= width {
        len
    } else {
        len.min(right)
    };
    (shown_left, shown_right)
}

/// `n` spaces, written without a string of them.
struct Spaces(usize);

impl std::fmt::Display for Spaces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        repeat(f, b' ', self.0)
    }
}

/// `n` carets.
struct Carets(usize);

impl std::fmt::Display for Carets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        repeat(f, b'^', self.0)
    }
}

fn repeat(f: &mut std::fmt::Formatter<'_>, c: u8, n: usize) -> std::fmt::Result {
    const RUN: [[u8; 64]; 2] = [[b' '; 64], [b'^'; 64]];
    let run = if c == b' ' { &RUN[0] } else { &RUN[1] };
    let mut left = n;
    while left > 0 {
        let k = left.min(run.len());
        // ASCII: always valid UTF-8.
        f.write_str(std::str::from_utf8(&run[..k]).unwrap_or(""))?;
        left -= k;
    }
    Ok(())
}

/// Renders a chunk of one file's findings, each followed by a blank line.
pub(crate) fn render_chunk(
    color: bool,
    f: FileView<'_>,
    index: &LineIndex,
    ds: &mut [Diagnostic],
    out: &mut Rendered,
) {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let out = &mut out.bytes;
    out.reserve(ds.len() * 400);
    for d in ds.iter() {
        if color || !render_direct(out, f.path, f.source, index, d) {
            out.extend_from_slice(render_one(&renderer, f.path, f.source, index, d).as_bytes());
        }
        out.extend_from_slice(b"\n\n");
    }
}

/// The last line: files checked and findings by severity.
pub(crate) fn summary(t: &Totals) -> String {
    let files = if t.files == 1 { "file" } else { "files" };
    if t.errors + t.warnings + t.infos == 0 {
        format!("{} {files} checked, no findings\n", t.files)
    } else {
        format!(
            "{} {files} checked: {} error(s), {} warning(s), {} info\n",
            t.files, t.errors, t.warnings, t.infos
        )
    }
}

pub fn render_text(reports: &[FileReport], color: bool) -> String {
    super::render(super::Format::Text, reports, &[], color)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{fixtures, CHUNK};
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

    /// The direct writer prints exactly what annotate-snippets does wherever it applies.
    #[test]
    fn direct_rendering_matches_annotate_snippets() {
        use starsnap_compiler::{Stage, StarRocksError};
        let renderer = Renderer::plain();
        let mut lines: Vec<String> = vec![
            "BACKUP SNAPSHOT d.s TO r ON (t);".into(),
            "  SHOW BACKUP FROM d;".into(),
            "x".into(),
            "trailing blank ".into(),
            "tab\there".into(),
            "caf\u{e9} au lait".into(),
            "ends with cr\r".into(),
        ];
        for indent in [6, 19, 20, 21, 26, 27, 40] {
            lines.push(format!("{}RESTORE SNAPSHOT s FROM r;", " ".repeat(indent)));
        }
        for len in [120, 130, 133, 134, 135, 136, 137, 138, 139, 140, 150, 300] {
            lines.push("a".repeat(len));
        }
        for len in [150, 170, 260, 400] {
            let words = "ON (TABLE orders_1 PARTITION (p20240208, p20240309), VIEW v) ".repeat(8);
            lines.push(words[..len].trim_end().to_string());
            lines.push(format!(
                "{}{}",
                " ".repeat(12),
                words[..len - 12].trim_end()
            ));
        }
        let mut direct = 0;
        let mut checked = 0;
        // Written directly from a line annotate-snippets cuts.
        let mut cut = 0;
        for before in [0, 8, 9, 98, 99, 12_344] {
            for line in &lines {
                let src = format!("{}{line}\nSHOW BACKUP;\n", "\n".repeat(before));
                let at = before;
                let len = line.len();
                let mut spans = vec![
                    (at, at + len),
                    (at, at),
                    (at, at + 1),
                    (at + len - 1, at + len),
                ];
                if len > 10 {
                    spans.push((at + 3, at + 7));
                    spans.push((at + len - 5, at + len + 3));
                }
                if len > 100 {
                    // On long lines: spans at every place and of every size (cut lines).
                    for from in [10, 40, 60, 70, 90, len / 2, len - 30, len - 8] {
                        for n in [1, 5, 20, 60, 125, 200] {
                            if from + n <= len {
                                spans.push((at + from, at + from + n));
                            }
                        }
                    }
                }
                for (s, e) in spans {
                    for variant in 0..4 {
                        let mut d = match variant {
                            0 => Diagnostic::warning("L001", Span::new(s, e), "legacy `form`"),
                            1 => Diagnostic::error("V201", Span::new(s, e), "needs a property")
                                .with_help("add it")
                                .with_starrocks(StarRocksError {
                                    code: 5064,
                                    sqlstate: "42000".into(),
                                    message: "Getting analyzing error.".into(),
                                    stage: Stage::AnalyzeStatic,
                                }),
                            2 => Diagnostic::new(
                                "L014",
                                Severity::Info,
                                Span::new(s, e),
                                "x".repeat(200),
                            )
                            .with_help("two\nlines"),
                            _ => Diagnostic::warning("L009", Span::new(s, e), "m")
                                .with_help("h \u{e9}"),
                        };
                        if variant == 3 && s + 1 < e {
                            d = d.with_label(Span::new(s, s + 1), "here");
                        }
                        let index = LineIndex::new(&src);
                        let want = render_one(&renderer, "dir/f.sql", &src, &index, &d);
                        let mut got = Vec::new();
                        checked += 1;
                        if render_direct(&mut got, "dir/f.sql", &src, &index, &d) {
                            direct += 1;
                            if line.len() > 136 {
                                cut += 1;
                            }
                            assert_eq!(String::from_utf8_lossy(&got), want, "{d:?} in {src:?}");
                        } else {
                            assert!(got.is_empty());
                        }
                    }
                }
            }
        }
        assert!(
            direct * 8 > checked,
            "{direct} of {checked} written directly"
        );
        assert!(cut > 100, "{cut} cut lines written directly");
    }

    #[test]
    fn out_of_range_and_mid_character_spans_do_not_panic() {
        let d = Diagnostic::error("S001", Span::new(2, 900), "bad");
        let r = FileReport::new("x.sql", "é;", vec![d]);
        let out = render_text(&[r], true);
        assert!(out.contains("x.sql"), "{out}");
    }
}
