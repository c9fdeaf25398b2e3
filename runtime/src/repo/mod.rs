//! Repository storage for the runtime: where a snapshot's objects live and the object-store
//! client that lists and deletes them (retention before 4.2, `verify`). The layout and the
//! client are `starsnap-repo`'s, shared with the simulator without a dependency between
//! the two; this module is the runtime's only way in.
//!
//! Keys: the caller hands in the access and secret key *values* (read from the environment
//! variables the policy names); `${…}` placeholders in the properties are never used as keys.

pub mod sets;

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

/// How starsnap reaches a repository's storage: the policy's location and properties
/// (literal values), and for the properties the policy takes from the environment, the
/// variable's *name* (read only when the store is opened).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepositoryAccess {
    pub location: String,
    pub properties: BTreeMap<String, String>,
    /// Property → environment variable name.
    pub env: BTreeMap<String, String>,
}

/// Access keys: properties whose value is a credential, not a setting.
const ACCESS_KEY: &str = "aws.s3.access_key";
const SECRET_KEY: &str = "aws.s3.secret_key";

impl RepositoryAccess {
    /// Why starsnap cannot reach `location` with these properties, or `None` when it can:
    /// local folders always; S3 when an endpoint, keys, an instance profile or the SDK's
    /// default chain is configured; GCS and Azure; nothing else (`hdfs://`, brokers).
    pub fn unreachable(&self, location: &str) -> Option<String> {
        let scheme = location
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase());
        let has = |k: &str| self.properties.contains_key(k) || self.env.contains_key(k);
        let on = |k: &str| {
            self.properties
                .get(k)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        match scheme.as_deref() {
            None | Some("file") => None,
            Some("s3" | "s3a" | "s3n") => {
                if has("aws.s3.endpoint")
                    || has(ACCESS_KEY)
                    || on("aws.s3.use_instance_profile")
                    || on("aws.s3.use_aws_sdk_default_behavior")
                {
                    None
                } else {
                    Some(format!(
                        "the repository at {location} names no endpoint, keys or instance profile starsnap could use"
                    ))
                }
            }
            Some("gs" | "az" | "azure" | "abfs" | "abfss" | "wasb" | "wasbs") => None,
            Some(other) => Some(format!(
                "starsnap cannot reach `{other}://` storage (the repository at {location})"
            )),
        }
    }

    /// Opens repository `name` at `location` (SHOW REPOSITORIES's, else the policy's), the
    /// environment-named properties read through `env`. A named variable that is unset is
    /// left out (the store then fails to authenticate and says so).
    pub fn open(
        &self,
        name: &str,
        location: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Repository, String> {
        let location = location.unwrap_or(&self.location);
        if let Some(why) = self.unreachable(location) {
            return Err(why);
        }
        let mut properties = self.properties.clone();
        let mut credentials = Credentials {
            access_key: properties.remove(ACCESS_KEY),
            secret_key: properties.remove(SECRET_KEY),
        };
        for (key, var) in &self.env {
            let Some(value) = env(var) else { continue };
            match key.as_str() {
                ACCESS_KEY => credentials.access_key = Some(value),
                SECRET_KEY => credentials.secret_key = Some(value),
                _ => {
                    properties.insert(key.clone(), value);
                }
            }
        }
        open(name, location, &properties, &credentials).map_err(|e| e.to_string())
    }
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
