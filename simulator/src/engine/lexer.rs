//! The tokenizer of the simulated frontend, after StarRocksLex.g4 (spec §1.1): keywords are
//! case-insensitive words, identifiers keep their case, back-quoted identifiers drop every
//! back-quote, `'…'` and `"…"` are both strings (with backslash escapes and doubled quotes),
//! `--` and `/* */` are comments. Every token keeps its byte span for error positions.
//!
//! [`split`] cuts a COM_QUERY text into statements at top-level `;`, after lexing the whole
//! text — a lexing error anywhere fails the whole text, as in StarRocks.

use crate::engine::errors;
use crate::response::SqlError;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// An unquoted word: keyword or identifier (original case).
    Word(String),
    /// A back-quoted identifier (value with back-quotes removed).
    QuotedIdent(String),
    /// A string literal (value, escapes resolved).
    Str(String),
    /// A numeric literal as written.
    Num(String),
    /// `@@name` or `@@session.name` (text after `@@`).
    SysVar(String),
    /// `@name`.
    UserVar(String),
    Sym(&'static str),
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// Whether this is the keyword `kw` (case-insensitive, unquoted).
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    pub fn is_sym(&self, s: &str) -> bool {
        matches!(&self.tok, Tok::Sym(x) if *x == s)
    }

    /// The token as it appears in error messages.
    pub fn display(&self, sql: &str) -> String {
        match self.tok {
            Tok::Eof => "<EOF>".to_string(),
            _ => sql.get(self.start..self.end).unwrap_or("").to_string(),
        }
    }
}

const SYMBOLS: &[&str] = &[
    "<=>", "<=", ">=", "<>", "!=", "||", "&&", "(", ")", ",", ";", ".", "=", "<", ">", "+", "-",
    "*", "/", "%", "[", "]", "{", "}", ":", "!", "?",
];

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || (c as u32) >= 0x80
}

/// Lexes a whole text. The last token is always `Eof` (positioned at the end).
pub fn lex(sql: &str) -> Result<Vec<Token>, SqlError> {
    let bytes = sql.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = match sql[i..].chars().next() {
            Some(c) => c,
            None => break,
        };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if sql[i..].starts_with("--") {
            i = sql[i..]
                .find('\n')
                .map(|n| i + n + 1)
                .unwrap_or(bytes.len());
            continue;
        }
        if sql[i..].starts_with("/*") {
            match sql[i + 2..].find("*/") {
                Some(n) => i = i + 2 + n + 2,
                None => return Err(errors::syntax_at(sql, i, "Unexpected input '/*'")),
            }
            continue;
        }
        let start = i;
        if c == '`' {
            let mut value = String::new();
            let mut j = i + 1;
            loop {
                match sql[j..].chars().next() {
                    None => {
                        return Err(errors::syntax_at(
                            sql,
                            start,
                            &format!("Unexpected input '{}'", &sql[start..]),
                        ))
                    }
                    // `a``b` is `ab`: StarRocks deletes every back-quote (spec §1.1).
                    Some('`') if sql[j + 1..].starts_with('`') => j += 2,
                    Some('`') => {
                        j += 1;
                        break;
                    }
                    Some(ch) => {
                        value.push(ch);
                        j += ch.len_utf8();
                    }
                }
            }
            toks.push(Token {
                tok: Tok::QuotedIdent(value),
                start,
                end: j,
            });
            i = j;
            continue;
        }
        if c == '\'' || c == '"' {
            let (value, end) = lex_string(sql, i, c)?;
            toks.push(Token {
                tok: Tok::Str(value),
                start,
                end,
            });
            i = end;
            continue;
        }
        if c == '@' {
            let sys = sql[i..].starts_with("@@");
            let mut j = i + if sys { 2 } else { 1 };
            while let Some(ch) = sql[j..].chars().next() {
                if is_ident_char(ch) || (sys && ch == '.') {
                    j += ch.len_utf8();
                } else {
                    break;
                }
            }
            let name = sql[i + if sys { 2 } else { 1 }..j].to_string();
            if name.is_empty() {
                return Err(errors::syntax_at(sql, i, "Unexpected input '@'"));
            }
            toks.push(Token {
                tok: if sys {
                    Tok::SysVar(name)
                } else {
                    Tok::UserVar(name)
                },
                start,
                end: j,
            });
            i = j;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                j += 1;
            }
            if j < bytes.len() && (bytes[j] == b'e' || bytes[j] == b'E') {
                let mut k = j + 1;
                if k < bytes.len() && (bytes[k] == b'+' || bytes[k] == b'-') {
                    k += 1;
                }
                if k < bytes.len() && bytes[k].is_ascii_digit() {
                    j = k;
                    while j < bytes.len() && bytes[j].is_ascii_digit() {
                        j += 1;
                    }
                }
            }
            // A digit-led identifier such as `1abc` (DIGIT_IDENTIFIER).
            let tail = sql[j..].chars().next();
            if tail.is_some_and(|t| is_ident_char(t) && !t.is_ascii_digit())
                && !sql[i..j].contains('.')
            {
                while let Some(ch) = sql[j..].chars().next() {
                    if is_ident_char(ch) {
                        j += ch.len_utf8();
                    } else {
                        break;
                    }
                }
                toks.push(Token {
                    tok: Tok::Word(sql[i..j].to_string()),
                    start,
                    end: j,
                });
            } else {
                toks.push(Token {
                    tok: Tok::Num(sql[i..j].to_string()),
                    start,
                    end: j,
                });
            }
            i = j;
            continue;
        }
        if is_ident_char(c) {
            let mut j = i;
            while let Some(ch) = sql[j..].chars().next() {
                if is_ident_char(ch) {
                    j += ch.len_utf8();
                } else {
                    break;
                }
            }
            toks.push(Token {
                tok: Tok::Word(sql[i..j].to_string()),
                start,
                end: j,
            });
            i = j;
            continue;
        }
        match SYMBOLS.iter().find(|s| sql[i..].starts_with(**s)) {
            Some(s) => {
                toks.push(Token {
                    tok: Tok::Sym(s),
                    start,
                    end: i + s.len(),
                });
                i += s.len();
            }
            None => {
                return Err(errors::syntax_at(
                    sql,
                    i,
                    &format!("Unexpected input '{c}'"),
                ))
            }
        }
    }
    toks.push(Token {
        tok: Tok::Eof,
        start: sql.len(),
        end: sql.len(),
    });
    Ok(toks)
}

