//! Where a StarRocks repository keeps its objects (spec §3.3, `backup/Repository.java`).
//! Keys are relative to the repository's location and `/`-separated; every segment here is
//! safe as an object key segment and as a file name.
//!
//! ```text
//! <location>/__starrocks_repository_<repo>/__repo_info
//!   __ss_<label>/__info_<timestamp>.<md5>      job info
//!   __ss_<label>/__meta.<md5>                  table and function definitions
//!   __ss_<label>/__ss_content/__db_<id>/__tbl_<id>/__part_<id>/__idx_<id>/__<tablet>/<file>.<md5>
//! ```
//!
//! A tablet's folder is `Repository.getRepoTabletPathBySnapshotInfo` (and
//! `BackupJobInfo.getFilePath`, StarRocks 3.4 `fe/fe-core/src/main/java/com/starrocks/backup/`):
//! it ends at the tablet id. The backend uploads each snapshot file under its own name with
//! `.<md5 of the content>` appended (`be/src/runtime/snapshot_loader.cpp`, `upload`), and the
//! job info lists those checksummed names per tablet. The simulator's first format kept one
//! `__<schemahash>/data.jsonl` per tablet folder instead; its snapshots stay readable.
//!
//! starsnap's own objects live beside StarRocks's, in a folder StarRocks never reads:
//!
//! ```text
//! <location>/__starrocks_repository_<repo>/__starsnap/sets/<set>.json   a finished set's manifest
//! ```
//!
//! An older `__palo_repository_<repo>` folder is adopted when it holds a `__repo_info`.

pub const STARROCKS_PREFIX: &str = "__starrocks_repository_";
pub const PALO_PREFIX: &str = "__palo_repository_";
pub const REPO_INFO: &str = "__repo_info";
pub const SNAPSHOT_PREFIX: &str = "__ss_";
pub const INFO_PREFIX: &str = "__info_";
pub const META_PREFIX: &str = "__meta";
pub const CONTENT_DIR: &str = "__ss_content";
/// starsnap's folder inside a repository (not `__ss_`: never taken for a snapshot).
pub const STARSNAP_DIR: &str = "__starsnap";
/// The suffix of a set manifest's file name.
pub const SET_SUFFIX: &str = ".json";

/// `<root>/__starsnap/sets`: the folder of the set manifests.
pub fn sets_dir(root: &str) -> String {
    format!("{root}/{STARSNAP_DIR}/sets")
}

/// `<root>/__starsnap/sets/<set>.json` (the set name percent-encoded).
pub fn set_manifest(root: &str, set: &str) -> String {
    format!("{}/{}{SET_SUFFIX}", sets_dir(root), encode_segment(set))
}

/// The set of a `<set>.json` file name, or `None` for any other name.
pub fn set_of_file(file: &str) -> Option<String> {
    file.strip_suffix(SET_SUFFIX)
        .filter(|s| !s.is_empty())
        .map(decode_segment)
}

/// `__starrocks_repository_<repo>` (or the `__palo_repository_` one when `palo`).
pub fn repo_root(name: &str, palo: bool) -> String {
    let prefix = if palo { PALO_PREFIX } else { STARROCKS_PREFIX };
    format!("{prefix}{}", encode_segment(name))
}

/// `<root>/__ss_<label>`: the folder of one snapshot.
pub fn snapshot_dir(root: &str, label: &str) -> String {
    format!("{root}/{SNAPSHOT_PREFIX}{}", encode_segment(label))
}

/// The label of a `__ss_<label>` folder name, or `None` for any other name.
pub fn label_of_dir(folder: &str) -> Option<String> {
    folder.strip_prefix(SNAPSHOT_PREFIX).map(decode_segment)
}

/// `__info_<ts>.<md5>`.
pub fn info_name(ts: &str, md5: &str) -> String {
    format!("{INFO_PREFIX}{ts}.{md5}")
}

