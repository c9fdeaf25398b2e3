//! Set manifests: the description of a finished backup set that apply writes into the
//! repository itself (`<repo root>/__starsnap/sets/<set>.json`), so that a cluster restored
//! from nothing but its repository gets its chains back (`starsnap init --from-repository`).
//!
//! A manifest is written only after every label of the set finished, and rewritten whole by
//! a resumed run (idempotent). It is never trusted over StarRocks: [`confirm`] keeps a set
//! only when SHOW SNAPSHOT lists every one of its labels with the recorded timestamp.
//! It holds no secret: names, ids, versions, kinds and fingerprints only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use starsnap_compiler::catalog::{BackedUpObject, BackupKind, BackupState};

use crate::state::{BackupEntry, EpochMillis, ManifestRow};

/// The newest format this starsnap reads. It writes the oldest that describes a set: 1 for a
/// database's set, 2 for an external-catalog set ([`CATALOG_SET_FORMAT_VERSION`]).
pub const SET_FORMAT_VERSION: u32 = 2;

/// Format 2: a set of external catalogs (`database` empty, each label's `catalogs`). A
/// starsnap that reads only format 1 skips such a set rather than taking it for a database.
pub const CATALOG_SET_FORMAT_VERSION: u32 = 2;

/// One finished set as the repository describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetManifest {
    pub format_version: u32,
    pub set: String,
    pub group: String,
    pub database: String,
    pub kind: BackupKind,
    /// The set this incremental builds on.
    #[serde(default)]
    pub parent: Option<String>,
    pub repository: String,
    /// Every label of the set, by chunk index.
    pub labels: Vec<LabelManifest>,
}

/// One label (chunk) of a set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelManifest {
    pub label: String,
    pub chunk_index: u32,
    pub chunk_count: u32,
    /// SHOW SNAPSHOT's timestamp of the snapshot.
    pub snapshot_timestamp: String,
    /// StarRocks's `backup_time` (epoch ms), when SHOW SNAPSHOT's detail form showed it.
    #[serde(default)]
    pub backup_time_ms: Option<i64>,
    pub plan_fingerprint: String,
    pub submitted_ms: EpochMillis,
    #[serde(default)]
    pub finished_ms: Option<EpochMillis>,
    /// Table (view, materialized view) → kind, partitioning, schema fingerprint.
    #[serde(default)]
    pub objects: BTreeMap<String, ObjectManifest>,
    #[serde(default)]
    pub functions: Vec<String>,
    /// The external catalogs the snapshot holds (a catalog set: format 2). Names only; a
    /// catalog's properties (credentials among them) stay in StarRocks's own snapshot.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalogs: Vec<String>,
    /// The partitions the snapshot holds.
    pub partitions: Vec<PartitionManifest>,
    /// Every object of the snapshot's folder with its size, as listed right after the
    /// backup finished (what `verify` checks the repository against); empty when starsnap
    /// could not list it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileManifest>,
}

/// One object of a snapshot: its path relative to the `__ss_<label>` folder and its size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileManifest {
    pub path: String,
    pub size: u64,
}

/// One object of a label.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectManifest {
    #[serde(default)]
    pub object: Option<BackedUpObject>,
    #[serde(default)]
    pub schema_fingerprint: Option<String>,
}

/// One partition of a label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionManifest {
    pub table: String,
    pub partition: String,
    pub partition_id: i64,
    pub visible_version: i64,
    #[serde(default)]
    pub rows: Option<i64>,
    #[serde(default)]
    pub data_size: Option<i64>,
}

/// [`SetManifest::is_complete`] over any list of entries.
fn complete<'a>(mut entries: impl ExactSizeIterator<Item = &'a BackupEntry>) -> bool {
    let len = entries.len();
    let Some(first) = entries.next() else {
        return false;
    };
    let count = first.chunk_count.max(1);
    len == count as usize
        && first.state == BackupState::Finished
        && entries.all(|e| {
            e.state == BackupState::Finished && e.set == first.set && e.chunk_count == count
        })
}

impl SetManifest {
    /// Whether `entries` are every label of one set, each finished: as many as the set's
    /// chunk count, all of the first's set and count.
    pub fn is_complete(entries: &[BackupEntry]) -> bool {
        complete(entries.iter())
    }

