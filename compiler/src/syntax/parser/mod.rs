//! The parser driver: splits the token stream into statements at `;`, parses each one with the
//! productions in `stmt.rs`, applies StarRocks's AstBuilder rules and the dialect checks
//! (`rules.rs`), and never fails as a whole: an error in one statement gives one diagnostic
//! and parsing resumes at the next `;`.
//!
//! ```text
//! sql_statements   ::= { single_statement } EOF
//! single_statement ::= statement ( ';' | EOF ) | ';'
//! ```

mod admin;
mod cursor;
mod rules;
mod stmt;

use crate::diagnostic::{Diagnostic, Severity, Stage, StarRocksError};
use crate::span::Span;

use super::ast::Statement;
use super::codes;
use super::lexer::{Lexer, Token, TokenKind};
use super::Dialect;

/// A comment, kept so a formatter can preserve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The comment's text including its delimiters (`-- x`, `/* x */`).
    pub text: String,
    pub span: Span,
}

/// One statement of the input.
#[derive(Clone, Debug)]
pub struct ParsedStatement {
    /// From the first token to the last token of the statement, without the `;` and without
    /// leading comments. This is the text StarRocks would receive; StarRocks positions in its
    /// diagnostics count from its start.
    pub span: Span,
    /// The statement, or `None` when it has a syntax error (the diagnostic says why).
    /// Statements with only an AstBuilder or dialect error are returned.
    pub statement: Option<Statement>,
    /// Comments between the previous statement's `;` and this statement's first token.
    pub leading_comments: Vec<Comment>,
    /// Comments after the first token, up to the `;`.
    pub inner_comments: Vec<Comment>,
}

impl ParsedStatement {
    /// The statement's text as StarRocks would receive it (no leading comments, no `;`).
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.span.start..self.span.end).unwrap_or("")
    }
}

/// The result of parsing: everything that could be parsed, and every diagnostic.
#[derive(Clone, Debug, Default)]
pub struct Parse {
    pub statements: Vec<ParsedStatement>,
    /// Comments after the last statement (or the only content of a comment-only file).
    pub trailing_comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parse {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The parsed statements (skipping those with a syntax error).
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter_map(|s| s.statement.as_ref())
    }
}

/// Parses StarRocks SQL (any number of `;`-separated statements) for the target `dialect`.
pub fn parse(src: &str, dialect: Dialect) -> Parse {
    let mut out = Parse::default();
    let mut stream = Statements::new(src, dialect);
    while let Some(ps) = stream.next_statement(&mut out.diagnostics) {
        out.statements.push(ps);
    }
    out.trailing_comments = stream.into_trailing_comments();
    out
}

/// [`parse`] one statement at a time, so a caller can check a statement and drop its AST
/// before the next one is parsed (memory bounded by the largest statement, not the file).
/// The statements and diagnostics are exactly those of [`parse`], in the same order.
pub struct Statements<'a> {
    src: &'a str,
    dialect: Dialect,
    lexer: Lexer<'a>,
    b: Builder,
    finished: bool,
    /// The input stops before the end of `src` ([`Statements::range`]).
    partial: bool,
    /// Where the last `;` read ends.
    semicolon_end: usize,
}

impl<'a> Statements<'a> {
    pub fn new(src: &'a str, dialect: Dialect) -> Self {
        Statements::range(src, dialect, 0, src.len())
    }

    /// The statements of `src[start..end]`, spans counting from the start of `src`. `start`
    /// must be 0 or the end of a `;` where [`Statements::new`]'s stream of `src` stands
    /// [`Statements::clean`]: the statements and diagnostics are then exactly those that
    /// stream gives from there. When `end < src.len()` the input is cut there, which ends no
    /// statement: what follows the last `;` is neither parsed nor reported, and
    /// [`Statements::clean`] says whether the cut fell on a statement boundary.
    pub fn range(src: &'a str, dialect: Dialect, start: usize, end: usize) -> Self {
        let end = end.min(src.len());
        Statements {
            src,
            dialect,
            lexer: Lexer::resume(src.get(..end).unwrap_or(src), start.min(end)),
            b: Builder::default(),
            finished: false,
            partial: end < src.len(),
            semicolon_end: start,
        }
    }

    /// Whether the input read so far ends with a `;` after which nothing is pending (no
    /// token, comment or lexical diagnostic): a stream started there by
    /// [`Statements::range`] is in the same state as this one.
    ///
    /// A `;` token read from a cut input is a `;` of the whole text (no token before it looks
    /// further than the byte after it, which is this `;` itself), so a cut input that ends
    /// clean was lexed and split exactly as the whole text is.
    pub fn clean(&self) -> bool {
        self.semicolon_end == self.lexer.offset()
            && self.b.sig.is_empty()
            && self.b.leading.is_empty()
            && self.b.inner.is_empty()
            && !self.b.bad
            && self.lexer.diagnostics.is_empty()
    }

