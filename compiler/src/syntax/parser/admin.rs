//! The statement productions of `grammar/starrocks-3.4.ebnf` other than BACKUP/RESTORE:
//! CANCEL, the SHOW statements, CREATE/DROP REPOSITORY, DROP SNAPSHOT and the ALTER … SWAP /
//! RENAME forms. One function per production, each under the production it implements.

use super::super::ast::*;
use super::super::keywords::Kw;
use super::super::lexer::TokenKind;
use super::cursor::{Cursor, Expected, Fail, PResult, STRING};
use super::stmt::{other, properties, raw_until, span_from};

/// ```text
/// cancel_stmt ::= CANCEL ( BACKUP | RESTORE ) [ ( FROM | IN ) identifier | FOR EXTERNAL CATALOG ]
/// ```
pub(super) fn cancel(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    let kind = job_kind(p);
    let target = if p.is_kw(Kw::From) || p.is_kw(Kw::In) {
        let keyword = from_or_in(p);
        Some(CancelTarget::Database {
            name: p.ident()?,
            keyword,
        })
    } else if let Some(f) = p.eat_kw(Kw::For) {
        p.expect_kw(Kw::External)?;
        p.expect_kw(Kw::Catalog)?;
        Some(CancelTarget::ExternalCatalog {
            span: span_from(p, f.start),
        })
    } else {
        None
    };
    p.expect_end()?;
    Ok(Statement::Cancel(Cancel {
        kind,
        target,
        span: span_from(p, start),
    }))
}

fn job_kind(p: &mut Cursor<'_>) -> JobKind {
    if p.eat_kw(Kw::Backup).is_some() {
        JobKind::Backup
    } else {
        p.bump();
        JobKind::Restore
    }
}

fn from_or_in(p: &mut Cursor<'_>) -> FromOrIn {
    if p.eat_kw(Kw::In).is_some() {
        FromOrIn::In
    } else {
        p.bump();
        FromOrIn::From
    }
}

/// ```text
/// show_filters ::= [ WHERE expression ] [ ORDER BY sort_item { ',' sort_item } ]
///                  [ LIMIT INTEGER [ OFFSET INTEGER ] | LIMIT INTEGER ',' INTEGER ]
/// ```
/// WHERE and ORDER BY bodies are kept as raw text.
fn show_filters(p: &mut Cursor<'_>) -> PResult<ShowFilters> {
    let mut f = ShowFilters::default();
    if p.eat_kw(Kw::Where).is_some() {
        f.where_ = Some(raw_until(p, clause_after_where)?);
    }
    f.order_by = order_by(p)?;
    f.limit = limit(p)?;
    Ok(f)
}

fn clause_after_where(t: &super::super::lexer::Token) -> bool {
    matches!(t.kw, Some(Kw::Order | Kw::Limit)) && t.kind == TokenKind::Word
}

fn order_by(p: &mut Cursor<'_>) -> PResult<Option<RawExpr>> {
    if p.eat_kw(Kw::Order).is_none() {
        return Ok(None);
    }
    p.expect_kw(Kw::By)?;
    Ok(Some(raw_until(p, |t| t.is_kw(Kw::Limit))?))
}

fn limit(p: &mut Cursor<'_>) -> PResult<Option<Limit>> {
    let Some(kw) = p.eat_kw(Kw::Limit) else {
        return Ok(None);
    };
    let first = integer(p)?;
    let (count, offset) = if p.eat(TokenKind::Comma).is_some() {
        let count = integer(p)?;
        (count, Some(first))
    } else if p.eat_kw(Kw::Offset).is_some() {
        (first, Some(integer(p)?))
    } else {
        (first, None)
    };
    Ok(Some(Limit {
        count,
        offset,
        span: span_from(p, kw.start),
    }))
}

fn integer(p: &mut Cursor<'_>) -> PResult<u64> {
    match p.peek() {
        Some(t) if t.kind == TokenKind::Integer => match t.text(p.src).parse::<u64>() {
            Ok(n) => {
                p.bump();
                Ok(n)
            }
            Err(_) => Err(Fail::OutOfRange { at: p.pos }),
        },
        _ => p.fail(&[Expected::Integer]),
    }
}

