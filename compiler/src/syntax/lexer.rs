//! The lexer: StarRocks's lexical rules (spec §1.1, `StarRocksLex.g4`) over `&str`, producing
//! tokens with byte spans. Whitespace is skipped; comments are kept as trivia tokens so a
//! formatter can preserve them. Never fails: malformed input (an unterminated string, comment
//! or back-quoted identifier, a stray character) gives a token plus a diagnostic.
//!
//! Values are not decoded here (no allocation per token): `ident_value` and `string_value`
//! decode a token's text when the parser needs it.

use nom::bytes::complete::{take_until, take_while};
use nom::IResult;

use super::keywords::{classify_upper, Kw};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `LETTER_IDENTIFIER`, `DIGIT_IDENTIFIER` or a keyword (see `Token::kw`).
    Word,
    /// `` `...` ``.
    QuotedIdent,
    /// `'...'`.
    SingleQuoted,
    /// `"..."`.
    DoubleQuoted,
    /// `INTEGER_VALUE`.
    Integer,
    /// `DECIMAL_VALUE` / `DOUBLE_VALUE`.
    Decimal,
    LParen,
    RParen,
    Comma,
    Dot,
    Semicolon,
    Eq,
    /// Any other operator (`<`, `>=`, `+`, `||`, …).
    Operator,
    /// `-- …` to end of line.
    LineComment,
    /// `/* … */` (also `/*+ … */` hints).
    BlockComment,
    /// A character no lexer rule matches.
    Unknown,
}

impl TokenKind {
    pub fn is_comment(self) -> bool {
        matches!(self, TokenKind::LineComment | TokenKind::BlockComment)
    }
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// For `Word`: the keyword it spells, if the grammar uses it.
    pub kw: Option<Kw>,
    /// For `Word`: a StarRocks reserved word (cannot be a bare identifier).
    pub reserved: bool,
    /// A string, comment or back-quoted identifier missing its closing delimiter.
    pub unterminated: bool,
}

impl Token {
    fn new(kind: TokenKind, start: usize, end: usize) -> Self {
        Token {
            kind,
            span: Span::new(start, end),
            kw: None,
            reserved: false,
            unterminated: false,
        }
    }

    /// The token's source text.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.span.start..self.span.end).unwrap_or("")
    }

    /// A name: a non-reserved word or a back-quoted identifier.
    pub fn is_ident(&self) -> bool {
        match self.kind {
            TokenKind::Word => !self.reserved,
            TokenKind::QuotedIdent => true,
            _ => false,
        }
    }

    pub fn is_kw(&self, kw: Kw) -> bool {
        self.kind == TokenKind::Word && self.kw == Some(kw)
    }

    pub fn is_string(&self) -> bool {
        matches!(self.kind, TokenKind::SingleQuoted | TokenKind::DoubleQuoted)
    }
}

/// The lexer's output.
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    /// Tokens in source order, comments included, whitespace excluded.
    pub tokens: Vec<Token>,
    pub diagnostics: Vec<Diagnostic>,
}

/// `LETTER = [a-zA-Z_$\u0080-\uffff]` (spec §1.1): note U+3000 is a LETTER as well as
/// whitespace, so it continues an identifier it touches.
fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$' || ('\u{80}'..='\u{ffff}').contains(&c)
}

fn is_word_char(c: char) -> bool {
    is_letter(c) || c.is_ascii_digit()
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\r' | '\n' | '\t' | '\u{3000}')
}

fn word(i: &str) -> IResult<&str, &str> {
    take_while(is_word_char)(i)
}

fn whitespace(i: &str) -> IResult<&str, &str> {
    take_while(is_ws)(i)
}

fn block_comment_body(i: &str) -> IResult<&str, &str> {
    take_until("*/")(i)
}

/// Lexes the whole input.
pub fn lex(src: &str) -> Lexed {
    let mut lexer = Lexer::new(src);
    let mut tokens = Vec::with_capacity(src.len() / 6 + 1);
    tokens.extend(lexer.by_ref());
    Lexed {
        tokens,
        diagnostics: lexer.diagnostics,
    }
}

