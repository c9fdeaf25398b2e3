//! The store's history as the compiler's observed-catalog history
//! (`starsnap_compiler::catalog::History`), which the planner reads: the conversion is
//! explicit and lives here, so neither side's row shape leaks into the other.

use starsnap_compiler::catalog::{BackupRecord, History, ManifestEntry};

use std::collections::HashMap;

use super::history::{backup_id, manifest_row, BackupEntry, HistoryFilter, ManifestRow};
use super::schema::MANIFESTS;
use super::sql;
use super::{format_utc, StateStore};
use crate::error::RuntimeError;

impl BackupEntry {
    /// This backup as a catalog record, with `manifest` (the partitions it holds).
    pub fn to_record(&self, manifest: &[ManifestRow]) -> BackupRecord {
        BackupRecord {
            label: self.label.clone(),
            group: self.group.clone(),
            database: self.database.clone(),
            kind: self.kind,
            set: (self.set != self.label).then(|| self.set.clone()),
            chunk_count: (self.chunk_count > 1).then_some(self.chunk_count),
            parent: self.parent.clone(),
            repository: self.repository.clone(),
            snapshot_timestamp: self.snapshot_timestamp.clone(),
            created_at: format_utc(self.submitted_ms),
            state: self.state,
            schemas: self.schemas.clone(),
            manifest: manifest.iter().map(ManifestRow::to_entry).collect(),
            backup_time_ms: self.backup_time_ms,
            objects: self.objects.clone(),
            functions: self.functions.clone(),
            catalogs: self.catalogs.clone(),
            table_digests: None,
        }
    }
}

impl ManifestRow {
    /// This row as a catalog manifest entry.
    pub fn to_entry(&self) -> ManifestEntry {
        ManifestEntry {
            table: self.table.clone(),
            partition: self.partition.clone(),
            partition_id: self.partition_id,
            visible_version: self.visible_version,
            // Exact counts taken at the snapshot's version (never partitions_meta's lagging
            // ROW_COUNT).
            rows: self.rows,
        }
    }
}

impl StateStore {
    /// Every manifest row, by backup id (one statement).
    pub(super) fn all_manifest_rows(
        &mut self,
    ) -> Result<HashMap<String, Vec<ManifestRow>>, RuntimeError> {
        let q = sql::select(
            &self.table(MANIFESTS.name),
            &MANIFESTS.column_names(),
            &[],
            "",
            None,
        );
        let rs = self.conn.query(&q)?;
        let mut by_backup: HashMap<String, Vec<ManifestRow>> = HashMap::new();
        for r in rs.iter() {
            by_backup
                .entry(r.text("backup_id")?.to_string())
                .or_default()
                .push(manifest_row(&r)?);
        }
        Ok(by_backup)
    }

    /// The history for the observed catalog: the backups `filter` selects, oldest first,
    /// each finished one with its manifest.
    ///
    /// Four statements whatever the length of the history: the backups (with their objects
    /// and backup times, `objects.rs`), then every manifest row at once (grouped here by
    /// backup), never a statement per backup.
    pub fn catalog_history(&mut self, filter: &HistoryFilter) -> Result<History, RuntimeError> {
        let mut entries = self.list_backups(filter)?;
        entries.reverse();
        let mut by_backup = self.all_manifest_rows()?;
        let mut backups = Vec::with_capacity(entries.len());
        for e in &entries {
            let manifest = if e.state == super::BackupState::Finished {
                let mut m = by_backup
                    .remove(&backup_id(&e.repository, &e.label))
                    .unwrap_or_default();
                m.sort_by(|a, b| {
                    (&a.table, &a.partition, a.partition_id).cmp(&(
                        &b.table,
                        &b.partition,
                        b.partition_id,
                    ))
                });
                m
            } else {
                Vec::new()
            };
            backups.push(e.to_record(&manifest));
        }
        Ok(History { backups })
    }
}
