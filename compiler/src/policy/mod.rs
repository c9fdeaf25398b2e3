//! The policy file `starsnap.toml`: the model ([`Policy`]) and its parser ([`parse`]).
//! Reference: `grammar/policy.md`; a complete example: `examples/starsnap.toml`.
//!
//! Parsing never fails as a whole: it returns the policy it could read (with defaults where a
//! value was wrong) and `P…` diagnostics whose spans are byte offsets into the TOML text, so
//! the CLI's renderers show them as file:line:col. Secrets are only ever *names* of
//! environment variables (invariant 7); a secret written inline is a `P007` error.

pub mod codes;
mod pattern;
mod reader;
mod sections;

pub use pattern::{glob, is_label_char, LabelTemplate, Pattern, DEFAULT_LABEL, MAX_LABEL_BYTES};

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::Level;
use crate::span::Span;
use crate::syntax::Dialect;

/// A parsed policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub cluster: Option<ClusterConfig>,
    pub state: StateConfig,
    /// Sorted by name.
    pub repositories: Vec<RepositoryConfig>,
    /// Sorted by name.
    pub groups: Vec<GroupConfig>,
    /// In file order.
    pub statements: Vec<StatementEntry>,
    pub lint: LintConfig,
}

/// `[cluster]`: how the runtime connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    pub host: String,
    /// MySQL-protocol port of a frontend (default 9030).
    pub port: u16,
    pub user: String,
    /// Name of the environment variable holding the password.
    pub password_env: Option<String>,
    pub tls: TlsConfig,
    /// Seconds (default 10).
    pub connect_timeout_secs: u64,
}

/// `[cluster.tls]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsConfig {
    pub mode: TlsMode,
    /// A CA bundle path (read by the runtime, not the compiler).
    pub ca_file: Option<String>,
}

/// How TLS is used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TlsMode {
    #[default]
    Disabled,
    /// Encrypt, do not verify the server.
    Required,
    /// Encrypt and verify the certificate chain.
    VerifyCa,
    /// Encrypt, verify the chain and the host name.
    VerifyIdentity,
}

impl TlsMode {
    pub const NAMES: [&'static str; 4] = ["disabled", "required", "verify_ca", "verify_identity"];

    pub fn parse(s: &str) -> Option<TlsMode> {
        match s {
            "disabled" => Some(TlsMode::Disabled),
            "required" => Some(TlsMode::Required),
            "verify_ca" => Some(TlsMode::VerifyCa),
            "verify_identity" => Some(TlsMode::VerifyIdentity),
            _ => None,
        }
    }
}

/// `[state]`: where history lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateConfig {
    /// Database name (default `starsnap`).
    pub database: String,
    /// A separate MySQL-compatible server (`mysql://user@host:port`); `None` = in the cluster.
    pub url: Option<String>,
    /// Name of the environment variable with the state server's password.
    pub password_env: Option<String>,
    /// `[state.tls]`: encryption of the connection to a separate state server.
    pub tls: TlsConfig,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            database: "starsnap".to_string(),
            url: None,
            password_env: None,
            tls: TlsConfig::default(),
        }
    }
}

/// A repository property value: literal, or a reference to an environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropertyValue {
    Literal(String),
    /// `${NAME}`: the runtime substitutes the variable's value at apply time.
    Env(String),
}

impl PropertyValue {
    /// The text that goes into a plan: the literal, or `${NAME}`.
    pub fn plan_text(&self) -> String {
        match self {
            PropertyValue::Literal(s) => s.clone(),
            PropertyValue::Env(name) => format!("${{{name}}}"),
        }
    }
}

/// `[repository.NAME]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepositoryConfig {
    pub name: String,
    pub location: String,
    pub broker: Option<String>,
    pub read_only: bool,
    /// Sorted by key.
    pub properties: Vec<(String, PropertyValue)>,
    /// The `[repository.NAME]` key's span.
    pub span: Span,
}

/// `[group.NAME]`: what to back up, where, and how often.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupConfig {
    pub name: String,
    pub include: Vec<Pattern>,
    pub exclude: Vec<Pattern>,
    pub materialized_views: bool,
    pub views: bool,
    pub functions: bool,
    /// External catalogs backed up with this group (names and their spans).
    pub external_catalogs: Vec<(String, Span)>,
    pub repository: String,
    pub repository_span: Span,
    /// A full backup at least this often (seconds; default 7 days).
    pub full_every_secs: u64,
    /// Incremental backups of changed partitions between fulls (default true).
    pub incremental: bool,
    /// Largest number of backups in a chain, the full included (default 30).
    pub max_chain_length: u32,
    pub label: LabelTemplate,
    /// BACKUP `timeout` (seconds; default 1 day, at least 600).
    pub job_timeout_secs: u64,
    /// Split a job above this many partitions (`None`: never).
    pub max_partitions_per_job: Option<u32>,
    /// `keep` and `min_chains`: which sets stay in the repository (`None`: all of them).
    pub retention: Option<Retention>,
    /// `ttl`: StarRocks 4.2's own snapshot expiry (seconds), set on every BACKUP of the group.
    pub ttl_secs: Option<u64>,
    /// The `ttl` value's span (the group's when unset).
    pub ttl_span: Span,
    pub span: Span,
}

