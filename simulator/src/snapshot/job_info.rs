//! The `__info_<ts>.<md5>` job info in StarRocks's own JSON, written and read back.
//!
//! StarRocks 3.4 `fe/fe-core/src/main/java/com/starrocks/backup/BackupJobInfo.java`:
//! `writeToFile` prints `toJson(true).toString()` — org.json, compact, every object's keys in
//! Java `HashMap` order, strings quoted by `JSONObject.quote`:
//!
//! ```text
//! {"name", "database", "id" (db id), "backup_time" (epoch ms),
//!  "backup_objects": {"<table>": {"id", ["autoIncrementId"], "partitions": {"<partition>": {
//!      "id", "version", "version_hash": 0,
//!      "indexes": {"<index name>": {"id", "schema_hash",
//!          "tablets": {"<tablet id>": ["<file>.<md5>", …]}, "tablets_order": ["<tablet id>", …]}},
//!      "subPartitions": {}}}}},
//!  "meta_version", "starrocks_meta_version", "backup_result": "succeed"}
//! ```
//!
//! A view has `"partitions": {}`; functions, views' definitions and external catalogs are in
//! `__meta` (`BackupMeta`), not here. StarRocks 4.2 adds the retention keys `cluster_id`,
//! `finish_time`, `ttl` and `expire_time` (written only when set). `genFromJson` reads the
//! same keys back; `tablets_order` gives the tablets' order (sorted ids when absent).
//!
//! The simulator's first format (serde of [`JobInfo`], with `kind`, `path`, `functions`,
//! `catalogs`) is still read: [`parse`] tells the two apart by those keys.

use std::collections::BTreeMap;

use serde_json::Value;
use starsnap_compiler::validate::java::JavaHashMap;

use super::files::{partition_info, JobInfo, TableInfo, META_VERSION, STARROCKS_META_VERSION};
use starsnap_repo::layout::TabletIds;

/// A JSON value printed the org.json way.
pub enum J {
    Str(String),
    Num(i64),
    Arr(Vec<J>),
    /// Keys in Java HashMap iteration order (build with [`obj`]).
    Obj(Vec<(String, J)>),
}

/// An org.json `JSONObject` of `entries`: its keys in Java `HashMap` order.
pub fn obj(entries: Vec<(String, J)>) -> J {
    if entries.len() <= 1 {
        // One key has one order (a tablet's files, a table's one index).
        return J::Obj(entries);
    }
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

/// org.json `JSONObject.quote`: `"` and `\` escaped, `/` after `<`, the short escapes, and
/// control characters, U+0080–U+009F and U+2000–U+20FF as `\uXXXX`.
pub fn quote(s: &str, out: &mut String) {
    out.push('"');
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            '/' => {
                if prev == '<' {
                    out.push('\\');
                }
                out.push(c);
            }
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < ' '
                || ('\u{80}'..'\u{a0}').contains(&c)
                || ('\u{2000}'..'\u{2100}').contains(&c) =>
            {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
        prev = c;
    }
    out.push('"');
}

/// org.json `toString()`: compact.
pub fn compact(j: &J, out: &mut String) {
    match j {
        J::Str(s) => quote(s, out),
        J::Num(n) => out.push_str(&n.to_string()),
        J::Arr(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                compact(v, out);
            }
            out.push(']');
        }
        J::Obj(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quote(k, out);
                out.push(':');
                compact(v, out);
            }
            out.push('}');
        }
    }
}

/// org.json `toString(indentFactor)` with indent 1 per level (objects only, as the brief
/// needs; arrays print compact).
pub fn indented(j: &J, indent: usize, out: &mut String) {
    match j {
        J::Obj(entries) if !entries.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                out.push_str(&" ".repeat(indent + 1));
                quote(k, out);
                out.push_str(": ");
                indented(v, indent + 1, out);
            }
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
        other => compact(other, out),
    }
}

fn num(n: u64) -> J {
    J::Num(i64::try_from(n).unwrap_or(i64::MAX))
}

/// `BackupJobInfo.toJson(true).toString()`: the file's text.
pub fn write(info: &JobInfo) -> String {
    let mut out = String::new();
    compact(&to_json(info, true), &mut out);
    out
}

