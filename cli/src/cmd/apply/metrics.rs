//! `apply --metrics-file PATH`: a Prometheus text-format file for node_exporter's textfile
//! collector, written atomically (a temporary file in the same folder, then a rename), so
//! the collector never reads half a file.
//!
//! A run rewrites the whole file, but what it did not touch is carried over from the file
//! it replaces: the last success of a database backed up yesterday stays, and the failure
//! counters keep counting across runs, as counters must.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use starsnap_compiler::plan::{Op, Plan};
use starsnap_runtime::apply::{ApplyReport, Outcome};

/// A metric family: name, type and help text.
struct Family {
    name: &'static str,
    kind: &'static str,
    help: &'static str,
    /// Carried over from the previous file when this run says nothing of a series.
    carried: bool,
}

const FAMILIES: &[Family] = &[
    Family {
        name: "starsnap_apply_last_run_timestamp_seconds",
        kind: "gauge",
        help: "When the last apply run ended (Unix time).",
        carried: false,
    },
    Family {
        name: "starsnap_apply_last_run_success",
        kind: "gauge",
        help: "1 when the last apply run ended without a failure, 0 otherwise.",
        carried: false,
    },
    Family {
        name: "starsnap_apply_duration_seconds",
        kind: "gauge",
        help: "Wall-clock duration of the last apply run.",
        carried: false,
    },
    Family {
        name: "starsnap_apply_steps",
        kind: "gauge",
        help: "Steps of the last apply run, by outcome.",
        carried: false,
    },
    Family {
        name: "starsnap_apply_failures_total",
        kind: "counter",
        help: "Steps that failed, were skipped or interrupted, by group and database, over all runs.",
        carried: true,
    },
    Family {
        name: "starsnap_backup_last_success_timestamp_seconds",
        kind: "gauge",
        help: "When the last backup of a group's database finished (Unix time).",
        carried: true,
    },
    Family {
        name: "starsnap_backup_partitions",
        kind: "gauge",
        help: "Partitions held by the last successful backup of a group's database.",
        carried: true,
    },
    Family {
        name: "starsnap_backup_bytes",
        kind: "gauge",
        help: "Data size of the last successful backup of a group's database, from its manifest (where StarRocks reported sizes).",
        carried: true,
    },
    Family {
        name: "starsnap_restore_last_success_timestamp_seconds",
        kind: "gauge",
        help: "When the last restore into a database finished (Unix time).",
        carried: true,
    },
    Family {
        name: "starsnap_restore_tables",
        kind: "gauge",
        help: "Tables restored by the last successful restore into a database.",
        carried: true,
    },
    Family {
        name: "starsnap_restore_partitions",
        kind: "gauge",
        help: "Partitions named by the last successful restore into a database (whole tables, restored as the snapshot holds them, count none).",
        carried: true,
    },
    Family {
        name: "starsnap_restore_failures_total",
        kind: "counter",
        help: "Restore steps that failed, were skipped or interrupted, by database, over all runs.",
        carried: true,
    },
];

type Labels = Vec<(String, String)>;

/// The series of the file, by family then labels.
#[derive(Debug, Default)]
pub struct Metrics {
    series: BTreeMap<&'static str, BTreeMap<Labels, f64>>,
}

/// What one step is, for metrics (taken from the plan before it runs).
#[derive(Clone, Debug)]
enum StepKind {
    Backup {
        group: String,
        database: String,
        repository: String,
        label: String,
        partitions: u64,
    },
    Restore {
        database: String,
        tables: u64,
        partitions: u64,
    },
    Other {
        database: String,
    },
}

/// The plan's steps as metrics see them.
#[derive(Clone, Debug, Default)]
pub struct PlanFacts {
    steps: BTreeMap<String, StepKind>,
}

impl PlanFacts {
    pub fn of(plan: &Plan) -> PlanFacts {
        let steps = plan
            .steps
            .iter()
            .map(|s| {
                let kind = match &s.op {
                    Op::Backup(b) => StepKind::Backup {
                        group: b.group.clone(),
                        database: b.database.clone().unwrap_or_default(),
                        repository: b.repository.clone(),
                        label: b.label.clone(),
                        partitions: s.partition_count(),
                    },
                    Op::Restore(r) => StepKind::Restore {
                        database: r.database.clone(),
                        tables: r.tables.len() as u64,
                        partitions: s.partition_count(),
                    },
                    _ => StepKind::Other {
                        database: s.database().unwrap_or_default().to_string(),
                    },
                };
                (s.id.clone(), kind)
            })
            .collect();
        PlanFacts { steps }
    }

