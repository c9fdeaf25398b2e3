//! `starsnap completions SHELL` and `starsnap man [--out-dir DIR]`: generated from the clap
//! definition itself (`clap_complete`, `clap_mangen`), so they never drift from `--help`.

use std::path::PathBuf;

use clap_complete::Shell;

use crate::{exit, out};

/// `completions` arguments.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// The shells `completions` supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// `man` arguments.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `starsnap.1` and one `starsnap-COMMAND.1` per subcommand into this directory
    /// (created if missing); without it, `starsnap.1` is printed on stdout.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub fn run_completions(args: CompletionsArgs, mut cmd: clap::Command) -> i32 {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "starsnap", &mut buf);
    out::print(&String::from_utf8_lossy(&buf));
    exit::OK
}

pub fn run_man(args: ManArgs, cmd: clap::Command) -> i32 {
    match args.out_dir {
        None => {
            let mut buf = Vec::new();
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut buf) {
                crate::out::error(format!("cannot render the man page: {e}"));
                return exit::FAILURE;
            }
            out::print(&String::from_utf8_lossy(&buf));
            exit::OK
        }
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(&dir) {
                crate::out::error(format!("cannot create {}: {e}", dir.display()));
                return exit::FAILURE;
            }
            match clap_mangen::generate_to(cmd, &dir) {
                Ok(()) => {
                    eprintln!("starsnap: man pages written to {}", dir.display());
                    exit::OK
                }
                Err(e) => {
                    eprintln!(
                        "starsnap: cannot write the man pages to {}: {e}",
                        dir.display()
                    );
                    exit::FAILURE
                }
            }
        }
    }
}
