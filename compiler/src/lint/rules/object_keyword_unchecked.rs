//! L019 object-keyword-unchecked.

use super::{named_objects, DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};
use crate::syntax::ast::{ObjectKeyword, ObjectKind};

rule_doc! {
    /// ## What it does
    /// Points out `VIEW v` and `MATERIALIZED VIEW mv` items in a BACKUP or RESTORE: StarRocks
    /// does not check that the object really is of that kind.
    ///
    /// ## Why is this bad?
    /// The keywords only matter for `ALL …`. A named item of any kind resolves to whatever
    /// table, view or materialized view has that name (spec §1.4): `ON (VIEW orders)` backs up
    /// the table `orders` without a word. A reviewer reading `VIEW` trusts something
    /// StarRocks does not enforce; `starsnap plan` checks kinds against the catalog.
    ///
    /// ## Example
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo ON (VIEW v_daily_revenue);
    /// ```
    /// Nothing to change if `v_daily_revenue` is a view; this is information (`info`).
    ObjectKeywordUnchecked
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let on = match stmt {
        Statement::Backup(b) => b.on.as_ref(),
        Statement::Restore(r) => r.on.as_ref(),
        _ => return,
    };
    for n in named_objects(on) {
        let kind = match n.kind {
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Table | ObjectKind::Function => continue,
        };
        if n.keyword == ObjectKeyword::Bare {
            continue;
        }
        let Some(name) = n.name.name() else { continue };
        cx.report(
            Rule::ObjectKeywordUnchecked,
            n.span,
            format!(
                "StarRocks does not check that `{}` is a {kind}: any object with that name is taken",
                name.value
            ),
        )
        .help("`starsnap plan` checks object kinds against the catalog; StarRocks only uses the keyword for `ALL …`");
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_view_keyword() {
        assert!(fires(
            "L019",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (VIEW v);"
        ));
        assert!(fires(
            "L019",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (MATERIALIZED VIEW mv);"
        ));
    }

    #[test]
    fn silent_on_tables_and_all() {
        assert!(!fires(
            "L019",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t, ALL VIEWS);"
        ));
    }
}
