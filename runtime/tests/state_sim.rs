//! The state store in a StarRocks cluster: the simulator over TCP, one per test (port 0).
//! Also pins the simulator's load-label behaviour the StarRocks lock relies on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use starsnap_runtime::{Cluster, ConnectOptions, RuntimeError, StateConfig};
use starsnap_simulator::engine::Engine;
use starsnap_simulator::{Server, SimConfig};
use support::scenarios::{self, Fixture};

struct Sim {
    server: Server,
}

impl Sim {
    fn start() -> Sim {
        let config = SimConfig::default();
        let engine = Engine::new(&config);
        Sim {
            server: Server::start(&config, Arc::new(engine)).expect("simulator"),
        }
    }
}

impl Fixture for Sim {
    fn connect(&self) -> Cluster {
        let opts = ConnectOptions {
            port: self.server.port(),
            ..ConnectOptions::default()
        };
        Cluster::connect(&opts, &|_| None).expect("connect")
    }

    fn config(&self) -> StateConfig {
        StateConfig::for_cluster(&mut self.connect(), "starsnap").expect("config")
    }
}

#[test]
fn replication_num_follows_alive_backends() {
    let sim = Sim::start();
    let c = sim.config();
    assert_eq!(c.replication_num, Some(3));
    assert_eq!(c.database, "starsnap");
}

#[test]
fn migrations_from_empty_and_rerun() {
    scenarios::migrations_from_empty_and_rerun(&Sim::start());
}

#[test]
fn concurrent_takers_exactly_one_wins() {
    scenarios::concurrent_takers_exactly_one_wins(&Sim::start(), 6, 40);
}

#[test]
fn expiry_takeover_renew_release_break() {
    scenarios::expiry_takeover_renew_release_break(&Sim::start());
}

#[test]
fn wait_with_timeout() {
    scenarios::wait_with_timeout(&Sim::start());
}

#[test]
fn events_by_plan_prefix() {
    scenarios::events_by_plan_prefix(&Sim::start());
}

#[test]
fn history_round_trip() {
    scenarios::history_round_trip(&Sim::start());
}

#[test]
fn secrets_never_stored() {
    scenarios::secrets_never_stored(&Sim::start());
}

#[test]
fn simulator_rejects_a_reused_load_label_like_starrocks() {
    let sim = Sim::start();
    let mut c = sim.connect();
    c.execute("CREATE DATABASE d").unwrap();
    c.execute(
        "CREATE TABLE d.t (k INT NOT NULL, v VARCHAR(10)) PRIMARY KEY (k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES (\"replication_num\" = \"1\")",
    )
    .unwrap();
    c.execute("INSERT INTO d.t WITH LABEL l_1 (k, v) VALUES (1, \"a\")")
        .unwrap();
    let e = c
        .execute("INSERT INTO d.t WITH LABEL l_1 (k, v) VALUES (1, \"b\")")
        .unwrap_err();
    match &e {
        RuntimeError::Server { code, message, .. } => {
            assert_eq!(*code, 1064);
            assert_eq!(
                message,
                "Getting analyzing error. Detail message: fail to begin transaction. Label [l_1] has already been used.."
            );
        }
        other => panic!("{other}"),
    }
    // The rejected load wrote nothing; a failed load leaves its label free.
    let rs = c.query("SELECT v FROM d.t WHERE k = 1").unwrap();
    assert_eq!(rs.iter().next().unwrap().text("v").unwrap(), "a");
    assert!(c
        .execute("INSERT INTO d.t WITH LABEL l_2 (k, v) VALUES (\"x\", 1)")
        .is_err());
    c.execute("INSERT INTO d.t WITH LABEL l_2 (k, v) VALUES (2, \"c\")")
        .unwrap();
    // Labels are per database, and their format is checked.
    c.execute("CREATE DATABASE e").unwrap();
    c.execute(
        "CREATE TABLE e.t (k INT NOT NULL) PRIMARY KEY (k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES (\"replication_num\" = \"1\")",
    )
    .unwrap();
    c.execute("INSERT INTO e.t WITH LABEL l_1 VALUES (1)")
        .unwrap();
    let e = c
        .execute("INSERT INTO e.t WITH LABEL `a.b` VALUES (2)")
        .unwrap_err();
    assert!(e.to_string().contains("Label format error"), "{e}");
}

#[test]
fn renewer_keeps_lease_and_reports_loss() {
    scenarios::renewer_keeps_lease_and_reports_loss(&Sim::start());
}

