//! Checks on a statement that parsed: StarRocks's AstBuilder rules (spec §1.3 — syntax errors
//! in StarRocks, applied in StarRocks's order, first failure wins) and the dialect checks (a
//! construct the target StarRocks version does not accept; `starrocks-versions.md` §4, §5, §7).

use crate::diagnostic::{Diagnostic, Stage, StarRocksError};
use crate::span::Span;

use super::super::ast::*;
use super::super::codes;
use super::super::Dialect;
use super::cursor::{Cursor, Expected, Fail};
use super::syntax_error;

/// `Getting syntax error. Detail message: <detail>.` (no position).
fn plain(detail: &str) -> StarRocksError {
    syntax_error(format!("Getting syntax error. Detail message: {detail}."))
}

const CATALOG_DB: &str = "Can not sepcify database name for external catalog Backup/Restore";

/// The first AstBuilder rule the statement breaks, if any.
pub(super) fn ast_builder(p: &Cursor<'_>, stmt: &Statement) -> Option<Diagnostic> {
    match stmt {
        Statement::Backup(b) => backup_restore(
            p,
            true,
            b.catalogs.as_ref(),
            b.database.as_ref().map(|d| d.span),
            &b.label,
            b.on.as_ref(),
        ),
        Statement::Restore(r) => backup_restore(
            p,
            false,
            r.catalogs.as_ref(),
            r.database.as_ref().map(|d| d.span),
            &r.label,
            r.on.as_ref(),
        ),
        Statement::Cancel(c) if c.target.is_none() => {
            let detail = "No selected database for cancel BACKUP/RESTORE";
            Some(
                Diagnostic::error(
                    codes::CANCEL_WITHOUT_DATABASE,
                    c.span,
                    "CANCEL needs a database: StarRocks does not fall back to the current database",
                )
                .with_help(
                    "write `CANCEL BACKUP FROM <db>` or `CANCEL BACKUP FOR EXTERNAL CATALOG`",
                )
                .with_starrocks(plain(detail)),
            )
        }
        _ => None,
    }
}

/// `AstBuilder.parseBackupRestoreStatement`, rules 1–8 in order.
fn backup_restore(
    p: &Cursor<'_>,
    is_backup: bool,
    catalogs: Option<&ExternalCatalogs>,
    database: Option<Span>,
    label: &ObjectName,
    on: Option<&ObjectList>,
) -> Option<Diagnostic> {
    let err = |code, span, msg: &str, help: &str, sr: StarRocksError| {
        Some(
            Diagnostic::error(code, span, msg)
                .with_help(help)
                .with_starrocks(sr),
        )
    };
    // Rule 1.
    if let (Some(db), Some(c)) = (database, catalogs) {
        return err(
            codes::DATABASE_WITH_CATALOGS,
            db,
            "a database cannot be named in an external-catalog backup or restore",
            "remove the DATABASE clause, or back up the catalogs and the database separately",
            plain(CATALOG_DB),
        )
        .map(|d| d.with_label(c.span(), "external catalogs named here"));
    }
    // Rule 2.
    if label.parts.len() > 2 {
        let first = label.parts.first().map(|i| i.span.start).unwrap_or(0);
        let last = label.parts.last().map(|i| i.span.start).unwrap_or(0);
        let text = joined(label);
        let detail = format!("Invalid table name format '{text}'");
        return err(
            codes::INVALID_LABEL_FORMAT,
            label.span,
            &format!("the snapshot label `{text}` has more than two parts"),
            "write the label as `label` or `db.label`",
            syntax_error(p.message_range(first, last, &detail)),
        );
    }
    // Rule 3.
    if let (Some(db), true) = (database, label.parts.len() == 2) {
        return err(
            codes::DATABASE_TWICE,
            label.span,
            "the database is given twice: in the DATABASE clause and as the label's prefix",
            "drop the `db.` prefix from the snapshot label",
            plain("Specifying dbName before snapshot name is forbidden if the DbName is specified explicitly in BACKUP/RESTORE"),
        )
        .map(|d| d.with_label(db, "DATABASE clause"));
    }
    // Rule 4.
    if let (None, Some(_), true) = (database, catalogs, label.parts.len() == 2) {
        return err(
            codes::DATABASE_WITH_CATALOGS,
            label.span,
            "a database cannot be named in an external-catalog backup or restore",
            "drop the `db.` prefix from the snapshot label",
            plain(CATALOG_DB),
        );
    }
    let named = || {
        on.into_iter()
            .flat_map(|l| &l.items)
            .filter_map(|i| match i {
                ObjectItem::Named(n) => Some(n),
                ObjectItem::All(_) => None,
            })
    };
    // Rule 5.
    if is_backup {
        if let Some((n, a)) = named().find_map(|n| n.alias.as_ref().map(|a| (n, a))) {
            return err(
                codes::ALIAS_IN_BACKUP,
                a.span,
                "BACKUP objects cannot have an alias",
                "remove `AS …`; aliases are for RESTORE",
                plain("Specifying alias for backup object is forbidden in BACKUP stmt"),
            )
            .map(|d| d.with_label(n.span, "in this object"));
        }
    }
    // Rule 6.
    if let Some(n) = named().find(|n| n.kind != ObjectKind::Function && n.name.parts.len() > 3) {
        let text = joined(&n.name);
        return err(
            codes::INVALID_OBJECT_NAME,
            n.name.span,
            &format!("the object name `{text}` has more than three parts"),
            "write the name as `t`, `db.t` or `catalog.db.t`",
            plain(&format!("Invalid table name format '{text}'")),
        );
    }
    // Rule 7.
    if let (false, Some(list), None, true) = (is_backup, on, database, label.parts.len() < 2) {
        return err(
            codes::RESTORE_ON_WITHOUT_DATABASE,
            list.span,
            "RESTORE with ON (...) must name a database",
            "add `DATABASE <db>` (the database inside the snapshot) or write the label as `db.label`",
            plain("`ON` clause is forbidden if no Database explicitly specified in Restore stmt"),
        );
    }
    // Rule 8.
    if let (Some(list), Some(_)) = (on, catalogs) {
        return err(
            codes::ON_WITH_CATALOGS,
            list.span,
            "ON (...) cannot be combined with external catalogs",
            "remove the ON clause, or back up the catalogs and the database separately",
            plain("Can not sepcify `ON` clause for external catalog Backup/Restore"),
        );
    }
    None
}

