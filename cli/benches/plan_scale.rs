//! starsnap at warehouse scale (issue 14): a simulated cluster of one database with
//! `tables × partitions` daily partitions, driven exactly as the CLI drives it (connect,
//! inspect, the state store's history with digests, compile; apply with its staleness
//! check, jobs and state writes). For each size and each network latency it prints, per
//! phase, the wall time, starsnap's own CPU seconds and the statements sent:
//!
//! * the first plan and the first full backup (apply) of every table;
//! * after 3 partitions of 3 tables are loaded, the incremental plan and its apply (with the
//!   BACKUP job's own time, from submission to FINISHED, shown apart);
//! * the same incremental decision made the way per-table tools make it: `SHOW PARTITIONS`
//!   for each table, compared in the client with what it stored.
//!
//! The incremental plan and the per-table way only read, so each is run five times and the
//! run of median wall time is printed, with the fastest and slowest; their ratio is that of
//! the medians. Writing phases (the applies) run once.
//!
//! The simulator runs in a child process (this binary with `--serve`), so the CPU this
//! process uses (`/proc/self/stat`) is starsnap's alone. The simulator holds every answer
//! `latency` (`ADMIN SET SIMULATOR LATENCY`), as a network with that round trip would; a
//! relay in the child counts the statements (`COM_QUERY` packets) every connection sends.
//!
//! Run: `cargo bench -p starsnap --bench plan_scale` (sizes 1000x365 and 10000x100,
//! latencies 0 and 1 ms), or e.g. `-- --sizes 100x30 --latencies 0`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use starsnap_compiler::catalog::ObservedCatalog;
use starsnap_compiler::plan::Plan;
use starsnap_compiler::planner::{self, PlanInputs};
use starsnap_compiler::time::Timestamp;
use starsnap_runtime::apply::{Apply, ApplyConfig, ApplyEvent, EnvLookup, Sink};
use starsnap_runtime::inspect::{inspect, read_partitions, InspectOptions, PartitionDetail};
use starsnap_runtime::state::digests::{observe_for_plan, ObserveWith};
use starsnap_runtime::state::lock::Actor;
use starsnap_runtime::state::SystemClock;
use starsnap_runtime::{Cluster, ConnectOptions, StateConfig, StateStore};
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

type Res<T> = Result<T, String>;

/// Per backup step: when it was submitted and when it was recorded finished.
type Times = BTreeMap<String, (Instant, Option<Instant>)>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

// ---------------------------------------------------------------- the child: simulator + delay line

/// Serves `tables × partitions` with every answer `latency_ms` late (`ADMIN SET SIMULATOR
/// LATENCY`) behind a counting relay; prints `READY <port>`, then answers `count` with the
/// statements sent so far, until stdin closes.
fn serve(tables: usize, partitions: usize, latency_ms: u64, storage: &str) -> Res<()> {
    let mut config = SimConfig::default();
    config.storage.insert("s3://".into(), storage.into());
    let engine = Engine::try_new(&config).map_err(err)?;
    engine
        .bulk_create_tables(&BulkTables {
            database: "bulk".into(),
            tables,
            partitions_per_table: partitions,
            ..BulkTables::default()
        })
        .map_err(|e| e.message)?;
    let sim = Simulator::start_with(config, Arc::new(engine)).map_err(err)?;
    // Every answer waits `latency_ms`, as over a network with that round trip.
    let mut admin = Cluster::connect(&connect_options(sim.port()), &|_| None).map_err(err)?;
    admin
        .execute(&format!("ADMIN SET SIMULATOR LATENCY = {latency_ms}"))
        .map_err(err)?;
    drop(admin);
    let listener = TcpListener::bind("127.0.0.1:0").map_err(err)?;
    let port = listener.local_addr().map_err(err)?.port();
    let statements = Arc::new(AtomicU64::new(0));
    let upstream = sim.port();
    let counted = statements.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let counted = counted.clone();
            std::thread::spawn(move || {
                let _ = relay(client, upstream, &counted);
            });
        }
    });
    println!("READY {port}");
    let _ = std::io::stdout().flush();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim() == "count" {
            println!("{}", statements.load(Ordering::SeqCst));
            let _ = std::io::stdout().flush();
        }
    }
    drop(sim);
    Ok(())
}

