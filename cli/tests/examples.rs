//! The pipeline examples (`examples/github-actions.yml`, `gitlab-ci.yml`, `systemd/`, `cron/`)
//! work: every starsnap command in them is extracted from the file and run, in order,
//! against the simulator (paths under /etc and /var mapped to a temporary folder, the
//! pipeline's fingerprint variable to the plan's). The example SQL is canonical (`fmt --check`)
//! and lints clean.
#![allow(clippy::unwrap_used)]

mod apply_support;

use std::path::{Path, PathBuf};

use apply_support::{text, World};

const SUBCOMMANDS: &[&str] = &[
    "lint", "fmt", "plan", "apply", "restore", "show", "inspect", "history", "status", "init",
    "unlock", "rules", "drill",
];

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// Shell words, double and single quotes understood (enough for the examples).
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        out.push(cur);
    }
    out
}

/// Every `starsnap <subcommand> …` in a file, in order, cut at the first shell operator.
fn commands(file: &Path) -> Vec<Vec<String>> {
    let body = std::fs::read_to_string(file).unwrap();
    let mut out = Vec::new();
    for line in body.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let w = words(line);
        let Some(start) = w.windows(2).position(|p| {
            (p[0] == "starsnap" || p[0].ends_with("/starsnap"))
                && SUBCOMMANDS.contains(&p[1].as_str())
        }) else {
            continue;
        };
        let cmd: Vec<String> = w[start + 1..]
            .iter()
            .take_while(|t| !matches!(t.as_str(), ">" | ">>" | "|" | "||" | "&&" | ";" | "2>&1"))
            .cloned()
            .collect();
        out.push(cmd);
    }
    out
}

fn fingerprint(w: &World) -> String {
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.dir.join("plan.json")).unwrap()).unwrap();
    plan["fingerprint"].as_str().unwrap().to_string()
}

/// Runs the commands of one example file in a fresh world; returns them as run.
fn run_example(name: &str, rel: &str) -> Vec<String> {
    let cmds = commands(&examples().join(rel));
    assert!(!cmds.is_empty(), "{rel}: no starsnap command found");
    let w = World::start(name);
    let sql = w.dir.join("sql");
    std::fs::create_dir_all(&sql).unwrap();
    for f in std::fs::read_dir(examples().join("sql")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, sql.join(f.file_name().unwrap())).unwrap();
    }
    let mut ran = Vec::new();
    for cmd in cmds {
        let args: Vec<String> = cmd
            .iter()
            .map(|a| {
                if a.contains('$') && a.to_lowercase().contains("fingerprint") {
                    fingerprint(&w)
                } else if a.starts_with("/etc/starsnap/") || a.starts_with("/var/") {
                    Path::new(a)
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                } else {
                    a.clone()
                }
            })
            .collect();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = w.run(&refs);
        let code = o.status.code();
        let detailed = refs.contains(&"--detailed-exitcode");
        assert!(
            code == Some(0) || (detailed && code == Some(2)),
            "{rel}: starsnap {} exited {code:?}\n{}{}",
            refs.join(" "),
            text(&o.stdout),
            text(&o.stderr)
        );
        if refs.contains(&"sarif") {
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(v["version"], "2.1.0");
        }
        if refs.contains(&"markdown") {
            assert!(text(&o.stdout).contains('#') || text(&o.stdout).contains('|'));
        }
        if refs.first() == Some(&"apply") && refs.contains(&"--json") {
            let last = text(&o.stdout)
                .lines()
                .last()
                .unwrap_or_default()
                .to_string();
            let v: serde_json::Value = serde_json::from_str(&last).unwrap();
            assert_eq!(
                (v["event"].as_str(), v["failed"].as_u64()),
                (Some("summary"), Some(0))
            );
        }
        if let Some(i) = refs.iter().position(|a| *a == "--metrics-file") {
            let m = std::fs::read_to_string(w.dir.join(refs[i + 1])).unwrap();
            assert!(m.contains("starsnap_apply_last_run_success 1"), "{m}");
        }
        ran.push(refs.join(" "));
    }
    // Whatever the example applied is in the history.
    if ran.iter().any(|c| c.starts_with("apply")) {
        assert!(!w.history().is_empty(), "{rel}: nothing was backed up");
    }
    ran
}