/// A streaming lexer: one token at a time (the parser never holds more than one statement's
/// tokens); diagnostics accumulate in `diagnostics`, in source order.
#[derive(Clone, Debug)]
pub struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    last: Option<TokenKind>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer {
            src,
            pos: 0,
            last: None,
            diagnostics: Vec::new(),
        }
    }

    /// Lexes `src` from `pos`, which must follow a `;` token of `src` (or be 0): the lexer is
    /// then in the state lexing `src` from the start reaches there.
    pub fn resume(src: &'a str, pos: usize) -> Self {
        Lexer {
            src,
            pos,
            last: (pos > 0).then_some(TokenKind::Semicolon),
            diagnostics: Vec::new(),
        }
    }

    /// The byte offset read up to.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The next token, or `None` at the end of the input.
    pub fn next_token(&mut self) -> Option<Token> {
        let src = self.src;
        let bytes = src.as_bytes();
        while self.pos < bytes.len() {
            let pos = self.pos;
            let tok = self.token_at(src, pos)?;
            match tok {
                Step::Skip(len) => self.pos += len,
                Step::Token(tok) => {
                    self.pos = tok.span.end.max(pos + 1);
                    self.last = Some(tok.kind);
                    return Some(tok);
                }
            }
        }
        None
    }

    /// Whether the previous token ends where a `.` starts a qualified-name part
    /// (`t.1a` is `t`, `.`, `1a`; a `.5` after an operator is a number).
    fn after_word(&self) -> bool {
        matches!(
            self.last,
            Some(TokenKind::Word | TokenKind::QuotedIdent | TokenKind::RParen)
        )
    }

    fn token_at(&mut self, src: &str, pos: usize) -> Option<Step> {
        let bytes = src.as_bytes();
        let b = *bytes.get(pos)?;
        let rest = &src[pos..];
        let start = pos;
        let single = |kind| Token::new(kind, start, start + 1);
        let tok = match b {
            b' ' | b'\t' | b'\r' | b'\n' => return Some(Step::Skip(ws_len(rest))),
            b'(' => single(TokenKind::LParen),
            b')' => single(TokenKind::RParen),
            b',' => single(TokenKind::Comma),
            b';' => single(TokenKind::Semicolon),
            b'=' => {
                if rest.starts_with("==") {
                    Token::new(TokenKind::Operator, start, start + 2)
                } else {
                    single(TokenKind::Eq)
                }
            }
            b'.' => {
                if bytes.get(pos + 1).is_some_and(u8::is_ascii_digit) && !self.after_word() {
                    number(src, pos)
                } else {
                    single(TokenKind::Dot)
                }
            }
            b'`' => quoted(
                src,
                pos,
                b'`',
                TokenKind::QuotedIdent,
                &mut self.diagnostics,
            ),
            b'\'' => quoted(
                src,
                pos,
                b'\'',
                TokenKind::SingleQuoted,
                &mut self.diagnostics,
            ),
            b'"' => quoted(
                src,
                pos,
                b'"',
                TokenKind::DoubleQuoted,
                &mut self.diagnostics,
            ),
            b'-' if rest.starts_with("--") => {
                let len = rest.find('\n').unwrap_or(rest.len());
                Token::new(TokenKind::LineComment, start, start + len)
            }
            b'/' if rest.starts_with("/*") => match block_comment_body(&rest[2..]) {
                Ok((_, body)) => Token::new(TokenKind::BlockComment, start, start + 4 + body.len()),
                Err(_) => {
                    let mut t = Token::new(TokenKind::BlockComment, start, src.len());
                    t.unterminated = true;
                    self.diagnostics.push(
                        Diagnostic::error(
                            super::codes::UNTERMINATED_COMMENT,
                            Span::new(start, start + 2),
                            "unterminated block comment",
                        )
                        .with_help("close the comment with `*/`"),
                    );
                    t
                }
            },
            b'0'..=b'9' => number(src, pos),
            b'<' | b'>' | b'!' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'~'
            | b':' | b'@' | b'[' | b']' | b'{' | b'}' | b'?' => operator(src, pos),
            _ => {
                let c = rest.chars().next().unwrap_or('\u{fffd}');
                if c == '\u{3000}' {
                    // WS and LETTER_IDENTIFIER both match; the longer wins, a tie goes to the
                    // identifier (defined first in StarRocksLex.g4).
                    let ws = ws_len(rest);
                    let id = word_len(rest);
                    if ws > id {
                        return Some(Step::Skip(ws));
                    }
                    word_token(src, pos, id)
                } else if is_letter(c) {
                    word_token(src, pos, word_len(rest))
                } else {
                    let t = Token::new(TokenKind::Unknown, start, start + c.len_utf8());
                    self.diagnostics.push(
                        Diagnostic::error(
                            super::codes::UNKNOWN_CHARACTER,
                            t.span,
                            format!("unexpected character {c:?}"),
                        )
                        .with_help("remove it, or quote the text it belongs to"),
                    );
                    t
                }
            }
        };
        Some(Step::Token(tok))
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        self.next_token()
    }
}

