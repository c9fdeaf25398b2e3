//! The state tables, described once and rendered as DDL for each backend.
//!
//! StarRocks: PRIMARY KEY tables (a later INSERT with the same key replaces the row),
//! `DISTRIBUTED BY HASH(<first key column>)`, `replication_num` from the configuration.
//! Key columns come first and are NOT NULL, as StarRocks requires, and every key fits in
//! StarRocks's 128-byte primary-key limit (strings count their bytes plus two, except the
//! last key column; BIGINT counts 8): the widest key here is 64 + 2 + 8 = 74 bytes.
//! MariaDB: InnoDB tables with the same columns and PRIMARY KEY, `utf8mb4`.
//!
//! Free text (StarRocks's Status and TaskErrMsg, event messages) is `VARCHAR(65533)` on
//! StarRocks and `MEDIUMTEXT` on MariaDB.

use super::sql;
use super::{StateBackend, StateConfig};

/// A column type, mapped per backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// A bounded string (keys, names, labels).
    Varchar(u32),
    /// Unbounded text.
    Text,
    BigInt,
    Int,
    Bool,
}

impl ColType {
    fn ddl(self, backend: StateBackend) -> String {
        match (self, backend) {
            (ColType::Varchar(n), _) => format!("VARCHAR({n})"),
            (ColType::Text, StateBackend::StarRocks) => "VARCHAR(65533)".into(),
            (ColType::Text, StateBackend::MySql) => "MEDIUMTEXT".into(),
            (ColType::BigInt, _) => "BIGINT".into(),
            (ColType::Int, _) => "INT".into(),
            (ColType::Bool, _) => "BOOLEAN".into(),
        }
    }
}

/// One column.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColType,
    pub nullable: bool,
}

const fn col(name: &'static str, ty: ColType) -> Column {
    Column {
        name,
        ty,
        nullable: false,
    }
}

const fn opt(name: &'static str, ty: ColType) -> Column {
    Column {
        name,
        ty,
        nullable: true,
    }
}

/// One table: its columns (keys first) and how many leading columns form the key.
#[derive(Clone, Copy, Debug)]
pub struct TableDef {
    pub name: &'static str,
    pub columns: &'static [Column],
    pub key_len: usize,
}

impl TableDef {
    pub fn key(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().take(self.key_len)
    }

    pub fn column_names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.name).collect()
    }

    /// `CREATE TABLE IF NOT EXISTS` for `backend`.
    pub fn create_sql(&self, config: &StateConfig) -> String {
        let backend = config.backend;
        let target = sql::table(&config.database, self.name);
        let cols: Vec<String> = self
            .columns
            .iter()
            .map(|c| {
                format!(
                    "{} {} {}",
                    sql::columns(&[c.name]),
                    c.ty.ddl(backend),
                    if c.nullable { "NULL" } else { "NOT NULL" }
                )
            })
            .collect();
        let key: Vec<&str> = self.key().map(|c| c.name).collect();
        match backend {
            StateBackend::StarRocks => {
                let mut s = format!(
                    "CREATE TABLE IF NOT EXISTS {target} ({}) PRIMARY KEY ({}) DISTRIBUTED BY HASH({}) BUCKETS {}",
                    cols.join(", "),
                    sql::columns(&key),
                    sql::columns(&key[..1]),
                    config.buckets.max(1)
                );
                if let Some(n) = config.replication_num {
                    s.push_str(&format!(
                        " PROPERTIES ({} = {})",
                        sql::Val::text("replication_num").sql(),
                        sql::Val::text(n.to_string()).sql()
                    ));
                }
                s
            }
            StateBackend::MySql => format!(
                "CREATE TABLE IF NOT EXISTS {target} ({}, PRIMARY KEY ({})) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                cols.join(", "),
                sql::columns(&key)
            ),
        }
    }

    /// The largest primary key StarRocks would encode for this table, in bytes.
    pub fn max_key_bytes(&self) -> usize {
        let n = self.key_len;
        self.key()
            .enumerate()
            .map(|(i, c)| match c.ty {
                ColType::Varchar(len) => len as usize + if i + 1 == n { 0 } else { 2 },
                ColType::Text => usize::MAX / 4,
                ColType::BigInt => 8,
                ColType::Int => 4,
                ColType::Bool => 1,
            })
            .sum()
    }
}

