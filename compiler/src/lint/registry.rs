//! The rule registry: every code `starsnap lint` can report, with its name, default severity,
//! summary and documentation. Lint rules (`L…`) are the [`Rule`] enum, one file per rule under
//! `rules/` whose doc comment ("What it does / Why / Example") is the rule's documentation.
//! The registry also lists the validator's `V…` codes, the parser's `S…`/`D…` codes and the
//! driver's own `S9xx` codes so renderers (SARIF) can describe every code that fires.

use std::sync::OnceLock;

use super::rules;
use crate::diagnostic::Severity;
use crate::syntax::codes as syntax_codes;
use crate::validate::Check;

/// Declares a rule's documentation: the doc comment becomes both the type's rustdoc and the
/// `DOCS` constant the registry serves (ruff's `ViolationMetadata`, with a macro).
macro_rules! rule_doc {
    ($(#[doc = $doc:literal])+ $name:ident) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl $name {
            pub const DOCS: &'static str = concat!($($doc, "\n"),+);
        }
    };
}
pub(crate) use rule_doc;

/// Which part of starsnap reports a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// `S…`: StarRocks refuses the statement at parse time (parser).
    Syntax,
    /// `D…`: not accepted by the target StarRocks version (parser).
    Dialect,
    /// `V…`: StarRocks's analyzer refuses the statement (validator).
    Validation,
    /// `L…`: starsnap's own lint rules.
    Lint,
    /// `S9xx`: the lint driver (statements outside the snapshot family, unreadable files).
    Driver,
}

/// One registry entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    pub code: &'static str,
    /// kebab-case name.
    pub name: &'static str,
    pub kind: RuleKind,
    pub default_severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Markdown documentation ("What it does / Why / Example"); empty for parser codes.
    pub docs: &'static str,
    /// Whether `-- starsnap:ignore` can silence it (StarRocks syntax errors cannot).
    pub suppressible: bool,
}

macro_rules! lint_rules {
    ($($variant:ident => ($code:literal, $name:literal, $sev:ident, $module:ident :: $doc:ident, $summary:literal)),+ $(,)?) => {
        /// starsnap's lint rules. Codes are stable and never reused.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $($variant),+
        }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code),+ }
            }

            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name),+ }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$sev),+ }
            }

            pub fn summary(self) -> &'static str {
                match self { $(Rule::$variant => $summary),+ }
            }

            pub fn docs(self) -> &'static str {
                match self { $(Rule::$variant => rules::$module::$doc::DOCS),+ }
            }

            /// The rule with this code or name.
            pub fn find(code_or_name: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|r| r.code() == code_or_name || r.name() == code_or_name)
            }
        }
    };
}

