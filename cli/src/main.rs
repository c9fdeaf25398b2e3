//! The `starsnap` binary: a thin argument layer over the compiler (and, later, runtime)
//! crates. Data goes to stdout; logs and progress to stderr. Exit codes: `exit.rs`.

mod cmd;
mod exit;
mod files;
mod out;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Declarative, reviewable and safe StarRocks backups and restores.
#[derive(Debug, Parser)]
#[command(name = "starsnap", version, about, after_help = exit::HELP_TABLE)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check snapshot SQL (BACKUP, RESTORE, repositories, swaps) without a cluster.
    #[command(after_help = exit::HELP_TABLE)]
    Lint(cmd::lint::LintArgs),
    /// Rewrite snapshot statements in canonical form; keep comments and other statements.
    #[command(after_help = exit::HELP_TABLE)]
    Fmt(cmd::fmt::FmtArgs),
    /// Observe the cluster and write the catalog JSON `plan --catalog` reads.
    Inspect(cmd::inspect::InspectArgs),
    /// Compile the policy, the statement files and the observed cluster into a plan.
    #[command(after_help = exit::HELP_TABLE)]
    Plan(cmd::plan::PlanArgs),
    /// Execute a reviewed plan against the cluster (exit 3: stale plan, 4: lock held).
    #[command(after_help = exit::HELP_TABLE)]
    Apply(cmd::apply::ApplyArgs),
    /// Plan a restore of tables or databases to a point the backups cover (swap, --into,
    /// --in-place); apply it with `starsnap apply`, or at once with --apply.
    #[command(after_help = exit::HELP_TABLE)]
    Restore(cmd::restore::RestoreArgs),
    /// Create the state database, or migrate it to this starsnap's schema.
    Init(cmd::unlock::InitArgs),
    /// Break a lock a dead run left behind (its id is in `starsnap status`).
    Unlock(cmd::unlock::UnlockArgs),
    /// List the backups the state records, newest first.
    History(cmd::history::HistoryArgs),
    /// Show the locks in force and the jobs not yet ended.
    Status(cmd::history::StatusArgs),
    /// Prove the repository still holds every finished set the history records (SHOW
    /// SNAPSHOT, recorded timestamps); a broken set's chain restarts with a full.
    Verify(cmd::verify::VerifyArgs),
    /// Render a saved plan.
    Show(cmd::show::ShowArgs),
    /// List the lint rules, or show one rule's documentation.
    Rules(cmd::rules::RulesArgs),
    /// Run starsnap's main job end to end on the bundled simulator: plan, apply, a day of
    /// loads, an incremental plan and apply, a quiet day, history.
    Demo(cmd::demo::DemoArgs),
    /// Run the bundled StarRocks simulator, seeded with demo data, until Ctrl-C.
    Sandbox(cmd::sandbox::SandboxArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; everything else is a usage error (64).
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    let code = match cli.command {
        Command::Lint(args) => cmd::lint::run(args),
        Command::Fmt(args) => cmd::fmt::run(args),
        Command::Inspect(args) => cmd::inspect::run(args),
        Command::Plan(args) => cmd::plan::run(args),
        Command::Apply(args) => cmd::apply::run(args),
        Command::Restore(args) => cmd::restore::run(args),
        Command::Init(args) => cmd::unlock::run_init(args),
        Command::Unlock(args) => cmd::unlock::run_unlock(args),
        Command::History(args) => cmd::history::run_history(args),
        Command::Status(args) => cmd::history::run_status(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Show(args) => cmd::show::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Sandbox(args) => cmd::sandbox::run(args),
        Command::Demo(args) => cmd::demo::run(args),
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
