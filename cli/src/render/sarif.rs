//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one run, the rules that
//! fired (with their documentation when known), one result per finding.

use std::collections::BTreeMap;

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

    let mut results = Vec::new();
    for r in reports {
        let index = LineIndex::new(&r.source);
        for d in &r.diagnostics {
            let g = region(&index, &r.source, d);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": rule_index.get(d.code.as_str()).copied().unwrap_or(0),
                "level": sarif_level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": r.path },
                        "region": {
                            "startLine": g.start_line,
                            "startColumn": g.start_col,
                            "endLine": g.end_line,
                            "endColumn": g.end_col,
                            "charOffset": d.span.start,
                            "charLength": d.span.end.saturating_sub(d.span.start),
                        }
                    }
                }],
            });
            if let Some(sr) = &d.starrocks {
                result["properties"] = json!({
                    "starrocksErrorCode": sr.code,
                    "starrocksSqlState": sr.sqlstate,
                    "starrocksMessage": sr.message,
                });
            }
            results.push(result);
        }
    }

    let doc = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "starsnap",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
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
