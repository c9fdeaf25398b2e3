//! `starsnap apply` on a terminal (a pseudo-terminal from util-linux `script`): the
//! confirmation prompt accepts only `yes`, and the progress shows one redrawn line per
//! database with its step, partitions and state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;

use std::io::Write;
use std::process::{Command, Stdio};

use apply_support::World;

/// Runs `starsnap <args>` under a pseudo-terminal, typing `input`; returns exit code and the
/// terminal's output.
fn on_a_terminal(w: &World, args: &str, input: &str) -> (Option<i32>, String) {
    let cmd = format!("{} {args}", env!("CARGO_BIN_EXE_starsnap"));
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(&w.dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`script` (Debian package bsdutils/util-linux) makes the pseudo-terminal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn prompt_accepts_only_yes_and_progress_redraws_a_line_per_database() {
    let w = World::start("tty");
    assert_eq!(w.plan("p1.json", "2026-11-22T02:00:00Z"), 2);

    let (code, screen) = on_a_terminal(&w, "apply p1.json", "no\n");
    assert!(screen.contains("Only 'yes' will be accepted"), "{screen}");
    assert_ne!(code, Some(0), "anything but yes refuses: {screen}");
    assert!(w.history().is_empty(), "nothing ran after a refusal");

    let (code, screen) = on_a_terminal(&w, "apply p1.json", "yes\n");
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        screen.contains("\u{1b}[2K"),
        "lines are redrawn in place: {screen:?}"
    );
    for db in ["sales", "crm"] {
        let line = screen
            .lines()
            .rev()
            .find(|l| l.contains(db) && l.contains("partitions"))
            .unwrap_or_else(|| panic!("no progress line for {db}: {screen:?}"));
        assert!(line.contains("backup/nightly/"), "{line}");
    }
    assert_eq!(w.history().len(), 2);
}

/// `-vv` logs while the progress lines are drawn: every log line is written with the lines
/// cleared first (regression: a log line was appended to the last progress line, and the next
/// redraw cut both).
#[test]
fn logs_never_land_inside_a_progress_line() {
    let w = World::start("tty-logs");
    assert_eq!(w.plan("p1.json", "2026-11-22T02:00:00Z"), 2);
    let (code, screen) = on_a_terminal(&w, "-vv apply p1.json", "yes\n");
    assert_eq!(code, Some(0), "{screen}");
    let logs = screen.matches(" DEBUG ").count() + screen.matches(" INFO ").count();
    assert!(logs > 0, "-vv logs on the terminal: {screen:?}");
    assert!(screen.contains("partitions"), "progress lines: {screen:?}");
    // What is written between two line breaks, carriage returns or escape sequences is one
    // piece of one line on the screen.
    for piece in screen.split(['\n', '\r', '\u{1b}']) {
        let log = piece.contains(" DEBUG ") || piece.contains(" INFO ");
        assert!(
            !(log && piece.contains(" partitions ")),
            "a log line inside a progress line: {piece:?}"
        );
    }
}
