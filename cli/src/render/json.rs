//! Machine-readable lint output, documented by `grammar/lint-output.schema.json`.
//! Stable field order, one document per run, trailing newline.

use serde::Serialize;
use starsnap_compiler::{Diagnostic, Label, LineIndex, Severity, StarRocksError};

use super::{
    json_item_into, pipeline, region, split_document, ArrayWriter, FileView, Producer, Rendered,
    Totals,
};

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

fn item<'a>(r: FileView<'a>, index: &LineIndex, d: &'a Diagnostic) -> Item<'a> {
    let g = region(index, r.source, d);
    Item {
        path: r.path,
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

fn document(summary: Totals) -> Output<'static> {
    Output {
        version: LINT_JSON_VERSION,
        tool: Tool {
            name: "starsnap",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary,
        diagnostics: Vec::new(),
    }
}

const MARKER: &str = "\"diagnostics\": []";

/// Renders the findings `produce` hands on while it runs (on every core) and writes the
/// document once they are all in (its summary comes first): the same bytes as `serde_json`'s
/// pretty printing of the whole document, and a trailing newline.
pub(crate) fn write_json_stream(
    files: &[FileView<'_>],
    produce: Producer<'_>,
    sink: &mut dyn FnMut(&[u8]),
) -> Totals {
    let (_, _, level) = split_document(&document(Totals::default()), MARKER);
    let render = |f: FileView<'_>, index: &LineIndex, ds: &mut [Diagnostic], out: &mut Rendered| {
        out.bytes.reserve(ds.len() * 600);
        for d in ds.iter() {
            json_item_into(&mut out.bytes, level, &item(f, index, d));
        }
    };
    let mut items = Vec::new();
    let tally = pipeline(files, &render, produce, &mut |r| items.push(r));
    let (head, tail, level) = split_document(&document(tally.totals), MARKER);
    let mut w = ArrayWriter::start(&head, level, sink);
    for r in &items {
        w.chunk(r, sink);
    }
    w.finish(&tail, sink);
    tally.totals
}

#[cfg(test)]
pub fn render_json(reports: &[super::FileReport]) -> String {
    super::render(super::Format::Json, reports, &[], false)
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
                let f = FileView {
                    path: &r.path,
                    source: &r.source,
                };
                diagnostics.extend(r.diagnostics.iter().map(|d| item(f, &index, d)));
            }
            let whole = Output {
                version: LINT_JSON_VERSION,
                tool: Tool {
                    name: "starsnap",
                    version: env!("CARGO_PKG_VERSION"),
                },
                summary: crate::render::totals(&reports),
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
