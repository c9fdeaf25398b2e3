//! starsnap's runtime: the only crate that talks to a StarRocks cluster (ARCHITECTURE.md,
//! invariant 4). It connects with the `mysql` crate over TCP, reads every result set by column
//! name (invariant 5), and turns what the cluster says into the compiler's types.

pub mod apply;
pub mod conn;
pub mod counts;
pub mod error;
pub mod inspect;
pub mod log;
pub mod repo;
pub mod restore;
pub mod row;
pub mod snapshot_objects;
pub mod state;
pub mod version;

pub use conn::{Cluster, ConnectOptions, Tls};
pub use error::{LockHolder, RuntimeError};
pub use row::{NamedRow, ResultSet};
pub use state::{StateBackend, StateConfig, StateStore};
pub use version::StarRocksVersion;
