//! What a finished BACKUP leaves in its `__ss_<label>` folder and how it is read back: the
//! job info (`__info_<ts>.<md5>`), the meta (`__meta.<md5>`: table and function definitions
//! without rows) and one `data.jsonl` per backed-up partition (format in `storage`).
//! Also the `Details` brief SHOW SNAPSHOT prints (org.json `toString(1)`, HashMap key order).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use starsnap_compiler::validate::java::JavaHashMap;

use super::job::Captured;
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
    /// `OLAP`, `VIEW` or `MATERIALIZED_VIEW`.
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
    /// Relative to the label folder.
    pub path: String,
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

fn partition_rel_path(db_id: u64, t: &Table, p: &Partition) -> String {
    format!(
        "__ss_content/__db_{db_id}/__tbl_{}/__part_{}/__idx_{}/__{}/__{}/data.jsonl",
        t.id,
        p.id,
        t.id,
        p.id + 1,
        schema_hash(t)
    )
}

/// Writes the data of every captured partition (the UPLOADING step); the size of each file.
pub fn write_data(dir: &RepoDir, label: &str, c: &Captured) -> Result<Vec<u64>, String> {
    let base = storage::label_dir(dir, label);
    let mut sizes = Vec::new();
    for t in &c.tables {
        for p in &t.partitions {
            let header = TabletHeader {
                version: p.visible_version,
                version_time: p.visible_version_time,
                rows: p.rows.len() as u64,
            };
            let mut text = serde_json::to_string(&header).map_err(|e| e.to_string())?;
            text.push('\n');
            for row in &p.rows {
                text.push_str(&serde_json::to_string(row).map_err(|e| e.to_string())?);
                text.push('\n');
            }
            dir.store.write(
                &format!("{base}/{}", partition_rel_path(c.db_id, t, p)),
                text.as_bytes(),
            )?;
            sizes.push(text.len() as u64);
        }
    }
    Ok(sizes)
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

/// The job info of a captured snapshot.
pub fn job_info(
    label: &str,
    db: &str,
    backup_time: i64,
    c: &Captured,
    catalogs: &[String],
) -> JobInfo {
    let backup_objects = c
        .tables
        .iter()
        .map(|t| {
            let partitions = t
                .partitions
                .iter()
                .map(|p| {
                    (
                        p.name.clone(),
                        PartitionInfo {
                            id: p.id,
                            version: p.visible_version,
                            index_id: t.id,
                            tablet_id: p.id + 1,
                            schema_hash: schema_hash(t),
                            path: partition_rel_path(c.db_id, t, p),
                        },
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

/// Writes `__info_<ts>.<md5>` (the UPLOAD_INFO step); its size.
pub fn write_info(dir: &RepoDir, ts: &str, info: &JobInfo) -> Result<u64, String> {
    let bytes = serde_json::to_vec(info).map_err(|e| e.to_string())?;
    storage::write_with_md5(
        dir,
        &storage::label_dir(dir, &info.name),
        &format!("__info_{ts}"),
        &bytes,
    )
    .map(|_| bytes.len() as u64)
}

pub fn read_info(dir: &RepoDir, key: &str) -> Result<JobInfo, String> {
    read_info_sized(dir, key).map(|(info, _)| info)
}

/// The job info and the bytes read.
pub fn read_info_sized(dir: &RepoDir, key: &str) -> Result<(JobInfo, u64), String> {
    let bytes = storage::read(dir, key)?;
    let info = serde_json::from_slice(&bytes)
        .map_err(|e| format!("invalid job info {}/{key}: {e}", dir.remote))?;
    Ok((info, bytes.len() as u64))
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

/// A JSON value printed the org.json way.
enum J {
    Str(String),
    Num(i64),
    /// Keys in Java HashMap iteration order.
    Obj(Vec<(String, J)>),
}

fn obj(entries: Vec<(String, J)>) -> J {
    let mut m: JavaHashMap<usize> = JavaHashMap::new();
    for (i, (k, _)) in entries.iter().enumerate() {
        m.put(k.clone(), i);
    }
    let order: Vec<usize> = m.iter().map(|(_, i)| *i).collect();
    let mut slots: Vec<Option<(String, J)>> = entries.into_iter().map(Some).collect();
    J::Obj(
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take))
            .collect(),
    )
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// org.json `JSONObject.toString(1)`.
fn write_json(j: &J, indent: usize, out: &mut String) {
    match j {
        J::Str(s) => out.push_str(&quote(s)),
        J::Num(n) => out.push_str(&n.to_string()),
        J::Obj(entries) if entries.is_empty() => out.push_str("{}"),
        J::Obj(entries) => {
            out.push_str("{\n");
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                out.push_str(&" ".repeat(indent + 1));
                out.push_str(&quote(k));
                out.push_str(": ");
                write_json(v, indent + 1, out);
            }
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
    }
}

/// `BackupJobInfo.getBrief()` as SHOW SNAPSHOT's `Details` cell (spec §3.3).
pub fn brief(info: &JobInfo) -> String {
    let objects = info
        .backup_objects
        .iter()
        .map(|(t, ti)| {
            let parts = ti
                .partitions
                .keys()
                .map(|p| (p.clone(), J::Obj(Vec::new())))
                .collect();
            (t.clone(), obj(vec![("partitions".to_string(), obj(parts))]))
        })
        .collect();
    let root = obj(vec![
        ("name".into(), J::Str(info.name.clone())),
        ("database".into(), J::Str(info.database.clone())),
        ("backup_time".into(), J::Num(info.backup_time)),
        ("backup_objects".into(), obj(objects)),
        ("meta_version".into(), J::Num(info.meta_version)),
        (
            "starrocks_meta_version".into(),
            J::Num(info.starrocks_meta_version),
        ),
        ("backup_result".into(), J::Str(info.backup_result.clone())),
    ]);
    let mut out = String::new();
    write_json(&root, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
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
