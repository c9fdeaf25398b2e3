//! `apply --metrics-file` and `restore --apply --metrics-file` against the simulator: the
//! file parses as Prometheus text (a strict parser below), says what the run did, and keeps
//! counting failures across runs.
#![allow(clippy::unwrap_used)]

mod apply_support;

use std::collections::BTreeMap;

use apply_support::{text, World};

type Labels = BTreeMap<String, String>;

#[derive(Debug, Default)]
struct Exposition {
    /// Family name → type.
    types: BTreeMap<String, String>,
    /// (name, labels) → value.
    samples: BTreeMap<(String, Vec<(String, String)>), f64>,
}

impl Exposition {
    fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let key: Vec<(String, String)> = labels
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        self.samples.get(&(name.to_string(), key)).copied()
    }
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with("__")
}

fn parse_value(s: &str) -> Result<f64, String> {
    match s {
        "NaN" => Ok(f64::NAN),
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => {
            if !s
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
            {
                return Err(format!("bad value {s:?}"));
            }
            s.parse().map_err(|e| format!("bad value {s:?}: {e}"))
        }
    }
}

/// A strict parser of the Prometheus text format 0.0.4: `# HELP name text` and
/// `# TYPE name type` before a family's samples, at most once each, the family's samples
/// together; names and label names by the grammar; label values with only `\\`, `\"` and
/// `\n` escapes; a float value and an optional integer timestamp; a final newline.
fn parse(text: &str) -> Result<Exposition, String> {
    let mut e = Exposition::default();
    let mut helped = std::collections::BTreeSet::new();
    let mut current: Option<String> = None;
    let mut closed = std::collections::BTreeSet::new();
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("no final newline".into());
    }
    for (n, line) in text.lines().enumerate() {
        let at = |m: String| format!("line {}: {m}: {line:?}", n + 1);
        if line.is_empty() {
            return Err(at("empty line".into()));
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let (kw, rest) = rest
                .split_once(' ')
                .ok_or_else(|| at("bad comment".into()))?;
            match kw {
                "HELP" => {
                    let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
                    if !is_metric_name(name) || !helped.insert(name.to_string()) {
                        return Err(at("bad or repeated HELP".into()));
                    }
                    let mut chars = help.chars();
                    while let Some(c) = chars.next() {
                        if c == '\\' && !matches!(chars.next(), Some('\\' | 'n')) {
                            return Err(at("bad escape in HELP".into()));
                        }
                    }
                }
                "TYPE" => {
                    let (name, kind) = rest.split_once(' ').ok_or_else(|| at("bad TYPE".into()))?;
                    if !is_metric_name(name)
                        || !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind)
                    {
                        return Err(at("bad TYPE".into()));
                    }
                    if e.types.insert(name.to_string(), kind.to_string()).is_some() {
                        return Err(at("repeated TYPE".into()));
                    }
                    if e.samples.keys().any(|(s, _)| s == name) {
                        return Err(at("TYPE after samples".into()));
                    }
                }
                _ => {}
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        // A sample.
        let name_end = line.find(['{', ' ']).ok_or_else(|| at("no value".into()))?;
        let name = &line[..name_end];
        if !is_metric_name(name) {
            return Err(at("bad metric name".into()));
        }
        let mut rest = &line[name_end..];
        let mut labels = Labels::new();
        if let Some(r) = rest.strip_prefix('{') {
            let mut chars = r.char_indices().peekable();
            loop {
                let Some(&(i, c)) = chars.peek() else {
                    return Err(at("unclosed labels".into()));
                };
                if c == '}' {
                    rest = &r[i + 1..];
                    break;
                }
                let mut key = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c == '=' {
                        break;
                    }
                    key.push(c);
                    chars.next();
                }
                if !is_label_name(&key) {
                    return Err(at(format!("bad label name {key:?}")));
                }
                chars.next(); // '='
                if chars.next().map(|(_, c)| c) != Some('"') {
                    return Err(at("label value not quoted".into()));
                }
                let mut value = String::new();
                loop {
                    match chars.next().map(|(_, c)| c) {
                        None => return Err(at("unterminated label value".into())),
                        Some('"') => break,
                        Some('\\') => match chars.next().map(|(_, c)| c) {
                            Some('\\') => value.push('\\'),
                            Some('"') => value.push('"'),
                            Some('n') => value.push('\n'),
                            _ => return Err(at("bad escape in label value".into())),
                        },
                        Some('\n') => return Err(at("raw newline".into())),
                        Some(c) => value.push(c),
                    }
                }
                if labels.insert(key, value).is_some() {
                    return Err(at("repeated label".into()));
                }
                match chars.peek().map(|&(_, c)| c) {
                    Some(',') => {
                        chars.next();
                    }
                    Some('}') => {}
                    _ => return Err(at("expected , or }".into())),
                }
            }
        }
        let rest = rest
            .strip_prefix(' ')
            .ok_or_else(|| at("no space before the value".into()))?;
        let mut parts = rest.split(' ');
        let value = parse_value(parts.next().unwrap_or("")).map_err(at)?;
        if let Some(ts) = parts.next() {
            ts.parse::<i64>().map_err(|_| at("bad timestamp".into()))?;
        }
        if parts.next().is_some() {
            return Err(at("trailing fields".into()));
        }
        // Samples of one family together.
        if current.as_deref() != Some(name) {
            if !closed.insert(name.to_string()) {
                return Err(at("family split".into()));
            }
            if let Some(c) = current.replace(name.to_string()) {
                closed.insert(c);
            }
        }
        if !e.types.contains_key(name) {
            return Err(at("sample without TYPE".into()));
        }
        if e.types.get(name).is_some_and(|t| t == "counter") && value < 0.0 {
            return Err(at("negative counter".into()));
        }
        let key = (name.to_string(), labels.into_iter().collect::<Vec<_>>());
        if e.samples.insert(key, value).is_some() {
            return Err(at("duplicate series".into()));
        }
    }
    Ok(e)
}

