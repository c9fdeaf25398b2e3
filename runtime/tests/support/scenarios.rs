//! State-store scenarios shared by the StarRocks-simulator and MariaDB test files: each
//! takes a [`Fixture`] that opens fresh connections to a server the test started.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use starsnap_compiler::catalog::{BackedUpObject, Partitioning, TableKind};
use starsnap_runtime::state::lock::Actor;
use starsnap_runtime::state::{
    BackupKind, BackupState, Clock, FinishedBackup, HistoryFilter, LockRequest, LockStatus,
    ManifestRow, ManualClock, SubmittedBackup, SystemClock, Transition,
};
use starsnap_runtime::{Cluster, RuntimeError, StateConfig, StateStore};

/// Opens connections to the server under test.
pub trait Fixture: Sync {
    fn connect(&self) -> Cluster;
    fn config(&self) -> StateConfig;

    fn store(&self, clock: Arc<dyn Clock>) -> StateStore {
        StateStore::new(self.connect(), self.config(), clock).expect("store")
    }
}

pub fn actor(name: &str) -> Actor {
    Actor {
        holder: name.to_string(),
        host: format!("{name}-host"),
        pid: 4242,
        run_id: format!("run-{name}"),
    }
}

pub fn request(db: &str, who: &str, ttl_s: u64) -> LockRequest {
    LockRequest {
        database: db.to_string(),
        actor: actor(who),
        plan_fingerprint: format!("fp-{who}"),
        ttl: Duration::from_secs(ttl_s),
    }
}

const T0: i64 = 1_795_321_464_000;

pub fn migrations_from_empty_and_rerun(f: &dyn Fixture) {
    let mut s = f.store(Arc::new(SystemClock));
    assert_eq!(s.schema_version().expect("version"), None);
    let r = s.init().expect("init");
    assert_eq!(r.applied, vec![1, 2, 3, 4, 5]);
    assert_eq!(r.version, starsnap_runtime::state::latest_version());
    let again = s.ensure_current().expect("re-run");
    assert!(again.applied.is_empty(), "{again:?}");
    assert_eq!(s.schema_version().expect("version"), Some(5));
    let db = f.config().database;
    let rs = s
        .connection()
        .query(&format!("SHOW TABLES FROM {db}"))
        .expect("show tables");
    let col = format!("Tables_in_{db}");
    let mut tables: Vec<String> = rs
        .iter()
        .map(|r| r.text(&col).expect("name").to_string())
        .collect();
    tables.sort();
    assert_eq!(
        tables,
        [
            "backup_objects",
            "backup_partitions",
            "backup_retention",
            "backup_snapshots",
            "backup_table_digests",
            "backups",
            "drills",
            "events",
            "locks",
            "schema_migrations"
        ]
    );
    // A schema newer than this binary: refused, nothing written.
    s.connection()
        .execute(&format!(
            "INSERT INTO {db}.schema_migrations (version, description, applied_ms, starsnap_version) VALUES (99, \"future\", 0, \"9.9.9\")"
        ))
        .expect("future row");
    let e = s.ensure_current().expect_err("too new");
    assert!(
        matches!(
            e,
            RuntimeError::StateSchemaTooNew {
                found: 99,
                supported,
                ..
            } if supported == starsnap_runtime::state::latest_version()
        ),
        "{e}"
    );
    assert!(e.to_string().contains("upgrade starsnap"), "{e}");
}

