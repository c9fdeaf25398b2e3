//! CREATE [READ ONLY] REPOSITORY and DROP REPOSITORY (spec §2.7). The repository list lives
//! in the engine's catalog (`Catalog::repositories`), which SHOW REPOSITORIES renders; this
//! module creates the repository folder and its `__repo_info`, or adopts an existing one
//! with its create time. The simulator has no brokers: a named broker is unknown.

use starsnap_compiler::syntax::ast::{CreateRepository, DropRepository};

use super::storage::{self, RepoInfo};
use super::{SnapCtx, State};
use crate::engine::catalog::Repository;
use crate::engine::errors::{self, ERR_COMMON_ERROR};
use crate::engine::time::parse_datetime;
use crate::response::{Outcome, Response};

fn failed(msg: &str) -> crate::response::SqlError {
    errors::ddl(
        ERR_COMMON_ERROR,
        format!("Failed to create repository: {msg}"),
    )
}

/// `CREATE [READ ONLY] REPOSITORY r WITH BROKER [b] ON LOCATION '…' [PROPERTIES (…)]`,
/// after the compiler's analyzer checks.
pub fn create(cx: &mut SnapCtx<'_>, c: &CreateRepository) -> Outcome {
    if let Some(b) = c.broker.as_ref().filter(|b| !b.value.is_empty()) {
        // BrokerMgr.getBroker: no broker of that name is registered.
        return Err(errors::analyzing(&format!(
            "Unknown broker name({})",
            b.value
        )));
    }
    let name = c.name.value.clone();
    if cx.catalog.repositories.contains_key(&name) {
        return Err(failed(&format!(
            "repository with same name already exist: {name}"
        )));
    }
    let location = c.location.value.clone();
    let properties: std::collections::BTreeMap<String, String> = c
        .properties
        .as_ref()
        .map(|p| {
            p.items
                .iter()
                .map(|i| (i.effective_key().to_string(), i.value.value.clone()))
                .collect()
        })
        .unwrap_or_default();
    let dir = storage::repo_dir(&cx.config.storage, &name, &location, &properties)
        .map_err(|m| failed(&m))?;
    let now = cx.now_ms();
    let created_ms = match storage::read_repo_info(&dir) {
        Some(info) => parse_datetime(&info.create_time)
            .map(|local_secs| cx.time_zone.instant_of_local(local_secs))
            .unwrap_or(now),
        None => {
            if !c.read_only {
                let info = RepoInfo {
                    name: name.clone(),
                    create_time: cx.time_zone.format_datetime(now),
                };
                storage::write_repo_info(&dir, &info).map_err(|m| failed(&m))?;
            }
            now
        }
    };
    let id = cx.catalog.alloc_id();
    cx.catalog.repositories.insert(
        name.clone(),
        Repository {
            id,
            name,
            created_ms,
            read_only: c.read_only,
            location,
            broker: String::new(),
            properties,
            error: None,
        },
    );
    Ok(Response::ok())
}

/// `DROP REPOSITORY r`: refused while an unfinished job uses it; the data stays in storage.
pub fn drop(st: &State, cx: &mut SnapCtx<'_>, d: &DropRepository) -> Outcome {
    let name = &d.name.value;
    if st
        .jobs
        .values()
        .any(|j| !j.is_done() && j.repository() == name)
    {
        return Err(errors::ddl(
            ERR_COMMON_ERROR,
            "Backup or restore job is running on this repository. Can not drop it",
        ));
    }
    if cx.catalog.repositories.remove(name).is_none() {
        return Err(errors::analyzing_code(
            ERR_COMMON_ERROR,
            "Repository does not exist",
        ));
    }
    Ok(Response::ok())
}
