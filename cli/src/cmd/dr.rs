//! Disaster recovery: a repository as the source of the history. What `restore
//! --from-repository`, `drill` and `init --from-repository` share: reading the set manifests
//! apply wrote into a repository, and keeping only those StarRocks's own listing confirms.
//!
//! The listing is SHOW SNAPSHOT when the cluster has the repository. On a new cluster that
//! does not have it yet, the repository's own objects are listed (the `__info_<timestamp>`
//! files SHOW SNAPSHOT reads), and apply checks SHOW SNAPSHOT again before each RESTORE, once
//! the plan's first step created the repository read-only.

use std::collections::BTreeMap;

use starsnap_compiler::catalog::{History, ObservedCatalog};
use starsnap_compiler::policy::{Policy, RepositoryConfig};
use starsnap_runtime::repo::sets::{confirm, SetManifest, SkippedSet};
use starsnap_runtime::repo::Repository;

/// The sets a repository describes, confirmed.
pub struct RepositorySets {
    /// Confirmed sets, oldest first, their repository named as the policy (and this
    /// cluster) names it.
    pub sets: Vec<SetManifest>,
    /// Manifests not used, and why.
    pub skipped: Vec<SkippedSet>,
    /// How many manifests the repository holds.
    pub found: usize,
    /// The policy's repository, when the cluster does not have it (the plan creates it).
    pub create: Option<RepositoryConfig>,
    /// Whether the listing was SHOW SNAPSHOT (`false`: the repository's objects).
    pub listed_by_cluster: bool,
}

impl RepositorySets {
    /// The history these sets stand for.
    pub fn history(&self) -> History {
        starsnap_runtime::repo::sets::history(&self.sets)
    }

    /// One line per skipped manifest, for stderr.
    pub fn skipped_text(&self, name: &str) -> String {
        self.skipped
            .iter()
            .map(|s| {
                format!(
                    "starsnap: repository `{name}`: set `{}` is not usable: {}\n",
                    s.set, s.reason
                )
            })
            .collect()
    }
}

/// Opens repository `name` of the policy at the location the cluster knows it by (else the
/// policy's).
pub fn open(policy: &Policy, catalog: &ObservedCatalog, name: &str) -> Result<Repository, String> {
    let access = super::apply::repository_access(policy);
    let access = access.get(name).ok_or_else(|| {
        format!("the policy has no [repository.{name}]: its location and properties say where the backups are")
    })?;
    let location = catalog.repository(name).map(|r| r.location.clone());
    let env = |n: &str| std::env::var(n).ok();
    access.open(name, location.as_deref(), &env)
}

/// Reads and confirms repository `name`'s set manifests. `catalog` is the cluster as
/// observed (its repositories with their snapshots).
pub fn read(
    policy: &Policy,
    catalog: &ObservedCatalog,
    name: &str,
) -> Result<RepositorySets, String> {
    let repo = open(policy, catalog, name)?;
    let read: Vec<(String, Result<SetManifest, String>)> = repo
        .set_manifests()
        .map_err(|e| format!("reading repository `{name}`: {e}"))?
        .into_iter()
        .map(|(set, bytes)| (set, SetManifest::from_json(&bytes)))
        .collect();
    let found = read.len();
    let registered = catalog.repository(name);
    let listing: BTreeMap<String, Vec<String>> = match registered {
        Some(r) => r
            .snapshots
            .iter()
            .filter(|s| s.status.trim() == "OK" || s.status.is_empty())
            .map(|s| (s.label.clone(), s.timestamps.clone()))
            .collect(),
        None => {
            let mut out = BTreeMap::new();
            for (_, m) in &read {
                let Ok(m) = m else { continue };
                for l in &m.labels {
                    if out.contains_key(&l.label) {
                        continue;
                    }
                    let ts = repo.snapshot_timestamps(&l.label).map_err(|e| {
                        format!("listing snapshot {} in repository `{name}`: {e}", l.label)
                    })?;
                    out.insert(l.label.clone(), ts);
                }
            }
            out
        }
    };
    let (mut sets, skipped) = confirm(read, &listing);
    for s in &mut sets {
        // The repository as this cluster names it.
        s.repository = name.to_string();
    }
    let create = match registered {
        Some(_) => None,
        None => policy.repositories.iter().find(|r| r.name == name).cloned(),
    };
    Ok(RepositorySets {
        sets,
        skipped,
        found,
        create,
        listed_by_cluster: registered.is_some(),
    })
}
