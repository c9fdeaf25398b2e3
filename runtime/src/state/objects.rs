//! What each backup holds, per object (`backup_objects`), and what the repository says about
//! the finished snapshot (`backup_snapshots`): the facts a restore needs (schema migration 2).
//!
//! * Per object, one row: a table, view or materialized view with its kind, partitioning
//!   and schema fingerprint as observed when the job was submitted; a function by name.
//!   Never one bounded value for the whole set (issue 14: `backups.schemas_json` in one
//!   `VARCHAR(65533)` failed past about 870 tables). Rows are written before the backup's
//!   own row, in as few statements as the server's packet size allows, after deleting the backup's old rows (a re-recorded submission
//!   replaces them whole).
//! * Per finished snapshot: StarRocks's `backup_time` (epoch ms from SHOW SNAPSHOT's detail
//!   form), written before the backup's row turns `finished`.
//!
//! Reads are a fixed number of statements: for a few backups an `IN` list, for many the
//! whole table once, grouped here by backup.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use starsnap_compiler::catalog::{BackedUpObject, Partitioning, TableKind};

use super::schema::{BACKUPS, BACKUP_OBJECTS, BACKUP_SNAPSHOTS};
use super::sql::{self, Val};
use super::StateStore;
use crate::error::RuntimeError;
use crate::row::NamedRow;

/// Up to this many backups are read with `IN (…)`; more read the table whole.
const IN_LIST_MAX: usize = 256;

/// `object_type` of a table, view or materialized view.
const TABLE: &str = "table";
/// `object_type` of a user-defined function.
const FUNCTION: &str = "function";
/// `object_type` of an external catalog (a catalog backup's, whose database is empty).
const CATALOG: &str = "catalog";

/// The objects of one backup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackupObjects {
    /// Schema fingerprints (table → fingerprint).
    pub schemas: BTreeMap<String, String>,
    /// Kind and partitioning per object.
    pub objects: BTreeMap<String, BackedUpObject>,
    /// Function names.
    pub functions: Vec<String>,
    /// External catalog names (a catalog backup).
    pub catalogs: Vec<String>,
}

impl BackupObjects {
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
            && self.objects.is_empty()
            && self.functions.is_empty()
            && self.catalogs.is_empty()
    }

    /// The `backup_objects` rows of backup `id`: tables (every name in `schemas` or
    /// `objects`) in name order, then functions in name order; `seq` numbers them.
    fn rows(&self, id: &str) -> Vec<Vec<Val>> {
        let names: BTreeSet<&String> = self.schemas.keys().chain(self.objects.keys()).collect();
        let mut functions: Vec<&String> = self.functions.iter().collect();
        functions.sort();
        functions.dedup();
        let tables = names.into_iter().map(|name| {
            let o = self.objects.get(name);
            (
                TABLE,
                name,
                o.map(|o| o.kind.as_str()),
                o.and_then(|o| o.partitioning).map(Partitioning::as_str),
                self.schemas.get(name),
            )
        });
        let functions = functions
            .into_iter()
            .map(|name| (FUNCTION, name, None, None, None));
        let mut catalogs: Vec<&String> = self.catalogs.iter().collect();
        catalogs.sort();
        catalogs.dedup();
        let catalogs = catalogs
            .into_iter()
            .map(|name| (CATALOG, name, None, None, None));
        tables
            .chain(functions)
            .chain(catalogs)
            .enumerate()
            .map(|(seq, (ty, name, kind, partitioning, fingerprint))| {
                vec![
                    Val::text(id),
                    Val::Int(seq as i64),
                    Val::text(ty),
                    Val::text(name),
                    Val::opt_text(kind),
                    Val::opt_text(partitioning),
                    Val::opt_text(fingerprint.map(String::as_str)),
                ]
            })
            .collect()
    }
}

fn parse_kind(s: &str) -> Option<TableKind> {
    [
        TableKind::Olap,
        TableKind::View,
        TableKind::MaterializedView,
        TableKind::External,
    ]
    .into_iter()
    .find(|k| k.as_str() == s)
}

fn parse_partitioning(s: &str) -> Option<Partitioning> {
    [
        Partitioning::Range,
        Partitioning::ExprRange,
        Partitioning::List,
        Partitioning::Unpartitioned,
    ]
    .into_iter()
    .find(|p| p.as_str() == s)
}

fn bad(table: &str, column: &str, value: &str) -> RuntimeError {
    RuntimeError::StateData {
        table: table.into(),
        message: format!("column `{column}` holds `{value}`"),
    }
}

/// Adds one `backup_objects` row to `into`, read by column name.
fn add_row(into: &mut BackupObjects, r: &NamedRow<'_>) -> Result<(), RuntimeError> {
    let name = r.text("object_name")?.to_string();
    let ty = r.text("object_type")?;
    match ty {
        FUNCTION => into.functions.push(name),
        CATALOG => into.catalogs.push(name),
        TABLE => {
            if let Some(f) = r.get("schema_fingerprint")? {
                into.schemas.insert(name.clone(), f.to_string());
            }
            if let Some(k) = r.get("object_kind")? {
                let kind =
                    parse_kind(k).ok_or_else(|| bad(BACKUP_OBJECTS.name, "object_kind", k))?;
                let partitioning = match r.get("partitioning")? {
                    Some(p) => Some(
                        parse_partitioning(p)
                            .ok_or_else(|| bad(BACKUP_OBJECTS.name, "partitioning", p))?,
                    ),
                    None => None,
                };
                into.objects
                    .insert(name, BackedUpObject { kind, partitioning });
            }
        }
        other => return Err(bad(BACKUP_OBJECTS.name, "object_type", other)),
    }
    Ok(())
}

