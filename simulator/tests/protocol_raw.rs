//! The wire protocol at the byte level, with a hand-written client: malformed and hostile
//! input (truncated headers, bad sequence ids, garbage, empty and oversized packets,
//! unknown commands), the auth switch, COM_FIELD_LIST, both result-set terminators, and a
//! client that disconnects in the middle of a large result. After each fault the server
//! must still serve a fresh connection.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use starsnap_simulator::protocol::auth::native_password_response;
use starsnap_simulator::protocol::capability as cap;
use starsnap_simulator::{
    Column, ColumnType, Handler, Outcome, Response, Server, Session, SimConfig, SqlError, User,
};

/// `rows N` gives N rows of one BIGINT and one VARCHAR column; anything else is an error.
#[derive(Default)]
struct Rows {
    disconnects: AtomicUsize,
}

impl Handler for Rows {
    fn query(&self, _session: &mut Session, sql: &str) -> Vec<Outcome> {
        let Some(n) = sql
            .strip_prefix("rows ")
            .and_then(|n| n.parse::<u64>().ok())
        else {
            return vec![Err(SqlError::generic("no"))];
        };
        vec![Ok(Response::ResultSet {
            columns: vec![
                Column::typed("id", ColumnType::LongLong),
                Column::varchar("s"),
            ],
            rows: (0..n).map(|i| vec![Some(i.to_string()), None]).collect(),
        })]
    }

    fn init_db(&self, session: &mut Session, db: &str) -> Outcome {
        session.current_db = Some(db.into());
        Ok(Response::ok())
    }

    fn disconnect(&self, _session: &Session) {
        self.disconnects.fetch_add(1, Ordering::SeqCst);
    }
}

fn start_limited(max_allowed_packet: usize) -> (Server, Arc<Rows>) {
    let cfg = SimConfig {
        users: vec![User {
            name: "bob".into(),
            password: "secret".into(),
        }],
        max_allowed_packet,
        ..SimConfig::default()
    };
    let h = Arc::new(Rows::default());
    (Server::start(&cfg, h.clone()).expect("start"), h)
}

fn start() -> (Server, Arc<Rows>) {
    start_limited(32 << 20)
}

/// A raw client: framing by hand, no library.
struct Raw {
    s: TcpStream,
}

impl Raw {
    fn connect(server: &Server) -> Raw {
        let s = TcpStream::connect(server.addr()).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        Raw { s }
    }

    fn send(&mut self, seq: u8, payload: &[u8]) {
        let len = (payload.len() as u32).to_le_bytes();
        let mut p = vec![len[0], len[1], len[2], seq];
        p.extend_from_slice(payload);
        self.s.write_all(&p).expect("write");
    }

    /// One packet (sequence id, payload), or `None` when the server closed the socket.
    fn recv(&mut self) -> Option<(u8, Vec<u8>)> {
        let mut h = [0u8; 4];
        match self.s.read_exact(&mut h) {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset
                ) =>
            {
                return None
            }
            Err(e) => panic!("read: {e}"),
        }
        let len = usize::from(h[0]) | usize::from(h[1]) << 8 | usize::from(h[2]) << 16;
        let mut p = vec![0; len];
        self.s.read_exact(&mut p).expect("payload");
        Some((h[3], p))
    }

    fn expect_closed(&mut self) {
        assert_eq!(
            self.recv(),
            None,
            "the server should have closed the connection"
        );
    }

    /// Reads the greeting; returns its payload and the 20-byte scramble.
    fn greeting(&mut self) -> (Vec<u8>, Vec<u8>) {
        let (seq, g) = self.recv().expect("greeting");
        assert_eq!(seq, 0);
        let nul = g.iter().skip(1).position(|&b| b == 0).expect("version end") + 1;
        let mut scramble = g[nul + 5..nul + 13].to_vec();
        let rest = nul + 13 + 1 + 2 + 1 + 2 + 2 + 1 + 10;
        scramble.extend_from_slice(&g[rest..rest + 12]);
        (g, scramble)
    }

    fn login_with(&mut self, caps: u32, plugin: &str) -> Vec<u8> {
        let (_, scramble) = self.greeting();
        let auth = native_password_response(b"secret", &scramble);
        let mut p = caps.to_le_bytes().to_vec();
        p.extend_from_slice(&(1u32 << 24).to_le_bytes());
        p.push(33);
        p.extend_from_slice(&[0; 23]);
        p.extend_from_slice(b"bob\0");
        p.push(auth.len() as u8);
        p.extend_from_slice(&auth);
        p.extend_from_slice(plugin.as_bytes());
        p.push(0);
        self.send(1, &p);
        scramble
    }

    fn login(&mut self, caps: u32) {
        self.login_with(caps, "mysql_native_password");
        let (seq, ok) = self.recv().expect("login answer");
        assert_eq!((seq, ok[0]), (2, 0x00), "OK after login: {ok:?}");
    }

    fn command(&mut self, payload: &[u8]) -> Option<(u8, Vec<u8>)> {
        self.send(0, payload);
        self.recv()
    }
}

