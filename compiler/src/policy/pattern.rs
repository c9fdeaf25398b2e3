//! Table patterns (`database.table` with `*` and `?` globs) and label templates
//! (`{group}-{database}-{yyyyMMdd-HHmmss}-{kind}`).

use crate::span::Span;
use crate::time::{format_date_pattern, Timestamp};

/// `database.table`, each side a glob: `*` any run of characters, `?` one character.
/// Matching is case-sensitive, as StarRocks names are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub text: String,
    pub database: String,
    pub table: String,
    /// Where the pattern is written in the policy file.
    pub span: Span,
}

impl Pattern {
    /// Splits at the first `.`; both sides must be non-empty.
    pub fn parse(text: &str, span: Span) -> Result<Pattern, String> {
        let Some((db, table)) = text.split_once('.') else {
            return Err(format!(
                "pattern `{text}` must be `database.table` (use `{text}.*` for every table of a database)"
            ));
        };
        if db.is_empty() || table.is_empty() {
            return Err(format!(
                "pattern `{text}` has an empty database or table part"
            ));
        }
        if table.contains('.') {
            return Err(format!(
                "pattern `{text}` has more than one `.`: write `database.table`"
            ));
        }
        Ok(Pattern {
            text: text.to_string(),
            database: db.to_string(),
            table: table.to_string(),
            span,
        })
    }

    pub fn matches_database(&self, database: &str) -> bool {
        glob(&self.database, database)
    }

    pub fn matches(&self, database: &str, table: &str) -> bool {
        glob(&self.database, database) && glob(&self.table, table)
    }
}

/// Glob match with `*` and `?`, linear-time backtracking over characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// One piece of a label template.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Group,
    Database,
    Kind,
    Date(String),
}

/// A label template; rendering is deterministic from its inputs (never the clock).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelTemplate {
    pub text: String,
    pieces: Vec<Piece>,
}

/// A character of StarRocks's label format (`[-\w]`, ASCII).
pub fn is_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The longest label starsnap plans, in bytes: StarRocks's label format allows 128
/// (`FeNameFormat.LABEL_REGEX` `^[-\w]{1,128}$`), well inside the 255-byte directory name
/// `__ss_<label>` the repository stores a snapshot under.
pub const MAX_LABEL_BYTES: usize = 128;

/// The default template.
pub const DEFAULT_LABEL: &str = "{group}-{database}-{yyyyMMdd-HHmmss}-{kind}";

impl LabelTemplate {
    /// Placeholders: `{group}`, `{database}`, `{kind}` and date patterns over `as_of` in UTC
    /// (`{yyyyMMdd-HHmmss}`, `{yyyy}`, …).
    pub fn parse(text: &str) -> Result<LabelTemplate, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let Some(end) = after.find('}') else {
                    return Err(format!("label template `{text}` has a `{{` without `}}`"));
                };
                let name = &after[..end];
                pieces.push(match name {
                    "group" => Piece::Group,
                    "database" => Piece::Database,
                    "kind" => Piece::Kind,
                    _ => {
                        if name.is_empty() || crate::time::check_date_pattern(name).is_err() {
                            return Err(format!(
                                "label template `{text}`: unknown placeholder `{{{name}}}` (use {{group}}, {{database}}, {{kind}} or a date such as {{yyyyMMdd-HHmmss}})"
                            ));
                        }
                        Piece::Date(name.to_string())
                    }
                });
                rest = &after[end + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                let lit = &rest[..end];
                if lit.contains('}') {
                    return Err(format!("label template `{text}` has a `}}` without `{{`"));
                }
                pieces.push(Piece::Literal(lit.to_string()));
                rest = &rest[end..];
            }
        }
        if pieces.is_empty() {
            return Err("the label template is empty".to_string());
        }
        // The template's own characters (literals and date separators) are those of
        // StarRocks's label format `FeNameFormat.LABEL_REGEX` (`^[-\w]{1,128}$`): a label
        // is then the same text in SQL, in the repository's `__ss_<label>` directory and in
        // the state store, with nothing to quote or strip.
        let own = pieces.iter().flat_map(|p| match p {
            Piece::Literal(s) | Piece::Date(s) => s.chars().collect::<Vec<_>>(),
            _ => Vec::new(),
        });
        if let Some(bad) = own.into_iter().find(|c| !is_label_char(*c)) {
            return Err(format!(
                "label template `{}` holds {bad:?}: labels hold letters, digits, `_` and `-`",
                text.escape_debug(),
            ));
        }
        Ok(LabelTemplate {
            text: text.to_string(),
            pieces,
        })
    }

    pub fn uses_database(&self) -> bool {
        self.pieces.contains(&Piece::Database)
    }

    pub fn render(&self, group: &str, database: &str, kind: &str, as_of: Timestamp) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Literal(s) => out.push_str(s),
                Piece::Group => out.push_str(group),
                Piece::Database => out.push_str(database),
                Piece::Kind => out.push_str(kind),
                Piece::Date(d) => out.push_str(&format_date_pattern(d, as_of).unwrap_or_default()),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", ""));
        assert!(glob("sales_*", "sales_2024"));
        assert!(glob("s?les", "sales"));
        assert!(!glob("s?les", "saales"));
        assert!(glob("*_fact*", "orders_fact_v2"));
        assert!(!glob("Sales", "sales"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
    }

    #[test]
    fn patterns() {
        let p = Pattern::parse("sales.*", Span::default()).expect("valid");
        assert!(p.matches("sales", "orders"));
        assert!(!p.matches("sales2", "orders"));
        assert!(Pattern::parse("sales", Span::default()).is_err());
        assert!(Pattern::parse(".t", Span::default()).is_err());
        assert!(Pattern::parse("a.b.c", Span::default()).is_err());
    }

    #[test]
    fn label_templates() {
        let t = LabelTemplate::parse(DEFAULT_LABEL).expect("valid");
        let at = Timestamp::parse_rfc3339("2026-11-22T04:00:00Z").expect("valid");
        assert_eq!(
            t.render("nightly", "sales", "full", at),
            "nightly-sales-20261122-040000-full"
        );
        assert!(LabelTemplate::parse("{group}-{nope}").is_err());
        assert!(LabelTemplate::parse("{group").is_err());
        assert!(LabelTemplate::parse("a}b").is_err());
        assert!(LabelTemplate::parse("").is_err());
        for bad in [
            "{group}`x",
            "a b",
            "{yyyy`MM}",
            "{group}.{kind}",
            "x;DROP",
            "é",
        ] {
            let e = LabelTemplate::parse(bad).expect_err(bad);
            assert!(e.contains("labels hold letters, digits"), "{bad}: {e}");
        }
        assert!(LabelTemplate::parse("{group}_{yyyy-MM-dd_HHmmss}-{kind}").is_ok());
    }
}
