//! L016 key-partition.

use super::{named_objects, DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};
use crate::syntax::ast::PartitionNames;

rule_doc! {
    /// ## What it does
    /// Flags `PARTITION (col = value, …)` in a BACKUP or RESTORE object.
    ///
    /// ## Why is this bad?
    /// The grammar shares this form with INSERT, but for BACKUP/RESTORE StarRocks turns it
    /// into an empty list of partition names: it does not select the partition holding
    /// `value`. Name the partitions (see `SHOW PARTITIONS FROM t`).
    ///
    /// ## Example
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo ON (TABLE t PARTITION (dt = '2024-01-01'));
    /// ```
    /// Use instead:
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo ON (TABLE t PARTITION (p20240101));
    /// ```
    KeyPartition
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let on = match stmt {
        Statement::Backup(b) => b.on.as_ref(),
        Statement::Restore(r) => r.on.as_ref(),
        _ => return,
    };
    for n in named_objects(on) {
        let Some(spec) = &n.partitions else { continue };
        if matches!(spec.names, PartitionNames::Keys(_)) {
            cx.report(
                Rule::KeyPartition,
                spec.span,
                "`PARTITION (col = value)` selects no partition in BACKUP/RESTORE",
            )
            .help("name the partitions, e.g. `PARTITION (p20240101)`; list them with SHOW PARTITIONS FROM <table>");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_key_partition() {
        assert!(fires(
            "L016",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t PARTITION (dt = '2024-01-01'));"
        ));
    }

    #[test]
    fn silent_on_names() {
        assert!(!fires(
            "L016",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t PARTITION (p1));"
        ));
    }
}
