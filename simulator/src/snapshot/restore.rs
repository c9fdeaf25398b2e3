//! RESTORE submission (spec §2.3): the compiler's analyzer checks, then `BackupHandler`'s in
//! StarRocks's order — repository, the snapshot's job info (`__info_<backup_timestamp>`),
//! database vs external-catalog snapshot, the target database (created when missing),
//! submit lock, one job per database, `DATABASE x` against the snapshot, tables, partitions
//! and functions present in the snapshot — and a PENDING job. Job steps: `restore_steps`.

use starsnap_compiler::syntax::ast::{
    ExternalCatalogs, ObjectItem, ObjectKind, PartitionNames, Restore,
};
use starsnap_compiler::validate::java::{self, JavaHashMap};

use super::analyze::{self, Parsed};
use super::files::{self, JobInfo};
use super::restore_job::{RestoreJob, RestoreObject};
use super::{storage, Job, SnapCtx, State};
use crate::engine::errors::{self, ERR_COMMON_ERROR};
use crate::response::{Outcome, Response, Session, SqlError};

fn common(msg: impl Into<String>) -> SqlError {
    errors::ddl(ERR_COMMON_ERROR, msg)
}

fn property<'a>(r: &'a Restore, key: &str) -> Option<&'a str> {
    r.properties.as_ref()?.get(key).map(|v| v.value.as_str())
}

