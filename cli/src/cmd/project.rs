//! What `plan`, `inspect` and `apply` share: reading the policy file and the statement files
//! it names, turning `[cluster]` into connection options, and observing the cluster.
//!
//! Reading files and the environment happens here, in the binary; the compiler receives bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use starsnap_compiler::catalog::{History, ObservedCatalog};
use starsnap_compiler::planner::{PlanInputs, StatementFile};
use starsnap_compiler::policy::{self, codes, Policy, TlsConfig, TlsMode};
use starsnap_compiler::Diagnostic;
use starsnap_runtime::inspect::{inspect, InspectOptions, PartitionDetail};
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
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut statement_files = Vec::new();
    let mut refused = Vec::new();
    for s in &parsed.statements {
        match read_statement_file(&base, &s.file) {
            Ok(text) => statement_files.push(StatementFile {
                path: s.file.clone(),
                text,
            }),
            Err(StatementProblem::Refused(code, message)) => refused.push(
                Diagnostic::error(code, s.span, message).with_help(
                    "statement files are regular files of at most 1 MiB inside the policy file's folder",
                ),
            ),
            Err(StatementProblem::Io(e)) => {
                return Err(LoadError::Statement(format!(
                    "{} (named by [[statement]] in {shown}): {e}",
                    base.join(&s.file).display()
                )))
            }
        }
    }
    if !refused.is_empty() {
        return Err(LoadError::Findings(vec![FileReport::new(
            shown, text, refused,
        )]));
    }
    Ok(Project {
        policy_path: shown,
        policy_text: text,
        policy: Some(parsed),
        statement_files,
    })
}

