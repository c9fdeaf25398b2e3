//! L014 show-restore-where-ignored.

use super::{DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};
use crate::syntax::ast::JobKind;

rule_doc! {
    /// ## What it does
    /// Flags `SHOW RESTORE … WHERE …`.
    ///
    /// ## Why is this bad?
    /// StarRocks parses the WHERE and then ignores it (without `FROM` it is dropped while
    /// parsing; with `FROM` it is never evaluated; spec §2.5). The statement lists the last
    /// restore job of every database (or of the named one) whatever the condition says, so a
    /// script that relies on the filter reads the wrong row.
    ///
    /// ## Example
    /// ```sql
    /// SHOW RESTORE FROM sales WHERE Label = 'snap_0601';
    /// ```
    /// Use instead:
    /// ```sql
    /// SHOW RESTORE FROM sales;
    /// ```
    ShowRestoreWhere
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::ShowJobs(s) = stmt else { return };
    if s.kind != JobKind::Restore {
        return;
    }
    let Some(w) = &s.filters.where_ else { return };
    cx.report(
        Rule::ShowRestoreWhere,
        w.span,
        "StarRocks ignores the WHERE of SHOW RESTORE: every database's last restore job is listed",
    )
    .help("drop the WHERE and pick the row by its Label column in the caller");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_where() {
        assert!(fires("L014", "SHOW RESTORE FROM d WHERE Label = 'x';"));
    }

    #[test]
    fn silent_without_where() {
        assert!(!fires("L014", "SHOW RESTORE FROM d;"));
    }
}
