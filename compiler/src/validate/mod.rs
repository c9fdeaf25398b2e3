//! Validation: the checks StarRocks's analyzer makes after parsing, reproduced in StarRocks's
//! own order (spec §2), with StarRocks's exact client text, error code and SQLSTATE attached to
//! every finding so the simulator can answer exactly as StarRocks does.
//!
//! [`analyze_static`] needs nothing but the statement. [`analyze`] also takes a [`Catalog`]:
//! checks that need cluster state (does the database, the repository, the table exist?) run at
//! the point StarRocks runs them, and are skipped when the catalog does not know the answer
//! ([`NoCatalog`] knows nothing). Findings come back in StarRocks's check order, so the first
//! one carrying a [`StarRocksError`] is what StarRocks answers ([`starrocks_error`]).
//! AstBuilder rules (spec §1.3) are syntax errors and belong to the parser.

mod backup;
mod codes;
pub mod java;
pub mod names;
mod properties;
mod repository;
mod restore;
mod snapshot_where;
#[cfg(test)]
mod tests;

pub use codes::Check;

use crate::diagnostic::{Diagnostic, Stage, StarRocksError};
use crate::span::{LineIndex, Span};
use crate::syntax::ast::Statement;
use crate::syntax::Dialect;

/// What validation may ask about the cluster. Every answer is optional: `None` means "not
/// known", and the check is skipped (the statement is assumed fine on that point).
pub trait Catalog {
    /// The session's current database (`USE d`), used when a BACKUP names none.
    fn current_database(&self) -> Option<&str> {
        None
    }
    fn database_exists(&self, _name: &str) -> Option<bool> {
        None
    }
    fn repository_exists(&self, _name: &str) -> Option<bool> {
        None
    }
    fn table_exists(&self, _database: &str, _table: &str) -> Option<bool> {
        None
    }
    /// Whether `partition` exists in the native table `table` (names as StarRocks looks them
    /// up: case-insensitively).
    fn partition_exists(&self, _database: &str, _table: &str, _partition: &str) -> Option<bool> {
        None
    }
    /// Whether an external catalog of that name exists.
    fn catalog_exists(&self, _name: &str) -> Option<bool> {
        None
    }
}

/// A catalog that knows nothing: only the static checks run.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoCatalog;

impl Catalog for NoCatalog {}

/// The statement being validated and where it sits in its source.
#[derive(Clone, Copy, Debug)]
pub struct StatementInput<'a> {
    /// The whole source text the statement's spans point into.
    pub src: &'a str,
    /// The statement's span in `src`: StarRocks positions are relative to its start (the
    /// statement text as sent to the server).
    pub span: Span,
    pub dialect: Dialect,
}

/// Runs the static checks (no catalog) on one statement.
pub fn analyze_static(
    stmt: &Statement,
    stmt_span: Span,
    src: &str,
    dialect: Dialect,
) -> Vec<Diagnostic> {
    analyze(
        stmt,
        StatementInput {
            src,
            span: stmt_span,
            dialect,
        },
        &NoCatalog,
    )
}

/// Runs every check StarRocks's analyzer makes on `stmt`, in StarRocks's order.
pub fn analyze(
    stmt: &Statement,
    input: StatementInput<'_>,
    catalog: &dyn Catalog,
) -> Vec<Diagnostic> {
    let mut cx = Cx::new(input, catalog);
    match stmt {
        Statement::Backup(b) => backup::check(&mut cx, b),
        Statement::Restore(r) => restore::check(&mut cx, r),
        Statement::CreateRepository(c) => repository::check_create(&mut cx, c),
        Statement::DropRepository(d) => repository::check_drop(&mut cx, d),
        Statement::ShowSnapshot(s) => snapshot_where::check(&mut cx, s),
        Statement::ShowJobs(s) => {
            if let Some(db) = &s.database {
                cx.check_database_exists(&db.value);
            }
        }
        Statement::Cancel(_)
        | Statement::ShowRepositories(_)
        | Statement::ShowPartitions(_)
        | Statement::DropSnapshot(_)
        | Statement::Alter(_)
        | Statement::Other { .. } => {}
    }
    cx.out
}

/// The error StarRocks answers for a statement with these findings: the first one that
/// StarRocks itself would report.
pub fn starrocks_error(diagnostics: &[Diagnostic]) -> Option<&StarRocksError> {
    diagnostics.iter().find_map(|d| d.starrocks.as_ref())
}

