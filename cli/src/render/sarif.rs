//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one run, the rules that
//! fired (with their documentation when known), one result per finding.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};
use starsnap_compiler::{LineIndex, Severity};

use super::{region, FileReport, RuleDoc};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn sarif_level(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn render_sarif(reports: &[FileReport], docs: &[RuleDoc]) -> String {
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

    let mut results = Vec::with_capacity(reports.iter().map(|r| r.diagnostics.len()).sum());
    for r in reports {
        let index = LineIndex::new(&r.source);
        for d in &r.diagnostics {
            let g = region(&index, &r.source, d);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            results.push(SarifResult {
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
            });
        }
    }

    let doc = Log {
        schema: SARIF_SCHEMA,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results,
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
    let mut out = Vec::with_capacity(1 << 16);
    if let Err(e) = serde_json::to_writer_pretty(&mut out, &doc) {
        return format!("{{\"error\": \"{e}\"}}\n");
    }
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

// The SARIF document, typed: fields in alphabetical order, as the JSON objects always were
// written (a tree of `serde_json::Value`s cost several allocations per field and finding).
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
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
