//! A structural JSON Schema validator for the tests that check starsnap's JSON against
//! `grammar/*.schema.json`: type (a name or a list), const, enum, required, properties,
//! additionalProperties (false or a schema), items, $ref, minimum, oneOf, format date-time.
//! Shared by the compiler's plan contract and the CLI's output tests (`#[path]`).
#![allow(dead_code)]

use serde_json::Value;

fn resolve<'a>(root: &'a Value, r: &str) -> &'a Value {
    &root["$defs"][r.trim_start_matches("#/$defs/")]
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "null" => v.is_null(),
        other => panic!("validator does not know type {other}"),
    }
}

pub fn validate(root: &Value, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return validate(root, resolve(root, r), v, path, errors);
    }
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = branches
            .iter()
            .filter(|b| {
                let mut e = Vec::new();
                validate(root, b, v, path, &mut e);
                e.is_empty()
            })
            .count();
        if matching != 1 {
            errors.push(format!("{path}: matches {matching} of the oneOf branches"));
        }
        return;
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
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() && !types.iter().any(|t| type_ok(t, v)) {
        errors.push(format!("{path}: expected {types:?}, got {v}"));
        return;
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time") {
        let s = v.as_str().unwrap_or_default();
        if starsnap_compiler::time::Timestamp::parse_rfc3339(s).is_err() || !s.ends_with('Z') {
            errors.push(format!("{path}: {s:?} is not an RFC 3339 UTC time"));
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
