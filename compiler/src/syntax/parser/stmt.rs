//! The statement dispatch and the BACKUP/RESTORE productions of `grammar/starrocks-3.4.ebnf`
//! (the other statements are in `admin.rs`), one function per production,
//! each under the production it implements. Hand-written recursive descent over one
//! statement's tokens; nothing here recurses on input nesting (raw expressions are skipped
//! with an iterative depth counter), so deep parentheses cannot overflow the stack.

use super::super::ast::*;
use super::super::keywords::Kw;
use super::super::lexer::Token;
use super::super::lexer::TokenKind;
use super::admin;
use super::cursor::{Cursor, Expected, Fail, PResult, STRING};

/// ```text
/// statement ::= backup_stmt | restore_stmt | cancel_stmt | show_backup | show_restore
///             | show_snapshot | show_repos | show_partitions | create_repo | drop_repo
///             | drop_snapshot | alter_table_swap | alter_mv | other_statement
/// ```
/// Statements outside the family become `Statement::Other`.
pub(crate) fn statement(p: &mut Cursor<'_>) -> PResult<Statement> {
    let Some(first) = p.peek() else {
        return Ok(other(p));
    };
    let k1 = p.peek_at(1).and_then(|t| t.kw);
    match first.kw {
        Some(Kw::Backup) => backup(p),
        Some(Kw::Restore) => restore(p),
        Some(Kw::Cancel) if matches!(k1, Some(Kw::Backup | Kw::Restore)) => admin::cancel(p),
        Some(Kw::Show) => match k1 {
            Some(Kw::Backup | Kw::Restore) => admin::show_jobs(p),
            Some(Kw::Snapshot) => admin::show_snapshot(p),
            Some(Kw::Repositories) => admin::show_repositories(p),
            Some(Kw::Partitions) => admin::show_partitions(p),
            Some(Kw::Temporary) if p.is_kw_at(2, Kw::Partitions) => admin::show_partitions(p),
            _ => Ok(other(p)),
        },
        Some(Kw::Create)
            if p.is_kw_at(1, Kw::Repository)
                || (p.is_kw_at(1, Kw::Read)
                    && p.is_kw_at(2, Kw::Only)
                    && p.is_kw_at(3, Kw::Repository)) =>
        {
            admin::create_repository(p)
        }
        Some(Kw::Drop) if k1 == Some(Kw::Repository) => admin::drop_repository(p),
        Some(Kw::Drop) if k1 == Some(Kw::Snapshot) => admin::drop_snapshot(p),
        Some(Kw::Alter) => admin::alter(p),
        _ => Ok(other(p)),
    }
}

/// `other_statement ::= { token }` — kept as text.
pub(super) fn other(p: &mut Cursor<'_>) -> Statement {
    let span = match (p.toks.first(), p.toks.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => p.end_span(),
    };
    p.pos = p.toks.len();
    Statement::Other {
        text: p.src.get(span.start..span.end).unwrap_or("").to_string(),
        span,
    }
}

pub(super) fn span_from(p: &Cursor<'_>, start: usize) -> crate::span::Span {
    crate::span::Span::new(start, p.prev_span().end.max(start))
}

/// ```text
/// backup_stmt ::= BACKUP [ external_catalogs_backup ] [ DATABASE identifier ]
///                 SNAPSHOT qualified_name TO identifier
///                 [ ON '(' object_desc { ',' object_desc } ')' ] [ properties ]
/// ```
fn backup(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    let catalogs = if p.is_kw(Kw::All) || p.is_kw(Kw::External) {
        Some(external_catalogs(p, false)?)
    } else {
        None
    };
    let database = match p.eat_kw(Kw::Database) {
        Some(_) => Some(p.ident()?),
        None => None,
    };
    if !p.is_kw(Kw::Snapshot) {
        let mut set = vec![Expected::Kw(Kw::Snapshot)];
        if database.is_none() {
            set.push(Expected::Kw(Kw::Database));
            if catalogs.is_none() {
                set.extend([Expected::Kw(Kw::All), Expected::Kw(Kw::External)]);
            }
        }
        return p.fail(&set);
    }
    p.bump();
    let label = p.qualified_name()?;
    p.expect_kw(Kw::To)?;
    let repository = p.ident()?;
    let on = on_clause(p)?;
    let properties = properties(p)?;
    p.expect_end()?;
    Ok(Statement::Backup(Backup {
        catalogs,
        database,
        label,
        repository,
        on,
        properties,
        span: span_from(p, start),
    }))
}

