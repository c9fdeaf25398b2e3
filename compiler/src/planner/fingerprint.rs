//! The plan's input fingerprint: sha256 over the canonical inputs — the policy bytes, the
//! statement files (sorted by path), the normalized catalog's compact JSON (history
//! included) and `as_of`. Each part is length-prefixed so no two input sets collide by
//! concatenation. A shuffled catalog gives the same fingerprint.

use sha2::{Digest, Sha256};

use super::PlanInputs;
use crate::catalog::ObservedCatalog;

fn part(h: &mut Sha256, name: &str, bytes: &[u8]) {
    h.update(name.as_bytes());
    h.update(format!("\n{}\n", bytes.len()).as_bytes());
    h.update(bytes);
    h.update(b"\n");
}

/// sha256 hex of the canonical inputs; `normalized` is `inputs.catalog.normalized()`.
pub fn of(inputs: &PlanInputs, normalized: &ObservedCatalog) -> String {
    let mut h = Sha256::new();
    part(&mut h, "starsnap plan inputs", b"1");
    part(&mut h, "policy", inputs.policy_text.as_bytes());
    let mut files: Vec<_> = inputs.statement_files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for f in files {
        part(&mut h, "statement file", f.path.as_bytes());
        part(&mut h, "statement text", f.text.as_bytes());
    }
    // Compact JSON of the normalized catalog: serde writes struct fields in declaration order
    // and every list is sorted, so these bytes are canonical (and far cheaper than the
    // sorted-key form for a catalog of hundreds of thousands of partitions).
    let catalog = serde_json::to_vec(normalized).unwrap_or_default();
    part(&mut h, "catalog", &catalog);
    part(&mut h, "as_of", inputs.as_of.to_rfc3339().as_bytes());
    crate::catalog::digest_hex(&h.finalize())
}