/// `BackupJobInfo.getBrief()` = `toJson(false).toString(1)`: SHOW SNAPSHOT's `Details` cell
/// (spec §3.3).
pub fn brief(info: &JobInfo) -> String {
    let mut out = String::new();
    indented(&to_json(info, false), 0, &mut out);
    out
}

/// `BackupJobInfo.toJson(verbose)`: without `verbose` no ids and each partition an empty
/// object.
fn to_json(info: &JobInfo, verbose: bool) -> J {
    let objects = info
        .backup_objects
        .iter()
        .map(|(name, t)| {
            let parts = t
                .partitions
                .iter()
                .map(|(pname, p)| {
                    if !verbose {
                        return (pname.clone(), J::Obj(Vec::new()));
                    }
                    let tablet = p.tablet_id.to_string();
                    let index = obj(vec![
                        ("id".into(), num(p.index_id)),
                        ("schema_hash".into(), J::Num(i64::from(p.schema_hash))),
                        (
                            "tablets".into(),
                            obj(vec![(
                                tablet.clone(),
                                J::Arr(p.files.iter().map(|f| J::Str(f.clone())).collect()),
                            )]),
                        ),
                        ("tablets_order".into(), J::Arr(vec![J::Str(tablet)])),
                    ]);
                    let part = obj(vec![
                        ("id".into(), num(p.id)),
                        ("version".into(), num(p.version)),
                        ("version_hash".into(), J::Num(0)),
                        // The base index is named like its table (`getIndexNameById`).
                        ("indexes".into(), obj(vec![(name.clone(), index)])),
                        ("subPartitions".into(), obj(Vec::new())),
                    ]);
                    (pname.clone(), part)
                })
                .collect();
            let mut table = vec![("partitions".to_string(), obj(parts))];
            if verbose {
                table.push(("id".into(), num(t.id)));
            }
            (name.clone(), obj(table))
        })
        .collect();
    let mut root = vec![
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
    ];
    if verbose {
        root.push(("id".into(), num(info.id)));
        if let Some(v) = info.cluster_id {
            root.push(("cluster_id".into(), J::Num(v)));
        }
        if let Some(v) = info.finish_time {
            root.push(("finish_time".into(), J::Num(v)));
        }
        if let Some(v) = &info.ttl {
            root.push(("ttl".into(), J::Str(v.clone())));
        }
        if let Some(v) = info.expire_time {
            root.push(("expire_time".into(), J::Num(v)));
        }
    }
    obj(root)
}

/// Reads a job info in StarRocks's format or the simulator's first one. Tables read from
/// StarRocks's format have an empty `kind`, and `functions`/`catalogs` are empty: those are
/// in `__meta` (see `files::read_info_complete`). `what` names the file in errors.
pub fn parse(bytes: &[u8], what: &str) -> Result<JobInfo, String> {
    if let Some(info) = fast::parse(bytes) {
        return Ok(info);
    }
    parse_value(bytes, what)
}

