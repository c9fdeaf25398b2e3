//! Retrying transient errors: a dropped connection (reconnect), and StarRocks's "meta data
//! may has been updated", "Another backup or restore job is being submitted", "Can only run
//! one backup or restore job of a database at same time" ([`RuntimeError::is_transient`]),
//! with a backoff from 50 ms doubling to 2 s, until a deadline.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::env::EnvLookup;
use crate::conn::{Cluster, ConnectOptions};
use crate::error::RuntimeError;
use crate::state::StateStore;

const FIRST: Duration = Duration::from_millis(50);
const CAP: Duration = Duration::from_secs(2);

/// Whether the error means the connection is gone.
pub fn connection_gone(e: &RuntimeError) -> bool {
    matches!(
        e,
        RuntimeError::ConnectionLost { .. } | RuntimeError::Connect { .. }
    )
}

/// A backoff that sleeps for real, bounded by a deadline, and stops at an interrupt.
pub struct Backoff {
    next: Duration,
    deadline: Instant,
    interrupt: Option<Arc<AtomicBool>>,
}

impl Backoff {
    pub fn new(within: Duration) -> Backoff {
        Backoff {
            next: FIRST,
            deadline: Instant::now() + within,
            interrupt: None,
        }
    }

    /// A backoff that gives up as soon as `flag` is set (the first Ctrl-C stops retrying).
    pub fn interruptible(within: Duration, flag: Option<Arc<AtomicBool>>) -> Backoff {
        Backoff {
            interrupt: flag,
            ..Backoff::new(within)
        }
    }

    fn interrupted(&self) -> bool {
        self.interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::SeqCst))
    }

    /// Sleeps before the next attempt; `false` when the deadline has passed or the run was
    /// interrupted.
    pub fn wait(&mut self) -> bool {
        let until = {
            let now = Instant::now();
            if now >= self.deadline || self.interrupted() {
                return false;
            }
            now + self.next.min(self.deadline - now)
        };
        while Instant::now() < until {
            if self.interrupted() {
                return false;
            }
            std::thread::sleep((until - Instant::now()).min(Duration::from_millis(20)));
        }
        self.next = (self.next * 2).min(CAP);
        true
    }
}

/// A connection to the cluster that reconnects when it breaks.
pub struct Link<'a> {
    opts: &'a ConnectOptions,
    env: &'a EnvLookup,
    conn: Option<Cluster>,
    pub within: Duration,
    /// Set by SIGINT: retries stop at once.
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl<'a> Link<'a> {
    pub fn new(opts: &'a ConnectOptions, env: &'a EnvLookup, within: Duration) -> Link<'a> {
        Link {
            opts,
            env,
            conn: None,
            within,
            interrupt: None,
        }
    }

    /// Runs `f` on a live connection once; a connection error drops the connection so the
    /// next call reconnects.
    pub fn once<T>(
        &mut self,
        f: &mut dyn FnMut(&mut Cluster) -> Result<T, RuntimeError>,
    ) -> Result<T, RuntimeError> {
        if self.conn.is_none() {
            let env = self.env;
            self.conn = Some(Cluster::connect(self.opts, &|n| env(n))?);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err(RuntimeError::ConnectionLost {
                statement: String::new(),
                message: "no connection".into(),
            });
        };
        let out = f(conn);
        if let Err(e) = &out {
            if connection_gone(e) {
                self.conn = None;
            }
        }
        out
    }

    /// Runs `f`, retrying transient errors within `within`; `on_retry` hears each one.
    pub fn retry<T>(
        &mut self,
        on_retry: &mut dyn FnMut(&RuntimeError),
        f: &mut dyn FnMut(&mut Cluster) -> Result<T, RuntimeError>,
    ) -> Result<T, RuntimeError> {
        let mut backoff = Backoff::interruptible(self.within, self.interrupt.clone());
        loop {
            match self.once(f) {
                Err(e) if e.is_transient() => {
                    on_retry(&e);
                    if !backoff.wait() {
                        return Err(e);
                    }
                }
                other => return other,
            }
        }
    }
}

/// Runs a state-store operation, reconnecting the store when its connection breaks.
/// History writes are whole-row upserts, so a write repeated after a lost answer is safe.
pub fn with_store<T>(
    store: &mut StateStore,
    opts: &ConnectOptions,
    env: &EnvLookup,
    within: Duration,
    f: &mut dyn FnMut(&mut StateStore) -> Result<T, RuntimeError>,
) -> Result<T, RuntimeError> {
    let mut backoff = Backoff::new(within);
    loop {
        match f(store) {
            Err(e) if connection_gone(&e) => {
                if !backoff.wait() {
                    return Err(e);
                }
                if let Ok(conn) = Cluster::connect(opts, &|n| env(n)) {
                    // A failed session setup is retried at the next attempt.
                    let _ = store.replace_connection(conn);
                }
            }
            other => return other,
        }
    }
}