/// Why a statement file was not read.
enum StatementProblem {
    /// A finding at the `file = …` value: a code and a message.
    Refused(&'static str, String),
    /// The file passed every check but reading it failed.
    Io(std::io::Error),
}

/// Reads a `[[statement]]` file `rel` (its text already checked by the compiler: relative, no
/// `..`) below `base`, refusing what the file system makes of it: a symlink that leads out of
/// `base` once resolved, anything but a regular file, more than
/// [`policy::MAX_STATEMENT_FILE_BYTES`] (checked on the length and again while reading, so a
/// file that grows or lies about its size is still cut off).
fn read_statement_file(base: &Path, rel: &str) -> Result<String, StatementProblem> {
    use std::io::Read;
    let refused = |m: String| StatementProblem::Refused(codes::STATEMENT_FILE_REFUSED, m);
    let shown = rel.escape_debug().to_string();
    let root = std::fs::canonicalize(base).map_err(StatementProblem::Io)?;
    let resolved = match std::fs::canonicalize(base.join(rel)) {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StatementProblem::Refused(
                codes::STATEMENT_FILE_MISSING,
                format!("statement file `{shown}` was not found"),
            ))
        }
        Err(e) => {
            return Err(refused(format!(
                "statement file `{shown}` cannot be read: {e}"
            )))
        }
    };
    if !resolved.starts_with(&root) {
        return Err(refused(format!(
            "statement file `{shown}` leads outside the policy file's folder (through a symbolic link)"
        )));
    }
    let meta = std::fs::metadata(&resolved).map_err(StatementProblem::Io)?;
    if !meta.is_file() {
        return Err(refused(format!(
            "statement file `{shown}` is not a regular file"
        )));
    }
    let limit = policy::MAX_STATEMENT_FILE_BYTES;
    let too_large = || {
        refused(format!(
            "statement file `{shown}` is larger than {limit} bytes"
        ))
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let file = std::fs::File::open(&resolved).map_err(StatementProblem::Io)?;
    // What was opened, not what was looked at before (it may have been swapped since).
    if !file.metadata().map_err(StatementProblem::Io)?.is_file() {
        return Err(refused(format!(
            "statement file `{shown}` is not a regular file"
        )));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(StatementProblem::Io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    String::from_utf8(bytes)
        .map_err(|e| refused(format!("statement file `{shown}` is not UTF-8 ({e})")))
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
    let history = crate::cmd::state::read_history(policy)?;
    observe_with_history(policy, cluster, history)
}

/// Observes the cluster for a backup plan into `inputs.catalog`: like [`observe`], but
/// partitions are listed and the history's manifests read only where the plan compares
/// them — the tables that may have changed since their chain's last set, in the chains the
/// plan extends (`planner::partitions_needed`, `planner::manifests_needed`). The plan is the
/// same as from every partition and the whole history (issue 14).
pub fn observe_for_plan(
    policy: &Policy,
    cluster: &mut Cluster,
    inputs: &mut PlanInputs,
) -> Result<(), RuntimeError> {
    let mut store = crate::cmd::state::open_store(policy)
        .map_err(|message| RuntimeError::StateUnavailable { message })?;
    let initialised = store.schema_version()?.is_some();
    let cluster = std::cell::RefCell::new(cluster);
    let mut observe = starsnap_runtime::state::digests::ObserveWith {
        catalog: |history: History| {
            let mut c = cluster.borrow_mut();
            observe_detail(policy, &mut c, history, PartitionDetail::Summed)
        },
        partitions: |catalog: &mut ObservedCatalog, tables: &BTreeMap<String, BTreeSet<String>>| {
            let mut c = cluster.borrow_mut();
            retrying(policy, &mut c, &mut |c| {
                starsnap_runtime::inspect::read_partitions(c, catalog, tables)
            })
        },
    };
    starsnap_runtime::state::digests::observe_for_plan(
        initialised.then_some(&mut store),
        inputs,
        &mut observe,
    )
}

/// [`observe`] with a history from elsewhere (a repository's set manifests, or only the
/// chains a plan needs): the state store is not read; the state database is skipped when it
/// lives in the cluster.
pub fn observe_with_history(
    policy: &Policy,
    cluster: &mut Cluster,
    history: History,
) -> Result<ObservedCatalog, RuntimeError> {
    observe_detail(policy, cluster, history, PartitionDetail::Listed)
}

fn observe_detail(
    policy: &Policy,
    cluster: &mut Cluster,
    history: History,
    partitions: PartitionDetail,
) -> Result<ObservedCatalog, RuntimeError> {
    let mut options = InspectOptions {
        partitions,
        ..InspectOptions::default()
    };
    if policy.state.url.is_none() {
        options.skip_databases.insert(policy.state.database.clone());
    }
    retrying(policy, cluster, &mut |c| {
        inspect(c, &options, history.clone())
    })
}

/// Runs `read` on `cluster`; a connection dropped meanwhile is retried over a fresh one,
/// like apply's statements (transient errors, a capped backoff, a deadline).
fn retrying<T>(
    policy: &Policy,
    cluster: &mut Cluster,
    read: &mut dyn FnMut(&mut Cluster) -> Result<T, RuntimeError>,
) -> Result<T, RuntimeError> {
    let mut backoff = starsnap_runtime::apply::Backoff::new(Duration::from_secs(60));
    loop {
        match read(cluster) {
            Err(e) if e.is_transient() && backoff.wait() => {
                if let Ok(fresh) = connect(policy) {
                    *cluster = fresh;
                }
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads a policy in `dir` naming `file`; the codes of the findings, or the statement text.
    fn load_one(dir: &Path, file: &str) -> Result<String, Vec<String>> {
        let policy = dir.join("starsnap.toml");
        std::fs::write(&policy, format!("[[statement]]\nfile = \"{file}\"\n")).expect("write");
        match load(&policy) {
            Ok(p) => Ok(p.statement_files[0].text.clone()),
            Err(LoadError::Findings(reports)) => Err(reports
                .iter()
                .flat_map(|r| r.diagnostics.iter().map(|d| d.code.to_string()))
                .collect()),
            Err(LoadError::Unreadable(e) | LoadError::Statement(e)) => Err(vec![e]),
        }
    }

    #[test]
    fn statement_files_stay_inside_the_project() {
        let outside = tempfile::tempdir().expect("tempdir");
        let secret = outside.path().join("credentials");
        std::fs::write(&secret, "aws_secret_access_key = canary").expect("write");
        let project = tempfile::tempdir().expect("tempdir");
        let dir = project.path();
        std::fs::create_dir(dir.join("sql")).expect("mkdir");
        std::fs::write(dir.join("sql/ok.sql"), "SHOW BACKUP;\n").expect("write");
        assert_eq!(load_one(dir, "sql/ok.sql"), Ok("SHOW BACKUP;\n".into()));
        assert_eq!(load_one(dir, "./sql/ok.sql"), Ok("SHOW BACKUP;\n".into()));
        // Refused from the text alone (the compiler's check).
        let abs = secret.to_string_lossy().replace('\\', "/");
        assert_eq!(load_one(dir, &abs), Err(vec!["P013".into()]));
        assert_eq!(load_one(dir, "../x.sql"), Err(vec!["P013".into()]));
        assert_eq!(load_one(dir, "missing.sql"), Err(vec!["P012".into()]));
        // A directory, and a file over the limit.
        assert_eq!(load_one(dir, "sql"), Err(vec!["P013".into()]));
        let big = std::fs::File::create(dir.join("big.sql")).expect("create");
        big.set_len(policy::MAX_STATEMENT_FILE_BYTES + 1)
            .expect("set_len");
        assert_eq!(load_one(dir, "big.sql"), Err(vec!["P013".into()]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            // A symlink leading out of the folder, to a secret or to a device.
            symlink(&secret, dir.join("sql/creds.sql")).expect("symlink");
            assert_eq!(load_one(dir, "sql/creds.sql"), Err(vec!["P013".into()]));
            symlink("/dev/zero", dir.join("zero.sql")).expect("symlink");
            assert_eq!(load_one(dir, "zero.sql"), Err(vec!["P013".into()]));
            symlink(outside.path(), dir.join("out")).expect("symlink");
            assert_eq!(load_one(dir, "out/credentials"), Err(vec!["P013".into()]));
            // A symlink staying inside is followed.
            symlink("ok.sql", dir.join("sql/alias.sql")).expect("symlink");
            assert_eq!(load_one(dir, "sql/alias.sql"), Ok("SHOW BACKUP;\n".into()));
        }
    }

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
