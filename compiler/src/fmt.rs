//! `starsnap fmt`: rewrites snapshot statements in their canonical form (the printer's
//! `Display`, one clause per line for long statements) and keeps everything else byte for
//! byte: comments (suppressions included), whitespace and blank lines between statements,
//! `;`s, and every statement outside the snapshot family.
//!
//! A statement is left exactly as written when it has a syntax error (any error-severity
//! finding of the parser inside it), or when it holds a comment between its tokens (the
//! printer has nowhere to put it). Formatting is idempotent: `format(format(x)) == format(x)`.

use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::ast::Statement;
use crate::syntax::{display_for, legacy_expressible, Dialect, Statements};

/// Statements whose single-line form is longer than this are printed one clause per line.
pub const MAX_LINE: usize = 100;

/// The result of formatting one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatResult {
    pub output: String,
    /// Whether `output` differs from the input.
    pub changed: bool,
    /// The parser's findings (statements with errors are left unformatted).
    pub diagnostics: Vec<Diagnostic>,
}

/// The canonical text of one statement.
pub fn canonical(stmt: &Statement) -> String {
    let one_line = stmt.to_string();
    if one_line.len() <= MAX_LINE {
        one_line
    } else {
        format!("{stmt:#}")
    }
}

/// The canonical text of one statement for `dialect`, or `None` when it must stay as written.
/// Before 3.4 StarRocks has only the legacy BACKUP/RESTORE syntax: such a statement is printed
/// in the legacy form when that form has the same meaning (`display_for`), and left alone
/// otherwise — never rewritten into 3.4 syntax the target would reject.
pub fn canonical_for(stmt: &Statement, dialect: Dialect) -> Option<String> {
    if dialect.has_3_4_snapshot_syntax()
        || !matches!(stmt, Statement::Backup(_) | Statement::Restore(_))
    {
        return Some(canonical(stmt));
    }
    if !legacy_expressible(stmt) {
        return None;
    }
    let one_line = display_for(stmt, dialect).to_string();
    Some(if one_line.len() <= MAX_LINE {
        one_line
    } else {
        format!("{:#}", display_for(stmt, dialect))
    })
}

