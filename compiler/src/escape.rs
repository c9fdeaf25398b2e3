//! Escaping names that come from a cluster (or a plan file) before they reach a terminal or a
//! pull-request comment. StarRocks accepts almost any character in a table name
//! (`FeNameFormat.TABLE_NAME_REGEX` is `^[^\0]{1,1024}$`), so a name can hold an escape
//! sequence that rewrites a reviewer's terminal, a newline that forges a plan line, a bidi
//! override that reorders what is shown, or markdown/HTML that forges a comment.
//!
//! Pure functions over `&str`; the renderers call them on every name they show.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that are never shown as they are: C0 and C1 controls, DEL, the Unicode line and
/// paragraph separators, and the bidirectional formatting characters (the "Trojan Source"
/// set) and zero-width characters that make two different names look the same.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `s` with every [`is_unsafe_char`] written as `\u{…}` (and `\` before such an escape
/// doubled, so an escaped name cannot pass for another one). Borrowed when nothing changes.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    escape_with(s, is_unsafe_char, true)
}

/// Multi-line text shown as it is (SQL in a plan): [`escape_controls`] except that line
/// feeds and tabs are kept, and backslashes are left alone (SQL has its own).
pub fn escape_controls_keep_lines(s: &str) -> Cow<'_, str> {
    escape_with(s, |c| is_unsafe_char(c) && c != '\n' && c != '\t', false)
}

fn escape_with(s: &str, escape: impl Fn(char) -> bool, double_backslash: bool) -> Cow<'_, str> {
    let special = |c: char| escape(c) || (double_backslash && c == '\\');
    if !s.chars().any(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else if special(c) {
            out.push_str("\\\\");
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A name as a markdown inline code span: controls escaped, delimited by a run of back-quotes
/// longer than any inside (CommonMark §6.1), padded with spaces when it starts or ends with
/// a back-quote. Inside a code span nothing else is interpreted, HTML included.
pub fn markdown_code(s: &str) -> String {
    let s = escape_controls(s);
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Text for a markdown table cell or list item outside a code span: controls escaped, and
/// every character markdown or HTML would interpret written as a character reference.
pub fn markdown_text(s: &str) -> String {
    let s = escape_controls(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' | '\\' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The fence for a fenced code block holding `body`: back-quotes, one more than the longest
/// run of back-quotes in it (at least three), so the body cannot close the block early.
pub fn markdown_fence(body: &str) -> String {
    "`".repeat((longest_run(body, '`') + 1).max(3))
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        if c == ch {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_names_borrowed() {
        assert!(matches!(escape_controls("orders_2024"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape_controls("t\nDROP"), "t\\u{a}DROP");
        assert_eq!(escape_controls("x\u{202e}gpj"), "x\\u{202e}gpj");
        assert_eq!(escape_controls("\u{85}\u{7f}"), "\\u{85}\\u{7f}");
        // A literal `\u{1b}` in a name stays distinguishable from an escaped ESC.
        assert_eq!(escape_controls("a\\u{1b}"), "a\\\\u{1b}");
        assert_eq!(escape_controls("名前"), "名前");
    }

    #[test]
    fn sql_keeps_its_lines() {
        assert_eq!(
            escape_controls_keep_lines("BACKUP\n\tSNAPSHOT `a\u{1b}b`"),
            "BACKUP\n\tSNAPSHOT `a\\u{1b}b`"
        );
        assert_eq!(escape_controls_keep_lines("a\\b"), "a\\b");
    }

    #[test]
    fn markdown_code_spans_cannot_be_closed_from_inside() {
        assert_eq!(markdown_code("orders"), "`orders`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x"), "`` `x ``");
        assert_eq!(markdown_code("a\nb"), "`a\\u{a}b`");
        assert_eq!(markdown_fence("x ``` y"), "````");
        assert_eq!(markdown_fence("plain"), "```");
    }

    #[test]
    fn markdown_text_neutralises_markup() {
        assert_eq!(
            markdown_text("</details><img src=x>|[a](b)"),
            "&lt;/details&gt;&lt;img src=x&gt;&#124;&#91;a&#93;(b)"
        );
        assert_eq!(markdown_text("plain name"), "plain name");
    }

    #[test]
    fn every_char_is_either_kept_or_escaped_to_ascii_printables() {
        for cp in (0u32..0x3000).chain(0xFE00..0xFF00) {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let s = c.to_string();
            let e = escape_controls(&s);
            assert!(!e.chars().any(is_unsafe_char), "{cp:x}");
            assert!(!markdown_text(&s).chars().any(is_unsafe_char), "{cp:x}");
        }
    }
}