/// `threads` stores race for one lock, `rounds` times: exactly one wins each round.
pub fn concurrent_takers_exactly_one_wins(f: &dyn Fixture, threads: usize, rounds: usize) {
    f.store(Arc::new(SystemClock)).init().expect("init");
    let mut stores: Vec<StateStore> = (0..threads)
        .map(|_| f.store(Arc::new(SystemClock)))
        .collect();
    for round in 0..rounds {
        let barrier = Arc::new(Barrier::new(threads));
        let results: Vec<Result<_, RuntimeError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = stores
                .iter_mut()
                .enumerate()
                .map(|(i, s)| {
                    let barrier = barrier.clone();
                    scope.spawn(move || {
                        let req = request("sales", &format!("taker{i}"), 600);
                        barrier.wait();
                        s.try_lock(&req)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        let winners: Vec<usize> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_ok())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        for r in &results {
            if let Err(e) = r {
                assert!(
                    matches!(e, RuntimeError::LockHeld { .. }),
                    "round {round}: {e}"
                );
            }
        }
        let w = winners[0];
        let lease = results
            .into_iter()
            .nth(w)
            .and_then(Result::ok)
            .expect("lease");
        let info = stores[w].lock_of("sales").expect("read").expect("lock");
        assert_eq!(
            (info.lock_id.as_str(), info.status),
            (lease.lock_id.as_str(), LockStatus::Held)
        );
        stores[w].release_lock(lease).expect("release");
    }
}

pub fn expiry_takeover_renew_release_break(f: &dyn Fixture) {
    let clock = Arc::new(ManualClock::new(T0));
    let mut a = f.store(clock.clone());
    let mut b = f.store(clock.clone());
    a.init().expect("init");

    // Take; a second taker is refused with a typed error naming the holder.
    let mut lease_a = a.try_lock(&request("sales", "alice", 30)).expect("take");
    let e = b.try_lock(&request("sales", "bob", 30)).expect_err("held");
    match &e {
        RuntimeError::LockHeld { database, by } => {
            assert_eq!(database, "sales");
            assert_eq!(
                (by.holder.as_str(), by.host.as_str()),
                ("alice", "alice-host")
            );
            assert_eq!(by.lock_id, lease_a.lock_id);
            assert_eq!(by.plan_fingerprint, "fp-alice");
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("alice@alice-host"), "{e}");
    assert!(
        e.to_string()
            .contains(&format!("starsnap unlock {}", lease_a.lock_id)),
        "{e}"
    );
    // Another database is independent.
    let _other = b.try_lock(&request("hr", "bob", 30)).expect("other db");

    // Renew at +20 s: still held at +40 s.
    clock.advance(Duration::from_secs(20));
    let g = lease_a.generation;
    a.renew_lock(&mut lease_a).expect("renew");
    assert!(lease_a.generation > g);
    assert_eq!(lease_a.expires_ms, T0 + 50_000);
    clock.advance(Duration::from_secs(20));
    assert!(matches!(
        b.try_lock(&request("sales", "bob", 30)),
        Err(RuntimeError::LockHeld { .. })
    ));

    // Expired at +51 s: bob takes it over; alice's renew and release find it lost.
    clock.advance(Duration::from_secs(11));
    let listed = b.list_locks().expect("list");
    let sales = listed
        .iter()
        .find(|l| l.database == "sales")
        .expect("sales lock");
    assert_eq!(sales.status, LockStatus::Expired);
    let lease_b = b.try_lock(&request("sales", "bob", 30)).expect("takeover");
    assert!(lease_b.generation > lease_a.generation);
    let e = a.renew_lock(&mut lease_a).expect_err("lost");
    assert!(matches!(e, RuntimeError::LockLost { .. }), "{e}");
    assert!(e.to_string().contains("bob@bob-host"), "{e}");
    assert!(matches!(
        a.release_lock(lease_a.clone()),
        Err(RuntimeError::LockLost { .. })
    ));

    // Release: alice takes it at once.
    b.release_lock(lease_b).expect("release");
    let lease_a2 = a
        .try_lock(&request("sales", "alice", 30))
        .expect("after release");

    // Break: `starsnap unlock ID`; the broken holder learns it at its next renew.
    let admin = actor("admin");
    let broken = b.break_lock(&lease_a2.lock_id, &admin).expect("break");
    assert_eq!(broken.actor.holder, "alice");
    let mut lease_a2 = lease_a2;
    assert!(matches!(
        a.renew_lock(&mut lease_a2),
        Err(RuntimeError::LockLost { .. })
    ));
    assert!(matches!(
        b.break_lock(&lease_a2.lock_id, &admin),
        Err(RuntimeError::LockNotFound { .. })
    ));
    assert!(matches!(
        b.break_lock("nosuchlock", &admin),
        Err(RuntimeError::LockNotFound { .. })
    ));
    let lease_b2 = b
        .try_lock(&request("sales", "bob", 30))
        .expect("after break");

    // Status lists one lock per database, latest generation.
    let listed = a.list_locks().expect("list");
    let summary: Vec<(&str, LockStatus, &str)> = listed
        .iter()
        .map(|l| (l.database.as_str(), l.status, l.actor.holder.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("hr", LockStatus::Expired, "bob"),
            ("sales", LockStatus::Held, "bob")
        ]
    );
    b.release_lock(lease_b2).expect("release");

    // The journal has every lock operation.
    let kinds: Vec<String> = a
        .events(Some("run-alice"))
        .expect("events")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["lock_take", "lock_renew", "lock_take"]);
    let admin_events = a.events(Some("run-admin")).expect("events");
    assert_eq!(admin_events.len(), 1);
    assert_eq!(admin_events[0].kind, "lock_break");
}

pub fn wait_with_timeout(f: &dyn Fixture) {
    // Manual clock: waiting advances time; the wait gives up at its deadline, or takes
    // over once the holder's lease expires.
    let clock = Arc::new(ManualClock::new(T0));
    let mut a = f.store(clock.clone());
    let mut b = f.store(clock.clone());
    a.init().expect("init");
    let _held = a.try_lock(&request("sales", "alice", 60)).expect("take");
    let start = clock.now_ms();
    let e = b
        .acquire_lock(&request("sales", "bob", 60), Duration::from_secs(10))
        .expect_err("times out");
    match e {
        RuntimeError::LockHeld { by, .. } => {
            let w = by.waited.expect("waited");
            assert!(w >= Duration::from_secs(10), "{w:?}");
        }
        other => panic!("{other}"),
    }
    assert!(clock.now_ms() - start >= 10_000);
    assert!(
        clock.now_ms() - start < 16_000,
        "backoff never sleeps past the deadline"
    );
    let lease = b
        .acquire_lock(&request("sales", "bob", 60), Duration::from_secs(120))
        .expect("takes over after expiry");
    assert!(clock.now_ms() >= T0 + 60_000);
    b.release_lock(lease).expect("release");

    // Real clock: the holder releases after a moment; the waiter gets it.
    let real: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut a = f.store(real.clone());
    let mut b = f.store(real);
    let held = a.try_lock(&request("hr", "alice", 600)).expect("take");
    let t = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            a.release_lock(held).expect("release");
        });
        let lease = b
            .acquire_lock(&request("hr", "bob", 600), Duration::from_secs(20))
            .expect("acquired after release");
        assert_eq!(lease.actor.holder, "bob");
    });
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

