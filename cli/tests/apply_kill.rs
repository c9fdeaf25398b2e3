//! Resume after `kill -KILL` at several points of an apply: re-running the same plan
//! continues (re-attaches a running job by its label, records a snapshot that finished while
//! no one watched) and the final history equals the repository, with no snapshot twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;

use std::process::Command;

use apply_support::{exits, ok, text, World};

/// Starts an apply, waits until `when` holds, kills it with SIGKILL, reaps it, then waits
/// until `then` holds (the cluster moves on without starsnap) and applies again.
fn kill_and_resume(name: &str, when: fn(&World) -> bool, then: fn(&World) -> bool) -> String {
    kill_and_resume_paced(name, &[], when, then)
}

/// [`kill_and_resume`] with extra pacing statements: a state that must still be running when
/// the second apply starts is held long enough that a loaded machine cannot miss it.
fn kill_and_resume_paced(
    name: &str,
    pacing: &[&str],
    when: fn(&World) -> bool,
    then: fn(&World) -> bool,
) -> String {
    let w = World::start(name);
    w.plan("p.json", "2026-11-22T02:00:00Z");
    w.exec("ADMIN SET SIMULATOR PACING = 60");
    for p in pacing {
        w.exec(p);
    }
    let mut child = w.spawn(&["apply", "p.json", "--auto-approve", "--parallel", "1"]);
    w.wait_until("the kill point", when);
    let killed = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "the run ended before it was killed");
    w.wait_until("the cluster to move on", then);

    let o = w.run(&["apply", "p.json", "--auto-approve", "--json"]);
    ok(&o);
    w.assert_history_is_repository();
    assert_eq!(w.history().len(), 2);
    text(&o.stdout)
}

fn any_job_in(w: &World, state: &str) -> bool {
    ["crm", "sales"]
        .iter()
        .any(|db| w.job(db).is_some_and(|(_, s)| s == state))
}

fn always(_: &World) -> bool {
    true
}

#[test]
fn killed_right_after_submitting_is_reattached() {
    let out = kill_and_resume("pending", |w| any_job_in(w, "PENDING"), always);
    assert!(
        out.contains("\"reattached\"") || out.contains("\"recorded\""),
        "{out}"
    );
}

#[test]
fn killed_while_uploading_is_reattached() {
    // Regression: at 60 ms per state the job could finish before the second apply looked
    // (recorded, not re-attached) when the machine was busy.
    let out = kill_and_resume_paced(
        "uploading",
        &["ADMIN SET SIMULATOR PACING STATE 'UPLOADING' = 3000"],
        |w| any_job_in(w, "UPLOADING"),
        always,
    );
    assert!(out.contains("\"reattached\""), "{out}");
}

#[test]
fn finished_while_dead_is_recorded_not_resubmitted() {
    let out = kill_and_resume(
        "finished",
        |w| any_job_in(w, "UPLOAD_INFO"),
        |w| any_job_in(w, "FINISHED"),
    );
    assert!(out.contains("\"recorded\""), "{out}");
}

#[test]
fn killed_between_databases_continues_with_the_next() {
    let out = kill_and_resume(
        "between",
        |w| {
            let done = ["crm", "sales"]
                .iter()
                .filter(|db| w.job(db).is_some_and(|(_, s)| s == "FINISHED"))
                .count();
            done == 1
        },
        always,
    );
    assert!(out.contains("\"summary\""), "{out}");
}

#[test]
fn sigint_cancels_the_job_records_it_and_releases_the_locks() {
    let w = World::start("sigint");
    w.plan("p.json", "2026-11-22T02:00:00Z");
    w.exec("ADMIN SET SIMULATOR PACING = 100");
    // Long enough to be seen on a loaded machine (see the restart test below).
    w.exec("ADMIN SET SIMULATOR PACING STATE 'UPLOADING' = 3000");
    let child = w.spawn(&["apply", "p.json", "--auto-approve", "--parallel", "1"]);
    w.wait_until("a job uploading", |w| any_job_in(w, "UPLOADING"));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let o = child.wait_with_output().unwrap();
    exits(&o, 130);
    let history = w.history();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["state"], "cancelled");
    let db = history[0]["database"].as_str().unwrap().to_string();
    let (label, state) = w.job(&db).unwrap();
    assert_eq!(
        (label.as_str(), state.as_str()),
        (history[0]["label"].as_str().unwrap(), "CANCELLED")
    );
    let status = w.run(&["status"]);
    assert!(
        text(&status.stdout).contains("Locks:\n  none"),
        "{}",
        text(&status.stdout)
    );
    // The same plan, applied again, finishes everything.
    let o = w.run(&["apply", "p.json", "--auto-approve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    w.assert_history_is_repository();
}

#[test]
fn a_restart_mid_apply_still_releases_the_leases() {
    let w = World::start_persistent("restart-leases");
    w.plan("p.json", "2026-11-22T02:00:00Z");
    w.exec("ADMIN SET SIMULATOR PACING = 100");
    // UPLOADING lasts long enough to be seen however loaded the machine: with 100 ms, two
    // polls more than 100 ms apart could see it pass (then the test waited for nothing).
    w.exec("ADMIN SET SIMULATOR PACING STATE 'UPLOADING' = 3000");
    let child = w.spawn(&["apply", "p.json", "--auto-approve", "--parallel", "2"]);
    w.wait_until("a job uploading", |w| any_job_in(w, "UPLOADING"));
    w.exec("ADMIN RESTART SIMULATOR");
    let o = child.wait_with_output().unwrap();
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    let status = w.run(&["status"]);
    let locks = text(&status.stdout);
    match o.status.code() {
        // Finished after reconnecting: every lease released.
        Some(0) => assert!(locks.contains("Locks:\n  none"), "{all}\n{locks}"),
        // Or it says which leases it could not release — never a silent success.
        Some(1) => assert!(
            all.contains("could not be released") || all.contains("failed"),
            "{all}"
        ),
        other => panic!("exit {other:?}: {all}"),
    }
}

#[test]
fn a_second_sigint_exits_at_once() {
    let w = World::start("sigint-twice");
    w.plan("p.json", "2026-11-22T02:00:00Z");
    w.exec("ADMIN SET SIMULATOR PACING = 2000");
    let child = w.spawn(&["apply", "p.json", "--auto-approve", "--parallel", "1"]);
    w.wait_until("a job running", |w| {
        any_job_in(w, "SNAPSHOTING") || any_job_in(w, "PENDING")
    });
    for _ in 0..2 {
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    let started = std::time::Instant::now();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", text(&o.stderr));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
