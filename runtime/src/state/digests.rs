//! Per-table digests of each finished backup's manifest (`backup_table_digests`, schema 4),
//! and the history a plan reads through them (issue 14: planning cost proportional to change).
//!
//! * Written with the manifest (`history::write_manifest`), before the backup's row turns
//!   `finished`: per table, the digest of the backup's entries of it (what the plan's input
//!   fingerprint records) and the state of the table after the set when apply proved it.
//! * [`StateStore::plan_history`]: every backup with its objects and digests, no manifest
//!   rows; then [`StateStore::load_manifests`] reads, in one statement, only the rows
//!   `planner::manifests_needed` names (the tables whose digest differs from the cluster's,
//!   in the chains the plan extends).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use starsnap_compiler::catalog::{manifest_entries_digests, History, ObservedCatalog, TableDigest};
use starsnap_compiler::planner::{
    chain_members, manifests_needed, partitions_needed, ManifestNeed, PlanInputs,
};

use super::history::{backup_id, manifest_row, BackupState, HistoryFilter, ManifestRow};
use super::schema::{BACKUP_TABLE_DIGESTS, MANIFESTS};
use super::sql::{self, Val};
use super::StateStore;
use crate::error::RuntimeError;

/// The schema version from which every finished backup has its digests.
const DIGESTS_SINCE: u32 = 4;

/// The `backup_table_digests` rows of backup `id`: one per table of `manifest`, in name
/// order, with the state digest `states` holds for it.
fn rows(id: &str, manifest: &[ManifestRow], states: &BTreeMap<String, String>) -> Vec<Vec<Val>> {
    let entries: Vec<_> = manifest.iter().map(ManifestRow::to_entry).collect();
    manifest_entries_digests(&entries)
        .into_iter()
        .enumerate()
        .map(|(seq, (table, entries))| {
            let state = states.get(&table).map(String::as_str);
            vec![
                Val::text(id),
                Val::Int(seq as i64),
                Val::text(&table),
                Val::text(entries),
                Val::opt_text(state),
            ]
        })
        .collect()
}

impl StateStore {
    /// Replaces backup `id`'s table digests with those of `manifest` (`states`: the proven
    /// state digest per table after the backup's set).
    pub(super) fn write_table_digests(
        &mut self,
        id: &str,
        manifest: &[ManifestRow],
        states: &BTreeMap<String, String>,
    ) -> Result<(), RuntimeError> {
        let target = self.table(BACKUP_TABLE_DIGESTS.name);
        let delete = format!(
            "DELETE FROM {target} WHERE {}",
            sql::conjunction(&[("backup_id", Val::text(id))])
        );
        self.conn.execute(&delete)?;
        self.upsert_rows(
            &target,
            &BACKUP_TABLE_DIGESTS.column_names(),
            &rows(id, manifest, states),
        )
    }

    /// The table digests of backups `ids` (absent: none recorded), in one statement.
    fn read_table_digests(
        &mut self,
        ids: &[&str],
    ) -> Result<HashMap<String, BTreeMap<String, TableDigest>>, RuntimeError> {
        let mut out: HashMap<String, BTreeMap<String, TableDigest>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let wanted: BTreeSet<&str> = ids.iter().copied().collect();
        let q = self.select_for(
            BACKUP_TABLE_DIGESTS.name,
            &BACKUP_TABLE_DIGESTS.column_names(),
            ids,
        );
        let rs = self.conn.query(&q)?;
        for r in rs.iter() {
            let id = r.text("backup_id")?;
            if !wanted.contains(id) {
                continue;
            }
            out.entry(id.to_string()).or_default().insert(
                r.text("table_name")?.to_string(),
                TableDigest {
                    entries: r.text("entries_digest")?.to_string(),
                    state: r.get("state_digest")?.map(str::to_string),
                },
            );
        }
        Ok(out)
    }

