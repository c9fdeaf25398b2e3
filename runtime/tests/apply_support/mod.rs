//! Shared by the `apply_*` tests: a simulator with `s3://` mapped to a temporary folder, a
//! seeded cluster, plans built in-process from a policy, the cluster and the state's history,
//! and an apply run with test settings.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use starsnap_compiler::plan::Plan;
use starsnap_compiler::planner::{build, PlanInputs};
use starsnap_compiler::time::Timestamp;
use starsnap_runtime::apply::{Apply, ApplyConfig, ApplyEvent, ApplyReport, EnvLookup, Sink};
use starsnap_runtime::inspect::{inspect, InspectOptions};
use starsnap_runtime::state::lock::Actor;
use starsnap_runtime::state::{BackupEntry, HistoryFilter, SystemClock};
use starsnap_runtime::{Cluster, ConnectOptions, StateBackend, StateConfig, StateStore};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::{SimConfig, VersionProfile};

pub struct World {
    pub sim: Simulator,
    pub dir: PathBuf,
    /// A separate MySQL-compatible state server; `None`: the state lives in the cluster.
    pub state_server: Option<ConnectOptions>,
}

pub fn workdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("starsnap-apply-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

impl World {
    /// A simulator seeded with `sales` (orders, payments: two monthly partitions each) and
    /// `crm` (customers, unpartitioned).
    pub fn start(name: &str) -> World {
        World::start_with(name, VersionProfile::V3_4, None)
    }

    pub fn start_with(
        name: &str,
        version: VersionProfile,
        state_server: Option<ConnectOptions>,
    ) -> World {
        let dir = workdir(name);
        let mut config = SimConfig {
            version,
            ..SimConfig::default()
        };
        config.storage.insert("s3://".into(), dir.join("storage"));
        let sim = Simulator::start(config).unwrap();
        let w = World {
            sim,
            dir,
            state_server,
        };
        let mut c = w.connect();
        c.execute("CREATE DATABASE sales").unwrap();
        for t in ["orders", "payments"] {
            c.execute(&format!(
                "CREATE TABLE sales.{t} (dt DATE, id BIGINT, amount INT) DUPLICATE KEY(dt, id) \
                 PARTITION BY RANGE(dt) (PARTITION p202401 VALUES LESS THAN ('2024-02-01'), \
                 PARTITION p202402 VALUES LESS THAN ('2024-03-01')) DISTRIBUTED BY HASH(id) BUCKETS 1 \
                 PROPERTIES ('replication_num' = '1')"
            ))
            .unwrap();
        }
        c.execute("INSERT INTO sales.orders VALUES ('2024-01-03', 1, 10), ('2024-02-03', 2, 20)")
            .unwrap();
        c.execute("CREATE DATABASE crm").unwrap();
        c.execute(
            "CREATE TABLE crm.customers (id BIGINT, name VARCHAR(20)) DUPLICATE KEY(id) \
             DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
        )
        .unwrap();
        c.execute("INSERT INTO crm.customers VALUES (1, 'a')")
            .unwrap();
        w
    }

    pub fn options(&self) -> ConnectOptions {
        ConnectOptions {
            port: self.sim.port(),
            connect_timeout: Duration::from_secs(5),
            io_timeout: Duration::from_secs(10),
            ..ConnectOptions::default()
        }
    }

    pub fn connect(&self) -> Cluster {
        Cluster::connect(&self.options(), &|_| None).unwrap()
    }

    pub fn policy(&self) -> String {
        r#"[repository.main]
location = "s3://bucket/backups"

[group.nightly]
include = ["sales.*", "crm.*"]
repository = "main"
full_every = "7d"
"#
        .to_string()
    }

    pub fn state_config(&self) -> StateConfig {
        match &self.state_server {
            Some(_) => StateConfig {
                database: "starsnap".into(),
                backend: StateBackend::MySql,
                ..StateConfig::default()
            },
            None => StateConfig::for_cluster(&mut self.connect(), "starsnap").unwrap(),
        }
    }

    pub fn store(&self) -> StateStore {
        let conn = match &self.state_server {
            Some(o) => Cluster::connect(o, &|_| None).unwrap(),
            None => self.connect(),
        };
        let mut s = StateStore::new(conn, self.state_config(), Arc::new(SystemClock)).unwrap();
        s.ensure_current().unwrap();
        s
    }

    /// The plan `starsnap plan` would make at `as_of`.
    pub fn plan(&self, as_of: &str) -> Plan {
        let mut store = self.store();
        let history = store.catalog_history(&HistoryFilter::default()).unwrap();
        let mut options = InspectOptions::default();
        options.skip_databases.insert("starsnap".into());
        let catalog = inspect(&mut self.connect(), &options, history).unwrap();
        let inputs = PlanInputs {
            policy_path: "starsnap.toml".into(),
            policy_text: self.policy(),
            statement_files: Vec::new(),
            catalog,
            as_of: Timestamp::parse_rfc3339(as_of).unwrap(),
        };
        match build(&inputs) {
            Ok(p) => p.plan,
            Err(e) => panic!("plan: {e:?}"),
        }
    }

    pub fn config(&self, run: &str) -> ApplyConfig {
        let actor = Actor {
            holder: "tester".into(),
            host: "localhost".into(),
            pid: std::process::id(),
            run_id: run.into(),
        };
        let mut c = ApplyConfig::new(self.options(), self.state_config(), actor);
        c.state_server = self.state_server.clone();
        c.parallel = 2;
        c.poll_max = Duration::from_millis(100);
        c.retry_deadline = Duration::from_secs(10);
        c
    }

    /// Prepares and runs; panics when the plan is stale.
    pub fn apply(&self, plan: Plan, run: &str) -> (ApplyReport, Vec<ApplyEvent>) {
        let (apply, events) = self.prepare(plan, self.config(run));
        assert!(apply.moved().is_empty(), "stale: {:?}", apply.moved());
        let report = apply.execute().unwrap();
        let events = events.lock().unwrap().clone();
        (report, events)
    }

    pub fn prepare(&self, plan: Plan, config: ApplyConfig) -> (Apply, Arc<Mutex<Vec<ApplyEvent>>>) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink_events = events.clone();
        let sink: Sink =
            Arc::new(move |e: &ApplyEvent| sink_events.lock().unwrap().push(e.clone()));
        let env: Arc<EnvLookup> = Arc::new(|_: &str| None);
        let apply = Apply::prepare(plan, config, env, Arc::new(SystemClock), sink).unwrap();
        (apply, events)
    }

    /// Finished backups in the history, oldest first.
    pub fn history(&self) -> Vec<BackupEntry> {
        let mut h = self
            .store()
            .list_backups(&HistoryFilter::default())
            .unwrap();
        h.reverse();
        h
    }

    /// Labels in the repository, from SHOW SNAPSHOT, sorted.
    pub fn repository_labels(&self) -> Vec<String> {
        let mut c = self.connect();
        let mut labels: Vec<String> = starsnap_runtime::inspect::snapshots(&mut c, "main")
            .unwrap()
            .into_iter()
            .filter(|s| s.status == "OK")
            .map(|s| s.label)
            .collect();
        labels.sort();
        labels
    }

    /// Snapshot folders (`__ss_<label>`) on disk, sorted.
    pub fn folders_on_disk(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_ss(&self.dir.join("storage"), &mut out);
        out.sort();
        out
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
