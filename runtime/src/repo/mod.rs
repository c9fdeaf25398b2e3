//! Repository storage for the runtime: where a snapshot's objects live and the object-store
//! client that lists and deletes them (retention before 4.2, `verify`). The layout and the
//! client are `starsnap-repo`'s, shared with the simulator without a dependency between
//! the two; this module is the runtime's only way in.
//!
//! Keys: the caller hands in the access and secret key *values* (read from the environment
//! variables the policy names); `${…}` placeholders in the properties are never used as keys.

use std::collections::BTreeMap;

pub use starsnap_repo::layout;
pub use starsnap_repo::{
    DeleteReport, ObjectInfo, RepoError, Repository, RetryPolicy, Store, StoreOptions,
};

/// The credentials of a repository, by value. `Debug` prints neither.
#[derive(Clone, Default)]
pub struct Credentials {
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(***)")
    }
}

/// Opens repository `name` at `location` with its StarRocks properties (`aws.s3.endpoint`,
/// `aws.s3.region`, `aws.s3.enable_path_style_access`, …) and the caller's credentials.
/// `file://` locations and plain paths are local folders.
pub fn open(
    name: &str,
    location: &str,
    properties: &BTreeMap<String, String>,
    credentials: &Credentials,
) -> Result<Repository, RepoError> {
    let mut opts = StoreOptions::from_properties(properties);
    opts.access_key = credentials.access_key.clone();
    opts.secret_key = credentials.secret_key.clone();
    Repository::open(name, location, &opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_keys_and_local_paths_work() -> Result<(), RepoError> {
        let dir = std::env::temp_dir().join(format!("starsnap-rt-repo-{}", std::process::id()));
        let props = BTreeMap::from([(
            "aws.s3.secret_key".to_string(),
            "${AWS_SECRET_ACCESS_KEY}".to_string(),
        )]);
        let repo = open(
            "r",
            &dir.display().to_string(),
            &props,
            &Credentials::default(),
        )?;
        let dir_key = layout::snapshot_dir(repo.root(), "l1");
        repo.store().put(
            &format!("{dir_key}/{}", layout::info_name("ts", "m")),
            b"{}",
        )?;
        assert_eq!(repo.labels()?, vec!["l1"]);
        assert_eq!(repo.delete_snapshot("l1")?.deleted, 1);
        assert!(repo.labels()?.is_empty());
        assert_eq!(
            format!(
                "{:?}",
                Credentials {
                    access_key: Some("A".into()),
                    secret_key: Some("S".into())
                }
            ),
            "Credentials(***)"
        );
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