/// `__meta.<md5>`.
pub fn meta_name(md5: &str) -> String {
    format!("{META_PREFIX}.{md5}")
}

/// The timestamp of an `__info_<ts>[.<md5>]` file name.
pub fn info_timestamp(file: &str) -> Option<&str> {
    let rest = file.strip_prefix(INFO_PREFIX)?;
    Some(match rest.rsplit_once('.') {
        Some((ts, _md5)) => ts,
        None => rest,
    })
}

/// `<snapshot dir>/__ss_content/__db_<db>/__tbl_<tbl>/__part_<part>/__idx_<idx>/__<tablet>`:
/// one tablet's folder (relative to the repository root when `snapshot_dir` is).
pub fn tablet_dir(snapshot_dir: &str, ids: TabletIds) -> String {
    format!("{snapshot_dir}/{}", tablet_dir_in_snapshot(ids))
}

/// A tablet's folder relative to its snapshot's folder.
pub fn tablet_dir_in_snapshot(ids: TabletIds) -> String {
    let [part, idx, tablet] = tablet_folders(ids);
    format!("{}/{part}/{idx}/{tablet}", table_dir_in_snapshot(ids))
}

/// `__ss_content/__db_<db>/__tbl_<tbl>`: a table's folder relative to its snapshot's folder.
pub fn table_dir_in_snapshot(ids: TabletIds) -> String {
    format!("{CONTENT_DIR}/__db_{}/__tbl_{}", ids.db, ids.table)
}

/// The three folders between a table's folder and a tablet's files:
/// `__part_<part>`, `__idx_<idx>`, `__<tablet>`.
pub fn tablet_folders(ids: TabletIds) -> [String; 3] {
    [
        format!("__part_{}", ids.partition),
        format!("__idx_{}", ids.index),
        format!("__{}", ids.tablet),
    ]
}

/// The ids that place a tablet's files (`RestoreFileMapping.IdChain` plus the database).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TabletIds {
    pub db: u64,
    pub table: u64,
    pub partition: u64,
    pub index: u64,
    pub tablet: u64,
}

/// `<name>.<md5>`: a file as the backend uploads it.
pub fn checksummed(name: &str, md5: &str) -> String {
    format!("{name}.{md5}")
}

/// Splits `<name>.<md5>` (32 lower-case hex digits after the last dot); `None` when the file
/// name carries no checksum.
pub fn split_checksum(file: &str) -> Option<(&str, &str)> {
    let (name, md5) = file.rsplit_once('.')?;
    (md5.len() == 32
        && md5
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some((name, md5))
}

/// Whether `file` is the info file of `ts` (with or without its md5 suffix).
pub fn is_info_of(file: &str, ts: &str) -> bool {
    let want = format!("{INFO_PREFIX}{ts}");
    file == want || file.rsplit_once('.').is_some_and(|(base, _)| base == want)
}

/// The checksum a file name carries: StarRocks names every uploaded file
/// `<name>.<md5 of its content>` (`Repository.assembleFileNameWithSuffix`), so `__info_<ts>.<md5>`,
/// `__meta.<md5>` and the tablet files of `__ss_content/` can be checked; `None` for a name
/// without a 32-hex-digit suffix.
pub fn name_checksum(file: &str) -> Option<&str> {
    let name = file.rsplit('/').next().unwrap_or(file);
    let (_, sum) = name.rsplit_once('.')?;
    (sum.len() == 32 && sum.bytes().all(|b| b.is_ascii_hexdigit())).then_some(sum)
}

/// Whether stored object `path` (relative to the snapshot folder) is file `expected` of the
/// job info: the same path, or the same path with StarRocks's `.<md5>` suffix.
pub fn is_file(path: &str, expected: &str) -> bool {
    path == expected
        || path
            .strip_prefix(expected)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|sum| name_checksum(&format!("x.{sum}")).is_some())
}

