//! `starsnap sandbox`: the bundled StarRocks simulator in the foreground, seeded with a demo
//! data set, with repository locations (`s3://…`, `hdfs://…`, …) mapped to local folders so
//! BACKUP and RESTORE work. Stops cleanly on Ctrl-C (the catalog is flushed to the data dir).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;

use starsnap_simulator::engine::Engine;
use starsnap_simulator::seed::{self, Seed};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::{SimConfig, VersionProfile};

use crate::exit;

/// URL schemes StarRocks repositories use; each maps to `<data-dir>/storage/<scheme>`.
const SCHEMES: [&str; 8] = ["s3", "s3a", "oss", "cos", "obs", "gs", "hdfs", "azblob"];

/// `sandbox` arguments.
#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 9030)]
    pub port: u16,
    /// Keep the catalog, data and repositories here (survives restarts). Default: a new
    /// temporary folder.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Keep repositories (the folders `s3://…`, `hdfs://…` locations map to) here instead of
    /// `<data-dir>/storage`, so two sandboxes with their own `--data-dir` share repositories:
    /// one backs up, the other restores. Repositories with an `aws.s3.endpoint` property are
    /// stored on that S3-compatible server instead.
    #[arg(long)]
    pub storage_dir: Option<PathBuf>,
    /// Data to load on first start: demo or empty.
    #[arg(long, default_value = "demo", value_parser = ["demo", "empty"])]
    pub seed: String,
    /// Answer as this StarRocks version: 3.3, 3.4, 3.5, 4.0, 4.1 or 4.2 (4.2 adds DROP SNAPSHOT,
    /// the BACKUP `ttl` property and snapshot expiry).
    #[arg(long, default_value = "3.4")]
    pub starrocks_version: String,
    /// The FE time zone: UTC, +08:00, Asia/Shanghai, …
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
}

/// The simulator configuration the sandbox (and `demo`) uses, storing under `dir` and its
/// repositories under `storage` (default `<dir>/storage`).
pub fn sandbox_config(dir: &Path, storage: Option<&Path>, port: u16) -> SimConfig {
    let root = storage.map_or_else(|| dir.join("storage"), Path::to_path_buf);
    let storage: BTreeMap<String, PathBuf> = SCHEMES
        .iter()
        .map(|s| (format!("{s}://"), root.join(s)))
        .collect();
    SimConfig {
        port,
        data_dir: Some(dir.join("fe")),
        storage,
        ..SimConfig::default()
    }
}

/// Starts a simulator on `config`, seeding it when its catalog is new.
pub fn start(config: SimConfig, seed: Seed) -> Result<Simulator, String> {
    let engine =
        Engine::try_new(&config).map_err(|e| format!("cannot start the simulator: {e}"))?;
    let fresh = engine.catalog().databases.is_empty();
    if fresh && seed == Seed::Demo {
        seed::demo(&engine).map_err(|e| format!("cannot load the demo data: {}", e.message))?;
        engine
            .flush()
            .map_err(|e| format!("cannot save the demo data: {e}"))?;
    }
    Simulator::start_with(config, Arc::new(engine))
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))
}

pub fn run(args: SandboxArgs) -> i32 {
    let version: VersionProfile = match args.starrocks_version.parse() {
        Ok(v) => v,
        Err(e) => return super::usage_error(e),
    };
    let dir = args.data_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("starsnap-sandbox-{}", std::process::id()))
    });
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("starsnap: {}: {e}", dir.display());
        return exit::FAILURE;
    }
    let storage = args
        .storage_dir
        .clone()
        .unwrap_or_else(|| dir.join("storage"));
    if let Err(e) = std::fs::create_dir_all(&storage) {
        eprintln!("starsnap: {}: {e}", storage.display());
        return exit::FAILURE;
    }
    let mut config = sandbox_config(&dir, Some(&storage), args.port);
    config.version = version;
    config.time_zone = args.time_zone.clone();
    let seed: Seed = if args.seed == "empty" {
        Seed::Empty
    } else {
        Seed::Demo
    };
    let mut sim = match start(config, seed) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("starsnap: {e}");
            return exit::FAILURE;
        }
    };
    let (tx, rx) = mpsc::channel();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = tx.send(());
    }) {
        eprintln!("starsnap: cannot install the Ctrl-C handler: {e}");
        return exit::FAILURE;
    }
    let port = sim.port();
    eprintln!(
        "StarRocks {} simulator listening on 127.0.0.1:{port} (data in {})",
        version.version_comment(),
        dir.display()
    );
    eprintln!("  connect:      mysql -h127.0.0.1 -P{port} -uroot");
    eprintln!(
        "  repositories: s3://bucket/path and other locations are stored under {}",
        storage.display()
    );
    eprintln!(
        "                (or on an S3-compatible server: PROPERTIES (\"aws.s3.endpoint\" = \"http://host:port\", …))"
    );
    eprintln!(
        "  example:      CREATE REPOSITORY demo_repo WITH BROKER ON LOCATION 's3://demo/backups';"
    );
    eprintln!("Press Ctrl-C to stop.");
    let _ = rx.recv();
    eprintln!("stopping");
    match sim.stop() {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("starsnap: {e}");
            exit::FAILURE
        }
    }
}