#[test]
fn the_parser_is_strict() {
    assert!(parse("# TYPE a gauge\na 1\n").is_ok());
    assert!(parse("# TYPE a gauge\na{b=\"x\\\"y\\\\z\\n\"} 1.5e3\n").is_ok());
    for bad in [
        "a 1\n",                                  // no TYPE
        "# TYPE a gauge\na 1",                    // no final newline
        "# TYPE 1a gauge\n1a 1\n",                // bad name
        "# TYPE a gauge\na{b=x} 1\n",             // unquoted
        "# TYPE a gauge\na{b=\"\\t\"} 1\n",       // bad escape
        "# TYPE a gauge\na one\n",                // not a float
        "# TYPE a gauge\na 1\na 2\n",             // duplicate
        "# TYPE a counter\na -1\n",               // negative counter
        "# TYPE a gauge\na{b=\"1\",b=\"2\"} 1\n", // repeated label
    ] {
        assert!(parse(bad).is_err(), "accepted {bad:?}");
    }
}

fn now_s() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn apply(w: &World, plan: &str, metrics: &str) -> std::process::Output {
    w.run(&["apply", plan, "--auto-approve", "--metrics-file", metrics])
}

fn read(w: &World, file: &str) -> Exposition {
    let body = std::fs::read_to_string(w.dir.join(file)).unwrap();
    parse(&body).unwrap_or_else(|e| panic!("{e}\n{body}"))
}

