//! What the simulator's benchmark binaries share: arguments, time formatting, a session.
#![allow(dead_code)]

use std::time::Duration;

use starsnap_simulator::Session;

/// The `n`-th command-line argument as a number, else `default`.
pub fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// A session of `root` on connection 1.
pub fn root_session() -> Session {
    Session {
        connection_id: 1,
        user: "root".into(),
        ..Session::default()
    }
}
