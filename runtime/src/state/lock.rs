//! Locks: one lease per database, taken by a conflicting write, never check-then-insert.
//!
//! The `locks` table holds rows keyed by (`lock_key`, `generation`), where `lock_key` is a
//! digest of the database name; the row with the highest generation is the lease in
//! force. Every change — take, renew, release, takeover of an expired lease, break — is a
//! *claim* of generation `G + 1` after reading generation `G`:
//!
//! ```sql
//! INSERT INTO starsnap.locks [WITH LABEL starsnap_lock_<key>_<G+1>] (…)
//! SELECT <new row> FROM starsnap.locks WHERE lock_key = <key> AND generation = <G>
//! ```
//!
//! (`VALUES` for the very first generation.) Exactly one claimant of `G + 1` wins:
//! * **StarRocks** upserts on a primary key, so the key alone decides nothing; the *load
//!   label* does. A label is unique within a database while StarRocks keeps it: a second
//!   load with it fails in `DatabaseTransactionMgr.beginTransaction` with
//!   `LabelAlreadyUsedException` — `Label [<l>] has already been used.` — which
//!   `StatementPlanner.plan` wraps into a `SemanticException`, so the client sees error
//!   1064 `Getting analyzing error. Detail message: fail to begin transaction. Label [<l>]
//!   has already been used..` (`fe/fe-core/src/main/java/com/starrocks/common/
//!   LabelAlreadyUsedException.java`, `transaction/DatabaseTransactionMgr.java`,
//!   `sql/StatementPlanner.java`, branch 3.4). An aborted load frees its label, which is
//!   right: its row was never written.
//! * **MariaDB** rejects the second `(lock_key, generation)` with error 1062 (or 1213 when
//!   the two `INSERT … SELECT` deadlock); either way only one row lands.
//!
//! After a claim, the claimant reads the lease back and owns it only if the highest
//! generation carries its own `lock_id`. The `WHERE generation = G` guard and the pruning
//! of generations below the one in force make a very late (stale) claim insert nothing,
//! even after StarRocks has forgotten the label (`label_keep_max_second`, 3 days, or more
//! than `label_keep_max_num`, 1000, finished loads in the state database).
//!
//! Expiry compares epoch milliseconds (UTC) of the writers' clocks; a lease's TTL must
//! exceed any plausible clock skew between hosts.

use std::time::{Duration, Instant};

use super::journal::Event;
use super::schema::LOCKS;
use super::sql::{self, Val};
use super::{digest, format_utc, EpochMillis, StateBackend, StateStore};
use crate::error::{LockHolder, RuntimeError};
use crate::row::NamedRow;

/// Who acts: the user (or service) name, the host, the process, the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub holder: String,
    pub host: String,
    pub pid: u32,
    pub run_id: String,
}

impl Actor {
    /// This process: `holder` (the user or service the CLI names), the host name (from
    /// `HOSTNAME`, else the kernel's, else `unknown-host`) and the pid.
    pub fn this_process(holder: &str, run_id: &str) -> Actor {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown-host".into());
        Actor {
            holder: holder.to_string(),
            host,
            pid: std::process::id(),
            run_id: run_id.to_string(),
        }
    }
}

/// What taking a lock needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockRequest {
    pub database: String,
    pub actor: Actor,
    pub plan_fingerprint: String,
    /// How long the lease lasts without renewal.
    pub ttl: Duration,
}

/// A lease this process holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub database: String,
    pub lock_id: String,
    pub generation: i64,
    pub actor: Actor,
    pub plan_fingerprint: String,
    pub started_ms: EpochMillis,
    pub expires_ms: EpochMillis,
    pub ttl: Duration,
}

/// The state of a lock row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockStatus {
    Held,
    /// Held, but past its expiry: anyone may take it over.
    Expired,
    Released,
    Broken,
}

impl LockStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LockStatus::Held => "held",
            LockStatus::Expired => "expired",
            LockStatus::Released => "released",
            LockStatus::Broken => "broken",
        }
    }
}

