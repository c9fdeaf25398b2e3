//! How the engine hands statements to the snapshot engine. `Engine`'s `Handler::query`
//! calls [`query`] first: a text with no snapshot statement comes back `None` (after jobs
//! advanced, so a load that follows a job's SNAPSHOTING instant is not in its snapshot) and
//! the engine runs it as usual; otherwise the text is run statement by statement, snapshot
//! statements here and every other one through the engine, stopping at the first error.

use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{handles, SnapCtx};
use crate::engine::{lexer, Engine};
use crate::response::{Handler, Outcome, Session};

/// Runs `sql` if it holds a snapshot statement; advances jobs either way.
pub fn query(engine: &Engine, session: &mut Session, sql: &str) -> Option<Vec<Outcome>> {
    // One statement (no `;` but trailing ones) that no snapshot statement starts like: not
    // ours, without lexing it (a state write is an INSERT of megabytes).
    if !sql.trim_end().trim_end_matches(';').contains(';') && !super::may_handle(sql) {
        tick(engine);
        return None;
    }
    let pieces: Vec<(usize, usize)> = match lexer::split(sql) {
        Ok(parts) => parts.iter().map(|p| (p.start, p.end)).collect(),
        Err(_) => vec![(0, sql.len())],
    };
    let any = pieces
        .iter()
        .any(|&(a, b)| sql.get(a..b).is_some_and(handles));
    if !any {
        tick(engine);
        return None;
    }
    let mut out = Vec::with_capacity(pieces.len());
    for (a, b) in pieces {
        let text = sql.get(a..b).unwrap_or("");
        let results = if handles(text) {
            vec![execute(engine, session, text)]
        } else {
            engine.query(session, text)
        };
        let failed = results.iter().any(Result::is_err);
        out.extend(results);
        if failed || session.close_after || session.close_before_answer {
            break;
        }
    }
    Some(out)
}

/// One snapshot statement under the engine's catalog write lock.
pub fn execute(engine: &Engine, session: &mut Session, sql: &str) -> Outcome {
    let out = {
        let mut catalog = engine.catalog_mut();
        let mut cx = SnapCtx {
            catalog: &mut catalog,
            config: engine.config(),
            time_zone: engine.time_zone(),
        };
        engine.snapshots().execute(&mut cx, session, sql)
    };
    engine.mark_dirty();
    if out.is_ok() && !sql.trim_start().to_ascii_uppercase().starts_with("SHOW") {
        if let Err(e) = engine.flush() {
            eprintln!("starsnap-simulator: could not save the catalog: {e}");
        }
    }
    out
}

/// Advances running jobs to the clock's time (cheap when none is running).
pub fn tick(engine: &Engine) {
    if !engine.snapshots().has_active_jobs() {
        return;
    }
    let mut catalog = engine.catalog_mut();
    let mut cx = SnapCtx {
        catalog: &mut catalog,
        config: engine.config(),
        time_zone: engine.time_zone(),
    };
    engine.snapshots().tick(&mut cx);
    drop(catalog);
    engine.mark_dirty();
}

/// A daemon for the real clock: advances jobs every `every` even when no client sends a
/// statement, so files appear in the repository on time (another simulator sharing the
/// storage sees a snapshot as soon as it is finished). It stops when the engine is dropped.
/// Under a virtual clock it does nothing (jobs move only when the test moves the clock).
pub fn spawn_ticker(engine: &Arc<Engine>, every: Duration) -> std::io::Result<JoinHandle<()>> {
    let weak: Weak<Engine> = Arc::downgrade(engine);
    std::thread::Builder::new()
        .name("starsnap-snapshot-jobs".into())
        .spawn(move || loop {
            std::thread::sleep(every);
            let Some(engine) = weak.upgrade() else {
                return;
            };
            if !engine.config().clock.is_virtual() {
                tick(&engine);
            }
        })
}
