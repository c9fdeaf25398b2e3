//! SHOW REPOSITORIES (spec §3.5; `sql/ast/ShowRepositoriesStmt.java`, row
//! `backup/Repository.getInfo`): 7 columns in every version, rows in repository-id order
//! (`RepositoryMgr.repoIdMap`), `Broker` an empty string for broker-less repositories and
//! `ErrMsg` NULL while the repository is healthy. WHERE / ORDER BY / LIMIT from 4.1 only
//! (`clauses41`).

use crate::engine::show::format::java_bool;
use crate::engine::show::parse::Cursor;
use crate::engine::show::{clauses41, layouts};
use crate::engine::show::{result, session_time_zone};
use crate::engine::EngineCtx;
use crate::response::{Outcome, Session};

/// `SHOW REPOSITORIES`.
pub fn show_repositories(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    let clauses = clauses41::parse(c, ctx.version())?;
    let tz = session_time_zone(ctx, s);
    let mut repos: Vec<_> = ctx.catalog.repositories.values().collect();
    repos.sort_by_key(|r| r.id);
    let rows = repos
        .into_iter()
        .map(|r| {
            vec![
                Some(r.id.to_string()),
                Some(r.name.clone()),
                (r.created_ms > 0).then(|| tz.format_datetime(r.created_ms)),
                Some(java_bool(r.read_only).to_string()),
                Some(r.location.clone()),
                Some(r.broker.clone()),
                r.error.clone(),
            ]
        })
        .collect();
    let columns = layouts::show_repositories(ctx.version());
    let rows = clauses.apply(&columns, rows)?;
    result(columns, rows)
}
