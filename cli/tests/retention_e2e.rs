//! Retention and verify end to end over TCP against the simulator's StarRocks 4.2 profile
//! (DROP SNAPSHOT): a month of daily plans (`--as-of`, the simulator's virtual clock moved in
//! step), a full every seven sets, keep rules. After each apply the repository holds exactly
//! the sets the rules keep, no kept incremental lost an ancestor, and the history agrees with
//! SHOW SNAPSHOT. Then a snapshot folder deleted behind starsnap's back: `verify` exits 1
//! naming it, and the next plan starts a new full.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;

use std::collections::BTreeSet;

use apply_support::{text, World};
use starsnap_compiler::catalog::BackupKind;
use starsnap_compiler::planner::retention::{select, RetainedSet};
use starsnap_compiler::policy::{KeepRules, Retention};
use starsnap_compiler::time::Timestamp;
use starsnap_simulator::clock::Clock;
use starsnap_simulator::profile::VersionProfile;
use starsnap_simulator::SimConfig;

const DAY_MS: i64 = 86_400_000;

fn policy(port: u16) -> String {
    format!(
        r#"[cluster]
host = "127.0.0.1"
port = {port}
user = "root"
connect_timeout = "3s"

[repository.main]
location = "s3://bucket/backups"

[group.nightly]
include = ["sales.*"]
repository = "main"
full_every = "400d"
max_chain_length = 7
keep = {{ daily = 4, weekly = 2 }}
min_chains = 1
"#
    )
}

#[test]
fn a_month_of_daily_plans_keeps_exactly_what_the_rules_keep() {
    // 04:00 UTC today on the simulator's clock; --as-of follows it day by day.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let start = now - now.rem_euclid(DAY_MS) + 4 * 3_600_000;
    let clock = Clock::virtual_at(start);
    let config = SimConfig {
        version: VersionProfile::V4_2,
        clock: clock.clone(),
        ..SimConfig::default()
    };
    let w = World::start_with("retention", config);
    // Jobs progress with the virtual clock: a ticker moves it 1 s per 2 ms while apply runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ticker = {
        let (clock, stop) = (clock.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                clock.advance(1_000);
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        })
    };
    std::fs::write(w.dir.join("starsnap.toml"), policy(w.sim.port())).unwrap();
    let rules = Retention {
        keep: KeepRules {
            daily: Some(4),
            weekly: Some(2),
            ..KeepRules::default()
        },
        min_chains: 1,
        span: Default::default(),
    };
    // Every set ever made: (name, kind, parent, time).
    let mut made: Vec<RetainedSet> = Vec::new();
    for day in 0..30i64 {
        let at_ms = start + day * DAY_MS;
        let as_of = Timestamp(at_ms / 1000).to_rfc3339();
        w.exec(&format!(
            "INSERT INTO sales.orders VALUES ('2024-03-05', {}, 1)",
            100 + day
        ));
        let file = format!("d{day}.json");
        assert_eq!(w.plan(&file, &as_of), 2, "day {day}: a backup is due");
        let o = w.run(&["apply", &file, "--auto-approve"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "day {day}: {}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        let history = w.history();
        let newest = history
            .iter()
            .rfind(|b| b["database"] == "sales")
            .expect("a backup");
        made.push(RetainedSet {
            name: newest["set"].as_str().unwrap().to_string(),
            kind: if newest["kind"] == "full" {
                BackupKind::Full
            } else {
                BackupKind::Incremental
            },
            parent: newest["parent"].as_str().map(str::to_string),
            time: Timestamp(
                newest["backup_time_ms"]
                    .as_i64()
                    .unwrap_or(at_ms)
                    .div_euclid(1000),
            ),
        });
        // What the rules keep of everything ever made, as of today.
        let expected: BTreeSet<String> = select(&made, &rules, Timestamp(at_ms / 1000))
            .kept
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let finished: BTreeSet<String> = history
            .iter()
            .filter(|b| b["state"] == "finished" && b["database"] == "sales")
            .map(|b| b["set"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(finished, expected, "day {day}");
        // The repository holds exactly those (SHOW SNAPSHOT and the disk), with the
        // recorded timestamps.
        let snaps = w.snapshots();
        let listed: BTreeSet<String> = snaps.iter().map(|(l, _)| l.clone()).collect();
        let sales_listed: BTreeSet<String> = listed
            .iter()
            .filter(|l| l.contains("-sales-"))
            .cloned()
            .collect();
        assert_eq!(sales_listed, expected, "day {day}: SHOW SNAPSHOT");
        for b in history.iter().filter(|b| b["state"] == "finished") {
            let label = b["label"].as_str().unwrap();
            let ts = snaps
                .iter()
                .find(|(l, _)| l == label)
                .map(|(_, t)| t.clone());
            assert_eq!(
                ts.and_then(|t| t.first().cloned()).as_deref(),
                b["snapshot_timestamp"].as_str(),
                "{label}"
            );
        }
        let disk: BTreeSet<String> = w
            .folders_on_disk()
            .into_iter()
            .filter(|l| l.contains("-sales-"))
            .collect();
        assert_eq!(disk, expected, "day {day}: folders on disk");
        // No kept incremental lost an ancestor.
        for b in history.iter().filter(|b| b["state"] == "finished") {
            if let Some(p) = b["parent"].as_str() {
                assert!(
                    finished.contains(p),
                    "day {day}: {} lost its parent {p}",
                    b["set"]
                );
            }
        }
        clock.advance(start + (day + 1) * DAY_MS - clock.now_ms());
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = ticker.join();
    assert!(made.iter().filter(|s| s.kind == BackupKind::Full).count() >= 4);

    // A snapshot folder deleted behind starsnap's back.
    let history = w.history();
    let victim = history
        .iter()
        .rfind(|b| b["state"] == "finished" && b["database"] == "sales")
        .unwrap()["label"]
        .as_str()
        .unwrap()
        .to_string();
    let folder = find_folder(&w.dir.join("storage"), &format!("__ss_{victim}")).expect("folder");
    std::fs::remove_dir_all(&folder).unwrap();
    let o = w.run(&["verify", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&o.stdout), text(&o.stderr)));
    assert_eq!(v["broken"], 1);
    let broken = v["sets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ok"] == false)
        .unwrap();
    assert_eq!(broken["set"], victim.as_str());
    assert!(broken["missing"][0].as_str().unwrap().contains(&victim));
    let o = w.run(&["verify"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the broken set is recorded: {}",
        text(&o.stdout)
    );
    // The next plan restarts the chain with a full.
    let as_of = Timestamp((start + 30 * DAY_MS) / 1000).to_rfc3339();
    w.exec("INSERT INTO sales.orders VALUES ('2024-03-05', 999, 1)");
    assert_eq!(w.plan("after.json", &as_of), 2);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.dir.join("after.json")).unwrap()).unwrap();
    let backup = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["action"] == "backup" && s["database"] == "sales")
        .unwrap();
    assert_eq!(backup["kind"], "full", "{backup}");
    assert_eq!(backup["reason"], "parent_missing", "{backup}");
}

fn find_folder(dir: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        if e.file_name().to_string_lossy() == name {
            return Some(e.path());
        }
        if e.path().is_dir() {
            if let Some(p) = find_folder(&e.path(), name) {
                return Some(p);
            }
        }
    }
    None
}
