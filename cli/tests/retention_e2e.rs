//! Retention and verify end to end over TCP against the simulator: a month of daily plans
//! (`--as-of`, the simulator's virtual clock moved in step), a full every seven sets, keep
//! rules. After each apply the repository holds exactly the sets the rules keep, no kept
//! incremental lost an ancestor, and the history agrees with SHOW SNAPSHOT.
//!
//! * StarRocks 4.2 (DROP SNAPSHOT), the repository a folder: a snapshot folder deleted behind
//!   starsnap's back makes `verify` exit 1 naming it, and the next plan starts a new full.
//! * StarRocks 3.4, the repository on a real S3-compatible server (moto, started here): apply
//!   deletes the expired snapshots' objects itself (listed with boto3 after each apply); one
//!   object deleted behind starsnap's back makes `verify` exit 1 naming the set and the
//!   object, a corrupted one fails `verify --deep`, and the next plan starts a new full.
//! * SIGKILL in the middle of an expiry on S3 (a proxy in front of moto holds each batch
//!   delete): applying the plan again finishes it and deletes nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_support;
#[path = "../../compiler/tests/json_schema/mod.rs"]
mod json_schema;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use apply_support::{exits, ok, text, World};
use starsnap_compiler::catalog::BackupKind;
use starsnap_compiler::planner::retention::{select, RetainedSet};
use starsnap_compiler::policy::{KeepRules, Retention};
use starsnap_compiler::time::Timestamp;
use starsnap_repo::test_server::Moto;
use starsnap_simulator::clock::Clock;
use starsnap_simulator::profile::VersionProfile;
use starsnap_simulator::SimConfig;

const DAY_MS: i64 = 86_400_000;
const BUCKET: &str = "starsnap-retention";
/// The credentials' variables the S3 policies name, and moto's test values.
const ENV: &[(&str, &str)] = &[("RET_S3_KEY", "testing"), ("RET_S3_SECRET", "testing")];

/// A repository in a folder the simulator maps (`s3://bucket/…`, no endpoint).
fn folder_repository() -> String {
    "[repository.main]\nlocation = \"s3://bucket/backups\"\n".to_string()
}

/// A repository on an S3-compatible server at `endpoint`, keys from the environment.
fn s3_repository(endpoint: &str) -> String {
    format!(
        r#"[repository.main]
location = "s3://{BUCKET}/backups"
properties = {{ "aws.s3.endpoint" = "{endpoint}", "aws.s3.region" = "us-east-1", "aws.s3.access_key" = "${{RET_S3_KEY}}", "aws.s3.secret_key" = "${{RET_S3_SECRET}}" }}
"#
    )
}

fn policy(port: u16, repository: &str, group: &str) -> String {
    format!(
        r#"[cluster]
host = "127.0.0.1"
port = {port}
user = "root"
connect_timeout = "3s"

{repository}
[group.nightly]
include = ["sales.*"]
repository = "main"
{group}
"#
    )
}

const MONTH_GROUP: &str = "full_every = \"400d\"\nmax_chain_length = 7\nkeep = { daily = 4, weekly = 2 }\nmin_chains = 1\n";

/// A simulator on a virtual clock at 04:00 UTC today, with a ticker moving it 1 s per 2 ms
/// (jobs progress with it) until dropped.
struct Clocked {
    w: World,
    clock: Clock,
    start: i64,
    stop: Arc<AtomicBool>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

impl Clocked {
    fn start(name: &str, version: VersionProfile) -> Clocked {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let start = now - now.rem_euclid(DAY_MS) + 4 * 3_600_000;
        let clock = Clock::virtual_at(start);
        let config = SimConfig {
            version,
            clock: clock.clone(),
            ..SimConfig::default()
        };
        let w = World::start_with(name, config);
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let (clock, stop) = (clock.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    clock.advance(1_000);
                    std::thread::sleep(Duration::from_millis(2));
                }
            })
        };
        Clocked {
            w,
            clock,
            start,
            stop,
            ticker: Some(ticker),
        }
    }

    fn as_of(&self, day: i64) -> String {
        Timestamp((self.start + day * DAY_MS) / 1000).to_rfc3339()
    }
}

