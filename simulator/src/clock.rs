//! The simulator's clock: the real one, or a virtual one tests move by hand so that job
//! pacing and timestamps are deterministic and no test sleeps for real seconds.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, UTC.
pub type EpochMillis = i64;

#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    Real,
    /// Shared virtual time; clones see the same instant.
    Virtual(Arc<AtomicI64>),
}

impl Clock {
    /// A virtual clock starting at `start` (epoch milliseconds).
    pub fn virtual_at(start: EpochMillis) -> Clock {
        Clock::Virtual(Arc::new(AtomicI64::new(start)))
    }

    pub fn now_ms(&self) -> EpochMillis {
        match self {
            Clock::Real => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0),
            Clock::Virtual(t) => t.load(Ordering::SeqCst),
        }
    }

    /// Moves a virtual clock forward; a no-op on the real clock.
    pub fn advance(&self, ms: i64) {
        if let Clock::Virtual(t) = self {
            t.fetch_add(ms, Ordering::SeqCst);
        }
    }

    pub fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_is_shared_and_moves_only_when_told() {
        let c = Clock::virtual_at(1_700_000_000_000);
        let c2 = c.clone();
        c.advance(1500);
        assert_eq!(c2.now_ms(), 1_700_000_001_500);
    }
}
