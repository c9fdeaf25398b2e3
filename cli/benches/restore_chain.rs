//! `starsnap restore` of one table from a full backup plus 30 incrementals (issue 10): a
//! simulated cluster with a table of 365 daily partitions, backed up in full, then 30 days
//! each loading one partition and backed up incrementally, then damaged and restored to the
//! latest point — planned in process exactly as the CLI plans it, applied by the release
//! binary. Prints the RESTORE jobs, the bytes the jobs read divided by the bytes of the
//! partitions needed (each partition's newest backed-up copy, measured on the repository's
//! disk: 1.00 means every needed partition was read once and nothing else), the statements
//! sent while planning (at two table sizes: constant in the number of partitions), and the
//! wall times.
//!
//! Run: `cargo bench -p starsnap --bench restore_chain` (optionally `-- --partitions 365 --incrementals 30`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use starsnap_compiler::plan::{restore_plan, to_canonical_json, RestoreInputs};
use starsnap_compiler::restore::{Mode, Point, RestoreRequest, Target};
use starsnap_compiler::time::Timestamp;
use starsnap_runtime::inspect::{inspect, InspectOptions};
use starsnap_runtime::state::{HistoryFilter, StateConfig, StateStore, SystemClock};
use starsnap_runtime::{Cluster, ConnectOptions};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct World {
    sim: Simulator,
    dir: PathBuf,
}

impl World {
    fn connect(&self) -> Result<Cluster, String> {
        let opts = ConnectOptions {
            port: self.sim.port(),
            connect_timeout: Duration::from_secs(5),
            ..ConnectOptions::default()
        };
        Cluster::connect(&opts, &|_| None).map_err(|e| e.to_string())
    }

    fn exec(&self, sql: &str) -> Result<(), String> {
        self.connect()?
            .execute(sql)
            .map(|_| ())
            .map_err(|e| format!("{sql}: {e}"))
    }

