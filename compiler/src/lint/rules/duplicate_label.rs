//! L008 duplicate-label (cross-file: run by the driver over every linted file).

use std::collections::hash_map::{Entry, HashMap};

use super::DiagnosticExt;
use crate::diagnostic::Diagnostic;
use crate::lint::registry::{rule_doc, Rule};
use crate::span::{LineCol, LineCursor, Span};
use crate::syntax::ast::Statement;

rule_doc! {
    /// ## What it does
    /// Flags a BACKUP whose snapshot label was already used by another BACKUP to the same
    /// repository, in the same file or in any other linted file.
    ///
    /// ## Why is this bad?
    /// Labels are unique per repository: the second BACKUP fails at execution with `Snapshot
    /// with name '<label>' already exist in repository` — typically in the middle of a
    /// scheduled run, after the first one succeeded. Give every backup its own label (starsnap
    /// derives labels from the database and the time).
    ///
    /// ## Example
    /// ```sql
    /// BACKUP DATABASE sales SNAPSHOT nightly TO repo;
    /// BACKUP DATABASE sales SNAPSHOT nightly TO repo;
    /// ```
    /// Use instead:
    /// ```sql
    /// BACKUP DATABASE sales SNAPSHOT sales_20240601 TO repo;
    /// BACKUP DATABASE sales SNAPSHOT sales_20240602 TO repo;
    /// ```
    DuplicateLabel
}

/// A BACKUP's use of a snapshot label: the (repository, label) names, where the label is,
/// and its line and column (for the message of a later duplicate).
#[derive(Debug)]
pub(crate) struct Use {
    repository: String,
    label: String,
    span: Span,
    at: LineCol,
}

impl Use {
    /// The use, its line counted from a line `lines` line feeds further up.
    pub(crate) fn below(mut self, lines: usize) -> Use {
        self.at.line += lines;
        self
    }
}

/// The label `statement` uses, if it is a BACKUP with a label; `lines` locates it.
pub(crate) fn label_use(statement: &Statement, lines: &mut LineCursor<'_>) -> Option<Use> {
    let Statement::Backup(b) = statement else {
        return None;
    };
    let label = b.label_name()?;
    if label.value.is_empty() {
        return None;
    }
    Some(Use {
        repository: b.repository.value.clone(),
        label: label.value.clone(),
        span: label.span,
        at: lines.line_col(label.span.start),
    })
}

/// The labels seen so far, across files; only the (repository, label) names and where the
/// first use is are kept, not the statements.
#[derive(Default)]
pub(crate) struct Labels<'a> {
    first: HashMap<(String, String), (usize, Span, &'a str, LineCol)>,
}

impl<'a> Labels<'a> {
    /// Records a label use of file `file` (`path`); one repeating a (repository, label) pair
    /// seen before gives a finding. Uses must come in file order, each file's in text order.
    pub fn see(&mut self, file: usize, path: &'a str, used: Use) -> Option<Diagnostic> {
        let o = match self.first.entry((used.repository, used.label)) {
            Entry::Vacant(v) => {
                v.insert((file, used.span, path, used.at));
                return None;
            }
            Entry::Occupied(o) => o,
        };
        let (repository, label) = o.key();
        let &(first_file, span, first_path, lc) = o.get();
        let mut d = Diagnostic::new(
            Rule::DuplicateLabel.code(),
            Rule::DuplicateLabel.default_severity(),
            used.span,
            format!(
                "snapshot label `{label}` is already backed up to repository `{repository}` at {first_path}:{}:{}",
                lc.line, lc.col
            ),
        );
        d.help("give each backup its own label, e.g. with the date: the second BACKUP fails with `Snapshot with name '…' already exist in repository`");
        if first_file == file {
            d.label(span, "first used here");
        }
        Some(d)
    }
}
