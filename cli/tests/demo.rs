//! `starsnap demo`, the README's end-to-end command: plan, apply, loads, an incremental of
//! exactly the changed partitions, a quiet day, history — against the bundled simulator.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn demo_runs_the_main_job_end_to_end() {
    let dir = std::env::temp_dir().join(format!("starsnap-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = Command::new(env!("CARGO_BIN_EXE_starsnap"))
        .args(["demo", "--dir", dir.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for needle in [
        "reason:     first_full",
        "3 partitions changed or new in 1 table",
        "PARTITION (p20240301, p20240714, p20241129)",
        "No changes.",
        "-/+ swap sales orders",
        "sales.orders\tswap\t",
        "\tfinished\tpassed\t",
        "Demo finished",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
    // The repository on disk holds both snapshots, and the history names the parent.
    let repo = dir.join("simulator/storage/s3/demo-bucket/starrocks/__starrocks_repository_demo");
    let labels: Vec<String> = std::fs::read_dir(&repo)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("__ss_"))
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    let history = out.split("$ starsnap history").nth(1).unwrap_or("");
    assert!(
        history.contains("incremental\tnightly-sales-20261122-020000-full"),
        "{history}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
