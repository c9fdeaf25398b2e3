//! L005 restore-in-place.

use super::{named_objects, DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};
use crate::syntax::ast::ObjectKind;
use crate::syntax::quote_ident;

rule_doc! {
    /// ## What it does
    /// Flags a table or materialized view in a RESTORE's `ON (...)` list that is restored
    /// under its own name (no `AS`).
    ///
    /// ## Why is this bad?
    /// When the table exists, StarRocks overwrites it in place: the table sits in state
    /// RESTORE (queries fail with `Table state is not NORMAL`) for the whole job, and a job
    /// that fails half-way leaves it half-restored. Restoring under a new name and swapping
    /// with `ALTER TABLE … SWAP WITH` is atomic: readers see the old table until the swap,
    /// then the new one, and the old data is kept under the other name until you drop it.
    ///
    /// ## Example
    /// ```sql
    /// RESTORE SNAPSHOT s FROM repo DATABASE d ON (TABLE orders)
    /// PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842");
    /// ```
    /// Use instead:
    /// ```sql
    /// RESTORE SNAPSHOT s FROM repo DATABASE d ON (TABLE orders AS orders_restored)
    /// PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842");
    /// ALTER TABLE d.orders SWAP WITH orders_restored;
    /// ```
    RestoreInPlace
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::Restore(r) = stmt else { return };
    if r.database.as_ref().is_some_and(|d| d.alias.is_some()) {
        // `DATABASE src AS target`: restored into another database; whole-database overwrite
        // is restore-database-in-place's concern.
        return;
    }
    for n in named_objects(r.on.as_ref()) {
        if n.alias.is_some() {
            continue;
        }
        let Some(name) = n.name.name() else { continue };
        let (keyword, alter) = match n.kind {
            ObjectKind::Table => ("TABLE", "ALTER TABLE"),
            ObjectKind::MaterializedView => ("MATERIALIZED VIEW", "ALTER MATERIALIZED VIEW"),
            ObjectKind::View | ObjectKind::Function => continue,
        };
        let restored = quote_ident(&format!("{}_restored", name.value)).into_owned();
        let original = quote_ident(&name.value).into_owned();
        cx.report(
            Rule::RestoreInPlace,
            n.span,
            format!("`{}` is restored in place: if it exists it is overwritten, not atomically", name.value),
        )
        .help(format!(
            "restore under a new name and swap atomically: `{keyword} {original} AS {restored}`, then `{alter} {original} SWAP WITH {restored}`"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_without_alias() {
        assert!(fires("L005", "RESTORE SNAPSHOT s FROM r DATABASE d ON (TABLE t) PROPERTIES (\"backup_timestamp\" = \"x\");"));
        assert!(fires("L005", "RESTORE SNAPSHOT d.s FROM r ON (t PARTITION (p1)) PROPERTIES (\"backup_timestamp\" = \"x\");"));
    }

    #[test]
    fn silent_with_alias_or_for_views() {
        assert!(!fires("L005", "RESTORE SNAPSHOT s FROM r DATABASE d AS d2 ON (TABLE t) PROPERTIES (\"backup_timestamp\" = \"x\");"));
        assert!(!fires("L005", "RESTORE SNAPSHOT s FROM r DATABASE d ON (TABLE t AS t2) PROPERTIES (\"backup_timestamp\" = \"x\");"));
        assert!(!fires("L005", "RESTORE SNAPSHOT s FROM r DATABASE d ON (VIEW v) PROPERTIES (\"backup_timestamp\" = \"x\");"));
    }
}
