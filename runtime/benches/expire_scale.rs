//! Expiry at scale against a real S3-compatible server (moto, started here on 127.0.0.1):
//! `STARSNAP_BENCH_SETS` snapshots (1,000 by default) of `STARSNAP_BENCH_OBJECTS` objects
//! each (6: the job info, the meta and four tablet files, in StarRocks's layout) are written,
//! then expired the way apply does before StarRocks 4.2 — the runtime's `SnapshotStore`,
//! opened from a policy-style repository description with the keys read from environment
//! variables: every snapshot is listed (paginated), then deleted (its info file first, the
//! rest in batches). Prints objects listed and deleted per second.
//!
//! `cargo bench -p starsnap-runtime --bench expire_scale` prints the figures (moto's server
//! is needed: `python3 -m pip install 'moto[server]'`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use starsnap_repo::test_server::Moto;
use starsnap_repo::{layout, Store, StoreOptions};
use starsnap_runtime::repo::RepositoryAccess;
use starsnap_runtime::snapshot_objects::SnapshotStore;

const BUCKET: &str = "starsnap-bench";

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn label(i: usize) -> String {
    format!("nightly-sales-{i:05}-incremental")
}

/// Writes the snapshots with 8 writer threads; returns the number of objects.
fn populate(endpoint: &str, location: &str, sets: usize, per_set: usize) -> usize {
    let opts = StoreOptions {
        endpoint: Some(endpoint.to_string()),
        region: Some("us-east-1".into()),
        access_key: Some("testing".into()),
        secret_key: Some("testing".into()),
        ..StoreOptions::default()
    };
    let root = layout::repo_root("main", false);
    std::thread::scope(|s| {
        for t in 0..8 {
            let (opts, root) = (&opts, &root);
            s.spawn(move || {
                let store = Store::open(location, opts).unwrap();
                for i in (t..sets).step_by(8) {
                    let dir = layout::snapshot_dir(root, &label(i));
                    let body = vec![b'x'; 512];
                    let sum = layout::md5_hex(&body);
                    for o in 0..per_set {
                        let name = match o {
                            0 => layout::info_name("2026-11-22-04-00-00-000", &sum),
                            1 => layout::meta_name(&sum),
                            n => format!(
                                "{}/__db_1/__tbl_2/__part_{i}/__idx_2/__{n}/__7/{n}_2_0.dat.{sum}",
                                layout::CONTENT_DIR
                            ),
                        };
                        store.put(&format!("{dir}/{name}"), &body).unwrap();
                    }
                }
            });
        }
    });
    sets * per_set
}

fn main() {
    let sets = size("STARSNAP_BENCH_SETS", 1_000);
    let per_set = size("STARSNAP_BENCH_OBJECTS", 6).max(2);
    let moto = Moto::start().unwrap_or_else(|e| panic!("{e}"));
    moto.create_bucket(BUCKET).unwrap();
    let location = format!("s3://{BUCKET}/backups");
    let t = Instant::now();
    let written = populate(&moto.endpoint(), &location, sets, per_set);
    println!(
        "expire_scale: wrote {sets} snapshots, {written} objects in {:.1} s (setup, 8 writers)",
        t.elapsed().as_secs_f64()
    );

    let access = RepositoryAccess {
        location: location.clone(),
        properties: BTreeMap::from([
            ("aws.s3.endpoint".to_string(), moto.endpoint()),
            ("aws.s3.region".to_string(), "us-east-1".to_string()),
        ]),
        env: BTreeMap::from([
            ("aws.s3.access_key".to_string(), "BENCH_S3_KEY".to_string()),
            (
                "aws.s3.secret_key".to_string(),
                "BENCH_S3_SECRET".to_string(),
            ),
        ]),
    };
    let env = |n: &str| matches!(n, "BENCH_S3_KEY" | "BENCH_S3_SECRET").then(|| "testing".into());
    let store = SnapshotStore::open("main", None, Some(&access), &env, &[]).unwrap();

    let t = Instant::now();
    let mut listed = 0;
    for i in 0..sets {
        listed += store.list_snapshot(&label(i)).unwrap().len();
    }
    let list_s = t.elapsed().as_secs_f64();
    assert_eq!(listed, written);

    let t = Instant::now();
    let mut deleted = 0;
    for i in 0..sets {
        deleted += store.delete_snapshot(&label(i)).unwrap().deleted;
    }
    let delete_s = t.elapsed().as_secs_f64();
    assert_eq!(deleted, written);
    assert!(moto.keys(BUCKET).unwrap().is_empty(), "everything deleted");

    println!(
        "expire_scale: listed {listed} objects of {sets} snapshots in {list_s:.2} s: {:.0} objects/s ({:.0} snapshots/s)",
        listed as f64 / list_s,
        sets as f64 / list_s
    );
    println!(
        "expire_scale: expired {sets} snapshots ({deleted} objects; each listed again, info file first, then one batch) in {delete_s:.2} s: {:.0} objects deleted/s ({:.0} snapshots/s)",
        deleted as f64 / delete_s,
        sets as f64 / delete_s
    );
}
