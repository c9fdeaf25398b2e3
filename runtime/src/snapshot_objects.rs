//! Where apply and verify meet the repository's objects, through the repository client
//! ([`crate::repo`]: `object_store` for S3 and S3-compatible servers, GCS, Azure and local
//! folders; listing paginated, deletion batched, retried on throttling).
//!
//! A repository is opened from the policy's description of it ([`RepositoryAccess`]: the
//! location, the literal properties such as `aws.s3.endpoint`, and the *names* of the
//! environment variables holding the credentials, read only here). Where starsnap cannot
//! reach the storage (HDFS, brokers, an `s3://` location with no endpoint, keys or instance
//! profile, a repository the policy does not describe) every operation answers
//! [`ObjectsError::Unreachable`] with the exact folders an operator must handle by hand.

use crate::repo::{layout, DeleteReport, Repository, RepositoryAccess};

/// The folder of snapshot `label` in a repository at `location` (StarRocks's layout:
/// `<location>/__starrocks_repository_<repository>/__ss_<label>/`).
pub fn snapshot_path(location: &str, repository: &str, label: &str) -> String {
    format!(
        "{}/{}/",
        location.trim_end_matches('/'),
        layout::snapshot_dir(&layout::repo_root(repository, false), label)
    )
}

/// Why objects could not be deleted or listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectsError {
    /// starsnap cannot reach this repository's storage: the paths to handle by hand.
    Unreachable { paths: Vec<String>, why: String },
    /// The store answered with an error (after its retries).
    Store { message: String },
}

impl std::fmt::Display for ObjectsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ObjectsError::Unreachable { paths, why } => {
                write!(
                    f,
                    "{why}; delete these folders in the repository by hand, then apply again:"
                )?;
                for p in paths {
                    write!(f, "\n  {p}")?;
                }
                Ok(())
            }
            ObjectsError::Store { message } => f.write_str(message),
        }
    }
}

/// One object of a snapshot, as the store lists it: its key relative to the snapshot's
/// folder (`__info_<ts>.<md5>`, `__ss_content/…`) and its size.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SnapshotObject {
    pub path: String,
    pub size: u64,
}

/// One repository's storage, opened.
#[derive(Debug)]
pub struct SnapshotStore {
    repo: Repository,
    name: String,
    location: String,
}

impl SnapshotStore {
    /// Opens repository `name` at `location` (SHOW REPOSITORIES's; the policy's when `None`)
    /// as the policy describes it, credentials read through `env`. `labels` only name the
    /// folders in an [`ObjectsError::Unreachable`].
    pub fn open(
        name: &str,
        location: Option<&str>,
        access: Option<&RepositoryAccess>,
        env: &dyn Fn(&str) -> Option<String>,
        labels: &[&str],
    ) -> Result<SnapshotStore, ObjectsError> {
        let unreachable = |location: &str, why: String| ObjectsError::Unreachable {
            paths: labels
                .iter()
                .map(|l| snapshot_path(location, name, l))
                .collect(),
            why,
        };
        let Some(access) = access else {
            let location = location.unwrap_or("<location>");
            return Err(unreachable(
                location,
                format!(
                    "the policy does not describe repository `{name}` ({location}), so starsnap cannot reach its storage"
                ),
            ));
        };
        let location = location.unwrap_or(&access.location).to_string();
        if let Some(why) = access.unreachable(&location) {
            return Err(unreachable(&location, why));
        }
        let repo = access
            .open(name, Some(&location), env)
            .map_err(|message| ObjectsError::Store { message })?;
        Ok(SnapshotStore {
            repo,
            name: name.to_string(),
            location,
        })
    }

    /// The repository client (layout-aware reads: info files, manifests).
    pub fn repository(&self) -> &Repository {
        &self.repo
    }

    /// `<location>/__starrocks_repository_<name>/__ss_<label>/`.
    pub fn path(&self, label: &str) -> String {
        format!("{}/", self.repo.store().remote(&self.dir(label)))
    }

    fn dir(&self, label: &str) -> String {
        layout::snapshot_dir(self.repo.root(), label)
    }

    fn store_error(&self, what: &str, e: impl std::fmt::Display) -> ObjectsError {
        ObjectsError::Store {
            message: format!(
                "{what} in repository `{}` ({}): {e}",
                self.name, self.location
            ),
        }
    }