/// [`parse`] through a `serde_json::Value`: every shape, the first format included, with an
/// error naming what is missing.
fn parse_value(bytes: &[u8], what: &str) -> Result<JobInfo, String> {
    let bad = |detail: &str| format!("invalid job info {what}: {detail}");
    let root: Value = serde_json::from_slice(bytes).map_err(|e| bad(&e.to_string()))?;
    let Some(map) = root.as_object() else {
        return Err(bad("not a JSON object"));
    };
    let legacy = map.contains_key("functions")
        || map.contains_key("catalogs")
        || map
            .get("backup_objects")
            .and_then(Value::as_object)
            .is_some_and(|o| o.values().any(|t| t.get("kind").is_some()));
    if legacy {
        return serde_json::from_value(root).map_err(|e| bad(&e.to_string()));
    }
    let text = |v: &Value, key: &str| -> Result<String, String> {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| bad(&format!("'{key}' is missing or not a string")))
    };
    let int = |v: &Value, key: &str| -> Result<i64, String> {
        v.get(key)
            .and_then(Value::as_i64)
            .ok_or_else(|| bad(&format!("'{key}' is missing or not a number")))
    };
    let id = |v: &Value, key: &str| -> Result<u64, String> {
        u64::try_from(int(v, key)?).map_err(|_| bad(&format!("'{key}' is negative")))
    };
    let name = text(&root, "name")?;
    let database = text(&root, "database")?;
    let db_id = id(&root, "id")?;
    let mut backup_objects = BTreeMap::new();
    let objects = root
        .get("backup_objects")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("'backup_objects' is missing"))?;
    for (tname, t) in objects {
        let table_id = id(t, "id")?;
        let mut partitions = BTreeMap::new();
        if let Some(parts) = t.get("partitions").and_then(Value::as_object) {
            for (pname, p) in parts {
                let pid = id(p, "id")?;
                // The base index (named like the table), else the first; a partition with
                // sub-partitions keeps its indexes under its first sub-partition.
                let indexes = p
                    .get("indexes")
                    .and_then(Value::as_object)
                    .filter(|o| !o.is_empty())
                    .or_else(|| {
                        p.get("subPartitions")
                            .and_then(Value::as_object)
                            .and_then(|s| s.values().next())
                            .and_then(|s| s.get("indexes"))
                            .and_then(Value::as_object)
                    })
                    .ok_or_else(|| bad(&format!("partition {tname}.{pname} has no index")))?;
                let index = indexes
                    .get(tname)
                    .or_else(|| indexes.values().next())
                    .ok_or_else(|| bad(&format!("partition {tname}.{pname} has no index")))?;
                let index_id = id(index, "id")?;
                let schema_hash = u32::try_from(int(index, "schema_hash")?)
                    .map_err(|_| bad("'schema_hash' out of range"))?;
                let tablets = index
                    .get("tablets")
                    .and_then(Value::as_object)
                    .ok_or_else(|| bad(&format!("index of {tname}.{pname} has no tablets")))?;
                let order = index.get("tablets_order").and_then(Value::as_array);
                let first = first_tablet(order.map(Vec::as_slice), tablets.keys())
                    .ok_or_else(|| bad(&format!("index of {tname}.{pname} has no tablets")))?;
                let tablet_id: u64 = first
                    .parse()
                    .map_err(|_| bad(&format!("tablet id '{first}' is not a number")))?;
                let files: Vec<String> = tablets
                    .get(&first)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                let ids = TabletIds {
                    db: db_id,
                    table: table_id,
                    partition: pid,
                    index: index_id,
                    tablet: tablet_id,
                };
                let version = id(p, "version")?;
                partitions.insert(
                    pname.clone(),
                    partition_info(ids, version, schema_hash, files),
                );
            }
        }
        backup_objects.insert(
            tname.clone(),
            TableInfo {
                id: table_id,
                kind: String::new(),
                partitions,
            },
        );
    }
    let opt_int = |key: &str| root.get(key).and_then(Value::as_i64);
    Ok(JobInfo {
        name,
        database,
        id: db_id,
        backup_time: int(&root, "backup_time")?,
        backup_objects,
        functions: Vec::new(),
        catalogs: Vec::new(),
        meta_version: opt_int("meta_version").unwrap_or(META_VERSION),
        starrocks_meta_version: opt_int("starrocks_meta_version").unwrap_or(STARROCKS_META_VERSION),
        backup_result: root
            .get("backup_result")
            .and_then(Value::as_str)
            .unwrap_or("succeed")
            .to_string(),
        cluster_id: opt_int("cluster_id"),
        finish_time: opt_int("finish_time"),
        ttl: root.get("ttl").and_then(Value::as_str).map(str::to_string),
        expire_time: opt_int("expire_time"),
    })
}

/// The first tablet of an index: `tablets_order`'s first when it is given (a number written
/// as it is), else the smallest id among `ids` (`tablets`' keys).
fn first_tablet<'a>(
    order: Option<&[Value]>,
    ids: impl Iterator<Item = &'a String>,
) -> Option<String> {
    match order.and_then(<[Value]>::first) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
        None => ids
            .min_by_key(|s| s.parse::<u64>().unwrap_or(u64::MAX))
            .cloned(),
    }
}