/// One client connection, relayed both ways; client → server packets are parsed to count
/// statements (`COM_QUERY` packets at sequence 0).
fn relay(client: TcpStream, upstream: u16, statements: &AtomicU64) -> std::io::Result<()> {
    let server = TcpStream::connect(("127.0.0.1", upstream))?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    let (mut c_read, mut s_write) = (client.try_clone()?, server.try_clone()?);
    let (mut s_read, mut c_write) = (server, client);
    let back = std::thread::spawn(move || {
        let _ = std::io::copy(&mut s_read, &mut c_write);
        let _ = c_write.shutdown(std::net::Shutdown::Write);
    });
    let mut buf = vec![0u8; 64 * 1024];
    let mut header: Vec<u8> = Vec::new();
    let mut skip: usize = 0;
    loop {
        let n = c_read.read(&mut buf)?;
        if n == 0 {
            let _ = s_write.shutdown(std::net::Shutdown::Write);
            break;
        }
        let mut i = 0;
        while i < n {
            if skip > 0 {
                let k = skip.min(n - i);
                skip -= k;
                i += k;
                continue;
            }
            header.push(buf[i]);
            i += 1;
            if header.len() == 5 {
                let len = usize::from(header[0])
                    | usize::from(header[1]) << 8
                    | usize::from(header[2]) << 16;
                if header[3] == 0 && header[4] == 0x03 {
                    statements.fetch_add(1, Ordering::SeqCst);
                }
                skip = len.saturating_sub(1);
                header.clear();
            }
        }
        s_write.write_all(&buf[..n])?;
    }
    let _ = back.join();
    Ok(())
}

// ---------------------------------------------------------------- the parent: starsnap

struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    port: u16,
}

impl Server {
    fn start(tables: usize, partitions: usize, latency_ms: u64, storage: &str) -> Res<Server> {
        let exe = std::env::current_exe().map_err(err)?;
        let mut child = Command::new(exe)
            .args([
                "--serve",
                &tables.to_string(),
                &partitions.to_string(),
                &latency_ms.to_string(),
                storage,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(err)?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line).map_err(err)?;
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("the simulator did not start: {line:?}"))?;
        Ok(Server {
            child,
            stdin,
            stdout,
            port,
        })
    }

