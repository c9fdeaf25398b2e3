//! Is the plan stale? The compiler's [`staleness`] compares the plan's `observed` with a
//! fresh observation; here the runtime removes what this plan itself caused in an earlier,
//! interrupted run of it (invariant 3, resume):
//!
//! * a label of this plan in its repository, when the history holds it for this plan
//!   (it was recorded as submitted before it was sent, so it is ours);
//! * a repository that "appeared", when the plan creates it and it now has the planned
//!   location;
//! * tables and partitions of a database whose every step this plan already finished.
//!
//! The cluster version and everything else that moved are reported.

use std::collections::{BTreeMap, BTreeSet};

use starsnap_compiler::catalog::ObservedCatalog;
use starsnap_compiler::plan::{staleness, Action, Moved, Plan};
use starsnap_compiler::syntax::ast::Statement;
use starsnap_compiler::syntax::{parse, Dialect};

use super::resume::recorded_finished;
use crate::state::BackupEntry;

/// What moved, one readable line each.
pub fn moved(
    plan: &Plan,
    fresh: &ObservedCatalog,
    history: &BTreeMap<(String, String), BackupEntry>,
) -> Vec<String> {
    let mut databases: BTreeMap<&str, bool> = BTreeMap::new();
    for s in &plan.steps {
        if let Some(db) = s.database.as_deref() {
            let done = recorded_finished(s, history);
            let e = databases.entry(db).or_insert(true);
            *e &= done;
        }
    }
    let finished: BTreeSet<&str> = databases
        .into_iter()
        .filter(|(_, done)| *done)
        .map(|(db, _)| db)
        .collect();
    staleness(plan, fresh)
        .into_iter()
        .filter(|m| match m {
            Moved::TableGone { database, .. }
            | Moved::SchemaChanged { database, .. }
            | Moved::PartitionsChanged { database, .. } => !finished.contains(database.as_str()),
            Moved::LabelExists { repository, label } => {
                !history.contains_key(&(repository.clone(), label.clone()))
            }
            Moved::RepositoryAppeared { name } => !created_by_plan(plan, fresh, name),
            _ => true,
        })
        .map(|m| m.to_string())
        .collect()
}

/// Whether the plan creates repository `name` and the cluster's has the planned location.
fn created_by_plan(plan: &Plan, fresh: &ObservedCatalog, name: &str) -> bool {
    let Some(now) = fresh.repository(name) else {
        return false;
    };
    plan.steps
        .iter()
        .filter(|s| s.action == Action::CreateRepository && s.repository.as_deref() == Some(name))
        .any(|s| planned_location(&s.sql).as_deref() == Some(now.location.as_str()))
}

/// The `ON LOCATION` of a CREATE REPOSITORY statement.
pub fn planned_location(sql: &str) -> Option<String> {
    parse(sql, Dialect::default())
        .statements
        .into_iter()
        .find_map(|ps| match ps.statement {
            Some(Statement::CreateRepository(c)) => Some(c.location.value),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_of_a_planned_repository() {
        let sql = "CREATE REPOSITORY r\nWITH BROKER\nON LOCATION \"s3://b/p\"\nPROPERTIES (\n    \"aws.s3.access_key\" = \"${K}\"\n)";
        assert_eq!(planned_location(sql).as_deref(), Some("s3://b/p"));
        assert_eq!(planned_location("SELECT 1"), None);
    }
}
