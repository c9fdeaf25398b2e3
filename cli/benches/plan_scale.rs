//! `starsnap plan` at scale: a simulated cluster with 1,000 tables × 365 daily partitions
//! (365,000 partitions), planned live over TCP exactly as the CLI does (connect, inspect,
//! compile). Prints the wall time of each phase and the number of statements sent, for two
//! cluster sizes so that the statement count can be seen not to grow with the tables.
//!
//! Run: `cargo bench -p starsnap --bench plan_scale` (optionally `-- --tables 1000 --partitions 365`).
//! Target (issue 5): under 2 s, and a statement count independent of the number of tables.

use std::sync::Arc;
use std::time::{Duration, Instant};

use starsnap_compiler::catalog::History;
use starsnap_compiler::planner::{self, PlanInputs};
use starsnap_compiler::time::Timestamp;
use starsnap_runtime::inspect::{inspect, InspectOptions};
use starsnap_runtime::{Cluster, ConnectOptions};
use starsnap_simulator::engine::bulk::BulkTables;
use starsnap_simulator::engine::Engine;
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;

const POLICY: &str = r#"
[repository.main]
location = "s3://bench/backups"

[group.all]
include = ["bulk.*"]
repository = "main"
full_every = "7d"
max_partitions_per_job = 20000
"#;

struct Run {
    tables: usize,
    partitions: usize,
    load: Duration,
    inspect: Duration,
    compile: Duration,
    statements: u64,
    steps: usize,
}

fn run(tables: usize, partitions: usize) -> Result<Run, String> {
    let config = SimConfig::default();
    let engine = Engine::try_new(&config).map_err(|e| e.to_string())?;
    let t = Instant::now();
    engine
        .bulk_create_tables(&BulkTables {
            database: "bulk".into(),
            tables,
            partitions_per_table: partitions,
            ..BulkTables::default()
        })
        .map_err(|e| e.message)?;
    let load = t.elapsed();
    let sim = Simulator::start_with(config, Arc::new(engine)).map_err(|e| e.to_string())?;

    let t = Instant::now();
    let opts = ConnectOptions {
        port: sim.port(),
        connect_timeout: Duration::from_secs(5),
        ..ConnectOptions::default()
    };
    let mut cluster = Cluster::connect(&opts, &|_| None).map_err(|e| e.to_string())?;
    let catalog = inspect(&mut cluster, &InspectOptions::default(), History::default())
        .map_err(|e| e.to_string())?;
    let inspect_time = t.elapsed();

    let t = Instant::now();
    let planned = planner::build(&PlanInputs {
        policy_path: "starsnap.toml".into(),
        policy_text: POLICY.into(),
        statement_files: Vec::new(),
        catalog,
        as_of: Timestamp(1_795_000_000),
    })
    .map_err(|f| format!("{f:?}"))?;
    let json = starsnap_compiler::plan::to_canonical_json(&planned.plan);
    let compile = t.elapsed();
    std::hint::black_box(json);
    Ok(Run {
        tables,
        partitions: tables * partitions,
        load,
        inspect: inspect_time,
        compile,
        statements: cluster.statements_sent(),
        steps: planned.plan.steps.len(),
    })
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let tables = arg("--tables", 1000);
    let partitions = arg("--partitions", 365);
    println!("starsnap plan against the simulator (first full backup of every table)");
    for n in [tables / 10, tables] {
        match run(n.max(1), partitions) {
            Ok(r) => println!(
                "{:>5} tables, {:>7} partitions: plan wall time {:>6.0} ms (inspect {:>5.0} ms + compile {:>5.0} ms), {} statements, {} steps  [simulator load {:.0} ms]",
                r.tables,
                r.partitions,
                (r.inspect + r.compile).as_secs_f64() * 1e3,
                r.inspect.as_secs_f64() * 1e3,
                r.compile.as_secs_f64() * 1e3,
                r.statements,
                r.steps,
                r.load.as_secs_f64() * 1e3,
            ),
            Err(e) => {
                eprintln!("bench failed: {e}");
                std::process::exit(1);
            }
        }
    }
}
