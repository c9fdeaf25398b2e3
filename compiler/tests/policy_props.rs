//! Property tests: the policy parser and the planner never panic, whatever the input. Inputs
//! are TOML-ish: random lines built from real section names, keys and value shapes, plus raw
//! random text, so both the TOML layer and starsnap's checks are exercised.

mod plan_common;

use proptest::prelude::*;
use starsnap_compiler::catalog::ObservedCatalog;
use starsnap_compiler::plan::{self, PlanInputs};
use starsnap_compiler::policy;
use starsnap_compiler::time::Timestamp;

fn line() -> impl Strategy<Value = String> {
    let header = prop::sample::select(vec![
        "[cluster]",
        "[cluster.tls]",
        "[state]",
        "[repository.r]",
        "[repository.r.properties]",
        "[group.g]",
        "[group.h]",
        "[[statement]]",
        "[lint]",
        "[lint.severity]",
        "[group]",
        "[[group.g]]",
        "[repository]",
    ])
    .prop_map(str::to_string);
    let key = prop::sample::select(vec![
        "host",
        "port",
        "user",
        "password_env",
        "mode",
        "url",
        "database",
        "location",
        "broker",
        "read_only",
        "include",
        "exclude",
        "repository",
        "full_every",
        "label",
        "job_timeout",
        "max_partitions_per_job",
        "max_chain_length",
        "file",
        "dialect",
        "\"aws.s3.secret_key\"",
        "L005",
        "external_catalogs",
        "views",
        "nope",
    ]);
    let value = prop::sample::select(vec![
        "\"r\"",
        "\"sales.*\"",
        "[\"sales.*\", \"a?.b\"]",
        "[\"x\"]",
        "\"7d\"",
        "\"0d\"",
        "\"1w2d\"",
        "9030",
        "-1",
        "99999999999999999999",
        "1.5",
        "true",
        "\"${ENV}\"",
        "\"${bad-name}\"",
        "\"{group}-{yyyyMMdd}\"",
        "\"{\"",
        "{ mode = \"required\" }",
        "[]",
        "\"mysql://u:p@h\"",
        "\"error\"",
        "\"x.sql\"",
        "2026-01-01T00:00:00Z",
        "[1, \"a\"]",
    ]);
    prop_oneof![
        header,
        (key, value).prop_map(|(k, v)| format!("{k} = {v}")),
        "[ -~]{0,30}",
    ]
}

fn inputs(text: String) -> PlanInputs {
    let mut catalog = ObservedCatalog::empty("3.4.5-8a1b2c3");
    catalog
        .databases
        .push(starsnap_compiler::catalog::Database {
            name: "sales".into(),
            tables: Vec::new(),
            functions: Vec::new(),
        });
    PlanInputs {
        policy_path: "starsnap.toml".into(),
        policy_text: text,
        statement_files: vec![plan::StatementFile {
            path: "x.sql".into(),
            text: "BACKUP DATABASE sales SNAPSHOT s TO r;".into(),
        }],
        catalog,
        as_of: Timestamp(1_795_000_000),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn tomlish_policies_never_panic(lines in prop::collection::vec(line(), 0..24)) {
        let text = lines.join("\n");
        let (parsed, diags) = policy::parse(&text);
        for d in &diags {
            prop_assert!(d.span.start <= d.span.end && d.span.end <= text.len(), "{d:?}");
            prop_assert!(d.code.starts_with('P'));
        }
        if parsed.is_none() {
            prop_assert!(diags.iter().any(|d| d.code == "P001"));
        }
        let _ = plan::build(&inputs(text));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = policy::parse(&text);
        let _ = plan::build(&inputs(text));
    }
}