#[test]
fn apply_writes_a_prometheus_textfile_and_counts_failures_across_runs() {
    let w = World::start("metrics");
    let before = now_s().floor();
    // crm's backup is cancelled by the cluster, sales's finishes.
    w.exec(
        "ADMIN SET SIMULATOR FAULT 'backup_fail' ON DATABASE crm AT STATE 'UPLOADING' \
         WITH MESSAGE 'upload failed'",
    );
    std::fs::create_dir_all(w.dir.join("metrics")).unwrap();
    w.plan("p1.json", "2026-11-22T02:00:00Z");
    let o = apply(&w, "p1.json", "metrics/starsnap.prom");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let m = read(&w, "metrics/starsnap.prom");
    let ok = [("database", "sales"), ("group", "nightly")];
    let crm = [("database", "crm"), ("group", "nightly")];
    let t = m
        .get("starsnap_backup_last_success_timestamp_seconds", &ok)
        .unwrap();
    assert!(t >= before && t <= now_s() + 1.0, "{t}");
    assert_eq!(m.get("starsnap_backup_partitions", &ok), Some(3.0));
    assert!(m.get("starsnap_apply_duration_seconds", &[]).unwrap() >= 0.0);
    assert!(
        m.get("starsnap_apply_last_run_timestamp_seconds", &[])
            .unwrap()
            >= before
    );
    assert_eq!(m.get("starsnap_apply_last_run_success", &[]), Some(0.0));
    assert_eq!(
        m.get("starsnap_apply_steps", &[("outcome", "failed")]),
        Some(1.0)
    );
    assert_eq!(m.types["starsnap_apply_failures_total"], "counter");
    assert_eq!(
        m.types["starsnap_backup_last_success_timestamp_seconds"],
        "gauge"
    );
    assert_eq!(m.get("starsnap_apply_failures_total", &crm), Some(1.0));
    assert_eq!(
        m.get("starsnap_backup_last_success_timestamp_seconds", &crm),
        None
    );
    let failures_before = 1.0;

    // A failing run adds to the counter and keeps sales's last success.
    w.exec("INSERT INTO crm.customers VALUES (2, 'b')");
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-09', 4, 40)");
    w.exec(
        "ADMIN SET SIMULATOR FAULT 'backup_fail' ON DATABASE crm AT STATE 'UPLOADING' \
         WITH MESSAGE 'upload failed'",
    );
    w.plan("p2.json", "2026-11-23T02:00:00Z");
    let o = apply(&w, "p2.json", "metrics/starsnap.prom");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let m2 = read(&w, "metrics/starsnap.prom");
    assert_eq!(
        m2.get("starsnap_apply_failures_total", &crm),
        Some(failures_before + 1.0)
    );
    assert_eq!(m2.get("starsnap_apply_last_run_success", &[]), Some(0.0));
    assert_eq!(m2.get("starsnap_backup_partitions", &ok), Some(1.0));
    // The simulator reports data sizes: the manifest's sum for the incremental.
    assert!(
        m2.get("starsnap_backup_bytes", &ok)
            .is_some_and(|b| b > 0.0),
        "{m2:?}"
    );
    assert!(
        m2.get("starsnap_backup_last_success_timestamp_seconds", &ok)
            .unwrap()
            >= t
    );
    // No temporary file left beside it.
    let names: Vec<String> = std::fs::read_dir(w.dir.join("metrics"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["starsnap.prom"]);

    // A folder that does not exist: said on stderr, the run's code is at least 1.
    assert_eq!(w.plan("p3.json", "2026-11-23T02:00:00Z"), 2);
    let o = apply(&w, "p3.json", "missing/starsnap.prom");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("cannot write the metrics file"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn restore_apply_writes_restore_metrics() {
    let w = World::start("metrics-restore");
    w.plan("full.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["apply", "full.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-05', 99, -1)");
    let o = w.run(&[
        "restore",
        "sales.orders",
        "--apply",
        "--auto-approve",
        "--metrics-file",
        "restore.prom",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let m = read(&w, "restore.prom");
    assert!(
        m.get("starsnap_restore_partitions", &[("database", "sales")])
            .is_some()
            || m.samples
                .keys()
                .any(|(n, _)| n == "starsnap_restore_partitions"),
        "{m:?}"
    );
    assert!(m
        .samples
        .keys()
        .any(|(n, _)| n == "starsnap_restore_last_success_timestamp_seconds"));
    assert_eq!(m.get("starsnap_apply_last_run_success", &[]), Some(1.0));
}
