//! `starsnap demo`: starsnap's main job end to end on the bundled simulator, in one command.
//!
//! It starts a seeded StarRocks simulator in this process, writes a policy next to it, and then
//! runs the real commands as a person would — each printed before it runs, its output shown:
//! plan (a first full backup), apply, a day of loads into three partitions, plan (an incremental
//! of exactly those partitions), apply, plan again (a quiet day: nothing to do), then a bad ETL
//! job and the restore of the damaged table — planned, reviewed, applied: restored beside the
//! live table from the full and the incremental, verified, swapped in — and the history.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use starsnap_runtime::{Cluster, ConnectOptions};
use starsnap_simulator::seed::Seed;

use super::sandbox::{sandbox_config, start};
use crate::{exit, out};

/// `demo` arguments.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Keep the demo's folder (policy, plans, simulator data, repository) instead of removing it.
    #[arg(long)]
    pub keep: bool,
    /// Where to put the demo's files. Default: a new temporary folder.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

const POLICY: &str = r#"# The demo's policy: back up every table, view, materialized view and function of `sales`.
[cluster]
host = "127.0.0.1"
port = {port}
user = "root"
connect_timeout = "5s"

[repository.demo]
location = "s3://demo-bucket/starrocks"

[group.nightly]
include = ["sales.*"]
views = true
materialized_views = true
functions = true
repository = "demo"
full_every = "7d"
max_chain_length = 14
"#;

/// Runs `starsnap <args>` (this same binary) in `dir`, echoing the command and its output.
fn step(dir: &Path, title: &str, args: &[&str]) -> Result<i32, String> {
    out::print(&format!("\n== {title}\n$ starsnap {}\n", args.join(" ")));
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the starsnap binary: {e}"))?;
    let o = Command::new(exe)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("cannot run starsnap {}: {e}", args.join(" ")))?;
    out::print(&String::from_utf8_lossy(&o.stdout));
    let err = String::from_utf8_lossy(&o.stderr);
    if !err.trim().is_empty() {
        out::print(&err);
    }
    Ok(o.status.code().unwrap_or(exit::FAILURE))
}

fn expect(dir: &Path, title: &str, args: &[&str], codes: &[i32]) -> Result<(), String> {
    let code = step(dir, title, args)?;
    if codes.contains(&code) {
        Ok(())
    } else {
        Err(format!("`starsnap {}` exited {code}", args.join(" ")))
    }
}

fn load_a_day(port: u16) -> Result<(), String> {
    let opts = ConnectOptions {
        port,
        connect_timeout: Duration::from_secs(5),
        ..ConnectOptions::default()
    };
    let mut c = Cluster::connect(&opts, &|_| None).map_err(|e| e.to_string())?;
    let sql = "INSERT INTO sales.orders VALUES \
               ('2024-03-01', 990001, 3, 19.99, 'paid'), \
               ('2024-07-14', 990002, 5, 5.00, 'paid'), \
               ('2024-11-29', 990003, 9, 120.00, 'shipped')";
    out::print(&format!(
        "\n== A day of loads: three partitions change\n$ mysql -e \"{sql}\"\n"
    ));
    c.execute(sql).map_err(|e| e.to_string())?;
    Ok(())
}

fn bad_etl_job(port: u16) -> Result<(), String> {
    let opts = ConnectOptions {
        port,
        connect_timeout: Duration::from_secs(5),
        ..ConnectOptions::default()
    };
    let mut c = Cluster::connect(&opts, &|_| None).map_err(|e| e.to_string())?;
    let sql = "INSERT INTO sales.orders VALUES \
               ('2024-03-01', 990101, 3, -1.00, 'bogus'), \
               ('2024-11-29', 990102, 9, -1.00, 'bogus')";
    out::print(&format!(
        "\n== A bad ETL job writes rows it should not have\n$ mysql -e \"{sql}\"\n"
    ));
    c.execute(sql).map_err(|e| e.to_string())?;
    Ok(())
}

fn run_demo(dir: &Path) -> Result<(), String> {
    let sim = start(sandbox_config(&dir.join("simulator"), None, 0), Seed::Demo)?;
    let port = sim.port();
    out::print(&format!(
        "StarRocks {} simulator on 127.0.0.1:{port}, seeded with a `sales` database (a year of daily partitions); files in {}\n",
        sim.config().version.version_comment(),
        dir.display()
    ));
    std::fs::write(
        dir.join("starsnap.toml"),
        POLICY.replace("{port}", &port.to_string()),
    )
    .map_err(|e| format!("cannot write the demo policy: {e}"))?;

    let as_of1 = "2026-11-22T02:00:00Z";
    expect(
        dir,
        "Plan: nothing is backed up yet",
        &["plan", "--as-of", as_of1, "--out", "plan-1.json"],
        &[0],
    )?;
    expect(
        dir,
        "Apply the reviewed plan",
        &["apply", "plan-1.json", "--auto-approve"],
        &[0],
    )?;
    load_a_day(port)?;
    let as_of2 = "2026-11-23T02:00:00Z";
    expect(
        dir,
        "Plan: an incremental backup of exactly the changed partitions",
        &["plan", "--as-of", as_of2, "--out", "plan-2.json"],
        &[0],
    )?;
    expect(
        dir,
        "Apply it",
        &["apply", "plan-2.json", "--auto-approve"],
        &[0],
    )?;
    expect(
        dir,
        "Plan on a quiet day: nothing to do (exit 0 with --detailed-exitcode)",
        &[
            "plan",
            "--as-of",
            "2026-11-24T02:00:00Z",
            "--detailed-exitcode",
        ],
        &[0],
    )?;
    bad_etl_job(port)?;
    expect(
        dir,
        "Plan the restore of the damaged table to the last backup (a reviewed plan, like any other)",
        &["restore", "sales.orders", "--out", "restore.json"],
        &[0],
    )?;
    expect(
        dir,
        "Apply it: restored beside the live table, verified, then one atomic swap",
        &["apply", "restore.json", "--auto-approve"],
        &[0],
    )?;
    expect(dir, "History", &["history"], &[0])?;
    expect(dir, "Restores", &["history", "--restores"], &[0])?;
    drop(sim);
    Ok(())
}

pub fn run(args: DemoArgs) -> i32 {
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("starsnap-demo-{}", std::process::id()))
    });
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("starsnap: {}: {e}", dir.display());
        return exit::FAILURE;
    }
    let result = run_demo(&dir);
    if args.keep || args.dir.is_some() {
        out::print(&format!("\nThe demo's files are in {}\n", dir.display()));
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    match result {
        Ok(()) => {
            out::print("\nDemo finished: a full backup, an incremental of three partitions, a quiet day, a damaged table restored.\n");
            exit::OK
        }
        Err(e) => {
            eprintln!("starsnap: demo failed: {e}");
            exit::FAILURE
        }
    }
}
