//! Policy diagnostics, golden: every `testdata/policy/err/*.toml` is planned against
//! `testdata/policy/catalog.json` and must give at least one error; the findings, rendered as
//! `path:line:col: severity[code]: message`, are one insta snapshot per file. Every
//! `testdata/policy/ok/*.toml` and `examples/starsnap.toml` must give none.

mod plan_common;

use std::path::Path;

use starsnap_compiler::catalog;
use starsnap_compiler::plan::{self, PlanInputs, StatementFile};
use starsnap_compiler::policy;
use starsnap_compiler::time::Timestamp;
use starsnap_compiler::Severity;

fn inputs(path: &Path, name: &str) -> PlanInputs {
    let dir = plan_common::root().join("testdata/policy");
    let text = std::fs::read_to_string(path).expect("policy");
    let catalog =
        catalog::from_json(&std::fs::read_to_string(dir.join("catalog.json")).expect("catalog"))
            .expect("catalog parses");
    PlanInputs {
        policy_path: name.to_string(),
        policy_text: text,
        statement_files: Vec::new(),
        catalog,
        as_of: Timestamp::parse_rfc3339(plan_common::AS_OF).expect("as_of"),
    }
}

fn files(sub: &str) -> Vec<std::path::PathBuf> {
    let dir = plan_common::root().join("testdata/policy").join(sub);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    out.sort();
    out
}

#[test]
fn err_files_give_errors_with_line_and_column() {
    let paths = files("err");
    assert!(paths.len() >= 8);
    for path in paths {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("x")
            .to_string();
        let name = format!("err/{stem}.toml");
        let inputs = inputs(&path, &name);
        let found = match plan::build(&inputs) {
            Ok(p) => panic!("{name}: planned without an error: {:?}", p.warnings),
            Err(files) => files,
        };
        assert!(
            found
                .iter()
                .flat_map(|f| &f.diagnostics)
                .any(|d| d.severity == Severity::Error),
            "{name}"
        );
        let out = plan_common::render(&found, |_| inputs.policy_text.clone());
        insta::assert_snapshot!(stem, out);
    }
}

#[test]
fn ok_files_give_nothing() {
    for path in files("ok") {
        let inputs = inputs(&path, "ok.toml");
        if let Err(e) = plan::build(&inputs) {
            panic!("{}: {e:?}", path.display());
        }
    }
}

#[test]
fn the_example_parses_cleanly_and_plans_its_statements() {
    let root = plan_common::root().join("examples");
    let text = std::fs::read_to_string(root.join("starsnap.toml")).expect("example");
    let (policy, diags) = policy::parse(&text);
    assert!(diags.is_empty(), "{diags:#?}");
    let policy = policy.expect("policy");
    assert_eq!(policy.groups.len(), 2);
    assert_eq!(policy.repositories.len(), 2);
    assert_eq!(policy.statements.len(), 2);
    let cluster = policy.cluster.expect("cluster");
    assert_eq!(cluster.password_env.as_deref(), Some("STARROCKS_PASSWORD"));
    for s in &policy.statements {
        let sql = std::fs::read_to_string(root.join(&s.file)).expect("statement file");
        let parsed = starsnap_compiler::syntax::parse(&sql, Default::default());
        assert!(!parsed.has_errors(), "{}: {:?}", s.file, parsed.diagnostics);
        let _ = StatementFile {
            path: s.file.clone(),
            text: sql,
        };
    }
}

#[test]
fn parsing_twice_gives_the_same_policy() {
    for path in files("ok").into_iter().chain(files("err")) {
        let text = std::fs::read_to_string(&path).expect("policy");
        assert_eq!(
            policy::parse(&text),
            policy::parse(&text),
            "{}",
            path.display()
        );
    }
}

#[test]
fn the_example_plans_against_its_catalog() {
    let root = plan_common::root().join("examples");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).expect(p);
    let policy_text = read("starsnap.toml");
    let (parsed, _) = policy::parse(&policy_text);
    let statement_files = parsed
        .map(|p| p.statements)
        .unwrap_or_default()
        .into_iter()
        .map(|s| StatementFile {
            text: read(&s.file),
            path: s.file,
        })
        .collect();
    let inputs = PlanInputs {
        policy_path: "examples/starsnap.toml".into(),
        policy_text,
        statement_files,
        catalog: catalog::from_json(&read("catalog.json")).expect("example catalog"),
        as_of: Timestamp::parse_rfc3339(plan_common::AS_OF).expect("as_of"),
    };
    let planned = match plan::build(&inputs) {
        Ok(p) => p,
        Err(e) => panic!("{e:?}"),
    };
    let warnings = plan_common::render(&planned.warnings, |_| inputs.policy_text.clone());
    let text = plan::render::text(&planned.plan);
    assert!(
        text.contains("p202611"),
        "the load into p202611 is backed up:\n{text}"
    );
    insta::assert_snapshot!("example_plan", format!("{warnings}{text}"));
}
