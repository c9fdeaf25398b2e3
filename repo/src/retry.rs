//! Whole-operation retries on top of `object_store`'s per-request retries: a delete batch or
//! a listing page that still fails with throttling or a 5xx is tried again after a capped,
//! doubling pause.

use std::time::Duration;

/// How often and how patiently an operation is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first one.
    pub retries: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries at all (tests that want the first error).
    pub fn none() -> Self {
        RetryPolicy {
            retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Runs `op` until it succeeds, fails with a non-transient error, or the retries are
    /// spent; returns the result and how many retries were made.
    pub fn run<T, E>(
        &self,
        mut op: impl FnMut() -> Result<T, E>,
        is_transient: impl Fn(&E) -> bool,
    ) -> (Result<T, E>, u32) {
        let mut pause = self.initial_backoff;
        let mut attempt = 0;
        loop {
            match op() {
                Ok(v) => return (Ok(v), attempt),
                Err(e) if attempt < self.retries && is_transient(&e) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(self.max_backoff);
                    attempt += 1;
                }
                Err(e) => return (Err(e), attempt),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_transient_errors_only() {
        let p = RetryPolicy {
            retries: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
        };
        let mut calls = 0;
        let (r, n) = p.run(
            || {
                calls += 1;
                if calls < 3 {
                    Err("503 SlowDown")
                } else {
                    Ok(calls)
                }
            },
            |e| e.contains("503"),
        );
        assert_eq!((r, n), (Ok(3), 2));
        let mut calls = 0;
        let (r, n) = p.run(
            || -> Result<(), &str> {
                calls += 1;
                Err("403 Forbidden")
            },
            |e| e.contains("503"),
        );
        assert_eq!((r, n, calls), (Err("403 Forbidden"), 0, 1));
        let (r, n) = p.run(|| -> Result<(), &str> { Err("503") }, |_| true);
        assert_eq!((r, n), (Err("503"), 3));
    }
}
