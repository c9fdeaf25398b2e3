//! SHOW SNAPSHOT's WHERE (spec §2.6, `ShowSnapshotAnalyzer`). StarRocks accepts one
//! comparison `SNAPSHOT <op> 'x'`, two comparisons joined by `AND` (with `TIMESTAMP` only next
//! to `SNAPSHOT`), or `SNAPSHOT [NOT] IN ('a', …)`; `OR`, `NOT`, non-string values and other
//! columns are refused. Predicates it does not inspect (`LIKE`, `IS NULL`, `BETWEEN`, …) pass
//! silently and filter nothing. Expressions the parser kept as raw text are re-read here with
//! a small expression reader; text it cannot read is left alone (no finding).

use super::{java, Check, Cx};
use crate::syntax::ast::{ShowSnapshot, SnapshotColumn, SnapshotFilter};

const SHAPE: &str =
    "Where clause should looks like: SNAPSHOT = 'your_snapshot_name' [AND TIMESTAMP = '2018-04-18-19-19-10']";

pub fn check(cx: &mut Cx<'_>, s: &ShowSnapshot) {
    if cx.catalog.repository_exists(&s.repository.value) == Some(false) {
        cx.emit(
            Check::UnknownRepository,
            s.repository.span,
            format!("repository `{}` does not exist", s.repository.value),
            "check the name in SHOW REPOSITORIES (names are case-sensitive)",
            String::new(),
            &format!("Repository [{}] does not exist", s.repository.value),
        );
    }
    let Some(filter) = &s.filter else { return };
    let span = s.where_span.unwrap_or(s.span);
    let verdict = match filter {
        SnapshotFilter::Equals(eqs) => {
            let mut state = Filters::default();
            let ok = eqs.len() <= 2
                && eqs.iter().all(|e| {
                    let col = match e.column {
                        SnapshotColumn::Snapshot => "snapshot",
                        SnapshotColumn::Timestamp => "timestamp",
                    };
                    state.set(col, &e.value.value)
                });
            Verdict::from_ok(ok && state.consistent())
        }
        SnapshotFilter::In(_) => Verdict::Ok,
        SnapshotFilter::Raw(raw) => match Reader::new(&raw.text).read() {
            Some(expr) => judge(&expr),
            None => Verdict::Ok,
        },
    };
    match verdict {
        Verdict::Ok => {}
        Verdict::Shape => {
            cx.emit(
                Check::SnapshotWhereShape,
                span,
                "SHOW SNAPSHOT's WHERE must be `SNAPSHOT = '<label>'` [AND `TIMESTAMP = '<ts>'`] or `SNAPSHOT IN ('a', …)`",
                "filter on SNAPSHOT with a non-empty string; add TIMESTAMP only together with SNAPSHOT; OR and NOT are not supported",
                String::new(),
                SHAPE,
            );
        }
        Verdict::InLeft => {
            cx.emit(
                Check::SnapshotInLeftSide,
                span,
                "SHOW SNAPSHOT's IN filter must be on the SNAPSHOT column",
                "write `WHERE SNAPSHOT IN ('a', 'b')`",
                String::new(),
                "Left expr of should be snapshot",
            );
        }
        Verdict::InElement => {
            cx.emit(
                Check::SnapshotInElement,
                span,
                "SHOW SNAPSHOT's IN list must hold only string literals",
                "quote every label: `WHERE SNAPSHOT IN ('a', 'b')`",
                String::new(),
                "Child of in predicate should be string value",
            );
        }
    }
}

enum Verdict {
    Ok,
    Shape,
    InLeft,
    InElement,
}

impl Verdict {
    fn from_ok(ok: bool) -> Verdict {
        if ok {
            Verdict::Ok
        } else {
            Verdict::Shape
        }
    }
}

/// What the analyzer recorded from the comparisons.
#[derive(Default)]
struct Filters {
    snapshot: bool,
    timestamp: bool,
}

impl Filters {
    /// `analyzeSubExpr` for a column/value pair: known column and non-empty value.
    fn set(&mut self, column: &str, value: &str) -> bool {
        if value.is_empty() {
            return false;
        }
        if java::equals_ignore_case(column, "snapshot") {
            self.snapshot = true;
            true
        } else if java::equals_ignore_case(column, "timestamp") {
            self.timestamp = true;
            true
        } else {
            false
        }
    }

    /// A timestamp alone is refused.
    fn consistent(&self) -> bool {
        self.snapshot || !self.timestamp
    }
}