    /// The history for planning: every backup (oldest first) with its snapshot time; those
    /// of current chains (`planner::chain_members`) with their objects, and a finished one
    /// with its table digests and none of its manifest rows, which
    /// [`StateStore::load_manifests`] then reads for the tables a plan needs. A state older
    /// than schema 4 (not migrated yet: `plan` writes nothing) is read whole, as before.
    pub fn plan_history(&mut self) -> Result<History, RuntimeError> {
        if self.schema_version()?.is_none_or(|v| v < DIGESTS_SINCE) {
            return self.catalog_history(&HistoryFilter::default());
        }
        // Per-table facts (objects, digests) only of the sets in current chains: the
        // history's other sets matter to a plan by their identity and times alone.
        let mut entries = self.list_backup_rows(&HistoryFilter::default())?;
        entries.reverse();
        let records: Vec<_> = entries.iter().map(|e| e.to_record(&[])).collect();
        let in_chains: BTreeSet<String> = chain_members(&records)
            .into_iter()
            .map(|(repository, label)| backup_id(&repository, &label))
            .collect();
        self.attach_facts(&mut entries, Some(&in_chains))?;
        let ids: Vec<String> = entries
            .iter()
            .filter(|e| e.state == BackupState::Finished)
            .map(|e| backup_id(&e.repository, &e.label))
            .filter(|id| in_chains.contains(id))
            .collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut digests = self.read_table_digests(&refs)?;
        let backups = entries
            .iter()
            .map(|e| {
                let mut r = e.to_record(&[]);
                let id = backup_id(&e.repository, &e.label);
                if e.state == BackupState::Finished && in_chains.contains(&id) {
                    r.table_digests = Some(
                        digests
                            .remove(&backup_id(&e.repository, &e.label))
                            .unwrap_or_default(),
                    );
                }
                r
            })
            .collect();
        Ok(History { backups })
    }

    /// The history without manifest rows or digests: what the chains need (apply's check
    /// that the chains a plan extends did not move).
    pub fn chain_history(&mut self) -> Result<History, RuntimeError> {
        let mut entries = self.list_backups(&HistoryFilter::default())?;
        entries.reverse();
        Ok(History {
            backups: entries.iter().map(|e| e.to_record(&[])).collect(),
        })
    }

    /// Reads the manifest rows `needs` names into `history`'s records, in one statement.
    pub fn load_manifests(
        &mut self,
        history: &mut History,
        needs: &[ManifestNeed],
    ) -> Result<(), RuntimeError> {
        if needs.is_empty() {
            return Ok(());
        }
        let wanted: HashMap<String, &ManifestNeed> = needs
            .iter()
            .map(|n| (backup_id(&n.repository, &n.label), n))
            .collect();
        let ids: Vec<String> = wanted.keys().cloned().collect();
        let mut q = sql::select(
            &self.table(MANIFESTS.name),
            &MANIFESTS.column_names(),
            &[],
            "",
            None,
        );
        let list = |vals: Vec<String>| vals.join(", ");
        let by_id = format!(
            "{} IN ({})",
            sql::columns(&["backup_id"]),
            list(ids.iter().map(|i| Val::text(i).sql()).collect())
        );
        let tables: BTreeSet<&String> = needs
            .iter()
            .flat_map(|n| n.tables.iter().flatten())
            .collect();
        // Rows are filtered here by table in any case; the server is asked to when the list
        // is short. The table condition comes first: it is the selective one (a few tables
        // of a chain whose backups hold every table), and a server that reads rows one by
        // one need not test the backup of the others.
        if needs.iter().all(|n| n.tables.is_some())
            && tables.len() <= crate::inspect::SCOPE_TABLES_MAX
        {
            q.push_str(&format!(
                " WHERE {} IN ({}) AND {by_id}",
                sql::columns(&["table_name"]),
                list(tables.iter().map(|t| Val::text(t.as_str()).sql()).collect())
            ));
        } else {
            q.push_str(&format!(" WHERE {by_id}"));
        }
        let rs = self.conn.query(&q)?;
        let mut by_backup: HashMap<String, Vec<ManifestRow>> = HashMap::new();
        for r in rs.iter() {
            let id = r.text("backup_id")?;
            let Some(need) = wanted.get(id) else {
                continue;
            };
            let row = manifest_row(&r)?;
            if need.tables.as_ref().is_none_or(|t| t.contains(&row.table)) {
                by_backup.entry(id.to_string()).or_default().push(row);
            }
        }
        for b in &mut history.backups {
            let Some(mut rows) = by_backup.remove(&backup_id(&b.repository, &b.label)) else {
                continue;
            };
            rows.sort_by(|a, b| {
                (&a.table, &a.partition, a.partition_id).cmp(&(
                    &b.table,
                    &b.partition,
                    b.partition_id,
                ))
            });
            if b.state == BackupState::Finished {
                b.manifest = rows.iter().map(ManifestRow::to_entry).collect();
            }
        }
        Ok(())
    }

