//! What a restore reads from the cluster besides the catalog: the replication number its jobs
//! use, and the checks that prove a restored table is what was backed up — on facts that are
//! exact (spec §9.3): the partition set, each partition's visible version, the schema, and
//! `COUNT(*)` compared with a count taken at a known version. `ROW_COUNT` of
//! `partitions_meta` lags loads and restores, so it is never used.

use std::collections::BTreeMap;

use starsnap_compiler::plan::VerifyOp;
use starsnap_compiler::syntax::quote_string;

use crate::conn::Cluster;
use crate::counts::{count, Target};
use crate::error::RuntimeError;
use crate::inspect::table_schema_fingerprint;

/// The replication number for a restore's jobs: the live tables' own (the largest in the
/// databases named; 3, StarRocks's default, when none is known), capped by the alive backends.
/// StarRocks cancels a restore onto an existing partition whose replication number differs
/// from the job's (`RestoreJob`), and cannot place more replicas than alive backends.
pub fn replication_num(cluster: &mut Cluster, databases: &[String]) -> Result<u32, RuntimeError> {
    let backends = cluster.query("SHOW BACKENDS")?;
    backends.require(&["Alive"])?;
    let mut alive = 0u32;
    for row in backends.iter() {
        if row
            .get("Alive")?
            .is_some_and(|a| a.eq_ignore_ascii_case("true"))
        {
            alive += 1;
        }
    }
    let mut source: Option<u32> = None;
    for db in databases {
        let rs = cluster.query(&format!(
            "SELECT REPLICATION_NUM FROM information_schema.partitions_meta WHERE DB_NAME = {}",
            quote_string(db)
        ))?;
        for row in rs.iter() {
            if let Some(n) = row.opt_i64("REPLICATION_NUM")? {
                let n = u32::try_from(n.max(1)).unwrap_or(u32::MAX);
                source = Some(source.map_or(n, |s| s.max(n)));
            }
        }
    }
    Ok(source.unwrap_or(3).min(alive.max(1)))
}

/// What a verification found wrong, one readable line each; empty: the table is as backed up.
pub fn verify(cluster: &mut Cluster, op: &VerifyOp) -> Result<Vec<String>, RuntimeError> {
    let mut wrong = Vec::new();
    let here = format!("{}.{}", op.database, op.table);
    match table_schema_fingerprint(cluster, &op.database, &op.table)? {
        // No column listed: the object may still exist (a view or materialized view whose
        // columns the catalog does not list); then only a recorded schema can differ.
        None if exists(cluster, &op.database, &op.table)? => {
            if !op.schema_fingerprint.is_empty() {
                wrong.push(format!(
                    "{here} lists no column; the backup recorded schema fingerprint {}",
                    short(&op.schema_fingerprint)
                ));
            }
        }
        None => {
            wrong.push(format!("{here} does not exist"));
            return Ok(wrong);
        }
        Some(fp) if fp != op.schema_fingerprint => wrong.push(format!(
            "the schema of {here} is not the one backed up (fingerprint {} instead of {})",
            short(&fp),
            short(&op.schema_fingerprint)
        )),
        Some(_) => {}
    }
    if op.kind != starsnap_compiler::plan::ObjectKind::View {
        let rs = cluster.query(&format!(
            "SELECT PARTITION_NAME, VISIBLE_VERSION, IS_TEMP FROM information_schema.partitions_meta \
             WHERE DB_NAME = {} AND TABLE_NAME = {}",
            quote_string(&op.database),
            quote_string(&op.table)
        ))?;
        let mut actual: BTreeMap<String, i64> = BTreeMap::new();
        for row in rs.iter() {
            if matches!(row.get("IS_TEMP")?, Some("1" | "true")) {
                continue;
            }
            actual.insert(
                row.text("PARTITION_NAME")?.to_string(),
                row.i64("VISIBLE_VERSION")?,
            );
        }
        for p in &op.partitions {
            match (actual.get(&p.name), p.visible_version) {
                (None, _) => wrong.push(format!("{here} lacks partition {}", p.name)),
                (Some(v), Some(want)) if *v != want => wrong.push(format!(
                    "partition {} of {here} has visible version {v}, the snapshot's is {want}",
                    p.name
                )),
                _ => {}
            }
        }
        for name in actual.keys() {
            if !op.partitions.iter().any(|p| &p.name == name) {
                wrong.push(format!(
                    "{here} has partition {name}, which the backup did not hold"
                ));
            }
        }
        // Every recorded count in as few statements as the server takes (`crate::counts`).
        let counted: Vec<(&str, i64)> = op
            .partitions
            .iter()
            .filter(|p| actual.contains_key(&p.name))
            .filter_map(|p| p.rows.map(|want| (p.name.as_str(), want)))
            .collect();
        let targets: Vec<Target<'_>> = counted
            .iter()
            .map(|(name, _)| Target {
                table: &op.table,
                partition: name,
            })
            .collect();
        let got = count(cluster, &op.database, &targets)?;
        if let Some(e) = got.failed.into_iter().next() {
            return Err(e);
        }
        for ((name, want), got) in counted.into_iter().zip(got.rows) {
            if got != Some(want) {
                wrong.push(format!(
                    "partition {name} of {here} holds {} rows, the backup held {want}",
                    got.map_or_else(|| "no".to_string(), |g| g.to_string())
                ));
            }
        }
    }
    Ok(wrong)
}

/// Whether `database.table` (a table, view or materialized view) exists.
fn exists(cluster: &mut Cluster, database: &str, table: &str) -> Result<bool, RuntimeError> {
    let rs = cluster.query(&format!(
        "SELECT TABLE_NAME FROM information_schema.tables WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
        quote_string(database),
        quote_string(table)
    ))?;
    let found = rs.iter().next().is_some();
    Ok(found)
}

fn short(fp: &str) -> String {
    fp.chars().take(12).collect()
}
