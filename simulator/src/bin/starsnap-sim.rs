//! `starsnap-sim`: runs the StarRocks simulator in the foreground.
//!
//! ```text
//! starsnap-sim [--port P] [--data-dir D] [--seed demo|empty] [--starrocks-version V] [--time-zone TZ]
//! ```
//! Exit codes: 0 on a clean stop, 1 when the simulator cannot start, 64 on a usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use starsnap_simulator::seed::{self, Seed};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::{SimConfig, VersionProfile};

const USAGE: &str = "usage: starsnap-sim [--port P] [--data-dir D] [--seed demo|empty] [--starrocks-version 3.3|3.4|3.5|4.0|4.1] [--time-zone TZ]

Runs a StarRocks frontend simulator on 127.0.0.1 until interrupted.
  --port P               port to listen on (default 9030; 0 picks a free one)
  --data-dir D           keep the catalog and data in D (survives restarts)
  --seed demo|empty      load the demo data set on first start (default demo)
  --starrocks-version V  answer as StarRocks V (default 3.4)
  --time-zone TZ         FE time zone: UTC, +08:00, Asia/Shanghai, ... (default UTC)
Exit codes: 0 stopped, 1 could not start, 64 usage error.";

fn main() -> ExitCode {
    let mut config = SimConfig {
        port: 9030,
        ..SimConfig::default()
    };
    let mut seed = Seed::Demo;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        let Some(value) = args.next() else {
            eprintln!("starsnap-sim: {flag} needs a value\n{USAGE}");
            return ExitCode::from(64);
        };
        let parsed: Result<(), String> = match flag.as_str() {
            "--port" => value
                .parse()
                .map(|p| config.port = p)
                .map_err(|e| format!("--port: {e}")),
            "--data-dir" => {
                config.data_dir = Some(PathBuf::from(&value));
                Ok(())
            }
            "--seed" => value.parse().map(|s| seed = s),
            "--starrocks-version" => value.parse::<VersionProfile>().map(|v| config.version = v),
            "--time-zone" => {
                config.time_zone = value.clone();
                Ok(())
            }
            other => Err(format!("unknown option {other}")),
        };
        if let Err(e) = parsed {
            eprintln!("starsnap-sim: {e}\n{USAGE}");
            return ExitCode::from(64);
        }
    }
    let sim = match Simulator::start(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("starsnap-sim: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    let empty = sim.engine().catalog().databases.is_empty();
    if seed == Seed::Demo && empty {
        if let Err(e) = seed::demo(sim.engine()) {
            eprintln!("starsnap-sim: demo seed failed: {}", e.message);
            return ExitCode::from(1);
        }
        if let Err(e) = sim.engine().flush() {
            eprintln!("starsnap-sim: cannot save: {e}");
        }
    }
    eprintln!(
        "starsnap simulator: StarRocks {} listening on 127.0.0.1:{}",
        sim.config().version.version_comment(),
        sim.port()
    );
    println!("mysql -h127.0.0.1 -P{} -uroot", sim.port());
    loop {
        std::thread::park();
    }
}