    fn statements(&mut self) -> Res<u64> {
        writeln!(self.stdin, "count").map_err(err)?;
        self.stdin.flush().map_err(err)?;
        let mut line = String::new();
        self.stdout.read_line(&mut line).map_err(err)?;
        line.trim().parse().map_err(err)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This process's CPU time (user + system, all threads): starsnap's, since the simulator
/// runs in the child.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<u64> = rest
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 here (1-based, after
    // the state field); clock ticks of 1/100 s on Linux.
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// How many times a read-only phase (the incremental plan, the per-table way) is run.
const RUNS: usize = 5;

/// One measured phase.
#[derive(Clone, Copy, Default)]
struct Phase {
    wall: Duration,
    cpu: Duration,
    statements: u64,
}

impl Phase {
    fn measure<T>(server: &mut Server, f: impl FnOnce() -> Res<T>) -> Res<(Phase, T)> {
        let s0 = server.statements()?;
        let (c0, w0) = (cpu(), Instant::now());
        let out = f()?;
        let (wall, cpu) = (w0.elapsed(), cpu().saturating_sub(c0));
        let statements = server.statements()? - s0;
        Ok((
            Phase {
                wall,
                cpu,
                statements,
            },
            out,
        ))
    }

    /// `f` run `RUNS` times (it must read only): the run of median wall time, the least
    /// and greatest wall times, and the first run's result. A shared machine's noise moves
    /// one run by a third; the median of five does not.
    fn median_of<T>(
        server: &mut Server,
        mut f: impl FnMut() -> Res<T>,
    ) -> Res<(Phase, (Duration, Duration), T)> {
        let mut phases = Vec::with_capacity(RUNS);
        let mut first = None;
        for _ in 0..RUNS {
            let (p, out) = Phase::measure(server, &mut f)?;
            phases.push(p);
            first.get_or_insert(out);
        }
        phases.sort_by_key(|p| p.wall);
        let range = (phases[0].wall, phases[RUNS - 1].wall);
        let first = first.ok_or("no run")?;
        Ok((phases[RUNS / 2], range, first))
    }

    fn show(&self) -> String {
        format!(
            "{:>8.2} s wall {:>6.2} s CPU {:>6} statements",
            self.wall.as_secs_f64(),
            self.cpu.as_secs_f64(),
            self.statements
        )
    }
}

/// The least and greatest wall times of [`Phase::median_of`]'s runs.
fn show_range((least, most): (Duration, Duration)) -> String {
    format!(
        "median of {RUNS}, {:.2}-{:.2} s",
        least.as_secs_f64(),
        most.as_secs_f64()
    )
}

fn now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Timestamp(secs)
}

fn connect_options(port: u16) -> ConnectOptions {
    ConnectOptions {
        port,
        connect_timeout: Duration::from_secs(30),
        ..ConnectOptions::default()
    }
}

/// `starsnap plan` as the CLI makes it (`project::observe_for_plan`).
fn plan(port: u16) -> Res<Plan> {
    let opts = connect_options(port);
    let cluster = Cluster::connect(&opts, &|_| None).map_err(err)?;
    let mut store_conn = Cluster::connect(&opts, &|_| None).map_err(err)?;
    let state = StateConfig::for_cluster(&mut store_conn, "starsnap").map_err(err)?;
    let mut store = StateStore::new(store_conn, state, Arc::new(SystemClock)).map_err(err)?;
    let initialised = store.schema_version().map_err(err)?.is_some();
    let mut inputs = PlanInputs {
        policy_path: "starsnap.toml".into(),
        policy_text: POLICY.into(),
        statement_files: Vec::new(),
        catalog: ObservedCatalog::empty(""),
        as_of: now(),
    };
    let mut options = InspectOptions {
        partitions: PartitionDetail::Summed,
        ..InspectOptions::default()
    };
    options.skip_databases.insert("starsnap".into());
    let cluster = std::cell::RefCell::new(cluster);
    let mut observe = ObserveWith {
        catalog: |h| inspect(&mut cluster.borrow_mut(), &options, h),
        partitions: |c: &mut ObservedCatalog, t: &BTreeMap<String, BTreeSet<String>>| {
            read_partitions(&mut cluster.borrow_mut(), c, t)
        },
    };
    observe_for_plan(initialised.then_some(&mut store), &mut inputs, &mut observe).map_err(err)?;
    let planned = planner::build(&inputs).map_err(|f| format!("{f:?}"))?;
    std::hint::black_box(starsnap_compiler::plan::to_canonical_json(&planned.plan));
    Ok(planned.plan)
}

/// `starsnap apply`; returns the backup jobs' own time (submission to FINISHED, summed).
fn apply(port: u16, plan: Plan, run: &str) -> Res<Duration> {
    let opts = connect_options(port);
    let mut c = Cluster::connect(&opts, &|_| None).map_err(err)?;
    let state = StateConfig::for_cluster(&mut c, "starsnap").map_err(err)?;
    let actor = Actor {
        holder: "bench".into(),
        host: "localhost".into(),
        pid: std::process::id(),
        run_id: run.into(),
    };
    let config = ApplyConfig::new(opts, state, actor);
    let times: Arc<Mutex<Times>> = Arc::default();
    let seen = times.clone();
    let sink: Sink = Arc::new(move |e: &ApplyEvent| {
        if let Ok(mut t) = seen.lock() {
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
        }
    });
    let env: Arc<EnvLookup> = Arc::new(|_: &str| None);
    let prepared = Apply::prepare(plan, config, env, Arc::new(SystemClock), sink).map_err(err)?;
    if !prepared.moved().is_empty() {
        return Err(format!("the plan is stale: {:?}", prepared.moved()));
    }
    let report = prepared.execute().map_err(err)?;
    if report.failed() > 0 {
        let first = report
            .steps
            .iter()
            .find(|s| matches!(s.outcome, starsnap_runtime::apply::Outcome::Failed(_)))
            .map(|s| format!("{}: {:?}", s.step_id, s.outcome))
            .unwrap_or_default();
        return Err(format!("{} steps failed; first: {first}", report.failed()));
    }
    let t = times.lock().map_err(err)?;
    Ok(t.values()
        .filter_map(|(s, f)| f.map(|f| f.duration_since(*s)))
        .sum())
}

/// The per-table way: `SHOW PARTITIONS` for each table, compared in the client with the
/// (id, version) it stored for each partition. Returns the partitions that changed.
fn per_table(port: u16, stored: &BTreeMap<String, BTreeMap<String, (i64, i64)>>) -> Res<usize> {
    let mut c = Cluster::connect(&connect_options(port), &|_| None).map_err(err)?;
    let mut changed = 0;
    for (table, parts) in stored {
        let rs = c
            .query(&format!("SHOW PARTITIONS FROM bulk.{table}"))
            .map_err(err)?;
        let mut seen = 0;
        for row in rs.iter() {
            let name = row.text("PartitionName").map_err(err)?;
            let id = row.i64("PartitionId").map_err(err)?;
            let version = row.i64("VisibleVersion").map_err(err)?;
            seen += 1;
            if parts.get(name) != Some(&(id, version)) {
                changed += 1;
            }
        }
        changed += parts.len().saturating_sub(seen);
    }
    Ok(changed)
}

fn scenario(tables: usize, partitions: usize, latency_ms: u64) -> Res<()> {
    let dir = std::env::temp_dir().join(format!(
        "starsnap-bench-scale-{}-{tables}-{latency_ms}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let storage = dir.join("storage");
    let t = Instant::now();
    let mut server = Server::start(tables, partitions, latency_ms, &storage.to_string_lossy())?;
    let load = t.elapsed();
    let port = server.port;
    println!(
        "{tables} tables x {partitions} partitions ({} partitions), latency {latency_ms} ms  [simulator load {:.1} s]",
        tables * partitions,
        load.as_secs_f64()
    );

    let (p, full) = Phase::measure(&mut server, || plan(port))?;
    println!(
        "  plan, first full               {}  ({} steps)",
        p.show(),
        full.steps.len()
    );
    let (p, jobs) = Phase::measure(&mut server, || apply(port, full, "bench-full"))?;
    println!(
        "  apply, first full              {}  (backup jobs {:.2} s)",
        p.show(),
        jobs.as_secs_f64()
    );

    // What the per-table tool stored after the full, then 3 partitions of 3 tables loaded.
    let mut c = Cluster::connect(&connect_options(port), &|_| None).map_err(err)?;
    let mut skip = InspectOptions::default();
    skip.skip_databases.insert("starsnap".into());
    let before = inspect(&mut c, &skip, Default::default()).map_err(err)?;
    let stored: BTreeMap<String, BTreeMap<String, (i64, i64)>> = before
        .database("bulk")
        .map(|d| {
            d.tables
                .iter()
                .map(|t| {
                    let parts = t
                        .partitions
                        .iter()
                        .map(|p| (p.name.clone(), (p.id, p.visible_version)))
                        .collect();
                    (t.name.clone(), parts)
                })
                .collect()
        })
        .unwrap_or_default();
    for (i, table) in [0, tables / 2, tables - 1].iter().enumerate() {
        c.execute(&format!(
            "INSERT INTO bulk.t{table:04} VALUES ('2024-01-0{}', 1, 1)",
            i + 1
        ))
        .map_err(err)?;
    }

    let (p, range, incremental) = Phase::median_of(&mut server, || plan(port))?;
    let partitions_planned = incremental.summary.partitions;
    println!(
        "  plan, 3-partition incremental  {}  ({} partitions planned; {})",
        p.show(),
        partitions_planned,
        show_range(range)
    );
    let plan_phase = p;
    let (p, jobs) = Phase::measure(&mut server, || apply(port, incremental, "bench-incr"))?;
    println!(
        "  apply, incremental             {}  (backup job {:.2} s; apply beyond the job {:.2} s)",
        p.show(),
        jobs.as_secs_f64(),
        p.wall.saturating_sub(jobs).as_secs_f64()
    );
    let (p, range, changed) = Phase::median_of(&mut server, || per_table(port, &stored))?;
    println!(
        "  per-table SHOW PARTITIONS      {}  ({changed} partitions changed found; {})",
        p.show(),
        show_range(range)
    );
    println!(
        "  starsnap plan vs per-table: {:.1}x faster (median wall times)",
        p.wall.as_secs_f64() / plan_phase.wall.as_secs_f64().max(1e-9)
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        let n = |k: usize| {
            args.get(i + k)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let storage = args.get(i + 4).cloned().unwrap_or_default();
        if let Err(e) = serve(n(1) as usize, n(2) as usize, n(3), &storage) {
            eprintln!("simulator: {e}");
            std::process::exit(1);
        }
        return;
    }
    let sizes: Vec<(usize, usize)> = arg("--sizes")
        .unwrap_or_else(|| "1000x365,10000x100".into())
        .split(',')
        .filter_map(|s| {
            let (t, p) = s.split_once('x')?;
            Some((t.parse().ok()?, p.parse().ok()?))
        })
        .collect();
    let latencies: Vec<u64> = arg("--latencies")
        .unwrap_or_else(|| "0,1".into())
        .split(',')
        .filter_map(|l| l.parse().ok())
        .collect();
    println!("starsnap at scale (issue 14): the simulator in a child process, every answer `latency` late");
    for &(tables, partitions) in &sizes {
        for &latency in &latencies {
            if let Err(e) = scenario(tables.max(3), partitions.max(1), latency) {
                eprintln!("bench failed: {e}");
                std::process::exit(1);
            }
        }
    }
}