/// ```text
/// restore_stmt ::= RESTORE SNAPSHOT qualified_name FROM identifier
///                  [ external_catalogs_restore ] [ DATABASE identifier [ AS identifier ] ]
///                  [ ON '(' object_desc { ',' object_desc } ')' ] [ properties ]
/// ```
fn restore(p: &mut Cursor<'_>) -> PResult<Statement> {
    let start = p.bump().start;
    p.expect_kw(Kw::Snapshot)?;
    let label = p.qualified_name()?;
    p.expect_kw(Kw::From)?;
    let repository = p.ident()?;
    let catalogs = if p.is_kw(Kw::All) || p.is_kw(Kw::External) {
        Some(external_catalogs(p, true)?)
    } else {
        None
    };
    let database = match p.eat_kw(Kw::Database) {
        Some(s) => {
            let name = p.ident()?;
            let alias = alias(p)?;
            Some(RestoreDatabase {
                name,
                alias,
                span: span_from(p, s.start),
            })
        }
        None => None,
    };
    let on = on_clause(p)?;
    let properties = properties(p)?;
    p.expect_end()?;
    Ok(Statement::Restore(Restore {
        label,
        repository,
        catalogs,
        database,
        on,
        properties,
        span: span_from(p, start),
    }))
}

/// `[ AS identifier ]`
fn alias(p: &mut Cursor<'_>) -> PResult<Option<Ident>> {
    match p.eat_kw(Kw::As) {
        Some(_) => Ok(Some(p.ident()?)),
        None => Ok(None),
    }
}

/// ```text
/// external_catalogs_backup  ::= ALL EXTERNAL CATALOGS
///                             | EXTERNAL ( CATALOG | CATALOGS ) '(' identifier { ',' identifier } ')'
/// external_catalogs_restore ::= ALL EXTERNAL CATALOGS
///                             | EXTERNAL ( CATALOG | CATALOGS )
///                               '(' identifier [ AS identifier ] { ',' identifier [ AS identifier ] } ')'
/// ```
fn external_catalogs(p: &mut Cursor<'_>, aliases: bool) -> PResult<ExternalCatalogs> {
    let start = p.peek().map(|t| t.span.start).unwrap_or(0);
    if p.eat_kw(Kw::All).is_some() {
        p.expect_kw(Kw::External)?;
        p.expect_kw(Kw::Catalogs)?;
        return Ok(ExternalCatalogs::All {
            span: span_from(p, start),
        });
    }
    p.expect_kw(Kw::External)?;
    let keyword = if p.eat_kw(Kw::Catalog).is_some() {
        Number::Singular
    } else if p.eat_kw(Kw::Catalogs).is_some() {
        Number::Plural
    } else {
        return p.fail(&[Expected::Kw(Kw::Catalog), Expected::Kw(Kw::Catalogs)]);
    };
    p.expect(TokenKind::LParen, Expected::LParen)?;
    let mut catalogs = Vec::new();
    loop {
        let name = p.ident()?;
        let alias = if aliases { alias(p)? } else { None };
        let span = span_from(p, name.span.start);
        catalogs.push(CatalogRef { name, alias, span });
        if p.eat(TokenKind::Comma).is_some() {
            continue;
        }
        p.expect(TokenKind::RParen, Expected::RParen)
            .or_else(|_| p.fail(&[Expected::Comma, Expected::RParen]))?;
        break;
    }
    Ok(ExternalCatalogs::Named {
        catalogs,
        keyword,
        span: span_from(p, start),
    })
}

