//! The wire protocol seen through the real `mysql` crate: login, errors, multi-statement
//! results, NULLs, big results and big queries, COM_PING / COM_INIT_DB /
//! COM_RESET_CONNECTION / COM_CHANGE_USER, prepared statements refused, concurrency, and
//! the server's fault-injection and stop controls.
//!
//! The engine is not used here: a small scripted handler answers a few made-up statements.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mysql::prelude::Queryable;
use mysql::{Conn, Error, OptsBuilder, Row};
use starsnap_simulator::{
    Column, ColumnType, Handler, Outcome, Response, Server, Session, SimConfig, SqlError, User,
    VersionProfile,
};

/// Answers a made-up language; statements are separated by `;`.
///
/// `rows N` (id, name, note; note NULL on every third row) · `nulls` · `affected N` ·
/// `echo TEXT` (its length) · `set K V` · `get K` · `db` · `conn_id` · `count` · `fail` ·
/// `panic` · `close_after` · `lost N` (sets variable `lost` to N, then the answer is lost) ·
/// the two variables the `mysql` crate asks for at connect.
#[derive(Default)]
struct Scripted {
    seen: Mutex<Vec<String>>,
    disconnects: AtomicUsize,
}

fn one(name: &str, kind: ColumnType, value: Option<String>) -> Outcome {
    Ok(Response::ResultSet {
        columns: vec![Column::typed(name, kind)],
        rows: vec![vec![value]],
    })
}

impl Scripted {
    fn statement(&self, session: &mut Session, stmt: &str) -> Outcome {
        let (word, arg) = stmt.split_once(' ').unwrap_or((stmt, ""));
        match word.to_ascii_lowercase().as_str() {
            "select" if arg == "@@socket" => Err(SqlError::new(
                1193,
                "HY000",
                "Unknown system variable 'socket'",
            )),
            "select" if arg == "@@max_allowed_packet" => one(
                "@@max_allowed_packet",
                ColumnType::LongLong,
                Some("33554432".into()),
            ),
            "rows" => {
                let n: u64 = arg.parse().map_err(|_| SqlError::generic("bad count"))?;
                Ok(Response::ResultSet {
                    columns: vec![
                        Column::typed("id", ColumnType::LongLong),
                        Column::varchar("name"),
                        Column::varchar("note"),
                    ],
                    rows: (0..n)
                        .map(|i| {
                            vec![
                                Some(i.to_string()),
                                Some(format!("row-{i}")),
                                (i % 3 != 0).then(|| "x".to_string()),
                            ]
                        })
                        .collect(),
                })
            }
            "nulls" => Ok(Response::ResultSet {
                columns: vec![Column::varchar("a"), Column::varchar("b")],
                rows: vec![
                    vec![None, Some(String::new())],
                    vec![Some("v".into()), None],
                ],
            }),
            "affected" => Ok(Response::Ok {
                affected_rows: arg.parse().unwrap_or(0),
                last_insert_id: 0,
                warnings: 0,
                info: "done".into(),
            }),
            "echo" => one("len", ColumnType::LongLong, Some(arg.len().to_string())),
            "set" => {
                let (k, v) = arg.split_once(' ').unwrap_or((arg, ""));
                session.variables.insert(k.into(), v.into());
                Ok(Response::ok())
            }
            "get" => one(
                "v",
                ColumnType::VarString,
                session.variables.get(arg).cloned(),
            ),
            "db" => one("db", ColumnType::VarString, session.current_db.clone()),
            "conn_id" => one(
                "id",
                ColumnType::Long,
                Some(session.connection_id.to_string()),
            ),
            "count" => one(
                "n",
                ColumnType::LongLong,
                Some(session.statements.to_string()),
            ),
            "panic" => panic!("scripted panic"),
            "lost" => {
                session.variables.insert("lost".into(), arg.into());
                session.close_before_answer = true;
                Ok(Response::ok())
            }
            "close_after" => {
                session.close_after = true;
                Ok(Response::ok())
            }
            _ => Err(SqlError::generic(format!(
                "Getting syntax error. Detail message: {stmt}."
            ))),
        }
    }
}

impl Handler for Scripted {
    fn query(&self, session: &mut Session, sql: &str) -> Vec<Outcome> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(sql.to_string());
        }
        let mut out = Vec::new();
        for stmt in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let r = self.statement(session, stmt);
            let failed = r.is_err();
            out.push(r);
            if failed {
                break;
            }
        }
        out
    }

    fn init_db(&self, session: &mut Session, db: &str) -> Outcome {
        if db == "missing" {
            return Err(SqlError::new(
                5501,
                "3F000",
                format!("Unknown database '{db}'"),
            ));
        }
        session.current_db = Some(db.to_string());
        Ok(Response::ok())
    }

    fn disconnect(&self, _session: &Session) {
        self.disconnects.fetch_add(1, Ordering::SeqCst);
    }
}

