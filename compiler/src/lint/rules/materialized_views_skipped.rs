//! L018 materialized-views-skipped.

use super::{DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};
use crate::syntax::ast::{ObjectItem, ObjectKind};

rule_doc! {
    /// ## What it does
    /// Flags `ALL MATERIALIZED VIEW(S)` in a BACKUP (StarRocks 3.4 and later).
    ///
    /// ## Why is this bad?
    /// When StarRocks expands `ALL …` (and a BACKUP without `ON`) it skips materialized views
    /// unless the FE config `enable_backup_materialized_view` is true, and that config
    /// defaults to false from 3.4.2 (spec §2.1 step 3). The item then backs up nothing, with
    /// no error. Materialized views named one by one are backed up.
    ///
    /// ## Example
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo ON (ALL MATERIALIZED VIEWS);
    /// ```
    /// Use instead:
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo ON (MATERIALIZED VIEW mv_daily, MATERIALIZED VIEW mv_hourly);
    /// ```
    MaterializedViewsSkipped
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::Backup(b) = stmt else { return };
    if !cx.dialect.has_3_4_snapshot_syntax() {
        return;
    }
    let items = b.on.as_ref().map(|l| l.items.as_slice()).unwrap_or(&[]);
    for item in items {
        if let ObjectItem::All(a) = item {
            if a.kind == ObjectKind::MaterializedView {
                cx.report(
                    Rule::MaterializedViewsSkipped,
                    a.span,
                    "`ALL MATERIALIZED VIEWS` backs up nothing unless the FE config `enable_backup_materialized_view` is true (default false from 3.4.2)",
                )
                .help("name the materialized views (`MATERIALIZED VIEW mv1, …`), or set enable_backup_materialized_view = true on the FE");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_all_mv() {
        assert!(fires(
            "L018",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (ALL MATERIALIZED VIEWS);"
        ));
    }

    #[test]
    fn silent_on_named_mv() {
        assert!(!fires(
            "L018",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (MATERIALIZED VIEW mv);"
        ));
    }
}
