//! Connection phase: the Handshake v10 greeting, the client's HandshakeResponse41, the
//! AuthSwitchRequest for clients that propose another plugin, and the login check.
//!
//! StarRocks behaviour reproduced (`fe/.../mysql/MysqlProto.java` `negotiate`/`authenticate`,
//! `MysqlHandshakePacket.java`, `MysqlAuthPacket.java`):
//! * status flags 0 and charset 33 in the greeting; the version string is
//!   `Config.mysql_server_version` (`8.0.33`, `5.1.0` in 3.3);
//! * a response StarRocks cannot parse (no CLIENT_PROTOCOL_41, too short) gets
//!   1251 `08004` "Client does not support authentication protocol requested by server;
//!   consider upgrading MySQL client";
//! * a proposed plugin other than `mysql_native_password`/`mysql_clear_password` is switched
//!   to `mysql_native_password` with the same scramble;
//! * a failed login is 1045 `28000` `Access denied for user '<user>' (using password: YES|NO)`
//!   (`ErrorCode.ERR_AUTHENTICATION_FAIL`: StarRocks names the user without the host);
//! * the database of CONNECT_WITH_DB is entered before the final OK; if that fails the client
//!   gets the error and the connection ends.

use super::auth::{new_scramble, verify_native_password, SCRAMBLE_LEN};
use super::capability as cap;
use super::codec::{put_null_terminated, Reader};
use super::packet::{PacketError, PacketStream};
use super::results::{err_packet, ok_packet};
use super::{CLEAR_PASSWORD, NATIVE_PASSWORD};
use crate::config::User;
use crate::response::{Handler, Session, SqlError};

/// The greeting the server sends first.
pub fn greeting(
    server_version: &str,
    connection_id: u32,
    scramble: &[u8; SCRAMBLE_LEN],
) -> Vec<u8> {
    let flags = cap::SERVER;
    let mut p = Vec::with_capacity(96);
    p.push(10);
    put_null_terminated(&mut p, server_version.as_bytes());
    p.extend_from_slice(&connection_id.to_le_bytes());
    p.extend_from_slice(&scramble[..8]);
    p.push(0);
    p.extend_from_slice(&((flags & 0xFFFF) as u16).to_le_bytes());
    p.push(33);
    p.extend_from_slice(&0u16.to_le_bytes());
    p.extend_from_slice(&((flags >> 16) as u16).to_le_bytes());
    p.push((SCRAMBLE_LEN + 1) as u8);
    p.extend_from_slice(&[0; 10]);
    p.extend_from_slice(&scramble[8..]);
    p.push(0);
    put_null_terminated(&mut p, NATIVE_PASSWORD.as_bytes());
    p
}

/// The parts of a HandshakeResponse41 the server uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeResponse {
    /// What the client asked for (not yet intersected with the server's flags).
    pub capabilities: u32,
    pub user: String,
    pub auth_response: Vec<u8>,
    pub database: Option<String>,
    pub plugin: Option<String>,
}

/// Why a handshake response was refused before authentication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseError {
    /// Not protocol 4.1, or cut short.
    Unsupported,
    /// An SSLRequest: the simulator offers no TLS.
    SslRequested,
}

/// Parses a HandshakeResponse41.
pub fn parse_handshake_response(payload: &[u8]) -> Result<HandshakeResponse, ResponseError> {
    let mut r = Reader::new(payload);
    let caps = r.u32().ok_or(ResponseError::Unsupported)?;
    if caps & cap::PROTOCOL_41 == 0 {
        return Err(ResponseError::Unsupported);
    }
    // max packet size (4), charset (1), filler (23)
    r.bytes(28).ok_or(ResponseError::Unsupported)?;
    if caps & cap::SSL != 0 {
        return Err(ResponseError::SslRequested);
    }
    let user = r.null_terminated().ok_or(ResponseError::Unsupported)?;
    let auth = if caps & cap::PLUGIN_AUTH_LENENC_CLIENT_DATA != 0 {
        r.lenenc_bytes().ok_or(ResponseError::Unsupported)?
    } else if caps & cap::SECURE_CONNECTION != 0 {
        let n = r.u8().ok_or(ResponseError::Unsupported)?;
        r.bytes(usize::from(n)).ok_or(ResponseError::Unsupported)?
    } else {
        r.null_terminated_or_rest()
    };
    let database = if caps & cap::CONNECT_WITH_DB != 0 && !r.is_empty() {
        Some(lossy(r.null_terminated_or_rest()))
    } else {
        None
    };
    let plugin = if caps & cap::PLUGIN_AUTH != 0 && !r.is_empty() {
        Some(lossy(r.null_terminated_or_rest()))
    } else {
        None
    };
    Ok(HandshakeResponse {
        capabilities: caps,
        user: lossy(user),
        auth_response: auth.to_vec(),
        database: database.filter(|d| !d.is_empty()),
        plugin: plugin.filter(|p| !p.is_empty()),
    })
}

pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// 1251 / 08004, what StarRocks answers a handshake response it cannot read.
pub fn not_supported_auth_mode() -> SqlError {
    SqlError::new(
        1251,
        "08004",
        "Client does not support authentication protocol requested by server; consider upgrading MySQL client",
    )
}

/// 1045 / 28000 with StarRocks's text.
pub fn access_denied(user: &str, used_password: bool) -> SqlError {
    SqlError::new(
        1045,
        "28000",
        format!(
            "Access denied for user '{user}' (using password: {})",
            if used_password { "YES" } else { "NO" }
        ),
    )
}

/// Checks `response` for `user` under `scramble`; `plugin` is the plugin the response was
/// made with (`mysql_clear_password` sends the password itself).
pub fn authenticate(
    users: &[User],
    user: &str,
    plugin: &str,
    scramble: &[u8],
    response: &[u8],
) -> Result<(), SqlError> {
    let denied = || access_denied(user, !response.is_empty());
    if user.is_empty() {
        return Err(denied());
    }
    let known = users.iter().find(|u| u.name == user).ok_or_else(denied)?;
    let ok = if plugin == CLEAR_PASSWORD {
        let clear = response.strip_suffix(&[0]).unwrap_or(response);
        clear == known.password.as_bytes()
    } else {
        verify_native_password(known.password.as_bytes(), scramble, response)
    };
    if ok {
        Ok(())
    } else {
        Err(denied())
    }
}

/// A logged-in connection.
#[derive(Debug)]
pub struct LoggedIn {
    pub session: Session,
    /// Capabilities in force: what the client asked, limited to what the server offers.
    pub capabilities: u32,
    /// The scramble of this connection (COM_CHANGE_USER authenticates against it again).
    pub scramble: [u8; SCRAMBLE_LEN],
}

