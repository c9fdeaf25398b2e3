//! Is a plan stale? Apply re-observes the cluster (as an `ObservedCatalog`) and asks
//! [`staleness`] what moved since the plan was made (invariant 3; terraform's "Saved plan is
//! stale"). `now.history` must hold starsnap's history when the plan has `chain_tips` or
//! `expire` steps.
//! Pure: the runtime observes, this module compares — so the meaning of every field
//! of `observed` stays in the one module that defines it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::{Op, Plan};
use crate::catalog::ObservedCatalog;

/// One thing that moved between plan and apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Moved {
    ClusterVersion {
        planned: String,
        now: String,
    },
    TableGone {
        database: String,
        table: String,
    },
    SchemaChanged {
        database: String,
        table: String,
    },
    /// A partition was added, dropped, replaced or loaded (the table's digest differs).
    PartitionsChanged {
        database: String,
        table: String,
        detail: String,
    },
    RepositoryAppeared {
        name: String,
    },
    RepositoryGone {
        name: String,
    },
    RepositoryChanged {
        name: String,
    },
    LabelExists {
        repository: String,
        label: String,
    },
    /// A set finished on the chain the plan extends since it was made (another apply):
    /// applying would fork the chain.
    ChainMoved {
        group: String,
        database: String,
        planned: Option<String>,
        now: Option<String>,
    },
    /// A database or table appeared under a name the restore creates.
    ObjectAppeared {
        database: String,
        table: String,
    },
    /// An external catalog a catalog backup names is gone (dropped since the plan).
    ExternalCatalogGone {
        name: String,
    },
    /// An external catalog the restore creates exists now: StarRocks would fail the job.
    ExternalCatalogAppeared {
        name: String,
    },
    /// A snapshot a restore reads is no longer in its repository.
    SnapshotGone {
        repository: String,
        label: String,
    },
    /// A snapshot an expire step drops or deletes is already gone (deleted by hand, or by
    /// StarRocks's own ttl): the history would call it expired when it was lost. (The
    /// runtime drops this for a step an earlier run of the plan began.)
    ExpiringSnapshotGone {
        step: String,
        repository: String,
        label: String,
    },
    /// A set the plan expires is now the parent of a set made since: expiring it would
    /// break that set's chain.
    ExpiringSetNeeded {
        step: String,
        set: String,
        by: String,
    },
    /// A set the plan keeps where it expires others (the chains that let the older sets go)
    /// is gone or broken since: expiring could leave fewer complete chains than the rules
    /// promise.
    KeptSetGone {
        repository: String,
        set: String,
        why: String,
    },
}

impl fmt::Display for Moved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moved::ClusterVersion { planned, now } => {
                write!(f, "the cluster version changed from {planned} to {now}")
            }
            Moved::TableGone { database, table } => write!(f, "table {database}.{table} is gone"),
            Moved::SchemaChanged { database, table } => {
                write!(f, "the schema of {database}.{table} changed")
            }
            Moved::PartitionsChanged {
                database,
                table,
                detail,
            } => {
                write!(f, "partitions of {database}.{table} changed: {detail}")
            }
            Moved::RepositoryAppeared { name } => {
                write!(f, "repository {name} was created by someone else")
            }
            Moved::RepositoryGone { name } => write!(f, "repository {name} is gone"),
            Moved::RepositoryChanged { name } => {
                write!(
                    f,
                    "repository {name} has another location or read-only flag"
                )
            }
            Moved::ChainMoved {
                group,
                database,
                planned,
                now,
            } => write!(
                f,
                "the chain of group {group} in {database} moved: its newest set was {}, now it is {} (another apply ran since the plan was made)",
                planned.as_deref().unwrap_or("none"),
                now.as_deref().unwrap_or("none")
            ),
            Moved::ObjectAppeared { database, table } if table.is_empty() => write!(
                f,
                "database {database}, which the restore creates as a scratch database, exists now"
            ),
            Moved::ObjectAppeared { database, table } => write!(
                f,
                "table {database}.{table}, which the restore creates, exists now"
            ),
            Moved::ExternalCatalogGone { name } => write!(
                f,
                "external catalog {name}, which the plan backs up, is gone from the cluster"
            ),
            Moved::ExternalCatalogAppeared { name } => write!(
                f,
                "external catalog {name}, which the restore creates, exists now (StarRocks does not replace a catalog on RESTORE)"
            ),
            Moved::SnapshotGone { repository, label } => {
                write!(
                    f,
                    "snapshot {label}, which the restore reads, is no longer in repository {repository}"
                )
            }
            Moved::ExpiringSnapshotGone {
                step,
                repository,
                label,
            } => write!(
                f,
                "snapshot {label}, which step {step} expires, is already gone from repository {repository} (run `starsnap verify`)"
            ),
            Moved::ExpiringSetNeeded { step, set, by } => write!(
                f,
                "set {set}, which step {step} expires, is now the parent of {by}"
            ),
            Moved::KeptSetGone {
                repository,
                set,
                why,
            } => write!(
                f,
                "set {set} in repository {repository}, which the plan keeps while expiring older ones, {why}"
            ),
            Moved::LabelExists { repository, label } => {
                write!(
                    f,
                    "snapshot {label} already exists in repository {repository}"
                )
            }
        }
    }
}

