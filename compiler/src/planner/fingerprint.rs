//! The plan's input fingerprint: sha256 over the canonical inputs — the policy bytes, the
//! statement files (sorted by path), the normalized catalog's compact JSON (each table's
//! partitions as their digest, history included, each manifest as one digest per table) and
//! `as_of`; a set outside the chains the plan extends by its identity alone). Each part is length-prefixed so no two input sets collide by
//! concatenation. A shuffled catalog gives the same fingerprint.

use sha2::{Digest, Sha256};

use serde::Serialize;

use super::PlanInputs;
use crate::catalog::{Cluster, Database, ObservedCatalog, Partitioning, Repository, TableKind};

/// The catalog without its history (which is hashed record by record).
#[derive(Serialize)]
struct View<'a> {
    format_version: u32,
    cluster: &'a Cluster,
    databases: Vec<DatabaseView<'a>>,
    repositories: &'a [Repository],
    external_catalogs: &'a [String],
}

#[derive(Serialize)]
struct DatabaseView<'a> {
    name: &'a str,
    tables: Vec<TableView<'a>>,
    functions: &'a [String],
}

/// A table as the plan depends on it: its partitions enter by their digest (what the plan
/// records per table), so a plan that read only the partitions of tables that may have
/// changed has the fingerprint of one that read them all. A partition's row count, size
/// and version time (shown, never compared) do not enter it.
#[derive(Serialize)]
struct TableView<'a> {
    name: &'a str,
    kind: TableKind,
    schema_fingerprint: &'a str,
    partitions: u64,
    partitions_digest: String,
    partitioning: Option<Partitioning>,
}

fn databases(dbs: &[Database]) -> Vec<DatabaseView<'_>> {
    dbs.iter()
        .map(|d| DatabaseView {
            name: &d.name,
            functions: &d.functions,
            tables: d
                .tables
                .iter()
                .map(|t| TableView {
                    name: &t.name,
                    kind: t.kind,
                    schema_fingerprint: &t.schema_fingerprint,
                    partitions: t.partition_count(),
                    partitions_digest: t.partitions_digest(),
                    partitioning: t.partitioning,
                })
                .collect(),
        })
        .collect()
}

fn part(h: &mut Sha256, name: &str, bytes: &[u8]) {
    h.update(name.as_bytes());
    h.update(format!("\n{}\n", bytes.len()).as_bytes());
    h.update(bytes);
    h.update(b"\n");
}

/// sha256 hex of the canonical inputs; `normalized` is `inputs.catalog.normalized()`.
pub fn of(inputs: &PlanInputs, normalized: &ObservedCatalog) -> String {
    let mut h = Sha256::new();
    part(&mut h, "starsnap plan inputs", b"3");
    part(&mut h, "policy", inputs.policy_text.as_bytes());
    let mut files: Vec<_> = inputs.statement_files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for f in files {
        part(&mut h, "statement file", f.path.as_bytes());
        part(&mut h, "statement text", f.text.as_bytes());
    }
    // Compact JSON of the normalized catalog: serde writes struct fields in declaration order
    // and every list is sorted, so these bytes are canonical (and far cheaper than the
    // sorted-key form for a catalog of hundreds of thousands of partitions). Each backup's
    // manifest enters as one digest per table (`entries_digest`), which the state store
    // records with the manifest: a plan that read only the manifests it needed has the same
    // fingerprint as one made from the whole history.
    let view = View {
        format_version: normalized.format_version,
        cluster: &normalized.cluster,
        databases: databases(&normalized.databases),
        repositories: &normalized.repositories,
        external_catalogs: &normalized.external_catalogs,
    };
    let catalog = serde_json::to_vec(&view).unwrap_or_default();
    part(&mut h, "catalog", &catalog);
    // A set outside the chains the plan extends enters by what identifies it and when it
    // was made (what retention reads); the state store reads nothing more of it.
    let members = super::chain_members(&normalized.history.backups);
    for b in &normalized.history.backups {
        if !members.contains(&(b.repository.clone(), b.label.clone())) {
            let record = serde_json::to_vec(&b.without_facts()).unwrap_or_default();
            part(&mut h, "backup", &record);
            continue;
        }
        let record = serde_json::to_vec(&b.without_manifest()).unwrap_or_default();
        part(&mut h, "backup", &record);
        for (table, digest) in b.entries_digests() {
            part(&mut h, "manifest table", table.as_bytes());
            part(&mut h, "manifest digest", digest.as_bytes());
        }
    }
    part(&mut h, "as_of", inputs.as_of.to_rfc3339().as_bytes());
    crate::catalog::digest_hex(&h.finalize())
}
