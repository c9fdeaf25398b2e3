//! A real command-line client against the simulator: Debian's `mariadb` (package
//! `mariadb-client`) in batch mode. It is a different protocol implementation from the
//! `mysql` crate (libmariadb), so it catches what one client tolerates and another does not.
//!
//! The client must be installed; if it is missing these tests fail with a message saying
//! how to install it, rather than passing silently.

use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use starsnap_simulator::{
    Column, ColumnType, Handler, Outcome, Response, Server, Session, SimConfig, SqlError, User,
};

/// `rows N` · `db` · `who` · `@@version_comment` (what the client may ask at connect);
/// everything else is a syntax error. Records every COM_QUERY text.
#[derive(Default)]
struct Small {
    seen: Mutex<Vec<String>>,
}

fn cell(name: &str, value: Option<String>) -> Outcome {
    Ok(Response::ResultSet {
        columns: vec![Column::varchar(name)],
        rows: vec![vec![value]],
    })
}

impl Handler for Small {
    fn query(&self, session: &mut Session, sql: &str) -> Vec<Outcome> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(sql.to_string());
        }
        let sql = sql.trim().trim_end_matches(';');
        let answer = if let Some(n) = sql.strip_prefix("rows ") {
            let n: u64 = n.parse().unwrap_or(0);
            Ok(Response::ResultSet {
                columns: vec![
                    Column::typed("id", ColumnType::LongLong),
                    Column::varchar("note"),
                ],
                rows: (0..n)
                    .map(|i| vec![Some(i.to_string()), (i % 2 == 1).then(|| format!("n{i}"))])
                    .collect(),
            })
        } else if sql == "db" {
            cell("db", session.current_db.clone())
        } else if sql == "who" {
            cell("user", Some(session.user.clone()))
        } else if sql.eq_ignore_ascii_case("select @@version_comment limit 1") {
            cell("@@version_comment", Some("3.4.5-1207fa7".into()))
        } else {
            Err(SqlError::generic(format!(
                "Getting syntax error. Detail message: {sql}."
            )))
        };
        vec![answer]
    }

    fn init_db(&self, session: &mut Session, db: &str) -> Outcome {
        session.current_db = Some(db.to_string());
        Ok(Response::ok())
    }
}

fn start() -> (Server, Arc<Small>) {
    let cfg = SimConfig {
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
    };
    let h = Arc::new(Small::default());
    (Server::start(&cfg, h.clone()).expect("start"), h)
}

/// Runs `mariadb --no-defaults -h127.0.0.1 -P<port> --protocol=TCP --batch <args>`.
fn mariadb(server: &Server, args: &[&str]) -> Output {
    let port = format!("-P{}", server.port());
    let mut cmd = Command::new("mariadb");
    cmd.args([
        "--no-defaults",
        "-h127.0.0.1",
        &port,
        "--protocol=TCP",
        "--batch",
    ])
    .args(args);
    match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "the `mariadb` command-line client is not installed; these tests need it \
             (Debian/Ubuntu: `apt-get install -y mariadb-client`)"
        ),
        Err(e) => panic!("could not run mariadb: {e}"),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn batch_mode_prints_rows_with_null() {
    let (server, _) = start();
    let out = mariadb(&server, &["-uroot", "-e", "rows 3"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "id\tnote\n0\tNULL\n1\tn1\n2\tNULL\n");
}

#[test]
fn password_login_and_default_database() {
    let (server, _) = start();
    let out = mariadb(&server, &["-ubob", "-psecret", "-Dsales", "-e", "who; db"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "user\nbob\ndb\nsales\n");
}

#[test]
fn a_wrong_password_prints_starrocks_1045() {
    let (server, _) = start();
    let out = mariadb(&server, &["-ubob", "-pwrong", "-e", "who"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim_end(),
        "ERROR 1045 (28000): Access denied for user 'bob' (using password: YES)"
    );
}

#[test]
fn an_error_stops_the_batch_with_code_state_and_text() {
    let (server, handler) = start();
    let out = mariadb(&server, &["-uroot", "-e", "rows 1; bogus; rows 2"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "id\tnote\n0\tNULL\n");
    // With -e the client echoes the failing statement between dashes before the error.
    let stderr = text(&out.stderr);
    assert!(
        stderr.trim_end().ends_with(
            "\nERROR 1064 (HY000) at line 1: Getting syntax error. Detail message: bogus."
        ),
        "{stderr}"
    );
    let seen = handler.seen.lock().expect("lock").clone();
    assert!(
        seen.iter().all(|q| !q.contains("rows 2")),
        "nothing after the error: {seen:?}"
    );
}

#[test]
fn many_rows_through_the_command_line_client() {
    let (server, _) = start();
    let out = mariadb(
        &server,
        &["-uroot", "--skip-column-names", "-e", "rows 20000"],
    );
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 20_000);
    assert_eq!(lines[19_999], "19999\tn19999");
}
