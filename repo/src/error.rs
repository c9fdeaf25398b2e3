//! Errors of repository storage. Messages name the location and the object, never a
//! credential: `object_store`'s own messages carry URLs and status texts, not keys, and every
//! message built here goes through [`RepoError::scrubbed`] with the secrets the store holds.

/// What went wrong talking to a repository's storage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    /// The location or a property cannot be used (unknown scheme, bad URL, bad property).
    #[error("repository location {location}: {message}")]
    Config { location: String, message: String },
    /// The object does not exist.
    #[error("object not found: {path}")]
    NotFound { path: String },
    /// The store answered with an error that retrying may fix (throttling, 5xx, timeouts).
    #[error("{operation} {path}: {message} (transient; retried {attempts} times)")]
    Transient {
        operation: &'static str,
        path: String,
        message: String,
        attempts: u32,
    },
    /// Any other storage error.
    #[error("{operation} {path}: {message}")]
    Storage {
        operation: &'static str,
        path: String,
        message: String,
    },
}

impl RepoError {
    /// Whether retrying the same call may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, RepoError::Transient { .. })
    }

    /// The message with every non-empty secret replaced by `***`.
    pub fn scrubbed(self, secrets: &[String]) -> RepoError {
        let scrub = |s: String| {
            secrets
                .iter()
                .filter(|x| !x.is_empty())
                .fold(s, |acc, x| acc.replace(x.as_str(), "***"))
        };
        match self {
            RepoError::Config { location, message } => RepoError::Config {
                location: scrub(location),
                message: scrub(message),
            },
            RepoError::NotFound { path } => RepoError::NotFound { path: scrub(path) },
            RepoError::Transient {
                operation,
                path,
                message,
                attempts,
            } => RepoError::Transient {
                operation,
                path: scrub(path),
                message: scrub(message),
                attempts,
            },
            RepoError::Storage {
                operation,
                path,
                message,
            } => RepoError::Storage {
                operation,
                path: scrub(path),
                message: scrub(message),
            },
        }
    }
}

/// Whether an `object_store` error is worth retrying: throttling (429, 503 SlowDown), other
/// 5xx answers, connection resets and timeouts. `object_store` already retries requests
/// itself; this decides whether a whole operation (a delete batch, a listing) is tried again.
pub fn transient(e: &object_store::Error) -> bool {
    match e {
        object_store::Error::NotFound { .. }
        | object_store::Error::InvalidPath { .. }
        | object_store::Error::AlreadyExists { .. }
        | object_store::Error::Precondition { .. }
        | object_store::Error::NotModified { .. }
        | object_store::Error::NotImplemented
        | object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. }
        | object_store::Error::UnknownConfigurationKey { .. } => false,
        other => {
            let text = other.to_string().to_ascii_lowercase();
            [
                "429",
                "500",
                "502",
                "503",
                "504",
                "slowdown",
                "slow down",
                "throttl",
                "too many requests",
                "internal error",
                "service unavailable",
                "timed out",
                "timeout",
                "connection",
                "reset",
            ]
            .iter()
            .any(|k| text.contains(k))
        }
    }
}
