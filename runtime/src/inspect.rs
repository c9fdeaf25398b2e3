//! Inspection: reads a cluster into the compiler's [`ObservedCatalog`].
//!
//! The number of statements does not grow with the number of tables: everything per table
//! comes from `information_schema` in bulk (one query per system table), never from
//! `SHOW PARTITIONS` per table (a table's partitioning, too, comes from `partitions_meta`'s
//! `PARTITION_VALUE`: [`partitioning_of`]). Only repositories cost one `SHOW SNAPSHOT` each. Every
//! `information_schema` query names its columns (never `SELECT *`: the columns differ by
//! version) and every result is read by column name (invariant 5).

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};
use starsnap_compiler::catalog::{
    Cluster as ClusterInfo, Database, History, ObservedCatalog, Partition, PartitionSummary,
    Partitioning, Repository, Snapshot, Table, TableKind, UnreadPartitions, CATALOG_FORMAT_VERSION,
};
use starsnap_compiler::syntax::quote_ident;

use crate::conn::Cluster;
use crate::error::RuntimeError;

/// Databases that hold no user data and are never backed up.
pub const SYSTEM_DATABASES: [&str; 3] = ["information_schema", "sys", "_statistics_"];

/// What to read besides tables and partitions.
#[derive(Clone, Debug, Default)]
pub struct InspectOptions {
    /// Read the snapshots of these repositories only (`None`: of every repository).
    pub snapshot_repositories: Option<BTreeSet<String>>,
    /// Databases not to report (starsnap's own state database, for example).
    pub skip_databases: BTreeSet<String>,
    /// Read only these databases, and of each only these tables (`None`: all of them) —
    /// what a plan depends on (`plan::dependencies`), for apply's staleness check. `None`:
    /// every database.
    pub scope: Option<BTreeMap<String, Option<BTreeSet<String>>>>,
    /// Whether every partition is listed, or each table's partitions only summed by the
    /// cluster ([`PartitionDetail::Summed`]; a backup plan then lists those of the tables it
    /// compares with [`read_partitions`]).
    pub partitions: PartitionDetail,
}

/// How [`inspect`] reads partitions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PartitionDetail {
    /// Every partition of every table read (`partitions_meta`, one row each).
    #[default]
    Listed,
    /// One aggregate row per table ([`PARTITION_SUMMARY_QUERY`]): every table is
    /// `unread`, known by its partition summary. Falls back to [`PartitionDetail::Listed`]
    /// when the cluster refuses the aggregate.
    Summed,
}

/// One row per table and kind of partition (temporary or not) with what
/// `catalog::PartitionSummary` sums, computed by the cluster: the partitions themselves are
/// not sent. `CRC32` is StarRocks's (`StringFunctions::crc32`, 3.3 and later).
pub const PARTITION_SUMMARY_QUERY: &str = "SELECT DB_NAME, TABLE_NAME, IS_TEMP, \
     COUNT(*) AS PARTITIONS, SUM(PARTITION_ID) AS ID_SUM, SUM(VISIBLE_VERSION) AS VERSION_SUM, \
     SUM(CRC32(CONCAT(PARTITION_NAME, '/', CAST(PARTITION_ID AS VARCHAR)))) AS NAME_SUM, \
     MAX(PARTITION_VALUE) AS PARTITION_VALUE \
     FROM information_schema.partitions_meta";

/// Above this many tables of one database, a scoped read asks for the whole database: a long
/// `IN` list costs the server more than the rows it saves.
pub const SCOPE_TABLES_MAX: usize = 256;

