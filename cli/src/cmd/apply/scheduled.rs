//! `starsnap apply --plan-and-apply`: plan and apply in one run, for cron. The plan is made
//! exactly as `starsnap plan` makes it (policy, statement files, the live cluster and the
//! history, as of now), shown on stderr, and then applied with the same safety as a saved
//! plan: the stale check, the locks, the confirmation rule.

use std::path::Path;

use starsnap_compiler::plan::{render, Plan};
use starsnap_compiler::planner::{self, PlanInputs};

use super::super::plan::{now, report_findings};
use super::super::project::{self, LoadError};
use super::super::usage_error;
use crate::exit;
use crate::render::FileReport;

/// Builds the plan from the policy file; on failure, the exit code (findings printed).
pub fn build_plan(config: &Path) -> Result<Plan, i32> {
    let project = match project::load(config) {
        Ok(p) => p,
        Err(LoadError::Unreadable(e)) => return Err(usage_error(e)),
        Err(LoadError::Findings(reports)) => {
            report_findings(&reports, false);
            return Err(exit::FAILURE);
        }
        Err(LoadError::Statement(e)) => {
            crate::out::error(e);
            return Err(exit::FAILURE);
        }
    };
    let Some(policy) = project.policy.as_ref() else {
        return Err(exit::FAILURE);
    };
    let mut cluster = project::connect(policy).map_err(|e| {
        crate::out::error(e);
        exit::FAILURE
    })?;
    let catalog = project::observe(policy, &mut cluster).map_err(|e| {
        crate::out::error(format!("observing the cluster failed: {e}"));
        exit::FAILURE
    })?;
    let inputs = PlanInputs {
        policy_path: project.policy_path.clone(),
        policy_text: project.policy_text.clone(),
        statement_files: project.statement_files.clone(),
        catalog,
        as_of: now(),
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
    let report = |files: Vec<planner::FileDiagnostics>| {
        let reports: Vec<FileReport> = files
            .into_iter()
            .map(|f| FileReport::new(f.path.clone(), texts(&f.path), f.diagnostics))
            .collect();
        report_findings(&reports, false);
    };
    match planner::build(&inputs) {
        Ok(planned) => {
            report(planned.warnings);
            eprint!("{}", render::text(&planned.plan));
            Ok(planned.plan)
        }
        Err(findings) => {
            report(findings);
            Err(exit::FAILURE)
        }
    }
}