fn joined(name: &ObjectName) -> String {
    let parts: Vec<&str> = name.parts.iter().map(|i| i.value.as_str()).collect();
    parts.join(".")
}

/// Index of the token starting at `offset`.
fn token_at(p: &Cursor<'_>, offset: usize) -> Option<usize> {
    p.toks.binary_search_by_key(&offset, |t| t.span.start).ok()
}

/// `Unexpected input '<token>', the most similar input is {…}` at token `idx`.
fn unexpected(p: &Cursor<'_>, idx: usize, expected: &[Expected]) -> Option<StarRocksError> {
    p.render_failure(&Fail::Unexpected {
        at: idx,
        expected: expected.to_vec(),
    })
    .starrocks
}

fn dialect_diag(code: &str, span: Span, msg: String, dialect: Dialect) -> Diagnostic {
    Diagnostic::error(code, span, msg).with_help(format!(
        "rewrite it for StarRocks {}, or target a newer version with --dialect",
        dialect.version()
    ))
}

/// Constructs the target version does not accept.
pub(super) fn dialect_checks(
    p: &Cursor<'_>,
    stmt: &Statement,
    dialect: Dialect,
    diags: &mut Vec<Diagnostic>,
) {
    let d = match stmt {
        Statement::Backup(b) if !dialect.has_3_4_snapshot_syntax() => {
            let db_kw = b
                .database
                .as_ref()
                .and_then(|d| token_at(p, d.span.start))
                .and_then(|i| i.checked_sub(1));
            let head = b
                .catalogs
                .as_ref()
                .map(|c| c.span().start)
                .and_then(|s| token_at(p, s));
            match head.or(db_kw) {
                Some(i) => Some(
                    dialect_diag(
                        codes::NOT_IN_3_3,
                        p.toks[i].span,
                        "StarRocks 3.3 accepts only the legacy BACKUP syntax (`BACKUP SNAPSHOT db.label …`)".into(),
                        dialect,
                    )
                    .with_starrocks_opt(unexpected(p, i, &[Expected::Kw(super::super::keywords::Kw::Snapshot)])),
                ),
                None => typed_items_3_3(p, b.on.as_ref(), dialect),
            }
        }
        Statement::Restore(r) if !dialect.has_3_4_snapshot_syntax() => {
            let span = r
                .catalogs
                .as_ref()
                .map(|c| c.span())
                .or(r.database.as_ref().map(|d| d.span));
            match span {
                Some(span) => Some(dialect_diag(
                    codes::NOT_IN_3_3,
                    span,
                    "StarRocks 3.3 accepts only the legacy RESTORE syntax (`RESTORE SNAPSHOT db.label …`)".into(),
                    dialect,
                )),
                None => typed_items_3_3(p, r.on.as_ref(), dialect),
            }
        }
        Statement::Cancel(Cancel {
            target: Some(CancelTarget::ExternalCatalog { span }),
            ..
        }) if !dialect.has_3_4_snapshot_syntax() => Some(dialect_diag(
            codes::NOT_IN_3_3,
            *span,
            "StarRocks 3.3 has no `CANCEL … FOR EXTERNAL CATALOG`".into(),
            dialect,
        )),
        Statement::DropSnapshot(s) if !dialect.has_drop_snapshot() => {
            let sr = p
                .render_failure(&Fail::NoViable { from: 0, at: 1 })
                .starrocks;
            Some(
                dialect_diag(
                    codes::DROP_SNAPSHOT_BEFORE_4_2,
                    s.span,
                    format!(
                        "DROP SNAPSHOT exists only from StarRocks 4.2 (target: {})",
                        dialect.version()
                    ),
                    dialect,
                )
                .with_starrocks_opt(sr),
            )
        }
        _ => None,
    };
    diags.extend(d);
    if let Statement::Backup(b) = stmt {
        ttl_check(b, dialect, diags);
    }
    if !dialect.has_show_predicates() {
        show_filter_check(p, stmt, dialect, diags);
    }
}

