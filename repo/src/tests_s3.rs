//! The store and repository against a real S3-compatible server (moto on 127.0.0.1) and
//! against a local folder.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::layout;
use crate::test_server::Moto;
use crate::{Repository, RetryPolicy, Store, StoreOptions};

fn moto() -> Moto {
    match Moto::start() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

fn opts(endpoint: String) -> StoreOptions {
    StoreOptions {
        endpoint: Some(endpoint),
        access_key: Some("AKIDCANARY1234".into()),
        secret_key: Some("SECRETCANARYvalue".into()),
        ..StoreOptions::default()
    }
}

/// Writes snapshot `label` with `n` content objects and one info and one meta file.
fn write_snapshot(store: &Store, root: &str, label: &str, n: usize) {
    let dir = layout::snapshot_dir(root, label);
    store
        .put(
            &format!(
                "{dir}/{}",
                layout::info_name("2024-01-01-00-00-00-000", "aa")
            ),
            b"{}",
        )
        .expect("info");
    store
        .put(&format!("{dir}/{}", layout::meta_name("bb")), b"{}")
        .expect("meta");
    for i in 0..n {
        store
            .put(
                &format!("{dir}/__ss_content/__db_1/__tbl_2/__part_{i}/data.jsonl"),
                format!("row {i}\n").as_bytes(),
            )
            .expect("content");
    }
}

#[test]
fn list_and_delete_against_moto_paginated_and_batched() {
    let m = moto();
    m.create_bucket("snaps").expect("bucket");
    let store = Store::open("s3://snaps/backups/prod", &opts(m.endpoint())).expect("open");
    let repo = Repository::on(store, "r1");
    assert_eq!(repo.labels().expect("labels"), Vec::<String>::new());
    // More than one page (1,000 keys) and more than one DeleteObjects batch.
    let n = 1_100;
    let t = Instant::now();
    write_snapshot(repo.store(), repo.root(), "big", n);
    let wrote = t.elapsed();
    write_snapshot(repo.store(), repo.root(), "small", 1);
    assert_eq!(repo.labels().expect("labels"), vec!["big", "small"]);
    assert_eq!(
        repo.snapshot_timestamps("big").expect("ts"),
        vec!["2024-01-01-00-00-00-000"]
    );
    let t = Instant::now();
    let objects = repo.snapshot_objects("big").expect("list");
    let listed = t.elapsed();
    assert_eq!(objects.len(), n + 2);
    assert!(objects.iter().all(|o| o.size > 0));
    // An ordinary S3 client sees the same keys under the location's prefix.
    let keys = m.keys("snaps").expect("boto3");
    assert_eq!(keys.len(), n + 5, "{:?}", keys.get(..3));
    assert!(keys
        .iter()
        .all(|k| k.starts_with("backups/prod/__starrocks_repository_r1/__ss_")));
    let t = Instant::now();
    let report = repo.delete_snapshot("big").expect("delete");
    let deleted = t.elapsed();
    assert_eq!(report.deleted, n + 2);
    assert_eq!(repo.labels().expect("labels"), vec!["small"]);
    assert_eq!(m.keys("snaps").expect("boto3").len(), 3);
    // Idempotent: nothing left to delete.
    assert_eq!(repo.delete_snapshot("big").expect("again").deleted, 0);
    eprintln!(
        "moto: wrote {} objects/s, listed {} objects/s, deleted {} objects/s",
        rate(n, wrote),
        rate(n + 2, listed),
        rate(n + 2, deleted)
    );
}

fn rate(n: usize, d: Duration) -> u64 {
    (n as f64 / d.as_secs_f64().max(1e-6)) as u64
}

#[test]
fn an_interrupted_deletion_is_finished_by_the_next_call() {
    let m = moto();
    m.create_bucket("snaps").expect("bucket");
    let store = Store::open("s3://snaps", &opts(m.endpoint())).expect("open");
    let repo = Repository::on(store, "r");
    write_snapshot(repo.store(), repo.root(), "l1", 5);
    // Halfway: the info file and two content objects are gone.
    let objects = repo.snapshot_objects("l1").expect("list");
    let some: Vec<String> = objects.iter().take(3).map(|o| o.key.clone()).collect();
    assert_eq!(repo.store().delete(&some).expect("partial"), 3);
    assert_eq!(repo.delete_snapshot("l1").expect("finish").deleted, 4);
    assert!(repo.snapshot_objects("l1").expect("list").is_empty());
    assert!(repo.labels().expect("labels").is_empty());
    // Deleting keys that are already gone succeeds.
    assert_eq!(repo.store().delete(&some).expect("gone"), 3);
}

#[test]
fn small_objects_read_and_write() {
    let m = moto();
    m.create_bucket("snaps").expect("bucket");
    let store = Store::open("s3://snaps/p/", &opts(m.endpoint())).expect("open");
    assert_eq!(store.get("a/b").expect("get"), None);
    store.put("a/b", b"hello").expect("put");
    assert_eq!(
        store.get("a/b").expect("get").as_deref(),
        Some(&b"hello"[..])
    );
    assert_eq!(m.keys("snaps").expect("keys"), vec!["p/a/b"]);
    let (dirs, files) = store.list_dir("").expect("dir");
    assert_eq!((dirs, files.len()), (vec!["a".to_string()], 0));
}

/// A proxy in front of moto that answers `503 Slow Down` to the first `fail` connections
/// and forwards the others byte for byte.
fn flaky_proxy(upstream: u16, fail: usize) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut client) = conn else { break };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                if n < fail {
                    let mut buf = [0u8; 65536];
                    let _ = client.set_read_timeout(Some(Duration::from_millis(200)));
                    let _ = client.read(&mut buf);
                    let body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
                    let _ = write!(
                        client,
                        "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    return;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    return;
                };
                let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
                    return;
                };
                let mut server = server;
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s2, &mut c2);
                    let _ = c2.shutdown(std::net::Shutdown::Both);
                });
                let _ = std::io::copy(&mut client, &mut server);
                let _ = server.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    (port, seen)
}

