//! The event journal: one row per thing that happened (a job submitted, a state
//! transition, a lock taken or lost, …), with its time, run, step and label, for
//! `starsnap apply --json`, post-mortems and resume. Messages are redacted.

use std::sync::atomic::{AtomicI64, Ordering};

use super::schema::EVENTS;
use super::sql::{self, Val};
use super::{EpochMillis, StateStore};
use crate::error::RuntimeError;

/// One journal entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub run_id: String,
    /// Assigned by [`StateStore::journal`].
    pub seq: i64,
    /// Assigned by [`StateStore::journal`].
    pub time_ms: EpochMillis,
    pub kind: String,
    pub step_id: Option<String>,
    pub label: Option<String>,
    pub database: Option<String>,
    pub state: Option<String>,
    pub message: Option<String>,
}

impl Event {
    pub fn new(run_id: &str, kind: &str) -> Event {
        Event {
            run_id: run_id.to_string(),
            seq: 0,
            time_ms: 0,
            kind: kind.to_string(),
            step_id: None,
            label: None,
            database: None,
            state: None,
            message: None,
        }
    }
    pub fn step(mut self, s: &str) -> Self {
        self.step_id = Some(s.to_string());
        self
    }
    pub fn label(mut self, s: &str) -> Self {
        self.label = Some(s.to_string());
        self
    }
    pub fn database(mut self, s: &str) -> Self {
        self.database = Some(s.to_string());
        self
    }
    pub fn state(mut self, s: &str) -> Self {
        self.state = Some(s.to_string());
        self
    }
    pub fn message(mut self, s: &str) -> Self {
        self.message = Some(s.to_string());
        self
    }
}

/// A new run id: `20261122T042424Z-<12 hex digits>` (UTC, sortable, unique enough across
/// hosts), well under [`super::MAX_RUN_ID_BYTES`].
pub fn new_run_id(now_ms: EpochMillis) -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::BuildHasher;
    let stamp: String = super::format_utc(now_ms)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let noise = RandomState::new().hash_one((now_ms, std::process::id()));
    format!("{stamp}-{:012x}", noise & 0xffff_ffff_ffff)
}

/// Journal sequence numbers: unique within the process, increasing.
static EVENT_SEQ: AtomicI64 = AtomicI64::new(1);

impl StateStore {
    /// Appends an event to the journal (its message redacted).
    pub fn journal(&mut self, mut e: Event) -> Result<(), RuntimeError> {
        super::check_run_id(&e.run_id)?;
        e.seq = EVENT_SEQ.fetch_add(1, Ordering::SeqCst);
        e.time_ms = self.clock.now_ms();
        let row = vec![
            Val::text(&e.run_id),
            Val::Int(e.seq),
            Val::Int(e.time_ms),
            Val::text(&e.kind),
            Val::opt_text(e.step_id.as_deref()),
            Val::opt_text(e.label.as_deref()),
            Val::opt_text(e.database.as_deref()),
            Val::opt_text(e.state.as_deref()),
            Val::opt_text(e.message.as_deref().map(|m| self.redact(m))),
        ];
        let stmt = sql::upsert(
            self.config.backend,
            &self.table(EVENTS.name),
            &EVENTS.column_names(),
            &[row],
        );
        self.conn.execute(&stmt)?;
        Ok(())
    }

    /// Journal entries (of one run, or all), in the order they were written.
    pub fn events(&mut self, run_id: Option<&str>) -> Result<Vec<Event>, RuntimeError> {
        let filter: Vec<(&str, Val)> = run_id
            .map(|r| ("run_id", Val::text(r)))
            .into_iter()
            .collect();
        let q = sql::select(
            &self.table(EVENTS.name),
            &EVENTS.column_names(),
            &filter,
            "event_ms, seq",
            None,
        );
        self.read_events(&q)
    }

    /// The events whose message begins with `fingerprint` (a plan's: the steps its earlier
    /// runs journaled), oldest first. Read by prefix, so an apply does not read the journal
    /// of every run before it (issue 14).
    pub fn events_of_plan(&mut self, fingerprint: &str) -> Result<Vec<Event>, RuntimeError> {
        // The prefix is matched literally: LIKE's wildcards and escape are escaped.
        let mut pattern = String::new();
        for c in fingerprint.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        let q = format!(
            "SELECT {} FROM {} WHERE {} LIKE {} ORDER BY event_ms, seq",
            sql::columns(&EVENTS.column_names()),
            self.table(EVENTS.name),
            sql::columns(&["message"]),
            Val::text(&pattern).sql()
        );
        let events = self.read_events(&q)?;
        Ok(events
            .into_iter()
            .filter(|e| {
                e.message
                    .as_deref()
                    .is_some_and(|m| m.starts_with(fingerprint))
            })
            .collect())
    }

    fn read_events(&mut self, q: &str) -> Result<Vec<Event>, RuntimeError> {
        let rs = self.conn.query(q)?;
        rs.iter()
            .map(|r| {
                Ok(Event {
                    run_id: r.text("run_id")?.to_string(),
                    seq: r.i64("seq")?,
                    time_ms: r.i64("event_ms")?,
                    kind: r.text("event_kind")?.to_string(),
                    step_id: r.get("step_id")?.map(str::to_string),
                    label: r.get("label")?.map(str::to_string),
                    database: r.get("database_name")?.map(str::to_string),
                    state: r.get("event_state")?.map(str::to_string),
                    message: r.get("message")?.map(str::to_string),
                })
            })
            .collect()
    }
}