/// ` WHERE …` restricting an `information_schema` query to `scope` (by its database and
/// table columns); empty without a scope. Names go through `quote_string` (invariant 6).
fn scope_filter(
    scope: Option<&BTreeMap<String, Option<BTreeSet<String>>>>,
    db_col: &str,
    table_col: &str,
) -> String {
    let Some(scope) = scope else {
        return String::new();
    };
    let q = starsnap_compiler::syntax::quote_string;
    let listed =
        |t: &Option<BTreeSet<String>>| t.as_ref().filter(|t| t.len() <= SCOPE_TABLES_MAX).is_some();
    let whole: Vec<String> = scope
        .iter()
        .filter(|(_, t)| !listed(t))
        .map(|(d, _)| q(d))
        .collect();
    let mut terms = Vec::new();
    if !whole.is_empty() {
        terms.push(format!("{db_col} IN ({})", whole.join(", ")));
    }
    for (db, tables) in scope {
        if let Some(tables) = tables.as_ref().filter(|t| t.len() <= SCOPE_TABLES_MAX) {
            let names: Vec<String> = tables.iter().map(|t| q(t)).collect();
            terms.push(format!(
                "({db_col} = {} AND {table_col} IN ({}))",
                q(db),
                names.join(", ")
            ));
        }
    }
    format!(" WHERE {}", terms.join(" OR "))
}

/// Parses StarRocks's `ByteSizeValue` text (`0B`, `1.5KB`, `12.3MB`) into bytes; 4.0+ sends a
/// plain number. `None` when it is neither.
pub fn parse_byte_size(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, unit) = s.split_at(split);
    let num: f64 = num.trim().parse().ok()?;
    let mult: f64 = match unit.trim().to_ascii_uppercase().as_str() {
        "B" => 1.0,
        "KB" => 1024.0,
        "MB" => 1024.0 * 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        "TB" => 1024.0_f64.powi(4),
        "PB" => 1024.0_f64.powi(5),
        _ => return None,
    };
    Some((num * mult).round() as i64)
}

/// A table's partitioning from one `partitions_meta.PARTITION_VALUE` cell, which StarRocks
/// fills with `PartitionsProcDir.findRangeOrListValues` (3.4: `fe/fe-core/src/main/java/com/
/// starrocks/service/InformationSchemaDataSource.java` → `fe/fe-core/src/main/java/com/starrocks/
/// common/proc/PartitionsProcDir.java`): for LIST partitioning
/// `ListPartitionInfo.getValuesFormat` — Gson JSON, `[["a"],["b"]]`; for range partitioning
/// (RANGE and expression range alike) Guava `Range.toString` of the partition keys,
/// `[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-02-01]; )`; otherwise
/// (single-partition tables) `""`. Expression range cannot be told from RANGE here (both
/// are `RangePartitionInfo`), and restore treats them alike (spec §9.2), so both read as
/// [`Partitioning::Range`]. `None` for a text none of these.
pub fn partitioning_of(partition_value: &str) -> Option<Partitioning> {
    let v = partition_value.trim();
    if v.is_empty() {
        Some(Partitioning::Unpartitioned)
    } else if v.starts_with("[[") || v == "[]" {
        Some(Partitioning::List)
    } else if v.starts_with('[') || v.starts_with('(') {
        Some(Partitioning::Range)
    } else {
        None
    }
}

/// One column of a table, as `information_schema.columns` describes it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ColumnSig {
    position: i64,
    name: String,
    column_type: String,
    nullable: String,
    key: String,
}

/// The schema fingerprint of one table (as [`inspect`] computes it for every table), or
/// `None` when the table has no columns (it does not exist).
pub fn table_schema_fingerprint(
    cluster: &mut Cluster,
    database: &str,
    table: &str,
) -> Result<Option<String>, RuntimeError> {
    let rs = cluster.query(&format!(
        "SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY \
         FROM information_schema.columns WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
        starsnap_compiler::syntax::quote_string(database),
        starsnap_compiler::syntax::quote_string(table)
    ))?;
    let mut sigs = Vec::new();
    for row in rs.iter() {
        sigs.push(ColumnSig {
            position: row.opt_i64("ORDINAL_POSITION")?.unwrap_or(0),
            name: row.text("COLUMN_NAME")?.to_string(),
            column_type: row.get("COLUMN_TYPE")?.unwrap_or("").to_string(),
            nullable: row.get("IS_NULLABLE")?.unwrap_or("").to_string(),
            key: row.get("COLUMN_KEY")?.unwrap_or("").to_string(),
        });
    }
    Ok((!sigs.is_empty()).then(|| fingerprint(&sigs)))
}