fn submitted(label: &str, kind: BackupKind, parent: Option<&str>) -> SubmittedBackup {
    SubmittedBackup {
        label: label.to_string(),
        set: None,
        chunk_index: 1,
        chunk_count: 1,
        group: "nightly".into(),
        database: "sales".into(),
        kind,
        parent: parent.map(str::to_string),
        repository: "repo1".into(),
        plan_fingerprint: "sha256:abc".into(),
        step_id: format!("backup/nightly/sales/{label}"),
        run_id: "run-1".into(),
        schemas: BTreeMap::from([("orders".to_string(), "fp1".to_string())]),
        objects: BTreeMap::new(),
        functions: Vec::new(),
        catalogs: Vec::new(),
    }
}

fn part(table: &str, name: &str, id: i64, version: i64) -> ManifestRow {
    ManifestRow {
        database: "sales".into(),
        table: table.into(),
        partition: name.into(),
        partition_id: id,
        visible_version: version,
        rows: Some(10 * id),
        data_size: Some(1000 + id),
    }
}

fn transition(state: &str) -> Transition {
    Transition {
        run_id: "run-1".into(),
        job_state: state.into(),
        status: None,
    }
}

pub fn history_round_trip(f: &dyn Fixture) {
    let clock = Arc::new(ManualClock::new(T0));
    let mut s = f.store(clock.clone());
    s.init().expect("init");

    s.record_submitted(&submitted("full1", BackupKind::Full, None))
        .expect("submit");
    let b = s.backup("repo1", "full1").expect("read").expect("row");
    assert_eq!(
        (b.state, b.submitted_ms, b.set.as_str()),
        (BackupState::Submitted, T0, "full1")
    );
    for st in ["PENDING", "SNAPSHOTING", "UPLOADING"] {
        clock.advance(Duration::from_secs(5));
        s.record_transition("repo1", "full1", &transition(st))
            .expect("transition");
    }
    let b = s.backup("repo1", "full1").expect("read").expect("row");
    assert_eq!(
        (b.state, b.job_state.as_deref(), b.updated_ms),
        (BackupState::Running, Some("UPLOADING"), T0 + 15_000)
    );
    let manifest = vec![
        part("orders", "p2", 12, 3),
        part("orders", "p1", 11, 2),
        part("items", "p1", 21, 5),
    ];
    clock.advance(Duration::from_secs(5));
    s.record_finished(
        "repo1",
        "full1",
        &FinishedBackup {
            run_id: "run-1".into(),
            snapshot_timestamp: "2026-11-22-04-25-04-123".into(),
            backup_time_ms: None,
            manifest: manifest.clone(),
            state_digests: Default::default(),
        },
    )
    .expect("finish");
    let b = s.backup("repo1", "full1").expect("read").expect("row");
    assert_eq!(b.state, BackupState::Finished);
    assert_eq!(
        b.snapshot_timestamp.as_deref(),
        Some("2026-11-22-04-25-04-123")
    );
    assert_eq!(
        (b.partition_count, b.data_size, b.finished_ms),
        (Some(3), Some(3044), Some(T0 + 20_000))
    );
    assert_eq!(b.schemas.get("orders").map(String::as_str), Some("fp1"));
    let mut want = manifest.clone();
    want.sort_by(|a, b| (&a.table, &a.partition).cmp(&(&b.table, &b.partition)));
    assert_eq!(s.manifest("repo1", "full1").expect("manifest"), want);
    // An ended job does not go back to running.
    assert!(matches!(
        s.record_transition("repo1", "full1", &transition("UPLOADING")),
        Err(RuntimeError::StateConflict { .. })
    ));
    // Run ids are journal keys: bounded.
    let mut long = submitted("x", BackupKind::Full, None);
    long.run_id = "r".repeat(65);
    assert!(matches!(
        s.record_submitted(&long),
        Err(RuntimeError::StateConflict { .. })
    ));
    // Never submitted twice.
    let e = s
        .record_submitted(&submitted("full1", BackupKind::Full, None))
        .expect_err("finished");
    assert!(matches!(e, RuntimeError::StateConflict { .. }), "{e}");

    // An incremental on top, then a failed one with StarRocks's texts.
    clock.advance(Duration::from_secs(60));
    s.record_submitted(&submitted("inc1", BackupKind::Incremental, Some("full1")))
        .expect("submit");
    s.record_finished(
        "repo1",
        "inc1",
        &FinishedBackup {
            run_id: "run-1".into(),
            snapshot_timestamp: "2026-11-22-04-26-10-001".into(),
            backup_time_ms: None,
            manifest: vec![part("orders", "p2", 12, 4)],
            state_digests: Default::default(),
        },
    )
    .expect("finish inc");
    clock.advance(Duration::from_secs(60));
    s.record_submitted(&submitted("inc2", BackupKind::Incremental, Some("inc1")))
        .expect("submit");
    s.record_failed(
        "repo1",
        "inc2",
        "run-1",
        true,
        Some("[CANCELLED, msg: upload failed]"),
        Some("tablet 123: broken pipe"),
    )
    .expect("failed");
    let failed = s.backup("repo1", "inc2").expect("read").expect("row");
    assert_eq!(failed.state, BackupState::Cancelled);
    assert_eq!(
        failed.status.as_deref(),
        Some("[CANCELLED, msg: upload failed]")
    );
    assert_eq!(
        failed.task_err_msg.as_deref(),
        Some("tablet 123: broken pipe")
    );

    let listed = s.list_backups(&HistoryFilter::default()).expect("list");
    let labels: Vec<&str> = listed.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["inc2", "inc1", "full1"]);
    let chain = s.last_chain("nightly", "sales").expect("chain");
    let chain: Vec<(&str, Option<&str>)> = chain
        .iter()
        .map(|b| (b.label.as_str(), b.parent.as_deref()))
        .collect();
    assert_eq!(chain, [("full1", None), ("inc1", Some("full1"))]);
    assert!(s.last_chain("nightly", "hr").expect("chain").is_empty());
    let limited = s
        .list_backups(&HistoryFilter {
            database: Some("sales".into()),
            limit: Some(1),
            ..HistoryFilter::default()
        })
        .expect("list");
    assert_eq!(limited.len(), 1);

    // Resume looks up the backups of one plan.
    let of_plan = |s: &mut StateStore, fp: &str| {
        s.list_backups(&HistoryFilter {
            plan_fingerprint: Some(fp.into()),
            ..HistoryFilter::default()
        })
        .expect("by plan")
        .len()
    };
    assert_eq!(of_plan(&mut s, "sha256:abc"), 3);
    assert_eq!(of_plan(&mut s, "sha256:other"), 0);

    // The planner's view: the compiler's catalog history, oldest first.
    let history = s
        .catalog_history(&HistoryFilter {
            group: Some("nightly".into()),
            ..HistoryFilter::default()
        })
        .expect("catalog history");
    let got: Vec<(&str, BackupState, usize)> = history
        .backups
        .iter()
        .map(|b| (b.label.as_str(), b.state, b.manifest.len()))
        .collect();
    assert_eq!(
        got,
        [
            ("full1", BackupState::Finished, 3),
            ("inc1", BackupState::Finished, 1),
            ("inc2", BackupState::Cancelled, 0)
        ]
    );
    assert_eq!(history.backups[0].created_at, "2026-11-22T04:24:24Z");
    assert_eq!(history.backups[1].parent.as_deref(), Some("full1"));
    assert_eq!(history.backups[1].kind, BackupKind::Incremental);
    assert_eq!(history.backups[0].set, None);
    let json = starsnap_compiler::catalog::to_json(&{
        let mut c = starsnap_compiler::catalog::ObservedCatalog::empty("3.4.5-x");
        c.history = history.clone();
        c
    });
    let back = starsnap_compiler::catalog::from_json(&json).expect("catalog JSON round trip");
    assert_eq!(back.history, history);

    let events = s.events(Some("run-1")).expect("events");
    let kinds: Vec<(&str, Option<&str>)> = events
        .iter()
        .map(|e| (e.kind.as_str(), e.state.as_deref()))
        .collect();
    assert_eq!(
        kinds[..5],
        [
            ("submitted", Some("submitted")),
            ("transition", Some("PENDING")),
            ("transition", Some("SNAPSHOTING")),
            ("transition", Some("UPLOADING")),
            ("finished", Some("FINISHED")),
        ]
    );
    assert_eq!(events.last().map(|e| e.kind.as_str()), Some("cancelled"));
    assert!(events.windows(2).all(|w| w[0].time_ms <= w[1].time_ms));
}

