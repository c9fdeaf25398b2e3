//! The simulated StarRocks frontend: catalog, data and SQL execution behind the
//! [`Handler`](crate::response::Handler) trait.
//!
//! A COM_QUERY text is lexed and parsed as a whole first (one syntax error fails all of it,
//! spec §0.1), then its statements run in order and execution stops at the first error.
//! `SHOW …` goes to [`show::execute`]; `SELECT … FROM information_schema.<t>` is evaluated
//! by the SELECT executor over [`infoschema::table`]. Everything else is executed here:
//! DDL (`ddl`, `alter`), loads (`dml`), queries (`select`) and session statements
//! (`session`). Shared state sits behind one `RwLock`; connections are threads.
//!
//! Round-trip counting: the engine counts every statement each connection sends (each
//! statement of a multi-statement text counts once). Read the counts with
//! [`Engine::connection_stats`] / [`Engine::statements_of`] / [`Engine::total_statements`],
//! or over the wire with the simulator-only statement `ADMIN SHOW SIMULATOR STATS`
//! (columns `ConnectionId`, `User`, `Statements`, `Current`; one row per open connection,
//! `Current` = `true` for the asking one). `Session::statements` is the protocol's count
//! of COM_QUERY packets.
//!
//! Network latency: `ADMIN SET SIMULATOR LATENCY = <ms>` (simulator-only; `=` optional,
//! 0 … [`MAX_LATENCY_MS`]) makes the protocol hold every answer for `ms` milliseconds before
//! sending it — on every connection (the setting is global, as a network between client and
//! cluster is), for every command a client waits on (COM_QUERY, COM_INIT_DB, COM_PING, …),
//! the statement's own answer included. One multi-statement COM_QUERY is one round trip and
//! waits once. 0 turns it off; it is not saved across a restart. Library form:
//! [`Engine::set_latency`].

pub mod alter;
pub mod ast;
pub mod bulk;
pub mod catalog;
pub mod ddl;
pub mod dml;
pub mod errors;
pub mod eval;
pub mod infoschema;
pub mod infoschema_columns;
pub mod labels;
pub mod lexer;
pub mod parse_alter;
pub mod parse_ddl;
pub mod parse_expr;
pub mod parser;
pub mod persist;
pub mod select;
pub mod session;
pub mod show;
pub mod time;
pub mod value;

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

pub use bulk::BulkTables;
pub use catalog::Catalog;
pub use time::TimeZone;
pub use value::{SqlType, Value, VirtualTable};

use crate::clock::EpochMillis;
use crate::config::SimConfig;
use crate::profile::VersionProfile;
use crate::response::{Handler, Outcome, Response, Session, SqlError};
use ast::Stmt;

/// The largest `ADMIN SET SIMULATOR LATENCY` (one minute): more is a typo, not a network.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// Read-only view of the engine's state for SHOW statements and `information_schema`
/// tables. It borrows the catalog under the engine's read lock, so code that receives an
/// `EngineCtx` never locks anything itself.
pub struct EngineCtx<'a> {
    pub catalog: &'a Catalog,
    pub config: &'a SimConfig,
    pub time_zone: &'a TimeZone,
}

impl EngineCtx<'_> {
    pub fn now_ms(&self) -> EpochMillis {
        self.config.clock.now_ms()
    }

    pub fn version(&self) -> VersionProfile {
        self.config.version
    }

    /// Number of alive backends.
    pub fn alive_backends(&self) -> usize {
        self.config.alive_backend_count()
    }

    /// `yyyy-MM-dd HH:mm:ss` in the FE time zone; `None` (NULL) when `ms <= 0`, as
    /// `TimeUtils.longToTimeString` does.
    pub fn format_time(&self, ms: EpochMillis) -> Option<String> {
        (ms > 0).then(|| self.time_zone.format_datetime(ms))
    }
}

/// The id of the `i`-th configured backend (as SHOW BACKENDS and error texts show it).
pub fn backend_id(index: usize) -> u64 {
    10_001 + index as u64
}

/// Ids of the alive backends, in configuration order.
pub fn alive_backend_ids(config: &SimConfig) -> Vec<u64> {
    (0..config.backends.len())
        .filter(|&i| config.backend_is_alive(i))
        .map(backend_id)
        .collect()
}

