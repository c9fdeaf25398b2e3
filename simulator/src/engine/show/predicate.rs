//! The WHERE / ORDER BY / LIMIT clauses of SHOW PARTITIONS, parsed and checked as StarRocks 3.4
//! does (`sql/analyzer/ShowStmtAnalyzer.java` `analyzeSubPredicate` 618-679, `analyzeOrderBy`;
//! `common/proc/PartitionsProcDir.java` `filter`, `like`, `fetchResultByFilter`, paths
//! relative to `fe/fe-core/src/main/java/com/starrocks/`).
//!
//! Quirks kept on purpose: predicates are stored in a map keyed by the lower-cased column,
//! so of two predicates on one column only the last one filters; `=` with a string compares
//! the string with the cell's Java object, so `PartitionId = '1'` and `State = 'NORMAL'` match
//! nothing; LIKE lower-cases both sides, treats `%` as `.*`, `?` as one character and `_` literally.

use std::collections::BTreeMap;

use crate::engine::errors;
use crate::engine::show::parse::{Cursor, Tok, Token};
use crate::response::SqlError;

/// The SHOW PARTITIONS columns a WHERE clause may name (`ShowPartitionsStmt.FILTER_COLUMNS`).
const FILTER_COLUMNS: [&str; 6] = [
    "PartitionId",
    "PartitionName",
    "State",
    "Buckets",
    "ReplicationNum",
    "LastConsistencyCheckTime",
];

/// A literal on the right of a predicate, as the StarRocks parser types it.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Int(i64),
    Str(String),
    /// A StringLiteral cast to DATETIME (LastConsistencyCheckTime): naive seconds.
    DateTime(i64),
    /// Any other literal; the name is its Java class (`DecimalLiteral`, `NullLiteral`, …).
    Other(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    EqForNull,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    Regexp,
}

/// One analyzed predicate `column op literal`.
#[derive(Clone, Debug, PartialEq)]
pub struct Predicate {
    pub op: Op,
    pub rhs: Literal,
}

/// The analyzed clauses: filter map (lower-cased column → last predicate) and
/// `(offset, limit)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clauses {
    pub filters: BTreeMap<String, Predicate>,
    pub limit: Option<(u64, u64)>,
}

/// An unanalyzed WHERE tree.
#[derive(Clone, Debug)]
enum Expr {
    And(Box<Expr>, Box<Expr>),
    /// OR, NOT, `&&`-style compounds other than AND: rejected by the analyzer.
    OtherCompound,
    Column(String),
    Lit(Literal),
    Binary(Box<Expr>, Op, Box<Expr>),
    /// IN, IS NULL, BETWEEN: predicates the analyzer does not accept.
    OtherPredicate(Box<Expr>),
}

/// The parsed clauses of SHOW PARTITIONS, before analysis.
pub struct Parsed {
    /// `(offset, limit)`.
    pub limit: Option<(u64, u64)>,
    /// ORDER BY items and whether each is descending.
    pub order: Vec<(Expr2, bool)>,
    where_expr: Option<Expr>,
}

impl Parsed {
    /// `analyzeSubPredicate` over the WHERE clause: the filter map.
    pub fn analyze_where(&mut self) -> Result<BTreeMap<String, Predicate>, SqlError> {
        let mut filters = BTreeMap::new();
        if let Some(e) = self.where_expr.take() {
            analyze(&mut filters, e)?;
        }
        Ok(filters)
    }
}