/// Shared state of one statement's validation.
pub(crate) struct Cx<'a> {
    pub input: StatementInput<'a>,
    pub catalog: &'a dyn Catalog,
    pub out: Vec<Diagnostic>,
    index: Option<LineIndex>,
}

impl<'a> Cx<'a> {
    fn new(input: StatementInput<'a>, catalog: &'a dyn Catalog) -> Self {
        Cx {
            input,
            catalog,
            out: Vec::new(),
            index: None,
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.input.dialect
    }

    fn stmt_text(&self) -> &'a str {
        let s = self.input.span;
        self.input.src.get(s.start..s.end).unwrap_or("")
    }

    /// StarRocks's position of `offset` (absolute) in the statement text: (line, column).
    fn position(&mut self, offset: usize) -> (usize, usize) {
        let text = self.stmt_text();
        let index = self.index.get_or_insert_with(|| LineIndex::new(text));
        let rel = offset.saturating_sub(self.input.span.start);
        crate::diagnostic::starrocks_position(index, text, rel)
    }

    /// ` at line L, column C` or ` from line … to line …, column …` for a node starting at
    /// `span.start` whose last token starts at `last_token_start(span)`.
    pub fn pos_text(&mut self, span: Span) -> String {
        let end = last_token_start(self.input.src, span);
        let (l1, c1) = self.position(span.start);
        let (l2, c2) = self.position(end);
        if (l1, c1) == (l2, c2) {
            format!(" at line {l1}, column {c1}")
        } else {
            format!(" from line {l1}, column {c1} to line {l2}, column {c2}")
        }
    }

    /// Records a finding. `pos`: the StarRocks position text (empty for none); `detail`:
    /// StarRocks's detail message.
    pub fn emit(
        &mut self,
        check: Check,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
        pos: String,
        detail: &str,
    ) -> &mut Diagnostic {
        let (code, sqlstate) = check.starrocks_code();
        let stage = if check.needs_catalog() {
            Stage::AnalyzeCatalog
        } else {
            Stage::AnalyzeStatic
        };
        let sr = StarRocksError {
            code,
            sqlstate: sqlstate.to_string(),
            message: format!("Getting analyzing error{pos}. Detail message: {detail}."),
            stage,
        };
        self.out.push(
            Diagnostic::new(check.code(), check.severity(), span, message)
                .with_help(help)
                .with_starrocks(sr),
        );
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// `getDatabase`: AE `Unknown database 'x'` when the catalog knows it is missing.
    pub fn check_database_exists(&mut self, name: &str) -> bool {
        self.check_database_exists_at(name, self.input.span)
    }

    pub fn check_database_exists_at(&mut self, name: &str, span: Span) -> bool {
        if self.catalog.database_exists(name) == Some(false) {
            self.emit(
                Check::UnknownDatabase,
                span,
                format!("database `{name}` does not exist"),
                "create the database first, or check the spelling (names are case-sensitive)",
                String::new(),
                &format!("Unknown database '{name}'"),
            );
            return false;
        }
        true
    }
}

/// The byte offset where the last token inside `span` starts (StarRocks ranges end at the
/// start of their last token). Handles identifiers, back-quoted names, strings and symbols.
pub(crate) fn last_token_start(src: &str, span: Span) -> usize {
    let Some(text) = src.get(span.start..span.end) else {
        return span.start;
    };
    let trimmed = text.trim_end();
    let bytes = trimmed.as_bytes();
    let Some(&last) = bytes.last() else {
        return span.start;
    };
    let rel = match last {
        b'`' | b'"' | b'\'' => {
            // Walk back to the opening quote; a doubled quote is part of the token.
            let mut i = bytes.len() - 1;
            loop {
                if i == 0 {
                    break 0;
                }
                i -= 1;
                if bytes[i] == last {
                    if i > 0 && bytes[i - 1] == last {
                        i -= 1;
                        continue;
                    }
                    break i;
                }
            }
        }
        c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 || c == b'$' => {
            let mut i = bytes.len();
            while i > 0 {
                let b = bytes[i - 1];
                if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 || b == b'$' {
                    i -= 1;
                } else {
                    break;
                }
            }
            i
        }
        _ => bytes.len() - 1,
    };
    span.start + rel
}
