//! Renderers: diagnostics are data (from the compiler); these turn them into text for a
//! person, JSON for machines, SARIF for code scanning, and GitHub workflow annotations.
//! The same renderers serve `lint` and `plan`'s policy diagnostics.

mod github;
mod json;
mod sarif;
mod text;

use std::str::FromStr;

use starsnap_compiler::{Diagnostic, LineIndex, Severity};

pub use github::{render_github, write_github};
pub use json::{render_json, write_json};
pub use sarif::{render_sarif, write_sarif};
pub use text::{render_text, write_text};

/// One input file and what was found in it.
#[derive(Debug)]
pub struct FileReport {
    /// The path as the user gave it (`-` reads as `<stdin>`), with `/` separators.
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    pub fn new(
        path: impl Into<String>,
        source: impl Into<String>,
        mut diagnostics: Vec<Diagnostic>,
    ) -> Self {
        fn key(d: &Diagnostic) -> (usize, usize, &str) {
            (d.span.start, d.span.end, d.code.as_str())
        }
        // The lint driver mostly reports in order already: check before sorting.
        if !diagnostics.is_sorted_by(|a, b| key(a) <= key(b)) {
            diagnostics.sort_by(|a, b| key(a).cmp(&key(b)));
        }
        FileReport {
            path: path.into(),
            source: source.into(),
            diagnostics,
        }
    }
}

/// A diagnostic's location, resolved to 1-based lines and character columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub start_line: usize,
    pub start_col: usize,
    pub end_line: usize,
    pub end_col: usize,
}

pub(crate) fn region(index: &LineIndex, source: &str, d: &Diagnostic) -> Region {
    let s = index.line_col(source, d.span.start);
    let e = index.line_col(source, d.span.end.max(d.span.start));
    Region {
        start_line: s.line,
        start_col: s.col,
        end_line: e.line,
        end_col: e.col,
    }
}

/// Counts by severity over all reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

pub fn totals(reports: &[FileReport]) -> Totals {
    let mut t = Totals {
        files: reports.len(),
        ..Totals::default()
    };
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        match d.severity {
            Severity::Error => t.errors += 1,
            Severity::Warning => t.warnings += 1,
            Severity::Info => t.infos += 1,
        }
    }
    t
}

/// Findings rendered per piece of work: big enough that a thread's start is nothing, small
/// enough that the output streams.
pub(crate) const CHUNK: usize = 4096;

/// Renders every report's findings with `render` (a chunk of one file's findings at a time)
/// and hands the pieces to `sink` in order. The chunks are rendered on every core, a batch at a
/// time, so a report with hundreds of thousands of findings neither waits on one core nor is
/// held whole in memory.
pub(crate) fn par_findings(
    reports: &[FileReport],
    render: &(dyn Fn(&FileReport, &LineIndex, &[Diagnostic]) -> String + Sync),
    sink: &mut dyn FnMut(&str),
) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    for r in reports {
        if r.diagnostics.is_empty() {
            continue;
        }
        let index = LineIndex::new(&r.source);
        let chunks: Vec<&[Diagnostic]> = r.diagnostics.chunks(CHUNK).collect();
        for batch in chunks.chunks(threads) {
            if let [one] = batch {
                sink(&render(r, &index, one));
                continue;
            }
            let pieces: Vec<String> = std::thread::scope(|scope| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|ds| scope.spawn(|| render(r, &index, ds)))
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
}

/// Appends one finding of a file, as pretty-printed JSON, to the buffer.
pub(crate) type JsonItem<'a> =
    dyn Fn(&FileReport, &LineIndex, &Diagnostic, &mut Vec<u8>) + Sync + 'a;

/// Appends `value` pretty-printed (`serde_json`'s format) to `buf`.
pub(crate) fn pretty_into(buf: &mut Vec<u8>, value: &impl serde::Serialize) {
    if let Err(e) = serde_json::to_writer_pretty(&mut *buf, value) {
        buf.extend_from_slice(format!("{{\"error\": \"{e}\"}}").as_bytes());
    }
}

/// Writes a pretty-printed JSON document with one large array, and a trailing newline, the
/// array's items rendered in parallel and streamed: `doc` is the whole document with that
/// array empty, `marker` the array's `"key": []` in its printed form; `item` renders one
/// finding as a pretty-printed JSON value (indented here to its place). The bytes are those
/// `serde_json` prints for the whole document at once.
pub(crate) fn write_json_array(
    doc: &impl serde::Serialize,
    marker: &str,
    reports: &[FileReport],
    item: &JsonItem<'_>,
    sink: &mut dyn FnMut(&str),
) {
    let doc = match serde_json::to_string_pretty(doc) {
        Ok(doc) => doc,
        Err(e) => return sink(&format!("{{\"error\": \"{e}\"}}\n")),
    };
    let Some(at) = doc.find(marker) else {
        sink(&doc);
        sink("\n");
        return;
    };
    let indent = " ".repeat(at - doc[..at].rfind('\n').map_or(0, |n| n + 1) + 2);
    let (head, tail) = (&doc[..at + marker.len() - 2], &doc[at + marker.len()..]);
    sink(head);
    sink("[");
    let mut first = true;
    par_findings(
        reports,
        &|r: &FileReport, index: &LineIndex, ds: &[Diagnostic]| {
            let mut out = String::new();
            let mut buf = Vec::new();
            for d in ds {
                buf.clear();
                item(r, index, d, &mut buf);
                out.push_str(",\n");
                // JSON text has no raw line feeds inside strings: every line is indented.
                for (i, line) in String::from_utf8_lossy(&buf).split('\n').enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(&indent);
                    out.push_str(line);
                }
            }
            out
        },
        &mut |piece: &str| {
            // The first item follows `[` directly, the others a comma.
            let piece = if first { &piece[1..] } else { piece };
            first = false;
            sink(piece);
        },
    );
    if !first {
        sink("\n");
        sink(&indent[2..]);
    }
    sink("]");
    sink(tail);
    sink("\n");
}

