//! `starsnap rules [CODE|NAME]`: the rule registry, as a table or one code's documentation.

use starsnap_compiler::lint::{explain, rules_markdown};

use super::usage_error;
use crate::{exit, out};

/// `rules` arguments.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// A code (`L005`, `V017`) or rule name (`restore-in-place`): print its documentation.
    pub rule: Option<String>,
}

pub fn run(args: RulesArgs) -> i32 {
    match args.rule {
        None => {
            out::print(&rules_markdown());
            exit::OK
        }
        Some(r) => match explain(&r) {
            Some(doc) => {
                out::print(&format!("{}\n", doc.trim_end()));
                exit::OK
            }
            None => usage_error(format!("unknown rule '{r}' (see `starsnap rules`)")),
        },
    }
}
