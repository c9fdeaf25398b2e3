//! `starsnap init` (create or migrate the state) and `starsnap unlock LOCK_ID` (break a lease
//! a dead run left behind). Both read only `[cluster]` and `[state]` of the policy file.

use std::path::PathBuf;

use super::apply::{actor, load_policy, open_state};
use crate::{exit, out};

/// `init` arguments.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The policy file: only its [cluster] and [state] sections are read.
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `unlock` arguments.
#[derive(Debug, clap::Args)]
pub struct UnlockArgs {
    /// The lock id `starsnap status` (or the lock-held error) shows.
    pub lock_id: String,
    /// The policy file: only its [cluster] and [state] sections are read.
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub fn run_init(args: InitArgs) -> i32 {
    let policy = match load_policy(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut store = match super::state::open_store(&policy) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("starsnap: {e}");
            return exit::FAILURE;
        }
    };
    match store.init() {
        Ok(report) => {
            let applied = if report.applied.is_empty() {
                "already current".to_string()
            } else {
                format!(
                    "applied migrations {}",
                    report
                        .applied
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            out::print(&format!(
                "State database `{}`: schema version {} ({applied}).\n",
                policy.state.database, report.version
            ));
            exit::OK
        }
        Err(e) => {
            eprintln!("starsnap: {e}");
            exit::FAILURE
        }
    }
}

pub fn run_unlock(args: UnlockArgs) -> i32 {
    let policy = match load_policy(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut store = match open_state(&policy) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("starsnap: {e}");
            return exit::FAILURE;
        }
    };
    match store.break_lock(&args.lock_id, &actor()) {
        Ok(info) => {
            out::print(&format!(
                "Broke lock {} of database `{}` (held by {}@{}, pid {}).\n",
                info.lock_id, info.database, info.actor.holder, info.actor.host, info.actor.pid
            ));
            exit::OK
        }
        Err(e) => {
            eprintln!("starsnap: {e}");
            exit::FAILURE
        }
    }
}