use ColType::{BigInt, Int, Text, Varchar};

/// Applied schema versions.
pub const MIGRATIONS: TableDef = TableDef {
    name: "schema_migrations",
    key_len: 1,
    columns: &[
        col("version", Int),
        col("description", Varchar(512)),
        col("applied_ms", BigInt),
        col("starsnap_version", Varchar(64)),
    ],
};

/// One row per backup job (snapshot label). `backup_id` is a digest of repository + label.
pub const BACKUPS: TableDef = TableDef {
    name: "backups",
    key_len: 1,
    columns: &[
        col("backup_id", Varchar(64)),
        col("label", Text),
        col("set_name", Text),
        col("chunk_index", Int),
        col("chunk_count", Int),
        col("group_name", Text),
        col("database_name", Text),
        col("kind", Varchar(16)),
        opt("parent_label", Text),
        col("repository", Text),
        opt("snapshot_timestamp", Text),
        col("plan_fingerprint", Text),
        col("step_id", Text),
        col("run_id", Varchar(64)),
        col("backup_state", Varchar(16)),
        opt("job_state", Varchar(64)),
        opt("status_text", Text),
        opt("task_err_msg", Text),
        // Version 1 kept the schema fingerprints here as one JSON object; since version 2
        // they are rows of `backup_objects` and this column holds `{}`.
        col("schemas_json", Text),
        opt("partition_count", BigInt),
        opt("data_size", BigInt),
        col("submitted_ms", BigInt),
        col("updated_ms", BigInt),
        opt("finished_ms", BigInt),
    ],
};

/// The partitions a finished backup holds.
pub const MANIFESTS: TableDef = TableDef {
    name: "backup_partitions",
    key_len: 2,
    columns: &[
        col("backup_id", Varchar(64)),
        col("partition_id", BigInt),
        col("database_name", Text),
        col("table_name", Text),
        col("partition_name", Text),
        col("visible_version", BigInt),
        opt("row_count", BigInt),
        opt("data_size", BigInt),
    ],
};

/// What a backup holds, one row per object (migration 2): each table, view and materialized
/// view with its kind, partitioning and schema fingerprint at submit time, and each function.
/// Per row, never in one bounded value, so a set of any number of tables fits (issue 14:
/// `backups.schemas_json`, one `VARCHAR(65533)`, overflowed past about 870 tables).
/// `seq` is the object's position in the backup's sorted list (tables, then functions), so
/// re-recording the same backup upserts the same rows.
pub const BACKUP_OBJECTS: TableDef = TableDef {
    name: "backup_objects",
    key_len: 2,
    columns: &[
        col("backup_id", Varchar(64)),
        col("seq", Int),
        col("object_type", Varchar(16)),
        col("object_name", Text),
        opt("object_kind", Varchar(32)),
        opt("partitioning", Varchar(16)),
        opt("schema_fingerprint", Text),
    ],
};

/// What the repository says about a finished snapshot (migration 2): StarRocks's own
/// `backup_time` (epoch milliseconds, SHOW SNAPSHOT's detail form), the only time a restore
/// point is compared with.
pub const BACKUP_SNAPSHOTS: TableDef = TableDef {
    name: "backup_snapshots",
    key_len: 1,
    columns: &[
        col("backup_id", Varchar(64)),
        opt("backup_time_ms", BigInt),
        col("written_ms", BigInt),
    ],
};

/// Retention and verification events per backup (schema 3): `expired` (apply dropped or
/// deleted the snapshot; `at_ms` is when) or `broken` (verify found it missing), with what.
pub const BACKUP_RETENTION: TableDef = TableDef {
    name: "backup_retention",
    key_len: 1,
    columns: &[
        col("backup_id", Varchar(64)),
        col("event", Varchar(16)),
        col("at_ms", BigInt),
        opt("detail", Text),
        opt("plan_fingerprint", Varchar(64)),
        opt("run_id", Varchar(64)),
    ],
};

