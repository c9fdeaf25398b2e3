//! L011 drop-repository.

use super::{DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};

rule_doc! {
    /// ## What it does
    /// Flags DROP REPOSITORY.
    ///
    /// ## Why is this bad?
    /// StarRocks keeps the snapshot files in storage but forgets the repository: SHOW
    /// SNAPSHOT can no longer list them and RESTORE can no longer read them until someone
    /// re-creates a repository on the same location (as `CREATE READ ONLY REPOSITORY`, to be
    /// safe). It also fails while a job uses the repository. In a reviewed runbook it should
    /// carry a suppression with the reason.
    ///
    /// ## Example
    /// ```sql
    /// DROP REPOSITORY old_repo;
    /// ```
    /// Use instead:
    /// ```sql
    /// -- starsnap:ignore L011 -- retired after the migration to s3_repo (ticket OPS-123)
    /// DROP REPOSITORY old_repo;
    /// ```
    DropRepository
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::DropRepository(d) = stmt else {
        return;
    };
    if d.name.value.is_empty() {
        // StarRocks refuses it (V019); nothing would be dropped.
        return;
    }
    cx.report(
        Rule::DropRepository,
        d.span,
        format!("DROP REPOSITORY makes StarRocks forget every snapshot in `{}`", d.name.value),
    )
    .help("the files stay in storage; re-create with `CREATE READ ONLY REPOSITORY … ON LOCATION` to read them again; if intended, suppress with a reason");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_drop_repository() {
        assert!(fires("L011", "DROP REPOSITORY r;"));
    }

    #[test]
    fn silent_on_create() {
        assert!(!fires(
            "L011",
            "CREATE REPOSITORY r WITH BROKER ON LOCATION \"s3://b\";"
        ));
    }
}