    /// Migration 4's data step: the table digests of every finished backup's manifest
    /// (entries only: the state after each set is not proven for history written before, so
    /// a plan reads those tables' rows until the next set records it). Reads every manifest
    /// once; upserts by (backup, seq), so an interrupted run is re-run.
    pub fn backfill_table_digests(&mut self) -> Result<(), RuntimeError> {
        let by_backup: BTreeMap<String, Vec<ManifestRow>> =
            self.all_manifest_rows()?.into_iter().collect();
        let none = BTreeMap::new();
        let all: Vec<Vec<Val>> = by_backup
            .iter()
            .flat_map(|(id, manifest)| rows(id, manifest, &none))
            .collect();
        let target = self.table(BACKUP_TABLE_DIGESTS.name);
        self.upsert_rows(&target, &BACKUP_TABLE_DIGESTS.column_names(), &all)
    }
}

/// What [`observe_for_plan`] asks the cluster for: the catalog with each table's partitions
/// summed (`Observe::catalog`, given the history), then the partitions of some tables listed
/// (`Observe::partitions`).
pub trait Observe {
    /// The catalog, tables `unread` where the cluster can sum their partitions.
    fn catalog(&mut self, history: History) -> Result<ObservedCatalog, RuntimeError>;
    /// Lists the partitions of `tables` (database → names) into `catalog`.
    fn partitions(
        &mut self,
        catalog: &mut ObservedCatalog,
        tables: &BTreeMap<String, BTreeSet<String>>,
    ) -> Result<(), RuntimeError>;
}

/// [`Observe`] by two closures.
pub struct ObserveWith<C, P> {
    pub catalog: C,
    pub partitions: P,
}

impl<C, P> Observe for ObserveWith<C, P>
where
    C: FnMut(History) -> Result<ObservedCatalog, RuntimeError>,
    P: FnMut(&mut ObservedCatalog, &BTreeMap<String, BTreeSet<String>>) -> Result<(), RuntimeError>,
{
    fn catalog(&mut self, history: History) -> Result<ObservedCatalog, RuntimeError> {
        (self.catalog)(history)
    }

    fn partitions(
        &mut self,
        catalog: &mut ObservedCatalog,
        tables: &BTreeMap<String, BTreeSet<String>>,
    ) -> Result<(), RuntimeError> {
        (self.partitions)(catalog, tables)
    }
}

/// Observes for a backup plan into `inputs.catalog` (issue 14: cost proportional to
/// change): the history from `store` (`None`: no state yet) with digests instead of
/// manifests; the cluster with every table's partitions summed; the manifest rows the plan
/// compares (`manifests_needed`: the tables whose digest differs from the chain's, in the
/// chains the plan extends); then the partitions of the tables the plan compares
/// (`partitions_needed`), asked again once those are read (comparing them may decide a
/// full, which lists every table). The plan built from `inputs` is the one a whole history
/// and every partition give.
pub fn observe_for_plan(
    store: Option<&mut StateStore>,
    inputs: &mut PlanInputs,
    observe: &mut dyn Observe,
) -> Result<(), RuntimeError> {
    match store {
        None => inputs.catalog = observe.catalog(History::default())?,
        Some(store) => {
            let history = store.plan_history()?;
            inputs.catalog = observe.catalog(history)?;
            let needs = manifests_needed(inputs);
            store.load_manifests(&mut inputs.catalog.history, &needs)?;
        }
    }
    // Each round lists tables still unread, so there are at most as many rounds as the
    // planner has reasons to widen (two); the bound only guards against a defect.
    for _ in 0..4 {
        let needed = match partitions_needed(inputs) {
            Some(n) => n,
            None => unread_tables(&inputs.catalog),
        };
        if needed.values().all(BTreeSet::is_empty) {
            break;
        }
        observe.partitions(&mut inputs.catalog, &needed)?;
    }
    Ok(())
}

/// Every table `catalog` holds unread, by database.
fn unread_tables(catalog: &ObservedCatalog) -> BTreeMap<String, BTreeSet<String>> {
    catalog
        .databases
        .iter()
        .map(|d| {
            let unread = d
                .tables
                .iter()
                .filter(|t| t.unread.is_some())
                .map(|t| t.name.clone())
                .collect();
            (d.name.clone(), unread)
        })
        .collect()
}