impl StateStore {
    /// Replaces backup `id`'s objects with `objects`.
    pub(super) fn write_objects(
        &mut self,
        id: &str,
        objects: &BackupObjects,
    ) -> Result<(), RuntimeError> {
        let target = self.table(BACKUP_OBJECTS.name);
        let delete = format!(
            "DELETE FROM {target} WHERE {}",
            sql::conjunction(&[("backup_id", Val::text(id))])
        );
        self.conn.execute(&delete)?;
        self.insert_object_rows(&objects.rows(id))
    }

    fn insert_object_rows(&mut self, rows: &[Vec<Val>]) -> Result<(), RuntimeError> {
        let target = self.table(BACKUP_OBJECTS.name);
        self.upsert_rows(&target, &BACKUP_OBJECTS.column_names(), rows)
    }

    /// Records StarRocks's `backup_time` of backup `id`'s snapshot.
    pub(super) fn write_backup_time(
        &mut self,
        id: &str,
        backup_time_ms: i64,
    ) -> Result<(), RuntimeError> {
        let row = vec![
            Val::text(id),
            Val::Int(backup_time_ms),
            Val::Int(self.clock.now_ms()),
        ];
        let stmt = sql::upsert(
            self.config.backend,
            &self.table(BACKUP_SNAPSHOTS.name),
            &BACKUP_SNAPSHOTS.column_names(),
            &[row],
        );
        self.conn.execute(&stmt)?;
        Ok(())
    }

    /// `SELECT cols FROM table` restricted to `ids` (an `IN` list when short, else all rows).
    pub(super) fn select_for(&self, table: &str, cols: &[&str], ids: &[&str]) -> String {
        let mut q = sql::select(&self.table(table), cols, &[], "", None);
        if ids.len() <= IN_LIST_MAX {
            let list: Vec<String> = ids.iter().map(|i| Val::text(*i).sql()).collect();
            q.push_str(&format!(
                " WHERE {} IN ({})",
                sql::columns(&["backup_id"]),
                list.join(", ")
            ));
        }
        q
    }

    /// The snapshot times of backups `ids` and the objects (one row per table) of
    /// `with_objects` (absent: nothing recorded). Two statements whatever the number of
    /// backups.
    pub(super) fn read_facts_of(
        &mut self,
        ids: &[&str],
        with_objects: &[&str],
    ) -> Result<HashMap<String, (BackupObjects, Option<i64>)>, RuntimeError> {
        let mut out: HashMap<String, (BackupObjects, Option<i64>)> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        if !with_objects.is_empty() {
            self.read_objects_into(with_objects, &mut out)?;
        }
        let wanted: BTreeSet<&str> = ids.iter().copied().collect();
        let q = self.select_for(BACKUP_SNAPSHOTS.name, &BACKUP_SNAPSHOTS.column_names(), ids);
        let rs = self.conn.query(&q)?;
        for r in rs.iter() {
            let id = r.text("backup_id")?;
            if wanted.contains(id) {
                out.entry(id.to_string()).or_default().1 = r.opt_i64("backup_time_ms")?;
            }
        }
        Ok(out)
    }

    fn read_objects_into(
        &mut self,
        ids: &[&str],
        out: &mut HashMap<String, (BackupObjects, Option<i64>)>,
    ) -> Result<(), RuntimeError> {
        let wanted: BTreeSet<&str> = ids.iter().copied().collect();
        let q = self.select_for(BACKUP_OBJECTS.name, &BACKUP_OBJECTS.column_names(), ids);
        let rs = self.conn.query(&q)?;
        let mut rows = Vec::new();
        for r in rs.iter() {
            let id = r.text("backup_id")?;
            if wanted.contains(id) {
                rows.push((id.to_string(), r.i64("seq")?, r));
            }
        }
        rows.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        for (id, _, r) in rows {
            add_row(&mut out.entry(id).or_default().0, &r)?;
        }
        Ok(())
    }

    /// Migration 2's data step: the schema fingerprints version 1 kept in
    /// `backups.schemas_json` become `backup_objects` rows, for every backup that has none
    /// yet. Upserts keyed by (backup, seq): an interrupted run is simply re-run.
    pub fn backfill_backup_objects(&mut self) -> Result<(), RuntimeError> {
        let have: BTreeSet<String> = {
            let q = sql::select(
                &self.table(BACKUP_OBJECTS.name),
                &["backup_id"],
                &[],
                "",
                None,
            );
            let rs = self.conn.query(&q)?;
            rs.iter()
                .map(|r| r.text("backup_id").map(str::to_string))
                .collect::<Result<_, _>>()?
        };
        let q = sql::select(
            &self.table(BACKUPS.name),
            &["backup_id", "schemas_json"],
            &[],
            "",
            None,
        );
        let rs = self.conn.query(&q)?;
        let mut rows = Vec::new();
        for r in rs.iter() {
            let id = r.text("backup_id")?;
            if have.contains(id) {
                continue;
            }
            let json = r.get("schemas_json")?.unwrap_or("{}");
            let schemas: BTreeMap<String, String> =
                serde_json::from_str(json).map_err(|_| bad(BACKUPS.name, "schemas_json", json))?;
            let objects = BackupObjects {
                schemas,
                ..BackupObjects::default()
            };
            rows.extend(objects.rows(id));
        }
        self.insert_object_rows(&rows)
    }
}