/// ```text
/// show_backup  ::= SHOW BACKUP  [ ( FROM | IN ) identifier ] show_filters
/// show_restore ::= SHOW RESTORE [ ( FROM | IN ) identifier ] show_filters
/// ```
pub(super) fn show_jobs(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    let kind = job_kind(p);
    let database = if p.is_kw(Kw::From) || p.is_kw(Kw::In) {
        from_or_in(p);
        Some(p.ident()?)
    } else {
        None
    };
    let filters = show_filters(p)?;
    p.expect_end()?;
    Ok(Statement::ShowJobs(ShowJobs {
        kind,
        database,
        filters,
        span: span_from(p, start),
    }))
}

/// `show_snapshot ::= SHOW SNAPSHOT ON identifier show_filters`
pub(super) fn show_snapshot(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    p.bump();
    p.expect_kw(Kw::On)?;
    let repository = p.ident()?;
    let (filter, where_span) = match p.eat_kw(Kw::Where) {
        Some(_) => {
            let raw = raw_until(p, clause_after_where)?;
            let span = raw.span;
            (Some(snapshot_filter(p, raw)), Some(span))
        }
        None => (None, None),
    };
    let order_by = order_by(p)?;
    let limit = limit(p)?;
    p.expect_end()?;
    Ok(Statement::ShowSnapshot(ShowSnapshot {
        repository,
        filter,
        where_span,
        order_by,
        limit,
        span: span_from(p, start),
    }))
}

/// ```text
/// snapshot_filter ::= snapshot_eq [ AND snapshot_eq ]
///                   | SNAPSHOT IN '(' string { ',' string } ')'
///                   | expression                       -- kept raw, reported by the analyzer
/// snapshot_eq     ::= ( SNAPSHOT | TIMESTAMP ) '=' string
/// ```
fn snapshot_filter(p: &Cursor<'_>, raw: RawExpr) -> SnapshotFilter {
    let toks: Vec<_> = p
        .toks
        .iter()
        .filter(|t| t.span.start >= raw.span.start && t.span.end <= raw.span.end)
        .copied()
        .collect();
    let mut sub = Cursor::new(p.src, &toks);
    let column = |c: &mut Cursor<'_>| -> Option<SnapshotColumn> {
        let t = c.peek()?;
        if !t.is_ident() {
            return None;
        }
        let v = c.make_ident(t).value;
        let col = if v.eq_ignore_ascii_case("snapshot") {
            SnapshotColumn::Snapshot
        } else if v.eq_ignore_ascii_case("timestamp") {
            SnapshotColumn::Timestamp
        } else {
            return None;
        };
        c.bump();
        Some(col)
    };
    let eq = |c: &mut Cursor<'_>| -> Option<SnapshotEq> {
        let start = c.peek()?.span.start;
        let column = column(c)?;
        c.eat(TokenKind::Eq)?;
        let value = c.string().ok()?;
        let span = crate::span::Span::new(start, value.span.end);
        Some(SnapshotEq {
            column,
            value,
            span,
        })
    };
    let shaped = (|| {
        if sub.is_kw_at(1, Kw::In) {
            if column(&mut sub)? != SnapshotColumn::Snapshot {
                return None;
            }
            sub.bump();
            sub.eat(TokenKind::LParen)?;
            let mut values = vec![sub.string().ok()?];
            while sub.eat(TokenKind::Comma).is_some() {
                values.push(sub.string().ok()?);
            }
            sub.eat(TokenKind::RParen)?;
            return sub.at_end().then_some(SnapshotFilter::In(values));
        }
        let mut eqs = vec![eq(&mut sub)?];
        if sub.eat_kw(Kw::And).is_some() {
            eqs.push(eq(&mut sub)?);
        }
        sub.at_end().then_some(SnapshotFilter::Equals(eqs))
    })();
    shaped.unwrap_or(SnapshotFilter::Raw(raw))
}

/// `show_repos ::= SHOW REPOSITORIES show_filters`
pub(super) fn show_repositories(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    p.bump();
    let filters = show_filters(p)?;
    p.expect_end()?;
    Ok(Statement::ShowRepositories(ShowRepositories {
        filters,
        span: span_from(p, start),
    }))
}

/// `show_partitions ::= SHOW [ TEMPORARY ] PARTITIONS FROM qualified_name show_filters`
pub(super) fn show_partitions(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    let temporary = p.eat_kw(Kw::Temporary).is_some();
    p.bump();
    p.expect_kw(Kw::From)?;
    let table = p.qualified_name()?;
    let filters = show_filters(p)?;
    p.expect_end()?;
    Ok(Statement::ShowPartitions(ShowPartitions {
        temporary,
        table,
        filters,
        span: span_from(p, start),
    }))
}

