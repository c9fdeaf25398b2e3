//! What `plan`, `inspect` and `apply` share: reading the policy file and the statement files
//! it names, turning `[cluster]` into connection options, and observing the cluster.
//!
//! Reading files and the environment happens here, in the binary; the compiler receives bytes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use starsnap_compiler::catalog::ObservedCatalog;
use starsnap_compiler::planner::StatementFile;
use starsnap_compiler::policy::{self, Policy, TlsConfig, TlsMode};
use starsnap_runtime::inspect::{inspect, InspectOptions};
use starsnap_runtime::{Cluster, ConnectOptions, RuntimeError, Tls};

use crate::render::FileReport;

/// The policy file and the statement files it names, read from disk.
pub struct Project {
    /// The policy path as given (`starsnap.toml`).
    pub policy_path: String,
    pub policy_text: String,
    /// The parsed policy (its warnings are reported by the planner, with the rest).
    pub policy: Option<Policy>,
    pub statement_files: Vec<StatementFile>,
}

/// Why a project could not be loaded.
pub enum LoadError {
    /// The policy file cannot be read (a usage problem: wrong `-c`).
    Unreadable(String),
    /// The policy has errors: render these reports.
    Findings(Vec<FileReport>),
    /// A statement file named by the policy cannot be read.
    Statement(String),
}

/// Reads `policy_path` and every `[[statement]]` file (paths relative to the policy's folder).
pub fn load(policy_path: &Path) -> Result<Project, LoadError> {
    let shown = policy_path.to_string_lossy().replace('\\', "/");
    let bytes =
        std::fs::read(policy_path).map_err(|e| LoadError::Unreadable(format!("{shown}: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| LoadError::Unreadable(format!("{shown}: not UTF-8 ({e})")))?;
    let (policy, findings) = policy::parse(&text);
    let parsed = match policy {
        Some(p) if !policy::has_errors(&findings) => p,
        _ => {
            return Err(LoadError::Findings(vec![FileReport::new(
                shown, text, findings,
            )]))
        }
    };
    let base: PathBuf = policy_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut statement_files = Vec::new();
    for s in &parsed.statements {
        let path = base.join(&s.file);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            LoadError::Statement(format!(
                "{} (named by [[statement]] in {shown}): {e}",
                path.display()
            ))
        })?;
        statement_files.push(StatementFile {
            path: s.file.clone(),
            text,
        });
    }
    Ok(Project {
        policy_path: shown,
        policy_text: text,
        policy: Some(parsed),
        statement_files,
    })
}

/// Connection options from `[cluster]`, or an error saying what is missing.
pub fn connect_options(policy: &Policy) -> Result<ConnectOptions, String> {
    let c = policy.cluster.as_ref().ok_or_else(|| {
        "the policy has no [cluster] section: add one, or plan from a file with --catalog"
            .to_string()
    })?;
    let tls = tls_options(&c.tls);
    Ok(ConnectOptions {
        host: c.host.clone(),
        port: c.port,
        user: c.user.clone(),
        password_env: c.password_env.clone(),
        connect_timeout: Duration::from_secs(c.connect_timeout_secs.max(1)),
        tls,
        ..ConnectOptions::default()
    })
}

/// `[cluster.tls]` or `[state.tls]` as connection options.
pub fn tls_options(c: &TlsConfig) -> Tls {
    let ca_file = c.ca_file.as_ref().map(std::path::PathBuf::from);
    match c.mode {
        TlsMode::Disabled => Tls::Disabled,
        TlsMode::Required => Tls::Required,
        TlsMode::VerifyCa => Tls::VerifyCa { ca_file },
        TlsMode::VerifyIdentity => Tls::VerifyIdentity { ca_file },
    }
}

/// Connects to the cluster `[cluster]` names; the password comes from the environment.
pub fn connect(policy: &Policy) -> Result<Cluster, String> {
    let opts = connect_options(policy)?;
    Cluster::connect(&opts, &|name| std::env::var(name).ok()).map_err(|e| e.to_string())
}

/// Observes the cluster: tables, partitions, repositories and snapshots in bulk, plus
/// starsnap's history from the state store.
pub fn observe(policy: &Policy, cluster: &mut Cluster) -> Result<ObservedCatalog, RuntimeError> {
    let mut options = InspectOptions::default();
    if policy.state.url.is_none() {
        options.skip_databases.insert(policy.state.database.clone());
    }
    let history = crate::cmd::state::read_history(policy)?;
    inspect(cluster, &options, history)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_modes_map_to_connection_options() {
        let text = "[cluster]\nhost = \"h\"\nport = 9030\nuser = \"u\"\n\n[cluster.tls]\nmode = \"verify_identity\"\nca_file = \"ca.pem\"\n";
        let (p, findings) = policy::parse(text);
        assert!(!policy::has_errors(&findings), "{findings:?}");
        let o = connect_options(&p.expect("policy")).expect("options");
        assert_eq!(
            o.tls,
            Tls::VerifyIdentity {
                ca_file: Some("ca.pem".into())
            }
        );
        let plain = policy::parse("[cluster]\nhost = \"h\"\nport = 9030\nuser = \"u\"\n").0;
        assert_eq!(
            connect_options(&plain.expect("policy"))
                .expect("options")
                .tls,
            Tls::Disabled
        );
    }
}
