//! A recursive-descent parser over [`lexer`](super::lexer) tokens: statement dispatch,
//! expressions, SELECT, INSERT, DELETE, SET and USE. StarRocks DDL lives in `parse_ddl`.
//!
//! Errors follow StarRocks's parse-error shape: `Unexpected input 'x', the most similar input
//! is {…}` at the offending token, or `No viable statement for input '…'` for an unknown
//! statement. `parse_all` parses every statement of a text before anything runs.

use crate::engine::ast::*;
use crate::engine::errors;
use crate::engine::lexer::{self, StmtTokens, Tok, Token};
use crate::engine::value::Value;
use crate::engine::MAX_LATENCY_MS;
use crate::response::SqlError;

pub type PResult<T> = Result<T, SqlError>;

/// Words that cannot be bare identifiers.
const RESERVED: &[&str] = &[
    "ALL",
    "ALTER",
    "AND",
    "AS",
    "ASC",
    "BETWEEN",
    "BY",
    "CASE",
    "CREATE",
    "DATABASE",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DISTRIBUTED",
    "DROP",
    "ELSE",
    "END",
    "EXISTS",
    "FOR",
    "FROM",
    "FUNCTION",
    "GROUP",
    "HAVING",
    "IN",
    "INSERT",
    "INTO",
    "IS",
    "JOIN",
    "KEY",
    "LIKE",
    "LIMIT",
    "NOT",
    "NULL",
    "ON",
    "OR",
    "ORDER",
    "PARTITION",
    "READ",
    "SELECT",
    "SET",
    "TABLE",
    "THEN",
    "TO",
    "UNION",
    "UPDATE",
    "USE",
    "VALUES",
    "WHEN",
    "WHERE",
    "WITH",
];

pub struct Parser<'a> {
    pub sql: &'a str,
    pub toks: &'a [Token],
    pub pos: usize,
    pub stmt_start: usize,
}

/// Parses every statement of a COM_QUERY text; the first syntax error fails the whole text.
pub fn parse_all(sql: &str) -> PResult<Vec<Parsed>> {
    let parts = lexer::split(sql)?;
    let mut out = Vec::with_capacity(parts.len());
    for StmtTokens { tokens, start, end } in &parts {
        let mut p = Parser {
            sql,
            toks: tokens,
            pos: 0,
            stmt_start: *start,
        };
        let stmt = p.statement()?;
        out.push(Parsed {
            stmt,
            start: *start,
            end: *end,
        });
    }
    Ok(out)
}

impl<'a> Parser<'a> {
    pub fn peek(&self) -> &Token {
        let last = self.toks.len().saturating_sub(1);
        &self.toks[self.pos.min(last)]
    }

    pub fn peek_at(&self, n: usize) -> &Token {
        let last = self.toks.len().saturating_sub(1);
        &self.toks[(self.pos + n).min(last)]
    }

    pub fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    pub fn at_end(&self) -> bool {
        self.peek().tok == Tok::Eof
    }

    pub fn peek_kw(&self, kw: &str) -> bool {
        self.peek().is_kw(kw)
    }

    pub fn eat_kw(&mut self, kw: &str) -> bool {
        if self.peek_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes a sequence of keywords if all are next.
    pub fn eat_kws(&mut self, kws: &[&str]) -> bool {
        if kws
            .iter()
            .enumerate()
            .all(|(i, k)| self.peek_at(i).is_kw(k))
        {
            self.pos += kws.len();
            true
        } else {
            false
        }
    }

    pub fn eat_sym(&mut self, s: &str) -> bool {
        if self.peek().is_sym(s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// `Unexpected input 'x', the most similar input is {expected}` at the current token.
    pub fn unexpected(&self, expected: &[&str]) -> SqlError {
        let t = self.peek();
        let shown: Vec<String> = expected
            .iter()
            .map(|e| {
                if e.starts_with('<') {
                    e.to_string()
                } else {
                    format!("'{e}'")
                }
            })
            .collect();
        errors::syntax_at(
            self.sql,
            t.start,
            &format!(
                "Unexpected input '{}', the most similar input is {{{}}}",
                t.display(self.sql),
                shown.join(", ")
            ),
        )
    }

    pub fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected(&[kw]))
        }
    }