/// What of the cluster a plan depends on, so that apply re-observes only that (issue 14):
/// per database, the tables its steps name (`None`: the whole database — a step on the
/// database that names no table, a restore's steps, a name a restore must find free), and the
/// repositories whose snapshots it names or must not find.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dependencies {
    pub databases: BTreeMap<String, Option<BTreeSet<String>>>,
    pub repositories: BTreeSet<String>,
}

impl Dependencies {
    fn whole(&mut self, database: &str) {
        self.databases.insert(database.to_string(), None);
    }

    fn table(&mut self, database: &str, table: &str) {
        if let Some(tables) = self
            .databases
            .entry(database.to_string())
            .or_insert_with(|| Some(BTreeSet::new()))
        {
            tables.insert(table.to_string());
        }
    }

    /// Whether `database`.`table` is something the plan depends on.
    pub fn covers(&self, database: &str, table: &str) -> bool {
        match self.databases.get(database) {
            Some(None) => true,
            Some(Some(tables)) => tables.contains(table),
            None => false,
        }
    }
}

/// What `plan` depends on: the tables and partitions its steps name, the names a restore
/// must find free, the repositories and labels — not the rest of the cluster. A table a
/// backup does not name may change without making the plan stale: the backup is still what
/// the plan says, and the next plan sees the change.
pub fn dependencies(plan: &Plan) -> Dependencies {
    let mut d = Dependencies::default();
    for s in &plan.steps {
        if let Some(r) = s.repository() {
            d.repositories.insert(r.to_string());
        }
        let Some(db) = s.database() else { continue };
        match &s.op {
            Op::Expire(_) => {}
            Op::Backup(_) | Op::Sql(_) if !s.objects().is_empty() => {
                for o in s.objects() {
                    d.table(db, &o.name);
                }
            }
            _ => d.whole(db),
        }
    }
    let o = &plan.observed;
    for a in &o.absent_objects {
        if a.table.is_empty() {
            d.whole(&a.database);
        } else {
            d.table(&a.database, &a.table);
        }
    }
    d.repositories
        .extend(o.repositories.iter().map(|r| r.name.clone()));
    d.repositories.extend(
        o.absent_labels
            .iter()
            .chain(&o.snapshots)
            .map(|l| l.repository.clone()),
    );
    d
}