/// Formats a whole file, one statement at a time (each AST is dropped once printed).
pub fn format(src: &str, dialect: Dialect) -> FormatResult {
    let mut diagnostics = Vec::new();
    let mut output = String::with_capacity(src.len());
    let mut copied = 0;
    let mut stream = Statements::new(src, dialect);
    loop {
        let from = diagnostics.len();
        let Some(ps) = stream.next_statement(&mut diagnostics) else {
            break;
        };
        let Some(stmt) = &ps.statement else { continue };
        // An error finding inside the statement (findings of other statements lie outside).
        let has_error = diagnostics.get(from..).unwrap_or(&[]).iter().any(|d| {
            d.severity == Severity::Error
                && ps.span.start <= d.span.start
                && d.span.start <= ps.span.end
        });
        if matches!(stmt, Statement::Other { .. }) || !ps.inner_comments.is_empty() || has_error {
            continue;
        }
        let (Some(before), Some(original)) = (
            src.get(copied..ps.span.start),
            src.get(ps.span.start..ps.span.end),
        ) else {
            continue;
        };
        let Some(text) = canonical_for(stmt, dialect) else {
            continue;
        };
        output.push_str(before);
        if text == original {
            output.push_str(original);
        } else {
            output.push_str(&text);
        }
        copied = ps.span.end;
    }
    output.push_str(src.get(copied..).unwrap_or(""));
    FormatResult {
        changed: output != src,
        output,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;
    use proptest::prelude::*;

    fn fmt34(src: &str) -> String {
        format(src, Dialect::StarRocks3_4).output
    }

    #[test]
    fn rewrites_snapshot_statements_and_keeps_the_rest() {
        let src = "-- nightly\nuse sales;\nbackup   snapshot sales.s1 to `repo`  on (t1);  -- trailing\n\nSELECT  1;\n";
        let out = fmt34(src);
        assert!(out.starts_with("-- nightly\nuse sales;\n"));
        assert!(out.contains("-- trailing\n\nSELECT  1;\n"));
        assert!(!out.contains("backup   snapshot"));
        assert!(format(src, Dialect::StarRocks3_4).changed);
        assert_eq!(fmt34(&out), out);
    }

    #[test]
    fn leaves_statements_with_errors_or_inner_comments_alone() {
        let broken = "backup snapshot to;\n";
        assert_eq!(fmt34(broken), broken);
        let commented = "backup snapshot d.s /* why */ to repo;\n";
        assert_eq!(fmt34(commented), commented);
        let r = format("show   backup;", Dialect::StarRocks3_4);
        assert!(r.changed);
        assert!(!format(&r.output, Dialect::StarRocks3_4).changed);
    }

    /// `fmt --dialect starrocks-3.3` keeps legacy statements legacy: what 3.3 parses before
    /// formatting it parses after, with no new finding.
    #[test]
    fn formatting_for_3_3_never_produces_3_4_syntax() {
        let d = Dialect::StarRocks3_3;
        for src in [
            "BACKUP SNAPSHOT sales.s1 TO repo ON (orders, customers PARTITION (p1));",
            "backup snapshot sales.s1 to repo on (orders);",
            "RESTORE SNAPSHOT sales.s1 FROM repo ON (orders AS o2) PROPERTIES (\"backup_timestamp\" = \"2024-06-01-02-00-13-517\");",
            "BACKUP SNAPSHOT sales.a_rather_long_label_for_a_nightly_backup TO a_repository_name ON (orders, customers PARTITION (p202406), lineitems);",
        ] {
            let before = parse(src, d);
            assert!(before.diagnostics.is_empty(), "{src}: {:?}", before.diagnostics);
            let out = format(src, d).output;
            assert!(!out.contains("DATABASE") && !out.contains("TABLE "), "{out}");
            let after = parse(&out, d);
            assert!(after.diagnostics.is_empty(), "{out}: {:?}", after.diagnostics);
            assert_eq!(format(&out, d).output, out, "idempotent");
        }
    }

    #[test]
    fn long_statements_get_one_clause_per_line() {
        let src = "RESTORE SNAPSHOT s FROM repo DATABASE sales AS sales_restored ON (TABLE orders AS orders_restored, TABLE customers AS customers_restored) PROPERTIES (\"backup_timestamp\" = \"2024-12-09-10-25-58-842\");";
        let out = fmt34(src);
        assert!(out.contains('\n'), "{out}");
        assert_eq!(fmt34(&out), out);
    }

    const PIECES: &[&str] = &[
        "BACKUP SNAPSHOT d.s TO r ON (t PARTITION (p1, p2))",
        "backup database d snapshot s to r on (table t, all views) properties ('type'='full')",
        "RESTORE SNAPSHOT s FROM r DATABASE d AS d2 ON (TABLE t AS t2) PROPERTIES (\"backup_timestamp\"=\"2024-01-01-00-00-00-000\")",
        "show snapshot on r where snapshot = 'a' and timestamp = 'b'",
        "CREATE READ ONLY REPOSITORY r WITH BROKER ON LOCATION 's3://b/p' PROPERTIES ('k'='v')",
        "drop repository `r`",
        "cancel backup from d",
        "SHOW RESTORE FROM d WHERE a = 1",
        "ALTER TABLE t SWAP WITH t2",
        "select 1",
        "backup snapshot to",
        "use `my db`",
    ];
    const GLUE: &[&str] = &[
        ";\n",
        "; ",
        ";\n\n-- note\n",
        ";\n/* block */ ",
        "\n;\n",
        ";",
    ];

    /// Words of the snapshot grammar, in any order: mostly invalid statements, some valid.
    const SOUP: &[&str] = &[
        "BACKUP",
        "RESTORE",
        "SNAPSHOT",
        "DATABASE",
        "TO",
        "FROM",
        "ON",
        "(",
        ")",
        ",",
        ";",
        "PROPERTIES",
        "\"timeout\"",
        "=",
        "\"600\"",
        "'x'",
        "`q`",
        "t",
        "d.s",
        "AS",
        "TABLE",
        "PARTITION",
        "ALL",
        "TABLES",
        "-- c\n",
        "/* c */",
        "SHOW",
        "WHERE",
        "VIEW",
        "REPOSITORY",
        "CREATE",
        "WITH",
        "BROKER",
        "LOCATION",
        "DROP",
        "CANCEL",
        "\n",
        "SELECT",
        "1",
        "r",
    ];

    proptest! {
        #[test]
        fn format_is_idempotent(picks in proptest::collection::vec((0..PIECES.len(), 0..GLUE.len()), 0..8)) {
            let mut src = String::new();
            for (p, g) in picks {
                src.push_str(PIECES[p]);
                src.push_str(GLUE[g]);
            }
            let once = fmt34(&src);
            prop_assert_eq!(fmt34(&once), once.clone());
            for c in ["-- note", "/* block */"] {
                prop_assert_eq!(src.matches(c).count(), once.matches(c).count());
            }
        }

        #[test]
        fn format_is_idempotent_on_token_soup(ix in proptest::collection::vec(0..SOUP.len(), 0..40)) {
            let src = ix.into_iter().map(|i| SOUP[i]).collect::<Vec<_>>().join(" ");
            let once = fmt34(&src);
            prop_assert_eq!(fmt34(&once), once);
        }

        #[test]
        fn format_never_panics(s in "\\PC{0,200}") {
            let _ = format(&s, Dialect::StarRocks3_4);
        }
    }
}
