//! The repository layout on "remote" storage, which the simulator keeps in local folders
//! (`SimConfig::storage` maps a location prefix to a folder, longest prefix first).
//!
//! Layout, as StarRocks writes it (spec §3.3, `backup/Repository.java`):
//!
//! ```text
//! <location>/__starrocks_repository_<repo>/__repo_info            {"name":…,"create_time":"yyyy-MM-dd HH:mm:ss"}
//!   __ss_<label>/__info_<timestamp>.<md5>                          job info (JSON, see `info`)
//!   __ss_<label>/__meta.<md5>                                      table/function definitions (JSON)
//!   __ss_<label>/__ss_content/__db_<id>/__tbl_<id>/__part_<id>/__idx_<id>/__<tablet>/__<schemahash>/data.jsonl
//! ```
//!
//! `data.jsonl` is the simulator's own tablet format: a first line
//! `{"version":v,"version_time":ms,"rows":n}` and then one JSON array of cell values per
//! row. An older `__palo_repository_<repo>` folder is adopted when it holds a `__repo_info`.
//! Everything is read from disk each time, so a deleted snapshot disappears and a second
//! simulator pointed at the same folder sees the same snapshots.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::md5;

pub const STARROCKS_PREFIX: &str = "__starrocks_repository_";
pub const PALO_PREFIX: &str = "__palo_repository_";

/// A repository's folder on the simulated storage.
#[derive(Clone, Debug)]
pub struct RepoDir {
    /// `<dir>/__starrocks_repository_<repo>` (or the adopted `__palo_repository_` one).
    pub root: PathBuf,
    /// The same path as StarRocks names it: `<location>/__starrocks_repository_<repo>`.
    pub remote: String,
}

/// The local folder of a location, by longest mapped prefix.
pub fn resolve(storage: &BTreeMap<String, PathBuf>, location: &str) -> Option<PathBuf> {
    let (prefix, dir) = storage
        .iter()
        .filter(|(p, _)| location.starts_with(p.as_str()))
        .max_by_key(|(p, _)| p.len())?;
    let rest = location.get(prefix.len()..).unwrap_or("").trim_matches('/');
    // Never leave the mapped folder: `..` components make the location unreachable.
    if rest.split(['/', '\\']).any(|c| c == "..") {
        return None;
    }
    Some(if rest.is_empty() {
        dir.clone()
    } else {
        dir.join(rest)
    })
}

/// The repository folder for `name` at `location` (not created).
pub fn repo_dir(
    storage: &BTreeMap<String, PathBuf>,
    name: &str,
    location: &str,
) -> Result<RepoDir, String> {
    let base = resolve(storage, location).ok_or_else(|| unreachable_message(location))?;
    let palo = base.join(format!("{PALO_PREFIX}{name}"));
    let prefix = if palo.join("__repo_info").is_file() {
        PALO_PREFIX
    } else {
        STARROCKS_PREFIX
    };
    Ok(RepoDir {
        root: base.join(format!("{prefix}{name}")),
        remote: format!("{}/{prefix}{name}", location.trim_end_matches('/')),
    })
}

/// What a client sees when a location's store cannot be reached.
pub fn unreachable_message(location: &str) -> String {
    format!("failed to get file status of path: {location}, msg: storage is not reachable")
}

/// `__repo_info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoInfo {
    pub name: String,
    pub create_time: String,
}

pub fn read_repo_info(dir: &RepoDir) -> Option<RepoInfo> {
    let text = fs::read_to_string(dir.root.join("__repo_info")).ok()?;
    serde_json::from_str(&text).ok()
}

pub fn write_repo_info(dir: &RepoDir, info: &RepoInfo) -> Result<(), String> {
    let text = serde_json::to_string(info).map_err(|e| e.to_string())?;
    write_file(&dir.root.join("__repo_info"), text.as_bytes())
}

/// One `__ss_<label>` folder: its label and the timestamps of its `__info_` files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotEntry {
    pub label: String,
    pub timestamps: Vec<String>,
}