/// `[ ON '(' object_desc { ',' object_desc } ')' ]`
fn on_clause(p: &mut Cursor<'_>) -> PResult<Option<ObjectList>> {
    let Some(on) = p.eat_kw(Kw::On) else {
        return Ok(None);
    };
    p.expect(TokenKind::LParen, Expected::LParen)?;
    let mut items = Vec::new();
    loop {
        items.push(object_desc(p)?);
        if p.eat(TokenKind::Comma).is_some() {
            continue;
        }
        if p.eat(TokenKind::RParen).is_some() {
            break;
        }
        return p.fail(&[Expected::Comma, Expected::RParen]);
    }
    Ok(Some(ObjectList {
        items,
        span: span_from(p, on.start),
    }))
}

/// After a non-reserved kind keyword (`VIEW`, `VIEWS`, `TABLES`, `FUNCTIONS`) at offset `n-1`:
/// `Some(true)` when a name follows (a typed item), `Some(false)` when the keyword is itself a
/// bare table name (`ON (views)`, `ON (views PARTITIONS (p))`), `None` when neither
/// alternative is viable (StarRocks: "No viable statement for input …").
fn typed_follows(p: &Cursor<'_>, n: usize) -> Option<bool> {
    let t = p.peek_at(n)?;
    let next = p.peek_at(n + 1);
    let next_is = |kinds: &[Kw]| next.is_some_and(|u| u.kw.is_some_and(|k| kinds.contains(&k)));
    let partition_follows = match t.kw {
        Some(Kw::Temporary) => next_is(&[Kw::Partition, Kw::Partitions]),
        Some(Kw::Partitions) => {
            next.is_some_and(|u| u.kind == TokenKind::LParen || u.is_ident() || u.is_string())
        }
        _ => false,
    };
    if partition_follows {
        return Some(false);
    }
    if t.is_ident() {
        return Some(true);
    }
    let bare = matches!(
        t.kind,
        TokenKind::Dot | TokenKind::Comma | TokenKind::RParen
    ) || t.is_kw(Kw::Partition)
        || t.is_kw(Kw::As);
    bare.then_some(false)
}

