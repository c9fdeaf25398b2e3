//! Diagnostics are data. The compiler produces them; renderers in the CLI turn them into
//! text, JSON, SARIF or GitHub annotations. Nothing in this crate prints.
//!
//! A diagnostic carries starsnap's own stable code, message and help, and — when the same
//! condition makes StarRocks refuse the statement — the exact error StarRocks would send
//! (text, MySQL error code, SQLSTATE), so the simulator can answer exactly as StarRocks does
//! from the same checks.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::span::{LineIndex, Span};

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in StarRocks's pipeline a statement is refused (spec §0.1: parse → AstBuilder →
/// analyzer → authorizer → execution).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Grammar or AstBuilder (`Getting syntax error …`).
    Parse,
    /// Analyzer checks that need no catalog state (`Getting analyzing error …`).
    AnalyzeStatic,
    /// Checks that need the catalog (unknown table, repository, …): planner and simulator.
    AnalyzeCatalog,
    /// Execution (`BackupHandler`): bare message.
    Execute,
}

/// The error StarRocks 3.4 sends to the client for the same condition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarRocksError {
    /// MySQL error code, e.g. 1064 or 5064.
    pub code: u16,
    /// SQLSTATE, e.g. `HY000` or `42000`.
    pub sqlstate: String,
    /// The exact text of the ERR packet, prefix and position included.
    pub message: String,
    pub stage: Stage,
}

/// A secondary location attached to a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One finding about the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code (`S…` syntax, `V…` StarRocks validation, `L…` starsnap lint rules,
    /// `D…` dialect/version, `P…` policy). Never reused for another meaning.
    pub code: String,
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// Primary location (byte span in the source the diagnostic was produced from).
    pub span: Span,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// How to fix it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// What StarRocks itself would answer, when StarRocks refuses the statement too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starrocks: Option<StarRocksError>,
}

impl Diagnostic {
    pub fn new(
        code: impl Into<String>,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code: code.into(),
            severity,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
            starrocks: None,
        }
    }

    pub fn error(code: impl Into<String>, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, span, message)
    }

    pub fn warning(code: impl Into<String>, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, span, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_starrocks(mut self, err: StarRocksError) -> Self {
        self.starrocks = Some(err);
        self
    }
}

/// StarRocks positions: 1-based line, 0-based character column (ANTLR `charPositionInLine`).
pub fn starrocks_position(index: &LineIndex, text: &str, offset: usize) -> (usize, usize) {
    let lc = index.line_col(text, offset);
    (lc.line, lc.col - 1)
}
