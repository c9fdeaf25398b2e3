//! Expire steps: the sets of a group's database that retention lets go
//! ([`super::retention`]), as typed `expire` steps after the group's backups.

use crate::catalog::{BackupKind, BackupRecord};
use crate::plan::{
    BackupOp, ExpireHow, ExpireLabel, ExpireOp, KeptSet, Op, Reason, RetentionKept, Step,
};
use crate::policy::{GroupConfig, KeepRules, Retention};
use crate::syntax::Dialect;
use crate::time::{format_duration, Timestamp};

use super::chain::{finished_sets, BackupSet};
use super::retention::{select, RetainedSet};

/// When a set was made: StarRocks's `backup_time` when recorded, else `created_at`.
pub(crate) fn set_time(set: &BackupSet<'_>) -> Timestamp {
    set.records
        .iter()
        .filter_map(|r| r.backup_time_ms)
        .min()
        .map(|ms| Timestamp(ms.div_euclid(1_000)))
        .unwrap_or(set.created_at)
}

/// `keep = { daily = 7, weekly = 4 }, min_chains = 2` as the policy writes it.
pub fn describe_rules(r: &Retention) -> String {
    let k: &KeepRules = &r.keep;
    let mut parts = Vec::new();
    for (name, n) in [
        ("last", k.last),
        ("daily", k.daily),
        ("weekly", k.weekly),
        ("monthly", k.monthly),
    ] {
        if let Some(n) = n {
            parts.push(format!("{name} = {n}"));
        }
    }
    if let Some(w) = k.within_secs {
        parts.push(format!("within = \"{}\"", format_duration(w)));
    }
    format!(
        "keep = {{ {} }}, min_chains = {}",
        parts.join(", "),
        r.min_chains
    )
}

/// The expire steps of `group`'s database `database` (empty: the group's external-catalog
/// sets), and what is kept there and why; `None` when nothing expires. `planned` is the backup this plan makes of the database (it
/// counts as the newest set: the expire steps run after it).
pub(super) fn plan(
    group: &GroupConfig,
    rules: &Retention,
    database: &str,
    backups: &[BackupRecord],
    planned: Option<&BackupOp>,
    as_of: Timestamp,
    dialect: Dialect,
) -> Option<(Vec<Step>, RetentionKept)> {
    let sets: Vec<BackupSet<'_>> = finished_sets(backups, &group.name, database, &group.repository)
        .into_iter()
        // StarRocks deletes a snapshot with a ttl itself once the ttl has passed.
        .filter(|s| {
            group
                .ttl_secs
                .filter(|_| dialect.has_drop_snapshot())
                .is_none_or(|ttl| set_time(s).0.saturating_add(ttl as i64) > as_of.0)
        })
        .collect();
    let mut retained: Vec<RetainedSet> = sets
        .iter()
        .map(|s| RetainedSet {
            name: s.name.clone(),
            kind: s.kind,
            parent: s.parent.clone(),
            time: set_time(s),
        })
        .collect();
    if let Some(b) = planned {
        retained.push(RetainedSet {
            name: b.set.clone(),
            kind: b.kind,
            parent: b.parent.clone(),
            time: as_of,
        });
    }
    let selection = select(&retained, rules, as_of);
    if selection.expire.is_empty() {
        return None;
    }
    let how = if dialect.has_drop_snapshot() {
        ExpireHow::DropSnapshot
    } else {
        ExpireHow::DeleteObjects
    };
    let described = describe_rules(rules);
    let mut steps = Vec::new();
    for name in &selection.expire {
        let Some(set) = sets.iter().find(|s| &s.name == name) else {
            continue;
        };
        let mut labels: Vec<ExpireLabel> = set
            .records
            .iter()
            .map(|r| ExpireLabel {
                label: r.label.clone(),
                snapshot_timestamp: r.snapshot_timestamp.clone(),
            })
            .collect();
        labels.sort_by(|a, b| a.label.cmp(&b.label));
        labels.dedup_by(|a, b| a.label == b.label);
        let kind = match set.kind {
            BackupKind::Full => "full",
            BackupKind::Incremental => "incremental",
        };
        let why = format!(
            "{kind} set `{name}` made at {} is held by no rule of {described}, and no kept set builds on it",
            set_time(set)
        );
        let op = Op::Expire(ExpireOp {
            group: group.name.clone(),
            database: database.to_string(),
            repository: group.repository.clone(),
            set: name.clone(),
            labels,
            why: why.clone(),
            how,
        });
        // A catalog set (no database) is named as its backup step is.
        let scope = if database.is_empty() {
            "external_catalogs"
        } else {
            database
        };
        steps.push(Step {
            id: format!("expire/{}/{scope}/{name}", group.name),
            reason: Reason::Retention,
            detail: why,
            depends_on: Vec::new(),
            sql: op.review_sql(dialect),
            op,
        });
    }
    let kept = RetentionKept {
        group: group.name.clone(),
        database: database.to_string(),
        repository: group.repository.clone(),
        kept: selection
            .kept
            .iter()
            .map(|(set, by)| KeptSet {
                set: set.clone(),
                rules: by.iter().map(|b| b.describe()).collect(),
            })
            .collect(),
    };
    Some((steps, kept))
}
