//! The state store: starsnap's own history (backups, their partition manifests, the event
//! journal) and its locks, kept in a database (DESIGN.md "State").
//!
//! The state lives in the StarRocks cluster by default (database `starsnap`), or in a
//! separate MySQL-compatible server (MariaDB) so that history survives the loss of the
//! cluster. One [`StateStore`] serves both; only three things differ per [`StateBackend`]:
//! the DDL (`schema`), the upsert verb (`sql::upsert`), and the atomic primitive under
//! the lock (`lock`): a load label on StarRocks, a primary-key conflict on MariaDB.
//!
//! * `migrate` — versioned schema ([`StateStore::init`], [`StateStore::ensure_current`]);
//! * `lock` — one lease per database ([`StateStore::acquire_lock`], renew, release, break);
//!   `renew` keeps a lease alive on a thread while a run works;
//! * `history` — backups, transitions, manifests, chains; `journal` — the event journal; `catalog` converts them
//!   to the compiler's `catalog::History` for the planner;
//! * `clock` — epoch milliseconds (UTC) from an injectable [`Clock`];
//! * `redact` — secrets never reach a row (invariant 7).
//!
//! The store never reads the plan or the policy, and never builds SQL from pasted input:
//! every identifier and string goes through the compiler's printer helpers (`sql`).

pub mod catalog;
pub mod clock;
pub mod digests;
pub mod drills;
pub mod history;
pub mod journal;
pub mod lock;
pub mod migrate;
pub mod objects;
pub mod redact;
pub mod renew;
pub mod retention;
pub mod schema;
pub mod sql;

use std::sync::Arc;

pub use clock::{format_utc, Clock, EpochMillis, ManualClock, SystemClock};
pub use drills::DrillRecord;
pub use history::{
    BackupEntry, BackupKind, BackupState, FinishedBackup, HistoryFilter, ManifestRow,
    SubmittedBackup, Transition,
};
pub use journal::{new_run_id, Event};
pub use lock::{Actor, Lease, LockInfo, LockRequest, LockStatus};
pub use migrate::{latest_version, MigrationReport};
pub use objects::BackupObjects;
pub use redact::Redactor;
pub use renew::Renewer;

use crate::conn::Cluster;
use crate::error::RuntimeError;
use sql::Val;

/// Which kind of server holds the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StateBackend {
    /// The StarRocks cluster itself (PRIMARY KEY tables; locks through load labels).
    #[default]
    StarRocks,
    /// A MySQL-compatible server such as MariaDB (InnoDB; locks through key conflicts).
    MySql,
}

impl StateBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            StateBackend::StarRocks => "starrocks",
            StateBackend::MySql => "mysql",
        }
    }
}

/// Where and how the state is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateConfig {
    /// The state database (default `starsnap`).
    pub database: String,
    pub backend: StateBackend,
    /// StarRocks `replication_num` of the state tables. `None`: the cluster's default
    /// (`default_replication_num`, 3), which fails on clusters with fewer alive backends;
    /// [`StateConfig::for_cluster`] picks `min(3, alive backends)`.
    pub replication_num: Option<u32>,
    /// StarRocks buckets per state table (the tables are small).
    pub buckets: u32,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            database: "starsnap".into(),
            backend: StateBackend::StarRocks,
            replication_num: None,
            buckets: 1,
        }
    }
}

impl StateConfig {
    /// A StarRocks state config whose `replication_num` is `min(3, alive backends)`, read
    /// from `SHOW BACKENDS` (by column name). With no backend listed (shared-data clusters
    /// list compute nodes elsewhere), the property is left to the cluster's default.
    pub fn for_cluster(cluster: &mut Cluster, database: &str) -> Result<StateConfig, RuntimeError> {
        let rs = cluster.query("SHOW BACKENDS")?;
        let mut alive = 0u32;
        for row in rs.iter() {
            if row
                .get("Alive")?
                .is_some_and(|a| a.eq_ignore_ascii_case("true"))
            {
                alive += 1;
            }
        }
        Ok(StateConfig {
            database: database.to_string(),
            replication_num: (alive > 0).then_some(alive.min(3)),
            ..StateConfig::default()
        })
    }
}

