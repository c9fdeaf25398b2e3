//! Shared helpers of the planner tests: loading a scenario from `testdata/plan/<name>/` and
//! rendering findings as `path:line:col: severity[code]: message`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use starsnap_compiler::catalog;
use starsnap_compiler::plan::{FileDiagnostics, PlanInputs, StatementFile};
use starsnap_compiler::policy;
use starsnap_compiler::time::Timestamp;
use starsnap_compiler::LineIndex;

/// The `as_of` of every scenario without an `as_of.txt`.
pub const AS_OF: &str = "2026-11-22T04:00:00Z";

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn scenario_dir(name: &str) -> PathBuf {
    root().join("testdata/plan").join(name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The inputs of a scenario, read as the CLI would read them.
pub fn load(name: &str) -> PlanInputs {
    let dir = scenario_dir(name);
    let policy_text = read(&dir.join("starsnap.toml"));
    let (parsed, _) = policy::parse(&policy_text);
    let statement_files = parsed
        .map(|p| p.statements)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| {
            let text = std::fs::read_to_string(dir.join(&s.file)).ok()?;
            Some(StatementFile { path: s.file, text })
        })
        .collect();
    let catalog = catalog::from_json(&read(&dir.join("catalog.json")))
        .unwrap_or_else(|e| panic!("{name}/catalog.json: {e}"));
    let as_of = std::fs::read_to_string(dir.join("as_of.txt"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| AS_OF.to_string());
    PlanInputs {
        policy_path: "starsnap.toml".to_string(),
        policy_text,
        statement_files,
        catalog,
        as_of: Timestamp::parse_rfc3339(&as_of).expect("as_of"),
    }
}

/// Findings as `path:line:col: severity[code]: message` lines (labels and help indented).
pub fn render(files: &[FileDiagnostics], source_of: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    for f in files {
        let text = source_of(&f.path);
        let index = LineIndex::new(&text);
        for d in &f.diagnostics {
            let lc = index.line_col(&text, d.span.start);
            out.push_str(&format!(
                "{}:{}:{}: {}[{}]: {}\n",
                f.path, lc.line, lc.col, d.severity, d.code, d.message
            ));
            for l in &d.labels {
                let lc = index.line_col(&text, l.span.start);
                out.push_str(&format!(
                    "  = {}:{}:{}: {}\n",
                    f.path, lc.line, lc.col, l.message
                ));
            }
            if let Some(h) = &d.help {
                out.push_str(&format!("  help: {h}\n"));
            }
        }
    }
    out
}

/// Renders a scenario's findings, reading the named files from its directory.
pub fn render_scenario(name: &str, inputs: &PlanInputs, files: &[FileDiagnostics]) -> String {
    render(files, |path| {
        if path == inputs.policy_path {
            inputs.policy_text.clone()
        } else {
            std::fs::read_to_string(scenario_dir(name).join(path)).unwrap_or_default()
        }
    })
}
