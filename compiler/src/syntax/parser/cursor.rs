//! The token cursor the productions run on, the "expected" sets, and the rendering of a parse
//! failure into a diagnostic with StarRocks's exact message.
//!
//! StarRocks (ANTLR) reports a mismatch as `Unexpected input 'X', the most similar input is
//! {A, B}` where the set lists what the grammar accepts at that point, ordered by token type:
//! `<EOF>`, punctuation, keywords (alphabetical), `=`, literals, `a legal identifier`, `';'`.
//! Optional clauses that were skipped do not contribute to the set: the error surfaces at the
//! next mandatory token (e.g. `ON (VIEW v PARTITION (p1))` → `{',', ')'}`).

use crate::diagnostic::Diagnostic;
use crate::span::Span;

use super::super::ast::{Ident, IdentStyle, ObjectName, QuoteStyle, StringLit};
use super::super::codes;
use super::super::keywords::Kw;
use super::super::lexer::{ident_value, string_value, Token, TokenKind};
use super::syntax_error;

/// One entry of an expected set. The derived order is StarRocks's display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Expected {
    Eof,
    LParen,
    Comma,
    RParen,
    Kw(Kw),
    Eq,
    Integer,
    SingleQuoted,
    DoubleQuoted,
    Ident,
    Semicolon,
}

impl Expected {
    fn render(self) -> String {
        match self {
            Expected::Eof => "<EOF>".into(),
            Expected::LParen => "'('".into(),
            Expected::Comma => "','".into(),
            Expected::RParen => "')'".into(),
            Expected::Kw(k) => format!("'{}'", k.as_str()),
            Expected::Eq => "'='".into(),
            Expected::Integer => "INTEGER_VALUE".into(),
            Expected::SingleQuoted => "SINGLE_QUOTED_TEXT".into(),
            Expected::DoubleQuoted => "DOUBLE_QUOTED_TEXT".into(),
            Expected::Ident => "a legal identifier".into(),
            Expected::Semicolon => "';'".into(),
        }
    }
}

/// A string literal is expected.
pub(crate) const STRING: &[Expected] = &[Expected::SingleQuoted, Expected::DoubleQuoted];
/// The statement must end here.
pub(crate) const END: &[Expected] = &[Expected::Eof, Expected::Semicolon];

/// Why a statement did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Token `at` (== token count for end of statement) is not one of `expected`.
    Unexpected { at: usize, expected: Vec<Expected> },
    /// No statement alternative matches tokens `from..=at`.
    NoViable { from: usize, at: usize },
    /// The integer at token `at` does not fit in 64 bits.
    OutOfRange { at: usize },
}

pub(crate) type PResult<T> = Result<T, Fail>;