lint_rules! {
    LegacySyntax => ("L001", "legacy-syntax", Warning, legacy_syntax::LegacySyntax, "BACKUP/RESTORE written in the legacy syntax that has an equivalent 3.4 form."),
    BackupWithoutDatabase => ("L002", "backup-without-database", Error, backup_without_database::BackupWithoutDatabase, "BACKUP naming no database: it passes analysis and fails at execution in 3.4."),
    IncrementalBackup => ("L003", "incremental-backup", Warning, incremental_backup::IncrementalBackup, "`\"type\" = \"incremental\"`: StarRocks takes no incremental backups."),
    TimestampFormat => ("L004", "backup-timestamp-format", Warning, timestamp_format::TimestampFormat, "`backup_timestamp` not shaped `yyyy-MM-dd-HH-mm-ss-SSS`."),
    RestoreInPlace => ("L005", "restore-in-place", Warning, restore_in_place::RestoreInPlace, "RESTORE of a named table without `AS`: an in-place overwrite is not atomic."),
    RestoreWithoutReplicationNum => ("L006", "restore-without-replication-num", Info, restore_without_replication_num::RestoreWithoutReplicationNum, "RESTORE without `replication_num`: the cluster default (3) applies."),
    InlineSecret => ("L007", "inline-secret", Warning, inline_secret::InlineSecret, "A secret written inline in CREATE REPOSITORY properties."),
    DuplicateLabel => ("L008", "duplicate-label", Warning, duplicate_label::DuplicateLabel, "The same snapshot label backed up twice to one repository across the linted files."),
    ShortTimeout => ("L009", "short-timeout", Info, short_timeout::ShortTimeout, "A `timeout` below the one-day default for a whole-database BACKUP/RESTORE."),
    AllowLoadIgnored => ("L010", "allow-load-ignored", Info, allow_load_ignored::AllowLoadIgnored, "`allow_load` is recorded but ignored: restored tables refuse loads and queries."),
    DropRepository => ("L011", "drop-repository", Warning, drop_repository::DropRepository, "DROP REPOSITORY loses StarRocks's view of every snapshot in it."),
    DuplicatePartition => ("L012", "duplicate-partition", Warning, duplicate_partition::DuplicatePartition, "The same partition named twice in one PARTITION list."),
    TemporaryPartition => ("L013", "temporary-partition", Error, temporary_partition::TemporaryPartition, "TEMPORARY PARTITION in BACKUP/RESTORE, refused at execution."),
    ShowRestoreWhere => ("L014", "show-restore-where-ignored", Warning, show_restore_where::ShowRestoreWhere, "SHOW RESTORE … WHERE: StarRocks ignores the WHERE."),
    CancelInFile => ("L015", "cancel-in-file", Warning, cancel_in_file::CancelInFile, "CANCEL BACKUP/RESTORE in a committed file."),
    KeyPartition => ("L016", "key-partition", Warning, key_partition::KeyPartition, "`PARTITION (col = value)` selects no partition by name."),
    RestoreDatabaseInPlace => ("L017", "restore-database-in-place", Warning, restore_database_in_place::RestoreDatabaseInPlace, "Whole-database RESTORE into the database's own name."),
    MaterializedViewsSkipped => ("L018", "materialized-views-skipped", Warning, materialized_views_skipped::MaterializedViewsSkipped, "`ALL MATERIALIZED VIEWS` in a BACKUP backs up nothing by default from 3.4.2."),
    ObjectKeywordUnchecked => ("L019", "object-keyword-unchecked", Info, object_keyword_unchecked::ObjectKeywordUnchecked, "`VIEW v` / `MATERIALIZED VIEW mv` in ON (...) is not checked against the object's real kind."),
    SuppressionWithoutReason => ("L100", "suppression-without-reason", Warning, suppression_rules::SuppressionWithoutReason, "A `starsnap:ignore` comment without `-- reason`."),
    UnusedSuppression => ("L101", "unused-suppression", Warning, suppression_rules::UnusedSuppression, "A `starsnap:ignore` comment that silenced nothing."),
    UnknownSuppressionCode => ("L102", "unknown-suppression-code", Warning, suppression_rules::UnknownSuppressionCode, "A `starsnap:ignore` comment naming a code starsnap does not have."),
}

/// The lint driver's own codes.
pub mod driver_codes {
    /// A statement outside the snapshot family that `sqlparser` (MySQL dialect) cannot parse.
    pub const OTHER_UNPARSED: &str = "S900";
    /// StarRocks-specific DDL `sqlparser` cannot check (`DUPLICATE KEY`, `DISTRIBUTED BY`, …).
    pub const STARROCKS_DDL_UNCHECKED: &str = "S901";
    /// A binary file (NUL bytes).
    pub const BINARY_FILE: &str = "S902";
    /// A file or folder that could not be read (permissions, not a regular file, …).
    pub const UNREADABLE_FILE: &str = "S903";
}

/// `"unexpected token"` → `"unexpected-token"`. Built once per process for the parser's codes
/// (whose table holds phrases); the registry lives for the whole process anyway.
fn kebab(phrase: &str) -> &'static str {
    let mut out = String::with_capacity(phrase.len());
    for c in phrase.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-').to_string();
    Box::leak(trimmed.into_boxed_str())
}