    fn starsnap(&self, args: &[&str]) -> Result<(), String> {
        let o = Command::new(env!("CARGO_BIN_EXE_starsnap"))
            .args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .output()
            .map_err(|e| e.to_string())?;
        match o.status.code() {
            Some(0 | 2) => Ok(()),
            _ => Err(format!(
                "starsnap {args:?}: {}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )),
        }
    }
}

/// A day's date, `2024-01-01` + `d` days, and its partition name.
fn day(d: usize) -> (String, String) {
    let t = Timestamp(1_704_067_200 + (d as i64) * 86_400).to_rfc3339();
    let date = t[..10].to_string();
    (date.clone(), format!("p{}", date.replace('-', "")))
}

fn start(partitions: usize) -> Result<World, String> {
    let dir = std::env::temp_dir().join(format!("starsnap-bench-restore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut config = SimConfig::default();
    config.storage.insert("s3://".into(), dir.join("storage"));
    let sim = Simulator::start(config).map_err(|e| e.to_string())?;
    let w = World { sim, dir };
    let parts: Vec<String> = (0..partitions)
        .map(|d| {
            let (_, name) = day(d);
            let (next, _) = day(d + 1);
            format!("PARTITION {name} VALUES LESS THAN ('{next}')")
        })
        .collect();
    w.exec("CREATE DATABASE bench")?;
    w.exec(&format!(
        "CREATE TABLE bench.events (dt DATE, id BIGINT, v INT) DUPLICATE KEY(dt, id) \
         PARTITION BY RANGE(dt) ({}) DISTRIBUTED BY HASH(id) BUCKETS 1 \
         PROPERTIES ('replication_num' = '1')",
        parts.join(", ")
    ))?;
    let rows: Vec<String> = (0..partitions)
        .flat_map(|d| {
            let (date, _) = day(d);
            (0..20).map(move |i| format!("('{date}', {}, {i})", d * 100 + i))
        })
        .collect();
    for chunk in rows.chunks(2000) {
        w.exec(&format!(
            "INSERT INTO bench.events VALUES {}",
            chunk.join(", ")
        ))?;
    }
    std::fs::write(
        w.dir.join("starsnap.toml"),
        format!(
            "[cluster]\nhost = \"127.0.0.1\"\nport = {}\nuser = \"root\"\n\n\
             [repository.main]\nlocation = \"s3://bench/backups\"\n\n\
             [group.nightly]\ninclude = [\"bench.*\"]\nrepository = \"main\"\nfull_every = \"365d\"\n\
             max_chain_length = 100\nmax_partitions_per_job = 100000\n",
            w.sim.port()
        ),
    )
    .map_err(|e| e.to_string())?;
    Ok(w)
}

/// Per snapshot label, the bytes of each partition's data files on the repository's disk.
fn partition_bytes(storage: &Path) -> BTreeMap<String, BTreeMap<String, u64>> {
    let mut out: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut stack = vec![storage.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = p.to_string_lossy().to_string();
            let (Some(label), Some(part)) = (
                text.split("/__ss_")
                    .nth(1)
                    .and_then(|s| s.split('/').next())
                    .filter(|s| *s != "content"),
                text.split("/__part_")
                    .nth(1)
                    .and_then(|s| s.split('/').next()),
            ) else {
                continue;
            };
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            *out.entry(label.to_string())
                .or_default()
                .entry(part.to_string())
                .or_insert(0) += size;
        }
    }
    out
}

/// The restore planned in process as `starsnap restore bench.events` plans it; returns the
/// plan JSON and the statements sent (cluster and state).
fn plan(w: &World) -> Result<(String, u64, usize), String> {
    let mut cluster = w.connect()?;
    let mut store = StateStore::new(
        w.connect()?,
        StateConfig::for_cluster(&mut w.connect()?, "starsnap").map_err(|e| e.to_string())?,
        std::sync::Arc::new(SystemClock),
    )
    .map_err(|e| e.to_string())?;
    let history = store
        .catalog_history(&HistoryFilter::default())
        .map_err(|e| e.to_string())?;
    let mut options = InspectOptions::default();
    options.skip_databases.insert("starsnap".into());
    let catalog = inspect(&mut cluster, &options, history).map_err(|e| e.to_string())?;
    let replication_num =
        starsnap_runtime::restore::replication_num(&mut cluster, &["bench".into()])
            .map_err(|e| e.to_string())?;
    let (plan, _) = restore_plan(&RestoreInputs {
        request: RestoreRequest {
            targets: vec![Target::Table {
                database: "bench".into(),
                table: "events".into(),
            }],
            point: Point::Latest,
            mode: Mode::Swap { drop_old: false },
            replication_num,
            timeout_s: 86_400,
            run: None,
        },
        catalog,
        as_of: Timestamp(1_796_000_000),
    })
    .map_err(|e| e.to_string())?;
    let restores = plan
        .steps
        .iter()
        .filter(|s| s.action() == starsnap_compiler::plan::Action::Restore)
        .count();
    let statements = cluster.statements_sent() + store.connection().statements_sent();
    Ok((to_canonical_json(&plan), statements, restores))
}

struct Figures {
    partitions: usize,
    jobs: usize,
    ratio: f64,
    read: u64,
    needed: u64,
    statements: u64,
    plan_ms: f64,
    apply_ms: f64,
    backups_ms: f64,
}

fn run(partitions: usize, incrementals: usize) -> Result<Figures, String> {
    let w = start(partitions)?;
    let t = Instant::now();
    let mut labels: Vec<String> = Vec::new();
    for k in 0..=incrementals {
        if k > 0 {
            let (date, _) = day(k - 1);
            w.exec(&format!(
                "INSERT INTO bench.events VALUES ('{date}', {}, -1)",
                900_000 + k
            ))?;
        }
        let as_of = Timestamp(1_795_000_000 + (k as i64) * 86_400).to_rfc3339();
        let file = format!("b{k}.json");
        w.starsnap(&["plan", "--as-of", &as_of, "--out", &file])?;
        w.starsnap(&["apply", &file, "--auto-approve"])?;
        let text = std::fs::read_to_string(w.dir.join(&file)).map_err(|e| e.to_string())?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        labels.extend(
            v["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["label"].as_str().map(str::to_string)),
        );
    }
    let backups_ms = t.elapsed().as_secs_f64() * 1e3;
    // The damage.
    w.exec("INSERT INTO bench.events VALUES ('2024-01-01', 999999, -9)")?;

    let t = Instant::now();
    let (json, statements, jobs) = plan(&w)?;
    let plan_ms = t.elapsed().as_secs_f64() * 1e3;
    std::fs::write(w.dir.join("r.json"), json).map_err(|e| e.to_string())?;

    let t = Instant::now();
    w.starsnap(&["apply", "r.json", "--auto-approve"])?;
    let apply_ms = t.elapsed().as_secs_f64() * 1e3;

    // What the RESTORE jobs read.
    let stats = w
        .connect()?
        .query("ADMIN SHOW SIMULATOR JOB STATS")
        .map_err(|e| e.to_string())?;
    let mut read = 0u64;
    for row in stats.iter() {
        if row.get("JobType").ok().flatten() == Some("RESTORE") {
            read += row
                .get("DataBytes")
                .ok()
                .flatten()
                .and_then(|b| b.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    // What was needed: each partition's newest backed-up copy.
    let on_disk = partition_bytes(&w.dir.join("storage"));
    let mut newest: BTreeMap<String, u64> = BTreeMap::new();
    for label in &labels {
        for (part, bytes) in on_disk.get(label).into_iter().flatten() {
            newest.insert(part.clone(), *bytes);
        }
    }
    let needed: u64 = newest.values().sum();
    let _ = std::fs::remove_dir_all(&w.dir);
    Ok(Figures {
        partitions,
        jobs,
        ratio: if needed == 0 {
            0.0
        } else {
            read as f64 / needed as f64
        },
        read,
        needed,
        statements,
        plan_ms,
        apply_ms,
        backups_ms,
    })
}

fn main() {
    let partitions = arg("--partitions", 365);
    let incrementals = arg("--incrementals", 30);
    println!(
        "starsnap restore of one table, latest point of a full + {incrementals} incrementals (swap mode)"
    );
    for n in [partitions / 5, partitions] {
        match run(n.max(incrementals + 1), incrementals) {
            Ok(f) => println!(
                "{:>4} partitions: {} RESTORE jobs, bytes read / bytes needed = {:.2} ({} / {}), \
                 {} statements while planning, plan {:.0} ms, apply {:.0} ms  [backups {:.0} ms]",
                f.partitions,
                f.jobs,
                f.ratio,
                f.read,
                f.needed,
                f.statements,
                f.plan_ms,
                f.apply_ms,
                f.backups_ms
            ),
            Err(e) => {
                eprintln!("bench failed: {e}");
                std::process::exit(1);
            }
        }
    }
}
