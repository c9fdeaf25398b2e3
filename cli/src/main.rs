//! The `starsnap` binary: a thin argument layer over the compiler (and, later, runtime)
//! crates. Data goes to stdout; logs and progress to stderr. Exit codes: `exit.rs`.

mod cmd;
mod exit;
mod files;
mod log;
mod out;
mod render;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Declarative, reviewable and safe StarRocks backups and restores.
#[derive(Debug, Parser)]
#[command(name = "starsnap", version, about, after_help = exit::HELP_TABLE)]
struct Cli {
    /// Color: auto (a stream is colored when it is a terminal; NO_COLOR turns it off,
    /// CLICOLOR_FORCE on), always or never. Decided per stream.
    #[arg(long, value_enum, global = true, default_value_t = cmd::ColorChoice::Auto)]
    color: cmd::ColorChoice,
    /// Log on stderr what starsnap does: -v steps and their times, -vv also every statement
    /// sent (secrets masked) with its time, -vvv everything. Without it, RUST_LOG decides
    /// (default: warnings only).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
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
    #[command(after_help = exit::HELP_TABLE)]
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
    #[command(after_help = exit::HELP_TABLE)]
    Init(cmd::unlock::InitArgs),
    /// Break a lock a dead run left behind (its id is in `starsnap status`).
    #[command(after_help = exit::HELP_TABLE)]
    Unlock(cmd::unlock::UnlockArgs),
    /// List the backups the state records, newest first.
    #[command(after_help = exit::HELP_TABLE)]
    History(cmd::history::HistoryArgs),
    /// Show the locks in force and the jobs not yet ended.
    #[command(after_help = exit::HELP_TABLE)]
    Status(cmd::history::StatusArgs),
    /// Prove the repository still holds every finished set the history records (SHOW
    /// SNAPSHOT, recorded timestamps); a broken set's chain restarts with a full (exit 1: a
    /// set is broken, named on stdout).
    #[command(after_help = exit::HELP_TABLE)]
    Verify(cmd::verify::VerifyArgs),
    /// Restore drill: restore the latest chain (or --at) into scratch databases, verify it
    /// against the manifests, drop them, record the result and the RTO (exit 1 on a failure).
    #[command(after_help = exit::HELP_TABLE)]
    Drill(cmd::drill::DrillArgs),
    /// Render a saved plan.
    #[command(after_help = exit::HELP_TABLE)]
    Show(cmd::show::ShowArgs),
    /// List the lint rules, or show one rule's documentation.
    #[command(after_help = exit::HELP_TABLE)]
    Rules(cmd::rules::RulesArgs),
    /// Run starsnap's main job end to end on the bundled simulator: plan, apply, a day of
    /// loads, an incremental plan and apply, a quiet day, history.
    #[command(after_help = exit::HELP_TABLE)]
    Demo(cmd::demo::DemoArgs),
    /// Run the bundled StarRocks simulator, seeded with demo data, until Ctrl-C.
    #[command(after_help = exit::HELP_TABLE)]
    Sandbox(cmd::sandbox::SandboxArgs),
    /// Print a shell completion script (bash, zsh, fish) on stdout.
    #[command(after_help = exit::HELP_TABLE)]
    Completions(cmd::completions::CompletionsArgs),
    /// Print the man page (roff), or write one page per subcommand with --out-dir.
    #[command(after_help = exit::HELP_TABLE)]
    Man(cmd::completions::ManArgs),
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
            if code != exit::OK && asks_for_json(std::env::args().skip(1)) {
                let said = e.to_string();
                let first = said.lines().next().unwrap_or("");
                out::print(&out::error_object(
                    code,
                    first.trim_start_matches("error: "),
                ));
            }
            return ExitCode::from(code as u8);
        }
    };
    cmd::set_color(cli.color);
    log::init(cli.verbose);
    let mut command = cli.command;
    // The policy file: -c, then STARSNAP_CONFIG, then ./starsnap.toml (said on stderr).
    let config = match &mut command {
        Command::Inspect(a) => Some(&mut a.config),
        Command::Plan(a) => Some(&mut a.config),
        Command::Apply(a) => Some(&mut a.config),
        Command::Restore(a) => Some(&mut a.config),
        Command::Init(a) => Some(&mut a.config),
        Command::Unlock(a) => Some(&mut a.config),
        Command::History(a) => Some(&mut a.config),
        Command::Status(a) => Some(&mut a.config),
        Command::Drill(a) => Some(&mut a.config),
        Command::Verify(a) => Some(&mut a.config),
        _ => None,
    };
    if let Some(c) = config {
        *c = Some(cmd::config_path(c.as_deref()));
    }
    let json = json_output(&command);
    let code = match command {
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
        Command::Drill(args) => cmd::drill::run(args),
        Command::Show(args) => cmd::show::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Sandbox(args) => cmd::sandbox::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Completions(args) => cmd::completions::run_completions(args, Cli::command()),
        Command::Man(args) => cmd::completions::run_man(args, Cli::command()),
    };
    out::json_error(json, code);
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// Whether raw arguments that did not parse asked for JSON output (`--json`, `--format json`,
/// `--format=json`), so that the usage error is JSON too.
fn asks_for_json(args: impl Iterator<Item = String>) -> bool {
    let mut previous = String::new();
    for a in args {
        if a == "--json" || a == "--format=json" || (previous == "--format" && a == "json") {
            return true;
        }
        previous = a;
    }
    false
}

/// How `command`'s output takes an error: as the JSON document, as the last JSON line, or
/// not at all (text).
fn json_output(command: &Command) -> out::JsonOutput {
    use cmd::plan::PlanFormat;
    use out::JsonOutput::{Document, Lines, None};
    let doc = |yes: bool| if yes { Document } else { None };
    let lines = |yes: bool| if yes { Lines } else { None };
    match command {
        Command::Lint(a) => doc(matches!(
            a.format,
            render::Format::Json | render::Format::Sarif
        )),
        Command::Plan(a) => doc(a.format == PlanFormat::Json),
        Command::Show(a) => doc(a.format == PlanFormat::Json),
        Command::Restore(a) if a.apply => lines(a.json),
        Command::Restore(a) => doc(a.format == PlanFormat::Json),
        Command::Apply(a) => lines(a.format.json()),
        Command::History(a) => lines(a.format.json()),
        Command::Status(a) => doc(a.format.json()),
        Command::Rules(a) => lines(a.format == cmd::DataFormat::Json),
        Command::Verify(a) => doc(a.format == cmd::verify::Format::Json),
        Command::Inspect(a) => doc(a.out.is_none()),
        // One JSON object per drilled database and a summary line; an error ends the lines.
        Command::Drill(a) => lines(a.format.json()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
