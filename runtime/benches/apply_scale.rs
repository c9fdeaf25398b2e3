//! Apply at scale against the simulator (default fast pacing, 5 ms per job state): wall time
//! of a first full backup of `STARSNAP_BENCH_DBS` databases × `STARSNAP_BENCH_TABLES` tables
//! (20 × 50 by default) with `--parallel 1` and `--parallel 8`, and the polling overhead:
//! the time from a job's scheduled end in the simulator (submit + the states' durations) to
//! starsnap recording it finished, averaged over the jobs.
//!
//! `cargo bench -p starsnap-runtime --bench apply_scale` prints the figures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use starsnap_compiler::planner::{build, PlanInputs};
use starsnap_compiler::time::Timestamp;
use starsnap_runtime::apply::{Apply, ApplyConfig, ApplyEvent, EnvLookup, Sink};
use starsnap_runtime::inspect::{inspect, InspectOptions};
use starsnap_runtime::state::lock::Actor;
use starsnap_runtime::state::SystemClock;
use starsnap_runtime::{Cluster, ConnectOptions, StateConfig};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;

/// PENDING, SNAPSHOTING, UPLOAD_SNAPSHOT, UPLOADING, SAVE_META, UPLOAD_INFO at 5 ms each.
const JOB_MS: u64 = 6 * 5;

/// Per step: when it was submitted and when it was recorded finished.
type Times = BTreeMap<String, (Instant, Option<Instant>)>;

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn run(databases: usize, tables: usize, parallel: usize) -> (Duration, Duration, usize) {
    let dir = std::env::temp_dir().join(format!(
        "starsnap-bench-apply-{}-{parallel}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = SimConfig::default();
    config.storage.insert("s3://".into(), dir.join("storage"));
    let sim = Simulator::start(config).unwrap();
    let opts = ConnectOptions {
        port: sim.port(),
        ..ConnectOptions::default()
    };
    let mut c = Cluster::connect(&opts, &|_| None).unwrap();
    for d in 0..databases {
        c.execute(&format!("CREATE DATABASE db{d:02}")).unwrap();
        for t in 0..tables {
            c.execute(&format!(
                "CREATE TABLE db{d:02}.t{t:02} (id BIGINT, v INT) DUPLICATE KEY(id) \
                 DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')"
            ))
            .unwrap();
        }
    }
    let policy = "[repository.main]\nlocation = \"s3://bench/backups\"\n\n\
                  [group.nightly]\ninclude = [\"db*.*\"]\nrepository = \"main\"\nfull_every = \"7d\"\n";
    let mut skip = InspectOptions::default();
    skip.skip_databases.insert("starsnap".into());
    let catalog = inspect(&mut c, &skip, Default::default()).unwrap();
    let plan = build(&PlanInputs {
        policy_path: "starsnap.toml".into(),
        policy_text: policy.into(),
        statement_files: Vec::new(),
        catalog,
        as_of: Timestamp::parse_rfc3339("2026-11-22T02:00:00Z").unwrap(),
    })
    .unwrap()
    .plan;

    let state = StateConfig::for_cluster(&mut c, "starsnap").unwrap();
    let actor = Actor {
        holder: "bench".into(),
        host: "localhost".into(),
        pid: std::process::id(),
        run_id: format!("bench-{parallel}"),
    };
    let mut config = ApplyConfig::new(opts, state, actor);
    config.parallel = parallel;
    let times: Arc<Mutex<Times>> = Arc::default();
    let seen = times.clone();
    let sink: Sink = Arc::new(move |e: &ApplyEvent| {
        let mut t = seen.lock().unwrap();
        match e.kind {
            "submitted" => {
                t.insert(e.step_id.clone(), (Instant::now(), None));
            }
            "finished" => {
                if let Some(entry) = t.get_mut(&e.step_id) {
                    entry.1 = Some(Instant::now());
                }
            }
            _ => {}
        }
    });
    let env: Arc<EnvLookup> = Arc::new(|_: &str| None);
    let start = Instant::now();
    let apply = Apply::prepare(plan, config, env, Arc::new(SystemClock), sink).unwrap();
    let report = apply.execute().unwrap();
    let wall = start.elapsed();
    assert_eq!(report.failed(), 0);
    let t = times.lock().unwrap();
    let overheads: Vec<Duration> = t
        .values()
        .filter_map(|(s, f)| f.map(|f| f.duration_since(*s)))
        .map(|d| d.saturating_sub(Duration::from_millis(JOB_MS)))
        .collect();
    let jobs = overheads.len();
    let mean = overheads.iter().sum::<Duration>() / u32::try_from(jobs.max(1)).unwrap_or(1);
    let _ = std::fs::remove_dir_all(&dir);
    (wall, mean, jobs)
}

fn main() {
    let databases = size("STARSNAP_BENCH_DBS", 20);
    let tables = size("STARSNAP_BENCH_TABLES", 50);
    println!("apply: first full backup of {databases} databases x {tables} tables (simulator, 5 ms per job state)");
    for parallel in [1, 8] {
        let (wall, overhead, jobs) = run(databases, tables, parallel);
        println!(
            "  --parallel {parallel}: {jobs} jobs in {:.2} s; polling overhead {:.1} ms per job (submit to recorded, minus the job's {JOB_MS} ms)",
            wall.as_secs_f64(),
            overhead.as_secs_f64() * 1000.0
        );
    }
}
