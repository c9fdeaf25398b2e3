//! `starsnap inspect` and `starsnap plan` against the simulator over TCP, under several
//! StarRocks profiles, and their clear failures.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use starsnap_runtime::{Cluster, ConnectOptions};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::{SimConfig, User, VersionProfile};

fn starsnap(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_starsnap"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn workdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("starsnap-plan-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn policy(port: u16, password_env: &str) -> String {
    format!(
        r#"[cluster]
host = "127.0.0.1"
port = {port}
user = "backup"
password_env = "{password_env}"
connect_timeout = "3s"

[repository.main]
location = "s3://bucket/backups"

[group.nightly]
include = ["sales.*"]
repository = "main"
full_every = "7d"
"#
    )
}

fn seed(port: u16) {
    let opts = ConnectOptions {
        port,
        user: "backup".into(),
        password_env: Some("PW".into()),
        connect_timeout: Duration::from_secs(5),
        ..ConnectOptions::default()
    };
    let mut c = Cluster::connect(&opts, &|_| Some("pw".to_string())).unwrap();
    c.execute("CREATE DATABASE sales").unwrap();
    for t in ["orders", "payments"] {
        c.execute(&format!(
            "CREATE TABLE sales.{t} (dt DATE, id BIGINT, amount INT) DUPLICATE KEY(dt, id) \
             PARTITION BY RANGE(dt) (PARTITION p202401 VALUES LESS THAN ('2024-02-01'), \
             PARTITION p202402 VALUES LESS THAN ('2024-03-01')) DISTRIBUTED BY HASH(id) BUCKETS 1 \
             PROPERTIES ('replication_num' = '1')"
        ))
        .unwrap();
    }
    c.execute("INSERT INTO sales.orders VALUES ('2024-01-03', 1, 10), ('2024-02-03', 2, 20)")
        .unwrap();
}

fn sim(profile: VersionProfile, storage: &Path) -> Simulator {
    let mut config = SimConfig {
        version: profile,
        users: vec![User {
            name: "backup".into(),
            password: "pw".into(),
        }],
        ..SimConfig::default()
    };
    config.storage.insert("s3://".into(), storage.to_path_buf());
    Simulator::start(config).unwrap()
}

#[test]
fn plans_first_full_live_and_from_catalog_identically_under_each_profile() {
    for profile in [
        VersionProfile::V3_4,
        VersionProfile::V3_5,
        VersionProfile::V4_0,
    ] {
        let dir = workdir(profile.as_str());
        let sim = sim(profile, &dir.join("storage"));
        seed(sim.port());
        std::fs::write(dir.join("starsnap.toml"), policy(sim.port(), "SR_PW")).unwrap();
        let env = [("SR_PW", "pw")];
        let as_of = "2026-11-22T02:00:00Z";

        let live = starsnap(
            &dir,
            &[
                "plan",
                "--as-of",
                as_of,
                "--out",
                "live.json",
                "--detailed-exitcode",
            ],
            &env,
        );
        assert_eq!(
            live.status.code(),
            Some(2),
            "{profile}: {}{}",
            text(&live.stdout),
            text(&live.stderr)
        );
        let out = text(&live.stdout);
        assert!(
            out.contains("create_repository") || out.contains("repository"),
            "{out}"
        );
        assert!(out.contains("BACKUP DATABASE sales SNAPSHOT"), "{out}");

        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("live.json")).unwrap()).unwrap();
        assert_eq!(plan["format_version"], 2);
        assert_eq!(
            plan["observed"]["cluster_version"],
            profile.version_comment()
        );
        let actions: Vec<&str> = plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"create_repository") && actions.contains(&"backup"),
            "{actions:?}"
        );
        let json = serde_json::to_string(&plan).unwrap();
        assert!(!json.contains("\"pw\""), "no secret in the plan");

        // inspect → catalog file → plan without a cluster: byte-identical plan.
        let ins = starsnap(&dir, &["inspect", "--out", "catalog.json"], &env);
        assert_eq!(ins.status.code(), Some(0), "{}", text(&ins.stderr));
        let offline = starsnap(
            &dir,
            &[
                "plan",
                "--catalog",
                "catalog.json",
                "--as-of",
                as_of,
                "--out",
                "offline.json",
            ],
            &[],
        );
        assert_eq!(offline.status.code(), Some(0), "{}", text(&offline.stderr));
        assert_eq!(
            std::fs::read(dir.join("live.json")).unwrap(),
            std::fs::read(dir.join("offline.json")).unwrap(),
            "{profile}: live and catalog plans differ"
        );
        // show renders the saved plan; json format is the canonical bytes.
        let shown = starsnap(&dir, &["show", "live.json", "--format", "json"], &[]);
        assert_eq!(shown.stdout, std::fs::read(dir.join("live.json")).unwrap());
        drop(sim);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn bad_inputs_are_clear_errors() {
    let dir = workdir("bad");
    let sim = sim(VersionProfile::V3_4, &dir.join("storage"));
    std::fs::write(dir.join("starsnap.toml"), policy(sim.port(), "SR_PW")).unwrap();

    let missing = starsnap(&dir, &["plan"], &[]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("SR_PW"),
        "{}",
        text(&missing.stderr)
    );

    let wrong = starsnap(&dir, &["plan"], &[("SR_PW", "nope")]);
    assert_eq!(wrong.status.code(), Some(1));
    let err = text(&wrong.stderr);
    assert!(
        err.contains("refused the login") && !err.contains("nope"),
        "{err}"
    );

    // Nothing listens: fails fast with host and port.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(dir.join("unreachable.toml"), policy(free, "SR_PW")).unwrap();
    let t = Instant::now();
    let down = starsnap(
        &dir,
        &["plan", "-c", "unreachable.toml"],
        &[("SR_PW", "pw")],
    );
    assert_eq!(down.status.code(), Some(1));
    assert!(
        text(&down.stderr).contains(&format!("127.0.0.1:{free}")),
        "{}",
        text(&down.stderr)
    );
    assert!(t.elapsed() < Duration::from_secs(4));

    std::fs::write(
        dir.join("bad.json"),
        "{\"format_version\": 1, \"cluster\": ",
    )
    .unwrap();
    let bad = starsnap(&dir, &["plan", "--catalog", "bad.json"], &[]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("bad.json"),
        "{}",
        text(&bad.stderr)
    );

    let nofile = starsnap(&dir, &["plan", "-c", "nope.toml"], &[]);
    assert_eq!(nofile.status.code(), Some(64));

    std::fs::write(
        dir.join("typo.toml"),
        "[group.x]\ninclude = [\"a.*\"]\nrepositry = \"r\"\n",
    )
    .unwrap();
    let typo = starsnap(
        &dir,
        &["plan", "-c", "typo.toml", "--catalog", "bad.json"],
        &[],
    );
    assert_eq!(typo.status.code(), Some(1));
    assert!(
        text(&typo.stderr).contains("typo.toml:3:1"),
        "{}",
        text(&typo.stderr)
    );
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
}