/// A position in one statement's significant tokens.
pub(crate) struct Cursor<'a> {
    pub src: &'a str,
    pub toks: &'a [Token],
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(src: &'a str, toks: &'a [Token]) -> Self {
        Cursor { src, toks, pos: 0 }
    }

    pub fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    pub fn peek_at(&self, n: usize) -> Option<&'a Token> {
        self.toks.get(self.pos + n)
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    pub fn is_kw(&self, kw: Kw) -> bool {
        self.peek().is_some_and(|t| t.is_kw(kw))
    }

    pub fn is_kw_at(&self, n: usize, kw: Kw) -> bool {
        self.peek_at(n).is_some_and(|t| t.is_kw(kw))
    }

    pub fn is_kind(&self, kind: TokenKind) -> bool {
        self.peek().is_some_and(|t| t.kind == kind)
    }

    /// Consumes the current token.
    pub fn bump(&mut self) -> Span {
        let span = self
            .peek()
            .map(|t| t.span)
            .unwrap_or_else(|| self.end_span());
        self.pos += 1;
        span
    }

    /// The empty span at the end of the statement.
    pub fn end_span(&self) -> Span {
        let end = self.toks.last().map(|t| t.span.end).unwrap_or(0);
        Span::new(end, end)
    }

    /// The span of the previous token (or the start).
    pub fn prev_span(&self) -> Span {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map(|t| t.span)
            .unwrap_or_default()
    }

    pub fn fail<T>(&self, expected: &[Expected]) -> PResult<T> {
        Err(Fail::Unexpected {
            at: self.pos,
            expected: expected.to_vec(),
        })
    }

    /// Consumes `kw` if present.
    pub fn eat_kw(&mut self, kw: Kw) -> Option<Span> {
        if self.is_kw(kw) {
            Some(self.bump())
        } else {
            None
        }
    }

    pub fn expect_kw(&mut self, kw: Kw) -> PResult<Span> {
        match self.eat_kw(kw) {
            Some(s) => Ok(s),
            None => self.fail(&[Expected::Kw(kw)]),
        }
    }

    pub fn eat(&mut self, kind: TokenKind) -> Option<Span> {
        if self.is_kind(kind) {
            Some(self.bump())
        } else {
            None
        }
    }

    pub fn expect(&mut self, kind: TokenKind, e: Expected) -> PResult<Span> {
        match self.eat(kind) {
            Some(s) => Ok(s),
            None => self.fail(&[e]),
        }
    }

    /// The statement must end here.
    pub fn expect_end(&self) -> PResult<()> {
        if self.at_end() {
            Ok(())
        } else {
            self.fail(END)
        }
    }

    pub fn at_ident(&self) -> bool {
        self.peek().is_some_and(Token::is_ident)
    }

    /// `identifier`.
    pub fn ident(&mut self) -> PResult<Ident> {
        match self.peek() {
            Some(t) if t.is_ident() => {
                self.pos += 1;
                Ok(self.make_ident(t))
            }
            _ => self.fail(&[Expected::Ident]),
        }
    }

    pub fn make_ident(&self, t: &Token) -> Ident {
        let text = t.text(self.src);
        let style = match t.kind {
            TokenKind::QuotedIdent => IdentStyle::Backquoted,
            TokenKind::SingleQuoted => IdentStyle::SingleQuoted,
            TokenKind::DoubleQuoted => IdentStyle::DoubleQuoted,
            _ => IdentStyle::Bare,
        };
        let value = if t.is_string() {
            string_value(text)
        } else {
            ident_value(text)
        };
        Ident::with_span(value, t.span, style)
    }

    /// `identifier | string` (partition names, broker name).
    pub fn ident_or_string(&mut self, expected: &[Expected]) -> PResult<Ident> {
        match self.peek() {
            Some(t) if t.is_ident() || t.is_string() => {
                self.pos += 1;
                Ok(self.make_ident(t))
            }
            _ => self.fail(expected),
        }
    }

    /// `qualified_name ::= identifier { '.' identifier }`.
    pub fn qualified_name(&mut self) -> PResult<ObjectName> {
        let mut parts = vec![self.ident()?];
        while self.is_kind(TokenKind::Dot) {
            self.bump();
            parts.push(self.ident()?);
        }
        Ok(ObjectName::new(parts))
    }

    /// `string`.
    pub fn string(&mut self) -> PResult<StringLit> {
        match self.peek() {
            Some(t) if t.is_string() => {
                self.pos += 1;
                let quote = if t.kind == TokenKind::SingleQuoted {
                    QuoteStyle::Single
                } else {
                    QuoteStyle::Double
                };
                Ok(StringLit {
                    value: string_value(t.text(self.src)),
                    span: t.span,
                    quote,
                })
            }
            _ => self.fail(STRING),
        }
    }

    /// The byte offset where the statement text (as sent to StarRocks) starts.
    pub fn stmt_start(&self) -> usize {
        self.toks.first().map(|t| t.span.start).unwrap_or(0)
    }

    /// StarRocks's position of byte `offset`: 1-based line, 0-based column in characters,
    /// counted from the start of the statement text.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let start = self.stmt_start();
        let text = self.src.get(start..offset.max(start)).unwrap_or("");
        let line = 1 + text.matches('\n').count();
        let col = match text.rfind('\n') {
            Some(i) => text[i + 1..].chars().count(),
            None => text.chars().count(),
        };
        (line, col)
    }

    /// `Getting syntax error at line L, column C. Detail message: <detail>.`
    pub fn message_at(&self, offset: usize, detail: &str) -> String {
        let (l, c) = self.position(offset);
        format!("Getting syntax error at line {l}, column {c}. Detail message: {detail}.")
    }

    /// `Getting syntax error from line L1, column C1 to line L2, column C2. Detail message: …`
    pub fn message_range(&self, from: usize, to: usize, detail: &str) -> String {
        let (l1, c1) = self.position(from);
        let (l2, c2) = self.position(to);
        format!(
            "Getting syntax error from line {l1}, column {c1} to line {l2}, column {c2}. Detail message: {detail}."
        )
    }

    fn token_text_or_eof(&self, at: usize) -> (&'a str, Span) {
        match self.toks.get(at) {
            Some(t) => (t.text(self.src), t.span),
            None => ("<EOF>", self.end_span()),
        }
    }

    /// The diagnostic for a parse failure.
    pub fn render_failure(&self, fail: &Fail) -> Diagnostic {
        match fail {
            Fail::Unexpected { at, expected } => {
                let mut set = expected.clone();
                set.sort();
                set.dedup();
                let (text, span) = self.token_text_or_eof(*at);
                let rendered: Vec<String> = set.iter().map(|e| e.render()).collect();
                let list = rendered.join(", ");
                let detail =
                    format!("Unexpected input '{text}', the most similar input is {{{list}}}");
                let message = if *at >= self.toks.len() {
                    format!("unexpected end of statement, expected {list}")
                } else {
                    format!("unexpected `{text}`, expected {list}")
                };
                Diagnostic::error(codes::UNEXPECTED_TOKEN, span, message)
                    .with_help(help_for(&set))
                    .with_starrocks(syntax_error(self.message_at(span.start, &detail)))
            }
            Fail::NoViable { from, at } => {
                let start = self.toks.get(*from).map(|t| t.span.start).unwrap_or(0);
                let (_, at_span) = self.token_text_or_eof(*at);
                let end = at_span.end.max(start);
                let input = self.src.get(start..end).unwrap_or("");
                let detail = format!("No viable statement for input '{input}'");
                Diagnostic::error(
                    codes::NO_VIABLE_STATEMENT,
                    Span::new(start, end),
                    format!("StarRocks has no statement form matching `{input}`"),
                )
                .with_help("check the statement's spelling against the StarRocks grammar")
                .with_starrocks(syntax_error(self.message_at(at_span.start, &detail)))
            }
            Fail::OutOfRange { at } => {
                let (text, span) = self.token_text_or_eof(*at);
                // StarRocks's own text for this case is not known (spec has none).
                Diagnostic::error(
                    codes::NUMBER_OUT_OF_RANGE,
                    span,
                    format!("the number {text} is out of range"),
                )
                .with_help("use a number below 2^64")
            }
        }
    }
}

fn help_for(set: &[Expected]) -> String {
    if set == STRING {
        "write a quoted string here, e.g. \"value\"".to_string()
    } else if set == [Expected::Ident] {
        "write a name here; back-quote it if it is a reserved word".to_string()
    } else if set == END {
        "the statement should end here; remove the extra text or add `;` before it".to_string()
    } else {
        "see grammar/starrocks-3.4.ebnf for the accepted forms".to_string()
    }
}
