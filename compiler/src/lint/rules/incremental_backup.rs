//! L003 incremental-backup.

use super::{property, DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};
use crate::validate::java;

rule_doc! {
    /// ## What it does
    /// Flags `"type" = "incremental"` on a BACKUP.
    ///
    /// ## Why is this bad?
    /// StarRocks accepts the value but has no incremental backups: a new label gets an
    /// ordinary FULL snapshot, and a label that already exists in the repository is refused
    /// at execution with `Currently does not support incremental backup` (spec §2.1 step 7).
    /// Either way nothing incremental happens. starsnap plans incremental backups itself, as
    /// full snapshots of the partitions that changed.
    ///
    /// ## Example
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo PROPERTIES ("type" = "incremental");
    /// ```
    /// Use instead:
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo PROPERTIES ("type" = "full");
    /// ```
    IncrementalBackup
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::Backup(b) = stmt else { return };
    let Some(p) = property(b.properties.as_ref(), "type") else {
        return;
    };
    if java::to_upper_case(&p.value.value) != "INCREMENTAL" {
        return;
    }
    cx.report(
        Rule::IncrementalBackup,
        p.value.span,
        "StarRocks takes no incremental backups: this is a full snapshot, or is refused if the label exists",
    )
    .help("write \"type\" = \"full\" (or omit it); for incremental backups by changed partition use `starsnap plan`; StarRocks's refusal reads `Currently does not support incremental backup`");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_incremental() {
        assert!(fires(
            "L003",
            "BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"type\" = \"Incremental\");"
        ));
    }

    #[test]
    fn silent_on_full() {
        assert!(!fires(
            "L003",
            "BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"type\" = \"full\");"
        ));
        assert!(!fires("L003", "BACKUP DATABASE d SNAPSHOT s TO r;"));
    }
}
