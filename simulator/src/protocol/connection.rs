//! One client connection after the socket is accepted: login, then one command at a time
//! until the client quits, the socket fails, or the engine asks to drop the connection
//! (`Session::close_after`, `Session::close_before_answer`).
//!
//! Command answers follow StarRocks 3.4 (`fe/.../qe/ConnectProcessor.java` `dispatch`):
//! * COM_QUERY, COM_INIT_DB, COM_PING, COM_RESET_CONNECTION, COM_CHANGE_USER,
//!   COM_FIELD_LIST as StarRocks answers them; COM_QUIT gets an OK, then the socket closes.
//! * COM_RESET_CONNECTION resets the session variables to their login state and keeps the
//!   current database, as StarRocks (`ConnectContext.resetSessionVariable`) and MySQL do.
//! * A command byte StarRocks does not know: 1047 `08S01` `Unknown command(null)` (StarRocks
//!   reports ERR_UNKNOWN_COM_ERROR, then overwrites the text with the name of a null
//!   command). A byte it knows but does not serve (COM_STATISTICS, …): 1064 `HY000`
//!   `Unsupported command(Statistics)`. The connection stays open in both cases.
//! * Prepared statements: StarRocks 3.4 serves them, but the simulator refuses them (the
//!   text protocol is the contract starsnap relies on) with StarRocks's own
//!   `ERR_UNSUPPORTED_PS`, 1295 `HY000` "This command is not supported in the prepared
//!   statement protocol yet", for COM_STMT_PREPARE, COM_STMT_EXECUTE and COM_STMT_RESET.
//!   COM_STMT_CLOSE and COM_STMT_SEND_LONG_DATA get no answer: the protocol defines none,
//!   and sending one would desynchronise the client.
//! * A packet bigger than `max_allowed_packet`: 1153 `08S01` "Got a packet bigger than
//!   'max_allowed_packet' bytes", then the connection closes (as MySQL does; StarRocks has
//!   no limit on what it reads). A bad sequence id, a truncated packet or an empty command
//!   packet closes the connection without an answer, as StarRocks does.

use std::net::Shutdown;
use std::sync::Arc;
use std::time::Duration;

use super::capability as cap;
use super::codec::Reader;
use super::command as com;
use super::handshake::{authenticate, login, lossy, LoggedIn};
use super::packet::{PacketError, PacketStream};
use super::results::{
    column_definition, end_packet, err_packet, ok_packet, write_outcomes, Terminator,
};
use super::NATIVE_PASSWORD;
use crate::config::User;
use crate::response::{Handler, Session, SqlError};