/// Everything that differs between what `plan` observed and `now`, among what the plan
/// depends on ([`dependencies`]); empty = not stale.
/// Partition-level detail names the first partitions whose id or version moved.
pub fn staleness(plan: &Plan, now: &ObservedCatalog) -> Vec<Moved> {
    let mut out = Vec::new();
    // A plan with no steps changes nothing, so nothing can make it stale.
    if plan.steps.is_empty() {
        return out;
    }
    let o = &plan.observed;
    let deps = dependencies(plan);
    if o.cluster_version != now.cluster.version {
        out.push(Moved::ClusterVersion {
            planned: o.cluster_version.clone(),
            now: now.cluster.version.clone(),
        });
    }
    for t in o
        .tables
        .iter()
        .filter(|t| deps.covers(&t.database, &t.table))
    {
        let (database, table) = (t.database.clone(), t.table.clone());
        let Some(cur) = now.database(&t.database).and_then(|d| d.table(&t.table)) else {
            out.push(Moved::TableGone { database, table });
            continue;
        };
        if cur.schema_fingerprint != t.schema_fingerprint {
            out.push(Moved::SchemaChanged {
                database: database.clone(),
                table: table.clone(),
            });
        }
        if cur.partitions_digest() != t.partitions_digest {
            let moved: Vec<String> = o
                .partitions
                .iter()
                .filter(|p| p.database == t.database && p.table == t.table)
                .filter(|p| {
                    !cur.partitions.iter().any(|c| {
                        c.name == p.partition
                            && c.id == p.partition_id
                            && c.visible_version == p.visible_version
                    })
                })
                .take(5)
                .map(|p| p.partition.clone())
                .collect();
            let detail = if moved.is_empty() {
                format!(
                    "{} partitions planned, {} now, or a version moved",
                    t.partition_count,
                    cur.partition_count()
                )
            } else {
                format!("{} moved", moved.join(", "))
            };
            out.push(Moved::PartitionsChanged {
                database,
                table,
                detail,
            });
        }
    }
    // Partitions of tables no group covers (hand-written BACKUPs): each one by itself.
    for p in &o.partitions {
        if o.tables
            .iter()
            .any(|t| t.database == p.database && t.table == p.table)
        {
            continue;
        }
        let same = now
            .database(&p.database)
            .and_then(|d| d.table(&p.table))
            .is_some_and(|t| {
                t.partitions.iter().any(|c| {
                    c.name == p.partition
                        && c.id == p.partition_id
                        && c.visible_version == p.visible_version
                })
            });
        if !same {
            out.push(Moved::PartitionsChanged {
                database: p.database.clone(),
                table: p.table.clone(),
                detail: format!("{} moved", p.partition),
            });
        }
    }
    for r in &o.repositories {
        match (r.exists, now.repository(&r.name)) {
            (false, Some(_)) => out.push(Moved::RepositoryAppeared {
                name: r.name.clone(),
            }),
            (true, None) => out.push(Moved::RepositoryGone {
                name: r.name.clone(),
            }),
            (true, Some(cur)) => {
                if r.location.as_deref() != Some(cur.location.as_str())
                    || r.read_only != Some(cur.read_only)
                {
                    out.push(Moved::RepositoryChanged {
                        name: r.name.clone(),
                    });
                }
            }
            (false, None) => {}
        }
    }
    // Sets this plan itself makes (an interrupted earlier run of it) do not count.
    let own: std::collections::BTreeSet<&str> = plan
        .steps
        .iter()
        .filter_map(|s| s.backup())
        .map(|b| b.set.as_str())
        .collect();
    let without_own: Vec<crate::catalog::BackupRecord>;
    let history: &[crate::catalog::BackupRecord] = if now
        .history
        .backups
        .iter()
        .any(|b| own.contains(b.set_name()))
    {
        without_own = now
            .history
            .backups
            .iter()
            .filter(|b| !own.contains(b.set_name()))
            .cloned()
            .collect();
        &without_own
    } else {
        &now.history.backups
    };
    for c in &o.chain_tips {
        let chain = crate::planner::current_chain(history, &c.group, &c.database, &c.repository);
        let tip = chain
            .as_ref()
            .and_then(|ch| ch.tip())
            .map(|s| s.name.clone());
        if tip != c.tip {
            out.push(Moved::ChainMoved {
                group: c.group.clone(),
                database: c.database.clone(),
                planned: c.tip.clone(),
                now: tip,
            });
        }
    }
    for a in &o.absent_objects {
        let exists = match now.database(&a.database) {
            None => false,
            Some(_) if a.table.is_empty() => true,
            Some(d) => d.table(&a.table).is_some(),
        };
        if exists {
            out.push(Moved::ObjectAppeared {
                database: a.database.clone(),
                table: a.table.clone(),
            });
        }
    }
    for c in &o.external_catalogs {
        let now_exists = now.external_catalogs.iter().any(|n| n == &c.name);
        match (c.exists, now_exists) {
            (true, false) => out.push(Moved::ExternalCatalogGone {
                name: c.name.clone(),
            }),
            (false, true) => out.push(Moved::ExternalCatalogAppeared {
                name: c.name.clone(),
            }),
            _ => {}
        }
    }
    for l in &o.snapshots {
        // A repository the plan itself creates cannot be listed before it exists: apply
        // checks each snapshot against SHOW SNAPSHOT before the RESTORE that reads it.
        let created_later = now.repository(&l.repository).is_none()
            && o.repositories
                .iter()
                .any(|r| r.name == l.repository && !r.exists)
            && plan.steps.iter().any(
                |s| matches!(&s.op, super::Op::CreateRepository(c) if c.repository == l.repository),
            );
        if created_later {
            continue;
        }
        let present = now
            .repository(&l.repository)
            .is_some_and(|r| r.snapshots.iter().any(|s| s.label == l.label));
        if !present {
            out.push(Moved::SnapshotGone {
                repository: l.repository.clone(),
                label: l.label.clone(),
            });
        }
    }
    expiries(plan, now, &mut out);
    for l in &o.absent_labels {
        let exists = now
            .repository(&l.repository)
            .is_some_and(|r| r.snapshots.iter().any(|s| s.label == l.label));
        if exists {
            out.push(Moved::LabelExists {
                repository: l.repository.clone(),
                label: l.label.clone(),
            });
        }
    }
    out
}

