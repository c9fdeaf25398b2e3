//! `starsnap rules [CODE|NAME]`: the rule registry, as a table or one rule's documentation.

use starsnap_compiler::lint::{lookup, rules_markdown};

use super::usage_error;
use crate::exit;

/// `rules` arguments.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// A code (`L005`) or name (`restore-in-place`): print that rule's documentation.
    pub rule: Option<String>,
}

pub fn run(args: RulesArgs) -> i32 {
    match args.rule {
        None => {
            print!("{}", rules_markdown());
            exit::OK
        }
        Some(r) => match lookup(&r) {
            Some(meta) => {
                println!("{} {} ({})\n", meta.code, meta.name, meta.default_severity);
                println!("{}\n", meta.summary);
                if !meta.docs.is_empty() {
                    println!("{}", meta.docs.trim_end());
                }
                exit::OK
            }
            None => usage_error(format!("unknown rule '{r}' (see `starsnap rules`)")),
        },
    }
}
