//! `starsnap completions` and `starsnap man`: generated from the clap definition, they name
//! every subcommand; the man pages are valid roff (`man -l` when the machine has `man`).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn starsnap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_starsnap"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The subcommands `starsnap --help` lists (its "Commands:" section), `help` excluded.
fn subcommands() -> Vec<String> {
    let o = starsnap(&["--help"]);
    assert!(o.status.success());
    let help = String::from_utf8(o.stdout).unwrap();
    let section = help.split("Commands:").nth(1).unwrap();
    let names: Vec<String> = section
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect();
    for expected in ["lint", "plan", "apply", "restore", "completions", "man"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    names
}

#[test]
fn every_completion_script_names_every_subcommand() {
    let subs = subcommands();
    for shell in ["bash", "zsh", "fish"] {
        let o = starsnap(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {o:?}");
        let script = String::from_utf8(o.stdout).unwrap();
        assert!(script.contains("starsnap"), "{shell}");
        for sub in &subs {
            assert!(script.contains(sub.as_str()), "{shell} script lacks {sub}");
        }
        // Flags of subcommands are completed too.
        assert!(
            script.contains("auto-approve"),
            "{shell} lacks apply's flags"
        );
    }
    // A bash script is syntactically valid bash.
    if Command::new("bash").arg("--version").output().is_ok() {
        let o = starsnap(&["completions", "bash"]);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("starsnap.bash");
        std::fs::write(&f, &o.stdout).unwrap();
        let check = Command::new("bash").arg("-n").arg(&f).output().unwrap();
        assert!(check.status.success(), "{check:?}");
    }
    let o = starsnap(&["completions", "powershell-9"]);
    assert_eq!(o.status.code(), Some(64));
}

/// Structural roff checks: a `.TH` title first, `.SH` sections, no unknown raw control line.
fn check_roff(page: &str, name: &str) {
    let first = page
        .lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el") && !l.starts_with(".\\\""));
    assert!(
        page.lines().any(|l| l.starts_with(".TH ")),
        "{name}: no .TH line"
    );
    assert!(first.is_some(), "{name}: empty page");
    for section in ["NAME", "SYNOPSIS"] {
        assert!(
            page.lines()
                .any(|l| l.starts_with(".SH") && l.contains(section)),
            "{name}: no {section} section"
        );
    }
    for line in page.lines().filter(|l| l.starts_with('.')) {
        let req: String = line[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            [
                "TH", "SH", "SS", "TP", "PP", "IP", "RS", "RE", "B", "I", "BR", "IR", "RB", "br",
                "sp", "nf", "fi", "ie", "el", "ds", "LP", "P", ""
            ]
            .contains(&req.as_str()),
            "{name}: unexpected roff request {line:?}"
        );
    }
}

fn man_available() -> bool {
    Command::new("man")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn man_l(path: &Path) -> String {
    let o = Command::new("man")
        .arg("-l")
        .arg(path)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    assert!(o.status.success(), "man -l {}: {o:?}", path.display());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !stderr.contains("warning") && !stderr.contains("error"),
        "man -l {}: {stderr}",
        path.display()
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn man_pages_cover_every_subcommand_and_are_valid_roff() {
    let subs = subcommands();
    // On stdout: the main page, which lists the subcommands.
    let o = starsnap(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let page = String::from_utf8(o.stdout).unwrap();
    check_roff(&page, "starsnap.1");
    for sub in &subs {
        assert!(page.contains(sub.as_str()), "starsnap.1 lacks {sub}");
    }
    assert!(page.contains("Exit codes"), "exit codes in the man page");

    // With --out-dir: one page per subcommand.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let o = starsnap(&["man", "--out-dir", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let main = out.join("starsnap.1");
    assert!(main.is_file());
    for sub in &subs {
        let p = out.join(format!("starsnap-{sub}.1"));
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        check_roff(&text, &format!("starsnap-{sub}.1"));
        if man_available() {
            let rendered = man_l(&p);
            assert!(rendered.contains(&format!("starsnap-{sub}")), "{rendered}");
            assert!(rendered.contains("SYNOPSIS"), "{rendered}");
        }
    }
    if man_available() {
        let rendered = man_l(&main);
        assert!(rendered.contains("SYNOPSIS"));
        assert!(rendered.contains("starsnap-apply"));
    }
}
