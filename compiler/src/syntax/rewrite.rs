//! Syntax rewrites that keep a statement's meaning: the 3.4 form of a legacy BACKUP (for the
//! lint rule "legacy syntax with a 3.4 rewrite"), and SQL for a target version (`display_for`:
//! the legacy form for StarRocks 3.3, which accepts nothing else).

use std::fmt::{self, Display, Formatter};

use super::ast::*;
use super::print::{write_backup, write_restore};
use super::Dialect;

/// The 3.4-syntax rewrite of a legacy BACKUP, when one with the same meaning exists.
///
/// `None` when the statement already uses the 3.4 syntax, reads the same in both syntaxes
/// (`BACKUP SNAPSHOT l TO r` with no ON), or is not a BACKUP. A legacy RESTORE never has one:
/// without a database prefix it reads the same in both syntaxes, and `RESTORE SNAPSHOT db.l`
/// (restore into `db` whatever database the snapshot holds) differs from `DATABASE db` (the
/// snapshot's database must be `db`).
pub fn to_3_4_syntax(stmt: &Statement) -> Option<Statement> {
    let Statement::Backup(b) = stmt else {
        return None;
    };
    if !has_3_4_rewrite(stmt) {
        return None;
    }
    let mut out = b.clone();
    if let [db, label] = b.label.parts.as_slice() {
        out.database = Some(db.clone());
        out.label = ObjectName::new([label.clone()]);
    }
    for item in out.on.iter_mut().flat_map(|l| l.items.iter_mut()) {
        if let ObjectItem::Named(n) = item {
            if n.keyword == ObjectKeyword::Bare {
                n.keyword = ObjectKeyword::Singular;
            }
        }
    }
    Some(Statement::Backup(out))
}

/// Whether [`to_3_4_syntax`] gives a rewrite, without building it. The canonical printer
/// (`Display`) always prints the 3.4 form, so such a statement prints exactly as its rewrite
/// does: the lint rule formats the statement itself instead of a clone (a legacy BACKUP has no
/// DATABASE clause, and printing in the 3.4 form names every item's kind).
pub fn has_3_4_rewrite(stmt: &Statement) -> bool {
    match stmt {
        Statement::Backup(b) => {
            b.syntax() == SnapshotSyntax::Legacy && (b.label.parts.len() == 2 || b.on.is_some())
        }
        _ => false,
    }
}

/// Whether a BACKUP/RESTORE can be written in the legacy (3.3) syntax with the same meaning:
/// no external catalogs, only table items, and for RESTORE no DATABASE clause.
pub fn legacy_expressible(stmt: &Statement) -> bool {
    let tables_only = |on: &Option<ObjectList>| {
        on.iter()
            .flat_map(|l| &l.items)
            .all(|i| matches!(i, ObjectItem::Named(n) if n.kind == ObjectKind::Table))
    };
    match stmt {
        Statement::Backup(b) => {
            b.catalogs.is_none()
                && tables_only(&b.on)
                && !(b.database.is_some() && b.label.parts.len() > 1)
        }
        Statement::Restore(r) => r.catalogs.is_none() && r.database.is_none() && tables_only(&r.on),
        _ => false,
    }
}

/// Canonical SQL for a target version: the legacy form for StarRocks 3.3 where it expresses
/// the same meaning (`legacy_expressible`), the canonical 3.4 form otherwise.
pub fn display_for(stmt: &Statement, dialect: Dialect) -> DisplayFor<'_> {
    DisplayFor { stmt, dialect }
}

/// See `display_for`.
pub struct DisplayFor<'a> {
    stmt: &'a Statement,
    dialect: Dialect,
}

impl Display for DisplayFor<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if !self.dialect.has_3_4_snapshot_syntax() && legacy_expressible(self.stmt) {
            match self.stmt {
                Statement::Backup(b) => return write_backup(b, f, true),
                Statement::Restore(r) => return write_restore(r, f, true),
                _ => {}
            }
        }
        self.stmt.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::syntax::parse;

    fn one(src: &str) -> Statement {
        parse(src, Dialect::StarRocks3_4).statements[0]
            .statement
            .clone()
            .unwrap()
    }

    #[test]
    fn legacy_printing_for_3_3_keeps_meaning() {
        for (src, want) in [
            (
                "BACKUP DATABASE db SNAPSHOT l TO r ON (TABLE t PARTITION (p1), TABLES u)",
                "BACKUP SNAPSHOT db.l TO r ON (t PARTITION (p1), u)",
            ),
            ("BACKUP SNAPSHOT db.l TO r", "BACKUP SNAPSHOT db.l TO r"),
            (
                "RESTORE SNAPSHOT db.l FROM r ON (TABLE t AS u)",
                "RESTORE SNAPSHOT db.l FROM r ON (t AS u)",
            ),
            // No legacy spelling: printed in the 3.4 form (and reported as D001 for 3.3).
            (
                "BACKUP DATABASE db SNAPSHOT l TO r ON (VIEW v)",
                "BACKUP DATABASE db SNAPSHOT l TO r ON (VIEW v)",
            ),
            (
                "RESTORE SNAPSHOT l FROM r DATABASE db",
                "RESTORE SNAPSHOT l FROM r DATABASE db",
            ),
        ] {
            let stmt = one(src);
            let printed = display_for(&stmt, Dialect::StarRocks3_3).to_string();
            assert_eq!(printed, want);
            let p = parse(&printed, Dialect::StarRocks3_3);
            assert_eq!(p.statements[0].statement.as_ref(), Some(&stmt));
            assert_eq!(
                display_for(&stmt, Dialect::StarRocks3_4).to_string(),
                stmt.to_string()
            );
        }
    }

    #[test]
    fn rewrite_to_3_4() {
        let legacy = one("BACKUP SNAPSHOT db.l TO r ON (t)");
        let new = to_3_4_syntax(&legacy).unwrap();
        assert_eq!(new, legacy);
        assert_eq!(
            new.to_string(),
            "BACKUP DATABASE db SNAPSHOT l TO r ON (TABLE t)"
        );
        assert_eq!(to_3_4_syntax(&new), None);
        assert_eq!(to_3_4_syntax(&one("BACKUP SNAPSHOT l TO r")), None);
        // The lint rule prints the statement itself as the rewrite: the same text.
        for src in [
            "BACKUP SNAPSHOT db.l TO r ON (t)",
            "BACKUP SNAPSHOT `d-1`.`l-2` TO `repo` ON (`order items` PARTITION (p1, p2), t1)",
            "BACKUP SNAPSHOT l TO r ON (t AS u) PROPERTIES (\"timeout\" = \"60\")",
            "BACKUP SNAPSHOT db.l TO r",
            "BACKUP SNAPSHOT l TO r",
            "BACKUP DATABASE d SNAPSHOT l TO r ON (TABLE t)",
            "RESTORE SNAPSHOT db.l FROM r ON (t)",
        ] {
            let stmt = one(src);
            let rewrite = to_3_4_syntax(&stmt);
            assert_eq!(has_3_4_rewrite(&stmt), rewrite.is_some(), "{src}");
            if let Some(r) = rewrite {
                assert_eq!(r.to_string(), stmt.to_string(), "{src}");
            }
        }
        assert_eq!(
            to_3_4_syntax(&one("RESTORE SNAPSHOT db.l FROM r ON (t)")),
            None
        );
    }
}
