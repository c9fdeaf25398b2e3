//! What a finished BACKUP leaves in its `__ss_<label>` folder and how it is read back: the
//! job info (`__info_<ts>.<md5>`, StarRocks's `BackupJobInfo` JSON: `job_info`), the meta
//! (`__meta.<md5>`: table, view, function and catalog definitions without rows) and, per
//! backed-up partition, its tablet's files in the tablet folder StarRocks uses
//! (`…/__idx_<id>/__<tablet>/`), each named `<file>.<md5 of its content>` as the backend
//! uploads them (`be/src/runtime/snapshot_loader.cpp`):
//!
//! - `<rowset id>_0.dat.<md5>` — the rows: a first line with the tablet's version, version
//!   time and row count, then one JSON array per row (the simulator's stand-in for a segment
//!   file; a real segment is binary);
//! - `<tablet id>.hdr.<md5>` — the tablet header (JSON: tablet, schema hash, version, rows;
//!   StarRocks's is a `TabletMeta`).
//!
//! The rowset id is 48 hex digits as `RowsetId::to_string` prints a version-2 id (`02`, the
//! tablet id in 14 digits, 32 digits of an MD5 of tablet and version). Snapshots of the
//! simulator's first format (`__<schemahash>/data.jsonl`, info with `kind` and `path`) are
//! still read. Also the `Details` brief SHOW SNAPSHOT prints (org.json `toString(1)`,
//! HashMap key order).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use starsnap_repo::layout::{self, TabletIds};

use super::job::Captured;
use super::job_info;
use super::storage::{self, RepoDir};
use crate::engine::catalog::{Partition, Row, Table};

/// `BackupJobInfo.meta_version` for StarRocks 3.4 (spec §3.3).
pub const META_VERSION: i64 = 92;
/// `StarRocksFEMetaVersion.VERSION_CURRENT` as the simulator writes it.
pub const STARROCKS_META_VERSION: i64 = 4;

/// `__info_<ts>.<md5>`: which objects the snapshot holds and where their data lies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobInfo {
    pub name: String,
    pub database: String,
    /// The database id at backup time.
    pub id: u64,
    /// Epoch milliseconds of the job's CreateTime.
    pub backup_time: i64,
    pub backup_objects: BTreeMap<String, TableInfo>,
    #[serde(default)]
    pub functions: Vec<String>,
    #[serde(default)]
    pub catalogs: Vec<String>,
    pub meta_version: i64,
    pub starrocks_meta_version: i64,
    pub backup_result: String,
    /// 4.2 retention keys (`BackupJobInfoRetentionTest`): the creating cluster's id, the
    /// finish time and the expiry (epoch ms) and the ttl as written; omitted when unset, so
    /// older readers see the file they know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableInfo {
    pub id: u64,
    /// `OLAP`, `VIEW` or `MATERIALIZED_VIEW` (from `__meta`: StarRocks's job info has no
    /// kind; empty until [`read_info_complete`] filled it).
    pub kind: String,
    pub partitions: BTreeMap<String, PartitionInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionInfo {
    pub id: u64,
    pub version: u64,
    pub index_id: u64,
    pub tablet_id: u64,
    pub schema_hash: u32,
    /// The file holding the rows, relative to the label folder.
    pub path: String,
    /// The tablet's files as the job info lists them (`<name>.<md5>`); empty for snapshots
    /// of the simulator's first format.
    #[serde(default)]
    pub files: Vec<String>,
}

/// `__meta.<md5>`: definitions captured at SNAPSHOTING, rows removed.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Meta {
    pub captured: Captured,
}

/// The first line of a `data.jsonl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabletHeader {
    pub version: u64,
    pub version_time: i64,
    pub rows: u64,
}

/// A schema hash: stable for equal column lists.
pub fn schema_hash(t: &Table) -> u32 {
    let cols = serde_json::to_string(&t.columns).unwrap_or_default();
    let hex = super::md5::hex_digest(cols.as_bytes());
    u32::from_str_radix(hex.get(..8).unwrap_or("0"), 16).unwrap_or(0) & 0x7fff_ffff
}

fn kind_name(t: &Table) -> &'static str {
    match t.kind {
        crate::engine::catalog::TableKind::Olap => "OLAP",
        crate::engine::catalog::TableKind::View => "VIEW",
        crate::engine::catalog::TableKind::MaterializedView => "MATERIALIZED_VIEW",
    }
}

/// The ids placing one partition's tablet (one tablet per partition: `p.id + 1`; the base
/// index has the table's id).
fn tablet_ids(db_id: u64, t: &Table, p: &Partition) -> TabletIds {
    TabletIds {
        db: db_id,
        table: t.id,
        partition: p.id,
        index: t.id,
        tablet: p.id + 1,
    }
}