fn fingerprint(columns: &[ColumnSig]) -> String {
    let mut sorted = columns.to_vec();
    sorted.sort();
    let mut h = Sha256::new();
    for c in &sorted {
        h.update(
            format!(
                "{}\t{}\t{}\t{}\t{}\n",
                c.position, c.name, c.column_type, c.nullable, c.key
            )
            .as_bytes(),
        );
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the cluster. `history` is starsnap's own history, read from the state store by the
/// caller (it may live on another server).
pub fn inspect(
    cluster: &mut Cluster,
    options: &InspectOptions,
    history: History,
) -> Result<ObservedCatalog, RuntimeError> {
    let version = cluster.version()?.to_string();
    let scope = options.scope.as_ref();
    let skip = |db: &str| {
        SYSTEM_DATABASES.iter().any(|s| s.eq_ignore_ascii_case(db))
            || options.skip_databases.contains(db)
            || scope.is_some_and(|s| !s.contains_key(db))
    };

    let mut databases: BTreeMap<String, BTreeMap<String, Table>> = BTreeMap::new();
    let dbs = cluster.query("SHOW DATABASES")?;
    dbs.require(&["Database"])?;
    for row in dbs.iter() {
        let name = row.text("Database")?;
        if !skip(name) {
            databases.entry(name.to_string()).or_default();
        }
    }

    // With a scope that names nothing (a plan that only expires snapshots, say), no table
    // is read at all.
    let read_tables = scope.is_none_or(|s| !s.is_empty());
    let schema_filter = scope_filter(scope, "TABLE_SCHEMA", "TABLE_NAME");
    let mvs = if read_tables {
        cluster.query(&format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.materialized_views{schema_filter}"
        ))?
    } else {
        crate::row::ResultSet::default()
    };
    let mut mv_names = BTreeSet::new();
    for row in mvs.iter() {
        mv_names.insert((
            row.text("TABLE_SCHEMA")?.to_string(),
            row.text("TABLE_NAME")?.to_string(),
        ));
    }

    let tables = if read_tables {
        cluster.query(&format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE FROM information_schema.tables{schema_filter}"
        ))?
    } else {
        crate::row::ResultSet::default()
    };
    for row in tables.iter() {
        let db = row.text("TABLE_SCHEMA")?;
        let Some(tables) = databases.get_mut(db) else {
            continue;
        };
        let name = row.text("TABLE_NAME")?.to_string();
        let ty = row.get("TABLE_TYPE")?.unwrap_or("");
        let engine = row.get("ENGINE")?.unwrap_or("");
        let kind = if mv_names.contains(&(db.to_string(), name.clone())) {
            TableKind::MaterializedView
        } else if ty.eq_ignore_ascii_case("VIEW") {
            TableKind::View
        } else if engine.eq_ignore_ascii_case("StarRocks")
            || engine.eq_ignore_ascii_case("OLAP")
            || ty.eq_ignore_ascii_case("BASE TABLE") && engine.is_empty()
        {
            TableKind::Olap
        } else {
            TableKind::External
        };
        tables.insert(
            name.clone(),
            Table {
                name,
                kind,
                schema_fingerprint: String::new(),
                partitions: Vec::new(),
                partitioning: None,
                unread: None,
            },
        );
    }

    let cols = if read_tables {
        cluster.query(&format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY \
             FROM information_schema.columns{schema_filter}"
        ))?
    } else {
        crate::row::ResultSet::default()
    };
    let mut columns: BTreeMap<(String, String), Vec<ColumnSig>> = BTreeMap::new();
    for row in cols.iter() {
        let key = (
            row.text("TABLE_SCHEMA")?.to_string(),
            row.text("TABLE_NAME")?.to_string(),
        );
        if !databases
            .get(&key.0)
            .is_some_and(|t| t.contains_key(&key.1))
        {
            continue;
        }
        columns.entry(key).or_default().push(ColumnSig {
            position: row.opt_i64("ORDINAL_POSITION")?.unwrap_or(0),
            name: row.text("COLUMN_NAME")?.to_string(),
            column_type: row.get("COLUMN_TYPE")?.unwrap_or("").to_string(),
            nullable: row.get("IS_NULLABLE")?.unwrap_or("").to_string(),
            key: row.get("COLUMN_KEY")?.unwrap_or("").to_string(),
        });
    }
    for ((db, table), sigs) in &columns {
        if let Some(t) = databases.get_mut(db).and_then(|ts| ts.get_mut(table)) {
            t.schema_fingerprint = fingerprint(sigs);
        }
    }

    if read_tables {
        let filter = scope_filter(scope, "DB_NAME", "TABLE_NAME");
        let summed = options.partitions == PartitionDetail::Summed
            && sum_partitions(cluster, &filter, &mut databases)?;
        if !summed {
            list_partitions(cluster, &filter, &mut databases, None)?;
        }
    }

    let repos = cluster.query("SHOW REPOSITORIES")?;
    repos.require(&["RepoName", "Location", "Broker", "IsReadOnly"])?;
    let mut repositories = Vec::new();
    for row in repos.iter() {
        let name = row.text("RepoName")?.to_string();
        let broker = row
            .get("Broker")?
            .filter(|b| !b.is_empty())
            .map(str::to_string);
        let mut repo = Repository {
            location: row.get("Location")?.unwrap_or("").to_string(),
            broker,
            read_only: row
                .get("IsReadOnly")?
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            snapshots: Vec::new(),
            name,
        };
        let wanted = options
            .snapshot_repositories
            .as_ref()
            .is_none_or(|set| set.contains(&repo.name));
        if wanted {
            repo.snapshots = snapshots(cluster, &repo.name)?;
        }
        repositories.push(repo);
    }

    // The user-defined functions of each database (what `ALL FUNCTIONS` backs up and a
    // whole-database restore brings back): one `SHOW FUNCTIONS FROM db` per database, since
    // StarRocks 3.4 has no information_schema table listing them.
    let mut functions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for db in databases.keys() {
        functions.insert(db.clone(), database_functions(cluster, db)?);
    }

    let external_catalogs = external_catalogs(cluster)?;

    let catalog = ObservedCatalog {
        format_version: CATALOG_FORMAT_VERSION,
        cluster: ClusterInfo { version },
        databases: databases
            .into_iter()
            .map(|(name, tables)| Database {
                functions: functions.remove(&name).unwrap_or_default(),
                name,
                tables: tables.into_values().collect(),
            })
            .collect(),
        repositories,
        external_catalogs,
        history,
    };
    Ok(catalog.normalized())
}

