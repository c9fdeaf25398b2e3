//! End-to-end tests of the `starsnap` binary: exit codes, output formats, stdin, fmt.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn starsnap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_starsnap"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn starsnap_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_starsnap"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("starsnap-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Each `ok/` file lints clean under the dialect its `-- dialect:` header names.
#[test]
fn ok_files_lint_clean_and_exit_0() {
    let dir = root().join("testdata/sql/ok");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let dialect = text
            .lines()
            .find_map(|l| l.strip_prefix("-- dialect:"))
            .map(|d| d.trim().to_string())
            .unwrap_or_else(|| "starrocks-3.4".into());
        let o = starsnap(&["lint", "--dialect", &dialect, f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}: {}", f.display(), stdout(&o));
    }
}

#[test]
fn errors_exit_1_and_fail_on_warning_is_stricter() {
    let o = starsnap(&["lint", "testdata/sql/err/v017_missing_backup_timestamp.sql"]);
    assert_eq!(o.status.code(), Some(1));
    let w = "testdata/sql/err/l003_incremental_backup.sql";
    assert_eq!(starsnap(&["lint", w]).status.code(), Some(0));
    assert_eq!(
        starsnap(&["lint", "--fail-on", "warning", w]).status.code(),
        Some(1)
    );
    // Turning the rule off silences it.
    let off = starsnap(&["lint", "--fail-on", "warning", "--severity", "L003=off", w]);
    assert_eq!(off.status.code(), Some(0), "{}", stdout(&off));
}

#[test]
fn usage_errors_exit_64() {
    assert_eq!(starsnap(&["lint", "no/such/dir"]).status.code(), Some(64));
    assert_eq!(
        starsnap(&["lint", "--format", "xml", "."]).status.code(),
        Some(64)
    );
    assert_eq!(
        starsnap(&["lint", "--severity", "L999=off", "."])
            .status
            .code(),
        Some(64)
    );
    assert_eq!(
        starsnap(&["lint", "--dialect", "starrocks-9.9", "."])
            .status
            .code(),
        Some(64)
    );
    assert_eq!(starsnap(&["frobnicate"]).status.code(), Some(64));
    assert_eq!(starsnap(&["--help"]).status.code(), Some(0));
}

#[test]
fn help_documents_exit_codes() {
    let h = stdout(&starsnap(&["lint", "--help"]));
    for needle in [
        "Exit codes:",
        "64",
        "--fail-on",
        "--format",
        "--dialect",
        "--severity",
    ] {
        assert!(h.contains(needle), "missing {needle} in:\n{h}");
    }
}

#[test]
fn stdin_is_linted_as_stdin() {
    let o = starsnap_stdin(
        &["lint", "--format", "json", "-"],
        "RESTORE SNAPSHOT d.s FROM r;\n",
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["path"], "<stdin>");
}