/// `RowsetId::to_string` of a version-2 id: `hi` (`02` and 14 hex digits), `mi`, `lo`.
fn rowset_id(tablet: u64, version: u64) -> String {
    let h = super::md5::hex_digest(format!("{tablet}/{version}").as_bytes());
    format!(
        "02{:014x}{}",
        tablet & 0x00ff_ffff_ffff_ffff,
        h.get(..32).unwrap_or("")
    )
}

/// What writing one partition's tablet left: its files (`<name>.<md5>`), the data file's
/// size and the header's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TabletUpload {
    pub partition_id: u64,
    pub files: Vec<String>,
    pub data_bytes: u64,
    pub header_bytes: u64,
}

/// Below this many partitions a job's files are written on the calling thread.
const PARALLEL_FROM: usize = 64;

/// Writes every captured partition's tablet files (the UPLOADING step), in captured order.
/// Each partition's files are independent (a folder of their own), so a large job spreads
/// them over the machine's cores; what is written does not depend on how.
pub fn write_data(dir: &RepoDir, label: &str, c: &Captured) -> Result<Vec<TabletUpload>, String> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8);
    write_data_on(dir, label, c, threads)
}

/// [`write_data`] on at most `threads` threads.
fn write_data_on(
    dir: &RepoDir,
    label: &str,
    c: &Captured,
    threads: usize,
) -> Result<Vec<TabletUpload>, String> {
    let base = storage::label_dir(dir, label);
    let work: Vec<(&Table, u32, &Partition)> = c
        .tables
        .iter()
        .flat_map(|t| {
            let hash = schema_hash(t);
            t.partitions.iter().map(move |p| (t, hash, p))
        })
        .collect();
    let write = |&(t, hash, p): &(&Table, u32, &Partition)| {
        write_tablet(dir, &base, tablet_ids(c.db_id, t, p), hash, p)
    };
    if threads <= 1 || work.len() < PARALLEL_FROM {
        return work.iter().map(write).collect();
    }
    let per = work.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = work
            .chunks(per)
            .map(|chunk| s.spawn(move || chunk.iter().map(write).collect::<Result<Vec<_>, _>>()))
            .collect();
        let mut out = Vec::with_capacity(work.len());
        for h in handles {
            out.extend(
                h.join()
                    .map_err(|_| "a tablet writer stopped".to_string())??,
            );
        }
        Ok(out)
    })
}

/// One partition's tablet: `<rowset>_0.dat.<md5>` (a header line, then a JSON array per row)
/// and `<tablet>.hdr.<md5>` in the tablet's folder.
fn write_tablet(
    dir: &RepoDir,
    base: &str,
    ids: TabletIds,
    schema_hash: u32,
    p: &Partition,
) -> Result<TabletUpload, String> {
    let table = format!("{base}/{}", layout::table_dir_in_snapshot(ids));
    let [part, idx, tablet] = layout::tablet_folders(ids);
    dir.store.create_folders(&table, &[&part, &idx, &tablet])?;
    let folder = format!("{table}/{part}/{idx}/{tablet}");
    let header = TabletHeader {
        version: p.visible_version,
        version_time: p.visible_version_time,
        rows: p.rows.len() as u64,
    };
    let mut text = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    text.push(b'\n');
    for row in &p.rows {
        serde_json::to_writer(&mut text, row).map_err(|e| e.to_string())?;
        text.push(b'\n');
    }
    let hdr = serde_json::to_vec(&serde_json::json!({
        "tablet_id": ids.tablet,
        "schema_hash": schema_hash,
        "version": p.visible_version,
        "rows": p.rows.len(),
    }))
    .map_err(|e| e.to_string())?;
    let data_name = format!("{}_0.dat", rowset_id(ids.tablet, p.visible_version));
    let hdr_name = format!("{}.hdr", ids.tablet);
    let data_key = storage::write_with_md5(dir, &folder, &data_name, &text)?;
    let hdr_key = storage::write_with_md5(dir, &folder, &hdr_name, &hdr)?;
    let file_of = |key: &str| key.rsplit('/').next().unwrap_or(key).to_string();
    let mut files = vec![file_of(&data_key), file_of(&hdr_key)];
    files.sort();
    Ok(TabletUpload {
        partition_id: p.id,
        files,
        data_bytes: text.len() as u64,
        header_bytes: hdr.len() as u64,
    })
}

