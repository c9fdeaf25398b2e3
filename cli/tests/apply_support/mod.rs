//! Shared by the `apply_*` end-to-end tests: a simulator (`s3://` mapped to a temporary
//! folder) seeded with two databases, a policy file pointing at it, the `starsnap` binary,
//! and what the cluster, the state and the disk say afterwards.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use starsnap_runtime::{Cluster, ConnectOptions};

/// `sales.orders`, three monthly RANGE partitions with a row each: the table every world starts
/// with (and a test building its own cluster seeds).
pub const SALES_ORDERS: [&str; 3] = [
    "CREATE DATABASE sales",
    "CREATE TABLE sales.orders (dt DATE, id BIGINT, amount INT) DUPLICATE KEY(dt, id) \
     PARTITION BY RANGE(dt) (PARTITION p202401 VALUES LESS THAN ('2024-02-01'), \
     PARTITION p202402 VALUES LESS THAN ('2024-03-01'), \
     PARTITION p202403 VALUES LESS THAN ('2024-04-01')) DISTRIBUTED BY HASH(id) BUCKETS 1 \
     PROPERTIES ('replication_num' = '1')",
    "INSERT INTO sales.orders VALUES ('2024-01-03', 1, 10), ('2024-02-03', 2, 20), ('2024-03-03', 3, 30)",
];

/// The steps of a plan (JSON) whose action is `action`, in plan order.
pub fn plan_steps(plan: &serde_json::Value, action: &str) -> Vec<serde_json::Value> {
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == action)
        .cloned()
        .collect()
}
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;

pub struct World {
    pub sim: Simulator,
    pub dir: PathBuf,
    /// The policy's repository location.
    pub location: String,
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts exit code 0, showing both streams otherwise.
pub fn ok(o: &Output) {
    exits(o, 0);
}

/// Asserts exit code `code`, showing both streams otherwise.
pub fn exits(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
}

impl World {
    pub fn start(name: &str) -> World {
        World::start_with(name, SimConfig::default())
    }

    /// A world whose repository is a local folder (a plain path) that starsnap reaches too,
    /// so apply writes the set manifests next to the snapshots.
    pub fn start_local(name: &str) -> World {
        World::start_at(name, SimConfig::default(), true)
    }

    /// A world whose simulator keeps a data directory (so `ADMIN RESTART SIMULATOR` works).
    pub fn start_persistent(name: &str) -> World {
        let dir =
            std::env::temp_dir().join(format!("starsnap-apply-e2e-{name}-{}", std::process::id()));
        let config = SimConfig {
            data_dir: Some(dir.join("data")),
            ..SimConfig::default()
        };
        World::start_with(name, config)
    }

    /// [`World::start`] on a simulator configured by the caller (version profile, clock).
    pub fn start_with(name: &str, config: SimConfig) -> World {
        World::start_at(name, config, false)
    }