#[test]
fn binary_and_invalid_utf8_files_are_findings_not_crashes() {
    let d = temp_dir("bytes");
    std::fs::write(d.join("bin.sql"), b"BACKUP\0\x01\x02").unwrap();
    std::fs::write(d.join("latin1.sql"), b"SHOW BACKUP FROM caf\xe9;").unwrap();
    let o = starsnap(&["lint", "--format", "json", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 2);
    assert_eq!(v["summary"]["errors"], 2, "{v:#}");
    let _ = std::fs::remove_dir_all(&d);
}

/// Every rule and every V code, in every output format (one golden snapshot per format).
#[test]
fn every_rule_in_every_format() {
    for format in ["text", "json", "sarif", "github"] {
        let o = starsnap(&["lint", "--format", format, "testdata/sql/err"]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        insta::assert_snapshot!(format!("err_folder_{format}"), stdout(&o));
        if format == "sarif" {
            // Every code that fires is in the rules table: each result points at its rule.
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let run = &v["runs"][0];
            let results = run["results"].as_array().unwrap();
            assert!(results.len() > 40, "{}", results.len());
            for r in results {
                let i = r["ruleIndex"].as_u64().unwrap_or_else(|| panic!("{r}"));
                let rule = &run["tool"]["driver"]["rules"][i as usize];
                assert_eq!(rule["id"], r["ruleId"], "{r}");
            }
        }
    }
}

#[test]
fn fmt_check_reports_then_fmt_rewrites_idempotently() {
    let d = temp_dir("fmt");
    let f = d.join("runbook.sql");
    let original =
        "-- nightly\nbackup snapshot sales.s1 to repo on (orders partition (p1,p2));\nUSE sales;\n";
    std::fs::write(&f, original).unwrap();
    let path = f.to_str().unwrap();

    let check = starsnap(&["fmt", "--check", path]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("+BACKUP"), "{}", stdout(&check));
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        original,
        "--check must not write"
    );

    assert_eq!(starsnap(&["fmt", path]).status.code(), Some(0));
    let once = std::fs::read_to_string(&f).unwrap();
    assert!(once.starts_with("-- nightly\n"), "comment kept: {once}");
    assert!(once.contains("USE sales;"), "other statements kept: {once}");
    assert_eq!(starsnap(&["fmt", "--check", path]).status.code(), Some(0));
    assert_eq!(starsnap(&["fmt", path]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), once, "idempotent");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn fmt_leaves_statements_with_syntax_errors_alone() {
    let o = starsnap_stdin(
        &["fmt", "-"],
        "backup snapshot d.s to r on ();\nshow   backup;\n",
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.starts_with("backup snapshot d.s to r on ();\n"),
        "{out}"
    );
    assert!(out.contains("SHOW BACKUP;"), "{out}");
}

#[test]
fn rules_lists_registry_and_documents_one() {
    let all = stdout(&starsnap(&["rules"]));
    assert!(all.contains("L005"), "{all}");
    let one = starsnap(&["rules", "L003"]);
    assert_eq!(one.status.code(), Some(0));
    assert!(stdout(&one).contains("What it does"), "{}", stdout(&one));
    assert_eq!(starsnap(&["rules", "nope"]).status.code(), Some(64));
}

/// Regression: `starsnap rules | head -1` panicked with "failed printing to stdout: Broken pipe".
#[test]
fn closed_stdout_is_not_a_panic() {
    for args in [
        &["rules"][..],
        &["lint", "--format", "sarif", "testdata/sql/err"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_starsnap"))
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// Bad input: a 100 MB file holding one unterminated comment gives one diagnostic, reported by
/// position (regression: the text renderer re-rendered the whole 100 MB line, for 20 s).
#[test]
fn hundred_megabyte_unterminated_comment_is_one_finding() {
    let d = temp_dir("big");
    let f = d.join("big.sql");
    let mut text = String::with_capacity(100_000_016);
    text.push_str("SHOW BACKUP;\n/* ");
    text.push_str(&"x".repeat(100_000_000));
    std::fs::write(&f, text).unwrap();
    let o = starsnap(&["lint", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("S005") && out.contains(":2:1"),
        "{}",
        &out[..out.len().min(2000)]
    );
    assert!(out.len() < 4096, "the 100 MB line must not be echoed");
    let _ = std::fs::remove_dir_all(&d);
}

/// A policy file given to `lint` is checked with the policy rules, in every output format.
#[test]
fn lint_checks_a_policy_file_with_file_line_col() {
    let d = temp_dir("policy");
    let f = d.join("starsnap.toml");
    std::fs::write(
        &f,
        "[repository.r]\nlocation = \"s3://b/p\"\n\n[group.x]\ninclude = [\"a.*\"]\nrepository = \"r\"\nfull_every = \"soon\"\n",
    )
    .unwrap();
    let path = f.to_str().unwrap();
    let o = starsnap(&["lint", "--format", "json", path]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first = &v["diagnostics"][0];
    assert_eq!(first["code"], "P005", "{v:#}");
    assert_eq!(first["start"]["line"], 7);
    let sarif = starsnap(&["lint", "--format", "sarif", path]);
    assert!(stdout(&sarif).contains("\"ruleId\": \"P005\""));
    assert_eq!(
        starsnap(&["lint", "examples/starsnap.toml"]).status.code(),
        Some(0)
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// `plan` reports policy findings with lint's renderers too (`--diagnostics-format`).
#[test]
fn plan_renders_policy_findings_in_lint_formats() {
    let d = temp_dir("plan-diag");
    std::fs::write(
        d.join("starsnap.toml"),
        "[group.x]\ninclude = [\"a.*\"]\nrepositry = \"r\"\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_starsnap"))
        .args(["plan", "--diagnostics-format", "github"])
        .current_dir(&d)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("::error file=starsnap.toml,line=3,col=1"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&d);
}