    /// Deletes every object under the folder of `label`: the `__info_` files first (from
    /// then on StarRocks no longer lists the snapshot), then the rest in batches. Idempotent:
    /// it lists again each time, so a deletion interrupted halfway is finished by the next
    /// call and a folder already gone deletes nothing.
    pub fn delete_snapshot(&self, label: &str) -> Result<DeleteReport, ObjectsError> {
        self.repo
            .delete_snapshot(label)
            .map_err(|e| self.store_error(&format!("deleting {}", self.path(label)), e))
    }

    /// The objects of snapshot `label` with their sizes (paths relative to its folder), in
    /// key order; empty when the folder is gone.
    pub fn list_snapshot(&self, label: &str) -> Result<Vec<SnapshotObject>, ObjectsError> {
        let dir = self.dir(label);
        let objects = self
            .repo
            .snapshot_objects(label)
            .map_err(|e| self.store_error(&format!("listing {}", self.path(label)), e))?;
        Ok(objects
            .into_iter()
            .map(|o| SnapshotObject {
                path: o
                    .key
                    .strip_prefix(&dir)
                    .map(|r| r.trim_start_matches('/').to_string())
                    .unwrap_or(o.key),
                size: o.size,
            })
            .collect())
    }

    /// The bytes of `path` (relative to the folder of `label`), `None` when it is gone.
    pub fn read(&self, label: &str, path: &str) -> Result<Option<Vec<u8>>, ObjectsError> {
        let key = format!("{}/{path}", self.dir(label));
        self.repo
            .store()
            .get(&key)
            .map_err(|e| self.store_error(&format!("reading {}{path}", self.path(label)), e))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn unreachable_repositories_name_the_exact_folders() {
        assert_eq!(
            snapshot_path("s3://b/root/", "r", "l1"),
            "s3://b/root/__starrocks_repository_r/__ss_l1/"
        );
        let access = RepositoryAccess {
            location: "hdfs://nn/x".into(),
            ..RepositoryAccess::default()
        };
        let e = SnapshotStore::open("r", None, Some(&access), &no_env, &["a", "b"])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("hdfs://nn/x/__starrocks_repository_r/__ss_a/\n"),
            "{e}"
        );
        assert!(
            e.ends_with("hdfs://nn/x/__starrocks_repository_r/__ss_b/"),
            "{e}"
        );
        let e = SnapshotStore::open("r", Some("s3://b/p"), None, &no_env, &["a"])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("does not describe repository `r`"), "{e}");
        assert!(
            e.contains("s3://b/p/__starrocks_repository_r/__ss_a/"),
            "{e}"
        );
    }

    #[test]
    fn local_folders_are_listed_read_and_deleted() -> Result<(), ObjectsError> {
        let dir = std::env::temp_dir().join(format!("starsnap-objects-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let access = RepositoryAccess {
            location: dir.display().to_string(),
            properties: BTreeMap::new(),
            env: BTreeMap::new(),
        };
        let s = SnapshotStore::open("r", None, Some(&access), &no_env, &[])?;
        let folder = dir.join("__starrocks_repository_r").join("__ss_l1");
        std::fs::create_dir_all(folder.join("__ss_content")).map_err(|e| ObjectsError::Store {
            message: e.to_string(),
        })?;
        for (name, bytes) in [
            ("__info_ts.abc", &b"{}"[..]),
            ("__ss_content/data", &b"12345"[..]),
        ] {
            std::fs::write(folder.join(name), bytes).map_err(|e| ObjectsError::Store {
                message: e.to_string(),
            })?;
        }
        assert_eq!(
            s.list_snapshot("l1")?,
            vec![
                SnapshotObject {
                    path: "__info_ts.abc".into(),
                    size: 2
                },
                SnapshotObject {
                    path: "__ss_content/data".into(),
                    size: 5
                }
            ]
        );
        assert_eq!(s.read("l1", "__ss_content/data")?, Some(b"12345".to_vec()));
        assert_eq!(s.delete_snapshot("l1")?.deleted, 2);
        assert!(s.list_snapshot("l1")?.is_empty());
        assert_eq!(s.delete_snapshot("l1")?.deleted, 0, "idempotent");
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
