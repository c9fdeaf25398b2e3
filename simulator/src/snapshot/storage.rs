//! The repository layout on "remote" storage. Two kinds of storage sit behind the
//! [`Storage`] trait: a local folder (`SimConfig::storage` maps a location prefix to a
//! folder, longest prefix first) and, for an `s3://bucket/prefix` location whose repository
//! has an `aws.s3.endpoint` property, that S3-compatible server itself (through
//! `starsnap-repo`'s object-store client, which also owns the key layout below).
//!
//! Layout, as StarRocks writes it (spec §3.3, `backup/Repository.java`):
//!
//! ```text
//! <location>/__starrocks_repository_<repo>/__repo_info            {"name":…,"create_time":"yyyy-MM-dd HH:mm:ss"}
//!   __ss_<label>/__info_<timestamp>.<md5>                          job info (BackupJobInfo JSON, `job_info`)
//!   __ss_<label>/__meta.<md5>                                      table/function definitions (JSON)
//!   __ss_<label>/__ss_content/__db_<id>/__tbl_<id>/__part_<id>/__idx_<id>/__<tablet>/<rowset>_0.dat.<md5>
//!   __ss_<label>/__ss_content/…/__<tablet>/<tablet>.hdr.<md5>
//! ```
//!
//! The `.dat` file is the simulator's own tablet format (see `files`): a first line
//! `{"version":v,"version_time":ms,"rows":n}` and then one JSON array of cell values per
//! row. Snapshots of the simulator's first format (`…/__<tablet>/__<schemahash>/data.jsonl`)
//! stay readable: the job info names each data file. An older `__palo_repository_<repo>` folder is adopted when it holds a `__repo_info`.
//! Everything is read from storage each time, so a deleted snapshot disappears and a second
//! simulator pointed at the same folder or bucket sees the same snapshots.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use starsnap_repo::layout;
use starsnap_repo::store::{Store, StoreOptions, S3_SCHEMES};

use super::md5;

pub const STARROCKS_PREFIX: &str = layout::STARROCKS_PREFIX;
pub const PALO_PREFIX: &str = layout::PALO_PREFIX;

/// Where a location's objects live. Keys are `/`-separated and relative to the location.
pub trait Storage: Send + Sync + fmt::Debug {
    /// The object's bytes; `None` when it does not exist.
    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, String>;
    /// Writes (replaces) the object.
    fn write(&self, key: &str, bytes: &[u8]) -> Result<(), String>;
    /// One level under `prefix`: sub-folder names and object names; empty when absent.
    fn list_dir(&self, prefix: &str) -> Result<(Vec<String>, Vec<String>), String>;
    /// Deletes everything under `prefix`.
    fn delete_dir(&self, prefix: &str) -> Result<(), String>;
    /// Makes `parent/names[0]/…/names[n-1]` ready for new files. Where folders are real,
    /// each is created top-down (a tablet's three new folders cost three `mkdir`s, not a
    /// failed create and a bottom-up search); object storage has none to make.
    fn create_folders(&self, _parent: &str, _names: &[&str]) -> Result<(), String> {
        Ok(())
    }
}

/// A local folder standing in for a location.
#[derive(Debug)]
pub struct LocalFolder {
    pub base: PathBuf,
}

impl LocalFolder {
    fn path(&self, key: &str) -> PathBuf {
        key.split('/')
            .filter(|s| !s.is_empty())
            .fold(self.base.clone(), |p, s| p.join(s))
    }
}

impl Storage for LocalFolder {
    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        let path = self.path(key);
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    fn write(&self, key: &str, bytes: &[u8]) -> Result<(), String> {
        write_file(&self.path(key), bytes)
    }