/// ```text
/// object_desc ::= table_desc
///               | ALL ( FUNCTION | FUNCTIONS ) | ( FUNCTION | FUNCTIONS ) qualified_name [ AS identifier ]
///               | ALL ( TABLE | TABLES )       | ( TABLE | TABLES ) table_desc
///               | ALL MATERIALIZED ( VIEW | VIEWS ) | MATERIALIZED ( VIEW | VIEWS ) qualified_name [ AS identifier ]
///               | ALL ( VIEW | VIEWS )         | ( VIEW | VIEWS ) qualified_name [ AS identifier ]
/// ```
fn object_desc(p: &mut Cursor<'_>) -> PResult<ObjectItem> {
    let start = p.peek().map(|t| t.span.start).unwrap_or(0);
    if p.eat_kw(Kw::All).is_some() {
        let (kind, keyword) = match p.peek().and_then(|t| t.kw) {
            Some(Kw::Function) => (ObjectKind::Function, Number::Singular),
            Some(Kw::Functions) => (ObjectKind::Function, Number::Plural),
            Some(Kw::Table) => (ObjectKind::Table, Number::Singular),
            Some(Kw::Tables) => (ObjectKind::Table, Number::Plural),
            Some(Kw::View) => (ObjectKind::View, Number::Singular),
            Some(Kw::Views) => (ObjectKind::View, Number::Plural),
            Some(Kw::Materialized) => {
                p.bump();
                match p.peek().and_then(|t| t.kw) {
                    Some(Kw::View) => (ObjectKind::MaterializedView, Number::Singular),
                    Some(Kw::Views) => (ObjectKind::MaterializedView, Number::Plural),
                    _ => return p.fail(&[Expected::Kw(Kw::View), Expected::Kw(Kw::Views)]),
                }
            }
            _ => {
                return p.fail(&[
                    Expected::Kw(Kw::Function),
                    Expected::Kw(Kw::Functions),
                    Expected::Kw(Kw::Materialized),
                    Expected::Kw(Kw::Table),
                    Expected::Kw(Kw::Tables),
                    Expected::Kw(Kw::View),
                    Expected::Kw(Kw::Views),
                ])
            }
        };
        p.bump();
        return Ok(ObjectItem::All(AllObjects {
            kind,
            keyword,
            span: span_from(p, start),
        }));
    }
    let kw = p.peek().and_then(|t| t.kw);
    let typed = match kw {
        // Reserved words: always the keyword.
        Some(Kw::Function) => Some((ObjectKind::Function, ObjectKeyword::Singular, 1)),
        Some(Kw::Table) => Some((ObjectKind::Table, ObjectKeyword::Singular, 1)),
        // Non-reserved words: the keyword only when a name follows.
        Some(k @ (Kw::Functions | Kw::Tables | Kw::View | Kw::Views)) => {
            match typed_follows(p, 1) {
                Some(true) => Some(match k {
                    Kw::Functions => (ObjectKind::Function, ObjectKeyword::Plural, 1),
                    Kw::Tables => (ObjectKind::Table, ObjectKeyword::Plural, 1),
                    Kw::View => (ObjectKind::View, ObjectKeyword::Singular, 1),
                    _ => (ObjectKind::View, ObjectKeyword::Plural, 1),
                }),
                Some(false) => None,
                None => {
                    return Err(Fail::NoViable {
                        from: p.pos,
                        at: p.pos + 1,
                    })
                }
            }
        }
        Some(Kw::Materialized) if p.is_kw_at(1, Kw::View) || p.is_kw_at(1, Kw::Views) => {
            let kw = if p.is_kw_at(1, Kw::View) {
                ObjectKeyword::Singular
            } else {
                ObjectKeyword::Plural
            };
            Some((ObjectKind::MaterializedView, kw, 2))
        }
        _ => None,
    };
    let (kind, keyword) = match typed {
        Some((kind, keyword, n)) => {
            for _ in 0..n {
                p.bump();
            }
            (kind, keyword)
        }
        None if p.at_ident() => (ObjectKind::Table, ObjectKeyword::Bare),
        None => {
            return p.fail(&[
                Expected::Kw(Kw::All),
                Expected::Kw(Kw::Function),
                Expected::Kw(Kw::Table),
                Expected::Ident,
            ])
        }
    };
    let name = p.qualified_name()?;
    let partitions = if kind == ObjectKind::Table {
        partition_names(p)?
    } else {
        None
    };
    let alias = alias(p)?;
    Ok(ObjectItem::Named(NamedObject {
        kind,
        keyword,
        name,
        partitions,
        alias,
        span: span_from(p, start),
    }))
}

/// ```text
/// partition_names ::= [ TEMPORARY ] ( PARTITION | PARTITIONS ) '(' name_or_str { ',' name_or_str } ')'
///                   | [ TEMPORARY ] ( PARTITION | PARTITIONS ) name_or_str
///                   | PARTITION '(' key_partition { ',' key_partition } ')'
/// name_or_str     ::= identifier | string
/// key_partition   ::= identifier '=' literal
/// ```
fn partition_names(p: &mut Cursor<'_>) -> PResult<Option<PartitionSpec>> {
    let start = p.peek().map(|t| t.span.start).unwrap_or(0);
    let first = p.pos;
    let temporary =
        p.is_kw(Kw::Temporary) && (p.is_kw_at(1, Kw::Partition) || p.is_kw_at(1, Kw::Partitions));
    if temporary {
        p.bump();
    }
    let keyword = if p.eat_kw(Kw::Partition).is_some() {
        Number::Singular
    } else if p.eat_kw(Kw::Partitions).is_some() {
        Number::Plural
    } else {
        return Ok(None);
    };
    // `PARTITION (x = …)` (key partitions) and `PARTITION (x, …)` share a prefix; StarRocks
    // predicts between the alternatives of `partition_names` from its first token.
    let no_viable = |at: usize| Err(Fail::NoViable { from: first, at });
    let parenthesized = p.eat(TokenKind::LParen).is_some();
    let name_like = |t: &Token| t.is_ident() || t.is_string();
    let names = if !parenthesized {
        match p.peek() {
            Some(t) if name_like(t) => PartitionNames::Names(vec![p.ident_or_string(STRING)?]),
            _ => return no_viable(p.pos),
        }
    } else {
        let first_is_name = p.peek().is_some_and(name_like);
        let then = p.peek_at(1).map(|t| t.kind);
        let keys_possible = !temporary && keyword == Number::Singular;
        if keys_possible && !first_is_name {
            return no_viable(p.pos);
        }
        if keys_possible && p.at_ident() && then == Some(TokenKind::Eq) {
            PartitionNames::Keys(key_partitions(p)?)
        } else if keys_possible && !matches!(then, Some(TokenKind::Comma | TokenKind::RParen)) {
            return no_viable(p.pos + 1);
        } else {
            let mut names = Vec::new();
            loop {
                names.push(p.ident_or_string(STRING_OR_IDENT)?);
                if p.eat(TokenKind::Comma).is_some() {
                    continue;
                }
                if p.eat(TokenKind::RParen).is_some() {
                    break;
                }
                return p.fail(&[Expected::Comma, Expected::RParen]);
            }
            PartitionNames::Names(names)
        }
    };
    Ok(Some(PartitionSpec {
        temporary,
        names,
        keyword,
        parenthesized,
        span: span_from(p, start),
    }))
}