/// A partition as a job info holds it: its tablet's ids, version and schema hash, and the
/// tablet's files, of which the data file's path (in the tablet's folder) is the rows'.
pub fn partition_info(
    ids: TabletIds,
    version: u64,
    schema_hash: u32,
    files: Vec<String>,
) -> PartitionInfo {
    let folder = layout::tablet_dir_in_snapshot(ids);
    let path = files
        .iter()
        .find(|f| layout::split_checksum(f).is_some_and(|(n, _)| n.ends_with(".dat")))
        .map(|f| format!("{folder}/{f}"))
        .unwrap_or_default();
    PartitionInfo {
        id: ids.partition,
        version,
        index_id: ids.index,
        tablet_id: ids.tablet,
        schema_hash,
        path,
        files,
    }
}

/// Writes `__meta.<md5>` (the SAVE_META step); its size.
pub fn write_meta(dir: &RepoDir, label: &str, c: &Captured) -> Result<u64, String> {
    let mut stripped = c.clone();
    for t in &mut stripped.tables {
        for p in &mut t.partitions {
            p.rows.clear();
        }
    }
    let bytes = serde_json::to_vec(&Meta { captured: stripped }).map_err(|e| e.to_string())?;
    storage::write_with_md5(dir, &storage::label_dir(dir, label), "__meta", &bytes)
        .map(|_| bytes.len() as u64)
}

/// The job info of a captured snapshot; `tablet_files` are each partition's uploaded files
/// by partition id (`BackupJob`'s snapshot infos).
pub fn job_info(
    label: &str,
    db: &str,
    backup_time: i64,
    c: &Captured,
    catalogs: &[String],
    tablet_files: &BTreeMap<u64, Vec<String>>,
) -> JobInfo {
    let backup_objects = c
        .tables
        .iter()
        .map(|t| {
            let hash = schema_hash(t);
            let partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let files = tablet_files.get(&p.id).cloned().unwrap_or_default();
                    let ids = tablet_ids(c.db_id, t, p);
                    (
                        p.name.clone(),
                        partition_info(ids, p.visible_version, hash, files),
                    )
                })
                .collect();
            (
                t.name.clone(),
                TableInfo {
                    id: t.id,
                    kind: kind_name(t).to_string(),
                    partitions,
                },
            )
        })
        .collect();
    JobInfo {
        name: label.to_string(),
        database: db.to_string(),
        id: c.db_id,
        backup_time,
        backup_objects,
        functions: c.functions.iter().map(|f| f.name.clone()).collect(),
        catalogs: catalogs.to_vec(),
        meta_version: META_VERSION,
        starrocks_meta_version: STARROCKS_META_VERSION,
        backup_result: "succeed".to_string(),
        cluster_id: None,
        finish_time: None,
        ttl: None,
        expire_time: None,
    }
}

/// Writes `__info_<ts>.<md5>` (the UPLOAD_INFO step) in StarRocks's JSON; its size.
pub fn write_info(dir: &RepoDir, ts: &str, info: &JobInfo) -> Result<u64, String> {
    let text = job_info::write(info);
    storage::write_with_md5(
        dir,
        &storage::label_dir(dir, &info.name),
        &format!("__info_{ts}"),
        text.as_bytes(),
    )
    .map(|_| text.len() as u64)
}

pub fn read_info(dir: &RepoDir, key: &str) -> Result<JobInfo, String> {
    read_info_sized(dir, key).map(|(info, _)| info)
}

/// The job info and the bytes read.
pub fn read_info_sized(dir: &RepoDir, key: &str) -> Result<(JobInfo, u64), String> {
    let bytes = storage::read(dir, key)?;
    let info = job_info::parse(&bytes, &format!("{}/{key}", dir.remote))?;
    Ok((info, bytes.len() as u64))
}

/// The job info with what StarRocks keeps in `__meta` filled in: each table's kind, the
/// functions and the external catalogs (a RESTORE's analysis needs them, as StarRocks
/// downloads the meta to check them). A first-format info already has them.
pub fn read_info_complete(dir: &RepoDir, key: &str) -> Result<JobInfo, String> {
    let mut info = read_info(dir, key)?;
    let needs_meta = info.backup_objects.values().any(|t| t.kind.is_empty())
        || (info.functions.is_empty() && info.catalogs.is_empty());
    if !needs_meta {
        return Ok(info);
    }
    let (meta, _) = read_meta(dir, &info.name)?;
    let c = &meta.captured;
    for t in &c.tables {
        if let Some(ti) = info.backup_objects.get_mut(&t.name) {
            ti.kind = kind_name(t).to_string();
        }
    }
    info.functions = c.functions.iter().map(|f| f.name.clone()).collect();
    info.catalogs = c.catalogs.iter().map(|x| x.name.clone()).collect();
    Ok(info)
}