fn config() -> SimConfig {
    SimConfig {
        users: vec![
            User {
                name: "root".into(),
                password: String::new(),
            },
            User {
                name: "bob".into(),
                password: "secret".into(),
            },
        ],
        ..SimConfig::default()
    }
}

fn start_with(cfg: SimConfig) -> (Server, Arc<Scripted>) {
    let handler = Arc::new(Scripted::default());
    let server = Server::start(&cfg, handler.clone()).expect("server starts");
    (server, handler)
}

fn start() -> (Server, Arc<Scripted>) {
    start_with(config())
}

fn opts(port: u16, user: &str, pass: &str) -> OptsBuilder {
    OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(port)
        .user(Some(user))
        .pass(Some(pass))
        .prefer_socket(false)
}

fn connect(server: &Server) -> Conn {
    Conn::new(opts(server.port(), "root", "")).expect("connect as root")
}

fn server_error(e: Error) -> (u16, String, String) {
    match e {
        Error::MySqlError(e) => (e.code, e.state, e.message),
        other => panic!("expected a server error, got {other:?}"),
    }
}

#[test]
fn login_with_password_reports_version_and_distinct_connection_ids() {
    let (server, _) = start();
    let mut a = Conn::new(opts(server.port(), "bob", "secret")).expect("bob logs in");
    let mut b = connect(&server);
    assert_eq!(a.server_version(), (8, 0, 33));
    assert_ne!(a.connection_id(), b.connection_id());
    let id: Option<u32> = a.query_first("conn_id").expect("query");
    assert_eq!(id, Some(a.connection_id()));
    let id: Option<u32> = b.query_first("conn_id").expect("query");
    assert_eq!(id, Some(b.connection_id()));
}

#[test]
fn version_3_3_says_5_1_0_in_the_handshake() {
    let (server, _) = start_with(SimConfig {
        version: VersionProfile::V3_3,
        ..config()
    });
    assert_eq!(connect(&server).server_version(), (5, 1, 0));
}

#[test]
fn wrong_password_unknown_user_and_missing_password_are_1045() {
    let (server, _) = start();
    let cases = [
        (
            "bob",
            "nope",
            "Access denied for user 'bob' (using password: YES)",
        ),
        (
            "bob",
            "",
            "Access denied for user 'bob' (using password: NO)",
        ),
        (
            "mallory",
            "x",
            "Access denied for user 'mallory' (using password: YES)",
        ),
        (
            "root",
            "x",
            "Access denied for user 'root' (using password: YES)",
        ),
    ];
    for (user, pass, text) in cases {
        let e = Conn::new(opts(server.port(), user, pass)).expect_err(user);
        assert_eq!(server_error(e), (1045, "28000".into(), text.into()));
    }
    // The server is still serving.
    connect(&server).ping().expect("ping");
}

#[test]
fn default_connect_asks_for_socket_and_fails_while_prefer_socket_false_works() {
    let (server, handler) = start();
    let default_opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(server.port())
        .user(Some("root"));
    let e = Conn::new(default_opts).expect_err("SELECT @@socket fails the default connect");
    let (code, state, message) = server_error(e);
    assert_eq!((code, state.as_str()), (1193, "HY000"));
    assert!(
        message.starts_with("Unknown system variable 'socket'"),
        "{message}"
    );
    assert!(handler
        .seen
        .lock()
        .expect("lock")
        .iter()
        .any(|q| q == "SELECT @@socket"));

    handler.seen.lock().expect("lock").clear();
    connect(&server)
        .ping()
        .expect("prefer_socket(false) connects");
    let seen = handler.seen.lock().expect("lock").clone();
    assert_eq!(seen, vec!["SELECT @@max_allowed_packet".to_string()]);
}

#[test]
fn multi_statement_strings_give_one_result_per_statement() {
    let (server, _) = start();
    let mut conn = connect(&server);
    let mut result = conn.query_iter("rows 2; affected 3; nulls").expect("query");
    let mut sets = Vec::new();
    while let Some(set) = result.iter() {
        let affected = set.affected_rows();
        let rows: Vec<Row> = set.collect::<Result<_, _>>().expect("rows");
        sets.push((rows.len(), affected));
    }
    drop(result);
    assert_eq!(sets, vec![(2, 0), (0, 3), (2, 0)]);
    assert_eq!(conn.info_str(), "");
    conn.query_drop("affected 5").expect("ok packet");
    assert_eq!(
        (conn.affected_rows(), conn.info_str().into_owned()),
        (5, "done".to_string())
    );
}