/// Reads `partitions_meta` rows (`filter`: a WHERE clause) into the tables of `databases`;
/// with `only`, into those tables alone.
fn list_partitions(
    cluster: &mut Cluster,
    filter: &str,
    databases: &mut BTreeMap<String, BTreeMap<String, Table>>,
    only: Option<&BTreeMap<String, BTreeSet<String>>>,
) -> Result<(), RuntimeError> {
    let parts = cluster.query(&format!(
        "SELECT DB_NAME, TABLE_NAME, PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION, \
         VISIBLE_VERSION_TIME, ROW_COUNT, DATA_SIZE, IS_TEMP, PARTITION_VALUE \
         FROM information_schema.partitions_meta{filter}"
    ))?;
    for row in parts.iter() {
        if matches!(row.get("IS_TEMP")?, Some("1" | "true")) {
            continue; // temporary partitions are never backed up
        }
        let (db, table) = (row.text("DB_NAME")?, row.text("TABLE_NAME")?);
        if only.is_some_and(|o| !o.get(db).is_some_and(|t| t.contains(table))) {
            continue;
        }
        let Some(t) = databases.get_mut(db).and_then(|ts| ts.get_mut(table)) else {
            continue;
        };
        if t.partitions.is_empty() {
            // Every partition of a table has the table's partitioning: the first says it.
            t.partitioning = row.get("PARTITION_VALUE")?.and_then(partitioning_of);
        }
        t.partitions.push(Partition {
            name: row.text("PARTITION_NAME")?.to_string(),
            id: row.i64("PARTITION_ID")?,
            visible_version: row.i64("VISIBLE_VERSION")?,
            visible_version_time: row.get("VISIBLE_VERSION_TIME")?.map(str::to_string),
            rows: row.opt_i64("ROW_COUNT")?,
            data_size: row.get("DATA_SIZE")?.and_then(parse_byte_size),
        });
    }
    Ok(())
}

