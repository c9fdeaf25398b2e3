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
    // --format json is the same stream.
    let o = w.run(&["apply", "q.json", "--auto-approve", "--format", "json"]);
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
        .env_remove("CLICOLOR")
        // anstream takes `CI` as "colors work" even on a dumb terminal; the cases here are a
        // person's terminal (regression: the test failed under `CI=true`).
        .env_remove("CI")
        // A terminal that can show colors (CI runs with no TERM at all).
        .env("TERM", "xterm-256color")
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
    // A terminal that says it cannot show colors, or CLICOLOR=0: none.
    assert!(!on_a_terminal(d, &format!("{exe} lint x.sql"), &[("TERM", "dumb")]).contains(ANSI));
    assert!(!on_a_terminal(d, &format!("{exe} lint x.sql"), &[("CLICOLOR", "0")]).contains(ANSI));
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

fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../grammar")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn assert_matches(schema: &Value, v: &Value) {
    let mut errors = Vec::new();
    validate(schema, schema, v, "$", &mut errors);
    assert!(errors.is_empty(), "{errors:?}\n{v}");
}

/// The one error object a failed JSON run prints on stdout.
fn json_error(o: &Output, code: i32, name: &str) -> Value {
    assert_eq!(o.status.code(), Some(code), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let last = out
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no JSON error on stdout; stderr: {}", text(&o.stderr)));
    let v: Value = serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_matches(&schema("error.schema.json"), &v);
    assert_eq!(v["error"]["code"], name, "{v}");
    assert_eq!(v["error"]["exit_code"], code, "{v}");
    let said = text(&o.stderr);
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        !message.is_empty() && said.contains(message.lines().next().unwrap()),
        "stderr says it too: {said}\n{v}"
    );
    v
}

