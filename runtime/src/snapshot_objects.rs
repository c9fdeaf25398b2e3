//! Where apply and verify meet the repository's objects. The object-store client exists
//! (`starsnap-repo`, `runtime::repo`), but apply does not yet carry a repository's endpoint and
//! credentials, so today every repository counts as one starsnap cannot reach:
//! * [`delete_snapshot`] refuses with the exact paths an operator must delete — the documented
//!   behaviour for repositories starsnap cannot reach (HDFS, brokers, …); on StarRocks 4.2+
//!   expiry uses DROP SNAPSHOT and never comes here;
//! * [`list_snapshot`] reports that the objects cannot be listed, and `verify` checks what
//!   SHOW SNAPSHOT says.
//!
//! Their callers (`apply::expire`, `cli verify`) handle both outcomes, so wiring the client in
//! (issue 11 item 4) changes only these bodies.

/// The folder of snapshot `label` in a repository at `location` (StarRocks's layout:
/// `<location>/__starrocks_repository_<repository>/__ss_<label>/`).
pub fn snapshot_path(location: &str, repository: &str, label: &str) -> String {
    format!(
        "{}/__starrocks_repository_{repository}/__ss_{label}/",
        location.trim_end_matches('/')
    )
}

/// Why objects could not be deleted or listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectsError {
    /// starsnap cannot reach this repository's storage: the paths to handle by hand.
    Unreachable { paths: Vec<String>, why: String },
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
        }
    }
}

/// One object of a snapshot, as the store lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotObject {
    pub path: String,
    pub size: u64,
}

/// Deletes every object under the folders of `labels` (idempotent: a folder already gone
/// counts as deleted). Every repository is unreachable from here for now (module docs).
pub fn delete_snapshot(
    location: &str,
    repository: &str,
    labels: &[&str],
) -> Result<(), ObjectsError> {
    Err(ObjectsError::Unreachable {
        paths: labels
            .iter()
            .map(|l| snapshot_path(location, repository, l))
            .collect(),
        why: format!(
            "StarRocks before 4.2 cannot drop a snapshot, and starsnap cannot reach the storage of repository `{repository}` ({location}) itself"
        ),
    })
}

/// The objects of snapshot `label` with their sizes, or `None` when starsnap cannot reach
/// the repository's storage (for now always: module docs).
pub fn list_snapshot(
    _location: &str,
    _repository: &str,
    _label: &str,
) -> Option<Vec<SnapshotObject>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_starrocks_layout() {
        assert_eq!(
            snapshot_path("s3://b/root/", "r", "l1"),
            "s3://b/root/__starrocks_repository_r/__ss_l1/"
        );
        let e = delete_snapshot("hdfs://nn/x", "r", &["a", "b"])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("hdfs://nn/x/__starrocks_repository_r/__ss_a/"),
            "{e}"
        );
        assert!(
            e.contains("hdfs://nn/x/__starrocks_repository_r/__ss_b/"),
            "{e}"
        );
    }
}
