//! StarRocks repository storage, shared by starsnap's runtime (which deletes and verifies
//! snapshots) and its simulator (which writes and reads them like StarRocks does).
//!
//! - [`layout`]: the one description of where a snapshot's objects live (spec §3.3,
//!   `backup/Repository.java`): `<location>/__starrocks_repository_<repo>/__ss_<label>/…`.
//! - [`store`]: a blocking client over the `object_store` crate: S3 and S3-compatible
//!   endpoints, GCS, Azure, and local folders (`file://` or a plain path). `object_store` is
//!   async; each [`Store`] owns a small current-thread tokio runtime and blocks on it, so no
//!   caller ever sees a future.
//! - [`Repository`]: one repository's snapshots: labels, a snapshot's objects with sizes,
//!   deletion (batched, retried, idempotent).
//!
//! Secrets (access and secret keys) are handed in by the caller, kept only inside the
//! client and never written into an error, a `Debug` output or a file.

pub mod error;
pub mod layout;
pub mod repository;
pub mod retry;
pub mod store;
#[cfg(any(test, feature = "test-server"))]
pub mod test_server;
#[cfg(test)]
mod tests_s3;

pub use error::RepoError;
pub use repository::{DeleteReport, Repository};
pub use retry::RetryPolicy;
pub use store::{ObjectInfo, Store, StoreOptions};