impl Drop for Clocked {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
    }
}

/// The labels of every `__ss_<label>` folder of repository `main` among `keys`.
fn labels_of(keys: &[String]) -> BTreeSet<String> {
    keys.iter()
        .filter_map(|k| k.split("/__starrocks_repository_main/__ss_").nth(1))
        .filter_map(|rest| rest.split('/').next())
        .map(str::to_string)
        .collect()
}

/// Thirty days of daily loads, plans and applies; after each, the history, SHOW SNAPSHOT and
/// `stored()` (the snapshot folders in the repository) hold exactly what the rules keep.
fn a_month(c: &Clocked, env: &[(&str, &str)], stored: &dyn Fn() -> BTreeSet<String>) {
    let w = &c.w;
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
        let at_ms = c.start + day * DAY_MS;
        w.exec(&format!(
            "INSERT INTO sales.orders VALUES ('2024-03-05', {}, 1)",
            100 + day
        ));
        let file = format!("d{day}.json");
        assert_eq!(
            w.plan(&file, &c.as_of(day)),
            2,
            "day {day}: a backup is due"
        );
        let o = w.run_env(&["apply", &file, "--auto-approve"], env);
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
        let expired: BTreeSet<String> = history
            .iter()
            .filter(|b| b["state"] == "expired")
            .map(|b| b["set"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            expired.len() + finished.len(),
            made.len(),
            "day {day}: every set is kept or marked expired"
        );
        // The repository holds exactly those (SHOW SNAPSHOT and the storage), with the
        // recorded timestamps.
        let snaps = w.snapshots();
        let sales_listed: BTreeSet<String> = snaps
            .iter()
            .map(|(l, _)| l.clone())
            .filter(|l| l.contains("-sales-"))
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
        let in_storage: BTreeSet<String> = stored()
            .into_iter()
            .filter(|l| l.contains("-sales-"))
            .collect();
        assert_eq!(in_storage, expected, "day {day}: the repository's storage");
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
        c.clock
            .advance(c.start + (day + 1) * DAY_MS - c.clock.now_ms());
    }
    assert!(made.iter().filter(|s| s.kind == BackupKind::Full).count() >= 4);
}

/// The next plan (day 30) backs `sales` up as a new full because its chain is broken.
fn next_plan_is_a_full(c: &Clocked) {
    c.w.exec("INSERT INTO sales.orders VALUES ('2024-03-05', 999, 1)");
    assert_eq!(c.w.plan("after.json", &c.as_of(30)), 2);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c.w.dir.join("after.json")).unwrap())
            .unwrap();
    let backup = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["action"] == "backup" && s["database"] == "sales")
        .unwrap();
    assert_eq!(backup["kind"], "full", "{backup}");
    assert_eq!(backup["reason"], "parent_missing", "{backup}");
}

/// `stdout` validated against `grammar/<schema>` (one JSON document, or one per line).
fn conforms(schema: &str, stdout: &[u8]) -> Vec<serde_json::Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../grammar")
        .join(schema);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let docs: Vec<serde_json::Value> = match serde_json::from_slice(stdout) {
        Ok(v) => vec![v],
        Err(_) => text(stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect(),
    };
    for (i, d) in docs.iter().enumerate() {
        let mut errors = Vec::new();
        json_schema::validate(&schema, &schema, d, &format!("doc[{i}]"), &mut errors);
        assert!(errors.is_empty(), "{errors:?}\n{d}");
    }
    docs
}

/// `verify --format json` (exit 1 expected): the one broken set.
fn broken_set(w: &World, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["verify", "--format", "json"];
    all.extend_from_slice(args);
    let o = w.run_env(&all, ENV);
    exits(&o, 1);
    let v = conforms("verify-output.schema.json", &o.stdout).remove(0);
    assert_eq!(v["broken"], 1, "{v}");
    v["sets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ok"] == false)
        .unwrap()
        .clone()
}

