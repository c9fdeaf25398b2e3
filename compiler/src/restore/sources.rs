//! The objects of a database at the chosen point, and where each partition is read from.
//!
//! Inside one chain the schema does not change and partitions are only added or changed (a
//! schema change, a replaced or a dropped partition forces a full), so the table at the tip is
//! every partition from the newest set of the chain that holds it (spec §9.4). Walking the
//! chain oldest first and letting a later set overwrite an earlier one gives exactly that.

use std::collections::BTreeMap;

use super::point::Chosen;
use crate::catalog::{BackupRecord, Database, ManifestEntry, Partitioning, TableKind};

/// A snapshot label of the chain: its set's position (0 = the full) and its record.
#[derive(Clone, Copy, Debug)]
pub(super) struct LabelRef<'a> {
    pub set_index: usize,
    pub record: &'a BackupRecord,
}

impl LabelRef<'_> {
    /// Chain order: oldest set first, then by label.
    pub fn key(&self) -> (usize, &str) {
        (self.set_index, self.record.label.as_str())
    }
}

/// Where one partition is read from.
#[derive(Clone, Copy, Debug)]
pub(super) struct Read<'a> {
    pub from: LabelRef<'a>,
    pub entry: &'a ManifestEntry,
}

/// One object (table, view, MV) at the point.
#[derive(Clone, Debug)]
pub(super) struct Object<'a> {
    pub name: &'a str,
    pub kind: TableKind,
    pub partitioning: Option<Partitioning>,
    /// From the newest set naming it (empty when never recorded).
    pub schema_fingerprint: &'a str,
    /// Partition → the newest label holding it.
    pub partitions: BTreeMap<&'a str, Read<'a>>,
    /// The newest label naming the object (an object without partitions is read from it).
    pub holder: LabelRef<'a>,
}

impl<'a> Object<'a> {
    /// The labels the object is read from, in chain order, each once.
    pub fn labels(&self) -> Vec<LabelRef<'a>> {
        if self.partitions.is_empty() {
            return vec![self.holder];
        }
        let mut by_key: BTreeMap<(usize, &str), LabelRef<'a>> = BTreeMap::new();
        for read in self.partitions.values() {
            by_key.insert(read.from.key(), read.from);
        }
        by_key.into_values().collect()
    }

    /// The partitions read from `label`, by name.
    pub fn read_from(&self, label: &LabelRef<'_>) -> Vec<&'a str> {
        self.partitions
            .iter()
            .filter(|(_, r)| r.from.key() == label.key())
            .map(|(p, _)| *p)
            .collect()
    }
}

/// The database at the point.
#[derive(Clone, Debug, Default)]
pub(super) struct AtPoint<'a> {
    pub objects: BTreeMap<&'a str, Object<'a>>,
    /// The newest label holding functions, and their names.
    pub functions: Option<(LabelRef<'a>, &'a [String])>,
}

/// Every object the chain holds at its tip; `live` supplies kind and partitioning for history
/// that did not record them (only when the live schema is the snapshot's).
pub(super) fn at_point<'a>(chosen: &Chosen<'a>, live: Option<&Database>) -> AtPoint<'a> {
    let mut at = AtPoint::default();
    for (set_index, set) in chosen.sets.iter().enumerate() {
        for record in &set.records {
            let from = LabelRef { set_index, record };
            let names = record
                .schemas
                .keys()
                .chain(record.objects.keys())
                .chain(record.manifest.iter().map(|e| &e.table));
            for name in names {
                let object = at.objects.entry(name.as_str()).or_insert_with(|| Object {
                    name: name.as_str(),
                    kind: TableKind::Olap,
                    partitioning: None,
                    schema_fingerprint: "",
                    partitions: BTreeMap::new(),
                    holder: from,
                });
                object.holder = from;
                if let Some(f) = record.schemas.get(name) {
                    object.schema_fingerprint = f;
                }
                if let Some(o) = record.objects.get(name) {
                    object.kind = o.kind;
                    object.partitioning = o.partitioning.or(object.partitioning);
                }
            }
            for entry in &record.manifest {
                if let Some(object) = at.objects.get_mut(entry.table.as_str()) {
                    object
                        .partitions
                        .insert(entry.partition.as_str(), Read { from, entry });
                }
            }
            if !record.functions.is_empty() {
                at.functions = Some((from, record.functions.as_slice()));
            }
        }
    }
    for object in at.objects.values_mut() {
        let recorded = chosen.sets.iter().any(|s| {
            s.records
                .iter()
                .any(|r| r.objects.contains_key(object.name))
        });
        let Some(table) = live.and_then(|d| d.table(object.name)) else {
            continue;
        };
        if !recorded && table.kind != TableKind::External {
            object.kind = table.kind;
        }
        let same_schema = !object.schema_fingerprint.is_empty()
            && object.schema_fingerprint == table.schema_fingerprint;
        if object.partitioning.is_none() && same_schema {
            object.partitioning = table.partitioning;
        }
    }
    at
}
