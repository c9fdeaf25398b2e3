//! Connections to a StarRocks frontend with the `mysql` crate.
//!
//! Always the text protocol (StarRocks's prepared statements are of no use here) and
//! `prefer_socket(false)`: with the default, the `mysql` crate asks `SELECT @@socket`, which
//! StarRocks answers with error 1193, and the connection fails.

use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder, Value};

use crate::error::RuntimeError;
use crate::log::{ms_since, Redacted};
use crate::row::ResultSet;
use crate::version::StarRocksVersion;

/// Where and how to connect. The password is given by the *name* of an environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectOptions {
    pub host: String,
    pub port: u16,
    pub user: String,
    /// Name of the environment variable holding the password; `None`: empty password.
    pub password_env: Option<String>,
    pub connect_timeout: Duration,
    /// Read/write timeout of one statement on the socket.
    pub io_timeout: Duration,
    /// Encryption. Anything but [`Tls::Disabled`] never falls back to clear text: a server
    /// that cannot do TLS is a connection error.
    pub tls: Tls,
}

/// How the connection is encrypted (`[cluster.tls] mode`, MySQL's `--ssl-mode` names).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Tls {
    #[default]
    Disabled,
    /// Encrypt; do not verify the server's certificate.
    Required,
    /// Encrypt and verify the certificate chain against `ca_file` (or the bundled web roots),
    /// not the host name.
    VerifyCa { ca_file: Option<std::path::PathBuf> },
    /// Encrypt, verify the chain and that the certificate names the host.
    VerifyIdentity { ca_file: Option<std::path::PathBuf> },
}

impl Tls {
    fn ssl_opts(&self) -> Option<mysql::SslOpts> {
        let with_ca = |ca: &Option<std::path::PathBuf>| {
            let opts = mysql::SslOpts::default();
            match ca {
                Some(path) => opts.with_root_cert_path(Some(path.clone())),
                None => opts,
            }
        };
        match self {
            Tls::Disabled => None,
            Tls::Required => Some(
                mysql::SslOpts::default()
                    .with_danger_accept_invalid_certs(true)
                    .with_danger_skip_domain_validation(true),
            ),
            Tls::VerifyCa { ca_file } => {
                Some(with_ca(ca_file).with_danger_skip_domain_validation(true))
            }
            Tls::VerifyIdentity { ca_file } => Some(with_ca(ca_file)),
        }
    }
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            host: "127.0.0.1".into(),
            port: 9030,
            user: "root".into(),
            password_env: None,
            connect_timeout: Duration::from_secs(10),
            io_timeout: Duration::from_secs(60),
            tls: Tls::Disabled,
        }
    }
}

/// One connection to a StarRocks frontend.
pub struct Cluster {
    conn: Conn,
    opts: ConnectOptions,
    statements: u64,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("host", &self.opts.host)
            .field("port", &self.opts.port)
            .field("user", &self.opts.user)
            .finish()
    }
}

