//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one run, the rules that
//! fired (with their documentation when known), one result per finding.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};
use starsnap_compiler::{Diagnostic, LineIndex, Severity};

use super::{
    json_item_into, pipeline, region, split_document, write_document, FileView, Producer, Rendered,
    RuleDoc, Totals,
};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn sarif_level(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The rules: every code that fired, in code order, described from the registry when known.
fn rules(fired: &BTreeMap<String, Severity>, docs: &[RuleDoc]) -> Vec<Value> {
    fired
        .iter()
        .map(|(code, sev)| match docs.iter().find(|r| r.code == *code) {
            Some(doc) => json!({
                "id": code,
                "name": doc.name,
                "shortDescription": { "text": doc.summary },
                "defaultConfiguration": { "level": sarif_level(doc.default_severity) },
            }),
            None => json!({
                "id": code,
                "defaultConfiguration": { "level": sarif_level(*sev) },
            }),
        })
        .collect()
}

fn log(rules: Vec<Value>) -> Log {
    Log {
        schema: SARIF_SCHEMA,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results: Vec::new(),
            tool: Tool {
                driver: Driver {
                    name: "starsnap",
                    rules,
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    }
}

const MARKER: &str = "\"results\": []";

/// The `"ruleIndex": 0` a result is rendered with, its digit filled in at the end.
const RULE_INDEX: &[u8] = b"\"ruleIndex\": 0";

/// Renders the results `produce` hands on while it runs (on every core) and writes the log
/// once they are all in (a result's `ruleIndex` needs every code that fired): the same bytes
/// as `serde_json`'s pretty printing of the whole log, and a trailing newline.
pub(crate) fn write_sarif_stream(
    files: &[FileView<'_>],
    docs: &[RuleDoc],
    produce: Producer<'_>,
    sink: &mut dyn FnMut(&[u8]),
) -> Totals {
    let (_, _, level) = split_document(&log(Vec::new()), MARKER);
    let render = |f: FileView<'_>, index: &LineIndex, ds: &mut [Diagnostic], out: &mut Rendered| {
        out.bytes.reserve(ds.len() * 900);
        for d in ds.iter_mut() {
            let g = region(index, f.source, d);
            let result = SarifResult {
                level: sarif_level(d.severity),
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation { uri: f.path },
                        region: SarifRegion {
                            char_length: d.span.end.saturating_sub(d.span.start),
                            char_offset: d.span.start,
                            end_column: g.end_col,
                            end_line: g.end_line,
                            start_column: g.start_col,
                            start_line: g.start_line,
                        },
                    },
                }],
                message: Message {
                    text: MessageText {
                        message: &d.message,
                        help: d.help.as_deref(),
                    },
                },
                properties: d.starrocks.as_ref().map(|sr| Properties {
                    starrocks_error_code: sr.code,
                    starrocks_message: &sr.message,
                    starrocks_sql_state: &sr.sqlstate,
                }),
                rule_id: &d.code,
                rule_index: 0,
            };
            json_item_into(&mut out.bytes, level, &result);
            // `ruleIndex` is the last field: its digit is near the end.
            let near = out
                .bytes
                .len()
                .saturating_sub(RULE_INDEX.len() + 2 * level + 8);
            if let Some(at) = out.bytes[near..]
                .windows(RULE_INDEX.len())
                .rposition(|w| w == RULE_INDEX)
            {
                out.slots.push((
                    near + at + RULE_INDEX.len() - 1,
                    std::mem::take(&mut d.code),
                ));
            }
        }
    };
    let mut items = Vec::new();
    let tally = pipeline(files, &render, produce, &mut |r| items.push(r));
    let rule_index: BTreeMap<&str, usize> = tally
        .fired
        .keys()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let (head, tail, level) = split_document(&log(rules(&tally.fired, docs)), MARKER);
    let mut buf = Vec::new();
    write_document(
        &head,
        &tail,
        level,
        &items,
        &mut |r, skip, sink| {
            // The chunk with its rule indexes, written at once.
            buf.clear();
            let mut from = skip;
            for (at, code) in &r.slots {
                buf.extend_from_slice(&r.bytes[from..*at]);
                let i = rule_index.get(code.as_str()).copied().unwrap_or(0);
                buf.extend_from_slice(i.to_string().as_bytes());
                from = at + 1;
            }
            buf.extend_from_slice(&r.bytes[from..]);
            sink(&buf);
        },
        sink,
    );
    tally.totals
}

