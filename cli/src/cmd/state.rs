//! Opening the state store the policy names, and reading starsnap's history from it.

use starsnap_compiler::catalog::History;
use starsnap_compiler::policy::Policy;
use starsnap_runtime::{Cluster, RuntimeError};

/// starsnap's history. A state database that does not exist yet means no history (the first
/// run); anything else that fails is an error, never an empty history.
pub fn read_history(policy: &Policy, cluster: &mut Cluster) -> Result<History, RuntimeError> {
    if policy.state.url.is_none() {
        let dbs = cluster.query("SHOW DATABASES")?;
        let mut exists = false;
        for row in dbs.iter() {
            exists |= row.text("Database")? == policy.state.database;
        }
        if !exists {
            return Ok(History::default());
        }
    }
    Err(RuntimeError::Version(String::from(
        "state store reading is not wired yet",
    )))
}
