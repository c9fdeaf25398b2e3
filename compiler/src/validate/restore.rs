//! RESTORE checks (spec §2.3): duplicate table names, duplicate aliases, then properties. The
//! RESTORE analyzer checks no database, repository or table: StarRocks creates the target
//! database if needed and looks the snapshot up only at execution.
//!
//! Positions: StarRocks reports these two errors at the table reference's position. starsnap
//! uses the span from the item's name to the start of the item's last token (`t PARTITION
//! (p) AS a` → from `t` to `a`), which is what a table-reference node covers in the grammar;
//! the corpus has no RESTORE duplicate to confirm it against.

use std::collections::HashSet;

use super::backup::table_refs;
use super::{properties, Check, Cx};
use crate::span::Span;
use crate::syntax::ast::Restore;

pub fn check(cx: &mut Cx<'_>, r: &Restore) {
    let refs = table_refs(r.on.as_ref());
    // Duplicated table (case-sensitive, TreeMap); the alias set starts with every table name.
    let mut tables: HashSet<&str> = HashSet::new();
    for n in &refs {
        let Some(name) = n.name.name() else { continue };
        if !tables.insert(name.value.as_str()) {
            let span = Span::new(n.name.span.start, n.span.end.max(n.name.span.end));
            let pos = cx.pos_text(span);
            cx.emit(
                Check::DuplicateRestoreTable,
                n.name.span,
                format!("table `{}` is listed twice", name.value),
                "list each table once; merge the PARTITION lists if you meant different partitions",
                pos,
                &format!("Duplicated table: {}", name.value),
            );
            // StarRocks stops here; the alias check below never runs.
            properties::check_restore(cx, r.properties.as_ref(), r.span);
            return;
        }
    }
    let mut aliases: HashSet<&str> = tables.clone();
    for n in &refs {
        let Some(alias) = &n.alias else { continue };
        if !aliases.insert(alias.value.as_str()) {
            let span = Span::new(n.name.span.start, n.span.end.max(alias.span.end));
            let pos = cx.pos_text(span);
            let is_table = tables.contains(alias.value.as_str());
            cx.emit(
                Check::DuplicateRestoreAlias,
                alias.span,
                if is_table {
                    format!("alias `{}` is also the name of a table in this RESTORE", alias.value)
                } else {
                    format!("alias `{}` is used twice", alias.value)
                },
                "give every restored table a distinct new name, different from every table listed, e.g. `t AS t_restored`",
                pos,
                &format!("Duplicated alias name: {}", alias.value),
            );
            break;
        }
    }
    properties::check_restore(cx, r.properties.as_ref(), r.span);
}