    /// The manifest of a set from its finished labels (each with its manifest rows).
    /// `None` unless every label of the set is there and finished.
    pub fn from_entries(labels: &[(BackupEntry, Vec<ManifestRow>)]) -> Option<SetManifest> {
        let (first, _) = labels.first()?;
        if !complete(labels.iter().map(|(e, _)| e)) {
            return None;
        }
        let mut sorted: Vec<&(BackupEntry, Vec<ManifestRow>)> = labels.iter().collect();
        sorted.sort_by_key(|(e, _)| (e.chunk_index, e.label.clone()));
        let mut out = Vec::with_capacity(sorted.len());
        for (e, rows) in sorted {
            let names: std::collections::BTreeSet<&String> =
                e.objects.keys().chain(e.schemas.keys()).collect();
            let objects = names
                .into_iter()
                .map(|n| {
                    (
                        n.clone(),
                        ObjectManifest {
                            object: e.objects.get(n).cloned(),
                            schema_fingerprint: e.schemas.get(n).cloned(),
                        },
                    )
                })
                .collect();
            out.push(LabelManifest {
                label: e.label.clone(),
                chunk_index: e.chunk_index,
                chunk_count: e.chunk_count,
                snapshot_timestamp: e.snapshot_timestamp.clone()?,
                backup_time_ms: e.backup_time_ms,
                plan_fingerprint: e.plan_fingerprint.clone(),
                submitted_ms: e.submitted_ms,
                finished_ms: e.finished_ms,
                objects,
                functions: e.functions.clone(),
                catalogs: e.catalogs.clone(),
                partitions: rows
                    .iter()
                    .map(|m| PartitionManifest {
                        table: m.table.clone(),
                        partition: m.partition.clone(),
                        partition_id: m.partition_id,
                        visible_version: m.visible_version,
                        rows: m.rows,
                        data_size: m.data_size,
                    })
                    .collect(),
                files: Vec::new(),
            });
        }
        let catalogs = out.iter().any(|l| !l.catalogs.is_empty());
        Some(SetManifest {
            format_version: if catalogs {
                CATALOG_SET_FORMAT_VERSION
            } else {
                1
            },
            set: first.set.clone(),
            group: first.group.clone(),
            database: first.database.clone(),
            kind: first.kind,
            parent: first.parent.clone(),
            repository: first.repository.clone(),
            labels: out,
        })
    }

    /// Canonical JSON (two-space indent, trailing newline).
    pub fn to_json(&self) -> Result<Vec<u8>, String> {
        let mut s = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        s.push('\n');
        Ok(s.into_bytes())
    }

    /// Parses a manifest; a newer format or a malformed file is an error text.
    pub fn from_json(bytes: &[u8]) -> Result<SetManifest, String> {
        let m: SetManifest =
            serde_json::from_slice(bytes).map_err(|e| format!("not a set manifest: {e}"))?;
        if m.format_version > SET_FORMAT_VERSION {
            return Err(format!(
                "format_version {} is newer than this starsnap reads ({SET_FORMAT_VERSION})",
                m.format_version
            ));
        }
        if m.labels.is_empty() {
            return Err("the manifest lists no label".into());
        }
        Ok(m)
    }

    /// The history rows this manifest stands for (finished backups, with their manifests),
    /// recorded under `run_id`.
    pub fn to_entries(&self, run_id: &str) -> Vec<(BackupEntry, Vec<ManifestRow>)> {
        self.labels
            .iter()
            .map(|l| {
                let rows: Vec<ManifestRow> = l
                    .partitions
                    .iter()
                    .map(|p| ManifestRow {
                        database: self.database.clone(),
                        table: p.table.clone(),
                        partition: p.partition.clone(),
                        partition_id: p.partition_id,
                        visible_version: p.visible_version,
                        rows: p.rows,
                        data_size: p.data_size,
                    })
                    .collect();
                let e = BackupEntry {
                    label: l.label.clone(),
                    set: self.set.clone(),
                    chunk_index: l.chunk_index,
                    chunk_count: l.chunk_count,
                    group: self.group.clone(),
                    database: self.database.clone(),
                    kind: self.kind,
                    parent: self.parent.clone(),
                    repository: self.repository.clone(),
                    snapshot_timestamp: Some(l.snapshot_timestamp.clone()),
                    plan_fingerprint: l.plan_fingerprint.clone(),
                    step_id: "from-repository".into(),
                    run_id: run_id.to_string(),
                    state: BackupState::Finished,
                    job_state: Some("FINISHED".into()),
                    status: None,
                    task_err_msg: None,
                    schemas: l
                        .objects
                        .iter()
                        .filter_map(|(n, o)| Some((n.clone(), o.schema_fingerprint.clone()?)))
                        .collect(),
                    objects: l
                        .objects
                        .iter()
                        .filter_map(|(n, o)| Some((n.clone(), o.object.clone()?)))
                        .collect(),
                    functions: l.functions.clone(),
                    catalogs: l.catalogs.clone(),
                    backup_time_ms: l.backup_time_ms,
                    partition_count: Some(rows.len() as i64),
                    data_size: rows
                        .iter()
                        .map(|m| m.data_size)
                        .try_fold(0i64, |acc, s| s.map(|s| acc.saturating_add(s))),
                    submitted_ms: l.submitted_ms,
                    updated_ms: l.finished_ms.unwrap_or(l.submitted_ms),
                    finished_ms: l.finished_ms,
                };
                (e, rows)
            })
            .collect()
    }
}