/// Reads `[WHERE e] [ORDER BY c [ASC|DESC], …] [LIMIT n [OFFSET m] | LIMIT m, n]` to the end
/// of the statement.
pub fn parse_clauses(c: &mut Cursor<'_>) -> Result<Parsed, SqlError> {
    let mut clauses = Clauses::default();
    let where_expr = if c.eat_kw("WHERE") {
        Some(parse_or(c)?)
    } else {
        None
    };
    let mut order = Vec::new();
    if c.eat_kw("ORDER") {
        c.expect_kw("BY")?;
        loop {
            let e = parse_operand(c)?;
            let desc = if c.eat_kw("DESC") {
                true
            } else {
                c.eat_kw("ASC");
                false
            };
            if c.eat_kw("NULLS") && !(c.eat_kw("FIRST") || c.eat_kw("LAST")) {
                return Err(c.unexpected(&["'FIRST'", "'LAST'"]));
            }
            order.push((Expr2(e), desc));
            if !c.eat_sym(",") {
                break;
            }
        }
    }
    if c.eat_kw("LIMIT") {
        let first = c.integer()?;
        if c.eat_kw("OFFSET") {
            clauses.limit = Some((c.integer()?, first));
        } else if c.eat_sym(",") {
            clauses.limit = Some((first, c.integer()?));
        } else {
            clauses.limit = Some((0, first));
        }
    }
    c.expect_end()?;
    Ok(Parsed {
        limit: clauses.limit,
        order,
        where_expr,
    })
}

/// An ORDER BY item before it is resolved against the layout.
#[derive(Clone, Debug)]
pub struct Expr2(Expr);

impl Expr2 {
    /// The column name, or the analyzer's `Should order by column` error.
    pub fn column(&self) -> Result<&str, SqlError> {
        match &self.0 {
            Expr::Column(name) => Ok(name),
            _ => Err(errors::analyzing("Should order by column")),
        }
    }
}

fn parse_or(c: &mut Cursor<'_>) -> Result<Expr, SqlError> {
    let mut left = parse_and(c)?;
    while c.eat_kw("OR") {
        let _right = parse_and(c)?;
        left = Expr::OtherCompound;
    }
    Ok(left)
}