/// What a rule code means, for renderers that describe rules (SARIF).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDoc {
    pub code: String,
    pub name: String,
    pub summary: String,
    pub default_severity: Severity,
}

/// Output formats shared by `lint` and `plan` diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            other => Err(format!(
                "unknown format '{other}' (expected text, json, sarif or github)"
            )),
        }
    }
}

/// Renders `reports` in `format` and hands the output to `sink` in pieces, as they are
/// rendered (the findings on every core). `color` applies to text only.
pub fn write(
    format: Format,
    reports: &[FileReport],
    rules: &[RuleDoc],
    color: bool,
    sink: &mut dyn FnMut(&str),
) {
    match format {
        Format::Text => write_text(reports, color, sink),
        Format::Json => write_json(reports, sink),
        Format::Sarif => write_sarif(reports, rules, sink),
        Format::Github => write_github(reports, sink),
    }
}

/// Renders `reports` in `format`. `color` applies to text only.
pub fn render(format: Format, reports: &[FileReport], rules: &[RuleDoc], color: bool) -> String {
    match format {
        Format::Text => render_text(reports, color),
        Format::Json => render_json(reports),
        Format::Sarif => render_sarif(reports, rules),
        Format::Github => render_github(reports),
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use starsnap_compiler::Label;

    /// Report sets of every shape: many findings, a few, none at all, only clean files.
    pub fn shapes() -> Vec<Vec<FileReport>> {
        vec![many(), reports(), Vec::new(), reports().split_off(1)]
    }

    /// Several files, one with findings over several chunks (some with labels, help and
    /// StarRocks errors), a clean one between: for checking the streamed renderers.
    pub fn many() -> Vec<FileReport> {
        let mut out = reports();
        let line = "BACKUP SNAPSHOT d.s TO r ON (t);\n";
        let n = 2 * super::CHUNK + 7;
        let src = line.repeat(n);
        let mut ds: Vec<Diagnostic> = Vec::new();
        for i in 0..n {
            let at = i * line.len();
            let mut d = Diagnostic::warning(
                "L001",
                Span::new(at, at + 31),
                format!("finding {i} \"q\" \\"),
            );
            if i % 3 == 0 {
                d = d.with_help("rewrite as: BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t)");
            }
            if i % 5 == 0 {
                d.labels.push(Label {
                    span: Span::new(at + 7, at + 15),
                    message: "here".into(),
                });
            }
            ds.push(d);
        }
        out.insert(1, FileReport::new("big.sql", src, ds));
        out
    }

    use super::FileReport;
    use starsnap_compiler::{Diagnostic, Span, Stage, StarRocksError};

    /// Two files: one with an error and a warning (the error spans two lines), one clean.
    pub fn reports() -> Vec<FileReport> {
        let src = "BACKUP SNAPSHOT s TO r\nPROPERTIES (\"type\" = \"incremental\");\nRESTORE SNAPSHOT d.s FROM r;\n";
        let ty = src.find("\"incremental\"").unwrap_or(0);
        let restore = src.find("RESTORE").unwrap_or(0);
        vec![
            FileReport::new(
                "sql/runbook.sql",
                src,
                vec![
                    Diagnostic::warning(
                        "L003",
                        Span::new(ty, ty + 13),
                        "`type = \"incremental\"` is refused by StarRocks at execution",
                    )
                    .with_help("remove the property: StarRocks takes only full snapshots"),
                    Diagnostic::error(
                        "V201",
                        Span::new(restore, src.len() - 1),
                        "RESTORE needs the `backup_timestamp` property",
                    )
                    .with_help("add PROPERTIES (\"backup_timestamp\" = \"yyyy-MM-dd-HH-mm-ss-SSS\")")
                    .with_starrocks(StarRocksError {
                        code: 5064,
                        sqlstate: "42000".into(),
                        message: "Getting analyzing error. Detail message: Missing backup_timestamp property.".into(),
                        stage: Stage::AnalyzeStatic,
                    }),
                ],
            ),
            FileReport::new("sql/clean.sql", "SHOW BACKUP FROM d;\n", vec![]),
        ]
    }
}