#[test]
fn a_month_of_daily_plans_keeps_exactly_what_the_rules_keep() {
    let c = Clocked::start("retention", VersionProfile::V4_2);
    let w = &c.w;
    std::fs::write(
        w.dir.join("starsnap.toml"),
        policy(w.sim.port(), &folder_repository(), MONTH_GROUP),
    )
    .unwrap();
    a_month(&c, &[], &|| w.folders_on_disk().into_iter().collect());

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
    let broken = broken_set(w, &[]);
    assert_eq!(broken["set"], victim.as_str());
    assert!(broken["missing"][0].as_str().unwrap().contains(&victim));
    assert_eq!(broken["objects_checked"], false, "{broken}");
    assert!(broken["objects_note"]
        .as_str()
        .unwrap()
        .contains("endpoint"));
    let o = w.run(&["verify"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the broken set is recorded: {}",
        text(&o.stdout)
    );
    next_plan_is_a_full(&c);
}

#[test]
fn on_3_4_apply_deletes_expired_snapshots_in_s3_and_verify_checks_every_object() {
    let moto = Moto::start().unwrap_or_else(|e| panic!("{e}"));
    moto.create_bucket(BUCKET).unwrap();
    let c = Clocked::start("retention-s3", VersionProfile::V3_4);
    let w = &c.w;
    std::fs::write(
        w.dir.join("starsnap.toml"),
        policy(w.sim.port(), &s3_repository(&moto.endpoint()), MONTH_GROUP),
    )
    .unwrap();
    a_month(&c, ENV, &|| labels_of(&moto.keys(BUCKET).unwrap()));
    // An expired set's manifest went with its snapshots: the repository describes exactly
    // the sets it still holds (what disaster recovery reads).
    let manifests: BTreeSet<String> = moto
        .keys(BUCKET)
        .unwrap()
        .iter()
        .filter_map(|k| k.split("/__starsnap/sets/").nth(1))
        .filter_map(|f| f.strip_suffix(".json"))
        .map(str::to_string)
        .collect();
    let kept: BTreeSet<String> = w
        .history()
        .iter()
        .filter(|b| b["state"] == "finished")
        .map(|b| b["set"].as_str().unwrap().to_string())
        .collect();
    assert!(kept.len() >= 4, "{kept:?}");
    assert_eq!(manifests, kept, "set manifests in the bucket");
    // The set manifests recorded each snapshot's objects with their sizes.
    let o = w.run_env(&["verify", "--deep", "--format", "json"], ENV);
    ok(&o);
    let v = conforms("verify-output.schema.json", &o.stdout).remove(0);
    for s in v["sets"].as_array().unwrap() {
        assert_eq!(s["objects_checked"], true, "{s}");
        assert!(s["objects"].as_u64().unwrap() >= 3, "{s}");
        assert!(s["checksums"].as_u64().unwrap() >= 2, "info and meta: {s}");
    }

    // One data object of the newest set deleted behind starsnap's back.
    let history = w.history();
    let newest = history
        .iter()
        .rfind(|b| b["state"] == "finished" && b["database"] == "sales")
        .unwrap();
    let (victim, victim_set) = (
        newest["label"].as_str().unwrap().to_string(),
        newest["set"].as_str().unwrap().to_string(),
    );
    let keys = moto.keys(BUCKET).unwrap();
    let data = keys
        .iter()
        .find(|k| k.contains(&format!("__ss_{victim}/__ss_content/")))
        .expect("a data object")
        .clone();
    moto.boto3(&format!(
        "s3.delete_object(Bucket='{BUCKET}', Key='{data}')"
    ))
    .unwrap();
    let broken = broken_set(w, &[]);
    assert_eq!(broken["set"], victim_set.as_str());
    let missing = broken["missing"].as_array().unwrap();
    let object = data.rsplit(&format!("__ss_{victim}/")).next().unwrap();
    assert!(
        missing.iter().any(|m| {
            let m = m.as_str().unwrap();
            m.contains(&victim) && m.contains(object) && m.contains("is missing")
        }),
        "{broken}"
    );
    let o = w.run_env(&["verify"], ENV);
    ok(&o);

    // Another set's meta rewritten with other content of the same size: only --deep sees it.
    let other = history
        .iter()
        .filter(|b| b["state"] == "finished" && b["database"] == "sales")
        .map(|b| b["label"].as_str().unwrap().to_string())
        .find(|l| *l != victim)
        .unwrap();
    let meta = keys
        .iter()
        .find(|k| k.contains(&format!("__ss_{other}/__meta.")))
        .unwrap()
        .clone();
    moto.boto3(&format!(
        "b = s3.get_object(Bucket='{BUCKET}', Key='{meta}')['Body'].read()\n\
         s3.put_object(Bucket='{BUCKET}', Key='{meta}', Body=bytes(reversed(b)))"
    ))
    .unwrap();
    ok(&w.run_env(&["verify"], ENV));
    let broken = broken_set(w, &["--deep"]);
    assert!(
        broken["missing"][0]
            .as_str()
            .unwrap()
            .contains("does not match its checksum"),
        "{broken}"
    );
    next_plan_is_a_full(&c);
}

/// A TCP proxy in front of `upstream` that holds the second S3 batch delete (`POST …?delete`;
/// the first deletes the info file alone) until `release` is set, raising `holding`
/// meanwhile, then drops it unsent: a test kills an expiry halfway at a known point however
/// loaded the machine is. Other requests pass at once.
struct DeleteGate {
    port: u16,
    holding: Arc<AtomicBool>,
    release: Arc<AtomicBool>,
}

fn delete_gate(upstream: u16) -> DeleteGate {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holding = Arc::new(AtomicBool::new(false));
    let release = Arc::new(AtomicBool::new(false));
    let (held, go) = (holding.clone(), release.clone());
    let deletes = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                continue;
            };
            let (mut c_in, mut s_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (held, go, deletes) = (held.clone(), go.clone(), deletes.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 64 * 1024];
                while let Ok(n) = c_in.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let chunk = &buf[..n];
                    if chunk.starts_with(b"POST ")
                        && chunk.windows(7).take(512).any(|w| w == b"?delete")
                        && deletes.fetch_add(1, Ordering::SeqCst) == 1
                    {
                        held.store(true, Ordering::SeqCst);
                        while !go.load(Ordering::SeqCst) {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        // Dropped with the killed client: the request never reaches S3.
                        break;
                    }
                    if s_out.write_all(chunk).is_err() {
                        break;
                    }
                }
                let _ = s_out.shutdown(std::net::Shutdown::Write);
            });
            let (mut s_in, mut c_out) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s_in, &mut c_out);
                let _ = c_out.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    DeleteGate {
        port,
        holding,
        release,
    }
}