fn typed_items_3_3(
    p: &Cursor<'_>,
    on: Option<&ObjectList>,
    dialect: Dialect,
) -> Option<Diagnostic> {
    let item = on?.items.iter().find(|i| match i {
        ObjectItem::All(_) => true,
        ObjectItem::Named(n) => n.keyword != ObjectKeyword::Bare,
    })?;
    let idx = token_at(p, item.span().start)?;
    // A reserved word (ALL, TABLE, FUNCTION) where 3.3 expects a table name.
    let sr = if p.toks[idx].reserved {
        unexpected(p, idx, &[Expected::Ident])
    } else {
        None
    };
    Some(
        dialect_diag(
            codes::NOT_IN_3_3,
            item.span(),
            "StarRocks 3.3 accepts only table names in ON (...), without TABLE/VIEW/FUNCTION/ALL keywords".into(),
            dialect,
        )
        .with_starrocks_opt(sr),
    )
}

fn ttl_check(b: &Backup, dialect: Dialect, diags: &mut Vec<Diagnostic>) {
    if dialect.has_drop_snapshot() {
        return;
    }
    let Some(props) = &b.properties else { return };
    let Some(ttl) = props.items.iter().find(|p| p.effective_key() == "ttl") else {
        return;
    };
    let only_unknown = props
        .items
        .iter()
        .all(|p| matches!(p.effective_key(), "ttl" | "type" | "timeout"));
    let sr = only_unknown.then(|| StarRocksError {
        code: 5064,
        sqlstate: "42000".into(),
        message: "Getting analyzing error. Detail message: Unknown backup job properties: [ttl]."
            .into(),
        stage: Stage::AnalyzeStatic,
    });
    diags.push(
        dialect_diag(
            codes::TTL_BEFORE_4_2,
            ttl.span,
            format!(
                "the BACKUP property \"ttl\" exists only from StarRocks 4.2 (target: {})",
                dialect.version()
            ),
            dialect,
        )
        .with_starrocks_opt(sr),
    );
}

fn show_filter_check(
    p: &Cursor<'_>,
    stmt: &Statement,
    dialect: Dialect,
    diags: &mut Vec<Diagnostic>,
) {
    // (keyword offset, what) of the first clause the pre-4.1 grammar lacks.
    let clause = |where_: Option<Span>, order: Option<Span>, limit: Option<Span>| {
        let w = where_
            .and_then(|s| token_at(p, s.start))
            .and_then(|i| i.checked_sub(1));
        let o = order
            .and_then(|s| token_at(p, s.start))
            .and_then(|i| i.checked_sub(2));
        let l = limit.and_then(|s| token_at(p, s.start));
        w.or(o).or(l)
    };
    let idx = match stmt {
        Statement::ShowJobs(s) => match s.kind {
            JobKind::Backup => clause(
                s.filters.where_.as_ref().map(|w| w.span),
                s.filters.order_by.as_ref().map(|o| o.span),
                s.filters.limit.as_ref().map(|l| l.span),
            ),
            JobKind::Restore => clause(
                None,
                s.filters.order_by.as_ref().map(|o| o.span),
                s.filters.limit.as_ref().map(|l| l.span),
            ),
        },
        Statement::ShowSnapshot(s) => clause(
            None,
            s.order_by.as_ref().map(|o| o.span),
            s.limit.as_ref().map(|l| l.span),
        ),
        Statement::ShowRepositories(s) => clause(
            s.filters.where_.as_ref().map(|w| w.span),
            s.filters.order_by.as_ref().map(|o| o.span),
            s.filters.limit.as_ref().map(|l| l.span),
        ),
        _ => None,
    };
    let Some(idx) = idx else { return };
    let tok = p.toks[idx];
    let text = tok.text(p.src);
    diags.push(
        dialect_diag(
            codes::SHOW_FILTER_BEFORE_4_1,
            tok.span,
            format!(
                "StarRocks {} does not accept {} here (WHERE/ORDER BY/LIMIT on this SHOW arrived in 4.1)",
                dialect.version(),
                text.to_ascii_uppercase()
            ),
            dialect,
        )
        .with_starrocks_opt(unexpected(p, idx, super::cursor::END)),
    );
}

/// `with_starrocks` for an optional error.
trait WithStarRocksOpt {
    fn with_starrocks_opt(self, sr: Option<StarRocksError>) -> Self;
}

impl WithStarRocksOpt for Diagnostic {
    fn with_starrocks_opt(mut self, sr: Option<StarRocksError>) -> Self {
        self.starrocks = sr;
        self
    }
}
