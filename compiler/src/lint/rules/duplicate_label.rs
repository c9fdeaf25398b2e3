//! L008 duplicate-label (cross-file: run by the driver over every linted file).

use std::collections::HashMap;

use super::DiagnosticExt;
use crate::diagnostic::Diagnostic;
use crate::lint::registry::{rule_doc, Rule};
use crate::span::{LineIndex, Span};
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

/// A BACKUP label occurrence: file index, label span.
pub(crate) struct Occurrence<'a> {
    pub file: usize,
    pub path: &'a str,
    pub src: &'a str,
    pub statement: &'a Statement,
}

/// Finds repeated (repository, label) pairs; returns (file index, finding) for every
/// occurrence after the first.
pub(crate) fn check_all(occurrences: &[Occurrence<'_>]) -> Vec<(usize, Diagnostic)> {
    let mut first: HashMap<(&str, &str), (usize, Span, &str, &str)> = HashMap::new();
    let mut indexes: HashMap<usize, LineIndex> = HashMap::new();
    let mut out = Vec::new();
    for o in occurrences {
        let Statement::Backup(b) = o.statement else {
            continue;
        };
        let Some(label) = b.label_name() else {
            continue;
        };
        if label.value.is_empty() {
            continue;
        }
        let key = (b.repository.value.as_str(), label.value.as_str());
        match first.get(&key) {
            None => {
                first.insert(key, (o.file, label.span, o.path, o.src));
            }
            Some(&(file, span, path, src)) => {
                let lc = indexes
                    .entry(file)
                    .or_insert_with(|| LineIndex::new(src))
                    .line_col(src, span.start);
                let mut d = Diagnostic::new(
                    Rule::DuplicateLabel.code(),
                    Rule::DuplicateLabel.default_severity(),
                    label.span,
                    format!(
                        "snapshot label `{}` is already backed up to repository `{}` at {}:{}:{}",
                        label.value, b.repository.value, path, lc.line, lc.col
                    ),
                );
                d.help("give each backup its own label, e.g. with the date: the second BACKUP fails with `Snapshot with name '…' already exist in repository`");
                if file == o.file {
                    d.label(span, "first used here");
                }
                out.push((o.file, d));
            }
        }
    }
    out
}