/// Statements one connection has sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionStats {
    pub connection_id: u32,
    pub user: String,
    pub statements: u64,
}

/// Everything a statement that changes the catalog needs besides the catalog itself.
pub struct Env<'a> {
    pub config: &'a SimConfig,
    pub tz: &'a TimeZone,
    pub now: EpochMillis,
    pub txn: &'a AtomicU64,
}

impl Env<'_> {
    pub fn next_txn(&self) -> u64 {
        self.txn.fetch_add(1, Ordering::SeqCst)
    }
}

/// The frontend engine.
pub struct Engine {
    config: SimConfig,
    tz: TimeZone,
    catalog: RwLock<Catalog>,
    connections: Mutex<BTreeMap<u32, ConnectionStats>>,
    closed_statements: AtomicU64,
    txn: AtomicU64,
    persist: Option<persist::Persister>,
    /// Repositories' jobs, faults and pacing (`crate::snapshot`).
    snapshots: crate::snapshot::Snapshots,
    /// Restarts so far (`ADMIN RESTART SIMULATOR`); see [`Handler::generation`].
    generation: AtomicU64,
    /// `ADMIN SET SIMULATOR LATENCY`: milliseconds every answer waits (0: none).
    latency_ms: AtomicU64,
}

impl Engine {
    /// Builds an engine; panics on an invalid configuration (an unknown time zone, an
    /// unreadable data directory). Use [`Engine::try_new`] to handle those as errors.
    pub fn new(config: &SimConfig) -> Engine {
        Engine::try_new(config).unwrap_or_else(|e| panic!("invalid simulator configuration: {e}"))
    }

    /// Builds an engine, loading the catalog from `config.data_dir` when one was saved there.
    pub fn try_new(config: &SimConfig) -> io::Result<Engine> {
        let tz = TimeZone::parse(&config.time_zone)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        let persist = match &config.data_dir {
            Some(dir) => Some(persist::Persister::open(dir)?),
            None => None,
        };
        let catalog = match &persist {
            Some(p) => p.load()?.unwrap_or_else(|| Catalog::new(config.seed)),
            None => Catalog::new(config.seed),
        };
        Ok(Engine {
            config: config.clone(),
            tz,
            catalog: RwLock::new(catalog),
            connections: Mutex::new(BTreeMap::new()),
            closed_statements: AtomicU64::new(0),
            txn: AtomicU64::new(1000),
            persist,
            snapshots: crate::snapshot::Snapshots::new(config),
            generation: AtomicU64::new(0),
            latency_ms: AtomicU64::new(0),
        })
    }