    pub fn expect_sym(&mut self, s: &str) -> PResult<()> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            Err(self.unexpected(&[s]))
        }
    }

    pub fn expect_end(&mut self) -> PResult<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.unexpected(&["<EOF>", ";"]))
        }
    }

    /// An identifier: a non-reserved word or a back-quoted name.
    pub fn ident(&mut self) -> PResult<String> {
        let t = self.peek().clone();
        match t.tok {
            Tok::QuotedIdent(s) => {
                self.pos += 1;
                Ok(s)
            }
            Tok::Word(w) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&w)) => {
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.unexpected(&["<identifier>"])),
        }
    }

    /// An identifier or a string (`identifierOrString`).
    pub fn ident_or_string(&mut self) -> PResult<String> {
        if let Tok::Str(s) = &self.peek().tok {
            let s = s.clone();
            self.pos += 1;
            return Ok(s);
        }
        self.ident()
    }

    /// `[db.]name`.
    pub fn obj_name(&mut self) -> PResult<ObjName> {
        let pos = self.peek().start;
        let first = self.ident()?;
        if self.eat_sym(".") {
            let second = self.ident()?;
            if self.peek().is_sym(".") {
                return Err(self.unexpected(&["<EOF>", ";"]));
            }
            Ok(ObjName {
                db: Some(first),
                name: second,
                pos,
            })
        } else {
            Ok(ObjName {
                db: None,
                name: first,
                pos,
            })
        }
    }

    pub fn string_lit(&mut self) -> PResult<String> {
        match &self.peek().tok {
            Tok::Str(s) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.unexpected(&["<string>"])),
        }
    }

    pub fn integer(&mut self) -> PResult<i64> {
        let neg = self.eat_sym("-");
        match &self.peek().tok {
            Tok::Num(n) => match n.parse::<i64>() {
                Ok(v) => {
                    self.pos += 1;
                    Ok(if neg { -v } else { v })
                }
                Err(_) => Err(self.unexpected(&["<integer>"])),
            },
            _ => Err(self.unexpected(&["<integer>"])),
        }
    }

    /// `( ident, … )`.
    pub fn ident_list(&mut self) -> PResult<Vec<String>> {
        self.expect_sym("(")?;
        let mut v = vec![self.ident()?];
        while self.eat_sym(",") {
            v.push(self.ident()?);
        }
        self.expect_sym(")")?;
        Ok(v)
    }

    /// Source text from byte `from` to the end of the previous token.
    pub fn text_since(&self, from: usize) -> String {
        let end = if self.pos == 0 {
            from
        } else {
            self.toks[self.pos - 1].end
        };
        self.sql.get(from..end.max(from)).unwrap_or("").to_string()
    }

    /// `No viable statement for input '<text up to the offending token>'`.
    pub fn no_viable(&self) -> SqlError {
        let t = self.peek();
        let upto = if t.tok == Tok::Eof { t.start } else { t.end };
        let text = self.sql.get(self.stmt_start..upto).unwrap_or("");
        errors::syntax_at(
            self.sql,
            t.start,
            &format!("No viable statement for input '{}'", text.trim()),
        )
    }

    fn statement(&mut self) -> PResult<Stmt> {
        let first = self.peek().clone();
        let Tok::Word(w) = &first.tok else {
            return Err(self.no_viable());
        };
        match w.to_ascii_uppercase().as_str() {
            "SELECT" => {
                let s = self.select()?;
                if self.peek_kw("UNION") {
                    return self.union(s);
                }
                self.expect_end()?;
                Ok(Stmt::Select(s))
            }
            "SHOW" => Ok(Stmt::Show),
            "INSERT" => self.insert(),
            "DELETE" => self.delete(),
            "UPDATE" => self.update(),
            "USE" => {
                self.advance();
                let name = self.obj_name()?;
                self.expect_end()?;
                Ok(Stmt::Use(name))
            }
            "SET" => self.set(),
            "BEGIN" | "COMMIT" | "ROLLBACK" => {
                self.advance();
                self.expect_end()?;
                Ok(Stmt::Noop)
            }
            "ADMIN" => {
                self.advance();
                if self.eat_kws(&["SHOW", "SIMULATOR", "STATS"]) {
                    self.expect_end()?;
                    Ok(Stmt::AdminShowStats)
                } else if self.eat_kws(&["SET", "SIMULATOR", "LATENCY"]) {
                    self.eat_sym("=");
                    let ms = self.integer()?;
                    self.expect_end()?;
                    u64::try_from(ms)
                        .ok()
                        .filter(|&ms| ms <= MAX_LATENCY_MS)
                        .map(Stmt::AdminSetLatency)
                        .ok_or_else(|| {
                            errors::analyzing(&format!(
                                "simulator latency must be between 0 and {MAX_LATENCY_MS} ms, not {ms}"
                            ))
                        })
                } else {
                    Err(self.no_viable())
                }
            }
            "CREATE" | "DROP" | "ALTER" | "TRUNCATE" => self.ddl_statement(),
            _ => Err(self.no_viable()),
        }
    }

    /// The rest of `first UNION [ALL | DISTINCT] SELECT …`. In StarRocks's grammar
    /// (`queryNoWith: queryPrimary (ORDER BY …)? limitElement?`) ORDER BY and LIMIT follow
    /// the whole set operation, never an operand before a UNION; after the last operand they
    /// would apply to the whole result, which the simulator does not support.
    fn union(&mut self, first: Select) -> PResult<Stmt> {
        let mut rest: Vec<(bool, Select)> = Vec::new();
        while self.peek_kw("UNION") {
            let last = rest.last().map_or(&first, |(_, s)| s);
            if !last.order_by.is_empty() || last.limit.is_some() {
                return Err(self.unexpected(&["<EOF>", ";"]));
            }
            self.advance();
            let distinct = if self.eat_kw("ALL") {
                false
            } else {
                let _ = self.eat_kw("DISTINCT");
                true
            };
            rest.push((distinct, self.select()?));
        }
        self.expect_end()?;
        if rest
            .last()
            .is_some_and(|(_, s)| !s.order_by.is_empty() || s.limit.is_some())
        {
            return Err(errors::unsupported("ORDER BY or LIMIT after a UNION"));
        }
        Ok(Stmt::Union(Union { first, rest }))
    }

    fn set(&mut self) -> PResult<Stmt> {
        self.advance();
        let mut items = Vec::new();
        loop {
            if self.eat_kw("NAMES") {
                let v = self.ident_or_string()?;
                if self.eat_kw("COLLATE") {
                    self.ident_or_string()?;
                }
                items.push(("names".to_string(), Value::Str(v)));
            } else {
                let name = match self.peek().tok.clone() {
                    Tok::SysVar(n) => {
                        self.advance();
                        strip_scope(&n)
                    }
                    Tok::UserVar(n) => {
                        self.advance();
                        format!("@{n}")
                    }
                    _ => {
                        let _ =
                            self.eat_kw("SESSION") || self.eat_kw("GLOBAL") || self.eat_kw("LOCAL");
                        let mut n = self.ident()?;
                        while self.eat_sym(".") {
                            n = self.ident()?;
                        }
                        n.to_ascii_lowercase()
                    }
                };
                if !self.eat_sym("=") {
                    self.expect_sym(":")?;
                    self.expect_sym("=")?;
                }
                let v = if self.peek_kw("DEFAULT") {
                    self.advance();
                    Value::Null
                } else if let Tok::Word(w) = &self.peek().tok {
                    if matches!(self.peek_at(1).tok, Tok::Eof) || self.peek_at(1).is_sym(",") {
                        let w = w.clone();
                        self.advance();
                        Value::Str(w)
                    } else {
                        self.literal_expr()?
                    }
                } else {
                    self.literal_expr()?
                };
                items.push((name, v));
            }
            if !self.eat_sym(",") {
                break;
            }
        }
        self.expect_end()?;
        Ok(Stmt::Set(items))
    }

    fn literal_expr(&mut self) -> PResult<Value> {
        let e = self.expr()?;
        Ok(match e {
            Expr::Lit(v) => v,
            Expr::Neg(inner) => match *inner {
                Expr::Lit(Value::Int(i)) => Value::Int(-i),
                Expr::Lit(Value::Float(f)) => Value::Float(-f),
                _ => Value::Null,
            },
            Expr::Col { name, .. } => Value::Str(name),
            _ => Value::Null,
        })
    }

    pub fn select(&mut self) -> PResult<Select> {
        self.expect_kw("SELECT")?;
        let distinct = self.eat_kw("DISTINCT");
        let _ = self.eat_kw("ALL");
        let mut items = Vec::new();
        loop {
            if self.eat_sym("*") {
                items.push(SelectItem::Star(None));
            } else if matches!(self.peek().tok, Tok::Word(_) | Tok::QuotedIdent(_))
                && self.peek_at(1).is_sym(".")
                && self.peek_at(2).is_sym("*")
            {
                let table = self.ident()?;
                self.pos += 2;
                items.push(SelectItem::Star(Some(table)));
            } else {
                let start = self.peek().start;
                let expr = self.expr()?;
                let text = self.text_since(start);
                let alias = if self.eat_kw("AS")
                    || matches!(self.peek().tok, Tok::QuotedIdent(_) | Tok::Str(_))
                    || matches!(&self.peek().tok, Tok::Word(w) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(w)))
                {
                    Some(self.ident_or_string()?)
                } else {
                    None
                };
                items.push(SelectItem::Expr { expr, alias, text });
            }
            if !self.eat_sym(",") {
                break;
            }
        }
        let mut from = None;
        let mut from_partitions = Vec::new();
        let mut alias = None;
        let mut joins = Vec::new();
        if self.eat_kw("FROM") {
            from = Some(self.obj_name()?);
            if self.eat_kw("PARTITION") || self.eat_kw("PARTITIONS") {
                from_partitions = self.partition_names()?;
            }
            alias = self.table_alias()?;
            loop {
                let kind = if self.eat_kw("JOIN") || self.eat_kws(&["INNER", "JOIN"]) {
                    JoinKind::Inner
                } else if self.eat_kws(&["LEFT", "JOIN"])
                    || self.eat_kws(&["LEFT", "OUTER", "JOIN"])
                {
                    JoinKind::Left
                } else if self.peek().is_sym(",")
                    || ["RIGHT", "FULL", "CROSS", "LEFT", "INNER", "SEMI", "ANTI"]
                        .iter()
                        .any(|k| self.peek_kw(k))
                {
                    return Err(errors::unsupported(
                        "this join (only [INNER] JOIN and LEFT [OUTER] JOIN … ON)",
                    ));
                } else {
                    break;
                };
                let table = self.obj_name()?;
                let alias = self.table_alias()?;
                if self.peek_kw("USING") {
                    return Err(errors::unsupported("JOIN … USING"));
                }
                self.expect_kw("ON")?;
                let on = self.expr()?;
                joins.push(Join {
                    kind,
                    table,
                    alias,
                    on,
                });
            }
        }
        let selection = if self.eat_kw("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        let mut group_by = Vec::new();
        if self.eat_kws(&["GROUP", "BY"]) {
            loop {
                group_by.push(self.expr()?);
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        let having = if self.eat_kw("HAVING") {
            Some(self.expr()?)
        } else {
            None
        };
        let mut order_by = Vec::new();
        if self.eat_kws(&["ORDER", "BY"]) {
            loop {
                let expr = self.expr()?;
                let desc = if self.eat_kw("DESC") {
                    true
                } else {
                    let _ = self.eat_kw("ASC");
                    false
                };
                order_by.push(OrderKey { expr, desc });
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        let mut limit = None;
        let mut offset = 0;
        if self.eat_kw("LIMIT") {
            let a = self.integer()?;
            if self.eat_sym(",") {
                offset = a.max(0) as u64;
                limit = Some(self.integer()?.max(0) as u64);
            } else {
                limit = Some(a.max(0) as u64);
                if self.eat_kw("OFFSET") {
                    offset = self.integer()?.max(0) as u64;
                }
            }
        }
        Ok(Select {
            items,
            from,
            from_partitions,
            alias,
            joins,
            selection,
            group_by,
            having,
            order_by,
            limit,
            offset,
            distinct,
        })
    }

    /// `[AS] alias` after a table in FROM; join keywords are never an alias.
    fn table_alias(&mut self) -> PResult<Option<String>> {
        if self.eat_kw("AS") {
            return Ok(Some(self.ident()?));
        }
        if let Tok::Word(w) = &self.peek().tok {
            let join_word = [
                "LEFT", "RIGHT", "INNER", "FULL", "CROSS", "OUTER", "SEMI", "ANTI", "USING",
            ]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(w));
            if !join_word && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(w)) {
                return Ok(Some(self.ident()?));
            }
        }
        if matches!(self.peek().tok, Tok::QuotedIdent(_)) {
            return Ok(Some(self.ident()?));
        }
        Ok(None)
    }

    fn partition_names(&mut self) -> PResult<Vec<String>> {
        // PARTITION p | PARTITION (p1, p2) | PARTITIONS (…)
        if self.eat_sym("(") {
            let mut v = vec![self.ident_or_string()?];
            while self.eat_sym(",") {
                v.push(self.ident_or_string()?);
            }
            self.expect_sym(")")?;
            Ok(v)
        } else {
            Ok(vec![self.ident_or_string()?])
        }
    }

    fn insert(&mut self) -> PResult<Stmt> {
        self.advance();
        let overwrite = if self.eat_kw("OVERWRITE") {
            let _ = self.eat_kw("TABLE");
            true
        } else {
            self.expect_kw("INTO")?;
            false
        };
        let table = self.obj_name()?;
        let mut partitions = Vec::new();
        if self.eat_kw("PARTITION") || self.eat_kw("PARTITIONS") {
            partitions = self.partition_names()?;
        }
        let mut label = None;
        if self.eat_kws(&["WITH", "LABEL"]) {
            label = Some(self.ident_or_string()?);
        }
        let mut columns = None;
        if self.peek().is_sym("(") && !self.peek_at(1).is_kw("SELECT") {
            columns = Some(self.ident_list()?);
        }
        let source = if self.eat_kw("VALUES") || self.eat_kw("VALUE") {
            let mut rows = Vec::new();
            loop {
                self.expect_sym("(")?;
                let mut row = Vec::new();
                if !self.peek().is_sym(")") {
                    loop {
                        row.push(self.expr()?);
                        if !self.eat_sym(",") {
                            break;
                        }
                    }
                }
                self.expect_sym(")")?;
                rows.push(row);
                if !self.eat_sym(",") {
                    break;
                }
            }
            InsertSource::Values(rows)
        } else if self.peek_kw("SELECT") {
            InsertSource::Select(Box::new(self.select()?))
        } else if self.peek().is_sym("(") && self.peek_at(1).is_kw("SELECT") {
            self.advance();
            let s = self.select()?;
            self.expect_sym(")")?;
            InsertSource::Select(Box::new(s))
        } else {
            return Err(self.unexpected(&["VALUES", "SELECT", "("]));
        };
        self.expect_end()?;
        Ok(Stmt::Insert(Insert {
            table,
            overwrite,
            partitions,
            columns,
            source,
            label,
        }))
    }

    fn update(&mut self) -> PResult<Stmt> {
        self.advance();
        let table = self.obj_name()?;
        self.expect_kw("SET")?;
        let mut assignments = Vec::new();
        loop {
            let pos = self.peek().start;
            let column = self.ident()?;
            self.expect_sym("=")?;
            assignments.push((column, self.expr()?, pos));
            if !self.eat_sym(",") {
                break;
            }
        }
        let selection = if self.eat_kw("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        self.expect_end()?;
        Ok(Stmt::Update(Update {
            table,
            assignments,
            selection,
        }))
    }

    fn delete(&mut self) -> PResult<Stmt> {
        self.advance();
        self.expect_kw("FROM")?;
        let table = self.obj_name()?;
        let mut partitions = Vec::new();
        if self.eat_kw("PARTITION") || self.eat_kw("PARTITIONS") {
            partitions = self.partition_names()?;
        }
        let selection = if self.eat_kw("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        self.expect_end()?;
        Ok(Stmt::Delete(Delete {
            table,
            partitions,
            selection,
        }))
    }
}

/// `session.x` / `global.x` / `x` → `x`, lower-cased.
pub(crate) fn strip_scope(n: &str) -> String {
    let lower = n.to_ascii_lowercase();
    for p in ["session.", "global.", "local."] {
        if let Some(rest) = lower.strip_prefix(p) {
            return rest.to_string();
        }
    }
    lower
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str) -> Stmt {
        let mut v = parse_all(sql).expect("parses");
        assert_eq!(v.len(), 1);
        v.remove(0).stmt
    }

    #[test]
    fn select_with_everything() {
        let Stmt::Select(s) = one(
            "SELECT a, COUNT(*) AS n FROM db.t WHERE a IN (1,2) AND b LIKE 'x%' GROUP BY a ORDER BY n DESC, a LIMIT 10 OFFSET 5",
        ) else {
            panic!("not a select")
        };
        assert_eq!(s.from.as_ref().map(|f| f.name.as_str()), Some("t"));
        assert_eq!(s.group_by.len(), 1);
        assert_eq!(s.order_by.len(), 2);
        assert_eq!((s.limit, s.offset), (Some(10), 5));
    }

    #[test]
    fn one_syntax_error_fails_the_whole_text() {
        let e = parse_all("select 1; selec 2").expect_err("bad");
        assert_eq!(
            e.message,
            "Getting syntax error at line 1, column 10. Detail message: No viable statement for input 'selec'."
        );
    }

    #[test]
    fn set_forms() {
        assert!(matches!(one("SET NAMES utf8mb4"), Stmt::Set(_)));
        assert!(
            matches!(one("SET SESSION sql_mode = 'x', @@autocommit=1"), Stmt::Set(v) if v.len() == 2)
        );
        assert!(matches!(
            one("set global time_zone = '+08:00'"),
            Stmt::Set(_)
        ));
    }
}