pub fn secrets_never_stored(f: &dyn Fixture) {
    let secret = "Sup3r-S3cret-Value";
    let mut s = f.store(Arc::new(SystemClock));
    s.init().expect("init");
    s.add_secret_values([secret.to_string()]);
    s.record_submitted(&submitted("full1", BackupKind::Full, None))
        .expect("submit");
    s.record_transition(
        "repo1",
        "full1",
        &Transition {
            run_id: "run-1".into(),
            job_state: "UPLOADING".into(),
            status: Some(format!("[IO_ERROR, msg: auth failed with {secret}]")),
        },
    )
    .expect("transition");
    s.record_failed(
        "repo1",
        "full1",
        "run-1",
        false,
        Some(r#"[IO_ERROR, msg: "aws.s3.secret_key" = "AKIAINLINEKEY", "aws.s3.region" = "eu"]"#),
        Some(&format!("password={secret}")),
    )
    .expect("failed");
    s.journal(
        starsnap_runtime::state::Event::new("run-1", "note")
            .message(&format!("token: {secret} and secret_key=AKIAINLINEKEY")),
    )
    .expect("event");
    let db = f.config().database;
    let mut dump = String::new();
    for t in [
        "backups",
        "backup_partitions",
        "locks",
        "events",
        "schema_migrations",
    ] {
        let rs = s
            .connection()
            .query(&format!("SELECT * FROM {db}.{t}"))
            .expect("dump");
        for row in &rs.rows {
            for v in row.iter().flatten() {
                dump.push_str(v);
                dump.push('\n');
            }
        }
    }
    assert!(
        dump.contains("aws.s3.region"),
        "the rows were written: {dump}"
    );
    assert!(!dump.contains(secret), "{dump}");
    assert!(!dump.contains("AKIAINLINEKEY"), "{dump}");
}

pub fn renewer_keeps_lease_and_reports_loss(f: &dyn Fixture) {
    let real: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut other = f.store(real.clone());
    other.init().expect("init");
    let mut a = f.store(real.clone());
    let lease = a.try_lock(&request("sales", "alice", 1)).expect("take");
    let first_expiry = lease.expires_ms;
    let renewer = a.keep_renewing(lease, Duration::from_millis(150));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!renewer.is_lost());
    assert!(
        matches!(
            other.try_lock(&request("sales", "bob", 1)),
            Err(RuntimeError::LockHeld { .. })
        ),
        "renewed past its first expiry"
    );
    let (a, lease) = renewer.stop().expect("joined");
    let lease = lease.expect("still held");
    assert!(lease.expires_ms > first_expiry);
    // Broken while renewing: the renewer notices and stops.
    let renewer = a.keep_renewing(lease.clone(), Duration::from_millis(100));
    other
        .break_lock(&lease.lock_id, &actor("admin"))
        .expect("break");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !renewer.is_lost() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(renewer.is_lost());
    let (_a, end) = renewer.stop().expect("joined");
    assert!(matches!(end, Err(RuntimeError::LockLost { .. })), "{end:?}");
}