fn build() -> Vec<RuleMeta> {
    let mut out = Vec::new();
    for &(code, meaning) in syntax_codes::ALL {
        let dialect = code.starts_with('D');
        out.push(RuleMeta {
            code,
            name: kebab(meaning),
            kind: if dialect {
                RuleKind::Dialect
            } else {
                RuleKind::Syntax
            },
            default_severity: Severity::Error,
            summary: meaning,
            docs: "",
            suppressible: dialect,
        });
    }
    for c in Check::ALL {
        out.push(RuleMeta {
            code: c.code(),
            name: c.name(),
            kind: RuleKind::Validation,
            default_severity: c.severity(),
            summary: c.summary(),
            docs: "",
            suppressible: true,
        });
    }
    for &r in Rule::ALL {
        out.push(RuleMeta {
            code: r.code(),
            name: r.name(),
            kind: RuleKind::Lint,
            default_severity: r.default_severity(),
            summary: r.summary(),
            docs: r.docs(),
            suppressible: true,
        });
    }
    let driver = [
        (driver_codes::OTHER_UNPARSED, "other-statement-unparsed", Severity::Warning,
         "A statement outside the snapshot family that sqlparser (MySQL dialect) cannot parse."),
        (driver_codes::STARROCKS_DDL_UNCHECKED, "starrocks-ddl-unchecked", Severity::Info,
         "StarRocks-specific DDL that sqlparser cannot check (DUPLICATE KEY, DISTRIBUTED BY, …)."),
        (driver_codes::BINARY_FILE, "binary-file", Severity::Error,
         "The file holds NUL bytes: not SQL text."),
        (driver_codes::UNREADABLE_FILE, "unreadable-file", Severity::Error,
         "A file or folder that could not be read; the other files are still checked."),
    ];
    for (code, name, sev, summary) in driver {
        out.push(RuleMeta {
            code,
            name,
            kind: RuleKind::Driver,
            default_severity: sev,
            summary,
            docs: "",
            suppressible: code != driver_codes::BINARY_FILE
                && code != driver_codes::UNREADABLE_FILE,
        });
    }
    out.sort_by(|a, b| a.code.cmp(b.code));
    out
}

/// Every code starsnap lint can report, sorted by code.
pub fn registry() -> &'static [RuleMeta] {
    static REGISTRY: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    REGISTRY.get_or_init(build)
}

/// The registry entry of `code` (or of a lint rule's name).
pub fn lookup(code: &str) -> Option<&'static RuleMeta> {
    registry().iter().find(|m| m.code == code || m.name == code)
}

/// A markdown table of the registry (code, name, default severity, summary) for the README.
pub fn rules_markdown() -> String {
    let mut out = String::from("| code | name | default | summary |\n|---|---|---|---|\n");
    for m in registry() {
        let summary = m.summary.replace('|', "\\|");
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            m.code, m.name, m.default_severity, summary
        ));
    }
    out
}

/// A rule's documentation as markdown (the doc comment with its leading spaces removed).
pub fn rule_docs_markdown(rule: Rule) -> String {
    rule.docs()
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The documentation of any code or rule name, as markdown (for `starsnap rules CODE`):
/// a lint rule's full documentation, or the summary of a parser, validator or driver code.
pub fn explain(code_or_name: &str) -> Option<String> {
    let meta = lookup(code_or_name)?;
    let body = match Rule::find(meta.code) {
        Some(rule) => rule_docs_markdown(rule),
        None => meta.summary.to_string(),
    };
    Some(format!(
        "# {} {} (default: {})\n\n{}\n",
        meta.code,
        meta.name,
        meta.default_severity,
        body.trim_end()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let reg = registry();
        let codes: HashSet<_> = reg.iter().map(|m| m.code).collect();
        assert_eq!(codes.len(), reg.len(), "duplicate code");
        let names: HashSet<_> = Rule::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(names.len(), Rule::ALL.len(), "duplicate rule name");
        for &r in Rule::ALL {
            assert!(r.code().starts_with('L'));
            let docs = rule_docs_markdown(r);
            for section in ["## What it does", "## Why", "## Example"] {
                assert!(docs.contains(section), "{} lacks {section}", r.code());
            }
            assert!(!r.summary().is_empty());
            assert!(r
                .name()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            assert_eq!(Rule::find(r.code()), Some(r));
            assert_eq!(Rule::find(r.name()), Some(r));
        }
        for m in reg {
            assert!(!m.summary.is_empty(), "{} has no summary", m.code);
            assert!(
                m.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                m.name
            );
        }
    }

    #[test]
    fn markdown_lists_every_code() {
        let md = rules_markdown();
        for m in registry() {
            assert!(md.contains(&format!("`{}`", m.code)));
        }
        assert!(lookup("L001").is_some());
        assert!(lookup("restore-in-place").is_some());
        assert!(lookup("L999").is_none());
        let doc = explain("restore-in-place").expect("documented");
        assert!(doc.starts_with("# L005 restore-in-place (default: warning)"));
        assert!(doc.contains("## Why is this bad?"));
        assert!(explain("V017").expect("known").contains("backup_timestamp"));
        assert!(explain("nope").is_none());
    }
}