#[test]
fn an_error_ends_a_multi_statement_answer_and_the_connection_goes_on() {
    let (server, _) = start();
    let mut conn = connect(&server);
    let mut rows = 0;
    let mut error = None;
    let mut result = conn
        .query_iter("rows 1; bogus; rows 1")
        .expect("first result");
    while let Some(set) = result.iter() {
        for row in set {
            match row {
                Ok(_) => rows += 1,
                Err(e) => error = Some(e),
            }
        }
        if error.is_some() {
            break;
        }
    }
    drop(result);
    let (code, _, message) = server_error(error.expect("the second statement failed"));
    assert_eq!(code, 1064);
    assert!(message.contains("bogus"), "{message}");
    assert_eq!(rows, 1, "nothing after the error is sent");
    let n: Option<u64> = conn.query_first("echo abc").expect("connection usable");
    assert_eq!(n, Some(3));
}

#[test]
fn null_cells_arrive_as_null_and_empty_strings_stay_empty() {
    let (server, _) = start();
    let mut conn = connect(&server);
    let rows: Vec<(Option<String>, Option<String>)> = conn.query("nulls").expect("query");
    assert_eq!(
        rows,
        vec![(None, Some(String::new())), (Some("v".into()), None)]
    );
}

#[test]
fn a_hundred_thousand_rows_arrive_in_order() {
    let (server, _) = start();
    let mut conn = connect(&server);
    let mut n = 0u64;
    let mut nulls = 0u64;
    conn.query_map(
        "rows 100000",
        |(id, _name, note): (u64, String, Option<String>)| {
            assert_eq!(id, n);
            n += 1;
            if note.is_none() {
                nulls += 1;
            }
        },
    )
    .expect("query");
    assert_eq!((n, nulls), (100_000, 33_334));
}

#[test]
fn a_20_mb_query_spans_several_packets() {
    let (server, _) = start();
    let mut conn = connect(&server);
    let text = "y".repeat(20 << 20);
    let n: Option<u64> = conn.query_first(format!("echo {text}")).expect("query");
    assert_eq!(n, Some(20 << 20));
    // One COM_QUERY each: the crate's `SELECT @@max_allowed_packet`, the echo, this count.
    let n: Option<u64> = conn.query_first("count").expect("count");
    assert_eq!(n, Some(3));
}

#[test]
fn an_oversized_packet_is_refused_with_1153_and_the_server_keeps_serving() {
    let (server, handler) = start_with(SimConfig {
        max_allowed_packet: 1 << 20,
        ..config()
    });
    let mut conn = Conn::new(opts(server.port(), "root", "").max_allowed_packet(Some(64 << 20)))
        .expect("connect");
    let e = conn
        .query_drop(format!("echo {}", "z".repeat(3 << 20)))
        .expect_err("too big");
    let (code, state, message) = server_error(e);
    assert_eq!((code, state.as_str()), (1153, "08S01"));
    assert_eq!(
        message,
        "Got a packet bigger than 'max_allowed_packet' bytes"
    );
    assert!(conn.ping().is_err(), "the connection was closed");
    drop(conn);
    let mut other = connect(&server);
    let n: Option<u64> = other.query_first("echo 12345").expect("still serving");
    assert_eq!(n, Some(5));
    // The refused connection's thread ends (and reports) once the client has gone.
    assert!(eventually(
        || handler.disconnects.load(Ordering::SeqCst) == 1
    ));
}

/// Polls `cond` for up to ten seconds.
fn eventually(cond: impl Fn() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    cond()
}

#[test]
fn ping_init_db_and_reset_connection() {
    let (server, _) = start();
    let mut conn =
        Conn::new(opts(server.port(), "root", "").db_name(Some("sales"))).expect("connect with db");
    conn.ping().expect("ping");
    let db: Option<Option<String>> = conn.query_first("db").expect("db");
    assert_eq!(db, Some(Some("sales".into())));
    conn.select_db("ops").expect("COM_INIT_DB");
    let db: Option<Option<String>> = conn.query_first("db").expect("db");
    assert_eq!(db, Some(Some("ops".into())));
    let e = conn.select_db("missing").expect_err("unknown db");
    assert_eq!(server_error(e).0, 5501);

    conn.query_drop("set k v").expect("set");
    let v: Option<Option<String>> = conn.query_first("get k").expect("get");
    assert_eq!(v, Some(Some("v".into())));
    conn.reset().expect("COM_RESET_CONNECTION");
    let v: Option<Option<String>> = conn.query_first("get k").expect("get");
    assert_eq!(v, Some(None), "variables back to the login state");
    let db: Option<Option<String>> = conn.query_first("db").expect("db");
    assert_eq!(
        db,
        Some(Some("ops".into())),
        "the database is kept, as StarRocks does"
    );

    let e =
        Conn::new(opts(server.port(), "root", "").db_name(Some("missing"))).expect_err("bad db");
    assert_eq!(server_error(e).0, 5501);
}

