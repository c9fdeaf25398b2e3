//! `SHOW CATALOGS` (StarRocks 3.4). Its `LIKE` filter is refused plainly rather than guessed:
//! whether it matches catalog names case-sensitively is not verified here.
//!
//! Facts (`fe/fe-core/src/main/java/com/starrocks/…`): `sql/ast/ShowCatalogsStmt.java` (titles
//! `Catalog`, `Type`, `Comment`); `server/CatalogMgr.java` `CatalogProcNode` (the internal
//! catalog's row, `Internal` with `DEFAULT_CATALOG_COMMENT`) and `catalog/Catalog.java`
//! `getProcNodeData` (an external catalog's row: its name, `StringUtils.capitalize` of its
//! `type` property, its comment — `NULL` when it has none); rows ordered by name
//! (`qe/ShowExecutor.java` sorts them). The properties are never shown here.

use crate::engine::show::parse::Cursor;
use crate::engine::show::result;
use crate::engine::{errors, EngineCtx};
use crate::response::{Column, Outcome, Session};

/// `default_catalog`'s comment (`CatalogMgr.CatalogProcNode.DEFAULT_CATALOG_COMMENT`).
pub const DEFAULT_CATALOG_COMMENT: &str =
    "An internal catalog contains this cluster's self-managed tables.";

/// `StringUtils.capitalize`: the first character upper-cased, the rest as written.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `SHOW CATALOGS`.
pub fn show_catalogs(ctx: &EngineCtx<'_>, _s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    if c.is_kw("LIKE") || c.is_kw("WHERE") {
        return Err(errors::unsupported("SHOW CATALOGS with a filter"));
    }
    c.expect_end()?;
    let mut rows: Vec<Vec<Option<String>>> = ctx
        .catalog
        .external_catalogs
        .values()
        .map(|cat| {
            vec![
                Some(cat.name.clone()),
                Some(capitalize(&cat.catalog_type)),
                (!cat.comment.is_empty()).then(|| cat.comment.clone()),
            ]
        })
        .collect();
    rows.push(vec![
        Some("default_catalog".into()),
        Some("Internal".into()),
        Some(DEFAULT_CATALOG_COMMENT.into()),
    ]);
    rows.sort_by(|a, b| a[0].cmp(&b[0]));
    result(
        vec![
            Column::varchar("Catalog"),
            Column::varchar("Type"),
            Column::varchar("Comment"),
        ],
        rows,
    )
}
