//! The restore point of one database: which group's chain, which set is its tip (latest, at a
//! time, or holding a label), and the chain from the full to that tip.
//!
//! Times are compared only as StarRocks's epoch `backup_time` (`BackupRecord::backup_time_ms`);
//! the FE-zone `snapshot_timestamp` strings are never compared (spec §3.4, issue 10). `Latest`
//! orders by starsnap's own submission time (`created_at`, UTC), as the backup planner does.

use std::collections::{BTreeMap, BTreeSet};

use super::{Point, RestoreError, RestoreRequest, Scope};
use crate::catalog::{BackupKind, BackupRecord, BackupState, History};
use crate::time::Timestamp;

/// One backup set (every chunk label of it).
#[derive(Clone, Debug)]
pub(super) struct SetInfo<'a> {
    pub name: &'a str,
    pub kind: BackupKind,
    pub parent: Option<&'a str>,
    /// Sorted by label.
    pub records: Vec<&'a BackupRecord>,
    /// Every chunk recorded and FINISHED.
    pub finished: bool,
    /// The latest `backup_time` of its labels, when every label has one.
    pub time_ms: Option<i64>,
    /// The earliest submission time of its labels.
    pub created: Option<Timestamp>,
}

/// The chain chosen for one database.
#[derive(Clone, Debug)]
pub(super) struct Chosen<'a> {
    pub database: String,
    pub group: String,
    /// Full first, tip last.
    pub sets: Vec<SetInfo<'a>>,
}

fn mentions(record: &BackupRecord, table: &str) -> bool {
    record.schemas.contains_key(table)
        || record.objects.contains_key(table)
        || record.manifest.iter().any(|e| e.table == table)
}

/// The sets of `group` in `database`, by name.
fn sets_of<'a>(
    history: &'a History,
    database: &str,
    group: &str,
) -> BTreeMap<&'a str, SetInfo<'a>> {
    let mut by_set: BTreeMap<&str, Vec<&BackupRecord>> = BTreeMap::new();
    for b in &history.backups {
        if b.database == database && b.group == group {
            by_set.entry(b.set_name()).or_default().push(b);
        }
    }
    by_set
        .into_iter()
        .filter_map(|(name, mut records)| {
            records.sort_by(|a, b| a.label.cmp(&b.label));
            records.dedup_by(|a, b| a.label == b.label);
            let first = records.first()?;
            let expected = records
                .iter()
                .filter_map(|r| r.chunk_count)
                .max()
                .unwrap_or(1);
            let finished = records.len() as u64 >= u64::from(expected)
                && records.iter().all(|r| r.state == BackupState::Finished);
            let time_ms = records
                .iter()
                .map(|r| r.backup_time_ms)
                .collect::<Option<Vec<i64>>>()
                .and_then(|v| v.into_iter().max());
            let created = records
                .iter()
                .filter_map(|r| Timestamp::parse_rfc3339(&r.created_at).ok())
                .min();
            Some((
                name,
                SetInfo {
                    name,
                    kind: first.kind,
                    parent: first.parent.as_deref(),
                    records,
                    finished,
                    time_ms,
                    created,
                },
            ))
        })
        .collect()
}

/// The group whose chain restores `database`.
fn group_of(
    history: &History,
    database: &str,
    scope: &Scope,
    point: &Point,
) -> Result<String, RestoreError> {
    if let Point::Label(label) = point {
        let record = history
            .backups
            .iter()
            .filter(|b| &b.label == label)
            .min_by(|a, b| (&a.database, &a.group).cmp(&(&b.database, &b.group)))
            .ok_or_else(|| RestoreError::UnknownLabel {
                label: label.clone(),
            })?;
        let group_differs = scope.group.as_ref().is_some_and(|g| *g != record.group);
        if record.database != database || group_differs {
            return Err(RestoreError::LabelOutsideTarget {
                label: label.clone(),
                label_database: record.database.clone(),
                label_group: record.group.clone(),
                target: database.to_string(),
            });
        }
        return Ok(record.group.clone());
    }
    if let Some(g) = &scope.group {
        return Ok(g.clone());
    }
    let groups: BTreeSet<&str> = history
        .backups
        .iter()
        .filter(|b| b.database == database)
        .filter(|b| scope.whole || scope.tables.iter().any(|t| mentions(b, t)))
        .map(|b| b.group.as_str())
        .collect();
    let mut it = groups.iter();
    match (it.next(), it.next()) {
        (Some(g), None) => Ok((*g).to_string()),
        (None, _) => {
            let target = match (scope.whole, scope.tables.iter().next()) {
                (false, Some(t)) => format!("{database}.{t}"),
                _ => database.to_string(),
            };
            Err(RestoreError::UnknownTarget {
                target,
                why: "no backup in starsnap's history holds it".to_string(),
            })
        }
        (Some(_), Some(_)) => Err(RestoreError::SeveralGroups {
            database: database.to_string(),
            groups: groups.iter().map(|g| (*g).to_string()).collect(),
        }),
    }
}

