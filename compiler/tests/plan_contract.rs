//! The plan contract: every scenario's plan satisfies `grammar/plan.schema.json` (a light
//! structural validator: type, const, enum, required, properties, additionalProperties,
//! items, $ref, minimum), holds integers only, reads back equal, and is byte-identical when
//! planned twice or from a shuffled catalog. A plan of an unknown version is refused.

mod plan_common;

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

fn resolve<'a>(root: &'a Value, r: &str) -> &'a Value {
    let name = r.trim_start_matches("#/$defs/");
    &root["$defs"][name]
}

fn validate(root: &Value, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return validate(root, resolve(root, r), v, path, errors);
    }
    if let Some(c) = schema.get("const") {
        if c != v {
            errors.push(format!("{path}: expected {c}, got {v}"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(v) {
            errors.push(format!("{path}: {v} is not one of {options:?}"));
        }
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "boolean" => v.is_boolean(),
            "object" => v.is_object(),
            "array" => v.is_array(),
            other => panic!("validator does not know type {other}"),
        };
        if !ok {
            errors.push(format!("{path}: expected {t}, got {v}"));
            return;
        }
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_i64), v.as_i64()) {
        if n < min {
            errors.push(format!("{path}: {n} < {min}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = req.as_str().unwrap_or_default();
            if !obj.contains_key(key) {
                errors.push(format!("{path}: missing required `{key}`"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, child) in obj {
            let child_path = format!("{path}.{k}");
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(root, s, child, &child_path, errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        errors.push(format!("{child_path}: not in the schema"))
                    }
                    Some(s @ Value::Object(_)) => validate(root, s, child, &child_path, errors),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            validate(root, items, item, &format!("{path}[{i}]"), errors);
        }
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
    let v2 = json.replacen("\"format_version\": 1", "\"format_version\": 2", 1);
    assert_eq!(
        plan::from_json(&v2),
        Err(PlanReadError::UnsupportedVersion(2))
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