#[test]
fn sigkill_in_the_middle_of_an_expiry_then_apply_finishes_it_and_nothing_else() {
    let moto = Moto::start().unwrap_or_else(|e| panic!("{e}"));
    moto.create_bucket(BUCKET).unwrap();
    let gate = delete_gate(moto.port());
    let proxy = gate.port;
    let c = Clocked::start("retention-kill", VersionProfile::V3_4);
    let w = &c.w;
    // The state store's clock is the real one while plans are made at virtual 04:00 times:
    // `1h` makes day 1's full due whatever the time of day the test runs.
    let group = "full_every = \"1h\"\nkeep = { last = 1 }\n";
    std::fs::write(
        w.dir.join("starsnap.toml"),
        policy(
            w.sim.port(),
            &s3_repository(&format!("http://127.0.0.1:{proxy}")),
            group,
        ),
    )
    .unwrap();
    // Day 0: a full. Day 1: another full, and the day-0 set expires.
    assert_eq!(w.plan("d0.json", &c.as_of(0)), 2);
    ok(&w.run_env(&["apply", "d0.json", "--auto-approve"], ENV));
    let old = w.history()[0]["label"].as_str().unwrap().to_string();
    c.clock.advance(DAY_MS);
    w.exec("INSERT INTO sales.orders VALUES ('2024-03-05', 7, 1)");
    assert_eq!(w.plan("d1.json", &c.as_of(1)), 2);
    let plan = std::fs::read_to_string(w.dir.join("d1.json")).unwrap();
    assert!(plan.contains("\"delete_objects\""), "{plan}");

    let old_prefix = format!("__ss_{old}/");
    let old_keys = |keys: &[String]| -> Vec<String> {
        keys.iter()
            .filter(|k| k.contains(&old_prefix))
            .cloned()
            .collect()
    };
    let before = old_keys(&moto.keys(BUCKET).unwrap());
    assert!(before.len() >= 3, "{before:?}");
    let mut child = w.spawn_env(&["apply", "d1.json", "--auto-approve"], ENV);
    // Killed while its batch delete is held: the info file is gone, the rest of the snapshot
    // still there.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !gate.holding.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "the expiry never began");
        assert!(
            child.try_wait().unwrap().is_none(),
            "apply ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let kept_before = moto.keys(BUCKET).unwrap();
    let left = old_keys(&kept_before);
    assert!(
        !left.is_empty() && !left.iter().any(|k| k.contains("/__info_")),
        "{left:?}"
    );
    let killed = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), None, "killed");
    gate.release.store(true, Ordering::SeqCst);
    assert_eq!(
        w.history()
            .iter()
            .find(|b| b["label"] == old.as_str())
            .unwrap()["state"],
        "finished",
        "not yet recorded as expired"
    );

    // Apply the same plan again: the expiry is finished, nothing else goes.
    let o = w.run_env(&["apply", "d1.json", "--auto-approve", "--json"], ENV);
    ok(&o);
    let events = conforms("apply-events.schema.json", &o.stdout);
    assert!(
        events.iter().any(|e| e["event"] == "objects_deleted"
            && e["step"].as_str().unwrap().starts_with("expire/")),
        "{}",
        text(&o.stdout)
    );
    let after = moto.keys(BUCKET).unwrap();
    assert!(old_keys(&after).is_empty(), "{:?}", old_keys(&after));
    let others = |keys: &[String]| -> BTreeSet<String> {
        keys.iter()
            .filter(|k| !k.contains(&old_prefix) && !k.contains("/__starsnap/"))
            .cloned()
            .collect()
    };
    assert_eq!(others(&after), others(&kept_before), "nothing else deleted");
    let history = w.history();
    let states: Vec<(&str, &str)> = history
        .iter()
        .map(|b| (b["label"].as_str().unwrap(), b["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states.len(), 2, "{states:?}");
    assert!(states.contains(&(old.as_str(), "expired")), "{states:?}");
    assert_eq!(
        w.snapshots().len(),
        1,
        "SHOW SNAPSHOT lists the kept set only"
    );
    ok(&w.run_env(&["verify"], ENV));
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

#[test]
fn an_expire_step_whose_snapshot_went_behind_starsnaps_back_makes_the_plan_stale() {
    let c = Clocked::start("retention-stale", VersionProfile::V4_2);
    let w = &c.w;
    std::fs::write(
        w.dir.join("starsnap.toml"),
        policy(
            w.sim.port(),
            &folder_repository(),
            // Due on day 1 whatever the time of day (the state's clock is the real one).
            "full_every = \"1h\"\nkeep = { last = 1 }\n",
        ),
    )
    .unwrap();
    assert_eq!(w.plan("d0.json", &c.as_of(0)), 2);
    ok(&w.run(&["apply", "d0.json", "--auto-approve"]));
    let old = w.history()[0]["label"].as_str().unwrap().to_string();
    c.clock.advance(DAY_MS);
    w.exec("INSERT INTO sales.orders VALUES ('2024-03-05', 7, 1)");
    assert_eq!(w.plan("d1.json", &c.as_of(1)), 2);
    let folder = find_folder(&w.dir.join("storage"), &format!("__ss_{old}")).expect("folder");
    std::fs::remove_dir_all(&folder).unwrap();
    let o = w.run(&["apply", "d1.json", "--auto-approve"]);
    exits(&o, 3);
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!("snapshot {old}, which step")) && err.contains("already gone"),
        "{err}"
    );
    // Nothing ran: no new set, the old one still `finished` (verify will say it is broken).
    assert_eq!(w.history().len(), 1);
    exits(&w.run(&["verify"]), 1);
    assert_eq!(w.plan("d1b.json", &c.as_of(1)), 2);
    ok(&w.run(&["apply", "d1b.json", "--auto-approve"]));
}