/// What the lexer found at a position.
enum Step {
    /// Whitespace of this many bytes.
    Skip(usize),
    Token(Token),
}

fn ws_len(rest: &str) -> usize {
    whitespace(rest).map(|(_, w)| w.len()).unwrap_or(0)
}

fn word_len(rest: &str) -> usize {
    word(rest).map(|(_, w)| w.len()).unwrap_or(0)
}

fn word_token(src: &str, start: usize, len: usize) -> Token {
    let mut t = Token::new(TokenKind::Word, start, start + len);
    let text = &src.as_bytes()[start..start + len];
    if len <= 24 {
        let mut buf = [0u8; 24];
        for (d, s) in buf.iter_mut().zip(text) {
            *d = s.to_ascii_uppercase();
        }
        (t.kw, t.reserved) = classify_upper(&buf[..len]);
    }
    t
}

/// Numbers and DIGIT_IDENTIFIERs (`1abc`; `123` is a number). The longest match wins, a tie
/// goes to the number (defined first).
fn number(src: &str, start: usize) -> Token {
    let bytes = src.as_bytes();
    let digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let int_end = digits(start);
    let mut num_end = int_end;
    let mut kind = TokenKind::Integer;
    if bytes.get(num_end) == Some(&b'.') {
        num_end = digits(num_end + 1);
        kind = TokenKind::Decimal;
    }
    if matches!(bytes.get(num_end), Some(b'e' | b'E')) {
        let mut e = num_end + 1;
        if matches!(bytes.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        let e_end = digits(e);
        if e_end > e && num_end > start {
            num_end = e_end;
            kind = TokenKind::Decimal;
        }
    }
    // A DIGIT_IDENTIFIER starting here (only when the text starts with a digit).
    let word_end = if start < int_end {
        start + word_len(&src[start..])
    } else {
        start
    };
    if word_end > num_end {
        word_token(src, start, word_end - start)
    } else {
        Token::new(kind, start, num_end)
    }
}

fn operator(src: &str, start: usize) -> Token {
    const TWO: [&str; 9] = ["<=", ">=", "<>", "!=", "||", "&&", "<<", ">>", "->"];
    let rest = &src[start..];
    let len = if rest.starts_with("<=>") {
        3
    } else if TWO.iter().any(|op| rest.starts_with(op)) {
        2
    } else {
        1
    };
    Token::new(TokenKind::Operator, start, start + len)
}

/// A quoted token: a doubled delimiter stands for itself; in strings a backslash escapes the
/// next character.
fn quoted(
    src: &str,
    start: usize,
    delim: u8,
    kind: TokenKind,
    diagnostics: &mut Vec<Diagnostic>,
) -> Token {
    let bytes = src.as_bytes();
    let backslash = delim != b'`';
    let mut i = start + 1;
    while let Some(&b) = bytes.get(i) {
        if backslash && b == b'\\' {
            i += 2;
            continue;
        }
        if b == delim {
            if bytes.get(i + 1) == Some(&delim) {
                i += 2;
                continue;
            }
            return Token::new(kind, start, i + 1);
        }
        i += 1;
    }
    let mut t = Token::new(kind, start, src.len());
    t.unterminated = true;
    let (code, what, close) = match kind {
        TokenKind::QuotedIdent => (
            super::codes::UNTERMINATED_QUOTED_IDENT,
            "back-quoted identifier",
            "`",
        ),
        TokenKind::SingleQuoted => (super::codes::UNTERMINATED_STRING, "string literal", "'"),
        _ => (super::codes::UNTERMINATED_STRING, "string literal", "\""),
    };
    diagnostics.push(
        Diagnostic::error(
            code,
            Span::new(start, start + 1),
            format!("unterminated {what}"),
        )
        .with_help(format!("close it with {close}")),
    );
    t
}

/// The value of an identifier token: a word as written, a back-quoted identifier with
/// **all** backquotes deleted (StarRocks's `getText().replace("`", "")`).
pub fn ident_value(text: &str) -> String {
    if text.starts_with('`') {
        text.replace('`', "")
    } else {
        text.to_string()
    }
}

/// The value of a string token (spec §1.1, `AstBuilder.visitString`): quotes stripped, the
/// doubled quote collapsed, then backslash escapes (`\n \t \r \b \0 \Z`; `\_` and `\%` keep
/// the backslash; any other `\x` is `x`).
pub fn string_value(text: &str) -> String {
    let Some(q) = text.chars().next() else {
        return String::new();
    };
    let inner = text.get(1..).unwrap_or("");
    let inner = if text.len() >= 2 && text.ends_with(q) && !ends_with_escaped_quote(text) {
        &inner[..inner.len() - q.len_utf8()]
    } else {
        inner
    };
    let doubled: String = [q, q].iter().collect();
    let collapsed = if inner.contains(&doubled) {
        inner.replace(&doubled, &q.to_string())
    } else {
        inner.to_string()
    };
    if !collapsed.contains('\\') {
        return collapsed;
    }
    let mut out = String::with_capacity(collapsed.len());
    let mut chars = collapsed.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('0') => out.push('\0'),
            Some('Z') => out.push('\u{1a}'),
            Some(e @ ('_' | '%')) => {
                out.push('\\');
                out.push(e);
            }
            Some(other) => out.push(other),
        }
    }
    out
}