/// The common case of [`parse`] without a `Value` tree: a job info in StarRocks's format read
/// into typed records (a 20,000-partition info is parsed several times faster, most of the
/// `Value` path's time being its allocations). `None` for anything else — the first format,
/// a field of another type, a negative id —, which [`parse_value`] then reads or explains,
/// so the two agree on every input this accepts.
mod fast {
    use std::collections::BTreeMap;

    use serde::de::IgnoredAny;
    use serde::Deserialize;
    use serde_json::Value;

    use super::super::files::{
        partition_info, JobInfo, TableInfo, META_VERSION, STARROCKS_META_VERSION,
    };
    use super::first_tablet;
    use starsnap_repo::layout::TabletIds;

    #[derive(Deserialize)]
    struct Info {
        name: String,
        database: String,
        id: i64,
        backup_time: i64,
        backup_objects: BTreeMap<String, Table>,
        meta_version: Option<Value>,
        starrocks_meta_version: Option<Value>,
        backup_result: Option<Value>,
        cluster_id: Option<Value>,
        finish_time: Option<Value>,
        ttl: Option<Value>,
        expire_time: Option<Value>,
        // Keys of the first format: their presence sends the text to `parse_value`.
        functions: Option<IgnoredAny>,
        catalogs: Option<IgnoredAny>,
    }

    #[derive(Deserialize)]
    struct Table {
        id: i64,
        // Anything but an object (or null) fails here: `parse_value` reads it as none.
        partitions: Option<BTreeMap<String, Partition>>,
        kind: Option<IgnoredAny>,
    }

    #[derive(Deserialize)]
    struct Partition {
        id: i64,
        version: i64,
        indexes: Option<BTreeMap<String, Index>>,
        #[serde(rename = "subPartitions")]
        sub_partitions: Option<BTreeMap<String, SubPartition>>,
    }

    #[derive(Deserialize)]
    struct SubPartition {
        indexes: Option<BTreeMap<String, Index>>,
    }

    #[derive(Deserialize)]
    struct Index {
        id: i64,
        schema_hash: i64,
        tablets: BTreeMap<String, Vec<String>>,
        tablets_order: Option<Vec<Value>>,
    }

    fn id(n: i64) -> Option<u64> {
        u64::try_from(n).ok()
    }

