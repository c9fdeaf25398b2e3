//! A small lexer and cursor for SHOW statements, with StarRocks's syntax-error texts.
//!
//! SHOW forms are short and fixed (`StarRocks.g4` rules `show*Statement`), so they are read
//! with a hand-written cursor instead of a general SQL parser: keywords are matched
//! case-insensitively, identifiers keep their case (back-quotes removed, as
//! `AstBuilder.visitBackQuotedIdentifier` does), strings are unescaped like `AstBuilder.visitString`.
//! Errors carry StarRocks's positions: 1-based line, 0-based column of the offending token.

use crate::engine::errors;
use crate::response::SqlError;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A bare word: keyword or unquoted identifier (original case).
    Word(String),
    /// A back-quoted identifier, quotes removed.
    Quoted(String),
    /// A string literal, unescaped.
    Str(String),
    /// An integer literal (digits as written).
    Int(String),
    /// A decimal or exponent number.
    Num(String),
    /// Punctuation and operators: `,` `.` `(` `)` `=` `<` `>` `<=` `>=` `!=` `<>` `<=>` `;` `*`.
    Sym(&'static str),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// Byte offset in the statement text.
    pub at: usize,
    /// The token's source text (for error messages).
    pub text: String,
}

const SYMBOLS: [&str; 14] = [
    "<=>", "<=", ">=", "!=", "<>", ",", ".", "(", ")", "=", "<", ">", ";", "*",
];

/// Splits a statement into tokens; an unterminated string or identifier is a syntax error.
pub fn lex(sql: &str) -> Result<Vec<Token>, SqlError> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if sql[i..].starts_with("--") || c == b'#' {
            i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        if sql[i..].starts_with("/*") {
            i = sql[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
            continue;
        }
        let start = i;
        if c == b'\'' || c == b'"' {
            let (value, end) = lex_string(sql, i, c)
                .ok_or_else(|| errors::syntax_at(sql, start, "Unterminated string literal"))?;
            out.push(token(Tok::Str(value), sql, start, end));
            i = end;
        } else if c == b'`' {
            let end = sql[i + 1..]
                .find('`')
                .map(|n| i + 1 + n + 1)
                .ok_or_else(|| errors::syntax_at(sql, start, "Unterminated identifier"))?;
            // Doubled back-quotes continue the identifier; all back-quotes are dropped.
            let mut end = end;
            while sql[end..].starts_with('`') {
                end = sql[end + 1..]
                    .find('`')
                    .map(|n| end + 1 + n + 1)
                    .ok_or_else(|| errors::syntax_at(sql, start, "Unterminated identifier"))?;
            }
            let value = sql[start..end].replace('`', "");
            out.push(token(Tok::Quoted(value), sql, start, end));
            i = end;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            let word_follows =
                j < bytes.len() && (bytes[j].is_ascii_alphabetic() || bytes[j] == b'_');
            if word_follows {
                while j < bytes.len() && is_word_byte(bytes[j]) {
                    j += 1;
                }
                out.push(token(Tok::Word(sql[i..j].to_string()), sql, i, j));
            } else if j < bytes.len() && bytes[j] == b'.' {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                out.push(token(Tok::Num(sql[i..j].to_string()), sql, i, j));
            } else {
                out.push(token(Tok::Int(sql[i..j].to_string()), sql, i, j));
            }
            i = j;
        } else if is_word_byte(c) || c >= 0x80 {
            let mut j = i;
            while j < bytes.len() && (is_word_byte(bytes[j]) || bytes[j] >= 0x80) {
                j += 1;
            }
            out.push(token(Tok::Word(sql[i..j].to_string()), sql, i, j));
            i = j;
        } else if let Some(sym) = SYMBOLS.iter().find(|s| sql[i..].starts_with(**s)) {
            out.push(token(Tok::Sym(sym), sql, i, i + sym.len()));
            i += sym.len();
        } else {
            let ch = sql[i..].chars().next().unwrap_or(' ');
            return Err(errors::syntax_at(
                sql,
                i,
                &format!("Unexpected input '{ch}', the most similar input is {{<EOF>, ';'}}"),
            ));
        }
    }
    Ok(out)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

fn token(tok: Tok, sql: &str, start: usize, end: usize) -> Token {
    Token {
        tok,
        at: start,
        text: sql[start..end].to_string(),
    }
}

/// A quoted string starting at `start`; returns the unescaped value and the end offset.
fn lex_string(sql: &str, start: usize, quote: u8) -> Option<(String, usize)> {
    let q = char::from(quote);
    let mut out = String::new();
    let mut chars = sql[start + 1..].char_indices().peekable();
    while let Some((off, ch)) = chars.next() {
        if ch == '\\' {
            let (_, next) = chars.next()?;
            match next {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                '0' => out.push('\0'),
                'Z' => out.push('\u{1a}'),
                '_' | '%' => {
                    out.push('\\');
                    out.push(next);
                }
                other => out.push(other),
            }
        } else if ch == q {
            if matches!(chars.peek(), Some((_, c)) if *c == q) {
                chars.next();
                out.push(q);
            } else {
                return Some((out, start + 1 + off + 1));
            }
        } else {
            out.push(ch);
        }
    }
    None
}

/// A read position over a statement's tokens.
pub struct Cursor<'s> {
    pub sql: &'s str,
    toks: Vec<Token>,
    pos: usize,
}

