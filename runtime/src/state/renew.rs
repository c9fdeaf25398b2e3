//! Keeping a lease alive while a run works: a thread that renews it every `every` on its
//! own store (and so its own connection), and says when the lease was lost.
//!
//! Pacing is real time (the thread waits on a channel); lease times still come from the
//! store's clock. A failed renewal is retried at the next tick (a dropped connection must
//! not end the run); a lease broken or taken over ends the renewer and sets
//! [`Renewer::is_lost`], which the executor checks between steps.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::lock::Lease;
use super::StateStore;
use crate::error::RuntimeError;

type Outcome = (StateStore, Result<Lease, RuntimeError>);

/// A running renewer; [`Renewer::stop`] gives the store and the current lease back.
pub struct Renewer {
    stop: mpsc::Sender<()>,
    lost: Arc<AtomicBool>,
    handle: JoinHandle<Outcome>,
}

impl std::fmt::Debug for Renewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renewer")
            .field("lost", &self.is_lost())
            .finish()
    }
}

impl Renewer {
    /// Whether the lease was broken or taken over.
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// Stops renewing; returns the store and the lease as last renewed, or
    /// [`RuntimeError::LockLost`] when it was lost.
    pub fn stop(self) -> Result<Outcome, RuntimeError> {
        let _ = self.stop.send(());
        self.handle.join().map_err(|_| RuntimeError::StateConflict {
            message: "the lease renewer thread panicked".into(),
        })
    }
}

impl StateStore {
    /// Renews `lease` every `every` on a thread that owns this store until stopped.
    pub fn keep_renewing(self, lease: Lease, every: Duration) -> Renewer {
        let (tx, rx) = mpsc::channel::<()>();
        let lost = Arc::new(AtomicBool::new(false));
        let flag = lost.clone();
        let handle = std::thread::spawn(move || {
            let mut store = self;
            let mut lease = lease;
            loop {
                match rx.recv_timeout(every) {
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                        return (store, Ok(lease));
                    }
                }
                match store.renew_lock(&mut lease) {
                    Ok(()) => {}
                    Err(e @ RuntimeError::LockLost { .. }) => {
                        flag.store(true, Ordering::SeqCst);
                        return (store, Err(e));
                    }
                    // Retried at the next tick; if the lease expires meanwhile and someone
                    // takes it over, the next renewal reports it lost.
                    Err(_) => {}
                }
            }
        });
        Renewer {
            stop: tx,
            lost,
            handle,
        }
    }
}
