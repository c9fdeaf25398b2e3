//! One StarRocks repository on its store: its snapshots' labels, a snapshot's objects with
//! their sizes, and deleting a snapshot's objects.

use crate::error::RepoError;
use crate::layout;
use crate::store::{ObjectInfo, Store, StoreOptions};

/// A repository (`<location>/__starrocks_repository_<name>`) on its store.
#[derive(Debug)]
pub struct Repository {
    store: Store,
    root: String,
}

/// What [`Repository::delete_snapshot`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteReport {
    /// Objects found under the snapshot's folder and deleted by this call.
    pub deleted: usize,
    pub bytes: u64,
}

impl Repository {
    /// Opens repository `name` at `location` (nothing is contacted yet).
    pub fn open(name: &str, location: &str, opts: &StoreOptions) -> Result<Repository, RepoError> {
        Ok(Repository::on(Store::open(location, opts)?, name))
    }

    /// Repository `name` on an open store. An adopted `__palo_repository_<name>` is used
    /// when it exists and holds a `__repo_info`.
    pub fn on(store: Store, name: &str) -> Repository {
        let palo = layout::repo_root(name, true);
        let is_palo = store
            .get(&format!("{palo}/{}", layout::REPO_INFO))
            .ok()
            .flatten()
            .is_some();
        Repository {
            root: if is_palo {
                palo
            } else {
                layout::repo_root(name, false)
            },
            store,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// `__starrocks_repository_<name>`, relative to the location.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// `<location>/__starrocks_repository_<name>` as StarRocks names it.
    pub fn remote(&self) -> String {
        self.store.remote(&self.root)
    }

    /// The labels of every `__ss_<label>` folder, sorted.
    pub fn labels(&self) -> Result<Vec<String>, RepoError> {
        let (dirs, _) = self.store.list_dir(&self.root)?;
        let mut out: Vec<String> = dirs
            .iter()
            .filter_map(|d| layout::label_of_dir(d))
            .collect();
        out.sort();
        Ok(out)
    }

    /// Every object of a snapshot (its `__ss_<label>` folder) with its size, keys relative to
    /// the location, in key order.
    pub fn snapshot_objects(&self, label: &str) -> Result<Vec<ObjectInfo>, RepoError> {
        self.store.list(&layout::snapshot_dir(&self.root, label))
    }

    /// Timestamps of the snapshot's `__info_<ts>.<md5>` files, sorted.
    pub fn snapshot_timestamps(&self, label: &str) -> Result<Vec<String>, RepoError> {
        let (_, files) = self
            .store
            .list_dir(&layout::snapshot_dir(&self.root, label))?;
        let mut out: Vec<String> = files
            .iter()
            .filter_map(|f| f.key.rsplit('/').next())
            .filter_map(layout::info_timestamp)
            .map(str::to_string)
            .collect();
        out.sort();
        Ok(out)
    }

    /// Writes (or replaces) the manifest of set `set`: `__starsnap/sets/<set>.json`.
    pub fn put_set_manifest(&self, set: &str, bytes: &[u8]) -> Result<(), RepoError> {
        self.store
            .put(&layout::set_manifest(&self.root, set), bytes)
    }

    /// Deletes the manifest of set `set` (one that is already gone counts as deleted).
    pub fn delete_set_manifest(&self, set: &str) -> Result<(), RepoError> {
        self.store
            .delete(&[layout::set_manifest(&self.root, set)])
            .map(|_| ())
    }

    /// The manifest of set `set`, `None` when the repository holds none.
    pub fn set_manifest(&self, set: &str) -> Result<Option<Vec<u8>>, RepoError> {
        self.store.get(&layout::set_manifest(&self.root, set))
    }

    /// Every set manifest the repository holds, as (set, bytes), sorted by set.
    pub fn set_manifests(&self) -> Result<Vec<(String, Vec<u8>)>, RepoError> {
        let (_, files) = self.store.list_dir(&layout::sets_dir(&self.root))?;
        let mut out = Vec::new();
        for f in files {
            let Some(set) = f.key.rsplit('/').next().and_then(layout::set_of_file) else {
                continue;
            };
            if let Some(bytes) = self.store.get(&f.key)? {
                out.push((set, bytes));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Deletes every object of the snapshot: the `__info_` files first (from then on the
    /// snapshot is no longer a restore target and SHOW SNAPSHOT stops listing it), then the
    /// rest in batches. Idempotent: a deletion interrupted halfway is finished by the next
    /// call; a snapshot already gone deletes nothing.
    pub fn delete_snapshot(&self, label: &str) -> Result<DeleteReport, RepoError> {
        let objects = self.snapshot_objects(label)?;
        let dir = layout::snapshot_dir(&self.root, label);
        let is_info = |o: &ObjectInfo| {
            o.key
                .strip_prefix(&dir)
                .map(|r| r.trim_start_matches('/'))
                .is_some_and(|name| name.starts_with(layout::INFO_PREFIX))
        };
        let (infos, rest): (Vec<&ObjectInfo>, Vec<&ObjectInfo>) =
            objects.iter().partition(|o| is_info(o));
        let mut report = DeleteReport::default();
        for group in [infos, rest] {
            for batch in group.chunks(1000) {
                let keys: Vec<String> = batch.iter().map(|o| o.key.clone()).collect();
                report.deleted += self.store.delete(&keys)?;
                report.bytes += batch.iter().map(|o| o.size).sum::<u64>();
            }
        }
        Ok(report)
    }
}
