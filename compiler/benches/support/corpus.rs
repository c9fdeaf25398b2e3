//! The lint benchmarks' generated corpus (shared by `compiler/benches/throughput.rs` and
//! `cli/benches/lint_throughput.rs` through `#[path]`).

/// Statements StarRocks's docs and tests accept, as the bench's seed material.
pub fn corpus_statements() -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/corpus");
    let mut out = Vec::new();
    for name in ["starrocks-docs.sql", "starrocks-tests.sql"] {
        let text = std::fs::read_to_string(format!("{root}/{name}")).unwrap_or_default();
        let mut cur = String::new();
        for line in text.lines() {
            if line.starts_with("-- source:") {
                if !cur.trim().is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
            if !line.starts_with("--") {
                cur.push_str(line);
                cur.push('\n');
            }
        }
        if !cur.trim().is_empty() {
            out.push(cur);
        }
    }
    out
}

/// A deterministic mix: generated BACKUP/RESTORE/SHOW statements with varying names,
/// partitions and properties, interleaved with the corpus statements verbatim. With `legacy`,
/// every fourth entry is also a statement in the pre-3.4 forms (`BACKUP SNAPSHOT db.label`,
/// `RESTORE SNAPSHOT db.label` in place, without `replication_num`): many findings per MB.
pub fn generate(target_bytes: usize, legacy: bool) -> String {
    let corpus = corpus_statements();
    let mut s = String::with_capacity(target_bytes + 4096);
    let mut i: usize = 0;
    while s.len() < target_bytes {
        let parts = 1 + i % 7;
        let mut plist = String::new();
        for p in 0..parts {
            if p > 0 {
                plist.push_str(", ");
            }
            plist.push_str(&format!(
                "p2024{:02}{:02}",
                1 + (i + p) % 12,
                1 + (i * 7 + p) % 28
            ));
        }
        match i % 6 {
            0 => s.push_str(&format!(
                "-- nightly backup {i}\nBACKUP DATABASE sales_{d} SNAPSHOT snap_{i}\nTO s3_repo\nON (TABLE orders_{t} PARTITION ({plist}), TABLE payments_{t}, VIEW v_{t})\nPROPERTIES (\"type\" = \"full\", \"timeout\" = \"86400\");\n",
                d = i % 50,
                t = i % 300
            )),
            1 => s.push_str(&format!(
                "RESTORE SNAPSHOT snap_{i} FROM s3_repo DATABASE sales_{d} AS sales_restored\nON (TABLE orders_{t} PARTITION ({plist}) AS orders_restored_{t}, MATERIALIZED VIEW mv_{t})\nPROPERTIES (\"backup_timestamp\" = \"2024-12-09-10-25-{ss:02}-842\", \"replication_num\" = \"3\");\n",
                d = i % 50,
                t = i % 300,
                ss = i % 60
            )),
            2 => s.push_str(&format!(
                "SHOW SNAPSHOT ON s3_repo WHERE SNAPSHOT = 'snap_{i}' AND TIMESTAMP = '2024-12-09-10-25-58-842';\n"
            )),
            3 => s.push_str(&format!(
                "BACKUP SNAPSHOT `sales-{d}`.`label-{i}` TO `repo` ON (`order items` PARTITION ({plist}), t1);\n",
                d = i % 50
            )),
            4 => s.push_str(&format!(
                "/* swap after restore */ ALTER TABLE orders_{t} SWAP WITH orders_restored_{t};\nSHOW RESTORE FROM sales_{d};\n",
                t = i % 300,
                d = i % 50
            )),
            _ => {
                if let Some(stmt) = corpus.get(i % corpus.len().max(1)) {
                    s.push_str(stmt);
                }
            }
        }
        if legacy && i % 4 == 0 {
            s.push_str(&format!(
                "BACKUP SNAPSHOT sales_{d}.legacy_{i} TO s3_repo ON (orders_{t}, payments_{t});\nRESTORE SNAPSHOT sales_{d}.legacy_{i} FROM s3_repo ON (orders_{t})\nPROPERTIES (\"backup_timestamp\" = \"2024-12-09-10-25-58-842\", \"timeout\" = \"3600\");\n",
                d = i % 50,
                t = i % 300
            ));
        }
        i += 1;
    }
    s
}
