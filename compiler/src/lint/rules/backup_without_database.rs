//! L002 backup-without-database.

use super::{DiagnosticExt, RuleCx, Statement};
use crate::diagnostic::Stage;
use crate::lint::registry::{rule_doc, Rule};

rule_doc! {
    /// ## What it does
    /// Flags a BACKUP of internal tables that names no database: neither `DATABASE d` nor a
    /// `d.` prefix on the label.
    ///
    /// ## Why is this bad?
    /// StarRocks 3.4's analyzer checks such a BACKUP against the session's current database
    /// and accepts it, but never records that database in the statement; the backup handler
    /// then dereferences a missing job and the client gets a `NullPointerException` message
    /// (`Cannot read field "dbName" because "jobInfo" is null` on JDK 17) at execution, after
    /// the statement passed every check (spec §2.1 step 8). Before 3.4 the same statement
    /// failed with `Unknown database 'null'`.
    ///
    /// ## Example
    /// ```sql
    /// USE sales;
    /// BACKUP SNAPSHOT snap_0601 TO repo;
    /// ```
    /// Use instead:
    /// ```sql
    /// BACKUP DATABASE sales SNAPSHOT snap_0601 TO repo;
    /// ```
    BackupWithoutDatabase
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::Backup(b) = stmt else { return };
    if b.catalogs.is_some() || b.database().is_some_and(|d| !d.value.is_empty()) {
        return;
    }
    let label = b.label_name().map(|l| l.value.clone()).unwrap_or_default();
    let d34 = cx.dialect.has_3_4_snapshot_syntax();
    let d = cx.report(
        Rule::BackupWithoutDatabase,
        b.label.span,
        "this BACKUP names no database: StarRocks accepts it, then fails at execution",
    );
    d.help(if d34 {
        format!("name the database: `BACKUP DATABASE <db> SNAPSHOT {label} TO …`")
    } else {
        format!("name the database: `BACKUP SNAPSHOT <db>.{label} TO …`")
    });
    if d34 {
        d.starrocks(
            1064,
            "HY000",
            "Cannot read field \"dbName\" because \"jobInfo\" is null",
            Stage::Execute,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_without_database() {
        assert!(fires("L002", "BACKUP SNAPSHOT s TO r;"));
        assert!(fires("L002", "BACKUP SNAPSHOT s TO r ON (t);"));
    }

    #[test]
    fn silent_with_database() {
        assert!(!fires("L002", "BACKUP SNAPSHOT d.s TO r;"));
        assert!(!fires("L002", "BACKUP DATABASE d SNAPSHOT s TO r;"));
        assert!(!fires(
            "L002",
            "BACKUP ALL EXTERNAL CATALOGS SNAPSHOT s TO r;"
        ));
    }
}
