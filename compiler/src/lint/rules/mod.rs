//! starsnap's lint rules, one file per rule. Each file documents its rule in the doc comment of
//! a marker type (declared with `rule_doc!`) and exposes `check`, which looks at one statement
//! and reports through [`RuleCx`]. Cross-file rules (`duplicate_label`) are run by the driver.

pub(crate) mod allow_load_ignored;
pub(crate) mod backup_without_database;
pub(crate) mod cancel_in_file;
pub(crate) mod drop_repository;
pub(crate) mod duplicate_label;
pub(crate) mod duplicate_partition;
pub(crate) mod incremental_backup;
pub(crate) mod inline_secret;
pub(crate) mod key_partition;
pub(crate) mod legacy_syntax;
pub(crate) mod materialized_views_skipped;
pub(crate) mod object_keyword_unchecked;
pub(crate) mod restore_database_in_place;
pub(crate) mod restore_in_place;
pub(crate) mod restore_without_replication_num;
pub(crate) mod short_timeout;
pub(crate) mod show_restore_where;
pub(crate) mod suppression_rules;
pub(crate) mod temporary_partition;
pub(crate) mod timestamp_format;

use super::registry::Rule;
use crate::diagnostic::{Diagnostic, Label, Stage, StarRocksError};
use crate::span::Span;
use crate::syntax::ast::{NamedObject, ObjectItem, ObjectList, Properties, Property, Statement};
use crate::syntax::Dialect;
use crate::validate::java;

/// What a rule sees besides the statement, and where it reports.
pub(crate) struct RuleCx<'a> {
    #[allow(dead_code)]
    pub src: &'a str,
    pub dialect: Dialect,
    pub out: Vec<Diagnostic>,
}

impl<'a> RuleCx<'a> {
    pub fn new(src: &'a str, dialect: Dialect) -> Self {
        RuleCx {
            src,
            dialect,
            out: Vec::new(),
        }
    }

    /// Records a finding of `rule` with its default severity (the driver applies overrides).
    pub fn report(
        &mut self,
        rule: Rule,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.out.push(Diagnostic::new(
            rule.code(),
            rule.default_severity(),
            span,
            message,
        ));
        let last = self.out.len() - 1;
        &mut self.out[last]
    }
}

/// Builder-style setters on a reported diagnostic.
pub(crate) trait DiagnosticExt {
    fn help(&mut self, help: impl Into<String>) -> &mut Self;
    fn label(&mut self, span: Span, message: impl Into<String>) -> &mut Self;
    fn starrocks(
        &mut self,
        code: u16,
        sqlstate: &str,
        message: impl Into<String>,
        stage: Stage,
    ) -> &mut Self;
}

impl DiagnosticExt for Diagnostic {
    fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    fn label(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    fn starrocks(
        &mut self,
        code: u16,
        sqlstate: &str,
        message: impl Into<String>,
        stage: Stage,
    ) -> &mut Self {
        self.starrocks = Some(StarRocksError {
            code,
            sqlstate: sqlstate.to_string(),
            message: message.into(),
            stage,
        });
        self
    }
}

/// Runs every single-statement rule on `stmt`.
pub(crate) fn check_statement(stmt: &Statement, cx: &mut RuleCx<'_>) {
    legacy_syntax::check(stmt, cx);
    backup_without_database::check(stmt, cx);
    incremental_backup::check(stmt, cx);
    timestamp_format::check(stmt, cx);
    restore_in_place::check(stmt, cx);
    restore_database_in_place::check(stmt, cx);
    restore_without_replication_num::check(stmt, cx);
    inline_secret::check(stmt, cx);
    short_timeout::check(stmt, cx);
    allow_load_ignored::check(stmt, cx);
    drop_repository::check(stmt, cx);
    duplicate_partition::check(stmt, cx);
    temporary_partition::check(stmt, cx);
    key_partition::check(stmt, cx);
    show_restore_where::check(stmt, cx);
    cancel_in_file::check(stmt, cx);
    materialized_views_skipped::check(stmt, cx);
    object_keyword_unchecked::check(stmt, cx);
}

/// The property StarRocks would use for `key`: Java-trimmed key, last duplicate wins.
pub(crate) fn property<'p>(props: Option<&'p Properties>, key: &str) -> Option<&'p Property> {
    props?
        .items
        .iter()
        .rev()
        .find(|p| java::trim(&p.key.value) == key)
}

/// The named objects of an `ON (...)` list, in source order.
pub(crate) fn named_objects(on: Option<&ObjectList>) -> impl Iterator<Item = &NamedObject> {
    on.map(|l| l.items.as_slice())
        .unwrap_or(&[])
        .iter()
        .filter_map(|i| match i {
            ObjectItem::Named(n) => Some(n),
            ObjectItem::All(_) => None,
        })
}

/// Whether the object list selects whole kinds of objects (no `ON`, or an `ALL …` item).
pub(crate) fn selects_everything_of_a_kind(on: Option<&ObjectList>) -> bool {
    match on {
        None => true,
        Some(l) => l.items.iter().any(|i| matches!(i, ObjectItem::All(_))),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Runs the single-statement rules on SQL text, for the rules' own tests.
    use super::*;
    use crate::syntax::parse;

    /// The codes the rules report on `sql` (all statements), for `dialect`.
    pub fn codes_for(sql: &str, dialect: Dialect) -> Vec<String> {
        let parsed = parse(sql, dialect);
        let mut cx = RuleCx::new(sql, dialect);
        for s in parsed.statements() {
            check_statement(s, &mut cx);
        }
        cx.out.into_iter().map(|d| d.code).collect()
    }

    /// Whether `code` fires on `sql` under StarRocks 3.4.
    pub fn fires(code: &str, sql: &str) -> bool {
        codes_for(sql, Dialect::StarRocks3_4)
            .iter()
            .any(|c| c == code)
    }

    /// All findings on `sql` under StarRocks 3.4.
    pub fn findings(sql: &str) -> Vec<Diagnostic> {
        let parsed = parse(sql, Dialect::StarRocks3_4);
        let mut cx = RuleCx::new(sql, Dialect::StarRocks3_4);
        for s in parsed.statements() {
            check_statement(s, &mut cx);
        }
        cx.out
    }
}