/// The tip set for the request's point.
fn tip<'s, 'a>(
    sets: &'s BTreeMap<&'a str, SetInfo<'a>>,
    history: &History,
    database: &str,
    point: &Point,
) -> Result<&'s SetInfo<'a>, RestoreError> {
    let finished = || sets.values().filter(|s| s.finished);
    match point {
        Point::Label(label) => {
            let set = sets
                .values()
                .find(|s| s.records.iter().any(|r| &r.label == label))
                .ok_or_else(|| RestoreError::UnknownLabel {
                    label: label.clone(),
                })?;
            if set.finished {
                Ok(set)
            } else {
                Err(RestoreError::LabelNotFinished {
                    label: label.clone(),
                    set: set.name.to_string(),
                })
            }
        }
        Point::Latest => finished()
            .max_by(|a, b| (a.created, a.time_ms, a.name).cmp(&(b.created, b.time_ms, b.name)))
            .ok_or_else(|| RestoreError::UnknownTarget {
                target: database.to_string(),
                why: no_finished(history, database),
            }),
        Point::At { epoch_ms } => {
            let placed = || finished().filter_map(|s| s.time_ms.map(|t| (t, s)));
            if let Some((_, set)) = placed()
                .filter(|(t, _)| t <= epoch_ms)
                .max_by(|a, b| (a.0, a.1.created, a.1.name).cmp(&(b.0, b.1.created, b.1.name)))
            {
                return Ok(set);
            }
            Err(RestoreError::NothingEarlyEnough {
                database: database.to_string(),
                at_ms: *epoch_ms,
                earliest: placed()
                    .min_by(|a, b| (a.0, a.1.name).cmp(&(b.0, b.1.name)))
                    .map(|(t, s)| (s.name.to_string(), t)),
                unplaced: finished()
                    .filter(|s| s.time_ms.is_none())
                    .map(|s| s.name.to_string())
                    .collect(),
            })
        }
    }
}

fn no_finished(history: &History, database: &str) -> String {
    let any = history.backups.iter().any(|b| b.database == database);
    if any {
        "no backup set of it finished".to_string()
    } else {
        "no backup in starsnap's history holds it".to_string()
    }
}

/// The chain restoring `database` to the request's point.
pub(super) fn choose<'a>(
    req: &RestoreRequest,
    history: &'a History,
    database: &str,
    scope: &Scope,
) -> Result<Chosen<'a>, RestoreError> {
    let group = group_of(history, database, scope, &req.point)?;
    let sets = sets_of(history, database, &group);
    let tip = tip(&sets, history, database, &req.point)?;
    let mut chain = vec![tip.clone()];
    while let Some(current) = chain.last() {
        if current.kind == BackupKind::Full {
            break;
        }
        let broken = |missing: Option<&str>| RestoreError::ChainBroken {
            database: database.to_string(),
            set: current.name.to_string(),
            missing_parent: missing.map(str::to_string),
        };
        let parent = current.parent.ok_or_else(|| broken(None))?;
        let next = sets
            .get(parent)
            .filter(|p| p.finished && !chain.iter().any(|c| c.name == p.name))
            .ok_or_else(|| broken(Some(parent)))?;
        chain.push(next.clone());
    }
    chain.reverse();
    Ok(Chosen {
        database: database.to_string(),
        group,
        sets: chain,
    })
}
