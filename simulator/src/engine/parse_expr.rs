//! Expressions and column types for the frontend parser (precedence climbing: OR < AND <
//! NOT < comparison / IS / IN / LIKE / BETWEEN < `+ -` < `* / %` < unary < primary).

use crate::engine::ast::{BinOp, Expr};
use crate::engine::errors;
use crate::engine::lexer::Tok;
use crate::engine::parser::{strip_scope, PResult, Parser};
use crate::engine::value::{SqlType, Value};

impl Parser<'_> {
    pub fn expr(&mut self) -> PResult<Expr> {
        self.or_expr()
    }

    fn or_expr(&mut self) -> PResult<Expr> {
        let mut l = self.and_expr()?;
        while self.eat_kw("OR") || self.eat_sym("||") {
            let r = self.and_expr()?;
            l = Expr::Bin {
                op: BinOp::Or,
                l: Box::new(l),
                r: Box::new(r),
            };
        }
        Ok(l)
    }

    fn and_expr(&mut self) -> PResult<Expr> {
        let mut l = self.not_expr()?;
        while self.eat_kw("AND") || self.eat_sym("&&") {
            let r = self.not_expr()?;
            l = Expr::Bin {
                op: BinOp::And,
                l: Box::new(l),
                r: Box::new(r),
            };
        }
        Ok(l)
    }

    fn not_expr(&mut self) -> PResult<Expr> {
        if self.eat_kw("NOT") || self.eat_sym("!") {
            return Ok(Expr::Not(Box::new(self.not_expr()?)));
        }
        self.predicate()
    }

    fn predicate(&mut self) -> PResult<Expr> {
        let l = self.additive()?;
        let op = match &self.peek().tok {
            Tok::Sym("=") => Some(BinOp::Eq),
            Tok::Sym("<=>") => Some(BinOp::NullSafeEq),
            Tok::Sym("<>") | Tok::Sym("!=") => Some(BinOp::Ne),
            Tok::Sym("<") => Some(BinOp::Lt),
            Tok::Sym("<=") => Some(BinOp::Le),
            Tok::Sym(">") => Some(BinOp::Gt),
            Tok::Sym(">=") => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.advance();
            let r = self.additive()?;
            return Ok(Expr::Bin {
                op,
                l: Box::new(l),
                r: Box::new(r),
            });
        }
        if self.eat_kw("IS") {
            let neg = self.eat_kw("NOT");
            self.expect_kw("NULL")?;
            return Ok(Expr::IsNull {
                e: Box::new(l),
                neg,
            });
        }
        let neg = self.peek_kw("NOT")
            && (self.peek_at(1).is_kw("IN")
                || self.peek_at(1).is_kw("LIKE")
                || self.peek_at(1).is_kw("BETWEEN"));
        if neg {
            self.advance();
        }
        if self.eat_kw("IN") {
            self.expect_sym("(")?;
            if self.peek_kw("SELECT") {
                let pos = self.peek().start;
                let query = self.select()?;
                self.expect_sym(")")?;
                return Ok(Expr::InSubquery {
                    e: Box::new(l),
                    query: Box::new(query),
                    neg,
                    pos,
                });
            }
            let mut list = vec![self.expr()?];
            while self.eat_sym(",") {
                list.push(self.expr()?);
            }
            self.expect_sym(")")?;
            return Ok(Expr::In {
                e: Box::new(l),
                list,
                neg,
            });
        }
        if self.eat_kw("LIKE") {
            let pat = self.additive()?;
            return Ok(Expr::Like {
                e: Box::new(l),
                pat: Box::new(pat),
                neg,
            });
        }
        if self.eat_kw("BETWEEN") {
            let lo = self.additive()?;
            self.expect_kw("AND")?;
            let hi = self.additive()?;
            return Ok(Expr::Between {
                e: Box::new(l),
                lo: Box::new(lo),
                hi: Box::new(hi),
                neg,
            });
        }
        Ok(l)
    }

    fn additive(&mut self) -> PResult<Expr> {
        let mut l = self.multiplicative()?;
        loop {
            let op = if self.eat_sym("+") {
                BinOp::Add
            } else if self.eat_sym("-") {
                BinOp::Sub
            } else {
                break;
            };
            let r = self.multiplicative()?;
            l = Expr::Bin {
                op,
                l: Box::new(l),
                r: Box::new(r),
            };
        }
        Ok(l)
    }

    fn multiplicative(&mut self) -> PResult<Expr> {
        let mut l = self.unary()?;
        loop {
            let op = if self.eat_sym("*") {
                BinOp::Mul
            } else if self.eat_sym("/") {
                BinOp::Div
            } else if self.eat_sym("%") || self.eat_kw("MOD") {
                BinOp::Mod
            } else if self.eat_kw("DIV") {
                BinOp::Div
            } else {
                break;
            };
            let r = self.unary()?;
            l = Expr::Bin {
                op,
                l: Box::new(l),
                r: Box::new(r),
            };
        }
        Ok(l)
    }

    fn unary(&mut self) -> PResult<Expr> {
        if self.eat_sym("-") {
            return Ok(match self.unary()? {
                Expr::Lit(Value::Int(i)) => Expr::Lit(Value::Int(-i)),
                Expr::Lit(Value::Float(f)) => Expr::Lit(Value::Float(-f)),
                e => Expr::Neg(Box::new(e)),
            });
        }
        if self.eat_sym("+") {
            return self.unary();
        }
        self.primary()
    }

    fn primary(&mut self) -> PResult<Expr> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Num(n) => {
                self.advance();
                if let Ok(i) = n.parse::<i64>() {
                    Ok(Expr::Lit(Value::Int(i)))
                } else {
                    n.parse::<f64>()
                        .map(|f| Expr::Lit(Value::Float(f)))
                        .map_err(|_| {
                            errors::syntax_at(self.sql, t.start, &format!("Unexpected input '{n}'"))
                        })
                }
            }
            Tok::Str(s) => {
                self.advance();
                Ok(Expr::Lit(Value::Str(s)))
            }
            Tok::SysVar(n) => {
                self.advance();
                Ok(Expr::SysVar {
                    name: strip_scope(&n),
                    pos: t.start,
                })
            }
            Tok::UserVar(n) => {
                self.advance();
                Ok(Expr::UserVar(n))
            }
            Tok::Sym("(") => {
                self.advance();
                if self.peek_kw("SELECT") {
                    return Err(errors::unsupported("subqueries"));
                }
                let e = self.expr()?;
                self.expect_sym(")")?;
                Ok(e)
            }
            Tok::QuotedIdent(_) => self.column_ref(),
            Tok::Word(w) => {
                let up = w.to_ascii_uppercase();
                match up.as_str() {
                    "NULL" => {
                        self.advance();
                        Ok(Expr::Lit(Value::Null))
                    }
                    "TRUE" | "FALSE" => {
                        self.advance();
                        Ok(Expr::Lit(Value::Bool(up == "TRUE")))
                    }
                    "DATE" | "DATETIME" | "TIMESTAMP"
                        if matches!(self.peek_at(1).tok, Tok::Str(_)) =>
                    {
                        self.advance();
                        let s = self.string_lit()?;
                        let ty = if up == "DATE" {
                            SqlType::Date
                        } else {
                            SqlType::DateTime
                        };
                        ty.coerce(Value::Str(s.clone()))
                            .map(Expr::Lit)
                            .map_err(|_| {
                                errors::analyzing(&format!(
                                    "Incorrect {} value {s}",
                                    up.to_ascii_lowercase()
                                ))
                            })
                    }
                    "CURRENT_TIMESTAMP" | "CURRENT_DATE" | "CURRENT_USER" | "LOCALTIME"
                    | "LOCALTIMESTAMP"
                        if !self.peek_at(1).is_sym("(") =>
                    {
                        self.advance();
                        Ok(Expr::Func {
                            name: up.to_ascii_lowercase(),
                            args: Vec::new(),
                            star: false,
                            distinct: false,
                            pos: t.start,
                        })
                    }
                    "CASE" => self.case_expr(),
                    "CAST" if self.peek_at(1).is_sym("(") => {
                        self.advance();
                        self.advance();
                        let e = self.expr()?;
                        self.expect_kw("AS")?;
                        let ty = self.sql_type()?;
                        self.expect_sym(")")?;
                        Ok(Expr::Cast { e: Box::new(e), ty })
                    }
                    _ if self.peek_at(1).is_sym("(") => self.function_call(),
                    _ => self.column_ref(),
                }
            }
            _ => Err(self.unexpected(&["<expression>"])),
        }
    }

    fn case_expr(&mut self) -> PResult<Expr> {
        self.advance();
        let operand = if self.peek_kw("WHEN") {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        let mut whens = Vec::new();
        while self.eat_kw("WHEN") {
            let c = self.expr()?;
            self.expect_kw("THEN")?;
            whens.push((c, self.expr()?));
        }
        let otherwise = if self.eat_kw("ELSE") {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        self.expect_kw("END")?;
        Ok(Expr::Case {
            operand,
            whens,
            otherwise,
        })
    }

    fn function_call(&mut self) -> PResult<Expr> {
        let t = self.advance();
        let name = match t.tok {
            Tok::Word(w) => w.to_ascii_lowercase(),
            _ => return Err(self.unexpected(&["<identifier>"])),
        };
        self.expect_sym("(")?;
        let mut args = Vec::new();
        let mut star = false;
        let distinct = self.eat_kw("DISTINCT");
        if self.eat_sym("*") {
            star = true;
        } else if !self.peek().is_sym(")") {
            loop {
                args.push(self.expr()?);
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        self.expect_sym(")")?;
        Ok(Expr::Func {
            name,
            args,
            star,
            distinct,
            pos: t.start,
        })
    }

    fn column_ref(&mut self) -> PResult<Expr> {
        let pos = self.peek().start;
        let mut parts = vec![self.ident()?];
        while self.peek().is_sym(".") {
            self.advance();
            parts.push(self.ident()?);
        }
        let name = parts.pop().unwrap_or_default();
        let table = parts.pop();
        Ok(Expr::Col { table, name, pos })
    }

    /// A column type: `INT`, `VARCHAR(20)`, `DECIMAL(10, 2)`, `INT(11)`, …
    pub fn sql_type(&mut self) -> PResult<SqlType> {
        let t = self.peek().clone();
        let Tok::Word(w) = &t.tok else {
            return Err(self.unexpected(&["<type>"]));
        };
        let up = w.to_ascii_uppercase();
        self.advance();
        let mut params = Vec::new();
        if self.eat_sym("(") {
            loop {
                params.push(self.integer()?);
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
        }
        let p = |i: usize, d: i64| params.get(i).copied().unwrap_or(d);
        let ty = match up.as_str() {
            "BOOLEAN" | "BOOL" => SqlType::Boolean,
            "TINYINT" => SqlType::TinyInt,
            "SMALLINT" => SqlType::SmallInt,
            "INT" | "INTEGER" => SqlType::Int,
            "BIGINT" => SqlType::BigInt,
            "LARGEINT" => SqlType::LargeInt,
            "FLOAT" => SqlType::Float,
            "DOUBLE" => SqlType::Double,
            "DECIMAL" | "DECIMALV2" | "DECIMAL32" | "DECIMAL64" | "DECIMAL128" | "NUMERIC" => {
                SqlType::Decimal(p(0, 10).clamp(1, 38) as u8, p(1, 0).clamp(0, 18) as u8)
            }
            "DATE" => SqlType::Date,
            "DATETIME" | "TIMESTAMP" => SqlType::DateTime,
            "CHAR" => SqlType::Char(p(0, 1).clamp(1, 255) as u32),
            "VARCHAR" => SqlType::Varchar(p(0, 1).clamp(1, 1_048_576) as u32),
            "STRING" | "TEXT" => SqlType::String,
            "JSON" => SqlType::Json,
            "SIGNED" => SqlType::BigInt,
            _ => {
                return Err(errors::syntax_at(
                    self.sql,
                    t.start,
                    &format!("Unexpected input '{w}', the most similar input is {{<type>}}"),
                ))
            }
        };
        Ok(ty)
    }
}