/// Reads [`PARTITION_SUMMARY_QUERY`] (`filter`: a WHERE clause) into the tables of
/// `databases`, every one of which becomes `unread` (a table without partitions, a view,
/// sums to zero). `false` when the cluster refuses the aggregate (the caller lists the
/// partitions instead); a transient error is returned.
fn sum_partitions(
    cluster: &mut Cluster,
    filter: &str,
    databases: &mut BTreeMap<String, BTreeMap<String, Table>>,
) -> Result<bool, RuntimeError> {
    let rs = match cluster.query(&format!(
        "{PARTITION_SUMMARY_QUERY}{filter} GROUP BY DB_NAME, TABLE_NAME, IS_TEMP"
    )) {
        Ok(rs) => rs,
        Err(e) if e.is_transient() => return Err(e),
        Err(e) => {
            tracing::debug!("partition summaries refused ({e}); listing every partition");
            return Ok(false);
        }
    };
    for tables in databases.values_mut() {
        for t in tables.values_mut() {
            t.unread = Some(UnreadPartitions::of(PartitionSummary::default()));
        }
    }
    for row in rs.iter() {
        if matches!(row.get("IS_TEMP")?, Some("1" | "true")) {
            continue; // temporary partitions are never backed up
        }
        let (db, table) = (row.text("DB_NAME")?, row.text("TABLE_NAME")?);
        let Some(t) = databases.get_mut(db).and_then(|ts| ts.get_mut(table)) else {
            continue;
        };
        let count = row.i64("PARTITIONS")?;
        t.unread = Some(UnreadPartitions {
            count: u64::try_from(count).unwrap_or_default(),
            id_sum: row.i64("ID_SUM")?,
            version_sum: row.i64("VERSION_SUM")?,
            name_sum: row.i64("NAME_SUM")?,
        });
        t.partitioning = row.get("PARTITION_VALUE")?.and_then(partitioning_of);
    }
    Ok(true)
}

