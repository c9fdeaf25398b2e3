//! `connect_timeout` bounds the whole connection — TCP connect, TLS and the MySQL handshake:
//! a server that accepts and never greets fails within it, through the library and through
//! the CLI. Driver errors read as sentences, never as the driver's debug-like dumps.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use starsnap_runtime::{Cluster, ConnectOptions};

/// A listener that accepts every connection and never says a word.
fn silent_server() -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(4).flatten() {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    (port, handle)
}

fn assert_no_dump(message: &str) {
    for dump in [
        "IoError {",
        "DriverError {",
        "MySqlError {",
        "CodecError {",
        "TlsError {",
        "Os {",
        "kind:",
    ] {
        assert!(!message.contains(dump), "a debug dump in: {message}");
    }
}

#[test]
fn a_server_that_never_greets_fails_within_the_timeout() {
    let (port, _server) = silent_server();
    let opts = ConnectOptions {
        port,
        connect_timeout: Duration::from_secs(1),
        ..ConnectOptions::default()
    };
    let start = Instant::now();
    let err = Cluster::connect(&opts, &|_| None).unwrap_err();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(3), "took {took:?}");
    let msg = err.to_string();
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    assert!(
        msg.contains("within 1s") && msg.contains("handshake"),
        "{msg}"
    );
    assert_no_dump(&msg);
}

#[test]
fn status_against_a_silent_server_fails_within_the_timeout() {
    let (port, _server) = silent_server();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("starsnap.toml"),
        format!(
            "[cluster]\nhost = \"127.0.0.1\"\nport = {port}\nuser = \"root\"\nconnect_timeout = \"1s\"\n"
        ),
    )
    .unwrap();
    let start = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_starsnap"))
        .args(["status", "-c", "starsnap.toml"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(took < Duration::from_secs(5), "took {took:?}: {stderr}");
    assert!(
        stderr.contains("handshake") && stderr.contains("connect_timeout"),
        "{stderr}"
    );
    assert_no_dump(&stderr);
}

#[test]
fn a_refused_connection_reads_as_a_sentence() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let opts = ConnectOptions {
        port,
        connect_timeout: Duration::from_secs(2),
        ..ConnectOptions::default()
    };
    let msg = Cluster::connect(&opts, &|_| None).unwrap_err().to_string();
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    assert_no_dump(&msg);
}
