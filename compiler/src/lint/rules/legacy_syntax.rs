//! L001 legacy-syntax.

use super::{DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};
use crate::syntax::has_3_4_rewrite;

rule_doc! {
    /// ## What it does
    /// Flags a BACKUP or RESTORE written in the legacy (3.3-compatible) syntax when the 3.4
    /// syntax says the same thing, and gives the rewrite in the help.
    ///
    /// ## Why is this bad?
    /// The legacy form hides the database in the label (`SNAPSHOT db.label`) and cannot say
    /// what kind of object each name is. The 3.4 form (`BACKUP DATABASE db SNAPSHOT label …
    /// ON (TABLE t)`) is explicit, is what StarRocks documents from 3.4 on, and is what starsnap
    /// itself emits. Not reported when the target dialect is StarRocks 3.3, which only has the
    /// legacy form.
    ///
    /// ## Example
    /// ```sql
    /// BACKUP SNAPSHOT sales.snap_0601 TO repo ON (orders);
    /// ```
    /// Use instead:
    /// ```sql
    /// BACKUP DATABASE sales SNAPSHOT snap_0601 TO repo ON (TABLE orders);
    /// ```
    LegacySyntax
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    if !cx.dialect.has_3_4_snapshot_syntax() {
        return;
    }
    if !has_3_4_rewrite(stmt) {
        return;
    }
    let what = match stmt {
        Statement::Backup(_) => "BACKUP",
        _ => "RESTORE",
    };
    cx.report(
        Rule::LegacySyntax,
        stmt.span(),
        format!("this {what} uses the legacy syntax; StarRocks 3.4 has an explicit form"),
    )
    // The statement prints in the 3.4 form: its text is the rewrite (`to_3_4_syntax`).
    .help(format!("rewrite as: {stmt}"));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{codes_for, fires};
    use crate::syntax::Dialect;

    #[test]
    fn fires_on_legacy_backup_with_database_prefix() {
        assert!(fires("L001", "BACKUP SNAPSHOT d.s TO r ON (t);"));
        assert!(!fires(
            "L001",
            "RESTORE SNAPSHOT s FROM r DATABASE d ON (t) PROPERTIES (\"backup_timestamp\" = \"x\");"
        ));
    }

    #[test]
    fn silent_on_3_4_syntax_and_for_3_3() {
        assert!(!fires(
            "L001",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t);"
        ));
        assert!(
            !codes_for("BACKUP SNAPSHOT d.s TO r ON (t);", Dialect::StarRocks3_3)
                .contains(&"L001".to_string())
        );
    }
}