/// Runs the connection phase. `Ok(None)`: the client was refused (it got an ERR packet) and
/// the connection should end.
pub fn login(
    io: &mut PacketStream,
    server_version: &str,
    users: &[User],
    handler: &dyn Handler,
    connection_id: u32,
) -> Result<Option<LoggedIn>, PacketError> {
    let scramble = new_scramble(connection_id);
    io.reset_sequence();
    io.write_packet(&greeting(server_version, connection_id, &scramble))?;
    io.flush()?;
    let payload = io.read_packet()?;
    let resp = match parse_handshake_response(&payload) {
        Ok(r) => r,
        Err(_) => {
            io.write_packet(&err_packet(&not_supported_auth_mode()))?;
            io.flush()?;
            return Ok(None);
        }
    };
    let mut plugin = resp
        .plugin
        .clone()
        .unwrap_or_else(|| NATIVE_PASSWORD.to_string());
    let mut auth_response = resp.auth_response.clone();
    if plugin != NATIVE_PASSWORD && plugin != CLEAR_PASSWORD {
        let mut p = vec![0xFE];
        put_null_terminated(&mut p, NATIVE_PASSWORD.as_bytes());
        p.extend_from_slice(&scramble);
        p.push(0);
        io.write_packet(&p)?;
        io.flush()?;
        auth_response = io.read_packet()?;
        plugin = NATIVE_PASSWORD.to_string();
    }
    if let Err(e) = authenticate(users, &resp.user, &plugin, &scramble, &auth_response) {
        io.write_packet(&err_packet(&e))?;
        io.flush()?;
        return Ok(None);
    }
    let mut session = Session {
        connection_id,
        user: resp.user.clone(),
        ..Session::default()
    };
    if let Some(db) = &resp.database {
        if let Err(e) = handler.init_db(&mut session, db) {
            io.write_packet(&err_packet(&e))?;
            io.flush()?;
            return Ok(None);
        }
    }
    io.write_packet(&ok_packet(0, 0, 0, 0, ""))?;
    io.flush()?;
    Ok(Some(LoggedIn {
        session,
        capabilities: resp.capabilities & cap::SERVER,
        scramble,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::auth::native_password_response;

    fn response(
        caps: u32,
        user: &str,
        auth: &[u8],
        db: Option<&str>,
        plugin: Option<&str>,
    ) -> Vec<u8> {
        let mut p = caps.to_le_bytes().to_vec();
        p.extend_from_slice(&(16u32 << 20).to_le_bytes());
        p.push(45);
        p.extend_from_slice(&[0; 23]);
        put_null_terminated(&mut p, user.as_bytes());
        p.push(auth.len() as u8);
        p.extend_from_slice(auth);
        if let Some(db) = db {
            put_null_terminated(&mut p, db.as_bytes());
        }
        if let Some(pl) = plugin {
            put_null_terminated(&mut p, pl.as_bytes());
        }
        p
    }

    #[test]
    fn greeting_carries_version_id_and_the_whole_scramble() {
        let s = *b"ABCDEFGHIJKLMNOPQRST";
        let g = greeting("8.0.33", 42, &s);
        assert_eq!(&g[..8], b"\x0a8.0.33\0");
        assert_eq!(&g[8..12], &42u32.to_le_bytes());
        assert_eq!(&g[12..20], b"ABCDEFGH");
        assert!(g.ends_with(b"IJKLMNOPQRST\0mysql_native_password\0"));
    }

    #[test]
    fn parses_a_response_with_database_and_plugin() {
        let caps =
            cap::PROTOCOL_41 | cap::SECURE_CONNECTION | cap::CONNECT_WITH_DB | cap::PLUGIN_AUTH;
        let r = parse_handshake_response(&response(
            caps,
            "root",
            b"xyz",
            Some("sales"),
            Some("caching_sha2_password"),
        ))
        .expect("parse");
        assert_eq!(r.user, "root");
        assert_eq!(r.auth_response, b"xyz");
        assert_eq!(r.database.as_deref(), Some("sales"));
        assert_eq!(r.plugin.as_deref(), Some("caching_sha2_password"));
    }

    #[test]
    fn refuses_old_protocol_ssl_and_truncation() {
        let p = response(cap::SECURE_CONNECTION, "root", b"", None, None);
        assert_eq!(
            parse_handshake_response(&p),
            Err(ResponseError::Unsupported)
        );
        let p = response(cap::PROTOCOL_41 | cap::SSL, "root", b"", None, None);
        assert_eq!(
            parse_handshake_response(&p[..32]),
            Err(ResponseError::SslRequested)
        );
        let p = response(
            cap::PROTOCOL_41 | cap::SECURE_CONNECTION,
            "root",
            b"abc",
            None,
            None,
        );
        for n in 0..p.len() - 3 {
            assert!(parse_handshake_response(&p[..n]).is_err(), "prefix {n}");
        }
    }

    #[test]
    fn access_denied_names_the_user_as_starrocks_does() {
        let users = vec![User {
            name: "bob".into(),
            password: "pw".into(),
        }];
        let s = new_scramble(1);
        let good = native_password_response(b"pw", &s);
        assert!(authenticate(&users, "bob", NATIVE_PASSWORD, &s, &good).is_ok());
        let e = authenticate(&users, "bob", NATIVE_PASSWORD, &s, b"").expect_err("no password");
        assert_eq!((e.code, e.sqlstate.as_str()), (1045, "28000"));
        assert_eq!(
            e.message,
            "Access denied for user 'bob' (using password: NO)"
        );
        let e = authenticate(&users, "eve", NATIVE_PASSWORD, &s, &good).expect_err("unknown");
        assert_eq!(
            e.message,
            "Access denied for user 'eve' (using password: YES)"
        );
        assert!(authenticate(&users, "bob", CLEAR_PASSWORD, &s, b"pw\0").is_ok());
    }
}
