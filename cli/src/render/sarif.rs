//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one run, the rules that
//! fired (with their documentation when known), one result per finding.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};
use starsnap_compiler::{Diagnostic, LineIndex, Severity};

use super::{pretty_into, region, write_json_array, FileReport, RuleDoc};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn sarif_level(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Writes the SARIF log to `sink` in pieces, the results rendered on every core: the same
/// bytes as `serde_json`'s pretty printing of the whole log, and a trailing newline.
pub fn write_sarif(reports: &[FileReport], docs: &[RuleDoc], sink: &mut dyn FnMut(&str)) {
    // Rules: every code that fired, in code order, described from the registry when known.
    let mut fired: BTreeMap<&str, Severity> = BTreeMap::new();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        fired.entry(d.code.as_str()).or_insert(d.severity);
    }
    let rule_index: BTreeMap<&str, usize> =
        fired.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    let rules: Vec<Value> = fired
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
        .collect();

    let doc = Log {
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
    };
    write_json_array(
        &doc,
        "\"results\": []",
        reports,
        &|r: &FileReport, index: &LineIndex, d: &Diagnostic, buf: &mut Vec<u8>| {
            let g = region(index, &r.source, d);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let result = SarifResult {
                level: sarif_level(d.severity),
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation { uri: &r.path },
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
                message: Message { text },
                properties: d.starrocks.as_ref().map(|sr| Properties {
                    starrocks_error_code: sr.code,
                    starrocks_message: &sr.message,
                    starrocks_sql_state: &sr.sqlstate,
                }),
                rule_id: &d.code,
                rule_index: rule_index.get(d.code.as_str()).copied().unwrap_or(0),
            };
            pretty_into(buf, &result)
        },
        sink,
    );
}

pub fn render_sarif(reports: &[FileReport], docs: &[RuleDoc]) -> String {
    let mut s = String::new();
    write_sarif(reports, docs, &mut |piece| s.push_str(piece));
    s
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
    message: Message,
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
struct Message {
    text: String,
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