/// What makes an `expire` step unsafe now: its snapshot already gone, its set now needed by
/// a newer set, or a set kept beside it (the chains that justify it) gone or broken.
fn expiries(plan: &Plan, now: &ObservedCatalog, out: &mut Vec<Moved>) {
    use crate::catalog::BackupState;
    use std::collections::BTreeSet;
    let listed = |repository: &str, label: &str| {
        now.repository(repository)
            .map(|r| r.snapshots.iter().any(|s| s.label == label))
    };
    let expiring: BTreeSet<&str> = plan
        .steps
        .iter()
        .filter_map(|s| s.expire())
        .map(|e| e.set.as_str())
        .collect();
    let mut scopes: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
    for step in &plan.steps {
        let Some(e) = step.expire() else { continue };
        scopes.insert((&e.group, &e.database, &e.repository));
        for l in &e.labels {
            if listed(&e.repository, &l.label) == Some(false) {
                out.push(Moved::ExpiringSnapshotGone {
                    step: step.id.clone(),
                    repository: e.repository.clone(),
                    label: l.label.clone(),
                });
            }
        }
        if let Some(b) = now.history.backups.iter().find(|b| {
            b.parent.as_deref() == Some(e.set.as_str())
                && b.repository == e.repository
                && !expiring.contains(b.set_name())
                && !matches!(b.state, BackupState::Failed | BackupState::Expired)
        }) {
            out.push(Moved::ExpiringSetNeeded {
                step: step.id.clone(),
                set: e.set.clone(),
                by: b.set_name().to_string(),
            });
        }
    }
    let own: BTreeSet<&str> = plan
        .steps
        .iter()
        .filter_map(|s| s.backup())
        .map(|b| b.set.as_str())
        .collect();
    for r in &plan.retention {
        if !scopes.contains(&(r.group.as_str(), r.database.as_str(), r.repository.as_str())) {
            continue;
        }
        for k in r.kept.iter().filter(|k| !own.contains(k.set.as_str())) {
            let records: Vec<&crate::catalog::BackupRecord> = now
                .history
                .backups
                .iter()
                .filter(|b| b.set_name() == k.set && b.repository == r.repository)
                .collect();
            let why = if let Some(b) = records
                .iter()
                .find(|b| matches!(b.state, BackupState::Broken | BackupState::Expired))
            {
                let state = if b.state == BackupState::Broken {
                    "broken"
                } else {
                    "expired"
                };
                Some(format!("is now marked {state} in the history"))
            } else {
                records
                    .iter()
                    .find(|b| listed(&r.repository, &b.label) == Some(false))
                    .map(|b| format!("lost its snapshot {}", b.label))
            };
            if let Some(why) = why {
                out.push(Moved::KeptSetGone {
                    repository: r.repository.clone(),
                    set: k.set.clone(),
                    why,
                });
            }
        }
    }
}
