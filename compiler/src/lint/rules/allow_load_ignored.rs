//! L010 allow-load-ignored.

use super::{property, DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};
use crate::validate::java;

rule_doc! {
    /// ## What it does
    /// Flags `"allow_load" = "true"` on a RESTORE.
    ///
    /// ## Why is this bad?
    /// StarRocks 3.4 records the value (SHOW RESTORE's AllowLoad column says `true`) but
    /// ignores it: every table the job touches is in state RESTORE until the job ends, so
    /// loads fail (`Cannot write RESTORE state table`) and queries fail (`Table state is not
    /// NORMAL`) whatever `allow_load` says (spec §3.2). Plan the restore window accordingly,
    /// or restore under a new name and swap.
    ///
    /// ## Example
    /// ```sql
    /// RESTORE SNAPSHOT d.s FROM repo ON (t)
    /// PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842", "allow_load" = "true");
    /// ```
    /// Use instead:
    /// ```sql
    /// RESTORE SNAPSHOT d.s FROM repo ON (t AS t_restored)
    /// PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842");
    /// ```
    AllowLoadIgnored
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::Restore(r) = stmt else { return };
    let Some(p) = property(r.properties.as_ref(), "allow_load") else {
        return;
    };
    if !java::equals_ignore_case(&p.value.value, "true") {
        return;
    }
    cx.report(
        Rule::AllowLoadIgnored,
        p.value.span,
        "`allow_load` is recorded but ignored: restored tables refuse loads and queries until the job ends",
    )
    .help("drop the property; to keep serving the old data during the restore, restore under a new name (`AS t_restored`) and swap");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_allow_load_true() {
        assert!(fires("L010", "RESTORE SNAPSHOT d.s FROM r PROPERTIES (\"backup_timestamp\" = \"x\", \"allow_load\" = \"TRUE\");"));
    }

    #[test]
    fn silent_without_it() {
        assert!(!fires("L010", "RESTORE SNAPSHOT d.s FROM r PROPERTIES (\"backup_timestamp\" = \"x\", \"allow_load\" = \"false\");"));
    }
}
