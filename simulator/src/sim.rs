//! The simulator as a library: an [`Engine`] behind the wire [`Server`], started from a
//! [`SimConfig`] and stopped on drop (the catalog is flushed to `data_dir` first).
//!
//! ```no_run
//! use starsnap_simulator::{sim::Simulator, SimConfig};
//! let sim = Simulator::start(SimConfig::default()).expect("starts");
//! println!("mysql -h127.0.0.1 -P{} -uroot", sim.port());
//! ```

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::config::SimConfig;
use crate::engine::Engine;
use crate::server::Server;

/// A running simulator: frontend engine plus MySQL-protocol server on 127.0.0.1.
pub struct Simulator {
    config: SimConfig,
    engine: Arc<Engine>,
    server: Option<Server>,
    stopping: Arc<AtomicBool>,
    flusher: Option<JoinHandle<()>>,
}

/// Saves a large catalog's pending changes about once a second (small catalogs are saved
/// after every change already), so a killed sandbox loses at most a second of work.
fn flusher(engine: Weak<Engine>, stopping: Arc<AtomicBool>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let tick = Duration::from_millis(100);
        let mut waited = Duration::ZERO;
        while !stopping.load(Ordering::SeqCst) {
            std::thread::sleep(tick);
            waited += tick;
            if waited < Duration::from_secs(1) {
                continue;
            }
            waited = Duration::ZERO;
            let Some(e) = engine.upgrade() else { return };
            if let Err(err) = e.flush() {
                eprintln!("starsnap-simulator: could not save the catalog: {err}");
            }
        }
    })
}

impl Simulator {
    /// Builds the engine (loading `data_dir` if set) and starts listening. An invalid time
    /// zone or an unreadable data directory is an `InvalidInput`/I/O error.
    pub fn start(config: SimConfig) -> io::Result<Simulator> {
        let engine = Arc::new(Engine::try_new(&config)?);
        Simulator::start_with(config, engine)
    }

    /// Starts a server in front of an engine built (and possibly seeded) by the caller.
    pub fn start_with(config: SimConfig, engine: Arc<Engine>) -> io::Result<Simulator> {
        let server = Server::start(&config, engine.clone())?;
        // On the real clock, BACKUP/RESTORE jobs advance in the background as StarRocks's
        // daemons do, so files appear in the repository on time even when no client asks.
        if !config.clock.is_virtual() {
            crate::snapshot::route::spawn_ticker(&engine, Duration::from_millis(10))?;
        }
        let stopping = Arc::new(AtomicBool::new(false));
        let flusher = config
            .data_dir
            .is_some()
            .then(|| flusher(Arc::downgrade(&engine), stopping.clone()));
        Ok(Simulator {
            config,
            engine,
            server: Some(server),
            stopping,
            flusher,
        })
    }

    /// The port the server listens on (the real one when the config asked for 0).
    pub fn port(&self) -> u16 {
        self.server.as_ref().map(Server::port).unwrap_or(0)
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// `mysql://root@127.0.0.1:<port>` (first configured user, no password).
    pub fn url(&self) -> String {
        let user = self
            .config
            .users
            .first()
            .map(|u| u.name.as_str())
            .unwrap_or("root");
        format!("mysql://{user}@127.0.0.1:{}", self.port())
    }

    /// Stops the server, closes every connection and saves the catalog. Idempotent.
    pub fn stop(&mut self) -> io::Result<()> {
        if let Some(mut s) = self.server.take() {
            s.stop();
        }
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(f) = self.flusher.take() {
            let _ = f.join();
        }
        self.engine.flush()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            eprintln!("starsnap-simulator: could not save the catalog: {e}");
        }
    }
}