/// Reading the history for the planner costs four statements however many backups there
/// are (backups, their objects, their backup times, manifests; regression: one manifest
/// query per finished backup), and each backup keeps its own manifest.
pub fn catalog_history_in_two_statements(f: &dyn Fixture) {
    let clock = Arc::new(ManualClock::new(T0));
    let mut s = f.store(clock.clone());
    s.init().expect("init");
    let mut count_for = Vec::new();
    for n in 1..=4_i64 {
        let label = format!("b{n}");
        let kind = if n == 1 {
            BackupKind::Full
        } else {
            BackupKind::Incremental
        };
        let parent = (n > 1).then(|| format!("b{}", n - 1));
        s.record_submitted(&submitted(&label, kind, parent.as_deref()))
            .expect("submit");
        clock.advance(Duration::from_secs(60));
        s.record_finished(
            "repo1",
            &label,
            &FinishedBackup {
                run_id: "run-1".into(),
                snapshot_timestamp: format!("2026-11-22-04-2{n}-00-000"),
                backup_time_ms: None,
                manifest: vec![part("orders", &format!("p{n}"), 100 + n, n + 1)],
                state_digests: Default::default(),
            },
        )
        .expect("finish");
        let before = s.connection().statements_sent();
        let h = s
            .catalog_history(&HistoryFilter::default())
            .expect("history");
        count_for.push(s.connection().statements_sent() - before);
        assert_eq!(h.backups.len() as i64, n);
        for (i, b) in h.backups.iter().enumerate() {
            let k = i as i64 + 1;
            assert_eq!(b.label, format!("b{k}"));
            assert_eq!(b.manifest.len(), 1, "{}", b.label);
            assert_eq!(b.manifest[0].partition_id, 100 + k);
        }
    }
    assert!(
        count_for.iter().all(|&c| c == 4),
        "statements per read: {count_for:?}"
    );
}