    /// Restarts the frontend on its data directory, as `ADMIN RESTART SIMULATOR` does: saves
    /// everything, reloads the catalog and the snapshot jobs from disk (running jobs go on
    /// from their saved state and schedule), and drops every connection opened before (each
    /// is closed at its next command). Without a data directory there is nothing to restart on.
    pub fn restart(&self) -> io::Result<()> {
        let Some(p) = &self.persist else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the simulator has no data directory to restart on",
            ));
        };
        self.flush()?;
        let reloaded = p.load()?.unwrap_or_else(|| Catalog::new(self.config.seed));
        *self.catalog_mut() = reloaded;
        self.snapshots.reload(&self.config);
        self.generation.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// Delays every answer sent from now on by `latency` (whole milliseconds, at most
    /// [`MAX_LATENCY_MS`]), as `ADMIN SET SIMULATOR LATENCY` does; zero turns it off.
    pub fn set_latency(&self, latency: Duration) {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.latency_ms
            .store(ms.min(MAX_LATENCY_MS), Ordering::SeqCst);
    }

    /// The delay every answer gets now.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::SeqCst))
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// The snapshot engine (BACKUP/RESTORE jobs, fault injection, pacing).
    pub fn snapshots(&self) -> &crate::snapshot::Snapshots {
        &self.snapshots
    }

    /// Read access to the catalog (a lock guard: keep it short).
    pub fn catalog(&self) -> RwLockReadGuard<'_, Catalog> {
        self.catalog.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Write access to the catalog, for the snapshot engine and tests. Call
    /// [`Engine::mark_dirty`] after changing it so the change is persisted.
    pub fn catalog_mut(&self) -> RwLockWriteGuard<'_, Catalog> {
        self.catalog.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` with an [`EngineCtx`] under the read lock.
    pub fn with_ctx<R>(&self, f: impl FnOnce(&EngineCtx<'_>) -> R) -> R {
        let cat = self.catalog();
        let ctx = EngineCtx {
            catalog: &cat,
            config: &self.config,
            time_zone: &self.tz,
        };
        f(&ctx)
    }

    /// Statements sent by every open connection.
    pub fn connection_stats(&self) -> Vec<ConnectionStats> {
        self.connections
            .lock()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Statements sent by one open connection.
    pub fn statements_of(&self, connection_id: u32) -> Option<u64> {
        self.connections
            .lock()
            .ok()?
            .get(&connection_id)
            .map(|c| c.statements)
    }

    /// Statements sent by all connections since start, open or closed.
    pub fn total_statements(&self) -> u64 {
        let open: u64 = self.connection_stats().iter().map(|c| c.statements).sum();
        open + self.closed_statements.load(Ordering::SeqCst)
    }

    /// Notes that the catalog changed outside SQL (e.g. the snapshot engine), so that the
    /// next save writes it.
    pub fn mark_dirty(&self) {
        if let Some(p) = &self.persist {
            p.mark_dirty();
        }
    }

    /// Writes the catalog to `data_dir` now if anything changed since the last save.
    pub fn flush(&self) -> io::Result<()> {
        match &self.persist {
            Some(p) if p.is_dirty() => p.save(&self.catalog()),
            _ => Ok(()),
        }
    }

    /// Creates many range-partitioned tables directly (benchmarks and scale tests).
    pub fn bulk_create_tables(&self, spec: &BulkTables) -> Result<usize, SqlError> {
        let now = self.config.clock.now_ms();
        let n = bulk::create(&mut self.catalog_mut(), spec, now)?;
        self.after_write();
        Ok(n)
    }

    fn after_write(&self) {
        if let Some(p) = &self.persist {
            p.mark_dirty();
            if p.due(&self.catalog()) {
                if let Err(e) = p.save(&self.catalog()) {
                    eprintln!("starsnap-simulator: could not save the catalog: {e}");
                }
            }
        }
    }

    /// Counts one statement for the session's connection (every statement of a
    /// multi-statement text counts; `Session::statements` is the protocol's packet count).
    fn count_statement(&self, session: &Session) {
        if let Ok(mut m) = self.connections.lock() {
            let e = m
                .entry(session.connection_id)
                .or_insert_with(|| ConnectionStats {
                    connection_id: session.connection_id,
                    user: session.user.clone(),
                    statements: 0,
                });
            e.statements += 1;
            e.user.clone_from(&session.user);
        }
    }

    fn execute(
        &self,
        session: &mut Session,
        stmt: &Stmt,
        sql: &str,
        text: &str,
    ) -> (Outcome, bool) {
        let env = Env {
            config: &self.config,
            tz: &self.tz,
            now: self.config.clock.now_ms(),
            txn: &self.txn,
        };
        match stmt {
            Stmt::Show => (
                self.with_ctx(|ctx| show::execute(ctx, session, text)),
                false,
            ),
            Stmt::Select(s) => (
                self.with_ctx(|ctx| select::execute(ctx, session, s, sql)),
                false,
            ),
            Stmt::Union(u) => (
                self.with_ctx(|ctx| select::execute_union(ctx, session, u, sql)),
                false,
            ),
            Stmt::Use(name) => (session::use_db(&self.catalog(), session, name), false),
            Stmt::Set(items) => (session::set(session, items), false),
            Stmt::Noop => (Ok(Response::ok()), false),
            Stmt::AdminSetLatency(ms) => {
                self.set_latency(Duration::from_millis(*ms));
                (Ok(Response::ok()), false)
            }
            Stmt::AdminShowStats => (
                Ok(session::stats_result(session, &self.connection_stats())),
                false,
            ),
            Stmt::Unsupported(what) => (Err(errors::unsupported(what)), false),
            Stmt::Insert(ins) => {
                let r = dml::insert(&mut self.catalog_mut(), &env, session, ins, sql);
                (r, true)
            }
            Stmt::Update(upd) => {
                let r = dml::update(&mut self.catalog_mut(), &env, session, upd, sql);
                (r, true)
            }
            Stmt::Delete(del) => {
                let r = dml::delete(&mut self.catalog_mut(), &env, session, del, sql);
                (r, true)
            }
            Stmt::AlterTable { .. } | Stmt::AlterMv { .. } => {
                let r = alter::execute(&mut self.catalog_mut(), &env, session, stmt, sql);
                (r, true)
            }
            _ => {
                let r = ddl::execute(&mut self.catalog_mut(), &env, session, stmt, sql);
                (r, true)
            }
        }
    }
}

impl Handler for Engine {
    fn query(&self, session: &mut Session, sql: &str) -> Vec<Outcome> {
        if is_restart_statement(sql) {
            self.count_statement(session);
            return vec![match self.restart() {
                Ok(()) => {
                    // This connection is gone too, right after the answer.
                    session.close_after = true;
                    Ok(Response::ok())
                }
                Err(e) => Err(errors::analyzing(&format!("cannot restart: {e}"))),
            }];
        }
        // Snapshot statements (BACKUP, RESTORE, CANCEL, SHOW BACKUP/RESTORE/SNAPSHOT,
        // CREATE/DROP REPOSITORY, ADMIN … SIMULATOR) go to `crate::snapshot`; jobs advance first.
        if let Some(out) = crate::snapshot::route::query(self, session, sql) {
            return out;
        }
        let parsed = match parser::parse_all(sql) {
            Ok(p) => p,
            Err(e) => {
                self.count_statement(session);
                return vec![Err(e)];
            }
        };
        if parsed.is_empty() {
            self.count_statement(session);
            return vec![Err(errors::syntax_at(
                sql,
                sql.len(),
                "Unexpected input '<EOF>', the most similar input is {a legal statement}",
            ))];
        }
        let mut out = Vec::with_capacity(parsed.len());
        let mut wrote = false;
        for p in &parsed {
            self.count_statement(session);
            let text = sql.get(p.start..p.end).unwrap_or("");
            let (r, w) = self.execute(session, &p.stmt, sql, text);
            wrote |= w && r.is_ok();
            let failed = r.is_err();
            out.push(r);
            if failed {
                break;
            }
        }
        if wrote {
            self.after_write();
        }
        out
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn answer_delay(&self) -> Duration {
        self.latency()
    }

    fn init_db(&self, session: &mut Session, db: &str) -> Outcome {
        session::init_db(&self.catalog(), session, db)
    }

    fn disconnect(&self, session: &Session) {
        if let Ok(mut m) = self.connections.lock() {
            if let Some(c) = m.remove(&session.connection_id) {
                self.closed_statements
                    .fetch_add(c.statements, Ordering::SeqCst);
            }
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            eprintln!("starsnap-simulator: could not save the catalog: {e}");
        }
    }
}

/// `ADMIN RESTART SIMULATOR` (any case and spacing, an optional `;`): a simulator-only
/// statement, so a test can restart the frontend over the wire.
fn is_restart_statement(sql: &str) -> bool {
    // Word by word, stopping at the fourth: this runs before every statement, megabytes long
    // for a bulk INSERT.
    let mut words = sql.trim().trim_end_matches(';').split_whitespace();
    ["ADMIN", "RESTART", "SIMULATOR"]
        .iter()
        .all(|want| words.next().is_some_and(|w| w.eq_ignore_ascii_case(want)))
        && words.next().is_none()
}

#[cfg(test)]
mod restart_tests {
    use super::is_restart_statement;

    #[test]
    fn restart_is_exactly_three_words() {
        for yes in [
            "ADMIN RESTART SIMULATOR",
            "  admin  Restart\tsimulator ;",
            "ADMIN RESTART SIMULATOR;;",
        ] {
            assert!(is_restart_statement(yes), "{yes}");
        }
        for no in [
            "ADMIN RESTART",
            "ADMIN RESTART SIMULATOR NOW",
            "ADMIN RESTART SIMULATORS",
            "SELECT 'ADMIN RESTART SIMULATOR'",
            "",
        ] {
            assert!(!is_restart_statement(no), "{no}");
        }
    }
}