    fn create_folders(&self, parent: &str, names: &[&str]) -> Result<(), String> {
        let mut path = self.path(parent);
        for name in names {
            path.push(name);
            match fs::create_dir(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?
                }
                Err(e) => return Err(format!("{}: {e}", path.display())),
            }
        }
        Ok(())
    }

    fn list_dir(&self, prefix: &str) -> Result<(Vec<String>, Vec<String>), String> {
        let path = self.path(prefix);
        let entries = match fs::read_dir(&path) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Vec::new(), Vec::new()))
            }
            Err(e) => return Err(e.to_string()),
        };
        let (mut dirs, mut files) = (Vec::new(), Vec::new());
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if entry.path().is_dir() {
                dirs.push(name);
            } else {
                files.push(name);
            }
        }
        dirs.sort();
        files.sort();
        Ok((dirs, files))
    }

    fn delete_dir(&self, prefix: &str) -> Result<(), String> {
        match fs::remove_dir_all(self.path(prefix)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// An S3-compatible server (or any store `starsnap-repo` reaches).
#[derive(Debug)]
pub struct ObjectStorage {
    store: Store,
}

impl Storage for ObjectStorage {
    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.store.get(key).map_err(|e| e.to_string())
    }

    fn write(&self, key: &str, bytes: &[u8]) -> Result<(), String> {
        self.store.put(key, bytes).map_err(|e| e.to_string())
    }

    fn list_dir(&self, prefix: &str) -> Result<(Vec<String>, Vec<String>), String> {
        let (dirs, files) = self.store.list_dir(prefix).map_err(|e| e.to_string())?;
        let files = files
            .into_iter()
            .filter_map(|f| f.key.rsplit('/').next().map(str::to_string))
            .collect();
        Ok((dirs, files))
    }

    fn delete_dir(&self, prefix: &str) -> Result<(), String> {
        let keys: Vec<String> = self
            .store
            .list(prefix)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|o| o.key)
            .collect();
        // The info files first: from then on the snapshot is no restore target.
        let (info, rest): (Vec<String>, Vec<String>) = keys.into_iter().partition(|k| {
            k.rsplit('/')
                .next()
                .is_some_and(|n| n.starts_with(layout::INFO_PREFIX))
        });
        for batch in [info, rest] {
            self.store.delete(&batch).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// A repository's folder on the simulated storage.
#[derive(Clone, Debug)]
pub struct RepoDir {
    pub store: Arc<dyn Storage>,
    /// `__starrocks_repository_<repo>` (or the adopted `__palo_repository_` one), a key
    /// relative to the location.
    pub root: String,
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

/// Whether a repository lives on an S3-compatible server: an S3-style location and an
/// `aws.s3.endpoint` property.
pub fn is_object_storage(location: &str, properties: &BTreeMap<String, String>) -> bool {
    let scheme = location
        .split_once("://")
        .map(|(s, _)| s.to_ascii_lowercase());
    scheme.is_some_and(|s| S3_SCHEMES.contains(&s.as_str()))
        && StoreOptions::from_properties(properties).endpoint.is_some()
}

/// One client per location and properties, shared by every repository and simulator of the
/// process (a client keeps its connections). Keyed by a digest, so no secret is a map key.
fn object_storage(
    location: &str,
    properties: &BTreeMap<String, String>,
) -> Result<Arc<dyn Storage>, String> {
    static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, Arc<ObjectStorage>>>> = OnceLock::new();
    let mut h = Sha1::new();
    h.update(location.as_bytes());
    for (k, v) in properties {
        h.update([0]);
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
    }
    let key = h.finalize().to_vec();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = map.get(&key) {
        return Ok(s.clone());
    }
    let store = Store::open(location, &StoreOptions::from_properties(properties))
        .map_err(|e| format!("failed to get file status of path: {location}, msg: {e}"))?;
    let s = Arc::new(ObjectStorage { store });
    map.insert(key, s.clone());
    Ok(s)
}

/// The repository folder for `name` at `location` (not created).
pub fn repo_dir(
    storage: &BTreeMap<String, PathBuf>,
    name: &str,
    location: &str,
    properties: &BTreeMap<String, String>,
) -> Result<RepoDir, String> {
    let store: Arc<dyn Storage> = if is_object_storage(location, properties) {
        object_storage(location, properties)?
    } else {
        let base = resolve(storage, location).ok_or_else(|| unreachable_message(location))?;
        Arc::new(LocalFolder { base })
    };
    let palo = layout::repo_root(name, true);
    let root = if store
        .read(&format!("{palo}/{}", layout::REPO_INFO))
        .ok()
        .flatten()
        .is_some()
    {
        palo
    } else {
        layout::repo_root(name, false)
    };
    Ok(RepoDir {
        store,
        remote: format!("{}/{root}", location.trim_end_matches('/')),
        root,
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
    let bytes = dir
        .store
        .read(&format!("{}/{}", dir.root, layout::REPO_INFO))
        .ok()??;
    serde_json::from_slice(&bytes).ok()
}

pub fn write_repo_info(dir: &RepoDir, info: &RepoInfo) -> Result<(), String> {
    let text = serde_json::to_string(info).map_err(|e| e.to_string())?;
    dir.store.write(
        &format!("{}/{}", dir.root, layout::REPO_INFO),
        text.as_bytes(),
    )
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
    let (dirs, _) = dir
        .store
        .list_dir(&dir.root)
        .map_err(|e| format!("failed to list remote path: {}, msg: {e}", dir.remote))?;
    let mut out: Vec<SnapshotEntry> = dirs
        .iter()
        .filter_map(|d| layout::label_of_dir(d))
        .map(|label| SnapshotEntry {
            timestamps: timestamps(dir, &label),
            label,
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(out)
}

fn files_of(dir: &RepoDir, label: &str) -> Vec<String> {
    dir.store
        .list_dir(&label_dir(dir, label))
        .map(|(_, files)| files)
        .unwrap_or_default()
}

/// The timestamps of a label's `__info_<ts>.<md5>` files, sorted.
pub fn timestamps(dir: &RepoDir, label: &str) -> Vec<String> {
    let mut out: Vec<String> = files_of(dir, label)
        .iter()
        .filter_map(|f| layout::info_timestamp(f))
        .map(str::to_string)
        .collect();
    out.sort();
    out
}

/// `Expected one file with path: <remote>/__ss_<label>/__info_<ts>. get: <n>`, or the
/// file's key.
pub fn find_info(dir: &RepoDir, label: &str, ts: &str) -> Result<String, String> {
    let found: Vec<String> = files_of(dir, label)
        .into_iter()
        .filter(|f| layout::is_info_of(f, ts))
        .collect();
    match found.as_slice() {
        [one] => Ok(format!("{}/{one}", label_dir(dir, label))),
        _ => Err(format!(
            "Expected one file with path: {}/__ss_{label}/__info_{ts}. get: {}",
            dir.remote,
            found.len()
        )),
    }
}

/// Reads an object that must exist.
pub fn read(dir: &RepoDir, key: &str) -> Result<Vec<u8>, String> {
    dir.store
        .read(key)?
        .ok_or_else(|| format!("{}/{key}: not found", dir.remote))
}

/// Writes `<folder>/<base>.<md5 of bytes>`.
pub fn write_with_md5(
    dir: &RepoDir,
    folder: &str,
    base: &str,
    bytes: &[u8],
) -> Result<String, String> {
    let key = format!("{folder}/{base}.{}", md5::hex_digest(bytes));
    dir.store.write(&key, bytes)?;
    Ok(key)
}

/// Writes the file, creating its parent folders only when they are missing (a folder's
/// second file costs no `mkdir`: a BACKUP writes hundreds of thousands of files).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let created = match fs::File::create(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            fs::File::create(path)
        }
        other => other,
    };
    let mut f = created.map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(bytes)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The folder (key) of a label. A label is any identifier, so `/`, `\\` and `%` are
/// percent-encoded in the folder name: a label never names a path outside its folder.
pub fn label_dir(dir: &RepoDir, label: &str) -> String {
    layout::snapshot_dir(&dir.root, label)
}

/// Deletes a label's folder.
pub fn delete_label(dir: &RepoDir, label: &str) -> Result<(), String> {
    dir.store.delete_dir(&label_dir(dir, label))
}

/// The key of the first file in `folder` whose name starts with `prefix` (e.g. `__meta.`).
pub fn find_prefixed(dir: &RepoDir, folder: &str, prefix: &str) -> Option<String> {
    let (_, files) = dir.store.list_dir(folder).ok()?;
    files
        .into_iter()
        .find(|f| f.starts_with(prefix))
        .map(|f| format!("{folder}/{f}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
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
        assert_eq!(resolve(&m, "s3://b/x/..\\y"), None);
    }

    #[test]
    fn folders_are_made_top_down_whatever_exists_already() {
        let root = std::env::temp_dir().join(format!("starsnap-folders-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let base = &root;
        let store = LocalFolder { base: root.clone() };
        // The parent is missing: made as a whole.
        store.create_folders("a/b", &["c", "d"]).unwrap();
        assert!(base.join("a/b/c/d").is_dir());
        // Some exist, some are new.
        store.create_folders("a/b", &["c", "e", "f"]).unwrap();
        assert!(base.join("a/b/c/e/f").is_dir());
        store.write("a/b/c/e/f/x.dat", b"1").unwrap();
        assert_eq!(store.read("a/b/c/e/f/x.dat").unwrap(), Some(b"1".to_vec()));
        // A file where a folder should be is an error naming the path.
        let err = store
            .create_folders("a/b/c/e/f", &["x.dat", "g"])
            .unwrap_err();
        assert!(err.contains("x.dat"), "{err}");
        let _ = fs::remove_dir_all(&root);
    }
}
