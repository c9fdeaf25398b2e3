//! The partition digest of a table: what a plan records for tables it depends on without
//! listing every partition, and what apply recomputes from a fresh observation to detect a
//! stale plan. Only partition names, ids and visible versions enter it (invariant 8).

use sha2::{Digest, Sha256};

use std::collections::BTreeMap;

use super::{ManifestEntry, Partition};

/// One manifest entry as [`entries_digest`] reads it: partition name, id, visible version,
/// exact row count.
pub type EntryRow<'a> = (&'a str, i64, i64, Option<i64>);

/// `sha256` hex over `name \t id \t visible_version \n` for every partition, sorted by name
/// then id. Independent of the order partitions are given in.
pub fn partitions_digest(partitions: &[Partition]) -> String {
    let mut rows: Vec<(&str, i64, i64)> = partitions
        .iter()
        .map(|p| (p.name.as_str(), p.id, p.visible_version))
        .collect();
    rows.sort();
    let mut h = Sha256::new();
    for (name, id, version) in rows {
        h.update(name.as_bytes());
        h.update(format!("\t{id}\t{version}\n").as_bytes());
    }
    hex(&h.finalize())
}

/// `sha256` hex over `name \t id \t visible_version \t rows \n` for each of one backup's
/// manifest entries of one table (`rows` empty when not counted), sorted: what the plan's
/// input fingerprint records of a manifest without reading it.
pub fn entries_digest<'a>(entries: impl IntoIterator<Item = EntryRow<'a>>) -> String {
    let mut rows: Vec<EntryRow<'_>> = entries.into_iter().collect();
    rows.sort();
    let mut h = Sha256::new();
    for (name, id, version, count) in rows {
        h.update(name.as_bytes());
        match count {
            Some(n) => h.update(format!("\t{id}\t{version}\t{n}\n").as_bytes()),
            None => h.update(format!("\t{id}\t{version}\t\n").as_bytes()),
        }
    }
    hex(&h.finalize())
}

/// [`entries_digest`] per table of a manifest.
pub fn manifest_entries_digests(manifest: &[ManifestEntry]) -> BTreeMap<String, String> {
    let mut by_table: BTreeMap<&str, Vec<EntryRow<'_>>> = BTreeMap::new();
    for e in manifest {
        by_table.entry(e.table.as_str()).or_default().push((
            e.partition.as_str(),
            e.partition_id,
            e.visible_version,
            e.rows,
        ));
    }
    by_table
        .into_iter()
        .map(|(t, rows)| (t.to_string(), entries_digest(rows)))
        .collect()
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, id: i64, v: i64) -> Partition {
        Partition {
            name: name.into(),
            id,
            visible_version: v,
            visible_version_time: None,
            rows: None,
            data_size: None,
        }
    }

    #[test]
    fn order_independent_and_version_sensitive() {
        let a = partitions_digest(&[p("p1", 1, 2), p("p2", 3, 4)]);
        let b = partitions_digest(&[p("p2", 3, 4), p("p1", 1, 2)]);
        assert_eq!(a, b);
        assert_ne!(a, partitions_digest(&[p("p1", 1, 2), p("p2", 3, 5)]));
        assert_ne!(a, partitions_digest(&[p("p1", 1, 2), p("p2", 9, 4)]));
        assert_eq!(a.len(), 64);
    }
}