/// The history the manifests stand for, as the planners read it (oldest first): what a
/// restore or a drill plans from when the repository is the source.
pub fn history(sets: &[SetManifest]) -> starsnap_compiler::catalog::History {
    let mut backups = Vec::new();
    for set in sets {
        for (entry, rows) in set.to_entries("from-repository") {
            backups.push(entry.to_record(&rows));
        }
    }
    starsnap_compiler::catalog::History { backups }
}

/// Why a set manifest read from the repository is not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedSet {
    pub set: String,
    pub reason: String,
}

/// The manifests SHOW SNAPSHOT confirms: every label listed with the manifest's timestamp.
/// `snapshots` is SHOW SNAPSHOT's label → timestamps. The others are returned with why.
/// Sets come back oldest first (by their first label's submission time, then name).
pub fn confirm(
    read: Vec<(String, Result<SetManifest, String>)>,
    snapshots: &BTreeMap<String, Vec<String>>,
) -> (Vec<SetManifest>, Vec<SkippedSet>) {
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for (set, parsed) in read {
        let m = match parsed {
            Ok(m) => m,
            Err(reason) => {
                skipped.push(SkippedSet { set, reason });
                continue;
            }
        };
        let missing: Vec<&str> = m
            .labels
            .iter()
            .filter(|l| {
                !snapshots
                    .get(&l.label)
                    .is_some_and(|ts| ts.contains(&l.snapshot_timestamp))
            })
            .map(|l| l.label.as_str())
            .collect();
        if missing.is_empty() {
            kept.push(m);
        } else {
            skipped.push(SkippedSet {
                set,
                reason: format!(
                    "SHOW SNAPSHOT does not list {} (its snapshot is gone)",
                    missing.join(", ")
                ),
            });
        }
    }
    kept.sort_by_key(|m| {
        (
            m.labels.iter().map(|l| l.submitted_ms).min().unwrap_or(0),
            m.set.clone(),
        )
    });
    (kept, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str, label: &str, ts: &str) -> SetManifest {
        SetManifest {
            format_version: SET_FORMAT_VERSION,
            set: name.into(),
            group: "g".into(),
            database: "d".into(),
            kind: BackupKind::Full,
            parent: None,
            repository: "r".into(),
            labels: vec![LabelManifest {
                label: label.into(),
                chunk_index: 1,
                chunk_count: 1,
                snapshot_timestamp: ts.into(),
                backup_time_ms: None,
                plan_fingerprint: "f".into(),
                submitted_ms: 1,
                finished_ms: None,
                objects: BTreeMap::new(),
                functions: Vec::new(),
                catalogs: Vec::new(),
                partitions: Vec::new(),
                files: Vec::new(),
            }],
        }
    }

    #[test]
    fn round_trips_and_refuses_a_newer_format() -> Result<(), String> {
        let m = set("s", "l", "t");
        assert_eq!(SetManifest::from_json(&m.to_json()?)?, m);
        let mut newer = m.clone();
        newer.format_version = SET_FORMAT_VERSION + 1;
        assert!(SetManifest::from_json(&newer.to_json()?).is_err());
        assert!(SetManifest::from_json(b"{").is_err());
        Ok(())
    }

    #[test]
    fn a_catalog_set_is_format_2_and_keeps_its_catalogs() -> Result<(), String> {
        let mut m = set("cats", "cats", "t");
        m.database = String::new();
        m.labels[0].catalogs = vec!["lake".into()];
        let entries = m.to_entries("r1");
        assert_eq!(entries[0].0.catalogs, ["lake"]);
        let mut finished = entries;
        finished[0].0.snapshot_timestamp = Some("t".into());
        let back = SetManifest::from_entries(&finished).ok_or("complete")?;
        assert_eq!(back.format_version, CATALOG_SET_FORMAT_VERSION);
        assert_eq!(back.labels[0].catalogs, ["lake"]);
        assert_eq!(SetManifest::from_json(&back.to_json()?)?, back);
        // A database's set stays format 1, readable by a starsnap that knows only format 1,
        // and never says `catalogs`.
        let db = SetManifest::from_entries(&set("s", "l", "t").to_entries("r1")).ok_or("db")?;
        assert_eq!(db.format_version, 1);
        assert!(!String::from_utf8_lossy(&db.to_json()?).contains("catalogs"));
        let history = history(&[back]);
        assert_eq!(history.backups[0].catalogs, ["lake"]);
        assert!(history.backups[0].database.is_empty());
        Ok(())
    }

    #[test]
    fn show_snapshot_decides() {
        let snapshots = BTreeMap::from([("a".to_string(), vec!["t1".to_string()])]);
        let (kept, skipped) = confirm(
            vec![
                ("a".into(), Ok(set("a", "a", "t1"))),
                ("b".into(), Ok(set("b", "b", "t1"))),
                ("c".into(), Ok(set("c", "a", "other-time"))),
                ("d".into(), Err("not a set manifest".into())),
            ],
            &snapshots,
        );
        assert_eq!(kept.len(), 1);
        let names: Vec<&str> = skipped.iter().map(|s| s.set.as_str()).collect();
        assert_eq!(names, ["b", "c", "d"]);
    }
}