/// Per table of a finished backup's manifest (schema 4): the digest of its entries there
/// (what the plan's input fingerprint records instead of the rows) and, when apply could prove
/// it, the `partitions_digest` of the table after the backup's set — what a restore of the set
/// brings back. A plan compares that with the cluster's digest and reads the manifest rows of
/// only the tables that differ (issue 14). Written with the manifest, before the backup's row
/// turns `finished`; `seq` numbers the tables in name order.
pub const BACKUP_TABLE_DIGESTS: TableDef = TableDef {
    name: "backup_table_digests",
    key_len: 2,
    columns: &[
        col("backup_id", Varchar(64)),
        col("seq", Int),
        col("table_name", Text),
        col("entries_digest", Varchar(64)),
        opt("state_digest", Varchar(64)),
    ],
};

/// Restore drills (schema 5): one row per group and database a `starsnap drill` restored
/// into a scratch database, with the chain it read, whether every check passed, and how long
/// the restore and its verification took (the measured RTO).
pub const DRILLS: TableDef = TableDef {
    name: "drills",
    key_len: 1,
    columns: &[
        col("drill_id", Varchar(64)),
        col("run_id", Varchar(64)),
        col("group_name", Text),
        col("database_name", Text),
        col("point", Varchar(64)),
        opt("tip_set", Text),
        col("sets_json", Text),
        opt("scratch_database", Text),
        col("result", Varchar(16)),
        opt("failed_set", Text),
        opt("message", Text),
        col("started_ms", BigInt),
        col("ended_ms", BigInt),
        opt("rto_ms", BigInt),
        opt("tables", BigInt),
        opt("plan_fingerprint", Varchar(64)),
    ],
};

/// Lock leases: one row per (database digest, generation); the highest generation is the
/// lease in force (see `lock.rs`).
pub const LOCKS: TableDef = TableDef {
    name: "locks",
    key_len: 2,
    columns: &[
        col("lock_key", Varchar(64)),
        col("generation", BigInt),
        col("database_name", Text),
        col("lock_id", Varchar(64)),
        col("lock_state", Varchar(16)),
        col("operation", Varchar(16)),
        col("holder", Text),
        col("holder_host", Text),
        col("pid", BigInt),
        col("plan_fingerprint", Text),
        col("run_id", Varchar(64)),
        col("started_ms", BigInt),
        col("expires_ms", BigInt),
        col("written_ms", BigInt),
    ],
};

/// The event journal.
pub const EVENTS: TableDef = TableDef {
    name: "events",
    key_len: 2,
    columns: &[
        col("run_id", Varchar(64)),
        col("seq", BigInt),
        col("event_ms", BigInt),
        col("event_kind", Varchar(32)),
        opt("step_id", Text),
        opt("label", Text),
        opt("database_name", Text),
        opt("event_state", Varchar(64)),
        opt("message", Text),
    ],
};

/// Every table of the current schema.
pub const ALL: [TableDef; 10] = [
    MIGRATIONS,
    BACKUPS,
    MANIFESTS,
    LOCKS,
    EVENTS,
    BACKUP_OBJECTS,
    BACKUP_SNAPSHOTS,
    BACKUP_RETENTION,
    BACKUP_TABLE_DIGESTS,
    DRILLS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_fits_starrocks_limit_and_ddl_renders_for_both_backends() {
        for t in ALL {
            assert!(
                t.max_key_bytes() <= 128,
                "{}: {}",
                t.name,
                t.max_key_bytes()
            );
            assert!(t.key().all(|c| !c.nullable), "{}", t.name);
        }
        let mut cfg = StateConfig {
            replication_num: Some(1),
            ..StateConfig::default()
        };
        let sr = LOCKS.create_sql(&cfg);
        assert!(
            sr.contains(
                "PRIMARY KEY (lock_key, generation) DISTRIBUTED BY HASH(lock_key) BUCKETS 1"
            ),
            "{sr}"
        );
        assert!(
            sr.ends_with(r#"PROPERTIES ("replication_num" = "1")"#),
            "{sr}"
        );
        cfg.backend = StateBackend::MySql;
        let my = EVENTS.create_sql(&cfg);
        assert!(my.contains("message MEDIUMTEXT NULL"), "{my}");
        assert!(
            my.contains("PRIMARY KEY (run_id, seq)) ENGINE=InnoDB"),
            "{my}"
        );
    }
}
