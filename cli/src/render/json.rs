//! Machine-readable lint output, documented by `grammar/lint-output.schema.json`.
//! Stable field order, one document per run, trailing newline.

use serde::Serialize;
use starsnap_compiler::{Diagnostic, Label, LineIndex, Severity, StarRocksError};

use super::{pretty_into, region, totals, write_json_array, FileReport, Totals};

/// Version of the lint JSON format; bumped on any incompatible change.
pub const LINT_JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    summary: Totals,
    diagnostics: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct ByteSpan {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct Item<'a> {
    path: &'a str,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    start: Position,
    end: Position,
    span: ByteSpan,
    #[serde(skip_serializing_if = "<[Label]>::is_empty")]
    labels: &'a [Label],
    #[serde(skip_serializing_if = "Option::is_none")]
    starrocks: Option<&'a StarRocksError>,
}

fn item<'a>(r: &'a FileReport, index: &LineIndex, d: &'a Diagnostic) -> Item<'a> {
    let g = region(index, &r.source, d);
    Item {
        path: &r.path,
        code: &d.code,
        severity: d.severity,
        message: &d.message,
        help: d.help.as_deref(),
        start: Position {
            line: g.start_line,
            column: g.start_col,
        },
        end: Position {
            line: g.end_line,
            column: g.end_col,
        },
        span: ByteSpan {
            start: d.span.start,
            end: d.span.end,
        },
        labels: &d.labels,
        starrocks: d.starrocks.as_ref(),
    }
}

/// Writes the document to `sink` in pieces, the findings rendered on every core: the same
/// bytes as `serde_json`'s pretty printing of the whole document, and a trailing newline.
pub fn write_json(reports: &[FileReport], sink: &mut dyn FnMut(&str)) {
    let out = Output {
        version: LINT_JSON_VERSION,
        tool: Tool {
            name: "starsnap",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: totals(reports),
        diagnostics: Vec::new(),
    };
    write_json_array(
        &out,
        "\"diagnostics\": []",
        reports,
        &|r: &FileReport, index: &LineIndex, d: &Diagnostic, buf: &mut Vec<u8>| {
            pretty_into(buf, &item(r, index, d))
        },
        sink,
    );
}

pub fn render_json(reports: &[FileReport]) -> String {
    let mut s = String::new();
    write_json(reports, &mut |piece| s.push_str(piece));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;

    #[test]
    fn json_golden() {
        insta::assert_snapshot!(render_json(&fixtures::reports()));
    }

    /// Streamed in pieces from several threads, the document is byte for byte what
    /// `serde_json` prints for it whole.
    #[test]
    fn streamed_json_is_serde_jsons_document() {
        for reports in fixtures::shapes() {
            let mut diagnostics = Vec::new();
            for r in &reports {
                let index = LineIndex::new(&r.source);
                diagnostics.extend(r.diagnostics.iter().map(|d| item(r, &index, d)));
            }
            let whole = Output {
                version: LINT_JSON_VERSION,
                tool: Tool {
                    name: "starsnap",
                    version: env!("CARGO_PKG_VERSION"),
                },
                summary: totals(&reports),
                diagnostics,
            };
            let want = serde_json::to_string_pretty(&whole).expect("json") + "\n";
            assert_eq!(render_json(&reports), want);
        }
    }

    #[test]
    fn json_is_valid_and_counts() {
        let v: serde_json::Value =
            serde_json::from_str(&render_json(&fixtures::reports())).expect("lint output is JSON");
        assert_eq!(v["summary"]["errors"], 1);
        assert_eq!(v["summary"]["warnings"], 1);
        assert_eq!(v["summary"]["files"], 2);
        assert_eq!(v["diagnostics"][1]["starrocks"]["code"], 5064);
    }
}
