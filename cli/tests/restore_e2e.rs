//! `starsnap restore` end to end: the binary against the simulator over TCP. A table is
//! backed up, damaged, then restored: planned as a reviewed plan, applied, verified, and
//! swapped in — the rows equal those backed up, the damaged data kept under the copy's name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;

use apply_support::{text, World};

fn rows(w: &World, sql: &str) -> Vec<String> {
    let mut c = w.connect();
    let rs = c.query(sql).unwrap();
    let mut out: Vec<String> = rs
        .iter()
        .map(|r| {
            rs.columns
                .iter()
                .map(|c| r.get(c).unwrap().unwrap_or("NULL").to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    out.sort();
    out
}

fn backup(w: &World, file: &str, as_of: &str) {
    assert_eq!(w.plan(file, as_of), 2);
    let o = w.run(&["apply", file, "--auto-approve"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
}

#[test]
fn a_damaged_table_comes_back_by_one_swap() {
    let w = World::start("restore-swap");
    backup(&w, "full.json", "2026-11-22T02:00:00Z");
    let before = rows(&w, "SELECT dt, id, amount FROM sales.orders");
    assert_eq!(before.len(), 3);
    // A bad ETL job.
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-05', 99, -1)");

    let o = w.run(&[
        "restore",
        "sales.orders",
        "--out",
        "r.json",
        "--detailed-exitcode",
    ]);
    let plan_text = text(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{plan_text}{}", text(&o.stderr));
    assert!(plan_text.contains("-/+ swap sales orders"), "{plan_text}");
    assert!(plan_text.contains("1 destructive"), "{plan_text}");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.dir.join("r.json")).unwrap()).unwrap();
    let actions: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["restore", "verify", "swap"]);
    let copy = plan["steps"][2]["with"].as_str().unwrap().to_string();

    let o = w.run(&["apply", "r.json", "--auto-approve"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert_eq!(rows(&w, "SELECT dt, id, amount FROM sales.orders"), before);
    // The damaged data stays under the copy's name.
    assert_eq!(
        rows(&w, &format!("SELECT id FROM sales.`{copy}` WHERE id = 99")),
        ["99"]
    );
    // Applying the same plan again does nothing twice: the swap is not undone.
    let o = w.run(&["apply", "r.json", "--auto-approve"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert_eq!(rows(&w, "SELECT dt, id, amount FROM sales.orders"), before);
}

#[test]
fn a_restore_plan_is_stale_once_the_live_table_moves() {
    let w = World::start("restore-stale");
    backup(&w, "full.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["restore", "sales.orders", "--out", "r.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    w.exec("INSERT INTO sales.orders VALUES ('2024-02-06', 7, 70)");
    let o = w.run(&["apply", "r.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("sales.orders"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn nothing_early_enough_names_the_earliest_point() {
    let w = World::start("restore-early");
    backup(&w, "full.json", "2026-11-22T02:00:00Z");
    let o = w.run(&["restore", "sales.orders", "--at", "2000-01-01T00:00:00Z"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(err.contains("cannot restore"), "{err}");
}

/// The state of the database's RESTORE job, if any.
fn restore_state(w: &World, db: &str) -> Option<String> {
    let rs = w.connect().query(&format!("SHOW RESTORE FROM {db}")).ok()?;
    let row = rs.iter().next()?;
    Some(row.text("State").ok()?.to_string())
}

fn restore_plan(w: &World) {
    let o = w.run(&["restore", "sales.orders", "--out", "r.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn sigint_before_commit_cancels_the_restore_and_leaves_the_live_table() {
    let w = World::start("restore-sigint");
    backup(&w, "full.json", "2026-11-22T02:00:00Z");
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-05', 99, -1)");
    let damaged = rows(&w, "SELECT dt, id, amount FROM sales.orders");
    restore_plan(&w);
    w.exec("ADMIN SET SIMULATOR PACING = 100");
    let child = w.spawn(&["apply", "r.json", "--auto-approve"]);
    w.wait_until("the restore downloading", |w| {
        restore_state(w, "sales").as_deref() == Some("DOWNLOADING")
    });
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(130),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert_eq!(restore_state(&w, "sales").as_deref(), Some("CANCELLED"));
    assert_eq!(rows(&w, "SELECT dt, id, amount FROM sales.orders"), damaged);
    // Applied again, the plan finishes: the cancelled job is submitted anew.
    w.exec("ADMIN SET SIMULATOR PACING = 0");
    let o = w.run(&["apply", "r.json", "--auto-approve"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert_eq!(rows(&w, "SELECT dt, id, amount FROM sales.orders").len(), 3);
}

#[test]
fn killed_while_restoring_then_applied_again_reattaches() {
    let w = World::start("restore-kill");
    backup(&w, "full.json", "2026-11-22T02:00:00Z");
    let before = rows(&w, "SELECT dt, id, amount FROM sales.orders");
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-05', 99, -1)");
    restore_plan(&w);
    w.exec("ADMIN SET SIMULATOR PACING = 60");
    let mut child = w.spawn(&["apply", "r.json", "--auto-approve"]);
    w.wait_until("the restore downloading", |w| {
        restore_state(w, "sales").as_deref() == Some("DOWNLOADING")
    });
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), None);
    let o = w.run(&["apply", "r.json", "--auto-approve", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let out = text(&o.stdout);
    assert!(
        out.contains("\"reattached\"") || out.contains("\"done_already\""),
        "{out}"
    );
    assert!(
        !out.contains("\"submitted\""),
        "the RESTORE was submitted twice: {out}"
    );
    assert_eq!(rows(&w, "SELECT dt, id, amount FROM sales.orders"), before);
}

#[test]
fn a_failed_verification_leaves_the_live_table_untouched() {
    let w = World::start("restore-verify");
    backup(&w, "full.json", "2026-11-22T02:00:00Z");
    w.exec("INSERT INTO sales.orders VALUES ('2024-01-05', 99, -1)");
    let damaged = rows(&w, "SELECT dt, id, amount FROM sales.orders");
    // The history disagrees with the repository: the manifest says another version.
    w.exec("UPDATE starsnap.backup_partitions SET visible_version = visible_version + 1 WHERE table_name = 'orders'");
    restore_plan(&w);
    let o = w.run(&["apply", "r.json", "--auto-approve"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(all.contains("verification failed"), "{all}");
    assert!(all.contains("nothing live was touched"), "{all}");
    assert_eq!(rows(&w, "SELECT dt, id, amount FROM sales.orders"), damaged);
}
