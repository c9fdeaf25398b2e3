//! A real MySQL client (the `mysql` crate) against a started simulator: connect, run
//! statements, and read a server error's code and text.
#![allow(dead_code, clippy::unwrap_used)]

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder};
use starsnap_simulator::sim::Simulator;

pub fn connect(sim: &Simulator) -> Conn {
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(sim.port())
        .user(Some("root"))
        .pass(Some(""))
        .prefer_socket(false);
    Conn::new(opts).expect("connects")
}

/// The server error `sql` gets: `(code, message)`; panics when it succeeds.
pub fn error(conn: &mut Conn, sql: &str) -> (u16, String) {
    match conn.query_drop(sql) {
        Err(mysql::Error::MySqlError(e)) => (e.code, e.message),
        other => panic!("{sql}: expected a server error, got {other:?}"),
    }
}

/// Runs each statement, panicking with its text on the first failure.
pub fn run(c: &mut Conn, sqls: &[&str]) {
    for sql in sqls {
        c.query_drop(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}