/// Why the StarRocks lock needs the label: a PRIMARY KEY table upserts, so a second write
/// of the same (lock_key, generation) silently replaces the first; with the generation's
/// label, StarRocks refuses it.
#[test]
fn a_second_claim_of_a_generation_is_refused_by_its_label() {
    use starsnap_runtime::state::SystemClock;
    let sim = Sim::start();
    let mut s = sim.store(Arc::new(SystemClock));
    s.init().unwrap();
    let lease = s
        .try_lock(&scenarios::request("sales", "alice", 600))
        .unwrap();
    let rs = s
        .connection()
        .query("SELECT lock_key, generation FROM starsnap.locks")
        .unwrap();
    let row = rs.iter().next().unwrap();
    let key = row.text("lock_key").unwrap().to_string();
    let generation = row.i64("generation").unwrap();
    let claim = |label: &str| {
        format!(
            "INSERT INTO starsnap.locks {label} (lock_key, generation, database_name, lock_id, lock_state, operation, holder, holder_host, pid, plan_fingerprint, run_id, started_ms, expires_ms, written_ms) \
             VALUES (\"{key}\", {generation}, \"sales\", \"mallory1\", \"held\", \"take\", \"mallory\", \"h\", 1, \"fp\", \"r\", 0, 9999999999999, 0)"
        )
    };
    let e = s
        .connection()
        .execute(&claim(&format!(
            "WITH LABEL starsnap_lock_{key}_{generation}"
        )))
        .unwrap_err();
    assert!(e.to_string().contains("has already been used"), "{e}");
    assert_eq!(
        s.lock_of("sales").unwrap().unwrap().lock_id,
        lease.lock_id,
        "the label kept the lease"
    );
    // A stale claimant (it read generation 1 long ago, and StarRocks has since forgotten
    // the label of generation 2): its guard `WHERE generation = 1` matches nothing once
    // newer generations pruned generation 1, so it inserts nothing.
    let mut lease = lease;
    s.renew_lock(&mut lease).unwrap();
    s.renew_lock(&mut lease).unwrap();
    let stale = format!(
        "INSERT INTO starsnap.locks WITH LABEL forgotten_label_2 (lock_key, generation, database_name, lock_id, lock_state, operation, holder, holder_host, pid, plan_fingerprint, run_id, started_ms, expires_ms, written_ms) \
         SELECT \"{key}\", 2, \"sales\", \"stale1\", \"held\", \"take\", \"stale\", \"h\", 1, \"fp\", \"r\", 0, 9999999999999, 0 FROM starsnap.locks WHERE lock_key = \"{key}\" AND generation = 1"
    );
    assert_eq!(s.connection().execute(&stale).unwrap(), 0);
    let now = s.lock_of("sales").unwrap().unwrap();
    assert_eq!(
        (now.lock_id.as_str(), now.generation),
        (lease.lock_id.as_str(), lease.generation)
    );
    // Without the label the primary key would have let the second writer replace it.
    let generation = lease.generation;
    let claim = |label: &str| {
        format!(
            "INSERT INTO starsnap.locks {label} (lock_key, generation, database_name, lock_id, lock_state, operation, holder, holder_host, pid, plan_fingerprint, run_id, started_ms, expires_ms, written_ms) \
             VALUES (\"{key}\", {generation}, \"sales\", \"mallory1\", \"held\", \"take\", \"mallory\", \"h\", 1, \"fp\", \"r\", 0, 9999999999999, 0)"
        )
    };
    s.connection().execute(&claim("")).unwrap();
    assert_eq!(s.lock_of("sales").unwrap().unwrap().lock_id, "mallory1");
}

#[test]
fn catalog_history_in_two_statements() {
    scenarios::catalog_history_in_two_statements(&Sim::start());
}

#[test]
fn many_tables_and_restore_facts_round_trip() {
    scenarios::many_tables_and_restore_facts_round_trip(&Sim::start());
}

#[test]
fn migration_from_version_1_keeps_schemas() {
    scenarios::migration_from_version_1_keeps_schemas(&Sim::start());
}

#[test]
fn plan_history_reads_only_the_tables_asked_for() {
    scenarios::plan_history_reads_only_the_tables_asked_for(&Sim::start());
}

#[test]
fn finished_set_reads_objects_only_when_complete() {
    scenarios::finished_set_reads_objects_only_when_complete(&Sim::start());
}
