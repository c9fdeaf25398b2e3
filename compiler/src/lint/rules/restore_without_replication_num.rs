//! L006 restore-without-replication-num.

use super::{property, DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};

rule_doc! {
    /// ## What it does
    /// Flags a RESTORE of a database's objects without the `replication_num` property.
    ///
    /// ## Why is this bad?
    /// Without it StarRocks restores with the cluster default (`default_replication_num`, 3 in
    /// shared-nothing mode), not with the replica count the tables had. Restoring onto a
    /// smaller cluster (a staging cluster, a disaster-recovery cluster with fewer backends)
    /// then fails or over-replicates. Saying the number makes the restore's footprint
    /// explicit and reviewable.
    ///
    /// ## Example
    /// ```sql
    /// RESTORE SNAPSHOT s FROM repo DATABASE d
    /// PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842");
    /// ```
    /// Use instead:
    /// ```sql
    /// RESTORE SNAPSHOT s FROM repo DATABASE d
    /// PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842", "replication_num" = "3");
    /// ```
    RestoreWithoutReplicationNum
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::Restore(r) = stmt else { return };
    if r.catalogs.is_some() || property(r.properties.as_ref(), "replication_num").is_some() {
        return;
    }
    let span = r.properties.as_ref().map(|p| p.span).unwrap_or(r.span);
    cx.report(
        Rule::RestoreWithoutReplicationNum,
        span,
        "RESTORE without `replication_num` uses the cluster default (3 replicas in shared-nothing mode)",
    )
    .help("add \"replication_num\" = \"<n>\" matching the target cluster (at most its number of backends)");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_without_replication_num() {
        assert!(fires(
            "L006",
            "RESTORE SNAPSHOT d.s FROM r PROPERTIES (\"backup_timestamp\" = \"x\");"
        ));
    }

    #[test]
    fn silent_with_replication_num_or_catalogs() {
        assert!(!fires("L006", "RESTORE SNAPSHOT d.s FROM r PROPERTIES (\"backup_timestamp\" = \"x\", \"replication_num\" = \"1\");"));
        assert!(!fires("L006", "RESTORE SNAPSHOT s FROM r ALL EXTERNAL CATALOGS PROPERTIES (\"backup_timestamp\" = \"x\");"));
    }
}