/// Issue 14 item 1: a set of 5,000 tables in one database. Version 1 kept every schema
/// fingerprint in one `VARCHAR(65533)` value (about 870 tables at most); now each object is a
/// row, and kinds, partitioning, functions and StarRocks's `backup_time` come back whole.
pub fn many_tables_and_restore_facts_round_trip(f: &dyn Fixture) {
    const TABLES: usize = 5_000;
    let clock = Arc::new(ManualClock::new(T0));
    let mut s = f.store(clock.clone());
    s.init().expect("init");
    let mut sub = submitted("big1", BackupKind::Full, None);
    sub.schemas.clear();
    for i in 0..TABLES {
        let name = format!("table_with_a_long_descriptive_name_{i:05}");
        sub.schemas.insert(name.clone(), format!("{i:064x}"));
        let (kind, partitioning) = match i % 4 {
            0 => (TableKind::Olap, Some(Partitioning::Range)),
            1 => (TableKind::Olap, Some(Partitioning::List)),
            2 => (TableKind::Olap, Some(Partitioning::Unpartitioned)),
            _ => (TableKind::View, None),
        };
        sub.objects
            .insert(name, BackedUpObject { kind, partitioning });
    }
    let json: usize = sub.schemas.iter().map(|(k, v)| k.len() + v.len() + 6).sum();
    assert!(
        json > 65_533,
        "the old single value would have held it: {json}"
    );
    sub.functions = vec!["f2".into(), "f1".into()];
    s.record_submitted(&sub).expect("submit 5,000 tables");
    clock.advance(Duration::from_secs(60));
    s.record_finished(
        "repo1",
        "big1",
        &FinishedBackup {
            run_id: "run-1".into(),
            snapshot_timestamp: "2026-11-22-04-25-04-123".into(),
            backup_time_ms: Some(1_795_321_504_123),
            manifest: vec![part("orders", "p1", 11, 2)],
            state_digests: Default::default(),
        },
    )
    .expect("finish");
    let b = s.backup("repo1", "big1").expect("read").expect("row");
    assert_eq!(b.schemas, sub.schemas);
    assert_eq!(b.objects, sub.objects);
    assert_eq!(b.functions, ["f1", "f2"]);
    assert_eq!(b.backup_time_ms, Some(1_795_321_504_123));
    let h = s
        .catalog_history(&HistoryFilter::default())
        .expect("history");
    let [r] = h.backups.as_slice() else {
        panic!("{:?}", h.backups.len());
    };
    assert_eq!(r.schemas.len(), TABLES);
    assert_eq!(r.objects, sub.objects);
    assert_eq!(r.functions, ["f1", "f2"]);
    assert_eq!(r.backup_time_ms, Some(1_795_321_504_123));
    // Re-recording a submission replaces its objects whole.
    let mut again = submitted("big2", BackupKind::Full, None);
    s.record_submitted(&again).expect("submit");
    again.schemas = BTreeMap::from([("items".to_string(), "fp9".to_string())]);
    s.record_submitted(&again).expect("re-submit");
    let b = s.backup("repo1", "big2").expect("read").expect("row");
    assert_eq!(b.schemas, again.schemas);
    assert_eq!(b.backup_time_ms, None);
}