fn parse_and(c: &mut Cursor<'_>) -> Result<Expr, SqlError> {
    let mut left = parse_not(c)?;
    while c.eat_kw("AND") {
        let right = parse_not(c)?;
        left = Expr::And(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_not(c: &mut Cursor<'_>) -> Result<Expr, SqlError> {
    if c.eat_kw("NOT") {
        parse_not(c)?;
        return Ok(Expr::OtherCompound);
    }
    parse_predicate(c)
}

fn parse_predicate(c: &mut Cursor<'_>) -> Result<Expr, SqlError> {
    let left = parse_operand(c)?;
    let op = match c.peek().map(|t| &t.tok) {
        Some(Tok::Sym("=")) => Some(Op::Eq),
        Some(Tok::Sym("<=>")) => Some(Op::EqForNull),
        Some(Tok::Sym("!=")) | Some(Tok::Sym("<>")) => Some(Op::Ne),
        Some(Tok::Sym("<")) => Some(Op::Lt),
        Some(Tok::Sym("<=")) => Some(Op::Le),
        Some(Tok::Sym(">")) => Some(Op::Gt),
        Some(Tok::Sym(">=")) => Some(Op::Ge),
        _ => None,
    };
    if let Some(op) = op {
        c.bump();
        let right = parse_operand(c)?;
        return Ok(Expr::Binary(Box::new(left), op, Box::new(right)));
    }
    let negated = c.eat_kw("NOT");
    let like_op = if c.is_kw("LIKE") {
        Some(Op::Like)
    } else if c.is_kw("REGEXP") || c.is_kw("RLIKE") {
        Some(Op::Regexp)
    } else {
        None
    };
    if let Some(op) = like_op {
        c.bump();
        let right = parse_operand(c)?;
        let e = Expr::Binary(Box::new(left), op, Box::new(right));
        return Ok(if negated { Expr::OtherCompound } else { e });
    }
    if c.eat_kw("IN") {
        skip_parenthesized(c)?;
        return Ok(if negated {
            Expr::OtherCompound
        } else {
            Expr::OtherPredicate(Box::new(left))
        });
    }
    if negated {
        return Err(c.unexpected(&["'LIKE'", "'IN'", "'BETWEEN'"]));
    }
    if c.eat_kw("IS") {
        c.eat_kw("NOT");
        c.expect_kw("NULL")?;
        return Ok(Expr::OtherPredicate(Box::new(left)));
    }
    if c.eat_kw("BETWEEN") {
        parse_operand(c)?;
        c.expect_kw("AND")?;
        parse_operand(c)?;
        return Ok(Expr::OtherPredicate(Box::new(left)));
    }
    Ok(left)
}

fn skip_parenthesized(c: &mut Cursor<'_>) -> Result<(), SqlError> {
    if !c.eat_sym("(") {
        return Err(c.unexpected(&["'('"]));
    }
    let mut depth = 1usize;
    while depth > 0 {
        match c.bump() {
            Some(Token {
                tok: Tok::Sym("("), ..
            }) => depth += 1,
            Some(Token {
                tok: Tok::Sym(")"), ..
            }) => depth -= 1,
            Some(_) => {}
            None => return Err(c.unexpected(&["')'"])),
        }
    }
    Ok(())
}

fn parse_operand(c: &mut Cursor<'_>) -> Result<Expr, SqlError> {
    if c.eat_sym("(") {
        let e = parse_or(c)?;
        if !c.eat_sym(")") {
            return Err(c.unexpected(&["')'"]));
        }
        return Ok(e);
    }
    let negative = c.eat_sym("-");
    let tok = c.peek().cloned();
    match tok.map(|t| t.tok) {
        Some(Tok::Int(s)) => {
            c.bump();
            Ok(Expr::Lit(match s.parse::<i64>() {
                Ok(v) => Literal::Int(if negative { -v } else { v }),
                Err(_) => Literal::Other("LargeIntLiteral"),
            }))
        }
        Some(Tok::Num(_)) => {
            c.bump();
            Ok(Expr::Lit(Literal::Other("DecimalLiteral")))
        }
        Some(Tok::Str(s)) if !negative => {
            c.bump();
            Ok(Expr::Lit(Literal::Str(s)))
        }
        Some(Tok::Word(w)) if !negative && w.eq_ignore_ascii_case("NULL") => {
            c.bump();
            Ok(Expr::Lit(Literal::Other("NullLiteral")))
        }
        Some(Tok::Word(w))
            if !negative && (w.eq_ignore_ascii_case("TRUE") || w.eq_ignore_ascii_case("FALSE")) =>
        {
            c.bump();
            Ok(Expr::Lit(Literal::Other("BoolLiteral")))
        }
        Some(Tok::Word(_)) | Some(Tok::Quoted(_)) if !negative => {
            let parts = c.qualified_name()?;
            Ok(Expr::Column(parts.last().cloned().unwrap_or_default()))
        }
        _ => Err(c.unexpected(&["a legal identifier", "a literal"])),
    }
}

/// `ShowStmtAnalyzer.analyzeSubPredicate`: AND-ed predicates on the allowed columns only.
fn analyze(filters: &mut BTreeMap<String, Predicate>, e: Expr) -> Result<(), SqlError> {
    let (left, op, right) = match e {
        Expr::And(a, b) => {
            analyze(filters, *a)?;
            return analyze(filters, *b);
        }
        Expr::OtherCompound => {
            return Err(errors::analyzing(
                "Only allow compound predicate with operator AND",
            ))
        }
        Expr::Binary(l, op, r) => (*l, op, *r),
        Expr::OtherPredicate(l) => {
            if !matches!(*l, Expr::Column(_)) {
                return Err(errors::analyzing("Show filter by column"));
            }
            return Err(errors::analyzing(
                "Only operator =|>=|<=|>|<|!=|like are supported",
            ));
        }
        Expr::Column(_) | Expr::Lit(_) => return Err(errors::analyzing("Show filter by column")),
    };
    let Expr::Column(key) = left else {
        return Err(errors::analyzing("Show filter by column"));
    };
    let name_or_state =
        key.eq_ignore_ascii_case("PartitionName") || key.eq_ignore_ascii_case("State");
    let mut rhs = match right {
        Expr::Lit(l) => l,
        // A column or expression on the right is not a literal the filter can compare.
        _ => Literal::Other("SlotRef"),
    };
    match op {
        Op::Like | Op::Regexp => {
            if !name_or_state || op != Op::Like {
                return Err(errors::analyzing(
                    "Where clause : PartitionName|State like \"p20191012|NORMAL\"",
                ));
            }
        }
        _ => {
            if name_or_state && op != Op::Eq {
                return Err(errors::analyzing(&format!(
                    "Only operator =|like are supported for {key}"
                )));
            }
            if key.eq_ignore_ascii_case("LastConsistencyCheckTime") {
                let Literal::Str(s) = &rhs else {
                    return Err(errors::analyzing(
                        "Where clause : LastConsistencyCheckTime =|>=|<=|>|<|!= \"2019-12-22|2019-12-22 22:22:00\"",
                    ));
                };
                let secs = crate::engine::time::parse_datetime(s).ok_or_else(|| {
                    errors::analyzing(&format!(
                        "expression '{s}' cast to datetime error: date literal [{s}] is invalid"
                    ))
                })?;
                rhs = Literal::DateTime(secs);
            } else if !FILTER_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(&key)) {
                return Err(errors::analyzing(
                    "Only the columns of PartitionId/PartitionName/State/Buckets/ReplicationNum/LastConsistencyCheckTime are supported.",
                ));
            }
        }
    }
    filters.insert(key.to_lowercase(), Predicate { op, rhs });
    Ok(())
}

/// `PartitionsProcDir.like`: lower-case both sides; `.` literal, `?` one char, `%` any run;
/// everything else (including `_`) literal; the whole string must match.
pub fn java_like(value: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy)]
    enum P {
        Lit(char),
        One,
        Any,
    }
    let pat: Vec<P> = pattern
        .to_lowercase()
        .chars()
        .map(|ch| match ch {
            '%' => P::Any,
            '?' => P::One,
            c => P::Lit(c),
        })
        .collect();
    let s: Vec<char> = value.to_lowercase().chars().collect();
    // Classic wildcard matching with backtracking on the last `%`.
    let (mut si, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match pat.get(pi) {
            Some(P::Lit(c)) if *c == s[si] => {
                si += 1;
                pi += 1;
            }
            Some(P::One) => {
                si += 1;
                pi += 1;
            }
            Some(P::Any) => {
                star = Some((pi, si));
                pi += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    pat[pi..].iter().all(|p| matches!(p, P::Any))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clauses(sql: &str) -> Result<Clauses, SqlError> {
        let mut c = Cursor::new(sql)?;
        let mut parsed = parse_clauses(&mut c)?;
        Ok(Clauses {
            filters: parsed.analyze_where()?,
            limit: parsed.limit,
        })
    }

    #[test]
    fn like_is_javas_translation() {
        assert!(java_like("P2024", "p20%"));
        assert!(java_like("p1", "p?"));
        assert!(!java_like("p1", "p_"));
        assert!(java_like("p_", "p_"));
        assert!(java_like("abc", "%"));
        assert!(!java_like("abc", "ab"));
    }

    #[test]
    fn only_and_of_allowed_columns() {
        let e = clauses("WHERE PartitionName = 'a' OR Buckets = 1").expect_err("or");
        assert_eq!(
            e.message,
            "Getting analyzing error. Detail message: Only allow compound predicate with operator AND."
        );
        let e = clauses("WHERE RowCount > 1").expect_err("column");
        assert!(e
            .message
            .ends_with("LastConsistencyCheckTime are supported.."));
        let e = clauses("WHERE PartitionName > 'a'").expect_err("op");
        assert!(e
            .message
            .contains("Only operator =|like are supported for PartitionName"));
        let e = clauses("WHERE Buckets LIKE '1'").expect_err("like");
        assert!(e.message.contains("PartitionName|State like"));
    }

    #[test]
    fn last_predicate_on_a_column_wins_and_limits_parse() {
        let c = clauses("WHERE PartitionId > 1 AND partitionid < 5 LIMIT 2, 3").expect("ok");
        assert_eq!(c.filters.len(), 1);
        assert_eq!(c.filters["partitionid"].op, Op::Lt);
        assert_eq!(c.limit, Some((2, 3)));
        assert_eq!(clauses("LIMIT 3 OFFSET 1").expect("ok").limit, Some((1, 3)));
    }
}
