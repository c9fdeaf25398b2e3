//! Golden tests over `testdata/sql/{ok,err}` (see `testdata/sql/README.md`): files in `ok/`
//! give no finding at warning or error severity, files in `err/` report the code their
//! `-- code:` header names and at least one warning or error. One insta snapshot per file
//! holds its findings, rendered plainly (the CLI's renderers live in the `cli` crate).

use std::path::Path;

use starsnap_compiler::lint::{lint_bytes, Level, LintOptions};
use starsnap_compiler::syntax::Dialect;
use starsnap_compiler::{Diagnostic, LineIndex, Severity};

/// The header lines `-- key: value` at the top of a file.
fn header<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines()
        .take_while(|l| l.starts_with("--"))
        .filter_map(|l| l.strip_prefix("-- ")?.strip_prefix(key)?.strip_prefix(": "))
        .map(str::trim)
        .collect()
}

fn options(text: &str) -> LintOptions {
    let dialect = header(text, "dialect")
        .first()
        .map(|d| d.parse::<Dialect>().expect("known dialect"))
        .unwrap_or_default();
    let mut opts = LintOptions::new(dialect);
    for o in header(text, "severity") {
        let (code, level) = o.split_once('=').expect("CODE=level");
        opts.set_level(code, Level::parse(level).expect("level"))
            .expect("known code");
    }
    opts
}

/// `line:col severity[code] message` plus help, labels and the StarRocks error.
fn render(text: &str, diags: &[Diagnostic]) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for d in diags {
        let lc = index.line_col(text, d.span.start);
        out.push_str(&format!(
            "{}:{} {}[{}] {}\n",
            lc.line, lc.col, d.severity, d.code, d.message
        ));
        let snippet = text.get(d.span.start..d.span.end).unwrap_or("");
        let first_line = snippet.lines().next().unwrap_or("");
        out.push_str(&format!("  at: {first_line:?}\n"));
        for l in &d.labels {
            let lc = index.line_col(text, l.span.start);
            out.push_str(&format!("  label {}:{}: {}\n", lc.line, lc.col, l.message));
        }
        if let Some(h) = &d.help {
            out.push_str(&format!("  help: {h}\n"));
        }
        if let Some(sr) = &d.starrocks {
            out.push_str(&format!(
                "  starrocks {} ({}) {:?}: {}\n",
                sr.code, sr.sqlstate, sr.stage, sr.message
            ));
        }
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    out
}

fn files(dir: &str) -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/sql")
        .join(dir);
    let mut out: Vec<_> = std::fs::read_dir(&root)
        .expect("golden folder exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    out.sort();
    out
}

fn run(dir: &str, check: impl Fn(&str, &str, &[Diagnostic])) -> usize {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    let _guard = settings.bind_to_scope();
    let mut n = 0;
    for path in files(dir) {
        let bytes = std::fs::read(&path).expect("readable");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_string();
        let result = lint_bytes(&format!("{dir}/{stem}.sql"), &bytes, &options(&text));
        check(&stem, &text, &result.lint.diagnostics);
        insta::assert_snapshot!(
            format!("golden__{dir}__{stem}"),
            render(result.text, &result.lint.diagnostics)
        );
        n += 1;
    }
    n
}

#[test]
fn ok_files_have_no_warnings_or_errors() {
    let n = run("ok", |stem, _, diags| {
        let bad: Vec<_> = diags
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
            .map(|d| (&d.code, &d.message))
            .collect();
        assert!(bad.is_empty(), "ok/{stem}: {bad:?}");
    });
    assert!(n >= 5, "only {n} ok/ files");
}

#[test]
fn err_files_report_their_code() {
    let n = run("err", |stem, text, diags| {
        let codes = header(text, "code");
        assert!(!codes.is_empty(), "err/{stem} has no `-- code:` header");
        for code in codes {
            assert!(
                diags.iter().any(|d| d.code == code),
                "err/{stem}: {code} not reported; got {:?}",
                diags.iter().map(|d| &d.code).collect::<Vec<_>>()
            );
        }
        assert!(
            diags.iter().any(|d| d.severity >= Severity::Warning),
            "err/{stem}: no warning or error"
        );
    });
    assert!(n >= 40, "only {n} err/ files");
}

#[test]
fn every_lint_rule_and_static_check_has_an_err_file() {
    let names: Vec<String> = files("err")
        .iter()
        .filter_map(|p| p.file_stem()?.to_str().map(str::to_string))
        .collect();
    let has = |code: &str| names.iter().any(|n| n.starts_with(&code.to_lowercase()));
    for r in starsnap_compiler::lint::Rule::ALL {
        assert!(has(r.code()), "no err/ file for {}", r.code());
    }
    for c in starsnap_compiler::validate::Check::ALL {
        if !c.needs_catalog() {
            assert!(has(c.code()), "no err/ file for {}", c.code());
        }
    }
}

/// `fmt` over every golden file: idempotent, keeps every comment, and (for `ok/`) one
/// snapshot of the formatted text.
#[test]
fn fmt_is_idempotent_on_golden_files_and_keeps_comments() {
    use starsnap_compiler::fmt::format;
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    let _guard = settings.bind_to_scope();
    for dir in ["ok", "err"] {
        for path in files(dir) {
            let text = std::fs::read_to_string(&path).expect("utf-8 golden file");
            let dialect = options(&text).dialect;
            let once = format(&text, dialect);
            let twice = format(&once.output, dialect);
            assert_eq!(twice.output, once.output, "{}", path.display());
            assert!(!twice.changed, "{}", path.display());
            for line in text.lines().filter(|l| l.trim_start().starts_with("--")) {
                assert!(
                    once.output.contains(line.trim()),
                    "{}: lost {line}",
                    path.display()
                );
            }
            if dir == "ok" {
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .expect("utf-8 name")
                    .to_string();
                insta::assert_snapshot!(format!("fmt__{stem}"), once.output);
            }
        }
    }
}
