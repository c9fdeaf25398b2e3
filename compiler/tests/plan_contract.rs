//! The plan contract: every scenario's plan satisfies `grammar/plan.schema.json` (a light
//! structural validator: type, const, enum, required, properties, additionalProperties,
//! items, $ref, minimum, oneOf), holds integers only, reads back equal, and is byte-identical when
//! planned twice or from a shuffled catalog. A plan of an unknown version is refused.

mod json_schema;
mod plan_common;

use json_schema::validate;

use serde_json::Value;
use starsnap_compiler::catalog::ObservedCatalog;
use starsnap_compiler::plan::{self, canonical, PlanReadError};
use starsnap_compiler::time::Timestamp;

const SCENARIOS: &[&str] = &[
    "first_full",
    "incremental_3_of_365",
    "nothing_changed",
    "new_partition",
    "dropped_partition",
    "replaced_partition",
    "schema_change",
    "new_table_pattern",
    "full_due",
    "chain_full",
    "several_databases",
    "chunking",
    "chunking_incremental",
    "handwritten",
    "legacy_3_3",
    "external_catalogs",
];

fn plan_json(inputs: &plan::PlanInputs) -> String {
    match plan::build(inputs) {
        Ok(p) => plan::to_canonical_json(&p.plan),
        Err(e) => panic!("{e:?}"),
    }
}

fn schema() -> Value {
    let text = std::fs::read_to_string(plan_common::root().join("grammar/plan.schema.json"))
        .expect("plan.schema.json");
    serde_json::from_str(&text).expect("schema is JSON")
}

#[test]
fn every_scenario_plan_matches_the_schema_and_reads_back() {
    let schema = schema();
    for name in SCENARIOS {
        let inputs = plan_common::load(name);
        let json = plan_json(&inputs);
        assert!(
            json.ends_with("}\n") && !json.ends_with("\n\n"),
            "{name}: trailing newline"
        );
        let value: Value = serde_json::from_str(&json).expect("plan JSON");
        assert!(
            canonical::is_integers_only(&value),
            "{name}: a float slipped in"
        );
        let mut errors = Vec::new();
        validate(&schema, &schema, &value, "$", &mut errors);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        let back = plan::from_json(&json).expect("reads back");
        assert_eq!(plan::to_canonical_json(&back), json, "{name}: round trip");
    }
}

#[test]
fn the_validator_catches_a_broken_plan() {
    let schema = schema();
    let json = plan_json(&plan_common::load("first_full"));
    let mut value: Value = serde_json::from_str(&json).expect("plan JSON");
    value["steps"][0]["action"] = Value::from("teleport");
    value["steps"][1].as_object_mut().map(|s| s.remove("sql"));
    value["extra"] = Value::from(1);
    let mut errors = Vec::new();
    validate(&schema, &schema, &value, "$", &mut errors);
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[test]
fn same_inputs_give_identical_bytes() {
    for name in SCENARIOS {
        let inputs = plan_common::load(name);
        assert_eq!(plan_json(&inputs), plan_json(&inputs), "{name}");
    }
}

/// A deterministic permutation (a small LCG), different for every list.
fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = (*seed >> 33) as usize % (i + 1);
        items.swap(i, j);
    }
}

fn shuffled(c: &ObservedCatalog, mut seed: u64) -> ObservedCatalog {
    let mut c = c.clone();
    shuffle(&mut c.databases, &mut seed);
    for db in &mut c.databases {
        shuffle(&mut db.tables, &mut seed);
        shuffle(&mut db.functions, &mut seed);
        for t in &mut db.tables {
            shuffle(&mut t.partitions, &mut seed);
        }
    }
    shuffle(&mut c.repositories, &mut seed);
    for r in &mut c.repositories {
        shuffle(&mut r.snapshots, &mut seed);
    }
    shuffle(&mut c.history.backups, &mut seed);
    for b in &mut c.history.backups {
        shuffle(&mut b.manifest, &mut seed);
    }
    c
}

#[test]
fn a_shuffled_catalog_gives_identical_bytes() {
    for name in SCENARIOS {
        let inputs = plan_common::load(name);
        let expected = plan_json(&inputs);
        for seed in [1, 7, 42] {
            let mut other = inputs.clone();
            other.catalog = shuffled(&inputs.catalog, seed);
            assert_ne!(
                other.catalog, inputs.catalog,
                "{name}: the shuffle must change the order"
            );
            assert_eq!(plan_json(&other), expected, "{name}, seed {seed}");
        }
    }
}

#[test]
fn the_fingerprint_covers_every_input() {
    let inputs = plan_common::load("incremental_3_of_365");
    let fp = |i: &plan::PlanInputs| match plan::build(i) {
        Ok(p) => p.plan.fingerprint,
        Err(e) => panic!("{e:?}"),
    };
    let base = fp(&inputs);
    assert_eq!(base.len(), 64);
    let mut later = inputs.clone();
    later.as_of = Timestamp(inputs.as_of.0 + 1);
    assert_ne!(fp(&later), base);
    let mut policy = inputs.clone();
    policy.policy_text.push_str("\n# a comment\n");
    assert_ne!(fp(&policy), base);
    let mut catalog = inputs.clone();
    catalog.catalog.databases[0].tables[0].partitions[0].visible_version += 1;
    assert_ne!(fp(&catalog), base);
}