#[test]
fn throttling_is_retried_until_the_server_answers() {
    let m = moto();
    m.create_bucket("snaps").expect("bucket");
    let direct = Store::open("s3://snaps", &opts(m.endpoint())).expect("open");
    let repo = Repository::on(direct, "r");
    write_snapshot(repo.store(), repo.root(), "l", 3);
    // Seven refusals: more than the client's own 4 retries, so the listing and the deletion
    // succeed only through the whole-operation retry.
    let (port, seen) = flaky_proxy(m.port(), 7);
    let mut o = opts(format!("http://127.0.0.1:{port}"));
    o.retry = RetryPolicy {
        retries: 5,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
    };
    let flaky = Repository::on(Store::open("s3://snaps", &o).expect("open"), "r");
    let report = flaky
        .delete_snapshot("l")
        .expect("delete through throttling");
    assert_eq!(report.deleted, 5);
    assert!(seen.load(Ordering::SeqCst) > 7);
    assert!(m.keys("snaps").expect("keys").is_empty());
    // Without retries the throttling surfaces as a transient error, without the keys.
    let (port, _) = flaky_proxy(m.port(), 100);
    let mut o = opts(format!("http://127.0.0.1:{port}"));
    o.retry = RetryPolicy::none();
    let store = Store::open("s3://snaps", &o).expect("open");
    let e = match store.list("") {
        Err(e) => e,
        Ok(v) => panic!("listing through a refusing proxy succeeded: {v:?}"),
    };
    assert!(e.is_transient(), "{e}");
    let text = format!("{e} {e:?} {store:?} {o:?}");
    assert!(!text.contains("CANARY"), "{text}");
}

#[test]
fn local_folders_have_the_same_api() {
    let dir = tempfile::tempdir().expect("tmp");
    let loc = format!("file://{}", dir.path().join("repo").display());
    let repo = Repository::open("r", &loc, &StoreOptions::default()).expect("open");
    write_snapshot(repo.store(), repo.root(), "a/b", 3);
    write_snapshot(repo.store(), repo.root(), "c", 1);
    assert_eq!(repo.labels().expect("labels"), vec!["a/b", "c"]);
    assert!(dir
        .path()
        .join("repo/__starrocks_repository_r/__ss_a%2Fb/__meta.bb")
        .is_file());
    assert_eq!(repo.snapshot_objects("a/b").expect("list").len(), 5);
    assert_eq!(repo.delete_snapshot("a/b").expect("delete").deleted, 5);
    assert_eq!(repo.labels().expect("labels"), vec!["c"]);
    assert_eq!(repo.delete_snapshot("a/b").expect("again").deleted, 0);
    // Plain paths are local folders too; unknown schemes say so.
    assert!(Store::open(&dir.path().display().to_string(), &StoreOptions::default()).is_ok());
    let e = Store::open("hdfs://nn/p", &StoreOptions::default()).err();
    assert!(e.is_some_and(|e| e.to_string().contains("hdfs://")));
}