#[test]
fn version_3_3_resets_with_change_user() {
    let (server, _) = start_with(SimConfig {
        version: VersionProfile::V3_3,
        ..config()
    });
    let mut conn = Conn::new(opts(server.port(), "bob", "secret")).expect("connect");
    conn.query_drop("set k v").expect("set");
    conn.reset().expect("COM_CHANGE_USER on a 5.1.0 server");
    let v: Option<Option<String>> = conn.query_first("get k").expect("get");
    assert_eq!(v, Some(None));
    conn.ping().expect("still logged in");
}

#[test]
fn prepared_statements_are_refused_with_1295() {
    let (server, _) = start();
    let mut conn = connect(&server);
    let e = conn.exec_drop("rows 1", ()).expect_err("prepare refused");
    assert_eq!(
        server_error(e),
        (
            1295,
            "HY000".into(),
            "This command is not supported in the prepared statement protocol yet".into()
        )
    );
    conn.ping().expect("connection still usable");
}

#[test]
fn many_concurrent_connections_each_get_their_own_answers() {
    let (server, handler) = start();
    let port = server.port();
    let threads: Vec<_> = (0..32)
        .map(|i| {
            std::thread::spawn(move || {
                let mut conn = Conn::new(opts(port, "bob", "secret")).expect("connect");
                for _ in 0..20 {
                    let n: Option<u64> = conn
                        .query_first(format!("echo {}", "a".repeat(i)))
                        .expect("echo");
                    assert_eq!(n, Some(i as u64));
                }
                conn.connection_id()
            })
        })
        .collect();
    let mut ids: Vec<u32> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 32);
    drop(server);
    assert_eq!(handler.disconnects.load(Ordering::SeqCst), 32);
}

#[test]
fn a_panicking_handler_loses_only_its_own_connection() {
    let (server, handler) = start();
    let mut bystander = connect(&server);
    let mut victim = connect(&server);
    assert!(victim.query_drop("panic").is_err());
    assert!(victim.ping().is_err());
    bystander.ping().expect("bystander unaffected");
    connect(&server).ping().expect("new connections accepted");
    drop(victim);
    drop(bystander);
    drop(server);
    assert_eq!(handler.disconnects.load(Ordering::SeqCst), 3);
}

#[test]
fn close_after_answers_then_drops_the_connection() {
    let (server, _) = start();
    let mut conn = connect(&server);
    conn.query_drop("close_after").expect("answered first");
    assert!(conn.query_drop("echo x").is_err(), "then dropped");
    connect(&server).ping().expect("server still serving");
}

#[test]
fn drop_connections_closes_every_client_but_keeps_accepting() {
    let (server, _) = start();
    let mut a = connect(&server);
    let mut b = connect(&server);
    assert_eq!(server.open_connections(), 2);
    server.drop_connections();
    assert!(a.ping().is_err());
    assert!(b.ping().is_err());
    connect(&server).ping().expect("still accepting");
}

#[test]
fn stop_closes_the_listener_and_open_connections() {
    let (mut server, _) = start();
    let port = server.port();
    let mut conn = connect(&server);
    server.stop();
    assert!(conn.ping().is_err());
    assert!(Conn::new(opts(port, "root", "")).is_err());
    server.stop();
}

#[test]
fn close_before_answer_runs_the_statement_but_the_client_never_hears_back() {
    let (server, handler) = start();
    let mut conn = connect(&server);
    assert!(
        conn.query_drop("lost 7").is_err(),
        "the answer never arrives"
    );
    drop(conn);
    connect(&server).ping().expect("server still serving");
    drop(server);
    // The handler ran the statement before the connection was dropped.
    let seen = handler.seen.lock().expect("lock").clone();
    assert!(seen.iter().any(|q| q == "lost 7"), "{seen:?}");
    assert_eq!(handler.disconnects.load(Ordering::SeqCst), 2);
}