fn lex_string(sql: &str, start: usize, quote: char) -> Result<(String, usize), SqlError> {
    let mut value = String::new();
    let mut j = start + 1;
    loop {
        let ch = match sql[j..].chars().next() {
            Some(ch) => ch,
            None => {
                return Err(errors::syntax_at(
                    sql,
                    start,
                    &format!("Unexpected input '{}'", &sql[start..]),
                ))
            }
        };
        if ch == quote {
            if sql[j + 1..].starts_with(quote) {
                value.push(quote);
                j += 2;
                continue;
            }
            return Ok((value, j + 1));
        }
        if ch == '\\' {
            let next = sql[j + 1..].chars().next();
            match next {
                Some(n) => {
                    match n {
                        'n' => value.push('\n'),
                        't' => value.push('\t'),
                        'r' => value.push('\r'),
                        'b' => value.push('\u{8}'),
                        '0' => value.push('\0'),
                        'Z' => value.push('\u{1a}'),
                        '_' | '%' => {
                            value.push('\\');
                            value.push(n);
                        }
                        other => value.push(other),
                    }
                    j += 1 + n.len_utf8();
                }
                None => j += 1,
            }
            continue;
        }
        value.push(ch);
        j += ch.len_utf8();
    }
}

/// One statement of a multi-statement text: its tokens (ending with `Eof`) and byte range.
#[derive(Clone, Debug)]
pub struct StmtTokens {
    pub tokens: Vec<Token>,
    pub start: usize,
    pub end: usize,
}

/// Lexes the whole text and splits it at top-level `;`. Empty statements are dropped.
pub fn split(sql: &str) -> Result<Vec<StmtTokens>, SqlError> {
    let toks = lex(sql)?;
    let mut out = Vec::new();
    let mut cur: Vec<Token> = Vec::new();
    for t in toks {
        let boundary = t.is_sym(";") || t.tok == Tok::Eof;
        if boundary {
            if !cur.is_empty() {
                let start = cur[0].start;
                let end = cur[cur.len() - 1].end;
                cur.push(Token {
                    tok: Tok::Eof,
                    start: t.start,
                    end: t.start,
                });
                out.push(StmtTokens {
                    tokens: std::mem::take(&mut cur),
                    start,
                    end,
                });
            }
        } else {
            cur.push(t);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_quotes_and_comments() {
        let sql = "select ';' ; /* ; */ select `a;b` -- ;\n; select \"x\"\"y\"";
        let parts = split(sql).expect("lexes");
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[1].tokens[1].tok, Tok::QuotedIdent("a;b".into()));
        assert_eq!(parts[2].tokens[1].tok, Tok::Str("x\"y".into()));
    }

    #[test]
    fn backquotes_are_all_removed_and_escapes_resolved() {
        let t = lex("`a``b` 'it\\'s' 1abc 1.5e3 @@session.tx_isolation").expect("lexes");
        assert_eq!(t[0].tok, Tok::QuotedIdent("ab".into()));
        assert_eq!(t[1].tok, Tok::Str("it's".into()));
        assert_eq!(t[2].tok, Tok::Word("1abc".into()));
        assert_eq!(t[3].tok, Tok::Num("1.5e3".into()));
        assert_eq!(t[4].tok, Tok::SysVar("session.tx_isolation".into()));
    }

    #[test]
    fn unterminated_string_is_a_syntax_error() {
        let e = split("select 1; select 'abc").expect_err("unterminated");
        assert!(e
            .message
            .starts_with("Getting syntax error at line 1, column 17."));
    }
}