/// The state store over one connection. Not shared between threads: give each worker its
/// own store (and connection); they coordinate through the database.
pub struct StateStore {
    conn: Cluster,
    config: StateConfig,
    clock: Arc<dyn Clock>,
    redactor: Redactor,
    /// The longest statement the server takes, read once (`statement_budget`).
    budget: Option<usize>,
}

impl std::fmt::Debug for StateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateStore")
            .field("conn", &self.conn)
            .field("config", &self.config)
            .finish()
    }
}

impl StateStore {
    /// A store over `conn`. On a MySQL-compatible backend the session's `sql_mode` is set so
    /// that the store's quoting means what it says (no `ANSI_QUOTES`, backslash escapes on).
    pub fn new(
        mut conn: Cluster,
        config: StateConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<StateStore, RuntimeError> {
        prepare_session(&mut conn, config.backend)?;
        Ok(StateStore {
            conn,
            config,
            clock,
            redactor: Redactor::default(),
            budget: None,
        })
    }

    pub fn config(&self) -> &StateConfig {
        &self.config
    }

    pub fn now_ms(&self) -> EpochMillis {
        self.clock.now_ms()
    }

    /// Secret values (e.g. those substituted from environment variables) that must never be
    /// written; they are masked in every free-text field.
    pub fn add_secret_values(&mut self, values: impl IntoIterator<Item = String>) {
        self.redactor.add_values(values);
    }

    /// Masks everything `redactor` knows, besides the values added here.
    pub fn set_redactor(&mut self, redactor: Redactor) {
        let own = std::mem::replace(&mut self.redactor, redactor);
        self.redactor.merge(&own);
    }

    /// The connection (for diagnostics and tests).
    pub fn connection(&mut self) -> &mut Cluster {
        &mut self.conn
    }

    /// Replaces the connection after the old one broke.
    pub fn replace_connection(&mut self, conn: Cluster) -> Result<(), RuntimeError> {
        let mut conn = conn;
        prepare_session(&mut conn, self.config.backend)?;
        self.conn = conn;
        Ok(())
    }

    /// The longest statement the server accepts ([`Cluster::statement_budget`]), read once
    /// per store.
    pub fn statement_budget(&mut self) -> Result<usize, RuntimeError> {
        if let Some(b) = self.budget {
            return Ok(b);
        }
        let budget = self.conn.statement_budget()?;
        self.budget = Some(budget);
        Ok(budget)
    }

    /// Upserts `rows` in as few statements as the server's packet size allows.
    pub(crate) fn upsert_rows(
        &mut self,
        target: &str,
        cols: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<(), RuntimeError> {
        if rows.is_empty() {
            return Ok(());
        }
        let budget = self.statement_budget()?;
        for stmt in sql::upsert_batches(self.config.backend, target, cols, rows, budget) {
            self.conn.execute(&stmt)?;
        }
        Ok(())
    }

    fn table(&self, name: &str) -> String {
        sql::table(&self.config.database, name)
    }

    fn redact(&self, text: &str) -> String {
        self.redactor.redact(text)
    }
}

/// Run ids are keys of the journal: at most 64 bytes, so every key fits StarRocks's limit.
pub const MAX_RUN_ID_BYTES: usize = 64;

pub(crate) fn check_run_id(run_id: &str) -> Result<(), RuntimeError> {
    if run_id.is_empty() || run_id.len() > MAX_RUN_ID_BYTES {
        return Err(RuntimeError::StateConflict {
            message: format!("run id `{run_id}` must be 1 to {MAX_RUN_ID_BYTES} bytes long"),
        });
    }
    Ok(())
}

/// On a MySQL-compatible server, a session mode under which the store's quoting means what
/// it says (no `ANSI_QUOTES`, backslash escapes on) and UTC session time.
fn prepare_session(conn: &mut Cluster, backend: StateBackend) -> Result<(), RuntimeError> {
    if backend == StateBackend::MySql {
        conn.execute(
            "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'",
        )?;
    }
    Ok(())
}

/// The first 32 hex digits of sha256 over the parts (separated by a NUL byte): short,
/// fixed-width keys that fit StarRocks's key limit and label format whatever the names are.
pub(crate) fn digest(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0u8]);
        }
        h.update(p.as_bytes());
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}
