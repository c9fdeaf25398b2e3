//! Exact row counts of many partitions in few statements. `COUNT(*)` over a partition is
//! exact, where `partitions_meta`'s `ROW_COUNT` lags loads and restores (spec §9.3), so a
//! backup records counts taken at the snapshot's version and a restore's verification compares
//! with them. One statement per partition would cost a round trip each (365,000 after the
//! first full of a large warehouse); instead partitions go together as the operands of one
//! `UNION ALL`, each tagged with its position:
//!
//! ```sql
//! SELECT 0 AS i, COUNT(*) AS n FROM `db`.`t` PARTITION (`p1`) UNION ALL
//! SELECT 1 AS i, COUNT(*) AS n FROM `db`.`t` PARTITION (`p2`) …
//! ```
//!
//! and the answer is read by column name (`i`, `n`), never by row order. Statements are
//! sized by the server's `max_allowed_packet` ([`Cluster::statement_budget`]) and hold at most
//! [`MAX_PARTITIONS_PER_STATEMENT`] operands.

use std::ops::Range;

use starsnap_compiler::syntax::quote_ident;

use crate::conn::Cluster;
use crate::error::RuntimeError;

/// At most this many partitions per statement, whatever the packet size allows. StarRocks
/// parses a statement into at most `parse_tokens_limit` tokens (session variable, 3,500,000
/// by default; whitespace counts) and plans one scan per operand: 1,000 operands (about
/// 40,000 tokens) stay far below the first and keep each statement's planning short, while
/// 365,000 partitions still take only 365 statements.
pub const MAX_PARTITIONS_PER_STATEMENT: usize = 1_000;

/// One partition to count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    pub table: &'a str,
    pub partition: &'a str,
}

/// What counting found: per target (same order) its row count, `None` where its statement
/// failed; and the errors of the statements that failed.
#[derive(Debug, Default)]
pub struct Counted {
    pub rows: Vec<Option<i64>>,
    pub failed: Vec<RuntimeError>,
}

/// The statements counting `targets` of `database`, each with the range of targets it counts:
/// as many operands per statement as `budget` bytes and [`MAX_PARTITIONS_PER_STATEMENT`]
/// allow (an operand longer than the budget still goes alone: the server's refusal names the
/// problem).
pub fn statements(
    database: &str,
    targets: &[Target<'_>],
    budget: usize,
) -> Vec<(Range<usize>, String)> {
    const JOIN: &str = " UNION ALL ";
    let db = quote_ident(database);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, t) in targets.iter().enumerate() {
        let operand = format!(
            "SELECT {i} AS i, COUNT(*) AS n FROM {db}.{} PARTITION ({})",
            quote_ident(t.table),
            quote_ident(t.partition)
        );
        let full = i - start >= MAX_PARTITIONS_PER_STATEMENT
            || current.len() + JOIN.len() + operand.len() > budget;
        if !current.is_empty() && full {
            out.push((start..i, std::mem::take(&mut current)));
            start = i;
        }
        if !current.is_empty() {
            current.push_str(JOIN);
        }
        current.push_str(&operand);
    }
    if !current.is_empty() {
        out.push((start..targets.len(), current));
    }
    out
}

/// Counts the rows of every target. A statement the server refuses leaves its targets `None`
/// and its error in [`Counted::failed`]; a broken connection (transient: the caller may
/// reconnect and count again) or a failure to learn the packet size is an error.
pub fn count(
    c: &mut Cluster,
    database: &str,
    targets: &[Target<'_>],
) -> Result<Counted, RuntimeError> {
    let mut counted = Counted {
        rows: vec![None; targets.len()],
        failed: Vec::new(),
    };
    if targets.is_empty() {
        return Ok(counted);
    }
    let budget = c.statement_budget()?;
    for (range, sql) in statements(database, targets, budget) {
        let rs = match c.query(&sql) {
            Ok(rs) => rs,
            Err(e) if e.is_transient() => return Err(e),
            Err(e) => {
                counted.failed.push(e);
                continue;
            }
        };
        let mut answer = Vec::with_capacity(range.len());
        let read = rs.iter().try_for_each(|row| {
            let i = row.i64("i")?;
            let n = row.i64("n")?;
            match usize::try_from(i).ok().filter(|i| range.contains(i)) {
                Some(i) => {
                    answer.push((i, n));
                    Ok(())
                }
                None => Err(RuntimeError::BadValue {
                    statement: format!("SELECT … COUNT(*) … of {} partitions", range.len()),
                    column: "i".into(),
                    value: i.to_string(),
                    expected: "the position of a partition the statement counts",
                }),
            }
        });
        match read {
            Ok(()) => {
                for (i, n) in answer {
                    counted.rows[i] = Some(n);
                }
            }
            Err(e) => counted.failed.push(e),
        }
    }
    Ok(counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(n: usize) -> Vec<(String, String)> {
        (0..n)
            .map(|i| (format!("t{}", i % 3), format!("p{i}")))
            .collect()
    }

    fn as_targets(v: &[(String, String)]) -> Vec<Target<'_>> {
        v.iter()
            .map(|(t, p)| Target {
                table: t,
                partition: p,
            })
            .collect()
    }

    #[test]
    fn one_statement_names_every_partition_with_its_position() {
        let v = targets(3);
        let s = statements("db", &as_targets(&v), 1 << 20);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].0, 0..3);
        assert_eq!(
            s[0].1,
            "SELECT 0 AS i, COUNT(*) AS n FROM db.t0 PARTITION (p0) UNION ALL \
             SELECT 1 AS i, COUNT(*) AS n FROM db.t1 PARTITION (p1) UNION ALL \
             SELECT 2 AS i, COUNT(*) AS n FROM db.t2 PARTITION (p2)"
        );
    }

    #[test]
    fn statements_fit_the_budget_and_the_operand_cap_and_cover_every_target_once() {
        let v = targets(2_500);
        let t = as_targets(&v);
        for budget in [200, 4_096, 1 << 22] {
            let s = statements("db", &t, budget);
            let mut next = 0;
            for (range, sql) in &s {
                assert_eq!(range.start, next);
                next = range.end;
                assert!(range.len() <= MAX_PARTITIONS_PER_STATEMENT);
                assert_eq!(sql.matches("COUNT(*)").count(), range.len());
                assert!(
                    sql.len() <= budget || range.len() == 1,
                    "{budget}: {}",
                    sql.len()
                );
            }
            assert_eq!(next, t.len());
        }
        assert_eq!(statements("db", &t, 1 << 22).len(), 3);
    }

    #[test]
    fn names_are_quoted() {
        let v = vec![("my table".to_string(), "p-1".to_string())];
        let s = statements("my db", &as_targets(&v), 1 << 20);
        assert_eq!(
            s[0].1,
            "SELECT 0 AS i, COUNT(*) AS n FROM `my db`.`my table` PARTITION (`p-1`)"
        );
    }
}
