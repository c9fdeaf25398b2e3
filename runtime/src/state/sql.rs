//! SQL text for the state store, built only from typed values: identifiers through the
//! compiler's `quote_ident`, strings through its `quote_string` (invariant 6). Nothing here
//! pastes user input into SQL.
//!
//! The statements are the subset both backends accept: StarRocks (PRIMARY KEY tables, which
//! upsert on INSERT) and MariaDB (which needs `REPLACE` to upsert). Double-quoted strings
//! with backslash escapes work on both as long as MariaDB's `sql_mode` has neither
//! `ANSI_QUOTES` nor `NO_BACKSLASH_ESCAPES`; the store sets its session's mode on connect.

use starsnap_compiler::syntax::{quote_ident, quote_string};

use super::StateBackend;

/// A value to put into SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
}

impl Val {
    pub fn text(s: impl Into<String>) -> Val {
        Val::Text(s.into())
    }

    pub fn opt_text(s: Option<impl Into<String>>) -> Val {
        s.map_or(Val::Null, |s| Val::Text(s.into()))
    }

    pub fn opt_int(i: Option<i64>) -> Val {
        i.map_or(Val::Null, Val::Int)
    }

    /// The literal.
    pub fn sql(&self) -> String {
        match self {
            Val::Null => "NULL".into(),
            Val::Int(i) => i.to_string(),
            Val::Text(s) => quote_string(s),
            Val::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        }
    }
}

/// `` `db`.`table` ``.
pub fn table(db: &str, table: &str) -> String {
    format!("{}.{}", quote_ident(db), quote_ident(table))
}

/// A comma-separated list of quoted column names.
pub fn columns(cols: &[&str]) -> String {
    cols.iter()
        .map(|c| quote_ident(c).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `col = value AND …`.
pub fn conjunction(pairs: &[(&str, Val)]) -> String {
    pairs
        .iter()
        .map(|(c, v)| format!("{} = {}", quote_ident(c), v.sql()))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// An upsert of whole rows: a StarRocks PRIMARY KEY table replaces by key on INSERT;
/// MariaDB needs `REPLACE`.
pub fn upsert(backend: StateBackend, target: &str, cols: &[&str], rows: &[Vec<Val>]) -> String {
    let verb = match backend {
        StateBackend::StarRocks => "INSERT INTO",
        StateBackend::MySql => "REPLACE INTO",
    };
    let values = rows
        .iter()
        .map(|r| {
            let vals: Vec<String> = r.iter().map(Val::sql).collect();
            format!("({})", vals.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("{verb} {target} ({}) VALUES {values}", columns(cols))
}

/// The same upsert as [`upsert`], split into as few statements as fit in `max_bytes` each
/// (the server's `max_allowed_packet` less a margin for the protocol header). A row that
/// alone exceeds `max_bytes` still goes in a statement of its own: the server's refusal then
/// names the problem, where silently dropping it would lose history.
pub fn upsert_batches(
    backend: StateBackend,
    target: &str,
    cols: &[&str],
    rows: &[Vec<Val>],
    max_bytes: usize,
) -> Vec<String> {
    let verb = match backend {
        StateBackend::StarRocks => "INSERT INTO",
        StateBackend::MySql => "REPLACE INTO",
    };
    let head = format!("{verb} {target} ({}) VALUES ", columns(cols));
    let mut out = Vec::new();
    let mut current = String::new();
    for r in rows {
        let vals: Vec<String> = r.iter().map(Val::sql).collect();
        let tuple = format!("({})", vals.join(", "));
        if !current.is_empty() && current.len() + 2 + tuple.len() > max_bytes {
            out.push(std::mem::take(&mut current));
        }
        if current.is_empty() {
            current.push_str(&head);
        } else {
            current.push_str(", ");
        }
        current.push_str(&tuple);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `SELECT cols FROM target [WHERE …] [ORDER BY …] [LIMIT n]`.
pub fn select(
    target: &str,
    cols: &[&str],
    filter: &[(&str, Val)],
    order: &str,
    limit: Option<u64>,
) -> String {
    let mut s = format!("SELECT {} FROM {target}", columns(cols));
    if !filter.is_empty() {
        s.push_str(" WHERE ");
        s.push_str(&conjunction(filter));
    }
    if !order.is_empty() {
        s.push_str(" ORDER BY ");
        s.push_str(order);
    }
    if let Some(n) = limit {
        s.push_str(&format!(" LIMIT {n}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_quoted_and_nothing_is_pasted() {
        assert_eq!(Val::text("a\"b\\c").sql(), r#""a\"b\\c""#);
        assert_eq!(Val::Null.sql(), "NULL");
        assert_eq!(Val::Int(-3).sql(), "-3");
        assert_eq!(table("star snap", "locks"), "`star snap`.locks");
        let s = upsert(
            StateBackend::MySql,
            "t",
            &["a", "b"],
            &[vec![Val::Int(1), Val::text("x")]],
        );
        assert_eq!(s, r#"REPLACE INTO t (a, b) VALUES (1, "x")"#);
        assert!(
            upsert(StateBackend::StarRocks, "t", &["a"], &[vec![Val::Int(1)]])
                .starts_with("INSERT INTO t")
        );
        assert_eq!(
            select(
                "t",
                &["a"],
                &[("b", Val::text("'; DROP"))],
                "a DESC",
                Some(1)
            ),
            r#"SELECT a FROM t WHERE b = "'; DROP" ORDER BY a DESC LIMIT 1"#
        );
    }

    #[test]
    fn batches_fill_the_budget_and_keep_every_row() {
        let rows: Vec<Vec<Val>> = (0..100)
            .map(|i| vec![Val::Int(i), Val::text("x")])
            .collect();
        let one = upsert(StateBackend::StarRocks, "t", &["a", "b"], &rows);
        let all = upsert_batches(StateBackend::StarRocks, "t", &["a", "b"], &rows, one.len());
        assert_eq!(all, vec![one.clone()]);
        let small = upsert_batches(StateBackend::StarRocks, "t", &["a", "b"], &rows, 200);
        assert!(small.len() > 1);
        assert!(small.iter().all(|s| s.len() <= 200), "{small:?}");
        let n: usize = small.iter().map(|s| s.matches('(').count() - 1).sum();
        assert_eq!(n, 100);
        // Each statement is as full as the next row allows.
        for w in small.windows(2) {
            assert!(w[0].len() + ", (99, \"x\")".len() > 200);
        }
        assert!(upsert_batches(StateBackend::MySql, "t", &["a"], &[], 10).is_empty());
        let big = upsert_batches(
            StateBackend::MySql,
            "t",
            &["a"],
            &[vec![Val::text("y".repeat(50))]],
            10,
        );
        assert_eq!(big.len(), 1);
    }
}
