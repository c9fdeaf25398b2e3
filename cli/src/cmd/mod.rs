//! One module per subcommand: argument struct (clap) and `run`, which returns an exit code.

pub mod apply;
pub mod demo;
pub mod fmt;
pub mod history;
pub mod inspect;
pub mod lint;
pub mod plan;
pub mod project;
pub mod restore;
pub mod rules;
pub mod sandbox;
pub mod show;
pub mod state;
pub mod unlock;
pub mod verify;

use std::io::IsTerminal;

/// `--color`: whether text output is colored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Color when stdout is a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// Parses `--dialect` values (`starrocks-3.4`, `3.4`).
pub fn parse_dialect(s: &str) -> Result<starsnap_compiler::syntax::Dialect, String> {
    s.parse().map_err(|e| format!("{e}"))
}

/// Prints a usage-level error (`starsnap: …`) to stderr.
pub fn usage_error(msg: impl std::fmt::Display) -> i32 {
    eprintln!("starsnap: {msg}");
    crate::exit::USAGE
}
