//! The runtime's connection against the simulator over TCP: login, version detection per
//! StarRocks profile, errors, and why `prefer_socket(false)` is needed.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use starsnap_runtime::{Cluster, ConnectOptions, RuntimeError};
use starsnap_simulator::engine::Engine;
use starsnap_simulator::{Server, SimConfig, User, VersionProfile};

fn start(config: SimConfig) -> Server {
    let engine = Engine::new(&config);
    Server::start(&config, Arc::new(engine)).unwrap()
}

fn config_with_password() -> SimConfig {
    SimConfig {
        users: vec![User {
            name: "backup".into(),
            password: "s3cret-pass".into(),
        }],
        ..SimConfig::default()
    }
}

fn opts(port: u16, user: &str, password_env: Option<&str>) -> ConnectOptions {
    ConnectOptions {
        port,
        user: user.into(),
        password_env: password_env.map(str::to_string),
        connect_timeout: Duration::from_secs(5),
        ..ConnectOptions::default()
    }
}

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

#[test]
fn connects_with_password_from_env_and_reads_version_for_every_profile() {
    for profile in VersionProfile::ALL {
        let server = start(SimConfig {
            version: profile,
            ..config_with_password()
        });
        let env = env_of(&[("SR_PASSWORD", "s3cret-pass")]);
        let mut c =
            Cluster::connect(&opts(server.port(), "backup", Some("SR_PASSWORD")), &env).unwrap();
        let v = c.version().unwrap();
        assert_eq!(
            format!("{}.{}", v.major, v.minor),
            profile.as_str(),
            "{profile}"
        );
        assert_eq!(v.to_string(), profile.version_comment());
    }
}

#[test]
fn default_mysql_connect_fails_on_select_socket_and_ours_does_not() {
    let server = start(SimConfig::default());
    // The mysql crate's default (prefer_socket = true) asks `SELECT @@socket` after login;
    // StarRocks answers error 1193, and the connection fails.
    let default_opts = mysql::OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(server.port())
        .user(Some("root"));
    match mysql::Conn::new(default_opts) {
        Err(mysql::Error::MySqlError(e)) => assert_eq!(e.code, 1193, "{e:?}"),
        Err(other) => panic!("expected error 1193, got {other:?}"),
        Ok(_) => panic!("the default connect unexpectedly succeeded"),
    }
    let mut c = Cluster::connect(&opts(server.port(), "root", None), &env_of(&[])).unwrap();
    let rs = c.query("SELECT 1 AS one").unwrap();
    assert_eq!(rs.iter().next().unwrap().i64("one").unwrap(), 1);
}

#[test]
fn wrong_password_missing_variable_and_unreachable_are_clear_errors() {
    let server = start(config_with_password());
    let wrong = env_of(&[("SR_PASSWORD", "nope")]);
    let e =
        Cluster::connect(&opts(server.port(), "backup", Some("SR_PASSWORD")), &wrong).unwrap_err();
    assert!(matches!(e, RuntimeError::Auth { .. }), "{e}");
    assert!(
        !e.to_string().contains("nope"),
        "the password must not leak: {e}"
    );

    let e = Cluster::connect(
        &opts(server.port(), "backup", Some("SR_PASSWORD")),
        &env_of(&[]),
    )
    .unwrap_err();
    assert!(
        matches!(e, RuntimeError::MissingPasswordEnv { ref name } if name == "SR_PASSWORD"),
        "{e}"
    );

    // A port nothing listens on: refused quickly, reported with host and port.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = Instant::now();
    let e = Cluster::connect(&opts(free, "root", None), &env_of(&[])).unwrap_err();
    assert!(matches!(e, RuntimeError::Connect { .. }), "{e}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{free}")), "{e}");
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[test]
fn server_errors_are_typed_and_rows_read_by_name() {
    let server = start(SimConfig::default());
    let mut c = Cluster::connect(&opts(server.port(), "root", None), &env_of(&[])).unwrap();
    c.execute("CREATE DATABASE sales").unwrap();
    let e = c.query("SHOW TABLES FROM nosuchdb").unwrap_err();
    assert!(e.server_code().is_some(), "{e}");
    let rs = c.query("SHOW DATABASES").unwrap();
    let names: Vec<&str> = rs.iter().map(|r| r.text("Database").unwrap()).collect();
    assert!(names.contains(&"sales"), "{names:?}");
    assert!(c.statements_sent() >= 3);
}