/// An unterminated string such as `'abc\'` ends with a quote that does not close it.
fn ends_with_escaped_quote(text: &str) -> bool {
    let body = &text.as_bytes()[1..text.len() - 1];
    body.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        lex(src)
            .tokens
            .iter()
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn words_numbers_and_digit_identifiers() {
        use TokenKind::*;
        assert_eq!(
            kinds("1abc 123 1e5 1.5 a.1b x$y"),
            vec![
                (Word, "1abc"),
                (Integer, "123"),
                (Decimal, "1e5"),
                (Decimal, "1.5"),
                (Word, "a"),
                (Dot, "."),
                (Word, "1b"),
                (Word, "x$y"),
            ]
        );
    }

    #[test]
    fn keywords_are_case_insensitive() {
        let src = "backup Snapshot TABLE";
        let l = lex(src);
        assert_eq!(l.tokens[0].kw, Some(Kw::Backup));
        assert_eq!(l.tokens[1].kw, Some(Kw::Snapshot));
        assert!(!l.tokens[1].reserved);
        assert!(l.tokens[2].reserved);
    }

    #[test]
    fn quoted_identifiers_drop_all_backquotes() {
        assert_eq!(ident_value("`a``b`"), "ab");
        assert_eq!(ident_value("``"), "");
        assert_eq!(kinds("`a``b`"), vec![(TokenKind::QuotedIdent, "`a``b`")]);
    }

    #[test]
    fn string_escapes() {
        assert_eq!(string_value(r"'a''b'"), "a'b");
        assert_eq!(string_value(r#""a""b""#), "a\"b");
        assert_eq!(string_value(r"'a\nb\tc'"), "a\nb\tc");
        assert_eq!(string_value(r"'\_\%\q\\'"), "\\_\\%q\\");
        assert_eq!(string_value(r"'it\'s'"), "it's");
        assert_eq!(
            kinds(r"'it\'s' x"),
            vec![
                (TokenKind::SingleQuoted, r"'it\'s'"),
                (TokenKind::Word, "x")
            ]
        );
    }

    #[test]
    fn comments_are_trivia_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("a -- c\n/* d */ b"),
            vec![
                (Word, "a"),
                (LineComment, "-- c"),
                (BlockComment, "/* d */"),
                (Word, "b")
            ]
        );
    }

    #[test]
    fn ideographic_space() {
        use TokenKind::*;
        assert_eq!(kinds("a \u{3000} b"), vec![(Word, "a"), (Word, "b")]);
        // U+3000 is also a LETTER: it continues a word it touches.
        assert_eq!(kinds("a\u{3000}b"), vec![(Word, "a\u{3000}b")]);
    }

    #[test]
    fn unterminated_tokens_report_and_do_not_panic() {
        for src in ["'abc", "\"abc\\", "`abc", "/* abc", "'", "`", "/*"] {
            let l = lex(src);
            assert_eq!(l.diagnostics.len(), 1, "{src}");
            assert!(l.tokens.iter().any(|t| t.unterminated), "{src}");
        }
    }
}