/// `keep = { last, daily, weekly, monthly, within }` and `min_chains` of a group: restic-style
/// rules over backup *sets*, closed over chains by the planner (`planner::retention`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    pub keep: KeepRules,
    /// Complete chains (a full and its incrementals) never fewer than this (default 1).
    pub min_chains: u32,
    /// The `keep` key's span (plan details point at the policy).
    pub span: Span,
}

/// The keep rules; `None` means the rule is not used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeepRules {
    /// The newest N sets.
    pub last: Option<u32>,
    /// The newest set of each of the last N UTC days that have one.
    pub daily: Option<u32>,
    /// The newest set of each of the last N ISO weeks (UTC) that have one.
    pub weekly: Option<u32>,
    /// The newest set of each of the last N UTC months that have one.
    pub monthly: Option<u32>,
    /// Every set made within this many seconds before the plan's `as_of`.
    pub within_secs: Option<u64>,
}

impl KeepRules {
    /// Whether no rule is set.
    pub fn is_empty(&self) -> bool {
        self.last.is_none()
            && self.daily.is_none()
            && self.weekly.is_none()
            && self.monthly.is_none()
            && self.within_secs.is_none()
    }
}

/// The StarRocks BACKUP `ttl` text for a duration: `<n> DAY`, `<n> HOUR`, `<n> MINUTE` or
/// `<n> SECOND` (StarRocks 4.2 rejects `7d`; spec §5.2).
pub fn ttl_text(secs: u64) -> String {
    if secs % 86_400 == 0 {
        format!("{} DAY", secs / 86_400)
    } else if secs % 3_600 == 0 {
        format!("{} HOUR", secs / 3_600)
    } else if secs % 60 == 0 {
        format!("{} MINUTE", secs / 60)
    } else {
        format!("{secs} SECOND")
    }
}

/// `[[statement]]`: a file of hand-written SQL whose statements become steps, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementEntry {
    /// The path as written in the policy (relative to the policy file).
    pub file: String,
    pub span: Span,
}

/// `[lint]`: the dialect and severity overrides used for hand-written statements.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintConfig {
    pub dialect: Option<Dialect>,
    /// Code or rule name → level, sorted by key.
    pub severity: Vec<(String, Level)>,
}

/// Parses a policy. Returns the policy (unless the TOML itself is unreadable) and every
/// finding; an error-severity finding means the policy must not be planned from.
pub fn parse(text: &str) -> (Option<Policy>, Vec<Diagnostic>) {
    let (doc, errors) = toml::de::DeTable::parse_recoverable(text);
    // Only the first syntax error: TOML recovery after a typo tends to cascade.
    let mut diagnostics: Vec<Diagnostic> = errors
        .iter()
        .take(1)
        .map(|e| {
            let span = e
                .span()
                .map(|r| Span::new(r.start, r.end))
                .unwrap_or_default();
            Diagnostic::error(
                codes::TOML_SYNTAX,
                span,
                format!("invalid TOML: {}", e.message().trim()),
            )
        })
        .collect();
    if !diagnostics.is_empty() {
        return (None, diagnostics);
    }
    let (policy, found) = sections::read(doc.get_ref(), reader::span_of(&doc));
    diagnostics.extend(found);
    diagnostics.sort_by(|a, b| (a.span.start, &a.code).cmp(&(b.span.start, &b.code)));
    (Some(policy), diagnostics)
}

/// Whether any finding is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// The largest `[[statement]]` file the CLI reads: hand-written SQL is a few statements, and
/// a larger file is more likely `/dev/zero` or a log than a reviewed script.
pub const MAX_STATEMENT_FILE_BYTES: u64 = 1 << 20;

/// Why a `[[statement]] file` path is refused from its text alone: it must be relative to the
/// policy's folder and stay below it. The CLI then checks what the file system says (a
/// symlink leading out, not a regular file, too large); both give `P013`.
pub fn statement_path_problem(path: &str) -> Option<&'static str> {
    let bytes = path.as_bytes();
    if path.is_empty() {
        return Some("the path is empty");
    }
    if path.chars().any(char::is_control) {
        return Some("the path holds a control character");
    }
    if bytes[0] == b'/' || bytes[0] == b'\\' {
        return Some("the path is absolute");
    }
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Some("the path names a drive");
    }
    if path.split(['/', '\\']).any(|c| c == "..") {
        return Some("the path has a `..` component");
    }
    None
}

/// `[A-Za-z_][A-Za-z0-9_]*`: the names accepted for environment variables.
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
