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
fn history_round_trip() {
    scenarios::history_round_trip(&MariaDb::start());
}

#[test]
fn secrets_never_stored() {
    scenarios::secrets_never_stored(&MariaDb::start());
}
