//! A private MariaDB server for tests: a fresh data directory under the system temp dir,
//! `mariadb-install-db`, then `mariadbd` on 127.0.0.1 and a free port, stopped (and its
//! directory removed) on drop.
//!
//! Works as root in CI: `--user=root` lets mariadbd run as root, `--skip-grant-tables`
//! accepts `root` without a password over TCP, `--skip-networking` is never set, and the
//! unix socket lives in the temp dir. Binaries are found on `PATH`, then in `/usr/sbin` and
//! `/usr/bin` (Debian's `mariadb-server` package); `STARSNAP_MARIADBD` and
//! `STARSNAP_MARIADB_INSTALL_DB` override them. If they are missing the test **fails**
//! with the apt command to run: these tests never pass silently.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use starsnap_runtime::{Cluster, ConnectOptions};

pub struct MariaDb {
    dir: PathBuf,
    child: Child,
    port: u16,
}

fn find(env_var: &str, name: &str) -> PathBuf {
    if let Ok(p) = std::env::var(env_var) {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.push(PathBuf::from("/usr/sbin"));
    dirs.push(PathBuf::from("/usr/bin"));
    for d in dirs {
        let p = d.join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "`{name}` was not found (PATH, /usr/sbin, /usr/bin; or set {env_var}). \
         The state store's MariaDB tests need a real server: \
         `apt-get install -y mariadb-server mariadb-client`"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

impl MariaDb {
    /// Installs a data directory and starts the server; waits until it accepts logins.
    pub fn start() -> MariaDb {
        MariaDb::start_with(&[])
    }

    /// [`MariaDb::start`] with extra `mariadbd` options (e.g. `--ssl-cert=…`).
    pub fn start_with(extra: &[String]) -> MariaDb {
        static N: AtomicU32 = AtomicU32::new(0);
        let mariadbd = find("STARSNAP_MARIADBD", "mariadbd");
        let install = find("STARSNAP_MARIADB_INSTALL_DB", "mariadb-install-db");
        let dir = std::env::temp_dir().join(format!(
            "starsnap-mariadb-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let data = dir.join("data");
        // One install at a time per test process (they are CPU-heavy and the machine is
        // shared), retried: a loaded CI box occasionally fails one.
        static INSTALL: Mutex<()> = Mutex::new(());
        let mut last = String::new();
        let mut installed = false;
        for _ in 0..3 {
            let _guard = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
            let _ = std::fs::remove_dir_all(&data);
            let out = Command::new(&install)
                .arg("--no-defaults")
                .arg(format!("--datadir={}", data.display()))
                .arg("--auth-root-authentication-method=normal")
                .arg("--user=root")
                .arg("--skip-test-db")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .output()
                .expect("run mariadb-install-db");
            if out.status.success() {
                installed = true;
                break;
            }
            last = format!(
                "{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(installed, "mariadb-install-db failed three times:\n{last}");
        let port = free_port();
        let err_log = dir.join("error.log");
        let child = Command::new(&mariadbd)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", dir.join("sock").display()))
            .arg(format!("--pid-file={}", dir.join("pid").display()))
            .arg(format!("--log-error={}", err_log.display()))
            .arg(format!("--port={port}"))
            .arg("--bind-address=127.0.0.1")
            .arg("--user=root")
            .arg("--skip-grant-tables")
            .arg("--skip-name-resolve")
            .arg("--skip-log-bin")
            .arg("--innodb-buffer-pool-size=16M")
            .arg("--max-connections=200")
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mariadbd");
        let mut m = MariaDb { dir, child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = m.child.try_wait() {
                panic!("mariadbd exited ({status}):\n{}", log_tail(&err_log));
            }
            if Cluster::connect(&m.options(), &|_| None).is_ok() {
                return m;
            }
            if Instant::now() > deadline {
                let _ = m.child.kill();
                panic!(
                    "mariadbd did not accept connections in 60 s:\n{}",
                    log_tail(&err_log)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn options(&self) -> ConnectOptions {
        ConnectOptions {
            port: self.port,
            user: "root".into(),
            connect_timeout: Duration::from_secs(5),
            io_timeout: Duration::from_secs(30),
            ..ConnectOptions::default()
        }
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