const CLIENT: u32 = cap::PROTOCOL_41 | cap::SECURE_CONNECTION | cap::PLUGIN_AUTH;

fn err_of(p: &[u8]) -> (u16, String, String) {
    assert_eq!(p[0], 0xFF, "ERR packet expected: {p:?}");
    (
        u16::from_le_bytes([p[1], p[2]]),
        String::from_utf8_lossy(&p[4..9]).into_owned(),
        String::from_utf8_lossy(&p[9..]).into_owned(),
    )
}

fn still_serving(server: &Server) {
    let mut c = Raw::connect(server);
    c.login(CLIENT);
    let (_, ok) = c.command(&[0x0E]).expect("ping answer");
    assert_eq!(ok[0], 0x00);
}

#[test]
fn greeting_is_handshake_v10_with_the_profile_version_and_no_ssl() {
    let (server, _) = start();
    let mut c = Raw::connect(&server);
    let (g, scramble) = c.greeting();
    assert_eq!(&g[..8], b"\x0a8.0.33\0");
    let caps = u32::from(u16::from_le_bytes([g[21], g[22]]))
        | u32::from(u16::from_le_bytes([g[26], g[27]])) << 16;
    assert_eq!(caps & cap::SSL, 0);
    assert_ne!(caps & cap::PROTOCOL_41, 0);
    assert_eq!(g[23], 33, "utf8 charset");
    assert_eq!(&g[24..26], &[0, 0], "StarRocks sends status 0");
    assert_eq!(scramble.len(), 20);
    assert!(g.ends_with(b"mysql_native_password\0"));
}

#[test]
fn a_proposed_caching_sha2_login_is_switched_to_native_password() {
    let (server, _) = start();
    let mut c = Raw::connect(&server);
    let scramble = c.login_with(CLIENT, "caching_sha2_password");
    let (seq, switch) = c.recv().expect("auth switch request");
    assert_eq!(seq, 2);
    let mut expected = b"\xfemysql_native_password\0".to_vec();
    expected.extend_from_slice(&scramble);
    expected.push(0);
    assert_eq!(switch, expected);
    c.send(3, &native_password_response(b"secret", &scramble));
    let (seq, ok) = c.recv().expect("OK");
    assert_eq!((seq, ok[0]), (4, 0x00));
}

#[test]
fn garbage_instead_of_a_handshake_response_is_refused_with_1251() {
    let (server, _) = start();
    let mut c = Raw::connect(&server);
    c.greeting();
    c.send(1, b"\x07garbage");
    let (_, p) = c.recv().expect("error");
    let (code, state, msg) = err_of(&p);
    assert_eq!((code, state.as_str()), (1251, "08004"));
    assert!(msg.starts_with("Client does not support authentication protocol"));
    c.expect_closed();
    still_serving(&server);
}

