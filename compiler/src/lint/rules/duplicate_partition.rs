//! L012 duplicate-partition.

use std::collections::HashSet;

use super::{named_objects, DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};
use crate::syntax::ast::PartitionNames;

rule_doc! {
    /// ## What it does
    /// Flags a partition named twice in one `PARTITION (...)` list (names compared without
    /// regard to case, as StarRocks looks partitions up).
    ///
    /// ## Why is this bad?
    /// The repeat adds nothing; usually it is a copy-paste slip where another partition was
    /// meant, so the backup or restore silently misses the partition you wanted.
    ///
    /// ## Example
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo ON (TABLE t PARTITION (p202401, p202401));
    /// ```
    /// Use instead:
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo ON (TABLE t PARTITION (p202401, p202402));
    /// ```
    DuplicatePartition
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let on = match stmt {
        Statement::Backup(b) => b.on.as_ref(),
        Statement::Restore(r) => r.on.as_ref(),
        _ => return,
    };
    for n in named_objects(on) {
        let Some(spec) = &n.partitions else { continue };
        let PartitionNames::Names(names) = &spec.names else {
            continue;
        };
        let mut seen = HashSet::new();
        for p in names {
            if !seen.insert(p.value.to_lowercase()) {
                cx.report(
                    Rule::DuplicatePartition,
                    p.span,
                    format!("partition `{}` is listed twice", p.value),
                )
                .help("remove the repeat, or name the partition you meant");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_repeat() {
        assert!(fires(
            "L012",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t PARTITION (p1, P1));"
        ));
    }

    #[test]
    fn silent_on_distinct() {
        assert!(!fires(
            "L012",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t PARTITION (p1, p2));"
        ));
    }
}