#[test]
fn unknown_plan_versions_are_refused() {
    let json = plan_json(&plan_common::load("first_full"));
    let v3 = json.replacen("\"format_version\": 2", "\"format_version\": 3", 1);
    assert_eq!(
        plan::from_json(&v3),
        Err(PlanReadError::UnsupportedVersion(3))
    );
    let extra = json.replacen("{\n", "{\n  \"surprise\": true,\n", 1);
    assert!(matches!(
        plan::from_json(&extra),
        Err(PlanReadError::Malformed { .. })
    ));
}

#[test]
fn plans_hold_no_secret_values() {
    // The policy references secrets by name; the plan must carry only `${NAME}`.
    let inputs = plan_common::load("first_full");
    let json = plan_json(&inputs);
    assert!(json.contains("${AWS_SECRET_ACCESS_KEY}"));
    let mut inline = inputs.clone();
    inline.policy_text = inline
        .policy_text
        .replace("\"${AWS_SECRET_ACCESS_KEY}\"", "\"wJalrXUtnFEMI/K7MDENG\"");
    match plan::build(&inline) {
        Ok(_) => panic!("an inline secret must fail the plan"),
        Err(files) => {
            let text = format!("{files:?}");
            assert!(text.contains("P007"), "{text}");
            assert!(
                !text.contains("wJalrXUtnFEMI"),
                "the secret is echoed: {text}"
            );
        }
    }
}

/// The plan JSON of a scenario, parsed.
fn plan_value(name: &str) -> Value {
    serde_json::from_str(&plan_json(&plan_common::load(name))).expect("plan JSON")
}

/// `value` with its fingerprint recomputed, as an attacker who knows the algorithm would.
fn resealed(mut value: Value) -> String {
    value["fingerprint"] = Value::from(plan::fingerprint_of_value(&value));
    canonical::to_string(&value)
}

fn step_index(value: &Value, action: &str) -> usize {
    value["steps"]
        .as_array()
        .and_then(|s| s.iter().position(|x| x["action"] == action))
        .unwrap_or_else(|| panic!("no {action} step"))
}

