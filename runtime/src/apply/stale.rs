//! Is the plan stale? The compiler's [`staleness`] compares the plan's `observed` with a
//! fresh observation; here the runtime removes what this plan itself caused in an earlier,
//! interrupted run of it (invariant 3, resume):
//!
//! * a label of this plan in its repository, when the history holds it for this plan
//!   (it was recorded as submitted before it was sent, so it is ours);
//! * a repository that "appeared", when the plan creates it and it now has the planned
//!   location;
//! * tables and partitions of a database whose every step this plan already finished, or
//!   that a restore of this plan already began to change (its lane journaled a step done);
//! * a snapshot an expire step of this plan drops or deletes, gone because an earlier run
//!   began that step (`expire_deleting`) or finished it;
//! * an external catalog this plan's `restore_catalogs` step created (an earlier run
//!   submitted it), or one dropped after this plan's backup of it finished.
//!
//! The cluster version and everything else that moved are reported.

use std::collections::{BTreeMap, BTreeSet};

use starsnap_compiler::catalog::ObservedCatalog;
use starsnap_compiler::plan::{staleness, Moved, Op, Plan};

use super::resume::recorded_finished;
use crate::state::BackupEntry;

/// What moved, one readable line each.
pub fn moved(
    plan: &Plan,
    fresh: &ObservedCatalog,
    history: &BTreeMap<(String, String), BackupEntry>,
    done_steps: &BTreeSet<String>,
    expiring: &BTreeSet<String>,
) -> Vec<String> {
    let mut databases: BTreeMap<&str, bool> = BTreeMap::new();
    for s in &plan.steps {
        if let Some(db) = s.database() {
            let done = recorded_finished(s, history);
            let e = databases.entry(db).or_insert(true);
            *e &= done;
        }
    }
    let mut finished: BTreeSet<&str> = databases
        .into_iter()
        .filter(|(_, done)| *done)
        .map(|(db, _)| db)
        .collect();
    // A restore that began in an earlier run changed its own tables (a swap, partitions
    // dropped or overwritten): every database of its lane is this plan's doing.
    for lane in super::worker::lanes(plan) {
        if lane.iter().any(|&i| done_steps.contains(&plan.steps[i].id)) {
            finished.extend(lane.iter().filter_map(|&i| plan.steps[i].database()));
        }
    }
    staleness(plan, fresh)
        .into_iter()
        .filter(|m| match m {
            Moved::TableGone { database, .. }
            | Moved::SchemaChanged { database, .. }
            | Moved::PartitionsChanged { database, .. }
            | Moved::ObjectAppeared { database, .. } => !finished.contains(database.as_str()),
            Moved::LabelExists { repository, label } => {
                !history.contains_key(&(repository.clone(), label.clone()))
            }
            Moved::RepositoryAppeared { name } => !created_by_plan(plan, fresh, name),
            Moved::ExpiringSnapshotGone { step, .. } => {
                !expiring.contains(step) && !done_steps.contains(step)
            }
            // A catalog this plan's restore already submitted (an earlier run) is its own.
            Moved::ExternalCatalogAppeared { name } => !plan.steps.iter().any(|s| {
                matches!(&s.op, Op::RestoreCatalogs(r) if r.catalogs.contains(name))
                    && done_steps.contains(&s.id)
            }),
            // A catalog dropped after this plan's backup of it finished does not undo it.
            Moved::ExternalCatalogGone { name } => !plan.steps.iter().any(|s| {
                s.backup().is_some_and(|b| {
                    b.database.is_none() && b.objects.iter().any(|o| &o.name == name)
                }) && recorded_finished(s, history)
            }),
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
    plan.steps.iter().any(|s| {
        matches!(&s.op, Op::CreateRepository(c) if c.repository == name && c.location == now.location)
    })
}
