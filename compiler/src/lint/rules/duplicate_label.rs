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

/// The labels seen so far, across files; only the (repository, label) names and where the
/// first use is are kept, not the statements.
#[derive(Default)]
pub(crate) struct Labels<'a> {
    first: HashMap<(String, String), (usize, Span, &'a str, &'a str)>,
    indexes: HashMap<usize, LineIndex>,
    /// (file index, finding) for every occurrence after the first, in the order seen.
    pub out: Vec<(usize, Diagnostic)>,
}

impl<'a> Labels<'a> {
    /// Records a statement of file `file` (`path`, text `src`); a BACKUP repeating a
    /// (repository, label) pair seen before gives a finding.
    pub fn see(&mut self, file: usize, path: &'a str, src: &'a str, statement: &Statement) {
        let Statement::Backup(b) = statement else {
            return;
        };
        let Some(label) = b.label_name() else {
            return;
        };
        if label.value.is_empty() {
            return;
        }
        let key = (b.repository.value.clone(), label.value.clone());
        match self.first.get(&key) {
            None => {
                self.first.insert(key, (file, label.span, path, src));
            }
            Some(&(first_file, span, first_path, first_src)) => {
                let lc = self
                    .indexes
                    .entry(first_file)
                    .or_insert_with(|| LineIndex::new(first_src))
                    .line_col(first_src, span.start);
                let mut d = Diagnostic::new(
                    Rule::DuplicateLabel.code(),
                    Rule::DuplicateLabel.default_severity(),
                    label.span,
                    format!(
                        "snapshot label `{}` is already backed up to repository `{}` at {}:{}:{}",
                        label.value, b.repository.value, first_path, lc.line, lc.col
                    ),
                );
                d.help("give each backup its own label, e.g. with the date: the second BACKUP fails with `Snapshot with name '…' already exist in repository`");
                if first_file == file {
                    d.label(span, "first used here");
                }
                self.out.push((file, d));
            }
        }
    }
}
