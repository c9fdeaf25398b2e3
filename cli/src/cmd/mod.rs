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

/// `--color` (every command): whether text output is colored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Color a stream when it is a terminal (not TERM=dumb), unless NO_COLOR is set or
    /// CLICOLOR=0 (and even when it is not a terminal if CLICOLOR_FORCE is set and not 0).
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

/// Records the global `--color` choice (once, from `main`).
pub fn set_color(choice: ColorChoice) {
    anstream::ColorChoice::write_global(match choice {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    });
}

/// Whether to color what is written to `stream`: `--color always|never` wins; under `auto`,
/// `anstream` decides for that stream alone — `NO_COLOR` off, then `CLICOLOR_FORCE` on, then
/// `CLICOLOR=0` off, then on when the stream is a terminal that is not `TERM=dumb`.
pub fn color(stream: Stream) -> bool {
    let choice = match stream {
        Stream::Stdout => anstream::AutoStream::choice(&std::io::stdout()),
        Stream::Stderr => anstream::AutoStream::choice(&std::io::stderr()),
    };
    choice != anstream::ColorChoice::Never
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
    crate::out::error(format!("{msg}"));
    crate::exit::USAGE
}
