//! `starsnap plan`: policy + statement files + the cluster's observed state (live, or a
//! `--catalog` file) → a deterministic plan JSON and a reviewable rendering.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use starsnap_compiler::catalog;
use starsnap_compiler::plan::{self, render, Plan};
use starsnap_compiler::planner::{self, PlanInputs};
use starsnap_compiler::time::Timestamp;

use super::project::{self, LoadError};
use super::{usage_error, Stream};
use crate::render::{render, FileReport, Format};
use crate::{exit, out};

/// How the plan is shown on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// In the manner of `terraform plan`.
    Text,
    /// The plan JSON itself (canonical bytes).
    Json,
    /// A pull-request comment (under 60,000 characters, details collapsed).
    Markdown,
}

/// `plan` arguments.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The policy file.
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the plan JSON here (what `starsnap apply` executes).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Exit 0 when there is nothing to do, 2 when the plan has changes, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Plan as of this instant (RFC 3339, e.g. 2026-11-22T02:00:00Z). Default: now, in UTC.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Plan from a catalog file written by `starsnap inspect --out` instead of the cluster
    /// (no credentials needed: for pull requests).
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Print a unified diff of this earlier plan's rendering against the new one.
    #[arg(long)]
    pub compare: Option<PathBuf>,
    /// Format of the findings about the policy and statement files, printed on stderr:
    /// text, json, sarif or github (the same renderers as `lint`).
    #[arg(long, default_value = "text", value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<Format>()))]
    pub diagnostics_format: Format,
}

/// Now, in UTC, whole seconds (the plan records it; the compiler never reads the clock).
pub fn now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Timestamp(secs)
}

/// Reads a plan file, with a clear error.
/// Reads a plan file. The error carries its exit code: a file that does not exist is a usage
/// error (64, as a missing path is everywhere); one that cannot be read or is not a valid
/// plan is a failure (1).
pub fn read_plan(path: &std::path::Path) -> Result<Plan, (i32, String)> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            exit::USAGE
        } else {
            exit::FAILURE
        };
        (code, format!("{}: {e}", path.display()))
    })?;
    plan::from_json(&text).map_err(|e| (exit::FAILURE, format!("{}: {e}", path.display())))
}

/// Prints findings (errors and warnings) of policy and statement files on stderr, as text.
pub fn report_findings(reports: &[FileReport], color: bool) {
    report_findings_as(Format::Text, reports, color);
}

/// [`report_findings`] in any of lint's formats (json, sarif, github for CI).
pub fn report_findings_as(format: Format, reports: &[FileReport], color: bool) {
    if reports.iter().any(|r| !r.diagnostics.is_empty()) {
        eprint!(
            "{}",
            render(format, reports, &super::lint::rule_docs(), color)
        );
        let errors = crate::render::totals(reports).errors;
        let files: Vec<&str> = reports
            .iter()
            .filter(|r| !r.diagnostics.is_empty())
            .map(|r| r.path.as_str())
            .collect();
        crate::out::remember(format!(
            "{errors} error(s) in {}; the findings are on stderr",
            files.join(", ")
        ));
    }
}

pub fn run(args: PlanArgs) -> i32 {
    // Findings go to stderr: colored by stderr's terminal.
    let color = super::color(Stream::Stderr);
    let as_of = match &args.as_of {
        Some(s) => match Timestamp::parse_rfc3339(s) {
            Ok(t) => t,
            Err(e) => return usage_error(format!("--as-of '{s}': {}", e.0)),
        },
        None => now(),
    };
    let project = match project::load(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(LoadError::Unreadable(e)) => return usage_error(e),
        Err(LoadError::Findings(reports)) => {
            report_findings_as(args.diagnostics_format, &reports, color);
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

    let observed = match &args.catalog {
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return usage_error(format!("{}: {e}", path.display())),
            };
            match catalog::from_json(&text) {
                Ok(c) => c,
                Err(e) => {
                    crate::out::error(format!("{}: {e}", path.display()));
                    return exit::FAILURE;
                }
            }
        }
        None => {
            let mut cluster = match project::connect(policy) {
                Ok(c) => c,
                Err(e) => {
                    crate::out::error(e);
                    return exit::FAILURE;
                }
            };
            match project::observe(policy, &mut cluster) {
                Ok(c) => c,
                Err(e) => {
                    crate::out::error(format!("observing the cluster failed: {e}"));
                    return exit::FAILURE;
                }
            }
        }
    };

    let inputs = PlanInputs {
        policy_path: project.policy_path.clone(),
        policy_text: project.policy_text.clone(),
        statement_files: project.statement_files.clone(),
        catalog: observed,
        as_of,
    };
    let texts = |path: &str| -> String {
        if path == project.policy_path {
            return project.policy_text.clone();
        }
        project
            .statement_files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.text.clone())
            .unwrap_or_default()
    };
    let planned = match planner::build(&inputs) {
        Ok(p) => p,
        Err(findings) => {
            let reports: Vec<FileReport> = findings
                .into_iter()
                .map(|f| FileReport::new(f.path.clone(), texts(&f.path), f.diagnostics))
                .collect();
            report_findings_as(args.diagnostics_format, &reports, color);
            return exit::FAILURE;
        }
    };
    let warnings: Vec<FileReport> = planned
        .warnings
        .iter()
        .map(|f| FileReport::new(f.path.clone(), texts(&f.path), f.diagnostics.clone()))
        .collect();
    report_findings_as(args.diagnostics_format, &warnings, color);

    let plan = planned.plan;
    let json = plan::to_canonical_json(&plan);
    if let Some(out_path) = &args.out {
        if let Err(e) = std::fs::write(out_path, &json) {
            crate::out::error(format!("cannot write {}: {e}", out_path.display()));
            return exit::FAILURE;
        }
        eprintln!("plan written to {}", out_path.display());
    }
    match args.format {
        PlanFormat::Text => out::print(&render::text(&plan)),
        PlanFormat::Json => out::print(&json),
        PlanFormat::Markdown => out::print(&render::markdown(&plan)),
    }
    if let Some(old_path) = &args.compare {
        match read_plan(old_path) {
            Ok(old) => out::print(&render::compare(&old, &plan)),
            Err((code, e)) => {
                crate::out::error(format!("--compare: {e}"));
                return code;
            }
        }
    }
    if args.detailed_exitcode && plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    }
}