#[test]
fn github_actions_example_runs_against_the_simulator() {
    let ran = run_example("ex-github", "github-actions.yml");
    for expected in [
        "lint sql/ --format github",
        "lint sql/ --format sarif",
        "fmt --check sql/",
    ] {
        assert!(ran.iter().any(|c| c == expected), "{expected} in {ran:?}");
    }
    assert!(
        ran.iter().any(|c| c.contains("--format markdown")),
        "{ran:?}"
    );
    assert!(
        ran.iter()
            .any(|c| c.starts_with("apply plan.json") && c.contains("--expect-fingerprint")),
        "{ran:?}"
    );
}

#[test]
fn gitlab_ci_example_runs_against_the_simulator() {
    let ran = run_example("ex-gitlab", "gitlab-ci.yml");
    assert!(
        ran.iter().any(|c| c.contains("--expect-fingerprint")),
        "{ran:?}"
    );
}

#[test]
fn systemd_and_cron_examples_run_against_the_simulator() {
    let ran = run_example("ex-systemd", "systemd/starsnap-backup.service");
    assert_eq!(ran.len(), 1, "{ran:?}");
    assert!(ran[0].starts_with("apply --plan-and-apply --auto-approve"));
    let ran = run_example("ex-cron", "cron/starsnap");
    assert_eq!(ran.len(), 2, "{ran:?}");
    assert!(
        ran[1].starts_with("drill -c starsnap.toml --format json"),
        "{ran:?}"
    );
    // The timer fires the service.
    let timer = std::fs::read_to_string(examples().join("systemd/starsnap-backup.timer")).unwrap();
    assert!(timer.contains("OnCalendar=") && timer.contains("[Install]"));
}

#[test]
fn example_sql_is_canonical_and_lints_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_starsnap"))
            .args(args)
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .env_remove("STARSNAP_CONFIG")
            .output()
            .unwrap()
    };
    let o = run(&["fmt", "--check", "examples/sql"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let o = run(&[
        "lint",
        "examples/sql",
        "examples/starsnap.toml",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
}

#[test]
fn lint_honours_the_policy_lint_section_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("x.sql"), "BACKUP SNAPSHOT s TO r ON (TABLE t);\n").unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_starsnap"));
        c.args(args)
            .current_dir(d)
            .env("NO_COLOR", "1")
            .env_remove("STARSNAP_CONFIG");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    // No policy: L002 is an error.
    let o = run(&["lint", "x.sql"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("L002"));
    // ./starsnap.toml turns it off (said on stderr).
    std::fs::write(
        d.join("starsnap.toml"),
        "[cluster]\nhost = \"h\"\nuser = \"u\"\n\n[lint]\nseverity = { L002 = \"off\" }\n",
    )
    .unwrap();
    let o = run(&["lint", "x.sql"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(!text(&o.stdout).contains("L002"));
    assert!(text(&o.stderr).contains("starsnap.toml"));
    // A flag wins over the file.
    let o = run(&["lint", "x.sql", "--severity", "L002=error"], &[]);
    assert_eq!(o.status.code(), Some(1));
    // -c and STARSNAP_CONFIG name another policy; its dialect applies too.
    std::fs::write(
        d.join("other.toml"),
        "[cluster]\nhost = \"h\"\nuser = \"u\"\n\n[lint]\ndialect = \"starrocks-3.3\"\n",
    )
    .unwrap();
    std::fs::write(d.join("y.sql"), "BACKUP DATABASE db SNAPSHOT s TO r;\n").unwrap();
    let by_flag = run(&["lint", "y.sql", "-c", "other.toml"], &[]);
    let by_env = run(&["lint", "y.sql"], &[("STARSNAP_CONFIG", "other.toml")]);
    let default = run(&["lint", "y.sql"], &[]);
    assert!(
        text(&by_flag.stdout).contains("D001"),
        "{}",
        text(&by_flag.stdout)
    );
    assert_eq!(text(&by_flag.stdout), text(&by_env.stdout));
    assert!(
        !text(&default.stdout).contains("D001"),
        "{}",
        text(&default.stdout)
    );
    // A policy named explicitly that cannot be read is a usage error.
    let o = run(&["lint", "y.sql", "-c", "missing.toml"], &[]);
    assert_eq!(o.status.code(), Some(64));
}