/// A lock as `starsnap status` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockInfo {
    pub database: String,
    pub lock_id: String,
    pub generation: i64,
    pub status: LockStatus,
    /// The last operation: take, renew, release, takeover, break.
    pub operation: String,
    pub actor: Actor,
    pub plan_fingerprint: String,
    pub started_ms: EpochMillis,
    pub expires_ms: EpochMillis,
    pub written_ms: EpochMillis,
    lock_key: String,
}

/// A claim older than this (between reading generation G and sending the claim of G + 1)
/// is re-read first, so a stalled process never claims from a stale read.
const MAX_CLAIM_AGE: Duration = Duration::from_secs(10);
/// Claims lost to concurrent claimants before giving up with a contention error.
const MAX_ATTEMPTS: u32 = 16;

enum Claim {
    Won,
    Lost,
}

fn lock_key(database: &str) -> String {
    digest(&["starsnap-lock", database])
}

fn label(key: &str, generation: i64) -> String {
    format!("starsnap_lock_{key}_{generation}")
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl StateStore {
    /// Takes the lock of `req.database`, or fails at once with [`RuntimeError::LockHeld`]
    /// naming the holder. An expired lease is taken over; a lease this same run already
    /// holds (a retry after a dropped connection) is adopted.
    pub fn try_lock(&mut self, req: &LockRequest) -> Result<Lease, RuntimeError> {
        self.take(req, None)
    }

    /// Takes the lock, retrying with backoff (200 ms growing to 5 s) while it is held, until
    /// `timeout` has passed on the store's clock (`--lock-timeout`).
    pub fn acquire_lock(
        &mut self,
        req: &LockRequest,
        timeout: Duration,
    ) -> Result<Lease, RuntimeError> {
        let start = self.clock.now_ms();
        let deadline = start.saturating_add(ms(timeout));
        let mut backoff = Duration::from_millis(200);
        loop {
            match self.take(req, Some(start)) {
                Err(RuntimeError::LockHeld { .. }) if self.clock.now_ms() < deadline => {
                    let left = Duration::from_millis(
                        u64::try_from(deadline - self.clock.now_ms()).unwrap_or(0),
                    );
                    self.clock.sleep(backoff.min(left));
                    backoff = (backoff * 3 / 2).min(Duration::from_secs(5));
                }
                other => return other,
            }
        }
    }

    fn take(
        &mut self,
        req: &LockRequest,
        waited_since: Option<EpochMillis>,
    ) -> Result<Lease, RuntimeError> {
        super::check_run_id(&req.actor.run_id)?;
        let key = lock_key(&req.database);
        for _ in 0..MAX_ATTEMPTS {
            let read_at = Instant::now();
            let current = self.current_lock(&key)?;
            let now = self.clock.now_ms();
            let (generation, operation) = match &current {
                Some(c) if c.status == LockStatus::Held => {
                    if c.actor == req.actor {
                        return Ok(lease_of(c, req.ttl));
                    }
                    let waited = waited_since
                        .map(|s| Duration::from_millis(u64::try_from(now - s).unwrap_or(0)));
                    return Err(held_error(c, waited));
                }
                Some(c) if c.status == LockStatus::Expired => (c.generation + 1, "takeover"),
                Some(c) => (c.generation + 1, "take"),
                None => (1, "take"),
            };
            if read_at.elapsed() > MAX_CLAIM_AGE {
                continue;
            }
            let lease = Lease {
                database: req.database.clone(),
                lock_id: new_lock_id(&req.database, &req.actor, now),
                generation,
                actor: req.actor.clone(),
                plan_fingerprint: req.plan_fingerprint.clone(),
                started_ms: now,
                expires_ms: now.saturating_add(ms(req.ttl)),
                ttl: req.ttl,
            };
            if let Claim::Won = self.claim(&key, &lease, "held", operation)? {
                let message = match &current {
                    Some(c) if operation == "takeover" => format!(
                        "took over the expired lease {} of {}",
                        c.lock_id, c.actor.holder
                    ),
                    _ => format!("lease until {}", format_utc(lease.expires_ms)),
                };
                self.journal_lock(&lease.actor.run_id, &lease, operation, &message)?;
                return Ok(lease);
            }
        }
        Err(RuntimeError::LockContention {
            database: req.database.clone(),
            attempts: MAX_ATTEMPTS,
        })
    }

    /// Extends the lease by its TTL from now. Fails with [`RuntimeError::LockLost`] when
    /// someone broke or took over the lease.
    pub fn renew_lock(&mut self, lease: &mut Lease) -> Result<(), RuntimeError> {
        let now = self.clock.now_ms();
        let mut next = lease.clone();
        next.generation = lease.generation + 1;
        next.expires_ms = now.saturating_add(ms(lease.ttl));
        self.change(lease, &next, "held", "renew")?;
        *lease = next;
        Ok(())
    }

    /// Releases the lease.
    pub fn release_lock(&mut self, lease: Lease) -> Result<(), RuntimeError> {
        let mut next = lease.clone();
        next.generation = lease.generation + 1;
        next.expires_ms = self.clock.now_ms();
        self.change(&lease, &next, "released", "release")
    }

    fn change(
        &mut self,
        lease: &Lease,
        next: &Lease,
        state: &str,
        operation: &str,
    ) -> Result<(), RuntimeError> {
        let key = lock_key(&lease.database);
        let lost = |c: Option<&LockInfo>| RuntimeError::LockLost {
            database: lease.database.clone(),
            lock_id: lease.lock_id.clone(),
            now_held_by: c
                .filter(|c| c.status == LockStatus::Held)
                .map(|c| format!("{}@{} (lock {})", c.actor.holder, c.actor.host, c.lock_id)),
        };
        let current = self.current_lock(&key)?;
        match &current {
            Some(c) if c.generation == lease.generation && c.lock_id == lease.lock_id => {}
            other => return Err(lost(other.as_ref())),
        }
        match self.claim(&key, next, state, operation)? {
            Claim::Won => {
                let message = format!("until {}", format_utc(next.expires_ms));
                self.journal_lock(&lease.actor.run_id, next, operation, &message)
            }
            Claim::Lost => {
                let current = self.current_lock(&key)?;
                Err(lost(current.as_ref()))
            }
        }
    }

    /// Breaks the lease `lock_id` (`starsnap unlock LOCK_ID`) if it is the one in force and
    /// not released; returns it as it was.
    pub fn break_lock(&mut self, lock_id: &str, by: &Actor) -> Result<LockInfo, RuntimeError> {
        super::check_run_id(&by.run_id)?;
        let not_found = || RuntimeError::LockNotFound {
            lock_id: lock_id.to_string(),
        };
        let q = sql::select(
            &self.table(LOCKS.name),
            &LOCKS.column_names(),
            &[("lock_id", Val::text(lock_id))],
            "generation DESC",
            Some(1),
        );
        let rs = self.conn.query(&q)?;
        let Some(row) = rs.iter().next() else {
            return Err(not_found());
        };
        let found = lock_info(&row, self.clock.now_ms())?;
        let current = self.current_lock(&found.lock_key)?.ok_or_else(not_found)?;
        if current.lock_id != lock_id
            || matches!(current.status, LockStatus::Released | LockStatus::Broken)
        {
            return Err(not_found());
        }
        let now = self.clock.now_ms();
        let next = Lease {
            database: current.database.clone(),
            lock_id: current.lock_id.clone(),
            generation: current.generation + 1,
            actor: by.clone(),
            plan_fingerprint: current.plan_fingerprint.clone(),
            started_ms: current.started_ms,
            expires_ms: now,
            ttl: Duration::ZERO,
        };
        match self.claim(&current.lock_key, &next, "broken", "break")? {
            Claim::Won => {
                let message = format!(
                    "broke the lease of {}@{} (pid {})",
                    current.actor.holder, current.actor.host, current.actor.pid
                );
                self.journal_lock(&by.run_id, &next, "break", &message)?;
                Ok(current)
            }
            Claim::Lost => Err(not_found()),
        }
    }

    /// The lock of every database that has one (latest generation), for `starsnap status`.
    pub fn list_locks(&mut self) -> Result<Vec<LockInfo>, RuntimeError> {
        let q = sql::select(
            &self.table(LOCKS.name),
            &LOCKS.column_names(),
            &[],
            "",
            None,
        );
        let rs = self.conn.query(&q)?;
        let now = self.clock.now_ms();
        let mut latest: std::collections::BTreeMap<String, LockInfo> = Default::default();
        for row in rs.iter() {
            let info = lock_info(&row, now)?;
            match latest.get(&info.lock_key) {
                Some(l) if l.generation >= info.generation => {}
                _ => {
                    latest.insert(info.lock_key.clone(), info);
                }
            }
        }
        let mut out: Vec<LockInfo> = latest.into_values().collect();
        out.sort_by(|a, b| a.database.cmp(&b.database));
        Ok(out)
    }

    /// The lock of one database, if it ever had one.
    pub fn lock_of(&mut self, database: &str) -> Result<Option<LockInfo>, RuntimeError> {
        self.current_lock(&lock_key(database))
    }

    fn current_lock(&mut self, key: &str) -> Result<Option<LockInfo>, RuntimeError> {
        let q = sql::select(
            &self.table(LOCKS.name),
            &LOCKS.column_names(),
            &[("lock_key", Val::text(key))],
            "generation DESC",
            Some(1),
        );
        let rs = self.conn.query(&q)?;
        let now = self.clock.now_ms();
        let out = rs.iter().next().map(|r| lock_info(&r, now)).transpose();
        out
    }

    /// Writes generation `lease.generation` if nobody else did, then reads it back.
    fn claim(
        &mut self,
        key: &str,
        lease: &Lease,
        state: &str,
        operation: &str,
    ) -> Result<Claim, RuntimeError> {
        let g = lease.generation;
        let values = [
            Val::text(key),
            Val::Int(g),
            Val::text(&lease.database),
            Val::text(&lease.lock_id),
            Val::text(state),
            Val::text(operation),
            Val::text(&lease.actor.holder),
            Val::text(&lease.actor.host),
            Val::Int(i64::from(lease.actor.pid)),
            Val::text(&lease.plan_fingerprint),
            Val::text(&lease.actor.run_id),
            Val::Int(lease.started_ms),
            Val::Int(lease.expires_ms),
            Val::Int(self.clock.now_ms()),
        ];
        let literals: Vec<String> = values.iter().map(Val::sql).collect();
        let target = self.table(LOCKS.name);
        let with_label = match self.config.backend {
            StateBackend::StarRocks => format!(" WITH LABEL {}", label(key, g)),
            StateBackend::MySql => String::new(),
        };
        let cols = sql::columns(&LOCKS.column_names());
        let stmt = if g <= 1 {
            format!(
                "INSERT INTO {target}{with_label} ({cols}) VALUES ({})",
                literals.join(", ")
            )
        } else {
            format!(
                "INSERT INTO {target}{with_label} ({cols}) SELECT {} FROM {target} WHERE {}",
                literals.join(", "),
                sql::conjunction(&[
                    ("lock_key", Val::text(key)),
                    ("generation", Val::Int(g - 1))
                ])
            )
        };
        if let Err(e) = self.conn.execute(&stmt) {
            if !is_claim_conflict(&e) {
                return Err(e);
            }
        }
        let current = self.current_lock(key)?;
        let won = current
            .as_ref()
            .is_some_and(|c| c.generation == g && c.lock_id == lease.lock_id);
        if !won {
            return Ok(Claim::Lost);
        }
        // Older generations are history (the journal keeps it); dropping them makes a stale
        // claim's `WHERE generation = G` match nothing. Best effort: a failure here leaves
        // rows that the next claim prunes.
        let prune = format!(
            "DELETE FROM {target} WHERE {} AND {} < {}",
            sql::conjunction(&[("lock_key", Val::text(key))]),
            sql::columns(&["generation"]),
            g
        );
        let _ = self.conn.execute(&prune);
        Ok(Claim::Won)
    }

    fn journal_lock(
        &mut self,
        run_id: &str,
        lease: &Lease,
        operation: &str,
        message: &str,
    ) -> Result<(), RuntimeError> {
        let e = Event::new(run_id, &format!("lock_{operation}"))
            .database(&lease.database)
            .state(&lease.lock_id)
            .message(message);
        self.journal(e)
    }
}

/// A lost race: StarRocks's label error (or its empty-load error when the guard matched no
/// row), MariaDB's duplicate key or deadlock.
fn is_claim_conflict(e: &RuntimeError) -> bool {
    match e {
        RuntimeError::Server { code, message, .. } => {
            (message.contains("Label [") && message.contains("has already been used"))
                || message.contains("no load data")
                || message.contains("No partitions have data available")
                || matches!(code, 1062 | 1213)
        }
        _ => false,
    }
}

fn lease_of(c: &LockInfo, ttl: Duration) -> Lease {
    Lease {
        database: c.database.clone(),
        lock_id: c.lock_id.clone(),
        generation: c.generation,
        actor: c.actor.clone(),
        plan_fingerprint: c.plan_fingerprint.clone(),
        started_ms: c.started_ms,
        expires_ms: c.expires_ms,
        ttl,
    }
}

fn held_error(c: &LockInfo, waited: Option<Duration>) -> RuntimeError {
    RuntimeError::LockHeld {
        database: c.database.clone(),
        by: Box::new(LockHolder {
            lock_id: c.lock_id.clone(),
            holder: c.actor.holder.clone(),
            host: c.actor.host.clone(),
            pid: c.actor.pid,
            plan_fingerprint: c.plan_fingerprint.clone(),
            since: format_utc(c.started_ms),
            expires: format_utc(c.expires_ms),
            waited,
        }),
    }
}

fn new_lock_id(database: &str, actor: &Actor, now: EpochMillis) -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::BuildHasher;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let noise = RandomState::new().hash_one(n);
    let d = digest(&[
        database,
        &actor.holder,
        &actor.host,
        &actor.pid.to_string(),
        &now.to_string(),
        &n.to_string(),
        &noise.to_string(),
    ]);
    d.chars().take(16).collect()
}