/// A cell as text, taking the bytes without copying them when they are UTF-8.
fn text_of(v: Value) -> Option<String> {
    match v {
        Value::NULL => None,
        Value::Bytes(b) => Some(
            String::from_utf8(b)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        Value::Int(i) => Some(i.to_string()),
        Value::UInt(u) => Some(u.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Double(d) => Some(d.to_string()),
        other => Some(other.as_sql(true).trim_matches('\'').to_string()),
    }
}

impl Cluster {
    /// Connects. `env` looks up environment variables (the CLI passes `std::env::var`; tests
    /// pass a map), so the password never travels through the options.
    pub fn connect(
        opts: &ConnectOptions,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Cluster, RuntimeError> {
        let password = match &opts.password_env {
            None => String::new(),
            Some(name) => {
                env(name).ok_or_else(|| RuntimeError::MissingPasswordEnv { name: name.clone() })?
            }
        };
        let builder = OptsBuilder::new()
            .ip_or_hostname(Some(opts.host.clone()))
            .tcp_port(opts.port)
            .user(Some(opts.user.clone()))
            .pass(Some(password))
            .prefer_socket(false)
            .tcp_connect_timeout(Some(opts.connect_timeout))
            .read_timeout(Some(opts.io_timeout))
            .write_timeout(Some(opts.io_timeout))
            .stmt_cache_size(0)
            .ssl_opts(opts.tls.ssl_opts());
        let started = Instant::now();
        let conn = connect_within(builder, opts).inspect_err(|e| {
            tracing::debug!(target: "starsnap::sql", host = %opts.host, port = opts.port, ms = ms_since(started), "connect failed: {}", Redacted(&e.to_string()));
        })?;
        tracing::debug!(target: "starsnap::sql", host = %opts.host, port = opts.port, user = %opts.user, tls = ?opts.tls, ms = ms_since(started), "connected");
        Ok(Cluster {
            conn,
            opts: opts.clone(),
            statements: 0,
        })
    }

    pub fn options(&self) -> &ConnectOptions {
        &self.opts
    }

    /// Statements this connection has sent through [`Cluster::query`]/[`Cluster::execute`].
    pub fn statements_sent(&self) -> u64 {
        self.statements
    }

    /// Runs one statement and returns its first result set (empty for statements without one).
    pub fn query(&mut self, sql: &str) -> Result<ResultSet, RuntimeError> {
        let started = Instant::now();
        let result = self.query_inner(sql);
        log_statement(sql, started, result.as_ref().map(|rs| rs.len() as u64));
        result
    }

    fn query_inner(&mut self, sql: &str) -> Result<ResultSet, RuntimeError> {
        self.statements += 1;
        let mut result = self
            .conn
            .query_iter(sql)
            .map_err(|e| classify_query_error(sql, e))?;
        let mut out = ResultSet::new(sql, Vec::new(), Vec::new());
        if let Some(set) = result.iter() {
            let columns: Vec<String> = set
                .columns()
                .as_ref()
                .iter()
                .map(|c| c.name_str().into_owned())
                .collect();
            let mut rows = Vec::new();
            for row in set {
                let row = row.map_err(|e| classify_query_error(sql, e))?;
                rows.push(
                    row.unwrap_raw()
                        .into_iter()
                        .map(|v| v.and_then(text_of))
                        .collect(),
                );
            }
            out = ResultSet::new(sql, columns, rows);
        }
        // Drain any further result sets so the connection stays usable.
        while let Some(set) = result.iter() {
            for row in set {
                row.map_err(|e| classify_query_error(sql, e))?;
            }
        }
        Ok(out)
    }

    /// Runs a statement for its effect.
    pub fn execute(&mut self, sql: &str) -> Result<u64, RuntimeError> {
        let started = Instant::now();
        self.statements += 1;
        let result = self
            .conn
            .query_iter(sql)
            .map_err(|e| classify_query_error(sql, e))
            .map(|r| r.affected_rows());
        log_statement(sql, started, result.as_ref().copied());
        result
    }

    /// The longest statement the server accepts: its `@@max_allowed_packet` less 1 KiB for
    /// the protocol's framing (4 MiB when it does not say; at least 16 KiB whatever it says).
    pub fn statement_budget(&mut self) -> Result<usize, RuntimeError> {
        let rs = self.query("SELECT @@max_allowed_packet AS max_allowed_packet")?;
        let packet = match rs.iter().next() {
            Some(row) => row.i64("max_allowed_packet")?,
            None => 4 * 1024 * 1024,
        };
        Ok(usize::try_from(packet)
            .unwrap_or(0)
            .saturating_sub(1024)
            .max(16 * 1024))
    }

    /// The cluster's StarRocks version, from `@@version_comment`.
    pub fn version(&mut self) -> Result<StarRocksVersion, RuntimeError> {
        let rs = self.query("SELECT @@version_comment AS version_comment")?;
        let row = rs
            .iter()
            .next()
            .ok_or_else(|| RuntimeError::Version(String::new()))?;
        StarRocksVersion::parse(row.text("version_comment")?)
    }
}

/// Logs one statement sent (`debug`, target `starsnap::sql`): its text with secrets masked,
/// its time and the rows it returned or affected, or its error.
fn log_statement(sql: &str, started: Instant, outcome: Result<u64, &RuntimeError>) {
    match outcome {
        Ok(rows) => {
            tracing::debug!(target: "starsnap::sql", ms = ms_since(started), rows, "{}", Redacted(sql));
        }
        Err(e) => {
            tracing::debug!(target: "starsnap::sql", ms = ms_since(started), error = %Redacted(&e.to_string()), "{}", Redacted(sql));
        }
    }
}

/// `Conn::new` bounded by `connect_timeout` as a whole: TCP connect (the driver's own
/// timeout), then TLS and the MySQL handshake, which the driver would bound only by the read
/// timeout of statements. A server that accepts and never greets fails at the deadline; the
/// driver's thread ends on its own when its read times out (the socket is then closed).
fn connect_within(builder: OptsBuilder, opts: &ConnectOptions) -> Result<Conn, RuntimeError> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("starsnap-connect".into())
        .spawn(move || {
            let _ = tx.send(Conn::new(builder));
        });
    if let Err(e) = spawned {
        return Err(RuntimeError::Connect {
            host: opts.host.clone(),
            port: opts.port,
            timeout: opts.connect_timeout,
            message: format!("cannot start the connection: {e}"),
        });
    }
    match rx.recv_timeout(opts.connect_timeout) {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(classify_connect_error(opts, e)),
        Err(_) => Err(RuntimeError::Connect {
            host: opts.host.clone(),
            port: opts.port,
            timeout: opts.connect_timeout,
            message: format!(
                "the server accepted the connection but did not complete the {} handshake; check that {}:{} is a StarRocks FE query port (9030 by default), or raise [cluster] connect_timeout",
                if opts.tls == Tls::Disabled { "MySQL" } else { "TLS/MySQL" },
                opts.host,
                opts.port
            ),
        }),
    }
}

/// A driver error as a sentence: the mysql crate's `Display` is a debug-like dump
/// (`DriverError { Could not connect to address … }`, `IoError { … }`).
pub fn driver_message(e: &mysql::Error) -> String {
    use std::io::ErrorKind;
    match e {
        mysql::Error::IoError(io) => match io.kind() {
            ErrorKind::TimedOut | ErrorKind::WouldBlock => {
                "no answer from the server in time (read timeout)".into()
            }
            ErrorKind::ConnectionRefused => {
                "connection refused (is the server running, and is this its port?)".into()
            }
            ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof => {
                format!("the server closed the connection ({io})")
            }
            _ => io.to_string(),
        },
        mysql::Error::MySqlError(me) => format!("{} (error {})", me.message, me.code),
        mysql::Error::DriverError(de) => de.to_string(),
        mysql::Error::CodecError(ce) => format!("protocol error: {ce}"),
        mysql::Error::UrlError(ue) => ue.to_string(),
        mysql::Error::TlsError(te) => format!("TLS: {te}"),
        mysql::Error::FromRowError(_) | mysql::Error::FromValueError(_) => {
            "a value the server sent could not be read".into()
        }
    }
}

fn classify_connect_error(opts: &ConnectOptions, e: mysql::Error) -> RuntimeError {
    match e {
        mysql::Error::MySqlError(me) if me.code == 1045 => RuntimeError::Auth {
            host: opts.host.clone(),
            port: opts.port,
            user: opts.user.clone(),
            message: me.message,
        },
        other => RuntimeError::Connect {
            host: opts.host.clone(),
            port: opts.port,
            timeout: opts.connect_timeout,
            message: driver_message(&other),
        },
    }
}

fn classify_query_error(sql: &str, e: mysql::Error) -> RuntimeError {
    match e {
        mysql::Error::MySqlError(me) => RuntimeError::Server {
            statement: sql.to_string(),
            code: me.code,
            sqlstate: me.state,
            message: me.message,
        },
        other => RuntimeError::ConnectionLost {
            statement: sql.to_string(),
            message: driver_message(&other),
        },
    }
}