/// `init` on a version-1 state: the new tables are created and the schema fingerprints kept
/// in `backups.schemas_json` move to `backup_objects`; history reads them back.
pub fn migration_from_version_1_keeps_schemas(f: &dyn Fixture) {
    let clock = Arc::new(ManualClock::new(T0));
    let mut s = f.store(clock.clone());
    s.init().expect("init");
    let mut old = submitted("old1", BackupKind::Full, None);
    old.schemas.insert("items".into(), "fp2".into());
    s.record_submitted(&old).expect("submit");
    s.record_finished(
        "repo1",
        "old1",
        &FinishedBackup {
            run_id: "run-1".into(),
            snapshot_timestamp: "2026-11-22-04-25-04-123".into(),
            backup_time_ms: None,
            manifest: vec![part("orders", "p1", 11, 2)],
            state_digests: Default::default(),
        },
    )
    .expect("finish");
    // Back to what version 1 wrote: the schemas inline, no schema-2 tables.
    let db = f.config().database;
    let c = s.connection();
    for stmt in [
        format!(
            "UPDATE {db}.backups SET schemas_json = \"{{\\\"items\\\": \\\"fp2\\\", \\\"orders\\\": \\\"fp1\\\"}}\" WHERE label = \"old1\""
        ),
        format!("DROP TABLE {db}.backup_objects"),
        format!("DROP TABLE {db}.backup_snapshots"),
        format!("DROP TABLE {db}.backup_retention"),
        format!("DROP TABLE {db}.backup_table_digests"),
        format!("DROP TABLE {db}.drills"),
        format!("DELETE FROM {db}.schema_migrations WHERE version = 2"),
        format!("DELETE FROM {db}.schema_migrations WHERE version = 3"),
        format!("DELETE FROM {db}.schema_migrations WHERE version = 4"),
        format!("DELETE FROM {db}.schema_migrations WHERE version = 5"),
    ] {
        c.execute(&stmt).expect(&stmt);
    }
    assert_eq!(s.schema_version().expect("version"), Some(1));
    let r = s.init().expect("migrate");
    assert_eq!(r.applied, vec![2, 3, 4, 5]);
    let b = s.backup("repo1", "old1").expect("read").expect("row");
    assert_eq!(
        b.schemas,
        BTreeMap::from([
            ("items".to_string(), "fp2".to_string()),
            ("orders".to_string(), "fp1".to_string())
        ])
    );
    assert!(b.objects.is_empty() && b.backup_time_ms.is_none());
    // Re-running the backfill (an interrupted migration) changes nothing.
    s.backfill_backup_objects().expect("again");
    let h = s
        .catalog_history(&HistoryFilter::default())
        .expect("history");
    assert_eq!(h.backups.len(), 1);
    assert_eq!(h.backups[0].schemas, b.schemas);
    assert_eq!(h.backups[0].manifest.len(), 1);
    // Migration 4 recorded the digests of the manifest written before it (the state after
    // the set unknown: a plan reads those rows).
    let p = s.plan_history().expect("plan history");
    assert_eq!(
        p.backups[0].entries_digests(),
        starsnap_compiler::catalog::manifest_entries_digests(&h.backups[0].manifest)
    );
    let d = p.backups[0].table_digests.as_ref().expect("digests");
    assert_eq!(d.len(), 1);
    assert_eq!(d["orders"].state, None);
}

/// Issue 14: a finished backup's manifest comes with a digest per table; the plan's history
/// carries those and no rows, and `load_manifests` reads, in one statement, only the rows of
/// the tables asked for. The digests equal the compiler's over the whole manifest, so a plan's
/// input fingerprint is the same either way.
pub fn plan_history_reads_only_the_tables_asked_for(f: &dyn Fixture) {
    use starsnap_compiler::catalog::manifest_entries_digests;
    use starsnap_compiler::planner::ManifestNeed;
    let clock = Arc::new(ManualClock::new(T0));
    let mut s = f.store(clock.clone());
    s.init().expect("init");
    s.record_submitted(&submitted("full1", BackupKind::Full, None))
        .expect("submit");
    clock.advance(Duration::from_secs(60));
    let manifest: Vec<ManifestRow> = (1..=300)
        .flat_map(|n| {
            [
                part("orders", &format!("p{n}"), 1000 + n, 2),
                part("items", &format!("p{n}"), 2000 + n, 3),
            ]
        })
        .collect();
    s.record_finished(
        "repo1",
        "full1",
        &FinishedBackup {
            run_id: "run-1".into(),
            snapshot_timestamp: "2026-11-22-04-25-04-123".into(),
            backup_time_ms: None,
            manifest,
            state_digests: BTreeMap::from([("orders".to_string(), "d".repeat(64))]),
        },
    )
    .expect("finish");
    let whole = s
        .catalog_history(&HistoryFilter::default())
        .expect("history");
    assert_eq!(whole.backups[0].manifest.len(), 600);
    let mut h = s.plan_history().expect("plan history");
    let b = &h.backups[0];
    assert!(b.manifest.is_empty());
    let digests = b.table_digests.as_ref().expect("digests");
    assert_eq!(
        b.entries_digests(),
        manifest_entries_digests(&whole.backups[0].manifest)
    );
    assert_eq!(
        digests["orders"].state.as_deref(),
        Some("d".repeat(64).as_str())
    );
    assert_eq!(digests["items"].state, None);
    let before = s.connection().statements_sent();
    s.load_manifests(
        &mut h,
        &[ManifestNeed {
            repository: "repo1".into(),
            label: "full1".into(),
            tables: Some(["items".to_string()].into()),
        }],
    )
    .expect("load");
    assert_eq!(s.connection().statements_sent() - before, 1);
    let loaded = &h.backups[0].manifest;
    assert_eq!(loaded.len(), 300);
    assert!(loaded.iter().all(|e| e.table == "items"));
    let want: Vec<_> = whole.backups[0]
        .manifest
        .iter()
        .filter(|e| e.table == "items")
        .cloned()
        .collect();
    assert_eq!(loaded, &want);
}

