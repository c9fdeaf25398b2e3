//! Time for the state store: epoch milliseconds in UTC, from an injectable [`Clock`].
//!
//! Every time the store writes is the *client's* clock in epoch milliseconds (never the
//! cluster's local time, never a formatted string in some time zone), so lease expiry and
//! history times compare correctly whatever time zone the cluster or the client runs in.
//! Tests use [`ManualClock`], whose `sleep` advances time instead of waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type EpochMillis = i64;

/// A source of time (and of waiting), injectable for tests.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> EpochMillis;
    /// Waits `d` (a manual clock advances instead).
    fn sleep(&self, d: Duration);
}

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> EpochMillis {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// A clock tests set and advance. `sleep` advances it (and yields briefly, so other threads
/// make progress).
#[derive(Debug)]
pub struct ManualClock {
    now: AtomicI64,
}

impl ManualClock {
    pub fn new(start_ms: EpochMillis) -> ManualClock {
        ManualClock {
            now: AtomicI64::new(start_ms),
        }
    }

    pub fn set(&self, ms: EpochMillis) {
        self.now.store(ms, Ordering::SeqCst);
    }

    pub fn advance(&self, d: Duration) {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        self.now.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> EpochMillis {
        self.now.load(Ordering::SeqCst)
    }

    fn sleep(&self, d: Duration) {
        self.advance(d);
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// `2026-11-22T04:24:24Z`: an epoch-millisecond time as RFC 3339 UTC (whole seconds), for
/// messages and the catalog's `created_at`.
pub fn format_utc(ms: EpochMillis) -> String {
    starsnap_compiler::time::Timestamp(ms.div_euclid(1000)).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_and_manual_clock_advances_on_sleep() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_795_321_464_123), "2026-11-22T04:24:24Z");
        assert_eq!(format_utc(-1), "1969-12-31T23:59:59Z");
        let c = ManualClock::new(1_000);
        c.sleep(Duration::from_secs(2));
        assert_eq!(c.now_ms(), 3_000);
        assert!(SystemClock.now_ms() > 1_700_000_000_000);
        let run = super::super::new_run_id(1_795_321_464_123);
        assert!(run.starts_with("20261122T042424Z-"), "{run}");
        assert_eq!(run.len(), 29);
        let me = super::super::Actor::this_process("ci", &run);
        assert!(!me.host.is_empty() && me.pid == std::process::id());
    }
}
