//! Versioned migrations of the state schema.
//!
//! `schema_migrations` records each applied version. A migration is a list of statements,
//! each idempotent on its own (`CREATE … IF NOT EXISTS`), so a run interrupted halfway is
//! simply re-run; its version row is written last. Two processes migrating at once both
//! succeed (the version row is an upsert). A state schema newer than this binary knows is
//! refused with [`RuntimeError::StateSchemaTooNew`] before anything is written.

use super::schema::{self, TableDef};
use super::sql::{self, Val};
use super::StateStore;
use crate::error::RuntimeError;

/// A migration's data step.
pub type Backfill = fn(&mut StateStore) -> Result<(), RuntimeError>;

/// One migration.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    pub version: u32,
    pub description: &'static str,
    /// The tables it creates.
    pub creates: &'static [TableDef],
    /// Data it moves once the tables exist; idempotent like the DDL (upserts by key), so an
    /// interrupted run is re-run.
    pub backfill: Option<Backfill>,
}

/// Every migration this binary knows, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "backups, backup_partitions, locks, events",
        creates: &[
            schema::BACKUPS,
            schema::MANIFESTS,
            schema::LOCKS,
            schema::EVENTS,
        ],
        backfill: None,
    },
    Migration {
        version: 2,
        description: "backup_objects (per-object kind, partitioning, schema; functions), backup_snapshots (backup_time)",
        creates: &[schema::BACKUP_OBJECTS, schema::BACKUP_SNAPSHOTS],
        backfill: Some(StateStore::backfill_backup_objects),
    },
    Migration {
        version: 3,
        description: "backup_retention (expired and broken sets; backups.backup_state `expired`/`broken`)",
        creates: &[schema::BACKUP_RETENTION],
        backfill: None,
    },
    Migration {
        version: 4,
        description: "backup_table_digests (per table of each manifest: entries digest, state after the set)",
        creates: &[schema::BACKUP_TABLE_DIGESTS],
        backfill: Some(StateStore::backfill_table_digests),
    },
    Migration {
        version: 5,
        description: "drills (restore drills: result, chain, measured RTO)",
        creates: &[schema::DRILLS],
        backfill: None,
    },
];

/// The newest schema version this binary knows.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// What [`StateStore::ensure_current`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationReport {
    /// Versions applied by this call, in order (empty when already current).
    pub applied: Vec<u32>,
    /// The schema version now in force.
    pub version: u32,
}

impl StateStore {
    /// The applied schema version, or `None` when the state database or its
    /// `schema_migrations` table does not exist. Writes nothing.
    pub fn schema_version(&mut self) -> Result<Option<u32>, RuntimeError> {
        let q = format!(
            "SELECT {} FROM {}",
            sql::columns(&["version"]),
            self.table(schema::MIGRATIONS.name)
        );
        match self.conn.query(&q) {
            Ok(rs) => {
                let mut max = None;
                for row in rs.iter() {
                    let v = u32::try_from(row.i64("version")?).map_err(|_| {
                        RuntimeError::StateData {
                            table: schema::MIGRATIONS.name.into(),
                            message: "a negative schema version".into(),
                        }
                    })?;
                    max = max.max(Some(v));
                }
                Ok(max)
            }
            Err(e) if is_missing_object(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates the state database and tables (`starsnap init`). Same as
    /// [`StateStore::ensure_current`]: safe to run again.
    pub fn init(&mut self) -> Result<MigrationReport, RuntimeError> {
        self.ensure_current()
    }

    /// Creates or migrates the state schema to [`latest_version`] (apply calls this first).
    pub fn ensure_current(&mut self) -> Result<MigrationReport, RuntimeError> {
        let latest = latest_version();
        let found = self.schema_version()?;
        if let Some(v) = found {
            if v > latest {
                return Err(RuntimeError::StateSchemaTooNew {
                    database: self.config.database.clone(),
                    found: v,
                    supported: latest,
                });
            }
            if v == latest {
                return Ok(MigrationReport {
                    applied: Vec::new(),
                    version: v,
                });
            }
        }
        let create_db = format!(
            "CREATE DATABASE IF NOT EXISTS {}",
            sql::columns(&[self.config.database.as_str()])
        );
        self.conn.execute(&create_db)?;
        let migrations_ddl = schema::MIGRATIONS.create_sql(&self.config);
        self.conn.execute(&migrations_ddl)?;
        let current = found.unwrap_or(0);
        let mut applied = Vec::new();
        for m in MIGRATIONS.iter().filter(|m| m.version > current) {
            for t in m.creates {
                let ddl = t.create_sql(&self.config);
                self.conn.execute(&ddl)?;
            }
            if let Some(backfill) = m.backfill {
                backfill(self)?;
            }
            let row = vec![
                Val::Int(i64::from(m.version)),
                Val::text(m.description),
                Val::Int(self.clock.now_ms()),
                Val::text(env!("CARGO_PKG_VERSION")),
            ];
            let stmt = sql::upsert(
                self.config.backend,
                &self.table(schema::MIGRATIONS.name),
                &schema::MIGRATIONS.column_names(),
                &[row],
            );
            self.conn.execute(&stmt)?;
            applied.push(m.version);
        }
        Ok(MigrationReport {
            applied,
            version: latest,
        })
    }
}

/// "Unknown database" / "Unknown table" on StarRocks (5501/5502, or 1064 with the text) and
/// MariaDB (1049/1146).
pub(crate) fn is_missing_object(e: &RuntimeError) -> bool {
    match e {
        RuntimeError::Server { code, message, .. } => {
            matches!(code, 1049 | 1146 | 5501 | 5502)
                || message.contains("Unknown database")
                || message.contains("Unknown table")
                || message.contains("does not exist")
        }
        _ => false,
    }
}