/// `RestoreObjs`: `tbl` or `tbl PARTITIONS [p1, p2]` per table in HashMap order; a
/// partition named like its table (unpartitioned) is hidden (`BackupJobInfo.getInfo`).
pub fn objects_text(info: &JobInfo, objects: &[RestoreObject]) -> String {
    let mut tables: JavaHashMap<&RestoreObject> = JavaHashMap::new();
    for o in objects {
        tables.put(o.table.clone(), o);
    }
    tables
        .iter()
        .map(|(name, o)| {
            let mut parts: JavaHashMap<()> = JavaHashMap::new();
            if let Some(t) = info.backup_objects.get(name) {
                for p in t.partitions.keys() {
                    if p != name && (o.partitions.is_empty() || o.partitions.contains(p)) {
                        parts.put(p.clone(), ());
                    }
                }
            }
            let names: Vec<&str> = parts.keys().collect();
            if names.is_empty() {
                name.to_string()
            } else {
                format!("{name} PARTITIONS [{}]", names.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `RESTORE SNAPSHOT … FROM repo …`.
pub fn submit(
    st: &mut State,
    cx: &mut SnapCtx<'_>,
    s: &Session,
    r: &Restore,
    parsed: &Parsed,
) -> Outcome {
    analyze::check(parsed, cx, s)?;
    let repo_name = r.repository.value.clone();
    let repo = cx
        .catalog
        .repositories
        .get(&repo_name)
        .ok_or_else(|| common(format!("Repository {repo_name} does not exist")))?;
    let label = r.label_name().map(|l| l.value.clone()).unwrap_or_default();
    let ts = property(r, "backup_timestamp").unwrap_or("").to_string();
    let info_failed = |m: String| {
        common(format!(
            "Failed to get info of snapshot '{label}' because: {m}. Maybe specified wrong backup timestamp"
        ))
    };
    let dir = storage::repo_dir(
        &cx.config.storage,
        &repo.name,
        &repo.location,
        &repo.properties,
    )
    .map_err(info_failed)?;
    let info = storage::find_info(&dir, &label, &ts)
        .and_then(|k| files::read_info_complete(&dir, &k))
        .map_err(info_failed)?;
    let names_db = r.database.is_some() || r.label.qualifier().is_some();
    if info.database.is_empty() {
        if names_db {
            return Err(common(
                "Can not specify database for external catalog snapshot",
            ));
        }
        return submit_catalog(st, cx, r, info, label, ts);
    }
    if r.catalogs.is_some() {
        return Err(common(format!(
            "This is not a snapshot for external catalog restore, snapshot: {label}"
        )));
    }
    let target = r
        .target_database()
        .map(|d| d.value.clone())
        .unwrap_or_else(|| info.database.clone());
    if cx.catalog.db(&target).is_none() {
        let now = cx.now_ms();
        cx.catalog.create_database(&target, now);
    }
    if st.faults.take_submit_busy() {
        return Err(common(
            "Another backup or restore job is being submitted. Please wait and try again",
        ));
    }
    if st.jobs.get(&target).is_some_and(|j| !j.is_done()) {
        return Err(common(
            "Can only run one backup or restore job of a database at same time",
        ));
    }
    if let Some(d) = &r.database {
        if d.name.value != info.database {
            return Err(common(format!(
                "target database: {} is not existed in snapshot",
                d.name.value
            )));
        }
    }
    let (objects, functions) = select_objects(r, &info, &label)?;
    let now = cx.now_ms();
    let job = RestoreJob {
        objects_text: objects_text(&info, &objects),
        allow_load: property(r, "allow_load").is_some_and(|v| java::equals_ignore_case(v, "true")),
        replication_num: property(r, "replication_num")
            .and_then(java::parse_int)
            .map(i64::from)
            .unwrap_or(3),
        objects,
        functions,
        ..RestoreJob::submitted(label, ts, target.clone(), repo_name, now, timeout_of(r))
    };
    st.put_job(target, Job::Restore(job));
    Ok(Response::ok())
}

/// The tables (with target names and partitions) and functions a RESTORE takes from the
/// snapshot, with `checkAndFilterRestoreObjsExistInSnapshot`'s errors.
fn select_objects(
    r: &Restore,
    info: &JobInfo,
    label: &str,
) -> Result<(Vec<RestoreObject>, Vec<String>), SqlError> {
    let items = r.on.as_ref().map(|l| l.items.as_slice()).unwrap_or(&[]);
    let all = |kind: ObjectKind| {
        r.on.is_none()
            || items
                .iter()
                .any(|i| matches!(i, ObjectItem::All(a) if a.kind == kind))
    };
    let mut objects: Vec<RestoreObject> = Vec::new();
    for n in analyze::list_table_refs(r.on.as_ref()) {
        let Some(name) = n.name.name() else { continue };
        let Some(t) = info.backup_objects.get(&name.value) else {
            return Err(common(format!(
                "Table {} does not exist in snapshot {label}",
                name.value
            )));
        };
        let mut partitions = Vec::new();
        if let Some(spec) = &n.partitions {
            if spec.temporary {
                return Err(common("Do not support restoring temporary partitions"));
            }
            if let PartitionNames::Names(ps) = &spec.names {
                for p in ps {
                    if !t.partitions.contains_key(&p.value) {
                        return Err(common(format!(
                            "Partition {} of table {} does not exist in snapshot {label}",
                            p.value, name.value
                        )));
                    }
                    partitions.push(p.value.clone());
                }
            }
        }
        objects.push(RestoreObject {
            table: name.value.clone(),
            target: n
                .alias
                .as_ref()
                .map(|a| a.value.clone())
                .unwrap_or_else(|| name.value.clone()),
            partitions,
        });
    }
    for (name, t) in &info.backup_objects {
        let wanted = match t.kind.as_str() {
            "VIEW" => all(ObjectKind::View),
            "MATERIALIZED_VIEW" => all(ObjectKind::MaterializedView),
            _ => all(ObjectKind::Table),
        };
        if wanted && !objects.iter().any(|o| &o.table == name) {
            objects.push(RestoreObject {
                table: name.clone(),
                target: name.clone(),
                partitions: Vec::new(),
            });
        }
    }
    let mut functions = Vec::new();
    for i in items {
        if let ObjectItem::Named(n) = i {
            if n.kind == ObjectKind::Function {
                let written = n.name.name().map(|x| x.value.clone()).unwrap_or_default();
                // `FunctionName` lower-cases the function part.
                let f = written.to_lowercase();
                if !info.functions.iter().any(|g| g.eq_ignore_ascii_case(&f)) {
                    return Err(common(format!("Can not find restore function: {written}")));
                }
                functions.push(f);
            }
        }
    }
    if all(ObjectKind::Function) {
        for f in &info.functions {
            if !functions.contains(f) {
                functions.push(f.clone());
            }
        }
    }
    Ok((objects, functions))
}

/// RESTORE of an external-catalog snapshot (spec §2.3).
fn submit_catalog(
    st: &mut State,
    cx: &mut SnapCtx<'_>,
    r: &Restore,
    info: JobInfo,
    label: String,
    ts: String,
) -> Outcome {
    let mut catalogs = Vec::new();
    match &r.catalogs {
        Some(ExternalCatalogs::Named { catalogs: refs, .. }) => {
            for c in refs {
                if !info.catalogs.contains(&c.name.value) {
                    return Err(common(format!(
                        "Can not find restore catalog: {}",
                        c.name.value
                    )));
                }
                let alias = c.alias.as_ref().map(|a| a.value.clone());
                if alias
                    .as_deref()
                    .is_some_and(|a| java::equals_ignore_case(a, "default_catalog"))
                {
                    return Err(common(
                        "Do not support set alias as default catalog for external catalog restore",
                    ));
                }
                catalogs.push((
                    c.name.value.clone(),
                    alias.unwrap_or_else(|| c.name.value.clone()),
                ));
            }
        }
        _ => {
            catalogs = info
                .catalogs
                .iter()
                .map(|c| (c.clone(), c.clone()))
                .collect()
        }
    }
    if st.faults.take_submit_busy() {
        return Err(common(
            "Another backup or restore job is being submitted. Please wait and try again",
        ));
    }
    if st.jobs.get("").is_some_and(|j| !j.is_done()) {
        return Err(common(
            "Can only run one backup or restore job of external catalog",
        ));
    }
    let now = cx.now_ms();
    let job = RestoreJob {
        catalogs,
        ..RestoreJob::submitted(
            label,
            ts,
            String::new(),
            r.repository.value.clone(),
            now,
            timeout_of(r),
        )
    };
    st.put_job(String::new(), Job::Restore(job));
    Ok(Response::ok())
}

/// The `timeout` property in seconds, or the default (already validated by the analyzer).
fn timeout_of(r: &Restore) -> i64 {
    property(r, "timeout")
        .and_then(java::parse_long)
        .unwrap_or(super::backup::DEFAULT_TIMEOUT_S)
}