    fn start_at(name: &str, mut config: SimConfig, local: bool) -> World {
        let dir =
            std::env::temp_dir().join(format!("starsnap-apply-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        config.storage.insert("s3://".into(), dir.join("storage"));
        let location = if local {
            let storage = dir.join("storage");
            let prefix = storage.display().to_string();
            config.storage.insert(prefix.clone(), storage);
            format!("{prefix}/backups")
        } else {
            "s3://bucket/backups".to_string()
        };
        let sim = Simulator::start(config).unwrap();
        let w = World { sim, dir, location };
        std::fs::write(w.dir.join("starsnap.toml"), w.policy()).unwrap();
        let mut c = w.connect();
        for stmt in SALES_ORDERS.into_iter().chain([
            "CREATE DATABASE crm",
            "CREATE TABLE crm.customers (id BIGINT, name VARCHAR(20)) DUPLICATE KEY(id) \
             DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
            "INSERT INTO crm.customers VALUES (1, 'a')",
        ]) {
            c.execute(stmt).unwrap();
        }
        w
    }

    fn policy(&self) -> String {
        format!(
            r#"[cluster]
host = "127.0.0.1"
port = {}
user = "root"
connect_timeout = "3s"

[repository.main]
location = "{}"

[group.nightly]
include = ["sales.*", "crm.*"]
repository = "main"
full_every = "7d"
"#,
            self.sim.port(),
            self.location
        )
    }

    pub fn connect(&self) -> Cluster {
        let opts = ConnectOptions {
            port: self.sim.port(),
            connect_timeout: Duration::from_secs(5),
            ..ConnectOptions::default()
        };
        Cluster::connect(&opts, &|_| None).unwrap()
    }

    pub fn exec(&self, sql: &str) {
        self.connect().execute(sql).unwrap();
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_starsnap"));
        cmd.args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// [`World::run`] with environment variables set.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.spawn_env(args, &[])
    }

    /// [`World::spawn`] with environment variables set.
    pub fn spawn_env(&self, args: &[&str], env: &[(&str, &str)]) -> Child {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// `starsnap plan --out <file>` at `as_of`; returns the exit code.
    pub fn plan(&self, file: &str, as_of: &str) -> i32 {
        let o = self.run(&[
            "plan",
            "--as-of",
            as_of,
            "--out",
            file,
            "--detailed-exitcode",
        ]);
        let code = o.status.code().unwrap_or(-1);
        assert!(
            code == 0 || code == 2,
            "plan: {}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        code
    }

    /// `starsnap history --json`, oldest first.
    pub fn history(&self) -> Vec<serde_json::Value> {
        let o = self.run(&["history", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let mut rows: Vec<serde_json::Value> = text(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        rows.reverse();
        rows
    }

    /// SHOW SNAPSHOT ON main: label → timestamps.
    pub fn snapshots(&self) -> Vec<(String, Vec<String>)> {
        let mut c = self.connect();
        let mut out: Vec<(String, Vec<String>)> =
            starsnap_runtime::inspect::snapshots(&mut c, "main")
                .map(|s| s.into_iter().map(|s| (s.label, s.timestamps)).collect())
                .unwrap_or_default();
        out.sort();
        out
    }

    /// Snapshot folders (`__ss_<label>`) on disk, sorted.
    pub fn folders_on_disk(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_ss(&self.dir.join("storage"), &mut out);
        out.sort();
        out
    }

    /// The last job of `db` (SHOW BACKUP), as (label, state).
    pub fn job(&self, db: &str) -> Option<(String, String)> {
        let rs = self
            .connect()
            .query(&format!("SHOW BACKUP FROM {db}"))
            .ok()?;
        let row = rs.iter().next()?;
        Some((
            row.text("SnapshotName").ok()?.to_string(),
            row.text("State").ok()?.to_string(),
        ))
    }

    /// Waits (polling the cluster, a few ms apart) until `f` holds; panics after 20 s.
    pub fn wait_until(&self, what: &str, mut f: impl FnMut(&World) -> bool) {
        let start = Instant::now();
        while !f(self) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(3));
        }
    }

    /// History equals the repository: every recorded label finished, in SHOW SNAPSHOT
    /// once and on disk; nothing in the repository unrecorded.
    pub fn assert_history_is_repository(&self) {
        let history = self.history();
        let mut recorded: Vec<String> = history
            .iter()
            .map(|b| b["label"].as_str().unwrap().to_string())
            .collect();
        recorded.sort();
        let mut dedup = recorded.clone();
        dedup.dedup();
        assert_eq!(recorded, dedup, "a label recorded twice");
        for b in &history {
            assert_eq!(b["state"], "finished", "{b}");
            assert!(b["snapshot_timestamp"].is_string(), "{b}");
        }
        let snaps = self.snapshots();
        let labels: Vec<String> = snaps.iter().map(|(l, _)| l.clone()).collect();
        assert_eq!(recorded, labels);
        for (label, ts) in &snaps {
            assert_eq!(ts.len(), 1, "{label} has {} snapshots: {ts:?}", ts.len());
            let b = history
                .iter()
                .find(|b| b["label"] == label.as_str())
                .unwrap();
            assert_eq!(b["snapshot_timestamp"], ts[0].as_str());
        }
        assert_eq!(recorded, self.folders_on_disk());
    }
}

fn collect_ss(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(label) = name.strip_prefix("__ss_") {
            if label != "content" {
                out.push(label.to_string());
            }
            continue;
        }
        if e.path().is_dir() {
            collect_ss(&e.path(), out);
        }
    }
}