/// How long the connection phase may take (MySQL's `connect_timeout` default).
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one write may block on a client that does not read (MySQL's
/// `net_write_timeout` default); then the connection is dropped.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// What every connection of one server shares.
pub struct ConnectionContext {
    pub server_version: String,
    pub users: Vec<User>,
    pub max_allowed_packet: usize,
    pub handler: Arc<dyn Handler>,
}

/// 1153 / 08S01.
pub fn packet_too_large() -> SqlError {
    SqlError::new(
        1153,
        "08S01",
        "Got a packet bigger than 'max_allowed_packet' bytes",
    )
}

/// 1295 / HY000, StarRocks's `ERR_UNSUPPORTED_PS`.
pub fn prepared_statements_unsupported() -> SqlError {
    SqlError::new(
        1295,
        "HY000",
        "This command is not supported in the prepared statement protocol yet",
    )
}

/// What to do after a command.
enum Next {
    Continue,
    Close,
}

/// Serves one connection to its end. Once login succeeds the session lives in
/// `session_out`, so that the caller still has it (to report the disconnect to the handler)
/// even if serving panics. A client that never logs in leaves it `None`.
pub fn serve(
    io: &mut PacketStream,
    ctx: &ConnectionContext,
    connection_id: u32,
    session_out: &mut Option<Session>,
) {
    // A client that connects and never logs in must not hold a thread forever.
    let _ = io.socket().set_read_timeout(Some(LOGIN_TIMEOUT));
    let logged_in = match login(
        io,
        &ctx.server_version,
        &ctx.users,
        ctx.handler.as_ref(),
        connection_id,
    ) {
        Ok(Some(l)) => l,
        Ok(None) => return,
        Err(e) => {
            refuse_packet_error(io, &e);
            return;
        }
    };
    let LoggedIn {
        session,
        capabilities,
        scramble,
    } = logged_in;
    if io.socket().set_read_timeout(None).is_err() {
        return;
    }
    *session_out = Some(session);
    let Some(session) = session_out.as_mut() else {
        return;
    };
    let mut conn = Connection {
        ctx,
        capabilities,
        scramble,
        login_variables: session.variables.clone(),
    };
    let generation = ctx.handler.generation();
    loop {
        io.reset_sequence();
        let payload = match io.read_packet() {
            Ok(p) => p,
            Err(e) => {
                refuse_packet_error(io, &e);
                return;
            }
        };
        if ctx.handler.generation() != generation {
            // The frontend restarted since this connection logged in: it is gone.
            let _ = io.socket().shutdown(Shutdown::Both);
            return;
        }
        let next = match conn.dispatch(io, session, &payload) {
            Ok(n) => n,
            Err(_) => return,
        };
        // Simulated network latency: the answer waits before it leaves (one wait per command,
        // however many statements it held).
        let delay = ctx.handler.answer_delay();
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        if io.flush().is_err() {
            return;
        }
        if matches!(next, Next::Close) || session.close_after {
            let _ = io.socket().shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Answers an oversized packet with 1153 before closing; other read failures just close.
fn refuse_packet_error(io: &mut PacketStream, e: &PacketError) {
    if let PacketError::TooLarge { .. } = e {
        if io.write_packet(&err_packet(&packet_too_large())).is_ok() && io.flush().is_ok() {
            let _ = io.socket().shutdown(Shutdown::Write);
            // Let a client that is still sending the oversized packet finish, so that it
            // reads the error instead of a reset.
            io.drain(256 << 20, Duration::from_secs(2));
        }
    }
}

struct Connection<'a> {
    ctx: &'a ConnectionContext,
    capabilities: u32,
    scramble: [u8; 20],
    login_variables: std::collections::BTreeMap<String, String>,
}

impl Connection<'_> {
    fn terminator(&self) -> Terminator {
        if self.capabilities & cap::DEPRECATE_EOF != 0 {
            Terminator::Ok
        } else {
            Terminator::Eof
        }
    }

    fn dispatch(
        &mut self,
        io: &mut PacketStream,
        session: &mut Session,
        payload: &[u8],
    ) -> std::io::Result<Next> {
        let Some((&code, body)) = payload.split_first() else {
            return Ok(Next::Close);
        };
        let handler = self.ctx.handler.as_ref();
        match code {
            com::QUERY => {
                let end = body.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                let sql = lossy(&body[..end]);
                session.statements += 1;
                let outcomes = handler.query(session, &sql);
                if session.close_before_answer {
                    return Ok(Next::Close);
                }
                write_outcomes(io, &outcomes, self.terminator())?;
            }
            com::INIT_DB => {
                let db = lossy(body);
                match handler.init_db(session, &db) {
                    Ok(_) => io.write_packet(&ok_packet(0, 0, 0, 0, ""))?,
                    Err(e) => io.write_packet(&err_packet(&e))?,
                }
            }
            com::PING => io.write_packet(&ok_packet(0, 0, 0, 0, ""))?,
            com::QUIT => {
                let _ = io.write_packet(&ok_packet(0, 0, 0, 0, ""));
                return Ok(Next::Close);
            }
            com::RESET_CONNECTION => {
                session.variables = self.login_variables.clone();
                io.write_packet(&ok_packet(0, 0, 0, 0, ""))?;
            }
            com::CHANGE_USER => self.change_user(io, session, body)?,
            com::FIELD_LIST => self.field_list(io, session, body)?,
            com::STMT_PREPARE | com::STMT_EXECUTE | com::STMT_RESET => {
                io.write_packet(&err_packet(&prepared_statements_unsupported()))?
            }
            com::STMT_CLOSE | com::STMT_SEND_LONG_DATA => {}
            other => {
                let e = match com::starrocks_name(other) {
                    Some(name) => SqlError::generic(format!("Unsupported command({name})")),
                    None => SqlError::new(1047, "08S01", "Unknown command(null)"),
                };
                io.write_packet(&err_packet(&e))?;
            }
        }
        Ok(Next::Continue)
    }

    /// COM_FIELD_LIST: the table's columns (each with an empty default value), then EOF.
    fn field_list(
        &self,
        io: &mut PacketStream,
        session: &mut Session,
        body: &[u8],
    ) -> std::io::Result<()> {
        let table = lossy(Reader::new(body).null_terminated_or_rest());
        if table.is_empty() {
            return io.write_packet(&err_packet(&SqlError::generic("Empty tableName")));
        }
        match self.ctx.handler.field_list(session, &table) {
            Ok(columns) => {
                let schema = session.current_db.clone().unwrap_or_default();
                for c in &columns {
                    io.write_packet(&column_definition(c, &schema, &table, true))?;
                }
                io.write_packet(&end_packet(self.terminator(), 0))
            }
            Err(e) => io.write_packet(&err_packet(&e)),
        }
    }

    /// COM_CHANGE_USER: authenticate again against this connection's scramble; on success
    /// the session variables are reset and the database changes if one is named. On failure
    /// the client gets the error and keeps its previous identity (StarRocks
    /// `MysqlProto.changeUser`).
    fn change_user(
        &mut self,
        io: &mut PacketStream,
        session: &mut Session,
        body: &[u8],
    ) -> std::io::Result<()> {
        let mut r = Reader::new(body);
        let parsed = (|| {
            let user = lossy(r.null_terminated()?);
            let n = usize::from(r.u8()?);
            let auth = r.bytes(n)?.to_vec();
            let db = lossy(r.null_terminated_or_rest());
            let mut plugin = NATIVE_PASSWORD.to_string();
            if r.u16().is_some() && !r.is_empty() {
                let p = lossy(r.null_terminated_or_rest());
                if !p.is_empty() {
                    plugin = p;
                }
            }
            Some((user, auth, db, plugin))
        })();
        let Some((user, auth, db, plugin)) = parsed else {
            return io.write_packet(&err_packet(&super::handshake::not_supported_auth_mode()));
        };
        if let Err(e) = authenticate(&self.ctx.users, &user, &plugin, &self.scramble, &auth) {
            return io.write_packet(&err_packet(&e));
        }
        let mut next = Session {
            connection_id: session.connection_id,
            user,
            current_db: session.current_db.clone(),
            variables: self.login_variables.clone(),
            statements: session.statements,
            ..Session::default()
        };
        if !db.is_empty() {
            if let Err(e) = self.ctx.handler.init_db(&mut next, &db) {
                return io.write_packet(&err_packet(&e));
            }
        }
        *session = next;
        io.write_packet(&ok_packet(0, 0, 0, 0, ""))
    }
}
