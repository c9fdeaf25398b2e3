//! L015 cancel-in-file.

use super::{DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};

rule_doc! {
    /// ## What it does
    /// Flags CANCEL BACKUP / CANCEL RESTORE in a linted file.
    ///
    /// ## Why is this bad?
    /// CANCEL is an incident-time command: it stops whatever job currently runs on the
    /// database, whoever started it. Committed into a runbook or a scheduled script it cancels
    /// tomorrow's job too. If the file really is an incident runbook, suppress this with the
    /// reason.
    ///
    /// ## Example
    /// ```sql
    /// CANCEL BACKUP FROM sales;
    /// ```
    /// Use instead:
    /// ```sql
    /// -- starsnap:ignore L015 -- incident runbook step, run by hand only
    /// CANCEL BACKUP FROM sales;
    /// ```
    CancelInFile
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::Cancel(c) = stmt else { return };
    cx.report(
        Rule::CancelInFile,
        c.span,
        "CANCEL stops whichever job is running on the database; probably not meant to be committed",
    )
    .help("run CANCEL by hand during an incident; in a runbook, suppress this with a reason");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_cancel() {
        assert!(fires("L015", "CANCEL RESTORE FROM d;"));
    }

    #[test]
    fn silent_on_show() {
        assert!(!fires("L015", "SHOW RESTORE FROM d;"));
    }
}