#[test]
fn history_and_status_json_match_their_schemas_and_tables_are_stable_without_a_terminal() {
    let w = World::start("listings");
    w.plan("p.json", "2026-11-22T02:00:00Z");
    w.exec("ADMIN SET SIMULATOR PACING = 200");
    let mut first = w.spawn(&["apply", "p.json", "--auto-approve"]);
    w.wait_until("a job", |w| {
        w.job("crm").is_some() || w.job("sales").is_some()
    });
    // While it runs: a lock held and a job not ended.
    let o = w.run(&["status", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: Value = serde_json::from_str(text(&o.stdout).trim()).unwrap();
    assert_matches(&schema("status-output.schema.json"), &v);
    assert!(!v["locks"].as_array().unwrap().is_empty(), "{v}");
    let plain = text(&w.run(&["status"]).stdout);
    let header = plain.lines().nth(1).unwrap();
    assert_eq!(
        header, "DATABASE\tSTATUS\tHOLDER\tPID\tSINCE\tUNTIL\tLOCK ID",
        "{plain}"
    );
    assert_eq!(first.wait().unwrap().code(), Some(0));

    let o = w.run(&["history", "--json"]);
    let history = schema("history-output.schema.json");
    let lines: Vec<Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    for v in &lines {
        assert_matches(&history, v);
        assert!(
            v["backup_time_ms"].is_i64(),
            "StarRocks's backup_time is listed: {v}"
        );
    }
    // Without a terminal: tab-separated, exact sizes, one header.
    let plain = text(&w.run(&["history"]).stdout);
    let rows: Vec<Vec<&str>> = plain.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows[0].len(), 11, "{plain}");
    assert!(rows.iter().all(|r| r.len() == 11), "{plain}");
    assert!(!plain.contains("iB"), "exact numbers for scripts: {plain}");
    // The restores listing has a schema too (none yet: no lines).
    let o = w.run(&["history", "--restores", "--json"]);
    for line in text(&o.stdout).lines() {
        assert_matches(&history, &serde_json::from_str(line).unwrap());
    }
}

#[test]
fn json_runs_report_errors_as_json() {
    let w = World::start("jsonerr");
    // A plan file that does not exist (apply --json: the last line of the event stream): a
    // missing path is a usage error, as for lint, fmt, plan and show.
    let o = w.run(&["apply", "missing.json", "--auto-approve", "--json"]);
    let v = json_error(&o, 64, "usage");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing.json"),
        "{v}"
    );
    assert_matches(&events_schema(), &v);
    // A drill that cannot run (nothing backed up yet): its error is the last JSON line, as
    // for the other line-per-object commands (issue 12: it printed no error object).
    let o = w.run(&["drill", "--format", "json"]);
    let v = json_error(&o, 1, "failure");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no backup set to drill"),
        "{v}"
    );
    let o = w.run(&["drill", "catalog:lake", "--format", "json"]);
    json_error(&o, 64, "usage");
    // A stale plan: exit 3, stale_plan.
    w.plan("p.json", "2026-11-22T02:00:00Z");
    w.exec("INSERT INTO sales.orders VALUES ('2024-02-10', 9, 90)");
    let o = w.run(&["apply", "p.json", "--auto-approve", "--json"]);
    let v = json_error(&o, 3, "stale_plan");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sales.orders"),
        "{v}"
    );
    // A usage error clap finds: still JSON when JSON was asked for.
    let o = w.run(&["history", "--json", "--limit", "many"]);
    json_error(&o, 64, "usage");
    // No policy: status and history say so in JSON, and so does lint for a missing path.
    let elsewhere = tempfile::tempdir().unwrap();
    let o = run_in(elsewhere.path(), &["status", "--format", "json"], &[]);
    json_error(&o, 64, "usage");
    let o = run_in(elsewhere.path(), &["history", "--format", "json"], &[]);
    json_error(&o, 64, "usage");
    let o = run_in(
        elsewhere.path(),
        &["lint", "nope.sql", "--format", "json"],
        &[],
    );
    json_error(&o, 64, "usage");
    let o = run_in(elsewhere.path(), &["verify", "--format", "json"], &[]);
    json_error(&o, 64, "usage");
    let o = run_in(elsewhere.path(), &["drill", "--format", "json"], &[]);
    json_error(&o, 64, "usage");
    let o = run_in(
        elsewhere.path(),
        &["show", "missing.json", "--format", "json"],
        &[],
    );
    json_error(&o, 64, "usage");
    // A file that is there but is no plan: a failure.
    std::fs::write(elsewhere.path().join("bad.json"), "{}").unwrap();
    let o = run_in(
        elsewhere.path(),
        &["show", "bad.json", "--format", "json"],
        &[],
    );
    json_error(&o, 1, "failure");
    // Text runs keep errors on stderr only.
    let o = run_in(elsewhere.path(), &["status"], &[]);
    assert!(text(&o.stdout).is_empty(), "{}", text(&o.stdout));
    // A JSON document already written carries the failure itself: lint's findings are
    // not an error object.
    std::fs::write(
        elsewhere.path().join("x.sql"),
        "BACKUP SNAPSHOT s TO r ON (TABLE t);\n",
    )
    .unwrap();
    let o = run_in(
        elsewhere.path(),
        &["lint", "x.sql", "--format", "json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert!(v.get("error").is_none(), "{v}");
}

#[test]
fn verbose_logs_statements_with_secrets_masked_and_rust_log_selects() {
    let w = World::start("logs");
    // A repository whose keys come from the environment: apply sends them in CREATE
    // REPOSITORY, and the log must not show them.
    let policy = std::fs::read_to_string(w.dir.join("starsnap.toml")).unwrap().replace(
        "[repository.main]\n",
        "[repository.main]\nproperties = { \"aws.s3.access_key\" = \"${STARSNAP_TEST_KEY}\", \"aws.s3.secret_key\" = \"${STARSNAP_TEST_SECRET}\" }\n",
    );
    std::fs::write(w.dir.join("starsnap.toml"), policy).unwrap();
    let key = "AKIAKEYVALUE77";
    let secret = "s3cr3t-Value-42";
    let env = [("STARSNAP_TEST_KEY", key), ("STARSNAP_TEST_SECRET", secret)];
    let o = w.run_env(
        &["plan", "--as-of", "2026-11-22T02:00:00Z", "--out", "p.json"],
        &env,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Default: quiet (no log lines).
    let o = w.run(&["status"]);
    assert!(
        !text(&o.stderr).contains("starsnap::sql"),
        "{}",
        text(&o.stderr)
    );
    // -vv: every statement with its time; the secrets in a statement are masked.
    let o = w.run_env(&["-vv", "apply", "p.json", "--auto-approve"], &env);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("starsnap::sql") && err.contains("BACKUP"),
        "{err}"
    );
    assert!(err.contains("ms="), "statements carry their time: {err}");
    assert!(err.contains("step ended"), "steps carry their time: {err}");
    assert!(err.contains("CREATE REPOSITORY"), "{err}");
    assert!(!err.contains(secret) && !err.contains(key), "{err}");
    // RUST_LOG picks targets without -v.
    let o = w.run_env(&["status"], &[("RUST_LOG", "starsnap::sql=debug")]);
    let err = text(&o.stderr);
    assert!(
        err.contains("starsnap::sql") && err.contains("SELECT"),
        "{err}"
    );
    assert!(!err.contains("starsnap::apply"), "{err}");
}

#[test]
fn without_a_terminal_apply_prints_a_line_per_step_transition() {
    let w = World::start("transitions");
    w.plan("p.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["apply", "p.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    for db in ["sales", "crm"] {
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| l.contains(&format!(" {db} ")) && l.contains("backup/nightly/"))
            .collect();
        let states: Vec<&str> = lines.iter().filter_map(|l| l.split(' ').nth(3)).collect();
        assert!(
            states.first() == Some(&"step_started")
                && states.contains(&"submitted")
                && states.contains(&"finished")
                && states.last() == Some(&"done"),
            "{db}: {states:?}\n{err}"
        );
        for l in lines {
            // TIME STEP DATABASE STATE N partitions ELAPSED
            let f: Vec<&str> = l.split(' ').collect();
            assert!(f[0].ends_with('Z') && f[0].contains('T'), "{l}");
            assert!(f[4].parse::<u64>().is_ok() && f[5] == "partitions", "{l}");
            assert!(f[6].trim_end_matches(':').ends_with('s'), "{l}");
        }
    }
}
