//! No input makes the snapshot engine panic: every statement of StarRocks's docs, tests and
//! rejects corpora (`testdata/corpus/`), cut after every word, plus a few hostile texts,
//! each answers with a result or an error.
#![allow(clippy::unwrap_used)]

mod snapshot_support;

use snapshot_support::*;

fn corpus_statements() -> Vec<String> {
    let mut out = Vec::new();
    for name in [
        "starrocks-docs.sql",
        "starrocks-tests.sql",
        "starrocks-rejects.sql",
    ] {
        let path = format!("{}/../testdata/corpus/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).expect("corpus file");
        let mut cur = String::new();
        for line in text.lines() {
            if line.starts_with("--") {
                continue;
            }
            cur.push_str(line);
            cur.push('\n');
            if line.trim_end().ends_with(';') {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    out
}

#[test]
fn truncated_corpus_statements_never_panic() {
    let store = TempDir::new("rob");
    let mut s = Sim::with_store(store.path(), catalog(), None);
    s.ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/backups'");
    s.ok("BACKUP SNAPSHOT sales.l1 TO repo");
    s.advance(10 * STEP_MS);
    let statements = corpus_statements();
    assert!(statements.len() > 200, "{}", statements.len());
    let mut runs = 0;
    for stmt in &statements {
        let cuts: Vec<usize> = stmt
            .char_indices()
            .filter(|(_, c)| c.is_whitespace())
            .map(|(i, _)| i)
            .chain(std::iter::once(stmt.len()))
            .collect();
        for cut in cuts {
            let _ = s.q(&stmt[..cut]);
            runs += 1;
        }
        s.advance(STEP_MS);
    }
    assert!(runs > 1000);
}

#[test]
fn hostile_texts_never_panic() {
    let store = TempDir::new("rob");
    let mut s = Sim::with_store(store.path(), catalog(), None);
    for sql in [
        "",
        ";",
        "BACKUP",
        "BACKUP SNAPSHOT `",
        "RESTORE SNAPSHOT 'unterminated",
        "SHOW SNAPSHOT ON repo WHERE SNAPSHOT = '\u{0}'",
        "CREATE REPOSITORY r WITH BROKER ON LOCATION 's3://bucket/../../../etc'",
        "CREATE REPOSITORY r2 WITH BROKER ON LOCATION 's3://bucket/ünïcødé/😀'",
        "ADMIN SET SIMULATOR FAULT 'drop_connection' AFTER ''",
        "ADMIN SET SIMULATOR FAULT 'submit_busy' TIMES -1",
        "ADMIN SET SIMULATOR FAULT 'backend_dead' ON BACKEND 99999999999999999999",
        "ADMIN SET SIMULATOR PACING = -5",
        "CANCEL RESTORE FOR EXTERNAL CATALOG",
        "SHOW BACKUP FROM `a``b`",
    ] {
        let _ = s.q(sql);
    }
    // A location climbing out of the mapped folder is unreachable, not written.
    assert!(!s.catalog.repositories.contains_key("r"));
    assert!(files_under(store.path())
        .iter()
        .all(|f| !f.contains("__starrocks_repository_r/")));
    s.ok("BACKUP SNAPSHOT sales.l1 TO r2");
    s.advance(10 * STEP_MS);
    assert_eq!(s.cell("sales", "State").as_deref(), Some("FINISHED"));
    // A label is any identifier: it never names a path outside its folder.
    let evil = "a/../../../../../../../../tmp/escaped";
    s.ok(&format!("BACKUP SNAPSHOT sales.`{evil}` TO r2"));
    s.advance(10 * STEP_MS);
    assert_eq!(s.cell("sales", "State").as_deref(), Some("FINISHED"));
    let labels: Vec<_> = s
        .rows("SHOW SNAPSHOT ON r2")
        .into_iter()
        .map(|r| r["Snapshot"].clone().unwrap())
        .collect();
    assert_eq!(labels, [evil.to_string(), "l1".to_string()]);
    let root = store.path().join("ünïcødé");
    let files = files_under(&root);
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("😀/__starrocks_repository_r2/__ss_")
                || f == "😀/__starrocks_repository_r2/__repo_info"),
        "{files:?}"
    );
}