#[test]
fn an_ssl_request_is_refused() {
    let (server, _) = start();
    let mut c = Raw::connect(&server);
    c.greeting();
    let mut p = (CLIENT | cap::SSL).to_le_bytes().to_vec();
    p.extend_from_slice(&[0; 28]);
    c.send(1, &p);
    let (_, p) = c.recv().expect("error");
    assert_eq!(err_of(&p).0, 1251);
    c.expect_closed();
}

#[test]
fn truncated_header_bad_sequence_and_empty_packets_close_only_that_connection() {
    let (server, handler) = start();
    // Truncated header during login.
    let mut c = Raw::connect(&server);
    c.greeting();
    c.s.write_all(&[5, 0]).expect("write");
    c.s.shutdown(std::net::Shutdown::Write).expect("shutdown");
    c.expect_closed();
    // Bad sequence id after login.
    let mut c = Raw::connect(&server);
    c.login(CLIENT);
    c.send(7, &[0x0E]);
    c.expect_closed();
    // Empty command packet.
    let mut c = Raw::connect(&server);
    c.login(CLIENT);
    c.send(0, &[]);
    c.expect_closed();
    // Truncated payload after login.
    let mut c = Raw::connect(&server);
    c.login(CLIENT);
    c.s.write_all(&[100, 0, 0, 0, 3, b's']).expect("write");
    c.s.shutdown(std::net::Shutdown::Write).expect("shutdown");
    c.expect_closed();
    still_serving(&server);
    drop(server);
    assert_eq!(
        handler.disconnects.load(Ordering::SeqCst),
        4,
        "three logged-in faults + the check"
    );
}

#[test]
fn unknown_and_unsupported_commands_answer_like_starrocks_and_keep_the_connection() {
    let (server, _) = start();
    let mut c = Raw::connect(&server);
    c.login(CLIENT);
    let (seq, p) = c.command(&[0x63, 1, 2, 3]).expect("answer");
    assert_eq!(seq, 1);
    assert_eq!(
        err_of(&p),
        (1047, "08S01".into(), "Unknown command(null)".into())
    );
    let (_, p) = c.command(&[0x09]).expect("answer");
    assert_eq!(
        err_of(&p),
        (
            1064,
            "HY000".into(),
            "Unsupported command(Statistics)".into()
        )
    );
    let (_, p) = c.command(b"\x16rows 1").expect("answer");
    assert_eq!(err_of(&p).0, 1295);
    // COM_STMT_CLOSE has no answer: the next answer is the ping's.
    c.send(0, &[0x19, 1, 0, 0, 0]);
    let (seq, p) = c.command(&[0x0E]).expect("ping");
    assert_eq!((seq, p[0]), (1, 0x00));
    let (_, p) = c.command(b"\x03nonsense").expect("query error");
    assert_eq!(err_of(&p), (1064, "HY000".into(), "no".into()));
    let (_, p) = c.command(&[0x01]).expect("COM_QUIT is answered with OK");
    assert_eq!(p[0], 0x00);
    c.expect_closed();
}

#[test]
fn field_list_answers_as_starrocks_does_without_the_table() {
    let (server, _) = start();
    let mut c = Raw::connect(&server);
    c.login(CLIENT);
    let (_, p) = c.command(b"\x04t\0").expect("answer");
    assert_eq!(
        err_of(&p),
        (1064, "HY000".into(), "Unknown database(null)".into())
    );
    let (_, p) = c.command(b"\x02sales").expect("init db");
    assert_eq!(p[0], 0x00);
    let (_, p) = c.command(b"\x04t\0").expect("answer");
    assert_eq!(err_of(&p).2, "Unknown table(t)");
    let (_, p) = c.command(b"\x04\0").expect("answer");
    assert_eq!(err_of(&p).2, "Empty tableName");
}

