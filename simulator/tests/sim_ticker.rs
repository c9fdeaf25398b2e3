//! On the real clock a started simulator advances BACKUP jobs by itself: the snapshot's info
//! file appears in the repository without any further statement (as StarRocks's daemons do).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use starsnap_simulator::response::{Handler, Session};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;

#[test]
fn backup_finishes_without_further_statements() {
    let dir = std::env::temp_dir().join(format!("starsnap-sim-ticker-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = SimConfig::default();
    config.storage.insert("s3://".into(), dir.clone());
    let sim = Simulator::start(config).unwrap();
    let mut s = Session {
        user: "root".into(),
        ..Session::default()
    };
    for sql in [
        "CREATE DATABASE d",
        "CREATE TABLE d.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
        "INSERT INTO d.t VALUES (1), (2)",
        "CREATE REPOSITORY r WITH BROKER ON LOCATION 's3://b/p'",
        "BACKUP DATABASE d SNAPSHOT l TO r",
    ] {
        for out in sim.engine().query(&mut s, sql) {
            out.unwrap();
        }
    }
    let label_dir = dir.join("b/p/__starrocks_repository_r/__ss_l");
    let deadline = Instant::now() + Duration::from_secs(30);
    let found = loop {
        let info = std::fs::read_dir(&label_dir)
            .map(|rd| {
                rd.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("__info_"))
            })
            .unwrap_or(false);
        if info || Instant::now() > deadline {
            break info;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(found, "no __info_ file under {}", label_dir.display());
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
}
