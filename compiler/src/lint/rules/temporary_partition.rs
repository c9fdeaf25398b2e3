//! L013 temporary-partition.

use super::{named_objects, DiagnosticExt, RuleCx, Statement};
use crate::diagnostic::Stage;
use crate::lint::registry::{rule_doc, Rule};

rule_doc! {
    /// ## What it does
    /// Flags `TEMPORARY PARTITION(S) (...)` in a BACKUP or RESTORE.
    ///
    /// ## Why is this bad?
    /// The grammar accepts it, but StarRocks refuses it at execution: BACKUP with `Do not
    /// support backing up temp partitions`, RESTORE with `Do not support restoring temporary
    /// partitions` (spec §2.1 step 7, §2.3). Replace the temporary partitions into the table
    /// first (`ALTER TABLE … REPLACE PARTITION … WITH TEMPORARY PARTITION …`), then back up the
    /// regular partitions.
    ///
    /// ## Example
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo ON (TABLE t TEMPORARY PARTITION (tp1));
    /// ```
    /// Use instead:
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo ON (TABLE t PARTITION (p1));
    /// ```
    TemporaryPartition
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let (on, text) = match stmt {
        Statement::Backup(b) => (b.on.as_ref(), "Do not support backing up temp partitions"),
        Statement::Restore(r) => (
            r.on.as_ref(),
            "Do not support restoring temporary partitions",
        ),
        _ => return,
    };
    for n in named_objects(on) {
        let Some(spec) = &n.partitions else { continue };
        if !spec.temporary {
            continue;
        }
        cx.report(
            Rule::TemporaryPartition,
            spec.span,
            "StarRocks refuses temporary partitions in BACKUP/RESTORE at execution",
        )
        .help("replace the temporary partitions into the table first, then name the regular partitions")
        .starrocks(5064, "42000", text, Stage::Execute);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{findings, fires};

    #[test]
    fn fires_on_temporary_partition() {
        let f =
            findings("BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t TEMPORARY PARTITION (tp1));");
        let d = f.iter().find(|d| d.code == "L013").expect("L013");
        assert_eq!(
            d.starrocks.as_ref().map(|s| s.message.as_str()),
            Some("Do not support backing up temp partitions")
        );
    }

    #[test]
    fn silent_on_regular_partition() {
        assert!(!fires(
            "L013",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t PARTITION (p1));"
        ));
    }
}