    /// (repository, label) of every backup step that succeeded in `report`.
    pub fn finished_backups(&self, report: &ApplyReport) -> Vec<(String, String)> {
        report
            .steps
            .iter()
            .filter(|r| r.outcome.succeeded())
            .filter_map(|r| match self.steps.get(&r.step_id) {
                Some(StepKind::Backup {
                    repository, label, ..
                }) => Some((repository.clone(), label.clone())),
                _ => None,
            })
            .collect()
    }
}

/// What the run came to.
pub struct RunResult<'a> {
    pub report: Option<&'a ApplyReport>,
    /// The exit code (0: success).
    pub code: i32,
    pub duration_s: f64,
    pub end_s: f64,
    /// Data size per backup label, where the manifest knows it.
    pub bytes: &'a BTreeMap<String, i64>,
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

impl Metrics {
    /// The carried-over series of a previous file (missing or unreadable: none).
    pub fn previous(path: &Path) -> Metrics {
        let mut m = Metrics::default();
        let Ok(text) = std::fs::read_to_string(path) else {
            return m;
        };
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let Some((name, labels, value)) = parse_sample(line) else {
                continue;
            };
            if let Some(f) = FAMILIES.iter().find(|f| f.name == name && f.carried) {
                m.series.entry(f.name).or_default().insert(labels, value);
            }
        }
        m
    }

    fn set(&mut self, family: &'static str, labels: Labels, value: f64) {
        self.series.entry(family).or_default().insert(labels, value);
    }

    fn add(&mut self, family: &'static str, labels: Labels, value: f64) {
        *self
            .series
            .entry(family)
            .or_default()
            .entry(labels)
            .or_insert(0.0) += value;
    }

    /// Adds what this run did.
    pub fn record(&mut self, facts: &PlanFacts, run: &RunResult<'_>) {
        self.set(
            "starsnap_apply_last_run_timestamp_seconds",
            vec![],
            run.end_s,
        );
        self.set("starsnap_apply_duration_seconds", vec![], run.duration_s);
        self.set(
            "starsnap_apply_last_run_success",
            vec![],
            if run.code == 0 { 1.0 } else { 0.0 },
        );
        let Some(report) = run.report else {
            return;
        };
        let failed = report.failed() as f64;
        for (outcome, n) in [
            ("done", report.done() as f64),
            ("already_done", report.already_done() as f64),
            ("failed", failed),
        ] {
            self.set("starsnap_apply_steps", labels(&[("outcome", outcome)]), n);
        }
        // A backup set may be several chunks (steps): sum them per group and database.
        let mut backups: BTreeMap<(String, String), (u64, Option<i64>)> = BTreeMap::new();
        let mut restores: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for r in &report.steps {
            let Some(kind) = facts.steps.get(&r.step_id) else {
                continue;
            };
            let ok = r.outcome.succeeded();
            let counts_as_failure = matches!(
                r.outcome,
                Outcome::Failed(_) | Outcome::Skipped(_) | Outcome::Interrupted(_)
            );
            match kind {
                StepKind::Backup {
                    group,
                    database,
                    label,
                    partitions,
                    ..
                } => {
                    let key = labels(&[("group", group), ("database", database)]);
                    if counts_as_failure {
                        self.add("starsnap_apply_failures_total", key, 1.0);
                    } else if ok {
                        let e = backups
                            .entry((group.clone(), database.clone()))
                            .or_insert((0, Some(0)));
                        e.0 += partitions;
                        e.1 = match (e.1, run.bytes.get(label)) {
                            (Some(sum), Some(b)) => Some(sum + b),
                            _ => None,
                        };
                    }
                }
                StepKind::Restore {
                    database,
                    tables,
                    partitions,
                } => {
                    if counts_as_failure {
                        self.add(
                            "starsnap_restore_failures_total",
                            labels(&[("database", database)]),
                            1.0,
                        );
                    } else if ok {
                        let e = restores.entry(database.clone()).or_insert((0, 0));
                        e.0 += tables;
                        e.1 += partitions;
                    }
                }
                StepKind::Other { database } => {
                    if counts_as_failure {
                        let key = labels(&[("group", ""), ("database", database)]);
                        self.add("starsnap_apply_failures_total", key, 1.0);
                    }
                }
            }
        }
        for ((group, database), (partitions, bytes)) in backups {
            let key = labels(&[("group", &group), ("database", &database)]);
            self.set(
                "starsnap_backup_last_success_timestamp_seconds",
                key.clone(),
                run.end_s,
            );
            self.set("starsnap_backup_partitions", key.clone(), partitions as f64);
            match bytes {
                Some(b) => self.set("starsnap_backup_bytes", key, b as f64),
                None => {
                    // Unknown this time: an older size would be a lie.
                    if let Some(s) = self.series.get_mut("starsnap_backup_bytes") {
                        s.remove(&key);
                    }
                }
            }
        }
        for (database, (tables, partitions)) in restores {
            let key = labels(&[("database", &database)]);
            self.set(
                "starsnap_restore_last_success_timestamp_seconds",
                key.clone(),
                run.end_s,
            );
            self.set("starsnap_restore_tables", key.clone(), tables as f64);
            self.set("starsnap_restore_partitions", key, partitions as f64);
        }
    }

    /// The Prometheus text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in FAMILIES {
            let Some(series) = self.series.get(f.name).filter(|s| !s.is_empty()) else {
                continue;
            };
            out.push_str(&format!("# HELP {} {}\n", f.name, escape_help(f.help)));
            out.push_str(&format!("# TYPE {} {}\n", f.name, f.kind));
            for (labels, value) in series {
                out.push_str(f.name);
                if !labels.is_empty() {
                    let inner: Vec<String> = labels
                        .iter()
                        .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                        .collect();
                    out.push_str(&format!("{{{}}}", inner.join(",")));
                }
                out.push_str(&format!(" {}\n", format_value(*value)));
            }
        }
        out
    }

    /// Writes the file atomically: a temporary file beside it, then a rename.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let shown = path.display();
        let mut tmp = tempfile::Builder::new()
            .prefix(".starsnap-metrics")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| format!("cannot write the metrics file {shown}: {e}"))?;
        tmp.write_all(self.render().as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| format!("cannot write the metrics file {shown}: {e}"))?;
        // The collector usually runs as another user: readable by all, like any textfile.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        tmp.persist(path)
            .map_err(|e| format!("cannot write the metrics file {shown}: {}", e.error))?;
        Ok(())
    }
}

fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// One sample line as [`Metrics::render`] writes it: `name{k="v",…} value`.
fn parse_sample(line: &str) -> Option<(String, Labels, f64)> {
    let name_end = line.find(['{', ' '])?;
    let name = &line[..name_end];
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(r) = rest.strip_prefix('{') {
        let mut chars = r.char_indices();
        let mut key = String::new();
        loop {
            let (i, c) = chars.next()?;
            match c {
                '}' => {
                    rest = &r[i + 1..];
                    break;
                }
                ',' => {}
                '=' => {
                    let (_, q) = chars.next()?;
                    if q != '"' {
                        return None;
                    }
                    let mut value = String::new();
                    loop {
                        let (_, c) = chars.next()?;
                        match c {
                            '"' => break,
                            '\\' => match chars.next()?.1 {
                                'n' => value.push('\n'),
                                other => value.push(other),
                            },
                            other => value.push(other),
                        }
                    }
                    labels.push((std::mem::take(&mut key), value));
                }
                other => key.push(other),
            }
        }
    }
    let value: f64 = rest.split_whitespace().next()?.parse().ok()?;
    Some((name.to_string(), labels, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_escaping() {
        let mut m = Metrics::default();
        let key = labels(&[("group", "a\"b\\c\nd"), ("database", "x,y=z}")]);
        m.set("starsnap_apply_failures_total", key.clone(), 3.0);
        let text = m.render();
        let line = text
            .lines()
            .find(|l| !l.starts_with('#'))
            .unwrap_or_default();
        assert_eq!(
            parse_sample(line),
            Some(("starsnap_apply_failures_total".into(), key, 3.0))
        );
    }
}