/// Reads a whole text result set; returns the column-definition payloads, the row payloads
/// and the terminator.
fn read_result(c: &mut Raw, deprecate_eof: bool) -> (Vec<Vec<u8>>, Vec<Vec<u8>>, Vec<u8>) {
    let (_, count) = c.recv().expect("column count");
    let cols: Vec<Vec<u8>> = (0..count[0]).map(|_| c.recv().expect("coldef").1).collect();
    if !deprecate_eof {
        let (_, eof) = c.recv().expect("EOF after columns");
        assert_eq!(eof, vec![0xFE, 0, 0, 0, 0]);
    }
    let mut rows = Vec::new();
    loop {
        let (_, p) = c.recv().expect("row or end");
        if p[0] == 0xFE && p.len() < 9 {
            return (cols, rows, p);
        }
        rows.push(p);
    }
}

#[test]
fn result_sets_end_with_eof_or_ok_as_the_client_asked() {
    let (server, _) = start();
    let mut c = Raw::connect(&server);
    c.login(CLIENT);
    c.send(0, b"\x03rows 2");
    let (cols, rows, end) = read_result(&mut c, false);
    assert_eq!(end, vec![0xFE, 0, 0, 0, 0], "EOF: warnings, status");
    assert_eq!(rows, vec![b"\x010\xfb".to_vec(), b"\x011\xfb".to_vec()]);
    // BIGINT: binary charset 63, length 20, type 8; VARCHAR: 33, 90, 253; flags 0.
    assert!(cols[0].ends_with(&[0x0C, 63, 0, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0]));
    assert!(cols[1].ends_with(&[0x0C, 33, 0, 90, 0, 0, 0, 253, 0, 0, 0, 0, 0]));

    let mut c = Raw::connect(&server);
    c.login(CLIENT | cap::DEPRECATE_EOF);
    c.send(0, b"\x03rows 1");
    let (_, rows, end) = read_result(&mut c, true);
    assert_eq!(rows.len(), 1);
    assert_eq!(end, vec![0xFE, 0, 0, 0, 0, 0, 0], "OK with 0xFE header");
}

#[test]
fn an_oversized_packet_gets_1153_then_the_connection_closes() {
    let (server, _) = start_limited(1 << 20);
    let mut c = Raw::connect(&server);
    c.login(CLIENT);
    let mut big = vec![0x03];
    big.resize(2 << 20, b'x');
    c.s.write_all(&[0xFF, 0xFF, 0xFF, 0]).expect("header");
    c.s.write_all(&big[..0xFF_FFFF.min(big.len())])
        .expect("payload");
    let (_, p) = c.recv().expect("error");
    assert_eq!(
        err_of(&p),
        (
            1153,
            "08S01".into(),
            "Got a packet bigger than 'max_allowed_packet' bytes".into()
        )
    );
    c.expect_closed();
    still_serving(&server);
}

#[test]
fn a_client_leaving_in_the_middle_of_a_big_result_does_not_hurt_the_server() {
    let (server, handler) = start();
    for _ in 0..3 {
        let mut c = Raw::connect(&server);
        c.login(CLIENT);
        c.send(0, b"\x03rows 2000000");
        let mut first = [0u8; 4096];
        c.s.read_exact(&mut first).expect("some of the result");
        drop(c);
    }
    still_serving(&server);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while handler.disconnects.load(Ordering::SeqCst) < 4 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(handler.disconnects.load(Ordering::SeqCst), 4);
    assert_eq!(server.open_connections(), 0);
}

#[test]
fn stop_returns_while_clients_sit_in_the_handshake_or_idle() {
    let (mut server, handler) = start();
    let mut silent = Raw::connect(&server);
    silent.greeting();
    let mut idle = Raw::connect(&server);
    idle.login(CLIENT);
    let started = std::time::Instant::now();
    server.stop();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stop did not wait for clients"
    );
    silent.expect_closed();
    idle.expect_closed();
    assert_eq!(
        handler.disconnects.load(Ordering::SeqCst),
        1,
        "only the logged-in one"
    );
}