/// ```text
/// create_repo ::= CREATE [ READ ONLY ] REPOSITORY identifier
///                 WITH BROKER [ identifier | string ] ON LOCATION string [ properties ]
/// ```
pub(super) fn create_repository(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    let read_only = p.eat_kw(Kw::Read).is_some();
    if read_only {
        p.bump();
    }
    p.bump();
    let name = p.ident()?;
    p.expect_kw(Kw::With)?;
    p.expect_kw(Kw::Broker)?;
    let broker = match p.peek() {
        Some(t) if (t.is_ident() || t.is_string()) && !t.is_kw(Kw::On) => {
            Some(p.ident_or_string(STRING)?)
        }
        _ => None,
    };
    p.expect_kw(Kw::On)?;
    p.expect_kw(Kw::Location)?;
    let location = p.string()?;
    let properties = properties(p)?;
    p.expect_end()?;
    Ok(Statement::CreateRepository(CreateRepository {
        read_only,
        name,
        broker,
        location,
        properties,
        span: span_from(p, start),
    }))
}

/// `drop_repo ::= DROP REPOSITORY identifier`
pub(super) fn drop_repository(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    p.bump();
    let name = p.ident()?;
    p.expect_end()?;
    Ok(Statement::DropRepository(DropRepository {
        name,
        span: span_from(p, start),
    }))
}

/// `drop_snapshot ::= DROP SNAPSHOT identifier ON identifier [ FORCE ]` (StarRocks 4.2)
pub(super) fn drop_snapshot(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    p.bump();
    let snapshot = p.ident()?;
    p.expect_kw(Kw::On)?;
    let repository = p.ident()?;
    let force = p.eat_kw(Kw::Force).is_some();
    p.expect_end()?;
    Ok(Statement::DropSnapshot(DropSnapshot {
        snapshot,
        repository,
        force,
        span: span_from(p, start),
    }))
}

/// ```text
/// alter_table_swap ::= ALTER TABLE qualified_name ( SWAP WITH identifier | RENAME identifier )
/// alter_mv         ::= ALTER MATERIALIZED VIEW qualified_name
///                      ( ACTIVE | INACTIVE | SWAP WITH identifier | RENAME identifier )
/// ```
/// Other ALTER statements (other clauses, clause lists) are `Other`.
pub(super) fn alter(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    let target = if p.eat_kw(Kw::Table).is_some() {
        AlterTarget::Table
    } else if p.is_kw(Kw::Materialized) && p.is_kw_at(1, Kw::View) {
        p.bump();
        p.bump();
        AlterTarget::MaterializedView
    } else {
        return Ok(other(p));
    };
    let Ok(name) = p.qualified_name() else {
        return Ok(other(p));
    };
    let clause_at = p.pos;
    let action = match p.peek().and_then(|t| t.kw) {
        Some(Kw::Swap) => {
            p.bump();
            p.expect_kw(Kw::With)?;
            AlterAction::SwapWith(p.ident()?)
        }
        Some(Kw::Rename) => {
            let next = p.peek_at(1);
            if next.is_some_and(|t| matches!(t.kw, Some(Kw::Column | Kw::Rollup | Kw::Partition))) {
                return Ok(other(p));
            }
            if !next.is_some_and(|t| t.is_ident()) {
                return Err(Fail::NoViable {
                    from: clause_at,
                    at: clause_at + 1,
                });
            }
            p.bump();
            AlterAction::Rename(p.ident()?)
        }
        Some(Kw::Active) if target == AlterTarget::MaterializedView => {
            p.bump();
            AlterAction::Active
        }
        Some(Kw::Inactive) if target == AlterTarget::MaterializedView => {
            p.bump();
            AlterAction::Inactive
        }
        _ => return Ok(other(p)),
    };
    if p.is_kind(TokenKind::Comma) {
        // A clause list: outside the family (StarRocks's analyzer rejects SWAP/RENAME lists).
        return Ok(other(p));
    }
    p.expect_end()?;
    Ok(Statement::Alter(Alter {
        target,
        name,
        action,
        span: span_from(p, start),
    }))
}