impl<'s> Cursor<'s> {
    pub fn new(sql: &'s str) -> Result<Cursor<'s>, SqlError> {
        let mut toks = lex(sql)?;
        // A single trailing `;` ends the statement (`singleStatement: statement (';' | EOF)`).
        if matches!(
            toks.last(),
            Some(Token {
                tok: Tok::Sym(";"),
                ..
            })
        ) {
            toks.pop();
        }
        Ok(Cursor { sql, toks, pos: 0 })
    }

    pub fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    pub fn peek_at(&self, n: usize) -> Option<&Token> {
        self.toks.get(self.pos + n)
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Byte offset of the next token, or the end of the text.
    pub fn offset(&self) -> usize {
        self.peek().map_or(self.sql.trim_end().len(), |t| t.at)
    }

    pub fn bump(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// Whether the next token is the keyword `kw` (case-insensitive).
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(kw))
    }

    /// Consumes the keyword if present.
    pub fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.is_kw(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    pub fn eat_sym(&mut self, sym: &str) -> bool {
        let hit = matches!(self.peek(), Some(Token { tok: Tok::Sym(s), .. }) if *s == sym);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Requires one of `expected` (keywords or symbols), else StarRocks's "Unexpected input".
    pub fn expect_kw(&mut self, kw: &str) -> Result<(), SqlError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected(&[&format!("'{}'", kw.to_ascii_uppercase())]))
        }
    }

    /// An identifier: a bare word that is not a reserved keyword of these forms, or a
    /// back-quoted name.
    pub fn identifier(&mut self) -> Result<String, SqlError> {
        match self.peek() {
            Some(Token {
                tok: Tok::Quoted(q),
                ..
            }) => {
                let q = q.clone();
                self.pos += 1;
                Ok(q)
            }
            Some(Token {
                tok: Tok::Word(w), ..
            }) if !is_reserved(w) => {
                let w = w.clone();
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.unexpected(&["a legal identifier"])),
        }
    }

    /// `qualifiedName`: `a`, `a.b` or `a.b.c`.
    pub fn qualified_name(&mut self) -> Result<Vec<String>, SqlError> {
        let mut parts = vec![self.identifier()?];
        while self.eat_sym(".") {
            parts.push(self.identifier()?);
        }
        Ok(parts)
    }

    pub fn string(&mut self) -> Result<String, SqlError> {
        match self.peek() {
            Some(Token {
                tok: Tok::Str(s), ..
            }) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.unexpected(&["a string"])),
        }
    }

    pub fn integer(&mut self) -> Result<u64, SqlError> {
        match self.peek() {
            Some(Token {
                tok: Tok::Int(s), ..
            }) => {
                let v = s.parse::<u64>().unwrap_or(u64::MAX);
                self.pos += 1;
                Ok(v)
            }
            _ => Err(self.unexpected(&["INTEGER_VALUE"])),
        }
    }

    /// The statement must end here: a trailing token gets StarRocks's
    /// `Unexpected input 'X', the most similar input is {<EOF>, ';'}`.
    pub fn expect_end(&self) -> Result<(), SqlError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.unexpected(&["<EOF>", "';'"]))
        }
    }

    /// `Unexpected input 'X', the most similar input is {…}` at the next token; at the end of
    /// the text, `Unexpected input '<EOF>'`.
    pub fn unexpected(&self, expected: &[&str]) -> SqlError {
        let found = self.peek().map_or("<EOF>".to_string(), |t| t.text.clone());
        errors::syntax_at(
            self.sql,
            self.offset(),
            &format!(
                "Unexpected input '{found}', the most similar input is {{{}}}",
                expected.join(", ")
            ),
        )
    }
}

/// Words that cannot be bare identifiers in the SHOW forms handled here (reserved in
/// `StarRocks.g4`; the nonReserved list lets keywords such as `BACKENDS` be names).
fn is_reserved(w: &str) -> bool {
    const RESERVED: [&str; 14] = [
        "WHERE", "ORDER", "LIMIT", "OFFSET", "LIKE", "FROM", "IN", "AND", "OR", "NOT", "BY",
        "SELECT", "SHOW", "TABLE",
    ];
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_names_strings_and_operators() {
        let toks = lex("SHOW PARTITIONS FROM `d``b`.t WHERE x >= 'a''b' LIMIT 2,3").expect("lex");
        let kinds: Vec<&Tok> = toks.iter().map(|t| &t.tok).collect();
        assert_eq!(kinds[3], &Tok::Quoted("db".into()));
        assert_eq!(kinds[8], &Tok::Sym(">="));
        assert_eq!(kinds[9], &Tok::Str("a'b".into()));
        assert_eq!(kinds[11], &Tok::Int("2".into()));
    }

    #[test]
    fn trailing_input_is_a_syntax_error_with_position() {
        let mut c = Cursor::new("SHOW BACKENDS LIMIT 1").expect("lex");
        assert!(c.eat_kw("show") && c.eat_kw("backends"));
        let e = c.expect_end().expect_err("trailing");
        assert_eq!(
            e.message,
            "Getting syntax error at line 1, column 14. Detail message: Unexpected input 'LIMIT', the most similar input is {<EOF>, ';'}."
        );
    }

    #[test]
    fn a_final_semicolon_ends_the_statement() {
        let mut c = Cursor::new("show frontends ;").expect("lex");
        assert!(c.eat_kw("SHOW") && c.eat_kw("FRONTENDS"));
        assert!(c.expect_end().is_ok());
    }
}
