//! Typed errors of the runtime. None of them ever holds a secret: passwords are referenced by
//! the name of their environment variable only (invariant 7).

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(
        "the password variable {name} is not set (the policy names it in [cluster] password_env)"
    )]
    MissingPasswordEnv { name: String },

    #[error("cannot connect to {host}:{port} within {timeout:?}: {message}")]
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

    #[error("unrecognised StarRocks version string '{0}' (expected `<version>-<commit>` from @@version_comment)")]
    Version(String),
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
