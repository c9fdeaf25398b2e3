//! The simulator's network front: a `TcpListener` on 127.0.0.1, an accept thread, and a
//! thread per connection running [`crate::protocol::connection`].
//!
//! Each connection fails alone: a socket error, a malformed packet or even a panic in the
//! handler ends that connection (the panic is caught) and the server keeps serving others.
//! [`Server::stop`] (also run on drop) closes the listener, shuts every open connection down
//! and joins the threads.

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

use crate::config::SimConfig;
use crate::protocol::connection::{serve, ConnectionContext, WRITE_TIMEOUT};
use crate::protocol::packet::PacketStream;
use crate::response::{Handler, Session};

/// A running simulator front end. Stops when dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

struct Shared {
    stopping: AtomicBool,
    next_id: AtomicU32,
    /// A handle on every open connection's socket, for stop and fault injection.
    open: Mutex<HashMap<u32, TcpStream>>,
    /// Connection threads not yet joined.
    threads: Mutex<Vec<JoinHandle<()>>>,
    ctx: ConnectionContext,
}

/// Locks a mutex even if a thread panicked while holding it (the data stays usable).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Server {
    /// Binds 127.0.0.1:`config.port` (0 picks a free port) and starts accepting.
    pub fn start(config: &SimConfig, handler: Arc<dyn Handler>) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", config.port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stopping: AtomicBool::new(false),
            next_id: AtomicU32::new(1),
            open: Mutex::new(HashMap::new()),
            threads: Mutex::new(Vec::new()),
            ctx: ConnectionContext {
                server_version: config.version.mysql_version().to_string(),
                users: config.users.clone(),
                max_allowed_packet: config.max_allowed_packet,
                handler,
            },
        });
        let accept_shared = Arc::clone(&shared);
        let accept = thread::Builder::new()
            .name(format!("starsnap-sim-accept-{}", addr.port()))
            .spawn(move || accept_loop(listener, accept_shared))?;
        Ok(Server {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many client connections are open right now.
    pub fn open_connections(&self) -> usize {
        lock(&self.shared.open).len()
    }

    /// Fault injection: closes every open client socket now. The server keeps accepting.
    pub fn drop_connections(&self) {
        for stream in lock(&self.shared.open).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Stops accepting, closes every open connection and joins all threads. Idempotent.
    pub fn stop(&mut self) {
        if self.shared.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the accept loop with a connection of our own; if even that fails the loop
        // is not blocked in accept (the listener is gone), so joining is still safe only
        // when the wake-up went through.
        let woke = TcpStream::connect(self.addr).is_ok();
        if let Some(handle) = self.accept.take() {
            if woke {
                let _ = handle.join();
            }
        }
        self.drop_connections();
        let threads = std::mem::take(&mut *lock(&self.shared.threads));
        for t in threads {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for incoming in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = incoming else {
            // Transient accept failures (e.g. too many open files) must not end the server.
            thread::sleep(std::time::Duration::from_millis(10));
            continue;
        };
        let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
        let Ok(handle_copy) = stream.try_clone() else {
            continue;
        };
        lock(&shared.open).insert(id, handle_copy);
        let conn_shared = Arc::clone(&shared);
        let spawned = thread::Builder::new()
            .name(format!("starsnap-sim-conn-{id}"))
            .spawn(move || run_connection(stream, id, conn_shared));
        let mut threads = lock(&shared.threads);
        threads.retain(|t| !t.is_finished());
        match spawned {
            Ok(t) => threads.push(t),
            Err(_) => {
                if let Some(s) = lock(&shared.open).remove(&id) {
                    let _ = s.shutdown(Shutdown::Both);
                }
            }
        }
    }
}

/// One connection thread: serve, catch any panic, tell the handler, close the socket.
fn run_connection(stream: TcpStream, id: u32, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut session: Option<Session> = None;
    if let Ok(mut io) = PacketStream::new(stream, shared.ctx.max_allowed_packet) {
        // A panic (there should be none) ends this connection only.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            serve(&mut io, &shared.ctx, id, &mut session)
        }));
        let _ = io.socket().shutdown(Shutdown::Both);
    }
    // Forget the socket before telling the handler, so that a test that saw the disconnect
    // also sees the connection gone.
    if let Some(s) = lock(&shared.open).remove(&id) {
        let _ = s.shutdown(Shutdown::Both);
    }
    if let Some(s) = &session {
        let handler = &shared.ctx.handler;
        let _ = catch_unwind(AssertUnwindSafe(|| handler.disconnect(s)));
    }
}
