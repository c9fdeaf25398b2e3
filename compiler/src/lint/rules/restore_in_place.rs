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
    /// That works when **one** snapshot holds every partition the table needs. StarRocks adds
    /// a snapshot's partitions only onto a table that has the snapshot's own table name (its
    /// signature includes the name: `Table name is inconsistent`), so partitions from a second
    /// snapshot (a full plus incrementals) cannot be added onto `orders_restored`; and
    /// `TABLE orders PARTITION (…) AS orders_restored` creates a table holding only the listed
    /// partitions. To assemble a table from several snapshots, restore them into a scratch
    /// database where it keeps its name (`DATABASE sales AS sales_scratch`; partitions are added
    /// onto an existing table only for RANGE partitioning), copy it beside the live table with
    /// `CREATE TABLE … LIKE` and `INSERT … SELECT`, and swap (spec §9.1, §9.2, §9.5). `starsnap
    /// restore` plans exactly this, verified before the swap.
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
        let scratch = r.target_database().map(|d| d.value.as_str()).map_or_else(
            || "DATABASE d AS d_scratch".to_string(),
            |d| {
                format!(
                    "DATABASE {} AS {}",
                    quote_ident(d),
                    quote_ident(&format!("{d}_scratch"))
                )
            },
        );
        let help = if n.partitions.is_some() {
            // Only some partitions: under a new name they would make a table of just those.
            format!(
                "under a new name (`AS {restored}`) only the listed partitions would make up the table; to assemble it from several snapshots restore them into a scratch database where it keeps its name (`{scratch}`; partitions are added only for RANGE partitioning), copy it with `CREATE TABLE … LIKE` and `INSERT … SELECT`, then `{alter} {original} SWAP WITH` the copy, or let `starsnap restore` plan it"
            )
        } else {
            format!(
                "when this snapshot holds every partition the table needs, restore under a new name and swap atomically: `{keyword} {original} AS {restored}`, then `{alter} {original} SWAP WITH {restored}`; a table assembled from several snapshots cannot take a second snapshot's partitions under a new name (`Table name is inconsistent`): restore into a scratch database (`{scratch}`), copy, then swap, or let `starsnap restore` plan it"
            )
        };
        cx.report(
            Rule::RestoreInPlace,
            n.span,
            format!(
                "`{}` is restored in place: if it exists it is overwritten, not atomically",
                name.value
            ),
        )
        .help(help);
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
    fn advice_follows_what_restore_onto_an_existing_table_allows() {
        let help = |sql: &str| -> String {
            super::super::test_support::findings(sql)
                .into_iter()
                .find(|d| d.code == "L005")
                .and_then(|d| d.help)
                .unwrap_or_default()
        };
        let whole = help("RESTORE SNAPSHOT s FROM r DATABASE d ON (TABLE t) PROPERTIES (\"backup_timestamp\" = \"x\");");
        assert!(
            whole.contains("when this snapshot holds every partition"),
            "{whole}"
        );
        assert!(whole.contains("`DATABASE d AS d_scratch`"), "{whole}");
        let some = help("RESTORE SNAPSHOT d.s FROM r ON (t PARTITION (p1)) PROPERTIES (\"backup_timestamp\" = \"x\");");
        assert!(some.contains("only the listed partitions"), "{some}");
        assert!(some.contains("RANGE"), "{some}");
    }

    #[test]
    fn silent_with_alias_or_for_views() {
        assert!(!fires("L005", "RESTORE SNAPSHOT s FROM r DATABASE d AS d2 ON (TABLE t) PROPERTIES (\"backup_timestamp\" = \"x\");"));
        assert!(!fires("L005", "RESTORE SNAPSHOT s FROM r DATABASE d ON (TABLE t AS t2) PROPERTIES (\"backup_timestamp\" = \"x\");"));
        assert!(!fires("L005", "RESTORE SNAPSHOT s FROM r DATABASE d ON (VIEW v) PROPERTIES (\"backup_timestamp\" = \"x\");"));
    }
}
