//! One CLI grammar: `--format text|json` (with `--json` as its alias) on the listing
//! commands, apply's `--json` events against `grammar/apply-events.schema.json`, `--color`
//! with `NO_COLOR`/`CLICOLOR_FORCE` decided per stream, "did you mean", the policy found by
//! `-c`, `STARSNAP_CONFIG`, `./starsnap.toml`, and exit codes in every `--help`.
#![allow(clippy::unwrap_used)]

mod apply_support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use apply_support::{text, World};
use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_starsnap"));
    c.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("STARSNAP_CONFIG")
        .stdin(Stdio::null());
    c
}

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.args(args).current_dir(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[path = "../../compiler/tests/json_schema/mod.rs"]
mod json_schema;
use json_schema::validate;

fn events_schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../grammar/apply-events.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn check_events(stdout: &str) -> Vec<Value> {
    let schema = events_schema();
    let events: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(!events.is_empty());
    for (i, e) in events.iter().enumerate() {
        let mut errors = Vec::new();
        validate(&schema, &schema, e, &format!("event[{i}]"), &mut errors);
        assert!(errors.is_empty(), "{errors:?}\n{e}");
    }
    assert_eq!(events.last().unwrap()["event"], "summary");
    assert_eq!(events.iter().filter(|e| e["event"] == "summary").count(), 1);
    events
}

#[test]
fn the_validator_catches_a_bad_event() {
    let schema = events_schema();
    for bad in [
        r#"{"event":"summary","done":0,"already_done":0,"failed":0}"#,
        r#"{"event":"summary","time":"yesterday","done":0,"already_done":0,"failed":0}"#,
        r#"{"event":"exploded","time":"2026-11-22T02:00:00.000Z","step":"s","database":null,"label":null,"state":null,"message":null}"#,
        r#"{"event":"done","time":"2026-11-22T02:00:00.000Z","step":"s","database":null,"label":null,"state":null,"message":null,"extra":1}"#,
    ] {
        let mut errors = Vec::new();
        validate(
            &schema,
            &schema,
            &serde_json::from_str(bad).unwrap(),
            "e",
            &mut errors,
        );
        assert!(!errors.is_empty(), "accepted {bad}");
    }
}

#[test]
fn every_apply_event_matches_the_schema_and_listings_speak_json() {
    let w = World::start("grammar");
    w.exec(
        "ADMIN SET SIMULATOR FAULT 'backup_fail' ON DATABASE crm AT STATE 'UPLOADING' \
         WITH MESSAGE 'upload failed'",
    );
    w.plan("p.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["apply", "p.json", "--auto-approve", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let events = check_events(&text(&o.stdout));
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert!(
        kinds.contains(&"submitted") && kinds.contains(&"failed"),
        "{kinds:?}"
    );
    assert_eq!(events.last().unwrap()["failed"], 1);
    // A plan with nothing to do: still a summary with a time.
    w.plan("p.json", "2026-11-22T02:00:00Z");
    w.plan("q.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["apply", "q.json", "--auto-approve", "--json"]);
    check_events(&text(&o.stdout));

    // history: --format json and its alias --json agree; text is a table.
    let json = w.run(&["history", "--format", "json"]);
    let alias = w.run(&["history", "--json"]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    assert_eq!(text(&json.stdout), text(&alias.stdout));
    for line in text(&json.stdout).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(v["label"].is_string() && v["state"].is_string(), "{v}");
    }
    assert!(text(&w.run(&["history"]).stdout).starts_with("LABEL"));
    let both = w.run(&["history", "--json", "--format", "text"]);
    assert_eq!(both.status.code(), Some(64));

    // status: one JSON object.
    let o = w.run(&["status", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: Value = serde_json::from_str(text(&o.stdout).trim()).unwrap();
    assert!(v["locks"].is_array() && v["jobs"].is_array(), "{v}");
    assert_eq!(text(&w.run(&["status", "--json"]).stdout), text(&o.stdout));

    // The policy: ./starsnap.toml is said; -c is not; STARSNAP_CONFIG from anywhere.
    let o = w.run(&["status"]);
    assert!(
        text(&o.stderr).contains("using ./starsnap.toml"),
        "{}",
        text(&o.stderr)
    );
    let o = w.run(&["status", "-c", "starsnap.toml"]);
    assert!(!text(&o.stderr).contains("using"), "{}", text(&o.stderr));
    let elsewhere = tempfile::tempdir().unwrap();
    let policy = w.dir.join("starsnap.toml");
    let o = run_in(
        elsewhere.path(),
        &["status", "--json"],
        &[("STARSNAP_CONFIG", policy.to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("from STARSNAP_CONFIG"),
        "{}",
        text(&o.stderr)
    );
    // No policy anywhere: a usage error naming the file.
    let o = run_in(elsewhere.path(), &["status"], &[]);
    assert_eq!(o.status.code(), Some(64), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("starsnap.toml"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn rules_speak_json() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["rules", "--format", "json"], &[]);
    assert_eq!(o.status.code(), Some(0));
    let rules: Vec<Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rules.iter().any(|r| r["code"] == "L005"));
    let o = run_in(dir.path(), &["rules", "L005", "--format", "json"], &[]);
    let v: Value = serde_json::from_str(text(&o.stdout).trim()).unwrap();
    assert_eq!(v["name"], "restore-in-place");
    assert!(v["docs"].as_str().unwrap().contains("What it does"));
}

const ANSI: &str = "\x1b[";

/// Runs a shell command line under a pseudo-terminal (`script`): what reaches the terminal.
fn on_a_terminal(dir: &Path, line: &str, env: &[(&str, &str)]) -> String {
    let mut c = Command::new("script");
    c.args(["-qec", line, "/dev/null"])
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c
        .output()
        .expect("`script` (Debian package bsdutils) makes the pseudo-terminal");
    text(&o.stdout)
}

#[test]
fn color_is_decided_per_stream_with_no_color_and_clicolor_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("x.sql"), "BACKUP SNAPSHOT s TO r ON (TABLE t);\n").unwrap();
    std::fs::write(d.join("bad.toml"), "[cluster]\nhost = \"127.0.0.1\"\n").unwrap();
    let exe = env!("CARGO_BIN_EXE_starsnap");

    // Not a terminal: no color, unless forced or asked for.
    let plain = run_in(d, &["lint", "x.sql"], &[]);
    assert!(!text(&plain.stdout).contains(ANSI));
    let forced = run_in(d, &["lint", "x.sql"], &[("CLICOLOR_FORCE", "1")]);
    assert!(text(&forced.stdout).contains(ANSI));
    let both = run_in(
        d,
        &["lint", "x.sql"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert!(!text(&both.stdout).contains(ANSI));
    let always = run_in(
        d,
        &["lint", "x.sql", "--color", "always"],
        &[("NO_COLOR", "1")],
    );
    assert!(text(&always.stdout).contains(ANSI));
    // --color is accepted before the subcommand too.
    let always = run_in(d, &["--color", "always", "lint", "x.sql"], &[]);
    assert!(text(&always.stdout).contains(ANSI));

    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("no `script`: the terminal half of this test is skipped");
        return;
    }
    // A terminal on stdout: lint's findings there are colored; NO_COLOR and --color never
    // turn it off.
    assert!(on_a_terminal(d, &format!("{exe} lint x.sql"), &[]).contains(ANSI));
    assert!(!on_a_terminal(d, &format!("{exe} lint x.sql"), &[("NO_COLOR", "1")]).contains(ANSI));
    assert!(!on_a_terminal(d, &format!("{exe} lint x.sql --color never"), &[]).contains(ANSI));
    // stdout to a file, stderr a terminal: stdout is not colored.
    on_a_terminal(d, &format!("{exe} lint x.sql > out.txt"), &[]);
    let out = std::fs::read_to_string(d.join("out.txt")).unwrap();
    assert!(out.contains("L002") && !out.contains(ANSI), "{out}");
    // plan's findings go to stderr: colored by stderr's terminal, not stdout's.
    let seen = on_a_terminal(d, &format!("{exe} plan -c bad.toml > /dev/null"), &[]);
    assert!(seen.contains("P004") && seen.contains(ANSI), "{seen}");
    on_a_terminal(d, &format!("{exe} plan -c bad.toml 2> err.txt"), &[]);
    let err = std::fs::read_to_string(d.join("err.txt")).unwrap();
    assert!(err.contains("P004") && !err.contains(ANSI), "{err}");
}

#[test]
fn mistyped_commands_and_flags_get_a_suggestion_and_exit_64() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["plam"], &[]);
    assert_eq!(o.status.code(), Some(64));
    assert!(text(&o.stderr).contains("'plan'"), "{}", text(&o.stderr));
    let o = run_in(dir.path(), &["lint", "--fromat", "json"], &[]);
    assert_eq!(o.status.code(), Some(64));
    assert!(
        text(&o.stderr).contains("'--format'"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn every_help_documents_the_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["--help"], &[]);
    let help = text(&o.stdout);
    assert!(help.contains("Exit codes:"));
    let subs: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect();
    assert!(subs.len() >= 16, "{subs:?}");
    for sub in &subs {
        let o = run_in(dir.path(), &[sub.as_str(), "--help"], &[]);
        assert_eq!(o.status.code(), Some(0), "{sub}");
        let h = text(&o.stdout);
        assert!(
            h.contains("Exit codes:") && h.contains("64"),
            "{sub} --help:\n{h}"
        );
    }
}
