//! The partition digest of a table: what a plan records for tables it depends on without
//! listing every partition, and what apply recomputes from a fresh observation to detect a
//! stale plan. Only partition names, ids and visible versions enter it (invariant 8).
//!
//! The digest is a hash of the table's [`PartitionSummary`] — the number of partitions, the
//! sums of their ids and visible versions, and the sum of `crc32("<name>/<id>")` — which
//! StarRocks computes itself in one aggregate over `information_schema.partitions_meta`
//! (`runtime::inspect::PARTITION_SUMMARY_COLUMNS`). So a plan knows a table did not change
//! without reading its partitions (issue 14), and the summary still sees every change a
//! backup cares about:
//! * partition ids come from one counter and only grow: with the same count, a set of ids
//!   that lost some and gained others has a larger sum (every new id exceeds every old one);
//! * with the same ids, a visible version only grows, so an equal sum means equal versions;
//! * a renamed partition (same id, new name) changes `crc32("<name>/<id>")`; only a rename
//!   whose checksums collide (2^-32) would go unseen.

use sha2::{Digest, Sha256};

use std::collections::BTreeMap;

use super::{ManifestEntry, Partition};

/// What StarRocks can aggregate of a table's partitions: the basis of [`partitions_digest`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartitionSummary {
    /// `COUNT(*)`.
    pub count: u64,
    /// `SUM(PARTITION_ID)`.
    pub id_sum: i64,
    /// `SUM(VISIBLE_VERSION)`.
    pub version_sum: i64,
    /// `SUM(CRC32(CONCAT(PARTITION_NAME, '/', PARTITION_ID)))`: [`name_check`] summed.
    pub name_sum: i64,
}

/// `crc32` (IEEE, as StarRocks's `crc32()` and zlib compute it) of `"<name>/<id>"`.
pub fn name_check(name: &str, id: i64) -> i64 {
    let mut h = crc32fast::Hasher::new();
    h.update(name.as_bytes());
    h.update(format!("/{id}").as_bytes());
    i64::from(h.finalize())
}

impl PartitionSummary {
    /// The summary of `partitions` (sums wrap, as a 64-bit `SUM` does).
    pub fn of(partitions: &[Partition]) -> Self {
        partitions
            .iter()
            .fold(PartitionSummary::default(), |s, p| PartitionSummary {
                count: s.count + 1,
                id_sum: s.id_sum.wrapping_add(p.id),
                version_sum: s.version_sum.wrapping_add(p.visible_version),
                name_sum: s.name_sum.wrapping_add(name_check(&p.name, p.id)),
            })
    }

    /// The partition digest: `sha256` hex of the summary's canonical text.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        h.update(
            format!(
                "partitions v2\t{}\t{}\t{}\t{}\n",
                self.count, self.id_sum, self.version_sum, self.name_sum
            )
            .as_bytes(),
        );
        hex(&h.finalize())
    }
}

/// The digest of a table's partitions ([`PartitionSummary::digest`]). Independent of the
/// order partitions are given in.
pub fn partitions_digest(partitions: &[Partition]) -> String {
    PartitionSummary::of(partitions).digest()
}

/// One manifest entry as [`entries_digest`] reads it: partition name, id, visible version,
/// exact row count.
pub type EntryRow<'a> = (&'a str, i64, i64, Option<i64>);

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

    #[test]
    fn renames_and_swapped_names_change_the_digest() {
        let a = partitions_digest(&[p("p1", 1, 2), p("p2", 3, 4)]);
        assert_ne!(a, partitions_digest(&[p("p9", 1, 2), p("p2", 3, 4)]));
        // The same names on each other's partitions.
        assert_ne!(a, partitions_digest(&[p("p2", 1, 2), p("p1", 3, 4)]));
        // One partition dropped and a newer one added: the id sum grows.
        assert_ne!(a, partitions_digest(&[p("p1", 1, 2), p("p3", 5, 4)]));
    }

    #[test]
    fn name_check_is_the_ieee_crc32_starrocks_computes() {
        // zlib's check value for "123456789" is 0xCBF43926; "p1/12" is hashed as one text.
        let mut h = crc32fast::Hasher::new();
        h.update(b"123456789");
        assert_eq!(h.finalize(), 0xCBF4_3926);
        let mut h = crc32fast::Hasher::new();
        h.update(b"p1/12");
        assert_eq!(name_check("p1", 12), i64::from(h.finalize()));
    }
}
