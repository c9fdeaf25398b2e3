//! L017 restore-database-in-place.

use super::{selects_everything_of_a_kind, DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};

rule_doc! {
    /// ## What it does
    /// Flags a RESTORE of a whole database (no `ON`, or `ON (ALL …)`) into the database's own
    /// name: no `DATABASE src AS target`.
    ///
    /// ## Why is this bad?
    /// Every table of the snapshot that exists in the target database is overwritten in
    /// place: each one is unreadable (state RESTORE) until the job ends, and a failed job
    /// leaves a mix of old and restored tables. On a fresh cluster (disaster recovery) that is
    /// what you want, so suppress it there with a reason; on a live cluster restore into a new
    /// database and swap tables one by one.
    ///
    /// ## Example
    /// ```sql
    /// RESTORE SNAPSHOT s FROM repo DATABASE sales
    /// PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842");
    /// ```
    /// Use instead:
    /// ```sql
    /// RESTORE SNAPSHOT s FROM repo DATABASE sales AS sales_restored
    /// PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842");
    /// ```
    RestoreDatabaseInPlace
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::Restore(r) = stmt else { return };
    if r.catalogs.is_some() || !selects_everything_of_a_kind(r.on.as_ref()) {
        return;
    }
    if r.database.as_ref().is_some_and(|d| d.alias.is_some()) {
        return;
    }
    let target = r
        .target_database()
        .map(|d| format!("`{}`", d.value))
        .unwrap_or_else(|| "the snapshot's database".to_string());
    cx.report(
        Rule::RestoreDatabaseInPlace,
        r.span,
        format!("restores a whole database into {target} in place: existing tables are overwritten, not atomically"),
    )
    .help("restore into a new database with `DATABASE <src> AS <src>_restored` and swap tables with `ALTER TABLE … SWAP WITH`; on a fresh cluster suppress this with a reason");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_whole_database_in_place() {
        assert!(fires(
            "L017",
            "RESTORE SNAPSHOT s FROM r DATABASE d PROPERTIES (\"backup_timestamp\" = \"x\");"
        ));
        assert!(fires("L017", "RESTORE SNAPSHOT d.s FROM r ON (ALL TABLES) PROPERTIES (\"backup_timestamp\" = \"x\");"));
    }

    #[test]
    fn silent_with_alias_or_named_objects() {
        assert!(!fires(
            "L017",
            "RESTORE SNAPSHOT s FROM r DATABASE d AS d2 PROPERTIES (\"backup_timestamp\" = \"x\");"
        ));
        assert!(!fires("L017", "RESTORE SNAPSHOT s FROM r DATABASE d ON (TABLE t AS t2) PROPERTIES (\"backup_timestamp\" = \"x\");"));
    }
}