/// `events_of_plan` reads only the events whose message begins with the plan's
/// fingerprint (what apply resumes from), not the journal of every other run.
pub fn events_by_plan_prefix(f: &dyn Fixture) {
    use starsnap_runtime::state::journal::Event;
    let clock = Arc::new(ManualClock::new(T0));
    let mut s = f.store(clock);
    s.init().expect("init");
    let (a, b) = ("a".repeat(64), "b".repeat(64));
    for (run, plan, step) in [
        ("run-1", &a, "s1"),
        ("run-2", &b, "s1"),
        ("run-3", &a, "s2"),
    ] {
        let mut e = Event::new(run, "step_done").step(step);
        e.message = Some(plan.clone());
        s.journal(e).expect("journal");
    }
    let mut other = Event::new("run-4", "restore_submitted").step("s3");
    other.message = Some(format!("{a} restore job 7"));
    s.journal(other).expect("journal");
    s.journal(Event::new("run-4", "note")).expect("journal");
    let steps: Vec<(String, Option<String>)> = s
        .events_of_plan(&a)
        .expect("events")
        .into_iter()
        .map(|e| (e.kind, e.step_id))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("step_done".to_string(), Some("s1".to_string())),
            ("step_done".to_string(), Some("s2".to_string())),
            ("restore_submitted".to_string(), Some("s3".to_string())),
        ]
    );
    assert_eq!(s.events_of_plan(&"c".repeat(64)).expect("events").len(), 0);
}

/// Issue 14: after each chunk of a set, apply asks whether the set is complete (to write its
/// manifest into the repository). Until every chunk finished the answer costs one statement
/// and reads no objects; then the set's labels come with their objects (two more
/// statements), and other sets' labels are left out. (Before, every chunk read the whole
/// history's objects and every finished chunk's manifest: quadratic in the chunks.)
pub fn finished_set_reads_objects_only_when_complete(f: &dyn Fixture) {
    let clock = Arc::new(ManualClock::new(T0));
    let mut s = f.store(clock.clone());
    s.init().expect("init");
    let chunk = |label: &str, set: &str, index: u32| SubmittedBackup {
        set: Some(set.to_string()),
        chunk_index: index,
        chunk_count: 3,
        ..submitted(label, BackupKind::Full, None)
    };
    let finish = |s: &mut StateStore, label: &str| {
        s.record_finished(
            "repo1",
            label,
            &FinishedBackup {
                run_id: "run-1".into(),
                snapshot_timestamp: format!("2026-11-22-04-25-04-{}", label.len()),
                backup_time_ms: None,
                manifest: vec![part("orders", label, 7, 2)],
                state_digests: BTreeMap::new(),
            },
        )
        .expect("finish");
    };
    // An older, complete set of the same group and database.
    for (i, label) in ["old-p1", "old-p2", "old-p3"].iter().enumerate() {
        s.record_submitted(&chunk(label, "old", i as u32 + 1))
            .expect("submit");
        finish(&mut s, label);
    }
    clock.advance(Duration::from_secs(60));
    for (i, label) in ["new-p1", "new-p2", "new-p3"].iter().enumerate() {
        s.record_submitted(&chunk(label, "new", i as u32 + 1))
            .expect("submit");
    }
    for label in ["new-p1", "new-p2"] {
        finish(&mut s, label);
        let before = s.connection().statements_sent();
        let got = s
            .finished_set("nightly", "sales", "repo1", "new")
            .expect("read");
        assert_eq!(got, None, "{label}");
        assert_eq!(s.connection().statements_sent() - before, 1, "{label}");
    }
    finish(&mut s, "new-p3");
    let before = s.connection().statements_sent();
    let got = s
        .finished_set("nightly", "sales", "repo1", "new")
        .expect("read")
        .expect("complete");
    assert_eq!(s.connection().statements_sent() - before, 3);
    let mut labels: Vec<&str> = got.iter().map(|e| e.label.as_str()).collect();
    labels.sort_unstable();
    assert_eq!(labels, ["new-p1", "new-p2", "new-p3"]);
    assert!(got
        .iter()
        .all(|e| e.schemas.get("orders").map(String::as_str) == Some("fp1")));
    // Another repository's set of that name is not this one.
    assert_eq!(
        s.finished_set("nightly", "sales", "repo2", "new")
            .expect("read"),
        None
    );
}
