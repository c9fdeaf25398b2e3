//! One module per subcommand: argument struct (clap) and `run`, which returns an exit code.

pub mod apply;
pub mod completions;
pub mod demo;
pub mod dr;
pub mod drill;
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

/// `--color` (every command): whether text output is colored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Color a stream when it is a terminal, unless `NO_COLOR` is set (and even when it is
    /// not a terminal if `CLICOLOR_FORCE` is set and not `0`).
    #[default]
    Auto,
    Always,
    Never,
}

/// An output stream: each decides its own color (stderr's by stderr's terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

static COLOR: std::sync::OnceLock<ColorChoice> = std::sync::OnceLock::new();

/// Records the global `--color` choice (once, from `main`).
pub fn set_color(choice: ColorChoice) {
    let _ = COLOR.set(choice);
}

/// Whether to color what is written to `stream`.
pub fn color(stream: Stream) -> bool {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let terminal = match stream {
        Stream::Stdout => std::io::stdout().is_terminal(),
        Stream::Stderr => std::io::stderr().is_terminal(),
    };
    color_decision(
        COLOR.get().copied().unwrap_or_default(),
        env("NO_COLOR").is_some(),
        env("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
        terminal,
    )
}

/// `--color` first; then `NO_COLOR` (off), then `CLICOLOR_FORCE` (on), then the terminal.
pub fn color_decision(choice: ColorChoice, no_color: bool, force: bool, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && (force || terminal),
    }
}

/// `--format text|json`, and `--json` as its alias, of the commands that list data.
#[derive(Debug, clap::Args)]
pub struct FormatArgs {
    /// text (aligned for people) or json (for programs).
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,
    /// Short for --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

impl FormatArgs {
    pub fn json(&self) -> bool {
        self.format.or_json(self.json) == DataFormat::Json
    }
}

/// `--format` of the commands that list data (history, status, rules).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DataFormat {
    /// For people: aligned text.
    #[default]
    Text,
    /// For programs: JSON (one object per line for lists).
    Json,
}

impl DataFormat {
    /// `--format`, with `--json` as its short alias.
    pub fn or_json(self, json: bool) -> DataFormat {
        if json {
            DataFormat::Json
        } else {
            self
        }
    }
}

/// The policy file: `-c` when given, then `STARSNAP_CONFIG`, then `./starsnap.toml`; says on
/// stderr which one was used when it was not given by `-c`.
pub fn config_path(flag: Option<&std::path::Path>) -> std::path::PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    match std::env::var_os("STARSNAP_CONFIG").filter(|v| !v.is_empty()) {
        Some(p) => {
            let p = std::path::PathBuf::from(p);
            eprintln!("starsnap: using {} (from STARSNAP_CONFIG)", p.display());
            p
        }
        None => {
            let p = std::path::PathBuf::from("starsnap.toml");
            if p.exists() {
                eprintln!("starsnap: using ./starsnap.toml");
            }
            p
        }
    }
}

/// The policy file of a `-c` already resolved by [`config_path`].
pub fn config_file(flag: &Option<std::path::PathBuf>) -> std::path::PathBuf {
    flag.clone()
        .unwrap_or_else(|| std::path::PathBuf::from("starsnap.toml"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_is_decided_by_flag_then_env_then_terminal() {
        use ColorChoice::*;
        assert!(color_decision(Always, true, false, false));
        assert!(!color_decision(Never, false, true, true));
        assert!(!color_decision(Auto, true, true, true));
        assert!(color_decision(Auto, false, true, false));
        assert!(color_decision(Auto, false, false, true));
        assert!(!color_decision(Auto, false, false, false));
    }
}