/// The `key_partition` list after `PARTITION (`, through the closing `)`.
fn key_partitions(p: &mut Cursor<'_>) -> PResult<Vec<KeyPartition>> {
    let mut keys = Vec::new();
    loop {
        let column = p.ident()?;
        p.expect(TokenKind::Eq, Expected::Eq)?;
        let value = raw_until(p, |t| {
            matches!(t.kind, TokenKind::Comma | TokenKind::RParen)
        })?;
        let span = span_from(p, column.span.start);
        keys.push(KeyPartition {
            column,
            value,
            span,
        });
        if p.eat(TokenKind::Comma).is_some() {
            continue;
        }
        p.expect(TokenKind::RParen, Expected::RParen)?;
        return Ok(keys);
    }
}

const STRING_OR_IDENT: &[Expected] = &[
    Expected::SingleQuoted,
    Expected::DoubleQuoted,
    Expected::Ident,
];

/// Collects tokens up to (not including) the first one at parenthesis depth 0 for which `stop`
/// holds, or the end; iterative, so any nesting depth is fine. Fails on an empty expression or
/// unbalanced parentheses.
pub(super) fn raw_until(
    p: &mut Cursor<'_>,
    stop: impl Fn(&super::super::lexer::Token) -> bool,
) -> PResult<RawExpr> {
    let begin = p.pos;
    let mut depth = 0usize;
    while let Some(t) = p.peek() {
        match t.kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen if depth > 0 => depth -= 1,
            _ if depth == 0 && stop(t) => break,
            TokenKind::RParen => break,
            _ => {}
        }
        p.bump();
    }
    if depth > 0 {
        return p.fail(&[Expected::RParen]);
    }
    if p.pos == begin {
        return p.fail(&[Expected::Ident]);
    }
    let span = p.toks[begin].span.to(p.toks[p.pos - 1].span);
    Ok(RawExpr {
        text: p.src.get(span.start..span.end).unwrap_or("").to_string(),
        span,
    })
}

/// `properties ::= PROPERTIES '(' property { ',' property } ')'` with
/// `property ::= string '=' string`.
pub(super) fn properties(p: &mut Cursor<'_>) -> PResult<Option<Properties>> {
    let Some(kw) = p.eat_kw(Kw::Properties) else {
        return Ok(None);
    };
    p.expect(TokenKind::LParen, Expected::LParen)?;
    let mut items = Vec::new();
    loop {
        let key = p.string()?;
        p.expect(TokenKind::Eq, Expected::Eq)?;
        let value = p.string()?;
        let span = key.span.to(value.span);
        items.push(Property { key, value, span });
        if p.eat(TokenKind::Comma).is_some() {
            continue;
        }
        if p.eat(TokenKind::RParen).is_some() {
            break;
        }
        return p.fail(&[Expected::Comma, Expected::RParen]);
    }
    Ok(Some(Properties {
        items,
        span: span_from(p, kw.start),
    }))
}