    /// The next statement; its diagnostics (and those of the comments before it) are appended
    /// to `diags`. `None` at the end of the input.
    pub fn next_statement(&mut self, diags: &mut Vec<Diagnostic>) -> Option<ParsedStatement> {
        let src = self.src;
        while !self.finished {
            let Some(tok) = self.lexer.next_token() else {
                self.finished = true;
                if self.partial {
                    return None;
                }
                diags.extend(self.lexer.diagnostics.drain(..).next());
                return self.b.flush(src, self.dialect, diags);
            };
            match tok.kind {
                TokenKind::Semicolon => {
                    self.semicolon_end = tok.span.end;
                    // At most one lexical diagnostic per statement (the first).
                    diags.extend(self.lexer.diagnostics.drain(..).next());
                    if let Some(ps) = self.b.flush(src, self.dialect, diags) {
                        return Some(ps);
                    }
                }
                k if k.is_comment() => {
                    self.b.bad |= tok.unterminated;
                    let c = Comment {
                        text: tok.text(src).to_string(),
                        span: tok.span,
                    };
                    if self.b.sig.is_empty() {
                        self.b.leading.push(c);
                    } else {
                        self.b.inner.push(c);
                    }
                }
                _ => {
                    self.b.bad |= tok.unterminated || tok.kind == TokenKind::Unknown;
                    self.b.sig.push(tok);
                }
            }
        }
        None
    }

    /// The byte offset the lexer has read up to: everything `next_statement` reports later
    /// (tokens, statements, their diagnostics) starts at or after it.
    pub fn offset(&self) -> usize {
        self.lexer.offset()
    }

    /// Comments after the last statement (call after `next_statement` returned `None`).
    pub fn into_trailing_comments(self) -> Vec<Comment> {
        self.b.leading
    }
}

/// The statement being collected between two `;`.
#[derive(Default)]
struct Builder {
    sig: Vec<Token>,
    leading: Vec<Comment>,
    inner: Vec<Comment>,
    /// A malformed token (already reported by the lexer) is in the statement.
    bad: bool,
}

impl Builder {
    fn flush(
        &mut self,
        src: &str,
        dialect: Dialect,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<ParsedStatement> {
        if self.sig.is_empty() {
            // Only comments: they lead the next statement.
            self.leading.append(&mut self.inner);
            self.bad = false;
            return None;
        }
        let span = Span::new(
            self.sig[0].span.start,
            self.sig[self.sig.len() - 1].span.end,
        );
        let statement = if self.bad {
            None
        } else {
            parse_statement(src, &self.sig, dialect, diags)
        };
        self.sig.clear();
        self.bad = false;
        Some(ParsedStatement {
            span,
            statement,
            leading_comments: std::mem::take(&mut self.leading),
            inner_comments: std::mem::take(&mut self.inner),
        })
    }
}

/// Parses bytes: invalid UTF-8 gives a diagnostic at the first bad byte, and the statements
/// before it are parsed (the statement the bad byte cuts short is returned without an AST and
/// without its own diagnostics).
pub fn parse_bytes(bytes: &[u8], dialect: Dialect) -> Parse {
    match std::str::from_utf8(bytes) {
        Ok(s) => parse(s, dialect),
        Err(e) => {
            let at = e.valid_up_to();
            let prefix = std::str::from_utf8(&bytes[..at]).unwrap_or("");
            let mut p = parse(prefix, dialect);
            if let Some(last) = p.statements.last_mut() {
                let cut = !prefix.get(last.span.end..).unwrap_or("").contains(';');
                if cut {
                    let s = last.span;
                    last.statement = None;
                    p.diagnostics
                        .retain(|d| d.span.start < s.start || d.span.start > s.end);
                }
            }
            p.diagnostics.push(
                Diagnostic::error(
                    codes::INVALID_UTF8,
                    Span::new(at, at + e.error_len().unwrap_or(1)),
                    format!("invalid UTF-8 at byte offset {at}"),
                )
                .with_help("save the file as UTF-8"),
            );
            p
        }
    }
}

/// Parses one statement's significant tokens, pushing at most one syntax diagnostic (plus
/// dialect diagnostics for a statement that parsed).
fn parse_statement(
    src: &str,
    toks: &[Token],
    dialect: Dialect,
    diags: &mut Vec<Diagnostic>,
) -> Option<Statement> {
    let mut p = cursor::Cursor::new(src, toks);
    match stmt::statement(&mut p) {
        Ok(stmt) => {
            let ok = match rules::ast_builder(&p, &stmt) {
                Some(d) => {
                    diags.push(d);
                    false
                }
                None => true,
            };
            if ok {
                rules::dialect_checks(&p, &stmt, dialect, diags);
            }
            Some(stmt)
        }
        Err(fail) => {
            diags.push(p.render_failure(&fail));
            None
        }
    }
}

/// A StarRocks syntax error (1064/HY000) with the exact message text.
pub(crate) fn syntax_error(message: String) -> StarRocksError {
    StarRocksError {
        code: 1064,
        sqlstate: "HY000".to_string(),
        message,
        stage: Stage::Parse,
    }
}

#[cfg(test)]
mod tests;
