//! Hostile file systems for `lint` (issue 15, item 9): what cannot be read is reported in
//! every output format, and the rest is still checked.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[cfg(unix)]
#[test]
fn unreadable_files_are_reported_in_json_and_sarif_and_the_rest_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.sql"), "BACKUP SNAPSHOT s1 TO repo;\n").unwrap();
    std::os::unix::fs::symlink("missing", d.join("dangling.sql")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.sql")).unwrap();
    for (format, needle) in [("json", "\"S903\""), ("sarif", "\"S903\"")] {
        let out = Command::new(env!("CARGO_BIN_EXE_starsnap"))
            .args(["lint", "--format", format])
            .arg(d)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains(needle), "{format}: {stdout}");
        assert!(stdout.contains("dangling.sql"), "{format}: {stdout}");
        // The readable file was checked (L002: BACKUP without a database).
        assert!(stdout.contains("a.sql"), "{format}: {stdout}");
        assert!(!stdout.contains("zero.sql"), "{format}: {stdout}");
    }
}
