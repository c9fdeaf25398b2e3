//! Renderers: diagnostics are data (from the compiler); these turn them into text for a
//! person, JSON for machines, SARIF for code scanning, and GitHub workflow annotations.
//! The same renderers serve `lint` and `plan`'s policy diagnostics.

mod github;
mod json;
mod sarif;
mod text;

use std::str::FromStr;

use starsnap_compiler::{Diagnostic, LineIndex, Severity};

pub use github::render_github;
pub use json::render_json;
pub use sarif::render_sarif;
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

/// Renders `reports` in `format` and hands the output to `sink` in pieces (text streams as
/// it is rendered; the documents come whole). `color` applies to text only.
pub fn write(
    format: Format,
    reports: &[FileReport],
    rules: &[RuleDoc],
    color: bool,
    sink: &mut dyn FnMut(&str),
) {
    match format {
        Format::Text => write_text(reports, color, sink),
        other => sink(&render(other, reports, rules, color)),
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