/// Every way of editing plan.json is refused when read (before any lock), or — when the
/// attacker also recomputes the fingerprint — yields only what the typed ops build, shown and
/// counted as such (harmless without `apply --expect-fingerprint`, refused with it).
#[test]
fn tampered_plans_are_refused() {
    let base = plan_value("first_full");
    let b = step_index(&base, "backup");
    let r = step_index(&base, "create_repository");
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, bool)> = vec![
        (
            "backup sql replaced by DROP DATABASE",
            Box::new(move |v| v["steps"][b]["sql"] = "DROP DATABASE victim".into()),
            true,
        ),
        (
            "backup sql replaced, resealed",
            Box::new(move |v| v["steps"][b]["sql"] = "DROP DATABASE victim".into()),
            false,
        ),
        (
            "DROP appended to backup sql, resealed",
            Box::new(move |v| {
                let s = v["steps"][b]["sql"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                v["steps"][b]["sql"] = format!("{s};\nDROP DATABASE victim").into();
            }),
            false,
        ),
        (
            "label changed in op only, resealed",
            Box::new(move |v| v["steps"][b]["label"] = "other_label".into()),
            false,
        ),
        (
            "label changed, not resealed",
            Box::new(move |v| v["steps"][b]["label"] = "other_label".into()),
            true,
        ),
        (
            "label with a back-quote, resealed",
            Box::new(move |v| {
                v["steps"][b]["label"] = "x`; DROP DATABASE d; --".into();
            }),
            false,
        ),
        (
            "partition added to objects, resealed",
            Box::new(move |v| {
                v["steps"][b]["objects"][0]["partitions"] =
                    serde_json::json!([{"name": "p_evil", "id": 1, "visible_version": 1}]);
            }),
            false,
        ),
        (
            "timeout changed in op, resealed",
            Box::new(move |v| v["steps"][b]["timeout_s"] = 1.into()),
            false,
        ),
        (
            "env list smuggled in (v1 field), resealed",
            Box::new(move |v| v["steps"][b]["env"] = serde_json::json!(["STARROCKS_PASSWORD"])),
            false,
        ),
        (
            "repository property both value and env, resealed",
            Box::new(move |v| {
                v["steps"][r]["properties"][0]["value"] = "x".into();
                v["steps"][r]["properties"][0]["env"] = "STARROCKS_PASSWORD".into();
            }),
            false,
        ),
        (
            "location with ${ENV}, resealed",
            Box::new(move |v| v["steps"][r]["location"] = "s3://b/${STARROCKS_PASSWORD}".into()),
            false,
        ),
        (
            "duplicate step id, resealed",
            Box::new(move |v| {
                let id = v["steps"][r]["id"].clone();
                v["steps"][b]["id"] = id;
            }),
            false,
        ),
        (
            "dependency on an unknown step, resealed",
            Box::new(move |v| v["steps"][b]["depends_on"] = serde_json::json!(["nope"])),
            false,
        ),
        (
            "destructive flag flipped, resealed",
            Box::new(move |v| v["steps"][b]["destructive"] = true.into()),
            false,
        ),
        (
            "unknown action, resealed",
            Box::new(move |v| v["steps"][b]["action"] = "teleport".into()),
            false,
        ),
        (
            "summary edited, resealed",
            Box::new(|v| v["summary"]["destructive"] = 5.into()),
            false,
        ),
        (
            "summary edited, not resealed",
            Box::new(|v| v["summary"]["steps"] = 99.into()),
            true,
        ),
        (
            "observed edited, not resealed",
            Box::new(|v| v["observed"]["cluster_version"] = "9.9.9".into()),
            true,
        ),
        (
            "fingerprint removed",
            Box::new(|v| {
                v.as_object_mut().map(|o| o.remove("fingerprint"));
            }),
            true,
        ),
        (
            "dialect unknown, resealed",
            Box::new(|v| v["dialect"] = "mysql-8".into()),
            false,
        ),
        (
            "hand-written step with two statements, resealed",
            Box::new(move |v| {
                v["steps"][b] = serde_json::json!({"action": "sql", "statement": "backup", "overwrites": false, "database": "sales", "label": "l", "repository": "s3_main", "source": {"file": "x.sql", "line": 1}, "id": "statement/x.sql/1", "reason": "handwritten", "detail": "d", "destructive": false, "depends_on": [], "sql": "BACKUP DATABASE sales SNAPSHOT l TO s3_main; DROP DATABASE victim"});
            }),
            false,
        ),
        (
            "hand-written DROP claimed not to overwrite, resealed",
            Box::new(move |v| {
                v["steps"][b] = serde_json::json!({"action": "sql", "statement": "sql", "overwrites": false, "source": {"file": "x.sql", "line": 1}, "id": "statement/x.sql/1", "reason": "handwritten", "detail": "d", "destructive": false, "depends_on": [], "sql": "DROP DATABASE victim"});
            }),
            false,
        ),
    ];
    let mut refused = 0;
    for (what, edit, plain) in &cases {
        let mut v = base.clone();
        edit(&mut v);
        let text = if *plain {
            canonical::to_string(&v)
        } else {
            resealed(v)
        };
        match plan::from_json(&text) {
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty(), "{what}");
            }
            Ok(p) => panic!("{what}: accepted:\n{}", plan::to_canonical_json(&p)),
        }
    }
    assert_eq!(refused, cases.len());
    // A resealed hand-written DROP that says what it is reads back — as a destructive,
    // hand-written step, shown and counted as such (and refused by --expect-fingerprint).
    let mut v = base.clone();
    v["steps"][b] = serde_json::json!({"action": "sql", "statement": "sql", "overwrites": true, "source": {"file": "x.sql", "line": 1}, "id": "statement/x.sql/1", "reason": "handwritten", "detail": "d", "destructive": true, "depends_on": [], "sql": "DROP DATABASE victim"});
    let mut summary = v["summary"].clone();
    summary["destructive"] = 1.into();
    v["summary"] = summary;
    let by_action = v["summary"]["by_action"]
        .as_object_mut()
        .expect("by_action");
    by_action.remove("backup");
    by_action.insert("sql".into(), 1.into());
    v["summary"]["full_backups"] = 0.into();
    let parts = v["steps"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|x| x["objects"].as_array())
                .flatten()
                .filter_map(|o| o["partition_count"].as_u64())
                .sum::<u64>()
        })
        .unwrap_or(0);
    v["summary"]["partitions"] = parts.into();
    let p = plan::from_json(&resealed(v)).expect("an honest hand-written step reads");
    assert_eq!(p.summary.destructive, 1);
    assert!(plan::render::text(&p).contains("-/+ sql sql"));
}

#[test]
fn a_format_version_1_plan_is_read_and_checked() {
    let v1 =
        std::fs::read_to_string(plan_common::root().join("testdata/plan/v1/first_full.plan.json"))
            .expect("v1 plan");
    let p = plan::from_json(&v1).expect("v1 reads");
    assert_eq!(p.format_version, 2);
    assert!(p.steps.iter().any(|s| s.backup().is_some()));
    // A v1 backup step whose text is not what its fields say is refused.
    let evil = v1.replacen(
        "\"sql\": \"BACKUP",
        "\"sql\": \"DROP DATABASE victim; BACKUP",
        1,
    );
    assert!(matches!(
        plan::from_json(&evil),
        Err(PlanReadError::InvalidStep { .. })
    ));
}
