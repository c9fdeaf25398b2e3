//! Canonical JSON: object keys sorted by their UTF-8 bytes (whatever map type serde_json was
//! built with), two-space indent, `": "` after keys, a trailing newline. Plans hold only
//! integers; [`is_integers_only`] lets tests prove no float slipped in.

use serde_json::Value;

/// Writes `value` canonically.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value, 0);
    out.push('\n');
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn string(out: &mut String, s: &str) {
    // serde_json escapes exactly what JSON requires (quotes, backslash, control characters).
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        Err(_) => out.push_str("\"\""),
    }
}

fn write(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(out, level + 1);
                write(out, item, level + 1);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, level);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("{\n");
            for (i, key) in keys.iter().enumerate() {
                indent(out, level + 1);
                string(out, key);
                out.push_str(": ");
                if let Some(v) = map.get(key.as_str()) {
                    write(out, v, level + 1);
                }
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, level);
            out.push('}');
        }
    }
}

/// Whether every number in `value` is an integer.
pub fn is_integers_only(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_i64() || n.is_u64(),
        Value::Array(items) => items.iter().all(is_integers_only),
        Value::Object(map) => map.values().all(is_integers_only),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_indented_newline() {
        let v: Value =
            serde_json::from_str(r#"{"b": [1, {"z": null, "a": "x\"y"}], "a": {}, "c": []}"#)
                .expect("json");
        assert_eq!(
            to_string(&v),
            "{\n  \"a\": {},\n  \"b\": [\n    1,\n    {\n      \"a\": \"x\\\"y\",\n      \"z\": null\n    }\n  ],\n  \"c\": []\n}\n"
        );
        assert!(is_integers_only(&v));
        assert!(!is_integers_only(&serde_json::json!({"f": 1.5})));
    }
}