#[cfg(test)]
pub fn render_sarif(reports: &[super::FileReport], docs: &[RuleDoc]) -> String {
    super::render(super::Format::Sarif, reports, docs, false)
}

// The SARIF document, typed: fields in alphabetical order, as the JSON objects always were
// written (a tree of `serde_json::Value`s cost several allocations per field and finding).
#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    column_kind: &'static str,
    /// Always empty here: `write_json_array` writes the results into its place.
    results: Vec<()>,
    tool: Tool,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    rules: Vec<Value>,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    level: &'static str,
    locations: [Location<'a>; 1],
    message: Message<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties<'a>>,
    rule_id: &'a str,
    rule_index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: SarifRegion,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    char_length: usize,
    char_offset: usize,
    end_column: usize,
    end_line: usize,
    start_column: usize,
    start_line: usize,
}

#[derive(Serialize)]
struct Message<'a> {
    text: MessageText<'a>,
}

/// The message, then `help: …` on a line of its own when there is help: one JSON string,
/// written without joining the two first.
struct MessageText<'a> {
    message: &'a str,
    help: Option<&'a str>,
}

impl std::fmt::Display for MessageText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)?;
        if let Some(help) = self.help {
            f.write_str("\nhelp: ")?;
            f.write_str(help)?;
        }
        Ok(())
    }
}

impl Serialize for MessageText<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Serialize)]
struct Properties<'a> {
    #[serde(rename = "starrocksErrorCode")]
    starrocks_error_code: u16,
    #[serde(rename = "starrocksMessage")]
    starrocks_message: &'a str,
    #[serde(rename = "starrocksSqlState")]
    starrocks_sql_state: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;

    #[test]
    fn sarif_golden() {
        let docs = vec![RuleDoc {
            code: "L003".into(),
            name: "incremental-backup-type".into(),
            summary: "BACKUP with type = incremental, which StarRocks refuses".into(),
            default_severity: Severity::Warning,
        }];
        insta::assert_snapshot!(render_sarif(&fixtures::reports(), &docs));
    }

    /// Streamed in pieces from several threads, the log is byte for byte what `serde_json`
    /// prints for it whole (every object's keys are in alphabetical order, so printing the
    /// parsed value again must give the same bytes).
    #[test]
    fn streamed_sarif_is_serde_jsons_document() {
        for reports in fixtures::shapes() {
            let out = render_sarif(&reports, &[]);
            let v: Value = serde_json::from_str(&out).expect("json");
            assert_eq!(out, serde_json::to_string_pretty(&v).expect("json") + "\n");
            let n: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
            assert_eq!(v["runs"][0]["results"].as_array().map(Vec::len), Some(n));
            // Each result's rule index (filled in after rendering) names its own rule.
            let rules = &v["runs"][0]["tool"]["driver"]["rules"];
            for r in v["runs"][0]["results"].as_array().into_iter().flatten() {
                let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
                assert_eq!(rules[i]["id"], r["ruleId"], "{r}");
            }
        }
    }

    #[test]
    fn sarif_shape() {
        let v: Value =
            serde_json::from_str(&render_sarif(&fixtures::reports(), &[])).expect("json");
        assert_eq!(v["version"], "2.1.0");
        let results = v["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), 2);
        assert_eq!(results[1]["level"], "error");
        assert_eq!(
            results[1]["locations"][0]["physicalLocation"]["region"]["startLine"],
            3
        );
    }
}
