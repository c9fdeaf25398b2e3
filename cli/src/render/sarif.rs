//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one run, every rule starsnap
//! has (the table the caller gives, in its order), one result per finding. The rules are known
//! before the first finding, so each result's `ruleIndex` is too and results are written as
//! they are rendered.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{json, Value};
use starsnap_compiler::{Diagnostic, LineIndex, Severity};

use super::{
    json_item_into, pipeline, region, split_document, ArrayWriter, FileView, Producer, Rendered,
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

/// The rules: every documented code in the table's order (a result's `ruleIndex` points into
/// it), then any code that fired without being documented, in code order, with the severity
/// of its first finding (such results have no `ruleIndex`).
fn rules(docs: &[RuleDoc], fired: &BTreeMap<String, Severity>) -> Vec<Value> {
    let documented = docs.iter().map(|doc| {
        let mut rule = json!({
            "id": doc.code,
            "shortDescription": { "text": doc.summary },
        });
        if let Some(name) = &doc.name {
            rule["name"] = json!(name);
        }
        if let Some(sev) = doc.default_severity {
            rule["defaultConfiguration"] = json!({ "level": sarif_level(sev) });
        }
        rule
    });
    let undocumented = fired
        .iter()
        .filter(|(code, _)| !docs.iter().any(|d| d.code == **code))
        .map(|(code, sev)| {
            json!({
                "id": code,
                "defaultConfiguration": { "level": sarif_level(*sev) },
            })
        });
    documented.chain(undocumented).collect()
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

/// Renders the results `produce` hands on while it runs (on every core) and writes each chunk
/// as it is rendered; the rules (after the results: keys are in alphabetical order) come last.
/// The same bytes as `serde_json`'s pretty printing of the whole log, and a trailing newline.
pub(crate) fn write_sarif_stream(
    files: &[FileView<'_>],
    docs: &[RuleDoc],
    produce: Producer<'_>,
    sink: &mut dyn FnMut(&[u8]),
) -> Totals {
    // The results come before the rules: the head does not depend on them.
    let (head, _, level) = split_document(&log(Vec::new()), MARKER);
    let rule_index: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.code.as_str(), i))
        .collect();
    let render = |f: FileView<'_>, index: &LineIndex, ds: &mut [Diagnostic], out: &mut Rendered| {
        out.bytes.reserve(ds.len() * 900);
        for d in ds.iter() {
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
                rule_index: rule_index.get(d.code.as_str()).copied(),
            };
            json_item_into(&mut out.bytes, level, &result);
        }
    };
    let mut w = ArrayWriter::start(&head, level, sink);
    let tally = pipeline(files, &render, produce, &mut |r| w.chunk(&r, sink));
    let (_, tail, _) = split_document(&log(rules(docs, &tally.fired)), MARKER);
    w.finish(&tail, sink);
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
    /// Absent for a code the rules table does not document.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
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

    /// A table of three codes: one that does not fire (listed all the same), one that does,
    /// one without a name or default severity (as policy codes are); `V201` fires undocumented.
    fn docs() -> Vec<RuleDoc> {
        vec![
            RuleDoc {
                code: "L001".into(),
                name: Some("legacy-syntax".into()),
                summary: "BACKUP/RESTORE written in the legacy syntax".into(),
                default_severity: Some(Severity::Warning),
            },
            RuleDoc {
                code: "L003".into(),
                name: Some("incremental-backup-type".into()),
                summary: "BACKUP with type = incremental, which StarRocks refuses".into(),
                default_severity: Some(Severity::Warning),
            },
            RuleDoc {
                code: "P005".into(),
                name: None,
                summary: "A duration that is not `<number><unit>`".into(),
                default_severity: None,
            },
        ]
    }

    #[test]
    fn sarif_golden() {
        insta::assert_snapshot!(render_sarif(&fixtures::reports(), &docs()));
    }

    /// Streamed in pieces from several threads, the log is byte for byte what `serde_json`
    /// prints for it whole (every object's keys are in alphabetical order, so printing the
    /// parsed value again must give the same bytes); with starsnap's whole table, part of it
    /// and none, every result's `ruleIndex` names its own rule, and a result without one has
    /// its code listed after the table.
    #[test]
    fn streamed_sarif_is_serde_jsons_document() {
        let full = crate::cmd::lint::rule_docs();
        for table in [&full[..], &docs()[..], &[]] {
            for reports in fixtures::shapes() {
                let out = render_sarif(&reports, table);
                let v: Value = serde_json::from_str(&out).expect("json");
                assert_eq!(out, serde_json::to_string_pretty(&v).expect("json") + "\n");
                let n: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
                let results = v["runs"][0]["results"].as_array().expect("results");
                assert_eq!(results.len(), n);
                let rules = v["runs"][0]["tool"]["driver"]["rules"]
                    .as_array()
                    .expect("rules");
                let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
                let mut unique = ids.clone();
                unique.sort_unstable();
                unique.dedup();
                assert_eq!(unique.len(), rules.len(), "rule ids are unique: {ids:?}");
                assert_eq!(
                    &ids[..table.len()],
                    &table.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()[..]
                );
                for r in results {
                    let code = r["ruleId"].as_str().expect("ruleId");
                    match r.get("ruleIndex") {
                        Some(i) => {
                            let i = i.as_u64().expect("ruleIndex") as usize;
                            assert!(i < table.len(), "{r}");
                            assert_eq!(ids[i], code, "{r}");
                        }
                        None => {
                            assert!(!table.iter().any(|d| d.code == code), "{r}");
                            assert!(ids[table.len()..].contains(&code), "{r}");
                        }
                    }
                }
            }
        }
    }

    /// The table lint gives SARIF holds every kind of code starsnap reports, once each, in
    /// code order (the CLI's golden test checks that every result of a real run has its index).
    #[test]
    fn the_table_documents_every_kind_of_code() {
        let full = crate::cmd::lint::rule_docs();
        let codes: Vec<&str> = full.iter().map(|d| d.code.as_str()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, codes, "sorted by code, each once");
        for code in [
            "S001", "D001", "V101", "L001", "L102", "S903", "P001", "P115",
        ] {
            assert!(codes.contains(&code), "{code} in {codes:?}");
        }
    }

    /// Results reach the output while the findings are still coming (regression: the log was
    /// written only after the last finding, each result's rule index needing every code that
    /// fired). The producer waits for the first result to be written before it goes on; were
    /// the log held back, it would wait in vain (the timeout only keeps the test from hanging).
    #[test]
    fn results_are_written_while_linting_goes_on() {
        use std::sync::mpsc;
        use std::time::Duration;

        let reports = fixtures::reports();
        let files = [
            super::FileView {
                path: &reports[0].path,
                source: &reports[0].source,
            },
            super::FileView {
                path: &reports[1].path,
                source: &reports[1].source,
            },
        ];
        let (seen_tx, seen_rx) = mpsc::channel::<()>();
        let (first, rest) = reports[0].diagnostics.split_at(1);
        let (first, rest) = (first.to_vec(), rest.to_vec());
        let waited = std::sync::Mutex::new(None);
        let flag = &waited;
        let produce: Producer<'_> = Box::new(move |emit| {
            emit(0, first);
            *flag.lock().expect("lock") =
                Some(seen_rx.recv_timeout(Duration::from_secs(60)).is_ok());
            emit(0, rest);
        });
        let mut out = Vec::new();
        let totals = super::super::write_stream(
            super::super::Format::Sarif,
            &files,
            &docs(),
            false,
            produce,
            &mut |piece| {
                if piece.windows(8).any(|w| w == b"\"ruleId\"") {
                    let _ = seen_tx.send(());
                }
                out.extend_from_slice(piece);
            },
        );
        assert_eq!(
            *waited.lock().expect("lock"),
            Some(true),
            "the first result was held back"
        );
        assert_eq!((totals.errors, totals.warnings), (1, 1));
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            render_sarif(&reports, &docs())
        );
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