/// Lists the partitions of the `tables` (database → names) that `catalog` holds unread,
/// in one statement; they are read afterwards (`unread` cleared).
pub fn read_partitions(
    cluster: &mut Cluster,
    catalog: &mut ObservedCatalog,
    tables: &BTreeMap<String, BTreeSet<String>>,
) -> Result<(), RuntimeError> {
    let wanted: BTreeMap<String, BTreeSet<String>> = tables
        .iter()
        .filter_map(|(db, names)| {
            let d = catalog.database(db)?;
            let unread: BTreeSet<String> = names
                .iter()
                .filter(|n| d.table(n).is_some_and(|t| t.unread.is_some()))
                .cloned()
                .collect();
            (!unread.is_empty()).then(|| (db.clone(), unread))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let scope: BTreeMap<String, Option<BTreeSet<String>>> = wanted
        .iter()
        .map(|(d, t)| (d.clone(), Some(t.clone())))
        .collect();
    let mut databases: BTreeMap<String, BTreeMap<String, Table>> = BTreeMap::new();
    for (db, names) in &wanted {
        let Some(d) = catalog.database(db) else {
            continue;
        };
        let tables = databases.entry(db.clone()).or_default();
        for n in names {
            if let Some(t) = d.table(n) {
                let mut t = t.clone();
                t.partitions.clear();
                t.unread = None;
                tables.insert(n.clone(), t);
            }
        }
    }
    let filter = scope_filter(Some(&scope), "DB_NAME", "TABLE_NAME");
    list_partitions(cluster, &filter, &mut databases, Some(&wanted))?;
    for d in &mut catalog.databases {
        let Some(read) = databases.get_mut(&d.name) else {
            continue;
        };
        for t in &mut d.tables {
            if let Some(mut fresh) = read.remove(&t.name) {
                fresh
                    .partitions
                    .sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
                *t = fresh;
            }
        }
    }
    Ok(())
}

/// The cluster's external catalogs (`SHOW CATALOGS`, one statement, read by column name:
/// `Catalog`, `Type`, `Comment` in 3.4), without the internal `default_catalog`. Sorted.
pub fn external_catalogs(cluster: &mut Cluster) -> Result<Vec<String>, RuntimeError> {
    let rs = cluster.query("SHOW CATALOGS")?;
    rs.require(&["Catalog"])?;
    let mut out = Vec::new();
    for row in rs.iter() {
        let name = row.text("Catalog")?;
        if name != DEFAULT_CATALOG {
            out.push(name.to_string());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// StarRocks's internal catalog (`InternalCatalog.DEFAULT_INTERNAL_CATALOG_NAME`).
pub const DEFAULT_CATALOG: &str = "default_catalog";

/// The names of a database's user-defined functions (`SHOW FUNCTIONS FROM db`, column
/// `Function Name`; StarRocks lists each name once, sorted).
pub fn database_functions(
    cluster: &mut Cluster,
    database: &str,
) -> Result<Vec<String>, RuntimeError> {
    let rs = cluster.query(&format!("SHOW FUNCTIONS FROM {}", quote_ident(database)))?;
    rs.require(&["Function Name"])?;
    let mut out = Vec::new();
    for row in rs.iter() {
        out.push(row.text("Function Name")?.to_string());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Repository `name`'s location as SHOW REPOSITORIES shows it; `None` when the cluster does
/// not have it.
pub fn repository_location(
    cluster: &mut Cluster,
    name: &str,
) -> Result<Option<String>, RuntimeError> {
    let rs = cluster.query("SHOW REPOSITORIES")?;
    rs.require(&["RepoName", "Location"])?;
    for row in rs.iter() {
        if row.text("RepoName")? == name {
            return Ok(row.get("Location")?.map(str::to_string));
        }
    }
    Ok(None)
}

/// `SHOW SNAPSHOT ON repo` (list form): one row per label, timestamps joined by `\n`.
pub fn snapshots(cluster: &mut Cluster, repository: &str) -> Result<Vec<Snapshot>, RuntimeError> {
    let rs = cluster.query(&format!("SHOW SNAPSHOT ON {}", quote_ident(repository)))?;
    rs.require(&["Snapshot", "Timestamp", "Status"])?;
    let mut out = Vec::new();
    for row in rs.iter() {
        let timestamps = row
            .get("Timestamp")?
            .map(|t| {
                t.split('\n')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        out.push(Snapshot {
            label: row.text("Snapshot")?.to_string(),
            timestamps,
            status: row.get("Status")?.unwrap_or("").to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitioning_from_partition_value_texts() {
        for (text, want) in [
            (
                "[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-02-01]; )",
                Some(Partitioning::Range),
            ),
            (
                "(-\u{221e}..types: [INT]; keys: [10]; )",
                Some(Partitioning::Range),
            ),
            (r#"[["a"],["b"]]"#, Some(Partitioning::List)),
            (r#"[["a","1"]]"#, Some(Partitioning::List)),
            ("", Some(Partitioning::Unpartitioned)),
            ("p1", None),
        ] {
            assert_eq!(partitioning_of(text), want, "{text}");
        }
    }

    #[test]
    fn byte_sizes_parse_both_forms() {
        assert_eq!(parse_byte_size("0B"), Some(0));
        assert_eq!(parse_byte_size("1.5KB"), Some(1536));
        assert_eq!(parse_byte_size("2MB"), Some(2 * 1024 * 1024));
        assert_eq!(parse_byte_size("12345"), Some(12345));
        assert_eq!(parse_byte_size("lots"), None);
        assert_eq!(parse_byte_size(""), None);
    }

    #[test]
    fn fingerprint_ignores_row_order_and_sees_type_changes() {
        let a = ColumnSig {
            position: 1,
            name: "id".into(),
            column_type: "bigint".into(),
            nullable: "NO".into(),
            key: "PRI".into(),
        };
        let b = ColumnSig {
            position: 2,
            name: "v".into(),
            column_type: "int".into(),
            nullable: "YES".into(),
            key: String::new(),
        };
        assert_eq!(
            fingerprint(&[a.clone(), b.clone()]),
            fingerprint(&[b.clone(), a.clone()])
        );
        let b2 = ColumnSig {
            column_type: "bigint".into(),
            ..b
        };
        assert_ne!(
            fingerprint(&[a.clone(), b2]),
            fingerprint(&[
                a,
                ColumnSig {
                    position: 2,
                    name: "v".into(),
                    column_type: "int".into(),
                    nullable: "YES".into(),
                    key: String::new()
                }
            ])
        );
    }
}