/// The expression shapes the analyzer distinguishes.
#[derive(Debug)]
enum Expr {
    Column(String),
    Str(String),
    /// Numbers, function calls, other literals.
    Value,
    Compare(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    /// OR / XOR / NOT: compound predicates other than AND.
    OtherCompound,
    In(Box<Expr>, Vec<Expr>),
    /// Predicates the analyzer ignores (LIKE, IS NULL, BETWEEN, …).
    Ignored,
}

fn judge(e: &Expr) -> Verdict {
    let mut f = Filters::default();
    let sub = |f: &mut Filters, e: &Expr| match e {
        Expr::Compare(k, v) => match (&**k, &**v) {
            (Expr::Column(c), Expr::Str(s)) => f.set(c, s),
            _ => false,
        },
        _ => false,
    };
    let ok = match e {
        Expr::Compare(..) => sub(&mut f, e),
        Expr::And(a, b) => sub(&mut f, a) && sub(&mut f, b),
        Expr::OtherCompound => false,
        Expr::In(left, items) => {
            match &**left {
                Expr::Column(c) if java::equals_ignore_case(c, "snapshot") => {}
                _ => return Verdict::InLeft,
            }
            if items.iter().any(|i| !matches!(i, Expr::Str(_))) {
                return Verdict::InElement;
            }
            true
        }
        Expr::Column(_) | Expr::Str(_) | Expr::Value | Expr::Ignored => true,
    };
    Verdict::from_ok(ok && f.consistent())
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Str(String),
    Num,
    Sym(&'static str),
}

/// A small reader for WHERE expressions: tokens, then precedence climbing over
/// OR/XOR < AND < NOT < predicate.
struct Reader {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Reader {
    fn new(text: &str) -> Reader {
        Reader {
            toks: tokenize(text).unwrap_or_default(),
            pos: 0,
            depth: 0,
        }
    }

    fn read(mut self) -> Option<Expr> {
        if self.toks.is_empty() {
            return None;
        }
        let e = self.or()?;
        (self.pos == self.toks.len()).then_some(e)
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn kw(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
    }

    fn sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }

    fn or(&mut self) -> Option<Expr> {
        let mut left = self.and()?;
        while self.kw("or") || self.kw("xor") || self.sym("||") {
            self.pos += 1;
            self.and()?;
            left = Expr::OtherCompound;
        }
        Some(left)
    }

    fn and(&mut self) -> Option<Expr> {
        let mut left = self.not()?;
        while self.kw("and") || self.sym("&&") {
            self.pos += 1;
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Some(left)
    }

    fn not(&mut self) -> Option<Expr> {
        if self.kw("not") {
            self.pos += 1;
            self.not()?;
            return Some(Expr::OtherCompound);
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Option<Expr> {
        let left = self.primary()?;
        if let Some(Tok::Sym(op)) = self.peek() {
            if matches!(*op, "=" | "<>" | "!=" | "<" | "<=" | ">" | ">=" | "<=>") {
                self.pos += 1;
                let right = self.primary()?;
                return Some(Expr::Compare(Box::new(left), Box::new(right)));
            }
        }
        let negated = self.kw("not");
        if negated {
            self.pos += 1;
        }
        if self.kw("in") {
            self.pos += 1;
            if !self.sym("(") {
                return None;
            }
            self.pos += 1;
            let mut items = vec![self.or()?];
            while self.sym(",") {
                self.pos += 1;
                items.push(self.or()?);
            }
            if !self.sym(")") {
                return None;
            }
            self.pos += 1;
            return Some(Expr::In(Box::new(left), items));
        }
        if self.kw("like") || self.kw("regexp") || self.kw("rlike") {
            self.pos += 1;
            self.primary()?;
            return Some(if negated {
                Expr::OtherCompound
            } else {
                Expr::Ignored
            });
        }
        if self.kw("between") {
            self.pos += 1;
            self.primary()?;
            if !self.kw("and") {
                return None;
            }
            self.pos += 1;
            self.primary()?;
            return Some(Expr::Ignored);
        }
        if negated {
            return None;
        }
        if self.kw("is") {
            self.pos += 1;
            if self.kw("not") {
                self.pos += 1;
            }
            if !(self.kw("null") || self.kw("true") || self.kw("false")) {
                return None;
            }
            self.pos += 1;
            return Some(Expr::Ignored);
        }
        Some(left)
    }

    fn primary(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > 200 {
            return None;
        }
        let tok = self.peek()?.clone();
        self.pos += 1;
        let e = match tok {
            Tok::Sym("(") => {
                let e = self.or()?;
                if !self.sym(")") {
                    return None;
                }
                self.pos += 1;
                e
            }
            Tok::Sym("-") | Tok::Sym("+") => {
                self.primary()?;
                Expr::Value
            }
            Tok::Sym(_) => return None,
            Tok::Str(s) => Expr::Str(s),
            Tok::Num => Expr::Value,
            Tok::Word(_) if self.sym("(") => {
                // A function call: skip balanced parentheses.
                let mut depth = 0usize;
                while let Some(t) = self.peek() {
                    match t {
                        Tok::Sym("(") => depth += 1,
                        Tok::Sym(")") => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
                Expr::Value
            }
            Tok::Word(w) => {
                let lower = w.to_ascii_lowercase();
                if matches!(lower.as_str(), "true" | "false" | "null") {
                    Expr::Value
                } else if matches!(
                    lower.as_str(),
                    "and" | "or" | "not" | "in" | "like" | "is" | "between"
                ) {
                    return None;
                } else {
                    self.qualified(w)
                }
            }
            Tok::Quoted(w) => self.qualified(w),
        };
        self.depth -= 1;
        Some(e)
    }

    /// `a.b.c` → the column `c`.
    fn qualified(&mut self, first: String) -> Expr {
        let mut name = first;
        while self.sym(".") {
            match self.toks.get(self.pos + 1) {
                Some(Tok::Word(w)) | Some(Tok::Quoted(w)) => {
                    name = w.clone();
                    self.pos += 2;
                }
                _ => break,
            }
        }
        Expr::Column(name)
    }
}

fn tokenize(text: &str) -> Option<Vec<Tok>> {
    let mut toks = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    const SYMS: [&str; 17] = [
        "<=>", "<>", "!=", "<=", ">=", "||", "&&", "=", "<", ">", "(", ")", ",", ".", "-", "+", "*",
    ];
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                let ch = *chars.get(i)?;
                if ch == '\\' {
                    let next = *chars.get(i + 1)?;
                    s.push(match next {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        '0' => '\0',
                        other => other,
                    });
                    i += 2;
                } else if ch == c {
                    if chars.get(i + 1) == Some(&c) {
                        s.push(c);
                        i += 2;
                    } else {
                        i += 1;
                        break;
                    }
                } else {
                    s.push(ch);
                    i += 1;
                }
            }
            toks.push(Tok::Str(s));
        } else if c == '`' {
            let mut s = String::new();
            i += 1;
            loop {
                let ch = *chars.get(i)?;
                i += 1;
                if ch == '`' {
                    if chars.get(i) == Some(&'`') {
                        i += 1;
                        continue;
                    }
                    break;
                }
                s.push(ch);
            }
            toks.push(Tok::Quoted(s));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word.chars().all(|c| c.is_ascii_digit() || c == '.') {
                toks.push(Tok::Num);
            } else {
                toks.push(Tok::Word(word));
            }
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            toks.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
            let sym = SYMS.iter().find(|s| rest.starts_with(**s))?;
            toks.push(Tok::Sym(sym));
            i += sym.chars().count();
        }
    }
    Some(toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(text: &str) -> &'static str {
        match Reader::new(text).read().map(|e| judge(&e)) {
            None => "unread",
            Some(Verdict::Ok) => "ok",
            Some(Verdict::Shape) => "shape",
            Some(Verdict::InLeft) => "in-left",
            Some(Verdict::InElement) => "in-element",
        }
    }

    #[test]
    fn shapes() {
        assert_eq!(verdict("SNAPSHOT = 'a'"), "ok");
        assert_eq!(verdict("snapshot = \"a\" AND timestamp = 't'"), "ok");
        assert_eq!(verdict("TIMESTAMP = 't' AND SNAPSHOT = 'a'"), "ok");
        assert_eq!(verdict("TIMESTAMP = 't'"), "shape");
        assert_eq!(
            verdict("SNAPSHOT = \"backup1\" OR TIMESTAMP = \"x\""),
            "shape"
        );
        assert_eq!(verdict("SNAPSHOT = \"\" AND TIMESTAMP = \"\""), "shape");
        assert_eq!(verdict("1 = 1"), "shape");
        assert_eq!(verdict("a = 1"), "shape");
        assert_eq!(verdict("SNAPSHOT LIKE 'a%'"), "ok");
        assert_eq!(verdict("SNAPSHOT NOT LIKE 'a%'"), "shape");
        assert_eq!(verdict("SNAPSHOT IN ('a', 'b')"), "ok");
        assert_eq!(verdict("label IN ('a')"), "in-left");
        assert_eq!(verdict("SNAPSHOT IN ('a', 1)"), "in-element");
        assert_eq!(verdict("(SNAPSHOT = 'a')"), "ok");
        assert_eq!(
            verdict("SNAPSHOT = 'a' AND TIMESTAMP = 't' AND SNAPSHOT = 'b'"),
            "shape"
        );
        assert_eq!(verdict("NOT SNAPSHOT = 'a'"), "shape");
        assert_eq!(verdict("SNAPSHOT = 'a"), "unread");
        assert_eq!(verdict(&"(".repeat(10_000)), "unread");
    }
}
