//! Typed errors of the runtime. None of them ever holds a secret: passwords are referenced by
//! the name of their environment variable only (invariant 7).

use std::time::Duration;

/// What a lease guards, as a sentence names it: ``database `sales` `` or the cluster's one
/// external-catalog job ([`starsnap_compiler::plan::CATALOG_JOB_LEASE`]).
pub fn lease_subject(lease: &str) -> String {
    if lease == starsnap_compiler::plan::CATALOG_JOB_LEASE {
        "the external-catalog job (one per cluster)".to_string()
    } else {
        format!("database `{lease}`")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(
        "the password variable {name} is not set (the policy names it in [cluster] password_env)"
    )]
    MissingPasswordEnv { name: String },

    #[error(
        "cannot connect to {host}:{port} within {}: {message}",
        seconds(timeout)
    )]
    Connect {
        host: String,
        port: u16,
        timeout: Duration,
        message: String,
    },

    #[error("{host}:{port} refused the login of user '{user}': {message}")]
    Auth {
        host: String,
        port: u16,
        user: String,
        message: String,
    },

    /// The server answered a statement with an error.
    #[error("StarRocks refused `{statement}`: {message} (error {code}, SQLSTATE {sqlstate})")]
    Server {
        statement: String,
        code: u16,
        sqlstate: String,
        message: String,
    },

    /// The connection broke while a statement was in flight: the statement may or may not have
    /// been executed.
    #[error("the connection broke during `{statement}`: {message}")]
    ConnectionLost { statement: String, message: String },

    #[error("`{statement}` returned no column named `{column}` (it has: {available})")]
    MissingColumn {
        statement: String,
        column: String,
        available: String,
    },

    #[error("`{statement}`: column `{column}` holds `{value}`, expected {expected}")]
    BadValue {
        statement: String,
        column: String,
        value: String,
        expected: &'static str,
    },

    /// The lock of a database (or of the cluster's external-catalog job) is held by someone
    /// else (the CLI exits 4).
    #[error("{} is locked by {by}", lease_subject(database))]
    LockHeld {
        database: String,
        by: Box<LockHolder>,
    },

    /// A lease this process held was broken or taken over.
    #[error("the lock {lock_id} of {} was lost{}", lease_subject(database), now_held_by.as_ref().map(|h| format!("; it is now held by {h}")).unwrap_or_default())]
    LockLost {
        database: String,
        lock_id: String,
        now_held_by: Option<String>,
    },

    #[error("no lock with id {lock_id} is in force (see `starsnap status`)")]
    LockNotFound { lock_id: String },

    #[error(
        "could not take the lock of {}: {attempts} claims in a row lost to other processes",
        lease_subject(database)
    )]
    LockContention { database: String, attempts: u32 },

    #[error("the state database `{database}` has schema version {found}, newer than this starsnap knows ({supported}); upgrade starsnap")]
    StateSchemaTooNew {
        database: String,
        found: u32,
        supported: u32,
    },

    /// A state row holds something this build cannot read.
    #[error("state table `{table}`: {message}")]
    StateData { table: String, message: String },

    /// A history write that contradicts what the history already holds.
    #[error("state: {message}")]
    StateConflict { message: String },

    /// The state store cannot be reached or opened.
    #[error("the state store is unavailable: {message}")]
    StateUnavailable { message: String },

    #[error("unrecognised StarRocks version string '{0}' (expected `<version>-<commit>` from @@version_comment)")]
    Version(String),
}

/// A duration as people write it: `3s`, `1.5s`, `250ms`.
pub fn seconds(d: &Duration) -> String {
    if d.as_millis() < 1000 && !d.is_zero() {
        format!("{}ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// Who holds a lock, for [`RuntimeError::LockHeld`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockHolder {
    pub lock_id: String,
    pub holder: String,
    pub host: String,
    pub pid: u32,
    pub plan_fingerprint: String,
    /// RFC 3339 UTC.
    pub since: String,
    /// RFC 3339 UTC.
    pub expires: String,
    /// How long the caller waited (`--lock-timeout`), if it did.
    pub waited: Option<Duration>,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}@{} (pid {}, plan {}) since {}, lease until {}",
            self.holder, self.host, self.pid, self.plan_fingerprint, self.since, self.expires
        )?;
        if let Some(w) = self.waited {
            write!(f, ", waited {}", seconds(&w))?;
        }
        write!(
            f,
            "; lock id {} (`starsnap unlock {}` breaks it)",
            self.lock_id, self.lock_id
        )
    }
}

impl RuntimeError {
    /// The server's error code, when the server answered with one.
    pub fn server_code(&self) -> Option<u16> {
        match self {
            RuntimeError::Server { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether retrying after a reconnect may succeed: a dropped connection, or one of the
    /// transient answers StarRocks gives while another job is being submitted or the metadata
    /// changes under a SHOW (spec §4, §8 quirk 14).
    pub fn is_transient(&self) -> bool {
        match self {
            RuntimeError::ConnectionLost { .. } | RuntimeError::Connect { .. } => true,
            RuntimeError::Server { message, .. } => {
                message.contains("meta data may has been updated")
                    || message.contains("Another backup or restore job is being submitted")
                    || message.contains(
                        "Can only run one backup or restore job of a database at same time",
                    )
            }
            _ => false,
        }
    }
}
