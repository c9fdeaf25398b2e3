//! What the runtime logs, through `tracing` (the binary installs the subscriber: `-v`,
//! `RUST_LOG`). Statements are logged at `debug` under the target `starsnap::sql` with their
//! time, apply's step transitions and step times at `info` under `starsnap::apply`.
//!
//! Invariant 7: a logged statement or message goes through [`Redacted`], which masks every
//! secret value registered with [`add_secrets`] (apply registers its redactor: the passwords
//! and repository secrets the policy names) and every `key = value` pair whose key looks like
//! a credential — only when the event is actually written.

use std::fmt;
use std::sync::{LazyLock, RwLock};

use crate::state::Redactor;

static SECRETS: LazyLock<RwLock<Redactor>> = LazyLock::new(|| RwLock::new(Redactor::default()));

/// Adds the values `redactor` masks to what every log line masks.
pub fn add_secrets(redactor: &Redactor) {
    let mut all = SECRETS.write().unwrap_or_else(|p| p.into_inner());
    all.merge(redactor);
}

/// Text shown redacted: secrets masked when it is formatted (so a statement costs nothing
/// when its log level is off).
pub struct Redacted<'a>(pub &'a str);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secrets = SECRETS.read().unwrap_or_else(|p| p.into_inner());
        f.write_str(&secrets.redact(self.0))
    }
}

/// Milliseconds since `start`, with microseconds, for log fields.
pub fn ms_since(start: std::time::Instant) -> f64 {
    (start.elapsed().as_micros() as f64) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_and_credential_pairs_are_masked() {
        let mut r = Redactor::default();
        r.add_values(["hunter2-secret-value".to_string()]);
        add_secrets(&r);
        let shown = Redacted(
            "CREATE REPOSITORY r WITH BROKER ON LOCATION 's3://b/hunter2-secret-value' PROPERTIES (\"aws.s3.secret_key\" = \"abc123xyz\")",
        )
        .to_string();
        assert!(!shown.contains("hunter2-secret-value"), "{shown}");
        assert!(!shown.contains("abc123xyz"), "{shown}");
        assert!(shown.contains("CREATE REPOSITORY r"), "{shown}");
    }
}
