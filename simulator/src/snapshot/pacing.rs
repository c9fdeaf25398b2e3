//! How long each job state lasts.
//!
//! Model: a job records when its current state began (`state_since_ms`). Whenever the
//! snapshot engine is asked to [`advance`](super::Snapshots::tick) — before every statement
//! the engine runs, and on an explicit `tick()` — every job whose state has lasted its
//! duration runs that state's step and moves on, *at the scheduled instant*
//! (`state_since_ms + duration`), possibly through several states at once. So:
//!
//! * under a virtual clock nothing moves until the clock does; `clock.advance(ms)` followed by
//!   any statement (or `tick()`) replays exactly the transitions due by then, deterministically;
//! * under the real clock jobs progress as time passes and clients poll (no daemon thread is
//!   needed: a job's state is only observable through a statement, which advances it first);
//! * the data snapshot is taken when PENDING ends (the job enters SNAPSHOTING), and since
//!   jobs advance before a statement runs, a load executed after that instant is not in it.
//!
//! Times shown (SnapshotFinishedTime, …) are the scheduled instants, not the observation time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Per-state durations in milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pacing {
    /// Duration of a state with no entry in `per_state`.
    pub default_ms: i64,
    /// By state name (`PENDING`, `UPLOADING`, `DOWNLOADING`, …, upper case).
    pub per_state: BTreeMap<String, i64>,
}

impl Default for Pacing {
    /// A few milliseconds per state: a whole backup takes ~30 ms on the real clock.
    fn default() -> Self {
        Pacing {
            default_ms: 5,
            per_state: BTreeMap::new(),
        }
    }
}

impl Pacing {
    /// Every state lasts `ms`.
    pub fn uniform(ms: i64) -> Pacing {
        Pacing {
            default_ms: ms.max(0),
            per_state: BTreeMap::new(),
        }
    }

    /// Sets one state's duration.
    pub fn with_state(mut self, state: &str, ms: i64) -> Pacing {
        self.per_state.insert(state.to_ascii_uppercase(), ms.max(0));
        self
    }

    pub fn duration(&self, state: &str) -> i64 {
        self.per_state
            .get(state)
            .copied()
            .unwrap_or(self.default_ms)
            .max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_state_overrides_default() {
        let p = Pacing::uniform(10).with_state("uploading", 1000);
        assert_eq!(p.duration("UPLOADING"), 1000);
        assert_eq!(p.duration("PENDING"), 10);
    }
}