    pub(super) fn parse(bytes: &[u8]) -> Option<JobInfo> {
        let info: Info = serde_json::from_slice(bytes).ok()?;
        if info.functions.is_some()
            || info.catalogs.is_some()
            || info.backup_objects.values().any(|t| t.kind.is_some())
        {
            return None;
        }
        let db_id = id(info.id)?;
        let mut backup_objects = BTreeMap::new();
        for (tname, t) in info.backup_objects {
            let table_id = id(t.id)?;
            let mut partitions = BTreeMap::new();
            if let Some(parts) = t.partitions {
                for (pname, p) in parts {
                    let pid = id(p.id)?;
                    let indexes = match p.indexes.filter(|o| !o.is_empty()) {
                        Some(i) => i,
                        None => p.sub_partitions?.into_values().next()?.indexes?,
                    };
                    let index = match indexes.get(&tname) {
                        Some(i) => i,
                        None => indexes.values().next()?,
                    };
                    let index_id = id(index.id)?;
                    let schema_hash = u32::try_from(index.schema_hash).ok()?;
                    let first = first_tablet(index.tablets_order.as_deref(), index.tablets.keys())?;
                    let tablet_id: u64 = first.parse().ok()?;
                    let files = index.tablets.get(&first).cloned().unwrap_or_default();
                    let ids = TabletIds {
                        db: db_id,
                        table: table_id,
                        partition: pid,
                        index: index_id,
                        tablet: tablet_id,
                    };
                    let version = id(p.version)?;
                    partitions.insert(pname, partition_info(ids, version, schema_hash, files));
                }
            }
            backup_objects.insert(
                tname,
                TableInfo {
                    id: table_id,
                    kind: String::new(),
                    partitions,
                },
            );
        }
        let opt_int = |v: &Option<Value>| v.as_ref().and_then(Value::as_i64);
        Some(JobInfo {
            name: info.name,
            database: info.database,
            id: db_id,
            backup_time: info.backup_time,
            backup_objects,
            functions: Vec::new(),
            catalogs: Vec::new(),
            meta_version: opt_int(&info.meta_version).unwrap_or(META_VERSION),
            starrocks_meta_version: opt_int(&info.starrocks_meta_version)
                .unwrap_or(STARROCKS_META_VERSION),
            backup_result: info
                .backup_result
                .as_ref()
                .and_then(Value::as_str)
                .unwrap_or("succeed")
                .to_string(),
            cluster_id: opt_int(&info.cluster_id),
            finish_time: opt_int(&info.finish_time),
            ttl: info
                .ttl
                .as_ref()
                .and_then(Value::as_str)
                .map(str::to_string),
            expire_time: opt_int(&info.expire_time),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::files::PartitionInfo;
    use super::*;

    #[test]
    fn org_json_quoting() {
        let mut out = String::new();
        quote("a\"b\\c</d\u{1}\u{85}é", &mut out);
        assert_eq!(out, "\"a\\\"b\\\\c<\\/d\\u0001\\u0085é\"");
    }

    /// A job info as StarRocks writes it (two tablets in `tablets_order`, an auto-increment
    /// id, a view without partitions) reads as the simulator needs it: the first tablet in
    /// order, its `.dat` file as the data path.
    #[test]
    fn reads_a_job_info_written_by_starrocks() {
        let text = r#"{"backup_objects":{"v1":{"id":10010,"partitions":{}},"t1":{"autoIncrementId":7,"id":10002,"partitions":{"p1":{"indexes":{"t1":{"tablets_order":["10005","10004"],"schema_hash":1234,"id":10003,"tablets":{"10004":["10004.hdr.0123456789abcdef0123456789abcdef"],"10005":["020000000000271500000000000000000000000000000000_0.dat.00112233445566778899aabbccddeeff","10005.hdr.ffeeddccbbaa99887766554433221100"]}}},"subPartitions":{},"id":10001,"version_hash":0,"version":3}}}},"backup_time":1709251200000,"name":"snap","database":"db1","id":10000,"meta_version":92,"starrocks_meta_version":4,"backup_result":"succeed"}"#;
        let info = parse(text.as_bytes(), "f").unwrap();
        assert_eq!(
            (info.name.as_str(), info.database.as_str(), info.id),
            ("snap", "db1", 10000)
        );
        assert_eq!(info.backup_time, 1_709_251_200_000);
        let p = &info.backup_objects["t1"].partitions["p1"];
        assert_eq!(
            (p.id, p.version, p.index_id, p.tablet_id, p.schema_hash),
            (10001, 3, 10003, 10005, 1234)
        );
        assert_eq!(
            p.path,
            "__ss_content/__db_10000/__tbl_10002/__part_10001/__idx_10003/__10005/020000000000271500000000000000000000000000000000_0.dat.00112233445566778899aabbccddeeff"
        );
        assert!(info.backup_objects["v1"].partitions.is_empty());
        assert!(
            info.backup_objects["t1"].kind.is_empty(),
            "kinds come from __meta"
        );
    }

    #[test]
    fn what_is_written_reads_back() {
        let mut partitions = BTreeMap::new();
        partitions.insert(
            "p".to_string(),
            PartitionInfo {
                id: 3,
                version: 2,
                index_id: 2,
                tablet_id: 4,
                schema_hash: 99,
                path: "__ss_content/__db_1/__tbl_2/__part_3/__idx_2/__4/02_0.dat.00112233445566778899aabbccddeeff".into(),
                files: vec![
                    "02_0.dat.00112233445566778899aabbccddeeff".into(),
                    "4.hdr.ffeeddccbbaa99887766554433221100".into(),
                ],
            },
        );
        let mut objects = BTreeMap::new();
        objects.insert(
            "t</x".to_string(),
            TableInfo {
                id: 2,
                kind: String::new(),
                partitions,
            },
        );
        let info = JobInfo {
            name: "l".into(),
            database: "d".into(),
            id: 1,
            backup_time: 5,
            backup_objects: objects,
            functions: vec![],
            catalogs: vec![],
            meta_version: META_VERSION,
            starrocks_meta_version: STARROCKS_META_VERSION,
            backup_result: "succeed".into(),
            cluster_id: None,
            finish_time: None,
            ttl: Some("1d".into()),
            expire_time: Some(9),
        };
        let text = write(&info);
        assert!(text.contains(r#""t<\/x""#), "{text}");
        assert!(
            !text.contains("kind") && !text.contains("functions"),
            "{text}"
        );
        assert_eq!(parse(text.as_bytes(), "f").unwrap(), info);
    }

    #[test]
    fn bad_job_info_says_what_is_missing() {
        let e = parse(br#"{"name":"l"}"#, "x/__info_1").unwrap_err();
        assert_eq!(
            e,
            "invalid job info x/__info_1: 'database' is missing or not a string"
        );
        assert!(parse(b"[1]", "f")
            .unwrap_err()
            .contains("not a JSON object"));
        assert!(parse(b"{", "f")
            .unwrap_err()
            .starts_with("invalid job info f: "));
    }

    /// The typed reader and the `Value` reader agree wherever the typed one answers, and it
    /// steps aside (for the `Value` reader to read or explain) on every other shape.
    #[test]
    fn the_fast_reader_agrees_with_the_value_reader_or_steps_aside() {
        let starrocks = r#"{"backup_objects":{"v1":{"id":10010,"partitions":{}},"t1":{"autoIncrementId":7,"id":10002,"partitions":{"p1":{"indexes":{"t1":{"tablets_order":["10005","10004"],"schema_hash":1234,"id":10003,"tablets":{"10004":["10004.hdr.0123456789abcdef0123456789abcdef"],"10005":["020000000000271500000000000000000000000000000000_0.dat.00112233445566778899aabbccddeeff","10005.hdr.ffeeddccbbaa99887766554433221100"]}}},"subPartitions":{},"id":10001,"version_hash":0,"version":3}}}},"backup_time":1709251200000,"name":"snap","database":"db1","id":10000,"meta_version":92,"starrocks_meta_version":4,"backup_result":"succeed"}"#;
        let agree = [
            starrocks.to_string(),
            // No tablets_order: tablets by id; the index not named like its table.
            starrocks
                .replace(r#""tablets_order":["10005","10004"],"#, "")
                .replace(r#"{"t1":{"tablets"#, r#"{"other":{"tablets"#),
            // Indexes under the first sub-partition; retention keys of 4.2.
            r#"{"backup_objects":{"t1":{"id":10002,"partitions":{"p1":{"indexes":{},"subPartitions":{"s":{"indexes":{"t1":{"schema_hash":1234,"id":10003,"tablets":{"10005":["10005.hdr.ffeeddccbbaa99887766554433221100"]}}}}},"id":10001,"version_hash":0,"version":3}}}},"backup_time":1709251200000,"name":"snap","database":"db1","id":10000,"ttl":"1d","expire_time":9,"cluster_id":3}"#.to_string(),
            // Partitions null: none.
            starrocks.replace(r#""partitions":{}"#, r#""partitions":null"#),
        ];
        for text in &agree {
            let slow = parse_value(text.as_bytes(), "f");
            let fast = fast::parse(text.as_bytes());
            assert!(fast.is_some(), "{text} {slow:?}");
            assert_eq!(fast, slow.ok(), "{text}");
        }
        let aside = [
            // Another shape of partitions, a negative id, a float version, no index, a
            // file that is not a string, the first format's keys.
            starrocks.replace(r#""partitions":{}"#, r#""partitions":[]"#),
            starrocks.replace(r#""id":10000"#, r#""id":-1"#),
            starrocks.replace(r#""version":3"#, r#""version":3.5"#),
            starrocks.replace(r#""indexes":{"t1":"#, r#""nothing":{"t1":"#),
            starrocks.replace(r#"["10004.hdr.0123456789abcdef0123456789abcdef"]"#, "[1]"),
            starrocks.replace(r#""name":"snap""#, r#""functions":[],"name":"snap""#),
            starrocks.replace(r#""id":10010,"#, r#""id":10010,"kind":"VIEW","#),
            "[]".to_string(),
        ];
        for text in &aside {
            assert_eq!(fast::parse(text.as_bytes()), None, "{text}");
        }
    }
}
