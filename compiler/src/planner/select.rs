//! Which tables each group covers: include/exclude patterns over `database.table`, the
//! object-kind switches, and the findings that need the catalog — a pattern matching nothing
//! (`P101`/`P102`) and a table claimed by two groups (`P103`).

use std::collections::BTreeMap;

use crate::catalog::{Database, ObservedCatalog, Table, TableKind};
use crate::diagnostic::Diagnostic;
use crate::policy::{codes, GroupConfig, Pattern, Policy};
use crate::span::Span;

/// The tables of one group, by database (both sorted by name).
pub struct Selection<'a> {
    pub group: &'a GroupConfig,
    pub databases: Vec<(&'a Database, Vec<&'a Table>)>,
}

fn kind_selected(group: &GroupConfig, kind: TableKind) -> bool {
    match kind {
        TableKind::Olap => true,
        TableKind::MaterializedView => group.materialized_views,
        TableKind::View => group.views,
        TableKind::External => false,
    }
}

/// Selects every group's tables and reports pattern findings into `out` (policy file).
pub fn select<'a>(
    policy: &'a Policy,
    catalog: &'a ObservedCatalog,
    out: &mut Vec<Diagnostic>,
) -> Vec<Selection<'a>> {
    let mut selections = Vec::new();
    // (database, table) → (group name, the include pattern's span) of the first claimant.
    let mut claimed: BTreeMap<(&str, &str), (&str, Span)> = BTreeMap::new();
    for group in &policy.groups {
        let mut include_hits = vec![false; group.include.len()];
        let mut exclude_hits = vec![false; group.exclude.len()];
        let mut databases = Vec::new();
        for db in &catalog.databases {
            let mut tables = Vec::new();
            for t in &db.tables {
                let first_include = group
                    .include
                    .iter()
                    .position(|p| p.matches(&db.name, &t.name));
                let Some(inc) = first_include else { continue };
                for (i, p) in group.include.iter().enumerate() {
                    include_hits[i] |= p.matches(&db.name, &t.name);
                }
                let excluded: Vec<usize> = group
                    .exclude
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.matches(&db.name, &t.name))
                    .map(|(i, _)| i)
                    .collect();
                for &i in &excluded {
                    exclude_hits[i] = true;
                }
                if !excluded.is_empty() || !kind_selected(group, t.kind) {
                    continue;
                }
                let span = group.include[inc].span;
                match claimed.get(&(db.name.as_str(), t.name.as_str())) {
                    Some((other, other_span)) => out.push(
                        Diagnostic::error(
                            codes::TABLE_IN_TWO_GROUPS,
                            span,
                            format!(
                                "table `{}.{}` is in group `{}` and in group `{other}`",
                                db.name, t.name, group.name
                            ),
                        )
                        .with_label(*other_span, format!("group `{other}` covers it here"))
                        .with_help(
                            "a table belongs to one group: narrow one pattern or add an `exclude`",
                        ),
                    ),
                    None => {
                        claimed.insert((&db.name, &t.name), (&group.name, span));
                        tables.push(t);
                    }
                }
            }
            if !tables.is_empty() {
                databases.push((db, tables));
            }
        }
        report_unmatched(&group.include, &include_hits, catalog, true, out);
        report_unmatched(&group.exclude, &exclude_hits, catalog, false, out);
        selections.push(Selection { group, databases });
    }
    selections
}

fn report_unmatched(
    patterns: &[Pattern],
    hits: &[bool],
    catalog: &ObservedCatalog,
    include: bool,
    out: &mut Vec<Diagnostic>,
) {
    for (p, hit) in patterns.iter().zip(hits) {
        if *hit {
            continue;
        }
        let db_exists = catalog
            .databases
            .iter()
            .any(|d| p.matches_database(&d.name));
        let why = if db_exists {
            "no table of a matching database matches"
        } else {
            "no database matches"
        };
        let message = format!("pattern `{}` matches no table ({why})", p.text);
        let help = "names are case-sensitive; check `starsnap inspect` output for the tables the cluster has";
        out.push(if include {
            Diagnostic::error(codes::PATTERN_MATCHES_NOTHING, p.span, message).with_help(help)
        } else {
            Diagnostic::warning(codes::EXCLUDE_MATCHES_NOTHING, p.span, message).with_help(help)
        });
    }
}
