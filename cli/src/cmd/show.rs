//! `starsnap show plan.json`: renders a saved plan.

use std::path::PathBuf;

use starsnap_compiler::plan::{self, render};

use super::plan::{read_plan, PlanFormat};
use crate::{exit, out};

/// `show` arguments.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// A plan written by `starsnap plan --out`.
    pub plan: PathBuf,
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
}

pub fn run(args: ShowArgs) -> i32 {
    match read_plan(&args.plan) {
        Ok(p) => {
            out::print(&match args.format {
                PlanFormat::Text => render::text(&p),
                PlanFormat::Json => plan::to_canonical_json(&p),
                PlanFormat::Markdown => render::markdown(&p),
            });
            exit::OK
        }
        Err((code, e)) => {
            crate::out::error(e);
            code
        }
    }
}
