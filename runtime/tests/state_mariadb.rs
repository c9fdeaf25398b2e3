//! The state store in a separate MySQL-compatible server: a real MariaDB started by the
//! test (see `support/mariadb.rs`). Fails, never skips, when MariaDB is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use starsnap_runtime::{Cluster, StateBackend, StateConfig};
use support::mariadb::MariaDb;
use support::scenarios::{self, Fixture};

impl Fixture for MariaDb {
    fn connect(&self) -> Cluster {
        Cluster::connect(&self.options(), &|_| None).expect("connect")
    }

    fn config(&self) -> StateConfig {
        StateConfig {
            database: "starsnap_state".into(),
            backend: StateBackend::MySql,
            ..StateConfig::default()
        }
    }
}

#[test]
fn migrations_from_empty_and_rerun() {
    scenarios::migrations_from_empty_and_rerun(&MariaDb::start());
}

#[test]
fn concurrent_takers_exactly_one_wins() {
    scenarios::concurrent_takers_exactly_one_wins(&MariaDb::start(), 6, 40);
}

#[test]
fn expiry_takeover_renew_release_break() {
    scenarios::expiry_takeover_renew_release_break(&MariaDb::start());
}

#[test]
fn wait_with_timeout() {
    scenarios::wait_with_timeout(&MariaDb::start());
}

#[test]
fn events_by_plan_prefix() {
    scenarios::events_by_plan_prefix(&MariaDb::start());
}

#[test]
fn history_round_trip() {
    scenarios::history_round_trip(&MariaDb::start());
}

#[test]
fn secrets_never_stored() {
    scenarios::secrets_never_stored(&MariaDb::start());
}

#[test]
fn renewer_keeps_lease_and_reports_loss() {
    scenarios::renewer_keeps_lease_and_reports_loss(&MariaDb::start());
}

/// On MariaDB the primary key itself is the conflict: a second row for the same
/// (lock_key, generation) is refused with 1062.
#[test]
fn a_second_claim_of_a_generation_is_a_duplicate_key() {
    use starsnap_runtime::state::SystemClock;
    use std::sync::Arc;
    let db = MariaDb::start();
    let mut s = db.store(Arc::new(SystemClock));
    s.init().unwrap();
    let lease = s
        .try_lock(&scenarios::request("sales", "alice", 600))
        .unwrap();
    let e = s
        .connection()
        .execute(
            "INSERT INTO starsnap_state.locks SELECT lock_key, generation, database_name, \"mallory1\", lock_state, operation, \"mallory\", holder_host, pid, plan_fingerprint, run_id, started_ms, expires_ms, written_ms FROM starsnap_state.locks",
        )
        .unwrap_err();
    assert_eq!(e.server_code(), Some(1062), "{e}");
    assert_eq!(s.lock_of("sales").unwrap().unwrap().lock_id, lease.lock_id);
}

#[test]
fn many_tables_and_restore_facts_round_trip() {
    scenarios::many_tables_and_restore_facts_round_trip(&MariaDb::start());
}

#[test]
fn migration_from_version_1_keeps_schemas() {
    scenarios::migration_from_version_1_keeps_schemas(&MariaDb::start());
}

#[test]
fn plan_history_reads_only_the_tables_asked_for() {
    scenarios::plan_history_reads_only_the_tables_asked_for(&MariaDb::start());
}

#[test]
fn finished_set_reads_objects_only_when_complete() {
    scenarios::finished_set_reads_objects_only_when_complete(&MariaDb::start());
}
