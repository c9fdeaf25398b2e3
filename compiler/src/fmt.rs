//! `starsnap fmt`: rewrites snapshot statements in their canonical form (the printer's
//! `Display`, one clause per line for long statements) and keeps everything else byte for
//! byte: comments (suppressions included), whitespace and blank lines between statements,
//! `;`s, and every statement outside the snapshot family.
//!
//! A statement is left exactly as written when it has a syntax error (any error-severity
//! finding of the parser inside it), or when it holds a comment between its tokens (the
//! printer has nowhere to put it). Formatting is idempotent: `format(format(x)) == format(x)`.

use crate::diagnostic::{Diagnostic, Severity};
use crate::span::Span;
use crate::syntax::ast::Statement;
use crate::syntax::{parse, Dialect};

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

/// Formats a whole file.
pub fn format(src: &str, dialect: Dialect) -> FormatResult {
    let parsed = parse(src, dialect);
    let mut errors: Vec<usize> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.span.start)
        .collect();
    errors.sort_unstable();
    let has_error_in = |span: Span| {
        let i = errors.partition_point(|&s| s < span.start);
        errors.get(i).is_some_and(|&s| s <= span.end)
    };

    let mut output = String::with_capacity(src.len());
    let mut copied = 0;
    for ps in &parsed.statements {
        let Some(stmt) = &ps.statement else { continue };
        if matches!(stmt, Statement::Other { .. })
            || !ps.inner_comments.is_empty()
            || has_error_in(ps.span)
        {
            continue;
        }
        let (Some(before), Some(original)) = (
            src.get(copied..ps.span.start),
            src.get(ps.span.start..ps.span.end),
        ) else {
            continue;
        };
        let text = canonical(stmt);
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
        diagnostics: parsed.diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