/// The data files a job info (`__info_<ts>` content) names, relative to the snapshot
/// folder. Two layouts are read:
/// * StarRocks's `BackupJobInfo` (spec §3.3, `backup/BackupJobInfo.java`):
///   `backup_objects.<table>.partitions.<p>.indexes.<i>.tablets.<tablet>` lists file names
///   under `__ss_content/__db_<id>/__tbl_<id>/__part_<id>/__idx_<id>/__<tablet>/` (the folder
///   `Repository.getRepoTabletPathBySnapshotInfo` builds; spec §3.3 adds a `__<schemahash>` level
///   the source does not have);
/// * a partition with a `path` (one file per partition, as the simulator's first format wrote it).
///
/// Views and materialized views without partitions name no file.
pub fn job_info_files(info: &[u8]) -> Result<Vec<String>, String> {
    use serde_json::Value;
    let v: Value = serde_json::from_slice(info).map_err(|e| format!("not a job info: {e}"))?;
    let id = |v: &Value, what: &str| -> Result<String, String> {
        match v.get("id") {
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::String(s)) if s.bytes().all(|b| b.is_ascii_digit()) => Ok(s.clone()),
            _ => Err(format!("the job info gives {what} no id")),
        }
    };
    let db = id(&v, "the database")?;
    let Some(objects) = v.get("backup_objects").and_then(Value::as_object) else {
        return Err("the job info has no backup_objects".into());
    };
    let mut out = Vec::new();
    for (table, t) in objects {
        let Some(parts) = t.get("partitions").and_then(Value::as_object) else {
            continue;
        };
        for (pname, p) in parts {
            if let Some(path) = p.get("path").and_then(Value::as_str) {
                out.push(path.to_string());
                continue;
            }
            let Some(indexes) = p.get("indexes").and_then(Value::as_object) else {
                continue;
            };
            let tid = id(t, &format!("table `{table}`"))?;
            let pid = id(p, &format!("partition `{table}`.`{pname}`"))?;
            for (iname, i) in indexes {
                let iid = id(i, &format!("index `{iname}` of `{table}`"))?;
                let Some(tablets) = i.get("tablets").and_then(Value::as_object) else {
                    continue;
                };
                for (tablet, files) in tablets {
                    for f in files.as_array().into_iter().flatten() {
                        let Some(f) = f.as_str() else {
                            return Err(format!("tablet {tablet} of `{table}` lists a non-name"));
                        };
                        // The tablet's folder as `Repository.getRepoTabletPathBySnapshotInfo`
                        // builds it: no schema-hash level below the tablet (StarRocks 3.4
                        // `fe/fe-core/src/main/java/com/starrocks/backup/Repository.java`).
                        out.push(format!(
                            "{CONTENT_DIR}/__db_{db}/__tbl_{tid}/__part_{pid}/__idx_{iid}/__{}/{}",
                            encode_segment(tablet),
                            encode_segment(f)
                        ));
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The lower-case hex MD5 of `bytes`, as StarRocks's file-name checksums spell it.
pub fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A name (label, repository) as one key segment: `%`, `/`, `\\` and control characters
/// are percent-encoded and `.`/`..` spelled `%2E`, so a name never reaches outside its folder.
pub fn encode_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            '\\' => out.push_str("%5C"),
            c if c.is_ascii_control() => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    if out == "." || out == ".." {
        out = out.replace('.', "%2E");
    }
    out
}

/// The inverse of [`encode_segment`] (any `%XX` is decoded; a stray `%` stays).
pub fn decode_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes.get(i), hex) {
            (Some(b'%'), Some(b)) => {
                out.push(b);
                i += 3;
            }
            (Some(&b), _) => {
                out.push(b);
                i += 1;
            }
            (None, _) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tablet_files_are_placed_and_checksummed_as_starrocks_does() {
        let ids = TabletIds {
            db: 10001,
            table: 10002,
            partition: 10003,
            index: 10002,
            tablet: 10004,
        };
        assert_eq!(
            tablet_dir("r/__ss_l", ids),
            "r/__ss_l/__ss_content/__db_10001/__tbl_10002/__part_10003/__idx_10002/__10004"
        );
        let f = checksummed("10004.hdr", "0123456789abcdef0123456789abcdef");
        assert_eq!(
            split_checksum(&f),
            Some(("10004.hdr", "0123456789abcdef0123456789abcdef"))
        );
        assert_eq!(split_checksum("data.jsonl"), None);
    }

    #[test]
    fn labels_round_trip_and_stay_in_their_folder() {
        for label in [
            "a/../../../etc",
            "..",
            ".",
            "x%2Fy",
            "back\\slash",
            "tab\tx",
            "ü",
        ] {
            let enc = encode_segment(label);
            assert_eq!(decode_segment(&enc), label);
            assert!(!enc.contains('/') && !enc.contains('\\'), "{enc}");
            assert!(enc != "." && enc != "..");
        }
        assert_eq!(
            snapshot_dir("__starrocks_repository_r", "l1"),
            "__starrocks_repository_r/__ss_l1"
        );
        assert_eq!(label_of_dir("__ss_a%2Fb").as_deref(), Some("a/b"));
        assert_eq!(label_of_dir("__repo_info"), None);
        assert_eq!(
            info_timestamp("__info_2024-01-02-03-04-05-006.abc"),
            Some("2024-01-02-03-04-05-006")
        );
        assert!(is_info_of("__info_ts.0123", "ts"));
        assert!(!is_info_of("__info_ts2.0123", "ts"));
        assert_eq!(repo_root("r", true), "__palo_repository_r");
        assert_eq!(
            set_manifest("__starrocks_repository_r", "a/b"),
            "__starrocks_repository_r/__starsnap/sets/a%2Fb.json"
        );
        assert_eq!(set_of_file("a%2Fb.json").as_deref(), Some("a/b"));
        assert_eq!(set_of_file(".json"), None);
        assert_eq!(label_of_dir(STARSNAP_DIR), None);
    }

    #[test]
    fn checksums_and_job_info_files_in_both_layouts() {
        let sum = md5_hex(b"abc");
        assert_eq!(sum, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(name_checksum(&format!("__meta.{sum}")), Some(sum.as_str()));
        assert_eq!(name_checksum("a/data.jsonl"), None);
        assert!(is_file(&format!("x/10.dat.{sum}"), "x/10.dat"));
        assert!(is_file("x/10.dat", "x/10.dat"));
        assert!(!is_file("x/10.dat.1", "x/10.dat"));
        assert!(!is_file("x/10.data", "x/10.dat"));
        let starrocks = br#"{"name":"l","database":"d","id":10,"backup_time":1,
            "backup_objects":{"t":{"id":11,"partitions":{"p":{"id":12,"version":2,
            "indexes":{"t":{"id":13,"schema_hash":99,"tablets":{"14":["14_2_0.dat","14.hdr"]}}}}}},
            "v":{"id":15}}}"#;
        assert_eq!(
            job_info_files(starrocks).as_deref(),
            Ok(&[
                "__ss_content/__db_10/__tbl_11/__part_12/__idx_13/__14/14.hdr".to_string(),
                "__ss_content/__db_10/__tbl_11/__part_12/__idx_13/__14/14_2_0.dat".to_string(),
            ][..])
        );
        let sim = br#"{"id":1,"backup_objects":{"t":{"id":2,"partitions":{"p":{"path":"__ss_content/x/data.jsonl"}}}}}"#;
        assert_eq!(
            job_info_files(sim).as_deref(),
            Ok(&["__ss_content/x/data.jsonl".to_string()][..])
        );
        assert!(job_info_files(b"{").is_err());
        assert!(job_info_files(br#"{"id":1}"#).is_err());
        let bad = br#"{"id":1,"backup_objects":{"t":{"id":2,"partitions":{"p":{"id":3,"indexes":{"i":{}}}}}}}"#;
        assert!(job_info_files(bad).is_err_and(|e| e.contains("index `i`")));
    }
}