/// Every snapshot folder of the repository, in name order. A repository folder that does
/// not exist (yet) has no snapshots.
pub fn list_snapshots(dir: &RepoDir) -> Result<Vec<SnapshotEntry>, String> {
    let entries = match fs::read_dir(&dir.root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(format!(
                "failed to list remote path: {}, msg: {e}",
                dir.remote
            ));
        }
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(folder_label) = name.strip_prefix("__ss_") else {
            continue;
        };
        if !entry.path().is_dir() {
            continue;
        }
        let label = decode_label(folder_label);
        out.push(SnapshotEntry {
            timestamps: timestamps(dir, &label),
            label,
        });
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(out)
}

/// The timestamps of a label's `__info_<ts>.<md5>` files, sorted.
pub fn timestamps(dir: &RepoDir, label: &str) -> Vec<String> {
    let Ok(entries) = fs::read_dir(label_dir(dir, label)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let rest = name.strip_prefix("__info_")?;
            Some(match rest.rsplit_once('.') {
                Some((ts, _md5)) => ts.to_string(),
                None => rest.to_string(),
            })
        })
        .collect();
    out.sort();
    out
}

/// `Expected one file with path: <remote>/__ss_<label>/__info_<ts>. get: <n>`, or the file.
pub fn find_info(dir: &RepoDir, label: &str, ts: &str) -> Result<PathBuf, String> {
    let folder = label_dir(dir, label);
    let want = format!("__info_{ts}");
    let found: Vec<PathBuf> = fs::read_dir(&folder)
        .map(|it| {
            it.flatten()
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().to_string();
                    n == want || n.rsplit_once('.').is_some_and(|(base, _)| base == want)
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "Expected one file with path: {}/__ss_{label}/{want}. get: {}",
            dir.remote,
            found.len()
        )),
    }
}

/// Writes `<folder>/<base>.<md5 of bytes>`.
pub fn write_with_md5(folder: &Path, base: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    let path = folder.join(format!("{base}.{}", md5::hex_digest(bytes)));
    write_file(&path, bytes)?;
    Ok(path)
}

/// Creates parent folders and writes the file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let mut f = fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(bytes)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The folder of a label. A label is any identifier, so `/`, `\\` and `%` are
/// percent-encoded in the folder name: a label never names a path outside its folder.
pub fn label_dir(dir: &RepoDir, label: &str) -> PathBuf {
    dir.root.join(format!("__ss_{}", encode_label(label)))
}

fn encode_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            '\\' => out.push_str("%5C"),
            c => out.push(c),
        }
    }
    if out == "." || out == ".." {
        out = out.replace('.', "%2E");
    }
    out
}

fn decode_label(folder: &str) -> String {
    folder
        .replace("%2F", "/")
        .replace("%5C", "\\")
        .replace("%2E", ".")
        .replace("%25", "%")
}

/// The first file in `folder` whose name starts with `prefix` (e.g. `__meta.`).
pub fn find_prefixed(folder: &Path, prefix: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(folder)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path())
        .collect();
    found.sort();
    found.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins() {
        let mut m = BTreeMap::new();
        m.insert("s3://b".to_string(), PathBuf::from("/x"));
        m.insert("s3://b/deep".to_string(), PathBuf::from("/y"));
        assert_eq!(resolve(&m, "s3://b/deep/p"), Some(PathBuf::from("/y/p")));
        assert_eq!(resolve(&m, "s3://b/other"), Some(PathBuf::from("/x/other")));
        assert_eq!(resolve(&m, "hdfs://nn/p"), None);
        assert_eq!(resolve(&m, "s3://b/../../etc"), None);
        for label in ["a/../../../etc", "..", "x%2Fy", "back\\slash"] {
            assert_eq!(decode_label(&encode_label(label)), label);
            assert!(!encode_label(label).contains('/'));
            assert_ne!(encode_label(label), "..");
        }
        assert_eq!(resolve(&m, "s3://b/x/..\\y"), None);
    }
}
