//! `starsnap sandbox` over TCP: starts, serves the demo data, BACKUP works against a mapped
//! repository location, and SIGTERM stops it cleanly with the catalog kept.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use starsnap_runtime::{Cluster, ConnectOptions};

fn start(dir: &std::path::Path) -> (std::process::Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_starsnap"))
        .args([
            "sandbox",
            "--port",
            "0",
            "--data-dir",
            dir.to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("sandbox exited before listening")
            .unwrap();
        if let Some(rest) = line.split("listening on 127.0.0.1:").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap()
                .parse::<u16>()
                .unwrap();
        }
    };
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, port)
}

fn connect(port: u16) -> Cluster {
    let opts = ConnectOptions {
        port,
        connect_timeout: Duration::from_secs(5),
        ..ConnectOptions::default()
    };
    Cluster::connect(&opts, &|_| None).unwrap()
}

fn terminate(child: &mut std::process::Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(0), "sandbox must exit 0 on SIGTERM");
}

#[test]
fn sandbox_serves_demo_data_backs_up_and_stops_cleanly() {
    let dir = std::env::temp_dir().join(format!("starsnap-sandbox-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    let (mut child, port) = start(&dir);
    let mut c = connect(port);
    let v = c.version().unwrap();
    assert_eq!((v.major, v.minor), (3, 4));
    let dbs = c.query("SHOW DATABASES").unwrap();
    let names: Vec<String> = dbs
        .iter()
        .map(|r| r.text("Database").unwrap().to_string())
        .collect();
    assert!(names.contains(&"sales".to_string()), "{names:?}");
    let parts = c
        .query("SELECT PARTITION_NAME FROM information_schema.partitions_meta WHERE DB_NAME = 'sales' AND TABLE_NAME = 'orders'")
        .unwrap();
    assert!(
        parts.len() >= 365,
        "a year of daily partitions, got {}",
        parts.len()
    );

    c.execute("CREATE REPOSITORY demo_repo WITH BROKER ON LOCATION 's3://demo/backups'")
        .unwrap();
    c.execute("BACKUP DATABASE sales SNAPSHOT first TO demo_repo ON (TABLE customers)")
        .unwrap();
    let repo = dir.join("storage/s3/demo/backups/__starrocks_repository_demo_repo");
    assert!(
        repo.join("__repo_info").is_file(),
        "repository written under the data dir"
    );
    terminate(&mut child);

    // A restart on the same data dir keeps the catalog and does not seed twice.
    let (mut child, port) = start(&dir);
    let mut c = connect(port);
    let repos = c.query("SHOW REPOSITORIES").unwrap();
    assert_eq!(repos.len(), 1);
    assert_eq!(
        repos.iter().next().unwrap().text("RepoName").unwrap(),
        "demo_repo"
    );
    terminate(&mut child);
    let _ = std::fs::remove_dir_all(&dir);
}
