//! `starsnap inspect`: observes the cluster the policy names and writes the catalog JSON that
//! `starsnap plan --catalog` plans from without credentials.

use std::path::PathBuf;

use starsnap_compiler::catalog;

use super::project::{self, LoadError};
use super::usage_error;
use crate::{exit, out};

/// `inspect` arguments.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The policy file (its [cluster] and [state] sections are used).
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the catalog here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: InspectArgs) -> i32 {
    let project = match project::load(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(LoadError::Unreadable(e)) => return usage_error(e),
        Err(LoadError::Findings(reports)) => {
            super::plan::report_findings(&reports, false);
            return exit::FAILURE;
        }
        Err(LoadError::Statement(e)) => {
            crate::out::error(e);
            return exit::FAILURE;
        }
    };
    let Some(policy) = project.policy.as_ref() else {
        return exit::FAILURE;
    };
    let mut cluster = match project::connect(policy) {
        Ok(c) => c,
        Err(e) => {
            crate::out::error(e);
            return exit::FAILURE;
        }
    };
    let observed = match project::observe(policy, &mut cluster) {
        Ok(c) => c,
        Err(e) => {
            crate::out::error(format!("observing the cluster failed: {e}"));
            return exit::FAILURE;
        }
    };
    let json = catalog::to_json(&observed);
    match &args.out {
        Some(path) => match std::fs::write(path, &json) {
            Ok(()) => {
                eprintln!(
                    "catalog written to {} ({} statements)",
                    path.display(),
                    cluster.statements_sent()
                );
                exit::OK
            }
            Err(e) => {
                crate::out::error(format!("cannot write {}: {e}", path.display()));
                exit::FAILURE
            }
        },
        None => {
            out::print(&json);
            exit::OK
        }
    }
}