/// Reads `__meta.<md5>` of a label; the bytes read.
pub fn read_meta(dir: &RepoDir, label: &str) -> Result<(Meta, u64), String> {
    let folder = storage::label_dir(dir, label);
    let key = storage::find_prefixed(dir, &folder, "__meta.").ok_or_else(|| {
        format!(
            "Expected one file with path: {}/__ss_{label}/__meta. get: 0",
            dir.remote
        )
    })?;
    let bytes = storage::read(dir, &key)?;
    let meta = serde_json::from_slice(&bytes)
        .map_err(|e| format!("invalid meta {}/{key}: {e}", dir.remote))?;
    Ok((meta, bytes.len() as u64))
}

/// Reads one partition's tablet file back: header, rows and the bytes read.
pub fn read_partition(
    dir: &RepoDir,
    label: &str,
    p: &PartitionInfo,
) -> Result<(TabletHeader, Vec<Row>, u64), String> {
    let key = format!("{}/{}", storage::label_dir(dir, label), p.path);
    let bytes = dir
        .store
        .read(&key)
        .and_then(|b| b.ok_or_else(|| "not found".to_string()))
        .map_err(|e| format!("failed to download {}: {e}", p.path))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    let header: TabletHeader = lines
        .next()
        .ok_or_else(|| format!("empty tablet file {}", p.path))
        .and_then(|l| {
            serde_json::from_str(l).map_err(|e| format!("bad tablet header {}: {e}", p.path))
        })?;
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str::<Row>(l).map_err(|e| format!("bad row in {}: {e}", p.path)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((header, rows, text.len() as u64))
}

/// `BackupJobInfo.getBrief()` as SHOW SNAPSHOT's `Details` cell (spec §3.3).
pub fn brief(info: &JobInfo) -> String {
    job_info::brief(info)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::storage::LocalFolder;
    use crate::engine::bulk::{self, BulkTables};
    use crate::engine::catalog::Catalog;

    /// Every file under `root`, relative, with its bytes.
    fn tree(root: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("readable").flatten() {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(root).expect("under root");
                    out.insert(
                        rel.display().to_string(),
                        std::fs::read(&path).expect("readable"),
                    );
                }
            }
        }
        out
    }

    /// A large job's files written on several threads are the files one thread writes, in
    /// the same order of uploads.
    #[test]
    fn tablets_written_in_parallel_are_those_written_in_turn() {
        let mut cat = Catalog::default();
        let spec = BulkTables {
            tables: 3,
            partitions_per_table: 40,
            rows_per_partition: 2,
            ..BulkTables::default()
        };
        bulk::create(&mut cat, &spec, 0).expect("created");
        let db = cat.db("bulk").expect("db");
        let c = Captured {
            db_id: db.id,
            tables: db.tables.values().cloned().collect(),
            ..Captured::default()
        };
        let root = std::env::temp_dir().join(format!("starsnap-sim-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mut written = Vec::new();
        for threads in [1, 4] {
            let base = root.join(threads.to_string());
            let dir = RepoDir {
                store: Arc::new(LocalFolder { base: base.clone() }),
                root: "__starrocks_repository_r".into(),
                remote: "s3://b/r".into(),
            };
            let uploads = write_data_on(&dir, "l1", &c, threads).expect("written");
            assert_eq!(uploads.len(), 120);
            written.push((uploads, tree(&base)));
        }
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(written[0].1.len(), 240);
        assert_eq!(written[0], written[1]);
    }

    use super::*;

    #[test]
    fn brief_is_one_space_indented() {
        let mut objects = BTreeMap::new();
        objects.insert(
            "t".to_string(),
            TableInfo {
                id: 1,
                kind: "OLAP".into(),
                partitions: BTreeMap::new(),
            },
        );
        let info = JobInfo {
            name: "l".into(),
            database: "d".into(),
            id: 1,
            backup_time: 5,
            backup_objects: objects,
            cluster_id: None,
            finish_time: None,
            ttl: None,
            expire_time: None,
            functions: vec![],
            catalogs: vec![],
            meta_version: META_VERSION,
            starrocks_meta_version: STARROCKS_META_VERSION,
            backup_result: "succeed".into(),
        };
        let b = brief(&info);
        assert!(b.starts_with("{\n \""), "{b}");
        assert!(b.contains("\"t\": {\n   \"partitions\": {}\n  }"), "{b}");
        assert!(b.contains(" \"meta_version\": 92"), "{b}");
        assert!(b.ends_with("\n}"));
    }
}
