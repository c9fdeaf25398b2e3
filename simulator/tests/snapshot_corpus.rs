//! StarRocks's own rejects (`testdata/corpus/starrocks-rejects.sql`) sent to the simulator's
//! snapshot engine: every parse, analyze-static and analyze-catalog reject gets StarRocks's
//! exact text and code, with a catalog shaped like the FE unit tests' fixture (current
//! database `test` with tables `t0 t1 t2 t3 T3 tprimary` and views `v1 v2`, repository
//! `repo`, external catalog `catalog1`). The one reject that depends on a unit-test mock of
//! `BrokerMgr` is skipped (the simulator has no brokers: it says `Unknown broker name(…)`).
#![allow(clippy::unwrap_used)]

mod snapshot_support;

use snapshot_support::*;
use starsnap_simulator::engine::catalog::{ExternalCatalog, PartitionBound, TableKind};
use starsnap_simulator::engine::Catalog;
use starsnap_simulator::snapshot::handles;

struct Entry {
    source: String,
    expect: String,
    code: String,
    stage: String,
    sql: String,
}

fn load() -> Vec<Entry> {
    let path = format!(
        "{}/../testdata/corpus/starrocks-rejects.sql",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("corpus file");
    let mut out: Vec<Entry> = Vec::new();
    for line in text.lines() {
        if let Some(src) = line.strip_prefix("-- source: ") {
            out.push(Entry {
                source: src.into(),
                expect: String::new(),
                code: String::new(),
                stage: String::new(),
                sql: String::new(),
            });
            continue;
        }
        let Some(e) = out.last_mut() else { continue };
        if let Some(v) = line.strip_prefix("-- expect-error: ") {
            e.expect = v.into();
        } else if let Some(v) = line.strip_prefix("-- error-code: ") {
            e.code = v.into();
        } else if let Some(v) = line.strip_prefix("-- stage: ") {
            e.stage = v.into();
        } else if !line.starts_with("--") {
            if !e.sql.is_empty() {
                e.sql.push('\n');
            }
            e.sql.push_str(line);
        }
    }
    for e in &mut out {
        e.sql = e.sql.trim().trim_end_matches(';').trim().to_string();
    }
    out
}

fn fixture() -> Catalog {
    let mut cat = Catalog::new(0);
    cat.create_database("test", NOW_MS);
    let db = cat.db_mut("test").unwrap();
    for (i, name) in ["t0", "t1", "t2", "t3", "T3", "tprimary"]
        .iter()
        .enumerate()
    {
        let mut t = table(60_000 + 10 * i as u64, name, TableKind::Olap);
        t.partitions.push(partition(
            60_001 + 10 * i as u64,
            name,
            PartitionBound::Whole,
        ));
        db.tables.insert(name.to_string(), t);
    }
    for (i, name) in ["v1", "v2"].iter().enumerate() {
        let mut v = table(61_000 + i as u64, name, TableKind::View);
        v.view_definition = Some("SELECT 1".into());
        db.tables.insert(name.to_string(), v);
    }
    cat.external_catalogs.insert(
        "catalog1".into(),
        ExternalCatalog {
            id: 62_000,
            name: "catalog1".into(),
            catalog_type: "hive".into(),
            comment: String::new(),
            properties: Default::default(),
        },
    );
    cat
}

#[test]
fn starrocks_rejects_answer_exactly() {
    let store = TempDir::new("corpus");
    let mut checked = 0;
    let mut failures = Vec::new();
    for e in load() {
        if e.stage.contains("mocks") || !handles(&e.sql) {
            continue;
        }
        let mut s = Sim::with_store(store.path(), fixture(), None);
        s.session.current_db = Some("test".into());
        s.ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3://bucket/corpus'");
        let code: u16 = e
            .code
            .split_whitespace()
            .next()
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        match s.q(&e.sql) {
            Err(err) if err.message == e.expect && err.code == code => {}
            other => failures.push(format!(
                "{} [{}]\n  sql: {}\n  want: {} {}\n  got: {other:?}",
                e.source, e.stage, e.sql, e.code, e.expect
            )),
        }
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} rejects checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