fn lock_info(row: &NamedRow<'_>, now: EpochMillis) -> Result<LockInfo, RuntimeError> {
    let state = row.text("lock_state")?;
    let expires_ms = row.i64("expires_ms")?;
    let status = match state {
        "held" if expires_ms > now => LockStatus::Held,
        "held" => LockStatus::Expired,
        "released" => LockStatus::Released,
        "broken" => LockStatus::Broken,
        other => {
            return Err(RuntimeError::StateData {
                table: LOCKS.name.into(),
                message: format!("unknown lock_state `{other}`"),
            })
        }
    };
    Ok(LockInfo {
        database: row.text("database_name")?.to_string(),
        lock_id: row.text("lock_id")?.to_string(),
        generation: row.i64("generation")?,
        status,
        operation: row.text("operation")?.to_string(),
        actor: Actor {
            holder: row.text("holder")?.to_string(),
            host: row.text("holder_host")?.to_string(),
            pid: u32::try_from(row.i64("pid")?).unwrap_or(0),
            run_id: row.text("run_id")?.to_string(),
        },
        plan_fingerprint: row.text("plan_fingerprint")?.to_string(),
        started_ms: row.i64("started_ms")?,
        expires_ms,
        written_ms: row.i64("written_ms")?,
        lock_key: row.text("lock_key")?.to_string(),
    })
}
